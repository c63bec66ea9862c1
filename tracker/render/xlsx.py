"""XLSX output: the export as an Excel workbook that prints — Summary (with a native bar
chart), Items, Unfulfilled — in the language in force.

``workbook_bytes`` builds the file from a report and the items, so the CLI writes it like
every other file. Every text is written as a string: no cell ever becomes a formula or a
link, whatever it starts with. Every sheet prints landscape on A4, one page wide, its
header row repeated on each page and frozen on screen; column widths and row heights come
from the content (openpyxl cannot measure text and neither can XlsxWriter, so heights are
estimated from each cell's text and its column's width: Excel and LibreOffice honour
explicit heights). The Items sheet is written in XlsxWriter's constant-memory mode, row
by row. XlsxWriter is imported only here, when a workbook is made.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from tracker.domain import status_text
from tracker.i18n import _, current, day
from tracker.periods import period_label, period_text
from tracker.render import Renderer
from tracker.render.common import (
    TREND_COLUMNS,
    capital,
    discipline_headers,
    discipline_heading,
    discipline_note,
    discipline_rule,
    discipline_title,
    field_label,
    no_discipline_key,
    rule_line,
    trend_headers,
    trend_note,
    trend_rule,
    trend_title,
)
from tracker.reports import tally_json
from tracker.tabular import COLUMNS

if TYPE_CHECKING:
    from tracker.domain import Item
    from tracker.progress import Trend
    from tracker.reports import Discipline, Report

RATE_FORMAT = "0.0%"
# How wide a column may grow (characters), and how wide each kind of column starts.
MAX_WIDTH = {"title": 60, "reason": 50, "evidence": 40, "owners": 30, "area": 28}
MIN_WIDTH = 6
WRAPPED = frozenset({"title", "reason", "evidence", "owners", "area"})
LINE_POINTS = 15  # the height of one line of 11 pt text, in points
SUMMARY_COLUMNS = ("plan", "title", "total", "counted", "fulfilled", "counted_weight",
                   "credit", "rate")
UNFULFILLED_COLUMNS = ("plan", "ref", "title", "status", "reason")
# The Items sheet: the export's columns, then the deadline as first approved and its moves.
ITEM_SHEET_COLUMNS = (*COLUMNS, "due_original", "due_moves")


def _date(text: str | None) -> date | None:
    """A day as a real Excel date; anything else (a period's text) is None."""
    try:
        return date.fromisoformat(text) if text and len(text) == 10 else None
    except ValueError:
        return None


def _text(value: Any) -> str:
    """What a cell shows, for measuring it."""
    if type(value) is str:
        return value
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, date):
        return "00.00.0000"
    if isinstance(value, float):
        return f"{value:.3g}"
    return "" if value is None else str(value)


def _lengths(row: Sequence[Any]) -> list[list[int]]:
    """Each cell's line lengths (most cells have one line)."""
    out = []
    for value in row:
        text = _text(value)
        out.append([len(text)] if "\n" not in text else [len(line) for line in text.split("\n")])
    return out


class Widths:
    """Column widths (characters) from the content, fed row by row: the longest line of
    each column, its header included, kept between a minimum and each column's maximum."""

    __slots__ = ("columns", "widths", "caps")

    def __init__(self, columns: Sequence[str], headers: Sequence[str]) -> None:
        self.columns = list(columns)
        self.widths = [float(max(len(h) + 2, MIN_WIDTH)) for h in headers]
        self.caps = [MAX_WIDTH.get(key, 40) for key in columns]

    def add(self, lengths: list[list[int]]) -> None:
        widths, caps = self.widths, self.caps
        for n, lines in enumerate(lengths):
            longest = (lines[0] if len(lines) == 1 else max(lines)) + 2
            if longest > widths[n]:
                widths[n] = max(widths[n], min(longest, caps[n]))


def widths_for(columns: Sequence[str], rows: Iterable[Sequence[Any]],
               headers: Sequence[str]) -> list[float]:
    """Column widths of a table of *rows* (see ``Widths``)."""
    found = Widths(columns, headers)
    for row in rows:
        found.add(_lengths(row))
    return found.widths


def row_height(columns: Sequence[str], row: Sequence[Any], widths: Sequence[float],
               lengths: list[list[int]] | None = None) -> float:
    """The height (points) a row needs for its wrapped text to show whole."""
    lines = 1
    for cell_lines, width in zip(lengths or _lengths(row), widths, strict=True):
        if cell_lines == [0]:
            continue
        usable = max(1.0, width - 1)
        needed = sum(max(1, math.ceil(n * 1.1 / usable)) for n in cell_lines)
        if needed > lines:
            lines = needed
    return lines * LINE_POINTS


