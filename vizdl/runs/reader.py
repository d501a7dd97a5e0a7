"""Reading a run directory lazily: ``Run.open(path)``."""
from __future__ import annotations

from functools import cached_property
from pathlib import Path

import numpy as np

from vizdl.runs.files import open_safetensors, read_json, read_json_lines, regular_file
from vizdl.runs.format import (
    DTYPES,
    FLOAT_DTYPES,
    FLOAT_KINDS,
    FORMAT,
    FORMAT_V1,
    FORMATS,
    KINDS,
    MAX_JSON_BYTES,
    MAX_METRICS_BYTES,
    METRICS_FILE,
    PROBE_FILE,
    RUN_FILE,
    SNAPSHOT_DIR,
    RunFormatError,
    split_key,
)
from vizdl.runs.graph import LayerGraph, ModuleInfo
from vizdl.runs.lock import is_locked
from vizdl.runs.snapshots import SnapshotStore, StepNotRecordedError


class Run:
    """A recorded run directory, read lazily.

    Listing steps and layers reads ``run.json`` and the small chunk index, no tensor;
    ``run.weights(step)`` and friends read one step's slice of one chunk (memory-mapped
    by safetensors), ``run.tensor(step, key)`` one tensor, and ``run.series(key)`` one
    tensor across all steps with one read per chunk. Every malformed file raises
    :class:`RunFormatError` naming it.

    Use :meth:`Run.open` to create one.
    """

    def __init__(self, path: Path, meta: dict, store: SnapshotStore, template=None):
        self.path = path
        self.meta = meta
        self._store = store
        self.steps = store.steps
        self.template = template

    @classmethod
    def open(cls, path, *, model=None) -> Run:
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
        if not path.is_dir() or regular_file(path / RUN_FILE, required=False) is None:
            raise FileNotFoundError(f"{path} is not a vizdl run: no {RUN_FILE} in it")
        meta = _read_meta(path / RUN_FILE)
        if meta["format"] == FORMAT_V1:
            store = SnapshotStore.per_step(path / SNAPSHOT_DIR)
        else:
            store = SnapshotStore.chunked(path / SNAPSHOT_DIR, meta["tensors"])
        return cls(path, meta, store, template=model)

    def __repr__(self) -> str:
        return (f"Run({str(self.path)!r}, model={self.model_name!r}, dataset={self.dataset_name!r}, "
                f"steps={len(self.steps)})")

    def _repr_html_(self) -> str:
        """Notebook display: model, data, steps, status, final metrics and a small loss curve."""
        from vizdl.notebook import run_html

        return run_html(self)

    # -- metadata ---------------------------------------------------------------------
    @property
    def format(self) -> str:
        """Format version of the directory (``"vizdl-run/2"``, or ``"vizdl-run/1"`` for old runs)."""
        return self.meta["format"]

    @property
    def status(self) -> str:
        """``run.json``'s status; ``"killed"`` for a run marked running that no process writes."""
        status = str(self.meta.get("status", "unknown"))
        if status == "running" and not is_locked(self.path):
            return "killed"
        return status

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
        try:
            return np.asarray(steps), np.asarray(values, dtype=float)
        except (TypeError, ValueError):
            raise RunFormatError(f"{self.path / METRICS_FILE}: metric {name!r} has non-numeric values") from None

    # -- tensors ----------------------------------------------------------------------
    @cached_property
    def probe(self) -> dict[str, np.ndarray]:
        """The fixed probe batch: ``{"inputs": ..., "labels": ...}``."""
        return _read_probe(self.path / PROBE_FILE)

    def require_step(self, step: int | None) -> int:
        """Return ``step`` (the last one for ``None``) or raise naming the nearest recorded steps."""
        if not self.steps:
            raise StepNotRecordedError(f"run {self.path} has no snapshots")
        if step is None or step == -1:
            return self.steps[-1]
        try:
            self._store.locate(step)
            return int(step)
        except StepNotRecordedError:
            raise StepNotRecordedError(
                f"step {step} was not recorded in {self.path}; nearest recorded steps: "
                f"{', '.join(map(str, self.nearest_steps(step)))}") from None

    def nearest_steps(self, step: int, count: int = 2) -> list[int]:
        """The ``count`` recorded steps closest to ``step``, in increasing order."""
        return sorted(sorted(self.steps, key=lambda s: (abs(s - step), s))[:count])

    def snapshot_path(self, step: int | None) -> Path:
        """Path of the file holding the snapshot of ``step`` (a chunk of several steps in vizdl-run/2)."""
        entry, _ = self._store.locate(self.require_step(step))
        return self._store.path(entry)

    def keys(self, step: int | None = None) -> list[str]:
        """Keys stored in the snapshot of ``step`` (reads the file header only)."""
        return self._store.keys(self.require_step(step))

    def tensor_specs(self, step: int | None = None) -> dict[str, tuple[str, tuple]]:
        """``{key: (dtype, shape)}`` of the snapshot of ``step`` (header only)."""
        entry, _ = self._store.locate(self.require_step(step))
        return dict(self._store.header(entry).fields)

    def tensor(self, step: int | None, key: str) -> np.ndarray:
        """Read one tensor of one step, without reading the others."""
        return self._store.read(self.require_step(step), keys=[key])[key]

    def series(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """One tensor across every recorded step: ``(steps (S,), values (S, ...))``.

        Reads one slab per chunk file, not one file per step (``vizdl-run/1`` runs, which
        have a file per step, are read file by file). Steps whose snapshot lacks ``key``
        are left out.
        """
        return self._store.series(key)

    def _kind(self, step: int | None, kind: str) -> dict[str, np.ndarray]:
        tensors = self._store.read(self.require_step(step), kind=kind)
        return {split_key(k)[1]: v for k, v in tensors.items()}

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
        """The metadata stored with a snapshot (step, epoch, ...)."""
        return self._store.metadata(self.require_step(step))

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
    meta = read_json(path, MAX_JSON_BYTES)
    found = meta.get("format") if isinstance(meta, dict) else None
    if found not in FORMATS:
        raise RunFormatError(f"{path} is not a vizdl run file (format={found!r}; "
                             f"this vizdl reads {' and '.join(FORMATS)})")
    for name in ("layers", "attention_layers", "parameters"):
        value = meta.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise RunFormatError(f"{path}: {name!r} must be a list of names")
    for name in ("model", "dataset"):
        if not isinstance(meta.get(name) or {}, dict):
            raise RunFormatError(f"{path}: {name!r} must be an object")
    if found == FORMAT:
        meta["tensors"] = _check_declarations(meta.get("tensors"), path)
    return meta


def _check_declarations(tensors, path: Path) -> dict:
    if not isinstance(tensors, dict):
        raise RunFormatError(f"{path}: 'tensors' must map each snapshot key to its dtype and shape")
    for name, spec in tensors.items():
        kind, _ = split_key(name)
        ok = (kind in KINDS and isinstance(spec, dict) and set(spec) == {"dtype", "shape"}
              and spec["dtype"] in DTYPES.values() and isinstance(spec["shape"], list)
              and all(type(n) is int and 0 <= n < 2**40 for n in spec["shape"]))
        if not ok:
            raise RunFormatError(f"{path}: declaration of {name!r} is not {{dtype, shape}} with a readable "
                                 f"dtype ({', '.join(DTYPES.values())}) and a list of sizes")
        if kind in FLOAT_KINDS and spec["dtype"] not in FLOAT_DTYPES:
            raise RunFormatError(f"{path}: {name!r} is declared {spec['dtype']}; {kind} tensors are floating point")
    return tensors


def _read_metrics(path: Path) -> list[dict]:
    if regular_file(path, required=False) is None:
        return []
    records = read_json_lines(path, file_limit=MAX_METRICS_BYTES)
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict) or type(record.get("step")) is not int:
            raise RunFormatError(f"{path}: record {number} is not a JSON object with an integer 'step'")
    return records


def _read_probe(path: Path) -> dict[str, np.ndarray]:
    with open_safetensors(path) as handle:
        for name in handle.keys():
            code = handle.get_slice(name).get_dtype()
            if code not in DTYPES:
                raise RunFormatError(f"{path}: {name} has dtype {code}, which vizdl cannot read")
        return {k: handle.get_tensor(k) for k in handle.keys()}
