"""Text output: aligned tables (``table``, ``plain``, ``grid``) and the report as text.

Every method returns a string; nothing here prints. The ``table`` and ``plain`` styles are
drawn by ``aligned`` (held to tabulate's output byte for byte by a property test), because
importing tabulate costs ~40 ms of start-up; ``grid`` (and Markdown's pipe tables) still
use tabulate. Text that came in from files is shown with its control characters escaped.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from tracker.i18n import _, day
from tracker.render import Renderer
from tracker.render.common import (
    HISTORY_COLUMNS,
    LOG_COLUMNS,
    by_heading,
    cell,
    field_label,
    group_label,
    history_rows,
    not_yet_note,
    plan_headers,
    rate_words,
    rule_line,
    shown_value,
    summary_sentence,
    visible,
    weights_note,
    withdrawn_note,
)

if TYPE_CHECKING:
    from tracker.domain import Item
    from tracker.reports import Group, PlanReport, Report

TABLE_STYLES = {"table": "simple", "plain": "plain", "grid": "grid", "markdown": "pipe"}
BAR_WIDTH = 16
EIGHTHS = " ▏▎▍▌▋▊▉"
_UNSAFE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")  # control characters and tabs

ITEM_COLUMNS = ["id", "status", "title", "owners", "area", "due", "reason"]
PLAN_COLUMNS = ["id", "title", "items", "fulfilled", "rate"]


def bar(rate: float | None, width: int = BAR_WIDTH, unicode: bool = True) -> str:
    """A bar of *width* cells; eighth blocks in Unicode, '#' where it cannot be shown."""
    if rate is None:
        return " " * width
    if not unicode:
        filled = round(rate * width)
        return "#" * filled + "." * (width - filled)
    # Round up, so any progress shows, but only a whole rate fills the bar.
    eighths = min(math.ceil(rate * width * 8), width * 8 if rate >= 1 else width * 8 - 1)
    full, part = divmod(eighths, 8)
    text = "█" * full + (EIGHTHS[part] if part else "")
    return text.ljust(width)


def markdown_text(text: str) -> str:
    """Text for Markdown: raw HTML shown as text (``<script>`` never runs in a viewer)."""
    return visible(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _markdown_cell(text: str) -> str:
    return markdown_text(text).replace("\\", "\\\\").replace("|", "\\|").replace(
        "\r\n", "<br>").replace("\n", "<br>")


WRAPPED = ("title", "reason", "changes", "note", "value")
MIN_WRAP = 12


def table(
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    fmt: str = "table",
    headers: Sequence[str] | None = None,
    width: int | None = None,
) -> str:
    """Rows as an aligned text table (table, plain, grid or markdown).

    With *width*, free-text columns (title, reason, …) wrap so that no line is wider,
    as far as the other columns leave room; markdown never wraps (it would break rows).
    """
    body = [[value if type(value := row.get(col)) is str else cell(value) for col in columns]
            for row in rows]
    if _UNSAFE.search("".join("".join(line) for line in body)):  # one C-level pass
        body = [[visible(value).replace("\t", " ") for value in line] for line in body]
    names = list(headers or columns)
    if fmt == "markdown":
        body = [[_markdown_cell(v) for v in line] for line in body]
    text = _render(body, names, fmt, None)
    if not width or fmt == "markdown" or not body or _widest(text) <= width:
        return text
    wrapped = [i for i, col in enumerate(columns) if col in WRAPPED]
    limit = max((len(line[i]) for line in body for i in wrapped), default=0)
    while wrapped and _widest(text) > width and limit > MIN_WRAP:
        excess = _widest(text) - width
        limit = max(MIN_WRAP, limit - max(1, -(-excess // len(wrapped))))
        text = _render(body, names, fmt, [limit if i in wrapped else None
                                          for i in range(len(columns))])
    if _widest(text) > width:
        return expanded(body, names, width)
    return text


def _render(
    body: list[list[str]], headers: list[str], fmt: str, limits: list[int | None] | None
) -> str:
    """The table in *fmt*; the default styles are drawn here, the rest by tabulate.

    tabulate costs ~40 ms of start-up (it imports importlib.metadata), so the everyday
    ``table`` and ``plain`` styles are drawn by ``aligned``, which tests hold to
    tabulate's own output byte for byte; ``grid`` and ``markdown`` still use tabulate.
    """
    if fmt in ("table", "plain"):
        if limits:
            body = [[_wrap_cell(v, n) for v, n in zip(line, limits, strict=True)]
                    for line in body]
        return aligned(body, headers, rule=fmt == "table")
    from tabulate import tabulate

    return tabulate(body, headers=headers, tablefmt=TABLE_STYLES[fmt], disable_numparse=True,
                    maxcolwidths=limits) + "\n"


def aligned(body: list[list[str]], headers: list[str], rule: bool = True) -> str:
    """tabulate's ``simple`` (with *rule*) or ``plain`` style, without importing it."""
    body = [[value.strip() for value in line] for line in body]
    if any("\n" in value for line in body for value in line):
        return _aligned_multiline(body, headers, rule)
    widths = [len(h) + 2 for h in headers]
    for column, values in enumerate(zip(*body, strict=True) if body else ()):
        widths[column] = max(widths[column], max(map(len, values)))
    pattern = "  ".join(f"{{:<{w}}}" for w in widths)
    out = [pattern.format(*headers).rstrip()]
    if rule:
        out.append("  ".join("-" * w for w in widths))
    out.extend(pattern.format(*line).rstrip() for line in body)
    return "\n".join(out) + "\n"


