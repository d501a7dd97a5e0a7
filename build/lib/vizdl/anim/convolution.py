"""Manim mobjects and animations for the sliding-window 2-D convolution.

:class:`ConvolutionDiagram` draws the padded input (padding cells grey, carrying their
padded values), the kernel, the output grid (filling in) and the sum of products of one
window; every number comes from :mod:`vizdl.ops`. :class:`ConvCase` describes one case
of the lecture notes (or one parsed from ``"k=3,s=2,p=1,mode=reflect,input=7"``).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, replace

import numpy as np
from manim import (DOWN, LEFT, RIGHT, UP, AnimationGroup, FadeIn, FadeOut, MathTex,
                   ReplacementTransform, Succession, TransformFromCopy, VGroup)

from vizdl import ops
from vizdl.anim.grid import (INK, KERNEL_FILL, OUTPUT_FILL, WINDOW_COLOR, NumberGrid,
                             format_value, label)

ENV_VAR = "VIZDL_CONV"
_KEYS = {"k": "kernel", "kernel": "kernel", "s": "stride", "stride": "stride", "p": "padding",
         "padding": "padding", "d": "dilation", "dilation": "dilation", "mode": "mode",
         "input": "input", "i": "input", "n": "input", "seed": "seed", "b": "bias", "bias": "bias"}


@dataclass(frozen=True)
class ConvCase:
    """One convolution to animate: sizes, stride, padding, dilation, padding mode.

    The input and kernel are :func:`vizdl.ops.example_input` / :func:`vizdl.ops.example_kernel`
    (small integers, reproducible from ``seed``).
    """

    input: int = 5
    kernel: int = 3
    stride: int = 1
    padding: int = 0
    dilation: int = 1
    mode: str = "zeros"
    bias: float = 0.0
    seed: int = 0

    @classmethod
    def parse(cls, spec: str) -> "ConvCase":
        """Parse ``"k=3,s=2,p=1,mode=reflect,input=7"`` (keys k/s/p/d/mode/input/bias/seed).

        Raises ``ValueError`` for an unknown key, a non-number or invalid parameters.
        """
        values = {}
        for item in filter(None, (part.strip() for part in spec.split(","))):
            key, sep, value = item.partition("=")
            name = _KEYS.get(key.strip().lower())
            if not sep or name is None:
                raise ValueError(f"{ENV_VAR} item {item!r} is not key=value with a key in "
                                 f"{sorted(set(_KEYS))}")
            values[name] = value.strip() if name == "mode" else _number(name, value)
        case = cls(**values)
        case.validate()
        return case

    def validate(self) -> "ConvCase":
        """Check the parameters with :mod:`vizdl.ops` (raises ``ValueError``) and return self."""
        ops.conv2d(self.input_values(), self.kernel_values(), self.bias, self.stride,
                   self.padding, self.dilation, self.mode)
        return self

    def input_values(self) -> np.ndarray:
        """The ``(input, input)`` example input."""
        return ops.example_input(self.input, seed=self.seed)

    def kernel_values(self) -> np.ndarray:
        """The ``(kernel, kernel)`` example kernel."""
        return ops.example_kernel(self.kernel, seed=self.seed + 1)

    def title(self) -> str:
        """The notes' caption, e.g. ``Kernel size: 3, Padding: 1 (zeros), Stride: 2``."""
        mode = f" ({self.mode})" if self.padding else ""
        dil = f", Dilation: {self.dilation}" if self.dilation != 1 else ""
        return f"Kernel size: {self.kernel}, Padding: {self.padding}{mode}, Stride: {self.stride}{dil}"

    @property
    def name(self) -> str:
        """Short id, e.g. ``k3p1s2`` (plus the mode when padded and not zeros)."""
        extra = f"d{self.dilation}" if self.dilation != 1 else ""
        mode = f"_{self.mode}" if self.padding and self.mode != "zeros" else ""
        return f"k{self.kernel}p{self.padding}s{self.stride}{extra}{mode}"


