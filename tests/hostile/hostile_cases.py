"""The table of hostile inputs: forged files, bombs, bad options, bad command lines, lost outputs.

Each :class:`Case` does one thing in a fresh temporary folder and says what a good
answer is:

- ``error``: raise one of ``errors`` whose message matches ``expect`` (it names the file
  or the option);
- ``cli``: ``vizdl ARGV`` exits non-zero with the error on stderr (matching ``expect``)
  and no traceback;
- ``keep``: finish with the user's model, state and files as they were (the action
  raises ``AssertionError`` when something changed or was lost).

:func:`execute` runs a case in-process and classifies the outcome as ``clear`` (the
good answer), ``unclear`` (another exception, a message that does not name the subject,
or a traceback), ``silent`` (accepted, or something changed without a word) or ``crash``
(a ``MemoryError``; ``count.py`` also counts a killed or timed-out worker as a crash).
Only APIs that existed before the hardening are called, so ``count.py`` can count the
same table on an older checkout. ``isolated`` cases can segfault, exhaust memory or hang
on a vulnerable version: run them through ``count.py``'s worker, never in the test process.
"""
from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import hostile_forge as forge
import numpy as np

HERE = Path(__file__).resolve().parent
# cases fixed by the run reader (vizdl/runs: RunFormatError naming the file)
RUN_READER = "run-reader"


@dataclass(frozen=True)
class Case:
    group: str
    name: str
    action: Callable
    kind: str = "error"            # "error", "cli" or "keep"
    expect: str = ""               # regex the error (or stderr) must match
    errors: tuple = (ValueError,)
    isolated: bool = False
    tags: tuple = field(default=())

    @property
    def id(self) -> str:
        return f"{self.group}/{self.name}"


@dataclass
class Outcome:
    status: str                    # clear, unclear, silent, crash
    detail: str = ""
    code: int | None = None        # exit status of a cli case


# -- helpers shared by the cases --------------------------------------------------------------
_CACHE: dict = {}


def tiny_data():
    import vizdl

    if "xor" not in _CACHE:
        _CACHE["xor"] = vizdl.data.load("xor", n=80)
    return _CACHE["xor"]


def tiny_model(seed: int = 0):
    import torch

    import vizdl

    torch.manual_seed(seed)
    return vizdl.models.build("mlp", data=tiny_data(), hidden=(4,), activation="tanh")


def tiny_train(tmp: Path, **options):
    import vizdl

    kw = dict(epochs=1, batch_size=16, lr=0.1, record=None, out=tmp / "run", quiet=True)
    kw.update(options)
    return vizdl.train(kw.pop("model", None) or tiny_model(), tiny_data(), **kw)


def template_run() -> Path:
    """A tiny recorded xor run, trained once per process (copied by the cases that need one)."""
    import vizdl

    if "run" not in _CACHE:
        folder = Path(tempfile.mkdtemp(prefix="vizdl-hostile-")) / "xor"
        vizdl.train(tiny_model(), tiny_data(), epochs=2, batch_size=16, lr=0.3,
                    record=vizdl.RecordSpec(every=4), out=folder, quiet=True)
        _CACHE["run"] = folder
    return _CACHE["run"]


def copy_run(tmp: Path, name) -> Path:
    target = Path(tmp) / name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(template_run(), target)
    return target


def bn_model():
    """A model in training mode whose BatchNorm the user froze on purpose (``bn.eval()``)."""
    import torch
    from torch import nn

    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.BatchNorm2d(2), nn.ReLU(), nn.Flatten(),
                          nn.Linear(2 * 8 * 8, 10)).train()
    model[1].eval()
    return model


def modes(model) -> list[bool]:
    return [m.training for m in model.modules()]


def bn_state(model) -> list:
    return [t.clone() for name, t in model.state_dict().items() if "running" in name or "batches" in name]


def same_tensors(a, b) -> bool:
    return len(a) == len(b) and all(x.shape == y.shape and bool((x == y).all()) for x, y in zip(a, b))


# -- files ---------------------------------------------------------------------------------------
def cifar_folder(tmp: Path, batch: bytes | None = None, name: str = "data_batch_1") -> Path:
    """A cifar-10-batches-py folder of tiny genuine batches, ``name`` replaced by ``batch``."""
    folder = tmp / "cifar-10-batches-py"
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    for file in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        images = rng.integers(0, 256, size=(4, 3072), dtype=np.uint8)
        (folder / file).write_bytes(forge.cifar_batch(images, [1, 2, 3, 4]))
    if batch is not None:
        (folder / name).write_bytes(batch)
    return folder


def load_cifar(tmp: Path, batch: bytes | None, name: str = "data_batch_1"):
    import vizdl

    cifar_folder(tmp, batch, name)
    return vizdl.data.load("cifar10", root=tmp)


def _cifar(name: str, make: Callable, isolated: bool = False) -> Case:
    return Case("files", f"cifar_{name}", lambda tmp: load_cifar(tmp, make()), expect="data_batch_1",
                isolated=isolated)


def _genuine(n: int = 4, labels=None) -> bytes:
    images = np.random.default_rng(1).integers(0, 256, size=(n, 3072), dtype=np.uint8)
    return forge.cifar_batch(images, labels if labels is not None else list(range(n)))


def _cifar_float_data() -> bytes:
    array = forge.ndarray_((2, 3072), np.zeros((2, 3072)).tobytes(), dtype=forge.dtype_("f8", order="<"))
    return forge.cifar_dict(array, forge.int_list([0, 1]))


