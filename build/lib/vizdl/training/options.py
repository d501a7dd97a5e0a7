"""The training techniques of the lecture notes as small, named options.

Optimizers, learning-rate schedules, weight initialisation, data augmentation,
early stopping and the device choice. :func:`check_train_options` validates every
option of :func:`vizdl.train` before the model is touched; each factory lists the valid
choices in its error.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import torch
from torch import nn

OPTIMIZERS = ("sgd", "momentum", "adam", "adamw", "rmsprop")
SCHEDULES = ("step", "exponential", "cosine", "plateau", "warmup")
INITS = ("xavier", "he", "normal", "zeros")
AUGMENTATIONS = ("flip", "shift", "noise")


# -- checks: each raises ValueError naming the option, the value and what is allowed -------------
def check_integer(name: str, value, minimum: int = 1, maximum: int | None = None) -> int:
    """``value`` when it is an integer (not a bool) in ``[minimum, maximum]``."""
    allowed = f">= {minimum}" if maximum is None else f"in [{minimum}, {maximum}]"
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < minimum \
            or (maximum is not None and value > maximum):
        raise ValueError(f"{name} must be an integer {allowed}, got {value!r}")
    return int(value)


def check_number(name: str, value, low: float | None = None, high: float | None = None, *,
                 low_open: bool = False, high_open: bool = False) -> float:
    """``value`` when it is a finite real number (not a bool) within the given bounds."""
    lower = "" if low is None else ("(" if low_open else "[") + f"{low}"
    upper = "" if high is None else f"{high}" + (")" if high_open else "]")
    allowed = (f"in {lower}, {upper}" if low is not None and high is not None else
               f"{'>' if low_open else '>='} {low}" if low is not None else
               f"{'<' if high_open else '<='} {high}" if high is not None else "")
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)
    ok = ok and (low is None or (value > low if low_open else value >= low))
    ok = ok and (high is None or (value < high if high_open else value <= high))
    if not ok:
        raise ValueError(f"{name} must be a finite number {allowed}, got {value!r}".replace("  ", " "))
    return float(value)


def check_train_options(*, epochs, batch_size, lr, optimizer, momentum, schedule, early_stopping,
                        clip_grad_norm, weight_decay, l1, init, augment, seed) -> None:
    """Validate the options of :func:`vizdl.train` (before anything is changed).

    Raises
    ------
    ValueError
        Naming the first bad option, its value and what is allowed.
    """
    check_integer("epochs", epochs)
    check_integer("batch_size", batch_size)
    check_number("lr", lr, 0, low_open=True)
    check_choice("optimizer", optimizer, OPTIMIZERS)
    check_number("momentum", momentum, 0, 1, high_open=True)
    check_number("weight_decay", weight_decay, 0)
    check_number("l1", l1, 0)
    if clip_grad_norm is not None:
        check_number("clip_grad_norm", clip_grad_norm, 0, low_open=True)
    if init is not None:
        check_choice("init", init, INITS)
    augment_kinds(augment)
    check_integer("seed", seed, 0, 2**64 - 1)
    schedule_options(schedule)
    EarlyStopping.from_option(early_stopping)


def check_choice(name: str, value, allowed) -> str:
    """``value`` when it is one of ``allowed``."""
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"unknown {name} {value!r}; valid: {', '.join(allowed)}")
    return value


def augment_kinds(augment) -> tuple[str, ...]:
    """``augment`` (None, a name or a sequence of names) as a tuple of valid names."""
    kinds = () if augment is None else (augment,) if isinstance(augment, str) else augment
    try:
        kinds = tuple(kinds)
    except TypeError:
        raise ValueError(f"augment must be None, a name or a sequence of {AUGMENTATIONS}, got {augment!r}") from None
    for kind in kinds:
        check_choice("augment", kind, AUGMENTATIONS)
    return kinds


def resolve_device(device: str | torch.device = "auto") -> torch.device:
    """``"auto"`` gives CUDA when available, else CPU; other values are passed to torch."""
    if str(device) == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError):
        raise ValueError(f"device must be 'auto', 'cpu', 'cuda', 'cuda:N' or another torch device, "
                         f"got {device!r}") from None
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device={device!r} asked for CUDA but torch sees no GPU; use 'cpu' or 'auto'")
    return resolved


def make_optimizer(name: str, params, *, lr: float, weight_decay: float = 0.0,
                   momentum: float = 0.9) -> torch.optim.Optimizer:
    """Build the optimizer ``name`` (one of :data:`OPTIMIZERS`); L2 through ``weight_decay``."""
    check_number("lr", lr, 0, low_open=True)
    factories = {
        "sgd": lambda: torch.optim.SGD(params, lr=lr, weight_decay=weight_decay),
        "momentum": lambda: torch.optim.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay),
        "adam": lambda: torch.optim.Adam(params, lr=lr, weight_decay=weight_decay),
        "adamw": lambda: torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay),
        "rmsprop": lambda: torch.optim.RMSprop(params, lr=lr, weight_decay=weight_decay),
    }
    if name not in factories:
        raise ValueError(f"unknown optimizer {name!r}; valid: {', '.join(OPTIMIZERS)}")
    return factories[name]()


def make_schedule(schedule, optimizer, *, total_steps: int):
    """Build a per-step learning-rate scheduler from ``None``, a name or ``{"name": ..., **kw}``.

    ``step`` (``step_size`` steps, ``gamma``), ``exponential`` (``gamma`` per step),
    ``cosine`` (to ``eta_min`` over the run), ``plateau`` (on validation loss, per epoch:
    ``factor``, ``patience``), ``warmup`` (linear over ``warmup_steps``).
    """
    if schedule is None:
        return None
    name, options = schedule_options(schedule)
    sched = torch.optim.lr_scheduler
    builders = {
        "step": lambda: sched.StepLR(optimizer, step_size=options.get("step_size", max(total_steps // 3, 1)),
                                     gamma=options.get("gamma", 0.1)),
        "exponential": lambda: sched.ExponentialLR(optimizer, gamma=options.get("gamma", 0.999)),
        "cosine": lambda: sched.CosineAnnealingLR(optimizer, T_max=max(total_steps, 1),
                                                  eta_min=options.get("eta_min", 0.0)),
        "plateau": lambda: sched.ReduceLROnPlateau(optimizer, factor=options.get("factor", 0.5),
                                                   patience=options.get("patience", 2)),
        "warmup": lambda: sched.LambdaLR(optimizer, _warmup(options.get("warmup_steps", 100))),
    }
    return builders[name]()


# each schedule's options: name -> (check, what it allows)
_SCHEDULE_OPTIONS = {
    "step": {"step_size": lambda k, v: check_integer(k, v), "gamma": lambda k, v: check_number(k, v, 0, low_open=True)},
    "exponential": {"gamma": lambda k, v: check_number(k, v, 0, low_open=True)},
    "cosine": {"eta_min": lambda k, v: check_number(k, v, 0)},
    "plateau": {"factor": lambda k, v: check_number(k, v, 0, 1, low_open=True, high_open=True),
                "patience": lambda k, v: check_integer(k, v, 0)},
    "warmup": {"warmup_steps": lambda k, v: check_integer(k, v)},
}


def schedule_options(schedule) -> tuple[str | None, dict]:
    """``(name, options)`` of a schedule given as ``None``, a name or ``{"name": ..., **options}``.

    Raises
    ------
    ValueError
        For an unknown name, an option the schedule does not have, or a value out of range
        (``schedule['gamma']`` must be > 0, ``schedule['step_size']`` >= 1...).
    """
    if schedule is None:
        return None, {}
    if not isinstance(schedule, (str, dict)):
        raise ValueError(f"schedule must be None, a name or a dict with 'name' and options, got {schedule!r}")
    options = {"name": schedule} if isinstance(schedule, str) else dict(schedule)
    name = options.pop("name", None)
    if name not in _SCHEDULE_OPTIONS:
        raise ValueError(f"unknown schedule {name!r}; valid: {', '.join(SCHEDULES)} "
                         "(a name or a dict with 'name' and its options)")
    allowed = _SCHEDULE_OPTIONS[name]
    for key, value in options.items():
        if key not in allowed:
            raise ValueError(f"schedule {name!r} has no option {key!r}; its options: {', '.join(allowed)}")
        allowed[key](f"schedule[{key!r}]", value)
    return name, options


def _warmup(steps: int):
    return lambda step: min(1.0, (step + 1) / max(steps, 1))


def initialize(model: nn.Module, init: str | None, *, generator: torch.Generator | None = None) -> None:
    """Re-initialise Linear/Conv weights: Xavier/Glorot (variance 2/(n_in+n_out)), He (2/n_in)."""
    if init is None:
        return
    check_choice("init", init, INITS)
    for module in model.modules():
        if isinstance(module, (nn.Linear, nn.Conv1d, nn.Conv2d)):
            _init_weight(module.weight, init, generator)
            if module.bias is not None:
                nn.init.zeros_(module.bias)


def _init_weight(weight: torch.Tensor, init: str, generator) -> None:
    with torch.no_grad():
        if init == "xavier":
            nn.init.xavier_normal_(weight, generator=generator)
        elif init == "he":
            nn.init.kaiming_normal_(weight, nonlinearity="relu", generator=generator)
        elif init == "normal":
            nn.init.normal_(weight, std=0.01, generator=generator)
        else:
            nn.init.zeros_(weight)


def augment(x: torch.Tensor, kinds, generator: torch.Generator) -> torch.Tensor:
    """Random, realistic transformations of an image batch ``(B, C, H, W)``.

    ``flip`` mirrors half of the images horizontally, ``shift`` moves each image by up
    to one pixel, ``noise`` adds Gaussian noise (std 0.05).
    """
    for kind in augment_kinds(kinds):
        if x.dim() != 4:
            raise ValueError(f"augmentation {kind!r} needs image batches (B, C, H, W), got shape {tuple(x.shape)}")
        x = _AUGMENT[kind](x, generator)
    return x


def _flip(x, generator):
    mask = torch.rand(x.shape[0], generator=generator, device="cpu").to(x.device) < 0.5
    return torch.where(mask[:, None, None, None], x.flip(-1), x)


def _shift(x, generator):
    dy, dx = (int(v) for v in torch.randint(-1, 2, (2,), generator=generator))
    return torch.roll(x, shifts=(dy, dx), dims=(-2, -1))


def _noise(x, generator):
    return x + 0.05 * torch.randn(x.shape, generator=generator).to(x.device)


_AUGMENT = {"flip": _flip, "shift": _shift, "noise": _noise}


@dataclass
class EarlyStopping:
    """Stop when the validation loss has not improved by ``min_delta`` for ``patience`` epochs."""

    patience: int = 5
    min_delta: float = 0.0
    best: float = float("inf")
    bad_epochs: int = 0

    @classmethod
    def from_option(cls, option) -> "EarlyStopping | None":
        """``None`` or ``False`` (off), ``True`` (patience 5), a patience (int >= 1) or a dict of fields."""
        if option is None or option is False:
            return None
        if option is True:
            return cls()
        if isinstance(option, numbers.Integral):
            return cls(patience=check_integer("early_stopping", option))
        if isinstance(option, dict):
            unknown = sorted(set(option) - {"patience", "min_delta"})
            if unknown:
                raise ValueError(f"early_stopping has no option {unknown[0]!r}; its options: patience, min_delta")
            return cls(patience=check_integer("early_stopping['patience']", option.get("patience", 5)),
                       min_delta=check_number("early_stopping['min_delta']", option.get("min_delta", 0.0), 0))
        raise ValueError(f"early_stopping must be None, a patience (int >= 1) or a dict with 'patience' "
                         f"and 'min_delta', got {option!r}")

    def should_stop(self, val_loss: float) -> bool:
        """Update with this epoch's validation loss; True when training should stop."""
        if val_loss < self.best - self.min_delta:
            self.best, self.bad_epochs = val_loss, 0
            return False
        self.bad_epochs += 1
        return self.bad_epochs >= self.patience
