"""The training techniques of the notes (Part III) from real runs: one function per picture.

Each function reads runs (or measures), builds the view (:mod:`vizdl.views.techniques`,
:mod:`vizdl.views.augmentation`, :mod:`vizdl.views.dropout`) and paints it; colours come
from the theme through roles, texts from the views, sizes from the style sheet.
"""
from __future__ import annotations

import numpy as np

from vizdl.figures._run import new_axes, new_figure
from vizdl.figures.compare import compare_runs
from vizdl.figures.paint import FONT_SIZES, draw_edges, draw_nodes, draw_placed, theme_for
from vizdl.figures.plot import paint_plot
from vizdl.ops import techniques as ops
from vizdl.ops._runs import as_run, hparams
from vizdl.views import techniques as views
from vizdl.views.compare import describe_run as describe
from vizdl.views.techniques import init_label, penalty_label

SCHEDULES = ("step", "exponential", "cosine", "warmup", "plateau")


# -- augmentation --------------------------------------------------------------------------------------
def augmentation_grid(image, *, kinds=("flip", "shift", "noise"), draws: int = 4, seed: int = 0, source: str = ""):
    """One image and its variants, drawn by the training loop's own ``augment`` function.

    Parameters
    ----------
    image : array (C, H, W), or a Dataset (its first training image)
    kinds : sequence of {"flip", "shift", "noise"}
    draws : int
        Variants per kind.
    seed : int
    source : str
        Where the image comes from, for the title (``"digits, training image 0"``).

    Returns
    -------
    Figure
    """
    from vizdl.views.augmentation import augmentation_view

    if hasattr(image, "x_train"):
        source = source or f"{image.name}, training image 0"
        image = image.x_train[0].numpy()
    view = augmentation_view(image, ops.augmentations(image, kinds, draws=draws, seed=seed), source=source)
    fig = new_figure()
    axes = fig.subplots(len(view.rows), draws + 1, squeeze=False)
    for r, (kind, draws_) in enumerate(view.rows):
        _image(axes[r, 0], view.original, "original", view.scale, gid="original")
        axes[r, 0].set_ylabel("\n+ ".join(kind.split("+")), fontsize=FONT_SIZES["body"])
        for k, (grid, caption) in enumerate(draws_):
            _image(axes[r, k + 1], grid, caption, view.scale, gid=f"{kind}-{k}")
    fig.suptitle(view.title)
    return fig


def _image(ax, grid, caption, scale, *, gid):
    theme = theme_for(ax)
    ax.imshow(grid.values, cmap=theme.cmap(scale.kind), vmin=scale.vmin, vmax=scale.vmax, gid=gid)
    ax.set_xticks([]), ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xlabel(caption, fontsize=FONT_SIZES["small"])


# -- learning rate --------------------------------------------------------------------------------------
def lr_schedules(run, *, schedules=SCHEDULES, ax=None, step=-1):
    """The learning rate per epoch of each schedule of ``vizdl.train``, for ``run``'s length and lr.

    The schedulers are the training code's own; ``plateau`` reacts to ``run``'s validation
    losses (for a run trained with ``schedule="plateau"`` it is exactly the logged ``lr``).

    Returns
    -------
    Axes
    """
    run = as_run(run)
    steps, _ = run.metric("loss")
    epochs = len(run.metric("val_loss")[0])
    lrs = {name: ops.run_schedule_lrs(run, name) for name in schedules}
    view = views.schedules_view(lrs, lr=hparams(run)["lr"], steps_per_epoch=len(steps) // epochs,
                                source=describe(run))
    return paint_plot(view, ax=ax, step=step, legend_loc="outside")


# -- early stopping ---------------------------------------------------------------------------------------
def early_stopping(run, *, ax=None, step=-1):
    """Training and validation loss of a run that stopped early, with the best epoch, the patience and the stop.

    Returns
    -------
    Axes
    """
    from vizdl.ops.compare import epoch_curves

    run = as_run(run)
    trace = ops.early_stopping_trace(run)
    curves = epoch_curves(run, "loss")
    view = views.early_stopping_view(trace, curves.train, source=describe(run))
    ax = paint_plot(view, ax=ax, step=step, legend_loc="lower left")
    _integer_epochs(ax)
    return ax


