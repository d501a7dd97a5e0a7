"""``manim scenes/rnn.py``: the recurrent block rolled and unrolled, a trained RNN's hidden states (see vizdl.scenes)."""
from vizdl.scenes import rnn


class RNN(rnn.RNN):
    """Rolled = unrolled; h_t of a real sequence step by step; the head's answer."""
