"""XLSX import: a plan or a progress sheet kept in Excel.

The first sheet (or ``--sheet``); the header is the first row, among the first 30, that
names a title column (a title and notes above the table are left alone); a row whose one
value is merged across the table is a section heading (``area``); a value merged down
several rows belongs to each. Cells are read as the person sees them: real Excel dates
and text dates alike, numbers that are refs as shown (``2.1``, ``1.10`` when the cell
shows two decimals). The cells come from ``readers.workbook``, which reads the sheet's
XML after the archive checks of ``readers.archive``.
"""

from __future__ import annotations

from typing import Any

from tracker.errors import BadRows, TrackerError
from tracker.i18n import _
from tracker.readers import Options, Row, RowChecker, field_of, header_key, map_headers
from tracker.readers.archive import open_checked
from tracker.readers.workbook import Cell, Damaged, Grid, Workbook
from tracker.tabular import COLUMNS

HEADER_SEARCH = 30  # rows searched for the header
Merges = dict[tuple[int, int], tuple[int, int]]


def read_rows(data: bytes, name: str, options: Options) -> list[Row]:
    archive = open_checked(data, name, "xlsx")
    try:
        book = Workbook(archive, name)
        titles = _sheets(book, name, options.sheet)
        title = titles[0]
        for candidate in titles if len(titles) > 1 else ():
            # the first sheet whose header names every column, else the first
            head = book.head(candidate, HEADER_SEARCH)
            at = _header_row(head, options)
            # (its merges come last in the sheet: a blank header may be a merged one's)
            if at is not None and not map_headers([h or None for h in _header(head[at])],
                                                  options, "")[1]:
                title = candidate
                break
        grid, merges = book.read(title)
    except Damaged as exc:
        raise TrackerError(_("{name} is damaged: Excel's parts in it cannot be read ({error}); "
                             "nothing was imported")
                           .format(name=name, error=exc)) from None
    finally:
        archive.close()
    return _rows(grid, merges, f"{name}:{title}", options)


def _sheets(book: Workbook, name: str, wanted: str | None) -> list[str]:
    """The sheet named by --sheet; without it, every sheet, in order, to look for the
    table in (a workbook exported by tracker has its Summary before its Items)."""
    if wanted is None:
        return list(book.sheets)
    for title in book.sheets:
        if title == wanted or title.casefold() == wanted.casefold():
            return [title]
    raise TrackerError(f"{name} has no sheet {wanted!r}; its sheets are "
                       + ", ".join(repr(title) for title in book.sheets))


def _header(row: dict[int, Cell], r: int = -1, merges: Merges | None = None
            ) -> list[str | None]:
    """The header row's texts; None for a column that a header cell to its left is merged
    across («Срок исполнения» over «план» and «факт»): the field is read in the first."""
    merges = merges or {}
    headers: list[str | None] = [
        None if merges.get((r, c), (r, c)) != (r, c) else _text(row[c][0]) if c in row else ""
        for c in range(max(row, default=-1) + 1)]
    while headers and not headers[-1]:
        headers.pop()
    return headers


def _rows(grid: Grid, merges: Merges, where: str, options: Options) -> list[Row]:
    spans = _spans(merges)
    blank: Cell = (None, "General")

    def cell(r: int, c: int) -> Cell:
        """A merged value belongs to each row it spans, in its own column only."""
        top = merges.get((r, c), (r, c))
        if top[1] != c:
            return blank
        return grid.get(top[0], {}).get(c, blank)

    header_at = _header_row(grid, options)
    if header_at is None:  # the first row with anything in it: its problems say what to fix
        header_at = next((r for r in sorted(grid) if r < HEADER_SEARCH
                          and any(_text(v) for v, _f in grid[r].values())), None)
    if header_at is None:
        raise TrackerError(_("{where}: the sheet is empty among its first {rows} "
                             "rows; choose the sheet that holds the plan with --sheet")
                           .format(where=where, rows=HEADER_SEARCH))
    headers = _header(grid[header_at], header_at, merges)
    fields, problems = map_headers(headers, options, f"{where}!{header_at + 1}")
    if problems:
        raise BadRows(problems, header=True)
    named = [f for f in fields if f]
    # tracker's own Items sheet: the export's columns (then, since schema 4, the original
    # deadline and its moves)
    own_export = named in (list(COLUMNS), [*COLUMNS, "due_original", "due_moves"])
    checker = RowChecker(fields, [h or "" for h in headers], options,
                         blank_keeps=not own_export, commas=not own_export)
    section: str | None = None
    width = len(headers)
    below = {r for r in grid if r > header_at} | {r for r, _c in merges if r > header_at}
    first = header_at + 1  # the first row below the header, which may span two rows
    while any(merges.get((first, c), (first, c))[0] == header_at for c in range(width)):
        first += 1  # a row that a header cell is merged down into: the header's second row
    for r in sorted(below):  # the rows that hold a value, or a merged one from above
        if r < first:
            continue
        row = [cell(r, c) for c in range(width)]
        cells = [value for value, _format in row]
        filled = [c for c in range(width) if _text(cells[c])]
        if not filled:
            continue
        if r == first and _column_numbers([_text(cells[c]) for c in filled]):
            continue  # the row of column numbers (1, 2, 3…) under a plan's header
        heading = _heading(r, filled, cells, fields, spans, merges)
        if heading is not None:
            section = heading
            continue
        checker.add(f"{where}!{r + 1}", cells, r + 1, [f for _v, f in row], section)
    return checker.finish()


def _header_row(grid: Grid, options: Options) -> int | None:
    for r in sorted(grid):
        if r >= HEADER_SEARCH:
            break
        for value, _format in grid[r].values():
            key = _text(value)
            if key and (options.maps.get(header_key(key)) == "title"
                        or field_of(key) == "title"):
                return r
    return None


def _heading(r: int, filled: list[int], cells: list[Any], fields: list[str | None],
             spans: dict[tuple[int, int], int], merges: Merges) -> str | None:
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


def _spans(merges: Merges) -> dict[tuple[int, int], int]:
    """How many columns each merged range spans, by its top-left cell."""
    spans: dict[tuple[int, int], int] = {}
    for (r, _c), top in merges.items():
        if r == top[0]:
            spans[top] = spans.get(top, 0) + 1
    return spans
