"""Reporting rounds (SPEC §14): a round asks each executor about their measures, the forms
go out and come back filled, the answers wait for acceptance, are accepted or returned —
on both backends, the forms read by openpyxl and saved again by LibreOffice."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests.helpers import TODAY, Ok, Run, jok, log_events, snapshot

ODD = 'Мин-во "Финансов"/отдел'  # a name no file system takes as it is


@pytest.fixture
def asked(ok: Ok) -> str:
    """Plan p: 1 MFA with MoD, 2 MoD, 3 MFA fulfilled (not asked), 4 nobody's (not asked),
    5 the odd name's; a round r1 opened on TODAY, due 31.01.2026."""
    ok("plan", "add", "p", "--title", "План 2026", "--start", "2026-01-01", "--end",
       "2026-12-31")
    ok("add", "p", "Провести совещание", "--responsible", "MFA", "--co", "MoD", "--due",
       "I квартал 2026 г.", "--on", "2026-01-05")
    ok("add", "p", "Подготовить доклад", "--responsible", "MoD", "--due", "2026-02-28", "--on",
       "2026-01-05")
    ok("add", "p", "Done already", "--responsible", "MFA", "--status", "fulfilled", "--on",
       "2026-01-05")
    ok("add", "p", "Nobody's", "--on", "2026-01-05")
    ok("add", "p", "Сверить реестр", "--responsible", ODD, "--on", "2026-01-05")
    assert ok("round", "open", "p", "--name", "r1", "--due", "2026-01-31") == "r1\n"
    return "r1"


def forms(ok: Ok, tmp_path: Path, *args: str) -> dict[str, Path]:
    out = tmp_path / "forms"
    written = ok("round", "forms", "r1", "-o", str(out), *args).splitlines()
    return {Path(p).name: Path(p) for p in written}


def fill(form: Path, target: Path, answers: dict[int, tuple[str, str, str]]) -> Path:
    """Fill the answer cells of rows (1 = the first measure) as a person would, in openpyxl."""
    book = openpyxl.load_workbook(form)
    sheet = book.worksheets[0]
    for n, values in answers.items():
        for col, value in enumerate(values, start=7):
            sheet.cell(5 + n, col).value = value or None
    book.save(target)
    return target


# --- 1. rounds ------------------------------------------------------------------------------

def test_a_round_asks_each_executor_about_their_measures_under_control(
        ok: Ok, asked: str) -> None:
    (round_,) = jok(ok, "round", "list", "-f", "json")
    assert round_ == {"round": "r1", "plan": "p", "opened": TODAY, "as_of": TODAY,
                      "due": "2026-01-31", "closed": None,
                      "executors": {
                          "MFA": {"missing": 1, "awaiting": 0, "accepted": 0, "returned": 0},
                          "MoD": {"missing": 2, "awaiting": 0, "accepted": 0, "returned": 0},
                          ODD: {"missing": 1, "awaiting": 0, "accepted": 0, "returned": 0}}}
    status = jok(ok, "round", "status", "r1", "-f", "json")
    assert status["days_left"] == 16
    assert [(a["executor"], a["ref"], a["state"]) for a in status["answers"]] == [
        ("MFA", "1", "missing"), ("MoD", "1", "missing"), ("MoD", "2", "missing"),
        (ODD, "5", "missing")]
    text = ok("round", "status", "r1")
    assert "answers due 2026-01-31: 16 day(s) left" in text
    assert text.splitlines()[-3].split() == ["MFA", "1", "0", "0", "0", "1"]
    # the default name is the plan's next round
    assert ok("round", "open", "p") == "p-2\n"
    assert [r["round"] for r in jok(ok, "round", "list", "p", "-f", "json")] == ["r1", "p-2"]


def test_closing_and_undo_of_a_round(ok: Ok, asked: str) -> None:
    ok("round", "close", "r1")
    assert jok(ok, "round", "list", "-f", "json")[0]["closed"] == TODAY
    ok("undo", "--yes")
    assert jok(ok, "round", "list", "-f", "json")[0]["closed"] is None
    ok("undo", "--yes")
    assert jok(ok, "round", "list", "-f", "json") == []
    assert [e["action"] for e in log_events(ok, "p")][:1] == ["undo"]


