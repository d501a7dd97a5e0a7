"""The training techniques of the lecture notes as small, named options.

Optimizers, learning-rate schedules, weight initialisation, data augmentation,
early stopping and the device choice. Each factory validates its input and lists the
valid choices in its error.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

OPTIMIZERS = ("sgd", "momentum", "adam", "adamw", "rmsprop")
SCHEDULES = ("step", "exponential", "cosine", "plateau", "warmup")
INITS = ("xavier", "he", "normal", "zeros")
AUGMENTATIONS = ("flip", "shift", "noise")


def resolve_device(device: str | torch.device = "auto") -> torch.device:
    """``"auto"`` gives CUDA when available, else CPU; other values are passed to torch."""
    if str(device) == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    resolved = torch.device(device)
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device={device!r} asked for CUDA but torch sees no GPU; use 'cpu' or 'auto'")
    return resolved


def make_optimizer(name: str, params, *, lr: float, weight_decay: float = 0.0,
                   momentum: float = 0.9) -> torch.optim.Optimizer:
    """Build the optimizer ``name`` (one of :data:`OPTIMIZERS`); L2 through ``weight_decay``."""
    if lr <= 0:
        raise ValueError(f"lr must be > 0, got {lr}")
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
    options = {"name": schedule} if isinstance(schedule, str) else dict(schedule)
    name = options.pop("name", None)
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
    if name not in builders:
        raise ValueError(f"unknown schedule {name!r}; valid: {', '.join(SCHEDULES)} "
                         "(a name or a dict with 'name' and its options)")
    return builders[name]()


def _warmup(steps: int):
    return lambda step: min(1.0, (step + 1) / max(steps, 1))


def initialize(model: nn.Module, init: str | None, *, generator: torch.Generator | None = None) -> None:
    """Re-initialise Linear/Conv weights: Xavier/Glorot (variance 2/(n_in+n_out)), He (2/n_in)."""
    if init is None:
        return
    if init not in INITS:
        raise ValueError(f"unknown init {init!r}; valid: {', '.join(INITS)} or None")
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
    for kind in kinds or ():
        if kind not in AUGMENTATIONS:
            raise ValueError(f"unknown augmentation {kind!r}; valid: {', '.join(AUGMENTATIONS)}")
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
        """``None``, a patience (int) or a dict of fields."""
        if option is None or option is False:
            return None
        if isinstance(option, bool) or isinstance(option, int):
            return cls(patience=5 if option is True else int(option))
        if isinstance(option, dict):
            return cls(**option)
        raise ValueError(f"early_stopping must be None, a patience (int) or a dict, got {option!r}")

    def should_stop(self, val_loss: float) -> bool:
        """Update with this epoch's validation loss; True when training should stop."""
        if val_loss < self.best - self.min_delta:
            self.best, self.bad_epochs = val_loss, 0
            return False
        self.bad_epochs += 1
        return self.bad_epochs >= self.patience
