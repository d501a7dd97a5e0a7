"""What each layer makes of the probe batch: a 2-D PCA of its recorded activations, in execution order.

Works for any recorded run (an MLP, a CNN): the layers are the recorded modules in the order
they ran (``run.layers``); by default the input, every module without parameters (the
activations and poolings, where a representation is complete) and the last layer (the
logits), skipping a module whose output repeats the previous one's (``Flatten``, ``Dropout`` in
eval mode). The projection is torch's SVD of the centred activations (float64).

    >>> import numpy as np
    >>> proj, ratio = pca_2d(np.array([[0.0, 0.0], [2.0, 0.0], [4.0, 0.0]]))
    >>> np.abs(proj[:, 0]).tolist(), ratio.tolist()
    ([2.0, 0.0, 2.0], [1.0, 0.0])
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class LayerProjection:
    """One layer's activations projected on their first two principal components.

    Attributes
    ----------
    name : str
        ``"input"`` or the recorded module.
    position : int
        Execution order (0 for the input).
    shape : tuple
        Shape of one sample's activation (``(16, 4, 4)``).
    points : ndarray, shape (N, 2)
    explained : ndarray, shape (2,)
        Fraction of the variance along each component.
    kind : str
        The module's class (``"ReLU"``, ``"MaxPool2d"``; ``""`` for the input or when unknown).
    """

    name: str
    position: int
    shape: tuple
    points: np.ndarray
    explained: np.ndarray
    kind: str = ""

    @property
    def width(self) -> int:
        """Numbers per sample."""
        return int(np.prod(self.shape))


def pca_2d(values) -> tuple:
    """``(projection (N, 2), explained variance ratios (2,))`` of ``values`` (N, ...) by ``torch.linalg.svd``."""
    import torch

    X = torch.as_tensor(np.asarray(values, dtype=np.float64).reshape(len(values), -1))
    X = X - X.mean(0)
    u, s, _ = torch.linalg.svd(X, full_matrices=False)
    proj = (u[:, :2] * s[:2]).numpy()
    total = float((s ** 2).sum())
    ratio = (s[:2] ** 2).numpy() / total if total > 0 else np.zeros(min(2, len(s)))
    pad = 2 - proj.shape[1]
    return np.pad(proj, ((0, 0), (0, pad))), np.pad(ratio, (0, pad))


def default_layers(run, step=None) -> list:
    """The input, the parameter-free modules (skipping repeats of the previous output) and the last layer."""
    step = run.require_step(step)
    acts = run.activations(step)
    owners = {key.rsplit(".", 1)[0] for key in run.weights(step)}
    recorded = [name for name in run.layers if name in acts]
    picked, previous = ["input"], np.asarray(run.probe["inputs"])
    for name in recorded[:-1]:
        if name in owners:
            continue
        values = np.asarray(acts[name])
        if values.size == previous.size and np.array_equal(values.reshape(-1), previous.reshape(-1)):
            continue
        picked.append(name)
        previous = values
    return picked + recorded[-1:]


def layer_projections(run, step=None, *, layers=None) -> tuple:
    """:class:`LayerProjection` of each layer at ``step`` (``layers``: names, ``"input"`` for the probe inputs)."""
    step = run.require_step(step)
    acts = run.activations(step)
    if not acts:
        raise ValueError(f"run {run.path}: no activations recorded at step {step}; record with activations=True")
    layers = default_layers(run, step) if layers is None else list(layers)
    missing = [name for name in layers if name != "input" and name not in acts]
    if missing:
        raise ValueError(f"layers: {missing} were not recorded; available: {['input', *run.layers]}")
    order = {name: k + 1 for k, name in enumerate(run.layers)}
    summary = (run.meta.get("model") or {}).get("summary") or {} if isinstance(run.meta.get("model"), dict) else {}
    kinds = {row.get("name"): row.get("type", "") for row in summary.get("rows", [])}
    layers = sorted(layers, key=lambda name: order.get(name, 0))
    out = []
    for name in layers:
        values = np.asarray(run.probe["inputs"] if name == "input" else acts[name])
        points, ratio = pca_2d(values)
        out.append(LayerProjection(name, order.get(name, 0), tuple(values.shape[1:]), points, ratio,
                                   kinds.get(name, "")))
    return tuple(out)


__all__ = ["LayerProjection", "default_layers", "layer_projections", "pca_2d"]
