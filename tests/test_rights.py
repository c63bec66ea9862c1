"""Rights per executor on the team server (SPEC §15), on the real PostgreSQL server the
suite starts: a role acting for an executor writes the status, reason and evidence of its
own measures and nothing else — through tracker (one line naming the role, the item and
whose it is) and through psql alike (row-level security); concurrently too."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest

from tests.helpers import PgCluster, PgDatabase, snapshot, use_database
from tests.test_pgstore import INSERT, at, last_seq, login_role, ok_at, one_line_failure
from tests.test_pgstore import whole_event as event

MFA, MOD = "tracker_test_mfa", "tracker_test_mod"


@pytest.fixture
def pg(pg_db: PgDatabase, monkeypatch: pytest.MonkeyPatch) -> PgDatabase:
    """A fresh database with the schema, as TRACKER_DB."""
    return use_database(monkeypatch, pg_db)  # type: ignore[no-any-return]


@pytest.fixture
def team(pg: PgDatabase) -> dict[str, str]:
    """Plan p: 1 MFA's, 2 MoD's with MFA as co-executor, 3 MoD's, 4 nobody's; a role for
    each ministry; the URLs by role."""
    urls = {MFA: login_role(pg, MFA), MOD: login_role(pg, MOD)}
    ok_at(pg, "plan", "add", "p", "--title", "P")
    ok_at(pg, "add", "p", "One", "--responsible", "MFA", "--due", "2026-03-31")
    ok_at(pg, "add", "p", "Two", "--responsible", "MoD", "--co", "MFA")
    ok_at(pg, "add", "p", "Three", "--responsible", "MoD")
    ok_at(pg, "add", "p", "Four")
    granted = at(pg, "db", "grant", MFA, "--executor", "MFA")
    assert granted.exit_code == 0, granted.stderr
    assert (f"role {MFA} acts for MFA: it may change the status, reason and evidence of their "
            "measures, answer rounds and attach files for them\n") in granted.stderr
    ok_at(pg, "db", "grant", MOD, "--executor", "MoD")
    return urls


def test_an_executor_writes_its_own_measures_and_log_says_for_whom(
        pg: PgDatabase, team: dict[str, str]) -> None:
    mfa = team[MFA]
    ok_at(mfa, "update", "p:1", "--status", "fulfilled", "--evidence", "protocol No. 5")
    ok_at(mfa, "update", "p:2", "--status", "stalled", "--reason", "waiting for MoD",
          "--note", "said by phone")  # the journal's note, which SPEC §15 calls notes
    items = {i["id"]: i for i in json.loads(ok_at(pg, "list", "-f", "json"))}
    assert (items["p:1"]["status"], items["p:2"]["status"]) == ("fulfilled", "stalled")
    (last, before) = json.loads(ok_at(pg, "log", "-f", "json"))[:2]
    assert (last["id"], last["actor"], last["acting_for"], last["note"]) == (
        "p:2", MFA, ["MFA"], "said by phone")
    assert f"{MFA} (for MFA)" in ok_at(pg, "log", "p:1")
    assert json.loads(ok_at(pg, "db", "rights", "-f", "json")) == [
        {"role": MFA, "rights": "executor", "executors": ["MFA"]},
        {"role": MOD, "rights": "executor", "executors": ["MoD"]}]


@pytest.mark.parametrize("args, words", [
    (["update", "p:3", "--status", "fulfilled"],
     f"role '{MFA}' may not change p:3: it belongs to MoD (responsible), and the role acts "
     "for MFA; nothing was written"),
    (["update", "p:4", "--status", "fulfilled"],
     "may not change p:4: no executor answers for it, and the role acts for MFA"),
    (["update", "p:3", "--status", "not-started"],  # what it is already: refused all the same
     f"role '{MFA}' may not change p:3: it belongs to MoD (responsible), and the role acts "
     "for MFA; nothing was written"),
    (["update", "p:1", "--title", "One"], "of p:1 it may change the status, reason and "
     "evidence, not the title;"),
    (["--lang", "ru", "update", "p:3", "--status", "fulfilled"],
     f"роль '{MFA}' не может изменять мероприятие p:3: его исполнитель — MoD (ответственный), "
     "а роль действует от имени исполнителя MFA; ничего не записано"),
    (["update", "p:1", "--title", "Renamed"],
     f"role '{MFA}' acts for MFA: of p:1 it may change the status, reason and evidence, not "
     "the title; nothing was written"),
    (["update", "p:1", "--due", "2026-06-30", "--reason", "moved"], "not the deadline;"),
    (["update", "p:1", "--responsible", "MoD"], "not the executors;"),
    (["update", "p:1", "--status", "partial", "--on", "2025-12-01"],
     f"role '{MFA}' acts for MFA and may not date a change of p:1 before the measure was "
     "added (2026-01-15); nothing was written"),
    (["add", "p", "Five"],
     f"role '{MFA}' acts for MFA and may not add measure p:5: it may change only the status, "
     "reason and evidence of their measures, answer for them and attach files to them; "
     "nothing was written"),
    (["remove", "p:1", "--yes"], "and may not remove measure p:1: it may change only"),
    (["remove", "p:1"], "and may not remove measure p:1: it may change only"),  # not asked
    (["attach", "p:1", __file__, "--on", "2025-12-01"],
     f"role '{MFA}' acts for MFA and may not date a change of p:1 before the measure was "
     "added (2026-01-15); nothing was written"),
    (["plan", "add", "q", "--title", "Q"], "and may not add plan q: it may change only"),
    (["plan", "edit", "p", "--title", "Q"], "and may not change plan p: it may change only"),
    (["plan", "remove", "p", "--force", "--yes"], "and may not remove plan p: it may change"),
    (["plan", "remove", "p"], "and may not remove plan p: it may change"),
    (["round", "open", "p", "--name", "r1"], "and may not open a round of plan p:"),
    (["--lang", "ru", "update", "p:1", "--title", "Renamed"],
     f"роль '{MFA}' действует от имени исполнителя MFA: в мероприятии p:1 она может изменять "
     "отметку об исполнении, причину и подтверждение исполнения, но не наименование; ничего "
     "не записано"),
    (["--lang", "ru", "round", "open", "p", "--name", "r1"],
     f"роль '{MFA}' действует от имени исполнителя MFA и не может направить запрос по плану "
     "p: ей разрешено только изменять отметку об исполнении, причину и подтверждение "
     "исполнения его мероприятий, представлять по ним информацию на запросы и прикладывать к "
     "ним файлы; ничего не записано"),
])
def test_anything_else_is_refused_in_one_line_and_writes_nothing(
        pg: PgDatabase, team: dict[str, str], args: list[str], words: str) -> None:
    before = snapshot(pg)
    assert words in one_line_failure(at(team[MFA], *args))
    assert snapshot(pg) == before


def test_psql_as_an_executor_role_cannot_write_another_executors_measure(
        pg: PgDatabase, team: dict[str, str]) -> None:
    before = snapshot(pg)
    with psycopg.connect(team[MFA], autocommit=True) as conn:
        refused = [
            "UPDATE tracker.items SET status = 'fulfilled' WHERE plan = 'p' AND ref = '3'",
            "UPDATE tracker.items SET title = 'Renamed' WHERE ref = '1'",
            "DELETE FROM tracker.items WHERE ref = '1'",
            # its own measure, but with no journal event of the change
            "UPDATE tracker.items SET status = 'partial' WHERE plan = 'p' AND ref = '1'",
            "UPDATE tracker.meta SET last_seq = 0",
            "UPDATE tracker.meta SET schema_version = 99",
        ]
        for statement in refused:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
        seq = last_seq(conn) + 1
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="not one of their"):
            conn.execute(INSERT, event(seq, "p:3", {"status": ["not-started", "fulfilled"]}))
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="nothing else"):
            conn.execute(INSERT, event(seq, "p:1", {"title": ["One", "Renamed"]}))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # (the policy)
            conn.execute(INSERT, event(seq, "p", {}, action="plan-edit"))
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="amendment of plan p"):
            conn.execute(INSERT, event(seq, "p", {"title": ["P", "Forged"]}, action="amend",
                                       published="council", before={}, after={}))
    with psycopg.connect(team[MFA]) as conn:  # an amendment in the step of its own change
        seq = last_seq(conn) + 1
        step = int(conn.execute("SELECT last_step FROM tracker.meta").fetchone()[0]) + 1  # type: ignore[index]
        conn.execute("UPDATE tracker.items SET evidence = 'act' WHERE plan = 'p' AND ref = '1'")
        conn.execute(INSERT, event(seq, "p:1", {"evidence": ["", "act"]}, step=step,
                                   acting_for=["MFA"]))
        amend = {"action": "amend", "published": "council", "before": {}, "after": {}}
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="says otherwise"), \
                conn.transaction():  # for whom, unsaid
            conn.execute(INSERT, event(seq + 1, "p", {}, step=step, **amend))
        conn.execute(INSERT, event(seq + 1, "p", {}, step=step, acting_for=["MFA"], **amend))
        conn.rollback()
    assert snapshot(pg) == before


def test_psql_an_executor_writes_its_own_measure_only_with_the_journal_event_of_it(
        pg: PgDatabase, team: dict[str, str]) -> None:
    with psycopg.connect(team[MFA]) as conn:
        seq = last_seq(conn) + 1
        steps = int(conn.execute("SELECT last_step FROM tracker.meta").fetchone()[0])  # type: ignore[index]
        conn.execute("UPDATE tracker.items SET status = 'partial' WHERE plan = 'p' AND ref = '1'")
        conn.execute(INSERT, event(seq, "p:1", {"status": ["not-started", "partial"]},
                                   step=steps + 1, acting_for=["MFA"]))
        conn.commit()
        # the server counted it: the next command's event follows it
        assert conn.execute("SELECT last_seq, last_step FROM tracker.meta").fetchone() == (
            seq, steps + 1)
        # an event that says what the measure is not is refused as it is written
        conn.execute("UPDATE tracker.items SET status = 'fulfilled' WHERE plan = 'p' "
                     "AND ref = '1'")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match=(
                'says the status of p:1 changed from "partial" to "stalled", and the '
                'measure\'s status was "partial" and is "fulfilled"')):
            conn.execute(INSERT, event(seq + 1, "p:1", {"status": ["partial", "stalled"]},
                                       step=steps + 2, acting_for=["MFA"]))
        conn.rollback()
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match=(
                'says the status of p:1 changed from "withdrawn" to "partial"')):
            conn.execute(INSERT, event(seq + 1, "p:1", {"status": ["withdrawn", "partial"]},
                                       step=steps + 2, acting_for=["MFA"]))  # no change
        conn.rollback()
        # a value set after its event, that no event gives, is refused at commit
        conn.execute("UPDATE tracker.items SET status = 'stalled' WHERE plan = 'p' "
                     "AND ref = '1'")
        conn.execute(INSERT, event(seq + 1, "p:1", {"status": ["partial", "stalled"]},
                                   step=steps + 2, acting_for=["MFA"]))
        conn.execute("UPDATE tracker.items SET status = 'fulfilled' WHERE plan = 'p' "
                     "AND ref = '1'")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="no journal event"):
            conn.commit()
    ok_at(team[MFA], "update", "p:1", "--evidence", "act No. 2")
    log = json.loads(ok_at(pg, "log", "p:1", "-f", "json"))
    assert [(e["seq"], e["actor"], e["changes"]) for e in log[:2]] == [
        (seq + 1, MFA, {"evidence": ["", "act No. 2"]}),
        (seq, MFA, {"status": ["not-started", "partial"]})]


def test_psql_a_broken_or_out_of_line_event_is_refused_and_one_written_by_the_owner_is_named(
        pg: PgDatabase, team: dict[str, str]) -> None:
    """The journal stays readable: the server checks every role's events but its owner's,
    and tracker names an event that is not whole (only the owner can write one)."""
    before = snapshot(pg)
    with psycopg.connect(team[MFA], autocommit=True) as conn:
        seq = last_seq(conn) + 1
        params = event(seq, "p:1", {"status": ["not-started", "partial"]})
        broken = [
            ((seq, seq, "p:1", "p", "2026-01-15", "update",
              json.dumps({"changes": {"status": ["not-started", "fulfilled"]}})),
             f"event {seq} is not a journal event"),
            ((*params[:6], json.dumps({**json.loads(str(params[6])), "action": "remove"})),
             f"the columns of event {seq}"),
            (event(seq, "p:1", {"status": ["partial"]}), "not from one value to another"),
            (event(seq, "p:1", {"status": "partial"}), "not from one value to another"),
            (event(seq, "p:1", {}, effective="someday"), f"event {seq} has no day"),
            (event(seq, "p:1", {}, effective="2026-02-30"), f"event {seq} has no day"),
            (event(seq + 5, "p:1", {}, effective="2028-02-29"), f"numbered from {seq} on"),
            (event(seq + 5, "p:1", {"status": ["not-started", "partial"]}),
             f"numbered from {seq} on"),
            (event(seq, "p:1", {"status": ["not-started", "partial"]}, step=seq - 1),
             f"must be of step {seq}"),
            (event(seq, "p:1", {}, action="attach"),
             f"a attach event needs name, sha256, size; event {seq} has not"),
        ]
        for params, refused in broken:
            with pytest.raises(psycopg.errors.CheckViolation, match=refused):
                conn.execute(INSERT, params)
    assert snapshot(pg) == before
    with psycopg.connect(str(pg), autocommit=True) as conn:  # the owner may: copy loads so
        conn.execute(INSERT, (seq, seq, "p:1", "p", "2026-01-15", "update",
                              json.dumps({"changes": {}})))
        conn.execute("UPDATE tracker.meta SET last_seq = %s", (seq,))
    failed = one_line_failure(at(pg, "log"))
    assert failed.rstrip() == (
        f"Error: journal event {seq} is not whole (it lacks action, actor, at, effective, id, "
        "note, reason, seq, step): it was written past tracker, with psql; its owner can "
        f"delete it ('DELETE FROM tracker.events WHERE seq = {seq}') or fix it")


def test_psql_a_kept_file_must_match_its_sha256(pg: PgDatabase, team: dict[str, str],
                                                tmp_path: Path) -> None:
    import hashlib

    real = b"the signed protocol"
    with psycopg.connect(team[MFA], autocommit=True) as conn, pytest.raises(
            psycopg.errors.CheckViolation):
        conn.execute("INSERT INTO tracker.files (sha256, size, data) VALUES (%s, %s, %s)",
                     (hashlib.sha256(real).hexdigest(), len(real), b"forged"))
    source = tmp_path / "protocol.pdf"
    source.write_bytes(real)
    ok_at(team[MFA], "attach", "p:1", str(source))
    out = tmp_path / "back.pdf"
    ok_at(pg, "attachment", "get", "p:1", "protocol.pdf", "-o", str(out))
    assert out.read_bytes() == real


def test_revoked_rights_leave_reading_only(pg: PgDatabase, team: dict[str, str],
                                           tmp_path: Path) -> None:
    before = snapshot(pg)
    assert one_line_failure(at(pg, "db", "grant", MFA, "--executor", " "), code=2) == (
        "Error: an executor's name is empty: give it as the measures name it (see 'tracker "
        "report --by owner'); nothing was changed\n")
    plan = tmp_path / "p.csv"
    plan.write_text("ref,title,status\n1,One,fulfilled\n")
    assert "and may not import measure p:1 (an executor reports in a round's form)" in (
        one_line_failure(at(team[MFA], "import", "p", str(plan))))
    long = "l" * 63 + "_focal_point"  # (PostgreSQL would cut the role's name to 63 bytes)
    assert one_line_failure(at(pg, "db", "grant", long, "--executor", "MFA"), code=2) == (
        f"Error: role name '{long}' is longer than PostgreSQL's 63 bytes: give the role a "
        "shorter name; nothing was changed\n")
    for args in (["db", "grant", MFA, "--executor", "MoD"],
                 ["db", "grant", MOD, "--executor", "MoD", "--revoke"]):  # by an executor
        refused = one_line_failure(at(team[MFA], *args))
        assert refused == (f"Error: role {MFA} may not grant or revoke rights on "
                           f"{team[MFA]}: only the owner of its tables may (the role that ran "
                           "'tracker db init'); nothing was changed\n")
    never = one_line_failure(at(pg, "db", "grant", MFA, "--executor", "MoD", "--revoke"))
    assert never == (f"Error: role {MFA} does not act for MoD: nothing was changed (see "
                     "'tracker db rights')\n")
    assert snapshot(pg) == before
    revoked = at(pg, "db", "grant", MFA, "--executor", "MFA", "--executor", "MoD", "--revoke")
    assert revoked.exit_code == 0, revoked.stderr
    assert revoked.stderr.splitlines()[-2:] == [f"role {MFA} no longer acts for MFA",
                                                f"role {MFA} did not act for MoD"]
    assert json.loads(ok_at(team[MFA], "list", "-f", "json"))
    before = snapshot(pg)
    failed = at(team[MFA], "update", "p:1", "--status", "fulfilled")
    assert failed.exit_code == 1 and f"role {MFA} may only read database" in failed.stderr
    assert snapshot(pg) == before


def test_two_executor_roles_four_processes_each_lose_nothing(
        pg: PgDatabase, team: dict[str, str]) -> None:
    """Each process updates its role's own measure and tries the other's, in turn."""
    own = {MFA: "p:1", MOD: "p:3"}
    other = {MFA: "p:3", MOD: "p:1"}
    env = {**os.environ, "TRACKER_LOCK_TIMEOUT": "60"}
    env.pop("TRACKER_DB", None)

    def work(role: str, n: int) -> list[tuple[str, int]]:
        done = []
        for k in range(3):
            for target in (own[role], other[role]):
                note = f"{role}-{n}-{k}"
                proc = subprocess.run(
                    [sys.executable, "-m", "tracker", "--db", team[role], "update", target,
                     "--evidence", note],
                    env=env, capture_output=True, text=True, timeout=120, check=False)
                done.append((target, proc.returncode))
                assert proc.returncode in (0, 1), proc.stderr
                if proc.returncode == 1:
                    assert "and the role acts for" in proc.stderr, proc.stderr
        return done

    with ThreadPoolExecutor(8) as pool:
        results = {(role, n): pool.submit(work, role, n) for role in (MFA, MOD)
                   for n in range(4)}
    outcomes = {key: future.result() for key, future in results.items()}
    for (role, _n), done in outcomes.items():
        assert [code for target, code in done if target == own[role]] == [0, 0, 0]
        assert [code for target, code in done if target == other[role]] == [1, 1, 1]
    notes = {(e["actor"], e["changes"]["evidence"][1])
             for e in json.loads(ok_at(pg, "log", "-f", "json")) if e["action"] == "update"}
    assert notes >= {(role, f"{role}-{n}-{k}") for role in (MFA, MOD) for n in range(4)
                     for k in range(3)}
    assert len([e for e in json.loads(ok_at(pg, "log", "-f", "json"))
                if e["action"] == "update"]) == 24  # every permitted write, and only those


def test_copy_carries_the_rights_to_a_server_and_drops_them_into_a_file(
        pg: PgDatabase, team: dict[str, str], pg_cluster: PgCluster, tmp_path: Path) -> None:
    ok_at(pg, "db", "init", "--grant-write", "tracker_test_secretariat", "--grant-read",
          "tracker_test_auditors")
    target = pg_cluster.create()
    try:
        copied = at(pg, "copy", target)
        assert copied.exit_code == 0, copied.stderr
        listed = json.loads(ok_at(pg, "db", "rights", "-f", "json"))
        assert {r["role"]: r["rights"] for r in listed} == {
            MFA: "executor", MOD: "executor", "tracker_test_secretariat": "write",
            "tracker_test_auditors": "read"}
        assert json.loads(ok_at(target, "db", "rights", "-f", "json")) == listed  # the
        # writers' and readers' grants too (a new user's check found them left behind)
        as_mfa = team[MFA].replace(str(pg).split("?")[0], str(target).split("?")[0])
        assert "may not change p:3: it belongs to MoD (responsible)" in one_line_failure(
            at(as_mfa, "update", "p:3", "--status", "fulfilled"))
        ok_at(as_mfa, "update", "p:1", "--status", "fulfilled")
    finally:
        pg_cluster.drop(target)
    to_file = at(pg, "copy", str(tmp_path / "team.json"))
    assert to_file.exit_code == 0, to_file.stderr
    assert ("note: the rights of 2 roles acting for executors were not copied: a file has "
            "one user") in to_file.stderr
    assert ("note: the grants of 2 reading or writing roles were not copied: a file has one "
            "user") in to_file.stderr


def test_a_copy_into_a_file_keeps_what_events_written_with_psql_say(
        pg: PgDatabase, team: dict[str, str], tmp_path: Path) -> None:
    """A server's journal keeps an event's keys in the order its writer gave them (psql's
    jsonb_build_object sorts them); the file they are copied to reads them as tracker's:
    the attachment, the round and the answer are all there."""
    protocol = tmp_path / "protocol.pdf"
    protocol.write_bytes(b"%PDF-1.4 protocol")
    ok_at(team[MFA], "attach", "p:1", str(protocol))
    with psycopg.connect(team[MFA]) as conn:
        seq = last_seq(conn) + 1
        step = int(conn.execute("SELECT last_step FROM tracker.meta").fetchone()[0]) + 1  # type: ignore[index]
        conn.execute("UPDATE tracker.items SET evidence = 'act' WHERE plan = 'p' AND ref = '1'")
        params = event(seq, "p:1", {"evidence": ["", "act"]}, step=step, acting_for=["MFA"])
        conn.execute(INSERT, (*params[:6], json.dumps(json.loads(str(params[6])),
                                                      sort_keys=True)))
        conn.commit()
    copy = tmp_path / "copy.json"
    assert at(pg, "copy", str(copy)).exit_code == 0
    for args in (["attachments", "-f", "json"], ["log", "p:1", "-f", "json"],
                 ["show", "p:1", "-f", "json"]):
        assert json.loads(ok_at(str(copy), *args)) == json.loads(ok_at(pg, *args)), args
    (kept,) = json.loads(ok_at(str(copy), "attachments", "-f", "json"))
    assert kept["name"] == "protocol.pdf"


def test_an_executor_types_in_history_late_under_a_later_change(
        pg: PgDatabase, team: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """A change dated before a later-dated one of its field is journaled and leaves the
    measure as the later one has it: the server's check lets it through (schema 7's first
    build refused it: the event's 'after' is not the measure's value now)."""
    monkeypatch.setenv("TRACKER_TODAY", "2026-03-01")
    ok_at(team[MFA], "update", "p:1", "--status", "partial")
    ok_at(team[MFA], "update", "p:1", "--status", "stalled", "--reason", "no funds",
          "--on", "2026-02-01")
    (late, *_) = json.loads(ok_at(pg, "log", "p:1", "-f", "json"))
    assert (late["effective"], late["changes"]["status"]) == (
        "2026-02-01", ["partial", "stalled"])
    ok_at(team[MFA], "update", "p:1", "--reason", "early", "--on", "2026-02-10")  # (status's)
    ok_at(team[MFA], "update", "p:1", "--evidence", "act 1")
    ok_at(team[MFA], "update", "p:1", "--evidence", "act 0", "--on", "2026-02-01")
    shown = json.loads(ok_at(pg, "show", "p:1", "-f", "json"))
    assert (shown["status"], shown["reason"], shown["evidence"]) == ("partial", "", "act 1")
    for _ in range(4):  # and the undo of each, back to the first change
        ok_at(team[MFA], "undo", "--yes")
    shown = json.loads(ok_at(pg, "show", "p:1", "-f", "json"))
    assert (shown["status"], shown["reason"], shown["evidence"]) == ("partial", "", "")
    with psycopg.connect(team[MFA]) as conn:  # and with psql, what no later change covers
        seq = last_seq(conn) + 1
        step = int(conn.execute("SELECT last_step FROM tracker.meta").fetchone()[0]) + 1  # type: ignore[index]
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="says the status of"):
            conn.execute(INSERT, event(seq, "p:1", {"status": ["partial", "fulfilled"]},
                                       step=step, effective="2026-03-01", acting_for=["MFA"]))


def test_psql_an_executor_cannot_break_undo_rounds_files_or_the_fold_as_schema_7_let_it(
        pg: PgDatabase, team: dict[str, str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Schema 8: what a new user's check got past schema 7 with psql, each refused, and
    nothing written."""
    monkeypatch.setenv("TRACKER_TODAY", "2026-03-01")
    ok_at(pg, "add", "p", "Five", "--responsible", "MFA", "--on", "2026-01-01")
    ok_at(pg, "update", "p:5", "--status", "in-progress", "--on", "2026-02-01")
    ok_at(pg, "update", "p:5", "--status", "partial", "--on", "2026-02-20")
    ok_at(pg, "undo", "--yes")  # a later-dated change that no longer holds
    protocol = tmp_path / "protocol.pdf"
    protocol.write_bytes(b"%PDF-1.4 protocol")
    ok_at(pg, "attach", "p:4", str(protocol))  # kept: its SHA-256 is in tracker.files
    sha = hashlib.sha256(protocol.read_bytes()).hexdigest()
    ok_at(pg, "round", "open", "p", "--name", "r1")
    ok_at(pg, "round", "close", "r1")
    ok_at(pg, "update", "p:1", "--status", "in-progress", "--on", "2026-02-01")
    before = snapshot(pg)
    with psycopg.connect(team[MFA]) as conn:
        seq = last_seq(conn) + 1
        step = int(conn.execute("SELECT last_step FROM tracker.meta").fetchone()[0]) + 1  # type: ignore[index]

        def refused(match: str, *first: str, params: tuple[object, ...] = (),
                    commit: bool = False, statements: tuple[str, ...] = ()) -> None:
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match=match):
                for statement in (*first, *statements):
                    conn.execute(statement)
                if params:
                    conn.execute(INSERT, params)
                if commit:
                    conn.commit()
            conn.rollback()

        mine = {"step": step, "acting_for": ["MFA"]}
        # a detach of a file the measure never had: every later undo failed, for everyone
        refused("detaches \"ghost.pdf\" from p:1, which has no such file", params=event(
            seq, "p:1", {}, action="detach", name="ghost.pdf", sha256="0" * 64, **mine))
        refused("detaches \"protocol.pdf\" from p:1, which has no such file", params=event(
            seq, "p:1", {}, action="detach", name="protocol.pdf", sha256=sha, **mine))
        # a name tracker refuses, a day after tomorrow, a time that is none
        for name in ("../../etc/passwd", "a\u202eb.pdf", "tab\there", "..", "x" * 256):
            refused("attaches a file named", params=event(
                seq, "p:1", {}, action="attach", name=name, sha256=sha,
                size=protocol.stat().st_size, **mine))
        refused("may not date a change after tomorrow \\(event \\d+ is of 2099-01-01\\)",
                params=event(seq, "p:1", {"evidence": ["", "act"]}, effective="2099-01-01",
                             **mine),
                statements=("UPDATE tracker.items SET evidence = 'act' WHERE ref = '1'",))
        refused("is recorded at never, which is not a time", params=(
            *event(seq, "p:1", {})[:6], json.dumps({**json.loads(str(event(
                seq, "p:1", {"evidence": ["", "act"]}, **mine)[6])), "at": "never"})),
                statements=("UPDATE tracker.items SET evidence = 'act' WHERE ref = '1'",))
        # an answer to a closed round
        refused("answers round r1, which is not open in plan p", params=event(
            seq, "p:1", {}, action="answer", round="r1", executor="MFA",
            answer={"status": "fulfilled"}, **mine))
        # typed in late under a later-dated change: the row may not change with it
        refused('changes the status of p:1 as of 2026-01-20, under a later-dated change '
                'that holds it: the measure stays "in-progress", not "fulfilled"',
                "UPDATE tracker.items SET status = 'fulfilled' WHERE plan = 'p' AND ref = '1'",
                params=event(seq, "p:1", {"status": ["in-progress", "fulfilled"]},
                             effective="2026-01-20", **mine))
        # under one that was undone (schema 7 let this one by too): as the event says
        refused('gives the status of p:5 as "fulfilled", and the measure\'s is "stalled"',
                "UPDATE tracker.items SET status = 'stalled' WHERE plan = 'p' AND ref = '5'",
                params=event(seq, "p:5", {"status": ["in-progress", "fulfilled"]},
                             effective="2026-02-10", **mine))
        # a file kept with no attach of it, or over 50 MB
        refused("kept the file [0-9a-f]{64} with no attach event of it", (
            "INSERT INTO tracker.files (sha256, size, data) SELECT encode(sha256(d), 'hex'), "
            "length(d), d FROM (SELECT '\\x0102'::bytea AS d) s"), commit=True)
        refused("may keep a file of at most 50 MB \\(52,428,800 bytes\\) on this server, and "
                "this one is 52428801 bytes", (
                    "INSERT INTO tracker.files (sha256, size, data) SELECT encode(sha256(d), "
                    "'hex'), length(d), d FROM (SELECT convert_to(repeat('x', 52428801), "
                    "'UTF8') AS d) s"), commit=True)
    assert snapshot(pg) == before
    ok_at(pg, "undo", "--yes")  # and undo goes on, for everyone
    big = tmp_path / "big.bin"
    big.write_bytes(b"x" * (50 * 1024 * 1024 + 1))
    monkeypatch.setenv("TRACKER_MAX_ATTACHMENT", "60M")
    said = one_line_failure(at(team[MFA], "attach", "p:1", str(big)))
    assert said.startswith("Error: database ") and said.endswith(
        f"refused the change: role {MFA} may keep a file of at most 50 MB (52,428,800 bytes) "
        "on this server, and this one is 52428801 bytes; nothing was written\n"), said


