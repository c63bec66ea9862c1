"""Every command of SPEC §5 that exists, checked by what a user sees on stdout and in JSON."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import TODAY, Run, snapshot
from tracker import __version__

Ok = Callable[..., str]

STATUSES = ["not-started", "in-progress", "stalled", "fulfilled", "partial", "not-fulfilled",
            "withdrawn"]
ITEM_KEYS = {"id", "plan", "ref", "title", "status", "reason", "owners", "responsible",
             "area", "due", "due_end", "due_original", "due_moves", "on_time", "delay_days",
             "on_time_original", "delay_days_original", "weight", "evidence", "created",
             "updated"}
SHOW_KEYS = ITEM_KEYS | {"moves", "history"}
EVENT_KEYS = {"seq", "at", "actor", "effective", "id", "action", "changes", "reason", "note",
              "step"}
EXPORT_HEADER = "plan,ref,title,status,reason,owners,area,due,weight,evidence,updated"
UTC_TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|\+00:00)$")


def jok(ok: Ok, *args: str) -> Any:
    """Run a command with --format json and parse its stdout."""
    return json.loads(ok(*args, "--format", "json"))


def log_events(ok: Ok, *args: str) -> list[dict[str, Any]]:
    return jok(ok, "log", *args)


def check_event_keys(event: dict[str, Any]) -> None:
    keys = set(event)
    if event["action"] == "undo":
        keys.discard("undoes")
    assert keys == EVENT_KEYS, sorted(event)
    assert UTC_TIMESTAMP.match(event["at"]), event["at"]
    assert isinstance(event["changes"], dict)
    for change in event["changes"].values():
        assert isinstance(change, list) and len(change) == 2


def csv_rows(text: str, delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


# --- plan add / list / show / edit / remove -------------------------------------------------


def test_plan_add_and_show(ok: Ok) -> None:
    ok("plan", "add", "csto-2023", "--title", "CSTO action plan 2023", "--org", "CSTO",
       "--start", "2023-01-01", "--end", "2023-12-31",
       "--source", "Collective Security Council decisions, November 2022")
    shown = jok(ok, "plan", "show", "csto-2023")
    assert shown["id"] == "csto-2023"
    assert shown["title"] == "CSTO action plan 2023"
    assert shown["org"] == "CSTO"
    assert shown["start"] == "2023-01-01"
    assert shown["end"] == "2023-12-31"
    assert shown["source"] == "Collective Security Council decisions, November 2022"
    assert "created" in shown
    text = ok("plan", "show", "csto-2023")
    assert "CSTO action plan 2023" in text
    assert "2023-12-31" in text


def test_plan_add_records_a_plan_add_event(ok: Ok) -> None:
    ok("plan", "add", "p", "--title", "Plan P")
    events = log_events(ok)
    assert len(events) == 1
    check_event_keys(events[0])
    assert events[0]["action"] == "plan-add"
    assert events[0]["id"] == "p"
    assert events[0]["actor"] == "tester"
    assert events[0]["effective"] == TODAY


def test_plan_add_accepts_today_for_dates(ok: Ok) -> None:
    ok("plan", "add", "p", "--title", "Plan P", "--start", "today")
    assert jok(ok, "plan", "show", "p")["start"] == TODAY


def test_plan_list_json(plan: str, ok: Ok) -> None:
    ok("plan", "add", "empty", "--title", "Empty plan")
    listed = jok(ok, "plan", "list")
    assert listed == [
        {"id": "empty", "title": "Empty plan", "items": 0, "fulfilled": 0, "rate": None},
        {"id": "p", "title": "Plan P", "items": 3, "fulfilled": 1, "rate": 1 / 3},
    ] or listed == [
        {"id": "p", "title": "Plan P", "items": 3, "fulfilled": 1, "rate": 1 / 3},
        {"id": "empty", "title": "Empty plan", "items": 0, "fulfilled": 0, "rate": None},
    ]


def test_plan_list_text(plan: str, ok: Ok) -> None:
    text = ok("plan", "list")
    line = next(line for line in text.splitlines() if line.startswith("p "))
    assert "Plan P" in line
    assert "33.3%" in line


def test_plan_edit(plan: str, ok: Ok) -> None:
    ok("plan", "edit", "p", "--title", "Plan P, revised", "--org", "Secretariat",
       "--end", "2026-12-31")
    shown = jok(ok, "plan", "show", "p")
    assert shown["title"] == "Plan P, revised"
    assert shown["org"] == "Secretariat"
    assert shown["end"] == "2026-12-31"
    newest = log_events(ok, "p")[0]
    check_event_keys(newest)
    assert newest["id"] == "p"
    assert newest["changes"]["title"] == ["Plan P", "Plan P, revised"]
    assert newest["changes"]["org"][1] == "Secretariat"
    assert newest["changes"]["end"] == [None, "2026-12-31"]


def test_plan_edit_is_undone(plan: str, ok: Ok) -> None:
    ok("plan", "edit", "p", "--title", "Renamed")
    ok("undo", "--yes")
    assert jok(ok, "plan", "show", "p")["title"] == "Plan P"


def test_plan_remove_empty_plan(ok: Ok, run: Run) -> None:
    ok("plan", "add", "empty", "--title", "Empty plan")
    ok("plan", "remove", "empty", "--yes")
    assert jok(ok, "plan", "list") == []
    assert run("plan", "show", "empty").exit_code == 1


def test_plan_remove_with_items_needs_force(plan: str, db: Path, run: Run, ok: Ok) -> None:
    before = snapshot(db)
    result = run("plan", "remove", "p", "--yes")
    assert result.exit_code == 1
    assert "--force" in result.stderr
    assert snapshot(db) == before
    assert len(jok(ok, "list", "p")) == 3


def test_plan_remove_force_and_undo_restores_plan_and_items(plan: str, run: Run, ok: Ok) -> None:
    plans_before = jok(ok, "plan", "list")
    plan_before = jok(ok, "plan", "show", "p")
    items_before = jok(ok, "list")
    ok("plan", "remove", "p", "--force", "--yes")
    assert jok(ok, "plan", "list") == []
    assert jok(ok, "list") == []
    gone = jok(ok, "show", "p:1")  # the journal keeps it: show says it was removed
    assert gone["title"] == "First measure" and gone["removed"]["actor"] == "tester"
    removal = log_events(ok)[0]
    assert removal["action"] == "remove" or removal["action"].startswith("plan-")
    ok("undo", "--yes")
    assert jok(ok, "plan", "list") == plans_before
    assert jok(ok, "plan", "show", "p") == plan_before
    assert jok(ok, "list") == items_before


# --- add ------------------------------------------------------------------------------------


def test_add_prints_the_address_alone(plan: str, run: Run) -> None:
    result = run("add", "p", "Measure 4 (title not published)")
    assert result.exit_code == 0
    assert result.stdout == "p:4\n"


def test_add_with_ref_prints_that_address(plan: str, run: Run) -> None:
    result = run("add", "p", "Sub-measure", "--ref", "3.2")
    assert result.exit_code == 0
    assert result.stdout == "p:3.2\n"


def test_refs_number_after_the_largest_integer_ref(ok: Ok) -> None:
    ok("plan", "add", "q", "--title", "Q")
    assert ok("add", "q", "First", "--ref", "1") == "q:1\n"
    assert ok("add", "q", "Seventh", "--ref", "7") == "q:7\n"
    assert ok("add", "q", "Lettered", "--ref", "a") == "q:a\n"
    assert ok("add", "q", "Next") == "q:8\n"
    assert ok("add", "q", "After that") == "q:9\n"


def test_first_ref_is_1(ok: Ok) -> None:
    ok("plan", "add", "q", "--title", "Q")
    assert ok("add", "q", "Only letters before", "--ref", "x") == "q:x\n"
    assert ok("add", "q", "Numbered") == "q:1\n"


def test_add_defaults(plan: str, ok: Ok) -> None:
    shown = jok(ok, "show", "p:3")
    assert shown["status"] == "not-started"
    assert shown["weight"] == 1
    assert shown["reason"] == ""
    assert shown["owners"] == ["Ann"]
    assert shown["due"] == "2025-12-31"


def test_add_with_every_option(plan: str, ok: Ok) -> None:
    address = ok("add", "p", "International contacts with European organisations",
                 "--ref", "33", "--owner", "Secretariat", "--owner", "Chair",
                 "--area", "External relations", "--due", "2023-12-31", "--weight", "2.5",
                 "--status", "not-fulfilled", "--reason", "primarily because of their stance",
                 "--evidence", "https://example.org/statement", "--on", "2023-11-21")
    assert address == "p:33\n"
    shown = jok(ok, "show", "p:33")
    assert set(shown) == SHOW_KEYS
    assert {k: shown[k] for k in ITEM_KEYS - {"created", "updated"}} == {
        "id": "p:33", "plan": "p", "ref": "33",
        "title": "International contacts with European organisations",
        "status": "not-fulfilled", "reason": "primarily because of their stance",
        "owners": ["Secretariat", "Chair"], "responsible": "Secretariat",
        "area": "External relations", "due": "2023-12-31", "due_end": "2023-12-31",
        "due_original": "2023-12-31", "due_moves": 0, "on_time": None, "delay_days": None,
        "on_time_original": None, "delay_days_original": None, "weight": 2.5,
        "evidence": "https://example.org/statement",
    }
    (event,) = shown["history"]
    check_event_keys(event)
    assert event["action"] == "add"
    assert event["id"] == "p:33"
    assert event["effective"] == "2023-11-21"
    assert event["actor"] == "tester"
    assert event["reason"] == "primarily because of their stance"


def test_add_event_effective_defaults_to_today(plan: str, ok: Ok) -> None:
    ok("add", "p", "Today's measure")
    event = log_events(ok, "p:4")[0]
    assert event["effective"] == TODAY


def test_add_title_starting_with_dash(plan: str, ok: Ok) -> None:
    assert ok("add", "p", "--", "-minus sign first") == "p:4\n"
    assert jok(ok, "show", "p:4")["title"] == "-minus sign first"


# --- update ---------------------------------------------------------------------------------


def test_update_status_and_reason(plan: str, ok: Ok) -> None:
    ok("update", "p:3", "--status", "stalled", "--reason", "awaiting funds", "--note", "call")
    shown = jok(ok, "show", "p:3")
    assert shown["status"] == "stalled"
    assert shown["reason"] == "awaiting funds"
    event = max(shown["history"], key=lambda e: e["seq"])
    check_event_keys(event)
    assert event["action"] == "update"
    assert event["changes"]["status"] == ["not-started", "stalled"]
    assert event["changes"]["reason"] == ["", "awaiting funds"]
    assert event["reason"] == "awaiting funds"
    assert event["note"] == "call"
    assert event["actor"] == "tester"
    assert event["effective"] == TODAY


def test_update_on_sets_effective(plan: str, ok: Ok, run: Run) -> None:
    ok("add", "p", "Older measure", "--ref", "9", "--on", "2023-01-01")
    ok("update", "p:9", "--status", "fulfilled", "--on", "2023-05-01")
    event = log_events(ok, "p:9")[0]
    assert event["action"] == "update"
    assert event["effective"] == "2023-05-01"
    # history typed in after the fact: a change before the item was added moves it back
    ok("update", "p:9", "--status", "stalled", "--on", "2022-12-31")
    assert jok(ok, "show", "p:9")["created"] == "2022-12-31"
    assert log_events(ok, "p:9")[0]["changes"]["created"] == ["2023-01-01", "2022-12-31"]
    # a change cannot happen in the future
    future = run("update", "p:9", "--status", "stalled", "--on", "2026-01-16")
    assert future.exit_code == 2 and "in the future" in future.stderr


def test_a_late_correction_lands_where_it_belongs(plan: str, ok: Ok) -> None:
    """Today's state is the fold of the history by effective date, like --as-of."""
    ok("add", "p", "Corrected", "--ref", "9", "--on", "2024-01-10")
    ok("update", "p:9", "--status", "fulfilled", "--on", "2024-03-01")
    ok("update", "p:9", "--status", "in-progress", "--on", "2024-02-15")  # typed later
    now = json.loads(ok("show", "p:9", "-f", "json"))
    assert (now["status"], now["updated"]) == ("fulfilled", "2024-03-01")
    as_of = json.loads(ok("report", "p", "--as-of", "2026-01-15", "-f", "json"))
    plain = json.loads(ok("report", "p", "-f", "json"))
    assert as_of["plans"][0]["by_status"] == plain["plans"][0]["by_status"]
    feb = json.loads(ok("report", "p", "--as-of", "2024-02-20", "-f", "json"))
    assert feb["plans"][0]["by_status"]["in-progress"] == 1


