"""Helpers that turn a :class:`vizdl.Run` (or a path) into the arrays the figures draw."""
from __future__ import annotations

import re

import numpy as np


def as_run(run):
    """``run`` itself, or ``Run.open(run)`` for a path."""
    from vizdl.runs import Run

    return run if isinstance(run, Run) else Run.open(run)


def new_axes(ax, figsize=None):
    """``ax`` or a fresh Axes on a new figure (no pyplot state kept).

    The figure takes the active style's size unless ``figsize`` is given (give it only
    when the picture's shape, not its size, demands it).
    """
    if ax is not None:
        return ax
    return new_figure(figsize).add_subplot()


def new_figure(figsize=None):
    """A fresh constrained-layout Figure of the style's size (or ``figsize``), not registered with pyplot."""
    from matplotlib.figure import Figure

    return Figure(figsize=figsize, layout="constrained")


def require_mlp(run) -> None:
    """Raise ValueError unless ``run`` recorded one of vizdl's MLP models."""
    from vizdl.ops.network import MLP_MODELS

    if run.model_name not in MLP_MODELS:
        raise ValueError(f"run {run.path}: model {run.model_name!r} is not an MLP; this picture needs "
                         f"one of {MLP_MODELS} (e.g. vizdl.models.build('mlp', ...))")


def _natural_key(name: str):
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name)]


def weight_names(run, step=None, kind: str = "weight") -> list:
    """Names of the recorded ``<module>.weight`` parameters with >= 2 dimensions, in order."""
    arrays = run.weights(step) if kind == "weight" else run.grads(step)
    return sorted((k for k, v in arrays.items() if k.endswith(".weight") and np.ndim(v) >= 2), key=_natural_key)


def per_step(run, kind: str, steps=None) -> tuple:
    """``(steps, [dict of arrays per step])`` of ``kind`` in {"weight", "grad"}."""
    steps = list(run.steps) if steps is None else [run.require_step(s) for s in steps]
    reader = run.weights if kind == "weight" else run.grads
    arrays = [reader(s) for s in steps]
    keep = [k for k, a in enumerate(arrays) if a]  # e.g. the final snapshot holds no grads
    return np.asarray(steps)[keep], [arrays[k] for k in keep]


def grad_norms(run, steps=None) -> tuple:
    """``(steps, names, norms)``: L2 norm of each weight matrix's gradient, ``norms[t, layer]``."""
    steps, grads = per_step(run, "grad", steps)
    keep = [k for k, g in enumerate(grads) if g]  # the final snapshot has weights only
    steps, grads = steps[keep], [grads[k] for k in keep]
    names = weight_names(run, steps[0], "grad") if len(steps) else []
    if not names:
        raise ValueError(f"run {run.path}: no recorded weight gradients; train with RecordSpec(grads=True)")
    return steps, names, np.array([[np.linalg.norm(g[n]) for n in names] for g in grads])


def module_of(param: str) -> str:
    """``"net.1.weight"`` -> ``"net.1"``."""
    return param.rsplit(".", 1)[0]
