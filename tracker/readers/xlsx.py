"""XLSX import: a plan or a progress sheet kept in Excel.

The first sheet (or ``--sheet``); the header is the first row, among the first 30, that
names a title column (a title and notes above the table are left alone); a row whose one
value is merged across the table is a section heading (``area``); a value merged down
several rows belongs to each. Cells are read as the person sees them: real Excel dates
and text dates alike, numbers that are refs as shown (``2.1``, ``1.10`` when the cell
shows two decimals). openpyxl reads the workbook in read-only mode, after the archive
checks of ``readers.archive``, and is imported only here.
"""

from __future__ import annotations

import io
import re
import warnings
import xml.etree.ElementTree as ElementTree
import zipfile
from typing import Any

from tracker.errors import BadRows, TrackerError
from tracker.i18n import _
from tracker.readers import Options, Row, RowChecker, field_of, header_key, map_headers
from tracker.readers.archive import open_checked
from tracker.tabular import COLUMNS

HEADER_SEARCH = 30  # rows searched for the header
_CELL = re.compile(r"([A-Z]+)([0-9]+)\Z")
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*\bref="([A-Z]+[0-9]+):([A-Z]+[0-9]+)"')
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def read_rows(data: bytes, name: str, options: Options) -> list[Row]:
    archive = open_checked(data, name, "xlsx")
    import openpyxl

    try:
        with warnings.catch_warnings():  # openpyxl warns of what it skips (data validation…)
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True,
                                          keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise TrackerError(_("{name} is damaged: Excel's parts in it cannot be read ({error}); "
                             "nothing was imported")
                           .format(name=name, error=type(exc).__name__)) from None
    try:
        sheets = _sheets(book, name, options.sheet)
        chosen: tuple[str, list[tuple[list[Any], list[str]]]] | None = None
        for sheet in sheets:  # the first whose header names every column, else the first
            grid = _read(sheet)
            if chosen is None:
                chosen = (sheet.title, grid)
            at = _header_row(grid, options)
            if at is not None and not map_headers(_header(grid[at]), options, "")[1]:
                chosen = (sheet.title, grid)
                break
        assert chosen is not None, "a workbook has at least one sheet"
        title, grid = chosen
        merges = _merged_cells(archive, title)
    finally:
        book.close()
        archive.close()
    return _rows(grid, merges, f"{name}:{title}", options)


def _read(sheet: Any) -> list[tuple[list[Any], list[str]]]:
    sheet.reset_dimensions()  # trust the cells, not the size the file states
    return [([c.value for c in row], [getattr(c, "number_format", "General") or "General"
                                       for c in row]) for row in sheet.iter_rows()]


def _sheets(book: Any, name: str, wanted: str | None) -> list[Any]:
    """The sheet named by --sheet; without it, every sheet, in order, to look for the
    table in (a workbook exported by tracker has its Summary before its Items)."""
    if wanted is None:
        return list(book.worksheets)
    for sheet in book.worksheets:
        if sheet.title == wanted or sheet.title.casefold() == wanted.casefold():
            return [sheet]
    raise TrackerError(f"{name} has no sheet {wanted!r}; its sheets are "
                       + ", ".join(repr(s.title) for s in book.worksheets))


def _header(row: tuple[list[Any], list[str]]) -> list[str]:
    headers = [_text(v) for v in row[0]]
    while headers and not headers[-1]:
        headers.pop()
    return headers


