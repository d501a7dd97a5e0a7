"""Named training recipes: the small, seeded runs that scenes, the demo and the gallery show.

A scene that needs a run asks for a recipe by name (``recipe_run("xor-mlp")``); the
first call trains it (seconds, fixed seed, one torch thread) into a temporary folder and
renames it into the cache when complete, so an interrupted training never leaves half a
run behind; later calls reopen the cached run. Change a recipe and its cache key changes.

The cache is a per-user folder, like torch's and Hugging Face's: ``$VIZDL_CACHE`` if set,
else ``$XDG_CACHE_HOME/vizdl``, else ``~/.cache/vizdl``.

>>> [name for name in sorted(RECIPES) if not name.startswith("digits-")][:3]
['circles-mlp', 'sequences-attention', 'sequences-transformer']
>>> RECIPES["xor-mlp"].model
'mlp'
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

CACHE_ENV = "VIZDL_CACHE"


def default_cache_dir() -> Path:
    """``$VIZDL_CACHE``, else ``$XDG_CACHE_HOME/vizdl``, else ``~/.cache/vizdl``."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "vizdl"


@dataclass(frozen=True)
class Recipe:
    """How to train one default run.

    Attributes
    ----------
    name : str
        ``"<dataset>-<model>"`` by convention (``"xor-mlp"``).
    description : str
        One line for listings.
    dataset, model : str
        Names for :func:`vizdl.data.load` and :func:`vizdl.models.build`.
    dataset_kw, model_kw, train_kw, record_kw : dict
        Keyword arguments of ``load``, ``build``, :func:`vizdl.train` and
        :class:`vizdl.RecordSpec`.
    seed : int
        Seeds the data split, the initial weights and training.
    init_std : float, optional
        Re-initialise every Linear/Conv weight from N(0, init_std²) (biases 0) before
        training: the notes' "too large" initialisation, which ``train(init=...)`` does not
        offer. ``None`` leaves the model as built (or to ``train_kw["init"]``).
    """

    name: str
    description: str
    dataset: str
    model: str
    dataset_kw: dict = field(default_factory=dict)
    model_kw: dict = field(default_factory=dict)
    train_kw: dict = field(default_factory=dict)
    record_kw: dict = field(default_factory=dict)
    seed: int = 0
    init_std: float | None = None

    def key(self) -> str:
        """A short hash of everything that changes the run (the cache folder's suffix)."""
        fields = {k: v for k, v in asdict(self).items() if not (k == "init_std" and v is None)}
        text = json.dumps(fields, sort_keys=True, default=list)
        return hashlib.sha1(text.encode()).hexdigest()[:10]


#: Recording of runs that only need their metrics (curves), and a last snapshot of the weights.
_CURVES = {"every": None, "grads": False, "activations": False}
_FINAL = {"every": None, "steps": (0,), "grads": False, "activations": False}
#: Step 0 with activations and gradients (initialisation), and the last snapshot.
_START = {"every": None, "steps": (0,), "activations": True, "grads": True, "probe_size": 64}


def _technique(name, description, model_kw, train_kw, record_kw=_CURVES, *, model="mlp", init_std=None):
    return Recipe(name, description, "digits", model, model_kw=model_kw, train_kw=train_kw, record_kw=dict(record_kw),
                  init_std=init_std)


