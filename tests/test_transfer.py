"""`tracker copy`: a database moves between a file and PostgreSQL whole, and back."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.helpers import PG_ROLE, TODAY, PgCluster, PgDatabase, snapshot
from tracker.cli import cli


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRACKER_DB", raising=False)
    monkeypatch.setenv("TRACKER_USER", PG_ROLE)
    monkeypatch.setenv("TRACKER_TODAY", TODAY)
    monkeypatch.delenv("TRACKER_LOCK_TIMEOUT", raising=False)


def at(db: str, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--db", db, *args], catch_exceptions=False)


def ok_at(db: str, *args: str) -> str:
    result = at(db, *args)
    assert result.exit_code == 0, (args, result.stdout, result.stderr)
    return result.stdout


@pytest.fixture
def team_file(tmp_path: Path) -> str:
    """A file database with some of everything: plans, items of every kind, updates,
    a removal, an undo, an import, back-dated changes, other actors, odd text."""
    db = str(tmp_path / "team.json")
    ok_at(db, "plan", "add", "csto-2023", "--title", "CSTO action plan 2023", "--org", "CSTO",
          "--start", "2023-01-01", "--end", "2023-12-31", "--source", "Council, Nov 2022")
    rows = "".join(f"{n},Measure {n} (title not published),fulfilled\n" for n in range(1, 33))
    csv = tmp_path / "csto.csv"
    csv.write_text("ref,title,status\n" + rows, encoding="utf-8")
    ok_at(db, "import", "csto-2023", str(csv), "--on", "2023-11-21")
    ok_at(db, "add", "csto-2023", "--ref", "33", "--status", "not-fulfilled", "--reason",
          "Primarily because of their stance.", "--", "International contacts with the OSCE")
    ok_at(db, "add", "csto-2023", "--ref", "34", "Document on assistance to Armenia",
          "--owner", "Secretariat", "--owner", "Армения", "--weight", "2.5", "--due",
          "2023-11-01", "--on", "2023-10-01")
    ok_at(db, "update", "csto-2023:34", "--status", "not-fulfilled", "--on", "2023-11-20",
          "--reason", "'); DROP TABLE items; --", "--note", "late entry")
    ok_at(db, "plan", "add", "office-2024", "--title", "Office plan")
    ok_at(db, "add", "office-2024", "Publish the annual report", "--evidence",
          "https://example.org/r", "--area", "Comms")
    ok_at(db, "add", "office-2024", "Temporary")
    ok_at(db, "remove", "office-2024:2", "--yes")
    ok_at(db, "update", "office-2024:1", "--status", "stalled", "--reason", "waiting")
    ok_at(db, "undo", "--yes")
    CliRunner().invoke(cli, ["--db", db, "update", "office-2024:1", "--status", "partial"],
                       env={"TRACKER_USER": "someone-else"}, catch_exceptions=False)
    return db


VIEWS = [
    ["report", "--format", "json"],
    ["report", "--as-of", "2023-11-20", "--by", "owner", "--format", "json"],
    ["log", "--format", "json"],
    ["list", "--format", "json"],
    ["plan", "list", "--format", "json"],
    ["plan", "show", "csto-2023", "--format", "json"],
    ["show", "csto-2023:34", "--format", "json"],
    ["export"],
]


def views(db: str) -> list[str]:
    return [ok_at(db, *view) for view in VIEWS]


@pytest.fixture
def empty_pg(pg_cluster: PgCluster) -> Iterator[PgDatabase]:
    database = pg_cluster.create()
    yield database
    pg_cluster.drop(database)


def test_file_to_postgresql_to_file_is_identity(team_file: str, empty_pg: PgDatabase,
                                                tmp_path: Path) -> None:
    back = str(tmp_path / "back" / "team.json")
    copied = at(team_file, "copy", empty_pg)
    assert copied.exit_code == 0, copied.stderr
    assert copied.stderr.startswith("copied 2 plans, 35 items and ")
    ok_at(empty_pg, "copy", back)
    original, on_server, returned = views(team_file), views(empty_pg), views(back)
    assert on_server == original
    assert returned == original
    events = json.loads(original[2])
    assert {e["actor"] for e in events} == {PG_ROLE, "someone-else"}  # actors kept
    info = [json.loads(ok_at(db, "info", "--format", "json")) for db in (team_file, back)]
    for found in info:
        del found["database"], found["backup"], found["journal"], found["files"]
    assert info[0] == info[1]


def test_a_published_report_travels_with_its_snapshot(team_file: str, empty_pg: PgDatabase,
                                                      tmp_path: Path) -> None:
    ok_at(team_file, "report", "csto-2023", "--publish", "council")
    printed = at(team_file, "report", "--published", "council").stdout
    back = str(tmp_path / "back" / "team.json")
    ok_at(team_file, "copy", empty_pg)
    ok_at(empty_pg, "copy", back)
    for db in (empty_pg, back):
        assert at(db, "report", "--published", "council").stdout == printed
    assert len(list(Path(back + ".files").iterdir())) == 1


def test_the_copy_goes_on_working_like_the_original(team_file: str, empty_pg: PgDatabase) -> None:
    ok_at(team_file, "copy", empty_pg)
    for db in (team_file, empty_pg):
        ok_at(db, "undo", "--yes")
        ok_at(db, "undo", "--yes")
        ok_at(db, "add", "office-2024", "Next")
    server, original = views(empty_pg), views(team_file)
    assert server[:2] + server[3:] == original[:2] + original[3:]
    unstamped = [[{**e, "at": None} for e in json.loads(v[2])] for v in (server, original)]
    assert unstamped[0] == unstamped[1]  # the journals, but for the times of recording
    assert json.loads(ok_at(empty_pg, "list", "office-2024", "--format", "json"))[-1]["ref"] \
        == "3"


def test_a_target_that_is_not_empty_is_refused_and_left_alone(
    team_file: str, empty_pg: PgDatabase, tmp_path: Path
) -> None:
    ok_at(empty_pg, "plan", "add", "mine", "--title", "Mine")
    before = snapshot(empty_pg)
    result = at(team_file, "copy", empty_pg)
    assert result.exit_code == 1
    assert "is not empty (1 plan, 0 items, 1 event); nothing was copied" in result.stderr
    assert snapshot(empty_pg) == before
    other = tmp_path / "other.json"
    ok_at(str(other), "plan", "add", "x", "--title", "X")
    before_file = snapshot(other)
    assert at(empty_pg, "copy", str(other)).exit_code == 1
    assert snapshot(other) == before_file


def test_a_journal_alone_makes_a_database_not_empty(team_file: str, tmp_path: Path) -> None:
    emptied = str(tmp_path / "emptied.json")
    ok_at(emptied, "plan", "add", "x", "--title", "X")
    ok_at(emptied, "plan", "remove", "x", "--yes")
    result = at(team_file, "copy", emptied)
    assert result.exit_code == 1 and "not empty" in result.stderr


def test_copy_into_an_uninitialised_postgresql_database_says_to_run_db_init(
    team_file: str, pg_cluster: PgCluster
) -> None:
    import psycopg

    name = f"bare_copy_{next(pg_cluster.counter)}"
    with psycopg.connect(pg_cluster.admin, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    target = PgDatabase(pg_cluster.url(name))
    try:
        result = at(team_file, "copy", target)
        assert result.exit_code == 1
        assert "run 'tracker db init'" in result.stderr
    finally:
        pg_cluster.drop(target)


def test_copy_of_a_database_that_does_not_exist_is_refused(tmp_path: Path,
                                                           empty_pg: PgDatabase) -> None:
    """A mistyped --db must not 'copy' nothing and exit 0 (issue 10, item 12)."""
    before = empty_pg.dump()
    result = at(str(tmp_path / "none.json"), "copy", empty_pg)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: there is no database {tmp_path / 'none.json'} "
                                    "to copy; nothing was written\n")
    assert empty_pg.dump() == before
    assert not (tmp_path / "none.json").exists()
