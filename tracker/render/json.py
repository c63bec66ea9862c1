"""JSON output: the scripting interface, stable and the same in every language.

Reports are ``Report.to_json()``; items carry the keys of ``Item.to_json()``; records and
events are written as they are. Indented, keys in their documented order, non-ASCII kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from tracker.jsonio import pretty
from tracker.render import Renderer

if TYPE_CHECKING:
    from tracker.domain import Item
    from tracker.progress import Trend
    from tracker.reports import Discipline, Report


class JsonRenderer(Renderer):
    """``--format json``."""

    machine = True

    def report(self, report: Report) -> str:
        return pretty(report.to_json())

    def items(self, items: list[Item]) -> str:
        return pretty([i.to_json(self.today) for i in items])

    def plans(self, rows: list[dict[str, Any]]) -> str:
        return pretty(rows)

    def record(self, record: dict[str, Any], history: list[dict[str, Any]] | None = None,
               kind: str = "item") -> str:
        return pretty(record if history is None else {**record, "history": history})

    def events(self, events: list[dict[str, Any]]) -> str:
        return pretty(events)

    def export(self, items: Iterable[Item], report: Report | None = None) -> str:
        """The items as ``--format json`` lists them, built item by item (each plan's
        items can be let go once written): the same text as ``pretty`` of the list."""
        chunks = [_indented(pretty(i.to_json(self.today))) for i in items]
        if not chunks:
            return "[]\n"
        return "[\n" + ",\n".join(chunks) + "\n]\n"

    def discipline(self, discipline: Discipline) -> str:
        return pretty(discipline.to_json())

    def trend(self, trend: Trend) -> str:
        return pretty(trend.to_json())


def _indented(text: str) -> str:
    """One item's pretty JSON as an element of a pretty list: two more spaces a line."""
    return "  " + text.rstrip("\n").replace("\n", "\n  ")


RENDERER = JsonRenderer