def test_db_rights_lists_the_same_whoever_asks_and_a_group_made_an_executor_is_named(
        pg: PgDatabase, team: dict[str, str]) -> None:
    """information_schema shows each role the grants of its own roles only: an executor saw
    no secretariat, a writer no readers (a new user's check)."""
    reader, writer = login_role(pg, "tracker_test_audit"), login_role(pg, "tracker_test_alice")
    ok_at(pg, "db", "init", "--grant-write", "tracker_test_secretariat", "--grant-read",
          "tracker_test_auditors")
    with pg.connect() as conn:
        conn.execute("GRANT tracker_test_secretariat TO tracker_test_alice")
        conn.execute("GRANT tracker_test_auditors TO tracker_test_audit")
    listed = [(r["role"], r["rights"]) for r in json.loads(ok_at(pg, "db", "rights", "-f",
                                                                 "json"))]
    assert listed == [("tracker_test_auditors", "read"), (MFA, "executor"), (MOD, "executor"),
                      ("tracker_test_secretariat", "write")]
    for url in (reader, writer, team[MFA]):
        assert [(r["role"], r["rights"]) for r in json.loads(
            ok_at(url, "db", "rights", "-f", "json"))] == listed
    granted = at(pg, "db", "grant", "tracker_test_auditors", "--executor", "MFA")
    assert granted.exit_code == 0, granted.stderr
    assert ("role tracker_test_auditors is granted to tracker_test_audit: each of them acts "
            "for MFA too\n") in granted.stderr
    ok_at(pg, "db", "grant", "tracker_test_auditors", "--executor", "MFA", "--revoke")
    team_role = "new team " + str(pg).split("///")[1].split("?")[0]  # (roles outlive a test)
    made = at(pg, "db", "grant", team_role, "--executor", "MFA")
    assert f"(NOLOGIN: grant it to people with 'GRANT \"{team_role}\" TO alice')" in made.stderr


