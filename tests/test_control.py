"""Control of execution (SPEC §13): the responsible executor and co-executors, a deadline
moved as a decision, on time or late, and the executive-discipline report — on both
backends, in both languages, in the formats a secretariat hands out."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import TODAY, Ok, Run, jok, log_events, snapshot

AS_OF = "2024-07-01"


@pytest.fixture
def control(ok: Ok) -> str:
    """A plan of six measures, as of 1 July 2024: 1 moved once and fulfilled 3 days after
    its new deadline (64 after the original), 2 fulfilled in its quarter, 3 overdue, 4
    ongoing, 5 not yet due, 6 withdrawn."""
    ok("plan", "add", "p", "--title", "Plan 2024", "--start", "2024-01-01", "--end", "2024-12-31")
    on = ("--on", "2024-01-10")
    ok("add", "p", "Ratify the agreement", "--ref", "1", "--responsible", "MFA", "--co", "MoD",
       "--due", "2024-03-31", "--area", "Law", *on)
    ok("add", "p", "Hold the exercise", "--ref", "2", "--responsible", "MoD",
       "--due", "II квартал 2024 г.", "--area", "Defence", *on)
    ok("add", "p", "Open the office", "--ref", "3", "--responsible", "MFA", "--due", "2024-05-15",
       "--area", "Law", *on)
    ok("add", "p", "Keep the register", "--ref", "4", "--responsible", "MoF", "--co", "MFA",
       "--due", "ongoing", *on)
    ok("add", "p", "Publish the review", "--ref", "5", "--responsible", "MoF", "--due", "2024-10",
       *on)
    ok("add", "p", "Host the seminar", "--ref", "6", "--responsible", "MoD", "--due", "2024-04-30",
       "--area", "Defence", *on)
    ok("update", "p:1", "--due", "2024-05-31", "--reason", "the parliament sits in May",
       "--basis", "decision of the council of 15.03.2024", "--on", "2024-03-20")
    ok("update", "p:1", "--status", "fulfilled", "--on", "2024-06-03")
    ok("update", "p:2", "--status", "fulfilled", "--on", "2024-06-20")
    ok("update", "p:6", "--status", "withdrawn", "--reason", "the host withdrew", "--on",
       "2024-04-10")
    return "p"


def judged(ok: Ok, *args: str) -> dict[str, tuple[object, ...]]:
    return {i["id"]: (i["responsible"], i["owners"], i["due"], i["due_original"], i["due_moves"],
                      i["on_time"], i["delay_days"], i["on_time_original"],
                      i["delay_days_original"])
            for i in jok(ok, "export", "p", *args)}


# --- 1. responsible and co-executors ------------------------------------------------------

def test_the_first_owner_answers_and_the_others_help(ok: Ok, control: str) -> None:
    items = judged(ok)
    assert items["p:1"][:2] == ("MFA", ["MFA", "MoD"])
    assert items["p:4"][:2] == ("MoF", ["MoF", "MFA"])
    listed = ok("list", "p", "--owner", "MoD")
    assert [line.split()[0] for line in listed.splitlines()[2:]] == ["p:1", "p:2", "p:6"]
    listed = ok("list", "p", "--responsible", "MoD")
    assert [line.split()[0] for line in listed.splitlines()[2:]] == ["p:2", "p:6"]
    header, rule, first = ok("list", "p", "--responsible", "MFA").splitlines()[:3]
    assert header.split()[:6] == ["id", "status", "title", "responsible", "co-executors", "area"]
    assert first.split("  ")[0] == "p:1" and "MoD" in first.split()


def test_update_replaces_the_responsible_and_adds_co_executors(ok: Ok, control: str) -> None:
    ok("update", "p:1", "--responsible", "MoD")  # a co-executor becomes the responsible one
    assert jok(ok, "show", "p:1")["owners"] == ["MoD"]
    ok("update", "p:1", "--co", "MFA", "--co", "MoF")
    assert jok(ok, "show", "p:1")["owners"] == ["MoD", "MFA", "MoF"]
    ok("update", "p:1", "--responsible", "MoF")
    assert jok(ok, "show", "p:1")["owners"] == ["MoF", "MFA"]
    ok("add", "p", "Seven", "--owner", "A", "--owner", "B", "--responsible", "C")
    assert jok(ok, "show", "p:7")["owners"] == ["C", "A", "B"]


def test_import_reads_the_responsible_and_co_executor_columns(ok: Ok, tmp_path: Path) -> None:
    ok("plan", "add", "q", "--title", "Q", "--start", "2024-01-01", "--end", "2024-12-31")
    ru = tmp_path / "ru.csv"
    ru.write_text("№,Мероприятие,Ответственный исполнитель,Соисполнители,Срок\n"
                  "1,Ratify,МИД,Минобороны; Минфин,31.03.2024\n"
                  "2,Hold,Минобороны,,II квартал 2024 г.\n", encoding="utf-8")
    ok("--lang", "ru", "import", "q", str(ru), "--on", "10.01.2024")
    en = tmp_path / "en.csv"
    en.write_text("ref,title,responsible,co-executors\n3,Open,MFA,MoD\n", encoding="utf-8")
    ok("import", "q", str(en), "--on", "2024-01-10")
    cell = tmp_path / "cell.csv"
    cell.write_text("ref,title,owners\n4,Keep,MoF; MFA\n", encoding="utf-8")
    ok("import", "q", str(cell), "--on", "2024-01-10")
    got = {i["ref"]: (i["responsible"], i["owners"]) for i in jok(ok, "export", "q")}
    assert got == {"1": ("МИД", ["МИД", "Минобороны", "Минфин"]),
                   "2": ("Минобороны", ["Минобороны"]), "3": ("MFA", ["MFA", "MoD"]),
                   "4": ("MoF", ["MoF", "MFA"])}


# --- 2. a deadline moved is a decision ----------------------------------------------------

def test_a_move_keeps_the_original_and_show_lists_it(ok: Ok, control: str) -> None:
    item = jok(ok, "show", "p:1")
    assert (item["due"], item["due_original"], item["due_moves"]) == ("2024-05-31",
                                                                     "2024-03-31", 1)
    assert item["moves"] == [{"effective": "2024-03-20", "from": "2024-03-31",
                              "to": "2024-05-31", "reason": "the parliament sits in May",
                              "basis": "decision of the council of 15.03.2024",
                              "actor": "tester"}]
    text = ok("show", "p:1")
    assert "original deadline              2024-03-31" in text
    assert ("2024-03-20   2024-03-31  2024-05-31  the parliament sits in May  "
            "decision of the council of 15.03.2024  tester") in text
    row = next(line for line in ok("list", "p").splitlines() if line.startswith("p:1 "))
    assert "2024-05-31 (was 2024-03-31)" in row
    ru = ok("--lang", "ru", "list", "p", "--responsible", "MFA")
    assert "до 31.05.2024 (первоначально: до 31.03.2024)" in ru
    moved = [e for e in log_events(ok, "p:1") if e["action"] == "move"]
    assert [(e["changes"], e["reason"], e["basis"]) for e in moved] == [
        ({"due": ["2024-03-31", "2024-05-31"]}, "the parliament sits in May",
         "decision of the council of 15.03.2024")]


def test_a_move_without_a_reason_is_refused_and_nothing_is_written(ok: Ok, run: Run,
                                                                   control: str,
                                                                   db: Path) -> None:
    before = snapshot(db)
    result = run("update", "p:3", "--due", "2024-08-31")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        "Error: moving the deadline of p:3 from 2024-05-15 to 2024-08-31 needs --reason: a "
        "deadline is moved by a decision, and the report says why")
    assert snapshot(db) == before
    for args, message in [
        (["update", "p:2", "--due", "2023-10-01", "--reason", "x"],
         "Error: the deadline of p:2 cannot move to 2023-10-01: it ends before the plan starts "
         "(2024-01-01)"),
        (["update", "p:3", "--due", "2023-12", "--correct"],
         "Error: the deadline of p:3 cannot move to Dec 2023: it ends before the plan starts "
         "(2024-01-01)"),
        (["add", "p", "Eight", "--responsible", "X", "--co", "X"],
         "Error: --responsible 'X' is also given as --co: one executor is either responsible "
         "or a co-executor"),
        (["discipline", "p", "--from", "2024-05-01", "--to", "2024-04-01"],
         "Error: --from 2024-05-01 is after --to 2024-04-01: the span must run forward"),
    ]:
        result = run(*args)
        assert result.exit_code in (1, 2) and result.stderr.splitlines() == [message], args
        assert snapshot(db) == before, args
    ok("add", "p", "Undated", "--ref", "9")
    before = snapshot(db)
    result = run("update", "p:9", "--due", "2024-09-30", "--correct")
    assert result.exit_code == 2 and result.stderr.splitlines() == [
        "Error: --correct: p:9 has no deadline to correct; give it one with --due alone"]
    assert snapshot(db) == before


def test_correct_fixes_a_typo_without_counting_a_move(ok: Ok, control: str) -> None:
    ok("update", "p:3", "--due", "2024-05-16", "--correct", "--on", "2024-01-11")
    item = jok(ok, "show", "p:3")
    assert (item["due"], item["due_original"], item["due_moves"], item["moves"]) == (
        "2024-05-16", "2024-05-16", 0, [])
    ok("update", "p:1", "--due", "2024-05-30", "--correct", "--on", "2024-03-21")
    item = jok(ok, "show", "p:1")
    assert (item["due"], item["due_original"], item["due_moves"]) == ("2024-05-30",
                                                                     "2024-03-31", 1)
    assert [m["to"] for m in item["moves"]] == ["2024-05-30"]
    assert (item["on_time"], item["delay_days"]) == (False, 4)


def test_a_first_deadline_is_no_move_and_clearing_one_is(ok: Ok, control: str) -> None:
    ok("add", "p", "Later", "--ref", "7", "--on", "2024-01-10")
    ok("update", "p:7", "--due", "2024-09-30", "--on", "2024-02-01")
    assert (jok(ok, "show", "p:7")["due_original"], jok(ok, "show", "p:7")["due_moves"]) == (
        "2024-09-30", 0)
    ok("update", "p:7", "--due", "none", "--reason", "the council dropped the date",
       "--on", "2024-03-01")
    item = jok(ok, "show", "p:7")
    assert (item["due"], item["due_original"], item["due_moves"]) == (None, "2024-09-30", 1)


def test_undo_takes_the_move_back_and_a_back_dated_move_counts_from_its_day(
        ok: Ok, control: str) -> None:
    ok("update", "p:3", "--due", "2024-06-30", "--reason", "late budget", "--on", "2024-05-01")
    assert jok(ok, "show", "p:3")["due_moves"] == 1
    ok("undo", "--yes")
    item = jok(ok, "show", "p:3")
    assert (item["due"], item["due_original"], item["due_moves"], item["moves"]) == (
        "2024-05-15", "2024-05-15", 0, [])
    # Typed today, dated before the first move: the moves stand in the order they took effect.
    ok("update", "p:1", "--due", "2024-04-30", "--reason", "first put off", "--on", "2024-02-01")
    moves = jok(ok, "show", "p:1")["moves"]
    assert [(m["effective"], m["from"], m["to"]) for m in moves] == [
        ("2024-02-01", "2024-03-31", "2024-04-30"), ("2024-03-20", "2024-04-30", "2024-05-31")]
    # …and the later decision still holds: the deadline in force is the one of 20 March.
    assert jok(ok, "show", "p:1")["due"] == "2024-05-31"


def test_an_import_that_moves_a_deadline_needs_a_reason(ok: Ok, run: Run, tmp_path: Path,
                                                       db: Path) -> None:
    ok("plan", "add", "q", "--title", "Q", "--start", "2024-01-01", "--end", "2024-12-31")
    first = tmp_path / "first.csv"
    first.write_text("ref,title,owners,due\n1,Ratify,MFA,2024-03-31\n2,Hold,MoD,2024-Q2\n")
    ok("import", "q", str(first), "--on", "2024-01-10")
    moved = tmp_path / "moved.csv"
    moved.write_text("ref,title,owners,due\n1,Ratify,MFA,2024-05-31\n2,Hold,MoD,2024-Q2\n")
    before = snapshot(db)
    result = run("import", "q", str(moved), "--on", "2024-03-20")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{moved}:2: due: moving the deadline of q:1 from 2024-03-31 to 2024-05-31 needs a "
        "reason: add a reason column, or give --reason",
        "Error: 1 bad row; nothing was imported"]
    assert snapshot(db) == before
    ok("import", "q", str(moved), "--on", "2024-03-20", "--reason", "the parliament sits in May",
       "--basis", "order 7")
    assert jok(ok, "show", "q:1")["moves"] == [
        {"effective": "2024-03-20", "from": "2024-03-31", "to": "2024-05-31",
         "reason": "the parliament sits in May", "basis": "order 7", "actor": "tester"}]
    with_reason = tmp_path / "reason.csv"
    with_reason.write_text("ref,title,owners,due,reason\n2,Hold,MoD,2024-Q3,range closed\n")
    ok("import", "q", str(with_reason), "--on", "2024-04-01")
    item = jok(ok, "show", "q:2")
    assert [(m["from"], m["to"], m["reason"]) for m in item["moves"]] == [
        ("2024-Q2", "2024-Q3", "range closed")]
    since = jok(ok, "report", "q", "--since", "2024-03-01")
    assert [(d["id"], d["effective"], d["reason"], d["basis"])
            for d in since["plans"][0]["changes"]["due_moved"]] == [
        ("q:1", "2024-03-20", "the parliament sits in May", "order 7"),
        ("q:2", "2024-04-01", "range closed", "")]


# --- 3. on time or late ---------------------------------------------------------------------

def test_on_time_and_late_against_the_deadline_in_force_and_the_original(ok: Ok,
                                                                         control: str) -> None:
    assert judged(ok, "--as-of", AS_OF) == {
        "p:1": ("MFA", ["MFA", "MoD"], "2024-05-31", "2024-03-31", 1, False, 3, False, 64),
        "p:2": ("MoD", ["MoD"], "2024-Q2", "2024-Q2", 0, True, 0, True, 0),
        "p:3": ("MFA", ["MFA"], "2024-05-15", "2024-05-15", 0, False, 47, False, 47),
        "p:4": ("MoF", ["MoF", "MFA"], "ongoing", "ongoing", 0, None, None, None, None),
        "p:5": ("MoF", ["MoF"], "2024-10", "2024-10", 0, None, None, None, None),
        "p:6": ("MoD", ["MoD"], "2024-04-30", "2024-04-30", 0, None, None, None, None),
    }
    # A move after the day it was fulfilled does not make it late or on time after the fact.
    ok("update", "p:2", "--due", "2024-05-31", "--reason", "asked early", "--on", "2024-06-25")
    assert judged(ok, "--as-of", AS_OF)["p:2"][5:] == (True, 0, True, 0)
    text = ok("show", "p:1")
    assert "on time                        no" in text
    assert "days late                      3" in text
    assert "days late (original deadline)  64" in text


# --- 4. tracker discipline ------------------------------------------------------------------

def row(key: str | None, due: int, on_time: int, late: int, overdue: int, not_fulfilled: int,
        not_yet_due: int, average: float | None, longest: int | None, moved: int,
        late_original: int, rate: float | None) -> dict[str, object]:
    return {"key": key, "due": due, "on_time": on_time, "late": late, "overdue": overdue,
            "not_fulfilled": not_fulfilled, "not_yet_due": not_yet_due,
            "average_delay": average, "longest_delay": longest, "moved": moved,
            "late_original": late_original, "rate": rate}


def test_discipline_counts_each_responsible_executor(ok: Ok, control: str) -> None:
    assert jok(ok, "discipline", "p", "--as-of", AS_OF) == {
        "as_of": "2024-07-01", "from": "2024-01-01", "to": "2024-07-01", "by": "responsible",
        "plans": [{"plan": "p", "title": "Plan 2024"}],
        "rule": "rate = on_time / (on_time + late + overdue)",
        "rows": [row("MFA", 2, 0, 1, 1, 0, 0, 25.0, 47, 1, 2, 0.0),
                 row("MoD", 2, 1, 0, 0, 1, 0, None, None, 0, 0, 1.0)],
        "total": row(None, 4, 1, 1, 1, 1, 0, 25.0, 47, 1, 2, 1 / 3),
        "undated": 1,
    }
    text = ok("discipline", "p", "--as-of", AS_OF)
    assert text.splitlines()[:9] == [
        "Executive discipline: p: Plan 2024",
        "deadlines from 2024-01-01 to 2024-07-01, as of 2024-07-01",
        "",
        "responsible  due  on time  late  overdue  average delay  longest delay  moved  "
        "on-time rate",
        "-----------  ---  -------  ----  -------  -------------  -------------  -----  "
        "------------",
        "MFA            2        0     1        1             25             47      1"
        "          0.0%",
        "MoD            2        1     0        0              –              –      0"
        "        100.0%",
        "total          4        1     1        1             25             47      1"
        "         33.3%",
        "",
    ]
    assert ("on-time rate = on time / (on time + late + overdue) = 1 / (1 + 1 + 1) = 33.3%"
            in text)
    assert "Not counted in the rate: 1 closed without being fulfilled, 0 not yet due." in text


def test_discipline_by_owner_by_area_and_over_a_span(ok: Ok, control: str) -> None:
    by_owner = jok(ok, "discipline", "p", "--as-of", AS_OF, "--to", "2024-12-31", "--by", "owner")
    assert by_owner["rows"] == [row("MFA", 2, 0, 1, 1, 0, 0, 25.0, 47, 1, 2, 0.0),
                                row("MoD", 3, 1, 1, 0, 1, 0, 3.0, 3, 1, 1, 0.5),
                                row("MoF", 1, 0, 0, 0, 0, 1, None, None, 0, 0, None)]
    assert by_owner["total"] == row(None, 5, 1, 1, 1, 1, 1, 25.0, 47, 1, 2, 1 / 3)
    by_area = jok(ok, "discipline", "p", "--as-of", AS_OF, "--by", "area")
    assert [(r["key"], r["due"], r["on_time"], r["late"], r["overdue"])
            for r in by_area["rows"]] == [("Defence", 2, 1, 0, 0), ("Law", 2, 0, 1, 1)]
    spring = jok(ok, "discipline", "p", "--as-of", AS_OF, "--from", "2024-04-01", "--to",
                 "2024-05-20")
    assert (spring["from"], spring["to"]) == ("2024-04-01", "2024-05-20")
    assert [(r["key"], r["due"]) for r in spring["rows"]] == [("MFA", 1), ("MoD", 1)]
    # As of 1 June, item 1 was not due yet (31 May had not ended? it had: overdue 1 day).
    june = jok(ok, "discipline", "p", "--as-of", "2024-06-01")
    assert june["rows"][0] == row("MFA", 2, 0, 0, 2, 0, 0, 9.0, 17, 1, 2, 0.0)


def test_discipline_in_csv_and_in_russian(ok: Ok, control: str) -> None:
    assert ok("discipline", "p", "--as-of", AS_OF, "-f", "csv").splitlines() == [
        "responsible,due,on_time,late,overdue,not_fulfilled,not_yet_due,average_delay,"
        "longest_delay,moved,late_original,rate",
        "MFA,2,0,1,1,0,0,25,47,1,2,0",
        "MoD,2,1,0,0,1,0,,,0,0,1",
        "total,4,1,1,1,1,0,25,47,1,2,0.3333333333333333"]
    ru = ok("--lang", "ru", "discipline", "p", "--as-of", "01.07.2024")
    assert ru.splitlines()[1] == ("сроки исполнения с 01.01.2024 по 01.07.2024; "
                                  "по состоянию на 01.07.2024")
    assert ("доля в срок = в срок / (в срок + не в срок + срок истёк) = "
            "1 / (1 + 1 + 1) = 33,3 %") in ru
    assert "Исполнительская дисциплина: p: Plan 2024" in ru


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_discipline_fits_an_80_column_terminal(ok: Ok, control: str, lang: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    ok("update", "p:3", "--responsible", "Департамент международного сотрудничества", "--on",
       "2024-01-11")
    monkeypatch.setattr("tracker.cli.common.terminal_width", lambda: 80)
    for args in (["discipline", "p"], ["discipline", "p", "--by", "owner"],
                 ["discipline", "--by", "area"], ["report", "p", "--full"]):
        text = ok("--lang", lang, *args, "--as-of", "2024-07-01" if lang == "en" else "01.07.2024")
        assert max(len(line) for line in text.splitlines()) <= 80, (args, text)
    text = ok("--lang", lang, "discipline", "p", "--as-of", "2024-07-01")
    lines = text.splitlines()
    rule = next(n for n, line in enumerate(lines) if line.startswith("---"))
    width = len(lines[rule].split("  ")[0])  # the names column, as wide as its rule
    names = "".join(line[:width].strip() for line in lines[rule + 1:rule + 7])
    assert "Департаментмеждународногосотрудничества" in names.replace("-", "").replace(" ", "")
    if lang == "ru":  # 12 columns left: hyphenated where Russian allows, not cut
        assert "Департаментмеждународ-ного сотруд-ничества" in names


def test_report_full_and_the_workbook_carry_the_discipline(ok: Ok, control: str,
                                                           tmp_path: Path) -> None:
    full = ok("report", "p", "--full", "--as-of", AS_OF)
    assert "Executive discipline" in full and "MFA            2        0     1        1" in full
    out = tmp_path / "p.xlsx"
    ok("export", "p", "--format", "xlsx", "-o", str(out), "--as-of", AS_OF)
    from openpyxl import load_workbook

    book = load_workbook(out)
    sheet = book["Executive discipline"]
    values = [[c for c in r if c is not None] for r in sheet.iter_rows(values_only=True)]
    mfa = next(v for v in values if v and v[0] == "MFA")
    assert mfa[:8] == ["MFA", 2, 0, 1, 1, 25, 47, 1]


def docx_lines(path: Path) -> list[str]:
    from docx import Document

    document = Document(str(path))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        lines.extend(" | ".join(c.text for c in r.cells) for r in table.rows)
    return lines


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_the_word_report_marks_the_responsible_and_the_moved_deadline(
        ok: Ok, control: str, tmp_path: Path, lang: str) -> None:
    out = tmp_path / "p.docx"
    as_of = AS_OF if lang == "en" else "01.07.2024"
    ok("--lang", lang, "report", "p", "--format", "docx", "-o", str(out), "--as-of", as_of)
    from docx import Document

    document = Document(str(out))
    cells = [c for t in document.tables for r in t.rows for c in r.cells]
    owners = next(c for c in cells if c.text.startswith("MFA") and "MoD" in c.text)
    first = owners.paragraphs[0]
    assert first.text == "MFA" and all(run.bold for run in first.runs)
    assert not any(run.bold for p in owners.paragraphs[1:] for run in p.runs)
    lines = docx_lines(out)
    if lang == "en":
        assert any("2024-05-31" in line and "first: 2024-03-31; moved 1 time" in line
                   for line in lines), lines
        assert "Executive discipline" in lines
    else:
        assert any("31.05.2024" in line and "31.03.2024" in line for line in lines), lines
        assert "Исполнительская дисциплина" in lines


@pytest.mark.programs
@pytest.mark.parametrize("lang", ["en", "ru"])
def test_libreoffice_and_pdftotext_read_the_discipline(ok: Ok, control: str, tmp_path: Path,
                                                       lang: str) -> None:
    from tests.test_documents import pdf_text, soffice

    as_of = AS_OF if lang == "en" else "01.07.2024"
    docx = tmp_path / "d.docx"
    ok("--lang", lang, "discipline", "p", "-f", "docx", "-o", str(docx), "--as-of", as_of)
    text = " ".join(soffice(docx, "txt:Text", tmp_path).read_text(encoding="utf-8-sig").split())
    pdf = tmp_path / "d.pdf"
    ok("--lang", lang, "discipline", "p", "-f", "pdf", "-o", str(pdf), "--as-of", as_of)
    printed = " ".join(pdf_text(pdf).split())
    if lang == "en":
        expected = ["Executive discipline",
                    "on time / (on time + late + overdue) = 1 / (1 + 1 + 1)"]
    else:
        expected = ["Исполнительская дисциплина",
                    "в срок / (в срок + не в срок + срок истёк) = 1 / (1 + 1 + 1)"]
    for words in expected:
        assert words in text, text
        assert words in printed, printed
    assert "MFA 2 0 1 1 25 47 1" in printed
    assert "MoD 2 1 0 0" in printed


# --- the stored item is the fold of its journal, whatever the order of the moves ----------

DAYS = st.integers(min_value=1, max_value=300)
DEADLINES = st.sampled_from(["2024-03-31", "2024-Q2", "2024-06", "2024-09-30", "2024-H2",
                             "2024", "ongoing", "none"])
STEP = st.one_of(
    st.tuples(st.just("move"), DEADLINES, DAYS),
    st.tuples(st.just("correct"), DEADLINES, DAYS),
    st.tuples(st.just("status"), st.sampled_from(["fulfilled", "in-progress", "partial"]), DAYS),
    st.tuples(st.just("undo"), st.just(""), DAYS),
)


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=st.lists(STEP, min_size=1, max_size=8))
def test_the_stored_deadline_is_the_journal_folded(ok: Ok, run: Run,
                                                   steps: list[tuple[str, str, int]]) -> None:
    """Whatever moves, corrections, status changes and undos come in whatever order of
    days, the item as stored is the item the journal folds to (export --as-of today)."""
    import datetime

    if "pf" not in ok("plan", "list"):
        ok("plan", "add", "pf", "--title", "Fold", "--start", "2024-01-01", "--end", "2024-12-31")
    ref = ok("add", "pf", "Measure", "--due", "2024-04-30", "--on", "2024-01-01").strip()
    for action, value, day in steps:
        on = (datetime.date(2024, 1, 1) + datetime.timedelta(days=day)).isoformat()
        if action == "move":
            run("update", ref, "--due", value, "--reason", "decided", "--on", on)
        elif action == "correct":
            run("update", ref, "--due", value, "--correct", "--on", on)
        elif action == "status":
            run("update", ref, "--status", value, "--on", on)
        else:
            run("undo", "--yes")
    if run("show", ref).exit_code != 0:  # undone back to before the add (or the plan's)
        assert "pf" not in ok("plan", "list") or ref not in {
            i["id"] for i in jok(ok, "export", "pf", "--as-of", TODAY)}
        return
    folded = [i for i in jok(ok, "export", "pf", "--as-of", TODAY)
              if i["id"] == ref]
    stored = jok(ok, "show", ref)
    keys = ("due", "due_original", "due_moves", "on_time", "delay_days", "on_time_original",
            "delay_days_original", "status")
    assert {k: stored[k] for k in keys} == {k: folded[0][k] for k in keys}
    assert stored["due_moves"] == len(stored["moves"])


@given(st.lists(st.text("абвгдеёжзийклмнопрстуфхцчшщъыьэюяabcdefghijklmnopqrstuvwxyz-()",
                        min_size=1, max_size=30), min_size=1, max_size=6),
       st.integers(min_value=8, max_value=30))
def test_a_long_name_breaks_within_its_column_and_loses_no_letter(words: list[str],
                                                                  room: int) -> None:
    from tracker.render.text import name_lines

    lines = name_lines(" ".join(words), room)
    assert all(len(line) <= room for line in lines)
    kept = "".join(line[:-1] if line.endswith("-") and n < len(lines) - 1 else line
                   for n, line in enumerate(lines)).replace(" ", "")
    # a hyphen the name had at a line's end is the one ambiguity: compare without them
    assert kept.replace("-", "") == "".join(words).replace("-", "")


def test_a_department_breaks_where_russian_hyphenates() -> None:
    from tracker.render.text import name_lines

    assert name_lines("Департамент международного сотрудничества", 12) == [
        "Департамент", "международ-", "ного сотруд-", "ничества"]
    assert name_lines("Министерство иностранных дел", 12) == [
        "Министерство", "иностранных", "дел"]


def test_discipline_as_of_a_day_before_the_plans_start_says_so(run: Run, ok: Ok, db: Path) -> None:
    ok("plan", "add", "s", "--title", "S", "--start", "2025-01-01")
    before = snapshot(db)
    result = run("discipline", "s", "--as-of", "2024-06-01")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: 2024-06-01 is before the plans' start on "
                                    "2025-01-01: no deadline has fallen yet")
    assert snapshot(db) == before
