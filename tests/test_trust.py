"""Issue 10: the ordinary ways tracker lost data, printed a wrong number or left a user
stuck — each as a test that failed before its fix. Every test that touches the database
runs on both backends unless it is about the file's own files."""

from __future__ import annotations

import json
import os
import re
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.helpers import TODAY, Ok, Run, jok, log_events, snapshot
from tracker.cli import cli

# --- 1. import never overwrites a row it has just added ---------------------------------


def test_import_numbers_rows_around_the_refs_the_file_names(ok: Ok, run: Run,
                                                            tmp_path: Path) -> None:
    source = tmp_path / "f.csv"
    source.write_text("title,ref\nAlpha,\nBravo,\nCharlie,2\n")
    result = run("import", "p", str(source), "--title", "P")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == "p: 3 were added, 0 updated, 0 left unchanged\n"
    items = {i["ref"]: i["title"] for i in jok(ok, "list", "p")}
    assert items == {"1": "Alpha", "2": "Charlie", "3": "Bravo"}


def test_import_numbers_rows_after_the_plans_own_refs(ok: Ok, tmp_path: Path) -> None:
    ok("plan", "add", "p", "--title", "P")
    ok("add", "p", "Existing")  # p:1
    source = tmp_path / "f.csv"
    source.write_text("ref,title\n,New A\n3,Named three\n,New B\n")
    ok("import", "p", str(source))
    items = {i["ref"]: i["title"] for i in jok(ok, "list", "p")}
    assert items == {"1": "Existing", "2": "New A", "3": "Named three", "4": "New B"}


def test_a_ref_named_twice_is_a_bad_row_each_time_after_the_first(
        run: Run, db: Path, tmp_path: Path) -> None:
    source = tmp_path / "f.csv"
    source.write_text("ref,title\n1,A\n1,B\n2,C\n1,D\n")
    before = snapshot(db)
    result = run("import", "p", str(source), "--title", "P")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{source}:3: ref: '1' appears again (first on line 2)",
        f"{source}:5: ref: '1' appears again (first on line 2)",
        "Error: 2 bad rows; nothing was imported",
    ]
    assert snapshot(db) == before


# --- 2. -o never writes over a file of the database -------------------------------------


@pytest.mark.file_only
@pytest.mark.parametrize("suffix", ["", ".journal", ".bak", ".lock", ".broken-20240101T000000Z",
                                    ".journal.broken-20240101T000000Z", ".schema-1.bak"])
@pytest.mark.parametrize("command", [["export", "-f", "json"], ["export"],
                                     ["report", "-f", "html"], ["export", "-f", "xlsx"]])
def test_output_never_writes_over_the_databases_files(
        plan: str, run: Run, db: Path, suffix: str, command: list[str]) -> None:
    run("update", "p:1", "--title", "Renamed")  # so that a .bak exists
    target = Path(f"{db}{suffix}")
    if not target.exists():
        target.write_text("kept\n")
    before = snapshot(db)
    result = run(*command, "-o", str(target))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: -o {target} is a file of the database {db}")
    assert snapshot(db) == before


@pytest.mark.file_only
def test_output_refuses_the_database_by_another_path_a_symlink_or_a_hard_link(
        plan: str, run: Run, db: Path, tmp_path: Path) -> None:
    other = tmp_path / "sub"
    other.mkdir()
    link = tmp_path / "link.json"
    link.symlink_to(db)
    hard = tmp_path / "hard.json"
    os.link(db.parent / (db.name + ".journal"), hard)
    before = snapshot(db)
    for target in (f"{other}/../{db.name}", str(link), str(hard), f"{other}/../{db.name}.bak"):
        result = run("export", "-f", "json", "-o", target)
        assert result.exit_code == 1, target
        assert "is a file of the database" in result.stderr
    assert snapshot(db) == before


@pytest.mark.file_only
def test_copy_refuses_the_databases_own_files(plan: str, run: Run, db: Path) -> None:
    before = snapshot(db)
    for target in (str(db), f"{db}.journal", f"{db}.lock"):
        result = run("copy", target)
        assert result.exit_code == 1
        assert "file of the database" in result.stderr
    assert snapshot(db) == before


# --- 3. -o writes into what is at the path --------------------------------------------