def test_an_executor_types_in_history_late_on_a_number_used_before(
        pg: PgDatabase, team: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """A measure removed and another added under its number: the first one's events (its
    removal changes the status) hold nothing of the second's (schema 8's first build refused
    the executor's late change, which the secretariat's went through)."""
    monkeypatch.setenv("TRACKER_TODAY", "2026-03-01")
    ok_at(pg, "remove", "p:1", "--yes")
    ok_at(pg, "add", "p", "One again", "--ref", "1", "--responsible", "MFA", "--on",
          "2026-02-01")
    ok_at(team[MFA], "update", "p:1", "--status", "partial", "--reason", "late", "--on",
          "2026-02-15")
    ok_at(team[MFA], "update", "p:1", "--reason", "later", "--on", "2026-02-20")
    shown = json.loads(ok_at(pg, "show", "p:1", "-f", "json"))
    assert (shown["status"], shown["reason"]) == ("partial", "later")
    assert json.loads(ok_at(pg, "report", "p", "--as-of", "2026-03-01", "-f", "json"))[
        "plans"][0]["by_status"]["partial"] == 1


def test_an_executor_attaches_files_to_its_own_measures_only(
        pg: PgDatabase, team: dict[str, str], tmp_path: Path) -> None:
    protocol = tmp_path / "protocol.pdf"
    protocol.write_bytes(b"%PDF-1.4 protocol")
    ok_at(team[MFA], "attach", "p:1", str(protocol))
    before = snapshot(pg)
    assert "may not change p:3: it belongs to MoD (responsible)" in one_line_failure(
        at(team[MFA], "attach", "p:3", str(protocol)))
    assert snapshot(pg) == before
    (kept,) = json.loads(ok_at(pg, "attachments", "-f", "json"))
    assert (kept["id"], kept["actor"]) == ("p:1", MFA)


def test_db_init_migrates_schema_5_and_narrows_what_its_roles_may_write(
        pg: PgDatabase, team: dict[str, str]) -> None:
    """Schema 6 checks each event and counts it on the server: a schema-5 executor role
    loses its UPDATE of meta's counters and keeps writing its own measures."""
    from tracker.store import postgres as pgstore

    with psycopg.connect(str(pg), autocommit=True) as conn:  # as schema 5 left it
        for function in ("check_events", "count_events", "check_item_journaled",
                         "keep_item_before", "check_events_of_executors", "check_file_named"):
            conn.execute(f"DROP FUNCTION tracker.{function}() CASCADE")
        conn.execute("DROP TABLE tracker.items_before")
        conn.execute("ALTER TABLE tracker.items DROP CONSTRAINT items_status")
        conn.execute("ALTER TABLE tracker.meta DROP COLUMN last_xact")
        conn.execute("ALTER TABLE tracker.files DROP CONSTRAINT files_content")
        conn.execute("DROP FUNCTION tracker.is_day, tracker.is_sha256, tracker.is_count")
        conn.execute(f"GRANT UPDATE ON tracker.meta TO {MFA}")
        conn.execute("UPDATE tracker.meta SET schema_version = 5")
    migrated = at(pg, "db", "init")
    assert f"from schema 5 to {pgstore.SCHEMA_VERSION}" in migrated.stderr, migrated.stderr
    ok_at(team[MFA], "update", "p:1", "--status", "fulfilled")
    with psycopg.connect(team[MFA], autocommit=True) as conn, pytest.raises(
            psycopg.errors.InsufficientPrivilege):
        conn.execute("UPDATE tracker.meta SET last_seq = 0")
    (last,) = json.loads(ok_at(pg, "log", "p:1", "-f", "json"))[:1]
    assert (last["actor"], last["changes"]) == (MFA, {"status": ["not-started", "fulfilled"]})


def test_db_init_migrates_schema_6_to_checks_that_cost_a_command_less(
        pg: PgDatabase, team: dict[str, str]) -> None:
    """Schema 7 checks the same events as schema 6 with functions a new session plans
    once (PL/pgSQL, no subqueries where an expression does): a schema-6 database keeps
    its rights and refusals."""
    from tracker.store import postgres as pgstore

    six = pgstore.MIGRATIONS[6]
    acting = six[six.index("CREATE OR REPLACE FUNCTION tracker.acting_for()"):]
    acting = acting[:acting.index("$$;") + 3]
    check = six[six.index("CREATE FUNCTION tracker.check_events()"):]
    check = "CREATE OR REPLACE" + check[len("CREATE"):check.index("END $$;") + 7]
    with psycopg.connect(str(pg), autocommit=True) as conn:  # as schema 6 left it
        conn.execute(acting)
        conn.execute(check)
        conn.execute("DROP FUNCTION tracker.is_day, tracker.is_sha256, tracker.is_count")
        conn.execute("DROP FUNCTION tracker.check_events_of_executors(), "
                     "tracker.check_file_named() CASCADE")
        conn.execute("UPDATE tracker.meta SET schema_version = 6")
        languages = conn.execute(
            "SELECT p.proname, l.lanname FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang "
            "WHERE p.proname IN ('acting_for', 'check_events') ORDER BY 1").fetchall()
    assert languages == [("acting_for", "sql"), ("check_events", "plpgsql")]
    migrated = at(pg, "db", "init")
    assert f"from schema 6 to {pgstore.SCHEMA_VERSION}" in migrated.stderr, migrated.stderr
    with psycopg.connect(str(pg)) as conn:
        assert conn.execute("SELECT l.lanname FROM pg_proc p JOIN pg_language l "
                            "ON l.oid = p.prolang WHERE p.proname = 'acting_for'"
                            ).fetchone() == ("plpgsql",)
        assert "jsonb_path_exists" in conn.execute(
            "SELECT prosrc FROM pg_proc WHERE proname = 'check_events'").fetchone()[0]  # type: ignore[index]
    before = snapshot(pg)
    refused = one_line_failure(at(team[MFA], "update", "p:3", "--status", "fulfilled"))
    assert "may not change p:3: it belongs to MoD (responsible)" in refused
    with psycopg.connect(team[MFA], autocommit=True) as conn:
        seq = last_seq(conn) + 1
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="not one of their"):
            conn.execute(INSERT, event(seq, "p:3", {"status": ["not-started", "fulfilled"]},
                                       acting_for=["MFA"]))
        with pytest.raises(psycopg.errors.CheckViolation, match="not from one value"):
            conn.execute(INSERT, event(seq, "p:1", {"status": ["fulfilled"]}))
    assert snapshot(pg) == before
    ok_at(team[MFA], "update", "p:1", "--status", "fulfilled")
    (last,) = json.loads(ok_at(pg, "log", "p:1", "-f", "json"))[:1]
    assert (last["actor"], last["changes"]) == (MFA, {"status": ["not-started", "fulfilled"]})


