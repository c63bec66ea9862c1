"""DOCX import: the table of the Word document that approved a plan.

The first table whose header row names a title column (or ``--table N``), and the tables
right after it that continue it; text outside them is left alone. A header may span two
rows. A row that is one merged cell («II. Миротворческая деятельность») is a section
heading: it sets ``area`` for the rows below. A cell of several paragraphs keeps them as
lines (a table nested in it too); a cell merged down several rows belongs to each; a
«№ п/п» cell of Word's automatic numbering is the number Word shows (``readers.numbering``);
refs written ``1.`` or ``2.1.`` are ``1`` and ``2.1``; owners split on lines, ``;`` and
``,``. The tables are read from ``word/document.xml`` (``w:tbl``, ``w:tr``, ``w:tc``,
``w:gridSpan``, ``w:vMerge``; ECMA-376 Part 1, §17.4) with the standard library's expat
parser, after the archive checks of ``readers.archive``: python-docx, which writes the
report, took ~100 ms to import and open the package and walked each row's cells through an
XPath query, where an import from a Word table may cost at most twice the same rows' CSV.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from typing import Any

from tracker.errors import BadRows, TrackerError
from tracker.i18n import _, ngettext
from tracker.readers import Options, Row, RowChecker, field_of, header_key, map_headers
from tracker.readers.archive import READ_ERRORS, open_checked, parsed
from tracker.readers.numbering import labels

MAX_COLUMNS = 63  # Word's own limit on a table's columns: a span past it is cut there
Cell = tuple[int, str]  # (the cell's number, so that merged positions share it; its text)


def read_rows(data: bytes, name: str, options: Options) -> list[Row]:
    archive = open_checked(data, name, "docx")
    try:
        _namespace, document = parsed(archive, "word/document.xml", name)
        if document.tag.startswith(STRICT):
            _transitional(document)
        numbers = labels(archive, document, name)
    except (ElementTree.ParseError, *READ_ERRORS) as exc:  # ValueError: a multi-byte encoding
        raise TrackerError(_("{name} is damaged: Word's parts in it cannot be read ({error}); "
                             "nothing was imported")
                           .format(name=name, error=type(exc).__name__)) from None
    finally:
        archive.close()
    body = document.find(_BODY)
    elements = [] if body is None else list(_children(body, _TBL))
    tables = [_grid(table, numbers) for table in elements]
    before = {} if body is None else _before(body)
    gaps = [before.get(table, "") for table in elements]
    if not tables:
        raise TrackerError(_("{name} has no table: tracker imports a plan from the table of "
                             "its measures").format(name=name))
    if options.table is not None:
        if not 1 <= options.table <= len(tables):
            raise TrackerError(ngettext("{name} has {count} table: --table takes 1 to {count}",
                                        "{name} has {count} tables: --table takes 1 to {count}",
                                        len(tables)).format(name=name, count=len(tables)))
        chosen = options.table - 1
        header = _header_row(tables[chosen], options)
        if header is None:
            raise TrackerError(_("{name}: table {table} has no header row that names a title "
                                 "column; name it with --map 'HEADER=title'")
                               .format(name=name, table=options.table))
    else:
        found = [(n, _header_row(grid, options)) for n, grid in enumerate(tables)]
        matching = [(n, h) for n, h in found if h is not None]
        if not matching and len(tables) == 1 and tables[0] and any(
                field_of(text) for _ident, text in tables[0][0]):
            matching = [(0, 0)]  # the one plan-like table: its header's problems say more
        if not matching:
            seen = "; ".join(_("table {number}: ").format(number=n + 1)
                             + ", ".join(t for _i, t in grid[0] if t)[:80]
                             for n, grid in enumerate(tables) if grid)
            raise TrackerError(_("{name} has no table whose header row names the measures' "
                                 "column (such as «Наименование мероприятия»): {seen}; name it "
                                 "with --map 'HEADER=title', or choose a table with --table N")
                               .format(name=name, seen=seen))
        chosen, header = matching[0]
    parts = [(tables[chosen], header, f"{name}:")]
    if options.table is None:  # a plan's table continued in the tables that follow it
        parts += _continued(tables, gaps, chosen, header, name, options)
    return _rows(parts, name, options)


def _continued(tables: list[list[list[Cell]]], gaps: list[str], chosen: int, header: int,
               name: str, options: Options) -> list[tuple[list[list[Cell]], int, str]]:
    """The tables right after the plan's that go on with it: each begins with the same
    header, or with the row of column numbers (1, 2, 3…) of as many columns, and nothing
    stands between them but «Продолжение таблицы» (a table split at a page or a section;
    a heading between two tables begins another one)."""
    names = [header_key(text) for _ident, text in _cells(tables[chosen][header])]
    found = []
    for n in range(chosen + 1, len(tables)):
        grid = tables[n]
        gap = gaps[n].casefold()
        if not grid or gap and "продолжение" not in gap and "continued" not in gap:
            break
        first = _cells(grid[0])
        same = _header_row(grid, options) == 0 and [header_key(t) for _i, t in first] == names
        if not (same or _numbers(grid[0]) and len(first) == len(names)):
            break
        found.append((grid, 0, f"{name}:" + _("table {number}").format(number=n + 1) + "!"))
    return found


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
STRICT = "{http://purl.oclc.org/ooxml/wordprocessingml/main}"  # Word's "Strict Open XML"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_TR, _TC, _P, _R, _T = (f"{W}{t}" for t in ("tr", "tc", "p", "r", "t"))
_BODY, _TBL, _TRPR, _TCPR, _VAL = (f"{W}{t}" for t in ("body", "tbl", "trPr", "tcPr", "val"))
_SDT, _SDT_CONTENT, _CUSTOM_XML = f"{W}sdt", f"{W}sdtContent", f"{W}customXml"
# What a run's other children write (python-docx's run.text does the same).
_RUN_TEXT = {f"{W}tab": "\t", f"{W}ptab": "\t", f"{W}br": "\n", f"{W}cr": "\n",
             f"{W}noBreakHyphen": "-"}
# Inside a paragraph but not its text: its properties, deleted and moved-away runs, and
# the second copy of what markup compatibility writes twice.
_NOT_TEXT = frozenset((f"{W}pPr", f"{W}del", f"{W}moveFrom", f"{MC}Fallback"))
_VMERGE, _GRID_SPAN, _GRID_BEFORE = f"{W}vMerge", f"{W}gridSpan", f"{W}gridBefore"
_HMERGE, _RPR, _VANISH = f"{W}hMerge", f"{W}rPr", f"{W}vanish"
_OFF = frozenset(("0", "false", "off"))


def _grid(tbl: ElementTree.Element, numbers: dict[ElementTree.Element, str]
          ) -> list[list[Cell]]:
    """The table as rows of grid positions, each the cell that covers it: a cell spanning
    columns repeats along the row, one merged down rows repeats down the column."""
    rows: list[list[Cell]] = []
    count = 0  # numbers the cells, so that the positions of one cell share its number
    for tr in _children(tbl, _TR):
        row: list[Cell] = [(-1, "")] * min(MAX_COLUMNS, _properties(tr, _TRPR).get(
            _GRID_BEFORE, 0))
        for tc in _children(tr, _TC):
            column = len(row)
            properties = _properties(tc, _TCPR)
            if properties.get(_HMERGE) == "continue" and row:  # the older form of a span
                cell = row[-1]
            elif properties.get(_VMERGE) == "continue" and rows and column < len(rows[-1]):
                cell = rows[-1][column]
            else:
                count += 1
                cell = (count, _cell_text(tc, numbers))
            row.extend([cell] * min(MAX_COLUMNS, max(1, properties.get(_GRID_SPAN, 1))))
        rows.append(row)
    return rows


def _children(element: ElementTree.Element, tag: str) -> Iterator[ElementTree.Element]:
    """The element's children of *tag*, also those inside a content control (``w:sdt``)
    or a custom XML element, however deeply nested, as Word shows them; python-docx saw
    neither.

    Children are walked and compared by tag: ElementTree's find* go through its path
    language in Python, three times slower on a plan of 1,000 rows."""
    levels = [iter(element)]  # a stack, not recursion: controls nest without limit
    while levels:
        for child in levels[-1]:
            if child.tag == tag:
                yield child
            elif child.tag == _SDT:
                content = child.find(_SDT_CONTENT)
                if content is not None:
                    levels.append(iter(content))
                    break
            elif child.tag == _CUSTOM_XML:
                levels.append(iter(child))
                break
        else:
            levels.pop()


def _transitional(document: ElementTree.Element) -> None:
    """A Strict document's names as Transitional ones (the same elements, another
    namespace)."""
    for element in document.iter():
        if element.tag.startswith(STRICT):
            element.tag = W + element.tag[len(STRICT):]
        for key in [k for k in element.attrib if k.startswith(STRICT)]:
            element.attrib[W + key[len(STRICT):]] = element.attrib.pop(key)


def _properties(element: ElementTree.Element, tag: str) -> dict[str, Any]:
    """The ``w:val`` of each child of a row's or cell's properties (gridSpan, vMerge…);
    a ``w:vMerge`` without one continues the merge above."""
    found: dict[str, Any] = {}
    for child in element:
        if child.tag != tag:
            continue
        for setting in child:
            value = setting.get(_VAL)
            if setting.tag in (_VMERGE, _HMERGE):
                found[setting.tag] = value or "continue"
            elif setting.tag in (_GRID_SPAN, _GRID_BEFORE):
                found[setting.tag] = _count(value)
        break
    return found


def _count(value: str | None) -> int:
    """A span as Word writes it, in ASCII digits ('²' is a digit too); else 0."""
    if value is None or not (value.isascii() and value.isdigit() and len(value) < 10):
        return 0
    return int(value)


def _cell_text(tc: ElementTree.Element, numbers: dict[ElementTree.Element, str]) -> str:
    """A cell's paragraphs as lines (a line break inside one too); empty ones left out.
    A cell whose only text is Word's automatic number («№ п/п» as a numbered list) is
    that number; elsewhere the numbers of a list are not the text (owners listed 1., 2.).
    A table nested in the cell gives lines too, as Word shows it."""
    lines = []
    label = ""
    for p in _cell_paragraphs(tc):
        line = _paragraph_text(p).strip()
        if line:
            lines.append(line)
        elif not label:
            label = numbers.get(p, "")
    return "\n".join(lines) or label


_INSIDE_A_CELL = frozenset((_TBL, _TR, _TC, _SDT, _SDT_CONTENT, _CUSTOM_XML))


def _cell_paragraphs(tc: ElementTree.Element) -> Iterator[ElementTree.Element]:
    """A cell's paragraphs in order: its own, those in content controls and those of the
    tables nested in it (not a text box's: those are inside a paragraph's run)."""
    levels = [iter(tc)]
    while levels:
        for node in levels[-1]:
            if node.tag == _P:
                yield node
            elif node.tag in _INSIDE_A_CELL:
                levels.append(iter(node))
                break
        else:
            levels.pop()


def _paragraph_text(p: ElementTree.Element) -> str:
    """The text of a paragraph's runs, also those in hyperlinks, insertions, fields and
    content controls; a run's drawings and text boxes, and hidden text, are not the
    paragraph's text."""
    parts: list[str] = []
    levels = [iter(p)]
    while levels:
        for node in levels[-1]:
            if node.tag == _R:
                for piece in node:
                    if piece.tag == _RPR:  # first in a run: hidden text is not shown
                        hidden = piece.find(_VANISH)
                        if hidden is not None and hidden.get(_VAL) not in _OFF:
                            break
                    elif piece.tag == _T:
                        parts.append(piece.text or "")
                    elif piece.tag in _RUN_TEXT:
                        parts.append(_RUN_TEXT[piece.tag])
            elif node.tag not in _NOT_TEXT and len(node):
                levels.append(iter(node))
                break
        else:
            levels.pop()
    return "".join(parts)


