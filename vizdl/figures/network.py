"""Network diagram of an MLP on one input: neuron values, edges coloured by weight.

Same conventions as :mod:`vizdl.ops.network` (and the Manim scene): an edge is red for a
positive weight, blue for a negative one, its opacity follows ``|x_{i-1}|`` of the neuron
it leaves; neurons are filled by their value (red +, blue -) and show it rounded to
``decimals``. Large layers show at most ``max_neurons`` neurons and a ``⋮`` with the
number of neurons not drawn.
"""
from __future__ import annotations

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgba
from matplotlib.patches import Circle

from vizdl.figures._run import as_run
from vizdl.ops.network import NetworkDiagramData, _colors, network_at_step, network_diagram_data
from vizdl.styles.colors import symmetric_limit

LAYER_GAP = 3.2
RADIUS = 0.36
MAX_EDGE_WIDTH = 3.5


def value_text(value: float, decimals: int = 2) -> str:
    """The text a neuron shows: ``value`` rounded to ``decimals``."""
    text = f"{value:.{decimals}f}"
    return "0." + "0" * decimals if text == "-0." + "0" * decimals else text


def diagram_data(data, step=None, *, sample: int = 0, x=None, activation=None, **options) -> NetworkDiagramData:
    """:class:`NetworkDiagramData` from a Run/path (at ``step``), a weights dict (+ ``x``) or itself.

    For a run, the layers and activations come from its layer graph (any chain of
    ``nn.Linear`` + activations); ``activation`` is needed only for functional ones.
    For a weights dict, ``activation`` defaults to ``"relu"``.
    """
    if isinstance(data, NetworkDiagramData):
        return data
    if isinstance(data, dict):
        if x is None:
            raise ValueError("x: give the input vector when data is a weights dict")
        return network_diagram_data(data, x, activation=activation or "relu", **options)
    return network_at_step(as_run(data), step, sample=sample, x=x, activation=activation, **options)


def _positions(d: NetworkDiagramData) -> list:
    """``{neuron index: (x, y)}`` per layer, plus the ellipsis position under key ``None``."""
    positions = []
    for i, layer in enumerate(d.layers):
        slots = layer.slots
        ys = (len(slots) - 1) / 2 - np.arange(len(slots))
        positions.append({j: (i * LAYER_GAP, y) for j, y in zip(slots, ys)})
    return positions


def _draw_edges(ax, d, positions) -> None:
    for edges in d.edges:
        i = edges.layer
        segs = [(positions[i - 1][s], positions[i][t]) for s, t in zip(edges.src, edges.dst)]
        colors = [to_rgba(c, a) for c, a in zip(edges.color, edges.opacity)]
        widths = 0.6 + (MAX_EDGE_WIDTH - 0.6) * edges.strength
        ax.add_collection(LineCollection(segs, colors=colors, linewidths=widths, zorder=1, gid=f"edges-{i}"))


def _draw_neurons(ax, d, positions, decimals, fontsize) -> None:
    for i, layer in enumerate(d.layers):
        limit = symmetric_limit(layer.values)
        fills = _colors(layer.values[layer.shown], limit)
        for j, fill in zip(layer.shown, fills):
            xy, v = positions[i][int(j)], layer.values[j]
            ax.add_patch(Circle(xy, RADIUS, facecolor=fill, edgecolor="0.15", lw=1.2,
                                zorder=2, gid=f"neuron-{i}-{j}"))
            ink = "white" if abs(v) > 0.6 * limit else "black"
            ax.text(*xy, value_text(v, decimals), ha="center", va="center", fontsize=fontsize, zorder=3,
                    color=ink, gid=f"value-{i}-{j}")
            if layer.hidden:
                ax.text(xy[0] - RADIUS - 0.06, xy[1] + RADIUS * 0.7, f"#{j}", ha="right", va="bottom",
                        fontsize=fontsize - 2, color="0.3", zorder=3, gid=f"index-{i}-{j}",
                        bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.85})
        if layer.ellipsis_at is not None:
            ax.text(*positions[i][None], f"⋮\n+{layer.hidden}", ha="center", va="center",
                    fontsize=fontsize + 1, color="0.3", zorder=3, gid=f"ellipsis-{i}")


def _draw_titles(ax, d, top, fontsize) -> None:
    last = len(d.layers) - 1
    for i, layer in enumerate(d.layers):
        kind = "input" if i == 0 else ("logits" if i == last else layer.activation)
        ax.text(i * LAYER_GAP, top + 0.55, f"$x_{{{i}}}$ ({layer.size})\n{kind}", ha="center", va="bottom",
                fontsize=fontsize + 1, gid=f"title-{i}")


def _draw_probabilities(ax, d, positions, fontsize, class_names) -> None:
    last = len(d.layers) - 1
    for j in d.layers[-1].shown:
        x, y = positions[last][int(j)]
        name = class_names[j] if class_names is not None else str(j)
        ax.text(x + RADIUS + 0.15, y, f"{name}: p={d.probabilities[j]:.2f}", ha="left", va="center",
                fontsize=fontsize, gid=f"prob-{j}")


def network_diagram(data, step=None, *, sample: int = 0, x=None, ax=None, decimals: int = 2,
                    max_neurons: int = 8, select: str = "top", activation=None, class_names=None,
                    fontsize: float = 10, title: str | None = None):
    """Draw an MLP on one input at a recorded step: values on neurons, coloured edges.

    Parameters
    ----------
    data : Run, path, dict of arrays or NetworkDiagramData
        A run of an MLP -- any chain of ``nn.Linear`` + activation modules, whatever
        their names (weights at ``step``, probe sample ``sample`` unless ``x``) -- or a
        ``state_dict``-style weights dict with ``x`` and ``activation``.
    activation : str or sequence of str, optional
        Hidden activations; for a run only needed when the model applies them
        functionally (``F.relu``), which hooks cannot see.
    step : int, optional
        Recorded step (last by default); another step raises naming the nearest ones.
    decimals : int
        Rounding of the values written on neurons.
    max_neurons, select :
        Readable subset per layer (see :func:`vizdl.ops.network.select_neurons`).
    class_names : sequence of str, optional
        Names written next to the output neurons with their softmax probabilities.

    Returns
    -------
    Axes
    """
    d = diagram_data(data, step, sample=sample, x=x, activation=activation, max_neurons=max_neurons,
                     select=select)
    slots = max(len(layer.slots) for layer in d.layers)
    if ax is None:  # no constrained layout: the diagram fills a fixed box (faster)
        from matplotlib.figure import Figure

        ax = Figure(figsize=(2.6 * len(d.layers) + 1.5, 0.62 * slots + 1.8)).add_axes((0.01, 0.01, 0.98, 0.96))
    positions = _positions(d)
    _draw_edges(ax, d, positions)
    _draw_neurons(ax, d, positions, decimals, fontsize)
    top = (slots - 1) / 2 + RADIUS
    _draw_titles(ax, d, top, fontsize)
    _draw_probabilities(ax, d, positions, fontsize, class_names)
    ax.set_xlim(-1.0, (len(d.layers) - 1) * LAYER_GAP + 2.2)
    ax.set_ylim(-top - 0.2, top + 1.45)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title)
    return ax


__all__ = ["diagram_data", "network_diagram", "value_text"]
