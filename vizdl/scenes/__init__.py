"""vizdl's packaged scenes: one :class:`vizdl.anim.scene.LectureScene` per module.

``vizdl render NAME`` and ``vizdl slides NAME`` look scenes up here by name; the files in
the repository's ``scenes/`` folder are one-line subclasses so that ``manim
scenes/NAME.py`` renders without a prompt.

>>> sorted(SCENES)[:3]
['attention', 'backprop', 'computational_graph']
"""
from __future__ import annotations

import importlib

#: ``name -> "module:Class"`` of every packaged scene.
SCENES = {
    "attention": "vizdl.scenes.attention:Attention",
    "backprop": "vizdl.scenes.backprop:Backprop",
    "computational_graph": "vizdl.scenes.computational_graph:ComputationalGraph",
    "convolution": "vizdl.scenes.convolution:Convolution",
    "feature_maps": "vizdl.scenes.feature_maps:FeatureMaps",
    "lstm": "vizdl.scenes.lstm:LSTM",
    "multi_head_attention": "vizdl.scenes.multi_head_attention:MultiHeadAttention",
    "neuron_anatomy": "vizdl.scenes.neuron_anatomy:NeuronAnatomy",
    "padding_modes": "vizdl.scenes.convolution:PaddingModes",
    "pooling": "vizdl.scenes.pooling:Pooling",
    "rnn": "vizdl.scenes.rnn:RNN",
    "training": "vizdl.scenes.training:Training",
}


def scene_class(name: str):
    """The scene class called ``name`` (a key of :data:`SCENES`; ``-`` and ``_`` are the same)."""
    key = name.replace("-", "_").lower()
    if key not in SCENES:
        raise KeyError(f"unknown scene {name!r}; scenes: {', '.join(sorted(SCENES))}")
    module, _, attr = SCENES[key].partition(":")
    return getattr(importlib.import_module(module), attr)


__all__ = ["SCENES", "scene_class"]
