"""Matplotlib painter of :class:`vizdl.views.plot.Plot` charts.

Every element is drawn with its id as the artist's ``gid`` (tests find them), its colour
from the theme through its role and its texts from the view; font sizes are relative
(``FONT_SIZES``) so the style sheet rules.
"""
from __future__ import annotations

import numpy as np

from vizdl.figures._run import new_axes
from vizdl.figures.paint import FONT_SIZES, mathtext, theme_for
from vizdl.views.plot import Band, Bars, Contour, Distribution, Fill, Mark, Rule, Series


def paint_plot(plot, *, ax=None, step=-1, legend: bool = True, caption: bool = False, legend_loc: str = "best"):
    """Draw ``plot`` as it stands after ``step`` of its story on ``ax``.

    Parameters
    ----------
    plot : vizdl.views.plot.Plot
    ax : Axes, optional
    step : int or str
        A step of the story (index or name); ``-1``: everything.
    legend : bool
        Draw a legend of the labelled elements.
    caption : bool
        Write the step's caption under the chart.
    legend_loc : str
        Matplotlib legend location, or ``"outside"`` (right of the axes).

    Returns
    -------
    Axes
    """
    ax = new_axes(ax)
    theme = theme_for(ax)
    ax.set_xscale(plot.xscale)
    ax.set_yscale(plot.yscale)
    for element in plot.visible(step):
        _PAINTERS[type(element)](ax, element, theme)
    _axes_texts(ax, plot, theme)
    if legend and any(h.get_label() and not h.get_label().startswith("_") for h in ax.get_legend_handles_labels()[0]):
        outside = dict(loc="upper left", bbox_to_anchor=(1.01, 1.0)) if legend_loc == "outside" else {"loc": legend_loc}
        ax.legend(frameon=False, **outside)
    if caption and len(plot.story):
        ax.set_xlabel(plot.story.steps[plot.story.index(step)].caption, wrap=True)
    return ax


def _axes_texts(ax, plot, theme) -> None:
    ax.set_title(plot.title, color=theme.color("ink"))
    ax.set_xlabel(plot.xlabel)
    ax.set_ylabel(plot.ylabel)
    if plot.xticks:
        ax.set_xticks(plot.xticks[0], labels=plot.xticks[1])
    if plot.equal:
        ax.set_aspect("equal")
    if plot.note and plot.note_loc == "top":
        low, high = ax.get_ylim()
        ax.set_ylim(low, high + 0.2 * (high - low))  # headroom for the note
    if plot.note:
        x, y, ha, va = (0.5, 0.04, "center", "bottom") if plot.note_loc == "bottom" else (0.98, 0.98, "right", "top")
        ax.text(x, y, plot.note, transform=ax.transAxes, ha=ha, va=va, wrap=True, color=theme.color("muted"),
                fontsize=FONT_SIZES["small"], gid="note")


_LINESTYLES = {"solid": "-", "dashed": "--", "dotted": ":", "dashdot": "-.", "none": "none"}


def _series(ax, s: Series, theme) -> None:
    from matplotlib import rcParams

    ax.plot(s.x, s.y, linestyle=_LINESTYLES[s.dash], marker=s.marker or None, color=theme.color(s.role),
            lw=rcParams["lines.linewidth"] * s.width, ms=rcParams["lines.markersize"] * min(s.width, 1.0),
            alpha=s.alpha, label=s.label or "_nolegend_", gid=s.id)


def _fill(ax, f: Fill, theme) -> None:
    ax.fill_between(f.x, f.y0, f.y1, color=theme.color(f.role), alpha=f.alpha, lw=0,
                    label=f.label or "_nolegend_", gid=f.id)


