"""Manim painter of the convolution view (:func:`vizdl.views.conv.conv_view`): mobjects and the plays of each step.

:class:`ConvolutionDiagram` lays out what the figure lays out — padded input, ``∗``, the
kernel with the sum of products under it, ``=``, the output, the output-size formula —
with the view's strings and the theme's role colours, all built up front so
``scene.fit`` sees the whole picture. :meth:`ConvolutionDiagram.plays` turns one step of
the view's story into :class:`vizdl.anim.scene.Play` s: the grids appear; a window moves,
the cells under it take the kernel's fill, its products appear and the result flies into
the output; the kernel sweeps; the formula is written with its numbers (and the rows and
columns the floor drops are dashed); a padding mode copies rows, then columns, along
arrows in the margins, and the output is recomputed.
"""
from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Create,
    CurvedArrow,
    FadeIn,
    FadeOut,
    Indicate,
    Rectangle,
    ReplacementTransform,
    TransformFromCopy,
    VGroup,
    Write,
)

from vizdl.anim.grid import NumberGrid, fade_in_beneath, label, text_mobject
from vizdl.anim.paint import formula
from vizdl.anim.scene import Play
from vizdl.styles.theme import LIGHT
from vizdl.views.conv import ConvView

CELL = 0.6
GAP = 1.0
#: Room around the input for the padding modes' copy arrows, in cells.
MODE_MARGIN = 0.75
NAME_SIZE = 24
PRODUCT_SIZE = 24
FORMULA_SIZE = 32
#: Seconds (lecture pace) of the kernel's sweep: per window, and at most in all.
SWEEP_STEP, SWEEP_MAX = 0.45, 9.0


