"""Import readers: one module per file format (``csv``, ``xlsx``, ``docx``), each turning a
file into validated ``Row``s, and what they share here — the header names in English and
Russian, ``--map`` and ``--skip-column``, and the checks of every cell.

A reader checks every row before anything is written and reports each bad one as
``WHERE: column: problem`` (``FILE:LINE``, ``FILE:SHEET!ROW``); ``service.Tracker.
import_rows`` then applies the rows as one step.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any

from tracker.domain import (
    check_owner,
    check_ref,
    check_title,
    parse_due,
    parse_status,
    parse_weight,
    unique_owners,
)
from tracker.errors import BadRows, InvalidValue, TrackerError, shown
from tracker.i18n import _, pgettext

FIELDS = ("plan", "ref", "title", "status", "reason", "owners", "co", "area", "due",
          "weight", "evidence", "updated")
# Exported for reading, never imported: the plan, the day of the last change, and what the
# journal says of a deadline (the workbook's original deadline and its moves).
IGNORED = frozenset({"plan", "updated", "due_original", "due_moves"})

# Header names, in English and Russian, as plans and progress sheets write them. Matched
# after ``header_key``: any case, spacing aside, ё as е, a trailing ':' or '.' dropped.
SYNONYMS = {
    "plan": ["plan", "план"],
    "ref": ["ref", "no", "no.", "number", "№", "№ п/п", "№ п.п", "№№ п/п", "n п/п", "п/п",
            "номер", "номер п/п"],
    "title": ["title", "measure", "наименование мероприятия", "наименование мероприятий",
              "мероприятие", "мероприятия", "мероприятия по выполнению", "содержание",
              "содержание мероприятия", "наименование"],
    "status": ["status", "статус", "отметка об исполнении", "отметка о выполнении",
               "состояние исполнения", "ход исполнения"],
    "reason": ["reason", "причина", "причины", "примечание", "примечания",
               "причины неисполнения"],
    "owners": ["owners", "owner", "ответственные исполнители", "ответственный исполнитель",
               "исполнители", "исполнитель", "ответственные", "ответственный", "responsible",
               "responsible executor"],
    # The rest after the responsible executor, the first of an owners cell (SPEC §13).
    "co": ["co-executors", "co-executor", "co", "соисполнители", "соисполнитель"],
    "area": ["area", "раздел", "направление", "направление деятельности"],
    "due": ["due", "deadline", "срок исполнения", "сроки исполнения", "срок", "сроки",
            "срок выполнения", "сроки выполнения", "срок реализации", "сроки реализации"],
    "weight": ["weight", "вес"],
    "evidence": ["evidence", "подтверждение", "основание"],
    "updated": ["updated", "обновлено"],
    "due_original": ["due_original", "original deadline", "первоначальный срок"],
    "due_moves": ["due_moves", "deadline moves", "переносов срока", "переносы срока"],
}


def header_key(text: str) -> str:
    """A header as it is matched: lower case, one space, ё as е, no remark in brackets,
    no trailing ':' or '.'."""
    text = re.sub(r"\([^)]*\)", " ", str(text).replace("ё", "е").replace("Ё", "Е"))
    return " ".join(text.split()).lower().rstrip(":.").strip()


_BY_KEY = {header_key(name): field for field, names in SYNONYMS.items() for name in names}


def field_of(header: str) -> str | None:
    """The field a header names: one of its names, or one of them followed by more words
    («Мероприятия по выполнению решений Совета»); None when it names none."""
    key = header_key(header)
    if key in _BY_KEY:
        return _BY_KEY[key]
    for name, field in _BY_KEY.items():
        if " " in name and key.startswith(name + " "):
            return field
    return None


class Options:
    """What the command line says about reading a file."""

    def __init__(self, today: date, maps: dict[str, str] | None = None,
                 skips: tuple[str, ...] = (), sheet: str | None = None,
                 table: int | None = None) -> None:
        self.today = today
        self.maps = {header_key(k): v for k, v in (maps or {}).items()}
        self.skips = {header_key(h) for h in skips}
        self.sheet = sheet
        self.table = table


def parse_map(text: str) -> tuple[str, str]:
    """``--map 'HEADER=field'``: a header of the file and the field it holds."""
    header, sep, field = text.rpartition("=")
    field = field.strip().lower()
    if not sep or not header.strip():
        raise InvalidValue(_("invalid --map {value}: write it as 'HEADER=field', e.g. 'Отметка "
                             "об исполнении=status'")
                           .format(value=shown(text)))
    if field not in FIELDS and field != "skip":
        raise InvalidValue(_("invalid --map {value}: {field!r} is not a field; use one of "
                             "{fields}")
                           .format(value=shown(text), field=field, fields=", ".join(FIELDS)))
    return header.strip(), field


class Row:
    """One valid row of an import file, as values ready for the domain; *where* names it
    in messages (``FILE:LINE``, ``FILE:SHEET!ROW``). A ``due`` of ``periods.PLAN_YEAR``
    («в течение года») is resolved with the plan's year when the rows are applied."""

    __slots__ = ("line", "ref", "values", "where")

    def __init__(self, line: int, ref: str | None, values: dict[str, Any],
                 where: str = "") -> None:
        self.line = line
        self.ref = ref
        self.values = values
        self.where = where

    def __repr__(self) -> str:
        return f"Row(line={self.line!r}, ref={self.ref!r}, values={self.values!r})"


