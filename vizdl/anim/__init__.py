"""Manim painters: mobjects and animations built from vizdl's views, runs or arrays.

The scene contract lives in :mod:`vizdl.anim.scene` (:class:`LectureScene`, :class:`Beat`,
:class:`Play`); element painters in :mod:`vizdl.anim.paint`. Names are imported on first
use, so ``import vizdl.anim`` stays cheap and one topic's module never breaks another's.
"""
from __future__ import annotations

import importlib

from vizdl.extras import require

require("manim", "anim", "vizdl.anim (videos, scenes and slides; Manim also needs pango, cairo and LaTeX)")

_NAMES = {
    "LectureScene": "scene", "Beat": "scene", "Play": "scene", "options_from_environment": "scene",
    "Elements": "paint",
    "GraphDiagram": "graph",
    "ConvolutionDiagram": "convolution", "copy_arrow": "convolution",
    "NumberGrid": "grid", "fade_in_beneath": "grid",
    "NetworkDiagram": "network", "Restyle": "network", "Fade": "network", "StoryPicture": "network_story",
    "number_label": "glyphs",
    "FeatureMapsDiagram": "feature_maps", "LayerColumn": "feature_maps", "HorizontalBar": "feature_maps",
    "MatrixMobject": "matrix", "ColourBar": "matrix",
    "PoolingDiagram": "pooling", "SqueezeDiagram": "pooling",
    "DecisionPanel": "training", "LossCurve": "training", "pixel_rectangles": "training",
    "AttentionWalkthrough": "attention",
    "UnrolledDiagram": "recurrent", "GatedCellDiagram": "recurrent", "grid_mobject": "recurrent",
    "typeset": "typeset",
}

__all__ = sorted(_NAMES)


def __getattr__(name: str):
    if name not in _NAMES:
        raise AttributeError(f"module 'vizdl.anim' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"vizdl.anim.{_NAMES[name]}"), name)
    globals()[name] = value
    return value


def __dir__():
    return __all__
