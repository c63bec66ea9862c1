"""The HTML report read back with the stdlib parser: numbers, reasons, escaping, nothing
external; and the terminal report's '#' bar where stdout cannot show block characters."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tracker.domain import Item, Plan, Rules
from tracker.render.html import BAR_WIDTH, render_html
from tracker.reports import Report, build_report

Ok = Callable[..., str]

# Tags that would fetch, embed or run something, and attributes that point elsewhere.
EXTERNAL_TAGS = {"script", "link", "img", "iframe", "object", "embed", "base", "audio",
                 "video", "source", "frame", "use", "image", "foreignobject", "form"}
EXTERNAL_ATTRS = {"src", "href", "xlink:href", "srcset", "action", "poster", "data",
                  "background", "formaction", "ping"}
EVIL = '<script>alert("x")</script> & <b>co</b>'


class Page(HTMLParser):
    """Everything a test needs from a page: tags, attributes, text, style, SVG text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.stack: list[str] = []
        self.chunks: list[str] = []
        self.style = ""
        self.svg_text: list[str] = []
        self.glue = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "wbr":  # a place a line may break, inside a word: no text of its own
            self.glue = True
        elif tag not in {"meta", "rect", "line", "br"}:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if "style" in self.stack:
            self.style += data
        elif "head" not in self.stack and data.strip():
            if self.glue and self.chunks:
                self.chunks[-1] += " ".join(data.split())
            else:
                self.chunks.append(" ".join(data.split()))
            if "svg" in self.stack and self.stack[-1] in ("text", "tspan"):
                self.svg_text.append(data)
        self.glue = False

    @property
    def text(self) -> str:
        """The body's visible text, white space collapsed."""
        return " ".join(self.chunks)

    def find(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags
                if t == tag and all(a.get(k) == v for k, v in attrs.items())]


def reference_doc(by: str | None = None) -> Report:
    """Two plans built in memory: 32 of 34 with two reasons, and a small one with a trap."""
    csto = Plan("csto-2023", "CSTO action plan 2023")
    items = [Item("csto-2023", str(n), f"Measure {n} (title not published)", "fulfilled")
             for n in range(1, 33)]
    items += [
        Item("csto-2023", "33", "International contacts with the OSCE", "not-fulfilled",
             reason="Primarily because of their stance."),
        Item("csto-2023", "34", "Assistance to Armenia", "not-fulfilled",
             reason="The Armenian side expressed no interest."),
    ]
    other = Plan("evil", EVIL)
    others = [
        Item("evil", "1", EVIL, "withdrawn", reason=EVIL, owners=["A & B"]),
        Item("evil", "2", "Late & open", "in-progress", due="2024-01-31", owners=["<Ann>"]),
        Item("evil", "3", "Done", "fulfilled", owners=["<Ann>"], weight=2),
    ]
    return build_report([(csto, items), (other, others)], Rules(), "2024-07-01", by)


@pytest.fixture(scope="module")
def page() -> Page:
    return Page(render_html(reference_doc(), version="9.9"))


def test_the_header_names_plans_as_of_date_and_rule(page: Page) -> None:
    assert page.text.startswith("Completion of 2 action plans 33 of 37 measures fulfilled "
                                "(weighted rate 89.5%); 2 not fulfilled, 1 withdrawn from the "
                                "plan, 1 still in progress As of 2024-07-01")
    assert "csto-2023 CSTO action plan 2023" in page.text  # its section's heading
    assert "As of 2024-07-01" in page.text
    assert ("rate = Σ weight × credit / Σ weight over the counted items; credit: fulfilled 1, "
            "partial 0, others 0; every item counted, withdrawn included") in page.text


def test_numbers_are_written_out(page: Page) -> None:
    assert "94.1% — fulfilled 32 of 34 counted" in page.text
    assert "rate = credit / counted weight = 32 / 34 = 94.1%" in page.text
    # evil: 1 fulfilled of weight 2 out of 1 + 1 + 2 = 4 → 50.0%; all plans 34 / 38.
    assert "rate = credit / counted weight = 2 / 4 = 50.0%" in page.text
    assert "rate = credit / counted weight = 34 / 38 = 89.5%" in page.text
    assert "fulfilled 32 not-fulfilled 2 total 34" in page.text
    assert "in-progress 1 fulfilled 1 withdrawn 1 total 3" in page.text


def test_the_chart_is_inline_svg_with_a_labelled_bar_per_plan(page: Page) -> None:
    (svg,) = page.find("svg", id="chart-rate")
    assert svg["width"] and svg["height"] and svg["viewbox"]
    bars = page.find("rect", **{"class": "bar"})
    widths = [float(b["width"] or 0) for b in bars]
    assert widths == pytest.approx([32 / 34 * BAR_WIDTH, 0.5 * BAR_WIDTH, 34 / 38 * BAR_WIDTH],
                                   abs=0.1)
    labels = [t.strip() for t in page.svg_text]
    for label in ("csto-2023", "94.1% · 32 of 34", "evil",
                  "weighted 50.0% · 1 of 3 (weights 1–2)", "all plans",
                  "weighted 89.5% · 33 of 37 (weights 1–2)", "0%", "100%"):
        assert label in labels


