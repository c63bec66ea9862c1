"""Output: rows and report documents → text in the formats of SPEC §5.

Every function returns a string; nothing here prints. tabulate is imported only when a
table is drawn (it costs ~40 ms of start-up), so ``--format json`` never pays for it.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence
from typing import Any

FORMATS = ("table", "plain", "grid", "markdown", "json", "csv")
TABLE_STYLES = {"table": "simple", "plain": "plain", "grid": "grid", "markdown": "pipe"}
BAR_WIDTH = 16
EIGHTHS = " ▏▎▍▌▋▊▉"


def to_json(data: Any) -> str:
    """Stable, indented JSON with a final newline; non-ASCII kept as is."""
    from tracker.jsonio import pretty

    return pretty(data)


def cell(value: Any) -> str:
    """One value as table text: lists joined with '; ', nothing as ''."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


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
_UNSAFE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")  # and tabs, in a table


def visible(text: str) -> str:
    """Text for a terminal: control characters (ESC, CR, NUL…) shown as escapes, so that
    data that came in from a file can never act on the terminal. New lines and tabs
    stay (tables lay them out)."""
    if not _CONTROL.search(text):
        return text
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


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
    rows: Sequence[dict[str, Any]],
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


def csv_text(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[str],
    delimiter: str = ",",
    line_end: str = "\n",
) -> str:
    """Rows as CSV, every cell made safe for spreadsheets (SPEC §6: no cell runs as a
    formula, whichever command printed it)."""
    import csv

    from tracker.csvio import neutralise

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=line_end)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([neutralise(cell(row.get(c))) for c in columns])
    return buffer.getvalue()


def rows(
    data: Sequence[dict[str, Any]],
    columns: Sequence[str],
    fmt: str,
    headers: Sequence[str] | None = None,
    width: int | None = None,
) -> str:
    """Rows in any output format; JSON keeps every key of each row."""
    if fmt == "json":
        return to_json(list(data))
    if fmt == "csv":
        return csv_text(data, columns)
    return table(data, columns, fmt, headers, width)


# --- the report as text -----------------------------------------------------------------


def _num(value: float | int) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def rule_line(numbers: dict[str, Any], rules: dict[str, Any]) -> str:
    """Numerator, denominator and the rule in force, so a reader can check the rate."""
    counted = "withdrawn items not counted" if rules["exclude_withdrawn"] else (
        "every item counted, withdrawn included"
    )
    result = percent(numbers["rate"]) if numbers["rate"] is not None else "n/a (nothing counted)"
    return (
        f"rate = credit / counted weight = {_num(numbers['credit'])} / "
        f"{_num(numbers['counted_weight'])} = {result}; credit per unit of weight: "
        f"fulfilled 1, partial {rules['partial_credit']:g}, others 0; {counted}"
    )


def weights_note(numbers: dict[str, Any]) -> str | None:
    """``weights 1–3`` when the counted items' weights differ (the rate is then weighted,
    so it is not fulfilled ÷ counted), else None."""
    low, high = numbers.get("_weights") or (1, 1)
    return None if low == high else f"weights {_num(low)}–{_num(high)}"


def rate_line(numbers: dict[str, Any], unicode: bool = True) -> str:
    weights = weights_note(numbers)
    if weights:
        return (
            f"fulfilled {numbers['fulfilled']} of {numbers['counted']} measures; weighted "
            f"rate {percent(numbers['rate'])} ({weights})  "
            f"{bar(numbers['rate'], unicode=unicode)}"
        ).rstrip()
    return (
        f"fulfilled {numbers['fulfilled']} of {numbers['counted']}  "
        f"{percent(numbers['rate'])}  {bar(numbers['rate'], unicode=unicode)}"
    ).rstrip()


