"""Which recorded layers a picture shows, in the order forward uses them.

Every picture that says "first", "layer i" or draws ``input -> output`` asks this module;
the order comes from the run's layer graph (``run.graph``, see :mod:`vizdl.runs.graph`),
never from sorting names. The functions take a :class:`vizdl.Run` (or anything with
``graph``, ``weights``, ``grads``, ``activations``) and return names and arrays.

- :func:`parameter_groups`: every recorded parameter (weights, biases, recurrent and
  ``in_proj`` weights, BatchNorm scales...) grouped per module;
- :func:`first_conv`: the first 2-D convolution forward runs;
- :func:`channel_layers`: recorded activations with a channel axis ``(N, C, H, W)``;
- :func:`mlp_chain`: the Linear layers and activations of a model that is a chain of
  ``nn.Linear`` + activation modules, whatever their names.
"""
from __future__ import annotations

import numpy as np

ACTIVATION_MODULES = {"Tanh": "tanh", "Sigmoid": "sigmoid", "ReLU": "relu", "LeakyReLU": "leaky_relu",
                      "ELU": "elu", "GELU": "gelu", "SiLU": "silu", "Softplus": "softplus",
                      "Identity": "identity"}
LINEAR_MODULES = ("Linear", "LazyLinear", "NonDynamicallyQuantizableLinear")
PASS_MODULES = ("Flatten", "Dropout", "AlphaDropout", "Identity")


def parameter_groups(run, kind: str = "weight", step=None) -> list[tuple[str, dict]]:
    """``[(module, {parameter: array})]`` of ``kind`` in {"weight", "grad"} at ``step``, in execution order.

    Every recorded parameter takes part, grouped by the module that owns it.
    """
    if kind not in ("weight", "grad"):
        raise ValueError(f"kind must be 'weight' or 'grad', got {kind!r}")
    arrays = run.weights(step) if kind == "weight" else run.grads(step)
    return [(module, {n: arrays[n] for n in names}) for module, names in run.graph.parameter_groups(arrays)]


def group_values(group: dict) -> np.ndarray:
    """All values of one module's parameters, flattened into one array."""
    return np.concatenate([np.ravel(a) for a in group.values()]) if group else np.zeros(0)


def first_conv(run, step=None) -> tuple:
    """``(parameter name, weights (C_out, C_in, kh, kw))`` of the first 2-D convolution forward runs.

    Raises ValueError for a run without one.
    """
    weights = run.weights(step)
    for module, names in run.graph.parameter_groups(weights):
        four_d = [n for n in names if np.ndim(weights[n]) == 4]
        if four_d and run.graph.type_of(module) in ("Conv2d", "LazyConv2d", ""):
            return four_d[0], np.asarray(weights[four_d[0]])
    raise ValueError(f"run {run.path} (model {_model(run)}) has no 2-D convolution weight (C_out, C_in, kh, kw); "
                     "first_layer_kernels needs a CNN run, e.g. vizdl.models.build('cifar_cnn', ...)")


def channel_layers(run, step=None, acts: dict | None = None) -> list:
    """Recorded activation keys whose arrays have a channel axis ``(N, C, H, W)``, in execution order."""
    acts = run.activations(step) if acts is None else acts
    return [n for n in run.graph.in_execution_order(acts) if np.ndim(acts[n]) == 4]


def mlp_chain(run, activation=None) -> list[tuple[str, str]]:
    """``[(Linear module, activation after it)]`` of a chain of ``nn.Linear`` + activations.

    The activations are read from the module types in the graph's call sequence (a
    shared ``nn.ReLU`` counts after every layer that uses it); the last layer is the
    identity (logits). ``activation`` (one name, or one per hidden layer) is needed only
    when the model applies a functional activation (``F.relu`` in ``forward``), which no
    hook can see.

    Raises
    ------
    ValueError
        For a module that is not ``Linear``, an activation, ``Flatten``, ``Dropout`` or
        ``Identity`` (naming it), or for two Linear layers with nothing visible between
        them and no ``activation=``.
    """
    layers = _legacy_sequence(run) if run.graph.source == "legacy" else _linear_sequence(run)
    hidden = len(layers) - 1
    if activation is not None:
        acts = [activation] * hidden if isinstance(activation, str) else list(activation)
        if len(acts) != hidden:
            raise ValueError(f"activation: need one name or {hidden} names (one per hidden layer), "
                             f"got {activation!r}")
        return list(zip([n for n, _ in layers], [*acts, "identity"]))
    unseen = [name for name, act in layers[:-1] if act is None]
    if unseen and not _identity_fits(run, [n for n, _ in layers], unseen):
        raise ValueError(f"run {run.path}: no activation module runs after {', '.join(unseen)}; the model "
                         "probably applies a functional activation (F.relu in forward) that hooks cannot see. "
                         "Pass it explicitly, e.g. activation='relu' (one name or one per hidden layer)")
    return [(name, act or "identity") for name, act in layers[:-1]] + [(layers[-1][0], "identity")]