@pytest.mark.parametrize("args, words", [
    (("round", "open", "p", "--name", "r1"), "a round 'r1' already exists"),
    (("round", "open", "p", "--name", "bad name"), "invalid round name 'bad name'"),
    (("round", "open", "p", "--due", "2026-01-01"), "--due 2026-01-01 has passed"),
    (("round", "open", "nope"), "no plan 'nope'"),
    (("round", "status", "r9"), "no round 'r9'"),
    (("accept", "p:4"), "p:4 has no answer awaiting acceptance"),
    (("return", "p:1", "--reason", " "), "--reason is empty"),
])
def test_bad_round_commands_say_one_line_and_write_nothing(
        run: Run, db: Path, asked: str, args: tuple[str, ...], words: str) -> None:
    before = snapshot(db)
    result = run(*args)
    assert result.exit_code in (1, 2)
    assert words in result.stderr.splitlines()[0], result.stderr
    assert snapshot(db) == before


def test_a_round_with_nobody_to_ask_is_refused(run: Run, ok: Ok, db: Path) -> None:
    ok("plan", "add", "q", "--title", "Q")
    ok("add", "q", "Nobody's")
    before = snapshot(db)
    result = run("round", "open", "q")
    assert result.exit_code == 2
    assert "no measure under control has an executor to ask" in result.stderr
    assert snapshot(db) == before


def test_closing_a_closed_round_is_refused(run: Run, ok: Ok, db: Path, asked: str) -> None:
    ok("round", "close", "r1")
    before = snapshot(db)
    result = run("round", "close", "r1")
    assert result.exit_code == 1 and f"round 'r1' was closed on {TODAY}" in result.stderr
    assert snapshot(db) == before


# --- 2. forms -------------------------------------------------------------------------------

def test_one_form_per_executor_locked_but_for_the_answers(
        ok: Ok, asked: str, tmp_path: Path) -> None:
    written = forms(ok, tmp_path)
    assert sorted(written) == ["MFA.xlsx", "MoD.xlsx", "Мин-во _Финансов_отдел.xlsx"]
    book = openpyxl.load_workbook(written["MoD.xlsx"])
    assert book.sheetnames == ["Request", "tracker"]
    assert book["tracker"].sheet_state == "hidden"
    sheet = book["Request"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=5, max_row=7)]
    assert rows == [
        ["No.", "Measure", "Deadline", "Part", "Status as recorded", "Reason as recorded",
         "Status (your answer)", "Remarks or reason", "Evidence (document, link)"],
        ["1", "Провести совещание", "Q1 2026", "co-executor", "not-started", None, None, None,
         None],
        ["2", "Подготовить доклад", "2026-02-28", "responsible", "not-started", None, None, None,
         None]]
    assert sheet.cell(2, 1).value == "Round: r1 (as of 2026-01-15); executor: MoD"
    assert sheet.protection.sheet is True and not sheet.protection.password
    assert [sheet.cell(6, c).protection.locked for c in range(1, 10)] == [
        True] * 6 + [False] * 3
    (validation,) = sheet.data_validations.dataValidation
    assert str(validation.sqref) == "G6:G7"
    assert validation.formula1 == ('"not-started,in-progress,stalled,fulfilled,partial,'
                                   'not-fulfilled,withdrawn"')
    assert sheet.page_setup.paperSize == 9 and sheet.page_setup.orientation == "landscape"
    with zipfile.ZipFile(written["MoD.xlsx"]) as archive:
        custom = archive.read("docProps/custom.xml").decode()
    assert "tracker-round" in custom and ">r1<" in custom and ">MoD<" in custom


def test_a_russian_form_offers_the_russian_statuses(ok: Ok, asked: str, tmp_path: Path) -> None:
    written = forms(ok, tmp_path) if False else None  # noqa: F841 (English made above)
    out = tmp_path / "ru"
    paths = ok("--lang", "ru", "round", "forms", "r1", "-o", str(out)).splitlines()
    sheet = openpyxl.load_workbook(next(p for p in paths if p.endswith("MFA.xlsx"))).worksheets[0]
    assert sheet.cell(6, 3).value == "I квартал 2026 г."
    assert sheet.cell(6, 5).value == "не начато"
    (validation,) = sheet.data_validations.dataValidation
    assert "исполнено частично" in validation.formula1


# --- 3. answers -----------------------------------------------------------------------------

