"""Output formats: one module per format, each rendering every document it supports.

The documents are the report (``reports.Report``), the trend (``progress.Trend``), a list
of items, the plans' summary, one
record (an item with its history, a plan, the database's info), the journal's events, and
an export of items. ``renderer(fmt)`` is the one place a format is chosen: it imports the
format's module only then, so ``--format json`` never loads tabulate and a report never
loads XlsxWriter. A new format is a module here and one line in ``MODULES``.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tracker.domain import Item
    from tracker.progress import Trend
    from tracker.reports import Discipline, Report

# format → the module of this package that renders it
MODULES = {
    "table": "text",
    "plain": "text",
    "grid": "text",
    "markdown": "markdown",
    "json": "json",
    "csv": "csv",
    "html": "html",
    "xlsx": "xlsx",
    "docx": "docx",
    "pdf": "pdf",
}
# What ``--format`` offers where a command prints rows.
ROW_FORMATS = ("table", "plain", "grid", "markdown", "json", "csv")


class Renderer:
    """A format's renderings of the documents; each method returns text (or bytes for a
    binary format). A format that cannot render a document is not offered for it."""

    machine = False  # JSON and CSV: an empty result still prints ([] or a header)
    binary = False  # the output is bytes (a workbook, a document)

    def __init__(self, fmt: str, *, width: int | None = None, unicode: bool = True,
                 for_file: bool = False, delimiter: str = ",", version: str = "",
                 today: str | None = None) -> None:
        self.fmt = fmt
        self.width = width  # the terminal's width; None: no wrapping
        self.unicode = unicode  # bars in block characters, or in '#'
        self.for_file = for_file  # written with -o (CSV: a BOM and CRLF for Excel)
        self.delimiter = delimiter
        self.version = version
        self.today = today  # ISO: the day an open item's delay is counted to

    def _cannot(self, what: str) -> Any:
        raise NotImplementedError(f"--format {self.fmt} does not render {what}")

    def report(self, report: Report) -> str | bytes:
        return self._cannot("a report")

    def items(self, items: list[Item]) -> str:
        return self._cannot("items")

    def plans(self, rows: list[dict[str, Any]]) -> str:
        return self._cannot("plans")

    def record(self, record: dict[str, Any], history: list[dict[str, Any]] | None = None,
               kind: str = "item") -> str:
        """An item (with its history), a plan (*kind* ``plan``) or the database's info."""
        return self._cannot("a record")

    def events(self, events: list[dict[str, Any]]) -> str:
        return self._cannot("events")

    def export(self, items: Iterable[Item], report: Report | None = None) -> str | bytes:
        """Items as ``tracker export`` writes them (the workbook also needs the report)."""
        return self._cannot("an export")

    def discipline(self, discipline: Discipline) -> str | bytes:
        """The executive-discipline report: a row per executor, the total, the formula."""
        return self._cannot("a discipline report")

    def trend(self, trend: Trend) -> str | bytes:
        """A row per period, and a chart where the format can draw one."""
        return self._cannot("a trend")


def renderer(fmt: str, **context: Any) -> Renderer:
    """The renderer of *fmt*, with the context of this output (width, unicode, …)."""
    module = importlib.import_module(f"tracker.render.{MODULES[fmt]}")
    made: Renderer = module.RENDERER(fmt, **context)
    return made
