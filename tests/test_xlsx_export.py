"""The Excel export read back with openpyxl: each sheet's values, a native chart in the
file, and no cell that is a formula or a link, whatever the text starts with."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.helpers import TODAY, Run
from tracker.domain import Rules
from tracker.render.xlsx import workbook_bytes
from tracker.reports import build_report
from tracker.tabular import COLUMNS

Ok = Callable[..., str]
TRAPS = ["=1+2", "+SUM(A1:A3)", "-3", "@cmd", '=HYPERLINK("http://evil.example","x")']


@pytest.fixture
def workbook(ok: Ok, tmp_path: Path) -> Path:
    """Two plans exported to one file: 'p' (3 items) and 'q' whose texts look like formulas."""
    ok("plan", "add", "p", "--title", "Plan P")
    ok("add", "p", "First measure", "--status", "fulfilled", "--due", "2025-06-30",
       "--owner", "Ann", "--owner", "Bob", "--area", "Chapter 1")
    ok("add", "p", "Second measure", "--status", "not-fulfilled", "--reason", "partner refused")
    ok("add", "p", "Third measure", "--ref", "3.10", "--weight", "2",
       "--evidence", "https://example.org/report")
    ok("plan", "add", "q", "--title", "=cmd|' /C calc'!A0")
    for n, trap in enumerate(TRAPS, start=1):
        ok("add", "q", "--ref", str(n), "--status", "withdrawn", "--reason", trap, "--", trap)
    path = tmp_path / "plans.xlsx"
    ok("export", "--format", "xlsx", "-o", str(path))
    return path


def values(sheet: Any) -> list[list[Any]]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_summary_sheet_has_the_rate_per_plan_and_the_rule(workbook: Path) -> None:
    book = openpyxl.load_workbook(workbook)
    assert book.sheetnames == ["Summary", "Items", "Unfulfilled", "Executive discipline"]
    sheet = book["Summary"]
    rows = values(sheet)
    assert rows[1][:2] == ["as of", datetime.fromisoformat(TODAY)]
    assert rows[2][1].startswith("rate = credit / counted weight = 1 / 9 = 11.1%")
    assert rows[4] == ["plan", "title", "total", "counted", "fulfilled", "counted_weight",
                       "credit", "rate"]
    assert rows[5][:7] == ["p", "Plan P", 3, 3, 1, 4, 1]
    assert rows[5][7] == pytest.approx(0.25)
    assert rows[6][:7] == ["q", "=cmd|' /C calc'!A0", 5, 5, 0, 5, 0]
    assert rows[7][:7] == ["total", None, 8, 8, 1, 9, 1]
    assert rows[7][7] == pytest.approx(1 / 9)
    assert sheet["H6"].number_format == "0.0%"


def test_summary_sheet_carries_a_native_bar_chart(workbook: Path) -> None:
    with zipfile.ZipFile(workbook) as archive:
        assert "xl/charts/chart1.xml" in archive.namelist()
        chart = archive.read("xl/charts/chart1.xml").decode()
        drawing_rels = archive.read("xl/worksheets/_rels/sheet1.xml.rels").decode()
    assert '<c:barDir val="bar"/>' in chart  # horizontal bars
    assert "<c:f>Summary!$A$6:$A$7</c:f>" in chart  # the plans
    assert "<c:f>Summary!$H$6:$H$7</c:f>" in chart  # their rates, live from the cells
    assert '<c:showVal val="1"/>' in chart
    assert "drawing" in drawing_rels


def test_items_sheet_has_the_csv_columns_dates_as_dates_and_a_frozen_header(
    workbook: Path,
) -> None:
    sheet = openpyxl.load_workbook(workbook)["Items"]
    rows = values(sheet)
    sheet_columns = (*COLUMNS, "original deadline", "deadline moves")
    assert tuple(rows[0]) == sheet_columns
    assert len(rows) == 1 + 3 + len(TRAPS)
    first = dict(zip(sheet_columns, rows[1], strict=True))
    assert first == {
        "plan": "p", "ref": "1", "title": "First measure", "status": "fulfilled",
        "reason": None, "owners": "Ann; Bob", "area": "Chapter 1",
        "due": datetime(2025, 6, 30), "weight": 1, "evidence": None,
        "updated": datetime.fromisoformat(TODAY), "original deadline": datetime(2025, 6, 30),
        "deadline moves": 0,
    }
    third = dict(zip(sheet_columns, rows[3], strict=True))
    assert third["ref"] == "3.10" and third["weight"] == 2
    assert third["evidence"] == "https://example.org/report"
    assert sheet["H2"].is_date and sheet["H2"].number_format == "yyyy-mm-dd"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:M{len(rows)}"
    longest = max(len(t) for t in TRAPS)  # widths come from the content
    assert sheet.column_dimensions["C"].width >= longest
    assert sheet.column_dimensions["E"].width >= longest


def test_unfulfilled_sheet_lists_reasons(workbook: Path) -> None:
    sheet = openpyxl.load_workbook(workbook)["Unfulfilled"]
    rows = values(sheet)
    assert rows[0] == ["plan", "ref", "title", "status", "reason"]
    assert rows[1] == ["p", "2", "Second measure", "not-fulfilled", "partner refused"]
    assert [r[2] for r in rows[2:]] == TRAPS
    assert [r[4] for r in rows[2:]] == TRAPS
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:E{len(rows)}"


def test_no_cell_is_a_formula_or_a_link(workbook: Path) -> None:
    book = openpyxl.load_workbook(workbook)
    texts = set()
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                assert cell.hyperlink is None, (sheet.title, cell.coordinate)
                texts.add(cell.value)
    assert set(TRAPS) <= texts  # kept exactly, with no quote added
    with zipfile.ZipFile(workbook) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                xml = archive.read(name).decode()
                assert not re.search(r"<f[ >]", xml), name
                # the traps' text is inline in the sheet (constant memory mode):
                # only an element would make it a link
                assert not re.search(r"<hyperlinks?[ >]", xml), name


def test_xlsx_needs_an_output_file(run: Run, ok: Ok, db: Path, tmp_path: Path) -> None:
    ok("plan", "add", "p", "--title", "Plan P")
    result = run("export", "--format", "xlsx")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == ["Error: --format xlsx writes a workbook file: "
                                          "add -o FILE.xlsx"]
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".xlsx") == []


def test_an_empty_database_still_gives_a_workbook() -> None:
    data = workbook_bytes(build_report([], Rules(), "2024-07-01"), [])
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book["Summary"]["A6"].value == "total"
    assert book["Items"].max_row == 1


def test_tracker_cli_imports_neither_xlsxwriter_nor_the_renderers() -> None:
    code = ("import sys, tracker.cli; print(sorted(m for m in ('xlsxwriter', "
            "'tracker.render.xlsx', 'tracker.render.html') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60, env={**os.environ}).stdout
    assert out.strip() == "[]"
