"""The cross-entropy of one real prediction: logits, softmax, the one-hot target and ``-log p``.

For a probe input of a recorded classifier, :func:`prediction` runs the model of the chosen
step (torch) and returns the logits, ``softmax`` probabilities, the one-hot target and the
loss ``-log p_y`` (``torch.nn.functional.cross_entropy``).

    >>> p = prediction_from_logits([2.0, 0.0, 0.0], 0)
    >>> round(p.loss, 4), p.predicted, p.one_hot.tolist()
    (0.2395, 0, [1.0, 0.0, 0.0])
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Prediction:
    """One classified input.

    Attributes
    ----------
    logits, probabilities, one_hot : ndarray, shape (C,)
    label : int
        The true class ``y``.
    loss : float
        ``-log p_y``.
    sample, step : int or None
    """

    logits: np.ndarray
    probabilities: np.ndarray
    one_hot: np.ndarray
    label: int
    loss: float
    sample: int | None = None
    step: int | None = None

    @property
    def predicted(self) -> int:
        """The class of the largest probability."""
        return int(np.argmax(self.probabilities))


def prediction_from_logits(logits, label: int, **where) -> Prediction:
    """:class:`Prediction` of given logits (``where``: ``sample``, ``step``)."""
    import torch

    z = torch.as_tensor(np.asarray(logits, dtype=np.float64).ravel())
    if not 0 <= int(label) < len(z):
        raise ValueError(f"label: {label} is not a class in [0, {len(z)})")
    target = torch.tensor([int(label)])
    loss = float(torch.nn.functional.cross_entropy(z[None], target))
    one_hot = torch.nn.functional.one_hot(target, len(z))[0].double().numpy()
    return Prediction(z.numpy(), torch.softmax(z, 0).numpy(), one_hot, int(label), loss, **where)


def prediction(run, step=None, *, sample: int = 0) -> Prediction:
    """The model of ``run`` at ``step`` on probe input ``sample`` (float32 forward, as trained)."""
    import torch

    step = run.require_step(step)
    inputs = run.probe["inputs"]
    if not 0 <= int(sample) < len(inputs):
        raise ValueError(f"sample: {sample} is not a probe index in [0, {len(inputs)})")
    model = run.model(step).eval()
    with torch.no_grad():
        logits = model(torch.as_tensor(np.asarray(inputs[int(sample)]))[None].float())[0]
    label = int(np.asarray(run.probe["labels"])[int(sample)])
    return prediction_from_logits(logits.double().numpy(), label, sample=int(sample), step=step)


def neg_log_curve(n: int = 200, low: float = 0.01) -> tuple:
    """``(p, -log p)`` for ``p`` in ``[low, 1]`` (torch)."""
    import torch

    p = torch.linspace(float(low), 1.0, int(n), dtype=torch.float64)
    return p.numpy(), (-torch.log(p)).numpy()


__all__ = ["Prediction", "neg_log_curve", "prediction", "prediction_from_logits"]