def is_mlp_chain(run) -> bool:
    """Whether ``run`` recorded a chain of ``nn.Linear`` + activation modules."""
    try:
        mlp_chain(run)
    except ValueError:
        return False
    return True


def _linear_sequence(run) -> list[list]:
    """``[[linear name, activation or None]]`` from the call sequence; ValueError for other modules."""
    graph, layers = run.graph, []
    for name in graph.call_sequence:
        kind = graph.type_of(name)
        if kind in LINEAR_MODULES:
            if any(n == name for n, _ in layers):
                raise ValueError(f"run {run.path}: {name} runs more than once; an MLP picture needs a chain "
                                 "in which each Linear layer runs once")
            layers.append([name, None])
        elif kind in ACTIVATION_MODULES and kind != "Identity":
            if not layers or layers[-1][1] is not None:
                raise ValueError(f"run {run.path}: activation {name} ({kind}) does not follow a Linear layer; "
                                 "this picture needs a chain Linear, activation, Linear, ...")
            layers[-1][1] = ACTIVATION_MODULES[kind]
        elif kind not in PASS_MODULES:
            raise ValueError(f"run {run.path}: module {name or '(model)'!r} ({kind or 'unknown type'}) is not part "
                             f"of a chain of nn.Linear + activations; this picture needs an MLP (allowed: Linear, "
                             f"{', '.join(sorted(ACTIVATION_MODULES))}, Flatten, Dropout)")
    if not layers:
        raise ValueError(f"run {run.path} (model {_model(run)}): no Linear layer ran; this picture needs an MLP")
    if layers[-1][1] is not None:
        raise ValueError(f"run {run.path}: the chain ends with an activation after {layers[-1][0]}; the "
                         "pictures expect logits (the softmax lives in the loss)")
    return layers


def _legacy_sequence(run) -> list[list]:
    """A zoo MLP recorded before the layer graph existed: its Linear layers and configured activation."""
    model = run.meta.get("model") or {}
    if model.get("name") not in ("mlp", "logreg", "perceptron"):
        raise ValueError(f"run {run.path} was recorded without a layer graph and is not a vizdl MLP "
                         f"(model {_model(run)}); record it again with this version of vizdl")
    names = [p.rpartition(".")[0] for p in run.meta.get("parameters", []) if p.endswith(".weight")]
    act = (model.get("config") or {}).get("activation", "relu")
    return [[n, act] for n in names[:-1]] + [[names[-1], None]]


def _identity_fits(run, linears: list, unseen: list) -> bool:
    """Whether the recorded activations show no activation after each ``unseen`` layer."""
    if not run.steps:
        return False
    step = run.steps[-1]
    acts, weights = run.activations(step), run.weights(step)
    for name in unseen:
        following = linears[linears.index(name) + 1]
        if name not in acts or following not in acts or f"{following}.weight" not in weights:
            return False
        bias = weights.get(f"{following}.bias", 0.0)
        expected = np.asarray(acts[name], np.float64).reshape(len(acts[name]), -1) @ \
            np.asarray(weights[f"{following}.weight"], np.float64).T + bias
        if not np.allclose(expected, np.asarray(acts[following]).reshape(expected.shape), rtol=1e-3, atol=1e-4):
            return False
    return True


def _model(run) -> str:
    model = run.meta.get("model") or {}
    return repr(model.get("name") or model.get("class"))


__all__ = ["ACTIVATION_MODULES", "channel_layers", "first_conv", "group_values", "is_mlp_chain", "mlp_chain",
           "parameter_groups"]
