"""``manim scenes/multi_head_attention.py``: X W per head, the heads, Concat and W_O on a recorded run (see vizdl.scenes)."""
from vizdl.scenes import multi_head_attention


class MultiHeadAttention(multi_head_attention.MultiHeadAttention):
    """Every head's projections and attention, their concatenation and W_O, then the prediction."""
