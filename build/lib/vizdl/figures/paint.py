"""Matplotlib painters of view elements: labels, formulas, nodes, edges, placed labels, scales.

The counterpart of :mod:`vizdl.anim.paint`: colours come from the theme through each
element's role, strings from the view, font sizes from the active style sheet (relative
sizes ``large``/``medium``/``small``), so a figure follows ``vizdl.styles.use("slides")``
and shows what the scene of the same view shows.
"""
from __future__ import annotations

import numpy as np
from matplotlib.patches import Circle, FancyArrowPatch

from vizdl.styles.theme import for_background

#: Matplotlib's relative font sizes for the view sizes (they follow ``font.size`` of the style).
FONT_SIZES = {"title": "large", "body": "medium", "small": "small"}


def theme_for(ax):
    """The theme matching the Axes' background (light unless a dark style is in use)."""
    return for_background(ax.get_facecolor())


def mathtext(label_or_text, tex: bool | None = None) -> str:
    """Text as Matplotlib writes it: LaTeX wrapped in ``$...$`` (``\\quad`` becomes a wide space)."""
    text = getattr(label_or_text, "text", label_or_text)
    tex = getattr(label_or_text, "tex", False) if tex is None else tex
    return f"${text}$" if tex else text


def draw_label(ax, x: float, y: float, label, theme=None, **kwargs):
    """Write a :class:`vizdl.views.Label` centred at ``(x, y)``; returns the Text artist."""
    theme = theme or theme_for(ax)
    style = dict(ha="center", va="center", color=theme.color(label.role), fontsize=FONT_SIZES[label.size])
    return ax.text(x, y, mathtext(label), **{**style, **kwargs})


def draw_formula(ax, x: float, y: float, formula, theme=None, *, ha: str = "center", va: str = "center",
                 gid: str | None = None, **kwargs):
    """Write a :class:`vizdl.views.Formula` at ``(x, y)``, each part in its role's colour.

    A one-colour formula is one Text; otherwise the parts are packed side by side.
    Returns the artist (Text or AnnotationBbox).
    """
    theme = theme or theme_for(ax)
    size = FONT_SIZES[formula.size]
    if len(set(formula.roles())) == 1:
        return ax.text(x, y, f"${formula.tex}$", ha=ha, va=va, fontsize=size, gid=gid,
                       color=theme.color(formula.parts[0].role), **kwargs)
    from matplotlib.offsetbox import AnnotationBbox, HPacker, TextArea

    areas = [TextArea(f"${p.text}$", textprops=dict(color=theme.color(p.role), fontsize=size)) for p in formula.parts]
    box = HPacker(children=areas, align="baseline", pad=0, sep=4)
    anchor = ({"left": 0.0, "center": 0.5, "right": 1.0}[ha], {"bottom": 0.0, "center": 0.5, "top": 1.0,
                                                              "baseline": 0.0}[va])
    artist = AnnotationBbox(box, (x, y), box_alignment=anchor, frameon=False, pad=0, **kwargs)
    artist.set_gid(gid)
    ax.add_artist(artist)
    return artist


def node_radius_points(scale: float = 2.0) -> float:
    """A node radius in points that fits a label of the style's font size (``scale`` x font size)."""
    from matplotlib import rcParams
    from matplotlib.font_manager import FontProperties

    return scale * FontProperties(size=rcParams["font.size"]).get_size_in_points()


def draw_nodes(ax, nodes, theme=None, *, visible=None, radius_points: float | None = None) -> list:
    """The nodes (``radius=0`` anchors are skipped) with their labels inside.

    With ``radius_points`` the nodes are circle markers of that radius in points (round
    whatever the Axes' aspect); otherwise circles of the nodes' radius in data units.
    """
    theme = theme or theme_for(ax)
    artists = []
    for node in nodes:
        if node.radius == 0 or (visible is not None and node.id not in visible):
            continue
        style = dict(facecolor=theme.color(node.role), edgecolor=theme.color("ink"), zorder=2, gid=f"node-{node.id}")
        if radius_points is None:
            artists.append(ax.add_patch(Circle((node.x, node.y), node.radius, lw=1.5, **style)))
        else:
            artists.append(ax.scatter([node.x], [node.y], s=(2 * radius_points) ** 2, linewidths=1.5, **style))
        if node.label is not None:
            draw_label(ax, node.x, node.y, node.label, theme, zorder=3)
    return artists


def edge_endpoints(edge, nodes: dict) -> tuple:
    """From the source circle's rim to the target circle's rim (layout units)."""
    source, target = nodes[edge.source], nodes[edge.target]
    start, end = np.array([source.x, source.y]), np.array([target.x, target.y])
    direction = (end - start) / np.linalg.norm(end - start)
    return start + direction * source.radius, end - direction * target.radius


