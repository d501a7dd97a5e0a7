"""Recurrent networks: the unrolled RNN, the LSTM and GRU cells, gradients through time, clipping.

Painters of :mod:`vizdl.views.recurrent` and :mod:`vizdl.views.gated`, like the Manim
scenes of the same views: same layout, same strings, same colours. Every number comes
from a recorded run (recomputed by :mod:`vizdl.ops.recurrent`, checked against torch).
Layouts are drawn in their own units with an equal aspect; texts that would not fit their
cell or circle at the style's font size are shrunk together, so any style fits.
"""
from __future__ import annotations

import numpy as np
from matplotlib.patches import Rectangle

from vizdl.figures._run import as_run, new_axes, new_figure
from vizdl.figures.paint import (
    FONT_SIZES,
    draw_edges,
    draw_formula,
    draw_label,
    draw_nodes,
    draw_placed,
    scale_mappable,
    theme_for,
)
from vizdl.figures.plot import paint_plot
from vizdl.views.recurrent import describe_model, describe_task, edge_id

#: Margin around a layout, in layout units.
MARGIN = 0.45
#: Vertical distance between stacked colour bars (label, bar, ticks), in layout units.
BAR_GAP = 1.5


# -- the unrolled RNN --------------------------------------------------------------------
def rnn_unrolled(run, *, t: int | None = None, step: int | None = None, sample: int = 0, decimals: int = 2,
                 caption: bool = False, ax=None):
    """The rolled recurrent block and its unrolling over a probe sequence, with every ``h_t``.

    Parameters
    ----------
    run : vizdl.Run or path
        A run of ``vizdl.models.build("rnn" | "lstm" | "gru", ...)`` (the notes' picture is the RNN).
    t : int, optional
        Show the hidden states up to time step ``t`` only (``1 .. T``); all by default.
    step : int, optional
        Training step of the weights (the last recorded by default).
    sample : int
        Probe sequence.
    decimals : int
        Places of the numbers in the cells.
    caption : bool
        Write the caption of the story step shown under the picture.
    ax : Axes, optional

    Returns
    -------
    Axes
    """
    from vizdl.ops.recurrent import recurrent_trace, time_index
    from vizdl.views.recurrent import unrolled_view

    run = as_run(run)
    trace = recurrent_trace(run, step, sample=sample)
    view = unrolled_view(trace, classes=run.meta.get("dataset", {}).get("classes"), decimals=decimals)
    story_step = -1 if t is None else f"step-{time_index(t, trace.length) + 1}"
    visible = view.story.visible(story_step)
    ax = new_axes(ax)
    theme = theme_for(ax)
    _frame(ax, _extent(view.nodes, view.labels, view.grids))
    _arrow_heads(draw_edges(ax, view.edges, view.nodes, theme, visible=visible, edge_id=edge_id))
    _nodes(ax, view.nodes, theme, visible)
    placed = draw_placed(ax, view.labels, theme, visible=visible)
    for grid in view.grids:
        if grid.id in visible:
            draw_grid(ax, grid, theme)
    _fit_cell_texts(ax, view.grids)
    _fit_group(ax, placed, None)
    if "scale" in visible:
        left, top = ax.get_xlim()[0] + MARGIN, ax.get_ylim()[1] - MARGIN
        _scale_bar(ax, view.scale, theme, (left, top - 0.25, 3.4, 0.25))
    ax.set_title(f"{describe_model(run.meta['model'])} on {describe_task(run.meta['dataset'])}: "
                 f"probe sequence {sample}, training step {trace.step}\n${view.title.tex}$",
                 color=theme.color("ink"))
    if caption:
        _caption(ax, view.story, story_step, theme)
    return ax


