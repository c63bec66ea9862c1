"""The journal's index (``<db>.journal.idx``): one plan's history costs what that plan's
history holds, and an index that does not match its journal never changes an answer.

The index is derived: byte ranges of each plan's lines, with how much of the journal it
covers and a checksum of the bytes ending there. These tests count the journal bytes a
command reads, and damage, swap and outdate the index to see every read still agree with
the journal read in full.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.helpers import TODAY
from tracker.cli import cli
from tracker.store import file as store_file

pytestmark = pytest.mark.file_only


def run(db: Path, *args: str) -> str:
    result = CliRunner(env={"TRACKER_TODAY": TODAY, "TRACKER_USER": "tester"}).invoke(
        cli, ["--db", str(db), *args], catch_exceptions=False)
    assert result.exit_code == 0, (args, result.stderr)
    return result.stdout


def small_plan(db: Path) -> None:
    run(db, "plan", "add", "p", "--title", "P")
    for n in range(3):
        run(db, "add", "p", f"Measure {n + 1}", "--on", "2025-01-10")
    run(db, "update", "p:1", "--status", "stalled", "--reason", "waiting", "--on",
        "2025-03-01")
    run(db, "update", "p:1", "--status", "fulfilled", "--on", "2025-05-01")


def big_plan(db: Path, folder: Path, plan: str = "q", rows: int = 1000) -> None:
    source = folder / f"{plan}.csv"
    for status in ("in-progress", "fulfilled"):
        with source.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["ref", "title", "status"])
            writer.writerows([str(n), f"Measure {n} of a long plan", status]
                             for n in range(1, rows + 1))
        run(db, "import", plan, str(source), "--title", plan.upper(), "--on", "2025-02-01")


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The journal bytes each read hands back, as the commands run."""
    read: list[int] = []
    storage = store_file.JSONFileStorage
    for name in ("journal_ranges", "journal_read"):
        original = getattr(storage, name)

        def wrapped(self: Any, *args: Any, _original: Any = original) -> bytes:
            data: bytes = _original(self, *args)
            read.append(len(data))
            return data

        monkeypatch.setattr(storage, name, wrapped)
    original_blocks = storage.journal_blocks

    def blocks(self: Any, *args: Any) -> Iterator[bytes]:
        for block in original_blocks(self, *args):
            read.append(len(block))
            yield block

    monkeypatch.setattr(storage, "journal_blocks", blocks)
    yield read


def untimed(value: Any) -> Any:
    """*value* without the events' recording times (``at``): the two databases are built
    a moment apart, and a second may tick over between them."""
    if isinstance(value, dict):
        return {k: untimed(v) for k, v in value.items() if k != "at"}
    if isinstance(value, list):
        return [untimed(v) for v in value]
    return value


def test_one_plans_history_costs_what_that_plan_holds(tmp_path: Path,
                                                      counted: list[int]) -> None:
    alone, shared = tmp_path / "alone.json", tmp_path / "shared.json"
    small_plan(alone)
    small_plan(shared)
    big_plan(shared, tmp_path)  # 2,000 events of another plan, after p's
    big_plan(shared, tmp_path, "r")  # and 2,000 more
    journal = Path(f"{shared}.journal").stat().st_size
    for args in (["show", "p:1"], ["log", "p:1"], ["log", "p"],
                 ["report", "p", "--as-of", "2025-04-01"], ["report", "p", "--since",
                                                            "2025-02-15"], ["trend", "p"]):
        costs = []
        for db in (alone, shared):
            counted.clear()
            out = run(db, *args, "--format", "json")
            costs.append(sum(counted))
            if db == alone:
                expected = untimed(json.loads(out))
        assert untimed(json.loads(out)) == expected, args  # the same answer …
        # … from the same bytes of p's history, and a checksum's 4 KiB of the journal's end
        assert costs[1] <= costs[0] + store_file.JournalIndex.TAIL, (args, costs)
        assert costs[1] < journal / 50, (args, costs, journal)


