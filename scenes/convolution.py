"""``manim scenes/convolution.py``: the notes' five convolution cases and the padding modes (see vizdl.scenes)."""
from vizdl.scenes import convolution


class Convolution(convolution.Convolution):
    """Kernel size, padding and stride on the notes' 5x5 input; where padded values come from."""
