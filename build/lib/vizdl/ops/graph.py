"""A scalar expression graph with forward values and chain-rule gradients from torch autograd.

The notes' worked example is ``f(x, y, z) = (x + y) * z`` at ``x = 1, y = -3, z = 4``
written as two nodes, ``d = x + y`` and ``f = d * z``::

    >>> g = chain_rule_example()
    >>> g.node("f").value, g.node("x").grad, g.edge("d", "f").local
    (-8.0, 4.0, 4.0)

Every number (values, local derivatives on edges, ``df/dnode`` on nodes) is computed by
torch autograd on the expression, never typed in. A picture reads them from
:class:`ExpressionGraph`; :meth:`ExpressionGraph.levels` gives each node's column
(inputs at 0) so the figure and the scene lay the graph out the same way.
"""
from __future__ import annotations

from dataclasses import dataclass

UNARY_OPS = ("neg", "exp", "tanh", "sigmoid", "relu", "square")
BINARY_OPS = ("+", "-", "*", "/", "max")
OPS = BINARY_OPS + UNARY_OPS

#: The notes' example: d = x + y, f = d * z.
NOTES_SPEC = (("d", "+", ("x", "y")), ("f", "*", ("d", "z")))
NOTES_INPUTS = {"x": 1.0, "y": -3.0, "z": 4.0}


@dataclass(frozen=True)
class GraphNode:
    """One scalar of the expression.

    Attributes
    ----------
    name : str
        Variable name (``"x"``, ``"d"``, ``"f"``).
    op : str
        ``"input"`` for a leaf, otherwise one of :data:`OPS`.
    parents : tuple of str
        Operands, in order.
    value : float
        Forward value.
    grad : float
        ``d output / d node`` (1 for the output itself).
    """

    name: str
    op: str
    parents: tuple
    value: float
    grad: float

    @property
    def is_input(self) -> bool:
        """True for a leaf (an input variable)."""
        return self.op == "input"


@dataclass(frozen=True)
class GraphEdge:
    """An operand flowing into an operation, with its chain-rule factors.

    Attributes
    ----------
    source, target : str
        Operand node and operation node.
    local : float
        Local derivative ``d target / d source``.
    upstream : float
        ``d output / d target`` (the gradient arriving at the operation).
    grad : float
        ``upstream * local``: this edge's contribution to ``d output / d source``.
    """

    source: str
    target: str
    local: float
    upstream: float
    grad: float


@dataclass(frozen=True)
class ExpressionGraph:
    """Nodes in evaluation order (inputs first), edges, and the output's name."""

    nodes: tuple
    edges: tuple
    output: str

    def node(self, name: str) -> GraphNode:
        """The node called ``name`` (KeyError naming the known nodes otherwise)."""
        for node in self.nodes:
            if node.name == name:
                return node
        raise KeyError(f"node {name!r} not in graph; known nodes: {[n.name for n in self.nodes]}")

    def edge(self, source: str, target: str) -> GraphEdge:
        """The edge ``source -> target``."""
        for edge in self.edges:
            if (edge.source, edge.target) == (source, target):
                return edge
        known = [(e.source, e.target) for e in self.edges]
        raise KeyError(f"edge {(source, target)!r} not in graph; known edges: {known}")

    @property
    def inputs(self) -> tuple:
        """The input nodes, in the order given."""
        return tuple(n for n in self.nodes if n.is_input)

    def levels(self) -> dict:
        """Column of each node: 0 for inputs, ``1 + max(parent columns)`` otherwise."""
        level: dict[str, int] = {}
        for node in self.nodes:
            level[node.name] = 1 + max((level[p] for p in node.parents), default=-1)
        return level


def _apply(op: str, args):
    """Torch result of ``op`` on the operand tensors ``args``."""
    import torch

    table = {
        "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
        "/": lambda a, b: a / b, "max": torch.maximum, "neg": lambda a: -a,
        "exp": torch.exp, "tanh": torch.tanh, "sigmoid": torch.sigmoid,
        "relu": torch.relu, "square": lambda a: a * a,
    }
    return table[op](*args)


def _check_spec(spec, inputs) -> None:
    """Raise ValueError for unknown operations, wrong arity or undefined operands."""
    known = set(inputs)
    for name, op, parents in spec:
        if op not in OPS:
            raise ValueError(f"spec: operation {op!r} of node {name!r} is unknown; allowed: {OPS}")
        arity = 2 if op in BINARY_OPS else 1
        if len(parents) != arity:
            raise ValueError(f"spec: node {name!r} ({op}) needs {arity} operand(s), got {parents!r}")
        missing = [p for p in parents if p not in known]
        if missing:
            raise ValueError(f"spec: node {name!r} uses undefined operand(s) {missing}; "
                             f"defined so far: {sorted(known)}")
        if name in known:
            raise ValueError(f"spec: node name {name!r} is defined twice")
        known.add(name)


def expression_graph(spec=NOTES_SPEC, inputs=None) -> ExpressionGraph:
    """Evaluate a scalar expression with torch and return its graph with all gradients.

    Parameters
    ----------
    spec : sequence of (name, op, parents)
        Operation nodes in evaluation order; ``op`` is one of :data:`OPS`, ``parents`` a
        tuple of earlier node or input names. The last node is the output.
    inputs : dict of str to float, optional
        Input values (the notes' ``x=1, y=-3, z=4`` by default).

    Returns
    -------
    ExpressionGraph
        Values, ``d output / d node`` and local derivatives, all from autograd.
    """
    import torch

    inputs = dict(NOTES_INPUTS if inputs is None else inputs)
    spec = tuple((name, op, tuple(parents)) for name, op, parents in spec)
    if not spec:
        raise ValueError("spec: empty; give at least one (name, op, parents) node")
    _check_spec(spec, inputs)
    tensors = {k: torch.tensor(float(v), dtype=torch.float64, requires_grad=True)
               for k, v in inputs.items()}
    for name, op, parents in spec:
        tensors[name] = _apply(op, [tensors[p] for p in parents])
    output = spec[-1][0]
    names = list(tensors)
    grads = torch.autograd.grad(tensors[output], [tensors[n] for n in names],
                                retain_graph=True, allow_unused=True)
    grad_of = {n: (0.0 if g is None else float(g)) for n, g in zip(names, grads)}
    nodes = [GraphNode(k, "input", (), float(tensors[k].detach()), grad_of[k]) for k in inputs]
    edges = []
    for name, op, parents in spec:
        nodes.append(GraphNode(name, op, parents, float(tensors[name].detach()), grad_of[name]))
        for parent in dict.fromkeys(parents):
            (local,) = torch.autograd.grad(tensors[name], tensors[parent], retain_graph=True)
            edges.append(GraphEdge(parent, name, float(local), grad_of[name],
                                   grad_of[name] * float(local)))
    return ExpressionGraph(tuple(nodes), tuple(edges), output)


def chain_rule_example(x: float = 1.0, y: float = -3.0, z: float = 4.0) -> ExpressionGraph:
    """The notes' ``f(x, y, z) = (x + y) * z`` (``d = x + y``, ``f = d * z``) at the given point."""
    return expression_graph(NOTES_SPEC, {"x": x, "y": y, "z": z})

