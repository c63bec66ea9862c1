"""Rights per executor (SPEC §15): a server role that acts for executors changes only the
status, reason and evidence of their measures, answers rounds for them and attaches files
to their measures. The server enforces it (row-level security, ``store.postgres``); this
module says no first, in one line naming the role, the measure and whose it is, before
anything is sent."""

from __future__ import annotations

from typing import Any

from tracker.domain import Item, Plan
from tracker.errors import Forbidden
from tracker.i18n import _, ngettext

# What such a role may change of an item (the rest of the item is the secretariat's).
EXECUTOR_FIELDS = frozenset({"status", "reason", "evidence", "updated", "status_since"})
EXECUTOR_ACTIONS = frozenset({"update", "answer", "attach"})


def not_allowed(role: str, acting: list[str], action: str, target: str) -> Forbidden:
    return Forbidden(_("role {role} acts for {executors} and may change only their measures' "
                       "status, reason and evidence, answer for them and attach files to "
                       "them; not written: {action} {target}").format(
        role=role, executors=", ".join(acting), action=action, target=target))


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
    beyond = fields - EXECUTOR_FIELDS
    if beyond:
        raise Forbidden(_("role {role} acts for {executors}: of {item} it may change the "
                          "status, reason and evidence, not {fields}; nothing was "
                          "written").format(role=role, executors=", ".join(acting),
                                            item=target, fields=", ".join(sorted(beyond))))
    return ours


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
        raise not_allowed(self._role, self._acting, "plan", plan.id)

    def delete_plan(self, plan_id: str) -> None:
        raise not_allowed(self._role, self._acting, "plan-remove", plan_id)
