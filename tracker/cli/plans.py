"""``tracker plan …``: create, list, show, edit and remove action plans."""

from __future__ import annotations

import click

from tracker.cli.common import (
    CONTEXT_SETTINGS,
    DATE,
    PLAN,
    App,
    DateType,
    TextType,
    TitleType,
    TranslatedGroup,
    confirm,
    echo,
    format_option,
    note,
    pass_app,
)
from tracker.i18n import _, ngettext
from tracker.render.common import field_label


@click.group(cls=TranslatedGroup, context_settings=CONTEXT_SETTINGS)
def plan() -> None:
    """Create, list, show, edit and remove action plans.

    \b
    Example:
      tracker plan add csto-2023 --title "CSTO action plan 2023" --org CSTO
    """


def _plan_fields(func):  # type: ignore[no-untyped-def]
    return _fields(func, DATE, "")


def _editable_plan_fields(func):  # type: ignore[no-untyped-def]
    return _fields(func, DateType(allow_none=True), ", or 'none' to clear it")


def _fields(func, date_type, clear):  # type: ignore[no-untyped-def]
    for decorator in reversed([
        click.option("--org", type=TextType("organisation"),
                     help="The organisation that committed to the plan."),
        click.option("--start", type=date_type, help=f"When the plan starts (YYYY-MM-DD){clear}."),
        click.option("--end", type=date_type, help=f"When the plan ends (YYYY-MM-DD){clear}."),
        click.option("--source", type=TextType("source"),
                     help="The decision or document the plan implements."),
    ]):
        func = decorator(func)
    return func


@plan.command("add", context_settings=CONTEXT_SETTINGS)
@click.argument("plan_id", metavar="PLAN", type=PLAN)
@click.option("--title", required=True, type=TitleType(), help="The plan's title.")
@_plan_fields
@pass_app
def plan_add(app: App, plan_id: str, title: str, org: str | None, start: str | None,
             end: str | None, source: str | None) -> None:
    """Create the plan PLAN (an id such as csto-2023).

    \b
    Example:
      tracker plan add csto-2023 --title "Action plan 2023" --org CSTO --end 2023-12-31
    """
    with app.writing() as t:
        created = t.add_plan(plan_id, title, org=org, start=start, end=end, source=source)
    echo(created.id + "\n")


@plan.command("list", context_settings=CONTEXT_SETTINGS)
@format_option()
@pass_app
def plan_list(app: App, fmt: str) -> None:
    """List the plans with their item counts and completion rate.

    \b
    Example:
      tracker plan list --format json
    """
    summaries = app.reader().plan_summaries()
    render = app.renderer(fmt)
    if not summaries and not render.machine:
        note(_("No plans yet: create one with 'tracker plan add PLAN --title TEXT'."))
        return
    echo(render.plans(summaries))


@plan.command("show", context_settings=CONTEXT_SETTINGS)
@click.argument("plan_id", metavar="PLAN", type=PLAN)
@format_option()
@pass_app
def plan_show(app: App, plan_id: str, fmt: str) -> None:
    """Show a plan's details and its counts by status.

    \b
    Example:
      tracker plan show csto-2023
    """
    echo(app.renderer(fmt).record(app.reader().plan_record(plan_id), kind="plan"))


@plan.command("edit", context_settings=CONTEXT_SETTINGS)
@click.argument("plan_id", metavar="PLAN", type=PLAN)
@click.option("--title", type=TitleType(), help="A new title.")
@_editable_plan_fields
@pass_app
def plan_edit(app: App, plan_id: str, **fields: str | None) -> None:
    """Change a plan's title, organisation, dates or source.

    \b
    Example:
      tracker plan edit csto-2023 --end 2023-12-31
    """
    given = {k: (None if k in ("start", "end") and v == "none" else v)
             for k, v in fields.items() if v is not None}
    if not given:
        raise click.UsageError(_("nothing to change: give --title, --org, --start, --end or "
                                 "--source"))
    with app.writing() as t:
        changes = t.edit_plan(plan_id, **given)
    named = ", ".join(field_label("plan_title" if f == "title" else f) for f in changes)
    note(_("{plan}: {fields} changed").format(plan=plan_id, fields=named)
         if changes else _("{plan}: nothing changed").format(plan=plan_id))


@plan.command("remove", context_settings=CONTEXT_SETTINGS)
@click.argument("plan_id", metavar="PLAN", type=PLAN)
@click.option("--force", is_flag=True, help="Also remove the plan's items.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@pass_app
def plan_remove(app: App, plan_id: str, force: bool, yes: bool) -> None:
    """Remove a plan; refuses one with items unless --force. 'tracker undo' restores it.

    \b
    Example:
      tracker plan remove old-plan --force --yes
    """
    if not yes:  # read to ask; with --yes the command reads the file only once
        count = len(app.repo().items(app.reader().plan(plan_id).id))
        if force or not count:  # else the removal is refused below, with the reason
            question = (ngettext("Remove plan {plan} and its {count} item?",
                                 "Remove plan {plan} and its {count} items?", count)
                        if count else _("Remove plan {plan}?"))
            confirm(question.format(plan=plan_id, count=count), yes)
    with app.writing() as t:
        removed = t.remove_plan(plan_id, force=force)
    note((ngettext("removed plan {plan} and {count} item", "removed plan {plan} and {count} items",
                   len(removed)) if removed else _("removed plan {plan}"))
         .format(plan=plan_id, count=len(removed)))


COMMANDS = [plan]
