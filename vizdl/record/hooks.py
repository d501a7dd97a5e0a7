"""Forward hooks that capture module outputs; every handle is removed in ``finally``."""
from __future__ import annotations

import contextlib
import fnmatch
from functools import partial

import torch
from torch import nn

from vizdl.record.attention import is_attention_map
from vizdl.record.outputs import call_key, output_tensors


def leaf_names(model: nn.Module) -> list[str]:
    """Qualified names of the model's layers: modules without children, and attention modules.

    ``nn.MultiheadAttention`` counts as one layer (its ``out_proj`` child never runs as a
    module); ``AttentionMap`` modules are recorded as attention, not as activations.
    """
    modules = dict(model.named_modules())
    inside_mha = {f"{name}." for name, m in modules.items() if isinstance(m, nn.MultiheadAttention)}
    names = []
    for name, module in modules.items():
        if not name or is_attention_map(module) or any(name.startswith(p) for p in inside_mha):
            continue
        if isinstance(module, nn.MultiheadAttention) or not any(True for _ in module.children()):
            names.append(name)
    return names


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


@contextlib.contextmanager
def capture_outputs(model: nn.Module, names: list[str]):
    """Temporarily hook ``names``; yields a dict filled with detached copies of their outputs.

    Keys follow :mod:`vizdl.record.outputs`: ``name`` for the first call's main output,
    ``name#j`` for later calls, ``name:part`` for the other tensors of a tuple/dict output.
    The hooks are removed when the block exits, also when the forward pass raises.
    """
    modules = dict(model.named_modules())
    outputs: dict[str, torch.Tensor] = {}
    calls: dict[str, int] = {}
    handles = []
    try:
        for name in names:
            handles.append(modules[name].register_forward_hook(partial(_store, outputs, calls, name)))
        yield outputs
    finally:
        for handle in handles:
            handle.remove()


def _store(outputs: dict, calls: dict, name: str, module, inputs, output):
    call = calls.get(name, 0)
    calls[name] = call + 1
    base = call_key(name, call)
    for suffix, tensor in output_tensors(module, output):
        outputs[base + suffix] = tensor.detach().clone()  # the next module may work in place


def hook_count(model: nn.Module) -> int:
    """Number of forward (pre-)hooks and backward hooks attached to ``model``'s modules."""
    return sum(len(m._forward_hooks) + len(m._forward_pre_hooks) + len(m._backward_hooks)
               for m in model.modules())
