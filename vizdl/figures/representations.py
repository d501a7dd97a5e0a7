"""Layer representations: 2-D PCA of each layer's activations on the probe set, by class.

Points take their class colours (the theme's ``class k`` roles, as in the decision-boundary
pictures); panels wrap into rows.
"""
from __future__ import annotations

import numpy as np

from vizdl.figures._run import as_run, grid_figure
from vizdl.figures.paint import theme_for
from vizdl.ops.representations import pca_2d


def representation_layers(run) -> list:
    """Default layers: the input, every recorded module without weights after it (activations),
    and the last recorded layer (the logits)."""
    params = {name.rsplit(".", 1)[0] for name in run.parameters} or \
        {k.rsplit(".", 1)[0] for k in run.weights(run.steps[0])}
    layers = run.layers
    picked = [name for name in layers[1:-1] if name not in params]
    return ["input", *picked, layers[-1]] if layers else ["input"]


def layer_representations(run, step=None, *, layers=None, ncols: int | None = None):
    """PCA of the probe activations of each layer at ``step``, points coloured by class.

    Parameters
    ----------
    layers : sequence of str, optional
        Recorded module names (``"input"`` for the probe inputs); see
        :func:`representation_layers` for the default.
    ncols : int, optional
        Panels per row (at most 4 by default).

    Returns
    -------
    Figure
    """
    from vizdl.views.training import run_title

    run = as_run(run)
    step = run.require_step(step)
    acts = run.activations(step)
    layers = representation_layers(run) if layers is None else list(layers)
    missing = [n for n in layers if n != "input" and n not in acts]
    if missing:
        raise ValueError(f"layers: {missing} were not recorded; available: {['input', *sorted(acts)]}")
    labels = np.asarray(run.probe["labels"]).astype(int)
    fig, axes = grid_figure(len(layers), ncols=ncols)
    for k, (ax, name) in enumerate(zip(axes, layers)):
        theme = theme_for(ax)
        values = run.probe["inputs"] if name == "input" else acts[name]
        proj = pca_2d(values)
        for c in np.unique(labels):
            ax.scatter(*proj[labels == c].T, s=16, color=theme.color(f"class {c}"), label=str(c), gid=f"class-{c}")
        width = int(np.prod(np.shape(values)[1:]))
        ax.set_title(f"layer {k}: {name} ({width})", fontsize="medium")
        ax.set_xticks([])
        ax.set_yticks([])
    handles, names = axes[-1].get_legend_handles_labels()
    fig.legend(handles, names, title="class", fontsize="small", frameon=False, loc="outside lower center",
               ncols=min(len(names), 10))
    fig.suptitle(f"PCA of each layer's activations: {run_title(run)}, step {step}")
    return fig


__all__ = ["layer_representations", "pca_2d", "representation_layers"]
