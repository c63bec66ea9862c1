"""Rights per executor (SPEC §15): a server role that acts for executors changes only the
status, reason and evidence of their measures, answers rounds for them and attaches files
to their measures. The server enforces it (row-level security, ``store.postgres``); this
module says no first, in one line naming the role, the measure and whose it is, before
anything is sent."""

from __future__ import annotations

from typing import Any

from tracker.domain import Item, Plan
from tracker.errors import Forbidden
from tracker.i18n import _, ngettext, pgettext

# What such a role may change of an item (the rest of the item is the secretariat's).
EXECUTOR_FIELDS = frozenset({"status", "reason", "evidence", "updated", "status_since"})
# The journal events it may write of its measures; and "amend", when its own change in
# the same step moves a published report (SPEC §14), and "undo" of a step of its own.
EXECUTOR_ACTIONS = frozenset({"update", "answer", "attach", "detach", "undo"})


def _what(action: str, target: str) -> str:
    """What a refused write would have done, in words (not the journal's action name)."""
    words = {
        "add": _("add measure {target}"),
        "import": _("import measure {target} (an executor reports in a round's form)"),
        "remove": _("remove measure {target}"),
        "plan-add": _("add plan {target}"), "plan-edit": _("change plan {target}"),
        "plan-remove": _("remove plan {target}"),
        "round-open": _("open a round of plan {target}"),
        "round-close": _("close a round of plan {target}"),
        "accept": _("accept an answer on {target}"),
        "return": _("return an answer on {target}"),
        "publish": _("publish a report of plan {target}"),
        "move": _("move the deadline of {target}"),
        "executor": _("add an executor"), "baseline": _("set a baseline of {target}"),
        "repair": _("repair the database"), "restore": _("restore the database"),
    }
    return words.get(action, _("write {target}")).format(target=target)


def not_allowed(role: str, acting: list[str], action: str, target: str) -> Forbidden:
    return Forbidden(_("role '{role}' acts for {executors} and may not {what}: it may change "
                       "only the status, reason and evidence of their measures, answer for "
                       "them and attach files to them; nothing was written").format(
        role=role, executors=", ".join(acting), what=_what(action, target)))


def check_item(role: str, acting: list[str], item: Item | None, target: str,
               fields: set[str]) -> list[str]:
    """The executors of *acting* the existing *item* is theirs for; Forbidden when it is
    none of theirs, or *fields* reach past what they may change."""
    if item is None:
        raise not_allowed(role, acting, "add", target)
    ours = [name for name in item.owners if name in acting]
    if not ours:  # (SPEC §15: "role 'mid_by' may not change csto-2023:7: it belongs to …")
        if not item.owners:
            raise Forbidden(_("role '{role}' may not change {item}: no executor answers for it, "
                              "and the role acts for {executors}; nothing was written").format(
                role=role, item=target, executors=", ".join(acting)))
        owners = [_("{name} (responsible)").format(name=item.owners[0])] + [
            _("{name} (co-executor)").format(name=name) for name in item.owners[1:]]
        raise Forbidden(ngettext(
            "role '{role}' may not change {item}: it belongs to {owners}, and the role acts "
            "for {executors}; nothing was written",
            "role '{role}' may not change {item}: it belongs to {owners}, and the role acts "
            "for {executors}; nothing was written", len(owners)).format(
            role=role, item=target, owners=", ".join(owners), executors=", ".join(acting)))
    if "created" in fields and item.created:  # a change dated before the measure was added
        raise Forbidden(_("role '{role}' acts for {executors} and may not date a change of "
                          "{item} before the measure was added ({day}); nothing was written")
                        .format(role=role, executors=", ".join(acting), item=target,
                                day=item.created))
    beyond = fields - EXECUTOR_FIELDS
    if beyond:
        words = {"title": pgettext("refused", "title"), "area": pgettext("refused", "area"),
                 "owners": pgettext("refused", "executors"),
                 "due": pgettext("refused", "deadline"),
                 "moves": pgettext("refused", "deadline"),
                 "due_original": pgettext("refused", "deadline"),
                 "weight": pgettext("refused", "weight"), "ref": pgettext("refused", "number")}
        labels = dict.fromkeys(words.get(f, f) for f in sorted(beyond))
        raise Forbidden(_("role '{role}' acts for {executors}: of {item} it may change the "
                          "status, reason and evidence, not the {fields}; nothing was "
                          "written").format(role=role, executors=", ".join(acting),
                                            item=target, fields=", ".join(labels)))
    return ours


def check_undo(role: str, acting: list[str], step: int,
               events: list[dict[str, Any]]) -> None:
    """Forbidden unless the step to undo is the role's own."""
    others = sorted({str(e["actor"]) for e in events if e["actor"] != role})
    if others:
        raise Forbidden(_("role '{role}' acts for {executors} and may undo only a step of its "
                          "own: the last step ({step}) was made by {actors}; nothing was "
                          "undone").format(role=role, executors=", ".join(acting), step=step,
                                           actors=", ".join(others)))


class ActingRepository:
    """A repository as a role acting for executors may use it: its writes of items are
    checked first, plans and removals refused; everything else passes through."""

    def __init__(self, repo: Any, acting: list[str], role: str) -> None:
        self._repo, self._acting, self._role = repo, acting, role

    def __getattr__(self, name: str) -> Any:
        return getattr(self._repo, name)

    def put_item(self, item: Item) -> None:
        before = self._repo.get_item(item.plan, item.ref)
        old, new = (before.to_dict() if before else {}), item.to_dict()
        changed = {key for key in new if old.get(key) != new[key]}
        check_item(self._role, self._acting, before, item.id, changed)
        self._repo.put_item(item)

    def delete_item(self, plan_id: str, ref: str) -> None:
        raise not_allowed(self._role, self._acting, "remove", f"{plan_id}:{ref}")

    def put_plan(self, plan: Plan) -> None:
        action = "plan-edit" if self._repo.get_plan(plan.id) is not None else "plan-add"
        raise not_allowed(self._role, self._acting, action, plan.id)

    def delete_plan(self, plan_id: str) -> None:
        raise not_allowed(self._role, self._acting, "plan-remove", plan_id)
