"""A recurrent layer step by step: hidden states, gates and cell states, and gradients through time.

From a recorded ``rnn`` / ``lstm`` / ``gru`` run (:mod:`vizdl.models.recurrent`: embed ->
rnn -> states -> head), :func:`recurrent_trace` recomputes every time step of one probe
sequence in NumPy from the recorded weights, with torch's equations (gate order and
biases as in ``nn.RNN``, ``nn.LSTM``, ``nn.GRU``)::

    RNN   h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)
    LSTM  i, f, g, o = sigma, sigma, tanh, sigma of (W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)
          c_t = f * c_{t-1} + i * g          h_t = o * tanh(c_t)
    GRU   r, z = sigma(W_i{r,z} x_t + b_i{r,z} + W_h{r,z} h_{t-1} + b_h{r,z})
          n = tanh(W_in x_t + b_in + r * (W_hn h_{t-1} + b_hn))
          h_t = (1 - z) * n + z * h_{t-1}

with ``h_0 = c_0 = 0``. Time steps are numbered ``t = 1 .. T`` as in the notes; arrays are
indexed ``t - 1``. The hidden states equal the run's recorded ``act/states``, and the tests
check every number against torch's modules.

:func:`gradient_through_time` measures ``||dl/dh_t||`` for every ``t`` by autograd on the
rebuilt model (real weights of a recorded step, the real probe batch), stepping torch's own
layer one time step at a time so that each ``h_t`` is a tensor autograd can report on.
:func:`training_gradient_norms` reads the total gradient norm over training (before and
after clipping) from a run's metrics and snapshots.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from vizdl.ops._runs import as_run
from vizdl.ops.techniques import recorded_grad_norm

CELLS = ("rnn", "lstm", "gru")

#: Gate names of each cell, in torch's row order of ``weight_ih`` / ``weight_hh``.
GATES = {"rnn": (), "lstm": ("input", "forget", "candidate", "output"), "gru": ("reset", "update", "candidate")}


@dataclass(frozen=True)
class RecurrentTrace:
    """Every time step of one sequence through one recurrent layer.

    Attributes
    ----------
    cell : {"rnn", "lstm", "gru"}
    tokens : ndarray, shape (T,)
        The token ids of the sequence.
    inputs : ndarray, shape (T, D)
        What the layer reads at each step (the token embeddings for the first layer).
    hidden : ndarray, shape (T, H)
        ``h_1 .. h_T``.
    gates : dict of str -> ndarray (T, H)
        ``GATES[cell]`` activations at each step (empty for the RNN).
    cell_state : ndarray (T, H) or None
        ``c_1 .. c_T`` of an LSTM.
    readout : ndarray, shape (T, C)
        Softmax of the head applied to each ``h_t``: the answer the model would give if
        the sequence ended at ``t`` (only ``readout[-1]`` is the model's output).
    label : int
        The sample's true class.
    layer : int
        Which layer of the stack this is.
    step : int or None
        The training step of the weights.
    """

    cell: str
    tokens: np.ndarray
    inputs: np.ndarray
    hidden: np.ndarray
    gates: dict = field(default_factory=dict)
    cell_state: np.ndarray | None = None
    readout: np.ndarray | None = None
    label: int = -1
    layer: int = 0
    step: int | None = None

    @property
    def length(self) -> int:
        """``T``, the number of time steps."""
        return len(self.tokens)

    @property
    def size(self) -> int:
        """``H``, the width of the hidden state."""
        return self.hidden.shape[1]

    def previous_hidden(self) -> np.ndarray:
        """``h_0 .. h_{T-1}`` (``h_0 = 0``), shape (T, H)."""
        return np.vstack([np.zeros((1, self.size)), self.hidden[:-1]])

    def previous_cell(self) -> np.ndarray:
        """``c_0 .. c_{T-1}`` of an LSTM (``c_0 = 0``), shape (T, H)."""
        if self.cell_state is None:
            raise ValueError(f"cell={self.cell!r}: only an LSTM has a cell state")
        return np.vstack([np.zeros((1, self.size)), self.cell_state[:-1]])

    def time_index(self, t: int) -> int:
        """Array index of time step ``t`` (``1 .. T``, or ``-1`` for ``T``, ``-2`` for ``T - 1``...)."""
        return time_index(t, self.length)


def time_index(t: int, length: int) -> int:
    """``t - 1`` for ``t`` in ``1 .. length``; ``length + t`` for ``t`` in ``-length .. -1``."""
    if isinstance(t, bool) or not isinstance(t, (int, np.integer)) or not (1 <= t <= length or -length <= t <= -1):
        raise ValueError(f"t must be a time step in 1..{length} (or -{length}..-1 from the end), got {t!r}")
    return int(t) - 1 if t > 0 else length + int(t)


def sigmoid(x):
    """The logistic function (NumPy)."""
    return 1.0 / (1.0 + np.exp(-x))


def layer_parameters(weights: dict, layer: int = 0, prefix: str = "rnn") -> tuple:
    """``(W_ih, W_hh, b_ih, b_hh)`` of one layer of a recorded ``nn.RNN/LSTM/GRU`` as float64.

    Missing biases (``bias=False``) are zeros.
    """
    def get(name):
        key = f"{prefix}.{name}_l{layer}"
        return None if key not in weights else np.asarray(weights[key], dtype=np.float64)

    w_ih, w_hh = get("weight_ih"), get("weight_hh")
    if w_ih is None or w_hh is None:
        known = sorted(k for k in weights if k.startswith(f"{prefix}."))
        raise ValueError(f"layer={layer}: no weights {prefix}.weight_ih_l{layer}/weight_hh_l{layer}; "
                         f"recorded: {', '.join(known) or 'none'}")
    b_ih, b_hh = get("bias_ih"), get("bias_hh")
    zeros = np.zeros(w_ih.shape[0])
    return w_ih, w_hh, zeros if b_ih is None else b_ih, zeros if b_hh is None else b_hh


def rnn_step(x, h, params) -> tuple:
    """One Elman step: ``(h_t, c_t=None, gates={})``."""
    w_ih, w_hh, b_ih, b_hh = params
    return np.tanh(w_ih @ x + b_ih + w_hh @ h + b_hh), None, {}


def lstm_step(x, h, c, params) -> tuple:
    """One LSTM step: ``(h_t, c_t, {"input", "forget", "candidate", "output"})``."""
    w_ih, w_hh, b_ih, b_hh = params
    i, f, g, o = np.split(w_ih @ x + b_ih + w_hh @ h + b_hh, 4)
    gates = {"input": sigmoid(i), "forget": sigmoid(f), "candidate": np.tanh(g), "output": sigmoid(o)}
    c_new = gates["forget"] * c + gates["input"] * gates["candidate"]
    return gates["output"] * np.tanh(c_new), c_new, gates


def gru_step(x, h, params) -> tuple:
    """One GRU step: ``(h_t, None, {"reset", "update", "candidate"})``."""
    w_ih, w_hh, b_ih, b_hh = params
    xr, xz, xn = np.split(w_ih @ x + b_ih, 3)
    hr, hz, hn = np.split(w_hh @ h + b_hh, 3)
    r, z = sigmoid(xr + hr), sigmoid(xz + hz)
    n = np.tanh(xn + r * hn)
    return (1.0 - z) * n + z * h, None, {"reset": r, "update": z, "candidate": n}


def run_layer(cell: str, inputs, params) -> tuple:
    """Run one layer over ``inputs`` (T, D) from zero state: ``(hidden (T, H), cell (T, H) or None, gates)``."""
    _check_cell(cell)
    size = params[1].shape[1]
    h, c = np.zeros(size), np.zeros(size)
    hidden, cells, gates = [], [], {name: [] for name in GATES[cell]}
    for x in np.asarray(inputs, dtype=np.float64):
        if cell == "lstm":
            h, c, step_gates = lstm_step(x, h, c, params)
        else:
            h, _, step_gates = (rnn_step if cell == "rnn" else gru_step)(x, h, params)
        hidden.append(h)
        cells.append(c)
        for name, value in step_gates.items():
            gates[name].append(value)
    stacked = {name: np.array(values) for name, values in gates.items()}
    return np.array(hidden), (np.array(cells) if cell == "lstm" else None), stacked


def trace_from_weights(weights: dict, cell: str, tokens, *, layer: int = -1, label: int = -1,
                       step: int | None = None) -> RecurrentTrace:
    """Trace ``tokens`` through a :class:`vizdl.models.recurrent.RecurrentClassifier`'s weights.

    Parameters
    ----------
    weights : dict of str -> array
        The model's ``state_dict`` as arrays (``run.weights(step)``).
    cell : {"rnn", "lstm", "gru"}
    tokens : array of int, shape (T,)
    layer : int
        Layer of the stack to report (``-1``: the top one, whose states the head reads).
    label, step : int
        Stored in the trace.
    """
    _check_cell(cell)
    tokens = np.asarray(tokens).astype(np.int64).ravel()
    table = np.asarray(weights["embed.weight"], dtype=np.float64)
    if tokens.size == 0 or tokens.min() < 0 or tokens.max() >= len(table):
        raise ValueError(f"tokens must be a non-empty sequence of ids in 0..{len(table) - 1}, got {tokens.tolist()}")
    layers = _layer_count(weights)
    if not -layers <= layer < layers:
        raise ValueError(f"layer must be in {-layers}..{layers - 1} for this {layers}-layer {cell}, got {layer}")
    layer %= layers
    inputs = table[tokens]
    for k in range(layers):
        hidden, cells, gates = run_layer(cell, inputs, layer_parameters(weights, k))
        if k == layer:
            traced = (inputs, hidden, cells, gates)
        inputs = hidden
    readout = _softmax(hidden @ np.asarray(weights["head.weight"], np.float64).T
                       + np.asarray(weights["head.bias"], np.float64))
    inputs, hidden, cells, gates = traced
    return RecurrentTrace(cell, tokens, inputs, hidden, gates, cells, readout, int(label), layer, step)


def recurrent_trace(run, step: int | None = None, *, sample: int = 0, layer: int = -1) -> RecurrentTrace:
    """Trace probe sequence ``sample`` of a recorded ``rnn``/``lstm``/``gru`` run at training ``step``.

    Parameters
    ----------
    run : vizdl.Run or path
    step : int, optional
        A recorded step (the last one by default).
    sample : int
        Index in the run's probe batch.
    layer : int
        Layer of the stack (``-1``: the top one).
    """
    run = as_run(run)
    cell = require_recurrent(run)
    step = run.require_step(step if step is not None else run.steps[-1])
    inputs, labels = run.probe["inputs"], run.probe["labels"]
    if isinstance(sample, bool) or not isinstance(sample, (int, np.integer)) or not 0 <= sample < len(inputs):
        raise ValueError(f"sample must be an index of the probe batch in 0..{len(inputs) - 1}, got {sample!r}")
    weights = run.weights(step)
    if not weights:
        raise ValueError(f"run {run.path}: step {step} holds no weights; record with RecordSpec(weights=True)")
    return trace_from_weights(weights, cell, inputs[sample], layer=layer, label=int(labels[sample]), step=step)


def require_recurrent(run) -> str:
    """The cell of a run of vizdl's recurrent classifiers; ValueError for any other model."""
    if run.model_name not in CELLS:
        raise ValueError(f"run {run.path}: model {run.model_name!r} is not a recurrent classifier; "
                         f"this picture needs one of {CELLS} (vizdl.models.build('lstm', ...))")
    return run.model_name


def _check_cell(cell: str) -> None:
    if cell not in CELLS:
        raise ValueError(f"cell must be one of {CELLS}, got {cell!r}")


def _layer_count(weights: dict) -> int:
    return sum(1 for k in weights if k.startswith("rnn.weight_ih_l"))


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


# -- gradients through time -------------------------------------------------------------
@dataclass(frozen=True)
class GradientThroughTime:
    """``||dl/dh_t||`` of each probe sample at each time step, at one training step.

    Attributes
    ----------
    cell : str
    step : int
        The training step whose weights were used.
    norms : ndarray, shape (N, T)
        ``||d l_n / d h_t||`` for sample ``n`` (its own cross-entropy) and ``t = 1 .. T``;
        ``h_t`` is the top layer's hidden state.
    """

    cell: str
    step: int
    norms: np.ndarray

    @property
    def mean(self) -> np.ndarray:
        """Mean over the probe samples, shape (T,)."""
        return self.norms.mean(axis=0)

    @property
    def ratio(self) -> float:
        """``mean ||dl/dh_1|| / mean ||dl/dh_T||``: how much of the gradient reaches the first step."""
        return float(self.mean[0] / self.mean[-1])


def hidden_gradients(model, tokens, labels) -> np.ndarray:
    """``||d l_n / d h_t||`` (N, T) by autograd, stepping the model's own recurrent layer.

    ``model`` is a :class:`vizdl.models.recurrent.RecurrentClassifier`; each call of its
    layer on one time step returns ``h_t`` as a tensor that the next step and (at ``t = T``)
    the head read, so its gradient is the total derivative through time.
    """
    import torch
    import torch.nn.functional as F

    tokens = torch.as_tensor(np.asarray(tokens)).long()
    labels = torch.as_tensor(np.asarray(labels)).long()
    embedded = model.embed(tokens)                                   # (N, T, D)
    state, tops = None, []
    for t in range(embedded.shape[1]):
        _, state = model.rnn(embedded[:, t:t + 1], state)            # state: (layers, N, H) [, c]
        h = state[0] if isinstance(state, tuple) else state
        h.retain_grad()
        tops.append(h)
    logits = model.head(model.states(tops[-1][-1][:, None])[:, -1])  # (N, C), as model(tokens)
    F.cross_entropy(logits, labels, reduction="sum").backward()     # per-sample losses, summed
    return np.stack([h.grad[-1].norm(dim=-1).detach().numpy() for h in tops], axis=1)


def gradient_through_time(run, step: int | None = None, *, samples: int | None = None) -> GradientThroughTime:
    """``||dl/dh_t||`` for every ``t`` on a recorded run's probe batch at training ``step``.

    Parameters
    ----------
    run : vizdl.Run or path
    step : int, optional
        A recorded step (the first one, i.e. the initial weights, by default: where the
        vanishing gradient decides what can be learnt).
    samples : int, optional
        Use the first ``samples`` probe sequences (all by default).
    """
    import torch

    run = as_run(run)
    cell = require_recurrent(run)
    step = run.require_step(run.steps[0] if step is None else step)
    inputs, labels = run.probe["inputs"], run.probe["labels"]
    if samples is not None:
        if isinstance(samples, bool) or not isinstance(samples, int) or not 1 <= samples <= len(inputs):
            raise ValueError(f"samples must be an integer in 1..{len(inputs)}, got {samples!r}")
        inputs, labels = inputs[:samples], labels[:samples]
    model = run.model(step).double()  # in eval mode; float64 keeps the tiny norms exact
    with torch.enable_grad():
        norms = hidden_gradients(model, inputs, labels)
    return GradientThroughTime(cell, step, norms)


# -- gradient norms over training --------------------------------------------------------
@dataclass(frozen=True)
class TrainingGradients:
    """The total gradient norm of every parameter, over training.

    Attributes
    ----------
    steps : ndarray
        Training steps of ``norm``.
    norm : ndarray
        Total L2 norm of the gradient before clipping (what the loss asked for).
    applied_steps, applied : ndarray
        Steps and norms of the gradients the optimizer used (after clipping), read from the
        recorded snapshots.
    clip : float or None
        The run's ``clip_grad_norm`` threshold.
    """

    steps: np.ndarray
    norm: np.ndarray
    applied_steps: np.ndarray
    applied: np.ndarray
    clip: float | None


def training_gradient_norms(run) -> TrainingGradients:
    """Gradient norms of a run over training.

    With ``clip_grad_norm`` the training loop logs the norm before clipping (metric
    ``grad_norm``) and records the clipped gradients; without it the recorded gradients
    are the raw ones and give both curves. Needs gradients recorded
    (``RecordSpec(grads=True)``; ``every=1`` for every step).
    """
    run = as_run(run)
    clip = (run.meta.get("hparams") or {}).get("clip_grad_norm")
    steps, applied = [], []
    for step in run.steps:
        if run.grads(step):
            steps.append(step)
            applied.append(recorded_grad_norm(run, step))
    if not steps:
        raise ValueError(f"run {run.path}: no recorded gradients; train with RecordSpec(grads=True)")
    steps, applied = np.asarray(steps), np.asarray(applied)
    if clip is None:
        return TrainingGradients(steps, applied, steps, applied, None)
    logged_steps, logged = run.metric("grad_norm")
    return TrainingGradients(logged_steps, logged, steps, applied, float(clip))


__all__ = ["CELLS", "GATES", "GradientThroughTime", "RecurrentTrace", "TrainingGradients", "gradient_through_time",
           "gru_step", "hidden_gradients", "layer_parameters", "lstm_step", "recurrent_trace", "require_recurrent",
           "rnn_step", "run_layer", "sigmoid", "time_index", "trace_from_weights",
           "training_gradient_norms"]
