"""Progress over time: what changed between two days, and the trend period by period.

Both compare states the journal folds (``history.plan_states``): a plan's items on the
day of the last briefing and on the day of this one, or at the end of every month,
quarter or year. So they follow effective dates, count back-dated corrections on the
days they are dated, and never count an undone step — as ``report --as-of`` does.
Pure: the read side (``queries.Reader``) hands in the events.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, TypedDict

from tracker.domain import CLOSED, OPEN, Item, Rules, Tally, ref_sort_key, tally, whole
from tracker.history import live_events, plan_states
from tracker.periods import bounds, calendar_periods

# --- changes since a day ------------------------------------------------------------------


class Changes:
    """What moved in one plan between *since* and the report's day (§12)."""

    __slots__ = ("since", "recorded", "then", "now", "status_changes", "added", "removed",
                 "due_moved", "reason_changed", "files_attached", "files_detached", "groups")

    def __init__(self, since: str, recorded: bool, then: Tally, now: Tally) -> None:
        self.since = since
        self.recorded = recorded  # True: what was typed in since, whatever its dates
        self.then = then
        self.now = now
        self.status_changes: list[dict[str, Any]] = []
        self.added: list[dict[str, Any]] = []  # {"id", "title"}
        self.removed: list[dict[str, Any]] = []  # {"id", "title"}
        self.due_moved: list[dict[str, Any]] = []  # {"id", "title", "from", "to"}
        self.reason_changed: list[dict[str, Any]] = []  # {"id", "title", "from", "to"}
        # evidence files: {"id", "title", "name", "size", "attached"} (see ``file_changes``)
        self.files_attached: list[dict[str, Any]] = []
        self.files_detached: list[dict[str, Any]] = []
        self.groups: list[dict[str, Any]] | None = None  # with --by: key, rate then and now

    @property
    def points(self) -> float | None:
        """The rate's move in percentage points (None when either rate is undefined)."""
        if self.then.rate is None or self.now.rate is None:
            return None
        return (self.now.rate - self.then.rate) * 100

    def empty(self) -> bool:
        return not (self.status_changes or self.added or self.removed or self.due_moved
                    or self.reason_changed or self.files_attached or self.files_detached)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "recorded_since" if self.recorded else "since": self.since,
            "rate_then": self.then.rate,
            "rate_now": self.now.rate,
            "status_changes": [{k: row[k] for k in ("id", "title", "from", "to", "effective",
                                                    "reason")}
                               for row in self.status_changes],
            "added": [row["id"] for row in self.added],
            "removed": [row["id"] for row in self.removed],
            "due_moved": [{k: row[k] for k in ("id", "from", "to", "effective", "reason",
                                               "basis")}
                          for row in self.due_moved],
            "reason_changed": [{k: row[k] for k in ("id", "from", "to")}
                               for row in self.reason_changed],
        }
        if self.files_attached or self.files_detached:
            data["files_attached"] = [{k: row[k] for k in ("id", "name", "size", "attached")}
                                      for row in self.files_attached]
            data["files_detached"] = [{k: row[k] for k in ("id", "name", "size", "attached")}
                                      for row in self.files_detached]
        if self.groups is not None:
            data["groups"] = self.groups
        return data

    def file_changes(self, then: list[dict[str, Any]], now: list[dict[str, Any]]) -> None:
        """The evidence files attached and detached between two lists of a report's files
        (``attachments.attachment_rows``: id, name, size, attached, title)."""
        def key(row: dict[str, Any]) -> tuple[Any, ...]:
            return row["id"], row["name"], row["size"], row["attached"]

        before, after = {key(r) for r in then}, {key(r) for r in now}
        self.files_attached = [r for r in now if key(r) not in before]
        self.files_detached = [r for r in then if key(r) not in after]


def changes_between(then: list[dict[str, Any]], now: list[dict[str, Any]], since: str,
                    rules: Rules, by: str | None = None, recorded: bool = False) -> Changes:
    """The changes from the states *then* to the states *now* (``plan_states`` gives both).

    Each item is compared as it stood at the two ends: an item stalled and resumed in
    between has no status change; its status change is dated by the day the status in
    force took effect, with that status's reason. A reason counts as changed only while
    the status stayed (a new status brings its own reason).
    """
    from tracker.reports import groups

    before = {s["ref"]: s for s in then}
    after = {s["ref"]: s for s in now}
    old_items = [Item.from_dict(s) for s in then]
    new_items = [Item.from_dict(s) for s in now]
    found = Changes(since, recorded, tally(old_items, rules), tally(new_items, rules))
    for ref in sorted(before.keys() | after.keys(), key=ref_sort_key):
        old, new = before.get(ref), after.get(ref)
        if old is None or new is None:
            if new is not None:
                found.added.append({"id": f"{new['plan']}:{ref}", "title": new["title"]})
            elif old is not None:
                found.removed.append({"id": f"{old['plan']}:{ref}", "title": old["title"]})
            continue
        address = f"{new['plan']}:{ref}"
        if old["status"] != new["status"]:
            found.status_changes.append({
                "id": address, "title": new["title"], "from": old["status"],
                "to": new["status"], "effective": new["status_since"],
                "reason": new.get("reason", "")})
        elif old.get("reason", "") != new.get("reason", ""):
            found.reason_changed.append({"id": address, "title": new["title"],
                                         "from": old.get("reason", ""),
                                         "to": new.get("reason", "")})
        if old.get("due") != new.get("due"):
            moves = (new.get("moves") or [])[len(old.get("moves") or []):]
            found.due_moved.append({
                "id": address, "title": new["title"], "from": old.get("due"),
                "to": new.get("due"),
                "effective": moves[-1]["effective"] if moves else new.get("updated"),
                "reason": "; ".join(m["reason"] for m in moves if m["reason"]),
                "basis": "; ".join(m["basis"] for m in moves if m["basis"])})
    if by is not None:
        rates_then = {g["key"]: g["rate"] for g in groups(old_items, by, rules)}
        rows = []
        for group in groups(new_items, by, rules):
            rows.append({"key": group["key"], "rate_then": rates_then.pop(group["key"], None),
                         "rate_now": group["rate"]})
        rows.extend({"key": key, "rate_then": rate, "rate_now": None}
                    for key, rate in rates_then.items())
        found.groups = rows
    return found


