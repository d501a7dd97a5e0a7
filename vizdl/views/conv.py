"""What the convolution pictures show: padded input, kernel, output, sums of products, sizes, padding modes.

Built from :mod:`vizdl.ops` numbers for one :class:`vizdl.ops.ConvCase`. The padded input
is a :class:`~vizdl.views.Grid` whose padding cells have the ``padding`` role; the kernel
has the ``kernel`` role; output cells the ``output`` role (painters show a cell ``empty``
until a step reveals it). Each kernel position is a :class:`WindowView`: the cells it reads
(their fill becomes the kernel's while it is there, the outline is the ``window`` role),
the output cell it writes and its sum of products written as the notes write it,
``y[i,j] = w·x + ...``. The output-size formula comes in the notes' form and with the
numbers substituted (with the floor when the stride does not divide). Padded cases also
carry one :class:`ModeView` per padding mode: the padded values, which padded row or
column copies which (``source`` role) and the recomputed output.

Element ids a step reveals: ``title``, ``input``, ``kernel``, ``output``, ``names``,
``formula``, ``window-k`` (outline of position ``k``), ``products-k``, ``output-k``
(output cell ``k``, row-major), ``size``, ``dropped``, ``mode-<m>``, ``mode-<m>-output``.

>>> view = conv_view(ConvCase(kernel=3, padding=1, stride=3))
>>> view.output.shape, view.windows[0].text
((2, 2), 'y[0,0] = 0·0 + 1·0 + 2·0 + 2·0 + (−1)·4 + (−1)·3 + 2·0 + 2·0 + (−1)·0 = −7')
>>> [s.name for s in view.story]
['setup', 'window-0', 'window-1', 'sweep', 'size']
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from vizdl.ops._checks import as_image
from vizdl.ops.conv import conv2d, conv_steps, output_size_terms
from vizdl.ops.conv_cases import ConvCase
from vizdl.ops.padding import PADDING_MODES, pad, padding_copies, padding_mask
from vizdl.styles.theme import fmt
from vizdl.views.base import Formula, Grid, Label, Step, Story

#: Windows explained one by one (with their sum of products) before the kernel sweeps.
DETAILED = 2
MODE_RULES = {
    "zeros": "Zeros padding: every padded cell holds 0.",
    "reflect": "Reflect: each padded row and column mirrors the input across its edge, without repeating the edge.",
    "replicate": "Replicate: each padded row and column repeats the input's edge row or column.",
    "circular": "Circular: the input wraps around; the top padding copies the bottom rows, the left padding the "
                "right columns.",
}


@dataclass(frozen=True)
class WindowView:
    """One position of the kernel.

    Attributes
    ----------
    index : (int, int)
        The output cell ``(i, j)`` it writes.
    rows, cols : tuple of int
        Padded-input rows and columns it reads (its outline spans them).
    cells : tuple of (int, int)
        The cells it reads, in kernel order (every ``dilation``-th cell when dilated).
    lead : str
        ``"y[0,1] ="``.
    lines : tuple of str
        The sum of products, one line per kernel row (``"2·0 + (−1)·4 + 1·3"``, the next
        lines starting with ``"+ "``), then ``"+ 1.5 (bias)"`` when there is a bias.
    result : str
        ``"= 7"``.
    value : str
        The output value (what the output cell writes).
    """

    index: tuple
    rows: tuple
    cols: tuple
    cells: tuple
    lead: str
    lines: tuple
    result: str
    value: str

    @property
    def text(self) -> str:
        """The whole sum on one line: ``lead``, ``lines`` and ``result`` joined by spaces."""
        return " ".join((self.lead, *self.lines, self.result))

    def block(self) -> tuple:
        """The sum as the painters stack it: ``lead`` + first line, the other lines, ``result`` last.

        >>> WindowView((0, 0), (0,), (0,), ((0, 0),), "y[0,0] =", ("1·2", "+ 3·4"), "= 14", "14").block()
        ('y[0,0] = 1·2', '+ 3·4 = 14')
        """
        lines = [f"{self.lead} {self.lines[0]}", *self.lines[1:]]
        lines[-1] = f"{lines[-1]} {self.result}"
        return tuple(lines)


@dataclass(frozen=True)
class ModeView:
    """One padding mode of a padded case.

    Attributes
    ----------
    mode : str
    input : Grid
        The input padded by this mode.
    output : Grid
        The output with this padding.
    copies : tuple of (axis, target, source)
        Padded row (axis 0) or column (axis 1) ``target`` is a copy of ``source``
        (padded-input coordinates; empty for zeros), from :func:`vizdl.ops.padding_copies`.
    changed : tuple of (int, int)
        Output cells whose value differs from the zeros padding's.
    caption, output_caption : str
        What the padding rule is; what it does to the output.
    title : Label
        The case's title with this mode.
    """

    mode: str
    input: Grid
    output: Grid
    copies: tuple
    changed: tuple
    caption: str
    output_caption: str
    title: Label


@dataclass(frozen=True)
class ConvView:
    """Everything a convolution picture of one case draws (see the module docstring).

    Attributes
    ----------
    case : vizdl.ops.ConvCase
        The parameters (its sizes are those of ``x`` and ``w``).
    x, w : numpy.ndarray
        The input and the kernel.
    title : Label
    input, kernel, output : Grid
        The padded input, the kernel, the complete output.
    names : dict of str -> Label
        ``input``, ``kernel``, ``output``: what each grid is.
    windows : tuple of WindowView
        One per output cell, row-major.
    size_formula : Formula
        The notes' output-size formula.
    size_numbers : tuple of Formula
        The formula with the numbers (one, or rows and columns when they differ).
    dropped : (tuple, tuple)
        Padded-input rows and columns no window reaches (the floor drops them).
    modes : tuple of ModeView
    story : Story
    """

    case: ConvCase
    x: np.ndarray
    w: np.ndarray
    title: Label
    input: Grid
    kernel: Grid
    output: Grid
    names: dict
    windows: tuple
    size_formula: Formula
    size_numbers: tuple
    dropped: tuple
    modes: tuple
    story: Story

    def mode(self, mode: str) -> ModeView:
        """The :class:`ModeView` of ``mode`` (``KeyError`` when the view has none)."""
        for view in self.modes:
            if view.mode == mode:
                return view
        raise KeyError(f"no padding mode {mode!r} in this view; modes: {', '.join(m.mode for m in self.modes)}")

    def element_ids(self) -> set:
        """Every id a step may reveal."""
        ids = {"title", "input", "kernel", "output", "names", "formula", "size", "dropped"}
        ids |= {f"{kind}-{k}" for k in range(len(self.windows)) for kind in ("window", "products", "output")}
        return ids | {f"mode-{m.mode}{suffix}" for m in self.modes for suffix in ("", "-output")}


def _shape_text(shape) -> str:
    return f"{shape[0]}×{shape[1]}"


def case_title(case: ConvCase, input_shape=None, kernel_shape=None) -> str:
    """The notes' slide title, ``Kernel size: 3, Padding: 1 (zeros), Stride: 2``, and the input size."""
    mode = f" ({case.mode})" if case.padding else ""
    dilation = f", Dilation: {case.dilation}" if case.dilation != 1 else ""
    shape = input_shape or (case.input, case.input)
    kh, kw = kernel_shape or (case.kernel, case.kernel)
    kernel = str(kh) if kh == kw else f"{kh}×{kw}"
    return f"Kernel size: {kernel}, Padding: {case.padding}{mode}, Stride: {case.stride}{dilation} — " \
           f"input {_shape_text(shape)}"


