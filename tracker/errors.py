"""One exception hierarchy for the whole tool; ``cli`` turns it into exit codes.

Nothing here imports click: the domain and the store raise these, and the CLI's single
error handler prints ``Error: <message>`` (in the language in force) on stderr and exits
with ``exit_code``.
"""

from __future__ import annotations

from tracker.i18n import _, grouped, ngettext


def error_line(message: str) -> str:
    """``Error: …`` in the language in force."""
    return _("Error: {message}").format(message=message)


SHOWN_MAX = 60  # characters of a bad value repeated in an error message


def shown(value: object) -> str:
    """A bad value as an error message repeats it: quoted, and cut when it is long."""
    text = repr(value) if isinstance(value, str) else repr(str(value))
    if len(text) <= SHOWN_MAX + 2:
        return text
    length = len(value) if isinstance(value, str) else len(str(value))
    return _("{start}…' ({length} characters)").format(start=text[:SHOWN_MAX],
                                                        length=grouped(length))


class TrackerError(Exception):
    """A failure the user can fix (exit 1)."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def lines(self) -> list[str]:
        """The one or two lines printed on stderr."""
        return [error_line(self.message)] + ([self.hint] if self.hint else [])


class InvalidValue(TrackerError):
    """A bad value of an option or argument: status, date, number, id (exit 2)."""

    exit_code = 2


class NotFound(TrackerError):
    """An unknown plan or item."""


class Duplicate(TrackerError):
    """A plan id or item ref that already exists."""


class Conflict(TrackerError):
    """The request contradicts the data (a plan with items removed without --force…)."""


class Busy(TrackerError):
    """Another writer held the lock for longer than the timeout."""


class StoreError(TrackerError):
    """The database cannot be read or written (damaged, newer schema, no permission)."""


class BadRows(TrackerError):
    """An import file with invalid rows: every one is reported, nothing is written."""

    def __init__(self, problems: list[str], rows: int | None = None,
                 header: bool = False) -> None:
        count = len(problems) if rows is None else rows
        if header:
            message = _("the header row is not right; nothing was imported")
        elif count != len(problems):
            message = (ngettext("{count} bad row, {problems} problems; nothing was imported",
                                "{count} bad rows, {problems} problems; nothing was imported",
                                count).format(count=count, problems=len(problems)))
        else:
            message = ngettext("{count} bad row; nothing was imported",
                               "{count} bad rows; nothing was imported", count).format(
                count=count)
        super().__init__(message)
        self.problems = problems

    def lines(self) -> list[str]:
        return [*self.problems, error_line(self.message)]


class Refused(TrackerError):
    """A destructive command that was not confirmed."""


class Forbidden(TrackerError):
    """A write the role may not make: it acts for executors, and this is not theirs."""

