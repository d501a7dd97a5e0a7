"""Network diagram of an MLP on one input: neuron values, edges coloured by weight.

A painter of :func:`vizdl.views.network.network_view` (the back-propagation and training
scenes paint the same layout): edges red for a positive weight, blue for a negative one on
one scale shown as a colour bar, their opacity following ``|x_{i-1}|`` of the neuron they
leave; neurons filled by their value and showing it; the last layer is ``x_L =
softmax(z_L)``, the class probabilities, each output labelled with its class (the true
class marked ``← y``). Large layers show a readable subset, ``⋮`` and the number of
neurons not drawn; image inputs are drawn left of ``x_0`` with the drawn pixels outlined.
"""
from __future__ import annotations

from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgba
from matplotlib.patches import Circle, Rectangle

from vizdl.figures._run import as_run, new_axes
from vizdl.figures.paint import FONT_SIZES, colorbar, draw_label, theme_for
from vizdl.ops.network import NetworkDiagramData, network_diagram_data
from vizdl.views.network import NetworkView, edge_id, network_view, network_view_at_step

#: Line width (points) of an edge of relative width 1.
EDGE_WIDTH = 1.2
#: A value written in a neuron fills at most this fraction of its diameter.
TEXT_FILL = 0.9


def diagram_view(data, step=None, *, sample: int = 0, x=None, activation=None, class_names=None,
                 decimals: int = 2, title=None, **options) -> NetworkView:
    """The :class:`NetworkView` of a Run/path (at ``step``), a weights dict (+ ``x``) or diagram data.

    For a run, the layers and activations come from its layer graph (any chain of
    ``nn.Linear`` + activations); ``activation`` is needed only for functional ones.
    For a weights dict, ``activation`` defaults to ``"relu"``.
    """
    if isinstance(data, NetworkView):
        return data
    if isinstance(data, dict):
        if x is None:
            raise ValueError("x: give the input vector when data is a weights dict")
        data = network_diagram_data(data, x, activation=activation or "relu", **options)
    if isinstance(data, NetworkDiagramData):
        return network_view(data, class_names=class_names, decimals=decimals, title=title)
    if x is not None:
        raise ValueError("x: not used with a run (choose a probe input with sample=)")
    return network_view_at_step(as_run(data), step, sample=sample, decimals=decimals, title=title,
                                activation=activation, **options)


def network_diagram(data, step=None, *, sample: int = 0, x=None, ax=None, decimals: int = 2,
                    max_neurons: int = 8, select: str = "top", activation=None, class_names=None,
                    title: str | None = None, scale_bar: bool = True):
    """Draw an MLP on one input at a recorded step: values in the neurons, coloured edges.

    Parameters
    ----------
    data : Run, path, dict of arrays, NetworkDiagramData or NetworkView
        A run of an MLP -- any chain of ``nn.Linear`` + activation modules, whatever
        their names (weights at ``step``, probe sample ``sample``) -- or a
        ``state_dict``-style weights dict with ``x`` and ``activation``.
    activation : str or sequence of str, optional
        Hidden activations; for a run only needed when the model applies them
        functionally (``F.relu``), which hooks cannot see.
    step : int, optional
        Recorded step (last by default); another step raises naming the nearest ones.
    decimals : int
        Rounding of the values written in the neurons.
    max_neurons, select :
        Readable subset per layer (see :func:`vizdl.ops.network.select_neurons`).
    class_names : sequence of str, optional
        Written beside the output neurons (for a weights dict; a run uses its classes).
    title : str, optional
        Default: model, data, step and sample.
    scale_bar : bool
        Draw the weight colour bar under the diagram.

    Returns
    -------
    Axes
    """
    view = diagram_view(data, step, sample=sample, x=x, activation=activation, class_names=class_names,
                        decimals=decimals, title=title, max_neurons=max_neurons, select=select)
    ax = new_axes(ax)
    theme = theme_for(ax)
    frame(ax, view.layout)
    paint_network(ax, view.layout, view.edges, view.values, theme)
    ax.set_title(view.title.text, color=theme.color("ink"))
    if scale_bar:
        bar = colorbar(ax, view.scale, theme, orientation="horizontal", location="bottom", shrink=0.45,
                       aspect=30, pad=0.02)
        bar.set_label(f"{view.scale.label} (edge colour); opacity: |xᵢ₋₁|")
    fit_value_text(ax, view.layout)
    return ax


