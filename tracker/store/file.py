"""The file backend: the database as a TinyDB document file, and its journal beside it.

The database is a TinyDB document file (tables ``meta``, ``plans`` and ``items``, each
``{doc_id: document}``) written through a storage of our own, in TinyDB's storage
interface, that reads the file once and replaces it atomically (temp file, fsync, rename,
fsync of the folder, the previous version kept as ``.bak``); TinyDB's ``JSONStorage``
writes in place and has no lock, so it is not used. ``TinyDB(path,
storage=JSONFileStorage)`` opens the database; commands read it without importing tinydb,
whose package costs some 8 ms of every command's start-up.

The journal of events lives beside it in ``<db>.journal``: one JSON object per line,
append-only, so commands that need no history never parse it. A write appends the step's
events first, then replaces the item file, which records the journal's length. A crash
between the two leaves journal lines past that length: readers ignore them, and the next
writer cuts them off under the lock.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from operator import itemgetter
from typing import Any

from tracker import fileio, jsonio
from tracker.domain import (
    DERIVED_KEYS,
    EVENT_KEYS,
    ROW_KEYS,
    Item,
    Plan,
    StatusSums,
    status_sums,
)
from tracker.errors import StoreError
from tracker.i18n import _, grouped, os_reason
from tracker.store import Repository, checked_file, file_digest, matches

# 1: an item per document. 2: a plan's items as one JSON text of rows. 3: ``due`` may be a
# period (2023-Q4, 2023..2024, ongoing…), which a schema-2 tracker would misread; the
# layout is 2's, so 2 → 3 only records the version (after keeping the file once). 4: a row
# also holds what the journal says of the item's deadlines and status (``DERIVED_KEYS``:
# the original deadline, its moves, the day the status holds from); an older row is read
# with them taken from the journal's fold (``_derive_control``). 5: a plan's rows are a JSON
# array in the document (no longer a string of JSON), and the document ends with a
# ``layout`` naming the byte span of each plan's rows and their sums, so that a command
# reading one plan parses that plan alone, not the whole file; a file without a valid
# layout (edited by hand, or of schema 4 and older) is parsed whole, as before.
SCHEMA_VERSION = 5
LEGACY_ROW_WIDTH = 11  # schemas 2 and 3
TABLES = ("meta", "plans", "items")


# --- storages: where the documents and the journal physically live ----------------------


class JSONFileStorage:
    """A TinyDB storage that reads the file once and replaces it atomically with a ``.bak``.

    Usable on its own with ``TinyDB(path, storage=JSONFileStorage)`` to read the database:
    TinyDB asks a storage for ``read``, ``write`` and ``close`` only, so it need not derive
    from ``tinydb.storages.Storage`` (tests/test_store_file.py opens a database so).
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.parsed = 0  # bytes of item rows parsed so far: past jsonio.LARGE, with orjson
        self.journal_path = path + ".journal"
        self.backup_path = path + ".bak"
        self.files_path = path + ".files"  # the files kept with it, named by SHA-256

    def read(self) -> dict[str, Any] | None:
        """The whole document, parsed (what TinyDB asks of a storage)."""
        raw = self._read_raw()
        return None if raw is None else self._parse(raw)

    def read_parts(self) -> tuple[dict[str, Any], dict[str, tuple[bytes, int, int, Any]]] | None:
        """The document's meta and plans, and each plan's rows left unparsed: where its
        layout is sound, ``(raw, start, end, sums)`` per plan; else the document is parsed
        whole and its items table is returned as it is (with no spans)."""
        raw = self._read_raw()
        if raw is None:
            return None
        parts = _split(raw)
        if parts is not None:
            return parts
        return self._parse(raw), {}

    def _read_raw(self) -> bytes | None:
        try:
            with open(self.path, "rb") as handle:
                return handle.read()
        except FileNotFoundError:
            return None
        except IsADirectoryError:
            raise StoreError(_("database {path} is a folder, not a file")
                             .format(path=self.path)) from None
        except OSError as exc:
            raise StoreError(_("cannot read database {path}: {reason}")
                             .format(path=self.path, reason=os_reason(exc))) from None

    def _parse(self, raw: bytes) -> dict[str, Any]:
        try:
            data = jsonio.loads(raw)
        except jsonio.DecodeError as exc:
            what = _("it is empty") if not raw.strip() else _("it is not valid JSON ({error})"
                                                                 ).format(error=exc)
            raise self.damaged(what) from None
        if not isinstance(data, dict):
            raise self.damaged(_("it is JSON, but not a tracker database"))
        return data

    def write(self, data: dict[str, Any]) -> None:
        """Replace the file with *data* (TinyDB's way; the next reader parses it whole)."""
        self.write_bytes(jsonio.dumps(data))

    def write_bytes(self, document: bytes) -> None:
        folder = os.path.dirname(os.path.abspath(self.path))
        try:
            os.makedirs(folder, exist_ok=True)
            fileio.atomic_write(self.path, document, backup=self.backup_path)
        except OSError as exc:
            raise StoreError(
                _("cannot write database {path}: {reason}; it was left as it was")
                .format(path=self.path, reason=os_reason(exc))
            ) from None

    def close(self) -> None:
        pass

    def keep_copy(self, suffix: str) -> None:
        """Before a migration rewrites the file: keep it once as ``<db><suffix>``."""
        target = self.path + suffix
        if os.path.exists(target) or not os.path.exists(self.path):
            return
        with open(self.path, "rb") as handle:
            fileio.atomic_write(target, handle.read())

    def damaged(self, what: str) -> StoreError:
        hint = (_("The previous version is {backup}: 'tracker restore --from-backup' puts it "
                  "back.") if os.path.exists(self.backup_path) else
                _("There is no previous version {backup} yet, which 'tracker restore "
                  "--from-backup' would need.")).format(backup=self.backup_path)
        return StoreError(_("database {path} cannot be read: {what}. It was left untouched.")
                          .format(path=self.path, what=what),
                          hint)

    # the journal ----------------------------------------------------------------------

    def journal_size(self) -> int:
        try:
            return os.path.getsize(self.journal_path)
        except FileNotFoundError:
            return 0

    def journal_exists(self) -> bool:
        return os.path.exists(self.journal_path)

    def journal_read(self, size: int) -> bytes:
        if size == 0:
            return b""
        try:
            with open(self.journal_path, "rb") as handle:
                return handle.read(size)
        except OSError as exc:
            raise StoreError(_("cannot read the journal {journal}: {reason}")
                             .format(journal=self.journal_path, reason=os_reason(exc))) \
                from None

    def file_read(self, sha256: str) -> bytes | None:
        """A kept file's content, or None when there is none by that name."""
        try:
            with open(os.path.join(self.files_path, sha256), "rb") as handle:
                return handle.read()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StoreError(_("cannot read {path}: {reason}").format(
                path=os.path.join(self.files_path, sha256), reason=os_reason(exc))) from None

    def file_intact(self, sha256: str) -> bool:
        """Whether a file is kept by that name with the bytes the name says (anyone who can
        write the folder could have put others there: a new copy then replaces them)."""
        path = os.path.join(self.files_path, sha256)
        try:
            return os.path.isfile(path) and fileio.file_sha256(path) == sha256
        except OSError:
            return False

    def file_names(self) -> list[str]:
        try:
            return sorted(n for n in os.listdir(self.files_path) if _SHA256.fullmatch(n))
        except FileNotFoundError:
            return []

    def files_write(self, files: dict[str, bytes | str]) -> list[str]:
        """Write each new kept file durably (its bytes, or a temp copy of it renamed into
        place); return the paths written (a failed commit removes them, so that it leaves
        every file as it was)."""
        written: list[str] = []
        try:
            if files and not os.path.isdir(self.files_path):
                os.mkdir(self.files_path)
                written.append(self.files_path)
            renamed = None  # the last file renamed in: its folder is then fsynced once
            for sha, data in files.items():
                path = os.path.join(self.files_path, sha)
                bad = os.path.exists(path)  # (found not to match its name: replaced)
                if isinstance(data, str):
                    os.replace(data, path)  # the copy was fsynced when made
                    renamed = path
                else:
                    fileio.atomic_write(path, data)
                if not bad:  # (a failed commit keeps a mended file mended)
                    written.append(path)
            if renamed is not None:
                fileio.fsync_dir(renamed)
        except OSError as exc:
            self.files_remove(written)
            raise StoreError(_("cannot write {path}: {reason}; nothing was changed").format(
                path=self.files_path, reason=os_reason(exc))) from None
        return written

    @staticmethod
    def files_remove(paths: list[str]) -> None:
        for path in reversed(paths):
            with contextlib.suppress(OSError):
                (os.rmdir if os.path.isdir(path) else os.unlink)(path)

    def journal_replace(self, data: bytes) -> None:
        """Write a whole new journal (``tracker repair`` only), atomically."""
        fileio.atomic_write(self.journal_path, data)

    def journal_blocks(self, size: int, block: int = 1 << 22) -> Iterator[bytes]:
        """The first *size* bytes of the journal in blocks that end at a line end."""
        if size == 0:
            return
        try:
            with open(self.journal_path, "rb") as handle:
                left, carry = size, b""
                while left > 0:
                    chunk = handle.read(min(block, left))
                    if not chunk:
                        break
                    left -= len(chunk)
                    data = carry + chunk
                    cut = data.rfind(b"\n") + 1 if left > 0 else len(data)
                    carry = data[cut:]
                    yield data[:cut]
        except OSError as exc:
            raise StoreError(_("cannot read the journal {journal}: {reason}")
                             .format(journal=self.journal_path, reason=os_reason(exc))) \
                from None

    def journal_append(self, data: bytes) -> int:
        try:
            return fileio.append_durably(self.journal_path, data)
        except OSError as exc:
            raise StoreError(
                _("cannot write the journal {journal}: {reason}; nothing was changed")
                .format(journal=self.journal_path, reason=os_reason(exc))
            ) from None

    def journal_ranges(self, ranges: list[tuple[int, int]]) -> bytes:
        """The journal's bytes in each of *ranges* (start, end), joined."""
        if not ranges:
            return b""
        try:
            with open(self.journal_path, "rb") as handle:
                parts = []
                for start, end in ranges:
                    handle.seek(start)
                    parts.append(handle.read(end - start))
                return b"".join(parts)
        except OSError as exc:
            raise StoreError(_("cannot read the journal {journal}: {reason}")
                             .format(journal=self.journal_path, reason=os_reason(exc))) \
                from None

    @property
    def index_path(self) -> str:
        return self.journal_path + ".idx"

    def index_read(self) -> bytes | None:
        try:
            with open(self.index_path, "rb") as handle:
                return handle.read()
        except OSError:
            return None

    def index_write(self, data: bytes) -> None:
        """Replace the index; it is derived, so a failure is left for the next writer."""
        with contextlib.suppress(OSError):
            fileio.replace_quietly(self.index_path, data, mode_of=self.journal_path)

    def index_remove(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.index_path)

    def journal_truncate(self, size: int) -> None:
        with open(self.journal_path, "r+b") as handle:
            handle.truncate(size)
            handle.flush()
            os.fsync(handle.fileno())

    @contextlib.contextmanager
    def locked(self, timeout: float) -> Iterator[None]:
        """The write lock; a first command that fails leaves no folder or lock file behind."""
        folder = os.path.dirname(os.path.abspath(self.path))
        created = _first_missing(folder)
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError as exc:
            raise StoreError(_("cannot create the folder {folder} for database {path}: {reason}")
                             .format(folder=folder, path=self.path,
                                     reason=os_reason(exc))) from None

        def nothing_written() -> bool:
            return not os.path.exists(self.path)

        try:
            with fileio.exclusive_lock(self.path + ".lock", timeout, discard=nothing_written):
                fileio.remove_leftovers(self.path)
                yield
        finally:
            if created is not None and nothing_written():
                _remove_empty(folder, up_to=created)


