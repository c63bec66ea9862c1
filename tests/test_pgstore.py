"""The PostgreSQL backend's own promises: paging the journal back, `db init`, roles, the
actor, busy and connection errors. (The contract every backend keeps is in
test_repository.py; every CLI test runs on it as well, through the `db` fixture.)"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner, Result

from tests.helpers import PG_ROLE, PgCluster, PgDatabase, snapshot, use_database
from tracker.cli import cli
from tracker.domain import Plan
from tracker.errors import StoreError
from tracker.store import postgres as pgstore


@pytest.fixture
def pg(pg_db: PgDatabase, monkeypatch: pytest.MonkeyPatch) -> PgDatabase:
    """A fresh database with the schema, as TRACKER_DB."""
    return use_database(monkeypatch, pg_db)  # type: ignore[no-any-return]


def at(url: str, *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, ["--db", url, *args], input=input, catch_exceptions=False)


def ok_at(url: str, *args: str) -> str:
    result = at(url, *args)
    assert result.exit_code == 0, (args, result.stdout, result.stderr)
    return result.stdout


def one_line_failure(result: Result, code: int = 1) -> str:
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1, result.stderr
    return result.stderr


def event(seq: int, step: int, target: str, action: str = "add") -> dict[str, Any]:
    return {"seq": seq, "at": "2026-01-01T00:00:00Z", "actor": PG_ROLE,
            "effective": "2026-01-01", "id": target, "action": action, "changes": {},
            "reason": "", "note": "", "step": step}


@pytest.fixture
def reader(pg: PgDatabase) -> Iterator[Callable[[], pgstore.PostgresRepository]]:
    opened: list[pgstore.PostgresRepository] = []

    def open_one() -> pgstore.PostgresRepository:
        opened.append(pgstore.open_reader(str(pg)))
        return opened[-1]

    yield open_one
    for repo in opened:
        repo.close()


# --- what only the server does ------------------------------------------------------


def test_recent_steps_read_back_across_pages(pg: PgDatabase, reader: Callable[[], Any],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pgstore, "STEP_PAGE", 4)
    with pgstore.open_repository(str(pg)) as repo:
        repo.put_plan(Plan("p", "P"))
        repo.append_events([event(n, 1 + (n - 1) // 3, "p") for n in range(1, 11)])
    steps = [[e["seq"] for e in found] for found in reader().recent_steps()]
    assert steps == [[10], [7, 8, 9], [4, 5, 6], [1, 2, 3]]


def test_undo_of_a_step_larger_than_a_page(pg: PgDatabase, tmp_path: Path) -> None:
    url = str(pg)
    rows = "".join(f"{n},Measure {n} (title not published)\n" for n in range(1, 1201))
    source = tmp_path / "big.csv"
    source.write_text("ref,title\n" + rows)
    ok_at(url, "import", "big", str(source), "--title", "Big")
    ok_at(url, "update", "big:7", "--status", "fulfilled")
    ok_at(url, "undo", "--yes")
    ok_at(url, "undo", "--yes")  # the import: 1201 events, more than two pages
    assert json.loads(ok_at(url, "list", "--format", "json")) == []
    assert "nothing to undo" in at(url, "undo", "--yes").stderr


# --- db init ------------------------------------------------------------------------------


@pytest.fixture
def bare(pg_cluster: PgCluster) -> Iterator[PgDatabase]:
    """A database without the tracker schema."""
    with psycopg.connect(pg_cluster.admin, autocommit=True) as conn:
        name = f"bare{os.getpid()}_{next(pg_cluster.counter)}"
        conn.execute(f"CREATE DATABASE {name}")
    database = PgDatabase(pg_cluster.url(name))
    database.admin_url = database
    yield database
    pg_cluster.drop(database)


@pytest.mark.parametrize("command", [["list"], ["add", "p", "x"], ["info"], ["log"],
                                     ["plan", "add", "p", "--title", "P"]])
def test_commands_on_an_uninitialised_database_say_to_run_db_init(
    bare: PgDatabase, command: list[str]
) -> None:
    message = one_line_failure(at(bare, *command))
    assert "is not set up for tracker: run 'tracker db init'" in message


def test_db_init_creates_the_schema_then_says_it_is_there(bare: PgDatabase) -> None:
    first = at(bare, "db", "init")
    assert first.exit_code == 0, first.stderr
    assert f"created the tracker schema (version {pgstore.SCHEMA_VERSION})" in first.stderr
    ok_at(bare, "plan", "add", "p", "--title", "P")
    again = at(bare, "db", "init")
    assert again.exit_code == 0 and "already has the tracker schema" in again.stderr
    assert json.loads(ok_at(bare, "plan", "list", "--format", "json"))[0]["id"] == "p"
    with psycopg.connect(bare) as conn:
        tables = {r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'tracker'")}
        indexes = {r[0] for r in conn.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = 'tracker'")}
    assert tables == {"meta", "plans", "items", "events", "files", "rights",
                      "items_before"}
    assert {"items_pkey", "items_by_plan", "events_by_plan", "events_by_id"} <= indexes


def test_db_init_migrates_schema_1_deadlines_to_periods(bare: PgDatabase) -> None:
    """Schema 1 kept ``due`` as a date; schema 2 keeps the canonical period as text."""
    with psycopg.connect(bare, autocommit=True) as conn:
        conn.execute(pgstore.MIGRATIONS[1])
        conn.execute("INSERT INTO tracker.plans (id, title) VALUES ('p', 'P')")
        conn.execute("INSERT INTO tracker.items (plan, ref, title, status, due) VALUES "
                     "('p', '1', 'Dated', 'not-started', '2024-03-31')")
    old = at(bare, "list")
    assert old.exit_code == 1 and "run 'tracker db init'" in old.stderr
    migrated = at(bare, "db", "init")
    assert migrated.exit_code == 0, migrated.stderr
    assert f"from schema 1 to {pgstore.SCHEMA_VERSION}" in migrated.stderr
    (item,) = json.loads(ok_at(bare, "list", "-f", "json"))
    assert (item["due"], item["due_end"]) == ("2024-03-31", "2024-03-31")
    ok_at(bare, "update", "p:1", "--due", "IV квартал 2024 г.", "--reason", "decided")
    (item,) = json.loads(ok_at(bare, "list", "-f", "json"))
    assert (item["due"], item["due_end"]) == ("2024-Q4", "2024-12-31")


def test_db_init_migrates_schema_2_deadline_history_from_the_journal(
        bare: PgDatabase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Schema 3 keeps each item's original deadline, moves and status day beside it; from
    schema 2 they are folded out of the journal (here: the file fixture v3's, whose new
    deadlines silently replaced the old ones), not guessed from the current deadline."""
    from tests.test_migration import FIXTURES, V3_CONTROL

    monkeypatch.setenv("TRACKER_TODAY", "2024-07-01")
    source = tmp_path / "v3.json"
    source.write_bytes((FIXTURES / "v3.json").read_bytes())
    Path(str(source) + ".journal").write_bytes((FIXTURES / "v3.json.journal").read_bytes())
    ok_at(bare, "db", "init")
    ok_at(str(source), "copy", bare)
    with psycopg.connect(bare, autocommit=True) as conn:  # as a schema-2 tracker left it
        conn.execute("ALTER TABLE tracker.items DROP COLUMN due_original, DROP COLUMN moves, "
                     "DROP COLUMN status_since")
        conn.execute("DROP TABLE tracker.files, tracker.rights")
        for function in ("acting_for", "check_events", "count_events", "check_item_journaled",
                         "keep_item_before", "check_events_of_executors", "check_file_named"):
            conn.execute(f"DROP FUNCTION tracker.{function}() CASCADE")  # and what uses it
        conn.execute("DROP TABLE tracker.items_before")
        conn.execute("DROP FUNCTION tracker.is_day, tracker.is_sha256, tracker.is_count")
        conn.execute("ALTER TABLE tracker.items DROP CONSTRAINT items_status")
        conn.execute("ALTER FUNCTION tracker.stamp_actor() RESET search_path")
        conn.execute("ALTER TABLE tracker.meta DROP COLUMN last_xact")
        for table in ("items", "plans", "events"):
            conn.execute(f"DROP POLICY {table}_read ON tracker.{table}")
        conn.execute("UPDATE tracker.meta SET schema_version = 2")
    assert "run 'tracker db init'" in at(bare, "list").stderr
    migrated = at(bare, "db", "init")
    assert f"from schema 2 to {pgstore.SCHEMA_VERSION}" in migrated.stderr
    keys = ("responsible", "due", "due_original", "due_moves", "on_time", "delay_days",
            "on_time_original", "delay_days_original")
    items = json.loads(ok_at(bare, "list", "-f", "json"))
    assert {i["id"]: tuple(i[k] for k in keys) for i in items} == V3_CONTROL
    moves = json.loads(ok_at(bare, "show", "office-2024:2", "-f", "json"))["moves"]
    assert [(m["effective"], m["from"], m["to"]) for m in moves] == [
        ("2024-02-01", "2024-03-31", "2024-05-31"), ("2024-05-20", "2024-05-31", "2024-06-30")]