def workbook_bytes(report: Report, items: Iterable[Item]) -> bytes:
    """The .xlsx file for a report (``build_report``) and the items it counts. *items* is
    gone through twice (widths first, then the rows: the sheet is written row by row in
    XlsxWriter's constant-memory mode), so it may be a ``Reiterable`` that reads the
    items again rather than holding them; an iterator, which would be spent after the
    first pass, is held as a list."""
    if iter(items) is items:
        items = list(items)
    buffer = io.BytesIO()
    book, fmt = _workbook(buffer, constant=True)
    _summary(book, fmt, report)
    _items(book, fmt, items)
    _unfulfilled(book, fmt, report)
    if report.discipline is not None:
        _discipline(book, fmt, report.discipline)
    book.close()
    return buffer.getvalue()


def discipline_bytes(d: Discipline) -> bytes:
    """The .xlsx file of the executive-discipline report: its sheet alone."""
    buffer = io.BytesIO()
    book, fmt = _workbook(buffer)
    _discipline(book, fmt, d)
    book.close()
    return buffer.getvalue()


def _discipline(book: Any, fmt: dict[str, Any], d: Discipline) -> None:
    """The sheet «Исполнительская дисциплина»: the title, a row per executor with numbers
    as numbers and the rate as a percentage, the total, the formula and the note."""
    sheet = book.add_worksheet(discipline_heading()[:31])
    name = d.plans[0][1] if len(d.plans) == 1 else _("all plans")
    sheet.write_string(0, 0, f"{discipline_heading()}: {name}", fmt["title"])
    sheet.write_string(1, 0, capital(discipline_title(d)))
    top = 3
    headers = discipline_headers(d.by)
    columns = ("key", "due", "on_time", "late", "overdue", "average_delay", "longest_delay",
               "moved", "rate")
    for col, header in enumerate(headers):
        sheet.write_string(top, col, header, fmt["head"])
    rows = [*d.rows, d.total]
    for n, row in enumerate(rows, start=top + 1):
        last = n == top + len(rows)
        for col, key in enumerate(columns):
            value: Any = row[key]  # type: ignore[literal-required]
            if key == "key":
                value = _("total") if last else value if value is not None else \
                    no_discipline_key(d.by)
            style = (fmt["total_rate"] if last else fmt["rate"]) if key == "rate" else (
                fmt["total"] if last else fmt["top"])
            _write(sheet, n, col, "" if value is None else value, style)
    end = top + len(rows)
    sheet.write_string(end + 2, 0, discipline_rule(d))
    sheet.write_string(end + 3, 0, discipline_note(d))
    widths = [max(12, min(40, max(len(str(r["key"] or "")) for r in rows) + 2)),
              *[max(9, len(h) // 2 + 2) for h in headers[1:]]]
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    sheet.set_row(top, LINE_POINTS * 2)
    sheet.freeze_panes(top + 1, 0)
    _print_setup(sheet, top + 1)
    sheet.fit_to_pages(1, 0)


def _workbook(buffer: io.BytesIO, constant: bool = False) -> tuple[Any, dict[str, Any]]:
    """A workbook that never turns text into a formula, a link or a number, and its
    cell formats; *constant*: rows go to disk as they are written (rows in order)."""
    import xlsxwriter

    book = xlsxwriter.Workbook(buffer, {
        "in_memory": not constant,
        "constant_memory": constant,
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
    })
    date_format = "dd.mm.yyyy" if current() == "ru" else "yyyy-mm-dd"
    fmt = {
        "head": book.add_format({"bold": True, "bottom": 1, "bg_color": "#DCE6F1",
                                 "text_wrap": True, "valign": "top"}),
        "title": book.add_format({"bold": True, "font_size": 14}),
        "date": book.add_format({"num_format": date_format, "align": "left", "valign": "top"}),
        "rate": book.add_format({"num_format": RATE_FORMAT, "valign": "top"}),
        "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
        "top": book.add_format({"valign": "top"}),
        "total": book.add_format({"bold": True, "top": 1}),
        "total_rate": book.add_format({"bold": True, "top": 1, "num_format": RATE_FORMAT}),
        "bold_rate": book.add_format({"bold": True, "num_format": RATE_FORMAT}),
    }
    return book, fmt


TREND_SHEET_COLUMNS = ("period", "start", "end", "total", "fulfilled", "partial",
                       "not_fulfilled", "withdrawn", "open", "rate")
CHART_SERIES = 12  # plans drawn one line each, beside the total; more would be a tangle


def trend_bytes(trend: Trend) -> bytes:
    """The .xlsx file of a trend: its rows with a native chart (bars of the items
    fulfilled in each period, a line of the rate at its end); several plans add a sheet
    of each plan's rate per period, with a line per plan."""
    buffer = io.BytesIO()
    book, fmt = _workbook(buffer)
    sheet = book.add_worksheet(_("Trend"))
    several = len(trend.plans) > 1
    name = _("all plans") if several else f"{trend.plans[0].plan}: {trend.plans[0].title}"
    sheet.write_string(0, 0, f"{name}: {trend_title(trend)}", fmt["title"])
    sheet.write_string(1, 0, trend_rule(trend))
    sheet.write_string(2, 0, trend_note())
    top = 4
    headers = [_trend_header(c) for c in TREND_SHEET_COLUMNS]
    for col, header in enumerate(headers):
        sheet.write_string(top, col, header, fmt["head"])
    rows = [[period_label(r["period"], current()), date.fromisoformat(r["start"]),
             date.fromisoformat(r["end"]), r["total"], r["fulfilled"], r["partial"],
             r["not_fulfilled"], r["withdrawn"], r["open"], r["rate"]] for r in trend.total]
    for n, values in enumerate(rows, start=top + 1):
        for col, (key, value) in enumerate(zip(TREND_SHEET_COLUMNS, values, strict=True)):
            _write(sheet, n, col, value, fmt["date"] if key in ("start", "end") else
                   fmt["rate"] if key == "rate" else fmt["top"])
    widths = widths_for(TREND_SHEET_COLUMNS, rows, headers)
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    sheet.set_row(top, row_height(TREND_SHEET_COLUMNS, headers, widths))
    sheet.freeze_panes(top + 1, 0)
    _print_setup(sheet, top + 1)
    sheet.fit_to_pages(1, 1)
    first, last = top + 1, top + len(rows)
    if rows:
        bars = book.add_chart({"type": "column"})
        bars.add_series({"name": _trend_header("fulfilled"),
                         "categories": [sheet.name, first, 0, last, 0],
                         "values": [sheet.name, first, 4, last, 4],
                         "fill": {"color": "#1F4E79"}, "gap": 80})
        line = book.add_chart({"type": "line"})
        line.add_series({"name": _trend_header("rate"),
                         "categories": [sheet.name, first, 0, last, 0],
                         "values": [sheet.name, first, 9, last, 9],
                         "y2_axis": True, "line": {"color": "#C0392B", "width": 2.25},
                         "marker": {"type": "circle", "size": 5,
                                    "fill": {"color": "#C0392B"},
                                    "border": {"color": "#C0392B"}}})
        bars.combine(line)
        bars.set_title({"name": _("Items fulfilled in each period, and the rate at its end"),
                        "name_font": {"size": 12}})
        most = max((r["fulfilled"] for r in trend.total), default=0)
        bars.set_y_axis({"name": _trend_header("fulfilled"), "min": 0,
                         "major_unit": max(1, math.ceil(most / 5))})
        line.set_y2_axis({"name": _trend_header("rate"), "min": 0, "max": 1,
                          "num_format": "0%", "major_unit": 0.25})
        bars.set_legend({"position": "bottom"})
        bars.set_size({"width": 720, "height": 360})
        sheet.insert_chart(last + 2, 0, bars)
    if several:
        _rates_by_plan(book, fmt, trend)
    book.close()
    return buffer.getvalue()


def _rates_by_plan(book: Any, fmt: dict[str, Any], trend: Trend) -> None:
    """A row per period, a column per plan (its rate at the period's end) and the total;
    a line chart of the total and of the first plans."""
    sheet = book.add_worksheet(_("Rate by plan"))
    columns = [_trend_header("period"), *(p.plan for p in trend.plans), _("total")]
    for col, header in enumerate(columns):
        sheet.write_string(0, col, header, fmt["head"])
    for n, row in enumerate(trend.total, start=1):
        sheet.write_string(n, 0, period_label(row["period"], current()))
        for col, plan in enumerate(trend.plans, start=1):
            _write(sheet, n, col, plan.rows[n - 1]["rate"], fmt["rate"])
        _write(sheet, n, len(columns) - 1, row["rate"], fmt["bold_rate"])
    sheet.set_column(0, 0, max(len(columns[0]) + 2, *(len(period_label(r["period"],
                                                                       current())) + 2
                                                      for r in trend.total)))
    sheet.set_column(1, len(columns) - 1, 12)
    sheet.freeze_panes(1, 1)
    _print_setup(sheet, 1)
    last = len(trend.total)
    if not last:
        return
    chart = book.add_chart({"type": "line"})
    shown = [*range(1, min(len(trend.plans), CHART_SERIES) + 1), len(columns) - 1]
    for col in shown:
        series: dict[str, Any] = {"name": [sheet.name, 0, col],
                                  "categories": [sheet.name, 1, 0, last, 0],
                                  "values": [sheet.name, 1, col, last, col]}
        if col == len(columns) - 1:
            series["line"] = {"color": "#000000", "width": 3}
        chart.add_series(series)
    chart.set_title({"name": _("Rate at each period's end, per plan"),
                     "name_font": {"size": 12}})
    chart.set_y_axis({"min": 0, "max": 1, "num_format": "0%", "major_unit": 0.25})
    chart.set_legend({"position": "right"})
    chart.set_size({"width": 720, "height": 380})
    sheet.insert_chart(last + 2, 0, chart)


def _trend_header(key: str) -> str:
    if key in ("start", "end"):
        return field_label(key)
    return dict(zip(TREND_COLUMNS, trend_headers(), strict=True))[key]


def _print_setup(sheet: Any, header_rows: int) -> None:
    """A4 landscape, one page wide, the header repeated on every page, small margins."""
    sheet.set_paper(9)  # A4
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)  # one page wide, as many tall as it takes
    sheet.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    sheet.set_footer(_("&L&A&R&P / &N"))  # the sheet's name; page of pages
    if header_rows:
        sheet.repeat_rows(header_rows - 1)


def _write(sheet: Any, row: int, col: int, value: Any, style: Any = None) -> None:
    """One cell by its Python type; text always as a string, never a formula or link."""
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    if value is None or value == "":
        sheet.write_blank(row, col, None, style)
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value, style)
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value, style)
    elif isinstance(value, date):
        sheet.write_datetime(row, col, value, style)
    else:
        sheet.write_string(row, col, str(value), style)


