"""Writing a run directory: metadata, append-only metrics and chunked snapshots.

The training thread only copies a captured step into a preallocated chunk buffer
(:mod:`vizdl.runs.chunks`); one background thread writes full (or old) chunks, syncs
them once per chunk and appends their index line. Memory is bounded by
:attr:`Storage.memory_bytes`; a failing disk stops the recording, never the training.
"""
from __future__ import annotations

import atexit
import collections
import errno
import json
import threading
import time
import warnings
import weakref
from pathlib import Path

import numpy as np
import torch
from safetensors.numpy import save as save_safetensors

from vizdl.runs.chunks import ChunkBuffer, Layout, write_chunk
from vizdl.runs.format import (
    FORMAT,
    METRICS_FILE,
    PROBE_FILE,
    RUN_FILE,
    SNAPSHOT_DIR,
    atomic_write_bytes,
    atomic_write_json,
    check_step,
)
from vizdl.runs.index import ChunkEntry, IndexWriter
from vizdl.runs.lock import prepare_directory
from vizdl.runs.storage import Storage

_OPEN_WRITERS: weakref.WeakSet[RunWriter] = weakref.WeakSet()


def _json_default(value):
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, tuple):
        return list(value)
    return str(value)


class RunWriter:
    """Write one run directory; snapshots are chunked and written on a background thread.

    Parameters
    ----------
    path : path-like
        The run directory; created if needed, locked while written.
    meta : dict
        Initial content of ``run.json`` (``format`` and ``storage`` are added).
    storage : Storage, optional
        Chunking, flushing, memory ceiling and float dtype (default ``Storage()``).
    overwrite : bool
        Replace the run already in ``path``. Without it a non-empty directory is refused
        (:class:`RunExistsError`); a directory holding anything but a run is refused always.

    Raises
    ------
    RunInUseError
        Another process is writing ``path``.
    """

    def __init__(self, path, meta: dict, *, storage: Storage | None = None, overwrite: bool = False):
        self.path = Path(path)
        self.storage = storage or Storage()
        self._lock = prepare_directory(self.path, overwrite=overwrite)
        try:
            (self.path / SNAPSHOT_DIR).mkdir(exist_ok=True)
            self.meta = {"format": FORMAT, **meta, "storage": self.storage.to_dict(), "tensors": {}}
            self.write_meta()
            self._metrics = open(self.path / METRICS_FILE, "a", encoding="utf-8")
            self._index = IndexWriter(self.path / SNAPSHOT_DIR)
        except BaseException:
            self._lock.release()
            raise
        self.bytes_written = 0
        self.stopped: str | None = None  # why recording stopped, once it has
        self._float_dtype = None if self.storage.float_dtype == "keep" else getattr(torch, self.storage.float_dtype)
        self._last_step = -1
        self._dropped = 0
        self._warned: set = set()
        self._metrics_failed = False
        self._metrics_flushed = time.monotonic()
        self._queue = _BufferQueue(self.storage)
        self._thread = threading.Thread(target=self._write_loop, name="vizdl-writer", daemon=True)
        self._thread.start()
        self._closed = False
        _OPEN_WRITERS.add(self)

    # -- metadata and metrics ------------------------------------------------------------
    def write_meta(self, **updates) -> None:
        """Merge ``updates`` into ``run.json`` and rewrite it atomically."""
        self.meta.update(updates)
        atomic_write_json(self.path / RUN_FILE, json.loads(json.dumps(self.meta, default=_json_default)))

    def _try_write_meta(self, **updates) -> None:
        try:
            self.write_meta(**updates)
        except OSError as error:
            self._warn_once("meta", f"vizdl: could not update {self.path / RUN_FILE} ({error.strerror}); "
                                    "training continues")

    def log(self, record: dict) -> None:
        """Append one metrics record (a JSON object on its own line).

        Records reach the disk at least every ``storage.chunk_seconds`` and whenever a
        chunk is closed; a killed process loses at most those last seconds of them.
        """
        if self._metrics_failed:
            return
        try:
            self._metrics.write(json.dumps(record, default=_json_default) + "\n")
            if time.monotonic() - self._metrics_flushed > self.storage.chunk_seconds:
                self._flush_metrics()
        except OSError as error:
            self._metrics_stop(error)

    def _flush_metrics(self) -> None:
        if not self._metrics_failed and not self._metrics.closed:
            self._metrics.flush()
        self._metrics_flushed = time.monotonic()

    def _metrics_stop(self, error: OSError) -> None:
        self._metrics_failed = True
        self._warn_once("metrics", f"vizdl: writing {self.path / METRICS_FILE} failed ({error.strerror}); "
                                   "metrics are no longer recorded, training continues")
        self._try_write_meta(metrics_stopped=error.strerror)

    def write_probe(self, inputs: np.ndarray, labels: np.ndarray) -> None:
        """Store the fixed probe batch."""
        data = save_safetensors({"inputs": np.ascontiguousarray(inputs),
                                 "labels": np.ascontiguousarray(labels)})
        atomic_write_bytes(self.path / PROBE_FILE, data)

    # -- snapshots ------------------------------------------------------------------------
    def snapshot_bytes(self, tensors: dict) -> int:
        """Bytes ``tensors`` would take in storage (floats in the storage dtype)."""
        layout, _ = Layout.of(_as_tensors(tensors), self._float_dtype)
        return layout.step_bytes

    def write_snapshot(self, step: int, tensors: dict, metadata: dict) -> int:
        """Copy the snapshot of ``step`` into the current chunk; returns its stored size in bytes.

        ``tensors`` maps keys to torch tensors (any device) or NumPy arrays; they are
        copied before this returns (or, from a CUDA device, before the writer reads them),
        so the caller may update them right after. Returns 0 when nothing was stored:
        recording stopped, the step does not come after the last one, or the memory
        ceiling was reached with ``when_full="drop"``.
        """
        self._check_writer()
        if self.stopped:
            return 0
        check_step(step)
        if step <= self._last_step:
            self._warn_once("order", f"vizdl: step {step} does not come after the last recorded step "
                                     f"{self._last_step}; it is not recorded (steps must increase)")
            return 0
        queue = self._queue
        with queue.cond:
            buffer = queue.current
            if buffer is not None and buffer.count and \
                    time.monotonic() - buffer.started > self.storage.chunk_seconds:
                self._seal()
                buffer = None
            if buffer is None or not buffer.layout.matches(tensors):
                try:
                    tensors = self._declared(_as_tensors(tensors))
                except OSError as error:  # run.json cannot take the new declarations
                    queue.failure = error
                    self._check_writer()
                    return 0
                buffer = queue.current_for(Layout.of(tensors, self._float_dtype)[0])
            if buffer is None:
                return self._drop(step)
            buffer.append(step, tensors, {k: str(v) for k, v in metadata.items()})
            if buffer.count == 1:
                queue.cond.notify_all()  # the writer thread times the new chunk
            if buffer.full:
                self._seal()
        self._last_step = step
        size = buffer.layout.step_bytes
        self.bytes_written += size
        return size

    def _declared(self, tensors: dict) -> dict:
        """Keep the tensors whose dtype and shape fit ``run.json``'s declarations; declare new keys."""
        declared = self.meta["tensors"]
        layout, skipped = Layout.of(tensors, self._float_dtype)
        for name in skipped:
            self._warn_once(("dtype", name), f"vizdl: {name} has dtype {tensors[name].dtype}, which a run "
                                             "cannot store; it is not recorded")
        kept, new = {}, False
        for field in layout.fields:
            entry = {"dtype": str(field.dtype).removeprefix("torch."), "shape": list(field.shape)}
            if field.key not in declared:
                declared[field.key], new = entry, True
            elif declared[field.key] != entry:
                self._warn_once(("shape", field.key),
                                f"vizdl: {field.key} changed from {declared[field.key]} to {entry}; "
                                "those snapshots of it are not recorded")
                continue
            kept[field.key] = tensors[field.key]
        if new:
            self.write_meta()
        return kept

    def _seal(self) -> None:
        """Close the current chunk; metrics logged so far reach the disk no later than it."""
        try:
            self._flush_metrics()
        except OSError as error:
            self._metrics_stop(error)
        self._queue.seal()

    def _drop(self, step: int) -> int:
        self._dropped += 1
        self._warn_once("drop", f"vizdl: the writer is behind and the memory ceiling of "
                                f"{self.storage.memory_bytes} bytes is reached; step {step} and later ones "
                                "are dropped while this lasts (counted in run.json 'dropped_steps')")
        return 0

    def flush(self) -> None:
        """Write the open chunk and wait for every queued one; flush the metrics."""
        with self._queue.cond:
            self._seal()
            self._queue.cond.wait_for(self._queue.idle)
        self._check_writer()

    def close(self) -> None:
        """Flush everything, stop the writer thread, release the files and the lock."""
        if self._closed:
            return
        try:
            self.flush()
            if self._dropped:
                self._try_write_meta(dropped_steps=self._dropped)
        finally:
            self._closed = True
            _OPEN_WRITERS.discard(self)
            with self._queue.cond:
                self._queue.closing = True
                self._queue.cond.notify_all()
            self._thread.join()
            self._index.close()
            try:
                self._metrics.close()
            except OSError:
                pass
            self._lock.release()

    # -- the writer thread ---------------------------------------------------------------
    def _write_loop(self) -> None:
        queue = self._queue
        try:
            while True:
                buffer = queue.next_sealed()
                if buffer is None:
                    return
                try:
                    if queue.failure is None:
                        name = write_chunk(buffer, self.path / SNAPSHOT_DIR)
                        queue.durable_step = buffer.steps[-1]
                        self._index.append(ChunkEntry(name, tuple(buffer.steps)))
                except BaseException as error:  # noqa: BLE001 - OSError stops recording, others re-raise
                    queue.failure = error
                finally:
                    queue.release(buffer)
        except BaseException as error:  # noqa: BLE001 - the thread must never die silently
            queue.fail(error)

    def _check_writer(self) -> None:
        failure = self._queue.failure
        if failure is None or self.stopped:
            return
        if not isinstance(failure, OSError):
            self._queue.failure = None
            raise failure
        self.stopped = f"{errno.errorcode.get(failure.errno, 'OSError')}: {failure.strerror or failure}"
        self._queue.discard_pending()
        last = self._queue.durable_step
        warnings.warn(f"vizdl: recording stopped: writing a snapshot chunk failed ({self.stopped}); "
                      f"training continues. The run keeps the steps up to {last} and its temporary "
                      "files were removed.", RuntimeWarning, stacklevel=3)
        self._try_write_meta(recording_stopped={"reason": self.stopped, "last_step": last})

    def _warn_once(self, topic, message: str) -> None:
        if topic not in self._warned:
            self._warned.add(topic)
            warnings.warn(message, RuntimeWarning, stacklevel=4)


