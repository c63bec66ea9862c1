"""``tracker db init | grant | rights``, ``copy``: set up a team's PostgreSQL database and
who may do what in it, move data between databases."""

from __future__ import annotations

import click

from tracker.cli.common import (
    CONTEXT_SETTINGS,
    App,
    TranslatedGroup,
    command,
    echo,
    format_option,
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


@db.command("grant", context_settings=CONTEXT_SETTINGS)
@click.argument("role", metavar="ROLE")
@click.option("--executor", "executors", multiple=True, required=True, metavar="NAME",
              help="The executor ROLE acts for (repeatable).")
@click.option("--revoke", is_flag=True, help="Stop ROLE acting for these executors.")
@pass_app
def db_grant(app: App, role: str, executors: tuple[str, ...], revoke: bool) -> None:
    """Let ROLE act for executors on the server: read what readers read, and change only
    the status, reason and evidence of the measures where one of them is responsible or a
    co-executor, answer rounds for them and attach files to their measures. The server
    enforces it (row-level security), for psql as for tracker. Run it as the tables'
    owner; --revoke takes it back (a role left acting for nobody only reads).

    \b
    Examples:
      tracker db grant mfa_focal --executor МИД
      tracker db grant mfa_focal --executor МИД --revoke
    """
    if not app.on_server:
        from tracker.errors import InvalidValue

        raise InvalidValue(_("'db grant' gives rights on a PostgreSQL server, and {db} is a "
                             "file: a file has one user").format(db=app.db))
    from tracker.store.postgres import set_rights

    for line in set_rights(app.db, role, executors, revoke=revoke,
                           lock_timeout=app.lock_timeout()):
        note(line)


@db.command("rights", context_settings=CONTEXT_SETTINGS)
@format_option(choices=("table", "json"))
@pass_app
def db_rights(app: App, fmt: str) -> None:
    """List the roles with access to the tracker tables: read, write, or the executors
    each acts for.

    \b
    Example:
      tracker db rights
    """
    if not app.on_server:
        from tracker.errors import InvalidValue

        raise InvalidValue(_("'db rights' lists rights on a PostgreSQL server, and {db} is "
                             "a file: a file has one user").format(db=app.db))
    from tracker.store.postgres import rights

    found = rights(app.db)
    if fmt == "json":
        from tracker import jsonio

        echo(jsonio.pretty(found))
        return
    from tracker.render.text import aligned

    labels = {"read": _("read"), "write": _("read and write"),
              "executor": _("its executors' measures")}
    echo(aligned([[r["role"], labels[r["rights"]], ", ".join(r["executors"])] for r in found],
                 [_("role"), _("rights"), _("acts for")]))


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
    if app.on_server:  # the rights go along to a server, not into a file
        from tracker.store.postgres import init_database, rights, set_rights

        found = rights(app.db)
        acting = [r for r in found if r["executors"]]
        kinds = {kind: [r["role"] for r in found if r["rights"] == kind]
                 for kind in ("read", "write")}
        if is_server(target) and (kinds["read"] or kinds["write"]):
            for line in init_database(target, readers=kinds["read"], writers=kinds["write"],
                                      lock_timeout=app.lock_timeout())[1:]:  # (the schema's)
                note(line)
        elif kinds["read"] or kinds["write"]:
            count = len(kinds["read"]) + len(kinds["write"])
            note(ngettext("note: the grants of {count} reading or writing role were not "
                          "copied: a file has one user",
                          "note: the grants of {count} reading or writing roles were not "
                          "copied: a file has one user", count).format(count=count))
        if acting and is_server(target):
            for entry in acting:
                for line in set_rights(target, entry["role"], entry["executors"],
                                       revoke=False, lock_timeout=app.lock_timeout()):
                    note(line)
        elif acting:
            note(ngettext("note: the rights of {count} role acting for executors were not "
                          "copied: a file has one user",
                          "note: the rights of {count} roles acting for executors were not "
                          "copied: a file has one user", len(acting)).format(count=len(acting)))


def _same_file_family(db: str, target: str) -> bool:
    if is_server(db) or is_server(target):
        return False
    from tracker.store.file import is_database_file

    return is_database_file(db, target)


COMMANDS = [db, copy]