def _number(name: str, text: str):
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{ENV_VAR}: {name} must be a number, got {text!r}") from None
    if name != "bias":
        if value != int(value):
            raise ValueError(f"{ENV_VAR}: {name} must be an integer, got {text!r}")
        return int(value)
    return value


#: The five cases of the notes (padding modes are shown on the third one).
NOTES_CASES = (
    ConvCase(input=5, kernel=3, padding=0, stride=1),
    ConvCase(input=7, kernel=5, padding=0, stride=1),
    ConvCase(input=5, kernel=3, padding=1, stride=1),
    ConvCase(input=7, kernel=3, padding=1, stride=2),
    ConvCase(input=7, kernel=3, padding=1, stride=3),
)


def cases_from_env(environ=None) -> tuple[ConvCase, ...]:
    """The single case of ``$VIZDL_CONV`` when set, else :data:`NOTES_CASES`."""
    spec = (environ if environ is not None else os.environ).get(ENV_VAR, "").strip()
    return (ConvCase.parse(spec),) if spec else NOTES_CASES


def formula_tex(size: int, kernel: int, stride: int = 1, padding: int = 0,
                dilation: int = 1) -> VGroup:
    """The notes' output-size formula and the same with the numbers filled in.

    Returns ``VGroup(general, substituted)``; the floor brackets appear only when the
    division is not exact. The result is :func:`vizdl.ops.conv_output_size`.
    """
    out = ops.conv_output_size(size, kernel, stride, padding, dilation)
    k = str(kernel) if dilation == 1 else rf"({dilation}\cdot({kernel}-1)+1)"
    fraction = rf"\frac{{{size} + 2\times {padding} - {k}}}{{{stride}}}"
    extent = dilation * (kernel - 1) + 1
    if (size + 2 * padding - extent) % stride:
        fraction = rf"\left\lfloor {fraction} \right\rfloor"
    general = MathTex(r"d_{\text{out}} = \frac{d_{\text{in}} + 2\times\text{Padding} - "
                      r"\text{KernelSize}}{\text{Stride}} + 1", color=INK, font_size=34)
    substituted = MathTex(rf"= {fraction} + 1 = {out}", color=INK, font_size=34)
    return VGroup(general, substituted).arrange(RIGHT, buff=0.25)


