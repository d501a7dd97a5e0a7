"""What to record and when: :class:`RecordSpec`."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

from vizdl.record.dtypes import POLICIES as DTYPES


@dataclass
class RecordSpec:
    """What the :class:`~vizdl.record.Recorder` captures, and at which steps.

    Parameters
    ----------
    every : int or None
        Capture every ``every`` optimisation steps (step 0 included). ``None`` disables it.
    steps : sequence of int, optional
        Extra steps to capture.
    log_steps : int, optional
        Capture about this many log-spaced steps over the run (needs the total step count,
        which :func:`vizdl.train` knows); dense early, where training changes fastest.
    per_epoch : bool
        Also capture the first step of every epoch.
    weights, grads : bool
        Record parameters and their gradients: the gradients the optimizer is about to use
        (capture after the last ``backward()`` of an accumulation, after clipping and after
        ``GradScaler.unscale_``, before ``optimizer.step()``).
    activations : bool or sequence of str
        ``True`` records every layer's output on the probe batch (modules without children,
        and ``nn.MultiheadAttention``); a sequence of names or globs (``"features.*"``)
        selects modules; ``False`` records none. Tuple outputs, several calls per forward
        and packed sequences get sub-keys (see :mod:`vizdl.record.outputs`).
    attention : bool
        Record attention maps ``(N, heads, queries, keys)`` on the probe batch: from
        ``AttentionMap`` modules, ``nn.MultiheadAttention`` and Hugging Face eager attention
        (see :mod:`vizdl.record.attention`); warns once with what to do when the model has
        attention that cannot be read.
    probe_size : int
        Number of validation samples in the fixed probe batch.
    dtype : {"keep", "float32", "float16"}
        Storage type of floating-point tensors: ``"keep"`` (default) keeps each tensor's
        dtype (bfloat16 becomes float32, noted in ``run.json``); ``"float32"`` or
        ``"float16"`` converts every floating tensor (``"float16"`` halves the size).
    max_bytes : int, optional
        Size budget; once reached, recording stops with a warning while training goes on.
    """

    every: int | None = 50
    steps: Sequence[int] = ()
    log_steps: int | None = None
    per_epoch: bool = False
    weights: bool = True
    grads: bool = True
    activations: bool | Sequence[str] = True
    attention: bool = True
    probe_size: int = 64
    dtype: str = "keep"
    max_bytes: int | None = None
    _log_set: frozenset = field(default=frozenset(), repr=False, compare=False)

    def __post_init__(self):
        if self.every is not None and (not isinstance(self.every, int) or self.every < 1):
            raise ValueError(f"every must be a positive integer or None, got {self.every!r}")
        if self.dtype not in DTYPES:
            raise ValueError(f"dtype must be one of {DTYPES}, got {self.dtype!r}")
        if self.probe_size < 1:
            raise ValueError(f"probe_size must be >= 1, got {self.probe_size}")
        if self.max_bytes is not None and self.max_bytes <= 0:
            raise ValueError(f"max_bytes must be positive or None, got {self.max_bytes}")
        if isinstance(self.activations, str):
            self.activations = [self.activations]
        self.steps = tuple(int(s) for s in self.steps)

    def plan(self, total_steps: int | None) -> None:
        """Fix the log-spaced steps once the total number of steps is known."""
        if self.log_steps and total_steps:
            points = np.unique(np.round(np.geomspace(1, max(total_steps, 1), self.log_steps)) - 1)
            self._log_set = frozenset(int(p) for p in points)

    def due(self, step: int, *, epoch_start: bool = False) -> bool:
        """Whether ``step`` is to be captured."""
        return ((self.every is not None and step % self.every == 0)
                or step in self.steps or step in self._log_set
                or (self.per_epoch and epoch_start))

    def to_dict(self) -> dict:
        """JSON-serialisable description (stored in ``run.json``)."""
        out = asdict(self)
        out.pop("_log_set")
        out["steps"] = list(self.steps)
        if not isinstance(self.activations, bool):
            out["activations"] = list(self.activations)
        return out
