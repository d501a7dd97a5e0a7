"""Storage dtype of recorded tensors: kept by default, converted only when said so.

``RecordSpec(dtype="keep")`` (the default) stores every tensor in its own dtype
(float64 stays float64, float16 stays float16, integers and booleans as they are),
except dtypes safetensors/NumPy cannot hold -- ``bfloat16`` and the float8 types --
which become float32; each such conversion is noted in ``run.json``
(``record.converted``). ``"float32"`` / ``"float16"`` store every floating tensor in
that dtype (``"float16"`` halves a run's size).

    >>> import torch
    >>> storage_dtype(torch.float64, "keep"), storage_dtype(torch.bfloat16, "keep")
    (torch.float64, torch.float32)
"""
from __future__ import annotations

import torch

POLICIES = ("keep", "float32", "float16")
_NUMPY_FLOATS = (torch.float16, torch.float32, torch.float64)


def storage_dtype(dtype: torch.dtype, policy: str) -> torch.dtype:
    """The dtype a tensor of ``dtype`` is stored in under ``policy`` (one of :data:`POLICIES`)."""
    if policy not in POLICIES:
        raise ValueError(f"dtype must be one of {POLICIES}, got {policy!r}")
    if not dtype.is_floating_point:
        return dtype
    if policy == "float16":
        return torch.float16
    if policy == "float32" or dtype not in _NUMPY_FLOATS:
        return torch.float32
    return dtype


def for_storage(tensors: dict, policy: str, notes: dict) -> dict:
    """``tensors`` cast to their storage dtype; unavoidable conversions are added to ``notes``.

    ``notes`` maps a source dtype name to the stored one, e.g. ``{"bfloat16": "float32"}``
    (only conversions the ``"keep"`` policy could not avoid are noted).
    """
    out = {}
    for key, tensor in tensors.items():
        target = storage_dtype(tensor.dtype, policy)
        if target != tensor.dtype:
            if policy == "keep":
                notes[_name(tensor.dtype)] = _name(target)
            tensor = tensor.to(target)
        out[key] = tensor
    return out


def _name(dtype: torch.dtype) -> str:
    return str(dtype).removeprefix("torch.")


__all__ = ["POLICIES", "for_storage", "storage_dtype"]
