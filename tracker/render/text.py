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

from tracker.i18n import _, day, ngettext, percent
from tracker.render import Renderer
from tracker.render.common import (
    DISCIPLINE_COLUMNS,
    HISTORY_COLUMNS,
    LOG_COLUMNS,
    TREND_COLUMNS,
    by_heading,
    cell,
    change_groups,
    change_sections,
    changes_heading,
    discipline_cells,
    discipline_headers,
    discipline_heading,
    discipline_note,
    discipline_rule,
    discipline_title,
    due_soon_heading,
    field_label,
    group_label,
    history_rows,
    listed,
    not_yet_note,
    plan_headers,
    points_text,
    rate_move,
    rate_words,
    rule_line,
    shown_value,
    summary_sentence,
    trend_headers,
    trend_note,
    trend_rule,
    trend_title,
    visible,
    weights_note,
    withdrawn_note,
)

if TYPE_CHECKING:
    from tracker.domain import Item
    from tracker.progress import Changes, Trend
    from tracker.reports import Discipline, Group, PlanReport, Report

TABLE_STYLES = {"table": "simple", "plain": "plain", "grid": "grid", "markdown": "pipe"}
BAR_WIDTH = 16
EIGHTHS = " ▏▎▍▌▋▊▉"
_UNSAFE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")  # control characters and tabs

MOVE_COLUMNS = ["effective", "from", "to", "reason", "basis", "actor"]
ITEM_COLUMNS = ["id", "status", "title", "responsible", "co", "area", "due_shown", "reason"]
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


WRAPPED = ("title", "reason", "changes", "note", "value", "owners", "area")
MIN_WRAP = 12
MIN_NAME = 8  # a name in a table of counts breaks onto lines no narrower than this
MIN_TITLE = 24  # the overview keeps its bars while titles get at least this much room


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
    if not width or fmt == "markdown" or not body:
        return _render(body, names, fmt, None)
    wrapped = [i for i, col in enumerate(columns) if col in WRAPPED]
    widths = _natural_widths(body, names, fmt)
    if _table_width(widths, fmt) <= width:
        return _render(body, names, fmt, None)
    # One pass: the largest line length for the free-text columns that fits, from the
    # columns' widths alone (a wrapped line is never longer than its limit).
    pad = 0 if fmt == "markdown" else 2
    limit = _wrap_limit(widths, wrapped, width, fmt, [len(h) + pad for h in names])
    if limit is None:
        return expanded(body, names, width)
    text = _render(body, names, fmt, [limit if i in wrapped else None
                                      for i in range(len(columns))])
    if _widest(text) > width:
        return expanded(body, names, width)
    return text


def _natural_widths(body: list[list[str]], headers: list[str], fmt: str) -> list[int]:
    """Each column's width unwrapped: its longest line, or its header's (with the two
    spaces of padding tabulate's simple style gives a header)."""
    pad = 2  # tabulate's least padding of a header, in every style drawn here
    widths = [len(h) + pad for h in headers]
    for n, values in enumerate(zip(*body, strict=True) if body else ()):
        if "\n" in "".join(values):
            longest = max(len(line) for value in values for line in value.split("\n"))
        else:  # the common case, counted at C speed
            longest = max(map(len, values), default=0)
        widths[n] = max(widths[n], longest)
    return widths


def _table_width(widths: list[int], fmt: str) -> int:
    """How wide a table of columns this wide is drawn: two spaces between columns, or a
    grid's borders and padding."""
    if fmt == "grid":
        return sum(widths) + 3 * len(widths) + 1
    return sum(widths) + 2 * (len(widths) - 1)


def _wrap_limit(widths: list[int], wrapped: list[int], width: int, fmt: str,
                floors: list[int]) -> int | None:
    """The longest line the free-text columns may keep so that the table fits *width*;
    None when even MIN_WRAP does not fit (or nothing can wrap). A wrapped column is never
    narrower than its header (*floors*)."""
    if not wrapped:
        return None

    def drawn(limit: int) -> int:
        return _table_width([max(min(w, limit), floors[n]) if n in wrapped else w
                             for n, w in enumerate(widths)], fmt)

    low, high = MIN_WRAP, max(widths[n] for n in wrapped)
    if drawn(low) > width:
        return None
    while low < high:  # the largest limit that fits
        middle = (low + high + 1) // 2
        if drawn(middle) <= width:
            low = middle
        else:
            high = middle - 1
    return low


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
    if fmt == "markdown":
        return pipe(body, headers)
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


