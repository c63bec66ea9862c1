"""``tracker add | update | list | show | remove``: the measures of a plan."""

from __future__ import annotations

from typing import Any

import click

from tracker.cli.common import (
    CONTEXT_SETTINGS,
    DATE,
    ITEM,
    PLAN,
    STATUS,
    App,
    DateType,
    OwnerType,
    RefType,
    TextType,
    TitleType,
    WeightType,
    confirm,
    echo,
    format_option,
    note,
    on_option,
    pass_app,
    terminal_width,
)
from tracker.domain import unique_owners

ITEM_COLUMNS = ["id", "status", "title", "owners", "area", "due", "reason"]


@click.command("add", context_settings=CONTEXT_SETTINGS)
@click.argument("plan_id", metavar="PLAN", type=PLAN)
@click.argument("title", type=TitleType())
@click.option("--ref", type=RefType(), help="The plan's own number (default: the next integer).")
@click.option("--owner", "owners", multiple=True, metavar="NAME", type=OwnerType(),
              help="Who is responsible; repeat for several, lead first.")
@click.option("--area", type=TextType("area"), help="The priority area or chapter.")
@click.option("--due", type=DATE, help="The deadline (YYYY-MM-DD).")
@click.option("--weight", type=WeightType(), help="Weight in the rate (a number > 0; default 1).")
@click.option("--status", type=STATUS, help="The starting status (default not-started).")
@click.option("--reason", type=TextType("reason", lines=True),
              help="Why it is not (fully) fulfilled, stalled or withdrawn.")
@click.option("--evidence", type=TextType("evidence"), help="Text or URL showing the outcome.")
@on_option
@pass_app
def add(app: App, plan_id: str, title: str, ref: str | None, owners: tuple[str, ...],
        on: str | None, **fields: Any) -> None:
    """Add a measure to PLAN and print its address PLAN:REF.

    \b
    Example:
      tracker add csto-2023 "Finalise the document on assistance to Armenia" --ref 34
    """
    values = {k: (v.lower() if k == "status" else v) for k, v in fields.items()
              if v is not None}
    with app.writing() as t:
        item = t.add_item(plan_id, title, ref=ref, on=on, owners=unique_owners(list(owners)),
                          **values)
    echo(item.id + "\n")


@click.command("update", context_settings=CONTEXT_SETTINGS)
@click.argument("addresses", metavar="ITEM...", nargs=-1, required=True, type=ITEM)
@click.option("--status", type=STATUS, help="The new status.")
@click.option("--reason", type=TextType("reason", lines=True),
              help="Why it is not (fully) fulfilled, stalled or withdrawn.")
@on_option
@click.option("--note", "note_text", default="", type=TextType("note", lines=True),
              help="A note for the journal.")
@click.option("--evidence", type=TextType("evidence"), help="Text or URL showing the outcome.")
@click.option("--title", type=TitleType(), help="A new title.")
@click.option("--owner", "owners", multiple=True, metavar="NAME", type=OwnerType(),
              help="Replace the owners; repeat for several, lead first.")
@click.option("--area", type=TextType("area"), help="The priority area or chapter.")
@click.option("--due", type=DateType(allow_none=True),
              help="A new deadline, or 'none' to clear it.")
@click.option("--weight", type=WeightType(), help="Weight in the rate (a number > 0).")
@pass_app
def update(app: App, addresses: tuple[str, ...], on: str | None, note_text: str,
           owners: tuple[str, ...], due: str | None, **fields: Any) -> None:
    """Change one or more items: one write, one journal step, one undo.

    A status change to fulfilled, in-progress or not-started clears the old reason
    unless --reason is given.

    \b
    Examples:
      tracker update csto-2023:33 --status not-fulfilled --reason "primarily their stance"
      tracker update csto-2023:{1..32} --status fulfilled --on 2023-11-21
    """
    values = {k: (v.lower() if k == "status" else v) for k, v in fields.items()
              if v is not None}
    if owners:
        values["owners"] = unique_owners(list(owners))
    if due is not None:
        values["due"] = None if due == "none" else due
    with app.writing() as t:
        results = t.update_items(list(addresses), values, on=on, note=note_text)
    changed = sum(1 for _item, changes in results if changes)
    if changed == len(results):
        note(f"updated {changed} item(s)")
    elif not values and note_text:
        note(f"noted on {len(results)} item(s)")
    elif len(results) == 1:
        note(f"nothing changed: {results[0][0].id} already had these values"
             + ("; the note is recorded" if note_text else ""))
    else:
        note(f"updated {changed} of {len(results)} item(s); the others already had these "
             "values" + ("; the note is recorded on all" if note_text else ""))


@click.command("list", context_settings=CONTEXT_SETTINGS)
@click.argument("plan_id", metavar="[PLAN]", required=False, type=PLAN)
@click.option("--status", "statuses", type=STATUS, multiple=True,
              help="Only items with this status; repeat for several.")