def conv_view(case: ConvCase | None = None, *, x=None, kernel=None, sweep: bool = True, modes: bool = False,
              detailed: int = DETAILED) -> ConvView:
    """The view of one convolution (the notes' first case by default).

    Parameters
    ----------
    case : vizdl.ops.ConvCase, optional
        Stride, padding, dilation, mode, bias, and (unless ``x``/``kernel`` are given) the
        example input and kernel.
    x, kernel : array_like (H, W) and (kh, kw), optional
        Your own input and kernel instead of the case's examples.
    sweep : bool
        Tell the kernel's sweep (two windows in detail, then the rest); ``False`` reveals
        the whole output at once (for a story about padding modes only).
    modes : bool
        Add the padding modes (zeros, reflect, replicate, circular) to the story; needs a
        padded case.
    detailed : int
        Windows told one by one, with their sum of products, before the sweep.
    """
    case = case or ConvCase()
    x = case.input_values() if x is None else as_image(x, "x")
    w = case.kernel_values() if kernel is None else as_image(kernel, "kernel")
    if x.ndim != 2 or w.ndim != 2:
        raise ValueError(f"x and kernel must be single-channel (H, W) arrays here, got shapes {x.shape} and "
                         f"{w.shape}")
    case = replace(case, input=x.shape[0], kernel=w.shape[0])
    if modes and not case.padding:
        raise ValueError(f"modes: case {case.name} has no padding; padding modes need padding >= 1")
    params = dict(stride=case.stride, padding=case.padding, dilation=case.dilation)
    steps = conv_steps(x, w, case.bias, mode=case.mode, **params)
    output = conv2d(x, w, case.bias, mode=case.mode, **params)
    windows = tuple(_window(step) for step in steps)
    terms = [output_size_terms(n, k, case.stride, case.padding, case.dilation) for n, k in zip(x.shape, w.shape)]
    mode_views = tuple(_mode(case, x, w, m, output) for m in _mode_order(case.mode)) if modes else ()
    view = dict(case=case, x=x, w=w, title=Label(case_title(case, x.shape, w.shape), size="title"),
                input=_padded_grid(x, case.padding, case.mode), kernel=Grid.of(w, roles="kernel"),
                output=Grid.of(output, roles="output"), names=_names(case, x, w, output), windows=windows,
                size_formula=size_formula(), size_numbers=_size_numbers(terms),
                dropped=tuple(_dropped(t) for t in terms), modes=mode_views)
    return ConvView(**view, story=_story(case, x.shape, w.shape, windows, terms, mode_views, sweep, detailed))


