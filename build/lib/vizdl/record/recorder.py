"""The :class:`Recorder`: snapshots of a model during training, written to a run directory."""
from __future__ import annotations

import platform
import warnings
from pathlib import Path

import numpy as np
import torch
from torch import nn

from vizdl.record.hooks import attention_names, capture_outputs, select_layers
from vizdl.record.spec import RecordSpec
from vizdl.record.state import eval_mode
from vizdl.runs import Run, RunWriter


class Recorder:
    """Record weights, gradients, activations and attention maps of ``model`` into ``out``.

    Use it as a context manager inside any training loop: call :meth:`capture` after
    ``loss.backward()`` and before ``optimizer.step()``, and :meth:`log` for metrics::

        with Recorder(model, "runs/mine", RecordSpec(every=50), probe=(x_val, y_val)) as rec:
            for step, (x, y) in enumerate(batches):
                loss = loss_fn(model(x), y)
                optimizer.zero_grad(); loss.backward()
                rec.capture(step)
                optimizer.step()
                rec.log(step, loss=loss.item())
        run = rec.run

    Parameters
    ----------
    model : nn.Module
        The model; models from :mod:`vizdl.models` carry ``vizdl_spec`` so the run can
        rebuild them.
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
    """

    def __init__(self, model: nn.Module, out, spec: RecordSpec | None = None, *, probe=None,
                 meta: dict | None = None, total_steps: int | None = None):
        self.model = model
        self.path = Path(out)
        self.spec = spec or RecordSpec()
        self.spec.plan(total_steps)
        self.probe = _prepare_probe(probe, self.spec.probe_size)
        self.layers = select_layers(model, self.spec.activations) if self.probe else []
        self.attention = attention_names(model) if self.probe and self.spec.attention else {}
        self.extra_meta = meta or {}
        self.writer: RunWriter | None = None
        self.recorded_steps: list[int] = []
        self.stopped = False

    # -- context manager ----------------------------------------------------------------
    def __enter__(self) -> "Recorder":
        if getattr(self.model, "_vizdl_recorder", None) is not None:
            raise RuntimeError("this model is already being recorded; nested recording is refused")
        self.model._vizdl_recorder = self
        try:
            self.writer = RunWriter(self.path, self._meta())
            if self.probe:
                self.writer.write_probe(*(t.numpy() for t in self.probe))
        except BaseException:
            self.model._vizdl_recorder = None
            raise
        return self

    def __exit__(self, exc_type, exc, tb):
        self.model._vizdl_recorder = None
        try:
            status = self.writer.meta.get("status", "running")
            if status == "running":
                status = "complete" if exc_type is None else "failed"
            self.writer.write_meta(status=status, recorded_steps=len(self.recorded_steps))
        finally:
            self.writer.close()
        return False

    @property
    def run(self) -> Run:
        """The run written so far, opened for reading."""
        if self.writer is not None:
            self.writer.flush()
        return Run.open(self.path)

    # -- recording ----------------------------------------------------------------------
    def due(self, step: int, *, epoch_start: bool = False) -> bool:
        """Whether :meth:`capture` at ``step`` would record a snapshot."""
        return not self.stopped and self.spec.due(step, epoch_start=epoch_start)

    def capture(self, step: int, *, epoch: int | None = None, epoch_start: bool = False) -> bool:
        """Record a snapshot of ``step`` if it is due; returns whether one was written."""
        if self.writer is None:
            raise RuntimeError("use the Recorder as a context manager: `with Recorder(...) as rec:`")
        if not self.due(step, epoch_start=epoch_start):
            return False
        tensors = self._state_tensors()
        tensors.update(self._probe_tensors())
        arrays = {name: _to_numpy(t, self.spec.dtype) for name, t in tensors.items()}
        if self._over_budget(arrays):
            return False
        self.writer.write_snapshot(step, arrays, {"step": step, "epoch": epoch})
        self.recorded_steps.append(step)
        return True

    def log(self, step: int, **metrics) -> None:
        """Append a metrics record ``{"step": step, **metrics}`` to ``metrics.jsonl``."""
        self.writer.log({"step": int(step), **metrics})

    def finish(self, **meta) -> None:
        """Store final information (status, final metrics...) in ``run.json``."""
        self.writer.write_meta(**meta)

    def _state_tensors(self) -> dict[str, torch.Tensor]:
        tensors = {}
        for name, param in self.model.named_parameters():
            if self.spec.weights:
                tensors[f"weight/{name}"] = param.detach()
            if self.spec.grads and param.grad is not None:
                tensors[f"grad/{name}"] = param.grad.detach()
        if self.spec.weights:
            for name, buffer in self.model.named_buffers():
                tensors[f"buffer/{name}"] = buffer.detach()
        return tensors

    def _probe_tensors(self) -> dict[str, torch.Tensor]:
        if not self.probe or not (self.layers or self.attention):
            return {}
        names = self.layers + list(self.attention)
        device = next(self.model.parameters()).device
        with eval_mode(self.model), torch.no_grad(), capture_outputs(self.model, names) as outputs:
            self.model(self.probe[0].to(device))
        tensors = {f"act/{name}": outputs[name] for name in self.layers if name in outputs}
        tensors.update({f"attn/{parent}": outputs[name] for name, parent in self.attention.items()
                        if name in outputs})
        return tensors

    def _over_budget(self, arrays: dict[str, np.ndarray]) -> bool:
        size = sum(a.nbytes for a in arrays.values())
        budget = self.spec.max_bytes
        if budget is None or self.writer.bytes_written + size <= budget:
            return False
        self.stopped = True
        warnings.warn(f"vizdl: recording budget of {budget} bytes reached after "
                      f"{len(self.recorded_steps)} snapshots; recording stops, training goes on",
                      RuntimeWarning, stacklevel=3)
        self.writer.write_meta(budget_reached=True)
        return True

    def _meta(self) -> dict:
        spec = getattr(self.model, "vizdl_spec", None)
        extra = dict(self.extra_meta)
        model = {"name": spec["name"], "config": spec["config"]} if spec else \
            {"name": None, "class": type(self.model).__name__}
        summary = extra.pop("summary", None)
        if summary is not None:
            model["summary"] = summary
        return {
            "model": model,
            "parameters": [n for n, _ in self.model.named_parameters()],
            "layers": self.layers,
            "attention_layers": sorted(set(self.attention.values())),
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


def _to_numpy(tensor: torch.Tensor, dtype: str) -> np.ndarray:
    tensor = tensor.detach().to("cpu")
    if tensor.is_floating_point():
        tensor = tensor.to(torch.float16 if dtype == "float16" else torch.float32)
    return tensor.numpy().copy()


def _versions() -> dict:
    import vizdl

    return {"vizdl": getattr(vizdl, "__version__", "0"), "torch": torch.__version__,
            "numpy": np.__version__, "python": platform.python_version()}