def test_answers_are_the_executors_and_wait_for_acceptance(
        ok: Ok, run: Run, db: Path, asked: str, tmp_path: Path) -> None:
    form = forms(ok, tmp_path)["MoD.xlsx"]
    filled = fill(form, tmp_path / "MoD-filled.xlsx", {
        1: ("fulfilled", "", "protocol No. 5"),
        2: ("не исполнено", "the figures did not come", "")})
    ok("import", "p", str(filled), "--on", "2026-01-12")
    assert jok(ok, "show", "p:2", "-f", "json")["status"] == "not-started"  # not yet
    answers = [e for e in log_events(ok, "p") if e["action"] == "answer"]
    assert [(e["id"], e["actor"], e["effective"], e["executor"], e["answer"]) for e in answers] \
        == [("p:2", "MoD", "2026-01-12", "MoD",
             {"status": "not-fulfilled", "reason": "the figures did not come",
              "evidence": ""}),
            ("p:1", "MoD", "2026-01-12", "MoD",
             {"status": "fulfilled", "reason": "", "evidence": "protocol No. 5"})]
    assert "round r1: status: not-fulfilled; reason: the figures did not come" \
        in ok("log", "p:2")  # what was reported, in the language in force
    assert "запрос r1: статус: исполнено; подтверждение: protocol No. 5" \
        in ok("--lang", "ru", "log", "p:1")
    listed = ok("list", "p", "--awaiting")
    assert [line.split()[0] for line in listed.splitlines()[2:]] == ["p:1", "p:2"]
    (entry,) = jok(ok, "report", "p", "-f", "json")["plans"]
    assert [(a["id"], a["executor"], a["round"], a["status"], a["reported"])
            for a in entry["awaiting"]] == [("p:1", "MoD", "r1", "fulfilled", "2026-01-12"),
                                            ("p:2", "MoD", "r1", "not-fulfilled", "2026-01-12")]
    assert entry["fulfilled"] == 1  # an answer changes no figure until accepted
    assert "reported, awaiting acceptance (2)" in ok("report", "p")
    # the same form again changes nothing, not a byte
    before = snapshot(db)
    result = run("import", "p", str(filled))
    assert result.exit_code == 0
    assert "0 answers of MoD recorded, awaiting acceptance; 2 were recorded already" \
        in result.stderr
    assert snapshot(db) == before
    # accepted: the status as reported, on the day reported
    ok("accept", "p:2")
    shown = jok(ok, "show", "p:2", "-f", "json")
    assert (shown["status"], shown["reason"], shown["updated"]) == (
        "not-fulfilled", "the figures did not come", "2026-01-12")
    # returned: asked again, the reason kept
    ok("return", "p:1", "--reason", "name the protocol's date")
    status = jok(ok, "round", "status", "r1", "-f", "json")
    assert status["executors"]["MoD"] == {"missing": 0, "awaiting": 0, "accepted": 1,
                                          "returned": 1}
    returned = next(a for a in status["answers"] if a["executor"] == "MoD" and a["ref"] == "1")
    assert returned["returned_because"] == "name the protocol's date"
    assert jok(ok, "show", "p:1", "-f", "json")["status"] == "not-started"
    # answered again, then accepted: the measure leaves control
    again = fill(form, tmp_path / "MoD-again.xlsx", {1: ("fulfilled", "", "protocol of 10.01")})
    ok("import", "p", str(again))
    ok("accept", "p:1")
    assert jok(ok, "show", "p:1", "-f", "json")["evidence"] == "protocol of 10.01"
    assert ok("list", "p", "--awaiting", "-f", "json").strip() == "[]"
    # the state folded from the journal is the state stored
    assert jok(ok, "export", "p", "--as-of", TODAY) == jok(ok, "export", "p")


def test_accept_chooses_the_responsible_executors_answer_or_asks(
        ok: Ok, run: Run, asked: str, tmp_path: Path) -> None:
    written = forms(ok, tmp_path)
    ok("import", "p", str(fill(written["MFA.xlsx"], tmp_path / "a.xlsx",
                                {1: ("in-progress", "", "")})))
    ok("import", "p", str(fill(written["MoD.xlsx"], tmp_path / "b.xlsx",
                                {1: ("fulfilled", "", "")})))
    taken = run("accept", "p:1")  # MFA is responsible for p:1: theirs is taken, and said
    assert taken.stderr.splitlines() == [
        f"p:1: accepted the answer of MFA (round {asked})",
        "p:1: MoD answered otherwise (fulfilled); to take theirs instead: tracker accept p:1 "
        "--executor MoD",
        "accepted 1 answer"]
    assert jok(ok, "show", "p:1", "-f", "json")["status"] == "in-progress"
    assert run("--lang", "ru", "accept", "p:1", "--executor", "MoD").stderr.splitlines()[0] \
        == f"p:1: принята информация, представленная исполнителем MoD по запросу {asked}"
    assert jok(ok, "show", "p:1", "-f", "json")["status"] == "fulfilled"


