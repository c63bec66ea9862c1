"""The domain: plans, items, statuses, events and the completion-rate rule.

Pure and I/O-free: nothing here reads files, the clock or the environment; callers pass
"today" and the actor in. Validation lives here so every entry point (CLI, import, a
future API) applies the same rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from enum import StrEnum
from operator import itemgetter
from typing import TYPE_CHECKING, Any, NamedTuple

from tracker.errors import InvalidValue, shown
from tracker.i18n import _, current, pgettext
from tracker.periods import PLAN_YEAR, due_end, parse_day, parse_period, with_plan_year


class Status(StrEnum):
    """The status vocabulary, in the order reports list them."""

    NOT_STARTED = "not-started"
    IN_PROGRESS = "in-progress"
    STALLED = "stalled"
    FULFILLED = "fulfilled"
    PARTIAL = "partial"
    NOT_FULFILLED = "not-fulfilled"
    WITHDRAWN = "withdrawn"


STATUSES: tuple[str, ...] = tuple(s.value for s in Status)
CLOSED: frozenset[str] = frozenset({"fulfilled", "partial", "not-fulfilled", "withdrawn"})
OPEN: frozenset[str] = frozenset(STATUSES) - CLOSED
DUE_WITHIN = 30  # days: how far ahead a report's "due soon" looks
# Closed without being (fully) done: the items a report lists with their reasons.
UNFULFILLED: frozenset[str] = frozenset({"partial", "not-fulfilled", "withdrawn"})

PLAN_ID_RE = re.compile(r"[a-z0-9][a-z0-9._-]*\Z")
REF_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")
PLAN_ID_MAX = 64
REF_MAX = 64
# Characters that would act on a terminal rather than show: C0 controls, DEL and C1.
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
CONTROL_IN_LINES_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # newline, tab allowed


# --- validation -------------------------------------------------------------------------


def check_text(value: str, what: str, *, lines: bool = False) -> str:
    """Text a person typed: no control characters (newline and tab only with *lines*).
    *what* names the field (``title``, ``reason``…, see ``field_name``)."""
    found = (CONTROL_IN_LINES_RE if lines else CONTROL_RE).search(value)
    if found:
        message = _("invalid {field} {value}: it holds the control character {char} at "
                    "position {position}").format(
            field=field_name(what), value=shown(value), char=repr(found.group()),
            position=found.start() + 1)
        if lines:
            message += _("; new lines and tabs are allowed")
        raise InvalidValue(message)
    return value


def field_name(field: str) -> str:
    """A field as a message names it, in the language in force."""
    names = {
        "title": pgettext("field", "title"), "reason": pgettext("field", "reason"),
        "owner": pgettext("field", "owner"), "area": pgettext("field", "area"),
        "evidence": pgettext("field", "evidence"), "note": pgettext("field", "note"),
        "organisation": pgettext("field", "organisation"),
        "source": pgettext("field", "source"), "basis": pgettext("field", "basis"),
    }
    return names.get(field, field)


def status_text(status: str) -> str:
    """A status as the language in force names it: ``fulfilled`` / «исполнено»."""
    return STATUS_NAMES_RU.get(status, status) if current() == "ru" else status


def check_plan_id(value: str) -> str:
    """Return *value* if it is a valid plan id, else raise InvalidValue."""
    if len(value) > PLAN_ID_MAX or not PLAN_ID_RE.match(value):
        raise InvalidValue(
            _("invalid plan id {value}: use lower-case letters, digits, '.', '_' or '-', "
              "starting with a letter or digit, at most {max} characters (e.g. csto-2023)")
            .format(value=shown(value), max=PLAN_ID_MAX))
    return value


def check_ref(value: str) -> str:
    """Return *value* if it is a valid item ref, else raise InvalidValue."""
    if len(value) > REF_MAX or not REF_RE.match(value):
        raise InvalidValue(
            _("invalid ref {value}: use letters, digits, '.', '_' or '-', starting with a "
              "letter or digit, at most {max} characters (e.g. 12 or 3.2)")
            .format(value=shown(value), max=REF_MAX))
    return value


def parse_address(value: str) -> tuple[str, str]:
    """Split ``PLAN:REF`` into its parts, validating both."""
    plan, sep, ref = value.partition(":")
    if not sep or not plan or not ref:
        raise InvalidValue(_("invalid item {value}: write it as PLAN:REF, e.g. csto-2023:12")
                           .format(value=shown(value)))
    return check_plan_id(plan), check_ref(ref)


def parse_date(value: str, today: date) -> str:
    """Parse an input date (``YYYY-MM-DD``, ``DD.MM.YYYY`` or ``today``) into ISO text."""
    text = value.strip()
    if text.lower() in ("today", "сегодня"):
        return today.isoformat()
    day = parse_day(text)  # (InvalidValue for a day the calendar has not, or before 1900)
    if day is None:
        raise InvalidValue(_("invalid date {value}: use YYYY-MM-DD, DD.MM.YYYY or 'today'")
                           .format(value=shown(value)))
    return day


def parse_due(value: str, today: date) -> str:
    """A deadline as people write it (a day, a month, a quarter… or 'today'), canonical.

    «в течение года» gives ``periods.PLAN_YEAR``, resolved with the plan's year by
    ``resolve_due``."""
    if value.strip().lower() in ("today", "сегодня"):
        return today.isoformat()
    return parse_period(value)


def resolve_due(due: str | None, plan: Plan) -> str | None:
    """A deadline with «в течение года» turned into the plan's year."""
    return with_plan_year(due, plan.start, plan.end) if due == PLAN_YEAR else due


