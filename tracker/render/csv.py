"""CSV output: rows for a spreadsheet, every cell safe from being run as a formula.

``export`` writes the export columns (``tabular.COLUMNS``), streamed one plan at a time;
for a file (``-o``) with a BOM and CRLF line ends, so Excel opens it cleanly. Reports give
their numbers: a row per plan (or per plan and group with ``--by``) and the total.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from tracker.domain import JSON_KEYS, status_text
from tracker.i18n import current, day, number
from tracker.periods import period_text
from tracker.render import Renderer
from tracker.render.common import LOG_COLUMNS, cell, field_label, history_rows, shown_value
from tracker.reports import tally_json
from tracker.tabular import COLUMNS, FORMULA_FIRST, export_cells, neutralise

if TYPE_CHECKING:
    from tracker.domain import Item
    from tracker.progress import Trend
    from tracker.reports import Discipline, Report

BOM = "\ufeff"


def csv_text(rows: Sequence[dict[str, Any]], columns: Sequence[str], delimiter: str = ",",
             line_end: str = "\n") -> str:
    """Rows as CSV, every cell made safe for spreadsheets (no cell runs as a formula,
    whichever command printed it). In Russian the headers, statuses, dates and decimal
    commas are Russian, as a Russian-locale Excel expects."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=line_end)
    russian = current() == "ru"
    writer.writerow([field_label(c) for c in columns] if russian else columns)
    for row in rows:
        writer.writerow([neutralise(csv_value(c, row.get(c)) if russian else cell(row.get(c)))
                         for c in columns])
    return buffer.getvalue()


def csv_value(field: str, value: Any) -> str:
    """A cell of a Russian CSV: statuses and deadlines in Russian, days DD.MM.YYYY, every
    number with a decimal comma (a rate as its fraction, so a spreadsheet can compute)."""
    if field == "due":
        return due_cell(value)
    if isinstance(value, float) and not value.is_integer():
        return repr(value).replace(".", ",")
    if isinstance(value, float | int) and not isinstance(value, bool):
        return number(value)
    return shown_value(field, value)


def export_csv(items: Iterable[Item], *, delimiter: str = ",", for_file: bool = False) -> str:
    """Items as CSV text; for a file, a BOM and CRLF line ends so Excel opens it cleanly.

    In Russian: Russian headers and statuses, dates DD.MM.YYYY, deadlines in words
    («IV квартал 2023 г.»), decimal commas; ``tracker import`` reads both languages back.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter,
                        lineterminator="\r\n" if for_file else "\n")
    first = FORMULA_FIRST
    if current() == "ru":
        writer.writerow([field_label(c) for c in COLUMNS])
        rows: Iterable[tuple[str, ...]] = (_russian_cells(item) for item in items)
    else:
        writer.writerow(COLUMNS)
        rows = (export_cells(item) for item in items)
    writer.writerows(
        [text if not text or text[0] not in first else neutralise(text) for text in cells]
        for cells in rows
    )
    return (BOM if for_file else "") + buffer.getvalue()


def _russian_cells(item: Item) -> tuple[str, ...]:
    plan, ref, title, status, reason, owners, area, due, weight, evidence, updated = \
        export_cells(item)
    return (plan, ref, title, status_text(status), reason, owners, area, due_cell(item.due),
            weight.replace(".", ","), evidence, day(updated))


def due_cell(due: str | None) -> str:
    """A deadline in a Russian CSV: a day as 23.11.2023, a period in words."""
    if not due:
        return ""
    return day(due) if len(due) == 10 and due[7] == "-" else period_text(due, "ru")


class CsvRenderer(Renderer):
    """``--format csv``."""

    machine = True

    def items(self, items: list[Item]) -> str:
        return csv_text([i.to_json(self.today) for i in items], JSON_KEYS, self.delimiter)

    def plans(self, rows: list[dict[str, Any]]) -> str:
        return csv_text(rows, ["id", "title", "items", "fulfilled", "rate"], self.delimiter)

    def record(self, record: dict[str, Any], history: list[dict[str, Any]] | None = None,
               kind: str = "item") -> str:
        """One row (its history is in ``--format json`` and ``log``)."""
        return csv_text([record], list(record), self.delimiter)

    def events(self, events: list[dict[str, Any]]) -> str:
        return csv_text(history_rows(events), LOG_COLUMNS, self.delimiter)

    def export(self, items: Iterable[Item], report: Report | None = None) -> str:
        return export_csv(items, delimiter=self.delimiter, for_file=self.for_file)

    def report(self, report: Report) -> str:
        """The report's numbers: a row per plan (or per plan and group) and a total."""
        by = report.by
        columns = ["plan", "title", "total", "counted", "fulfilled", "counted_weight",
                   "credit", "rate"]
        lines: list[dict[str, Any]] = []
        for entry in report.plans:
            if by:
                lines.extend({"plan": entry.plan, by: g["key"], **g} for g in entry.groups)
            else:
                lines.append({"plan": entry.plan, "title": entry.title,
                              **tally_json(entry.tally)})
        if by:
            columns = ["plan", by, "total", "counted", "fulfilled", "rate"]
        else:
            lines.append({"plan": "total", "title": "", **tally_json(report.total)})
            if any(e.changes is not None for e in report.plans):  # --since: the rate then
                columns.append("rate_then")
                for line, entry in zip(lines, report.plans, strict=False):
                    line["rate_then"] = entry.changes.then.rate if entry.changes else None
        return csv_text(lines, columns, self.delimiter)

    def discipline(self, discipline: Discipline) -> str:
        """A row per executor (or area), then the total: every count the JSON gives."""
        by = discipline.by
        columns = [by, "due", "on_time", "late", "overdue", "not_fulfilled", "not_yet_due",
                   "average_delay", "longest_delay", "moved", "late_original", "rate"]
        lines = [{by: row["key"], **row} for row in discipline.rows]
        lines.append({**discipline.total, by: "total"})
        return csv_text(lines, columns, self.delimiter)

    def trend(self, trend: Trend) -> str:
        """A row per plan and period; for several plans, then the total's rows."""
        columns = ["plan", "period", "start", "end", "total", "fulfilled", "partial",
                   "not_fulfilled", "withdrawn", "open", "rate"]
        lines = [{"plan": p.plan, **row} for p in trend.plans for row in p.rows]
        if len(trend.plans) > 1:
            lines.extend({"plan": "total", **row} for row in trend.total)
        return csv_text(lines, columns, self.delimiter)


RENDERER = CsvRenderer