def test_a_report_of_every_plan_as_of_a_day_reads_the_journal_once(
        tmp_path: Path, counted: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "t.json"
    small_plan(db)
    big_plan(db, tmp_path)
    big_plan(db, tmp_path, "r")
    run(db, "undo", "--yes")  # r's second import undone: its events stay, and don't count
    journal = Path(f"{db}.journal").stat().st_size
    held: list[int] = []
    original = store_file.DocumentRepository.plan_events

    def watched(self: Any, plan_ids: list[str]) -> Iterator[list[dict[str, Any]]]:
        for events in original(self, plan_ids):
            held.append(len(events))
            yield events

    monkeypatch.setattr(store_file.DocumentRepository, "plan_events", watched)
    counted.clear()
    every = json.loads(run(db, "report", "--as-of", "2025-06-01", "--format", "json"))
    assert journal <= sum(counted) <= journal + 2 * store_file.JournalIndex.TAIL
    # a plan's history at a time (p: its add, 3 adds, 2 updates; r: 1,000 undone, undo)
    assert held == [6, 2001, 3001]
    assert [p["rate"] for p in every["plans"]] == [1 / 3, 1.0, 0.0]
    for plan in every["plans"]:  # the same as each plan's report on its own
        alone = json.loads(run(db, "report", plan["plan"], "--as-of", "2025-06-01",
                               "--format", "json"))
        assert alone["plans"] == [plan]
    Path(f"{db}.journal.idx").unlink()  # without an index: indexed in memory, one pass
    held.clear()
    counted.clear()
    assert json.loads(run(db, "report", "--as-of", "2025-06-01", "--format", "json")) == every
    assert held == [6, 2001, 3001]
    assert sum(counted) <= 2 * journal  # the scan that indexes it, then each plan's part


def full_log(db: Path, plan: str) -> list[dict[str, Any]]:
    """The plan's events from the whole journal, as ``log`` without a target reads it."""
    events = json.loads(run(db, "log", "--format", "json"))
    return [e for e in events if e["id"] == plan or e["id"].startswith(plan + ":")]


def index_of(db: Path) -> store_file.JournalIndex | None:
    storage = store_file.JSONFileStorage(str(db))
    repo = store_file.DocumentRepository(storage, writable=False)
    return store_file.JournalIndex.load(storage, repo._meta["journal_size"])


def agree(db: Path) -> None:
    for plan in ("p", "q"):
        assert json.loads(run(db, "log", plan, "--format", "json")) == full_log(db, plan)
    assert json.loads(run(db, "show", "p:1", "--format", "json"))["history"] == \
        sorted((e for e in full_log(db, "p") if e["id"] == "p:1"), key=lambda e: e["seq"])


def damage_garbage(db: Path, other: Path) -> None:
    Path(f"{db}.journal.idx").write_bytes(b"\x00not json")


def damage_truncated(db: Path, other: Path) -> None:
    index = Path(f"{db}.journal.idx")
    index.write_bytes(index.read_bytes()[:40])


def damage_foreign(db: Path, other: Path) -> None:
    shutil.copyfile(f"{other}.journal.idx", f"{db}.journal.idx")


def _respan(db: Path, change: Any) -> None:
    """The index with its spans changed and its own checksum made to match again."""
    index = Path(f"{db}.journal.idx")
    doc = json.loads(index.read_bytes())
    doc["spans"] = change(doc["spans"])
    doc["check"] = store_file._spans_check(doc["spans"])
    index.write_text(json.dumps(doc))


def damage_shifted(db: Path, other: Path) -> None:
    """Spans that point ten bytes off, with checksums that still match."""
    _respan(db, lambda spans: {plan: [n + 10 for n in at] for plan, at in spans.items()})


def damage_swapped(db: Path, other: Path) -> None:
    """Two plans' spans exchanged, line-aligned, with checksums that still match."""
    _respan(db, lambda spans: {**spans, "p": spans["q"], "q": spans["p"]})


def damage_outdated(db: Path, other: Path) -> None:
    """The index as it was two commands ago (a writer that died before renewing it)."""
    Path(f"{db}.journal.idx").write_bytes(Path(f"{db}.idx-then").read_bytes())


@pytest.mark.parametrize("damage", [damage_garbage, damage_truncated, damage_foreign,
                                    damage_shifted, damage_swapped, damage_outdated],
                         ids=lambda f: f.__name__.removeprefix("damage_"))
def test_an_index_that_does_not_match_never_changes_an_answer(tmp_path: Path,
                                                              damage: Any) -> None:
    db, other = tmp_path / "db.json", tmp_path / "other.json"
    small_plan(other)
    big_plan(other, tmp_path, rows=20)
    small_plan(db)
    big_plan(db, tmp_path, rows=30)
    shutil.copyfile(f"{db}.journal.idx", f"{db}.idx-then")
    run(db, "update", "p:2", "--status", "in-progress", "--on", "2025-06-01")
    run(db, "update", "q:3", "--status", "stalled", "--reason", "x", "--on", "2025-06-01")
    damage(db, other)
    before = Path(f"{db}.journal.idx").read_bytes()
    agree(db)
    assert Path(f"{db}.journal.idx").read_bytes() == before  # a reader never writes it
    run(db, "update", "p:3", "--status", "fulfilled")
    renewed = index_of(db)
    assert renewed is not None and renewed.size == Path(f"{db}.journal").stat().st_size
    agree(db)


def test_a_damaged_line_is_named_by_reads_through_an_index_built_after_it(
        tmp_path: Path) -> None:
    db = tmp_path / "db.json"
    small_plan(db)
    big_plan(db, tmp_path, rows=10)
    journal = Path(f"{db}.journal")
    lines = journal.read_bytes().split(b"\n")
    number = next(n for n, line in enumerate(lines) if b'"action":"update"' in line)
    lines[number] = b"#" * len(lines[number])  # p:1's update, overwritten in place
    journal.write_bytes(b"\n".join(lines))
    Path(f"{db}.journal.idx").unlink()
    # A write that reads no history builds the index anew (an item's write reads its
    # plan's published reports, and stops at the damaged line: see the next test).
    run(db, "plan", "edit", "q", "--org", "x")
    assert index_of(db) is not None
    runner = CliRunner(env={"TRACKER_TODAY": TODAY, "TRACKER_USER": "tester"})
    for args in (["show", "p:1"], ["report", "p", "--as-of", TODAY], ["log", "q"],
                 ["show", "q:2"]):
        result = runner.invoke(cli, ["--db", str(db), *args])
        assert result.exit_code == 1, (args, result.stdout)
        assert f"damaged at line {number + 1}" in result.stderr, (args, result.stderr)


def test_a_write_to_an_item_stops_at_a_damaged_line_it_cannot_check_past(
        tmp_path: Path) -> None:
    """Whether a change alters a published report is read from the plan's journal: with
    a damaged line and no index to go round it, the write stops and names the line."""
    db = tmp_path / "db.json"
    small_plan(db)
    journal = Path(f"{db}.journal")
    lines = journal.read_bytes().split(b"\n")
    number = next(n for n, line in enumerate(lines) if b'"action":"update"' in line)
    lines[number] = b"#" * len(lines[number])
    journal.write_bytes(b"\n".join(lines))
    Path(f"{db}.journal.idx").unlink()
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    result = CliRunner(env={"TRACKER_TODAY": TODAY, "TRACKER_USER": "tester"}).invoke(
        cli, ["--db", str(db), "update", "p:2", "--status", "stalled", "--reason", "x"])
    assert result.exit_code == 1
    assert f"damaged at line {number + 1}" in result.stderr
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_the_index_is_as_private_as_its_journal(tmp_path: Path) -> None:
    db = tmp_path / "db.json"
    small_plan(db)
    journal, index = Path(f"{db}.journal"), Path(f"{db}.journal.idx")
    journal.chmod(0o600)
    run(db, "update", "p:2", "--status", "in-progress")
    assert index.stat().st_mode & 0o777 == 0o600
    journal.chmod(0o660)
    run(db, "update", "p:3", "--status", "in-progress")
    assert index.stat().st_mode & 0o777 == 0o660


def test_restore_and_repair_start_the_index_again(tmp_path: Path) -> None:
    db = tmp_path / "db.json"
    small_plan(db)
    big_plan(db, tmp_path, rows=10)
    run(db, "restore", "--from-backup", "--yes")  # the database of one command ago …
    restored = index_of(db)  # … and its restore step: the index describes that journal
    assert restored is not None and restored.size == Path(f"{db}.journal").stat().st_size
    agree(db)
    run(db, "update", "p:2", "--status", "in-progress")  # cuts the journal, indexes anew
    agree(db)
    Path(f"{db}.journal").write_bytes(Path(f"{db}.journal").read_bytes()[:-30])
    run(db, "repair", "--yes")
    assert index_of(db) is not None
    agree(db)