#: Runs of the notes' Part III (training techniques) and of the CIFAR section (Part II §1.3), on digits.
TECHNIQUE_RECIPES = (
    _technique("digits-lr-high", "64-32-16-10 MLP, SGD with a too high learning rate (1)", {"hidden": (32, 16)},
               {"epochs": 15, "lr": 1.0}),
    _technique("digits-lr-good", "64-32-16-10 MLP, SGD with a good learning rate (0.1)", {"hidden": (32, 16)},
               {"epochs": 15, "lr": 0.1}),
    _technique("digits-lr-low", "64-32-16-10 MLP, SGD with a too low learning rate (0.01)", {"hidden": (32, 16)},
               {"epochs": 15, "lr": 0.01}),
    _technique("digits-plateau", "64-32-16-10 MLP, SGD 0.2 with the plateau schedule", {"hidden": (32, 16)},
               {"epochs": 20, "lr": 0.2, "schedule": {"name": "plateau", "patience": 1, "factor": 0.5}}),
    _technique("digits-early-stop", "64-128-128-10 MLP, Adam 0.001, early stopping with patience 5",
               {"hidden": (128, 128)}, {"epochs": 80, "lr": 0.001, "optimizer": "adam", "early_stopping": 5}),
    _technique("digits-clip", "64-32-16-10 MLP, SGD 0.2, gradients clipped to norm 1", {"hidden": (32, 16)},
               {"epochs": 5, "lr": 0.2, "clip_grad_norm": 1.0}, {"every": 20, "activations": False}),
    _technique("digits-init-small", "64-(64x6)-10 ReLU MLP, weights N(0, 0.01²) (init='normal'): too small",
               {"hidden": (64,) * 6}, {"epochs": 5, "lr": 0.05, "init": "normal"}, _START),
    _technique("digits-init-large", "64-(64x6)-10 ReLU MLP, weights N(0, 0.3²): too large (N(0, 0.5²) diverges)",
               {"hidden": (64,) * 6}, {"epochs": 5, "lr": 0.05}, _START, init_std=0.3),
    _technique("digits-init-xavier", "64-(64x6)-10 ReLU MLP, Xavier/Glorot initialisation",
               {"hidden": (64,) * 6}, {"epochs": 5, "lr": 0.05, "init": "xavier"}, _START),
    _technique("digits-init-he", "64-(64x6)-10 ReLU MLP, He initialisation",
               {"hidden": (64,) * 6}, {"epochs": 5, "lr": 0.05, "init": "he"}, _START),
    _technique("digits-reg-none", "64-64-10 MLP, SGD 0.1, no regularisation", {"hidden": (64,)},
               {"epochs": 20, "lr": 0.1}, _FINAL),
    _technique("digits-reg-l1", "64-64-10 MLP, SGD 0.1, L1 penalty 0.001", {"hidden": (64,)},
               {"epochs": 20, "lr": 0.1, "l1": 0.001}, _FINAL),
    _technique("digits-reg-l2", "64-64-10 MLP, SGD 0.1, L2 (weight decay) 0.01", {"hidden": (64,)},
               {"epochs": 20, "lr": 0.1, "weight_decay": 0.01}, _FINAL),
    _technique("digits-bn", "64-(64x4)-10 ReLU MLP with BatchNorm, SGD 0.05", {"hidden": (64,) * 4, "batch_norm": True},
               {"epochs": 10, "lr": 0.05}, {"every": None, "per_epoch": True, "grads": False}),
    _technique("digits-no-bn", "64-(64x4)-10 ReLU MLP without BatchNorm, SGD 0.05", {"hidden": (64,) * 4},
               {"epochs": 10, "lr": 0.05}, {"every": None, "per_epoch": True, "grads": False}),
    _technique("digits-dropout", "64-128-128-10 MLP with Dropout 0.5, Adam 0.003",
               {"hidden": (128, 128), "dropout": 0.5}, {"epochs": 20, "lr": 0.003, "optimizer": "adam"}, _FINAL),
    _technique("digits-no-dropout", "64-128-128-10 MLP without Dropout, Adam 0.003", {"hidden": (128, 128)},
               {"epochs": 20, "lr": 0.003, "optimizer": "adam"}, _FINAL),
    _technique("digits-model1-sgd", "the notes' Model 1 (fully connected), SGD 0.05", {},
               {"epochs": 20, "lr": 0.05}, _FINAL, model="cifar_fc"),
    _technique("digits-model1", "the notes' Model 1 (fully connected), Adam 0.001", {},
               {"epochs": 20, "lr": 0.001, "optimizer": "adam"}, _FINAL, model="cifar_fc"),
    _technique("digits-model2", "the notes' Model 2 (CNN), Adam 0.001", {},
               {"epochs": 20, "lr": 0.001, "optimizer": "adam"}, _FINAL, model="cifar_cnn"),
    _technique("digits-model3", "the notes' Model 3 (wide CNN, BatchNorm + Dropout 0.05), Adam 0.001", {},
               {"epochs": 20, "lr": 0.001, "optimizer": "adam"}, _FINAL, model="cifar_wide"),
    _technique("digits-model3-no-dropout", "the notes' Model 3 without Dropout, Adam 0.001", {"dropout": 0.0},
               {"epochs": 20, "lr": 0.001, "optimizer": "adam"}, _FINAL, model="cifar_wide"),
    _technique("digits-model3-plain", "the notes' Model 3 without BatchNorm and Dropout, Adam 0.001",
               {"batch_norm": False, "dropout": 0.0}, {"epochs": 20, "lr": 0.001, "optimizer": "adam"}, _FINAL,
               model="cifar_wide"),
)


#: The recurrent networks' task: remember the first of 10 tokens (4 token ids, 4 classes).
MEMORY_TASK = {"task": "first", "seq_len": 10, "vocab_size": 4}