def test_a_person_granted_the_executors_role_acts_for_its_executors_only(
        pg: PgDatabase, team: dict[str, str]) -> None:
    """As the README sets it up: 'db grant' makes a NOLOGIN role, a person logs in as
    themself with it granted ('GRANT mfa_focal TO alice'): the rights hold for them too."""
    alice = login_role(pg, "tracker_test_alice")
    with pg.connect() as conn:
        conn.execute(f"GRANT {MFA} TO tracker_test_alice")
    before = snapshot(pg)
    refused = one_line_failure(at(alice, "update", "p:3", "--status", "fulfilled"))
    assert "role 'tracker_test_alice' may not change p:3: it belongs to MoD (responsible)" \
        in refused
    with psycopg.connect(alice, autocommit=True) as conn, pytest.raises(
            psycopg.errors.InsufficientPrivilege):
        conn.execute("UPDATE tracker.items SET status = 'fulfilled' WHERE ref = '3'")
    assert snapshot(pg) == before
    ok_at(alice, "update", "p:1", "--status", "fulfilled")
    assert "tracker_test_alice (for MFA)" in ok_at(pg, "log", "p:1")


def test_an_executor_changes_its_measure_after_a_report_is_published_and_undoes_its_step(
        pg: PgDatabase, team: dict[str, str], tmp_path: Path) -> None:
    """The amendment its change makes to a published report is its to mark (SPEC §14);
    it undoes a step of its own, not the secretariat's or another executor's."""
    mfa = team[MFA]
    ok_at(pg, "report", "p", "--publish", "council")
    result = at(mfa, "update", "p:1", "--status", "fulfilled", "--yes")
    assert result.exit_code == 0, result.stderr
    (amend, update) = json.loads(ok_at(pg, "log", "-f", "json"))[:2]
    assert (amend["action"], amend["published"], amend["actor"], amend["acting_for"]) == (
        "amend", "council", MFA, ["MFA"])
    assert (update["id"], update["changes"]) == ("p:1", {"status": ["not-started", "fulfilled"]})
    proof = tmp_path / "act.pdf"
    proof.write_bytes(b"%PDF act")
    ok_at(mfa, "attach", "p:1", str(proof))
    ok_at(mfa, "detach", "p:1", "act.pdf")
    ok_at(mfa, "undo", "--yes")  # the detach
    assert [a["name"] for a in json.loads(ok_at(pg, "attachments", "-f", "json"))] == [
        "act.pdf"]
    ok_at(mfa, "undo", "--yes")  # the attach
    ok_at(mfa, "undo", "--yes")  # the status, with its amendment
    (item,) = [i for i in json.loads(ok_at(pg, "list", "-f", "json")) if i["id"] == "p:1"]
    assert item["status"] == "not-started"
    ok_at(pg, "update", "p:1", "--evidence", "the secretariat's")
    before = snapshot(pg)
    refused = one_line_failure(at(mfa, "undo", "--yes"))
    assert refused.rstrip().endswith(
        f"may undo only a step of its own: the last step (13) was made by {pg_role(pg)}; "
        "nothing was undone")
    ok_at(team[MOD], "update", "p:3", "--status", "partial", "--yes")
    assert "was made by tracker_test_mod" in one_line_failure(at(mfa, "undo", "--yes"))
    with psycopg.connect(mfa, autocommit=True) as conn:  # psql: an undo of MoD's step
        seq = last_seq(conn) + 1
        (step,) = conn.execute("SELECT last_step FROM tracker.meta").fetchone()  # type: ignore[misc]
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="only a step of its own"):
            conn.execute(INSERT, event(seq, "p:1", {}, step=step + 1, action="undo",
                                       undoes=step))
    after = snapshot(pg)
    assert after["items"] != before["items"]  # (MoD's update)
    assert set(before["events"]) < set(after["events"])  # kept, and MoD's added


