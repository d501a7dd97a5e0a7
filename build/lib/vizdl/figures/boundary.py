"""Decision boundaries: a 2-D model's heat map at a step (TF-playground style), a grid over
training, and the perceptron learning algorithm's line after each update (and XOR)."""
from __future__ import annotations

import numpy as np
from matplotlib.colors import LinearSegmentedColormap

from vizdl.figures._run import as_run, new_axes, new_figure
from vizdl.limits import MAX_RESOLUTION, check_size
from vizdl.styles.colors import class_color


CHUNK = 65536   # points per forward pass of a boundary grid


def _probabilities(model, points) -> np.ndarray:
    """Softmax outputs in eval mode (no BatchNorm statistic is updated), ``CHUNK`` points at a time."""
    import torch

    from vizdl.record.state import eval_mode

    points = torch.as_tensor(points, dtype=torch.float32)
    with eval_mode(model), torch.no_grad():
        return torch.cat([torch.softmax(model(points[i:i + CHUNK]), 1)
                          for i in range(0, len(points), CHUNK)]).numpy()


def boundary_grid(model, lims, resolution: int = 120, *, max_resolution: int | None = MAX_RESOLUTION) -> tuple:
    """``(xx, yy, probs)``: softmax probabilities of ``model`` on a ``resolution`` square grid.

    The model runs in eval mode (every module's flag restored after), so drawing a
    boundary never updates BatchNorm statistics. ``resolution`` above ``max_resolution``
    is refused (pass ``max_resolution=None`` to go past it deliberately).
    """
    resolution = check_size("resolution", resolution, max_resolution, minimum=2, override="max_resolution=")
    (x0, x1), (y0, y1) = lims
    xx, yy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    probs = _probabilities(model, np.stack([xx.ravel(), yy.ravel()], 1))
    return xx, yy, probs.reshape(resolution, resolution, -1)


def _limits(points, margin=0.15) -> tuple:
    lo, hi = points.min(0), points.max(0)
    pad = margin * (hi - lo) + 1e-6
    return (lo[0] - pad[0], hi[0] + pad[0]), (lo[1] - pad[1], hi[1] + pad[1])


def _heat_rgb(probs) -> np.ndarray:
    """Binary: class-0 colour -> white -> class-1 colour by ``p_1``; else argmax colour faded by confidence."""
    if probs.shape[-1] == 2:
        cmap = LinearSegmentedColormap.from_list("playground", [class_color(0), "#ffffff", class_color(1)])
        return cmap(probs[..., 1])[..., :3]
    from matplotlib.colors import to_rgb

    palette = np.array([to_rgb(class_color(k)) for k in range(probs.shape[-1])])
    conf = probs.max(-1, keepdims=True)
    return 1 - (1 - palette[probs.argmax(-1)]) * (conf - 1 / probs.shape[-1]) * probs.shape[-1] / (probs.shape[-1] - 1)


def _points(run, points):
    if points is not None:
        return np.asarray(points[0], dtype=float), np.asarray(points[1]).astype(int)
    return np.asarray(run.probe["inputs"], dtype=float).reshape(len(run.probe["inputs"]), -1), \
        np.asarray(run.probe["labels"]).astype(int)


def decision_boundary(run, step=None, *, ax=None, points=None, resolution: int = 120, title: bool = True,
                      max_resolution: int | None = MAX_RESOLUTION):
    """The model of ``run`` at ``step`` on the 2-D plane: class probabilities and the data.

    Parameters
    ----------
    run : Run or path
        A run on 2-D inputs.
    step : int, optional
        Recorded step (last by default).
    points : (X, y), optional
        Points to draw (the probe batch by default).
    resolution : int
        Grid points per side of the heat map.
    max_resolution : int or None
        Bound on ``resolution`` (1000: a million forward passes); ``None`` lifts it.

    Returns
    -------
    Axes
    """
    check_size("resolution", resolution, max_resolution, minimum=2, override="max_resolution=")
    run = as_run(run)
    step = run.require_step(step)
    X, y = _points(run, points)
    if X.shape[1] != 2:
        raise ValueError(f"run {run.path}: inputs have {X.shape[1]} features; decision_boundary needs 2-D inputs")
    ax = new_axes(ax, (5, 5))
    lims = _limits(X)
    xx, yy, probs = boundary_grid(run.model(step), lims, resolution, max_resolution=max_resolution)
    ax.imshow(_heat_rgb(probs), origin="lower", extent=(*lims[0], *lims[1]), aspect="auto", alpha=0.85,
              interpolation="bilinear", gid="heatmap")
    if probs.shape[-1] == 2:
        ax.contour(xx, yy, probs[..., 1], levels=[0.5], colors="k", linewidths=1.5)
    for k in np.unique(y):
        ax.scatter(*X[y == k].T, s=28, color=class_color(k), edgecolors="white", linewidths=0.8,
                   zorder=3, label=f"class {k}", gid=f"points-{k}")
    ax.set_xlim(*lims[0])
    ax.set_ylim(*lims[1])
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(f"step {step}")
    return ax


