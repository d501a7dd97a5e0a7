"""Attention maps as vector figures: layer x head grid, head view, training steps, image patches.

Every function takes plain arrays (``run.attention(step)`` gives them: a dict
``{"blocks.0.attn": (N, heads, queries, keys)}``) and returns what it drew.
Attention probabilities are non-negative, so they use a white (0) to red map.
"""
from __future__ import annotations

import numpy as np
from matplotlib.colors import LinearSegmentedColormap, to_rgb
from matplotlib.patches import Rectangle

from vizdl.styles.colors import POSITIVE, ZERO

# heads get colours that do not read as positive (red) / negative (blue)
HEAD_COLORS = ("#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f")


def attention_cmap() -> LinearSegmentedColormap:
    """White (probability 0) to red (high probability) colour map."""
    return LinearSegmentedColormap.from_list("vizdl_attention", [ZERO, POSITIVE])


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


def attention_heatmap(attn, *, tokens=None, ax=None, vmax: float | None = None, annotate=None,
                      fontsize: float | None = None, labels: bool = True, cmap=None):
    """One head's attention matrix (queries as rows, keys as columns) as a heat map.

    Parameters
    ----------
    attn : array (T, T)
        Probabilities; row ``q`` is how query token ``q`` spreads its attention over the keys.
    tokens : sequence of str, optional
        Token labels (default ``0..T-1``).
    vmax : float, optional
        Top of the colour scale (default: the largest value; ``0`` is always white).
    annotate : bool, optional
        Write the probabilities in the cells (default for ``T <= 6``).
    labels : bool
        Draw token labels on both axes.

    Returns
    -------
    matplotlib.axes.Axes
    """
    attn = _square(attn, "attn")
    ax = ax or _new_axes()
    tokens = _tokens(tokens, len(attn))
    vmax = float(vmax if vmax is not None else max(attn.max(), 1e-9))
    ax.imshow(attn, cmap=cmap or attention_cmap(), vmin=0.0, vmax=vmax, aspect="equal")
    _token_ticks(ax, tokens if labels else None, len(attn), fontsize)
    ax.tick_params(length=0)
    ax.spines[:].set_visible(False)
    ax.set_xlabel("key")
    ax.set_ylabel("query")
    if annotate or (annotate is None and len(attn) <= 6):
        _annotate(ax, attn, vmax, fontsize)
    return ax


def attention_grid(maps: dict, *, tokens=None, sample: int = 0, layers=None, heads=None,
                   vmax: float | None = None, size: float = 2.6, fig=None):
    """bertviz's "model view" as a vector figure: one heat map per layer (rows) and head (columns).

    Parameters
    ----------
    maps : dict
        ``{layer name: (N, heads, T, T) or (heads, T, T)}``, e.g. ``run.attention(step)``.
    tokens : sequence of str, optional
        Labels of the ``T`` tokens, shown on the left column and the bottom row.
    sample : int
        Probe sample shown when the maps hold a batch.
    layers, heads : sequence, optional
        Layer names and head indices to show (default all).
    vmax : float, optional
        Common top of the colour scale (default: the largest probability shown).
    size : float
        Side of one panel in inches.

    Returns
    -------
    matplotlib.figure.Figure
    """
    maps = select_sample(maps, sample)
    layers = _choose(list(maps), layers, "layers")
    heads = _choose(list(range(maps[layers[0]].shape[0])), heads, "heads")
    chosen = np.stack([maps[name][heads] for name in layers])  # (layers, heads, T, T)
    vmax = float(vmax if vmax is not None else chosen.max())
    fig, axes = _grid(fig, len(layers), len(heads), size)
    for row, name in enumerate(layers):
        for col, head in enumerate(heads):
            ax = axes[row, col]
            attention_heatmap(chosen[row, col], tokens=tokens, ax=ax, vmax=vmax, annotate=False,
                              labels=True)
            ax.tick_params(labelleft=col == 0, labelbottom=row == len(layers) - 1)
            ax.set_xlabel("key" if row == len(layers) - 1 else "")
            ax.set_ylabel(f"{name}\nquery" if col == 0 else "")
            if row == 0:
                ax.set_title(f"head {head}")
    _colorbar(fig, axes, vmax)
    return fig


