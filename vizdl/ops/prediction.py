"""What a recorded model predicts for its probe samples (the rebuilt model of a step, torch on the CPU).

:func:`recorded_step` resolves the step a picture shows (``None``: the last one; ``-k``:
the k-th from the end).

>>> import numpy as np
>>> top_class(np.array([0.1, 0.7, 0.2]))
(1, 0.7)
"""
from __future__ import annotations

import numpy as np


def softmax_rows(values) -> np.ndarray:
    """Row-wise softmax (each row sums to 1), computed stably in float64."""
    values = np.asarray(values, dtype=np.float64)
    exp = np.exp(values - values.max(axis=-1, keepdims=True))
    return exp / exp.sum(axis=-1, keepdims=True)


def recorded_step(run, step=None) -> int:
    """``step`` checked against the run (``None``: the last step; negative: from the end)."""
    if step is None:
        return int(run.steps[-1])
    if isinstance(step, (int, np.integer)) and step < 0:
        if -step > len(run.steps):
            raise ValueError(f"step={step} out of range: the run recorded {len(run.steps)} steps")
        return int(run.steps[step])
    run.require_step(step)
    return int(step)


def can_rebuild(run) -> bool:
    """Whether ``run.model(step)`` can rebuild the run's model (a zoo model, or a template given to ``Run.open``)."""
    from vizdl.runs.rebuild import can_rebuild as rebuildable

    return rebuildable(run)


def class_probabilities(run, step: int, samples) -> np.ndarray:
    """Softmax of the rebuilt model's outputs on the probe ``samples``, shape ``(len(samples), classes)``."""
    import torch

    from vizdl.record.state import eval_mode

    model = run.model(step)
    inputs = torch.from_numpy(np.asarray(run.probe["inputs"])[list(samples)])
    with eval_mode(model), torch.no_grad():
        logits = model(inputs).double().numpy()
    return softmax_rows(logits)


def top_class(probabilities) -> tuple:
    """``(class index, its probability)`` of one sample's probabilities."""
    probabilities = np.asarray(probabilities, dtype=float)
    index = int(np.argmax(probabilities))
    return index, float(probabilities[index])


__all__ = ["can_rebuild", "class_probabilities", "recorded_step", "softmax_rows", "top_class"]
