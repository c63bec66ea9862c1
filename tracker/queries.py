"""The read side: lookups, filters, tallies and history over one repository, for one day.

Every command that only reads asks a ``Reader``; the write side (``service.Tracker``) uses
the same lookups. Nothing here changes the database or knows how results are shown.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from tracker.domain import (
    OPEN,
    Item,
    Plan,
    Rules,
    check_plan_id,
    parse_address,
    ref_sort_key,
    tally,
)
from tracker.errors import InvalidValue, NotFound, StoreError, TrackerError
from tracker.i18n import _, day
from tracker.periods import due_end, due_sort_key

if TYPE_CHECKING:
    from tracker.progress import Changes, PlanTrend, Trend
    from tracker.published import Published
    from tracker.reports import Discipline
    from tracker.rounds import Round
    from tracker.store import Repository


class Reader:
    """Questions a command asks of the database, answered from one snapshot."""

    def __init__(self, repo: Repository, today: date) -> None:
        self.repo = repo
        self.today = today

    # lookups ------------------------------------------------------------------------------

    def plan(self, plan_id: str) -> Plan:
        plan = self.repo.get_plan(check_plan_id(plan_id))
        if plan is None:
            raise NotFound(_("no plan {plan_id!r}").format(plan_id=plan_id),
                           _("See 'tracker plan list' for the plans."))
        return plan

    def item(self, address: str) -> Item:
        plan_id, ref = parse_address(address)
        self.plan(plan_id)
        item = self.repo.get_item(plan_id, ref)
        if item is None:
            raise NotFound(
                _("no item {address!r} in plan {plan_id!r}")
                .format(address=address, plan_id=plan_id),
                _("See 'tracker list {plan_id}' for its items.").format(plan_id=plan_id),
            )
        return item

    # reporting rounds (SPEC §14) --------------------------------------------------------

    def rounds(self, plan_id: str | None = None) -> list[Round]:
        """The rounds of one plan (its journal alone), or of every plan, in the order
        opened."""
        from tracker.rounds import ROUND_ACTIONS, rounds_of

        if plan_id is not None:
            self.plan(plan_id)
            return list(rounds_of(self.repo.events(
                plan=plan_id, actions=(*ROUND_ACTIONS, "undo"))).values())
        plans = sorted({str(e["id"]) for e in self.repo.events(actions=("round-open",))})
        return [one for plan in plans if self.repo.get_plan(plan) is not None
                for one in self.rounds(plan)]

    def executors(self) -> dict[str, str]:
        """The executors' addresses (``tracker executor set``), by name."""
        from tracker.history import live_events

        found: dict[str, str] = {}
        for event in sorted(live_events(self.repo.events(actions=("executor", "undo"))),
                            key=lambda e: int(e["seq"])):
            if event["action"] == "executor":
                if event.get("email"):
                    found[event["executor"]] = event["email"]
                else:
                    found.pop(event["executor"], None)
        return found

    def published(self, plan_id: str | None = None) -> list[Published]:
        """The published reports (of one plan: read from its journal alone)."""
        from tracker.published import PUBLISH_ACTIONS, published_of

        return list(published_of(self.repo.events(plan=plan_id,
                                                  actions=PUBLISH_ACTIONS)).values())

    def published_report(self, name: str) -> Published:
        """The report published as *name*, with what it printed and its measures."""
        for report in self.published():
            if report.name == name:
                return self.load_published(report)
        raise NotFound(_("no published report {name!r}").format(name=name),
                       _("See 'tracker published' for them."))

    def attachments(self, target: str | None = None) -> dict[str, dict[str, Any]]:
        """The evidence files of an item, of a plan's items or of every item: item id →
        name → (name, sha256, size, attached, note, actor), as the live journal leaves
        them (of items still there)."""
        from tracker.attachments import ATTACHMENT_ACTIONS, attachments_of

        plan = item = None
        if target is not None and ":" in target:
            item = self.item(target).id
        elif target is not None:
            plan = self.plan(target).id
        return self._present(attachments_of(self.repo.events(plan=plan, item=item,
                                                             actions=ATTACHMENT_ACTIONS)))

    def _present(self, found: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        """Of the items' files, those of items still there."""
        return {key: files for key, files in found.items()
                if self.repo.get_item(*key.split(":", 1)) is not None}

    def rounds_and_attachments(self, plan_id: str
                               ) -> tuple[list[Round], dict[str, dict[str, Any]]]:
        """A plan's rounds and its items' files (as ``rounds`` and ``attachments`` give
        them), from one read of its journal: what a report adds to its figures."""
        from tracker.attachments import ATTACHMENT_ACTIONS, attachments_of
        from tracker.rounds import ROUND_ACTIONS, rounds_of

        events = self.repo.events(plan=plan_id, actions=(*ROUND_ACTIONS, *ATTACHMENT_ACTIONS))
        of_rounds = {*ROUND_ACTIONS, "undo"}
        rounds = list(rounds_of(e for e in events if e["action"] in of_rounds).values())
        return rounds, self._present(attachments_of(
            e for e in events if e["action"] in ATTACHMENT_ACTIONS))

    def attachment(self, address: str, name: str) -> dict[str, Any]:
        """The file *name* kept with the item at *address*; NotFound when it has none."""
        item = self.item(address).id
        found = self.attachments(item).get(item, {}).get(name)
        if found is None:
            raise NotFound(_("{item} has no file named {name!r}").format(item=item, name=name),
                           _("See 'tracker attachments {item}'.").format(item=item))
        return found

    def kept_file_problems(self) -> list[str]:
        """Each file the database needs and cannot give back whole (an item's evidence, a
        published report's snapshot): what is wrong with it and what it is, one line each
        — what ``repair`` checks and cannot mend (a backup of the files can)."""
        uses: dict[str, list[str]] = {}
        for item, files in self.attachments().items():
            for found in files.values():
                uses.setdefault(found["sha256"], []).append(f"{item} {found['name']}")
        for report in self.published():
            if report.snapshot is not None:
                uses.setdefault(report.snapshot, []).append(
                    _("the published report {name}").format(name=report.name))
        problems = []
        for sha, used in uses.items():
            try:
                self.repo.get_file(sha)
            except StoreError as exc:
                problems.append(f"{exc.message} ({', '.join(used)})")
        return problems

    def load_published(self, *reports: Published) -> Published:
        """The *reports* with their snapshots (what each printed, and its measures) read
        from the files kept with the database; the first of them."""
        from tracker import jsonio

        for report in reports:
            if report.snapshot is not None:
                report.load(jsonio.loads(self.repo.get_file(report.snapshot)))
        return reports[0]

    def round(self, name: str, plan_id: str | None = None) -> Round:
        """The round called *name* (of *plan_id*, when the caller knows the plan)."""
        for one in self.rounds(plan_id):
            if one.name == name:
                return one
        raise NotFound(_("no round {name!r}").format(name=name),
                       _("See 'tracker round list' for the rounds."))

    def plans(self, plan_ids: tuple[str, ...] | list[str] = ()) -> list[Plan]:
        """The plans named (each once, in the order given), or every plan."""
        if plan_ids:
            return [self.plan(p) for p in dict.fromkeys(plan_ids)]
        return self.repo.plans()

    # items --------------------------------------------------------------------------------

    def items(self, plan_id: str | None = None, *, statuses: tuple[str, ...] = (),
              owner: str | None = None, responsible: str | None = None,
              area: str | None = None, overdue: bool = False,
              due_before: str | None = None, due_within: int | None = None,
              sort: str = "ref") -> list[Item]:
        """Items of one plan or of every plan, filtered; in plan and ref order, or by
        deadline (its last day). *due_within*: open items whose deadline ends from today
        to that many days ahead. *owner* matches any executor, *responsible* the first."""
        if plan_id is not None:
            self.plan(plan_id)
        found = self.repo.items(plan_id)
        wanted = set(statuses)
        day = self.today.isoformat()
        horizon = None if due_within is None else (self.today
                                                   + timedelta(days=due_within)).isoformat()
        owner_key = owner.casefold() if owner is not None else None
        responsible_key = responsible.casefold() if responsible is not None else None
        area_key = area.casefold() if area is not None else None
        found = [
            i for i in found
            if (not wanted or i.status in wanted)
            and (owner_key is None or owner_key in (o.casefold() for o in i.owners))
            and (responsible_key is None
                 or bool(i.owners) and i.owners[0].casefold() == responsible_key)
            and (area_key is None or i.area.casefold() == area_key)
            and (not overdue or i.is_overdue(day))
            and (due_before is None or ((end := due_end(i.due)) is not None
                                        and end < due_before))
            and (horizon is None or (i.status in OPEN and (end := due_end(i.due)) is not None
                                     and day <= end <= horizon))
        ]
        found.sort(key=lambda i: (i.plan, ref_sort_key(i.ref)))
        if sort == "due":
            found.sort(key=lambda i: due_sort_key(i.due))
        return found

    def plans_with_items(
        self, plan_ids: tuple[str, ...], as_of: str | None = None,
        later: dict[str, int] | None = None, files: dict[str, list[dict[str, Any]]] | None = None,
    ) -> Iterator[tuple[Plan, list[Item]]]:
        """The chosen plans (all when none named), each with its items now or as of a day.

        A generator, so that a report of every plan holds one plan's items at a time. With
        *as_of*, *later* receives per plan how many of its items were added after that day,
        and *files* its items' evidence files of that day (as ``attachment_rows`` gives
        them), from the same read of its history.
        """
        plans = self.plans(plan_ids)
        if as_of is None:
            return ((p, self.repo.items(p.id)) for p in plans)
        return _as_of(plans, self.repo.plan_events([p.id for p in plans]), as_of, later, files)

    # progress over time -------------------------------------------------------------------

    def changes(self, plan: Plan, since: str, as_of: str | None, rules: Rules,
                by: str | None = None, recorded: bool = False) -> Changes:
        """What moved in *plan* from *since* to *as_of* (today when None); *recorded*:
        what was typed in since that day, whatever the days it is dated."""
        from tracker.progress import changes_between, states_then_and_now

        events = self.repo.events(plan=plan.id)
        if not recorded:
            _check_known(events, since)
        end = as_of or self.today.isoformat()
        then, now = states_then_and_now(events, plan.id, since, end, recorded)
        found = changes_between(then, now, since, rules, by, recorded)
        from tracker.attachments import ATTACHMENT_ACTIONS, attachment_rows, attachments_of

        files = [e for e in events if e["action"] in ATTACHMENT_ACTIONS]
        if files:  # the files a briefing's span attached and detached
            known = files if not recorded else [e for e in files if e["at"][:10] < since]
            found.file_changes(
                attachment_rows(attachments_of(known, end if recorded else since),
                                [Item.from_dict(i) for i in then]),
                attachment_rows(attachments_of(files, end), [Item.from_dict(i) for i in now]))
        return found

    def rate_trend(self, plan: Plan, last: str, rules: Rules) -> PlanTrend:
        """The plan's rate over its span, for a small chart: by month, or by quarter or
        year when months would be more than 24 points."""
        for by in ("month", "quarter", "year"):
            found = self.trend((plan.id,), by, None, last, rules).plans[0]
            if len(found.rows) <= 24:
                break
        return found

    def trend(self, plan_ids: tuple[str, ...], by: str, first: str | None,
              last: str | None, rules: Rules) -> Trend:
        """The trend of the chosen plans (all when none named) by month, quarter or year,
        from *first* (default: the earliest plan's start or first event) to *last*
        (default: today)."""
        from tracker.history import history_known_from
        from tracker.progress import Trend, first_day, plan_trend, spans

        plans = self.plans(plan_ids)
        end = last or self.today.isoformat()
        journals = {p.id: self.repo.events(plan=p.id) for p in plans}
        if first is None:  # from the earliest start, or the day the history is known from
            starts = [d for p in plans if (d := first_day(journals[p.id], p.start))]
            known = [d for events in journals.values() if (d := history_known_from(events))]
            first = min(max([min(starts, default=end), *known]), end)
        elif first > end:
            raise InvalidValue(_("--from {first} is after --to {last}: the span must run "
                                 "forward").format(first=day(first), last=day(end)))
        for events in journals.values():
            _check_known(events, first)
        periods = spans(first, end, by)
        return Trend(by, first, end, rules,
                     [plan_trend(journals[p.id], p.id, p.title, periods, rules)
                      for p in plans])

    def discipline(self, plan_ids: tuple[str, ...], by: str, first: str | None,
                   last: str | None, as_of: str | None) -> Discipline:
        """The executive-discipline report of the chosen plans (all when none named): the
        deadlines that fell from *first* (default: the earliest plan's start) to *last*
        (default: the as-of day), as things stood on *as_of* (default: today)."""
        from tracker.reports import discipline_report

        plans = self.plans(plan_ids)
        day_of = as_of or self.today.isoformat()
        end = last or day_of
        if first is None:
            first = min((p.start for p in plans if p.start), default=None)
            if first is not None and first > end:
                raise InvalidValue(_("{day} is before the plans' start on {start}: no deadline "
                                     "has fallen yet; give a later --to or --as-of").format(
                    day=day(end), start=day(first)))
        elif first > end:
            raise InvalidValue(_("--from {first} is after --to {last}: the span must run "
                                 "forward").format(first=day(first), last=day(end)))
        return discipline_report(self.plans_with_items(tuple(p.id for p in plans), as_of),
                                 by, first, end, day_of)

    # plans --------------------------------------------------------------------------------

    def plan_summaries(self) -> list[dict[str, Any]]:
        """A row per plan: id, title, items, fulfilled, rate (the default rule)."""
        summaries = []
        for p in self.repo.plans():
            t = tally(self.repo.items(p.id), Rules())
            summaries.append({"id": p.id, "title": p.title, "items": t.total,
                              "fulfilled": t.fulfilled, "rate": t.rate})
        return summaries

    def plan_record(self, plan_id: str) -> dict[str, Any]:
        """A plan's fields with its counts and rate."""
        plan = self.plan(plan_id)
        t = tally(self.repo.items(plan.id), Rules())
        return {**plan.to_dict(), "items": t.total, "fulfilled": t.fulfilled, "rate": t.rate}

    # history ------------------------------------------------------------------------------

    def item_record(self, address: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """An item in its JSON keys, with its history. A removed item is gone from the
        plan, not from the journal: its last state, and when and by whom it was removed."""
        try:
            item = self.item(address)
            record = {**item.to_json(self.today.isoformat()),
                      "moves": [dict(move) for move in item.moves]}
        except NotFound:
            from tracker.history import removed_record

            plan_id, ref = parse_address(address)
            history = self.repo.events(item=f"{plan_id}:{ref}")
            gone = removed_record(history)
            if gone is None:
                raise
            return gone, history
        return record, self.repo.events(item=record["id"])

    def log(self, target: str | None = None, since: str | None = None) -> list[dict[str, Any]]:
        """The journal, of everything or of a plan or item (removed ones too), newest first;
        *since*: only what was recorded on or after that day."""
        plan = item = None
        if target is not None:
            try:
                if ":" in target:
                    item = self.item(target).id
                else:
                    plan = self.plan(target).id
            except NotFound:
                # Removed plans and items keep their history: show it when there is one.
                if ":" in target:
                    item = "{}:{}".format(*parse_address(target))
                else:
                    plan = check_plan_id(target)
                if not self.repo.events(plan=plan, item=item):
                    raise
        events = self.repo.events(plan=plan, item=item)
        if since:
            events = [e for e in events if e["at"][:10] >= since]
        events.reverse()
        return events

    def undo_target(self) -> tuple[int, list[dict[str, Any]]]:
        """The last step that changed data and is not undone yet, with its events.

        Steps are read newest first, only as far back as needed: an undo is recorded after
        the step it reverts, so every undo of a step has been seen when the step is reached.
        """
        undone: set[int] = set()
        for events in self.repo.recent_steps():
            undone.update(e["undoes"] for e in events if e.get("action") == "undo")
            step = events[0]["step"]
            if any(e.get("action") == "repair" for e in events):
                raise TrackerError(
                    _("nothing to undo: the journal was repaired in step {step} ('tracker "
                      "repair'), and the steps before it cannot be undone")
                    .format(step=step))
            # Undo and restore steps are not themselves reverted: undo goes further back.
            if step not in undone and not any(e.get("action") in ("undo", "restore")
                                              for e in events):
                acting = self.repo.acting_for()
                if acting is not None:  # a role acting for executors (SPEC §15)
                    from tracker.rights import check_undo

                    check_undo(str(self.repo.actor()), acting, step, events)
                return step, events
        raise TrackerError(_("nothing to undo: no change is left to revert"))


def _check_known(events: list[dict[str, Any]], wanted: str) -> None:
    """Refuse a day before the history a repaired journal still knows."""
    from tracker.history import history_known_from

    known = history_known_from(events)
    if known is not None and wanted < known:
        raise StoreError(
            _("the journal lost the history before {known} ('tracker repair'): a report as "
              "of {as_of} cannot be rebuilt")
            .format(known=day(known), as_of=day(wanted)),
            _("Report as of {known} or later ('tracker log' shows the repair).")
            .format(known=day(known)))


def _as_of(plans: list[Plan], histories: Iterator[list[dict[str, Any]]], as_of: str,
           later: dict[str, int] | None, files: dict[str, list[dict[str, Any]]] | None
           ) -> Iterator[tuple[Plan, list[Item]]]:
    from tracker.attachments import ATTACHMENT_ACTIONS, attachment_rows, attachments_of
    from tracker.history import as_of_state

    for plan, events in zip(plans, histories, strict=True):
        _check_known(events, as_of)
        items, count = as_of_state(events, plan.id, as_of)
        if later is not None:
            later[plan.id] = count
        if files is not None:
            files[plan.id] = attachment_rows(attachments_of(
                (e for e in events if e["action"] in ATTACHMENT_ACTIONS), as_of), items)
        yield plan, items
