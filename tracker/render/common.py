"""The words and numbers every format shares: rates, the rule, cells, safe text.

One place for each wording, so the table, the Markdown, the HTML page and the workbook
say the same thing the same way.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from tracker.domain import Rules, Tally, status_text
from tracker.i18n import (
    _,
    current,
    day,
    file_size,
    grouped,
    moment,
    ngettext,
    number,
    percent,
    pgettext,
)
from tracker.periods import period_label, period_text

if TYPE_CHECKING:
    from collections.abc import Mapping

    from tracker.domain import Item
    from tracker.progress import Changes, Trend
    from tracker.reports import Discipline


def field_label(name: str) -> str:
    """A field or column as a person reads it (table headers, ``show``, ``log``)."""
    labels = {
        "id": pgettext("column", "id"), "plan": pgettext("column", "plan"),
        "ref": pgettext("column", "ref"), "title": pgettext("column", "title"),
        "status": pgettext("column", "status"), "reason": pgettext("column", "reason"),
        "owners": pgettext("column", "owners"), "area": pgettext("column", "area"),
        "due": pgettext("column", "due"), "due_end": pgettext("column", "due_end"),
        "weight": pgettext("column", "weight"), "evidence": pgettext("column", "evidence"),
        "created": pgettext("column", "created"), "updated": pgettext("column", "updated"),
        "org": pgettext("column", "org"), "start": pgettext("column", "start"),
        "end": pgettext("column", "end"), "source": pgettext("column", "source"),
        "items": pgettext("column", "items"), "fulfilled": pgettext("column", "fulfilled"),
        "rate": pgettext("column", "rate"), "total": pgettext("column", "total"),
        "counted": pgettext("column", "counted"), "bar": pgettext("column", "bar"),
        "counted_weight": pgettext("column", "counted_weight"),
        "credit": pgettext("column", "credit"), "step": pgettext("column", "step"),
        "at": pgettext("column", "at"), "actor": pgettext("column", "actor"),
        "effective": pgettext("column", "effective"), "action": pgettext("column", "action"),
        "changes": pgettext("column", "changes"), "note": pgettext("column", "note"),
        "field": pgettext("column", "field"), "value": pgettext("column", "value"),
        "removed": pgettext("column", "removed"), "version": pgettext("column", "version"),
        "database": pgettext("column", "database"),
        "schema_version": pgettext("column", "schema_version"),
        "plans": pgettext("column", "plans"), "events": pgettext("column", "events"),
        "steps": pgettext("column", "steps"), "journal": pgettext("column", "journal"),
        "backup": pgettext("column", "backup"), "files": pgettext("column", "files"),
        "role": pgettext("column", "role"), "owner": pgettext("column", "owner"),
        "plan_title": pgettext("plan column", "title"),
        "status_from": pgettext("column", "status then"),
        "status_to": pgettext("column", "status now"),
        "due_from": pgettext("column", "deadline then"),
        "due_to": pgettext("column", "deadline now"),
        "reason_from": pgettext("column", "reason then"),
        "reason_to": pgettext("column", "reason now"),
        "rate_then": pgettext("column", "rate then"), "rate_now": pgettext("column", "rate now"),
        "change": pgettext("column", "change"), "period": pgettext("column", "period"),
        "partial": pgettext("column", "partial"),
        "not_fulfilled": pgettext("column", "not_fulfilled"),
        "withdrawn": pgettext("column", "withdrawn"), "open": pgettext("column", "open"),
        "responsible": pgettext("column", "responsible"),
        "co": pgettext("column", "co-executors"), "due_shown": pgettext("column", "due"),
        "due_original": pgettext("column", "original deadline"),
        "due_moves": pgettext("column", "deadline moves"),
        "on_time": pgettext("column", "on time"),
        "delay_days": pgettext("column", "days late"),
        "on_time_original": pgettext("column", "on time (original deadline)"),
        "delay_days_original": pgettext("column", "days late (original deadline)"),
        "basis": pgettext("column", "basis"), "from": pgettext("column", "from"),
        "to": pgettext("column", "to"), "executor": pgettext("column", "executor"),
        "round": pgettext("column", "round"), "reported": pgettext("column", "reported"),
        "name": pgettext("column", "file"), "size": pgettext("column", "bytes"),
        "attached": pgettext("column", "attached"),
    }
    return labels.get(name, name)


def plan_headers(columns: list[str]) -> list[str]:
    """Headers of a table of plans: its ``title`` is a plan's, not a measure's."""
    return [field_label("plan_title" if c == "title" else c) for c in columns]


def action_label(action: str) -> str:
    """What a journal event did, as ``log`` shows it."""
    labels = {
        "plan-add": pgettext("action", "plan-add"), "plan-edit": pgettext("action", "plan-edit"),
        "plan-remove": pgettext("action", "plan-remove"), "add": pgettext("action", "add"),
        "update": pgettext("action", "update"), "remove": pgettext("action", "remove"),
        "import": pgettext("action", "import"), "undo": pgettext("action", "undo"),
        "restore": pgettext("action", "restore"), "repair": pgettext("action", "repair"),
        "baseline": pgettext("action", "baseline"), "move": pgettext("action", "move"),
        "round-open": pgettext("action", "round-open"),
        "round-close": pgettext("action", "round-close"),
        "answer": pgettext("action", "answer"), "accept": pgettext("action", "accept"),
        "return": pgettext("action", "return"), "publish": pgettext("action", "publish"),
        "amend": pgettext("action", "amend"), "attach": pgettext("action", "attach"),
        "detach": pgettext("action", "detach"),
    }
    return labels.get(action, action)


def shown_value(field: str, value: Any) -> str:
    """A field's value as a person reads it: a status's name, a period's words, a day in
    the language's form, lists joined with '; '."""
    if value is None or value == "":
        return ""
    if field in ("status", "status_from", "status_to") and isinstance(value, str):
        return status_text(value)
    if field in ("due", "due_from", "due_to", "due_original", "from", "to") \
            and isinstance(value, str):
        return period_text(value, current())
    if field == "period" and isinstance(value, str):
        return period_label(value, current())
    if field in ("created", "updated", "effective", "start", "end", "due_end", "as_of",
                 "reported", "attached") \
            and isinstance(value, str):
        return day(value)
    if field == "at" and isinstance(value, str):
        return moment(value)
    if field == "action" and isinstance(value, str):
        return action_label(value)
    if field == "size" and isinstance(value, int):
        return grouped(value)
    if field in ("weight", "counted_weight", "credit") and isinstance(value, int | float):
        return number(value)
    if field in ("rate", "rate_then", "rate_now"):
        return percent(value)
    if field in ("on_time", "on_time_original") and isinstance(value, bool):
        return pgettext("on time", "yes") if value else pgettext("on time", "no")
    return cell(value)


