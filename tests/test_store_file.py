"""The file backend's own promises: a TinyDB document file with a schema version, an
append-only journal beside it, a .bak, crash leftovers cleaned, damaged files refused and
left untouched, one write per command. (The contract every backend keeps is in
test_repository.py.)"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import orjson
import pytest
from tinydb import TinyDB

from tracker.domain import Item, Plan
from tracker.errors import StoreError
from tracker.store import open_reader, open_repository
from tracker.store.file import SCHEMA_VERSION, JSONFileStorage


def event(seq: int, step: int, target: str, action: str = "add") -> dict[str, object]:
    return {"seq": seq, "at": "2026-01-01T00:00:00Z", "actor": "t", "effective": "2026-01-01",
            "id": target, "action": action, "changes": {}, "reason": "", "note": "",
            "step": step}


def seed(location: str) -> None:
    with open_repository(location, write=True) as repo:
        repo.put_plan(Plan("p", "Plan P"))
        repo.put_plan(Plan("q", "Plan Q"))
        repo.put_item(Item("p", "1", "one"))
        repo.put_item(Item("p", "2", "two", status="fulfilled", owners=["A", "B"]))
        repo.put_item(Item("q", "x", "ex"))
        repo.append_events([event(1, 1, "p"), event(2, 1, "p:1"), event(3, 1, "q:x")])


def test_file_is_a_tinydb_database_with_a_schema_version(tmp_path: Path) -> None:
    path = str(tmp_path / "db.json")
    seed(path)
    with TinyDB(path, storage=JSONFileStorage) as tiny:
        meta = tiny.table("meta").all()[0]
        assert meta["schema_version"] == SCHEMA_VERSION == 5
        assert meta["item_fields"] == ["ref", "title", "status", "reason", "owners", "area",
                                       "due", "weight", "evidence", "created", "updated",
                                       "due_original", "moves", "status_since"]
        assert sorted(d["id"] for d in tiny.table("plans").all()) == ["p", "q"]
        # one document per plan, its items as rows of the fields above
        docs = {d["plan"]: d["rows"] for d in tiny.table("items").all()}
        assert [row[0] for row in docs["p"]] == ["1", "2"]
        assert docs["p"][1] == ["2", "two", "fulfilled", "", ["A", "B"], "", None, 1, "", "",
                                "", None, [], ""]
        assert [row[0] for row in docs["q"]] == ["x"]


def test_journal_is_append_only_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    seed(str(path))
    with open_repository(str(path), write=True) as repo:
        repo.append_events([event(4, 2, "p:1", "update")])
    lines = (tmp_path / "db.json.journal").read_bytes().splitlines()
    assert [orjson.loads(line)["seq"] for line in lines] == [1, 2, 3, 4]


def test_previous_version_is_kept_as_bak(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    seed(str(path))
    first = path.read_bytes()
    with open_repository(str(path), write=True) as repo:
        repo.put_item(Item("p", "3", "three"))
    assert (tmp_path / "db.json.bak").read_bytes() == first
    assert path.read_bytes() != first


def test_journal_lines_of_an_interrupted_write_are_ignored_then_cut(tmp_path: Path) -> None:
    """A crash after the journal append but before the item file replace."""
    path = tmp_path / "db.json"
    seed(str(path))
    journal = tmp_path / "db.json.journal"
    good = journal.read_bytes()
    with journal.open("ab") as handle:
        handle.write(orjson.dumps(event(4, 2, "p:1", "update")) + b"\n")
    assert [e["seq"] for e in open_reader(str(path)).events()] == [1, 2, 3]
    with open_repository(str(path), write=True) as repo:
        assert repo.last_seq() == 3
    assert journal.read_bytes() == good


def test_leftover_temp_files_are_removed_by_the_next_writer(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    seed(str(path))
    leftover = tmp_path / "db.json.tmp-abc123"
    leftover.write_bytes(b"half a file")
    with open_repository(str(path), write=True):
        pass
    assert not leftover.exists()


@pytest.mark.parametrize(
    "content, words",
    [
        (b'{"meta": {"1": {"schema_version": 1', "not valid JSON"),
        (b"\x00\xffgarbage", "not valid JSON"),
        (b"", "empty"),
        (b"[]", "not a tracker database"),
        (b'{"items": 5}', "not a table of documents"),
        (b'{"meta": {}}', "no schema version"),
    ],
)
def test_damaged_file_is_refused_and_left_untouched(
    tmp_path: Path, content: bytes, words: str
) -> None:
    path = tmp_path / "db.json"
    path.write_bytes(content)
    for write in (False, True):
        with pytest.raises(StoreError) as caught, open_repository(str(path), write=write):
            pass
        assert words in caught.value.message
        assert str(path) in caught.value.message
        assert "db.json.bak" in (caught.value.hint or "")
        assert "tracker restore --from-backup" in (caught.value.hint or "")
        assert path.read_bytes() == content


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "db.json"
    content = orjson.dumps({"meta": {"1": {"schema_version": SCHEMA_VERSION + 1}}})
    path.write_bytes(content)
    with pytest.raises(StoreError, match="newer tracker"):
        open_reader(str(path))
    assert path.read_bytes() == content


def test_a_missing_database_is_not_created_by_a_reader(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "db.json"
    assert open_reader(str(path)).plans() == []
    assert not os.path.exists(path)
    assert not path.parent.exists()


def test_a_command_writes_the_file_once_whatever_it_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No per-item writes: an import of 300 rows and an update of 300 items are one
    journal append and one replace of the item file each."""
    from click.testing import CliRunner

    from tracker import fileio
    from tracker.cli import cli

    db = tmp_path / "db.json"
    rows = tmp_path / "rows.csv"
    rows.write_text("title,status\n" + "".join(f"item {n},fulfilled\n" for n in range(300)))
    writes: list[str] = []
    appends: list[str] = []
    real_write, real_append = fileio.atomic_write, fileio.append_durably
    monkeypatch.setattr(fileio, "atomic_write",
                        lambda path, *a, **k: (writes.append(path), real_write(path, *a, **k)))
    monkeypatch.setattr(fileio, "append_durably",
                        lambda path, data: (appends.append(path), real_append(path, data))[1])
    runner = CliRunner()
    for args in (["import", "p", str(rows), "--title", "P"],
                 ["update", *[f"p:{n}" for n in range(1, 301)], "--status", "partial"]):
        writes.clear()
        appends.clear()
        result = runner.invoke(cli, ["--db", str(db), *args])
        assert result.exit_code == 0, result.stderr
        assert writes == [str(db)]
        assert appends == [str(db) + ".journal"]