# -- the LSTM and GRU cells --------------------------------------------------------------
def lstm_cell(run, *, t: int = 1, step: int | None = None, sample: int = 0, decimals: int = 2,
              caption: bool = False, ax=None):
    """The LSTM cell with the gates, cell state and hidden state of a real sequence at time step ``t``.

    Left, the cell (forget, input and output gates, the cell state along the top) and its
    equations; right, every unit's numbers at step ``t``:
    ``c_{t-1} | f_t | i_t | g_t | c_t | o_t | h_t`` (what is kept, what is written, what is
    output), gates coloured from 0 (closed) to 1 (open), with each gate's mean under it.

    Parameters
    ----------
    run : vizdl.Run or path
        A run of ``vizdl.models.build("lstm", ...)``.
    t : int
        Time step ``1 .. T`` (negative: from the end).
    step : int, optional
        Training step of the weights (the last recorded by default).
    sample : int
        Probe sequence.
    decimals : int
        Places of the numbers.
    caption : bool
        Write the step's caption under the picture.
    ax : Axes, optional

    Returns
    -------
    Axes
    """
    return _gated_cell(run, "lstm", t, step, sample, decimals, caption, ax)


def gru_cell(run, *, t: int = 1, step: int | None = None, sample: int = 0, decimals: int = 2,
             caption: bool = False, ax=None):
    """The GRU cell (update and reset gates) with a real sequence's numbers at time step ``t``.

    The table lists ``h_{t-1} | r_t | z_t | n_t | h_t`` for every unit; parameters as in
    :func:`lstm_cell` (the run must be a ``gru`` run).
    """
    return _gated_cell(run, "gru", t, step, sample, decimals, caption, ax)


def _gated_cell(run, cell, t, step, sample, decimals, caption, ax):
    from vizdl.ops.recurrent import recurrent_trace
    from vizdl.views.gated import gated_view

    run = as_run(run)
    if run.model_name != cell:
        raise ValueError(f"run {run.path}: model {run.model_name!r} is not an {cell!r} run; "
                         f"use {'gru_cell' if cell == 'lstm' else 'lstm_cell'} or rnn_unrolled for it")
    trace = recurrent_trace(run, step, sample=sample)
    view = gated_view(trace, classes=run.meta.get("dataset", {}).get("classes"), decimals=decimals)
    table = view.table(t)
    visible = view.story.visible(f"t-{table.t}") | ({"prediction"} if table.t == trace.length else set())
    ax = new_axes(ax)
    theme = theme_for(ax)
    layout = _gated_layout(view, table)
    _frame(ax, layout["extent"])
    _arrow_heads(draw_edges(ax, view.edges, view.nodes, theme, edge_id=edge_id))
    _nodes(ax, view.nodes, theme, None)
    placed = draw_placed(ax, view.labels, theme)
    if "prediction" in visible:
        placed += draw_placed(ax, [view.prediction], theme)
    _fit_group(ax, placed, None)
    formulas = [draw_formula(ax, layout["formula_x"], y, view.formulas[key], theme, ha="left", gid=key)
                for key, y in zip(view.formulas, layout["formula_y"])]
    _fit_group(ax, formulas, layout["formula_width"])
    _draw_table(ax, table, layout["table_x"], layout["table_y"], theme)
    bars = [view.scales[k] for k in ("gate", "state", "cell") if k in view.scales]
    left = layout["table_x"] - layout["table_width"] / 2
    for k, scale in enumerate(bars):
        _scale_bar(ax, scale, theme, (left + 0.2, layout["bars_y"] - BAR_GAP * k, layout["table_width"] - 0.4, 0.2),
                   label_above=True)
    ax.set_title(f"{describe_model(run.meta['model'])} on {describe_task(run.meta['dataset'])}\nprobe sequence "
                 f"{sample} at time step {table.t}, training step {trace.step}", color=theme.color("ink"))
    if caption:
        _caption(ax, view.story, f"t-{table.t}", theme)
    return ax