@click.option("--owner", help="Only items this owner is responsible for.")
@click.option("--area", help="Only items of this area.")
@click.option("--overdue", is_flag=True, help="Only open items whose deadline has passed.")
@format_option()
@pass_app
def list_items(app: App, plan_id: str | None, statuses: tuple[str, ...], owner: str | None,
               area: str | None, overdue: bool, fmt: str) -> None:
    """List items, of one plan or of all plans, with filters.

    \b
    Example:
      tracker list csto-2023 --status not-fulfilled --status partial
    """
    from tracker.cli.common import today
    from tracker.domain import ref_sort_key
    from tracker.output import rows

    repo = app.repo()
    if plan_id is not None:
        app.reader().plan(plan_id)
    found = repo.items(plan_id)
    wanted = {s.lower() for s in statuses}
    day = today().isoformat()
    found = [
        i for i in found
        if (not wanted or i.status in wanted)
        and (owner is None or owner.casefold() in (o.casefold() for o in i.owners))
        and (area is None or i.area.casefold() == area.casefold())
        and (not overdue or i.is_overdue(day))
    ]
    found.sort(key=lambda i: (i.plan, ref_sort_key(i.ref)))
    if fmt in ("json", "csv"):
        from tracker.domain import ITEM_KEYS

        echo(rows([i.to_json() for i in found], ["id", *ITEM_KEYS], fmt))
        return
    if not found:
        note("No items match.")
        return
    echo(rows([i.to_json() for i in found], ITEM_COLUMNS, fmt, width=terminal_width()))


@click.command("show", context_settings=CONTEXT_SETTINGS)
@click.argument("address", metavar="ITEM", type=ITEM)
@format_option()
@pass_app
def show(app: App, address: str, fmt: str) -> None:
    """Show an item and its full history (with --format csv: the item's row only).

    \b
    Example:
      tracker show csto-2023:34
    """
    from tracker.errors import NotFound
    from tracker.output import cell, rows, to_json

    try:
        record = app.reader().item(address).to_json()
    except NotFound:
        # A removed item is gone from the plan, not from the journal: show its last state,
        # when and by whom it was removed, and its history.
        gone = removed_record(app.repo().events(item=address))
        if gone is None:
            raise
        record = gone
    history = app.repo().events(item=address)
    if fmt == "json":
        echo(to_json({**record, "history": history}))
        return
    if fmt == "csv":  # one table a CSV reader can take: the item (its history: -f json, log)
        echo(rows([record], list(record), fmt))
        return
    shown = {**record}
    if "removed" in shown:
        gone_by = shown["removed"]
        shown["removed"] = (f"{gone_by['effective']} by {gone_by['actor']} "
                            f"(step {gone_by['step']})")
    fields = [{"field": k, "value": cell(v)} for k, v in shown.items()]
    width = terminal_width()
    echo(rows(fields, ["field", "value"], fmt, width=width))
    echo("\nhistory\n" if fmt != "markdown" else "\n### history\n\n")
    echo(rows(_history_rows(history), HISTORY_COLUMNS, fmt, width=width))


HISTORY_COLUMNS = ["step", "at", "actor", "effective", "action", "changes", "reason", "note"]


def removed_record(history: list[dict[str, Any]]) -> dict[str, Any] | None:
    """A removed item as it stood when removed, with ``removed`` (when, by whom, which
    step), from its history; None when its last event is not a live removal."""
    from tracker.reports import live_events

    live = live_events(history)
    if not live:
        return None
    last = live[-1]
    ref_change = last["changes"].get("ref")
    if not ref_change or ref_change[1] is not None:
        return None
    state: dict[str, Any] = {"owners": [], "due": None, "weight": 1, "reason": "", "area": "",
                             "evidence": ""}
    state.update({k: old for k, (old, _new) in last["changes"].items()})
    plan, _, ref = last["id"].partition(":")
    record = {"id": last["id"], "plan": plan, "ref": ref}
    for key in ("title", "status", "reason", "owners", "area", "due", "weight", "evidence",
                "created", "updated"):
        record[key] = state.get(key, "")
    record["removed"] = {"effective": last["effective"], "at": last["at"],
                         "actor": last["actor"], "step": last["step"]}
    return record


def _history_rows(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from tracker.output import cell

    def change_text(changes: dict[str, list[Any]]) -> str:
        return "; ".join(f"{k}: {cell(old) or '–'} → {cell(new) or '–'}"
                         for k, (old, new) in changes.items())

    return [{**e, "changes": change_text(e["changes"])} for e in events]


@click.command("remove", context_settings=CONTEXT_SETTINGS)
@click.argument("addresses", metavar="ITEM...", nargs=-1, required=True, type=ITEM)
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@pass_app
def remove(app: App, addresses: tuple[str, ...], yes: bool) -> None:
    """Remove items; the journal keeps them and 'tracker undo' restores them.

    \b
    Example:
      tracker remove csto-2023:35 --yes
    """
    if not yes:
        for address in addresses:
            app.reader().item(address)
        confirm(f"Remove {len(set(addresses))} item(s): {', '.join(addresses)}?", yes)
    with app.writing() as t:
        removed = t.remove_items(list(addresses))
    note(f"removed {len(removed)} item(s)")


COMMANDS = [add, update, list_items, show, remove]
