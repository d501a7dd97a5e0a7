"""What a comparison of runs shows: per-epoch training and validation curves, one colour per run.

Run ``k`` has the role ``"run k"`` (the class palette: never the sign colours); the
training curve is solid, the validation curve dashed, and the gap between them is shaded
in the run's colour. Labels say what tells the runs apart (``λ = 0.1``, ``optimizer =
adam``, the notes' model names), written by :func:`vizdl.styles.theme.fmt`.

>>> run_label({"model": "cifar_wide", "batch_norm": False}, ["model", "batch_norm"])
'Model 3 (wide CNN), BatchNorm off'
>>> run_label({"lr": 0.001, "optimizer": "adam", "dropout": 0.0}, ["optimizer", "lr", "dropout"])
'Adam, λ = 0.001, dropout off'
"""
from __future__ import annotations

import math
import numbers

from vizdl.styles.theme import fmt
from vizdl.views.base import Step, Story
from vizdl.views.plot import Fill, Plot, Series

#: The notes' names of the CIFAR models (Part II §1.3).
NOTES_MODELS = {"cifar_fc": "Model 1 (FC)", "cifar_cnn": "Model 2 (CNN)", "cifar_wide": "Model 3 (wide CNN)"}
METRIC_NAMES = {"loss": "loss", "acc": "accuracy"}
SPLIT_DASHES = {"train": "solid", "val": "dashed"}
#: Settings whose 0 (or None) means "not used".
SWITCHES = ("dropout", "l1", "weight_decay", "clip_grad_norm", "early_stopping", "schedule", "init", "augment")


def setting_text(key: str, value) -> str:
    """One setting as a label writes it: ``λ = 0.1``, ``BatchNorm off``, ``Model 2 (CNN)``."""
    from vizdl.ops.compare import SETTING_NAMES
    from vizdl.views.optimizers import OPTIMIZER_NAMES

    if key == "model":
        return NOTES_MODELS.get(value, str(value))
    if key == "optimizer":
        return OPTIMIZER_NAMES.get(value, str(value))
    name = SETTING_NAMES.get(key, key)
    if key in SWITCHES and not value:
        return f"{name} off"
    if isinstance(value, bool) or value is None:
        return f"{name} {'on' if value else 'off'}"
    if isinstance(value, numbers.Real):
        return f"{name} = {fmt(value, 4)}"
    if isinstance(value, (list, tuple)):
        return f"{name} = ({', '.join(str(v) for v in value)})" if value else f"{name} off"
    if isinstance(value, dict):
        return f"{name} = {value.get('name', value)}"
    return f"{name} = {value}"


def run_label(settings: dict, keys) -> str:
    """The label of a run: its value of each of ``keys``."""
    return ", ".join(setting_text(k, settings.get(k)) for k in keys)


def run_labels(runs) -> list[str]:
    """Labels telling ``runs`` apart (their differing settings; the run name when none differ)."""
    from vizdl.ops.compare import differing_settings, settings

    all_settings = [settings(r) for r in runs]
    keys = differing_settings(all_settings)
    if not keys:
        return [r.meta.get("name") or r.path.name for r in runs]
    return [run_label(s, keys) for s in all_settings]


