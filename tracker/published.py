"""Published reports (SPEC §14): what a council was handed, frozen in the journal.

``report … --publish NAME`` records, on each plan of the report, a ``publish`` event:
the name, the day, the as-of day, the SHA-256 of what was printed and the arguments that
made it. What was printed (text or document bytes, in base64), its JSON and each counted
measure as it stood are one JSON file kept with the database (``Repository.put_file``)
that the events name by its SHA-256, so that ``report --published NAME`` reprints the
report byte for byte and regenerates any other format from the same measures, while a
write, which checks every published report of its plan, reads the small events alone.
A later change that alters a published report's figures or lists is named before it is
written and is recorded with an ``amend`` event saying what it changed; a change that
brings the figures back to what was published, while an amendment stands, is recorded as an
``amend`` event marked ``restored``, after which the report is amended no longer. All are
journal events, undone with the step that made them.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from typing import Any

from tracker.domain import Item, Plan, Rules

PUBLISH_ACTIONS = ("publish", "amend", "undo")


class Published:
    """One published report, as its ``publish`` event (and any ``amend``) say; what it
    printed and its measures once ``load`` has been given its snapshot."""

    def __init__(self, event: dict[str, Any]) -> None:
        self.name: str = event["published"]
        self.plans: list[str] = event["plans"]
        self.at: str = event["at"]
        self.actor: str = event["actor"]
        self.day: str = event["effective"]
        self.as_of: str = event["as_of"]
        self.fmt: str = event["format"]
        self.sha256: str = event["sha256"]
        self.args: dict[str, Any] = event["args"]
        self.snapshot: str | None = event.get("snapshot")  # the kept file's SHA-256
        self.amended: list[dict[str, Any]] = []
        self._heavy: dict[str, Any] = {}
        if self.snapshot is None:  # published before snapshots were kept apart
            self.load(event)

    def load(self, snapshot: dict[str, Any]) -> Published:
        """Take what was printed and the measures from the report's snapshot."""
        self._heavy = {"output": base64.b64decode(snapshot["output"]),
                       "json": snapshot["json"], "plan_docs": snapshot["plan_docs"],
                       "items": snapshot["items"]}
        return self

    def _part(self, key: str) -> Any:
        if key not in self._heavy:
            raise KeyError(f"the snapshot of published report {self.name!r} was not loaded")
        return self._heavy[key]

    @property
    def output(self) -> bytes:
        return bytes(self._part("output"))

    @property
    def json(self) -> str:
        return str(self._part("json"))

    @property
    def plan_docs(self) -> dict[str, dict[str, Any]]:
        return dict(self._part("plan_docs"))

    @property
    def items(self) -> dict[str, list[dict[str, Any]]]:
        return dict(self._part("items"))

    @property
    def listed(self) -> dict[str, dict[str, Any]]:
        """Each plan's entry of the stored JSON: what the report listed beside its figures
        (answers awaiting, evidence files)."""
        from tracker import jsonio

        return {p["plan"]: p for p in jsonio.loads(self.json.encode("utf-8")).get("plans", [])}

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


def snapshot_of(plans: list[tuple[Plan, list[Item]]], output: bytes,
                json_text: str) -> bytes:
    """The file kept for a published report: what was printed, its JSON, its measures."""
    from tracker import jsonio

    return jsonio.dumps({"output": base64.b64encode(output).decode("ascii"),
                         "json": json_text,
                         "plan_docs": {plan.id: plan.to_dict() for plan, _items in plans},
                         "items": {plan.id: [item.to_dict() for item in items]
                                   for plan, items in plans}})


def publish_extra(name: str, plans: list[tuple[Plan, list[Item]]], as_of: str, fmt: str,
                  output: bytes, args: dict[str, Any], snapshot: str) -> dict[str, Any]:
    """What a ``publish`` event holds besides the usual keys (*snapshot*: the SHA-256 of
    the kept file)."""
    return {"published": name, "plans": [plan.id for plan, _items in plans], "as_of": as_of,
            "format": fmt, "sha256": digest(output), "args": args, "snapshot": snapshot}


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
            if event.get("restored"):  # this plan back to what was published
                report.amended = [a for a in report.amended if a["id"] != event["id"]]
            elif event["seq"] not in {a["seq"] for a in report.amended}:
                report.amended.append(event)
    return found


def figures(entry: dict[str, Any]) -> dict[str, Any]:
    """What of a plan's report a change may alter: its figures and its lists."""
    keys = ("total", "counted", "fulfilled", "rate", "by_status", "unfulfilled", "overdue",
            "due_soon")
    return {key: entry[key] for key in keys}
