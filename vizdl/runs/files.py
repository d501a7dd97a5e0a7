"""Reading files of a run directory defensively.

Only regular files inside the run directory are read: symlinks, FIFOs and devices are
refused before they are opened (and opened with ``O_NOFOLLOW | O_NONBLOCK`` so a swap
between check and open cannot hang or escape). JSON is read with size limits, and every
failure becomes a :class:`~vizdl.runs.format.RunFormatError` naming the file.
"""
from __future__ import annotations

import contextlib
import json
import os
import stat
from pathlib import Path

from safetensors import safe_open

from vizdl.runs.format import MAX_LINE_BYTES, SPARSE_CHECK_BYTES, RunFormatError

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


def _kind_of(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def regular_file(path: Path, *, required: bool = True) -> os.stat_result | None:
    """``lstat`` of ``path`` if it is a regular file; raise :class:`RunFormatError` otherwise.

    A missing file raises ``FileNotFoundError`` when ``required``, else returns ``None``.
    """
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        if required:
            raise FileNotFoundError(f"missing file {path}") from None
        return None
    if not stat.S_ISREG(info.st_mode):
        raise RunFormatError(f"{path} is {_kind_of(info.st_mode)}; a run holds only regular files "
                             "(symlinks, FIFOs and devices are never read)")
    return info


def real_directory(path: Path) -> bool:
    """Whether ``path`` is a directory (not a symlink to one); raise for anything else but absence."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return False
    if not stat.S_ISDIR(info.st_mode):
        raise RunFormatError(f"{path} is {_kind_of(info.st_mode)}, expected a directory of the run")
    return True


@contextlib.contextmanager
def open_regular(path: Path):
    """Open a regular file for binary reading without following links or blocking on FIFOs."""
    regular_file(path)
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK)
    except OSError as error:
        raise RunFormatError(f"{path} cannot be opened ({error.strerror})") from error
    handle = os.fdopen(fd, "rb")
    with handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # swapped after the check
            raise RunFormatError(f"{path} is not a regular file; refusing to read it")
        yield handle


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of ``path``; raise :class:`RunFormatError` if it is larger than ``limit``."""
    with open_regular(path) as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise RunFormatError(f"{path} is larger than {limit} bytes; refusing to read it")
    return data


def parse_json(data: bytes | str, where: str):
    """Decode JSON; any malformation (bad UTF-8, syntax, excessive nesting) -> RunFormatError."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        return json.loads(text)
    except UnicodeDecodeError as error:
        raise RunFormatError(f"{where} is not UTF-8 text ({error.reason} at byte {error.start})") from None
    except RecursionError:
        raise RunFormatError(f"{where} is nested too deeply to be a vizdl file") from None
    except ValueError as error:  # JSONDecodeError and numbers too long to convert
        raise RunFormatError(f"{where} is not valid JSON ({error})") from None


def read_json(path: Path, limit: int):
    """Read a JSON file of at most ``limit`` bytes."""
    return parse_json(read_bounded(path, limit), str(path))


def read_json_lines(path: Path, *, file_limit: int, line_limit: int = MAX_LINE_BYTES) -> list:
    """Objects of a JSON-lines file; a torn last line (no newline: a killed writer) is skipped.

    Any other malformed line raises :class:`RunFormatError` naming the file and line.
    """
    records = []
    with open_regular(path) as handle:
        number = 0
        while True:
            number += 1
            line = handle.readline(line_limit + 1)
            if not line:
                return records
            if not line.endswith(b"\n"):
                if len(line) > line_limit:
                    raise RunFormatError(f"{path}: line {number} is longer than {line_limit} bytes")
                if handle.read(1):
                    raise RunFormatError(f"{path}: line {number} is not terminated")
                return records  # torn last line
            if handle.tell() > file_limit:
                raise RunFormatError(f"{path} is larger than {file_limit} bytes; refusing to read it")
            if line.strip():
                records.append(parse_json(line, f"{path} line {number}"))


def check_not_sparse(path: Path, info: os.stat_result) -> None:
    """Refuse a large file with holes: it declares more data than the disk holds (a memory bomb)."""
    if info.st_size <= SPARSE_CHECK_BYTES or not hasattr(os, "SEEK_HOLE"):
        return
    with open_regular(path) as handle:
        try:
            hole = os.lseek(handle.fileno(), 0, os.SEEK_HOLE)
        except OSError:
            return  # the file system cannot tell
    if hole < info.st_size:
        raise RunFormatError(f"{path} is a sparse file ({info.st_size} bytes with a hole at byte "
                             f"{hole}); vizdl never writes one, refusing to read it")


@contextlib.contextmanager
def open_safetensors(path: Path):
    """``safe_open`` a regular, non-sparse file; a foreign or tampered file -> RunFormatError."""
    info = regular_file(path)
    check_not_sparse(path, info)
    try:
        handle = safe_open(str(path), framework="numpy")
    except Exception as error:  # safetensors raises its own error types
        raise RunFormatError(f"{path} is not a valid safetensors file ({error}); "
                             "it was not loaded (vizdl never unpickles)") from error
    with handle as opened:
        yield opened
