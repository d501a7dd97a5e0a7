"""Reading snapshots lazily from chunk files (``vizdl-run/2``) or per-step files (``vizdl-run/1``).

Both layouts are a sorted list of :class:`~vizdl.runs.index.ChunkEntry`; a ``vizdl-run/1``
file is a chunk of one step whose tensors have no step axis. Every file's header is
checked before a tensor is read: NumPy-readable dtype, floating-point weights, gradients,
activations and attention, the dtype and shape ``run.json`` declares, and the steps the
index promised. Reading one tensor of one step reads only that slice (memory-mapped).
"""
from __future__ import annotations

import bisect
import os
from pathlib import Path

import numpy as np

from vizdl.runs.chunks import STEP_METADATA_KEY, STEPS_KEY
from vizdl.runs.files import open_safetensors, parse_json, real_directory
from vizdl.runs.format import (
    DTYPES,
    FLOAT_DTYPES,
    FLOAT_KINDS,
    KINDS,
    SNAPSHOT_NAME,
    RunFormatError,
    is_temp_name,
    split_key,
)
from vizdl.runs.index import ChunkEntry, list_chunks


class StepNotRecordedError(ValueError):
    """A step was asked for that the run has no snapshot of."""


class Header:
    """What a snapshot file holds, checked: ``fields[key] = (dtype, shape of one step)``.

    The per-step metadata of a chunk is parsed (and checked) when first asked for: reading
    tensors or a series never pays for it.
    """

    def __init__(self, fields: dict, per_step, where: Path, count: int):
        self.fields = fields
        self._per_step = per_step  # checked dicts, or a chunk's raw JSON text
        self._where, self._count = where, count

    def step_metadata(self, row: int) -> dict[str, str]:
        """The metadata of the ``row``-th step of the file."""
        if isinstance(self._per_step, str):
            self._per_step = _step_metadata(self._per_step, self._count, self._where)
        return dict(self._per_step[row])