def _gated_layout(view, table) -> dict:
    """Where the diagram, the formulas and the table go (layout units)."""
    xs = [n.x for n in view.nodes] + [p.x for p in view.labels]
    ys = [n.y for n in view.nodes] + [p.y for p in view.labels]
    left, right = min(xs) - 0.4, max(xs) + 0.4
    columns = table.columns
    table_width = max(c.x + c.width / 2 for c in columns) - min(c.x - c.width / 2 for c in columns)
    table_height = max(c.height for c in columns)
    table_x, table_y = right + 1.2 + table_width / 2, max(ys) - 0.9 - table_height / 2
    formula_top = min(ys) - 0.6
    formula_y = [formula_top - 0.75 * k for k in range(len(view.formulas))]
    bars_y = table_y - table_height / 2 - 1.35
    bottom = min(formula_y[-1] - 0.4, bars_y - BAR_GAP * (len(view.scales) - 1) - 0.7)
    extent = (left - 0.6, table_x + table_width / 2 + 0.2, bottom, max(ys) + 0.3)
    return {"extent": extent, "table_x": table_x, "table_y": table_y, "table_width": table_width,
            "formula_x": left - 0.4, "formula_y": formula_y, "formula_width": right - left + 1.0,
            "bars_y": bars_y}


def _draw_table(ax, table, x, y, theme) -> None:
    """A step table centred at ``(x, y)``: header, column titles, cells, gate means."""
    from dataclasses import replace

    columns = [replace(c, x=c.x + x, y=c.y + y) for c in table.columns]
    for column in columns:
        draw_grid(ax, column, theme)
    _fit_cell_texts(ax, columns)
    top = y + max(c.height for c in columns) / 2
    draw_label(ax, x, top + 0.8, table.header, theme, gid=table.id)
    means = [replace(m, x=m.x + x, y=m.y + y) for m in table.means]
    _fit_group(ax, draw_placed(ax, means, theme), columns[0].cell_width * 0.95)


# -- gradients ---------------------------------------------------------------------------
def gradient_through_time(runs, *, step: int | None = None, ax=None, legend_loc: str = "best"):
    """``||dl/dh_t||`` against the time step ``t`` for several runs, on a log axis.

    The vanishing gradient of the notes, measured: for each run, autograd on the rebuilt
    model (the weights of training ``step``) and its probe sequences gives the gradient of
    each sequence's loss with respect to every hidden state; the curve is the mean over
    the probe batch. The legend gives how much of the gradient at ``h_T`` reaches ``h_1``.

    Parameters
    ----------
    runs : dict of str -> run, or a sequence of runs
        Recorded ``rnn``/``lstm``/``gru`` runs (paths or :class:`vizdl.Run`), e.g. the
        recipes ``sequences-rnn``, ``sequences-lstm``, ``sequences-gru``. A sequence is
        labelled by cell.
    step : int, optional
        Training step (recorded in every run); the first recorded step by default: the
        initial weights, where the vanishing gradient decides what can be learnt.
    ax : Axes, optional
    legend_loc : str
        Matplotlib legend location, or ``"outside"``.

    Returns
    -------
    Axes
    """
    from vizdl.ops.recurrent import gradient_through_time as measure
    from vizdl.views.recurrent import gradient_view

    runs = _labelled_runs(runs)
    results = {name: measure(run, step) for name, run in runs.items()}
    tasks = {describe_task(run.meta.get("dataset", {})) for run in runs.values()}
    view = gradient_view(results, task=" / ".join(sorted(tasks)))
    return paint_plot(view, ax=ax, legend_loc=legend_loc)


