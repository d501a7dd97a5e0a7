"""``manim scenes/padding_modes.py``: zeros, reflect, replicate and circular padding (see vizdl.scenes)."""
from vizdl.scenes import convolution


class PaddingModes(convolution.PaddingModes):
    """Where each padded value comes from, mode by mode, and what it changes in the output."""
