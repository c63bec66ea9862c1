"""Helpers the tests share (fixtures live in conftest.py; these are plain functions)."""

from __future__ import annotations

import hashlib
import itertools
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from click.testing import Result

TODAY = "2026-01-15"  # what TRACKER_TODAY says in every test
PG_ROLE = "tester"  # the tests' PostgreSQL role: the journal's actor, as TRACKER_USER is
Ok = Callable[..., str]
Run = Callable[..., Result]


def jok(ok: Ok, *args: str) -> Any:
    """Run a command with --format json and parse its stdout."""
    return json.loads(ok(*args, "--format", "json"))


def log_events(ok: Ok, *args: str) -> list[dict[str, Any]]:
    """The journal (of a plan or an item), newest first, as ``log --format json`` gives it."""
    return list(jok(ok, "log", *args))


class PgDatabase(str):
    """A PostgreSQL database of the test cluster; the string is its URL (TRACKER_DB)."""

    admin_url: str

    def connect(self) -> Any:
        import psycopg

        return psycopg.connect(self.admin_url, autocommit=True)

    def dump(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of the tables, as text: the server's version of ``snapshot``."""
        with self.connect() as conn:
            return {table: conn.execute(
                f"SELECT t::text FROM tracker.{table} t ORDER BY 1").fetchall()
                for table in ("meta", "plans", "items", "events", "files")}

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

        from tracker.store.postgres import init_database

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


def use_database(monkeypatch: pytest.MonkeyPatch, location: Any) -> Any:
    """Point TRACKER_DB at *location*, with the test's user and today, nothing else set."""
    monkeypatch.setenv("TRACKER_DB", str(location))
    monkeypatch.setenv("TRACKER_USER", PG_ROLE)
    monkeypatch.setenv("TRACKER_TODAY", TODAY)
    monkeypatch.delenv("TRACKER_DEBUG", raising=False)
    monkeypatch.delenv("TRACKER_LOCK_TIMEOUT", raising=False)
    return location


def digest(path: Path) -> str:
    """A fingerprint of a file (or of its absence) to prove it was not touched."""
    if not path.exists():
        return "absent"
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(db: Path | PgDatabase) -> dict[str, Any]:
    """Fingerprints of the database and every file beside it (on PostgreSQL: every row)."""
    if isinstance(db, PgDatabase):
        return db.dump()
    found = {}
    for path in sorted(db.parent.iterdir()):
        if path.name.startswith(db.name):
            for one in sorted(path.iterdir()) if path.is_dir() else [path]:
                found[str(one.relative_to(db.parent))] = digest(one)
    return found


def command_paths() -> list[list[str]]:
    """Every command's words, from ``tracker`` itself down to each subcommand."""
    import click

    from tracker.cli import cli

    paths: list[list[str]] = [[]]

    def walk(group: click.Group, prefix: list[str]) -> None:
        for name, command in group.commands.items():
            paths.append([*prefix, name])
            if isinstance(command, click.Group):
                walk(command, [*prefix, name])

    walk(cli, [])
    return paths