def test_a_form_filled_and_saved_again_by_libreoffice_imports(
        ok: Ok, asked: str, tmp_path: Path) -> None:
    from tests.test_documents import soffice

    form = forms(ok, tmp_path)["MFA.xlsx"]
    filled = fill(form, tmp_path / "MFA.xlsx", {1: ("partial", "the venue fell through", "")})
    out = tmp_path / "resaved"
    out.mkdir()
    resaved = soffice(filled, "xlsx:Calc MS Excel 2007 XML", out)
    assert resaved.read_bytes() != filled.read_bytes()
    ok("import", "p", str(resaved))
    (answer,) = [a for a in jok(ok, "round", "status", "r1", "-f", "json")["answers"]
                 if a["state"] == "awaiting"]
    assert (answer["executor"], answer["ref"], answer["answer"]) == (
        "MFA", "1", {"status": "partial", "reason": "the venue fell through", "evidence": ""})


def test_refused_forms_write_nothing(
        ok: Ok, run: Run, db: Path, asked: str, tmp_path: Path) -> None:
    form = forms(ok, tmp_path)["MoD.xlsx"]
    edited = openpyxl.load_workbook(form)
    edited.worksheets[0].cell(7, 2).value = "Подготовить доклад (shorter)"
    edited.worksheets[0].cell(7, 7).value = "fulfilled"
    edited.save(tmp_path / "edited.xlsx")
    foreign = openpyxl.load_workbook(form)
    meta = foreign["tracker"]
    meta.cell(9, 1).value, meta.cell(9, 2).value = "3", "Done already"
    foreign.worksheets[0].cell(8, 1).value, foreign.worksheets[0].cell(8, 2).value = \
        "3", "Done already"
    foreign.worksheets[0].cell(8, 3).value = None
    foreign.worksheets[0].cell(8, 7).value = "fulfilled"
    foreign.save(tmp_path / "foreign.xlsx")
    bad_status = fill(form, tmp_path / "bad.xlsx", {1: ("sort of", "", "")})
    empty = fill(form, tmp_path / "empty.xlsx", {})
    ok("plan", "add", "q", "--title", "Q")
    before = snapshot(db)
    cases = [
        (("import", "p", str(tmp_path / "edited.xlsx")),
         "row 7: the number, title or deadline of measure 2 was changed in the form"),
        (("import", "p", str(tmp_path / "foreign.xlsx")),
         f"{tmp_path / 'foreign.xlsx'}, row 8: measure 3 was not asked of 'MoD' in this "
         "round\nError: 1 bad row; nothing was imported\n"),
        (("import", "p", str(bad_status)), "row 6: invalid status 'sort of'"),
        (("import", "p", str(empty)), "the form of MoD holds no answer"),
        (("import", "q", str(bad_status.with_name("empty.xlsx"))), "holds no answer"),
    ]
    for args, words in cases:
        result = run(*args)
        assert result.exit_code == 1, (args, result.stderr)
        assert words in result.stderr, (args, result.stderr)
        assert snapshot(db) == before
    filled = fill(form, tmp_path / "ok.xlsx", {2: ("fulfilled", "", "")})
    result = run("import", "q", str(filled))
    assert result.exit_code == 1
    assert "this form is of round 'r1' of plan 'p', not of 'q'" in result.stderr
    ok("round", "close", "r1")
    closed = snapshot(db)
    result = run("import", "p", str(filled))
    assert result.exit_code == 1 and "round 'r1' was closed on" in result.stderr
    assert snapshot(db) == closed


def test_several_forms_import_as_one_step_or_not_at_all(
        ok: Ok, run: Run, db: Path, asked: str, tmp_path: Path) -> None:
    written = forms(ok, tmp_path)
    mfa = fill(written["MFA.xlsx"], tmp_path / "mfa.xlsx", {1: ("in-progress", "", "")})
    mod = fill(written["MoD.xlsx"], tmp_path / "mod.xlsx", {2: ("fulfilled", "", "No. 7")})
    bad = fill(written["MoD.xlsx"], tmp_path / "bad.xlsx", {1: ("sort of", "", "")})
    (tmp_path / "plan.csv").write_text("title\nMore\n", encoding="utf-8")
    before = snapshot(db)
    for args, words in (((str(mfa), str(bad)), "bad.xlsx, row 6: invalid status 'sort of'"),
                        ((str(mfa), str(tmp_path / "plan.csv")),
                         "plan.csv is not a round's form: several files are imported "
                         "together only when each is one")):
        result = run("import", "p", *args)
        assert result.exit_code == 1, result.stderr
        assert words in result.stderr
        assert snapshot(db) == before
    result = run("import", "p", str(mfa), str(mod))
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"{mfa}: 1 answer of MFA recorded, awaiting acceptance",
        f"{mod}: 1 answer of MoD recorded, awaiting acceptance"]
    assert [(a["executor"], a["ref"]) for a in jok(ok, "round", "status", "r1", "-f", "json")
            ["answers"] if a["state"] == "awaiting"] == [("MFA", "1"), ("MoD", "2")]
    ok("undo", "--yes")  # one step
    assert ok("list", "p", "--awaiting", "-f", "json").strip() == "[]"


