"""The chunk index ``snapshots/index.jsonl``: which steps each chunk file holds.

The writer appends one line per chunk *after* the chunk file is durable, so the index
never names a file that does not exist. Opening a run reads this one small file instead
of every chunk header; a chunk whose line is missing (the process was killed between
the rename and the append) is recovered from its own header.
"""
from __future__ import annotations

import itertools
import json
import os
from dataclasses import dataclass
from pathlib import Path

from vizdl.runs.chunks import STEPS_KEY
from vizdl.runs.files import open_safetensors, parse_json, read_json_lines
from vizdl.runs.format import (
    CHUNK_NAME,
    INDEX_FILE,
    MAX_METRICS_BYTES,
    MAX_STEP,
    RunFormatError,
    is_temp_name,
)


@dataclass(frozen=True)
class ChunkEntry:
    """One chunk file and the steps it holds (strictly increasing)."""

    file: str
    steps: tuple

    @property
    def first(self) -> int:
        """First step of the chunk."""
        return self.steps[0]

    @property
    def last(self) -> int:
        """Last step of the chunk."""
        return self.steps[-1]

    def line(self) -> str:
        """The index line of this entry (with its newline)."""
        return json.dumps({"file": self.file, "steps": list(self.steps)}, separators=(",", ":")) + "\n"


def check_steps(steps, where: str) -> tuple:
    """``steps`` as a tuple of strictly increasing ints in [0, 1e8), or RunFormatError."""
    if not isinstance(steps, list) or not steps:
        raise RunFormatError(f"{where}: steps must be a non-empty list of integers")
    for step in steps:
        if type(step) is not int or not 0 <= step < MAX_STEP:
            raise RunFormatError(f"{where}: step {step!r} is not an integer in [0, 1e8)")
    if any(b <= a for a, b in itertools.pairwise(steps)):
        raise RunFormatError(f"{where}: steps are not strictly increasing (duplicate or unordered steps)")
    return tuple(steps)


def entry_from(record, where: str) -> ChunkEntry:
    """A checked :class:`ChunkEntry` from an index line (or a header)."""
    if not isinstance(record, dict) or set(record) != {"file", "steps"}:
        raise RunFormatError(f"{where} is not an index entry {{file, steps}}")
    name, steps = record["file"], check_steps(record["steps"], where)
    match = CHUNK_NAME.fullmatch(name) if isinstance(name, str) else None
    if not match or (int(match.group(1)), int(match.group(2))) != (steps[0], steps[-1]):
        raise RunFormatError(f"{where}: file {name!r} does not match its steps {steps[0]}..{steps[-1]}")
    return ChunkEntry(name, steps)


def header_entry(path: Path) -> ChunkEntry:
    """Recover the entry of a chunk from its safetensors header (its index line is missing)."""
    with open_safetensors(path) as handle:
        metadata = handle.metadata() or {}
    if STEPS_KEY not in metadata:
        raise RunFormatError(f"{path} is not a vizdl chunk (no {STEPS_KEY} in its header)")
    steps = parse_json(metadata[STEPS_KEY], f"{path} header {STEPS_KEY}")
    return entry_from({"file": path.name, "steps": steps}, str(path))


def list_chunks(directory: Path) -> list[ChunkEntry]:
    """Every complete chunk of ``directory``, sorted by step; steps never overlap.

    Raises :class:`RunFormatError` for foreign files, non-regular files, index lines
    naming missing files and chunks sharing a step.
    """
    files = _chunk_files(directory)
    entries = {}
    if INDEX_FILE in files:
        for number, record in enumerate(read_json_lines(directory / INDEX_FILE,
                                                        file_limit=MAX_METRICS_BYTES), start=1):
            entry = entry_from(record, f"{directory / INDEX_FILE} line {number}")
            if entry.file not in files:
                raise RunFormatError(f"{directory / INDEX_FILE} line {number} names {entry.file}, "
                                     "which is not in the run")
            if entries.setdefault(entry.file, entry) != entry:
                raise RunFormatError(f"{directory / INDEX_FILE} lists {entry.file} twice with different steps")
    for name in files - {INDEX_FILE} - set(entries):
        entries[name] = header_entry(directory / name)
    ordered = sorted(entries.values(), key=lambda e: e.first)
    for before, after in itertools.pairwise(ordered):
        if after.first <= before.last:
            raise RunFormatError(f"{directory}: chunks {before.file} and {after.file} overlap "
                                 "(a step recorded twice)")
    return ordered


def _chunk_files(directory: Path) -> set[str]:
    names, foreign = set(), []
    with os.scandir(directory) as entries:
        for entry in entries:
            if is_temp_name(entry.name) or entry.name.startswith("."):
                continue  # a writer's temporary file, or hidden files a file manager adds
            if entry.name != INDEX_FILE and not CHUNK_NAME.fullmatch(entry.name):
                foreign.append(entry.name)
            elif not entry.is_file(follow_symlinks=False):
                raise RunFormatError(f"{directory / entry.name} is not a regular file; "
                                     "a run holds only regular files (symlinks are never read)")
            else:
                names.add(entry.name)
    if foreign:
        raise RunFormatError(f"foreign files in {directory}: {', '.join(sorted(map(repr, foreign)))}; "
                             "a run holds only chunk files and index.jsonl — remove them to open it")
    return names


class IndexWriter:
    """Append-only writer of the index (used by the writer thread only)."""

    def __init__(self, directory: Path):
        self._handle = open(directory / INDEX_FILE, "a", encoding="utf-8")

    def append(self, entry: ChunkEntry) -> None:
        """Append ``entry`` and flush it to the operating system."""
        self._handle.write(entry.line())
        self._handle.flush()

    def close(self) -> None:
        """Close the file."""
        self._handle.close()
