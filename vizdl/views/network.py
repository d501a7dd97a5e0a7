"""What a network diagram of an MLP shows: one layout, edge colourings, neuron values, legends.

Built from :func:`vizdl.ops.network.network_diagram_data` (a readable subset of each
layer and the values of one input). The layout puts layer ``x_i`` in column ``i`` (the
input image, for image data, left of ``x_0``), an ellipsis ``⋮`` with the number of
neurons not drawn, ``#j`` beside each drawn neuron of a layer that hides some, the class
of each output neuron (in its class colour, the true class marked ``← y``) and ``A_i``
above each layer of edges.

What changes during a story is kept apart from the layout, so the back-propagation and
training views reuse it:

- :class:`EdgeStyle`: the number each drawn edge encodes (``A_i`` or ``dl/dA_i``) on a
  :class:`~vizdl.views.Scale`, its sign as the role, its opacity (the notes: proportional
  to ``|x_{i-1}|``) and width (``|value|``);
- :class:`NeuronValues`: the numbers written in a layer's neurons and the fill scale;
- gradient labels (:func:`gradient_labels`): ``dl/dx_i`` under the neurons.

Views import NumPy only; every number is written by :func:`vizdl.styles.theme.fmt`.

>>> import numpy as np
>>> from vizdl.ops.network import network_diagram_data
>>> rng = np.random.default_rng(0)
>>> w = {"net.1.weight": rng.normal(size=(3, 2)), "net.1.bias": np.zeros(3),
...      "net.3.weight": rng.normal(size=(2, 3)), "net.3.bias": np.zeros(2)}
>>> view = network_view(network_diagram_data(w, [0.5, -1.0], activation="tanh"))
>>> [c.header.text for c in view.layout.columns], len(view.layout.edges)
(['x₀', 'x₁', 'x₂'], 12)
>>> view.values[0].labels[0].label.text, view.layout.label("info-2").label.text
('0.5', '2 · softmax')
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from vizdl.ops.network import edge_opacity, magnitude_limit
from vizdl.styles.theme import fmt
from vizdl.views.base import Edge, Grid, Label, Node, Placed, Scale, Story

#: Layout units (painters scale the whole layout to fit their frame).
COLUMN_GAP = 3.0
NEURON_GAP = 1.0
RADIUS = 0.36
HEADER_GAP = 1.0
IMAGE_SIDE = 3.2
MIN_WIDTH, MAX_WIDTH = 0.5, 3.0
#: Neuron fills use a scale twice the layer's largest value: light colours, readable numbers.
FILL_HEADROOM = 2.0
_SUBSCRIPTS = str.maketrans("0123456789-+i", "₀₁₂₃₄₅₆₇₈₉₋₊ᵢ")
_ACTIVATION_NAMES = {"identity": "linear", "relu": "ReLU", "leaky_relu": "leaky ReLU", "elu": "ELU",
                     "gelu": "GELU", "silu": "swish", "tanh": "tanh", "sigmoid": "sigmoid",
                     "softplus": "softplus", "softmax": "softmax"}


def sub(symbol: str, index) -> str:
    """``sub("x", 3)`` -> ``"x₃"``; ``sub("x", "i-1")`` -> ``"xᵢ₋₁"`` (plain text for captions and labels)."""
    return symbol + str(index).replace("\u2212", "-").translate(_SUBSCRIPTS)


def activation_name(name: str) -> str:
    """How the notes write ``sigma_i`` (``"relu"`` -> ``"ReLU"``)."""
    return _ACTIVATION_NAMES.get(name, name)


def node_id(layer: int, neuron: int) -> str:
    """``"n<layer>.<neuron>"`` (the neuron's index in the whole layer)."""
    return f"n{layer}.{neuron}"


def edge_id(edge: Edge) -> str:
    """``"edge-<source>-<target>"``."""
    return f"edge-{edge.source}-{edge.target}"


def edge_layer(edge: Edge) -> int:
    """``i`` of the edge joining ``x_{i-1}`` to ``x_i``."""
    return int(edge.target[1:].split(".")[0])


def _neuron(node: str) -> int:
    return int(node.split(".")[1])


@dataclass(frozen=True)
class Column:
    """One layer ``x_i`` of the diagram.

    Attributes
    ----------
    index : int
        ``i``.
    x : float
        Horizontal position of the column.
    size : int
        Neurons in the whole layer.
    slots : tuple
        Drawing order, top first: neuron indices, ``None`` where the ellipsis goes.
    activation : str
        ``sigma_i`` (``"input"`` for ``x_0``).
    header : Label
        ``x_i``.
    """

    index: int
    x: float
    size: int
    slots: tuple
    activation: str
    header: Label

    @property
    def shown(self) -> tuple:
        """Indices of the drawn neurons, top first."""
        return tuple(j for j in self.slots if j is not None)

    @property
    def hidden(self) -> int:
        """Neurons not drawn."""
        return self.size - len(self.shown)


@dataclass(frozen=True)
class ImagePanel:
    """The input image of image data, left of ``x_0``, with the pixels drawn as neurons marked.

    Attributes
    ----------
    grid : Grid
        The image's values (grey scale, no text).
    x, y : float
        Centre.
    width, height : float
        In layout units.
    marked : tuple of (row, col, neuron)
        Pixels of the drawn ``x_0`` neurons (role ``"value"`` outline), with their index.
    caption : Label
        Written under the image.
    """

    grid: Grid
    x: float
    y: float
    width: float
    height: float
    marked: tuple
    caption: Label

    def cell_center(self, row: int, col: int) -> tuple:
        """Centre of pixel ``(row, col)`` in layout units."""
        rows, cols = self.grid.shape
        return (self.x - self.width / 2 + (col + 0.5) * self.width / cols,
                self.y + self.height / 2 - (row + 0.5) * self.height / rows)


@dataclass(frozen=True)
class NetworkLayout:
    """Where everything of a network diagram sits; the same for every state of a story.

    Attributes
    ----------
    columns : tuple of Column
    nodes : tuple of Node
        One per drawn neuron (ids :func:`node_id`), no label (values change, see :class:`NeuronValues`).
    edges : tuple of Edge
        Every drawn edge, grey (role ``"muted"``): the diagram before any colouring.
    labels : tuple of Placed
        ``header-<i>`` (``x_i``), ``info-<i>`` (size and ``sigma_i``), ``ellipsis-<i>``,
        ``hidden-<i>`` (``+120``), ``index-<i>.<j>`` (``#j``), ``class-<j>`` (output
        classes, role ``"class j"``), ``weights-<i>`` (``A_i`` over the edges).
    image : ImagePanel or None
    radius : float
    """

    columns: tuple
    nodes: tuple
    edges: tuple
    labels: tuple
    image: ImagePanel | None = None
    radius: float = RADIUS

    def node(self, node: str) -> Node:
        """The node ``node``."""
        return _find(self.nodes, node, "node")

    def label(self, label_id: str) -> Placed:
        """The static label ``label_id``."""
        return _find(self.labels, label_id, "label")

    def layer_edges(self, i: int) -> tuple:
        """The drawn edges joining ``x_{i-1}`` to ``x_i`` (target-major, like ``A_i``'s rows)."""
        return tuple(e for e in self.edges if edge_layer(e) == i)

    @property
    def depth(self) -> int:
        """``L``: the number of weight layers."""
        return len(self.columns) - 1

    def bounds(self) -> tuple:
        """``(xmin, xmax, ymin, ymax)`` of nodes, labels and the image (label extents estimated)."""
        xs = [n.x for n in self.nodes] + [p.x for p in self.labels]
        ys = [n.y for n in self.nodes] + [p.y for p in self.labels]
        if self.image is not None:
            xs += [self.image.x - self.image.width / 2, self.image.x + self.image.width / 2]
            ys += [self.image.y - self.image.height / 2 - 0.6, self.image.y + self.image.height / 2]
        pad = self.radius + 0.3
        return min(xs) - pad, max(xs) + pad + 0.9, min(ys) - pad, max(ys) + pad


def _find(items, item_id, kind):
    for item in items:
        if item.id == item_id:
            return item
    raise KeyError(f"no {kind} {item_id!r}; known: {', '.join(i.id for i in items[:12])}...")


@dataclass(frozen=True)
class EdgeStyle:
    """How one layer's drawn edges look at one moment: the numbers they encode.

    Attributes
    ----------
    layer : int
        ``i``.
    edges : tuple of Edge
        The layer's drawn edges (same order as :meth:`NetworkLayout.layer_edges`), role
        ``"positive"``/``"negative"``/``"zero"`` (the sign), opacity and relative width.
    values : ndarray
        The number each edge encodes (its colour on ``scale``).
    scale : Scale
        Diverging scale of the colours (shared by every layer of a picture).
    meaning : {"weights", "gradients"}
        What the colours encode; the label over the layer says it (``A_i`` or ``dl/dA_i``).
    """

    layer: int
    edges: tuple
    values: np.ndarray
    scale: Scale
    meaning: str = "weights"

    def label(self) -> Label:
        """``A_i`` (muted) or ``∂l/∂A_i`` (gradient role): written over the layer's edges."""
        if self.meaning == "gradients":
            return Label(f"∂l/∂{sub('A', self.layer)}", "gradient")
        return Label(sub("A", self.layer), "muted")


@dataclass(frozen=True)
class NeuronValues:
    """The numbers written in the drawn neurons of one layer and the neurons' fills.

    Attributes
    ----------
    layer : int
    labels : tuple of Placed
        ``value-<i>.<j>`` at each neuron's centre.
    values : ndarray
        One per drawn neuron (same order as ``labels``): the fill's value on ``scale``.
    scale : Scale
        Light diverging scale (:data:`FILL_HEADROOM` times the layer's largest value).
    """

    layer: int
    labels: tuple
    values: np.ndarray
    scale: Scale

    def node_ids(self) -> tuple:
        """The ids of the filled nodes, in the order of ``values``."""
        return tuple("n" + p.id.removeprefix("value-") for p in self.labels)


@dataclass(frozen=True)
class NetworkView:
    """A network diagram of an MLP on one input (what :func:`vizdl.figures.network_diagram` paints).

    Attributes
    ----------
    title : Label
    layout : NetworkLayout
    edges : tuple of EdgeStyle
        One per weight layer, ``A_i`` on one shared scale.
    values : tuple of NeuronValues
        One per layer, ``x_0`` first (``x_L = softmax(z_L)``, the class probabilities).
    legend : tuple of Label
    """

    title: Label
    layout: NetworkLayout
    edges: tuple
    values: tuple
    legend: tuple = field(default_factory=tuple)

    @property
    def scale(self) -> Scale:
        """The edges' colour scale."""
        return self.edges[0].scale


@dataclass(frozen=True)
class NetworkState:
    """What a network diagram shows after one step of a story (keys into a :class:`NetworkStory`).

    Attributes
    ----------
    edges : dict of int -> str
        Layer ``i`` -> key of its :class:`EdgeStyle`; a layer not listed is drawn grey.
    values : dict of int -> str
        Layer ``i`` -> key of the :class:`NeuronValues` written in it (blank if not listed).
    grads : dict of int -> str
        Layer ``i`` -> key of the gradient labels under it.
    legend : str
        Key of the legend (and colour bars) of the edges: ``"weights"``, ``"gradients"``, or
        ``"mixed"`` while some layers show gradients and others weights.
    formulas : tuple of str
        Keys of the formula lines shown (empty: none).
    ring : int or None
        Layer whose neurons are ringed (role ``"value"``): the ``x_{i-1}^T`` of a formula.
    example : str or None
        Id of one edge drawn highlighted (the update's worked example), with its label.
    weights_role : str
        Role of the ``A_i`` labels over the edges (``"focus"`` while the update formula
        refers to them).
    regions : str or None
        Key of the decision regions shown beside the diagram.
    marker : int or None
        Step marked on the loss curve.
    """

    edges: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)
    grads: dict = field(default_factory=dict)
    legend: str = "weights"
    formulas: tuple = ()
    ring: int | None = None
    example: str | None = None
    weights_role: str = "muted"
    regions: str | None = None
    marker: int | None = None

    def but(self, **changes) -> "NetworkState":
        """A copy with ``changes`` (dicts are merged into the current ones)."""
        merged = {k: ({**getattr(self, k), **v} if isinstance(v, dict) else v) for k, v in changes.items()}
        return replace(self, **merged)


