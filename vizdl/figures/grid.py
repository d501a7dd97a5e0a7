"""Matplotlib painter of a :class:`vizdl.views.Grid`: square cells, their texts, role colours.

The counterpart of :class:`vizdl.anim.grid.NumberGrid`. Cells are squares of side
``cell`` data units, row-major, the top-left corner at ``origin`` (y grows upwards).
Fill and text colours come from the theme through the grid's roles; texts are the
grid's own strings. :class:`GridArtists` keeps the artists so a painter (a figure
showing one step, GIF frames) can re-style a cell, show or hide its text, or outline
a block of cells.

It also holds the small layout helpers the grid pictures share: text sizes in points
(:func:`text_size`), text extents measured without drawing (:func:`text_extent`) and
the font size that fits a cell's longest text (:func:`cell_fontsize`).
"""
from __future__ import annotations

from matplotlib.patches import Rectangle

from vizdl.figures.paint import FONT_SIZES

#: Line height, as a multiple of the font size.
LINE = 1.4
#: Relative font sizes of Matplotlib, as factors of ``font.size``.
_SCALE = {"xx-small": 0.579, "x-small": 0.694, "small": 0.833, "medium": 1.0, "large": 1.2, "x-large": 1.44,
          "xx-large": 1.728}


def text_size(size: str = "body") -> float:
    """Points of a view size (``title``/``body``/``small``) under the active style."""
    from matplotlib import rcParams

    return float(rcParams["font.size"]) * _SCALE[FONT_SIZES[size]]


def text_extent(text: str, points: float, *, tex: bool = False) -> tuple:
    """``(width, height)`` in points of ``text`` at ``points`` (LaTeX when ``tex``), without drawing."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    source = f"${text}$" if tex else text
    width, height, _ = TextToPath().get_text_width_height_descent(source, FontProperties(size=points), ismath=tex)
    return float(width), float(height)


def wrap_text(text: str, points: float, width: float) -> list:
    """``text`` broken at spaces into lines no wider than ``width`` points at ``points`` (a word
    longer than ``width`` keeps a line of its own)."""
    lines: list = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and text_extent(candidate, points)[0] <= width:
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines or [""]


def cell_fontsize(cell_points: float, texts, *, largest: float | None = None) -> float:
    """Font size (points) at which the longest of ``texts`` fits a cell of ``cell_points``."""
    widest = max([text_extent(t, 10.0)[0] for t in texts if t] + [text_extent("00", 10.0)[0]])
    size = min(0.82 * cell_points / (widest / 10.0), 0.5 * cell_points)
    return float(size if largest is None else min(size, largest))


class GridArtists:
    """The cell patches and texts of one painted grid.

    Parameters
    ----------
    ax : Axes
    grid : vizdl.views.Grid
    origin : (float, float)
        Top-left corner, data units.
    theme : vizdl.styles.theme.Theme
    cell : float
        Side of a cell in data units.
    fontsize : float
        Points of the cell texts.
    gid : str
        ``gid`` of the patches (``"<gid>-cell"``) and texts (``"<gid>-value"``).
    texts : bool
        Write the grid's texts (``False``: empty cells, filled later by :meth:`show_text`).
    """

    def __init__(self, ax, grid, origin, theme, *, cell: float = 1.0, fontsize: float = 12.0, gid: str = "grid",
                 texts: bool = True):
        self.ax, self.grid, self.theme, self.cell = ax, grid, theme, float(cell)
        self.origin = (float(origin[0]), float(origin[1]))
        rows, cols = grid.shape
        self.patches = [[self._patch(i, j, gid) for j in range(cols)] for i in range(rows)]
        self.texts = [[self._text(i, j, gid, fontsize, texts) for j in range(cols)] for i in range(rows)]

    @property
    def shape(self) -> tuple:
        """``(rows, cols)``."""
        return self.grid.shape

    @property
    def width(self) -> float:
        """Width in data units."""
        return self.grid.shape[1] * self.cell

    @property
    def height(self) -> float:
        """Height in data units."""
        return self.grid.shape[0] * self.cell

    def corner(self, i: int, j: int) -> tuple:
        """Bottom-left corner of cell ``(i, j)``."""
        return self.origin[0] + j * self.cell, self.origin[1] - (i + 1) * self.cell

    def center(self, i: int, j: int) -> tuple:
        """Centre of cell ``(i, j)``."""
        x, y = self.corner(i, j)
        return x + self.cell / 2, y + self.cell / 2

    def fill_color(self, i: int, j: int) -> str:
        """Colour of cell ``(i, j)``'s role (or of its value on the grid's scale)."""
        if self.grid.roles is None:
            return self.theme.scale_color(self.grid.scale, self.grid.values[i, j])
        return self.theme.color(self.grid.roles[i, j])

    def _patch(self, i, j, gid):
        patch = Rectangle(self.corner(i, j), self.cell, self.cell, facecolor=self.fill_color(i, j),
                          edgecolor=self.theme.color("cell_stroke"), linewidth=1.0, zorder=1, gid=f"{gid}-cell")
        self.ax.add_patch(patch)
        return patch

    def _text(self, i, j, gid, fontsize, visible):
        return self.ax.text(*self.center(i, j), self.grid.texts[i, j] if visible else "", ha="center",
                            va="center", fontsize=fontsize, color=self.theme.color(self.grid.inks[i, j]), zorder=3,
                            gid=f"{gid}-value")

    def set_role(self, i: int, j: int, role: str | None) -> None:
        """Fill cell ``(i, j)`` with ``role``'s colour (``None``: its own role again)."""
        color = self.fill_color(i, j) if role is None else self.theme.color(role)
        self.patches[i][j].set_facecolor(color)

    def show_text(self, i: int, j: int, shown: bool = True) -> None:
        """Write (or clear) cell ``(i, j)``'s text."""
        self.texts[i][j].set_text(self.grid.texts[i, j] if shown else "")

    def cell_artists(self, cells) -> list:
        """Patches and texts of ``cells`` (drawn in that order: texts above the fills)."""
        cells = list(cells)
        return [self.patches[i][j] for i, j in cells] + [self.texts[i][j] for i, j in cells]

    def outline(self, rows, cols, role: str, *, linewidth: float = 3.0, gid: str = "outline", inset: float = 0.0,
                linestyle: str = "-", zorder: float = 4) -> Rectangle:
        """A rectangle around the block ``rows`` x ``cols`` (``inset``: drawn that far inside)."""
        x0, y0 = self.corner(max(rows), min(cols))
        width = (max(cols) - min(cols) + 1) * self.cell - 2 * inset
        height = (max(rows) - min(rows) + 1) * self.cell - 2 * inset
        patch = Rectangle((x0 + inset, y0 + inset), width, height, fill=False, edgecolor=self.theme.color(role),
                          linewidth=linewidth, linestyle=linestyle, zorder=zorder, gid=gid)
        self.ax.add_patch(patch)
        return patch

    def move_outline(self, patch, rows, cols, inset: float = 0.0) -> None:
        """Move an outline made by :meth:`outline` to the block ``rows`` x ``cols``."""
        x0, y0 = self.corner(max(rows), min(cols))
        patch.set_xy((x0 + inset, y0 + inset))
        patch.set_width((max(cols) - min(cols) + 1) * self.cell - 2 * inset)
        patch.set_height((max(rows) - min(rows) + 1) * self.cell - 2 * inset)


