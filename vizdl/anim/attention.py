"""Manim painter of the attention walkthrough (:func:`vizdl.views.attention.attention_view`).

:class:`AttentionWalkthrough` lays out, inside a given area, the context lines (task,
model, input, prediction) on top and, below them, one *stage* per step of the view's
story: a row of matrices with operators between them and one colour bar per scale,
scaled to fit whatever the number of tokens and ``d_k``. :meth:`AttentionWalkthrough.beat`
gives the animations from one stage to the next: matrices the two stages share move,
the others fade. Strings and colours are the view's and the theme's.
"""
from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    FadeIn,
    FadeOut,
    ReplacementTransform,
    SurroundingRectangle,
    VGroup,
    Write,
)

from vizdl.anim.matrix import ColourBar, MatrixMobject, same_number_size
from vizdl.anim.paint import text
from vizdl.anim.scene import fit_into
from vizdl.styles.theme import LIGHT
from vizdl.views.attention import AttentionView

CONTEXT_SIZE = 20
OPERATOR_SIZE = 56
NAME_SIZE = 40
GAP = 0.35
#: At most this many head maps in one row of the heads stage.
HEADS_PER_ROW = 4


class AttentionWalkthrough:
    """Every mobject of an :class:`AttentionView`, laid out in ``area``, and the moves between stages.

    Parameters
    ----------
    view : AttentionView
    theme : vizdl.styles.theme.Theme
    area : tuple
        ``(width, height, centre)`` to fill, e.g. ``scene.content_area()``.

    Attributes
    ----------
    context : dict of str -> Mobject
        The context lines (``task``, ``model``, ``input``, ``prediction``), placed.
    shown : dict of str -> Mobject
        What the last :meth:`beat` left on screen (stage elements by id).
    """

    def __init__(self, view: AttentionView, theme=LIGHT, *, area=(13.6, 5.9, (0.0, 0.0, 0.0))):
        self.view, self.theme = view, theme
        self._made: dict = {}
        width, height, centre = area
        centre = np.asarray(centre, dtype=float)
        self.context = self._context(width, centre + UP * height / 2 + LEFT * width / 2)
        top = min(m.get_bottom()[1] for m in self.context.values()) - 0.3
        bottom = centre[1] - height / 2
        self.stage_area = (width, top - bottom, np.array([centre[0], (top + bottom) / 2, 0.0]))
        self.shown: dict = {}

    # -- layout -----------------------------------------------------------------------
    def _context(self, width: float, corner) -> dict:
        labels = {key: text(label, self.theme, font_size=CONTEXT_SIZE) for key, label in self.view.context.items()}
        for label in labels.values():
            if label.width > width:
                label.scale_to_fit_width(width)
        lines = [labels[k] for k in ("task", "model", "input") if k in labels]
        VGroup(*lines).arrange(DOWN, aligned_edge=LEFT, buff=0.14).move_to(corner, aligned_edge=UP + LEFT)
        prediction, last = labels["prediction"], lines[-1]
        if last.width + prediction.width + 0.6 <= width:
            prediction.move_to(last).align_to(corner + RIGHT * width, RIGHT)
        else:
            prediction.next_to(last, DOWN, buff=0.14, aligned_edge=LEFT)
        return labels

    def element(self, key: str):
        """A fresh mobject of a stage element: a matrix, an operator or a note (built once, then copied)."""
        if key not in self._made:
            self._made[key] = self._make(key)
        return self._made[key].copy()

    def _make(self, key: str):
        view = self.view
        if key in view.grids:
            name = view.names.get(key)
            size = NAME_SIZE if name is not None and name.tex else None
            return MatrixMobject(view.grids[key], self.theme, name=name, name_size=size)
        if key in view.operators:
            return text(view.operators[key], self.theme, font_size=OPERATOR_SIZE)
        return text(view.notes[key], self.theme)

    def layout(self, stage: str) -> dict:
        """``id -> mobject`` of ``stage``, laid out and fitted into the stage area."""
        ids = self.view.stages[stage]
        parts = {key: self.element(key) for key in ids}
        matrices = [parts[k] for k in ids if k in self.view.grids]
        same_number_size(matrices)
        if stage in self.view.wrapped:
            rows = [VGroup(*matrices[i:i + HEADS_PER_ROW]).arrange(RIGHT, buff=0.6, aligned_edge=UP)
                    for i in range(0, len(matrices), HEADS_PER_ROW)]
            row = VGroup(*rows).arrange(DOWN, buff=0.4)
        else:
            row = VGroup(*(parts[k] for k in ids)).arrange(RIGHT, buff=GAP)
            level = matrices[0].cells.get_center()[1]
            for key in ids:
                anchor = parts[key].cells if key in self.view.grids else parts[key]
                parts[key].shift(UP * (level - anchor.get_center()[1]))
        bars = [ColourBar(scale, self.theme, height=max(m.cells.height for m in matrices))
                for scale in self.view.scales(stage)]
        for k, bar in enumerate(bars):
            parts[f"bar-{bar.scale_view.label}"] = bar
            bar.next_to(row if k == 0 else bars[k - 1], RIGHT, buff=0.6 if k == 0 else 0.5)
            bar.align_to(matrices[0].cells, DOWN)
        extras = self._extras(stage, parts)
        whole = VGroup(row, *bars, *extras)
        width, height, centre = self.stage_area
        fit_into(whole, width, height, max_scale=1.4)
        whole.move_to(centre)
        return parts

    def _extras(self, stage: str, parts: dict) -> list:
        """The focus box and its note (softmax), the note under a stage's matrices (``view.below``)."""
        extras = []
        if stage == "softmax":
            probs = parts["probs"]
            box = SurroundingRectangle(probs.row(self.view.focus), color=self.theme.color("focus"), buff=0.03,
                                       stroke_width=5)
            note = self.element("focus-note").next_to(probs.name_label, DOWN, buff=0.2)
            parts.update({"focus": box, "focus-note": note})
            extras += [box, note]
        key = self.view.below.get(stage)
        if key in self.view.notes:
            grids = [parts[k] for k in self.view.stages[stage] if k in self.view.grids]
            note = self.element(key).next_to(VGroup(*grids), DOWN, buff=0.25)
            parts[key] = note
            extras.append(note)
        return extras

    # -- animation --------------------------------------------------------------------
    def beat(self, step) -> list:
        """Animations from what is shown to the stage of ``step`` (plus its context lines)."""
        target = self.layout(step.name)
        animations = [FadeIn(self.context[k]) for k in step.reveal if k in self.context]
        for key, mobject in self.shown.items():
            if key not in target:
                animations.append(FadeOut(mobject))
        for key, mobject in target.items():
            if key in self.shown:
                animations.append(ReplacementTransform(self.shown[key], mobject))
            else:
                animations.append(Write(mobject) if key in self.view.operators else FadeIn(mobject))
        self.shown = target
        return animations


__all__ = ["AttentionWalkthrough"]
