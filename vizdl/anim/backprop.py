"""Back-propagation mobjects: the notes' update formulas, loss, and the chain-rule labels.

:func:`update_tex_string` writes the notes' weight update of layer ``i`` of an
``L``-layer MLP, e.g. for ``L = 3``::

    A_3 \\leftarrow A_3 - \\lambda l'(x_3) \\sigma'_3 (A_3 x_2 + b_3) x_2^T
    A_2 \\leftarrow A_2 - \\lambda \\left[l'(x_3) A_3^T \\sigma'_3 (A_3 x_2 + b_3) \\times \\sigma'_2 (A_2 x_1 + b_2) x_1^T \\right]

:class:`BackpropLabels` holds, for one :class:`vizdl.ops.backprop.BackpropStep`, the
numbers a scene writes on a :class:`vizdl.anim.network.NetworkDiagram`: neuron values
``x_i`` and ``dl/dx_i``; the edges' gradient colours come from ``dl/dA_i``.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from manim import DOWN, LEFT, RIGHT, UL, UP, UR, Circle, FadeIn, FadeOut, Indicate, MathTex, VGroup, Write

from vizdl.anim.network import NetworkDiagram
from vizdl.anim.runs import mlp_snapshots, spread
from vizdl.anim.training import LossCurve, output_labels, probe_panel, subset_notes
from vizdl.ops.backprop import backprop_at_step, mlp_backprop, shown_neurons, subset_step

from vizdl.anim.grid import INK, format_value, label

GRAD_COLOR = "#d35400"


def _pre(j: int) -> str:
    return f"A_{j} x_{j - 1} + b_{j}"


def update_tex_string(i: int, L: int) -> str:
    """The notes' update of ``A_i`` in an MLP with ``L`` layers (LaTeX source)."""
    if not 1 <= i <= L:
        raise ValueError(f"i: layer {i} is not in 1..{L}")
    head = rf"A_{i} \leftarrow A_{i} - \lambda "
    if i == L:
        return head + rf"l'(x_{L}) \sigma'_{L} ({_pre(L)}) x_{L - 1}^T"
    chain = " ".join(rf"A_{j}^T \sigma'_{j} ({_pre(j)})" for j in range(L, i, -1))
    return head + (rf"\left[l'(x_{L}) {chain} \times \sigma'_{i} ({_pre(i)}) x_{i - 1}^T \right]")


def update_tex(i: int, L: int, *, font_size: float = 34, max_width: float = 13.0) -> MathTex:
    """:func:`update_tex_string` as a MathTex no wider than ``max_width``."""
    tex = MathTex(update_tex_string(i, L), color=INK, font_size=font_size)
    if tex.width > max_width:
        tex.scale_to_fit_width(max_width)
    return tex


def loss_tex(step, *, font_size: float = 34) -> MathTex:
    """``l(x_L) = -\\log \\mathrm{softmax}(x_L)_y = <loss>`` with the class ``y``."""
    L = len(step.layers)
    return MathTex(rf"l(x_{L}) = -\log\,\mathrm{{softmax}}(x_{L})_{{{step.target}}}",
                   "=", format_value(step.loss, 3).replace("\u2212", "-"), color=INK, font_size=font_size)


def layer_names(L: int, font_size: float = 30) -> list:
    """MathTex ``x_0 ... x_L`` headers for the network's columns."""
    return [MathTex(f"x_{i}", color=INK, font_size=font_size) for i in range(L + 1)]


class BackpropLabels:
    """The numbers of one back-propagation step, placed on a network diagram.

    Parameters
    ----------
    diagram : vizdl.anim.network.NetworkDiagram
    step : vizdl.ops.backprop.BackpropStep

    Attributes
    ----------
    values : list of VGroup
        ``values[i]`` writes ``x_i`` inside the neurons of layer ``i``.
    grads : list of VGroup
        ``grads[i]`` writes ``dl/dx_i`` (orange) below the neurons of layer ``i``.
    """

    def __init__(self, diagram, step, *, font_size: float = 20):
        self.step = step
        self.values = [diagram.value_labels(i, v, font_size=font_size) for i, v in enumerate(step.values)]
        self.grads = [diagram.side_labels(i, g, color=GRAD_COLOR, direction=DOWN, font_size=font_size - 2)
                      for i, g in enumerate(step.dl_dxs)]

    def grad_header(self, diagram, i: int, font_size: float = 26) -> MathTex:
        """``dl/dx_i`` above layer ``i``."""
        tex = MathTex(rf"\frac{{\partial l}}{{\partial x_{i}}}", color=GRAD_COLOR, font_size=font_size)
        return tex.next_to(diagram.neurons[i], UP, buff=0.15)


