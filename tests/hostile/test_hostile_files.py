"""Hostile dataset files: forged CIFAR pickles, memory bombs, oversized IDX/gzip, bad labels.

The forged and bomb files are generated here (:mod:`hostile_forge`); those that crashed or
exhausted memory before the hardening run in a limited worker process (``isolated``).
"""
import gzip
import pickle
import tracemalloc

import hostile_forge as forge
import numpy as np
import pytest
from conftest import check, params, run_here
from hostile_cases import FILE_CASES

from vizdl.data import cifar, idx
from vizdl.data.cifar_pickle import UnsafePickleError, parse_batch


@pytest.mark.parametrize("case", params(c for c in FILE_CASES if not c.isolated))
def test_bad_file_gives_a_clear_error(case, tmp_path):
    check(case, run_here(case, tmp_path))


@pytest.mark.parametrize("case", params(c for c in FILE_CASES if c.isolated))
def test_bomb_or_forgery_gives_a_clear_error_without_crashing(case, isolated):
    check(case, isolated(case))


def test_python2_batch_reads_like_the_trusted_unpickler(tmp_path):
    images = np.random.default_rng(0).integers(0, 256, size=(5, 3072), dtype=np.uint8)
    raw = forge.cifar_batch(images, [3, 1, 4, 1, 5])
    trusted = pickle.loads(raw, encoding="bytes")    # we built these bytes ourselves
    parsed = parse_batch(raw, "batch")
    assert sorted(parsed) == sorted(trusted)
    np.testing.assert_array_equal(parsed[b"data"], trusted[b"data"])
    assert parsed[b"labels"] == trusted[b"labels"] and parsed[b"filenames"] == trusted[b"filenames"]
    path = tmp_path / "data_batch_1"
    path.write_bytes(raw)
    x, y = cifar.read_batch(path)
    np.testing.assert_array_equal(x, images)
    assert y.dtype == np.int64 and y.tolist() == [3, 1, 4, 1, 5]


@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
def test_batches_repickled_by_python3_still_read(tmp_path, protocol):
    images = np.random.default_rng(protocol).integers(0, 256, size=(3, 3072), dtype=np.uint8)
    batch = {b"batch_label": b"x", b"labels": [0, 9, 4], b"data": images, b"filenames": [b"a", b""],
             b"coarse": np.array([1, 2, 3], dtype=np.int64)}
    path = tmp_path / "data_batch_1"
    path.write_bytes(pickle.dumps(batch, protocol=protocol))
    x, y = cifar.read_batch(path)
    np.testing.assert_array_equal(x, images)
    assert y.tolist() == [0, 9, 4]


def test_integer_label_arrays_and_fortran_order_are_read(tmp_path):
    images = np.asfortranarray(np.arange(2 * 3072, dtype=np.int64).reshape(2, 3072) % 256).astype(np.uint8)
    path = tmp_path / "b"
    path.write_bytes(pickle.dumps({"data": images, "labels": np.array([7, 2], np.int32)}, protocol=2))
    x, y = cifar.read_batch(path)
    np.testing.assert_array_equal(x, images)
    assert y.tolist() == [7, 2]


@pytest.mark.parametrize("make", [forge.memo_bomb, forge.deep_nesting, forge.cifar_object_dtype_forgery,
                                  forge.list_of_bytes_bomb, forge.bytes_bomb])
def test_parsing_a_bomb_costs_little_memory(make):
    raw = make()
    tracemalloc.start()
    with pytest.raises(ValueError):
        _check(raw)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 50 * 2**20, f"parsing {len(raw)} bytes peaked at {peak / 2**20:.0f} MiB"


def _check(raw: bytes):
    """The checks read_batch applies after parsing (parse, then the dict's entries)."""
    batch = parse_batch(raw, "bomb")
    entries = cifar._entries(batch, "bomb")
    cifar._data(entries["data"], "bomb")


def test_refused_globals_are_named_and_nothing_is_called(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr("os.system", lambda *a: calls.append(a))
    path = tmp_path / "data_batch_1"
    payload = forge.global_("posix", "system") + forge.py2_str(b"touch pwned") + forge.TUPLE1 + forge.REDUCE
    path.write_bytes(forge.cifar_dict(payload))
    with pytest.raises(UnsafePickleError, match=r"data_batch_1: refusing the global posix\.system"):
        cifar.read_batch(path)
    assert calls == [] and not (tmp_path / "pwned").exists()


def test_gzip_is_decompressed_only_up_to_the_declared_size(tmp_path, monkeypatch):
    images = np.zeros((10, 28, 28), np.uint8)
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(forge.gzip_bomb(forge.idx_header(images.shape) + images.tobytes(), inflated=2**26))
    read = []
    original = gzip.GzipFile.read
    monkeypatch.setattr(gzip.GzipFile, "read", lambda self, size=-1: read.append(size) or original(self, size))
    with pytest.raises(ValueError, match="more data than its header declares"):
        idx.read_idx(path)
    assert -1 not in read and sum(read) <= 16 + images.size + 1


def test_idx_limit_reads_only_the_first_items(tmp_path):
    images = np.arange(50 * 4 * 4, dtype=np.int64).reshape(50, 4, 4).astype(np.uint8)
    path = tmp_path / "x.gz"
    path.write_bytes(gzip.compress(forge.idx_bytes(images)))
    np.testing.assert_array_equal(idx.read_idx(path, limit=3), images[:3])


def test_fifo_in_place_of_a_batch_is_not_opened(tmp_path):
    import os

    path = tmp_path / "data_batch_1"
    os.mkfifo(path)
    with pytest.raises(ValueError, match="not a regular file"):
        cifar.read_batch(path)
