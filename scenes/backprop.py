"""``manim scenes/backprop.py``: back-propagation through a real MLP (see vizdl.scenes.backprop)."""
from vizdl.scenes import backprop


class Backprop(backprop.Backprop):
    """Forward, loss, dl/dx_i and dl/dA_i layer by layer, the update, then the recorded mini-batch steps."""
