"""The documents a council gets (SPEC §11): the Word report read back with python-docx and
converted by LibreOffice, the PDF's text extracted by pdftotext, the workbook printed by
LibreOffice, page counts measured; in English and in Russian. User text never becomes
markup, a field code, a formula or a link. ``TRACKER_WRITE_SCREENSHOT=1`` also writes the
pictures under docs/ (page 1 of each PDF)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from tests.helpers import Ok, Run, snapshot
from tests.readme import ROOT

REFERENCE = ROOT / "examples" / "csto-2023.csv"
REFERENCE_RU = ROOT / "examples" / "csto-2023.ru.csv"
TRAPS = ["<w:p><w:r><w:t>injected</w:t></w:r></w:p>", '=HYPERLINK("http://evil.example","x")',
         '{ INCLUDETEXT "C:\\\\secret.txt" }', "bell\x07 esc\x1b[31m end", "<b>bold</b> & co"]


def program(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed: run `make test` (it installs it)", pytrace=False)
    return path


def reference(ok: Ok, lang: str = "en") -> None:
    if lang == "ru":
        ok("--lang", "ru", "plan", "add", "csto-2023", "--title",
           "План мероприятий ОДКБ на 2023 год", "--start", "01.01.2023", "--end", "31.12.2023")
        ok("--lang", "ru", "import", "csto-2023", str(REFERENCE_RU), "--on", "21.11.2023")
    else:
        ok("plan", "add", "csto-2023", "--title", "CSTO action plan 2023")
        ok("import", "csto-2023", str(REFERENCE), "--on", "2023-11-21")


def docx_text(path: Path) -> tuple[object, list[str]]:
    """The document and the text of every paragraph and table cell, in order."""
    from docx import Document

    document = Document(str(path))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            texts.extend(cell.text for cell in row.cells)
    return document, texts


def soffice(path: Path, target: str, out: Path) -> Path:
    """Convert *path* with LibreOffice headless (its own profile); the file it wrote."""
    profile = out / "lo-profile"
    result = subprocess.run(
        [program("soffice"), f"-env:UserInstallation=file://{profile}", "--headless",
         "--convert-to", target, "--outdir", str(out), str(path)],
        capture_output=True, text=True, timeout=240)
    made = out / (path.stem + "." + target.split(":")[0])
    assert result.returncode == 0 and made.exists(), result.stdout + result.stderr
    return made


def pdf_pages(path: Path) -> int:
    info = subprocess.run([program("pdfinfo"), str(path)], capture_output=True, text=True,
                          check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]


def pdf_text(path: Path) -> str:
    return subprocess.run([program("pdftotext"), "-layout", str(path), "-"],
                          capture_output=True, text=True, check=True).stdout


def picture(pdf: Path, name: str) -> None:
    """Page 1 of *pdf* as docs/<name>.png, when the run is asked to write pictures."""
    if os.environ.get("TRACKER_WRITE_SCREENSHOT") != "1":
        return
    prefix = pdf.parent / name
    subprocess.run([program("pdftoppm"), "-png", "-r", "70", "-f", "1", "-l", "1",
                    "-singlefile", str(pdf), str(prefix)], check=True)
    (ROOT / "docs").mkdir(exist_ok=True)
    shutil.copyfile(f"{prefix}.png", ROOT / "docs" / f"{name}.png")


# --- Word ------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_word_report_holds_every_measure_in_a4_landscape(ok: Ok, tmp_path: Path,
                                                             lang: str) -> None:
    from docx.enum.section import WD_ORIENT

    reference(ok, lang)
    ok("update", "csto-2023:5", "--area", "II. Peace", "--owner", "Ministry A",
       "--owner", "Ministry B", "--due", "2024-Q1", "--status", "in-progress",
       "--on", "2024-01-05")
    target = tmp_path / "report.docx"
    ok("--lang", lang, "report", "csto-2023", "--format", "docx", "-o", str(target),
       "--as-of", "2024-06-30")
    document, texts = docx_text(target)
    section = document.sections[0]  # type: ignore[attr-defined]
    assert section.orientation == WD_ORIENT.LANDSCAPE
    assert round(section.page_width.cm, 1) == 29.7 and round(section.page_height.cm, 1) == 21.0
    measures = document.tables[0]  # type: ignore[attr-defined]
    assert measures.rows[0]._tr.xml.count("<w:tblHeader") == 1  # repeated on every page
    if lang == "ru":
        assert texts[0] == ("Информация о ходе исполнения плана мероприятий: План мероприятий "
                            "ОДКБ на 2023 год")
        assert texts[1] == "по состоянию на 30.06.2024"
        assert texts[2] == ("Из 34 мероприятий исполнено 31 (91,2 %), не исполнено 2, "
                            "не завершено 1")
        header = ["№ п/п", "Наименование мероприятия", "Срок исполнения",
                  "Ответственные исполнители", "Отметка об исполнении"]
    else:
        assert texts[0] == "Progress report: CSTO action plan 2023"
        assert texts[1] == "as of 2024-06-30"
        assert texts[2] == "31 of 34 measures fulfilled (91.2%); 2 not fulfilled, 1 still in " \
                           "progress"
        header = ["No.", "Measure", "Deadline", "Responsible", "Status and remarks"]
    assert [c.text for c in measures.rows[0].cells] == header
    rows = [[c.text for c in row.cells] for row in measures.rows[1:]]
    refs = [r[0] for r in rows if r[0] != r[1]]  # section rows are one merged cell
    assert refs == [str(n) for n in range(1, 35)]
    section_rows = [r[0] for r in rows if r[0] == r[1] == r[-1]]
    assert section_rows == ["II. Peace", "(без раздела)" if lang == "ru" else "(no section)"]
    five = next(r for r in rows if r[0] == "5")
    assert five[2] == ("I квартал 2024 г." if lang == "ru" else "Q1 2024")
    assert five[3] == "Ministry A\nMinistry B"
    titles = {r[0]: r[1] for r in rows}
    with REFERENCE.open() as handle:
        import csv

        source = {row["ref"]: row for row in csv.DictReader(handle)}
    if lang == "en":
        for ref, row in source.items():
            assert titles[ref] == row["title"]  # every measure's text, exactly
        remarks = {r[0]: r[4] for r in rows}
        assert remarks["34"] == "not-fulfilled\n" + source["34"]["reason"]
    joined = "\n".join(texts)
    assert ("Measures not fulfilled (2)" in joined) or ("Неисполненные мероприятия (2)" in joined)


@pytest.mark.programs
@pytest.mark.parametrize("lang", ["en", "ru"])
def test_libreoffice_prints_the_word_report_on_few_pages(ok: Ok, tmp_path: Path,
                                                        lang: str) -> None:
    reference(ok, lang)
    target = tmp_path / f"report-{lang}.docx"
    ok("--lang", lang, "report", "csto-2023", "--format", "docx", "-o", str(target))
    pdf = soffice(target, "pdf", tmp_path)
    pages = pdf_pages(pdf)
    assert pages in (1, 2, 3), pages
    text = " ".join(pdf_text(pdf).split())
    if lang == "ru":
        assert "Из 34 мероприятий исполнено 32 (94,1 %), не исполнено 2" in text
        assert "Армянская сторона не проявила заинтересованности" in text
        assert "Страница 1 из" in text
    else:
        assert "32 of 34 measures fulfilled (94.1%); 2 not fulfilled" in text
        assert "asked to remove the document from the agenda." in text
        assert "Page 1 of" in text
    picture(pdf, f"report-docx-{lang}")


# --- PDF -------------------------------------------------------------------------------------


@pytest.mark.programs
@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_pdf_is_the_html_page_on_a4_with_page_numbers(ok: Ok, tmp_path: Path,
                                                         lang: str) -> None:
    reference(ok, lang)
    target = tmp_path / f"report-{lang}.pdf"
    ok("--lang", lang, "report", "csto-2023", "--format", "pdf", "-o", str(target),
       "--by", "status")
    assert target.read_bytes().startswith(b"%PDF-")
    info = subprocess.run([program("pdfinfo"), str(target)], capture_output=True, text=True,
                          check=True).stdout
    assert re.search(r"Page size:\s+595(\.\d+)? x 841\.89 pts \(A4\)", info), info
    assert pdf_pages(target) in (1, 2, 3)
    text = " ".join(pdf_text(target).split())
    sentence = ("Из 34 мероприятий исполнено 32 (94,1 %), не исполнено 2" if lang == "ru"
                else "32 of 34 measures fulfilled (94.1%); 2 not fulfilled")
    assert sentence in text
    assert re.search(r"\b1 ?/ ?\d\b", text)  # the page number
    fonts = subprocess.run([program("pdffonts"), str(target)], capture_output=True,
                           text=True, check=True).stdout
    assert "DejaVu" in fonts or "Liberation" in fonts  # a font with Cyrillic, embedded
    picture(target, f"report-pdf-{lang}")


@pytest.mark.programs
def test_a_long_plan_breaks_between_rows_with_the_header_repeated(ok: Ok,
                                                                 tmp_path: Path) -> None:
    source = tmp_path / "long.csv"
    source.write_text("title,status,reason\n" + "".join(
        f"Measure {n} with a long enough title to wrap once or twice in the table,"
        f"not-fulfilled,Reason {n}: the partner did not reply in time\n" for n in range(120)))
    ok("import", "long", str(source), "--title", "Long")
    target = tmp_path / "long.pdf"
    ok("report", "long", "--format", "pdf", "-o", str(target))
    pages = pdf_pages(target)
    assert pages >= 3
    for page in range(2, pages + 1):
        text = subprocess.run([program("pdftotext"), "-f", str(page), "-l", str(page),
                               str(target), "-"], capture_output=True, text=True,
                              check=True).stdout
        if "Reason" in text:
            assert re.search(r"id\s+status\s+title\s+reason", text), page  # the header again


def test_pdf_and_docx_need_an_output_file(ok: Ok, run: Run, db: Path) -> None:
    ok("plan", "add", "p", "--title", "P")
    before = snapshot(db)
    for fmt in ("docx", "pdf"):
        result = run("report", "p", "--format", fmt)
        assert result.exit_code == 2
        assert result.stderr == (f"Error: --format {fmt} writes a document file: add -o "
                                 f"FILE.{fmt}\n")
    assert snapshot(db) == before


def test_pdf_without_weasyprint_names_the_install_command(
        ok: Ok, run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def refuse(name: str, *args: object, **kwargs: object) -> object:
        if name == "weasyprint":
            raise ImportError("no weasyprint")
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    ok("plan", "add", "p", "--title", "P")
    monkeypatch.setattr(builtins, "__import__", refuse)
    result = run("report", "p", "--format", "pdf", "-o", str(tmp_path / "p.pdf"))
    assert result.exit_code == 1
    assert "pip install 'tracker[pdf]'" in result.stderr
    assert not (tmp_path / "p.pdf").exists()


# --- user text stays text --------------------------------------------------------------------


def trap_plan(ok: Ok, run: Run, tmp_path: Path) -> None:
    source = tmp_path / "traps.csv"
    import csv

    with source.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ref", "title", "status", "reason", "evidence"])
        for n, trap in enumerate(TRAPS, 1):
            writer.writerow([n, trap, "not-fulfilled", trap, trap])
    result = run("import", "t", str(source), "--title", '<w:p>=HYPERLINK("x")')
    assert result.exit_code == 0, result.stderr


def shown(text: str) -> str:
    """A trap as documents show it: control characters as escapes."""
    return text.replace("\x07", "\\x07").replace("\x1b", "\\x1b")


def test_no_user_text_becomes_markup_or_a_field_in_the_word_report(
        ok: Ok, run: Run, tmp_path: Path) -> None:
    trap_plan(ok, run, tmp_path)
    target = tmp_path / "traps.docx"
    ok("report", "t", "--format", "docx", "-o", str(target))
    document, texts = docx_text(target)
    for trap in TRAPS:
        assert shown(trap) in texts, trap
    with zipfile.ZipFile(target) as archive:
        body = archive.read("word/document.xml").decode()
    assert "injected</w:t></w:r></w:p>" not in body.replace("&lt;", "<").split("<w:body>")[0]
    assert body.count("<w:fldChar") == 0  # no field in the body (page numbers: the footer)
    assert "INCLUDETEXT" not in re.sub(r"<w:t[^>]*>[^<]*</w:t>", "", body)
    assert "&lt;w:p&gt;" in body


def test_no_user_text_becomes_a_formula_or_link_in_the_workbook(ok: Ok, run: Run,
                                                               tmp_path: Path) -> None:
    import openpyxl

    trap_plan(ok, run, tmp_path)
    target = tmp_path / "traps.xlsx"
    ok("export", "t", "--format", "xlsx", "-o", str(target))
    book = openpyxl.load_workbook(target)
    values = set()
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f" and cell.hyperlink is None
                values.add(cell.value)
    assert {t for t in TRAPS if "\x07" not in t} <= values


@pytest.mark.programs
def test_no_user_text_becomes_html_in_the_pdf(ok: Ok, run: Run, tmp_path: Path) -> None:
    trap_plan(ok, run, tmp_path)
    target = tmp_path / "traps.pdf"
    ok("report", "t", "--format", "pdf", "-o", str(target))
    text = pdf_text(target)
    assert "<b>bold</b> & co" in text and "<w:p>" in text


def test_a_long_unbroken_word_stays_on_the_pdf_page(ok: Ok, tmp_path: Path) -> None:
    url = "https://example.org/" + "abcdefghij" * 15 + ".pdf"  # no place to break
    ok("plan", "add", "u", "--title", "Plan U")
    ok("add", "u", "Publish the note", "--status", "not-fulfilled", "--reason",
       f"see {url} for the partner's answer")
    target = tmp_path / "url.pdf"
    ok("report", "u", "--format", "pdf", "-o", str(target))
    boxes = subprocess.run([program("pdftotext"), "-bbox", str(target), "-"],
                           capture_output=True, text=True, check=True).stdout
    page = float(re.search(r'<page width="([\d.]+)"', boxes).group(1))  # type: ignore[union-attr]
    right = max(float(x) for x in re.findall(r'xMax="([\d.]+)"', boxes))
    assert right <= page - 20, (right, page)  # inside the page, margin kept
    raw = subprocess.run([program("pdftotext"), "-raw", str(target), "-"],
                         capture_output=True, text=True, check=True).stdout
    assert url in "".join(raw.split())  # every character there, broken across lines at most


def column_width(sheet: object, letter: str) -> float:
    """A column's width, also where the file sets it for a range of columns at once."""
    from openpyxl.utils import column_index_from_string

    index = column_index_from_string(letter)
    for dimension in sheet.column_dimensions.values():  # type: ignore[attr-defined]
        if dimension.min <= index <= dimension.max:
            return float(dimension.width)
    raise AssertionError(f"column {letter} has no width")