def decision_boundary_grid(run, steps=None, *, ncols: int = 4, points=None, resolution: int = 80,
                           max_resolution: int | None = MAX_RESOLUTION):
    """:func:`decision_boundary` at several recorded steps (8 spread over the run by default).

    Returns
    -------
    Figure
    """
    check_size("resolution", resolution, max_resolution, minimum=2, override="max_resolution=")
    run = as_run(run)
    if steps is None:
        idx = np.unique(np.round(np.linspace(0, len(run.steps) - 1, min(8, len(run.steps)))).astype(int))
        steps = [run.steps[i] for i in idx]
    steps = [run.require_step(s) for s in steps]
    nrows = -(-len(steps) // ncols)
    fig = new_figure((3 * ncols, 3 * nrows))
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax, step in zip(axes, steps):
        decision_boundary(run, step, ax=ax, points=points, resolution=resolution, max_resolution=max_resolution)
    for ax in axes[len(steps):]:
        ax.set_visible(False)
    return fig


def perceptron_learning(X, y, *, epochs: int = 20, w0=None) -> tuple:
    """The perceptron learning algorithm: ``w <- w + y_i [x_i, 1]`` on each mistake.

    Parameters
    ----------
    X : array, shape (N, 2)
    y : array of {-1, +1} (or {0, 1}, mapped to -1/+1)
    epochs : int
        Passes over the data (stops after a pass without mistakes).

    Returns
    -------
    (weights, mistakes)
        ``weights``: ``(updates + 1, 3)`` array ``[w_1, w_2, b]`` after each update (start
        first); ``mistakes``: mistakes per epoch.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    y = np.where(y > 0, 1.0, -1.0)
    Xa = np.hstack([X, np.ones((len(X), 1))])
    w = np.zeros(3) if w0 is None else np.asarray(w0, dtype=float)
    history, mistakes = [w.copy()], []
    for _ in range(int(epochs)):
        wrong = 0
        for xi, yi in zip(Xa, y):
            if yi * (w @ xi) <= 0:
                w = w + yi * xi
                history.append(w.copy())
                wrong += 1
        mistakes.append(wrong)
        if wrong == 0:
            break
    return np.array(history), mistakes


def separable_points(n: int = 20, seed: int = 3) -> tuple:
    """Two linearly separable Gaussian blobs (labels -1/+1), fixed by ``seed``."""
    rng = np.random.default_rng(seed)
    X = np.vstack([rng.normal([-0.7, -0.5], 0.45, (n, 2)), rng.normal([0.7, 0.6], 0.45, (n, 2))])
    y = np.repeat([-1, 1], n)
    order = rng.permutation(2 * n)
    return X[order], y[order]


PLA_START = (-1.0, 0.5, 0.5)  # a wrong first line, so the updates are visible
XOR_START = (1.0, 1.0, -0.5)
XOR_POINTS = (np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]), np.array([-1, 1, 1, -1]))


def _draw_line(ax, w, lims, **kw) -> None:
    xs = np.array(lims[0])
    if abs(w[1]) > 1e-12:
        ax.plot(xs, -(w[0] * xs + w[2]) / w[1], **kw)
    elif abs(w[0]) > 1e-12:
        ax.axvline(-w[2] / w[0], **kw)


def _scatter_pm(ax, X, y) -> None:
    for label, k in ((-1, 0), (1, 1)):
        ax.scatter(*X[y == label].T, s=40, color=class_color(k), edgecolors="white", zorder=3,
                   gid=f"points-{label:+d}")


def perceptron_updates(X=None, y=None, *, max_panels: int = 8, ncols: int = 4):
    """The perceptron's line after each update (one panel per update, last one converged).

    Returns
    -------
    Figure
    """
    X, y = separable_points() if X is None else (np.asarray(X, float), np.where(np.asarray(y) > 0, 1, -1))
    history, mistakes = perceptron_learning(X, y, epochs=50, w0=PLA_START)
    if len(history) < 2:
        raise ValueError("X, y: the start line already separates the points; nothing to show")
    idx = np.unique(np.round(np.linspace(1, len(history) - 1, min(max_panels, len(history) - 1))).astype(int))
    nrows = -(-len(idx) // ncols)
    fig = new_figure((3 * ncols, 3 * nrows))
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    lims = _limits(X)
    for ax, k in zip(axes, idx):
        _scatter_pm(ax, X, y)
        _draw_line(ax, history[k - 1], lims, color="0.6", ls="--", lw=1.5)
        _draw_line(ax, history[k], lims, color="k", lw=2.5, gid="line")
        ax.set_xlim(*lims[0])
        ax.set_ylim(*lims[1])
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(f"update {k}: w=({history[k][0]:.2f}, {history[k][1]:.2f}), b={history[k][2]:.2f}", fontsize=9)
    for ax in axes[len(idx):]:
        ax.set_visible(False)
    fig.suptitle(f"Perceptron learning: {len(history) - 1} updates, mistakes per epoch {mistakes}")
    return fig


def perceptron_xor(*, epochs: int = 10):
    """Why XOR defeats the perceptron: its lines never separate the four points.

    Left: the lines of the successive updates on XOR; right: mistakes per epoch, never 0.

    Returns
    -------
    Figure
    """
    X, y = XOR_POINTS
    history, mistakes = perceptron_learning(X, y, epochs=epochs, w0=XOR_START)
    fig = new_figure((11, 4.2))
    left, right = fig.subplots(1, 2)
    lims = ((-0.5, 1.5), (-0.5, 1.5))
    for k, w in enumerate(history[:8]):
        _draw_line(left, w, lims, color=f"C{k}", lw=1.8, label=f"after update {k}")
    _scatter_pm(left, X, y)
    left.set_xlim(*lims[0])
    left.set_ylim(*lims[1])
    left.set_aspect("equal")
    left.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    left.set_title(f"XOR: first 8 of {len(history) - 1} updates")
    right.bar(np.arange(1, len(mistakes) + 1), mistakes, color="#d62728", gid="mistakes")
    right.set_xlabel("epoch")
    right.set_ylabel("mistakes")
    right.set_ylim(0, len(X))
    right.set_title("no line separates XOR: mistakes never reach 0")
    return fig


__all__ = ["XOR_POINTS", "boundary_grid", "decision_boundary", "decision_boundary_grid",
           "perceptron_learning", "perceptron_updates", "perceptron_xor", "separable_points"]
