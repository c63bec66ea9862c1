"""Report documents: typed, pure, built from plans and their items.

``build_report`` returns a ``Report``: one ``PlanReport`` per plan and the total, with
everything a renderer needs (the weights in play, the items themselves for the documents
that list every measure). ``Report.to_json()`` is the JSON document of ``--format json``,
key for key; the renderers in ``tracker.render`` turn the same object into every other
format.

The records are plain classes with ``__slots__`` and the leaves ``TypedDict``s: both cost
nothing at start-up, where a dataclass costs about a millisecond each to define.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, TypedDict

from tracker.control import DONE, timeliness
from tracker.domain import (
    DUE_WITHIN,
    OPEN,
    STATUSES,
    UNFULFILLED,
    Item,
    Plan,
    Rules,
    StatusSums,
    Tally,
    sorted_by_ref,
    tally,
    tally_from_sums,
    whole,
)
from tracker.periods import due_end

if TYPE_CHECKING:
    from tracker.progress import Changes, PlanTrend

GROUPINGS = ("owner", "area", "status")
Weights = tuple[float | int, float | int]


class Unfulfilled(TypedDict):
    """An item closed but not fulfilled, with its reason."""

    id: str
    ref: str
    title: str
    status: str
    reason: str


class Overdue(TypedDict):
    """An open item whose deadline has passed."""

    id: str
    ref: str
    title: str
    status: str
    due: str | None
    owners: list[str]


class Group(TypedDict):
    """The rate of the items of one owner, area or status."""

    key: str | None
    total: int
    counted: int
    fulfilled: int
    rate: float | None


class PlanReport:
    """The report of one plan."""

    __slots__ = ("plan", "title", "tally", "by_status", "unfulfilled", "overdue", "due_soon",
                 "groups", "weights", "not_yet_added", "items", "changes", "trend",
                 "discipline", "awaiting", "attachments")

    def __init__(self, plan: Plan, items: list[Item], tally_: Tally, by_status: dict[str, int],
                 unfulfilled: list[Unfulfilled], overdue: list[Overdue],
                 due_soon: list[Overdue], groups: list[Group], weights: Weights) -> None:
        self.plan = plan.id
        self.title = plan.title
        self.tally = tally_
        self.by_status = by_status
        self.unfulfilled = unfulfilled
        self.overdue = overdue
        self.due_soon = due_soon  # open items due within the next days (``due_within``)
        self.groups = groups
        self.weights = weights  # the smallest and largest counted weight
        self.not_yet_added: int | None = None  # with --as-of: today's items not there yet
        self.items = items  # every item, in the plan's order (for documents that list them)
        self.changes: Changes | None = None  # with --since: what moved since that day
        self.trend: PlanTrend | None = None  # the HTML page: the rate month by month
        # --full and the documents: the executive discipline of the plan (SPEC §13)
        self.discipline: Discipline | None = None
        # Reporting rounds (SPEC §14): answers reported, awaiting acceptance, as rows of
        # id, executor, round, status (as reported), reported (the day).
        self.awaiting: list[dict[str, Any]] = []
        # Evidence files (SPEC §15): per measure, each file kept with it (id, name, size,
        # the day attached, the measure's title), listed, never embedded.
        self.attachments: list[dict[str, Any]] = []

    @property
    def rate(self) -> float | None:
        return self.tally.rate

    def to_json(self) -> dict[str, Any]:
        t = self.tally
        data: dict[str, Any] = {
            "plan": self.plan,
            "title": self.title,
            "total": t.total,
            "counted": t.counted,
            "fulfilled": t.fulfilled,
            "rate": t.rate,
            "by_status": self.by_status,
            "unfulfilled": self.unfulfilled,
            "overdue": self.overdue,
            "due_soon": self.due_soon,
            "counted_weight": t.counted_weight,
            "credit": t.credit,
            "groups": self.groups,
        }
        if self.not_yet_added is not None:
            data["not_yet_added"] = self.not_yet_added
        if self.changes is not None:
            data["changes"] = self.changes.to_json()
        if self.discipline is not None:
            data["discipline"] = self.discipline.to_json()
        if self.awaiting:
            data["awaiting"] = self.awaiting
        if self.attachments:
            data["attachments"] = self.attachments
        return data


class Report:
    """A report of one or several plans: the rule, one entry per plan, and the total."""

    __slots__ = ("as_of", "rules", "by", "plans", "total", "weights", "due_within", "full",
                 "discipline")

    def __init__(self, as_of: str, rules: Rules, by: str | None, plans: list[PlanReport],
                 total: Tally, weights: Weights, due_within: int = DUE_WITHIN) -> None:
        self.as_of = as_of
        self.due_within = due_within  # days ahead that "due soon" looks
        self.full = False  # several plans: each one's sections after the overview
        self.discipline: Discipline | None = None  # the workbook's sheet of it
        self.rules = rules
        self.by = by
        self.plans = plans
        self.total = total
        self.weights = weights

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of,
            "due_within": self.due_within,
            "rules": {"exclude_withdrawn": self.rules.exclude_withdrawn,
                      "partial_credit": self.rules.partial_credit},
            "plans": [entry.to_json() for entry in self.plans],
            "total": tally_json(self.total),
        }


def tally_json(t: Tally) -> dict[str, Any]:
    return {
        "total": t.total,
        "counted": t.counted,
        "fulfilled": t.fulfilled,
        "counted_weight": t.counted_weight,
        "credit": t.credit,
        "rate": t.rate,
    }


def weight_range(items: list[Item], rules: Rules) -> Weights:
    """The smallest and largest weight among the counted items ((1, 1) when none)."""
    weights = [i["weight"] for i in items if rules.counts(i["status"])]
    return (min(weights), max(weights)) if weights else (1, 1)


def group_keys(item: Item, by: str) -> list[str | None]:
    """The groups an item belongs to; an item with several owners is in each one's."""
    if by == "owner":
        return list(dict.fromkeys(item.owners)) or [None]
    if by == "area":
        return [item.area or None]
    return [item.status]