def pg_role(url: str) -> str:
    return re.search(r"user=([^&]*)", url).group(1)  # type: ignore[union-attr]


def test_a_grant_for_an_executor_no_measure_names_says_so(
        pg: PgDatabase, team: dict[str, str]) -> None:
    granted = at(pg, "db", "grant", MOD, "--executor", "MoD", "--executor", "Mod")
    assert granted.exit_code == 0, granted.stderr
    assert granted.stderr.splitlines()[-1] == (
        "no measure names Mod as its executor yet: check the spelling ('tracker report --by "
        "owner'); the rights hold once one does")


def test_psql_cannot_sign_as_another_role_nor_write_events_that_break_reading(
        pg: PgDatabase, team: dict[str, str]) -> None:
    """The holes a new-user check found in schema 6's first build, each refused now."""
    before = snapshot(pg)
    sha = "a" * 64
    with psycopg.connect(team[MFA], autocommit=True) as conn:
        seq = last_seq(conn) + 1
        payload = f"of event {seq} are not what a"
        answer = {"action": "answer", "round": "r1", "executor": "MFA"}
        broken = [  # well-formed events with payloads that no reader could read
            (event(seq, "p:1", {}, **answer, answer="x"), payload),
            (event(seq, "p:1", {}, **answer, answer=None), payload),
            (event(seq, "p:1", {}, **answer, answer={"status": 3}), payload),
            (event(seq, "p:1", {}, **answer, answer={"status": "bogus"}), payload),
            (event(seq, "p:1", {}, **answer, answer={"reason": None}), payload),
            (event(seq, "p:1", {}, **answer, answer={"evidence": "x", "title": "y"}), payload),
            (event(seq, "p:1", {}, action="attach", name=None, sha256=None, size=None), payload),
            (event(seq, "p:1", {}, action="attach", name="a.pdf", sha256=sha, size="big"),
             payload),
            (event(seq, "p:1", {}, action="detach", name={"a": 1}, sha256=sha), payload),
            (event(seq, "p:1", {}, action="attach", name="a.pdf", sha256=sha, size=7,
                   acting_for=["MFA"]), "attaches a file that is not kept"),
            (event(seq, "p:1", {}, action="undo", undoes="last"), payload),
            (event(seq, "p:1", {"status": ["not-started", "bogus"]}), "a status tracker does"),
            (event(seq, "p:1", {"status": [7, "partial"]}), "a status tracker does not"),
            (event(seq, "p:1", {"updated": ["a", "b"]}), "updated to what is not a day"),
            (event(seq, "p:1", {"updated": [None, 20260115]}), "updated to what is not a day"),
            (event(seq, "p:1", {"updated": ["2026-01-15", "2026-02-30"]}),
             "updated to what is not a day"),
            # a value inside a list is not the value (schema 7's first build let it pass)
            (event(seq, "p:1", {"reason": ["", ["x", "NEW"]]}, acting_for=["MFA"]),
             "a reason or evidence to what is not text"),
            (event(seq, "p:1", {"evidence": [5, "act"]}, acting_for=["MFA"]),
             "a reason or evidence to what is not text"),
        ]
        for params in [event(seq, "p:1", {"evidence": ["", "act"]}),  # for whom, unsaid
                       event(seq, "p:1", {"evidence": ["", "act"]}, acting_for=[]),
                       event(seq, "p:1", {"evidence": ["", "act"]}, acting_for=["MFA", "MoD"]),
                       event(seq, "p:1", {"evidence": ["", "act"]}, acting_for="MFA"),
                       event(seq, "p:1", {"evidence": ["", "act"]}, acting_for=[["MFA"]])]:
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="says otherwise"):
                conn.execute(INSERT, params)
        with pytest.raises(psycopg.errors.InsufficientPrivilege,
                           match="answers round nonexistent, which no round of plan p is"):
            conn.execute(INSERT, event(seq, "p:1", {}, action="answer", round="nonexistent",
                                       executor="MFA", answer={}, acting_for=["MFA"]))
        with pytest.raises(psycopg.errors.InsufficientPrivilege,
                           match="may not date a change of p:1 before the measure was added"):
            conn.execute(INSERT, event(seq, "p:1", {"evidence": ["", "act"]},
                                       effective="1990-01-01", acting_for=["MFA"]))
        for params, refused in broken:
            with pytest.raises(psycopg.errors.CheckViolation, match=refused):
                conn.execute(INSERT, params)
        whole = json.loads(str(event(seq, "p:1", {})[6]))
        with pytest.raises(psycopg.errors.CheckViolation):  # seq 26.0 is not 26
            conn.execute(INSERT, (*event(seq, "p:1", {})[:6], json.dumps(whole).replace(
                f'"seq": {seq},', f'"seq": {seq}.0,')))
    with psycopg.connect(team[MFA]) as conn:
        # an event of no change, then the status, or the days, set to anything
        for statement in ("UPDATE tracker.items SET status = 'fulfilled' WHERE ref = '1'",
                          "UPDATE tracker.items SET updated = '2001-01-01', "
                          "status_since = '2999-12-31' WHERE ref = '1'"):
            conn.execute(INSERT, event(seq, "p:1", {}, acting_for=["MFA"]))
            conn.execute(statement)
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="no journal event"):
                conn.commit()
        # a temporary pg_class ahead of the catalogue's, to pass as the tables' owner
        conn.execute("CREATE TEMP TABLE pg_class (oid oid, relowner oid)")
        conn.execute("INSERT INTO pg_temp.pg_class SELECT 'tracker.events'::regclass, oid "
                     "FROM pg_roles WHERE rolname = current_user")
        conn.execute("SET search_path = pg_temp, pg_catalog")
        conn.execute("UPDATE tracker.items SET evidence = 'act' WHERE plan = 'p' AND ref = '1'")
        conn.execute(INSERT.replace("action,", "action, actor,").replace("%s)", "%s, %s)"),
                     (*event(seq, "p:1", {"evidence": ["", "act"]})[:6], "tester",
                      event(seq, "p:1", {"evidence": ["", "act"]}, acting_for=["MFA"])[6]))
        assert conn.execute("SELECT actor FROM tracker.events WHERE seq = %s",
                            (seq,)).fetchone() == (MFA,)
        conn.rollback()
    assert snapshot(pg) == before
    ok_at(pg, "log")  # and everyone reads on


