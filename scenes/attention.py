"""Self-attention with a trained tiny transformer's real numbers.

Builds Q, K and V of one head, then QK^T, the scaling by sqrt(d_k), the row-wise softmax
and the weighted sum of V, under the notes' formula; then every head side by side::

    manim -ql scenes/attention.py

The run is a tiny transformer trained for a few seconds on the toy sequences (fixed seed,
cached under ``.vizdl-cache/``); ``VIZDL_RUN=path/to/run`` shows another recorded run
(``VIZDL_ATTN="layer=blocks.1.attn,head=1,sample=3"`` picks what is shown).
"""
from manim import Scene, config

from vizdl.anim.attention import AttentionWalkthrough, numbers_from_env

config.background_color = "#ffffff"
config.disable_caching = True  # hashing every play call costs more than rendering this scene


class Attention(Scene):
    """softmax(QK^T / sqrt(d_k)) V step by step, then the heads of the layer side by side."""

    def construct(self):
        walkthrough = AttentionWalkthrough(numbers_from_env())
        for animation, pause in walkthrough.animations():
            self.play(animation)
            if pause:
                self.wait(pause)
