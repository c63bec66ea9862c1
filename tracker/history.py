"""The journal folded into states: which events count, an item's state on a day, the
plans the journal describes, and what it says of a removed item.

Pure functions over event dicts (the keys of ``domain.EVENT_KEYS``). Today's state, a
report ``--as-of`` a day, ``undo`` and ``tracker repair`` all fold the journal here, so
they always agree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from tracker.domain import Item, Plan

FOREVER = "9999-12-31"  # an as-of day after every event: the state now


def items_as_of(events: Iterable[dict[str, Any]], plan_id: str, as_of: str) -> list[Item]:
    """The plan's items as they stood on *as_of*, rebuilt from the journal."""
    return as_of_state(events, plan_id, as_of)[0]


def as_of_state(
    events: Iterable[dict[str, Any]], plan_id: str, as_of: str
) -> tuple[list[Item], int]:
    """The plan's items on *as_of*, and how many of today's items did not exist yet then."""
    prefix = plan_id + ":"
    by_item: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for event in live_events(events):
        if event["id"].startswith(prefix):
            by_item[event["id"]].append(event)
    items = []
    later = 0
    for target, history in by_item.items():
        ref = target[len(prefix):]
        state = item_state(history, plan_id, ref, as_of)
        if state is not None:
            items.append(Item.from_dict(state))
        elif item_state(history, plan_id, ref, FOREVER) is not None:
            later += 1
    return items, later


def live_events(events: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events that count: not an undo or restore, not of an undone step."""
    events = list(events)
    undone = {e.get("undoes") for e in events if e.get("action") == "undo"}
    return [e for e in events
            if e["action"] not in ("undo", "restore") and e["step"] not in undone]


def item_state(
    history: list[dict[str, Any]], plan_id: str, ref: str, as_of: str
) -> dict[str, Any] | None:
    """One item's fields on *as_of* from its live events, or None if it did not exist.

    A ref can be removed and used again: each add starts a new life of the address, in
    the order recorded. A life begins on its add's effective date, or earlier when a
    change typed in after the fact moved ``created`` back; the add's values hold
    from that beginning. Within the life, changes apply in order of effective date (ties:
    as recorded), so the latest effective change of a field wins, back-dated corrections
    included, and the reason is the one of the change that set the status in force.
    """
    lives: list[list[dict[str, Any]]] = []
    for event in sorted(history, key=_seq):
        ref_change = event["changes"].get("ref")
        if ref_change and ref_change[0] is None:
            lives.append([event])
        elif lives:
            lives[-1].append(event)
    for life in reversed(lives):
        start = life_start(life)
        if start > as_of:
            continue
        if any(_removes(e) and e["effective"] <= as_of for e in life):
            return None
        state: dict[str, Any] = {"plan": plan_id, "ref": ref}
        first = life[0]
        for event in sorted(life, key=lambda e: (start if e is first else e["effective"],
                                                 e["seq"])):
            if (event is not first and event["effective"] > as_of) or _removes(event):
                continue
            changes = event["changes"]
            for key, (_old, new) in changes.items():
                state[key] = new
            if "status" in changes and "reason" not in changes:
                state["reason"] = event.get("reason", "")
            state["updated"] = start if event is first else event["effective"]
        state["created"] = start
        return {k: v for k, v in state.items() if v is not None or k == "due"}
    return None


def life_start(life: list[dict[str, Any]]) -> str:
    """The day an item's life began: its add's effective date, or an earlier ``created``
    that a change typed in after the fact recorded."""
    start = life[0]["effective"]
    for event in life:
        created = event["changes"].get("created")
        if created and created[1] is not None and created[1] < start:
            start = created[1]
    return start


def _seq(event: dict[str, Any]) -> int:
    return int(event["seq"])


def _removes(event: dict[str, Any]) -> bool:
    ref_change = event["changes"].get("ref")
    return bool(ref_change) and ref_change[1] is None


def plans_from_journal(events: Iterable[dict[str, Any]]) -> list[Plan]:
    """The plans as their live events leave them, in the order they were added."""
    plans: dict[str, dict[str, Any]] = {}
    for event in sorted(live_events(events), key=_seq):
        target = event["id"]
        if ":" in target or target == "*":
            continue
        changes = event["changes"]
        if event["action"] == "plan-remove" or changes.get("id", [None, ""])[1] is None:
            plans.pop(target, None)
            continue
        if "id" in changes and changes["id"][0] is None:
            plans[target] = {"id": target}
        if target in plans:
            for key, (_old, new) in changes.items():
                plans[target][key] = new
    return [Plan.from_dict(doc) for doc in plans.values()]


def history_known_from(events: Iterable[dict[str, Any]]) -> str | None:
    """The day from which the journal knows a plan's history: after ``tracker repair`` of a
    journal that lost events, the repair's day (its ``baseline`` events); else None."""
    days = [e["effective"] for e in events if e.get("action") == "baseline"]
    return max(days) if days else None


def removed_record(history: list[dict[str, Any]]) -> dict[str, Any] | None:
    """A removed item as it stood when removed, with ``removed`` (when, by whom, which
    step), from its history; None when its last live event is not a removal."""
    live = live_events(history)
    if not live or not _removes(live[-1]):
        return None
    last = live[-1]
    state: dict[str, Any] = {"owners": [], "due": None, "weight": 1, "reason": "", "area": "",
                             "evidence": ""}
    state.update({k: old for k, (old, _new) in last["changes"].items()})
    plan, _, ref = last["id"].partition(":")
    record = Item.from_dict({"plan": plan, "ref": ref, **state}).to_json()
    record["removed"] = {"effective": last["effective"], "at": last["at"],
                         "actor": last["actor"], "step": last["step"]}
    return record
