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
    for plan, items in plans:
        entry = plan_report(plan, items, rules, as_of, by)
        entries.append(entry)
        for n, key in enumerate(("total", "counted", "fulfilled", "counted_weight", "credit")):
            sums[n] += entry[key]
    total = Tally(int(sums[0]), int(sums[1]), int(sums[2]), _whole(sums[3]), _whole(sums[4]))
    return {
        "as_of": as_of,
        "rules": {"exclude_withdrawn": rules.exclude_withdrawn,
                  "partial_credit": rules.partial_credit},
        "plans": entries,
        "total": tally_json(total),
    }


def _whole(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


def items_as_of(events: Iterable[dict[str, Any]], plan_id: str, as_of: str) -> list[Item]:
    """The plan's items as they stood on *as_of*, rebuilt from the journal (SPEC §3)."""
    prefix = plan_id + ":"
    by_item: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for event in live_events(events):
        if event["id"].startswith(prefix):
            by_item[event["id"]].append(event)
    items = []
    for target, history in by_item.items():
        state = item_state(history, plan_id, target[len(prefix):], as_of)
        if state is not None:
            items.append(Item.from_dict(state))
    return items


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
    the order recorded. Within the life that stands on *as_of*, changes apply in order of
    effective date (ties: as recorded), so the latest effective change of a field wins,
    back-dated corrections included.
    """
    lives: list[list[dict[str, Any]]] = []
    for event in sorted(history, key=lambda e: e["seq"]):
        ref_change = event["changes"].get("ref")
        if ref_change and ref_change[0] is None:
            lives.append([event])
        elif lives:
            lives[-1].append(event)
    for life in reversed(lives):
        if life[0]["effective"] > as_of:
            continue
        if any(_removes(e) and e["effective"] <= as_of for e in life):
            return None
        state: dict[str, Any] = {"plan": plan_id, "ref": ref, "created": life[0]["effective"]}
        for event in sorted(life, key=lambda e: (e["effective"], e["seq"])):
            if event["effective"] > as_of or _removes(event):
                continue
            for key, (_old, new) in event["changes"].items():
                state[key] = new
            state["updated"] = event["effective"]
        return {k: v for k, v in state.items() if v is not None or k == "due"}
    return None


def _removes(event: dict[str, Any]) -> bool:
    ref_change = event["changes"].get("ref")
    return bool(ref_change) and ref_change[1] is None