@dataclass(frozen=True)
class NetworkStory:
    """A network diagram whose numbers change step by step (back-propagation, a training replay).

    Painters draw :meth:`state` ``(step)`` (figures) or animate from one state to the next
    (scenes); every state refers by key to the styles, numbers and formulas below.

    Attributes
    ----------
    title : Label
    layout : NetworkLayout
    edge_styles : dict of str -> EdgeStyle
    value_sets : dict of str -> NeuronValues
    grad_sets : dict of str -> tuple of Placed
    formulas : dict of str -> Formula
    legends : dict of str -> tuple of Label
        ``"weights"``, ``"gradients"``, ``"mixed"``...
    scales : dict of str -> tuple of Scale
        The colour bars of each legend (fixed for the whole story).
    frame : vizdl.views.boundary.BoundaryFrame or None
        Decision-boundary panel (2-D inputs only).
    regions : dict of str -> vizdl.views.boundary.Regions
    curve : vizdl.views.training.CurveView or None
        The loss curve.
    example : Placed or None
        The label of the highlighted edge (``A_3^{(1,2)}``).
    states : tuple of NetworkState
        One per step of ``story``.
    story : Story
    numbers : dict
        The ops results the numbers come from (for tests and notebooks).
    """

    title: Label
    layout: NetworkLayout
    edge_styles: dict
    value_sets: dict
    grad_sets: dict
    formulas: dict
    legends: dict
    scales: dict
    frame: object
    regions: dict
    curve: object
    example: Placed | None
    states: tuple
    story: Story
    numbers: dict = field(default_factory=dict)

    def state(self, step=-1) -> NetworkState:
        """The state after ``step`` (index, negative from the end, or step name)."""
        return self.states[self.story.index(step)]


