"""One neuron term by term, and an image flattened into ``x_0`` (notes 000/001), from a recorded run."""
from __future__ import annotations

import numpy as np

from vizdl.figures._run import as_run, new_axes, new_figure
from vizdl.figures.paint import (
    FONT_SIZES,
    draw_edges,
    draw_formula,
    draw_nodes,
    draw_placed,
    theme_for,
)
from vizdl.ops.neuron import flatten_image, neuron_terms, probe_image
from vizdl.views.neuron import flattening_view, neuron_view


def paint_neuron(view, *, ax=None, step=-1):
    """Draw a :class:`vizdl.views.neuron.NeuronView` as it stands after ``step``; returns the Axes."""
    ax = new_axes(ax)
    theme = theme_for(ax)
    shown = view.story.visible(step) | {"formula"} if step == -1 else view.story.visible(step)
    nodes = [n for n in view.nodes if n.id in shown]
    draw_edges(ax, view.edges, view.nodes, theme, visible=shown)
    draw_nodes(ax, nodes, theme)
    draw_placed(ax, view.placed, theme, visible=shown)
    low = min(n.y for n in view.nodes) - 0.6
    if "formula" in shown:
        draw_formula(ax, 3.0, low - 0.7, view.formula, theme, gid="formula")
    if view.hidden:
        ax.text(0.0, low, f"+ {view.hidden} more inputs", ha="center", va="top", color=theme.color("muted"),
                fontsize=FONT_SIZES["small"], gid="hidden")
    ax.set_xlim(-1.5, 7.0)
    ax.set_ylim(low - 1.2, max(n.y for n in view.nodes) + 0.8)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title(view.title, color=theme.color("ink"))
    return ax


def neuron_anatomy(run, step=None, *, layer=None, neuron: int | None = None, sample: int = 0, max_inputs: int | None = 6,
                   ax=None, story_step=-1):
    """Inputs, weights, weighted sum and activation of one neuron of a recorded MLP on one probe input.

    Parameters
    ----------
    run : Run or path
        A recorded MLP (``nn.Linear`` + activations).
    step : int, optional
        Recorded step (the last by default).
    layer : int or str, optional
        Linear layer: position ``i`` (1 = first) or module name; the second by default.
    neuron : int, optional
        ``k``, from 0 (default: the layer's most active neuron on this input).
    sample : int
        Probe input.
    max_inputs : int or None
        Inputs written out (the largest ``|A x|`` terms; ``None``: all).
    ax : Axes, optional
    story_step : int or str
        State after this step of the story (``-1``: all).

    Returns
    -------
    Axes
    """
    terms = neuron_terms(as_run(run), step, layer=layer, neuron=neuron, sample=sample)
    return paint_neuron(neuron_view(terms, max_inputs=max_inputs), ax=ax, step=story_step)


def paint_flattening(view, *, step=-1):
    """Draw a :class:`vizdl.views.neuron.FlatteningView`: the image grid above, ``x_0`` below; returns the Figure."""
    fig = new_figure()
    top, bottom = fig.subplots(2, 1, height_ratios=(3, 1))
    theme = theme_for(top)
    shown = view.story.visible(step)
    _paint_grid(top, view.image, theme, gid="image")
    height, width = view.image.shape
    for r, role in enumerate(view.row_roles):
        top.plot([-0.75, -0.75], [r - 0.45, r + 0.45], color=theme.color(role), lw=4, gid=f"row-{r}",
                 clip_on=False)
    top.set_title(view.title, color=theme.color("ink"))
    if {"vector", "rows"} & shown:
        _paint_grid(bottom, view.vector, theme, gid="vector", rotate=True)
        for r, role in enumerate(view.row_roles):
            bottom.plot([r * width - 0.4, (r + 1) * width - 0.6], [1.0, 1.0], color=theme.color(role), lw=4,
                        gid=f"span-{r}", clip_on=False)
            bottom.text((r + 0.5) * width - 0.5, 1.15, f"row {r + 1}", ha="center", va="top",
                        color=theme.color(role), fontsize=FONT_SIZES["small"])
        bottom.set_title(f"$x_0$: the rows laid end to end ({height * width} numbers)", color=theme.color("ink"))
        if view.formula is not None:
            draw_formula(bottom, 0.5, -0.55, view.formula, theme, va="top", gid="vector-formula",
                         transform=bottom.transAxes)
    else:
        bottom.set_axis_off()
    return fig


def _paint_grid(ax, grid, theme, *, gid: str, rotate: bool = False) -> None:
    cmap = theme.cmap(grid.scale.kind)
    ax.imshow(grid.values, cmap=cmap, vmin=grid.scale.vmin, vmax=grid.scale.vmax, gid=gid, aspect="auto")
    size = FONT_SIZES["small"] if not rotate else "xx-small"
    rows, cols = grid.shape
    stroke = {"color": theme.color("cell_stroke"), "lw": 0.4}
    for c in range(cols + 1):
        ax.plot([c - 0.5, c - 0.5], [-0.5, rows - 0.5], **stroke)
    for r in range(rows + 1):
        ax.plot([-0.5, cols - 0.5], [r - 0.5, r - 0.5], **stroke)
    for (r, c), text in np.ndenumerate(grid.texts):
        ax.text(c, r, text, ha="center", va="center", color=theme.color(grid.inks[r, c]), fontsize=size,
                rotation=90 if rotate else 0, gid=f"{gid}-text-{r}-{c}")
    if grid.row_labels:
        ax.set_yticks(range(len(grid.row_labels)), labels=grid.row_labels)
        ax.set_xticks(range(len(grid.col_labels)), labels=grid.col_labels)
        ax.tick_params(length=0)
        ax.set_aspect("equal")
    else:
        ax.set_yticks([])
        ax.set_xticks([])
    for side in ax.spines.values():
        side.set_visible(False)


def image_flattening(run=None, *, sample: int = 0, image=None, decimals: int = 1, step=-1):
    """A digit as a grid of numbers and the vector ``x_0`` its rows make, as the network receives it.

    Parameters
    ----------
    run : Run or path, optional
        A run on grey images: its probe input ``sample`` is shown.
    sample : int
    image : array (H, W), optional
        An image instead of a run's probe input.
    decimals : int
        Places of the written numbers.
    step : int or str
        State after this step of the story.

    Returns
    -------
    Figure
    """
    if image is None:
        if run is None:
            raise ValueError("run: give a run on grey images or an image")
        image, label = probe_image(as_run(run), sample)
    else:
        label = None
    return paint_flattening(flattening_view(flatten_image(image), label=label, decimals=decimals), step=step)


__all__ = ["image_flattening", "neuron_anatomy", "paint_flattening", "paint_neuron"]
