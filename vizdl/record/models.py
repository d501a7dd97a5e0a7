"""The module a Recorder reads: wrappers removed, ranks, and forwards that hooks can see.

``torch.compile`` returns an ``OptimizedModule`` (parameters named ``_orig_mod.*``) whose
compiled code ignores hooks added after compilation; ``DistributedDataParallel`` and
``DataParallel`` wrap the model in ``.module`` (names ``module.*``) and their forward
starts collectives (a buffer broadcast) that only one rank must never start alone. vizdl
therefore records the unwrapped module, runs its own probe forward on it eagerly, and
names every tensor as in the unwrapped model's ``state_dict``.
"""
from __future__ import annotations

import contextlib
import os

import torch
from torch import nn

WRAPPER_PREFIXES = ("_orig_mod.", "module.")


def unwrap(model: nn.Module) -> nn.Module:
    """The module inside ``torch.compile`` / ``DistributedDataParallel`` / ``DataParallel`` wrappers."""
    while True:
        inner = _wrapped(model)
        if inner is None:
            return model
        model = inner


def wrappers(model: nn.Module) -> list[str]:
    """Class names of the wrappers around the real module, outermost first (``[]`` for none)."""
    names = []
    while _wrapped(model) is not None:
        names.append(type(model).__name__)
        model = _wrapped(model)
    return names


def _wrapped(model):
    inner = getattr(model, "_orig_mod", None)  # torch.compile's OptimizedModule
    if isinstance(inner, nn.Module):
        return inner
    if isinstance(model, (nn.parallel.DistributedDataParallel, nn.DataParallel)):
        return model.module
    return None


def is_compiled(model: nn.Module) -> bool:
    """True for ``torch.compile(model)`` results and modules compiled in place (``model.compile()``)."""
    return any(type(m).__name__ == "OptimizedModule" for m in _chain(model)) or \
        getattr(unwrap(model), "_compiled_call_impl", None) is not None


def _chain(model):
    while model is not None:
        yield model
        model = _wrapped(model)


def strip_wrapper_prefix(name: str) -> str:
    """``"_orig_mod.module.fc.weight"`` -> ``"fc.weight"``."""
    stripped = True
    while stripped:
        stripped = False
        for prefix in WRAPPER_PREFIXES:
            if name.startswith(prefix):
                name, stripped = name[len(prefix):], True
    return name


def process_rank() -> int:
    """This process's rank: ``torch.distributed`` when initialised, else ``$RANK``, else 0."""
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        return torch.distributed.get_rank()
    try:
        return int(os.environ.get("RANK", "0"))
    except ValueError:
        return 0


def world_size() -> int:
    """Number of processes in the default group (1 without ``torch.distributed``)."""
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        return torch.distributed.get_world_size()
    return 1


def device_of(module: nn.Module) -> torch.device:
    """Device of the first parameter or buffer (CPU for a module without tensors)."""
    for tensor in (*module.parameters(), *module.buffers()):
        return tensor.device
    return torch.device("cpu")


@contextlib.contextmanager
def visible_forward():
    """A forward in which every module hook fires.

    Compiled code runs eagerly (``torch.compiler.set_stance("force_eager")``) and the
    fused fast path of ``nn.TransformerEncoderLayer`` / ``nn.MultiheadAttention``, which
    skips the submodules' forwards, is switched off; both are restored on exit.
    """
    fastpath = torch.backends.mha.get_fastpath_enabled()
    torch.backends.mha.set_fastpath_enabled(False)
    try:
        with torch.compiler.set_stance("force_eager"):
            yield
    finally:
        torch.backends.mha.set_fastpath_enabled(fastpath)


__all__ = ["WRAPPER_PREFIXES", "device_of", "is_compiled", "process_rank", "strip_wrapper_prefix",
           "unwrap", "visible_forward", "world_size", "wrappers"]
