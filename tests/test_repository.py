"""The repository contract: what every backend must do, run on memory, file and PostgreSQL
(tinydb's ``params=['memory', 'json']`` fixture, with a third). A new backend passes this
module; what only one backend does is tested in its own module (test_store_file.py,
test_pgstore.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import PG_ROLE, PgCluster
from tracker.domain import Item, Plan
from tracker.store import Repository, open_reader, open_repository
from tracker.store.memory import MemoryDatabase

Location = Any  # a path, a PostgreSQL URL or a MemoryDatabase


@pytest.fixture(params=["memory", "file", "postgresql"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Location]:
    if request.param == "memory":
        yield MemoryDatabase()
    elif request.param == "file":
        yield str(tmp_path / "db.json")
    else:
        cluster: PgCluster = request.getfixturevalue("pg_cluster")
        database = cluster.create()
        yield str(database)
        cluster.drop(database)


@pytest.fixture
def reader(location: Location) -> Iterator[Any]:
    """Open a reader on *location*; every one opened is closed after the test."""
    opened: list[Repository] = []

    def open_one() -> Repository:
        opened.append(open_reader(location))
        return opened[-1]

    yield open_one
    for repo in opened:
        repo.close()


def event(seq: int, step: int, target: str, action: str = "add") -> dict[str, Any]:
    return {"seq": seq, "at": "2026-01-01T00:00:00Z", "actor": PG_ROLE,
            "effective": "2026-01-01", "id": target, "action": action, "changes": {},
            "reason": "", "note": "", "step": step}


TWO = Item("p", "2", "two", status="fulfilled", owners=["A", "B"], weight=0.5,
           due="2026-02-01", created="2026-01-01", updated="2026-01-02")


def seed(location: Location) -> None:
    with open_repository(location, write=True) as repo:
        repo.put_plan(Plan("p", "Plan P"))
        repo.put_plan(Plan("q", "Plan Q"))
        repo.put_item(Item("p", "1", "one"))
        repo.put_item(TWO)
        repo.put_item(Item("q", "x", "ex"))
        repo.append_events([event(1, 1, "p"), event(2, 1, "p:1"), event(3, 1, "q:x")])


def test_empty_database_reads_as_empty(reader: Any) -> None:
    repo = reader()
    assert (repo.plans(), repo.items(), repo.events()) == ([], [], [])
    assert isinstance(repo.info()["schema_version"], int)
    assert list(repo.recent_steps()) == []
    assert (repo.last_seq(), repo.last_step()) == (0, 0)


def test_round_trip_of_plans_items_and_events(location: Location, reader: Any) -> None:
    seed(location)
    repo = reader()
    assert [p.id for p in repo.plans()] == ["p", "q"]
    assert repo.get_plan("p") == Plan("p", "Plan P")
    assert [i.id for i in repo.items()] == ["p:1", "p:2", "q:x"]
    assert [i.id for i in repo.items("p")] == ["p:1", "p:2"]
    assert repo.get_item("p", "2") == TWO
    one = repo.get_item("p", "1")
    assert one.weight == 1 and isinstance(one.weight, int)
    assert repo.get_item("p", "9") is None and repo.get_plan("nope") is None
    assert repo.refs("p") == ["1", "2"]
    assert [e["seq"] for e in repo.events()] == [1, 2, 3]
    assert repo.events()[0] == event(1, 1, "p")  # values as written
    assert list(repo.events()[0]) == list(event(1, 1, "p"))  # keys in their order
    assert [e["id"] for e in repo.events(plan="p")] == ["p", "p:1"]
    assert [e["id"] for e in repo.events(item="q:x")] == ["q:x"]
    assert (repo.last_seq(), repo.last_step()) == (3, 1)
    info = repo.info()
    assert (info["plans"], info["items"], info["events"], info["steps"]) == (2, 3, 3, 1)


def test_status_sums_count_and_weigh_each_status_and_follow_writes(location: Location,
                                                                   reader: Any) -> None:
    seed(location)
    assert reader().status_sums("p") == {"not-started": [1, 1, 1, 1],
                                         "fulfilled": [1, 0.5, 0.5, 0.5]}
    with open_repository(location, write=True) as repo:
        repo.put_item(Item("p", "3", "three", status="fulfilled", weight=2))
        repo.put_item(Item("p", "1", "one", status="fulfilled", weight=3))
        assert repo.status_sums("p") == {"fulfilled": [3, 5.5, 0.5, 3]}  # before commit too
        repo.put_item(Item("p", "4", "four"))  # changed after the sums were asked for
    assert reader().status_sums("p") == {"fulfilled": [3, 5.5, 0.5, 3],
                                         "not-started": [1, 1, 1, 1]}
    assert reader().status_sums("q") == {"not-started": [1, 1, 1, 1]}
    assert reader().status_sums("nope") == {}


def test_records_read_are_copies(location: Location, reader: Any) -> None:
    seed(location)
    with open_repository(location, write=True) as repo:
        item = repo.get_item("p", "1")
        item.title = "changed, not put back"
    assert reader().get_item("p", "1").title == "one"


def test_a_replaced_item_keeps_its_place_and_one_put_back_goes_last(location: Location,
                                                                     reader: Any) -> None:
    seed(location)
    with open_repository(location, write=True) as repo:
        repo.delete_item("p", "1")
        repo.put_item(Item("p", "1", "one again"))
        repo.put_item(Item("p", "2", "two, renamed"))
    repo = reader()
    assert repo.refs("p") == ["2", "1"]
    assert repo.get_item("p", "2").title == "two, renamed"


def test_writes_are_seen_by_the_same_command_before_commit(location: Location) -> None:
    seed(location)
    with open_repository(location, write=True) as repo:
        repo.put_item(Item("p", "3", "three"))
        repo.append_events([event(4, 2, "p:3")])
        assert repo.refs("p") == ["1", "2", "3"]
        assert [e["seq"] for e in repo.events(plan="p")] == [1, 2, 4]
        assert (repo.last_seq(), repo.last_step()) == (4, 2)


def test_nothing_is_written_when_the_block_raises(location: Location, reader: Any) -> None:
    seed(location)
    with pytest.raises(RuntimeError), open_repository(location, write=True) as repo:
        repo.delete_plan("q")
        repo.put_item(Item("p", "3", "three"))
        repo.append_events([event(4, 2, "q", "plan-remove")])
        raise RuntimeError("boom")
    repo = reader()
    assert [p.id for p in repo.plans()] == ["p", "q"]
    assert repo.refs("p") == ["1", "2"]
    assert repo.last_seq() == 3 and len(repo.events()) == 3


def test_discard_writes_nothing(location: Location, reader: Any) -> None:
    seed(location)
    with open_repository(location, write=True) as repo:
        repo.put_item(Item("p", "3", "three"))
        repo.discard()
    assert reader().refs("p") == ["1", "2"]


def test_commit_says_whether_it_wrote(location: Location) -> None:
    with open_repository(location, write=True) as repo:
        repo.put_plan(Plan("p", "P"))
        assert repo.commit() is True
        assert repo.commit() is False
    with open_repository(location, write=True) as repo:
        assert repo.commit() is False  # nothing changed: nothing written


def test_files_are_kept_by_their_sha256_with_the_rest_of_a_write(
        location: Location, reader: Any) -> None:
    import hashlib

    data = "Отчёт\n".encode() * 1000
    sha = hashlib.sha256(data).hexdigest()
    with pytest.raises(RuntimeError), open_repository(location, write=True) as repo:
        assert repo.put_file(data) == sha
        raise RuntimeError("boom")
    assert reader().file_names() == []
    with open_repository(location, write=True) as repo:
        repo.put_file(data)
        repo.discard()
    assert reader().file_names() == []
    with open_repository(location, write=True) as repo:
        assert repo.put_file(data) == sha
        assert repo.get_file(sha) == data  # before commit, to the same command
        assert repo.put_file(data) == sha  # kept once
    assert reader().file_names() == [sha]
    assert reader().get_file(sha) == data
    from tracker.errors import StoreError

    with pytest.raises(StoreError, match="is missing"):
        reader().get_file("0" * 64)


def test_a_read_only_repository_refuses_writes(reader: Any) -> None:
    with pytest.raises(RuntimeError):
        reader().put_plan(Plan("p", "P"))


def test_deleting_a_plan_deletes_its_items(location: Location, reader: Any) -> None:
    seed(location)
    with open_repository(location, write=True) as repo:
        repo.delete_plan("p")
    assert [i.id for i in reader().items()] == ["q:x"]
    assert reader().get_plan("p") is None


def test_recent_steps_are_newest_first(location: Location, reader: Any) -> None:
    with open_repository(location, write=True) as repo:
        repo.put_plan(Plan("p", "P"))
        repo.append_events([event(n, 1 + (n - 1) // 3, "p") for n in range(1, 11)])
    steps = [[e["seq"] for e in found] for found in reader().recent_steps()]
    assert steps == [[10], [7, 8, 9], [4, 5, 6], [1, 2, 3]]


def test_bulk_load_fills_an_empty_database(location: Location, reader: Any) -> None:
    with open_repository(location, write=True) as repo:
        repo.bulk_load([Plan("p", "P")], [Item("p", "1", "one"), TWO],
                       [event(1, 1, "p"), event(2, 1, "p:1")])
    repo = reader()
    assert [i.id for i in repo.items()] == ["p:1", "p:2"]
    assert repo.get_item("p", "2") == TWO
    assert (repo.last_seq(), repo.last_step()) == (2, 1)


def test_memory_writes_once_per_command() -> None:
    database = MemoryDatabase()
    with open_repository(database, write=True) as repo:
        repo.put_plan(Plan("p", "P"))
        for n in range(1, 200):
            repo.put_item(Item("p", str(n), f"item {n}"))
        repo.append_events([event(n, 1, f"p:{n}") for n in range(1, 200)])
    assert database.writes == 1
    with open_repository(database, write=True):
        pass
    assert database.writes == 1
