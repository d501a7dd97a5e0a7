"""What the LSTM and GRU cell pictures show: the cell's diagram and its gates at each time step.

Built from :class:`vizdl.ops.recurrent.RecurrentTrace` (gates recomputed from a recorded
run, checked against torch). The diagram follows the usual drawing of the cells: the
memory line along the top (the cell state ``c`` of the LSTM, the hidden state of the GRU),
``h_{t-1}`` and ``x_t`` entering at the bottom, sigmoid gates and tanh layers as nodes,
pointwise products and sums as small nodes. Next to it, one table per time step lists
every unit's numbers: for the LSTM ``c_{t-1} | f | i | g | c_t | o | h_t`` (what is kept,
what is written, what is output), for the GRU ``h_{t-1} | r | z | n | h_t``. Gates are
coloured on viridis from 0 (closed) to 1 (open); states on the diverging scale.

The story: the cell, its equations, then one step per time step (its table *replaces* the
previous one: painters show the last revealed table), then the head's answer.

>>> import numpy as np
>>> from vizdl.ops.recurrent import trace_from_weights
>>> rng = np.random.default_rng(0)
>>> w = {"embed.weight": rng.normal(size=(3, 2)), "rnn.weight_ih_l0": rng.normal(size=(8, 2)),
...      "rnn.weight_hh_l0": rng.normal(size=(8, 2)), "head.weight": rng.normal(size=(3, 2)),
...      "head.bias": np.zeros(3)}
>>> view = gated_view(trace_from_weights(w, "lstm", [0, 2, 1]))
>>> [s.name for s in view.story]
['cell', 'equations', 't-1', 't-2', 't-3', 'readout']
>>> [c.id for c in view.table(2).columns]
['c-prev', 'forget', 'input', 'candidate', 'c', 'output', 'h']
"""
from __future__ import annotations

from dataclasses import dataclass

from vizdl.styles.theme import fmt
from vizdl.views.base import Edge, Formula, Label, Node, Placed, Scale, Step, Story
from vizdl.views.recurrent import (
    GridAt,
    Lookup,
    class_name,
    edge_id,
    find,
    state_grid,
    sub,
)

GATE_RADIUS = 0.38
OP_RADIUS = 0.24
TABLE_CELL = (0.9, 0.42)
TABLE_GAP = 0.18

#: Table columns: (id, what, symbol, time: "t" or "t-1", scale name).
COLUMNS = {
    "lstm": (("c-prev", "cell state", "c", "t-1", "cell"), ("forget", "forget gate", "f", "t", "gate"),
             ("input", "input gate", "i", "t", "gate"), ("candidate", "candidate", "g", "t", "state"),
             ("c", "cell state", "c", "t", "cell"), ("output", "output gate", "o", "t", "gate"),
             ("h", "hidden state", "h", "t", "state")),
    "gru": (("h-prev", "hidden state", "h", "t-1", "state"), ("reset", "reset gate", "r", "t", "gate"),
            ("update", "update gate", "z", "t", "gate"), ("candidate", "candidate", "n", "t", "state"),
            ("h", "hidden state", "h", "t", "state")),
}

GATE_SCALE = Scale("sequential", 0.0, 1.0, "gate: 0 closed, 1 open")
STATE_SCALE = Scale("diverging", -1.0, 1.0, "tanh output")


@dataclass(frozen=True)
class StepTable:
    """The numbers of one time step: a column of cells per quantity, one row per unit.

    Attributes
    ----------
    id : str
        ``"table-<t>"``.
    t : int
        Time step (1-based).
    header : Label
        ``"t = 3 · token 1"``.
    columns : tuple of GridAt
        Ids as in :data:`COLUMNS`; positions relative to the table's centre.
    means : tuple of Placed
        ``mean-<column id>`` under each gate column: the mean over the units; ``mean-name``
        ("mean") left of them.
    """

    id: str
    t: int
    header: Label
    columns: tuple
    means: tuple

    def column(self, column_id: str) -> GridAt:
        """The column ``column_id``."""
        return find(self.columns, column_id, "column")


