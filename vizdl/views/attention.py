"""What the attention pictures show: the notes' formula step by step, and attention maps.

:func:`attention_view` turns :func:`vizdl.ops.attention.attention_numbers` (one head, one
probe sample, recomputed from a run and checked against torch) into matrices coloured by
three scales — Q, K, V and the output on one diverging scale, the scores on another, the
attention weights on the sequential scale 0..1 — with the tokens on rows and columns, a
subset of the ``d_k`` columns (``⋯``) when ``d_k`` is wide, numbers in the cells when
they fit, and a story: Q K V, QKᵀ, ÷√d_k, row-wise softmax, weighted sum of V, every head,
the prediction. The task, the model and the input are stated from the first step on.

:func:`attention_maps_view` is the layer x head grid of maps (bertviz's "model view").

Each step shows one *stage*: a row of matrices with operators between them
(``view.stages[step.name]``); the painters lay a stage out and move the matrices that
two stages share.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from vizdl.ops.attention import AttentionNumbers, attention_numbers, select_sample
from vizdl.styles.theme import fmt
from vizdl.views.base import Formula, Label, Scale, Step, Story
from vizdl.views.matrices import (
    ELLIPSIS,
    column_subset,
    dimension_labels,
    scaled_grid,
    transposed,
    written,
)
from vizdl.views.runs import RunContext, run_context

FORMULA = r"\mathrm{Attention}(Q,K,V)=\mathrm{softmax}\left(\frac{QK^{\top}}{\sqrt{d_k}}\right)V"
#: Columns of Q, K, V shown at most (first ones, ``⋯``, the last one).
MAX_COLUMNS = 6
#: Matrices with more tokens than this are shown as colours only.
NUMBERED_TOKENS = 10
#: Head maps side by side write numbers only up to this many columns in all.
NUMBERED_HEAD_COLUMNS = 24

NAMES = {"q": "Q", "k": "K", "v": "V", "kt": r"K^{\top}", "scores": r"QK^{\top}",
         "scaled": r"\frac{QK^{\top}}{\sqrt{d_k}}",
         "probs": r"\mathrm{softmax}\left(\frac{QK^{\top}}{\sqrt{d_k}}\right)",
         "out": r"\mathrm{Attention}(Q,K,V)"}
ATTENTION_LABEL = "attention weight"


@dataclass(frozen=True)
class AttentionView:
    """Every element of the attention walkthrough, and its story.

    Attributes
    ----------
    title : Formula
        The notes' formula.
    context : dict of str -> Label
        ``task`` (the sequence task, when there is one), ``model`` (model, data, step,
        layer, head, d_k), ``input`` (the tokens) and ``prediction`` (revealed last).
    grids : dict of str -> Grid
        ``q``, ``k``, ``v``, ``kt``, ``scores``, ``scaled``, ``probs``, ``out`` and
        ``head-<h>`` for every head of the layer.
    names : dict of str -> Label
        What each grid is (LaTeX for the matrices, text for the heads).
    operators : dict of str -> Label
        ``op-times``, ``op-equals``, ``op-scale`` (÷√d_k), ``op-softmax`` (LaTeX).
    notes : dict of str -> Label
        ``focus-note``: the boxed row's sum; ``columns-note``: which columns are shown.
    stages : dict of str -> tuple of str
        For each step, the row of element ids (grids and operators) it shows.
    focus : int
        The query row boxed in the softmax step.
    story : Story
    below : dict of str -> str
        A note written under the matrices of a stage (``{"qkv": "columns-note"}``), when the view has it.
    wrapped : tuple of str
        Stages whose matrices wrap into rows (the heads) instead of one row with operators.
    """

    title: Formula
    context: dict
    grids: dict
    names: dict
    operators: dict
    notes: dict
    stages: dict
    focus: int
    story: Story
    below: dict = field(default_factory=lambda: {"qkv": "columns-note"})
    wrapped: tuple = ("heads", "prediction")

    def scales(self, stage: str) -> list:
        """The distinct scales of the grids of ``stage``, in order (one colour bar each)."""
        found = []
        for element in self.stages[stage]:
            scale = self.grids[element].scale if element in self.grids else None
            if scale is not None and scale not in found:
                found.append(scale)
        return found

    def element_ids(self) -> set:
        """Ids a step may reveal."""
        return set(self.context) | set(self.grids) | set(self.operators) | set(self.notes) | {"focus"}


def attention_view(run, *, layer: str | None = None, head: int = 0, sample: int = 0, step: int | None = None,
                   query: int = 0, tokens=None, decimals: int = 2) -> AttentionView:
    """The view of one head's attention on one probe sample of ``run`` (see the module docstring).

    Parameters
    ----------
    run : vizdl.Run
        A recorded transformer run (``tiny_transformer``, ``vit``).
    layer, head, sample, step, tokens
        As :func:`vizdl.ops.attention.attention_numbers` (default: first layer, head 0,
        sample 0, last step).
    query : int
        The query row boxed in the softmax step.
    decimals : int
        Places of the written numbers.
    """
    numbers = attention_numbers(run, layer=layer, head=head, sample=sample, step=step, tokens=tokens)
    return view_of_numbers(numbers, run_context(run), query=query, decimals=decimals)


def view_of_numbers(n: AttentionNumbers, context: RunContext, *, query: int = 0, decimals: int = 2) -> AttentionView:
    """:func:`attention_view` of numbers already computed."""
    count = len(n.tokens)
    if isinstance(query, bool) or not isinstance(query, (int, np.integer)) or not 0 <= query < count:
        raise ValueError(f"query={query!r} out of range: the sample has {count} tokens (0 to {count - 1})")
    grids = _grids(n, decimals)
    operators = {"op-times": Label(r"\cdot", tex=True), "op-equals": Label("=", tex=True),
                 "op-scale": Label(rf"\overset{{\div\sqrt{{{n.d_k}}}}}{{\longrightarrow}}", tex=True),
                 "op-softmax": Label(r"\overset{\mathrm{softmax}}{\longrightarrow}", tex=True)}
    names = {key: Label(tex, tex=True) for key, tex in NAMES.items()}
    names.update({f"head-{h}": Label(f"head {h}" + (" (shown before)" if h == n.head else ""), size="small")
                  for h in range(len(n.heads))})
    columns = column_subset(n.d_k, MAX_COLUMNS)
    notes = {"focus-note": Label(f"row '{n.tokens[query]}' sums to {fmt(n.probs[query].sum(), decimals)}",
                                 "focus", size="small")}
    if None in columns:
        notes["columns-note"] = Label(_columns_note(columns, n.d_k), "muted", size="small")
    context = _context(n, context, decimals)
    heads = tuple(f"head-{h}" for h in range(len(n.heads)))
    stages = {**STAGES, "heads": heads, "prediction": heads}
    return AttentionView(Formula.of(FORMULA, size="title"), context, grids, names, operators, notes, stages,
                         int(query), _story(n, grids, context, notes, query, decimals))


STAGES = {
    "qkv": ("q", "k", "v"),
    "scores": ("q", "op-times", "kt", "op-equals", "scores"),
    "scaled": ("scores", "op-scale", "scaled"),
    "softmax": ("scaled", "op-softmax", "probs"),
    "output": ("probs", "op-times", "v", "op-equals", "out"),
}


def _grids(n: AttentionNumbers, decimals: int) -> dict:
    count = len(n.tokens)
    places = decimals if count <= NUMBERED_TOKENS else None
    vectors = Scale.symmetric(np.concatenate([n.q, n.k, n.v, n.out]).ravel(), label="Q, K, V entries")
    scores = Scale.symmetric(n.scores, label="QK\u1d40 entries")
    scaled = Scale.symmetric(n.scaled, label="QK\u1d40/\u221ad_k entries")
    weights = attention_scale()
    columns = column_subset(n.d_k, MAX_COLUMNS)
    dims = dimension_labels(n.d_k)
    grids = {name: scaled_grid(getattr(n, name), vectors, decimals=places, columns=columns, row_labels=n.tokens,
                               col_labels=dims) for name in ("q", "k", "v", "out")}
    grids["kt"] = transposed(grids["k"])
    for name, scale in (("scores", scores), ("scaled", scaled)):
        grids[name] = scaled_grid(getattr(n, name), scale, decimals=places, row_labels=n.tokens, col_labels=n.tokens)
    grids["probs"] = attention_grid_view(n.probs, n.tokens, weights, places)
    head_places = decimals if count <= NUMBERED_TOKENS and count * len(n.heads) <= NUMBERED_HEAD_COLUMNS else None
    for h, probs in enumerate(n.heads):
        grids[f"head-{h}"] = attention_grid_view(probs, n.tokens, weights, head_places)
    return grids


def attention_scale(vmax: float = 1.0) -> Scale:
    """The sequential scale of attention weights, ``0`` to ``vmax`` (1 by default: probabilities)."""
    return Scale("sequential", 0.0, float(vmax), ATTENTION_LABEL)


def attention_grid_view(probs, tokens, scale: Scale | None = None, decimals: int | None = None):
    """One head's ``(T, T)`` map as a grid: queries on rows, keys on columns, ``scale`` colours.

    Weights below the last written place are written ``<0.01`` (with ``decimals=2``).
    """
    below = None if decimals is None else 10.0 ** -decimals
    return scaled_grid(probs, scale or attention_scale(), decimals=decimals, row_labels=tokens, col_labels=tokens,
                       below=below)


def _columns_note(columns, d_k: int) -> str:
    if None not in columns:
        return f"all {d_k} columns shown"
    return f"columns 1\u2013{columns[-3] + 1} and {d_k} of d_k = {d_k} shown ({ELLIPSIS}: the others)"


def _context(n: AttentionNumbers, context: RunContext, decimals: int) -> dict:
    heads = len(n.heads)
    task = context.task_sentence()
    labels = {"task": Label(task, size="small")} if task else {}
    labels |= {"model": Label(f"{context.source()}, step {n.step}: {n.layer}, head {n.head} of {heads}, "
                             f"d_k = {n.d_k}", "muted", size="small"),
               "input": Label(f"input (probe sample {n.sample}): {' '.join(n.tokens)}", size="small")}
    labels["prediction"] = Label(_prediction_text(n, context, decimals), "focus", size="small")
    return labels


def _prediction_text(n: AttentionNumbers, context: RunContext, decimals: int) -> str:
    truth = "" if n.label is None else f", true class: '{context.class_name(n.label)}'"
    if n.class_probs is None:
        return f"prediction: not available (the model cannot be rebuilt){truth}"
    predicted = n.predicted
    return (f"prediction: '{context.class_name(predicted)}' (p = {fmt(n.class_probs[predicted], decimals)})"
            f"{truth}")


def _story(n: AttentionNumbers, grids: dict, context: dict, notes: dict, query: int, decimals: int) -> Story:
    count, token = len(n.tokens), n.tokens[query]
    shown = "" if n.d_k <= MAX_COLUMNS else f" ({MAX_COLUMNS - 1} of them shown)"
    steps = [
        Step("qkv", f"Each of the {count} tokens becomes a query, a key and a value: rows of d_k = {n.d_k} "
             f"numbers{shown}, computed from the layer's input by W_Q, W_K and W_V.",
             tuple(k for k in ("task", "model", "input") if k in context) + ("q", "k", "v")
             + tuple(k for k in notes if k == "columns-note"), sum(written(grids[g]) for g in "qkv")),
        Step("scores", "Every query meets every key: entry (i, j) of Q K\u1d40 is the dot product of "
             "query i with key j.", ("op-times", "kt", "op-equals", "scores"), written(grids["scores"])),
        Step("scaled", f"Dividing by \u221ad_k = {fmt(math.sqrt(n.d_k), decimals)} keeps the scores small, "
             "so the softmax does not saturate.", ("op-scale", "scaled"), written(grids["scaled"])),
        Step("softmax", f"Softmax along each row: the weights of the boxed query '{token}' over the {count} "
             "keys are positive and sum to 1.", ("op-softmax", "probs", "focus", "focus-note"), written(grids["probs"])),
        Step("output", "Each output row is the weighted sum of the value rows, weighted by that query's "
             "attention.", ("out",), written(grids["out"])),
        Step("heads", _heads_caption(len(n.heads), n.layer), tuple(f"head-{h}" for h in range(len(n.heads))),
             sum(written(grids[f"head-{h}"]) for h in range(len(n.heads)))),
        Step("prediction", _prediction_caption(context["prediction"].text), ("prediction",), 2),
    ]
    return Story(tuple(steps))


def _heads_caption(count: int, layer: str) -> str:
    if count == 1:
        return f"The map of {layer}'s only head, as recorded during training."
    return (f"The {count} heads of {layer} on this input, as recorded during training: each head "
            "attends to different tokens.")


def _prediction_caption(prediction: str) -> str:
    return prediction[0].upper() + prediction[1:] + ": the attention above is what the model used to get there."


# -- attention maps (layer x head) ------------------------------------------------------------
@dataclass(frozen=True)
class MapPanel:
    """One attention map of a maps view: ``id`` (``"<layer>/<head>"`` or ``"step-<s>"``), title, grid."""

    id: str
    title: Label
    grid: object


@dataclass(frozen=True)
class AttentionMapsView:
    """Attention maps on one scale: rows of panels (layers, or one row of training steps).

    Attributes
    ----------
    title : Label
    rows : tuple of tuple of MapPanel
    row_titles : tuple of str
        What each row is (a layer name), or empty strings.
    scale : Scale
        The colour scale of every panel (a colour bar).
    """

    title: Label
    rows: tuple
    row_titles: tuple
    scale: Scale

    @property
    def panels(self) -> list:
        """Every panel, row by row."""
        return [p for row in self.rows for p in row]


def attention_maps_view(maps: dict, *, tokens=None, sample: int = 0, layers=None, heads=None,
                        vmax: float | None = None, title: str | None = None, decimals: int | None = None
                        ) -> AttentionMapsView:
    """One panel per layer (rows) and head (columns) of ``maps`` for probe ``sample``.

    ``vmax`` sets the top of the scale (1 by default: the colours mean the same weight in
    every picture). ``decimals`` writes the weights in the cells.
    """
    maps = select_sample(maps, sample)
    layers = choose(list(maps), layers, "layers")
    heads = choose(list(range(maps[layers[0]].shape[0])), heads, "heads")
    count = maps[layers[0]].shape[-1]
    tokens = token_names(tokens, count)
    scale = attention_scale(1.0 if vmax is None else vmax)
    rows = tuple(tuple(MapPanel(f"{layer}/{h}", Label(f"head {h}", size="small"),
                                attention_grid_view(maps[layer][h], tokens, scale, decimals)) for h in heads)
                 for layer in layers)
    text = title or f"Attention maps of probe sample {sample} (rows: layers, columns: heads)"
    return AttentionMapsView(Label(text, size="title"), rows, tuple(layers), scale)


def choose(available: list, chosen, name: str) -> list:
    """``chosen`` (all of ``available`` by default), checked to be among ``available``."""
    if chosen is None:
        return available
    chosen = list(chosen)
    unknown = [c for c in chosen if c not in available]
    if unknown or not chosen:
        raise ValueError(f"{name}={chosen!r} not available; choose among {available}")
    return chosen


def token_names(tokens, count: int) -> list:
    """``tokens`` as strings (``0 .. count-1`` by default), checked to be ``count`` of them."""
    tokens = [str(t) for t in (tokens if tokens is not None else range(count))]
    if len(tokens) != count:
        raise ValueError(f"tokens must have one label per token ({count}), got {len(tokens)}")
    return tokens


__all__ = [
    "ATTENTION_LABEL",
    "FORMULA",
    "MAX_COLUMNS",
    "NUMBERED_TOKENS",
    "STAGES",
    "AttentionMapsView",
    "AttentionView",
    "MapPanel",
    "attention_grid_view",
    "attention_maps_view",
    "attention_scale",
    "attention_view",
    "choose",
    "token_names",
    "view_of_numbers",
]
