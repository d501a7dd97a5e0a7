"""What the multi-head attention pictures show: ``X W`` per head, the heads, their concatenation and ``W_O``.

:func:`multi_head_view` turns :func:`vizdl.ops.attention.multi_head_numbers` (one layer,
one probe sample, recomputed from a run and checked against torch) into an
:class:`vizdl.views.attention.AttentionView` — the same elements (context lines, scale-
coloured grids with token labels, LaTeX names and operators, stages, a story), so the
attention painters (the Manim walkthrough, the figure) paint it unchanged. The story:

1. ``x``: the layer's input ``X`` (T tokens x d_model);
2. ``wq``, ``wk``, ``wv``: ``X W_Q^{(h)} + b = Q^{(h)}`` (and K, V) for the chosen head,
   ``W^{(h)}`` being the head's ``d_model x d_k`` slice of the projection;
3. ``head``: ``softmax(Q K^T / sqrt(d_k)) V = Z^{(h)}`` (the self-attention scene in one step);
4. ``heads``: every head's output ``Z^{(i)}``, each from its own weights;
5. ``concat``: ``Concat(Z^{(0)}, ..., Z^{(H-1)})``, d_model wide;
6. ``output``: ``Concat W_O + b_O``, the layer's output; 7. ``prediction``.

Wide matrices show subsets of their rows and columns (``⋯``); the concatenation keeps
the first and last columns of every head (or of the first two and the last head).
"""
from __future__ import annotations

import numpy as np

from vizdl.ops.attention import MultiHeadNumbers, multi_head_numbers
from vizdl.styles.theme import fmt
from vizdl.views.attention import (
    NUMBERED_TOKENS,
    AttentionView,
    _prediction_caption,
    _prediction_text,
    attention_grid_view,
    attention_scale,
)
from vizdl.views.base import Formula, Label, Step, Story
from vizdl.views.matrices import ELLIPSIS, column_subset, dimension_labels, scaled_grid, written
from vizdl.views.runs import RunContext, run_context

FORMULA = r"\mathrm{MultiHead}(X)=\mathrm{Concat}(Z^{(0)},\dots,Z^{(H-1)})\,W_O+b_O"
#: Rows and columns of a matrix shown at most (first ones, ``⋯``, the last one).
MAX_SIDE = 6
#: Columns of each head's block shown in the concatenation at most.
BLOCK_COLUMNS = 4
#: Heads shown side by side in the concatenation at most (first ones, ``⋯``, the last one).
MAX_BLOCKS = 3

STAGES = {
    "x": ("x",),
    "wq": ("x", "op-times", "wq", "op-bias-q", "q"),
    "wk": ("x", "op-times", "wk", "op-bias-k", "k"),
    "wv": ("x", "op-times", "wv", "op-bias-v", "v"),
    "head": ("probs", "op-times", "v", "op-equals", "z"),
    "concat": ("concat",),
    "output": ("concat", "op-times", "wo", "op-bias-o", "out"),
    "prediction": ("concat", "op-times", "wo", "op-bias-o", "out"),
}


def multi_head_view(run, *, layer: str | None = None, head: int = 0, sample: int = 0, step: int | None = None,
                    tokens=None, decimals: int = 2) -> AttentionView:
    """The view of a whole multi-head attention layer on one probe sample of ``run``.

    Parameters
    ----------
    run : vizdl.Run
        A recorded run with attention (vizdl's transformers, ``nn.MultiheadAttention``).
    layer, sample, step, tokens
        As :func:`vizdl.ops.attention.multi_head_numbers`.
    head : int
        The head whose projections the ``wq``/``wk``/``wv``/``head`` steps show.
    decimals : int
        Places of the written numbers.
    """
    numbers = multi_head_numbers(run, layer=layer, sample=sample, step=step, tokens=tokens)
    return view_of_multi_head(numbers, run_context(run), head=head, decimals=decimals)


