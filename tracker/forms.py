"""The forms of a reporting round (SPEC §14): one workbook per executor, and its answers
read back.

A form is an .xlsx workbook with one visible sheet, the request: the round, the executor
and the answer's due day above a table of the measures asked of them (ref, title,
deadline, their part, the status and reason as they stand) and three empty answer
columns: status (a drop-down of the statuses in the form's language), remarks or reason,
evidence. The sheet is protected without a password: only the answer cells can be
edited. A second, hidden sheet ``tracker`` holds what the form was made of — the plan,
round and executor, and each row's ref, title and deadline — so that an import knows the
form, files the answers under that executor, and finds a row whose locked cells were
changed anyway (a protection any program can lift). The round and executor are also in
the file's custom properties, where a person or a document system sees them.

Workbooks saved again by LibreOffice or Excel keep both sheets and the cells' text: the
reader goes by the hidden sheet's cells, not by anything XlsxWriter alone writes.
"""

from __future__ import annotations

import io
import math
import re
import unicodedata
from typing import TYPE_CHECKING, Any

from tracker.domain import STATUSES, parse_status, status_text
from tracker.errors import InvalidValue, TrackerError
from tracker.i18n import _, day
from tracker.periods import period_text

if TYPE_CHECKING:
    from tracker.domain import Item, Plan
    from tracker.rounds import Round

MARK = "tracker form"
META_SHEET = "tracker"
FORMAT = 1
TOP = 4  # the table's header row (0-based); measures follow
FIRST_META_ROW = 6  # the hidden sheet's first row of measures
ANSWER_COLUMNS = 3
MAX_NAME = 120  # characters of a form's file name, before the extension
WIDTHS = (7, 50, 16, 15, 16, 28, 20, 36, 30)  # the request's columns, in characters
LINE_POINTS = 15


