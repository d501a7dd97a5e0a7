"""Toy sequence classification tasks whose solution an attention map makes visible.

Sequences are int64 token ids in ``[0, vocab_size)``. Tasks:

- ``"majority"``: the label is the most frequent token (ties never occur: they are
  re-drawn). Attention should gather on the tokens equal to the answer.
- ``"first"``: the label is the first token. Attention should go to position 0; an RNN
  must carry it through the whole sequence (a memory test).
- ``"contains"``: 2 classes, does token 0 occur? (exactly once when it does). Attention
  should point at the single 0.
- ``"sorted"``: 2 classes, is the sequence non-decreasing? Attention should compare
  neighbours.

Classes are balanced in expectation (``contains`` and ``sorted``: exactly half each).
"""
from __future__ import annotations

import numpy as np

TASKS = ("majority", "first", "contains", "sorted")

DESCRIPTIONS = {
    "majority": "label = the most frequent token of the sequence",
    "first": "label = the first token of the sequence",
    "contains": "label = 1 if token 0 occurs in the sequence (exactly once), else 0",
    "sorted": "label = 1 if the sequence is non-decreasing, else 0",
}


def classes(task: str, vocab_size: int) -> list[str]:
    """Class names of ``task``."""
    if task == "contains":
        return ["no 0", "has a 0"]
    if task == "sorted":
        return ["unsorted", "sorted"]
    return [f"token {t}" for t in range(vocab_size)]


def _majority(n, seq_len, vocab, rng):
    x = np.empty((0, seq_len), dtype=np.int64)
    while len(x) < n:
        draw = rng.integers(0, vocab, size=(2 * n, seq_len))
        counts = np.stack([(draw == t).sum(1) for t in range(vocab)], axis=1)
        top = np.sort(counts, axis=1)
        x = np.concatenate([x, draw[top[:, -1] > top[:, -2]]])
    x = x[:n]
    counts = np.stack([(x == t).sum(1) for t in range(vocab)], axis=1)
    return x, counts.argmax(1)


def _first(n, seq_len, vocab, rng):
    x = rng.integers(0, vocab, size=(n, seq_len))
    return x, x[:, 0].copy()


def _contains(n, seq_len, vocab, rng):
    x = rng.integers(1, vocab, size=(n, seq_len))
    y = (np.arange(n) % 2).astype(np.int64)
    x[y == 1, rng.integers(0, seq_len, size=int(y.sum()))] = 0
    return x, y


def _sorted(n, seq_len, vocab, rng):
    x = rng.integers(0, vocab, size=(n, seq_len))
    y = (np.arange(n) % 2).astype(np.int64)
    x[y == 1] = np.sort(x[y == 1], axis=1)
    unsorted = x[y == 0]
    while True:  # re-draw the "unsorted" rows that happen to be sorted
        bad = np.all(np.diff(unsorted, axis=1) >= 0, axis=1)
        if not bad.any():
            break
        unsorted[bad] = rng.integers(0, vocab, size=(int(bad.sum()), seq_len))
    x[y == 0] = unsorted
    return x, y


_MAKERS = {"majority": _majority, "first": _first, "contains": _contains, "sorted": _sorted}


def make(*, task: str = "majority", n: int = 2000, seq_len: int = 8, vocab_size: int = 4,
         seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Generate ``(x (n, seq_len) int64 tokens, y (n,) int64)`` for ``task``.

    Parameters
    ----------
    task : {"majority", "first", "contains", "sorted"}
    n : int
        Number of sequences (at least 10).
    seq_len : int
        Tokens per sequence (at least 2).
    vocab_size : int
        Number of distinct tokens (at least 2; ``contains`` needs 3 and ``sorted`` needs a
        ``vocab_size ** seq_len`` large enough to find unsorted sequences).
    seed : int
        Seed of the random generator.
    """
    if task not in TASKS:
        raise ValueError(f"task must be one of {TASKS}, got {task!r}")
    for key, value, low in (("n", n, 10), ("seq_len", seq_len, 2), ("vocab_size", vocab_size, 2)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ValueError(f"{key} must be an integer >= {low}, got {value!r}")
    if task == "contains" and vocab_size < 3:
        raise ValueError(f"vocab_size must be >= 3 for task='contains', got {vocab_size}")
    x, y = _MAKERS[task](n, seq_len, vocab_size, np.random.default_rng(seed))
    return x.astype(np.int64), y.astype(np.int64)
