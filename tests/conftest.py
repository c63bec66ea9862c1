"""Shared fixtures: a database on each backend, a CLI runner, factories for plans and items.

Every test that uses the ``db`` fixture (directly or through ``run``, ``ok``, ``plan``…)
runs twice: on a file in tmp_path and on a fresh PostgreSQL database of the throwaway
cluster that ``make test`` starts (``TRACKER_TEST_PG``). Tests about the file store's own
files on disk are marked ``file_only``.
"""

from __future__ import annotations

import hashlib
import itertools
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from click.testing import CliRunner, Result

from tracker.cli import cli

TODAY = "2026-01-15"
BACKENDS = ("file", "postgresql")
# Modules whose every test is about the file store's files (kill -9, damaged files, .bak).
FILE_ONLY_MODULES = {"tests.test_proofs", "tests.test_store", "tests.test_fileio",
                     "tests.test_migration"}
PG_ROLE = "tester"  # the tests' PostgreSQL role: the journal's actor, as TRACKER_USER is
PG_MISSING = (
    "TRACKER_TEST_PG is not set, and the PostgreSQL half of the suite needs it. "
    "Run 'make test' (it starts a throwaway cluster), or "
    "'bash scripts/pg-cluster.sh run .venv/bin/python -m pytest ...'."
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "file_only: about the file store's files on disk; runs on the file backend")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run every test that opens the ``db`` on both backends, file-only ones on the file."""
    if "backend" not in metafunc.fixturenames:
        return
    file_only = (metafunc.definition.get_closest_marker("file_only") is not None
                 or metafunc.module.__name__ in FILE_ONLY_MODULES)
    metafunc.parametrize("backend", ["file"] if file_only else list(BACKENDS), indirect=True)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Never skip PostgreSQL quietly: without a server the run stops and says why."""
    needs_pg = any("pg_cluster" in getattr(item, "fixturenames", ())
                   or (getattr(item, "callspec", None) is not None
                       and item.callspec.params.get("backend") == "postgresql")
                   for item in session.items)
    if needs_pg and not os.environ.get("TRACKER_TEST_PG"):
        pytest.exit(PG_MISSING, returncode=1)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    return str(getattr(request, "param", "file"))


class PgDatabase(str):
    """A PostgreSQL database of the test cluster; the string is its URL (TRACKER_DB)."""

    admin_url: str

    def connect(self) -> Any:
        import psycopg

        return psycopg.connect(self.admin_url, autocommit=True)

    def dump(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of the four tables, as text: the server's version of ``snapshot``."""
        with self.connect() as conn:
            return {table: conn.execute(
                f"SELECT t::text FROM tracker.{table} t ORDER BY 1").fetchall()
                for table in ("meta", "plans", "items", "events")}

    def exists(self) -> bool:
        """Whether anything was ever written (the file's "the file exists")."""
        with self.connect() as conn:
            row = conn.execute("SELECT last_seq > 0 OR EXISTS (SELECT 1 FROM tracker.plans) "
                               "FROM tracker.meta").fetchone()
            return bool(row and row[0])


class PgCluster:
    """The cluster of TRACKER_TEST_PG, with a template database that has the schema."""

    TEMPLATE = "tracker_template"

    def __init__(self, url: str) -> None:
        import psycopg
        from psycopg.conninfo import conninfo_to_dict

        from tracker.pgstore import init_database

        self.admin = url
        self.params = conninfo_to_dict(url)
        self.counter = itertools.count(1)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {self.TEMPLATE} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {self.TEMPLATE}")
            if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s",
                            (PG_ROLE,)).fetchone() is None:
                conn.execute(f"CREATE ROLE {PG_ROLE} SUPERUSER LOGIN")
        init_database(self.url(self.TEMPLATE, self.params.get("user", "")))

    def url(self, name: str, user: str = PG_ROLE) -> str:
        """A URL of database *name* on this cluster, for *user*."""
        query = {k: v for k, v in self.params.items() if k not in ("dbname", "user")}
        query["user"] = user
        return f"postgresql:///{name}?" + "&".join(
            f"{k}={quote(str(v), safe='/')}" for k, v in query.items())

    def create(self, user: str = PG_ROLE) -> PgDatabase:
        """A fresh database with the tracker schema and nothing in it."""
        import psycopg

        name = f"t{os.getpid()}_{next(self.counter)}"
        with psycopg.connect(self.admin, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name} TEMPLATE {self.TEMPLATE}")
        database = PgDatabase(self.url(name, user))
        database.admin_url = self.url(name, self.params.get("user", PG_ROLE))
        return database

    def drop(self, database: PgDatabase) -> None:
        import psycopg
        from psycopg.conninfo import conninfo_to_dict

        name = conninfo_to_dict(database)["dbname"]
        with psycopg.connect(self.admin, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="session")
