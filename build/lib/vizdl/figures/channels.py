"""The notes' "Intuition behind channels": images whose channel responds like the query's.

:func:`channel_similarity_grid` draws, per channel, the query image and its feature map,
then the top-k most similar images with their maps and similarity scores (one colour
scale per channel row). :func:`channel_similarity_heatmap` draws the channel-by-channel
similarity matrix on the diverging map (red = similar, blue = opposite, white = 0)::

    search = vizdl.explain.channel_search(run, "features.1", data.x_test[0], data.x_test)
    fig = channel_similarity_grid(search, channels=[0, 1, 2])
    ax = channel_similarity_heatmap(vizdl.ops.channel_similarity_matrix(search.maps))
"""
from __future__ import annotations

import numpy as np

from vizdl.styles.colors import diverging_cmap

PANEL = 1.15  # inches per image panel


def _shown(image: np.ndarray) -> tuple:
    """``(array to show, cmap)``: grey for one channel (or 2-D), RGB (min-max scaled) for three."""
    image = np.asarray(image, dtype=float)
    if image.ndim == 2:
        return image, "gray"
    if image.shape[0] == 3:
        low, high = image.min(), image.max()
        return np.moveaxis((image - low) / (high - low if high > low else 1.0), 0, -1), None
    return image[0] if image.shape[0] == 1 else image.mean(axis=0), "gray"


def _panel(ax, array, cmap, title: str, **kw):
    ax.imshow(array, cmap=cmap, interpolation="nearest", **kw)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=12, pad=3)


def _columns(search, channels):
    """Positions of ``channels`` among the searched ones (``search.channels``)."""
    searched = list(np.asarray(search.channels).tolist())
    chosen = searched[:4] if channels is None else list(np.atleast_1d(channels).tolist())
    missing = [c for c in chosen if c not in searched]
    if missing:
        raise ValueError(f"channels {missing} were not searched; search.channels is {searched}")
    return chosen, [searched.index(c) for c in chosen]


def _label(search, index: int, class_names) -> str:
    if search.labels is None:
        return f"#{index}"
    return _name(search.labels[index], class_names)


def _name(label, class_names) -> str:
    label = int(label)
    return str(class_names[label]) if class_names is not None else str(label)


def channel_similarity_grid(search, *, channels=None, k: int | None = None, class_names=None,
                            map_cmap: str = "viridis"):
    """Per channel: query image, its map, then the k most similar images with map and score.

    Parameters
    ----------
    search : vizdl.explain.ChannelSearch
        From :func:`vizdl.explain.channel_search`.
    channels : sequence of int, optional
        Channels to draw, among ``search.channels`` (the first four by default).
    k : int, optional
        Top images per channel (all kept by the search by default).
    class_names : sequence of str, optional
        Names shown for ``search.labels``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from vizdl.figures._run import new_figure

    chosen, cols = _columns(search, channels)
    k = search.top_indices.shape[0] if k is None else int(k)
    if not 1 <= k <= search.top_indices.shape[0]:
        raise ValueError(f"k must be in [1, {search.top_indices.shape[0]}], got {k}")
    fig = new_figure((PANEL * (2 + 2 * k) + 0.6, PANEL * 1.25 * len(chosen) + 0.5))
    rows = fig.subfigures(len(chosen), 1, squeeze=False)[:, 0]
    for row, channel, col in zip(rows, chosen, cols):
        _channel_row(row, search, channel, col, k, class_names, map_cmap)
    fig.suptitle(f"{search.layer}: images whose channel responds like the query's "
                 f"({search.metric} similarity)", fontsize=15)
    return fig


def _channel_row(subfig, search, channel, col, k, class_names, map_cmap):
    idx, scores = search.top_indices[:k, col], search.top_scores[:k, col]
    maps = [search.query_maps[channel]] + [search.maps[i, channel] for i in idx]
    scale = {"vmin": float(min(m.min() for m in maps)), "vmax": float(max(m.max() for m in maps))}
    axes = subfig.subplots(1, 2 + 2 * k, gridspec_kw={"wspace": 0.05})
    image, cmap = _shown(search.query_image)
    query = "query" if search.query_label is None else f"query: {_name(search.query_label, class_names)}"
    _panel(axes[0], image, cmap, query)
    axes[0].set_ylabel(f"channel {channel}", fontsize=13)
    _panel(axes[1], maps[0], map_cmap, f"map {channel}", **scale)
    for j, (i, score) in enumerate(zip(idx, scores)):
        image, cmap = _shown(search.images[i])
        _panel(axes[2 + 2 * j], image, cmap, f"{_label(search, int(i), class_names)}: s={score:.2f}")
        _panel(axes[3 + 2 * j], maps[1 + j], map_cmap, f"top {j + 1}", **scale)
    for ax in axes[1::2]:
        for spine in ax.spines.values():
            spine.set_edgecolor("#888888")


def channel_similarity_heatmap(matrix, *, ax=None, metric: str = "cosine", annotate: bool | None = None,
                               channel_labels=None):
    """The channel-by-channel similarity matrix, red = similar, blue = opposite, white = 0.

    Parameters
    ----------
    matrix : array (C, C)
        From :func:`vizdl.ops.channel_similarity_matrix`.
    annotate : bool, optional
        Write each value in its cell (default: when C <= 10).

    Returns
    -------
    matplotlib.axes.Axes
    """
    matrix = np.asarray(matrix, dtype=float)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"matrix must be square (C, C), got shape {matrix.shape}")
    if ax is None:
        from vizdl.figures._run import new_figure

        ax = new_figure((6.4, 5.4)).subplots()
    count = matrix.shape[0]
    image = ax.imshow(matrix, cmap=diverging_cmap(), vmin=-1, vmax=1, interpolation="nearest")
    ax.figure.colorbar(image, ax=ax, shrink=0.85, label=f"{metric} similarity")
    labels = list(range(count)) if channel_labels is None else list(channel_labels)
    step = max(1, count // 16)
    ax.set_xticks(range(0, count, step), labels[::step])
    ax.set_yticks(range(0, count, step), labels[::step])
    ax.set_xlabel("channel")
    ax.set_ylabel("channel")
    ax.set_title("channel similarity over the dataset")
    if annotate or (annotate is None and count <= 10):
        for (r, c), value in np.ndenumerate(matrix):
            ax.text(c, r, f"{value:.2f}", ha="center", va="center", fontsize=12,
                    color="white" if abs(value) > 0.6 else "black")
    return ax
