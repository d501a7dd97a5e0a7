"""How snapshots are stored: :class:`Storage` (chunking, flushing, memory ceiling, dtype)."""
from __future__ import annotations

from dataclasses import asdict, dataclass

WHEN_FULL = ("wait", "drop")
FLOAT_STORAGE = ("keep", "float32", "float16")


@dataclass(frozen=True)
class Storage:
    """Storage policy of a :class:`~vizdl.runs.RunWriter`.

    Captured steps are copied into preallocated chunk buffers; a chunk is closed (written
    to ``snapshots/<first>-<last>.safetensors`` on the writer thread, synced, indexed)
    when any limit below is reached, so the run stays readable while it is written.

    Parameters
    ----------
    chunk_steps : int
        Most steps in one chunk.
    chunk_bytes : int
        Most bytes in one chunk (a chunk always holds at least one step).
    chunk_seconds : float
        A chunk is closed at the first capture this many seconds after its first step, or
        by the writer thread 1.5 times this long after it if training captures nothing
        more: a live viewer sees new steps within about this delay.
    memory_bytes : int
        Ceiling on the memory of chunk buffers (the one being filled plus those waiting
        for the disk). At least one buffer always exists, however large a step is.
    when_full : {"wait", "drop"}
        When every buffer is waiting for the disk: ``"wait"`` blocks the capture until one
        is free (back-pressure, nothing lost); ``"drop"`` skips the snapshot with a
        warning and counts it in ``run.json`` (``dropped_steps``).
    float_dtype : {"keep", "float32", "float16"}
        Storage type of floating-point tensors: ``"keep"`` stores float16/32/64 as they
        come (other floats, e.g. bfloat16, as float32; the Recorder hands over tensors
        already converted by ``RecordSpec.dtype``); ``"float16"`` halves the size.
    """

    chunk_steps: int = 1024
    chunk_bytes: int = 32 * 2**20
    chunk_seconds: float = 2.0
    memory_bytes: int = 256 * 2**20
    when_full: str = "wait"
    float_dtype: str = "keep"

    def __post_init__(self):
        for name in ("chunk_steps", "chunk_bytes", "memory_bytes"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if isinstance(self.chunk_seconds, bool) or not isinstance(self.chunk_seconds, (int, float)) \
                or not 0 < self.chunk_seconds < float("inf"):
            raise ValueError(f"chunk_seconds must be a positive finite number, got {self.chunk_seconds!r}")
        if self.when_full not in WHEN_FULL:
            raise ValueError(f"when_full must be one of {WHEN_FULL}, got {self.when_full!r}")
        if self.float_dtype not in FLOAT_STORAGE:
            raise ValueError(f"float_dtype must be one of {FLOAT_STORAGE}, got {self.float_dtype!r}")

    def capacity(self, step_bytes: int) -> int:
        """Steps per chunk buffer for snapshots of ``step_bytes`` bytes."""
        return max(1, min(self.chunk_steps, self.chunk_bytes // max(step_bytes, 1)))

    def to_dict(self) -> dict:
        """JSON description (stored in ``run.json`` under ``storage``)."""
        return {"layout": "chunks", **asdict(self)}
