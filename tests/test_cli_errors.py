"""Bad input: exit codes, one- or two-line messages on stderr, and nothing changed on disk.

SPEC §5 (exit codes, errors), §2 (ids, refs), §3 (dates, weights, titles), §7 (damaged file).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import Run, snapshot

# Each case: (args, exit code, patterns that must all occur in stderr; regex, case-insensitive).
USER_ERRORS = {
    # unknown plan
    "add-unknown-plan": (["add", "nope", "Measure"], 1, [r"nope"]),
    "plan-show-unknown": (["plan", "show", "nope"], 1, [r"nope"]),
    "plan-edit-unknown": (["plan", "edit", "nope", "--title", "New"], 1, [r"nope"]),
    "plan-remove-unknown": (["plan", "remove", "nope", "--yes"], 1, [r"nope"]),
    "list-unknown-plan": (["list", "nope"], 1, [r"nope"]),
    "report-unknown-plan": (["report", "nope"], 1, [r"nope"]),
    "export-unknown-plan": (["export", "nope"], 1, [r"nope"]),
    "log-unknown-plan": (["log", "nope"], 1, [r"nope"]),
    "show-item-of-unknown-plan": (["show", "nope:1"], 1, [r"nope"]),
    # unknown item
    "show-unknown-item": (["show", "p:9"], 1, [r"p:9|'9'"]),
    "update-unknown-item": (["update", "p:9", "--status", "fulfilled"], 1, [r"p:9|'9'"]),
    "update-one-unknown-among-known": (
        ["update", "p:1", "p:9", "--status", "withdrawn"], 1, [r"p:9|'9'"]),
    "remove-unknown-item": (["remove", "p:9", "--yes"], 1, [r"p:9|'9'"]),
    "log-unknown-item": (["log", "p:9"], 1, [r"p:9|'9'"]),
    # duplicates
    "duplicate-plan": (["plan", "add", "csto-2023", "--title", "Again"], 1, [r"csto-2023"]),
    "duplicate-ref": (["add", "csto-2023", "Measure 13 (title not published)", "--ref", "12"],
                      1, [r"12"]),
    "duplicate-ref-other-plan": (["add", "p", "Again", "--ref", "1"], 1, [r"p:1|'1'"]),
    # a plan with items is not removed without --force
    "plan-remove-with-items": (["plan", "remove", "csto-2023", "--yes"], 1,
                               [r"csto-2023", r"--force"]),
    "plan-remove-with-items-no-yes": (["plan", "remove", "p"], 1, [r"--force|--yes"]),
}

USAGE_ERRORS = {
    # unknown option
    "unknown-option-list": (["list", "--bogus"], 2, [r"--bogus"]),
    "unknown-option-add": (["add", "p", "Measure", "--colour", "red"], 2, [r"--colour"]),
    "unknown-option-update": (["update", "p:1", "--stauts", "fulfilled"], 2, [r"--stauts"]),
    "unknown-option-report": (["report", "--by-owner"], 2, [r"--by-owner"]),
    # bad status
    "add-bad-status": (["add", "p", "Measure", "--status", "done"], 2, [r"done"]),
    "update-bad-status": (["update", "p:1", "--status", "finished"], 2, [r"finished"]),
    "list-bad-status": (["list", "--status", "closed"], 2, [r"closed"]),
    # impossible or malformed dates
    "add-impossible-due": (["add", "p", "Measure", "--due", "2023-02-31"], 2,
                           [r"2023-02-31"]),
    "update-impossible-on": (["update", "p:1", "--status", "fulfilled", "--on", "2023-02-31"],
                             2, [r"2023-02-31"]),
    "update-impossible-due": (["update", "p:1", "--due", "2023-02-30"], 2, [r"2023-02-30"]),
    "add-non-iso-due": (["add", "p", "Measure", "--due", "31/01/2023"], 2, [r"31/01/2023"]),
    "add-impossible-on": (["add", "p", "Measure", "--on", "2023-13-01"], 2, [r"2023-13-01"]),
    "plan-add-impossible-start": (
        ["plan", "add", "new-plan", "--title", "New", "--start", "2023-02-31"], 2,
        [r"2023-02-31"]),
    "plan-edit-impossible-end": (["plan", "edit", "p", "--end", "2023-02-29"], 2,
                                 [r"2023-02-29"]),
    "report-impossible-as-of": (["report", "--as-of", "2023-02-31"], 2, [r"2023-02-31"]),
    "log-impossible-since": (["log", "--since", "2023-02-31"], 2, [r"2023-02-31"]),
    # weights
    "add-weight-zero": (["add", "p", "Measure", "--weight", "0"], 2, [r"weight"]),
    "add-weight-negative": (["add", "p", "Measure", "--weight", "-1"], 2, [r"weight"]),
    "add-weight-text": (["add", "p", "Measure", "--weight", "abc"], 2, [r"weight", r"abc"]),
    "update-weight-zero": (["update", "p:1", "--weight", "0"], 2, [r"weight"]),
    "update-weight-negative": (["update", "p:1", "--weight", "-1"], 2, [r"weight"]),
    "update-weight-text": (["update", "p:1", "--weight", "abc"], 2, [r"weight", r"abc"]),
    # empty or blank titles
    "add-empty-title": (["add", "p", ""], 2, [r"title"]),
    "add-blank-title": (["add", "p", "   "], 2, [r"title"]),
    "update-empty-title": (["update", "p:1", "--title", ""], 2, [r"title"]),
    "plan-add-empty-title": (["plan", "add", "new-plan", "--title", ""], 2, [r"title"]),
    "plan-add-blank-title": (["plan", "add", "new-plan", "--title", "  "], 2, [r"title"]),
    "plan-edit-blank-title": (["plan", "edit", "p", "--title", " "], 2, [r"title"]),
    # plan ids
    "plan-add-bad-id-upper-underscore": (["plan", "add", "Bad_Id", "--title", "X"], 2,
                                         [r"Bad_Id"]),
    "plan-add-bad-id-dash": (["plan", "add", "-x", "--title", "X"], 2, [r"-x"]),
    "plan-add-bad-id-space": (["plan", "add", "bad id", "--title", "X"], 2, [r"bad id"]),
    "plan-add-bad-id-too-long": (["plan", "add", "a" * 65, "--title", "X"], 2,
                                 [r"a{65}|64"]),
    "add-bad-plan-id": (["add", "Bad_Id", "Measure"], 2, [r"Bad_Id"]),
    "add-bad-ref": (["add", "p", "Measure", "--ref", "a b"], 2, [r"a b"]),
    # unknown formats
    "list-unknown-format": (["list", "--format", "xml"], 2, [r"xml"]),
    "list-unknown-format-short": (["list", "-f", "yaml"], 2, [r"yaml"]),
    "report-unknown-format": (["report", "--format", "pdf"], 2, [r"pdf"]),
    "export-unknown-format": (["export", "--format", "yaml"], 2, [r"yaml"]),
    "plan-list-unknown-format": (["plan", "list", "--format", "xml"], 2, [r"xml"]),
    "log-unknown-format": (["log", "--format", "xml"], 2, [r"xml"]),
    # malformed PLAN:REF
    "show-address-no-colon": (["show", "p"], 2, [r"'p'|\bp\b"]),
    "show-address-no-ref": (["show", "p:"], 2, [r"p:"]),
    "show-address-no-plan": (["show", ":1"], 2, [r":1"]),
    "update-address-no-ref": (["update", "p:", "--status", "fulfilled"], 2, [r"p:"]),
    "update-address-no-colon": (["update", "p", "--status", "fulfilled"], 2, [r"'p'|\bp\b"]),
    "remove-address-no-plan": (["remove", ":1", "--yes"], 2, [r":1"]),
    "show-address-bad-plan": (["show", "P:1"], 2, [r"P:1|'P'|\bP\b"]),
}


@pytest.fixture
def populated(plan: str, ok: Callable[..., str]) -> None:
    """The `plan` fixture's plan 'p' (items 1-3) and a plan 'csto-2023' with item 12."""
    ok("plan", "add", "csto-2023", "--title", "CSTO action plan 2023")
    ok("add", "csto-2023", "Measure 12 (title not published)", "--ref", "12")