WEIGHT_MAX = 1_000_000  # keeps every sum finite and exact enough, and JSON valid
WEIGHT_MIN = 0.001
WEIGHT_RE = re.compile(r"[0-9]+([.,][0-9]+)?\Z")  # a decimal point, or a Russian comma


def parse_weight(value: str | float | int) -> float | int:
    """Parse a weight: a plain decimal number from 0.001 to 1,000,000 (ints stay ints).

    Python's float() also takes ``1_000``, ``1e-320``, ``nan`` and ``inf``; a person
    typing a weight means none of them, so only digits with an optional decimal point.
    """
    if isinstance(value, bool):
        raise InvalidValue(_("invalid weight {value}: use a number such as 2 or 0.5")
                           .format(value=shown(value)))
    if isinstance(value, str):
        text = value.strip()
        if not WEIGHT_RE.match(text):
            raise InvalidValue(_("invalid weight {value}: use a number greater than 0, written "
                                 "with digits and a decimal point, such as 2 or 0.5")
                               .format(value=shown(value)))
        number = float(text.replace(",", "."))
    elif isinstance(value, int | float):
        number = float(value)
    else:
        raise InvalidValue(_("invalid weight {value}: use a number such as 2 or 0.5")
                           .format(value=shown(value)))
    if not number > 0 or number != number or number == float("inf"):
        raise InvalidValue(_("invalid weight {value}: it must be a number greater than 0")
                           .format(value=shown(value)))
    if number > WEIGHT_MAX:
        raise InvalidValue(_("invalid weight {value}: at most {max} (a typo?)")
                           .format(value=shown(value),
                                   max="1 000 000" if current() == "ru" else "1,000,000"))
    if number < WEIGHT_MIN:
        raise InvalidValue(_("invalid weight {value}: at least {min} (weights are relative: "
                             "use larger numbers for all items)")
                           .format(value=shown(value),
                                   min="0,001" if current() == "ru" else "0.001"))
    return int(number) if number.is_integer() else number


def check_owner(name: str) -> str:
    """An owner's name: trimmed, not empty, without ';' (it separates owners in CSV)."""
    text = name.strip()
    if not text or ";" in text:
        raise InvalidValue(_("invalid owner {value}: a name, without ';'")
                           .format(value=shown(name)))
    return check_text(text, "owner")