def pipe(body: list[list[str]], headers: list[str]) -> str:
    """A Markdown pipe table, as tabulate's ``pipe`` style draws one of text cells (held
    to it byte for byte by a property test), without its per-cell type guessing, which
    cost seconds at 50,000 items. The cells hold no line breaks (``<br>`` stands in)."""
    body = [[value.strip() for value in line] for line in body]
    widths = [len(h) + 2 for h in headers]
    for column, values in enumerate(zip(*body, strict=True) if body else ()):
        widths[column] = max(widths[column], max(map(len, values)))
    pattern = "| " + " | ".join(f"{{:<{w}}}" for w in widths) + " |"
    rule = "|".join((":" + "-" * (w + 1)) if body else "-" * (w + 2) for w in widths)
    out = [pattern.format(*headers), f"|{rule}|"]
    out.extend(pattern.format(*line) for line in body)
    return "\n".join(out) + "\n"


def _aligned_multiline(body: list[list[str]], headers: list[str], rule: bool) -> str:
    cells = [[value.split("\n") for value in line] for line in body]
    widths = [len(h) + 2 for h in headers]
    for column in range(len(headers)):
        widths[column] = max(widths[column], max(
            (len(part) for line in cells for part in line[column]), default=0))
    pattern = "  ".join(f"{{:<{w}}}" for w in widths)
    out = [pattern.format(*headers).rstrip()]
    if rule:
        out.append("  ".join("-" * w for w in widths))
    for line, values in zip(cells, body, strict=True):
        height = max(map(len, line), default=1)
        if height == 1:  # most rows: one line, as it is
            out.append(pattern.format(*values).rstrip())
            continue
        for n in range(height):
            out.append(pattern.format(*[parts[n] if n < len(parts) else ""
                                        for parts in line]).rstrip())
    return "\n".join(out) + "\n"


_OTHER_SPACE = re.compile(r"[^\S ]")  # white space other than a plain space


def _wrap_cell(value: str, limit: int | None) -> str:
    if limit is None or len(value) <= limit:
        return value
    if "  " in value or "\t" in value or "\n" in value or value[0] == " " \
            or not value.isascii() and _OTHER_SPACE.search(value):  # rare: textwrap's rules
        import textwrap

        return "\n".join(textwrap.wrap(value, limit, break_on_hyphens=False)) or value
    return "\n".join(greedy_lines(value, limit))


def greedy_lines(text: str, limit: int) -> list[str]:
    """*text* broken into lines of at most *limit* characters at spaces, a longer word cut
    (what textwrap does for text of single spaces, at a fraction of its cost)."""
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        if not word:
            continue
        while len(word) > limit:
            if line:
                room = limit - len(line) - 1
                if room > 0:
                    lines.append(f"{line} {word[:room]}")
                    word = word[room:]
                else:
                    lines.append(line)
                line = ""
                continue
            lines.append(word[:limit])
            word = word[limit:]
        if not word:
            continue
        if not line:
            line = word
        elif len(line) + 1 + len(word) <= limit:
            line = f"{line} {word}"
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


def expanded(body: list[list[str]], headers: list[str], width: int) -> str:
    """One record per block, a field per line (psql's expanded display), for narrow screens."""
    key_width = max(len(h) for h in headers)
    value_width = max(MIN_WRAP, width - key_width - 2)
    rule = min(width, key_width + 2 + value_width)
    keys = [f"{h.ljust(key_width)}  " for h in headers]
    bare = [key.rstrip() for key in keys]
    indent = " " * (key_width + 2)
    out: list[str] = []
    append = out.append
    for number, line in enumerate(body, 1):
        append(f"-[ {number} ]".ljust(rule, "-"))
        for key, empty, value in zip(keys, bare, line, strict=True):
            if not value:
                append(empty)
            elif len(value) <= value_width and "\n" not in value and not value[-1].isspace():
                append(key + value)  # the common case: one line as it is
            else:
                lines = _wrap_cell(value, value_width).split("\n")
                append(f"{key}{lines[0]}".rstrip())
                out.extend(indent + more for more in lines[1:])
    return "\n".join(out) + "\n"


