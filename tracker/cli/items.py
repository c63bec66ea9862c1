"""``tracker add | update | list | show | remove``: the measures of a plan."""

from __future__ import annotations

from typing import Any

import click

from tracker.cli.common import (
    DATE,
    ITEM,
    PLAN,
    STATUS,
    App,
    DueType,
    OwnerType,
    RefType,
    TextType,
    TitleType,
    WeightType,
    amend_option,
    command,
    confirm,
    echo,
    format_option,
    note,
    on_option,
    pass_app,
    yes_option,
)
from tracker.control import Move
from tracker.domain import unique_owners
from tracker.errors import InvalidValue, shown
from tracker.i18n import _, day, ngettext


def executors(owners: tuple[str, ...], responsible: str | None, co: tuple[str, ...],
              current: list[str] | None = None) -> list[str] | None:
    """The owners that --owner, --responsible and --co name (responsible first), or None
    when none is given. On an update (*current*: the item's owners) --responsible replaces
    the responsible executor and --co adds co-executors; --owner replaces them all, and
    with --owner, --responsible names one more, first."""
    if not owners and responsible is None and not co:
        return None
    if responsible is not None and responsible in co:
        raise InvalidValue(_("--responsible {name} is also given as --co: one executor is "
                             "either responsible or a co-executor").format(name=shown(responsible)))
    if owners or current is None:  # the owners named here: --responsible goes before them
        named = [*([] if responsible is None else [responsible]), *owners]
    else:  # the item's own: --responsible takes the first one's place
        named = list(current)
        if responsible is not None:
            named = [responsible, *(n for n in named[1:] if n != responsible)]
    return unique_owners([*named, *co])


@command("add")
@click.argument("plan_id", metavar="PLAN", type=PLAN)
@click.argument("title", type=TitleType())
@click.option("--ref", type=RefType(), help="The plan's own number (default: the next integer).")
@click.option("--owner", "owners", multiple=True, metavar="NAME", type=OwnerType(),
              help="Who carries it out; repeat for several, the responsible executor first.")
@click.option("--responsible", metavar="NAME", type=OwnerType(),
              help="The responsible executor (the first owner).")
@click.option("--co", "co", multiple=True, metavar="NAME", type=OwnerType(),
              help="A co-executor; repeat for several.")
@click.option("--area", type=TextType("area"), help="The priority area or chapter.")
@click.option("--due", type=DueType(),
              help="The deadline: a day, month, quarter, half-year, year, span or 'ongoing' "
                   "(2023-11-23, 23.11.2023, 2023-Q4, \"IV квартал 2023 г.\", 2023..2024).")
@click.option("--weight", type=WeightType(), help="Weight in the rate (a number > 0; default 1).")
@click.option("--status", type=STATUS, help="The starting status (default not-started).")
@click.option("--reason", type=TextType("reason", lines=True),
              help="Why it is not (fully) fulfilled, stalled or withdrawn.")
@click.option("--evidence", type=TextType("evidence"), help="Text or URL showing the outcome.")
@on_option
@amend_option
@pass_app
def add(app: App, plan_id: str, title: str, ref: str | None, owners: tuple[str, ...],
        responsible: str | None, co: tuple[str, ...], on: str | None, **fields: Any) -> None:
    """Add a measure to PLAN and print its address PLAN:REF.

    \b
    Examples:
      tracker add csto-2023 "Finalise the document on assistance to Armenia" --ref 34
      tracker add csto-2023 "Joint exercise" --responsible "Joint Staff" --co MFA --due 2023-Q3
    """
    values = {k: v for k, v in fields.items() if v is not None}
    with app.writing() as t:
        item = t.add_item(plan_id, title, ref=ref, on=on,
                          owners=executors(owners, responsible, co) or [], **values)
    echo(item.id + "\n")


@command("update")
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
              help="Replace the owners; repeat for several, the responsible executor first.")