def form_bytes(one: Round, executor: str, plan: Plan, items: dict[str, Item],
               lang: str) -> bytes:
    """The form asking *executor* about their measures in round *one*."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                        "strings_to_urls": False,
                                        "strings_to_numbers": False})
    book.set_properties({"title": _("Request for information: {plan}").format(plan=plan.title),
                         "subject": f"{one.name} · {executor}", "author": "tracker"})
    book.set_custom_property("tracker-plan", plan.id)
    book.set_custom_property("tracker-round", one.name)
    book.set_custom_property("tracker-executor", executor)
    locked = {"text_wrap": True, "valign": "top", "border": 1, "locked": True}
    fmt = {
        "title": book.add_format({"bold": True, "font_size": 13, "locked": True}),
        "line": book.add_format({"locked": True}),
        "head": book.add_format({"bold": True, "bg_color": "#DCE6F1", "text_wrap": True,
                                 "valign": "top", "border": 1, "locked": True}),
        "answer_head": book.add_format({"bold": True, "bg_color": "#FFF2CC", "text_wrap": True,
                                        "valign": "top", "border": 1, "locked": True}),
        "cell": book.add_format(locked),
        "answer": book.add_format({**locked, "locked": False, "bg_color": "#FFFBEA"}),
    }
    sheet = book.add_worksheet(_("Request")[:31])
    sheet.write_string(0, 0, _("Request for information on the measures of {plan}")
                       .format(plan=plan.title), fmt["title"])
    sheet.write_string(1, 0, _("Round: {name} (as of {as_of}); executor: {executor}")
                       .format(name=one.name, as_of=day(one.as_of), executor=executor),
                       fmt["line"])
    sheet.write_string(2, 0, (_("Please fill in the yellow columns and return the file by "
                                "{due}.").format(due=day(one.due)) if one.due else
                              _("Please fill in the yellow columns and return the file.")),
                       fmt["line"])
    headers, answers = _headers()
    for col, header in enumerate(headers):
        sheet.write_string(TOP, col, header, fmt["head"])
    for col, header in enumerate(answers, start=len(headers)):
        sheet.write_string(TOP, col, header, fmt["answer_head"])
    meta = book.add_worksheet(META_SHEET)
    for row, (key, value) in enumerate([("", MARK), ("format", str(FORMAT)), ("plan", plan.id),
                                        ("round", one.name), ("executor", executor),
                                        ("lang", lang)]):
        meta.write_string(row, 0, key)
        meta.write_string(row, 1, value)
    rows = one.asked_of(executor)
    for n, (ref, title, due) in enumerate(rows):
        item = items.get(ref)
        responsible = item is not None and item.owners[:1] == [executor]
        values = [ref, title, period_text(due, lang) if due else "",
                  _("responsible") if responsible else _("co-executor"),
                  status_text(item.status) if item else "", item.reason if item else ""]
        for col, value in enumerate(values):
            if value:
                sheet.write_string(TOP + 1 + n, col, value, fmt["cell"])
            else:
                sheet.write_blank(TOP + 1 + n, col, None, fmt["cell"])
        for col in range(len(headers), len(headers) + ANSWER_COLUMNS):
            sheet.write_blank(TOP + 1 + n, col, None, fmt["answer"])
        # Heights from the wrapped text (no spreadsheet measures it when the file opens).
        lines = max(1, *(math.ceil(len(text) / (width - 2)) for text, width in
                         zip(values, WIDTHS, strict=False) if text))
        sheet.set_row(TOP + 1 + n, max(2, lines) * LINE_POINTS)
        for col, value in enumerate([ref, title, due or ""]):
            meta.write_string(FIRST_META_ROW + n, col, value)
    if rows:
        sheet.data_validation(TOP + 1, len(headers), TOP + len(rows), len(headers), {
            "validate": "list", "source": [status_text(s) for s in STATUSES],
            "error_title": _("Status"),
            "error_message": _("Choose a status from the list."),
        })
    for col, width in enumerate(WIDTHS):
        sheet.set_column(col, col, width)
    sheet.set_row(TOP, 4 * LINE_POINTS)
    sheet.freeze_panes(TOP + 1, 2)
    sheet.set_paper(9)  # A4
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(TOP)
    sheet.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    sheet.protect("", {"format_columns": True, "format_rows": True})
    meta.protect()
    meta.hide()
    sheet.activate()
    book.close()
    return buffer.getvalue()


def _headers() -> tuple[list[str], list[str]]:
    return ([_("No."), _("Measure"), _("Deadline"), _("Part"), _("Status as recorded"),
             _("Reason as recorded")],
            [_("Status (your answer)"), _("Remarks or reason"), _("Evidence (document, link)")])


def form_docx(one: Round, executor: str, plan: Plan, items: dict[str, Item],
              lang: str) -> bytes:
    """The form as a Word document: the request, then the plan's table of the measures
    asked with three empty answer columns. What it was made of travels in the document's
    core properties (category «tracker form», the description as JSON), which Word and
    LibreOffice keep when they save it again."""
    import json

    from tracker.render.docx import _cell_text, _document, _paragraph, _shade, _table

    document = _document()
    _paragraph(document, _("Request for information on the measures of {plan}")
               .format(plan=plan.title), size=13, bold=True)
    _paragraph(document, _("Round: {name} (as of {as_of}); executor: {executor}")
               .format(name=one.name, as_of=day(one.as_of), executor=executor))
    _paragraph(document, (_("Please fill in the last three columns and return the file by "
                            "{due}.").format(due=day(one.due)) if one.due else
                          _("Please fill in the last three columns and return the file.")))
    _paragraph(document, _("Statuses: {statuses}.").format(
        statuses=", ".join(status_text(s) for s in STATUSES)), size=9)
    headers, answers = _headers()
    table = _table(document, [*headers, *answers],
                   (1.1, 5.8, 2.4, 2.8, 2.3, 2.6, 2.6, 2.8, 3.3))
    for cell in table.rows[0].cells[len(headers):]:
        _shade(cell, "FFF2CC")
    rows = one.asked_of(executor)
    for ref, title, due in rows:
        item = items.get(ref)
        responsible = item is not None and item.owners[:1] == [executor]
        values = [ref, title, period_text(due, lang) if due else "",
                  _("responsible") if responsible else _("co-executor"),
                  status_text(item.status) if item else "", item.reason if item else "",
                  "", "", ""]
        for cell, value in zip(table.add_row().cells, values, strict=True):
            _cell_text(cell, value)
    core = document.core_properties
    core.title = _("Request for information: {plan}").format(plan=plan.title)
    core.subject = f"{one.name} · {executor}"
    core.category = MARK
    core.keywords = f"{plan.id} {one.name}"
    # The description (python-docx stops at 255 characters, which the standard does not)
    core._element._get_or_add("description").text = json.dumps(
        {"format": FORMAT, "plan": plan.id, "round": one.name, "executor": executor,
         "lang": lang, "rows": [row[:3] for row in rows]}, ensure_ascii=False)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def read_docx_form(data: bytes, name: str) -> Form | None:
    """The Word form in *data*, or None when the document is not one."""
    import json
    import xml.etree.ElementTree as ElementTree

    from tracker.readers.archive import READ_ERRORS, open_checked, parsed
    from tracker.readers.docx import _BODY, _TBL, _children, _grid

    archive = open_checked(data, name, "docx")
    try:
        if "docProps/core.xml" not in archive.namelist():
            return None
        _ns, core = parsed(archive, "docProps/core.xml", name)
        values = {element.tag.rsplit("}", 1)[-1]: (element.text or "") for element in core}
        if values.get("category") != MARK:
            return None
        _ns, document = parsed(archive, "word/document.xml", name)
    except (ElementTree.ParseError, *READ_ERRORS) as exc:
        raise TrackerError(_("{name} is damaged: Word's parts in it cannot be read ({error}); "
                             "nothing was imported")
                           .format(name=name, error=type(exc).__name__)) from None
    finally:
        archive.close()
    try:
        meta = json.loads(values.get("description", ""))
        made = [(str(r[0]), str(r[1]), r[2]) for r in meta["rows"]]
    except (ValueError, KeyError, TypeError, IndexError):
        raise TrackerError(_("{name} is a form whose description was changed: tracker cannot "
                             "tell what it asked; nothing was imported").format(name=name)
                           ) from None
    if meta.get("format") != FORMAT:
        raise TrackerError(_("{name} is a form of another version of tracker (format {format})"
                             "; nothing was imported").format(name=name,
                                                              format=meta.get("format")))
    body = document.find(_BODY)
    tables = [] if body is None else [_grid(t, {}) for t in _children(body, _TBL)]
    grid = tables[0][1:] if tables else []
    cells = [[text.strip() for _n, text in row] for row in grid]
    answers: list[tuple[str, dict[str, str], int]] = []
    problems: list[str] = []
    lang = meta.get("lang", "en")
    for n, (ref, title, due) in enumerate(made):
        line = n + 2  # the table's row, its header being row 1
        row = cells[n] if n < len(cells) else []
        deadline = period_text(due, lang) if due else ""
        if row[:3] != [ref, title, deadline]:
            problems.append(_("{name}, row {row}: the number, title or deadline of measure "
                              "{ref} was changed in the form; expected {ref} «{title}», "
                              "{deadline}").format(name=name, row=line, ref=ref, title=title,
                                                   deadline=deadline or _("no deadline")))
            continue
        _answer(answers, problems, name, ref, line, (row + ["", "", ""])[6:9])
    return Form(str(meta.get("plan", "")), str(meta.get("round", "")),
                str(meta.get("executor", "")), answers, problems)


def _answer(answers: list[tuple[str, dict[str, str], int]], problems: list[str], name: str,
            ref: str, line: int, cells: list[str]) -> None:
    """One row's answer cells (status, remarks, evidence), when any is filled in."""
    status, remarks, evidence = cells
    if not (status or remarks or evidence):
        return
    answer: dict[str, str] = {}
    if status:
        try:
            answer["status"] = parse_status(status)
        except InvalidValue as exc:
            problems.append(_("{name}, row {row}: {error}").format(
                name=name, row=line, error=exc.message))
    answer["reason"] = remarks
    answer["evidence"] = evidence
    answers.append((ref, answer, line))


