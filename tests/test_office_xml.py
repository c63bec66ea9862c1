"""The Office files' own XML, as tracker reads it for an import (SPEC §6): every cell of a
workbook as openpyxl — an independent reader — sees it, cell by cell, on files written by
openpyxl and by LibreOffice; what Excel writes that openpyxl leaves alone (``_xHHHH_``
escapes, the East Asian date formats, Strict OOXML); and the Word table as LibreOffice
rewrites it."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import Ok, Run, jok, snapshot
from tests.test_documents import soffice
from tests.test_readers import PLAN_ROWS, fields, import_measured, word_plan, zip_with
from tracker.readers.workbook import Damaged, Workbook, is_date_format

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
W_DOCUMENT = b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'


def ours(path: Path) -> dict[str, dict[tuple[int, int], tuple[Any, str]]]:
    """Every cell that holds a value, by sheet, as tracker reads it."""
    with zipfile.ZipFile(path) as archive:
        book = Workbook(archive, "test.xlsx")
        return {name: {(r, c): cell for r, row in book.read(name)[0].items()
                       for c, cell in row.items()} for name in book.sheets}


def openpyxls(path: Path) -> dict[str, dict[tuple[int, int], tuple[Any, str]]]:
    """The same, as openpyxl's read-only, data-only mode reads it."""
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    found = {}
    for sheet in book.worksheets:
        sheet.reset_dimensions()
        found[sheet.title] = {(cell.row - 1, cell.column - 1): (cell.value, cell.number_format)
                              for row in sheet.iter_rows() for cell in row
                              if cell.value is not None}
    book.close()
    return found


def varied_workbook(path: Path, epoch_1904: bool = False) -> Path:
    """Every kind of cell a plan's sheet holds, and some it should not."""
    from openpyxl import Workbook as OpenpyxlWorkbook
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    book = OpenpyxlWorkbook()
    if epoch_1904:
        book.epoch = CALENDAR_MAC_1904
    sheet = book.active
    sheet.title = "Ход исполнения"
    sheet.append(["№ п/п", "Наименование мероприятия", "Срок", "Вес", "Исполнено"])
    sheet.append([1, "  пробелы по краям  ", datetime(2023, 12, 20), 1, True])
    sheet.append([2.1, "Две\nстроки", datetime(2024, 3, 1, 10, 30), 2.5, False])
    sheet.append([1.1, CellRichText("Жирное ", TextBlock(InlineFont(b=True), "и обычное")),
                  date(1900, 1, 15), 1e-7, "#N/A"])
    sheet.append([10, "Время", "IV квартал 2023 г.", -3, time(9, 15)])
    sheet["F2"] = 12345678901234
    sheet["A4"].number_format = "0.00"
    sheet["C2"].number_format = "DD.MM.YYYY"
    sheet["C3"].number_format = 'dd" мая "yyyy h:mm'
    sheet["D3"].number_format = "#,##0.0"
    sheet["D5"].number_format = '"м"0'  # quoted letters: not a date
    sheet["E4"].data_type = "e"
    sheet.cell(row=40, column=30, value="далеко справа и внизу")
    sheet.merge_cells("A7:E7")
    sheet["A7"] = "II. Раздел"
    second = book.create_sheet("Второй")
    second.append(["title"])
    second.append(["A"])
    book.save(str(path))
    return path


@pytest.mark.parametrize("epoch_1904", [False, True], ids=["1900", "1904"])
def test_every_cell_is_read_as_openpyxl_reads_it(tmp_path: Path, epoch_1904: bool) -> None:
    path = varied_workbook(tmp_path / "varied.xlsx", epoch_1904)
    mine = ours(path)
    assert mine == openpyxls(path)
    sheet = mine["Ход исполнения"]
    assert sheet[(1, 2)] == (datetime(2023, 12, 20), "DD.MM.YYYY")
    assert sheet[(3, 0)] == (1.1, "0.00")
    assert sheet[(3, 1)] == ("Жирное и обычное", "General")
    assert sheet[(3, 4)] == ("#N/A", "General")
    assert sheet[(4, 4)] == (time(9, 15), "h:mm:ss")
    assert sheet[(1, 5)] == (12345678901234, "General")
    assert sheet[(39, 29)] == ("далеко справа и внизу", "General")


@pytest.mark.file_only  # the reader's test: the database behind it does not matter
def test_libreoffices_workbook_is_read_as_openpyxl_reads_it(ok: Ok, tmp_path: Path) -> None:
    """LibreOffice writes its own styles (custom format numbers from 164), shared strings
    and merged ranges: the import of its copy gives the same items as the original's."""
    original = varied_workbook(tmp_path / "varied.xlsx")
    out = tmp_path / "lo"
    out.mkdir()
    copy = soffice(original, "xlsx:Calc MS Excel 2007 XML", out)  # saved again
    assert copy.read_bytes() != original.read_bytes()
    assert ours(copy) == openpyxls(copy)
    skip = ("--skip-column", "Вес", "--skip-column", "Исполнено")
    ok("import", "a", str(original), "--title", "A", "--sheet", "Ход исполнения", *skip)
    ok("import", "b", str(copy), "--title", "B", "--sheet", "Ход исполнения", *skip)
    keys = ("ref", "title", "due", "area")
    assert fields(jok(ok, "list", "b"), *keys) == fields(jok(ok, "list", "a"), *keys)
    assert fields(jok(ok, "list", "a"), "ref", "due")[:3] == [
        ("1", "2023-12-20"), ("1.10", "1900-01-15"), ("2.1", "2024-03-01")]


