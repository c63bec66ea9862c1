"""``tracker report | export | import``: completion reports and CSV in and out."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import click

from tracker.cli.common import (
    CONTEXT_SETTINGS,
    DATE,
    PLAN,
    App,
    DelimiterType,
    PartialCreditType,
    TitleType,
    echo,
    emit,
    format_option,
    note,
    on_option,
    pass_app,
    stdout_is_unicode,
    terminal_width,
    today,
)
from tracker.output import FORMATS

if TYPE_CHECKING:
    from tracker.domain import Item, Plan


def _plans_with_items(
    app: App, plan_ids: tuple[str, ...], as_of: str | None,
    later: dict[str, int] | None = None,
) -> Iterator[tuple[Plan, list[Item]]]:
    """The chosen plans (all when none named), each with its items now or as of a date.

    A generator, so that a report of every plan holds one plan's items at a time. With
    *as_of*, *later* receives per plan how many of its items were added after that day.
    """
    repo = app.repo()
    reader = app.reader()
    plans = [reader.plan(p) for p in dict.fromkeys(plan_ids)] if plan_ids else repo.plans()
    if as_of is None:
        return ((p, repo.items(p.id)) for p in plans)
    from tracker.errors import StoreError
    from tracker.reports import history_known_from

    events = repo.events(plan=plans[0].id) if len(plans) == 1 else repo.events()
    known = history_known_from(events)
    if known is not None and as_of < known:
        raise StoreError(f"the journal lost the history before {known} ('tracker repair'): "
                         f"a report as of {as_of} cannot be rebuilt",
                         f"Report as of {known} or later ('tracker log' shows the repair).")
    return _as_of(plans, events, as_of, later)


def _as_of(plans: list[Plan], events: list[dict[str, Any]], as_of: str,
           later: dict[str, int] | None) -> Iterator[tuple[Plan, list[Item]]]:
    from tracker.reports import as_of_state

    for plan in plans:
        items, count = as_of_state(events, plan.id, as_of)
        if later is not None:
            later[plan.id] = count
        yield plan, items


@click.command("report", context_settings=CONTEXT_SETTINGS)
@click.argument("plan_ids", metavar="[PLAN]...", nargs=-1, type=PLAN)
@click.option("--by", type=click.Choice(["owner", "area", "status"]),
              help="Add a table of the rate per owner, area or status.")
@click.option("--as-of", "as_of", type=DATE, metavar="DATE",
              help="Statuses as they stood on that day, from the journal (default: today).")
@click.option("--exclude-withdrawn", is_flag=True,
              help="Leave withdrawn items out of the count (default: count every item).")
@click.option("--partial-credit", type=PartialCreditType(), default="0", show_default=True,
              help="Credit a partial item earns, from 0 to 1.")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, writable=True),
              help="Write the report to FILE instead of stdout.")
@format_option(choices=(*FORMATS, "html"))
@pass_app
def report(app: App, plan_ids: tuple[str, ...], by: str | None, as_of: str | None,
           exclude_withdrawn: bool, partial_credit: float, output: str | None,
           fmt: str) -> None:
    """Report completion: the rate with its rule, counts by status, the items not
    fulfilled with their reasons, and overdue open items. No PLAN means every plan.

    \b
    Examples:
      tracker report csto-2023
      tracker report --by owner --as-of 2023-11-21 --format json
      tracker report csto-2023 --format html -o csto-2023.html
    """
    from tracker.domain import Rules
    from tracker.output import report_csv, report_text, to_json
    from tracker.reports import build_report

    rules = Rules(exclude_withdrawn=exclude_withdrawn, partial_credit=partial_credit)
    day = as_of or today().isoformat()
    later: dict[str, int] = {}
    doc = build_report(_plans_with_items(app, plan_ids, as_of, later), rules, day, by)
    if as_of is not None:  # how many of today's items the day did not know yet
        for entry in doc["plans"]:
            entry["not_yet_added"] = later.get(entry["plan"], 0)
    if fmt == "json":
        from tracker.reports import public

        text = to_json(public(doc))
    elif fmt == "html":
        from tracker import __version__
        from tracker.html_report import render_html

        text = render_html(doc, by, __version__)
        if output is None and not stdout_is_unicode():
            text = text.encode("ascii", "xmlcharrefreplace").decode("ascii")
    elif fmt == "csv":
        text = report_csv(doc, by)
    else:
        width = None if output is not None else terminal_width()
        text = report_text(doc, fmt, by, unicode=output is not None or stdout_is_unicode(),
                           width=width)
    emit(app, text, output)


@click.command("export", context_settings=CONTEXT_SETTINGS)
@click.argument("plan_ids", metavar="[PLAN]...", nargs=-1, type=PLAN)
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, writable=True),
              help="Write to FILE (CSV: UTF-8 with BOM and CRLF, for Excel; xlsx needs it).")
@click.option("--delimiter", default=",", show_default=True, metavar="C", type=DelimiterType(),
              help="CSV delimiter: ',' ';' '|' or 'tab' (';' where Excel expects it).")
@format_option(choices=("csv", "json", "markdown", "xlsx"), default="csv")
@pass_app
def export(app: App, plan_ids: tuple[str, ...], output: str | None, delimiter: str,
           fmt: str) -> None:
    """Export the items of one, several or all plans as CSV, JSON, Markdown or an Excel
    workbook (xlsx: Summary with a chart, Items, Unfulfilled; needs -o FILE).

    \b
    Examples:
      tracker export csto-2023 -o csto-2023.csv
      tracker export --delimiter ';' > all-plans.csv
      tracker export csto-2023 --format xlsx -o csto-2023.xlsx
    """
    from tracker.domain import sorted_by_ref

    if fmt == "xlsx" and output is None:
        from tracker.errors import InvalidValue

        raise InvalidValue("--format xlsx writes a workbook file: add -o FILE.xlsx")
    if output is not None:
        app.check_output(output)
        app.existing_repo("export")  # a mistyped --db must not write an empty file
    plans = _plans_with_items(app, plan_ids, None)
    if fmt == "csv":  # streamed: one plan's items at a time
        from tracker.csvio import export_csv

        streamed = (i for _plan, found in plans for i in sorted_by_ref(found))
        # For a file: a BOM and CRLF line ends, so that Excel opens it cleanly.
        emit(app, export_csv(streamed, delimiter=delimiter, for_file=output is not None),
             output)
        return
    listed = list(plans)
    items = [i for _plan, found in listed for i in sorted_by_ref(found)]
    if fmt == "xlsx":
        from tracker.domain import Rules
        from tracker.reports import build_report
        from tracker.xlsx_export import workbook_bytes

        doc = build_report(listed, Rules(), today().isoformat())
        emit(app, workbook_bytes(doc, items), output)
        return
    from tracker.csvio import COLUMNS, export_row
    from tracker.output import rows, to_json

    if fmt == "json":
        emit(app, to_json([i.to_json() for i in items]), output)
    else:
        emit(app, rows([export_row(i) for i in items], COLUMNS, "markdown"), output)


@click.command("import", context_settings=CONTEXT_SETTINGS)
@click.argument("plan_id", metavar="PLAN", type=PLAN)
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--dry-run", is_flag=True, help="Say what would change; write nothing.")
@click.option("--title", type=TitleType(), help="Create PLAN with this title if it is missing.")
@click.option("--delimiter", metavar="C", type=DelimiterType(),
              help="CSV delimiter: ',' ';' '|' or 'tab' (default: found from the header).")
@on_option
@pass_app
def import_(app: App, plan_id: str, file: str, dry_run: bool, title: str | None,
            delimiter: str | None, on: str | None) -> None:
    """Add or update PLAN's items from a CSV file, as one step (one undo).

    Columns as 'tracker export' writes them (any order, any case; only title is
    required). Rows with a ref update that item; rows without one are added. Every
    row is checked first: any bad row and nothing is written.

    \b
    Example:
      tracker import csto-2023 examples/csto-2023.csv --title "CSTO action plan 2023"
    """
    from tracker.csvio import decode, read_rows

    data = _read_input(file)
    name = "<stdin>" if file == "-" else file
    rows = read_rows(decode(data, name, warn=note), name, today(), delimiter)
    with app.writing() as t:
        result = t.import_rows(plan_id, rows, source=name, create_title=title, on=on,
                               each=_progress)
        if dry_run:
            t.repo.discard()
            for line in t.import_details:  # the rows that would change, one line each
                echo(line + "\n")
    verb = "would be" if dry_run else "were"
    note(f"{plan_id}: {len(result['added'])} {verb} added, {len(result['updated'])} updated, "
         f"{len(result['unchanged'])} left unchanged" + (" (dry run: nothing written)"
                                                          if dry_run else ""))


def _read_input(file: str) -> bytes:
    from tracker.errors import TrackerError

    if file == "-":
        return sys.stdin.buffer.read()
    try:
        with open(file, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise TrackerError(f"cannot read {file}: {exc.strerror}") from None


def _progress(rows: list[Any]) -> Iterator[Any]:
    """The rows, with a progress bar on stderr for long files when stderr is a terminal."""
    if len(rows) < 1000 or not sys.stderr.isatty():
        yield from rows
        return
    with click.progressbar(rows, label="importing", file=sys.stderr) as shown:
        yield from shown


COMMANDS = [report, export, import_]
