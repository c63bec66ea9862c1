"""What every command shares: the application object, parameter types, output options,
and the one place that turns errors into messages and exit codes."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import click

from tracker import __version__, domain
from tracker.errors import (
    Conflict,
    InvalidValue,
    Refused,
    StoreError,
    TrackerError,
    error_line,
)
from tracker.i18n import N_, _, current, day, grouped, os_reason
from tracker.render import ROW_FORMATS
from tracker.store import is_server, open_reader, open_repository

if TYPE_CHECKING:
    from tracker.queries import Reader
    from tracker.render import Renderer
    from tracker.service import Tracker
    from tracker.store import Repository

F = TypeVar("F", bound=Callable[..., Any])
CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def today() -> date:
    """Today's date; ``TRACKER_TODAY=YYYY-MM-DD`` pins it (examples, tests), and with it
    the day changes are recorded on."""
    pinned = os.environ.get("TRACKER_TODAY")
    if pinned:
        try:
            return date.fromisoformat(pinned)
        except ValueError:
            raise InvalidValue(_("TRACKER_TODAY={pinned!r} is not a date (YYYY-MM-DD)")
                               .format(pinned=pinned)) from None
    return date.today()


def default_db() -> str:
    from platformdirs import user_data_dir

    return os.path.join(user_data_dir("tracker", appauthor=False), "tracker.json")


def actor() -> str:
    """Who records a change: ``$TRACKER_USER``, else the login name."""
    name = os.environ.get("TRACKER_USER")
    if name:
        return name
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid-{os.getuid()}"


class App:
    """One per command: where the database is and how to open it (click's ``ctx.obj``)."""

    def __init__(self, db: str | None) -> None:
        self._db = db
        self._repo: Repository | None = None
        self.yes = False  # --yes: go ahead, also where a published report changes

    @property
    def db(self) -> str:
        if self._db is None:
            self._db = default_db()
        return self._db

    def lock_timeout(self) -> float:
        raw = os.environ.get("TRACKER_LOCK_TIMEOUT", "10")
        try:
            seconds = float(raw)
        except ValueError:
            seconds = float("nan")
        if not 0 <= seconds < float("inf"):  # nan, inf and negatives too
            raise InvalidValue(_("TRACKER_LOCK_TIMEOUT={value} is not a number of seconds: use "
                                 "0 or more, e.g. 10")
                               .format(value=domain.shown(raw)))
        return seconds

    @property
    def on_server(self) -> bool:
        """Whether the database is a PostgreSQL URL rather than a file."""
        return is_server(self.db)

    def close(self) -> None:
        """Release the reading connection, if the store holds one (click calls this)."""
        if self._repo is not None:
            self._repo.close()
        self._repo = None

    def repo(self) -> Repository:
        """The database opened for reading, once per command.

        A database that does not exist reads as empty, and says so on stderr: a mistyped
        --db must not look like a database without plans.
        """
        if self._repo is None:
            self._repo = open_reader(self.db)
            if not self._repo.exists:
                note(missing_database(self.db))
        return self._repo

    def existing_repo(self, copying: bool = False) -> Repository:
        """The database for a command that makes no sense without one (copy, export -o)."""
        if self._repo is None:
            self._repo = open_reader(self.db)
        if not self._repo.exists:
            message = (_("there is no database {db} to copy; nothing was written") if copying
                       else _("there is no database {db} to export; nothing was written"))
            raise StoreError(message.format(db=self.db),
                             _("Check --db or TRACKER_DB ('tracker info' shows the path)."))
        return self._repo

    def check_output(self, output: str) -> None:
        """Refuse an output file that is one of the database's own files."""
        if self.on_server:
            return
        from tracker.store.file import is_database_file

        if is_database_file(self.db, output):
            raise Conflict(_("-o {output} is a file of the database {db}: writing it would "
                             "destroy data; nothing was written")
                           .format(output=output, db=self.db),
                           _("Choose another file name."))

    @contextlib.contextmanager
    def writing(self, salvage: bool = False) -> Iterator[Tracker]:
        """Lock, read once, yield the operations; write once if the block succeeds.

        *salvage* opens a database whose journal is damaged (``tracker repair``)."""
        from tracker.service import Tracker

        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        if os.environ.get("TRACKER_TODAY"):  # a pinned day is also the day it is recorded
            now = today().isoformat() + now[10:]
        with open_repository(self.db, write=True, lock_timeout=self.lock_timeout(),
                             salvage=salvage) as repo:
            # On PostgreSQL the journal names the database role, not $TRACKER_USER.
            tracker = Tracker(repo, repo.actor() or actor(), today(), now)
            yield tracker
            self._amending(tracker)

    def _amending(self, tracker: Tracker) -> None:
        """Before a write: name each published report it would change, and go ahead only
        with --yes or the person's word (SPEC §14); the journal then records it."""
        found = tracker.amendments()
        if not found:
            return
        from tracker.service import amendment_text

        for entry in found:
            if entry.get("restored"):
                note(_("this brings the published report {name!r} ({day}) of {plan} back to "
                       "what was published: {change}")
                     .format(name=entry["published"], day=day(entry["day"]),
                             plan=entry["plan"], change=amendment_text(entry)))
            else:
                note(_("this changes the published report {name!r} ({day}) of {plan}: "
                       "{change}").format(name=entry["published"], day=day(entry["day"]),
                                          plan=entry["plan"], change=amendment_text(entry)))
        if not self.yes and not all(entry.get("restored") for entry in found):
            if not sys.stdin.isatty():
                raise Refused(_("not written: it changes a published report, and there is no "
                                "terminal to ask on"),
                              _("Add --yes to write it; the journal records that it amends "
                                "the report."))
            if not click.confirm(_("Write it, amending the published report?"), default=False,
                                 err=True):
                raise Refused(_("cancelled; nothing was changed"))
        tracker.record_amendments(found)

    def reader(self) -> Reader:
        """The read side over the database, read once for this command."""
        from tracker.queries import Reader

        return Reader(self.repo(), today())

    def renderer(self, fmt: str, output: str | None = None, **context: Any) -> Renderer:
        """The renderer of *fmt* for where the output goes: stdout (wrapped to a terminal,
        bars in the characters it can show) or a file (*output*)."""
        from tracker.render import renderer

        to_file = output is not None
        if context.get("delimiter") is None:  # CSV as the language's Excel expects it
            context["delimiter"] = ";" if current() == "ru" else ","
        return renderer(fmt, width=None if to_file else terminal_width(),
                        unicode=to_file or stdout_is_unicode(), for_file=to_file,
                        version=__version__, **{"today": today().isoformat(), **context})


pass_app = click.make_pass_decorator(App)


# --- parameter types: values are checked where they are parsed ---------------------------


class _DomainType(click.ParamType):
    """A click type whose check is a domain function raising InvalidValue."""

    def check(self, value: str) -> Any:
        raise NotImplementedError

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str):
            return value
        try:
            return self.check(value)
        except InvalidValue as exc:
            self.fail(exc.message, param, ctx)


