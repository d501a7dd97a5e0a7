"""What a network diagram of an MLP shows: every layer's values, a readable subset, the edges.

The notes write layer ``i`` as ``x_i = sigma_i(A_i x_{i-1} + b_i)`` with the softmax as the
last ``sigma``: vizdl's MLPs output the logits ``z_L`` (the softmax lives in the loss), and
the diagram's last layer is ``x_L = softmax(z_L)``, the class probabilities (``pre`` keeps
``z_L``). A diagram of a 784-128-64-10 network cannot draw 100k edges, so
:func:`network_diagram_data` keeps at most ``max_neurons`` neurons per layer (the largest
``|x_i^j|`` or evenly spaced ones), marks the others with one ellipsis slot, and lists only
the edges between kept neurons.

Numbers only (no colours: :mod:`vizdl.views.network` gives the edges their roles):

- an edge from ``x_{i-1}^c`` to ``x_i^r`` carries ``A_i[r, c]``;
- its opacity is ``|x_{i-1}^c| / max_j |x_{i-1}^j|`` (over the *whole* previous layer),
  never below :data:`MIN_OPACITY` (the notes: "transparency proportional to the previous
  neurons");
- ``strength = |A_i[r, c]| / limit`` in ``[0, 1]`` with ``limit = max |A_i[shown]|``.

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> w = {"net.1.weight": rng.normal(size=(3, 2)), "net.1.bias": np.zeros(3),
    ...      "net.3.weight": rng.normal(size=(2, 3)), "net.3.bias": np.zeros(2)}
    >>> d = network_diagram_data(w, [0.5, -1.0], activation="tanh")
    >>> d.sizes, [len(e.weight) for e in d.edges]
    ((2, 3, 2), [6, 6])
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

MIN_OPACITY = 0.08
MAX_NEURONS = 8
SELECTIONS = ("top", "even", "first")
MLP_MODELS = ("mlp", "logreg", "perceptron")
ACTIVATIONS = ("identity", "relu", "tanh", "sigmoid", "leaky_relu", "elu", "gelu", "silu", "softplus")
#: ``sigma_L`` of the last layer: the notes' softmax (vizdl's classifiers output its input ``z_L``).
OUTPUT_ACTIVATION = "softmax"

_erf = np.vectorize(math.erf, otypes=[float])
_FUNCTIONS = {
    "identity": lambda z: z,
    "relu": lambda z: np.maximum(z, 0.0),
    "tanh": np.tanh,
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
    "elu": lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0.0))),
    "gelu": lambda z: 0.5 * z * (1.0 + _erf(z / math.sqrt(2.0))),
    "silu": lambda z: z / (1.0 + np.exp(-z)),
    "softplus": lambda z: np.logaddexp(0.0, z),
    "softmax": lambda z: np.exp(z - np.max(z, axis=-1, keepdims=True))
    / np.exp(z - np.max(z, axis=-1, keepdims=True)).sum(axis=-1, keepdims=True),
}


@dataclass(frozen=True)
class DenseLayer:
    """One Linear layer ``x_i = sigma_i(A_i x_{i-1} + b_i)`` read from a state dict.

    Attributes
    ----------
    name : str
        Module name, e.g. ``"net.1"`` (keys ``net.1.weight`` / ``net.1.bias``).
    A : ndarray, shape (k_i, k_{i-1})
    b : ndarray, shape (k_i,)
    activation : str
        ``sigma_i`` (``"softmax"`` for the last layer).
    """

    name: str
    A: np.ndarray
    b: np.ndarray
    activation: str


@dataclass(frozen=True)
class LayerView:
    """The neurons of ``x_i`` a diagram draws.

    Attributes
    ----------
    index : int
        ``i`` (0 for the input).
    name : str
        ``"input"`` or the Linear module's name.
    values : ndarray, shape (k_i,)
        ``x_i`` for every neuron (probabilities for the last layer).
    pre : ndarray or None
        ``z_i = A_i x_{i-1} + b_i`` for every neuron (``None`` for the input; the logits
        for the last layer).
    shown : ndarray of int
        Indices of the drawn neurons, increasing.
    ellipsis_at : int or None
        Slot (0-based, among ``len(shown) + 1`` slots) of the ellipsis marker; ``None``
        when every neuron is drawn.
    activation : str
        ``sigma_i`` (``"input"`` for ``x_0``).
    """

    index: int
    name: str
    values: np.ndarray
    pre: np.ndarray | None
    shown: np.ndarray
    ellipsis_at: int | None
    activation: str

    @property
    def size(self) -> int:
        """Number of neurons ``k_i``."""
        return int(self.values.size)

    @property
    def hidden(self) -> int:
        """Number of neurons not drawn."""
        return self.size - int(self.shown.size)

    @property
    def slots(self) -> list:
        """Drawing order: neuron indices, with ``None`` where the ellipsis goes."""
        slots = [int(j) for j in self.shown]
        if self.ellipsis_at is not None:
            slots.insert(self.ellipsis_at, None)
        return slots


@dataclass(frozen=True)
class EdgeSet:
    """The drawn edges from ``x_{i-1}`` to ``x_i`` (one entry per edge).

    Attributes
    ----------
    layer : int
        ``i``.
    src, dst : ndarray of int
        Neuron indices in ``x_{i-1}`` and ``x_i`` (full-layer indices).
    weight : ndarray
        ``A_i[dst, src]``.
    opacity : ndarray
        ``max(|x_{i-1}^src| / max |x_{i-1}|, MIN_OPACITY)``.
    strength : ndarray
        ``|weight| / limit`` in ``[0, 1]``.
    limit : float
        Symmetric colour limit of this layer's drawn edges.
    """

    layer: int
    src: np.ndarray
    dst: np.ndarray
    weight: np.ndarray
    opacity: np.ndarray
    strength: np.ndarray
    limit: float


@dataclass(frozen=True)
class NetworkDiagramData:
    """Everything a diagram of an MLP on one input draws.

    Attributes
    ----------
    layers : tuple of LayerView
        ``x_0`` (input) first, ``x_L = softmax(z_L)`` last.
    edges : tuple of EdgeSet
        ``edges[i - 1]`` joins ``x_{i-1}`` to ``x_i``.
    """

    layers: tuple
    edges: tuple

    @property
    def probabilities(self) -> np.ndarray:
        """``x_L = softmax(z_L)``: the last layer's values."""
        return self.layers[-1].values

    @property
    def logits(self) -> np.ndarray:
        """``z_L = A_L x_{L-1} + b_L``."""
        return self.layers[-1].pre

    @property
    def sizes(self) -> tuple:
        """Neurons per layer, input first (e.g. ``(784, 128, 64, 10)``)."""
        return tuple(layer.size for layer in self.layers)

    @property
    def values(self) -> list:
        """``[x_0, x_1, ..., x_L]``."""
        return [layer.values for layer in self.layers]

    @property
    def edge_count(self) -> int:
        """Number of drawn edges."""
        return sum(int(e.weight.size) for e in self.edges)