def report_text(
    doc: dict[str, Any],
    fmt: str = "table",
    by: str | None = None,
    unicode: bool = True,
    width: int | None = None,
) -> str:
    """The human report of SPEC §5 for one or several plans."""
    md = fmt == "markdown"
    out: list[str] = []

    def heading(text: str, level: int = 3) -> None:
        out.append(("#" * level + " " + markdown_text(text)) if md
                   else wrap_text(text, width, "  "))

    def para(text: str) -> None:
        out.append(wrap_text(text, width, "  "))

    wrap = width
    for entry in doc["plans"]:
        heading(f"{entry['plan']}: {entry['title']}", 2)
        para(f"as of {doc['as_of']}")
        para(rate_line(entry, unicode))
        para(rule_line(entry, doc["rules"]))
        if doc["rules"]["exclude_withdrawn"] and entry["total"] != entry["counted"]:
            para(f"({entry['total'] - entry['counted']} withdrawn item(s) not counted)")
        if entry.get("not_yet_added"):
            para(f"({entry['not_yet_added']} item(s) of the plan today did not exist yet on "
                 f"{doc['as_of']}: not counted)")
        out.append("")
        counts = [{"status": s, "items": n} for s, n in entry["by_status"].items() if n]
        heading("by status")
        out.append(table(counts, ["status", "items"], fmt).rstrip("\n") if counts else "none")
        out.append("")
        unfulfilled = entry["unfulfilled"]
        heading(f"closed but not fulfilled ({len(unfulfilled)})")
        if unfulfilled:
            out.append(table(unfulfilled, ["id", "status", "title", "reason"], fmt,
                             width=wrap).rstrip("\n"))
        else:
            out.append("none")
        out.append("")
        overdue = entry["overdue"]
        heading(f"overdue open items, due before {doc['as_of']} ({len(overdue)})")
        if overdue:
            out.append(table(overdue, ["id", "status", "due", "owners", "title"], fmt,
                             width=wrap).rstrip("\n"))
        else:
            out.append("none")
        if by:
            out.append("")
            heading(f"by {by}")
            if by == "owner":
                para("(an item with several owners counts in each owner's group)")
            out.append(groups_table(entry["groups"], by, fmt, unicode, width).rstrip("\n"))
        out.append("")
    if len(doc["plans"]) != 1:
        heading("all plans", 2)
        weights = weights_note(doc["total"])
        if weights:
            para(f"(rates are weighted: {weights})")
        summary = [
            {"plan": e["plan"], "title": e["title"], "total": e["total"],
             "counted": e["counted"], "fulfilled": e["fulfilled"], "rate": percent(e["rate"])}
            for e in doc["plans"]
        ]
        total = doc["total"]
        summary.append({"plan": "total", "title": "", "total": total["total"],
                        "counted": total["counted"], "fulfilled": total["fulfilled"],
                        "rate": percent(total["rate"])})
        out.append(table(summary, ["plan", "title", "total", "counted", "fulfilled", "rate"],
                         fmt, width=wrap).rstrip("\n"))
        para(rule_line(total, doc["rules"]))
        out.append("")
    return visible("\n".join(out).rstrip("\n") + "\n")


def groups_table(
    groups: list[dict[str, Any]], by: str, fmt: str, unicode: bool = True,
    width: int | None = None,
) -> str:
    shown = [
        {**g, "key": g["key"] if g["key"] is not None else f"(no {by})",
         "rate": percent(g["rate"]), "bar": bar(g["rate"], unicode=unicode)}
        for g in groups
    ]
    columns = ["key", "total", "counted", "fulfilled", "rate", "bar"]
    return table(shown, columns, fmt, headers=[by, *columns[1:]], width=width)


def report_csv(doc: dict[str, Any], by: str | None = None) -> str:
    """The report's numbers as CSV: a row per plan (or per plan and group) and a total."""
    columns = ["plan", "title", "total", "counted", "fulfilled", "counted_weight", "credit",
               "rate"]
    lines: list[dict[str, Any]] = []
    for entry in doc["plans"]:
        if by:
            lines.extend({"plan": entry["plan"], by: g["key"], **g} for g in entry["groups"])
        else:
            lines.append(entry)
    if by:
        columns = ["plan", by, "total", "counted", "fulfilled", "rate"]
    else:
        lines.append({"plan": "total", "title": "", **doc["total"]})
    return csv_text(lines, columns)