def _cifar_global(module: str, name: str) -> bytes:
    call = forge.global_(module, name) + forge.py2_str(b"echo pwned > /dev/null") + forge.TUPLE1 + forge.REDUCE
    return forge.cifar_dict(call)


def _cifar_out_of_band() -> bytes:
    import pickle

    array = np.zeros((2, 3072), np.uint8)
    return pickle.dumps({b"data": pickle.PickleBuffer(array), b"labels": [0, 1]}, protocol=5,
                        buffer_callback=lambda buffer: False)


def _sparse(path: Path, size: int, head: bytes = b"") -> None:
    with open(path, "wb") as handle:
        handle.write(head)
        handle.truncate(size)


def sparse_cifar(tmp: Path):
    import vizdl

    folder = cifar_folder(tmp)
    _sparse(folder / "data_batch_1", 4 * 2**30, forge.PROTO2)
    return vizdl.data.load("cifar10", root=tmp)


def mnist_folder(tmp: Path, *, images=None, labels=None, gz=False) -> Path:
    """An mnist folder of tiny IDX files; ``images``/``labels`` replace the training files' bytes."""
    import gzip

    folder = tmp / "mnist"
    folder.mkdir(parents=True, exist_ok=True)
    x = np.random.default_rng(0).integers(0, 256, size=(10, 28, 28), dtype=np.uint8)
    y = np.arange(10, dtype=np.uint8)
    files = {"train-images-idx3-ubyte": images if images is not None else forge.idx_bytes(x),
             "train-labels-idx1-ubyte": labels if labels is not None else forge.idx_bytes(y),
             "t10k-images-idx3-ubyte": forge.idx_bytes(x), "t10k-labels-idx1-ubyte": forge.idx_bytes(y)}
    for name, payload in files.items():
        if gz:
            raw = payload if name.startswith("train") and payload[:2] == b"\x1f\x8b" else gzip.compress(payload)
            (folder / (name + ".gz")).write_bytes(raw)
        else:
            (folder / name).write_bytes(payload)
    return folder


def load_mnist(tmp: Path, **files):
    import vizdl

    mnist_folder(tmp, **files)
    return vizdl.data.load("mnist", root=tmp)


def _mnist(name: str, expect: str, isolated: bool = False, **files) -> Case:
    def action(tmp):
        built = {k: (v() if callable(v) else v) for k, v in files.items() if k != "gz"}
        return load_mnist(tmp, gz=files.get("gz", False), **built)
    return Case("files", f"mnist_{name}", action, expect=expect, isolated=isolated)


def sparse_mnist(tmp: Path):
    import vizdl

    folder = mnist_folder(tmp)
    count = (4 * 2**30) // 784
    _sparse(folder / "train-images-idx3-ubyte", 16 + count * 784, forge.idx_header((count, 28, 28)))
    return vizdl.data.load("mnist", root=tmp)