def _recurrent_recipes() -> tuple:
    """RNN, LSTM and GRU on one memory task, and an RNN trained with and without clipping."""
    train = {"epochs": 10, "batch_size": 32, "lr": 0.01, "optimizer": "adam"}
    record = {"every": 20, "activations": ["states"], "probe_size": 16}
    width = {"hidden": 8, "embed_dim": 8}
    steep = {"epochs": 15, "batch_size": 32, "lr": 0.2, "optimizer": "momentum"}
    every_step = {"every": 1, "activations": False, "probe_size": 16}
    return (
        Recipe("sequences-rnn", "tanh RNN (8 units) remembering the first of 10 tokens (rnn scene)",
               "sequences", "rnn", dataset_kw=MEMORY_TASK, model_kw=width, train_kw=train, record_kw=record),
        Recipe("sequences-lstm", "LSTM (8 units, forget bias 1) on the same task (lstm scene)",
               "sequences", "lstm", dataset_kw=MEMORY_TASK, model_kw={**width, "forget_bias": 1.0},
               train_kw=train, record_kw=record),
        Recipe("sequences-gru", "GRU (8 units) on the same task", "sequences", "gru",
               dataset_kw=MEMORY_TASK, model_kw=width, train_kw=train, record_kw=record),
        Recipe("sequences-rnn-unclipped", "the RNN with SGD + momentum at lr 0.2: a gradient spike undoes it",
               "sequences", "rnn", dataset_kw=MEMORY_TASK, model_kw=width, train_kw=steep, record_kw=every_step),
        Recipe("sequences-rnn-clipped", "the same with the gradient norm clipped at 1",
               "sequences", "rnn", dataset_kw=MEMORY_TASK, model_kw=width,
               train_kw={**steep, "clip_grad_norm": 1.0}, record_kw=every_step),
    )


#: The last snapshot with the probe batch's activations (a larger probe for PCA pictures).
_LAST_WITH_PROBE = {"every": None, "steps": (0,), "grads": False, "activations": False, "probe_size": 200}


def _toy(dataset, model_name, description, hidden, lr):
    return Recipe(f"{dataset}-{model_name}", description, dataset, "mlp",
                  model_kw={"hidden": hidden, "activation": "relu"},
                  train_kw={"epochs": 60, "batch_size": 32, "lr": lr, "optimizer": "adam"},
                  record_kw=dict(_LAST_WITH_PROBE))


#: Runs of the notes' first chapters: "different AI models" (logistic regression vs an MLP on
#: the 2-D toy sets) and the representation of each layer of a CNN.
BASICS_RECIPES = (
    *(_toy(name, "logistic", f"logistic regression (2-2 linear, softmax) on {name}", (), 0.05)
      for name in ("moons", "circles", "xor")),
    *(_toy(name, "mlp16", f"2-16-16-2 ReLU MLP on {name}", (16, 16), 0.01) for name in ("moons", "circles", "xor")),
    Recipe("digits-cnn-layers", "the notes' cifar_cnn on the 8x8 digits, every layer recorded on 200 probe digits",
           "digits", "cifar_cnn", train_kw={"epochs": 5, "batch_size": 64, "lr": 0.003, "optimizer": "adam"},
           record_kw={"every": None, "steps": (0,), "grads": False, "probe_size": 200}),
    Recipe("digits-mlp-layers", "64-32-16-10 ReLU MLP on the 8x8 digits, every layer recorded on 200 probe digits",
           "digits", "mlp", model_kw={"hidden": (32, 16)}, train_kw={"epochs": 8, "batch_size": 32, "lr": 0.1},
           record_kw={"every": None, "steps": (0,), "grads": False, "probe_size": 200}),
)


RECIPES = {r.name: r for r in (
    Recipe("xor-mlp", "2-4-4-2 tanh MLP on xor (back-propagation and training scenes)",
           "xor", "mlp", model_kw={"hidden": (4, 4), "activation": "tanh"},
           train_kw={"epochs": 40, "batch_size": 16, "lr": 0.2}, record_kw={"every": 10}),
    Recipe("xor-mlp8", "2-8-8-2 tanh MLP on xor: the notes' 8-neuron width", "xor", "mlp",
           model_kw={"hidden": (8, 8), "activation": "tanh"},
           train_kw={"epochs": 40, "batch_size": 16, "lr": 0.2}, record_kw={"every": 10}),
    Recipe("circles-mlp", "2-4-4-2 tanh MLP on circles", "circles", "mlp",
           model_kw={"hidden": (4, 4), "activation": "tanh"},
           train_kw={"epochs": 40, "batch_size": 32, "lr": 0.5}, record_kw={"every": 60}),
    Recipe("digits-mlp", "64-32-16-10 ReLU MLP on the 8x8 digits", "digits", "mlp",
           model_kw={"hidden": (32, 16)}, train_kw={"epochs": 8, "batch_size": 32, "lr": 0.1},
           record_kw={"every": 40}),
    Recipe("digits-cnn", "the notes' cifar_cnn on the 8x8 digits (feature maps, kernels, SHAP)",
           "digits", "cifar_cnn", train_kw={"epochs": 5, "batch_size": 64, "lr": 0.01, "optimizer": "adam"},
           record_kw={"every": None, "per_epoch": True, "grads": False, "probe_size": 8,
                      "activations": ["features.*"]}),
    Recipe("sequences-attention", "tiny transformer (4 tokens, 2 heads of width 4) on 'contains'",
           "sequences", "tiny_transformer", dataset_kw={"task": "contains", "seq_len": 4},
           model_kw={"d_model": 8, "heads": 2, "depth": 1},
           train_kw={"epochs": 3, "lr": 0.003, "optimizer": "adam"},
           record_kw={"every": 50, "activations": ["blocks.*.norm1"], "probe_size": 16, "grads": False}),
    *_recurrent_recipes(),
    Recipe("sequences-transformer", "the demo's tiny transformer (8 tokens) on 'contains'",
           "sequences", "tiny_transformer", dataset_kw={"task": "contains"},
           train_kw={"epochs": 3, "batch_size": 32, "lr": 0.01, "optimizer": "adam"},
           record_kw={"every": 40}),
    *TECHNIQUE_RECIPES,
    *BASICS_RECIPES,
)}


