"""Evidence files kept with the measures (SPEC §15): what proves a measure was done — the
signed protocol, the published decision — as files, not one line of text.

``tracker attach ITEM FILE…`` keeps each file with the database, named by its SHA-256
(``Repository.put_file``: a folder beside a file database, a table on the server), and
records an ``attach`` event on the item naming it, its size and the note; ``detach``
records a ``detach`` event. Both are journal events, so ``undo`` takes either back, and
an item's attachments are what its live events leave. A file is read as bytes, never
opened, run or parsed.
"""

from __future__ import annotations

import os
import stat
import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from tracker.errors import InvalidValue, TrackerError
from tracker.i18n import _, file_size, os_reason

if TYPE_CHECKING:
    from tracker.domain import Item
    from tracker.store import Repository

ATTACHMENT_ACTIONS = ("attach", "detach", "undo")
DEFAULT_LIMIT = 50 * 1024 * 1024
_UNITS = {"": 1, "k": 1024, "kb": 1024, "m": 1024 ** 2, "mb": 1024 ** 2, "g": 1024 ** 3,
          "gb": 1024 ** 3}


def size_limit() -> int:
    """The largest file ``attach`` keeps: ``TRACKER_MAX_ATTACHMENT`` (bytes, or with K, M
    or G), 50 MB by default."""
    raw = os.environ.get("TRACKER_MAX_ATTACHMENT", "").strip()
    if not raw:
        return DEFAULT_LIMIT
    number = raw.rstrip("kKmMgGbB ")
    unit = raw[len(number):].strip().lower()
    if not number.isdigit() or unit not in _UNITS:
        raise InvalidValue(_("invalid TRACKER_MAX_ATTACHMENT {value!r}: give a size in bytes, "
                             "or with K, M or G (e.g. 50M)").format(value=raw))
    return int(number) * _UNITS[unit]


# Characters that reorder the text around them: a name holding one reads as another
# ('a\u202eb.pdf' shows as 'afdp.b').
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def check_name(name: str) -> str:
    """A kept file's name: not empty, no slash, no control character (nor one that turns
    the text around it), not '.' or '..'."""
    if not name or name in (".", "..") or "/" in name or "\\" in name \
            or any(unicodedata.category(c) == "Cc" or c in _BIDI for c in name):
        raise InvalidValue(_("invalid file name {name!r}: a name has no slash, no control "
                             "character, and is not empty").format(name=name))
    if len(name) > 255:
        raise InvalidValue(_("invalid file name: at most 255 characters, not {count}")
                           .format(count=len(name)))
    return name


def check_file(path: str, limit: int) -> None:
    """Refuse, before anything is read, what ``attach`` does not keep: a missing file, a
    directory, a FIFO, a device, a file over *limit* bytes."""
    try:
        found = os.stat(path)
    except OSError as exc:
        raise TrackerError(_("cannot read {path}: {reason}")
                           .format(path=path, reason=os_reason(exc))) from None
    if stat.S_ISDIR(found.st_mode):
        raise InvalidValue(_("{path} is a folder: attach the files in it one by one")
                           .format(path=path))
    if not stat.S_ISREG(found.st_mode):
        raise InvalidValue(_("{path} is not a regular file (a pipe, a socket or a device): "
                             "nothing was attached").format(path=path))
    if found.st_size > limit:
        raise InvalidValue(_("{path} is {size}, over the limit of {limit} "
                             "(TRACKER_MAX_ATTACHMENT)").format(
            path=path, size=file_size(found.st_size), limit=file_size(limit)))


def keep_file(repo: Repository, path: str, limit: int) -> tuple[str, int]:
    """Keep the file at *path* (checked by ``check_file``) with the database: its SHA-256
    and size. Refused if it grew past *limit* since, or cannot be read."""
    from tracker.fileio import OverLimit

    try:
        return repo.put_file_from(path, limit)
    except OverLimit:  # it grew while read
        raise InvalidValue(_("{path} is over the limit of {limit} "
                             "(TRACKER_MAX_ATTACHMENT)").format(path=path, limit=file_size(limit))
                           ) from None
    except OSError as exc:
        raise TrackerError(_("cannot read {path}: {reason}")
                           .format(path=path, reason=os_reason(exc))) from None


def attachments_of(events: Iterable[dict[str, Any]], as_of: str | None = None
                   ) -> dict[str, dict[str, Any]]:
    """Each item's attachments the live events leave: item id → name → the attach event's
    record (name, sha256, size, attached, note, actor), in the order attached; with
    *as_of*, those the events effective by that day leave (what a report as of the day
    lists, as it counts the statuses of that day)."""
    events = list(events)
    if not events:  # (a plain report of a plan without any loads no history)
        return {}
    from tracker.history import live_events

    found: dict[str, dict[str, Any]] = {}
    for event in sorted(live_events(events), key=lambda e: int(e["seq"])):
        if as_of is not None and event["effective"] > as_of:
            continue
        files = found.setdefault(str(event["id"]), {})
        if event["action"] == "attach":
            files[event["name"]] = {"name": event["name"], "sha256": event["sha256"],
                                    "size": event["size"], "attached": event["effective"],
                                    "note": event.get("note", ""), "actor": event["actor"]}
        elif event["action"] == "detach":
            files.pop(event["name"], None)
    return {item: files for item, files in found.items() if files}


def attachment_rows(files: dict[str, dict[str, Any]], items: Iterable[Item]
                    ) -> list[dict[str, Any]]:
    """The evidence files of *items* as a report lists them, in the items' order: id, name,
    size, attached and the measure's title."""
    return [{"id": item.id, "name": f["name"], "size": f["size"], "attached": f["attached"],
             "title": item.title} for item in items for f in files.get(item.id, {}).values()]
