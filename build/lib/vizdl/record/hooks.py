"""Forward hooks that capture module outputs; every handle is removed in ``finally``."""
from __future__ import annotations

import contextlib
import fnmatch

import torch
from torch import nn


def is_attention_map(module: nn.Module) -> bool:
    """True for modules whose output is an attention matrix (class named ``AttentionMap``)."""
    return type(module).__name__ == "AttentionMap"


def leaf_names(model: nn.Module) -> list[str]:
    """Qualified names of the modules without children (the model's layers)."""
    return [name for name, module in model.named_modules()
            if name and not list(module.children()) and not is_attention_map(module)]


def select_layers(model: nn.Module, selection) -> list[str]:
    """Resolve ``True``/``False``/names/globs to module names; unknown names list valid ones."""
    if selection is True:
        return leaf_names(model)
    if not selection:
        return []
    names = [name for name, _ in model.named_modules() if name]
    chosen = []
    for pattern in selection:
        matches = [n for n in names if fnmatch.fnmatchcase(n, pattern)]
        if not matches:
            raise ValueError(f"no layer matches {pattern!r}; valid layer names: {', '.join(names)}")
        chosen.extend(m for m in matches if m not in chosen)
    return chosen


def attention_names(model: nn.Module) -> dict[str, str]:
    """Map each ``AttentionMap`` module name to its parent (the attention module) name."""
    return {name: name.rpartition(".")[0] or name
            for name, module in model.named_modules() if is_attention_map(module)}


@contextlib.contextmanager
def capture_outputs(model: nn.Module, names: list[str]):
    """Temporarily hook ``names``; yields a dict filled with detached CPU outputs.

    The hooks are removed when the block exits, also when the forward pass raises.
    """
    modules = dict(model.named_modules())
    outputs: dict[str, torch.Tensor] = {}
    handles = []
    try:
        for name in names:
            handles.append(modules[name].register_forward_hook(_store(outputs, name)))
        yield outputs
    finally:
        for handle in handles:
            handle.remove()


def _store(outputs: dict, name: str):
    def hook(module, inputs, output):
        if isinstance(output, tuple):  # e.g. nn.LSTM returns (output, (h, c))
            output = output[0]
        if isinstance(output, torch.Tensor):
            outputs[name] = output.detach().to("cpu", copy=True)
    return hook


def hook_count(model: nn.Module) -> int:
    """Number of forward (pre-)hooks and backward hooks attached to ``model``'s modules."""
    return sum(len(m._forward_hooks) + len(m._forward_pre_hooks) + len(m._backward_hooks)
               for m in model.modules())
