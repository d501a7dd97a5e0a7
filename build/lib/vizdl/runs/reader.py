"""Reading a run directory lazily: ``Run.open(path)``."""
from __future__ import annotations

import json
import os
from functools import cached_property
from pathlib import Path

import numpy as np
from safetensors import safe_open

from vizdl.runs.format import (
    FORMAT, METRICS_FILE, PROBE_FILE, RUN_FILE, SNAPSHOT_DIR, SNAPSHOT_NAME, TMP_SUFFIX,
    RunFormatError, snapshot_name, split_key,
)


class StepNotRecordedError(ValueError):
    """A step was asked for that the run has no snapshot of."""


class Run:
    """A recorded run directory, read lazily.

    Listing steps and layers reads no tensor; ``run.weights(step)`` and friends read one
    snapshot file (memory-mapped by safetensors), and ``run.tensor(step, key)`` one tensor.

    Use :meth:`Run.open` to create one.
    """

    def __init__(self, path: Path, meta: dict, steps: list[int]):
        self.path = path
        self.meta = meta
        self.steps = steps

    @classmethod
    def open(cls, path) -> "Run":
        """Open the run directory ``path``; raises ``FileNotFoundError`` or ``RunFormatError``."""
        path = Path(path)
        if not (path / RUN_FILE).is_file():
            raise FileNotFoundError(f"{path} is not a vizdl run: no {RUN_FILE} in it")
        meta = _read_meta(path / RUN_FILE)
        return cls(path, meta, _list_steps(path / SNAPSHOT_DIR))

    def __repr__(self) -> str:
        return (f"Run({str(self.path)!r}, model={self.model_name!r}, dataset={self.dataset_name!r}, "
                f"steps={len(self.steps)})")

    # -- metadata ---------------------------------------------------------------------
    @property
    def model_name(self) -> str | None:
        """Name of the model in the vizdl model zoo (``None`` for a foreign model)."""
        return (self.meta.get("model") or {}).get("name")

    @property
    def dataset_name(self) -> str | None:
        """Name of the dataset the run was trained on, if known."""
        return (self.meta.get("dataset") or {}).get("name")

    @property
    def layers(self) -> list[str]:
        """Names of the modules whose activations were recorded."""
        return list(self.meta.get("layers", []))

    @property
    def attention_layers(self) -> list[str]:
        """Names of the attention modules whose maps were recorded."""
        return list(self.meta.get("attention_layers", []))

    @property
    def parameters(self) -> list[str]:
        """Names of the model's parameters (as in ``state_dict``)."""
        return list(self.meta.get("parameters", []))

    # -- metrics ----------------------------------------------------------------------
    @cached_property
    def metrics(self) -> list[dict]:
        """Every metrics record, in order (a torn last line of a killed run is skipped)."""
        return _read_metrics(self.path / METRICS_FILE)

    def metric(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """``(steps, values)`` of the records that carry ``name``."""
        rows = [(r["step"], r[name]) for r in self.metrics if name in r and r[name] is not None]
        if not rows:
            known = sorted({k for r in self.metrics for k in r})
            raise KeyError(f"no metric {name!r} in {self.path}; available: {', '.join(known)}")
        steps, values = zip(*rows)
        return np.asarray(steps), np.asarray(values, dtype=float)

    # -- tensors ----------------------------------------------------------------------
    @cached_property
    def probe(self) -> dict[str, np.ndarray]:
        """The fixed probe batch: ``{"inputs": ..., "labels": ...}``."""
        return _read_all(self.path / PROBE_FILE)

    def require_step(self, step: int | None) -> int:
        """Return ``step`` (the last one for ``None``) or raise naming the nearest recorded steps."""
        if not self.steps:
            raise StepNotRecordedError(f"run {self.path} has no snapshots")
        if step is None or step == -1:
            return self.steps[-1]
        if step in self._step_set:
            return int(step)
        raise StepNotRecordedError(
            f"step {step} was not recorded in {self.path}; nearest recorded steps: "
            f"{', '.join(map(str, self.nearest_steps(step)))}")

    def nearest_steps(self, step: int, count: int = 2) -> list[int]:
        """The ``count`` recorded steps closest to ``step``, in increasing order."""
        return sorted(sorted(self.steps, key=lambda s: (abs(s - step), s))[:count])

    @cached_property
    def _step_set(self) -> set[int]:
        return set(self.steps)

    def snapshot_path(self, step: int | None) -> Path:
        """Path of the snapshot file of ``step``."""
        return self.path / SNAPSHOT_DIR / snapshot_name(self.require_step(step))

    def keys(self, step: int | None = None) -> list[str]:
        """Keys stored in the snapshot of ``step`` (reads the file header only)."""
        with _open_safetensors(self.snapshot_path(step)) as handle:
            return list(handle.keys())

    def tensor(self, step: int | None, key: str) -> np.ndarray:
        """Read one tensor of one step, without reading the others."""
        with _open_safetensors(self.snapshot_path(step)) as handle:
            if key not in handle.keys():
                raise KeyError(f"no tensor {key!r} at step {step}; available: {', '.join(handle.keys())}")
            return handle.get_tensor(key)

    def _kind(self, step: int | None, kind: str) -> dict[str, np.ndarray]:
        with _open_safetensors(self.snapshot_path(step)) as handle:
            return {split_key(k)[1]: handle.get_tensor(k) for k in handle.keys()
                    if split_key(k)[0] == kind}

    def weights(self, step: int | None = None) -> dict[str, np.ndarray]:
        """Parameters at ``step`` (before that step's update), keyed like ``state_dict``."""
        return self._kind(step, "weight")

    def grads(self, step: int | None = None) -> dict[str, np.ndarray]:
        """Gradients of that step's batch loss at ``weights(step)``."""
        return self._kind(step, "grad")

    def buffers(self, step: int | None = None) -> dict[str, np.ndarray]:
        """Buffers (e.g. BatchNorm running statistics) at ``step``."""
        return self._kind(step, "buffer")

    def activations(self, step: int | None = None) -> dict[str, np.ndarray]:
        """Outputs of the recorded modules on the probe batch, ``(N, ...)`` each."""
        return self._kind(step, "act")

    def attention(self, step: int | None = None) -> dict[str, np.ndarray]:
        """Attention probabilities ``(N, heads, queries, keys)`` per attention module."""
        return self._kind(step, "attn")

    def step_metadata(self, step: int | None = None) -> dict[str, str]:
        """The metadata stored in a snapshot's header (step, epoch, ...)."""
        with _open_safetensors(self.snapshot_path(step)) as handle:
            return dict(handle.metadata() or {})

    def model(self, step: int | None = None):
        """Rebuild the model from the zoo and load the weights (and buffers) of ``step``."""
        import torch

        from vizdl.models import build

        spec = self.meta.get("model") or {}
        if not spec.get("name"):
            raise ValueError(f"run {self.path} was recorded from a model outside vizdl.models; "
                             "rebuild it yourself and load run.weights(step)")
        model = build(spec["name"], **spec.get("config", {}))
        state = {**self.weights(step), **self.buffers(step)}
        model.load_state_dict({k: torch.from_numpy(v.copy()).float() if v.dtype == np.float16
                               else torch.from_numpy(v.copy()) for k, v in state.items()})
        return model.eval()


def _read_meta(path: Path) -> dict:
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RunFormatError(f"{path} is not valid JSON ({error}); refusing to read this run") from error
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise RunFormatError(f"{path} is not a {FORMAT} file (format={meta.get('format') if isinstance(meta, dict) else None!r})")
    return meta


def _list_steps(directory: Path) -> list[int]:
    if not directory.is_dir():
        return []
    steps, foreign = [], []
    with os.scandir(directory) as entries:
        for entry in entries:
            match = SNAPSHOT_NAME.match(entry.name)
            if match:
                steps.append(int(match.group(1)))
            elif not entry.name.endswith(TMP_SUFFIX) and not entry.name.startswith("."):
                foreign.append(entry.name)
    if foreign:
        raise RunFormatError(f"foreign files in {directory}: {', '.join(sorted(foreign))}; "
                             "a run holds only <step>.safetensors snapshots — remove them to open it")
    return sorted(steps)


def _read_metrics(path: Path) -> list[dict]:
    if not path.exists():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue  # a torn last line of a killed process
        if isinstance(record, dict):
            records.append(record)
    return records


class _open_safetensors:
    """``safe_open`` that turns a foreign or tampered file into :class:`RunFormatError`."""

    def __init__(self, path: Path):
        self.path = path

    def __enter__(self):
        if not self.path.is_file():
            raise FileNotFoundError(f"missing file {self.path}")
        try:
            self._handle = safe_open(str(self.path), framework="numpy")
        except Exception as error:  # safetensors raises its own error types
            raise RunFormatError(f"{self.path} is not a valid safetensors file ({error}); "
                                 "it was not loaded (vizdl never unpickles)") from error
        return self._handle.__enter__()

    def __exit__(self, *exc):
        return self._handle.__exit__(*exc)


def _read_all(path: Path) -> dict[str, np.ndarray]:
    with _open_safetensors(path) as handle:
        return {k: handle.get_tensor(k) for k in handle.keys()}
