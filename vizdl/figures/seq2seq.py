"""The encoder–decoder (seq2seq) transformer diagram, drawn from a real ``nn.Transformer`` (notes Part II §3)."""
from __future__ import annotations

from matplotlib.font_manager import FontProperties
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.path import Path

from vizdl.figures._run import new_axes
from vizdl.figures.paint import FONT_SIZES, _renderer, theme_for
from vizdl.ops.seq2seq import small_transformer, transformer_structure
from vizdl.views.seq2seq import transformer_view

#: Smallest font size (points) the fitting pass shrinks to.
MIN_FONT = 6.0


def transformer_diagram(model=None, *, ax=None, step=-1, title: str = "", src_len: int = 6, tgt_len: int = 5):
    """Draw an encoder–decoder transformer: both stacks, their sublayers, residuals and cross-attention.

    The structure (layers, d_model, heads, d_ff, activation, dropout, ``norm_first``) is read
    from the modules, and the shapes from one traced forward of ``src_len`` source and
    ``tgt_len`` target vectors (see :func:`vizdl.ops.seq2seq.transformer_structure`).

    Parameters
    ----------
    model : nn.Transformer, (nn.TransformerEncoder, nn.TransformerDecoder) or nn.Module, optional
        Default: :func:`vizdl.ops.seq2seq.small_transformer` (d_model 32, 4 heads, 2 + 2 layers).
    ax : Axes, optional
    step : int or str
        Draw what the view's story has revealed up to this step (``-1``: everything).
    title : str, optional
        Default: d_model and the number of layers.
    src_len, tgt_len : int
        Lengths of the traced source and target.

    Returns
    -------
    Axes
    """
    structure = transformer_structure(small_transformer() if model is None else model, trace=True,
                                      src_len=src_len, tgt_len=tgt_len)
    return paint_transformer(transformer_view(structure, title=title), ax=ax, step=step)


def paint_transformer(view, *, ax=None, step=-1):
    """Paint a :class:`vizdl.views.seq2seq.TransformerView` on ``ax`` (a new figure when None)."""
    ax = new_axes(ax)
    theme = theme_for(ax)
    shown = view.story.visible(step)
    inside, beside = [], []
    for box, zorder in [(f, 0) for f in view.frames] + [(b, 2) for b in view.boxes]:
        if box.id in shown:
            patch = _rectangle(ax, box, theme, zorder)
            inside += [(t, patch) for t in _label(ax, box, theme)]
            beside += _detail(ax, box, theme)
    beside += [_text(ax, n.x, n.y, n.label, theme, n.align, n.id) for n in view.notes if n.id in shown]
    x0, x1, y0, y1 = view.bounds()
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.axis("off")
    ax.set_title(view.title.text, color=theme.color(view.title.role), fontsize=FONT_SIZES[view.title.size])
    fit_texts(ax, inside, beside)
    size = inside[0][0].get_fontsize() if inside else FontProperties(size="medium").get_size_in_points()
    for arrow in view.arrows:
        if arrow.id in shown:
            _arrow(ax, arrow, theme, size)
    return ax


def _rectangle(ax, box, theme, zorder: float):
    """A rounded rectangle of ``box``'s role."""
    patch = FancyBboxPatch((box.left, box.bottom), box.width, box.height, boxstyle="round,pad=0,rounding_size=0.08",
                           facecolor=theme.color(box.role), edgecolor=theme.color("cell_stroke"), lw=1,
                           zorder=zorder, gid=box.id)
    return ax.add_patch(patch)


def _label(ax, box, theme) -> list:
    """The label inside ``box`` (in a frame's header), as a list of zero or one Text."""
    if box.label is None:
        return []
    return [_text(ax, box.x, box.y + box.label_dy, box.label, theme, "center", f"{box.id}-label")]


def _detail(ax, box, theme) -> list:
    """The detail beside ``box``, as a list of zero or one Text."""
    if box.detail is None:
        return []
    return [_text(ax, box.detail_x, box.y, box.detail, theme, box.detail_align, f"{box.id}-detail")]


def _text(ax, x, y, label, theme, align: str, gid: str):
    return ax.text(x, y, label.text, ha=align, va="center", color=theme.color(label.role),
                   fontsize=FONT_SIZES[label.size], zorder=3, gid=gid)


def _arrow(ax, arrow, theme, font_size: float):
    """A polyline with a head at its end, coloured by role, sized after the labels' ``font_size`` (points)."""
    codes = [Path.MOVETO] + [Path.LINETO] * (len(arrow.points) - 1)
    width = max(0.8, font_size / 9) * (0.8 if arrow.kind == "residual" else 1.0)
    patch = FancyArrowPatch(path=Path(arrow.points, codes), arrowstyle="-|>", mutation_scale=0.8 * font_size,
                            lw=width,
                            color=theme.color(arrow.role), shrinkA=0, shrinkB=0, zorder=1, gid=arrow.id,
                            joinstyle="miter")
    return ax.add_patch(patch)


def fit_texts(ax, inside, others) -> None:
    """Shrink every font together until each ``(text, patch)`` of ``inside`` fits its patch and no text
    overlaps another or leaves the figure (down to :data:`MIN_FONT` points)."""
    texts = [t for t, _ in inside] + list(others)
    if not texts:
        return
    renderer = _renderer(ax.figure)
    while min(t.get_fontsize() for t in texts) > MIN_FONT and _clash(ax, inside, texts, renderer):
        for text in texts:
            text.set_fontsize(text.get_fontsize() * 0.92)
        renderer = _renderer(ax.figure)


def _clash(ax, inside, texts, renderer) -> bool:
    """A text outside its box, overlapping another text, or outside the figure."""
    for text, patch in inside:
        box, frame = text.get_window_extent(renderer), patch.get_window_extent(renderer)
        if box.width > frame.width * 0.96 or box.height > frame.height * 1.02 or not frame.contains(*box.p0):
            return True
    boxes = [t.get_window_extent(renderer) for t in texts]
    page = ax.figure.bbox
    if any(b.x0 < page.x0 or b.x1 > page.x1 or b.y0 < page.y0 or b.y1 > page.y1 for b in boxes):
        return True
    return any(boxes[i].overlaps(boxes[j]) for i in range(len(boxes)) for j in range(i + 1, len(boxes)))


__all__ = ["fit_texts", "paint_transformer", "transformer_diagram"]
