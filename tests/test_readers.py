"""Import from the Word document that approved a plan and from the Excel sheet someone
keeps (SPEC §6): fixtures built here with python-docx and openpyxl, the items compared
field by field; every rule of CSV import for both; and each kind of bad file refused in
one line with the database byte-identical."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import Ok, Run, jok, log_events, snapshot

# --- building fixtures ---------------------------------------------------------------------


def word_plan(path: Path, rows: list[list[str] | str], headers: list[str] | None = None,
              before: int = 0) -> Path:
    """A Word document: *before* tables of other things, then the plan's table; a row
    given as a string is a section heading merged across the table; a cell holding
    '\\n' is several paragraphs."""
    from docx import Document

    headers = headers or ["№ п/п", "Наименование мероприятия", "Срок исполнения",
                          "Ответственные исполнители"]
    document = Document()
    document.add_paragraph("УТВЕРЖДЁН решением Совета от 21.11.2023 (текст вне таблицы)")
    for n in range(before):
        other = document.add_table(rows=2, cols=2)
        other.cell(0, 0).text, other.cell(0, 1).text = "Согласовано", "Подпись"
        other.cell(1, 0).text = f"другая таблица {n}"
    table = document.add_table(rows=1, cols=len(headers))
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = text
    for row in rows:
        cells = table.add_row().cells
        if isinstance(row, str):
            merged = cells[0].merge(cells[-1])
            merged.text = row
            continue
        for cell, text in zip(cells, row, strict=False):
            lines = text.split("\n")
            cell.text = lines[0]
            for line in lines[1:]:
                cell.add_paragraph(line)
    document.add_paragraph("Текст после таблицы тоже не читается.")
    document.save(str(path))
    return path


def workbook(path: Path, rows: list[list[Any]], title: str = "План",
             merges: list[str] = (), formats: dict[str, str] | None = None,
             sheets_before: int = 0) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    first = book.active
    if sheets_before:
        first.title = "Обложка"
        first.append(["Ничего о мероприятиях"])
        sheet = book.create_sheet(title)
    else:
        first.title = title
        sheet = first
    for row in rows:
        sheet.append(row)
    for merge in merges:
        sheet.merge_cells(merge)
    for address, number_format in (formats or {}).items():
        sheet[address].number_format = number_format
    book.save(str(path))
    return path


PLAN_ROWS: list[list[str] | str] = [
    ["1", "2", "3", "4"],  # the row of column numbers under the header
    "I. Организационные мероприятия",
    ["1.", "Утвердить состав рабочей группы", "IV квартал 2023 г.", "Секретариат"],
    ["2.", "Провести заседание\nпо итогам года", "до 20.12.2023",
     "Секретариат\nМИД, Минобороны; Пресс-служба"],
    "II. Миротворческая деятельность",
    ["2.1.", "Провести учения", "2023–2024 гг.", "Объединённый штаб"],
    ["3.", "Вести реестр решений", "постоянно", "Секретариат"],
    ["4.", "Подготовить доклад", "в течение года", ""],
]


def fields(items: list[dict[str, Any]], *names: str) -> list[tuple[Any, ...]]:
    return [tuple(i[n] for n in names) for i in items]


# --- Word ----------------------------------------------------------------------------------


def test_a_word_plan_imports_field_by_field(ok: Ok, run: Run, tmp_path: Path) -> None:
    source = word_plan(tmp_path / "plan.docx", PLAN_ROWS)
    ok("plan", "add", "csto", "--title", "План", "--start", "01.01.2023", "--end", "31.12.2023")
    result = run("import", "csto", str(source), "--on", "2023-01-10")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == "csto: 5 were added, 0 updated, 0 left unchanged\n"
    items = jok(ok, "list", "csto")
    assert fields(items, "ref", "title", "due", "owners", "area", "status") == [
        ("1", "Утвердить состав рабочей группы", "2023-Q4", ["Секретариат"],
         "I. Организационные мероприятия", "not-started"),
        ("2", "Провести заседание\nпо итогам года", "2023-12-20",
         ["Секретариат", "МИД", "Минобороны", "Пресс-служба"],
         "I. Организационные мероприятия", "not-started"),
        ("2.1", "Провести учения", "2023..2024", ["Объединённый штаб"],
         "II. Миротворческая деятельность", "not-started"),
        ("3", "Вести реестр решений", "ongoing", ["Секретариат"],
         "II. Миротворческая деятельность", "not-started"),
        ("4", "Подготовить доклад", "2023", [], "II. Миротворческая деятельность",
         "not-started"),
    ]
    assert {i["created"] for i in items} == {"2023-01-10"}


def test_the_first_table_that_names_the_columns_or_table_n(ok: Ok, run: Run,
                                                           tmp_path: Path) -> None:
    source = word_plan(tmp_path / "plan.docx", PLAN_ROWS, before=2)
    ok("import", "a", str(source), "--title", "A", "--skip-column", "Срок исполнения")
    assert len(jok(ok, "list", "a")) == 5
    wrong = run("import", "b", str(source), "--title", "B", "--table", "1")
    assert wrong.exit_code == 1
    assert "table 1 has no header row that names a title column" in wrong.stderr
    ok("import", "c", str(source), "--title", "C", "--table", "3",
       "--skip-column", "Срок исполнения")
    assert len(jok(ok, "list", "c")) == 5


def test_a_progress_table_with_russian_statuses_and_remarks(ok: Ok, tmp_path: Path) -> None:
    headers = ["№", "Мероприятие", "Отметка об исполнении", "Примечание"]
    rows: list[list[str] | str] = [
        ["1.", "Утвердить состав", "Исполнено", ""],
        ["2.", "Провести заседание", "НЕ ВЫПОЛНЕНО", "Партнёр отказался"],
        ["3.", "Провести учения", "выполнено частично", "Перенесено на 2024 год"],
        ["4.", "Вести реестр", "в работе", ""],
        ["5.", "Доклад", "исключено из плана", "Решение Совета"],
    ]
    source = word_plan(tmp_path / "progress.docx", rows, headers=headers)
    ok("import", "p", str(source), "--title", "P")
    assert fields(jok(ok, "list", "p"), "ref", "status", "reason") == [
        ("1", "fulfilled", ""), ("2", "not-fulfilled", "Партнёр отказался"),
        ("3", "partial", "Перенесено на 2024 год"), ("4", "in-progress", ""),
        ("5", "withdrawn", "Решение Совета")]


def test_an_empty_cell_of_a_plan_leaves_what_was_recorded(ok: Ok, tmp_path: Path) -> None:
    headers = ["№ п/п", "Наименование мероприятия", "Отметка об исполнении", "Примечание"]
    first = word_plan(tmp_path / "a.docx", [["1", "Мера", "не исполнено", "Причина"]],
                      headers=headers)
    again = word_plan(tmp_path / "b.docx", [["1", "Мера", "", ""]], headers=headers)
    ok("import", "p", str(first), "--title", "P")
    ok("import", "p", str(again))
    assert fields(jok(ok, "list", "p"), "status", "reason") == [("not-fulfilled", "Причина")]


# --- Excel ---------------------------------------------------------------------------------


def test_an_excel_sheet_imports_field_by_field(ok: Ok, run: Run, tmp_path: Path) -> None:
    rows = [
        ["Ход исполнения плана (заголовок над таблицей)"],
        [None],
        ["№ п/п", "Наименование мероприятия", "Срок исполнения", "Ответственные исполнители",
         "Отметка об исполнении", "Вес"],
        ["I. Организационные мероприятия"],
        [1, "Утвердить состав", datetime(2023, 12, 20), "Секретариат", "Исполнено", 1],
        [2.1, "Провести учения", "IV квартал 2023 г.", "МИД, Минобороны", "в работе", 2.5],
        [1.1, "Мера с номером 1.10", "20.12.2023", None, "не начато", None],
        ["II. Второй раздел"],
        ["3", "Мера строкой", "2023", "Пресс-служба", None, 3],
        [4.0, "Общие исполнители\n(объединённая ячейка)", "2024-H1", "Секретариат", None, None],
        [5, "Вторая строка объединения", "ongoing", None, "исполнено частично", None],
        [None, None, None, None, None, None],
    ]
    source = workbook(tmp_path / "progress.xlsx", rows, title="Исполнение",
                      merges=["A4:F4", "A8:F8", "D10:D11"], formats={"A7": "0.00"},
                      sheets_before=1)
    result = run("import", "x", str(source), "--title", "X", "--sheet", "исполнение")
    assert result.exit_code == 0, result.stderr
    items = jok(ok, "list", "x")
    assert fields(items, "ref", "title", "due", "owners", "area", "status", "weight") == [
        ("1", "Утвердить состав", "2023-12-20", ["Секретариат"],
         "I. Организационные мероприятия", "fulfilled", 1),
        ("1.10", "Мера с номером 1.10", "2023-12-20", [], "I. Организационные мероприятия",
         "not-started", 1),
        ("2.1", "Провести учения", "2023-Q4", ["МИД", "Минобороны"],
         "I. Организационные мероприятия", "in-progress", 2.5),
        ("3", "Мера строкой", "2023", ["Пресс-служба"], "II. Второй раздел", "not-started", 3),
        ("4", "Общие исполнители\n(объединённая ячейка)", "2024-H1", ["Секретариат"],
         "II. Второй раздел", "not-started", 1),
        ("5", "Вторая строка объединения", "ongoing", ["Секретариат"], "II. Второй раздел",
         "partial", 1),
    ]


def test_without_sheet_the_first_sheet_with_the_table_is_read(ok: Ok, tmp_path: Path) -> None:
    source = workbook(tmp_path / "b.xlsx", [["title", "status"], ["A", "fulfilled"]],
                      sheets_before=1)
    ok("import", "b", str(source), "--title", "B")
    assert fields(jok(ok, "list", "b"), "title", "status") == [("A", "fulfilled")]


def test_errors_name_file_sheet_row_and_column(run: Run, db: Path, tmp_path: Path) -> None:
    rows = [["№ п/п", "Мероприятие", "Срок", "Статус"],
            [1, "Хорошая", "2024", "исполнено"],
            [2, "Плохой срок", "скоро", "исполнено"],
            [3, None, "2024", "исполнено"],
            [4, "Плохой статус", "2024", "готово"],
            [1, "Повтор", "2024", None]]
    source = workbook(tmp_path / "bad.xlsx", rows, title="План")
    before = snapshot(db)
    result = run("import", "x", str(source), "--title", "X")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"{source}:План!3: Срок: invalid deadline 'скоро': use a day")
    assert lines[1] == (f"{source}:План!4: Мероприятие: the title is empty: write at least "
                        "one character other than a space")
    assert lines[2].startswith(f"{source}:План!5: Статус: invalid status 'готово'")
    assert lines[3] == f"{source}:План!6: ref: '1' appears again (first on row 2)"
    assert lines[4] == "Error: 4 bad rows; nothing was imported"
    assert snapshot(db) == before


def test_an_exported_workbook_reads_back_as_the_same_items(ok: Ok, tmp_path: Path) -> None:
    ok("plan", "add", "p", "--title", "P")
    ok("add", "p", "=HYPERLINK(\"http://x\")", "--owner", "A, with a comma", "--owner", "B",
       "--due", "2024-Q2", "--weight", "0.5", "--reason", "two\nlines", "--status", "stalled",
       "--evidence", "https://example.org")
    ok("add", "p", "Второе", "--ref", "2.10", "--due", "21.11.2023")
    target = tmp_path / "p.xlsx"
    ok("export", "p", "-f", "xlsx", "-o", str(target))
    ok("import", "q", str(target), "--title", "Q")
    keys = ("ref", "title", "status", "reason", "owners", "area", "due", "weight", "evidence")
    assert fields(jok(ok, "list", "q"), *keys) == fields(jok(ok, "list", "p"), *keys)


# --- the rules of every import -----------------------------------------------------------


@pytest.mark.parametrize("kind", ["docx", "xlsx"])
def test_dry_run_one_step_one_undo_and_idempotent(ok: Ok, run: Run, db: Path, tmp_path: Path,
                                                  kind: str) -> None:
    table = [["1", "Первая", "2024", "Секретариат"], ["2", "Вторая", "2024-Q1", "МИД"]]
    if kind == "docx":
        source = word_plan(tmp_path / "p.docx", list(table))
    else:
        source = workbook(tmp_path / "p.xlsx", [["№ п/п", "Наименование мероприятия",
                                                 "Срок исполнения",
                                                 "Ответственные исполнители"], *table])
    ok("plan", "add", "p", "--title", "P")
    before = snapshot(db)
    dry = run("import", "p", str(source), "--dry-run")
    assert dry.stdout == "add p:1  Первая\nadd p:2  Вторая\n"
    assert snapshot(db) == before
    ok("import", "p", str(source))
    assert {e["step"] for e in log_events(ok) if e["action"] == "import"} == {2}
    again = run("import", "p", str(source))
    assert again.stderr == "p: 0 were added, 0 updated, 2 left unchanged\n"
    ok("undo", "--yes")
    assert jok(ok, "list", "p") == []


def test_map_and_skip_column(ok: Ok, run: Run, tmp_path: Path) -> None:
    headers = ["№ п/п", "Суть поручения", "Исполнение", "Подпись"]
    source = word_plan(tmp_path / "p.docx", [["1", "Мера", "исполнено", "Иванов"]],
                       headers=headers)
    unknown = run("import", "p", str(source), "--title", "P")
    assert unknown.exit_code == 1
    assert ("Суть поручения: unknown column; the columns are plan, ref, title, status, "
            "reason, owners, co, area, due, weight, evidence, updated (or their Russian names); "
            "name it with --map 'Суть поручения=FIELD', or leave it out with --skip-column "
            "'Суть поручения'") in unknown.stderr
    ok("import", "p", str(source), "--title", "P", "--map", "Суть поручения=title",
       "--map", "исполнение=status", "--skip-column", "подпись")
    assert fields(jok(ok, "list", "p"), "title", "status") == [("Мера", "fulfilled")]
    bad = run("import", "p", str(source), "--map", "Суть поручения=measure")
    assert bad.exit_code == 2 and "'measure' is not a field" in bad.stderr


def test_in_the_course_of_the_year_needs_the_plans_year_in_an_import(
        run: Run, db: Path, tmp_path: Path) -> None:
    source = word_plan(tmp_path / "p.docx", [["1", "Мера", "в течение года", ""]])
    before = snapshot(db)
    result = run("import", "p", str(source), "--title", "No dates")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{source}:2: due: «в течение года» needs the plan's year: give the plan a --start or "
        "--end (tracker plan edit), or write the year («в течение 2023 года»)")
    assert snapshot(db) == before


def test_csv_reads_russian_headers_and_statuses_too(ok: Ok, tmp_path: Path) -> None:
    source = tmp_path / "ru.csv"
    source.write_text("№ п/п;Мероприятие;Статус;Причина;Срок\n"
                      "1.;Первое;Исполнено;;IV квартал 2023 г.\n"
                      "2.;Второе;не исполнено;их позиция;21.11.2023\n")
    ok("import", "p", str(source), "--title", "P")
    assert fields(jok(ok, "list", "p"), "ref", "status", "reason", "due") == [
        ("1", "fulfilled", "", "2023-Q4"), ("2", "not-fulfilled", "их позиция", "2023-11-21")]


def test_status_in_russian_on_the_command_line(ok: Ok) -> None:
    ok("plan", "add", "p", "--title", "P")
    ok("add", "p", "M", "--status", "Не исполнено", "--reason", "их позиция")
    ok("update", "p:1", "--status", "ИСПОЛНЕНО ЧАСТИЧНО")
    assert jok(ok, "show", "p:1")["status"] == "partial"
    assert len(jok(ok, "list", "--status", "исполнено частично")) == 1


# --- bad files -----------------------------------------------------------------------------


def zip_with(path: Path, parts: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def docx_parts(document_xml: bytes) -> dict[str, bytes]:
    """A minimal .docx whose word/document.xml is *document_xml*."""
    return {
        "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxml'
                               b'formats.org/package/2006/content-types"><Default '
                               b'Extension="xml" ContentType="application/xml"/></Types>',
        "word/document.xml": document_xml,
    }


BOMB = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;'
        b'&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><w:document xmlns:w="http://schemas.'
        b'openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&lol2;</w:t>'
        b'</w:r></w:p></w:body></w:document>')
EXTERNAL = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "http://127.0.0.1:9/x">]>'
            b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/'
            b'main"><w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>')


def bad_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    csv_named_xlsx = tmp_path / "really-csv.xlsx"
    csv_named_xlsx.write_text("title,status\nA,fulfilled\n")
    good = workbook(tmp_path / "good.xlsx", [["title"], ["A"]])
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    encrypted = tmp_path / "encrypted.xlsx"
    encrypted.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4000)
    no_table = tmp_path / "letter.docx"
    from docx import Document

    letter = Document()
    letter.add_paragraph("Письмо без таблицы")
    letter.save(str(no_table))
    other_table = word_plan(tmp_path / "other.docx", [["1", "2"]], headers=["Дата", "Подпись"])
    bomb = zip_with(tmp_path / "bomb.docx", docx_parts(BOMB))
    external = zip_with(tmp_path / "external.docx", docx_parts(EXTERNAL))
    huge = tmp_path / "huge.xlsx"
    with zipfile.ZipFile(huge, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            block = b"<row><c><v>1</v></c></row>" * 40_000
            for _ in range(100 * 2**20 // len(block)):  # 100 MB of sheet
                part.write(block)
    return {
        "csv named .xlsx": (csv_named_xlsx, "is not an Excel workbook (.xlsx): it holds CSV or "
                                            "text (rename it to .csv to import it as CSV)"),
        "truncated zip": (truncated, "is damaged: it is not a whole .xlsx file"),
        "encrypted": (encrypted, "is password-protected, or an old Office 97–2003 file"),
        "no table": (no_table, "has no table"),
        "no matching table": (other_table, "has no table whose header row names the "
                                           "measures' column"),
        "XML bomb": (bomb, "declares an XML document type or entity"),
        "external entity": (external, "declares an XML document type or entity"),
        "100 MB sheet": (huge, "is refused: it expands to more than 99 MB, far past any plan"),
    }


def test_each_bad_file_is_one_clear_line_and_nothing_is_written(
        ok: Ok, run: Run, db: Path, tmp_path: Path) -> None:
    ok("plan", "add", "p", "--title", "P")
    before = snapshot(db)
    for what, (path, message) in bad_files(tmp_path).items():
        result = run("import", "p", str(path))
        assert result.exit_code == 1, what
        assert len(result.stderr.splitlines()) == 1, (what, result.stderr)
        assert message in result.stderr, (what, result.stderr)
        assert "Traceback" not in result.stderr
        assert snapshot(db) == before, what


def import_measured(path: Path, db: Path) -> tuple[int, int, str]:
    """``tracker import p PATH`` in a process of its own: its exit code, its peak memory
    (KiB) and its stderr."""
    code = ("import sys; from tracker.cli import main; sys.argv = ['tracker', "
            f"'--db', {str(db)!r}, 'import', 'p', {str(path)!r}, '--title', "
            "'P']\ntry:\n    main()\nexcept SystemExit as exc:\n    code = exc.code\n"
            "peak = [line.split()[1] for line in open('/proc/self/status')\n"
            "        if line.startswith('VmHWM:')][0]\n"
            "print(code, peak)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    exit_code, peak_kib = run.stdout.split()
    return int(exit_code), int(peak_kib), run.stderr


@pytest.mark.file_only
def test_a_100_mb_sheet_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    path, _message = bad_files(tmp_path)["100 MB sheet"]
    exit_code, peak_kib, _stderr = import_measured(path, tmp_path / "db.json")
    assert exit_code == 1
    assert peak_kib < 200 * 1024  # well under the sheet's 100 MB unpacked, plus Python
    assert not (tmp_path / "db.json").exists()


def test_old_office_files_and_unknown_options_say_what_to_do(run: Run, tmp_path: Path) -> None:
    old = tmp_path / "plan.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    result = run("import", "p", str(old), "--title", "P")
    assert result.exit_code == 1 and "save it as .xlsx" in result.stderr
    csv = tmp_path / "a.csv"
    csv.write_text("title\nA\n")
    assert run("import", "p", str(csv), "--sheet", "x").exit_code == 2
    assert run("import", "p", str(csv), "--table", "1").exit_code == 2


def test_stdin_is_read_by_its_content(ok: Ok, tmp_path: Path) -> None:
    source = workbook(tmp_path / "b.xlsx", [["title", "status"], ["A", "fulfilled"]])
    ok("import", "b", "-", "--title", "B", input=source.read_bytes())
    assert json.loads(ok("list", "b", "-f", "json"))[0]["status"] == "fulfilled"


def test_the_examples_are_what_their_script_builds(ok: Ok, tmp_path: Path) -> None:
    """examples/plan-2024.docx and progress-2024.xlsx come from scripts/make-examples.py
    (their measures labelled as invented), and read the same when built again."""
    root = Path(__file__).resolve().parent.parent
    subprocess.run([sys.executable, str(root / "scripts" / "make-examples.py"), str(tmp_path)],
                   check=True, capture_output=True, timeout=120)
    for plan, folder in (("committed", root / "examples"), ("rebuilt", tmp_path)):
        ok("plan", "add", plan, "--title", plan, "--start", "2024-01-01", "--end", "2024-12-31")
        ok("import", plan, str(folder / "plan-2024.docx"), "--on", "2024-01-15")
        ok("import", plan, str(folder / "progress-2024.xlsx"), "--on", "2024-06-28")
    keys = ("ref", "title", "status", "reason", "owners", "area", "due", "created")
    committed = fields(jok(ok, "list", "committed"), *keys)
    assert committed == fields(jok(ok, "list", "rebuilt"), *keys)
    assert len(committed) == 8
    from docx import Document

    text = "\n".join(p.text for p in Document(str(root / "examples" / "plan-2024.docx")).paragraphs)
    assert "мероприятия вымышлены" in text
