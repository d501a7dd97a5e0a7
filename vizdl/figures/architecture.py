"""A CNN architecture block diagram drawn from the model itself: one volume per block with its shape."""
from __future__ import annotations

from matplotlib.patches import Polygon

from vizdl.figures._run import new_axes
from vizdl.figures.paint import FONT_SIZES, _renderer, shrink_to_fit, theme_for
from vizdl.ops.architecture import architecture_blocks
from vizdl.views.architecture import architecture_view, params_text

#: The oblique direction of the depth edges (layout units per unit of depth).
SLANT = (0.6, 0.45)


def architecture_diagram(source, *, input_shape=None, ax=None, step=-1, title: str = ""):
    """Draw the blocks of a recorded run (or a model) left to right: conv -> pool -> ... -> linear.

    Parameters
    ----------
    source : vizdl.Run, path or nn.Module
        A run uses the forward order and shapes it recorded; a model is summarised on
        ``input_shape``.
    input_shape : tuple, optional
        Shape of one sample, for a model.
    ax : Axes, optional
    step : int or str
        Draw the blocks revealed up to this step of the view's story (``-1``: all).
    title : str, optional
        Default: the model, the data and the parameter count.

    Returns
    -------
    Axes
    """
    blocks = architecture_blocks(source, input_shape)
    view = architecture_view(blocks, title=title or _title(source, sum(b.params for b in blocks)))
    ax = new_axes(ax)
    theme = theme_for(ax)
    shown = view.story.visible(step)
    top = max(v.height / 2 + v.depth * SLANT[1] for v in view.volumes)
    bottom = -max(v.height / 2 for v in view.volumes)
    layers, shapes = [], []
    for volume in view.volumes:
        if volume.id in shown:
            _volume(ax, volume, theme)
            layers.append(_layer_label(ax, volume, theme, top + 0.25))
            shapes.append(_shape_label(ax, volume, theme, bottom - 0.25))
    right = max(v.x + v.width + v.depth * SLANT[0] for v in view.volumes)
    ax.set_xlim(-0.5, right + 0.5)
    ax.set_ylim(bottom - 1.8, top + 2.6)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(view.title, color=theme.color("ink"))
    _stagger(ax, shapes, drop=0.7)
    shrink_to_fit(ax, layers + shapes)
    return ax


def _stagger(ax, texts, drop: float) -> None:
    """Move every other text down by ``drop`` when neighbours overlap on one line."""
    renderer = _renderer(ax.figure)
    boxes = [t.get_window_extent(renderer) for t in texts]
    if any(a.x1 > b.x0 for a, b in zip(boxes, boxes[1:])):
        for text in texts[1::2]:
            x, y = text.get_position()
            text.set_position((x, y - drop))


def _title(source, params: int) -> str:
    from vizdl.views.compare import NOTES_MODELS

    if hasattr(source, "forward"):
        name = (getattr(source, "vizdl_spec", None) or {}).get("name") or type(source).__name__
        return f"{NOTES_MODELS.get(name, name)}: blocks in forward order ({params_text(params)})"
    from vizdl.views.compare import describe_run

    return f"{describe_run(source).split(',')[0]}: blocks in forward order ({params_text(params)})"


def _faces(v) -> dict:
    """Front, top and side faces of a box (front face centred on y = 0)."""
    x0, x1, y0, y1 = v.x, v.x + v.width, -v.height / 2, v.height / 2
    dx, dy = SLANT[0] * v.depth, SLANT[1] * v.depth
    return {"front": [(x0, y0), (x1, y0), (x1, y1), (x0, y1)],
            "top": [(x0, y1), (x1, y1), (x1 + dx, y1 + dy), (x0 + dx, y1 + dy)],
            "side": [(x1, y0), (x1 + dx, y0 + dy), (x1 + dx, y1 + dy), (x1, y1)]}


def _volume(ax, v, theme) -> None:
    fill, edge = theme.color(v.role), theme.color("cell_stroke")
    for name, corners in _faces(v).items():
        if name != "front" and v.depth == 0:
            continue
        ax.add_patch(Polygon(corners, closed=True, facecolor=fill, edgecolor=edge, lw=1,
                             alpha=1.0 if name == "front" else 0.8, gid=f"{v.id}-{name}"))


def _centre(v) -> float:
    return v.x + (v.width + SLANT[0] * v.depth) / 2


def _layer_label(ax, v, theme, top: float):
    """The folded layers, on one line above every volume."""
    return ax.text(_centre(v), top, v.layer_label.text, ha="center", va="bottom", linespacing=1.1,
                   color=theme.color(v.layer_label.role), fontsize=FONT_SIZES[v.layer_label.size],
                   gid=f"{v.id}-layers")


def _shape_label(ax, v, theme, bottom: float):
    """The output shape, on one line under every volume."""
    return ax.text(_centre(v), bottom, v.shape_label.text, ha="center", va="top",
                   color=theme.color(v.shape_label.role), fontsize=FONT_SIZES[v.shape_label.size],
                   gid=f"{v.id}-shape")


__all__ = ["architecture_diagram"]