# --- the workbook prints ---------------------------------------------------------------------


def test_every_sheet_prints_landscape_one_page_wide_with_its_header(ok: Ok,
                                                                   tmp_path: Path) -> None:
    import openpyxl

    reference(ok, "ru")
    ok("update", "csto-2023:34", "--reason", "строка один\nстрока два\nстрока три")
    target = tmp_path / "ru.xlsx"
    ok("--lang", "ru", "export", "csto-2023", "--format", "xlsx", "-o", str(target))
    book = openpyxl.load_workbook(target)
    for sheet in book.worksheets:
        assert sheet.page_setup.orientation == "landscape", sheet.title
        assert sheet.page_setup.paperSize == 9, sheet.title  # A4
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        assert sheet.page_setup.fitToWidth in (None, 1), sheet.title  # None: Excel's default, 1
        assert sheet.freeze_panes is not None, sheet.title
    assert book["Мероприятия"].print_title_rows in ("1:1", "$1:$1")  # repeated on each page
    assert book["Сводка"].page_setup.fitToHeight in (None, 1)  # table and chart on one page
    assert book["Мероприятия"].page_setup.fitToHeight == 0  # as many pages tall as it needs
    items = book["Мероприятия"]
    heights = {row: items.row_dimensions[row].height for row in range(2, items.max_row + 1)}
    three_lines = next(r for r in range(2, items.max_row + 1)
                       if items.cell(r, 5).value and "строка три" in items.cell(r, 5).value)
    assert heights[three_lines] >= 3 * 15  # a three-line reason gets three lines' height
    widths = {c: column_width(items, c) for c in "ABCDEFGHIJK"}
    assert widths["C"] > widths["B"] and widths["C"] >= 40  # the measures' titles
    assert widths["I"] < 12  # the weights


