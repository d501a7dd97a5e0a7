"""Matplotlib pictures: one public function per picture, ``ax=None`` in, Axes/Figure out."""
from vizdl.figures.attention import (
    attention_grid, attention_heatmap, attention_over_steps, attention_rollout, attention_steps,
    head_view, image_attention, patch_attention,
)
from vizdl.figures.conv import (
    conv_diagram, conv_steps_panel, conv_transpose_diagram, multichannel_conv_diagram,
)
from vizdl.figures.pooling import pool_diagram, pooling_diagram, squeeze_diagram

__all__ = [
    "attention_grid", "attention_heatmap", "attention_over_steps", "attention_rollout",
    "attention_steps", "head_view", "image_attention", "patch_attention",
    "conv_diagram", "conv_steps_panel", "conv_transpose_diagram", "multichannel_conv_diagram",
    "pool_diagram", "pooling_diagram", "squeeze_diagram",
]
