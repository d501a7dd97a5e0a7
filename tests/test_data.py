"""vizdl.data: generated datasets, splits, and loaders on tiny files in the real formats."""
import gzip
import json
import os
import pickle
import struct

import numpy as np
import pytest
import torch

from vizdl import data
from vizdl.data import cifar

SYNTHETIC = ["xor", "circles", "moons", "spiral", "gauss"]


# -- generated datasets ------------------------------------------------------------------------
@pytest.mark.parametrize("name", SYNTHETIC)
def test_synthetic_shapes_balance_range_and_determinism(name):
    ds = data.load(name, n=200, noise=0.05, seed=3)
    assert ds.input_shape == (2,) and ds.num_classes == 2 and ds.vocab_size is None
    x = torch.cat([ds.x_train, ds.x_val, ds.x_test])
    y = torch.cat([ds.y_train, ds.y_val, ds.y_test])
    assert x.dtype == torch.float32 and y.dtype == torch.int64 and x.shape == (200, 2)
    assert y.bincount().tolist() == [100, 100]
    assert x.abs().max() < 1.0 + 5 * 0.05 + (0.25 * 5 if name == "gauss" else 0)
    again = data.load(name, n=200, noise=0.05, seed=3)
    assert torch.equal(again.x_train, ds.x_train) and torch.equal(again.y_test, ds.y_test)
    assert not torch.equal(data.load(name, n=200, noise=0.05, seed=4).x_train, ds.x_train)


def test_synthetic_labels_follow_their_rule_without_noise():
    ds = data.load("xor", noise=0.0)
    x, y = ds.split("train")
    assert torch.equal((x[:, 0] * x[:, 1] > 0).long(), y)
    ds = data.load("circles", noise=0.0)
    r = ds.x_train.norm(dim=1)
    assert (r[ds.y_train == 1] <= 0.5).all() and (r[ds.y_train == 0] >= 0.7).all()


def test_digits_split_is_stratified_and_seeded():
    ds = data.load("digits")
    assert ds.input_shape == (1, 8, 8) and ds.classes == [str(d) for d in range(10)]
    assert len(ds.x_train) + len(ds.x_val) + len(ds.x_test) == 1797
    assert 0.0 <= ds.x_train.min() and ds.x_train.max() == 1.0
    for split, fraction in (("val", 0.1), ("test", 0.2)):
        counts = ds.split(split)[1].bincount(minlength=10).float()
        totals = torch.cat([ds.y_train, ds.y_val, ds.y_test]).bincount().float()
        assert torch.allclose(counts / totals, torch.full((10,), fraction), atol=0.01)
    other = data.load("digits", seed=1)
    assert not torch.equal(other.y_train, ds.y_train)
    assert torch.equal(data.load("digits").x_val, ds.x_val)


@pytest.mark.parametrize("task", ["majority", "first", "contains", "sorted"])
def test_sequence_labels_follow_the_task(task):
    ds = data.load("sequences", task=task, n=300, seq_len=6, vocab_size=5)
    x, y = torch.cat([ds.x_train, ds.x_test]), torch.cat([ds.y_train, ds.y_test])
    assert x.dtype == torch.int64 and ds.input_shape == (6,) and ds.vocab_size == 5
    assert 0 <= x.min() and x.max() < 5
    if task == "majority":
        counts = torch.stack([(x == t).sum(1) for t in range(5)], 1)
        top = counts.sort(1).values
        assert (top[:, -1] > top[:, -2]).all() and torch.equal(counts.argmax(1), y)
    elif task == "first":
        assert torch.equal(x[:, 0], y)
    elif task == "contains":
        assert torch.equal((x == 0).sum(1), y)
    else:
        assert torch.equal((x.diff(dim=1) >= 0).all(1).long(), y)
    assert ds.num_classes == (5 if task in ("majority", "first") else 2)


