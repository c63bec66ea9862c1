"""DOCX output: the report as the Word document a council is handed, in the form of
«Информация о ходе исполнения плана мероприятий … по состоянию на …».

A4 landscape; the title and the as-of date; the summary sentence and the rate rule; the
table of every measure — № п/п, measure, deadline, responsible, status and remarks — its
header row repeated on every page and a section row wherever the area changes; then the
measures not fulfilled, with their reasons, the overdue ones and those due soon; with
--since, what changed since the last briefing; page numbers in the footer. Several plans:
an overview table first, then a part per plan. Every piece of user text goes in as text
(python-docx escapes it; control characters are shown as escapes), so nothing typed can
become markup or a field code. python-docx is imported only here.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from tracker.domain import status_text
from tracker.i18n import _, day, ngettext, percent
from tracker.periods import period_text
from tracker.render import Renderer
from tracker.render.common import (
    annex_heading,
    annex_note,
    annex_rows,
    by_heading,
    capital,
    change_groups,
    change_sections,
    changes_heading,
    discipline_cells,
    discipline_headers,
    discipline_heading,
    discipline_note,
    discipline_rule,
    discipline_title,
    due_history,
    due_soon_heading,
    field_label,
    group_label,
    not_yet_note,
    points_text,
    rate_move,
    rule_line,
    shown_value,
    summary_sentence,
    visible,
    weights_note,
    withdrawn_note,
)

if TYPE_CHECKING:
    from tracker.domain import Item
    from tracker.progress import Changes
    from tracker.reports import Discipline, PlanReport, Report

FONT = "Times New Roman"  # LibreOffice shows it as the metric-compatible Liberation Serif
BODY_PT = 12
TABLE_PT = 10.5
# The measures' table, in centimetres: 25.7 cm of A4 landscape between 2.5 and 1.5 cm margins.
COLUMN_CM = (1.6, 10.4, 3.4, 4.8, 5.5)
HEADER_FILL = "D9E2F3"
SECTION_FILL = "F2F2F2"


def discipline_bytes(d: Discipline) -> bytes:
    """The .docx file of the executive-discipline report."""
    document = _document()
    name = d.plans[0][1] if len(d.plans) == 1 else _("all plans")
    title = _("Executive discipline: {title}").format(title=name)
    _paragraph(document, title, size=14, bold=True, center=True, keep=True)
    _paragraph(document, _("as of {day}").format(day=day(d.as_of)), center=True,
               italic=True, keep=True)
    document.core_properties.title = visible(title)
    _discipline(document, d, level=1)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _document() -> Any:
    """An empty A4 landscape document in the house style, page numbers in its footer."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm, Pt

    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    section.left_margin, section.right_margin = Cm(2.5), Cm(1.5)
    section.top_margin, section.bottom_margin = Cm(2.0), Cm(1.8)
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    _east_asian_font(normal)
    document.styles["Footer"].font.size = Pt(9)
    _footer(section)
    return document


def document_bytes(report: Report) -> bytes:
    """The .docx file of a report built with every plan's items kept."""
    document = _document()
    plans = report.plans
    if len(plans) == 1:
        title = _("Progress report: {title}").format(title=plans[0].title)
    else:
        title = ngettext("Progress report on {count} action plan",
                         "Progress report on {count} action plans", len(plans)).format(
            count=len(plans))
    _paragraph(document, title, size=14, bold=True, center=True, keep=True)
    _paragraph(document, _("as of {day}").format(day=day(report.as_of)), center=True,
               italic=True, keep=True)
    document.core_properties.title = visible(title)
    if not plans:
        _paragraph(document, _("No plans."))
    elif len(plans) == 1:
        _plan_part(document, plans[0], report, alone=True)
    else:
        _overview(document, report)
        for entry in plans:
            _plan_part(document, entry, report, alone=False)
    if annex := annex_rows(report):
        _heading(document, annex_heading(), level=1)
        _paragraph(document, annex_note(), italic=True)
        _simple_table(document, [field_label("id"), _("File"), _("Bytes"), _("Attached"),
                                 _("Measure")],
                      [[r["id"], r["name"], shown_value("size", r["size"]),
                        shown_value("attached", r["attached"]), r["title"]] for r in annex],
                      (2.0, 4.5, 2.2, 2.3, 6.0))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- the parts --------------------------------------------------------------------------