def test_output_through_a_symlink_keeps_the_link(plan: str, ok: Ok, tmp_path: Path) -> None:
    real = tmp_path / "real.csv"
    real.write_text("old\n")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    ok("export", "p", "-o", str(link))
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_bytes().startswith(b"\xef\xbb\xbfplan,ref,title")


def test_output_into_a_fifo_writes_into_it(plan: str, ok: Ok, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def read() -> None:
        with open(fifo, "rb") as handle:
            received.append(handle.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        ok("export", "p", "-f", "json", "-o", str(fifo))
    finally:
        reader.join(timeout=10)
        if reader.is_alive():  # nothing was written into the FIFO: let the reader go
            with open(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK), "wb"):
                pass
    assert fifo.is_fifo()  # still a FIFO, not replaced by a file
    assert [i["id"] for i in json.loads(received[0])] == ["p:1", "p:2", "p:3"]


def test_output_into_a_folder_is_one_clear_error(plan: str, run: Run, tmp_path: Path) -> None:
    result = run("export", "p", "-f", "json", "-o", str(tmp_path))
    assert result.exit_code == 2  # click's Path(dir_okay=False) says so
    assert "is a directory" in result.stderr


# --- 4. the same bytes whatever stdout is; no control characters reach a terminal -------

ESCAPED = "Budget \x1b[31mred\x1b[0m"


def _import_title(run: Run, tmp_path: Path, title: str, reason: str = "") -> None:
    source = tmp_path / "ctl.csv"
    source.write_bytes(f'ref,title,status,reason\n1,"{title}",not-fulfilled,"{reason}"\n'
                       .encode())
    result = run("import", "c", str(source), "--title", "Controls")
    assert result.exit_code == 0, result.stderr


def test_piped_export_keeps_every_byte_of_the_data(run: Run, ok: Ok, tmp_path: Path) -> None:
    _import_title(run, tmp_path, ESCAPED)
    piped = ok("export", "c")
    assert ESCAPED in piped
    ok("export", "c", "-o", str(tmp_path / "out.csv"))
    written = (tmp_path / "out.csv").read_bytes().decode("utf-8-sig").replace("\r\n", "\n")
    assert written == piped
    assert jok(ok, "list", "c")[0]["title"] == ESCAPED


def test_tables_show_control_characters_escaped(run: Run, ok: Ok, tmp_path: Path) -> None:
    _import_title(run, tmp_path, ESCAPED, reason="bell\x07 and\rreturn")
    for args in (["list", "c"], ["show", "c:1"], ["report", "c"], ["log", "c"],
                 ["list", "c", "-f", "markdown"], ["plan", "list"]):
        text = ok(*args)
        assert "\x1b" not in text and "\x07" not in text and "\r" not in text, args
    assert "Budget \\x1b[31mred\\x1b[0m" in ok("list", "c")
    assert "bell\\x07 and\\rreturn" in ok("show", "c:1")


def test_html_never_holds_a_control_character(run: Run, ok: Ok, tmp_path: Path) -> None:
    _import_title(run, tmp_path, "bell\x07 and esc\x1b", reason="r\x1b")
    page = ok("report", "c", "-f", "html")
    assert "\x07" not in page and "\x1b" not in page
    assert "bell\\x07 and esc\\x1b" in page


def test_a_nul_in_an_import_file_is_a_bad_row(run: Run, db: Path, tmp_path: Path) -> None:
    source = tmp_path / "nul.csv"
    source.write_bytes(b"ref,title,reason\n1,ok,\n2,nul\x00here,\n")
    before = snapshot(db)
    result = run("import", "c", str(source), "--title", "C")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == f"{source}:3: title: it holds a NUL character"
    assert snapshot(db) == before


@pytest.mark.parametrize("args", [
    ["add", "p", "--", "Title \x1b[2J"],
    ["add", "p", "T", "--reason", "a\rb"],
    ["add", "p", "T", "--owner", "Ann\x07"],
    ["add", "p", "T", "--area", "A\nB"],
    ["add", "p", "T", "--evidence", "e\x00"],
    ["update", "p:1", "--note", "n\x1b"],
    ["update", "p:1", "--title", "t\x9b"],
    ["plan", "add", "q", "--title", "Q\x1b"],
    ["plan", "edit", "p", "--org", "o\x00"],
])
def test_control_characters_typed_on_the_command_line_are_refused(
        plan: str, run: Run, db: Path, args: list[str]) -> None:
    before = snapshot(db)
    result = run(*args)
    assert result.exit_code == 2
    assert "control character" in result.stderr
    assert "\x1b" not in result.stderr and "\x00" not in result.stderr
    assert snapshot(db) == before


def test_new_lines_and_tabs_are_allowed_in_reasons(plan: str, ok: Ok) -> None:
    ok("update", "p:3", "--status", "stalled", "--reason", "first line\nsecond\tline")
    assert jok(ok, "show", "p:3")["reason"] == "first line\nsecond\tline"


# --- 5. rounding never says 100% or 0% when it is not so --------------------------------


@pytest.mark.file_only
def test_1999_of_2000_is_99_9_and_1_of_2000_is_0_1(ok: Ok, run: Run, tmp_path: Path) -> None:
    rows = ["ref,title,status"] + [f"{n},M{n},{'fulfilled' if n > 1 else 'stalled'}"
                                   for n in range(1, 2001)]
    (tmp_path / "a.csv").write_text("\n".join(rows) + "\n")
    rows = ["ref,title,status"] + [f"{n},M{n},{'fulfilled' if n == 1 else 'stalled'}"
                                   for n in range(1, 2001)]
    (tmp_path / "b.csv").write_text("\n".join(rows) + "\n")
    ok("import", "a", str(tmp_path / "a.csv"), "--title", "A")
    ok("import", "b", str(tmp_path / "b.csv"), "--title", "B")
    assert "fulfilled 1999 of 2000  99.9%" in ok("report", "a")
    assert "fulfilled 1 of 2000  0.1%" in ok("report", "b")
    listed = ok("plan", "list")
    assert "99.9%" in listed and "0.1%" in listed and "100.0%" not in listed
    page = ok("report", "a", "-f", "html")
    assert "99.9%" in page and "100.0%" not in page
    assert jok(ok, "report", "a")["plans"][0]["rate"] == 1999 / 2000
    assert jok(ok, "report", "b")["plans"][0]["rate"] == 1 / 2000


# --- 6. a back-dated entry never leaks its reason ---------------------------------------


def test_a_back_dated_entry_does_not_leak_its_reason(plan: str, ok: Ok) -> None:
    ok("update", "p:3", "--status", "fulfilled", "--on", "2024-03-01")
    ok("update", "p:3", "--status", "stalled", "--reason", "late entry", "--on", "2024-02-01")
    now = jok(ok, "show", "p:3")
    assert (now["status"], now["reason"]) == ("fulfilled", "")
    then = jok(ok, "report", "p", "--as-of", "2024-02-15")["plans"][0]
    assert then["by_status"]["stalled"] == 1


# --- 7. history typed in after the fact ---------------------------------------------------


def test_history_typed_in_after_the_fact_moves_created_back(ok: Ok) -> None:
    ok("plan", "add", "old", "--title", "A plan of 2023")
    ok("add", "old", "Measure one")
    ok("add", "old", "Measure two")
    ok("update", "old:1", "--status", "fulfilled", "--on", "2023-05-01")
    item = jok(ok, "show", "old:1")
    assert item["created"] == "2023-05-01" and item["status"] == "fulfilled"
    assert item["history"][-1]["changes"]["created"] == [TODAY, "2023-05-01"]
    report = jok(ok, "report", "old", "--as-of", "2023-06-30")["plans"][0]
    assert (report["total"], report["fulfilled"], report["not_yet_added"]) == (1, 1, 1)
    text = ok("report", "old", "--as-of", "2023-06-30")
    assert "(1 item of the plan today did not exist yet on 2023-06-30: not counted)" in text
    assert jok(ok, "report", "old", "--as-of", "2023-04-30")["plans"][0]["total"] == 0
    ok("undo", "--yes")
    item = jok(ok, "show", "old:1")
    assert (item["created"], item["status"]) == (TODAY, "not-started")


def test_the_add_values_hold_from_the_earlier_start(ok: Ok) -> None:
    ok("plan", "add", "old", "--title", "A plan of 2023")
    ok("add", "old", "Measure one", "--owner", "Ann", "--due", "2023-12-31")
    ok("update", "old:1", "--status", "in-progress", "--on", "2023-05-01")
    ok("update", "old:1", "--status", "fulfilled", "--on", "2023-09-01")
    (then,) = jok(ok, "report", "old", "--as-of", "2023-07-01")["plans"]
    assert then["by_status"]["in-progress"] == 1
    assert jok(ok, "show", "old:1")["owners"] == ["Ann"]
    assert jok(ok, "report", "old")["plans"][0]["fulfilled"] == 1


def test_an_import_dated_earlier_than_the_items_moves_them_back(ok: Ok, tmp_path: Path) -> None:
    ok("plan", "add", "p", "--title", "P")
    ok("add", "p", "A")
    source = tmp_path / "f.csv"
    source.write_text("ref,title,status\n1,A,fulfilled\n")
    ok("import", "p", str(source), "--on", "2024-01-10")
    assert jok(ok, "show", "p:1")["created"] == "2024-01-10"
    assert jok(ok, "report", "p", "--as-of", "2024-02-01")["plans"][0]["fulfilled"] == 1


# --- 8. a weighted rate says it is weighted -----------------------------------------------


def test_a_weighted_rate_says_so_in_every_text_format(ok: Ok) -> None:
    ok("plan", "add", "w", "--title", "Weighted")
    ok("add", "w", "Heavy", "--weight", "3")
    ok("add", "w", "Light", "--status", "fulfilled")
    ok("add", "w", "Medium", "--weight", "2", "--status", "fulfilled")
    for fmt in ("table", "plain", "markdown", "grid"):
        text = ok("report", "w", "-f", fmt)
        assert "fulfilled 2 of 3 measures; weighted rate 50.0% (weights 1–3)" in text, fmt
    page = ok("report", "w", "-f", "html")
    assert "weighted 50.0% · 2 of 3 (weights 1–3)" in page
    ok("plan", "add", "u", "--title", "Unweighted")
    ok("add", "u", "One", "--status", "fulfilled")
    assert "fulfilled 1 of 1  100.0%" in ok("report", "u")
    assert "weighted rate" not in ok("report", "u")


# --- 9. a database copied without its journal ---------------------------------------------


@pytest.mark.file_only
def test_info_names_every_file_of_the_database(plan: str, ok: Ok, db: Path) -> None:
    ok("update", "p:1", "--title", "Renamed")
    info = jok(ok, "info")
    assert info["journal"] == f"{db}.journal"
    assert info["files"] == [str(db), f"{db}.bak", f"{db}.journal", f"{db}.journal.idx",
                             f"{db}.lock"]
    assert "tracker.json.journal" in ok("info")


@pytest.mark.file_only
def test_a_missing_journal_is_one_clear_error_and_repair_gets_writing_again(
        plan: str, ok: Ok, run: Run, db: Path) -> None:
    ok("update", "p:3", "--status", "fulfilled", "--on", "2025-06-01")
    journal = Path(f"{db}.journal")
    journal.unlink()
    before = snapshot(db)
    for args in (["show", "p:1"], ["log"], ["report", "--as-of", "2025-07-01"],
                 ["add", "p", "Another"], ["update", "p:1", "--title", "x"], ["undo", "--yes"],
                 ["copy", str(db.parent / "copy.json")]):
        result = run(*args)
        assert result.exit_code == 1, args
        lines = result.stderr.splitlines()
        assert len(lines) == 2, (args, lines)
        assert lines[0].startswith(f"Error: the journal {journal} is missing"), args
        assert "tracker repair" in lines[1] and "Errno" not in result.stderr
        assert snapshot(db) == before
    assert len(jok(ok, "list", "p")) == 3  # reads that need no history still work
    result = run("repair", "--yes")
    assert result.exit_code == 0, result.stderr
    assert "history before today is lost" in result.stderr
    ok("add", "p", "Another")  # writing again
    events = log_events(ok)
    repair = next(e for e in events if e["action"] == "repair")
    assert "the journal was missing" in repair["note"]
    assert {e["id"] for e in events if e["action"] == "baseline"} == {"p", "p:1", "p:2", "p:3"}
    shown = jok(ok, "show", "p:3")
    assert shown["status"] == "fulfilled" and shown["history"][0]["action"] == "baseline"
    assert shown["created"] == "2025-06-01"  # the item file kept it
    too_early = run("report", "p", "--as-of", "2025-07-01")
    assert too_early.exit_code == 1
    assert f"lost the history before {TODAY}" in too_early.stderr
    assert jok(ok, "report", "p", "--as-of", TODAY)["plans"][0]["fulfilled"] == 2
    nothing = run("undo", "--yes")  # the add; then the repair is a wall
    assert nothing.exit_code == 0
    wall = run("undo", "--yes")
    assert wall.exit_code == 1 and "repaired" in wall.stderr


@pytest.mark.file_only
def test_repair_keeps_the_readable_events_of_a_damaged_journal(
        plan: str, ok: Ok, run: Run, db: Path) -> None:
    journal = Path(f"{db}.journal")
    lines = journal.read_bytes().splitlines(keepends=True)
    lines[2] = b'{"seq": garbage' + b"#" * (len(lines[2]) - 16) + b"\n"  # same length
    journal.write_bytes(b"".join(lines))
    damaged = run("log")
    assert damaged.exit_code == 1 and "damaged at line 3" in damaged.stderr
    assert "tracker repair" in damaged.stderr
    result = run("repair", "--yes")
    assert result.exit_code == 0, result.stderr
    kept = sorted(db.parent.glob(db.name + ".journal.broken-*"))
    assert len(kept) == 1 and b"garbage" in kept[0].read_bytes()
    events = log_events(ok)
    assert "1 damaged line(s) of the journal were dropped" in events[0]["note"] \
        or any("1 damaged line(s)" in e["note"] for e in events)
    assert len([e for e in events if e["action"] in ("plan-add", "add")]) == len(lines) - 1
    ok("update", "p:3", "--status", "fulfilled")


@pytest.mark.file_only
def test_a_database_file_lost_beside_its_journal_is_rebuilt_by_repair(
        plan: str, ok: Ok, run: Run, db: Path) -> None:
    ok("update", "p:3", "--status", "stalled", "--reason", "waiting")
    expected = jok(ok, "list")
    db.unlink()
    Path(f"{db}.bak").unlink()
    refused = run("add", "p", "x")
    assert refused.exit_code == 1 and "tracker repair" in refused.stderr
    assert Path(f"{db}.journal").stat().st_size > 0  # the journal was not cut
    assert run("repair", "--yes").exit_code == 0
    assert jok(ok, "list") == expected
    assert jok(ok, "plan", "show", "p")["title"] == "Plan P"
    assert run("repair", "--yes").stderr.startswith("nothing to repair")


def test_repair_on_a_whole_database_changes_nothing(plan: str, run: Run, db: Path,
                                                    backend: str) -> None:
    before = snapshot(db)
    result = run("repair", "--yes")
    if backend == "file":
        assert result.exit_code == 0 and result.stderr.startswith("nothing to repair")
    else:
        assert result.exit_code == 1 and "PostgreSQL" in result.stderr
    assert snapshot(db) == before


def test_the_readme_says_a_database_is_all_its_files() -> None:
    readme = " ".join((Path(__file__).parent.parent / "README.md").read_text().split())
    assert "move all of them, or use `tracker copy`" in readme
    assert "tracker repair" in readme


# --- 10. the history of removed things ------------------------------------------------


def test_log_and_show_of_a_removed_item(plan: str, ok: Ok) -> None:
    ok("update", "p:2", "--note", "before removal")
    ok("remove", "p:2", "--yes")
    events = log_events(ok, "p:2")
    assert [e["action"] for e in events] == ["remove", "update", "add"]
    shown = jok(ok, "show", "p:2")
    assert shown["title"] == "Second measure" and shown["reason"] == "partner refused"
    assert shown["removed"] == {"effective": TODAY, "at": events[0]["at"], "actor": "tester",
                                "step": events[0]["step"]}
    text = ok("show", "p:2")
    assert re.search(rf"\nremoved +{TODAY} by tester \(step {events[0]['step']}\)", text)
    assert "before removal" in text


def test_log_of_a_removed_plan(plan: str, ok: Ok, run: Run) -> None:
    ok("plan", "remove", "p", "--force", "--yes")
    events = log_events(ok, "p")
    assert events[0]["action"] == "plan-remove" and events[-1]["action"] == "plan-add"
    assert run("log", "never-was").exit_code == 1
    assert run("show", "p:9").exit_code == 1


# --- 11. a failed write leaves every file as it was ------------------------------------


@pytest.mark.file_only
@pytest.mark.parametrize("failure", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_a_failed_or_interrupted_write_leaves_the_journal_as_it_was(
        plan: str, db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        failure: BaseException) -> None:
    from tracker import fileio

    source = tmp_path / "many.csv"
    source.write_text("title\n" + "".join(f"M{n}\n" for n in range(50)))
    before = snapshot(db)
    real = fileio.atomic_write

    def failing(path: str, data: bytes, backup: str | None = None) -> None:
        if path == str(db):
            raise failure
        real(path, data, backup)

    monkeypatch.setattr(fileio, "atomic_write", failing)
    result = CliRunner().invoke(cli, ["import", "p", str(source)])
    assert result.exit_code == 1
    assert result.stderr.endswith(("it was left as it was\n", "Aborted; nothing was changed.\n"))
    assert snapshot(db) == before


# --- 12. a database that does not exist --------------------------------------------------


def test_reads_of_a_database_that_does_not_exist_say_so(tmp_path: Path) -> None:
    missing = tmp_path / "typo.json"
    runner = CliRunner()
    for args in (["list"], ["plan", "list"], ["report"]):
        result = runner.invoke(cli, ["--db", str(missing), *args])
        assert result.exit_code == 0
        assert result.stderr.splitlines()[0] == (
            f"note: there is no database {missing} yet; the first 'tracker plan add' "
            "creates it")
    for args in (["copy", str(tmp_path / "target.json")],
                 ["export", "-o", str(tmp_path / "out.csv")]):
        result = runner.invoke(cli, ["--db", str(missing), *args])
        assert result.exit_code == 1, args
        assert f"there is no database {missing}" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []


# --- smaller ones ---------------------------------------------------------------------------


@pytest.mark.parametrize("args", [["import", "p", "f.csv", "--delimiter", ""],
                                  ["import", "p", "f.csv", "--delimiter", ";;"],
                                  ["export", "--delimiter", "a"],
                                  ["export", "--delimiter", '"']])
def test_a_bad_delimiter_is_bad_usage_with_the_allowed_set(plan: str, run: Run,
                                                           args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert "use one of ',' ';' '|' or 'tab'" in result.stderr


def test_tab_and_semicolon_delimiters_work(plan: str, ok: Ok) -> None:
    assert ok("export", "p", "--delimiter", "tab").startswith("plan\tref\ttitle")
    assert ok("export", "p", "--delimiter", ";").startswith("plan;ref;title")


@pytest.mark.parametrize("weight", ["1_000", "1e-320", "1e3", "nan"])
def test_weights_python_accepts_but_people_do_not_write(plan: str, run: Run,
                                                        weight: str) -> None:
    result = run("add", "p", "T", "--weight", weight)
    assert result.exit_code == 2 and "invalid weight" in result.stderr


def test_an_owner_given_twice_is_one_owner(plan: str, ok: Ok) -> None:
    ok("add", "p", "T", "--owner", "x", "--owner", "y", "--owner", "x")
    assert jok(ok, "show", "p:4")["owners"] == ["x", "y"]
    ok("update", "p:4", "--owner", "z", "--owner", "z")
    assert jok(ok, "show", "p:4")["owners"] == ["z"]


@pytest.mark.parametrize("value", ["nan", "inf", "-1", "soon"])
def test_a_lock_timeout_that_is_not_a_number_of_seconds(plan: str, run: Run,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        value: str) -> None:
    monkeypatch.setenv("TRACKER_LOCK_TIMEOUT", value)
    result = run("add", "p", "T")
    assert result.exit_code == 2
    assert f"TRACKER_LOCK_TIMEOUT='{value}' is not a number of seconds" in result.stderr


def test_plan_dates_can_be_cleared(ok: Ok) -> None:
    ok("plan", "add", "d", "--title", "D", "--start", "2024-01-01", "--end", "2024-12-31")
    ok("plan", "edit", "d", "--end", "none")
    shown = jok(ok, "plan", "show", "d")
    assert (shown["start"], shown["end"]) == ("2024-01-01", None)
    ok("undo", "--yes")
    assert jok(ok, "plan", "show", "d")["end"] == "2024-12-31"


def test_a_date_in_full_width_digits_is_not_a_date(plan: str, run: Run) -> None:
    result = run("add", "p", "T", "--due", "２０２４-０１-０１")
    assert result.exit_code == 2
    assert "no such day" not in result.stderr and "invalid deadline" in result.stderr
    assert run("update", "p:1", "--on", "２０２４-０１-０１").stderr.count("use YYYY-MM-DD") == 1


def test_an_error_cuts_a_huge_argument(plan: str, run: Run) -> None:
    result = run("update", "p:1", "--due", "x" * 100_000)
    assert result.exit_code == 2
    assert len(result.stderr) < 500
    assert "(100,000 characters)" in result.stderr
    russian = run("--lang", "ru", "update", "p:1", "--due", "x" * 100_000)
    assert "(100\u00a0000 симв.)" in russian.stderr  # not «100,000»: a decimal comma
    huge = run("list", "--" + "y" * 100_000)
    assert huge.exit_code == 2 and len(huge.stderr) < 1200


def test_one_item_that_already_had_the_values(plan: str, run: Run) -> None:
    result = run("update", "p:1", "--status", "fulfilled")
    assert result.stderr == "nothing changed: p:1 already had these values\n"


def test_one_bad_header_is_one_problem_of_the_header(run: Run, tmp_path: Path) -> None:
    source = tmp_path / "h.csv"
    source.write_text("colour,size\nred,2\n")
    result = run("import", "p", str(source), "--title", "P")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == ("Error: the header row is not right; nothing "
                                              "was imported")


def test_a_windows_1251_csv_is_read_and_said_so(ok: Ok, run: Run, tmp_path: Path) -> None:
    source = tmp_path / "cp.csv"
    source.write_bytes("ref,title\n1,Провести заседание Совета\n".encode("cp1251"))
    result = run("import", "p", str(source), "--title", "P")
    assert result.exit_code == 0
    assert "read as Windows-1251" in result.stderr
    assert jok(ok, "show", "p:1")["title"] == "Провести заседание Совета"


def test_bytes_that_are_neither_utf8_nor_cyrillic_name_the_line(run: Run, db: Path,
                                                               tmp_path: Path) -> None:
    source = tmp_path / "latin.csv"
    source.write_bytes("ref,title\n1,ok\n2,caf\xe9 cr\xe8me\n".encode("latin-1"))
    before = snapshot(db)
    result = run("import", "p", str(source), "--title", "P")
    assert result.exit_code == 1
    assert result.stderr == (f'Error: {source}:3: the file is not UTF-8 text; save it as '
                             '"CSV UTF-8" and import it again\n')
    assert snapshot(db) == before


def test_hints_for_a_title_starting_with_a_dash_and_a_global_option_after_the_command(
        plan: str, run: Run) -> None:
    dash = run("add", "p", "-5% of costs")
    assert dash.exit_code == 2
    assert "needs '--' before it" in dash.stderr
    late = run("report", "--db", "x.json")
    assert late.exit_code == 2
    assert "put it before the command, e.g. 'tracker --db PATH report …'" in late.stderr


def test_markdown_shows_raw_html_as_text(plan: str, ok: Ok) -> None:
    ok("add", "p", "<script>alert(1)</script>", "--reason", '<img src=x onerror="x()">')
    ok("update", "p:4", "--status", "not-fulfilled", "--reason", '<img src=x onerror="x()">')
    for args in (["list", "p", "-f", "markdown"], ["report", "p", "-f", "markdown"],
                 ["export", "p", "-f", "markdown"]):
        text = ok(*args)
        assert "<script>" not in text and "<img" not in text, args
        assert "&lt;script&gt;" in text


def test_the_readme_gives_install_commands_that_work_on_debian() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    assert "pipx install ." in readme and "source .venv/bin/activate" in readme