def test_db_init_migrates_schema_3_and_its_roles_to_kept_files(bare: PgDatabase) -> None:
    """Schema 4 keeps files with the database (a published report's snapshot): the roles
    a schema-3 db init granted read them, and its writers add them."""
    with psycopg.connect(bare, autocommit=True) as conn:
        for step in (1, 2, 3):
            conn.execute(pgstore.MIGRATIONS[step])
        conn.execute("UPDATE tracker.meta SET schema_version = 3")
    as_writer = login_role(bare, "tracker_test_writer")
    as_reader = login_role(bare, "tracker_test_reader")
    with psycopg.connect(bare, autocommit=True) as conn:  # the grants of a schema-3 db init
        conn.execute("GRANT USAGE ON SCHEMA tracker TO tracker_test_writer, tracker_test_reader")
        conn.execute("GRANT SELECT ON ALL TABLES IN SCHEMA tracker TO tracker_test_writer, "
                     "tracker_test_reader")
        conn.execute("GRANT INSERT, UPDATE, DELETE ON tracker.plans, tracker.items TO "
                     "tracker_test_writer")
        conn.execute("GRANT INSERT ON tracker.events TO tracker_test_writer")
        conn.execute("GRANT UPDATE ON tracker.meta TO tracker_test_writer")
        conn.execute("GRANT USAGE ON SEQUENCE tracker.position TO tracker_test_writer")
    migrated = at(bare, "db", "init")
    assert f"from schema 3 to {pgstore.SCHEMA_VERSION}" in migrated.stderr, migrated.stderr
    ok_at(as_writer, "plan", "add", "p", "--title", "P")
    ok_at(as_writer, "add", "p", "One", "--status", "fulfilled")
    ok_at(as_writer, "report", "p", "--publish", "council")
    assert ok_at(as_reader, "report", "--published", "council") == ok_at(as_reader, "report",
                                                                        "p")
    with psycopg.connect(as_reader) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("INSERT INTO tracker.files VALUES (%s, 0, '')", ("0" * 64,))