def view_of_multi_head(n: MultiHeadNumbers, context: RunContext, *, head: int = 0,
                       decimals: int = 2) -> AttentionView:
    """:func:`multi_head_view` of numbers already computed."""
    if isinstance(head, bool) or not isinstance(head, (int, np.integer)) or not 0 <= head < n.heads:
        raise ValueError(f"head={head!r} out of range: {n.layer} has {n.heads} heads (0 to {n.heads - 1})")
    head = int(head)
    grids = _grids(n, head, decimals)
    names = _names(n, head)
    operators = {"op-times": Label(r"\cdot", tex=True), "op-equals": Label("=", tex=True),
                 **{f"op-bias-{k}": Label(rf"+\,b_{{{k.upper()}}}=", tex=True) for k in "qkv"},
                 "op-bias-o": Label(r"+\,b_O=", tex=True)}
    notes = {"concat-note": Label(_concat_note(n), "muted", size="small")}
    labels = _context(n, context, head, decimals)
    heads = tuple(f"z-{h}" for h in range(n.heads))
    stages = {**STAGES, "heads": heads}
    return AttentionView(Formula.of(FORMULA, size="title"), labels, grids, names, operators, notes, stages, 0,
                         _story(n, grids, labels, head, decimals), below={"concat": "concat-note"},
                         wrapped=("heads",))


def _grids(n: MultiHeadNumbers, head: int, decimals: int) -> dict:
    places = decimals if len(n.tokens) <= NUMBERED_TOKENS else None
    model_dims, head_dims = dimension_labels(n.d_model), dimension_labels(n.d_k)
    wide, narrow = column_subset(n.d_model, MAX_SIDE), column_subset(n.d_k, MAX_SIDE)
    activations = _symmetric(n.x, n.q, n.k, n.v, n.z, n.out, label="X, Q, K, V, Z entries")
    weights = _symmetric(n.w_q[head], n.w_k[head], n.w_v[head], n.w_o, label="weights")
    grids = {"x": scaled_grid(n.x, activations, decimals=places, columns=wide, row_labels=n.tokens,
                              col_labels=model_dims)}
    for kind in "qkv":
        grids[f"w{kind}"] = scaled_grid(getattr(n, f"w_{kind}")[head], weights, decimals=decimals, rows=wide,
                                        columns=narrow, row_labels=model_dims, col_labels=head_dims)
        grids[kind] = scaled_grid(getattr(n, kind)[head], activations, decimals=places, columns=narrow,
                                  row_labels=n.tokens, col_labels=head_dims)
    grids["probs"] = attention_grid_view(n.probs[head], n.tokens, attention_scale(), places)
    for h in range(n.heads):
        grids[f"z-{h}"] = scaled_grid(n.z[h], activations, decimals=places, columns=narrow, row_labels=n.tokens,
                                      col_labels=head_dims)
    grids["z"] = grids[f"z-{head}"]
    grids["concat"] = scaled_grid(n.concat, activations, decimals=places, columns=concat_columns(n.heads, n.d_k),
                                  row_labels=n.tokens, col_labels=model_dims)
    grids["wo"] = scaled_grid(n.w_o, weights, decimals=decimals, rows=wide, columns=wide, row_labels=model_dims,
                              col_labels=model_dims)
    grids["out"] = scaled_grid(n.out, activations, decimals=places, columns=wide, row_labels=n.tokens,
                               col_labels=model_dims)
    return grids


def _symmetric(*arrays, label: str):
    from vizdl.views.base import Scale

    return Scale.symmetric(np.concatenate([np.ravel(a) for a in arrays]), label=label)


def concat_columns(heads: int, d_k: int) -> list:
    """Columns of the concatenation to show: each shown head's first and last columns, ``None`` between.

    >>> concat_columns(2, 4), concat_columns(2, 16)
    ([0, 1, 2, 3, 4, 5, 6, 7], [0, 1, None, 15, 16, 17, None, 31])
    >>> concat_columns(8, 2)
    [0, 1, 2, 3, None, 14, 15]
    """
    shown = list(range(heads)) if heads <= MAX_BLOCKS else [*range(MAX_BLOCKS - 1), None, heads - 1]
    block = column_subset(d_k, BLOCK_COLUMNS)
    columns = []
    for h in shown:
        if h is None:
            columns.append(None)
        else:
            columns += [None if c is None else h * d_k + c for c in block]
    return columns


def _names(n: MultiHeadNumbers, head: int) -> dict:
    sup = f"^{{({head})}}"
    names = {"x": "X", "probs": rf"\mathrm{{softmax}}\left(\frac{{Q{sup}K{sup}{{}}^\top}}{{\sqrt{{d_k}}}}\right)",
             "z": f"Z{sup}", "concat": _concat_name(n.heads),
             "wo": "W_O", "out": r"\mathrm{MultiHead}(X)"}
    for kind in "QKV":
        names[f"w{kind.lower()}"] = f"W_{kind}{sup}"
        names[kind.lower()] = f"{kind}{sup}"
    labels = {key: Label(tex, tex=True) for key, tex in names.items()}
    labels.update({f"z-{h}": Label(f"Z^{{({h})}}", tex=True) for h in range(n.heads)})
    return labels


