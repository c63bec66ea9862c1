"""Durable file primitives: the atomic replace with a backup, appends, and the write lock.

Small and separately tested, because every storage guarantee (atomic writes, a backup,
one writer at a time) rests on them.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
import time
from collections.abc import Callable, Iterator

from tracker.errors import Busy, StoreError
from tracker.i18n import _, os_reason

TMP_MARK = ".tmp-"


class OverLimit(Exception):
    """A file read or copied turned out larger than the limit it was read within."""


def read_at_most(path: str, limit: int) -> bytes:
    """The bytes of the file at *path*; OverLimit past *limit* (it may grow while read)."""
    with open(path, "rb") as handle:
        data = handle.read(os.fstat(handle.fileno()).st_size)  # one buffer of its size …
        size, chunks = len(data), [data]
        # … and what it grew by while read, a MB at a time (read(n) sets n bytes aside:
        # a limit of 100G is no size for a buffer)
        while size <= limit and (more := handle.read(min(1 << 20, limit + 1 - size))):
            chunks.append(more)
            size += len(more)
    data = b"".join(chunks) if len(chunks) > 1 else data
    if len(data) > limit:
        raise OverLimit(path)
    return data


def copy_at_most(path: str, beside: str, limit: int) -> tuple[str, int]:
    """A durable copy of the file at *path* in a new temp file beside *beside*, made by the
    kernel (``copy_file_range``) where it can, so that the bytes need not pass through
    Python: the temp file's name and size. OverLimit past *limit*; no temp file is left
    on any failure."""
    fd, tmp = _create_temp(beside)
    try:
        with open(path, "rb", buffering=0) as source:
            size, kernel = 0, True
            while True:
                wanted = limit + 1 - size  # one byte past the limit tells it is over
                if kernel:
                    try:
                        copied = os.copy_file_range(source.fileno(), fd, wanted)
                    except OSError as exc:  # not between these file systems: ourselves
                        if exc.errno not in (errno.EXDEV, errno.ENOSYS, errno.EINVAL,
                                             errno.EOPNOTSUPP):
                            raise
                        kernel = False
                        continue
                else:
                    chunk = source.read(min(1 << 22, wanted))
                    copied = len(chunk)
                    view = memoryview(chunk)
                    while view:
                        view = view[os.write(fd, view):]
                if not copied:
                    break
                size += copied
                if size > limit:
                    raise OverLimit(path)
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    os.close(fd)
    return tmp, size


def file_sha256(path: str) -> str:
    """The SHA-256 of the file at *path*, in hex, read through a memory map."""
    import hashlib
    import mmap

    with open(path, "rb") as handle:
        if not os.fstat(handle.fileno()).st_size:
            return hashlib.sha256(b"").hexdigest()
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            return hashlib.sha256(mapped).hexdigest()


def fsync_dir(path: str) -> None:
    """Make a rename or a new file in *path*'s folder durable."""
    fd = os.open(os.path.dirname(os.path.abspath(path)) or ".", os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: str, data: bytes, backup: str | None = None) -> None:
    """Replace *path* with *data* so that readers see the old or the new file, never a part.

    Temp file in the same folder, flush, fsync, ``os.replace``, fsync of the folder. With
    *backup*, the replaced content becomes *backup* (a hard link where the file system
    allows, else a copy), but only once the new file is in place: if any step fails,
    *path* and *backup* are as they were and no temp file is left.
    """
    fd, tmp = _create_temp(path)
    old = None
    done = False
    try:
        with contextlib.suppress(FileNotFoundError):
            os.fchmod(fd, os.stat(path).st_mode & 0o7777)  # keep a shared file's mode
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if backup is not None and os.path.exists(path):
            old = _set_aside(path, backup)
        os.replace(tmp, path)
        try:
            fsync_dir(path)
        except BaseException:
            _put_back(path, old)
            raise
        done = True
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if old is not None:
            if done and backup is not None:
                _replace_quietly(old, backup)
            with contextlib.suppress(OSError):
                os.unlink(old)


