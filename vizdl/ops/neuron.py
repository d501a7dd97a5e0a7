"""One neuron of a recorded MLP, term by term, and an image flattened into the input vector x_0.

The notes write neuron ``k`` of layer ``i`` as
``x_i^k = sigma_i(sum_l A_i^{k,l} x_{i-1}^l + b_i^k)`` (``A_i^{k,l}`` is torch's
``weight[k, l]``, as in the notes' ``x_3^1 = sigma_3(A_3^{1,1} x_2^1 + ...)``). :func:`neuron_terms` reads the
weights of a recorded run and the previous layer's recorded output on one probe input,
and returns every term of that sum: the inputs, the weights, their products, the
pre-activation ``z`` and the output ``sigma(z)``. :func:`flatten_image` lays an image's
rows end to end, as ``nn.Flatten`` does, so that ``x_0[r * W + c] = image[r, c]``.

    >>> import numpy as np
    >>> flat = flatten_image(np.arange(6.0).reshape(2, 3))
    >>> flat.vector.tolist(), flat.row_of(4), flat.first_nonzero
    ([0.0, 1.0, 2.0, 3.0, 4.0, 5.0], 1, 1)
    >>> terms = neuron_from_arrays([0.5, -1.0], [2.0, 0.25], 0.1, activation="relu")
    >>> terms.products.tolist(), round(terms.pre, 6), round(terms.output, 6)
    ([1.0, -0.25], 0.85, 0.85)
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vizdl.ops.network import activation_function


@dataclass(frozen=True)
class NeuronTerms:
    """Every number of ``x_i^k = sigma_i(sum_l A_i^{k,l} x_{i-1}^l + b_i^k)``.

    Attributes
    ----------
    inputs : ndarray, shape (n,)
        ``x_{i-1}``: what the previous layer gives (the flattened image for ``i = 1``).
    weights : ndarray, shape (n,)
        ``A_i^{k, :}``: the neuron's row of the layer's weight matrix.
    bias : float
        ``b_i^k``.
    activation : str
        ``sigma_i`` (a name of :data:`vizdl.ops.network.ACTIVATIONS`; ``"identity"`` for the
        logits of the last layer).
    layer : str
        The Linear module (``"net.3"``).
    position : int
        ``i``: 1 for the first Linear layer.
    index : int
        ``k``, counted from 0 (the notes count from 1: the views write ``k + 1``).
    sample, step : int or None
        The probe input and the recorded step the numbers come from (``None`` for arrays).
    """

    inputs: np.ndarray
    weights: np.ndarray
    bias: float
    activation: str
    layer: str = ""
    position: int = 1
    index: int = 0
    sample: int | None = None
    step: int | None = None

    @property
    def products(self) -> np.ndarray:
        """``A_i^{k,l} x_{i-1}^l`` for every input ``l``."""
        return self.weights * self.inputs

    @property
    def pre(self) -> float:
        """``z = sum_l A_i^{k,l} x_{i-1}^l + b_i^k`` (summed in float64)."""
        return float(np.sum(self.products) + self.bias)

    @property
    def output(self) -> float:
        """``x_i^k = sigma_i(z)``."""
        return float(activation_function(self.activation)(np.array([self.pre]))[0])

    def shown(self, max_inputs: int | None = 6) -> np.ndarray:
        """Indices of the inputs a picture writes out: all, or the ``max_inputs`` largest ``|w x|`` in order."""
        n = self.inputs.size
        if max_inputs is None or n <= max_inputs:
            return np.arange(n)
        order = np.argsort(-np.abs(self.products), kind="stable")
        return np.sort(order[: max(int(max_inputs), 1)])


def neuron_from_arrays(inputs, weights, bias: float, *, activation: str = "relu", **where) -> NeuronTerms:
    """:class:`NeuronTerms` of given numbers (``where``: ``layer``, ``position``, ``index``, ``sample``, ``step``)."""
    inputs = np.asarray(inputs, dtype=np.float64).ravel()
    weights = np.asarray(weights, dtype=np.float64).ravel()
    if inputs.shape != weights.shape or inputs.size == 0:
        raise ValueError(f"inputs and weights must be non-empty and of the same length, got {inputs.size} "
                         f"and {weights.size}")
    activation_function(activation)
    return NeuronTerms(inputs, weights, float(bias), activation, **where)


def neuron_terms(run, step=None, *, layer=None, neuron: int | None = None, sample: int = 0,
                 activation=None) -> NeuronTerms:
    """Neuron ``neuron`` of a recorded MLP at ``step``, fed with probe input ``sample``.

    Parameters
    ----------
    run : vizdl.Run
        A run of a chain of ``nn.Linear`` + activation modules (see
        :func:`vizdl.ops.layers.mlp_chain`) with recorded weights.
    step : int, optional
        A recorded step (the last by default).
    layer : int or str, optional
        The Linear layer: its position ``i`` (1 = first) or its module name; the second
        layer by default (its inputs are neurons too), the first when there is only one.
    neuron : int, optional
        ``k``, counted from 0; by default the neuron of the layer with the largest output on
        this input (an active one: a picture of a switched-off ReLU says little).
    sample : int
        Index of the probe input.
    activation : str or sequence, optional
        Only for activations that hooks cannot see (``F.relu`` in ``forward``).

    Returns
    -------
    NeuronTerms
        The inputs are computed from the recorded weights by a forward pass of the probe
        input (float64), so they hold for any recorded step.
    """
    from vizdl.ops.layers import mlp_chain

    step = run.require_step(step)
    chain = mlp_chain(run, activation)
    position = _position(chain, layer)
    weights = run.weights(step)
    inputs = run.probe["inputs"]
    if not 0 <= int(sample) < len(inputs):
        raise ValueError(f"sample: {sample} is not a probe index in [0, {len(inputs)})")
    x = np.asarray(inputs[int(sample)], dtype=np.float64).ravel()
    for name, act in chain[: position - 1]:
        A, b = _linear(weights, name)
        x = activation_function(act)(A @ x + b)
    name, act = chain[position - 1]
    A, b = _linear(weights, name)
    if neuron is None:
        neuron = int(np.argmax(activation_function(act)(A @ x + b)))
    if not 0 <= int(neuron) < A.shape[0]:
        raise ValueError(f"neuron: {neuron} is not a neuron of {name} (it has {A.shape[0]}: 0 to {A.shape[0] - 1})")
    return NeuronTerms(x, A[int(neuron)].copy(), float(b[int(neuron)]), act, name, position, int(neuron),
                       int(sample), step)


def _position(chain, layer) -> int:
    names = [name for name, _ in chain]
    if layer is None:
        return 2 if len(names) > 1 else 1
    if isinstance(layer, str):
        if layer not in names:
            raise ValueError(f"layer: {layer!r} is not a Linear layer of the run; layers: {names}")
        return names.index(layer) + 1
    if isinstance(layer, bool) or not isinstance(layer, (int, np.integer)) or not 1 <= layer <= len(names):
        raise ValueError(f"layer: {layer!r} must be a position from 1 to {len(names)} or a name in {names}")
    return int(layer)


def _linear(weights: dict, name: str) -> tuple:
    A = np.asarray(weights[f"{name}.weight"], dtype=np.float64)
    b = np.asarray(weights.get(f"{name}.bias", np.zeros(A.shape[0])), dtype=np.float64)
    return A, b


@dataclass(frozen=True)
class FlatImage:
    """An image ``(H, W)`` and the vector ``x_0`` of its rows laid end to end.

    Attributes
    ----------
    image : ndarray, shape (H, W)
    vector : ndarray, shape (H * W,)
        ``vector[r * W + c] = image[r, c]`` (row-major, like ``nn.Flatten``).
    """

    image: np.ndarray
    vector: np.ndarray

    @property
    def shape(self) -> tuple:
        """``(H, W)``."""
        return self.image.shape

    def row_of(self, position: int) -> int:
        """The image row that vector entry ``position`` comes from."""
        return int(position) // self.image.shape[1]

    def span(self, row: int) -> tuple:
        """``(first, last + 1)``: the vector positions of image row ``row``."""
        width = self.image.shape[1]
        return int(row) * width, (int(row) + 1) * width

    @property
    def first_nonzero(self) -> int | None:
        """Position of the first non-zero entry of the vector (``None`` for a blank image)."""
        hits = np.flatnonzero(self.vector)
        return int(hits[0]) if hits.size else None


def flatten_image(image) -> FlatImage:
    """The rows of a grey image ``(H, W)`` (or ``(1, H, W)``) laid end to end into ``x_0``."""
    image = np.asarray(image, dtype=np.float64)
    if image.ndim == 3 and image.shape[0] == 1:
        image = image[0]
    if image.ndim != 2 or 0 in image.shape:
        raise ValueError(f"image: a grey image of shape (H, W) or (1, H, W) is needed, got shape {image.shape}")
    return FlatImage(image, image.reshape(-1).copy())


def probe_image(run, sample: int = 0) -> tuple:
    """``(image, label)`` of probe input ``sample`` of a run on grey images."""
    inputs = run.probe["inputs"]
    if not 0 <= int(sample) < len(inputs):
        raise ValueError(f"sample: {sample} is not a probe index in [0, {len(inputs)})")
    return np.asarray(inputs[int(sample)]), int(np.asarray(run.probe["labels"])[int(sample)])


__all__ = ["FlatImage", "NeuronTerms", "flatten_image", "neuron_from_arrays", "neuron_terms", "probe_image"]
