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

from tracker.control import follow_due
from tracker.domain import DERIVED_KEYS, Item, Plan

FOREVER = "9999-12-31"  # an as-of day after every event: the state now


def items_as_of(events: Iterable[dict[str, Any]], plan_id: str, as_of: str) -> list[Item]:
    """The plan's items as they stood on *as_of*, rebuilt from the journal."""
    return as_of_state(events, plan_id, as_of)[0]


def as_of_state(
    events: Iterable[dict[str, Any]], plan_id: str, as_of: str
) -> tuple[list[Item], int]:
    """The plan's items on *as_of*, and how many of today's items did not exist yet then
    (those are counted from their lives, not folded)."""
    items: list[Item] = []
    later = 0
    prefix = plan_id + ":"
    for target, history in _by_item(events, prefix).items():
        lives = [_Life(life) for life in _lives(history)]
        state = _state_on(lives, as_of, plan_id, target[len(prefix):])
        if state is not None:
            items.append(Item.from_dict(state))
        elif lives and lives[-1].removed is None:
            later += 1
    return items, later


def plan_states(
    events: Iterable[dict[str, Any]], plan_id: str, days: list[str]
) -> list[list[dict[str, Any]]]:
    """The plan's items on each of *days*: per day, the fields of every item that existed
    then (as ``item_states`` gives them). One pass over the plan's events, however many
    days are asked."""
    prefix = plan_id + ":"
    found: list[list[dict[str, Any]]] = [[] for _day in days]
    for target, history in _by_item(events, prefix).items():
        states = item_states(history, plan_id, target[len(prefix):], days)
        for n, state in enumerate(states):
            if state is not None:
                found[n].append(state)
    return found


def _by_item(events: Iterable[dict[str, Any]], prefix: str) -> dict[str, list[dict[str, Any]]]:
    """The live events of the items whose ids begin with *prefix*, item by item."""
    by_item: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for event in live_events(events):
        if event["id"].startswith(prefix):
            by_item[event["id"]].append(event)
    return by_item


# A reporting round's events (``tracker.rounds``) that change no field of an item.
NOT_FOLDED = frozenset({"round-open", "round-close", "answer", "return", "attach", "detach"})


def live_events(events: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events that count: not an undo or restore, not of an undone step."""
    events = list(events)
    undone = {e.get("undoes") for e in events if e.get("action") == "undo"}
    return [e for e in events
            if e["action"] not in ("undo", "restore") and e["step"] not in undone]


def item_state(
    history: list[dict[str, Any]], plan_id: str, ref: str, as_of: str
) -> dict[str, Any] | None:
    """One item's fields on *as_of* from its live events, or None if it did not exist."""
    return item_states(history, plan_id, ref, [as_of])[0]


def item_states(
    history: list[dict[str, Any]], plan_id: str, ref: str, days: list[str]
) -> list[dict[str, Any] | None]:
    """One item's fields on each of *days* from its live events (None: it did not exist).

    A ref can be removed and used again: each add starts a new life of the address, in
    the order recorded. A life begins on its add's effective date, or earlier when a
    change typed in after the fact moved ``created`` back; the add's values hold
    from that beginning. Within the life, changes apply in order of effective date (ties:
    as recorded), so the latest effective change of a field wins, back-dated corrections
    included, and the reason is the one of the change that set the status in force.
    Besides the item's fields, a state says since when its status holds
    (``status_since``), which ``Item.from_dict`` leaves out.

    The days are taken in order and each life is folded once, forward: asking for every
    quarter's end costs little more than asking for one day.
    """
    lives = [_Life(life) for life in _lives(history)]
    states = {when: _state_on(lives, when, plan_id, ref) for when in sorted(set(days))}
    return [states[when] for when in days]


def _state_on(lives: list[_Life], when: str, plan_id: str, ref: str) -> dict[str, Any] | None:
    """The state on *when* of the life that had begun by then (days asked in order)."""
    life = next((life for life in reversed(lives) if life.start <= when), None)
    return None if life is None else life.state_on(when, plan_id, ref)


def _lives(history: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """An address's lives, in the order recorded: each begins with an add."""
    lives: list[list[dict[str, Any]]] = []
    for event in sorted(history, key=_seq):
        ref_change = event["changes"].get("ref")
        if ref_change and ref_change[0] is None:
            lives.append([event])
        elif lives:
            lives[-1].append(event)
    return lives


class _Life:
    """One life of an address, folded forward one day at a time."""

    __slots__ = ("start", "removed", "order", "next", "state", "status_since", "shown")

    def __init__(self, life: list[dict[str, Any]]) -> None:
        self.start = life_start(life)
        self.removed = min((e["effective"] for e in life if _removes(e)), default=None)
        first = life[0]
        keyed = [(self.start if e is first else e["effective"], e["seq"], e) for e in life
                 if not _removes(e) and e["action"] not in NOT_FOLDED
                 and (e["changes"] or e["action"] != "accept")]
        keyed.sort(key=lambda k: (k[0], k[1]))
        self.order = [(when, event) for when, _seq_, event in keyed]
        self.next = 0
        self.state: dict[str, Any] = {}
        self.status_since = self.start
        self.shown: dict[str, Any] | None = None

    def state_on(self, when: str, plan_id: str, ref: str) -> dict[str, Any] | None:
        if self.removed is not None and self.removed <= when:
            return None
        order, state = self.order, self.state
        moved = self.shown is None
        while self.next < len(order) and order[self.next][0] <= when:
            effective, event = order[self.next]
            self.next += 1
            moved = True
            changes = event["changes"]
            for key, (_old, new) in changes.items():
                if key == "due":
                    follow_due(state, new, effective, correct=bool(event.get("correct")),
                               reason=event.get("reason", "") if event["action"] == "move"
                               else "", basis=event.get("basis", ""),
                               actor=event.get("actor", ""))
                state[key] = new
            if "status" in changes:
                self.status_since = effective
                if "reason" not in changes:
                    state["reason"] = event.get("reason", "")
            state["updated"] = effective
        if moved:
            shown = {"plan": plan_id, "ref": ref}
            shown.update((k, v) for k, v in state.items() if v is not None or k == "due")
            shown["created"] = self.start
            shown["status_since"] = self.status_since
            self.shown = shown
        return self.shown


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
    plan, _, ref = last["id"].partition(":")
    state: dict[str, Any] = {"owners": [], "due": None, "weight": 1, "reason": "", "area": "",
                             "evidence": ""}
    before = item_state(live[:-1], plan, ref, FOREVER)  # what the journal derives of it
    if before is not None:
        state.update((k, before[k]) for k in DERIVED_KEYS if k in before)
    state.update({k: old for k, (old, _new) in last["changes"].items()})
    record = Item.from_dict({"plan": plan, "ref": ref, **state}).to_json(last["effective"])
    record["removed"] = {"effective": last["effective"], "at": last["at"],
                         "actor": last["actor"], "step": last["step"]}
    return record
