"""Decision boundaries: a 2-D model's regions at a step, a grid over training, and the perceptron.

A painter of :mod:`vizdl.views.boundary` (the training and back-propagation scenes paint
the same view): each cell of the square around the data takes its winning class's colour,
tinted towards white by the model's confidence (:meth:`vizdl.styles.theme.Theme.class_tints`),
points in their class colours, the ``p = 0.5`` line for two classes. Class colours never
reuse the red/blue of signs.
"""
from __future__ import annotations

import numpy as np

from vizdl.figures._run import as_run, grid_figure, new_axes
from vizdl.figures.paint import theme_for
from vizdl.limits import MAX_RESOLUTION, check_size
from vizdl.ops.boundary import CHUNK, model_probabilities  # noqa: F401  (CHUNK re-exported)
from vizdl.ops.descent import XOR_POINTS, perceptron_learning, separable_points
from vizdl.styles.theme import fmt
from vizdl.views.boundary import boundary_frame, model_regions, run_frame
from vizdl.views.training import run_title


def _check_resolution(resolution, max_resolution) -> int:
    return check_size("resolution", resolution, max_resolution, minimum=2, override="max_resolution=")


def boundary_grid(model, lims, resolution: int = 120, *, max_resolution: int | None = MAX_RESOLUTION) -> tuple:
    """``(xx, yy, probs)``: softmax probabilities of ``model`` on a ``resolution`` square grid.

    The model runs in eval mode (every module's flag restored after), so drawing a
    boundary never updates BatchNorm statistics. ``resolution`` above ``max_resolution``
    is refused (pass ``max_resolution=None`` to go past it deliberately).
    """
    resolution = _check_resolution(resolution, max_resolution)
    (x0, x1), (y0, y1) = lims
    xx, yy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    probs = model_probabilities(model, np.stack([xx.ravel(), yy.ravel()], 1))
    return xx, yy, probs.reshape(resolution, resolution, -1)


def paint_regions(ax, frame, regions, theme=None, *, legend: bool = True) -> None:
    """Draw :class:`~vizdl.views.boundary.Regions` over ``frame``'s square, the points and the 0.5 line."""
    theme = theme or theme_for(ax)
    xmin, xmax, ymin, ymax = frame.bounds
    ax.imshow(theme.class_tints(regions.winner, regions.confidence), extent=(xmin, xmax, ymin, ymax),
              origin="upper", interpolation="bilinear", gid="regions")
    if regions.probability is not None:
        r = regions.resolution
        xx, yy = np.meshgrid(np.linspace(xmin, xmax, r), np.linspace(ymax, ymin, r))
        ax.contour(xx, yy, regions.probability, levels=[0.5], colors=theme.color("ink"), linewidths=1.5)
    for role in sorted(set(frame.roles)):
        points = frame.points[[k for k, r in enumerate(frame.roles) if r == role]]
        name = next((label.text for label in frame.legend if label.role == role), role)
        ax.scatter(*points.T, s=28, color=theme.color(role), edgecolors=theme.color("background"), linewidths=0.8,
                   zorder=3, label=name, gid=f"points-{role.split()[-1]}")
    if frame.marked is not None:
        ax.scatter(*frame.points[frame.marked], s=160, facecolors="none", edgecolors=theme.color("ink"),
                   linewidths=2, zorder=4, gid="marked")
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    if legend:
        ax.legend(loc="lower left", fontsize="small", framealpha=0.85)


def decision_boundary(run, step=None, *, ax=None, points=None, resolution: int = 120, title=True,
                      legend: bool = True, max_resolution: int | None = MAX_RESOLUTION):
    """The model of ``run`` at ``step`` on the plane: the class each point goes to, and the data.

    Parameters
    ----------
    run : Run or path
        A run on 2-D inputs.
    step : int, optional
        Recorded step (last by default).
    points : (X, y), optional
        Points to draw (the probe batch by default).
    resolution : int
        Grid cells per side.
    title : bool or str
        ``True``: the model, data and step; a string: that title.
    max_resolution : int or None
        Bound on ``resolution``; ``None`` lifts it.

    Returns
    -------
    Axes
    """
    _check_resolution(resolution, max_resolution)
    run = as_run(run)
    step = run.require_step(step)
    frame = run_frame(run, points=points)
    ax = new_axes(ax)
    paint_regions(ax, frame, model_regions(frame, run.model(step), resolution=resolution, levels=None),
                  legend=legend)
    if title:
        ax.set_title(title if isinstance(title, str) else f"{run_title(run)}, step {step}")
    return ax


