"""What the channel-similarity pictures show (the notes' "Intuition behind channels").

:func:`channel_search_view` turns a :class:`vizdl.explain.ChannelSearch` into rows, one
per channel: the query image and its map, then the k most similar images, each with its
map and its similarity score (:func:`vizdl.styles.theme.fmt`). The maps of a row share
one sequential scale (its colour bar). :func:`similarity_matrix_view` is the channel x
channel matrix on the diverging scale from −1 to 1.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vizdl.styles.theme import fmt
from vizdl.views.base import Label, Scale
from vizdl.views.matrices import scaled_grid


@dataclass(frozen=True)
class ChannelRow:
    """One searched channel: ``images`` (grey grids, query first), ``maps`` (on ``scale``), ``titles``."""

    channel: int
    images: tuple
    maps: tuple
    titles: tuple
    scale: Scale


@dataclass(frozen=True)
class ChannelSearchView:
    """Title and one :class:`ChannelRow` per channel."""

    title: Label
    rows: tuple


def channel_search_view(search, *, channels=None, k: int | None = None, class_names=None,
                        decimals: int = 2) -> ChannelSearchView:
    """The rows of ``search`` for ``channels`` (the first four searched by default), ``k`` images each."""
    chosen, columns = _columns(search, channels)
    k = search.top_indices.shape[0] if k is None else int(k)
    if not 1 <= k <= search.top_indices.shape[0]:
        raise ValueError(f"k must be in [1, {search.top_indices.shape[0]}], got {k}")
    rows = tuple(_row(search, channel, column, k, class_names, decimals) for channel, column in zip(chosen, columns))
    source = f"{search.source}, " if getattr(search, "source", None) else ""
    title = Label(f"{source}layer {search.layer}\nimages whose channel responds like the query's "
                  f"({search.metric} similarity s)", size="title")
    return ChannelSearchView(title, rows)


def _columns(search, channels) -> tuple:
    searched = list(np.asarray(search.channels).tolist())
    chosen = searched[:4] if channels is None else list(np.atleast_1d(channels).tolist())
    missing = [c for c in chosen if c not in searched]
    if missing:
        raise ValueError(f"channels {missing} were not searched; search.channels is {searched}")
    return chosen, [searched.index(c) for c in chosen]


def _row(search, channel, column, k, class_names, decimals) -> ChannelRow:
    indices, scores = search.top_indices[:k, column], search.top_scores[:k, column]
    maps = [search.query_maps[channel]] + [search.maps[i, channel] for i in indices]
    scale = Scale.spanning(np.stack(maps), "sequential", label="output")
    images = [search.query_image] + [search.images[i] for i in indices]
    query = "query" if search.query_label is None else f"query: {_name(search.query_label, class_names)}"
    titles = [query] + [f"{_label(search, int(i), class_names)}: s = {fmt(s, decimals)}"
                        for i, s in zip(indices, scores)]
    return ChannelRow(int(channel), tuple(scaled_grid(_grey(im), Scale.spanning(_grey(im), "grey")) for im in images),
                      tuple(scaled_grid(m, scale) for m in maps), tuple(Label(t, size="small") for t in titles), scale)


def _grey(image) -> np.ndarray:
    image = np.asarray(image, dtype=float)
    return image if image.ndim == 2 else image.mean(axis=0)


def _label(search, index: int, class_names) -> str:
    return f"#{index}" if search.labels is None else _name(search.labels[index], class_names)


def _name(label, class_names) -> str:
    return str(class_names[int(label)]) if class_names is not None else str(int(label))


def similarity_matrix_view(matrix, *, metric: str = "cosine", annotate: bool | None = None, channel_labels=None,
                           decimals: int = 2):
    """The channel x channel similarity ``matrix`` as a grid on the diverging scale [−1, 1]."""
    matrix = np.asarray(matrix, dtype=float)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"matrix must be square (C, C), got shape {matrix.shape}")
    count = matrix.shape[0]
    labels = [str(c) for c in (range(count) if channel_labels is None else channel_labels)]
    write = annotate or (annotate is None and count <= 10)
    return scaled_grid(matrix, Scale("diverging", -1.0, 1.0, f"{metric} similarity"),
                       decimals=decimals if write else None, row_labels=labels, col_labels=labels)


__all__ = ["ChannelRow", "ChannelSearchView", "channel_search_view", "similarity_matrix_view"]
