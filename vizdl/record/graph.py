"""The layer graph: modules in the order forward first uses them, written to ``run.json``.

Pictures that say "first layer", "layer i" or draw ``input -> output`` read this order
(:mod:`vizdl.runs.graph`), never the alphabetical or registration order of the names.

``"graph": {"source", "modules", "sequence"}``. Each entry of ``modules``:
``{"name", "type", "calls", "leaf", "parameters"}`` -- ``calls`` is how often the module
ran in one forward, ``parameters`` the names (as in ``state_dict``) of the parameters it
owns itself. The root module is the entry named ``""``. A module that never runs (e.g.
``nn.MultiheadAttention.out_proj``, whose weights its parent uses functionally) is placed
right after its parent's part of the order, with ``calls: 0``. ``sequence`` lists the
layers (modules without children) in call order, repeats included -- a shared ``ReLU``
appears after every layer that uses it (at most :data:`MAX_SEQUENCE` calls).
"""
from __future__ import annotations

import contextlib
from functools import partial

from torch import nn

MAX_SEQUENCE = 4096


class Trace:
    """Module calls seen during one forward: ``calls`` (first-call order) and ``sequence``."""

    def __init__(self):
        self.calls: dict[str, int] = {}
        self.sequence: list[str] = []
        self.depth = 0
        self.done = False


@contextlib.contextmanager
def trace_calls(model: nn.Module):
    """Record module calls during the block; yields a :class:`Trace`.

    Only the first complete forward of the root module is recorded.
    """
    trace, handles = Trace(), []
    try:
        for name, module in model.named_modules():
            handles.append(module.register_forward_pre_hook(partial(_count, trace, name)))
        handles.append(model.register_forward_pre_hook(partial(_enter_root, trace), prepend=True))
        handles.append(model.register_forward_hook(partial(_leave_root, trace), always_call=True))
        yield trace
    finally:
        for handle in handles:
            handle.remove()


def _enter_root(trace, module, args):
    trace.depth += 1


def _leave_root(trace, module, args, output):
    trace.depth -= 1
    trace.done = trace.done or trace.depth == 0


def _count(trace, name, module, args):
    if not trace.done:
        trace.calls[name] = trace.calls.get(name, 0) + 1
        if len(trace.sequence) < MAX_SEQUENCE:
            trace.sequence.append(name)


def graph_json(model: nn.Module, trace: Trace | None, source: str) -> dict:
    """The ``run.json`` graph of ``model``: from ``trace``, or in registration order without one."""
    if trace is None or not trace.calls:
        return {"source": "registration", "modules": registration_graph(model), "sequence": []}
    modules = layer_graph(model, trace.calls)
    leaves = {m["name"] for m in modules if m["leaf"] or m["type"] == "MultiheadAttention"}
    sequence = [n for n in trace.sequence if n in leaves and n]
    return {"source": source, "modules": modules, "sequence": sequence}


def layer_graph(model: nn.Module, calls: dict[str, int]) -> list[dict]:
    """The graph entries of ``model`` in execution order (see the module docstring)."""
    modules = dict(model.named_modules())
    registered = list(modules)
    order = _place_uncalled([n for n in calls if n in modules], registered)
    owned = _owned_parameters(model)
    return [{"name": name, "type": type(modules[name]).__name__, "calls": calls.get(name, 0),
             "leaf": not any(True for _ in modules[name].children()), "parameters": owned.get(name, [])}
            for name in order]


def registration_graph(model: nn.Module) -> list[dict]:
    """Graph entries in registration order (used when no forward could be observed)."""
    everything = {name: 0 for name, _ in model.named_modules()}
    return [{**entry, "calls": None} for entry in layer_graph(model, everything)]


def _owned_parameters(model: nn.Module) -> dict[str, list[str]]:
    owned: dict[str, list[str]] = {}
    for name, _ in model.named_parameters():
        owned.setdefault(name.rpartition(".")[0], []).append(name)
    return owned


def _within(name: str, parent: str) -> bool:
    return parent == "" or name == parent or name.startswith(parent + ".")


def _place_uncalled(called: list[str], registered: list[str]) -> list[str]:
    """Insert never-called modules after the called part of their parent registered before them."""
    rank = {name: i for i, name in enumerate(registered)}
    order = list(called)
    seen = set(called)
    for name in registered:
        if name in seen:
            continue
        parent = name.rpartition(".")[0] if name else ""
        before = [i for i, other in enumerate(order)
                  if _within(other, parent) and other != name and rank[other] < rank[name]]
        order.insert(max(before) + 1 if before else len(order), name)
        seen.add(name)
    return order


__all__ = ["MAX_SEQUENCE", "Trace", "graph_json", "layer_graph", "registration_graph", "trace_calls"]
