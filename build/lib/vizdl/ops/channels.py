"""Channel similarity, the notes' "Intuition behind channels" (pure NumPy).

"For a given input x, we can compute the similarity between the output of a specific
channel and the same channel for other images in the dataset." Feature maps are arrays
``(N, C, *spatial)`` (usually ``(N, C, H, W)``); a channel's map on one image is
flattened over its spatial axes and compared with a cosine or a Pearson correlation.
A map that is all zero (a dead ReLU channel) or constant (correlation) has similarity 0.
Work is done in chunks of images, in float64, so 10,000 images x 64 channels fit in memory.
"""
from __future__ import annotations

import numpy as np

METRICS = ("cosine", "correlation")
REDUCTIONS = ("mean", "max")
_CHUNK_ELEMENTS = 1 << 22  # float64 values per chunk (32 MB)


def _check_metric(metric: str) -> None:
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {METRICS}, got {metric!r}")


def _as_maps(maps, name: str = "maps") -> np.ndarray:
    """``maps`` as an array ``(N, C, *spatial)`` with at least one spatial axis."""
    array = np.asarray(maps)
    if array.ndim < 3:
        raise ValueError(f"{name} must have shape (N, C, H, W) (a channel axis and at least one "
                         f"spatial axis), got shape {array.shape}")
    return array


def _chunks(count: int, per_item: int):
    size = max(1, _CHUNK_ELEMENTS // max(per_item, 1))
    for start in range(0, count, size):
        yield slice(start, min(start + size, count))


def _norms(vectors: np.ndarray) -> np.ndarray:
    return np.sqrt(np.einsum("...k,...k->...", vectors, vectors))


def _inverse(norms: np.ndarray, floor) -> np.ndarray:
    """``1 / norms`` where ``norms > floor``, else 0 (a zero or constant map has similarity 0)."""
    return np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > floor)


def _normalise(vectors: np.ndarray, metric: str) -> np.ndarray:
    """Centre (correlation) and scale the last axis to unit norm; zero vectors stay zero."""
    floor = 0.0
    if metric == "correlation":  # a constant map leaves only rounding error after centring
        floor = 1e-9 * _norms(vectors)
        vectors = vectors - vectors.mean(axis=-1, keepdims=True)
    return vectors * _inverse(_norms(vectors), floor)[..., None]


def channel_similarity(query, maps, metric: str = "cosine") -> np.ndarray:
    """Similarity of each channel's map on ``query`` with the same channel on every image.

    Parameters
    ----------
    query : array (C, H, W)
        Feature maps of one image (one layer's output without the batch axis).
    maps : array (N, C, H, W)
        Feature maps of the same layer on N images.
    metric : {"cosine", "correlation"}
        Cosine of the flattened maps, or their Pearson correlation (cosine after
        removing each map's mean).

    Returns
    -------
    ndarray (N, C)
        ``out[n, c]`` = similarity of ``query[c]`` and ``maps[n, c]``, in [-1, 1];
        0 where either map is all zero (or constant, for the correlation).
    """
    _check_metric(metric)
    query, maps = np.asarray(query), _as_maps(maps)
    if query.shape != maps.shape[1:]:
        raise ValueError(f"query must have the shape of one image's maps, maps.shape[1:]="
                         f"{maps.shape[1:]} (C, H, W), got query.shape={query.shape}")
    n, c = maps.shape[:2]
    q = _normalise(query.reshape(c, -1).astype(np.float64), metric)  # (C, HW)
    out = np.empty((n, c))
    for part in _chunks(n, q.size):
        block = _normalise(maps[part].reshape(-1, c, q.shape[1]).astype(np.float64), metric)
        out[part] = np.einsum("nck,ck->nc", block, q)
    return np.clip(out, -1.0, 1.0)


def top_k(scores, k: int = 5, *, exclude=None) -> tuple[np.ndarray, np.ndarray]:
    """Indices and values of the ``k`` largest scores along axis 0, largest first.

    Parameters
    ----------
    scores : array (N,) or (N, C)
        E.g. :func:`channel_similarity`'s output.
    k : int
        How many, at most N (minus the excluded ones).
    exclude : int or sequence of int, optional
        Image indices to leave out (the query itself when it belongs to the dataset).

    Returns
    -------
    indices, values : ndarray (k,) or (k, C)
    """
    scores = np.array(scores, dtype=np.float64)
    if scores.ndim not in (1, 2):
        raise ValueError(f"scores must have shape (N,) or (N, C), got {scores.shape}")
    if exclude is not None:
        scores[np.atleast_1d(np.asarray(exclude, dtype=int))] = -np.inf
    available = int(np.isfinite(scores).sum(axis=0).min()) if scores.size else 0
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= available:
        raise ValueError(f"k must be an integer in [1, {available}] (images left to rank), got {k!r}")
    part = np.argpartition(-scores, k - 1, axis=0)[:k]
    order = np.argsort(-np.take_along_axis(scores, part, axis=0), axis=0, kind="stable")
    indices = np.take_along_axis(part, order, axis=0)
    return indices, np.take_along_axis(scores, indices, axis=0)


def top_k_similar(query, maps, k: int = 5, *, metric: str = "cosine",
                  exclude=None) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` images whose maps are most similar to ``query``'s, per channel.

    Returns ``(indices, scores)``, both ``(k, C)``, most similar first
    (see :func:`channel_similarity` and :func:`top_k`).
    """
    return top_k(channel_similarity(query, maps, metric), k, exclude=exclude)


def channel_activation(maps, reduce: str = "mean") -> np.ndarray:
    """How strongly each image excites each channel: the mean (or max) of its map, ``(N, C)``."""
    if reduce not in REDUCTIONS:
        raise ValueError(f"reduce must be one of {REDUCTIONS}, got {reduce!r}")
    maps = _as_maps(maps)
    flat = maps.reshape(maps.shape[0], maps.shape[1], -1)
    return flat.mean(axis=-1, dtype=np.float64) if reduce == "mean" else flat.max(axis=-1).astype(float)


def most_exciting(maps, k: int = 5, reduce: str = "mean") -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` images that excite each channel most: ``(indices, activations)``, both ``(k, C)``."""
    return top_k(channel_activation(maps, reduce), k)


def channel_similarity_matrix(maps, metric: str = "cosine") -> np.ndarray:
    """Channel-by-channel similarity over a dataset, ``(C, C)``.

    Channel ``c`` is the vector of its maps on all N images (length ``N * H * W``);
    ``out[a, b]`` is the cosine (or correlation) of channels ``a`` and ``b``. The diagonal
    is 1 except for channels that are zero (constant) everywhere, where the row is 0.
    """
    _check_metric(metric)
    maps = _as_maps(maps)
    n, c = maps.shape[:2]
    gram, sums, count = np.zeros((c, c)), np.zeros(c), 0
    for part in _chunks(n, int(np.prod(maps.shape[1:]))):
        block = maps[part].astype(np.float64).swapaxes(0, 1).reshape(c, -1)  # (C, n*HW)
        gram += block @ block.T
        sums += block.sum(axis=1)
        count += block.shape[1]
    floor = 0.0
    if metric == "correlation":  # a constant channel leaves only rounding error after centring
        floor = 1e-6 * np.sqrt(np.diag(gram))
        gram -= np.outer(sums, sums) / count
    scale = _inverse(np.sqrt(np.clip(np.diag(gram), 0.0, None)), floor)
    return np.clip(gram * np.outer(scale, scale), -1.0, 1.0)
