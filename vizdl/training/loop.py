"""``vizdl.train``: a plain, readable training loop that records as it goes."""
from __future__ import annotations

import functools
import math
import time
import warnings
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from vizdl.record import Recorder, RecordSpec
from vizdl.record.models import process_rank, unwrap, world_size
from vizdl.record.state import eval_mode, kept_modes
from vizdl.runs import Run
from vizdl.runs.lock import check_out
from vizdl.training import options
from vizdl.training.inputs import Split, TrainingData, as_training_data

_DEFAULT = object()


class TrainingDiverged(FloatingPointError):
    """The loss became NaN or infinite; the run written so far stays readable at ``run_path``."""

    def __init__(self, message: str, run_path: Path):
        super().__init__(message)
        self.run_path = run_path


def _leaves_caller_state(func):
    """Run ``func(model, ...)`` in a fork of torch's generators and restore every module's training flag."""
    @functools.wraps(func)
    def wrapper(model, *args, **kwargs):
        if not isinstance(model, nn.Module):
            raise ValueError(f"model must be a torch.nn.Module, got {type(model).__name__}")
        with kept_modes(model), torch.random.fork_rng(devices=_cuda_devices()):
            return func(model, *args, **kwargs)
    return wrapper


@_leaves_caller_state
def train(model: nn.Module, data, *, epochs: int = 10, batch_size: int = 32, lr: float = 0.01,
          optimizer: str = "sgd", momentum: float = 0.9, schedule=None, early_stopping=None,
          clip_grad_norm: float | None = None, weight_decay: float = 0.0, l1: float = 0.0,
          init: str | None = None, augment=None, device="auto", seed: int = 0,
          record: RecordSpec | None = _DEFAULT, out=None, name: str | None = None,
          quiet: bool = False, val=None, live: bool = False, overwrite: bool = False) -> Run | None:
    """Train ``model`` on ``data`` with cross-entropy, recording into a run directory.

    Parameters
    ----------
    model : nn.Module
        A classifier (``vizdl.models.build`` or your own) returning logits, or an output
        object with ``.logits`` (Hugging Face); it may be wrapped in
        ``DistributedDataParallel`` or ``torch.compile``.
    data : vizdl.data.Dataset, str, (x, y), TensorDataset or DataLoader
        The training data: a vizdl dataset (a name is loaded with default parameters;
        its validation and test splits are used), a pair of arrays/tensors, a
        ``TensorDataset`` (batched and shuffled here, with ``seed``) or a ``DataLoader``
        (iterated as it is). Floating inputs are cast to the model's dtype.
    val : (x, y), TensorDataset or DataLoader, optional
        Validation data (default: the vizdl dataset's validation split; none for other
        forms, then the probe batch comes from the training data).
    epochs, batch_size, lr : int, int, float
        The usual.
    optimizer : {"sgd", "momentum", "adam", "adamw", "rmsprop"}
    schedule : None, str or dict
        Learning-rate schedule, see :func:`vizdl.training.options.make_schedule`.
    early_stopping : None, int or dict
        Patience in epochs on the validation loss (or ``{"patience", "min_delta"}``).
    clip_grad_norm : float, optional
        Rescale gradients whose total norm exceeds this value.
    weight_decay, l1 : float
        L2 (through the optimizer) and L1 (added to the loss) regularisation strengths.
    init : {"xavier", "he", "normal", "zeros"} or None
        Re-initialise Linear/Conv weights before training.
    augment : sequence of {"flip", "shift", "noise"}, optional
        Random transformations of image batches.
    device : str
        ``"auto"`` (CUDA when available, else CPU), ``"cpu"``, ``"cuda"``...
    seed : int
        Seeds initialisation, shuffling, augmentation and dropout: same seed on CPU gives
        bit-identical snapshots. Torch's global random generator is left as it was
        (training draws from a fork of it).
    record : RecordSpec or None
        What to record (default ``RecordSpec()``); ``None`` trains without snapshots
        (metrics are still written).
    out : path-like, optional
        Run directory (default ``runs/<model>-<dataset>-<time>``).
    quiet : bool
        No progress bar.
    live : bool
        In a notebook, redraw the run's curves, gradient flow and (2-D data) decision
        boundary in the cell's output after every epoch (:class:`vizdl.live.NotebookLive`).
        Outside a notebook, follow the run from a terminal with ``vizdl watch OUT``.
    overwrite : bool
        Replace a run already in ``out``; without it a non-empty ``out`` is refused
        (:class:`~vizdl.runs.RunExistsError`), so two trainings never mix in one directory.

    Returns
    -------
    Run or None
        The recorded run, opened for reading (``run.model(step)`` rebuilds ``model``'s
        structure). The model is trained in place (and moved to ``device``); every
        module's ``training`` flag is restored to what it was. Under ``torch.distributed``
        only rank 0 records and returns the run; other ranks train their shard of a tensor
        dataset and return ``None``.

    Raises
    ------
    ValueError
        Before anything changes, for an option out of range (each message names it:
        ``clip_grad_norm`` must be > 0, ``l1`` and ``weight_decay`` >= 0, ``epochs`` and
        ``batch_size`` integers >= 1, ``lr`` > 0 and finite, ``momentum`` in [0, 1)...).
    TrainingDiverged
        When the loss becomes NaN or infinite.
    """
    options.check_train_options(epochs=epochs, batch_size=batch_size, lr=lr, optimizer=optimizer,
                                momentum=momentum, schedule=schedule, early_stopping=early_stopping,
                                clip_grad_norm=clip_grad_norm, weight_decay=weight_decay, l1=l1, init=init,
                                augment=augment, seed=seed)
    if out is not None and process_rank() == 0:
        check_out(out, overwrite=overwrite)   # a used out is refused before the model is touched
    spec = _record_spec(record)
    data = as_training_data(data, val, dtype=_float_dtype(model))
    _check_augment(augment, data)
    target = options.resolve_device(device)
    torch.manual_seed(seed)   # dropout draws from the global generator, forked by @_leaves_caller_state
    generator = torch.Generator().manual_seed(seed)
    options.initialize(model, init, generator=generator)
    model.to(target)
    _check_compatible(model, data, target)
    steps_per_epoch = data.steps_per_epoch(batch_size, world_size())
    if (early_stopping or _plateau(schedule)) and data.val is None:
        raise ValueError("early_stopping and schedule='plateau' need validation data: pass val=(x, y)")
    out = Path(out) if out is not None else _default_out(model, data, name)
    opt = options.make_optimizer(optimizer, model.parameters(), lr=lr, weight_decay=weight_decay,
                                 momentum=momentum)
    scheduler = options.make_schedule(schedule, opt, total_steps=epochs * steps_per_epoch)
    hparams = dict(epochs=epochs, batch_size=batch_size, lr=lr, optimizer=optimizer, momentum=momentum,
                   schedule=schedule, early_stopping=early_stopping, clip_grad_norm=clip_grad_norm,
                   weight_decay=weight_decay, l1=l1, init=init, augment=list(options.augment_kinds(augment)),
                   device=str(target))
    meta = {"name": out.name, "dataset": data.meta, "hparams": hparams, "seed": seed,
            "summary": _summary(model, data) if process_rank() == 0 else None}
    loop = _Loop(model, data, opt, scheduler, generator, target, batch_size, clip_grad_norm, l1,
                 augment, options.EarlyStopping.from_option(early_stopping))
    loop.live = _live_view(live, out) if process_rank() == 0 else None
    with Recorder(model, out, spec, probe=data.probe(spec.probe_size), meta=meta,
                  total_steps=epochs * steps_per_epoch, overwrite=overwrite) as recorder:
        loop.run(recorder, epochs, quiet)
    return recorder.run


