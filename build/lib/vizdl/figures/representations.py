"""Layer representations: 2-D PCA of each layer's activations on the probe set, by class."""
from __future__ import annotations

import numpy as np

from vizdl.figures._run import as_run, new_figure
from vizdl.styles.colors import class_color


def pca_2d(values) -> np.ndarray:
    """Projection of ``values`` (N, ...) on its first two principal components, ``(N, 2)``."""
    X = np.asarray(values, dtype=np.float64).reshape(len(values), -1)
    X = X - X.mean(0)
    u, s, _ = np.linalg.svd(X, full_matrices=False)
    proj = u[:, :2] * s[:2]
    return np.pad(proj, ((0, 0), (0, 2 - proj.shape[1])))


def representation_layers(run) -> list:
    """Default layers: the input, every recorded module without weights after it (activations),
    and the last recorded layer (the logits)."""
    params = {name.rsplit(".", 1)[0] for name in run.parameters} or \
        {k.rsplit(".", 1)[0] for k in run.weights(run.steps[0])}
    layers = run.layers
    picked = [name for name in layers[1:-1] if name not in params]
    return ["input", *picked, layers[-1]] if layers else ["input"]


def layer_representations(run, step=None, *, layers=None, size: float = 3.6):
    """PCA of the probe activations of each layer at ``step``, points coloured by class.

    Parameters
    ----------
    layers : sequence of str, optional
        Recorded module names (``"input"`` for the probe inputs); see
        :func:`representation_layers` for the default.

    Returns
    -------
    Figure
    """
    run = as_run(run)
    step = run.require_step(step)
    acts = run.activations(step)
    layers = representation_layers(run) if layers is None else list(layers)
    missing = [n for n in layers if n != "input" and n not in acts]
    if missing:
        raise ValueError(f"layers: {missing} were not recorded; available: {['input', *sorted(acts)]}")
    labels = np.asarray(run.probe["labels"]).astype(int)
    fig = new_figure((size * len(layers), size + 0.4))
    axes = np.atleast_1d(fig.subplots(1, len(layers)))
    for k, (ax, name) in enumerate(zip(axes, layers)):
        values = run.probe["inputs"] if name == "input" else acts[name]
        proj = pca_2d(values)
        for c in np.unique(labels):
            ax.scatter(*proj[labels == c].T, s=16, color=class_color(c), label=str(c), gid=f"class-{c}")
        width = int(np.prod(np.shape(values)[1:]))
        ax.set_title(f"Layer {k}: {name} ({width})", fontsize=11)
        ax.set_xticks([])
        ax.set_yticks([])
    axes[-1].legend(title="class", fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1, 1))
    fig.suptitle(f"PCA of each layer's activations, step {step}")
    return fig


__all__ = ["layer_representations", "pca_2d", "representation_layers"]
