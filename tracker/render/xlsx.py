"""XLSX output: the export as an Excel workbook — Summary (with a native bar chart), Items,
Unfulfilled.

``workbook_bytes`` builds the file in memory from a report document and the items, so the
CLI writes it atomically like every other file. Every text is written as a string: no
cell ever becomes a formula or a link, whatever it starts with. XlsxWriter is imported
only here, when a workbook is made.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from tracker.periods import period_text
from tracker.render import Renderer
from tracker.render.common import rule_line
from tracker.reports import tally_json
from tracker.tabular import COLUMNS

if TYPE_CHECKING:
    from tracker.domain import Item
    from tracker.reports import Report

DATE_FORMAT = "yyyy-mm-dd"
RATE_FORMAT = "0.0%"
# Column widths in characters, for the Items and Unfulfilled sheets.
WIDTHS = {"plan": 14, "ref": 8, "id": 18, "title": 60, "status": 14, "reason": 60,
          "owners": 24, "area": 20, "due": 12, "weight": 8, "evidence": 36, "updated": 12}
SUMMARY_COLUMNS = ("plan", "title", "total", "counted", "fulfilled", "counted_weight",
                   "credit", "rate")
UNFULFILLED_COLUMNS = ("plan", "ref", "title", "status", "reason")


def _date(text: str | None) -> date | None:
    """A day as a real Excel date; anything else (a period's text) is None."""
    try:
        return date.fromisoformat(text) if text and len(text) == 10 else None
    except ValueError:
        return None


def workbook_bytes(report: Report, items: Sequence[Item]) -> bytes:
    """The .xlsx file for a report (``build_report``) and the items it counts."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {
        "in_memory": True,
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
    })
    fmt = {
        "head": book.add_format({"bold": True, "bottom": 1, "bg_color": "#DCE6F1"}),
        "title": book.add_format({"bold": True, "font_size": 14}),
        "date": book.add_format({"num_format": DATE_FORMAT, "align": "left"}),
        "rate": book.add_format({"num_format": RATE_FORMAT}),
        "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
        "total": book.add_format({"bold": True, "top": 1}),
        "total_rate": book.add_format({"bold": True, "top": 1, "num_format": RATE_FORMAT}),
    }
    _summary(book, fmt, report)
    _items(book, fmt, items)
    _unfulfilled(book, fmt, report)
    book.close()
    return buffer.getvalue()


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


def _header(sheet: Any, row: int, columns: Sequence[str], style: Any) -> None:
    for col, name in enumerate(columns):
        sheet.write_string(row, col, name, style)


def _summary(book: Any, fmt: dict[str, Any], report: Report) -> None:
    sheet = book.add_worksheet("Summary")
    sheet.write_string(0, 0, "Completion rate per plan", fmt["title"])
    sheet.write_string(1, 0, "as of")
    sheet.write_datetime(1, 1, date.fromisoformat(report.as_of), fmt["date"])
    sheet.write_string(2, 0, "rule")
    total = report.total
    sheet.write_string(2, 1, rule_line(total.rate, total.credit, total.counted_weight,
                                       report.rules))
    top = 4
    _header(sheet, top, SUMMARY_COLUMNS, fmt["head"])
    plans = report.plans
    for n, entry in enumerate(plans, start=top + 1):
        values = {"plan": entry.plan, "title": entry.title, **tally_json(entry.tally)}
        for col, key in enumerate(SUMMARY_COLUMNS):
            _write(sheet, n, col, values[key], fmt["rate"] if key == "rate" else None)
    total_row = top + 1 + len(plans)
    totals = {"plan": "total", "title": "", **tally_json(total)}
    for col, key in enumerate(SUMMARY_COLUMNS):
        _write(sheet, total_row, col, totals[key],
               fmt["total_rate"] if key == "rate" else fmt["total"])
    sheet.write_string(total_row + 1, 0, "A blank rate means nothing was counted (n/a).")
    sheet.set_column(0, 0, 14)
    sheet.set_column(1, 1, 48)
    sheet.set_column(2, 6, 11)
    sheet.set_column(7, 7, 9)
    sheet.freeze_panes(top + 1, 0)
    if not plans:
        return
    chart = book.add_chart({"type": "bar"})
    first, last = top + 1, top + len(plans)
    chart.add_series({
        "name": "completion rate",
        "categories": ["Summary", first, 0, last, 0],
        "values": ["Summary", first, 7, last, 7],
        "fill": {"color": "#1F4E79"},
        "data_labels": {"value": True, "num_format": RATE_FORMAT},
        "gap": 60,
    })
    chart.set_title({"name": f"Completion rate per plan, as of {report.as_of}",
                     "name_font": {"size": 12}})
    # In a bar chart the x axis is the horizontal value axis, the y axis the plans.
    chart.set_x_axis({"min": 0, "max": 1, "num_format": "0%", "major_unit": 0.25})
    chart.set_y_axis({"reverse": True})
    chart.set_legend({"none": True})
    chart.set_size({"width": 640, "height": 110 + 34 * len(plans)})
    sheet.insert_chart(total_row + 3, 0, chart)


def _items(book: Any, fmt: dict[str, Any], items: Sequence[Item]) -> None:
    sheet = book.add_worksheet("Items")
    _header(sheet, 0, COLUMNS, fmt["head"])
    for n, item in enumerate(items, start=1):
        values: dict[str, Any] = {
            "plan": item.plan, "ref": item.ref, "title": item.title, "status": item.status,
            "reason": item.reason, "owners": item.owners, "area": item.area,
            "due": _date(item.due) or period_text(item.due) or None, "weight": item.weight,
            "evidence": item.evidence,
            "updated": _date(item.updated),
        }
        for col, key in enumerate(COLUMNS):
            _write(sheet, n, col, values[key],
                   fmt["date"] if key in ("due", "updated") else None)
    _layout(sheet, COLUMNS, len(items))


def _unfulfilled(book: Any, fmt: dict[str, Any], report: Report) -> None:
    sheet = book.add_worksheet("Unfulfilled")
    _header(sheet, 0, UNFULFILLED_COLUMNS, fmt["head"])
    rows = [{"plan": entry.plan, **u} for entry in report.plans for u in entry.unfulfilled]
    for n, row in enumerate(rows, start=1):
        for col, key in enumerate(UNFULFILLED_COLUMNS):
            _write(sheet, n, col, row[key],
                   fmt["wrap"] if key in ("title", "reason") else None)
    _layout(sheet, UNFULFILLED_COLUMNS, len(rows))


def _layout(sheet: Any, columns: Sequence[str], count: int) -> None:
    """Frozen header, an autofilter over the rows, and the column widths."""
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(count, 1), len(columns) - 1)
    for col, key in enumerate(columns):
        sheet.set_column(col, col, WIDTHS.get(key, 12))


class XlsxRenderer(Renderer):
    """``export --format xlsx``: the workbook (it needs -o FILE)."""

    binary = True

    def export(self, items: Iterable[Item], report: Report | None = None) -> bytes:
        assert report is not None, "the workbook's Summary needs the report"
        return workbook_bytes(report, list(items))


RENDERER = XlsxRenderer
