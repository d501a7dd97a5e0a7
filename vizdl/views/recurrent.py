"""What the recurrent-network pictures show: the rolled and unrolled RNN, and gradients through time.

Built from :mod:`vizdl.ops.recurrent` (every number recomputed from a recorded run and
checked against torch). :func:`unrolled_view` lays out the notes' picture "rolled =
unrolled": one tanh cell with its loop, then the same cell copied once per time step,
the tokens of a real probe sequence below and each hidden state ``h_t`` above as a
column of coloured cells (red > 0, blue < 0). Its story reveals the rolled block, the
unrolled chain, then one hidden state per time step, then the head's answer.
:func:`gradient_view` and :func:`clipping_runs_view` are charts (:class:`vizdl.views.Plot`) of gradients through
time and over training. The LSTM and GRU cells are in :mod:`vizdl.views.gated`.

>>> sub(10), state_grid([0.5, -1.0]).texts.ravel().tolist()
('₁₀', ['0.5', '−1'])
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
from vizdl.views.graph import edge_id
from vizdl.views.plot import Plot, Rule, Series

#: Layout units (painters scale the whole layout to fit their frame).
STEP_GAP = 1.3
CELL_WIDTH = 0.95
CELL_HEIGHT = 0.42
CELL_RADIUS = 0.36
TOKEN_RADIUS = 0.28
TOKEN_Y = -1.45
GRID_BOTTOM = 0.85
ROLLED_X = -4.4

CELL_NAMES = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU"}
_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def sub(number) -> str:
    """``12`` -> ``"₁₂"`` (time steps in captions)."""
    return str(number).translate(_SUBSCRIPTS)


@dataclass(frozen=True)
class GridAt:
    """A :class:`vizdl.views.Grid` placed in a layout.

    Attributes
    ----------
    id : str
    x, y : float
        Centre, in layout units.
    grid : Grid
    cell_width, cell_height : float
        Size of one cell in layout units.
    title : Label or None
        Written above the grid.
    """

    id: str
    x: float
    y: float
    grid: Grid
    cell_width: float = CELL_WIDTH
    cell_height: float = CELL_HEIGHT
    title: Label | None = None

    @property
    def width(self) -> float:
        """Width in layout units."""
        return self.grid.shape[1] * self.cell_width

    @property
    def height(self) -> float:
        """Height in layout units."""
        return self.grid.shape[0] * self.cell_height

    def cell_center(self, row: int, col: int) -> tuple:
        """Centre of cell ``(row, col)`` (row 0 on top)."""
        return (self.x - self.width / 2 + (col + 0.5) * self.cell_width,
                self.y + self.height / 2 - (row + 0.5) * self.cell_height)


def ink_roles(scale: Scale, values) -> np.ndarray:
    """Text role of each value's cell: ``on_dark`` where the scale's colour is dark, else ``on_light``.

    Dark means: the saturated ends of the diverging map, the low half of viridis, the high
    half of the grey map (which goes from white to black).
    """
    position = scale.position(values)
    dark = {"diverging": np.abs(position - 0.5) > 0.3, "sequential": position < 0.55,
            "grey": position > 0.5}[scale.kind]
    return np.where(dark, "on_dark", "on_light").astype(object)


def state_grid(values, scale: Scale | None = None, *, decimals: int = 2) -> Grid:
    """A column of cells (one per unit) coloured on ``scale`` (diverging -1..1 by default)."""
    values = np.asarray(values, dtype=float).reshape(-1, 1)
    scale = scale or Scale("diverging", -1.0, 1.0, "hidden state")
    return Grid.of(values, decimals=decimals, roles=None, scale=scale, inks=ink_roles(scale, values))


class Lookup:
    """``node(id)`` and ``label(id)`` of a view holding ``nodes`` and ``labels``."""

    def node(self, node_id: str) -> Node:
        """The node ``node_id``."""
        return find(self.nodes, node_id, "node")

    def label(self, label_id: str) -> Placed:
        """The placed label ``label_id``."""
        return find(self.labels, label_id, "label")


@dataclass(frozen=True)
class UnrolledView(Lookup):
    """Everything the rolled / unrolled RNN picture draws.

    Attributes
    ----------
    title : Formula
        The cell's equation.
    nodes : tuple of Node
        ``rolled`` (the rolled cell) and its anchors, ``cell-<t>``, ``x-<t>`` (tokens), ``head``.
    edges : tuple of Edge
    labels : tuple of Placed
    grids : tuple of GridAt
        ``h-<t>``: the hidden state after step ``t``.
    scale : Scale
        Colours of the hidden states.
    story : Story
    """

    title: Formula
    nodes: tuple
    edges: tuple
    labels: tuple
    grids: tuple
    scale: Scale
    story: Story

    def grid(self, grid_id: str) -> GridAt:
        """The placed grid ``grid_id``."""
        return find(self.grids, grid_id, "grid")

    def element_ids(self) -> set:
        """Ids a step may reveal: nodes, ``edge-<s>-<t>``, labels, grids and ``"scale"``."""
        return ({n.id for n in self.nodes} | {edge_id(e) for e in self.edges} | {p.id for p in self.labels}
                | {g.id for g in self.grids} | {"scale"})


def find(items, item_id: str, kind: str):
    """The item of ``items`` whose ``id`` is ``item_id`` (KeyError listing the known ids)."""
    for item in items:
        if item.id == item_id:
            return item
    raise KeyError(f"no {kind} {item_id!r}; known: {', '.join(i.id for i in items)}")


def rnn_title() -> Formula:
    """torch's Elman cell: ``h_t = tanh(W_ih x_t + W_hh h_{t-1} + b)``."""
    return Formula.of(r"h_t = \tanh(W_{ih}\, x_t + W_{hh}\, h_{t-1} + b)", size="title")


