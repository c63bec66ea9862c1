"""``tracker log | undo | restore | info``: the journal, going back, and the database."""

from __future__ import annotations

import click

from tracker.cli.common import (
    CONTEXT_SETTINGS,
    DATE,
    App,
    confirm,
    echo,
    format_option,
    note,
    pass_app,
    terminal_width,
)

LOG_COLUMNS = ["step", "at", "actor", "effective", "id", "action", "changes", "reason", "note"]


@click.command("log", context_settings=CONTEXT_SETTINGS)
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
    from tracker.cli.items import _history_rows
    from tracker.output import rows

    reader = app.reader()
    plan = item = None
    if target is not None:
        if ":" in target:
            item = reader.item(target).id
        else:
            plan = reader.plan(target).id
    events = app.repo().events(plan=plan, item=item)
    if since:
        events = [e for e in events if e["at"][:10] >= since]
    events.reverse()
    if fmt in ("json", "csv"):  # machine formats: a header (csv) or [] even when empty
        echo(rows(events if fmt == "json" else _history_rows(events), LOG_COLUMNS, fmt))
    elif not events:
        note("No changes recorded.")
    else:
        echo(rows(_history_rows(events), LOG_COLUMNS, fmt, width=terminal_width()))


@click.command("undo", context_settings=CONTEXT_SETTINGS)
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@pass_app
def undo(app: App, yes: bool) -> None:
    """Revert the last command that changed data (repeat to go further back).

    The undo is itself recorded in the journal.

    \b
    Example:
      tracker undo --yes
    """
    from tracker.errors import Conflict

    expected = None
    if not yes:
        expected, events = app.reader().undo_target()
        _describe(expected, events)
        confirm(f"Undo step {expected}?", yes)
    with app.writing() as t:
        step, events = t.undo()
        if expected is not None and step != expected:
            raise Conflict("the data changed while you were asked; nothing was undone",
                           "Run 'tracker undo' again.")
    note(f"undid step {step} ({len(events)} change(s))")


def _describe(step: int, events: list[dict[str, object]]) -> None:
    first = events[0]
    note(f"step {step}: {first['action']} by {first['actor']} at {first['at']}, "
         f"{len(events)} change(s):")
    for event in events[:10]:
        note(f"  {event['action']} {event['id']}")
    if len(events) > 10:
        note(f"  … and {len(events) - 10} more")


@click.command("restore", context_settings=CONTEXT_SETTINGS)
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
        from tracker.errors import StoreError

        raise StoreError("'restore --from-backup' puts back a database file's .bak; a "
                         "PostgreSQL database is restored from the server's own backups")
    confirm(f"Replace {app.db} with {app.db}.bak?", yes)
    from datetime import UTC, datetime

    from tracker.store import restore_backup

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    kept, aside = restore_backup(app.db, stamp, app.lock_timeout())
    with app.writing() as t:
        t.record_restore(kept)
    if aside:
        note(f"the journal's events after the backup are kept in {aside}")
    note(f"restored {app.db} from {app.db}.bak" + (f"; the replaced file is {kept}" if kept
                                                     else ""))


@click.command("info", context_settings=CONTEXT_SETTINGS)
@format_option()
@pass_app
def info(app: App, fmt: str) -> None:
    """Show the version, the database path, its schema version and counts.

    \b
    Example:
      tracker info
    """
    import os

    from tracker import __version__
    from tracker.output import cell, rows, to_json

    data = {"version": __version__, **app.repo().info(),
            "backup": app.db + ".bak" if os.path.exists(app.db + ".bak") else None}
    if fmt == "json":
        echo(to_json(data))
        return
    echo(rows([{"field": k, "value": cell(v)} for k, v in data.items()],
              ["field", "value"], fmt))


COMMANDS = [log, undo, restore, info]
