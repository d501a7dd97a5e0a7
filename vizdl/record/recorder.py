"""The :class:`Recorder`: snapshots of a model during training, written to a run directory."""
from __future__ import annotations

import dataclasses
import platform
import warnings
import weakref
from pathlib import Path

import numpy as np
import torch
from torch import nn

from vizdl.record.attention import attention_advice, attention_sources
from vizdl.record.dtypes import for_storage
from vizdl.record.graph import graph_json, trace_calls
from vizdl.record.hooks import select_layers
from vizdl.record.models import device_of, is_compiled, process_rank, unwrap, wrappers
from vizdl.record.outputs import split_activation_key
from vizdl.record.probe import probe_forward
from vizdl.record.spec import RecordSpec
from vizdl.runs import Run, RunWriter, Storage

_RECORDING: "weakref.WeakSet[nn.Module]" = weakref.WeakSet()  # models inside a `with Recorder(...)`


class Recorder:
    """Record weights, gradients, activations and attention maps of ``model`` into ``out``.

    Use it as a context manager inside any training loop. Call :meth:`capture` where the
    gradients are the ones the optimizer is about to use -- after the last ``backward()``
    of a step (gradient accumulation), after clipping and after ``scaler.unscale_(opt)``
    (AMP), right before ``optimizer.step()`` -- and :meth:`log` for metrics::

        with Recorder(model, "runs/mine", RecordSpec(every=50), probe=(x_val, y_val)) as rec:
            for step, (x, y) in enumerate(batches):
                loss = loss_fn(model(x), y)
                optimizer.zero_grad(); loss.backward()
                rec.capture(step)
                optimizer.step()
                rec.log(step, loss=loss.item())
        run = rec.run

    ``model`` may be wrapped by ``torch.compile`` or ``DistributedDataParallel``: the
    Recorder reads the module inside (names without ``_orig_mod.`` / ``module.``) and runs
    its probe forward eagerly on it, so no hook is lost and no collective is started.
    Under ``torch.distributed`` only rank 0 records; on other ranks every method is a
    no-op and :attr:`run` is ``None``. The model itself is left untouched (no attribute
    is set on it, so ``copy.deepcopy`` and ``torch.save`` keep working while recording).

    Parameters
    ----------
    model : nn.Module
        The model (or its compiled / DDP wrapper); models from :mod:`vizdl.models` carry
        ``vizdl_spec`` so the run can rebuild them by name.
    out : path-like
        The run directory.
    spec : RecordSpec, optional
        What to record and when.
    probe : (inputs, labels), optional
        The fixed batch activations are computed on; the first ``spec.probe_size`` samples
        are kept. Without it no activation or attention is recorded.
    meta : dict, optional
        Extra entries for ``run.json`` (dataset, hyper-parameters, seed...).
    total_steps : int, optional
        Number of steps planned (needed by ``RecordSpec.log_steps``).
    storage : vizdl.runs.Storage, optional
        How snapshots are stored (chunking, flushing, memory ceiling, what to do when
        memory is full); tensors reach it already in ``spec.dtype``'s storage dtype.
    overwrite : bool
        Replace a run already in ``out`` (a non-empty ``out`` is refused otherwise).
    """

    def __init__(self, model: nn.Module, out, spec: RecordSpec | None = None, *, probe=None,
                 meta: dict | None = None, total_steps: int | None = None,
                 storage: Storage | None = None, overwrite: bool = False):
        self.model = model
        self.module = unwrap(model)
        self.path = Path(out)
        self.spec = spec or RecordSpec()
        self.spec.plan(total_steps)
        self.rank = process_rank()
        self.probe = _prepare_probe(probe, self.spec.probe_size)
        self.layers = select_layers(self.module, self.spec.activations) if self.probe else []
        self.attention = attention_sources(self.module) if self.probe and self.spec.attention else []
        self.extra_meta = meta or {}
        # spec.dtype is applied before the writer (for_storage): the writer stores what it gets
        self.storage = dataclasses.replace(storage or Storage(), float_dtype="keep")
        self.overwrite = overwrite
        self._probe_on_device = None
        self.writer: RunWriter | None = None
        self.recorded_steps: list[int] = []
        self.stopped = False
        self.graph: list[dict] | None = None
        self._forward_trace = None
        self._trace = None
        self._notes: dict[str, str] = {}
        self._warned: set[str] = set()
        self._had_grads = False
        self._persistent = set(self.module.state_dict())

    @property
    def active(self) -> bool:
        """Whether this process records (rank 0, or no ``torch.distributed``)."""
        return self.rank == 0

    # -- context manager ----------------------------------------------------------------
    def __enter__(self) -> "Recorder":
        if self.module in _RECORDING:
            raise RuntimeError("this model is already being recorded; nested recording is refused")
        _RECORDING.add(self.module)
        try:
            if self.active:
                self.writer = RunWriter(self.path, self._meta(), storage=self.storage, overwrite=self.overwrite)
                if self.probe:
                    stored = for_storage(dict(zip(("inputs", "labels"), self.probe)), "keep", self._notes)
                    self.writer.write_probe(stored["inputs"].numpy(), stored["labels"].numpy())
                    self._write_notes()
                self._start_forward_trace()
        except BaseException:
            _RECORDING.discard(self.module)
            raise
        return self

    def __exit__(self, exc_type, exc, tb):
        _RECORDING.discard(self.module)
        self._stop_forward_trace()
        if self.writer is None:
            return False
        try:
            status = self.writer.meta.get("status", "running")
            if status == "running":
                status = "complete" if exc_type is None else \
                    "interrupted" if issubclass(exc_type, KeyboardInterrupt) else "failed"
            self.writer.write_meta(status=status, recorded_steps=len(self.recorded_steps))
        finally:
            self.writer.close()
        return False

    @property
    def run(self) -> Run | None:
        """The run written so far, opened for reading (``None`` on ranks other than 0).

        It rebuilds models from the live model's structure: ``rec.run.model(step)``
        works for any model, not only the zoo's.
        """
        if not self.active:
            return None
        if self.writer is not None:
            self.writer.flush()
        return Run.open(self.path, model=self.module)

    # -- recording ----------------------------------------------------------------------
    def due(self, step: int, *, epoch_start: bool = False) -> bool:
        """Whether :meth:`capture` at ``step`` would record a snapshot."""
        stopped = self.stopped or (self.writer is not None and self.writer.stopped)
        return self.active and not stopped and self.spec.due(step, epoch_start=epoch_start)

    def capture(self, step: int, *, epoch: int | None = None, epoch_start: bool = False) -> bool:
        """Record a snapshot of ``step`` if it is due; returns whether one was written."""
        if not self.active:
            return False
        if self.writer is None:
            raise RuntimeError("use the Recorder as a context manager: `with Recorder(...) as rec:`")
        if not self.due(step, epoch_start=epoch_start):
            return False
        tensors = self._state_tensors()
        tensors.update(self._probe_tensors())
        if self.graph is None:
            self._record_graph(None)
        self._check_recorded(step, tensors)
        tensors = for_storage(tensors, self.spec.dtype, self._notes)
        self._write_notes()
        if self._over_budget(tensors):
            return False
        # the writer copies the tensors before returning (from a GPU: asynchronously into
        # pinned memory, ordered by a CUDA event): the caller may step the optimizer now
        if not self.writer.write_snapshot(step, tensors, {"step": step, "epoch": epoch}):
            return False
        self.recorded_steps.append(step)
        return True

    def log(self, step: int, **metrics) -> None:
        """Append a metrics record ``{"step": step, **metrics}`` to ``metrics.jsonl``."""
        if self.active:
            self.writer.log({"step": int(step), **metrics})

    def finish(self, **meta) -> None:
        """Store final information (status, final metrics...) in ``run.json``."""
        if self.active:
            self.writer.write_meta(**meta)

    def _state_tensors(self) -> dict[str, torch.Tensor]:
        tensors = {}
        for name, param in self.module.named_parameters():
            if self.spec.weights:
                tensors[f"weight/{name}"] = param.detach()
            if self.spec.grads and param.grad is not None:
                tensors[f"grad/{name}"] = param.grad.detach()
        if self.spec.weights:
            for name, buffer in self.module.named_buffers():
                if name in self._persistent:  # a non-persistent buffer is rebuilt, never loaded
                    tensors[f"buffer/{name}"] = buffer.detach()
        return tensors

    def _probe_tensors(self) -> dict[str, torch.Tensor]:
        first = self.graph is None
        if not self.probe or not (self.layers or self.attention or first):
            return {}
        self._stop_forward_trace()
        inputs = self._probe_input(device_of(self.module))
        result = probe_forward(self.module, inputs, self.layers, self.attention, trace=first,
                               watch_sdpa=first and self.spec.attention)
        if first:
            self._record_graph(result.trace, "probe")
            self._check_probe(result)
            found = {split_activation_key(k.partition("/")[2])[0] for k in result.tensors if k.startswith("attn/")}
            self.writer.write_meta(attention_layers=[s.name for s in self.attention if s.name in found])
        return result.tensors

    # -- the layer graph ------------------------------------------------------------------
    def _start_forward_trace(self) -> None:
        """Without a probe, learn the execution order from the first training forward."""
        if self.probe or is_compiled(self.model):
            return
        self._forward_trace = trace_calls(self.module)
        self._trace = self._forward_trace.__enter__()

    def _stop_forward_trace(self) -> None:
        if self._forward_trace is not None:
            self._forward_trace.__exit__(None, None, None)
            self._forward_trace = None

    def _record_graph(self, trace, source: str = "forward") -> None:
        self._stop_forward_trace()
        graph = graph_json(self.module, trace if trace is not None else self._trace, source)
        self.graph = graph["modules"]
        if graph["source"] == "registration":
            self._warn_once("graph", "no forward pass was observed (no probe batch, or a compiled model), so "
                            "run.json lists the modules in registration order, not execution order; pass "
                            "probe=(inputs, labels) to record the order in which forward uses them")
        order = {entry["name"]: k for k, entry in enumerate(self.graph)}
        layers = sorted(self.layers, key=lambda n: order.get(n, len(order)))
        self.writer.write_meta(graph=graph, layers=layers)

    # -- no silent loss -------------------------------------------------------------------
    def _check_probe(self, result) -> None:
        if self.spec.activations is True and not self.layers and self.probe:
            self._warn_once("functional", f"{type(self.module).__name__} has no submodules: its forward is "
                            "functional (F.relu, torch.matmul...), so there is no module output to record as "
                            "an activation; wrap the steps you want to see in nn.Modules (nn.Linear, nn.ReLU)")
        seen = {split_activation_key(k.partition("/")[2])[0] for k in result.tensors if k.startswith("act/")}
        calls = result.trace.calls if result.trace is not None else {}
        silent = [n for n in self.layers if n not in seen and calls.get(n)]
        unused = [n for n in self.layers if n not in seen and n not in silent]
        if unused and self.spec.activations is not True:
            self._warn_once("unused", f"modules {', '.join(unused)} never ran in the probe forward: no "
                            "activations are recorded for them")
        if silent:
            self._warn_once("silent", f"modules {', '.join(silent)} returned no tensor: nothing is recorded "
                            "for them")
        if self.spec.attention:
            advice = attention_advice(self.module, self.attention, result.attention, result.sdpa_calls)
            if advice:
                self._warn_once("attention", f"RecordSpec(attention=True): {advice}")

    def _check_recorded(self, step: int, tensors: dict) -> None:
        grads = any(k.startswith("grad/") for k in tensors)
        self._had_grads = self._had_grads or grads
        needs_grads = any(p.requires_grad for p in self.module.parameters())
        if self.spec.grads and needs_grads and not self._had_grads:
            self._warn_once("grads", f"capture at step {step} found no gradients (every .grad is None): call "
                            "rec.capture(step) after loss.backward() and before optimizer.zero_grad()")
        if not tensors:
            self._warn_once("empty", f"capture at step {step} recorded nothing: the model has no parameters "
                            "and no probe activations were recorded (pass probe=(inputs, labels))")

    def _warn_once(self, topic: str, message: str) -> None:
        if topic not in self._warned:
            self._warned.add(topic)
            warnings.warn(f"vizdl: {message}", RuntimeWarning, stacklevel=4)

    def _write_notes(self) -> None:
        if self._notes and self.writer.meta.get("record", {}).get("converted") != self._notes:
            self.writer.write_meta(record={**self.writer.meta.get("record", {}), "converted": dict(self._notes)})

    def _probe_input(self, device: torch.device) -> torch.Tensor:
        """The probe inputs on ``device``, copied there once (not at every capture)."""
        cached = self._probe_on_device
        if cached is None or cached.device != device:
            cached = self._probe_on_device = self.probe[0].to(device)
        return cached

    def _over_budget(self, tensors: dict[str, torch.Tensor]) -> bool:
        budget = self.spec.max_bytes
        if budget is None:
            return False
        size = self.writer.snapshot_bytes(tensors)
        if self.writer.bytes_written + size <= budget:
            return False
        self.stopped = True
        warnings.warn(f"vizdl: recording budget of {budget} bytes reached after "
                      f"{len(self.recorded_steps)} snapshots; recording stops, training goes on",
                      RuntimeWarning, stacklevel=3)
        self.writer.write_meta(budget_reached=True)
        return True

    def _meta(self) -> dict:
        spec = getattr(self.module, "vizdl_spec", None) or getattr(self.model, "vizdl_spec", None)
        extra = dict(self.extra_meta)
        cls = type(self.module)
        model = {"name": spec["name"], "config": spec["config"]} if spec else \
            {"name": None, "class": cls.__name__, "module": cls.__module__}
        if wrappers(self.model):
            model["wrappers"] = wrappers(self.model)
        summary = extra.pop("summary", None)
        if summary is not None:
            model["summary"] = summary
        return {
            "model": model,
            "parameters": [n for n, _ in self.module.named_parameters()],
            "layers": self.layers,
            "attention_layers": sorted({s.name for s in self.attention}),
            "record": self.spec.to_dict(),
            "versions": _versions(),
            "status": "running",
            **extra,
        }


def _prepare_probe(probe, size: int):
    if probe is None:
        return None
    inputs, labels = probe
    inputs = torch.as_tensor(inputs)[:size].detach().cpu()
    labels = torch.as_tensor(labels)[:size].detach().cpu()
    return inputs.contiguous(), labels.contiguous()


def _versions() -> dict:
    import vizdl

    return {"vizdl": getattr(vizdl, "__version__", "0"), "torch": torch.__version__,
            "numpy": np.__version__, "python": platform.python_version()}