def test_db_init_is_one_transaction(bare: PgDatabase) -> None:
    """A failing grant leaves no half-made schema behind."""
    result = at(bare, "db", "init", "--grant-read", "")
    assert result.exit_code == 1, result.stderr
    with psycopg.connect(bare) as conn:
        assert conn.execute("SELECT to_regclass('tracker.meta')").fetchone() == (None,)


def test_a_newer_schema_is_refused(pg: PgDatabase) -> None:
    with pg.connect() as conn:
        conn.execute("UPDATE tracker.meta SET schema_version = 99")
    assert "newer tracker (schema 99)" in at(pg, "list").stderr
    assert at(pg, "list").exit_code == 1
    assert at(pg, "db", "init").exit_code == 1


def test_db_init_on_a_file_explains_it_is_for_postgresql(tmp_path: Path) -> None:
    result = at(str(tmp_path / "t.json"), "db", "init")
    message = one_line_failure(result, 2)
    assert "PostgreSQL" in message and "file needs no set-up" in message
    assert not (tmp_path / "t.json").exists()


def test_restore_from_backup_is_for_files(pg: PgDatabase) -> None:
    result = at(pg, "restore", "--from-backup", "--yes")
    assert "server's own backups" in one_line_failure(result)
    assert not Path("postgresql:").exists()


# --- roles and the actor ------------------------------------------------------------------


def login_role(pg: PgDatabase, name: str) -> str:
    """A login role of the cluster (roles are cluster-wide), and the URL it connects with."""
    with pg.connect() as conn:
        if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone() is None:
            conn.execute(f'CREATE ROLE "{name}" LOGIN')
    return re.sub(r"user=[^&]*", f"user={name}", str(pg))


@pytest.fixture
def roles(pg: PgDatabase) -> tuple[str, str]:
    """URLs of a reader and a writer role set up by `db init --grant-read/--grant-write`."""
    reader_url = login_role(pg, "tracker_test_reader")
    writer_url = login_role(pg, "tracker_test_writer")
    result = at(pg, "db", "init", "--grant-read", "tracker_test_reader",
                "--grant-write", "tracker_test_writer")
    assert result.exit_code == 0, result.stderr
    assert "granted read-only access to role tracker_test_reader" in result.stderr
    ok_at(pg, "plan", "add", "p", "--title", "P")
    ok_at(pg, "add", "p", "First")
    return reader_url, writer_url