def _widest(text: str) -> int:
    return max((len(line) for line in text.splitlines()), default=0)


VOWELS = frozenset("аеёиоуыэюяaeiouy")
NOT_FIRST = frozenset("ьъй")  # a syllable's end, never the start of a line


def name_lines(name: str, room: int) -> list[str]:
    """A name on lines of at most *room*: broken at spaces, and a word longer than the
    room hyphenated where Russian and English allow it (after a vowel or between two
    consonants, two letters at least on either side), else cut."""
    lines: list[str] = []
    line = ""
    for word in name.split():
        left = room - len(line) - 1 if line else room  # what the line has left for it
        if len(word) > left and len(word) > room:  # the first piece ends this line
            pieces = _hyphenated(word, room, max(left, 0))
            if not pieces[0]:  # no break fits the rest of the line: a line of its own
                lines.append(line)
                line, pieces = "", pieces[1:]
            lines.append(f"{line} {pieces[0]}" if line else pieces[0])
            lines.extend(pieces[1:-1])
            line = pieces[-1]
        elif line and len(line) + 1 + len(word) <= room:
            line += " " + word
        else:
            if line:
                lines.append(line)
            line = word
    return [*lines, line] if line or not lines else lines


def _hyphenated(word: str, room: int, first: int) -> list[str]:
    """*word* in pieces of at most *room* (the first of at most *first*; "" when it
    cannot begin there)."""
    pieces = []
    while len(word) > room or first < room:
        if first < room:  # the rest of a line: a proper break or none
            first, width = room, first
            cut = _cut(word, width)
            pieces.append("" if cut is None else word[:cut] + "-")
            word = word if cut is None else word[cut:]
            continue
        cut = _cut(word, room)
        if cut is None:
            pieces.append(word[:room])
            word = word[room:]
        else:
            pieces.append(word[:cut] + "-")
            word = word[cut:]
    return [*pieces, word]


def _cut(word: str, width: int) -> int | None:
    """Where *word* may be hyphenated to leave at most *width* with the hyphen."""
    lower = word.casefold()
    return next((at for at in range(min(width - 1, len(word) - 2), 1, -1)
                 if lower[at - 1].isalpha() and lower[at].isalpha()
                 and lower[at] not in NOT_FIRST
                 and (lower[at - 1] in VOWELS
                      or lower[at - 1] not in VOWELS and lower[at] not in VOWELS)
                 and any(c in VOWELS for c in lower[:at])
                 and any(c in VOWELS for c in lower[at:])), None)


def wrap_text(text: str, width: int | None, indent: str = "") -> str:
    """A paragraph wrapped to *width* (unchanged without one)."""
    if not width or len(text) <= width:
        return text
    import textwrap

    return textwrap.fill(text, width, subsequent_indent=indent, break_on_hyphens=False)




# --- the trend's charts ---------------------------------------------------------------

SHADES = {"fulfilled": ("█", "+"), "partial": ("▓", "~"), "not_fulfilled": ("▒", "x"),
          "withdrawn": ("░", "-")}
SPARKS = ("▁▂▃▄▅▆▇█", "_.-=+*#@")


