"""The numbers of the feature-maps picture: which recorded layers have channels, and what each layer is.

Layers come in the order forward runs them (the run's layer graph, see
:mod:`vizdl.ops.layers`), never sorted by name. :func:`layer_info` describes a layer from the rebuilt model of a step
(``Conv2d 1→6, 5×5, p2``), or from the model summary's type when the model cannot be
rebuilt.

>>> describe_module(type("Conv2d", (), dict(in_channels=1, out_channels=6, kernel_size=(5, 5),
...                                         padding=(2, 2), stride=(1, 1)))())
'Conv2d 1→6, 5×5, p2'
"""
from __future__ import annotations

from dataclasses import dataclass

from vizdl.ops.layers import channel_layers

POOLS = ("MaxPool2d", "AvgPool2d")


def execution_order(run, names) -> list:
    """``names`` in the order forward runs them (the run's layer graph); unknown names keep their order, last."""
    return list(run.graph.in_execution_order(list(names)))


@dataclass(frozen=True)
class LayerInfo:
    """What one layer is: its module type and a short description (``""`` when unknown)."""

    type: str
    description: str
    kernel: int | None = None
    in_channels: int | None = None
    out_channels: int | None = None


def _pair(value) -> tuple:
    return tuple(value) if isinstance(value, (tuple, list)) else (value, value)


def describe_module(module) -> str:
    """``Conv2d 1→6, 5×5, p2``, ``MaxPool2d 2×2``, ``ReLU``: a layer as the notes write it."""
    kind = type(module).__name__
    if kind == "Conv2d":
        k, pad, stride = _pair(module.kernel_size), _pair(module.padding), _pair(module.stride)
        parts = [f"{kind} {module.in_channels}\u2192{module.out_channels}", f"{k[0]}\u00d7{k[1]}"]
        parts += [f"p{pad[0]}"] if any(pad) else []
        parts += [f"s{stride[0]}"] if stride[0] != 1 else []
        return ", ".join(parts)
    if kind in POOLS:
        k = _pair(module.kernel_size)
        return f"{kind} {k[0]}\u00d7{k[1]}"
    return kind


def layer_info(run, step: int, names) -> dict:
    """``{name: LayerInfo}`` from the rebuilt model of ``step`` (or the summary's types)."""
    from vizdl.ops.prediction import can_rebuild

    types = summary_types(run)
    modules = {}
    if can_rebuild(run):
        modules = dict(run.model(step).named_modules())
    infos = {}
    for name in names:
        module = modules.get(name)
        if module is None:
            infos[name] = LayerInfo(types.get(name, ""), types.get(name, ""))
            continue
        kernel = _pair(getattr(module, "kernel_size", None))[0] if hasattr(module, "kernel_size") else None
        infos[name] = LayerInfo(type(module).__name__, describe_module(module), kernel,
                                getattr(module, "in_channels", None), getattr(module, "out_channels", None))
    return infos


def summary_types(run) -> dict:
    """``{module name: type name}`` from the run's layer graph (or its model summary for older runs)."""
    rows = (run.meta.get("model") or {}).get("summary") or {}
    kinds = {row["name"]: row.get("type", "") for row in rows.get("rows", [])} if isinstance(rows, dict) else {}
    return {**kinds, **{m.name: m.type for m in run.modules if m.type}}


__all__ = ["LayerInfo", "channel_layers", "describe_module", "execution_order", "layer_info", "summary_types"]