@pytest.mark.file_only
def test_a_word_plan_rewritten_by_libreoffice_imports_the_same(ok: Ok, tmp_path: Path) -> None:
    original = word_plan(tmp_path / "plan.docx", PLAN_ROWS)
    out = tmp_path / "lo"
    out.mkdir()
    copy = soffice(original, "docx:MS Word 2007 XML", out)
    assert copy.read_bytes() != original.read_bytes()
    keys = ("ref", "title", "due", "owners", "area")
    for plan, path in (("a", original), ("b", copy)):
        ok("plan", "add", plan, "--title", plan, "--start", "01.01.2023", "--end", "31.12.2023")
        ok("import", plan, str(path))
    assert fields(jok(ok, "list", "b"), *keys) == fields(jok(ok, "list", "a"), *keys)
    assert len(jok(ok, "list", "a")) == 5


# --- what openpyxl does not read, written as Excel writes it -------------------------------


def workbook_xml(sheet: str, strings: list[str] = (), styles: str = "", book_pr: str = "",
                 ns: str = MAIN, target: str = "worksheets/sheet1.xml",
                 changes: dict[str, str | bytes | None] | None = None) -> io.BytesIO:
    """A minimal workbook: its one sheet's ``sheetData`` children are *sheet*; *changes*
    replaces parts (None: leaves one out)."""
    rel = ("http://purl.oclc.org/ooxml/officeDocument/relationships" if "purl" in ns
           else "http://schemas.openxmlformats.org/officeDocument/2006/relationships")
    kinds = f"{rel.rsplit('/', 1)[0]}/relationships" if "purl" in ns else rel
    parts = {
        "xl/workbook.xml": f'<workbook xmlns="{ns}" xmlns:r="{rel}">{book_pr}<sheets>'
                           '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels":
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            f'relationships"><Relationship Id="rId1" Type="{kinds}/worksheet" '
            f'Target="{target}"/><Relationship Id="rId2" Type="{kinds}/sharedStrings" '
            'Target="sharedStrings.xml"/><Relationship Id="rId3" '
            f'Type="{kinds}/styles" Target="styles.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{ns}"><sheetData>{sheet}</sheetData>'
                                    '</worksheet>',
        "xl/sharedStrings.xml": f'<sst xmlns="{ns}">' + "".join(strings) + "</sst>",
        "xl/styles.xml": f'<styleSheet xmlns="{ns}">{styles}</styleSheet>',
    }
    parts.update(changes or {})
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        for name, text in parts.items():
            if text is not None:
                archive.writestr(name, text)
    return data


def cells(data: io.BytesIO) -> dict[tuple[int, int], Any]:
    with zipfile.ZipFile(data) as archive:
        book = Workbook(archive, "test.xlsx")
        grid = book.read("S")[0]
    return {(r, c): value for r, row in grid.items() for c, (value, _f) in row.items()}


STYLES = ('<numFmts count="1"><numFmt numFmtId="170" formatCode="[$-419]d mmmm yyyy"/>'
          '</numFmts><cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="170"/>'
          '<xf numFmtId="31"/><xf numFmtId="46"/></cellXfs>')


def test_excels_escapes_inline_strings_and_cached_formula_text() -> None:
    data = workbook_xml(
        '<row r="2"><c r="A2" t="s"><v>0</v></c><c r="C2" t="inlineStr"><is><t>в строке'
        '_x000D_</t></is></c><c r="D2" t="str"><f>A2&amp;"!"</f><v>итог</v></c>'
        '<c r="E2" t="s"><v>1</v></c></row>'
        '<row><c t="b"><v>1</v></c><c t="e"><v>#DIV/0!</v></c><c t="d"><v>2023-11-21</v></c>'
        '<c t="d"><v>2024-01-02T10:30:00+02:00</v></c></row>',
        strings=["<si><t>первая_x000D_\nвторая _x005F_x000D_</t></si>",
                 '<si><r><t>фу</t></r><r><rPr><b/></rPr><t xml:space="preserve">ри </t></r>'
                 "<rPh><t>ФУРИ</t></rPh></si>"])
    assert cells(data) == {
        (1, 0): "первая\r\nвторая _x000D_", (1, 2): "в строке\r", (1, 3): "итог",
        (1, 4): "фури ", (2, 0): True, (2, 1): "#DIV/0!", (2, 2): date(2023, 11, 21),
        (2, 3): datetime(2024, 1, 2, 10, 30)}  # a date is a date; the time as written


def test_custom_east_asian_and_elapsed_formats() -> None:
    data = workbook_xml(
        '<row r="1"><c r="A1" s="1"><v>45251</v></c><c r="B1" s="2"><v>45251</v></c>'
        '<c r="C1" s="3"><v>1.5</v></c><c r="D1"><v>45251</v></c>'
        '<c r="E1" s="1"><v>99999999999</v></c></row>', styles=STYLES)
    found = cells(data)
    assert found[(0, 0)] == found[(0, 1)] == datetime(2023, 11, 21)
    assert str(found[(0, 2)]) == "1 day, 12:00:00"
    assert found[(0, 3)] == 45251
    assert found[(0, 4)] == 99999999999  # past the year 9999: the number as it is
    assert not is_date_format('"день"0') and not is_date_format("[Red]0.00")
    assert is_date_format("[$-419]d mmmm yyyy") and is_date_format("yyyy")


