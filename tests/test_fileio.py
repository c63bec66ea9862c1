"""The durable file primitives: atomic replace with backup, appends, the lock."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from tracker import fileio
from tracker.errors import Busy


def test_atomic_write_replaces_and_keeps_a_backup(tmp_path: Path) -> None:
    target = tmp_path / "f.json"
    fileio.atomic_write(str(target), b"one", backup=str(target) + ".bak")
    assert target.read_bytes() == b"one"
    assert not (tmp_path / "f.json.bak").exists()  # nothing to back up the first time
    fileio.atomic_write(str(target), b"two", backup=str(target) + ".bak")
    assert target.read_bytes() == b"two"
    assert (tmp_path / "f.json.bak").read_bytes() == b"one"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.json", "f.json.bak"]


def test_a_failed_replace_leaves_the_original_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "f.json"
    target.write_bytes(b"original")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        fileio.atomic_write(str(target), b"new content")
    assert target.read_bytes() == b"original"
    assert [p.name for p in tmp_path.iterdir()] == ["f.json"]


def test_a_failed_write_half_way_leaves_the_original(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "f.json"
    target.write_bytes(b"original")

    def broken_fsync(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError):
        fileio.atomic_write(str(target), b"x" * 100_000)
    assert target.read_bytes() == b"original"
    assert [p.name for p in tmp_path.iterdir()] == ["f.json"]


def test_append_durably_returns_the_new_size(tmp_path: Path) -> None:
    target = tmp_path / "j"
    assert fileio.append_durably(str(target), b"abc\n") == 4
    assert fileio.append_durably(str(target), b"de\n") == 7
    assert target.read_bytes() == b"abc\nde\n"


def test_remove_leftovers_only_removes_temp_files(tmp_path: Path) -> None:
    db = tmp_path / "db.json"
    for name in ["db.json", "db.json.bak", "db.json.journal", "db.json.tmp-x1",
                 "db.json.bak.tmp-99", "other.tmp-1"]:
        (tmp_path / name).write_text(name)
    removed = fileio.remove_leftovers(str(db))
    assert sorted(Path(r).name for r in removed) == ["db.json.bak.tmp-99", "db.json.tmp-x1"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "db.json", "db.json.bak", "db.json.journal", "other.tmp-1"]


def test_lock_waits_then_reports_busy(tmp_path: Path) -> None:
    lock = str(tmp_path / "db.json.lock")
    with fileio.exclusive_lock(lock, 1):
        started = time.monotonic()
        with pytest.raises(Busy) as caught, fileio.exclusive_lock(lock, 0.3):
            pass
        waited = time.monotonic() - started
    assert 0.3 <= waited < 2
    assert "database is busy" in caught.value.message


def test_lock_is_taken_once_released(tmp_path: Path) -> None:
    lock = str(tmp_path / "db.json.lock")
    release = threading.Event()
    acquired = threading.Event()

    def holder() -> None:
        with fileio.exclusive_lock(lock, 1):
            acquired.set()
            release.wait(5)

    thread = threading.Thread(target=holder)
    thread.start()
    acquired.wait(5)
    threading.Timer(0.2, release.set).start()
    with fileio.exclusive_lock(lock, 5):
        assert release.is_set()
    thread.join()


@pytest.mark.parametrize("kernel", [True, False])
def test_copy_at_most_copies_the_bytes_durably_or_leaves_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kernel: bool) -> None:
    import errno
    import hashlib

    if not kernel:  # file systems copy_file_range does not join: copied by Python
        def refused(*_args: object) -> int:
            raise OSError(errno.EXDEV, "cross-device")
        monkeypatch.setattr(os, "copy_file_range", refused)
    source = tmp_path / "protocol.pdf"
    data = os.urandom(5 * 1024 * 1024 + 7)
    source.write_bytes(data)
    beside = str(tmp_path / "db.json")
    copy, size = fileio.copy_at_most(str(source), beside, len(data))
    assert (Path(copy).read_bytes(), size) == (data, len(data))
    assert Path(copy).name.startswith("db.json.tmp-")  # a leftover the next writer removes
    assert fileio.file_sha256(copy) == hashlib.sha256(data).hexdigest()
    os.unlink(copy)
    with pytest.raises(fileio.OverLimit):
        fileio.copy_at_most(str(source), beside, len(data) - 1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["protocol.pdf"]
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    copy, size = fileio.copy_at_most(str(empty), beside, 10)
    assert size == 0 and fileio.file_sha256(copy) == hashlib.sha256(b"").hexdigest()
