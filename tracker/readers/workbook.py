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

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
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
MAX_MERGED = 1_000_000  # a merge over a whole sheet holds no data worth spreading


class Damaged(Exception):
    """A part of the workbook is missing or is not what Excel writes."""


Cell = tuple[Any, str]  # the value and its number format
Grid = dict[int, dict[int, Cell]]  # rows by number from 0, their cells by column from 0


class Workbook:
    """The workbook in *archive* (a checked zip): its sheets' names in order, each read
    on demand."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.names = set(archive.namelist())
        try:
            book = self._xml("xl/workbook.xml")
            self.ns = book.tag[:book.tag.index("}") + 1] if book.tag.startswith("{") else ""
            targets = self._relationships("xl/workbook.xml")
            properties = book.find(f"{self.ns}workbookPr")
            date1904 = properties is not None and properties.get("date1904") in ("1", "true")
            self.epoch = EPOCH_1904 if date1904 else EPOCH_1900
            self.sheets: dict[str, str] = {}  # name → its part
            for sheet in book.iter(f"{self.ns}sheet"):
                kind, target = targets.get(_rel_id(sheet), ("", ""))
                if kind.endswith("/worksheet") and target in self.names:
                    self.sheets.setdefault(sheet.get("name", ""), target)
            if not self.sheets:
                raise Damaged("no worksheet")
            parts = {kind.rsplit("/", 1)[-1]: target for kind, target in targets.values()}
            self.strings = self._shared_strings(parts.get("sharedStrings"))
            self.formats, self.dates = self._styles(parts.get("styles"))
        except (KeyError, ValueError, IndexError, ElementTree.ParseError) as exc:
            raise Damaged(type(exc).__name__) from None

    def read(self, name: str) -> tuple[Grid, dict[tuple[int, int], tuple[int, int]]]:
        """The sheet's cells (those that hold a value) and its merged cells, each mapped to
        the top-left cell of its range."""
        try:
            return self._read(self.sheets[name])
        except (KeyError, ValueError, IndexError, ElementTree.ParseError) as exc:
            raise Damaged(type(exc).__name__) from None

    def _read(self, part: str) -> tuple[Grid, dict[tuple[int, int], tuple[int, int]]]:
        ns = self.ns
        row_tag, cell_tag, merge_tag = f"{ns}row", f"{ns}c", f"{ns}mergeCell"
        value_tag, inline_tag = f"{ns}v", f"{ns}is"
        strings, formats, dates, epoch = self.strings, self.formats, self.dates, self.epoch
        grid: Grid = {}
        merges: dict[tuple[int, int], tuple[int, int]] = {}
        r = -1
        with self.archive.open(part) as source:
            for _event, element in ElementTree.iterparse(source):
                tag = element.tag
                if tag == row_tag:
                    number = element.get("r")
                    r = int(number) - 1 if number else r + 1
                    cells: dict[int, Cell] = {}
                    c = -1
                    for cell in element.iter(cell_tag):
                        ref = cell.get("r")
                        c = _column(ref) if ref else c + 1
                        kind = cell.get("t", "n")
                        style = int(cell.get("s") or 0)
                        if kind == "inlineStr":
                            inline = cell.find(inline_tag)
                            value: Any = None if inline is None else self._text(inline)
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
                            value = value.strip() in ("1", "true")
                        elif kind == "d":
                            value = _iso(value)
                        elif kind == "str" and "_x" in value:
                            value = _unescape(value)
                        cells[c] = (value, number_format)
                    if cells:
                        grid[r] = cells
                    element.clear()
                elif tag == merge_tag:
                    _merge(element.get("ref", ""), merges)
        return grid, merges

    def _xml(self, part: str) -> ElementTree.Element:
        return ElementTree.fromstring(self.archive.read(part))

    def _relationships(self, part: str) -> dict[str, tuple[str, str]]:
        """A part's relationships by id: their type and the zip path of their target."""
        folder, name = posixpath.split(part)
        rels = self._xml(posixpath.join(folder, "_rels", f"{name}.rels"))
        found = {}
        for rel in rels.iter(f"{PACKAGE_RELATIONSHIPS}Relationship"):
            target = rel.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join(folder, target))
            found[rel.get("Id", "")] = (rel.get("Type", ""), path)
        return found

    def _shared_strings(self, part: str | None) -> list[str]:
        if part is None or part not in self.names:
            return []
        strings = []
        item_tag = f"{self.ns}si"
        with self.archive.open(part) as source:
            for _event, element in ElementTree.iterparse(source):
                if element.tag == item_tag:
                    strings.append(self._text(element))
                    element.clear()
        return strings

    def _text(self, item: ElementTree.Element) -> str:
        """The text of a string item: its ``t``, or its runs' ``t``s; the phonetic
        reading (``rPh``) left out."""
        text_tag, run_tag = f"{self.ns}t", f"{self.ns}r"
        parts = []
        for child in item:
            if child.tag == text_tag:
                parts.append(child.text or "")
            elif child.tag == run_tag:
                parts.extend(t.text or "" for t in child.iter(text_tag))
        text = "".join(parts)
        return _unescape(text) if "_x" in text else text

    def _styles(self, part: str | None) -> tuple[list[str], set[int]]:
        """Each cell style's number format, by the style's number, and the styles that
        show a date."""
        if part is None or part not in self.names:
            return [], set()
        styles = self._xml(part)
        custom = {int(f.get("numFmtId", "-1")): f.get("formatCode", "General")
                  for f in styles.iter(f"{self.ns}numFmt")}
        formats: list[str] = []
        dates: set[int] = set()
        cell_styles = styles.find(f"{self.ns}cellXfs")
        for number, xf in enumerate(() if cell_styles is None else cell_styles):
            ident = int(xf.get("numFmtId") or 0)
            code = custom.get(ident) or BUILTIN_FORMATS.get(ident, "General")
            formats.append(code)
            if ident in EAST_ASIAN_DATES or is_date_format(code):
                dates.add(number)
        return formats, dates


