"""What the pooling pictures show: max and average pooling windows, and the squeeze's channels.

Built from :func:`vizdl.ops.max_pool`, :func:`vizdl.ops.avg_pool` and
:func:`vizdl.ops.squeeze_pool`, on the notes' 8x8 matrix by default. Input cells take the
``cell`` and ``block_alt`` roles in a checkerboard of the windows (so neighbouring windows
are told apart), the output cells the ``output`` role (shown ``empty`` until revealed), the
winning cell of a max-pool window the ``winner`` role. The squeeze colours each input cell
by its position in its 2x2 block (``block 0`` ... ``block 3``), the channel it goes to.
Averages are written with 3 decimals (``0.475`` is exact; the notes round to one).

Element ids a step reveals: ``title``, ``input``, ``output``, ``names``, ``window-k``,
``formula-k``, ``output-k``, ``winner-k`` (max), ``summary``; squeeze: ``channel-k``.

>>> view = pool_view("max")
>>> view.windows[0].text, view.output.texts[0].tolist()
('y[0,0] = max(0.2, 1, 0.7, 0.3) = 1', ['1', '0.8', '0.8', '0.9'])
>>> pool_view("avg").windows[1].text
'y[0,1] = (0.3 + 0.8 + 0.3 + 0.5) / 4 = 0.475'
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vizdl.ops._checks import as_image, check_choice
from vizdl.ops.pooling import (
    NOTES_EXAMPLE,
    avg_pool,
    max_pool,
    pool_windows,
    squeeze_pool,
)
from vizdl.styles.theme import fmt
from vizdl.views.base import Grid, Label, Step, Story

POOL_KINDS = ("max", "avg", "squeeze")
TITLES = {"max": "Max Pooling", "avg": "Average Pooling", "squeeze": "Invertible Pooling (Squeeze)"}
#: Decimals of the written outputs: averages of one-decimal values need up to 3.
OUTPUT_DECIMALS = {"max": 2, "avg": 3}
DETAILED = 2
BLOCK_POSITIONS = ("top-left", "top-right", "bottom-left", "bottom-right")


@dataclass(frozen=True)
class PoolWindowView:
    """One pooling window: the cells it reads, the output cell it writes, its formula.

    Attributes
    ----------
    index : (int, int)
    rows, cols : tuple of int
    cells : tuple of (int, int)
    winner : (int, int) or None
        The input cell a max-pool keeps (``None`` for average pooling).
    lead, body, result, value : str
        ``"y[0,0] ="``, ``"max(0.2, 1, 0.7, 0.3)"``, ``"= 1"``, ``"1"``.
    """

    index: tuple
    rows: tuple
    cols: tuple
    cells: tuple
    winner: tuple | None
    lead: str
    body: str
    result: str
    value: str

    @property
    def text(self) -> str:
        """``lead body result`` on one line."""
        return f"{self.lead} {self.body} {self.result}"


@dataclass(frozen=True)
class PoolView:
    """Everything a max or average pooling picture draws."""

    kind: str
    title: Label
    input: Grid
    output: Grid
    names: dict
    windows: tuple
    summary: Label
    story: Story

    def element_ids(self) -> set:
        """Every id a step may reveal."""
        ids = {"title", "input", "output", "names", "summary"}
        kinds = ("window", "formula", "output") + (("winner",) if self.kind == "max" else ())
        return ids | {f"{kind}-{k}" for k in range(len(self.windows)) for kind in kinds}


@dataclass(frozen=True)
class SqueezeView:
    """Everything a squeeze (space-to-depth) picture draws.

    ``channels[k]`` is output channel ``k``; ``input.roles`` is ``block k`` where a cell
    goes to channel ``k``.
    """

    title: Label
    input: Grid
    channels: tuple
    names: dict
    summary: Label
    story: Story

    def element_ids(self) -> set:
        """Every id a step may reveal."""
        return {"title", "input", "names", "summary"} | {f"channel-{k}" for k in range(len(self.channels))}


def _input(x):
    x = NOTES_EXAMPLE if x is None else as_image(x, "x")
    if x.ndim != 2:
        raise ValueError(f"x must have shape (H, W), got shape {x.shape}")
    return x


def _source(x) -> str:
    return "the notes' 8×8 matrix" if x is None else f"a {np.shape(x)[0]}×{np.shape(x)[1]} input"


def pool_view(kind: str = "max", x=None, *, kernel: int = 2, stride: int | None = None,
              decimals: int | None = None) -> PoolView:
    """The view of max (``kind="max"``) or average (``"avg"``) pooling.

    Parameters
    ----------
    kind : {"max", "avg"}
    x : array_like (H, W), optional
        Defaults to the notes' 8x8 matrix (:data:`vizdl.ops.NOTES_EXAMPLE`).
    kernel, stride : int
        Window size and step (``stride`` defaults to ``kernel``).
    decimals : int, optional
        Decimals of the written outputs (default :data:`OUTPUT_DECIMALS`: exact for the notes' values).
    """
    check_choice(kind, "kind", ("max", "avg"))
    if decimals is not None and (isinstance(decimals, bool) or not isinstance(decimals, int) or decimals < 0):
        raise ValueError(f"decimals must be None or an integer >= 0, got {decimals!r}")
    values = _input(x)
    windows = pool_windows(values.shape, kernel, stride)
    if kind == "max":
        output, argmax = max_pool(values, kernel, stride)
    else:
        output, argmax = avg_pool(values, kernel, stride), None
    decimals = OUTPUT_DECIMALS[kind] if decimals is None else decimals
    views = tuple(_window(kind, values, win, output, argmax, decimals) for win in windows)
    roles = np.full(values.shape, "cell", dtype=object)
    for win in windows:
        if sum(win.index) % 2:
            roles[np.ix_(win.rows, win.cols)] = "block_alt"
    step = stride or kernel
    (h, w), (oh, ow) = values.shape, output.shape
    names = {"input": Label(f"input x {h}×{w}"), "output": Label(f"output y {oh}×{ow}")}
    title = Label(f"{TITLES[kind]} {kernel}×{kernel}, stride {step}, on {_source(x)}", size="title")
    summary = Label(_summary(kind, values.shape, output.shape))
    story = _pool_story(kind, kernel, step, views, summary.text)
    return PoolView(kind, title, Grid.of(values, roles=roles), Grid.of(output, decimals=decimals, roles="output"),
                    names, views, summary, story)


def _window(kind, x, win, output, argmax, decimals) -> PoolWindowView:
    i, j = win.index
    values = [fmt(x[r, c]) for r, c in win.cells()]
    winner = None
    if kind == "max":
        winner = tuple(int(v) for v in np.unravel_index(int(argmax[i, j]), x.shape))
        body = f"max({', '.join(values)})"
    else:
        body = f"({' + '.join(values)}) / {len(values)}"
    value = fmt(output[i, j], decimals)
    return PoolWindowView((i, j), win.rows, win.cols, tuple(win.cells()), winner, f"y[{i},{j}] =", body,
                          f"= {value}", value)


def _summary(kind, shape, out_shape) -> str:
    what = "the largest value" if kind == "max" else "the mean"
    return (f"{shape[0]}×{shape[1]} → {out_shape[0]}×{out_shape[1]}: each output is {what} of its window; "
            "a quarter of the values remain." if shape[0] == 2 * out_shape[0] and shape[1] == 2 * out_shape[1] else
            f"{shape[0]}×{shape[1]} → {out_shape[0]}×{out_shape[1]}: each output is {what} of its window.")


def _pool_story(kind, kernel, step, windows, summary) -> Story:
    what = "keeps the largest value" if kind == "max" else "keeps the mean of the values"
    steps = [Step("setup", f"{TITLES[kind]}: a {kernel}×{kernel} window, moving {step} cells at a time, {what} "
                  "it covers.", ("title", "input", "output", "names"))]
    detailed = min(DETAILED, len(windows))
    for k in range(detailed):
        window = windows[k]
        extra = "; the winning cell is outlined" if kind == "max" else ""
        reveal = (f"window-{k}", f"formula-{k}", f"output-{k}") + ((f"winner-{k}",) if kind == "max" else ())
        steps.append(Step(f"window-{k}", f"{window.text}{extra}.", reveal, len(window.cells) + 1))
    rest = range(detailed, len(windows))
    if len(rest):
        reveal = (f"window-{len(windows) - 1}",) + tuple(f"output-{k}" for k in rest) + (
            tuple(f"winner-{k}" for k in rest) if kind == "max" else ())
        steps.append(Step("sweep", f"The window visits the other {len(rest)} positions row by row; each writes "
                          "one output cell.", reveal))
    steps.append(Step("summary", summary, ("summary",), 2))
    return Story(tuple(steps))


def squeeze_view(x=None, *, factor: int = 2) -> SqueezeView:
    """The view of the squeeze (invertible pooling, :func:`vizdl.ops.squeeze_pool`) with factor 2.

    Each input cell takes the role ``block k`` of the channel ``k = 2 (row % 2) + (col % 2)``
    it goes to; channel ``k`` is a grid in the same role.
    """
    if factor != 2:
        raise ValueError(f"factor must be 2 for the squeeze picture (4 channels, one colour each), got {factor!r}")
    values = _input(x)
    channels = squeeze_pool(values, factor)
    rows, cols = np.indices(values.shape)
    roles = np.array([f"block {k}" for k in range(4)], dtype=object)[(rows % 2) * 2 + cols % 2]
    grids = tuple(Grid.of(channel, roles=f"block {k}") for k, channel in enumerate(channels))
    (h, w), (c, oh, ow) = values.shape, channels.shape
    names = {"input": Label(f"input 1×{h}×{w}"), "output": Label(f"output {c}×{oh}×{ow}"),
             **{f"channel-{k}": Label(f"channel {k}") for k in range(c)}}
    title = Label(f"{TITLES['squeeze']} on {_source(x)}", size="title")
    summary = Label(f"1×{h}×{w} → {c}×{oh}×{ow}: all {values.size} values are kept, so the step can be undone "
                    "(unsqueeze, depth-to-space).")
    steps = [Step("setup", "Squeeze (invertible pooling): the four values of each 2×2 block go to four channels, "
                  "one per position in the block.", ("title", "input", "names"))]
    steps += [Step(f"channel-{k}", f"Channel {k} collects the {BLOCK_POSITIONS[k]} value of every 2×2 block.",
                   (f"channel-{k}",), 4) for k in range(c)]
    steps.append(Step("summary", summary.text, ("summary",), 2))
    return SqueezeView(title, Grid.of(values, roles=roles), grids, names, summary, Story(tuple(steps)))


__all__ = [
    "BLOCK_POSITIONS",
    "OUTPUT_DECIMALS",
    "POOL_KINDS",
    "TITLES",
    "PoolView",
    "PoolWindowView",
    "SqueezeView",
    "pool_view",
    "squeeze_view",
]
