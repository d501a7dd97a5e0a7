"""The convolutions the lecture shows: the notes' five cases, and cases parsed from text.

A :class:`ConvCase` is a set of parameters (input size, kernel size, stride, padding,
dilation, padding mode, bias) plus reproducible example values, so the scene, the
figures, the GIFs and the README images of one case show the same numbers.
:data:`NOTES_CASES` is the one definition of the notes' five slides ("Kernel size: 3,
Padding: 0, Stride: 1" ... "Kernel size: 3, Padding: 1, Stride: 3"), all on the same
5x5 input: the output sizes 3, 1, 5, 3 and 2 follow from the parameters alone, and the
last one needs the floor of the output-size formula.

>>> [case.name for case in NOTES_CASES]
['k3p0s1', 'k5p0s1', 'k3p1s1', 'k3p1s2', 'k3p1s3']
>>> [case.output_size for case in NOTES_CASES]
[3, 1, 5, 3, 2]
>>> parse_cases("k=3 s=2 p=1 mode=reflect input=7")[0].name
'k3p1s2_reflect_in7'
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np

from vizdl.ops.conv import conv2d, conv_output_size, example_input, example_kernel

_KEYS = {"k": "kernel", "kernel": "kernel", "s": "stride", "stride": "stride", "p": "padding",
         "padding": "padding", "d": "dilation", "dilation": "dilation", "mode": "mode", "m": "mode",
         "input": "input", "i": "input", "n": "input", "seed": "seed", "b": "bias", "bias": "bias"}
DEFAULT_INPUT = 5


@dataclass(frozen=True)
class ConvCase:
    """One convolution to show: sizes, stride, padding, dilation, padding mode, bias.

    The input and kernel are :func:`vizdl.ops.example_input` (seed ``seed``) and
    :func:`vizdl.ops.example_kernel` (seed ``seed + 1``): small integers, reproducible.
    """

    input: int = DEFAULT_INPUT
    kernel: int = 3
    stride: int = 1
    padding: int = 0
    dilation: int = 1
    mode: str = "zeros"
    bias: float = 0.0
    seed: int = 0

    @classmethod
    def parse(cls, spec: str) -> "ConvCase":
        """Parse ``"k=3 s=2 p=1 mode=reflect input=7"`` (items separated by spaces or commas).

        Keys: ``k``/``kernel``, ``s``/``stride``, ``p``/``padding``, ``d``/``dilation``,
        ``mode``, ``input``, ``bias``, ``seed``. Raises ``ValueError`` for an unknown key, a
        non-number or parameters :func:`vizdl.ops.conv2d` refuses.
        """
        values = {}
        for item in filter(None, re.split(r"[\s,]+", spec.strip())):
            key, sep, value = item.partition("=")
            name = _KEYS.get(key.strip().lower())
            if not sep or name is None:
                raise ValueError(f"case item {item!r} is not key=value with a key in {sorted(set(_KEYS))}")
            values[name] = value.strip() if name == "mode" else _number(name, value)
        return cls(**values).validate()

    def validate(self) -> "ConvCase":
        """Check the parameters with :func:`vizdl.ops.conv2d` (raises ``ValueError``) and return self."""
        conv2d(self.input_values(), self.kernel_values(), self.bias, self.stride, self.padding, self.dilation,
               self.mode)
        return self

    def input_values(self) -> np.ndarray:
        """The ``(input, input)`` example input."""
        return example_input(self.input, seed=self.seed)

    def kernel_values(self) -> np.ndarray:
        """The ``(kernel, kernel)`` example kernel."""
        return example_kernel(self.kernel, seed=self.seed + 1)

    @property
    def output_size(self) -> int:
        """Side of the (square) output."""
        return conv_output_size(self.input, self.kernel, self.stride, self.padding, self.dilation)

    @property
    def name(self) -> str:
        """Short id: ``k3p1s2``, plus ``d2`` when dilated, the mode when padded and not zeros,
        and ``_in7`` when the input is not the notes' 5x5."""
        name = f"k{self.kernel}p{self.padding}s{self.stride}"
        name += f"d{self.dilation}" if self.dilation != 1 else ""
        name += f"_{self.mode}" if self.padding and self.mode != "zeros" else ""
        name += f"_in{self.input}" if self.input != DEFAULT_INPUT else ""
        return name + (f"_seed{self.seed}" if self.seed else "")

    def with_mode(self, mode: str) -> "ConvCase":
        """The same case with another padding mode."""
        return replace(self, mode=mode)


def _number(name: str, text: str):
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"case: {name} must be a number, got {text!r}") from None
    if name == "bias":
        return value
    if value != int(value):
        raise ValueError(f"case: {name} must be an integer, got {text!r}")
    return int(value)


#: The notes' five slides, in their order, on one 5x5 input (padding modes go with the third).
NOTES_CASES = (
    ConvCase(kernel=3, padding=0, stride=1),
    ConvCase(kernel=5, padding=0, stride=1),
    ConvCase(kernel=3, padding=1, stride=1),
    ConvCase(kernel=3, padding=1, stride=2),
    ConvCase(kernel=3, padding=1, stride=3),
)

#: The notes' case whose slide lists the padding modes.
NOTES_MODES_CASE = NOTES_CASES[2]


def notes_case(name: str) -> ConvCase:
    """The notes' case called ``name`` (``"k3p1s3"``); ``KeyError`` lists the names."""
    for case in NOTES_CASES:
        if case.name == name:
            return case
    raise KeyError(f"no notes' case {name!r}; cases: {', '.join(c.name for c in NOTES_CASES)}")


def parse_cases(spec: str) -> tuple:
    """Cases from text: ``"notes"`` (the five), notes' names or ``key=value`` items; ``;`` separates cases.

    >>> [c.name for c in parse_cases("k3p1s3; k=5 input=7")]
    ['k3p1s3', 'k5p0s1_in7']
    """
    parts = [part.strip() for part in str(spec).split(";") if part.strip()]
    if not parts:
        raise ValueError(f"cases must name at least one case (\"notes\", \"k3p1s2\" or \"k=3 s=2 p=1\"), got {spec!r}")
    cases = []
    for part in parts:
        if part.lower() == "notes":
            cases += NOTES_CASES
        elif "=" in part:
            cases.append(ConvCase.parse(part))
        else:
            cases.append(notes_case(part))
    return tuple(cases)


__all__ = ["ConvCase", "NOTES_CASES", "NOTES_MODES_CASE", "notes_case", "parse_cases"]
