"""The probe forward: one eager, eval-mode pass over the fixed probe batch with every hook on.

It runs on the unwrapped module (no DDP collective, no compiled code that ignores
hooks, no fused transformer fast path), leaves each module's training flag as it was,
and returns activations, attention maps and -- the first time -- the call order.
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

import torch
from torch import nn

from vizdl.record.attention import AttentionCapture, SDPAWatch, capture_attention
from vizdl.record.graph import Trace, trace_calls
from vizdl.record.hooks import capture_outputs
from vizdl.record.models import device_of, visible_forward
from vizdl.record.state import eval_mode


@dataclass
class ProbeResult:
    """What one probe forward saw.

    Attributes
    ----------
    tensors : dict
        ``act/<key>`` and ``attn/<key>`` tensors (detached copies, on the model's device).
    trace : vizdl.record.graph.Trace or None
        Module calls in order (when traced).
    attention : AttentionCapture
    sdpa_calls : int
        Calls of ``F.scaled_dot_product_attention`` (when watched).
    """

    tensors: dict = field(default_factory=dict)
    trace: Trace | None = None
    attention: AttentionCapture = field(default_factory=AttentionCapture)
    sdpa_calls: int = 0


def probe_forward(module: nn.Module, inputs: torch.Tensor, layers: list[str], sources: list, *,
                  trace: bool = False, watch_sdpa: bool = False) -> ProbeResult:
    """Run ``module`` on ``inputs`` once and collect what the hooks saw (see the module docstring)."""
    result = ProbeResult()
    with contextlib.ExitStack() as stack:
        stack.enter_context(eval_mode(module))
        stack.enter_context(torch.no_grad())
        stack.enter_context(visible_forward())
        traced = stack.enter_context(trace_calls(module)) if trace else None
        attention = stack.enter_context(capture_attention(sources))   # first: it may rewrite MHA outputs
        outputs = stack.enter_context(capture_outputs(module, layers))
        watch = stack.enter_context(SDPAWatch()) if watch_sdpa else None
        module(inputs.to(device_of(module)))
    result.tensors = {f"act/{key}": t for key, t in outputs.items()}
    result.tensors.update({f"attn/{key}": t for key, t in attention.maps.items()})
    result.trace, result.attention = traced, attention
    result.sdpa_calls = watch.calls if watch is not None else 0
    return result


__all__ = ["ProbeResult", "probe_forward"]