def _check_failure(result, code: int, patterns: list[str]) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == "", result.stdout
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) in (1, 2), result.stderr
    assert all(line.strip() for line in lines), result.stderr
    for pattern in patterns:
        assert re.search(pattern, result.stderr, re.IGNORECASE), (pattern, result.stderr)


@pytest.mark.parametrize(
    ("args", "code", "patterns"),
    list(USER_ERRORS.values()) + list(USAGE_ERRORS.values()),
    ids=list(USER_ERRORS) + list(USAGE_ERRORS),
)
def test_bad_input_fails_cleanly_and_changes_nothing(
    populated: None, db: Path, run: Run, args: list[str], code: int, patterns: list[str]
) -> None:
    before = snapshot(db)
    result = run(*args)
    _check_failure(result, code, patterns)
    assert snapshot(db) == before


def test_unknown_top_level_command_is_usage_error(populated: None, db: Path, run: Run) -> None:
    before = snapshot(db)
    result = run("frobnicate")
    _check_failure(result, 2, [r"frobnicate"])
    assert snapshot(db) == before


def test_failed_multi_item_update_changes_no_item(
    populated: None, db: Path, run: Run, ok: Callable[..., str]
) -> None:
    """One bad ITEM among good ones: the good ones are not changed either (§5)."""
    result = run("update", "p:3", "p:99", "--status", "fulfilled")
    assert result.exit_code == 1
    shown = json.loads(ok("show", "p:3", "--format", "json"))
    assert shown["status"] == "not-started"
    assert [e["action"] for e in shown["history"]] == ["add"]


