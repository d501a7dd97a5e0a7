"""Matplotlib painters of scale-coloured matrices (:class:`vizdl.views.Grid`) and panel figures.

The counterpart of :mod:`vizdl.anim.matrix`: :func:`draw_grid` paints a grid with the
theme's colour map of its scale (NaN cells in the ``empty`` role), the grid's texts in
their ink roles, its row and column labels; :func:`fit_cell_texts` sizes the numbers to
their cells once the layout is known. :func:`panel_figure` makes a figure of the style's
width whose height follows the panels (multi-panel pictures wrap into rows).
"""
from __future__ import annotations

import math

import numpy as np

from vizdl.figures.paint import FONT_SIZES, mathtext, theme_for

#: Numbers fill at most this fraction of a cell's width.
FILL = 0.82
#: Panels shrink to fit the style's height down to this side (inches), then the figure grows.
MIN_PANEL = 1.0


def grid_cmap(grid, theme):
    """The colour map of ``grid``'s scale, with NaN cells in the theme's ``empty`` colour."""
    cmap = theme.cmap(grid.scale.kind).with_extremes(bad=theme.color("empty"))
    return cmap


def draw_grid(ax, grid, theme=None, *, name=None, numbers: bool = True, labels: bool = True, gid: str | None = None):
    """Paint a :class:`vizdl.views.Grid` on ``ax``; returns the AxesImage.

    Parameters
    ----------
    name : vizdl.views.Label, optional
        Written under the matrix (x label).
    numbers : bool
        Write the grid's texts in the cells (``gid`` of each: ``"cell:<gid>:<row>:<col>"``).
    labels : bool
        Row labels on the left, column labels on top.
    """
    theme = theme or theme_for(ax)
    if grid.roles is not None:
        from matplotlib.colors import to_rgb

        rgb = np.array([[to_rgb(theme.color(r)) for r in row] for row in grid.roles])
        image = ax.imshow(rgb, interpolation="nearest")
    else:
        image = ax.imshow(np.ma.masked_invalid(grid.values), cmap=grid_cmap(grid, theme), vmin=grid.scale.vmin,
                          vmax=grid.scale.vmax, interpolation="nearest")
    image.set_gid(gid)
    if numbers:
        for (row, col), string in np.ndenumerate(grid.texts):
            if string:
                ax.text(col, row, string, ha="center", va="center", color=theme.color(grid.inks[row, col]),
                        fontsize=FONT_SIZES["small"], gid=f"cell:{gid or ''}:{row}:{col}")
    _ticks(ax, grid, labels, theme)
    if name is not None:
        ax.set_xlabel(mathtext(name), color=theme.color(name.role))
    return image


def _ticks(ax, grid, labels: bool, theme) -> None:
    rows, cols = grid.shape
    every = max(1, math.ceil(max(rows, cols) / 16))
    ax.tick_params(length=0, colors=theme.color("muted"), labelsize=FONT_SIZES["small"])
    ax.xaxis.set_ticks_position("top")
    ax.xaxis.set_label_position("bottom")
    if labels and grid.col_labels:
        ax.set_xticks(range(0, cols, every), grid.col_labels[::every])
    else:
        ax.set_xticks([])
    if labels and grid.row_labels:
        ax.set_yticks(range(0, rows, every), grid.row_labels[::every])
    else:
        ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)


def fit_cell_texts(fig, axes_and_grids, *, min_size: float = 4.0) -> None:
    """Size every cell number so the widest fits ``FILL`` of its cell (one size per figure).

    ``axes_and_grids`` pairs each Axes with the grid painted on it.
    """
    from vizdl.figures.paint import _renderer

    renderer = _renderer(fig)
    scale = math.inf
    texts = []
    for ax, grid in axes_and_grids:
        cell = ax.get_window_extent(renderer).width / grid.shape[1]
        cells = [t for t in ax.texts if (t.get_gid() or "").startswith("cell:")]
        for text in cells:
            width = text.get_window_extent(renderer).width
            if width:
                scale = min(scale, FILL * cell / width)
        texts += cells
    if not texts or scale >= 1.0:
        return
    size = max(texts[0].get_fontsize() * scale, min_size)
    for text in texts:
        text.set_fontsize(size)


def panel_figure(rows: int, cols: int, *, aspect: float = 1.0, extra_height: float = 1.2, width=None,
                 min_panel: float | None = None):
    """A figure of the style's width for ``rows`` x ``cols`` panels of ``aspect`` (height / width).

    The style sheet gives the width and the fonts. Panels are as wide as the width allows
    but no taller than what keeps the figure at the style's height, unless that would make
    them smaller than ``min_panel`` inches (:data:`MIN_PANEL`): then the figure grows taller.
    """
    from matplotlib import rcParams

    from vizdl.figures._run import new_figure

    width = float(width or rcParams["figure.figsize"][0])
    widest = width / max(cols, 1)
    fitting = (float(rcParams["figure.figsize"][1]) - extra_height) / (max(rows, 1) * aspect)
    panel = max(min(widest, fitting), min(widest, min_panel or MIN_PANEL))
    return new_figure((width, rows * panel * aspect + extra_height))


def wrap(count: int, ncols: int | None, default: int) -> tuple:
    """``(rows, cols)`` of ``count`` panels, ``ncols`` (or ``default``) per row."""
    if ncols is not None and (isinstance(ncols, bool) or not isinstance(ncols, int) or ncols < 1):
        raise ValueError(f"ncols must be a positive integer, got {ncols!r}")
    cols = min(count, ncols or default)
    return math.ceil(count / cols), cols


def scale_colorbar(fig, scale, theme, *, ax, **kwargs):
    """A colour bar of a :class:`vizdl.views.Scale` beside ``ax`` (an Axes or a list), ticks by ``fmt``."""
    from vizdl.figures.paint import scale_mappable

    bar = fig.colorbar(scale_mappable(scale, theme), ax=ax, **kwargs)
    values, texts = scale.ticks()
    bar.set_ticks(values, labels=texts)
    if scale.label:
        bar.set_label(scale.label)
    return bar


__all__ = ["FILL", "draw_grid", "fit_cell_texts", "grid_cmap", "panel_figure", "scale_colorbar", "wrap"]