def test_strict_ooxml_the_1904_calendar_and_an_absolute_sheet_path() -> None:
    data = workbook_xml('<row r="3"><c r="B3" s="1"><v>1</v></c></row>', styles=STYLES,
                        book_pr='<workbookPr date1904="1"/>',
                        ns="http://purl.oclc.org/ooxml/spreadsheetml/main",
                        target="/xl/worksheets/sheet1.xml")
    assert cells(data) == {(2, 1): datetime(1904, 1, 2)}


@pytest.mark.parametrize("sheet", [
    '<row r="1"><c r="A1" t="s"><v>5</v></c></row>',  # no such shared string
    '<row r="1"><c r="A1"><v>один</v></c></row>',  # a number that is not one
    '<row r="1"><c r="1A"><v>1</v></c></row>',  # a reference that is not one
    '<row r="1"><c r="A1"><v>1</v></row>',  # not XML
])
def test_a_damaged_sheet_is_one_error(sheet: str) -> None:
    with pytest.raises(Damaged), zipfile.ZipFile(workbook_xml(sheet)) as archive:
        Workbook(archive, "test.xlsx").read("S")


def test_a_damaged_sheet_is_one_line_and_nothing_is_written(ok: Ok, run: Run, db: Path,
                                                           tmp_path: Path) -> None:
    path = tmp_path / "bad.xlsx"
    path.write_bytes(workbook_xml('<row r="1"><c r="A1" t="s"><v>5</v></c></row>').getvalue())
    ok("plan", "add", "p", "--title", "P")
    before = snapshot(db)
    result = run("import", "p", str(path))
    assert result.exit_code == 1
    assert result.stderr == (f"Error: {path} is damaged: Excel's parts in it cannot be read "
                             "(IndexError); nothing was imported\n")
    assert snapshot(db) == before


def test_a_word_document_without_a_body_or_damaged(tmp_path: Path) -> None:
    from tracker.errors import TrackerError
    from tracker.readers import Options
    from tracker.readers.docx import read_rows

    empty = zip_with(tmp_path / "empty.docx", {
        "word/document.xml": b'<w:document xmlns:w="http://schemas.openxmlformats.org/'
                             b'wordprocessingml/2006/main"/>'})
    with pytest.raises(TrackerError, match="has no table"):
        read_rows(empty.read_bytes(), "empty.docx", Options(date(2024, 1, 1)))
    broken = zip_with(tmp_path / "broken.docx", {"word/document.xml": b"<w:document"})
    with pytest.raises(TrackerError, match="is damaged: its part word/document.xml cannot"):
        read_rows(broken.read_bytes(), "broken.docx", Options(date(2024, 1, 1)))
    cut = zip_with(tmp_path / "cut.docx", {"word/document.xml": W_DOCUMENT + b"<w:body><w:tbl>"})
    with pytest.raises(TrackerError, match="is damaged: Word's parts in it cannot be read"):
        read_rows(cut.read_bytes(), "cut.docx", Options(date(2024, 1, 1)))