def _truncated_gz() -> bytes:
    import gzip

    x = np.random.default_rng(0).integers(0, 256, size=(10, 28, 28), dtype=np.uint8)
    raw = gzip.compress(forge.idx_bytes(x))
    return raw[:len(raw) // 2]


FILE_CASES = [
    _cifar("object_dtype_forgery", forge.cifar_object_dtype_forgery, isolated=True),
    _cifar("list_of_bytes_bomb", forge.list_of_bytes_bomb, isolated=True),
    _cifar("bytes_bomb", forge.bytes_bomb, isolated=True),
    _cifar("memo_bomb", forge.memo_bomb, isolated=True),
    _cifar("deep_nesting", forge.deep_nesting, isolated=True),
    _cifar("os_system", lambda: _cifar_global("posix", "system")),
    _cifar("builtins_eval", lambda: _cifar_global("builtins", "eval")),
    _cifar("truncated", lambda: _genuine()[:5000]),
    _cifar("empty", lambda: b""),
    _cifar("garbage", lambda: bytes(np.random.default_rng(5).integers(0, 256, 4096, dtype=np.uint8))),
    _cifar("label_10", lambda: _genuine(labels=[0, 1, 2, 10])),
    _cifar("label_negative", lambda: _genuine(labels=[0, -1, 2, 3])),
    _cifar("label_2_pow_70", lambda: _genuine(labels=[0, 1, 2, 2**70])),
    _cifar("float_data", _cifar_float_data),
    _cifar("data_not_3072_wide", lambda: forge.cifar_dict(forge.ndarray_((2, 100), bytes(200)),
                                                          forge.int_list([0, 1]))),
    _cifar("labels_count_mismatch", lambda: _genuine(labels=[0, 1])),
    _cifar("data_shape_bytes_mismatch", lambda: forge.cifar_dict(forge.ndarray_((10**6, 3072), bytes(64)),
                                                                 forge.int_list([0]))),
    _cifar("protocol5_out_of_band", _cifar_out_of_band),
    _cifar("not_a_dict", lambda: forge.PROTO2 + forge.int_list([1, 2]) + forge.STOP),
    Case("files", "cifar_sparse_4GiB", sparse_cifar, expect="data_batch_1", isolated=True),
    _mnist("gz_bomb_small_header", "train-images", isolated=True, gz=True,
           images=lambda: forge.gzip_bomb(forge.idx_header((10, 28, 28)))),
    _mnist("gz_bomb_declared_3GiB", "train-images", isolated=True, gz=True,
           images=lambda: forge.gzip_bomb(forge.idx_header((4_000_000, 28, 28)))),
    _mnist("huge_dims", "train-images", images=forge.idx_header((2**32 - 1,) * 3) + bytes(64)),
    _mnist("ndim_255", "train-images", images=bytes([0, 0, 8, 255]) + bytes(16)),
    _mnist("label_10", "train-labels", labels=forge.idx_bytes(np.array([0, 1, 2, 3, 4, 5, 6, 7, 8, 10]))),
    _mnist("float_images", "train-images", images=forge.idx_header((10, 28, 28), code=0x0D)
           + np.zeros((10, 28, 28), ">f4").tobytes()),
    _mnist("truncated_gz", "train-images", gz=True, images=_truncated_gz),
    _mnist("not_gzip", "train-images", gz=True, images=b"\x1f\x8b" + b"not really gzip data" * 10),
    _mnist("one_byte_more", "train-images", images=forge.idx_bytes(np.zeros((10, 28, 28))) + b"!"),
    Case("files", "mnist_sparse_4GiB", sparse_mnist, expect="train-images", isolated=True),
]


# -- options of vizdl.train ----------------------------------------------------------------------
def _option(name: str, value, expect: str | None = None, label: str | None = None) -> Case:
    return Case("options", f"{name}={label or value!r}", lambda tmp: tiny_train(tmp, **{name: value}),
                expect=expect or re.escape(name))


def refused_option_keeps_model(tmp: Path):
    import torch

    model = tiny_model()
    before = [p.detach().clone() for p in model.parameters()]
    with contextlib.suppress(ValueError):
        tiny_train(tmp, model=model, init="xavier", lr=-1.0)
    assert all(torch.equal(a, b) for a, b in zip(before, model.parameters())), "weights changed"
    assert not (tmp / "run").exists(), "a run directory was created"


OPTION_CASES = [
    _option("clip_grad_norm", -1.0), _option("clip_grad_norm", 0.0), _option("clip_grad_norm", float("nan")),
    _option("clip_grad_norm", float("inf")),
    _option("l1", -0.1), _option("l1", float("nan")),
    _option("weight_decay", -1.0), _option("weight_decay", float("inf")),
    _option("early_stopping", 0), _option("early_stopping", -2), _option("early_stopping", "5"),
    _option("early_stopping", {"patience": 0}), _option("early_stopping", {"patience": 2, "bogus": 1}),
    _option("early_stopping", {"min_delta": -1.0}),
    _option("epochs", True), _option("epochs", 0), _option("epochs", -1), _option("epochs", 2.5),
    _option("epochs", "3"),
    _option("batch_size", 0), _option("batch_size", False), _option("batch_size", 1.5),
    _option("batch_size", -8),
    _option("lr", 0.0), _option("lr", -1.0), _option("lr", float("nan")), _option("lr", float("inf")),
    _option("lr", "0.1"), _option("lr", True),
    _option("momentum", -0.1), _option("momentum", 1.0), _option("momentum", 2.0),
    _option("momentum", float("nan")),
    _option("seed", -1), _option("seed", True), _option("seed", 1.5), _option("seed", "x"),
    _option("device", "foo"), _option("device", "cuda:abc", "device|cuda"),
    _option("optimizer", "bogus"), _option("optimizer", 3),
    _option("schedule", "bogus"), _option("schedule", 5),
    _option("schedule", {"name": "step", "gamma": -1.0}, "gamma"),
    _option("schedule", {"name": "step", "step_size": 0}, "step_size"),
    _option("schedule", {"name": "warmup", "warmup_steps": 0}, "warmup_steps"),
    _option("schedule", {"name": "cosine", "eta_min": -1.0}, "eta_min"),
    _option("schedule", {"name": "plateau", "factor": 2.0}, "factor"),
    _option("schedule", {"name": "step", "bogus": 1}, "bogus"),
    _option("init", "bogus"),
    _option("augment", ["bogus"]), _option("augment", ["flip"], "augment|image"),
    _option("record", "yes"),
    Case("options", "refused_option_leaves_model_untouched", refused_option_keeps_model, kind="keep"),
]


# -- size limits of the pictures -------------------------------------------------------------------
def _boundary(resolution):
    def action(tmp):
        from vizdl import figures

        figures.decision_boundary(copy_run(tmp, "xor"), resolution=resolution)
    return action


def _conv_gif(**params):
    def action(tmp):
        from vizdl.gif import save_conv_animation

        save_conv_animation(tmp / "conv.gif", quiet=True, **params)
    return action


def _pool_gif(**params):
    def action(tmp):
        from vizdl.gif import save_pool_animation

        save_pool_animation(tmp / "pool.gif", quiet=True, **params)
    return action


def _gallery_dpi(dpi):
    def action(tmp):
        from vizdl.gallery import build_gallery

        build_gallery([], tmp / "gallery", dpi=dpi, quiet=True)
    return action


LIMIT_CASES = [
    Case("limits", "decision_boundary_resolution_20000", _boundary(20000), expect="resolution", isolated=True),
    Case("limits", "decision_boundary_resolution_0", _boundary(0), expect="resolution"),
    Case("limits", "decision_boundary_resolution_2.5", _boundary(2.5), expect="resolution"),
    Case("limits", "conv_gif_input_60", _conv_gif(input_size=60), expect="frames", isolated=True),
    Case("limits", "conv_gif_fps_0", _conv_gif(fps=0), expect="fps"),
    Case("limits", "conv_gif_fps_negative", _conv_gif(fps=-1), expect="fps"),
    Case("limits", "conv_gif_fps_nan", _conv_gif(fps=float("nan")), expect="fps"),
    Case("limits", "conv_gif_fps_1000", _conv_gif(fps=1000), expect="fps"),
    Case("limits", "conv_gif_dpi_5000", _conv_gif(dpi=5000), expect="dpi|frames|GiB", isolated=True),
    Case("limits", "conv_gif_dpi_0", _conv_gif(dpi=0), expect="dpi"),
    Case("limits", "pool_gif_200x200", _pool_gif(x=np.zeros((200, 200))), expect="frames", isolated=True),
    Case("limits", "gallery_dpi_5000", _gallery_dpi(5000), expect="dpi", isolated=True),
    Case("limits", "gallery_dpi_0", _gallery_dpi(0), expect="dpi"),
]


# -- the user's model and global state ---------------------------------------------------------------
def _keeps_modes(call):
    def action(tmp):
        model = bn_model()
        before, stats = modes(model), bn_state(model)
        call(model, tmp)
        assert modes(model) == before, f"training flags changed: {before} -> {modes(model)}"
        assert same_tensors(bn_state(model), stats), "BatchNorm running statistics changed"
    return action


def _summary(model, tmp):
    from vizdl.models import summary

    summary(model, (1, 8, 8))


def _feature_maps(model, tmp):
    import torch

    from vizdl.explain import feature_maps

    feature_maps(model, "2", torch.rand(4, 1, 8, 8))


def _evaluate(model, tmp):
    import torch

    from vizdl.training import evaluate

    evaluate(model, torch.rand(8, 1, 8, 8), torch.zeros(8, dtype=torch.long), "cpu")


def _recorder_probe(model, tmp):
    import torch

    import vizdl

    x = torch.rand(8, 1, 8, 8)
    with vizdl.Recorder(model, tmp / "rec", vizdl.RecordSpec(every=1), probe=(x, torch.zeros(8).long())) as rec:
        model(x).sum().backward()
        rec.capture(0)


def tiny_images():
    """64 random 1x8x8 images in 10 classes, with the attributes vizdl.train reads from a Dataset."""
    import types

    import torch

    g = torch.Generator().manual_seed(0)
    x, y = torch.rand(96, 1, 8, 8, generator=g), torch.randint(0, 10, (96,), generator=g)
    return types.SimpleNamespace(name="images", x_train=x[:64], y_train=y[:64], x_val=x[64:80], y_val=y[64:80],
                                 x_test=x[80:], y_test=y[80:], classes=[str(k) for k in range(10)],
                                 params={}, input_shape=(1, 8, 8))


def _train_images(model, tmp):
    import vizdl

    vizdl.train(model, tiny_images(), epochs=1, batch_size=32, lr=0.01, record=None, out=tmp / "run", quiet=True)


def _boundary_grid_bn(tmp):
    import torch
    from torch import nn

    from vizdl.figures.boundary import boundary_grid

    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 4), nn.BatchNorm1d(4), nn.Tanh(), nn.Linear(4, 2)).train()
    before, stats = modes(model), bn_state(model)
    boundary_grid(model, ((-1, 1), (-1, 1)), 20)
    assert modes(model) == before, "training flags changed"
    assert same_tensors(bn_state(model), stats), "BatchNorm running statistics changed by a picture"


