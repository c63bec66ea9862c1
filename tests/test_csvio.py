"""CSV export and import (SPEC §6): exact bytes, every bad row, round trips."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import Run, snapshot
from tracker.tabular import neutralise, restore

Ok = Callable[..., str]
HEADER = "plan,ref,title,status,reason,owners,area,due,weight,evidence,updated"


def test_export_to_stdout_has_no_bom_and_exact_rows(ok: Ok, plan: str) -> None:
    out = ok("export", "p")
    assert out.splitlines() == [
        HEADER,
        "p,1,First measure,fulfilled,,,,,1,,2026-01-15",
        "p,2,Second measure,not-fulfilled,partner refused,,,,1,,2026-01-15",
        "p,3,Third measure,not-started,,Ann,,2025-12-31,1,,2026-01-15",
    ]
    assert not out.startswith("\ufeff")


def test_export_to_a_file_has_bom_and_crlf_and_cyrillic(ok: Ok, tmp_path: Path) -> None:
    ok("plan", "add", "ru", "--title", "План")
    ok("add", "ru", "Мера первая", "--owner", "Секретариат", "--owner", "МИД")
    target = tmp_path / "out.csv"
    ok("export", "ru", "-o", str(target), "--delimiter", ";")
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\r\n") == 2 and data.count(b"\n") == 2
    text = data.decode("utf-8-sig")
    assert text.splitlines()[1] == (
        'ru;1;Мера первая;not-started;;"Секретариат; МИД";;;1;;2026-01-15'
    )


@pytest.mark.parametrize("title", ["=SUM(A1)", "+1", "-2", "@cmd", "'=x"])
def test_formula_cells_are_neutralised_and_restored(ok: Ok, title: str,
                                                   tmp_path: Path) -> None:
    ok("plan", "add", "f", "--title", "F")
    ok("add", "f", "--", title)
    row = next(csv.DictReader(io.StringIO(ok("export", "f"))))
    assert row["title"] == "'" + title
    target = tmp_path / "f.csv"
    ok("export", "f", "-o", str(target))
    ok("import", "g", str(target), "--title", "G")
    assert json.loads(ok("list", "g", "-f", "json"))[0]["title"] == title


def test_neutralise_is_inverted_by_restore() -> None:
    for text in ["plain", "'quoted'", "=x", "'=x", "''+x", "-", "", "@", "\tx", "\rx"]:
        assert restore(neutralise(text)) == text
    assert restore("'quoted'") == "'quoted'"  # an apostrophe of the user's own stays


def test_import_headers_any_case_any_order_with_bom(ok: Ok, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(
        "\ufeffStatus,TITLE,Owners,Ref,Due\r\n"
        "fulfilled,Done thing,Ann; Bob,7,2024-01-31\r\n"
        ",Open thing,,,\r\n".encode()
    )
    ok("plan", "add", "i", "--title", "I")
    result_err = ok("import", "i", str(source))
    assert result_err == ""
    items = json.loads(ok("list", "i", "-f", "json"))
    assert [(i["ref"], i["title"], i["status"], i["owners"], i["due"]) for i in items] == [
        ("7", "Done thing", "fulfilled", ["Ann", "Bob"], "2024-01-31"),
        ("8", "Open thing", "not-started", [], None),
    ]


def test_every_bad_row_is_reported_and_nothing_written(db: Path, run: Run, ok: Ok,
                                                      tmp_path: Path) -> None:
    ok("plan", "add", "i", "--title", "I")
    before = snapshot(db)
    source = tmp_path / "bad.csv"
    source.write_text(
        "ref,title,status,due,weight\n"
        "1,Fine,fulfilled,2024-01-01,1\n"
        "2,,fulfilled,,\n"
        "3,Bad status,done,,\n"
        "4,Bad date,,2023-02-31,\n"
        "5,Bad weight,,,0\n"
        "1,Duplicate ref,,,\n"
        "bad ref,Bad ref,,,\n"
    )
    result = run("import", "i", str(source))
    assert result.exit_code == 1
    assert result.stdout == ""
    name = str(source)
    lines = result.stderr.splitlines()
    assert lines[:-1] == [
        f"{name}:3: title: the title is empty: write at least one character other than a space",
        f"{name}:4: status: invalid status 'done': use one of not-started, in-progress, "
        "stalled, fulfilled, partial, not-fulfilled, withdrawn (or in Russian: не начато, "
        "в работе, приостановлено, исполнено, исполнено частично, не исполнено, исключено "
        "из плана)",
        f"{name}:5: due: invalid date '2023-02-31': no such day in the calendar",
        f"{name}:6: weight: invalid weight '0': it must be a number greater than 0",
        f"{name}:7: ref: '1' appears again (first on line 2)",
        f"{name}:8: ref: invalid ref 'bad ref': use letters, digits, '.', '_' or '-', "
        "starting with a letter or digit, at most 64 characters (e.g. 12 or 3.2)",
    ]
    assert lines[-1] == "Error: 6 bad rows; nothing was imported"
    assert snapshot(db) == before


def test_line_numbers_count_newlines_inside_quoted_cells(run: Run, ok: Ok,
                                                        tmp_path: Path) -> None:
    ok("plan", "add", "i", "--title", "I")
    source = tmp_path / "multi.csv"
    source.write_text('title,status\n"two\nlines",fulfilled\nBad,unknown\n')
    result = run("import", "i", str(source))
    assert result.stderr.splitlines()[0].startswith(f"{source}:4: status:")


def test_unknown_column_and_missing_title_are_errors(run: Run, ok: Ok, tmp_path: Path) -> None:
    ok("plan", "add", "i", "--title", "I")
    source = tmp_path / "cols.csv"
    source.write_text("ref,colour\n1,red\n")
    result = run("import", "i", str(source))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:2] == [
        f"{source}:1: colour: unknown column; the columns are plan, ref, title, status, "
        "reason, owners, co, area, due, weight, evidence, updated (or their Russian names); name "
        "it with --map 'colour=FIELD', or leave it out with --skip-column 'colour'",
        f"{source}:1: title: the required column is missing (name the column that holds the "
        "measures with --map 'HEADER=title')",
    ]


def test_unknown_plan_without_title_is_an_error(db: Path, run: Run, tmp_path: Path) -> None:
    source = tmp_path / "a.csv"
    source.write_text("title\nx\n")
    result = run("import", "nope", str(source))
    assert result.exit_code == 1
    assert "no plan 'nope'" in result.stderr and "--title" in result.stderr
    assert not db.exists()


def test_dry_run_counts_and_writes_nothing(db: Path, run: Run, ok: Ok, plan: str,
                                          tmp_path: Path) -> None:
    source = tmp_path / "d.csv"
    source.write_text("ref,title,status\n1,First measure,fulfilled\n2,Renamed,not-fulfilled\n"
                      "9,New,\n")
    before = snapshot(db)
    result = run("import", "p", str(source), "--dry-run")
    assert result.exit_code == 0
    assert result.stderr == ("p: 1 would be added, 1 updated, 1 left unchanged "
                             "(dry run: nothing written)\n")
    assert result.stdout == "update p:2: title\nadd p:9  New\n"
    assert snapshot(db) == before


def test_import_is_one_step_and_idempotent(ok: Ok, run: Run, tmp_path: Path) -> None:
    source = tmp_path / "plan.csv"
    source.write_text("ref,title,status,reason\n1,A,fulfilled,\n2,B,not-fulfilled,why\n")
    ok("import", "n", str(source), "--title", "New plan")
    events = json.loads(ok("log", "-f", "json"))
    assert {e["step"] for e in events} == {1}
    assert [e["action"] for e in reversed(events)] == ["plan-add", "import", "import"]
    again = run("import", "n", str(source))
    assert again.stderr == "n: 0 were added, 0 updated, 2 left unchanged\n"
    assert len(json.loads(ok("log", "-f", "json"))) == 3
    ok("undo", "--yes")
    assert run("plan", "show", "n").exit_code == 1


# What a person can type on the command line: no control characters but new lines and tabs
# (those that come in from files are tested in test_trust.py).
text = st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]) | st.sampled_from("\n\t"),
               max_size=30)
titles = st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), max_size=30).filter(
    lambda t: t.strip() != "" and t == t.strip())


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(titles, text, st.lists(st.sampled_from(["Ann", "Бор", "O'Neil"]),
                                                  unique=True, max_size=2)),
                min_size=1, max_size=5))
def test_export_import_export_is_identity(
    ok: Ok, tmp_path_factory: pytest.TempPathFactory,
    rows: list[tuple[str, str, list[str]]],
) -> None:
    folder = tmp_path_factory.mktemp("rt")
    db = folder / "db.json"
    base = ["--db", str(db)]
    ok(*base, "plan", "add", "a", "--title", "A")
    for title, reason, owners in rows:
        owner_args = [arg for o in owners for arg in ("--owner", o)]
        ok(*base, "add", "a", "--reason", reason, *owner_args, "--status", "partial", "--",
           title)
    first = folder / "first.csv"
    ok(*base, "export", "a", "-o", str(first))
    ok(*base, "import", "b", str(first), "--title", "B")
    second = folder / "second.csv"
    ok(*base, "export", "b", "-o", str(second))
    assert second.read_bytes() == first.read_bytes().replace(b"\r\na,", b"\r\nb,")


def test_weights_export_exactly(ok: Ok, tmp_path: Path) -> None:
    ok("plan", "add", "w", "--title", "W")
    ok("add", "w", "b", "--weight", "0.1234567")
    ok("add", "w", "c", "--weight", "999999.25")
    first = tmp_path / "w.csv"
    ok("export", "w", "-o", str(first))
    weights = [row["weight"] for row in csv.DictReader(io.StringIO(
        first.read_text(encoding="utf-8-sig")))]
    assert weights == ["0.1234567", "999999.25"]
    ok("import", "v", str(first), "--title", "V")
    second = tmp_path / "v.csv"
    ok("export", "v", "-o", str(second))
    assert second.read_bytes() == first.read_bytes().replace(b"\r\nw,", b"\r\nv,")
