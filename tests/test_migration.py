"""A database written by schema 1 (committed fixture) is read as it is, and migrated to
schema 2 by the first write, after a copy of it is kept."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import snapshot

FIXTURES = Path(__file__).parent / "fixtures"
Ok = Callable[..., str]


def written_by_schema(name: str) -> Callable[..., Path]:
    """A fixture: the database (and its journal) an older tracker wrote, as committed in
    tests/fixtures/NAME.json, on 1 July 2024."""
    @pytest.fixture(name=name)
    def copied(db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
        shutil.copy(FIXTURES / f"{name}.json", db)
        shutil.copy(FIXTURES / f"{name}.json.journal", str(db) + ".journal")
        monkeypatch.setenv("TRACKER_TODAY", "2024-07-01")
        return db
    return copied


v1 = written_by_schema("v1")


def test_schema_1_is_read_without_being_rewritten(v1: Path, ok: Ok) -> None:
    before = snapshot(v1)
    assert report_as_before(ok) == fixture("v1-report.json")
    assert json.loads(ok("log", "-f", "json")) == json.loads(
        (FIXTURES / "v1-log.json").read_text())
    assert json.loads(ok("info", "-f", "json"))["schema_version"] == 1
    assert snapshot(v1) == before


def test_first_write_migrates_after_keeping_a_copy(v1: Path, ok: Ok) -> None:
    original = v1.read_bytes()
    ok("update", "office-2024:3.1", "--status", "fulfilled")
    kept = Path(str(v1) + ".schema-1.bak")
    assert kept.read_bytes() == original
    document = json.loads(v1.read_bytes())
    assert document["meta"]["1"]["schema_version"] == 5
    assert {d["plan"] for d in document["items"].values()} == {"csto-2023", "office-2024"}
    assert json.loads(ok("info", "-f", "json"))["schema_version"] == 5
    ok("undo", "--yes")
    assert report_as_before(ok) == fixture("v1-report.json")
    items = {i["id"]: i for i in json.loads(ok("list", "-f", "json"))}
    assert items["office-2024:1"]["owners"] == ["Comms", "Legal"]
    assert items["office-2024:3.1"]["weight"] == 2.5
    assert items["office-2024:3.1"]["reason"] == "no agreement"
    old_log = json.loads((FIXTURES / "v1-log.json").read_text())
    assert json.loads(ok("log", "-f", "json"))[2:] == old_log  # history kept, two steps on top
    ok("add", "office-2024", "After the migration")
    assert kept.read_bytes() == original  # the copy is made once, never overwritten


# --- schema 2 → 3: deadlines may be periods ----------------------------------------------
# tests/fixtures/v2.json was written by tracker at schema 2 (the commands are in
# v2-made-by.sh): a back-dated change, an undone step, a removed item, weights, owners.


v2 = written_by_schema("v2")


def fixture(name: str) -> object:
    return json.loads((FIXTURES / name).read_text())


def report_as_before(ok: Ok, *args: str) -> object:
    """The report's JSON without the keys added since these fixtures were made (the
    deadlines ahead: ``due_within``, each plan's ``due_soon``); every other key as then."""
    doc = json.loads(ok("report", "-f", "json", *args))
    assert doc.pop("due_within") == 30
    for entry in doc["plans"]:
        assert isinstance(entry.pop("due_soon"), list)
    return doc


# The item keys added since schema 2: the deadline's last day (3), the responsible
# executor, the original deadline, its moves and on time or late (4).
LATER_KEYS = {"due_end", "responsible", "due_original", "due_moves", "on_time", "delay_days",
              "on_time_original", "delay_days_original"}


def without_due_end(items: object) -> object:
    assert isinstance(items, list)
    return [{k: v for k, v in item.items() if k not in LATER_KEYS} for item in items]


def test_schema_2_reads_as_it_did(v2: Path, ok: Ok) -> None:
    before = snapshot(v2)
    assert report_as_before(ok, "--by", "owner") == fixture("v2-report.json")
    assert report_as_before(ok, "--as-of", "2024-04-15") == fixture("v2-report-as-of.json")
    assert json.loads(ok("log", "-f", "json")) == fixture("v2-log.json")
    listed = json.loads(ok("list", "-f", "json"))
    assert without_due_end(listed) == fixture("v2-list.json")
    assert [i["due_end"] for i in listed] == ["2024-03-31", "2024-06-30", None, "2024-09-30"]
    assert json.loads(ok("info", "-f", "json"))["schema_version"] == 2
    assert snapshot(v2) == before  # reads never rewrite


def test_the_first_write_takes_schema_2_to_5_after_keeping_a_copy(v2: Path, ok: Ok) -> None:
    original = v2.read_bytes()
    ok("update", "office-2024:3.1", "--due", "IV квартал 2024 г.")
    assert Path(str(v2) + ".schema-2.bak").read_bytes() == original
    assert json.loads(v2.read_bytes())["meta"]["1"]["schema_version"] == 5
    assert json.loads(ok("show", "office-2024:3.1", "-f", "json"))["due"] == "2024-Q4"
    ok("undo", "--yes")
    assert report_as_before(ok, "--by", "owner") == fixture("v2-report.json")
    assert json.loads(ok("log", "-f", "json"))[2:] == fixture("v2-log.json")
    assert without_due_end(json.loads(ok("list", "-f", "json"))) == fixture("v2-list.json")