def _train_keeps_global_rng(tmp):
    import torch

    model = tiny_model()
    torch.manual_seed(1234)
    before = torch.random.get_rng_state()
    tiny_train(tmp, model=model)
    assert torch.equal(torch.random.get_rng_state(), before), "torch's global RNG state changed"


def _train_keeps_eval_mode(tmp):
    model = tiny_model().eval()
    tiny_train(tmp, model=model)
    assert not any(modes(model)), "an eval-mode model came back in training mode"


def _feature_maps_bad_input_leaves_no_hook(tmp):
    from vizdl.explain import feature_maps
    from vizdl.record import hook_count

    model = bn_model()
    for bad in (["not", "numbers"], np.zeros((2, 3, 8, 8))):
        with contextlib.suppress(Exception):
            feature_maps(model, "2", bad)
    assert hook_count(model) == 0, f"{hook_count(model)} hook(s) left on the model"


STATE_CASES = [
    Case("state", "summary_keeps_frozen_batchnorm", _keeps_modes(_summary), kind="keep"),
    Case("state", "feature_maps_keeps_frozen_batchnorm", _keeps_modes(_feature_maps), kind="keep"),
    Case("state", "evaluate_keeps_frozen_batchnorm", _keeps_modes(_evaluate), kind="keep"),
    Case("state", "recorder_probe_keeps_frozen_batchnorm", _keeps_modes(_recorder_probe), kind="keep"),
    Case("state", "train_keeps_frozen_batchnorm_flag", lambda tmp: _train_flags(tmp), kind="keep"),
    Case("state", "train_keeps_eval_mode", _train_keeps_eval_mode, kind="keep"),
    Case("state", "train_keeps_global_rng", _train_keeps_global_rng, kind="keep"),
    Case("state", "boundary_grid_keeps_batchnorm_statistics", _boundary_grid_bn, kind="keep"),
    Case("state", "feature_maps_bad_input_leaves_no_hook", _feature_maps_bad_input_leaves_no_hook, kind="keep"),
]


def _train_flags(tmp):
    model = bn_model()
    before = modes(model)
    _train_images(model, tmp)
    assert modes(model) == before, f"training flags changed: {before} -> {modes(model)}"


