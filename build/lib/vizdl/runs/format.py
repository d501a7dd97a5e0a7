"""The on-disk run format: file names, snapshot keys and atomic writes.

A run directory holds ``run.json``, ``metrics.jsonl``, ``probe.safetensors`` and
``snapshots/<step:08d>.safetensors``. Tensors are stored with safetensors only, so
opening a run never executes code. Every file is written under a temporary name and
renamed, so a killed process leaves only complete files behind.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

FORMAT = "vizdl-run/1"
RUN_FILE = "run.json"
METRICS_FILE = "metrics.jsonl"
PROBE_FILE = "probe.safetensors"
SNAPSHOT_DIR = "snapshots"
SNAPSHOT_NAME = re.compile(r"^(\d{8})\.safetensors$")
TMP_SUFFIX = ".tmp"
KINDS = ("weight", "grad", "buffer", "act", "attn")


class RunFormatError(ValueError):
    """A file in a run directory is missing, foreign or tampered with."""


def snapshot_name(step: int) -> str:
    """File name of the snapshot of ``step`` (zero-padded so names sort by step)."""
    if step < 0 or step >= 10**8:
        raise ValueError(f"step must be in [0, 1e8), got {step}")
    return f"{step:08d}.safetensors"


def key(kind: str, name: str) -> str:
    """Snapshot key ``<kind>/<name>``; ``kind`` is one of :data:`KINDS`."""
    if kind not in KINDS:
        raise ValueError(f"unknown snapshot kind {kind!r}; valid: {', '.join(KINDS)}")
    return f"{kind}/{name}"


def split_key(full_key: str) -> tuple[str, str]:
    """Inverse of :func:`key`: ``"weight/net.0.weight"`` -> ``("weight", "net.0.weight")``."""
    kind, _, name = full_key.partition("/")
    return kind, name


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and an atomic rename."""
    tmp = path.with_name(path.name + TMP_SUFFIX)
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def atomic_write_json(path: Path, obj) -> None:
    """Write ``obj`` as indented JSON to ``path`` atomically."""
    atomic_write_bytes(path, json.dumps(obj, indent=2, sort_keys=False).encode("utf-8"))
