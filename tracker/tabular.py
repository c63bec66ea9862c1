"""What every tabular format shares, in and out: the export columns, an item's cells, and
the rule that keeps a spreadsheet from running a cell as a formula (and its inverse)."""

from __future__ import annotations

import re
from typing import Any

from tracker.domain import Item

COLUMNS = ("plan", "ref", "title", "status", "reason", "owners", "area", "due", "weight",
           "evidence", "updated")

# A cell a spreadsheet would run as a formula, possibly behind quotes we added before.
_FORMULA = re.compile(r"'*[=+\-@\t\r]")
FORMULA_FIRST = frozenset("'=+-@\t\r")


def neutralise(text: str) -> str:
    """Prefix ``'`` to a cell that a spreadsheet would take for a formula.

    Cells that already start with quotes before such a character get one more, so that
    ``restore`` is its exact inverse and a round trip never changes a title.
    """
    if not text or text[0] not in FORMULA_FIRST:  # the common case, without the regex
        return text
    return "'" + text if _FORMULA.match(text) else text


def restore(text: str) -> str:
    """Drop the one ``'`` that ``neutralise`` added."""
    return text[1:] if text.startswith("'") and _FORMULA.match(text, 1) else text


def export_cells(item: Item) -> tuple[str, ...]:
    """The item's export cells, in the order of ``COLUMNS``, before neutralising."""
    weight = item["weight"]
    return (
        item["plan"], item["ref"], item["title"], item["status"], item["reason"],
        "; ".join(item["owners"]), item["area"], item["due"] or "",
        str(weight) if type(weight) is int else repr(weight),
        item["evidence"], item["updated"],
    )


def export_row(item: Item) -> dict[str, Any]:
    return dict(zip(COLUMNS, export_cells(item), strict=True))