def pg_cluster() -> PgCluster:
    url = os.environ.get("TRACKER_TEST_PG")
    if not url:
        pytest.fail(PG_MISSING, pytrace=False)
    return PgCluster(url)


@pytest.fixture
def pg_db(pg_cluster: PgCluster) -> Iterator[PgDatabase]:
    """A fresh PostgreSQL database with the schema, dropped after the test."""
    database = pg_cluster.create()
    yield database
    pg_cluster.drop(database)


@pytest.fixture
def db(backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
       request: pytest.FixtureRequest) -> Path | PgDatabase:
    """The database every CLI call in the test uses (via TRACKER_DB): a file path, or a
    PostgreSQL URL whose role is named like TRACKER_USER."""
    location: Path | PgDatabase = tmp_path / "tracker.json"
    if backend == "postgresql":
        location = request.getfixturevalue("pg_db")
    return use_database(monkeypatch, location)


def use_database(monkeypatch: pytest.MonkeyPatch, location: Any) -> Any:
    """Point TRACKER_DB at *location*, with the test's user and today, nothing else set."""
    monkeypatch.setenv("TRACKER_DB", str(location))
    monkeypatch.setenv("TRACKER_USER", PG_ROLE)
    monkeypatch.setenv("TRACKER_TODAY", TODAY)
    monkeypatch.delenv("TRACKER_DEBUG", raising=False)
    monkeypatch.delenv("TRACKER_LOCK_TIMEOUT", raising=False)
    return location


Run = Callable[..., Result]


@pytest.fixture
def run(db: Path) -> Run:
    """Invoke the CLI; stdout and stderr stay separate."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> Result:
        return runner.invoke(cli, list(args), input=input, catch_exceptions=False)

    return invoke


@pytest.fixture
def ok(run: Run) -> Callable[..., str]:
    """Invoke the CLI and insist it succeeds; return stdout."""

    def invoke(*args: str, input: str | None = None) -> str:
        result = run(*args, input=input)
        assert result.exit_code == 0, (args, result.stdout, result.stderr)
        return result.stdout

    return invoke


@pytest.fixture
def plan(ok: Callable[..., str]) -> str:
    """A plan 'p' with three items: 1 fulfilled, 2 not-fulfilled with a reason, 3 open."""
    ok("plan", "add", "p", "--title", "Plan P")
    ok("add", "p", "First measure", "--status", "fulfilled")
    ok("add", "p", "Second measure", "--status", "not-fulfilled", "--reason", "partner refused")
    ok("add", "p", "Third measure", "--owner", "Ann", "--due", "2025-12-31")
    return "p"


def digest(path: Path) -> str:
    """A fingerprint of a file (or of its absence) to prove it was not touched."""
    if not path.exists():
        return "absent"
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(db: Path | PgDatabase) -> dict[str, Any]:
    """Fingerprints of the database and every file beside it (on PostgreSQL: every row)."""
    if isinstance(db, PgDatabase):
        return db.dump()
    return {p.name: digest(p) for p in sorted(db.parent.iterdir()) if p.name.startswith(db.name)}