def test_a_writer_is_never_an_executor_and_keeps_every_right(
        pg: PgDatabase, team: dict[str, str]) -> None:
    writer = login_role(pg, "tracker_test_bob")
    ok_at(pg, "db", "init", "--grant-write", "tracker_test_bob")
    before = snapshot(pg)
    refused = one_line_failure(at(pg, "db", "grant", "tracker_test_bob", "--executor", "MFA"))
    assert "role tracker_test_bob writes every measure" in refused
    # an executor's role made a writer or a reader by 'db init' would go on being listed as
    # acting for its executors; and only the owner sets up and grants
    for access, words in (("--grant-write", "read and write access"),
                          ("--grant-read", "read-only access")):
        assert one_line_failure(at(pg, "db", "init", access, MFA)) == (
            f"Error: role {MFA} acts for MFA: revoke that first ('tracker db grant {MFA} "
            f"--executor … --revoke'), then grant it {words}; nothing was changed\n")
    for url in (writer, team[MFA]):
        role = "tracker_test_bob" if url == writer else MFA
        assert one_line_failure(at(url, "db", "init", "--grant-write", MOD)) == (
            f"Error: role {role} may not set up {url} nor grant roles on it: only the owner "
            "of its tables may (the role that ran 'tracker db init'); nothing was changed\n")
    assert snapshot(pg) == before
    with pg.connect() as conn:  # a person who is both: the writer's rights hold
        conn.execute(f"GRANT {MOD} TO tracker_test_bob")
    ok_at(writer, "add", "p", "Five")
    ok_at(writer, "update", "p:4", "--title", "Four, renamed")


