"""Reports end to end: the rule in full, groups, as-of from the journal, several plans."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

Ok = Callable[..., str]


@pytest.fixture
def weighted(ok: Ok) -> str:
    """Weights 2, 4, 3, 1 with fulfilled, partial, withdrawn and not-fulfilled items."""
    ok("plan", "add", "w", "--title", "Weighted")
    ok("add", "w", "A", "--weight", "2", "--status", "fulfilled", "--owner", "Ann",
       "--area", "North")
    ok("add", "w", "B", "--weight", "4", "--status", "partial", "--owner", "Ann",
       "--owner", "Bob", "--reason", "half the budget")
    ok("add", "w", "C", "--weight", "3", "--status", "withdrawn", "--owner", "Bob",
       "--reason", "dropped by the council", "--area", "North")
    ok("add", "w", "D", "--status", "not-fulfilled", "--reason", "no partner")
    return "w"


def report(ok: Ok, *args: str) -> dict:
    return json.loads(ok("report", *args, "--format", "json"))


def test_default_rule_counts_everything(ok: Ok, weighted: str) -> None:
    doc = report(ok, "w")
    plan = doc["plans"][0]
    assert doc["rules"] == {"exclude_withdrawn": False, "partial_credit": 0.0}
    assert (plan["total"], plan["counted"], plan["fulfilled"]) == (4, 4, 1)
    assert (plan["counted_weight"], plan["credit"]) == (10, 2)
    assert plan["rate"] == 2 / 10
    assert [u["ref"] for u in plan["unfulfilled"]] == ["2", "3", "4"]
    assert plan["unfulfilled"][2]["reason"] == "no partner"


def test_partial_credit_and_exclude_withdrawn(ok: Ok, weighted: str) -> None:
    plan = report(ok, "w", "--partial-credit", "0.5", "--exclude-withdrawn")["plans"][0]
    assert (plan["total"], plan["counted"]) == (4, 3)
    assert (plan["counted_weight"], plan["credit"]) == (7, 4)  # 2+4+1 ; 2 + 4×0.5
    assert plan["rate"] == 4 / 7


def test_rule_is_printed_with_numerator_and_denominator(ok: Ok, weighted: str) -> None:
    text = ok("report", "w", "--partial-credit", "0.5", "--exclude-withdrawn")
    assert "fulfilled 1 of 3 measures; weighted rate 57.1% (weights 1–4)" in text
    assert "rate = credit / counted weight = 4 / 7 = 57.1%" in text
    assert "partial 0.5" in text
    assert "withdrawn items not counted" in text


@pytest.mark.parametrize("bad", ["1.5", "-0.1", "half"])
def test_partial_credit_out_of_range_is_bad_usage(run: Callable, weighted: str,
                                                  bad: str) -> None:
    result = run("report", "w", "--partial-credit", bad)
    assert result.exit_code == 2
    assert "partial credit" in result.stderr


def test_nothing_counted_is_na(ok: Ok) -> None:
    ok("plan", "add", "e", "--title", "Empty")
    assert report(ok, "e")["plans"][0]["rate"] is None
    assert "fulfilled 0 of 0  n/a" in ok("report", "e")


def test_by_owner_counts_an_item_in_each_owners_group(ok: Ok, weighted: str) -> None:
    plan = report(ok, "w", "--by", "owner")["plans"][0]
    assert plan["groups"] == [
        {"key": "Ann", "total": 2, "counted": 2, "fulfilled": 1, "rate": 2 / 6},
        {"key": "Bob", "total": 2, "counted": 2, "fulfilled": 0, "rate": 0.0},
        {"key": None, "total": 1, "counted": 1, "fulfilled": 0, "rate": 0.0},
    ]
    text = ok("report", "w", "--by", "owner")
    assert "counts in each owner's group" in text
    assert "(no owner)" in text


def test_by_area_and_status(ok: Ok, weighted: str) -> None:
    areas = report(ok, "w", "--by", "area")["plans"][0]["groups"]
    assert [(g["key"], g["total"]) for g in areas] == [("North", 2), (None, 2)]
    statuses = report(ok, "w", "--by", "status")["plans"][0]["groups"]
    assert [g["key"] for g in statuses] == ["fulfilled", "partial", "not-fulfilled",
                                             "withdrawn"]


def test_as_of_follows_effective_dates_with_a_backdated_correction(ok: Ok) -> None:
    ok("plan", "add", "h", "--title", "History")
    ok("add", "h", "One", "--on", "2023-01-10")
    ok("add", "h", "Two", "--on", "2023-03-01")
    ok("update", "h:1", "--status", "in-progress", "--on", "2023-02-01")
    ok("update", "h:1", "--status", "fulfilled", "--on", "2023-06-01")
    # recorded later, but it happened earlier: 'Two' was in fact stalled since April
    ok("update", "h:2", "--status", "not-fulfilled", "--reason", "no budget",
       "--on", "2023-09-01")
    ok("update", "h:2", "--status", "stalled", "--reason", "waiting", "--on", "2023-04-01")

    def statuses(day: str) -> dict[str, str]:
        plan = report(ok, "h", "--as-of", day, "--by", "status")["plans"][0]
        return {k: v for k, v in plan["by_status"].items() if v}

    assert statuses("2023-01-09") == {}
    assert statuses("2023-01-10") == {"not-started": 1}
    assert statuses("2023-02-15") == {"in-progress": 1}
    assert statuses("2023-03-01") == {"in-progress": 1, "not-started": 1}
    assert statuses("2023-05-01") == {"in-progress": 1, "stalled": 1}
    assert statuses("2023-07-01") == {"fulfilled": 1, "stalled": 1}
    assert statuses("2023-12-31") == {"fulfilled": 1, "not-fulfilled": 1}
    late = report(ok, "h", "--as-of", "2023-12-31")["plans"][0]
    assert late["unfulfilled"] == [{"id": "h:2", "ref": "2", "title": "Two",
                                    "status": "not-fulfilled", "reason": "no budget"}]


def test_as_of_ignores_undone_steps(ok: Ok) -> None:
    ok("plan", "add", "u", "--title", "Undo")
    ok("add", "u", "One", "--on", "2023-01-01")
    ok("update", "u:1", "--status", "fulfilled", "--on", "2023-02-01")
    ok("undo", "--yes")
    plan = report(ok, "u", "--as-of", "2023-03-01")["plans"][0]
    assert plan["by_status"]["not-started"] == 1
    assert plan["fulfilled"] == 0


def test_overdue_is_judged_against_the_as_of_date(ok: Ok) -> None:
    ok("plan", "add", "d", "--title", "Deadlines")
    ok("add", "d", "Late", "--due", "2023-06-30", "--on", "2023-01-01")
    assert report(ok, "d", "--as-of", "2023-06-30")["plans"][0]["overdue"] == []
    overdue = report(ok, "d", "--as-of", "2023-07-01")["plans"][0]["overdue"]
    assert [o["id"] for o in overdue] == ["d:1"]


def test_several_plans_have_a_summary_and_a_total(ok: Ok, weighted: str, plan: str) -> None:
    doc = report(ok)  # no plan: every plan
    assert [p["plan"] for p in doc["plans"]] == ["w", "p"]
    assert doc["total"] == {"total": 7, "counted": 7, "fulfilled": 2, "counted_weight": 13,
                            "credit": 3, "rate": 3 / 13}
    text = ok("report", "w", "p")
    lines = text.splitlines()
    assert lines[0] == "2 plans as of 2026-01-15"
    assert lines[1] == "(rates are weighted: weights 1–4)"
    rows = {line.split()[0]: line.split() for line in lines[4:7]}
    assert list(rows) == ["w", "p", "total"]
    assert rows["total"][1:5] == ["7", "7", "2", "23.1%"]
    assert "closed but not fulfilled" not in text  # the overview alone …
    full = ok("report", "w", "p", "--full")
    assert full.startswith(text.rstrip("\n"))  # … and --full adds each plan's sections
    assert full.count("closed but not fulfilled") == 2


@pytest.mark.parametrize("rule", [[], ["--exclude-withdrawn"], ["--partial-credit", "0.5"],
                                  ["--exclude-withdrawn", "--partial-credit", "0.25"]])
def test_the_overview_from_each_plans_sums_is_the_overview_from_its_items(
        ok: Ok, rule: list[str]) -> None:
    import random

    rng = random.Random(7)
    for plan in ("a", "b", "c"):
        ok("plan", "add", plan, "--title", f"Plan {plan}")
        for n in range(12):
            ok("add", plan, f"Measure {n}", "--weight", rng.choice(["1", "2", "0.5", "3"]),
               "--status", rng.choice(["fulfilled", "partial", "withdrawn", "in-progress",
                                       "not-fulfilled"]), "--reason", "x")
    ok("update", "b:3", "--status", "fulfilled")  # a plan changed after it was summed
    overview = ok("report", *rule)
    full = ok("report", "--full", *rule)
    assert full.startswith(overview.rstrip("\n"))
    doc = report(ok, *rule)
    for entry in doc["plans"]:
        row = next(line.split() for line in overview.splitlines()
                   if line.startswith(entry["plan"] + " "))
        rate = f"{entry['rate'] * 100:.1f}%"
        assert rate in row and row[row.index(rate) - 1] == str(entry["fulfilled"])


@pytest.mark.file_only
def test_the_overview_reads_no_items(ok: Ok, monkeypatch: pytest.MonkeyPatch) -> None:
    from tracker.store import file as store_file

    for plan in ("a", "b"):
        ok("plan", "add", plan, "--title", plan)
        ok("add", plan, "Measure", "--status", "fulfilled")
    parsed: list[int] = []
    original = store_file._PlanItems._parse

    def counting(self: object) -> object:
        parsed.append(1)
        return original(self)  # type: ignore[arg-type]

    monkeypatch.setattr(store_file._PlanItems, "_parse", counting)
    assert "total" in ok("report")
    assert parsed == []  # the sums stored beside each plan's rows were enough
    ok("report", "--full")
    assert len(parsed) == 2
