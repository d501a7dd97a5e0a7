"""vizdl: turn real PyTorch training into teaching material.

Train and record::

    import vizdl
    data = vizdl.data.load("digits")
    model = vizdl.models.build("mlp", data=data, hidden=(32, 16))
    run = vizdl.train(model, data, epochs=5, record=vizdl.RecordSpec(every=50), out="runs/digits")
    run.weights(run.steps[-1])

Sub-packages (imported on first use, so ``import vizdl`` stays light): ``data``,
``models``, ``ops``, ``figures`` (Matplotlib), ``anim`` (Manim), ``explain`` (SHAP),
``styles``.
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"

_SUBPACKAGES = ("data", "models", "ops", "views", "figures", "anim", "explain", "styles", "record", "runs",
                "recipes", "notebook", "scenes", "limits", "outputs")
_NAMES = {
    "train": "vizdl.training:train",
    "TrainingDiverged": "vizdl.training:TrainingDiverged",
    "Recorder": "vizdl.record:Recorder",
    "RecordSpec": "vizdl.record:RecordSpec",
    "Run": "vizdl.runs:Run",
    "RunFormatError": "vizdl.runs:RunFormatError",
    "StepNotRecordedError": "vizdl.runs:StepNotRecordedError",
    "RunInUseError": "vizdl.runs:RunInUseError",
    "RunExistsError": "vizdl.runs:RunExistsError",
    "Storage": "vizdl.runs:Storage",
    "load_dataset": "vizdl.data:load",
    "build_model": "vizdl.models:build",
    "summary": "vizdl.models:summary",
    "Dataset": "vizdl.data:Dataset",
    "Summary": "vizdl.models:Summary",
    "AttentionMap": "vizdl.models:AttentionMap",
    "shap_values": "vizdl.explain:shap_values",
    "ShapResult": "vizdl.explain:ShapResult",
    "channel_search": "vizdl.explain:channel_search",
    "ChannelSearch": "vizdl.explain:ChannelSearch",
    "build_gallery": "vizdl.gallery:build_gallery",
    "show": "vizdl.notebook:show",
    "recipe_run": "vizdl.recipes:recipe_run",
}

__all__ = ["__version__", *_SUBPACKAGES, *_NAMES]


def __getattr__(name: str):
    if name in _NAMES:
        module, _, attr = _NAMES[name].partition(":")
        value = getattr(importlib.import_module(module), attr)
    elif name in _SUBPACKAGES:
        value = importlib.import_module(f"vizdl.{name}")
    else:
        raise AttributeError(f"module 'vizdl' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    return sorted(__all__)
