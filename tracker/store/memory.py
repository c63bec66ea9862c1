"""The in-memory backend: the whole ``Repository`` contract on plain Python objects.

It is the model a new backend follows, small enough to read in one go: a
``MemoryDatabase`` holds what was committed; a ``MemoryRepository`` serves one command,
reading from it and buffering every change until ``commit`` publishes them at once. Tests
use it, and it runs the contract tests (``tests/test_repository.py``) beside the file and
PostgreSQL backends.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Iterator
from typing import Any

from tracker.domain import Item, Plan
from tracker.store import Repository, checked_file, file_digest, matches

SCHEMA_VERSION = 1


class MemoryDatabase:
    """What has been committed: plans and their items (in insertion order) and the journal."""

    def __init__(self) -> None:
        self.plans: dict[str, Plan] = {}
        self.items: dict[str, dict[str, Item]] = {}  # plan id → ref → item
        self.events: list[dict[str, Any]] = []
        self.files: dict[str, bytes] = {}  # SHA-256 → content
        self.writes = 0  # how many commits wrote something (one command writes once)


class MemoryRepository(Repository):
    """One command's view of a ``MemoryDatabase``: a private copy, published on commit."""

    def __init__(self, database: MemoryDatabase, *, writable: bool) -> None:
        self.database = database
        self.location = ":memory:"
        self.writable = writable
        self._plans = dict(database.plans)
        self._items = {plan: dict(items) for plan, items in database.items.items()}
        self._pending: list[dict[str, Any]] = []
        self._files: dict[str, bytes] = {}
        self._dirty = False

    def _writing(self) -> None:
        if not self.writable:
            raise RuntimeError("this repository was opened for reading only")
        self._dirty = True

    # reads: copies, so a caller changing a record changes nothing stored

    def plans(self) -> list[Plan]:
        return [Plan.from_dict(p.to_dict()) for p in self._plans.values()]

    def get_plan(self, plan_id: str) -> Plan | None:
        plan = self._plans.get(plan_id)
        return None if plan is None else Plan.from_dict(plan.to_dict())

    def items(self, plan_id: str | None = None) -> list[Item]:
        chosen = [plan_id] if plan_id is not None else list(self._plans)
        return [Item.from_dict(i.to_dict())
                for p in chosen for i in self._items.get(p, {}).values()]

    def get_item(self, plan_id: str, ref: str) -> Item | None:
        item = self._items.get(plan_id, {}).get(ref)
        return None if item is None else Item.from_dict(item.to_dict())

    def refs(self, plan_id: str) -> list[str]:
        return list(self._items.get(plan_id, {}))

    def events(self, *, plan: str | None = None, item: str | None = None,
               actions: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
        return [copy.deepcopy(e) for e in [*self.database.events, *self._pending]
                if matches(e, plan, item, actions)]

    def last_seq(self) -> int:
        events = self._pending or self.database.events
        return int(events[-1]["seq"]) if events else 0

    def last_step(self) -> int:
        return max((int(e["step"]) for e in [*self.database.events, *self._pending]), default=0)

    def info(self) -> dict[str, Any]:
        return {"database": self.location, "schema_version": SCHEMA_VERSION,
                "plans": len(self._plans), "items": sum(map(len, self._items.values())),
                "events": self.last_seq(), "steps": self.last_step()}

    # writes: buffered in this repository until commit

    def put_plan(self, plan: Plan) -> None:
        self._writing()
        self._plans[plan.id] = Plan.from_dict(plan.to_dict())
        self._items.setdefault(plan.id, {})

    def delete_plan(self, plan_id: str) -> None:
        self._writing()
        self._plans.pop(plan_id, None)
        self._items.pop(plan_id, None)

    def put_item(self, item: Item) -> None:
        self._writing()
        if item.plan not in self._plans:
            raise KeyError(f"no plan {item.plan!r} for item {item.id}")
        self._items[item.plan][item.ref] = Item.from_dict(item.to_dict())

    def delete_item(self, plan_id: str, ref: str) -> None:
        self._writing()
        self._items.get(plan_id, {}).pop(ref, None)

    def append_events(self, events: list[dict[str, Any]]) -> None:
        self._writing()
        self._pending.extend(copy.deepcopy(events))

    def commit(self) -> bool:
        if not self._dirty:
            return False
        self.database.plans = self._plans
        self.database.items = self._items
        self.database.events = [*self.database.events, *self._pending]
        self.database.files = {**self.database.files, **self._files}
        self.database.writes += 1
        self._pending, self._files = [], {}
        self._dirty = False
        return True

    def discard(self) -> None:
        self._plans = dict(self.database.plans)
        self._items = {plan: dict(items) for plan, items in self.database.items.items()}
        self._pending, self._files = [], {}
        self._dirty = False

    # files kept with the database

    def put_file(self, data: bytes) -> str:
        sha = file_digest(data)
        if sha not in self.database.files:
            self._writing()
            self._files[sha] = bytes(data)
        return sha

    def get_file(self, sha256: str) -> bytes:
        found = self._files.get(sha256, self.database.files.get(sha256))
        return checked_file(sha256, found, self.location)

    def file_names(self) -> list[str]:
        return sorted({*self.database.files, *self._files})


def open_reader(database: MemoryDatabase) -> MemoryRepository:
    """A read-only view of what is committed."""
    return MemoryRepository(database, writable=False)


@contextlib.contextmanager
def open_repository(database: MemoryDatabase, *, lock_timeout: float = 10.0,
                    salvage: bool = False) -> Iterator[MemoryRepository]:
    """One writing command: commit when the block succeeds, nothing when it raises.

    (A backend shared between processes takes its writers' lock here, waiting at most
    *lock_timeout* seconds; *salvage* is the file backend's, for ``tracker repair``.)
    """
    repo = MemoryRepository(database, writable=True)
    yield repo
    repo.commit()
