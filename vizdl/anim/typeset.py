"""Text assembled from cached glyphs: hundreds of different numbers and labels at the cost of a few dozen.

Every different string costs :func:`vizdl.anim.grid.label` one Pango rendering (about
70 ms), so a scene writing hundreds of different numbers spends most of its time making
text. :func:`typeset` renders each character once per font size, between two zeros (which
gives its advance and its offsets from Pango's own layout), and assembles any string from
copies, placed where Pango places them for numbers (digits are tabular in DejaVu Sans);
pairs of letters lose their kerning, a fraction of a pixel. Newlines are not supported.
The result is one VMobject per string, which Cairo draws much faster than one per glyph.
"""
from __future__ import annotations

import numpy as np
from manim import VGroup, VMobject

from vizdl.anim.grid import one_line_text

_METRICS: dict = {}


def _zero_advance(font_size: float) -> float:
    """Advance of ``"0"`` at ``font_size`` (from ``"00"``)."""
    key = (font_size, None)
    if key not in _METRICS:
        zeros = one_line_text("00", font_size=font_size)
        _METRICS[key] = zeros[1].get_left()[0] - zeros[0].get_left()[0]
    return _METRICS[key]


def _metrics(char: str, font_size: float) -> tuple:
    """``(outlines, advance)`` of ``char`` at ``font_size`` (cached).

    ``outlines`` are the point arrays of its glyph(s), placed relative to the character's
    origin on the baseline of a ``"0"``.
    """
    key = (font_size, char)
    if key not in _METRICS:
        zero_advance = _zero_advance(font_size)
        sample = one_line_text(f"0{char}0", font_size=font_size)
        first, last = sample[0], sample[len(sample) - 1]
        origin = np.array([first.get_left()[0] + zero_advance, first.get_bottom()[1], 0.0])
        advance = last.get_left()[0] - first.get_left()[0] - zero_advance
        _METRICS[key] = (tuple(g.points - origin for g in sample[1:len(sample) - 1]), advance)
    return _METRICS[key]


def typeset(text: str, font_size: float = 24, color: str = "#222222") -> VGroup:
    """``text`` as glyph outlines centred at the origin, like ``vizdl.anim.grid.label(text, font_size, color)``.

    The glyphs form one VMobject (one path of many subpaths): a frame draws a table of
    numbers several times faster than with a VMobject per glyph. The group keeps the
    string in the attribute ``text`` (tests read it).
    """
    pieces, x = [], 0.0
    for char in text:
        outlines, advance = _metrics(char, float(font_size))
        pieces += [points + np.array([x, 0.0, 0.0]) for points in outlines]
        x += advance
    outline = VMobject(fill_color=color, fill_opacity=1.0, stroke_width=0)
    if pieces:
        outline.points = np.concatenate(pieces)
    group = VGroup(outline).move_to(np.zeros(3))
    group.text = text
    return group


__all__ = ["typeset"]