def _header(sheet: Any, row: int, columns: Sequence[str], style: Any,
            plans: bool = False) -> list[str]:
    """The header row; *plans*: a table of plans, whose ``title`` is a plan's."""
    names = [field_label("plan_title" if plans and c == "title" else c) for c in columns]
    for col, name in enumerate(names):
        sheet.write_string(row, col, name, style)
    return names


def _summary(book: Any, fmt: dict[str, Any], report: Report) -> None:
    """The rate per plan and the total, with the rule; its chart beside the table, so both
    print on the first page."""
    sheet = book.add_worksheet(_("Summary"))
    sheet.write_string(0, 0, _("Completion rate per plan"), fmt["title"])
    sheet.write_string(1, 0, _("as of"))
    sheet.write_datetime(1, 1, date.fromisoformat(report.as_of), fmt["date"])
    sheet.write_string(2, 0, _("rule"))
    total = report.total
    sheet.write_string(2, 1, rule_line(total.rate, total.credit, total.counted_weight,
                                       report.rules))
    top = 4
    plans = report.plans
    rows = [[entry.plan, entry.title, *list(tally_json(entry.tally).values())]
            for entry in plans]
    rows.append([_("total"), "", *list(tally_json(total).values())])
    names = [field_label("plan_title" if c == "title" else c) for c in SUMMARY_COLUMNS]
    widths = widths_for(SUMMARY_COLUMNS, rows, names)
    widths[1] = min(widths[1], 40)
    widths[0] = max(widths[0], 10)
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    sheet.set_row(top, row_height(SUMMARY_COLUMNS, names, widths))
    _header(sheet, top, SUMMARY_COLUMNS, fmt["head"], plans=True)
    for n, values in enumerate(rows, start=top + 1):
        last = n == top + len(rows)
        sheet.set_row(n, row_height(SUMMARY_COLUMNS, values, widths))
        for col, (key, value) in enumerate(zip(SUMMARY_COLUMNS, values, strict=True)):
            style = (fmt["total_rate"] if key == "rate" else fmt["total"]) if last else (
                fmt["rate"] if key == "rate" else fmt["wrap"] if key == "title" else None)
            _write(sheet, n, col, value, style)
    total_row = top + len(rows)
    sheet.write_string(total_row + 1, 0, _("A blank rate means nothing was counted (n/a)."))
    sheet.freeze_panes(top + 1, 0)
    _print_setup(sheet, top + 1)
    sheet.fit_to_pages(1, 1)  # the table and its chart on one page
    if not plans:
        return
    chart = book.add_chart({"type": "bar"})
    first_row, last_row = top + 1, top + len(plans)
    chart.add_series({
        "name": _("completion rate"),
        "categories": [sheet.name, first_row, 0, last_row, 0],
        "values": [sheet.name, first_row, 7, last_row, 7],
        "fill": {"color": "#1F4E79"},
        "data_labels": {"value": True, "num_format": RATE_FORMAT},
        "gap": 60,
    })
    chart.set_title({"name": _("Completion rate per plan, as of {day}").format(
        day=day(report.as_of)), "name_font": {"size": 12}})
    # In a bar chart the x axis is the horizontal value axis, the y axis the plans.
    chart.set_x_axis({"min": 0, "max": 1, "num_format": "0%", "major_unit": 0.25})
    chart.set_y_axis({"reverse": True})
    chart.set_legend({"none": True})
    chart.set_size({"width": 640, "height": min(110 + 34 * len(plans), 520)})
    sheet.insert_chart(total_row + 3, 0, chart)