def _integer_epochs(ax) -> None:
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


# -- gradient clipping ---------------------------------------------------------------------------------------
def gradient_clipping(run, *, ax=None, step=-1):
    """The total gradient norm of every step before and after clipping, with the threshold.

    Returns
    -------
    Axes
    """
    run = as_run(run)
    view = views.clipping_view(ops.clipping_trace(run), source=describe(run))
    return paint_plot(view, ax=ax, step=step, legend_loc="upper right")


# -- weight initialisation ------------------------------------------------------------------------------------
def weight_init(runs, *, labels=None, step=None):
    """Per-layer activations (top) and weight gradients (bottom) at the first recorded step, one column per run.

    Parameters
    ----------
    runs : sequence of Run or path
        The same model initialised differently (too small, too large, Xavier, He), each
        recorded at step 0 with activations and gradients.
    labels : sequence of str, optional
        Names of the runs (``"too small"``...; default: the init option); the measured std
        of the first weight matrix is written under each.
    step : int, optional
        The snapshot (default: each run's first).

    Returns
    -------
    Figure
    """
    runs = [as_run(r) for r in runs]
    labels = [init_label(r, name) for r, name in zip(runs, labels or [None] * len(runs))]
    fig = new_figure()
    axes = fig.subplots(2, len(runs), squeeze=False)
    for k, (run, label) in enumerate(zip(runs, labels)):
        for row, (kind, what) in enumerate((("act", "activations"), ("grad", "weight gradients"))):
            groups = [_short(ops.layer_values(run, step, kind))]
            view = views.distributions_view(groups, title=label if row == 0 else "", ylabel=what if k == 0 else "",
                                            roles=[f"run {k}"], labels=[label.replace("\n", ", ")], what=what)
            paint_plot(view, ax=axes[row, k], legend=False)
            axes[row, k].set_xlabel("layer" if row == 1 else "")
            _fmt_ticks(axes[row, k].yaxis)
    fig.suptitle(f"Initialisation, per layer at step 0: {describe(runs[0])}")
    return fig


def _fmt_ticks(axis) -> None:
    """Tick labels written by the theme's formatter (``5e−9`` on the tick, no ``1e−9`` offset above the axis)."""
    from matplotlib.ticker import FuncFormatter

    from vizdl.styles.theme import fmt

    axis.set_major_formatter(FuncFormatter(lambda value, _: fmt(value, 4)))


def _short(layers):
    """Layers numbered 1, 2, ... in forward order (the names are on the first panel's story)."""
    return [(str(k + 1), values) for k, (_, values) in enumerate(layers)]


# -- L1 / L2 -----------------------------------------------------------------------------------------------------
def regularization(runs, *, labels=None, threshold: float = 1e-2, step=None):
    """The L1 and L2 penalties, and the weights of runs trained without, with L1 and with L2.

    Parameters
    ----------
    runs : sequence of Run or path
        E.g. ``l1=0`` and ``weight_decay=0``, ``l1=...``, ``weight_decay=...``; the penalty
        curves take the colours of the runs labelled L1 and L2 when there are three runs.
    threshold : float
        A weight counts as zero below this magnitude.
    step : int, optional
        The snapshot (default: each run's last).

    Returns
    -------
    Figure
    """
    runs = [as_run(r) for r in runs]
    labels = list(labels or [penalty_label(r) for r in runs])
    fig = new_figure()
    left, right = fig.subplots(1, 2, width_ratios=(1, 1.6))
    roles = ("run 1", "run 2") if len(runs) == 3 else ("run 0", "run 1")
    paint_plot(views.penalties_view(roles=roles), ax=left, legend_loc="upper center")
    values = [ops.weight_matrix_values(r, step) for r in runs]
    view = views.weight_histograms_view(values, labels, threshold=threshold, source=describe(runs[0]))
    paint_plot(view, ax=right, legend_loc="lower center")
    return fig


