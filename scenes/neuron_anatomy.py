"""``manim scenes/neuron_anatomy.py``: one neuron of a trained MLP, term by term (see vizdl.scenes)."""
from vizdl.scenes import neuron_anatomy


class NeuronAnatomy(neuron_anatomy.NeuronAnatomy):
    """The most active neuron of layer 2 of the digits MLP on probe digit 0."""
