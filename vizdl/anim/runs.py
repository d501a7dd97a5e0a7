"""The run a scene shows: the user's (``$VIZDL_RUN``) or a tiny default run, trained once and cached.

The default is a 2-4-4-2 tanh MLP on ``xor`` trained with a fixed seed in a few seconds,
cached under ``.vizdl-cache/`` (in the working directory) so later renders start at once.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

ENV = "VIZDL_RUN"
CACHE_DIR = Path(".vizdl-cache")
DEFAULT_RUN = {"dataset": "xor", "hidden": (4, 4), "activation": "tanh", "epochs": 40,
               "batch_size": 16, "lr": 0.2, "seed": 0, "every": 10}


def scene_run(default: dict | None = None, *, environ=None, cache_dir=None):
    """``Run.open($VIZDL_RUN)`` when set, else :func:`default_run` with ``default``'s overrides."""
    from vizdl.runs import Run

    environ = os.environ if environ is None else environ
    if environ.get(ENV):
        return Run.open(environ[ENV])
    return default_run(**(default or {}), cache_dir=cache_dir)


def cache_path(params: dict, cache_dir=None) -> Path:
    """The cache folder of a default run: its dataset and a hash of its parameters.

    The cache lives in ``cache_dir``, else ``$VIZDL_CACHE``, else ``.vizdl-cache``.
    """
    key = json.dumps({k: list(v) if isinstance(v, tuple) else v for k, v in sorted(params.items())})
    digest = hashlib.sha1(key.encode()).hexdigest()[:10]
    root = cache_dir or os.environ.get("VIZDL_CACHE") or CACHE_DIR
    return Path(root) / f"{params['dataset']}-mlp-{digest}"


def default_run(*, cache_dir=None, **overrides):
    """Train (or reopen from the cache) the tiny MLP run the scenes show by default.

    Parameters
    ----------
    cache_dir : path-like, optional
        Where runs are cached (default ``.vizdl-cache``).
    **overrides
        Keys of :data:`DEFAULT_RUN` (``dataset``, ``hidden``, ``activation``, ``epochs``,
        ``batch_size``, ``lr``, ``seed``, ``every``).
    """
    unknown = set(overrides) - set(DEFAULT_RUN)
    if unknown:
        raise ValueError(f"overrides: unknown keys {sorted(unknown)}; allowed: {sorted(DEFAULT_RUN)}")
    params = {**DEFAULT_RUN, **overrides}
    path = cache_path(params, cache_dir)
    from vizdl.runs import Run

    if (path / "run.json").exists():
        return Run.open(path)
    return _train(params, path)


def _train(params: dict, path: Path):
    import torch

    import vizdl

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a tiny MLP: extra threads only add synchronisation
    try:
        return _train_to(params, path, vizdl)
    finally:
        torch.set_num_threads(threads)


def _train_to(params: dict, path: Path, vizdl):
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    data = vizdl.data.load(params["dataset"])
    model = vizdl.models.build("mlp", data=data, hidden=tuple(params["hidden"]),   # global RNG untouched
                               activation=params["activation"], seed=params["seed"])
    vizdl.train(model, data, epochs=params["epochs"], batch_size=params["batch_size"], lr=params["lr"],
                seed=params["seed"], record=vizdl.RecordSpec(every=params["every"]), out=tmp, quiet=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        tmp.rename(path)
    except OSError:  # another process cached it first
        shutil.rmtree(tmp, ignore_errors=True)
    return vizdl.Run.open(path)


def mlp_snapshots(run, steps=None) -> list:
    """``[(step, weights, biases, activations)]`` of an MLP run at recorded ``steps`` (all by default).

    Any chain of Linear + activations works (read from the recorded weights and layer graph).
    """
    from vizdl.ops.backprop import run_mlp_parameters

    steps = run.steps if steps is None else [run.require_step(s) for s in steps]
    return [(s, *run_mlp_parameters(run, s)) for s in steps]


def spread(items, count: int) -> list:
    """At most ``count`` items of ``items`` evenly spaced, first and last included."""
    items = list(items)
    if len(items) <= count:
        return items
    index = [round(k * (len(items) - 1) / (count - 1)) for k in range(count)]
    return [items[k] for k in dict.fromkeys(index)]


__all__ = ["DEFAULT_RUN", "ENV", "cache_path", "default_run", "mlp_snapshots", "scene_run", "spread"]