class TextFrame:
    """A grid picture's frame: a title on top, lines of text at the bottom, grids in between.

    The title and the bottom texts are wrapped to the Axes width at the style's sizes;
    the cell size is what leaves room for them (``grids_w`` x ``grids_h`` cells, plus
    ``names`` lines of grid names above the grids, ``extra_foot`` points more at the bottom).
    Sets the Axes' limits (:func:`fill_axes`).

    Attributes
    ----------
    width, height : float
        The Axes' extent in cells.
    scale : float
        Points per cell.
    head, foot : float
        Heights (cells) of the title and names band and of the bottom band.
    title : str
        The wrapped title.
    texts : dict of str -> str
        Each bottom text, wrapped.
    """

    def __init__(self, ax, grids_w: float, grids_h: float, title: str, foot_texts, *, names: float = 1.0,
                 extra_foot: float = 0.0):
        width_pt, height_pt = axes_points(ax)
        body, large = text_size("body"), text_size("title")
        self.title = "\n".join(wrap_text(title, large, 0.98 * width_pt))
        self.texts = {t: "\n".join(wrap_text(t, body, 0.98 * width_pt)) for t in foot_texts}
        lines = max(t.count("\n") + 1 for t in self.texts.values())
        head_pt = LINE * large * (self.title.count("\n") + 1) + names * LINE * body
        foot_pt = lines * LINE * body + 0.3 * body + extra_foot
        cell = min(width_pt / grids_w, (height_pt - head_pt - foot_pt) / grids_h)
        self.width, self.height = width_pt / cell, grids_h + (head_pt + foot_pt) / cell
        self.scale = fill_axes(ax, self.width, self.height)
        self.head, self.foot = head_pt / self.scale, foot_pt / self.scale


def fill_axes(ax, width: float, height: float) -> float:
    """Limits so that ``width`` x ``height`` data units fill ``ax`` at equal aspect; returns points per unit.

    The content is centred; the Axes' frame and ticks are hidden.
    """
    box = ax.get_position()
    fig_w, fig_h = ax.figure.get_size_inches()
    ax_w, ax_h = 72 * fig_w * box.width, 72 * fig_h * box.height
    scale = min(ax_w / width, ax_h / height)
    span_w, span_h = ax_w / scale, ax_h / scale
    ax.set_xlim((width - span_w) / 2, (width + span_w) / 2)
    ax.set_ylim(-(span_h - height) / 2, height + (span_h - height) / 2)
    ax.set_aspect("equal")
    ax.axis("off")
    return scale


def axes_points(ax) -> tuple:
    """``(width, height)`` of ``ax`` in points."""
    box = ax.get_position()
    fig_w, fig_h = ax.figure.get_size_inches()
    return 72 * fig_w * box.width, 72 * fig_h * box.height


def new_grid_axes(ax=None):
    """``ax``, or one Axes filling a new figure of the style's size (no layout engine: the
    grid pictures lay themselves out in points)."""
    if ax is not None:
        return ax
    from matplotlib.figure import Figure

    fig = Figure(layout="none")
    return fig.add_axes((0.01, 0.01, 0.98, 0.98))


__all__ = ["GridArtists", "LINE", "TextFrame", "axes_points", "cell_fontsize", "fill_axes", "new_grid_axes",
           "text_extent", "text_size", "wrap_text"]

