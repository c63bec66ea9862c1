"""The command line: ``tracker`` and its commands, one module per subject."""

from __future__ import annotations

import click

from tracker import __version__
from tracker.cli import admin, files, history, items, plans, reports, rounds
from tracker.cli.common import CONTEXT_SETTINGS, App, TrackerGroup


@click.group("tracker", cls=TrackerGroup, context_settings=CONTEXT_SETTINGS)
@click.option(
    "--db", metavar="PATH|URL", envvar="TRACKER_DB", show_envvar=True,
    help="The database file (default: tracker.json in your user data folder), or a "
         "postgresql://… URL for a team's server.",
)
@click.option(
    "--lang", type=click.Choice(["en", "ru"]), metavar="en|ru",
    help="The language of everything tracker prints (default: TRACKER_LANG, then the "
         "locale: LC_ALL, LC_MESSAGES, LANG; else English).",
)
@click.version_option(__version__, "--version", prog_name="tracker", message="%(prog)s %(version)s")
@click.pass_context
def cli(ctx: click.Context, db: str | None, lang: str | None) -> None:
    """Keep action plans and their measures, log each measure's status with the reason
    when it is not fulfilled, and report completion.

    \b
    Example:
      tracker plan add csto-2023 --title "CSTO action plan 2023"
      tracker add csto-2023 "International contacts with the OSCE"
      tracker update csto-2023:1 --status not-fulfilled --reason "their stance"
      tracker report csto-2023
      tracker --lang ru report csto-2023
    """
    ctx.obj = App(db)  # the language was chosen before parsing (TrackerGroup.main)
    ctx.call_on_close(ctx.obj.close)


for module in (plans, items, reports, rounds, files, history, admin):
    for command in module.COMMANDS:
        cli.add_command(command)


def main() -> None:
    """The ``tracker`` command.

    The cyclic garbage collector is switched off: a command is a short process whose data
    (tens of thousands of documents) holds no reference cycles, and the collector's passes
    over that heap took half the time of a report at 50,000 items.
    """
    import gc

    gc.disable()
    cli.main(prog_name="tracker")
