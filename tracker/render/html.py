"""HTML output: the report as one self-contained page, a pure function of the report.

No JavaScript, no external file, font or stylesheet: the chart is inline SVG with its
numbers written on it (it reads in black and white), and every piece of user text is
escaped. ``render_html(build_report(...))`` is all ``report --format html`` does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import TYPE_CHECKING, Any

from tracker.periods import period_text
from tracker.render import Renderer
from tracker.render.common import (
    cell,
    percent,
    rule_formula,
    rule_line,
    visible,
    weights_note,
)

if TYPE_CHECKING:
    from tracker.reports import PlanReport, Report

# The chart's geometry in CSS pixels; tests find the SVG by its id and these sizes.
CHART_WIDTH = 680
LABEL_WIDTH = 170
BAR_X = 180
BAR_WIDTH = 340
ROW_HEIGHT = 28
BAR_HEIGHT = 18
CHART_TOP = 6
AXIS_HEIGHT = 24
LABEL_CHARS = 24
BAR_FILL = "#1f4e79"
TOTAL_FILL = "#555555"

CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0 auto; padding: 24px; max-width: 760px; color: #111; background: #fff;
  font: 14px/1.45 system-ui, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  "Liberation Sans", "DejaVu Sans", sans-serif; }
h1 { font-size: 22px; margin: 0 0 8px; }
h2 { font-size: 18px; margin: 28px 0 6px; border-bottom: 2px solid #1f4e79; }
h3 { font-size: 15px; margin: 18px 0 6px; }
.id { font-family: ui-monospace, "DejaVu Sans Mono", "Liberation Mono", monospace;
  font-weight: normal; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0; }
dl.meta dt { font-weight: bold; }
dl.meta dd { margin: 0; }
.rate { font-size: 16px; margin: 4px 0; }
.rule, .note, .none { color: #444; margin: 4px 0; }
figure { margin: 8px 0; }
figcaption { font-size: 12px; color: #444; }
svg.chart { display: block; max-width: 100%; height: auto; }
svg.chart text { font-size: 12px; fill: #111; }
svg.chart .axis text { fill: #444; }
table { border-collapse: collapse; width: 100%; margin: 4px 0; }
th, td { text-align: left; vertical-align: top; padding: 3px 8px 3px 0;
  border-bottom: 1px solid #ccc; }
th { border-bottom: 1.5px solid #111; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.key { white-space: nowrap; }
tr.total td { font-weight: bold; border-top: 1.5px solid #111; }
footer { margin-top: 32px; font-size: 12px; color: #444; }
@page { size: A4; margin: 15mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  h2, h3 { break-after: avoid; }
  tr, figure { break-inside: avoid; }
  section.plan { break-before: auto; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def _e(value: Any) -> str:
    """Any value as escaped text (lists joined with '; ', nothing as ''); control
    characters shown as escapes, so the page never holds a NUL or an ESC."""
    return escape(visible(cell(value)), quote=True)


def _label(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def bar_chart(rows: list[dict[str, Any]], chart_id: str, caption: str) -> str:
    """A horizontal bar chart in inline SVG, each bar labelled with its rate and counts.

    Rows: ``label``, ``rate`` (0–1 or None), ``fulfilled``, ``counted``; ``summary`` for a total.
    """
    height = CHART_TOP + ROW_HEIGHT * len(rows) + AXIS_HEIGHT
    out = [
        f'<figure><svg class="chart" id="{escape(chart_id)}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title" xmlns="http://www.w3.org/2000/svg" '
        f'width="{CHART_WIDTH}" height="{height}" viewBox="0 0 {CHART_WIDTH} {height}">',
        f'<title id="{escape(chart_id)}-title">{escape(caption)}</title>',
    ]
    for n, row in enumerate(rows):
        y = CHART_TOP + n * ROW_HEIGHT
        mid = y + ROW_HEIGHT / 2
        bar_y = y + (ROW_HEIGHT - BAR_HEIGHT) / 2
        label = str(row["label"])
        weight = ' font-weight="bold"' if row.get("summary") else ""
        out.append(
            f'<text x="{LABEL_WIDTH}" y="{mid:g}" text-anchor="end" '
            f'dominant-baseline="middle"{weight}><title>{escape(label)}</title>'
            f"{escape(_label(label))}</text>"
        )
        out.append(
            f'<rect x="{BAR_X}" y="{bar_y:g}" width="{BAR_WIDTH}" height="{BAR_HEIGHT}" '
            'fill="#ffffff" stroke="#8a8a8a" stroke-width="1"/>'
        )
        rate = row["rate"]
        if rate is None:
            value = "n/a (nothing counted)"
        else:
            fill = TOTAL_FILL if row.get("summary") else BAR_FILL
            length = max(0.0, min(1.0, float(rate))) * BAR_WIDTH
            if length > 0:
                out.append(
                    f'<rect class="bar" x="{BAR_X}" y="{bar_y:g}" width="{length:.1f}" '
                    f'height="{BAR_HEIGHT}" fill="{fill}"/>'
                )
            value = f"{percent(rate)} · {row['fulfilled']} of {row['counted']}"
            weights = weights_note(row.get("weights", (1, 1)))
            if weights:
                value = (f"weighted {percent(rate)} · {row['fulfilled']} of "
                         f"{row['counted']} ({weights})")
        out.append(
            f'<text x="{BAR_X + BAR_WIDTH + 8}" y="{mid:g}" dominant-baseline="middle"'
            f"{weight}>{escape(value)}</text>"
        )
    axis_y = CHART_TOP + ROW_HEIGHT * len(rows)
    out.append('<g class="axis">')
    out.append(
        f'<line x1="{BAR_X}" y1="{axis_y}" x2="{BAR_X + BAR_WIDTH}" y2="{axis_y}" '
        'stroke="#444" stroke-width="1"/>'
    )
    for tick in (0, 25, 50, 75, 100):
        x = BAR_X + BAR_WIDTH * tick / 100
        out.append(
            f'<line x1="{x:g}" y1="{axis_y}" x2="{x:g}" y2="{axis_y + 4}" stroke="#444"/>'
            f'<text x="{x:g}" y="{axis_y + 16}" text-anchor="middle">{tick}%</text>'
        )
    out.append("</g></svg>")
    out.append(f"<figcaption>{escape(caption)}</figcaption></figure>")
    return "\n".join(out)


NUMERIC = frozenset({"total", "counted", "fulfilled", "rate", "items"})
UNBROKEN = frozenset({"id", "status", "due"})


def _css_class(key: str) -> str:
    if key in NUMERIC:
        return ' class="num"'
    return ' class="key"' if key in UNBROKEN else ""


def _table(rows: Sequence[Mapping[str, Any]], columns: list[tuple[str, str]],
           total: bool = False) -> str:
    """Rows as an HTML table; *columns* are (key, heading); the last row may be a total."""
    head = "".join(
        f'<th{_css_class(key)} scope="col">{escape(name)}</th>' for key, name in columns
    )
    body = []
    for n, row in enumerate(rows):
        css = ' class="total"' if total and n == len(rows) - 1 else ""
        cells = "".join(
            f"<td{_css_class(key)}>{_e(row.get(key))}</td>" for key, _name in columns
        )
        body.append(f"<tr{css}>{cells}</tr>")
    return (f"<table><thead><tr>{head}</tr></thead><tbody>\n" + "\n".join(body)
            + "\n</tbody></table>")


def _plan_section(entry: PlanReport, report: Report) -> str:
    plan, t, by, rules = entry.plan, entry.tally, report.by, report.rules
    weights = weights_note(entry.weights)
    out = [
        f'<section class="plan" id="plan-{escape(plan)}">',
        f'<h2><span class="id">{escape(plan)}</span> {escape(entry.title)}</h2>',
        f'<p class="rate"><strong>{escape(percent(t.rate))}</strong> — '
        + (f"weighted rate ({escape(weights)}); " if weights else "")
        + f"fulfilled {t.fulfilled} of {t.counted} counted</p>",
        f'<p class="rule">{escape(rule_line(t.rate, t.credit, t.counted_weight, rules))}</p>',
    ]
    if rules.exclude_withdrawn and t.total != t.counted:
        out.append(f'<p class="note">{t.total - t.counted} withdrawn item(s) '
                   "not counted</p>")
    if entry.not_yet_added:
        out.append(f'<p class="note">{entry.not_yet_added} item(s) of the plan today did '
                   f"not exist yet on {escape(report.as_of)}: not counted</p>")

    counts: list[dict[str, Any]] = [{"status": s, "items": n}
                                    for s, n in entry.by_status.items() if n]
    out.append("<h3>Counts by status</h3>")
    if counts:
        counts.append({"status": "total", "items": t.total})
        out.append(_table(counts, [("status", "status"), ("items", "items")], total=True))
    else:
        out.append('<p class="none">no items</p>')

    unfulfilled = entry.unfulfilled
    out.append(f"<h3>Closed but not fulfilled ({len(unfulfilled)})</h3>")
    if unfulfilled:
        shown = [{**u, "reason": u["reason"] or "(no reason recorded)"} for u in unfulfilled]
        out.append(_table(shown, [("id", "item"), ("status", "status"), ("title", "title"),
                                  ("reason", "reason")]))
    else:
        out.append('<p class="none">none</p>')

    overdue = entry.overdue
    out.append(f"<h3>Overdue open items, due before {escape(report.as_of)} "
               f"({len(overdue)})</h3>")
    if overdue:
        out.append(_table([{**o, "due": period_text(o["due"])} for o in overdue],
                          [("id", "item"), ("status", "status"), ("due", "due"),
                                          ("owners", "owners"), ("title", "title")]))
    else:
        out.append('<p class="none">none</p>')

    if by:
        out.append(f"<h3>Rate by {escape(by)}</h3>")
        if by == "owner":
            out.append('<p class="note">An item with several owners counts in each '
                       "owner's group.</p>")
        rows: list[dict[str, Any]] = [
            {**g, "label": g["key"] if g["key"] is not None else f"(no {by})",
             "weights": entry.weights} for g in entry.groups]
        if rows:
            out.append(bar_chart(rows, f"chart-{plan}-by-{by}",
                                 f"{plan}: completion rate by {by}"))
            shown_groups = [{**r, "rate": percent(r["rate"])} for r in rows]
            out.append(_table(shown_groups, [("label", by), ("total", "total"),
                                             ("counted", "counted"),
                                             ("fulfilled", "fulfilled"), ("rate", "rate")]))
        else:
            out.append('<p class="none">no items</p>')
    out.append("</section>")
    return "\n".join(out)


def render_html(report: Report, version: str = "") -> str:
    """The whole page for a report of ``tracker.reports.build_report``."""
    plans = report.plans
    if len(plans) == 1:
        heading = f"{plans[0].plan}: {plans[0].title}"
    else:
        heading = f"Completion of {len(plans)} action plans"
    listed = "; ".join(f"{p.plan} — {p.title}" for p in plans) or "none"
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(heading)} — completion report as of {escape(report.as_of)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{escape(heading)}</h1>",
        '<dl class="meta">',
        f"<dt>{'Plan' if len(plans) == 1 else 'Plans'}</dt><dd>{escape(listed)}</dd>",
        f"<dt>As of</dt><dd>{escape(report.as_of)}</dd>",
        f"<dt>Rate rule</dt><dd>{escape(rule_formula(report.rules))}</dd>",
        "</dl>",
        "</header>",
    ]
    total = report.total
    if plans:
        rows: list[dict[str, Any]] = [
            {"label": p.plan, "rate": p.rate, "fulfilled": p.tally.fulfilled,
             "counted": p.tally.counted, "weights": p.weights} for p in plans]
        if len(plans) > 1:
            rows.append({"label": "all plans", "rate": total.rate,
                         "fulfilled": total.fulfilled, "counted": total.counted,
                         "summary": True, "weights": report.weights})
        out.append('<section class="summary">')
        out.append("<h2>Completion rate</h2>")
        out.append(bar_chart(rows, "chart-rate",
                             "Completion rate per plan: fulfilled of counted items"))
        if len(plans) > 1:
            summary: list[dict[str, Any]] = [
                {"plan": p.plan, "title": p.title, "total": p.tally.total,
                 "counted": p.tally.counted, "fulfilled": p.tally.fulfilled,
                 "rate": percent(p.rate)} for p in plans]
            summary.append({"plan": "total", "title": "", "total": total.total,
                            "counted": total.counted, "fulfilled": total.fulfilled,
                            "rate": percent(total.rate)})
            out.append(_table(summary, [("plan", "plan"), ("title", "title"),
                                        ("total", "total"), ("counted", "counted"),
                                        ("fulfilled", "fulfilled"), ("rate", "rate")],
                              total=True))
            line = rule_line(total.rate, total.credit, total.counted_weight, report.rules)
            out.append(f'<p class="rule">{escape(line)}</p>')
        out.append("</section>")
    else:
        out.append('<p class="none">No plans.</p>')
    out.extend(_plan_section(entry, report) for entry in plans)
    made = f"tracker {version}".strip()
    out.append(f"<footer>Made with {escape(made)}, as of "
               f"{escape(report.as_of)}.</footer>")
    out.append("</body>")
    out.append("</html>")
    return visible("\n".join(out) + "\n")  # no NUL, ESC… anywhere, titles included


class HtmlRenderer(Renderer):
    """``--format html``: the report as one page."""

    def report(self, report: Report) -> str:
        text = render_html(report, self.version)
        if not self.for_file and not self.unicode:  # a terminal that cannot take UTF-8
            text = text.encode("ascii", "xmlcharrefreplace").decode("ascii")
        return text


RENDERER = HtmlRenderer
