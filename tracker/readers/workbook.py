"""An Excel workbook (.xlsx) read from its XML parts: the sheets' names, each cell's value
as Excel holds it (text, a number, a date, a truth value, an error such as ``#N/A``) with
its number format, and the merged ranges.

Read with the standard library's expat-based ``iterparse``, a row at a time, after the
archive checks of ``readers.archive`` (no part declares a document type or an entity, no
part expands past a sane size). openpyxl read the same cells at ~40 µs each and took
~120 ms to import; this reads them at a tenth of that (SPEC §6's goal: an import from a
workbook costs at most twice the same rows' CSV). The rules are ECMA-376 Part 1, §18.3
(cells), §18.4 (shared strings), §18.8.30–31 (number formats): what openpyxl's read-only,
data-only mode returns, plus the East Asian built-in date formats and Excel's ``_xHHHH_``
escapes, which openpyxl leaves as they are.
"""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as ElementTree
import zipfile
from datetime import date, datetime, time, timedelta
from typing import Any

from tracker.readers.archive import READ_ERRORS, elements, parsed

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SMALL_PART = 1 << 20  # a sheet this small (a form's) is parsed in one go
PACKAGE_RELATIONSHIPS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# Transitional and Strict OOXML name a relationship's id differently.
REL_IDS = ("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id",
           "{http://purl.oclc.org/ooxml/officeDocument/relationships}id")

# The number formats built into Excel (§18.8.30): a cell names one by its number.
BUILTIN_FORMATS = {
    0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 9: "0%", 10: "0.00%",
    11: "0.00E+00", 12: "# ?/?", 13: "# ??/??", 14: "mm-dd-yy", 15: "d-mmm-yy", 16: "d-mmm",
    17: "mmm-yy", 18: "h:mm AM/PM", 19: "h:mm:ss AM/PM", 20: "h:mm", 21: "h:mm:ss",
    22: "m/d/yy h:mm", 37: "#,##0 ;(#,##0)", 38: "#,##0 ;[Red](#,##0)",
    39: "#,##0.00;(#,##0.00)", 40: "#,##0.00;[Red](#,##0.00)", 45: "mm:ss",
    46: "[h]:mm:ss", 47: "mmss.0", 48: "##0.0E+0", 49: "@",
}
# Dates in the East Asian locales' built-in formats (§18.8.30 lists them by locale).
EAST_ASIAN_DATES = frozenset(range(27, 37)) | frozenset(range(50, 59))
_LITERAL = re.compile(r'"[^"]*"|\\.|\[(?!hh?\]|mm?\]|ss?\])[^\]]*\]')
_DATE_CODE = re.compile(r"(?<![_\\])[dmhysDMHYS]")
_ELAPSED = re.compile(r"\[(?:hh?|mm?|ss?)\]", re.IGNORECASE)
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_LETTERS = re.compile(r"[A-Z]+")
_RANGE = re.compile(r"([A-Z]+)([0-9]+):([A-Z]+)([0-9]+)\Z")
EPOCH_1900 = datetime(1899, 12, 30)
EPOCH_1904 = datetime(1904, 1, 1)
MAX_COLUMNS, MAX_ROWS = 16_384, 1_048_576  # XFD1048576, Excel's last cell
MAX_MERGED = 1_000_000  # merged cells, within the used area, in a sheet: plans have dozens
_BOOLEANS = {"1": True, "0": False, "true": True, "false": False}
_SURROGATE = re.compile("[\ud800-\udfff]")


class Damaged(Exception):
    """A part of the workbook is missing or is not what Excel writes."""


Cell = tuple[Any, str]  # the value and its number format
Grid = dict[int, dict[int, Cell]]  # rows by number from 0, their cells by column from 0


