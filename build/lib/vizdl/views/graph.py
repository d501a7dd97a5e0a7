"""What the computational-graph picture shows: one layout, every label and formula, the story.

Built from :class:`vizdl.ops.graph.ExpressionGraph` (values and gradients from torch
autograd). Inputs are spread top to bottom in the first column; an operation sits one
column right of its last operand, at the mean height of its operands. Each node's value
is written above its outgoing arrow (role ``value``) and ``d output / d node`` below it
(role ``gradient``). The story follows the notes: the expression, the forward pass column
by column, the local derivatives, the backward pass from the output, the chain rule.

>>> from vizdl.ops.graph import chain_rule_example
>>> view = graph_view(chain_rule_example())
>>> view.label("value-f").label.text, view.label("grad-x").label.text
('−8', '4')
>>> [s.name for s in view.story][:4]
['expression', 'forward-0', 'forward-1', 'forward-2']
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vizdl.styles.theme import fmt
from vizdl.views.base import Edge, Formula, Label, Node, Placed, Step, Story

#: Layout units (the painters scale the whole layout to fit their frame).
COLUMN_GAP = 3.2
ROW_GAP = 1.6
RADIUS = 0.38
LABEL_OFFSET = 0.3

OP_SYMBOLS = {"+": "+", "-": "\u2212", "*": "\u00d7", "/": "\u00f7", "max": "max", "neg": "\u2212",
              "exp": "exp", "tanh": "tanh", "sigmoid": "\u03c3", "relu": "ReLU", "square": "x\u00b2"}
_TEX_OPS = {"+": "+", "-": "-", "*": r"\cdot", "/": "/"}
_TEXT_OPS = {"+": "+", "-": "\u2212", "*": "\u00b7", "/": "/"}
OUTPUT_END = "output-end"


@dataclass(frozen=True)
class GraphView:
    """Everything a computational-graph picture draws.

    Attributes
    ----------
    title : Formula
        ``f(x, y, z) = (x + y) \\cdot z`` with the input values.
    nodes : tuple of Node
        One per variable (ids are the variable names), plus an invisible ``radius=0``
        node ``"output-end"`` where the output's arrow ends.
    edges : tuple of Edge
        Operand -> operation, and output -> ``"output-end"``.
    labels : tuple of Placed
        ``name-<op node>`` (its name above the circle), ``value-<node>``, ``grad-<node>``.
    formulas : dict of str -> Formula
        ``local-<op node>`` (its local derivatives) and ``chain-<input>`` (the chain rule).
    legend : tuple of Label
        What the value and gradient colours mean.
    story : Story
    """

    title: Formula
    nodes: tuple
    edges: tuple
    labels: tuple
    formulas: dict
    legend: tuple
    story: Story

    def node(self, node_id: str) -> Node:
        """The node ``node_id``."""
        return _find(self.nodes, node_id, "node")

    def label(self, label_id: str) -> Placed:
        """The placed label ``label_id``."""
        return _find(self.labels, label_id, "label")

    def element_ids(self) -> set:
        """Ids a step may reveal: nodes, edges ``"edge-<source>-<target>"``, labels, formulas, ``"legend"``."""
        return ({n.id for n in self.nodes} | {edge_id(e) for e in self.edges}
                | {p.id for p in self.labels} | set(self.formulas) | {"legend"})


def _find(items, item_id, kind):
    for item in items:
        if item.id == item_id:
            return item
    raise KeyError(f"no {kind} {item_id!r}; known: {', '.join(i.id for i in items)}")


def edge_id(edge: Edge) -> str:
    """``"edge-<source>-<target>"``."""
    return f"edge-{edge.source}-{edge.target}"


def positions(graph) -> dict:
    """Layout position ``(x, y)`` of every node (see the module docstring)."""
    levels = graph.levels()
    inputs = graph.inputs
    pos = {n.name: (0.0, ((len(inputs) - 1) / 2 - k) * ROW_GAP) for k, n in enumerate(inputs)}
    for node in graph.nodes:
        if not node.is_input:
            pos[node.name] = (levels[node.name] * COLUMN_GAP, float(np.mean([pos[p][1] for p in node.parents])))
    return pos


def graph_view(graph=None, *, decimals: int = 2) -> GraphView:
    """The view of an expression graph (the notes' ``(x + y) * z`` at ``x=1, y=-3, z=4`` by default).

    Parameters
    ----------
    graph : vizdl.ops.graph.ExpressionGraph, optional
    decimals : int
        Places of the written numbers.
    """
    if graph is None:
        from vizdl.ops.graph import chain_rule_example

        graph = chain_rule_example()
    pos = positions(graph)
    out_x, out_y = pos[graph.output]
    nodes = tuple(_node(n, pos) for n in graph.nodes) + (Node(OUTPUT_END, out_x + 0.6 * COLUMN_GAP, out_y, radius=0.0),)
    edges = tuple(Edge(e.source, e.target) for e in graph.edges) + (Edge(graph.output, OUTPUT_END),)
    labels = _names(graph, pos) + _edge_labels(graph, nodes, edges, decimals)
    formulas = {f"local-{n.name}": local_derivative_formula(graph, n.name, decimals)
                for n in graph.nodes if not n.is_input}
    formulas.update({f"chain-{n.name}": chain_rule_formula(graph, n.name, decimals) for n in graph.inputs
                     if _has_single_path(graph, n.name)})
    legend = (Label("value", "value"), Label(f"gradient \u2202{graph.output}/\u2202\u00b7", "gradient"))
    return GraphView(title_formula(graph, decimals), nodes, edges, labels, formulas, legend,
                     _story(graph, decimals, formulas))


def _node(node, pos) -> Node:
    text = node.name if node.is_input else OP_SYMBOLS[node.op]
    return Node(node.name, *pos[node.name], Label(text, size="body" if len(text) == 1 else "small"),
                radius=RADIUS)


def _names(graph, pos) -> tuple:
    return tuple(Placed(f"name-{n.name}", pos[n.name][0], pos[n.name][1] + RADIUS + 0.28, Label(n.name, size="small"))
                 for n in graph.nodes if not n.is_input)


def _edge_labels(graph, nodes, edges, decimals) -> tuple:
    """Value above and gradient below each node's outgoing arrow (its first one)."""
    where = {n.id: (n.x, n.y, n.radius) for n in nodes}
    placed = []
    for node in graph.nodes:
        edge = next(e for e in edges if e.source == node.name)
        (x0, y0, r0), (x1, y1, r1) = where[edge.source], where[edge.target]
        direction = np.array([x1 - x0, y1 - y0]) / np.hypot(x1 - x0, y1 - y0)
        start, end = np.array([x0, y0]) + direction * r0, np.array([x1, y1]) - direction * r1
        normal = np.array([-direction[1], direction[0]])
        anchor = start + (0.3 if node.is_input else 0.4) * (end - start)
        for kind, value, sign, role in (("value", node.value, 1, "value"), ("grad", node.grad, -1, "gradient")):
            x, y = anchor + sign * normal * LABEL_OFFSET
            placed.append(Placed(f"{kind}-{node.name}", float(x), float(y), Label(fmt(value, decimals), role)))
    return tuple(placed)


def title_formula(graph, decimals: int = 2) -> Formula:
    """``f(x, y, z) = (x + y) \\cdot z \\quad x = 1, y = -3, z = 4``."""
    names = ", ".join(n.name for n in graph.inputs)
    values = r",\ ".join(f"{n.name} = {fmt(n.value, decimals, tex=True)}" for n in graph.inputs)
    return Formula.of(rf"{graph.output}({names}) = {_nested_tex(graph, graph.output)} \quad {values}", size="title")


def _nested_tex(graph, name, top=True) -> str:
    node = graph.node(name)
    if node.is_input:
        return name
    if node.op in _TEX_OPS:
        a, b = (_nested_tex(graph, p, False) for p in node.parents)
        text = f"{a} {_TEX_OPS[node.op]} {b}"
        return text if top else f"({text})"
    return rf"\mathrm{{{node.op}}}({', '.join(_nested_tex(graph, p) for p in node.parents)})"


def _expression_tex(node) -> str:
    if node.op in _TEX_OPS:
        a, b = node.parents
        return f"{a} {_TEX_OPS[node.op]} {b}"
    return rf"\mathrm{{{node.op}}}({', '.join(node.parents)})"


def _symbolic_local(node, k):
    """The notes' symbolic local derivative of operand ``k`` (``None`` when there is none)."""
    if node.op == "+":
        return "1"
    if node.op == "-":
        return "1" if k == 0 else "-1"
    if node.op == "*":
        return node.parents[1 - k]
    return None


def _partial(top: str, bottom: str) -> str:
    return rf"\frac{{\partial {top}}}{{\partial {bottom}}}"


def local_derivative_formula(graph, name: str, decimals: int = 2) -> Formula:
    """``d = x + y \\quad dd/dx = 1, dd/dy = 1`` for operation ``name`` (numbers from autograd)."""
    node = graph.node(name)
    if node.is_input:
        raise ValueError(f"name: {name!r} is an input; local derivatives belong to operations")
    parts = []
    for k, parent in enumerate(dict.fromkeys(node.parents)):
        value = fmt(graph.edge(parent, name).local, decimals, tex=True)
        symbol = _symbolic_local(node, k)
        rhs = value if symbol in (None, value) else f"{symbol} = {value}"
        parts.append(f"{_partial(name, parent)} = {rhs}")
    return Formula.of(f"{name} = {_expression_tex(node)}", r"\quad " + r",\ ".join(parts))


def _single_path(graph, variable) -> list:
    path, current = [], variable
    while current != graph.output:
        following = [e for e in graph.edges if e.source == current]
        if len(following) != 1:
            raise ValueError(f"variable: {variable!r} reaches {graph.output!r} by {len(following)} edges "
                             f"from {current!r}; the chain-rule formula needs a single path")
        path.append((current, following[0].target))
        current = following[0].target
    return path


def _has_single_path(graph, variable) -> bool:
    try:
        _single_path(graph, variable)
    except ValueError:
        return False
    return True


def chain_rule_formula(graph, variable: str, decimals: int = 2) -> Formula:
    """``df/dx = df/dd \\cdot dd/dx = 4 \\cdot 1 = 4`` along the single path to the output.

    The result is in the gradient role. Raises ValueError when ``variable`` reaches the
    output by several paths.
    """
    path = _single_path(graph, variable)
    lhs = _partial(graph.output, variable)
    result = (fmt(graph.node(variable).grad, decimals, tex=True), "gradient")
    if len(path) == 1:
        source, target = path[0]
        node = graph.node(target)
        symbol = _symbolic_local(node, list(node.parents).index(source))
        return Formula.of(lhs, "=", symbol, "=", result) if symbol else Formula.of(lhs, "=", result)
    partials = [_partial(t, s) for s, t in reversed(path)]
    numbers = [fmt(graph.edge(s, t).local, decimals, tex=True) for s, t in reversed(path)]
    numbers = [f"({n})" if n.startswith("-") else n for n in numbers]
    return Formula.of(lhs, "=", r" \cdot ".join(partials), "=", r" \cdot ".join(numbers), "=", result)


def _story(graph, decimals, formulas) -> Story:
    levels = graph.levels()
    columns = sorted(set(levels.values()))
    frame = tuple(n.name for n in graph.nodes) + (OUTPUT_END,) + tuple(
        f"edge-{e.source}-{e.target}" for e in graph.edges) + (f"edge-{graph.output}-{OUTPUT_END}",) + tuple(
        f"name-{n.name}" for n in graph.nodes if not n.is_input) + ("legend",)
    inputs = ", ".join(f"{n.name} = {fmt(n.value, decimals)}" for n in graph.inputs)
    steps = [Step("expression", f"The expression as a graph of operations, evaluated at {inputs}.", frame)]
    for level in columns:
        names = [n for n in levels if levels[n] == level]
        steps.append(Step(f"forward-{level}", _forward_caption(graph, names, level, decimals),
                          tuple(f"value-{n}" for n in names), len(names)))
    local_ids = tuple(k for k in formulas if k.startswith("local-"))
    steps.append(Step("local-derivatives", "Each operation knows the derivative of its output with respect "
                      "to each of its inputs: the local derivatives.", local_ids, 2 * len(local_ids)))
    for level in reversed(columns):
        names = [n for n in levels if levels[n] == level]
        steps.append(Step(f"backward-{level}", _backward_caption(graph, names, decimals),
                          tuple(f"grad-{n}" for n in names), len(names)))
    chain_ids = tuple(k for k in formulas if k.startswith("chain-"))
    if chain_ids:
        steps.append(Step("chain-rule", "The chain rule: multiply the local derivatives along the path "
                          "from the output back to each input.", chain_ids, 3 * len(chain_ids)))
    return Story(tuple(steps))


def _forward_caption(graph, names, level, decimals) -> str:
    if level == 0:
        return "Forward pass: the inputs enter the graph."
    parts = []
    for name in names:
        node = graph.node(name)
        op = _TEXT_OPS.get(node.op)
        expression = f" {op} ".join(node.parents) if op else f"{node.op}({', '.join(node.parents)})"
        parts.append(f"{name} = {expression} = {fmt(node.value, decimals)}")
    return "Forward pass: " + "; ".join(parts) + "."


def _backward_caption(graph, names, decimals) -> str:
    out = graph.output
    if names == [out]:
        return f"Backward pass: it starts at the output with \u2202{out}/\u2202{out} = 1."
    parts = [f"\u2202{out}/\u2202{n} = {fmt(graph.node(n).grad, decimals)}" for n in names]
    return ("Gradient arriving at each operation times its local derivative: " + ", ".join(parts) + ".")


__all__ = ["GraphView", "OUTPUT_END", "chain_rule_formula", "edge_id", "graph_view", "local_derivative_formula",
           "positions", "title_formula"]