def head_view(attn, *, tokens=None, heads=None, ax=None, threshold: float = 0.02,
              max_width: float = 8.0, fontsize: float | None = None):
    """bertviz's "head view": lines from each query token (left) to each key token (right).

    Line width and opacity follow the attention weight; each head has its own colour.

    Parameters
    ----------
    attn : array (heads, T, T) or (T, T)
        Attention probabilities of one layer and one sample.
    tokens : sequence of str, optional
        Token labels.
    heads : sequence of int, optional
        Heads drawn (default all).
    threshold : float
        Weights below this are not drawn.
    max_width : float
        Line width (points) of a weight of 1.

    Returns
    -------
    matplotlib.axes.Axes
    """
    attn = np.asarray(attn, dtype=float)
    attn = attn[None] if attn.ndim == 2 else attn
    if attn.ndim != 3:
        raise ValueError(f"attn must have shape (heads, T, T) or (T, T), got {attn.shape}")
    _square(attn[0], "attn")
    heads = _choose(list(range(len(attn))), heads, "heads")
    ax = ax or _new_axes()
    count = attn.shape[-1]
    tokens = _tokens(tokens, count)
    y = np.arange(count)[::-1].astype(float)
    for index, head in enumerate(heads):
        _head_lines(ax, attn[head], y, HEAD_COLORS[index % len(HEAD_COLORS)], threshold, max_width,
                    offset=(index - (len(heads) - 1) / 2) * 0.08)
    for x, align in ((0.0, "right"), (1.0, "left")):
        for pos, label in zip(y, tokens):
            ax.text(x + (-0.04 if align == "right" else 0.04), pos, label, ha=align, va="center",
                    fontsize=fontsize)
    if len(heads) > 1:
        for index, head in enumerate(heads):
            ax.plot([], [], color=HEAD_COLORS[index % len(HEAD_COLORS)], lw=3, label=f"head {head}")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=min(len(heads), 4),
                  frameon=False, fontsize="small")
    ax.set_xlim(-0.45, 1.45)
    ax.set_ylim(-0.6, count - 0.4)
    ax.text(0.0, count - 0.3, "query", ha="right", va="bottom", color="0.35")
    ax.text(1.0, count - 0.3, "key", ha="left", va="bottom", color="0.35")
    ax.set_axis_off()
    return ax


def attention_over_steps(snapshots: dict, *, layer: str, head: int = 0, sample: int = 0,
                         tokens=None, steps=None, size: float = 2.6, fig=None):
    """How one head's attention matrix changes during training: one heat map per step.

    Parameters
    ----------
    snapshots : dict
        ``{step: run.attention(step)}``; see :func:`attention_steps` to build it from a run.
    layer : str
        Attention module name, e.g. ``"blocks.0.attn"``.
    head, sample : int
        Head and probe sample shown.
    steps : sequence of int, optional
        Steps shown (default all, in order).

    Returns
    -------
    matplotlib.figure.Figure
    """
    steps = _choose(sorted(snapshots), steps, "steps")
    panels = []
    for step in steps:
        if layer not in snapshots[step]:
            raise KeyError(f"layer {layer!r} not recorded; recorded: {', '.join(snapshots[step])}")
        panels.append(_head(select_sample({layer: snapshots[step][layer]}, sample)[layer], head))
    fig, axes = _grid(fig, 1, len(steps), size)
    for col, (step, attn) in enumerate(zip(steps, panels)):
        attention_heatmap(attn, tokens=tokens, ax=axes[0, col], vmax=1.0, annotate=False)
        axes[0, col].tick_params(labelleft=col == 0)
        axes[0, col].set_ylabel("query" if col == 0 else "")
        axes[0, col].set_title(f"step {step}")
    fig.suptitle(f"{layer}, head {head}")
    _colorbar(fig, axes, 1.0)
    return fig