def rewritten(source: Path, target: Path, change: Any) -> Path:
    """*source* with its word/document.xml passed through *change* (text → text)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for item in old.infolist():
            data = old.read(item)
            if item.filename == "word/document.xml":
                data = change(data.decode()).encode()
            new.writestr(item, data)
    return target


@pytest.mark.file_only
def test_word_tables_in_content_controls_and_strict_documents(ok: Ok, tmp_path: Path) -> None:
    """A plan's table inside a content control (a template's «поле»), rows and a cell's
    text in controls too, and a document saved as Strict Open XML: the same items."""
    original = word_plan(tmp_path / "plan.docx", PLAN_ROWS)

    def controls(xml: str) -> str:
        """The table in a content control, its third row in one, a cell's paragraph in
        one: ``w:sdt`` / ``w:sdtContent`` around each."""
        from xml.etree import ElementTree

        w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
        ElementTree.register_namespace("w", w[1:-1])
        root = ElementTree.fromstring(xml)

        def wrap(parent: ElementTree.Element, child: ElementTree.Element) -> None:
            control = ElementTree.Element(f"{w}sdt")
            ElementTree.SubElement(control, f"{w}sdtPr")
            content = ElementTree.SubElement(control, f"{w}sdtContent")
            parent.insert(list(parent).index(child), control)
            parent.remove(child)
            content.append(child)

        body = root.find(f"{w}body")
        table = body.findall(f"{w}tbl")[-1]
        rows = table.findall(f"{w}tr")
        cell = rows[6].findall(f"{w}tc")[1]  # «Провести учения»
        wrap(cell, cell.find(f"{w}p"))
        wrap(table, rows[3])
        wrap(body, table)
        return ElementTree.tostring(root, encoding="unicode")

    variants = {
        "controls": rewritten(original, tmp_path / "controls.docx", controls),
        "strict": rewritten(original, tmp_path / "strict.docx", lambda xml: xml.replace(
            "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
            "http://purl.oclc.org/ooxml/wordprocessingml/main")),
    }
    keys = ("ref", "title", "due", "owners", "area")
    ok("plan", "add", "a", "--title", "A", "--start", "01.01.2023", "--end", "31.12.2023")
    ok("import", "a", str(original))
    expected = fields(jok(ok, "list", "a"), *keys)
    assert len(expected) == 5
    for name, path in variants.items():
        assert path.read_bytes() != original.read_bytes()
        ok("plan", "add", name, "--title", name, "--start", "01.01.2023", "--end", "31.12.2023")
        ok("import", name, str(path))
        assert fields(jok(ok, "list", name), *keys) == expected, name


# --- what an adversarial file tries (each found by a review of these readers) -------------

SHEET_PART = "xl/worksheets/sheet1.xml"
RELS_PART = "xl/_rels/workbook.xml.rels"


def import_error(run: Run, db: Path, path: Path) -> str:
    """The one line an import of *path* prints, having written nothing."""
    before = snapshot(db)
    result = run("import", "p", str(path), "--title", "P")
    assert result.exit_code == 1, result.stderr
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr
    assert snapshot(db) == before
    return result.stderr


def bomb_sheet(encoding: str = "utf-8") -> bytes:
    text = (f'<?xml version="1.0" encoding="{encoding}"?><!DOCTYPE worksheet [<!ENTITY a '
            f'"{"A" * 99}">]><worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" '
            't="inlineStr"><is><t>title</t></is></c></row><row r="2"><c r="A2" t="inlineStr">'
            '<is><t>' + "&a;" * 1000 + "</t></is></c></row></sheetData></worksheet>")
    return text.encode(encoding)  # UTF-16 with its byte order mark


def test_an_entity_in_any_part_in_any_encoding_is_refused(run: Run, db: Path,
                                                           tmp_path: Path) -> None:
    """The archive's byte scan sees parts named .xml in ASCII-compatible encodings; the
    prolog check of every part parsed sees the rest."""
    named_bin = workbook_xml("", target="worksheets/sheet1.bin", changes={
        SHEET_PART: None, "xl/worksheets/sheet1.bin": bomb_sheet()})
    utf16 = workbook_xml("", changes={SHEET_PART: bomb_sheet("utf-16")})
    document = ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE d [<!ENTITY a "x">]>'
                + W_DOCUMENT.decode() + "<w:body/></w:document>")
    word = zip_with(tmp_path / "utf16.docx",
                    {"word/document.xml": b"\xff\xfe" + document.encode("utf-16-le")})
    for name, data in (("bin.xlsx", named_bin.getvalue()), ("utf16.xlsx", utf16.getvalue())):
        (tmp_path / name).write_bytes(data)
    for path in (tmp_path / "bin.xlsx", tmp_path / "utf16.xlsx", word):
        assert "declares an XML document type or entity" in import_error(run, db, path), path


def test_a_sheet_in_utf_16_without_declarations_reads(ok: Ok, tmp_path: Path) -> None:
    sheet = (f'<?xml version="1.0" encoding="UTF-16"?><worksheet xmlns="{MAIN}"><sheetData>'
             '<row r="1"><c r="A1" t="inlineStr"><is><t>Мероприятие</t></is></c></row>'
             '<row r="2"><c r="A2" t="inlineStr"><is><t>Первое</t></is></c></row>'
             "</sheetData></worksheet>")
    path = tmp_path / "utf16.xlsx"
    path.write_bytes(workbook_xml("", changes={
        SHEET_PART: b"\xff\xfe" + sheet.encode("utf-16-le")}).getvalue())
    ok("import", "p", str(path), "--title", "P")
    assert fields(jok(ok, "list", "p"), "title") == [("Первое",)]


def test_unknown_and_multi_byte_encodings_are_one_line(run: Run, db: Path,
                                                       tmp_path: Path) -> None:
    bogus = f'<?xml version="1.0" encoding="x-bogus"?><worksheet xmlns="{MAIN}"/>'
    sheet = tmp_path / "bogus.xlsx"
    sheet.write_bytes(workbook_xml("", changes={SHEET_PART: bogus}).getvalue())
    assert "is damaged: its part xl/worksheets/sheet1.xml cannot be read" in import_error(
        run, db, sheet)
    for encoding in ("x-bogus", "shift_jis"):
        text = (f'<?xml version="1.0" encoding="{encoding}"?>' + W_DOCUMENT.decode()
                + "<w:body/></w:document>")
        word = zip_with(tmp_path / f"{encoding}.docx", {"word/document.xml": text.encode()})
        assert "is damaged" in import_error(run, db, word), encoding


def test_escaped_surrogates_are_the_character_they_encode() -> None:
    data = workbook_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>',
                        strings=["<si><t>smile _xD83D__xDE00_, lone _xDFFF_</t></si>"])
    assert cells(data) == {(0, 0): "smile \U0001f600, lone \ufffd"}


def test_merged_ranges_stay_within_the_cells_that_hold_values(tmp_path: Path) -> None:
    """A heading merged across a whole row (A2:XFD2) covers the table; eight ranges of a
    million cells each around a handful of values cost nothing; a million merged cells
    among values as far as XFD1048576 are refused in one line."""
    wide = "".join(f'<mergeCell ref="A{61 * n + 3}:XFD{61 * n + 63}"/>' for n in range(8))
    sheet = (f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1"><v>1</v></c>'
             '<c r="C1"><v>3</v></c></row><row r="2"><c r="A2"><v>2</v></c></row>'
             f'</sheetData><mergeCells><mergeCell ref="a2:xfd2"/>{wide}</mergeCells>'
             "</worksheet>")
    with zipfile.ZipFile(workbook_xml("", changes={SHEET_PART: sheet})) as archive:
        grid, merges = Workbook(archive, "t.xlsx").read("S")
    assert merges == {(1, 0): (1, 0), (1, 1): (1, 0), (1, 2): (1, 0)}  # A2:C2
    far = sheet.replace("</sheetData>", '<row r="1048576"><c r="XFD1048576"><v>9</v></c>'
                                        "</row></sheetData>")
    with zipfile.ZipFile(workbook_xml("", changes={SHEET_PART: far})) as archive, \
            pytest.raises(Damaged, match="more than 1,000,000 merged cells"):
        Workbook(archive, "t.xlsx").read("S")


def test_a_span_past_words_63_columns_is_cut_there(ok: Ok, tmp_path: Path) -> None:
    rows = "".join('<w:tr><w:tc><w:tcPr><w:gridSpan w:val="10000000"/></w:tcPr><w:p><w:r>'
                   f"<w:t>Раздел {n}</w:t></w:r></w:p></w:tc></w:tr>" for n in range(30))
    document = W_DOCUMENT + (
        "<w:body><w:tbl><w:tr><w:tc><w:p><w:r><w:t>title</w:t></w:r></w:p></w:tc><w:tc><w:p>"
        "<w:r><w:t>owners</w:t></w:r></w:p></w:tc></w:tr>" + rows + "<w:tr><w:tc><w:p><w:r>"
        "<w:t>Мера</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>МИД</w:t></w:r></w:p></w:tc>"
        "</w:tr></w:tbl></w:body></w:document>").encode()
    path = zip_with(tmp_path / "wide.docx", {"word/document.xml": document})
    ok("import", "p", str(path), "--title", "P")
    assert fields(jok(ok, "list", "p"), "title", "owners", "area") == [
        ("Мера", ["МИД"], "Раздел 29")]


def test_number_formats_of_conditional_formats_are_not_the_cells() -> None:
    styles = ('<numFmts count="1"><numFmt numFmtId="164" formatCode="DD.MM.YYYY"/></numFmts>'
              '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164"/></cellXfs>'
              '<dxfs count="1"><dxf><numFmt numFmtId="164" formatCode="0.00"/></dxf></dxfs>')
    data = workbook_xml('<row r="1"><c r="A1" s="1"><v>45000</v></c></row>', styles=styles)
    assert cells(data) == {(0, 0): datetime(2023, 3, 15)}


def test_what_other_writers_put_differently() -> None:
    """Parts without a relationship where Excel puts them, a sheet in a namespace of its
    own, TRUE for true, lower-case references, row numbers written 2.0, a date no
    calendar holds, a duration rounded to the millisecond as openpyxl does."""
    rels = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>")
    strict = "http://purl.oclc.org/ooxml/spreadsheetml/main"
    sheet = (f'<worksheet xmlns="{strict}"><sheetData><row r="2.0"><c r="a2" t="s"><v>0</v>'
             '</c><c r="b2" t="b"><v>TRUE</v></c><c r="c2" s="1"><v>1E+400</v></c>'
             '<c r="d2" s="3"><v>1e-7</v></c><c r="e2" s="1"><v>45251</v></c></row>'
             "</sheetData></worksheet>")
    data = workbook_xml("", strings=["<si><t>общая строка</t></si>"], styles=STYLES,
                        changes={RELS_PART: rels, SHEET_PART: sheet})
    found = cells(data)
    assert found == {(1, 0): "общая строка", (1, 1): True, (1, 2): float("inf"),
                     (1, 3): found[(1, 3)], (1, 4): datetime(2023, 11, 21)}
    assert found[(1, 3)].total_seconds() == 0.009  # 8.64 ms, to the millisecond


def zip_flagged(tmp_path: Path, name: str, method: int | None = None,
                flags: int | None = None) -> Path:
    """A workbook whose zip headers claim another compression *method* (Deflate64 is 9)
    or set general-purpose *flags* (1: the zip's own encryption)."""
    data = bytearray(workbook_xml('<row r="1"><c r="A1"><v>1</v></c></row>').getvalue())
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature)
        while at != -1:
            if flags is not None:
                data[at + offset:at + offset + 2] = flags.to_bytes(2, "little")
            if method is not None:
                data[at + offset + 2:at + offset + 4] = method.to_bytes(2, "little")
            at = data.find(signature, at + 4)
    path = tmp_path / name
    path.write_bytes(bytes(data))
    return path


