"""Attention pictures: the formula step by step, layer x head maps, head view, training steps, image patches.

Painters of :mod:`vizdl.views.attention`: :func:`attention_walkthrough` draws the stage of
one story step of the attention scene (same matrices, strings and colours), the others
draw attention maps on the sequential scale ``attention weight`` (0 to 1 unless a ``vmax``
is given), always with its colour bar. Maps come from ``run.attention(step)``: a dict
``{"blocks.0.attn": (N, heads, queries, keys)}``.
"""
from __future__ import annotations

import numpy as np
from matplotlib.patches import Rectangle

from vizdl.figures._run import new_axes, new_figure
from vizdl.figures.matrix import (
    draw_grid,
    fit_cell_texts,
    panel_figure,
    scale_colorbar,
    wrap,
)
from vizdl.figures.paint import FONT_SIZES, mathtext, theme_for
from vizdl.ops.attention import attention_rollout, head_map, select_sample
from vizdl.styles.theme import for_background
from vizdl.views.attention import (
    attention_grid_view,
    attention_maps_view,
    attention_scale,
    attention_view,
    choose,
    token_names,
)
from vizdl.views.base import Label, Scale

#: Annotate single heat maps with their weights up to this many tokens.
ANNOTATE_TOKENS = 6


# -- the walkthrough ------------------------------------------------------------------------
def attention_walkthrough(run, *, layer: str | None = None, head: int = 0, sample: int = 0, step=None,
                          query: int = 0, show=-1):
    """One stage of the attention scene as a figure: its matrices, operators, colour bars and context.

    Parameters
    ----------
    run : vizdl.Run
        A recorded transformer run.
    layer, head, sample, step, query
        As :func:`vizdl.views.attention.attention_view`.
    show : int or str
        The story step whose stage is drawn (``"qkv"``, ``"scores"``, ``"scaled"``,
        ``"softmax"``, ``"output"``, ``"heads"``, ``"prediction"``; ``-1``: the last).

    Returns
    -------
    Figure
        The matrices' Axes are labelled with their ids (``"q"``, ``"probs"``, ``"head-0"``...).
    """
    view = attention_view(run, layer=layer, head=head, sample=sample, step=step, query=query)
    return walkthrough_figure(view, show)


def multi_head_attention(run, *, layer: str | None = None, head: int = 0, sample: int = 0, step=None, show=-1):
    """One stage of the multi-head attention scene as a figure (:func:`vizdl.views.multi_head.multi_head_view`).

    Parameters
    ----------
    run : vizdl.Run
        A recorded run with attention (vizdl's transformers, ``nn.MultiheadAttention``).
    layer, head, sample, step
        As :func:`vizdl.views.multi_head.multi_head_view`.
    show : int or str
        The story step whose stage is drawn (``"x"``, ``"wq"``, ``"wk"``, ``"wv"``, ``"head"``,
        ``"heads"``, ``"concat"``, ``"output"``, ``"prediction"``; ``-1``: the last).

    Returns
    -------
    Figure
        The matrices' Axes are labelled with their ids (``"x"``, ``"wq"``, ``"concat"``, ``"wo"``...).
    """
    from vizdl.views.multi_head import multi_head_view

    return walkthrough_figure(multi_head_view(run, layer=layer, head=head, sample=sample, step=step), show)


def walkthrough_figure(view, show=-1):
    """The stage of step ``show`` of an attention walkthrough view: context lines, matrices, colour bars."""
    index = view.story.index(show)
    name, visible = view.story.steps[index].name, view.story.visible(index)
    fig = new_figure()
    theme = for_background(fig.get_facecolor())
    fig.suptitle(f"${view.title.tex}$", color=theme.color("ink"))
    top, main = fig.subfigures(2, 1, height_ratios=[1, 4])
    _context(top, view, visible, theme)
    painted = _stage(main, view, name, theme)
    if name == "softmax":
        _focus(painted["probs"], view, theme)
    if view.below.get(name) in view.notes:
        _note_below(main, view.notes[view.below[name]], theme)
    fit_cell_texts(fig, [(ax, view.grids[key]) for key, ax in painted.items()])
    return fig


def _context(subfig, view, visible, theme) -> None:
    ax = subfig.add_subplot(label="context")
    ax.axis("off")
    keys = [k for k in ("task", "model", "input", "prediction") if k in view.context and k in visible]
    for row, key in enumerate(keys):
        label = view.context[key]
        ax.text(0.0, 1.0 - row / max(len(keys), 3), label.text, ha="left", va="top", color=theme.color(label.role),
                fontsize=FONT_SIZES[label.size], transform=ax.transAxes, gid=f"context-{key}")