def _live_view(live: bool, out: Path):
    """A :class:`vizdl.live.NotebookLive` for ``live=True`` in a notebook; a hint elsewhere."""
    if not live:
        return None
    from vizdl.live import NotebookLive
    from vizdl.notebook import in_kernel

    if in_kernel():
        return NotebookLive(out)
    warnings.warn(f"live=True draws in a notebook; in a terminal follow the run with `vizdl watch {out}`",
                  RuntimeWarning, stacklevel=3)
    return None


class _Loop:
    """The state of one training: model, optimizer and the step counter."""

    def __init__(self, model, data: TrainingData, opt, scheduler, generator, device, batch_size, clip, l1,
                 augment, stopper):
        self.model, self.data, self.opt, self.scheduler = model, data, opt, scheduler
        self.module = unwrap(model)  # evaluation runs here: no DDP collective, same numbers
        self.generator, self.device, self.batch_size = generator, device, batch_size
        self.clip, self.l1, self.augment, self.stopper = clip, l1, augment, stopper
        self.rank, self.shards = process_rank(), world_size()
        if data.train.x is not None:
            self.x_train = data.train.x.to(device)
            self.y_train = data.train.y.to(device)
        self.step = 0

    def run(self, recorder: Recorder, epochs: int, quiet: bool) -> None:
        from tqdm.auto import tqdm

        start, status = time.perf_counter(), "complete"
        bar = tqdm(total=epochs * self.data.steps_per_epoch(self.batch_size, self.shards),
                   disable=quiet or self.rank != 0, desc="train", unit="step", leave=False)
        try:
            for epoch in range(epochs):
                self._epoch(recorder, epoch, bar)
                if self.data.val is None:
                    continue
                val = evaluate_split(self.module, self.data.val, self.device, self.batch_size)
                recorder.log(self.step - 1, epoch=epoch, val_loss=val["loss"], val_acc=val["acc"])
                bar.set_postfix(val_loss=f"{val['loss']:.3f}", val_acc=f"{val['acc']:.3f}")
                self._redraw(recorder)
                if self._after_epoch(val["loss"]):
                    status = "stopped_early"
                    break
        except TrainingDiverged:
            recorder.finish(status="diverged", diverged_at=self.step)
            raise
        finally:
            bar.close()
        self._final_snapshot(recorder)
        final = {}
        if self.data.test is not None:
            test = evaluate_split(self.module, self.data.test, self.device, self.batch_size)
            final = {"final": {"test_loss": test["loss"], "test_acc": test["acc"]}}
        recorder.finish(status=status, steps=self.step, seconds=round(time.perf_counter() - start, 3), **final)
        self._redraw(recorder)

    def _redraw(self, recorder: Recorder) -> None:
        """Update the notebook's live view (``train(..., live=True)``) with what is written so far."""
        if getattr(self, "live", None) is not None:
            recorder.run  # noqa: B018 (flushes the writer: the view reads the run directory only)
            self.live.update()

    def _epoch(self, recorder: Recorder, epoch: int, bar) -> None:
        self.model.train()
        for first, (x, y) in enumerate(self._batches(epoch)):
            loss, acc = self._step(recorder, x, y, epoch, first == 0)
            if self.step % 10 == 0:
                bar.set_postfix(loss=f"{loss:.3f}", acc=f"{acc:.3f}")
            bar.update(1)
            self.step += 1

    def _batches(self, epoch: int):
        """This epoch's ``(x, y)`` batches on the device: a loader's own order, or a seeded shuffle.

        With several processes each takes an equal share of the shuffled tensors
        (``order[rank::world]``, the same permutation everywhere).
        """
        train = self.data.train
        if train.loader is not None:
            if hasattr(train.loader.sampler, "set_epoch"):
                train.loader.sampler.set_epoch(epoch)
            yield from ((x.to(self.device), y.to(self.device)) for x, y in train.batches(self.batch_size))
            return
        order = torch.randperm(len(self.x_train), generator=self.generator).to(self.device)
        if self.shards > 1:
            order = order[self.rank::self.shards][: len(order) // self.shards]
        for start in range(0, len(order), self.batch_size):
            index = order[start:start + self.batch_size]
            yield self.x_train[index], self.y_train[index]

    def _step(self, recorder, x, y, epoch, epoch_start):
        x = options.augment(x, self.augment, self.generator)
        logits = logits_of(self.model(x))
        loss = F.cross_entropy(logits, y) + self._l1_penalty()
        value = loss.item()
        if not math.isfinite(value):
            raise TrainingDiverged(
                f"the loss became {value} at step {self.step} (epoch {epoch}); training stopped. "
                f"Try a smaller lr (now {self.opt.param_groups[0]['lr']}) or clip_grad_norm. "
                f"The run written so far stays readable at {recorder.path}", recorder.path)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        grad_norm = self._clip()
        recorder.capture(self.step, epoch=epoch, epoch_start=epoch_start)
        lr = self.opt.param_groups[0]["lr"]
        self.opt.step()
        if self.scheduler is not None and not _is_plateau(self.scheduler):
            self.scheduler.step()
        acc = (logits.argmax(1) == y).float().mean().item()
        recorder.log(self.step, epoch=epoch, loss=value, acc=acc, lr=lr, grad_norm=grad_norm)
        return value, acc

    def _l1_penalty(self):
        if not self.l1:
            return 0.0
        return self.l1 * sum(p.abs().sum() for n, p in self.model.named_parameters() if "weight" in n)

    def _clip(self) -> float | None:
        if self.clip is None:
            return None
        return float(nn.utils.clip_grad_norm_(self.model.parameters(), self.clip))

    def _after_epoch(self, val_loss: float) -> bool:
        if self.scheduler is not None and _is_plateau(self.scheduler):
            self.scheduler.step(val_loss)
        return self.stopper is not None and self.stopper.should_stop(val_loss)

    def _final_snapshot(self, recorder: Recorder) -> None:
        """Record the trained weights at the step after the last update (no gradients)."""
        if recorder.spec.every is None and not recorder.spec.steps and not recorder.spec.log_steps \
                and not recorder.spec.per_epoch:
            return
        self.model.zero_grad(set_to_none=True)
        recorder.spec.steps = tuple(recorder.spec.steps) + (self.step,)
        recorder.capture(self.step, epoch=None)


def evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor, device, batch_size: int = 1024) -> dict:
    """Mean cross-entropy and accuracy of ``model`` on ``(x, y)`` in eval mode (flags restored after)."""
    return evaluate_split(model, Split(x, y), device, batch_size)


