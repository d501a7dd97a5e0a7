"""Reading a run directory lazily: ``Run.open(path)``."""
from __future__ import annotations

import json
import os
from functools import cached_property
from pathlib import Path

import numpy as np
from safetensors import safe_open

from vizdl.runs.format import (
    FORMAT,
    METRICS_FILE,
    PROBE_FILE,
    RUN_FILE,
    SNAPSHOT_DIR,
    SNAPSHOT_NAME,
    TMP_SUFFIX,
    RunFormatError,
    snapshot_name,
    split_key,
)
from vizdl.runs.graph import LayerGraph, ModuleInfo


class StepNotRecordedError(ValueError):
    """A step was asked for that the run has no snapshot of."""


class Run:
    """A recorded run directory, read lazily.

    Listing steps and layers reads no tensor; ``run.weights(step)`` and friends read one
    snapshot file (memory-mapped by safetensors), and ``run.tensor(step, key)`` one tensor.

    Use :meth:`Run.open` to create one.
    """

    def __init__(self, path: Path, meta: dict, steps: list[int], template=None):
        self.path = path
        self.meta = meta
        self.steps = steps
        self.template = template

    @classmethod
    def open(cls, path, *, model=None) -> "Run":
        """Open the run directory ``path``; raises ``FileNotFoundError`` or ``RunFormatError``.

        Parameters
        ----------
        path : path-like
        model : nn.Module, class or factory, optional
            What :meth:`model` rebuilds the recorded model from when it is not a zoo model:
            an instance (its structure is copied, its weights are not used), a class or a
            function called without arguments (``lambda: MyNet(width=64)``).
        """
        path = Path(path)
        if not (path / RUN_FILE).is_file():
            raise FileNotFoundError(f"{path} is not a vizdl run: no {RUN_FILE} in it")
        meta = _read_meta(path / RUN_FILE)
        return cls(path, meta, _list_steps(path / SNAPSHOT_DIR), template=model)

    def __repr__(self) -> str:
        return (f"Run({str(self.path)!r}, model={self.model_name!r}, dataset={self.dataset_name!r}, "
                f"steps={len(self.steps)})")

    def _repr_html_(self) -> str:
        """Notebook display: model, data, steps, status, final metrics and a small loss curve."""
        from vizdl.notebook import run_html

        return run_html(self)

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
        """Names of the modules whose activations were recorded, in execution order."""
        return self.graph.in_execution_order(self.meta.get("layers", []))

    @property
    def attention_layers(self) -> list[str]:
        """Names of the attention modules whose maps were recorded, in execution order."""
        return self.graph.in_execution_order(self.meta.get("attention_layers", []))

    # -- the layer graph (execution order) ----------------------------------------------
    @cached_property
    def graph(self) -> LayerGraph:
        """The model's modules in the order forward first used them (see :mod:`vizdl.runs.graph`)."""
        return LayerGraph.from_meta(self.meta)

    @property
    def modules(self) -> list[ModuleInfo]:
        """Every module (name, type, calls per forward, own parameters) in execution order."""
        return list(self.graph.modules)

    @property
    def layer_order(self) -> list[str]:
        """Names of the layers (leaf modules that ran, modules owning parameters) in execution order."""
        return self.graph.layer_order

    def parameter_groups(self, names=None) -> list[tuple[str, list[str]]]:
        """``[(module, [parameter names])]`` in execution order (``names`` restricts the parameters)."""
        return self.graph.parameter_groups(names)

    def in_execution_order(self, names) -> list[str]:
        """Module, parameter, activation or attention names sorted by execution order."""
        return self.graph.in_execution_order(names)

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

    def _ordered(self, arrays: dict) -> dict:
        return {k: arrays[k] for k in self.graph.in_execution_order(arrays)}

    def weights(self, step: int | None = None) -> dict[str, np.ndarray]:
        """Parameters at ``step`` (before that step's update), keyed like ``state_dict``, in execution order."""
        return self._ordered(self._kind(step, "weight"))

    def grads(self, step: int | None = None) -> dict[str, np.ndarray]:
        """Gradients the optimizer used at ``step`` (taken at ``weights(step)``), in execution order."""
        return self._ordered(self._kind(step, "grad"))

    def buffers(self, step: int | None = None) -> dict[str, np.ndarray]:
        """Buffers (e.g. BatchNorm running statistics) at ``step``."""
        return self._kind(step, "buffer")

    def activations(self, step: int | None = None) -> dict[str, np.ndarray]:
        """Outputs of the recorded modules on the probe batch, ``(N, ...)`` each, in execution order.

        Keys are module names; ``name#j`` is call ``j`` of a module run several times,
        ``name:part`` another tensor of a tuple output (``lstm:h_n``), see :mod:`vizdl.runs.keys`.
        """
        return self._ordered(self._kind(step, "act"))

    def attention(self, step: int | None = None) -> dict[str, np.ndarray]:
        """Attention probabilities ``(N, heads, queries, keys)`` per attention module, in execution order."""
        return self._ordered(self._kind(step, "attn"))

    def step_metadata(self, step: int | None = None) -> dict[str, str]:
        """The metadata stored in a snapshot's header (step, epoch, ...)."""
        with _open_safetensors(self.snapshot_path(step)) as handle:
            return dict(handle.metadata() or {})

    @property
    def can_rebuild(self) -> bool:
        """Whether :meth:`model` can build the model (a zoo model, or a template given to :meth:`open`)."""
        from vizdl.runs.rebuild import can_rebuild

        return can_rebuild(self)

    def model(self, step: int | None = None):
        """The recorded model with the weights (and buffers) of ``step``, in eval mode, on the CPU.

        Zoo models are rebuilt from ``run.json``; any other model from the template given
        to ``Run.open(path, model=...)`` (``rec.run`` carries the live model's). The model
        is built on the ``meta`` device first and its parameter shapes are checked against
        the recorded ones before memory is allocated (see :mod:`vizdl.runs.rebuild`).
        """
        from vizdl.runs.rebuild import rebuild

        return rebuild(self, step, self.template)


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
