"""The building blocks of a view: what a picture shows, before anyone paints it.

A *view* turns numbers from :mod:`vizdl.ops` into elements — labels, grids of cells,
nodes and edges — each tagged with a **role** (``"positive"``, ``"gradient"``,
``"padding"``...) rather than a colour, with every number already written as text by
:func:`vizdl.styles.theme.fmt`. A view also tells its story as ordered
:class:`Step` s, each with a caption. Painters turn a view into a Matplotlib figure
(the state after a step), a Manim scene (one beat per step), GIF frames or a notebook
strip; colours come from the theme. So the figure and the video of one topic show the
same numbers, the same strings and the same colours by construction.

This module imports NumPy only (no Matplotlib, no Manim).

>>> scale = Scale.symmetric([-0.5, 2.0], label="weight")
>>> scale.vmin, scale.vmax, scale.position([-2.0, 0.0, 2.0]).tolist()
(-2.0, 2.0, [0.0, 0.5, 1.0])
>>> grid = Grid.of([[1.0, -0.004], [0.25, 3.0]], roles="cell")
>>> grid.texts.tolist()
[['1', '−0.004'], ['0.25', '3']]
>>> reading_time("Forward pass: each layer computes its values.", numbers=4)
4.8
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

from vizdl.styles.theme import fmt, fmt_all

SCALE_KINDS = ("diverging", "sequential", "grey")
SIZES = ("title", "body", "small")
PACES = {"lecture": 1.0, "preview": 0.25}

#: Reading aloud: about 150 words a minute; a number takes about half a second to say.
WORDS_PER_SECOND = 2.5
SECONDS_PER_NUMBER = 0.5
MIN_HOLD = 2.0
MAX_HOLD = 12.0


@dataclass(frozen=True)
class Label:
    """A piece of text a picture writes, already formatted.

    Attributes
    ----------
    text : str
        Plain text (numbers with the true minus sign), or LaTeX source when ``tex``.
        LaTeX is kept to the subset Matplotlib's mathtext also reads (``\\frac``,
        ``\\partial``, ``\\sigma``, ``\\cdot``, ``\\leftarrow``, ``\\mathrm``, sub/superscripts).
    role : str
        Theme role of its colour (``"ink"`` by default).
    tex : bool
        ``text`` is LaTeX (MathTex in scenes, ``$...$`` mathtext in figures).
    size : {"title", "body", "small"}
        Relative size; each painter maps it to its own font sizes.
    """

    text: str
    role: str = "ink"
    tex: bool = False
    size: str = "body"

    def __post_init__(self):
        if self.size not in SIZES:
            raise ValueError(f"size must be one of {SIZES}, got {self.size!r}")


@dataclass(frozen=True)
class Formula:
    """A LaTeX formula written in parts, each part with its own role.

    Colour-matching a factor to the numbers it produces (``l'(x_3)`` in the gradient colour
    like the ``dl/dx_3`` labels) is done by giving that part the same role.

    Attributes
    ----------
    parts : tuple of Label
        ``tex=True`` labels, concatenated with a space in between.
    size : {"title", "body", "small"}
        Relative size of the whole formula.

    >>> Formula.of("x_1", "=", ("4", "gradient")).roles()
    ('ink', 'ink', 'gradient')
    """

    parts: tuple
    size: str = "body"

    @classmethod
    def of(cls, *parts, size: str = "body") -> "Formula":
        """Build from strings (role ``"ink"``) and ``(tex, role)`` pairs."""
        labels = tuple(Label(p, tex=True, size=size) if isinstance(p, str) else Label(p[0], p[1], True, size)
                       for p in parts)
        return cls(labels, size)

    @property
    def tex(self) -> str:
        """The whole LaTeX source."""
        return " ".join(part.text for part in self.parts)

    def roles(self) -> tuple:
        """The role of each part, in order."""
        return tuple(part.role for part in self.parts)


@dataclass(frozen=True)
class Scale:
    """How numbers become colours; painters show it as a colour bar labelled ``label``.

    Attributes
    ----------
    kind : {"diverging", "sequential", "grey"}
        ``diverging``: blue (negative) - white (0) - red (positive) on symmetric limits;
        ``sequential``: viridis (feature maps, attention); ``grey``: images (white = low).
    vmin, vmax : float
        Limits; values outside are clipped.
    label : str
        What the colours measure (``"weight"``, ``"attention"``...).
    """

    kind: str
    vmin: float
    vmax: float
    label: str = ""

    def __post_init__(self):
        if self.kind not in SCALE_KINDS:
            raise ValueError(f"kind must be one of {SCALE_KINDS}, got {self.kind!r}")
        if not (math.isfinite(self.vmin) and math.isfinite(self.vmax)) or self.vmax <= self.vmin:
            raise ValueError(f"limits must be finite with vmin < vmax, got ({self.vmin}, {self.vmax})")

    @classmethod
    def symmetric(cls, values, label: str = "") -> "Scale":
        """A diverging scale on ``(-m, m)`` with ``m = max |values|`` (1 for all zeros)."""
        magnitudes = np.abs(np.asarray(values, dtype=float))
        magnitudes = magnitudes[np.isfinite(magnitudes)]
        limit = float(magnitudes.max()) if magnitudes.size and magnitudes.max() > 0 else 1.0
        return cls("diverging", -limit, limit, label)

    @classmethod
    def spanning(cls, values, kind: str = "sequential", label: str = "") -> "Scale":
        """A scale from ``min(values)`` to ``max(values)`` (widened to 1 when they are equal)."""
        values = np.asarray(values, dtype=float)
        values = values[np.isfinite(values)]
        low, high = (float(values.min()), float(values.max())) if values.size else (0.0, 1.0)
        if high <= low:
            low, high = low - 0.5, high + 0.5
        return cls(kind, low, high, label)

    def position(self, values) -> np.ndarray:
        """Where ``values`` fall on the colour map, in ``[0, 1]``."""
        values = np.asarray(values, dtype=float)
        return np.clip((values - self.vmin) / (self.vmax - self.vmin), 0.0, 1.0)

    def ticks(self, decimals: int = 2) -> tuple:
        """``(values, texts)`` of the colour bar's ticks: the limits, and 0 when diverging."""
        values = (self.vmin, 0.0, self.vmax) if self.kind == "diverging" else (self.vmin, self.vmax)
        return values, tuple(fmt(v, decimals) for v in values)


