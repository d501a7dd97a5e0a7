"""Charts as views: lines, bands, rules, marks, bars and distributions on one pair of axes.

The training-technique pictures (curves of runs, learning-rate shapes, gradient norms,
per-layer distributions, timings) are charts. A :class:`Plot` lists its elements, each
with an id and a theme role (never a colour), its legend text already written by
:func:`vizdl.styles.theme.fmt`, and a :class:`~vizdl.views.Story` whose steps reveal
element ids. :func:`vizdl.figures.plot.paint_plot` paints any of them; a scene or a
notebook paints the same elements.

This module imports NumPy only.

>>> line = Series.of("loss", [0, 1, 2], [2.3, 1.1, 0.7], role="run 0", label="train")
>>> line.x.tolist(), line.dash
([0.0, 1.0, 2.0], 'solid')
>>> Rule("clip", 1.0, "y", label=Label("threshold 1")).axis
'y'
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from vizdl.views.base import Label, Story

DASHES = ("solid", "dashed", "dotted", "dashdot", "none")
AXES = ("x", "y")
SCALES = ("linear", "log", "symlog")


@dataclass(frozen=True)
class Series:
    """A line (or points) ``y`` against ``x``.

    Attributes
    ----------
    id : str
    x, y : ndarray
        Same length; NaN breaks the line.
    role : str
        Theme role of its colour (``"run 0"``, ``"gradient"``...).
    label : str
        Legend entry (empty: none).
    dash : {"solid", "dashed", "dotted", "dashdot", "none"}
        ``"none"``: points only (a scatter).
    marker : str
        A Matplotlib-style marker name (``"o"``, ``"*"``) or ``""`` for none.
    width : float
        Relative line width (1 = the style's).
    alpha : float
        Opacity in ``[0, 1]``.
    """

    id: str
    x: np.ndarray
    y: np.ndarray
    role: str = "ink"
    label: str = ""
    dash: str = "solid"
    marker: str = ""
    width: float = 1.0
    alpha: float = 1.0

    @classmethod
    def of(cls, id: str, x, y, **style) -> "Series":
        """A series from any sequences (checked: same length, a known dash)."""
        x, y = np.asarray(x, dtype=float).ravel(), np.asarray(y, dtype=float).ravel()
        if x.shape != y.shape:
            raise ValueError(f"series {id!r}: x and y must have the same length, got {x.size} and {y.size}")
        if style.get("dash", "solid") not in DASHES:
            raise ValueError(f"dash must be one of {DASHES}, got {style['dash']!r}")
        return cls(id, x, y, **style)


@dataclass(frozen=True)
class Fill:
    """The area between two curves ``y0`` and ``y1`` over ``x`` (a gap, a range)."""

    id: str
    x: np.ndarray
    y0: np.ndarray
    y1: np.ndarray
    role: str = "muted"
    alpha: float = 0.15
    label: str = ""


@dataclass(frozen=True)
class Band:
    """A span ``[start, end]`` along ``axis`` (a patience window), across the whole plot."""

    id: str
    start: float
    end: float
    axis: str = "x"
    role: str = "muted"
    alpha: float = 0.15
    label: Label | None = None


@dataclass(frozen=True)
class Rule:
    """A straight line at ``value`` across the plot: ``axis="y"`` is horizontal (a threshold)."""

    id: str
    value: float
    axis: str = "y"
    role: str = "ink"
    dash: str = "dashed"
    label: Label | None = None

    def __post_init__(self):
        if self.axis not in AXES:
            raise ValueError(f"axis must be one of {AXES}, got {self.axis!r}")


@dataclass(frozen=True)
class Mark:
    """A marked point with a label written next to it (the best epoch, the stop)."""

    id: str
    x: float
    y: float
    role: str = "focus"
    marker: str = "*"
    label: Label | None = None


@dataclass(frozen=True)
class Bars:
    """Horizontal bars: one per category, ``values`` long, each with its text.

    Attributes
    ----------
    id : str
    categories : tuple of str
        Written on the category axis, top to bottom.
    values : ndarray
    texts : tuple of str
        Written at the end of each bar (``fmt``-formatted).
    role : str
    offset : float
        Shift of this group within a category slot (several groups side by side).
    height : float
        Thickness of a bar in category slots.
    label : str
        Legend entry.
    """

    id: str
    categories: tuple
    values: np.ndarray
    texts: tuple
    role: str = "run 0"
    offset: float = 0.0
    height: float = 0.8
    label: str = ""


@dataclass(frozen=True)
class Distribution:
    """The values of one group (a layer's activations) drawn as a violin at ``position``.

    ``text`` is written above it, ``label`` is its legend entry.
    """

    id: str
    position: float
    values: np.ndarray
    role: str = "run 0"
    text: str = ""
    width: float = 0.8
    label: str = ""


@dataclass(frozen=True)
class Contour:
    """Level lines of ``Z`` over the grid ``(X, Y)`` (a loss surface)."""

    id: str
    X: np.ndarray
    Y: np.ndarray
    Z: np.ndarray
    levels: np.ndarray
    role: str = "muted"


@dataclass(frozen=True)
class Plot:
    """One chart: its elements, axis texts and story.

    Attributes
    ----------
    title : str
        Says what data and model the chart shows.
    xlabel, ylabel : str
    elements : tuple
        :class:`Series`, :class:`Fill`, :class:`Band`, :class:`Rule`, :class:`Mark`,
        :class:`Bars`, :class:`Distribution`, :class:`Contour`, drawn in this order.
    story : Story
        Steps revealing element ids.
    xscale, yscale : {"linear", "log", "symlog"}
    xticks : tuple
        ``((positions...), (texts...))`` to replace the automatic ticks of ``x``, or ``()``.
    note : str
        A sentence written inside the chart (what is missing, what was measured).
    equal : bool
        Same scale on both axes (a 2-D parameter plane).
    note_loc : {"bottom", "top"}
        Where the note goes (centred at the bottom, or at the top right).
    """

    title: str
    xlabel: str
    ylabel: str
    elements: tuple
    story: Story = field(default_factory=Story)
    xscale: str = "linear"
    yscale: str = "linear"
    xticks: tuple = ()
    note: str = ""
    equal: bool = False
    note_loc: str = "bottom"

    def __post_init__(self):
        for scale in (self.xscale, self.yscale):
            if scale not in SCALES:
                raise ValueError(f"axis scale must be one of {SCALES}, got {scale!r}")
        ids = [e.id for e in self.elements]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"element ids must be unique; repeated: {', '.join(repeated)}")

    def element(self, element_id: str):
        """The element ``element_id``; ``KeyError`` lists the known ids."""
        for element in self.elements:
            if element.id == element_id:
                return element
        raise KeyError(f"no element {element_id!r}; known: {', '.join(e.id for e in self.elements)}")

    def element_ids(self) -> set:
        """Ids a step may reveal."""
        return {e.id for e in self.elements}

    def visible(self, step=-1) -> list:
        """The elements shown after ``step`` (all of them when the story is empty)."""
        if not len(self.story):
            return list(self.elements)
        shown = self.story.visible(step)
        return [e for e in self.elements if e.id in shown]


__all__ = ["AXES", "DASHES", "SCALES", "Band", "Bars", "Contour", "Distribution", "Fill", "Mark", "Plot", "Rule",
           "Series"]
