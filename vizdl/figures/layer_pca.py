"""The representation of the probe batch after each layer, for any recorded run (an MLP or a CNN)."""
from __future__ import annotations

import numpy as np

from vizdl.figures._run import as_run, new_figure
from vizdl.figures.plot import paint_plot
from vizdl.ops.representation import layer_projections
from vizdl.views.basics import projection_view

#: Side of one panel in inches.
PANEL = 2.6


def layer_pca(run, step=None, *, layers=None, ncols: int = 4):
    """PCA of each layer's recorded activations on the probe batch, in execution order, points by class.

    Parameters
    ----------
    run : Run or path
        Recorded with activations (``RecordSpec(activations=True)``), an MLP or a CNN.
    step : int, optional
    layers : sequence of str, optional
        Module names (``"input"``: the probe inputs); by default the input, every module without
        parameters (activations, poolings; repeats skipped) and the logits
        (:func:`vizdl.ops.representation.default_layers`).
    ncols : int
        Panels per row.

    Returns
    -------
    Figure
    """
    run = as_run(run)
    step = run.require_step(step)
    projections = layer_projections(run, step, layers=layers)
    labels = np.asarray(run.probe["labels"])
    rows = -(-len(projections) // ncols)
    cols = min(ncols, len(projections))
    fig = new_figure((PANEL * cols + 1.0, PANEL * rows + 0.6))  # square panels, a legend column
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax, projection in zip(axes, projections):
        paint_plot(projection_view(projection, labels), ax=ax, legend=False)
        ax.set_xticks([])
        ax.set_yticks([])
    for ax in axes[len(projections):]:
        ax.set_axis_off()
    handles, names = axes[0].get_legend_handles_labels()
    fig.legend(handles, names, title="class", loc="outside right upper", frameon=False)
    model = run.meta.get("model", {}).get("name", "") if isinstance(run.meta.get("model"), dict) else ""
    fig.suptitle(f"PCA of each layer's activations{f' ({model})' if model else ''}, "
                 f"{len(labels)} probe inputs, step {step}")
    return fig


__all__ = ["layer_pca"]