def test_a_reader_of_one_plan_parses_that_plans_rows_alone(tmp_path: Path) -> None:
    """Schema 5's layout: the byte span of each plan's rows. Damage to plan q's rows (the
    file's length kept) is not seen by a read of plan p, and is said when q is read."""
    path = tmp_path / "db.json"
    seed(str(path))
    raw = path.read_bytes()
    start, end, _sums = json.loads(raw)["layout"]["items"]["q"]
    assert raw[start:end] == b'[["x","ex","not-started","",[],"",null,1,"","","",null,[],""]]'
    path.write_bytes(raw[:start + 1] + b"}" + raw[start + 2:])
    reader = open_reader(str(path))
    assert [(i.ref, i.title) for i in reader.items("p")] == [("1", "one"), ("2", "two")]
    with pytest.raises(StoreError, match="item rows are not readable"):
        reader.items("q")


def test_a_file_rewritten_by_another_program_is_read_whole(tmp_path: Path) -> None:
    """Indented by a person's editor (or any tool): the layout no longer fits, so the file
    is parsed whole, as before; the next write lays it out again."""
    path = tmp_path / "db.json"
    seed(str(path))
    document = json.loads(path.read_bytes())
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False), encoding="utf-8")
    assert [i.id for i in open_reader(str(path)).items()] == ["p:1", "p:2", "q:x"]
    with open_repository(str(path), write=True) as repo:
        repo.put_item(Item("q", "y", "why"))
    raw = path.read_bytes()
    layout = json.loads(raw)["layout"]
    assert layout["size"] == len(raw)
    start, end, sums = layout["items"]["q"]
    assert [row[:2] for row in json.loads(raw[start:end])] == [["x", "ex"], ["y", "why"]]
    assert sums == {"not-started": [2, 2, 1, 1]}
    assert [i.id for i in open_reader(str(path)).items()] == ["p:1", "p:2", "q:x", "q:y"]


