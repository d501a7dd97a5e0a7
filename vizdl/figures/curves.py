"""Training curves: loss and accuracy (train and validation) and the learning rate over steps.

The training curve is drawn raw (faint) and smoothed by a *centred* mean
(:func:`vizdl.ops.curves.centred_mean`; a trailing mean lags a falling curve), the same
smoothing the training scene's loss curve uses (:func:`vizdl.views.training.curve_view`).
"""
from __future__ import annotations

import numpy as np

from vizdl.figures._run import as_run, grid_figure, new_axes
from vizdl.figures.paint import theme_for
from vizdl.ops.curves import centred_mean, smoothing_window


def smooth(values, window: int) -> np.ndarray:
    """Centred mean over ``window`` points (see :func:`vizdl.ops.curves.centred_mean`), same length as ``values``."""
    return centred_mean(values, max(int(window), 1))


def _series(data, name):
    """``(steps, values)`` of metric ``name`` from a Run/path, or from a dict of arrays."""
    if isinstance(data, dict):
        if name not in data:
            return None
        value = data[name]
        steps, values = value if isinstance(value, tuple) else (np.arange(len(value)), value)
        return np.asarray(steps), np.asarray(values, dtype=float)
    try:
        return as_run(data).metric(name)
    except KeyError:
        return None


def metric_curve(data, metric: str = "loss", *, ax=None, smoothing: int | None = None, label: str | None = None,
                 legend: bool = True):
    """Train ``metric`` per step (raw, faint, and its centred mean) and ``val_<metric>`` (markers).

    Parameters
    ----------
    data : Run, path or dict
        A run, or ``{"loss": (steps, values), "val_loss": (steps, values), ...}`` (a plain
        array means steps ``0..n-1``).
    metric : {"loss", "acc"} or any logged name
    smoothing : int, optional
        Points in the centred mean (default about 4% of the points; 1: none).
    label : str, optional
        The y axis label.
    legend : bool
        Say which line is which.

    Returns
    -------
    Axes
    """
    ax = new_axes(ax)
    theme = theme_for(ax)
    train, val = _series(data, metric), _series(data, f"val_{metric}")
    if train is None and val is None:
        raise ValueError(f"metric: no {metric!r} or 'val_{metric}' values in the data")
    if train is not None:
        window = smoothing_window(len(train[1])) if smoothing is None else max(int(smoothing), 1)
        ax.plot(*train, color=theme.color("train"), alpha=0.25, lw=1, gid="train-raw")
        name = "train" if window == 1 else f"train (centred mean of {window})"
        ax.plot(train[0], smooth(train[1], window), color=theme.color("train"), label=name, gid="train")
    if val is not None:
        ax.plot(*val, "o-", color=theme.color("validation"), ms=5, label="validation", gid="val")
    ax.set_xlabel("step")
    ax.set_ylabel(label or {"loss": "loss", "acc": "accuracy"}.get(metric, metric))
    if legend:
        ax.legend(frameon=False, fontsize="small")
    return ax


def lr_curve(data, *, ax=None):
    """The learning rate over steps.

    Returns
    -------
    Axes
    """
    ax = new_axes(ax)
    series = _series(data, "lr")
    if series is None:
        raise ValueError("data: no 'lr' values")
    ax.plot(*series, color=theme_for(ax).color("schedule"), gid="lr")
    ax.set_ylim(0, 1.15 * max(float(np.max(series[1])), 1e-12))
    ax.set_xlabel("step")
    ax.set_ylabel(r"learning rate $\lambda$")
    return ax


def training_curves(data, *, smoothing: int | None = None, title: str | None = None):
    """Loss, accuracy and learning rate side by side (the panels whose metrics were logged), titled
    with the run's model and data.

    A hand-written loop that logs only ``loss`` gets one panel.

    Returns
    -------
    Figure
    """
    logged = [m for m in ("loss", "acc") if _series(data, m) is not None or _series(data, f"val_{m}") is not None]
    with_lr = _series(data, "lr") is not None
    if not logged and not with_lr:
        raise ValueError("data: no 'loss', 'acc' or 'lr' values to draw")
    fig, axes = grid_figure(len(logged) + with_lr, aspect=0.75)
    for k, (ax, metric) in enumerate(zip(axes, logged)):
        metric_curve(data, metric, ax=ax, smoothing=smoothing, legend=k == 0).set_title(
            {"loss": "loss", "acc": "accuracy"}[metric])
    if with_lr:
        lr_curve(data, ax=axes[-1]).set_title("learning rate")
    if title is None and not isinstance(data, dict):
        from vizdl.views.training import run_title

        title = f"Training a {run_title(as_run(data))}"
    if title:
        fig.suptitle(title)
    return fig


__all__ = ["lr_curve", "metric_curve", "smooth", "training_curves"]
