"""The words and numbers every format shares: rates, the rule, cells, safe text.

One place for each wording, so the table, the Markdown, the HTML page and the workbook
say the same thing the same way.
"""

from __future__ import annotations

import re
from typing import Any

from tracker.domain import Rules


def cell(value: Any) -> str:
    """One value as table text: lists joined with '; ', nothing as ''."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def number(value: float | int) -> str:
    """A sum as the rule line shows it: 34, 0.5."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def percent(rate: float | None) -> str:
    """A rate as text: one decimal, or n/a when nothing was counted.

    Rounding never claims what is not so: a rate below 1 never shows as 100.0% (1999 of
    2000 is 99.9%), nor a rate above 0 as 0.0%.
    """
    if rate is None:
        return "n/a"
    shown = round(rate * 100, 1)
    if shown >= 100 and rate < 1:
        shown = 99.9
    elif shown <= 0 and rate > 0:
        shown = 0.1
    return f"{shown:.1f}%"


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
    counted = "withdrawn items not counted" if rules.exclude_withdrawn else (
        "every item counted, withdrawn included"
    )
    return f"fulfilled 1, partial {rules.partial_credit:g}, others 0; {counted}"


def rule_line(rate: float | None, credit: float | int, counted_weight: float | int,
              rules: Rules) -> str:
    """Numerator, denominator and the rule in force, so a reader can check the rate."""
    result = percent(rate) if rate is not None else "n/a (nothing counted)"
    return (f"rate = credit / counted weight = {number(credit)} / {number(counted_weight)} "
            f"= {result}; credit per unit of weight: {rule_terms(rules)}")


def rule_formula(rules: Rules) -> str:
    """The rule in force as a formula (the head of the HTML page)."""
    return ("rate = Σ weight × credit / Σ weight over the counted items; credit: "
            + rule_terms(rules))


def weights_note(weights: tuple[float | int, float | int]) -> str | None:
    """``weights 1–3`` when the counted items' weights differ (the rate is then weighted,
    so it is not fulfilled ÷ counted), else None."""
    low, high = weights
    return None if low == high else f"weights {number(low)}–{number(high)}"


def rate_words(fulfilled: int, counted: int, rate: float | None,
               weights: tuple[float | int, float | int]) -> str:
    """"fulfilled 32 of 34  94.1%", or, when weights differ, what the weighted rate is."""
    note = weights_note(weights)
    if note:
        return (f"fulfilled {fulfilled} of {counted} measures; weighted rate {percent(rate)} "
                f"({note})")
    return f"fulfilled {fulfilled} of {counted}  {percent(rate)}"


# --- the journal ------------------------------------------------------------------------

HISTORY_COLUMNS = ["step", "at", "actor", "effective", "action", "changes", "reason", "note"]
LOG_COLUMNS = ["step", "at", "actor", "effective", "id", "action", "changes", "reason", "note"]


def change_text(changes: dict[str, list[Any]]) -> str:
    """An event's changes in one line: ``status: in-progress → fulfilled; …``."""
    return "; ".join(f"{k}: {cell(old) or '–'} → {cell(new) or '–'}"
                     for k, (old, new) in changes.items())


def history_rows(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Events with their changes as one line of text each."""
    return [{**e, "changes": change_text(e["changes"])} for e in events]