def states_then_and_now(events: list[dict[str, Any]], plan_id: str, since: str, as_of: str,
                        recorded: bool = False) -> tuple[list[dict[str, Any]],
                                                         list[dict[str, Any]]]:
    """The plan's item states at the two ends of a briefing's span.

    By effective date (the default): the states on *since* and on *as_of*. *recorded*:
    what was typed in since — the states on *as_of* as the journal stood before *since*
    (only what was recorded earlier), and as it stands now.
    """
    if not recorded:
        then, now = plan_states(events, plan_id, [since, as_of])
        return then, now
    earlier = [e for e in events if e["at"][:10] < since]
    return plan_states(earlier, plan_id, [as_of])[0], plan_states(events, plan_id, [as_of])[0]


# --- the trend ----------------------------------------------------------------------------


class TrendRow(TypedDict):
    period: str
    start: str
    end: str
    total: int
    fulfilled: int
    partial: int
    not_fulfilled: int
    withdrawn: int
    open: int
    rate: float | None


REACHED = {"fulfilled": "fulfilled", "partial": "partial", "not-fulfilled": "not_fulfilled",
           "withdrawn": "withdrawn"}


class PlanTrend:
    """One plan's rows, and the tallies behind their rates (to add plans up)."""

    __slots__ = ("plan", "title", "rows", "tallies")

    def __init__(self, plan: str, title: str, rows: list[TrendRow],
                 tallies: list[Tally]) -> None:
        self.plan = plan
        self.title = title
        self.rows = rows
        self.tallies = tallies


class Trend:
    """The trend of one or several plans: a row per period for each and for all."""

    __slots__ = ("by", "first", "last", "rules", "plans", "total")

    def __init__(self, by: str, first: str, last: str, rules: Rules,
                 plans: list[PlanTrend]) -> None:
        self.by = by
        self.first = first
        self.last = last
        self.rules = rules
        self.plans = plans
        self.total = plans[0].rows if len(plans) == 1 else _sum(plans)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"by": self.by, "from": self.first, "to": self.last,
                                "periods": self.total}
        if len(self.plans) > 1:
            data["plans"] = [{"plan": p.plan, "title": p.title, "periods": p.rows}
                             for p in self.plans]
        return data


def spans(first: str, last: str, by: str) -> list[tuple[str, str, str]]:
    """The periods from day *first* to day *last*: (period, start, end), the first and
    the last cut to those days."""
    found = []
    for period in calendar_periods(first, last, by):
        start, end = bounds(period)
        found.append((period, max(start, first), min(end, last)))
    return found


def plan_trend(events: list[dict[str, Any]], plan_id: str, title: str,
               periods: list[tuple[str, str, str]], rules: Rules) -> PlanTrend:
    """A row per period: the items existing at its end; how many reached fulfilled,
    partial, not fulfilled and withdrawn in it (had another status, or did not exist, at
    the end of the period before); those open at its end; the rate at its end. An event
    dated the last day of a period belongs to that period."""
    eve = (date.fromisoformat(periods[0][1]) - timedelta(days=1)).isoformat()
    states = plan_states(events, plan_id, [eve, *(end for _p, _s, end in periods)])
    rows: list[TrendRow] = []
    tallies = []
    for n, (period, start, end) in enumerate(periods):
        before = {s["ref"]: s["status"] for s in states[n]}
        at_end = states[n + 1]
        reached = dict.fromkeys(REACHED.values(), 0)
        open_ = 0
        for state in at_end:
            status = state["status"]
            if status in OPEN:
                open_ += 1
            elif status in CLOSED and before.get(state["ref"]) != status:
                reached[REACHED[status]] += 1
        counted = tally(at_end, rules)
        tallies.append(counted)
        rows.append({"period": period, "start": start, "end": end, "total": counted.total,
                     "fulfilled": reached["fulfilled"], "partial": reached["partial"],
                     "not_fulfilled": reached["not_fulfilled"],
                     "withdrawn": reached["withdrawn"], "open": open_, "rate": counted.rate})
    return PlanTrend(plan_id, title, rows, tallies)


def first_day(events: list[dict[str, Any]], plan_start: str | None) -> str | None:
    """Where a plan's trend begins by default: its start, or its first event's day (a
    creation dated back counts)."""
    if plan_start:
        return plan_start
    days = []
    for event in live_events(events):
        days.append(event["effective"])
        created = event["changes"].get("created")
        if created and created[1]:
            days.append(created[1])
    return min(days, default=None)


def _sum(plans: list[PlanTrend]) -> list[TrendRow]:
    rows: list[TrendRow] = []
    for n, first in enumerate(plans[0].rows):
        row: dict[str, Any] = dict(first)
        for key in ("total", "fulfilled", "partial", "not_fulfilled", "withdrawn", "open"):
            row[key] = sum(p.rows[n][key] for p in plans)
        weight = sum(p.tallies[n].counted_weight for p in plans)
        credit = sum(p.tallies[n].credit for p in plans)
        row["rate"] = whole(credit) / whole(weight) if weight else None
        rows.append(row)  # type: ignore[arg-type]
    return rows