def due_shown(due: str | None, original: str | None, moves: int) -> str:
    """A deadline with its history in brief: ``Q4 2023 (was Q2 2023)``, as a list shows
    it; a deadline moved and moved back says how often it moved."""
    lang = current()
    text = period_text(due, lang) if due is not None else ""
    if not moves:
        return text
    if original != due:
        was = period_text(original, lang) if original is not None else _("none")
        return _("{due} (was {original})").format(due=text or _("none"), original=was)
    return ngettext("{due} (moved {count} time)", "{due} (moved {count} times)", moves) \
        .format(due=text, count=moves)


def due_history(original: str | None, moves: int) -> str:
    """What a moved deadline was, for a document's deadline cell: «(first: Q2 2023;
    moved 1 time)»."""
    was = period_text(original, current()) if original is not None else _("none")
    return ngettext("(first: {original}; moved {count} time)",
                    "(first: {original}; moved {count} times)", moves).format(
        original=was, count=moves)


def listed(item: Item) -> dict[str, Any]:
    """An item as ``list`` shows it: the responsible executor apart from the co-executors,
    the deadline with what it was."""
    owners = item["owners"]
    return {"id": item.id, "status": item["status"], "title": item["title"],
            "responsible": owners[0] if owners else "", "co": owners[1:],
            "area": item["area"],
            "due_shown": due_shown(item["due"], item["due_original"], len(item["moves"])),
            "reason": item["reason"]}


