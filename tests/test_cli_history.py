"""restore --from-backup, shell completion, and the import progress bar on a terminal."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.helpers import Run, snapshot
from tracker.cli import cli

Ok = Callable[..., str]


@pytest.mark.file_only
def test_restore_puts_the_backup_back_and_keeps_the_damaged_file(
    db: Path, ok: Ok, run: Run, plan: str
) -> None:
    ok("update", "p:3", "--status", "fulfilled")  # .bak now holds the state before this
    damaged = db.read_bytes()[:40]
    db.write_bytes(damaged)
    failed = run("list")
    assert failed.exit_code == 1
    assert "tracker restore --from-backup" in failed.stderr

    result = run("restore", "--from-backup", "--yes")
    assert result.exit_code == 0, result.stderr
    kept = [p for p in db.parent.iterdir() if p.name.startswith("tracker.json.broken-")]
    assert len(kept) == 1 and kept[0].read_bytes() == damaged
    assert str(kept[0]) in result.stderr
    items = {i["ref"]: i["status"] for i in json.loads(ok("list", "-f", "json"))}
    assert items == {"1": "fulfilled", "2": "not-fulfilled", "3": "not-started"}
    events = json.loads(ok("log", "-f", "json"))
    assert events[0]["action"] == "restore"
    assert [e["action"] for e in events].count("update") == 0  # the lost step left the log
    aside = [p for p in db.parent.iterdir() if p.name.startswith("tracker.json.journal.broken-")]
    assert len(aside) == 1 and b'"action":"update"' in aside[0].read_bytes()  # but is kept
    assert str(aside[0]) in result.stderr
    ok("undo", "--yes")  # undo skips the restore and reverts the step before it
    assert [i["ref"] for i in json.loads(ok("list", "-f", "json"))] == ["1", "2"]


@pytest.mark.file_only
def test_restore_refuses_without_confirmation_or_backup(db: Path, ok: Ok, run: Run) -> None:
    ok("plan", "add", "p", "--title", "P")
    before = snapshot(db)
    result = run("restore", "--from-backup")  # no terminal, no --yes
    assert result.exit_code == 1 and "--yes" in result.stderr
    result = run("restore", "--from-backup", "--yes")  # a first write leaves no .bak
    assert result.exit_code == 1
    assert "no backup" in result.stderr
    assert snapshot(db) == before


@pytest.mark.file_only
def test_restore_refuses_a_damaged_backup(db: Path, ok: Ok, run: Run) -> None:
    ok("plan", "add", "p", "--title", "P")
    ok("add", "p", "one")
    Path(str(db) + ".bak").write_bytes(b"{nonsense")
    before = snapshot(db)
    result = run("restore", "--from-backup", "--yes")
    assert result.exit_code == 1
    assert "cannot be read either" in result.stderr
    assert snapshot(db) == before


def test_shell_completion_offers_plan_ids(db: Path, ok: Ok) -> None:
    ok("plan", "add", "csto-2023", "--title", "CSTO")
    ok("plan", "add", "office", "--title", "Office")
    runner = CliRunner()
    env = {"_TRACKER_COMPLETE": "bash_complete", "COMP_WORDS": "tracker report cs",
           "COMP_CWORD": "2"}
    result = runner.invoke(cli, [], env=env, prog_name="tracker")
    assert result.stdout.split() == ["plain,csto-2023"]
    env["COMP_WORDS"] = "tracker update o"
    result = runner.invoke(cli, [], env=env, prog_name="tracker")
    assert result.stdout.split() == ["plain,office:"]


def test_a_long_import_shows_progress_only_on_a_terminal(db: Path, tmp_path: Path) -> None:
    rows = tmp_path / "rows.csv"
    rows.write_text("title\n" + "".join(f"item {n}\n" for n in range(1500)))
    env = {**os.environ, "TRACKER_DB": str(db)}
    command = [sys.executable, "-m", "tracker", "import", "p", str(rows), "--title", "P"]
    leader, follower = pty.openpty()
    process = subprocess.run(command, env=env, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=follower, timeout=120)
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert process.returncode == 0
    assert b"importing" in shown and b"100%" in shown
    assert b"1500 were added" in shown
    piped = subprocess.run([*command[:4], "q", str(rows), "--title", "Q"], env=env,
                           capture_output=True, timeout=120)
    assert piped.returncode == 0
    assert b"importing" not in piped.stderr


@pytest.mark.file_only
def test_a_failed_first_command_leaves_no_folder_or_lock(tmp_path: Path) -> None:
    parent = tmp_path / "kept"
    parent.mkdir()
    db = parent / "new" / "deeper" / "t.json"
    runner = CliRunner()
    for args in (["undo", "--yes"], ["update", "p:1", "--status", "fulfilled"],
                 ["add", "p", "x"]):
        result = runner.invoke(cli, ["--db", str(db), *args])
        assert result.exit_code == 1, result.stderr
        assert list(parent.iterdir()) == []  # the folders it made are gone, 'kept' stays
    result = runner.invoke(cli, ["--db", str(db), "plan", "add", "p", "--title", "P"])
    assert result.exit_code == 0
    assert sorted(p.name for p in db.parent.iterdir()) == ["t.json", "t.json.journal",
                                                          "t.json.journal.idx", "t.json.lock"]
