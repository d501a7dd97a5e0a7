"""Several runs side by side: per-epoch curves and what tells the runs apart.

The training curve of an epoch is the mean of the values logged at its steps (what a
progress bar reports), the validation curve the value logged after the epoch; the gap
between them is the overfitting the notes' CIFAR section discusses.

>>> differing_settings([{"lr": 0.1, "optimizer": "sgd"}, {"lr": 0.1, "optimizer": "adam"}])
['optimizer']
>>> differing_settings([{"model": "cifar_cnn", "padding": "auto"}, {"model": "cifar_wide", "dropout": 0.05}])
['model']
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vizdl.ops._runs import as_run, hparams

#: Settings that name a run in a comparison, in the order they are written.
SETTINGS = ("model", "batch_norm", "dropout", "hidden", "optimizer", "lr", "schedule", "init", "weight_decay", "l1",
            "clip_grad_norm", "early_stopping", "augment", "batch_size", "epochs", "dataset")
#: How a setting is written in a label.
SETTING_NAMES = {"lr": "\u03bb", "weight_decay": "L2", "l1": "L1", "clip_grad_norm": "clip",
                 "early_stopping": "patience", "batch_norm": "BatchNorm"}


@dataclass(frozen=True)
class EpochCurves:
    """Training and validation values of one metric, one point per epoch.

    Attributes
    ----------
    metric : str
        ``"loss"`` or ``"acc"`` (any metric logged per step with a ``val_`` twin).
    epochs : ndarray
        1-based epoch numbers.
    train : ndarray
        Mean of the per-step training values of each epoch.
    val : ndarray
        Validation value after each epoch.
    """

    metric: str
    epochs: np.ndarray
    train: np.ndarray
    val: np.ndarray

    @property
    def gap(self) -> np.ndarray:
        """``val - train`` per epoch (for a loss: how much worse unseen data does)."""
        return self.val - self.train


def epoch_curves(run, metric: str = "loss") -> EpochCurves:
    """Per-epoch training means and validation values of ``metric`` from ``run.metrics``."""
    run = as_run(run)
    train, val = {}, {}
    for line in run.metrics:
        epoch = line.get("epoch")
        if epoch is None:
            continue
        if f"val_{metric}" in line:
            val[int(epoch)] = float(line[f"val_{metric}"])
        elif line.get(metric) is not None:
            train.setdefault(int(epoch), []).append(float(line[metric]))
    epochs = sorted(set(train) & set(val))
    if not epochs:
        raise ValueError(f"metric: run {run.path} has no epoch with both {metric!r} and 'val_{metric}' logged")
    return EpochCurves(metric, np.array(epochs) + 1, np.array([np.mean(train[e]) for e in epochs]),
                       np.array([val[e] for e in epochs]))


def settings(run) -> dict:
    """What a comparison can tell runs apart by: model, its options, training options, dataset."""
    run = as_run(run)
    model = run.meta.get("model") or {}
    config = {k: v for k, v in (model.get("config") or {}).items() if k not in ("input_shape", "num_classes")}
    options = {k: v for k, v in hparams(run).items() if k != "device"}
    return {"model": model.get("name") or model.get("class"), **config, **options,
            "dataset": (run.meta.get("dataset") or {}).get("name")}


def differing_settings(all_settings) -> list[str]:
    """Keys whose values differ between the dicts, in :data:`SETTINGS` order (then the others).

    When the models differ, a model option counts only if it differs between runs of the
    same model (``padding`` of a CNN does not tell a CNN from an MLP).
    """
    keys = {k for s in all_settings for k in s}
    differing = [k for k in keys if _differs(all_settings, k)]
    if "model" in differing:
        groups = {}
        for s in all_settings:
            groups.setdefault(s.get("model"), []).append(s)
        differing = [k for k in differing if k == "model" or k in TRAINING_KEYS or k == "dataset"
                     or any(_differs(group, k) for group in groups.values())]
    return sorted(differing, key=lambda k: (SETTINGS.index(k) if k in SETTINGS else len(SETTINGS), k))


#: The options of ``vizdl.train`` (every other setting is the model's).
TRAINING_KEYS = ("epochs", "batch_size", "lr", "optimizer", "momentum", "schedule", "early_stopping", "clip_grad_norm",
                 "weight_decay", "l1", "init", "augment")


def _differs(all_settings, key) -> bool:
    return len({repr(s.get(key)) for s in all_settings}) > 1


__all__ = ["EpochCurves", "SETTINGS", "SETTING_NAMES", "TRAINING_KEYS", "differing_settings", "epoch_curves",
           "settings"]
