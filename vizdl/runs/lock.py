"""One writer per run directory: an exclusive lock, and refusal to mix two trainings.

The writer holds ``fcntl.flock(LOCK_EX)`` on ``<run>/.lock`` for its whole life; the
operating system releases it when the process ends, however it ends, so a reader can
tell a run being written from one whose writer was killed (:func:`is_locked`).
A directory that already holds a run is refused unless ``overwrite=True``, and even then
only the files of a run are deleted: a directory with anything else in it is never cleared.
"""
from __future__ import annotations

import errno
import os
import shutil
import socket
import stat
import time
from pathlib import Path

from vizdl.runs.format import (
    CHUNK_NAME,
    INDEX_FILE,
    LOCK_FILE,
    METRICS_FILE,
    PROBE_FILE,
    RUN_FILE,
    SNAPSHOT_DIR,
    SNAPSHOT_NAME,
    is_temp_name,
)

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks, runs are not locked
    fcntl = None

RUN_ENTRIES = {RUN_FILE, METRICS_FILE, PROBE_FILE, SNAPSHOT_DIR, LOCK_FILE}


class RunInUseError(ValueError):
    """Another process is writing this run directory (``out`` must name another one)."""


class RunExistsError(ValueError):
    """The run directory is not empty and ``overwrite`` was not given (or it holds foreign files)."""


class RunLock:
    """An exclusive lock on a run directory, held until :meth:`release`."""

    def __init__(self, directory: Path, *, attempts: int = 5):
        self.path = Path(directory) / LOCK_FILE
        self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
        try:
            self._acquire(attempts)
            os.ftruncate(self._fd, 0)
            os.write(self._fd, f"{os.getpid()} {socket.gethostname()}\n".encode())
        except BaseException:
            os.close(self._fd)
            raise

    def _acquire(self, attempts: int) -> None:
        if fcntl is None:
            return
        for attempt in range(attempts):
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except OSError as error:
                if error.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    raise
                time.sleep(0.02 * (attempt + 1))  # a reader checking the lock holds it briefly
        holder = os.pread(self._fd, 200, 0).decode("utf-8", "replace").strip() or "unknown"
        raise RunInUseError(f"out={str(self.path.parent)!r} is being written by another process (pid, host: "
                            f"{holder}); two trainings cannot record into one run directory — choose another "
                            "output directory or wait for that one to finish")

    def release(self) -> None:
        """Release the lock (idempotent)."""
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the flock
            self._fd = None


def is_locked(directory: Path) -> bool:
    """Whether a live process holds the writer lock of ``directory``."""
    path = Path(directory) / LOCK_FILE
    if fcntl is None:
        return False
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return False
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return False
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return False
    except OSError:
        return True
    finally:
        os.close(fd)  # also releases the shared lock taken to test


def check_out(path, *, overwrite: bool) -> None:
    """Refuse ``path`` as a new run's directory before anything is changed (reads only).

    Raises what :func:`prepare_directory` would: :class:`RunInUseError` when a process
    writes there, :class:`RunExistsError` for a non-directory or, without ``overwrite``, a
    non-empty directory; ``ValueError`` when ``overwrite`` is not a bool.
    """
    if not isinstance(overwrite, bool):
        raise ValueError(f"overwrite must be True or False, got {overwrite!r}")
    path = Path(path)
    if not path.exists():
        return
    if not path.is_dir():
        raise RunExistsError(f"out={str(path)!r} exists and is not a directory; a run is a directory")
    if is_locked(path):
        raise RunInUseError(f"out={str(path)!r} is being written by another process; choose another directory")
    contents = sorted(set(os.listdir(path)) - {LOCK_FILE})
    if contents and not overwrite:
        raise RunExistsError(f"out={str(path)!r} is not empty ({', '.join(contents[:4])}"
                             f"{', ...' if len(contents) > 4 else ''}); pass overwrite=True (CLI: --overwrite) "
                             "to replace the run in it, or choose another directory")


def prepare_directory(path: Path, *, overwrite: bool) -> RunLock:
    """Create and lock the run directory ``path``; refuse a non-empty one unless ``overwrite``.

    Returns the held :class:`RunLock`. Raises :class:`RunInUseError` when another process
    writes there, :class:`RunExistsError` for a non-empty directory without ``overwrite`` or
    one holding files that are not a run's.
    """
    if path.exists() and not path.is_dir():
        raise RunExistsError(f"out={str(path)!r} exists and is not a directory; a run is a directory")
    path.mkdir(parents=True, exist_ok=True)
    lock = RunLock(path)
    try:
        _remove_temp_files(path)
        contents = sorted(set(os.listdir(path)) - {LOCK_FILE})
        if contents:
            if not overwrite:
                raise RunExistsError(
                    f"out={str(path)!r} is not empty ({', '.join(contents[:4])}"
                    f"{', ...' if len(contents) > 4 else ''}); pass overwrite=True (CLI: --overwrite) "
                    "to replace the run in it, or choose another directory")
            _clear_run(path, contents)
    except BaseException:
        lock.release()
        raise
    return lock


def _remove_temp_files(path: Path) -> None:
    """Temporary files left by killed writers (safe: we hold the lock)."""
    for directory in (path, path / SNAPSHOT_DIR):
        if directory.is_dir() and not directory.is_symlink():
            for name in os.listdir(directory):
                if is_temp_name(name) and os.path.isfile(directory / name):
                    (directory / name).unlink(missing_ok=True)


def _is_run_file(name: str) -> bool:
    return name == INDEX_FILE or bool(CHUNK_NAME.fullmatch(name) or SNAPSHOT_NAME.fullmatch(name))


def _clear_run(path: Path, contents: list[str]) -> None:
    foreign = [n for n in contents if n not in RUN_ENTRIES]
    snapshots = path / SNAPSHOT_DIR
    if snapshots.is_dir() and not snapshots.is_symlink():
        foreign += [f"{SNAPSHOT_DIR}/{n}" for n in os.listdir(snapshots) if not _is_run_file(n)]
    if foreign:
        raise RunExistsError(f"out={str(path)!r} holds files that are not part of a vizdl run ({', '.join(foreign[:4])}); "
                              "refusing to delete anything there even with overwrite=True")
    for name in contents:
        target = path / name
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        else:
            target.unlink()