def _header_row(grid: list[list[Cell]], options: Options) -> int | None:
    for r, row in enumerate(grid[:10]):
        for _ident, text in row:
            if text and (options.maps.get(header_key(text)) == "title"
                         or field_of(text) == "title"):
                return r
    return None


def _before(body: ElementTree.Element) -> dict[ElementTree.Element, str]:
    """The text of the body's paragraphs before each of its tables, since the one before."""
    found: dict[ElementTree.Element, str] = {}
    text: list[str] = []
    for child in body:
        if child.tag == _TBL:
            found[child] = " ".join(t for t in text if t)
            text = []
        elif child.tag == _P:
            text.append(_paragraph_text(child).strip())
    return found


def _rows(parts: list[tuple[list[list[Cell]], int, str]], name: str, options: Options
          ) -> list[Row]:
    """The rows below the header, read at the grid columns where the header's cells begin
    (a data cell merged across columns is read once, in its first); *parts*: the plan's
    table and the tables that continue it, each with its header row and its place."""
    grid, header_at, _where = parts[0]
    starts = _starts(grid[header_at])
    headers = [grid[header_at][c][1].replace("\n", " ") for c in starts]
    fields, problems = map_headers(headers, options, f"{name}:{header_at + 1}")
    if problems:
        raise BadRows(problems, header=True)
    checker = RowChecker(fields, headers, options, blank_keeps=True, commas=True)
    title_column = fields.index("title")
    section: str | None = None
    for grid, header_at, where in parts:
        section = _table_rows(grid, header_at, where, checker, title_column, section)
    return checker.finish()


