"""Gradient flow and weight/gradient histograms per layer over training."""
from __future__ import annotations

import numpy as np

from vizdl.figures._run import (
    as_run,
    grad_norms,
    grid_figure,
    grouped_per_step,
    new_axes,
)
from vizdl.figures.paint import theme_for
from vizdl.ops.curves import histogram_matrix
from vizdl.runs.graph import ROOT_LABEL

#: Most histogram panels in one row (slides); a narrow (paper) figure uses 2.
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
    from vizdl.views.training import run_title

    run = as_run(run)
    steps, names, norms = grad_norms(run, steps)
    ax = new_axes(ax)
    for k, (name, color) in enumerate(zip(names, layer_colors(len(names), theme_for(ax)))):
        ax.plot(steps, np.maximum(norms[:, k], 1e-30), "o-", ms=3, color=color,
                label=f"layer {k + 1} ({name or ROOT_LABEL})", gid=f"norm-{name}")
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel(r"$\|\partial l / \partial \theta_i\|$")
    ax.set_title(f"Gradient flow: {run_title(run)}")
    if len(names) <= 6:
        ax.legend(frameon=False, fontsize="small")
    else:  # many layers: beside the axes, not over the curves
        ax.legend(frameon=False, fontsize="x-small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return ax


def layer_colors(count: int, theme=None) -> list:
    """One colour per layer: the theme's ``series k`` up to 10 layers, else viridis from input to output."""
    if count <= 10:
        from vizdl.styles.theme import LIGHT

        return [(theme or LIGHT).color(f"series {k}") for k in range(count)]
    from matplotlib import colormaps

    return [colormaps["viridis"](k / (count - 1)) for k in range(count)]


def weight_histograms(run, *, kind: str = "weight", steps=None, bins: int = 40):
    """Histograms of each layer's parameters (or gradients) over training, as heat maps.

    One panel per module with parameters, in execution order, wrapped into rows (at most
    :data:`HISTOGRAM_COLUMNS` on a slide); a panel pools all of the module's parameters
    (e.g. ``weight`` and ``bias``, or an LSTM's ``weight_ih_l0``, ``weight_hh_l0`` and
    biases), listed under its title. x = step, y = value, colour = log count on one scale
    shared by every panel (the colour bar).

    Parameters
    ----------
    kind : {"weight", "grad"}

    Returns
    -------
    Figure
    """
    if kind not in ("weight", "grad"):
        raise ValueError(f"kind must be 'weight' or 'grad', got {kind!r}")
    from vizdl.views.training import run_title

    run = as_run(run)
    steps, groups, snaps = grouped_per_step(run, kind, steps)
    hists = [histogram_matrix([np.concatenate([np.ravel(s[n]) for n in names]) for s in snaps], bins)
             for _, names in groups]
    top = max(float(np.log1p(counts).max()) for counts, _ in hists) or 1.0  # one colour scale for all panels
    fig, axes = grid_figure(len(groups), aspect=0.75)
    ncols = axes[0].get_gridspec().get_geometry()[1]
    for k, (ax, (module, names), (counts, edges)) in enumerate(zip(axes, groups, hists)):
        image = ax.imshow(np.log1p(counts.T), origin="lower", aspect="auto", cmap="magma_r", vmin=0, vmax=top,
                          extent=(steps[0], steps[-1], edges[0], edges[-1]), interpolation="nearest",
                          gid=f"hist-{module}")
        ax.set_title(f"{module or ROOT_LABEL}\n{', '.join(n[len(module) + 1 if module else 0:] for n in names)}",
                     fontsize="medium")
        ax.set_xlabel("step")
        if k % ncols == 0:
            ax.set_ylabel("weight value" if kind == "weight" else "gradient value")
    fig.colorbar(image, ax=list(axes), label="log(1 + count)")
    fig.suptitle(f"{'Weight' if kind == 'weight' else 'Gradient'} histograms over training: {run_title(run)}")
    return fig


__all__ = ["HISTOGRAM_COLUMNS", "gradient_flow", "histogram_matrix", "layer_colors", "weight_histograms"]