def _overview(document: Any, report: Report) -> None:
    _heading(document, _("All plans"))
    by_status: dict[str, int] = {}
    for entry in report.plans:
        for status, count in entry.by_status.items():
            by_status[status] = by_status.get(status, 0) + count
    _paragraph(document, summary_sentence(report.total, by_status, report.rules,
                                          report.weights), bold=True)
    rows = [[e.plan, e.title, str(e.tally.total), str(e.tally.counted),
             str(e.tally.fulfilled), percent(e.rate)] for e in report.plans]
    total = report.total
    rows.append([_("total"), "", str(total.total), str(total.counted), str(total.fulfilled),
                 percent(total.rate)])
    headers = [field_label(c) for c in ("plan", "plan_title", "total", "counted", "fulfilled",
                                        "rate")]
    widths: tuple[float, ...] = (3.2, 12.5, 2.5, 2.5, 2.5, 2.5)
    since = report.plans[0].changes
    if since is not None:  # --since: how far each plan's rate moved
        headers.append(_("since {day}").format(day=day(since.since)))
        for row, e in zip(rows, report.plans, strict=False):
            row.append(points_text(e.changes.then.rate, e.changes.now.rate)
                       if e.changes is not None else "")
        rows[-1].append("")
        widths = (3.2, 10.0, 2.5, 2.5, 2.5, 2.5, 2.5)
    _simple_table(document, headers, rows, widths, total=True)
    _paragraph(document, rule_line(total.rate, total.credit, total.counted_weight,
                                   report.rules), size=9)


def _plan_part(document: Any, entry: PlanReport, report: Report, alone: bool) -> None:
    t, rules = entry.tally, report.rules
    if not alone:
        _heading(document, f"{entry.plan}: {entry.title}", level=1)
    _paragraph(document, summary_sentence(t, entry.by_status, rules, entry.weights),
               bold=True)
    weights = weights_note(entry.weights)
    if weights:
        _paragraph(document, _("The rate is weighted ({weights}).").format(weights=weights))
    _paragraph(document, rule_line(t.rate, t.credit, t.counted_weight, rules), size=9)
    if rules.exclude_withdrawn and t.total != t.counted:
        _paragraph(document, withdrawn_note(t.total - t.counted), size=9)
    if entry.not_yet_added:
        _paragraph(document, not_yet_note(entry.not_yet_added, report.as_of), size=9)

    if entry.changes is not None:
        _changes(document, entry.changes, report)

    if report.by and entry.groups:
        _heading(document, capital(by_heading(report.by)))
        rows = [[group_label(g["key"], report.by), str(g["total"]),
                 str(g["counted"]), str(g["fulfilled"]), percent(g["rate"])]
                for g in entry.groups]
        headers = [field_label(report.by), *(field_label(c) for c in
                                              ("total", "counted", "fulfilled", "rate"))]
        _simple_table(document, headers, rows, (12.0, 3.0, 3.0, 3.0, 3.0))

    _heading(document, _("Measures of the plan"))
    _measures_table(document, entry.items)

    unfulfilled = entry.unfulfilled
    _heading(document, _("Measures not fulfilled ({count})").format(count=len(unfulfilled)))
    if unfulfilled:
        rows = [[u["ref"], u["title"], status_text(u["status"]),
                 u["reason"] or _("(no reason recorded)")] for u in unfulfilled]
        headers = [_("No."), _("Measure"), field_label("status"), field_label("reason")]
        _simple_table(document, headers, rows, (1.6, 10.0, 3.6, 10.5))
    else:
        _paragraph(document, _("none"))

    _deadlines(document, _("Overdue open measures, due before {day} ({count})").format(
        day=day(report.as_of), count=len(entry.overdue)), entry.overdue)
    _deadlines(document, capital(due_soon_heading(len(entry.due_soon), report.due_within,
                                                  report.as_of)), entry.due_soon)
    if entry.discipline is not None:
        _discipline(document, entry.discipline)


def _discipline(document: Any, d: Discipline, level: int = 2) -> None:
    """The executive-discipline table: a row per responsible executor and the total, the
    formula and what the columns count."""
    _heading(document, discipline_heading(), level=level)
    _paragraph(document, capital(discipline_title(d)), italic=True)
    rows = [discipline_cells(row, d.by) for row in d.rows]
    rows.append(discipline_cells(d.total, d.by, total=True))
    _simple_table(document, discipline_headers(d.by), rows,
                  (8.3, 1.6, 1.7, 1.9, 1.8, 2.6, 3.0, 2.6, 2.2), total=True)
    _paragraph(document, discipline_rule(d), size=9)
    _paragraph(document, discipline_note(d), size=9)


def _deadlines(document: Any, heading: str, rows_: list[Any]) -> None:
    """Overdue measures, or those due soon: a heading and their table, or "none"."""
    _heading(document, heading)
    if not rows_:
        _paragraph(document, _("none"))
        return
    rows = [[o["ref"], o["title"], period_text(o["due"], _lang()), "\n".join(o["owners"]),
             status_text(o["status"])] for o in rows_]
    headers = [_("No."), _("Measure"), _("Deadline"), _("Responsible"), field_label("status")]
    _simple_table(document, headers, rows, (1.6, 10.4, 3.4, 6.0, 4.3))