def test_reasons_of_unfulfilled_items_are_listed(page: Page) -> None:
    assert ("csto-2023:33 not-fulfilled International contacts with the OSCE "
            "Primarily because of their stance.") in page.text
    assert ("csto-2023:34 not-fulfilled Assistance to Armenia "
            "The Armenian side expressed no interest.") in page.text
    assert "Closed but not fulfilled (2)" in page.text


def test_overdue_items_are_listed(page: Page) -> None:
    assert "Overdue open items, due before 2024-07-01 (1)" in page.text
    assert "evil:2 in-progress 2024-01-31 <Ann> Late & open" in page.text


def test_user_text_is_escaped_and_shows_as_text(page: Page) -> None:
    tags = {t for t, _a in page.tags}
    assert "script" not in tags and "b" not in tags
    assert page.text.count(EVIL) >= 4  # header, summary table, heading, unfulfilled row
    html = render_html(reference_doc(), version="9.9")
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;co&lt;/b&gt;" in html


def test_nothing_external_is_referenced(page: Page) -> None:
    for tag, attrs in page.tags:
        assert tag not in EXTERNAL_TAGS, tag
        assert not EXTERNAL_ATTRS & set(attrs), (tag, attrs)
        assert not any(k.startswith("on") for k in attrs), (tag, attrs)
    assert "url(" not in page.style and "@import" not in page.style
    assert "@font-face" not in page.style


def test_print_css_for_a4(page: Page) -> None:
    assert re.search(r"@page\s*\{[^}]*size:\s*A4", page.style)
    assert "@media print" in page.style


def test_by_owner_adds_a_chart_per_plan_of_its_groups() -> None:
    page = Page(render_html(reference_doc("owner")))
    assert page.find("svg", id="chart-evil-by-owner")
    assert "An item with several owners counts in each owner's group." in page.text
    assert "<Ann> 2 2 1 66.7%" in page.text
    assert "A & B 1 1 0 0.0%" in page.text
    assert "(no owner) 34 34 32 94.1%" in page.text


def test_a_plan_with_nothing_counted_says_n_a_without_a_bar() -> None:
    doc = build_report([(Plan("empty", "Nothing yet"), [])], Rules(), "2024-07-01")
    page = Page(render_html(doc))
    assert "n/a (nothing counted)" in page.svg_text
    assert not page.find("rect", **{"class": "bar"})
    assert "no items" in page.text


def test_no_plans_at_all_is_still_a_page() -> None:
    page = Page(render_html(build_report([], Rules(), "2024-07-01")))
    assert "No plans." in page.text and not page.find("svg")


# --- through the command line -----------------------------------------------------------


def test_report_html_goes_to_stdout_or_to_a_file(ok: Ok, plan: str, tmp_path: Path) -> None:
    out = ok("report", plan, "--format", "html")
    assert out.startswith("<!DOCTYPE html>")
    page = Page(out)
    assert page.text.startswith("p Plan P 1 of 3 measures fulfilled (33.3%)")
    assert page.text.count("Plan P") == 1  # the title once: no 'Plan' row, no section heading
    assert "Second measure partner refused" in page.text
    target = tmp_path / "report.html"
    ok("report", plan, "--format", "html", "-o", str(target))
    assert target.read_text(encoding="utf-8") == out


def test_report_help_lists_html(ok: Ok) -> None:
    assert "html" in ok("report", "-h")


def run_tracker(*args: str, encoding: str) -> str:
    """The CLI in a child process whose stdout has *encoding* (not a terminal)."""
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    env.pop("NO_COLOR", None)
    result = subprocess.run([sys.executable, "-m", "tracker", *args], env=env,
                            capture_output=True, timeout=60, check=True)
    return result.stdout.decode(encoding)


def test_terminal_bar_falls_back_to_hashes_on_an_ascii_stdout(plan: str) -> None:
    ascii_out = run_tracker("report", plan, encoding="ascii")
    assert "fulfilled 1 of 3  33.3%  #####..........." in ascii_out
    unicode_out = run_tracker("report", plan, encoding="utf-8")
    assert "fulfilled 1 of 3  33.3%  █████▍" in unicode_out


def test_no_colour_anywhere(plan: str) -> None:
    for args in (["report", plan], ["report", plan, "--by", "owner"], ["list", plan]):
        assert "\x1b" not in run_tracker(*args, encoding="utf-8")


def test_html_on_an_ascii_stdout_uses_character_references(plan: str) -> None:
    out = run_tracker("report", plan, "--format", "html", encoding="ascii")
    assert "&#931; weight &#215; credit" in out  # Σ and ×
    assert "Σ" in Page(out).text