def _stage(subfig, view, name: str, theme) -> dict:
    ids = view.stages[name]
    grids = [k for k in ids if k in view.grids]
    widths = [view.grids[k].shape[1] if k in view.grids else 1.2 for k in ids]
    axes = subfig.subplots(1, len(ids), gridspec_kw={"width_ratios": widths}, squeeze=False)[0]
    painted = {}
    for ax, key in zip(axes, ids):
        if key in view.grids:
            draw_grid(ax, view.grids[key], theme, name=view.names.get(key), gid=key)
            ax.set_label(key)
            painted[key] = ax
        else:
            ax.axis("off")
            label = view.operators[key]
            ax.text(0.5, 0.5, mathtext(label), ha="center", va="center", fontsize=FONT_SIZES["title"],
                    color=theme.color(label.role), transform=ax.transAxes, gid=key)
    for scale in view.scales(name):
        scale_colorbar(subfig, scale, theme, ax=[painted[k] for k in grids], shrink=0.8)
    return painted


def _note_below(subfig, note, theme) -> None:
    subfig.text(0.5, 0.01, note.text, ha="center", va="bottom", color=theme.color(note.role),
                fontsize=FONT_SIZES[note.size], gid="note-below")


def _focus(ax, view, theme) -> None:
    cols = view.grids["probs"].shape[1]
    ax.add_patch(Rectangle((-0.5, view.focus - 0.5), cols, 1, fill=False, edgecolor=theme.color("focus"), lw=3,
                           gid="focus"))
    note = view.notes["focus-note"]
    ax.text(0.5, -0.32, note.text, ha="center", va="top", transform=ax.transAxes, color=theme.color(note.role),
            fontsize=FONT_SIZES[note.size], gid="focus-note")


# -- heat maps ------------------------------------------------------------------------------
def attention_heatmap(attn, *, tokens=None, ax=None, vmax: float | None = None, annotate=None, labels: bool = True,
                      colorbar: bool = False):
    """One head's attention matrix (queries as rows, keys as columns) on the attention scale.

    Parameters
    ----------
    attn : array (T, T)
        Probabilities; row ``q`` is how query token ``q`` spreads its attention over the keys.
    tokens : sequence of str, optional
        Token labels (default ``0..T-1``).
    vmax : float, optional
        Top of the colour scale (default 1: a probability).
    annotate : bool, optional
        Write the weights in the cells (default for ``T <= 6``).
    labels : bool
        Token labels on both axes.
    colorbar : bool
        Add the scale's colour bar.

    Returns
    -------
    matplotlib.axes.Axes
    """
    attn = _square(attn, "attn")
    ax = new_axes(ax)
    theme = theme_for(ax)
    write = annotate or (annotate is None and len(attn) <= ANNOTATE_TOKENS)
    grid = attention_grid_view(attn, token_names(tokens, len(attn)), attention_scale(1.0 if vmax is None else vmax),
                               2 if write else None)
    draw_grid(ax, grid, theme, labels=labels, gid="attention")
    ax.set_xlabel("key", color=theme.color("muted"))
    ax.set_ylabel("query", color=theme.color("muted"))
    if colorbar:
        scale_colorbar(ax.figure, grid.scale, theme, ax=ax, shrink=0.8)
    return ax


def attention_grid(maps, *, step=None, tokens=None, sample: int = 0, layers=None, heads=None,
                   vmax: float | None = None, annotate: bool = False, title: str | None = None):
    """bertviz's "model view" as a vector figure: one heat map per layer (rows) and head (columns).

    Parameters
    ----------
    maps : dict or vizdl.Run
        ``{layer name: (N, heads, T, T) or (heads, T, T)}``, e.g. ``run.attention(step)``;
        or a run: its maps at ``step`` (the last by default), its probe tokens, and a
        title naming the model and the data.
    step : int, optional
        With a run: the recorded step.
    tokens : sequence of str, optional
        Labels of the ``T`` tokens, shown on the left column and the top row.
    sample : int
        Probe sample shown when the maps hold a batch.
    layers, heads : sequence, optional
        Layer names and head indices to show (default all).
    vmax : float, optional
        Top of the common colour scale (default 1).
    annotate : bool
        Write the weights in the cells.
    title : str, optional
        Default: which probe sample, rows = layers, columns = heads.

    Returns
    -------
    matplotlib.figure.Figure
        Each panel's Axes is labelled ``"<layer>/<head>"``.
    """
    if hasattr(maps, "attention") and hasattr(maps, "probe"):
        maps, tokens, title = _from_run(maps, step, sample, tokens, title)
    view = attention_maps_view(maps, tokens=tokens, sample=sample, layers=layers, heads=heads, vmax=vmax,
                               title=title, decimals=2 if annotate else None)
    return _maps_figure(view, ylabel="query")