def attention_steps(run, steps=None) -> dict:
    """``{step: run.attention(step)}`` for the recorded steps (a few evenly spaced by default)."""
    recorded = [s for s in run.steps if run.attention(s)]
    if not recorded:
        raise ValueError(f"run {run.path} recorded no attention maps")
    if steps is None:
        index = np.unique(np.linspace(0, len(recorded) - 1, min(5, len(recorded))).round().astype(int))
        steps = [recorded[i] for i in index]
    for step in steps:
        run.require_step(step)
    return {int(step): run.attention(step) for step in steps}


def patch_attention(image, weights, *, patch_size: int, ax=None, alpha: float = 0.85,
                    color: str = POSITIVE, query_patch: int | None = None, title: str | None = None):
    """Attention over image patches overlaid on the image.

    Parameters
    ----------
    image : array (H, W) or (C, H, W)
        The input image (one channel is shown in grey).
    weights : array (P,)
        One weight per patch, patches numbered row by row (CLS token excluded), e.g. the
        row of a chosen query in an attention map or in :func:`attention_rollout`.
    patch_size : int
        Side of the square patches.
    alpha, color : float, str
        The most attended patch is painted ``color`` with opacity ``alpha``; the others
        proportionally less.
    query_patch : int, optional
        Patch drawn with a frame (the query whose attention is shown).

    Returns
    -------
    matplotlib.axes.Axes
    """
    image = np.asarray(image, dtype=float)
    image = image.reshape(image.shape[-2:]) if image.ndim == 3 and image.shape[0] == 1 else image
    if image.ndim != 2:
        raise ValueError(f"image must have shape (H, W) or (1, H, W), got {image.shape}")
    rows, cols = image.shape[0] // patch_size, image.shape[1] // patch_size
    weights = np.asarray(weights, dtype=float).ravel()
    if weights.size != rows * cols:
        raise ValueError(f"weights must hold one value per patch ({rows}x{cols}={rows * cols} "
                         f"for patch_size={patch_size}), got {weights.size}")
    ax = ax or _new_axes()
    upsampled = np.kron(weights.reshape(rows, cols), np.ones((patch_size, patch_size)))
    overlay = np.zeros((*upsampled.shape, 4))
    overlay[..., :3] = to_rgb(color)
    overlay[..., 3] = alpha * upsampled / max(upsampled.max(), 1e-12)
    ax.imshow(image, cmap="gray")
    ax.imshow(overlay)
    for line in range(1, rows):
        ax.axhline(line * patch_size - 0.5, color="white", lw=0.5, alpha=0.5)
    for line in range(1, cols):
        ax.axvline(line * patch_size - 0.5, color="white", lw=0.5, alpha=0.5)
    if query_patch is not None:
        row, col = divmod(int(query_patch), cols)
        ax.add_patch(Rectangle((col * patch_size - 0.5, row * patch_size - 0.5), patch_size,
                               patch_size, fill=False, edgecolor="#ffdd00", lw=3))
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title)
    return ax


