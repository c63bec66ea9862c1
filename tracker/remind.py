"""Reminders (SPEC §14): one per executor — their overdue measures with the delay, those
due within the next days, and the answers still missing in open rounds — as an RFC 5322
message (.eml, made with the standard library's ``email`` package and never sent), plain
text, or a Word document, in the language of the command."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from tracker.control import timeliness
from tracker.domain import OPEN
from tracker.i18n import _, day, ngettext
from tracker.periods import due_end, period_text

if TYPE_CHECKING:
    from tracker.domain import Item, Plan
    from tracker.rounds import Round

MISSING_STATES = ("missing", "returned")


class Reminder:
    """What one executor is reminded of."""

    def __init__(self, executor: str, email: str | None) -> None:
        self.executor = executor
        self.email = email
        self.overdue: list[tuple[Item, int]] = []  # (measure, days late)
        self.due_soon: list[tuple[Item, int]] = []  # (measure, days left)
        self.missing: list[tuple[Round, str, str]] = []  # (round, ref, title)

    def __bool__(self) -> bool:
        return bool(self.overdue or self.due_soon or self.missing)


def reminders(plans: list[tuple[Plan, list[Item]]], rounds: list[Round], today: str,
              within: int, emails: dict[str, str]) -> list[Reminder]:
    """The reminders with something to say, by executor in the order first met."""
    found: dict[str, Reminder] = {}

    def of(executor: str) -> Reminder:
        if executor not in found:
            found[executor] = Reminder(executor, emails.get(executor))
        return found[executor]

    horizon = (date.fromisoformat(today) + timedelta(days=within)).isoformat()
    for _plan, items in plans:
        for item in items:
            if item.status not in OPEN:
                continue
            judged = timeliness(item, today)
            end = due_end(item.due)
            for executor in item.owners:
                if judged.overdue and judged.delay is not None:
                    of(executor).overdue.append((item, judged.delay))
                elif end is not None and today <= end <= horizon:
                    of(executor).due_soon.append(
                        (item, (date.fromisoformat(end) - date.fromisoformat(today)).days))
    for one in rounds:
        if not one.is_open:
            continue
        for executor, rows in one.asked.items():
            for ref, title, _due in rows:
                if one.answers[(executor, ref)].state in MISSING_STATES:
                    of(executor).missing.append((one, ref, title))
    return [r for r in found.values() if r]


def subject(reminder: Reminder) -> str:
    return _("Reminder: measures of the plan that await you")


def text(reminder: Reminder, lang: str) -> str:
    """The reminder as plain text (the body of the message)."""
    lines = [_("To: {executor}").format(executor=reminder.executor), ""]
    lines.append(_("This is a reminder of the measures for which you are the responsible "
                   "executor or a co-executor."))
    for rows, heading, line in (
            (reminder.overdue,
             ngettext("Overdue ({count} measure):", "Overdue ({count} measures):",
                      len(reminder.overdue)),
             _("  {item}  {title} — deadline {due}, {days} day(s) late")),
            (reminder.due_soon,
             ngettext("Due soon ({count} measure):", "Due soon ({count} measures):",
                      len(reminder.due_soon)),
             _("  {item}  {title} — deadline {due}, {days} day(s) left"))):
        if rows:
            lines += ["", heading.format(count=len(rows))]
            lines += [line.format(item=item.id, title=item.title,
                                  due=period_text(item.due, lang), days=days)
                      for item, days in rows]
    if reminder.missing:
        by_round: dict[str, list[tuple[Round, str, str]]] = {}
        for entry in reminder.missing:
            by_round.setdefault(entry[0].name, []).append(entry)
        for name, entries in by_round.items():
            one = entries[0][0]
            lines += ["", (_("No answer yet to the request {round} (answers due {due}):")
                           .format(round=name, due=day(one.due)) if one.due else
                           _("No answer yet to the request {round}:").format(round=name))]
            lines += [f"  {one.plan}:{ref}  {title}" for _one, ref, title in entries]
    return "\n".join(lines) + "\n"


def eml(reminder: Reminder, lang: str, sender: str, when: str) -> bytes:
    """The reminder as an RFC 5322 message in UTF-8, ready to send (nothing is sent)."""
    from datetime import datetime
    from email.headerregistry import Address
    from email.message import EmailMessage
    from email.policy import SMTP
    from email.utils import format_datetime, make_msgid

    message = EmailMessage(policy=SMTP)
    message["Subject"] = subject(reminder)
    if "@" in sender:
        message["From"] = sender
    else:  # a user name: an RFC 5322 From needs an address, and this one says there is none
        message["From"] = Address(display_name=sender, username="noreply",
                                  domain="tracker.invalid")
    if reminder.email:
        user, _sep, domain = reminder.email.rpartition("@")
        message["To"] = Address(display_name=reminder.executor, username=user, domain=domain)
    message["Date"] = format_datetime(datetime.fromisoformat(when.replace("Z", "+00:00")))
    message["Message-ID"] = make_msgid(domain="tracker.invalid")
    message["X-Tracker-Executor"] = reminder.executor
    message["Content-Language"] = lang
    message.set_content(text(reminder, lang), charset="utf-8")
    return message.as_bytes()


def docx(reminder: Reminder, lang: str) -> bytes:
    """The reminder as a Word document: a heading, the lines, and a table per section."""
    import docx as word

    document = word.Document()
    document.add_heading(subject(reminder), level=1)
    document.add_paragraph(_("To: {executor}").format(executor=reminder.executor))
    sections: list[tuple[str, list[list[str]], list[str]]] = []
    if reminder.overdue:
        sections.append((_("Overdue"), [[item.id, item.title, period_text(item.due, lang),
                                        str(days)] for item, days in reminder.overdue],
                         [_("No."), _("Measure"), _("Deadline"), _("Days late")]))
    if reminder.due_soon:
        sections.append((_("Due soon"), [[item.id, item.title, period_text(item.due, lang),
                                         str(days)] for item, days in reminder.due_soon],
                         [_("No."), _("Measure"), _("Deadline"), _("Days left")]))
    if reminder.missing:
        sections.append((_("No answer yet"), [[f"{one.plan}:{ref}", title, one.name,
                                              day(one.due) if one.due else ""]
                                             for one, ref, title in reminder.missing],
                         [_("No."), _("Measure"), _("Request"), _("Answers due")]))
    for heading, rows, headers in sections:
        document.add_heading(heading, level=2)
        table = document.add_table(rows=1, cols=len(headers))
        table.style = "Table Grid"
        for cell, header in zip(table.rows[0].cells, headers, strict=True):
            cell.text = header
            for run in cell.paragraphs[0].runs:
                run.bold = True
        for row in rows:
            for cell, value in zip(table.add_row().cells, row, strict=True):
                cell.text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def as_json(reminder: Reminder) -> dict[str, Any]:
    return {"executor": reminder.executor, "email": reminder.email,
            "overdue": [{"id": i.id, "days_late": d} for i, d in reminder.overdue],
            "due_soon": [{"id": i.id, "days_left": d} for i, d in reminder.due_soon],
            "missing": [{"round": o.name, "id": f"{o.plan}:{ref}"} for o, ref, _t in
                        reminder.missing]}
