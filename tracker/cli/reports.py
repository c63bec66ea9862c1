"""``tracker report | export | import``: completion reports, exports and imports."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import click

from tracker.cli.common import (
    DATE,
    PLAN,
    App,
    DelimiterType,
    MapType,
    TextType,
    TitleType,
    amend_option,
    command,
    echo,
    emit,
    format_option,
    listed_otherwise,
    note,
    on_option,
    pass_app,
    rules_options,
    today,
)
from tracker.control import DISCIPLINE_GROUPINGS, Move
from tracker.domain import DUE_WITHIN, Rules, sorted_by_ref
from tracker.errors import InvalidValue, TrackerError
from tracker.i18n import _, day, ngettext, os_reason, pgettext
from tracker.periods import TREND_PERIODS
from tracker.render import ROW_FORMATS
from tracker.render.common import field_label

if TYPE_CHECKING:
    from tracker.domain import Item

DOCUMENT_FORMATS = ("html", "docx", "pdf")
OVERVIEW_FORMATS = ("table", "plain", "grid", "markdown")  # several plans: the overview only


@command("report")
@click.argument("plan_ids", metavar="[PLAN]...", nargs=-1, type=PLAN)
@click.option("--by", type=click.Choice(["owner", "area", "status"]),
              help="Add a table of the rate per owner, area or status.")
@click.option("--as-of", "as_of", type=DATE, metavar="DATE",
              help="Statuses as they stood on that day, from the journal (default: today).")
@click.option("--since", type=DATE, metavar="DATE",
              help="Add what changed from that day to the report's day (by the days "
                   "changes are dated).")
@click.option("--recorded-since", "recorded_since", type=DATE, metavar="DATE",
              help="Add what was typed in from that day on, whatever the days it is dated.")
@click.option("--due-within", "due_within", type=click.IntRange(min=0), metavar="DAYS",
              default=DUE_WITHIN, show_default=True,
              help="List the open items due in the next DAYS days.")
@rules_options
@click.option("--full", is_flag=True,
              help="Several plans: each plan's sections after the overview; every plan: its "
                   "executive discipline too.")
@click.option("--publish", metavar="NAME",
              help="Freeze this report as handed out under NAME: later changes to it are "
                   "named before they are written.")
@click.option("--published", metavar="NAME",
              help="Print the report published as NAME, exactly as it was.")
@click.option("--since-published", "since_published", metavar="NAME",
              help="Add what changed since the report published as NAME.")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, writable=True),
              help="Write the report to FILE instead of stdout.")
@format_option(choices=(*ROW_FORMATS, *DOCUMENT_FORMATS))
@pass_app
def report(app: App, plan_ids: tuple[str, ...], by: str | None, as_of: str | None,
           since: str | None, recorded_since: str | None, due_within: int,
           exclude_withdrawn: bool, partial_credit: float, full: bool, publish: str | None,
           published: str | None, since_published: str | None, output: str | None,
           fmt: str) -> None:
    """Report completion: the rate with its rule, counts by status, the items not
    fulfilled with their reasons, overdue open items and those due soon. Several plans
    (no PLAN means every plan): an overview, a row per plan and the total.

    --since DATE adds what changed since the last briefing: the rate then and now, status
    changes, items added and removed, deadlines moved, reasons changed.

    --format html writes one self-contained page; docx the Word document a council is
    handed (every measure in a table); pdf the page printed on A4. docx and pdf need
    -o FILE.

    \b
    Examples:
      tracker report csto-2023
      tracker report csto-2023 --since 2024-01-01
      tracker report --by owner --as-of 2023-11-21 --format json
      tracker report --full
      tracker report csto-2023 --format html -o csto-2023.html
      tracker --lang ru report csto-2023 --format docx -o csto-2023.docx
      tracker report csto-2023 --format docx -o council.docx --publish council-2023-11
      tracker report --published council-2023-11
    """
    from tracker.reports import build_report

    if fmt in ("docx", "pdf") and output is None:
        raise InvalidValue(_("--format {format} writes a document file: add -o FILE.{format}")
                           .format(format=fmt))
    if published is not None:
        if publish is not None or since_published is not None or since or recorded_since \
                or as_of or plan_ids or by:
            raise InvalidValue(_("--published NAME reprints what was published: it takes no "
                                 "PLAN, --as-of, --by, --since or --publish"))
        _reprint(app, published, fmt, output)
        return
    if since_published is not None:
        if since is not None or recorded_since is not None:
            raise InvalidValue(_("--since-published and --since ask two different questions: "
                                 "give one of them"))
        frozen = app.reader().published_report(since_published)
        plan_ids = plan_ids or tuple(frozen.plans)
    if since is not None and recorded_since is not None:
        raise InvalidValue(_("--since and --recorded-since ask two different questions: give "
                             "one of them"))
    end = as_of or today().isoformat()
    start = since or recorded_since
    if start is not None and start > end:
        raise InvalidValue(_("--since {since} is after the report's day {day}: the span must "
                             "run forward").format(since=day(start), day=day(end)))
    if output is not None:
        app.check_output(output)
    rules = Rules(exclude_withdrawn=exclude_withdrawn, partial_credit=partial_credit)
    # Publishing reads and writes in one open of the database; a report only reads.
    with app.writing() if publish is not None else contextlib.nullcontext() as writer:
        reader = writer.read if writer is not None else app.reader()
        later: dict[str, int] = {}
        chosen = reader.plans(plan_ids)
        overview = len(chosen) > 1 and not full and as_of is None and fmt in OVERVIEW_FORMATS
        if overview:
            # The overview alone: each plan's sums by status, not its items.
            from tracker.reports import overview_report

            report = overview_report(((p, reader.repo.status_sums(p.id)) for p in chosen), rules,
                                     end, by, due_within)
        else:
            files_then: dict[str, list[dict[str, Any]]] = {}  # as of a day: its files
            plans = reader.plans_with_items(tuple(p.id for p in chosen), as_of, later,
                                            files_then)
            with_discipline = full or fmt in DOCUMENT_FORMATS
            report = build_report(plans, rules, end, by, keep_items=fmt == "docx" or with_discipline
                                  or publish is not None or since_published is not None,
                                  due_within=due_within)
            snapshot = [(reader.plan(entry.plan), list(entry.items)) for entry in report.plans]
            if not (fmt == "docx" or with_discipline):
                for entry in report.plans:
                    entry.items = []
            if with_discipline:  # the executive discipline of each plan, from the same items
                from tracker.reports import plan_discipline

                for entry in report.plans:
                    entry.discipline = plan_discipline(reader.plan(entry.plan), entry.items, end)
                    if fmt != "docx":
                        entry.items = []
        report.full = full
        if not overview:  # answers awaiting acceptance (today's only); evidence files
            from tracker.attachments import attachment_rows
            from tracker.rounds import awaiting_rows

            for entry, (_plan, items) in zip(report.plans, snapshot, strict=True):
                if as_of is not None:
                    entry.attachments = files_then.get(entry.plan, [])
                    continue
                rounds, files = reader.rounds_and_attachments(entry.plan)
                if rounds or files:  # the report's items; read again if it let them go
                    items = items or reader.repo.items(entry.plan)
                if rounds:
                    entry.awaiting = awaiting_rows(rounds, {i.ref: i.title for i in items})
                entry.attachments = attachment_rows(files, items)
        if as_of is not None:  # how many of today's items the day did not know yet
            for entry in report.plans:
                entry.not_yet_added = later.get(entry.plan, 0)
        if start is not None:
            for entry in report.plans:
                entry.changes = reader.changes(reader.plan(entry.plan), start, as_of, rules, by,
                                               recorded=recorded_since is not None)
        if since_published is not None:  # the published measures against today's
            from tracker.progress import changes_between

            now = dict((plan.id, items) for plan, items in snapshot)
            listed = frozen.listed
            for entry in report.plans:
                then = frozen.items.get(entry.plan, [])
                entry.changes = changes_between(then, [i.to_dict() for i in now[entry.plan]],
                                                frozen.as_of, rules, by)
                if not overview:  # (an overview lists no files)
                    entry.changes.file_changes(
                        listed.get(entry.plan, {}).get("attachments", []), entry.attachments)
        if fmt in ("html", "pdf") and len(report.plans) == 1:  # the rate's small line chart
            entry = report.plans[0]
            entry.trend = reader.rate_trend(reader.plan(entry.plan), end, rules)
        data = app.renderer(fmt, output).report(report)
        if publish is not None:
            if overview:
                raise InvalidValue(_("--publish freezes a report's measures: give --full to "
                                     "publish several plans"))
            raw = data.encode("utf-8") if isinstance(data, str) else data
            json_text = str(app.renderer("json").report(report))
            args = {"exclude_withdrawn": exclude_withdrawn, "partial_credit": partial_credit,
                    "by": by, "due_within": due_within, "full": full, "as_of": as_of,
                    "since": since, "recorded_since": recorded_since}
            assert writer is not None
            sha = writer.publish(publish, snapshot, end, fmt, raw, json_text, args)
    if publish is not None:
        note(_("published as {name} (SHA-256 {sha})").format(name=publish, sha=sha[:16]))
    emit(app, data, output)


def _reprint(app: App, name: str, fmt: str, output: str | None) -> None:
    """``report --published NAME``: the stored bytes in the format published (and the
    stored JSON), any other format made again from the stored measures."""
    from tracker.reports import build_report, plan_discipline

    frozen = app.reader().published_report(name)
    if output is not None:
        app.check_output(output)
    if fmt == frozen.fmt:
        data: str | bytes = frozen.output
    elif fmt == "json":
        data = frozen.json
    else:
        args = frozen.args
        report = build_report(frozen.plans_with_items(), frozen.rules, frozen.as_of,
                              args.get("by"), keep_items=True,
                              due_within=args.get("due_within", DUE_WITHIN))
        report.full = bool(args.get("full"))
        listed = frozen.listed  # (answers awaiting, evidence files)
        for entry, (plan, items) in zip(report.plans, frozen.plans_with_items(), strict=True):
            entry.awaiting = listed.get(entry.plan, {}).get("awaiting", [])
            entry.attachments = listed.get(entry.plan, {}).get("attachments", [])
            if fmt in DOCUMENT_FORMATS or report.full:
                entry.discipline = plan_discipline(plan, items, frozen.as_of)
            if fmt != "docx":
                entry.items = []
        data = app.renderer(fmt, output).report(report)
    note(_("the report {name} as published on {day} by {actor} (SHA-256 {sha})").format(
        name=name, day=day(frozen.day), actor=frozen.actor, sha=frozen.sha256[:16]))
    for amend in frozen.amended:
        note(_("amended since: on {day} by {actor}: {change}").format(
            day=day(amend["effective"]), actor=amend["actor"], change=amend["change"]))
    emit(app, data, output)


@command("published")
@format_option(choices=("table", "json"))
@pass_app
def published_list(app: App, fmt: str) -> None:
    """List the published reports: name, plans, the day and who, SHA-256, amendments.

    \b
    Example:
      tracker published
    """
    found = app.reader().published()
    if listed_otherwise(fmt, found, _("No published reports.")):
        return
    from tracker.render.text import aligned

    # the format's own name (docx, pdf…), but the terminal's table said in words
    echo(aligned([[p.name, ", ".join(p.plans), day(p.day), p.actor, day(p.as_of),
                   pgettext("format", "table") if p.fmt == "table" else p.fmt,
                   p.sha256[:16], str(len(p.amended))] for p in found],
                 [_("name"), _("plans"), _("published"), _("by"), _("as of"), _("format"),
                  _("SHA-256"), _("amended")]))


@command("trend")
@click.argument("plan_ids", metavar="[PLAN]...", nargs=-1, type=PLAN)
@click.option("--by", type=click.Choice(TREND_PERIODS), default="quarter", show_default=True,
              help="One row per month, quarter or year.")
@click.option("--from", "first", type=DATE, metavar="DATE",
              help="The first day (default: the plan's start, or its first event).")
@click.option("--to", "last", type=DATE, metavar="DATE",
              help="The last day (default: today).")
@rules_options
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, writable=True),
              help="Write to FILE instead of stdout.")
@format_option(choices=(*ROW_FORMATS, "html", "xlsx"))
@pass_app
def trend(app: App, plan_ids: tuple[str, ...], by: str, first: str | None, last: str | None,
          exclude_withdrawn: bool, partial_credit: float, output: str | None,
          fmt: str) -> None:
    """Show how the rate moved: a row per month, quarter or year with the items at its
    end, how many reached fulfilled, partial, not fulfilled and withdrawn in it, those
    still open, and the rate at its end; then a chart. No PLAN means every plan: a series
    for each and the total. By the days changes are dated, like --as-of.

    \b
    Examples:
      tracker trend csto-2023
      tracker trend csto-2023 --by month --from 2024-01-01 --to 2024-06-30
      tracker trend --by year --format json
      tracker trend csto-2023 --format html -o trend.html
    """
    if fmt == "xlsx" and output is None:
        raise InvalidValue(_("--format xlsx writes a workbook file: add -o FILE.xlsx"))
    if output is not None:
        app.check_output(output)
    rules = Rules(exclude_withdrawn=exclude_withdrawn, partial_credit=partial_credit)
    found = app.reader().trend(plan_ids, by, first, last or today().isoformat(), rules)
    emit(app, app.renderer(fmt, output).trend(found), output)


@command("discipline")
@click.argument("plan_ids", metavar="[PLAN]...", nargs=-1, type=PLAN)
@click.option("--by", type=click.Choice(DISCIPLINE_GROUPINGS), default="responsible",
              show_default=True,
              help="A row per responsible executor, per executor (co-executors included) or "
                   "per area.")
@click.option("--from", "first", type=DATE, metavar="DATE",
              help="The first day a deadline may fall on (default: the plan's start).")
@click.option("--to", "last", type=DATE, metavar="DATE",
              help="The last day a deadline may fall on (default: the --as-of day).")
@click.option("--as-of", "as_of", type=DATE, metavar="DATE",
              help="Judge as things stood on that day, from the journal (default: today).")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, writable=True),
              help="Write to FILE instead of stdout.")
@format_option(choices=(*ROW_FORMATS, "html", "docx", "pdf", "xlsx"))
@pass_app
def discipline(app: App, plan_ids: tuple[str, ...], by: str, first: str | None,
               last: str | None, as_of: str | None, output: str | None, fmt: str) -> None:
    """The executive-discipline report: per executor, the measures whose deadline fell in
    the span — fulfilled on time, fulfilled late, overdue and open — the average and
    longest delay in days, the deadlines moved, and the on-time rate with its formula.
    No PLAN means every plan.

    \b
    Examples:
      tracker discipline csto-2023 --as-of 2023-11-21
      tracker discipline --by area --from 2024-01-01 --to 2024-06-30
      tracker discipline csto-2023 --format docx -o discipline.docx
    """
    if fmt in ("xlsx", "docx", "pdf") and output is None:
        raise InvalidValue(_("--format {fmt} writes a file: add -o FILE.{fmt}").format(fmt=fmt))
    if output is not None:
        app.check_output(output)
    found = app.reader().discipline(plan_ids, by, first, last, as_of)
    emit(app, app.renderer(fmt, output).discipline(found), output)


@command("export")
@click.argument("plan_ids", metavar="[PLAN]...", nargs=-1, type=PLAN)
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, writable=True),
              help="Write to FILE (CSV: UTF-8 with BOM and CRLF, for Excel; xlsx needs it).")
@click.option("--delimiter", metavar="C", type=DelimiterType(),
              help="CSV delimiter: ',' ';' '|' or 'tab' (default: ',', or ';' in Russian, "
                   "as a Russian Excel expects).")
@click.option("--as-of", "as_of", type=DATE, metavar="DATE",
              help="The items as they stood on that day, from the journal (default: today).")
@format_option(choices=("csv", "json", "markdown", "xlsx"), default="csv")
@pass_app
def export(app: App, plan_ids: tuple[str, ...], output: str | None, delimiter: str | None,
           as_of: str | None, fmt: str) -> None:
    """Export the items of one, several or all plans as CSV, JSON, Markdown or an Excel
    workbook (xlsx: Summary with a chart, Items, Unfulfilled; needs -o FILE).

    \b
    Examples:
      tracker export csto-2023 -o csto-2023.csv
      tracker export --delimiter ';' > all-plans.csv
      tracker export csto-2023 --format xlsx -o csto-2023.xlsx
      tracker export csto-2023 --as-of 2023-11-21 -o briefing-2023-11-21.csv
    """
    if fmt == "xlsx" and output is None:
        raise InvalidValue(_("--format xlsx writes a workbook file: add -o FILE.xlsx"))
    if output is not None:
        app.check_output(output)
        app.existing_repo()  # a mistyped --db must not write an empty file
    # An open item's delay counts to the day the export stands on.
    render = app.renderer(fmt, output, delimiter=delimiter, today=as_of or today().isoformat())
    reader = app.reader()
    reader.plans(plan_ids)  # an unknown plan is refused before anything is written

    def items() -> Iterator[Item]:  # one plan's items at a time, read again when asked
        for _plan, found in reader.plans_with_items(plan_ids, as_of):
            yield from sorted_by_ref(found)

    report = None
    if fmt == "xlsx":  # the workbook's Summary counts as a plain report does
        from tracker.reports import build_report

        report = build_report(reader.plans_with_items(plan_ids, as_of), Rules(),
                              as_of or today().isoformat())
        report.discipline = reader.discipline(plan_ids, "responsible", None, None, as_of)
    emit(app, render.export(Reiterable(items), report), output)


class Reiterable:
    """An iterable that starts again each time it is gone through (the workbook measures
    its columns, then writes its rows), so the items are read twice, never held."""

    def __init__(self, start: Callable[[], Iterator[Item]]) -> None:
        self.start = start

    def __iter__(self) -> Iterator[Item]:
        return self.start()


@command("import")
@click.argument("plan_id", metavar="PLAN", type=PLAN)
@click.argument("files", metavar="FILE...", nargs=-1, required=True,
                type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--dry-run", is_flag=True, help="Say what would change; write nothing.")
@click.option("--title", type=TitleType(), help="Create PLAN with this title if it is missing.")
@click.option("--sheet", metavar="NAME", help="The sheet of a workbook (default: the first).")
@click.option("--table", type=click.IntRange(min=1), metavar="N",
              help="The table of a Word document (default: the first that names the "
                   "columns).")
@click.option("--map", "maps", multiple=True, metavar="'HEADER=field'", type=MapType(),
              help="Read the column HEADER as a field (title, ref, due, owners, status, "
                   "reason, area, weight, evidence), or as 'skip'; repeatable.")
@click.option("--skip-column", "skips", multiple=True, metavar="HEADER",
              help="Leave the column HEADER out; repeatable.")
@click.option("--delimiter", metavar="C", type=DelimiterType(),
              help="CSV delimiter: ',' ';' '|' or 'tab' (default: found from the header).")
@click.option("--reason", "move_reason", type=TextType("reason", lines=True), default="",
              help="Why the deadlines the file changes were moved (for rows without a "
                   "reason of their own).")
@click.option("--basis", type=TextType("basis"), default="",
              help="The decision those deadlines were moved by.")
@on_option
@amend_option
@pass_app
def import_(app: App, plan_id: str, files: tuple[str, ...], dry_run: bool, title: str | None,
            sheet: str | None, table: int | None, maps: tuple[tuple[str, str], ...],
            skips: tuple[str, ...], delimiter: str | None, move_reason: str, basis: str,
            on: str | None) -> None:
    """Add or update PLAN's items from a CSV file, an Excel workbook (.xlsx) or the table
    of a Word document (.docx), as one step (one undo).

    Columns as 'tracker export' writes them, or as plans name them in English or
    Russian («№ п/п», «Наименование мероприятия», «Срок исполнения», «Ответственные
    исполнители», «Отметка об исполнении»…), in any order and case; only the title is
    required. Rows with a ref update that item; rows without one are added. Every row
    is checked first: any bad row and nothing is written. A new deadline for a measure
    that had one is a move: it needs a reason (the row's, or --reason). Round forms
    (tracker round forms) file their answers, awaiting acceptance; several forms import
    together, as one step, and one refused form leaves them all unwritten.

    \b
    Examples:
      tracker import csto-2023 examples/csto-2023.csv --title "CSTO action plan 2023"
      tracker import plan-2024 plan.docx --title "Plan 2024"
      tracker import plan-2024 progress.xlsx --sheet "2024" --map 'Исполнение=status'
      tracker import csto-2023 answers/*.xlsx
    """
    from tracker.readers import Options

    if len(files) > 1:
        from tracker.cli.rounds import import_forms

        import_forms(app, plan_id, [(f, _read_input(f)) for f in files], on, dry_run)
        return
    file = files[0]
    data = _read_input(file)
    name = "<stdin>" if file == "-" else file
    from tracker.readers import file_kind

    kind = file_kind(file, data)
    if kind != "csv" and delimiter is not None:
        raise InvalidValue(_("--delimiter is for CSV files, and {name} is .{kind}")
                           .format(name=name, kind=kind))
    if sheet is not None and kind != "xlsx":
        raise InvalidValue(_("--sheet is for workbooks (.xlsx), and {name} is .{kind}")
                           .format(name=name, kind=kind))
    if table is not None and kind != "docx":
        raise InvalidValue(_("--table is for Word documents (.docx), and {name} is .{kind}")
                           .format(name=name, kind=kind))
    options = Options(today(), dict(maps), skips, sheet=sheet, table=table)
    if kind == "csv":
        from tracker.readers.csv import decode, read_rows

        rows = read_rows(decode(data, name, warn=note), name, options, delimiter)
    elif kind == "xlsx":
        from tracker.cli.rounds import import_forms
        from tracker.readers import xlsx

        if import_forms(app, plan_id, [(name, data)], on, dry_run, single=True):
            return  # a round's form: answers
        rows = xlsx.read_rows(data, name, options)
    else:
        from tracker.cli.rounds import import_forms
        from tracker.readers import docx

        if import_forms(app, plan_id, [(name, data)], on, dry_run, single=True):
            return
        rows = docx.read_rows(data, name, options)
    with app.writing() as t:
        result = t.import_rows(plan_id, rows, source=name, create_title=title, on=on,
                               each=_progress, move=Move(reason=move_reason, basis=basis))
        if dry_run:
            t.repo.discard()
            for action, address, what in t.import_details:  # one line per row it would change
                echo((_("add {item}  {title}").format(item=address, title=what[0])
                      if action == "add" else
                      _("update {item}: {fields}").format(
                          item=address, fields=", ".join(field_label(f) for f in what)))
                     + "\n")
    added, updated, unchanged = (len(result[k]) for k in ("added", "updated", "unchanged"))
    if dry_run:
        message = ngettext("{plan}: {added} would be added, {updated} updated, {unchanged} left "
                           "unchanged (dry run: nothing written)",
                           "{plan}: {added} would be added, {updated} updated, {unchanged} left "
                           "unchanged (dry run: nothing written)", added)
    else:
        message = ngettext("{plan}: {added} was added, {updated} updated, {unchanged} left "
                           "unchanged",
                           "{plan}: {added} were added, {updated} updated, {unchanged} left "
                           "unchanged", added)
    note(message.format(plan=plan_id, added=added, updated=updated, unchanged=unchanged))


def _read_input(file: str) -> bytes:
    if file == "-":
        return sys.stdin.buffer.read()
    try:
        with open(file, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise TrackerError(_("cannot read {file}: {reason}")
                           .format(file=file, reason=os_reason(exc))) from None


def _progress(rows: list[Any]) -> Iterator[Any]:
    """The rows, with a progress bar on stderr for long files when stderr is a terminal."""
    if len(rows) < 1000 or not sys.stderr.isatty():
        yield from rows
        return
    with click.progressbar(rows, label="importing", file=sys.stderr) as shown:
        yield from shown


COMMANDS = [report, published_list, trend, discipline, export, import_]
