"""What the training-technique charts show (notes Part III), as :class:`~vizdl.views.plot.Plot` views.

Each builder takes numbers from :mod:`vizdl.ops.techniques` (or :mod:`vizdl.ops.timing`)
and returns a chart whose elements carry roles and whose texts are written by
:func:`vizdl.styles.theme.fmt`, with a story of captioned steps.

>>> view = penalties_view()
>>> [e.label for e in view.elements if e.id.startswith("penalty")]
['L1: |θ|', 'L2: θ²']
"""
from __future__ import annotations

import numpy as np

from vizdl.styles.theme import fmt
from vizdl.views.base import Label, Step, Story
from vizdl.views.plot import Band, Bars, Distribution, Mark, Plot, Rule, Series

#: Names of the schedules as the charts write them.
SCHEDULE_NAMES = {"step": "step", "exponential": "exponential", "cosine": "cosine", "warmup": "warm-up",
                  "plateau": "plateau"}


# -- learning-rate schedules ------------------------------------------------------------------------
def schedules_view(lrs: dict, *, lr: float, steps_per_epoch: int, source: str = "") -> Plot:
    """The learning rate against the epoch for each schedule.

    Parameters
    ----------
    lrs : dict of str -> ndarray
        Schedule name -> learning rate per step (:func:`vizdl.ops.techniques.schedule_lrs`).
    lr : float
        The initial learning rate.
    steps_per_epoch : int
    source : str
        What the schedules were computed for (``"digits MLP run, 10 epochs"``).
    """
    elements, steps = [], []
    for k, (name, values) in enumerate(lrs.items()):
        values = np.asarray(values, dtype=float)
        epochs = np.arange(values.size) / steps_per_epoch
        text = SCHEDULE_NAMES.get(name, name)
        role = f"run {k if k < 4 else k + 1}"  # the palette's 5th colour (green) is too close to its 1st (teal)
        elements.append(Series.of(f"lr-{name}", epochs, values, role=role, label=text))
        steps.append(Step(f"schedule-{name}", f"{text.capitalize()}: from {fmt(values[0], 4)} to "
                          f"{fmt(values[-1], 4)} over {fmt(values.size / steps_per_epoch)} epochs.",
                          (f"lr-{name}",), 2))
    first = next(iter(lrs.values()))
    title = (f"Learning-rate schedules over {fmt(len(first) / steps_per_epoch)} epochs from λ = {fmt(lr, 4)}"
             + (f" ({source})" if source else ""))
    return Plot(title, "epoch", "learning rate λ", tuple(elements), Story(tuple(steps)))


# -- early stopping --------------------------------------------------------------------------------
def early_stopping_view(trace, train_loss=None, *, source: str = "") -> Plot:
    """Validation loss per epoch with the best epoch, the patience window and the stop.

    Parameters
    ----------
    trace : vizdl.ops.techniques.EarlyStoppingTrace
    train_loss : ndarray, optional
        Per-epoch training loss (drawn solid, for the gap).
    source : str
        What was trained (``"digits MLP 64-128-128-10, Adam"``).
    """
    elements = []
    if train_loss is not None:
        elements.append(Series.of("train", trace.epochs, train_loss, role="run 0", label="training loss"))
    elements.append(Series.of("val", trace.epochs, trace.val_loss, role="run 0", dash="dashed", marker="o",
                              label="validation loss"))
    best = Mark("best", trace.best_epoch, trace.best_loss, role="focus",
                label=Label(f"best: epoch {trace.best_epoch}, {fmt(trace.best_loss, 3)}", size="small"))
    elements.append(best)
    steps = [Step("curves", "Training and validation loss after each epoch.", ("train", "val")),
             Step("best", f"The validation loss is lowest after epoch {trace.best_epoch}: "
                  f"{fmt(trace.best_loss, 3)}.", ("best",), 2)]
    if trace.stop_epoch is not None:
        elements += [Band("patience", trace.best_epoch, trace.stop_epoch, role="muted", alpha=0.18,
                          label=Label(f"patience = {trace.patience} epochs", "ink", size="small")),
                     Rule("stop", trace.stop_epoch, "x", role="ink",
                          label=Label(f"stop after epoch {trace.stop_epoch}", size="small"))]
        steps += [Step("patience", f"For the next {trace.patience} epochs (the patience) it never goes below "
                       f"{fmt(trace.best_loss, 3)}{_delta(trace.min_delta)}.", ("patience",), 1),
                  Step("stop", f"So training stops after epoch {trace.stop_epoch}, "
                       f"{trace.stop_epoch - trace.best_epoch} epochs after the best one.", ("stop",), 1)]
    title = "Early stopping" + (f": {source}" if source else "")
    return Plot(title, "epoch", "loss (log scale)", tuple(elements), Story(tuple(steps)), yscale="log")