@click.option("--responsible", metavar="NAME", type=OwnerType(),
              help="A new responsible executor (the co-executors stay).")
@click.option("--co", "co", multiple=True, metavar="NAME", type=OwnerType(),
              help="Add a co-executor; repeat for several.")
@click.option("--area", type=TextType("area"), help="The priority area or chapter.")
@click.option("--due", type=DueType(allow_none=True),
              help="A new deadline (as for 'tracker add'), or 'none' to clear it. Changing a "
                   "deadline is a move: it needs --reason.")
@click.option("--basis", type=TextType("basis"), default="",
              help="With --due: the decision the deadline was moved by.")
@click.option("--correct", is_flag=True,
              help="With --due: the old deadline was a typo; correct it without counting a "
                   "move.")
@click.option("--weight", type=WeightType(), help="Weight in the rate (a number > 0).")
@amend_option
@pass_app
def update(app: App, addresses: tuple[str, ...], on: str | None, note_text: str,
           owners: tuple[str, ...], responsible: str | None, co: tuple[str, ...],
           due: str | None, basis: str, correct: bool, **fields: Any) -> None:
    """Change one or more items: one write, one journal step, one undo.

    A status change to fulfilled, in-progress or not-started clears the old reason
    unless --reason is given. A new deadline for an item that had one is a move, kept
    with its reason (--reason) and basis; the original deadline stays on record.

    \b
    Examples:
      tracker update csto-2023:33 --status not-fulfilled --reason "primarily their stance"
      tracker update csto-2023:{1..32} --status fulfilled --on 2023-11-21
      tracker update csto-2023:7 --due 2023-Q4 --reason "the venue changed" \\
        --basis "decision of the Permanent Council of 12.05.2023"
    """
    values = {k: v for k, v in fields.items() if v is not None}
    if due is not None:
        values["due"] = None if due == "none" else due
    if (basis or correct) and due is None:
        raise InvalidValue(_("--basis and --correct go with --due: they describe a change of "
                             "deadline"))
    move = Move(reason=values.get("reason", ""), basis=basis, correct=correct)
    with app.writing() as t:
        if owners or responsible is not None or co:
            results = []
            for address in dict.fromkeys(addresses):
                item = t.item(address)
                named = executors(owners, responsible, co, item.owners)
                results.extend(t.update_items([address], {**values, "owners": named},
                                              on=on, note=note_text, move=move))
        else:
            results = t.update_items(list(addresses), values, on=on, note=note_text, move=move)
    changed = sum(1 for _item, changes in results if changes)
    if changed == len(results):
        note(ngettext("updated {count} item", "updated {count} items", changed)
             .format(count=changed))
    elif not values and note_text:
        note(ngettext("noted on {count} item", "noted on {count} items", len(results))
             .format(count=len(results)))
    elif len(results) == 1:
        note((_("nothing changed: {item} already had these values; the note is recorded")
              if note_text else _("nothing changed: {item} already had these values"))
             .format(item=results[0][0].id))
    else:
        message = (ngettext("updated {changed} of {count} item; the others already had these "
                            "values; the note is recorded on all",
                            "updated {changed} of {count} items; the others already had these "
                            "values; the note is recorded on all", len(results))
                   if note_text else
                   ngettext("updated {changed} of {count} item; the others already had these "
                            "values",
                            "updated {changed} of {count} items; the others already had these "
                            "values", len(results)))
        note(message.format(changed=changed, count=len(results)))


@command("list")
@click.argument("plan_id", metavar="[PLAN]", required=False, type=PLAN)
@click.option("--status", "statuses", type=STATUS, multiple=True,
              help="Only items with this status; repeat for several.")
@click.option("--owner", help="Only items this executor has a part in (responsible or "
                               "co-executor).")
@click.option("--responsible", help="Only items this executor is responsible for.")
@click.option("--area", help="Only items of this area.")
@click.option("--overdue", is_flag=True, help="Only open items whose deadline has passed.")
@click.option("--due-before", "due_before", type=DATE, metavar="DATE",
              help="Only items whose deadline ends before this day (its period's last day).")