def _rows(grid: list[tuple[list[Any], list[str]]], merges: dict[tuple[int, int], tuple[int, int]],
          where: str, options: Options) -> list[Row]:
    spans = _spans(merges)

    def value(r: int, c: int) -> Any:
        """A merged value belongs to each row it spans, in its own column only."""
        top = merges.get((r, c), (r, c))
        if top[1] != c:
            return None
        cells = grid[top[0]][0] if top[0] < len(grid) else []
        return cells[c] if c < len(cells) else None

    header_at = _header_row(grid, options)
    if header_at is None:  # the first row with anything in it: its problems say what to fix
        header_at = next((r for r, (cells, _f) in enumerate(grid[:HEADER_SEARCH])
                          if any(_text(c) for c in cells)), None)
    if header_at is None:
        raise TrackerError(_("{where}: the sheet is empty among its first {rows} "
                             "rows; choose the sheet that holds the plan with --sheet")
                           .format(where=where, rows=HEADER_SEARCH))
    headers = _header(grid[header_at])
    fields, problems = map_headers(headers, options, f"{where}!{header_at + 1}")
    if problems:
        raise BadRows(problems, header=True)
    own_export = [f for f in fields if f] == list(COLUMNS)
    checker = RowChecker(fields, headers, options, blank_keeps=not own_export,
                         commas=not own_export)
    section: str | None = None
    width = len(headers)
    for r in range(header_at + 1, len(grid)):
        cells = [value(r, c) for c in range(width)]
        filled = [c for c in range(width) if _text(cells[c])]
        if not filled:
            continue
        if r == header_at + 1 and _column_numbers([_text(cells[c]) for c in filled]):
            continue  # the row of column numbers (1, 2, 3…) under a plan's header
        heading = _heading(r, filled, cells, fields, spans, merges)
        if heading is not None:
            section = heading
            continue
        checker.add(f"{where}!{r + 1}", cells, r + 1, grid[r][1], section)
    return checker.finish()


def _header_row(grid: list[tuple[list[Any], list[str]]], options: Options) -> int | None:
    for r, (cells, _formats) in enumerate(grid[:HEADER_SEARCH]):
        for cell in cells:
            key = _text(cell)
            if key and (options.maps.get(header_key(key)) == "title"
                        or field_of(key) == "title"):
                return r
    return None


def _heading(r: int, filled: list[int], cells: list[Any], fields: list[str | None],
             spans: dict[tuple[int, int], int], merges: dict[tuple[int, int], tuple[int, int]]
             ) -> str | None:
    """The text of a section heading row, or None: one value merged across two or more
    columns, or alone in a row without a title («II. Миротворческая деятельность»)."""
    tops = {merges.get((r, c), (r, c)) for c in filled}
    if len(tops) != 1:
        return None
    text = _text(cells[filled[0]])
    top = next(iter(tops))
    title_column = fields.index("title")
    if spans.get(top, 1) >= 2 or (title_column not in filled and " " in text):
        return text
    return None


def _column_numbers(texts: list[str]) -> bool:
    return len(texts) >= 2 and texts == [str(n) for n in range(1, len(texts) + 1)]


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _spans(merges: dict[tuple[int, int], tuple[int, int]]) -> dict[tuple[int, int], int]:
    """How many columns each merged range spans, by its top-left cell."""
    spans: dict[tuple[int, int], int] = {}
    for (r, _c), top in merges.items():
        if r == top[0]:
            spans[top] = spans.get(top, 0) + 1
    return spans


def _merged_cells(archive: zipfile.ZipFile, title: str) -> dict[tuple[int, int], tuple[int, int]]:
    """Every cell of a merged range of the sheet, by (row, column) from 0, mapped to its
    range's top-left cell. Read from the sheet's XML: openpyxl's read-only mode has none."""
    part = _sheet_part(archive, title)
    if part is None:
        return {}
    with archive.open(part) as handle:
        raw = handle.read()
    cells: dict[tuple[int, int], tuple[int, int]] = {}
    for first, last in _MERGE.findall(raw):
        (r1, c1), (r2, c2) = _address(first.decode()), _address(last.decode())
        if (r2 - r1 + 1) * (c2 - c1 + 1) > 1_000_000:
            continue  # a merge over a whole sheet holds no data worth spreading
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                cells[(r, c)] = (r1, c1)
    return cells


def _address(ref: str) -> tuple[int, int]:
    found = _CELL.match(ref)
    assert found is not None
    letters, digits = found.groups()
    column = 0
    for letter in letters:
        column = column * 26 + ord(letter) - 64
    return int(digits) - 1, column - 1


def _sheet_part(archive: zipfile.ZipFile, title: str) -> str | None:
    """The zip path of the sheet called *title* (workbook.xml and its relationships)."""
    try:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return None
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{PKG_REL}Relationship")}
    for sheet in book.iter(f"{MAIN}sheet"):
        if sheet.get("name") == title:
            target = targets.get(sheet.get(f"{REL}id"), "")
            path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            return path if path in archive.namelist() else None
    return None
