"""``tracker round …``, ``accept`` and ``return``: reporting rounds (SPEC §14)."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import click

from tracker.cli.common import (
    CONTEXT_SETTINGS,
    DATE,
    ITEM,
    PLAN,
    App,
    OwnerType,
    TextType,
    TranslatedGroup,
    amend_option,
    command,
    echo,
    format_option,
    listed_otherwise,
    note,
    on_option,
    pass_app,
)
from tracker.errors import StoreError, TrackerError
from tracker.i18n import _, day, ngettext, os_reason

if TYPE_CHECKING:
    from tracker.domain import Item
    from tracker.rounds import Answer, Round

ROUND_FORMATS = ("table", "json")


@click.group(cls=TranslatedGroup, context_settings=CONTEXT_SETTINGS)
def round() -> None:  # noqa: A001 (the command's name)
    """Reporting rounds: ask each executor about their measures, collect the answers.

    \b
    Example:
      tracker round open csto-2023 --name council-2023-11 --due 2023-11-10
      tracker round forms council-2023-11 -o forms/
      tracker import csto-2023 forms/MFA.xlsx
      tracker accept csto-2023:7
      tracker round status council-2023-11
    """


@round.command("open", context_settings=CONTEXT_SETTINGS)
@click.argument("plan_id", metavar="PLAN", type=PLAN)
@click.option("--name", help="The round's name (default: PLAN-N, the plan's Nth round).")
@click.option("--due", type=DATE, metavar="DATE", help="The day answers are due.")
@click.option("--as-of", "as_of", type=DATE, metavar="DATE",
              help="Ask about the measures as they stood on this day (default: today).")
@pass_app
def round_open(app: App, plan_id: str, name: str | None, due: str | None,
               as_of: str | None) -> None:
    """Open a round of requests for information on PLAN's measures: each measure still
    under control is asked of its responsible executor and co-executors.

    \b
    Example:
      tracker round open csto-2023 --name council-2023-11 --due 2023-11-10
    """
    with app.writing() as t:
        opened = t.open_round(plan_id, name, due, as_of)
    echo(opened.name + "\n")
    asked = sum(len(rows) for rows in opened.asked.values())
    note(ngettext("round {name}: {asked} request to {executors} executor(s)",
                  "round {name}: {asked} requests to {executors} executor(s)", asked)
         .format(name=opened.name, asked=asked, executors=len(opened.asked)))


@round.command("list", context_settings=CONTEXT_SETTINGS)
@click.argument("plan_id", metavar="[PLAN]", required=False, type=PLAN)
@format_option(choices=ROUND_FORMATS)
@pass_app
def round_list(app: App, plan_id: str | None, fmt: str) -> None:
    """List the rounds, of one plan or of all.

    \b
    Example:
      tracker round list csto-2023
    """
    rounds = app.reader().rounds(plan_id)
    if listed_otherwise(fmt, rounds, _("No rounds.")):
        return
    from tracker.render.text import aligned

    rows = []
    for one in rounds:
        totals = _totals(one)
        rows.append([one.name, one.plan, day(one.opened), day(one.due) if one.due else "",
                     _("closed {day}").format(day=day(one.closed)) if one.closed
                     else _("open"), str(totals["asked"]), str(totals["answered"]),
                     str(totals["accepted"])])
    echo(aligned(rows, [_("round"), _("plan"), _("opened"), _("due"), _("state"),
                        _("asked"), _("answered"), _("accepted")]))


def _totals(one: Round) -> dict[str, int]:
    asked = sum(len(rows) for rows in one.asked.values())
    states = [answer.state for answer in one.answers.values()]
    return {"asked": asked, "answered": sum(s != "missing" for s in states),
            "accepted": states.count("accepted")}


@round.command("status", context_settings=CONTEXT_SETTINGS)
@click.argument("name", metavar="ROUND")
@format_option(choices=ROUND_FORMATS)
@pass_app
def round_status(app: App, name: str, fmt: str) -> None:
    """Who answered, who did not, what waits for acceptance: per executor.

    \b
    Example:
      tracker round status council-2023-11
    """
    from tracker.cli.common import today

    one = app.reader().round(name)
    left = None
    if one.due and one.is_open:
        left = (date.fromisoformat(one.due) - today()).days
    if fmt == "json":
        from tracker import jsonio

        echo(jsonio.pretty({**one.to_json(), "days_left": left,
                            "answers": [a.to_json() for a in one.answers.values()]}))
        return
    from tracker.render.text import aligned

    lines = [_("Round {name} of {plan}, opened {opened}, as of {as_of}").format(
        name=one.name, plan=one.plan, opened=day(one.opened), as_of=day(one.as_of))]
    if one.closed:
        lines.append(_("closed {day}").format(day=day(one.closed)))
    elif one.due:
        lines.append(_("answers due {due}: {days} day(s) left").format(due=day(one.due),
                                                                       days=left)
                     if left is not None and left >= 0 else
                     _("answers were due {due}: {days} day(s) ago").format(
                         due=day(one.due), days=-(left or 0)))
    rows = []
    for executor in one.asked:
        counts = one.counts(executor)
        rows.append([executor, str(len(one.asked_of(executor))), str(counts["awaiting"]),
                     str(counts["accepted"]), str(counts["returned"]), str(counts["missing"])])
    echo("\n".join(lines) + "\n\n" + aligned(rows, [
        _("executor"), _("asked"), _("awaiting acceptance"), _("accepted"), _("returned"),
        _("missing")]))


@round.command("close", context_settings=CONTEXT_SETTINGS)
@click.argument("name", metavar="ROUND")
@pass_app
def round_close(app: App, name: str) -> None:
    """Close a round: its forms are no longer taken.

    \b
    Example:
      tracker round close council-2023-11
    """
    with app.writing() as t:
        t.close_round(name)
    note(_("closed round {name}").format(name=name))


@round.command("forms", context_settings=CONTEXT_SETTINGS)
@click.argument("name", metavar="ROUND")
@click.option("-o", "--output", "folder", required=True, metavar="DIR",
              type=click.Path(file_okay=False),
              help="The folder the forms are written to (made if missing).")
@click.option("--format", "-f", "fmt", type=click.Choice(["xlsx", "docx"]), default="xlsx",
              show_default=True, help="The forms' format: a protected workbook, or a Word "
                                      "table with the answer columns.")
@pass_app
def round_forms(app: App, name: str, folder: str, fmt: str) -> None:
    """Write one form per executor: the measures asked of them and empty answer cells.

    \b
    Example:
      tracker round forms council-2023-11 -o forms/
    """
    from tracker.fileio import write_output
    from tracker.forms import form_bytes, form_docx, form_file_name
    from tracker.i18n import current

    reader = app.reader()
    one = reader.round(name)
    plan = reader.plan(one.plan)
    items = {item.ref: item for item in app.repo().items(plan.id)}
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as exc:
        raise StoreError(_("cannot make the folder {folder}: {reason}")
                         .format(folder=folder, reason=os_reason(exc))) from None
    used: set[str] = set()
    written = []
    for executor in one.asked:
        path = os.path.join(folder, form_file_name(executor, used, fmt))
        app.check_output(path)
        make = form_bytes if fmt == "xlsx" else form_docx
        try:
            write_output(path, make(one, executor, plan, items, current()))
        except OSError as exc:
            raise StoreError(_("cannot write {output}: {reason}")
                             .format(output=path, reason=os_reason(exc))) from None
        written.append(path)
    for path in written:
        echo(path + "\n")
    note(ngettext("wrote {count} form to {folder}", "wrote {count} forms to {folder}",
                  len(written)).format(count=len(written), folder=folder))


def _answer_options(function: Any) -> Any:
    function = click.option("--executor", type=OwnerType(),
                            help="Whose answer, when several executors answered.")(function)
    return click.option("--round", "round_name", metavar="ROUND",
                        help="The round (default: the open one with an answer).")(function)


def _name_each(done: list[tuple[Item, Answer, str]], message: str) -> None:
    """Whose answer each measure's was (several executors may answer for one), the first
    ten of them."""
    for item, answer, name in done[:10]:
        note(message.format(item=item.id, executor=answer.executor, round=name))
    if len(done) > 10:
        note(_("  … and {count} more").format(count=len(done) - 10))


@command("accept")
@click.argument("addresses", metavar="ITEM...", nargs=-1, required=True, type=ITEM)
@_answer_options
@on_option
@amend_option
@pass_app
def accept(app: App, addresses: tuple[str, ...], round_name: str | None,
           executor: str | None, on: str | None) -> None:
    """Take an executor's answer into the plan: its status, reason and evidence, effective
    the day they reported it (or --on). A measure reported fulfilled leaves control only so.

    \b
    Example:
      tracker accept csto-2023:7 csto-2023:8 --round council-2023-11
    """
    with app.writing() as t:
        from tracker.service import answer_text

        done, otherwise = t.accept(list(addresses), round_name, executor, on)
    _name_each(done, _("{item}: accepted the answer of {executor} (round {round})"))
    for item, other in otherwise[:10]:  # the responsible executor's answer was taken
        note(_("{item}: {executor} answered otherwise ({answer}); to take theirs instead: "
               "tracker accept {item} --executor {executor}").format(
            item=item.id, executor=other.executor, answer=answer_text(other.answer)))
    note(ngettext("accepted {count} answer", "accepted {count} answers", len(done))
         .format(count=len(done)))


@command("return")
@click.argument("addresses", metavar="ITEM...", nargs=-1, required=True, type=ITEM)
@click.option("--reason", required=True, type=TextType("reason", lines=True),
              help="Why the answer goes back (the executor is asked again).")
@_answer_options
@pass_app
def return_(app: App, addresses: tuple[str, ...], reason: str, round_name: str | None,
            executor: str | None) -> None:
    """Send an executor's answer back, saying why: the measure is asked of them again.

    \b
    Example:
      tracker return csto-2023:9 --reason "no document is named"
    """
    with app.writing() as t:
        done = t.return_answers(list(addresses), reason, round_name, executor)
    _name_each(done, _("{item}: returned the answer of {executor} (round {round})"))
    note(ngettext("returned {count} answer", "returned {count} answers", len(done))
         .format(count=len(done)))


def import_forms(app: App, plan_id: str, files: list[tuple[str, bytes]], on: str | None,
                 dry_run: bool, single: bool = False) -> bool:
    """``tracker import PLAN FORM...``: file round forms' answers, all in one step; every
    form is read and checked first, and one refused leaves them all unwritten. *single*:
    one file that may not be a form at all (then False, and nothing is done)."""
    from tracker.errors import BadRows
    from tracker.forms import read_docx_form, read_form

    forms = []
    problems: list[str] = []
    from tracker.readers import file_kind

    for name, data in files:
        kind = file_kind(name, data)
        form = None if kind == "csv" else (  # a form is a workbook or a document
            read_docx_form if kind == "docx" else read_form)(data, name)
        if form is None:
            if single:
                return False
            raise TrackerError(_("{name} is not a round's form: several files are imported "
                                 "together only when each is one (import a plan's file "
                                 "alone)").format(name=name))
        problems += form.problems
        if not form.problems and not form.answers:
            raise TrackerError(_("{name}: the form of {executor} holds no answer; nothing was "
                                 "imported").format(name=name, executor=form.executor))
        forms.append((name, form))
    if problems:
        raise BadRows(problems)
    with app.writing() as t:
        done = t.record_answers(plan_id, [(form.round, form.executor, form.answers, name)
                                          for name, form in forms], on)
        if dry_run:
            t.repo.discard()
    for (name, form), one in zip(forms, done, strict=True):
        recorded, unchanged = len(one["recorded"]), len(one["unchanged"])
        if dry_run:
            message = ngettext("{name}: {recorded} answer of {executor} would be recorded",
                               "{name}: {recorded} answers of {executor} would be recorded",
                               recorded)
        else:
            message = ngettext("{name}: {recorded} answer of {executor} recorded, awaiting "
                               "acceptance",
                               "{name}: {recorded} answers of {executor} recorded, awaiting "
                               "acceptance", recorded)
        message = message.format(name=name, recorded=recorded, executor=form.executor)
        if unchanged:
            message += "; " + ngettext("{count} was recorded already",
                                       "{count} were recorded already",
                                       unchanged).format(count=unchanged)
        if dry_run:
            message += " " + _("(dry run: nothing written)")
        note(message)
    return True


@click.group(cls=TranslatedGroup, context_settings=CONTEXT_SETTINGS)
def executor() -> None:
    """The executors: their addresses for reminders.

    \b
    Example:
      tracker executor set MFA --email focal.point@mfa.example
    """


@executor.command("set", context_settings=CONTEXT_SETTINGS)
@click.argument("name", type=OwnerType())
@click.option("--email", required=True, metavar="ADDRESS",
              help="The address reminders are made out to ('' forgets it).")
@pass_app
def executor_set(app: App, name: str, email: str) -> None:
    """Keep an executor's e-mail address (reminders are addressed to it).

    \b
    Example:
      tracker executor set "Минобороны" --email mod@example.org
    """
    with app.writing() as t:
        t.set_executor(name, email.strip() or None)
    note(_("{name}: {email}").format(name=name, email=email or _("no address")))


@executor.command("list", context_settings=CONTEXT_SETTINGS)
@pass_app
def executor_list(app: App) -> None:
    """List the executors with an address, and the executors of every plan.

    \b
    Example:
      tracker executor list
    """
    from tracker.render.text import aligned

    emails = app.reader().executors()
    names = dict.fromkeys(name for plan in app.repo().plans()
                          for item in app.repo().items(plan.id) for name in item.owners)
    names.update(dict.fromkeys(emails))
    echo(aligned([[name, emails.get(name, "")] for name in names],
                 [_("executor"), _("e-mail")]))


@command("remind")
@click.argument("plan_ids", metavar="[PLAN]...", nargs=-1, type=PLAN)
@click.option("--within", type=click.IntRange(min=0), default=30, show_default=True,
              metavar="DAYS", help="Also the measures due in the next DAYS days.")
@click.option("-o", "--output", "folder", required=True, metavar="DIR",
              type=click.Path(file_okay=False),
              help="The folder the reminders are written to (made if missing).")
@click.option("--format", "-f", "fmt", type=click.Choice(["eml", "txt", "docx"]),
              default="eml", show_default=True, help="The reminders' format.")
@click.option("--from", "sender", default="", metavar="ADDRESS",
              help="The sender of .eml messages (default: $TRACKER_FROM, else the "
                   "secretariat's user name).")
@pass_app
def remind(app: App, plan_ids: tuple[str, ...], within: int, folder: str, fmt: str,
           sender: str) -> None:
    """Write one reminder per executor: their overdue measures (with the delay), those due
    within DAYS, and the answers still missing in open rounds. None for an executor with
    nothing to be reminded of; nothing is sent.

    \b
    Example:
      tracker remind csto-2023 --within 14 -o reminders/
      tracker --lang ru remind --format docx -o reminders/
    """
    from tracker import remind as reminding
    from tracker.cli.common import actor, today
    from tracker.fileio import write_output
    from tracker.forms import form_file_name
    from tracker.i18n import current

    reader = app.reader()
    chosen = reader.plans(plan_ids)
    plans = [(plan, app.repo().items(plan.id)) for plan in chosen]
    rounds = [one for plan in chosen for one in reader.rounds(plan.id)]
    day_ = today().isoformat()
    found = reminding.reminders(plans, rounds, day_, within, reader.executors())
    if not found:
        note(_("nobody to remind: no measure is overdue or due soon, no answer is missing"))
        return
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as exc:
        raise StoreError(_("cannot make the folder {folder}: {reason}")
                         .format(folder=folder, reason=os_reason(exc))) from None
    sender = sender or os.environ.get("TRACKER_FROM") or actor()
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if os.environ.get("TRACKER_TODAY"):  # a pinned day is the day the reminder is dated
        now = day_ + now[10:]
    used: set[str] = set()
    for reminder in found:
        path = os.path.join(folder, form_file_name(reminder.executor, used, fmt))
        app.check_output(path)
        if fmt == "eml":
            data = reminding.eml(reminder, current(), sender, now)
        elif fmt == "txt":
            data = reminding.text(reminder, current()).encode("utf-8")
        else:
            data = reminding.docx(reminder, current())
        try:
            write_output(path, data)
        except OSError as exc:
            raise StoreError(_("cannot write {output}: {reason}")
                             .format(output=path, reason=os_reason(exc))) from None
        echo(path + "\n")
    note(ngettext("wrote {count} reminder to {folder}", "wrote {count} reminders to {folder}",
                  len(found)).format(count=len(found), folder=folder))


COMMANDS = [round, accept, return_, executor, remind]
