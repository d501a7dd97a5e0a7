"""Manim mobjects and animations built from runs or arrays."""
from vizdl.anim.attention import (
    AttentionNumbers, AttentionWalkthrough, attention_numbers, matrix_mobject, numbers_from_env,
    scene_run,
)
from vizdl.anim.convolution import ConvCase, ConvolutionDiagram, NOTES_CASES, formula_tex
from vizdl.anim.grid import NumberGrid

__all__ = [
    "ConvCase", "ConvolutionDiagram", "NOTES_CASES", "formula_tex", "NumberGrid",
    "AttentionNumbers", "AttentionWalkthrough", "attention_numbers", "matrix_mobject",
    "numbers_from_env", "scene_run",
]
