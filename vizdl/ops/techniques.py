"""The numbers behind the notes' training techniques (Part III), taken from the training code and runs.

Each function calls the code :func:`vizdl.train` itself uses (``training.options``:
``augment``, ``make_schedule``, ``EarlyStopping``, torch's ``clip_grad_norm_`` formula) or
reads what a run recorded, so a picture shows what training did, not a re-enactment.

>>> clipped_norm([0.5, 4.0], 1.0).round(6).tolist()
[0.5, 1.0]
>>> sparsity([0.0, 0.001, 0.5, -2.0], threshold=0.01)
0.5
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vizdl.ops._runs import as_run, hparams
from vizdl.ops.architecture import ACTIVATION_TYPES, summary_rows


# -- data augmentation -------------------------------------------------------------------------
@dataclass(frozen=True)
class Augmented:
    """Draws of one augmentation applied to one image by the training loop's function.

    Attributes
    ----------
    kind : str
        ``"flip"``, ``"shift"``, ``"noise"`` or several joined by ``"+"`` (applied in that order).
    images : ndarray, shape (draws, C, H, W)
    flipped : ndarray of bool, shape (draws,)
        The draw is the mirror image of the (shifted) original.
    shifts : ndarray of int, shape (draws, 2)
        ``(dy, dx)`` of the roll the draw shows (0, 0 when none).
    noise_std : ndarray, shape (draws,)
        Standard deviation of what was added on top of the flip and shift.
    """

    kind: str
    images: np.ndarray
    flipped: np.ndarray
    shifts: np.ndarray
    noise_std: np.ndarray


def augmentations(image, kinds=("flip", "shift", "noise"), *, draws: int = 4, seed: int = 0,
                  combined: bool = True) -> list[Augmented]:
    """``draws`` random variants of ``image`` per kind, made by ``vizdl.training.options.augment``.

    Each draw is one call of the loop's function on a batch of one image, with one seeded
    generator (the loop passes its own, seeded by ``train(seed=...)``). What each draw did —
    mirrored, rolled by ``(dy, dx)``, noise of some standard deviation — is read back from
    the result.

    Parameters
    ----------
    image : array, shape (C, H, W)
    kinds : sequence of {"flip", "shift", "noise"}
    draws : int
    seed : int
    combined : bool
        Add a row with all ``kinds`` chained, as ``train(augment=kinds)`` applies them.
    """
    import torch

    from vizdl.training import options

    x = torch.as_tensor(np.asarray(image, dtype=np.float32))
    if x.dim() != 3:
        raise ValueError(f"image must have shape (C, H, W), got {tuple(x.shape)}")
    generator = torch.Generator().manual_seed(seed)
    rows = [(kind,) for kind in kinds] + ([tuple(kinds)] if combined and len(kinds) > 1 else [])
    out = []
    for row in rows:
        images = np.stack([options.augment(x[None], row, generator)[0].numpy() for _ in range(int(draws))])
        out.append(_describe("+".join(row), np.asarray(x), images))
    return out


def _describe(kind: str, original: np.ndarray, images: np.ndarray) -> Augmented:
    flipped, shifts, stds = [], [], []
    for image in images:
        best = min(((np.abs(image - v).max(), flip, s) for flip, s, v in _candidates(original)), key=lambda t: t[0])
        _, flip, shift = best
        reference = _transform(original, flip, shift)
        flipped.append(flip)
        shifts.append(shift)
        stds.append(float(np.std(image - reference)))
    return Augmented(kind, images, np.array(flipped), np.array(shifts, dtype=int), np.array(stds))


def _transform(x, flip: bool, shift) -> np.ndarray:
    x = x[..., ::-1] if flip else x
    return np.roll(x, shift, axis=(-2, -1))


def _candidates(x):
    for flip in (False, True):
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                yield flip, (dy, dx), _transform(x, flip, (dy, dx))


# -- learning-rate schedules ----------------------------------------------------------------------
def schedule_lrs(schedule, *, lr: float, epochs: int, steps_per_epoch: int, val_losses=None) -> np.ndarray:
    """The learning rate used at each step of a training with ``schedule``.

    The scheduler is built by ``vizdl.training.options.make_schedule`` on a one-parameter
    optimizer and stepped exactly as the training loop steps it: after every optimizer
    step, or (``"plateau"``) after every epoch with that epoch's validation loss.

    Parameters
    ----------
    schedule : str or dict
        As ``vizdl.train(schedule=...)``.
    lr : float
        The initial learning rate.
    epochs, steps_per_epoch : int
    val_losses : sequence of float, optional
        One validation loss per epoch; needed by ``"plateau"``.

    Returns
    -------
    ndarray, shape (epochs * steps_per_epoch,)
        The value ``vizdl.train`` logs as ``lr`` at each step.
    """
    import torch

    from vizdl.training import options

    param = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.SGD([param], lr=lr)
    total = int(epochs) * int(steps_per_epoch)
    scheduler = options.make_schedule(schedule, optimizer, total_steps=total)
    plateau = isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau)
    if plateau and (val_losses is None or len(val_losses) < epochs):
        raise ValueError(f"val_losses: the plateau schedule needs one validation loss per epoch ({epochs}), "
                         f"got {0 if val_losses is None else len(val_losses)}")
    lrs = []
    for step in range(total):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        if plateau and (step + 1) % steps_per_epoch == 0:
            scheduler.step(float(val_losses[step // steps_per_epoch]))
        elif scheduler is not None and not plateau:
            scheduler.step()
    return np.array(lrs)


def run_schedule_lrs(run, schedule) -> np.ndarray:
    """:func:`schedule_lrs` for ``run``'s length, lr and (plateau) validation losses.

    A schedule named like the one ``run`` was trained with takes that schedule's options,
    so the run's own schedule gives exactly the ``lr`` it logged.
    """
    run = as_run(run)
    options = hparams(run)
    trained = options.get("schedule")
    trained_name = trained.get("name") if isinstance(trained, dict) else trained
    if isinstance(schedule, str) and schedule == trained_name:
        schedule = trained
    _, val = run.metric("val_loss")
    epochs = len(val)
    steps, _ = run.metric("loss")
    return schedule_lrs(schedule, lr=options["lr"], epochs=epochs, steps_per_epoch=len(steps) // max(epochs, 1),
                        val_losses=val)


# -- early stopping ------------------------------------------------------------------------------
@dataclass(frozen=True)
class EarlyStoppingTrace:
    """The training code's ``EarlyStopping`` replayed over a run's validation losses.

    Attributes
    ----------
    epochs : ndarray
        Epochs completed, 1-based (the x axis).
    val_loss : ndarray
    best_epoch : int
        Epoch of the lowest validation loss (1-based) before the stop.
    stop_epoch : int or None
        Epoch after which training stopped (``None``: it ran to the end).
    patience : int
    min_delta : float
    """

    epochs: np.ndarray
    val_loss: np.ndarray
    best_epoch: int
    stop_epoch: int | None
    patience: int
    min_delta: float

    @property
    def best_loss(self) -> float:
        """The validation loss at :attr:`best_epoch`."""
        return float(self.val_loss[self.best_epoch - 1])


def early_stopping_trace(run) -> EarlyStoppingTrace:
    """Replay ``vizdl.training.options.EarlyStopping`` over the run's validation losses.

    Raises ValueError when the run was trained without early stopping, or when the replay
    disagrees with the run's status (the run's stop is the loop's own decision).
    """
    from vizdl.training.options import EarlyStopping

    run = as_run(run)
    option = hparams(run).get("early_stopping")
    stopper = EarlyStopping.from_option(option)
    if stopper is None:
        raise ValueError(f"run {run.path}: trained without early_stopping; train with early_stopping=patience")
    _, val = run.metric("val_loss")
    best, stop = 1, None
    for epoch, loss in enumerate(val, start=1):
        halt = stopper.should_stop(float(loss))
        if stopper.bad_epochs == 0:
            best = epoch
        if halt:
            stop = epoch
            break
    if (stop is not None) != (run.meta.get("status") == "stopped_early") or (stop is not None and stop != len(val)):
        raise ValueError(f"run {run.path}: replaying early stopping gives a stop at {stop}, but the run's status "
                         f"is {run.meta.get('status')!r} after {len(val)} epochs")
    return EarlyStoppingTrace(np.arange(1, len(val) + 1), np.asarray(val, dtype=float), best, stop,
                              stopper.patience, stopper.min_delta)


# -- gradient clipping ---------------------------------------------------------------------------
#: ``torch.nn.utils.clip_grad_norm_`` divides by ``norm + 1e-6``.
CLIP_EPS = 1e-6


def clipped_norm(norm, max_norm: float) -> np.ndarray:
    """Total gradient norm after ``clip_grad_norm_(max_norm)``: ``norm * min(1, max_norm / (norm + 1e-6))``."""
    norm = np.asarray(norm, dtype=float)
    return norm * np.minimum(1.0, max_norm / (norm + CLIP_EPS))


@dataclass(frozen=True)
class ClippingTrace:
    """The total gradient norm of every step of a run, before and after clipping.

    ``before`` is what the loop logged (``grad_norm``: the norm ``clip_grad_norm_``
    returns, taken before it rescales); ``after`` is the norm of the gradients the
    optimizer used (they are also the recorded ``grad/*`` tensors).
    """

    steps: np.ndarray
    before: np.ndarray
    after: np.ndarray
    threshold: float

    @property
    def clipped(self) -> np.ndarray:
        """Steps whose gradient was rescaled."""
        return self.before > self.threshold


def clipping_trace(run) -> ClippingTrace:
    """Gradient norms of a run trained with ``clip_grad_norm``; ValueError for one trained without."""
    run = as_run(run)
    threshold = hparams(run).get("clip_grad_norm")
    if threshold is None:
        raise ValueError(f"run {run.path}: trained without clip_grad_norm, so no gradient norm was logged; "
                         "train with clip_grad_norm=...")
    steps, before = run.metric("grad_norm")
    return ClippingTrace(steps, before, clipped_norm(before, threshold), float(threshold))


def recorded_grad_norm(run, step: int) -> float:
    """Total norm of every gradient recorded at ``step`` (what the optimizer used)."""
    grads = as_run(run).grads(step)
    return float(np.sqrt(sum(float(np.sum(np.square(g, dtype=np.float64))) for g in grads.values())))


# -- per-layer distributions (initialisation, batch normalisation) -----------------------------------
def activation_layers(run) -> list[str]:
    """Activation modules (ReLU, tanh...) in forward order."""
    return [r["name"] for r in summary_rows(as_run(run)) if r["type"] in ACTIVATION_TYPES]


def preactivation_layers(run) -> list[str]:
    """For each activation module, the module just before it in forward order (what the activation receives)."""
    rows = summary_rows(as_run(run))
    return [rows[k - 1]["name"] for k, r in enumerate(rows) if r["type"] in ACTIVATION_TYPES and k > 0]


def layer_values(run, step: int | None = None, kind: str = "act") -> list[tuple[str, np.ndarray]]:
    """``[(layer, values)]`` in forward order, from the snapshot of ``step`` (the first by default).

    Parameters
    ----------
    kind : {"act", "preact", "grad", "weight"}
        ``act``: outputs of the activation modules on the probe batch; ``preact``: what
        each activation receives (a Linear's or a BatchNorm's output); ``grad``/``weight``:
        the gradient/value of each weight matrix (``<module>.weight`` with >= 2 dimensions).
    """
    run = as_run(run)
    step = run.steps[0] if step is None else run.require_step(step)
    if kind in ("act", "preact"):
        names = activation_layers(run) if kind == "act" else preactivation_layers(run)
        acts = run.activations(step)
        missing = [n for n in names if n not in acts]
        if missing:
            raise ValueError(f"run {run.path}: no recorded activations of {', '.join(missing)} at step {step}; "
                             "record them with RecordSpec(activations=True)")
        return [(n, np.asarray(acts[n])) for n in names]
    if kind in ("grad", "weight"):
        arrays = run.grads(step) if kind == "grad" else run.weights(step)
        order = [r["name"] for r in summary_rows(run)]
        names = [f"{m}.weight" for m in order if np.ndim(arrays.get(f"{m}.weight", 0)) >= 2]
        if not names:
            raise ValueError(f"run {run.path}: no recorded {kind}s of weight matrices at step {step}")
        return [(n, np.asarray(arrays[n])) for n in names]
    raise ValueError(f"kind must be one of 'act', 'preact', 'grad', 'weight', got {kind!r}")


# -- L1 / L2 regularisation ----------------------------------------------------------------------------
def sparsity(weights, threshold: float = 1e-2) -> float:
    """Fraction of the weights whose magnitude is below ``threshold``."""
    weights = np.asarray(weights, dtype=float).ravel()
    if weights.size == 0:
        raise ValueError("weights: empty")
    return float(np.mean(np.abs(weights) < threshold))


def penalties(theta) -> dict:
    """The two penalties of the notes at ``theta``: ``{"L1": |theta|, "L2": theta^2}``."""
    theta = np.asarray(theta, dtype=float)
    return {"L1": np.abs(theta), "L2": np.square(theta)}


def weight_matrix_values(run, step: int | None = None) -> np.ndarray:
    """Every weight-matrix entry of ``step`` (the last by default), concatenated in forward order."""
    run = as_run(run)
    step = run.steps[-1] if step is None else step
    return np.concatenate([w.ravel() for _, w in layer_values(run, step, "weight")])


__all__ = ["Augmented", "CLIP_EPS", "ClippingTrace", "EarlyStoppingTrace", "activation_layers", "augmentations",
           "clipped_norm", "clipping_trace", "early_stopping_trace", "layer_values", "penalties",
           "preactivation_layers", "recorded_grad_norm", "run_schedule_lrs", "schedule_lrs", "sparsity",
           "weight_matrix_values"]