# -- batch normalisation ------------------------------------------------------------------------------------------
def batch_norm(runs, *, labels=None, step=None):
    """What each activation receives, layer by layer, with and without BatchNorm; and the training curves.

    Parameters
    ----------
    runs : sequence of Run or path
        The same MLP or CNN with and without BatchNorm.
    step : int, optional
        The snapshot of the distributions (default: each run's last).

    Returns
    -------
    Figure
    """
    from vizdl.views.compare import run_labels

    runs = [as_run(r) for r in runs]
    labels = list(labels or run_labels(runs))
    groups = [_short(ops.layer_values(r, r.steps[-1] if step is None else step, "preact")) for r in runs]
    fig = new_figure()
    left, right = fig.subplots(1, 2)
    view = views.distributions_view(groups, title="What each activation receives (probe batch)",
                                    ylabel="pre-activation value", labels=labels, what="pre-activations")
    paint_plot(view, ax=left, legend=False)  # the colours are the runs of the curves' legend
    compare_runs(runs, labels=labels, ax=right).set_title("Loss")
    fig.suptitle(f"Batch normalisation: {describe(runs[0])}")
    return fig


# -- dropout -----------------------------------------------------------------------------------------------------
def dropout_network(run, *, sample: int = 0, seed: int = 0, max_units: int = 10, step=None):
    """The network thinned by Dropout in one real training-mode forward pass, next to the full one.

    Parameters
    ----------
    run : Run or path
        An MLP trained with Dropout (``mlp(dropout=p)``).
    sample : int
        Which probe sample's mask to show.
    seed : int
        Seeds the forward pass (the masks).
    max_units : int
        Units drawn per layer.
    step : int, optional
        Weights of this step (default: the last).

    Returns
    -------
    Figure
    """
    from vizdl.ops.architecture import summary_rows
    from vizdl.ops.dropout import dropout_masks
    from vizdl.views.dropout import dropout_view

    run = as_run(run)
    model = run.model(step)
    passes = dropout_masks(model, run.probe["inputs"], seed=seed)
    rows = summary_rows(run)
    sizes = [int(np.prod(rows[0]["output_shape"]))] + [r["output_shape"][0] for r in rows if r["type"] == "Linear"]
    view = dropout_view(passes, sizes, sample=sample, max_units=max_units, source=describe(run))
    fig = new_figure()
    for ax, panel in zip(fig.subplots(1, 2), ("train", "eval")):
        _network(ax, *view.panels[panel])
    fig.suptitle(view.title)
    return fig


def _network(ax, nodes, edges, labels, heading) -> None:
    theme = theme_for(ax)
    draw_edges(ax, edges, nodes, theme, linewidth=1.0)
    draw_nodes(ax, nodes, theme)
    draw_placed(ax, labels, theme)
    ax.set_title(heading)
    xs, ys = [n.x for n in nodes], [n.y for n in nodes] + [p.y for p in labels]
    ax.set_xlim(min(xs) - 0.6, max(xs) + 0.6)
    ax.set_ylim(min(ys) - 0.6, max(ys) + 0.4)
    ax.set_aspect("equal")
    ax.axis("off")


# -- GPU acceleration ---------------------------------------------------------------------------------------------
def device_timing(timings, *, ax=None, source: str = ""):
    """Forward and backward milliseconds per device (CPU, and CUDA when torch sees one).

    Parameters
    ----------
    timings : list of vizdl.ops.timing.PassTiming
        From :func:`vizdl.ops.timing.time_passes` (measured, never typed in).
    source : str
        What was timed, for the title.

    Returns
    -------
    Axes
    """
    ax = new_axes(ax)
    paint_plot(views.timing_view(timings, source=source), ax=ax, legend_loc="upper right")
    ax.set_xlim(0, 1.25 * max(max(t.forward_ms, t.backward_ms) for t in timings))
    if len(timings) == 1:
        ax.set_ylim(1.2, -0.8)  # room for the note under the only row
    return ax


__all__ = ["SCHEDULES", "augmentation_grid", "batch_norm", "device_timing", "dropout_network", "early_stopping",
           "gradient_clipping", "lr_schedules", "regularization", "weight_init"]