@dataclass(frozen=True)
class GatedCellView(Lookup):
    """Everything an LSTM or GRU cell picture draws.

    Attributes
    ----------
    cell : {"lstm", "gru"}
    title : Label
    nodes, edges, labels : tuple
        The diagram (layout units); ``labels`` are placed symbols (``c_{t-1}``, ``f_t``...).
    formulas : dict of str -> Formula
        ``eq-gates``, ``eq-state``, ``eq-hidden`` (LSTM) / ``eq-gates``, ``eq-candidate``, ``eq-hidden`` (GRU).
    tables : tuple of StepTable
        One per time step.
    scales : dict of str -> Scale
        ``gate``, ``state`` and (LSTM) ``cell``.
    prediction : Placed
        The head's answer after the last step.
    story : Story
    """

    cell: str
    title: Label
    nodes: tuple
    edges: tuple
    labels: tuple
    formulas: dict
    tables: tuple
    scales: dict
    prediction: Placed
    story: Story

    def table(self, t: int) -> StepTable:
        """The table of time step ``t`` (1-based; negative from the end)."""
        from vizdl.ops.recurrent import time_index

        return self.tables[time_index(t, len(self.tables))]

    def shown_table(self, visible) -> StepTable | None:
        """The last table among the ``visible`` ids (tables replace each other)."""
        shown = [table for table in self.tables if table.id in visible]
        return shown[-1] if shown else None

    def element_ids(self) -> set:
        """Ids a step may reveal: nodes, edges, labels, formulas, tables, ``prediction``."""
        return ({n.id for n in self.nodes} | {edge_id(e) for e in self.edges} | {p.id for p in self.labels}
                | set(self.formulas) | {t.id for t in self.tables} | {"prediction"})


def gated_view(trace, *, classes=None, decimals: int = 2) -> GatedCellView:
    """The LSTM or GRU cell of ``trace`` with its gates at every time step.

    Parameters
    ----------
    trace : vizdl.ops.recurrent.RecurrentTrace
        Of an ``lstm`` or ``gru`` run.
    classes : sequence of str, optional
        Class names for the head's answer.
    decimals : int
        Places of the numbers in the tables.
    """
    if trace.cell not in COLUMNS:
        raise ValueError(f"trace.cell must be 'lstm' or 'gru' for a gated cell picture, got {trace.cell!r}")
    nodes, edges, labels = (_lstm_diagram if trace.cell == "lstm" else _gru_diagram)()
    scales = {"gate": GATE_SCALE, "state": STATE_SCALE}
    if trace.cell == "lstm":
        scales["cell"] = Scale.symmetric(trace.cell_state, "cell state c")
    tables = tuple(_table(trace, k, scales, decimals) for k in range(trace.length))
    predicted = int(trace.readout[-1].argmax())
    out = find(nodes, "h-out", "node")
    prediction = Placed("prediction", out.x - 0.8, out.y - 0.65, Label(
        f"{class_name(predicted, classes)} (p = {fmt(trace.readout[-1, predicted])})", size="small"))
    formulas = LSTM_FORMULAS if trace.cell == "lstm" else GRU_FORMULAS
    title = Label(f"{trace.cell.upper()} cell, {trace.size} units", size="title")
    story = _story(trace, classes, nodes, edges, labels, formulas, tables)
    return GatedCellView(trace.cell, title, nodes, edges, labels, dict(formulas), tables, scales, prediction, story)


