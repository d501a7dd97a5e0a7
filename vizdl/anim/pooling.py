"""Manim painters of the pooling views (:mod:`vizdl.views.pooling`): max, average and squeeze.

:class:`PoolingDiagram` lays out what :class:`vizdl.figures.pooling.PoolFigure` draws —
the input in a checkerboard of windows, an arrow, the larger output cells, the window's
formula underneath — and turns each story step into :class:`vizdl.anim.scene.Play` s:
the window moves, a max-pool's winning cell is filled and outlined (``winner``), the
value flies into the output. :class:`SqueezeDiagram` sends each position of the 2x2
blocks to its channel. Strings are the view's, colours the theme's roles.
"""
from __future__ import annotations

from manim import DOWN, RIGHT, UP, Create, FadeIn, FadeOut, TransformFromCopy, VGroup

from vizdl.anim.grid import NumberGrid, fade_in_beneath, label, text_mobject
from vizdl.anim.scene import Play
from vizdl.styles.theme import LIGHT
from vizdl.views.pooling import PoolView, SqueezeView

CELL = 0.55
GAP = 1.4
NAME_SIZE = 24
TEXT_SIZE = 28
SWEEP_STEP, SWEEP_MAX = 0.4, 7.0


def _output_cell(rows: int, out_rows: int) -> float:
    """Side of an output cell, in input cells: larger for a smaller output (as in the figure)."""
    return min(max(0.75 * rows / out_rows, 1.0), 2.0)


class PoolingDiagram(VGroup):
    """Every mobject of a max or average :class:`vizdl.views.pooling.PoolView`, laid out.

    Attributes
    ----------
    input, output : NumberGrid
        The output starts empty.
    names : dict of str -> VGroup
    formulas : dict of int -> VGroup
        The formula of each detailed window (``max(...) = v`` or ``(... ) / 4 = v``).
    window, target : VMobject

    The view's summary is not drawn: the scene's caption of the summary beat says it.
    """

    def __init__(self, view: PoolView, theme=LIGHT, **kwargs):
        super().__init__(**kwargs)
        self.view, self.theme = view, theme
        ink = theme.color("ink")
        (h, _), (oh, _) = view.input.shape, view.output.shape
        self.input = NumberGrid(view.input, theme, cell_size=CELL)
        self.output = NumberGrid(view.output, theme, cell_size=CELL * _output_cell(h, oh), texts=False,
                                 roles="empty", font_size=44 * CELL)
        self.names = {key: label(text.text, NAME_SIZE, ink) for key, text in view.names.items()}
        self.arrow = label("→", 48, ink)
        detailed = [int(i.split("-")[1]) for step in view.story for i in step.reveal if i.startswith("formula-")]
        self.formulas = {k: self._formula(k) for k in detailed}
        self._layout()
        self.window = self.window_at(0)
        self.target = self.output.window([0], [0], stroke_width=5)
        self.add(self.input, self.output, *self.names.values(), self.arrow, *self.formulas.values(),
                 self.window, self.target)
        self._shown = None
        self._outlines = False
        self.outputs: dict = {}   # (i, j) -> overlay written on the output
        self.winners: dict = {}   # input (row, col) -> (overlay, outline) of a max-pool winner

    def _formula(self, k: int) -> VGroup:
        window, ink = self.view.windows[k], self.theme.color("ink")
        group = VGroup(text_mobject(f"{window.lead} {window.body}", TEXT_SIZE, ink),
                       text_mobject(window.result, TEXT_SIZE, ink))
        group.arrange(RIGHT, buff=0.12)
        group.text = window.text
        return group

    def _layout(self) -> None:
        self.output.next_to(self.input, RIGHT, buff=GAP)
        self.arrow.move_to((self.input.get_right() + self.output.get_left()) / 2)
        for key, grid in (("input", self.input), ("output", self.output)):
            self.names[key].next_to(grid, UP, buff=0.15)
        for text in self.formulas.values():
            text.next_to(VGroup(self.input, self.output), DOWN, buff=0.4)

    def window_at(self, k: int):
        """The outline of window ``k`` on the input."""
        window = self.view.windows[k]
        return self.input.window(window.rows, window.cols, stroke_width=6)

    def frame(self) -> VGroup:
        """What the setup shows."""
        return VGroup(self.input, self.output, *self.names.values(), self.arrow)

    def plays(self, step) -> list:
        """The :class:`Play` s of one story step (setup, window-k, sweep, summary)."""
        if step.name == "setup":
            return [Play([FadeIn(self.frame())], 1.5)]
        if step.name.startswith("window-"):
            return self._detail(int(step.name.split("-")[1]))
        if step.name == "sweep":
            return self._sweep([int(i.split("-")[1]) for i in step.reveal if i.startswith("output-")])
        if step.name == "summary":
            leave = [FadeOut(self.window), FadeOut(self.target)] if self._outlines else []
            leave += [FadeOut(self._shown)] if self._shown is not None else []
            self._shown, self._outlines = None, False
            return [Play(leave, 1.2)]     # the caption states the summary
        raise ValueError(f"step {step.name!r} of the pooling story has no plays")

    def _output(self, k: int):
        """The overlay writing window ``k``'s output cell (fill and number), recorded as written."""
        index = self.view.windows[k].index
        overlay = self.outputs[index] = self.output.overlay(*index)
        return overlay

    def _winner(self, k: int) -> list:
        """Max pooling: the winning cell of window ``k`` filled (``winner_fill``) and outlined (``winner``)."""
        winner = self.view.windows[k].winner
        if winner is None:
            return []
        overlay = self.input.overlay(*winner, "winner_fill")
        mark = self.input.cell_marks([winner], "winner", stroke_width=5, inset=0.08)
        self.winners[winner] = VGroup(overlay, mark)
        return [FadeIn(overlay), Create(mark)]

    def _move(self, k: int) -> list:
        """The window's and the output cell's outlines to window ``k`` (drawn the first time)."""
        cell = self.output.get_cell(*self.view.windows[k].index)
        if not self._outlines:
            self._outlines = True
            return [Create(self.window.become(self.window_at(k))), Create(self.target.move_to(cell))]
        return [self.window.animate.become(self.window_at(k)), self.target.animate.move_to(cell)]

    def _detail(self, k: int) -> list:
        gone = [FadeOut(self._shown)] if self._shown is not None else []
        formula = self._shown = self.formulas[k]
        winner = self.view.windows[k].winner
        moves = [*self._move(k), *gone, FadeIn(formula), *self._winner(k)]
        source = self.winners[winner][0][1] if winner is not None else formula[1]
        result = self._output(k)
        return [Play(moves, 1.2), Play([fade_in_beneath(result[0]), TransformFromCopy(source, result[1])], 1.0)]

    def _sweep(self, indices) -> list:
        gone = [FadeOut(self._shown)] if self._shown is not None else []
        self._shown = None
        step = min(SWEEP_STEP, SWEEP_MAX / max(len(indices), 1))
        plays = [Play(gone, 0.4)] if gone else []
        for k in indices:  # one play per window, its outlines on top: manim redraws only what it changes
            plays.append(Play([*self._move(k), *self._winner(k), FadeIn(self._output(k))], step,
                              add=[self.window, self.target]))
        return plays