def unique_owners(names: list[str]) -> list[str]:
    """Owners in the order given, each once (``--owner x --owner x`` is one owner)."""
    return list(dict.fromkeys(names))


# Status words as people write them, in English and Russian (SPEC's Russian names first).
STATUS_NAMES_RU = {
    "not-started": "не начато", "in-progress": "в работе", "stalled": "приостановлено",
    "fulfilled": "исполнено", "partial": "исполнено частично",
    "not-fulfilled": "не исполнено", "withdrawn": "исключено из плана",
}
_STATUS_WORDS = {
    **{status: status for status in STATUSES},
    **{status.replace("-", " "): status for status in STATUSES},
    **{status.replace("-", "_"): status for status in STATUSES},
    **{name: status for status, name in STATUS_NAMES_RU.items()},
    "не начат": "not-started", "не начата": "not-started",
    "в процессе": "in-progress", "в процессе исполнения": "in-progress",
    "в стадии исполнения": "in-progress", "исполняется": "in-progress",
    "выполняется": "in-progress", "в процессе выполнения": "in-progress",
    "приостановлен": "stalled", "приостановлена": "stalled",
    "выполнено": "fulfilled", "исполнен": "fulfilled", "исполнена": "fulfilled",
    "выполнен": "fulfilled", "выполнена": "fulfilled", "реализовано": "fulfilled",
    "выполнено частично": "partial", "частично исполнено": "partial",
    "частично выполнено": "partial", "исполнено не в полном объеме": "partial",
    "выполнено не в полном объеме": "partial",
    "не выполнено": "not-fulfilled", "не исполнен": "not-fulfilled",
    "не выполнен": "not-fulfilled", "не реализовано": "not-fulfilled",
    "исключено": "withdrawn", "исключено из плана": "withdrawn",
    "снято с контроля": "withdrawn", "отменено": "withdrawn",
}


def parse_status(value: str) -> str:
    """The canonical status for *value*, written in English or Russian, in any case
    (``fulfilled``, ``Исполнено``, ``не выполнено``, ``выполнено частично``…)."""
    text = " ".join(value.replace("ё", "е").replace("Ё", "Е").split()).lower().rstrip(".")
    found = _STATUS_WORDS.get(text)
    if found is None:
        raise InvalidValue(_("invalid status {value}: use one of {statuses} (or in Russian: "
                             "{russian})").format(value=shown(value),
                                                  statuses=", ".join(STATUSES),
                                                  russian=", ".join(STATUS_NAMES_RU.values())))
    return found


def check_title(value: str) -> str:
    """A title must hold something other than white space."""
    text = value.strip()
    if not text:
        raise InvalidValue(_("the title is empty: write at least one character other than a "
                             "space"))
    return text


def parse_partial_credit(value: str | float) -> float:
    """The credit a ``partial`` item earns: a number from 0 to 1."""
    try:
        number = float(value.replace(",", ".") if isinstance(value, str) else value)
    except (TypeError, ValueError):
        raise InvalidValue(_("invalid partial credit {value}: use a number from 0 to 1")
                           .format(value=shown(value))) from None
    if not 0 <= number <= 1:
        raise InvalidValue(_("invalid partial credit {value}: use a number from 0 to 1")
                           .format(value=shown(value)))
    return number


def split_owners(text: str) -> list[str]:
    """Owners as typed in a CSV cell: separated by ';', blanks and repeats dropped."""
    return unique_owners([part.strip() for part in text.split(";") if part.strip()])


# --- records ----------------------------------------------------------------------------


