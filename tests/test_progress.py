"""Progress over time: ``report --since``, ``--recorded-since``, ``trend``, the deadlines
ahead, and the overview of many plans — each figure computed by hand from a plan with a
dated history.

The history (``history`` fixture), recorded on 2024-12-01 unless said otherwise:

    h:1 Alpha    added 2024-01-10, due Q2 2024      fulfilled 2024-03-31 (a quarter's last day)
    h:2 Beta     added 2024-01-10, due Q2 2024      stalled 2024-04-15 "no funds",
                                                     fulfilled 2024-08-20
    h:3 Gamma    added 2024-01-10, due Q3 2024      withdrawn 2024-06-30 "merged into 1"
    h:4 Delta    added 2024-02-20, due Dec 2024     due moved to Q1 2025 on 2024-07-15;
                                                     in-progress 2024-03-01, typed in on
                                                     2024-12-10 (a back-dated correction)
    h:5 Epsilon  added 2024-04-05, due Q4 2024      stalled 2024-05-10 "waiting";
                                                     not-fulfilled 2024-09-30, undone;
                                                     reason "waiting for the partner" 2024-10-01
    h:6 Zeta     added 2024-08-01, due 2025-01-10
    h:7 Eta      added 2024-01-10                   removed on 2024-12-10

Reports run on 2024-12-15.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import Ok, Run, jok

DAY = "2024-12-15"


@pytest.fixture
def history(ok: Ok, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    def on(day: str) -> None:
        monkeypatch.setenv("TRACKER_TODAY", day)

    on("2024-12-01")
    ok("plan", "add", "h", "--title", "History", "--start", "2024-01-01")
    for title, added, due, owner in [
        ("Alpha", "2024-01-10", "2024-Q2", "A"), ("Beta", "2024-01-10", "2024-Q2", "B"),
        ("Gamma", "2024-01-10", "2024-Q3", "A"), ("Delta", "2024-02-20", "2024-12", "B"),
        ("Epsilon", "2024-04-05", "2024-Q4", "A"), ("Zeta", "2024-08-01", "2025-01-10", ""),
    ]:
        ok("add", "h", title, "--on", added, "--due", due,
           *(("--owner", owner) if owner else ()))
    ok("add", "h", "Eta", "--on", "2024-01-10")
    ok("update", "h:1", "--status", "fulfilled", "--on", "2024-03-31")
    ok("update", "h:2", "--status", "stalled", "--reason", "no funds", "--on", "2024-04-15")
    ok("update", "h:3", "--status", "withdrawn", "--reason", "merged into 1", "--on",
       "2024-06-30")
    ok("update", "h:5", "--status", "stalled", "--reason", "waiting", "--on", "2024-05-10")
    ok("update", "h:4", "--due", "2025-Q1", "--on", "2024-07-15", "--reason", "the venue moved",
       "--basis", "decision of 10.07.2024")
    ok("update", "h:2", "--status", "fulfilled", "--on", "2024-08-20")
    ok("update", "h:5", "--status", "not-fulfilled", "--reason", "late", "--on", "2024-09-30")
    ok("undo", "--yes")
    ok("update", "h:5", "--reason", "waiting for the partner", "--on", "2024-10-01")
    on("2024-12-10")
    ok("update", "h:4", "--status", "in-progress", "--on", "2024-03-01")
    ok("remove", "h:7", "--yes")
    on(DAY)
    return on


def changes(ok: Ok, *args: str) -> dict[str, object]:
    (entry,) = jok(ok, "report", "h", *args)["plans"]
    return entry["changes"]


# --- report --since ------------------------------------------------------------------------


def test_since_compares_the_plan_on_that_day_with_the_plan_now(ok: Ok, history: object) -> None:
    # On 2024-07-01: 1 fulfilled of 6 (h:1..5, h:7). Now: 2 of 6 (h:7 gone, h:6 new).
    assert changes(ok, "--since", "2024-07-01") == {
        "since": "2024-07-01",
        "rate_then": 1 / 6,
        "rate_now": 2 / 6,
        "status_changes": [{"id": "h:2", "title": "Beta", "from": "stalled", "to": "fulfilled",
                            "effective": "2024-08-20", "reason": ""}],
        "added": ["h:6"],
        "removed": ["h:7"],
        "due_moved": [{"id": "h:4", "from": "2024-12", "to": "2025-Q1", "effective": "2024-07-15",
                       "reason": "the venue moved", "basis": "decision of 10.07.2024"}],
        "reason_changed": [{"id": "h:5", "from": "waiting", "to": "waiting for the partner"}],
    }


def test_a_correction_typed_in_later_is_not_a_change_since_a_later_day(
        ok: Ok, history: object) -> None:
    # h:4 went in-progress on 2024-03-01, typed in on 2024-12-10: by the days changes are
    # dated, nothing moved for it after 2024-12-01; only h:7's removal did.
    found = changes(ok, "--since", "2024-12-01")
    assert found["status_changes"] == [] and found["removed"] == ["h:7"]
    assert (found["rate_then"], found["rate_now"]) == (2 / 7, 2 / 6)
    # What was typed in since 2024-12-10 is that correction and the removal.
    typed = changes(ok, "--recorded-since", "2024-12-10")
    assert typed == {
        "recorded_since": "2024-12-10",
        "rate_then": 2 / 7,
        "rate_now": 2 / 6,
        "status_changes": [{"id": "h:4", "title": "Delta", "from": "not-started",
                            "to": "in-progress", "effective": "2024-03-01", "reason": ""}],
        "added": [],
        "removed": ["h:7"],
        "due_moved": [],
        "reason_changed": [],
    }


def test_an_undone_step_never_counts_and_the_day_itself_belongs_to_the_state_then(
        ok: Ok, history: object) -> None:
    # h:5's not-fulfilled of 2024-09-30 was undone: no status change for it at all.
    found = changes(ok, "--since", "2024-09-29", "--as-of", "2024-09-30")
    assert found["status_changes"] == [] and found["rate_then"] == found["rate_now"] == 2 / 7
    # h:1 fulfilled on 2024-03-31: in the state of that day, a change since the day before.
    assert changes(ok, "--since", "2024-03-31", "--as-of", "2024-04-01")["status_changes"] == []
    assert [c["id"] for c in changes(ok, "--since", "2024-03-30", "--as-of", "2024-03-31")[
        "status_changes"]] == ["h:1"]


def test_since_with_by_gives_each_groups_rate_then_and_now(ok: Ok, history: object) -> None:
    found = changes(ok, "--since", "2024-07-01", "--by", "owner")
    # Owner A: h:1 F, h:3 W, h:5 stalled → 1/3 then and now. B: h:2, h:4 → 0/2, then 1/2.
    # No owner: h:7 then (0/1), h:6 now (0/1).
    assert found["groups"] == [
        {"key": "A", "rate_then": 1 / 3, "rate_now": 1 / 3},
        {"key": "B", "rate_then": 0.0, "rate_now": 0.5},
        {"key": None, "rate_then": 0.0, "rate_now": 0.0},
    ]


def test_since_in_text_names_the_rate_move_and_each_change(ok: Ok, history: object) -> None:
    text = ok("report", "h", "--since", "2024-07-01")
    assert "changes from 2024-07-01 to 2024-12-15" in text
    # the move of the rates themselves (1/6 to 2/6), not of the rates as rounded
    assert "rate 16.7% on 2024-07-01, 33.3% on 2024-12-15: +16.7 points" in text
    changed = [line.split() for line in text.splitlines() if line.startswith("h:2 ")]
    assert changed[0] == ["h:2", "Beta", "stalled", "fulfilled", "2024-08-20"]
    assert "status changed: 1 item" in text and "added: 1 item" in text
    assert "removed: 1 item" in text and "deadline moved: 1 item" in text
    assert "reason changed: 1 item" in text
    assert "waiting for the partner" in text and "Q1 2025" in text and "Dec 2024" in text


def test_since_must_not_be_after_the_report_day(run: Run, history: object) -> None:
    result = run("report", "h", "--since", "2024-12-20")
    assert result.exit_code == 2
    assert "--since 2024-12-20 is after the report's day 2024-12-15" in result.stderr
    both = run("report", "h", "--since", "2024-07-01", "--recorded-since", "2024-07-01")
    assert both.exit_code == 2 and "give one of them" in both.stderr


# --- trend ---------------------------------------------------------------------------------

QUARTERS = [
    # end of Q1: h:1 F (on the quarter's last day), h:2 h:3 h:7 not started, h:4 in progress
    {"period": "2024-Q1", "start": "2024-01-01", "end": "2024-03-31", "total": 5,
     "fulfilled": 1, "partial": 0, "not_fulfilled": 0, "withdrawn": 0, "open": 4,
     "rate": 1 / 5},
    # Q2: h:5 added, h:3 withdrawn on 06-30, h:2 stalled
    {"period": "2024-Q2", "start": "2024-04-01", "end": "2024-06-30", "total": 6,
     "fulfilled": 0, "partial": 0, "not_fulfilled": 0, "withdrawn": 1, "open": 4,
     "rate": 1 / 6},
    # Q3: h:6 added, h:2 fulfilled; h:5's not-fulfilled was undone
    {"period": "2024-Q3", "start": "2024-07-01", "end": "2024-09-30", "total": 7,
     "fulfilled": 1, "partial": 0, "not_fulfilled": 0, "withdrawn": 0, "open": 4,
     "rate": 2 / 7},
    # Q4 (to the day): h:7 removed
    {"period": "2024-Q4", "start": "2024-10-01", "end": "2024-12-15", "total": 6,
     "fulfilled": 0, "partial": 0, "not_fulfilled": 0, "withdrawn": 0, "open": 3,
     "rate": 2 / 6},
]


def test_trend_by_quarter_from_the_plans_start(ok: Ok, history: object) -> None:
    assert jok(ok, "trend", "h") == {"by": "quarter", "from": "2024-01-01", "to": DAY,
                                     "periods": QUARTERS}


def test_trend_by_month_within_a_span(ok: Ok, history: object) -> None:
    found = jok(ok, "trend", "h", "--by", "month", "--from", "2024-03-01", "--to",
                "2024-04-30")
    assert found["periods"] == [
        # h:4's back-dated in-progress of 03-01 is in March, not before it
        {"period": "2024-03", "start": "2024-03-01", "end": "2024-03-31", "total": 5,
         "fulfilled": 1, "partial": 0, "not_fulfilled": 0, "withdrawn": 0, "open": 4,
         "rate": 0.2},
        {"period": "2024-04", "start": "2024-04-01", "end": "2024-04-30", "total": 6,
         "fulfilled": 0, "partial": 0, "not_fulfilled": 0, "withdrawn": 0, "open": 5,
         "rate": 1 / 6},
    ]
    year = jok(ok, "trend", "h", "--by", "year")["periods"]
    assert [(p["period"], p["start"], p["end"], p["fulfilled"], p["withdrawn"]) for p in year] \
        == [("2024", "2024-01-01", DAY, 2, 1)]


def test_trend_of_several_plans_is_a_series_each_and_the_total(
        ok: Ok, history: Callable[[str], None]) -> None:
    history("2024-12-01")
    ok("plan", "add", "g", "--title", "Second")
    ok("add", "g", "One", "--on", "2024-04-01")
    ok("update", "g:1", "--status", "fulfilled", "--on", "2024-05-01")
    history(DAY)
    found = jok(ok, "trend", "h", "g")
    assert [p["plan"] for p in found["plans"]] == ["h", "g"]
    assert found["plans"][0]["periods"] == QUARTERS
    assert [(p["total"], p["fulfilled"], p["rate"]) for p in found["plans"][1]["periods"]] == [
        (0, 0, None), (1, 1, 1.0), (1, 0, 1.0), (1, 0, 1.0)]
    assert [(p["total"], p["fulfilled"], p["withdrawn"], p["open"], p["rate"])
            for p in found["periods"]] == [
        (5, 1, 0, 4, 1 / 5), (7, 1, 1, 4, 2 / 7), (8, 1, 0, 4, 3 / 8), (7, 0, 0, 3, 3 / 7)]


def test_trend_in_text_csv_and_russian(ok: Ok, history: object) -> None:
    text = ok("trend", "h")
    rows = [line.split() for line in text.splitlines() if line.startswith("Q")]
    assert rows[0] == ["Q1", "2024", "5", "1", "0", "0", "0", "4", "20.0%"]
    assert rows[3] == ["Q4", "2024", "6", "0", "0", "0", "0", "3", "33.3%"]
    # the chart: a bar per quarter as long as what was reached in it (1, 1, 1, 0)
    bars = [line for line in text.splitlines() if line.startswith("Q") and "█" in line
            or line.startswith("Q") and "░" in line]
    assert len(bars) == 3
    assert "░" in bars[1] and "█" not in bars[1]  # Q2: one withdrawn
    csv_text = ok("trend", "h", "--format", "csv")
    assert csv_text.splitlines()[0] == ("plan,period,start,end,total,fulfilled,partial,"
                                        "not_fulfilled,withdrawn,open,rate")
    assert csv_text.splitlines()[1] == "h,2024-Q1,2024-01-01,2024-03-31,5,1,0,0,0,4,0.2"
    russian = ok("--lang", "ru", "trend", "h")
    assert "I квартал 2024 г." in russian and "33,3 %" in russian
    assert json.loads(ok("--lang", "ru", "trend", "h", "-f", "json")) == jok(ok, "trend", "h")


def test_trend_refuses_a_span_that_runs_backwards(run: Run, history: object) -> None:
    result = run("trend", "h", "--from", "2024-06-01", "--to", "2024-05-01")
    assert result.exit_code == 2
    assert "--from 2024-06-01 is after --to 2024-05-01" in result.stderr


# --- the deadlines ahead -------------------------------------------------------------------


def test_the_report_lists_open_items_due_in_the_next_days(ok: Ok, history: object) -> None:
    # open now: h:4 (due Q1 2025, ends 03-31), h:5 (Q4 2024, ends 12-31), h:6 (2025-01-10)
    entry = jok(ok, "report", "h")["plans"][0]
    assert [(d["id"], d["due"]) for d in entry["due_soon"]] == [("h:5", "2024-Q4"),
                                                              ("h:6", "2025-01-10")]
    assert jok(ok, "report", "h", "--due-within", "15")["plans"][0]["due_soon"] == []
    assert [d["id"] for d in jok(ok, "report", "h", "--due-within", "16")["plans"][0][
        "due_soon"]] == ["h:5"]
    assert jok(ok, "report", "h", "--due-within", "16")["due_within"] == 16
    text = ok("report", "h")
    assert "due in the next 30 days, by 2025-01-14 (2)" in text
    listed = jok(ok, "list", "--due-within", "30", "--sort", "due")
    assert [i["id"] for i in listed] == ["h:5", "h:6"]
    assert jok(ok, "list", "h", "--due-within", "0") == []


# --- the overview --------------------------------------------------------------------------


def test_fifty_plans_fit_on_a_screen(ok: Ok, monkeypatch: pytest.MonkeyPatch) -> None:
    for n in range(50):
        ok("plan", "add", f"plan-{n:02d}", "--title",
           f"Plan number {n} of the council, with a title long enough to need cutting")
        ok("add", f"plan-{n:02d}", "A measure", *(("--status", "fulfilled") if n % 2 else ()))
    monkeypatch.setattr("tracker.cli.common.terminal_width", lambda: 100)
    text = ok("report")
    lines = text.splitlines()
    assert len(lines) <= 60, len(lines)
    assert max(len(line) for line in lines) <= 100
    assert lines[0] == "50 plans as of 2026-01-15"
    total = next(line for line in lines if line.startswith("total"))
    assert total.split()[1:5] == ["50", "50", "25", "50.0%"]
    assert "Plan number 7 of the council" in text and "…" in text  # cut, not wrapped
    full = ok("report", "--full")
    assert full.count("closed but not fulfilled") == 50
    assert len(jok(ok, "report")["plans"]) == 50  # JSON unchanged: every plan's entry


# --- the documents -------------------------------------------------------------------------


def test_the_trend_workbook_has_its_rows_and_a_native_chart(ok: Ok, history: object,
                                                           tmp_path: Path) -> None:
    import zipfile

    from openpyxl import load_workbook

    target = tmp_path / "trend.xlsx"
    ok("trend", "h", "--format", "xlsx", "-o", str(target))
    sheet = load_workbook(target).worksheets[0]
    assert sheet.title == "Trend"
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=6, max_row=9)]
    assert [r[0] for r in rows] == ["Q1 2024", "Q2 2024", "Q3 2024", "Q4 2024"]
    assert [r[3:10] for r in rows] == [
        [q["total"], q["fulfilled"], q["partial"], q["not_fulfilled"], q["withdrawn"],
         q["open"], pytest.approx(q["rate"])] for q in QUARTERS]
    with zipfile.ZipFile(target) as archive:
        charts = [archive.read(n).decode() for n in archive.namelist()
                  if n.startswith("xl/charts/chart")]
    assert len(charts) == 1
    assert "<c:barChart>" in charts[0] and "<c:lineChart>" in charts[0]
    assert "Trend!$J$6:$J$9" in charts[0]  # the line is the rate column


def test_the_word_report_carries_the_changes_since(ok: Ok, history: object,
                                                  tmp_path: Path) -> None:
    from docx import Document

    target = tmp_path / "since.docx"
    ok("--lang", "ru", "report", "h", "--since", "2024-07-01", "--format", "docx", "-o",
       str(target))
    document = Document(str(target))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "01.07.2024" in text and "16,7 %" in text and "33,3 %" in text
    cells = [[c.text for c in row.cells] for t in document.tables for row in t.rows]
    assert ["h:2", "Beta", "приостановлено", "исполнено", "20.08.2024", ""] in cells
    assert ["h:4", "Delta", "декабрь 2024 г.", "I квартал 2025 г.", "the venue moved",
            "decision of 10.07.2024"] in cells


def test_the_html_page_of_a_plan_with_history_shows_its_rate_month_by_month(
        ok: Ok, history: object) -> None:
    page = ok("report", "h", "--format", "html")
    (spark,) = re.findall(r'<svg class="spark" id="trend-h".*?</svg>', page, re.S)
    points = re.search(r'<polyline points="([^"]+)"', spark)
    assert points is not None
    assert len(points.group(1).split()) == 12  # January to December 2024
    assert ("rate at each period's end: 0.0% (Jan 2024) → 33.3% (Dec 2024)"
            in html.unescape(page))


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_on_an_80_column_terminal_every_line_fits(ok: Ok, history: Callable[[str], None],
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  lang: str) -> None:
    history("2024-12-01")
    ok("plan", "add", "g", "--title", "A second plan whose title is long enough to be cut "
       "on a terminal of eighty columns")
    ok("add", "g", "One", "--on", "2024-04-01")
    history(DAY)
    monkeypatch.setattr("tracker.cli.common.terminal_width", lambda: 80)
    for args in (["trend", "h"], ["trend"], ["trend", "h", "--by", "month"],
                 ["report", "--since", "2024-07-01"], ["report", "h", "--since", "2024-07-01"]):
        text = ok("--lang", lang, *args)
        assert max(len(line) for line in text.splitlines()) <= 80, (args, text)
    # In Russian the trend's columns that stay 0 give way, and it says which.
    trend = ok("--lang", lang, "trend", "h")
    if lang == "ru":
        assert "(не показаны графы, во всех периодах равные 0: частично, не исполнено)" in trend
    else:
        header = next(line for line in trend.splitlines() if line.startswith("period"))
        assert header.split() == ["period", "items", "fulfilled", "partial", "not",
                                  "fulfilled", "withdrawn", "open", "rate"]  # all fit


def test_a_rates_move_is_of_the_rates_not_of_their_rounded_figures() -> None:
    from tracker.i18n import activate
    from tracker.render.common import points_text

    assert points_text(1 / 3, 2 / 3) == "+33.3 points"  # 33.3% and 66.7% as shown
    assert points_text(2 / 3, 1 / 3) == "-33.3 points"
    assert points_text(0.5, 0.5) == "0.0 points"
    assert points_text(0.5, 0.5 + 1 / 5000) == "+0.1 points"  # moved, if by 0.02
    assert points_text(None, 0.5) == "n/a"
    activate("ru")
    try:
        assert points_text(1 / 3, 2 / 3) == "+33,3 п. п."
    finally:
        activate("en")