def compare_view(runs, metric: str = "loss", *, labels=None, gap: bool = True) -> Plot:
    """The comparison chart of ``runs`` (Run objects or paths) for ``metric``.

    Parameters
    ----------
    runs : sequence of Run or path
    metric : {"loss", "acc"}
    labels : sequence of str, optional
        One per run (default: :func:`run_labels`).
    gap : bool
        Shade the gap between each run's training and validation curves.
    """
    from vizdl.ops._runs import as_run
    from vizdl.ops.compare import epoch_curves

    runs = [as_run(r) for r in runs]
    if not runs:
        raise ValueError("runs: give at least one run")
    labels = list(labels) if labels is not None else run_labels(runs)
    if len(labels) != len(runs):
        raise ValueError(f"labels: one per run ({len(runs)}), got {len(labels)}")
    curves = [epoch_curves(r, metric) for r in runs]
    elements, steps = [], []
    for k, (c, label) in enumerate(zip(curves, labels)):
        role = f"run {k}"
        elements += [Series.of(f"train-{k}", c.epochs, c.train, role=role, label=label, dash="solid"),
                     Series.of(f"val-{k}", c.epochs, c.val, role=role, dash="dashed", marker="o", width=0.8)]
        steps.append(Step(f"run-{k}", _run_caption(label, c), (f"train-{k}", f"val-{k}"), 3))
    if gap:
        elements += [Fill(f"gap-{k}", c.epochs, c.train, c.val, role=f"run {k}", alpha=0.12)
                     for k, c in enumerate(curves)]
        steps.append(Step("gap", _gap_caption(curves, labels), tuple(f"gap-{k}" for k in range(len(runs))),
                          len(runs)))
    name = METRIC_NAMES.get(metric, metric)
    return Plot(f"{name.capitalize()} of {describe_runs(runs)}: training (solid) and validation (dashed)", "epoch",
                name, tuple(elements), Story(tuple(steps)))


def describe_runs(runs) -> str:
    """``"3 runs on digits"``."""
    from vizdl.ops._runs import as_run

    runs = [as_run(r) for r in runs]
    datasets = sorted({str((r.meta.get("dataset") or {}).get("name")) for r in runs})
    return f"{len(runs)} run{'s' if len(runs) > 1 else ''} on {', '.join(datasets)}"


def _run_caption(label: str, c) -> str:
    name = METRIC_NAMES.get(c.metric, c.metric)
    return (f"{label}: after {len(c.epochs)} epochs the training {name} is {fmt(c.train[-1])} and the "
            f"validation {name} {fmt(c.val[-1])}.")


def _gap_caption(curves, labels) -> str:
    gaps = [abs(float(c.gap[-1])) for c in curves]
    widest = max(range(len(curves)), key=gaps.__getitem__)
    return (f"The shaded gap between training and validation is the overfitting; it is widest for "
            f"{labels[widest]} ({fmt(gaps[widest])} after the last epoch).")


def describe_run(run) -> str:
    """``"MLP 64-(64×6)-10 on digits, SGD"``: what a run trained, for titles."""
    from vizdl.ops._runs import as_run, hparams
    from vizdl.views.optimizers import OPTIMIZER_NAMES

    run = as_run(run)
    model = run.meta.get("model") or {}
    name = model.get("name") or model.get("class") or "model"
    if name == "mlp":
        rows = (model.get("summary") or {}).get("rows") or []
        widths = [int(r["output_shape"][0]) for r in rows if r["type"] == "Linear" and r.get("output_shape")]
        inputs = int(math.prod((model.get("summary") or {}).get("input_shape") or [0]))
        name = f"MLP {_sizes_text([inputs] + widths)}"
    name = NOTES_MODELS.get(name, name)
    dataset = (run.meta.get("dataset") or {}).get("name")
    optimizer = OPTIMIZER_NAMES.get(hparams(run).get("optimizer"), "")
    return f"{name}{f' on {dataset}' if dataset else ''}{f', {optimizer}' if optimizer else ''}"


def _sizes_text(sizes) -> str:
    """``[64, 64, 64, 64, 10]`` -> ``64-(64×3)-10``: repeated widths written once."""
    parts, k = [], 0
    while k < len(sizes):
        run = 1
        while k + run < len(sizes) and sizes[k + run] == sizes[k] and k > 0:
            run += 1
        parts.append(f"({sizes[k]}\u00d7{run})" if run > 2 else "-".join([str(sizes[k])] * run))
        k += run
    return "-".join(parts)


__all__ = ["METRIC_NAMES", "NOTES_MODELS", "SPLIT_DASHES", "SWITCHES", "compare_view", "describe_run", "describe_runs",
           "run_label", "run_labels",
           "setting_text"]
