"""MNIST and Fashion-MNIST from their IDX files (plain or gzip), read with NumPy.

Sizes are bounded before reading: the header's declared size against the file (plain),
the decompressed stream read only up to the declared size (gzip), and at most
:data:`MAX_IDX_BYTES` per file. Labels outside the dataset's classes are refused.
"""
from __future__ import annotations

import gzip
import math
import os
import struct
import zlib
from pathlib import Path

import numpy as np

from vizdl.data.dataset import check_labels
from vizdl.data.files import find_folder, open_regular

FILES = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
         "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}

FOLDERS = {"mnist": ["", "mnist", "MNIST", "mnist/raw", "MNIST/raw"],
           "fashion_mnist": ["", "fashion_mnist", "fashion-mnist", "FashionMNIST",
                             "fashion_mnist/raw", "FashionMNIST/raw"]}

CLASSES = {"mnist": [str(d) for d in range(10)],
           "fashion_mnist": ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
                             "Shirt", "Sneaker", "Bag", "Ankle boot"]}

DESCRIPTIONS = {"mnist": "MNIST handwritten digits, 1x28x28 grey images scaled to [0, 1].",
                "fashion_mnist": "Fashion-MNIST clothing images, 1x28x28 grey images scaled to [0, 1]."}

MAX_IDX_BYTES = 2**30   # decompressed data of one file; MNIST's training images are 47 MB
MAX_DIMS = 4
_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def spellings(name: str) -> list[str]:
    """Accepted file names: ``train-images-idx3-ubyte``, ``.gz`` and the ``.idx3`` variant."""
    dotted = name.replace("-idx", ".idx")
    return [name, name + ".gz", dotted, dotted + ".gz"]


def read_idx(path: Path, limit: int | None = None, *, max_bytes: int = MAX_IDX_BYTES) -> np.ndarray:
    """Read an IDX file (``.gz`` is decompressed as a stream) into an array, first ``limit`` items only.

    The header's dimensions are checked before anything else is read: the data they
    declare must be at most ``max_bytes`` and, for a plain file, exactly what the file
    holds; a ``.gz`` is decompressed only up to the declared size (one byte more tells
    that it holds more), so a small file cannot inflate into gigabytes.

    Raises
    ------
    ValueError
        For a bad magic number, a header declaring more than ``max_bytes``, a truncated,
        oversized or corrupt file (plain or gzip), or a file that is not a regular file.
    """
    path = Path(path)
    gz = path.suffix == ".gz"
    with open_regular(path, MAX_IDX_BYTES if gz else None, "gzip-compressed IDX") as raw_handle:
        handle = gzip.GzipFile(fileobj=raw_handle) if gz else raw_handle
        try:
            return _read_idx(handle, path, limit, max_bytes, None if gz else os.fstat(raw_handle.fileno()).st_size)
        except (OSError, EOFError, zlib.error) as error:   # gzip's BadGzipFile is an OSError
            raise ValueError(f"{path} is not a readable gzip file: {error}") from None


def _read_idx(handle, path: Path, limit, max_bytes: int, file_size: int | None) -> np.ndarray:
    magic = _read_exact(handle, 4, path, "the magic number")
    if magic[0] != 0 or magic[1] != 0 or magic[2] not in _DTYPES or not 1 <= magic[3] <= MAX_DIMS:
        raise ValueError(f"{path} is not an IDX file (bad magic number {magic!r}: expected 00 00, a type "
                         f"code in {sorted(_DTYPES)} and 1 to {MAX_DIMS} dimensions)")
    shape = struct.unpack(f">{magic[3]}I", _read_exact(handle, 4 * magic[3], path, "the dimensions"))
    dtype = np.dtype(_DTYPES[magic[2]])
    item_bytes = math.prod(shape[1:]) * dtype.itemsize
    declared = shape[0] * item_bytes
    if declared > max_bytes:
        raise ValueError(f"{path}: the header declares shape {shape} ({declared:,} bytes), more than the "
                         f"{max_bytes:,} bytes vizdl reads from one IDX file (MNIST's largest holds 47 MB)")
    header = 4 + 4 * len(shape)
    if file_size is not None and file_size != header + declared:
        raise ValueError(f"{path} is truncated or corrupt: header says shape {shape} "
                         f"({declared} bytes) but the file holds {file_size - header} bytes")
    count = shape[0] if limit is None else min(limit, shape[0])
    body = _read_exact(handle, count * item_bytes, path, f"{count} items of shape {shape[1:]}")
    if count == shape[0] and handle.read(1):
        raise ValueError(f"{path} holds more data than its header declares (shape {shape}, {declared} bytes)")
    return np.frombuffer(body, dtype=dtype).reshape((count, *shape[1:]))


def _read_exact(handle, size: int, path: Path, what: str) -> bytes:
    data = handle.read(size)
    if len(data) != size:
        raise ValueError(f"{path} is truncated or corrupt: it ends before {what} ({len(data)} of {size} bytes)")
    return data


def load_arrays(name: str, root=None, limit: int | None = None) -> tuple[np.ndarray, ...]:
    """Return ``x_train, y_train, x_test, y_test`` (x float32 ``(N, 1, H, W)`` in [0, 1])."""
    required = [f for pair in FILES.values() for f in pair]
    folder = find_folder(root, FOLDERS[name], required, spellings,
                         what=f"{name} (plain or .gz IDX)")
    out = []
    for images, labels in FILES.values():
        x_path, y_path = _first_existing(folder, images), _first_existing(folder, labels)
        x, y = read_idx(x_path, limit), read_idx(y_path, limit)
        if x.ndim != 3 or y.ndim != 1 or len(x) != len(y):
            raise ValueError(f"{folder}: {images} has shape {x.shape} and {labels} {y.shape}; "
                             "expected (N, H, W) images and N labels")
        if x.dtype != np.uint8:
            raise ValueError(f"{x_path}: images must be unsigned bytes (IDX type 0x08), got {x.dtype}")
        out += [(x.astype(np.float32) / 255.0)[:, None], check_labels(y, len(CLASSES[name]), str(y_path))]
    return tuple(out)


def _first_existing(folder: Path, name: str) -> Path:
    return next(folder / alt for alt in spellings(name) if (folder / alt).is_file())