def _padded_grid(x, padding, mode) -> Grid:
    mask = padding_mask(x.shape, padding)
    return Grid.of(pad(x, padding, mode), roles=np.where(mask, "padding", "cell"),
                   inks=np.where(mask, "padding_ink", "ink"))


def _names(case, x, w, output) -> dict:
    padding = f" + padding {case.padding}" if case.padding else ""
    return {"input": Label(f"input x {_shape_text(x.shape)}{padding}"),
            "kernel": Label(f"kernel w {_shape_text(w.shape)}"),
            "output": Label(f"output y {_shape_text(output.shape)}")}


def _factor(value: float) -> str:
    text = fmt(value)
    return f"({text})" if value < 0 else text


def _window(step) -> WindowView:
    i, j = step.window.index
    rows = []
    for weights, inputs in zip(step.weights[0], step.inputs[0]):
        rows.append(" + ".join(f"{_factor(wv)}·{_factor(xv)}" for wv, xv in zip(weights, inputs)))
    lines = [rows[0]] + [f"+ {row}" for row in rows[1:]]
    if step.bias:
        lines.append(f"+ {_factor(step.bias)} (bias)")
    value = fmt(step.value)
    return WindowView((i, j), step.window.rows, step.window.cols, tuple(step.window.cells()), f"y[{i},{j}] =",
                      tuple(lines), f"= {value}", value)


def size_formula() -> Formula:
    """The notes' output-size formula."""
    return Formula.of(r"d_{\mathrm{out}} = \dfrac{d_{\mathrm{in}} + 2 \times \mathrm{Padding} - "
                      r"\mathrm{KernelSize}}{\mathrm{Stride}} + 1", size="title")


def size_numbers(terms) -> Formula:
    """The formula with the numbers of ``terms`` (:class:`vizdl.ops.OutputSize`), floored when needed."""
    kernel = str(terms.kernel) if terms.dilation == 1 else rf"({terms.dilation} \times ({terms.kernel} - 1) + 1)"
    fraction = rf"\dfrac{{{terms.size} + 2 \times {terms.padding} - {kernel}}}{{{terms.stride}}}"
    if not terms.exact:
        fraction = rf"\left\lfloor {fraction} \right\rfloor"
    return Formula.of(rf"d_{{\mathrm{{out}}}} = {fraction} + 1 =", (str(terms.value), "output_stroke"), size="title")


def _size_numbers(terms) -> tuple:
    if terms[0] == terms[1]:
        return (size_numbers(terms[0]),)
    return tuple(Formula.of(rf"\mathrm{{{axis}}}:", *((p.text, p.role) for p in size_numbers(t).parts), size="title")
                 for axis, t in zip(("rows", "columns"), terms))


