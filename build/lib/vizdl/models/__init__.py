"""The lecture's models by name, and a Keras-like ``summary``.

>>> from vizdl import models
>>> net = models.build("mlp", input_shape=(1, 28, 28), num_classes=10, hidden=(128, 64))
>>> models.summary(net, (1, 28, 28)).total_params   # the notes' 784-128-64-10
109386
"""
from vizdl.models.registry import available, build
from vizdl.models.summary import Row, Summary, summary

__all__ = ["AttentionMap", "Row", "Summary", "available", "build", "summary"]


def __getattr__(name: str):
    if name == "AttentionMap":  # defined with the transformers; imported on first use
        from vizdl.models.transformer import AttentionMap

        return AttentionMap
    raise AttributeError(f"module 'vizdl.models' has no attribute {name!r}")
