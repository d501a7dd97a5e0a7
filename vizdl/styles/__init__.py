"""Matplotlib style sheets and the colour conventions shared by figures and animations.

Use a style through the context manager, never by changing global rcParams::

    with vizdl.styles.use("slides"):
        fig = vizdl.figures.loss_curves(run)
"""
from vizdl.styles.colors import (
    CLASS_COLORS,
    NEGATIVE,
    POSITIVE,
    ZERO,
    class_color,
    diverging_cmap,
    symmetric_limit,
    weight_color,
)
from vizdl.styles.sheets import available, path, use
from vizdl.styles.theme import DARK, LIGHT, Theme, fmt, fmt_all, for_background

__all__ = [
    "NEGATIVE", "POSITIVE", "ZERO", "CLASS_COLORS", "class_color", "diverging_cmap",
    "symmetric_limit", "weight_color", "available", "path", "use",
    "DARK", "LIGHT", "Theme", "fmt", "fmt_all", "for_background",
]