def get(name: str) -> Recipe:
    """The recipe called ``name``; ``KeyError`` lists the known ones."""
    try:
        return RECIPES[name]
    except KeyError:
        raise KeyError(f"unknown recipe {name!r}; known recipes: {', '.join(sorted(RECIPES))}") from None


def cache_path(recipe: Recipe | str, cache_dir=None) -> Path:
    """Folder of a recipe's cached run: ``<cache_dir>/<name>-<key>``."""
    recipe = get(recipe) if isinstance(recipe, str) else recipe
    return Path(cache_dir or default_cache_dir()) / f"{recipe.name}-{recipe.key()}"


def recipe_run(name: str, *, cache_dir=None, quiet: bool = True):
    """The run of recipe ``name``: reopened from the cache, or trained once and cached.

    Parameters
    ----------
    name : str
        A key of :data:`RECIPES`.
    cache_dir : path-like, optional
        The cache folder (default :func:`default_cache_dir`).
    quiet : bool
        No progress bar while training.

    Returns
    -------
    vizdl.Run
    """
    from vizdl.runs import Run

    recipe = get(name)
    path = cache_path(recipe, cache_dir)
    if (path / "run.json").is_file():
        run = Run.open(path)
        if run.meta.get("status") in ("complete", "stopped_early"):
            return run
        shutil.rmtree(path, ignore_errors=True)  # a stale, incomplete cache entry
    return _train_into(recipe, path, quiet)


def open_run(run=None, recipe: str | None = None, *, cache_dir=None):
    """The run a scene shows: ``run`` (a path or a Run) when given, else the cached run of ``recipe``.

    Raises ValueError when neither is given.
    """
    from vizdl.runs import Run

    if run:
        return run if isinstance(run, Run) else Run.open(run)
    if not recipe:
        raise ValueError("a scene needs a run: give run=<run directory> or recipe=<one of "
                         f"{', '.join(sorted(RECIPES))}>")
    return recipe_run(recipe, cache_dir=cache_dir)


def _train_into(recipe: Recipe, path: Path, quiet: bool):
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{recipe.name}-", dir=path.parent))
    try:
        _train(recipe, staging / "run", quiet)
        try:
            os.replace(staging / "run", path)
        except OSError:  # another process cached it first: keep theirs
            pass
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    from vizdl.runs import Run

    return Run.open(path)


def _train(recipe: Recipe, out: Path, quiet: bool) -> None:
    import torch

    import vizdl

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny models: extra threads only add synchronisation
    try:
        data = vizdl.data.load(recipe.dataset, seed=recipe.seed, **recipe.dataset_kw)
        model = vizdl.models.build(recipe.model, data=data, seed=recipe.seed, **recipe.model_kw)
        if recipe.init_std is not None:
            _normal_init(model, recipe.init_std, recipe.seed)
        record = vizdl.RecordSpec(**recipe.record_kw)
        vizdl.train(model, data, seed=recipe.seed, record=record, out=out, quiet=quiet, **recipe.train_kw)
    finally:
        torch.set_num_threads(threads)


def _normal_init(model, std: float, seed: int) -> None:
    """Every Linear/Conv weight from N(0, std²), biases 0 (like ``training.options.initialize``)."""
    import torch
    from torch import nn

    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, (nn.Linear, nn.Conv1d, nn.Conv2d)):
                nn.init.normal_(module.weight, std=std, generator=generator)
                if module.bias is not None:
                    nn.init.zeros_(module.bias)


__all__ = ["CACHE_ENV", "RECIPES", "Recipe", "cache_path", "default_cache_dir", "get", "open_run", "recipe_run"]
