"""Helpers the tests share (fixtures live in conftest.py; these are plain functions)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

Ok = Callable[..., str]


def jok(ok: Ok, *args: str) -> Any:
    """Run a command with --format json and parse its stdout."""
    return json.loads(ok(*args, "--format", "json"))


def log_events(ok: Ok, *args: str) -> list[dict[str, Any]]:
    """The journal (of a plan or an item), newest first, as ``log --format json`` gives it."""
    return list(jok(ok, "log", *args))
