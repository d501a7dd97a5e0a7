"""Self-attention arithmetic the pictures explain, from a recorded run (NumPy; torch only to rerun a model).

The notes' formula ``Attention(Q, K, V) = softmax(QK^T / sqrt(d_k)) V``:
:func:`attention_numbers` recomputes every matrix of one head on one probe sample from the
recorded weights and the recorded input of the layer (or the rebuilt model's), and the
model's class probabilities for that sample. :func:`attention_rollout` combines the
layers' maps (Abnar & Zuidema, 2020); :func:`select_sample` and :func:`head_map` pick one
sample and one head out of ``run.attention(step)``.

>>> softmax_rows(np.array([[0.0, 0.0], [0.0, np.log(3.0)]])).tolist()
[[0.5, 0.5], [0.25, 0.75]]
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from vizdl.ops.prediction import (
    can_rebuild,
    class_probabilities,
    recorded_step,
    softmax_rows,
)


@dataclass
class AttentionNumbers:
    """Every matrix of one head's self-attention on one probe sample (float64).

    Attributes
    ----------
    tokens : list of str
        Labels of the ``T`` tokens (``CLS`` first for a CLS model).
    x : ndarray (T, d_model)
        Input of the attention layer.
    q, k, v : ndarray (T, d_k)
        Queries, keys and values of the head.
    scores, scaled, probs : ndarray (T, T)
        ``Q K^T``, ``Q K^T / sqrt(d_k)`` and its row-wise softmax.
    out : ndarray (T, d_k)
        ``probs @ V``.
    heads : ndarray (heads, T, T)
        Every head's recorded probabilities for this sample.
    head, sample, step : int
    layer : str
    class_probs : ndarray (classes,) or None
        Softmax of the model's output on the sample (``None`` when it cannot be rebuilt).
    label : int or None
        The sample's true class.
    """

    tokens: list
    x: np.ndarray
    q: np.ndarray
    k: np.ndarray
    v: np.ndarray
    scores: np.ndarray
    scaled: np.ndarray
    probs: np.ndarray
    out: np.ndarray
    heads: np.ndarray
    head: int
    layer: str
    step: int
    sample: int = 0
    class_probs: np.ndarray | None = None
    label: int | None = None

    @property
    def d_k(self) -> int:
        """Width of one head's queries and keys."""
        return self.q.shape[1]

    @property
    def predicted(self) -> int | None:
        """The predicted class (``argmax`` of :attr:`class_probs`), or ``None``."""
        return None if self.class_probs is None else int(np.argmax(self.class_probs))


def attention_numbers(run, *, layer: str | None = None, head: int = 0, sample: int = 0,
                      step: int | None = None, tokens=None) -> AttentionNumbers:
    """Q, K, V, the scores, the softmax and the output of one head, from a recorded run.

    Parameters
    ----------
    run : vizdl.Run
        A run with attention recorded: a model of :mod:`vizdl.models.transformer`, or one
        using ``nn.MultiheadAttention`` (e.g. ``nn.TransformerEncoder``; open the run with
        ``Run.open(path, model=...)`` so its layer input can be computed).
    layer : str, optional
        Attention module, e.g. ``"blocks.0.attn"`` (default: the first recorded one).
    head, sample : int
        Head of the layer and probe sample.
    step : int, optional
        Recorded step (default the last; negative counts from the end).
    tokens : sequence of str, optional
        Token labels (default the probe's token ids, ``CLS`` first for a CLS model).

    Raises
    ------
    ValueError
        For a step, layer, head, sample or token list that does not fit the run, naming
        the parameter, its value and what is allowed.
    """
    step = recorded_step(run, step)
    maps = run.attention(step)
    layer = _layer(maps, layer)
    heads = np.asarray(maps[layer], dtype=np.float64)
    sample = _index(sample, heads.shape[0], "sample", "the probe holds {n} samples")
    head = _index(head, heads.shape[1], "head", f"{layer} has {{n}} heads")
    x = layer_input(run, layer, step)[sample].astype(np.float64)
    weights = run.weights(step)
    q, k, v = (_project(x, weights, f"{layer}.{n}_proj", heads.shape[1], head) for n in "qkv")
    scores = q @ k.T
    scaled = scores / math.sqrt(q.shape[1])
    probs = softmax_rows(scaled)
    labels = run.probe.get("labels")
    return AttentionNumbers(token_labels(run, sample, len(x), tokens), x, q, k, v, scores, scaled, probs,
                            probs @ v, heads[sample], head, layer, step, sample,
                            class_probabilities(run, step, [sample])[0] if can_rebuild(run) else None,
                            None if labels is None else int(np.asarray(labels)[sample]))