class _BufferQueue:
    """Chunk buffers shared by the training thread and the writer thread (under ``cond``)."""

    def __init__(self, storage: Storage):
        self.storage = storage
        self.cond = threading.Condition()
        self.current: ChunkBuffer | None = None
        self.sealed: collections.deque = collections.deque()
        self.free: list[ChunkBuffer] = []
        self.allocated = 0
        self.writing = 0
        self.closing = False
        self.failure: BaseException | None = None
        self.dead = False
        self.durable_step: int | None = None

    def idle(self) -> bool:
        """Nothing sealed is waiting or being written (or the writer thread is gone)."""
        return (not self.sealed and not self.writing) or self.dead

    def fail(self, error: BaseException) -> None:
        """(Writer thread) the thread ends on an unexpected error: nobody may wait for it."""
        with self.cond:
            self.failure = error
            self.dead = True
            self.cond.notify_all()

    def seal(self) -> None:
        """Hand the current buffer (if it holds steps) to the writer thread."""
        if self.current is not None and self.current.count:
            self.sealed.append(self.current)
            self.current = None
            self.cond.notify_all()

    def current_for(self, layout: Layout) -> ChunkBuffer | None:
        """A buffer for ``layout`` to append to, or ``None`` to drop (memory ceiling, ``"drop"``)."""
        if self.current is not None and self.current.layout == layout:
            return self.current
        self.seal()
        if self.current is not None:  # empty buffer of another layout
            self._recycle(self.current)
            self.current = None
        capacity = self._capacity(layout)
        while True:
            buffer = self._reuse(layout, capacity) or self._allocate(layout, capacity)
            if buffer is not None:
                self.current = buffer
                return buffer
            if self.storage.when_full == "drop" or self.failure is not None:
                return None
            self.cond.wait()

    def _capacity(self, layout: Layout) -> int:
        step = max(layout.step_bytes, 1)
        return max(1, min(self.storage.capacity(step), self.storage.memory_bytes // (2 * step)))

    def _reuse(self, layout: Layout, capacity: int) -> ChunkBuffer | None:
        for index, buffer in enumerate(self.free):
            if buffer.layout == layout and buffer.capacity == capacity:
                return self.free.pop(index)
        return None

    def _allocate(self, layout: Layout, capacity: int) -> ChunkBuffer | None:
        need = layout.step_bytes * capacity
        while self.free and self.allocated + need > self.storage.memory_bytes:
            self.allocated -= self.free.pop().nbytes  # free buffers of other layouts first
        if self.allocated and self.allocated + need > self.storage.memory_bytes:
            return None
        buffer = ChunkBuffer(layout, capacity)
        self.allocated += buffer.nbytes
        return buffer

    def _recycle(self, buffer: ChunkBuffer) -> None:
        buffer.reset()
        self.free.append(buffer)

    def next_sealed(self) -> ChunkBuffer | None:
        """(Writer thread) the next buffer to write, sealing an old current one; ``None`` to stop."""
        with self.cond:
            while True:
                if self.sealed:
                    self.writing += 1
                    return self.sealed.popleft()
                current = self.current
                timeout = None
                if current is not None and current.count:
                    # the training thread closes old chunks at its next capture (flushing the
                    # metrics first); this thread closes them only when no capture comes
                    timeout = current.started + 1.5 * self.storage.chunk_seconds - time.monotonic()
                    if timeout <= 0:
                        self.seal()
                        continue
                if self.closing:
                    return None
                self.cond.wait(timeout)

    def release(self, buffer: ChunkBuffer) -> None:
        """(Writer thread) a written buffer is free again."""
        with self.cond:
            self.writing -= 1
            self._recycle(buffer)
            self.cond.notify_all()

    def discard_pending(self) -> None:
        """Drop sealed and current buffers (recording stopped)."""
        with self.cond:
            while self.sealed:
                self._recycle(self.sealed.popleft())
            if self.current is not None:
                self._recycle(self.current)
                self.current = None
            self.cond.notify_all()


def _as_tensors(tensors: dict) -> dict:
    """Torch tensors (detached) from torch tensors or NumPy arrays."""
    return {name: torch.from_numpy(np.require(t, requirements="C")) if isinstance(t, np.ndarray) else t.detach()
            for name, t in tensors.items()}


@atexit.register
def _close_open_writers() -> None:
    """A run still open when the interpreter exits normally is finished, not left "running"."""
    for writer in list(_OPEN_WRITERS):
        try:
            if writer.meta.get("status") == "running":
                writer._try_write_meta(status="unfinished",
                                       status_detail="the process exited while the run was still open")
            writer.close()
        except Exception:  # noqa: BLE001 - never fail interpreter exit
            pass