def groups(items: list[Item], by: str, rules: Rules) -> list[Group]:
    """A row per group: key, total, counted, fulfilled, rate (the JSON ``groups``)."""
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
    rows: list[Group] = []
    for key in order:
        t = tally(members[key], rules)
        rows.append({"key": key, "total": t.total, "counted": t.counted,
                     "fulfilled": t.fulfilled, "rate": t.rate})
    return rows


def plan_report(
    plan: Plan, items: list[Item], rules: Rules, as_of: str, by: str | None = None,
    due_within: int = DUE_WITHIN,
) -> PlanReport:
    """The report of one plan."""
    items = sorted_by_ref(items)
    by_status = dict.fromkeys(STATUSES, 0)
    for item in items:
        by_status[item["status"]] = by_status.get(item["status"], 0) + 1
    unfulfilled: list[Unfulfilled] = [
        {"id": i.id, "ref": i["ref"], "title": i["title"], "status": i["status"],
         "reason": i["reason"]}
        for i in items
        if i["status"] in UNFULFILLED
    ]
    horizon = (date.fromisoformat(as_of) + timedelta(days=due_within)).isoformat()
    overdue: list[Overdue] = []
    due_soon: list[Overdue] = []
    for i in items:
        if i["status"] in OPEN and (end := due_end(i["due"])) is not None and end <= horizon:
            (overdue if end < as_of else due_soon).append(
                {"id": i.id, "ref": i.ref, "title": i.title, "status": i.status, "due": i.due,
                 "owners": i.owners})
    due_soon.sort(key=lambda row: due_end(row["due"]) or "")
    return PlanReport(plan, items, tally(items, rules), by_status, unfulfilled, overdue,
                      due_soon, groups(items, by, rules) if by else [],
                      weight_range(items, rules))