def test_undo_of_an_accept_puts_the_answer_back_to_waiting(
        ok: Ok, asked: str, tmp_path: Path) -> None:
    form = forms(ok, tmp_path)["MoD.xlsx"]
    ok("import", "p", str(fill(form, tmp_path / "f.xlsx", {2: ("fulfilled", "", "")})))
    ok("accept", "p:2")
    ok("undo", "--yes")
    assert jok(ok, "show", "p:2", "-f", "json")["status"] == "not-started"
    assert [line.split()[0] for line in ok("list", "p", "--awaiting").splitlines()[2:]] == [
        "p:2"]
    ok("undo", "--yes")
    assert ok("list", "p", "--awaiting", "-f", "json").strip() == "[]"
    assert json.loads(ok("round", "status", "r1", "-f", "json"))["executors"]["MoD"][
        "missing"] == 2


# --- 4. published reports -------------------------------------------------------------------

@pytest.fixture
def council(ok: Ok) -> str:
    """Plan c: three measures, two fulfilled on 01.11.2025; published on TODAY."""
    ok("plan", "add", "c", "--title", "Council plan", "--start", "2025-01-01", "--end",
       "2026-12-31")
    for n in range(1, 4):
        ok("add", "c", f"Measure {n}", "--responsible", "MFA", "--due", "2025-Q4", "--on",
           "2025-01-10")
    ok("update", "c:1", "c:2", "--status", "fulfilled", "--on", "2025-11-01")
    return "c"


def test_a_published_report_is_reprinted_byte_for_byte(
        ok: Ok, run: Run, council: str, tmp_path: Path) -> None:
    printed = run("report", "c", "--publish", "council-2025-11")
    assert printed.exit_code == 0
    assert "published as council-2025-11 (SHA-256 " in printed.stderr
    as_json = ok("report", "c", "-f", "json", "--publish", "council-json")
    ok("update", "c:3", "--status", "in-progress", "--yes")  # amends the counts by status
    again = run("report", "--published", "council-2025-11")
    assert again.stdout == printed.stdout
    assert f"as published on {TODAY} by" in again.stderr
    assert ok("report", "--published", "council-json", "-f", "json") == as_json
    # the table's JSON is the one stored with it, not today's
    frozen = json.loads(ok("report", "--published", "council-2025-11", "-f", "json"))
    assert frozen["plans"][0]["fulfilled"] == 2
    assert frozen["plans"][0]["by_status"]["in-progress"] == 0
    assert [a["change"] for a in jok(ok, "published", "-f", "json")[0]["amended"]] == [
        "the list of overdue measures; the counts by status"]
    # a document is made again from the measures as published
    html = tmp_path / "council.html"
    ok("report", "--published", "council-2025-11", "-f", "html", "-o", str(html))
    assert "2 of 3" in html.read_text(encoding="utf-8")
    listed = jok(ok, "published", "-f", "json")
    assert [(p["name"], p["plans"], p["as_of"], p["format"], len(p["amended"]))
            for p in listed] == [("council-2025-11", ["c"], TODAY, "table", 1),
                                 ("council-json", ["c"], TODAY, "json", 1)]
    import hashlib
    assert listed[0]["sha256"] == hashlib.sha256(printed.stdout.encode()).hexdigest()