def caption(text: str, font_size: float = 28) -> VGroup:
    """A short sentence in the scene's font."""
    return label(text, font_size, INK)


__all__ = ["Beat", "BackpropLabels", "BackpropStory", "caption", "layer_names", "loss_tex", "update_tex", "update_tex_string",
           "GRAD_COLOR"]


def _layers_params(layers):
    """``(weights, biases, hidden activations)`` of a list of LayerTerms (``new``: after the update)."""
    return [l.A for l in layers], [l.b for l in layers], [l.activation for l in layers[:-1]]


class BackpropStory:
    """Every mobject and animation of the back-propagation scene, built from a run.

    One recorded step is explained on one probe input (forward values, loss, ``dl/dx_i``,
    ``dl/dA_i``, the notes' update), then the recorded snapshots are replayed with the
    loss marker and the decision boundary. :meth:`beats` yields ``(animations, run_time)``.
    Any chain of ``nn.Linear`` + activations works; on inputs that are not 2-D the input
    image replaces the decision boundary and wide layers show their strongest neurons
    on this input (``"6 of 64"`` above the column; every number is the real one).

    Parameters
    ----------
    run : vizdl.Run
        An MLP run.
    step : int, optional
        The step explained (first recorded step by default).
    sample : int
        Index of the probe input.
    replay : int
        How many snapshots the fast replay shows.
    """

    def __init__(self, run, *, step=None, sample: int = 0, replay: int = 7):
        self.run = run
        self.step_index = run.steps[0] if step is None else run.require_step(step)
        full = backprop_at_step(run, self.step_index, sample=sample)
        layers = full.layers
        after = mlp_backprop([l.A_new for l in layers], [l.b_new for l in layers], full.x0,
                             full.target, activations=[l.activation for l in layers[:-1]])
        self.full, self.sizes = full, [len(v) for v in full.values]
        self.shown = shown_neurons(full, max_neurons=4, max_outputs=4)
        self.step, self.after = subset_step(full, self.shown), subset_step(after, self.shown)
        self.L = len(layers)
        shown = [len(k) for k in self.shown]
        cut = shown != self.sizes  # room above the columns for the "6 of 64" notes
        gap = min(1.3, 3.3 / max(max(shown) - 1, 1)) if cut else min(1.3, 5.6 / max(shown))
        self.diagram = NetworkDiagram(shown, layer_gap=2.4, neuron_gap=gap, radius=min(0.36, 0.42 * gap),
                                      center=[-2.55, 0.0 if cut else 0.35, 0])
        self.labels = BackpropLabels(self.diagram, self.step)
        self.new_values = BackpropLabels(self.diagram, self.after).values
        self.snapshots = mlp_snapshots(run, spread(run.steps, replay))
        self._build_panels(run, sample)

    def _build_panels(self, run, sample):
        probe = run.probe
        self.panel = probe_panel(run, sample, 3.0).to_corner(UR, buff=0.3)
        self.image = self.panel.image_for(*_layers_params(self.full.layers))
        if hasattr(self.panel, "to_scene"):
            self.ring = Circle(0.14, color=INK, stroke_width=5).move_to(
                self.panel.to_scene(np.asarray(probe["inputs"][sample], dtype=float)))
        else:  # the input image: frame it
            self.ring = self.panel.frame.copy().set_stroke(INK, width=5)
        steps, losses = run.metric("loss")
        window = max(1, len(steps) // 25)
        self.curve = LossCurve(steps, losses, width=3.0, height=1.7, smooth=window,
                               name="loss" if window == 1 else f"loss\n(mean of {window})")
        self.curve.next_to(self.panel, DOWN, buff=0.45).align_to(self.panel, RIGHT)
        self.curve.marker.move_to(self.curve.marker_at(self.step_index))
        self.title = caption(self._title(self.step_index), 30).to_corner(UL, buff=0.3)
        self.headers = VGroup(*(t.next_to(col, UP, buff=0.2) for t, col in
                                zip(layer_names(self.L), self.diagram.neurons)))
        self.headers.add(*subset_notes(self.headers, [len(k) for k in self.shown], self.sizes),
                         *output_labels(self.diagram, self.shown[-1], self.panel))

    def _title(self, step) -> str:
        return f"Back-propagation on {self.run.dataset_name or 'data'}: step {step}"

    def _bottom(self, mob):
        return mob.to_edge(DOWN, buff=0.3).set_x(0)

    def beats(self):
        """:class:`Beat` s in order: intro, forward, backward, update, replay."""
        for part in (self.intro, self.forward, self.backward, self.update, self.replay):
            for beat in part():
                yield beat if isinstance(beat, Beat) else Beat(*beat)

    def intro(self):
        yield Beat([FadeIn(self.ring)], 0.5, add=(self.title, self.diagram, self.headers, self.panel,
                                                  self.image, self.curve))
        yield [Indicate(self.ring, color=INK, scale_factor=1.6)], 0.6

    def forward(self):
        values, d = self.step.values, self.diagram
        yield [FadeIn(self.labels.values[0]), *d.fill_neurons(0, values[0], limit=_fill_limit(values[0]))], 0.6
        for i, layer in enumerate(self.step.layers, start=1):
            yield d.style_edges(i, layer.A, layer.x_in), 0.6
            yield [FadeIn(self.labels.values[i]), *d.fill_neurons(i, values[i], limit=_fill_limit(values[i]))], 0.5
        self.formula = self._bottom(loss_tex(self.step))
        yield [Write(self.formula)], 0.8
        yield [], 0.6

    def backward(self):
        d = self.diagram
        self.grad_headers = []
        for layer in reversed(self.step.layers):
            i = layer.index
            formula = self._bottom(update_tex(i, self.L))
            header = self.labels.grad_header(d, i).next_to(self.labels.grads[i], DOWN, buff=0.12)
            self.grad_headers.append(header)
            yield [FadeOut(self.formula), FadeIn(formula)], 0.7
            self.formula = formula
            yield [FadeIn(self.labels.grads[i], header)], 0.5
            yield d.style_edges(i, layer.grad_A), 0.6
            yield [], 0.5

    def update(self):
        d, lr = self.diagram, self.step.lr
        formula = self._bottom(MathTex(rf"A_i \leftarrow A_i - \lambda \frac{{\partial l}}{{\partial A_i}},"
                                       rf"\quad \lambda = {lr:g}", color=INK, font_size=36))
        yield [FadeOut(self.formula), FadeIn(formula)], 0.6
        self.formula = formula
        anims = [a for layer in self.step.layers for a in d.style_edges(layer.index, layer.A_new, layer.x_in)]
        yield anims, 1.0
        new_loss = self._bottom(MathTex(r"l(x_{%d}):\ " % self.L, _tex(self.step.loss), r"\rightarrow",
                                        _tex(self.after.loss), color=INK, font_size=36))
        fills = [a for i, v in enumerate(self.after.values) for a in d.fill_neurons(i, v, limit=_fill_limit(v))]
        yield [FadeOut(*self.labels.values[1:], *self.labels.grads, *self.grad_headers),
               FadeIn(*self.new_values[1:]), *fills, FadeOut(self.formula), FadeIn(new_loss)], 0.8
        self.formula = new_loss
        yield [], 0.8

    def replay(self):
        d = self.diagram
        yield [FadeOut(*self.new_values, self.formula)], 0.4
        for step, weights, biases, acts in self.snapshots:
            forward = subset_step(mlp_backprop(weights, biases, self.full.x0, self.full.target, activations=acts),
                                  self.shown)
            image = self.panel.image_for(weights, biases, acts)
            title = caption(self._title(step), 30).move_to(self.title, aligned_edge=LEFT)
            anims = [a for layer in forward.layers for a in d.style_edges(layer.index, layer.A, layer.x_in)]
            anims += [a for i, v in enumerate(forward.values) for a in d.fill_neurons(i, v, limit=_fill_limit(v))]
            anims.append(self.curve.marker.animate.move_to(self.curve.marker_at(step)))
            yield Beat(anims, 0.45, add=(image, title), remove=(self.image, self.title))
            self.image, self.title = image, title
        yield [], 1.0


class Beat(NamedTuple):
    """One moment of a story: mobjects removed and added at once, then animations played.

    An empty ``animations`` list means a pause of ``run_time`` seconds.
    """

    animations: list
    run_time: float
    add: tuple = ()
    remove: tuple = ()


def play_beats(scene, beats) -> None:
    """Play a story's beats on ``scene``: swap mobjects, then animate (or wait)."""
    for beat in beats:
        scene.remove(*beat.remove)
        scene.add(*beat.add)
        if beat.animations:
            scene.play(*beat.animations, run_time=beat.run_time)
        else:
            scene.wait(beat.run_time)


def _tex(value: float) -> str:
    return format_value(value, 3).replace("\u2212", "-")


def _fill_limit(values) -> float:
    """A colour limit twice the largest magnitude: light fills that keep black numbers readable."""
    return 2.0 * float(np.max(np.abs(values))) if np.any(values) else 1.0