def evaluate_split(model: nn.Module, split: Split, device, batch_size: int = 1024) -> dict:
    """Mean cross-entropy and accuracy on a split (tensors or a DataLoader) in eval mode (flags restored after)."""
    total_loss, correct, count = 0.0, 0, 0
    with eval_mode(model), torch.no_grad():
        for xb, yb in split.batches(max(batch_size, 1024)):
            xb, yb = xb.to(device), yb.to(device)
            logits = logits_of(model(xb))
            total_loss += F.cross_entropy(logits, yb, reduction="sum").item()
            correct += (logits.argmax(1) == yb).sum().item()
            count += len(yb)
    count = max(count, 1)
    return {"loss": total_loss / count, "acc": correct / count}


def logits_of(output) -> torch.Tensor:
    """The logits of a model output: the tensor itself, ``output.logits`` (Hugging Face) or ``output[0]``."""
    if torch.is_tensor(output):
        return output
    logits = getattr(output, "logits", None)
    if torch.is_tensor(logits):
        return logits
    if isinstance(output, (tuple, list)) and output and torch.is_tensor(output[0]):
        return output[0]
    raise ValueError(f"the model returned {type(output).__name__}; vizdl.train needs logits (N, classes): a "
                     "tensor, an output with .logits, or a tuple whose first element is the logits")


