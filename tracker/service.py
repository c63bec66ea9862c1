"""The write side: every change goes through here and writes its events.

One ``Tracker`` serves one command, so one command is one journal step (one undo). It
works on a ``Repository`` and knows nothing of click, files or the terminal; its lookups
are the read side's (``queries.Reader``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from tracker.control import Move, follow_due
from tracker.domain import (
    DERIVED_KEYS,
    EDITABLE_ITEM_FIELDS,
    EDITABLE_PLAN_FIELDS,
    EVENT_KEYS,
    Item,
    Plan,
    check_plan_id,
    check_ref,
    check_title,
    next_ref,
    resolve_due,
    status_text,
)
from tracker.errors import (
    BadRows,
    Conflict,
    Duplicate,
    Forbidden,
    InvalidValue,
    NotFound,
    StoreError,
    shown,
)
from tracker.history import (
    FOREVER,
    NOT_FOLDED,
    as_of_state,
    item_state,
    items_as_of,
    live_events,
    plans_from_journal,
)
from tracker.i18n import _, current, day, ngettext
from tracker.periods import PLAN_YEAR, due_end, period_text
from tracker.queries import Reader
from tracker.rounds import ACCEPTED, AWAITING, check_round_name

if TYPE_CHECKING:
    from tracker.published import Published
    from tracker.readers import Row
    from tracker.rounds import Answer, Round
    from tracker.store import Repository

# A status change without a new reason clears the old one when the new status needs none.
STATUSES_WITHOUT_REASON = frozenset({"fulfilled", "in-progress", "not-started"})
# Fields an add does not journal: the plan and dates are the event's, the rest derived.
NOT_RECORDED = frozenset({"plan", "created", "updated", *DERIVED_KEYS})
NO_MOVE = Move()


class Tracker:
    """The changes commands make, on one repository, for one actor, on one day."""

    def __init__(self, repo: Repository, actor: str, today: date, now: str) -> None:
        self.acting = repo.acting_for()  # a server role acting for executors (SPEC §15)
        if self.acting is not None:
            from tracker.rights import ActingRepository

            repo = ActingRepository(repo, self.acting, actor)  # type: ignore[assignment]
        self.repo = repo
        self.actor = actor
        self.today = today
        self.now = now  # UTC timestamp of this command, ISO 8601
        self.read = Reader(repo, today)
        self._step: int | None = None
        self._seq = 0
        self._recorded: list[dict[str, Any]] = []  # this command's events
        # What an import would do to each row it adds or updates (for --dry-run):
        # ("add", address, [title]) or ("update", address, [fields changed]).
        self.import_details: list[tuple[str, str, list[str]]] = []

    # journal --------------------------------------------------------------------------

    def _record(
        self,
        target: str,
        action: str,
        changes: dict[str, list[Any]],
        *,
        effective: str | None = None,
        reason: str = "",
        note: str = "",
        extra: dict[str, Any] | None = None,
        actor: str | None = None,
    ) -> dict[str, Any]:
        if self._step is None:
            self._step = self.repo.last_step() + 1
            self._seq = self.repo.last_seq()
        self._seq += 1
        event = dict(
            zip(
                EVENT_KEYS,
                (
                    self._seq, self.now, actor or self.actor,
                    effective or self.today.isoformat(),
                    target, action, changes, reason, note, self._step,
                ),
                strict=True,
            )
        )
        if extra:
            event.update(extra)
        if self.acting is not None:  # a role acting for executors (SPEC §15)
            event["acting_for"] = self._check_acting(event, self.acting)
        self.repo.append_events([event])
        self._recorded.append(event)
        return event

    def _check_acting(self, event: dict[str, Any], acting: list[str]) -> list[str]:
        """The executors a role acting for *acting* writes *event* for; Forbidden (one
        line, nothing written) when it is not one of their measures' status, reason or
        evidence, their answer, or a file attached to their measure."""
        from tracker.rights import EXECUTOR_ACTIONS, check_item, not_allowed

        target = str(event["id"])
        plan_id, _sep, ref = target.partition(":")
        if event["action"] == "amend" and any(  # what its own change does to a report
                str(e["id"]).startswith(f"{plan_id}:") for e in self._recorded):
            return sorted({name for e in self._recorded for name in e.get("acting_for", ())})
        if event["action"] == "undo" and not ref:  # of its own amendment (check_undo)
            return list(acting)
        if not ref or event["action"] not in EXECUTOR_ACTIONS:
            raise not_allowed(self.actor, acting, event["action"], target)
        item = self.repo.get_item(plan_id, ref)
        fields = set(event["changes"])
        if item is not None and item.created and str(event["effective"]) < item.created:
            fields.add("created")  # (a change dated before the measure was added)
        ours = check_item(self.actor, acting, item, target, fields)
        if event["action"] == "answer" and event.get("executor") not in acting:
            raise Forbidden(_("role '{role}' acts for {executors} and may not answer for "
                              "{executor} on {item}; nothing was written").format(
                role=self.actor, executors=", ".join(acting), executor=event.get("executor"),
                item=target))
        return ours

    # lookups (the read side's, on the same snapshot) ------------------------------------

    def plan(self, plan_id: str) -> Plan:
        return self.read.plan(plan_id)

    def item(self, address: str) -> Item:
        return self.read.item(address)

    # plans ----------------------------------------------------------------------------

    def add_plan(self, plan_id: str, title: str, **fields: Any) -> Plan:
        check_plan_id(plan_id)
        if self.repo.get_plan(plan_id) is not None:
            raise Duplicate(_("plan {plan_id!r} already exists").format(plan_id=plan_id),
                            _("Choose another id."))
        values = {k: v for k, v in fields.items() if v not in (None, "")}
        plan = Plan(id=plan_id, title=check_title(title), created=self.today.isoformat(),
                    **values)
        _check_span(plan.start, plan.end)
        self.repo.put_plan(plan)
        changes = {"id": [None, plan_id], "title": [None, plan.title]}
        changes.update({k: [None, v] for k, v in values.items()})
        changes["created"] = [None, plan.created]
        self._record(plan_id, "plan-add", changes)
        return plan

    def edit_plan(self, plan_id: str, **fields: Any) -> dict[str, list[Any]]:
        plan = self.plan(plan_id)
        if "title" in fields:
            fields["title"] = check_title(fields["title"])
        changes = _apply(plan, {k: v for k, v in fields.items() if k in EDITABLE_PLAN_FIELDS})
        _check_span(plan.start, plan.end)
        if changes:
            self.repo.put_plan(plan)
            self._record(plan_id, "plan-edit", changes)
        return changes

    def remove_plan(self, plan_id: str, *, force: bool = False) -> list[Item]:
        """Remove a plan; with *force* its items go too, each journaled so undo restores."""
        plan = self.plan(plan_id)
        if self.acting is not None:  # (SPEC §15) said of the plan, not of its first measure
            from tracker.rights import not_allowed

            raise not_allowed(self.actor, self.acting, "plan-remove", plan_id)
        items = self.repo.items(plan_id)
        if items and not force:
            raise Conflict(
                ngettext("plan {plan_id!r} has {count} item; nothing was removed",
                         "plan {plan_id!r} has {count} items; nothing was removed", len(items))
                .format(plan_id=plan_id, count=len(items)),
                _("Add --force to remove the plan with its items (undo brings them back)."),
            )
        for item in reversed(items):
            self._remove_item(item)
        self.repo.delete_plan(plan_id)
        changes = {k: [v, None] for k, v in plan.to_dict().items() if v not in (None, "")}
        self._record(plan_id, "plan-remove", changes)
        return items

    # items ----------------------------------------------------------------------------

    def add_item(
        self,
        plan_id: str,
        title: str,
        *,
        ref: str | None = None,
        on: str | None = None,
        action: str = "add",
        note: str = "",
        **fields: Any,
    ) -> Item:
        self.plan(plan_id)
        if ref is None:
            ref = next_ref(self.repo.refs(plan_id))
        elif self.repo.get_item(plan_id, check_ref(ref)) is not None:
            raise Duplicate(
                _("item {plan_id}:{ref} already exists").format(plan_id=plan_id, ref=ref),
                _("Use 'tracker update {plan_id}:{ref}' to change it, or another --ref.")
                .format(plan_id=plan_id, ref=ref),
            )
        effective = self._effective(on)
        values = {k: v for k, v in fields.items() if v not in (None, "", [])}
        if "due" in values:
            values["due"] = resolve_due(values["due"], self.plan(plan_id))
        item = Item(plan=plan_id, ref=ref, title=check_title(title), created=effective,
                    updated=effective, **values)
        self.repo.put_item(item)
        changes = {k: [None, v] for k, v in item.to_dict().items()
                   if k not in NOT_RECORDED and v not in (None, "", [])}
        self._record(item.id, action, changes, effective=effective, reason=item.reason,
                     note=note)
        return item

    def update_items(
        self,
        addresses: list[str],
        fields: dict[str, Any],
        *,
        on: str | None = None,
        note: str = "",
        action: str = "update",
        move: Move = NO_MOVE,
    ) -> list[tuple[Item, dict[str, list[Any]]]]:
        """Apply the same changes to every item; all are checked before any is changed."""
        if not fields and not note:
            raise InvalidValue(_("nothing to update: give at least one option such as "
                                 "--status"))
        if "title" in fields:
            fields["title"] = check_title(fields["title"])
        if move.correct and "due" not in fields:
            raise InvalidValue(_("--correct goes with --due: it corrects a deadline typed "
                                 "wrong"))
        items = [self.item(address) for address in _unique(addresses)]
        if self.acting is not None:  # (SPEC §15) refused even where nothing would change
            from tracker.rights import check_item

            for item in items:
                check_item(self.actor, self.acting, item, item.id,
                           {k for k in fields if k in EDITABLE_ITEM_FIELDS})
        return [(item, self.change_item(item, fields, on=on, note=note, action=action,
                                        move=move))
                for item in items]

    def change_item(
        self,
        item: Item,
        fields: dict[str, Any],
        *,
        on: str | None = None,
        note: str = "",
        action: str = "update",
        note_alone: bool = True,
        move: Move = NO_MOVE,
        extra: dict[str, Any] | None = None,
    ) -> dict[str, list[Any]]:
        """Change one item's fields, recording what changed; return the changes.

        With *note_alone* a note is journaled even when no field changed. A new deadline
        of an item that has had one is a move: recorded as an event of its own (``move``)
        with its reason, which it needs, and basis; with ``move.correct`` it is a
        correction instead (SPEC §13).
        """
        wanted = {k: v for k, v in fields.items() if k in EDITABLE_ITEM_FIELDS}
        if wanted.get("due") == PLAN_YEAR:
            wanted["due"] = resolve_due(PLAN_YEAR, self.plan(item.plan))
        kind = self._deadline_change(item, wanted, move)
        if "due" in fields and "status" not in wanted and not move.correct:
            wanted.pop("reason", None)  # --reason with --due says why the deadline moved
        if (
            "status" in wanted
            and "reason" not in wanted
            and wanted["status"] != item.status
            and wanted["status"] in STATUSES_WITHOUT_REASON
        ):
            wanted["reason"] = ""
        effective = self._effective(on)
        back_dated = effective < item.updated
        old_due, new_due = item.due, wanted.pop("due", item.due)
        changes = _apply(item, wanted)
        moved: list[Any] | None = None  # the move's [old, new]: an event of its own, below
        if kind is not None:
            follow_due(item, new_due, effective, correct=move.correct, reason=move.reason,
                       basis=move.basis, actor=self.actor)
            item.due = new_due
            if kind == "move":
                moved = [old_due, new_due]
            else:
                changes["due"] = [old_due, new_due]
        elif new_due != old_due:  # the first deadline: its original
            changes.update(_apply(item, {"due": new_due}))
            item.due_original = new_due
        if not changes and moved is None and not (note and note_alone):
            return {}
        if (changes or moved) and effective < item.created:
            # History typed in after the fact: the item existed since then.
            changes["created"] = [item.created, effective]
            item.created = effective
        if "status" in changes:
            item.status_since = effective
        if changes or moved:
            item.updated = max(item.updated, effective)
            self.repo.put_item(item)
        if changes or not moved:
            reason = fields.get("reason") or (item.reason if "status" in changes else "")
            self._record(item.id, action, changes, effective=effective, reason=reason,
                         note=note, extra={**(extra or {}),
                                           **({"correct": True} if move.correct else {})})
        if moved:
            self._record(item.id, "move", {"due": moved}, effective=effective,
                         reason=move.reason, note=note if not changes else "",
                         extra={"basis": move.basis} if move.basis else None)
            changes = {**changes, "due": moved}
        if back_dated and changes:  # a later-dated change of a field still wins
            self._rebuild({item.id})
        return changes

    def _deadline_change(self, item: Item, wanted: dict[str, Any], move: Move) -> str | None:
        """Check a change of *item*'s deadline: ``move`` or (``move.correct``) ``correct``;
        None when the deadline does not change or this is its first one."""
        if "due" not in wanted or wanted["due"] == item.due:
            return None
        had = item.due_original is not None or bool(item.moves)
        if move.correct and not had:
            raise InvalidValue(
                _("--correct: {item} has no deadline to correct; give it one with --due "
                  "alone").format(item=item.id))
        if not had:
            return None
        old, new = item.due, wanted["due"]
        if not move.correct and not move.reason.strip():
            raise InvalidValue(
                _("moving the deadline of {item} from {old} to {new} needs --reason: a "
                  "deadline is moved by a decision, and the report says why")
                .format(item=item.id, old=due_text(old), new=due_text(new)),
                _("Add --reason \"…\" (and --basis \"the decision of …\"), or --correct if "
                  "the old deadline was a typo."))
        start = self.plan(item.plan).start
        end = due_end(new)
        if start and end is not None and end < start:
            raise InvalidValue(
                _("the deadline of {item} cannot move to {new}: it ends before the plan "
                  "starts ({start})").format(item=item.id, new=due_text(new), start=day(start)))
        return "correct" if move.correct else "move"

    def _effective(self, on: str | None) -> str:
        today = self.today.isoformat()
        if on is not None and on > today:
            raise InvalidValue(_("--on {on} is in the future: record a change once it happened")
                               .format(on=day(on)))
        return on or today

    def import_rows(
        self,
        plan_id: str,
        rows: Iterable[Row],
        *,
        source: str,
        create_title: str | None = None,
        on: str | None = None,
        each: Callable[[list[Row]], Iterable[Row]] | None = None,
        move: Move = NO_MOVE,
    ) -> dict[str, list[str]]:
        """Add or update a plan's items from validated rows, as one step.

        Rows are matched by ref; a row without one gets the next integer ref that is free
        in the plan and in the file. *each* wraps the loop over the rows (a progress bar).
        A row that gives a measure a new deadline moves it: the row's reason, else
        *move*'s, says why; every row that has neither is a bad row (nothing is written).
        """
        plan = self.repo.get_plan(check_plan_id(plan_id))
        if plan is None:
            if create_title is None:
                raise NotFound(_("no plan {plan_id!r}").format(plan_id=plan_id),
                               _("Add --title TEXT to create it with the import."))
            plan = self.add_plan(plan_id, create_title)
        rows = _with_plan_year(list(rows), plan)
        self._executors_and_moves(plan_id, rows, move)
        # A row without a ref takes the next number that neither the plan nor any row of
        # the file uses, so it never becomes the item a later row names.
        existing = set(self.repo.refs(plan_id)) | {row.ref for row in rows if row.ref}
        counter = int(next_ref(self.repo.refs(plan_id))) - 1
        note = f"imported from {source}"
        result: dict[str, list[str]] = {"added": [], "updated": [], "unchanged": []}
        self.import_details = []
        for row in (each(rows) if each is not None else rows):
            ref = row.ref
            if ref is None:
                counter += 1
                while str(counter) in existing:
                    counter += 1
                ref = str(counter)
            item = self.repo.get_item(plan_id, ref)
            if item is None:
                values = dict(row.values)
                self.add_item(plan_id, values.pop("title"), ref=ref, action="import",
                              note=note, on=on, **values)
                existing.add(ref)
                if ref.isdigit():
                    counter = max(counter, int(ref))
                result["added"].append(ref)
                self.import_details.append(("add", f"{plan_id}:{ref}", [row.values["title"]]))
            elif changes := self.change_item(
                    item, row.values, action="import", note=note, on=on, note_alone=False,
                    move=move._replace(reason=row.values.get("reason") or move.reason)):
                result["updated"].append(ref)
                self.import_details.append(("update", f"{plan_id}:{ref}", list(changes)))
            else:
                result["unchanged"].append(ref)
        return result

    def _executors_and_moves(self, plan_id: str, rows: list[Row], move: Move) -> None:
        """Co-executors joined to the owners (after the responsible one, or after the
        measure's own responsible executor when the file names none); every new deadline
        of a measure that had one checked for a reason, before anything is written."""
        problems = []
        for row in rows:
            values = row.values
            item = self.repo.get_item(plan_id, row.ref) if row.ref is not None else None
            if "co" in values:
                co = values.pop("co")
                first = values.get("owners", item.owners[:1] if item is not None else [])
                values["owners"] = list(dict.fromkeys([*first, *co]))
            if item is None or "due" not in values or values["due"] == item.due:
                continue
            if (item.due_original is not None or item.moves) and not (
                    values.get("reason") or move.reason):
                problems.append(
                    _("{where}: due: moving the deadline of {item} from {old} to {new} needs a "
                      "reason: add a reason column, or give --reason")
                    .format(where=row.where, item=item.id, old=due_text(item.due),
                            new=due_text(values["due"])))
        if problems:
            raise BadRows(problems)

    def remove_items(self, addresses: list[str]) -> list[Item]:
        items = [self.item(address) for address in _unique(addresses)]
        for item in items:
            self._remove_item(item)
        return items

    def _remove_item(self, item: Item) -> None:
        self.repo.delete_item(item.plan, item.ref)
        changes = {k: [v, None] for k, v in item.to_dict().items()
                   if k != "plan" and k not in DERIVED_KEYS and v not in (None, "", [])}
        self._record(item.id, "remove", changes)

    # reporting rounds (SPEC §14) ----------------------------------------------------------

    def open_round(self, plan_id: str, name: str | None, due: str | None,
                   as_of: str | None) -> Round:
        """Open a round of requests on *plan_id*: every measure still under control is
        asked of each of its executors (responsible and co-executors)."""
        from tracker.rounds import NOT_ASKED, Round

        plan = self.plan(plan_id)
        as_of = self._effective(as_of)
        if due is not None and due < self.today.isoformat():
            raise InvalidValue(_("--due {due} has passed: answers are asked for by a day to "
                                 "come").format(due=day(due)))
        taken = {one.name for one in self.read.rounds()}
        if name is None:
            n = 1 + sum(1 for one in self.read.rounds(plan_id))
            while f"{plan_id}-{n}" in taken:
                n += 1
            name = f"{plan_id}-{n}"
        else:
            name = check_round_name(name)
            if name in taken:
                raise Duplicate(_("a round {name!r} already exists").format(name=name),
                                _("Choose another --name."))
        if as_of == self.today.isoformat():
            items = self.repo.items(plan_id)
        else:
            items = items_as_of(self.repo.events(plan=plan_id), plan_id, as_of)
        asked: dict[str, list[list[Any]]] = {}
        for item in items:
            if item.status in NOT_ASKED:
                continue
            for executor in item.owners:
                asked.setdefault(executor, []).append([item.ref, item.title, item.due])
        if not asked:
            raise InvalidValue(
                _("round of {plan}: no measure under control has an executor to ask; nothing "
                  "was written").format(plan=plan_id),
                _("Name executors with 'tracker update ITEM --responsible NAME'."))
        event = self._record(plan.id, "round-open", {}, extra={
            "round": name, "due": due, "as_of": as_of, "asked": asked})
        return Round(event)

    def close_round(self, name: str) -> Round:
        found = self.read.round(name)
        if not found.is_open:
            raise Conflict(_("round {name!r} was closed on {day}").format(
                name=name, day=day(found.closed or "")))
        self._record(found.plan, "round-close", {}, extra={"round": name})
        found.closed = self.today.isoformat()
        return found

    def record_answers(self, plan_id: str,
                       forms: list[tuple[str, str, list[tuple[str, dict[str, str], int]], str]],
                       on: str | None = None) -> list[dict[str, list[str]]]:
        """File executors' answers in rounds of *plan_id*: per form (round, executor, its
        answers: ref, what they wrote, the form's row; and the file it came in), the refs
        recorded and those unchanged (the same answer again). The plan's rounds are read
        once for all the forms. A form of a closed round, of another plan or executor is
        refused."""
        rounds = {one.name: one for one in self.read.rounds(plan_id)}
        return [self._record_form(plan_id, rounds, name, executor, answers, on, source)
                for name, executor, answers, source in forms]

    def _record_form(self, plan_id: str, rounds: dict[str, Round], name: str, executor: str,
                     answers: list[tuple[str, dict[str, str], int]],
                     on: str | None, source: str) -> dict[str, list[str]]:
        found = rounds.get(name)
        if found is None:
            other = self.read.round(name)  # NotFound when there is no such round at all
            raise Conflict(_("this form is of round {name!r} of plan {plan!r}, not of "
                             "{wanted!r}; nothing was imported")
                           .format(name=name, plan=other.plan, wanted=plan_id))
        if not found.is_open:
            raise Conflict(_("round {name!r} was closed on {day}: its forms are no longer "
                             "taken; nothing was imported")
                           .format(name=name, day=day(found.closed or "")))
        if executor not in found.asked:
            raise Conflict(_("round {name!r} asked nothing of {executor}; nothing was imported")
                           .format(name=name, executor=shown(executor)))
        if self.acting is not None and executor not in self.acting:  # (SPEC §15)
            raise Forbidden(_("role '{role}' acts for {executors} and may not import the "
                              "form of {executor} in round {name!r}; nothing was imported")
                            .format(role=self.actor, executors=", ".join(self.acting),
                                    executor=executor, name=name))
        asked = {row[0] for row in found.asked_of(executor)}
        problems = [_("{name}, row {row}: measure {ref} was not asked of {executor} in this "
                      "round").format(name=source, row=line, ref=ref, executor=shown(executor))
                    for ref, _answer, line in answers if ref not in asked]
        if problems:
            raise BadRows(problems)
        done: dict[str, list[str]] = {"recorded": [], "unchanged": []}
        for ref, answer, _line in answers:
            known = found.answers[(executor, ref)]
            if known.state in (AWAITING, ACCEPTED) and known.answer == answer:
                done["unchanged"].append(ref)
                continue
            # reported by the executor (the actor); filed_by says who imported it
            said = answer_text(answer)
            event = self._record(f"{plan_id}:{ref}", "answer", {}, actor=executor, note=said,
                                 effective=self._effective(on), extra={
                "round": name, "executor": executor, "answer": answer,
                "filed_by": self.actor})
            known.state, known.answer, known.reason = AWAITING, dict(answer), ""
            known.seq, known.effective = int(event["seq"]), str(event["effective"])
            done["recorded"].append(ref)
        return done

    def _awaited(self, item: Item, name: str | None, executor: str | None,
                 states: tuple[str, ...]) -> tuple[Round, Answer, list[Answer]]:
        """The answer on *item* that accept or return acts on, and the co-executors'
        answers that say otherwise when the responsible executor's was chosen."""
        candidates = [(one, answer) for one in self.read.rounds(item.plan)
                      if one.is_open and (name is None or one.name == name)
                      for answer in one.answers.values()
                      if answer.ref == item.ref and answer.state in states
                      and (executor is None or answer.executor == executor)]
        if name is not None:
            self.read.round(name, item.plan)
        if not candidates:
            raise NotFound(_("{item} has no answer awaiting acceptance{where}").format(
                item=item.id, where="" if name is None else
                _(" in round {name!r}").format(name=name)),
                _("See 'tracker list --awaiting'."))
        if len(candidates) > 1:
            responsible = [c for c in candidates if item.owners[:1] == [c[1].executor]]
            if len(responsible) == 1 and executor is None:
                (found, taken), = responsible
                return found, taken, [c[1] for c in candidates if c[1].executor !=
                                      taken.executor and c[1].answer != taken.answer]
            raise Conflict(_("{item} has answers from {executors}: say whose with --executor")
                           .format(item=item.id, executors=", ".join(
                               shown(c[1].executor) for c in candidates)))
        return candidates[0][0], candidates[0][1], []

    def accept(self, addresses: list[str], name: str | None, executor: str | None,
               on: str | None
               ) -> tuple[list[tuple[Item, Answer, str]], list[tuple[Item, Answer]]]:
        """Take the awaited answers into the plan: status, reason and evidence as the
        executor reported them, effective the day they reported (or *on*); each measure
        with the answer taken and its round's name, and the co-executors' answers that
        said otherwise and were not taken."""
        done = []
        otherwise: list[tuple[Item, Answer]] = []
        for address in _unique(addresses):
            item = self.item(address)
            found, answer, differing = self._awaited(item, name, executor, (AWAITING,))
            otherwise.extend((item, other) for other in differing)
            remarks = answer.answer.get("reason", "")
            fields = {k: v for k, v in answer.answer.items() if v and k != "reason"}
            status = fields.get("status", item.status)
            if status not in STATUSES_WITHOUT_REASON and remarks:
                fields["reason"] = remarks  # why it is not (fully) done
            said = _("the answer of {executor} in round {name}").format(
                executor=answer.executor, name=found.name)
            if remarks and "reason" not in fields:
                said += ": " + remarks
            self.change_item(item, fields, on=on or answer.effective, action="accept",
                             note=said,
                             extra={"round": found.name, "executor": answer.executor,
                                    "answer_seq": answer.seq})
            done.append((item, answer, found.name))
        return done, otherwise

    def return_answers(self, addresses: list[str], reason: str, name: str | None,
                       executor: str | None) -> list[tuple[Item, Answer, str]]:
        if not reason.strip():
            raise InvalidValue(_("--reason is empty: say why the answer goes back"))
        done = []
        for address in _unique(addresses):
            item = self.item(address)
            found, answer, _differing = self._awaited(item, name, executor, (AWAITING,))
            self._record(item.id, "return", {}, reason=reason, extra={
                "round": found.name, "executor": answer.executor, "answer_seq": answer.seq})
            done.append((item, answer, found.name))
        return done

    def set_executor(self, name: str, email: str | None) -> None:
        """An executor's address for reminders (``--email ''`` forgets it)."""
        import re

        if email and not re.fullmatch(r"[^@\s<>\"(),;:]+@[^@\s<>\"(),;:]+\.[^@\s<>\"(),;:]+",
                                      email):
            raise InvalidValue(_("invalid e-mail address {value}: write it as name@example.org")
                               .format(value=shown(email)))
        known = self.read.executors()
        if known.get(name) == (email or None):
            return
        self._record("*", "executor", {}, extra={"executor": name, "email": email or None})

    # published reports (SPEC §14) --------------------------------------------------------

    def publish(self, name: str, plans: list[tuple[Plan, list[Item]]], as_of: str, fmt: str,
                output: bytes, json_text: str, args: dict[str, Any]) -> str:
        """Freeze a report as it was handed out: an event on each of its plans."""
        from tracker.published import publish_extra, snapshot_of

        name = check_round_name(name, "published report")
        if any(report.name == name for report in self.read.published()):
            raise Duplicate(_("a published report {name!r} already exists").format(name=name),
                            _("Choose another name, or see 'tracker published'."))
        snapshot = self.repo.put_file(snapshot_of(plans, output, json_text))
        extra = publish_extra(name, plans, as_of, fmt, output, args, snapshot)
        for plan, _items in plans:
            self._record(plan.id, "publish", {}, extra=extra)
        return str(extra["sha256"])

    def amendments(self) -> list[dict[str, Any]]:
        """What this command's changes would do to published reports: one entry per report
        and plan whose figures or lists they alter (name, plan, its day, before, after;
        ``restored`` when back to what was published; ``recorded`` when the journal says so
        already after this step, and no amend event is to be written).

        A report is looked at closely only when this step changes how one of its measures
        stood on the report's day; most writes (today's news on a report of last month)
        change none, and cost the reading of the plan's small ``publish`` events alone.
        """
        touched: dict[str, set[str]] = {}
        earliest: dict[str, str] = {}  # per plan, the first day this step's changes hold
        undoing = any(event["action"] == "undo" or "created" in event["changes"]
                      for event in self._recorded)  # (these may reach back further)
        for event in self._recorded:
            plan_id, _sep, ref = str(event["id"]).partition(":")
            if ref and event["action"] not in NOT_FOLDED:
                touched.setdefault(plan_id, set()).add(ref)
                earliest[plan_id] = min(earliest.get(plan_id, FOREVER), event["effective"])
        found = []
        for plan_id, refs in touched.items():
            # A change that holds from a day after a report's leaves it as it was (an undo,
            # or a measure's creation moved back, may reach any day: then all are looked at).
            reports = [r for r in self.read.published(plan_id)
                       if undoing or r.as_of >= earliest[plan_id]]
            if not reports:
                continue
            histories = {ref: self.repo.events(item=f"{plan_id}:{ref}") for ref in refs}
            after = {ref: live_events(history) for ref, history in histories.items()}
            before = {ref: live_events(e for e in history if e["step"] != self._step)
                      for ref, history in histories.items()}
            changed = [report for report in reports
                       if any(item_state(after[ref], plan_id, ref, report.as_of)
                              != item_state(before[ref], plan_id, ref, report.as_of)
                              for ref in refs)]  # the others' day this step leaves alone
            if not changed:
                continue
            self.read.load_published(*changed)
            history = self.repo.events(plan=plan_id)
            earlier = [e for e in history if e["step"] != self._step]
            standing = None
            for report in changed:
                # The report made again as of its day (as 'report --as-of' makes it,
                # earlier amendments included) before this step and after it. A step that
                # moves one of its figures is named, and amends it: what it says runs from
                # what was published to what the report is after this step, or, back to what
                # was published, from what it was before. It is recorded unless the live
                # journal after this step says it already (an undo takes the amendment of
                # the step it undoes along, and brings back one a change back had ended).
                will = _figures(report, plan_id, as_of_state(history, plan_id, report.as_of)[0])
                now = _figures(report, plan_id, as_of_state(earlier, plan_id, report.as_of)[0])
                if will == now:
                    continue
                if standing is None:
                    from tracker.published import published_of

                    standing = published_of(history)
                was = _figures(report, plan_id,
                               [Item.from_dict(i) for i in report.items[plan_id]])
                live = standing.get(report.name)
                ours = [a for a in live.amended if a["id"] == plan_id] if live else []
                stands = ours[-1]["after"] if ours else was  # (of this plan of the report)
                entry: dict[str, Any] = {"published": report.name, "plan": plan_id,
                                         "day": report.day, "before": was, "after": will}
                if will == was:
                    entry.update(before=now, restored=True)
                # named all the same: the journal says it already (an undo of a change back
                # brings the amendment back with it)
                entry["recorded"] = will == stands
                found.append(entry)
        return found

    # evidence files (SPEC §15) ------------------------------------------------------------

    def attach(self, address: str, files: list[tuple[str, str]], limit: int, note: str = "",
               on: str | None = None) -> list[dict[str, Any]]:
        """Keep each (name, path) — a file of at most *limit* bytes — with the database and
        record it on the item; a name the item already has, or twice among *files*, is
        refused before anything is kept."""
        from tracker.attachments import check_name, keep_file

        item = self.item(address)
        present = self.read.attachments(item.id).get(item.id, {})
        names = [check_name(name) for name, _data in files]
        for name in names:
            if name not in present and names.count(name) > 1:
                raise InvalidValue(_("the name {name!r} is given to more than one of the "
                                     "files: each file needs its own (--name, or rename one); "
                                     "nothing was kept").format(name=name))
            if name in present:
                raise Conflict(_("{item} already has a file named {name!r}: detach it first, "
                                 "or attach this one under another name (--name)")
                               .format(item=item.id, name=name),
                               _("See 'tracker attachments {item}'.").format(item=item.id))
        effective = self._effective(on)
        recorded = []
        for name, path in files:
            sha, size = keep_file(self.repo, path, limit)
            recorded.append(self._record(item.id, "attach", {}, effective=effective, note=note,
                                         extra={"name": name, "sha256": sha, "size": size}))
        return recorded

    def detach(self, address: str, name: str, on: str | None = None) -> dict[str, Any]:
        """Record that the file *name* no longer belongs with the item (the journal and the
        kept file still hold it: undo brings it back)."""
        kept = self.read.attachment(address, name)
        return self._record(self.item(address).id, "detach", {}, effective=self._effective(on),
                            extra={"name": name, "sha256": kept["sha256"]})

    def record_amendments(self, found: list[dict[str, Any]]) -> None:
        """Mark in the journal that this step amends the published reports in *found*."""
        for entry in found:
            if entry.get("recorded"):
                continue
            extra = {"published": entry["published"], "before": entry["before"],
                     "after": entry["after"], "change": amendment_text(entry)}
            if entry.get("restored"):
                extra["restored"] = True
            self._record(entry["plan"], "amend", {}, note=amendment_text(entry), extra=extra)

    # undo -----------------------------------------------------------------------------

    def undo(self) -> tuple[int, list[dict[str, Any]]]:
        """Revert the last step as a new step of ``undo`` events; return what was reverted."""
        step, events = self.read.undo_target()
        for event in events:  # a file let go comes back only if it is still kept whole
            if event["action"] == "detach":
                try:
                    self.repo.get_file(str(event["sha256"]))
                except StoreError as exc:
                    raise StoreError(_("cannot undo the detach of {name} from {item}: {reason}; "
                                       "nothing was undone").format(
                        name=event["name"], item=event["id"], reason=exc.message),
                        exc.hint) from None
        for event in reversed(events):
            self._revert(event)
            reverted = {k: [new, old] for k, (old, new) in event["changes"].items()}
            extra: dict[str, Any] = {"undoes": step}
            if event["action"] in ("attach", "detach"):  # (so that 'log' names the file)
                extra.update(reverts=event["action"], name=event["name"])
            self._record(event["id"], "undo", reverted, note=f"undo of step {step}",
                         extra=extra)
        self._rebuild({e["id"] for e in events if ":" in e["id"]})
        return step, events

    def _rebuild(self, ids: set[str]) -> None:
        """Set items to what their live history says (after an undo or a back-dated change).

        The same fold that ``report --as-of`` uses, so today's state and a report as of
        today always agree. Only the plans' own journals are read.
        """
        by_plan: dict[str, set[str]] = {}
        for target in ids:
            by_plan.setdefault(target.partition(":")[0], set()).add(target)
        for plan_id, targets in by_plan.items():
            histories: dict[str, list[dict[str, Any]]] = {target: [] for target in targets}
            for event in live_events(self.repo.events(plan=plan_id)):
                if event["id"] in histories:
                    histories[event["id"]].append(event)
            for target in targets:
                ref = target.partition(":")[2]
                state = item_state(histories[target], plan_id, ref, FOREVER)
                if state is None:
                    if self.repo.get_item(plan_id, ref) is not None:
                        self.repo.delete_item(plan_id, ref)
                elif self.repo.get_plan(plan_id) is not None:
                    self.repo.put_item(Item.from_dict(state))

    def repair(self, stamp: str) -> dict[str, Any] | None:
        """``tracker repair``: make a database whose journal is missing or damaged (or whose
        item file is missing) whole again, as one step; return what was lost, or None.

        Everything still there is kept: the items as they are, the journal's readable
        events. A missing item file is rebuilt from the journal. When history is lost, the
        step records it: a ``repair`` event saying what was lost, and a ``baseline`` event
        per plan and item with its state now, so that ``show``, ``log`` and reports from
        now on know every item, and a report as of an earlier day says it cannot know.
        """
        lost = self.repo.lost
        if lost is None:
            return None
        kept = self.repo.events()
        if lost.get("database"):
            self._rebuild_database(kept)
        history_lost = any(key in lost for key in ("missing", "short", "damaged"))
        what = []
        if "missing" in lost:
            what.append(f"the journal was missing ({lost['missing']:,} bytes of history)")
        if "short" in lost:
            what.append(f"the journal was cut short ({lost['short']:,} bytes missing)")
        if "damaged" in lost:
            what.append(f"{lost['damaged']} damaged line(s) of the journal were dropped")
        if lost.get("database"):
            what.append(f"the database file was missing and was rebuilt from {len(kept)} "
                        "event(s) of the journal")
        aside = self.repo.keep_journal_aside(stamp)
        if aside:
            what.append(f"the journal as it was is kept in {aside}")
        today = self.today.isoformat()
        if history_lost:
            what.append(f"history before {today} is not known")
        self._record("*", "repair", {}, note="; ".join(what),
                     extra={"history_lost": history_lost})
        if history_lost:
            note = f"the state on {today}, when the journal was repaired"
            for plan in self.repo.plans():
                fields = {k: [None, v] for k, v in plan.to_dict().items() if v not in (None, "")}
                self._record(plan.id, "baseline", fields, note=note)
                for item in self.repo.items(plan.id):
                    changes = {k: [None, v] for k, v in item.to_dict().items()
                               if k not in ("plan", "updated", *DERIVED_KEYS)
                               and v not in (None, "", [])}
                    self._record(item.id, "baseline", changes, reason=item.reason, note=note)
        return {**lost, "kept": len(kept), "aside": aside, "history_lost": history_lost}

    def _rebuild_database(self, events: list[dict[str, Any]]) -> None:
        """Plans and items as the journal says they stand (the item file was lost)."""
        for plan in plans_from_journal(events):
            self.repo.put_plan(plan)
            for item in items_as_of(events, plan.id, FOREVER):
                self.repo.put_item(item)

    def record_restore(self, kept: str | None) -> None:
        """Journal a restore from backup (the whole database, id ``*``)."""
        self._record("*", "restore", {}, note="restored from the backup" +
                     (f"; the replaced file was kept as {kept}" if kept else ""))

    def _revert(self, event: dict[str, Any]) -> None:
        """Put back the values an event replaced: un-create, re-create or un-change."""
        changes, target = event["changes"], event["id"]
        if not changes:  # an event that changed no field (an address, a publication…)
            return
        is_plan = ":" not in target
        key_field = "id" if is_plan else "ref"
        plan_id, _sep, ref = target.partition(":")
        if key_field in changes and changes[key_field][0] is None:  # it was created
            if is_plan:
                self.repo.delete_plan(plan_id)
            else:
                self.repo.delete_item(plan_id, ref)
            return
        if is_plan:
            plan = self.repo.get_plan(plan_id)
            base = plan.to_dict() if plan else {"id": plan_id}
        else:
            item = self.repo.get_item(plan_id, ref)
            base = item.to_dict() if item else {"plan": plan_id, "ref": ref}
        for key, (old, _new) in changes.items():
            base[key] = _empty(key) if old is None else old
        if is_plan:
            self.repo.put_plan(Plan.from_dict(base))
        else:
            self.repo.put_item(Item.from_dict(base))


def _figures(report: Published, plan_id: str, items: list[Item]) -> dict[str, Any]:
    """The published figures of *report*'s plan *plan_id* were it made of *items*."""
    from tracker.published import figures
    from tracker.reports import plan_report

    args = (report.rules, report.as_of, report.args.get("by"),
            report.args.get("due_within", 30))
    return figures(plan_report(Plan.from_dict(report.plan_docs[plan_id]), items,
                               *args).to_json())


def answer_text(answer: dict[str, str]) -> str:
    """What an executor reported, in one line: status; reason; evidence."""
    return "; ".join(v for v in (status_text(answer["status"]) if "status" in answer else "",
                                 answer.get("reason", ""), answer.get("evidence", "")) if v)


def amendment_text(entry: dict[str, Any]) -> str:
    """What a change does to a published report: «fulfilled 32 of 34 → 31 of 34», or which
    of its lists change."""
    before, after = entry["before"], entry["after"]
    parts = []
    if (before["fulfilled"], before["counted"]) != (after["fulfilled"], after["counted"]):
        parts.append(_("fulfilled {a} of {b} → {c} of {d}").format(
            a=before["fulfilled"], b=before["counted"], c=after["fulfilled"], d=after["counted"]))
    elif before["rate"] != after["rate"]:
        parts.append(_("the rate changes"))
    lists = {"unfulfilled": _("the list of measures not fulfilled"),
             "overdue": _("the list of overdue measures"),
             "due_soon": _("the list of measures due soon"),
             "by_status": _("the counts by status")}
    parts.extend(text for key, text in lists.items() if before[key] != after[key])
    return "; ".join(dict.fromkeys(parts))


def due_text(due: str | None) -> str:
    """A deadline as a message names it: «IV квартал 2023 г.», or 'none'."""
    return period_text(due, current()) if due is not None else _("none")


def _empty(key: str) -> Any:
    """The value a field holds when it is not set."""
    return {"owners": [], "due": None, "start": None, "end": None, "weight": 1}.get(key, "")


def _apply(record: Any, fields: dict[str, Any]) -> dict[str, list[Any]]:
    """Set *fields* on *record*; return ``{field: [old, new]}`` for those that changed."""
    changes = {}
    for key, value in fields.items():
        old = getattr(record, key)
        if old != value:
            changes[key] = [old, value]
            setattr(record, key, value)
    return changes


def _with_plan_year(rows: list[Row], plan: Plan) -> list[Row]:
    """Rows whose deadline is «в течение года», given the plan's year; every row that
    cannot have it is a bad row (nothing is written)."""
    problems = []
    for row in rows:
        if row.values.get("due") == PLAN_YEAR:
            try:
                row.values["due"] = resolve_due(PLAN_YEAR, plan)
            except InvalidValue as exc:
                problems.append(_("{where}: due: {problem}").format(where=row.where,
                                                                    problem=exc.message))
    if problems:
        raise BadRows(problems)
    return rows


def _unique(addresses: list[str]) -> list[str]:
    return list(dict.fromkeys(addresses))


def _check_span(start: str | None, end: str | None) -> None:
    if start and end and start > end:
        raise InvalidValue(_("the plan would end ({end}) before it starts ({start})")
                           .format(end=day(end), start=day(start)))
