"""Published reports (SPEC §14): what a council was handed, frozen in the journal.

``report … --publish NAME`` records, on each plan of the report, a ``publish`` event
holding the report as it was printed (its text or document bytes in base64, and its
SHA-256), its JSON, the arguments that made it, and each counted measure as it stood, so
that ``report --published NAME`` reprints it byte for byte, and regenerates any other
format from the same measures. A later change that alters a published report's figures
or lists is named before it is written and is recorded with an ``amend`` event saying
what it changed; both are journal events, undone with the step that made them.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from typing import Any

from tracker.domain import Item, Plan, Rules

PUBLISH_ACTIONS = ("publish", "amend", "undo")


class Published:
    """One published report, as its ``publish`` event (and any ``amend``) say."""

    def __init__(self, event: dict[str, Any]) -> None:
        self.name: str = event["published"]
        self.plans: list[str] = event["plans"]
        self.at: str = event["at"]
        self.actor: str = event["actor"]
        self.day: str = event["effective"]
        self.as_of: str = event["as_of"]
        self.fmt: str = event["format"]
        self.sha256: str = event["sha256"]
        self.output = base64.b64decode(event["output"])
        self.json: str = event["json"]
        self.args: dict[str, Any] = event["args"]
        self.plan_docs: dict[str, dict[str, Any]] = event["plan_docs"]
        self.items: dict[str, list[dict[str, Any]]] = event["items"]
        self.amended: list[dict[str, Any]] = []

    @property
    def rules(self) -> Rules:
        return Rules(exclude_withdrawn=self.args["exclude_withdrawn"],
                     partial_credit=self.args["partial_credit"])

    def plans_with_items(self) -> list[tuple[Plan, list[Item]]]:
        return [(Plan.from_dict(self.plan_docs[p]), [Item.from_dict(i) for i in self.items[p]])
                for p in self.plans]

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "plans": self.plans, "published": self.day, "at": self.at,
                "by": self.actor, "as_of": self.as_of, "format": self.fmt,
                "sha256": self.sha256,
                "amended": [{"effective": a["effective"], "at": a["at"], "actor": a["actor"],
                             "change": a["change"]} for a in self.amended]}


def digest(output: bytes) -> str:
    return hashlib.sha256(output).hexdigest()


def publish_extra(name: str, plans: list[tuple[Plan, list[Item]]], as_of: str, fmt: str,
                  output: bytes, json_text: str, args: dict[str, Any]) -> dict[str, Any]:
    """What a ``publish`` event holds besides the usual keys."""
    return {"published": name, "plans": [plan.id for plan, _items in plans], "as_of": as_of,
            "format": fmt, "sha256": digest(output),
            "output": base64.b64encode(output).decode("ascii"), "json": json_text,
            "args": args, "plan_docs": {plan.id: plan.to_dict() for plan, _items in plans},
            "items": {plan.id: [item.to_dict() for item in items] for plan, items in plans}}


def published_of(events: Iterable[dict[str, Any]]) -> dict[str, Published]:
    """The published reports the live events leave, by name, in the order published."""
    found: dict[str, Published] = {}
    events = list(events)
    if not events:  # (a plain report of a plan without any loads no history)
        return {}
    from tracker.history import live_events

    for event in sorted(live_events(events), key=lambda e: int(e["seq"])):
        if event["action"] == "publish" and event["published"] not in found:
            found[event["published"]] = Published(event)
        elif event["action"] == "amend" and event.get("published") in found:
            report = found[event["published"]]
            if event["seq"] not in {a["seq"] for a in report.amended}:
                report.amended.append(event)
    return found


def figures(entry: dict[str, Any]) -> dict[str, Any]:
    """What of a plan's report a change may alter: its figures and its lists."""
    keys = ("total", "counted", "fulfilled", "rate", "by_status", "unfulfilled", "overdue",
            "due_soon")
    return {key: entry[key] for key in keys}
