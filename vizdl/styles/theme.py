"""The theme: the one place that maps *roles* to colours and writes numbers as text.

Views (:mod:`vizdl.views`) tag every element with a role — ``"positive"``, ``"gradient"``,
``"padding"``, ``"window"``, ``"class 1"`` — never with a colour. Painters (figures, scenes,
GIF frames, notebooks) ask the theme for the colour of a role, so a figure and a video of
one topic agree by construction. The same goes for numbers: :func:`fmt` is the only
number formatter, and views store its strings.

Meanings are fixed (the lecture notes' conventions):

========================  ==============================================================
role                      meaning
========================  ==============================================================
positive / negative       sign of a weight, gradient or attribution (red / blue; white 0)
gradient                  a derivative written as a number (dl/dx_i, df/dnode)
value                     a forward value written on a graph
window / output / kernel  convolution and pooling: where the kernel reads (the window's outline;
                          the cells under it take the kernel's fill), what it writes (output cells)
padding / padding_ink     padded cells and their numbers
source                    padding modes: the input row or column a padded one copies (outline, arrow)
winner / winner_fill      the cell a max-pool keeps
block k / block_alt       position k inside a pooling block (squeeze: output channel k); every
                          other pooling window (a light checkerboard that separates the windows)
class k                   class ``k`` of a dataset (never red, blue or orange); decision
                          regions are the class colours tinted towards white
                          (:meth:`Theme.class_tints`)
run k                     run ``k`` of a comparison (the class palette; splits differ by line style)
head k                    attention head ``k`` in a head view (never red or blue)
focus                     what a picture points at (the best epoch, the weights an update changes, a query patch)
dropped                   a unit dropout switched off in a forward pass
dense                     a fully connected layer in an architecture diagram
embedding                 transformer diagram: the source / target embedding (+ positions)
attention                 (masked) self-attention of a transformer layer
cross_attention           cross-attention: queries from the decoder, keys and values from the encoder
norm / feed_forward       add & norm (layer norm); the position-wise feed-forward network
projection                the output linear layer (vocabulary scores)
memory / residual         arrows of the encoder output into every cross-attention; skip connections
series k                  curve ``k`` of a family (one per learning rate...), same palette
train / validation        training and validation curves
schedule                  a hyper-parameter over time (the learning rate)
on_dark / on_light        numbers written on a dark / light cell of a colour scale
ink / muted / background  text, secondary text, the page
========================  ==============================================================

Continuous values are coloured through a :class:`vizdl.views.Scale`: ``diverging`` (the
sign colours), ``sequential`` (viridis: feature maps, attention) or ``grey`` (images).

>>> fmt(-0.004), fmt(1.0), fmt(-0.25), fmt(0.5, decimals=1), fmt(1234.5678)
('−0.004', '1', '−0.25', '0.5', '1234.57')
>>> fmt(-0.004, tex=True), fmt(2.5e-05), fmt(float("nan")), fmt(2e-13, below=0.01)
('-0.004', '2.5e−5', '', '<0.01')
>>> LIGHT.color("positive"), LIGHT.color("class 1"), LIGHT.color("run 1")
('#d62728', '#7570b3', '#7570b3')
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

MINUS = "\u2212"

#: Sign colours: red = positive, blue = negative, white = zero (notes' convention).
POSITIVE = "#d62728"
NEGATIVE = "#1f77b4"
ZERO = "#ffffff"

#: Ten class colours that never reuse the sign colours (red, blue) or the gradient orange.
CLASS_COLORS = (
    "#1b9e77", "#7570b3", "#e6ab02", "#e7298a", "#66a61e",
    "#a6761d", "#666666", "#17becf", "#bcbd22", "#8c6bb1",
)

_LIGHT_ROLES = {
    "positive": POSITIVE,
    "negative": NEGATIVE,
    "zero": ZERO,
    "gradient": "#d35400",
    "value": "#2a8a2a",
    "ink": "#222222",
    "muted": "#6a6a6a",
    "background": "#ffffff",
    "panel": "#f4f4f4",
    "cell": "#ffffff",
    "cell_stroke": "#555555",
    "padding": "#d0d0d0",
    "padding_ink": "#5a5a5a",
    "kernel": "#fff1c1",
    "window": "#ff7f0e",
    "output": "#e4f3df",
    "output_stroke": "#2ca02c",
    "winner": "#8e44ad",
    "winner_fill": "#e8daef",
    "empty": "#ffffff",
    "focus": "#ff7f0e",
    "dropped": "#b3b3b3",
    "dense": "#e3e0f0",
    "embedding": "#f8d7da",
    "attention": "#fde2c8",
    "cross_attention": "#cdeef0",
    "norm": "#fff1c1",
    "feed_forward": "#cfe2f3",
    "projection": "#e3e0f0",
    "memory": "#00838f",
    "residual": "#8a8a8a",
    "source": "#00838f",
    "block_alt": "#ececec",
    "block 0": "#cfe2f3",
    "block 1": "#fde2c8",
    "block 2": "#d5ecd4",
    "block 3": "#e8daef",
    "train": "#333333",
    "validation": "#ff7f0e",
    "schedule": "#2a8a2a",
    "on_dark": "#ffffff",
    "on_light": "#222222",
}

#: Colours of attention heads (head views): never the sign colours.
HEAD_COLORS = ("#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f")

_DARK_ROLES = {
    **_LIGHT_ROLES,
    "ink": "#eeeeee",
    "muted": "#aaaaaa",
    "background": "#000000",
    "panel": "#1e1e1e",
    "cell": "#111111",
    "cell_stroke": "#bbbbbb",
    "padding": "#444444",
    "padding_ink": "#bbbbbb",
    "kernel": "#5c4d12",
    "output": "#1d3b1d",
    "winner_fill": "#3d2347",
    "empty": "#111111",
    "dropped": "#3a3a3a",
    "dense": "#2b2840",
    "embedding": "#4a2228",
    "attention": "#4a3520",
    "cross_attention": "#143c40",
    "norm": "#5c4d12",
    "feed_forward": "#1f3347",
    "projection": "#2b2840",
    "memory": "#26c6da",
    "residual": "#9a9a9a",
    "block_alt": "#262626",
    "block 0": "#1f3347",
    "block 1": "#4a3520",
    "block 2": "#22402a",
    "block 3": "#3a2a45",
    "train": "#dddddd",
}

#: Colour maps of the continuous scales (``Scale.kind``).
CMAPS = {"diverging": "vizdl_diverging", "sequential": "viridis", "grey": "gray_r"}


@dataclass(frozen=True)
class Theme:
    """Roles -> colours, for one background (light by default).

    Parameters
    ----------
    name : str
        ``"light"`` or ``"dark"``.
    roles : dict
        Hex colour of each role (``"class k"`` roles come from :data:`CLASS_COLORS`).
    """

    name: str
    roles: dict = field(default_factory=dict)

    def color(self, role: str) -> str:
        """Hex colour of ``role``; ``"class k"``, ``"run k"`` and ``"series k"`` cycle through :data:`CLASS_COLORS`.

        Raises ``KeyError`` naming the known roles for an unknown one.
        """
        if role.startswith(("class ", "run ", "series ")):
            return class_color(int(role.split()[1]))
        if role.startswith("head "):
            return HEAD_COLORS[int(role.split()[1]) % len(HEAD_COLORS)]
        try:
            return self.roles[role]
        except KeyError:
            raise KeyError(f"unknown role {role!r}; known roles: {', '.join(sorted(self.roles))}, "
                           "'class <k>', 'run <k>', 'head <k>'") from None

    def cmap(self, kind: str):
        """The Matplotlib colour map of a scale kind (``diverging``, ``sequential``, ``grey``)."""
        if kind == "diverging":
            return diverging_cmap()
        if kind not in CMAPS:
            raise ValueError(f"scale kind must be one of {sorted(CMAPS)}, got {kind!r}")
        from matplotlib import colormaps

        return colormaps[CMAPS[kind]]

    def scale_colors(self, scale, values) -> list:
        """Hex colour of each of ``values`` on ``scale`` (a :class:`vizdl.views.Scale`)."""
        import numpy as np
        from matplotlib.colors import to_hex

        rgba = self.cmap(scale.kind)(np.atleast_1d(scale.position(values)).ravel())
        return [to_hex(c) for c in rgba]

    def scale_color(self, scale, value: float) -> str:
        """Hex colour of one value on ``scale``."""
        return self.scale_colors(scale, [value])[0]

    def class_tints(self, winner, confidence, *, strength: float = 0.75):
        """RGB in ``[0, 1]`` (shape ``(..., 3)``) of decision regions: each cell's winning class colour,
        mixed with the background by ``strength * confidence`` (white where no class wins).

        The one colouring of decision boundaries (figures and scenes alike).
        """
        import numpy as np

        winner = np.asarray(winner, dtype=int)
        alpha = strength * np.clip(np.asarray(confidence, dtype=float), 0.0, 1.0)[..., None]
        palette = np.array([_rgb(self.color(f"class {k}")) for k in range(int(winner.max(initial=0)) + 1)])
        return _rgb(self.color("background")) * (1 - alpha) + palette[winner] * alpha

    def with_roles(self, **roles) -> "Theme":
        """A copy with some roles changed (role names with spaces: pass a dict via ``**{...}``)."""
        return replace(self, roles={**self.roles, **roles})


LIGHT = Theme("light", dict(_LIGHT_ROLES))
DARK = Theme("dark", dict(_DARK_ROLES))


def for_background(color) -> Theme:
    """:data:`LIGHT` for a light background colour, :data:`DARK` for a dark one."""
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(_manim_hex(color).lower() if hasattr(color, "to_hex") or isinstance(color, str) else color)
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return LIGHT if luminance >= 0.5 else DARK


def _rgb(hex_color: str):
    """``"#rrggbb"`` -> NumPy ``[r, g, b]`` in ``[0, 1]``."""
    import numpy as np

    return np.array([int(hex_color[k:k + 2], 16) / 255 for k in (1, 3, 5)])


def _manim_hex(color) -> str:
    to_hex = getattr(color, "to_hex", None)
    return to_hex() if to_hex else str(color)


def class_color(index: int) -> str:
    """Hex colour of class ``index`` (cycles through :data:`CLASS_COLORS`)."""
    return CLASS_COLORS[int(index) % len(CLASS_COLORS)]


def diverging_cmap(name: str = "vizdl_diverging"):
    """The blue-white-red colour map of weights, gradients and attributions."""
    from matplotlib.colors import LinearSegmentedColormap

    return LinearSegmentedColormap.from_list(name, [NEGATIVE, ZERO, POSITIVE])


def fmt(value, decimals: int = 2, *, tex: bool = False, below: float | None = None) -> str:
    """The one way vizdl writes a number: ``decimals`` places, trailing zeros dropped.

    A non-zero value that would round to zero keeps one significant digit (``-0.004`` is
    written ``−0.004``, never ``−0`` or ``0``); below ``1e-4`` it is written in
    scientific notation. Zero never carries a sign. Text uses the true minus sign
    (U+2212); ``tex=True`` gives LaTeX (``-``, ``10^{-5}``). Non-finite values give ``""``.

    Parameters
    ----------
    value : float
    decimals : int
        Decimal places kept for ordinary values.
    tex : bool
        Write LaTeX source instead of plain text.
    below : float, optional
        Write a non-zero value smaller in magnitude than ``below`` as ``<below`` (or
        ``>−below``), e.g. ``fmt(3e-13, below=0.01) == '<0.01'``: tiny probabilities
        stay short and never read as an exact 0.
    """
    value = float(value)
    if not math.isfinite(value):
        return ""
    if below is not None and value != 0 and abs(value) < below:
        bound = fmt(below, decimals, tex=tex)
        return (r"< " if tex else "<") + bound if value > 0 else (r"> -" if tex else ">" + MINUS) + bound
    if value != 0 and abs(value) < 0.5 * 10 ** -decimals:
        text = _small(value, tex)
    else:
        text = f"{round(value, decimals):.{decimals}f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        if float(text) == 0:
            text = "0"
    return text if tex else text.replace("-", MINUS)


def _small(value: float, tex: bool) -> str:
    if abs(value) >= 1e-4:
        places = -math.floor(math.log10(abs(value)))
        text = f"{value:.{places}f}"
        return text.rstrip("0").rstrip(".") if float(text) != 0 else f"{value:.{places + 1}f}"
    mantissa, exponent = f"{value:.1e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    exponent = int(exponent)
    return f"{mantissa} \\cdot 10^{{{exponent}}}" if tex else f"{mantissa}e{exponent}"


def fmt_all(values, decimals: int = 2, *, tex: bool = False, below: float | None = None):
    """:func:`fmt` of every element of an array, as an object array of the same shape."""
    import numpy as np

    values = np.asarray(values, dtype=float)
    out = np.empty(values.shape, dtype=object)
    for index, value in np.ndenumerate(values):
        out[index] = fmt(value, decimals, tex=tex, below=below)
    return out


__all__ = [
    "CLASS_COLORS", "CMAPS", "DARK", "HEAD_COLORS", "LIGHT", "MINUS", "NEGATIVE", "POSITIVE", "Theme", "ZERO",
    "class_color", "diverging_cmap", "fmt", "fmt_all", "for_background",
]
