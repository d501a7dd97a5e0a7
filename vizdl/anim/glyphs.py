"""Text composed from cached glyph outlines: no Pango call per new string.

A network story writes hundreds of different numbers and a caption per beat; building
each with ``Text`` costs a Pango layout and an SVG parse (tenths of a second each, the
largest part of a scene's render). :func:`number_label` renders the characters of
:data:`CHARSET` once, in one ``Text`` so they share a baseline, learns the font's advance
widths (from the font file, via fontTools) and lays out any string of those characters by
copying glyph outlines; :func:`text_label` does the same for any character of the font
(each new one rendered once beside an "H" that gives the baseline), and
:func:`wrapped_label` wraps a caption into lines measured from the advances alone. The
result looks like ``Text(s, font="DejaVu Sans")`` without kerning (DejaVu's digits have
none; letter pairs lose a fraction of a pixel).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
from manim import VGroup, VMobject

from vizdl.anim.grid import FONT, one_line_text
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

    text = one_line_text(CHARSET, font_size=REFERENCE_SIZE)
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


_CHARS: dict = {}


def _char(ch: str):
    """``(outline with its baseline at y = 0 and ink left edge at x = 0, left bearing, advance)`` at REFERENCE_SIZE."""
    if ch not in _CHARS:

        metrics = _char_metrics(ch)
        if ch.isspace() or metrics is None:
            _CHARS[ch] = None if metrics is None else (None, 0, metrics[0])
        else:
            pair = one_line_text("H" + ch, font_size=REFERENCE_SIZE).submobjects
            if len(pair) != 2:
                _CHARS[ch] = None
            else:
                outline = VMobject(fill_opacity=1.0, stroke_width=0)
                outline.points = pair[1].points.copy()
                outline.shift(np.array([-outline.get_left()[0], -pair[0].get_bottom()[1], 0.0]))
                _CHARS[ch] = (outline, metrics[1], metrics[0])
    return _CHARS[ch]


def _char_metrics(ch: str):
    """``(advance, left bearing)`` of ``ch`` in font units, ``None`` when the font lacks it."""
    font = _font()
    name = font.getBestCmap().get(ord(ch))
    return None if name is None else font["hmtx"][name]


@lru_cache(maxsize=1)
def _font():
    from fontTools.ttLib import TTFont
    from matplotlib import font_manager

    return TTFont(font_manager.findfont(FONT))


def text_width(text: str, font_size: float) -> float | None:
    """Width (manim units) ``text`` takes at ``font_size`` from the font's advances (``None`` if a character is missing)."""
    _, scale = _reference()
    advances = [_char_metrics(ch) for ch in text]
    if any(a is None for a in advances):
        return None
    return sum(a[0] for a in advances) * scale * font_size / REFERENCE_SIZE


def _prefetch(text: str) -> None:
    """Render every character of ``text`` not cached yet in one Pango call ("H" between them keeps them apart)."""

    new = sorted({ch for ch in text if ch not in _CHARS and not ch.isspace() and _char_metrics(ch) is not None})
    if len(new) < 2:
        return
    glyphs = one_line_text("H" + "H".join(new), font_size=REFERENCE_SIZE).submobjects
    if len(glyphs) != 2 * len(new):
        return  # something merged or split: _char renders them one by one
    baseline = glyphs[0].get_bottom()[1]
    for k, ch in enumerate(new):
        outline = VMobject(fill_opacity=1.0, stroke_width=0)
        outline.points = glyphs[2 * k + 1].points.copy()
        outline.shift(np.array([-outline.get_left()[0], -baseline, 0.0]))
        advance, bearing = _char_metrics(ch)
        _CHARS[ch] = (outline, bearing, advance)


def text_label(text: str, font_size: float = 24, color: str = "#222222") -> VGroup:
    """Any ``text`` of the font as glyph outlines (``text`` attribute set); Pango only for missing characters."""
    key = (text, float(font_size), color, "text")
    if key not in _CACHE:
        _prefetch(text)
        chars = [_char(ch) for ch in text]
        _CACHE[key] = _compose_chars(chars, font_size, color) if all(c is not None for c in chars) else pango_label(
            text, font_size, color)
        _CACHE[key].text = text
    return _CACHE[key].copy()


def _compose_chars(chars, font_size: float, color: str) -> VGroup:
    _, scale = _reference()
    group, pen = VGroup(), 0.0
    for outline, bearing, advance in chars:
        if outline is not None:
            group.add(outline.copy().shift(np.array([(pen + bearing) * scale, 0.0, 0.0])))
        pen += advance
    group.scale(font_size / REFERENCE_SIZE, about_point=np.zeros(3))
    group.set_fill(color, opacity=1.0).set_stroke(width=0)
    return group


def wrapped_label(text: str, width: float, *, font_size: float = 26, color: str = "#222222", max_lines: int = 2,
                  min_size: float = 16, line_gap: float = 0.12) -> VGroup:
    """``text`` in centred lines no wider than ``width``; the font shrinks when it needs more than ``max_lines``.

    Like :func:`vizdl.anim.scene.wrapped_text` (the same sizes and spacing) but measured
    from the font's advances and composed from cached glyphs. ``text`` attribute set.
    """
    import textwrap

    size = font_size
    while True:
        per_char = (text_width(text, size) or len(text) * 0.6 * size / REFERENCE_SIZE) / max(len(text), 1)
        lines = textwrap.wrap(text, max(int(width / per_char), 8)) or [""]
        while any((text_width(line, size) or 0) > width for line in lines) and per_char > 0:
            per_char *= 1.05
            lines = textwrap.wrap(text, max(int(width / per_char), 8)) or [""]
        if len(lines) <= max_lines or size <= min_size:
            break
        size -= 2
    from manim import DOWN

    group = VGroup(*(text_label(line, size, color) for line in lines)).arrange(DOWN, buff=line_gap)
    if group.width > width:
        group.scale_to_fit_width(width)
    group.text = text
    return group


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


__all__ = ["CHARSET", "number_label", "text_label", "text_width", "wrapped_label"]