# --- a damaged database ---------------------------------------------------------------------

DAMAGE = {
    "truncated-json": b'{"meta": {"1": {"schema_version": 1}}, "items": {"1": {"plan": "p"',
    "garbage-bytes": b"\x00\xff\xfe garbage \x80\x81\x00",
    "empty-file": b"",
    "json-list": b"[]",
    "items-not-a-table": b'{"items": 5}',
}


@pytest.mark.file_only
@pytest.mark.parametrize("command", [["list"], ["add", "p", "Fourth measure"]],
                         ids=["read-list", "write-add"])
@pytest.mark.parametrize("content", list(DAMAGE.values()), ids=list(DAMAGE))
def test_damaged_database_is_reported_and_left_alone(
    plan: str, db: Path, run: Run, content: bytes, command: list[str]
) -> None:
    db.write_bytes(content)
    before = snapshot(db)
    result = run(*command)
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) in (1, 2), result.stderr
    assert str(db) in result.stderr
    assert f"{db.name}.bak" in result.stderr
    assert "tracker restore --from-backup" in result.stderr
    assert db.read_bytes() == content
    assert snapshot(db) == before


@pytest.mark.file_only
@pytest.mark.parametrize("command", [["list"], ["add", "p", "First measure"]],
                         ids=["read-list", "write-add"])
@pytest.mark.parametrize("content", list(DAMAGE.values()), ids=list(DAMAGE))
def test_damaged_database_without_other_files(
    db: Path, run: Run, content: bytes, command: list[str]
) -> None:
    """A damaged file with nothing beside it: the file itself is never rewritten."""
    db.write_bytes(content)
    result = run(*command)
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) in (1, 2), result.stderr
    assert str(db) in result.stderr
    assert f"{db.name}.bak" in result.stderr
    assert "tracker restore --from-backup" in result.stderr
    assert db.read_bytes() == content
    assert not Path(f"{db}.bak").exists()