LSTM_FORMULAS = {
    "eq-gates": Formula.of(r"(i_t,\ f_t,\ g_t,\ o_t) = (\sigma,\ \sigma,\ \tanh,\ \sigma)"
                           r"(W_{ih}\, x_t + W_{hh}\, h_{t-1} + b)"),
    "eq-state": Formula.of(r"c_t = f_t \odot c_{t-1} + i_t \odot g_t"),
    "eq-hidden": Formula.of(r"h_t = o_t \odot \tanh(c_t)"),
}
GRU_FORMULAS = {
    "eq-gates": Formula.of(r"(r_t,\ z_t) = \sigma(W_{ih}\, x_t + W_{hh}\, h_{t-1} + b)"),
    "eq-candidate": Formula.of(r"n_t = \tanh(W_{in}\, x_t + b_{in} + r_t \odot (W_{hn}\, h_{t-1} + b_{hn}))"),
    "eq-hidden": Formula.of(r"h_t = (1 - z_t) \odot n_t + z_t \odot h_{t-1}"),
}


def _gate(node_id, x, y, symbol, role="kernel"):
    return Node(node_id, x, y, Label(symbol, size="small" if len(symbol) > 1 else "body"), role, GATE_RADIUS)


def _op(node_id, x, y, symbol):
    return Node(node_id, x, y, Label(symbol, size="small"), "panel", OP_RADIUS)


def _anchor(node_id, x, y):
    return Node(node_id, x, y, radius=0.0)


def _tex(label_id, x, y, tex, size="small"):
    return Placed(label_id, x, y, Label(tex, tex=True, size=size))


def _lstm_diagram() -> tuple:
    """The LSTM cell: c along the top, the gates above the [h_{t-1}, x_t] bus, h_t out on the right."""
    top, bus, gates = 3.4, 0.0, 1.3
    nodes = (
        _anchor("c-in", 0.0, top), _op("mul-f", 2.0, top, "\u00d7"), _op("add", 4.4, top, "+"),
        _anchor("c-tap", 7.4, top), _anchor("c-out", 9.0, top),
        _anchor("h-in", 0.0, bus), _anchor("x-in", 1.0, -1.2), _anchor("join", 1.0, bus),
        _anchor("bus-f", 2.0, bus), _anchor("bus-i", 3.4, bus), _anchor("bus-g", 4.4, bus), _anchor("bus-o", 6.4, bus),
        _gate("forget", 2.0, gates, "\u03c3"), _gate("input", 3.4, gates, "\u03c3"),
        _gate("candidate", 4.4, gates, "tanh"), _gate("output", 6.4, gates, "\u03c3"),
        _op("mul-i", 4.4, 2.35, "\u00d7"), _gate("tanh-c", 7.4, 2.35, "tanh", "panel"),
        _op("mul-o", 7.4, gates, "\u00d7"), _anchor("h-tap", 8.2, gates), _anchor("h-out", 9.0, gates),
    )
    edges = (
        Edge("c-in", "mul-f"), Edge("mul-f", "add"), Edge("add", "c-tap", arrow=False), Edge("c-tap", "c-out"),
        Edge("h-in", "join", arrow=False), Edge("x-in", "join", arrow=False), Edge("join", "bus-f", arrow=False),
        Edge("bus-f", "bus-i", arrow=False), Edge("bus-i", "bus-g", arrow=False), Edge("bus-g", "bus-o", arrow=False),
        Edge("bus-f", "forget"), Edge("bus-i", "input"), Edge("bus-g", "candidate"), Edge("bus-o", "output"),
        Edge("forget", "mul-f"), Edge("input", "mul-i"), Edge("candidate", "mul-i"), Edge("mul-i", "add"),
        Edge("c-tap", "tanh-c"), Edge("tanh-c", "mul-o"), Edge("output", "mul-o"),
        Edge("mul-o", "h-tap", arrow=False), Edge("h-tap", "h-out"),
    )
    labels = (
        _tex("c-in-name", -0.55, top, "c_{t-1}", "body"), _tex("c-out-name", 9.45, top, "c_t", "body"),
        _tex("h-in-name", -0.55, bus, "h_{t-1}", "body"), _tex("x-in-name", 1.0, -1.55, "x_t", "body"),
        _tex("h-out-name", 9.45, gates, "h_t", "body"),
        _tex("forget-name", 1.45, gates + 0.55, "f_t"), _tex("input-name", 2.85, gates + 0.55, "i_t"),
        _tex("candidate-name", 5.0, gates + 0.55, "g_t"), _tex("output-name", 5.85, gates + 0.55, "o_t"),
        Placed("forget-what", 2.0, bus - 0.4, Label("forget", "muted", size="small")),
        Placed("input-what", 3.4, bus - 0.4, Label("input", "muted", size="small")),
        Placed("output-what", 6.4, bus - 0.4, Label("output", "muted", size="small")),
    )
    return nodes, edges, labels


