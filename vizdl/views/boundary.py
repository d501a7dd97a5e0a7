"""What a decision-boundary picture shows: the regions each class wins, the data points, the legend.

Built from :mod:`vizdl.ops.boundary`. Every cell of a square grid over the data carries
its winning class and a confidence in ``[0, 1]``; painters tint the cell with the class
colour (:meth:`vizdl.styles.theme.Theme.class_tints`), so the regions, the points and the
legend all use the class roles — never the sign colours of weights. For two classes the
``p = 0.5`` line is given too (``probability``).

>>> import numpy as np
>>> frame = boundary_frame(np.array([[0.0, 0.0], [1.0, 1.0]]), [0, 1], class_names=["a", "b"])
>>> [label.text for label in frame.legend], frame.points.shape
(['class 0: a', 'class 1: b'], (2, 2))
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vizdl.ops.boundary import (
    data_bounds,
    decision_regions,
    grid_points,
    mlp_probabilities,
    model_probabilities,
)
from vizdl.views.base import Label

#: Grid cells per side in scenes (figures ask for more).
RESOLUTION = 28
#: Confidence levels (equal neighbours are drawn as one block in scenes).
LEVELS = 8


@dataclass(frozen=True)
class BoundaryFrame:
    """What stays while the regions change: the area, the points, the legend.

    Attributes
    ----------
    bounds : tuple
        ``(xmin, xmax, ymin, ymax)``, a square around the points.
    points : ndarray, shape (N, 2)
    roles : tuple of str
        ``"class k"`` of each point.
    legend : tuple of Label
        ``class k: name`` in the class's role.
    marked : int or None
        Index of the point the picture follows (drawn ringed).
    """

    bounds: tuple
    points: np.ndarray
    roles: tuple
    legend: tuple
    marked: int | None = None

    def grid(self, resolution: int = RESOLUTION) -> np.ndarray:
        """The grid points (top row first) where the classifier is evaluated."""
        return grid_points(self.bounds, resolution)


@dataclass(frozen=True)
class Regions:
    """The class each grid cell goes to, with confidence (rows top first).

    Attributes
    ----------
    winner : ndarray of int, shape (R, R)
    confidence : ndarray, shape (R, R)
        In ``[0, 1]`` (quantised to ``levels`` steps when asked).
    probability : ndarray or None, shape (R, R)
        ``p(class 1)`` for two classes (the ``0.5`` line), else ``None``.
    """

    winner: np.ndarray
    confidence: np.ndarray
    probability: np.ndarray | None

    @property
    def resolution(self) -> int:
        """Cells per side."""
        return int(self.winner.shape[0])


def boundary_frame(points, classes, *, class_names=None, marked: int | None = None,
                   margin: float = 0.15) -> BoundaryFrame:
    """The frame of a decision-boundary picture of 2-D ``points`` with integer ``classes``."""
    points = np.asarray(points, dtype=np.float64).reshape(len(points), -1)
    classes = np.asarray(classes).astype(int)
    bounds = data_bounds(points, margin)
    count = int(classes.max()) + 1 if classes.size else 0
    names = list(class_names) if class_names is not None else []
    legend = tuple(Label(f"class {k}" + (f": {names[k]}" if k < len(names) else ""), f"class {k}", size="small")
                   for k in range(count))
    return BoundaryFrame(bounds, points, tuple(f"class {k}" for k in classes), legend, marked)


def regions(probabilities, resolution: int, levels: int | None = LEVELS) -> Regions:
    """:class:`Regions` of class ``probabilities`` on a ``resolution**2`` grid (rows top first)."""
    p = np.asarray(probabilities, dtype=np.float64).reshape(resolution, resolution, -1)
    winner, confidence = decision_regions(p, levels)
    return Regions(winner, confidence, p[..., 1] if p.shape[-1] == 2 else None)


def mlp_regions(frame: BoundaryFrame, weights, biases, activations, *, resolution: int = RESOLUTION,
                levels: int | None = LEVELS) -> Regions:
    """The regions of the MLP ``(A_i, b_i)`` over ``frame``."""
    return regions(mlp_probabilities(weights, biases, activations, frame.grid(resolution)), resolution, levels)


def model_regions(frame: BoundaryFrame, model, *, resolution: int = RESOLUTION,
                  levels: int | None = LEVELS) -> Regions:
    """The regions of a torch classifier over ``frame`` (eval mode, no gradient)."""
    return regions(model_probabilities(model, frame.grid(resolution)), resolution, levels)


def run_frame(run, *, sample: int | None = None, points=None) -> BoundaryFrame:
    """The frame of a run on 2-D inputs: its probe points (or ``points = (X, y)``) and class names.

    Raises ValueError for inputs that are not 2-D.
    """
    if points is not None:
        X, y = np.asarray(points[0], dtype=float), np.asarray(points[1]).astype(int)
    else:
        X, y = np.asarray(run.probe["inputs"], dtype=float), np.asarray(run.probe["labels"]).astype(int)
    X = X.reshape(len(X), -1)
    if X.shape[1] != 2:
        raise ValueError(f"run {run.path}: inputs have {X.shape[1]} features; a decision boundary needs 2-D inputs")
    names = (run.meta.get("dataset") or {}).get("classes")
    return boundary_frame(X, y, class_names=names, marked=sample)


def is_2d(run) -> bool:
    """Whether the run's inputs are points of the plane."""
    return int(np.prod(np.shape(run.probe["inputs"])[1:])) == 2


__all__ = ["BoundaryFrame", "LEVELS", "RESOLUTION", "Regions", "boundary_frame", "is_2d", "mlp_regions",
           "model_regions", "regions", "run_frame"]