def cell(value: Any) -> str:
    """One value as table text: lists joined with '; ', nothing as ''."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def visible(text: str) -> str:
    """Text for a reader: control characters (ESC, CR, NUL…) shown as escapes, so that
    data that came in from a file can never act on a terminal or break a page. New lines
    and tabs stay (tables lay them out)."""
    if not _CONTROL.search(text):
        return text
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


# --- the rate rule ----------------------------------------------------------------------


def rule_terms(rules: Rules) -> str:
    """What each status earns and what is counted: the part every rule wording shares."""
    counted = _("withdrawn items not counted") if rules.exclude_withdrawn else (
        _("every item counted, withdrawn included"))
    return (_("fulfilled 1, partial {credit}, others 0; {counted}")
            .format(credit=number(rules.partial_credit), counted=counted))


def rule_line(rate: float | None, credit: float | int, counted_weight: float | int,
              rules: Rules) -> str:
    """Numerator, denominator and the rule in force, so a reader can check the rate."""
    result = percent(rate) if rate is not None else _("n/a (nothing counted)")
    return (_("rate = credit / counted weight = {credit} / {weight} = {rate}; credit per unit "
              "of weight: {terms}").format(credit=number(credit), weight=number(counted_weight),
                                           rate=result, terms=rule_terms(rules)))


def rule_formula(rules: Rules) -> str:
    """The rule in force as a formula (the head of the HTML page)."""
    return (_("rate = Σ weight × credit / Σ weight over the counted items; credit: {terms}")
            .format(terms=rule_terms(rules)))


def weights_note(weights: tuple[float | int, float | int]) -> str | None:
    """``weights 1–3`` when the counted items' weights differ (the rate is then weighted,
    so it is not fulfilled ÷ counted), else None."""
    low, high = weights
    if low == high:
        return None
    return _("weights {low}–{high}").format(low=number(low), high=number(high))


def rate_words(fulfilled: int, counted: int, rate: float | None,
               weights: tuple[float | int, float | int]) -> str:
    """"fulfilled 32 of 34  94.1%", or, when weights differ, what the weighted rate is."""
    note = weights_note(weights)
    if note:
        return (ngettext("fulfilled {fulfilled} of {counted} measure; weighted rate {rate} "
                         "({weights})",
                         "fulfilled {fulfilled} of {counted} measures; weighted rate {rate} "
                         "({weights})", counted)
                .format(fulfilled=fulfilled, counted=counted, rate=percent(rate), weights=note))
    return (_("fulfilled {fulfilled} of {counted}  {rate}")
            .format(fulfilled=fulfilled, counted=counted, rate=percent(rate)))


def summary_sentence(t: Tally, by_status: dict[str, int], rules: Rules,
                     weights: tuple[float | int, float | int]) -> str:
    """The sentence a secretariat's report opens with: "32 of 34 measures fulfilled
    (94.1%); 2 not fulfilled" / «Из 34 мероприятий исполнено 32 (94,1 %), не исполнено 2».

    After the fulfilled ones, the rest of the counted measures, by what became of them:
    not fulfilled, partly fulfilled, withdrawn (when counted), still open.
    """
    rate = percent(t.rate)
    if weights_note(weights):
        rate = _("weighted rate {rate}").format(rate=rate)
    head = (ngettext("{fulfilled} of {counted} measure fulfilled ({rate})",
                     "{fulfilled} of {counted} measures fulfilled ({rate})", t.counted)
            .format(fulfilled=t.fulfilled, counted=t.counted, rate=rate))
    opened = sum(by_status.get(s, 0) for s in ("not-started", "in-progress", "stalled"))
    withdrawn = 0 if rules.exclude_withdrawn else by_status.get("withdrawn", 0)
    rest = [
        (by_status.get("not-fulfilled", 0), ngettext("{n} not fulfilled", "{n} not fulfilled",
                                                     by_status.get("not-fulfilled", 0))),
        (by_status.get("partial", 0), ngettext("{n} partly fulfilled", "{n} partly fulfilled",
                                               by_status.get("partial", 0))),
        (withdrawn, ngettext("{n} withdrawn from the plan", "{n} withdrawn from the plan",
                             withdrawn)),
        (opened, ngettext("{n} still in progress", "{n} still in progress", opened)),
    ]
    clauses = [text.format(n=n) for n, text in rest if n]
    if not clauses:
        return head
    return _("{head}; {rest}").format(head=head, rest=_(", ").join(clauses))


def withdrawn_note(count: int) -> str:
    return ngettext("({count} withdrawn item not counted)",
                    "({count} withdrawn items not counted)", count).format(count=count)


def not_yet_note(count: int, as_of: str) -> str:
    return ngettext("({count} item of the plan today did not exist yet on {day}: not counted)",
                    "({count} items of the plan today did not exist yet on {day}: not counted)",
                    count).format(count=count, day=day(as_of))


def by_heading(by: str) -> str:
    """The heading of the table of rates per group."""
    return {"owner": _("by owner"), "area": _("by area"), "status": _("by status")}[by]


def group_label(key: str | None, by: str) -> str:
    """A group's name: an owner or area as written, a status by its name, or the group
    of the items that have none."""
    if key is None:
        return no_group(by)
    return status_text(key) if by == "status" else key


def no_group(by: str) -> str:
    """The group of the items without an owner (or area)."""
    return {"owner": _("(no owner)"), "area": _("(no area)")}.get(by, f"(no {by})")


# --- progress over time -----------------------------------------------------------------


def points_text(then: float | None, now: float | None) -> str:
    """How far a rate moved, in percentage points: ``+12.5 points`` / «+12,5 п. п.» (n/a
    when either rate is). The move of the rates themselves, rounded once: 1/3 to 2/3 is
    +33.3 points, though the rates shown, 33.3% and 66.7%, differ by 33.4; and, as with a
    rate, a move never shows as none (0.0) when there was one."""
    if then is None or now is None:
        return _("n/a")
    exact = (now - then) * 100
    moved = round(exact, 1)
    if moved == 0 and exact != 0:
        moved = 0.1 if exact > 0 else -0.1
    sign = "+" if moved > 0 else "-" if moved < 0 else ""
    return (_("{sign}{points} points")
            .format(sign=sign, points=f"{abs(moved):.1f}".replace(".", ",")
                    if current() == "ru" else f"{abs(moved):.1f}"))


def capital(text: str) -> str:
    """A heading's text with its first letter capital (documents' headings are; the
    terminal's are not)."""
    return text[:1].upper() + text[1:]


