"""Deadlines as plans write them (SPEC §3.1) and dates as Russian users write them (§3):
every form parsed, stored, shown, sorted, judged overdue on the right day, and carried
through CSV and XLSX exactly."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from tests.helpers import Ok, Run, jok, snapshot
from tracker.errors import InvalidValue
from tracker.periods import (
    ONGOING,
    PLAN_YEAR,
    due_end,
    due_sort_key,
    parse_period,
    period_text,
    with_plan_year,
)

# written form → (canonical, English text, Russian text, last day)
FORMS = {
    "2023-11-23": ("2023-11-23", "2023-11-23", "до 23.11.2023", "2023-11-23"),
    "23.11.2023": ("2023-11-23", "2023-11-23", "до 23.11.2023", "2023-11-23"),
    "до 23.11.2023": ("2023-11-23", "2023-11-23", "до 23.11.2023", "2023-11-23"),
    "2023-11": ("2023-11", "Nov 2023", "ноябрь 2023 г.", "2023-11-30"),
    "11.2023": ("2023-11", "Nov 2023", "ноябрь 2023 г.", "2023-11-30"),
    "ноябрь 2023 г.": ("2023-11", "Nov 2023", "ноябрь 2023 г.", "2023-11-30"),
    "февраль 2024 г.": ("2024-02", "Feb 2024", "февраль 2024 г.", "2024-02-29"),
    "2023-Q4": ("2023-Q4", "Q4 2023", "IV квартал 2023 г.", "2023-12-31"),
    "IV квартал 2023 г.": ("2023-Q4", "Q4 2023", "IV квартал 2023 г.", "2023-12-31"),
    "4 квартал 2023": ("2023-Q4", "Q4 2023", "IV квартал 2023 г.", "2023-12-31"),
    "II квартал 2024 г.": ("2024-Q2", "Q2 2024", "II квартал 2024 г.", "2024-06-30"),
    "2023-H1": ("2023-H1", "H1 2023", "I полугодие 2023 г.", "2023-06-30"),
    "I полугодие 2023 г.": ("2023-H1", "H1 2023", "I полугодие 2023 г.", "2023-06-30"),
    "2023": ("2023", "2023", "в течение 2023 г.", "2023-12-31"),
    "2023 г.": ("2023", "2023", "в течение 2023 г.", "2023-12-31"),
    "в течение 2023 года": ("2023", "2023", "в течение 2023 г.", "2023-12-31"),
    "2023..2024": ("2023..2024", "2023–2024", "2023–2024 гг.", "2024-12-31"),
    "2023–2024 гг.": ("2023..2024", "2023–2024", "2023–2024 гг.", "2024-12-31"),
    "2023-Q3..2024-Q2": ("2023-Q3..2024-Q2", "Q3 2023 – Q2 2024",
                         "III квартал 2023 г. – II квартал 2024 г.", "2024-06-30"),
    "ongoing": ("ongoing", "ongoing", "постоянно", None),
    "постоянно": ("ongoing", "ongoing", "постоянно", None),
    "на постоянной основе": ("ongoing", "ongoing", "постоянно", None),
}


@pytest.mark.parametrize("written", list(FORMS))
def test_every_form_is_read_stored_shown_and_ends_on_its_last_day(written: str) -> None:
    canonical, english, russian, last = FORMS[written]
    assert parse_period(written) == canonical
    assert period_text(canonical) == english
    assert period_text(canonical, "ru") == russian
    assert due_end(canonical) == last
    # each text form reads back as the same period
    assert parse_period(english) == canonical
    assert parse_period(russian) == canonical


def test_in_the_course_of_the_year_takes_the_plans_year() -> None:
    assert parse_period("в течение года") == PLAN_YEAR
    assert with_plan_year(PLAN_YEAR, "2023-01-01", None) == "2023"
    assert with_plan_year(PLAN_YEAR, None, "2023-12-31") == "2023"
    with pytest.raises(InvalidValue, match="needs the plan's year"):
        with_plan_year(PLAN_YEAR, None, None)
    with pytest.raises(InvalidValue, match="the year is not clear"):
        with_plan_year(PLAN_YEAR, "2023-06-01", "2024-05-31")


@pytest.mark.parametrize("bad", ["soon", "2023-13", "2023-Q5", "2023-H3", "2024..2023",
                                 "31.02.2023", "Q4", "ongoing..2024", "2023..2023",
                                 "в течение года..2024", "квартал 2023"])
def test_anything_else_is_refused_with_the_accepted_forms(bad: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        parse_period(bad)
    assert refused.value.message.startswith(("invalid deadline", "invalid date"))


def test_the_accepted_forms_are_listed_in_the_error() -> None:
    with pytest.raises(InvalidValue) as refused:
        parse_period("soon")
    for form in ("23.11.2023", "2023-Q4", "«IV квартал 2023 г.»", "2023..2024", "ongoing"):
        assert form in refused.value.message


def test_sorting_by_deadline_sorts_by_the_last_day_ongoing_then_none_last() -> None:
    dues = ["ongoing", None, "2024", "2023-Q4", "2023-12-15", "2023-11", "2023..2024",
            "2024-H1"]
    ordered = sorted(dues, key=due_sort_key)
    assert ordered == ["2023-11", "2023-12-15", "2023-Q4", "2024-H1", "2024", "2023..2024",
                       "ongoing", None]


# --- through the command line ------------------------------------------------------------


@pytest.mark.parametrize("written, canonical, last, overdue_from", [
    ("IV квартал 2023 г.", "2023-Q4", "2023-12-31", "2024-01-01"),
    ("2023-11", "2023-11", "2023-11-30", "2023-12-01"),
    ("I полугодие 2024 г.", "2024-H1", "2024-06-30", "2024-07-01"),
    ("2023–2024 гг.", "2023..2024", "2024-12-31", "2025-01-01"),
    ("до 23.11.2023", "2023-11-23", "2023-11-23", "2023-11-24"),
])
def test_a_period_is_overdue_the_day_after_its_last_day(
        ok: Ok, written: str, canonical: str, last: str, overdue_from: str) -> None:
    ok("plan", "add", "p", "--title", "P")
    ok("add", "p", "Measure", "--due", written, "--on", "2023-01-01")
    item = jok(ok, "show", "p:1")
    assert (item["due"], item["due_end"]) == (canonical, last)
    on_last_day = jok(ok, "report", "p", "--as-of", last)["plans"][0]["overdue"]
    day_after = jok(ok, "report", "p", "--as-of", overdue_from)["plans"][0]["overdue"]
    assert on_last_day == []
    assert [o["id"] for o in day_after] == ["p:1"]


def test_ongoing_is_never_overdue(ok: Ok) -> None:
    ok("plan", "add", "p", "--title", "P")
    ok("add", "p", "Keep the register", "--due", "постоянно", "--on", "2020-01-01")
    assert jok(ok, "show", "p:1")["due_end"] is None
    assert jok(ok, "report", "p")["plans"][0]["overdue"] == []
    assert jok(ok, "list", "p", "--overdue") == []


def test_in_the_course_of_the_year_on_the_command_line(ok: Ok, run: Run, db: Path) -> None:
    ok("plan", "add", "dated", "--title", "D", "--start", "01.01.2024", "--end", "31.12.2024")
    ok("add", "dated", "Measure", "--due", "в течение года")
    assert jok(ok, "show", "dated:1")["due"] == "2024"
    ok("plan", "add", "undated", "--title", "U")
    before = snapshot(db)
    refused = run("add", "undated", "Measure", "--due", "в течение года")
    assert refused.exit_code == 2
    assert "needs the plan's year" in refused.stderr
    assert snapshot(db) == before


def test_text_shows_periods_as_people_read_them_and_json_keeps_them_canonical(ok: Ok) -> None:
    ok("plan", "add", "p", "--title", "P")
    for due in ("IV квартал 2023 г.", "2024-H1", "ноябрь 2023 г.", "постоянно", "2023..2024"):
        ok("add", "p", f"Due {due}", "--due", due, "--on", "2023-01-01")
    listed = ok("list", "p")
    for text in ("Q4 2023", "H1 2024", "Nov 2023", "ongoing", "2023–2024"):
        assert text in listed
    assert [i["due"] for i in jok(ok, "list", "p")] == [
        "2023-Q4", "2024-H1", "2023-11", "ongoing", "2023..2024"]
    assert "Q4 2023" in ok("report", "p", "--as-of", "2024-01-15")  # the overdue table


def test_list_due_before_and_sort_by_deadline(ok: Ok) -> None:
    ok("plan", "add", "p", "--title", "P")
    for due in ("2024", "2023-Q4", "ongoing", "2023-11-15"):
        ok("add", "p", f"Due {due}", "--due", due, "--on", "2023-01-01")
    ok("add", "p", "No deadline", "--on", "2023-01-01")
    before = jok(ok, "list", "p", "--due-before", "2024-01-01")
    assert [i["due"] for i in before] == ["2023-Q4", "2023-11-15"]
    assert [i["due"] for i in jok(ok, "list", "p", "--due-before", "31.12.2023")] == [
        "2023-11-15"]  # Q4 ends on the 31st, which is not before the 31st
    assert [i["due"] for i in jok(ok, "list", "p", "--sort", "due")] == [
        "2023-11-15", "2023-Q4", "2024", "ongoing", None]


@pytest.mark.parametrize("option", [["add", "p", "M", "--on", "21.11.2023"],
                                    ["report", "--as-of", "21.11.2023"],
                                    ["log", "--since", "21.11.2023"],
                                    ["plan", "add", "q", "--title", "Q", "--start", "21.11.2023",
                                     "--end", "31.12.2023"],
                                    ["list", "--due-before", "21.11.2023"]])
def test_every_date_option_takes_dd_mm_yyyy(ok: Ok, option: list[str]) -> None:
    ok("plan", "add", "p", "--title", "P")
    ok(*option)


def test_dd_mm_yyyy_means_the_same_day_as_iso(ok: Ok) -> None:
    ok("plan", "add", "p", "--title", "P", "--start", "01.02.2024")
    ok("add", "p", "M", "--on", "21.11.2024", "--due", "31.12.2024")
    assert jok(ok, "plan", "show", "p")["start"] == "2024-02-01"
    item = jok(ok, "show", "p:1")
    assert (item["created"], item["due"]) == ("2024-11-21", "2024-12-31")


def test_periods_round_trip_through_csv_and_xlsx(ok: Ok, tmp_path: Path) -> None:
    ok("plan", "add", "p", "--title", "P", "--start", "2023-01-01", "--end", "2023-12-31")
    for due in FORMS:
        ok("add", "p", f"Due {due}", "--due", due, "--on", "2023-01-01")
    ok("add", "p", "Due the plan's year", "--due", "в течение года", "--on", "2023-01-01")
    expected = [(i["ref"], i["title"], i["due"], i["due_end"]) for i in jok(ok, "list", "p")]
    for fmt in ("csv", "xlsx"):
        target = tmp_path / f"p.{fmt}"
        ok("export", "p", "-f", fmt, "-o", str(target))
        ok("import", f"back-{fmt}", str(target), "--title", "Back")
        back = [(i["ref"], i["title"], i["due"], i["due_end"])
                for i in jok(ok, "list", f"back-{fmt}")]
        assert back == expected, fmt


def test_the_workbook_writes_a_day_as_a_date_and_a_period_as_its_text(
        ok: Ok, tmp_path: Path) -> None:
    import openpyxl

    ok("plan", "add", "p", "--title", "P")
    ok("add", "p", "A day", "--due", "2023-11-23", "--on", "2023-01-01")
    ok("add", "p", "A quarter", "--due", "2023-Q4", "--on", "2023-01-01")
    target = tmp_path / "p.xlsx"
    ok("export", "p", "-f", "xlsx", "-o", str(target))
    sheet = openpyxl.load_workbook(target)["Items"]
    due = [sheet.cell(row, 8).value for row in (2, 3)]
    assert due[0].date() == date(2023, 11, 23)
    assert due[1] == "Q4 2023"


def test_json_items_carry_due_end(ok: Ok) -> None:
    ok("plan", "add", "p", "--title", "P")
    ok("add", "p", "M", "--due", "2024-Q1")
    item = json.loads(ok("list", "p", "-f", "json"))[0]
    assert list(item)[list(item).index("due") + 1] == "due_end"
    assert item["due_end"] == "2024-03-31"
    exported = json.loads(ok("export", "p", "-f", "json"))[0]
    assert exported["due_end"] == "2024-03-31"
    assert ONGOING == "ongoing"
