"""The model zoo by name: ``build(name, ...)`` and ``available()``.

Factories are imported lazily from ``"module:function"`` strings, so a model's module is
only imported when that model is built.
"""
from __future__ import annotations

import importlib
import inspect
import json

import torch
from torch import nn

FACTORIES = {
    "perceptron": "vizdl.models.mlp:perceptron",
    "logreg": "vizdl.models.mlp:logreg",
    "mlp": "vizdl.models.mlp:mlp",
    "cifar_fc": "vizdl.models.cnn:cifar_fc",
    "cifar_cnn": "vizdl.models.cnn:cifar_cnn",
    "cifar_wide": "vizdl.models.cnn:cifar_wide",
    "rnn": "vizdl.models.recurrent:rnn",
    "lstm": "vizdl.models.recurrent:lstm",
    "gru": "vizdl.models.recurrent:gru",
    "tiny_transformer": "vizdl.models.transformer:tiny_transformer",
    "vit": "vizdl.models.transformer:vit",
}


def available() -> list[str]:
    """Names accepted by :func:`build`."""
    return list(FACTORIES)


def factory(name: str):
    """The function that builds the model ``name``."""
    if name not in FACTORIES:
        raise KeyError(f"unknown model {name!r}; available models: {', '.join(FACTORIES)}")
    module, _, attr = FACTORIES[name].partition(":")
    return getattr(importlib.import_module(module), attr)


def build(name: str, *, data=None, input_shape=None, num_classes=None, seed: int | None = 0,
          **kw) -> nn.Module:
    """Build the zoo model ``name``.

    Parameters
    ----------
    name : str
        One of :func:`available`.
    data : vizdl.data.Dataset, optional
        Fills ``input_shape``, ``num_classes`` and, for sequence models, ``vocab_size``.
    input_shape : tuple, optional
        Shape of one sample, e.g. ``(1, 28, 28)`` or ``(seq_len,)``.
    num_classes : int, optional
        Number of outputs.
    seed : int or None
        Seeds the initial weights (default 0), without touching torch's global random
        state, so the same call gives the same model in every process. ``None`` draws
        from torch's global generator instead.
    **kw
        The model's own options (``hidden``, ``activation``, ``d_model``...); see the
        factory's docstring, e.g. ``help(vizdl.models.mlp.mlp)``.

    Returns
    -------
    torch.nn.Module
        With ``model.vizdl_spec = {"name": name, "config": {...}}`` holding every resolved
        option (JSON), so that ``build(spec["name"], **spec["config"])`` rebuilds it.
    """
    make = factory(name)
    params = inspect.signature(make).parameters
    kwargs = {**_from_data(name, data, params, input_shape, num_classes, kw), **kw}
    if input_shape is not None:
        kwargs["input_shape"] = input_shape
    if num_classes is not None:
        kwargs["num_classes"] = num_classes
    _check_arguments(name, params, kwargs)
    if seed is None:
        model = make(**kwargs)
    else:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            model = make(**kwargs)
    bound = inspect.signature(make).bind(**kwargs)
    bound.apply_defaults()
    config = {**_jsonable(dict(bound.arguments)), **(getattr(model, "vizdl_spec", None) or {}).get("config", {})}
    model.vizdl_spec = {"name": name, "config": json.loads(json.dumps(config))}
    return model


def _from_data(name, data, params, input_shape, num_classes, kw) -> dict:
    if data is None:
        return {}
    shape = tuple(data.input_shape)
    if input_shape is not None and tuple(input_shape) != shape:
        raise ValueError(f"input_shape={tuple(input_shape)} disagrees with dataset "
                         f"{data.name!r} whose samples have shape {shape}")
    out = {"input_shape": shape, "num_classes": data.num_classes}
    if "vocab_size" in params and getattr(data, "vocab_size", None) is not None:
        out["vocab_size"] = data.vocab_size
    return out


def _check_arguments(name: str, params, kwargs: dict) -> None:
    unknown = sorted(set(kwargs) - set(params))
    if unknown:
        raise ValueError(f"unknown option(s) {', '.join(unknown)} for model {name!r}; "
                         f"allowed: {', '.join(params)}")
    missing = [p for p, v in params.items() if v.default is inspect.Parameter.empty and p not in kwargs]
    if missing:
        raise ValueError(f"model {name!r} needs {', '.join(missing)} "
                         "(pass them, or data=a vizdl.data.Dataset)")


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [_jsonable(v) for v in value]
    return value
