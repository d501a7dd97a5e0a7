"""Gradient flow and weight/gradient histograms per layer over training."""
from __future__ import annotations

import numpy as np

from vizdl.figures._run import as_run, grad_norms, grouped_per_step, new_axes, new_figure
from vizdl.runs.graph import ROOT_LABEL


def gradient_flow(run, *, ax=None, steps=None):
    """Per-layer gradient norms ``||dl/dtheta_i||`` over training, log scale.

    Layer ``i`` is the ``i``-th module with parameters in execution order (the run's
    layer graph); its norm covers all of its parameters (weights, biases, recurrent and
    attention projections). Vanishing gradients show as the first layers' curves far
    below the last ones'; exploding ones as curves shooting up.

    Returns
    -------
    Axes
    """
    run = as_run(run)
    steps, names, norms = grad_norms(run, steps)
    ax = new_axes(ax, (7, 4.5))
    colors = [f"C{k}" for k in range(len(names))]
    for k, name in enumerate(names):
        ax.plot(steps, np.maximum(norms[:, k], 1e-30), "o-", ms=3, color=colors[k % 10],
                label=f"layer {k + 1} ({name or ROOT_LABEL})", gid=f"norm-{name}")
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel(r"$\|\partial l / \partial \theta_i\|$")
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
    """Histograms of each layer's parameters (or gradients) over training, as heat maps.

    One panel per module with parameters, in execution order; a panel pools all of the
    module's parameters (e.g. ``weight`` and ``bias``, or an LSTM's ``weight_ih_l0``,
    ``weight_hh_l0`` and biases), listed under its title. x = step, y = value,
    colour = log count.

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
    steps, groups, snaps = grouped_per_step(run, kind, steps)
    fig = new_figure((3.6 * len(groups) + 1, 3.8))
    axes = np.atleast_1d(fig.subplots(1, len(groups)))
    for ax, (module, names) in zip(axes, groups):
        pooled = [np.concatenate([np.ravel(s[n]) for n in names]) for s in snaps]
        counts, edges = histogram_matrix(pooled, bins)
        image = ax.imshow(np.log1p(counts.T), origin="lower", aspect="auto", cmap="magma_r",
                          extent=(steps[0], steps[-1], edges[0], edges[-1]), interpolation="nearest",
                          gid=f"hist-{module}")
        ax.set_title(f"{module or ROOT_LABEL}\n{', '.join(n[len(module) + 1 if module else 0:] for n in names)}",
                     fontsize="medium")
        ax.set_xlabel("step")
    axes[0].set_ylabel("weight value" if kind == "weight" else "gradient value")
    fig.colorbar(image, ax=list(axes), label="log(1 + count)")
    return fig


__all__ = ["gradient_flow", "histogram_matrix", "weight_histograms"]