def test_params_rebuild_the_same_dataset_and_are_json():
    for name, kw in (("moons", {"n": 100}), ("sequences", {"task": "first"}), ("digits", {})):
        ds = data.load(name, seed=2, val_fraction=0.2, **kw)
        again = data.load(ds.name, **json.loads(json.dumps(ds.params)))
        assert torch.equal(again.x_train, ds.x_train) and torch.equal(again.y_val, ds.y_val)


def test_repr_split_and_bad_input():
    ds = data.load("gauss")
    assert repr(ds) == "Dataset('gauss', train=280, val=40, test=80, input_shape=(2,), classes=2)"
    with pytest.raises(ValueError, match="split name"):
        ds.split("training")
    with pytest.raises(KeyError, match="digits.*mnist.*cifar10"):
        data.load("imagenet")
    with pytest.raises(ValueError, match="unknown parameter.*bogus.*allowed.*noise"):
        data.load("xor", bogus=1)
    with pytest.raises(ValueError, match="val_fraction"):
        data.load("xor", val_fraction=1.5)
    with pytest.raises(ValueError, match="val_fraction \\+ test_fraction"):
        data.load("xor", val_fraction=0.5, test_fraction=0.5)
    with pytest.raises(ValueError, match="task must be one of"):
        data.load("sequences", task="reverse")
    with pytest.raises(ValueError, match="n must be"):
        data.load("spiral", n=3)
    assert data.available()[:6] == [*SYNTHETIC, "digits"]


# -- MNIST IDX files -----------------------------------------------------------------------
def _idx_bytes(array: np.ndarray) -> bytes:
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(np.uint8).tobytes()


def _write_idx(folder, images, labels, test_images, test_labels, gz):
    folder.mkdir(parents=True, exist_ok=True)
    for name, array in (("train-images-idx3-ubyte", images), ("train-labels-idx1-ubyte", labels),
                        ("t10k-images-idx3-ubyte", test_images), ("t10k-labels-idx1-ubyte", test_labels)):
        payload = _idx_bytes(array)
        if gz:
            (folder / (name + ".gz")).write_bytes(gzip.compress(payload))
        else:
            (folder / name).write_bytes(payload)


@pytest.mark.parametrize("gz, sub", [(False, "mnist"), (True, "MNIST/raw"), (True, "")])
def test_mnist_idx_files_are_read(tmp_path, gz, sub):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(40, 28, 28), dtype=np.uint8)
    labels = np.arange(40, dtype=np.uint8) % 10
    test_images, test_labels = images[:10], labels[:10]
    _write_idx(tmp_path / sub, images, labels, test_images, test_labels, gz)
    ds = data.load("mnist", root=tmp_path, val_fraction=0.25)
    assert ds.input_shape == (1, 28, 28) and ds.num_classes == 10
    assert len(ds.x_train) == 30 and len(ds.x_val) == 10 and len(ds.x_test) == 10
    torch.testing.assert_close(ds.x_test, torch.from_numpy(test_images[:, None] / 255.0).float())
    assert torch.equal(ds.y_test, torch.from_numpy(test_labels.astype(np.int64)))
    # every training image keeps its own label through the shuffle
    flat = {img.tobytes(): int(lab) for img, lab in zip(images, labels)}
    for x, y in zip(ds.x_train, ds.y_train):
        assert flat[(x[0].numpy() * 255).round().astype(np.uint8).tobytes()] == y
    limited = data.load("mnist", root=tmp_path, limit=20, val_fraction=0.0)
    assert len(limited.x_train) == 20 and len(limited.x_test) == 10
    assert limited.params["limit"] == 20 and limited.params["root"] == str(tmp_path)


def test_fashion_mnist_uses_environment_folder(tmp_path, monkeypatch):
    images = np.zeros((10, 28, 28), dtype=np.uint8)
    labels = np.arange(10, dtype=np.uint8)
    _write_idx(tmp_path / "FashionMNIST" / "raw", images, labels, images, labels, gz=True)
    monkeypatch.setenv("VIZDL_DATA", str(tmp_path))
    ds = data.load("fashion_mnist", val_fraction=0.0)
    assert ds.classes[9] == "Ankle boot" and len(ds.x_train) == 10


