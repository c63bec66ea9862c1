"""``tracker copy``: everything of one database (plans, items, the whole journal, the
files kept with it) into another, empty one, file or PostgreSQL, so a team can move
between the two."""

from __future__ import annotations

from tracker.errors import Conflict
from tracker.i18n import _, ngettext
from tracker.store import Repository, open_repository


def copy_database(source: Repository, target: str, lock_timeout: float) -> dict[str, int]:
    """Copy *source* into the empty database at *target* in one write; return the counts.

    The copy records no event of its own: the target's journal is the source's, so both
    give the same ``log`` and ``report --as-of``.
    """
    plans = source.plans()
    items = source.items()
    events = source.events()
    with open_repository(target, write=True, lock_timeout=lock_timeout) as repo:
        if repo.plans() or repo.last_seq() or repo.last_step():
            info = repo.info()
            raise Conflict(
                _("{location} is not empty ({plans}, {items}, {events}); nothing was copied")
                .format(location=repo.location,
                        plans=ngettext("{n} plan", "{n} plans", info["plans"])
                        .format(n=info["plans"]),
                        items=ngettext("{n} item", "{n} items", info["items"])
                        .format(n=info["items"]),
                        events=ngettext("{n} event", "{n} events", info["events"])
                        .format(n=info["events"])),
                _("Copy into a new file, or a database fresh from 'tracker db init'."),
            )
        repo.bulk_load(plans, items, events)
        for sha in source.file_names():
            repo.put_file(source.get_file(sha))
    return {"plans": len(plans), "items": len(items), "events": len(events)}