def replace_quietly(path: str, data: bytes, mode_of: str | None = None) -> None:
    """Replace *path* with *data* whole (temp file and rename), without waiting for the
    disk: for derived files that are checked on reading and rebuilt when they do not
    match, where an fsync would only slow every write down. *mode_of*: the file whose
    permissions it takes."""
    fd, tmp = _create_temp(path)
    try:
        if mode_of is not None:  # as private, or as shared, as the file it is derived from
            with contextlib.suppress(OSError):
                os.fchmod(fd, os.stat(mode_of).st_mode & 0o7777)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def _create_temp(path: str) -> tuple[int, str]:
    """A new, empty temp file beside *path* (``<path>.tmp-<pid>-<n>``), opened for writing.

    Written without the tempfile module, which costs ~10 ms of imports on every command.
    """
    for attempt in range(100):
        name = f"{path}{TMP_MARK}{os.getpid()}-{attempt}"
        try:
            return os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644), name
        except FileExistsError:
            continue
    raise FileExistsError(f"cannot create a temp file beside {path}")


def _set_aside(path: str, backup: str) -> str:
    """A second name for the current content of *path*, to become the backup."""
    aside = f"{backup}{TMP_MARK}{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        os.unlink(aside)
    try:
        os.link(path, aside)
    except OSError:
        with open(path, "rb") as source:
            content = source.read()
        with open(aside, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
    return aside


def _put_back(path: str, old: str | None) -> None:
    """Undo a replace whose durability could not be confirmed."""
    with contextlib.suppress(OSError):
        if old is None:
            os.unlink(path)
        else:
            os.link(old, path + TMP_MARK + "back")
            os.replace(path + TMP_MARK + "back", path)


def _replace_quietly(source: str, target: str) -> None:
    """Best effort: a backup that cannot be renewed leaves the previous one in place."""
    with contextlib.suppress(OSError):
        os.replace(source, target)


def write_output(path: str, data: bytes) -> None:
    """Write an output file (``-o``): a regular file or a new path is replaced atomically;
    a symlink's target is replaced and the link kept; anything else — a FIFO, a terminal,
    ``/dev/null``, a shell's ``>(cmd)`` — is opened and written in place, as ``>`` would.
    """
    try:
        found = os.stat(path)  # follows symlinks
    except FileNotFoundError:
        found = None
    if found is not None and stat.S_ISDIR(found.st_mode):
        raise IsADirectoryError(errno.EISDIR, "it is a folder", path)
    if found is not None and not stat.S_ISREG(found.st_mode):
        with open(path, "wb") as handle:
            handle.write(data)
        return
    atomic_write(os.path.realpath(path) if os.path.islink(path) else path, data)


def append_durably(path: str, data: bytes) -> int:
    """Append *data* to *path*, fsync it, and return the file's new size."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
        return os.fstat(fd).st_size
    finally:
        os.close(fd)


def remove_leftovers(path: str) -> list[str]:
    """Delete temp files a crashed writer left beside *path*. Call only under the lock."""
    folder = os.path.dirname(os.path.abspath(path))
    base = os.path.basename(path)
    removed = []
    for name in os.listdir(folder):
        if name.startswith(base) and TMP_MARK in name[len(base):]:
            leftover = os.path.join(folder, name)
            with contextlib.suppress(OSError):
                os.unlink(leftover)
                removed.append(leftover)
    return removed


@contextlib.contextmanager
def exclusive_lock(path: str, timeout: float, *, discard: Callable[[], bool] | None = None
                   ) -> Iterator[None]:
    """Hold ``flock(LOCK_EX)`` on *path* (the same lock the filelock library takes on Unix).

    Waits up to *timeout* seconds, then raises Busy. If *discard* says so when the work is
    done (a first command that wrote nothing), the lock file is removed; a waiting writer
    then finds that the file it locked is no longer *path* and locks the new one, so two
    writers never hold two different files.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StoreError(_("cannot create the lock file {path}: {reason}")
                             .format(path=path, reason=os_reason(exc))) from None
        try:
            _wait_for(fd, path, deadline, timeout)
            try:
                current = os.stat(path).st_ino
            except FileNotFoundError:
                current = None
            if current != os.fstat(fd).st_ino:  # removed while we waited: lock the new one
                continue
            try:
                yield
            finally:
                if discard is not None and discard():
                    with contextlib.suppress(OSError):
                        os.unlink(path)
            return
        finally:
            os.close(fd)  # closing the descriptor releases the lock


def _wait_for(fd: int, path: str, deadline: float, timeout: float) -> None:
    delay = 0.005
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            if time.monotonic() >= deadline:
                raise Busy(
                    _("database is busy: another tracker command has held {path} for more "
                      "than {seconds} s").format(path=path, seconds=f"{timeout:g}"),
                    _("Try again, or raise TRACKER_LOCK_TIMEOUT (seconds)."),
                ) from None
            time.sleep(delay)
            delay = min(delay * 2, 0.1)