def _gru_diagram() -> tuple:
    """The GRU cell: h along the top, update gate z mixing old state and candidate n."""
    top, bus, gates = 3.4, 0.0, 1.2
    nodes = (
        _anchor("h-in", 0.0, top), _anchor("h-tap", 1.0, top), _op("mul-z", 2.4, top, "\u00d7"),
        _op("add", 5.2, top, "+"), _anchor("h-out", 7.2, top),
        _anchor("x-in", 1.0, -1.2), _anchor("join", 1.0, bus), _anchor("bus-z", 2.4, bus), _anchor("bus-r", 3.6, bus),
        _anchor("bus-n", 5.2, bus),
        _gate("update", 2.4, gates, "\u03c3"), _gate("reset", 3.6, gates, "\u03c3"),
        _gate("candidate", 5.2, gates, "tanh"), _op("one-minus", 3.6, 2.35, "1\u2212"), _op("mul-n", 5.2, 2.35, "\u00d7"),
    )
    edges = (
        Edge("h-in", "h-tap", arrow=False), Edge("h-tap", "mul-z"), Edge("mul-z", "add"), Edge("add", "h-out"),
        Edge("h-tap", "join", arrow=False), Edge("x-in", "join", arrow=False), Edge("join", "bus-z", arrow=False),
        Edge("bus-z", "bus-r", arrow=False), Edge("bus-r", "bus-n", arrow=False),
        Edge("bus-z", "update"), Edge("bus-r", "reset"), Edge("bus-n", "candidate"),
        Edge("update", "mul-z"), Edge("update", "one-minus"), Edge("one-minus", "mul-n"),
        Edge("reset", "candidate"), Edge("candidate", "mul-n"), Edge("mul-n", "add"),
    )
    labels = (
        _tex("h-in-name", -0.55, top, "h_{t-1}", "body"), _tex("h-out-name", 7.65, top, "h_t", "body"),
        _tex("x-in-name", 1.0, -1.55, "x_t", "body"),
        _tex("update-name", 1.9, gates + 0.55, "z_t"), _tex("reset-name", 4.15, gates - 0.45, "r_t"),
        _tex("candidate-name", 5.75, gates + 0.45, "n_t"),
        Placed("update-what", 2.4, bus - 0.4, Label("update", "muted", size="small")),
        Placed("reset-what", 3.6, bus - 0.4, Label("reset", "muted", size="small")),
    )
    return nodes, edges, labels


def _column_values(trace, k: int) -> dict:
    if trace.cell == "lstm":
        return {"c-prev": trace.previous_cell()[k], "c": trace.cell_state[k], "h": trace.hidden[k],
                **{name: values[k] for name, values in trace.gates.items()}}
    return {"h-prev": trace.previous_hidden()[k], "h": trace.hidden[k],
            **{name: values[k] for name, values in trace.gates.items()}}