class ConvolutionDiagram(VGroup):
    """Padded input, kernel, output grid and captions of one 2-D convolution.

    Parameters
    ----------
    x : array_like, shape (H, W)
    kernel : array_like, shape (k, k)
    bias, stride, padding, dilation, mode
        As in :func:`vizdl.ops.conv2d` (checked there: bad values raise ``ValueError``).
    max_grid : float
        Largest side of the input grid in scene units.

    Attributes
    ----------
    steps : list of vizdl.ops.ConvStep
        One per output cell, row-major.
    output : numpy.ndarray
        :func:`vizdl.ops.conv2d` of the inputs.
    input_grid, kernel_grid, output_grid : NumberGrid
    window : VGroup
        The kernel's outline on the input (and its taps when dilated), at step 0.
    marker : Rectangle
        Outline of the output cell being computed.
    """

    def __init__(self, x, kernel, *, bias: float = 0.0, stride: int = 1, padding: int = 0,
                 dilation: int = 1, mode: str = "zeros", max_grid: float = 5.0, **kwargs):
        super().__init__(**kwargs)
        self.x = np.asarray(x, dtype=float)
        self.kernel = np.asarray(kernel, dtype=float)
        self.params = dict(bias=bias, stride=stride, padding=padding, dilation=dilation, mode=mode)
        self.steps = ops.conv_steps(self.x, self.kernel, **self.params)
        self.output = ops.conv2d(self.x, self.kernel, **self.params)
        padded = ops.pad(self.x, padding, mode)
        cell = min(0.6, max_grid / max(padded.shape))
        self.input_grid = NumberGrid(padded, cell_size=cell,
                                     padding_mask=ops.padding_mask(self.x.shape, padding))
        self.kernel_grid = NumberGrid(self.kernel, cell_size=min(0.5, 2.2 / self.kernel.shape[0]),
                                      fill=KERNEL_FILL)
        self.output_grid = NumberGrid(np.full(self.output.shape, np.nan), cell_size=cell,
                                      fill=OUTPUT_FILL)
        self.captions = self._captions()
        self._layout()
        self.window = self.window_at(0)
        self.marker = self.output_grid.window([0], [0], stroke_width=4)
        self.add(self.input_grid, self.kernel_grid, self.output_grid, self.captions)

    @classmethod
    def from_case(cls, case: ConvCase, **kwargs) -> "ConvolutionDiagram":
        """Diagram of a :class:`ConvCase`."""
        return cls(case.input_values(), case.kernel_values(), bias=case.bias, stride=case.stride,
                   padding=case.padding, dilation=case.dilation, mode=case.mode, **kwargs)

    def _input_caption(self) -> str:
        n, p = self.x.shape[0], self.params["padding"]
        pad = f" + padding {p} ({self.params['mode']}, grey)" if p else ""
        return f"input {n}×{self.x.shape[1]}{pad}"

    def _captions(self) -> VGroup:
        h, w = self.output.shape
        k = self.kernel.shape
        return VGroup(label(self._input_caption(), 22), label(f"kernel {k[0]}×{k[1]}", 22),
                      label(f"output {h}×{w}", 22))

    def _layout(self) -> None:
        top = 2.35
        self.input_grid.move_to([-4.0, 0, 0]).align_to([0, top, 0], UP)
        self.output_grid.move_to([4.6, 0, 0]).align_to([0, top, 0], UP)
        self.kernel_grid.move_to([0.4, 0, 0]).align_to([0, top, 0], UP)
        grids = (self.input_grid, self.kernel_grid, self.output_grid)
        for caption, grid in zip(self.captions, grids):
            caption.next_to(grid, UP, buff=0.15)
        if self.captions[0].get_left()[0] < -6.9:
            self.captions[0].shift((-6.9 - self.captions[0].get_left()[0]) * RIGHT)

    @property
    def step_count(self) -> int:
        """Number of window positions (= output cells)."""
        return len(self.steps)

    def window_at(self, index: int) -> VGroup:
        """The kernel's outline (and dilated taps) on the padded input at step ``index``."""
        win = self.steps[index].window
        outline = self.input_grid.window(win.rows, win.cols)
        if self.params["dilation"] == 1:
            return VGroup(outline)
        return VGroup(outline, self.input_grid.cell_marks(win.cells(), stroke_width=3))

    def output_label(self, index: int) -> VGroup:
        """Label of output cell ``index`` placed on the output grid (not added)."""
        i, j = self.steps[index].window.index
        return self.output_grid.make_label(i, j, self.steps[index].value)

    def products(self, index: int) -> VGroup:
        """``x·w + ...`` lines (one per kernel row) and the ``= value`` line of step ``index``.

        The last submobject is the result line.
        """
        step = self.steps[index]
        rows = [[f"{format_value(x)}·{_paren(w)}" for x, w in zip(xr, wr)]
                for xr, wr in zip(step.inputs[0], step.weights[0])]
        lines = [_sum_line(terms, last=r == len(rows) - 1) for r, terms in enumerate(rows)]
        bias = f"+ {_paren(step.bias)} " if step.bias else ""
        group = VGroup(*lines, label(f"{bias}= {format_value(step.value)}", 26))
        group.arrange(DOWN, aligned_edge=LEFT, buff=0.14)
        left, right = self.input_grid.get_right()[0] + 0.2, self.output_grid.get_left()[0] - 0.2
        if group.width > right - left:
            group.scale_to_fit_width(right - left)
        group.next_to(self.kernel_grid, DOWN, buff=0.4)
        return group.set_x((left + right) / 2)

    def detail_step(self, index: int, previous: VGroup | None = None):
        """Yield the ``play`` lists moving the window to step ``index``, with its sum of products.

        Generator: the output label joins the output grid after the last ``play``.
        Returns (as ``StopIteration.value``) the products shown, to pass as ``previous``.
        """
        products = self.products(index)
        swap = [FadeOut(previous)] if previous is not None else []
        yield [AnimationGroup(self.window.animate.move_to(self.window_at(index)),
                              self.marker.animate.move_to(self._out_cell(index)), *swap,
                              FadeIn(products), run_time=0.7)]
        result = self.output_label(index)
        yield [TransformFromCopy(products[-1], result, run_time=0.6)]
        self._keep_output(index, result)
        return products

    def fast_steps(self, indices, run_time: float = 0.15):
        """Yield one ``play`` list moving the window over ``indices`` and writing each output."""
        labels = [self.output_label(i) for i in indices]
        parts = [AnimationGroup(self.window.animate.move_to(self.window_at(i)),
                                self.marker.animate.move_to(self._out_cell(i)),
                                FadeIn(lab), run_time=run_time)
                 for i, lab in zip(indices, labels)]
        yield [Succession(*parts)]
        for i, lab in zip(indices, labels):
            self._keep_output(i, lab)

    def animate_steps(self, detailed: int = 2, fast_run_time: float = 2.0):
        """Yield the ``play`` lists of the whole convolution after the diagram is shown.

        The first ``detailed`` windows show their sum of products; the others fill the
        output quickly (``fast_run_time`` seconds in all).
        """
        products = None
        detailed = min(detailed, self.step_count)
        for index in range(detailed):
            products = yield from self.detail_step(index, products)
        if products is not None:
            yield [FadeOut(products, run_time=0.3)]
        rest = list(range(detailed, self.step_count))
        if rest:
            yield from self.fast_steps(rest, min(0.25, fast_run_time / len(rest)))

    def _out_cell(self, index: int):
        i, j = self.steps[index].window.index
        return self.output_grid.get_cell(i, j)

    def _keep_output(self, index: int, text: VGroup) -> None:
        i, j = self.steps[index].window.index
        self.output_grid.set_value(i, j, self.steps[index].value, text)

    def change_mode(self, mode: str) -> list:
        """Animations switching the padding mode: padding values and outputs transform.

        The new values come from :func:`vizdl.ops.pad` and :func:`vizdl.ops.conv2d`.
        """
        self.params["mode"] = mode
        self.steps = ops.conv_steps(self.x, self.kernel, **self.params)
        self.output = ops.conv2d(self.x, self.kernel, **self.params)
        padded = ops.pad(self.x, self.params["padding"], mode)
        anims = [self._relabel(self.input_grid, i, j, padded[i, j])
                 for i, j in zip(*np.nonzero(self.input_grid.padding_mask))]
        anims += [self._relabel(self.output_grid, i, j, self.output[i, j])
                  for i, j in np.ndindex(self.output.shape)
                  if self.output_grid.get_label(i, j) is not None]
        caption = label(self._input_caption(), 22).move_to(self.captions[0])
        anims.append(ReplacementTransform(self.captions[0], caption))
        self.captions.submobjects[0] = caption
        return [a for a in anims if a is not None]

    @staticmethod
    def _relabel(grid: NumberGrid, i: int, j: int, value: float):
        old = grid.get_label(i, j)
        if old is not None and format_value(value) == format_value(grid.values[i, j]):
            return None
        new = grid.set_value(i, j, value, grid.make_label(i, j, value))
        return ReplacementTransform(old, new) if old is not None else FadeIn(new)


def _sum_line(terms, last: bool) -> VGroup:
    """``a·b + c·d + ...`` from cached term labels (fast), ending with ``+`` unless ``last``."""
    parts = [label(terms[0], 22)]
    for term in terms[1:]:
        parts += [label("+", 22), label(term, 22)]
    if not last:
        parts.append(label("+", 22))
    return VGroup(*parts).arrange(RIGHT, buff=0.08)


def _paren(value: float) -> str:
    text = format_value(value)
    return f"({text})" if value < 0 else text


def with_mode(case: ConvCase, mode: str) -> ConvCase:
    """The same case with another padding mode."""
    return replace(case, mode=mode)


__all__ = ["ConvCase", "ConvolutionDiagram", "NOTES_CASES", "ENV_VAR", "cases_from_env",
           "formula_tex", "with_mode"]