def _from_run(run, step, sample, tokens, title) -> tuple:
    from vizdl.ops.attention import token_labels
    from vizdl.ops.prediction import recorded_step
    from vizdl.views.runs import run_context

    step = recorded_step(run, step)
    maps = run.attention(step)
    if not maps:
        raise ValueError(f"run {run.path} recorded no attention maps at step {step}")
    count = np.shape(next(iter(maps.values())))[-1]
    if tokens is None and np.asarray(run.probe["inputs"]).ndim == 2:
        tokens = token_labels(run, sample, count)
    title = title or f"Attention of {run_context(run).source()}\nstep {step}, probe sample {sample}"
    return maps, tokens, title


def _maps_figure(view, *, ylabel: str):
    rows, cols = len(view.rows), max(len(row) for row in view.rows)
    fig = panel_figure(rows, cols + 0.4, extra_height=1.4)
    axes = fig.subplots(rows, cols, squeeze=False)
    theme = theme_for(axes[0, 0])
    for r, (row, row_title) in enumerate(zip(view.rows, view.row_titles)):
        for c, panel in enumerate(row):
            ax = axes[r, c]
            draw_grid(ax, panel.grid, theme, labels=True, gid=panel.id)
            ax.set_label(panel.id)
            ax.tick_params(labelleft=c == 0, labeltop=r == 0)
            ax.set_title(panel.title.text, color=theme.color(panel.title.role), fontsize=FONT_SIZES["small"])
            if c == 0:
                ax.set_ylabel(f"{row_title}\n{ylabel}" if row_title else ylabel, color=theme.color("muted"))
        for ax in axes[r, len(row):]:
            ax.set_visible(False)
    fig.suptitle(view.title.text, color=theme.color("ink"))
    scale_colorbar(fig, view.scale, theme, ax=axes.ravel().tolist(), shrink=0.8)
    fit_cell_texts(fig, [(axes[r, c], p.grid) for r, row in enumerate(view.rows) for c, p in enumerate(row)])
    return fig


def head_view(attn, *, tokens=None, heads=None, ax=None, threshold: float = 0.02, max_width: float = 8.0):
    """bertviz's "head view": lines from each query token (left) to each key token (right).

    Line width and opacity follow the attention weight; each head has its theme colour
    (role ``"head <h>"``, never the sign colours).

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
    heads = choose(list(range(len(attn))), heads, "heads")
    ax = new_axes(ax)
    theme = theme_for(ax)
    count = attn.shape[-1]
    tokens = token_names(tokens, count)
    y = np.arange(count)[::-1].astype(float)
    for index, head in enumerate(heads):
        _head_lines(ax, attn[head], y, theme.color(f"head {head}"), threshold, max_width,
                    offset=(index - (len(heads) - 1) / 2) * 0.08)
    for x, align in ((0.0, "right"), (1.0, "left")):
        for pos, label in zip(y, tokens):
            ax.text(x + (-0.04 if align == "right" else 0.04), pos, label, ha=align, va="center",
                    color=theme.color("ink"))
    if len(heads) > 1:
        for head in heads:
            ax.plot([], [], color=theme.color(f"head {head}"), lw=3, label=f"head {head}")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=min(len(heads), 4), frameon=False,
                  fontsize=FONT_SIZES["small"])
    ax.set_xlim(-0.45, 1.45)
    ax.set_ylim(-0.6, count - 0.4)
    ax.text(0.0, count - 0.3, "query", ha="right", va="bottom", color=theme.color("muted"))
    ax.text(1.0, count - 0.3, "key", ha="left", va="bottom", color=theme.color("muted"))
    ax.set_axis_off()
    return ax


def attention_over_steps(snapshots: dict, *, layer: str, head: int = 0, sample: int = 0, tokens=None, steps=None,
                         ncols: int | None = None, title: str | None = None):
    """How one head's attention matrix changes during training: one heat map per step, wrapped into rows.

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
    ncols : int, optional
        Panels per row (default up to 5).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from vizdl.views.attention import AttentionMapsView, MapPanel

    steps = choose(sorted(snapshots), steps, "steps")
    panels = []
    for step in steps:
        if layer not in snapshots[step]:
            raise KeyError(f"layer {layer!r} not recorded; recorded: {', '.join(snapshots[step])}")
        attn = head_map(select_sample({layer: snapshots[step][layer]}, sample)[layer], head)
        grid = attention_grid_view(attn, token_names(tokens, attn.shape[-1]), attention_scale())
        panels.append(MapPanel(f"step-{step}", Label(f"step {step}", size="small"), grid))
    rows, cols = wrap(len(panels), ncols, 5)
    text = title or f"{layer}, head {head}: attention of probe sample {sample} during training"
    view = AttentionMapsView(Label(text, size="title"), tuple(tuple(panels[r * cols:(r + 1) * cols])
                                                             for r in range(rows)), ("",) * rows, attention_scale())
    return _maps_figure(view, ylabel="query")


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