def unrolled_view(trace, *, classes=None, decimals: int = 2) -> UnrolledView:
    """The rolled block and its unrolling over ``trace``'s time steps, with its hidden states.

    Parameters
    ----------
    trace : vizdl.ops.recurrent.RecurrentTrace
        Usually of an ``rnn`` run (any cell works: the hidden states are what is shown).
    classes : sequence of str, optional
        Class names (``run.meta["dataset"]["classes"]``) for the head's answer.
    decimals : int
        Places of the numbers written in the cells.
    """
    scale = Scale("diverging", -1.0, 1.0, "hidden state h\u209c (tanh: \u22121 to 1)")
    rolled_nodes, rolled_edges, rolled_labels = _rolled()
    nodes, edges, labels = list(rolled_nodes), list(rolled_edges), list(rolled_labels)
    grids = []
    for k, token in enumerate(trace.tokens):
        t, x = k + 1, k * STEP_GAP
        nodes += [Node(f"cell-{t}", x, 0.0, Label("tanh", size="small"), "kernel", CELL_RADIUS),
                  Node(f"x-{t}", x, TOKEN_Y, Label(str(int(token)), size="small"), "panel", TOKEN_RADIUS),
                  Node(f"h-{t}-in", x, GRID_BOTTOM - 0.05, radius=0.0)]
        edges += [Edge(f"x-{t}", f"cell-{t}"), Edge(f"cell-{t}", f"h-{t}-in"),
                  Edge("h-0" if t == 1 else f"cell-{t - 1}", f"cell-{t}")]
        labels.append(Placed(f"x-{t}-name", x, TOKEN_Y - 0.6, Label(f"x{sub(t)}")))
        grid = state_grid(trace.hidden[k], scale, decimals=decimals)
        height = grid.shape[0] * CELL_HEIGHT
        grids.append(GridAt(f"h-{t}", x, GRID_BOTTOM + height / 2, grid,
                            title=Label(f"h{sub(t)}")))
    last = (trace.length - 1) * STEP_GAP
    nodes += [Node("h-0", -0.95, 0.0, radius=0.0), Node("head", last + 1.5, 0.0, Label("head", size="small"),
                                                        "output", CELL_RADIUS + 0.1)]
    edges.append(Edge(f"cell-{trace.length}", "head"))
    labels += [Placed("h-0-name", -1.1, 0.42, Label("h_0 = 0", tex=True, size="small")),
               Placed("equals", -2.35, 0.0, Label("=", size="title"))]
    labels += _prediction_labels(trace, classes, last + 1.5)
    return UnrolledView(rnn_title(), tuple(nodes), tuple(edges), tuple(labels), tuple(grids), scale,
                        _unrolled_story(trace, classes, nodes, edges, labels, decimals))


