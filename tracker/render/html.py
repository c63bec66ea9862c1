"""HTML output: the report as one self-contained page, a pure function of the report.

No JavaScript, no external file, font or stylesheet: the chart is inline SVG with its
numbers written on it (it reads in black and white), and every piece of user text is
escaped. Chart labels wrap onto as many lines as they need, in a label column sized to
the longest line (estimated from the glyphs' widths, generously, so a label never runs
past the chart's edge); nothing is cut short. ``render_html(build_report(...))`` is all
``report --format html`` does, and ``--format pdf`` prints the same page (render.pdf).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from html import escape
from typing import TYPE_CHECKING, Any

from tracker.i18n import _, current, day, ngettext, percent
from tracker.periods import period_label
from tracker.render import Renderer
from tracker.render.common import (
    TREND_COLUMNS,
    annex_heading,
    annex_note,
    annex_rows,
    by_heading,
    capital,
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
    not_yet_note,
    points_text,
    rate_move,
    rule_formula,
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
    from tracker.progress import Changes, PlanTrend, Trend
    from tracker.reports import Discipline, PlanReport, Report

# The chart's geometry in CSS pixels; tests find the SVG by its id and these sizes.
FONT_SIZE = 12
LINE_HEIGHT = 15
LABEL_MIN = 120  # the label column is at least this wide, and at most LABEL_MAX
LABEL_MAX = 260
LABEL_PAD = 8  # between the chart's left edge and the widest label, and label to bar
BAR_WIDTH = 340
VALUE_WIDTH = 150  # at least this much room after a bar for its value text
ROW_MIN = 28
BAR_HEIGHT = 18
CHART_TOP = 6
AXIS_HEIGHT = 24
BAR_FILL = "#1f4e79"
TOTAL_FILL = "#555555"

CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0 auto; padding: 24px; max-width: 880px; color: #111; background: #fff;
  font: 14px/1.45 "DejaVu Sans", "Liberation Sans", Arial, "Helvetica Neue",
  system-ui, sans-serif; }
h1 { font-size: 21px; margin: 0 0 6px; }
h2 { font-size: 17px; margin: 26px 0 6px; border-bottom: 2px solid #1f4e79; }
h3 { font-size: 14.5px; margin: 16px 0 6px; }
h1, h2, h3 { break-after: avoid; page-break-after: avoid; }
.keep { break-inside: avoid; page-break-inside: avoid; }
.id { font-family: "DejaVu Sans Mono", "Liberation Mono", ui-monospace, monospace;
  font-weight: normal; white-space: nowrap; }
.summary-sentence { font-size: 16px; font-weight: bold; margin: 6px 0; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0; }
dl.meta dt { font-weight: bold; }
dl.meta dd { margin: 0; }
.rate { font-size: 15px; margin: 4px 0; }
.rule, .note, .none { color: #444; margin: 4px 0; }
figure { margin: 8px 0; break-inside: avoid; page-break-inside: avoid; }
figcaption { font-size: 12px; color: #444; }
svg.chart { display: block; max-width: 100%; height: auto; }
svg.chart text { font-size: 12px; fill: #111;
  font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; }
svg.chart .axis text { fill: #444; }
table { border-collapse: collapse; width: 100%; margin: 4px 0; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th, td { text-align: left; vertical-align: top; padding: 3px 8px 3px 0;
  border-bottom: 1px solid #ccc; }
th { border-bottom: 1.5px solid #111; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.key { white-space: nowrap; }
td.text { white-space: pre-line; overflow-wrap: anywhere; }
.discipline th, .discipline td.key { white-space: normal; overflow-wrap: break-word; }
.discipline th.num { hyphens: manual; }
tr.total td { font-weight: bold; border-top: 1.5px solid #111; }
footer { margin-top: 32px; font-size: 12px; color: #444; }
@page { size: A4; margin: 15mm 15mm 18mm;
  @bottom-right { content: counter(page) " / " counter(pages); font-size: 9pt;
    color: #444; } }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  td.text { overflow-wrap: break-word; }  /* as a long word needs; "anywhere" costs a
    PDF engine a second per hundred rows */
  section.plan { break-before: auto; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def _tag(tag: str, text: str, css: str = "") -> str:
    """An element holding *text*, escaped."""
    attribute = f' class="{css}"' if css else ""
    return f"<{tag}{attribute}>{_e(text)}</{tag}>"


def _e(value: Any) -> str:
    """Any value as escaped text (lists joined with '; ', nothing as ''); control
    characters shown as escapes, so the page never holds a NUL or an ESC."""
    return escape(visible(cell(value)), quote=True)


LONG_WORD = 24  # characters: a longer run without a space gets places to break
_LONG = re.compile(rf"\S{{{LONG_WORD},}}")


def _free_text(value: Any) -> str:
    """Free text (a title, a reason) escaped, with a ``<wbr>`` every LONG_WORD characters
    of a longer word (a URL, a file name): the print layout breaks it there instead of
    widening the table past the page ("overflow-wrap: anywhere", which would, costs a PDF
    engine a second per hundred rows)."""
    text = visible(cell(value))
    if not _LONG.search(text):
        return escape(text, quote=True)
    out, last = [], 0
    for found in _LONG.finditer(text):
        word = found.group()
        out.append(escape(text[last:found.start()], quote=True))
        out.append("<wbr>".join(escape(word[n:n + LONG_WORD], quote=True)
                                for n in range(0, len(word), LONG_WORD)))
        last = found.end()
    out.append(escape(text[last:], quote=True))
    return "".join(out)


# --- how wide a label is ------------------------------------------------------------------

# Advance widths in em, on the wide side of DejaVu Sans and Liberation Sans (the fonts the
# page asks for first): a label is never wider on the page than estimated here.
_NARROW = set("iljtfr.,:;'|!()[]{} ")
_WIDE = set("mwMWШЩЖЮшщжюЫыМм@%")


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """An upper estimate of *text*'s width in pixels at *size*."""
    width = 0.0
    for char in text:
        if char in _NARROW:
            width += 0.36
        elif char in _WIDE:
            width += 0.98
        elif char.isupper():
            width += 0.78
        elif char.isdigit():
            width += 0.66
        else:
            width += 0.64
    return width * size


