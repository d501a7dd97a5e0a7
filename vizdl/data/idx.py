"""MNIST and Fashion-MNIST from their IDX files (plain or gzip), read with NumPy."""
from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np

from vizdl.data.files import find_folder

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

_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def spellings(name: str) -> list[str]:
    """Accepted file names: ``train-images-idx3-ubyte``, ``.gz`` and the ``.idx3`` variant."""
    dotted = name.replace("-idx", ".idx")
    return [name, name + ".gz", dotted, dotted + ".gz"]


def read_idx(path: Path, limit: int | None = None) -> np.ndarray:
    """Read an IDX file (``.gz`` is decompressed) into an array, first ``limit`` items only."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as handle:
        raw = handle.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _DTYPES:
        raise ValueError(f"{path} is not an IDX file (bad magic number {raw[:4]!r})")
    ndim = raw[3]
    shape = struct.unpack(f">{ndim}I", raw[4:4 + 4 * ndim])
    dtype = np.dtype(_DTYPES[raw[2]])
    count = int(np.prod(shape)) if shape else 1
    body = raw[4 + 4 * ndim:]
    if len(body) != count * dtype.itemsize:
        raise ValueError(f"{path} is truncated or corrupt: header says shape {shape} "
                         f"({count * dtype.itemsize} bytes) but the file holds {len(body)} bytes")
    data = np.frombuffer(body, dtype=dtype).reshape(shape)
    return data[:limit] if limit is not None else data


def load_arrays(name: str, root=None, limit: int | None = None) -> tuple[np.ndarray, ...]:
    """Return ``x_train, y_train, x_test, y_test`` (x float32 ``(N, 1, H, W)`` in [0, 1])."""
    required = [f for pair in FILES.values() for f in pair]
    folder = find_folder(root, FOLDERS[name], required, spellings,
                         what=f"{name} (plain or .gz IDX)")
    out = []
    for images, labels in FILES.values():
        x = read_idx(_first_existing(folder, images), limit)
        y = read_idx(_first_existing(folder, labels), limit)
        if x.ndim != 3 or y.ndim != 1 or len(x) != len(y):
            raise ValueError(f"{folder}: {images} has shape {x.shape} and {labels} {y.shape}; "
                             "expected (N, H, W) images and N labels")
        out += [(x.astype(np.float32) / 255.0)[:, None], y.astype(np.int64)]
    return tuple(out)


def _first_existing(folder: Path, name: str) -> Path:
    return next(folder / alt for alt in spellings(name) if (folder / alt).is_file())
