"""Argument checks shared by the model factories."""
from __future__ import annotations


def shape(value, length: int | None, allowed: str, name: str = "input_shape") -> tuple:
    """``value`` as a tuple of positive ints (of ``length`` entries when given)."""
    try:
        out = tuple(int(v) for v in value)
        valid = all(int(v) == v for v in value)
    except (TypeError, ValueError):
        out, valid = (), False
    if not valid or not out or min(out) < 1 or (length is not None and len(out) != length):
        raise ValueError(f"{name} must be {allowed} with positive sizes, got {value!r}")
    return out


def positive_int(**values) -> None:
    """Raise ``ValueError`` unless every value is an int >= 1."""
    for key, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{key} must be a positive integer, got {value!r}")


def probability(**values) -> None:
    """Raise ``ValueError`` unless every value is a number in [0, 1)."""
    for key, value in values.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
            raise ValueError(f"{key} must be a number in [0, 1), got {value!r}")