@dataclass
class MultiHeadNumbers:
    """Every matrix of one multi-head attention layer on one probe sample (float64).

    Weights are written the notes' way, ``X W`` (torch stores ``W^T``): ``w_q[h]`` is
    ``(d_model, d_k)``, so ``q[h] = x @ w_q[h] + b_q[h]``.

    Attributes
    ----------
    tokens : list of str
    x : ndarray (T, d_model)
        Input of the layer (queries, keys and values all come from it).
    w_q, w_k, w_v : ndarray (heads, d_model, d_k)
        Each head's slice of the projections; ``b_q, b_k, b_v`` (heads, d_k) their biases.
    q, k, v : ndarray (heads, T, d_k)
    probs : ndarray (heads, T, T)
        ``softmax(q k^T / sqrt(d_k))`` of each head (recomputed).
    z : ndarray (heads, T, d_k)
        Each head's output ``probs @ v``.
    concat : ndarray (T, d_model)
        The heads' outputs side by side (head 0's ``d_k`` columns first).
    w_o : ndarray (d_model, d_model), b_o : ndarray (d_model,)
        The output projection.
    out : ndarray (T, d_model)
        ``concat @ w_o + b_o``: the layer's output.
    recorded : ndarray (heads, T, T)
        The maps recorded during training for this sample.
    layer, step, sample, class_probs, label
        As :class:`AttentionNumbers`.
    """

    tokens: list
    x: np.ndarray
    w_q: np.ndarray
    w_k: np.ndarray
    w_v: np.ndarray
    b_q: np.ndarray
    b_k: np.ndarray
    b_v: np.ndarray
    q: np.ndarray
    k: np.ndarray
    v: np.ndarray
    probs: np.ndarray
    z: np.ndarray
    concat: np.ndarray
    w_o: np.ndarray
    b_o: np.ndarray
    out: np.ndarray
    recorded: np.ndarray
    layer: str
    step: int
    sample: int = 0
    class_probs: np.ndarray | None = None
    label: int | None = None

    @property
    def heads(self) -> int:
        """Number of heads."""
        return self.q.shape[0]

    @property
    def d_k(self) -> int:
        """Width of one head (``d_model / heads``)."""
        return self.q.shape[2]

    @property
    def d_model(self) -> int:
        """Width of the layer's input and output."""
        return self.x.shape[1]

    @property
    def predicted(self) -> int | None:
        """The predicted class, or ``None`` when the model cannot be rebuilt."""
        return None if self.class_probs is None else int(np.argmax(self.class_probs))


def multi_head_numbers(run, *, layer: str | None = None, sample: int = 0, step: int | None = None,
                       tokens=None) -> MultiHeadNumbers:
    """Every head's projections, attention and output, their concatenation and ``W_O``, from a run.

    ``MultiHead(X) = Concat(head_0, ..., head_{h-1}) W_O + b_O`` with
    ``head_i = softmax(Q_i K_i^T / sqrt(d_k)) V_i`` and ``Q_i = X W_Q^{(i)} + b_Q^{(i)}``
    (same for K, V), recomputed in float64 from the recorded weights of ``step`` and the
    layer's input, for vizdl's transformers (``q_proj``/``k_proj``/``v_proj``/``out_proj``)
    and ``nn.MultiheadAttention`` (``in_proj``, ``out_proj``). Parameters and errors as
    :func:`attention_numbers`.
    """
    step = recorded_step(run, step)
    maps = run.attention(step)
    layer = _layer(maps, layer)
    recorded = np.asarray(maps[layer], dtype=np.float64)
    sample = _index(sample, recorded.shape[0], "sample", "the probe holds {n} samples")
    heads = recorded.shape[1]
    x = layer_input(run, layer, step)[sample].astype(np.float64)
    weights = run.weights(step)
    w_q, w_k, w_v, b_q, b_k, b_v = _head_projections(weights, layer, x.shape[1], heads)
    q, k, v = (np.einsum("td,hdk->htk", x, w) + b[:, None, :] for w, b in ((w_q, b_q), (w_k, b_k), (w_v, b_v)))
    probs = softmax_rows(q @ k.transpose(0, 2, 1) / math.sqrt(q.shape[2]))
    z = probs @ v
    concat = np.concatenate(list(z), axis=1)
    w_o = np.asarray(weights[f"{layer}.out_proj.weight"], dtype=np.float64).T
    b_o = np.asarray(weights.get(f"{layer}.out_proj.bias", np.zeros(w_o.shape[1])), dtype=np.float64)
    labels = run.probe.get("labels")
    return MultiHeadNumbers(token_labels(run, sample, len(x), tokens), x, w_q, w_k, w_v, b_q, b_k, b_v, q, k, v,
                            probs, z, concat, w_o, b_o, concat @ w_o + b_o, recorded[sample], layer, step, sample,
                            class_probabilities(run, step, [sample])[0] if can_rebuild(run) else None,
                            None if labels is None else int(np.asarray(labels)[sample]))