def _delta(min_delta: float) -> str:
    return f" by more than min_delta = {fmt(min_delta, 4)}" if min_delta else ""


# -- gradient clipping -----------------------------------------------------------------------------
def clipping_view(trace, *, source: str = "") -> Plot:
    """Total gradient norm per step before and after clipping, with the threshold."""
    share = float(np.mean(trace.clipped))
    elements = (Series.of("before", trace.steps, trace.before, role="gradient", alpha=0.45, width=0.7,
                          label="before clipping"),
                Series.of("after", trace.steps, trace.after, role="gradient", label="after clipping"),
                Rule("threshold", trace.threshold, "y", role="ink",
                     label=Label(f"threshold c = {fmt(trace.threshold)}", size="small")))
    steps = (Step("before", f"The total gradient norm ‖∇l‖ of every step, as computed by backward: up to "
                  f"{fmt(trace.before.max())}.", ("before",), 1),
             Step("threshold", f"The threshold c = {fmt(trace.threshold)}: {fmt(100 * share, 0)}% of the steps "
                  "exceed it.", ("threshold",), 2),
             Step("after", "Clipping rescales those gradients to norm c; the others pass unchanged.", ("after",)))
    title = "Gradient clipping" + (f": {source}" if source else "")
    return Plot(title, "step", "gradient norm ‖∇l‖", elements, Story(steps))


# -- L1 / L2 --------------------------------------------------------------------------------------------
def penalties_view(limit: float = 2.0, *, roles=("run 1", "run 2")) -> Plot:
    """The L1 penalty |θ| and the L2 penalty θ² on ``[-limit, limit]``."""
    from vizdl.ops.techniques import penalties

    theta = np.linspace(-limit, limit, 401)
    values = penalties(theta)
    elements = (Series.of("penalty-l1", theta, values["L1"], role=roles[0], label="L1: |θ|"),
                Series.of("penalty-l2", theta, values["L2"], role=roles[1], label="L2: θ²"))
    steps = (Step("l1", "L1 adds |θ|: the same pull towards 0 for every weight, however small, so many end at 0.",
                  ("penalty-l1",)),
             Step("l2", "L2 adds θ²: a pull proportional to θ, strong on large weights, vanishing near 0.",
                  ("penalty-l2",)))
    return Plot("Penalties added to the loss", "weight θ", "penalty", elements, Story(steps))


def weight_histograms_view(values, labels, *, threshold: float = 1e-2, bins: int = 60, source: str = "") -> Plot:
    """Histograms (as outlines) of the weight values of several runs, with their sparsity.

    Parameters
    ----------
    values : sequence of ndarray
        The weights of each run (:func:`vizdl.ops.techniques.weight_matrix_values`).
    labels : sequence of str
    threshold : float
        A weight counts as zero below this magnitude.
    """
    from vizdl.ops.techniques import sparsity

    values = [np.asarray(v, dtype=float).ravel() for v in values]
    limit = float(np.quantile(np.abs(np.concatenate(values)), 0.995))
    edges = np.linspace(-limit, limit, bins + 1)
    elements, steps = [], []
    for k, (v, label) in enumerate(zip(values, labels)):
        counts, _ = np.histogram(v, edges)  # the 0.5% largest magnitudes fall outside
        x, y = np.repeat(edges, 2)[1:-1], np.repeat(counts / v.size, 2)
        share = sparsity(v, threshold)
        elements.append(Series.of(f"hist-{k}", x, y, role=f"run {k}", label=f"{label}: {fmt(100 * share, 1)}% ≈ 0"))
        steps.append(Step(f"weights-{k}", f"{label}: {fmt(100 * share, 1)}% of the weights are within "
                          f"{fmt(threshold, 4)} of 0.", (f"hist-{k}",), 2))
    title = "Weights after training" + (f": {source}" if source else "")
    return Plot(title, "weight value", "fraction of weights", tuple(elements), Story(tuple(steps)), yscale="log",
                note=f"≈ 0: |w| < {fmt(threshold, 4)}", note_loc="top")


