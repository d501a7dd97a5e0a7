"""Attention maps ``(N, heads, queries, keys)`` from the modules that compute them.

Three kinds of module are read, without changing the model or what its forward returns:

- ``vizdl.AttentionMap`` (an ``nn.Identity``) that a hand-written attention passes its
  softmax probabilities through; the map is stored under the parent module's name;
- ``nn.MultiheadAttention`` (also inside ``nn.TransformerEncoder/Decoder``): during the
  probe forward it is asked for per-head weights (``need_weights=True,
  average_attn_weights=False``); what it returns to its caller is put back to what the
  caller asked for (``None``, or the head average, computed exactly as torch does);
- Hugging Face attention modules (those a ``PreTrainedModel`` lists for ``attentions``
  in ``_can_record_outputs``) with the *eager* implementation, which return the
  probabilities as their second output. Fused kernels (``sdpa``, flash) never build the
  matrix: vizdl says so and how to switch (``model.set_attn_implementation("eager")``).

A model that calls ``F.scaled_dot_product_attention`` itself gets the same advice.
"""
from __future__ import annotations

import contextlib
import inspect
from dataclasses import dataclass, field
from functools import partial

import torch
from torch import nn
from torch.overrides import TorchFunctionMode

from vizdl.record.outputs import call_key

HF_KEYS = ("attentions", "cross_attentions")


def is_attention_map(module: nn.Module) -> bool:
    """True for modules whose output is an attention matrix (class named ``AttentionMap``)."""
    return type(module).__name__ == "AttentionMap"


@dataclass(frozen=True)
class AttentionSource:
    """Where an attention map comes from: stored as ``attn/<name>``, read from ``module``."""

    name: str
    module: nn.Module = field(compare=False, repr=False)
    kind: str  # "map", "mha" or "hf"
    index: int = 1


@dataclass
class AttentionCapture:
    """Maps captured in one forward, and the modules that ran without returning one."""

    maps: dict = field(default_factory=dict)
    missing: list = field(default_factory=list)
    calls: dict = field(default_factory=dict)


def attention_sources(model: nn.Module) -> list[AttentionSource]:
    """Every attention module of ``model`` vizdl can read, in registration order."""
    sources = []
    for name, module in model.named_modules():
        if is_attention_map(module):
            sources.append(AttentionSource(name.rpartition(".")[0] or name, module, "map"))
        elif isinstance(module, nn.MultiheadAttention):
            sources.append(AttentionSource(name, module, "mha"))
    return sources + _hf_sources(model)


def _hf_sources(model: nn.Module) -> list[AttentionSource]:
    specs = [spec for module in model.modules() for spec in _hf_specs(module)]
    sources, seen = [], set()
    for name, module in model.named_modules():
        for target, class_name, layer_name, index in specs:
            hit = (target is not None and isinstance(module, target)) or \
                (class_name is not None and name.endswith(class_name))
            if hit and (layer_name is None or f".{layer_name.strip('.')}." in f".{name}.") and name not in seen:
                sources.append(AttentionSource(name, module, "hf", index))
                seen.add(name)
    return sources


def _hf_specs(module: nn.Module) -> list[tuple]:
    """``(class, class name suffix, layer name, output index)`` of a HF model's attention outputs."""
    table = getattr(type(module), "_can_record_outputs", None)
    if not isinstance(table, dict):
        return []
    specs = []
    for key in HF_KEYS:
        entries = table.get(key) or []
        for entry in entries if isinstance(entries, list) else [entries]:
            if isinstance(entry, type):
                specs.append((entry, None, None, 1))
            elif isinstance(entry, str):
                specs.append((None, entry, None, 1))
            elif hasattr(entry, "target_class"):
                specs.append((entry.target_class, entry.class_name, entry.layer_name, entry.index))
    return specs


@contextlib.contextmanager
def capture_attention(sources: list[AttentionSource]):
    """Hook ``sources`` for the block; yields an :class:`AttentionCapture` (detached copies)."""
    capture, handles, asked = AttentionCapture(), [], {}
    try:
        for source in sources:
            if source.kind == "mha":
                handles.append(source.module.register_forward_pre_hook(
                    partial(_ask_for_weights, asked), with_kwargs=True))
            handles.append(source.module.register_forward_hook(partial(_HOOKS[source.kind], capture, source,
                                                                       asked)))
        yield capture
    finally:
        for handle in handles:
            handle.remove()