def test_deflate64_and_zip_encryption_are_one_line(run: Run, db: Path, tmp_path: Path) -> None:
    assert "is damaged: its part" in import_error(run, db, zip_flagged(
        tmp_path, "deflate64.xlsx", method=9))
    assert "is password-protected: save it without a password" in import_error(
        run, db, zip_flagged(tmp_path, "zipcrypto.xlsx", flags=1))


def corrupted(data: bytes, member: str, at: float = 0.5, length: int = 8) -> bytes:
    """*data* (a zip) with *length* bytes of *member*'s stored data overwritten, *at* its
    middle: a corrupt compressed stream, or a checksum that no longer holds."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(member)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    where = start + int(info.compress_size * at)
    return data[:where] + b"\xff" * length + data[where + length:]


def test_a_corrupt_part_is_one_line_whatever_its_name(run: Run, db: Path,
                                                     tmp_path: Path) -> None:
    rows = "".join(f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>строка {n * 7919}</t></is>'
                   "</c></row>" for n in range(1, 400))
    sheet = f'<worksheet xmlns="{MAIN}"><sheetData>{rows}</sheetData></worksheet>'
    deflated = io.BytesIO()
    with zipfile.ZipFile(deflated, "w", zipfile.ZIP_DEFLATED) as archive, \
            zipfile.ZipFile(workbook_xml("", changes={SHEET_PART: sheet})) as plain:
        for item in plain.infolist():
            archive.writestr(item.filename, plain.read(item))
    stream = tmp_path / "stream.xlsx"
    stream.write_bytes(corrupted(deflated.getvalue(), SHEET_PART))
    assert "is damaged: its part xl/worksheets/sheet1.xml cannot be read" in import_error(
        run, db, stream)
    # stored, past the prolog check's first block, one digit changed near its end: the
    # XML still parses, the checksum fails while the sheet is read
    long_sheet = sheet + " " * 100_000  # (white space may follow the root element)
    stored = workbook_xml("", target="worksheets/s.bin", changes={
        SHEET_PART: None, "xl/worksheets/s.bin": long_sheet}).getvalue()
    digit = stored.rfind(b"</t>") - 1
    checksum = tmp_path / "checksum.xlsx"
    checksum.write_bytes(stored[:digit] + (b"1" if stored[digit:digit + 1] != b"1" else b"2")
                         + stored[digit + 1:])
    assert "is damaged: Excel's parts in it cannot be read (BadZipFile)" in import_error(
        run, db, checksum)


def test_columns_past_xfd_are_damaged_and_blank_headers_one_problem(
        run: Run, db: Path, tmp_path: Path) -> None:
    past = tmp_path / "past.xlsx"
    past.write_bytes(workbook_xml('<row r="1"><c r="A1" t="inlineStr"><is><t>title</t></is></c>'
                                  '<c r="ZZZZZZ1"><v>1</v></c></row>').getvalue())
    assert "is damaged: Excel's parts in it cannot be read (ValueError)" in import_error(
        run, db, past)
    wide = tmp_path / "wide.xlsx"
    wide.write_bytes(workbook_xml(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>title</t></is></c><c r="XFD1" '
        't="inlineStr"><is><t>owners</t></is></c></row>').getvalue())
    result = run("import", "p", str(wide), "--title", "P")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{wide}:S!1: (blank, columns 2–16383): unknown column; the columns are plan, ref, "
        "title, status, reason, owners, co, area, due, weight, evidence, updated (or their "
        "Russian names); name it with --map 'HEADER=FIELD', or leave it out with "
        "--skip-column 'HEADER'",
        "Error: the header row is not right; nothing was imported"]


def test_a_workbook_reads_each_sheet_part_once() -> None:
    sheets = "".join(f'<sheet name="S{n}" sheetId="{n}" r:id="rId1"/>' for n in range(50))
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    book = (f'<workbook xmlns="{MAIN}" xmlns:r="{rel}"><sheets>{sheets}</sheets></workbook>')
    with zipfile.ZipFile(workbook_xml("", changes={"xl/workbook.xml": book})) as archive:
        assert list(Workbook(archive, "t.xlsx").sheets) == ["S0"]


def test_nested_controls_text_boxes_and_odd_spans_in_a_word_table(ok: Ok,
                                                                  tmp_path: Path) -> None:
    """A table in 2,000 nested content controls; a cell whose run holds a text box (in
    its modern form and its fallback), a no-break hyphen; a span written '²'."""
    text_box = ('<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><w:txbxContent>'
                "<w:p><w:r><w:t>ВРЕЗКА</w:t></w:r></w:p></w:txbxContent></w:drawing>"
                "</mc:Choice><mc:Fallback><w:pict><w:txbxContent><w:p><w:r><w:t>ВРЕЗКА</w:t>"
                "</w:r></w:p></w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r>")
    table = ("<w:tbl><w:tr><w:tc><w:p><w:r><w:t>title</w:t></w:r></w:p></w:tc><w:tc><w:p>"
             "<w:r><w:t>ref</w:t></w:r></w:p></w:tc></w:tr><w:tr><w:tc><w:tcPr><w:gridSpan "
             'w:val="²"/></w:tcPr><w:p><w:r><w:t>Мера</w:t></w:r>' + text_box
             + "<w:r><w:t>-1 на 2024</w:t><w:noBreakHyphen/><w:t>2025</w:t></w:r></w:p></w:tc>"
             "<w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc></w:tr></w:tbl>")
    nested = "<w:sdt><w:sdtContent>" * 2000 + table + "</w:sdtContent></w:sdt>" * 2000
    document = ('<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/'
                'main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">'
                f"<w:body>{nested}</w:body></w:document>")
    path = zip_with(tmp_path / "nested.docx", {"word/document.xml": document.encode()})
    ok("import", "p", str(path), "--title", "P")
    assert fields(jok(ok, "list", "p"), "ref", "title") == [("1", "Мера-1 на 2024-2025")]


def test_pictures_are_not_held_to_the_limits_of_the_xml(ok: Ok, tmp_path: Path) -> None:
    """A plan may carry a scanned page: a 45 MB picture is never unpacked; a part that is
    parsed is held to 40 MB, and the message says it is that part."""
    from tests.test_readers import workbook

    source = workbook(tmp_path / "p.xlsx", [["title"], ["A"]])
    with_picture = tmp_path / "picture.xlsx"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(with_picture, "w",
                                                         zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            new.writestr(item, old.read(item))
        new.writestr("xl/media/image1.png", b"\0" * (45 * 2**20))
    ok("import", "p", str(with_picture), "--title", "P")
    assert fields(jok(ok, "list", "p"), "title") == [("A",)]


@pytest.mark.file_only
def test_a_part_of_tiny_elements_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    """Ten million ``<a/>`` fit in one 40 MB part of a 40 KB file: the parse stops at two
    million elements, in a fraction of the memory the whole tree would take."""
    flood = W_DOCUMENT + b"<w:body>" + b"<a/>" * 10_000_000 + b"</w:body></w:document>"
    path = zip_with(tmp_path / "flood.docx", {"word/document.xml": flood})
    assert path.stat().st_size < 100_000
    exit_code, peak_kib, stderr = import_measured(path, tmp_path / "db.json")
    assert exit_code == 1
    assert stderr == (f"Error: {path} is refused: its part word/document.xml holds more "
                      "than 2,000,000 XML elements, far past any plan; nothing was imported\n")
    assert peak_kib < 400 * 1024  # the whole tree: over 1 GB


# --- plans as offices lay them out (found by a review against real layouts) --------------


def tc(text: str = "", properties: str = "", runs: str | None = None) -> str:
    run = f"<w:r><w:t>{text}</w:t></w:r>" if runs is None else runs
    return f"<w:tc><w:tcPr>{properties}</w:tcPr><w:p>{run}</w:p></w:tc>"


def word_table(path: Path, rows: list[list[str]]) -> Path:
    """A Word document of one table: *rows* of ``tc()`` cells."""
    body = "".join("<w:tr>" + "".join(cells) + "</w:tr>" for cells in rows)
    document = W_DOCUMENT + f"<w:body><w:tbl>{body}</w:tbl></w:body></w:document>".encode()
    return zip_with(path, {"word/document.xml": document})


def test_word_layouts_two_row_headers_headings_and_hidden_text(ok: Ok, tmp_path: Path) -> None:
    """A header over two rows (cells merged down, «Срок исполнения» over «план» and
    «факт»), the numbers row under it, a heading beside an empty ref cell, one written
    with the older hMerge, and hidden text Word does not show."""
    down, cont = '<w:vMerge w:val="restart"/>', "<w:vMerge/>"
    hidden = ('<w:r><w:t xml:space="preserve">Видимый текст</w:t></w:r><w:r><w:rPr><w:vanish/>'
              "</w:rPr><w:t> скрытый</w:t></w:r>")
    path = word_table(tmp_path / "layout.docx", [
        [tc("№ п/п", down), tc("Наименование мероприятия", down),
         tc("Срок исполнения", '<w:gridSpan w:val="2"/>'), tc("Исполнители", down)],
        [tc("", cont), tc("", cont), tc("план"), tc("факт"), tc("", cont)],
        [tc("1"), tc("2"), tc("3"), tc("4"), tc("5")],
        [tc(""), tc("I. Первый раздел", '<w:gridSpan w:val="4"/>')],
        [tc("1."), tc(runs=hidden), tc("2024"), tc("2025"), tc("МИД")],
        [tc("II. Второй раздел", '<w:hMerge w:val="restart"/>'), tc("", "<w:hMerge/>"),
         tc("", "<w:hMerge/>"), tc("", "<w:hMerge/>"), tc("", "<w:hMerge/>")],
        [tc("2."), tc("Вторая мера"), tc("IV квартал 2024 г."), tc(""), tc("Минобороны")],
    ])
    ok("import", "p", str(path), "--title", "P")
    assert fields(jok(ok, "list", "p"), "ref", "title", "due", "owners", "area") == [
        ("1", "Видимый текст", "2024", ["МИД"], "I. Первый раздел"),
        ("2", "Вторая мера", "2024-Q4", ["Минобороны"], "II. Второй раздел")]


def test_sheet_layouts_two_row_headers_and_shown_values(ok: Ok, tmp_path: Path) -> None:
    """The same header over two rows in Excel; a date and a percent in the remarks as
    the sheet shows them."""
    from tests.test_readers import workbook

    rows = [["№ п/п", "Наименование мероприятия", "Срок исполнения", None, "Примечание"],
            [None, None, "план", "факт", None],
            [1, 2, 3, 4, 5],
            [1, "Мера", "2024", "2025", datetime(2024, 2, 1)],
            [2, "Вторая", "2024-Q1", None, 0.5]]
    source = workbook(tmp_path / "layout.xlsx", rows, merges=["A1:A2", "B1:B2", "C1:D1",
                                                                "E1:E2"],
                      formats={"E5": "0%"})
    ok("import", "p", str(source), "--title", "P")
    assert fields(jok(ok, "list", "p"), "ref", "title", "due", "reason") == [
        ("1", "Мера", "2024", "2024-02-01"), ("2", "Вторая", "2024-Q1", "50%")]


NUMBERING = (
    '<w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    '<w:abstractNum w:abstractNumId="90"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt '
    'w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl><w:lvl w:ilvl="1"><w:start w:val="1"/>'
    '<w:numFmt w:val="decimal"/><w:lvlText w:val="%1.%2."/></w:lvl></w:abstractNum>'
    '<w:num w:numId="90"><w:abstractNumId w:val="90"/></w:num><w:num w:numId="91">'
    '<w:abstractNumId w:val="90"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="7"/>'
    "</w:lvlOverride></w:num></w:numbering>")


def numbered_plan(path: Path, numbers: list[tuple[int, int]]) -> Path:
    """A Word plan whose «№ п/п» cells are an automatic list: a (numId, level) each."""
    from docx import Document
    from docx.oxml import parse_xml

    document = Document()
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "№ п/п", "Наименование мероприятия"
    for n, (num_id, level) in enumerate(numbers, 1):
        cells = table.add_row().cells
        cells[0].paragraphs[0]._p.get_or_add_pPr().append(parse_xml(
            '<w:numPr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f'<w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>'))
        cells[1].text = f"Мера {n}"
    document.save(str(path))
    return rewritten_part(path, "word/numbering.xml", NUMBERING.encode())


def rewritten_part(path: Path, member: str, data: bytes) -> Path:
    with zipfile.ZipFile(path) as old:
        parts = {item.filename: old.read(item) for item in old.infolist()}
    parts[member] = data
    return zip_with(path, parts)


@pytest.mark.file_only
def test_words_automatic_numbers_are_the_refs(ok: Ok, run: Run, tmp_path: Path) -> None:
    """«№ п/п» as a numbered list (levels, a second list of the same definition starting at
    7): the refs are the numbers LibreOffice prints, and a second import changes nothing."""
    path = numbered_plan(tmp_path / "numbered.docx",
                         [(90, 0), (90, 1), (90, 1), (90, 0), (91, 0), (91, 1)])
    ok("import", "p", str(path), "--title", "P")
    refs = [ref for ref, _title in fields(jok(ok, "list", "p"), "ref", "title")]
    assert refs == ["1", "1.1", "1.2", "2", "7", "7.1"]
    again = run("import", "p", str(path))
    assert again.stderr == "p: 0 were added, 0 updated, 6 left unchanged\n"
    out = tmp_path / "lo"
    out.mkdir()
    from tests.test_documents import pdf_text

    printed = pdf_text(soffice(path, "pdf", out))
    shown = [line.split()[0] for line in printed.splitlines() if "Мера" in line]
    assert [label.rstrip(".") for label in shown] == refs


def test_list_labels_in_each_number_format() -> None:
    from tracker.readers.numbering import _formatted

    assert [_formatted(n, "russianLower") for n in (1, 6, 9, 28, 29)] == [
        "а", "е", "и", "я", "аа"]
    assert [_formatted(n, "upperRoman") for n in (4, 9, 14, 2024)] == [
        "IV", "IX", "XIV", "MMXXIV"]
    assert _formatted(3, "upperLetter") == "C" and _formatted(5, "decimalZero") == "05"


def test_a_plan_table_continued_in_the_tables_after_it(ok: Ok, run: Run, tmp_path: Path) -> None:
    """A plan split into tables: after «Продолжение таблицы» one that begins with the row
    of column numbers, then one that repeats the header; a table after a heading of its
    own is another one. A bad row of a continuation is named by its table."""
    from docx import Document

    document = Document()

    def table(rows: list[list[str]]) -> None:
        made = document.add_table(rows=0, cols=3)
        for row in rows:
            for cell, text in zip(made.add_row().cells, row, strict=True):
                cell.text = text

    header = ["№ п/п", "Наименование мероприятия", "Срок исполнения"]
    table([header, ["1", "2", "3"], ["1.", "Первая", "2024"]])
    document.add_paragraph("Продолжение таблицы")
    table([["1", "2", "3"], ["2.", "Вторая", "2024-Q2"]])
    table([header, ["3.", "Третья", "ongoing"]])
    document.add_paragraph("Приложение 2. Другой план")
    table([header, ["1.", "Чужая", "2025"]])
    path = tmp_path / "split.docx"
    document.save(str(path))
    ok("import", "p", str(path), "--title", "P")
    assert fields(jok(ok, "list", "p"), "ref", "title", "due") == [
        ("1", "Первая", "2024"), ("2", "Вторая", "2024-Q2"), ("3", "Третья", "ongoing")]
    bad = tmp_path / "bad.docx"
    table_three = document.tables[2]
    table_three.cell(1, 2).text = "скоро"
    document.save(str(bad))
    result = run("import", "q", str(bad), "--title", "Q")
    assert result.stderr.startswith(f"{bad}:table 3!2: Срок исполнения: invalid deadline")


def test_a_table_nested_in_a_cell_is_lines_of_it(ok: Ok, tmp_path: Path) -> None:
    nested = ("<w:tbl><w:tr><w:tc><w:p><w:r><w:t>МЧС</w:t></w:r></w:p></w:tc></w:tr><w:tr>"
              "<w:tc><w:p><w:r><w:t>МВД</w:t></w:r></w:p></w:tc></w:tr></w:tbl>")
    owners = f"<w:tc><w:p><w:r><w:t>Минобороны</w:t></w:r></w:p>{nested}<w:p/></w:tc>"
    path = word_table(tmp_path / "nested.docx", [
        [tc("Наименование мероприятия"), tc("Исполнители")], [tc("Мера"), owners]])
    ok("import", "p", str(path), "--title", "P")
    assert fields(jok(ok, "list", "p"), "owners") == [(["Минобороны", "МЧС", "МВД"],)]


def test_without_sheet_a_table_with_a_merged_header_is_found(ok: Ok, tmp_path: Path) -> None:
    from tests.test_readers import workbook

    rows = [["Наименование мероприятия", "Срок исполнения", None, "Исполнители"],
            [None, "план", "факт", None], ["Мера", "2024", "2025", "МИД"]]
    source = workbook(tmp_path / "b.xlsx", rows, merges=["A1:A2", "B1:C1", "D1:D2"],
                      sheets_before=1)
    ok("import", "b", str(source), "--title", "B")
    assert fields(jok(ok, "list", "b"), "title", "due", "owners") == [("Мера", "2024", ["МИД"])]
