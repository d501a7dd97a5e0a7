"""CIFAR-10 from its "python version" batches, read without unpickling.

The official ``cifar-10-batches-py`` files are pickles. vizdl never unpickles them:
:func:`vizdl.data.cifar_pickle.parse_batch` interprets only the pickle opcodes such a
batch uses and builds the pixel array from the file's raw bytes as ``uint8`` (its size
checked against the declared shape), so a tampered file cannot run code, crash the
interpreter or allocate more memory than its own size. Labels outside 0..9 are refused.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from vizdl.data.cifar_pickle import UnsafePickleError, parse_batch
from vizdl.data.dataset import check_labels
from vizdl.data.files import find_folder, read_regular

CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
DESCRIPTION = "CIFAR-10: 32x32 colour images (3x32x32, scaled to [0, 1]) of 10 object classes."
TRAIN_FILES = [f"data_batch_{i}" for i in range(1, 6)]
TEST_FILE = "test_batch"
FOLDERS = ["cifar-10-batches-py", "", "cifar10/cifar-10-batches-py", "CIFAR10/cifar-10-batches-py",
           "cifar-10/cifar-10-batches-py", "cifar10"]
IMAGE_BYTES = 3 * 32 * 32
MAX_BATCH_BYTES = 256 * 2**20   # an official batch is 31 MB (62 MB when re-pickled by Python 3)

__all__ = ["CLASSES", "UnsafePickleError", "load_arrays", "read_batch"]


def read_batch(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Read one batch: ``(data (N, 3072) uint8, labels (N,) int64)``.

    Raises
    ------
    UnsafePickleError
        When the file asks for anything a CIFAR batch does not need (a global, a call).
    ValueError
        When the file is not a regular file of at most 256 MB, is truncated or malformed,
        or its data, labels or their lengths are not those of a CIFAR-10 batch.
    """
    path = Path(path)
    batch = parse_batch(read_regular(path, MAX_BATCH_BYTES, "CIFAR-10 batch"), str(path),
                        max_items=MAX_BATCH_BYTES)
    entries = _entries(batch, path)
    data, labels = _data(entries["data"], path), _labels(entries["labels"], path)
    if len(data) != len(labels):
        raise ValueError(f"{path}: {len(data)} images but {len(labels)} labels")
    return data, labels


def _entries(batch, path: Path) -> dict:
    """The batch's dict with text keys; ``data`` and ``labels`` required."""
    if not isinstance(batch, dict):
        raise ValueError(f"{path} is not a CIFAR-10 batch: expected a dict with 'data' and 'labels', "
                         f"got a {type(batch).__name__}")
    entries = {k.decode("latin1") if isinstance(k, bytes) else str(k): v for k, v in batch.items()}
    missing = [key for key in ("data", "labels") if key not in entries]
    if missing:
        raise ValueError(f"{path} is not a CIFAR-10 batch: no {' or '.join(map(repr, missing))} in its "
                         f"keys {sorted(entries)[:8]}")
    return entries


def _data(data, path: Path) -> np.ndarray:
    if not isinstance(data, np.ndarray) or data.dtype != np.uint8 or data.ndim != 2 \
            or data.shape[1] != IMAGE_BYTES:
        kind = f"array {data.dtype} {data.shape}" if isinstance(data, np.ndarray) else type(data).__name__
        raise ValueError(f"{path}: 'data' must be a uint8 array of shape (N, {IMAGE_BYTES}), got {kind}")
    return data


def _labels(labels, path: Path) -> np.ndarray:
    if isinstance(labels, list) and all(type(v) is int for v in labels):
        labels = np.array(labels, dtype=object)   # Python ints of any size, checked before int64
    elif not isinstance(labels, np.ndarray):
        raise ValueError(f"{path}: 'labels' must be a list of integers or a 1-D integer array, "
                         f"got {type(labels).__name__}")
    return check_labels(labels, len(CLASSES), str(path))


def _read(folder: Path, files: list[str], limit: int | None) -> tuple[np.ndarray, np.ndarray]:
    xs, ys = [], []
    for name in files:
        if limit is not None and sum(map(len, ys)) >= limit:
            break
        x, y = read_batch(folder / name)
        xs.append(x), ys.append(y)
    x, y = np.concatenate(xs)[:limit], np.concatenate(ys)[:limit]
    return (x.reshape(-1, 3, 32, 32).astype(np.float32) / 255.0), y


def load_arrays(root=None, limit: int | None = None) -> tuple[np.ndarray, ...]:
    """Return ``x_train, y_train, x_test, y_test`` (x float32 ``(N, 3, 32, 32)`` in [0, 1])."""
    folder = find_folder(root, FOLDERS, TRAIN_FILES + [TEST_FILE], what="CIFAR-10 python-version")
    return (*_read(folder, TRAIN_FILES, limit), *_read(folder, [TEST_FILE], limit))
