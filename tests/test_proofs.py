"""Proofs of the storage guarantees (SPEC §3, §5, §7) under stress, crashes and damage.

a. concurrent writers in separate processes lose nothing, and the state is the journal
   replayed (each plan's history read through the journal's index too);
b. kill -9 at random points of a large import leaves the old state or the whole new one,
   and the journal's index agrees with the journal;
c. a damaged database or journal is reported, never rewritten;
d. a read-only folder or a write that fails half way changes nothing;
e. a model-based state machine over add / update / remove / undo through the CLI.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import json
import os
import random
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from tests.helpers import TODAY, Run, snapshot
from tracker.cli import cli

PYTHON = sys.executable
TRACKER = [PYTHON, "-m", "tracker"]
STATUSES = ("not-started", "in-progress", "stalled", "fulfilled", "partial", "not-fulfilled",
            "withdrawn")
WITHOUT_REASON = frozenset({"fulfilled", "in-progress", "not-started"})
# Every stored item field but the dates, with the value it holds when not set.
DEFAULTS: dict[str, Any] = {"title": None, "status": "not-started", "reason": "", "owners": [],
                            "area": "", "due": None, "weight": 1, "evidence": ""}
ITEM_ACTIONS = ("add", "update", "move", "remove", "import", "undo")


def at(db: Path | str, *args: str, input: str | None = None) -> Result:
    """Invoke the CLI in-process on the database *db*."""
    return CliRunner().invoke(cli, ["--db", str(db), *args], input=input,
                              catch_exceptions=False)


def ok_at(db: Path | str, *args: str) -> str:
    result = at(db, *args)
    assert result.exit_code == 0, (args, result.stdout, result.stderr)
    return result.stdout


def items_at(db: Path | str) -> list[dict[str, Any]]:
    return json.loads(ok_at(db, "list", "--format", "json"))


def events_at(db: Path | str) -> list[dict[str, Any]]:
    """The journal as `log` shows it, in recorded order."""
    return sorted(json.loads(ok_at(db, "log", "--format", "json")), key=lambda e: e["seq"])


def index_agrees(db: Path | str) -> bool:
    """Whether each plan's history read through the journal's index (``log PLAN``) is the
    journal read in full (``log``): the index, derived, never changes an answer."""
    events = events_at(db)
    plans = {e["id"].partition(":")[0] for e in events}
    return all(
        sorted(json.loads(ok_at(db, "log", plan, "--format", "json")), key=lambda e: e["seq"])
        == [e for e in events if e["id"] == plan or e["id"].startswith(plan + ":")]
        for plan in plans)


def leftovers(db: Path | str) -> list[str]:
    folder = Path(db).parent
    return sorted(p.name for p in folder.iterdir() if ".tmp-" in p.name)


def recorded_journal_size(db: Path | str) -> int:
    meta = json.loads(Path(db).read_bytes())["meta"]
    (doc,) = meta.values()
    return int(doc["journal_size"])


def journal_bytes(db: Path | str) -> bytes:
    path = Path(f"{db}.journal")
    return path.read_bytes() if path.exists() else b""


def _norm(field: str, value: Any) -> Any:
    return DEFAULTS[field] if value is None else value


def replay(events: list[dict[str, Any]]) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Rebuild the items from the journal's ``changes``, in seq order.

    Also checks that every event's old values are what the replay holds at that point
    (a lost or reordered write shows up as a mismatch); returns the items and the problems.
    """
    items: dict[str, dict[str, Any]] = {}
    problems: list[str] = []
    for event in sorted(events, key=lambda e: e["seq"]):
        if event["action"] not in ITEM_ACTIONS or ":" not in event["id"]:
            continue
        target, changes = event["id"], event["changes"]
        ref = changes.get("ref")
        where = f"seq {event['seq']} ({event['action']} {target}, step {event['step']})"
        if ref is not None and ref[0] is None:  # it is created
            if target in items:
                problems.append(f"{where}: creates an item that exists")
            items[target] = dict(DEFAULTS)
            current = items[target]
        else:
            if target not in items:
                problems.append(f"{where}: changes an item that does not exist")
                continue
            current = items[target]
            for field, (old, _new) in changes.items():
                if field in DEFAULTS and _norm(field, old) != current[field]:
                    problems.append(f"{where}: {field} was {current[field]!r}, the event "
                                    f"says {old!r}")
        if ref is not None and ref[1] is None:  # it is deleted
            del items[target]
            continue
        for field, (_old, new) in changes.items():
            if field in DEFAULTS:
                current[field] = _norm(field, new)
    return items, problems


def stored_fields(item: dict[str, Any]) -> dict[str, Any]:
    return {field: item[field] for field in DEFAULTS}


# === a. concurrent writers =====================================================================

WORKERS = 8
COMMANDS_PER_WORKER = 50
SEED_ITEMS = 10

