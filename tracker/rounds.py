"""Reporting rounds (SPEC §14), as the journal records them.

A round lives in the journal alone, so that undo, ``--as-of`` and both backends need
nothing more than the events:

- ``round-open`` (the plan's event): ``round`` (its name), ``due`` (answers by), ``as_of``
  (the day the measures were asked about) and ``asked``: per executor, the measures asked
  of them, ``[ref, title, deadline]`` as the form shows them;
- ``round-close`` (the plan's): ``round``;
- ``answer`` (the item's): ``round``, ``executor``, ``answer`` (status, reason,
  evidence as the executor wrote them), ``filed_by`` (who imported it); its actor is the
  executor, its effective day the day they reported;
- ``accept`` (the item's): the answer taken into the plan, its changes as an update's,
  with ``round``, ``executor`` and ``answer_seq``;
- ``return`` (the item's): ``round``, ``executor``, ``answer_seq``, the reason why.

Answers, returns and the round's own events change no field of an item: the fold of
``history`` leaves them out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from tracker.errors import InvalidValue, shown
from tracker.i18n import _

ROUND_ACTIONS = ("round-open", "round-close", "answer", "accept", "return")
ROUND_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}\Z")
# The state of one measure asked of one executor.
MISSING, AWAITING, ACCEPTED, RETURNED = "missing", "awaiting", "accepted", "returned"
STATES = (MISSING, AWAITING, ACCEPTED, RETURNED)
# Measures asked in a round: those still under control.
NOT_ASKED = frozenset({"fulfilled", "withdrawn"})


class Answer:
    """The latest word on one measure from one executor in a round."""

    __slots__ = ("ref", "executor", "state", "answer", "seq", "effective", "reason")

    def __init__(self, ref: str, executor: str) -> None:
        self.ref = ref
        self.executor = executor
        self.state = MISSING
        self.answer: dict[str, str] = {}
        self.seq = 0  # the answer event's
        self.effective = ""  # the day it was reported
        self.reason = ""  # of a return

    def to_json(self) -> dict[str, Any]:
        return {"ref": self.ref, "executor": self.executor, "state": self.state,
                "answer": self.answer or None, "reported": self.effective or None,
                "returned_because": self.reason or None}


class Round:
    """A round of requests for information on one plan's measures."""

    def __init__(self, event: dict[str, Any]) -> None:
        self.name: str = event["round"]
        self.plan: str = event["id"]
        self.due: str | None = event.get("due")
        self.as_of: str = event.get("as_of") or event["effective"]
        self.opened: str = event["effective"]
        self.closed: str | None = None
        self.asked: dict[str, list[list[Any]]] = event.get("asked", {})
        self.answers: dict[tuple[str, str], Answer] = {
            (executor, row[0]): Answer(row[0], executor)
            for executor, rows in self.asked.items() for row in rows}

    @property
    def is_open(self) -> bool:
        return self.closed is None

    def asked_of(self, executor: str) -> list[list[Any]]:
        return self.asked.get(executor, [])

    def counts(self, executor: str) -> dict[str, int]:
        counts = dict.fromkeys(STATES, 0)
        for row in self.asked_of(executor):
            counts[self.answers[(executor, row[0])].state] += 1
        return counts

    def to_json(self) -> dict[str, Any]:
        return {"round": self.name, "plan": self.plan, "opened": self.opened,
                "as_of": self.as_of, "due": self.due, "closed": self.closed,
                "executors": {executor: self.counts(executor) for executor in self.asked}}


def rounds_of(events: Iterable[dict[str, Any]]) -> dict[str, Round]:
    """The rounds the live events (of round actions and undos) leave, by name, in the
    order opened."""
    rounds: dict[str, Round] = {}
    events = list(events)
    if not events:  # (a plain report of a plan without any loads no history)
        return {}
    from tracker.history import live_events

    for event in sorted(live_events(events), key=lambda e: int(e["seq"])):
        action = event["action"]
        if action == "round-open":
            rounds[event["round"]] = Round(event)
            continue
        found = rounds.get(event.get("round", ""))
        if found is None:
            continue
        if action == "round-close":
            found.closed = event["effective"]
            continue
        ref = str(event["id"]).partition(":")[2]
        answer = found.answers.get((event.get("executor", ""), ref))
        if answer is None:
            continue
        if action == "answer":
            answer.state, answer.answer = AWAITING, dict(event.get("answer", {}))
            answer.seq, answer.effective, answer.reason = int(event["seq"]), event["effective"], ""
        elif action == "accept" and event.get("answer_seq") == answer.seq:
            answer.state = ACCEPTED
        elif action == "return" and event.get("answer_seq") == answer.seq:
            answer.state, answer.reason = RETURNED, event.get("reason", "")
    return rounds


def awaiting(rounds: Iterable[Round]) -> dict[str, list[Answer]]:
    """Answers reported and not yet accepted or returned, by ref, of the open rounds."""
    found: dict[str, list[Answer]] = {}
    for one in rounds:
        if one.is_open:
            for answer in one.answers.values():
                if answer.state == AWAITING:
                    found.setdefault(answer.ref, []).append(answer)
    return found


def check_round_name(value: str, what: str = "round") -> str:
    """A round's (or a published report's) name: a slug, as plan ids are."""
    if not ROUND_NAME_RE.match(value):
        message = (_("invalid round name {value}: use letters, digits, '.', '_' or '-', "
                     "starting with a letter or digit, at most 64 characters (e.g. "
                     "council-2023-11)") if what == "round" else
                   _("invalid name of a published report {value}: use letters, digits, '.', "
                     "'_' or '-', starting with a letter or digit, at most 64 characters "
                     "(e.g. council-2023-11)"))
        raise InvalidValue(message.format(value=shown(value)))
    return value


def awaiting_rows(rounds: Iterable[Round], titles: dict[str, str]) -> list[dict[str, Any]]:
    """The answers awaiting acceptance as a report lists them, in the plan's order of
    *titles* (ref → title)."""
    order = {ref: n for n, ref in enumerate(titles)}
    rows = [{"id": f"{one.plan}:{answer.ref}", "ref": answer.ref,
             "title": titles.get(answer.ref, ""), "executor": answer.executor,
             "round": one.name, "status": answer.answer.get("status"),
             "reported": answer.effective}
            for one in rounds if one.is_open for answer in one.answers.values()
            if answer.state == AWAITING]
    rows.sort(key=lambda row: (order.get(str(row["ref"]), len(order)), row["executor"]))
    return rows