def overview_report(plans: Iterable[tuple[Plan, StatusSums]], rules: Rules, as_of: str,
                    by: str | None = None, due_within: int = DUE_WITHIN) -> Report:
    """The report of several plans as an overview shows it — each plan's tally and the
    total — from the plans' sums by status, without reading their items (the entries
    list no items, nothing unfulfilled or overdue: the sections are not shown)."""
    entries = []
    for plan, sums in plans:
        tally_, weights = tally_from_sums(sums, rules)
        by_status = dict.fromkeys(STATUSES, 0)
        for status, numbers in sums.items():
            by_status[status] = int(numbers[0])
        entries.append(PlanReport(plan, [], tally_, by_status, [], [], [], [], weights))
    return _with_total(entries, rules, as_of, by, due_within)


def build_report(
    plans: Iterable[tuple[Plan, list[Item]]],
    rules: Rules,
    as_of: str,
    by: str | None = None,
    keep_items: bool = False,
    due_within: int = DUE_WITHIN,
) -> Report:
    """The whole report: one entry per plan and the total.

    *plans* may be a generator: unless *keep_items* (a document that lists every measure),
    each plan's items are let go once its entry is made, so a report of every plan holds
    one plan's items at a time.
    """
    entries = []
    for plan, items in plans:
        entry = plan_report(plan, items, rules, as_of, by, due_within)
        if not keep_items:
            entry.items = []
        entries.append(entry)
    return _with_total(entries, rules, as_of, by, due_within)


def _with_total(entries: list[PlanReport], rules: Rules, as_of: str, by: str | None,
                due_within: int) -> Report:
    """The report of these entries, with their total."""
    sums = [0, 0, 0, 0.0, 0.0]  # total, counted, fulfilled, counted_weight, credit
    low: float | int | None = None
    high: float | int | None = None
    for entry in entries:
        t = entry.tally
        for n, value in enumerate((t.total, t.counted, t.fulfilled, t.counted_weight,
                                   t.credit)):
            sums[n] += value
        if t.counted:
            a, b = entry.weights
            low = a if low is None else min(low, a)
            high = b if high is None else max(high, b)
    total = Tally(int(sums[0]), int(sums[1]), int(sums[2]), whole(sums[3]), whole(sums[4]))
    return Report(as_of, rules, by, entries, total,
                  (1, 1) if low is None or high is None else (low, high), due_within)


# --- executive discipline (SPEC §13) ----------------------------------------------------

class DisciplineRow(TypedDict):
    """One executor's (or area's) record against its deadlines in the span."""

    key: str | None
    due: int  # items whose deadline (its last day) fell in the span
    on_time: int  # fulfilled or partly, by the deadline in force that day
    late: int  # fulfilled or partly, after it
    overdue: int  # still open past it
    not_fulfilled: int  # closed without being done (not fulfilled, withdrawn)
    not_yet_due: int  # open, the deadline's last day not passed on the as-of day
    average_delay: float | None  # days, over the late and the overdue
    longest_delay: int | None
    moved: int  # moves of these items' deadlines
    late_original: int  # done after, or open past, the deadline as first approved
    rate: float | None  # on time / (on time + late + overdue)


class Discipline:
    """The executive-discipline report: a row per executor and the total."""

    __slots__ = ("as_of", "first", "last", "by", "plans", "rows", "total", "undated")

    def __init__(self, as_of: str, first: str | None, last: str, by: str,
                 plans: list[tuple[str, str]], rows: list[DisciplineRow],
                 total: DisciplineRow, undated: int = 0) -> None:
        self.as_of = as_of
        self.first = first  # None: from the earliest deadline
        self.last = last
        self.by = by
        self.plans = plans  # (id, title) of each plan in it
        self.rows = rows
        self.total = total
        self.undated = undated  # measures with no deadline, or an ongoing one: never judged

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of, "from": self.first, "to": self.last, "by": self.by,
            "plans": [{"plan": plan, "title": title} for plan, title in self.plans],
            "rule": "rate = on_time / (on_time + late + overdue)",
            "rows": self.rows, "total": self.total, "undated": self.undated,
        }