# -- the command line ------------------------------------------------------------------------------
def _cli(name: str, argv: Callable | list, expect: str, isolated: bool = False, tags: tuple = ()) -> Case:
    action = argv if callable(argv) else (lambda tmp, argv=argv: [str(a).replace("{tmp}", str(tmp)) for a in argv])
    return Case("cli", name, action, kind="cli", expect=expect, isolated=isolated, tags=tags)


def _a_file(tmp: Path) -> Path:
    path = tmp / "a-file"
    path.write_text("x")
    return path


def _bad_run_json(tmp: Path) -> list:
    run = copy_run(tmp, "bad")
    (run / "run.json").write_text("{not json")
    return ["info", str(run)]


def _bad_snapshot(tmp: Path) -> list:
    run = copy_run(tmp, "bad")
    first = sorted((run / "snapshots").iterdir())[0]
    first.write_bytes(b"\xff" * 64)
    return ["info", str(run)]


def _train_cifar(batch: Callable) -> Callable:
    def argv(tmp):
        cifar_folder(tmp, batch())
        return ["train", "mlp", "cifar10", "--data-root", str(tmp), "--out", str(tmp / "run"), "--quiet"]
    return argv


T = ["train", "mlp", "xor", "--epochs", "1", "--quiet"]
OUT = ["--out", "{tmp}/run"]
CONV = ["conv", "--quiet"]
POOL = ["pool", "--quiet"]

CLI_CASES = [
    _cli("train_diverged", T + ["--lr", "1e30", "--epochs", "3"] + OUT, "loss became|diverged"),
    _cli("train_out_is_a_file", lambda tmp: T + ["--out", str(_a_file(tmp))], "a-file"),
    _cli("train_out_under_a_file", lambda tmp: T + ["--out", str(_a_file(tmp) / "run")], "a-file"),
    _cli("train_out_unwritable", T + ["--out", "/proc/vizdl-hostile/run"], "/proc/vizdl-hostile"),
    _cli("train_device_foo", T + ["--device", "foo"] + OUT, "device"),
    _cli("train_device_cuda_99", T + ["--device", "cuda:99"] + OUT, "device|cuda|CUDA"),
    _cli("train_epochs_0", T + ["--epochs", "0"] + OUT, "epochs"),
    _cli("train_epochs_negative", T + ["--epochs", "-1"] + OUT, "epochs"),
    _cli("train_epochs_text", T + ["--epochs", "ten"] + OUT, "epochs"),
    _cli("train_batch_size_0", T + ["--batch-size", "0"] + OUT, "batch_size|batch-size"),
    _cli("train_lr_0", T + ["--lr", "0"] + OUT, "lr"),
    _cli("train_lr_nan", T + ["--lr", "nan"] + OUT, "lr"),
    _cli("train_lr_negative", T + ["--lr", "-1"] + OUT, "lr"),
    _cli("train_every_0", T + ["--every", "0"] + OUT, "every"),
    _cli("train_hidden_letters", T + ["--hidden", "a,b"] + OUT, "hidden"),
    _cli("train_hidden_0", T + ["--hidden", "0"] + OUT, "hidden"),
    _cli("train_hidden_empty", T + ["--hidden", ""] + OUT, "hidden"),
    _cli("train_activation_bogus", T + ["--activation", "bogus"] + OUT, "activation|bogus"),
    _cli("train_optimizer_bogus", T + ["--optimizer", "bogus"] + OUT, "optimizer"),
    _cli("train_dtype_bogus", T + ["--dtype", "float8"] + OUT, "dtype"),
    _cli("train_seed_negative", T + ["--seed", "-1"] + OUT, "seed"),
    _cli("train_unknown_model", ["train", "resnet", "xor"] + OUT, "resnet"),
    _cli("train_unknown_dataset", ["train", "mlp", "imagenet"] + OUT, "imagenet"),
    _cli("train_mnist_missing", ["train", "mlp", "mnist", "--data-root", "{tmp}"] + OUT, "train-images"),
    _cli("train_cifar_forged", _train_cifar(forge.cifar_object_dtype_forgery), "data_batch_1", isolated=True),
    _cli("train_cifar_list_bomb", _train_cifar(forge.list_of_bytes_bomb), "data_batch_1", isolated=True),
    _cli("train_cifar_label_10", _train_cifar(lambda: _genuine(labels=[0, 1, 2, 10])), "data_batch_1"),
    _cli("conv_fps_0", CONV + ["--fps", "0", "--out", "{tmp}/c.gif"], "fps"),
    _cli("conv_fps_negative", CONV + ["--fps", "-1", "--out", "{tmp}/c.gif"], "fps"),
    _cli("conv_fps_nan", CONV + ["--fps", "nan", "--out", "{tmp}/c.gif"], "fps"),
    _cli("conv_dpi_0", CONV + ["--dpi", "0", "--out", "{tmp}/c.gif"], "dpi"),
    _cli("conv_dpi_negative", CONV + ["--dpi", "-5", "--out", "{tmp}/c.png"], "dpi"),
    _cli("conv_dpi_5000_png", CONV + ["--dpi", "5000", "--out", "{tmp}/c.png"], "dpi", isolated=True),
    _cli("conv_dpi_5000_gif", CONV + ["--dpi", "5000", "--out", "{tmp}/c.gif"], "dpi", isolated=True),
    _cli("conv_input_0", CONV + ["--input", "0", "--out", "{tmp}/c.gif"], "input"),
    _cli("conv_input_60", CONV + ["--input", "60", "--out", "{tmp}/c.gif"], "input|frames", isolated=True),
    _cli("conv_padding_1000", CONV + ["--padding", "1000", "--out", "{tmp}/c.png"], "padding", isolated=True),
    _cli("conv_kernel_0", CONV + ["--kernel", "0", "--out", "{tmp}/c.gif"], "kernel"),
    _cli("conv_kernel_9_on_5", CONV + ["--kernel", "9", "--out", "{tmp}/c.gif"], "kernel"),
    _cli("conv_stride_0", CONV + ["--stride", "0", "--out", "{tmp}/c.gif"], "stride"),
    _cli("conv_padding_negative", CONV + ["--padding", "-1", "--out", "{tmp}/c.gif"], "padding"),
    _cli("conv_dilation_0", CONV + ["--dilation", "0", "--out", "{tmp}/c.gif"], "dilation"),
    _cli("conv_mode_bogus", CONV + ["--mode", "mirror", "--out", "{tmp}/c.gif"], "mode"),
    _cli("conv_out_txt", CONV + ["--out", "{tmp}/c.txt"], "out"),
    _cli("conv_out_is_a_folder", lambda tmp: CONV + ["--out", str(tmp)], "out|directory|folder"),
    _cli("conv_out_under_a_file", lambda tmp: CONV + ["--out", str(_a_file(tmp) / "c.gif")], "a-file"),
    _cli("conv_out_unwritable", CONV + ["--out", "/proc/vizdl-hostile.gif"], "/proc/vizdl-hostile"),
    _cli("conv_png_step_999", CONV + ["--step", "999", "--out", "{tmp}/c.png"], "step"),
    _cli("pool_kind_bogus", POOL + ["--kind", "median", "--out", "{tmp}/p.gif"], "kind"),
    _cli("pool_kernel_0", POOL + ["--kernel", "0", "--out", "{tmp}/p.gif"], "kernel"),
    _cli("pool_kernel_100", POOL + ["--kernel", "100", "--out", "{tmp}/p.gif"], "kernel"),
    _cli("pool_stride_0", POOL + ["--stride", "0", "--out", "{tmp}/p.gif"], "stride"),
    _cli("pool_factor_3", POOL + ["--kind", "squeeze", "--factor", "3", "--out", "{tmp}/p.gif"], "factor"),
    _cli("pool_input_0", POOL + ["--input", "0", "--out", "{tmp}/p.gif"], "input"),
    _cli("pool_input_500", POOL + ["--input", "500", "--out", "{tmp}/p.gif"], "input|frames", isolated=True),
    _cli("pool_decimals_negative", POOL + ["--decimals", "-1", "--out", "{tmp}/p.png"], "decimals"),
    _cli("pool_fps_0", POOL + ["--fps", "0", "--out", "{tmp}/p.gif"], "fps"),
    _cli("pool_dpi_0", POOL + ["--dpi", "0", "--out", "{tmp}/p.png"], "dpi"),
    _cli("pool_png_step_99", POOL + ["--step", "99", "--out", "{tmp}/p.png"], "step"),
    _cli("info_missing", ["info", "{tmp}/missing"], "missing"),
    _cli("info_a_file", lambda tmp: ["info", str(_a_file(tmp))], "a-file"),
    _cli("info_empty_folder", ["info", "{tmp}"], "run"),
    _cli("info_bad_run_json", _bad_run_json, "run.json"),
    _cli("info_bad_snapshot", _bad_snapshot, "snapshots", tags=(RUN_READER,)),
    _cli("gallery_missing_run", ["gallery", "{tmp}/missing", "--no-lecture", "--quiet", "--out", "{tmp}/g"],
         "missing"),
    _cli("gallery_dpi_0", lambda tmp: ["gallery", str(copy_run(tmp, "xor")), "--dpi", "0", "--quiet",
                                       "--no-lecture", "--out", str(tmp / "g")], "dpi"),
    _cli("gallery_dpi_5000", lambda tmp: ["gallery", str(copy_run(tmp, "xor")), "--dpi", "5000", "--quiet",
                                          "--no-lecture", "--out", str(tmp / "g")], "dpi", isolated=True),
    _cli("gallery_out_is_a_file", lambda tmp: ["gallery", str(copy_run(tmp, "xor")), "--quiet",
                                               "--no-lecture", "--out", str(_a_file(tmp))], "a-file"),
]