class TextType(_DomainType):
    """Free text a person types: no control characters (new lines and tabs with *lines*)."""

    name = "text"

    def __init__(self, what: str, lines: bool = False) -> None:
        self.what = what
        self.lines = lines

    def check(self, value: str) -> str:
        return domain.check_text(value, self.what, lines=self.lines)


DELIMITERS = {",": ",", ";": ";", "|": "|", "\t": "\t", "tab": "\t", "\\t": "\t"}


class DelimiterType(_DomainType):
    """A CSV delimiter: one of , ; | or a tab ('tab' or '\\t' spell it)."""

    name = "C"

    def check(self, value: str) -> str:
        found = DELIMITERS.get(value.lower() if value.isalpha() else value)
        if found is None:
            raise InvalidValue(_("invalid delimiter {value}: use one of ',' ';' '|' or 'tab'")
                               .format(value=domain.shown(value)))
        return found


class MapType(_DomainType):
    """``--map 'HEADER=field'``: a column of an import file and the field it holds."""

    name = "map"

    def check(self, value: str) -> tuple[str, str]:
        from tracker.readers import parse_map

        return parse_map(value)


class DateType(_DomainType):
    """A day: ``YYYY-MM-DD``, ``DD.MM.YYYY`` or ``today`` (*allow_none*: ``none`` clears)."""

    name = "date"

    def __init__(self, allow_none: bool = False) -> None:
        self.allow_none = allow_none

    def check(self, value: str) -> str | None:
        if self.allow_none and value.strip().lower() == "none":
            return "none"  # the caller clears the date
        return domain.parse_date(value, today())

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "DATE|none" if self.allow_none else "DATE"