class SnapshotStore:
    """The snapshots of a run: where each step is and how to read it."""

    def __init__(self, directory: Path, entries: list[ChunkEntry], *, stacked: bool,
                 declared: dict | None):
        self.directory = directory
        self.entries = entries
        self.stacked = stacked
        self.declared = declared
        self.steps = [step for entry in entries for step in entry.steps]
        self._firsts = [entry.first for entry in entries]
        self._headers: dict[str, Header] = {}

    @classmethod
    def chunked(cls, directory: Path, declared: dict) -> SnapshotStore:
        """The ``vizdl-run/2`` snapshots of ``directory`` (read through its index)."""
        entries = list_chunks(directory) if real_directory(directory) else []
        return cls(directory, entries, stacked=True, declared=declared)

    @classmethod
    def per_step(cls, directory: Path) -> SnapshotStore:
        """The ``vizdl-run/1`` snapshots of ``directory`` (one file per step)."""
        entries = [ChunkEntry(f"{step:08d}.safetensors", (step,)) for step in _v1_steps(directory)]
        return cls(directory, entries, stacked=False, declared=None)

    # -- where a step is -----------------------------------------------------------------
    def locate(self, step: int) -> tuple[ChunkEntry, int]:
        """The entry holding ``step`` and its row; ``StepNotRecordedError`` if none does."""
        index = bisect.bisect_right(self._firsts, step) - 1
        if index >= 0:
            entry = self.entries[index]
            row = bisect.bisect_left(entry.steps, step)
            if row < len(entry.steps) and entry.steps[row] == step:
                return entry, row
        raise StepNotRecordedError(f"step {step} was not recorded")

    def path(self, entry: ChunkEntry) -> Path:
        """Path of an entry's file."""
        return self.directory / entry.file

    # -- headers -------------------------------------------------------------------------
    def header(self, entry: ChunkEntry, handle=None) -> Header:
        """The checked header of ``entry`` (cached: files are never rewritten)."""
        cached = self._headers.get(entry.file)
        if cached is None:
            if handle is None:
                with open_safetensors(self.path(entry)) as opened:
                    cached = self._check_header(entry, opened)
            else:
                cached = self._check_header(entry, handle)
            self._headers[entry.file] = cached
        return cached

    def _check_header(self, entry: ChunkEntry, handle) -> Header:
        where = self.path(entry)
        fields = {}
        for name in handle.keys():
            dtype, shape = _field(handle, name, where)
            if self.stacked:
                if not shape or shape[0] != len(entry.steps):
                    raise RunFormatError(f"{where}: {name} has shape {shape}, expected a leading step "
                                         f"axis of {len(entry.steps)}")
                shape = shape[1:]
            self._check_declared(name, dtype, shape, where)
            fields[name] = (dtype, shape)
        return Header(fields, self._check_metadata(entry, handle.metadata() or {}, where), where,
                      len(entry.steps))

    def _check_declared(self, name: str, dtype: str, shape: tuple, where: Path) -> None:
        if self.declared is None:
            return
        declared = self.declared.get(name)
        if declared is None:
            raise RunFormatError(f"{where}: {name} is not declared in run.json")
        if (dtype, shape) != (declared["dtype"], tuple(declared["shape"])):
            raise RunFormatError(f"{where}: {name} is {dtype} {shape}, but run.json declares "
                                 f"{declared['dtype']} {tuple(declared['shape'])}")

    def _check_metadata(self, entry: ChunkEntry, metadata: dict, where: Path):
        if not self.stacked:
            recorded = metadata.get("step")
            if recorded is not None and recorded != str(entry.first):
                raise RunFormatError(f"{where}: its header says step {recorded!r}, its name step {entry.first}")
            return (dict(metadata),)
        steps = parse_json(metadata.get(STEPS_KEY, "null"), f"{where} header {STEPS_KEY}")
        if steps != list(entry.steps):
            raise RunFormatError(f"{where}: its header lists other steps than its index line")
        return metadata.get(STEP_METADATA_KEY, "null")

    # -- reading -------------------------------------------------------------------------
    def keys(self, step: int) -> list[str]:
        """Keys stored for ``step`` (reads the file header only)."""
        entry, _ = self.locate(step)
        return list(self.header(entry).fields)

    def metadata(self, step: int) -> dict[str, str]:
        """The metadata stored with ``step``."""
        entry, row = self.locate(step)
        return self.header(entry).step_metadata(row)

    def read(self, step: int, keys=None, kind: str | None = None) -> dict[str, np.ndarray]:
        """Tensors of ``step``: the given ``keys``, or every key of ``kind``; nothing else is read."""
        entry, row = self.locate(step)
        with open_safetensors(self.path(entry)) as handle:
            header = self.header(entry, handle)
            if keys is None:
                keys = [k for k in header.fields if kind is None or split_key(k)[0] == kind]
            missing = [k for k in keys if k not in header.fields]
            if missing:
                raise KeyError(f"no tensor {missing[0]!r} at step {step}; available: {', '.join(header.fields)}")
            return {k: handle.get_slice(k)[row] if self.stacked else handle.get_tensor(k) for k in keys}

    def series(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """``(steps, values)`` of one key over every step that holds it, one file read per chunk."""
        parts, steps = [], []
        for entry in self.entries:
            with open_safetensors(self.path(entry)) as handle:
                if name not in self.header(entry, handle).fields:
                    continue
                values = handle.get_tensor(name)
            parts.append(values if self.stacked else values[None])
            steps.extend(entry.steps)
        if not parts:
            known = sorted({k for e in self.entries[:1] for k in self.header(e).fields})
            raise KeyError(f"no tensor {name!r} in any snapshot; keys of the first one: {', '.join(known)}")
        return np.asarray(steps, dtype=np.int64), np.concatenate(parts)


def _step_metadata(text: str, count: int, where: Path) -> tuple:
    per_step = parse_json(text, f"{where} header {STEP_METADATA_KEY}")
    if not isinstance(per_step, list) or len(per_step) != count or not all(
            isinstance(m, dict) and all(isinstance(v, str) for v in m.values()) for m in per_step):
        raise RunFormatError(f"{where}: {STEP_METADATA_KEY} is not one string dict per step")
    return tuple(per_step)


def _field(handle, name: str, where: Path) -> tuple[str, tuple]:
    kind, _ = split_key(name)
    if kind not in KINDS:
        raise RunFormatError(f"{where}: key {name!r} is not <kind>/<name> with kind in {', '.join(KINDS)}")
    view = handle.get_slice(name)
    code = view.get_dtype()
    dtype = DTYPES.get(code)
    if dtype is None:
        raise RunFormatError(f"{where}: {name} has dtype {code}, which vizdl neither writes nor reads "
                             f"(readable: {', '.join(DTYPES)})")
    if kind in FLOAT_KINDS and dtype not in FLOAT_DTYPES:
        raise RunFormatError(f"{where}: {name} is {dtype}; {kind} tensors are floating point")
    return dtype, tuple(view.get_shape())


def _v1_steps(directory: Path) -> list[int]:
    if not real_directory(directory):
        return []
    steps, foreign = [], []
    with os.scandir(directory) as entries:
        for entry in entries:
            match = SNAPSHOT_NAME.fullmatch(entry.name)
            if match and entry.is_file(follow_symlinks=False):
                steps.append(int(match.group(1)))
            elif match:
                raise RunFormatError(f"{directory / entry.name} is not a regular file; "
                                     "a run holds only regular files (symlinks are never read)")
            elif not is_temp_name(entry.name) and not entry.name.startswith("."):
                foreign.append(entry.name)
    if foreign:
        raise RunFormatError(f"foreign files in {directory}: {', '.join(sorted(map(repr, foreign)))}; "
                             "a run holds only <step>.safetensors snapshots — remove them to open it")
    return sorted(steps)