def test_missing_files_say_what_to_put_where(tmp_path, monkeypatch):
    monkeypatch.delenv("VIZDL_DATA", raising=False)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError, match="(?s)train-images-idx3-ubyte.*data/mnist.*VIZDL_DATA"):
        data.load("mnist")
    with pytest.raises(FileNotFoundError, match="data_batch_1.*test_batch"):
        data.load("cifar10", root=tmp_path)


def test_corrupt_idx_file_is_refused(tmp_path):
    folder = tmp_path / "mnist"
    images = np.zeros((4, 28, 28), dtype=np.uint8)
    _write_idx(folder, images, np.zeros(4, np.uint8), images, np.zeros(4, np.uint8), gz=False)
    raw = (folder / "train-images-idx3-ubyte").read_bytes()
    (folder / "train-images-idx3-ubyte").write_bytes(raw[:-5])
    with pytest.raises(ValueError, match="truncated"):
        data.load("mnist", root=tmp_path)
    (folder / "train-images-idx3-ubyte").write_bytes(b"GIF89a" + raw)
    with pytest.raises(ValueError, match="not an IDX file"):
        data.load("mnist", root=tmp_path)


# -- CIFAR-10 python batches -----------------------------------------------------------------
def _write_cifar(folder, per_batch=4):
    folder.mkdir(parents=True)
    rng = np.random.default_rng(1)
    everything = {}
    for i, name in enumerate([f"data_batch_{k}" for k in range(1, 6)] + ["test_batch"]):
        x = rng.integers(0, 256, size=(per_batch, 3072), dtype=np.uint8)
        y = [(i + k) % 10 for k in range(per_batch)]
        batch = {b"batch_label": f"batch {i}".encode(), b"labels": y, b"data": x,
                 b"filenames": [f"img{k}.png".encode() for k in range(per_batch)]}
        (folder / name).write_bytes(pickle.dumps(batch, protocol=2))
        everything[name] = (x, y)
    return everything


def test_cifar_batches_are_read(tmp_path):
    batches = _write_cifar(tmp_path / "cifar-10-batches-py")
    ds = data.load("cifar10", root=tmp_path, val_fraction=0.0)
    assert ds.input_shape == (3, 32, 32) and ds.classes[0] == "airplane"
    assert len(ds.x_train) == 20 and len(ds.x_test) == 4
    x, y = batches["test_batch"]
    torch.testing.assert_close(ds.x_test, torch.from_numpy(x.reshape(-1, 3, 32, 32) / 255.0).float())
    assert ds.y_test.tolist() == y
    limited = data.load("cifar10", root=tmp_path, limit=6, val_fraction=0.0)
    assert len(limited.x_train) == 6 and len(limited.x_test) == 4


class _Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned > /dev/null",))


def test_malicious_cifar_pickle_is_refused(tmp_path):
    _write_cifar(tmp_path / "cifar-10-batches-py")
    target = tmp_path / "cifar-10-batches-py" / "data_batch_3"
    target.write_bytes(pickle.dumps({b"data": _Evil(), b"labels": []}, protocol=2))
    with pytest.raises(data.UnsafePickleError, match="refusing the global .*system"):
        data.load("cifar10", root=tmp_path)
    for payload in (pickle.dumps(eval, protocol=2), pickle.dumps(pickle.loads, protocol=4)):
        target.write_bytes(payload)
        with pytest.raises(ValueError, match="refusing the global"):
            cifar.read_batch(target)


def test_numpy_array_pickle_round_trips_through_the_safe_unpickler(tmp_path):
    array = np.arange(12, dtype=np.uint8).reshape(3, 4)
    path = tmp_path / "batch"
    path.write_bytes(pickle.dumps({b"data": np.zeros((2, 3072), np.uint8), b"labels": [1, 2],
                                   b"extra": array}, protocol=2))
    x, y = cifar.read_batch(path)
    assert x.shape == (2, 3072) and y.tolist() == [1, 2]
