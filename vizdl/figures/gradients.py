"""Gradient flow and weight/gradient histograms per layer over training."""
from __future__ import annotations

import numpy as np

from vizdl.figures._run import as_run, grad_norms, grouped_per_step, new_axes, new_figure
from vizdl.runs.graph import ROOT_LABEL

HISTOGRAM_COLUMNS = 4


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
    ax = new_axes(ax, (7, 4.5) if len(names) <= 6 else (9, 4.5))
    for k, (name, color) in enumerate(zip(names, layer_colors(len(names)))):
        ax.plot(steps, np.maximum(norms[:, k], 1e-30), "o-", ms=3, color=color,
                label=f"layer {k + 1} ({name or ROOT_LABEL})", gid=f"norm-{name}")
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel(r"$\|\partial l / \partial \theta_i\|$")
    ax.set_title("gradient flow")
    if len(names) <= 6:
        ax.legend(frameon=False, fontsize=9)
    else:  # many layers: beside the axes, not over the curves
        ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return ax


def layer_colors(count: int) -> list:
    """One colour per layer: the qualitative cycle up to 10 layers, else viridis from input to output."""
    if count <= 10:
        return [f"C{k}" for k in range(count)]
    from matplotlib import colormaps

    return [colormaps["viridis"](k / (count - 1)) for k in range(count)]


def histogram_matrix(arrays, bins: int = 40, lim: float | None = None) -> tuple:
    """``(counts (steps, bins), edges)`` of each array's values on shared symmetric bins."""
    lim = max(float(np.max(np.abs(a))) for a in arrays) if lim is None else lim
    lim = lim if lim > 0 else 1.0
    edges = np.linspace(-lim, lim, bins + 1)
    return np.array([np.histogram(np.ravel(a), edges)[0] for a in arrays]), edges


def weight_histograms(run, *, kind: str = "weight", steps=None, bins: int = 40):
    """Histograms of each layer's parameters (or gradients) over training, as heat maps.

    One panel per module with parameters, in execution order (rows of
    :data:`HISTOGRAM_COLUMNS`); a panel pools all of the module's parameters (e.g.
    ``weight`` and ``bias``, or an LSTM's ``weight_ih_l0``, ``weight_hh_l0`` and biases),
    listed under its title. x = step, y = value, colour = log count on one scale shared
    by every panel (the colour bar).

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
    hists = [histogram_matrix([np.concatenate([np.ravel(s[n]) for n in names]) for s in snaps], bins)
             for _, names in groups]
    top = max(float(np.log1p(counts).max()) for counts, _ in hists) or 1.0  # one colour scale for all panels
    ncols = min(len(groups), HISTOGRAM_COLUMNS)
    nrows = -(-len(groups) // ncols)
    fig = new_figure((3.6 * ncols + 1, 3.3 * nrows + 0.5))
    axes = list(np.atleast_1d(fig.subplots(nrows, ncols)).ravel())
    for ax in axes[len(groups):]:
        ax.remove()
    for k, (ax, (module, names), (counts, edges)) in enumerate(zip(axes, groups, hists)):
        image = ax.imshow(np.log1p(counts.T), origin="lower", aspect="auto", cmap="magma_r", vmin=0, vmax=top,
                          extent=(steps[0], steps[-1], edges[0], edges[-1]), interpolation="nearest",
                          gid=f"hist-{module}")
        ax.set_title(f"{module or ROOT_LABEL}\n{', '.join(n[len(module) + 1 if module else 0:] for n in names)}",
                     fontsize="medium")
        ax.set_xlabel("step")
        if k % ncols == 0:
            ax.set_ylabel("weight value" if kind == "weight" else "gradient value")
    fig.colorbar(image, ax=axes[:len(groups)], label="log(1 + count)")
    return fig


__all__ = ["HISTOGRAM_COLUMNS", "gradient_flow", "histogram_matrix", "layer_colors", "weight_histograms"]
