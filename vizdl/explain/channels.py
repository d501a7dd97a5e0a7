"""Channel similarity for a layer of a run's model: feature maps from forward hooks, then NumPy.

The arithmetic lives in :mod:`vizdl.ops.channels`; this module runs the model (batched,
``torch.no_grad``, eval mode) and owns its forward hook, removed in ``finally``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vizdl.ops.channels import channel_similarity, top_k


@dataclass
class ChannelSearch:
    """The query's feature maps, every image's maps and the top-k most similar images.

    Attributes
    ----------
    layer : str
        Qualified module name, e.g. ``"features.0"``.
    step : int or None
        Run step whose weights were used (None for a live model).
    metric : str
        ``"cosine"`` or ``"correlation"``.
    channels : ndarray (K,)
        The channels searched.
    query_image : ndarray (*input_shape)
    query_maps : ndarray (C, H, W)
        The layer's output on the query image.
    images : ndarray (N, *input_shape)
    maps : ndarray (N, C, H, W)
        The layer's output on every image.
    similarities : ndarray (N, C)
        :func:`vizdl.ops.channel_similarity` of the query with every image, all channels.
    top_indices, top_scores : ndarray (k, K)
        Per searched channel (column), the k most similar images, most similar first.
    labels : ndarray (N,) or None
    query_label : int or None
    source : str or None
        The run's model and data, for titles (None for a live model).
    """

    layer: str
    step: int | None
    metric: str
    channels: np.ndarray
    query_image: np.ndarray
    query_maps: np.ndarray
    images: np.ndarray
    maps: np.ndarray
    similarities: np.ndarray
    top_indices: np.ndarray
    top_scores: np.ndarray
    labels: np.ndarray | None = None
    query_label: int | None = None
    source: str | None = None


def _resolve_model(source, step):
    """``(model, step)`` from an ``nn.Module`` or a :class:`vizdl.Run`."""
    if hasattr(source, "model") and hasattr(source, "require_step"):
        step = source.require_step(step) if step is not None else source.steps[-1]
        return source.model(step), step
    from torch import nn

    if not isinstance(source, nn.Module):
        raise ValueError(f"source must be a torch nn.Module or a vizdl Run, got {type(source).__name__}")
    return source, None


def _module(model, layer: str):
    from vizdl.runs.keys import split_activation_key

    modules = dict(model.named_modules())
    name = split_activation_key(layer)[0]
    if name not in modules or name == "":
        names = [n for n in modules if n]
        raise KeyError(f"layer {layer!r} is not a module of the model; available: {names}")
    return modules[name]


def _call_hook(layer: str, captured: list):
    """Forward hook keeping call ``j`` of ``layer`` (``name#j:part``, as in ``run.activations``)."""
    from vizdl.record.outputs import output_tensors
    from vizdl.runs.keys import split_activation_key

    _, call, part = split_activation_key(layer)
    state = {"call": 0}

    def reset(_module, _args):
        state["call"] = 0

    def hook(module, _inputs, output):
        if state["call"] == call:
            parts = dict(output_tensors(module, output))
            captured.append(parts[f":{part}" if part else ""].detach().cpu())
        state["call"] += 1
    return reset, hook


def feature_maps(model, layer: str, inputs, *, batch_size: int = 512) -> np.ndarray:
    """Output of ``model``'s module ``layer`` on ``inputs``, as float32 ``(N, C, H, W)``.

    ``layer`` is a module name; for a module that runs several times per forward it is
    its first call, and ``"name#j"`` selects call ``j`` (the keys of ``run.activations``),
    so there is always one map per input. Runs under ``torch.no_grad`` in eval mode (every
    module's own training flag is restored afterwards); the hooks are registered and removed
    inside one ``try``/``finally``, so none is left when the inputs or the forward pass raise.

    Raises
    ------
    KeyError
        ``layer`` is not a module name of ``model``.
    ValueError
        The layer's output has no channel axis (e.g. a Linear layer's ``(N, features)``).
    """
    import torch

    from vizdl.record.state import eval_mode

    module, captured = _module(model, layer), []
    reset, hook = _call_hook(layer, captured)
    inputs = torch.as_tensor(np.asarray(inputs) if not torch.is_tensor(inputs) else inputs)
    handles = []
    try:
        handles.append(model.register_forward_pre_hook(reset))
        handles.append(module.register_forward_hook(hook))
        with eval_mode(model), torch.no_grad():
            for start in range(0, len(inputs), batch_size):
                model(inputs[start:start + batch_size].float())
    finally:
        for handle in handles:
            handle.remove()
    maps = torch.cat(captured).numpy() if captured else np.zeros((0,))
    if maps.ndim < 3:
        raise ValueError(f"layer {layer!r} has output shape {tuple(maps.shape)}, without a channel axis: "
                         "expected (N, C, H, W) (a convolution, activation or pooling layer)")
    return maps


def _check_channels(channels, count: int, layer: str) -> np.ndarray:
    channels = np.arange(count) if channels is None else np.atleast_1d(np.asarray(channels))
    if channels.dtype.kind not in "iu" or channels.ndim != 1 or channels.size == 0 \
            or channels.min() < 0 or channels.max() >= count:
        raise ValueError(f"channels must be integers in [0, {count - 1}] (layer {layer!r} has {count} "
                         f"channels), got {channels.tolist()}")
    return channels


def _check_query(query, images) -> tuple[np.ndarray, np.ndarray]:
    query, images = np.asarray(query, dtype=np.float32), np.asarray(images, dtype=np.float32)
    if query.shape == images.shape[1:]:
        return query, images
    if query.shape[1:] == images.shape[1:] and query.shape[0] == 1:
        return query[0], images
    raise ValueError(f"query must have the shape of one dataset image, images.shape[1:]="
                     f"{images.shape[1:]}, got query.shape={query.shape}")


def channel_search(source, layer: str, query, images, *, step: int | None = None, channels=None,
                   k: int = 5, metric: str = "cosine", labels=None, query_label=None, exclude=None,
                   batch_size: int = 512) -> ChannelSearch:
    """Find the images whose ``layer`` channels respond most like they do on ``query``.

    Parameters
    ----------
    source : nn.Module or vizdl.Run
        A model, or a run whose model is rebuilt at ``step`` (last step by default).
    layer : str
        Module name whose output has a channel axis, e.g. ``"features.1"`` (after ReLU).
    query : array (*input_shape)
        The query image (a leading batch axis of 1 is accepted).
    images : array (N, *input_shape)
        The dataset split to search, e.g. ``data.x_test``.
    channels : int or sequence of int, optional
        Channels to rank (all by default).
    k : int
        Images kept per channel.
    metric : {"cosine", "correlation"}
    labels : array (N,), optional
        Kept for the figures' titles.
    query_label : int, optional
        The query's class, for the figures' titles.
    exclude : int or sequence of int, optional
        Image indices left out of the ranking (the query itself if it is in ``images``).
    """
    from vizdl.explain.shap_values import run_source

    described = run_source(source)
    model, step = _resolve_model(source, step)
    query, images = _check_query(query, images)
    maps = feature_maps(model, layer, images, batch_size=batch_size)
    query_maps = feature_maps(model, layer, query[None])[0]
    channels = _check_channels(channels, maps.shape[1], layer)
    similarities = channel_similarity(query_maps, maps, metric)
    top_indices, top_scores = top_k(similarities[:, channels], k, exclude=exclude)
    return ChannelSearch(layer, step, metric, channels, query, query_maps, images, maps,
                         similarities, top_indices, top_scores,
                         None if labels is None else np.asarray(labels),
                         None if query_label is None else int(query_label), described)