class Plan:
    """An action plan.

    Records are plain slotted classes rather than dataclasses: building dataclasses costs
    ~5 ms at every start-up, and every command starts up.
    """

    __slots__ = ("id", "title", "org", "start", "end", "source", "created")

    def __init__(self, id: str, title: str, org: str = "", start: str | None = None,
                 end: str | None = None, source: str = "", created: str = "") -> None:
        self.id = id
        self.title = title
        self.org = org
        self.start = start
        self.end = end
        self.source = source
        self.created = created

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Plan:
        return cls(**{k: v for k, v in data.items() if k in PLAN_FIELDS})

    def __eq__(self, other: object) -> bool:
        return type(other) is Plan and self.to_dict() == other.to_dict()

    def __repr__(self) -> str:
        return f"Plan({self.to_dict()!r})"


def _field(name: str) -> Any:
    """An attribute that reads and writes the item's own key (reads run in C)."""

    def set_value(item: dict[str, Any], value: Any) -> None:
        item[name] = value

    return property(itemgetter(name), set_value, doc=f"The item's {name}.")


ITEM_KEYS = ("plan", "ref", "title", "status", "reason", "owners", "area", "due", "weight",
             "evidence", "created", "updated", "due_original", "moves", "status_since")
# What the journal itself says of an item, kept on it so that a list or a report needs no
# journal: the deadline as first set, each move of it (``control.follow_due``), and the day
# its status holds from. Events never carry them: the fold (``history``) derives them.
DERIVED_KEYS = ("due_original", "moves", "status_since")
# The JSON of an item: ``id``, the stored fields, the responsible executor after the
# owners, and after ``due`` its last day, the original deadline, the moves and whether
# it was (or is being) done on time (``control.timeliness``).
JSON_KEYS = ("id", "plan", "ref", "title", "status", "reason", "owners", "responsible",
             "area", "due", "due_end", "due_original", "due_moves", "on_time", "delay_days",
             "on_time_original", "delay_days_original", "weight", "evidence", "created",
             "updated")