@dataclass(frozen=True)
class Grid:
    """A matrix of cells: numbers, the text written in each cell and how each cell is filled.

    Attributes
    ----------
    values : ndarray, shape (H, W)
        The numbers (NaN for a cell not filled yet).
    texts : ndarray of str, shape (H, W)
        What each cell writes (``""``: nothing), formatted by :func:`vizdl.styles.theme.fmt`.
    roles : ndarray of str, shape (H, W), or None
        Fill role of each cell (``"cell"``, ``"padding"``, ``"kernel"``, ``"output"``...);
        ``None`` when ``scale`` colours the cells by value.
    inks : ndarray of str, shape (H, W)
        Role of each cell's text colour.
    scale : Scale or None
        Colours the cells by value (heat maps, feature maps, attention).
    row_labels, col_labels : tuple of str
        Written left of the rows / above the columns (e.g. tokens), or empty.
    """

    values: np.ndarray
    texts: np.ndarray
    roles: np.ndarray | None
    inks: np.ndarray
    scale: Scale | None = None
    row_labels: tuple = ()
    col_labels: tuple = ()

    @classmethod
    def of(cls, values, *, decimals: int | None = 2, roles="cell", inks="ink", scale: Scale | None = None,
           row_labels=(), col_labels=()) -> "Grid":
        """A grid of ``values`` written with ``decimals`` places (``None``: no text).

        ``roles`` and ``inks`` are one role for every cell or an ``(H, W)`` array of roles;
        ``roles=None`` needs a ``scale``.
        """
        values = np.atleast_2d(np.asarray(values, dtype=float))
        if values.ndim != 2:
            raise ValueError(f"values must be a 2-D matrix, got shape {values.shape}")
        texts = fmt_all(values, decimals) if decimals is not None else np.full(values.shape, "", dtype=object)
        if roles is None and scale is None:
            raise ValueError("a grid needs fill roles or a scale (roles=None and scale=None given)")
        return cls(values, texts, None if roles is None else _broadcast(roles, values.shape, "roles"),
                   _broadcast(inks, values.shape, "inks"), scale, tuple(row_labels), tuple(col_labels))

    @property
    def shape(self) -> tuple:
        """``(H, W)``."""
        return self.values.shape


def _broadcast(roles, shape, name) -> np.ndarray:
    if isinstance(roles, str):
        return np.full(shape, roles, dtype=object)
    array = np.asarray(roles, dtype=object)
    if array.shape != shape:
        raise ValueError(f"{name} must be one role or an array of shape {shape}, got shape {array.shape}")
    return array