def _head_projections(weights: dict, layer: str, d_model: int, heads: int) -> tuple:
    """``(w_q, w_k, w_v, b_q, b_k, b_v)`` split per head, ``w`` as ``(heads, d_model, d_k)``."""
    split_w, split_b = [], []
    for part, kind in enumerate("qkv"):
        if f"{layer}.{kind}_proj.weight" in weights:
            w = weights[f"{layer}.{kind}_proj.weight"]
            b = weights.get(f"{layer}.{kind}_proj.bias")
        elif f"{layer}.in_proj_weight" in weights:
            w = weights[f"{layer}.in_proj_weight"][part * d_model:(part + 1) * d_model]
            bias = weights.get(f"{layer}.in_proj_bias")
            b = None if bias is None else bias[part * d_model:(part + 1) * d_model]
        else:
            raise ValueError(f"layer={layer!r}: no recorded projection weights ({layer}.{kind}_proj.weight or "
                             f"{layer}.in_proj_weight); multi-head numbers need the layer's Q, K, V projections")
        w = np.asarray(w, dtype=np.float64)
        b = np.zeros(len(w)) if b is None else np.asarray(b, dtype=np.float64)
        d_k = len(w) // heads
        split_w.append(w.T.reshape(d_model, heads, d_k).transpose(1, 0, 2))
        split_b.append(b.reshape(heads, d_k))
    return (*split_w, *split_b)


def _layer(maps: dict, layer) -> str:
    if not maps:
        raise ValueError("the run recorded no attention maps (RecordSpec(attention=True) and a model with "
                         "AttentionMap modules are needed)")
    if layer in (None, ""):
        return next(iter(maps))
    if layer not in maps:
        raise ValueError(f"layer={layer!r} has no recorded attention; recorded: {list(maps)}")
    return layer


