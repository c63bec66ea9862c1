"""Rendering: bars, wrapping to the terminal, markdown that never breaks, CSV cells."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.domain import Item, Plan, Rules
from tracker.render.common import percent
from tracker.render.text import TextRenderer, aligned, bar, expanded, pipe, table
from tracker.reports import Report, build_report

LONG = ("The Armenian side expressed no interest, although all the allies supported it, "
        "and in the final stage asked to remove the document from the agenda.")


def test_bar_shows_any_progress_and_is_full_only_when_done() -> None:
    assert bar(32 / 34) == "███████████████▏"
    assert bar(0.0) == " " * 16
    assert bar(0.001) == "▏" + " " * 15
    assert bar(0.9999) == "███████████████▉"
    assert bar(1.0) == "█" * 16
    assert bar(None) == " " * 16
    assert bar(0.5, unicode=False) == "########........"


def test_percent() -> None:
    assert percent(32 / 34) == "94.1%"
    assert percent(None) == "n/a"


@pytest.mark.parametrize("width", [60, 80, 100])
@pytest.mark.parametrize("fmt", ["table", "plain", "grid"])
def test_tables_wrap_free_text_to_the_width(width: int, fmt: str) -> None:
    data = [{"id": "csto-2023:34", "status": "not-fulfilled", "title": "Finalise " * 10,
             "reason": LONG}]
    text = table(data, ["id", "status", "title", "reason"], fmt, width=width)
    assert max(len(line) for line in text.splitlines()) <= width
    words = " ".join(text.split())
    assert "Armenian" in words and "agenda." in words  # wrapped, not cut


def test_without_a_width_nothing_wraps() -> None:
    text = table([{"title": "x", "reason": LONG}], ["title", "reason"])
    assert LONG in text


def test_markdown_escapes_pipes_and_newlines() -> None:
    text = table([{"title": "a | b", "reason": "line one\nline two"}], ["title", "reason"],
                 "markdown", width=20)
    lines = text.splitlines()
    assert len(lines) == 3  # header, rule, one row: the row did not break
    assert "a \\| b" in lines[2]
    assert "line one<br>line two" in lines[2]


def report_text(report: Report, width: int | None = None, unicode: bool = True) -> str:
    return TextRenderer("table", width=width, unicode=unicode).report(report)


def reference_doc() -> Report:
    items = [Item("csto-2023", str(n), f"Measure {n} (title not published)",
                  status="fulfilled") for n in range(1, 33)]
    items.append(Item("csto-2023", "33", "International contacts with European international "
                      "organisations, such as the OSCE", status="not-fulfilled",
                      reason="Primarily because of their stance."))
    items.append(Item("csto-2023", "34", "Finalise the document on assistance to Armenia",
                      status="not-fulfilled", reason=LONG))
    plan = Plan("csto-2023", "Action plan on the decisions of the Collective Security Council")
    return build_report([(plan, items)], Rules(), "2023-11-21")


@pytest.mark.parametrize("width", [70, 100])
def test_report_fits_the_terminal(width: int) -> None:
    text = report_text(reference_doc(), width=width)
    assert max(len(line) for line in text.splitlines()) <= width
    assert "fulfilled 32 of 34  94.1%" in text


def test_report_without_unicode_uses_hashes() -> None:
    text = report_text(reference_doc(), unicode=False)
    assert "fulfilled 32 of 34  94.1%  ###############." in text


def test_cli_wraps_only_for_a_terminal(ok: Callable[..., str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    ok("plan", "add", "p", "--title", "P")
    ok("add", "p", "Finalise the document", "--status", "not-fulfilled", "--reason", LONG)
    piped = ok("report", "p")
    assert LONG in piped
    monkeypatch.setattr("tracker.cli.common.terminal_width", lambda: 72)
    for args in (["report", "p"], ["list", "p"], ["show", "p:1"], ["log"]):
        shown = ok(*args)
        assert max(len(line) for line in shown.splitlines()) <= 72, args
    assert json.loads(ok("list", "p", "-f", "json"))[0]["reason"] == LONG


cells = st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc", "Zl", "Zp"])
                | st.just("\n"), max_size=12)


@settings(max_examples=200)
@given(st.integers(min_value=1, max_value=4).flatmap(
    lambda n: st.tuples(st.lists(cells.filter(lambda h: h.strip() == h and h != ""
                                              and "\n" not in h),
                                 min_size=n, max_size=n),
                        st.lists(st.lists(cells, min_size=n, max_size=n), max_size=5))))
def test_own_aligned_and_pipe_tables_match_tabulate_byte_for_byte(
    table_data: tuple[list[str], list[list[str]]]
) -> None:
    from tabulate import tabulate

    headers, body = table_data
    # Our rows always start with an id or a field name; tabulate treats wholly blank rows
    # differently in its single- and multi-line modes, a case we never print.
    body = [["id", *line[1:]] for line in body]
    for fmt, style in (("table", "simple"), ("plain", "plain")):
        ours = aligned(body, headers, rule=fmt == "table")
        theirs = tabulate(body, headers=headers, tablefmt=style, disable_numparse=True) + "\n"
        assert ours == theirs
    # Markdown cells never hold a line break (render.text writes <br>).
    flat = [[value.replace("\n", "<br>") for value in line] for line in body]
    assert pipe(flat, headers) == tabulate(flat, headers=headers, tablefmt="pipe",
                                           disable_numparse=True) + "\n"


@pytest.mark.parametrize("fmt", ["table", "plain", "grid"])
@pytest.mark.parametrize("width", [58, 72, 88, 100, 119])
def test_a_wrapped_table_is_never_wider_than_the_terminal(fmt: str, width: int) -> None:
    rows = [{"id": f"plan-{n}:{n}", "status": "in-progress", "title": f"Measure {n} "
             + "of the long-titled programme " * (n % 4), "owners": "Ministry of Finance",
             "reason": "" if n % 2 else "waiting for the partner's reply " * (n % 3),
             "weight": "1", "area": "Область"}  # cells narrower than their headers
            for n in range(1, 30)]
    columns = ["id", "status", "weight", "title", "owners", "area", "reason"]
    text = table(rows, columns, fmt, width=width)
    assert max(len(line) for line in text.splitlines()) <= width
    assert all(row["id"] in text for row in rows)  # every row there, however laid out
    if width >= 100:
        assert not text.startswith("-[ 1 ]")  # wrapped, not shown as records


@pytest.mark.parametrize("fmt", ["table", "plain", "grid"])
def test_a_table_one_column_too_wide_is_not_printed_as_it_is(fmt: str) -> None:
    rows = [{"id": f"p:{n}", "weight": "1", "title": f"Measure {n} of the plan"}
            for n in range(1, 4)]
    columns = ["id", "weight", "title"]
    full = table(rows, columns, fmt)
    drawn = max(len(line) for line in full.splitlines())
    for width in (drawn, drawn - 1, drawn - 2):
        text = table(rows, columns, fmt, width=width)
        assert max(len(line) for line in text.splitlines()) <= width, (width, text)
        assert (text == full) == (width == drawn)


def test_the_expanded_form_is_exact_line_by_line() -> None:
    body = [["p:1", "fulfilled", "Publish the annual report of the programme office", ""],
            ["p:2", "stalled", "Open desk ", "no agreement\nyet"]]
    assert expanded(body, ["id", "status", "title", "reason"], 33) == (
        "-[ 1 ]---------------------------\n"
        "id      p:1\n"
        "status  fulfilled\n"
        "title   Publish the annual report\n"
        "        of the programme office\n"
        "reason\n"
        "-[ 2 ]---------------------------\n"
        "id      p:2\n"
        "status  stalled\n"
        "title   Open desk\n"
        "reason  no agreement\n"
        "        yet\n"
    )


def test_a_narrow_terminal_gets_records_for_tables_without_free_text() -> None:
    from tracker.reports import Group

    groups: list[Group] = [{"key": "Programme office", "total": 12, "counted": 12,
                            "fulfilled": 7, "rate": 7 / 12}]
    text = TextRenderer("table", width=40).groups(groups, "owner")
    assert max(len(line) for line in text.splitlines()) <= 40
    assert "Programme office" in text and "58.3%" in text
    doc = reference_doc()
    narrow = report_text(doc, width=40)
    assert max(len(line) for line in narrow.splitlines()) <= 40
