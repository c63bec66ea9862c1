"""Reports: pure functions from plans, items and events to numbers and rows.

``build_report`` returns the JSON document of SPEC §5 as plain dicts; the output module
turns it into text. ``items_as_of`` rebuilds items from the journal for ``--as-of``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from tracker.domain import (
    OPEN,
    STATUSES,
    UNFULFILLED,
    Item,
    Plan,
    Rules,
    Tally,
    sorted_by_ref,
    tally,
)

GROUPINGS = ("owner", "area", "status")


def weight_range(items: list[Item], rules: Rules) -> tuple[float | int, float | int]:
    """The smallest and largest weight among the counted items ((1, 1) when none)."""
    weights = [i["weight"] for i in items if rules.counts(i["status"])]
    return (min(weights), max(weights)) if weights else (1, 1)


def tally_json(t: Tally) -> dict[str, Any]:
    return {
        "total": t.total,
        "counted": t.counted,
        "fulfilled": t.fulfilled,
        "counted_weight": t.counted_weight,
        "credit": t.credit,
        "rate": t.rate,
    }


def group_keys(item: Item, by: str) -> list[str | None]:
    """The groups an item belongs to; an item with several owners is in each one's."""
    if by == "owner":
        return list(dict.fromkeys(item.owners)) or [None]
    if by == "area":
        return [item.area or None]
    return [item.status]


def groups(items: list[Item], by: str, rules: Rules) -> list[dict[str, Any]]:
    """A row per group: key, total, counted, fulfilled, rate (SPEC §5 ``groups``)."""
    members: dict[str | None, list[Item]] = defaultdict(list)
    for item in items:
        for key in group_keys(item, by):
            members[key].append(item)
    if by == "status":
        order: list[str | None] = [s for s in STATUSES if s in members]
    else:
        order = sorted((k for k in members if k is not None), key=lambda k: str(k).casefold())
        if None in members:
            order.append(None)
    rows = []
    for key in order:
        t = tally(members[key], rules)
        rows.append({"key": key, "total": t.total, "counted": t.counted,
                     "fulfilled": t.fulfilled, "rate": t.rate})
    return rows


def plan_report(
    plan: Plan, items: list[Item], rules: Rules, as_of: str, by: str | None = None
) -> dict[str, Any]:
    """The report of one plan, keys in the order of SPEC §5."""
    items = sorted_by_ref(items)
    t = tally(items, rules)
    by_status = dict.fromkeys(STATUSES, 0)
    for item in items:
        by_status[item["status"]] = by_status.get(item["status"], 0) + 1
    return {
        "plan": plan.id,
        "title": plan.title,
        "total": t.total,
        "counted": t.counted,
        "fulfilled": t.fulfilled,
        "rate": t.rate,
        "by_status": by_status,
        "unfulfilled": [
            {"id": i.id, "ref": i["ref"], "title": i["title"], "status": i["status"],
             "reason": i["reason"]}
            for i in items
            if i["status"] in UNFULFILLED
        ],
        "overdue": [
            {"id": i.id, "ref": i.ref, "title": i.title, "status": i.status, "due": i.due,
             "owners": i.owners}
            for i in items
            if i["due"] is not None and i["due"] < as_of and i["status"] in OPEN
        ],
        "counted_weight": t.counted_weight,
        "credit": t.credit,
        "groups": groups(items, by, rules) if by else [],
        "_weights": weight_range(items, rules),
    }


def build_report(
    plans: Iterable[tuple[Plan, list[Item]]],
    rules: Rules,
    as_of: str,
    by: str | None = None,
) -> dict[str, Any]:
    """The whole report document: rules, one entry per plan and the total.

    *plans* may be a generator: each plan's items are let go once its entry is made, so a
    report of every plan holds one plan's items at a time.
    """
    entries = []
    sums = [0, 0, 0, 0.0, 0.0]  # total, counted, fulfilled, counted_weight, credit
    low: float | int | None = None
    high: float | int | None = None
    for plan, items in plans:
        entry = plan_report(plan, items, rules, as_of, by)
        entries.append(entry)
        for n, key in enumerate(("total", "counted", "fulfilled", "counted_weight", "credit")):
            sums[n] += entry[key]
        if entry["counted"]:
            a, b = entry["_weights"]
            low = a if low is None else min(low, a)
            high = b if high is None else max(high, b)
    total = Tally(int(sums[0]), int(sums[1]), int(sums[2]), _whole(sums[3]), _whole(sums[4]))
    return {
        "as_of": as_of,
        "rules": {"exclude_withdrawn": rules.exclude_withdrawn,
                  "partial_credit": rules.partial_credit},
        "plans": entries,
        "total": {**tally_json(total), "_weights": (low or 1, high or 1)},
    }


def public(doc: Any) -> Any:
    """The document without the keys that only renderers read (``_weights``): its JSON."""
    if isinstance(doc, dict):
        return {k: public(v) for k, v in doc.items() if not k.startswith("_")}
    if isinstance(doc, list):
        return [public(v) for v in doc]
    return doc


def _whole(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def items_as_of(events: Iterable[dict[str, Any]], plan_id: str, as_of: str) -> list[Item]:
    """The plan's items as they stood on *as_of*, rebuilt from the journal (SPEC §3)."""
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
        elif item_state(history, plan_id, ref, "9999-12-31") is not None:
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
    change typed in after the fact moved ``created`` back (SPEC §3); the add's values hold
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