def _float_dtype(model: nn.Module):
    for param in model.parameters():
        if param.is_floating_point():
            return param.dtype
    return None


def _plateau(schedule) -> bool:
    if isinstance(schedule, dict):
        return schedule.get("name") == "plateau"
    return schedule == "plateau"


def _is_plateau(scheduler) -> bool:
    return isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau)


def _record_spec(record) -> RecordSpec:
    if record is None:
        return RecordSpec(every=None, weights=False, grads=False, activations=False, attention=False)
    if record is _DEFAULT:
        return RecordSpec()
    if not isinstance(record, RecordSpec):
        raise ValueError(f"record must be a vizdl.RecordSpec or None, got {record!r}")
    return record


def _check_augment(augment, data: TrainingData) -> None:
    kinds = options.augment_kinds(augment)
    if kinds and len(data.input_shape) != 3:
        raise ValueError(f"augment={list(kinds)} needs image batches (B, C, H, W), but dataset "
                         f"{data.name or '?'!r} gives samples of shape {data.input_shape}")


def _cuda_devices() -> list[int]:
    """CUDA devices whose generators :func:`torch.random.fork_rng` must save (all of them when seeding)."""
    return list(range(torch.cuda.device_count())) if torch.cuda.is_available() else []


def _check_compatible(model: nn.Module, data: TrainingData, device) -> None:
    """Run one sample through the model; a shape error names both shapes."""
    sample = data.train.first(2)[0].to(device)
    model = unwrap(model)  # no DDP collective for this check
    expected = (getattr(model, "vizdl_spec", None) or {}).get("config", {}).get("input_shape")
    if expected is not None and tuple(expected) != tuple(sample.shape[1:]):
        raise ValueError(f"model expects inputs of shape {tuple(expected)} but dataset "
                         f"{data.name or '?'!r} gives samples of shape {tuple(sample.shape[1:])}")
    try:
        with eval_mode(model), torch.no_grad():
            logits_of(model(sample))
    except RuntimeError as error:
        raise ValueError(f"model cannot take samples of shape {tuple(sample.shape[1:])} from dataset "
                         f"{data.name or '?'!r}: {error}") from error


def _default_out(model, data: TrainingData, name) -> Path:
    model = unwrap(model)
    model_name = (getattr(model, "vizdl_spec", None) or {}).get("name", type(model).__name__.lower())
    return Path("runs") / (name or f"{model_name}-{data.name or 'data'}-{time.strftime('%Y%m%d-%H%M%S')}")


def _summary(model, data: TrainingData) -> dict | None:
    try:
        from vizdl.models import summary

        return summary(unwrap(model), data.input_shape).to_dict()
    except Exception:  # summary is a courtesy in run.json; never block training on it
        return None