def changes_heading(changes: Changes, as_of: str) -> str:
    if changes.recorded:
        return (_("typed in since {since} (whatever the days it is dated)")
                .format(since=day(changes.since)))
    return _("changes from {since} to {day}").format(since=day(changes.since), day=day(as_of))


def rate_move(changes: Changes, as_of: str) -> str:
    """"rate 50.0% on 2024-07-01, 75.0% on 2024-12-01: +25.0 points"."""
    if changes.recorded:
        return (_("rate {then} as recorded before {since}, {now} now: {points}")
                .format(then=percent(changes.then.rate), since=day(changes.since),
                        now=percent(changes.now.rate),
                        points=points_text(changes.then.rate, changes.now.rate)))
    return (_("rate {then} on {since}, {now} on {day}: {points}")
            .format(then=percent(changes.then.rate), since=day(changes.since),
                    now=percent(changes.now.rate), day=day(as_of),
                    points=points_text(changes.then.rate, changes.now.rate)))


def change_sections(changes: Changes) -> list[tuple[str, list[dict[str, Any]], list[str]]]:
    """The parts of a change set that have rows: (heading, rows, columns), rows keyed as
    ``shown_value`` reads them (``from``/``to`` of a status change are statuses)."""
    sections = [
        (ngettext("status changed: {count} item", "status changed: {count} items",
                  len(changes.status_changes)).format(count=len(changes.status_changes)),
         [{**r, "status_from": r["from"], "status_to": r["to"]}
          for r in changes.status_changes],
         ["id", "title", "status_from", "status_to", "effective", "reason"]),
        (ngettext("added: {count} item", "added: {count} items", len(changes.added))
         .format(count=len(changes.added)), changes.added, ["id", "title"]),
        (ngettext("removed: {count} item", "removed: {count} items", len(changes.removed))
         .format(count=len(changes.removed)), changes.removed, ["id", "title"]),
        (ngettext("deadline moved: {count} item", "deadlines moved: {count} items",
                  len(changes.due_moved)).format(count=len(changes.due_moved)),
         [{**r, "due_from": r["from"], "due_to": r["to"]} for r in changes.due_moved],
         ["id", "title", "due_from", "due_to", "reason", "basis"]),
        (ngettext("reason changed: {count} item", "reasons changed: {count} items",
                  len(changes.reason_changed)).format(count=len(changes.reason_changed)),
         [{**r, "reason_from": r["from"], "reason_to": r["to"]}
          for r in changes.reason_changed],
         ["id", "title", "reason_from", "reason_to"]),
        (ngettext("file attached: {count}", "files attached: {count}",
                  len(changes.files_attached)).format(count=len(changes.files_attached)),
         changes.files_attached, ["id", "title", "name", "size", "attached"]),
        (ngettext("file detached: {count}", "files detached: {count}",
                  len(changes.files_detached)).format(count=len(changes.files_detached)),
         changes.files_detached, ["id", "title", "name", "size", "attached"]),
    ]
    return [section for section in sections if section[1]]