# -- per-layer distributions (initialisation, BatchNorm) --------------------------------------------------
def distributions_view(groups, *, title: str, ylabel: str, roles=None, labels=None, what: str = "values",
                       texts: bool = False) -> Plot:
    """Violins of per-layer values, one slot per layer, several runs side by side in a slot.

    Parameters
    ----------
    groups : sequence of list of (layer, ndarray)
        One list per run (:func:`vizdl.ops.techniques.layer_values`), layers in forward order.
    title, ylabel : str
    roles : sequence of str, optional
        Role of each run (``"run k"`` by default).
    labels : sequence of str, optional
        Name of each run (legend and captions).
    what : str
        What the values are, for the captions (``"activations"``).
    texts : bool
        Write each violin's standard deviation above it (a few violins only); otherwise
        the note says how the standard deviation goes from the first layer to the last.
    """
    roles = list(roles or [f"run {k}" for k in range(len(groups))])
    labels = list(labels or [f"run {k}" for k in range(len(groups))])
    width = 0.8 / len(groups)
    elements, steps = [], []
    for k, (layers, role, label) in enumerate(zip(groups, roles, labels)):
        ids = []
        for j, (_layer, values) in enumerate(layers):
            position = j + 1 + (k - (len(groups) - 1) / 2) * width
            std = float(np.std(values))
            elements.append(Distribution(f"dist-{k}-{j}", position, np.asarray(values).ravel(), role,
                                         f"σ {fmt(std, 3)}" if texts else "", width * 0.9, label if j == 0 else ""))
            ids.append(f"dist-{k}-{j}")
        stds = ", ".join(fmt(np.std(v), 3) for _, v in layers)
        steps.append(Step(f"run-{k}", f"{label}: standard deviation of the {what} layer by layer: {stds}.",
                          tuple(ids), len(layers)))
    names = [layer for layer, _ in groups[0]]
    note = "" if texts or len(groups) > 1 else \
        f"σ {fmt(np.std(groups[0][0][1]), 3)} \u2192 {fmt(np.std(groups[0][-1][1]), 3)}"
    return Plot(title, "layer (forward order)", ylabel, tuple(elements), Story(tuple(steps)),
                xticks=(tuple(range(1, len(names) + 1)), tuple(names)), note=note, note_loc="top")


# -- GPU acceleration ---------------------------------------------------------------------------------
def timing_view(timings, *, source: str = "") -> Plot:
    """Forward and backward milliseconds per device, measured by :func:`vizdl.ops.timing.time_passes`."""
    categories = tuple(f"{t.device.upper()}\n{t.name}" + (_threads(t.threads) if t.device == "cpu" else "")
                       for t in timings)
    forward = Bars("forward", categories, np.array([t.forward_ms for t in timings]),
                   tuple(f"{fmt(t.forward_ms, 1)} ms" for t in timings), role="value", offset=-0.2, height=0.38,
                   label="forward")
    backward = Bars("backward", categories, np.array([t.backward_ms for t in timings]),
                    tuple(f"{fmt(t.backward_ms, 1)} ms" for t in timings), role="gradient", offset=0.2, height=0.38,
                    label="backward")
    steps = [Step(f"device-{t.device}", f"{t.device.upper()} ({t.name}): forward {fmt(t.forward_ms)} ms, backward "
                  f"{fmt(t.backward_ms)} ms per batch of {t.batch_size} (median of {t.repeats}).", (), 2)
             for t in timings]
    steps[0] = Step(steps[0].name, steps[0].caption, ("forward", "backward"), 2)
    note = "" if any(t.device.startswith("cuda") for t in timings) else \
        "No CUDA device on this machine: CPU only. Run it where torch sees a GPU to compare."
    title = "Forward and backward time per batch" + (f": {source}" if source else "")
    return Plot(title, "milliseconds", "", (forward, backward), Story(tuple(steps)), note=note)


def _threads(count: int) -> str:
    return f"\n{count} thread{'s' if count != 1 else ''}"


# -- labels of runs ---------------------------------------------------------------------------------
INIT_NAMES = {"xavier": "Xavier", "he": "He", "normal": "N(0, 0.01\u00b2)", "zeros": "zeros", None: "own init"}


def init_label(run, name: str | None = None) -> str:
    """``"He"`` and ``"σ(W₁) = 0.176"`` on two lines: a name (the init option) and the std of the first weights."""
    from vizdl.ops._runs import as_run, hparams
    from vizdl.ops.techniques import layer_values

    run = as_run(run)
    first = layer_values(run, run.steps[0], "weight")[0][1]
    name = name or INIT_NAMES.get(hparams(run).get("init"), hparams(run).get("init"))
    return f"{name}\n\u03c3(W\u2081) = {fmt(np.std(first), 3)}"


def penalty_label(run) -> str:
    """``"L1 = 0.001"``, ``"L2 = 0.01"``, both, or ``"no penalty"``, from the run's options."""
    from vizdl.ops._runs import as_run, hparams

    options = hparams(as_run(run))
    parts = [f"{name} = {fmt(options[key], 4)}" for name, key in (("L1", "l1"), ("L2", "weight_decay"))
             if options.get(key)]
    return ", ".join(parts) or "no penalty"


__all__ = ["INIT_NAMES", "SCHEDULE_NAMES", "clipping_view", "distributions_view", "early_stopping_view", "init_label",
           "penalties_view", "penalty_label",
           "schedules_view", "timing_view", "weight_histograms_view"]