def _rolled() -> tuple:
    """The rolled cell: x_t below, h_t above, the loop h_{t-1} leaving on its left and coming back on top."""
    x = ROLLED_X
    nodes = (Node("rolled", x, 0.0, Label("tanh", size="small"), "kernel", CELL_RADIUS),
             Node("rolled-x", x, TOKEN_Y + TOKEN_RADIUS, radius=0.0), Node("rolled-h", x, GRID_BOTTOM + 0.35, radius=0.0),
             Node("loop-a", x - 1.0, 0.0, radius=0.0), Node("loop-b", x - 1.0, 0.8, radius=0.0),
             Node("loop-c", x - 0.5, 0.8, radius=0.0))
    edges = (Edge("rolled-x", "rolled"), Edge("rolled", "rolled-h"), Edge("rolled", "loop-a", arrow=False),
             Edge("loop-a", "loop-b", arrow=False), Edge("loop-b", "loop-c", arrow=False), Edge("loop-c", "rolled"))
    labels = (Placed("rolled-x-name", x, TOKEN_Y - 0.05, Label("x_t", tex=True)),
              Placed("rolled-h-name", x, GRID_BOTTOM + 0.7, Label("h_t", tex=True)),
              Placed("loop-name", x - 1.55, 0.4, Label("h_{t-1}", tex=True)))
    return nodes, edges, labels


def _prediction_labels(trace, classes, x) -> list:
    predicted = int(trace.readout[-1].argmax())
    return [Placed("prediction", x, -0.75, Label(class_name(predicted, classes), "ink", size="small")),
            Placed("probability", x, -1.15, Label(f"p = {fmt(trace.readout[-1, predicted])}", "muted", size="small"))]


def class_name(index: int, classes=None) -> str:
    """``classes[index]``, or ``"class <index>"`` without names."""
    return str(classes[index]) if classes is not None and index < len(classes) else f"class {index}"


def _unrolled_story(trace, classes, nodes, edges, labels, decimals) -> Story:
    rolled = ("rolled", "rolled-x", "rolled-h", "loop-a", "loop-b", "loop-c", "rolled-x-name", "rolled-h-name", "loop-name",
              *(edge_id(e) for e in edges if e.source.startswith(("rolled", "loop")) or e.target == "rolled"))
    chain = tuple(n.id for n in nodes if n.id.startswith(("cell-", "x-", "h-0")) or n.id.endswith("-in")) + tuple(
        edge_id(e) for e in edges if e.target.startswith("cell-")) + tuple(
        p.id for p in labels if p.id.startswith(("x-", "h-0", "equals")))
    steps = [Step("rolled", "A recurrent block: one tanh cell reads the token x\u209c and, through the loop, "
                  "its previous state; it writes the new state h\u209c.", rolled),
             Step("unrolled", f"Unrolled over the {trace.length} tokens of one sequence: the same cell and weights "
                  "once per time step, from h\u2080 = 0.", chain, trace.length)]
    for k, token in enumerate(trace.tokens):
        t = k + 1
        steps.append(Step(f"step-{t}", _step_caption(t, int(token)),
                          (f"h-{t}", edge_id(Edge(f"cell-{t}", f"h-{t}-in"))) + (("scale",) if t == 1 else ()),
                          trace.size))
    steps.append(Step("readout", _readout_caption(trace, classes),
                      ("head", edge_id(Edge(f"cell-{trace.length}", "head")), "prediction", "probability"), 1))
    return Story(tuple(steps))


