"""Forward and backward time of one training batch on each device torch can use (notes Part III §1.7).

Times are medians of ``repeats`` timed passes after ``warmup`` untimed ones; on CUDA the
clock is read after ``torch.cuda.synchronize()`` (kernels run asynchronously). Measured
here, on this machine, never typed in.
"""
from __future__ import annotations

import copy
import statistics
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class PassTiming:
    """Median milliseconds of one forward and one backward pass on ``device``.

    Attributes
    ----------
    device : str
        ``"cpu"`` or ``"cuda"``.
    name : str
        The processor (``torch.cuda.get_device_name`` or the CPU's description).
    forward_ms, backward_ms : float
    repeats, batch_size : int
    threads : int
        Torch's intra-op CPU threads during the measurement.
    """

    device: str
    name: str
    forward_ms: float
    backward_ms: float
    repeats: int
    batch_size: int
    threads: int


def devices() -> list[str]:
    """``["cpu"]``, plus ``"cuda"`` when torch sees a GPU."""
    import torch

    return ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


def time_passes(model, x, y, *, devices_=None, repeats: int = 20, warmup: int = 3) -> list[PassTiming]:
    """Time forward (logits) and backward (cross-entropy gradients) of ``model`` on ``(x, y)``.

    Parameters
    ----------
    model : nn.Module
        Copied to each device; the original is untouched.
    x, y : tensors
        One batch of inputs and integer labels.
    devices_ : sequence of str, optional
        Devices to time (default :func:`devices`).
    repeats, warmup : int

    Returns
    -------
    list of PassTiming
        One per device, CPU first.
    """
    import torch

    if int(repeats) < 1 or int(warmup) < 0:
        raise ValueError(f"repeats must be >= 1 and warmup >= 0, got repeats={repeats!r}, warmup={warmup!r}")
    out = []
    for device in devices_ or devices():
        if device.startswith("cuda") and not torch.cuda.is_available():
            raise ValueError(f"devices_: {device!r} asked for, but torch sees no GPU; valid: {devices()}")
        copy_ = copy.deepcopy(model).to(device).train()
        forward, backward = _time(copy_, torch.as_tensor(x).to(device), torch.as_tensor(y).to(device),
                                  device, int(repeats), int(warmup))
        out.append(PassTiming(device, _name(device), forward, backward, int(repeats), len(x), torch.get_num_threads()))
    return out


def _time(model, x, y, device, repeats, warmup):
    import torch.nn.functional as F

    forward, backward = [], []
    for k in range(warmup + repeats):
        model.zero_grad(set_to_none=True)
        t0 = _clock(device)
        loss = F.cross_entropy(model(x), y)
        t1 = _clock(device)
        loss.backward()
        t2 = _clock(device)
        if k >= warmup:
            forward.append(t1 - t0)
            backward.append(t2 - t1)
    return 1000 * statistics.median(forward), 1000 * statistics.median(backward)


def _clock(device) -> float:
    import torch

    if str(device).startswith("cuda"):
        torch.cuda.synchronize()
    return time.perf_counter()


def _name(device) -> str:
    import platform

    import torch

    if str(device).startswith("cuda"):
        return torch.cuda.get_device_name(torch.device(device))
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "CPU"


__all__ = ["PassTiming", "devices", "time_passes"]