@dataclass(frozen=True)
class Node:
    """A node of a diagram (a neuron, a variable of an expression graph).

    Attributes
    ----------
    id : str
        Unique name in its view (steps refer to it).
    x, y : float
        Position in the view's layout units; painters scale the whole layout to fit.
    label : Label or None
        Written inside the node.
    role : str
        Fill role (``"panel"`` by default).
    radius : float
        In layout units.
    """

    id: str
    x: float
    y: float
    label: Label | None = None
    role: str = "panel"
    radius: float = 0.4


@dataclass(frozen=True)
class Edge:
    """An arrow or line between two nodes.

    Attributes
    ----------
    source, target : str
        Node ids.
    role : str
        Stroke role (``"ink"``; ``"positive"``/``"negative"`` for a weight's sign).
    opacity : float
        In ``[0, 1]``.
    width : float
        Relative line width (1 = the painter's normal width).
    arrow : bool
        Draw an arrow head at ``target``.
    """

    source: str
    target: str
    role: str = "ink"
    opacity: float = 1.0
    width: float = 1.0
    arrow: bool = True


@dataclass(frozen=True)
class Placed:
    """A label placed at a point of the layout (a value on an edge, a gradient under a node).

    Attributes
    ----------
    id : str
        Unique name in its view.
    x, y : float
        Centre, in layout units.
    label : Label
    """

    id: str
    x: float
    y: float
    label: Label


@dataclass(frozen=True)
class Step:
    """One beat of a picture's story.

    A scene plays one beat per step (a section, so one slide in a presentation); a figure
    draws the state after a step; a GIF shows one frame (or a few) per step.

    Attributes
    ----------
    name : str
        Short identifier (``"forward-d"``): the section, slide and frame name.
    caption : str
        One sentence saying what happens, shown under the picture.
    reveal : tuple of str
        Ids of the elements that appear at this step (they stay visible afterwards).
    numbers : int
        How many numbers appear (the reading time grows with them).
    """

    name: str
    caption: str
    reveal: tuple = ()
    numbers: int = 0

    def __post_init__(self):
        if not re.fullmatch(r"[a-z0-9][a-z0-9_.-]*", self.name):
            raise ValueError(f"step name must be a lower-case slug (a-z, 0-9, '-', '_', '.'), got {self.name!r}")


@dataclass(frozen=True)
class Story:
    """The ordered steps of a view; ``visible(k)`` is everything shown after step ``k``."""

    steps: tuple = field(default_factory=tuple)

    def __post_init__(self):
        names = [s.name for s in self.steps]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"step names must be unique; repeated: {', '.join(duplicates)}")

    def __len__(self) -> int:
        return len(self.steps)

    def __iter__(self):
        return iter(self.steps)

    def index(self, step) -> int:
        """Position of ``step`` (an int, negative from the end, or a step name)."""
        if isinstance(step, str):
            for k, s in enumerate(self.steps):
                if s.name == step:
                    return k
            raise KeyError(f"no step {step!r}; steps: {', '.join(s.name for s in self.steps)}")
        k = int(step)
        if not -len(self.steps) <= k < len(self.steps):
            raise ValueError(f"step must be in [{-len(self.steps)}, {len(self.steps)}), got {step}")
        return k % len(self.steps)

    def visible(self, step=-1) -> set:
        """Ids revealed by the steps up to and including ``step``."""
        last = self.index(step)
        return {i for s in self.steps[: last + 1] for i in s.reveal}


def reading_time(caption: str, numbers: int = 0, *, pace: str = "lecture") -> float:
    """Seconds a beat holds after its animation: long enough to read the caption and numbers aloud.

    ``len(words) / 2.5 + 0.5 * numbers`` seconds, between 2 and 12 at lecture pace;
    the preview pace is a quarter of that.
    """
    if pace not in PACES:
        raise ValueError(f"pace must be one of {sorted(PACES)}, got {pace!r}")
    words = len(re.findall(r"\S+", caption))
    seconds = min(max(words / WORDS_PER_SECOND + SECONDS_PER_NUMBER * numbers, MIN_HOLD), MAX_HOLD)
    return round(seconds * PACES[pace], 2)


__all__ = ["Edge", "Formula", "Grid", "Label", "Node", "PACES", "Placed", "Scale", "SCALE_KINDS", "Step", "Story",
           "reading_time"]