@pytest.mark.programs
def test_libreoffice_prints_the_workbook_on_few_pages(ok: Ok, tmp_path: Path) -> None:
    reference(ok, "ru")
    target = tmp_path / "ru.xlsx"
    ok("--lang", "ru", "export", "csto-2023", "--format", "xlsx", "-o", str(target))
    pdf = soffice(target, "pdf", tmp_path)
    pages = pdf_pages(pdf)
    assert pages <= 4, pages  # Summary 1, Items 1–2 (one page wide), Unfulfilled 1
    text = " ".join(pdf_text(pdf).split())
    assert "Армянская сторона не проявила заинтересованности" in text


# --- export as of a day ----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "json", "markdown", "xlsx"])
def test_export_as_of_a_day_gives_the_items_as_they_stood(ok: Ok, tmp_path: Path,
                                                         fmt: str) -> None:
    import json

    ok("plan", "add", "p", "--title", "P")
    ok("add", "p", "First", "--on", "2024-01-10")
    ok("update", "p:1", "--status", "fulfilled", "--on", "2024-03-01")
    ok("add", "p", "Added later", "--on", "2024-04-01")
    if fmt == "xlsx":
        import openpyxl

        target = tmp_path / "p.xlsx"
        ok("export", "p", "--as-of", "2024-02-01", "--format", "xlsx", "-o", str(target))
        rows = list(openpyxl.load_workbook(target)["Items"].iter_rows(values_only=True))
        assert [r[:4] for r in rows[1:]] == [("p", "1", "First", "not-started")]
        return
    text = ok("export", "p", "--as-of", "2024-02-01", "--format", fmt)
    if fmt == "json":
        assert [(i["ref"], i["status"]) for i in json.loads(text)] == [("1", "not-started")]
    else:
        assert "not-started" in text and "Added later" not in text and "fulfilled" not in text
    assert "fulfilled" in ok("export", "p", "--format", fmt)