@pytest.mark.parametrize("lie", [
    lambda layout, size: {**layout, "size": size + 1},
    lambda layout, size: {**layout, "head": layout["head"] + 1},
    lambda layout, size: {**layout, "items": {"p": layout["items"]["p"]}},
    lambda layout, size: {**layout, "items": {**layout["items"], "q": [0, 5, {}]}},
    lambda layout, size: [],
])
def test_a_layout_that_does_not_fit_the_file_is_not_trusted(tmp_path: Path, lie) -> None:
    path = tmp_path / "db.json"
    seed(str(path))
    document = json.loads(path.read_bytes())
    document["layout"] = lie(document["layout"], len(path.read_bytes()))
    path.write_bytes(orjson.dumps(document))
    assert [(i.id, i.title) for i in open_reader(str(path)).items()] == [
        ("p:1", "one"), ("p:2", "two"), ("q:x", "ex")]


# --- files kept with the database: a published report's snapshot ------------------------


def cli_run(db: Path, *args: str) -> Any:
    from click.testing import CliRunner

    from tracker.cli import cli

    return CliRunner().invoke(cli, ["--db", str(db), *args], catch_exceptions=False)


def cli_ok(db: Path, *args: str) -> str:
    result = cli_run(db, *args)
    assert result.exit_code == 0, (args, result.stderr)
    return str(result.stdout)


def published_db(tmp_path: Path) -> tuple[Path, str]:
    """A database with a published report; the report as it was printed."""
    db = tmp_path / "db.json"
    cli_ok(db, "plan", "add", "p", "--title", "P")
    cli_ok(db, "add", "p", "One", "--status", "fulfilled")
    cli_ok(db, "report", "p", "--publish", "council")
    return db, cli_ok(db, "report", "--published", "council")


def test_a_snapshot_is_a_file_beside_the_database_that_info_lists_and_o_spares(
        tmp_path: Path) -> None:
    from tests.helpers import snapshot

    db, _printed = published_db(tmp_path)
    (kept,) = Path(str(db) + ".files").iterdir()
    publish = [json.loads(line) for line in Path(str(db) + ".journal").read_text().splitlines()
               if '"action":"publish"' in line]
    assert [e["snapshot"] for e in publish] == [kept.name]
    assert "items" not in publish[0]  # the journal holds the small part alone
    assert json.loads(kept.read_bytes())["items"]["p"][0]["title"] == "One"
    assert str(db) + ".files" in json.loads(cli_ok(db, "info", "-f", "json"))["files"]
    before = snapshot(db)
    result = cli_run(db, "report", "p", "-o", str(kept))
    assert result.exit_code == 1 and "is a file of the database" in result.stderr
    assert snapshot(db) == before


def test_a_changed_or_missing_snapshot_is_named_in_one_line(tmp_path: Path) -> None:
    db, _printed = published_db(tmp_path)
    (kept,) = Path(str(db) + ".files").iterdir()
    kept.write_bytes(kept.read_bytes().replace(b"One", b"Two"))
    result = cli_run(db, "report", "--published", "council")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: the file {kept.name[:16]} kept with {db} was "
                                    "changed: its content is not what was kept")
    kept.unlink()
    result = cli_run(db, "report", "--published", "council")
    assert result.exit_code == 1 and "is missing" in result.stderr


def test_a_report_published_before_snapshots_were_kept_apart_still_reads() -> None:
    """Reports published by the first builds of schema 5 hold the snapshot in the event."""
    from tracker.published import Published, publish_extra, snapshot_of

    plans = [(Plan("p", "P"), [Item("p", "1", "One", status="fulfilled")])]
    inline = {**publish_extra("council", plans, "2026-01-15", "text", b"32 of 34\n",
                              {"by": None}, "unused"),
              **json.loads(snapshot_of(plans, b"32 of 34\n", '{"plans": []}')),
              "at": "2026-01-15T10:00:00Z", "actor": "secretariat", "effective": "2026-01-15"}
    del inline["snapshot"]
    report = Published(inline)
    assert (report.output, report.json) == (b"32 of 34\n", '{"plans": []}')
    assert [(p.id, [i.title for i in items]) for p, items in report.plans_with_items()] == [
        ("p", ["One"])]
