"""Shared fixtures: a database on each backend, a CLI runner, factories for plans and items.

Every test that uses the ``db`` fixture (directly or through ``run``, ``ok``, ``plan``…)
runs twice: on a file in tmp_path and on a fresh PostgreSQL database of the throwaway
cluster that ``make test`` starts (``TRACKER_TEST_PG``). Tests about the file store's own
files on disk are marked ``file_only``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.helpers import PgCluster, PgDatabase, Run, use_database
from tracker.cli import cli

BACKENDS = ("file", "postgresql")
# Modules whose every test is about the file store's files (kill -9, damaged files, .bak).
FILE_ONLY_MODULES = {"tests.test_proofs", "tests.test_store_file", "tests.test_fileio",
                     "tests.test_migration"}
PG_MISSING = (
    "TRACKER_TEST_PG is not set, and the PostgreSQL half of the suite needs it. "
    "Run 'make test' (it starts a throwaway cluster), or "
    "'bash scripts/pg-cluster.sh run .venv/bin/python -m pytest ...'."
)


# `make check` sets it: the inner loop runs the file backend only, no server, no browser.
FILE_BACKEND_ONLY = os.environ.get("TRACKER_TEST_BACKENDS") == "file"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "file_only: about the file store's files on disk; runs on the file backend")
    config.addinivalue_line(
        "markers", "programs: checks an artefact with a real program (Chromium, LibreOffice, "
                   "pdftotext) that `make test` installs; not part of `make check`")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run every test that opens the ``db`` on both backends, file-only ones on the file."""
    if "backend" not in metafunc.fixturenames:
        return
    file_only = (metafunc.definition.get_closest_marker("file_only") is not None
                 or metafunc.module.__name__ in FILE_ONLY_MODULES or FILE_BACKEND_ONLY)
    metafunc.parametrize("backend", ["file"] if file_only else list(BACKENDS), indirect=True)


def _needs_pg(item: pytest.Item) -> bool:
    callspec = getattr(item, "callspec", None)
    return ("pg_cluster" in getattr(item, "fixturenames", ())
            or (callspec is not None and "postgresql" in callspec.params.values()))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``make check``: leave out what needs the server or a real program, and say so."""
    if not FILE_BACKEND_ONLY:
        return
    kept = [i for i in items if not _needs_pg(i) and i.get_closest_marker("programs") is None]
    left_out = [i for i in items if i not in kept]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept


def pytest_collection_finish(session: pytest.Session) -> None:
    """Never skip PostgreSQL quietly: without a server the run stops and says why."""
    if any(_needs_pg(item) for item in session.items) and not os.environ.get("TRACKER_TEST_PG"):
        pytest.exit(PG_MISSING, returncode=1)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Every test starts in English: a command run with --lang ru in this process (the
    CliRunner) leaves the language it chose behind, and renderers called directly read it."""
    from tracker import i18n

    i18n.activate("en")
    yield
    i18n.activate("en")


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    return str(getattr(request, "param", "file"))


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
