"""Shared fixtures: a database in tmp_path, a CLI runner, factories for plans and items."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tracker.cli import cli

TODAY = "2026-01-15"


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The database path every CLI call in the test uses (via TRACKER_DB)."""
    path = tmp_path / "tracker.json"
    monkeypatch.setenv("TRACKER_DB", str(path))
    monkeypatch.setenv("TRACKER_USER", "tester")
    monkeypatch.setenv("TRACKER_TODAY", TODAY)
    monkeypatch.delenv("TRACKER_DEBUG", raising=False)
    monkeypatch.delenv("TRACKER_LOCK_TIMEOUT", raising=False)
    return path


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


def snapshot(db: Path) -> dict[str, str]:
    """Fingerprints of the database and every file beside it."""
    return {p.name: digest(p) for p in sorted(db.parent.iterdir()) if p.name.startswith(db.name)}