def test_a_change_to_a_published_figure_is_named_and_needs_yes(
        ok: Ok, run: Run, db: Path, council: str) -> None:
    ok("report", "c", "--publish", "council-2025-11")
    printed = ok("report", "--published", "council-2025-11")
    before = snapshot(db)
    result = run("update", "c:2", "--status", "partial", "--reason", "half done", "--on",
                 "2025-11-01")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:2] == [
        f"this changes the published report 'council-2025-11' ({TODAY}) of c: fulfilled 2 of 3 "
        "→ 1 of 3; the list of measures not fulfilled; the counts by status",
        "Error: not written: it changes a published report, and there is no terminal to ask on"]
    assert snapshot(db) == before
    ok("update", "c:2", "--status", "partial", "--reason", "half done", "--on", "2025-11-01",
       "--yes")
    (amend,) = [e for e in log_events(ok, "c") if e["action"] == "amend"]
    assert (amend["published"], amend["change"]) == (
        "council-2025-11", "fulfilled 2 of 3 → 1 of 3; the list of measures not fulfilled; "
        "the counts by status")
    reprint = run("report", "--published", "council-2025-11")
    assert reprint.stdout == printed
    assert f"amended since: on {TODAY} by " in reprint.stderr
    since = ok("report", "--since-published", "council-2025-11")
    assert "c:2" in since and "partial" in since
    ok("undo", "--yes")
    assert jok(ok, "published", "-f", "json")[0]["amended"] == []


def test_undoing_every_amending_step_leaves_the_report_amended_no_longer(
        ok: Ok, run: Run, council: str) -> None:
    """An undo takes its step's amendment along and records none of its own where the
    report stands as an amendment still live says: undoing every amending step leaves the
    report amended no longer (the last check found it still marked by an amendment the
    first undo had recorded)."""
    ok("report", "c", "--publish", "council-2025-11")
    ok("update", "c:2", "--status", "partial", "--reason", "half", "--on", "2025-11-01",
       "--yes")
    ok("update", "c:3", "--status", "fulfilled", "--on", "2025-11-01", "--yes")
    assert len(jok(ok, "published", "-f", "json")[0]["amended"]) == 2
    undone = run("undo", "--yes")  # of c:3: it stands as the first amendment says, and no other
    assert undone.stderr.startswith(  # named all the same: a figure moves
        f"this changes the published report 'council-2025-11' ({TODAY}) of c: fulfilled 2 of 3 "
        "→ 1 of 3")
    assert [a["change"] for a in jok(ok, "published", "-f", "json")[0]["amended"]] == [
        "fulfilled 2 of 3 → 1 of 3; the list of measures not fulfilled; the counts by status"]
    back = run("undo", "--yes")  # of c:2, with its amendment: as published
    assert (back.exit_code, back.stderr) == (0, (
        f"this brings the published report 'council-2025-11' ({TODAY}) of c back to what was "
        "published: fulfilled 1 of 3 → 2 of 3; the list of measures not fulfilled; the counts "
        "by status\nundid step 7 (2 changes)\n"))
    assert jok(ok, "published", "-f", "json")[0]["amended"] == []
    assert "amended since" not in run("report", "--published", "council-2025-11").stderr
    assert ok("published").splitlines()[2].split()[-1] == "0"
    assert not [e for e in log_events(ok, "c") if e.get("restored")]


def test_a_change_back_to_what_was_published_needs_no_yes_and_is_undone(
        ok: Ok, run: Run, council: str) -> None:
    ok("report", "c", "--publish", "council-2025-11")
    ok("update", "c:2", "--status", "partial", "--reason", "half", "--on", "2025-11-01",
       "--yes")
    back = run("update", "c:2", "--status", "fulfilled", "--on", "2025-11-01")
    assert back.exit_code == 0, back.stderr
    assert back.stderr.startswith(
        f"this brings the published report 'council-2025-11' ({TODAY}) of c back to what was "
        "published: fulfilled 1 of 3 → 2 of 3")
    assert jok(ok, "published", "-f", "json")[0]["amended"] == []
    ok("update", "c:1", "--evidence", "protocol No. 5")  # no figure moves: nothing recorded
    assert len([e for e in log_events(ok, "c") if e["action"] == "amend"]) == 2
    ok("undo", "--yes")  # the evidence
    again = run("undo", "--yes")  # the change back: the first amendment stands again, named
    assert again.stderr.startswith(  # (a new user's check found it silent)
        f"this changes the published report 'council-2025-11' ({TODAY}) of c: fulfilled 2 of 3 "
        "→ 1 of 3")
    assert len([e for e in log_events(ok, "c") if e["action"] == "amend"]) == 2  # none new
    assert [a["change"] for a in jok(ok, "published", "-f", "json")[0]["amended"]] == [
        "fulfilled 2 of 3 → 1 of 3; the list of measures not fulfilled; the counts by status"]