def activation_function(name: str):
    """The NumPy function ``sigma`` called ``name`` (one of :data:`ACTIVATIONS`)."""
    if name not in _FUNCTIONS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}, got {name!r}")
    return _FUNCTIONS[name]


def mlp_layers(weights: dict, *, activation="relu", layers=None) -> list:
    """The Linear layers of an MLP state dict, in forward order.

    Parameters
    ----------
    weights : dict
        ``state_dict``-style arrays: ``<module>.weight`` of shape ``(k_i, k_{i-1})`` and
        ``<module>.bias`` (zeros when missing).
    activation : str or sequence of str
        ``sigma`` of the hidden layers (one name or one per hidden layer); the last layer's is
        the softmax (:data:`OUTPUT_ACTIVATION`).
    layers : sequence of str, optional
        The Linear modules in forward order (e.g. from :func:`vizdl.ops.layers.mlp_chain`);
        by default the ``<module>.weight`` keys in the dict's own order (a ``state_dict``
        lists them in registration order) -- never sorted by name.

    Returns
    -------
    list of DenseLayer
    """
    names = list(layers) if layers is not None else [k[: -len(".weight")] for k in weights if k.endswith(".weight")]
    if not names:
        raise ValueError(f"weights: no '<module>.weight' entry; got keys {sorted(weights)[:6]}")
    for name in names:
        if f"{name}.weight" not in weights:
            raise ValueError(f"weights: no {name}.weight; got keys {sorted(weights)[:6]}")
        shape = np.shape(weights[f"{name}.weight"])
        if len(shape) != 2:
            raise ValueError(f"weights: {name}.weight has shape {shape}; an MLP has only 2-D Linear "
                             f"weights (this looks like a {'CNN' if len(shape) == 4 else 'non-MLP'} model)")
    acts = _activation_list(activation, len(names) - 1)
    layers = [DenseLayer(n, np.asarray(weights[f"{n}.weight"], dtype=np.float64),
                         np.asarray(weights.get(f"{n}.bias", np.zeros(np.shape(weights[f"{n}.weight"])[0])),
                                    dtype=np.float64), a) for n, a in zip(names, acts)]
    _check_chain(layers)
    return layers