def _index(value, count: int, name: str, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 0 <= value < count:
        raise ValueError(f"{name}={value!r} out of range: {what.format(n=count)} (0 to {count - 1})")
    return int(value)


def layer_input(run, layer: str, step: int) -> np.ndarray:
    """Input ``(N, T, d_model)`` (the queries' input) of the attention ``layer`` on the probe batch.

    For vizdl's transformers (pre-norm blocks) it is the recorded activation of the
    block's ``norm1``; otherwise -- e.g. ``nn.TransformerEncoderLayer``, whose
    ``norm1`` comes *after* attention -- it is computed by the rebuilt model of that step
    (``Run.open(path, model=...)``) with a pre-hook on ``layer``.
    """
    norm = layer.rpartition(".")[0] + ".norm1"
    acts = run.activations(step)
    if run.model_name in ("tiny_transformer", "vit") and norm in acts:
        return acts[norm]
    import torch

    from vizdl.record.models import visible_forward

    model = run.model(step).eval()
    captured = {}
    module = dict(model.named_modules())[layer]

    def keep_input(_module, args, kwargs):
        captured.setdefault("x", args[0] if args else kwargs["query"])

    handle = module.register_forward_pre_hook(keep_input, with_kwargs=True)
    try:
        with torch.no_grad(), visible_forward():
            model(torch.from_numpy(run.probe["inputs"]))
    finally:
        handle.remove()
    return captured["x"].numpy()


def _project(x, weights, name, heads, head):
    """One head's queries (keys, values) of ``x``: ``<layer>.q_proj``, or ``nn.MultiheadAttention``'s ``in_proj``."""
    if f"{name}.weight" in weights:
        w, b = weights[f"{name}.weight"].astype(np.float64), weights[f"{name}.bias"]
    else:
        layer, _, kind = name.rpartition(".")
        part = "qkv".index(kind[0])
        d = x.shape[-1]
        w = weights[f"{layer}.in_proj_weight"].astype(np.float64)[part * d:(part + 1) * d]
        b = weights[f"{layer}.in_proj_bias"][part * d:(part + 1) * d]
    full = x @ w.T + b
    d_k = full.shape[1] // heads
    return full[:, head * d_k:(head + 1) * d_k]


def token_labels(run, sample: int, count: int, tokens=None) -> list:
    """Labels of the ``count`` tokens of probe ``sample``: ``tokens``, or its token ids (``CLS`` first)."""
    if tokens is not None:
        if len(tokens) != count:
            raise ValueError(f"tokens must have {count} labels, got {len(tokens)}")
        return [str(t) for t in tokens]
    ids = [str(int(t)) for t in np.ravel(run.probe["inputs"][sample])]
    vocab = (run.meta.get("dataset") or {}).get("vocab")
    if vocab:
        ids = [str(vocab[int(i)]) if int(i) < len(vocab) else i for i in ids]
    return (["CLS"] + ids if len(ids) + 1 == count else ids)[:count]


def select_sample(maps: dict, sample: int = 0) -> dict:
    """``{layer: (N, heads, T, T)}`` -> ``{layer: (heads, T, T)}`` for one probe sample."""
    if not maps:
        raise ValueError("maps is empty: the run recorded no attention (RecordSpec(attention=True) "
                         "and a model with AttentionMap modules are needed)")
    out = {}
    for name, value in maps.items():
        value = np.asarray(value, dtype=float)
        if value.ndim == 3:
            out[name] = value
        elif value.ndim == 4:
            if not -value.shape[0] <= sample < value.shape[0]:
                raise ValueError(f"sample={sample} out of range: {name!r} holds {value.shape[0]} samples")
            out[name] = value[sample]
        else:
            raise ValueError(f"attention map {name!r} must have shape (heads, T, T) or "
                             f"(N, heads, T, T), got {value.shape}")
    return out


def head_map(attn, head: int) -> np.ndarray:
    """Head ``head`` of one layer's ``(heads, T, T)`` maps."""
    if not -attn.shape[0] <= head < attn.shape[0]:
        raise ValueError(f"head={head} out of range: the layer has {attn.shape[0]} heads")
    return attn[head]


def attention_rollout(maps, *, residual: bool = True) -> np.ndarray:
    """Attention rollout (Abnar & Zuidema, 2020): how much each token draws on each input token.

    Parameters
    ----------
    maps : sequence of arrays (heads, T, T)
        One map per layer, first layer first.
    residual : bool
        Account for the skip connection: each layer's head-mean ``A`` becomes
        ``0.5 * A + 0.5 * I`` (rows renormalised) before multiplying.

    Returns
    -------
    ndarray (T, T)
        ``R = A_L ... A_2 A_1``; row ``q`` sums to 1.
    """
    maps = [np.asarray(m, dtype=float) for m in maps]
    if not maps or any(m.ndim != 3 or m.shape[1] != m.shape[2] for m in maps):
        raise ValueError("maps must be a non-empty sequence of (heads, T, T) arrays, got shapes "
                         f"{[m.shape for m in maps]}")
    rollout = np.eye(maps[0].shape[-1])
    for layer in maps:
        mixed = layer.mean(axis=0)
        if residual:
            mixed = 0.5 * mixed + 0.5 * np.eye(len(mixed))
            mixed = mixed / mixed.sum(axis=-1, keepdims=True)
        rollout = mixed @ rollout
    return rollout


__all__ = ["AttentionNumbers", "MultiHeadNumbers", "attention_numbers", "attention_rollout", "head_map", "layer_input",
           "multi_head_numbers", "select_sample", "softmax_rows", "token_labels"]