def change_groups(changes: Changes, by: str) -> list[dict[str, Any]]:
    """With --by: each group's rate then and now, and the move in points."""
    return [{"key": group_label(g["key"], by), "rate_then": g["rate_then"],
             "rate_now": g["rate_now"], "change": points_text(g["rate_then"], g["rate_now"])}
            for g in changes.groups or []]


def due_soon_heading(count: int, days: int, as_of: str) -> str:
    horizon = (date.fromisoformat(as_of) + timedelta(days=days)).isoformat()
    return (ngettext("due in the next {days} day, by {day} ({count})",
                     "due in the next {days} days, by {day} ({count})", days)
            .format(days=days, day=day(horizon), count=count))


TREND_COLUMNS = ["period", "total", "fulfilled", "partial", "not_fulfilled", "withdrawn",
                 "open", "rate"]


def trend_headers() -> list[str]:
    return [pgettext("trend column", "period"), pgettext("trend column", "items"),
            pgettext("trend column", "fulfilled"), pgettext("trend column", "partial"),
            pgettext("trend column", "not fulfilled"), pgettext("trend column", "withdrawn"),
            pgettext("trend column", "open"), pgettext("trend column", "rate")]


def trend_note() -> str:
    """What a trend's columns count (the headers are kept short)."""
    return _("items, open and rate: at the period's end; fulfilled, partial, not fulfilled "
             "and withdrawn: how many reached that status in the period")


def trend_rule(trend: Trend) -> str:
    """What a trend's rate is: the rule in force at each period's end."""
    return (_("rate at each period's end; credit per unit of weight: {terms}")
            .format(terms=rule_terms(trend.rules)))


def trend_title(trend: Trend) -> str:
    words = {"month": _("by month"), "quarter": _("by quarter"), "year": _("by year")}
    return (_("trend {by}, {first} to {last}")
            .format(by=words[trend.by], first=day(trend.first), last=day(trend.last)))


# --- the journal ------------------------------------------------------------------------

HISTORY_COLUMNS = ["step", "at", "actor", "effective", "action", "changes", "reason", "note"]
LOG_COLUMNS = ["step", "at", "actor", "effective", "id", "action", "changes", "reason", "note"]


def change_text(changes: dict[str, list[Any]], of_plan: bool = False) -> str:
    """An event's changes in one line: ``status: in-progress → fulfilled; …`` (*of_plan*:
    a plan's own fields, its title not a measure's)."""
    return "; ".join(f"{field_label('plan_title' if of_plan and k == 'title' else k)}: "
                     f"{shown_value(k, old) or '–'} → {shown_value(k, new) or '–'}"
                     for k, (old, new) in changes.items())