WORKER = r'''
import contextlib, io, json, random, sys, time
from tracker.cli import cli

worker, seed, count, db, log_path = sys.argv[1:6]
rng = random.Random(int(seed))


def refs():
    """The refs of plan p now, read the way a user would (readers take no lock)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = cli.main(["list", "p", "--format", "json"], standalone_mode=False)
    return [item["ref"] for item in json.loads(out.getvalue())] if code == 0 else []

STATUSES = ["not-started", "in-progress", "stalled", "fulfilled", "partial",
            "not-fulfilled", "withdrawn"]
with open(log_path, "w", encoding="utf-8") as log:
    for n in range(int(count)):
        tag = f"{worker}-{n}"
        kind = rng.choices(["add", "update", "remove", "undo"], weights=[40, 32, 14, 14])[0]
        if kind == "add":
            args = ["add", "p", f"title {tag}"]
            if rng.random() < 0.3:
                args += ["--status", rng.choice(STATUSES)]
            if rng.random() < 0.3:
                args += ["--reason", f"reason {tag}"]
        elif kind == "undo":
            args = ["undo", "--yes"]
        else:
            known = refs()
            address = "p:" + (rng.choice(known) if known else "1")
            if kind == "remove":
                args = ["remove", address, "--yes"]
            else:
                args = ["update", address, "--note", f"note {tag}"]
                if rng.random() < 0.6:
                    args += ["--status", rng.choice(STATUSES)]
                if rng.random() < 0.4:
                    args += ["--reason", f"reason {tag}"]
                if rng.random() < 0.3:
                    args += ["--title", f"renamed {tag}"]
                if rng.random() < 0.3:  # a first deadline, or a move (its reason given)
                    args += ["--due", rng.choice(["2024-03-31", "2024-Q4", "2025-06"])]
                    if "--reason" not in args:
                        args += ["--reason", f"moved {tag}"]
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli.main(args, standalone_mode=False)
        log.write(json.dumps({"n": n, "args": args, "code": code, "stdout": out.getvalue(),
                              "stderr": err.getvalue()}) + "\n")
        log.flush()
        time.sleep(rng.random() * 0.03)  # let the other writers in: they poll for the lock
'''

EXPECTED_ERRORS = (
    re.compile(r"Error: database is busy\b"),
    re.compile(r"Error: nothing to undo\b"),
    re.compile(r"Error: no item 'p:[0-9]+' in plan 'p'"),
)


def _is_expected_error(entry: dict[str, Any]) -> bool:
    first = entry["stderr"].splitlines()[0] if entry["stderr"] else ""
    if entry["code"] != 1 or "Traceback" in entry["stderr"]:
        return False
    if entry["args"][0] == "undo":
        return bool(EXPECTED_ERRORS[0].match(first) or EXPECTED_ERRORS[1].match(first))
    if entry["args"][0] in ("update", "remove"):
        return bool(EXPECTED_ERRORS[0].match(first) or EXPECTED_ERRORS[2].match(first))
    return bool(EXPECTED_ERRORS[0].match(first))


