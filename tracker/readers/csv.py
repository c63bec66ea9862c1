"""CSV import: the columns of ``tracker export`` read back, every row checked before
anything is written, each bad row reported as ``FILE:LINE: column: problem``."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from tracker.domain import (
    check_ref,
    check_title,
    parse_date,
    parse_status,
    parse_weight,
    split_owners,
)
from tracker.errors import BadRows, StoreError, TrackerError
from tracker.readers import Row
from tracker.tabular import COLUMNS, restore

IGNORED = frozenset({"plan", "updated"})
BOM = "\ufeff"


def read_rows(
    text: str, name: str, today: date, delimiter: str | None = None
) -> list[Row]:
    """Parse and validate every row; raise BadRows listing each problem, one per line."""
    if text.startswith(BOM):
        text = text[1:]
    if not text.strip():
        raise TrackerError(f"{name}: the file is empty; expected a header row with 'title'")
    if delimiter is None:
        delimiter = _sniff(text.split("\n", 1)[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    problems: list[str] = []
    try:
        header = next(reader)
    except csv.Error as exc:
        raise BadRows([f"{name}:1: header: {exc}"], header=True) from None
    columns = [h.strip().lower() for h in header]
    for position, column in enumerate(columns):
        if column not in COLUMNS:
            problems.append(
                f"{name}:1: {column or '(blank)'}: unknown column; "
                f"the columns are {', '.join(COLUMNS)}"
            )
        elif column in columns[:position]:
            problems.append(f"{name}:1: {column}: the column appears twice")
    if "title" not in columns:
        problems.append(f"{name}:1: title: the required column is missing")
    if problems:
        raise BadRows(problems, header=True)

    rows: list[Row] = []
    seen_refs: dict[str, int] = {}
    line = 2
    try:
        for cells in reader:
            start = line
            line = reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(columns):
                problems.append(
                    f"{name}:{start}: row: has {len(cells)} cells, the header has "
                    f"{len(columns)}"
                )
                continue
            row = _parse_row(dict(zip(columns, cells, strict=True)), start, name, today,
                             problems)
            if row is None:
                continue
            if row.ref is not None:
                if row.ref in seen_refs:
                    problems.append(
                        f"{name}:{start}: ref: {row.ref!r} appears again (first on line "
                        f"{seen_refs[row.ref]})"
                    )
                    continue
                seen_refs[row.ref] = start
            rows.append(row)
    except csv.Error as exc:
        problems.append(f"{name}:{line}: row: {exc}")
    if problems:
        raise BadRows(problems, rows=len({p.split(": ", 1)[0] for p in problems}))
    return rows


def _sniff(header: str) -> str:
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


_PARSERS: dict[str, Callable[[str, date], Any]] = {
    "title": lambda v, _t: check_title(v),
    "status": lambda v, _t: parse_status(v) if v.strip() else "not-started",
    "ref": lambda v, _t: check_ref(v.strip()) if v.strip() else None,
    "due": lambda v, t: parse_date(v, t) if v.strip() else None,
    "weight": lambda v, _t: parse_weight(v) if v.strip() else 1,
    "owners": lambda v, _t: split_owners(v),
}


def _parse_row(
    cells: dict[str, str], line: int, name: str, today: date, problems: list[str]
) -> Row | None:
    values: dict[str, Any] = {}
    ok = True
    for column, raw in cells.items():
        if column in IGNORED:
            continue
        if "\x00" in raw:  # no store keeps it (PostgreSQL refuses it) and no reader shows it
            problems.append(f"{name}:{line}: {column}: it holds a NUL character")
            ok = False
            continue
        text = restore(raw)
        parser = _PARSERS.get(column)
        try:
            values[column] = parser(text, today) if parser else text
        except TrackerError as exc:
            problems.append(f"{name}:{line}: {column}: {exc.message}")
            ok = False
    if not ok:
        return None
    return Row(line=line, ref=values.pop("ref", None), values=values)


CYRILLIC = re.compile("[\u0400-\u04ff]")
MIXED = re.compile("[A-Za-z][\u0400-\u04ff]|[\u0400-\u04ff][A-Za-z]")


def decode(data: bytes, name: str, warn: Callable[[str], None] | None = None) -> str:
    """The file's text: UTF-8 (a BOM allowed), or Windows-1251 when it is not UTF-8 but
    reads as Cyrillic text in it — what a Russian Excel's "CSV" saves. Anything else is
    refused with the line of the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        error = StoreError(f"{name}:{line}: the file is not UTF-8 text; save it as "
                           "\"CSV UTF-8\" and import it again")
    try:
        text = data.decode("cp1251")
    except UnicodeDecodeError:
        raise error from None
    high = sum(1 for byte in data if byte >= 0x80)
    # Russian text is Cyrillic words; Latin-1 accents read in cp1251 become Cyrillic letters
    # inside Latin words ("café" → "cafй"): that is not Windows-1251.
    if not high or len(CYRILLIC.findall(text)) < 0.8 * high or MIXED.search(text):
        raise error from None
    if warn is not None:
        warn(f"note: {name} is not UTF-8; it was read as Windows-1251 (Cyrillic), the "
             "encoding of a Russian Excel's CSV")
    return text
