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

from tracker.domain import JSON_KEYS
from tracker.render import Renderer
from tracker.render.common import LOG_COLUMNS, cell, history_rows
from tracker.reports import tally_json
from tracker.tabular import COLUMNS, FORMULA_FIRST, export_cells, neutralise

if TYPE_CHECKING:
    from tracker.domain import Item
    from tracker.reports import Report

BOM = "\ufeff"


def csv_text(rows: Sequence[dict[str, Any]], columns: Sequence[str], delimiter: str = ",",
             line_end: str = "\n") -> str:
    """Rows as CSV, every cell made safe for spreadsheets (no cell runs as a formula,
    whichever command printed it)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=line_end)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([neutralise(cell(row.get(c))) for c in columns])
    return buffer.getvalue()


def export_csv(items: Iterable[Item], *, delimiter: str = ",", for_file: bool = False) -> str:
    """Items as CSV text; for a file, a BOM and CRLF line ends so Excel opens it cleanly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter,
                        lineterminator="\r\n" if for_file else "\n")
    writer.writerow(COLUMNS)
    first = FORMULA_FIRST
    writer.writerows(
        [text if not text or text[0] not in first else neutralise(text)
         for text in export_cells(item)]
        for item in items
    )
    return (BOM if for_file else "") + buffer.getvalue()


class CsvRenderer(Renderer):
    """``--format csv``."""

    machine = True

    def items(self, items: list[Item]) -> str:
        return csv_text([i.to_json() for i in items], JSON_KEYS)

    def plans(self, rows: list[dict[str, Any]]) -> str:
        return csv_text(rows, ["id", "title", "items", "fulfilled", "rate"])

    def record(self, record: dict[str, Any], history: list[dict[str, Any]] | None = None) -> str:
        """One row (its history is in ``--format json`` and ``log``)."""
        return csv_text([record], list(record))

    def events(self, events: list[dict[str, Any]]) -> str:
        return csv_text(history_rows(events), LOG_COLUMNS)

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
        return csv_text(lines, columns)


RENDERER = CsvRenderer