def test_a_concurrent_mixed_writers_lose_nothing_and_state_is_the_journal_replayed(
    db: Path, ok: Callable[..., str], tmp_path: Path
) -> None:
    ok("plan", "add", "p", "--title", "P")
    for n in range(SEED_ITEMS):
        ok("add", "p", f"seed {n}")
    logs = [tmp_path / f"worker-{w}.log" for w in range(WORKERS)]
    workers = [
        subprocess.Popen(
            [PYTHON, "-c", WORKER, f"w{w}", str(1000 + w), str(COMMANDS_PER_WORKER), str(db),
             str(logs[w])],
            env={**os.environ, "TRACKER_DB": str(db), "TRACKER_USER": f"w{w}",
                 "TRACKER_LOCK_TIMEOUT": "60"},
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        for w in range(WORKERS)
    ]
    for worker in workers:
        out, err = worker.communicate(timeout=110)
        assert worker.returncode == 0, (out.decode(), err.decode())

    # every command ran and ended in success or an expected, clean error
    entries = {f"w{w}": [json.loads(line) for line in logs[w].read_text().splitlines()]
               for w in range(WORKERS)}
    unexpected = []
    for name, ran in entries.items():
        assert [e["n"] for e in ran] == list(range(COMMANDS_PER_WORKER)), name
        unexpected += [(name, e) for e in ran if e["code"] != 0 and not _is_expected_error(e)]
    assert not unexpected, unexpected
    succeeded = sum(1 for ran in entries.values() for e in ran if e["code"] == 0)
    tally: dict[str, int] = {}
    for ran in entries.values():
        for e in ran:
            outcome = "ok" if e["code"] == 0 else e["stderr"].split("'")[0].strip()
            key = f"{e['args'][0]} {outcome}"
            tally[key] = tally.get(key, 0) + 1
    print(f"\n{WORKERS} writers x {COMMANDS_PER_WORKER} commands: {succeeded} succeeded; "
          + ", ".join(f"{k}: {v}" for k, v in sorted(tally.items())))
    assert succeeded > WORKERS * COMMANDS_PER_WORKER // 2  # the proof is not vacuous

    events = events_at(db)
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert index_agrees(db)
    assert any(e["action"] == "move" for e in events)  # deadlines were moved as well
    steps: dict[int, list[dict[str, Any]]] = {}
    for event in events:
        steps.setdefault(event["step"], []).append(event)
    assert list(steps) == list(range(1, len(steps) + 1)), "steps are not contiguous in seq order"
    def kind(step_events: list[dict[str, Any]]) -> str:
        """The command a step is: an update that moves a deadline also records a move."""
        actions = {e["action"] for e in step_events}
        return "update" if actions <= {"update", "move"} else actions.pop()

    for number, step_events in steps.items():
        assert len({e["actor"] for e in step_events}) == 1, (number, step_events)
        assert len({e["action"] for e in step_events} - {"move"}) <= 1, (number, step_events)

    # one step per successful command, in each worker's order, of the command's kind
    by_actor: dict[str, list[int]] = {}
    for number, step_events in steps.items():
        by_actor.setdefault(step_events[0]["actor"], []).append(number)
    assert len(by_actor.get("tester", [])) == 1 + SEED_ITEMS
    for name, ran in entries.items():
        done = [e for e in ran if e["code"] == 0]
        mine = by_actor.get(name, [])
        assert [kind(steps[s]) for s in mine] == [e["args"][0] for e in done], name
        for entry, number in zip(done, mine, strict=True):
            if entry["args"][0] == "add":
                (event,) = steps[number]
                assert event["id"] == entry["stdout"].strip(), (entry, event)
                assert event["changes"]["title"] == [None, entry["args"][2]], (entry, event)

    actors = [step_events[0]["actor"] for step_events in steps.values()]
    switches = sum(1 for a, b in zip(actors, actors[1:], strict=False) if a != b)
    print(f"{len(steps)} steps, {len(events)} events; the writer changed {switches} times")

    # undo always reverts the latest step not yet undone, whoever wrote it
    stack: list[int] = []
    foreign_undos = 0
    for number, step_events in steps.items():
        if step_events[0]["action"] != "undo":
            stack.append(number)
            continue
        assert stack, f"step {number} undid a step that did not exist"
        target = stack.pop()
        foreign_undos += steps[target][0]["actor"] != step_events[0]["actor"]
        assert {e["undoes"] for e in step_events} == {target}, (number, target)
        reverted = [{k: [new, old] for k, (old, new) in e["changes"].items()}
                    for e in reversed(steps[target])]
        assert [e["changes"] for e in step_events] == reverted, (number, target)
        assert [e["id"] for e in step_events] == [e["id"] for e in reversed(steps[target])]
    assert stack and stack[0] == 1, "the plan's own step was undone"
    print(f"{foreign_undos} undo(s) reverted another writer's step")

    # the final state is the journal replayed
    final = items_at(db)
    rebuilt, problems = replay(events)
    assert not problems, problems
    assert {i["id"]: stored_fields(i) for i in final} == rebuilt
    assert all(i["created"] == TODAY and i["updated"] == TODAY for i in final)

    # every successful add is present, unless a later event removed it
    present = {i["id"]: i for i in final}
    for name, ran in entries.items():
        for entry in ran:
            if entry["code"] != 0 or entry["args"][0] != "add":
                continue
            address = entry["stdout"].strip()
            added = next(e for e in events if e["action"] == "add" and e["actor"] == name
                         and e["changes"]["title"][1] == entry["args"][2])
            later = [e for e in events if e["id"] == address and e["seq"] > added["seq"]]
            if any(e["changes"].get("ref", [0, 0])[1] is None for e in later):
                continue  # removed or undone by a later step: explained
            assert address in present, (name, entry, later)
            titles = [added["changes"]["title"][1]] + [
                e["changes"]["title"][1] for e in later if "title" in e["changes"]]
            assert present[address]["title"] == titles[-1], (name, entry, later)

    assert leftovers(db) == []
    assert len(journal_bytes(db)) == recorded_journal_size(db)


# === b. kill -9 during a large import ==========================================================

IMPORT_ROWS = 3000
KILL_TRIALS = 20


def _write_import_csv(path: Path) -> set[str]:
    titles = set()
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ref", "title", "status", "reason", "owners", "area"])
        for n in range(IMPORT_ROWS):
            title = f"Imported measure {n} — мера {n}"
            titles.add(title)
            writer.writerow([f"n{n}", title, "stalled" if n % 3 == 0 else "in-progress",
                             "waiting for the partner" if n % 3 == 0 else "", "Ann; Bob",
                             f"area {n % 7}"])
    return titles


def _copy_base(base: Path, folder: Path) -> Path:
    folder.mkdir()
    for source in base.parent.iterdir():
        if source.name.startswith(base.name):
            shutil.copy2(source, folder / source.name)
    return folder / base.name


def test_b_kill_9_during_a_large_import_leaves_the_old_or_the_whole_new_state(
    db: Path, ok: Callable[..., str], tmp_path: Path
) -> None:
    base_folder = tmp_path / "base"
    base_folder.mkdir()
    base = base_folder / "tracker.json"
    ok_at(base, "plan", "add", "p", "--title", "P")
    for n in range(3):
        ok_at(base, "add", "p", f"Measure {n + 1} (title not published)")
    ok_at(base, "update", "p:2", "--status", "not-fulfilled", "--reason", "their stance")
    old_items, old_events = items_at(base), events_at(base)
    source = tmp_path / "big.csv"
    new_titles = _write_import_csv(source)
    env = {**os.environ, "TRACKER_LOCK_TIMEOUT": "60"}

    def start(target: Path, *options: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen([*TRACKER, "import", "p", str(source), *options],
                                env={**env, "TRACKER_DB": str(target)},
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def timed(run: int, *options: str) -> float:
        target = _copy_base(base, tmp_path / f"measure-{run}")
        began = time.monotonic()
        process = start(target, *options)
        _out, err = process.communicate(timeout=60)
        took = time.monotonic() - began
        assert process.returncode == 0, err.decode()
        expected = len(old_items) + (0 if options else IMPORT_ROWS)
        assert len(items_at(target)) == expected
        shutil.rmtree(target.parent)
        return took

    # runs to completion first: how long a dry run (all but the write) and a real one take
    dry = min(timed(0, "--dry-run"), timed(1, "--dry-run"))
    duration = min(timed(2), timed(3))
    rng = random.Random(20231121)
    outcome = {"old": 0, "new": 0, "new, killed after the write": 0, "finished before the kill": 0,
               "temp files left": 0, "journal lines past the recorded size": 0}
    failures: list[str] = []
    trials = 0
    # Even trials: one random moment in each tenth of the whole run. Odd trials: a random
    # moment in the window where the write happens, narrowed as trials show where it is
    # (a kill that found the old state with nothing written came before it; one that found
    # the new state, or a finished process, came after it).
    initial = (min(dry, duration) * 0.8, duration * 1.1)
    window = list(initial)
    for trial in range(KILL_TRIALS):
        target = _copy_base(base, tmp_path / f"trial-{trial}")
        if trial % 2 == 0:
            delay = duration * (trial // 2 + rng.random()) / (KILL_TRIALS // 2)
        else:
            if window[1] - window[0] < 0.005:
                window = list(initial)
            delay = rng.uniform(*window)
        process = start(target)
        time.sleep(delay)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        _out, stderr = process.communicate(timeout=60)
        trials += 1
        killed = process.returncode == -signal.SIGKILL
        if not killed:
            outcome["finished before the kill"] += 1
        tail = len(journal_bytes(target)) > recorded_journal_size(target)
        if leftovers(target):
            outcome["temp files left"] += 1
        if tail:
            outcome["journal lines past the recorded size"] += 1
        if process.returncode not in (0, -signal.SIGKILL):
            failures.append(f"trial {trial}: the import failed on its own (rc "
                            f"{process.returncode}): {stderr.decode().strip()}")
        where = f"trial {trial} (kill after {delay:.3f} s, rc {process.returncode})"

        listed = at(target, "list", "--format", "json")
        if listed.exit_code != 0:
            failures.append(f"{where}: list failed: {listed.stderr.strip()}")
            continue
        items, events = json.loads(listed.stdout), events_at(target)
        if len(items) == len(old_items):
            outcome["old"] += 1
            if not tail and not leftovers(target) and delay < window[1]:
                window[0] = max(window[0], delay)
            if items != old_items or events != old_events:
                failures.append(f"{where}: the old item count, but not the old state")
        elif len(items) == len(old_items) + IMPORT_ROWS:
            outcome["new"] += 1
            outcome["new, killed after the write"] += killed
            window[1] = min(window[1], delay)
            imported = events[len(old_events):]
            if (items[:len(old_items)] != old_items
                    or {i["title"] for i in items[len(old_items):]} != new_titles
                    or events[:len(old_events)] != old_events
                    or len(imported) != IMPORT_ROWS
                    or {(e["action"], e["step"]) for e in imported}
                    != {("import", old_events[-1]["step"] + 1)}):
                failures.append(f"{where}: the new item count, but not the whole new state")
        else:
            failures.append(f"{where}: {len(items)} items: neither old nor new")
            continue
        rebuilt, problems = replay(events)
        if problems or rebuilt != {i["id"]: stored_fields(i) for i in items}:
            failures.append(f"{where}: log disagrees with the state: {problems[:3]}")
        if not index_agrees(target):
            failures.append(f"{where}: a plan's log through the index is not the journal's")

        # the next write cleans up: no temp files, no journal lines past the recorded size
        after = at(target, "add", "p", "after the crash")
        if after.exit_code != 0:
            failures.append(f"{where}: the next write failed: {after.stderr.strip()}")
            continue
        if leftovers(target):
            failures.append(f"{where}: temp files left after the next write: "
                            f"{leftovers(target)}")
        if len(journal_bytes(target)) != recorded_journal_size(target):
            failures.append(f"{where}: the journal does not end at its recorded size")
        if len(events_at(target)) != len(events) + 1 or len(items_at(target)) != len(items) + 1:
            failures.append(f"{where}: the next write is not exactly one more item and event")
        if not index_agrees(target):
            failures.append(f"{where}: after the next write, the index disagrees")
        shutil.rmtree(target.parent)

    print(f"\nkill -9 during import of {IMPORT_ROWS} rows (one run {duration:.2f} s, dry run "
          f"{dry:.2f} s): "
          f"{trials} trials; " + ", ".join(f"{k}: {v}" for k, v in outcome.items())
          + f"; invariant broken in {len(failures)}")
    assert trials == KILL_TRIALS
    assert not failures, failures


# === c. a damaged database or journal ===========================================================

DAMAGE = {
    "truncated-json": b'{"meta": {"1": {"schema_version": 1, "last_seq": 4}}, "plans": {"1": ',
    "garbage-bytes": b"\x00\xff\xfe garbage \x80\x81\x00\n",
    "empty-file": b"",
    "json-list": b"[1, 2, 3]",
    "json-null": b"null",
    "tables-not-tables": b'{"meta": {"1": {"schema_version": 1}}, "plans": [], "items": 5}',
    "no-schema-version": b'{"meta": {"1": {"last_seq": 4}}, "plans": {}, "items": {}}',
    "item-of-no-plan": (b'{"meta": {"1": {"schema_version": 1}}, "plans": {}, '
                        b'"items": {"1": {"plan": "zz", "ref": "1", "title": "x"}}}'),
}

# test_cli_errors.py covers `list` and `add`; these are the other commands.
COMMANDS_ON_DAMAGE = {
    "undo": ["undo", "--yes"],
    "import": ["import", "p", "{csv}"],
    "report": ["report"],
    "log": ["log"],
    "update": ["update", "p:1", "--status", "withdrawn"],
    "remove": ["remove", "p:1", "--yes"],
    "plan-add": ["plan", "add", "q", "--title", "Q"],
    "show": ["show", "p:1"],
    "export": ["export"],
    "info": ["info"],
}


def _check_clean_failure(result: Result, names: str, *, max_lines: int = 2) -> None:
    assert result.exit_code == 1, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == "", result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    assert "internal error" not in result.stderr, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) in range(1, max_lines + 1), result.stderr
    assert lines[0].startswith("Error: "), result.stderr
    assert names in result.stderr, (names, result.stderr)


@pytest.mark.parametrize("command", list(COMMANDS_ON_DAMAGE.values()),
                         ids=list(COMMANDS_ON_DAMAGE))
@pytest.mark.parametrize("content", list(DAMAGE.values()), ids=list(DAMAGE))
def test_c_damaged_database_is_named_and_left_byte_for_byte(
    plan: str, db: Path, run: Run, tmp_path: Path, content: bytes, command: list[str]
) -> None:
    rows = tmp_path / "rows.csv"
    rows.write_text("title\nA new measure\n", encoding="utf-8")
    db.write_bytes(content)
    before = snapshot(db)
    result = run(*[arg.format(csv=rows) for arg in command])
    _check_clean_failure(result, str(db))
    assert db.read_bytes() == content
    assert snapshot(db) == before


JOURNAL_DAMAGE = {
    "garbage-bytes": b"\x00\xff\xfe\x80 garbage",
    "truncated-object": b'{"seq": 2, "at": "2026-01-15T',
    "json-not-an-object": b"[1, 2, 3]",
}


@pytest.mark.parametrize("command", [["log"], ["log", "p"], ["show", "p:1"], ["undo", "--yes"],
                                     ["report", "--as-of", TODAY]],
                         ids=["log", "log-plan", "show", "undo", "report-as-of"])
@pytest.mark.parametrize("damage", list(JOURNAL_DAMAGE.values()), ids=list(JOURNAL_DAMAGE))
def test_c_damaged_journal_line_is_reported_and_left_alone(
    plan: str, db: Path, run: Run, damage: bytes, command: list[str]
) -> None:
    journal = Path(f"{db}.journal")
    lines = journal.read_bytes().splitlines(keepends=True)
    assert len(lines) == 4
    # the second line, same length, so the journal still has its recorded size
    lines[1] = damage.ljust(len(lines[1]) - 1)[: len(lines[1]) - 1] + b"\n"
    journal.write_bytes(b"".join(lines))
    assert len(journal_bytes(db)) == recorded_journal_size(db)
    before = snapshot(db)
    result = run(*command)
    _check_clean_failure(result, str(journal))
    assert snapshot(db) == before


# === d. a read-only folder; a write that fails half way =========================================

@contextlib.contextmanager
def _read_only_folder() -> Iterator[Path]:
    """A folder (world-traversable, unlike pytest's tmp_path) to be made read-only."""
    folder = Path(tempfile.mkdtemp(prefix="tracker-ro-"))
    try:
        yield folder
    finally:
        folder.chmod(0o755)
        shutil.rmtree(folder, ignore_errors=True)


def _as_unprivileged() -> list[str]:
    """A command prefix that runs as a user the folder's permissions apply to."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    assert setpriv, ("setpriv (util-linux) is needed to run a command as an unprivileged user; "
                     "root ignores a read-only folder")
    return [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]


@contextlib.contextmanager
def _unprivileged_tracker() -> Iterator[tuple[list[str], dict[str, str]]]:
    """``tracker`` as the unprivileged user: the command and the environment it needs.

    The checkout and its virtual environment may sit in a folder only root can read (a
    fresh clone in ``mktemp -d``), so the code a command needs (tracker, click, tinydb) is
    copied into a world-readable folder, and the first interpreter that user can run and
    import it with is taken.
    """
    import click
    import tinydb

    import tracker

    stage = Path(tempfile.mkdtemp(prefix="tracker-code-"))
    try:
        stage.chmod(0o755)
        for module in (tracker, click, tinydb):
            source = Path(module.__file__ or "").parent
            shutil.copytree(source, stage / source.name,
                            ignore=shutil.ignore_patterns("__pycache__"))
        for path in stage.rglob("*"):
            path.chmod(0o755 if path.is_dir() else 0o644)
        env = {"PYTHONPATH": str(stage), "PYTHONDONTWRITEBYTECODE": "1"}
        for python in (PYTHON, "/usr/bin/python3", shutil.which("python3") or PYTHON):
            probe = subprocess.run(
                [*_as_unprivileged(), python, "-c", "import tracker.cli"],
                env={**os.environ, **env}, capture_output=True, text=True, timeout=60)
            if probe.returncode == 0:
                yield [*_as_unprivileged(), python, "-m", "tracker"], env
                return
        raise AssertionError("no Python interpreter the unprivileged user can run imports "
                             f"tracker: {probe.stderr.strip()}")
    finally:
        shutil.rmtree(stage, ignore_errors=True)


@pytest.mark.parametrize("case", ["no-lock-file", "lock-read-only", "lock-writable",
                                  "lock-and-journal-writable"])
def test_d_read_only_folder_gives_a_clear_error_and_changes_nothing(case: str) -> None:
    with _read_only_folder() as folder, _unprivileged_tracker() as (command, code_env):
        db = folder / "tracker.json"
        ok_at(db, "plan", "add", "p", "--title", "P")
        ok_at(db, "add", "p", "First measure")
        ok_at(db, "update", "p:1", "--status", "fulfilled")
        items, events = items_at(db), events_at(db)
        for path in folder.iterdir():
            path.chmod(0o644)
        lock = Path(f"{db}.lock")
        if case == "no-lock-file":
            lock.unlink()
        if case in ("lock-writable", "lock-and-journal-writable"):
            lock.chmod(0o666)
        if case == "lock-and-journal-writable":
            Path(f"{db}.journal").chmod(0o666)
        folder.chmod(0o555)
        files = {p.name: p.read_bytes() for p in folder.iterdir()}
        journal = journal_bytes(db)
        env = {**os.environ, "TRACKER_DB": str(db), "TRACKER_USER": "reader",
               "TRACKER_TODAY": TODAY, "TRACKER_LOCK_TIMEOUT": "60", **code_env}
        env.pop("TRACKER_DEBUG", None)

        def tracker(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run([*command, *args], env=env, cwd=folder,
                                  capture_output=True, text=True, timeout=60)

        reading = tracker("list", "--format", "json")
        assert reading.returncode == 0, reading.stderr  # readers need no write access
        assert json.loads(reading.stdout) == items

        writing = tracker("add", "p", "Second measure")
        assert writing.returncode == 1, (writing.stdout, writing.stderr)
        assert writing.stdout == ""
        assert "Traceback" not in writing.stderr and "internal error" not in writing.stderr
        assert len(writing.stderr.splitlines()) in (1, 2), writing.stderr
        assert writing.stderr.startswith("Error: "), writing.stderr
        assert str(db) in writing.stderr, writing.stderr

        assert leftovers(db) == []
        now = {p.name: p.read_bytes() for p in folder.iterdir()}
        assert set(now) == set(files)
        for name, content in files.items():
            if name.endswith(".journal"):
                assert now[name].startswith(content), "the journal's recorded part changed"
            else:
                assert now[name] == content, f"{name} changed"
        assert journal_bytes(db)[: len(journal)] == journal
        assert items_at(db) == items
        assert events_at(db) == events  # no trace of the failed command


def _fd_path(fd: int) -> str:
    return os.readlink(f"/proc/self/fd/{fd}")


class Fault:
    """Wraps ``os.<name>``: the calls *hits* picks fail with ENOSPC, the others run.

    Faults are chosen by what a call touches, not by how many calls came before, so they
    keep hitting the same step when the write path is reorganised.
    """

    def __init__(self, name: str, hits: Callable[..., bool], db: Path) -> None:
        self.real = getattr(os, name)
        self.name, self.hits, self.db = name, hits, db
        self.fired = 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.hits(self, *args):
            self.fired += 1
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return self.real(*args, **kwargs)


def _half_written_journal(fault: Fault, fd: int, data: Any) -> bool:
    """The journal gets half of the first write, then the disk is full."""
    if not _fd_path(fd).endswith(".journal"):
        return False
    if fault.fired == 0:
        fault.fired += 1
        fault.real(fd, bytes(data)[: max(1, len(data) // 2)])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    return True


# What a failing write meets: the journal append, the temp file's fsync, the replace of the
# database, or the fsync of the folder after it (durability not confirmed).
FAULTS: dict[str, tuple[str, Callable[..., bool]]] = {
    "journal-half-written": ("write", _half_written_journal),
    "fsync-journal": ("fsync", lambda f, fd: _fd_path(fd).endswith(".journal")),
    "fsync-temp-file": ("fsync", lambda f, fd: ".tmp-" in _fd_path(fd)),
    "fsync-folder-after-replace": ("fsync", lambda f, fd: stat.S_ISDIR(os.fstat(fd).st_mode)),
    "every-fsync": ("fsync", lambda f, fd: True),
    "replace-database": ("replace", lambda f, src, dst: os.fspath(dst) == str(f.db)),
}
WRITES = {
    "add": ["add", "p", "Fourth measure"],
    "update": ["update", "p:1", "p:3", "--status", "partial", "--reason", "half done"],
    "undo": ["undo", "--yes"],
    "import": ["import", "p", "{csv}"],
}


def _inject(run: Run, monkeypatch: pytest.MonkeyPatch, fault: Fault, args: list[str]) -> Result:
    with monkeypatch.context() as patch:
        patch.setattr(os, fault.name, fault)
        result = run(*args)
    assert fault.fired, "the fault was never injected"
    return result


@pytest.mark.parametrize("command", list(WRITES.values()), ids=list(WRITES))
@pytest.mark.parametrize("fault", list(FAULTS.values()), ids=list(FAULTS))
def test_d_a_write_failing_half_way_changes_nothing(
    plan: str, db: Path, run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    fault: tuple[str, Callable[..., bool]], command: list[str],
) -> None:
    rows = tmp_path / "rows.csv"
    rows.write_text("ref,title,status\n1,First measure,withdrawn\n,A new one,\n",
                    encoding="utf-8")
    items, events = items_at(db), events_at(db)
    before = snapshot(db)
    journal = journal_bytes(db)
    result = _inject(run, monkeypatch, Fault(*fault, db),
                     [arg.format(csv=rows) for arg in command])
    _check_clean_failure(result, str(db), max_lines=1)
    assert "No space left on device" in result.stderr
    assert leftovers(db) == []
    assert snapshot(db)[db.name] == before[db.name], "the database changed"
    assert journal_bytes(db)[: len(journal)] == journal
    assert items_at(db) == items
    assert events_at(db) == events  # no trace of the failed command
    after = snapshot(db)
    del after[f"{db.name}.journal"], before[f"{db.name}.journal"]
    assert after == before, "a failed command changed a file beside the database (.bak?)"
    # the next write cuts what the failed one appended to the journal
    assert run("add", "p", "Next measure").exit_code == 0
    assert len(journal_bytes(db)) == recorded_journal_size(db)
    assert journal_bytes(db).startswith(journal)
    assert len(events_at(db)) == len(events) + 1


def test_d_a_backup_that_cannot_be_renewed_leaves_a_consistent_result(
    plan: str, db: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Failing to renew <db>.bak: either the command fails and nothing changed, or it
    succeeds with the change in place and a readable backup; never a mix."""
    items, events = items_at(db), events_at(db)
    before = snapshot(db)
    backup = Path(f"{db}.bak")
    fault = Fault("replace", lambda f, src, dst: os.fspath(dst) == str(backup), db)
    result = _inject(run, monkeypatch, fault, ["add", "p", "Fourth measure"])
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert leftovers(db) == []
    if result.exit_code == 0:
        assert len(items_at(db)) == len(items) + 1
        assert len(events_at(db)) == len(events) + 1
        assert snapshot(db)[backup.name] == before[backup.name]  # the older backup stays
        assert items_at(backup) is not None
    else:
        _check_clean_failure(result, str(db), max_lines=1)
        assert snapshot(db)[db.name] == before[db.name]
        assert snapshot(db)[backup.name] == before[backup.name]
        assert items_at(db) == items and events_at(db) == events


# === e. a model-based state machine through the CLI =============================================

TEXT = st.text(alphabet="abcxyz ABC 019 Мера.,;:'\"=+@()", min_size=1, max_size=12)
TITLES = TEXT.filter(lambda t: t.strip() != "" and not t.startswith("-"))
REASONS = st.one_of(st.just(""), TEXT)
OPTIONAL_STATUS = st.one_of(st.none(), st.sampled_from(STATUSES))


class TrackerModel(RuleBasedStateMachine):
    """The CLI against a dict of ref → fields and a stack of earlier states for undo."""

    def __init__(self) -> None:
        super().__init__()
        self.folder = tempfile.mkdtemp(prefix="tracker-model-")
        self.db = os.path.join(self.folder, "tracker.json")
        self.runner = CliRunner()
        self.plan = True
        self.items: dict[str, dict[str, str]] = {}
        self.undo_stack: list[tuple[bool, dict[str, dict[str, str]]]] = [(False, {})]
        self.expect(self.cli("plan", "add", "p", "--title", "P"), 0)

    def teardown(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def cli(self, *args: str) -> Result:
        return self.runner.invoke(
            cli, ["--db", self.db, *args], catch_exceptions=False,
            env={"TRACKER_TODAY": TODAY, "TRACKER_USER": "model", "TRACKER_DEBUG": None,
                 "TRACKER_LOCK_TIMEOUT": "60"},
        )

    @staticmethod
    def expect(result: Result, code: int, pattern: str | None = None) -> None:
        assert result.exit_code == code, (code, result.exit_code, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
        if pattern is not None:
            assert re.search(pattern, result.stderr), (pattern, result.stderr)

    @initialize()
    def some_items(self) -> None:
        """Start with items that have reasons, so that every rule has work from step one."""
        for title, status, reason in [("Measure 1", "not-fulfilled", "their stance"),
                                      ("Measure 2", "stalled", "waiting"),
                                      ("Measure 3", "fulfilled", "")]:
            self.add(title, status, reason)

    def push(self) -> None:
        self.undo_stack.append((self.plan, {r: dict(f) for r, f in self.items.items()}))

    @rule(title=TITLES, status=OPTIONAL_STATUS, reason=st.one_of(st.none(), REASONS))
    def add(self, title: str, status: str | None, reason: str | None) -> None:
        args = ["add", "p", title]
        if status is not None:
            args += ["--status", status]
        if reason is not None:
            args += ["--reason", reason]
        result = self.cli(*args)
        if not self.plan:
            self.expect(result, 1, r"no plan 'p'")
            return
        self.expect(result, 0)
        ref = str(max((int(r) for r in self.items), default=0) + 1)
        assert result.stdout == f"p:{ref}\n"
        self.push()
        self.items[ref] = {"title": title.strip(), "status": status or "not-started",
                           "reason": reason or ""}

    @precondition(lambda self: bool(self.items))
    @rule(data=st.data(), status=OPTIONAL_STATUS, reason=st.one_of(st.none(), REASONS),
          title=st.one_of(st.none(), TITLES))
    def update(self, data: st.DataObject, status: str | None, reason: str | None,
               title: str | None) -> None:
        ref = data.draw(st.sampled_from(sorted(self.items)))
        args = ["update", f"p:{ref}"]
        wanted: dict[str, str] = {}
        if status is not None:
            args += ["--status", status]
            wanted["status"] = status
        if reason is not None:
            args += ["--reason", reason]
            wanted["reason"] = reason
        if title is not None:
            args += ["--title", title]
            wanted["title"] = title.strip()
        result = self.cli(*args)
        if not wanted:
            self.expect(result, 2, r"nothing to update")
            return
        self.expect(result, 0)
        current = self.items[ref]
        if (status is not None and reason is None and status != current["status"]
                and status in WITHOUT_REASON):
            wanted["reason"] = ""
        changes = {k: v for k, v in wanted.items() if current[k] != v}
        if changes:  # an update that changes nothing is no step to undo
            self.push()
            current.update(changes)

    @precondition(lambda self: bool(self.items))
    @rule(data=st.data())
    def update_to_the_same_values(self, data: st.DataObject) -> None:
        """An update that changes nothing records no step: undo then reverts an earlier one."""
        ref = data.draw(st.sampled_from(sorted(self.items)))
        current = self.items[ref]
        result = self.cli("update", f"p:{ref}", "--status", current["status"], "--title",
                          current["title"], "--reason", current["reason"])
        self.expect(result, 0, rf"nothing changed: p:{ref} already had these values")

    @rule(ref=st.sampled_from(["77", "x1"]))
    def update_unknown(self, ref: str) -> None:
        result = self.cli("update", f"p:{ref}", "--status", "fulfilled")
        self.expect(result, 1, r"no plan 'p'" if not self.plan else rf"no item 'p:{ref}'")

    @precondition(lambda self: bool(self.items))
    @rule(data=st.data())
    def remove(self, data: st.DataObject) -> None:
        ref = data.draw(st.sampled_from(sorted(self.items)))
        self.expect(self.cli("remove", f"p:{ref}", "--yes"), 0)
        self.push()
        del self.items[ref]

    @rule()
    def undo(self) -> None:
        result = self.cli("undo", "--yes")
        if not self.undo_stack:
            self.expect(result, 1, r"nothing to undo")
            return
        self.expect(result, 0)
        self.plan, self.items = self.undo_stack.pop()

    @invariant()
    def state_matches_the_model(self) -> None:
        result = self.cli("list", "--format", "json")
        self.expect(result, 0)
        listed = json.loads(result.stdout)
        assert {i["ref"]: {"title": i["title"], "status": i["status"], "reason": i["reason"]}
                for i in listed} == self.items
        assert all(i["id"] == f"p:{i['ref']}" and i["plan"] == "p" for i in listed)
        assert len(listed) == len(self.items)


TestTrackerModel = TrackerModel.TestCase
TestTrackerModel.settings = settings(
    max_examples=25, stateful_step_count=15, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


# a guard: the helpers above must be able to see a difference
def test_replay_notices_a_lost_write() -> None:
    events = [
        {"seq": 1, "step": 1, "id": "p:1", "action": "add",
         "changes": {"ref": [None, "1"], "title": [None, "A"]}},
        {"seq": 2, "step": 2, "id": "p:1", "action": "update",
         "changes": {"status": ["in-progress", "fulfilled"]}},
    ]
    _items, problems = replay(events)
    assert problems and "status" in problems[0]