@pytest.mark.parametrize("args", [["update", "p:1", "--status", "stalled", "--reason", "x",
                                   "--on", "0999-06-01"],
                                  ["add", "p", "Old", "--on", "0500-01-01"]])
def test_a_day_before_1900_is_refused(pg: PgDatabase, team: dict[str, str],
                                      args: list[str]) -> None:
    before = snapshot(pg)
    result = at(pg, *args)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0].endswith("tracker takes days from the year 1900 on")
    assert snapshot(pg) == before


def test_an_executor_answers_a_round_for_its_executor_only(
        pg: PgDatabase, team: dict[str, str], tmp_path: Path) -> None:
    from tests.test_rounds import fill

    ok_at(pg, "round", "open", "p", "--name", "r1")
    written = {Path(p).name: Path(p) for p in ok_at(
        pg, "round", "forms", "r1", "-o", str(tmp_path / "forms")).splitlines()}
    mfa = fill(written["MFA.xlsx"], tmp_path / "mfa.xlsx", {1: ("fulfilled", "", "act 1")})
    mod = fill(written["MoD.xlsx"], tmp_path / "mod.xlsx", {1: ("in-progress", "", "")})
    recorded = at(team[MFA], "import", "p", str(mfa))
    assert recorded.exit_code == 0, recorded.stderr
    (answer,) = [e for e in json.loads(ok_at(pg, "log", "-f", "json")) if e["action"] == "answer"]
    assert (answer["id"], answer["actor"], answer["executor"], answer["acting_for"]) == (
        "p:1", MFA, "MFA", ["MFA"])
    ok_at(team[MOD], "import", "p", str(mod))
    before = snapshot(pg)
    again = fill(written["MoD.xlsx"], tmp_path / "mod2.xlsx", {1: ("stalled", "no funds", "")})
    for form in (again, mod):  # MoD's answers, new or recorded already
        refused = one_line_failure(at(team[MFA], "import", "p", str(form)))
        assert refused == (f"Error: role '{MFA}' acts for MFA and may not import the form of "
                           "MoD in round 'r1'; nothing was imported\n")
    assert one_line_failure(at(team[MFA], "--lang", "ru", "import", "p", str(again))) == (
        f"Ошибка: роль '{MFA}' действует от имени исполнителя MFA и не может импортировать "
        "форму исполнителя MoD по запросу 'r1'; ничего не импортировано\n")
    assert snapshot(pg) == before