def history_rows(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Events with their changes as one line of text each, and tracker's own notes in the
    language in force (dates and actions are shown where the rows are, by shown_value)."""
    return [{**e, "changes": _answer_text(e) if e["action"] == "answer" else
             change_text(_with_file(e), ":" not in str(e.get("id", ":"))),
             # (an answer's note is what it reported, written out when filed: shown above)
             "note": "" if e["action"] == "answer" else note_text(e.get("note", "")),
             "actor": _("{actor} (for {executors})").format(
                 actor=e["actor"], executors=", ".join(e["acting_for"]))
             if e.get("acting_for") else e["actor"]}
            for e in events]


def _answer_text(event: dict[str, Any]) -> str:
    """What an executor reported, as ``log`` shows it: ``round r1: status: fulfilled; …``."""
    answer = event.get("answer") or {}
    said = "; ".join(f"{field_label(k)}: {shown_value(k, answer[k])}"
                     for k in ("status", "reason", "evidence") if answer.get(k))
    return _("round {round}: {answer}").format(round=event.get("round", ""), answer=said)


def _with_file(event: dict[str, Any]) -> dict[str, list[Any]]:
    """An event's changes, and for an attach or a detach (or the undo of one) the file it
    kept or let go (the event names it beside its changes, which are of the item's
    fields)."""
    if event["action"] == "attach":
        return {**event["changes"], "name": [None, f"{event['name']} "
                                             f"({file_size(int(event['size']))})"]}
    if event["action"] == "detach" or event.get("reverts") == "attach":
        return {**event["changes"], "name": [event["name"], None]}
    if event.get("reverts") == "detach":
        return {**event["changes"], "name": [None, event["name"]]}
    return event["changes"]


def note_text(note: str) -> str:
    """A journal note as a person reads it: the notes tracker writes itself (kept in English
    in the journal, which is data) in the language in force."""
    if note.startswith("imported from "):
        return _("imported from {source}").format(source=note[len("imported from "):])
    if note.startswith("undo of step ") and note[len("undo of step "):].isdigit():
        return _("undo of step {step}").format(step=note[len("undo of step "):])
    return note


# --- executive discipline (SPEC §13) ----------------------------------------------------

DISCIPLINE_COLUMNS = ["key", "due", "on_time", "late", "overdue", "average_delay",
                      "longest_delay", "moved", "rate"]


def discipline_headers(by: str) -> list[str]:
    """The discipline table's headers: short, so that it fits 80 columns in either
    language; ``discipline_note`` says what each counts."""
    first = {"responsible": pgettext("discipline column", "responsible"),
             "owner": pgettext("discipline column", "executor"),
             "area": pgettext("discipline column", "area")}[by]
    return [first, pgettext("discipline column", "due"),
            pgettext("discipline column", "on time"), pgettext("discipline column", "late"),
            pgettext("discipline column", "overdue"),
            pgettext("discipline column", "average delay"),
            pgettext("discipline column", "longest delay"),
            pgettext("discipline column", "moved"), pgettext("discipline column", "on-time rate")]


def discipline_cells(row: Mapping[str, Any], by: str, total: bool = False) -> list[str]:
    """A discipline row as text: the executor (or 'total'), counts, days, the rate."""
    key = _("total") if total else (row["key"] if row["key"] is not None else
                                    no_discipline_key(by))
    average = row["average_delay"]
    longest = row["longest_delay"]
    return [key, str(row["due"]), str(row["on_time"]), str(row["late"]), str(row["overdue"]),
            "–" if average is None else number(average),
            "–" if longest is None else str(longest), str(row["moved"]), percent(row["rate"])]


def no_discipline_key(by: str) -> str:
    return _("(no area)") if by == "area" else _("(no executor)")


def discipline_title(d: Discipline) -> str:
    """What the report covers: the deadlines of which span, as of which day."""
    if d.first is None:
        return (_("deadlines up to {last}, as of {as_of}")
                .format(last=day(d.last), as_of=day(d.as_of)))
    return (_("deadlines from {first} to {last}, as of {as_of}")
            .format(first=day(d.first), last=day(d.last), as_of=day(d.as_of)))


def discipline_rule(d: Discipline) -> str:
    """The on-time rate's formula with the total's numbers, as the rate line gives them."""
    t = d.total
    judged = t["on_time"] + t["late"] + t["overdue"]
    return (_("on-time rate = on time / (on time + late + overdue) = {on_time} / ({on_time} + "
              "{late} + {overdue}) = {rate}")
            .format(on_time=t["on_time"], late=t["late"], overdue=t["overdue"],
                    rate=percent(t["rate"]) if judged else _("n/a (nothing due yet)")))


def discipline_note(d: Discipline) -> str:
    """What the columns count, in one paragraph under the table."""
    t = d.total
    return (_("due: measures whose deadline (its last day) fell in the span; on time and late: "
              "fulfilled or partly fulfilled by or after the deadline in force on that day; "
              "overdue: still open past it; delays in days, of the late and the overdue; moved: "
              "deadline moves. Not counted in the rate: {closed} closed without being fulfilled, "
              "{open} not yet due. Late or overdue against the deadlines as first approved: "
              "{original}.")
            .format(closed=t["not_fulfilled"], open=t["not_yet_due"],
                    original=t["late_original"])
            + ("" if not d.undated else " " + ngettext(
                "{count} measure has no dated deadline (none, or ongoing) and is not judged.",
                "{count} measures have no dated deadline (none, or ongoing) and are not judged.",
                d.undated).format(count=d.undated)))


def discipline_heading() -> str:
    return _("Executive discipline")


def annex_heading() -> str:
    return _("Annex: files kept as evidence")


def annex_note() -> str:
    return _("The files are kept with the database and listed here, not included: "
             "'tracker attachment get ITEM NAME -o FILE' gives each back.")


def annex_rows(report: Any) -> list[dict[str, Any]]:
    """Every plan's evidence files, for a document's annex."""
    return [row for entry in report.plans for row in entry.attachments]

