"""``tracker log | undo | restore | info | repair``: the journal, going back, the database."""

from __future__ import annotations

import os
from typing import Any

import click

from tracker import __version__
from tracker.cli.common import (
    DATE,
    App,
    command,
    confirm,
    echo,
    format_option,
    note,
    pass_app,
    yes_option,
)
from tracker.errors import Conflict, StoreError
from tracker.i18n import _, moment, ngettext
from tracker.render.common import action_label


@command("log")
@click.argument("target", metavar="[PLAN|ITEM]", required=False)
@click.option("--since", type=DATE, metavar="DATE",
              help="Only changes recorded on or after this day.")
@format_option()
@pass_app
def log(app: App, target: str | None, since: str | None, fmt: str) -> None:
    """Show the journal, newest first: when, who, what changed, why.

    \b
    Examples:
      tracker log csto-2023 --since 2023-11-01
      tracker log csto-2023:34 --format json
    """
    events = app.reader().log(target, since)
    render = app.renderer(fmt)
    if not events and not render.machine:  # machine formats: [] or a header even when empty
        note(_("No changes recorded."))
        return
    echo(render.events(events))


@command("undo")
@yes_option
@pass_app
def undo(app: App, yes: bool) -> None:
    """Revert the last command that changed data (repeat to go further back).

    The undo is itself recorded in the journal.

    \b
    Example:
      tracker undo --yes
    """
    expected = None
    if not yes:
        expected, events = app.reader().undo_target()
        _describe(expected, events)
        confirm(_("Undo step {step}?").format(step=expected), yes)
    with app.writing() as t:
        step, events = t.undo()
        if expected is not None and step != expected:
            raise Conflict(_("the data changed while you were asked; nothing was undone"),
                           _("Run 'tracker undo' again."))
    note(ngettext("undid step {step} ({count} change)", "undid step {step} ({count} changes)",
                  len(events)).format(step=step, count=len(events)))


def _describe(step: int, events: list[dict[str, Any]]) -> None:
    first = events[0]
    note(ngettext("step {step}: {action} by {actor} at {at}, {count} change:",
                  "step {step}: {action} by {actor} at {at}, {count} changes:", len(events))
         .format(step=step, action=action_label(first["action"]), actor=first["actor"],
                 at=moment(first["at"]), count=len(events)))
    for event in events[:10]:
        named = f" {event['name']}" if event["action"] in ("attach", "detach") else ""
        note(f"  {action_label(event['action'])} {event['id']}{named}")
    if len(events) > 10:
        note(_("  … and {count} more").format(count=len(events) - 10))


@command("restore")
@click.option("--from-backup", "from_backup", is_flag=True, required=True,
              help="Put <db>.bak, the previous version, in place of the database.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@pass_app
def restore(app: App, from_backup: bool, yes: bool) -> None:
    """Put the previous version (<db>.bak) back, keeping the current file aside as
    <db>.broken-<timestamp>. For a damaged database.

    \b
    Example:
      tracker restore --from-backup
    """
    if app.on_server:
        raise StoreError(_("'restore --from-backup' puts back a database file's .bak; a "
                           "PostgreSQL database is restored from the server's own backups"))
    confirm(_("Replace {db} with {db}.bak?").format(db=app.db), yes)
    from datetime import UTC, datetime

    from tracker.store.file import restore_backup

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    kept, aside = restore_backup(app.db, stamp, app.lock_timeout())
    with app.writing() as t:
        t.record_restore(kept)
    if aside:
        note(_("the journal's events after the backup are kept in {aside}").format(aside=aside))
    note((_("restored {db} from {db}.bak; the replaced file is {kept}") if kept else
          _("restored {db} from {db}.bak")).format(db=app.db, kept=kept))


@command("info")
@format_option()
@pass_app
def info(app: App, fmt: str) -> None:
    """Show the version, the database path, its schema version and counts.

    \b
    Example:
      tracker info
    """
    data = {"version": __version__, **app.repo().info()}
    if not app.on_server:
        from tracker.store.file import database_files

        # Every file that makes up the database: a copy must take them all (or use
        # 'tracker copy'); without its journal a database loses its history.
        data["journal"] = app.db + ".journal"
        data["backup"] = app.db + ".bak" if os.path.exists(app.db + ".bak") else None
        data["files"] = database_files(app.db)
    echo(app.renderer(fmt).record(data))


@command("repair")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@pass_app
def repair(app: App, yes: bool) -> None:
    """Make a database writable again when its journal is missing or damaged, or its
    item file is missing. Everything still there is kept: the items as they are and
    the journal's readable events (a missing item file is rebuilt from the journal).
    The journal as it was is kept as <db>.journal.broken-<timestamp>, and the repair
    records what was lost: reports as of an earlier day then say they cannot know.

    \b
    Example:
      tracker repair --yes
    """
    if app.on_server:
        raise StoreError(_("'tracker repair' mends a database file and its journal; a "
                           "PostgreSQL database keeps its journal in a table, with the data"))
    confirm(_("Repair {db} and its journal?").format(db=app.db), yes)
    from datetime import UTC, datetime

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    with app.writing(salvage=True) as t:
        done = t.repair(stamp)
    problems = app.reader().kept_file_problems()  # which no journal can give back
    if done is None and not problems:
        note(_("nothing to repair: {db}, its journal and the files kept with it are whole")
             .format(db=app.db))
        return
    if done is not None:
        _repaired(app, done)
    if problems:
        for problem in problems:
            note(problem)
        raise StoreError(
            ngettext("{count} file kept with {db} is missing or changed, and only a backup "
                     "has it", "{count} files kept with {db} are missing or changed, and only "
                     "a backup has them", len(problems)).format(count=len(problems), db=app.db),
            _("Put the files back into {folder} from a backup (each is named by its SHA-256); "
              "'tracker repair' then says they are whole.").format(folder=f"{app.db}.files"))


def _repaired(app: App, done: dict[str, Any]) -> None:
    if done.get("aside"):
        note(_("the journal as it was is kept in {aside}").format(aside=done['aside']))
    if done["history_lost"]:
        note(ngettext("repaired {db}: kept {kept} readable event; history before today is "
                      "lost, and reports as of an earlier day will say so",
                      "repaired {db}: kept {kept} readable events; history before today is "
                      "lost, and reports as of an earlier day will say so", done["kept"])
             .format(db=app.db, kept=done["kept"]))
    else:
        note(ngettext("repaired {db}: rebuilt from {kept} event of its journal",
                      "repaired {db}: rebuilt from {kept} events of its journal", done["kept"])
             .format(db=app.db, kept=done["kept"]))


COMMANDS = [log, undo, restore, info, repair]