def form_file_name(executor: str, used: set[str], extension: str = "xlsx") -> str:
    """A file name for *executor*'s form that every system takes: their name with what a
    file name cannot hold replaced (slashes, quotes, control characters), Cyrillic kept,
    made unique among *used* (case-insensitively, as Windows and macOS compare)."""
    text = unicodedata.normalize("NFC", executor)
    text = re.sub(r'[\x00-\x1f\x7f/\\:*?"<>|«»„“”\']+', "_", text)
    text = re.sub(r"\s+", " ", text).strip(" ._") or "executor"
    text = text[:MAX_NAME]
    if text.split(".")[0].upper() in {"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in
                                                                  range(1, 10)),
                                      *(f"LPT{n}" for n in range(1, 10))}:
        text = "_" + text
    name, n = text, 1
    while name.casefold() in used:
        n += 1
        name = f"{text} ({n})"
    used.add(name.casefold())
    return f"{name}.{extension}"


class Form:
    """A form read back: what it was made of, and the answers written into it."""

    def __init__(self, plan: str, round_name: str, executor: str,
                 answers: list[tuple[str, dict[str, str], int]], problems: list[str]) -> None:
        self.plan = plan
        self.round = round_name
        self.executor = executor
        self.answers = answers  # (ref, {status, reason, evidence}, the row's number)
        self.problems = problems