def _changes(document: Any, changes: Changes, report: Report) -> None:
    """What moved since the last briefing: the rate then and now, and each kind of change
    with its measures."""
    _heading(document, capital(changes_heading(changes, report.as_of)))
    _paragraph(document, rate_move(changes, report.as_of), bold=True)
    if changes.empty():
        _paragraph(document, _("no item changed"))
    widths = {2: (3.0, 22.7), 4: (3.0, 12.7, 5.0, 5.0), 5: (2.6, 11.0, 6.0, 2.5, 3.6),
              6: (2.6, 9.0, 3.4, 3.4, 2.7, 4.6)}
    for heading, rows, columns in change_sections(changes):
        _paragraph(document, capital(heading), bold=True, keep=True)
        _simple_table(document, [field_label(c) for c in columns],
                      [[shown_value(c, row.get(c)) for c in columns] for row in rows],
                      widths[len(columns)])
    if changes.groups is not None and report.by:
        _paragraph(document, capital(by_heading(report.by)), bold=True, keep=True)
        lines = [[g["key"], percent(g["rate_then"]), percent(g["rate_now"]), g["change"]]
                 for g in change_groups(changes, report.by)]
        _simple_table(document, [field_label(report.by), field_label("rate_then"),
                                 field_label("rate_now"), field_label("change")], lines,
                      (12.0, 4.0, 4.0, 4.0))


def _measures_table(document: Any, items: list[Item]) -> None:
    """Every measure: № п/п, measure, deadline, responsible, status and remarks; a section
    row wherever the area changes; the header repeated on every page."""
    headers = [_("No."), _("Measure"), _("Deadline"), _("Responsible"),
               _("Status and remarks")]
    table = _table(document, headers, COLUMN_CM)
    area = ""
    lang = _lang()
    rows = []
    for item in items:
        if item.area != area:  # a new section (or, after one, the measures without any)
            area = item.area
            rows.append(_section_xml(item.area or _("(no section)"), COLUMN_CM))
        remarks = [status_text(item.status)]
        if item.reason:
            remarks.append(item.reason)
        if item.evidence:
            remarks.append(_("Confirmed by: {evidence}").format(evidence=item.evidence))
        deadline = period_text(item.due, lang)
        if item.moves:
            deadline += "\n" + due_history(item.due_original, len(item.moves))
        rows.append(_row_xml([item.ref, item.title, deadline, "\n".join(item.owners),
                              "\n".join(remarks)], COLUMN_CM, bold_first_line_of=(3, 4)))
    _append_rows(table, rows)


# --- python-docx, in small pieces -------------------------------------------------------


def _lang() -> str:
    from tracker.i18n import current

    return current()


def _east_asian_font(style: Any) -> None:
    """The style's font for every script (Word picks a font per script)."""
    from docx.oxml.ns import qn

    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT)


def _paragraph(document: Any, text: str, *, size: float | None = None, bold: bool = False,
               italic: bool = False, center: bool = False, keep: bool = False) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    paragraph = document.add_paragraph()
    run = paragraph.add_run(visible(text))
    run.bold, run.italic = bold, italic
    if size:
        run.font.size = Pt(size)
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.keep_with_next = keep
    paragraph.paragraph_format.space_after = Pt(4)
    return paragraph


def _heading(document: Any, text: str, level: int = 2) -> None:
    """A heading kept on the page of what follows it."""
    from docx.shared import Pt

    paragraph = _paragraph(document, text, size=13 if level == 1 else 12, bold=True,
                           keep=True)
    paragraph.paragraph_format.space_before = Pt(12 if level == 1 else 8)


def _table(document: Any, headers: list[str], widths_cm: tuple[float, ...]) -> Any:
    """A grid table with its header row (capitalised, bold, shaded, repeated on every
    page)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm

    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.autofit = False
    for column, width in zip(table.columns, widths_cm, strict=True):
        column.width = Cm(width)
    header = table.rows[0]
    properties = header._tr.get_or_add_trPr()
    for tag in ("w:tblHeader", "w:cantSplit"):
        element = OxmlElement(tag)
        element.set(qn("w:val"), "true")
        properties.append(element)
    for cell, text, width in zip(header.cells, headers, widths_cm, strict=True):
        cell.width = Cm(width)
        _cell_text(cell, text[:1].upper() + text[1:], bold=True)
        _shade(cell, HEADER_FILL)
    return table


def _append_rows(table: Any, rows: list[str]) -> None:
    """Rows of WordprocessingML (``_row_xml``) put at the table's end, parsed in one go:
    python-docx's add_row and cell merging cost seconds at a thousand measures."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    if not rows:
        return
    parsed = parse_xml(f"<w:tbl {nsdecls('w')}>{''.join(rows)}</w:tbl>")
    for row in list(parsed):
        table._tbl.append(row)


