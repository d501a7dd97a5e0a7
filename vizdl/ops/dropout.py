"""Which units Dropout switched off in one real forward pass of a model in training mode.

During training ``nn.Dropout(p)`` zeroes each unit with probability ``p`` and scales the
others by ``1 / (1 - p)``; at evaluation it passes everything through. The mask is drawn
inside torch; :func:`dropout_masks` captures it by replaying the generator state a
Dropout module started from on a tensor of ones (the same draw), and checks that the
module's output equals ``input * mask / (1 - p)``.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class DropoutPass:
    """One Dropout module in one forward pass.

    Attributes
    ----------
    layer : str
        The Dropout module's qualified name.
    p : float
        Its drop probability.
    inputs, outputs : ndarray, shape (N, ...)
        What reached it and what it passed on (training mode).
    kept : ndarray of bool, shape (N, ...)
        The mask of this pass: False where the unit was dropped.
    """

    layer: str
    p: float
    inputs: np.ndarray
    outputs: np.ndarray
    kept: np.ndarray

    @property
    def dropped_fraction(self) -> float:
        """Fraction of the units dropped in this pass."""
        return float(1.0 - self.kept.mean())


def dropout_masks(model, x, *, seed: int = 0) -> list[DropoutPass]:
    """Forward ``x`` through a copy of ``model`` in training mode and capture every Dropout mask.

    Parameters
    ----------
    model : nn.Module
        Left untouched (a CPU copy runs; BatchNorm statistics of the model do not move).
    x : array or tensor, shape (N, ...)
    seed : int
        Seeds the pass (torch's global generator is forked, so the caller's is unchanged).

    Returns
    -------
    list of DropoutPass
        In the order the modules ran. ValueError when the model has no Dropout module.
    """
    import torch
    from torch import nn

    copy_ = copy.deepcopy(model).cpu().train()
    modules = {name: m for name, m in copy_.named_modules() if isinstance(m, nn.Dropout)}
    if not modules:
        raise ValueError(f"model {type(model).__name__} has no nn.Dropout module; build it with dropout > 0")
    passes, handles = [], []
    try:
        for name, module in modules.items():
            handles.append(module.register_forward_pre_hook(_save_state))
            handles.append(module.register_forward_hook(_capture(name, passes)))
        with torch.random.fork_rng(devices=[]), torch.no_grad():
            torch.manual_seed(seed)
            copy_(torch.as_tensor(x, dtype=torch.float32))
    finally:
        for handle in handles:
            handle.remove()
    return passes


def _save_state(module, args):
    import torch

    module._vizdl_rng_state = torch.get_rng_state()


def _capture(name, passes):
    def hook(module, args, output):
        import torch

        after = torch.get_rng_state()
        torch.set_rng_state(module._vizdl_rng_state)
        kept = torch.nn.functional.dropout(torch.ones_like(args[0]), module.p, training=True) != 0
        torch.set_rng_state(after)
        del module._vizdl_rng_state
        inputs = args[0].detach().numpy().copy()
        outputs = output.detach().numpy().copy()
        expected = np.where(kept.numpy(), inputs / (1.0 - module.p), 0.0)
        if not np.allclose(outputs, expected, rtol=1e-5, atol=1e-6):
            raise RuntimeError(f"{name}: could not read the dropout mask back (torch's dropout draws changed)")
        passes.append(DropoutPass(name, float(module.p), inputs, outputs, kept.numpy()))
    return hook


__all__ = ["DropoutPass", "dropout_masks"]