def is_form(data: bytes) -> bool:
    """Whether an .xlsx file looks like a round's form (it has the hidden sheet)."""
    return data.startswith(b"PK") and b"xl/worksheets" in data


def read_form(data: bytes, name: str) -> Form | None:
    """The form in *data*, or None when the workbook is not one."""
    from tracker.readers.archive import open_checked
    from tracker.readers.workbook import Damaged, Workbook

    archive = open_checked(data, name, "xlsx")
    try:
        book = Workbook(archive, name)
        if META_SHEET not in book.sheets or len(book.sheets) < 2:
            return None
        meta, _merges = book.read(META_SHEET)
        if _cell(meta, 0, 1) != MARK:
            return None
        request = next(title for title in book.sheets if title != META_SHEET)
        grid, _merges = book.read(request)
    except Damaged as exc:
        raise TrackerError(_("{name} is damaged: Excel's parts in it cannot be read ({error}); "
                             "nothing was imported").format(name=name, error=exc)) from None
    finally:
        archive.close()
    fields = {_cell(meta, r, 0): _cell(meta, r, 1) for r in range(1, FIRST_META_ROW)}
    if fields.get("format") != str(FORMAT):
        raise TrackerError(_("{name} is a form of another version of tracker (format {format})"
                             "; nothing was imported").format(name=name,
                                                              format=fields.get("format")))
    answers: list[tuple[str, dict[str, str], int]] = []
    problems: list[str] = []
    r = FIRST_META_ROW
    n = 0
    while (ref := _cell(meta, r, 0)):
        line = TOP + 2 + n  # the row's number as the spreadsheet shows it
        shown = [_cell(grid, TOP + 1 + n, c) for c in range(3)]
        title, due = _cell(meta, r, 1), _cell(meta, r, 2)
        deadline = period_text(due, fields.get("lang", "en")) if due else ""
        if shown != [ref, title, deadline]:
            problems.append(_("{name}, row {row}: the number, title or deadline of measure "
                              "{ref} was changed in the form (cells that are locked); "
                              "expected {ref} «{title}», {deadline}")
                            .format(name=name, row=line, ref=ref, title=title,
                                    deadline=deadline or _("no deadline")))
        _answer(answers, problems, name, ref, line,
                [_cell(grid, TOP + 1 + n, c) for c in (6, 7, 8)])
        r += 1
        n += 1
    return Form(fields.get("plan", ""), fields.get("round", ""), fields.get("executor", ""),
                answers, problems)


def _cell(grid: dict[int, dict[int, tuple[Any, str]]], row: int, col: int) -> str:
    value = grid.get(row, {}).get(col, ("", ""))[0]
    if value is None:
        return ""
    return (str(int(value)) if isinstance(value, float) and value.is_integer()
            else str(value)).strip()
