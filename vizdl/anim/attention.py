"""Self-attention step by step with a run's real numbers, as Manim mobjects and animations.

:func:`attention_numbers` takes one head of one attention layer of a recorded run and
computes, from the recorded weights and the recorded input of the layer, every matrix the
notes' formula ``Attention(Q, K, V) = softmax(QK^T / sqrt(d_k)) V`` goes through.
:class:`AttentionWalkthrough` lays them out as matrices and yields the animations that
build ``QK^T``, scale it, apply the row-wise softmax and take the weighted sum of ``V``,
then shows every head of the layer side by side.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vizdl.styles.colors import POSITIVE, ZERO, symmetric_limit, weight_color

INK = "#222222"
FONT = "DejaVu Sans"
FORMULA = r"\mathrm{Attention}(Q,K,V)=\mathrm{softmax}\!\left(\frac{QK^{\top}}{\sqrt{d_k}}\right)V"
DEFAULT_RUN = dict(task="contains", seq_len=4, d_model=8, heads=2, depth=1, epochs=3, seed=0)


# -- the numbers ---------------------------------------------------------------------------
@dataclass
class AttentionNumbers:
    """Every matrix of one head's self-attention on one probe sample (NumPy, float64)."""

    tokens: list       # labels of the T tokens
    x: np.ndarray      # (T, d_model) input of the attention layer
    q: np.ndarray      # (T, d_k) queries of the head
    k: np.ndarray      # (T, d_k) keys
    v: np.ndarray      # (T, d_k) values
    scores: np.ndarray  # (T, T) Q K^T
    scaled: np.ndarray  # (T, T) Q K^T / sqrt(d_k)
    probs: np.ndarray   # (T, T) row-wise softmax of scaled
    out: np.ndarray     # (T, d_k) probs @ V
    heads: np.ndarray   # (heads, T, T) every head's probabilities (recorded)
    head: int
    layer: str
    step: int

    @property
    def d_k(self) -> int:
        """Width of one head's queries and keys."""
        return self.q.shape[1]