class Workbook:
    """The workbook in *archive* (a checked zip, the file *name*): its sheets' names in
    order, each read on demand. Every part passes ``archive.elements``'s checks before it
    is parsed, and is read in its own namespace."""

    def __init__(self, archive: zipfile.ZipFile, name: str) -> None:
        self.archive = archive
        self.name = name
        self.names = set(archive.namelist())
        try:
            ns, book = self._xml("xl/workbook.xml")
            targets = self._relationships("xl/workbook.xml")
            properties = book.find(f"{ns}workbookPr")
            date1904 = properties is not None and properties.get("date1904") in ("1", "true")
            self.epoch = EPOCH_1904 if date1904 else EPOCH_1900
            self.sheets: dict[str, str] = {}  # name → its part
            for sheet in book.iter(f"{ns}sheet"):
                kind, target = targets.get(_rel_id(sheet), ("", ""))
                if (kind.endswith("/worksheet") and target in self.names
                        and target not in self.sheets.values()):  # each part once
                    self.sheets.setdefault(sheet.get("name", ""), target)
            if not self.sheets:
                raise Damaged("no worksheet")
            # Where the relationships say, else where Excel puts them (as openpyxl looks).
            parts = {kind.rsplit("/", 1)[-1]: target for kind, target in targets.values()}
            self.strings = self._shared_strings(parts.get("sharedStrings",
                                                          "xl/sharedStrings.xml"))
            self.formats, self.dates = self._styles(parts.get("styles", "xl/styles.xml"))
        except (KeyError, IndexError, ElementTree.ParseError, *READ_ERRORS) as exc:
            raise Damaged(type(exc).__name__) from None

    def read(self, name: str) -> tuple[Grid, dict[tuple[int, int], tuple[int, int]]]:
        """The sheet's cells (those that hold a value) and its merged cells, each mapped to
        the top-left cell of its range."""
        try:
            return self._read(self.sheets[name])
        except (KeyError, IndexError, ElementTree.ParseError, *READ_ERRORS) as exc:
            raise Damaged(type(exc).__name__) from None

    def head(self, name: str, rows: int) -> Grid:
        """The cells of the sheet's first *rows* rows, read no further (where a header is
        looked for: a workbook of many sheets costs their heads, not their cells)."""
        try:
            return self._read(self.sheets[name], rows)[0]
        except (KeyError, IndexError, ElementTree.ParseError, *READ_ERRORS) as exc:
            raise Damaged(type(exc).__name__) from None

    def _read(self, part: str, rows: int | None = None
              ) -> tuple[Grid, dict[tuple[int, int], tuple[int, int]]]:
        ns, each = elements(self.archive, part, self.name)  # (its prolog checked)
        row_tag, cell_tag, merge_tag = f"{ns}row", f"{ns}c", f"{ns}mergeCell"
        value_tag, inline_tag = f"{ns}v", f"{ns}is"
        strings, formats, dates, epoch = self.strings, self.formats, self.dates, self.epoch
        grid: Grid = {}
        ranges: list[str] = []

        def cells_of(element: ElementTree.Element) -> dict[int, Cell]:
            cells: dict[int, Cell] = {}
            c = -1
            for cell in element.iter(cell_tag):
                ref = cell.get("r")
                c = _column(ref) if ref else c + 1
                kind = cell.get("t", "n")
                style = int(cell.get("s") or 0)
                if kind == "inlineStr":
                    inline = cell.find(inline_tag)
                    value: Any = None if inline is None else _text(inline, ns)
                else:
                    value = cell.findtext(value_tag) or None
                if value is None:
                    continue
                number_format = formats[style] if style < len(formats) else "General"
                if kind == "n":
                    value = _number(value)
                    if style in dates:
                        value = _date(value, epoch, number_format)
                elif kind == "s":
                    value = strings[int(value)]
                elif kind == "b":
                    value = _BOOLEANS[value.strip().lower()]
                elif kind == "d":
                    value = _iso(value)
                elif kind == "str" and "_x" in value:
                    value = _unescape(value)
                cells[c] = (value, number_format)
            return cells

        r = -1
        if rows is None and self.archive.getinfo(part).file_size <= SMALL_PART:
            # A sheet as small as a form: the tree built in one go, in C, and its rows
            # walked (the element-by-element read costs more than the cells).
            root = ElementTree.fromstring(self.archive.read(part))
            for element in root.iter(row_tag):
                number = element.get("r")
                r = _row(number) if number else r + 1
                if cells := cells_of(element):
                    grid[r] = cells
            ranges = [element.get("ref", "") for element in root.iter(merge_tag)]
            return grid, _merges(ranges, grid)
        for element in each:
            tag = element.tag
            if tag == row_tag:
                number = element.get("r")
                r = _row(number) if number else r + 1
                if rows is not None and r >= rows:
                    break
                if cells := cells_of(element):
                    grid[r] = cells
                element.clear()
            elif tag == merge_tag:
                ranges.append(element.get("ref", ""))
        return grid, _merges(ranges, grid)

    def _xml(self, part: str) -> tuple[str, ElementTree.Element]:
        return parsed(self.archive, part, self.name)

    def _relationships(self, part: str) -> dict[str, tuple[str, str]]:
        """A part's relationships by id: their type and the zip path of their target."""
        folder, name = posixpath.split(part)
        _ns, rels = self._xml(posixpath.join(folder, "_rels", f"{name}.rels"))
        found = {}
        for rel in rels.iter(f"{PACKAGE_RELATIONSHIPS}Relationship"):
            target = rel.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join(folder, target))
            found[rel.get("Id", "")] = (rel.get("Type", ""), path)
        return found

    def _shared_strings(self, part: str) -> list[str]:
        if part not in self.names:
            return []
        ns, each = elements(self.archive, part, self.name)
        strings = []
        item_tag = f"{ns}si"
        for element in each:
            if element.tag == item_tag:
                strings.append(_text(element, ns))
                element.clear()
        return strings

    def _styles(self, part: str) -> tuple[list[str], set[int]]:
        """Each cell style's number format, by the style's number, and the styles that
        show a date. (The formats of conditional formats, under ``dxfs``, are not these.)"""
        if part not in self.names:
            return [], set()
        ns, styles = self._xml(part)
        declared = styles.find(f"{ns}numFmts")
        custom = {int(f.get("numFmtId", "-1")): f.get("formatCode", "General")
                  for f in (() if declared is None else declared.iter(f"{ns}numFmt"))}
        formats: list[str] = []
        dates: set[int] = set()
        cell_styles = styles.find(f"{ns}cellXfs")
        for number, xf in enumerate(() if cell_styles is None else cell_styles):
            ident = int(xf.get("numFmtId") or 0)
            code = custom.get(ident) or BUILTIN_FORMATS.get(ident, "General")
            formats.append(code)
            if ident in EAST_ASIAN_DATES or is_date_format(code):
                dates.add(number)
        return formats, dates


