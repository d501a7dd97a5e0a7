"""Rebuilding a recorded model: structure from a template, weights and buffers from the run.

The structure comes from, in this order: the template given to ``Run.open(path,
model=...)`` -- an ``nn.Module`` instance (its structure is copied, never its
weights), a class or a factory called without arguments -- or, for zoo models, the
name and config in ``run.json``. The model is first built on the ``meta`` device (no
memory) and its parameter names and shapes are checked against the recorded tensors;
only a match is built for real, so a tampered ``run.json`` config cannot make
``run.model()`` allocate gigabytes. ``_orig_mod.`` (torch.compile) and ``module.``
(DDP) prefixes are stripped when the recorded names carry them.
"""
from __future__ import annotations

import copy

import numpy as np


def can_rebuild(run) -> bool:
    """Whether ``run.model()`` has a structure to build (a template, or a zoo model name)."""
    return run.template is not None or bool((run.meta.get("model") or {}).get("name"))


def rebuild(run, step, template=None):
    """The model of ``run`` with the weights and buffers recorded at ``step``, in eval mode, on the CPU."""
    import torch

    step = run.require_step(step)
    build = _builder(run, template)
    state = {**run.weights(step), **run.buffers(step)}
    state = _checked_state(build("meta"), state, run, step)
    model = build("cpu")
    model.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in state.items()})
    return model.eval()


def _builder(run, template):
    """``build(device) -> nn.Module`` for the template, or the zoo entry of ``run.json``."""
    from torch import nn

    if template is None:
        spec = run.meta.get("model") or {}
        if not spec.get("name"):
            cls = spec.get("class") or "your model"
            raise ValueError(f"run {run.path} was recorded from {cls}, a model outside vizdl.models: open it "
                             f"with vizdl.Run.open(path, model={cls if spec.get('class') else 'MyModel'}) -- a "
                             "class, a factory called without arguments, or an instance -- to rebuild it")
        return lambda device: _on(device, _zoo(spec))
    if isinstance(template, nn.Module):
        return lambda device: _structure_copy(template, device)
    if callable(template):
        return lambda device: _on(device, template)
    raise ValueError(f"model must be an nn.Module, a class or a factory returning one, got "
                     f"{type(template).__name__}")


def _zoo(spec):
    from vizdl.models import build

    return lambda: build(spec["name"], **spec.get("config", {}))


def _on(device: str, make):
    import torch
    from torch import nn

    from vizdl.record.models import unwrap

    with torch.device(device):
        model = make()
    if not isinstance(model, nn.Module):
        raise ValueError(f"model: the factory returned {type(model).__name__}, not an nn.Module")
    return unwrap(model)


def _structure_copy(template, device: str):
    """A copy of ``template``'s modules on ``device`` without copying (or reading) its weights."""
    import torch
    from torch import nn

    from vizdl.record.models import unwrap

    source = unwrap(template)
    memo = {id(p): nn.Parameter(torch.empty_like(p, device="meta"), requires_grad=p.requires_grad)
            for p in source.parameters()}
    memo.update({id(b): torch.empty_like(b, device="meta") for b in source.buffers()})
    model = copy.deepcopy(source, memo)
    if device == "meta":
        return model
    model = model.to_empty(device=device)
    persistent = set(model.state_dict())
    with torch.no_grad():
        for name, buffer in source.named_buffers():  # non-persistent buffers are not recorded
            if name not in persistent:
                model.get_buffer(name).copy_(buffer.detach())
    return model


def _checked_state(skeleton, state: dict, run, step) -> dict:
    """``state`` renamed to the skeleton's names; ValueError for any missing, extra or misshapen tensor."""
    from vizdl.record.models import strip_wrapper_prefix

    expected = {k: tuple(v.shape) for k, v in skeleton.state_dict().items()}
    if set(state) != set(expected):
        stripped = {strip_wrapper_prefix(k): v for k, v in state.items()}
        if len(stripped) == len(state) and set(stripped) & set(expected) > set(state) & set(expected):
            state = stripped
    state = _with_tied(skeleton, state)
    constants = {n for n, _ in skeleton.named_buffers()} - set(expected)  # non-persistent: built, not loaded
    state = {k: v for k, v in state.items() if k not in constants}
    missing = sorted(set(expected) - set(state))
    extra = sorted(set(state) - set(expected))
    shapes = [f"{k} recorded {tuple(np.shape(state[k]))}, model has {expected[k]}"
              for k in expected if k in state and tuple(np.shape(state[k])) != expected[k]]
    if missing or extra or shapes:
        problems = [f"missing in the run: {_few(missing)}" if missing else "",
                    f"not in the model: {_few(extra)}" if extra else "",
                    "; ".join(shapes[:4]) + (f" (+{len(shapes) - 4} more shapes)" if len(shapes) > 4 else "")]
        raise ValueError(f"run {run.path}, step {step}: the model to rebuild ({type(skeleton).__name__}) does not "
                         f"match the recorded tensors -- {'; '.join(p for p in problems if p)}. Pass the "
                         "model the run was recorded from: vizdl.Run.open(path, model=...)")
    return state


def _with_tied(skeleton, state: dict) -> dict:
    """Fill names of tied tensors (one tensor, several names: recorded once) from their twin."""
    names: dict[int, list[str]] = {}
    for name, tensor in [*skeleton.named_parameters(remove_duplicate=False),
                         *skeleton.named_buffers(remove_duplicate=False)]:
        names.setdefault(id(tensor), []).append(name)
    state = dict(state)
    for group in names.values():
        known = [n for n in group if n in state]
        for name in group:
            if known and name not in state:
                state[name] = state[known[0]]
    return state


def _few(names: list) -> str:
    return ", ".join(names[:6]) + (f" (+{len(names) - 6} more)" if len(names) > 6 else "")


__all__ = ["can_rebuild", "rebuild"]