def item_values(item: Item) -> list[Any]:
    """An item's cells on the Items sheet, in the order of ``COLUMNS``: a day as a date,
    a period in words, the status in the language in force."""
    lang = current()
    due = _date(item.due) or period_text(item.due, lang) or None
    original = _date(item.due_original) or period_text(item.due_original, lang) or None
    return [item.plan, item.ref, item.title, status_text(item.status), item.reason,
            item.owners, item.area, due, item.weight, item.evidence, _date(item.updated),
            original, len(item.moves)]


def _items(book: Any, fmt: dict[str, Any], items: Iterable[Item]) -> None:
    """Every item, written row by row: a first pass over the items measures the columns,
    the second writes each row with its height (the constant-memory writer never holds
    the sheet, and neither does this: no item's values are kept between the passes)."""
    sheet = book.add_worksheet(_("Items"))
    names = [field_label(c) for c in ITEM_SHEET_COLUMNS]
    measured = Widths(ITEM_SHEET_COLUMNS, names)
    for item in items:
        measured.add(_lengths(item_values(item)))
    widths = measured.widths
    for col, (key, width) in enumerate(zip(ITEM_SHEET_COLUMNS, widths, strict=True)):
        sheet.set_column(col, col, width, fmt["wrap"] if key in WRAPPED else fmt["top"])
    _header(sheet, 0, ITEM_SHEET_COLUMNS, fmt["head"])
    styles = [fmt["wrap"] if key in WRAPPED else fmt["top"] for key in ITEM_SHEET_COLUMNS]
    dated = {ITEM_SHEET_COLUMNS.index(c) for c in ("due", "updated", "due_original")}
    count = 0
    for n, item in enumerate(items, start=1):
        values = item_values(item)
        sheet.set_row(n, row_height(ITEM_SHEET_COLUMNS, values, widths))
        for col, value in enumerate(values):
            _write(sheet, n, col, value, fmt["date"] if col in dated and isinstance(
                value, date) else styles[col])
        count = n
    _layout(sheet, len(ITEM_SHEET_COLUMNS), count)