class ConvolutionDiagram(VGroup):
    """Every mobject of a :class:`vizdl.views.conv.ConvView`, laid out; nothing is on screen yet.

    Attributes
    ----------
    input, kernel, output : NumberGrid
        The output starts empty (cells in the ``empty`` role, no labels).
    names : dict of str -> VGroup
    products : dict of int -> VGroup
        The sum of products of each detailed window: one line per kernel row; the last line
        is ``VGroup(text, result)``.
    formula, numbers : Mobject
        The notes' formula, and the same with the numbers.
    target : VMobject
        The outline of the output cell being written.
    dropped : VGroup
        Dashed outlines of the rows and columns the floor drops.
    """

    def __init__(self, view: ConvView, theme=LIGHT, **kwargs):
        super().__init__(**kwargs)
        self.view, self.theme = view, theme
        ink = theme.color("ink")
        self.input = NumberGrid(view.input, theme, cell_size=CELL)
        self.kernel = NumberGrid(view.kernel, theme, cell_size=CELL)
        self.output = NumberGrid(view.output, theme, cell_size=CELL, texts=False, roles="empty")
        self.names = {key: text_mobject(text.text, NAME_SIZE, ink) for key, text in view.names.items()}
        self.symbols = VGroup(label("∗", 44, ink), label("=", 44, ink))
        detailed = [int(i.split("-")[1]) for step in view.story for i in step.reveal if i.startswith("products-")]
        self.products = {k: self._products(k) for k in detailed}
        self.formula = formula(view.size_formula, theme, font_size=FORMULA_SIZE)
        self.numbers = VGroup(*(formula(f, theme, font_size=FORMULA_SIZE) for f in view.size_numbers))
        self._layout()
        self.target = self.output.window([0], [0], stroke_width=5)
        self.dropped = self._dropped()
        self.add(self.margin_box, self.input, self.kernel, self.output, *self.names.values(), self.symbols,
                 *self.products.values(), self.formula, self.numbers, self.dropped, self.target)
        self.outputs: dict = {}        # (i, j) -> overlay written on the output
        self.input_labels: dict = {}   # (i, j) -> overlay a padding mode put on the input
        self._window = None            # the window group on screen
        self._shown_products = None
        self._mode_marks = VGroup()
        self._dropped_shown = False

    # -- building -----------------------------------------------------------------------------
    def _products(self, k: int) -> VGroup:
        window, ink = self.view.windows[k], self.theme.color("ink")
        block = list(window.block())
        lines = [text_mobject(line, PRODUCT_SIZE, ink) for line in block[:-1]]
        last = block[-1][: -len(window.result)].rstrip()
        tail = VGroup(text_mobject(last, PRODUCT_SIZE, ink), text_mobject(window.result, PRODUCT_SIZE, ink))
        tail.arrange(RIGHT, buff=0.1)
        tail.text = block[-1]
        group = VGroup(*lines, tail).arrange(DOWN, aligned_edge=LEFT, buff=0.12)
        group.text = window.text
        return group

    def _layout(self) -> None:
        """Columns input | ∗ | kernel and products | = | output, names above, the formula below.

        With padding modes the input keeps a margin all around for the copy arrows (an
        invisible box, so ``scene.fit`` keeps room for them).
        """
        margin = MODE_MARGIN * CELL if self.view.modes else 0.0
        names = {key: mobject.width for key, mobject in self.names.items()}
        left = max(self.input.width + 2 * margin, names["input"])
        self.input.move_to([left / 2, 0, 0], aligned_edge=UP).shift(margin * DOWN)
        self.margin_box = Rectangle(width=self.input.width + 2 * margin, height=self.input.height + 2 * margin,
                                    stroke_opacity=0, fill_opacity=0).move_to(self.input)
        column = max([self.kernel.width, names["kernel"]] + [p.width for p in self.products.values()])
        x_kernel = left + GAP
        self.kernel.move_to([x_kernel + column / 2, -margin, 0], aligned_edge=UP)
        for block in self.products.values():
            block.next_to(self.kernel, DOWN, buff=0.3).align_to([x_kernel, 0, 0], LEFT)
        x_output = x_kernel + column + GAP
        self.output.move_to([x_output + max(self.output.width, names["output"]) / 2, -margin, 0], aligned_edge=UP)
        for key, grid in (("input", self.margin_box), ("kernel", self.kernel), ("output", self.output)):
            self.names[key].next_to(grid, UP, buff=0.15)
            self.names[key].align_to(self.names["input"], DOWN)
        middle = self.kernel.get_center()[1]
        self.symbols[0].move_to([(self.margin_box.get_right()[0] + x_kernel) / 2, middle, 0])
        self.symbols[1].move_to([x_output - GAP / 2, middle, 0])
        lowest = min([g.get_bottom()[1] for g in (self.margin_box, self.kernel, self.output)]
                     + [p.get_bottom()[1] for p in self.products.values()])
        row = VGroup(self.formula, *self.numbers).arrange(RIGHT, buff=0.8)
        grids_width = self.output.get_right()[0] - self.input.get_left()[0]
        if row.width > grids_width:
            row.arrange(DOWN, buff=0.25)
        row.next_to([0, lowest, 0], DOWN, buff=0.45).set_x((self.input.get_left()[0] + self.output.get_right()[0]) / 2)

    def _dropped(self) -> VGroup:
        (rows, cols), (h, w) = self.view.dropped, self.view.input.shape
        marks = [self.input.window(list(rows), list(range(w)), "muted", 4, dashed=True)] if rows else []
        marks += [self.input.window(list(range(h)), list(cols), "muted", 4, dashed=True)] if cols else []
        return VGroup(*marks)

    def window_at(self, k: int):
        """The kernel's outline on the padded input at window ``k``."""
        window = self.view.windows[k]
        return self.input.window(window.rows, window.cols, stroke_width=6)

    # -- what is on screen --------------------------------------------------------------------
    def window_group(self, k: int) -> VGroup:
        """Window ``k``: the cells it reads in the kernel's fill (their numbers on top), and its outline."""
        window = self.view.windows[k]
        cells = [self.input.overlay(i, j, "kernel", self.input_text(i, j)) for i, j in window.cells]
        return VGroup(*cells, self.window_at(k))

    def input_text(self, i: int, j: int) -> str:
        """The text input cell ``(i, j)`` shows now (padded cells change with the padding mode)."""
        shown = self.input_labels.get((i, j))
        return self.view.input.texts[i, j] if shown is None else shown.text

    def written(self) -> dict:
        """``(i, j) -> text`` of the output cells written so far."""
        return {index: overlay.text for index, overlay in self.outputs.items()}

    def shown_input(self) -> dict:
        """``(i, j) -> text`` the input shows now (its own labels, or the overlays of a padding mode)."""
        return {(i, j): self.input_text(i, j) for i, j in np.ndindex(self.view.input.shape)}

    # -- the plays of each step -------------------------------------------------------------------
    def plays(self, step) -> list:
        """The :class:`Play` s of one story step (``step.name``: setup, window-k, sweep, size, mode-...)."""
        name = step.name
        if name == "setup":
            return self._setup(step)
        if name.startswith("window-"):
            return self._detail(int(name.split("-")[1]))
        if name == "sweep":
            return self._sweep([int(i.split("-")[1]) for i in step.reveal if i.startswith("output-")])
        if name == "size":
            return self._size()
        if name.startswith("mode-"):
            mode = name[len("mode-"):].removesuffix("-output")
            return self._mode_output(mode) if name.endswith("-output") else self._mode(mode)
        raise ValueError(f"step {name!r} of the convolution story has no plays")

    def frame(self) -> VGroup:
        """What the setup step shows: grids, names, symbols and the general formula."""
        return VGroup(self.input, self.kernel, self.output, *self.names.values(), self.symbols, self.formula)

    def _write(self, k: int, text: str | None = None):
        """The overlay writing output cell of window ``k`` (its fill and number), recorded as written."""
        index = self.view.windows[k].index
        overlay = self.output.overlay(*index, text=text)
        self.outputs[index] = overlay
        return overlay

    def _setup(self, step) -> list:
        outputs = [int(i.split("-")[1]) for i in step.reveal if i.startswith("output-")]
        plays = [Play([FadeIn(self.frame())], 1.5)]
        if outputs:  # the whole output at once (a story about padding modes only)
            plays.append(Play([FadeIn(self._write(k)) for k in outputs], 1.2))
        return plays

    def _move_window(self, k: int, run_time: float) -> Play:
        """The play taking the window (and the output cell's outline) to position ``k``.

        The window is brought to the top of the scene first, so that manim redraws only it
        and what it writes, not every output written since it first appeared.
        """
        new = self.window_group(k)
        cell = self.output.get_cell(*self.view.windows[k].index)
        if self._window is None:
            play = Play([FadeIn(new), Create(self.target.move_to(cell))], run_time)
        else:
            play = Play([ReplacementTransform(self._window, new), self.target.animate.move_to(cell)], run_time,
                        add=[self._window, self.target])
        self._window = new
        return play

    def _detail(self, k: int) -> list:
        gone = [FadeOut(self._shown_products)] if self._shown_products is not None else []
        products = self._shown_products = self.products[k]
        move = self._move_window(k, 1.2)
        move.animations = [*move.animations, *gone, FadeIn(products)]
        result = self._write(k)
        return [move, Play([fade_in_beneath(result[0]), TransformFromCopy(products[-1][1], result[1])], 1.0)]

    def _sweep(self, indices) -> list:
        gone = [FadeOut(self._shown_products)] if self._shown_products is not None else []
        self._shown_products = None
        step = min(SWEEP_STEP, SWEEP_MAX / max(len(indices), 1))
        # one play per position (not one Succession): manim then redraws only what this position changes
        plays = [Play(gone, 0.4)] if gone else []
        for k in indices:
            move = self._move_window(k, step)
            move.animations = [*move.animations, FadeIn(self._write(k))]
            plays.append(move)
        return plays

    def _leave(self) -> list:
        """Fade out what the steps before left on screen: window, products, dashes, mode marks."""
        leave = [FadeOut(self._window), FadeOut(self.target)] if self._window is not None else []
        leave += [FadeOut(self.dropped)] if self._dropped_shown else []
        leave += [FadeOut(self._mode_marks)] if len(self._mode_marks) else []
        if self._shown_products is not None:
            leave.append(FadeOut(self._shown_products))
        self._window, self._shown_products, self._mode_marks = None, None, VGroup()
        self._dropped_shown = False
        return leave

    def _size(self) -> list:
        plays = [Play([*self._leave(), Write(self.numbers)], 1.5)]
        if len(self.dropped):
            plays.append(Play([Create(self.dropped)], 1.0))
            self._dropped_shown = True
        return plays

    # -- padding modes ---------------------------------------------------------------------------------
    def _mode(self, mode: str) -> list:
        view = self.view.mode(mode)
        gone = self._leave()
        if not view.copies:
            padding = VGroup(*(self._input_label(i, j) for i, j in zip(*np.nonzero(view.input.roles == "padding"))))
            return [Play([*gone, Indicate(padding, color=self.theme.color("padding_ink"), scale_factor=1.3)], 2.0)]
        plays = []
        for axis in (0, 1):
            arrows, moves = self._copies(view, axis)
            plays.append(Play([*(gone if axis == 0 else []), *(Create(a) for a in arrows), *moves], 2.0))
        return plays

    def _input_label(self, i: int, j: int):
        shown = self.input_labels.get((i, j))
        return self.input.get_label(i, j) if shown is None else shown[1]

    def _copies(self, view, axis: int) -> tuple:
        """Arrows and moving labels of the copies along ``axis``: rows copy the input's columns only,
        then columns copy the whole height (corners included), as :func:`vizdl.ops.pad` does."""
        h, w = view.input.shape
        p = self.view.case.padding
        arrows, moves = [], []
        for copy_axis, target, source in view.copies:
            if copy_axis != axis:
                continue
            arrow = copy_arrow(self.input, axis, target, source, self.theme)
            arrows.append(arrow)
            self._mode_marks.add(arrow)
            cells = [((target, j), (source, j)) for j in range(p, w - p)] if axis == 0 else \
                [((i, target), (i, source)) for i in range(h)]
            for (ti, tj), (si, sj) in cells:
                overlay = self.input.overlay(ti, tj, text=view.input.texts[ti, tj])
                moves += [fade_in_beneath(overlay[0]), TransformFromCopy(self._input_label(si, sj), overlay[1])]
                self.input_labels[(ti, tj)] = overlay
        return arrows, moves

    def _mode_output(self, mode: str) -> list:
        view = self.view.mode(mode)
        arrows = [FadeOut(self._mode_marks)] if len(self._mode_marks) else []
        marks = self.output.cell_marks(view.changed, "output_stroke", stroke_width=4, inset=0.06)
        shown = self.written()
        changes = [FadeIn(self._write_cell(i, j, view.output.texts[i, j])) for i, j in np.ndindex(view.output.shape)
                   if shown.get((i, j)) != view.output.texts[i, j]]
        self._mode_marks = marks
        return [Play([*arrows, *changes, Create(marks)], 1.5)]

    def _write_cell(self, i: int, j: int, text: str):
        overlay = self.output.overlay(i, j, text=text)
        self.outputs[(i, j)] = overlay
        return overlay


