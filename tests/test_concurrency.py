"""Writers in separate processes on one database: nothing lost, a clean "busy" when held."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import Run, snapshot
from tracker import fileio

WRITER = """
import sys
from tracker.cli import cli
worker = sys.argv[1]
for n in range(25):
    code = cli.main(["add", "p", f"worker {worker} item {n}"], standalone_mode=False)
    if code:
        sys.exit(code)
"""


def test_four_processes_adding_25_items_each_lose_nothing(db: Path, ok: Run) -> None:
    ok("plan", "add", "p", "--title", "P")
    env = {**os.environ, "TRACKER_DB": str(db), "TRACKER_LOCK_TIMEOUT": "60"}
    workers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(w)], env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for w in range(4)
    ]
    for worker in workers:
        _out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err.decode()
    items = json.loads(ok("list", "p", "--format", "json"))
    assert len(items) == 100
    assert sorted(int(i["ref"]) for i in items) == list(range(1, 101))
    titles = {i["title"] for i in items}
    assert titles == {f"worker {w} item {n}" for w in range(4) for n in range(25)}
    events = json.loads(ok("log", "--format", "json"))
    assert len([e for e in events if e["action"] == "add"]) == 100
    assert len({e["step"] for e in events}) == 101  # plan add + one step per add


@pytest.mark.file_only
def test_a_held_lock_gives_busy_after_the_timeout(
    db: Path, ok: Run, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    ok("plan", "add", "p", "--title", "P")
    before = snapshot(db)
    monkeypatch.setenv("TRACKER_LOCK_TIMEOUT", "0.3")
    with fileio.exclusive_lock(str(db) + ".lock", 1):
        result = run("add", "p", "blocked")
        reading = run("list", "p", "--format", "json")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: database is busy")
    assert "TRACKER_LOCK_TIMEOUT" in result.stderr
    assert result.stdout == ""
    assert snapshot(db) == before
    assert reading.exit_code == 0  # readers take no lock
    assert json.loads(reading.stdout) == []