class Item(dict[str, Any]):
    """One measure of a plan: its stored document, with the fields as attributes.

    A dict at heart, because reports read tens of thousands of items per command: making
    one from a stored document is a single C-level copy (~10× faster than setting twelve
    slots), and ``item.status`` is a C-level lookup.
    """

    __slots__ = ()
    if TYPE_CHECKING:
        plan: str
        ref: str
        title: str
        status: str
        reason: str
        owners: list[str]
        area: str
        due: str | None
        weight: float | int
        evidence: str
        created: str
        updated: str
        due_original: str | None
        moves: list[dict[str, Any]]
        status_since: str
    else:
        for _name in ITEM_KEYS:
            locals()[_name] = _field(_name)
        del _name

    def __init__(self, plan: str, ref: str, title: str, status: str = "not-started",
                 reason: str = "", owners: list[str] | None = None, area: str = "",
                 due: str | None = None, weight: float | int = 1, evidence: str = "",
                 created: str = "", updated: str = "", due_original: str | None = None,
                 moves: list[dict[str, Any]] | None = None, status_since: str = "") -> None:
        super().__init__(plan=plan, ref=ref, title=title, status=status, reason=reason,
                         owners=list(owners) if owners else [], area=area, due=due,
                         weight=weight, evidence=evidence, created=created, updated=updated,
                         due_original=due if due_original is None else due_original,
                         moves=list(moves) if moves else [],
                         status_since=status_since or created)

    @property
    def id(self) -> str:
        return f"{self['plan']}:{self['ref']}"

    def to_dict(self) -> dict[str, Any]:
        """The item as stored (without the derived ``id``)."""
        data = dict(self)
        data["owners"] = list(data["owners"])
        data["moves"] = [dict(move) for move in data["moves"]]
        return data

    def to_json(self, as_of: str | None = None) -> dict[str, Any]:
        """The item in its documented JSON keys (``JSON_KEYS``); *as_of* (ISO) is the day
        an open item's delay is counted to (None: open items are not judged)."""
        from tracker.control import timeliness

        t = timeliness(self, as_of)
        owners = list(self["owners"])
        return {
            "id": self.id, "plan": self["plan"], "ref": self["ref"], "title": self["title"],
            "status": self["status"], "reason": self["reason"], "owners": owners,
            "responsible": owners[0] if owners else None, "area": self["area"],
            "due": self["due"], "due_end": due_end(self["due"]),
            "due_original": self["due_original"], "due_moves": len(self["moves"]),
            "on_time": t.on_time, "delay_days": t.delay,
            "on_time_original": t.on_time_original, "delay_days_original": t.delay_original,
            "weight": self["weight"], "evidence": self["evidence"],
            "created": self["created"], "updated": self["updated"],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Item:
        """An item from a stored document (a copy: changing it leaves the document alone)."""
        item = dict.__new__(cls)
        if len(data) == len(ITEM_KEYS) and data.keys() == _ITEM_KEY_SET:
            dict.update(item, data)
        else:  # a document from elsewhere: known keys only, defaults for the rest
            Item.__init__(item, **{k: v for k, v in data.items() if k in _ITEM_KEY_SET})
        return item

    @classmethod
    def from_row(cls, plan: str, row: list[Any]) -> Item:
        """An item from a stored row (the fields of ``ROW_KEYS``, in that order).

        The hot path of every report, so it shares the row's values (the owners list
        included): change an item's fields by assigning them, never by mutating a list.
        """
        item = _new_dict(cls)
        item["plan"] = plan
        _update(item, zip(ROW_KEYS, row, strict=True))
        return item

    def to_row(self) -> list[Any]:
        """The item as a stored row: its fields but the plan, in the order of ``ROW_KEYS``."""
        row = list(_row_values(self))
        row[_OWNERS] = list(row[_OWNERS])
        row[_MOVES] = [dict(move) for move in row[_MOVES]]
        return row

    def is_overdue(self, on: str) -> bool:
        """Open, and the last day of its deadline is before *on* (ISO date); an ongoing
        measure is never overdue."""
        end = due_end(self["due"])
        return end is not None and end < on and self["status"] in OPEN

    @property
    def responsible(self) -> str | None:
        """The responsible executor: the first owner (the others are co-executors)."""
        owners = self["owners"]
        return owners[0] if owners else None

    @property
    def due_end(self) -> str | None:
        """The last day of the deadline (ISO), or None (no deadline, or ongoing)."""
        return due_end(self["due"])

    def __repr__(self) -> str:
        return f"Item({dict.__repr__(self)})"


_ITEM_KEY_SET = frozenset(ITEM_KEYS)
_new_dict = dict.__new__
_update = dict.update
# How an item is stored in its plan's document: a row of these fields, the plan implied.
ROW_KEYS = ITEM_KEYS[1:]
_row_values = itemgetter(*ROW_KEYS)
_OWNERS = ROW_KEYS.index("owners")
_MOVES = ROW_KEYS.index("moves")


PLAN_FIELDS = frozenset(Plan.__slots__)
ITEM_FIELDS = _ITEM_KEY_SET
# Fields a user may change on an existing item, in the order history shows them.
EDITABLE_ITEM_FIELDS = (
    "title", "status", "reason", "owners", "area", "due", "weight", "evidence",
)
# What a ``--correct`` or a move of a deadline says beside the change (not item fields).
MOVE_FIELDS = ("correct", "basis")
EDITABLE_PLAN_FIELDS = ("title", "org", "start", "end", "source")

EVENT_KEYS = (
    "seq", "at", "actor", "effective", "id", "action", "changes", "reason", "note", "step",
)


_DIGITS = re.compile(r"([0-9]+)")


def ref_sort_key(ref: str) -> tuple[Any, ...]:
    """Order refs as people number them: 2 before 10, 3.2 before 3.10."""
    if ref.isdigit():  # the common case, ten times faster than the split
        return ((0, int(ref), ""),)
    parts = _DIGITS.split(ref)
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts if p != "")


def sorted_by_ref(items: list[Item]) -> list[Item]:
    """A plan's items in the plan's own order (see ``ref_sort_key``)."""
    if all(item["ref"].isdigit() for item in items):  # the usual numbering: a cheaper key
        return sorted(items, key=lambda item: int(item["ref"]))
    return sorted(items, key=lambda item: ref_sort_key(item["ref"]))


