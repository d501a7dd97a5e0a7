"""Matplotlib pictures: one public function per picture, ``ax=None`` in, Axes/Figure out."""
from vizdl.figures.attention import (
    attention_grid, attention_heatmap, attention_over_steps, attention_rollout, attention_steps,
    head_view, image_attention, patch_attention,
)

__all__ = [
    "attention_grid", "attention_heatmap", "attention_over_steps", "attention_rollout",
    "attention_steps", "head_view", "image_attention", "patch_attention",
]