def attention_numbers(run, *, layer: str = "blocks.0.attn", head: int = 0, sample: int = 0,
                      step: int | None = None, tokens=None) -> AttentionNumbers:
    """Q, K, V, the scores, the softmax and the output of one head, from a recorded run.

    Parameters
    ----------
    run : vizdl.Run
        A run with attention recorded: a model of :mod:`vizdl.models.transformer`, or one
        using ``nn.MultiheadAttention`` (e.g. ``nn.TransformerEncoder``; open the run with
        ``Run.open(path, model=...)`` so its layer input can be computed).
    layer : str
        Attention module, e.g. ``"blocks.0.attn"``.
    head, sample : int
        Head of the layer and probe sample.
    step : int, optional
        Recorded step (default the last).
    tokens : sequence of str, optional
        Token labels (default the probe's token ids, ``CLS`` first for a CLS model).
    """
    step = run.steps[-1] if step is None else step
    run.require_step(step)
    maps = run.attention(step)
    if layer not in maps:
        raise ValueError(f"layer={layer!r} has no recorded attention; recorded: {sorted(maps)}")
    heads = maps[layer].astype(np.float64)
    if not 0 <= sample < heads.shape[0]:
        raise ValueError(f"sample={sample} out of range: the probe holds {heads.shape[0]} samples")
    if not 0 <= head < heads.shape[1]:
        raise ValueError(f"head={head} out of range: {layer} has {heads.shape[1]} heads")
    x = layer_input(run, layer, step)[sample].astype(np.float64)
    weights = run.weights(step)
    q, k, v = (_project(x, weights, f"{layer}.{n}_proj", heads.shape[1], head) for n in "qkv")
    scores = q @ k.T
    scaled = scores / math.sqrt(q.shape[1])
    probs = np.exp(scaled - scaled.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    return AttentionNumbers(_token_labels(run, sample, len(x), tokens), x, q, k, v, scores, scaled,
                            probs, probs @ v, heads[sample], head, layer, step)


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


def _token_labels(run, sample, count, tokens) -> list:
    if tokens is not None:
        if len(tokens) != count:
            raise ValueError(f"tokens must have {count} labels, got {len(tokens)}")
        return [str(t) for t in tokens]
    ids = [str(int(t)) for t in np.ravel(run.probe["inputs"][sample])]
    vocab = (run.meta.get("dataset") or {}).get("vocab")
    if vocab:
        ids = [str(vocab[int(i)]) if int(i) < len(vocab) else i for i in ids]
    return (["CLS"] + ids if len(ids) + 1 == count else ids)[:count]


def numbers_from_env(env=None) -> AttentionNumbers:
    """:func:`attention_numbers` of :func:`scene_run`, options from ``$VIZDL_ATTN``.

    ``VIZDL_ATTN="layer=blocks.1.attn,head=1,sample=3,step=100"``; unknown keys are refused.
    """
    env = os.environ if env is None else env
    options = {}
    for item in filter(None, env.get("VIZDL_ATTN", "").split(",")):
        key, _, value = item.partition("=")
        if key not in ("layer", "head", "sample", "step"):
            raise ValueError(f"VIZDL_ATTN: unknown option {key!r}; allowed: layer, head, sample, step")
        options[key] = value if key == "layer" else int(value)
    return attention_numbers(scene_run(), **options)


# -- the default run ----------------------------------------------------------------------
def scene_run(cache_dir=".vizdl-cache"):
    """The run the attention scene shows: ``$VIZDL_RUN``, or a cached tiny transformer run.

    Without ``VIZDL_RUN`` a tiny transformer (``DEFAULT_RUN``: 4 tokens, 2 heads of width
    4) is trained on the toy sequences for a few seconds with a fixed seed and cached in
    ``cache_dir``; later renders reuse it.
    """
    import vizdl

    if os.environ.get("VIZDL_RUN"):
        return vizdl.Run.open(os.environ["VIZDL_RUN"])
    config = DEFAULT_RUN
    path = Path(cache_dir) / "attention-{task}-{seq_len}tok-d{d_model}-h{heads}-L{depth}-e{epochs}-s{seed}".format(
        **config)
    if (path / "run.json").is_file():
        run = vizdl.Run.open(path)
        if run.meta.get("status") == "complete" and run.steps:
            return run
    return train_scene_run(path, **config)


def train_scene_run(path, *, task: str, seq_len: int, d_model: int, heads: int, depth: int,
                    epochs: int, seed: int):
    """Train the scene's tiny transformer on the toy sequences ``task`` and record it into ``path``."""
    import vizdl
    from vizdl.models.transformer import tiny_transformer

    data = _sequences(seq_len, task, seed)
    vocab = int(max(data.x_train.max(), data.x_val.max())) + 1
    model = _seeded(lambda: tiny_transformer(
        input_shape=(seq_len,), num_classes=len(data.classes), vocab_size=vocab, d_model=d_model,
        heads=heads, depth=depth), seed)
    spec = vizdl.RecordSpec(every=50, activations=["blocks.*.norm1"], probe_size=16, grads=False)
    return vizdl.train(model, data, epochs=epochs, lr=0.003, optimizer="adam", seed=seed,
                       record=spec, out=path, quiet=True, overwrite=True)  # the cache's own directory


def _sequences(seq_len: int, task: str, seed: int):
    from vizdl.data import load

    return load("sequences", task=task, seq_len=seq_len, seed=seed)


def _seeded(build, seed):
    """``build()`` with torch seeded by ``seed``, in a fork of the global generator (left as it was)."""
    import torch

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return build()


# -- mobjects -------------------------------------------------------------------------------
_TEXT_CACHE: dict = {}


def text(string: str, font_size: float = 22, color: str = INK):
    """A copy of a cached ``Text`` (creating Text is slow; each string is made once)."""
    from manim import Text

    key = (string, float(font_size), color)
    if key not in _TEXT_CACHE:
        _TEXT_CACHE[key] = Text(string, font_size=font_size, color=color, font=FONT)
    return _TEXT_CACHE[key].copy()


def tex(string: str, font_size: float = 36, color: str = INK):
    """A copy of a cached ``MathTex``."""
    from manim import MathTex

    key = ("tex", string, float(font_size), color)
    if key not in _TEXT_CACHE:
        _TEXT_CACHE[key] = MathTex(string, font_size=font_size, color=color)
    return _TEXT_CACHE[key].copy()


def format_number(value: float, decimals: int = 2) -> str:
    """``value`` with ``decimals`` decimals and a true minus sign (``-0.00`` shows as ``0.00``)."""
    string = f"{value:.{decimals}f}"
    if float(string) == 0:
        string = string.lstrip("-")
    return string.replace("-", "\u2212")


def cell_colors(values, kind: str = "signed") -> list:
    """Fill colours: ``"signed"`` blue-white-red with symmetric limits, ``"prob"`` white-red 0..1."""
    values = np.asarray(values, dtype=float)
    if kind == "prob":
        from matplotlib.colors import LinearSegmentedColormap, to_hex

        cmap = LinearSegmentedColormap.from_list("attn", [ZERO, POSITIVE])
        return [to_hex(cmap(float(np.clip(v, 0, 1)))) for v in values.ravel()]
    if kind != "signed":
        raise ValueError(f"kind must be 'signed' or 'prob', got {kind!r}")
    limit = symmetric_limit(values)
    return [weight_color(v, limit) for v in values.ravel()]


def matrix_mobject(values, *, kind: str = "signed", cell: float = 0.84, decimals: int = 2,
                   font_size: float = 20, row_labels=None, col_labels=None, name: str | None = None,
                   label: str | None = None):
    """A matrix as coloured cells holding its numbers, with optional token labels and a name.

    ``name`` is LaTeX written under the matrix, ``label`` plain text (cheaper) put there
    instead. Returns a ``VGroup`` with attributes ``cells``, ``entries`` (row-major
    ``Text``), ``row_labels``, ``col_labels``, ``name`` and ``values``.
    """
    from manim import DOWN, LEFT, UP, Square, VGroup

    values = np.asarray(values, dtype=float)
    if values.ndim != 2:
        raise ValueError(f"values must be a 2-D matrix, got shape {values.shape}")
    rows, cols = values.shape
    group = VGroup()
    group.values = values
    group.cells = VGroup(*(Square(cell, stroke_color="#666666", stroke_width=1.2, fill_color=c,
                                  fill_opacity=1.0) for c in cell_colors(values, kind)))
    group.cells.arrange_in_grid(rows, cols, buff=0)
    group.entries = VGroup(*(_fit(text(format_number(v, decimals), font_size), 0.88 * cell).move_to(sq)
                             for v, sq in zip(values.ravel(), group.cells)))
    group.add(group.cells, group.entries)
    group.row_labels = _labels(row_labels, [group.cells[i * cols] for i in range(rows)], LEFT)
    group.col_labels = _labels(col_labels, list(group.cells[:cols]), UP)
    group.add(group.row_labels, group.col_labels)
    group.name = (tex(name, 34) if name else text(label, 24) if label else VGroup())
    group.name.next_to(group.cells, DOWN, buff=0.2)
    group.add(group.name)
    return group


def _fit(mobject, width: float):
    return mobject.scale_to_fit_width(width) if mobject.width > width else mobject


def _labels(strings, anchors, direction):
    from manim import VGroup

    if strings is None:
        return VGroup()
    return VGroup(*(text(str(s), 24, "#555555").next_to(a, direction, buff=0.12)
                    for s, a in zip(strings, anchors)))


# -- the walkthrough --------------------------------------------------------------------------
class AttentionWalkthrough:
    """The mobjects of the attention scene, built once from :class:`AttentionNumbers`.

    Use :meth:`animations` to get, in order, ``(animation, pause)`` pairs that a scene plays.
    """

    def __init__(self, numbers: AttentionNumbers):
        from manim import UP

        self.numbers = numbers
        n = numbers
        self.formula = tex(FORMULA, 40).to_edge(UP, buff=0.3)
        self.caption = text(f"{n.layer}, head {n.head}, step {n.step}: d_k = {n.d_k}", 22, "#555555")
        self.q = matrix_mobject(n.q, row_labels=n.tokens, name="Q")
        self.k = matrix_mobject(n.k, row_labels=n.tokens, name="K")
        self.v = matrix_mobject(n.v, row_labels=n.tokens, name="V")
        self.kt = matrix_mobject(n.k.T, col_labels=n.tokens, name=r"K^{\top}")
        self.scores = matrix_mobject(n.scores, row_labels=n.tokens, col_labels=n.tokens,
                                     name=r"QK^{\top}")
        self.scaled = matrix_mobject(n.scaled, row_labels=n.tokens, col_labels=n.tokens,
                                     name=r"\frac{QK^{\top}}{\sqrt{d_k}}")
        self.probs = matrix_mobject(n.probs, kind="prob", row_labels=n.tokens, col_labels=n.tokens,
                                    name=r"\mathrm{softmax}\!\left(\frac{QK^{\top}}{\sqrt{d_k}}\right)")
        self.out = matrix_mobject(n.out, row_labels=n.tokens, name=r"\mathrm{Attention}(Q,K,V)")
        self.heads = [matrix_mobject(h, kind="prob", row_labels=n.tokens, col_labels=n.tokens,
                                                     label=f"head {i}") for i, h in enumerate(n.heads)]
        self._layout()

    def _layout(self) -> None:
        from manim import DOWN, LEFT, RIGHT, UP, VGroup

        self.caption.next_to(self.formula, DOWN, buff=0.2)
        VGroup(self.q, self.k, self.v).arrange(RIGHT, buff=1.2).move_to(DOWN * 0.7)
        self.times = tex(r"\cdot", 48)
        self.equals = tex("=", 48)
        self.divide = tex(rf"\div\sqrt{{{self.numbers.d_k}}}", 40)
        row = VGroup(self.q.copy(), self.times, self.kt, self.equals, self.scores)
        row.arrange(RIGHT, buff=0.3).move_to(DOWN * 0.7)
        self.q_target = row[0]
        for target, source in ((self.scaled, self.scores), (self.probs, self.scores)):
            target.move_to(source, aligned_edge=LEFT).align_to(source.cells, DOWN)
            target.shift((source.cells.get_center() - target.cells.get_center()))
        self.divide.next_to(self.scores.col_labels, UP, buff=0.15)
        self.softmax_note = text("each row sums to 1", 24, POSITIVE)
        self.softmax_note.next_to(self.probs.col_labels, UP, buff=0.15)
        out_row = VGroup(self.probs.copy(), tex(r"\cdot", 48), self.v.copy(), tex("=", 48), self.out)
        out_row.arrange(RIGHT, buff=0.3).move_to(DOWN * 0.7)
        self.out_row = out_row
        VGroup(*self.heads).arrange(RIGHT, buff=0.9).move_to(DOWN * 0.4)
        self.heads_title = text(f"every head of {self.numbers.layer} (recorded)", 26)
        self.heads_title.next_to(VGroup(*self.heads), DOWN, buff=0.35)

    def row_box(self, row: int, matrix=None):
        """A rectangle around ``row`` of the probability matrix (or of ``matrix``)."""
        from manim import SurroundingRectangle, VGroup

        matrix = matrix or self.probs
        cols = matrix.values.shape[1]
        return SurroundingRectangle(VGroup(*matrix.cells[row * cols:(row + 1) * cols]), color="#ff7f0e",
                                    buff=0.03, stroke_width=5)

    def animations(self, run_time: float = 0.8):
        """``(animation, pause)`` pairs, in order, for a scene to play."""
        from manim import AnimationGroup, FadeIn, FadeOut, ReplacementTransform, Transform, Write

        def step(*animations, pause: float = 0.0, seconds: float = run_time):
            return AnimationGroup(*animations, run_time=seconds), pause

        box = self.row_box(0)
        yield step(Write(self.formula), pause=0.3, seconds=1.2)
        yield step(FadeIn(self.caption, self.q, self.k, self.v), pause=1.0)
        yield step(FadeOut(self.v), Transform(self.q, self.q_target),
                   ReplacementTransform(self.k, self.kt), FadeIn(self.times, self.equals), pause=0.2)
        yield step(FadeIn(self.scores), pause=1.0)
        yield step(FadeIn(self.divide), pause=0.3)
        yield step(ReplacementTransform(self.scores, self.scaled), pause=1.0, seconds=1.0)
        yield step(FadeOut(self.divide), ReplacementTransform(self.scaled, self.probs), pause=0.3,
                   seconds=1.0)
        yield step(FadeIn(box, self.softmax_note), pause=1.0)
        yield step(FadeOut(box, self.softmax_note, self.q, self.times, self.kt, self.equals),
                   ReplacementTransform(self.probs, self.out_row[0]))
        yield step(FadeIn(*self.out_row[1:]), pause=1.5)
        yield step(FadeOut(self.out_row, self.caption), FadeIn(*self.heads, self.heads_title), pause=2.0)