def _band(ax, b: Band, theme) -> None:
    span = ax.axvspan if b.axis == "x" else ax.axhspan
    span(b.start, b.end, color=theme.color(b.role), alpha=b.alpha, lw=0, gid=b.id)
    if b.label is not None:
        x, y = ((b.start + b.end) / 2, 0.97) if b.axis == "x" else (0.02, (b.start + b.end) / 2)
        transform = ax.get_xaxis_transform() if b.axis == "x" else ax.get_yaxis_transform()
        ax.text(x, y, mathtext(b.label), transform=transform, ha="center" if b.axis == "x" else "left",
                va="top" if b.axis == "x" else "center", color=theme.color(b.label.role),
                fontsize=FONT_SIZES[b.label.size], gid=f"{b.id}-label")


def _rule(ax, r: Rule, theme) -> None:
    line = ax.axhline if r.axis == "y" else ax.axvline
    line(r.value, color=theme.color(r.role), linestyle=_LINESTYLES[r.dash], lw=1.5, gid=r.id)
    if r.label is not None:
        if r.axis == "y":
            ax.text(0.99, r.value, mathtext(r.label), transform=ax.get_yaxis_transform(), ha="right", va="bottom",
                    color=theme.color(r.label.role), fontsize=FONT_SIZES[r.label.size], gid=f"{r.id}-label")
        else:
            ax.text(r.value, 0.5, " " + mathtext(r.label), transform=ax.get_xaxis_transform(), ha="left",
                    va="center", rotation=90, color=theme.color(r.label.role), fontsize=FONT_SIZES[r.label.size],
                    gid=f"{r.id}-label")


def _mark(ax, m: Mark, theme) -> None:
    from matplotlib import rcParams

    ax.plot([m.x], [m.y], marker=m.marker, linestyle="none", color=theme.color(m.role),
            ms=rcParams["lines.markersize"] * 2.2, markeredgecolor=theme.color("ink"), zorder=5, gid=m.id)
    if m.label is not None:
        ax.annotate(mathtext(m.label), (m.x, m.y), xytext=(0, 14), textcoords="offset points", ha="center",
                    va="bottom", color=theme.color(m.label.role), fontsize=FONT_SIZES[m.label.size],
                    gid=f"{m.id}-label", zorder=6)


def _bars(ax, b: Bars, theme) -> None:
    positions = np.arange(len(b.categories)) + b.offset
    bars = ax.barh(positions, b.values, height=b.height, color=theme.color(b.role), label=b.label or "_nolegend_",
                   gid=b.id)
    ax.bar_label(bars, labels=list(b.texts), padding=4, color=theme.color("ink"), fontsize=FONT_SIZES["small"])
    ax.set_yticks(np.arange(len(b.categories)), labels=list(b.categories))
    if not ax.yaxis_inverted():
        ax.invert_yaxis()


def _distribution(ax, d: Distribution, theme) -> None:
    values = np.asarray(d.values, dtype=float).ravel()
    values = values[np.isfinite(values)]
    color = theme.color(d.role)
    if values.size and np.ptp(values) > 0:
        parts = ax.violinplot([values], positions=[d.position], widths=d.width, showextrema=False)
        for body in parts["bodies"]:
            body.set(facecolor=color, edgecolor=color, alpha=0.6, gid=d.id, label=d.label or "_nolegend_")
    else:  # a constant layer (all zeros): a flat line where the violin would be
        level = float(values[0]) if values.size else 0.0
        ax.plot([d.position - d.width / 2, d.position + d.width / 2], [level, level], color=color, lw=3, gid=d.id)
    if d.text:
        ax.annotate(d.text, (d.position, 1.0), xycoords=("data", "axes fraction"), xytext=(0, -2),
                    textcoords="offset points", ha="center", va="top", color=theme.color("ink"),
                    fontsize=FONT_SIZES["small"], gid=f"{d.id}-text")


def _contour(ax, c: Contour, theme) -> None:
    ax.contour(c.X, c.Y, c.Z, levels=c.levels, colors=theme.color(c.role), linewidths=1, gid=c.id)


_PAINTERS = {Contour: _contour, Series: _series, Fill: _fill, Band: _band, Rule: _rule, Mark: _mark, Bars: _bars,
             Distribution: _distribution}


__all__ = ["paint_plot"]