@click.option("--due-within", "due_within", type=click.IntRange(min=0), metavar="DAYS",
              help="Only open items due from today to DAYS days ahead (by the period's last "
                   "day).")
@click.option("--awaiting", is_flag=True,
              help="Only items with an executor's answer awaiting acceptance (reporting "
                   "rounds).")
@click.option("--sort", type=click.Choice(["ref", "due"]), default="ref", show_default=True,
              help="The plan's own order, or by deadline (its last day; ongoing, then none, "
                   "last).")
@format_option()
@pass_app
def list_items(app: App, plan_id: str | None, statuses: tuple[str, ...], owner: str | None,
               responsible: str | None, area: str | None, overdue: bool, due_before: str | None,
               due_within: int | None, awaiting: bool, sort: str, fmt: str) -> None:
    """List items, of one plan or of all plans, with filters.

    \b
    Examples:
      tracker list csto-2023 --status not-fulfilled --status partial
      tracker list csto-2023 --due-before 2024-01-01 --sort due
      tracker list --due-within 30 --sort due
      tracker list csto-2023 --awaiting
    """
    found = app.reader().items(plan_id, statuses=statuses, owner=owner,
                               responsible=responsible, area=area,
                               overdue=overdue, due_before=due_before, due_within=due_within,
                               sort=sort)
    if awaiting:
        from tracker.rounds import awaiting as awaited

        waiting = {(one.plan, ref) for one in app.reader().rounds(plan_id)
                   for ref in awaited([one])}
        found = [item for item in found if (item.plan, item.ref) in waiting]
    render = app.renderer(fmt)
    if not found and not render.machine:
        note(_("No items match."))
        return
    echo(render.items(found))


@command("show")
@click.argument("address", metavar="ITEM", type=ITEM)
@format_option()
@pass_app
def show(app: App, address: str, fmt: str) -> None:
    """Show an item and its full history (with --format csv: the item's row only).

    A removed item shows as it was when removed, with when and by whom.

    \b
    Example:
      tracker show csto-2023:34
    """
    reader = app.reader()
    record, history = reader.item_record(address)
    render = app.renderer(fmt)
    if "removed" in record and not render.machine:
        gone = record["removed"]
        record = {**record, "removed": _("{day} by {actor} (step {step})").format(
            day=day(gone["effective"]), actor=gone["actor"], step=gone["step"])}
    elif not render.machine:  # its files, as a person reads the measure ('attachments' -f json)
        from tracker.attachments import ATTACHMENT_ACTIONS, attachments_of

        files = attachments_of(e for e in history if e["action"] in ATTACHMENT_ACTIONS)
        record = {**record, "attachments": list(files.get(record["id"], {}).values())}
    echo(render.record(record, history))


@command("remove")
@click.argument("addresses", metavar="ITEM...", nargs=-1, required=True, type=ITEM)
@yes_option
@pass_app
def remove(app: App, addresses: tuple[str, ...], yes: bool) -> None:
    """Remove items; the journal keeps them and 'tracker undo' restores them.

    \b
    Example:
      tracker remove csto-2023:35 --yes
    """
    if not yes:
        reader = app.reader()
        items = [reader.item(address) for address in addresses]
        acting = reader.repo.acting_for()
        if acting is not None:  # (a role acting for executors: refused before it is asked)
            from tracker.rights import not_allowed

            raise not_allowed(reader.repo.actor() or "", acting, "remove", items[0].id)
        count = len(set(addresses))
        confirm(ngettext("Remove {count} item: {items}?", "Remove {count} items: {items}?",
                         count).format(count=count, items=", ".join(addresses)), yes)
    with app.writing() as t:
        removed = t.remove_items(list(addresses))
    note(ngettext("removed {count} item", "removed {count} items", len(removed))
         .format(count=len(removed)))


COMMANDS = [add, update, list_items, show, remove]