def _table(trace, k: int, scales: dict, decimals: int) -> StepTable:
    t, values = k + 1, _column_values(trace, k)
    width, height = TABLE_CELL
    columns, means = [], []
    count = len(COLUMNS[trace.cell])
    for j, (column_id, _, symbol, time, scale_name) in enumerate(COLUMNS[trace.cell]):
        x = (j - (count - 1) / 2) * (width + TABLE_GAP)
        grid = state_grid(values[column_id], scales[scale_name], decimals=decimals)
        title = Label(symbol + sub(t if time == "t" else t - 1))
        columns.append(GridAt(column_id, x, 0.0, grid, width, height, title))
        if scale_name == "gate":
            means.append(Placed(f"mean-{column_id}", x, -grid.shape[0] * height / 2 - 0.35,
                                Label(fmt(values[column_id].mean(), decimals), "muted", size="small")))
    first = columns[0]
    means.append(Placed("mean-name", first.x - width, -first.height / 2 - 0.35, Label("mean", "muted", size="small")))
    header = Label(f"t = {t} \u00b7 token {int(trace.tokens[k])}", size="body")
    return StepTable(f"table-{t}", t, header, tuple(columns), tuple(means))


def _story(trace, classes, nodes, edges, labels, formulas, tables) -> Story:
    diagram = tuple(n.id for n in nodes) + tuple(edge_id(e) for e in edges) + tuple(p.id for p in labels)
    name = trace.cell.upper()
    if trace.cell == "lstm":
        intro = ("An LSTM cell: the cell state c runs along the top; forget, input and output gates decide "
                 "what is kept, written and shown.")
        equations = ("The gates and the candidate g read x\u209c and h\u209c\u208b\u2081; then "
                     "c\u209c = f \u2299 c\u209c\u208b\u2081 + i \u2299 g and h\u209c = o \u2299 tanh(c\u209c).")
    else:
        intro = ("A GRU cell: no separate memory; the update gate z mixes the old state with a candidate n, "
                 "the reset gate r decides how much of it n sees.")
        equations = ("The gates read x\u209c and h\u209c\u208b\u2081; the candidate n sees r \u2299 (W h\u209c\u208b\u2081); "
                     "then h\u209c = (1 \u2212 z) \u2299 n + z \u2299 h\u209c\u208b\u2081.")
    steps = [Step("cell", intro, diagram), Step("equations", equations, tuple(formulas))]
    for k, table in enumerate(tables):
        numbers = sum(c.grid.shape[0] for c in table.columns)
        caption = _lstm_caption(trace, k) if trace.cell == "lstm" else _gru_caption(trace, k)
        steps.append(Step(f"t-{table.t}", caption, (table.id,), numbers))
    steps.append(Step("readout", _readout_caption(trace, classes, name), ("prediction",), 1))
    return Story(tuple(steps))


def _lstm_caption(trace, k: int) -> str:
    t, token = k + 1, int(trace.tokens[k])
    f, i, o = (fmt(trace.gates[name][k].mean()) for name in ("forget", "input", "output"))
    kept = "nothing to forget (c\u2080 = 0)" if t == 1 else f"forget keeps {f} of c{sub(t - 1)}"
    return f"t = {t}, token {token}: {kept}, input writes {i} of g, output shows {o} of tanh(c{sub(t)}) (means)."


def _gru_caption(trace, k: int) -> str:
    t, token = k + 1, int(trace.tokens[k])
    z, r = trace.gates["update"][k].mean(), trace.gates["reset"][k].mean()
    return (f"t = {t}, token {token}: update keeps {fmt(z)} of h{sub(t - 1)} and takes {fmt(1 - z)} from n; "
            f"reset lets {fmt(r)} of h{sub(t - 1)} into n (means).")


def _readout_caption(trace, classes, name) -> str:
    predicted = int(trace.readout[-1].argmax())
    text = (f"After {trace.length} steps the head reads h{sub(trace.length)} and answers "
            f"{class_name(predicted, classes)} (p = {fmt(trace.readout[-1, predicted])})")
    if trace.label < 0:
        return text + "."
    return text + f"; the label is {class_name(trace.label, classes)}."


__all__ = [
    "COLUMNS",
    "GATE_SCALE",
    "GRU_FORMULAS",
    "LSTM_FORMULAS",
    "STATE_SCALE",
    "GatedCellView",
    "StepTable",
    "gated_view",
]
