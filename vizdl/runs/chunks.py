"""Chunk buffers: captured steps copied into preallocated tensors, written as one safetensors file.

A :class:`ChunkBuffer` holds up to ``capacity`` steps of snapshots that share one
:class:`Layout` (same keys, shapes and dtypes). Each key owns one tensor of shape
``(capacity, *shape)``; capturing a step copies every source tensor into its row (one
``torch._foreach_copy_`` on the CPU). Sources on a CUDA device are copied with
``non_blocking=True`` into pinned host memory and a CUDA event is recorded after the
copies; the writer thread waits on that event before it reads the buffer, so the
training thread never synchronises with the GPU.

:func:`write_chunk` stores the first ``count`` rows of every tensor with safetensors
(straight from the buffers' memory, no serialised copy) under a temporary name, syncs
it and renames it to ``<first:08d>-<last:08d>.safetensors``.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors.numpy import save_file

from vizdl.runs.format import chunk_name, fsync_directory, temp_path

STEPS_KEY = "vizdl_steps"
STEP_METADATA_KEY = "vizdl_step_metadata"
FORMAT_KEY = "vizdl_chunk"
CHUNK_FORMAT = "1"
_KEPT_FLOATS = (torch.float16, torch.float32, torch.float64)
_STORABLE = (torch.bool, torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64)


def storage_dtype(dtype: torch.dtype, float_dtype: torch.dtype | None) -> torch.dtype | None:
    """How a source dtype is stored: floats as ``float_dtype`` (``None``: float16/32/64 as they
    are, other floats as float32), integers as they are, anything else ``None`` (not stored)."""
    if dtype.is_floating_point:
        if float_dtype is None:
            return dtype if dtype in _KEPT_FLOATS else torch.float32
        return float_dtype
    return dtype if dtype in _STORABLE else None


@dataclass(frozen=True)
class Field:
    """One key of a layout: the source's shape, dtype and device, and the stored dtype."""

    key: str
    shape: tuple
    source_dtype: torch.dtype
    device: torch.device
    dtype: torch.dtype

    @property
    def pinned(self) -> bool:
        """Whether the host buffer should be pinned (the source is on a CUDA device)."""
        return self.device.type == "cuda"

    @property
    def step_bytes(self) -> int:
        """Bytes one step of this field takes in storage."""
        count = 1
        for size in self.shape:
            count *= size
        return count * self.dtype.itemsize


@dataclass(frozen=True)
class Layout:
    """The keys, shapes and dtypes shared by every step of a chunk."""

    fields: tuple

    @classmethod
    def of(cls, tensors: dict, float_dtype: torch.dtype) -> tuple[Layout, list[str]]:
        """Layout of ``tensors``; also returns the keys skipped because their dtype cannot be stored."""
        fields, skipped = [], []
        for name, tensor in tensors.items():
            dtype = storage_dtype(tensor.dtype, float_dtype)
            if dtype is None:
                skipped.append(name)
                continue
            fields.append(Field(name, tuple(tensor.shape), tensor.dtype, tensor.device, dtype))
        return cls(tuple(fields)), skipped

    @property
    def step_bytes(self) -> int:
        """Bytes one step takes in storage."""
        return sum(f.step_bytes for f in self.fields)

    def matches(self, tensors: dict) -> bool:
        """Whether ``tensors`` has exactly this layout (checked on every capture: kept cheap)."""
        if len(tensors) != len(self.fields):
            return False
        for (name, tensor), field in zip(tensors.items(), self.fields):
            if name != field.key or tensor.dtype != field.source_dtype or tensor.shape != field.shape \
                    or tensor.device != field.device:
                return False
        return True


class ChunkBuffer:
    """Preallocated storage for up to ``capacity`` steps of one layout."""

    def __init__(self, layout: Layout, capacity: int):
        self.layout = layout
        self.capacity = capacity
        self.tensors = {f.key: _empty((capacity, *f.shape), f.dtype, f.pinned) for f in layout.fields}
        self._rows = [list(rows) for rows in zip(*(t.unbind(0) for t in self.tensors.values()))] \
            if self.tensors else [[] for _ in range(capacity)]
        self._asynchronous = any(f.device.type == "cuda" for f in layout.fields)
        self._foreach = bool(layout.fields) and all(f.device.type == "cpu" for f in layout.fields)
        self.reset()

    @property
    def nbytes(self) -> int:
        """Memory held by the buffer."""
        return sum(t.nbytes for t in self.tensors.values())

    @property
    def full(self) -> bool:
        """Whether no row is left."""
        return self.count >= self.capacity

    def reset(self) -> None:
        """Forget the stored steps (the memory is reused)."""
        self.count = 0
        self.steps: list[int] = []
        self.metadata: list[dict] = []
        self.events: list = []
        self.started: float | None = None

    def append(self, step: int, tensors: dict, metadata: dict) -> None:
        """Copy one step's ``tensors`` (in layout order) into the next row."""
        row = self._rows[self.count]
        sources = list(tensors.values())
        if self._foreach:
            torch._foreach_copy_(row, sources)
        else:
            for target, source in zip(row, sources):
                target.copy_(source, non_blocking=source.is_cuda)
            if self._asynchronous:
                self.events.extend(_record_events(sources))
        if self.count == 0:
            self.started = time.monotonic()
        self.count += 1
        self.steps.append(step)
        self.metadata.append(metadata)

    def wait_for_copies(self) -> None:
        """Block until the asynchronous device->host copies into this buffer are done."""
        for event in self.events:
            event.synchronize()
        self.events = []

    def arrays(self) -> dict:
        """NumPy views of the filled rows (no copy)."""
        return {name: tensor[:self.count].numpy() for name, tensor in self.tensors.items()}


def _empty(shape, dtype, pinned):
    pin = pinned and torch.cuda.is_available()
    return torch.empty(shape, dtype=dtype, pin_memory=pin)


def _record_events(sources) -> list:
    devices = {s.device for s in sources if s.is_cuda}
    events = []
    for device in devices:
        event = torch.cuda.Event()
        event.record(torch.cuda.current_stream(device))
        events.append(event)
    return events


def chunk_metadata(steps: list[int], metadata: list[dict]) -> dict[str, str]:
    """The safetensors header metadata of a chunk: its steps and each step's metadata."""
    return {FORMAT_KEY: CHUNK_FORMAT, STEPS_KEY: json.dumps(steps, separators=(",", ":")),
            STEP_METADATA_KEY: json.dumps([{k: str(v) for k, v in m.items()} for m in metadata],
                                          separators=(",", ":"))}


def _file_mode() -> int:
    """``0o666`` less the process umask: what ``open()`` would give (safetensors writes 0o600)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    umask = os.umask(0o022)  # fallback: read and restore (once, at import)
    os.umask(umask)
    return 0o666 & ~umask


FILE_MODE = _file_mode()


def write_chunk(buffer: ChunkBuffer, directory: Path) -> str:
    """Write ``buffer``'s steps as one chunk file in ``directory``; returns the file name.

    The file is written under a unique temporary name, synced, renamed, and the directory
    synced, so once this returns the chunk survives a crash; before, nothing of it is visible.
    """
    buffer.wait_for_copies()
    name = chunk_name(buffer.steps[0], buffer.steps[-1])
    final = directory / name
    tmp = temp_path(final)
    try:
        save_file(buffer.arrays(), str(tmp), metadata=chunk_metadata(buffer.steps, buffer.metadata))
        os.chmod(tmp, FILE_MODE)  # readable like every other file of the run
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, final)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_directory(directory)
    return name