class DueType(DateType):
    """A deadline: a day, a month, a quarter, a half-year, a year, a span or ongoing."""

    name = "deadline"

    def check(self, value: str) -> str | None:
        if self.allow_none and value.strip().lower() == "none":
            return "none"
        return domain.parse_due(value, today())

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "DEADLINE|none" if self.allow_none else "DEADLINE"


class StatusType(_DomainType):
    """A status, in English or Russian, any case (``fulfilled``, «исполнено»)."""

    name = "status"

    def check(self, value: str) -> str:
        return domain.parse_status(value)

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "[" + "|".join(domain.STATUSES) + "]"

    def shell_complete(
        self, ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[Any]:
        from click.shell_completion import CompletionItem

        return [CompletionItem(s) for s in domain.STATUSES if s.startswith(incomplete)]


class PlanIdType(_DomainType):
    name = "plan"

    def check(self, value: str) -> str:
        return domain.check_plan_id(value)

    def shell_complete(
        self, ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[Any]:
        from click.shell_completion import CompletionItem

        return [CompletionItem(p.id, help=p.title) for p in _plans_for_completion(ctx)
                if p.id.startswith(incomplete)]


class AddressType(_DomainType):
    name = "item"

    def check(self, value: str) -> str:
        plan, ref = domain.parse_address(value)
        return f"{plan}:{ref}"

    def shell_complete(
        self, ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[Any]:
        from click.shell_completion import CompletionItem

        return [CompletionItem(f"{p.id}:", help=p.title) for p in _plans_for_completion(ctx)
                if f"{p.id}:".startswith(incomplete) or incomplete.startswith(f"{p.id}:")]


def _plans_for_completion(ctx: click.Context) -> list[domain.Plan]:
    try:
        db = ctx.find_root().params.get("db") or os.environ.get("TRACKER_DB") or default_db()
        repo = open_reader(db)
        try:
            return repo.plans()
        finally:
            repo.close()
    except Exception:  # completion must never break the shell
        return []


class RefType(_DomainType):
    name = "ref"

    def check(self, value: str) -> str:
        return domain.check_ref(value)


class WeightType(_DomainType):
    name = "number"

    def check(self, value: str) -> float | int:
        return domain.parse_weight(value)


class PartialCreditType(_DomainType):
    name = "0..1"

    def check(self, value: str) -> float:
        return domain.parse_partial_credit(value)


class OwnerType(_DomainType):
    name = "name"

    def check(self, value: str) -> str:
        return domain.check_owner(value)


class TitleType(_DomainType):
    name = "text"

    def check(self, value: str) -> str:
        return domain.check_text(domain.check_title(value), "title")


STATUS = StatusType()
DATE = DateType()
PLAN = PlanIdType()
ITEM = AddressType()


def format_option(
    *, choices: tuple[str, ...] = ROW_FORMATS, default: str = "table"
) -> Callable[[F], F]:
    """``--format/-f``, spelled the same way on every command that prints rows."""
    return click.option(
        "--format", "-f", "fmt", type=click.Choice(choices, case_sensitive=False),
        default=default, show_default=True,
        help="Output format: " + ", ".join(choices) + ".",
    )


def rules_options(function: F) -> F:
    """``--exclude-withdrawn`` and ``--partial-credit``: the rate rule, on every command
    that gives a rate."""
    function = click.option(
        "--partial-credit", type=PartialCreditType(), default="0", show_default=True,
        help="Credit a partial item earns, from 0 to 1.")(function)
    return click.option(
        "--exclude-withdrawn", is_flag=True,
        help="Leave withdrawn items out of the count (default: count every item).")(function)


def _set_yes(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
    app = ctx.find_object(App)
    if app is not None and value:
        app.yes = True
    return value


yes_option = click.option(
    "--yes", "-y", "yes", is_flag=True, callback=_set_yes,
    help="Do not ask for confirmation (also where a published report changes).")
amend_option = click.option(
    "--yes", "-y", is_flag=True, callback=_set_yes, expose_value=False,
    help="Write it even where it changes a published report (the journal records that).")


on_option = click.option(
    "--on", "on", type=DATE, metavar="DATE",
    help="The date the change happened in the world (default: today).",
)


def missing_database(path: str) -> str:
    return (_("note: there is no database {path} yet; the first 'tracker plan add' creates it")
            .format(path=path))


def echo(text: str) -> None:
    """Write text to stdout exactly as given (it already ends with a newline).

    ``color=True``: click would otherwise strip ANSI sequences when stdout is not a
    terminal, and data piped to a file must be the same bytes as data written with -o.
    Text for a terminal is made safe where it is rendered (``output.visible``).
    """
    click.echo(text, nl=False, color=True)


def emit(app: App, data: str | bytes, output: str | None) -> None:
    """Print *data*, or write it to *output* (``-o``): atomically for a regular file, in
    place for a FIFO or device, never over a file of the database; say so on stderr."""
    if output is None:
        if isinstance(data, bytes):
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
        else:
            echo(data)
        return
    from tracker.fileio import write_output

    app.check_output(output)
    try:
        write_output(output, data.encode("utf-8") if isinstance(data, str) else data)
    except OSError as exc:
        raise StoreError(_("cannot write {output}: {reason}")
                         .format(output=output, reason=os_reason(exc))) from None
    note(_("wrote {output}").format(output=output))


def note(text: str) -> None:
    """A message for the person at the terminal, on stderr."""
    click.echo(text, err=True)


def listed_otherwise(fmt: str, records: Sequence[Any], empty: str) -> bool:
    """Print a listing's *records* as JSON (each ``to_json()``, or a plain dict as it is),
    or say *empty* on stderr when there are none; True when that was the whole answer and
    the table is not due."""
    if fmt == "json":
        from tracker import jsonio

        echo(jsonio.pretty([record if isinstance(record, dict) else record.to_json()
                            for record in records]))
        return True
    if not records:
        note(empty)
        return True
    return False


def terminal_width() -> int | None:
    """The terminal's width when stdout is one; None when piped (full text, no wrapping)."""
    if not sys.stdout.isatty():
        return None
    import shutil

    return shutil.get_terminal_size().columns


def stdout_is_unicode() -> bool:
    encoding = getattr(sys.stdout, "encoding", None) or "ascii"
    try:
        "█▏".encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def confirm(question: str, yes: bool) -> None:
    """Ask on a terminal; without one, refuse unless --yes was given."""

    if yes:
        return
    if not sys.stdin.isatty():
        raise Refused(_("not confirmed: no terminal to ask on"), _("Add --yes to go ahead."))
    if not click.confirm(question, default=False, err=True):
        raise Refused(_("cancelled; nothing was changed"))


# --- help in the language in force --------------------------------------------------------


HELP_OPTION_TEXT = "Show this message and exit."  # click's own, in its catalogue
# click translates "[required]" from a variable, so no extractor finds the word there.
CLICK_WORDS = (N_("required"),)


@contextlib.contextmanager
def translated_help(command: click.Command, ctx: click.Context) -> Iterator[None]:
    """While help is drawn: the help of *command*, of its options and (for a group) of its
    commands in the language in force. The English texts are the catalogue's msgids
    (docstrings as click cleans them), so the same command objects serve every language
    in one process (the tests' CliRunner)."""
    import inspect

    saved: list[tuple[Any, str, str]] = []

    def swap(owner: Any, attr: str, text: str | None = None) -> None:
        value = getattr(owner, attr, None)
        if value:
            saved.append((owner, attr, value))
            setattr(owner, attr, _(text or inspect.cleandoc(value)))

    for attr in ("help", "short_help", "epilog"):
        swap(command, attr)
    help_option = command.get_help_option(ctx)
    for param in command.get_params(ctx):
        swap(param, "help", HELP_OPTION_TEXT if param is help_option else None)
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            swap(sub, "help")
            swap(sub, "short_help")
    try:
        yield
    finally:
        for owner, attr, value in reversed(saved):
            setattr(owner, attr, value)


class TranslatedCommand(click.Command):
    """A command whose help is shown in the language in force."""

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with translated_help(self, ctx):
            super().format_help(ctx, formatter)


class TranslatedGroup(click.Group):
    """A group whose help, and its commands' help, are shown in the language in force."""

    command_class = TranslatedCommand

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with translated_help(self, ctx):
            super().format_help(ctx, formatter)


TranslatedGroup.group_class = TranslatedGroup


def command(name: str) -> Callable[[F], click.Command]:
    """``@click.command`` for tracker: help in the language in force, -h as well as --help."""
    return click.command(name, cls=TranslatedCommand,
                         context_settings=CONTEXT_SETTINGS)


# --- the single place errors become messages and exit codes ------------------------------


class TrackerGroup(TranslatedGroup):
    """The root group: it chooses the language before click parses anything, and its
    ``main`` prints every error as one or two lines, never a traceback."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        from tracker import i18n

        standalone = kwargs.pop("standalone_mode", True)
        kwargs["standalone_mode"] = False
        argv = list(args[0] if args else kwargs.get("args") or sys.argv[1:])
        try:
            i18n.activate(i18n.choose(argv, os.environ))
        except i18n.UnknownLanguage as exc:
            i18n.activate("en")
            code = _fail([error_line(str(exc))], 2)
            if standalone:
                sys.exit(code)
            return code
        try:
            rv = super().main(*args, **kwargs)
            code = rv if isinstance(rv, int) else 0
        except click.exceptions.NoArgsIsHelpError as exc:  # bare `tracker`: its help
            click.echo(exc.ctx.get_help() if exc.ctx else "")
            code = 0
        except click.UsageError as exc:
            hint = _usage_hint(exc)
            if not hint and exc.ctx is not None:
                hint = _("Try '{command} -h' for help.").format(command=exc.ctx.command_path)
            code = _fail([error_line(exc.format_message()), hint], 2)
        except click.ClickException as exc:
            code = _fail([error_line(exc.format_message())], exc.exit_code)
        except (click.Abort, KeyboardInterrupt, EOFError):
            code = _fail([_("Aborted; nothing was changed.")], 1)
        except TrackerError as exc:
            code = _fail(exc.lines(), exc.exit_code)
        except BrokenPipeError:
            code = 0
        except Exception as exc:
            if os.environ.get("TRACKER_DEBUG") == "1":
                raise
            code = _fail(
                [error_line(_("internal error: {error}: {message}")
                            .format(error=type(exc).__name__, message=exc)),
                 _("Please report it; TRACKER_DEBUG=1 shows the traceback.")],
                1,
            )
        if standalone:
            sys.exit(code)
        return code


GLOBAL_OPTIONS = ("--db", "--lang")
LINE_MAX = 1000  # an error line longer than this repeats some huge argument: cut it


def _usage_hint(exc: click.UsageError) -> str:
    """A hint for the two usage errors click explains worst."""
    if not isinstance(exc, click.NoSuchOption) or exc.ctx is None:
        return ""
    name = exc.option_name
    if name in GLOBAL_OPTIONS and exc.ctx.parent is not None:
        value = "PATH" if name == "--db" else "ru"
        return (_("{option} is an option of tracker itself: put it before the command, e.g. "
                  "'tracker {option} {value} {command} …'.")
                .format(option=name, value=value, command=exc.ctx.info_name))
    if len(name) > 1 and not name.startswith("--") and not name[1:2].isalpha():
        return (_("A value that begins with '-' (such as a title '{name}…') needs '--' before "
                  "it: '{command} … -- \"{name}…\"'.")
                .format(name=name, command=exc.ctx.command_path))
    return ""


def _fail(lines: list[str], code: int) -> int:
    from tracker.render.common import visible

    for line in lines:
        if line:
            if len(line) > LINE_MAX:
                line = _("{start}… (cut: the message was {length} characters)").format(
                    start=line[:LINE_MAX], length=grouped(len(line)))
            click.echo(visible(line), err=True)
    return code
