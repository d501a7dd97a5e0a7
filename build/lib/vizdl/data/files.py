"""Finding dataset files on disk (``root``, ``$VIZDL_DATA`` or ``./data``; no download) and opening them
with bounded sizes (regular files only)."""
from __future__ import annotations

import os
import stat
from pathlib import Path

ENV = "VIZDL_DATA"


def base_folders(root) -> list[Path]:
    """Folders to search: ``root`` when given, else ``$VIZDL_DATA`` and ``./data``."""
    if root is not None:
        return [Path(root).expanduser()]
    folders = [Path(os.environ[ENV]).expanduser()] if os.environ.get(ENV) else []
    return folders + [Path("data")]


def find_folder(root, subfolders: list[str], required: list[str], alternatives=None,
                what: str = "dataset") -> Path:
    """The first ``base/sub`` folder that holds every file of ``required``.

    ``alternatives(name)`` lists acceptable spellings of a required name (e.g. with ``.gz``).
    """
    alternatives = alternatives or (lambda name: [name])
    tried = []
    for base in base_folders(root):
        for sub in subfolders:
            folder = base / sub if sub else base
            tried.append(folder)
            if all(any((folder / alt).is_file() for alt in alternatives(f)) for f in required):
                return folder
    raise FileNotFoundError(_missing_message(what, required, tried, root))


def _missing_message(what: str, required: list[str], tried: list[Path], root) -> str:
    where = "\n  ".join(str(p) for p in tried)
    hint = "" if root is not None else f"\nPass root=FOLDER or set ${ENV} to choose the folder."
    return (f"{what} files not found (vizdl never downloads data). Put these files\n  "
            f"{', '.join(required)}\ninto one of these folders:\n  {where}{hint}")


def open_regular(path: Path, max_bytes: int | None, what: str):
    """Open ``path`` for reading after checking it is a regular file of at most ``max_bytes``.

    FIFOs, devices and directories are refused (a FIFO would block, ``/dev/zero`` never
    ends), and so is a file larger than ``max_bytes`` (``None``: no bound), so a huge or
    sparse file is refused before any of it is read.
    """
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)   # a FIFO must not block the open
    handle = os.fdopen(descriptor, "rb")
    try:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise ValueError(f"{path} is not a regular file; vizdl reads {what} from regular files only")
        if max_bytes is not None and info.st_size > max_bytes:
            raise ValueError(f"{path} holds {info.st_size:,} bytes, more than the {max_bytes:,} bytes "
                             f"allowed for a {what} file")
    except BaseException:
        handle.close()
        raise
    return handle


def read_regular(path: Path, max_bytes: int, what: str) -> bytes:
    """The bytes of ``path``, a regular file of at most ``max_bytes`` (see :func:`open_regular`)."""
    with open_regular(path, max_bytes, what) as handle:
        raw = handle.read(max_bytes + 1)
    if len(raw) > max_bytes:   # the file grew while being read
        raise ValueError(f"{path} holds more than the {max_bytes:,} bytes allowed for a {what} file")
    return raw