def _unfulfilled(book: Any, fmt: dict[str, Any], report: Report) -> None:
    sheet = book.add_worksheet(_("Unfulfilled"))
    names = [field_label(c) for c in UNFULFILLED_COLUMNS]
    rows = [[entry.plan, u["ref"], u["title"], status_text(u["status"]), u["reason"]]
            for entry in report.plans for u in entry.unfulfilled]
    widths = widths_for(UNFULFILLED_COLUMNS, rows, names)
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    _header(sheet, 0, UNFULFILLED_COLUMNS, fmt["head"])
    for n, values in enumerate(rows, start=1):
        sheet.set_row(n, row_height(UNFULFILLED_COLUMNS, values, widths))
        for col, (key, value) in enumerate(zip(UNFULFILLED_COLUMNS, values, strict=True)):
            _write(sheet, n, col, value, fmt["wrap"] if key in ("title", "reason") else
                   fmt["top"])
    _layout(sheet, len(UNFULFILLED_COLUMNS), len(rows))


def _layout(sheet: Any, columns: int, count: int) -> None:
    """Frozen header, an autofilter over the rows, and printing set up."""
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(count, 1), columns - 1)
    _print_setup(sheet, 1)


class XlsxRenderer(Renderer):
    """``export --format xlsx`` and ``trend --format xlsx``: a workbook (it needs -o
    FILE)."""

    binary = True

    def export(self, items: Iterable[Item], report: Report | None = None) -> bytes:
        assert report is not None, "the workbook's Summary needs the report"
        return workbook_bytes(report, items)

    def trend(self, trend: Trend) -> bytes:
        return trend_bytes(trend)

    def discipline(self, discipline: Discipline) -> bytes:
        return discipline_bytes(discipline)


RENDERER = XlsxRenderer
