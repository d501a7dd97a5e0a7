"""``manim scenes/training.py``: a network's weights, decision regions and loss over training (see vizdl.scenes)."""
from vizdl.scenes import training


class Training(training.Training):
    """Recorded weights on a fixed colour scale, the decision regions and the loss curve, step by step."""