def _aligned_multiline(body: list[list[str]], headers: list[str], rule: bool) -> str:
    cells = [[value.split("\n") for value in line] for line in body]
    widths = [len(h) + 2 for h in headers]
    for line in cells:
        for i, parts in enumerate(line):
            widths[i] = max(widths[i], *(len(p) for p in parts))
    out = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    if rule:
        out.append("  ".join("-" * w for w in widths))
    for line in cells:
        for n in range(max((len(parts) for parts in line), default=1)):
            out.append("  ".join(
                (parts[n] if n < len(parts) else "").ljust(w)
                for parts, w in zip(line, widths, strict=True)
            ).rstrip())
    return "\n".join(out) + "\n"


def _wrap_cell(value: str, limit: int | None) -> str:
    if limit is None or len(value) <= limit:
        return value
    import textwrap

    return "\n".join(textwrap.wrap(value, limit, break_on_hyphens=False)) or value


def expanded(body: list[list[str]], headers: list[str], width: int) -> str:
    """One record per block, a field per line (psql's expanded display), for narrow screens."""
    import textwrap

    key_width = max(len(h) for h in headers)
    value_width = max(MIN_WRAP, width - key_width - 2)
    out = []
    for number, line in enumerate(body, 1):
        out.append(f"-[ {number} ]".ljust(min(width, key_width + 2 + value_width), "-"))
        for header, value in zip(headers, line, strict=True):
            lines = textwrap.wrap(value, value_width, break_on_hyphens=False) or [""]
            out.append(f"{header.ljust(key_width)}  {lines[0]}".rstrip())
            out.extend(" " * (key_width + 2) + more for more in lines[1:])
    return "\n".join(out) + "\n"


def _widest(text: str) -> int:
    return max((len(line) for line in text.splitlines()), default=0)


def wrap_text(text: str, width: int | None, indent: str = "") -> str:
    """A paragraph wrapped to *width* (unchanged without one)."""
    if not width or len(text) <= width:
        return text
    import textwrap

    return textwrap.fill(text, width, subsequent_indent=indent, break_on_hyphens=False)




