"""Gradient flow and weight/gradient histograms per layer over training."""
from __future__ import annotations

import numpy as np

from vizdl.figures._run import as_run, grad_norms, module_of, new_axes, new_figure, per_step, weight_names


def gradient_flow(run, *, ax=None, steps=None):
    """Per-layer gradient norms ``||dl/dA_i||`` over training, log scale.

    Vanishing gradients show as the first layers' curves far below the last ones';
    exploding ones as curves shooting up.

    Returns
    -------
    Axes
    """
    run = as_run(run)
    steps, names, norms = grad_norms(run, steps)
    ax = new_axes(ax, (7, 4.5))
    colors = [f"C{k}" for k in range(len(names))]
    for k, name in enumerate(names):
        ax.plot(steps, np.maximum(norms[:, k], 1e-30), "o-", ms=3, color=colors[k],
                label=f"layer {k + 1} ({module_of(name)})", gid=f"norm-{name}")
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel(r"$\|\partial l / \partial A_i\|$")
    ax.set_title("gradient flow")
    ax.legend(frameon=False, fontsize=9)
    return ax


def histogram_matrix(arrays, bins: int = 40, lim: float | None = None) -> tuple:
    """``(counts (steps, bins), edges)`` of each array's values on shared symmetric bins."""
    lim = max(float(np.max(np.abs(a))) for a in arrays) if lim is None else lim
    lim = lim if lim > 0 else 1.0
    edges = np.linspace(-lim, lim, bins + 1)
    return np.array([np.histogram(np.ravel(a), edges)[0] for a in arrays]), edges


def weight_histograms(run, *, kind: str = "weight", steps=None, bins: int = 40):
    """Histograms of each layer's weights (or gradients) over training, as heat maps.

    One panel per layer: x = step, y = value, colour = log count.

    Parameters
    ----------
    kind : {"weight", "grad"}

    Returns
    -------
    Figure
    """
    if kind not in ("weight", "grad"):
        raise ValueError(f"kind must be 'weight' or 'grad', got {kind!r}")
    run = as_run(run)
    steps, snaps = per_step(run, kind, steps)
    names = weight_names(run, steps[0], kind)
    fig = new_figure((3.6 * len(names) + 1, 3.8))
    axes = np.atleast_1d(fig.subplots(1, len(names)))
    for ax, name in zip(axes, names):
        counts, edges = histogram_matrix([s[name] for s in snaps], bins)
        image = ax.imshow(np.log1p(counts.T), origin="lower", aspect="auto", cmap="magma_r",
                          extent=(steps[0], steps[-1], edges[0], edges[-1]), interpolation="nearest",
                          gid=f"hist-{name}")
        ax.set_title(name)
        ax.set_xlabel("step")
    axes[0].set_ylabel("weight value" if kind == "weight" else "gradient value")
    fig.colorbar(image, ax=list(axes), label="log(1 + count)")
    return fig


__all__ = ["gradient_flow", "histogram_matrix", "weight_histograms"]
