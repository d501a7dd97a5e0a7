"""The layers of a recorded model in forward order, folded into the blocks an architecture diagram draws.

A block starts at a convolution, a pooling, a Flatten or a Linear layer and takes in the
layers that follow it without changing its kind (BatchNorm, activations, Dropout): the
notes' "Conv 3x32x32 -> 32x32x32 + BatchNorm2d + ReLU". Its shape is the output shape of
its last layer. The order is the forward order the run recorded (``run.layer_order`` when
the recorder keeps one, else the rows of ``vizdl.models.summary`` stored in run.json,
which are in call order) — never sorted by name.

>>> rows = [{"name": "c", "type": "Conv2d", "output_shape": [6, 8, 8], "params": 156},
...         {"name": "r", "type": "ReLU", "output_shape": [6, 8, 8], "params": 0},
...         {"name": "p", "type": "MaxPool2d", "output_shape": [6, 4, 4], "params": 0}]
>>> [(b.kind, b.shape, b.layers) for b in blocks_from_rows(rows, (1, 8, 8))]
[('input', (1, 8, 8), ()), ('conv', (6, 8, 8), ('Conv2d', 'ReLU')), ('pool', (6, 4, 4), ('MaxPool2d',))]
"""
from __future__ import annotations

from dataclasses import dataclass

#: Module types that start a block, by kind.
BLOCK_KINDS = {
    "conv": ("Conv1d", "Conv2d", "Conv3d", "ConvTranspose2d"),
    "pool": ("MaxPool1d", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "AdaptiveMaxPool2d"),
    "flatten": ("Flatten",),
    "dense": ("Linear",),
}
#: Activation modules (what "per-layer activations" means in the technique pictures).
ACTIVATION_TYPES = ("ReLU", "Tanh", "Sigmoid", "LeakyReLU", "ELU", "GELU", "SiLU", "Softplus")


@dataclass(frozen=True)
class Block:
    """One volume (or vector) of an architecture diagram.

    Attributes
    ----------
    kind : {"input", "conv", "pool", "flatten", "dense"}
    name : str
        Qualified name of the module that starts it (``""`` for the input).
    shape : tuple of int
        Output shape of one sample (C, H, W) or (features,).
    layers : tuple of str
        Module types folded into it, in order (``("Conv2d", "BatchNorm2d", "ReLU")``).
    params : int
        Parameters of those modules.
    """

    kind: str
    name: str
    shape: tuple
    layers: tuple
    params: int


def summary_rows(run) -> list[dict]:
    """The summary rows (name, type, output_shape, params) stored in ``run.json``, in forward order."""
    rows = ((run.meta.get("model") or {}).get("summary") or {}).get("rows") or []
    if not rows:
        raise ValueError(f"run {run.path}: run.json holds no model summary; record it with vizdl.train "
                         "or pass the model itself")
    order = list(getattr(run, "layer_order", None) or [])
    if order:  # the recorder's execution order, when it keeps one
        rank = {name: k for k, name in enumerate(order)}
        rows = sorted(rows, key=lambda r: rank.get(r["name"], len(rank)))
    return [dict(r) for r in rows]


def model_rows(model, input_shape) -> list[dict]:
    """Summary rows of a live model on a dummy batch of ``input_shape`` (``vizdl.models.summary``)."""
    from vizdl.models import summary

    return summary(model, tuple(input_shape)).to_dict()["rows"]


def forward_order(rows, types=None) -> list[str]:
    """Names of the rows (of the given module ``types``) in forward order."""
    return [r["name"] for r in rows if types is None or r["type"] in types]


def kind_of(module_type: str) -> str | None:
    """The block kind a module type starts, or None when it folds into the current block."""
    for kind, types in BLOCK_KINDS.items():
        if module_type in types:
            return kind
    return None


def blocks_from_rows(rows, input_shape) -> list[Block]:
    """Fold summary rows into blocks, starting with the input (see the module docstring)."""
    blocks = [Block("input", "", tuple(int(s) for s in input_shape), (), 0)]
    for row in rows:
        if row.get("output_shape") is None:
            continue  # parameters owned by a parent module, or a module forward never called
        kind = kind_of(row["type"])
        shape = tuple(int(s) for s in row["output_shape"])
        if kind is None and len(blocks) > 1:
            last = blocks[-1]
            blocks[-1] = Block(last.kind, last.name, shape, last.layers + (row["type"],), last.params + row["params"])
        else:
            blocks.append(Block(kind or "dense", row["name"], shape, (row["type"],), row["params"]))
    return blocks


def architecture_blocks(source, input_shape=None) -> list[Block]:
    """The blocks of a recorded run (or of a model on ``input_shape``), in forward order.

    Parameters
    ----------
    source : vizdl.Run, path or nn.Module
    input_shape : tuple, optional
        Needed for a model; a run knows its own.
    """
    if hasattr(source, "forward"):
        if input_shape is None:
            spec = (getattr(source, "vizdl_spec", None) or {}).get("config", {})
            input_shape = spec.get("input_shape")
        if input_shape is None:
            raise ValueError("input_shape: a model needs the shape of one sample, e.g. (3, 32, 32)")
        return blocks_from_rows(model_rows(source, input_shape), input_shape)
    from vizdl.ops._runs import as_run

    run = as_run(source)
    summary = (run.meta.get("model") or {}).get("summary") or {}
    shape = input_shape or summary.get("input_shape") or (run.meta.get("dataset") or {}).get("input_shape")
    return blocks_from_rows(summary_rows(run), shape)


__all__ = ["ACTIVATION_TYPES", "BLOCK_KINDS", "Block", "architecture_blocks", "blocks_from_rows", "forward_order",
           "kind_of", "model_rows", "summary_rows"]