def _dropped(terms) -> tuple:
    """Padded-input rows (= columns: square cases) no window reaches: the floor drops them."""
    total = terms.size + 2 * terms.padding
    return tuple(range(total - terms.unread, total))


def _mode_order(first: str) -> tuple:
    return (first,) + tuple(m for m in PADDING_MODES if m != first)


def _mode(case: ConvCase, x, w, mode: str, first_output) -> ModeView:
    """Mode ``mode`` of ``case``; ``changed`` compares with ``first_output`` (the case's own mode)."""
    out = conv2d(x, w, case.bias, case.stride, case.padding, case.dilation, mode)
    changed = tuple((int(i), int(j)) for i, j in zip(*np.nonzero(~np.isclose(out, first_output))))
    effect = (f"With {mode} padding, {len(changed)} of the {out.size} outputs change (outlined): only windows "
              "that read padding can.")
    moded = case.with_mode(mode)
    return ModeView(mode, _padded_grid(x, case.padding, mode), Grid.of(out, roles="output"),
                    tuple(padding_copies(x.shape, case.padding, mode)), changed, MODE_RULES[mode], effect,
                    Label(case_title(moded, x.shape, w.shape), size="title"))


def _story(case, x_shape, w_shape, windows, terms, modes, sweep, detailed) -> Story:
    frame = ("title", "input", "kernel", "output", "names", "formula")
    every = tuple(f"output-{k}" for k in range(len(windows)))
    if not sweep:
        steps = [Step("setup", f"{_setup_caption(case, x_shape, w_shape)} Every position writes one output cell.",
                      frame + every, len(windows))]
    else:
        steps = [Step("setup", _setup_caption(case, x_shape, w_shape), frame)]
        detailed = min(max(detailed, 1), len(windows))
        for k in range(detailed):
            steps.append(Step(f"window-{k}", _window_caption(case, windows[k]),
                              (f"window-{k}", f"products-{k}", f"output-{k}"), len(windows[k].cells) + 1))
        if len(windows) > detailed:
            steps.append(Step("sweep", _sweep_caption(case), (f"window-{len(windows) - 1}",) + every[detailed:]))
        unread = any(t.unread for t in terms)
        steps.append(Step("size", _size_caption(terms[0]), ("size",) + (("dropped",) if unread else ()), 6))
    for mode in modes:
        steps.append(Step(f"mode-{mode.mode}", mode.caption, (f"mode-{mode.mode}",),
                          0 if mode.mode == "zeros" else len(mode.copies)))
        if mode.mode != case.mode:
            steps.append(Step(f"mode-{mode.mode}-output", mode.output_caption, (f"mode-{mode.mode}-output",), 1))
    return Story(tuple(steps))


def _cells(count: int, word: str = "cell") -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def _setup_caption(case, x_shape, w_shape) -> str:
    s = case.stride
    padding = f" padded with {_cells(case.padding)} (grey)" if case.padding else ""
    moves = "one cell at a time" if s == 1 else f"{s} cells at a time"
    dilation = f", its taps {case.dilation} cells apart" if case.dilation != 1 else ""
    return f"A {_shape_text(w_shape)} kernel slides over the {_shape_text(x_shape)} input{padding}{dilation}, {moves}."


def _window_caption(case, window) -> str:
    i, j = window.index
    bias = " plus the bias" if case.bias else ""
    values = len(window.cells)
    return f"y[{i},{j}]: the {values} values under the kernel times its weights, summed{bias}: {window.value}."


def _sweep_caption(case) -> str:
    step = "one cell" if case.stride == 1 else f"{case.stride} cells"
    return f"The kernel slides on, {step} at a time, row by row: one output cell per position."


def _size_caption(terms) -> str:
    sum_text = f"({terms.size} + 2×{terms.padding} − {terms.extent}) / {terms.stride}"
    if terms.exact:
        return f"Output size: {sum_text} + 1 = {terms.value} positions per row and per column."
    rows = "row and column" if terms.unread == 1 else f"{terms.unread} rows and columns"
    return f"Output size: ⌊{sum_text}⌋ + 1 = {terms.value}; the floor drops the dashed {rows}: the kernel would " \
           "stick out there."


__all__ = ["ConvView", "DETAILED", "MODE_RULES", "ModeView", "WindowView", "case_title", "conv_view", "size_formula",
           "size_numbers"]
