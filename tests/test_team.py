"""Team guarantees, on both backends: many writers lose nothing, and text that looks like
SQL is only ever text."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.helpers import Run

Ok = Callable[..., str]
WORKERS = 8
ROUNDS = 25  # each round is one add and one update: 50 writes per worker

WRITER = """
import sys
from tracker.cli import cli
worker, rounds = sys.argv[1], int(sys.argv[2])
for n in range(rounds):
    for args in (["add", "p", f"worker {worker} item {n}", "--owner", f"w{worker}"],
                 ["update", "p:1", "--title", f"shared, last set by {worker}-{n}"]):
        code = cli.main(args, standalone_mode=False)
        if code:
            sys.exit(code)
"""


def test_8_processes_of_50_adds_and_updates_on_one_plan_lose_nothing(
    db: Path, ok: Ok, backend: str
) -> None:
    """Every add is there with a unique ref, and the updates of one item form an unbroken
    chain in the journal: each one's old value is the previous one's new value, which a
    write made from a stale read would break."""
    ok("plan", "add", "p", "--title", "P")
    ok("add", "p", "shared")
    env = {**os.environ, "TRACKER_DB": str(db), "TRACKER_LOCK_TIMEOUT": "120"}
    started = time.monotonic()
    workers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(w), str(ROUNDS)], env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for w in range(WORKERS)
    ]
    for worker in workers:
        _out, err = worker.communicate(timeout=300)
        assert worker.returncode == 0, err.decode()
    elapsed = time.monotonic() - started
    print(f"{backend}: {WORKERS} processes x {2 * ROUNDS} writes in {elapsed:.1f} s")

    items = json.loads(ok("list", "p", "--format", "json"))
    adds = WORKERS * ROUNDS
    assert len(items) == 1 + adds
    assert sorted(int(i["ref"]) for i in items) == list(range(1, adds + 2))
    assert {i["title"] for i in items if i["ref"] != "1"} == {
        f"worker {w} item {n}" for w in range(WORKERS) for n in range(ROUNDS)}

    events = sorted(json.loads(ok("log", "--format", "json")), key=lambda e: e["seq"])
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert len({e["step"] for e in events}) == 2 + 2 * adds  # one step per command
    updates = [e for e in events if e["id"] == "p:1" and e["action"] == "update"]
    assert len(updates) == adds
    previous = "shared"
    for event in updates:
        old, new = event["changes"]["title"]
        assert old == previous, (event, previous)
        previous = new
    assert next(i for i in items if i["ref"] == "1")["title"] == previous


SQLISH = [
    "'); DROP TABLE items; --",
    "Robert'); DROP TABLE plans;--",
    "%s %(x)s $1 ? :name \\x00 \\'",
    'a "quoted" title; SELECT * FROM tracker.events',
    "Меры по итогам сессии; DELETE FROM tracker.meta",
]


def test_sql_like_text_is_stored_and_shown_as_text(ok: Ok, run: Run, db: Path,
                                                   tmp_path: Path) -> None:
    ok("plan", "add", "p", "--title", SQLISH[0], "--org", SQLISH[1], "--source", SQLISH[4])
    # Owners may not hold ';' (it separates them in CSV), so they get the text without it.
    owners = [text.replace(";", ",") for text in SQLISH]
    for n, text in enumerate(SQLISH, 1):
        ok("add", "p", "--ref", str(n), "--owner", owners[n - 1], "--owner", owners[1],
           "--area", text, "--reason", text, "--evidence", text, "--", text)
        ok("update", f"p:{n}", "--status", "not-fulfilled", "--reason", text[::-1],
           "--note", text)
    items = json.loads(ok("list", "--format", "json"))
    assert [i["title"] for i in items] == SQLISH
    for item, text, owner in zip(items, SQLISH, owners, strict=True):
        assert item["owners"] == list(dict.fromkeys([owner, owners[1]]))  # each owner once
        assert (item["area"], item["reason"], item["evidence"]) == (text, text[::-1], text)
    shown = json.loads(ok("plan", "show", "p", "--format", "json"))
    assert (shown["title"], shown["org"], shown["source"]) == (SQLISH[0], SQLISH[1], SQLISH[4])
    assert SQLISH[0] in ok("list", "p") and SQLISH[2] in ok("report", "p")
    history: list[dict[str, Any]] = json.loads(ok("show", "p:3", "--format", "json"))["history"]
    assert history[-1]["note"] == SQLISH[2]
    # a plan and an item of another name are still there: nothing was dropped or deleted
    ok("plan", "add", "q", "--title", "Q")
    ok("add", "q", "still here")
    assert len(json.loads(ok("list", "--format", "json"))) == len(SQLISH) + 1
    exported = tmp_path / "out.csv"
    ok("export", "p", "-o", str(exported))
    ok("import", "r", str(exported), "--title", "R")
    assert [i["title"] for i in json.loads(ok("list", "r", "--format", "json"))] == SQLISH
