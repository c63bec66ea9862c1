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


@pytest.fixture
def v1(db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copy(FIXTURES / "v1.json", db)
    shutil.copy(FIXTURES / "v1.json.journal", str(db) + ".journal")
    monkeypatch.setenv("TRACKER_TODAY", "2024-07-01")
    return db


def test_schema_1_is_read_without_being_rewritten(v1: Path, ok: Ok) -> None:
    before = snapshot(v1)
    assert json.loads(ok("report", "-f", "json")) == json.loads(
        (FIXTURES / "v1-report.json").read_text())
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
    assert document["meta"]["1"]["schema_version"] == 2
    assert {d["plan"] for d in document["items"].values()} == {"csto-2023", "office-2024"}
    assert json.loads(ok("info", "-f", "json"))["schema_version"] == 2
    ok("undo", "--yes")
    assert json.loads(ok("report", "-f", "json")) == json.loads(
        (FIXTURES / "v1-report.json").read_text())
    items = {i["id"]: i for i in json.loads(ok("list", "-f", "json"))}
    assert items["office-2024:1"]["owners"] == ["Comms", "Legal"]
    assert items["office-2024:3.1"]["weight"] == 2.5
    assert items["office-2024:3.1"]["reason"] == "no agreement"
    old_log = json.loads((FIXTURES / "v1-log.json").read_text())
    assert json.loads(ok("log", "-f", "json"))[2:] == old_log  # history kept, two steps on top
    ok("add", "office-2024", "After the migration")
    assert kept.read_bytes() == original  # the copy is made once, never overwritten
