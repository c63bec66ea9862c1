"""Control of execution (SPEC §13): deadlines moved as decisions, and on time or late.

Pure functions over item states (an ``Item`` or the fold's dict of the same keys). The
write side and the journal's fold (``history``) both call ``follow_due``, so a move is
counted the same way whether a command records it or a report rebuilds it as of a day.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, NamedTuple

from tracker.periods import due_end

DONE = frozenset({"fulfilled", "partial"})  # judged on time or late when they closed
DISCIPLINE_GROUPINGS = ("responsible", "owner", "area")  # the rows of ``tracker discipline``


class Move(NamedTuple):
    """What a command says of a change of deadline: why it was moved and on what basis, or
    that it corrects a typo (``--correct``: no move is counted)."""

    reason: str = ""
    basis: str = ""
    correct: bool = False


def follow_due(state: dict[str, Any], new: str | None, effective: str, *,
               correct: bool = False, reason: str = "", basis: str = "",
               actor: str = "") -> bool:
    """Set *state*'s deadline to *new* as a change effective on *effective*; return whether
    that is a move (перенос срока).

    The first deadline an item gets is its original one. Changing a deadline it has had is
    a move, kept in ``moves`` with its reason and basis; *correct* fixes a typo instead:
    the original (or, once moved, the last move's new deadline) is corrected, nothing is
    counted. The lists are replaced, never changed in place: the fold shares them between
    the days it is asked about.
    """
    prior = state.get("due")
    if new == prior:
        return False
    moves = state.get("moves") or []
    original = state.get("due_original")
    if original is None and not moves:
        state["due_original"] = new
        return False
    if correct:
        if moves:
            state["moves"] = [*moves[:-1], {**moves[-1], "to": new}]
        else:
            state["due_original"] = new
        return False
    state["moves"] = [*moves, {"effective": effective, "from": prior, "to": new,
                               "reason": reason, "basis": basis, "actor": actor}]
    return True


def due_in_force(item: Mapping[str, Any], day: str) -> str | None:
    """The deadline that held on *day*: the last move effective by then, else the original."""
    found = item.get("due_original")
    for move in item.get("moves") or ():
        if move["effective"] <= day:
            found = move["to"]
    return found


class Timeliness(NamedTuple):
    """On time or late: against the deadline in force, and against the original one.

    ``on_time`` is None when there is nothing to judge (no deadline, not fulfilled and not
    overdue, or closed without being fulfilled); ``delay`` is the days late (0 on time),
    for an overdue open item the days so far."""

    on_time: bool | None
    delay: int | None
    on_time_original: bool | None
    delay_original: int | None
    overdue: bool


NOT_JUDGED = Timeliness(None, None, None, None, False)


def timeliness(item: Mapping[str, Any], as_of: str | None) -> Timeliness:
    """How *item* stands against its deadlines on *as_of* (ISO; None: open items are not
    judged). Periods count by their last day; an ongoing measure is never late."""
    status = item["status"]
    if status in DONE:
        done = item.get("status_since") or item.get("updated") or ""
        on_time, delay = _against(due_in_force(item, done), done)
        on_time_original, delay_original = _against(item.get("due_original"), done)
        return Timeliness(on_time, delay, on_time_original, delay_original, False)
    if as_of is None or status not in ("not-started", "in-progress", "stalled"):
        return NOT_JUDGED
    current = _overdue(item["due"], as_of)
    original = _overdue(item.get("due_original"), as_of)
    if current is None and original is None:
        return NOT_JUDGED
    return Timeliness(None if current is None else False, current,
                      None if original is None else False, original, current is not None)


def _overdue(due: str | None, as_of: str) -> int | None:
    """The days an open item is past *due* on *as_of*, or None when it is not."""
    end = due_end(due)
    return None if end is None or end >= as_of else _days(end, as_of)


def _against(due: str | None, day: str) -> tuple[bool | None, int | None]:
    """(on time, days late) of something done (or still open) on *day* against *due*."""
    if due is None:
        return None, None
    end = due_end(due)
    if end is None:  # ongoing
        return True, 0
    if day <= end:
        return True, 0
    return False, _days(end, day)


def _days(first: str, last: str) -> int:
    return (date.fromisoformat(last) - date.fromisoformat(first)).days