# -- outputs: killed writes, full disks, escaping ------------------------------------------------------
def _gif_is_complete(path: Path) -> bool:
    from PIL import Image

    try:
        with Image.open(path) as image:
            image.seek(image.n_frames - 1)
            image.load()
        return True
    except Exception:  # noqa: BLE001 - any decoding error means the file is damaged
        return False


def _png_is_complete(path: Path) -> bool:
    from PIL import Image

    try:
        with Image.open(path) as image:
            image.load()
        return path.stat().st_size > 0
    except Exception:  # noqa: BLE001
        return False


def _child(code: str, tmp: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), *sys.path])}
    return subprocess.Popen([sys.executable, "-c", code, str(tmp)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)


def _kill_during_write(child: subprocess.Popen, busy: Callable[[], bool], timeout: float = 60) -> bool:
    """SIGKILL ``child`` as soon as ``busy()`` says a write is under way; False when none was seen."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and child.poll() is None:
        if busy():
            child.kill()
            child.wait()
            return True
        time.sleep(0.002)
    child.kill()
    child.wait()
    return False


_GIF_WRITER = """
import sys, pathlib
from vizdl.gif import conv_frames, write_animation
out = pathlib.Path(sys.argv[1]) / "conv.gif"
frames = conv_frames(input_size=12, stride=1, dpi=60)
write_animation(out, frames, fps=10)
print("ready", flush=True)
while True:
    write_animation(out, frames, fps=10)
"""


def _writing(folder: Path, name: str, good_size: int) -> Callable[[], bool]:
    """A temporary file beside ``name`` exists, or ``name`` itself is being rewritten (shorter)."""
    target = folder / name

    def busy() -> bool:
        if any(p.name.startswith(f".{name}.") for p in folder.iterdir()):
            return True
        try:
            return target.stat().st_size < good_size
        except FileNotFoundError:
            return True
    return busy


def sigkill_during_gif_write(tmp: Path):
    child = _child(_GIF_WRITER, tmp)
    assert child.stdout.readline().strip() == "ready", "the writer did not start"
    good = (tmp / "conv.gif").read_bytes()
    assert _kill_during_write(child, _writing(tmp, "conv.gif", len(good))), "no write was seen"
    assert _gif_is_complete(tmp / "conv.gif"), "the GIF was truncated by the kill (previous file lost)"


_GALLERY_WRITER = """
import sys, pathlib
from vizdl.gallery import build_gallery
out = pathlib.Path(sys.argv[1]) / "gallery"
build_gallery([], out, dpi=60, quiet=True)
print("ready", flush=True)
while True:
    build_gallery([], out, dpi=60, quiet=True)
"""


def sigkill_during_gallery_build(tmp: Path):
    child = _child(_GALLERY_WRITER, tmp)
    assert child.stdout.readline().strip() == "ready", "the gallery build did not start"
    folder = tmp / "gallery"
    sizes = {p.name: p.stat().st_size for p in folder.glob("*.png")}

    def busy() -> bool:
        if any(p.name.startswith(".") for p in folder.iterdir()):
            return True
        return any((folder / name).stat().st_size < size for name, size in sizes.items()
                   if (folder / name).exists())
    assert _kill_during_write(child, busy), "no write was seen"
    check_gallery_index(folder)


def check_gallery_index(folder: Path) -> None:
    """Every image the index lists exists, is not empty and decodes."""
    from urllib.parse import unquote

    page = (folder / "index.html").read_text(encoding="utf-8")
    sources = re.findall(r"<img src='([^']*)'", page)
    assert sources, "index.html lists no image"
    for source in sources:
        path = folder / unquote(source.replace("&amp;", "&").replace("&#x27;", "'"))
        assert _png_is_complete(path), f"index.html lists {source}, which is missing, empty or truncated"


_DISK_FULL = """
set -e
mount -t tmpfs -o size=2m vizdl-full "$1"
"$2" -m vizdl.cli conv --quiet --out "$1/conv.gif"
cp "$1/conv.gif" "$3/good.gif"
dd if=/dev/zero of="$1/filler" bs=64k 2>/dev/null || true
set +e
"$2" -m vizdl.cli conv --quiet --input 9 --padding 1 --out "$1/conv.gif" 2> "$3/stderr"
echo $? > "$3/status"
cp "$1/conv.gif" "$3/after.gif" || true
ls -a "$1" > "$3/listing"
"""


def disk_full_keeps_previous_gif(tmp: Path):
    if shutil.which("unshare") is None:
        raise NotAvailable("unshare (util-linux) is not installed: cannot mount a small tmpfs")
    mount = tmp / "full"
    mount.mkdir()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    probe = subprocess.run(["unshare", "-rm", "sh", "-c", f"mount -t tmpfs -o size=1m t '{mount}'"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        raise NotAvailable(f"mounting a tmpfs is not allowed here: {probe.stderr.strip()}")
    subprocess.run(["unshare", "-rm", "sh", "-c", _DISK_FULL, "sh", str(mount), sys.executable, str(tmp)],
                   env=env, capture_output=True, text=True, timeout=300)
    status = int((tmp / "status").read_text())
    err = (tmp / "stderr").read_text()
    assert status != 0, "writing to a full disk reported success"
    assert (tmp / "after.gif").read_bytes() == (tmp / "good.gif").read_bytes(), "the previous GIF was lost"
    assert "Traceback" not in err and "No space left" in err, f"unclear error on a full disk: {err[-300:]!r}"
    leftovers = [n for n in (tmp / "listing").read_text().split() if ".tmp" in n]
    assert not leftovers, f"temporary files left on the full disk: {leftovers}"


class NotAvailable(Exception):
    """The environment cannot run this case (e.g. no tmpfs mount allowed)."""


@contextlib.contextmanager
def one_entry_each():
    """The gallery with only its first run and lecture entry (naming does not depend on which)."""
    from vizdl import gallery

    saved = gallery.RUN_ENTRIES, gallery.LECTURE_ENTRIES
    gallery.RUN_ENTRIES, gallery.LECTURE_ENTRIES = saved[0][:1], saved[1][:1]
    try:
        yield
    finally:
        gallery.RUN_ENTRIES, gallery.LECTURE_ENTRIES = saved


def build_small_gallery(runs, out: Path, lecture: bool = False) -> list:
    from vizdl.gallery import build_gallery

    with one_entry_each():
        return build_gallery(runs, out, lecture=lecture, dpi=20, quiet=True)


def _gallery_of(tmp: Path, names: list[str], lecture: bool = False) -> Path:
    out = tmp / "gallery"
    build_small_gallery([copy_run(tmp, name) for name in names], out, lecture)
    return out


def rendered_markdown(text: str) -> str:
    """``text`` rendered by a CommonMark renderer with raw HTML on (as GitHub-like viewers do)."""
    try:
        from markdown_it import MarkdownIt
    except ImportError:
        raise NotAvailable("markdown-it-py (installed with manim's rich) is needed to render index.md") from None
    return MarkdownIt("commonmark").render(text)


def gallery_escapes_hostile_names(tmp: Path):
    hostile = "<img src=x onerror=alert(1)>`*[x](evil.example)"
    out = _gallery_of(tmp, [hostile])
    pages = {"index.md": rendered_markdown((out / "index.md").read_text(encoding="utf-8")),
             "index.html": (out / "index.html").read_text(encoding="utf-8")}
    for index, page in pages.items():
        assert "<img src=x" not in page, f"{index} embeds the run path as live HTML (script injection)"
        assert "href=\"evil.example" not in page, f"{index} turns the run path into a live link"
    check_gallery_index(out)


def gallery_encodes_urls(tmp: Path):
    out = _gallery_of(tmp, ["a#b", "c?d", "e%41f", "g h"])
    check_gallery_index(out)
    from urllib.parse import unquote

    for link in re.findall(r"!\[[^\]]*\]\(([^)]*)\)", (out / "index.md").read_text(encoding="utf-8")):
        assert (out / unquote(link)).is_file(), f"index.md links {link!r}, which is not a file"


def gallery_same_basename_runs(tmp: Path):
    runs = [copy_run(tmp, "a/xor"), copy_run(tmp, "b/xor")]
    paths = build_small_gallery(runs, tmp / "gallery")
    assert len(set(paths)) == len(paths), "two runs wrote the same image files"
    check_gallery_index(tmp / "gallery")


def gallery_run_named_lecture(tmp: Path):
    from vizdl import gallery

    lecture_first = gallery.RUN_ENTRIES[0].name   # a lecture entry of the same name as the run entry
    entries = gallery.LECTURE_ENTRIES
    gallery.LECTURE_ENTRIES = (gallery.Entry(lecture_first, "same name", "x", entries[0].make),)
    try:
        paths = build_small_gallery([copy_run(tmp, "lecture")], tmp / "gallery", lecture=True)
    finally:
        gallery.LECTURE_ENTRIES = entries
    assert len(set(paths)) == len(paths), "a run named 'lecture' overwrote the lecture pictures"


def gallery_newline_in_name(tmp: Path):
    out = _gallery_of(tmp, ["x\ny"])
    text = (out / "index.md").read_text(encoding="utf-8")
    assert not any(line.startswith("y") for line in text.splitlines()), "a newline in a run path breaks index.md"


OUTPUT_CASES = [
    Case("outputs", "sigkill_during_gif_write", sigkill_during_gif_write, kind="keep", isolated=True),
    Case("outputs", "sigkill_during_gallery_build", sigkill_during_gallery_build, kind="keep", isolated=True),
    Case("outputs", "disk_full_keeps_previous_gif", disk_full_keeps_previous_gif, kind="keep", isolated=True),
    Case("outputs", "gallery_escapes_hostile_names", gallery_escapes_hostile_names, kind="keep"),
    Case("outputs", "gallery_encodes_urls", gallery_encodes_urls, kind="keep"),
    Case("outputs", "gallery_same_basename_runs", gallery_same_basename_runs, kind="keep"),
    Case("outputs", "gallery_run_named_lecture", gallery_run_named_lecture, kind="keep"),
    Case("outputs", "gallery_newline_in_name", gallery_newline_in_name, kind="keep"),
]

CASES = FILE_CASES + OPTION_CASES + LIMIT_CASES + STATE_CASES + CLI_CASES + OUTPUT_CASES
BY_ID = {case.id: case for case in CASES}
assert len(BY_ID) == len(CASES), "case ids must be unique"


# -- running and classifying -------------------------------------------------------------------------------
def execute(case: Case, tmp: Path) -> Outcome:
    """Run ``case`` in ``tmp`` (in this process) and classify what happened."""
    if case.kind == "cli":
        return _execute_cli(case, tmp)
    try:
        case.action(tmp)
    except MemoryError as error:
        return Outcome("crash", f"MemoryError: {error}")
    except NotAvailable as error:
        return Outcome("skipped", str(error))
    except AssertionError as error:
        return Outcome("silent" if case.kind == "keep" else "unclear", f"AssertionError: {error}")
    except Exception as error:  # noqa: BLE001 - classifying every outcome is the point
        text = f"{type(error).__name__}: {error}"
        if case.kind == "error" and isinstance(error, case.errors) and re.search(case.expect, str(error)):
            return Outcome("clear", text[:500])
        return Outcome("unclear", text[:500])
    return Outcome("clear" if case.kind == "keep" else "silent", "")


def _execute_cli(case: Case, tmp: Path) -> Outcome:
    from vizdl.cli import main

    argv = case.action(tmp)
    err, out = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            code = main(argv)
    except SystemExit as exit_:          # argparse
        code = exit_.code if isinstance(exit_.code, int) else 1
    except MemoryError as error:
        return Outcome("crash", f"MemoryError: {error}")
    except BaseException as error:  # noqa: BLE001 - an escaping exception is a raw traceback
        return Outcome("unclear", f"traceback: {type(error).__name__}: {str(error)[:300]}")
    text = err.getvalue()
    if code == 0:
        return Outcome("silent", f"exit 0: {out.getvalue()[-200:]!r}", code)
    if "Traceback" in text or not text.strip() or not re.search(case.expect, text):
        return Outcome("unclear", f"exit {code}: {text[-300:]!r}", code)
    return Outcome("clear", f"exit {code}: {text.strip()[-300:]}", code)
