"""Decision regions of a 2-D classifier: class probabilities on a grid, the winning class and its confidence.

Numbers only: :mod:`vizdl.views.boundary` turns them into a picture and the theme tints
each cell with its winning class's colour (one colouring for figures and scenes).

    >>> import numpy as np
    >>> winner, confidence = decision_regions(np.array([[0.9, 0.1], [0.5, 0.5], [0.2, 0.8]]))
    >>> winner.tolist(), np.round(confidence, 2).tolist()
    ([0, 0, 1], [0.8, 0.0, 0.6])
"""
from __future__ import annotations

import numpy as np

#: Points per forward pass when a torch model is evaluated on a grid.
CHUNK = 65536


def data_bounds(points, margin: float = 0.15) -> tuple:
    """Square ``(xmin, xmax, ymin, ymax)`` around 2-D ``points`` with a relative margin."""
    points = _points_2d(points)
    lo, hi = points.min(axis=0), points.max(axis=0)
    centre, half = (lo + hi) / 2, max(float((hi - lo).max()), 1e-6) / 2 * (1 + 2 * margin)
    return (float(centre[0] - half), float(centre[0] + half), float(centre[1] - half), float(centre[1] + half))


def _points_2d(points) -> np.ndarray:
    points = np.asarray(points, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] != 2 or len(points) == 0:
        raise ValueError(f"points: a decision boundary needs 2-D inputs of shape (N, 2), got shape {points.shape}")
    return points


def grid_points(bounds, resolution: int) -> np.ndarray:
    """``resolution**2`` points covering ``bounds = (xmin, xmax, ymin, ymax)``: top row first, left to right."""
    if not isinstance(resolution, (int, np.integer)) or resolution < 2:
        raise ValueError(f"resolution must be an integer >= 2, got {resolution!r}")
    xmin, xmax, ymin, ymax = bounds
    gx, gy = np.meshgrid(np.linspace(xmin, xmax, resolution), np.linspace(ymax, ymin, resolution))
    return np.stack([gx.ravel(), gy.ravel()], axis=1)


def mlp_probabilities(weights, biases, activations, points) -> np.ndarray:
    """``x_L = softmax(z_L)`` of the MLP ``(A_i, b_i)`` (hidden ``activations``) on ``points`` (N, k_0)."""
    from vizdl.ops.network import activation_function

    x = np.asarray(points, dtype=np.float64)
    names = list(activations) + ["softmax"]
    if len(names) != len(weights) or len(weights) != len(biases):
        raise ValueError(f"activations: need {len(weights) - 1} hidden activations for {len(weights)} layers, "
                         f"got {list(activations)}")
    for A, b, name in zip(weights, biases, names):
        x = activation_function(name)(x @ np.asarray(A, dtype=np.float64).T + np.asarray(b, dtype=np.float64))
    return x


def model_probabilities(model, points) -> np.ndarray:
    """Softmax of a torch classifier's outputs on ``points`` (eval mode, no gradient, in chunks)."""
    import torch

    from vizdl.record.state import eval_mode

    points = torch.as_tensor(np.asarray(points), dtype=torch.float32)
    with eval_mode(model), torch.no_grad():
        return torch.cat([torch.softmax(model(points[i:i + CHUNK]), 1)
                          for i in range(0, len(points), CHUNK)]).double().numpy()


def decision_regions(probabilities, levels: int | None = None) -> tuple:
    """``(winner, confidence)`` of each row of class probabilities.

    ``confidence = (p_max - 1/K) / (1 - 1/K)`` is 0 where every class is equally likely and
    1 where one class is certain (for two classes, ``|2 p_1 - 1|``). With ``levels`` it is
    rounded up to multiples of ``1/levels`` (equal neighbours can be drawn as one block).
    """
    p = np.asarray(probabilities, dtype=np.float64)
    if p.ndim < 2 or p.shape[-1] < 2:
        raise ValueError(f"probabilities: need (..., K >= 2) class probabilities, got shape {p.shape}")
    k = p.shape[-1]
    confidence = np.clip((p.max(axis=-1) - 1.0 / k) / (1.0 - 1.0 / k), 0.0, 1.0)
    if levels is not None:
        confidence = np.ceil(confidence * levels - 1e-9) / levels
    return p.argmax(axis=-1), confidence


__all__ = ["CHUNK", "data_bounds", "decision_regions", "grid_points", "mlp_probabilities", "model_probabilities"]