def wrap_label(text: str, limit: float) -> list[str]:
    """*text* in lines no wider than *limit* pixels, broken between words (inside a word
    only at a hyphen, or where a word alone is wider than a line)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if text_width(candidate) <= limit:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = ""
        for piece in _pieces(word, limit):
            if current and text_width(current + piece) <= limit:
                current += piece
            else:
                if current:
                    lines.append(current)
                current = piece
    if current:
        lines.append(current)
    return lines or [""]


def _pieces(word: str, limit: float) -> list[str]:
    """A word as pieces that each fit *limit*: at its hyphens, else by characters."""
    parts = [p + "-" for p in word.split("-")[:-1]] + [word.split("-")[-1]]
    pieces = []
    for part in (p for p in parts if p):
        while text_width(part) > limit:
            cut = len(part)
            while cut > 1 and text_width(part[:cut]) > limit:
                cut -= 1
            pieces.append(part[:cut])
            part = part[cut:]
        pieces.append(part)
    return pieces


# --- the chart ----------------------------------------------------------------------------


def _bar_value(row: dict[str, Any]) -> str:
    """The text after a bar: its rate and counts (and the weights when they differ)."""
    rate = row["rate"]
    if rate is None:
        return _("n/a (nothing counted)")
    weights = weights_note(row.get("weights", (1, 1)))
    return ((_("weighted {rate} · {fulfilled} of {counted} ({weights})")
             if weights else _("{rate} · {fulfilled} of {counted}"))
            .format(rate=percent(rate), fulfilled=row["fulfilled"], counted=row["counted"],
                    weights=weights))


def bar_chart(rows: list[dict[str, Any]], chart_id: str, caption: str) -> str:
    """A horizontal bar chart in inline SVG, each bar labelled with its rate and counts.

    Rows: ``label``, ``rate`` (0–1 or None), ``fulfilled``, ``counted``, ``weights``;
    ``summary`` for a total. Labels wrap; rows grow to hold them; the chart is as wide as
    its longest value text needs (bold for a total), so none runs past its right edge.
    """
    wrapped = [wrap_label(str(row["label"]), LABEL_MAX - 2 * LABEL_PAD) for row in rows]
    widest = max((text_width(line) for lines in wrapped for line in lines), default=0)
    label_width = int(min(LABEL_MAX, max(LABEL_MIN, widest + 2 * LABEL_PAD)))
    bar_x = label_width
    values = [_bar_value(row) for row in rows]
    value_width = max([VALUE_WIDTH, *(text_width(v) * (1.1 if row.get("summary") else 1) + 16
                                      for v, row in zip(values, rows, strict=True))])
    width = int(bar_x + BAR_WIDTH + value_width)
    heights = [max(ROW_MIN, LINE_HEIGHT * len(lines) + 10) for lines in wrapped]
    height = CHART_TOP + sum(heights) + AXIS_HEIGHT
    out = [
        f'<figure><svg class="chart" id="{escape(chart_id)}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title" xmlns="http://www.w3.org/2000/svg" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
        f'<title id="{escape(chart_id)}-title">{escape(caption)}</title>',
    ]
    y = CHART_TOP
    for row, lines, row_height, value in zip(rows, wrapped, heights, values, strict=True):
        mid = y + row_height / 2
        bar_y = mid - BAR_HEIGHT / 2
        weight = ' font-weight="bold"' if row.get("summary") else ""
        first = mid - (len(lines) - 1) * LINE_HEIGHT / 2
        spans = "".join(
            f'<tspan x="{bar_x - LABEL_PAD}" y="{first + n * LINE_HEIGHT:g}">'
            f"{escape(visible(line))}</tspan>" for n, line in enumerate(lines))
        out.append(f'<text class="label" text-anchor="end" dominant-baseline="middle"{weight}>'
                   f"<title>{escape(visible(str(row['label'])))}</title>{spans}</text>")
        out.append(
            f'<rect x="{bar_x}" y="{bar_y:g}" width="{BAR_WIDTH}" height="{BAR_HEIGHT}" '
            'fill="#ffffff" stroke="#8a8a8a" stroke-width="1"/>'
        )
        rate = row["rate"]
        if rate is not None:
            fill = TOTAL_FILL if row.get("summary") else BAR_FILL
            length = max(0.0, min(1.0, float(rate))) * BAR_WIDTH
            if length > 0:
                out.append(
                    f'<rect class="bar" x="{bar_x}" y="{bar_y:g}" width="{length:.1f}" '
                    f'height="{BAR_HEIGHT}" fill="{fill}"/>'
                )
        out.append(
            f'<text class="value" x="{bar_x + BAR_WIDTH + 8}" y="{mid:g}" '
            f'dominant-baseline="middle"{weight}>{escape(value)}</text>'
        )
        y += row_height
    axis_y = y
    out.append('<g class="axis">')
    out.append(
        f'<line x1="{bar_x}" y1="{axis_y}" x2="{bar_x + BAR_WIDTH}" y2="{axis_y}" '
        'stroke="#444" stroke-width="1"/>'
    )
    for tick in (0, 25, 50, 75, 100):
        x = bar_x + BAR_WIDTH * tick / 100
        label = f"{tick} %" if current() == "ru" else f"{tick}%"
        out.append(
            f'<line x1="{x:g}" y1="{axis_y}" x2="{x:g}" y2="{axis_y + 4}" stroke="#444"/>'
            f'<text x="{x:g}" y="{axis_y + 16}" text-anchor="middle">{label}</text>'
        )
    out.append("</g></svg>")
    out.append(f"<figcaption>{escape(caption)}</figcaption></figure>")
    return "\n".join(out)


# --- the trend's charts --------------------------------------------------------------------

TREND_WIDTH = 760
TREND_LEFT = 44  # room for the count axis
TREND_RIGHT = 52  # room for the rate axis
TREND_TOP = 12
TREND_PLOT = 200  # the plot's height
TREND_BOTTOM = 46  # period labels and the legend
LINE_COLOUR = "#c0392b"
SPARK_WIDTH = 180
SPARK_HEIGHT = 40


def trend_chart(rows: Sequence[Mapping[str, Any]], chart_id: str, caption: str) -> str:
    """Bars of the items fulfilled in each period (left axis, counts) and a line of the
    rate at each period's end (right axis, 0–100 %), in inline SVG. Each point of the
    line is a circle carrying its period and rate, where a reader (or a test) finds it."""
    plot_width = TREND_WIDTH - TREND_LEFT - TREND_RIGHT
    height = TREND_TOP + TREND_PLOT + TREND_BOTTOM
    slot = plot_width / max(1, len(rows))
    top = max((r["fulfilled"] for r in rows), default=0)
    scale = _nice(top)
    base = TREND_TOP + TREND_PLOT
    out = [
        f'<figure><svg class="chart trend" id="{escape(chart_id)}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title" xmlns="http://www.w3.org/2000/svg" '
        f'width="{TREND_WIDTH}" height="{height}" viewBox="0 0 {TREND_WIDTH} {height}">',
        f'<title id="{escape(chart_id)}-title">{escape(caption)}</title>',
        '<g class="axis">',
    ]
    for n in range(5):  # grid: 0, 25, 50, 75, 100 % on the right, counts on the left
        y = base - TREND_PLOT * n / 4
        rate_label = f"{n * 25} %" if current() == "ru" else f"{n * 25}%"
        out.append(f'<line x1="{TREND_LEFT}" y1="{y:g}" x2="{TREND_LEFT + plot_width}" '
                   f'y2="{y:g}" stroke="#dddddd" stroke-width="1"/>')
        out.append(f'<text x="{TREND_LEFT + plot_width + 6}" y="{y:g}" '
                   f'dominant-baseline="middle">{rate_label}</text>')
        count = scale * n / 4
        if count == int(count):
            out.append(f'<text x="{TREND_LEFT - 6}" y="{y:g}" text-anchor="end" '
                       f'dominant-baseline="middle">{int(count)}</text>')
    out.append("</g>")
    every = max(1, -(-len(rows) // 12))  # at most 12 period labels
    points = []
    for n, row in enumerate(rows):
        x = TREND_LEFT + slot * n
        if row["fulfilled"] and scale:
            bar_height = TREND_PLOT * row["fulfilled"] / scale
            out.append(f'<rect class="bar" x="{x + slot * 0.2:.1f}" '
                       f'y="{base - bar_height:.1f}" width="{slot * 0.6:.1f}" '
                       f'height="{bar_height:.1f}" fill="{BAR_FILL}">'
                       f"<title>{escape(str(row['fulfilled']))}</title></rect>")
        if n % every == 0:
            label = period_label(row["period"], current())
            out.append(f'<text class="period" x="{x + slot / 2:.1f}" y="{base + 16}" '
                       f'text-anchor="middle">{escape(label)}</text>')
        if row["rate"] is not None:
            points.append((x + slot / 2, base - TREND_PLOT * float(row["rate"]), row))
    if points:
        line = " ".join(f"{x:.1f},{y:.1f}" for x, y, _row in points)
        out.append(f'<polyline class="rate" points="{line}" fill="none" '
                   f'stroke="{LINE_COLOUR}" stroke-width="2"/>')
        for x, y, row in points:
            out.append(f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="3" '
                       f'fill="{LINE_COLOUR}" data-period="{escape(row["period"])}" '
                       f'data-rate="{float(row["rate"]):.6f}">'
                       f"<title>{escape(percent(row['rate']))}</title></circle>")
    legend_y = base + 36
    bars_legend, line_legend = _("fulfilled in the period (left)"), _(
        "rate at the period’s end (right)")
    out.append(f'<rect x="{TREND_LEFT}" y="{legend_y - 9}" width="12" height="10" '
               f'fill="{BAR_FILL}"/>')
    out.append(f'<text x="{TREND_LEFT + 18}" y="{legend_y}">'
               f"{escape(bars_legend)}</text>")
    out.append(f'<line x1="{TREND_LEFT + 300}" y1="{legend_y - 4}" x2="{TREND_LEFT + 320}" '
               f'y2="{legend_y - 4}" stroke="{LINE_COLOUR}" stroke-width="2"/>')
    out.append(f'<text x="{TREND_LEFT + 326}" y="{legend_y}">'
               f"{escape(line_legend)}</text>")
    out.append("</svg>")
    out.append(f"<figcaption>{escape(caption)}</figcaption></figure>")
    return "\n".join(out)


def _nice(top: int) -> int:
    """The count axis's top: the smallest of 4, 8, 20, 40, 80… (steps of 1, 2, 5, 10…
    per quarter of the axis) at or above *top*."""
    step = 1
    while step * 4 < top:
        step = step * 5 // 2 if str(step)[0] == "2" else step * 2
    return step * 4


def sparkline(rates: list[float | None], chart_id: str, caption: str) -> str:
    """A small line of the rate period by period (0 at the foot, 100 % at the head)."""
    known = [(n, r) for n, r in enumerate(rates) if r is not None]
    step = (SPARK_WIDTH - 8) / max(1, len(rates) - 1)
    coords = [(4 + n * step, SPARK_HEIGHT - 4 - (SPARK_HEIGHT - 8) * float(r))
              for n, r in known]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    last_x, last_y = coords[-1]
    return (f'<svg class="spark" id="{escape(chart_id)}" role="img" '
            f'xmlns="http://www.w3.org/2000/svg" width="{SPARK_WIDTH}" '
            f'height="{SPARK_HEIGHT}" viewBox="0 0 {SPARK_WIDTH} {SPARK_HEIGHT}">'
            f"<title>{escape(caption)}</title>"
            f'<line x1="4" y1="{SPARK_HEIGHT - 4}" x2="{SPARK_WIDTH - 4}" '
            f'y2="{SPARK_HEIGHT - 4}" stroke="#cccccc"/>'
            f'<line x1="4" y1="4" x2="{SPARK_WIDTH - 4}" y2="4" stroke="#eeeeee"/>'
            f'<polyline points="{line}" fill="none" stroke="{LINE_COLOUR}" '
            'stroke-width="1.5"/>'
            f'<circle cx="{last_x:.1f}" cy="{last_y:.1f}" r="2.5" fill="{LINE_COLOUR}"/>'
            "</svg>")


# --- tables -------------------------------------------------------------------------------

NUMERIC = frozenset({"total", "counted", "fulfilled", "rate", "items", "partial",
                     "not_fulfilled", "withdrawn", "open", "rate_then", "rate_now", "change"})
UNBROKEN = frozenset({"id", "plan", "status", "due", "period", "status_from", "status_to",
                      "effective"})
FREE_TEXT = frozenset({"title", "reason", "reason_from", "reason_to"})


def _css_class(key: str) -> str:
    if key in NUMERIC:
        return ' class="num"'
    if key in UNBROKEN:
        return ' class="key"'
    return ' class="text"' if key in FREE_TEXT else ""


def _table(rows: Sequence[Mapping[str, Any]], columns: list[str],
           headers: Mapping[str, str] | None = None, total: bool = False) -> str:
    """Rows of raw values as an HTML table, shown as a person reads them, under headers
    in the language in force; the last row may be a total."""
    names = {key: (headers or {}).get(key) or field_label(key) for key in columns}
    head = "".join(f'<th{_css_class(key)} scope="col">{escape(names[key])}</th>'
                   for key in columns)
    body = []
    for n, row in enumerate(rows):
        css = ' class="total"' if total and n == len(rows) - 1 else ""
        cells = "".join(
            f"<td{_css_class(key)}>"
            f"{(_free_text if key in FREE_TEXT else _e)(shown_value(key, row.get(key)))}</td>"
            for key in columns
        )
        body.append(f"<tr{css}>{cells}</tr>")
    return (f"<table><thead><tr>{head}</tr></thead><tbody>\n" + "\n".join(body)
            + "\n</tbody></table>")


# --- the page -----------------------------------------------------------------------------


def _plan_section(entry: PlanReport, report: Report, alone: bool) -> str:
    """A plan's part of the page; *alone* (a report of one plan): its title is the page's
    heading already, so the section does not repeat it."""
    plan, t, by, rules = entry.plan, entry.tally, report.by, report.rules
    weights = weights_note(entry.weights)
    out = [f'<section class="plan" id="plan-{escape(plan)}">']
    if not alone:
        out.append(f'<h2><span class="id">{escape(plan)}</span> {_e(entry.title)}</h2>')
    if not alone:  # alone, the page's header says it
        out.append(f'<p class="summary-sentence">'
                   f"{_e(summary_sentence(t, entry.by_status, rules, entry.weights))}</p>")
    rate_text = (_("{rate} — weighted rate ({weights}); fulfilled {fulfilled} of {counted} "
                   "counted") if weights else
                 _("{rate} — fulfilled {fulfilled} of {counted} counted"))
    out.append('<p class="rate">' + escape(rate_text.format(
        rate=percent(t.rate), weights=weights, fulfilled=t.fulfilled, counted=t.counted))
        .replace(escape(percent(t.rate)), f"<strong>{escape(percent(t.rate))}</strong>", 1)
        + "</p>")
    out.append(f'<p class="rule">{escape(rule_line(t.rate, t.credit, t.counted_weight, rules))}'
               "</p>")
    if rules.exclude_withdrawn and t.total != t.counted:
        out.append(f'<p class="note">{escape(withdrawn_note(t.total - t.counted))}</p>')
    if entry.not_yet_added:
        out.append(f'<p class="note">{escape(not_yet_note(entry.not_yet_added, report.as_of))}'
                   "</p>")

    if entry.changes is not None:
        out.append(_changes(entry.changes, report))

    counts: list[dict[str, Any]] = [{"status": s, "items": n}
                                    for s, n in entry.by_status.items() if n]
    out.append('<div class="keep">' + _tag("h3", _("Counts by status")))
    if counts:
        counts.append({"status": _("total"), "items": t.total})
        out.append(_table(counts, ["status", "items"], total=True))
    else:
        out.append(_tag("p", _("no items"), "none"))
    out.append("</div>")

    unfulfilled = entry.unfulfilled
    heading = _("Closed but not fulfilled ({count})").format(count=len(unfulfilled))
    out.append(f"<h3>{escape(heading)}</h3>")
    if unfulfilled:
        shown = [{**u, "reason": u["reason"] or _("(no reason recorded)")} for u in unfulfilled]
        out.append(_table(shown, ["id", "status", "title", "reason"],
                          {"id": field_label("id")}))
    else:
        out.append(_tag("p", _("none"), "none"))

    overdue = entry.overdue
    heading = _("Overdue open items, due before {day} ({count})").format(
        day=day(report.as_of), count=len(overdue))
    out.append(f"<h3>{escape(heading)}</h3>")
    if overdue:
        out.append(_table(overdue, ["id", "status", "due", "owners", "title"],
                          {"id": field_label("id")}))
    else:
        out.append(_tag("p", _("none"), "none"))

    soon = entry.due_soon
    out.append(_tag("h3", capital(due_soon_heading(len(soon), report.due_within, report.as_of))))
    if soon:
        out.append(_table(soon, ["id", "status", "due", "owners", "title"],
                          {"id": field_label("id")}))
    else:
        out.append(_tag("p", _("none"), "none"))

    if by:
        out.append('<div class="keep">' + _tag("h3", _("Rate {by}").format(by=by_heading(by))))
        if by == "owner":
            several = _("An item with several owners counts in each owner's group.")
            out.append(f'<p class="note">{escape(several)}</p>')
        rows: list[dict[str, Any]] = [
            {**g, "label": group_label(g["key"], by),
             "weights": entry.weights} for g in entry.groups]
        if rows:
            out.append(bar_chart(rows, f"chart-{plan}-by-{by}",
                                 _("{plan}: completion rate {by}").format(
                                     plan=plan, by=by_heading(by))))
            out.append("</div>")
            out.append(_table(rows, ["label", "total", "counted", "fulfilled", "rate"],
                              {"label": field_label(by)}))
        else:
            out.append(_tag("p", _("no items"), "none") + "</div>")
    if entry.discipline is not None:
        out.append(_discipline(entry.discipline))
    out.append("</section>")
    return "\n".join(out)


def _rate_trend(trend: PlanTrend) -> str:
    """Beside the rate's bar: a small line of the rate at each month's (or quarter's)
    end over the plan's span."""
    rows = trend.rows
    known = [r for r in rows if r["rate"] is not None]
    first, last = known[0], known[-1]
    caption = (_("rate at each period's end: {first} ({first_period}) → {last} "
                 "({last_period})")
               .format(first=percent(first["rate"]),
                       first_period=period_label(first["period"], current()),
                       last=percent(last["rate"]),
                       last_period=period_label(last["period"], current())))
    return ('<figure class="rate-trend">'
            + sparkline([r["rate"] for r in rows], f"trend-{trend.plan}", caption)
            + f"<figcaption>{escape(caption)}</figcaption></figure>")


def _changes(changes: Changes, report: Report) -> str:
    """The part "changes since the last briefing" of a plan's section."""
    out = ['<div class="changes">', _tag("h3", capital(changes_heading(changes, report.as_of))),
           _tag("p", rate_move(changes, report.as_of), "rate")]
    if changes.empty():
        out.append(_tag("p", _("no item changed"), "none"))
    for heading, rows, columns in change_sections(changes):
        out.append(_tag("h4", capital(heading)))
        out.append(_table(rows, columns, {"id": field_label("id")}))
    if changes.groups is not None and report.by:
        out.append(_tag("h4", capital(by_heading(report.by))))
        out.append(_table(change_groups(changes, report.by),
                          ["key", "rate_then", "rate_now", "change"],
                          {"key": field_label(report.by)}))
    out.append("</div>")
    return "\n".join(out)


def _report_sentence(report: Report) -> str:
    """The summary sentence of the whole report: of its one plan, or of all together."""
    if len(report.plans) == 1:
        entry = report.plans[0]
        return summary_sentence(entry.tally, entry.by_status, report.rules, entry.weights)
    by_status: dict[str, int] = {}
    for entry in report.plans:
        for status, count in entry.by_status.items():
            by_status[status] = by_status.get(status, 0) + count
    return summary_sentence(report.total, by_status, report.rules, report.weights)


def render_html(report: Report, version: str = "") -> str:
    """The whole page for a report of ``tracker.reports.build_report``."""
    plans = report.plans
    if len(plans) == 1:
        heading_html = (f'<span class="id">{escape(plans[0].plan)}</span> '
                        f"{_e(plans[0].title)}")
        heading = f"{plans[0].plan}: {plans[0].title}"
    else:
        heading = ngettext("Completion of {count} action plan",
                           "Completion of {count} action plans", len(plans)).format(
            count=len(plans))
        heading_html = escape(heading)
    title = _("{heading} — completion report as of {day}").format(heading=heading,
                                                                  day=day(report.as_of))
    out = [
        "<header>",
        f"<h1>{heading_html}</h1>",
        f'<p class="summary-sentence">{_e(_report_sentence(report))}</p>' if plans else "",
        '<dl class="meta">',
        _tag("dt", _("As of")) + _tag("dd", day(report.as_of)),
        _tag("dt", _("Rate rule")) + _tag("dd", rule_formula(report.rules)),
        "</dl>",
        "</header>",
    ]
    total = report.total
    if plans:
        rows: list[dict[str, Any]] = [
            {"label": p.plan, "rate": p.rate, "fulfilled": p.tally.fulfilled,
             "counted": p.tally.counted, "weights": p.weights} for p in plans]
        if len(plans) > 1:
            rows.append({"label": _("all plans"), "rate": total.rate,
                         "fulfilled": total.fulfilled, "counted": total.counted,
                         "summary": True, "weights": report.weights})
        out.append('<section class="summary">')
        out.append('<div class="keep">' + _tag("h2", _("Completion rate")))
        out.append(bar_chart(rows, "chart-rate",
                             _("Completion rate per plan: fulfilled of counted items")))
        trend = plans[0].trend if len(plans) == 1 else None
        if trend is not None and len({r["rate"] for r in trend.rows} - {None}) >= 2:
            out.append(_rate_trend(trend))
        out.append("</div>")
        if len(plans) > 1:
            summary: list[dict[str, Any]] = [
                {"plan": p.plan, "title": p.title, "total": p.tally.total,
                 "counted": p.tally.counted, "fulfilled": p.tally.fulfilled,
                 "rate": p.rate, "change": points_text(p.changes.then.rate, p.changes.now.rate)
                 if p.changes is not None else ""} for p in plans]
            summary.append({"plan": _("total"), "title": "", "total": total.total,
                            "counted": total.counted, "fulfilled": total.fulfilled,
                            "rate": total.rate})
            columns = ["plan", "title", "total", "counted", "fulfilled", "rate"]
            headers = {"title": field_label("plan_title")}
            since = plans[0].changes
            if since is not None:
                columns.append("change")
                headers["change"] = _("since {day}").format(day=day(since.since))
            out.append(_table(summary, columns, headers, total=True))
            line = rule_line(total.rate, total.credit, total.counted_weight, report.rules)
            out.append(f'<p class="rule">{escape(line)}</p>')
        out.append("</section>")
    else:
        out.append(_tag("p", _("No plans."), "none"))
    out.extend(_plan_section(entry, report, alone=len(plans) == 1) for entry in plans)
    if annex := annex_rows(report):
        out += ['<section class="annex">', _tag("h2", annex_heading()),
                _tag("p", annex_note(), "note"),
                _table(annex, ["id", "name", "size", "attached", "title"],
                       {"id": field_label("id")}), "</section>"]
    made = _("Made with {tool}, as of {day}.").format(tool=f"tracker {version}".strip(),
                                                      day=day(report.as_of))
    out.append(f"<footer>{escape(made)}</footer>")
    return visible(_page(title, out))  # no NUL, ESC… anywhere, titles included


def _page(title: str, body: list[str]) -> str:
    """A whole self-contained page around *body*."""
    return "\n".join([
        "<!DOCTYPE html>",
        f'<html lang="{current()}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        *body,
        "</body>",
        "</html>",
    ]) + "\n"


def render_trend_html(trend: Trend, version: str = "") -> str:
    """The trend as a page: the chart of the total, its table, and for several plans a
    line per plan with its own small chart."""
    several = len(trend.plans) > 1
    name = _("All plans") if several else f"{trend.plans[0].plan}: {trend.plans[0].title}"
    title = f"{name}: {trend_title(trend)}"
    body = ["<header>", _tag("h1", title), _tag("p", trend_rule(trend), "rule"), "</header>",
            '<section class="trend">',
            trend_chart(trend.total, "chart-trend",
                        _("Items fulfilled in each period, and the rate at its end")),
            _table(trend.total, TREND_COLUMNS, dict(zip(TREND_COLUMNS, trend_headers(),
                                                        strict=True))),
            _tag("p", trend_note(), "note"),
            "</section>"]
    if several:
        body.append(_tag("h2", _("By plan")))
        body.append("<table><thead><tr>" + "".join(
            f"<th{_css_class(k)} scope=\"col\">{escape(h)}</th>" for k, h in (
                ("plan", field_label("plan")), ("title", field_label("plan_title")),
                ("chart", _("rate by period")), ("rate", _("rate at the end"))))
            + "</tr></thead><tbody>")
        for p in trend.plans:
            rates = [r["rate"] for r in p.rows]
            chart = (sparkline(rates, f"trend-{p.plan}", p.title)
                     if any(r is not None for r in rates) else "")
            body.append(f'<tr><td class="key">{_e(p.plan)}</td><td class="text">'
                        f"{_e(p.title)}</td><td>{chart}</td>"
                        f'<td class="num">{_e(percent(rates[-1] if rates else None))}</td></tr>')
        body.append("</tbody></table>")
    made = _("Made with {tool}, as of {day}.").format(tool=f"tracker {version}".strip(),
                                                      day=day(trend.last))
    body.append(f"<footer>{escape(made)}</footer>")
    return visible(_page(title, body))


def _discipline(d: Discipline, level: int | None = 3) -> str:
    """The executive-discipline table, its formula and what its columns count."""
    headers = discipline_headers(d.by)
    cells = [discipline_cells(row, d.by) for row in d.rows]
    cells.append(discipline_cells(d.total, d.by, total=True))
    kinds = ["key", *["num"] * (len(headers) - 1)]
    head = "".join(f'<th class="{kind}" scope="col">{escape(h)}</th>'
                   for kind, h in zip(kinds, headers, strict=True))
    lines = []
    for n, row in enumerate(cells):
        css = ' class="total"' if n == len(cells) - 1 else ""
        lines.append(f"<tr{css}>" + "".join(f'<td class="{kind}">{_e(value)}</td>'
                                            for kind, value in zip(kinds, row, strict=True))
                     + "</tr>")
    body = "\n".join(lines)
    return "\n".join([
        '<section class="discipline">',
        f"<h{level}>{escape(discipline_heading())}</h{level}>" if level else "",
        _tag("p", capital(discipline_title(d)), "note"),
        f"<table><thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody></table>",
        _tag("p", discipline_rule(d), "rule"),
        _tag("p", discipline_note(d), "note"),
        "</section>"])


def render_discipline_html(d: Discipline, version: str = "") -> str:
    """The executive-discipline report as a page of its own."""
    name = (f"{d.plans[0][0]}: {d.plans[0][1]}" if len(d.plans) == 1 else _("All plans"))
    title = f"{discipline_heading()}: {name}"
    made = _("Made with {tool}, as of {day}.").format(tool=f"tracker {version}".strip(),
                                                      day=day(d.as_of))
    return visible(_page(title, ["<header>", _tag("h1", title), "</header>",
                                 _discipline(d, level=None), f"<footer>{escape(made)}</footer>"]))


class HtmlRenderer(Renderer):
    """``--format html``: the report, or the trend, as one page."""

    def report(self, report: Report) -> str:
        return self._for_output(render_html(report, self.version))

    def discipline(self, discipline: Discipline) -> str:
        return self._for_output(render_discipline_html(discipline, self.version))

    def trend(self, trend: Trend) -> str:
        return self._for_output(render_trend_html(trend, self.version))

    def _for_output(self, text: str) -> str:
        if not self.for_file and not self.unicode:  # a terminal that cannot take UTF-8
            text = text.encode("ascii", "xmlcharrefreplace").decode("ascii")
        return text


RENDERER = HtmlRenderer
