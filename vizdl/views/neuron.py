"""What the single-neuron and flattening pictures show (notes 000/001).

:func:`neuron_view` lays one neuron out left to right: its inputs ``x_{i-1}^l`` (nodes), the
weights ``A_i^{k,l}`` on the edges (sign roles), the sum node with ``z``, the activation node
with ``x_i^k = sigma(z)``, and the formula with the real numbers. :func:`flattening_view`
writes an image as a grid of numbers and its rows laid end to end as ``x_0``.

This module imports NumPy only.

>>> from vizdl.ops.neuron import neuron_from_arrays
>>> view = neuron_view(neuron_from_arrays([0.5, -1.0], [2.0, 0.25], 0.1, activation="relu"))
>>> view.node("sum").label.text, view.node("out").label.text
('0.85', '0.85')
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vizdl.styles.theme import fmt
from vizdl.views.base import (
    Edge,
    Formula,
    Grid,
    Label,
    Node,
    Placed,
    Scale,
    Step,
    Story,
)

#: How the notes write each activation in a formula.
SIGMA_TEX = {"relu": r"\mathrm{ReLU}", "sigmoid": r"\sigma", "tanh": r"\tanh", "identity": "",
             "gelu": r"\mathrm{GELU}", "leaky_relu": r"\mathrm{LeakyReLU}", "softplus": r"\mathrm{softplus}"}


#: Vertical distance between two input nodes (layout units).
INPUT_SPACING = 0.95


@dataclass(frozen=True)
class NeuronView:
    """One neuron: nodes, edges, placed weight labels, formula and story."""

    title: str
    nodes: tuple
    edges: tuple
    placed: tuple
    formula: Formula
    story: Story
    hidden: int = 0

    def node(self, node_id: str) -> Node:
        """The node ``node_id``."""
        return next(n for n in self.nodes if n.id == node_id)


def _sign_role(value: float) -> str:
    return "positive" if value > 0 else "negative" if value < 0 else "muted"


def neuron_view(terms, *, max_inputs: int | None = 6) -> NeuronView:
    """The view of :class:`vizdl.ops.neuron.NeuronTerms` (the ``max_inputs`` largest ``|A x|`` written out)."""
    shown = terms.shown(max_inputs)
    i, k = terms.position, terms.index + 1
    count = len(shown)
    ys = (np.linspace(count - 1, 0, count) - (count - 1) / 2) * INPUT_SPACING
    nodes, edges, placed = [], [], []
    for l, y in zip(shown, ys):
        nodes.append(Node(f"x{l}", 0.0, float(y), Label(fmt(terms.inputs[l]), size="small"), "panel", 0.4))
        placed.append(Placed(f"name-x{l}", -0.95, float(y), Label(f"x_{{{i - 1}}}^{{{l + 1}}}", "muted", True)))
        edges.append(Edge(f"x{l}", "sum", _sign_role(terms.weights[l]),
                          width=0.6 + 1.4 * abs(terms.weights[l]) / max(np.abs(terms.weights[shown]).max(), 1e-12)))
        # weight labels a third of the way along each edge, where the fan is still open
        placed.append(Placed(f"w{l}", 1.2, float(y) * 2 / 3, Label(fmt(terms.weights[l]), _sign_role(terms.weights[l]),
                                                                    size="small")))
    nodes.append(Node("sum", 3.6, 0.0, Label(fmt(terms.pre)), "panel", 0.55))
    nodes.append(Node("out", 6.0, 0.0, Label(fmt(terms.output)), "output", 0.55))
    edges.append(Edge("sum", "out"))
    sigma = SIGMA_TEX.get(terms.activation, rf"\mathrm{{{terms.activation}}}")
    placed += [Placed("bias", 3.6, -0.95, Label(f"b = {fmt(terms.bias)}", _sign_role(terms.bias), size="small")),
               Placed("sum-name", 3.6, 0.95, Label(r"z = \sum A x + b", "muted", True, "small")),
               Placed("act-name", 4.8, 0.35, Label(sigma or "identity", "ink", bool(sigma), "small")),
               Placed("out-name", 6.0, 0.95, Label(f"x_{{{i}}}^{{{k}}}", "muted", True))]
    hidden = terms.inputs.size - count
    z, out = fmt(terms.pre, tex=True), fmt(terms.output, tex=True)
    formula = Formula.of(f"x_{{{i}}}^{{{k}}} =", f"{sigma}(" if sigma else "(",
                         (rf"\sum_l A_{{{i}}}^{{{k},l}}\, x_{{{i - 1}}}^l", "ink"), "+",
                         (f"b_{{{i}}}^{{{k}}}", _sign_role(terms.bias)), ") =", f"{sigma}({z}) =", (out, "ink"))
    where = f"probe input {terms.sample}, step {terms.step}" if terms.sample is not None else "given numbers"
    title = f"Neuron {k} of layer {i} ({terms.layer or 'Linear'}), {where}"
    steps = (Step("inputs", f"The inputs x_{i - 1}: what layer {i - 1} gives for this input"
                  + (f" ({count} of {terms.inputs.size}, the largest |A x| terms)" if hidden else "") + ".",
                  tuple(n.id for n in nodes[:count]) + tuple(f"name-x{l}" for l in shown), count),
             Step("weights", "Each input is multiplied by its weight (red: positive, blue: negative).",
                  tuple(f"edge-x{l}-sum" for l in shown) + tuple(f"w{l}" for l in shown), count),
             Step("sum", f"The weighted sum plus the bias: z = {fmt(terms.pre)}.", ("sum", "bias", "sum-name"), 2),
             Step("activation", f"The activation gives the output {fmt(terms.output)}.",
                  ("edge-sum-out", "out", "act-name", "out-name", "formula"), 2))
    return NeuronView(title, tuple(nodes), tuple(edges), tuple(placed), formula, Story(steps), hidden)


@dataclass(frozen=True)
class FlatteningView:
    """An image as a grid of numbers and its vector ``x_0``.

    Attributes
    ----------
    image : Grid
        The pixels with their values written in them (grey scale; ``on_dark`` ink on dark cells).
    vector : Grid
        One row: ``x_0``, the rows of the image laid end to end.
    row_roles : tuple of str
        ``"run r"`` for image row ``r``: the brackets marking where each row lands in ``x_0``.
    title : str
    story : Story
    formula : Formula or None
        ``x_0 = [x_1, x_2, ..., around the first non-zero pixel, ..., x_d] \\in [lo, hi]^d`` as the
        notes print it.
    """

    image: Grid
    vector: Grid
    row_roles: tuple
    title: str
    story: Story
    formula: Formula | None = None


def flattening_view(flat, *, label: int | None = None, decimals: int = 1) -> FlatteningView:
    """The view of :class:`vizdl.ops.neuron.FlatImage` (numbers with ``decimals`` places)."""
    scale = Scale.spanning(flat.image, "grey", "pixel value")
    inks = np.where(scale.position(flat.image) > 0.5, "on_dark", "on_light")
    image = Grid.of(flat.image, decimals=decimals, roles=None, inks=inks, scale=scale,
                    row_labels=tuple(str(r + 1) for r in range(flat.shape[0])),
                    col_labels=tuple(str(c + 1) for c in range(flat.shape[1])))
    vector = Grid.of(flat.vector[None], decimals=decimals, roles=None, inks=inks.reshape(1, -1), scale=scale)
    height, width = flat.shape
    what = f"a {label}" if label is not None else "an image"
    steps = (Step("image", f"The input is {what}: {height} \u00d7 {width} numbers, one per pixel.", ("image",),
                  height * width // 8),
             Step("rows", f"Flattening lays the {height} rows end to end: x_0 has {height * width} numbers, "
                  f"x_0[r \u00b7 {width} + c] = pixel (r, c).", ("vector", "rows"), 2))
    title = f"Flattening: a {height}\u00d7{width} image becomes the vector x\u2080 of {height * width} numbers"
    return FlatteningView(image, vector, tuple(f"run {r}" for r in range(height)), title, Story(steps),
                          vector_formula(flat, decimals))


def vector_formula(flat, decimals: int = 2) -> Formula:
    """The notes' ``x_0 = [0, 0, \\dots, 0, 0.99, 0.07, \\dots, 0, 0] \\in [lo, hi]^d`` with the real entries.

    Written out: the first two entries, the three from the first non-zero pixel on, the last two.
    """
    d = flat.vector.size
    first = flat.first_nonzero if flat.first_nonzero is not None else 0
    around = [k for k in range(max(first - 1, 2), min(first + 2, d - 2))]
    parts = [f"x_0 = [{', '.join(fmt(flat.vector[k], decimals, tex=True) for k in range(min(2, d)))},"]
    if around:
        parts.append(r"\dots, " + ", ".join(fmt(flat.vector[k], decimals, tex=True) for k in around) + ",")
    last = ", ".join(fmt(flat.vector[k], decimals, tex=True) for k in range(max(d - 2, 2), d))
    low, high = fmt(float(np.min(flat.vector)), decimals, tex=True), fmt(float(np.max(flat.vector)), decimals, tex=True)
    parts.append(rf"\dots, {last}] \in [{low}, {high}]^{{{d}}}")
    return Formula.of(*parts)


__all__ = ["SIGMA_TEX", "FlatteningView", "NeuronView", "flattening_view", "neuron_view", "vector_formula"]