def next_ref(refs: list[str] | set[str]) -> str:
    """The next integer after the largest integer ref."""
    largest = 0
    for ref in refs:
        if ref.isdigit():
            largest = max(largest, int(ref))
    ref = str(largest + 1)
    if len(ref) > REF_MAX:
        raise InvalidValue(_("the next number after the largest ref is longer than {max} "
                             "characters: give this item a --ref").format(max=REF_MAX))
    return ref


# --- the completion rate ----------------------------------------------------------------


class Rules(NamedTuple):
    """The rate rule in force: the credit a partial item earns, whether withdrawn ones count."""

    exclude_withdrawn: bool = False
    partial_credit: float = 0.0

    def credit(self, status: str) -> float:
        if status == "fulfilled":
            return 1.0
        if status == "partial":
            return self.partial_credit
        return 0.0

    def counts(self, status: str) -> bool:
        return not (self.exclude_withdrawn and status == "withdrawn")


class Tally(NamedTuple):
    """Counts and the rate of a set of items."""

    total: int
    counted: int
    fulfilled: int
    counted_weight: float | int
    credit: float | int

    @property
    def rate(self) -> float | None:
        return self.credit / self.counted_weight if self.counted_weight else None


def tally(items: Sequence[Mapping[str, Any]], rules: Rules) -> Tally:
    """Apply the rate rule to *items*: rate = Σ weight × credit / Σ weight over those counted."""
    counted = fulfilled = 0
    weight_sum = credit_sum = 0.0
    skip = "withdrawn" if rules.exclude_withdrawn else None
    partial = rules.partial_credit
    for item in items:  # the hot loop of every report: plain lookups, no calls
        status = item["status"]
        if status == skip:
            continue
        counted += 1
        weight = item["weight"]
        weight_sum += weight
        if status == "fulfilled":
            fulfilled += 1
            credit_sum += weight
        elif status == "partial":
            credit_sum += weight * partial
    return Tally(len(items), counted, fulfilled, whole(weight_sum), whole(credit_sum))


# A plan's items summed up by status: status → [count, Σ weight, smallest, largest weight].
StatusSums = dict[str, list[float]]


def status_sums(statuses_and_weights: Iterable[tuple[str, float | int]]) -> StatusSums:
    """What a plan's overview needs of its items, whatever the rule: per status, how many,
    their total weight, and the range of their weights."""
    sums: StatusSums = {}
    for status, weight in statuses_and_weights:
        found = sums.get(status)
        if found is None:
            sums[status] = [1, weight, weight, weight]
        else:
            found[0] += 1
            found[1] += weight
            if weight < found[2]:
                found[2] = weight
            if weight > found[3]:
                found[3] = weight
    return sums


def tally_from_sums(sums: StatusSums, rules: Rules) -> tuple[Tally, tuple[float, float]]:
    """The tally and the counted weights' range of a plan summed up by status (the same
    numbers ``tally`` and ``reports.weight_range`` give from its items)."""
    total = counted = fulfilled = 0
    weight = credit = 0.0
    low: float | None = None
    high: float | None = None
    for status, (count, weights, smallest, largest) in sums.items():
        total += int(count)
        if not rules.counts(status):
            continue
        counted += int(count)
        weight += weights
        credit += weights * rules.credit(status)
        if status == "fulfilled":
            fulfilled += int(count)
        low = smallest if low is None else min(low, smallest)
        high = largest if high is None else max(high, largest)
    span = (1.0, 1.0) if low is None or high is None else (whole(low), whole(high))
    return Tally(total, counted, fulfilled, whole(weight), whole(credit)), span


def whole(value: float | int) -> float | int:
    """A whole number as an int, so JSON says 34 rather than 34.0; others unchanged."""
    return int(value) if float(value).is_integer() else value