class _Counts:
    """The running sums of one row."""

    __slots__ = ("due", "on_time", "late", "overdue", "not_fulfilled", "not_yet_due",
                 "delays", "moved", "late_original")

    def __init__(self) -> None:
        self.due = self.on_time = self.late = self.overdue = 0
        self.not_fulfilled = self.not_yet_due = self.moved = self.late_original = 0
        self.delays: list[int] = []

    def add(self, judged: tuple[str, int | None, int, bool]) -> None:
        """Count one item, as ``_judged`` found it."""
        bucket, delay, moved, late_original = judged
        self.due += 1
        self.moved += moved
        if bucket == "on_time":
            self.on_time += 1
        elif bucket == "late":
            self.late += 1
            self.delays.append(delay or 0)
        elif bucket == "overdue":
            self.overdue += 1
            self.delays.append(delay or 0)
        elif bucket == "not_yet_due":
            self.not_yet_due += 1
        else:
            self.not_fulfilled += 1
        if late_original:
            self.late_original += 1

    def row(self, key: str | None) -> DisciplineRow:
        judged = self.on_time + self.late + self.overdue
        return {
            "key": key, "due": self.due, "on_time": self.on_time, "late": self.late,
            "overdue": self.overdue, "not_fulfilled": self.not_fulfilled,
            "not_yet_due": self.not_yet_due,
            "average_delay": round(sum(self.delays) / len(self.delays), 1)
            if self.delays else None,
            "longest_delay": max(self.delays) if self.delays else None,
            "moved": self.moved, "late_original": self.late_original,
            "rate": self.on_time / judged if judged else None,
        }


def _judged(item: Item, as_of: str) -> tuple[str, int | None, int, bool]:
    """Where an item counts — on time, late, overdue, not yet due, not fulfilled — with its
    delay, its deadline's moves, and whether it was late against the original deadline."""
    t = timeliness(item, as_of)
    status = item["status"]
    if status in DONE:
        bucket = "on_time" if t.on_time else "late"
    elif t.overdue:
        bucket = "overdue"
    elif status in OPEN:
        bucket = "not_yet_due"
    else:
        bucket = "not_fulfilled"
    return bucket, t.delay, len(item["moves"]), t.on_time_original is False


def discipline_keys(item: Item, by: str) -> list[str | None]:
    """The rows an item counts in: its responsible executor, each executor, or its area."""
    if by == "responsible":
        return [item["owners"][0] if item["owners"] else None]
    if by == "owner":
        return list(dict.fromkeys(item["owners"])) or [None]
    return [item["area"] or None]


def plan_discipline(plan: Plan, items: list[Item], as_of: str) -> Discipline:
    """A plan's executive discipline for its report: by responsible executor, the
    deadlines from the plan's start to the report's day."""
    return discipline_report([(plan, items)], "responsible", plan.start, as_of, as_of)


def discipline_report(plans: Iterable[tuple[Plan, list[Item]]], by: str, first: str | None,
                      last: str, as_of: str) -> Discipline:
    """Each executor's record against the deadlines that fell from *first* (None: any
    day) to *last*, as things stood on *as_of*. *plans* may be a generator: each plan's
    items are let go once counted."""
    counts: dict[str | None, _Counts] = defaultdict(_Counts)
    total = _Counts()
    shown = []
    undated = 0
    for plan, items in plans:
        shown.append((plan.id, plan.title))
        for item in items:
            end = due_end(item["due"])
            if end is None:
                undated += 1
                continue
            if end > last or (first is not None and end < first):
                continue
            judged = _judged(item, as_of)
            total.add(judged)
            for key in discipline_keys(item, by):
                counts[key].add(judged)
    keys: list[str | None] = sorted((k for k in counts if k is not None),
                                    key=lambda k: str(k).casefold())
    if None in counts:
        keys.append(None)
    return Discipline(as_of, first, last, by, shown, [counts[k].row(k) for k in keys],
                      total.row(None), undated)