def image_attention(image, maps: dict, *, patch_size: int, query: int = 0, sample: int = 0,
                    cls: bool = True, size: float = 2.6, fig=None):
    """For a vision transformer: the image, each layer's attention of ``query``, and the rollout.

    Parameters
    ----------
    image : array (H, W) or (1, H, W)
        The probe image of ``sample``.
    maps : dict
        ``{layer: (N, heads, T, T)}`` from ``run.attention(step)``.
    query : int
        Query token (``0`` is the CLS token when ``cls``; patch ``i`` is token ``i + cls``).
    cls : bool
        Whether token 0 is a CLS token (dropped from the keys shown).

    Returns
    -------
    matplotlib.figure.Figure
    """
    maps = select_sample(maps, sample)
    layers = list(maps)
    count = maps[layers[0]].shape[-1]
    if not 0 <= query < count:
        raise ValueError(f"query={query} out of range: the maps have {count} tokens")
    first = int(cls)
    panels = [(maps[name].mean(axis=0)[query, first:], f"{name}\n(mean of heads)") for name in layers]
    panels.append((attention_rollout([maps[n] for n in layers])[query, first:], "rollout"))
    fig, axes = _grid(fig, 1, len(panels) + 1, size)
    shown = np.asarray(image, dtype=float).reshape(np.shape(image)[-2:])
    axes[0, 0].imshow(shown, cmap="gray")
    axes[0, 0].set_title("input")
    axes[0, 0].set_xticks([])
    axes[0, 0].set_yticks([])
    for ax, (weights, title) in zip(axes[0, 1:], panels):
        patch_attention(image, weights, patch_size=patch_size, ax=ax, title=title,
                        query_patch=query - first if query >= first else None)
    who = "CLS" if cls and query == 0 else f"patch {query - first}"
    fig.suptitle(f"where the {who} token looks")
    return fig


# -- helpers ---------------------------------------------------------------------------------
def _new_axes():
    import matplotlib.pyplot as plt

    return plt.figure().add_subplot()


def _grid(fig, rows: int, cols: int, size: float):
    import matplotlib.pyplot as plt

    fig = fig or plt.figure(figsize=(size * cols + 1.4, size * rows + 0.8), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False)
    return fig, axes


def _colorbar(fig, axes, vmax: float) -> None:
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize

    mappable = ScalarMappable(Normalize(0.0, vmax), attention_cmap())
    fig.colorbar(mappable, ax=axes, shrink=0.8, label="attention")


def _token_ticks(ax, tokens, count: int, fontsize) -> None:
    """Token labels on both axes; every k-th label only when there are many tokens."""
    every = max(1, int(np.ceil(count / 9)))
    ticks = list(range(0, count, every))
    shown = [tokens[i] for i in ticks] if tokens is not None else []
    rotate = 90 if tokens is not None and max(len(t) for t in shown) > 2 else 0
    ax.set_xticks(ticks, shown, fontsize=fontsize, rotation=rotate)
    ax.set_yticks(ticks, shown, fontsize=fontsize)


def _annotate(ax, attn, vmax, fontsize) -> None:
    for (row, col), value in np.ndenumerate(attn):
        color = "white" if value > 0.6 * vmax else "black"
        ax.text(col, row, f"{value:.2f}", ha="center", va="center", color=color, fontsize=fontsize)


def _head_lines(ax, attn, y, color, threshold, max_width, offset) -> None:
    for query, row in enumerate(attn):
        for key, weight in enumerate(row):
            if weight >= threshold:
                ax.plot([0.0, 1.0], [y[query] + offset, y[key] + offset], color=color,
                        lw=max_width * weight, alpha=float(np.clip(weight, 0.15, 1.0)),
                        solid_capstyle="round")


def _head(attn, head: int):
    if not -attn.shape[0] <= head < attn.shape[0]:
        raise ValueError(f"head={head} out of range: the layer has {attn.shape[0]} heads")
    return attn[head]


def _square(attn, name: str) -> np.ndarray:
    attn = np.asarray(attn, dtype=float)
    if attn.ndim != 2 or attn.shape[0] != attn.shape[1]:
        raise ValueError(f"{name} must be a square (T, T) matrix, got shape {attn.shape}")
    return attn


def _tokens(tokens, count: int) -> list[str]:
    tokens = [str(t) for t in (tokens if tokens is not None else range(count))]
    if len(tokens) != count:
        raise ValueError(f"tokens must have one label per token ({count}), got {len(tokens)}")
    return tokens


def _choose(available: list, chosen, name: str) -> list:
    if chosen is None:
        return available
    chosen = list(chosen)
    unknown = [c for c in chosen if c not in available]
    if unknown or not chosen:
        raise ValueError(f"{name}={chosen!r} not available; choose among {available}")
    return chosen
