"""A scalar computational graph as Manim mobjects: nodes, edges, values and gradients.

:class:`GraphDiagram` draws an :class:`vizdl.ops.graph.ExpressionGraph`: one circle per
node (the variable name for inputs, the operation for the others, with the node's name
above), arrows for operands, and per node two labels kept apart for animation: its
forward value above its outgoing arrow (green) and ``d output / d node`` below it (orange).
The chain-rule formulas of the notes come from :func:`local_derivative_tex` and
:func:`chain_rule_tex`, with numbers read from the graph.
"""
from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Arrow, Circle, MathTex, VGroup

from vizdl.anim.grid import INK, format_value, label

VALUE_COLOR = "#2a8a2a"
GRAD_COLOR = "#d35400"
NODE_FILL = "#f4f4f4"
OP_SYMBOLS = {"+": "+", "-": "\u2212", "*": "\u00d7", "/": "\u00f7", "max": "max",
              "neg": "\u2212", "exp": "exp", "tanh": "tanh", "sigmoid": "\u03c3",
              "relu": "ReLU", "square": "x\u00b2"}
_TEX_OPS = {"+": "+", "-": "-", "*": r"\cdot", "/": "/"}


def tex_number(value: float) -> str:
    """A number for MathTex: integers without a decimal point, two decimals otherwise."""
    return format_value(value, 2).replace("\u2212", "-")


def layout(graph, *, dx: float = 3.2, dy: float = 1.6) -> dict:
    """Scene positions of the nodes: columns by :meth:`ExpressionGraph.levels`, inputs spread
    evenly top to bottom, an operation at the mean height of its operands."""
    levels = graph.levels()
    inputs = graph.inputs
    pos = {}
    for k, node in enumerate(inputs):
        pos[node.name] = np.array([0.0, ((len(inputs) - 1) / 2 - k) * dy, 0.0])
    for node in graph.nodes:
        if not node.is_input:
            y = np.mean([pos[p][1] for p in node.parents])
            pos[node.name] = np.array([levels[node.name] * dx, y, 0.0])
    return pos


class GraphDiagram(VGroup):
    """Circles, arrows and value/gradient labels of an expression graph.

    Parameters
    ----------
    graph : vizdl.ops.graph.ExpressionGraph
        Values and gradients computed by autograd.
    dx, dy : float
        Column and row spacing.
    radius : float
        Node radius.
    font_size : float
        Size of the value and gradient labels.
    center : array_like, optional
        Where to put the diagram; give it here rather than moving the diagram later,
        because the labels (not part of the group) are placed when it is built.

    Attributes
    ----------
    nodes, edges : dict
        ``name -> VGroup(circle, text)`` and ``(source, target) -> Arrow`` (the output's
        outgoing arrow is ``(output, None)``).
    value_labels, grad_labels : dict
        ``name -> Text``; not added to the diagram, so a scene can animate them in.
    """

    def __init__(self, graph, *, dx: float = 3.2, dy: float = 1.6, radius: float = 0.38,
                 font_size: float = 30, center=None, **kwargs):
        super().__init__(**kwargs)
        self.graph = graph
        self.positions = layout(graph, dx=dx, dy=dy)
        self.nodes = {n.name: self._node(n, radius) for n in graph.nodes}
        self.edges = {(e.source, e.target): self._arrow(self.nodes[e.source], self.nodes[e.target])
                      for e in graph.edges}
        out = self.nodes[graph.output]
        tip = out.get_center() + RIGHT * (dx * 0.6)
        self.edges[(graph.output, None)] = self._arrow(out, tip)
        self.add(*self.edges.values(), *self.nodes.values())
        if center is not None:
            self.move_to(center)
        self.value_labels = {n.name: self._edge_label(n.name, n.value, VALUE_COLOR, UP, font_size)
                             for n in graph.nodes}
        self.grad_labels = {n.name: self._edge_label(n.name, n.grad, GRAD_COLOR, DOWN, font_size)
                            for n in graph.nodes}

    def _node(self, node, radius) -> VGroup:
        circle = Circle(radius, stroke_color=INK, stroke_width=3, fill_color=NODE_FILL, fill_opacity=1)
        circle.move_to(self.positions[node.name])
        text = node.name if node.is_input else OP_SYMBOLS[node.op]
        glyph = label(text, 34 if len(text) == 1 else 22, INK).move_to(circle)
        group = VGroup(circle, glyph)
        if not node.is_input:
            group.add(label(node.name, 26, INK).next_to(circle, UP, buff=0.1))
        return group

    @staticmethod
    def _arrow(source, target) -> Arrow:
        start = source[0].get_center()
        end = target[0].get_center() if hasattr(target, "submobjects") else np.asarray(target)
        direction = (end - start) / np.linalg.norm(end - start)
        r = source[0].width / 2
        end_r = r if hasattr(target, "submobjects") else 0.0
        return Arrow(start + direction * r, end - direction * end_r, buff=0.0, color=INK,
                     stroke_width=3, max_tip_length_to_length_ratio=0.12, tip_length=0.2)

    def _outgoing(self, name) -> Arrow:
        for (source, _), arrow in self.edges.items():
            if source == name:
                return arrow
        raise KeyError(name)

    def _edge_label(self, name, value, color, side, font_size):
        arrow = self._outgoing(name)
        text = label(format_value(value, 2), font_size, color)
        start, end = arrow.get_start(), arrow.get_end()
        direction = (end - start) / np.linalg.norm(end - start)
        normal = np.array([-direction[1], direction[0], 0.0]) * np.sign(side[1])
        fraction = 0.3 if self.graph.node(name).is_input else 0.4
        return text.move_to(start + fraction * (end - start) + normal * 0.3)

    def get_node(self, name: str) -> VGroup:
        """The circle and text of node ``name``."""
        return self.nodes[name]

    def get_edge(self, source: str, target: str | None) -> Arrow:
        """The arrow ``source -> target`` (``target=None`` for the output's arrow)."""
        return self.edges[(source, target)]