# --- the repository over the document file ---------------------------------------------


class DocumentRepository(Repository):
    """Plans and items held as TinyDB documents, indexed in memory for one command."""

    def __init__(self, storage: JSONFileStorage, *, writable: bool,
                 salvage: bool = False) -> None:
        self.storage = storage
        self.location = storage.path
        self.writable = writable
        self._pending: list[dict[str, Any]] = []
        # kept files to write at commit: their bytes, or the path of a temp copy of them
        self._files: dict[str, bytes | str] = {}
        self._journal: list[dict[str, Any]] | None = None
        self._journal_index: JournalIndex | bool | None = None  # False: none valid
        self._dirty = False
        self.migrated_from: int | None = None
        parts = storage.read_parts()
        self.exists = parts is not None
        self._meta, self._plans, self._items = self._load(*(parts or (None, {})))
        # With *salvage* (``tracker repair``): what of the journal could not be read.
        self.lost: dict[str, Any] | None = None
        if salvage:
            self._salvage()
        elif writable:
            self._trim_journal()
        if self.migrated_from is not None and self.migrated_from < 4 and self.lost is None:
            self._derive_control()

    def _derive_control(self) -> None:
        """Rows of an older schema get their original deadlines, moves and status days from
        the journal, folded as ``report --as-of`` folds it: what was there all along."""
        from tracker.history import FOREVER, items_as_of

        for plan_id, rows in self._items.items():
            if not rows.rows:
                continue
            rows.changed()
            states = {i.ref: i for i in items_as_of(self.events(plan=plan_id), plan_id,
                                                    FOREVER)}
            for row in rows.rows:
                state = states.get(row[0])
                if state is not None:
                    row[_DERIVED] = [state[key] for key in DERIVED_KEYS]

    # loading ------------------------------------------------------------------------------

    def _load(
        self, data: dict[str, Any] | None, spans: dict[str, tuple[bytes, int, int, Any]]
    ) -> tuple[dict[str, Any], dict[str, dict[str, Any]], dict[str, _PlanItems]]:
        if data is None:
            meta = {"schema_version": SCHEMA_VERSION, "last_seq": 0, "last_step": 0,
                    "journal_size": 0}
            return meta, {}, {}
        tables = {}
        for name in TABLES:
            table = data.get(name, {})
            if not isinstance(table, dict):
                raise self.storage.damaged(_("its {name} table is not a table of documents")
                                           .format(name=repr(name)))
            tables[name] = table
        metas = list(tables["meta"].values())
        if len(metas) != 1 or not isinstance(metas[0], dict) \
                or not isinstance(metas[0].get("schema_version"), int):
            raise self.storage.damaged(_("it has no schema version"))
        meta = metas[0]
        version = meta["schema_version"]
        if version > SCHEMA_VERSION:
            raise StoreError(
                _("database {location} was written by a newer tracker (schema {version}); this "
                  "one reads schema {known} and older. It was left untouched.")
                .format(location=self.location, version=version, known=SCHEMA_VERSION),
                _("Upgrade tracker to use it."),
            )
        plans: dict[str, dict[str, Any]] = {}
        for doc in tables["plans"].values():
            if not isinstance(doc, dict) or type(doc.get("id")) is not str \
                    or type(doc.get("title")) is not str:
                raise self.storage.damaged(_("a plan has no id or title"))
            plans[doc["id"]] = doc
        items = {plan_id: _PlanItems(self.storage, []) for plan_id in plans}
        if version < SCHEMA_VERSION:
            self.migrated_from = version
        try:
            if spans:
                for plan_id, (raw, start, end, sums) in spans.items():
                    if plan_id in items:
                        items[plan_id] = _PlanItems(self.storage, (raw, start, end), sums)
            elif version == 1:
                for doc in tables["items"].values():
                    items[doc["plan"]].rows.append(_row(doc))
            else:
                for doc in tables["items"].values():
                    if type(doc["rows"]) is not (str if version < 5 else list):
                        raise TypeError
                    items[doc["plan"]] = _PlanItems(self.storage, doc["rows"], doc.get("sums"),
                                                    legacy=version < 4)
        except (KeyError, TypeError, AttributeError):
            raise self.storage.damaged(_("an item has no ref or belongs to no plan")) from None
        return meta, plans, items

    def _trim_journal(self) -> None:
        """Cut journal lines a crashed writer appended without replacing the item file."""
        expected = self._meta.get("journal_size", 0)
        actual = self.storage.journal_size()
        if not self.exists and actual:
            raise StoreError(
                _("database {location} is missing, but its journal {location}.journal is there "
                  "({actual} bytes); nothing was changed")
                .format(location=self.location, actual=grouped(actual)),
                _("Put the database file back beside it, or run 'tracker repair' to rebuild "
                  "the database from the journal."),
            )
        if actual > expected:
            self.storage.journal_truncate(expected)
        elif actual < expected:
            raise self._journal_lost(actual, expected)

    def _salvage(self) -> None:
        """For ``tracker repair``: read what can be read of the journal and say what is lost.

        Keeps every line that is a whole event, in order; ``lost`` describes the rest:
        ``missing`` (no journal), ``short`` (bytes the database expects are gone),
        ``damaged`` (lines that are not events), ``database`` (no item file: it is rebuilt
        from the journal). ``lost`` stays None when there is nothing to repair.
        """
        expected = self._meta.get("journal_size", 0) if self.exists else None
        exists = self.storage.journal_exists()
        raw = self.storage.journal_read(self.storage.journal_size()) if exists else b""
        self._original_journal = raw if exists else None
        if expected is not None:
            raw = raw[:expected]  # lines past it are a crashed writer's: not history
        kept, damaged = [], 0
        for line in raw.splitlines():
            if not line.strip():
                continue
            event = _try_loads(line)
            if _is_event(event):
                kept.append(event)
            else:
                damaged += 1
        lost: dict[str, Any] = {}
        if not self.exists and kept:
            lost["database"] = True
        if expected and not exists:
            lost["missing"] = expected
        elif expected is not None and len(raw) < expected:
            lost["short"] = expected - len(raw)
        if damaged:
            lost["damaged"] = damaged
        self._journal = kept
        self.lost = lost or None

    def _journal_lost(self, actual: int, expected: int) -> StoreError:
        """The one error for a journal that is missing or cut short."""
        journal = f"{self.location}.journal"
        what = (_("the journal {journal} is missing").format(journal=journal)
                if not self.storage.journal_exists() else
                _("the journal {journal} is shorter ({actual} bytes) than database {location} "
                  "expects").format(journal=journal, actual=grouped(actual),
                                    location=self.location))
        return StoreError(
            _("{what}: the database's history ({expected} bytes) is not there; nothing was "
              "changed").format(what=what, expected=grouped(expected)),
            _("Move the journal back beside the database (a database is all its files: see "
              "'tracker info', or use 'tracker copy'), or run 'tracker repair' to go on "
              "without the lost history."),
        )

    # reads --------------------------------------------------------------------------------

    def plans(self) -> list[Plan]:
        return [Plan.from_dict(doc) for doc in self._plans.values()]

    def get_plan(self, plan_id: str) -> Plan | None:
        doc = self._plans.get(plan_id)
        return None if doc is None else Plan.from_dict(doc)

    def items(self, plan_id: str | None = None) -> list[Item]:
        chosen = [plan_id] if plan_id is not None else list(self._items)
        from_row = Item.from_row
        # A reader keeps no parsed rows: a report of every plan holds one plan at a time.
        keep = self.writable
        return [from_row(pid, row) for pid in chosen if pid in self._items
                for row in self._items[pid].all_rows(keep)]

    def status_sums(self, plan_id: str) -> StatusSums:
        group = self._items.get(plan_id)
        return group.sums() if group is not None else {}

    def get_item(self, plan_id: str, ref: str) -> Item | None:
        group = self._items.get(plan_id)
        row = group.by_ref().get(ref) if group is not None else None
        return None if row is None else Item.from_row(plan_id, row)

    def refs(self, plan_id: str) -> list[str]:
        group = self._items.get(plan_id)
        return [row[0] for row in group.all_rows(self.writable)] if group is not None else []

    def events(self, *, plan: str | None = None, item: str | None = None,
               actions: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
        # Parse only the lines that can match: ids and actions are slugs, written verbatim
        # as "id":"<id>" and "action":"<action>" (a false hit is filtered out below; none
        # is missed).
        kinds = None if actions is None else [f'"action":"{a}"'.encode() for a in actions]
        if self._journal is None and (plan is not None or item is not None):
            needles = [f'"id":"{item}"'] if item is not None else [f'"id":"{plan}"',
                                                                    f'"id":"{plan}:']
            owner = plan if plan is not None else str(item).partition(":")[0]
            found = self._read_plan_journal(owner, [n.encode() for n in needles], kinds)
        elif self._journal is None and kinds is not None:
            found = self._read_journal(kinds)
        else:
            if self._journal is None:
                self._journal = self._read_journal()
            found = self._journal
        events = [e for e in found if matches(e, plan, item, actions)]
        events.extend(e for e in self._pending if matches(e, plan, item, actions))
        return events

    def plan_events(self, plan_ids: list[str]) -> Iterator[list[dict[str, Any]]]:
        if self._journal is not None:  # parsed whole already
            yield from super().plan_events(plan_ids)
            return
        if self._index() is None and len(plan_ids) > 1:
            # No index to trust: one pass over the journal indexes it in memory, so that
            # the plans' histories are still parsed one at a time (parsing it whole holds
            # some ten times its size).
            size = self._meta.get("journal_size", 0)
            if (actual := self.storage.journal_size()) < size:
                raise self._journal_lost(actual, size)
            self._journal_index = JournalIndex.build(self.storage, size)
        for plan_id in plan_ids:  # each plan's byte ranges: the journal read once in all
            yield self.events(plan=plan_id)

    def _index(self) -> JournalIndex | None:
        """The journal's index, valid for the journal this database records (extended in
        memory over lines appended since it was written), or None."""
        if self._journal_index is None:
            size = self._meta.get("journal_size", 0)
            self._journal_index = JournalIndex.load(self.storage, size) or False
        index = self._journal_index
        return index if isinstance(index, JournalIndex) else None

    def _read_plan_journal(self, plan: str, needles: list[bytes],
                           kinds: list[bytes] | None = None) -> list[dict[str, Any]]:
        """One plan's events (those holding one of *needles*, and of *kinds* when given),
        read from the byte ranges the index gives: what it costs follows that plan's
        history, not the journal's."""
        index = self._index()
        if index is None and self._journal_index is False:
            # No index to trust: one pass over the journal indexes it in memory (the next
            # write saves it), so that a damaged line of another plan is not this read's.
            size = self._meta.get("journal_size", 0)
            if size and (actual := self.storage.journal_size()) < size:
                raise self._journal_lost(actual, size)
            self._journal_index = index = JournalIndex.build(self.storage, size)
        if index is None:
            return self._read_journal(kinds or needles)
        raw = self.storage.journal_ranges(index.ranges(plan))
        ours = raw.count(f'"id":"{plan}"'.encode()) + raw.count(f'"id":"{plan}:'.encode())
        if ours != raw.count(b"\n") + (not raw.endswith(b"\n") and bool(raw)):
            # Lines that are not the plan's (an index that does not describe this journal
            # after all), or a damaged one: the full read answers, and names a damaged line.
            self._journal_index = False
            return self._read_journal(kinds or needles)
        if not _well_formed(raw):  # a damaged line of the plan's own: the full read names it
            return self._read_journal(kinds or needles)
        lines = [line for needle in (kinds or needles) for line in _lines_with(raw, needle)]
        return self._parse_lines(lines, sort=len(kinds or needles) > 1)

    def _read_journal(self, needles: list[bytes] | None = None) -> list[dict[str, Any]]:
        """The journal up to the length the item file records (only the lines holding
        one of *needles*, when given), parsed in one go, in recorded order."""
        size = self._meta.get("journal_size", 0)
        if size and (actual := self.storage.journal_size()) < size:
            raise self._journal_lost(actual, size)
        if needles is None:
            raw = self.storage.journal_read(size)
            lines = [line for line in raw.splitlines() if line.strip()]
        else:  # read block by block, keeping only the matching lines
            lines = []
            for block in self.storage.journal_blocks(size):
                if not _well_formed(block):  # parse it all: that names the damaged line
                    return [e for e in self._read_journal() if any(
                        needle in jsonio.dumps(e) for needle in needles)]
                for needle in needles:
                    lines.extend(_lines_with(block, needle))
        return self._parse_lines(lines, sort=needles is not None and len(needles) > 1)

    def _parse_lines(self, lines: list[bytes], sort: bool) -> list[dict[str, Any]]:
        """Journal lines parsed in one go (in recorded order with *sort*); a line that is
        not an event names its line number in the journal."""
        if sort:  # found by several needles: a line may hold two (an event's details can
            lines = list(dict.fromkeys(lines))  # name an item of its plan), kept once
        size = self._meta.get("journal_size", 0)
        try:
            events = jsonio.loads(b"[" + b",".join(lines) + b"]")
        except jsonio.DecodeError:
            events = None
        if events is None or not all(_is_event(e) for e in events):
            raw = self.storage.journal_read(size)
            number = next(n for n, line in enumerate(raw.splitlines(), 1)
                          if line.strip() and not _is_event(_try_loads(line)))
            raise StoreError(
                _("the journal {location}.journal is damaged at line {number}; it was left "
                  "untouched").format(location=self.location, number=number),
                _("Restore it from your own backup, or run 'tracker repair' to keep its "
                  "readable events and go on ('restore --from-backup' does not touch it)."),
            )
        if sort:
            events.sort(key=lambda e: e["seq"])
        return list(events)

    def last_seq(self) -> int:
        return int(self._meta.get("last_seq", 0))

    def last_step(self) -> int:
        return int(self._meta.get("last_step", 0))

    def info(self) -> dict[str, Any]:
        return {
            "database": self.location,
            "schema_version": self._meta["schema_version"],
            "plans": len(self._plans),
            "items": sum(len(group) for group in self._items.values()),
            "events": self.last_seq(),
            "steps": self.last_step(),
        }

    # writes -------------------------------------------------------------------------------

    def _writing(self) -> None:
        if not self.writable:
            raise RuntimeError("this repository was opened for reading only")
        self._dirty = True

    def put_plan(self, plan: Plan) -> None:
        self._writing()
        self._plans[plan.id] = plan.to_dict()
        self._items.setdefault(plan.id, _PlanItems(self.storage, []))

    def delete_plan(self, plan_id: str) -> None:
        self._writing()
        self._plans.pop(plan_id, None)
        self._items.pop(plan_id, None)

    def put_item(self, item: Item) -> None:
        self._writing()
        if item.plan not in self._plans:
            raise KeyError(f"no plan {item.plan!r} for item {item.id}")
        self._items[item.plan].by_ref()[item.ref] = item.to_row()

    def delete_item(self, plan_id: str, ref: str) -> None:
        self._writing()
        group = self._items.get(plan_id)
        if group is not None:
            group.by_ref().pop(ref, None)

    def append_events(self, events: list[dict[str, Any]]) -> None:
        self._writing()
        for event in events:
            self._meta["last_seq"] = max(self.last_seq(), event["seq"])
            self._meta["last_step"] = max(self.last_step(), event["step"])
        # (in the order tracker writes an event's keys, whatever wrote it: a filtered read
        # finds a line by its outline, `{"seq":` … `"id":"…"`; 'copy' brings a server's)
        self._pending.extend(_in_order(event) for event in events)

    def commit(self) -> bool:
        if not self._dirty:
            return False
        before = self._meta.get("journal_size", 0)
        index = None if self.lost is not None else self._index()
        appended = b""
        written = self.storage.files_write(self._files)  # before what refers to them
        if self.lost is not None:  # tracker repair: a new journal (the old one kept aside)
            events = [*(self._journal or []), *self._pending]
            data = b"".join(jsonio.dumps(event) + b"\n" for event in events)
            self.storage.index_remove()
            self.storage.journal_replace(data)
            self._meta["journal_size"] = len(data)
            index, before, appended = JournalIndex.empty(), 0, data
        elif self._pending:
            appended = b"".join(jsonio.dumps(event) + b"\n" for event in self._pending)
            try:
                self._meta["journal_size"] = self.storage.journal_append(appended)
            except BaseException:
                self.storage.files_remove(written)
                raise
        try:
            if self.migrated_from is not None:
                self.storage.keep_copy(f".schema-{self.migrated_from}.bak")
            self._meta["schema_version"] = SCHEMA_VERSION
            self._meta["item_fields"] = list(ROW_KEYS)
            self.storage.write_bytes(_document(self._meta, self._plans, self._items))
        except BaseException:
            # The item file was not replaced: cut the journal back to what it records, so
            # a failed (or interrupted) command leaves every file as it was.
            self._meta["journal_size"] = before
            with contextlib.suppress(OSError):
                if self.lost is None:
                    self.storage.journal_truncate(before)
                elif self._original_journal is not None:
                    self.storage.journal_replace(self._original_journal)
            self.storage.files_remove(written)
            raise
        self._pending, self._files = [], {}
        self._dirty = False
        self._save_index(index, before, appended)
        return True

    def _save_index(self, index: JournalIndex | None, before: int, appended: bytes) -> None:
        """After a commit: the index over the whole journal, written for the next reader
        (built from the journal once when there was none valid)."""
        size = self._meta.get("journal_size", 0)
        if not size:
            return
        try:
            if index is None:
                index = JournalIndex.build(self.storage, before)
            if index.size != before:  # extended in memory over lines it had not seen yet
                index.add(self.storage.journal_ranges([(index.size, before)]), index.size)
            index.add(appended, before)
            self._journal_index = index
            self.storage.index_write(index.dumps(self.storage))
        except (OSError, StoreError, KeyboardInterrupt):
            # The change is committed: an index left stale is ignored and rebuilt by the
            # next writer, so its upkeep never turns a done command into a failed one.
            self._journal_index = False


    def discard(self) -> None:
        self._drop_copies()
        self._pending, self._files = [], {}
        self._dirty = False

    def _drop_copies(self) -> None:
        """The temp copies of files that were to be kept, now not (see put_file_from)."""
        for pending in self._files.values():
            if isinstance(pending, str):
                with contextlib.suppress(OSError):
                    os.unlink(pending)

    # files kept with the database ---------------------------------------------------------

    def put_file(self, data: bytes) -> str:
        sha = file_digest(data)
        if sha not in self._files and not self.storage.file_intact(sha):
            self._writing()
            self._files[sha] = bytes(data)
        return sha

    def put_file_from(self, path: str, limit: int) -> tuple[str, int]:
        # Copied by the kernel into a temp file beside the database, then named by the
        # SHA-256 of the copy itself (what is kept is what was hashed, even if the original
        # changes meanwhile); commit renames it into the folder with the other files.
        copy, size = fileio.copy_at_most(path, self.location, limit)
        try:
            sha = fileio.file_sha256(copy)
        except BaseException:
            os.unlink(copy)
            raise
        if sha in self._files or self.storage.file_intact(sha):
            os.unlink(copy)
        else:
            self._writing()
            self._files[sha] = copy
        return sha, size

    def get_file(self, sha256: str) -> bytes:
        found: bytes | str | None = self._files.get(sha256)
        if isinstance(found, str):  # a copy not yet committed
            with open(found, "rb") as handle:
                found = handle.read()
        if found is None and _SHA256.fullmatch(sha256):
            found = self.storage.file_read(sha256)
        return checked_file(sha256, found, self.location)

    def file_names(self) -> list[str]:
        return sorted({*self.storage.file_names(), *self._files})

    def keep_journal_aside(self, stamp: str) -> str | None:
        """``tracker repair``: the journal as it was, kept as ``<journal>.broken-<stamp>``."""
        original = getattr(self, "_original_journal", None)
        if original is None:
            return None
        aside = f"{self.storage.journal_path}.broken-{stamp}"
        fileio.atomic_write(aside, original)
        return aside


class JournalIndex:
    """Where each plan's events lie in the journal: byte ranges, derived from it.

    Kept in ``<db>.journal.idx`` so that ``show``, ``log PLAN``, ``report PLAN --as-of`` and
    ``trend PLAN`` read that plan's lines only. It is never the record: it says how much of
    the journal it covers and a checksum of the bytes ending there, and an index that does
    not match the journal (a restored backup, a repair, a damaged or foreign file) is
    ignored, then rebuilt by the next writer. Lines appended since it was written are
    indexed in memory on reading.
    """

    FORMAT = 2  # 2: lines that are not events are kept under DAMAGED
    TAIL = 4096  # bytes before the covered end that the checksum reads
    DAMAGED = ""  # the key of lines that are not events (no plan id is empty)

    __slots__ = ("size", "spans")

    def __init__(self, size: int, spans: dict[str, list[int]]) -> None:
        self.size = size
        self.spans = spans  # plan → [start, end, start, end, …], in journal order

    @classmethod
    def empty(cls) -> JournalIndex:
        return cls(0, {})

    @classmethod
    def load(cls, storage: JSONFileStorage, committed: int) -> JournalIndex | None:
        """The index on disk if it describes this journal, extended over the lines up to
        *committed*; None if there is none, or it does not match."""
        raw = storage.index_read()
        if raw is None or storage.journal_size() < committed:  # a lost journal: say so
            return None
        try:
            doc = jsonio.loads(raw)
            size, tail, spans = doc["size"], doc["tail"], doc["spans"]
            valid = (doc.get("format") == cls.FORMAT and type(size) is int
                     and 0 < size <= committed and type(spans) is dict
                     and doc.get("check") == _spans_check(spans))
        except (jsonio.DecodeError, KeyError, TypeError, AttributeError):
            return None
        if not valid or tail != _crc(storage, size):
            return None
        index = cls(size, spans)
        if size < committed:
            index.add(storage.journal_ranges([(size, committed)]), size)
        return index

    @classmethod
    def build(cls, storage: JSONFileStorage, size: int) -> JournalIndex:
        index = cls.empty()
        for block in storage.journal_blocks(size):
            index.add(block, index.size)
        return index

    def add(self, data: bytes, start: int) -> None:
        """Index the lines of *data*, which begin at byte *start* of the journal."""
        position = 0
        spans = self.spans
        while position < len(data):
            end = data.find(b"\n", position)
            end = len(data) if end == -1 else end + 1
            found = data.find(b'"id":"', position, end)
            last = data[end - 2:end - 1] if data[end - 1:end] == b"\n" else data[end - 1:end]
            if found == -1 or last != b"}" or not data.startswith(b'{"seq":', position):
                if not data[position:end].strip():  # a blank line is no line
                    position = end
                    continue
                plan = self.DAMAGED  # not an event: every plan's reads include it
            else:
                found += 6
                stop = data.find(b'"', found, end)
                plan = data[found:stop].split(b":", 1)[0].decode("utf-8", "replace")
            at = spans.setdefault(plan, [])
            if at and at[-1] == start + position:  # continues this plan's last span
                at[-1] = start + end
            else:
                at.extend((start + position, start + end))
            position = end
        self.size = start + len(data)

    def ranges(self, plan: str) -> list[tuple[int, int]]:
        """The plan's byte ranges, with those of any line that is not an event (so that a
        read of the plan meets it, and names it), in journal order."""
        found = self.spans.get(plan, [])
        spans = list(zip(found[::2], found[1::2], strict=True))
        if damaged := self.spans.get(self.DAMAGED):
            spans = sorted(spans + list(zip(damaged[::2], damaged[1::2], strict=True)))
        return spans

    def dumps(self, storage: JSONFileStorage) -> bytes:
        return jsonio.dumps({"format": self.FORMAT, "size": self.size,
                             "tail": _crc(storage, self.size), "check": _spans_check(self.spans),
                             "spans": self.spans})


def _spans_check(spans: dict[str, list[int]]) -> int:
    """A checksum of the spans themselves: an index edited or cut short is not used."""
    import zlib

    return zlib.crc32(jsonio.dumps(spans))


def _crc(storage: JSONFileStorage, size: int) -> int | None:
    """The checksum of the journal's bytes just before *size* (None if it is shorter)."""
    import zlib

    start = max(0, size - JournalIndex.TAIL)
    data = storage.journal_ranges([(start, size)])
    return zlib.crc32(data) if len(data) == size - start else None


ROW_WIDTH = len(ROW_KEYS)
_first = itemgetter(0)
_STATUS = ROW_KEYS.index("status")
_WEIGHT = ROW_KEYS.index("weight")
_DERIVED = slice(ROW_KEYS.index(DERIVED_KEYS[0]), ROW_KEYS.index(DERIVED_KEYS[-1]) + 1)
_DUE = ROW_KEYS.index("due")
_UPDATED = ROW_KEYS.index("updated")


def _sums_shape(sums: Any) -> bool:
    """Whether stored sums look like ``status_sums`` (else they are counted again)."""
    return type(sums) is dict and all(
        type(v) is list and len(v) == 4 and all(type(n) in (int, float) for n in v)
        for v in sums.values())


class _PlanItems:
    """One plan's items: stored as the JSON of their rows, parsed on first use.

    A command parses only the plans it touches (at 50,000 items, a report of one plan
    parses 1/50 of them) and a write re-serialises only the plans it changed: the rows of
    the others are written back as the bytes that were read.
    """

    __slots__ = ("storage", "_text", "_span", "_rows", "_by_ref", "_sums", "legacy")

    def __init__(self, storage: JSONFileStorage,
                 content: str | tuple[bytes, int, int] | list[list[Any]],
                 sums: Any = None, legacy: bool = False) -> None:
        self.storage = storage
        self.legacy = legacy  # rows of schema 2 or 3: without the derived fields
        # As read: the JSON text inside a schema-4 document, or the span of a schema-5 file.
        self._text = content if isinstance(content, str) else None
        self._span = content if isinstance(content, tuple) else None
        self._rows = content if isinstance(content, list) else None
        self._by_ref: dict[str, list[Any]] | None = None
        self._sums: StatusSums | None = sums if _sums_shape(sums) else None

    def sums(self) -> StatusSums:
        """The rows summed up by status: as stored beside them, or counted (and then
        stored on the next write); rows being changed are counted each time."""
        if self._by_ref is not None:
            return status_sums((row[_STATUS], row[_WEIGHT]) for row in self._by_ref.values())
        if self._sums is None:
            self._sums = status_sums((row[_STATUS], row[_WEIGHT])
                                     for row in self.all_rows(keep=False))
        return self._sums

    @property
    def rows(self) -> list[list[Any]]:
        if self._rows is None:
            self._rows = self._parse()
        return self._rows

    def _stored(self) -> bytes | None:
        """The rows' JSON as read, unless they were changed since."""
        if self._span is not None:
            raw, start, end = self._span
            return raw[start:end]
        return None if self._text is None else self._text.encode()

    def _parse(self) -> list[list[Any]]:
        stored = self._stored()
        assert stored is not None
        self.storage.parsed += len(stored)
        try:
            rows = jsonio.loads(stored, large=self.storage.parsed > jsonio.LARGE)
        except jsonio.DecodeError:
            rows = None
        # Checked with C-level maps: every row a list of ROW_WIDTH values, refs strings.
        width = LEGACY_ROW_WIDTH if self.legacy else ROW_WIDTH
        if type(rows) is not list or not (
            set(map(type, rows)) <= {list}
            and set(map(len, rows)) <= {width}
            and set(map(type, map(_first, rows))) <= {str}
        ):
            raise self.storage.damaged(_("a plan's item rows are not readable"))
        if self.legacy:  # until the journal says otherwise (``_derive_control``)
            for row in rows:
                row.extend((row[_DUE], [], row[_UPDATED]))
            self.legacy = False
        return rows

    def changed(self) -> None:
        """The rows were changed in place: serialise them again on commit."""
        self._text = self._span = None

    def by_ref(self) -> dict[str, list[Any]]:
        """The rows by ref (from then on the rows' source of truth, in the same order)."""
        if self._by_ref is None:
            self._by_ref = {row[0]: row for row in self.rows}
            self._text = self._span = None  # about to change: serialise again on commit
            self._sums = None  # and sum up again
        return self._by_ref

    def all_rows(self, keep: bool = True) -> list[list[Any]]:
        """Every row; without *keep*, rows not parsed yet are parsed and not held."""
        if self._by_ref is not None:
            return list(self._by_ref.values())
        if self._rows is None and not keep:
            return self._parse()
        return self.rows

    def data(self) -> bytes:
        """The rows' JSON as they are to be written: the bytes read, unless changed."""
        stored = self._stored()
        if stored is None:
            rows = self.all_rows()
            stored = jsonio.dumps(rows, large=len(rows) > 1000)
        return stored

    def __len__(self) -> int:
        if self._by_ref is not None:
            return len(self._by_ref)
        return len(self.all_rows(keep=False))


LAYOUT_KEY = b',"layout":'


def _document(meta: dict[str, Any], plans: dict[str, dict[str, Any]],
              items: dict[str, _PlanItems]) -> bytes:
    """The database file of schema 5: a TinyDB document whose last key, ``layout``, says
    where each plan's rows lie, so that a reader parses only the plans it reads::

        {"meta":{...},"plans":{...},"items":{"1":{"plan":ID,"sums":{...},"rows":[...]},...},
         "layout":{"head":H,"items":{ID:[START,END,SUMS],...},"size":SIZE}}

    ``head`` is where ``,"items":`` begins, ``size`` the length of the whole file."""
    large = sum(len(group) for group in items.values()) > 1000
    head = jsonio.dumps({"meta": {"1": meta},
                         "plans": {str(n): doc for n, doc in enumerate(plans.values(), 1)}},
                        large)[:-1]
    parts = [head, b',"items":{']
    at = len(head) + len(parts[1])
    spans: dict[str, list[Any]] = {}
    for n, plan_id in enumerate(plans, 1):
        group = items[plan_id]
        sums = group.sums()
        prefix = b'%s"%d":{"plan":%s,"sums":%s,"rows":' % (
            b"," if n > 1 else b"", n, jsonio.dumps(plan_id), jsonio.dumps(sums))
        rows = group.data()
        spans[plan_id] = [at + len(prefix), at + len(prefix) + len(rows), sums]
        parts += [prefix, rows, b"}"]
        at += len(prefix) + len(rows) + 1
    parts.append(b"}")
    at += 1
    layout: dict[str, Any] = {"head": len(head), "items": spans, "size": 0}
    while True:  # the size is written into the layout whose length it counts
        tail = jsonio.dumps(layout, large)
        size = at + len(LAYOUT_KEY) + len(tail) + 1
        if layout["size"] == size:
            break
        layout["size"] = size
    return b"".join([*parts, LAYOUT_KEY, tail, b"}"])


def _split(raw: bytes) -> tuple[dict[str, Any], dict[str, tuple[bytes, int, int, Any]]] | None:
    """A schema-5 file read by its layout: the meta and plans parsed, each plan's rows
    as a span of *raw*; None when the file has no layout that fits it exactly (then it
    is parsed whole, and whatever is wrong with it is said from there)."""
    at = raw.rfind(LAYOUT_KEY)
    if at < 0 or raw[-1:] != b"}":
        return None
    try:
        layout = jsonio.loads(raw[at + len(LAYOUT_KEY):-1])
        head_end, spans = layout["head"], layout["items"]
        if layout["size"] != len(raw) or type(head_end) is not int or type(spans) is not dict \
                or raw[head_end:head_end + 10] != b',"items":{':
            return None
        document = jsonio.loads(raw[:head_end] + b"}")
        plans = document["plans"].values()
        if {doc["id"] for doc in plans} != set(spans):
            return None
        parts = {}
        for plan_id, (start, end, sums) in spans.items():
            if not (type(start) is int and type(end) is int and head_end < start < end <= at
                    and raw[start] == 0x5B and raw[end - 1] == 0x5D):  # [ … ]
                return None
            parts[plan_id] = (raw, start, end, sums)
    except (jsonio.DecodeError, KeyError, TypeError, ValueError, AttributeError):
        return None
    return document, parts


def _well_formed(block: bytes) -> bool:
    """Whether every line of *block* has an event's outline (``{"seq":`` … ``}``).

    Counted in C, so a read filtered by plan or item still notices a damaged line it would
    otherwise skip, and falls back to a full parse that names it.
    """
    if not block:
        return True
    lines = block.count(b"\n") + (not block.endswith(b"\n"))
    starts = block.count(b'\n{"seq":') + block.startswith(b'{"seq":')
    ends = block.count(b"}\n") + block.endswith(b"}")
    return starts == ends == lines


def _in_order(event: dict[str, Any]) -> dict[str, Any]:
    """*event* with its keys in the order tracker writes them (a server's journal keeps the
    order of whoever wrote the event: psql's jsonb_build_object sorts them)."""
    if list(event)[:len(EVENT_KEYS)] == list(EVENT_KEYS):
        return event
    return {key: event[key] for key in EVENT_KEYS if key in event} | event


def _remove_empty(folder: str, up_to: str) -> None:
    """Remove *folder* and its parents up to *up_to*, as long as they are empty."""
    while True:
        try:
            os.rmdir(folder)
        except OSError:
            return
        if folder == up_to:
            return
        folder = os.path.dirname(folder)


def _first_missing(folder: str) -> str | None:
    """The outermost folder on the way to *folder* that does not exist yet, if any."""
    missing = None
    while not os.path.isdir(folder):
        missing = folder
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    return missing


def _lines_with(raw: bytes, needle: bytes) -> list[bytes]:
    """The lines of *raw* that contain *needle*; only those are copied out."""
    lines = []
    position = raw.find(needle)
    while position != -1:
        start = raw.rfind(b"\n", 0, position) + 1
        end = raw.find(b"\n", position)
        end = len(raw) if end == -1 else end
        lines.append(raw[start:end])
        position = raw.find(needle, end)
    return lines


def _row(doc: dict[str, Any]) -> list[Any]:
    """A schema-1 item document as a schema-2 row."""
    return Item.from_dict(doc).to_row()


def _is_event(event: Any) -> bool:
    """Whether *event* has an event's keys with values of their types (written out: it is
    checked for every line a command reads)."""
    try:
        return (type(event["seq"]) is int and type(event["step"]) is int
                and type(event["id"]) is str and type(event["action"]) is str
                and type(event["effective"]) is str and type(event["changes"]) is dict)
    except (KeyError, TypeError, IndexError):
        return False


def _try_loads(line: bytes) -> Any:
    try:
        return jsonio.loads(line)
    except jsonio.DecodeError:
        return None


# --- the files of a database ------------------------------------------------------------

# A database file's companions, named after it: together they are the database.
_SHA256 = re.compile(r"[0-9a-f]{64}")
COMPANIONS = re.compile(
    r"\.(journal|journal\.idx|bak|lock|schema-[0-9]+\.bak|broken-.+|journal\.broken-.+)\Z"
    r"|\.tmp-"
)


def database_files(path: str) -> list[str]:
    """The files that make up the database at *path*, as they are now: the database, its
    journal, backups and lock (``info`` lists them; a copy needs them all)."""
    folder = os.path.dirname(os.path.abspath(path))
    base = os.path.basename(path)
    found = [path] if os.path.exists(path) else []
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return found
    for name in names:
        if name.startswith(base + ".") and (COMPANIONS.match(name, len(base))
                                           or name == base + ".files"):
            found.append(os.path.join(os.path.dirname(path), name))
    return found


def is_database_file(location: str, candidate: str) -> bool:
    """Whether writing *candidate* would write over a file of the database at *location*:
    the database, its journal, ``.bak``, ``.lock``, ``.broken-*``…, also when reached by
    another path, a symlink or a hard link."""
    real_db = os.path.realpath(location)
    real = os.path.realpath(candidate)
    base = os.path.basename(real_db)
    if os.path.dirname(real) == real_db + ".files":  # a file kept with it
        return True
    if os.path.dirname(real) == os.path.dirname(real_db):
        name = os.path.basename(real)
        if name == base or (name.startswith(base + ".") and COMPANIONS.match(name, len(base))):
            return True
    try:
        target = os.stat(candidate)
    except OSError:
        return False
    for path in database_files(real_db):
        with contextlib.suppress(OSError):
            own = os.stat(path)
            if (own.st_dev, own.st_ino) == (target.st_dev, target.st_ino):
                return True
    return False


# --- opening ----------------------------------------------------------------------------


def open_reader(path: str) -> DocumentRepository:
    """The database file read once, without a lock, for a read-only command."""
    return DocumentRepository(JSONFileStorage(path), writable=False)


@contextlib.contextmanager
def open_repository(path: str, *, lock_timeout: float = 10.0,
                    salvage: bool = False) -> Iterator[DocumentRepository]:
    """Take the writers' lock, read once, yield, and write once if the block succeeds."""
    storage = JSONFileStorage(path)
    with storage.locked(lock_timeout):
        repo = DocumentRepository(storage, writable=True, salvage=salvage)
        try:
            yield repo
            repo.commit()
        except BaseException:
            repo.discard()  # (its temp copies of files to keep, too)
            raise


def restore_backup(path: str, stamp: str, lock_timeout: float) -> tuple[str | None, str | None]:
    """Put ``<path>.bak`` in place of *path*, keeping *path* as ``<path>.broken-<stamp>``.

    The backup is checked first: one that cannot be read either is refused, and nothing
    is moved. Returns the names the replaced file and the journal's events past the
    backup were kept under (None where there was nothing to keep).
    """
    storage = JSONFileStorage(path)
    backup = storage.backup_path
    with storage.locked(lock_timeout):
        try:
            with open(backup, "rb") as handle:
                data = handle.read()
        except FileNotFoundError:
            raise StoreError(_("there is no backup {backup} to restore; nothing was changed")
                             .format(backup=backup)) \
                from None
        try:
            previous = DocumentRepository(JSONFileStorage(backup), writable=False)
        except StoreError as exc:
            raise StoreError(_("the backup {backup} cannot be read either; nothing was changed "
                               "({reason})")
                             .format(backup=backup, reason=exc.message.split(": ", 1)[-1])) \
                from None
        kept = None
        if os.path.exists(path):
            kept = f"{path}.broken-{stamp}"
            with open(path, "rb") as handle:
                fileio.atomic_write(kept, handle.read())
        # The journal is append-only: its events past the backup's state are not cut away
        # unseen (the next write would), but kept aside beside the damaged file.
        recorded = previous._meta.get("journal_size", 0)
        aside = None
        if storage.journal_size() > recorded:
            with open(storage.journal_path, "rb") as handle:
                handle.seek(recorded)
                tail = handle.read()
            aside = f"{storage.journal_path}.broken-{stamp}"
            fileio.atomic_write(aside, tail)
        fileio.atomic_write(path, data)
        storage.index_remove()  # it describes the journal the replaced file recorded
        return kept, aside
