"""``manim scenes/computational_graph.py``: the notes' chain-rule example (see vizdl.scenes)."""
from vizdl.scenes import computational_graph


class ComputationalGraph(computational_graph.ComputationalGraph):
    """(x + y) * z at x = 1, y = -3, z = 4: values, local derivatives, chain rule."""