class TextRenderer(Renderer):
    """``table``, ``plain`` and ``grid``: aligned text for a person at a terminal, in the
    language in force (headers, statuses, dates, numbers)."""

    # --- pieces a Markdown renderer draws its own way --------------------------------------

    def table(self, rows: Sequence[Mapping[str, Any]], columns: Sequence[str],
              headers: Sequence[str] | None = None, wrap: bool = True) -> str:
        return table(rows, columns, self.fmt, headers, self.width if wrap else None)

    def heading(self, text: str, level: int = 3) -> str:
        return wrap_text(text, self.width, "  ")

    def para(self, text: str) -> str:
        return wrap_text(text, self.width, "  ")

    def subheading(self, text: str) -> str:
        """The heading above the history of ``show``."""
        return f"\n{text}\n"

    def rows(self, rows: Sequence[Mapping[str, Any]], columns: Sequence[str],
             headers: Sequence[str] | None = None, wrap: bool = True) -> str:
        """Rows of raw values shown as a person reads them, under translated headers."""
        shown = [{c: shown_value(c, row.get(c)) for c in columns} for row in rows]
        return self.table(shown, columns, headers or [field_label(c) for c in columns], wrap)

    # --- documents -----------------------------------------------------------------------

    def items(self, items: list[Item]) -> str:
        return self.rows([i.to_json() for i in items], ITEM_COLUMNS)

    def plans(self, rows: list[dict[str, Any]]) -> str:
        return self.rows(rows, PLAN_COLUMNS, plan_headers(PLAN_COLUMNS))

    def record(self, record: dict[str, Any], history: list[dict[str, Any]] | None = None,
               kind: str = "item") -> str:
        """One record as field/value rows (``show``, ``plan show``, ``info``), then its
        history when it has one."""
        label = (lambda k: field_label("plan_title" if k == "title" else k)) \
            if kind == "plan" else field_label
        fields = [{"field": label(k), "value": shown_value(k, v)} for k, v in record.items()]
        text = self.table(fields, ["field", "value"],
                          [field_label("field"), field_label("value")], wrap=history is not None)
        if history is None:
            return text
        return (text + self.subheading(_("history"))
                + self.rows(history_rows(history), HISTORY_COLUMNS))

    def events(self, events: list[dict[str, Any]]) -> str:
        return self.rows(history_rows(events), LOG_COLUMNS)

    def export(self, items: Iterable[Item], report: Report | None = None) -> str:
        from tracker.tabular import COLUMNS

        rows = [{**i.to_json(), "owners": i.owners} for i in items]
        return table([{c: shown_value(c, r.get(c)) for c in COLUMNS} for r in rows], COLUMNS,
                     self.fmt, [field_label(c) for c in COLUMNS])

    def report(self, report: Report) -> str:
        """The report of one or several plans, as a person reads it in a terminal."""
        out: list[str] = []
        for entry in report.plans:
            self._plan_section(out, entry, report)
        if len(report.plans) != 1:
            self._summary(out, report)
        return visible("\n".join(out).rstrip("\n") + "\n")

    def _plan_section(self, out: list[str], entry: PlanReport, report: Report) -> None:
        t, rules = entry.tally, report.rules
        out.append(self.heading(f"{entry.plan}: {entry.title}", 2))
        out.append(self.para(summary_sentence(t, entry.by_status, rules, entry.weights)))
        out.append(self.para(_("as of {day}").format(day=day(report.as_of))))
        out.append(self.para(self.rate_line(t.fulfilled, t.counted, t.rate, entry.weights)))
        out.append(self.para(rule_line(t.rate, t.credit, t.counted_weight, rules)))
        if rules.exclude_withdrawn and t.total != t.counted:
            out.append(self.para(withdrawn_note(t.total - t.counted)))
        if entry.not_yet_added:
            out.append(self.para(not_yet_note(entry.not_yet_added, report.as_of)))
        out.append("")
        counts = [{"status": s, "items": n} for s, n in entry.by_status.items() if n]
        out.append(self.heading(_("by status")))
        out.append(self.rows(counts, ["status", "items"], wrap=False).rstrip("\n")
                   if counts else _("none"))
        out.append("")
        unfulfilled = entry.unfulfilled
        out.append(self.heading(_("closed but not fulfilled ({count})")
                                .format(count=len(unfulfilled))))
        out.append(self.rows(unfulfilled, ["id", "status", "title", "reason"]).rstrip("\n")
                   if unfulfilled else _("none"))
        out.append("")
        overdue = entry.overdue
        out.append(self.heading(_("overdue open items, due before {day} ({count})")
                                .format(day=day(report.as_of), count=len(overdue))))
        out.append(self.rows(overdue, ["id", "status", "due", "owners", "title"]).rstrip("\n")
                   if overdue else _("none"))
        if report.by:
            out.append("")
            out.append(self.heading(by_heading(report.by)))
            if report.by == "owner":
                out.append(self.para(_("(an item with several owners counts in each owner's "
                                       "group)")))
            out.append(self.groups(entry.groups, report.by).rstrip("\n"))
        out.append("")

    def _summary(self, out: list[str], report: Report) -> None:
        out.append(self.heading(_("all plans"), 2))
        weights = weights_note(report.weights)
        if weights:
            out.append(self.para(_("(rates are weighted: {weights})").format(weights=weights)))
        summary: list[dict[str, Any]] = [
            {"plan": e.plan, "title": e.title, "total": e.tally.total,
             "counted": e.tally.counted, "fulfilled": e.tally.fulfilled, "rate": e.rate}
            for e in report.plans
        ]
        total = report.total
        summary.append({"plan": _("total"), "title": "", "total": total.total,
                        "counted": total.counted, "fulfilled": total.fulfilled,
                        "rate": total.rate})
        columns = ["plan", "title", "total", "counted", "fulfilled", "rate"]
        out.append(self.rows(summary, columns, plan_headers(columns)).rstrip("\n"))
        out.append(self.para(rule_line(total.rate, total.credit, total.counted_weight,
                                       report.rules)))
        out.append("")

    def rate_line(self, fulfilled: int, counted: int, rate: float | None,
                  weights: tuple[float | int, float | int]) -> str:
        return (rate_words(fulfilled, counted, rate, weights) + "  "
                + bar(rate, unicode=self.unicode)).rstrip()

    def groups(self, groups: list[Group], by: str) -> str:
        shown = [
            {**g, "key": group_label(g["key"], by),
             "bar": bar(g["rate"], unicode=self.unicode)}
            for g in groups
        ]
        columns = ["key", "total", "counted", "fulfilled", "rate", "bar"]
        return self.rows(shown, columns,
                         headers=[field_label(by), *(field_label(c) for c in columns[1:])])


RENDERER = TextRenderer