def _concat_name(heads: int) -> str:
    r"""``Concat(Z^{(0)}, Z^{(1)})``, or with ``\dots`` past three heads."""
    parts = [f"Z^{{({h})}}" for h in range(heads)] if heads <= 3 else ["Z^{(0)}", r"\dots", f"Z^{{({heads - 1})}}"]
    return rf"\mathrm{{Concat}}({','.join(parts)})"


def _concat_note(n: MultiHeadNumbers) -> str:
    blocks = ", ".join(f"{h * n.d_k + 1}\u2013{(h + 1) * n.d_k}: head {h}" for h in range(min(n.heads, MAX_BLOCKS)))
    more = f", \u2026 ({n.heads} heads)" if n.heads > MAX_BLOCKS else ""
    return f"columns {blocks}{more}; {ELLIPSIS}: columns not shown" if n.d_k > BLOCK_COLUMNS or n.heads > MAX_BLOCKS \
        else f"columns {blocks}"


def _context(n: MultiHeadNumbers, context: RunContext, head: int, decimals: int) -> dict:
    task = context.task_sentence()
    labels = {"task": Label(task, size="small")} if task else {}
    labels |= {"model": Label(f"{context.source()}, step {n.step}: {n.layer}, {n.heads} heads, "
                              f"d_model = {n.d_model}, d_k = {n.d_k}", "muted", size="small"),
               "input": Label(f"input (probe sample {n.sample}): {' '.join(n.tokens)}", size="small")}
    labels["prediction"] = Label(_prediction_text(n, context, decimals), "focus", size="small")
    return labels


def _story(n: MultiHeadNumbers, grids: dict, context: dict, head: int, decimals: int) -> Story:
    count, h = len(n.tokens), head
    shape = f"{n.d_model}\u00d7{n.d_k}"
    first = tuple(k for k in ("task", "model", "input") if k in context)
    steps = [
        Step("x", f"The layer's input X: {count} tokens, each a row of d_model = {n.d_model} numbers "
             "(queries, keys and values are all computed from it).", (*first, "x"), written(grids["x"])),
        Step("wq", f"Head {h}'s queries: Q = X W_Q + b_Q with its own {shape} slice of W_Q "
             f"(d_k = d_model / {n.heads} heads = {n.d_k}).", ("op-times", "wq", "op-bias-q", "q"),
             written(grids["wq"]) + written(grids["q"])),
        Step("wk", f"Head {h}'s keys: K = X W_K + b_K, another {shape} matrix.", ("wk", "op-bias-k", "k"),
             written(grids["wk"]) + written(grids["k"])),
        Step("wv", f"Head {h}'s values: V = X W_V + b_V.", ("wv", "op-bias-v", "v"),
             written(grids["wv"]) + written(grids["v"])),
        Step("head", f"Head {h} attends: softmax(Q K\u1d40 / \u221a{n.d_k}) weights the value rows; its output "
             f"Z has {count} rows of d_k = {n.d_k}.", ("probs", "op-equals", "z"),
             written(grids["probs"]) + written(grids["z"])),
        Step("heads", f"All {n.heads} heads do the same in parallel, each with its own W_Q, W_K, W_V: "
             f"{n.heads} outputs of {count}\u00d7{n.d_k}.", tuple(f"z-{i}" for i in range(n.heads)),
             sum(written(grids[f"z-{i}"]) for i in range(n.heads))),
        Step("concat", f"Concatenated side by side, the heads give back {count}\u00d7{n.d_model}: "
             "one row per token again.", ("concat", "concat-note"), written(grids["concat"])),
        Step("output", f"W_O ({n.d_model}\u00d7{n.d_model}) mixes the heads: Concat W_O + b_O is the layer's "
             f"output, row '{n.tokens[0]}' starting {fmt(n.out[0, 0], decimals)}.",
             ("wo", "op-bias-o", "out"), written(grids["wo"]) + written(grids["out"])),
        Step("prediction", _prediction_caption(context["prediction"].text), ("prediction",), 2),
    ]
    return Story(tuple(steps))


__all__ = ["BLOCK_COLUMNS", "FORMULA", "MAX_BLOCKS", "MAX_SIDE", "STAGES", "concat_columns", "multi_head_view",
           "view_of_multi_head"]