def clipping_comparison(runs, *, ax=None, smoothing: int = 15):
    """Gradient norm over training with and without clipping, and the training loss of both.

    Left: the total gradient norm of each step (log axis; faint: every step, solid: the
    running mean over ``smoothing`` steps); a clipped run shows the norm the loss asked for
    and a rule at its threshold. Right: the training loss of each step, in the same
    colours. Norms come from the runs' metrics (``grad_norm``, logged before clipping) and
    their recorded gradients (record every step: ``RecordSpec(every=1)``). For the
    per-step norms of one clipped run before and after clipping see
    :func:`vizdl.figures.gradient_clipping`.

    Parameters
    ----------
    runs : dict of str -> run
        E.g. ``{"no clipping": recipe_run("sequences-rnn-unclipped"),
        "clipped at 1": recipe_run("sequences-rnn-clipped")}``.
    ax : sequence of two Axes, optional
    smoothing : int
        Window of the running mean.

    Returns
    -------
    Figure
    """
    from vizdl.ops.recurrent import training_gradient_norms
    from vizdl.views.recurrent import clipping_runs_view, loss_runs_view

    runs = _labelled_runs(runs)
    norms = clipping_runs_view({name: training_gradient_norms(run) for name, run in runs.items()},
                               smoothing=smoothing)
    losses = loss_runs_view({name: run.metric("loss") for name, run in runs.items()}, smoothing=smoothing)
    if ax is None:
        axes = new_figure().subplots(1, 2)
    else:
        axes = list(ax)
        if len(axes) != 2:
            raise ValueError(f"ax must be two Axes (norms, loss), got {len(axes)}")
    paint_plot(norms, ax=axes[0])
    paint_plot(losses, ax=axes[1])
    axes[0].figure.suptitle(_training_title(runs), color=theme_for(axes[0]).color("ink"))
    return axes[0].figure


def _training_title(runs: dict) -> str:
    """``"RNN (8 units) on 'first' (10 tokens), momentum at lr 0.2"`` (what the runs share), then ``"a vs b"``."""
    first = next(iter(runs.values()))
    hparams = first.meta.get("hparams") or {}
    return (f"{describe_model(first.meta['model'])} on {describe_task(first.meta.get('dataset', {}))}, "
            f"{hparams.get('optimizer', '?')} at lr {hparams.get('lr', '?')}\n" + " vs ".join(runs))


def _labelled_runs(runs) -> dict:
    """``label -> Run``: a dict's own labels, or the cell names of a sequence (numbered when repeated)."""
    from vizdl.views.recurrent import CELL_NAMES

    if isinstance(runs, dict):
        labelled = {str(k): as_run(v) for k, v in runs.items()}
    else:
        opened = [as_run(r) for r in runs]
        names = [CELL_NAMES.get(r.model_name, str(r.model_name)) for r in opened]
        labelled = {name if names.count(name) == 1 else f"{name} ({k + 1})": r
                    for k, (name, r) in enumerate(zip(names, opened))}
    if not labelled:
        raise ValueError("runs must hold at least one run")
    return labelled


# -- drawing helpers ---------------------------------------------------------------------
def draw_grid(ax, grid_at, theme=None) -> list:
    """Cells of a placed grid (:class:`vizdl.views.recurrent.GridAt`): fills from its scale, texts, title.

    Returns the Text artists of the cells.
    """
    theme = theme or theme_for(ax)
    grid = grid_at.grid
    colors = theme.scale_colors(grid.scale, grid.values.ravel()) if grid.scale is not None else None
    texts = []
    for index, (row, col) in enumerate(np.ndindex(grid.shape)):
        cx, cy = grid_at.cell_center(row, col)
        fill = colors[index] if colors is not None else theme.color(grid.roles[row, col])
        ax.add_patch(Rectangle((cx - grid_at.cell_width / 2, cy - grid_at.cell_height / 2), grid_at.cell_width,
                               grid_at.cell_height, facecolor=fill, edgecolor=theme.color("cell_stroke"),
                               linewidth=0.6, zorder=2, gid=f"{grid_at.id}-cell-{row}-{col}"))
        if grid.texts[row, col]:
            texts.append(ax.text(cx, cy, grid.texts[row, col], ha="center", va="center", zorder=3,
                                 color=theme.color(grid.inks[row, col]), fontsize=FONT_SIZES["small"],
                                 gid=f"{grid_at.id}-text-{row}-{col}"))
    if grid_at.title is not None:
        draw_label(ax, grid_at.x, grid_at.y + grid_at.height / 2 + 0.3, grid_at.title, theme, gid=f"{grid_at.id}-title")
    return texts


def _arrow_heads(arrows) -> None:
    """Arrow heads as large as the style's font (a paper figure gets smaller ones than a slide)."""
    from matplotlib import rcParams

    for arrow in arrows:
        arrow.set_mutation_scale(0.8 * rcParams["font.size"])