def test_a_plan_of_a_report_of_two_back_as_published_leaves_the_others_amendment(
        ok: Ok, council: str) -> None:
    ok("plan", "add", "d", "--title", "Second plan")
    ok("add", "d", "Measure", "--due", "2025-Q4", "--on", "2025-01-10")
    ok("report", "c", "d", "--full", "--publish", "both")
    ok("update", "d:1", "--status", "fulfilled", "--on", "2025-11-01", "--yes")
    ok("update", "c:2", "--status", "partial", "--reason", "half", "--on", "2025-11-01",
       "--yes")
    ok("update", "c:2", "--status", "fulfilled", "--on", "2025-11-01")  # c as published
    (left,) = jok(ok, "published", "-f", "json")[0]["amended"]
    assert left["change"].startswith("fulfilled 0 of 1 → 1 of 1")
    ok("update", "d:1", "--status", "not-started", "--on", "2025-11-01")  # d too
    assert jok(ok, "published", "-f", "json")[0]["amended"] == []


def test_a_second_amendment_counts_the_first(ok: Ok, run: Run, council: str) -> None:
    """From what was published to what the report now is as of its day: earlier
    amendments included, not only this change's measure."""
    ok("report", "c", "--publish", "council-2025-11")
    ok("update", "c:2", "--status", "partial", "--reason", "half", "--on", "2025-11-01",
       "--yes")
    result = run("add", "c", "Measure 4", "--due", "2025-Q4", "--on", "2025-02-01")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"this changes the published report 'council-2025-11' ({TODAY}) of c: fulfilled 2 "
        "of 3 → 1 of 4")


def test_changes_that_leave_published_figures_alone_ask_nothing(
        ok: Ok, council: str) -> None:
    ok("report", "c", "--publish", "council-2025-11")
    ok("update", "c:1", "--evidence", "protocol No. 5")  # no figure, no list
    ok("update", "c:1", "--note", "seen")
    ok("plan", "edit", "c", "--org", "Secretariat")
    assert jok(ok, "published", "-f", "json")[0]["amended"] == []


@pytest.mark.parametrize("args, words", [
    (("report", "c", "--publish", "bad name"), "invalid name of a published report"),
    (("report", "--published", "nope"), "no published report 'nope'"),
    (("report", "c", "--published", "x"), "--published NAME reprints what was published"),
])
def test_bad_publishing_says_one_line(run: Run, db: Path, council: str,
                                      args: tuple[str, ...], words: str) -> None:
    before = snapshot(db)
    result = run(*args)
    assert result.exit_code in (1, 2) and words in result.stderr.splitlines()[0]
    assert snapshot(db) == before


def test_a_published_name_is_taken_once(run: Run, ok: Ok, db: Path, council: str) -> None:
    ok("report", "c", "--publish", "n1")
    before = snapshot(db)
    result = run("report", "c", "--publish", "n1")
    assert result.exit_code == 1 and "a published report 'n1' already exists" in result.stderr
    assert snapshot(db) == before


# --- 5. reminders ---------------------------------------------------------------------------

def test_reminders_are_messages_the_email_parser_reads(
        ok: Ok, run: Run, asked: str, tmp_path: Path) -> None:
    import email
    import email.policy

    ok("executor", "set", "MoD", "--email", "mod@example.org")
    ok("update", "p:2", "--due", "2026-01-10", "--reason", "sooner, by decision")
    out = tmp_path / "rem"
    written = ok("remind", "p", "--within", "80", "-o", str(out)).splitlines()
    assert sorted(Path(p).name for p in written) == [
        "MFA.eml", "MoD.eml", "Мин-во _Финансов_отдел.eml"]
    message = email.message_from_bytes((out / "MoD.eml").read_bytes(),
                                       policy=email.policy.default)
    assert message["To"] == "MoD <mod@example.org>"
    assert message["From"].addresses[0].domain == "tracker.invalid"  # a user name, no address
    assert not [d for part in message.walk() for d in part.defects]
    assert not message["From"].defects
    assert message["Subject"] == "Reminder: measures of the plan that await you"
    body = message.get_content()
    assert "p:2  Подготовить доклад — deadline 2026-01-10, 5 day(s) late" in body
    assert "p:1  Провести совещание — deadline Q1 2026, 75 day(s) left" in body
    assert "No answer yet to the request r1 (answers due 2026-01-31):" in body
    odd = email.message_from_bytes(next(out.glob("Мин-во*")).read_bytes(),
                                   policy=email.policy.default)
    assert odd["To"] is None and odd["X-Tracker-Executor"] == ODD


