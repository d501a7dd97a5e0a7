"""Training curves: loss and accuracy (train and validation) and the learning rate over steps."""
from __future__ import annotations

import numpy as np

from vizdl.figures._run import as_run, new_axes, new_figure

TRAIN_COLOR = "#1f77b4"
VAL_COLOR = "#ff7f0e"


def smooth(values, window: int) -> np.ndarray:
    """Running mean over ``window`` points (shorter at the start), same length as ``values``."""
    values = np.asarray(values, dtype=float)
    if window <= 1 or values.size == 0:
        return values
    cumsum = np.cumsum(np.insert(values, 0, 0.0))
    idx = np.arange(1, values.size + 1)
    lo = np.maximum(idx - window, 0)
    return (cumsum[idx] - cumsum[lo]) / (idx - lo)


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


def metric_curve(data, metric: str = "loss", *, ax=None, smoothing: int = 10, label: str | None = None):
    """Train ``metric`` per step (raw, faint, and smoothed) and ``val_<metric>`` (markers).

    Parameters
    ----------
    data : Run, path or dict
        A run, or ``{"loss": (steps, values), "val_loss": (steps, values), ...}`` (a plain
        array means steps ``0..n-1``).
    metric : {"loss", "acc"} or any logged name
    smoothing : int
        Window of the running mean drawn over the raw training curve.

    Returns
    -------
    Axes
    """
    ax = new_axes(ax, (7, 4.5))
    train, val = _series(data, metric), _series(data, f"val_{metric}")
    if train is None and val is None:
        raise ValueError(f"metric: no {metric!r} or 'val_{metric}' values in the data")
    if train is not None:
        ax.plot(*train, color=TRAIN_COLOR, alpha=0.25, lw=1, gid="train-raw")
        ax.plot(train[0], smooth(train[1], smoothing), color=TRAIN_COLOR, label="train", gid="train")
    if val is not None:
        ax.plot(*val, "o-", color=VAL_COLOR, ms=5, label="validation", gid="val")
    ax.set_xlabel("step")
    ax.set_ylabel(label or {"loss": "loss", "acc": "accuracy"}.get(metric, metric))
    ax.legend(frameon=False)
    return ax


def lr_curve(data, *, ax=None):
    """The learning rate over steps.

    Returns
    -------
    Axes
    """
    ax = new_axes(ax, (7, 3.5))
    series = _series(data, "lr")
    if series is None:
        raise ValueError("data: no 'lr' values")
    ax.plot(*series, color="#2ca02c", gid="lr")
    ax.set_ylim(0, 1.15 * max(float(np.max(series[1])), 1e-12))
    ax.set_xlabel("step")
    ax.set_ylabel(r"learning rate $\lambda$")
    return ax


def training_curves(data, *, smoothing: int = 10):
    """Loss, accuracy and learning rate side by side (the panels whose metrics were logged).

    A hand-written loop that logs only ``loss`` gets one panel.

    Returns
    -------
    Figure
    """
    logged = [m for m in ("loss", "acc") if _series(data, m) is not None or _series(data, f"val_{m}") is not None]
    with_lr = _series(data, "lr") is not None
    if not logged and not with_lr:
        raise ValueError("data: no 'loss', 'acc' or 'lr' values to draw")
    fig = new_figure((14 * (len(logged) + with_lr) / 3, 4))
    axes = list(np.atleast_1d(fig.subplots(1, len(logged) + with_lr)))
    for ax, metric in zip(axes, logged):
        metric_curve(data, metric, ax=ax, smoothing=smoothing).set_title({"loss": "loss", "acc": "accuracy"}[metric])
    if with_lr:
        lr_curve(data, ax=axes[-1]).set_title("learning rate")
    return fig


__all__ = ["lr_curve", "metric_curve", "smooth", "training_curves"]