def _activation_list(activation, hidden: int) -> list:
    acts = [activation] * hidden if isinstance(activation, str) else list(activation)
    if len(acts) != hidden:
        raise ValueError(f"activation: need one name or {hidden} names (one per hidden layer), got {activation!r}")
    for a in acts:
        activation_function(a)
    return acts + [OUTPUT_ACTIVATION]


def _check_chain(layers) -> None:
    for prev, layer in zip(layers, layers[1:]):
        if layer.A.shape[1] != prev.A.shape[0]:
            raise ValueError(f"weights: {layer.name}.weight takes {layer.A.shape[1]} inputs but "
                             f"{prev.name} gives {prev.A.shape[0]}; the layers do not chain")
    for layer in layers:
        if layer.b.shape != (layer.A.shape[0],):
            raise ValueError(f"weights: {layer.name}.bias has shape {layer.b.shape}, expected ({layer.A.shape[0]},)")


def mlp_forward(layers, x) -> tuple:
    """Forward pass: ``(pres, values)`` with ``values = [x_0, ..., x_L]`` (float64).

    ``x`` is flattened (like the MLP's ``Flatten``); ``pres[i - 1] = z_i = A_i x_{i-1} + b_i``;
    ``x_L = softmax(z_L)``.
    """
    x0 = np.asarray(x, dtype=np.float64).ravel()
    if x0.size != layers[0].A.shape[1]:
        raise ValueError(f"x: {x0.size} values (shape {np.shape(x)}), the first layer takes {layers[0].A.shape[1]}")
    pres, values = [], [x0]
    for layer in layers:
        pres.append(layer.A @ values[-1] + layer.b)
        values.append(activation_function(layer.activation)(pres[-1]))
    return pres, values


def forward_values(weights, biases, activations, x) -> list:
    """``[x_0, ..., x_L]`` of one input through the MLP ``(A_i, b_i)`` (hidden ``activations``; softmax last)."""
    layers = [DenseLayer(f"layer{i}", np.asarray(A, dtype=np.float64), np.asarray(b, dtype=np.float64), a)
              for i, (A, b, a) in enumerate(zip(weights, biases, _activation_list(activations, len(weights) - 1)),
                                            start=1)]
    _check_chain(layers)
    return mlp_forward(layers, x)[1]