READS = [["list"], ["list", "p"], ["show", "p:1"], ["report"], ["report", "p", "--as-of",
         "2026-01-15"], ["log"], ["log", "p"], ["export"], ["plan", "list"],
         ["plan", "show", "p"], ["info"]]
WRITES = [["add", "p", "Second"], ["update", "p:1", "--status", "fulfilled"],
          ["remove", "p:1", "--yes"], ["plan", "add", "q", "--title", "Q"],
          ["plan", "edit", "p", "--title", "New"], ["plan", "remove", "p", "--force", "--yes"],
          ["undo", "--yes"], ["import", "p", "-"], ["db", "init", "--grant-write", "x_y"],
          ["copy", "ignored.json"]]


def test_a_reader_role_reads_everything_and_every_write_is_refused_in_one_line(
    pg: PgDatabase, roles: tuple[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader_url, _ = roles
    for command in READS:
        ok_at(reader_url, *command)
    before = snapshot(pg)
    monkeypatch.chdir(tmp_path)
    for command in WRITES[:-2]:
        result = at(reader_url, *command, input="title\nNew one\n")
        message = one_line_failure(result)
        assert message.startswith("Error: role tracker_test_reader may only read database "), \
            (command, message)
    assert at(reader_url, *WRITES[-2]).exit_code == 1  # db init needs the owner
    # copying a server database into a file needs only read access on the server
    ok_at(reader_url, *WRITES[-1])
    assert snapshot(pg) == before


def test_the_writer_role_is_the_actor_whatever_tracker_user_says(
    pg: PgDatabase, roles: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, writer_url = roles
    monkeypatch.setenv("TRACKER_USER", "the-boss")
    ok_at(writer_url, "update", "p:1", "--status", "fulfilled")
    ok_at(writer_url, "add", "p", "Second")
    events = json.loads(ok_at(writer_url, "log", "--format", "json"))
    assert [e["actor"] for e in events] == ["tracker_test_writer"] * 2 + [PG_ROLE] * 2
    assert "tracker_test_writer" in ok_at(writer_url, "info")


def test_the_journal_cannot_be_forged_or_rewritten_by_a_writer(
    pg: PgDatabase, roles: tuple[str, str]
) -> None:
    _, writer_url = roles
    with psycopg.connect(writer_url, autocommit=True) as conn:
        seq = last_seq(conn) + 1
        params = whole_event(seq, "p", {}, action="plan-edit")
        conn.execute(INSERT.replace("action,", "action, actor,").replace("%s)", "%s, %s)"),
                     (*params[:6], "the-boss", params[6]))
        assert conn.execute("SELECT actor FROM tracker.events WHERE seq = %s",
                            (seq,)).fetchone() == ("tracker_test_writer",)
        assert last_seq(conn) == seq  # the server counts it
        with pytest.raises(psycopg.errors.CheckViolation):  # not whole: every reader needs it
            conn.execute(INSERT, (seq + 1, seq + 1, "p", "p", "2026-01-01", "x", "{}"))
        for statement in ("UPDATE tracker.events SET actor = 'the-boss'",
                          "DELETE FROM tracker.events", "TRUNCATE tracker.events",
                          "UPDATE tracker.meta SET last_seq = 0",
                          "DROP TABLE tracker.items"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)


INSERT = ("INSERT INTO tracker.events (seq, step, id, plan, effective, action, event) "
          "VALUES (%s, %s, %s, %s, %s, %s, %s)")


def last_seq(conn: psycopg.Connection) -> int:  # type: ignore[type-arg]
    return int(conn.execute("SELECT last_seq FROM tracker.meta").fetchone()[0])  # type: ignore[index]


def whole_event(seq: int, target: str, changes: dict[str, Any], *, step: int | None = None,
          action: str = "update", effective: str = "2026-01-15",
          **json_: object) -> tuple[object, ...]:
    """The parameters of INSERT for a whole journal event (as tracker writes one)."""
    step = seq if step is None else step
    whole = {"seq": seq, "at": "2026-01-15T10:00:00+00:00", "actor": "", "effective": effective,
             "id": target, "action": action, "changes": changes, "reason": "", "note": "",
             "step": step, **json_}
    return (seq, step, target, target.partition(":")[0], effective, action, json.dumps(whole))


def test_copy_into_postgresql_needs_the_owner(pg: PgDatabase, pg_cluster: PgCluster,
                                              tmp_path: Path) -> None:
    writer_url = login_role(pg, "tracker_test_writer")
    target = pg_cluster.create()
    try:
        ok_at(target, "db", "init", "--grant-write", "tracker_test_writer")
        source = str(tmp_path / "t.json")
        ok_at(source, "plan", "add", "p", "--title", "P")
        theirs = re.sub(r"user=[^&]*", "user=tracker_test_writer", str(target))
        message = one_line_failure(at(source, "copy", theirs))
        assert "only their owner" in message
        assert writer_url  # the role exists cluster-wide
    finally:
        pg_cluster.drop(target)


# --- busy, connections, start-up ----------------------------------------------------------


def test_a_held_lock_gives_busy_after_the_timeout(pg: PgDatabase,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    ok_at(pg, "plan", "add", "p", "--title", "P")
    before = snapshot(pg)
    monkeypatch.setenv("TRACKER_LOCK_TIMEOUT", "0.3")
    with psycopg.connect(str(pg)) as holder:
        holder.execute("SELECT * FROM tracker.meta FOR UPDATE")
        started = time.monotonic()
        result = at(pg, "add", "p", "blocked")
        waited = time.monotonic() - started
        reading = at(pg, "list", "p", "--format", "json")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: database is busy")
    assert "TRACKER_LOCK_TIMEOUT" in result.stderr
    assert result.stdout == ""
    assert 0.3 <= waited < 5
    assert snapshot(pg) == before
    assert reading.exit_code == 0  # readers take no lock
    assert json.loads(reading.stdout) == []


def test_a_connection_failure_is_one_line_naming_host_and_database_without_password() -> None:
    url = "postgresql://someone:s3cret-pw@127.0.0.1:1/teamdb?connect_timeout=3"
    for command in (["list"], ["add", "p", "x"], ["db", "init"]):
        message = one_line_failure(at(url, *command))
        assert "127.0.0.1:1" in message and "teamdb" in message, message
        assert "s3cret" not in message


def test_the_location_is_shown_without_its_password() -> None:
    assert pgstore.display("postgresql://me:pw@db.example.org:5433/t?sslmode=require") == \
        "postgresql://me@db.example.org:5433/t?sslmode=require"
    assert pgstore.display("postgres://h/t?password=pw&user=me") == "postgres://h/t?user=me"
    assert pgstore.display("postgresql://me@h/t") == "postgresql://me@h/t"
    # passwords that were not percent-encoded are cut out whole
    for password in ("se/cret", "p@ss", "a?b"):
        assert pgstore.display(f"postgresql://bob:{password}@127.0.0.1:1/db") == \
            "postgresql://bob@127.0.0.1:1/db"


def test_a_mistyped_url_never_shows_its_password(run: Callable[..., Any]) -> None:
    result = run("--db", "postgresql://bob:hunter2@[::1:53917/team3", "list")
    assert result.exit_code == 2
    assert "hunter2" not in result.stderr and "bob@" in result.stderr
    assert len(result.stderr.splitlines()) <= 2


def test_a_role_cannot_be_both_reader_and_writer(run: Callable[..., Any]) -> None:
    result = run("--db", "postgresql://h/t", "db", "init", "--grant-read", "x",
                 "--grant-write", "x")
    assert result.exit_code == 2
    assert "both --grant-read and --grant-write" in result.stderr


def test_file_commands_never_import_psycopg(tmp_path: Path) -> None:
    code = ("import sys; from tracker.cli import cli; "
            "cli.main(['--db', sys.argv[1], 'plan', 'add', 'p', '--title', 'P'], "
            "standalone_mode=False); "
            "cli.main(['--db', sys.argv[1], 'report'], standalone_mode=False); "
            "print('psycopg' in sys.modules, file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "t.json")],
                          capture_output=True, text=True, timeout=60, check=True)
    assert done.stderr.splitlines()[-1] == "False"


def test_a_role_without_access_is_told_so(pg: PgDatabase) -> None:
    stranger = login_role(pg, "tracker_test_stranger")
    with pg.connect() as conn:
        conn.execute("REVOKE ALL ON SCHEMA tracker FROM tracker_test_stranger")
    assert "may not read" in one_line_failure(at(stranger, "list"))
    said = one_line_failure(at(stranger, "plan", "add", "q", "--title", "Q"))  # a write too
    assert said.startswith("Error: role tracker_test_stranger may not read database "), said


def test_store_errors_are_tracker_errors(pg: PgDatabase) -> None:
    with pytest.raises(StoreError, match="cannot connect"):
        pgstore.connect(re.sub(r"port=\d+", "port=1", str(pg)))
