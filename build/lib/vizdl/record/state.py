"""Leave a user's model exactly as found: per-module training flags restored.

``model.train(was_training)`` sets *every* submodule to one flag, so a BatchNorm the
user froze on purpose (``bn.eval()`` inside a training model) would come back in
training mode. :func:`eval_mode` remembers each module's own flag and restores it.
"""
from __future__ import annotations

import contextlib

from torch import nn


@contextlib.contextmanager
def eval_mode(model: nn.Module):
    """Put ``model`` in eval mode for the block; restore each module's own ``training`` flag after.

    >>> import torch
    >>> model = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2)).train()
    >>> _ = model[1].eval()            # a deliberately frozen BatchNorm
    >>> with eval_mode(model):
    ...     model.training, model[1].training
    (False, False)
    >>> model.training, model[0].training, model[1].training
    (True, True, False)
    """
    with kept_modes(model):
        model.eval()
        yield model


@contextlib.contextmanager
def kept_modes(model: nn.Module):
    """Restore every module's own ``training`` flag when the block ends (also on an exception).

    >>> model = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2)).eval()
    >>> with kept_modes(model):
    ...     _ = model.train()          # e.g. a training loop
    >>> model.training, model[1].training
    (False, False)
    """
    flags = [(module, module.training) for module in model.modules()]
    try:
        yield model
    finally:
        for module, flag in flags:
            module.training = flag


__all__ = ["eval_mode", "kept_modes"]