def select_neurons(values, max_neurons: int = MAX_NEURONS, how: str = "top") -> np.ndarray:
    """Indices (increasing) of at most ``max_neurons`` neurons to draw.

    ``how="top"`` keeps the largest ``|value|`` (ties: lower index first), ``"even"``
    evenly spaced neurons (first and last included), ``"first"`` the first ones.
    """
    values = np.asarray(values).ravel()
    if not isinstance(max_neurons, (int, np.integer)) or max_neurons < 2:
        raise ValueError(f"max_neurons must be an integer >= 2, got {max_neurons!r}")
    if how not in SELECTIONS:
        raise ValueError(f"select must be one of {SELECTIONS}, got {how!r}")
    n = values.size
    if n <= max_neurons:
        return np.arange(n)
    if how == "top":
        return np.sort(np.argsort(-np.abs(values), kind="stable")[:max_neurons])
    if how == "even":
        return np.unique(np.round(np.linspace(0, n - 1, max_neurons)).astype(int))
    return np.arange(max_neurons)


def _ellipsis_slot(shown, size: int) -> int | None:
    """Where the ellipsis goes: at the widest gap in ``shown`` (``None`` when nothing is hidden)."""
    if shown.size == size:
        return None
    bounds = np.concatenate([[-1], shown, [size]])
    return int(np.argmax(np.diff(bounds)))


def edge_set(i: int, A, prev_values, src, dst) -> EdgeSet:
    """The edges between neurons ``src`` of ``x_{i-1}`` and ``dst`` of ``x_i`` (every pair)."""
    s, d = np.meshgrid(np.asarray(src, dtype=int), np.asarray(dst, dtype=int))
    s, d = s.ravel(), d.ravel()
    weight = np.asarray(A, dtype=np.float64)[d, s]
    limit = magnitude_limit(weight)
    opacity = edge_opacity(prev_values, s)
    return EdgeSet(i, s, d, weight, opacity, np.clip(np.abs(weight) / limit, 0.0, 1.0), limit)


def magnitude_limit(values) -> float:
    """``max |values|`` over the finite values (1 for none or all zeros): a symmetric colour limit."""
    magnitudes = np.abs(np.asarray(values, dtype=np.float64)).ravel()
    magnitudes = magnitudes[np.isfinite(magnitudes)]
    return float(magnitudes.max()) if magnitudes.size and magnitudes.max() > 0 else 1.0


def edge_opacity(prev_values, src) -> np.ndarray:
    """``max(|x_{i-1}^src| / max |x_{i-1}|, MIN_OPACITY)`` of edges leaving neurons ``src``."""
    prev = np.abs(np.asarray(prev_values, dtype=np.float64).ravel())
    return np.maximum(prev[np.asarray(src, dtype=int)] / magnitude_limit(prev), MIN_OPACITY)


def network_diagram_data(weights: dict, x, *, activation="relu", max_neurons: int = MAX_NEURONS,
                         select: str = "top", neurons: dict | None = None,
                         max_outputs: int = 10, include: dict | None = None,
                         layers=None) -> NetworkDiagramData:
    """Values, drawn neurons and drawn edges of the MLP ``weights`` on the input ``x``.

    Parameters
    ----------
    weights : dict
        ``state_dict``-style arrays (see :func:`mlp_layers`).
    x : array_like
        One input (flattened).
    activation : str or sequence of str
        Hidden activations (from :data:`ACTIVATIONS`).
    max_neurons : int
        Most rows drawn per layer: a layer of more neurons shows ``max_neurons - 1`` of
        them and an ellipsis standing for the others.
    select : {"top", "even", "first"}
        How to choose them (see :func:`select_neurons`).
    neurons : dict of int -> sequence of int, optional
        Explicit neuron indices for some layers (``0`` = input).
    max_outputs : int
        Most rows drawn in the output layer (10: every digit class).
    include : dict of int -> sequence of int, optional
        Neurons always drawn in some layers (e.g. the true class), the others chosen by
        ``select`` among the rest.
    layers : sequence of str, optional
        The Linear modules in forward order (see :func:`mlp_layers`).

    Returns
    -------
    NetworkDiagramData
    """
    layers = mlp_layers(weights, activation=activation, layers=layers)
    pres, values = mlp_forward(layers, x)
    limits = [max_neurons] * (len(values) - 1) + [max(max_outputs, 2)]
    include = {k % len(values): v for k, v in (include or {}).items()}
    shown = [_chosen(i, v, k, select, neurons or {}, include.get(i, ())) for i, (v, k) in
             enumerate(zip(values, limits))]
    views = tuple(LayerView(i, "input" if i == 0 else layers[i - 1].name, v, None if i == 0 else pres[i - 1],
                            s, _ellipsis_slot(s, v.size), "input" if i == 0 else layers[i - 1].activation)
                  for i, (v, s) in enumerate(zip(values, shown)))
    edges = tuple(edge_set(i, layers[i - 1].A, values[i - 1], shown[i - 1], shown[i])
                  for i in range(1, len(values)))
    return NetworkDiagramData(views, edges)