def test_a_reused_ref_starts_a_new_life(plan: str, ok: Ok) -> None:
    ok("add", "p", "Old fourth", "--on", "2024-05-01")
    ok("remove", "p:4", "--yes")
    ok("add", "p", "New fourth", "--on", "2024-02-01")  # the same ref again
    plain = json.loads(ok("report", "p", "-f", "json"))
    as_of = json.loads(ok("report", "p", "--as-of", "2026-01-15", "-f", "json"))
    assert plain["plans"][0]["total"] == as_of["plans"][0]["total"] == 4
    titles = {i["ref"]: i["title"] for i in json.loads(ok("list", "p", "-f", "json"))}
    assert titles["4"] == "New fourth"


@pytest.mark.file_only
def test_actor_comes_from_tracker_user(plan: str, ok: Ok, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_USER", "alice")
    ok("update", "p:3", "--status", "in-progress")
    events = log_events(ok, "p:3")
    assert events[0]["actor"] == "alice"
    assert events[-1]["actor"] == "tester"


def test_update_several_items_is_one_step_and_one_undo(plan: str, ok: Ok) -> None:
    ok("add", "p", "Fourth measure")
    ok("update", "p:3", "p:4", "--status", "fulfilled")
    events = log_events(ok)
    newest_two = events[:2]
    assert {e["id"] for e in newest_two} == {"p:3", "p:4"}
    assert all(e["action"] == "update" for e in newest_two)
    assert newest_two[0]["step"] == newest_two[1]["step"]
    assert events[2]["step"] < newest_two[0]["step"]
    assert events[0]["seq"] > events[1]["seq"]
    ok("undo", "--yes")
    assert jok(ok, "show", "p:3")["status"] == "not-started"
    assert jok(ok, "show", "p:4")["status"] == "not-started"
    assert jok(ok, "show", "p:1")["status"] == "fulfilled"


def test_update_other_fields(plan: str, ok: Ok) -> None:
    ok("update", "p:3", "--title", "Third measure, renamed", "--owner", "Bob",
       "--owner", "Ann", "--area", "Security", "--weight", "3", "--evidence", "minutes")
    shown = jok(ok, "show", "p:3")
    assert shown["title"] == "Third measure, renamed"
    assert shown["owners"] == ["Bob", "Ann"]
    assert shown["area"] == "Security"
    assert shown["weight"] == 3
    assert shown["evidence"] == "minutes"
    event = log_events(ok, "p:3")[0]
    assert event["changes"]["owners"] == [["Ann"], ["Bob", "Ann"]]
    assert event["changes"]["weight"] == [1, 3]


def test_update_due_none_clears_the_deadline(plan: str, ok: Ok) -> None:
    ok("update", "p:3", "--due", "none", "--reason", "the decision no longer sets one")
    shown = jok(ok, "show", "p:3")
    assert shown["due"] is None and shown["due_original"] == "2025-12-31"
    assert shown["due_moves"] == 1
    assert log_events(ok, "p:3")[0]["changes"]["due"] == ["2025-12-31", None]


# --- list -----------------------------------------------------------------------------------


def ids(items: list[dict[str, Any]]) -> list[str]:
    return [i["id"] for i in items]


def test_list_json_items(plan: str, ok: Ok) -> None:
    items = jok(ok, "list", "p")
    assert ids(items) == ["p:1", "p:2", "p:3"]
    assert all(set(i) == ITEM_KEYS for i in items)
    assert items[1]["status"] == "not-fulfilled"
    assert items[1]["reason"] == "partner refused"


def test_list_without_plan_lists_every_plan(plan: str, ok: Ok) -> None:
    ok("plan", "add", "other", "--title", "Other")
    ok("add", "other", "Other's measure")
    assert set(ids(jok(ok, "list"))) == {"p:1", "p:2", "p:3", "other:1"}
    assert ids(jok(ok, "list", "other")) == ["other:1"]


def test_list_refs_in_natural_order(ok: Ok) -> None:
    ok("plan", "add", "q", "--title", "Q")
    for ref in ["10", "2", "1"]:
        ok("add", "q", f"Measure {ref} (title not published)", "--ref", ref)
    assert ids(jok(ok, "list", "q")) == ["q:1", "q:2", "q:10"]


def test_list_filter_status(plan: str, ok: Ok) -> None:
    assert ids(jok(ok, "list", "--status", "fulfilled")) == ["p:1"]
    assert ids(jok(ok, "list", "--status", "fulfilled", "--status", "not-fulfilled")) == \
        ["p:1", "p:2"]
    assert jok(ok, "list", "--status", "withdrawn") == []


def test_list_filter_owner_and_area(plan: str, ok: Ok) -> None:
    ok("add", "p", "Shared", "--owner", "Bob", "--owner", "Ann", "--area", "Security")
    assert ids(jok(ok, "list", "--owner", "Ann")) == ["p:3", "p:4"]
    assert ids(jok(ok, "list", "--owner", "Bob")) == ["p:4"]
    assert ids(jok(ok, "list", "--area", "Security")) == ["p:4"]
    assert jok(ok, "list", "--owner", "Nobody") == []


def test_list_overdue(plan: str, ok: Ok) -> None:
    ok("add", "p", "Due later", "--due", "2026-06-30")
    ok("add", "p", "Closed but late", "--due", "2025-01-01", "--status", "fulfilled")
    ok("add", "p", "Due today", "--due", TODAY)
    assert ids(jok(ok, "list", "--overdue")) == ["p:3"]


def test_list_format_json(plan: str, ok: Ok) -> None:
    assert isinstance(json.loads(ok("list", "--format", "json")), list)


def test_list_format_table_default(plan: str, ok: Ok) -> None:
    text = ok("list", "p")
    assert "Second measure" in text and "partner refused" in text
    assert re.search(r"^p:2\s+not-fulfilled\s+Second measure", text, re.M)


def test_list_format_plain(plan: str, ok: Ok) -> None:
    text = ok("list", "p", "--format", "plain")
    assert re.search(r"^p:2\s+not-fulfilled\s+Second measure", text, re.M)
    assert "|" not in text
    assert not re.search(r"^[-+ ]*-{3,}[-+ ]*$", text, re.M)


def test_list_format_grid(plan: str, ok: Ok) -> None:
    text = ok("list", "p", "--format", "grid")
    lines = text.splitlines()
    assert lines[0].startswith("+") and lines[-1].startswith("+")
    assert any(line.startswith("|") and "p:2" in line for line in lines)


def test_list_format_markdown(plan: str, ok: Ok) -> None:
    text = ok("list", "p", "--format", "markdown")
    lines = [line for line in text.splitlines() if line.strip()]
    assert all(line.startswith("|") and line.endswith("|") for line in lines)
    assert re.match(r"^\|\s*:?-{3,}", lines[1])
    assert any("p:2" in line and "partner refused" in line for line in lines)


def test_list_format_csv(plan: str, ok: Ok) -> None:
    rows = csv_rows(ok("list", "p", "--format", "csv"))
    header, *data = rows
    assert "id" in header and "status" in header and "title" in header
    by_id = {row[header.index("id")]: row for row in data}
    assert set(by_id) == {"p:1", "p:2", "p:3"}
    assert by_id["p:2"][header.index("status")] == "not-fulfilled"


# --- show -----------------------------------------------------------------------------------


def test_show_json_has_item_keys_and_history(plan: str, ok: Ok) -> None:
    ok("update", "p:2", "--note", "checked", "--evidence", "statement of 21 Nov 2023")
    shown = jok(ok, "show", "p:2")
    assert set(shown) == SHOW_KEYS
    assert shown["id"] == "p:2" and shown["plan"] == "p" and shown["ref"] == "2"
    assert [e["action"] for e in sorted(shown["history"], key=lambda e: e["seq"])] == \
        ["add", "update"]
    for event in shown["history"]:
        check_event_keys(event)
        assert event["id"] == "p:2"


def test_show_text_lists_history(plan: str, ok: Ok) -> None:
    ok("update", "p:3", "--status", "in-progress", "--note", "kick-off meeting")
    text = ok("show", "p:3")
    assert "Third measure" in text
    assert "in-progress" in text
    assert "kick-off meeting" in text
    assert re.search(r"\badd\b", text) and re.search(r"\bupdate\b", text)


# --- remove ---------------------------------------------------------------------------------


def test_remove_and_undo_restores_item_with_history(plan: str, run: Run, ok: Ok) -> None:
    ok("update", "p:3", "--status", "stalled", "--reason", "no funds")
    before = jok(ok, "show", "p:3")
    ok("remove", "p:3", "--yes")
    gone = jok(ok, "show", "p:3")
    assert gone["removed"]["step"] == max(e["step"] for e in gone["history"])
    assert {k: gone[k] for k in ITEM_KEYS} == {k: before[k] for k in ITEM_KEYS}
    assert ids(jok(ok, "list", "p")) == ["p:1", "p:2"]
    removal = log_events(ok)[0]
    check_event_keys(removal)
    assert removal["action"] == "remove" and removal["id"] == "p:3"
    ok("undo", "--yes")
    after = jok(ok, "show", "p:3")
    assert {k: after[k] for k in ITEM_KEYS} == {k: before[k] for k in ITEM_KEYS}
    actions = [e["action"] for e in sorted(after["history"], key=lambda e: e["seq"])]
    assert actions[:2] == ["add", "update"]
    assert "remove" in actions and actions[-1] == "undo"
    text = ok("show", "p:3")
    assert "no funds" in text
    assert re.search(r"\badd\b", text) and re.search(r"\bupdate\b", text)


def test_remove_several_items_is_one_undo(plan: str, ok: Ok) -> None:
    ok("remove", "p:1", "p:2", "--yes")
    assert ids(jok(ok, "list", "p")) == ["p:3"]
    ok("undo", "--yes")
    assert ids(jok(ok, "list", "p")) == ["p:1", "p:2", "p:3"]


# --- report ---------------------------------------------------------------------------------


def test_report_json_document(plan: str, ok: Ok) -> None:
    doc = jok(ok, "report", "p")
    assert set(doc) == {"as_of", "due_within", "rules", "plans", "total"}
    assert doc["as_of"] == TODAY
    assert doc["due_within"] == 30
    assert doc["rules"] == {"exclude_withdrawn": False, "partial_credit": 0}
    (entry,) = doc["plans"]
    assert set(entry) == {"plan", "title", "total", "counted", "fulfilled", "rate", "by_status",
                          "unfulfilled", "overdue", "due_soon", "counted_weight", "credit",
                          "groups"}
    overdue = entry.pop("overdue")
    assert entry.pop("due_soon") == []
    assert entry == {
        "plan": "p", "title": "Plan P", "total": 3, "counted": 3, "fulfilled": 1,
        "rate": 1 / 3,
        "by_status": {"not-started": 1, "in-progress": 0, "stalled": 0, "fulfilled": 1,
                      "partial": 0, "not-fulfilled": 1, "withdrawn": 0},
        "unfulfilled": [{"id": "p:2", "ref": "2", "title": "Second measure",
                         "status": "not-fulfilled", "reason": "partner refused"}],
        "counted_weight": 3, "credit": 1, "groups": [],
    }
    assert set(entry["by_status"]) == set(STATUSES)
    assert [o["id"] for o in overdue] == ["p:3"]
    assert overdue[0]["due"] == "2025-12-31"
    assert overdue[0]["title"] == "Third measure"
    assert doc["total"] == {"total": 3, "counted": 3, "fulfilled": 1, "counted_weight": 3,
                            "credit": 1, "rate": 1 / 3}


def test_report_text(plan: str, ok: Ok) -> None:
    text = ok("report", "p")
    assert "fulfilled 1 of 3  33.3%" in text
    assert "partner refused" in text
    assert "p:2" in text and "p:3" in text
    assert re.search(r"\b1\s*/\s*3\b", text)  # numerator and denominator of the rule


def test_report_rules_partial_credit_and_withdrawn(plan: str, ok: Ok) -> None:
    ok("add", "p", "Partly done", "--status", "partial")
    ok("add", "p", "Dropped", "--status", "withdrawn", "--reason", "merged into 1")
    default = jok(ok, "report", "p")["plans"][0]
    assert (default["total"], default["counted"], default["fulfilled"]) == (5, 5, 1)
    assert default["rate"] == pytest.approx(1 / 5)
    assert {u["id"] for u in default["unfulfilled"]} == {"p:2", "p:4", "p:5"}
    half = jok(ok, "report", "p", "--partial-credit", "0.5")
    assert half["rules"] == {"exclude_withdrawn": False, "partial_credit": 0.5}
    assert half["plans"][0]["rate"] == pytest.approx(1.5 / 5)
    assert half["plans"][0]["credit"] == pytest.approx(1.5)
    excl = jok(ok, "report", "p", "--exclude-withdrawn")
    assert excl["rules"]["exclude_withdrawn"] is True
    assert (excl["plans"][0]["total"], excl["plans"][0]["counted"]) == (5, 4)
    assert excl["plans"][0]["rate"] == pytest.approx(1 / 4)
    assert "fulfilled 1 of 4  25.0%" in ok("report", "p", "--exclude-withdrawn")


def test_report_weights(ok: Ok) -> None:
    ok("plan", "add", "w", "--title", "Weighted")
    ok("add", "w", "Heavy", "--weight", "3", "--status", "fulfilled")
    ok("add", "w", "Light", "--weight", "1")
    entry = jok(ok, "report", "w")["plans"][0]
    assert entry["counted_weight"] == 4
    assert entry["credit"] == 3
    assert entry["rate"] == pytest.approx(0.75)
    assert entry["fulfilled"] == 1


def test_report_by_owner_counts_each_owner(plan: str, ok: Ok) -> None:
    ok("add", "p", "Shared", "--owner", "Ann", "--owner", "Bob", "--status", "fulfilled")
    groups = jok(ok, "report", "p", "--by", "owner")["plans"][0]["groups"]
    by_key = {g["key"]: g for g in groups}
    assert all(set(g) == {"key", "total", "counted", "fulfilled", "rate"} for g in groups)
    assert by_key["Ann"]["total"] == 2 and by_key["Ann"]["fulfilled"] == 1
    assert by_key["Bob"]["total"] == 1 and by_key["Bob"]["rate"] == 1


def test_report_as_of(ok: Ok) -> None:
    ok("plan", "add", "h", "--title", "History")
    ok("add", "h", "Measure 1 (title not published)", "--on", "2023-01-01")
    ok("update", "h:1", "--status", "fulfilled", "--on", "2023-06-01")
    before = jok(ok, "report", "h", "--as-of", "2023-05-31")
    assert before["as_of"] == "2023-05-31"
    assert (before["plans"][0]["total"], before["plans"][0]["fulfilled"]) == (1, 0)
    after = jok(ok, "report", "h", "--as-of", "2023-06-01")
    assert (after["plans"][0]["total"], after["plans"][0]["fulfilled"]) == (1, 1)
    empty = jok(ok, "report", "h", "--as-of", "2022-12-31")
    assert empty["plans"][0]["total"] == 0
    assert empty["plans"][0]["rate"] is None
    assert "n/a" in ok("report", "h", "--as-of", "2022-12-31")


def test_report_several_plans_has_total(plan: str, ok: Ok) -> None:
    ok("plan", "add", "other", "--title", "Other")
    ok("add", "other", "Done", "--status", "fulfilled")
    doc = jok(ok, "report", "p", "other")
    assert [e["plan"] for e in doc["plans"]] == ["p", "other"]
    assert doc["total"]["total"] == 4 and doc["total"]["fulfilled"] == 2
    assert doc["total"]["rate"] == pytest.approx(0.5)


def test_report_to_file(plan: str, ok: Ok, tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    stdout = ok("report", "p", "-o", str(target))
    assert "fulfilled 1 of 3" not in stdout
    assert "fulfilled 1 of 3  33.3%" in target.read_text(encoding="utf-8-sig")


# --- export ---------------------------------------------------------------------------------


def test_export_csv_to_stdout(plan: str, run: Run) -> None:
    result = run("export", "p")
    assert result.exit_code == 0
    assert not result.stdout.startswith("\ufeff")
    assert result.stdout.splitlines()[0] == EXPORT_HEADER
    header, *rows = csv_rows(result.stdout)
    assert header == EXPORT_HEADER.split(",")
    assert [row[:10] for row in rows] == [
        ["p", "1", "First measure", "fulfilled", "", "", "", "", "1", ""],
        ["p", "2", "Second measure", "not-fulfilled", "partner refused", "", "", "", "1", ""],
        ["p", "3", "Third measure", "not-started", "", "Ann", "", "2025-12-31", "1", ""],
    ]


def test_export_joins_owners(plan: str, ok: Ok) -> None:
    ok("add", "p", "Shared", "--owner", "Ann", "--owner", "Bob")
    header, *rows = csv_rows(ok("export", "p"))
    assert rows[-1][header.index("owners")] == "Ann; Bob"


def test_export_to_file_has_bom_and_crlf(plan: str, ok: Ok, tmp_path: Path) -> None:
    ok("add", "p", "Взаимодействие с ОБСЕ")
    target = tmp_path / "out.csv"
    stdout = ok("export", "p", "-o", str(target))
    assert EXPORT_HEADER not in stdout
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data[3:].startswith(EXPORT_HEADER.encode() + b"\r\n")
    assert data.count(b"\n") == data.count(b"\r\n") == 5
    assert "Взаимодействие с ОБСЕ" in data.decode("utf-8-sig")


def test_export_delimiter(plan: str, ok: Ok) -> None:
    text = ok("export", "p", "--delimiter", ";")
    assert text.splitlines()[0] == EXPORT_HEADER.replace(",", ";")
    header, *rows = csv_rows(text, delimiter=";")
    assert rows[1][:5] == ["p", "2", "Second measure", "not-fulfilled", "partner refused"]


@pytest.mark.parametrize("title", ["=SUM(A1:A9)", "+1 measure", "-2 measure", "@cmd measure"])
def test_export_neutralises_formulas(ok: Ok, title: str) -> None:
    ok("plan", "add", "q", "--title", "Q")
    ok("add", "q", "--", title)
    header, row = csv_rows(ok("export", "q"))
    assert row[header.index("title")] == "'" + title


def test_export_neutralises_other_free_text(ok: Ok) -> None:
    ok("plan", "add", "q", "--title", "Q")
    ok("add", "q", "Plain title", "--reason", "=cmd", "--area", "@area", "--evidence", "+ev")
    header, row = csv_rows(ok("export", "q"))
    assert row[header.index("reason")] == "'=cmd"
    assert row[header.index("area")] == "'@area"
    assert row[header.index("evidence")] == "'+ev"


def test_export_json(plan: str, ok: Ok) -> None:
    items = jok(ok, "export", "p")
    assert ids(items) == ["p:1", "p:2", "p:3"]
    assert all(set(i) == ITEM_KEYS for i in items)


def test_export_markdown(plan: str, ok: Ok) -> None:
    text = ok("export", "p", "--format", "markdown")
    lines = [line for line in text.splitlines() if line.strip()]
    assert all(line.startswith("|") for line in lines)
    assert "plan" in lines[0] and "evidence" in lines[0]
    assert any("Second measure" in line and "partner refused" in line for line in lines)


def test_export_all_plans(plan: str, ok: Ok) -> None:
    ok("plan", "add", "other", "--title", "Other")
    ok("add", "other", "Other's measure")
    header, *rows = csv_rows(ok("export"))
    assert {(r[0], r[1]) for r in rows} == {("p", "1"), ("p", "2"), ("p", "3"), ("other", "1")}


# --- import ---------------------------------------------------------------------------------


def test_export_import_round_trip(ok: Ok, tmp_path: Path) -> None:
    ok("plan", "add", "src", "--title", "Source")
    ok("add", "src", "=SUM(A1)", "--owner", "Ann", "--owner", "Bob", "--area", "Área",
       "--due", "2024-03-01", "--weight", "2", "--status", "not-fulfilled",
       "--reason", "their stance; partly", "--evidence", "-see minutes")
    ok("add", "src", "Measure 2 (title not published)", "--ref", "2.1", "--status", "fulfilled")
    target = tmp_path / "src.csv"
    ok("export", "src", "-o", str(target))
    ok("import", "dst", str(target), "--title", "Destination")
    assert jok(ok, "plan", "show", "dst")["title"] == "Destination"
    src = csv_rows(ok("export", "src"))
    dst = csv_rows(ok("export", "dst"))
    assert [row[1:] for row in dst] == [row[1:] for row in src]
    assert jok(ok, "show", "dst:1")["title"] == "=SUM(A1)"
    assert jok(ok, "show", "dst:1")["evidence"] == "-see minutes"
    assert jok(ok, "show", "dst:1")["owners"] == ["Ann", "Bob"]


def test_import_updates_by_ref_and_adds_new(plan: str, ok: Ok, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("\ufeffREF,Title,Status,Reason\n"
                      "3,Third measure,fulfilled,\n"
                      ",A new measure,,\n", encoding="utf-8")
    ok("import", "p", str(source))
    assert jok(ok, "show", "p:3")["status"] == "fulfilled"
    assert jok(ok, "show", "p:4")["title"] == "A new measure"
    events = log_events(ok)
    assert events[0]["step"] == events[1]["step"]
    assert {e["id"] for e in events[:2]} == {"p:3", "p:4"}
    ok("undo", "--yes")
    assert jok(ok, "show", "p:3")["status"] == "not-started"
    assert ids(jok(ok, "list", "p")) == ["p:1", "p:2", "p:3"]


def test_import_dry_run_writes_nothing(plan: str, db: Path, ok: Ok, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("ref,title\n4,Fourth\n", encoding="utf-8")
    before = snapshot(db)
    ok("import", "p", str(source), "--dry-run")
    assert snapshot(db) == before


def test_import_reports_every_bad_row_and_writes_nothing(
    plan: str, db: Path, run: Run, tmp_path: Path
) -> None:
    source = tmp_path / "bad.csv"
    source.write_text("ref,title,status,due\n"
                      "4,Fine,fulfilled,2024-01-01\n"
                      "5,Bad status,done,\n"
                      "6,,fulfilled,\n"
                      "7,Bad date,,2023-02-31\n", encoding="utf-8")
    before = snapshot(db)
    result = run("import", "p", str(source))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    for line, column in [(3, "status"), (4, "title"), (5, "due")]:
        assert re.search(rf"^{re.escape(str(source))}:{line}: {column}: \S", result.stderr,
                         re.M), result.stderr
    assert f"{source}:2:" not in result.stderr
    assert snapshot(db) == before


def test_import_unknown_column_is_an_error(plan: str, db: Path, run: Run, tmp_path: Path) -> None:
    source = tmp_path / "bad.csv"
    source.write_text("title,colour\nA,red\n", encoding="utf-8")
    before = snapshot(db)
    result = run("import", "p", str(source))
    assert result.exit_code == 1
    assert "colour" in result.stderr
    assert snapshot(db) == before


# --- log ------------------------------------------------------------------------------------


def test_log_json_newest_first_with_spec_keys(plan: str, ok: Ok) -> None:
    ok("update", "p:3", "--status", "in-progress")
    events = log_events(ok)
    assert len(events) == 5
    seqs = [e["seq"] for e in events]
    assert seqs == sorted(seqs, reverse=True)
    steps = [e["step"] for e in events]
    assert steps == sorted(steps, reverse=True)
    assert [e["action"] for e in events] == ["update", "add", "add", "add", "plan-add"]
    for event in events:
        check_event_keys(event)
        assert event["actor"] == "tester"


def test_log_of_item_and_plan(plan: str, ok: Ok) -> None:
    ok("plan", "add", "other", "--title", "Other")
    ok("add", "other", "Elsewhere")
    ok("update", "p:2", "--note", "re-checked", "--evidence", "letter")
    assert {e["id"] for e in log_events(ok, "p:2")} == {"p:2"}
    assert len(log_events(ok, "p:2")) == 2
    assert {e["id"] for e in log_events(ok, "p")} == {"p", "p:1", "p:2", "p:3"}
    assert {e["id"] for e in log_events(ok, "other")} == {"other", "other:1"}


def test_log_since(plan: str, ok: Ok) -> None:
    assert log_events(ok, "--since", "2999-01-01") == []
    assert len(log_events(ok, "--since", "2000-01-01")) == 4


def test_log_text(plan: str, ok: Ok) -> None:
    text = ok("log")
    assert "tester" in text
    assert "partner refused" in text
    assert text.index("Third measure") < text.index("First measure")


# --- undo -----------------------------------------------------------------------------------


def test_undo_without_yes_and_without_terminal_refuses(plan: str, db: Path, run: Run,
                                                       ok: Ok) -> None:
    before = snapshot(db)
    result = run("undo")
    assert result.exit_code == 1
    assert "--yes" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(db) == before
    assert ids(jok(ok, "list", "p")) == ["p:1", "p:2", "p:3"]


def test_undo_reverts_the_last_command_and_is_journalled(plan: str, ok: Ok) -> None:
    ok("update", "p:3", "--status", "fulfilled")
    ok("undo", "--yes")
    assert jok(ok, "show", "p:3")["status"] == "not-started"
    newest = log_events(ok)[0]
    check_event_keys(newest)
    assert newest["action"] == "undo"
    assert newest["id"] == "p:3"
    assert newest["changes"]["status"] == ["fulfilled", "not-started"]


def test_undo_repeated_goes_further_back(plan: str, ok: Ok) -> None:
    ok("undo", "--yes")
    assert ids(jok(ok, "list", "p")) == ["p:1", "p:2"]
    ok("undo", "--yes")
    assert ids(jok(ok, "list", "p")) == ["p:1"]


def test_undone_step_does_not_count_in_report_as_of(plan: str, ok: Ok) -> None:
    ok("update", "p:3", "--status", "fulfilled")
    ok("undo", "--yes")
    doc = jok(ok, "report", "p", "--as-of", TODAY)
    assert doc["plans"][0]["fulfilled"] == 1


# --- info and global options ----------------------------------------------------------------


def test_info(plan: str, db: Path, ok: Ok) -> None:
    text = ok("info")
    assert __version__ in text
    assert str(db) in text
    assert re.search(r"schema", text, re.I)
    assert re.search(r"\bplans\b\W+1\b", text)
    assert re.search(r"\bitems\b\W+3\b", text)


def test_global_db_option_overrides_env(plan: str, ok: Ok, tmp_path: Path) -> None:
    other = tmp_path / "elsewhere" / "other.json"
    other.parent.mkdir()
    ok("--db", str(other), "plan", "add", "x", "--title", "X")
    assert [p["id"] for p in jok(ok, "--db", str(other), "plan", "list")] == ["x"]
    assert [p["id"] for p in jok(ok, "plan", "list")] == ["p"]
    assert other.exists()


def test_version(ok: Ok) -> None:
    assert ok("--version") == f"tracker {__version__}\n"


HELP_TARGETS = [
    [], ["plan"], ["plan", "add"], ["plan", "list"], ["plan", "show"], ["plan", "edit"],
    ["plan", "remove"], ["add"], ["update"], ["list"], ["show"], ["remove"], ["report"],
    ["export"], ["import"], ["log"], ["undo"], ["restore"], ["info"],
]


@pytest.mark.parametrize("command", HELP_TARGETS,
                         ids=[" ".join(c) or "tracker" for c in HELP_TARGETS])
@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_help_has_an_example(run: Run, command: list[str], flag: str) -> None:
    result = run(*command, flag)
    assert result.exit_code == 0, result.stderr
    assert "Example" in result.stdout
    assert "Usage:" in result.stdout