class SqueezeDiagram(VGroup):
    """Every mobject of a :class:`vizdl.views.pooling.SqueezeView`: the input coloured by channel, four channels."""

    def __init__(self, view: SqueezeView, theme=LIGHT, **kwargs):
        super().__init__(**kwargs)
        self.view, self.theme = view, theme
        ink = theme.color("ink")
        self.input = NumberGrid(view.input, theme, cell_size=CELL)
        self.channels = VGroup(*(NumberGrid(grid, theme, cell_size=CELL, texts=False) for grid in view.channels))
        self.names = {key: label(text.text, NAME_SIZE if key in ("input", "output") else 20, ink)
                      for key, text in view.names.items()}
        self.arrow = label("→", 48, ink)
        self._layout()
        self.add(self.input, self.channels, *self.names.values(), self.arrow)
        self.written: dict = {}   # (channel, i, j) -> label moved there

    def _layout(self) -> None:
        self.channels.arrange_in_grid(rows=2, cols=2, buff=(0.45, 0.6))
        self.channels.next_to(self.input, RIGHT, buff=GAP).align_to(self.input, DOWN)
        self.arrow.move_to((self.input.get_right() + self.channels.get_left()) / 2)
        self.names["input"].next_to(self.input, UP, buff=0.15)
        for k, grid in enumerate(self.channels):
            self.names[f"channel-{k}"].next_to(grid, UP, buff=0.08)
        self.names["output"].next_to(VGroup(self.channels, *(self.names[f"channel-{k}"] for k in range(2))), UP,
                                     buff=0.15)

    def sources(self, channel: int) -> list:
        """Input cells feeding ``channel``, in the channel's row-major order."""
        rows, cols = self.view.channels[channel].shape
        a, b = divmod(channel, 2)
        return [(2 * i + a, 2 * j + b) for i in range(rows) for j in range(cols)]

    def plays(self, step) -> list:
        """The :class:`Play` s of one story step (setup, channel-k, summary)."""
        if step.name == "setup":
            return [Play([FadeIn(VGroup(self.input, self.names["input"]))], 1.2),
                    Play([FadeIn(VGroup(self.arrow, self.names["output"], *(c.cells for c in self.channels),
                                        *(self.names[f"channel-{k}"] for k in range(len(self.channels)))))], 1.0)]
        if step.name.startswith("channel-"):
            k = int(step.name.split("-")[1])
            grid = self.channels[k]
            moves = []
            cells = [(i, j) for i in range(grid.shape[0]) for j in range(grid.shape[1])]
            for (i, j), (r, c) in zip(cells, self.sources(k)):
                new = self.written[(k, i, j)] = grid.make_label(i, j)
                moves.append(TransformFromCopy(self.input.get_label(r, c), new))
            return [Play(moves, 2.0)]
        if step.name == "summary":
            return [Play([], 1.2)]        # the caption states the summary
        raise ValueError(f"step {step.name!r} of the squeeze story has no plays")


__all__ = ["PoolingDiagram", "SqueezeDiagram"]