def _chosen(i, values, max_neurons, select, neurons, include=()) -> np.ndarray:
    if i not in neurons:
        if values.size > max_neurons:  # the ellipsis takes a row
            max_neurons = max(max_neurons - 1, 2)
        chosen = select_neurons(values, max_neurons, select)
        missing = [int(j) for j in include if int(j) not in set(chosen.tolist())]
        if missing:
            rest = np.array([j for j in range(values.size) if j not in missing])
            others = rest[select_neurons(values[rest], max(max_neurons - len(missing), 2), select)]
            chosen = np.unique(np.concatenate([others[: max_neurons - len(missing)], missing]).astype(int))
        return chosen
    chosen = np.unique(np.asarray(neurons[i], dtype=int))
    if chosen.size == 0 or chosen.min() < 0 or chosen.max() >= values.size:
        raise ValueError(f"neurons[{i}]: indices {list(neurons[i])} must be non-empty and in [0, {values.size})")
    return chosen


def run_mlp_weights(run, step=None, activation=None) -> tuple:
    """``(weights, layers, activations)`` of an MLP run at ``step``: any chain of Linear + activations.

    ``layers`` are the Linear modules in execution order and ``activations`` the hidden
    layers' ``sigma`` (see :func:`vizdl.ops.layers.mlp_chain`, which raises ValueError for
    a model that is not such a chain). ``run.require_step`` raises (naming the nearest
    recorded steps) for a step that was not recorded.
    """
    from vizdl.ops.layers import mlp_chain

    step = run.require_step(step)
    chain = mlp_chain(run, activation)
    return run.weights(step), [name for name, _ in chain], [act for _, act in chain[:-1]]


def network_at_step(run, step=None, *, sample: int = 0, x=None, activation=None, **options) -> NetworkDiagramData:
    """:func:`network_diagram_data` with the weights of ``run`` at ``step``.

    The input is probe sample ``sample`` unless ``x`` is given; ``activation`` is needed
    only for functional activations hooks cannot see (see :func:`vizdl.ops.layers.mlp_chain`);
    ``options`` go to :func:`network_diagram_data` (``max_neurons``, ``select``, ``neurons``).
    """
    weights, layers, activations = run_mlp_weights(run, step, activation)
    if x is None:
        inputs = run.probe["inputs"]
        if not 0 <= sample < len(inputs):
            raise ValueError(f"sample: {sample} is not a probe index in [0, {len(inputs)})")
        x = inputs[sample]
    return network_diagram_data(weights, x, activation=activations, layers=layers, **options)


__all__ = [
    "ACTIVATIONS", "DenseLayer", "EdgeSet", "LayerView", "MAX_NEURONS", "MIN_OPACITY", "MLP_MODELS",
    "NetworkDiagramData", "OUTPUT_ACTIVATION", "SELECTIONS", "activation_function", "edge_opacity", "edge_set",
    "forward_values",
    "magnitude_limit", "mlp_forward", "mlp_layers", "network_at_step", "network_diagram_data",
    "run_mlp_weights", "select_neurons",
]