def network_layout(data, *, image_shape=None, class_names=None, target: int | None = None,
                   neuron_gap: float = NEURON_GAP, radius: float = RADIUS, aspect: float | None = None) -> NetworkLayout:
    """The layout of a diagram of ``data`` (:class:`vizdl.ops.network.NetworkDiagramData`).

    Parameters
    ----------
    image_shape : tuple, optional
        ``(H, W)`` or ``(C, H, W)`` of image inputs: the input image is drawn left of
        ``x_0`` (one channel) and the drawn pixels marked.
    class_names : sequence of str, optional
        Written beside the output neurons (class indices by default).
    target : int, optional
        The true class ``y``, marked ``← y``.
    neuron_gap : float
        Vertical distance between neurons (larger leaves room for labels under them).
    radius : float
        Neuron radius.
    aspect : float, optional
        Width / height of the area the picture will fill: tall layouts spread their
        columns wider (never closer than :data:`COLUMN_GAP`) to use it.
    """
    rows = max(len(layer.slots) for layer in data.layers)
    top = (rows - 1) / 2 * neuron_gap + radius
    image_w = IMAGE_SIDE + 1.0 if image_shape else 0.0
    gap = COLUMN_GAP
    if aspect is not None and len(data.layers) > 1:
        height = 2 * top + HEADER_GAP + 0.6
        gap = float(np.clip((aspect * height - image_w - 2.0) / (len(data.layers) - 1), COLUMN_GAP, 2.5 * COLUMN_GAP))
    image = _image_panel(data.layers[0], image_shape, radius, gap) if image_shape else None
    columns, nodes, labels = [], [], []
    last = len(data.layers) - 1
    for i, layer in enumerate(data.layers):
        x = i * gap
        slots = tuple(layer.slots)
        columns.append(Column(i, x, layer.size, slots, layer.activation, Label(sub("x", i))))
        ys = ((len(slots) - 1) / 2 - np.arange(len(slots))) * neuron_gap
        for j, y in zip(slots, ys):
            if j is None:
                labels += [Placed(f"ellipsis-{i}", x, float(y), Label("⋮", "muted")),
                           Placed(f"hidden-{i}", x - radius - 0.32, float(y), Label(f"+{layer.hidden}", "muted",
                                                                                     size="small"))]
                continue
            nodes.append(Node(node_id(i, j), x, float(y), radius=radius))
            if layer.hidden and i != last:  # output neurons carry their class instead
                labels.append(Placed(f"index-{i}.{j}", x - radius - 0.32, float(y) + 0.28,
                                     Label(f"#{j}", "muted", size="small")))
        labels += [Placed(f"header-{i}", x, top + HEADER_GAP, columns[-1].header),
                   Placed(f"info-{i}", x, top + 0.45, Label(_info(layer), "muted", size="small"))]
    labels += _weight_names(len(data.layers) - 1, top, gap)
    labels += _class_labels(data.layers[-1], columns[-1], nodes, class_names, target, radius)
    edges = tuple(Edge(node_id(i - 1, int(s)), node_id(i, int(t)), "muted", 0.35, 1.0, arrow=False)
                  for i, e in enumerate(data.edges, start=1) for s, t in zip(e.src, e.dst))
    return NetworkLayout(tuple(columns), tuple(nodes), edges, tuple(labels), image, radius)


