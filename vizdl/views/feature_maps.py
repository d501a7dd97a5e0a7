"""What the feature-maps picture shows: an input going through a recorded CNN, layer by layer.

:func:`feature_maps_view` takes one probe sample of a run and the recorded activations of
the chosen layers (all layers with channels by default, in execution order): the input
on the grey scale; per layer its name, what it is (``Conv2d 1→6, 5×5, p2``), its shape,
its channels (a subset when there are many) with their indices, and one sequential
scale from the layer's minimum to its maximum (a colour bar); at the end the model's
prediction. The title says which model, trained on which data, at which step.

The story: the input, one step per layer (the caption says what the layer did), the
prediction.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from vizdl.ops.feature_maps import channel_layers, layer_info
from vizdl.ops.prediction import (
    can_rebuild,
    class_probabilities,
    recorded_step,
    top_class,
)
from vizdl.styles.theme import fmt
from vizdl.views.base import Label, Scale, Step, Story
from vizdl.views.matrices import scaled_grid
from vizdl.views.runs import RunContext, run_context, shape_text

#: Channels shown per layer by default.
MAX_CHANNELS = 16


@dataclass(frozen=True)
class LayerMaps:
    """One layer of the picture.

    Attributes
    ----------
    id : str
        The layer (module) name.
    title : Label
        The name.
    description : Label
        What the layer is (``Conv2d 1→6, 5×5, p2``); empty text when unknown.
    shape : Label
        ``C×H×W`` of its output, with ``(first k of C shown)`` when a subset is shown.
    channels : tuple of Grid
        The shown channels' maps, coloured by :attr:`scale`.
    channel_labels : tuple of Label
        ``"0"``, ``"1"``...: the index of each shown channel.
    scale : Scale
        Sequential, from the minimum to the maximum of *all* the layer's channels.
    caption : str
        What the layer did (the story step's caption).
    """

    id: str
    title: Label
    description: Label
    shape: Label
    channels: tuple
    channel_labels: tuple
    scale: Scale
    caption: str


@dataclass(frozen=True)
class FeatureMapsView:
    """Everything the feature-maps picture draws.

    Attributes
    ----------
    title : Label
    input : Grid
        The input image on the grey scale (channels averaged for an RGB input).
    input_rgb : ndarray (H, W, 3) or None
        The RGB input scaled to [0, 1] (3-channel inputs; figures show it).
    input_title : Label
        ``"input (label 2)"``.
    input_shape : Label
        ``"probe sample 0, 1×8×8"``.
    layers : tuple of LayerMaps
    prediction : Label
    story : Story
        Steps ``input``, ``layer-<slug>`` per layer, ``prediction``.
    """

    title: Label
    input: object
    input_rgb: np.ndarray | None
    input_title: Label
    input_shape: Label
    layers: tuple
    prediction: Label
    story: Story

    def layer(self, name: str) -> LayerMaps:
        """The layer called ``name``."""
        for layer in self.layers:
            if layer.id == name:
                return layer
        raise KeyError(f"no layer {name!r}; layers: {', '.join(layer.id for layer in self.layers)}")


def feature_maps_view(run, *, layers=None, sample: int = 0, step: int | None = None,
                      max_channels: int = MAX_CHANNELS, max_layers: int | None = None,
                      decimals: int = 2) -> FeatureMapsView:
    """The view of probe ``sample`` going through ``layers`` of ``run`` at ``step``.

    Parameters
    ----------
    run : vizdl.Run
        A run of a CNN recorded with activations.
    layers : str or sequence of str, optional
        Layer names (default: every recorded layer with channels, in execution order,
        the first ``max_layers`` of them when given).
    sample : int
        Probe sample.
    step : int, optional
        Recorded step (default the last; negative: from the end).
    max_channels : int
        Channels shown per layer (the first ones; the scale covers them all).
    decimals : int
        Places of the written numbers (colour bar ticks, probabilities).

    Raises
    ------
    ValueError
        For a step, sample or ``max_channels`` out of range, a layer without a channel
        axis, or a run without any (not a CNN).
    KeyError
        For a layer that was not recorded.
    """
    step = recorded_step(run, step)
    acts = run.activations(step)
    names = select_layers(run, acts, layers, max_layers)
    inputs = np.asarray(run.probe["inputs"])
    sample = _int_in(sample, "sample", 0, len(inputs) - 1)
    max_channels = _int_in(max_channels, "max_channels", 1, None)
    context = run_context(run)
    infos = layer_info(run, step, names)
    shown = [_layer(name, np.asarray(acts[name][sample], dtype=float), infos[name], max_channels, decimals)
             for name in names]
    labels = run.probe.get("labels")
    label = None if labels is None else int(np.asarray(labels)[sample])
    probs = class_probabilities(run, step, [sample])[0] if can_rebuild(run) else None
    image = inputs[sample].astype(float)
    grey = image.mean(axis=0) if image.ndim == 3 else image
    input_scale = Scale.spanning(grey, "grey", label="input")
    truth = "" if label is None else f" (label {context.class_name(label)})"
    view = FeatureMapsView(
        Label(f"Feature maps of {context.source()}, step {step}", size="title"),
        scaled_grid(grey, input_scale), _rgb(image), Label(f"input{truth}"),
        Label(f"probe sample {sample}, {shape_text(image.shape)}", "muted", size="small"), tuple(shown),
        Label(_prediction_text(probs, label, context, decimals), "focus"), Story(()))
    return _with_story(view, context, sample, label, probs, decimals, image.shape)


def select_layers(run, acts: dict, layers=None, max_layers: int | None = None) -> list:
    """The layers to show: ``layers`` checked against the recording, or every layer with channels."""
    with_channels = channel_layers(run, acts=acts)
    if layers is None or layers == "" or layers == ():
        if not with_channels:
            raise ValueError(f"run {run.path} (model {run_context(run).model!r}) recorded no activations with a "
                             "channel axis (N, C, H, W); feature maps need a CNN run (e.g. "
                             "vizdl.models.build('cifar_cnn', ...)) recorded with activations")
        return with_channels[:max_layers] if max_layers else with_channels
    names = [layers] if isinstance(layers, str) else list(layers)
    for name in names:
        if name not in acts:
            raise KeyError(f"layer {name!r} was not recorded; recorded layers: {sorted(acts)}")
        if np.ndim(acts[name]) != 4:
            raise ValueError(f"layer {name!r} has activations of shape {np.shape(acts[name])} without a channel "
                             f"axis; feature maps need (N, C, H, W); layers with channels: {with_channels}")
    return names


def _int_in(value, name: str, low: int, high: int | None) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low or \
            (high is not None and value > high):
        allowed = f"an integer in [{low}, {high}]" if high is not None else f"an integer >= {low}"
        raise ValueError(f"{name} must be {allowed}, got {value!r}")
    return int(value)


def _rgb(image: np.ndarray):
    if image.ndim != 3 or image.shape[0] != 3:
        return None
    low, high = float(image.min()), float(image.max())
    return np.moveaxis((image - low) / (high - low if high > low else 1.0), 0, -1)


def _layer(name: str, maps: np.ndarray, info, max_channels: int, decimals: int) -> LayerMaps:
    count = len(maps)
    shown = min(count, max_channels)
    scale = Scale.spanning(maps, "sequential", label="output")
    subset = f" (first {shown} shown)" if shown < count else ""
    grids = tuple(scaled_grid(m, scale) for m in maps[:shown])
    return LayerMaps(name, Label(name), Label(info.description, "muted", size="small"),
                     Label(shape_text(maps.shape) + subset, "muted", size="small"), grids,
                     tuple(Label(str(c), "muted", size="small") for c in range(shown)), scale,
                     layer_caption(name, info, maps.shape, scale, decimals))


def layer_caption(name: str, info, shape, scale: Scale, decimals: int = 2) -> str:
    """What the layer did, in one sentence (by its module type)."""
    channels, height, width = shape
    size = f"{height}\u00d7{width}"
    low, high = fmt(scale.vmin, decimals), fmt(scale.vmax, decimals)
    if info.type == "Conv2d" and info.kernel:
        inputs = f"{info.in_channels} input channel{'s' if info.in_channels != 1 else ''}"
        return (f"{name}: {channels} kernels of {info.kernel}\u00d7{info.kernel} slide over the {inputs}; each "
                f"channel is one kernel's response ({size}, from {low} to {high}).")
    if info.type in ("ReLU", "LeakyReLU", "GELU", "ELU"):
        return f"{name}: {info.type} sets the negative values to 0 (or nearly): the maps now go from {low} to {high}."
    if info.type in ("MaxPool2d", "AvgPool2d") and info.kernel:
        how = "keeps the largest value" if info.type == "MaxPool2d" else "takes the mean"
        return f"{name}: {info.kernel}\u00d7{info.kernel} pooling {how} of each window: the maps shrink to {size}."
    kind = f" ({info.type})" if info.type else ""
    return f"{name}{kind}: {channels} maps of {size}, from {low} to {high}."


def _prediction_text(probs, label, context: RunContext, decimals: int) -> str:
    truth = "" if label is None else f", true label {context.class_name(label)}"
    if probs is None:
        return f"prediction: not available (the model cannot be rebuilt){truth}"
    index, probability = top_class(probs)
    return f"prediction: {context.class_name(index)} (p = {fmt(probability, decimals)}){truth}"


def step_name(layer: str) -> str:
    """``"features.0"`` -> ``"layer-features.0"`` (a story step name)."""
    return "layer-" + (re.sub(r"[^a-z0-9_.-]+", "-", layer.lower()).strip("-") or "x")


def _with_story(view: FeatureMapsView, context: RunContext, sample: int, label, probs, decimals: int,
                image_shape):
    from dataclasses import replace

    truth = "" if label is None else f" (label {context.class_name(label)})"
    first = (f"Probe sample {sample} of {context.dataset or 'the data'}{truth} enters {context.model}: "
             f"{shape_text(image_shape)} numbers, white = {fmt(view.input.scale.vmin, decimals)}, "
             f"black = {fmt(view.input.scale.vmax, decimals)}.")
    steps = [Step("input", first, ("title", "input"), 2)]
    names = set()
    for layer in view.layers:
        name = step_name(layer.id)
        while name in names:
            name += "-"
        names.add(name)
        steps.append(Step(name, layer.caption, (layer.id,), 2))
    ending = view.prediction.text[0].upper() + view.prediction.text[1:] + "."
    if probs is not None:
        ending = (ending[:-1] + ": the last layers turn these maps into class probabilities.")
    steps.append(Step("prediction", ending, ("prediction",), 2))
    return replace(view, story=Story(tuple(steps)))


__all__ = [
    "MAX_CHANNELS",
    "FeatureMapsView",
    "LayerMaps",
    "feature_maps_view",
    "layer_caption",
    "select_layers",
    "step_name",
]
