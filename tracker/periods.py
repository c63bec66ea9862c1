"""Dates and deadlines as plans write them: a day, a month, a quarter, a half-year, a year,
a span of these, or "ongoing" — read in the forms people type (ISO, ``21.11.2023``,
«IV квартал 2023 г.», «в течение года»…), stored in one canonical form, shown in either
language, and judged by their last day.

Pure and I/O-free. Canonical forms (what is stored, and JSON and CSV give):

    2023-11-23   a day            2023-H1       a half-year
    2023-11      a month          2023          a year
    2023-Q4      a quarter        2023..2024    a span (any two of the above, in order)
    ongoing      no deadline: never overdue

The wording of each form lives here, per language, rather than in the gettext catalogue:
a period's text is built from its parts (a Roman numeral, a month's name, «г.»/«гг.»), and
a translator could not reorder those pieces anyway.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import date

from tracker.errors import InvalidValue, shown
from tracker.i18n import _

ONGOING = "ongoing"
TREND_PERIODS = ("month", "quarter", "year")  # the rows of ``tracker trend``
PLAN_YEAR = "plan-year"  # «в течение года»: the year of the plan, resolved by the caller


_ISO_DAY = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})\Z")
_DOTTED_DAY = re.compile(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})\Z")
_ISO_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})\Z")
_DOTTED_MONTH = re.compile(r"([0-9]{1,2})\.([0-9]{4})\Z")
_QUARTER = re.compile(r"([0-9]{4})-[qQ]([1-4])\Z")
_HALF = re.compile(r"([0-9]{4})-[hH]([12])\Z")
_YEAR = re.compile(r"([0-9]{4})\Z")

ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
ROMAN_OF = {1: "I", 2: "II", 3: "III", 4: "IV"}
MONTHS_RU = ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август",
             "сентябрь", "октябрь", "ноябрь", "декабрь")
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# The first letters that tell a month apart, in any case of its name (январь, января, январе…)
_MONTH_STEMS_RU = ("янв", "фев", "мар", "апр", "ма", "июн", "июл", "авг", "сен", "окт", "ноя",
                   "дек")
_MONTH_NAMES_EN = ("january", "february", "march", "april", "may", "june", "july", "august",
                   "september", "october", "november", "december")

class _Lazy:
    """A pattern compiled on first use. The forms of deadlines written as text are needed
    only by a command that reads one; compiling them all up front costs some 5 ms of every
    command's start-up."""

    __slots__ = ("_source", "_compiled")

    def __init__(self, source: str) -> None:
        self._source = source
        self._compiled: re.Pattern[str] | None = None

    def _pattern(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = re.compile(self._source)
        return self._compiled

    def match(self, text: str) -> re.Match[str] | None:
        return self._pattern().match(text)

    def search(self, text: str) -> re.Match[str] | None:
        return self._pattern().search(text)

    def split(self, text: str, maxsplit: int = 0) -> list[str]:
        return self._pattern().split(text, maxsplit)


_YEAR_WORDS = r"(?:\s*(?:г\.?|гг\.?|года?|годы|годах|году))?"
_IN_COURSE = r"(?:в\s+течение\s+)?"
_RU_QUARTER = _Lazy(
    r"(?:в\s+)?(i{1,3}|iv|[1-4])\s*(?:-?й\s*)?(?:квартал[аеу]?|кв\.?)\s*([0-9]{4})" + _YEAR_WORDS
    + r"\Z")
_RU_QUARTERS = _Lazy(
    r"(?:в\s+)?(i{1,3}|iv|[1-4])\s*[-–—]\s*(i{1,3}|iv|[1-4])\s*(?:кварталы|квартал[ае]х?|кв\.?)"
    r"\s*([0-9]{4})" + _YEAR_WORDS + r"\Z")
_RU_HALF = _Lazy(
    r"(?:в\s+)?(i|ii|[12])\s*(?:-?е\s*)?(?:полугоди[еяи]|полуг\.?)\s*([0-9]{4})" + _YEAR_WORDS
    + r"\Z")
_RU_YEAR = _Lazy(_IN_COURSE + r"([0-9]{4})" + _YEAR_WORDS + r"\Z")
_RU_SPAN = _Lazy(_IN_COURSE + r"([0-9]{4})\s*[-–—]\s*([0-9]{4})" + _YEAR_WORDS + r"\Z")
_RU_MONTH = _Lazy(r"(?:в\s+)?([а-я]+)\s+([0-9]{4})" + _YEAR_WORDS + r"\Z")
_EN_QUARTER = _Lazy(r"q([1-4])\s+([0-9]{4})\Z")
_EN_HALF = _Lazy(r"h([12])\s+([0-9]{4})\Z")
_EN_MONTH = _Lazy(r"([a-z]+)\.?\s+([0-9]{4})\Z")
_BEFORE = _Lazy(r"(?:до|не\s+позднее|by|before)\s+(.+)\Z")
_THIS_YEAR = _Lazy(r"(?:в\s+течение|до\s+конца)\s+(?:текущего\s+)?года\Z")
_END_OF_YEAR = _Lazy(r"до\s+конца\s+([0-9]{4})" + _YEAR_WORDS + r"\Z")
_DASH = _Lazy(r"\s+[-–—]\s+")
_ONGOING = _Lazy(r"(?:ongoing|постоянно|на\s+постоянной\s+основе)\Z")


# --- dates --------------------------------------------------------------------------------


def parse_day(text: str) -> str | None:
    """An ISO ``YYYY-MM-DD`` or a ``DD.MM.YYYY`` (``D.M.YYYY``, «… г.») as ISO, or None
    when *text* is neither. Raises InvalidValue for a day the calendar does not have."""
    text = re.sub(r"\s*г\.?\Z", "", text.strip())
    found = _ISO_DAY.match(text)
    if found:
        year, month, day = found.groups()
    else:
        found = _DOTTED_DAY.match(text)
        if not found:
            return None
        day, month, year = found.groups()
    if int(year) < 1900:  # (a slip of the keyboard; periods and trends count from 1900)
        raise InvalidValue(_("invalid date {value}: tracker takes days from the year 1900 on")
                           .format(value=shown(text)))
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        raise InvalidValue(_("invalid date {value}: no such day in the calendar")
                           .format(value=shown(text))) from None


def dotted(iso: str) -> str:
    """An ISO day as Russian text writes it: ``21.11.2023``."""
    return f"{iso[8:10]}.{iso[5:7]}.{iso[:4]}"


# --- periods: parsing ---------------------------------------------------------------------


def _normal(text: str) -> str:
    """Lower case, one space, ё as е, the Cyrillic і as a Latin i (Roman numerals)."""
    text = text.replace("ё", "е").replace("Ё", "Е").replace("І", "I").replace("і", "i")
    return " ".join(text.split()).lower().rstrip(".,;")


def _roman(token: str) -> int:
    return ROMAN[token] if token in ROMAN else int(token)


def parse_period(text: str) -> str:
    """The canonical form of a deadline as people write it; InvalidValue listing the
    accepted forms otherwise. «в течение года» gives ``PLAN_YEAR``, which the caller
    resolves with ``with_plan_year``."""
    raw = text
    text = text.strip()
    day = parse_day(text)
    if day is not None:
        return day
    low = _normal(text)
    if not low:
        raise InvalidValue(_("the deadline is empty"))
    canonical = _canonical(low)
    if canonical is None:
        raise InvalidValue(_(
            "invalid deadline {value}: use a day (2023-11-23, 23.11.2023, «до 23.11.2023»), a "
            "month (2023-11, 11.2023, «ноябрь 2023 г.»), a quarter (2023-Q4, «IV квартал 2023 "
            "г.»), a half-year (2023-H1, «I полугодие 2023 г.»), a year (2023, «в течение 2023 "
            "года», «в течение года»), a span (2023..2024, «2023–2024 гг.», 2023-Q3..2024-Q2) "
            "or ongoing («постоянно»)").format(value=shown(raw)))
    check_period(canonical)
    return canonical


def _canonical(low: str) -> str | None:
    """The canonical period for normalised text, or None."""
    if _ONGOING.match(low):
        return ONGOING
    if _THIS_YEAR.match(low):
        return PLAN_YEAR
    found = _END_OF_YEAR.match(low)
    if found:
        return found.group(1)
    before = _BEFORE.match(low)
    if before:
        return parse_day(before.group(1))
    for pattern, make in _SIMPLE:
        found = pattern.match(low)
        if found:
            return make(found)
    if ".." in low or _DASH.search(low):
        first, last = (low.split("..", 1) if ".." in low else _DASH.split(low, 1))
        a, b = _canonical(first.strip()), _canonical(last.strip())
        if a is None or b is None or any(x in (ONGOING, PLAN_YEAR) or ".." in x
                                         for x in (a, b)):
            return None
        return f"{a}..{b}"
    found = _RU_QUARTERS.match(low)
    if found:
        q1, q2, year = _roman(found.group(1)), _roman(found.group(2)), found.group(3)
        return f"{year}-Q{q1}..{year}-Q{q2}" if q1 != q2 else f"{year}-Q{q1}"
    found = _RU_SPAN.match(low)
    if found:
        return f"{found.group(1)}..{found.group(2)}"
    found = _RU_MONTH.match(low) or _EN_MONTH.match(low)
    if found:
        month = _month_number(found.group(1))
        if month is not None:
            return f"{found.group(2)}-{month:02d}"
    return None


def _month_number(word: str) -> int | None:
    for n, name in enumerate(_MONTH_NAMES_EN, 1):
        if len(word) >= 3 and name.startswith(word):
            return n
    if word.startswith("ма"):  # март / май: «мар…» is March, the rest (май, мая, мае) May
        return 3 if word.startswith("мар") else 5
    for n, stem in enumerate(_MONTH_STEMS_RU, 1):
        if word.startswith(stem):
            return n
    return None


_SIMPLE: list[tuple[re.Pattern[str] | _Lazy, Callable[[re.Match[str]], str]]] = [
    (_ISO_MONTH, lambda m: f"{m.group(1)}-{m.group(2)}"),
    (_DOTTED_MONTH, lambda m: f"{m.group(2)}-{int(m.group(1)):02d}"),
    (_QUARTER, lambda m: f"{m.group(1)}-Q{m.group(2)}"),
    (_HALF, lambda m: f"{m.group(1)}-H{m.group(2)}"),
    (_YEAR, lambda m: m.group(1)),
    (_EN_QUARTER, lambda m: f"{m.group(2)}-Q{m.group(1)}"),
    (_EN_HALF, lambda m: f"{m.group(2)}-H{m.group(1)}"),
    (_RU_QUARTER, lambda m: f"{m.group(2)}-Q{_roman(m.group(1))}"),
    (_RU_HALF, lambda m: f"{m.group(2)}-H{_roman(m.group(1))}"),
    (_RU_YEAR, lambda m: m.group(1)),
]


def check_period(canonical: str) -> str:
    """Raise InvalidValue unless *canonical* is a well-formed period (a month 1–12, a span
    whose end is not before its start)."""
    if canonical in (ONGOING, PLAN_YEAR):
        return canonical
    if ".." in canonical:
        first, _sep, last = canonical.partition("..")
        check_period(first)
        check_period(last)
        if bounds(last)[0] < bounds(first)[0] or bounds(last)[1] <= bounds(first)[1]:
            raise InvalidValue(_("invalid deadline {value}: the span must end after it "
                                 "begins").format(value=repr(canonical)))
        return canonical
    found = _ISO_MONTH.match(canonical)
    if found and not 1 <= int(found.group(2)) <= 12:
        raise InvalidValue(_("invalid deadline {value}: there is no month {month}")
                           .format(value=repr(canonical), month=int(found.group(2))))
    bounds(canonical)
    return canonical


def with_plan_year(canonical: str, start: str | None, end: str | None) -> str:
    """Resolve «в течение года» to the plan's year (from its start, else its end)."""
    if canonical != PLAN_YEAR:
        return canonical
    years = {d[:4] for d in (start, end) if d}
    if not years:
        raise InvalidValue(_("«в течение года» needs the plan's year: give the plan a --start "
                             "or --end (tracker plan edit), or write the year («в течение 2023 "
                             "года»)"))
    if len(years) > 1:
        raise InvalidValue(_("«в течение года»: the plan runs from {start} to {end}, so the "
                             "year is not clear; write it («в течение 2023 года»)")
                           .format(start=start, end=end))
    return years.pop()


# --- periods: their days ------------------------------------------------------------------


def bounds(canonical: str) -> tuple[str, str]:
    """The first and the last day of a period (ISO); ongoing has neither (ValueError)."""
    if ".." in canonical:
        first, _sep, last = canonical.partition("..")
        return bounds(first)[0], bounds(last)[1]
    year = int(canonical[:4])
    if len(canonical) == 10:
        return canonical, canonical
    if len(canonical) == 4:
        return f"{year}-01-01", f"{year}-12-31"
    kind, number = canonical[5], canonical[6:]
    if kind in "QH":
        months = 3 if kind == "Q" else 6
        first_month = (int(number) - 1) * months + 1
        last_month = first_month + months - 1
    else:
        first_month = last_month = int(canonical[5:7])
    last_day = calendar.monthrange(year, last_month)[1]
    return f"{year}-{first_month:02d}-01", f"{year}-{last_month:02d}-{last_day:02d}"


_ENDS: dict[str, str | None] = {}


def due_end(due: str | None) -> str | None:
    """The last day of a deadline (ISO), or None for ongoing or no deadline."""
    if due is None or (len(due) == 10 and due[7] == "-"):  # none, or a day: without work
        return due
    end = _ENDS.get(due)
    if end is None and due not in _ENDS:
        end = None if due == ONGOING else bounds(due)[1]
        _ENDS[due] = end
    return end


def due_sort_key(due: str | None) -> tuple[int, str]:
    """Order by deadline: by the last day, ongoing after every dated one, none last."""
    if due is None:
        return (2, "")
    end = due_end(due)
    return (1, "") if end is None else (0, end)


# --- periods: their text ------------------------------------------------------------------


def period_text(canonical: str | None, lang: str = "en") -> str:
    """A deadline as a person reads it: ``Q4 2023`` / «IV квартал 2023 г.»."""
    if canonical is None:
        return ""
    if canonical == ONGOING:
        return "постоянно" if lang == "ru" else "ongoing"
    if ".." in canonical:
        first, _sep, last = canonical.partition("..")
        if len(first) == len(last) == 4:
            return f"{first}–{last} гг." if lang == "ru" else f"{first}–{last}"
        a, b = _bare(first, lang), _bare(last, lang)
        if lang == "ru":
            if first[:4] == last[:4] and first[4:6] == last[4:6] == "-Q":
                numbers = f"{ROMAN_OF[int(first[6])]}–{ROMAN_OF[int(last[6])]}"
                return f"{numbers} кварталы {first[:4]} г."
            suffix = "" if len(first) == 10 else " г."
            return f"{a}{suffix} – {b}{'' if len(last) == 10 else ' г.'}"
        return f"{a} – {b}"
    if lang == "ru":
        if len(canonical) == 10:
            return f"до {dotted(canonical)}"
        if len(canonical) == 4:
            return f"в течение {canonical} г."
        return _bare(canonical, lang) + " г."
    return _bare(canonical, lang)


def period_label(canonical: str, lang: str = "en") -> str:
    """A month, quarter or year as a row of a trend names it: ``Q1 2024`` / «I квартал
    2024 г.», ``Mar 2024`` / «март 2024 г.», ``2024`` / «2024 г.»."""
    if len(canonical) == 4:
        return f"{canonical} г." if lang == "ru" else canonical
    return _bare(canonical, lang) + (" г." if lang == "ru" else "")


def calendar_periods(first: str, last: str, by: str) -> list[str]:
    """The months, quarters or years (canonical) from the one holding day *first* to the
    one holding day *last*, in order."""
    year, month = int(first[:4]), int(first[5:7])
    end_year, end_month = int(last[:4]), int(last[5:7])
    found: list[str] = []
    if by == "year":
        return [str(y) for y in range(year, end_year + 1)]
    step = 3 if by == "quarter" else 1
    month -= (month - 1) % step
    while (year, month) <= (end_year, end_month):
        found.append(f"{year}-Q{(month - 1) // 3 + 1}" if by == "quarter"
                     else f"{year}-{month:02d}")
        month += step
        if month > 12:
            year, month = year + 1, month - 12
    return found


def _bare(canonical: str, lang: str) -> str:
    """A period's words without the Russian «г.» (spans join two of them)."""
    year = canonical[:4]
    if len(canonical) == 10:
        return dotted(canonical) if lang == "ru" else canonical
    if len(canonical) == 4:
        return f"{year} г." if lang == "ru" else year
    kind, number = canonical[5], canonical[6:]
    if lang == "ru":
        if kind == "Q":
            return f"{ROMAN_OF[int(number)]} квартал {year}"
        if kind == "H":
            return f"{ROMAN_OF[int(number)]} полугодие {year}"
        return f"{MONTHS_RU[int(canonical[5:7]) - 1]} {year}"
    if kind in "QH":
        return f"{kind}{number} {year}"
    return f"{MONTHS_EN[int(canonical[5:7]) - 1]} {year}"