def is_date_format(code: str) -> bool:
    """Whether a number format shows a date or a time: a day, month, year, hour or second
    code outside quoted text, escapes and bracketed colours or locales (§18.8.31)."""
    return _DATE_CODE.search(_LITERAL.sub("", code.split(";")[0])) is not None


def _rel_id(element: ElementTree.Element) -> str:
    return next((element.get(key, "") for key in REL_IDS if key in element.attrib), "")


def _column(ref: str) -> int:
    """The column of a cell reference such as ``AB12``, from 0."""
    letters = _LETTERS.match(ref)
    if letters is None:
        raise ValueError(ref)
    column = 0
    for letter in letters.group():
        column = column * 26 + ord(letter) - 64
    return column - 1


def _number(text: str) -> int | float:
    return float(text) if "." in text or "E" in text or "e" in text else int(text)


def _date(serial: float, epoch: datetime, number_format: str) -> Any:
    """Excel's serial day as a date and time (to the millisecond, as Excel shows it); the
    1900 system counts a 29 February 1900 that never was, so days before it shift by one.
    A serial past the year 9999 stays the number it is."""
    try:
        if _ELAPSED.search(number_format):
            return timedelta(days=serial)  # a duration ([h]:mm)
        day, fraction = divmod(serial, 1)
        moment = timedelta(milliseconds=round(fraction * 86_400_000))
        if 0 <= serial < 1 and moment.days == 0:
            return (datetime.min + moment).time()
        if 0 < serial < 60 and epoch is EPOCH_1900:
            day += 1
        return epoch + timedelta(days=day) + moment
    except OverflowError:
        return serial


def _iso(text: str) -> datetime | date | time | str:
    """A cell of type ``d``: an ISO 8601 date, time or both."""
    for kind in (datetime, time):
        try:
            return kind.fromisoformat(text.rstrip("Z"))
        except ValueError:
            pass
    return text


def _unescape(text: str) -> str:
    """Excel's ``_xHHHH_`` escapes of characters XML cannot hold (``_x000D_``)."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def _merge(ref: str, merges: dict[tuple[int, int], tuple[int, int]]) -> None:
    found = _RANGE.match(ref)
    if found is None:
        return
    c1, r1, c2, r2 = (_column(found[1]), int(found[2]) - 1, _column(found[3]),
                      int(found[4]) - 1)
    if (r2 - r1 + 1) * (c2 - c1 + 1) > MAX_MERGED:
        return
    for r in range(r1, r2 + 1):
        for c in range(c1, c2 + 1):
            merges[(r, c)] = (r1, c1)
