"""Import readers: one module per file format, each turning a file into validated ``Row``s.

``readers.csv`` reads CSV. A reader checks every row before anything is written and
reports each bad one as ``FILE:LINE: column: problem``; ``service.Tracker.import_rows``
then applies the rows as one step.
"""

from __future__ import annotations

from typing import Any


class Row:
    """One valid row of an import file, as values ready for the domain."""

    __slots__ = ("line", "ref", "values")

    def __init__(self, line: int, ref: str | None, values: dict[str, Any]) -> None:
        self.line = line
        self.ref = ref
        self.values = values

    def __repr__(self) -> str:
        return f"Row(line={self.line!r}, ref={self.ref!r}, values={self.values!r})"
