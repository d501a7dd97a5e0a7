"""Several runs in one chart (notes Part II §1.3): a colour per run, a line style per split.

A painter of :func:`vizdl.views.compare.compare_view`: training curves solid, validation
curves dashed, the gap between them shaded in the run's colour.
"""
from __future__ import annotations

from vizdl.figures._run import new_axes, new_figure
from vizdl.figures.paint import theme_for
from vizdl.figures.plot import paint_plot
from vizdl.views.compare import METRIC_NAMES, compare_view, describe_runs


def compare_runs(runs, metric: str = "loss", *, labels=None, gap: bool = True, ax=None, step=-1):
    """Overlay the per-epoch training (solid) and validation (dashed) curves of ``runs``.

    Parameters
    ----------
    runs : sequence of Run or path
        E.g. the notes' Model 1, 2 and 3, or SGD vs Adam, or Model 3 with and without
        BatchNorm and Dropout.
    metric : {"loss", "acc"}
    labels : sequence of str, optional
        One per run; by default what tells the runs apart (``λ = 0.1``, ``Model 2 (CNN)``...).
    gap : bool
        Shade the gap between each run's training and validation curves.
    ax : Axes, optional
    step : int or str
        Draw the state after this step of the view's story (``-1``: everything).

    Returns
    -------
    Axes
    """
    from matplotlib.ticker import MaxNLocator

    ax = new_axes(ax)
    view = compare_view(runs, metric, labels=labels, gap=gap)
    paint_plot(view, ax=ax, step=step, legend=False)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    _legend(ax)
    return ax


def _legend(ax) -> None:
    """One entry per run (its colour), then one per split (its line style, in ink)."""
    from matplotlib.lines import Line2D

    theme = theme_for(ax)
    handles, labels = ax.get_legend_handles_labels()
    ink = theme.color("ink")
    splits = [Line2D([], [], color=ink, linestyle="-", label="training"),
              Line2D([], [], color=ink, linestyle="--", marker="o", label="validation")]
    ax.legend(handles=handles + splits, frameon=False, loc="best")


def compare_runs_panels(runs, metrics=("loss", "acc"), *, labels=None, gap: bool = True):
    """:func:`compare_runs` for each of ``metrics``, side by side.

    Returns
    -------
    Figure
    """
    fig = new_figure()
    axes = fig.subplots(1, len(metrics), squeeze=False)[0]
    for k, (ax, metric) in enumerate(zip(axes, metrics)):
        compare_runs(runs, metric, labels=labels, gap=gap, ax=ax)
        ax.set_title(METRIC_NAMES.get(metric, metric))
        if k:
            ax.get_legend().remove()  # one legend for the figure: the first panel's
    fig.suptitle(f"{describe_runs(runs).capitalize()}: training (solid) and validation (dashed)")
    return fig


__all__ = ["compare_runs", "compare_runs_panels"]