def decision_boundary_grid(run, steps=None, *, ncols: int | None = None, points=None, resolution: int = 80,
                           max_resolution: int | None = MAX_RESOLUTION):
    """:func:`decision_boundary` at several recorded steps (8 spread over the run by default), in rows.

    Returns
    -------
    Figure
    """
    _check_resolution(resolution, max_resolution)
    run = as_run(run)
    if steps is None:
        idx = np.unique(np.round(np.linspace(0, len(run.steps) - 1, min(8, len(run.steps)))).astype(int))
        steps = [run.steps[i] for i in idx]
    steps = [run.require_step(s) for s in steps]
    fig, axes = grid_figure(len(steps), ncols=ncols)
    for k, (ax, step) in enumerate(zip(axes, steps)):
        decision_boundary(run, step, ax=ax, points=points, resolution=resolution, title=f"step {step}",
                          legend=k == 0, max_resolution=max_resolution)
    fig.suptitle(f"Decision regions of a {run_title(run)} over training")
    return fig


PLA_START = (-1.0, 0.5, 0.5)  # a wrong first line, so the updates are visible
XOR_START = (1.0, 1.0, -0.5)


def _draw_line(ax, w, lims, **kw) -> None:
    xs = np.array(lims[0])
    if abs(w[1]) > 1e-12:
        ax.plot(xs, -(w[0] * xs + w[2]) / w[1], **kw)
    elif abs(w[0]) > 1e-12:
        ax.axvline(-w[2] / w[0], **kw)


def _scatter_pm(ax, X, y, theme) -> None:
    for label, k in ((-1, 0), (1, 1)):
        ax.scatter(*X[y == label].T, s=40, color=theme.color(f"class {k}"), edgecolors=theme.color("background"),
                   zorder=3, gid=f"points-{label:+d}", label=f"y = {label:+d}")


def _limits(X) -> tuple:
    xmin, xmax, ymin, ymax = boundary_frame(X, np.zeros(len(X), dtype=int)).bounds
    return (xmin, xmax), (ymin, ymax)


def perceptron_updates(X=None, y=None, *, max_panels: int = 8, ncols: int | None = None):
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
    fig, axes = grid_figure(len(idx), ncols=ncols)
    lims = _limits(X)
    for ax, k in zip(axes, idx):
        theme = theme_for(ax)
        _scatter_pm(ax, X, y, theme)
        _draw_line(ax, history[k - 1], lims, color=theme.color("muted"), ls="--", lw=1.5)
        _draw_line(ax, history[k], lims, color=theme.color("ink"), lw=2.5, gid="line")
        ax.set_xlim(*lims[0])
        ax.set_ylim(*lims[1])
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        w = history[k]
        ax.set_title(f"update {k}\nw = ({fmt(w[0])}, {fmt(w[1])}), b = {fmt(w[2])}", fontsize="small")
    fig.suptitle(f"Perceptron learning: {len(history) - 1} updates; mistakes per epoch "
                 f"{', '.join(str(m) for m in mistakes)}")
    return fig


def perceptron_xor(*, epochs: int = 10):
    """Why XOR defeats the perceptron: its lines never separate the four points.

    Left: the lines of the first updates on XOR; right: mistakes per epoch, never 0.

    Returns
    -------
    Figure
    """
    X, y = XOR_POINTS
    history, mistakes = perceptron_learning(X, y, epochs=epochs, w0=XOR_START)
    fig, (left, right) = grid_figure(2, aspect=0.8)
    theme = theme_for(left)
    lims = ((-0.5, 1.5), (-0.5, 1.5))
    for k, w in enumerate(history[:8]):
        _draw_line(left, w, lims, color=theme.color(f"series {k + 2}"), lw=1.8, label=f"after update {k}")
    _scatter_pm(left, X, y, theme)
    left.set_xlim(*lims[0])
    left.set_ylim(*lims[1])
    left.set_aspect("equal")
    left.legend(fontsize="x-small", loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    left.set_title(f"XOR: first {min(8, len(history))} of {len(history)} lines")
    right.bar(np.arange(1, len(mistakes) + 1), mistakes, color=theme.color("muted"), gid="mistakes")
    right.set_xlabel("epoch")
    right.set_xticks(np.arange(1, len(mistakes) + 1))
    right.set_ylabel("mistakes")
    right.set_ylim(0, len(X))
    right.set_title("mistakes never reach 0")
    fig.suptitle("No line separates XOR")
    return fig


__all__ = ["CHUNK", "MAX_RESOLUTION", "XOR_POINTS", "boundary_grid", "decision_boundary", "decision_boundary_grid", "paint_regions",
           "perceptron_learning", "perceptron_updates", "perceptron_xor", "separable_points"]
