"""Short labels (numbers) composed from cached glyph outlines: no Pango call per new number.

A network story writes hundreds of different numbers; building each with ``Text`` costs
a Pango layout and an SVG parse (tenths of a second each). :func:`number_label` renders
the characters of :data:`CHARSET` once, in one ``Text`` so they share a baseline, learns
the font's advance widths (from the font file, via fontTools) and lays out any string of
those characters by copying glyph outlines. Other strings fall back to
:func:`vizdl.anim.grid.label`. The result looks like ``Text(s, font="DejaVu Sans")``
without kerning (the digits of DejaVu Sans have none).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
from manim import VGroup, VMobject

from vizdl.anim.grid import FONT
from vizdl.anim.grid import label as pango_label

#: Characters composed from cached outlines (a space is an advance without a glyph).
CHARSET = "0123456789.\u2212+-#e()[],:=%"
REFERENCE_SIZE = 48.0
_CACHE: dict = {}


@lru_cache(maxsize=1)
def _font_metrics():
    """``(advance, left bearing)`` in font units per character of :data:`CHARSET` and a space."""
    from fontTools.ttLib import TTFont
    from matplotlib import font_manager

    font = TTFont(font_manager.findfont(FONT))
    cmap, hmtx = font.getBestCmap(), font["hmtx"]
    return {ch: hmtx[cmap[ord(ch)]] for ch in CHARSET + " "}


@lru_cache(maxsize=1)
def _reference():
    """``({character: outline}, manim units per font unit)`` at :data:`REFERENCE_SIZE`."""
    from manim import Text

    text = Text(CHARSET, font=FONT, font_size=REFERENCE_SIZE)
    glyphs = list(text.submobjects)
    if len(glyphs) != len(CHARSET):
        raise RuntimeError("glyph outlines do not match the characters")  # pragma: no cover
    metrics = _font_metrics()
    pens = np.concatenate([[0.0], np.cumsum([metrics[ch][0] for ch in CHARSET])[:-1]])
    inks = pens + np.array([metrics[ch][1] for ch in CHARSET])
    lefts = np.array([g.get_left()[0] for g in glyphs])
    scale = (lefts[-1] - lefts[0]) / (inks[-1] - inks[0])  # manim units per font unit
    out = {}
    for ch, glyph in zip(CHARSET, glyphs):
        outline = VMobject(fill_opacity=1.0, stroke_width=0)
        outline.points = glyph.points.copy()
        out[ch] = outline
    return out, scale


def number_label(text: str, font_size: float = 24, color: str = "#222222") -> VGroup:
    """``text`` as a ``VGroup`` of glyph outlines (``text`` attribute set), composed when possible."""
    key = (text, float(font_size), color)
    if key not in _CACHE:
        _CACHE[key] = _compose(text, font_size, color) if set(text) <= set(CHARSET + " ") else pango_label(
            text, font_size, color)
        _CACHE[key].text = text
    return _CACHE[key].copy()


def _compose(text: str, font_size: float, color: str) -> VGroup:
    glyphs, scale = _reference()
    metrics = _font_metrics()
    group, pen = VGroup(), 0.0
    for ch in text:
        if ch != " ":
            copy = glyphs[ch].copy()  # its ink starts at the pen plus the left side bearing
            copy.shift(np.array([(pen + metrics[ch][1]) * scale - copy.get_left()[0], 0.0, 0.0]))
            group.add(copy)
        pen += metrics[ch][0]
    group.scale(font_size / REFERENCE_SIZE, about_point=np.zeros(3))
    group.set_fill(color, opacity=1.0).set_stroke(width=0)
    return group


__all__ = ["CHARSET", "number_label"]