def _text(item: ElementTree.Element, ns: str) -> str:
    """The text of a string item: its ``t``, or its runs' ``t``s; the phonetic reading
    (``rPh``) left out."""
    text_tag, run_tag = f"{ns}t", f"{ns}r"
    parts = []
    for child in item:
        if child.tag == text_tag:
            parts.append(child.text or "")
        elif child.tag == run_tag:
            parts.extend(t.text or "" for t in child.iter(text_tag))
    text = "".join(parts)
    return _unescape(text) if "_x" in text else text


def is_date_format(code: str) -> bool:
    """Whether a number format shows a date or a time: a day, month, year, hour or second
    code outside quoted text, escapes and bracketed colours or locales (§18.8.31)."""
    return _DATE_CODE.search(_LITERAL.sub("", code.split(";")[0])) is not None


def _rel_id(element: ElementTree.Element) -> str:
    return next((element.get(key, "") for key in REL_IDS if key in element.attrib), "")


_COLUMNS: dict[str, int] = {}


def _column(ref: str) -> int:
    """The column of a cell reference such as ``AB12`` (or ``ab12``), from 0."""
    known = _COLUMNS.get(ref)
    if known is not None:  # (the same references recur in every sheet of a kind)
        return known
    letters = _LETTERS.match(ref.upper())
    if letters is None:
        raise ValueError(ref)
    column = 0
    for letter in letters.group():
        column = column * 26 + ord(letter) - 64
        if column > MAX_COLUMNS:
            raise ValueError(ref)  # past XFD, Excel's last column
    if len(_COLUMNS) < 100_000:
        _COLUMNS[ref] = column - 1
    return column - 1


def _row(number: str) -> int:
    """A row's number (``12``, or ``12.0`` as some writers put it), from 0."""
    value = float(number)
    if not value.is_integer() or not 1 <= value <= MAX_ROWS:
        raise ValueError(number)
    return int(value) - 1


def _number(text: str) -> int | float:
    return float(text) if "." in text or "E" in text or "e" in text else int(text)


def _date(serial: float, epoch: datetime, number_format: str) -> Any:
    """Excel's serial day as a date and time (to the millisecond, as Excel shows it); the
    1900 system counts a 29 February 1900 that never was, so days before it shift by one.
    A serial no date can hold (past the year 9999, infinite) stays the number it is."""
    try:
        if _ELAPSED.search(number_format.split(";")[0]):  # a duration ([h]:mm)
            return timedelta(milliseconds=round(serial * 86_400_000))
        day, fraction = divmod(serial, 1)
        moment = timedelta(milliseconds=round(fraction * 86_400_000))
        if 0 <= serial < 1 and moment.days == 0:
            return (datetime.min + moment).time()
        if 0 < serial < 60 and epoch is EPOCH_1900:
            day += 1
        return epoch + timedelta(days=day) + moment
    except (OverflowError, ValueError):
        return serial


def _iso(text: str) -> datetime | date | time | str:
    """A cell of type ``d``: an ISO 8601 date, time or both (a zone left out, as Excel
    shows the time as written)."""
    for kind in (date, datetime, time):
        try:
            value = kind.fromisoformat(text.strip().rstrip("Z"))
        except ValueError:
            continue
        return value.replace(tzinfo=None) if isinstance(value, datetime | time) else value
    return text


def _unescape(text: str) -> str:
    """Excel's ``_xHHHH_`` escapes of characters XML cannot hold (``_x000D_``); a pair of
    escaped surrogates is the one character they encode, a lone one U+FFFD."""
    text = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    if _SURROGATE.search(text):
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text


def _merges(ranges: list[str], grid: Grid) -> dict[tuple[int, int], tuple[int, int]]:
    """Every cell of the merged ranges, mapped to its range's top-left cell: within the
    cells that hold a value (a heading merged across a whole row is merged across the
    table), and at most MAX_MERGED in all."""
    last_row = max(grid, default=-1)
    last_column = max((max(row) for row in grid.values()), default=-1)
    merges: dict[tuple[int, int], tuple[int, int]] = {}
    for ref in ranges:
        found = _RANGE.match(ref.upper())
        if found is None:
            continue
        c1, r1 = _column(found[1]), _row(found[2])
        c2, r2 = min(_column(found[3]), last_column), min(_row(found[4]), last_row)
        if (max(0, r2 - r1 + 1) * max(0, c2 - c1 + 1)) + len(merges) > MAX_MERGED:
            raise Damaged(f"more than {MAX_MERGED:,} merged cells")
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                merges[(r, c)] = (r1, c1)
    return merges