def counts_table(body: list[list[str]], headers: list[str], rule: bool = True,
                 left: frozenset[int] = frozenset({0})) -> str:
    """A table of counts: the columns *left* to the left, the numbers to the right, two
    spaces apart; a header may hold line breaks (its lines stand bottom-aligned)."""
    split = [h.split("\n") for h in headers]
    height = max(len(lines) for lines in split)
    split = [[""] * (height - len(lines)) + lines for lines in split]
    widths = [max([*(len(line) for line in lines), *(len(row[n]) for row in body)])
              for n, lines in enumerate(split)]

    def line(cells: list[str]) -> str:
        return "  ".join(cell.ljust(w) if n in left else cell.rjust(w)
                         for n, (cell, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    out = [line([lines[k] for lines in split]) for k in range(height)]
    if rule:
        out.append("  ".join("-" * w for w in widths))
    out.extend(line(row) for row in body)
    return "\n".join(out) + "\n"


def trend_chart(rows: Sequence[Mapping[str, Any]], width: int | None,
                unicode: bool = True) -> tuple[str, str]:
    """A bar per period of the items that reached fulfilled, partial, not fulfilled and
    withdrawn in it, each in its own shade, scaled to the widest; the rate at its end
    after it; and its legend. Plain characters where block characters cannot be shown."""
    from tracker.i18n import current
    from tracker.periods import period_label

    labels = [period_label(r["period"], current()) for r in rows]
    label_width = max((len(label) for label in labels), default=0)
    sums = [sum(r[k] for k in SHADES) for r in rows]
    counts = [str(n) for n in sums]
    rates = [percent(r["rate"]) for r in rows]
    tail = max((len(c) for c in counts), default=1) + max((len(r) for r in rates), default=1) + 4
    room = max(10, min(50, (width or 80) - label_width - tail - 2))
    top = max(sums, default=0)
    pick = 0 if unicode else 1
    lines = []
    for label, row, total, count, rate in zip(labels, rows, sums, counts, rates, strict=True):
        cells = _stacked(row, total, top, room)
        drawn = "".join(SHADES[key][pick] * n for key, n in cells)
        lines.append(f"{label.ljust(label_width)}  {drawn.ljust(room)}  "
                     f"{count.rjust(len(max(counts, key=len)))}  {rate}".rstrip())
    legend = "   ".join(f"{SHADES[key][pick]} {name}" for key, name in (
        ("fulfilled", _("fulfilled")), ("partial", _("partly fulfilled")),
        ("not_fulfilled", _("not fulfilled")), ("withdrawn", _("withdrawn"))))
    return "\n".join(lines), (_("reached in the period: {legend}; then how many, and the "
                                  "rate at its end").format(legend=legend))


def _stacked(row: Mapping[str, Any], total: int, top: int, room: int) -> list[tuple[str, int]]:
    """Cells per shade for one bar: its length is *total* of *top* over *room* cells (at
    least one cell for anything reached), shared out by largest remainder."""
    if not total or not top:
        return []
    length = max(1, round(total / top * room))
    shares = [(key, row[key] * length / total) for key in SHADES if row[key]]
    cells: list[list[Any]] = [[key, int(share)] for key, share in shares]
    left = length - sum(n for _key, n in cells)
    order = sorted(range(len(shares)), key=lambda i: shares[i][1] - int(shares[i][1]),
                   reverse=True)
    for i in order[:left]:
        cells[i][1] += 1
    for cell_ in cells:  # every status reached shows …
        if cell_[1] == 0:
            cell_[1] = 1
    while sum(n for _key, n in cells) > max(length, len(cells)):  # … within the bar
        max(cells, key=lambda c: c[1])[1] -= 1
    return [(key, n) for key, n in cells]


def sparkline(rates: list[float | None], unicode: bool = True) -> str:
    """The rate at each period's end as one character from low to high (0 to 100 %)."""
    ramp = SPARKS[0 if unicode else 1]
    return "".join(" " if r is None else ramp[min(len(ramp) - 1, int(r * len(ramp)))]
                   for r in rates)


def trend_lines(trend: Trend, width: int | None, unicode: bool = True) -> str:
    """A line per plan: its id, the sparkline of its rate period by period, the rate at
    the first and the last period's end."""
    idw = max(len(p.plan) for p in trend.plans)
    lines = []
    for p in trend.plans:
        rates = [r["rate"] for r in p.rows]
        first = percent(next((r for r in rates if r is not None), None))
        arrow = "→" if unicode else "->"
        lines.append(f"{p.plan.ljust(idw)}  {sparkline(rates, unicode)}  {first} {arrow} "
                     f"{percent(rates[-1] if rates else None)}")
    return "\n".join(lines)


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
        return self.rows([listed(i) for i in items], ITEM_COLUMNS)

    def plans(self, rows: list[dict[str, Any]]) -> str:
        return self.rows(rows, PLAN_COLUMNS, plan_headers(PLAN_COLUMNS))

    def record(self, record: dict[str, Any], history: list[dict[str, Any]] | None = None,
               kind: str = "item") -> str:
        """One record as field/value rows (``show``, ``plan show``, ``info``), then its
        history when it has one."""
        label = (lambda k: field_label("plan_title" if k == "title" else k)) \
            if kind == "plan" else field_label
        moves = record.get("moves") if kind == "item" else None
        files = record.get("attachments") if kind == "item" else None
        fields = [{"field": label(k), "value": shown_value(k, v)} for k, v in record.items()
                  if not (k in ("moves", "attachments") and kind == "item")]
        text = self.table(fields, ["field", "value"],
                          [field_label("field"), field_label("value")], wrap=history is not None)
        if moves:
            text += (self.subheading(_("deadline moves"))
                     + self.rows(moves, MOVE_COLUMNS))
        if files:
            text += (self.subheading(_("files"))
                     + self.rows(files, ["name", "size", "attached", "actor", "note"]))
        if history is None:
            return text
        return (text + self.subheading(_("history"))
                + self.rows(history_rows(history), HISTORY_COLUMNS))

    def events(self, events: list[dict[str, Any]]) -> str:
        return self.rows(history_rows(events), LOG_COLUMNS)

    def export(self, items: Iterable[Item], report: Report | None = None) -> str:
        from tracker.tabular import COLUMNS

        rows = [{c: shown_value(c, i[c]) for c in COLUMNS} for i in items]
        return table(rows, COLUMNS, self.fmt, [field_label(c) for c in COLUMNS])

    def report(self, report: Report) -> str:
        """The report as a person reads it in a terminal: one plan's sections, or, for
        several plans, the overview first (and with --full each plan's sections after)."""
        out: list[str] = []
        several = len(report.plans) != 1
        if several:
            self._overview(out, report)
        if not several or report.full:
            for entry in report.plans:
                self._plan_section(out, entry, report)
        return visible("\n".join(out).rstrip("\n") + "\n")

    def preformatted(self, text: str) -> str:
        """Lines drawn to be read as they are (a chart)."""
        return text

    def _listing(self, out: list[str], heading: str, rows: list[Any], columns: list[str],
                 wrap: bool = True) -> None:
        """A heading and its table, or "none"."""
        out.append(self.heading(heading))
        out.append(self.rows(rows, columns, wrap=wrap).rstrip("\n") if rows else _("none"))
        out.append("")

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
        if entry.changes is not None:
            self._changes(out, entry.changes, report)
        counts = [{"status": s, "items": n} for s, n in entry.by_status.items() if n]
        self._listing(out, _("by status"), counts, ["status", "items"], wrap=False)
        self._listing(out, _("closed but not fulfilled ({count})")
                      .format(count=len(entry.unfulfilled)),
                      entry.unfulfilled, ["id", "status", "title", "reason"])
        self._listing(out, _("overdue open items, due before {day} ({count})")
                      .format(day=day(report.as_of), count=len(entry.overdue)),
                      entry.overdue, ["id", "status", "due", "owners", "title"])
        self._listing(out, due_soon_heading(len(entry.due_soon), report.due_within,
                                            report.as_of),
                      entry.due_soon, ["id", "status", "due", "owners", "title"])
        if entry.awaiting:
            self._listing(out, _("reported, awaiting acceptance ({count})")
                          .format(count=len(entry.awaiting)),
                          entry.awaiting, ["id", "executor", "status", "reported", "title"])
        if entry.attachments:
            self._listing(out, _("evidence files ({count})").format(
                count=len(entry.attachments)), entry.attachments,
                ["id", "name", "size", "attached", "title"])
        if entry.discipline is not None:
            self._discipline_section(out, entry.discipline, 3)
        if report.by:
            out.append(self.heading(by_heading(report.by)))
            if report.by == "owner":
                out.append(self.para(_("(an item with several owners counts in each owner's "
                                       "group)")))
            out.append(self.groups(entry.groups, report.by).rstrip("\n"))
            out.append("")

    def _changes(self, out: list[str], changes: Changes, report: Report) -> None:
        out.append(self.heading(changes_heading(changes, report.as_of)))
        out.append(self.para(rate_move(changes, report.as_of)))
        if changes.empty():
            out.append(self.para(_("no item changed")))
        for heading, rows, columns in change_sections(changes):
            out.append("")
            out.append(self.para(heading))
            out.append(self.rows(rows, columns).rstrip("\n"))
        if changes.groups is not None and report.by:
            out.append("")
            out.append(self.para(by_heading(report.by)))
            out.append(self.rows(change_groups(changes, report.by),
                                 ["key", "rate_then", "rate_now", "change"],
                                 [field_label(report.by), field_label("rate_then"),
                                  field_label("rate_now"), field_label("change")]).rstrip("\n"))
        out.append("")

    def _overview(self, out: list[str], report: Report) -> None:
        """A row per plan and the total, each on one line (titles cut to the screen), so
        that fifty plans fit on a screen."""
        total = report.total
        out.append(self.heading(
            ngettext("{count} plan as of {day}", "{count} plans as of {day}",
                     len(report.plans)).format(count=len(report.plans), day=day(report.as_of)),
            2))
        weights = weights_note(report.weights)
        if weights:
            out.append(self.para(_("(rates are weighted: {weights})").format(weights=weights)))
        since = next((e.changes.since for e in report.plans if e.changes is not None), None)
        if since is not None:
            out.append(self.para(_("(change: the rate's move in points since {day})")
                                 .format(day=day(since))))
        summary: list[dict[str, Any]] = []
        for e in report.plans:
            row = {"plan": e.plan, "title": e.title, "total": e.tally.total,
                   "counted": e.tally.counted, "fulfilled": e.tally.fulfilled,
                   "rate": e.rate, "bar": bar(e.rate, unicode=self.unicode)}
            if e.changes is not None:
                row["change"] = points_text(e.changes.then.rate, e.changes.now.rate)
            summary.append(row)
        summary.append({"plan": _("total"), "title": "", "total": total.total,
                        "counted": total.counted, "fulfilled": total.fulfilled,
                        "rate": total.rate, "bar": bar(total.rate, unicode=self.unicode)})
        columns = ["plan", "title", "total", "counted", "fulfilled", "rate", "bar"]
        if since is not None:
            columns.append("change")
        shown = [{c: shown_value(c, row.get(c)) if c != "bar" else row["bar"]
                  for c in columns} for row in summary]
        out.append(self.overview_table(shown, columns).rstrip("\n"))
        out.append(self.para(rule_line(total.rate, total.credit, total.counted_weight,
                                       report.rules)))
        out.append("")

    def overview_table(self, rows: list[dict[str, str]], columns: list[str]) -> str:
        """The overview's table, a line per plan: numbers to the right; on a narrow
        screen the bar gives way first (the rate says the same), then titles are cut,
        never wrapped."""
        if self.fmt not in ("table", "plain"):
            return self.table(rows, columns, plan_headers(columns), wrap=False)

        def drawn(chosen: list[str]) -> str:
            return counts_table([[row[c] for c in chosen] for row in rows],
                                plan_headers(chosen), self.fmt == "table",
                                frozenset(n for n, c in enumerate(chosen)
                                          if c in ("plan", "title", "bar")))

        if self.width:
            others = [c for c in columns if c != "title"]
            if self.width - _widest(drawn(others)) - 2 < MIN_TITLE:
                columns = [c for c in columns if c != "bar"]
                others.remove("bar")
            room = max(MIN_WRAP, self.width - _widest(drawn(others)) - 2)
            for row in rows:
                if len(row["title"]) > room:
                    row["title"] = row["title"][:room - 1].rstrip() + "…"
        return drawn(columns)

    def trend(self, trend: Trend) -> str:
        """The trend: its table, a chart of what was reached in each period (as
        Taskwarrior's ``ghistory`` draws it), and for several plans a line per plan."""
        out: list[str] = []
        several = len(trend.plans) > 1
        name = _("all plans") if several else f"{trend.plans[0].plan}: {trend.plans[0].title}"
        out.append(self.heading(name, 2))
        out.append(self.para(trend_title(trend)))
        out.append(self.para(trend_rule(trend)))
        out.append("")
        out.append(self.trend_table(trend.total).rstrip("\n"))
        out.append(self.para(trend_note()))
        out.append("")
        chart, legend = trend_chart(trend.total, self.width, self.unicode)
        out.append(self.preformatted(chart))
        out.append("")
        out.append(self.para(legend))
        if several:
            out.append("")
            out.append(self.heading(_("by plan")))
            out.append(self.preformatted(trend_lines(trend, self.width, self.unicode)))
        return visible("\n".join(out).rstrip("\n") + "\n")

    def trend_table(self, rows: Sequence[Mapping[str, Any]]) -> str:
        """The trend's rows: numbers to the right; on a narrow screen the headers break
        onto two lines, then the count columns that hold only zeros are left out."""
        if self.fmt not in ("table", "plain"):
            return self.rows(rows, TREND_COLUMNS, trend_headers(), wrap=False)
        rule = self.fmt == "table"
        body = [[shown_value(c, r.get(c)) for c in TREND_COLUMNS] for r in rows]
        headers = trend_headers()
        text = counts_table(body, headers, rule)
        if not self.width or _widest(text) <= self.width:
            return text
        import textwrap

        headers = ["\n".join(textwrap.wrap(h, max(*map(len, h.split()),
                                                   *(len(row[n]) for row in body))))
                   for n, h in enumerate(headers)]
        text = counts_table(body, headers, rule)
        if _widest(text) <= self.width:
            return text
        kept = [n for n, c in enumerate(TREND_COLUMNS)
                if c not in ("partial", "not_fulfilled", "withdrawn") or any(r[c] for r in rows)]
        if len(kept) == len(TREND_COLUMNS):
            return text
        left_out = [trend_headers()[n] for n in range(len(TREND_COLUMNS)) if n not in kept]
        return (counts_table([[row[n] for n in kept] for row in body],
                             [headers[n] for n in kept], rule)
                + self.para(_("(left out, being 0 in every period: {columns})")
                            .format(columns=", ".join(left_out))) + "\n")

    def discipline(self, d: Discipline) -> str:
        """The executive-discipline report: a row per executor, the total, the formula."""
        out: list[str] = []
        self._discipline_section(out, d, 2)
        return visible("\n".join(out).rstrip("\n") + "\n")

    def _discipline_section(self, out: list[str], d: Discipline, level: int) -> None:
        name = (f"{d.plans[0][0]}: {d.plans[0][1]}" if len(d.plans) == 1
                else _("all plans") if d.plans else "")
        out.append(self.heading(f"{discipline_heading()}: {name}" if name
                                else discipline_heading(), level))
        out.append(self.para(discipline_title(d)))
        out.append("")
        out.append(self.discipline_table(d).rstrip("\n"))
        out.append("")
        out.append(self.para(discipline_rule(d)))
        out.append(self.para(discipline_note(d)))
        out.append("")

    def discipline_table(self, d: Discipline) -> str:
        """Executors to the left, numbers to the right; on a narrow screen the headers
        break onto lines of their own, then long names are cut."""
        body = [discipline_cells(row, d.by) for row in d.rows]
        body.append(discipline_cells(d.total, d.by, total=True))
        headers = discipline_headers(d.by)
        if self.fmt not in ("table", "plain"):
            rows = [dict(zip(DISCIPLINE_COLUMNS, cells, strict=True)) for cells in body]
            return self.table(rows, DISCIPLINE_COLUMNS, headers, wrap=False)
        rule = self.fmt == "table"
        text = counts_table(body, headers, rule)
        if not self.width or _widest(text) <= self.width:
            return text
        import textwrap

        headers = ["\n".join(textwrap.wrap(h, max(*map(len, h.split()),
                                                   *(len(row[n]) for row in body))))
                   for n, h in enumerate(headers)]
        text = counts_table(body, headers, rule)
        if _widest(text) <= self.width:
            return text
        # The names give way last: each breaks onto lines of its own, its counts on
        # the first (a word longer than the room is broken, as a terminal would).
        numbers = _widest(counts_table([row[1:] for row in body], headers[1:], rule,
                                       frozenset()))
        room = max(MIN_NAME, self.width - numbers - 2)
        headers[0] = "\n".join(textwrap.wrap(headers[0].replace("\n", " "), room))
        room = max(room, *(len(line) for line in headers[0].split("\n")))
        lines: list[list[str]] = []
        for row in body:
            name = name_lines(row[0], room)
            lines.append([name[0], *row[1:]])
            lines.extend([more, *[""] * (len(row) - 1)] for more in name[1:])
        return counts_table(lines, headers, rule)

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