def test_no_reminder_for_an_executor_with_nothing_to_say(ok: Ok, tmp_path: Path) -> None:
    ok("plan", "add", "q", "--title", "Q")
    ok("add", "q", "Far away", "--responsible", "A", "--due", "2027-12-31")
    ok("add", "q", "Late", "--responsible", "B", "--due", "2025-12-31")
    out = tmp_path / "r"
    assert [Path(p).name for p in ok("remind", "q", "-o", str(out), "-f", "txt").splitlines()] \
        == ["B.txt"]
    assert "q:2  Late — deadline 2025-12-31, 15 day(s) late" in (out / "B.txt").read_text()


def test_a_russian_reminder_as_a_word_document(ok: Ok, asked: str, tmp_path: Path) -> None:
    import docx

    out = tmp_path / "ru"
    ok("--lang", "ru", "remind", "p", "--within", "80", "-f", "docx", "-o", str(out))
    document = docx.Document(str(out / "MoD.docx"))
    cells = [[c.text for c in row.cells] for table in document.tables for row in table.rows]
    assert ["p:2", "Подготовить доклад", "до 28.02.2026", "44"] in cells


def test_a_bad_address_is_refused(run: Run, db: Path, asked: str) -> None:
    before = snapshot(db)
    result = run("executor", "set", "MoD", "--email", "not an address")
    assert result.exit_code == 2 and "invalid e-mail address 'not an address'" in result.stderr
    assert snapshot(db) == before


def test_a_word_form_filled_and_saved_again_by_libreoffice_imports(
        ok: Ok, run: Run, db: Path, asked: str, tmp_path: Path) -> None:
    import docx

    from tests.test_documents import soffice

    out = tmp_path / "word"
    paths = ok("--lang", "ru", "round", "forms", "r1", "-o", str(out), "-f", "docx").splitlines()
    form = next(Path(p) for p in paths if p.endswith("MoD.docx"))
    document = docx.Document(str(form))
    table = document.tables[0]
    assert [c.text for c in table.rows[2].cells] == [
        "2", "Подготовить доклад", "до 28.02.2026", "ответственный исполнитель", "не начато",
        "", "", "", ""]
    assert document.core_properties.category == "tracker form"
    table.rows[2].cells[6].text = "Исполнено"
    table.rows[2].cells[8].text = "письмо № 12"
    filled = tmp_path / "MoD.docx"
    document.save(str(filled))
    resaved_dir = tmp_path / "resaved"
    resaved_dir.mkdir()
    resaved = soffice(filled, "docx:MS Word 2007 XML", resaved_dir)
    ok("import", "p", str(resaved))
    ok("accept", "p:2")
    shown = jok(ok, "show", "p:2", "-f", "json")
    assert (shown["status"], shown["evidence"]) == ("fulfilled", "письмо № 12")
    # a title changed in the Word table is refused, nothing written
    edited = docx.Document(str(form))
    edited.tables[0].rows[1].cells[1].text = "Другое мероприятие"
    edited.tables[0].rows[1].cells[6].text = "исполнено"
    edited.save(str(tmp_path / "edited.docx"))
    before = snapshot(db)
    result = run("import", "p", str(tmp_path / "edited.docx"))
    assert result.exit_code == 1
    assert "row 2: the number, title or deadline of measure 1 was changed" in result.stderr
    assert snapshot(db) == before


def test_undo_takes_an_address_back(ok: Ok, asked: str) -> None:
    ok("executor", "set", "MoD", "--email", "mod@example.org")
    assert "mod@example.org" in ok("executor", "list")
    ok("undo", "--yes")
    assert "mod@example.org" not in ok("executor", "list")
    ok("undo", "--yes")  # and the step before it (the round) goes on undoing
    assert ok("round", "list", "-f", "json").strip() == "[]"



def test_after_an_amendment_a_change_of_no_figure_asks_nothing(
        ok: Ok, run: Run, council: str) -> None:
    """Only a step that itself moves a published figure amends the report: not every write
    after the first amendment (it compared with what was published, not with the report
    before this step)."""
    ok("report", "c", "--publish", "council-2025-11")
    ok("update", "c:2", "--status", "partial", "--reason", "half", "--on", "2025-11-01",
       "--yes")
    ok("update", "c:1", "--evidence", "protocol No. 5")  # no figure moves: nothing asked
    assert len(jok(ok, "published", "-f", "json")[0]["amended"]) == 1
    result = run("update", "c:3", "--status", "fulfilled", "--on", "2025-11-01")
    assert result.exit_code == 1 and "fulfilled 2 of 3 → 2 of 3" not in result.stderr
    assert result.stderr.startswith("this changes the published report 'council-2025-11'")
