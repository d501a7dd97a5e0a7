"""Finding dataset files on disk: ``root``, ``$VIZDL_DATA`` or ``./data`` (no download)."""
from __future__ import annotations

import os
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
