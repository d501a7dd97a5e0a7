"""The on-disk run format: file names, snapshot keys, limits and atomic writes.

A run directory (format ``vizdl-run/2``) holds::

    run.json                     metadata, format version, storage and tensor declarations
    metrics.jsonl                one JSON object per line, append-only
    probe.safetensors            the fixed probe batch
    snapshots/<first:08d>-<last:08d>.safetensors   chunks: consecutive captured steps,
                                 every tensor stacked along a leading step axis
    snapshots/index.jsonl        one line per chunk (file name and steps), append-only
    .lock                        held by the one process writing the run

Runs of format ``vizdl-run/1`` (one ``snapshots/<step:08d>.safetensors`` per step)
still open. Tensors are stored with safetensors only, so opening a run never executes
code. Every file is written under a unique temporary name, synced and renamed, so a
killed process leaves only complete files behind.
"""
from __future__ import annotations

import itertools
import json
import os
import re
from pathlib import Path

FORMAT = "vizdl-run/2"
FORMAT_V1 = "vizdl-run/1"
FORMATS = (FORMAT, FORMAT_V1)
RUN_FILE = "run.json"
METRICS_FILE = "metrics.jsonl"
PROBE_FILE = "probe.safetensors"
SNAPSHOT_DIR = "snapshots"
INDEX_FILE = "index.jsonl"
LOCK_FILE = ".lock"
SNAPSHOT_NAME = re.compile(r"([0-9]{8})\.safetensors")  # vizdl-run/1, plain ASCII digits
CHUNK_NAME = re.compile(r"([0-9]{8})-([0-9]{8})\.safetensors")
TMP_SUFFIX = ".tmp"
KINDS = ("weight", "grad", "buffer", "act", "attn")
FLOAT_KINDS = ("weight", "grad", "attn")  # activations may be integers (lstm:lengths)
MAX_STEP = 10**8

# Limits on what a reader accepts: a tampered file gets a clear error, not a memory bomb.
MAX_JSON_BYTES = 16 * 2**20      # run.json
MAX_LINE_BYTES = 2**20           # one line of metrics.jsonl or snapshots/index.jsonl
MAX_METRICS_BYTES = 256 * 2**20  # the whole metrics.jsonl
SPARSE_CHECK_BYTES = 16 * 2**20  # files above this size must not have holes

# safetensors dtype codes readable as NumPy arrays <-> the NumPy names run.json uses
DTYPES = {"F64": "float64", "F32": "float32", "F16": "float16", "I64": "int64", "I32": "int32",
          "I16": "int16", "I8": "int8", "U64": "uint64", "U32": "uint32", "U16": "uint16",
          "U8": "uint8", "BOOL": "bool"}
FLOAT_DTYPES = ("float64", "float32", "float16")

_tmp_counter = itertools.count()


class RunFormatError(ValueError):
    """A file in a run directory is missing, foreign or tampered with."""


def check_step(step: int) -> int:
    """``step`` as an int in ``[0, 1e8)``; raises ``ValueError`` otherwise."""
    if isinstance(step, bool) or not isinstance(step, int) or not 0 <= step < MAX_STEP:
        raise ValueError(f"step must be an integer in [0, 1e8), got {step!r}")
    return step


def snapshot_name(step: int) -> str:
    """File name of the ``vizdl-run/1`` snapshot of ``step`` (zero-padded so names sort by step)."""
    return f"{check_step(step):08d}.safetensors"


def chunk_name(first: int, last: int) -> str:
    """File name of the chunk holding steps ``first`` .. ``last``."""
    return f"{check_step(first):08d}-{check_step(last):08d}.safetensors"


def key(kind: str, name: str) -> str:
    """Snapshot key ``<kind>/<name>``; ``kind`` is one of :data:`KINDS`."""
    if kind not in KINDS:
        raise ValueError(f"unknown snapshot kind {kind!r}; valid: {', '.join(KINDS)}")
    return f"{kind}/{name}"


def split_key(full_key: str) -> tuple[str, str]:
    """Inverse of :func:`key`: ``"weight/net.0.weight"`` -> ``("weight", "net.0.weight")``."""
    kind, _, name = full_key.partition("/")
    return kind, name


def temp_path(path: Path) -> Path:
    """A temporary name next to ``path``, unique to this process and call (``.<name>.<pid>.<n>.tmp``)."""
    return path.with_name(f".{path.name}.{os.getpid()}.{next(_tmp_counter)}{TMP_SUFFIX}")


def is_temp_name(name: str) -> bool:
    """Whether ``name`` is a temporary file of a writer (complete files never are)."""
    return name.endswith(TMP_SUFFIX)


def fsync_directory(directory: Path) -> None:
    """Make a rename inside ``directory`` durable (no-op where directories cannot be opened)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a unique temporary file, fsync and an atomic rename."""
    tmp = temp_path(path)
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_json(path: Path, obj) -> None:
    """Write ``obj`` as indented JSON to ``path`` atomically."""
    atomic_write_bytes(path, json.dumps(obj, indent=2, sort_keys=False).encode("utf-8"))
