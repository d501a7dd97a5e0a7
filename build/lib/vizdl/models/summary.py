"""``summary(model, input_shape)``: a Keras-like table of layers, output shapes and parameters."""
from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import nn

from vizdl.record.state import eval_mode


@dataclass
class Row:
    """One line of the table: qualified name, class name, per-sample output shape, parameters.

    ``output_shape`` is None for a row of parameters owned by a parent module, and for a
    module that the forward pass never called.
    """

    name: str
    type: str
    output_shape: tuple | None
    params: int


@dataclass
class Summary:
    """The layers of a model seen on a dummy batch, with parameter counts.

    ``rows`` lists the leaf modules in call order, plus one row per parent module that owns
    parameters directly (e.g. a transformer's ``pos``); ``output_shape`` excludes the batch.
    """

    name: str
    input_shape: tuple
    rows: list[Row] = field(default_factory=list)
    total_params: int = 0
    trainable_params: int = 0

    @property
    def non_trainable_params(self) -> int:
        """Parameters with ``requires_grad=False`` (buffers are never counted)."""
        return self.total_params - self.trainable_params

    def to_dict(self) -> dict:
        """The summary as JSON-serialisable data."""
        return {"name": self.name, "input_shape": list(self.input_shape),
                "rows": [{"name": r.name, "type": r.type, "params": r.params,
                          "output_shape": None if r.output_shape is None else list(r.output_shape)}
                         for r in self.rows],
                "total_params": self.total_params, "trainable_params": self.trainable_params,
                "non_trainable_params": self.non_trainable_params}

    def __str__(self) -> str:
        cells = [(f"{r.name} ({r.type})", _shape_text(r.output_shape), f"{r.params:,}") for r in self.rows]
        header = ("Layer (type)", "Output Shape", "Param #")
        widths = [max(len(c[i]) for c in [header, *cells]) + 3 for i in range(3)]
        line = lambda c: "".join(text.ljust(w) for text, w in zip(c, widths)).rstrip()  # noqa: E731
        rule = "=" * (sum(widths) - 3)
        return "\n".join([f'Model: "{self.name}"', rule, line(header), rule, *map(line, cells), rule,
                          f"Total params: {self.total_params:,}",
                          f"Trainable params: {self.trainable_params:,}",
                          f"Non-trainable params: {self.non_trainable_params:,}"])


def _shape_text(shape) -> str:
    return "-" if shape is None else "(" + ", ".join(["None", *map(str, shape)]) + ")"


def summary(model: nn.Module, input_shape, *, device="cpu", batch_size: int = 2) -> Summary:
    """Run a dummy batch ``(batch_size, *input_shape)`` through ``model`` and tabulate its layers.

    Parameters
    ----------
    model : nn.Module
        Any module; the model is put in eval mode for the pass and restored after.
    input_shape : tuple
        Shape of one sample. Token models (with an ``nn.Embedding``) get int64 zeros,
        others float32 zeros.
    device : str or torch.device
        Where the dummy batch is created (the model must already be there).
    batch_size : int
        Samples in the dummy batch.

    Returns
    -------
    Summary
        Rows in call order. Parameters owned directly by a parent module (a position
        embedding, a CLS token) get a row named after them, with no output shape.

    Raises
    ------
    ValueError
        When the model cannot take samples of ``input_shape``; the message names both the
        shape the model expects (from ``vizdl_spec`` when present) and ``input_shape``.
    """
    shape = tuple(int(s) for s in input_shape)
    _check_expected(model, shape)
    leaves = {n: m for n, m in model.named_modules() if not list(m.children())}
    owners = {n: m for n, m in model.named_modules()
              if n not in leaves and any(True for _ in m.parameters(recurse=False))}
    dtype = torch.long if any(isinstance(m, nn.Embedding) for m in model.modules()) else torch.float32
    order, outputs, handles = [], {}, []
    try:
        for name, module in owners.items():
            handles.append(module.register_forward_pre_hook(_on_entry(name, order)))
        for name, module in leaves.items():
            handles.append(module.register_forward_hook(_on_exit(name, order, outputs)))
        with eval_mode(model), torch.no_grad():
            model(torch.zeros(batch_size, *shape, dtype=dtype, device=device))
    except RuntimeError as error:
        raise ValueError(f"model cannot take samples of input_shape={shape}: {error}") from error
    finally:
        for handle in handles:
            handle.remove()
    return _tabulate(model, shape, leaves, owners, order, outputs)


def _on_entry(name, order):
    def hook(module, args):
        if name not in order:
            order.append(name)
    return hook


def _on_exit(name, order, outputs):
    def hook(module, args, output):
        if name not in outputs:
            order.append(name)
        first = output[0] if isinstance(output, (tuple, list)) else output
        outputs[name] = tuple(first.shape[1:]) if isinstance(first, torch.Tensor) else None
    return hook


def _row(name: str, module: nn.Module, is_owner: bool, outputs: dict) -> Row:
    if not is_owner:
        return Row(name, type(module).__name__, outputs.get(name), sum(p.numel() for p in module.parameters()))
    own = dict(module.named_parameters(recurse=False))
    label = ", ".join(f"{name}.{p}" if name else p for p in own)
    return Row(label, type(module).__name__, None, sum(p.numel() for p in own.values()))


def _tabulate(model, shape, leaves, owners, order, outputs) -> Summary:
    names = order + [n for n in [*owners, *leaves] if n not in order]  # never called: last
    rows = [_row(n, owners.get(n) or leaves[n], n in owners, outputs) for n in names]
    params = list(model.parameters())
    spec = getattr(model, "vizdl_spec", None) or {}
    return Summary(spec.get("name", type(model).__name__), shape, rows,
                   total_params=sum(p.numel() for p in params),
                   trainable_params=sum(p.numel() for p in params if p.requires_grad))


def _check_expected(model, shape: tuple) -> None:
    expected = ((getattr(model, "vizdl_spec", None) or {}).get("config") or {}).get("input_shape")
    if expected is not None and tuple(expected) != shape:
        raise ValueError(f"model expects input_shape={tuple(expected)} but summary got "
                         f"input_shape={shape}")
