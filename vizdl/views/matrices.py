"""Matrices shown as colours (and numbers when they fit): heat maps, feature maps, attention.

A :class:`vizdl.views.Grid` coloured by a :class:`vizdl.views.Scale` (``roles=None``).
Wide matrices show a subset of their columns with an ellipsis column (value NaN, text
``⋯``, ink ``muted``; painters fill NaN cells with the ``empty`` role). Numbers are written
only when asked (``decimals``), in an ink that contrasts with the cell's colour
(``on_dark`` on the dark end of a scale, ``on_light`` elsewhere).

>>> column_subset(4, 6), column_subset(16, 6)
([0, 1, 2, 3], [0, 1, 2, 3, None, 15])
>>> grid = scaled_grid([[0.0, 0.5, 1.0]], Scale("sequential", 0.0, 1.0), decimals=2)
>>> grid.texts.tolist(), grid.inks.tolist()
([['0', '0.5', '1']], [['on_dark', 'on_dark', 'on_light']])
>>> wide = scaled_grid(np.arange(8.0)[None], Scale.spanning([0, 7]), decimals=0, columns=column_subset(8, 4))
>>> wide.texts.tolist(), wide.col_labels
([['0', '1', '⋯', '7']], ())
"""
from __future__ import annotations

import numpy as np

from vizdl.styles.theme import fmt_all
from vizdl.views.base import Grid, Scale

ELLIPSIS = "\u22ef"
#: Where each scale's colour map is dark enough for light text (positions in [0, 1]).
DARK_BELOW = {"sequential": 0.55}
DARK_OUTSIDE = {"diverging": 0.3}
DARK_ABOVE = {"grey": 0.55}


def column_subset(count: int, limit: int) -> list:
    """Columns to show of ``count``: all when ``count <= limit``, else the first ``limit - 2``,
    ``None`` (the ellipsis) and the last one."""
    if limit < 3:
        raise ValueError(f"limit must be >= 3 (first columns, ellipsis, last column), got {limit}")
    if count <= limit:
        return list(range(count))
    return list(range(limit - 2)) + [None, count - 1]


def contrast_inks(scale: Scale, values) -> np.ndarray:
    """``"on_dark"`` where a cell's colour is dark on ``scale``, else ``"on_light"`` (NaN: ``"muted"``)."""
    values = np.asarray(values, dtype=float)
    position = scale.position(np.nan_to_num(values, nan=scale.vmin))
    if scale.kind == "sequential":
        dark = position < DARK_BELOW["sequential"]
    elif scale.kind == "diverging":
        dark = np.abs(position - 0.5) > DARK_OUTSIDE["diverging"]
    else:
        dark = position > DARK_ABOVE["grey"]
    inks = np.where(dark, "on_dark", "on_light").astype(object)
    inks[np.isnan(values)] = "muted"
    return inks


def scaled_grid(values, scale: Scale, *, decimals: int | None = None, columns=None, row_labels=(),
                col_labels=(), below: float | None = None, rows=None) -> Grid:
    """A grid of ``values`` coloured by ``scale``; ``columns`` and ``rows`` (from :func:`column_subset`) pick
    columns and rows.

    ``row_labels``/``col_labels`` label the *original* rows/columns; the ellipsis row and
    column are labelled ``⋯``. ``decimals=None`` writes no numbers; ``below`` is
    :func:`vizdl.styles.theme.fmt`'s.
    """
    values = np.atleast_2d(np.asarray(values, dtype=float))
    columns = list(range(values.shape[1])) if columns is None else list(columns)
    rows = list(range(values.shape[0])) if rows is None else list(rows)
    shown = np.stack([values[:, c] if c is not None else np.full(len(values), np.nan) for c in columns], axis=1)
    shown = np.stack([shown[r] if r is not None else np.full(shown.shape[1], np.nan) for r in rows])
    texts = fmt_all(shown, decimals, below=below) if decimals is not None else np.full(shown.shape, "", dtype=object)
    texts[:, np.array([c is None for c in columns])] = ELLIPSIS
    texts[np.array([r is None for r in rows]), :] = ELLIPSIS
    labels = tuple(col_labels[c] if c is not None else ELLIPSIS for c in columns) if col_labels else ()
    row_labels = tuple(row_labels[r] if r is not None else ELLIPSIS for r in rows) if len(row_labels) else ()
    return Grid(shown, texts, None, contrast_inks(scale, shown), scale, row_labels, labels)


def transposed(grid: Grid) -> Grid:
    """The grid's transpose (row labels become column labels and back)."""
    roles = None if grid.roles is None else grid.roles.T
    return Grid(grid.values.T, grid.texts.T, roles, grid.inks.T, grid.scale, grid.col_labels, grid.row_labels)


def written(grid: Grid) -> int:
    """How many numbers the grid writes (ellipses and empty cells do not count)."""
    return int(sum(1 for t in grid.texts.ravel() if t and t != ELLIPSIS))


def dimension_labels(count: int) -> tuple:
    """``("1", ..., str(count))``: labels of vector components (the notes count from 1)."""
    return tuple(str(i + 1) for i in range(count))


__all__ = ["ELLIPSIS", "column_subset", "contrast_inks", "dimension_labels", "scaled_grid", "transposed", "written"]
