"""Manim mobjects and animations built from runs or arrays."""
from vizdl.anim.attention import (
    AttentionNumbers, AttentionWalkthrough, attention_numbers, matrix_mobject, numbers_from_env,
    scene_run,
)

__all__ = [
    "AttentionNumbers", "AttentionWalkthrough", "attention_numbers", "matrix_mobject",
    "numbers_from_env", "scene_run",
]