def local_derivative_tex(graph, name: str, *, font_size: float = 34) -> MathTex:
    """``d = x + y \\quad dd/dx = 1, dd/dy = 1`` for operation node ``name`` (notes' layout).

    Symbolic factors are written for ``+``, ``-`` and ``*`` (``df/dd = z = 4``); numbers
    are the graph's local derivatives.
    """
    node = graph.node(name)
    if node.is_input:
        raise ValueError(f"name: {name!r} is an input; local derivatives belong to operations")
    lhs = f"{name} = " + _expression_tex(node)
    parts = []
    for k, parent in enumerate(dict.fromkeys(node.parents)):
        local = graph.edge(parent, name).local
        symbol = _symbolic_local(node, k)
        value = tex_number(local)
        rhs = value if symbol in (None, value) else f"{symbol} = {value}"
        parts.append(rf"\frac{{\partial {name}}}{{\partial {parent}}} = {rhs}")
    return MathTex(lhs, r"\quad " + r",\ ".join(parts), color=INK, font_size=font_size)


def _expression_tex(node) -> str:
    if node.op in _TEX_OPS:
        a, b = node.parents
        return f"{a} {_TEX_OPS[node.op]} {b}"
    return rf"\mathrm{{{node.op}}}({', '.join(node.parents)})"


def _symbolic_local(node, k):
    if node.op in ("+",):
        return "1"
    if node.op == "-":
        return "1" if k == 0 else "-1"
    if node.op == "*":
        return node.parents[1 - k]
    return None


def chain_rule_tex(graph, variable: str, *, font_size: float = 34) -> MathTex:
    """``df/dx = df/dd * dd/dx = 4 * 1 = 4`` along the single path from ``variable`` to the output.

    Parts: ``[lhs, "=", product of partials, "=", product of numbers, "=", result]``.
    Raises ValueError when ``variable`` reaches the output by several paths.
    """
    path = _single_path(graph, variable)
    out = graph.output
    partials = [rf"\frac{{\partial {t}}}{{\partial {s}}}" for s, t in reversed(path)]
    numbers = [tex_number(graph.edge(s, t).local) for s, t in reversed(path)]
    numbers = [f"({n})" if n.startswith("-") else n for n in numbers]
    lhs = rf"\frac{{\partial {out}}}{{\partial {variable}}}"
    parts = [lhs, "=", r" \cdot ".join(partials), "=", r" \cdot ".join(numbers), "=",
             tex_number(graph.node(variable).grad)]
    if len(path) == 1:
        source, target = path[0]
        node = graph.node(target)
        symbol = _symbolic_local(node, list(node.parents).index(source))
        parts = [lhs, "=", symbol, "=", parts[-1]] if symbol else [lhs, "=", parts[-1]]
    return MathTex(*parts, color=INK, font_size=font_size)


def _single_path(graph, variable):
    path, current = [], variable
    while current != graph.output:
        nxt = [e for e in graph.edges if e.source == current]
        if len(nxt) != 1:
            raise ValueError(f"variable: {variable!r} reaches {graph.output!r} by {len(nxt)} edges "
                             f"from {current!r}; chain_rule_tex needs a single path")
        path.append((current, nxt[0].target))
        current = nxt[0].target
    return path


def legend(output: str = "f", font_size: float = 26) -> VGroup:
    """Two coloured words: forward value (green) and gradient d output / d node (orange)."""
    value = label("value", font_size, VALUE_COLOR)
    grad = label(f"gradient \u2202{output}/\u2202\u00b7", font_size, GRAD_COLOR)
    return VGroup(value, grad).arrange(RIGHT, buff=0.6)


def forward_steps(diagram) -> list:
    """Value labels to show, one list per column of the graph (inputs first)."""
    return _by_level(diagram, diagram.value_labels, reverse=False)


def backward_steps(diagram) -> list:
    """Gradient labels to show, one list per column, from the output back to the inputs."""
    return _by_level(diagram, diagram.grad_labels, reverse=True)


def _by_level(diagram, labels, reverse):
    levels = diagram.graph.levels()
    order = sorted(set(levels.values()), reverse=reverse)
    return [[labels[n] for n in levels if levels[n] == lv] for lv in order]


__all__ = ["GraphDiagram", "backward_steps", "forward_steps", "title_tex", "chain_rule_tex", "layout", "legend", "local_derivative_tex", "tex_number",
           "VALUE_COLOR", "GRAD_COLOR"]


def title_tex(graph, *, font_size: float = 40) -> MathTex:
    """``f(x, y, z) = (x + y) \\cdot z`` with the input values, for the notes' example."""
    names = ", ".join(n.name for n in graph.inputs)
    values = ",\\ ".join(f"{n.name} = {tex_number(n.value)}" for n in graph.inputs)
    body = _nested_tex(graph, graph.output)
    return MathTex(rf"{graph.output}({names}) = {body} \quad \text{{with }} {values}",
                   color=INK, font_size=font_size)


def _nested_tex(graph, name, top=True):
    node = graph.node(name)
    if node.is_input:
        return name
    if node.op in _TEX_OPS:
        a, b = (_nested_tex(graph, p, False) for p in node.parents)
        text = f"{a} {_TEX_OPS[node.op]} {b}"
        return text if top else f"({text})"
    return rf"\mathrm{{{node.op}}}({', '.join(_nested_tex(graph, p) for p in node.parents)})"