def _table_rows(grid: list[list[Cell]], header_at: int, where: str, checker: RowChecker,
                title_column: int, section: str | None) -> str | None:
    """Check one table's rows below its header; the section heading in force after it."""
    starts = _starts(grid[header_at])
    header = grid[header_at]
    first = header_at + 1  # the first row below the header, which may span two rows
    while first < len(grid) and any(c < len(grid[first]) and header[c][0] != -1
                                    and grid[first][c][0] == header[c][0] for c in starts):
        first += 1  # a row that a header cell is merged down into: the header's second row
    for r in range(first, len(grid)):
        row = grid[r]
        texts: list[str] = []
        seen: set[int] = set()
        for c in starts:
            ident, text = row[c] if c < len(row) else (-1, "")
            texts.append("" if ident in seen else text)
            seen.add(ident)
        filled = [t for t in texts if t]
        if not filled:
            continue
        if r == first and _numbers(row):
            continue  # the row of column numbers (1, 2, 3…) under the header
        idents = {ident for ident, _text in row if ident != -1}
        one_merged = len(filled) == 1 and not texts[title_column] and len(idents) < len(row)
        spanning = len(filled) == 1 and sum(
            1 for c in starts if c < len(row) and row[c][1] == filled[0]) >= 2
        if len(idents) == 1 or one_merged or spanning:
            section = filled[0].replace("\n", " ")  # one merged cell: a section heading
            continue
        checker.add(f"{where}{r + 1}", texts, r + 1, section=section)
    return section


def _numbers(row: list[Cell]) -> bool:
    """Whether the row's cells read 1, 2, 3… (every cell: a header cell merged across two
    columns has a number under each)."""
    texts = [text for _ident, text in _cells(row)]
    return len(texts) >= 2 and texts == [str(n) for n in range(1, len(texts) + 1)]


def _cells(row: list[Cell]) -> list[Cell]:
    """The row's cells, each once, in order."""
    return [cell for c, cell in enumerate(row) if c == 0 or cell[0] != row[c - 1][0]]


def _starts(row: list[Cell]) -> list[int]:
    """The grid columns where the row's cells begin."""
    return [c for c, cell in enumerate(row) if c == 0 or cell[0] != row[c - 1][0]]
