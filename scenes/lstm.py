"""``manim scenes/lstm.py``: an LSTM cell and its gates on a real sequence (see vizdl.scenes)."""
from vizdl.scenes import lstm


class LSTM(lstm.LSTM):
    """The cell, its equations, then forget / input / output gates step by step."""
