"""Manim mobjects and animations built from runs or arrays."""
from vizdl.anim.attention import (
    AttentionNumbers, AttentionWalkthrough, attention_numbers, matrix_mobject, numbers_from_env,
    scene_run,
)
from vizdl.anim.convolution import ConvCase, ConvolutionDiagram, NOTES_CASES, formula_tex
from vizdl.anim.grid import NumberGrid
from vizdl.anim.pooling import PoolingDiagram, SqueezeDiagram

__all__ = [
    "ConvCase", "ConvolutionDiagram", "NOTES_CASES", "formula_tex", "NumberGrid",
    "PoolingDiagram", "SqueezeDiagram",
    "AttentionNumbers", "AttentionWalkthrough", "attention_numbers", "matrix_mobject",
    "numbers_from_env", "scene_run",
]