# --- schema 3 → 4: the original deadline, its moves, the day a status holds from ---------
# tests/fixtures/v3.json was written by tracker at schema 3 (v3-made-by.sh), when a new
# deadline silently replaced the old one: the journal still knows every deadline.


v3 = written_by_schema("v3")


def control_of(ok: Ok) -> dict[str, tuple[object, ...]]:
    keys = ("responsible", "due", "due_original", "due_moves", "on_time", "delay_days",
            "on_time_original", "delay_days_original")
    return {i["id"]: tuple(i[k] for k in keys) for i in json.loads(ok("list", "-f", "json"))}


V3_CONTROL = {
    # moved Q1 → Q2 on 20.03, fulfilled 15.05: on time, 45 days late against the plan
    "office-2024:1": ("Comms", "2024-Q2", "2024-Q1", 1, True, 0, False, 45),
    # moved twice, still open on 01.07: a day overdue, 92 days past the original
    "office-2024:2": ("Director", "2024-06-30", "2024-03-31", 2, False, 1, False, 92),
    # its first deadline came by an update: the original, not a move
    "office-2024:3": ("HR", "2024-Q3", "2024-Q3", 0, None, None, None, None),
}


def test_schema_3_reads_its_deadlines_history_from_the_journal(v3: Path, ok: Ok) -> None:
    before = snapshot(v3)
    assert control_of(ok) == V3_CONTROL
    moves = json.loads(ok("show", "office-2024:2", "-f", "json"))["moves"]
    assert [(m["effective"], m["from"], m["to"], m["reason"], m["actor"]) for m in moves] == [
        ("2024-02-01", "2024-03-31", "2024-05-31", "", "secretariat"),
        ("2024-05-20", "2024-05-31", "2024-06-30", "", "secretariat")]
    assert json.loads(ok("info", "-f", "json"))["schema_version"] == 3
    assert snapshot(v3) == before  # reads never rewrite


def test_the_first_write_takes_schema_3_to_5_and_keeps_what_the_journal_said(
        v3: Path, ok: Ok) -> None:
    original = v3.read_bytes()
    ok("update", "office-2024:3", "--status", "in-progress")
    assert Path(str(v3) + ".schema-3.bak").read_bytes() == original
    document = json.loads(v3.read_bytes())
    assert document["meta"]["1"]["schema_version"] == 5
    (rows,) = [d["rows"] for d in document["items"].values()]
    assert [len(row) for row in rows] == [14, 14, 14]
    assert rows[0][-3:] == ["2024-Q1", [{"effective": "2024-03-20", "from": "2024-Q1",
                                         "to": "2024-Q2", "reason": "", "basis": "",
                                         "actor": "secretariat"}], "2024-05-15"]
    assert control_of(ok) == V3_CONTROL
    ok("undo", "--yes")
    assert control_of(ok) == V3_CONTROL


# --- schema 4 → 5: each plan's rows found without parsing the others --------------------
# tests/fixtures/v4.json was written by tracker at schema 4 (v4-made-by.sh): every plan's
# rows a JSON string inside the one document, which each command parsed whole.


v4 = written_by_schema("v4")


def test_schema_4_reads_as_it_did(v4: Path, ok: Ok) -> None:
    before = snapshot(v4)
    assert json.loads(ok("list", "-f", "json")) == fixture("v4-list.json")
    assert json.loads(ok("discipline", "-f", "json")) == fixture("v4-discipline.json")
    assert json.loads(ok("info", "-f", "json"))["schema_version"] == 4
    assert snapshot(v4) == before


def test_the_first_write_takes_schema_4_to_5_with_a_layout_of_each_plans_rows(
        v4: Path, ok: Ok) -> None:
    original = v4.read_bytes()
    ok("update", "office-2024:2", "--status", "in-progress")
    assert Path(str(v4) + ".schema-4.bak").read_bytes() == original
    raw = v4.read_bytes()
    document = json.loads(raw)
    assert document["meta"]["1"]["schema_version"] == 5
    layout = document["layout"]
    assert layout["size"] == len(raw)
    assert sorted(layout["items"]) == ["csto-2023", "office-2024"]
    for doc in document["items"].values():
        start, end, sums = layout["items"][doc["plan"]]
        assert json.loads(raw[start:end]) == doc["rows"]  # the span is exactly the rows
        assert sums == doc["sums"]
    assert [row[0] for row in document["items"]["2"]["rows"]] == ["1"]
    assert document["items"]["2"]["rows"][0][1] == "Провести заседание Совета"
    ok("undo", "--yes")
    assert json.loads(ok("list", "-f", "json")) == fixture("v4-list.json")
    assert json.loads(ok("discipline", "-f", "json")) == fixture("v4-discipline.json")
