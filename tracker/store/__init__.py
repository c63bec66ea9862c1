"""The store: the ``Repository`` interface every command uses, and the openers that pick
a backend by location.

A backend is a module of this package: ``file`` (the TinyDB-format file and its journal,
the default), ``postgres`` (a team's server) and ``memory`` (in memory: the model a new
backend follows). Each implements ``Repository`` and passes the one contract test module
``tests/test_repository.py``. This module imports none of them until a location needs it,
so a command on a file never loads psycopg and a server command never loads tinydb.
"""

from __future__ import annotations

import contextlib
import importlib
from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TypeGuard

from tracker.domain import Item, Plan, StatusSums, status_sums
from tracker.errors import StoreError
from tracker.i18n import _

if TYPE_CHECKING:
    from tracker.store.memory import MemoryDatabase

SERVER_SCHEMES = ("postgresql://", "postgres://")


class Repository(ABC):
    """What commands may ask of a database; one instance serves one command.

    Reads see one consistent snapshot. Writes are buffered (or held in one transaction)
    and reach the database only in ``commit()``, all at once, so a command that fails
    part-way changes nothing.
    """

    location: str
    exists: bool = True  # False: a file database not written yet (reads are empty)
    lost: dict[str, Any] | None = None  # what ``tracker repair`` found missing

    @abstractmethod
    def plans(self) -> list[Plan]:
        """Every plan, in the order they were added."""

    @abstractmethod
    def get_plan(self, plan_id: str) -> Plan | None: ...

    @abstractmethod
    def items(self, plan_id: str | None = None) -> list[Item]:
        """Items of one plan (or of all plans), plans and refs in insertion order."""

    def status_sums(self, plan_id: str) -> StatusSums:
        """The plan's items summed up by status (``domain.status_sums``): what an overview
        of many plans needs, without reading every item. Backends that keep it answer
        without parsing the items; this default counts them."""
        return status_sums((i["status"], i["weight"]) for i in self.items(plan_id))

    @abstractmethod
    def get_item(self, plan_id: str, ref: str) -> Item | None: ...

    @abstractmethod
    def refs(self, plan_id: str) -> list[str]: ...

    @abstractmethod
    def events(self, *, plan: str | None = None, item: str | None = None,
               actions: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
        """Journal events in recorded order; *plan* keeps the plan's and its items' events,
        *actions* those of these actions (a store reads no others where it can)."""

    @abstractmethod
    def put_plan(self, plan: Plan) -> None: ...

    @abstractmethod
    def delete_plan(self, plan_id: str) -> None:
        """Remove a plan and its items."""

    @abstractmethod
    def put_item(self, item: Item) -> None:
        """Add an item (it goes last in its plan) or replace one (it keeps its place)."""

    @abstractmethod
    def delete_item(self, plan_id: str, ref: str) -> None: ...

    @abstractmethod
    def append_events(self, events: list[dict[str, Any]]) -> None: ...

    @abstractmethod
    def last_seq(self) -> int: ...

    @abstractmethod
    def last_step(self) -> int: ...

    # Files kept with the database, named by their SHA-256: a published report's snapshot.

    @abstractmethod
    def put_file(self, data: bytes) -> str:
        """Keep *data* with the database (``commit`` writes it with the rest, ``discard``
        forgets it); return its SHA-256, which names it."""

    def put_file_from(self, path: str, limit: int) -> tuple[str, int]:
        """Keep the regular file at *path* as ``put_file`` keeps bytes: its SHA-256 and its
        size. ``fileio.OverLimit`` when it is (or grows while read) past *limit* bytes."""
        from tracker.fileio import read_at_most

        data = read_at_most(path, limit)
        return self.put_file(data), len(data)

    @abstractmethod
    def get_file(self, sha256: str) -> bytes:
        """The file kept as *sha256*; StoreError when it is missing or not what was kept."""

    @abstractmethod
    def file_names(self) -> list[str]:
        """The SHA-256 of every file kept (``tracker copy`` takes them all)."""

    @abstractmethod
    def info(self) -> dict[str, Any]:
        """``database``, ``schema_version``, counts of plans, items, events and steps."""

    @abstractmethod
    def commit(self) -> bool:
        """Write everything changed since opening in one write; return whether it wrote."""

    @abstractmethod
    def discard(self) -> None:
        """Forget the buffered changes (a dry run): ``commit`` then writes nothing."""

    # Defaults built on the methods above; a backend may answer them better.

    def close(self) -> None:  # noqa: B027 - a default that does nothing, not an abstract one
        """Let go of what the repository holds (a server connection); nothing by default."""

    def actor(self) -> str | None:
        """Who the store itself says is making the change (PostgreSQL: the role), or None."""
        return None

    def acting_for(self) -> list[str] | None:
        """The executors the store says this user acts for (PostgreSQL: the role's rights,
        SPEC §15), who may then change only their measures' status, reason and evidence;
        None: no such limit (a file has one user)."""
        return None

    def keep_journal_aside(self, stamp: str) -> str | None:
        """``tracker repair``: keep the damaged journal aside; the name it was kept under."""
        return None

    def recent_steps(self) -> Iterator[list[dict[str, Any]]]:
        """Journal steps newest first, each as its events in recorded order (for undo)."""
        events = self.events()
        steps: dict[int, list[dict[str, Any]]] = {}
        for event in reversed(events):
            steps.setdefault(event["step"], []).append(event)
        for found in steps.values():
            yield found[::-1]

    def plan_events(self, plan_ids: list[str]) -> Iterator[list[dict[str, Any]]]:
        """Each plan's events, as ``events(plan=…)`` gives them, in the order of *plan_ids*.

        By default from one read of the whole journal; a store that can read one plan's
        part on its own yields them one at a time, so that a report of every plan as of a
        day reads the journal once and holds one plan's history at a time.
        """
        grouped: dict[str, list[dict[str, Any]]] = {plan_id: [] for plan_id in plan_ids}
        for event in self.events():
            found = grouped.get(str(event.get("id", "")).partition(":")[0])
            if found is not None:
                found.append(event)
        yield from grouped.values()

    def bulk_load(self, plans: list[Plan], items: list[Item],
                  events: list[dict[str, Any]]) -> None:
        """Put a whole database (plans, items, journal) into this empty one (``copy``)."""
        for plan in plans:
            self.put_plan(plan)
        for item in items:
            self.put_item(item)
        self.append_events(events)


def file_digest(data: bytes) -> str:
    """The name a kept file goes by: its SHA-256, in hex."""
    import hashlib

    return hashlib.sha256(data).hexdigest()


def checked_file(sha256: str, data: bytes | None, location: str) -> bytes:
    """*data* as kept under *sha256*, or StoreError when it is missing or changed."""
    if data is None:
        raise StoreError(_("the file {sha} kept with {location} is missing")
                         .format(sha=sha256[:16], location=location),
                         _("Restore the database's files from a backup."))
    if file_digest(data) != sha256:
        raise StoreError(_("the file {sha} kept with {location} was changed: its content is "
                           "not what was kept").format(sha=sha256[:16], location=location),
                         _("Restore the database's files from a backup."))
    return data


def matches(event: dict[str, Any], plan: str | None, item: str | None,
            actions: tuple[str, ...] | None = None) -> bool:
    """Whether *event* is about *item*, or about *plan* or one of its items (or any), and
    is one of *actions* when they are given."""
    if actions is not None and event.get("action") not in actions:
        return False
    target = str(event.get("id", ""))
    if item is not None:
        return target == item
    if plan is not None:
        return target == plan or target.startswith(f"{plan}:")
    return True


# --- opening ----------------------------------------------------------------------------

# Each backend is a module of this package with ``open_reader(location)`` and
# ``open_repository(location, *, lock_timeout, salvage)``; a new backend is a module and a
# line here (and in ``backend_of``). Imported only when a location needs it.
BACKENDS = {"file": "tracker.store.file", "postgres": "tracker.store.postgres",
            "memory": "tracker.store.memory"}


def is_server(location: object) -> TypeGuard[str]:
    """Whether *location* names a PostgreSQL database rather than a file (no psycopg import)."""
    return isinstance(location, str) and location.startswith(SERVER_SCHEMES)


def backend_of(location: object) -> str:
    """The backend for *location*: a ``postgresql://`` URL, an in-memory database, a file."""
    if is_server(location):
        return "postgres"
    return "file" if isinstance(location, str) else "memory"


def _backend(location: object) -> Any:
    return importlib.import_module(BACKENDS[backend_of(location)])


def open_reader(location: str | MemoryDatabase) -> Repository:
    """The database at *location* read once, without a lock, for a read-only command."""
    repo: Repository = _backend(location).open_reader(location)
    return repo


@contextlib.contextmanager
def open_repository(
    location: str | MemoryDatabase, *, write: bool, lock_timeout: float = 10.0,
    salvage: bool = False,
) -> Iterator[Repository]:
    """Open the database at *location* for one command.

    For writing: take the writers' lock, read once, yield, and on success write once
    (nothing is written when the block raises). For reading: read once, no lock.
    *salvage* opens a file whose journal is damaged, for ``tracker repair``.
    """
    if not write:
        repo = open_reader(location)
        try:
            yield repo
        finally:
            repo.close()
        return
    with _backend(location).open_repository(location, lock_timeout=lock_timeout,
                                            salvage=salvage) as repo:
        yield repo
