"""The :class:`Dataset` container and the stratified train/val/test split."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

SPLITS = ("train", "val", "test")


@dataclass(repr=False)
class Dataset:
    """A classification dataset already split into train, validation and test tensors.

    Inputs ``x_*`` are float32 (int64 token ids for ``sequences``), labels ``y_*`` int64.
    ``input_shape`` is the shape of one sample, e.g. ``(2,)``, ``(1, 8, 8)`` or ``(seq_len,)``.
    ``params`` holds the JSON-serialisable load parameters, so that
    ``vizdl.data.load(ds.name, **ds.params)`` rebuilds the same dataset.
    """

    name: str
    x_train: torch.Tensor
    y_train: torch.Tensor
    x_val: torch.Tensor
    y_val: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    classes: list[str]
    description: str
    input_shape: tuple
    params: dict = field(default_factory=dict)
    vocab_size: int | None = None

    @property
    def num_classes(self) -> int:
        """Number of classes (``len(classes)``)."""
        return len(self.classes)

    def split(self, name: str) -> tuple[torch.Tensor, torch.Tensor]:
        """Return ``(x, y)`` of the split ``name`` ("train", "val" or "test")."""
        if name not in SPLITS:
            raise ValueError(f"split name must be one of {SPLITS}, got {name!r}")
        return getattr(self, f"x_{name}"), getattr(self, f"y_{name}")

    def __repr__(self) -> str:
        sizes = ", ".join(f"{s}={len(self.split(s)[1])}" for s in SPLITS)
        return (f"Dataset({self.name!r}, {sizes}, input_shape={tuple(self.input_shape)}, "
                f"classes={self.num_classes})")


def check_fractions(val_fraction: float, test_fraction: float) -> None:
    """Raise ``ValueError`` unless both fractions are in [0, 1) and sum to less than 1."""
    for key, value in (("val_fraction", val_fraction), ("test_fraction", test_fraction)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
            raise ValueError(f"{key} must be a number in [0, 1), got {value!r}")
    if val_fraction + test_fraction >= 1:
        raise ValueError(f"val_fraction + test_fraction must be < 1 to leave training samples, "
                         f"got {val_fraction} + {test_fraction}")


def check_labels(labels: np.ndarray, num_classes: int, where: str) -> np.ndarray:
    """``labels`` as int64 after checking each is a class index in ``[0, num_classes)``.

    ``labels`` is an integer array, or an object array of Python ints (checked before
    they are converted, so a huge value is reported, not wrapped around).

    Raises
    ------
    ValueError
        Naming ``where`` (the file), the first bad label, its index and how many are bad.
    """
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.dtype.kind not in "iuO" \
            or (labels.dtype.kind == "O" and not all(type(v) is int for v in labels)):
        raise ValueError(f"{where}: labels must be a 1-D array of integers, got {labels.dtype} {labels.shape}")
    bad = np.flatnonzero((labels < 0) | (labels >= num_classes))
    if bad.size:
        raise ValueError(f"{where}: labels must be class indices in [0, {num_classes - 1}], got "
                         f"{labels[bad[0]]} at index {bad[0]} ({bad.size} of {labels.size} out of range)")
    return labels.astype(np.int64)


def stratified_split(y: np.ndarray, fractions: tuple[float, ...], seed: int) -> list[np.ndarray]:
    """Split indices of ``y`` class by class: one index array per fraction, plus the rest first.

    Returns ``[rest, part_1, part_2, ...]``; every part holds ``round(fraction * count)``
    samples of each class, and each array is shuffled with ``seed``.
    """
    rng = np.random.default_rng(seed)
    parts: list[list[np.ndarray]] = [[] for _ in range(len(fractions) + 1)]
    for label in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == label))
        sizes = [int(round(f * len(idx))) for f in fractions]
        edges = np.cumsum([0, *sizes])
        for k in range(len(fractions)):
            parts[k + 1].append(idx[edges[k]:edges[k + 1]])
        parts[0].append(idx[edges[-1]:])
    return [rng.permutation(np.concatenate(p)).astype(np.int64) for p in parts]


def from_arrays(name: str, x: np.ndarray, y: np.ndarray, *, seed: int, val_fraction: float,
                test_fraction: float, **info) -> Dataset:
    """Build a :class:`Dataset` from one pool of samples with a stratified split."""
    check_fractions(val_fraction, test_fraction)
    train, val, test = stratified_split(y, (val_fraction, test_fraction), seed)
    tensors = {}
    for split, idx in zip(SPLITS, (train, val, test)):
        tensors[f"x_{split}"], tensors[f"y_{split}"] = _tensor(x[idx]), torch.from_numpy(y[idx].astype(np.int64))
    return Dataset(name=name, **tensors, **info)


def from_official_split(name: str, x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray,
                        y_test: np.ndarray, *, seed: int, val_fraction: float, **info) -> Dataset:
    """Build a :class:`Dataset` keeping the official test set; validation comes from train."""
    check_fractions(val_fraction, 0.0)
    train, val = stratified_split(y_train, (val_fraction,), seed)
    return Dataset(name=name, x_train=_tensor(x_train[train]), y_train=torch.from_numpy(y_train[train]),
                   x_val=_tensor(x_train[val]), y_val=torch.from_numpy(y_train[val]),
                   x_test=_tensor(x_test), y_test=torch.from_numpy(y_test), **info)


def _tensor(x: np.ndarray) -> torch.Tensor:
    x = np.ascontiguousarray(x)
    return torch.from_numpy(x.astype(np.int64 if x.dtype.kind in "iu" else np.float32, copy=False))
