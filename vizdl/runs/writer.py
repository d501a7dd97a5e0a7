"""Writing a run directory: metadata, append-only metrics and snapshots."""
from __future__ import annotations

import json
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np
from safetensors.numpy import save as save_safetensors

from vizdl.runs.format import (
    FORMAT, METRICS_FILE, PROBE_FILE, RUN_FILE, SNAPSHOT_DIR, atomic_write_bytes,
    atomic_write_json, snapshot_name,
)


def _json_default(value):
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, tuple):
        return list(value)
    return str(value)


class RunWriter:
    """Write one run directory; snapshot files are serialised on a background thread.

    Parameters
    ----------
    path : path-like
        The run directory; created if needed.
    meta : dict
        Initial content of ``run.json`` (``format`` is added).
    """

    def __init__(self, path, meta: dict):
        self.path = Path(path)
        (self.path / SNAPSHOT_DIR).mkdir(parents=True, exist_ok=True)
        self.meta = {"format": FORMAT, **meta}
        self.bytes_written = 0
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vizdl-writer")
        self._pending: list[Future] = []
        self._metrics = open(self.path / METRICS_FILE, "a", encoding="utf-8")
        self.write_meta()

    def write_meta(self, **updates) -> None:
        """Merge ``updates`` into ``run.json`` and rewrite it atomically."""
        self.meta.update(updates)
        atomic_write_json(self.path / RUN_FILE, json.loads(json.dumps(self.meta, default=_json_default)))

    def log(self, record: dict) -> None:
        """Append one metrics record (a JSON object on its own line)."""
        self._metrics.write(json.dumps(record, default=_json_default) + "\n")

    def write_probe(self, inputs: np.ndarray, labels: np.ndarray) -> None:
        """Store the fixed probe batch."""
        data = save_safetensors({"inputs": np.ascontiguousarray(inputs),
                                 "labels": np.ascontiguousarray(labels)})
        atomic_write_bytes(self.path / PROBE_FILE, data)

    def write_snapshot(self, step: int, tensors: dict[str, np.ndarray], metadata: dict) -> int:
        """Queue the snapshot of ``step``; returns its size in bytes."""
        size = sum(array.nbytes for array in tensors.values())
        self.bytes_written += size
        target = self.path / SNAPSHOT_DIR / snapshot_name(step)
        str_meta = {k: str(v) for k, v in metadata.items()}
        self._pending = [f for f in self._pending if not _finished(f)]
        self._pending.append(self._executor.submit(_write_snapshot, target, tensors, str_meta))
        self._metrics.flush()  # metrics up to a snapshot survive a killed process
        return size

    def flush(self) -> None:
        """Wait for queued snapshots and flush the metrics file (raises a writer error)."""
        pending, self._pending = self._pending, []
        for future in pending:
            future.result()
        if not self._metrics.closed:
            self._metrics.flush()

    def close(self) -> None:
        """Flush everything and release the file handle and writer thread."""
        try:
            self.flush()
        finally:
            self._metrics.close()
            self._executor.shutdown(wait=True)


def _finished(future: Future) -> bool:
    """True when ``future`` is done; re-raises the error of a failed write."""
    if future.done():
        future.result()
        return True
    return False


def _write_snapshot(target: Path, tensors: dict[str, np.ndarray], metadata: dict) -> None:
    contiguous = {name: np.require(array, requirements="C") for name, array in tensors.items()}  # keeps 0-d
    atomic_write_bytes(target, save_safetensors(contiguous, metadata=metadata))
