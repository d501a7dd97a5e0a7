"""Chain-rule terms of an MLP for one data point, in the notes' notation, from torch autograd.

The notes write layer ``i`` as ``x_i = sigma_i(A_i x_{i-1} + b_i)`` and the update as
``A_i <- A_i - lambda * dl/dA_i`` with ``dl/dA_i = dl/dx_i * sigma'_i(A_i x_{i-1} + b_i) x_{i-1}^T``
and ``dl/dx_{i-1} = A_i^T (dl/dx_i * sigma'_i(...))``. :func:`mlp_backprop` returns every
factor of these formulas for one input: they are read from torch autograd on the given
weights (``retain_grad`` on each ``x_i`` and on each ``z_i = A_i x_{i-1} + b_i``), never
derived by hand.

As in the notes, the last layer's ``sigma_L`` is the softmax: ``z_L = A_L x_{L-1} + b_L`` are
the logits, ``x_L = softmax(z_L)`` the class probabilities and the loss is the
cross-entropy ``l(x_L) = -log x_L[y]``. So ``l'(x_L) = dl/dx_L`` is ``-1 / x_L[y]`` at the
true class and 0 elsewhere, ``sigma'_L(z_L)`` is the softmax's Jacobian
``diag(x_L) - x_L x_L^T`` (a matrix, not 1), and their product is
``dl/dz_L = x_L - onehot(y)``. vizdl's models output ``z_L`` and apply the softmax in the
loss; the numbers are the same.

    >>> import torch
    >>> net = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 2))
    >>> step = backprop_from_model(net, [0.5, -1.0], 1, lr=0.1)
    >>> [layer.A.shape for layer in step.layers]
    [(3, 2), (2, 3)]
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vizdl.ops.layers import ACTIVATION_MODULES

ACTIVATIONS = ("identity", "tanh", "sigmoid", "relu", "leaky_relu", "elu", "gelu", "silu", "softplus")
#: The last layer's sigma (the notes' sigma_L).
OUTPUT_ACTIVATION = "softmax"


@dataclass(frozen=True)
class LayerTerms:
    """The factors of layer ``i``'s chain rule for one data point.

    Attributes
    ----------
    index : int
        ``i`` (1 for the first hidden layer).
    A, b : ndarray, shapes (k_i, k_{i-1}) and (k_i,)
        Weights and bias before the update.
    x_in, pre, x_out : ndarray
        ``x_{i-1}``, ``z_i = A_i x_{i-1} + b_i`` and ``x_i = sigma_i(z_i)``.
    activation : str
        Name of ``sigma_i`` (``"softmax"`` for the last layer).
    sigma_prime : ndarray, shape (k_i,) or (k_L, k_L)
        ``sigma'_i(z_i)``: element-wise for a hidden layer; for the softmax its Jacobian
        ``dx_L / dz_L`` (rows: outputs, columns: logits).
    dl_dx : ndarray, shape (k_i,)
        ``dl/dx_i`` (``l'(x_L)`` for the last layer).
    delta : ndarray, shape (k_i,)
        ``dl/dz_i``: ``dl/dx_i * sigma'_i(z_i)`` for a hidden layer,
        ``sigma'_L(z_L)^T l'(x_L) = x_L - onehot(y)`` for the last one.
    grad_A, grad_b : ndarray
        ``dl/dA_i = delta x_{i-1}^T`` and ``dl/db_i = delta``.
    A_new, b_new : ndarray
        ``A_i - lambda dl/dA_i`` and ``b_i - lambda dl/db_i``.
    """

    index: int
    A: np.ndarray
    b: np.ndarray
    x_in: np.ndarray
    pre: np.ndarray
    x_out: np.ndarray
    activation: str
    sigma_prime: np.ndarray
    dl_dx: np.ndarray
    delta: np.ndarray
    grad_A: np.ndarray
    grad_b: np.ndarray
    A_new: np.ndarray
    b_new: np.ndarray


@dataclass(frozen=True)
class BackpropStep:
    """Forward values, loss and every layer's chain-rule terms for one input.

    Attributes
    ----------
    layers : tuple of LayerTerms
        Layer 1 first.
    x0 : ndarray
        The input ``x_0``.
    target : int
        Class label ``y``.
    probabilities : ndarray
        ``x_L = softmax(z_L)`` (the last layer's output).
    loss : float
        ``l(x_L) = -log x_L[y]``.
    lr : float
        The learning rate ``lambda`` of the update.
    dl_dx0 : ndarray
        ``dl/dx_0``.
    """

    layers: tuple
    x0: np.ndarray
    target: int
    probabilities: np.ndarray
    loss: float
    lr: float
    dl_dx0: np.ndarray

    @property
    def values(self) -> list:
        """Neuron values per layer: ``[x_0, x_1, ..., x_L]``."""
        return [self.x0] + [layer.x_out for layer in self.layers]

    @property
    def logits(self) -> np.ndarray:
        """``z_L = A_L x_{L-1} + b_L``."""
        return self.layers[-1].pre

    @property
    def dl_dxs(self) -> list:
        """``[dl/dx_0, dl/dx_1, ..., dl/dx_L]``."""
        return [self.dl_dx0] + [layer.dl_dx for layer in self.layers]


def shown_neurons(step: BackpropStep, max_neurons: int = 6, max_outputs: int = 10) -> list:
    """Indices of the neurons a picture of ``step`` draws per layer: the largest ``|x_i|``.

    Small layers are drawn whole; a 64-pixel input or a wide hidden layer keeps its
    ``max_neurons`` strongest neurons on this input (:func:`vizdl.ops.network.select_neurons`),
    the output layer up to ``max_outputs`` -- the target class ``y`` always among them.
    """
    from vizdl.ops.network import select_neurons

    values = step.values
    shown = [select_neurons(v, max_neurons, "top") for v in values[:-1]]
    logits = np.abs(np.asarray(values[-1], dtype=float))
    if logits.size <= max(max_outputs, 2):
        return shown + [np.arange(logits.size)]
    logits[step.target] = np.inf  # the target's output is always drawn
    return shown + [np.sort(np.argsort(-logits, kind="stable")[:max(max_outputs, 2)])]


def subset_step(step: BackpropStep, shown: list) -> BackpropStep:
    """``step`` restricted to the neurons ``shown[i]`` of each layer (numbers unchanged, only selected)."""
    from dataclasses import replace

    def cut(i, layer):
        rows, cols = shown[i + 1], shown[i]
        return replace(layer, A=layer.A[np.ix_(rows, cols)], b=layer.b[rows], x_in=layer.x_in[cols],
                       pre=layer.pre[rows], x_out=layer.x_out[rows], sigma_prime=layer.sigma_prime[rows],
                       dl_dx=layer.dl_dx[rows], delta=layer.delta[rows], grad_A=layer.grad_A[np.ix_(rows, cols)],
                       grad_b=layer.grad_b[rows], A_new=layer.A_new[np.ix_(rows, cols)], b_new=layer.b_new[rows])

    return replace(step, layers=tuple(cut(i, layer) for i, layer in enumerate(step.layers)),
                   x0=step.x0[shown[0]], dl_dx0=step.dl_dx0[shown[0]])


def _activation_fn(name: str):
    """The torch function called ``name`` (ValueError listing :data:`ACTIVATIONS` otherwise)."""
    import torch
    import torch.nn.functional as F

    table = {"identity": lambda t: t, "tanh": torch.tanh, "sigmoid": torch.sigmoid,
             "relu": torch.relu, "leaky_relu": F.leaky_relu, "elu": F.elu, "gelu": F.gelu,
             "silu": F.silu, "softplus": F.softplus, "softmax": lambda t: torch.softmax(t, -1)}
    if name not in table:
        raise ValueError(f"activation {name!r} is unknown; allowed: {ACTIVATIONS}")
    return table[name]


def _check_shapes(weights, biases, x0) -> None:
    """Raise ValueError when the layer shapes do not chain."""
    if len(weights) == 0 or len(weights) != len(biases):
        raise ValueError(f"weights/biases: need one bias per weight matrix and at least one layer, "
                         f"got {len(weights)} weights and {len(biases)} biases")
    width = np.asarray(x0).size
    for i, (A, b) in enumerate(zip(weights, biases), start=1):
        A, b = np.asarray(A), np.asarray(b)
        if A.ndim != 2 or A.shape[1] != width or b.shape != (A.shape[0],):
            raise ValueError(f"layer {i}: A shape {A.shape} and b shape {b.shape} do not take an "
                             f"input of size {width}; expected A (k, {width}) and b (k,)")
        width = A.shape[0]


def _forward(params, x0, fns):
    """Forward pass keeping ``pre`` and ``x`` of every layer with ``retain_grad``."""
    pres, xs = [], [x0]
    for (A, b), fn in zip(params, fns):
        pre = A @ xs[-1] + b
        pre.retain_grad()
        out = fn(pre)
        if out is pre:
            out = pre.clone()
        out.retain_grad()
        pres.append(pre)
        xs.append(out)
    return pres, xs


def _sigma_prime(fn, pre, name: str) -> np.ndarray:
    """``sigma'(pre)`` by autograd on a detached copy: element-wise, or the softmax's Jacobian."""
    import torch

    z = pre.detach().clone().requires_grad_(True)
    if name == OUTPUT_ACTIVATION:
        return torch.autograd.functional.jacobian(fn, z).numpy()
    (grad,) = torch.autograd.grad(fn(z).sum(), z)
    return grad.numpy()


def mlp_backprop(weights, biases, x0, target: int, *, activations="tanh", lr: float = 0.1) -> BackpropStep:
    """Chain-rule terms of the MLP ``(A_i, b_i)`` on one input, from torch autograd.

    Parameters
    ----------
    weights, biases : sequence of array_like
        ``A_i`` of shape ``(k_i, k_{i-1})`` and ``b_i`` of shape ``(k_i,)``, layer 1 first.
    x0 : array_like, shape (k_0,)
        The input.
    target : int
        Class label (cross-entropy on the last layer's output).
    activations : str or sequence of str
        ``sigma_i`` for the hidden layers (one name, or one per hidden layer); the last
        layer's is the softmax (:data:`OUTPUT_ACTIVATION`). Names from :data:`ACTIVATIONS`.
    lr : float
        Learning rate ``lambda`` of the update.

    Returns
    -------
    BackpropStep
    """
    import torch

    _check_shapes(weights, biases, x0)
    hidden = len(weights) - 1
    names = [activations] * hidden if isinstance(activations, str) else list(activations)
    if len(names) != hidden:
        raise ValueError(f"activations: need {hidden} names (one per hidden layer), got {names!r}")
    for name in names:
        if name not in ACTIVATIONS:
            raise ValueError(f"activation {name!r} is unknown; allowed: {ACTIVATIONS}")
    names = names + [OUTPUT_ACTIVATION]
    fns = [_activation_fn(n) for n in names]
    classes = np.asarray(weights[-1]).shape[0]
    if not 0 <= int(target) < classes:
        raise ValueError(f"target: {target} is not a class index in [0, {classes})")
    as_t = lambda a: torch.tensor(np.asarray(a, dtype=np.float64))
    params = [(as_t(A).requires_grad_(True), as_t(b).requires_grad_(True)) for A, b in zip(weights, biases)]
    x = as_t(np.asarray(x0).ravel()).requires_grad_(True)
    pres, xs = _forward(params, x, fns)
    loss = -torch.log(xs[-1][int(target)])  # the cross-entropy of the notes, on x_L = softmax(z_L)
    loss.backward()
    layers = tuple(_layer_terms(i, params[i], xs, pres, fns[i], names[i], lr) for i in range(len(params)))
    return BackpropStep(layers, x.detach().numpy(), int(target), xs[-1].detach().numpy().copy(),
                        float(loss.detach()), float(lr), x.grad.numpy())


def _layer_terms(i, param, xs, pres, fn, name, lr) -> LayerTerms:
    """Collect layer ``i+1``'s factors from the tensors after ``backward()``."""
    A, b = param
    n = lambda t: t.detach().numpy().copy()
    return LayerTerms(
        index=i + 1, A=n(A), b=n(b), x_in=n(xs[i]), pre=n(pres[i]), x_out=n(xs[i + 1]),
        activation=name, sigma_prime=_sigma_prime(fn, pres[i], name), dl_dx=n(xs[i + 1].grad),
        delta=n(pres[i].grad), grad_A=n(A.grad), grad_b=n(b.grad),
        A_new=n(A - lr * A.grad), b_new=n(b - lr * b.grad))


def mlp_parameters(model) -> tuple:
    """``(weights, biases, activations)`` of a live model made of Linear layers and activations.

    The layers are taken in registration order (a live model has no recorded execution
    order; for a run use :func:`run_mlp_parameters`). Raises ValueError (naming the
    module) for anything else, e.g. a CNN.
    """
    from torch import nn

    weights, biases, acts = [], [], []
    for name, module in model.named_modules():
        if isinstance(module, nn.Linear):
            weights.append(module.weight.detach().double().numpy())
            biases.append(module.bias.detach().double().numpy() if module.bias is not None
                          else np.zeros(module.out_features))
            acts.append("identity")
        elif type(module).__name__ in ACTIVATION_MODULES and weights:
            acts[-1] = ACTIVATION_MODULES[type(module).__name__]
        elif not list(module.children()) and not isinstance(module, (nn.Dropout, nn.Flatten)):
            raise ValueError(f"model: module {name!r} ({type(module).__name__}) is not part of an MLP; "
                             f"allowed: Linear, Flatten, Dropout and {sorted(ACTIVATION_MODULES)}")
    if not weights:
        raise ValueError("model: no Linear layer found; mlp_backprop needs an MLP")
    return weights, biases, acts[:-1]


def backprop_from_model(model, x0, target: int, *, lr: float = 0.1) -> BackpropStep:
    """:func:`mlp_backprop` on the Linear layers and activations of ``model`` (an MLP)."""
    weights, biases, acts = mlp_parameters(model)
    return mlp_backprop(weights, biases, x0, target, activations=acts, lr=lr)


def run_mlp_parameters(run, step=None, activation=None) -> tuple:
    """``(weights, biases, activations)`` recorded at ``step`` of any chain of Linear + activations.

    The layers come in execution order (:func:`vizdl.ops.layers.mlp_chain`); nothing is
    rebuilt, so a user's own MLP works without its class.
    """
    from vizdl.ops.network import mlp_layers, run_mlp_weights

    weights, names, activations = run_mlp_weights(run, step, activation)
    layers = mlp_layers(weights, activation=activations, layers=names)
    return [l.A for l in layers], [l.b for l in layers], activations


def optimizer_text(hparams: dict) -> str:
    """How a run's ``hparams`` updated the weights, in words: ``"mini-batch SGD with momentum 0.9"``."""
    name = str(hparams.get("optimizer", "sgd")).lower()
    if name == "momentum":
        return f"mini-batch SGD with momentum {float(hparams.get('momentum') or 0.9):g}"
    return {"sgd": "mini-batch SGD", "adam": "Adam", "adamw": "AdamW", "rmsprop": "RMSprop"}.get(name, name)


def backprop_at_step(run, step: int, *, sample: int = 0, activation=None) -> BackpropStep:
    """Chain-rule terms at a recorded ``step`` of ``run`` for probe input number ``sample``.

    Uses the weights recorded at ``step`` (before that step's update) and the run's
    learning rate; ``run.require_step`` raises for a step that was not recorded.
    ``activation`` is needed only for functional activations (see :func:`run_mlp_parameters`).
    """
    run.require_step(step)
    inputs, labels = run.probe["inputs"], run.probe["labels"]
    if not 0 <= sample < len(inputs):
        raise ValueError(f"sample: {sample} is not a probe index in [0, {len(inputs)})")
    lr = float(run.meta.get("hparams", {}).get("lr", 0.1))
    weights, biases, acts = run_mlp_parameters(run, step, activation)
    return mlp_backprop(weights, biases, np.asarray(inputs[sample]).ravel(), int(labels[sample]),
                        activations=acts, lr=lr)