def _step_caption(t: int, token: int) -> str:
    if t == 1:
        return (f"t = 1: token {token} enters; h\u2081 = tanh(W\u1d62\u2095 x\u2081 + b) as h\u2080 = 0. "
                "Red cells are positive, blue negative.")
    return (f"t = {t}: token {token} enters; h{sub(t)} = tanh(W\u1d62\u2095 x{sub(t)} + W\u2095\u2095 h{sub(t - 1)} + b) "
            f"mixes it with the state h{sub(t - 1)}.")


def _readout_caption(trace, classes) -> str:
    predicted = int(trace.readout[-1].argmax())
    answer = f"The head reads h{sub(trace.length)} only and answers {class_name(predicted, classes)} " \
             f"(p = {fmt(trace.readout[-1, predicted])})"
    if trace.label < 0:
        return answer + "."
    verdict = "right" if predicted == trace.label else "wrong"
    return answer + f"; the label is {class_name(trace.label, classes)}: {verdict}."


# -- charts: gradients through time, gradient norms over training -------------------------
def running_mean(values, window: int) -> np.ndarray:
    """Running mean over ``window`` points (shorter at the start), same length as ``values``."""
    values = np.asarray(values, dtype=float)
    if window <= 1 or values.size == 0:
        return values
    cumsum = np.cumsum(np.insert(values, 0, 0.0))
    idx = np.arange(1, values.size + 1)
    low = np.maximum(idx - window, 0)
    return (cumsum[idx] - cumsum[low]) / (idx - low)


def noisy_series(series_id: str, x, y, *, role: str, label: str, smoothing: int) -> tuple:
    """A per-step series drawn faint (``<id>-raw``) under its running mean (``<id>``, in the legend)."""
    if smoothing <= 1:
        return (Series.of(series_id, x, y, role=role, label=label),)
    return (Series.of(f"{series_id}-raw", x, y, role=role, alpha=0.3, width=0.4),
            Series.of(series_id, x, running_mean(y, smoothing), role=role, label=label))


def gradient_view(results, *, task: str = "") -> Plot:
    """``||dl/dh_t||`` against ``t`` for several runs (log axis), one story step per run.

    Parameters
    ----------
    results : dict of str -> GradientThroughTime, or a sequence of them
        One per run; a sequence is labelled by cell (``"RNN"``, ``"LSTM"``, ``"GRU"``).
    task : str
        What the runs were trained on (for the title).

    The legend gives each run's ratio ``||dl/dh_1|| / ||dl/dh_T||``: the share of the
    gradient that reaches the first time step.
    """
    if not isinstance(results, dict):
        results = {CELL_NAMES.get(r.cell, r.cell): r for r in results}
    if not results:
        raise ValueError("results must hold at least one GradientThroughTime")
    elements, steps = [], []
    for k, (name, result) in enumerate(results.items()):
        length = result.norms.shape[1]
        ratio = f"\u2016\u2202l/\u2202h\u2081\u2016 / \u2016\u2202l/\u2202h{sub(length)}\u2016"
        elements.append(Series.of(f"run-{k}", np.arange(1, length + 1), result.mean, role=f"run {k}", marker="o",
                                  label=f"{name}: {ratio} = {fmt(result.ratio, 4)}"))
        steps.append(Step(f"run-{k}", f"{name}: of the gradient that reaches h{sub(length)}, a share of "
                          f"{fmt(result.ratio, 4)} reaches h\u2081.", (f"run-{k}",)))
    trained = sorted({r.step for r in results.values()})
    at = f"training step {trained[0]}" if len(trained) == 1 else "training steps " + ", ".join(map(str, trained))
    at += " (the initial weights)" if trained == [0] else ""
    title = f"Gradient through time, {at}" + (f"\ntask {task}" if task else "")
    ticks = np.arange(1, max(r.norms.shape[1] for r in results.values()) + 1)
    return Plot(title, "time step t", "\u2016\u2202l/\u2202h\u209c\u2016 (mean over the probe sequences)",
                tuple(elements), Story(tuple(steps)), yscale="log",
                xticks=(tuple(ticks.tolist()), tuple(str(t) for t in ticks)))


