"""``manim scenes/feature_maps.py``: a digit going through a recorded CNN, layer by layer (see vizdl.scenes)."""
from vizdl.scenes import feature_maps


class FeatureMaps(feature_maps.FeatureMaps):
    """The input, each layer's feature maps with their colour scale, then the prediction."""