def _info(layer) -> str:
    if layer.activation == "input":
        return f"{layer.size} inputs"
    return f"{layer.size} · {activation_name(layer.activation)}"


def _weight_names(depth: int, top: float, gap: float = COLUMN_GAP) -> list:
    return [Placed(f"weights-{i}", (i - 0.5) * gap, top + HEADER_GAP, Label(sub("A", i), "muted"))
            for i in range(1, depth + 1)]


def _class_labels(layer, column, nodes, class_names, target, radius: float = RADIUS) -> list:
    names = [str(j) for j in range(layer.size)] if class_names is None else [str(n) for n in class_names]
    if len(names) != layer.size:
        raise ValueError(f"class_names: {len(names)} names for {layer.size} output neurons")
    where = {n.id: n for n in nodes}
    placed = []
    for j in column.shown:
        node = where[node_id(column.index, j)]
        text = names[j] + ("  ← y" if target is not None and j == int(target) else "")
        placed.append(Placed(f"class-{j}", node.x + radius + 0.2, node.y, Label(text, f"class {j}", size="small")))
    return placed


def _image_panel(layer, image_shape, radius: float = RADIUS, gap: float = COLUMN_GAP) -> ImagePanel:
    shape = tuple(int(s) for s in image_shape)
    height, width = shape[-2:]
    if height * width * (shape[0] if len(shape) == 3 else 1) != layer.size:
        raise ValueError(f"image_shape: {shape} does not hold the {layer.size} input values")
    image = np.asarray(layer.values, dtype=float)[: height * width].reshape(height, width)
    side = IMAGE_SIDE
    panel_w, panel_h = (side, side * height / width) if width >= height else (side * width / height, side)
    x = -(radius + 1.6 + panel_w / 2)  # room for the "#j" of the input neurons
    scale = Scale.spanning(image, kind="grey", label="pixel value")
    grid = Grid.of(image, decimals=None, roles=None, scale=scale)
    marked = tuple((j // width, j % width, j) for j in layer.shown if j < height * width)
    channels = f"{shape[0]}×" if len(shape) == 3 and shape[0] > 1 else ""
    caption = Label(f"x₀: {channels}{height}×{width} image", "muted", size="small")
    return ImagePanel(grid, x, 0.0, panel_w, panel_h, marked, caption)


def edge_style(layout: NetworkLayout, layer: int, matrix, prev_values=None, *, scale: Scale,
               meaning: str = "weights") -> EdgeStyle:
    """The edges of layer ``layer`` encoding ``matrix`` (``A_i`` or ``dl/dA_i``, full shape) on ``scale``.

    ``prev_values`` (``x_{i-1}``, the whole layer) sets the opacities (the notes'
    transparency); without it every edge is opaque. ``meaning`` is ``"weights"`` or
    ``"gradients"``.
    """
    if meaning not in ("weights", "gradients"):
        raise ValueError(f"meaning must be 'weights' or 'gradients', got {meaning!r}")
    matrix = np.asarray(matrix, dtype=np.float64)
    edges = layout.layer_edges(layer)
    src = np.array([_neuron(e.source) for e in edges], dtype=int)
    dst = np.array([_neuron(e.target) for e in edges], dtype=int)
    values = matrix[dst, src]
    opacity = np.ones(len(edges)) if prev_values is None else edge_opacity(prev_values, src)
    width = MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * np.clip(np.abs(values) / scale.vmax, 0.0, 1.0)
    styled = tuple(Edge(e.source, e.target, _sign(v), float(o), float(w), arrow=False)
                   for e, v, o, w in zip(edges, values, opacity, width))
    return EdgeStyle(layer, styled, values, scale, meaning)


def _sign(value: float) -> str:
    return "positive" if value > 0 else "negative" if value < 0 else "zero"


def shared_scale(matrices, label: str) -> Scale:
    """One diverging scale covering every matrix of ``matrices`` (so colours compare across layers and steps)."""
    return Scale("diverging", -max(magnitude_limit(m) for m in matrices), max(magnitude_limit(m) for m in matrices),
                 label)


def fill_scale(values_sets, label: str = "") -> Scale:
    """The light fill scale of a layer over all of its value vectors (:data:`FILL_HEADROOM` x the largest)."""
    limit = FILL_HEADROOM * max(magnitude_limit(v) for v in values_sets)
    return Scale("diverging", -limit, limit, label)


def neuron_values(layout: NetworkLayout, layer: int, values, *, scale: Scale | None = None,
                  decimals: int = 2) -> NeuronValues:
    """The numbers of layer ``layer`` (the whole vector ``x_i``) written in its drawn neurons."""
    values = np.asarray(values, dtype=np.float64).ravel()
    column = layout.columns[layer]
    shown = np.asarray(column.shown, dtype=int)
    nodes = {n.id: n for n in layout.nodes}
    labels = tuple(Placed(f"value-{layer}.{j}", nodes[node_id(layer, j)].x, nodes[node_id(layer, j)].y,
                          Label(fmt(values[j], decimals), size="small")) for j in shown)
    return NeuronValues(layer, labels, values[shown], scale or fill_scale([values]))


def gradient_labels(layout: NetworkLayout, layer: int, values, *, decimals: int = 2,
                    role: str = "gradient", prefix: str = "grad") -> tuple:
    """``dl/dx_i`` (the whole vector) written under the drawn neurons of layer ``layer``."""
    values = np.asarray(values, dtype=np.float64).ravel()
    below = layout.radius + 0.22
    return tuple(Placed(f"{prefix}-{layer}.{j}", n.x, n.y - below, Label(fmt(values[j], decimals), role, size="small"))
                 for j in layout.columns[layer].shown for n in (layout.node(node_id(layer, j)),))


def weight_legend() -> tuple:
    """What the edges mean while they show the weights (the colour bar says the scale)."""
    return (Label("edges: weights Aᵢ", "ink", size="small"),
            Label("red > 0, blue < 0", "ink", size="small"),
            Label("opacity: |xᵢ₋₁| it leaves", "muted", size="small"))


def gradient_legend() -> tuple:
    """What the edges mean while they show the gradient ``dl/dA_i``."""
    return (Label("edges: gradients ∂l/∂Aᵢ", "gradient", size="small"),
            Label("red: weight will decrease", "ink", size="small"),
            Label("blue: weight will increase", "ink", size="small"))


def mixed_legend() -> tuple:
    """What the edges mean while some layers show gradients (labelled ``∂l/∂A_i``) and others weights."""
    return (Label("edges under ∂l/∂Aᵢ: gradients", "gradient", size="small"),
            Label("red: weight will decrease", "ink", size="small"),
            Label("edges under Aᵢ: weights", "ink", size="small"),
            Label("red > 0, blue < 0", "ink", size="small"))


def model_title(sizes, activation: str, dataset: str | None) -> str:
    """``"2-4-4-2 tanh MLP on xor"``."""
    arch = "-".join(str(s) for s in sizes)
    act = f" {activation_name(activation)}" if activation and activation != "input" else ""
    return f"{arch}{act} MLP" + (f" on {dataset}" if dataset else "")


def network_view(data, *, image_shape=None, class_names=None, target: int | None = None, decimals: int = 2,
                 title: str | None = None) -> NetworkView:
    """The view of one input going through an MLP (weights as edges, values in the neurons).

    Parameters
    ----------
    data : vizdl.ops.network.NetworkDiagramData
    image_shape, class_names, target :
        See :func:`network_layout`.
    decimals : int
        Places of the written values.
    title : str, optional
        Default: the architecture (``"2-4-4-2 tanh MLP"``).
    """
    layout = network_layout(data, image_shape=image_shape, class_names=class_names, target=target)
    scale = shared_scale([e.weight for e in data.edges], "weight Aᵢ")
    full = [_full_matrix(e, data.layers[i].size, data.layers[i - 1].size) for i, e in enumerate(data.edges, 1)]
    edges = tuple(edge_style(layout, i, full[i - 1], data.layers[i - 1].values, scale=scale)
                  for i in range(1, len(data.layers)))
    values = tuple(neuron_values(layout, i, layer.values, decimals=decimals) for i, layer in enumerate(data.layers))
    hidden = data.layers[1].activation if len(data.layers) > 2 else ""
    title = title or model_title(data.sizes, hidden, None)
    return NetworkView(Label(title, size="title"), layout, edges, values, weight_legend())


def _full_matrix(edges, rows: int, cols: int) -> np.ndarray:
    """The drawn weights of an :class:`~vizdl.ops.network.EdgeSet` at their places in ``A_i`` (0 elsewhere)."""
    matrix = np.zeros((rows, cols))
    matrix[edges.dst, edges.src] = edges.weight
    return matrix


def image_shape_of(run) -> tuple | None:
    """``(C, H, W)`` of a run's image inputs, ``None`` for vectors."""
    shape = tuple((run.meta.get("dataset") or {}).get("input_shape") or np.shape(run.probe["inputs"])[1:])
    return shape if len(shape) == 3 or (len(shape) == 2 and min(shape) > 1) else None


def class_names_of(run, size: int, max_chars: int = 10) -> list:
    """The run's class names when all are short (at most ``max_chars``), else the class indices."""
    names = list((run.meta.get("dataset") or {}).get("classes") or [])
    if len(names) == size and all(len(str(n)) <= max_chars for n in names):
        return [str(n) for n in names]
    return [str(j) for j in range(size)]


def network_view_at_step(run, step=None, *, sample: int = 0, decimals: int = 2, title: str | None = None,
                         **options) -> NetworkView:
    """:func:`network_view` of probe sample ``sample`` through the weights of ``run`` at ``step``.

    ``options`` go to :func:`vizdl.ops.network.network_at_step` (``max_neurons``,
    ``select``, ``neurons``); the title says the model, data, step and sample.
    """
    from vizdl.ops.network import network_at_step

    step = run.require_step(step)
    data = network_at_step(run, step, sample=sample, **options)
    labels = run.probe["labels"]
    target = int(labels[sample]) if sample < len(labels) else None
    hidden = data.layers[1].activation if len(data.layers) > 2 else ""
    title = title or (f"{model_title(data.sizes, hidden, run.dataset_name)}: step {step}, "
                      f"probe sample {sample} (class {target})")
    view = network_view(data, image_shape=image_shape_of(run), target=target, decimals=decimals, title=title,
                        class_names=class_names_of(run, data.sizes[-1]))
    return view


__all__ = ["COLUMN_GAP", "Column", "EdgeStyle", "ImagePanel", "NEURON_GAP", "NetworkLayout", "NetworkState",
           "NetworkStory", "NetworkView", "NeuronValues", "RADIUS", "activation_name", "class_names_of", "edge_id", "edge_layer", "edge_style",
           "fill_scale", "gradient_labels", "gradient_legend", "image_shape_of", "mixed_legend", "model_title", "network_layout",
           "network_view", "network_view_at_step", "neuron_values", "node_id", "shared_scale", "sub",
           "weight_legend"]