def map_headers(headers: list[Any], options: Options, where: str) -> tuple[
        list[str | None], list[str]]:
    """The field of each column (None: left out), and the problems with the header row."""
    fields: list[str | None] = []
    problems: list[str] = []
    # A blank header past the named ones is left out (Excel's trailing empty cells);
    # between named columns it is an error, as in a CSV: one for each run of them.
    last_named = max((p for p, h in enumerate(headers) if h is not None and str(h).strip()),
                     default=-1)
    blank_from: int | None = None
    for position, raw in enumerate(headers):
        if raw is None:  # a column a merged header cell covers: read in that cell's first
            fields.append(None)
            continue
        header = " ".join(str(raw).split())
        key = header_key(header)
        if key in options.skips or (not key and position > last_named):
            fields.append(None)
            continue
        if not key:
            blank_from = position if blank_from is None else blank_from
            fields.append(None)
            continue
        if blank_from is not None:
            problems.append(_blank_columns(where, blank_from, position - 1))
            blank_from = None
        field = options.maps.get(key) or field_of(header)
        if field == "skip":
            fields.append(None)
            continue
        if field is None:
            problems.append(f"{where}: {header}: " + _unknown(header))
            fields.append(None)
            continue
        if field in fields:
            problems.append(f"{where}: {header}: "
                            + _("the column {field} appears twice").format(field=field))
        fields.append(field)
    if "title" not in fields:
        problems.append(f"{where}: title: " + _("the required column is missing (name the "
                                                 "column that holds the measures with --map "
                                                 "'HEADER=title')"))
    return fields, problems


def _unknown(header: str) -> str:
    return _("unknown column; the columns are {fields} (or their Russian names); name it "
             "with --map '{header}=FIELD', or leave it out with --skip-column '{header}'"
             ).format(fields=", ".join(FIELDS), header=header or "HEADER")


def _blank_columns(where: str, first: int, last: int) -> str:
    """The problem of blank headers from column *first* to *last* (from 0)."""
    shown_name = (_("(blank, column {number})").format(number=first + 1) if first == last
                  else _("(blank, columns {first}–{last})").format(first=first + 1,
                                                                   last=last + 1))
    return f"{where}: {shown_name}: " + _unknown("")


def displayed(value: Any, number_format: str = "General") -> str:
    """A cell's value as the person sees it: 2.1 not 2.1000000001, 1.10 when the cell's
    format shows two decimals, 7 not 7.0, 50% for 0.5 under 0%, a date as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, datetime):  # (midnight is true in Python: compare it)
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        found = re.fullmatch(r"0(?:\.(0+))?%", number_format or "")
        if found is not None:  # 0.5 shown as 50%, 0.125 under 0.0% as 12.5%
            return f"{value * 100:.{len(found.group(1) or '')}f}%"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        decimals = _decimals(number_format)
        if decimals is not None:
            return f"{value:.{decimals}f}"
        return str(int(value)) if value.is_integer() else f"{value:.15g}"
    return str(value)


def _decimals(number_format: str) -> int | None:
    """How many decimals a number format such as ``0.00`` or ``#,##0.0`` shows."""
    found = re.fullmatch(r"[#,]*0(?:\.(0+))?", number_format or "")
    return None if found is None else len(found.group(1) or "")


