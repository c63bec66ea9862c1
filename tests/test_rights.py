"""Rights per executor on the team server (SPEC §15), on the real PostgreSQL server the
suite starts: a role acting for an executor writes the status, reason and evidence of its
own measures and nothing else — through tracker (one line naming the role, the item and
whose it is) and through psql alike (row-level security); concurrently too."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest

from tests.helpers import PgCluster, PgDatabase, snapshot, use_database
from tests.test_pgstore import at, login_role, ok_at, one_line_failure

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
    assert granted.stderr.endswith(f"role {MFA} acts for MFA: it may change the status, "
                                   "reason and evidence of their measures, answer rounds and "
                                   "attach files for them\n")
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
    (["--lang", "ru", "update", "p:3", "--status", "fulfilled"],
     f"роль '{MFA}' не может изменять мероприятие p:3: его исполнитель — MoD (ответственный), "
     "а роль действует от имени исполнителя MFA; ничего не записано"),
    (["update", "p:1", "--title", "Renamed"],
     "of p:1 it may change the status, reason and evidence, not title"),
    (["update", "p:1", "--due", "2026-06-30", "--reason", "moved"], "not due"),
    (["update", "p:1", "--responsible", "MoD"], "not owners"),
    (["add", "p", "Five"], "may change only their measures' status, reason and evidence"),
    (["remove", "p:1", "--yes"], "may change only their measures'"),
    (["plan", "add", "q", "--title", "Q"], "may change only their measures'"),
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
        changed = conn.execute("UPDATE tracker.items SET status = 'fulfilled' "
                               "WHERE plan = 'p' AND ref = '3'")
        assert changed.rowcount == 0  # not its row: the policy leaves it out
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE tracker.items SET title = 'Renamed' WHERE ref = '1'")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM tracker.items WHERE ref = '1'")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # a forged journal line
            conn.execute(
                "INSERT INTO tracker.events (seq, step, id, plan, effective, action, event) "
                "VALUES (999, 999, 'p:3', 'p', '2026-01-15', 'update', %s)",
                (json.dumps({"changes": {"status": ["not-started", "fulfilled"]}}),))
        assert conn.execute("UPDATE tracker.items SET status = 'partial' "
                            "WHERE plan = 'p' AND ref = '1'").rowcount == 1  # its own
    after = snapshot(pg)
    assert after["items"] != before["items"]
    assert after["events"] == before["events"]
    three = next(i for i in json.loads(ok_at(pg, "list", "-f", "json")) if i["id"] == "p:3")
    assert three["status"] == "not-started"


def test_revoked_rights_leave_reading_only(pg: PgDatabase, team: dict[str, str]) -> None:
    revoked = at(pg, "db", "grant", MFA, "--executor", "MFA", "--revoke")
    assert revoked.exit_code == 0 and f"role {MFA} no longer acts for MFA" in revoked.stderr
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
    target = pg_cluster.create()
    try:
        copied = at(pg, "copy", target)
        assert copied.exit_code == 0, copied.stderr
        assert json.loads(ok_at(target, "db", "rights", "-f", "json")) == json.loads(
            ok_at(pg, "db", "rights", "-f", "json"))
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