def frame(ax, layout) -> None:
    """Equal-aspect limits around the layout, no ticks or spines."""
    xmin, xmax, ymin, ymax = layout.bounds()
    ax.set_xlim(xmin, xmax)
    ax.set_ylim(ymin, ymax)
    ax.set_aspect("equal")
    ax.axis("off")


def paint_network(ax, layout, edge_styles, value_sets, theme, *, grads=()) -> None:
    """The layout with edges in ``edge_styles`` (grey for layers without one), neuron values and labels."""
    styled = {style.layer: style for style in edge_styles}
    for i in range(1, layout.depth + 1):
        _paint_edges(ax, layout, i, styled.get(i), theme)
    fills = {n: theme.scale_color(v.scale, value) for v in value_sets for n, value in zip(v.node_ids(), v.values)}
    for node in layout.nodes:
        ax.add_patch(Circle((node.x, node.y), node.radius, facecolor=fills.get(node.id, theme.color("background")),
                            edgecolor=theme.color("ink"), lw=1.2, zorder=2, gid=f"node-{node.id}"))
    for placed in [p for v in value_sets for p in v.labels] + list(grads):
        draw_label(ax, placed.x, placed.y, placed.label, theme, zorder=3, gid=placed.id)
    for placed in layout.labels:
        _paint_static(ax, placed, theme)
    if layout.image is not None:
        paint_image(ax, layout.image, theme)


def _paint_edges(ax, layout, i, style, theme) -> None:
    edges = style.edges if style is not None else layout.layer_edges(i)
    where = {n.id: (n.x, n.y) for n in layout.nodes}
    if style is None:
        colors = [to_rgba(theme.color(e.role), e.opacity) for e in edges]
    else:
        colors = [to_rgba(c, e.opacity) for c, e in zip(theme.scale_colors(style.scale, style.values), edges)]
    segments = [(where[e.source], where[e.target]) for e in edges]
    collection = LineCollection(segments, colors=colors, linewidths=[EDGE_WIDTH * e.width for e in edges],
                                zorder=1, gid=f"edges-{i}")
    collection.set_label(",".join(edge_id(e) for e in edges))
    ax.add_collection(collection)


def _paint_static(ax, placed, theme) -> None:
    align = {"class-": ("left", "center"), "index-": ("right", "bottom"), "hidden-": ("right", "center")}
    ha, va = next((v for k, v in align.items() if placed.id.startswith(k)), ("center", "center"))
    size = ("xx-large" if placed.id.startswith("ellipsis-") else "x-small" if placed.id.startswith(("index-", "hidden-"))
            else FONT_SIZES[placed.label.size])
    draw_label(ax, placed.x, placed.y, placed.label, theme, ha=ha, va=va, fontsize=size, zorder=3, gid=placed.id)


def paint_image(ax, panel, theme) -> None:
    """The input image (grey scale) with the pixels drawn as ``x_0`` neurons outlined, and its caption."""
    extent = (panel.x - panel.width / 2, panel.x + panel.width / 2, panel.y - panel.height / 2,
              panel.y + panel.height / 2)
    scale = panel.grid.scale
    ax.imshow(panel.grid.values, cmap=theme.cmap(scale.kind), vmin=scale.vmin, vmax=scale.vmax, extent=extent,
              interpolation="nearest", zorder=1, gid="input-image")
    rows, cols = panel.grid.shape
    w, h = panel.width / cols, panel.height / rows
    for row, col, j in panel.marked:
        cx, cy = panel.cell_center(row, col)
        ax.add_patch(Rectangle((cx - w / 2, cy - h / 2), w, h, fill=False, edgecolor=theme.color("value"), lw=1.5,
                               zorder=2, gid=f"pixel-{j}"))
    ax.add_patch(Rectangle((extent[0], extent[2]), panel.width, panel.height, fill=False,
                           edgecolor=theme.color("ink"), lw=1, zorder=2))
    draw_label(ax, panel.x, extent[2] - 0.35, panel.caption, theme, va="top", gid="image-caption")


def fit_value_text(ax, layout) -> None:
    """Shrink the numbers written in neurons so each fits its circle at the figure's size."""
    from vizdl.figures.paint import _renderer

    renderer = _renderer(ax.figure)
    (x0, y0), (x1, _) = ax.transData.transform([(0, 0), (2 * layout.radius * TEXT_FILL, 0)])
    diameter = x1 - x0
    for text in ax.texts:
        if (text.get_gid() or "").startswith("value-"):
            width = text.get_window_extent(renderer).width
            if width > diameter > 0:
                text.set_fontsize(text.get_fontsize() * diameter / width)


__all__ = ["diagram_view", "frame", "network_diagram", "paint_image", "paint_network"]
