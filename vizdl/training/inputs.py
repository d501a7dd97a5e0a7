"""The data ``vizdl.train`` accepts, in every form users have, as one :class:`TrainingData`.

``data`` (and ``val=``) may be a :class:`vizdl.data.Dataset` or its name, a pair
``(x, y)`` of NumPy arrays or tensors, a ``torch.utils.data.TensorDataset`` or a
``DataLoader`` (iterated as it is: its batch size, sampler and shuffling). Tensors are
batched and shuffled by the loop with its seeded generator. Floating inputs are cast to
the model's floating dtype; labels become int64.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import torch
from torch.utils.data import DataLoader, TensorDataset

FORMS = "a vizdl Dataset or its name, an (x, y) pair of arrays/tensors, a TensorDataset or a DataLoader"


@dataclass
class Split:
    """One split: tensors ``x``, ``y`` or a ``loader`` yielding ``(x, y)`` batches."""

    x: torch.Tensor | None = None
    y: torch.Tensor | None = None
    loader: DataLoader | None = None

    def __len__(self) -> int:
        return len(self.x) if self.x is not None else len(self.loader.dataset)

    def first(self, count: int) -> tuple:
        """The first ``count`` samples ``(x, y)`` (from the first batches of a loader)."""
        if self.x is not None:
            return self.x[:count], self.y[:count]
        xs, ys = [], []
        for x, y in self.loader:
            xs.append(torch.as_tensor(x))
            ys.append(torch.as_tensor(y))
            if sum(len(b) for b in xs) >= count:
                break
        return torch.cat(xs)[:count], torch.cat(ys)[:count]

    def batches(self, batch_size: int):
        """``(x, y)`` batches in order (no shuffling)."""
        if self.loader is not None:
            yield from ((torch.as_tensor(x), torch.as_tensor(y)) for x, y in self.loader)
            return
        for start in range(0, len(self.x), batch_size):
            yield self.x[start:start + batch_size], self.y[start:start + batch_size]


@dataclass
class TrainingData:
    """Train, validation and test splits plus what ``run.json`` says about them."""

    train: Split
    val: Split | None = None
    test: Split | None = None
    name: str | None = None
    meta: dict = field(default_factory=dict)

    @property
    def input_shape(self) -> tuple:
        """Shape of one sample."""
        return tuple(self.train.first(1)[0].shape[1:])

    def steps_per_epoch(self, batch_size: int, shards: int = 1) -> int:
        """Optimisation steps per epoch (per process when the data is sharded over ``shards``)."""
        if self.train.loader is not None:
            return len(self.train.loader)
        return math.ceil((len(self.train) // shards if shards > 1 else len(self.train)) / batch_size)

    def probe(self, count: int) -> tuple:
        """The probe batch: the first ``count`` validation samples, else training samples."""
        return (self.val or self.train).first(count)


def as_training_data(data, val=None, *, dtype: torch.dtype | None = None) -> TrainingData:
    """``data`` (and ``val``) in any accepted form (see the module docstring) as :class:`TrainingData`."""
    if isinstance(data, str):
        from vizdl.data import load

        data = load(data)
    if _is_vizdl_dataset(data):
        return _from_dataset(data, val, dtype)
    train = as_split(data, "data", dtype)
    splits = TrainingData(train, as_split(val, "val", dtype) if val is not None else None)
    splits.meta = {"name": None, "input_shape": list(splits.input_shape),
                   "sizes": {"train": len(train), "val": len(splits.val) if splits.val else 0, "test": 0},
                   "source": type(data).__name__}
    return splits


def as_split(data, parameter: str, dtype=None) -> Split:
    """One split from ``(x, y)``, a ``TensorDataset`` or a ``DataLoader``; ValueError otherwise."""
    if isinstance(data, DataLoader):
        return Split(loader=data)
    if isinstance(data, TensorDataset):
        data = data.tensors
    if isinstance(data, (tuple, list)) and len(data) == 2:
        x, y = (_tensor(v) for v in data)
        if len(x) != len(y):
            raise ValueError(f"{parameter}: x has {len(x)} samples but y has {len(y)}")
        return Split(_cast(x, dtype), y.long() if not y.is_floating_point() else y)
    if _is_vizdl_dataset(data):
        return Split(_cast(data.x_val, dtype), data.y_val)
    raise ValueError(f"{parameter} must be {FORMS}; got {type(data).__name__}")


def cast_inputs(x: torch.Tensor, dtype: torch.dtype | None) -> torch.Tensor:
    """``x`` in the model's floating ``dtype`` (integer inputs such as token ids stay integer)."""
    return _cast(x, dtype)


def _from_dataset(data, val, dtype) -> TrainingData:
    missing = [a for a in ("x_train", "y_train", "x_val", "y_val", "x_test", "y_test") if not hasattr(data, a)]
    if missing:
        raise ValueError(f"data must be {FORMS}; it lacks {', '.join(missing)}")
    valid = as_split(val, "val", dtype) if val is not None else Split(_cast(data.x_val, dtype), data.y_val)
    return TrainingData(Split(_cast(data.x_train, dtype), data.y_train), valid,
                        Split(_cast(data.x_test, dtype), data.y_test), getattr(data, "name", None),
                        _dataset_meta(data))


def _is_vizdl_dataset(data) -> bool:
    return all(hasattr(data, a) for a in ("x_train", "y_train", "x_val", "y_val"))


def _tensor(value) -> torch.Tensor:
    return value.detach() if torch.is_tensor(value) else torch.as_tensor(np.asarray(value))


def _cast(x, dtype):
    if dtype is not None and torch.is_tensor(x) and x.is_floating_point() and x.dtype != dtype:
        return x.to(dtype)
    return x


def _dataset_meta(data) -> dict:
    return {"name": getattr(data, "name", None), "params": getattr(data, "params", {}),
            "input_shape": list(getattr(data, "input_shape", data.x_train.shape[1:])),
            "classes": list(getattr(data, "classes", [])),
            "sizes": {"train": len(data.x_train), "val": len(data.x_val), "test": len(data.x_test)}}


__all__ = ["FORMS", "Split", "TrainingData", "as_split", "as_training_data", "cast_inputs"]