def copy_arrow(grid: NumberGrid, axis: int, target: int, source: int, theme=LIGHT, *, bulge: float = 0.55):
    """A curved arrow in the margin from padded row/column ``source`` to ``target`` (``source`` role).

    Rows copied upwards bend through the right margin, downwards through the left one;
    columns copied leftwards bend under the grid, rightwards above it (as the figure draws them).
    """
    cell = grid.get_cell(0, 0).width
    pad = 0.08 * cell / CELL
    if axis == 0:
        side = grid.get_right()[0] + pad if target < source else grid.get_left()[0] - pad
        start = np.array([side, grid.get_cell(source, 0).get_y(), 0.0])
        end = np.array([side, grid.get_cell(target, 0).get_y(), 0.0])
    else:
        side = grid.get_bottom()[1] - pad if target < source else grid.get_top()[1] + pad
        start = np.array([grid.get_cell(0, source).get_x(), side, 0.0])
        end = np.array([grid.get_cell(0, target).get_x(), side, 0.0])
    angle = 4 * np.arctan(2 * bulge * cell / np.linalg.norm(end - start))  # sagitta = bulge cells
    angle = angle if axis == 0 else -angle  # positive: bends to the right of the way it goes
    return CurvedArrow(start, end, angle=angle, color=theme.color("source"), stroke_width=4,
                       tip_length=0.18 * cell / CELL)


__all__ = ["ConvolutionDiagram", "copy_arrow"]
