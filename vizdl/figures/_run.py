"""Helpers that turn a :class:`vizdl.Run` (or a path) into the arrays the figures draw."""
from __future__ import annotations

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
    """Raise ValueError unless ``run`` recorded a chain of ``nn.Linear`` + activations."""
    from vizdl.ops.layers import mlp_chain

    mlp_chain(run)


def per_step(run, kind: str, steps=None) -> tuple:
    """``(steps, [dict of arrays per step])`` of ``kind`` in {"weight", "grad"}."""
    steps = list(run.steps) if steps is None else [run.require_step(s) for s in steps]
    reader = run.weights if kind == "weight" else run.grads
    arrays = [reader(s) for s in steps]
    keep = [k for k, a in enumerate(arrays) if a]  # e.g. the final snapshot holds no grads
    return np.asarray(steps)[keep], [arrays[k] for k in keep]


def grouped_per_step(run, kind: str, steps=None) -> tuple:
    """``(steps, groups, snapshots)``: every recorded parameter of ``kind`` grouped per module.

    ``groups`` is ``[(module, [parameter names])]`` in execution order (from the first
    step that has ``kind``); ``snapshots[t]`` is the dict of arrays of ``steps[t]``.
    """
    steps, snaps = per_step(run, kind, steps)
    if not len(steps):
        raise ValueError(f"run {run.path}: no recorded {'gradients' if kind == 'grad' else 'weights'}; "
                         f"train with RecordSpec({'grads' if kind == 'grad' else 'weights'}=True)")
    return steps, run.parameter_groups(snaps[0]), snaps


def grad_norms(run, steps=None) -> tuple:
    """``(steps, modules, norms)``: L2 norm of all gradients of each module's parameters, ``norms[t, layer]``.

    Modules come in execution order; each norm covers every parameter of the module
    (weight, bias, recurrent and ``in_proj`` weights...).
    """
    steps, groups, grads = grouped_per_step(run, "grad", steps)
    norms = np.array([[np.sqrt(sum(float(np.sum(np.square(g[n], dtype=np.float64))) for n in names))
                       for _, names in groups] for g in grads])
    return steps, [module for module, _ in groups], norms


def module_of(param: str) -> str:
    """``"net.1.weight"`` -> ``"net.1"``."""
    return param.rsplit(".", 1)[0]


def grid_figure(count: int, *, ncols: int | None = None, aspect: float = 1.0, max_cols: int | None = None) -> tuple:
    """``(figure, axes)`` for ``count`` panels wrapped into rows of at most ``max_cols`` (``ncols`` if given).

    The width is the style's; the height follows from the rows and each panel's
    ``aspect`` (height / width), so a grid fits a slide's width whatever the count.
    ``max_cols`` defaults to 4 on a wide figure (slides) and 2 on a narrow one (paper).
    Unused panels are removed; ``axes`` lists the ``count`` used ones.
    """
    from matplotlib import rcParams

    if count < 1:
        raise ValueError(f"count must be >= 1, got {count}")
    width = rcParams["figure.figsize"][0]
    max_cols = max_cols or (4 if width >= 9 else 2)
    ncols = ncols or min(count, max_cols)
    nrows = -(-count // ncols)
    fig = new_figure((width, width / ncols * aspect * nrows + 0.6))
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False).ravel())
    for ax in axes[count:]:
        ax.remove()
    return fig, list(axes[:count])