class RowChecker:
    """Checks rows one by one, collecting every problem; ``finish`` returns the rows or
    raises BadRows listing them all.

    *blank_keeps*: an empty cell leaves the field as it is (a plan's table or a progress
    sheet); without it (CSV, the export's own format) an empty cell clears the field, so
    that an export read back gives the same items. *commas*: owners are also split on
    commas («МИД, Минобороны»), as Word tables and sheets write them.
    """

    def __init__(self, fields: list[str | None], headers: list[str], options: Options,
                 *, blank_keeps: bool, commas: bool) -> None:
        self.fields = fields
        self.headers = headers
        self.options = options
        self.blank_keeps = blank_keeps
        self.commas = commas
        self.rows: list[Row] = []
        self.problems: list[str] = []
        self.bad_rows: set[str] = set()
        self._refs: dict[str, str] = {}

    def problem(self, where: str, column: str, text: str) -> None:
        self.problems.append(f"{where}: {column}: {text}")
        self.bad_rows.add(where)

    def add(self, where: str, cells: list[Any], number: int, formats: list[str] | None = None,
            section: str | None = None) -> None:
        """Check one row of cells (text, or a workbook's numbers and dates)."""
        values: dict[str, Any] = {}
        ok = True
        for position, field in enumerate(self.fields):
            if field is None or field in IGNORED:
                continue
            raw = cells[position] if position < len(cells) else None
            number_format = formats[position] if formats and position < len(formats) \
                else "General"
            column = self.headers[position] or field
            try:
                value = self._value(field, raw, number_format)
            except TrackerError as exc:
                self.problem(where, column, exc.message)
                ok = False
                continue
            if value is not _UNSET:
                values[field] = value
        if not ok:
            return
        if section and not values.get("area"):
            values["area"] = section
        if "title" not in values:
            self.problem(where, self.headers[self.fields.index("title")] or "title",
                         _("the title is empty: write at least one character other than a "
                           "space"))
            return
        ref = values.pop("ref", None)
        if ref is not None:
            if ref in self._refs:
                self.problem(where, pgettext("column", "ref"),
                             _("{ref!r} appears again (first on {place})")
                             .format(ref=ref, place=self._refs[ref]))
                return
            self._refs[ref] = _place(where)
        self.rows.append(Row(line=number, ref=ref, values=values, where=where))

    def _value(self, field: str, raw: Any, number_format: str) -> Any:
        if type(raw) is str:  # a CSV's cells, and most of a sheet's: text as it is
            text = raw
        elif field == "due" and isinstance(raw, datetime | date):
            return displayed(raw)[:10]
        elif field == "weight" and isinstance(raw, int | float) and not isinstance(raw, bool):
            return parse_weight(raw)
        else:
            text = displayed(raw, number_format)
        if "\x00" in text:
            raise InvalidValue(_("it holds a NUL character"))
        if not self.blank_keeps and field in ("reason", "area", "evidence"):
            return text  # a CSV's free text as it is, so that an export reads back exactly
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        if not text.strip():
            if field == "title":
                return _UNSET  # reported once, as the row's missing title
            if self.blank_keeps or field in ("status", "ref"):
                return _UNSET
            return _BLANK.get(field, "")
        text = text.strip()
        if field == "title":
            return check_title(text)
        if field == "ref":
            return check_ref(text[:-1] if text.endswith(".") and len(text) > 1 else text)
        if field == "status":
            return parse_status(text)
        if field == "due":
            return parse_due(text, self.options.today)
        if field == "weight":
            return parse_weight(text)
        if field in ("owners", "co"):
            parts = re.split(r"[\n;,]" if self.commas else r"[\n;]", text)
            return unique_owners([check_owner(p) for p in parts if p.strip()])
        return text

    def finish(self) -> list[Row]:
        if self.problems:
            raise BadRows(self.problems, rows=len(self.bad_rows))
        return self.rows


_UNSET = object()
_BLANK: dict[str, Any] = {"owners": [], "co": [], "due": None, "weight": 1}


def _place(where: str) -> str:
    """"line 4" for a CSV, "row 4" for a sheet or a table: where a ref was seen first."""
    tail = where.rsplit(":", 1)[-1]
    if "!" in tail:
        return _("row {number}").format(number=tail.rsplit("!", 1)[1])
    return _("line {number}").format(number=tail) if tail.isdigit() else tail


def file_kind(file: str, data: bytes) -> str:
    """csv, xlsx or docx: by the file's extension; for stdin or another one, by content."""
    extension = file.rsplit(".", 1)[-1].lower() if "." in file else ""
    if extension in ("csv", "xlsx", "docx"):
        return extension
    if extension in ("xls", "doc"):
        raise TrackerError(_("{file} is an Office 97–2003 file (.{extension}): open it in "
                             "Office and save it as .{extension}x, then import that")
                           .format(file=file, extension=extension))
    if data.startswith(b"PK"):
        return "docx" if b"word/" in data[:4096] else "xlsx"
    return "csv"