def _store(capture: AttentionCapture, name: str, value: torch.Tensor) -> None:
    call = capture.calls.get(name, 0)
    capture.calls[name] = call + 1
    capture.maps[call_key(name, call)] = value.detach().clone()


def _from_map(capture, source, asked, module, args, output):
    if torch.is_tensor(output):
        _store(capture, source.name, output)


def _from_hf(capture, source, asked, module, args, output):
    value = output[source.index] if isinstance(output, (tuple, list)) and len(output) > source.index else None
    if torch.is_tensor(value) and value.dim() == 4:
        _store(capture, source.name, value)
    elif source.name not in capture.missing:
        capture.missing.append(source.name)


def _ask_for_weights(asked, module, args, kwargs):
    """Pre-hook: ask ``nn.MultiheadAttention`` for per-head weights; remember what the caller asked."""
    bound = inspect.signature(module.forward).bind(*args, **kwargs).arguments
    asked.setdefault(id(module), []).append((bound.get("need_weights", True),
                                             bound.get("average_attn_weights", True)))
    return (), {**bound, "need_weights": True, "average_attn_weights": False}


def _from_mha(capture, source, asked, module, args, output):
    need, average = asked[id(module)].pop()
    attn_output, weights = output
    if weights is None:
        return None
    _store(capture, source.name, weights if weights.dim() == 4 else weights.unsqueeze(0))
    if not need:
        return attn_output, None
    return attn_output, weights.mean(dim=-3) if average else weights


_HOOKS = {"map": _from_map, "mha": _from_mha, "hf": _from_hf}


class SDPAWatch(TorchFunctionMode):
    """Counts calls of ``F.scaled_dot_product_attention`` (fused: no attention matrix exists)."""

    def __init__(self):
        super().__init__()
        self.calls = 0

    def __torch_function__(self, func, types, args=(), kwargs=None):
        if func is torch.nn.functional.scaled_dot_product_attention:
            self.calls += 1
        return func(*args, **(kwargs or {}))


def attention_advice(model: nn.Module, sources, capture: AttentionCapture, sdpa_calls: int) -> str | None:
    """What to do when attention was asked for but (some) maps could not be read; ``None`` if fine."""
    if capture.missing:
        implementation = _hf_implementation(model)
        return (f"{', '.join(capture.missing)} returned no attention weights: the model uses the "
                f"{implementation!r} attention implementation, a fused kernel that never builds the "
                "attention matrix. Switch to eager attention before recording: "
                "model.set_attn_implementation('eager') (or from_pretrained(..., attn_implementation='eager') "
                "/ a config with attn_implementation='eager')")
    if capture.maps:
        return None
    if sdpa_calls:
        return (f"the model calls F.scaled_dot_product_attention {sdpa_calls} time(s) per forward, a fused "
                "kernel that never builds the attention matrix, so there is nothing to record. Compute "
                "p = softmax(q @ k.transpose(-2, -1) / sqrt(d_k)) explicitly and pass it through a "
                "vizdl.AttentionMap() child module (p = self.map(p)), or use nn.MultiheadAttention")
    looks = [name for name, m in model.named_modules() if name and "attention" in type(m).__name__.lower()
             and not is_attention_map(m) and not any(s.module is m for s in sources)]
    if looks:
        return (f"modules {', '.join(looks[:5])} look like attention but expose no attention matrix vizdl can "
                "read; pass the softmax probabilities through a vizdl.AttentionMap() child module "
                "(p = self.map(p)), or use nn.MultiheadAttention")
    return None


def _hf_implementation(model: nn.Module) -> str:
    for module in model.modules():
        config = getattr(module, "config", None)
        implementation = getattr(config, "_attn_implementation", None)
        if implementation:
            return str(implementation)
    return "sdpa"


__all__ = ["AttentionCapture", "AttentionSource", "SDPAWatch", "attention_advice", "attention_sources",
           "capture_attention", "is_attention_map"]