def _row_xml(values: list[str], widths_cm: tuple[float, ...], *,
             bold_first_line_of: tuple[int, ...] = (), bold: bool = False) -> str:
    """One table row that never splits across pages: a cell per value, a paragraph per
    line, the first line of the cells *bold_first_line_of* bold. Text is escaped
    (``xml_text``): never markup."""
    cells = []
    for n, (text, width) in enumerate(zip(values, widths_cm, strict=True)):
        lines = visible(text).split("\n") if text else [""]
        paragraphs = "".join(
            _paragraph_xml(line, bold or (n in bold_first_line_of and k == 0))
            for k, line in enumerate(lines))
        cells.append(f'<w:tc><w:tcPr><w:tcW w:w="{_twips(width)}" w:type="dxa"/></w:tcPr>'
                     f"{paragraphs}</w:tc>")
    return ('<w:tr><w:trPr><w:cantSplit w:val="true"/></w:trPr>' + "".join(cells)
            + "</w:tr>")


def _section_xml(text: str, widths_cm: tuple[float, ...]) -> str:
    """A row of one cell across the table, shaded: the heading of a section of the plan
    («II. …»)."""
    return ('<w:tr><w:trPr><w:cantSplit w:val="true"/></w:trPr><w:tc><w:tcPr>'
            f'<w:tcW w:w="{_twips(sum(widths_cm))}" w:type="dxa"/>'
            f'<w:gridSpan w:val="{len(widths_cm)}"/>'
            f'<w:shd w:val="clear" w:color="auto" w:fill="{SECTION_FILL}"/></w:tcPr>'
            + "".join(_paragraph_xml(line, True) for line in visible(text).split("\n"))
            + "</w:tc></w:tr>")


def _paragraph_xml(line: str, bold: bool) -> str:
    size = round(TABLE_PT * 2)  # half-points
    weight = "<w:b/>" if bold else ""
    return (f'<w:p><w:pPr><w:spacing w:after="0"/></w:pPr><w:r><w:rPr>{weight}'
            f'<w:sz w:val="{size}"/></w:rPr><w:t xml:space="preserve">'
            + '</w:t><w:tab/><w:t xml:space="preserve">'.join(map(xml_text, line.split("\t")))
            + "</w:t></w:r></w:p>")


def xml_text(text: str) -> str:
    """Text for an XML element's content: &, < and > escaped, so it stays text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _twips(cm: float) -> int:
    return round(cm * 1440 / 2.54)


def _cell_text(cell: Any, text: str, *, bold: bool = False, bold_first: bool = False) -> None:
    """A cell's text as paragraphs, one per line; its first line bold if asked."""
    from docx.shared import Pt

    lines = visible(text).split("\n") if text else [""]
    paragraph = cell.paragraphs[0]
    for n, line in enumerate(lines):
        if n:
            paragraph = cell.add_paragraph()
        run = paragraph.add_run(line)
        run.bold = bold or (bold_first and n == 0)
        run.font.size = Pt(TABLE_PT)
        paragraph.paragraph_format.space_after = Pt(0)


def _shade(cell: Any, fill: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _simple_table(document: Any, headers: list[str], rows: list[list[str]],
                  widths_cm: tuple[float, ...], total: bool = False) -> None:
    table = _table(document, headers, widths_cm)
    _append_rows(table, [_row_xml(values, widths_cm, bold=total and n == len(rows) - 1)
                         for n, values in enumerate(rows)])


def _footer(section: Any) -> None:
    """Page numbers in the footer: «page of pages», as Word fields (our own, never user
    text)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    before, between, after = _("Page {page} of {pages}").replace("{page}", "\0").replace(
        "{pages}", "\0").split("\0")
    for text, field in ((before, "PAGE"), (between, "NUMPAGES"), (after, None)):
        if text:
            paragraph.add_run(text).font.size = Pt(9)
        if field:
            _field(paragraph, field)


def _field(paragraph: Any, instruction: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run = paragraph.add_run()
    run.font.size = Pt(9)
    for kind, text in (("begin", None), (None, instruction), ("separate", None),
                       (None, "1"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == instruction:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {instruction} "
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._r.append(element)


class DocxRenderer(Renderer):
    """``report --format docx -o FILE``."""

    binary = True

    def report(self, report: Report) -> bytes:
        return document_bytes(report)

    def discipline(self, discipline: Discipline) -> bytes:
        return discipline_bytes(discipline)


RENDERER = DocxRenderer
