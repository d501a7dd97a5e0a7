"""``manim scenes/pooling.py``: max, average and invertible pooling on the notes' 8x8 matrix (see vizdl.scenes)."""
from vizdl.scenes import pooling


class Pooling(pooling.Pooling):
    """Max (winners outlined), average and squeeze pooling, one section per beat."""