def describe_task(dataset: dict) -> str:
    """``"'first' (10 tokens)"`` from a run's ``meta["dataset"]`` (the dataset's name otherwise)."""
    params = dataset.get("params") or {}
    if dataset.get("name") == "sequences" and "task" in params:
        return f"'{params['task']}' ({params.get('seq_len', '?')} tokens)"
    return str(dataset.get("name") or "?")


def describe_model(model: dict) -> str:
    """``"LSTM (8 units)"`` from a run's ``meta["model"]``."""
    config = model.get("config") or {}
    name = CELL_NAMES.get(model.get("name"), str(model.get("name")))
    layers = config.get("num_layers", 1)
    return f"{name} ({config.get('hidden', '?')} units" + (f" \u00d7 {layers} layers)" if layers != 1 else ")")


def clipping_runs_view(runs: dict, *, smoothing: int = 15) -> Plot:
    """Total gradient norm over training of each run (``label -> TrainingGradients``), log axis.

    For a clipped run the curve is the norm the loss asked for, before clipping; a rule
    marks its threshold (the optimizer never applied more).
    """
    elements, steps = [], []
    for k, (name, grads) in enumerate(runs.items()):
        label = name if grads.clip is None else f"{name} (before clipping)"
        elements += noisy_series(f"norm-{k}", grads.steps, grads.norm, role=f"run {k}", label=label,
                                 smoothing=smoothing)
        shown = [f"norm-{k}-raw", f"norm-{k}"]
        caption = f"{name}: the gradient norm reaches {fmt(float(np.max(grads.norm)), 3)}"
        if grads.clip is not None:
            elements.append(Rule(f"threshold-{k}", grads.clip, "y", role="muted", dash="dotted",
                                 label=Label(f"clipping threshold {fmt(grads.clip)}", "muted", size="small")))
            shown.append(f"threshold-{k}")
            caption += f"; above {fmt(grads.clip)} the step is rescaled to norm {fmt(grads.clip)}"
        steps.append(Step(f"norm-{k}", caption + ".", tuple(shown)))
    return Plot("Gradient norm", "training step", "total gradient norm \u2016\u2207\u03b8 l\u2016",
                tuple(elements), Story(tuple(steps)), yscale="log")


def loss_runs_view(runs: dict, *, smoothing: int = 15) -> Plot:
    """Training loss per step of each run (``label -> (steps, losses)``), linear axis."""
    elements, steps = [], []
    for k, (name, (x, losses)) in enumerate(runs.items()):
        elements += noisy_series(f"loss-{k}", x, losses, role=f"run {k}", label=name, smoothing=smoothing)
        steps.append(Step(f"loss-{k}", f"{name}: the loss ends at {fmt(float(np.mean(losses[-smoothing:])), 3)} "
                          "(mean of the last steps).", (f"loss-{k}-raw", f"loss-{k}")))
    return Plot("Training loss", "training step", "cross-entropy of the batch", tuple(elements),
                Story(tuple(steps)))


__all__ = [
    "CELL_NAMES",
    "GridAt",
    "Lookup",
    "UnrolledView",
    "class_name",
    "clipping_runs_view",
    "describe_model",
    "describe_task",
    "edge_id",
    "find",
    "gradient_view",
    "ink_roles",
    "loss_runs_view",
    "noisy_series",
    "rnn_title",
    "running_mean",
    "state_grid",
    "sub",
    "unrolled_view",
]