def draw_edges(ax, edges, nodes, theme=None, *, visible=None, edge_id=lambda e: f"edge-{e.source}-{e.target}",
               linewidth: float = 1.8, radius_points: float | None = None) -> list:
    """Arrows (or lines) between ``nodes``, coloured by role, with opacity and relative width.

    With ``radius_points`` (nodes drawn as markers) edges run between the node centres and
    stop that many points short of each node; otherwise they end at the circles' rims.
    """
    theme = theme or theme_for(ax)
    by_id = {n.id: n for n in nodes}
    artists = []
    for edge in edges:
        if visible is not None and edge_id(edge) not in visible:
            continue
        if radius_points is None:
            (start, end), shrink = edge_endpoints(edge, by_id), (0.0, 0.0)
        else:
            source, target = by_id[edge.source], by_id[edge.target]
            start, end = (source.x, source.y), (target.x, target.y)
            shrink = tuple(radius_points + 1 if n.radius else 0.0 for n in (source, target))
        artists.append(ax.add_patch(FancyArrowPatch(
            tuple(start), tuple(end), arrowstyle="-|>" if edge.arrow else "-", mutation_scale=16,
            lw=linewidth * edge.width, color=theme.color(edge.role), alpha=edge.opacity, shrinkA=shrink[0],
            shrinkB=shrink[1], zorder=1, gid=edge_id(edge))))
    return artists


def draw_placed(ax, placed, theme=None, *, visible=None, **kwargs) -> list:
    """Write placed labels at their positions (with a background-coloured halo for legibility)."""
    theme = theme or theme_for(ax)
    halo = {"fc": theme.color("background"), "ec": "none", "pad": 0.5, "alpha": 0.85}
    return [draw_label(ax, p.x, p.y, p.label, theme, gid=p.id, zorder=4, bbox=halo, **kwargs)
            for p in placed if visible is None or p.id in visible]


def shrink_to_fit(ax, artists, *, min_size: float = 6.0) -> None:
    """Shrink the fonts of ``artists`` (Text) until none overlaps another or leaves ``ax``.

    Text sizes are in points while layouts are in data units, so a formula that fits a
    wide slide can collide on a narrow handout; this pass makes any size fit.
    """
    artists = [a for a in artists if a is not None]
    if not artists:
        return
    renderer = _renderer(ax.figure)
    while True:
        boxes = [a.get_window_extent(renderer) for a in artists]
        frame = ax.get_window_extent(renderer).expanded(1.02, 1.02)
        clash = any(b.x0 < frame.x0 or b.x1 > frame.x1 or b.y0 < frame.y0 or b.y1 > frame.y1 for b in boxes) or any(
            boxes[i].overlaps(boxes[j]) for i in range(len(boxes)) for j in range(i + 1, len(boxes)))
        size = artists[0].get_fontsize()
        if not clash or size <= min_size:
            return
        for artist in artists:
            artist.set_fontsize(artist.get_fontsize() * 0.9)


def _renderer(figure):
    """A renderer of ``figure`` after its layout is done (an Agg canvas when it has none)."""
    if not hasattr(figure.canvas, "get_renderer"):
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(figure)
    figure.draw_without_rendering()
    return figure.canvas.get_renderer()


def legend_handles(labels, theme) -> list:
    """Legend entries (coloured squares) for role-coloured words."""
    from matplotlib.patches import Patch

    return [Patch(color=theme.color(label.role), label=label.text) for label in labels]


def scale_mappable(scale, theme):
    """A ScalarMappable of a :class:`vizdl.views.Scale` (for ``fig.colorbar``)."""
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize

    return ScalarMappable(Normalize(scale.vmin, scale.vmax), theme.cmap(scale.kind))


def colorbar(ax, scale, theme=None, **kwargs):
    """A colour bar of ``scale`` beside ``ax``, labelled, with the scale's ticks."""
    theme = theme or theme_for(ax)
    bar = ax.figure.colorbar(scale_mappable(scale, theme), ax=ax, **kwargs)
    values, texts = scale.ticks()
    bar.set_ticks(values, labels=texts)
    if scale.label:
        bar.set_label(scale.label)
    return bar


__all__ = ["FONT_SIZES", "colorbar", "draw_edges", "draw_formula", "draw_label", "draw_nodes", "draw_placed",
           "edge_endpoints", "legend_handles", "mathtext", "node_radius_points", "scale_mappable", "shrink_to_fit",
           "theme_for"]