def _nodes(ax, nodes, theme, visible) -> None:
    """Circles in layout units with their labels shrunk to fit inside (one size per circle size)."""
    shown = [n for n in nodes if n.radius and (visible is None or n.id in visible)]
    for radius in sorted({n.radius for n in shown}):
        before = len(ax.texts)
        draw_nodes(ax, [n for n in shown if n.radius == radius], theme)
        _fit_group(ax, ax.texts[before:], 1.6 * radius)


def _frame(ax, extent) -> None:
    left, right, bottom, top = extent
    ax.set_xlim(left - MARGIN, right + MARGIN)
    ax.set_ylim(bottom - MARGIN, top + MARGIN)
    ax.set_aspect("equal")
    ax.set_xticks([]), ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)


def _extent(nodes, labels, grids) -> tuple:
    xs = [n.x for n in nodes] + [p.x for p in labels]
    ys = [n.y for n in nodes] + [p.y for p in labels]
    for g in grids:
        xs += [g.x - g.width / 2, g.x + g.width / 2]
        ys += [g.y - g.height / 2, g.y + g.height / 2 + 0.55]
    return min(xs) - 0.5, max(xs) + 0.5, min(ys) - 0.4, max(ys)


def _data_width_points(ax, width: float) -> float:
    """How many points ``width`` layout units take on the drawn Axes."""
    from vizdl.figures.paint import _renderer

    _renderer(ax.figure)
    (x0, _), (x1, _) = ax.transData.transform([(0.0, 0.0), (width, 0.0)])
    return (x1 - x0) * 72.0 / ax.figure.dpi


def _fit_group(ax, artists, width: float | None) -> None:
    """Shrink ``artists`` (Text) together until the widest is at most ``width`` layout units wide.

    ``width=None`` only shrinks texts that overlap each other.
    """
    from vizdl.figures.paint import _renderer, shrink_to_fit

    texts = [a for a in artists if a is not None and hasattr(a, "set_fontsize")]
    if not texts:
        return
    if width is None:
        shrink_to_fit(ax, texts)
        return
    renderer = _renderer(ax.figure)
    limit = _data_width_points(ax, width) * ax.figure.dpi / 72.0
    widest = max(t.get_window_extent(renderer).width for t in texts)
    if widest > limit:
        for text in texts:
            text.set_fontsize(text.get_fontsize() * limit / widest)


def _fit_cell_texts(ax, grids) -> None:
    texts = [t for t in ax.texts if any((t.get_gid() or "").startswith(f"{g.id}-text-") for g in grids)]
    if grids:
        _fit_group(ax, texts, 0.9 * min(g.cell_width for g in grids))


def _scale_bar(ax, scale, theme, bounds, *, label_above: bool = False) -> None:
    """A small horizontal colour bar of ``scale`` in layout units ``(x, y, width, height)``.

    Its label goes under it, or above its left end with ``label_above``.
    """
    inset = ax.inset_axes(bounds, transform=ax.transData)
    bar = ax.figure.colorbar(scale_mappable(scale, theme), cax=inset, orientation="horizontal")
    values, texts = scale.ticks()
    bar.set_ticks(values, labels=texts)
    bar.ax.tick_params(labelsize=FONT_SIZES["small"])
    if label_above:
        x, y, _, height = bounds
        ax.text(x, y + height + 0.08, scale.label, ha="left", va="bottom", color=theme.color("ink"),
                fontsize=FONT_SIZES["small"], gid=f"scale-{scale.label}")
    else:
        bar.set_label(scale.label, fontsize=FONT_SIZES["small"])


def _caption(ax, story, step, theme) -> None:
    ax.set_xlabel(story.steps[story.index(step)].caption, color=theme.color("ink"), wrap=True)


__all__ = ["clipping_comparison", "draw_grid", "gradient_through_time", "gru_cell", "lstm_cell",
           "rnn_unrolled"]
