"""Renderer-neutral descriptions of vizdl's pictures (views).

A view is computed once from :mod:`vizdl.ops` numbers and painted by every painter:
:mod:`vizdl.figures` (Matplotlib), :mod:`vizdl.anim` (Manim), GIF frames and notebooks.
Elements carry *roles*, not colours (:mod:`vizdl.styles.theme` maps roles to colours),
and numbers already written as text. A view's :class:`Story` lists its steps with
captions: a scene plays one beat per step, a figure draws the state after one.

This package imports NumPy only: no Matplotlib, no Manim.
"""
from vizdl.views.base import (
    PACES,
    SCALE_KINDS,
    Edge,
    Formula,
    Grid,
    Label,
    Node,
    Placed,
    Scale,
    Step,
    Story,
    reading_time,
)
from vizdl.views.plot import Band, Bars, Contour, Distribution, Fill, Mark, Plot, Rule, Series

__all__ = ["Edge", "Formula", "Grid", "Label", "Node", "PACES", "Placed", "SCALE_KINDS", "Scale", "Step", "Story",
           "reading_time", "Band", "Bars", "Contour", "Distribution", "Fill", "Mark", "Plot", "Rule", "Series"]
