"""Different models on the same data (notes 001 Part I): logistic regression vs an MLP; the cross-entropy recap."""
from __future__ import annotations

import numpy as np

from vizdl.figures._run import as_run, new_figure
from vizdl.figures.boundary import decision_boundary
from vizdl.figures.plot import paint_plot
from vizdl.ops.crossentropy import neg_log_curve, prediction
from vizdl.views.basics import neg_log_view, softmax_view

#: The notes' comparison: each row a data set, logistic regression then a 2-16-16-2 MLP.
#: Side of one panel in inches (the panels are square: the plane is the data's).
PANEL = 3.2
MODEL_RECIPES = {"logistic regression": "{}-logistic", "MLP 2-16-16-2": "{}-mlp16"}


def accuracy(run, step=None) -> float:
    """Accuracy of the model of ``run`` at ``step`` on the probe batch (torch forward)."""
    import torch

    run = as_run(run)
    model = run.model(run.require_step(step)).eval()
    with torch.no_grad():
        logits = model(torch.as_tensor(np.asarray(run.probe["inputs"])).float())
    return float((logits.argmax(1).numpy() == np.asarray(run.probe["labels"])).mean())


def model_comparison(runs=None, *, datasets=("moons", "circles", "xor"), resolution: int = 80):
    """Decision regions of logistic regression and an MLP, one row per data set.

    Parameters
    ----------
    runs : dict of (str, str) -> Run, optional
        ``(dataset, model title) -> run``; by default the recipes ``<dataset>-logistic`` and
        ``<dataset>-mlp16`` (trained once and cached).
    datasets : sequence of str
    resolution : int
        Grid points per side of each heat map.

    Returns
    -------
    Figure
    """
    from vizdl.recipes import recipe_run

    if runs is None:
        runs = {(d, title): recipe_run(pattern.format(d)) for d in datasets for title, pattern in MODEL_RECIPES.items()}
    cols = list(dict.fromkeys(d for d, _ in runs))
    rows = list(dict.fromkeys(t for _, t in runs))
    fig = new_figure((PANEL * len(cols) + 0.6, PANEL * len(rows) + 0.8))  # square panels
    axes = fig.subplots(len(rows), len(cols), squeeze=False)
    for (dataset, title), run in runs.items():
        ax = axes[rows.index(title), cols.index(dataset)]
        decision_boundary(run, ax=ax, resolution=resolution, title=False)
        ax.set_title(f"{dataset}: accuracy {_percent(accuracy(run))}")
    for ax, title in zip(axes[:, 0], rows):
        ax.set_ylabel(title)
    fig.suptitle("Different models on the same points (validation points; shade = predicted class probability)")
    return fig


def _model_name(run) -> str:
    model = run.meta.get("model") or {}
    dataset = run.meta.get("dataset") or {}
    name = model.get("name", "model") if isinstance(model, dict) else str(model)
    data = dataset.get("name", "") if isinstance(dataset, dict) else str(dataset)
    return f"{name} on {data}" if data else name


def _percent(value: float) -> str:
    from vizdl.styles.theme import fmt

    return f"{fmt(100 * value, 0)}%"


def cross_entropy(run=None, *, sample: int = 0, step=None):
    """The cross-entropy recap: ``-log p`` with this prediction on it, and its softmax against the one-hot target.

    Parameters
    ----------
    run : Run or path, optional
        A classifier run (the ``digits-mlp`` recipe by default).
    sample : int
        Probe input.
    step : int, optional

    Returns
    -------
    Figure
    """
    from vizdl.recipes import recipe_run

    run = as_run(run) if run is not None else recipe_run("digits-mlp")
    pred = prediction(run, step, sample=sample)
    fig = new_figure()
    left, right = fig.subplots(1, 2)
    paint_plot(neg_log_view(neg_log_curve(), pred), ax=left)
    paint_plot(softmax_view(pred), ax=right, legend_loc="center right")
    right.set_xlim(0, 1.25)
    verdict = "right" if pred.predicted == pred.label else f"the model says {pred.predicted}"
    fig.suptitle(f"{_model_name(run)}, step {pred.step}: probe digit {sample} is a {pred.label} ({verdict})")
    return fig


__all__ = ["MODEL_RECIPES", "accuracy", "cross_entropy", "model_comparison"]
