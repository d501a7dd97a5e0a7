"""What the optimizer picture shows: the paths of SGD, momentum and Adam on one loss surface.

>>> import numpy as np
>>> X, Y = np.meshgrid([-1.0, 0.0, 1.0], [-1.0, 0.0, 1.0])
>>> view = optimizer_paths_view({"sgd": (0.1, np.zeros((3, 2)))}, (X, Y, X ** 2 + Y ** 2), start=(0, 0))
>>> view.element("path-sgd").label
'SGD, λ = 0.1'
"""
from __future__ import annotations

import numpy as np

from vizdl.styles.theme import fmt
from vizdl.views.base import Step, Story
from vizdl.views.plot import Contour, Mark, Plot, Series

OPTIMIZER_NAMES = {"sgd": "SGD", "momentum": "momentum", "adam": "Adam", "adamw": "AdamW", "rmsprop": "RMSprop"}


def optimizer_paths_view(paths: dict, surface, *, start, loss_text: str = "", levels: int = 14) -> Plot:
    """Paths over the level lines of a loss.

    Parameters
    ----------
    paths : dict of str -> (float, ndarray)
        Optimizer name -> ``(lr, path)`` with the path ``(steps + 1, 2)`` from
        :func:`vizdl.ops.optimizers.optimizer_path`.
    surface : (X, Y, Z)
        From :func:`vizdl.ops.optimizers.loss_surface`.
    start : (float, float)
    loss_text : str
        The loss, in mathtext (``l(\\theta) = ...``).
    """
    X, Y, Z = surface
    contour = Contour("surface", X, Y, Z, _levels(Z, levels))
    elements, steps = [contour, Mark("start", float(start[0]), float(start[1]), role="ink", marker="*")], []
    limit = max(float(np.abs(X).max()), float(np.abs(Y).max()))
    for k, (name, (lr, path)) in enumerate(paths.items()):
        shown = _inside(np.asarray(path, dtype=float), limit)
        label = f"{OPTIMIZER_NAMES.get(name, name)}, \u03bb = {fmt(lr, 4)}"
        elements.append(Series.of(f"path-{name}", shown[:, 0], shown[:, 1], role=f"run {k}", marker="o",
                                  width=0.7, label=label))
        end = path[-1]
        steps.append(Step(f"path-{name}", f"{label}: after {len(path) - 1} steps at "
                          f"({fmt(end[0])}, {fmt(end[1])}).", (f"path-{name}",), 3))
    steps.insert(0, Step("surface", "The level lines of the loss; every optimizer starts at the star.",
                         ("surface", "start")))
    title = "Optimizers on a 2-D loss" + (f": ${loss_text}$" if loss_text else "")
    return Plot(title, "\u03b8\u2081", "\u03b8\u2082", tuple(elements), Story(tuple(steps)), equal=True)


def _levels(Z, count: int) -> np.ndarray:
    """Geometric levels from the smallest positive value (at least 1e-3 of the top) to the top of a loss."""
    top = float(np.max(Z))
    positive = Z[Z > 0]
    if top <= 0 or not positive.size:
        return np.linspace(float(np.min(Z)), top + 1e-12, count)
    return np.geomspace(max(float(positive.min()), 1e-3 * top), top, count)


def _inside(path, limit) -> np.ndarray:
    """The path up to and including its first point outside the plotted square."""
    outside = np.flatnonzero(np.any(np.abs(path) > limit, axis=1))
    return path if outside.size == 0 else path[: outside[0] + 1]


__all__ = ["OPTIMIZER_NAMES", "optimizer_paths_view"]
