"""CIFAR-10 from its "python version" batches, unpickled with a restricted unpickler.

The official ``cifar-10-batches-py`` files are pickles, and an ordinary ``pickle.load``
runs whatever code a tampered file asks for. vizdl therefore reads them with
:class:`SafeUnpickler`, which resolves only the globals a genuine batch needs: NumPy's
array reconstruction (``numpy.core.multiarray._reconstruct``, ``numpy.ndarray``,
``numpy.dtype``), ``_codecs.encode`` (how protocol-2 pickles written by Python 3 spell
``bytes``) and the plain builtins ``dict``, ``list``, ``bytes``, ``str``, ``int``. Any
other global (``os.system``, ``builtins.eval``...) raises :class:`UnsafePickleError`
before it can be called.
"""
from __future__ import annotations

import builtins
import codecs
import io
import pickle
from pathlib import Path

import numpy as np

from vizdl.data.files import find_folder

CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
DESCRIPTION = "CIFAR-10: 32x32 colour images (3x32x32, scaled to [0, 1]) of 10 object classes."
TRAIN_FILES = [f"data_batch_{i}" for i in range(1, 6)]
TEST_FILE = "test_batch"
FOLDERS = ["cifar-10-batches-py", "", "cifar10/cifar-10-batches-py", "CIFAR10/cifar-10-batches-py",
           "cifar-10/cifar-10-batches-py", "cifar10"]

_RECONSTRUCT = np.ndarray.__reduce__(np.zeros(1))[0]  # numpy's own _reconstruct, whatever its module
_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"): _RECONSTRUCT,
    ("numpy._core.multiarray", "_reconstruct"): _RECONSTRUCT,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
    ("_codecs", "encode"): codecs.encode,
    **{(module, name): getattr(builtins, name)
       for module in ("builtins", "__builtin__") for name in ("dict", "list", "bytes", "str", "int")},
}


class UnsafePickleError(pickle.UnpicklingError, ValueError):
    """A pickle asked for a global outside the CIFAR allow-list."""


class SafeUnpickler(pickle.Unpickler):
    """An unpickler that resolves only the globals of a genuine CIFAR batch."""

    def find_class(self, module: str, name: str):
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise UnsafePickleError(f"refusing to unpickle global {module}.{name}: a CIFAR batch only "
                                    "needs numpy arrays and builtin containers") from None


def read_batch(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Read one batch: ``(data (N, 3072) uint8, labels (N,) int64)``."""
    batch = SafeUnpickler(io.BytesIO(Path(path).read_bytes()), encoding="bytes").load()
    if not isinstance(batch, dict) or b"data" not in batch or b"labels" not in batch:
        keys = sorted(batch) if isinstance(batch, dict) else type(batch).__name__
        raise ValueError(f"{path} is not a CIFAR-10 batch: expected a dict with b'data' and "
                         f"b'labels', got {keys}")
    data, labels = np.asarray(batch[b"data"], dtype=np.uint8), np.asarray(batch[b"labels"], dtype=np.int64)
    if data.ndim != 2 or data.shape[1] != 3 * 32 * 32 or len(data) != len(labels):
        raise ValueError(f"{path}: data has shape {data.shape} and {len(labels)} labels; "
                         "expected (N, 3072) and N labels")
    return data, labels


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