# -- image patches ----------------------------------------------------------------------------
def patch_attention(image, weights, *, patch_size: int, ax=None, scale: Scale | None = None,
                    query_patch: int | None = None, title: str | None = None):
    """Attention over image patches: the weights on the attention scale, the image's outline on top.

    Parameters
    ----------
    image : array (H, W) or (1, H, W)
        The input image (drawn as its outline).
    weights : array (P,)
        One weight per patch, patches numbered row by row (CLS token excluded), e.g. the
        row of a chosen query in an attention map or in :func:`attention_rollout`.
    patch_size : int
        Side of the square patches.
    scale : vizdl.views.Scale, optional
        Default: ``attention weight`` from 0 to the largest weight.
    query_patch : int, optional
        Patch framed in the ``focus`` colour (the query whose attention is shown).

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
    ax = new_axes(ax)
    theme = theme_for(ax)
    scale = scale or attention_scale(max(float(weights.max()), 1e-12))
    upsampled = np.kron(weights.reshape(rows, cols), np.ones((patch_size, patch_size)))
    ax.imshow(upsampled, cmap=theme.cmap(scale.kind), vmin=scale.vmin, vmax=scale.vmax, interpolation="nearest")
    if image.max() > image.min():
        ax.contour(image, levels=[0.5 * (image.min() + image.max())], colors=theme.color("on_dark"), linewidths=1.2)
    if query_patch is not None:
        row, col = divmod(int(query_patch), cols)
        ax.add_patch(Rectangle((col * patch_size - 0.5, row * patch_size - 0.5), patch_size, patch_size, fill=False,
                               edgecolor=theme.color("focus"), lw=3, gid="query-patch"))
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=FONT_SIZES["small"])
    return ax


def image_attention(image, maps: dict, *, patch_size: int, query: int = 0, sample: int = 0, cls: bool = True,
                    ncols: int | None = None, title: str | None = None):
    """For a vision transformer: the image, each layer's attention of ``query`` (mean of heads), the rollout.

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
    ncols : int, optional
        Panels per row (default up to 5).

    Returns
    -------
    matplotlib.figure.Figure
        The panels share one attention scale (0 to the largest weight shown) and its colour bar.
    """
    maps = select_sample(maps, sample)
    layers = list(maps)
    count = maps[layers[0]].shape[-1]
    if not 0 <= query < count:
        raise ValueError(f"query={query} out of range: the maps have {count} tokens")
    first = int(cls)
    panels = [(maps[name].mean(axis=0)[query, first:], f"{name}\n(mean of heads)") for name in layers]
    panels.append((attention_rollout([maps[n] for n in layers])[query, first:], "rollout"))
    scale = attention_scale(max(float(max(p[0].max() for p in panels)), 1e-12))
    rows, cols = wrap(len(panels) + 1, ncols, 5)
    fig = panel_figure(rows, cols + 0.4, extra_height=1.4)
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    theme = theme_for(axes[0])
    shown = np.asarray(image, dtype=float).reshape(np.shape(image)[-2:])
    grey = theme.cmap("grey")
    axes[0].imshow(shown, cmap=grey, interpolation="nearest")
    axes[0].set_title("input", fontsize=FONT_SIZES["small"])
    axes[0].set_xticks([])
    axes[0].set_yticks([])
    for ax, (weights, text) in zip(axes[1:], panels):
        patch_attention(image, weights, patch_size=patch_size, ax=ax, scale=scale, title=text,
                        query_patch=query - first if query >= first else None)
    for ax in axes[len(panels) + 1:]:
        ax.set_visible(False)
    who = "the CLS token" if cls and query == 0 else f"patch {query - first}"
    fig.suptitle(title or f"Where {who} of probe sample {sample} looks", color=theme.color("ink"))
    scale_colorbar(fig, scale, theme, ax=axes[1:len(panels) + 1].tolist(), shrink=0.8)
    return fig


# -- helpers ---------------------------------------------------------------------------------
def _head_lines(ax, attn, y, color, threshold, max_width, offset) -> None:
    for query, row in enumerate(attn):
        for key, weight in enumerate(row):
            if weight >= threshold:
                ax.plot([0.0, 1.0], [y[query] + offset, y[key] + offset], color=color,
                        lw=max_width * weight, alpha=float(np.clip(weight, 0.15, 1.0)), solid_capstyle="round")


def _square(attn, name: str) -> np.ndarray:
    attn = np.asarray(attn, dtype=float)
    if attn.ndim != 2 or attn.shape[0] != attn.shape[1]:
        raise ValueError(f"{name} must be a square (T, T) matrix, got shape {attn.shape}")
    return attn


__all__ = ["attention_grid", "attention_heatmap", "attention_over_steps", "attention_rollout", "attention_steps",
           "attention_walkthrough", "head_view", "image_attention", "multi_head_attention", "patch_attention",
           "select_sample", "walkthrough_figure"]
