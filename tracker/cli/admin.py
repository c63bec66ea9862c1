"""``tracker db init | copy``: set up a team's PostgreSQL database, move data between
databases."""

from __future__ import annotations

import click

from tracker.cli.common import (
    CONTEXT_SETTINGS,
    App,
    TranslatedGroup,
    command,
    note,
    pass_app,
)
from tracker.i18n import _, ngettext
from tracker.store import is_server


@click.group("db", cls=TranslatedGroup, context_settings=CONTEXT_SETTINGS)
def db() -> None:
    """Set up a PostgreSQL database for a team: its tables and who may read or write.

    \b
    Example:
      tracker --db postgresql://admin@db.example.org/tracker db init --grant-write staff
    """


@db.command("init", context_settings=CONTEXT_SETTINGS)
@click.option("--grant-read", "readers", multiple=True, metavar="ROLE",
              help="Let ROLE read everything and change nothing (repeatable).")
@click.option("--grant-write", "writers", multiple=True, metavar="ROLE",
              help="Let ROLE read and change plans, items and the journal (repeatable).")
@pass_app
def db_init(app: App, readers: tuple[str, ...], writers: tuple[str, ...]) -> None:
    """Create the tracker tables in a PostgreSQL database, or migrate them to this
    version, in one transaction; then grant roles read or write access. Safe to run
    again. A role that does not exist is created as a NOLOGIN group role. Run it as the
    database's owner: that role owns the tables.

    A database file needs no set-up: 'db init' on one exits with status 2.

    \b
    Example:
      export TRACKER_DB=postgresql://admin@db.example.org/tracker
      tracker db init --grant-read auditors --grant-write secretariat
    """
    if not app.on_server:
        from tracker.errors import InvalidValue

        raise InvalidValue(
            _("'db init' sets up a PostgreSQL database (--db postgresql://…), and {db} is a "
              "file: a file needs no set-up, the first change creates it")
            .format(db=app.db)
        )
    both = sorted(set(readers) & set(writers))
    if both:
        raise click.UsageError(_("role {value} is given both --grant-read and --grant-write: "
                                 "choose one")
                               .format(value=both[0]))
    from tracker.store.postgres import init_database

    for line in init_database(app.db, readers=readers, writers=writers,
                              lock_timeout=app.lock_timeout()):
        note(line)


@command("copy")
@click.argument("target", metavar="TARGET")
@pass_app
def copy(app: App, target: str) -> None:
    """Copy everything of the database (plans, items, the whole journal) into TARGET,
    a file or a postgresql:// URL, which must be empty: a new file, or a PostgreSQL
    database fresh from 'tracker db init'. The two then print the same reports and log.

    \b
    Examples:
      tracker --db team.json copy postgresql://admin@db.example.org/tracker
      tracker --db postgresql://admin@db.example.org/tracker copy backup.json
    """
    from tracker.errors import Conflict
    from tracker.transfer import copy_database

    source = app.existing_repo(copying=True)
    if _same_file_family(app.db, target):
        raise Conflict(_("{target} is a file of the database {db} itself; nothing was copied")
                       .format(target=target, db=app.db),
                       _("Copy into a new file or an empty PostgreSQL database."))
    counts = copy_database(source, target, app.lock_timeout())
    shown = target
    if is_server(target):
        from tracker.store.postgres import display

        shown = display(target)
    note(_("copied {plans}, {items} and {events} from {location} to {target}").format(
        plans=ngettext("{n} plan", "{n} plans", counts["plans"]).format(n=counts["plans"]),
        items=ngettext("{n} item", "{n} items", counts["items"]).format(n=counts["items"]),
        events=ngettext("{n} event", "{n} events", counts["events"]).format(n=counts["events"]),
        location=source.location, target=shown))


def _same_file_family(db: str, target: str) -> bool:
    if is_server(db) or is_server(target):
        return False
    from tracker.store.file import is_database_file

    return is_database_file(db, target)


COMMANDS = [db, copy]
