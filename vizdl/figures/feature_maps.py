"""Feature maps and first-layer kernels of a recorded CNN run.

:func:`feature_maps` paints :func:`vizdl.views.feature_maps.feature_maps_view` (the same
view the feature-maps scene plays): the probe image, then per layer (in execution order)
its channels in rows of panels on one sequential scale with its colour bar, and the
model's prediction; the title names the model, the data and the step.
:func:`first_layer_kernels` shows the first convolution's kernels on the diverging scale
(red > 0, blue < 0, white = 0, symmetric limits). Both read the run directory only::

    fig = feature_maps(run, layer=["features.0", "features.2"], index=0)
    fig = first_layer_kernels(run)
"""
from __future__ import annotations

import numpy as np

from vizdl.figures._run import as_run, new_figure
from vizdl.figures.matrix import draw_grid, scale_colorbar, wrap
from vizdl.figures.paint import FONT_SIZES
from vizdl.ops import feature_maps as fm_ops
from vizdl.ops import layers as run_layers
from vizdl.styles.theme import for_background
from vizdl.views.base import Scale
from vizdl.views.feature_maps import feature_maps_view
from vizdl.views.matrices import scaled_grid
from vizdl.views.runs import run_context

KERNEL_CHANNELS = ("separate", "sum")
#: Channel panels per row by default.
COLUMNS = 8


def channel_layers(run, step=None) -> list:
    """Recorded layers whose activations have a channel axis ``(N, C, H, W)``, in execution order."""
    run = as_run(run)
    return fm_ops.channel_layers(run, step)


def feature_maps(run, step=None, *, layer=None, index: int = 0, max_channels: int = 16, ncols: int | None = None):
    """The probe image ``index`` and its feature maps in each recorded layer with channels.

    Parameters
    ----------
    run : Run or path
        A run of a CNN recorded with activations (e.g. ``cifar_cnn``).
    step : int, optional
        Recorded step (the last one by default).
    layer : str or list of str, optional
        Module names (``run.layers``); all recorded layers with ``(N, C, H, W)``
        activations by default, in execution order.
    index : int
        Which probe sample (``run.probe["inputs"][index]``).
    max_channels : int
        Show the first ``max_channels`` channels of each layer.
    ncols : int, optional
        Channel panels per row (default up to 8; a layer's channels wrap into rows).

    Returns
    -------
    Figure
        One subfigure per layer after the input's, titled with the layer, what it is and
        its shape. The channels of a layer share one colour scale (the min and max over
        *all* its channels for this sample, shown or not) and one colour bar. Each channel
        Axes is labelled ``"<layer>[<c>]"``; the input's ``"input"``.

    Raises
    ------
    ValueError
        For a step that was not recorded, a layer without a channel axis, a run without
        such layers (not a CNN), or ``index`` / ``max_channels`` / ``ncols`` out of range.
    KeyError
        For a layer name that was not recorded.
    """
    run = as_run(run)
    step = run.require_step(step)
    view = feature_maps_view(run, layers=layer, sample=index, step=step, max_channels=max_channels)
    shapes = [wrap(len(layer.channels), ncols, COLUMNS) for layer in view.layers]
    cols = max(c for _, c in shapes)
    heights = [1.45] + [rows + 0.45 for rows, _ in shapes]
    fig = _sized_figure(cols, sum(heights) + 0.6)
    theme = for_background(fig.get_facecolor())
    subfigs = fig.subfigures(len(heights), 1, height_ratios=heights)
    _draw_input(subfigs[0], view, theme, cols)
    for subfig, layer_maps, (rows, _) in zip(subfigs[1:], view.layers, shapes):
        _draw_layer(subfig, layer_maps, rows, cols, theme)
    fig.suptitle(view.title.text, color=theme.color("ink"))
    fig.supxlabel(view.prediction.text, color=theme.color(view.prediction.role))
    return fig


def _sized_figure(cols: int, rows: float):
    """The style's width; one row of panels is one panel high (plus titles)."""
    from matplotlib import rcParams

    width = float(rcParams["figure.figsize"][0])
    return new_figure((width, rows * width / (cols + 1.2) * 0.95))


def _draw_input(subfig, view, theme, cols: int) -> None:
    axes = subfig.subplots(1, cols, squeeze=False)[0]
    ax = axes[0]
    if view.input_rgb is not None:
        ax.imshow(view.input_rgb, interpolation="nearest")
        ax.set_xticks([]), ax.set_yticks([])
    else:
        draw_grid(ax, view.input, theme, labels=False)
        scale_colorbar(subfig, view.input.scale, theme, ax=list(axes), shrink=0.9)
    ax.set_label("input")
    for spine in ax.spines.values():
        spine.set(visible=True, edgecolor=theme.color("cell_stroke"))
    for other in axes[1:]:
        other.set_visible(False)
    subfig.suptitle(f"{view.input_title.text}   ({view.input_shape.text})", color=theme.color("ink"))


def _draw_layer(subfig, layer, rows: int, cols: int, theme) -> None:
    axes = subfig.subplots(rows, cols, squeeze=False).ravel()
    for c, (ax, grid, label) in enumerate(zip(axes, layer.channels, layer.channel_labels)):
        draw_grid(ax, grid, theme, labels=False)
        ax.set_label(f"{layer.id}[{c}]")
        ax.set_title(f"ch {label.text}", fontsize=FONT_SIZES["small"], color=theme.color(label.role), pad=2)
        for spine in ax.spines.values():
            spine.set(visible=True, edgecolor=theme.color("cell_stroke"))
    for ax in axes[len(layer.channels):]:
        ax.set_visible(False)
    scale_colorbar(subfig, layer.scale, theme, ax=list(axes[:len(layer.channels)]), shrink=0.9, aspect=12 * rows)
    what = " \u00b7 ".join(t for t in (layer.title.text, layer.description.text, layer.shape.text) if t)
    subfig.suptitle(what, color=theme.color("ink"))


def first_conv_weight(run, step=None) -> tuple:
    """``(parameter name, weights (C_out, C_in, kh, kw))`` of the first 2-D convolution forward runs."""
    return run_layers.first_conv(as_run(run), step)


def first_layer_kernels(run, step=None, *, channels: str = "separate", ncols: int | None = None,
                        limit: float | None = None):
    """The first convolution's kernels on the diverging map (red > 0, blue < 0, white = 0).

    Parameters
    ----------
    run : Run or path
    step : int, optional
        Recorded step (the last one by default).
    channels : {"separate", "sum"}
        For several input channels (RGB): ``"separate"`` draws one row per output channel
        and one column per input channel (``kernel[o, i]``); ``"sum"`` draws
        ``kernel[o].sum(axis=0)``, the kernel a grey input (equal channels) sees. A
        single-channel input always shows one panel per kernel.
    ncols : int, optional
        Panels per row when there is one panel per kernel (default ``min(C_out, 8)``).
    limit : float, optional
        Colour limits ``(-limit, limit)``; by default the largest ``|w|`` shown.

    Returns
    -------
    Figure
        One colour bar; each panel Axes is labelled ``"<param>[o]"`` or ``"<param>[o, i]"``.
    """
    run = as_run(run)
    step = run.require_step(step)
    if channels not in KERNEL_CHANNELS:
        raise ValueError(f"channels must be one of {KERNEL_CHANNELS}, got {channels!r}")
    name, w = first_conv_weight(run, step)
    if w.shape[1] > 1 and channels == "separate":
        panels = [(w[o, i], f"{name}[{o}, {i}]", f"out {o}, in {i}")
                  for o in range(w.shape[0]) for i in range(w.shape[1])]
        nrows, cols = w.shape[0], w.shape[1]
    else:
        maps = w[:, 0] if w.shape[1] == 1 else w.sum(axis=1)
        suffix = "" if w.shape[1] == 1 else ".sum(in)"
        panels = [(maps[o], f"{name}[{o}]{suffix}", f"kernel {o}") for o in range(w.shape[0])]
        nrows, cols = wrap(len(panels), ncols, COLUMNS)
    values = np.stack([p[0] for p in panels])
    scale = Scale.symmetric(values, label="weight") if limit is None else Scale("diverging", -float(limit),
                                                                                 float(limit), "weight")
    fig = _sized_figure(cols, nrows + 0.8)
    theme = for_background(fig.get_facecolor())
    axes = fig.subplots(nrows, cols, squeeze=False).ravel()
    for ax, (data, label, title) in zip(axes, panels):
        draw_grid(ax, scaled_grid(data, scale), theme, labels=False)
        ax.set_label(label)
        ax.set_title(title, fontsize=FONT_SIZES["small"], color=theme.color("ink"), pad=2)
        for spine in ax.spines.values():
            spine.set(visible=True, edgecolor=theme.color("cell_stroke"))
    for ax in axes[len(panels):]:
        ax.set_visible(False)
    scale_colorbar(fig, scale, theme, ax=list(axes[:len(panels)]), shrink=0.9)
    how = "" if w.shape[1] == 1 else ("  (rows: output, columns: input channel)" if channels == "separate"
                                      else "  (summed over input channels)")
    source = run_context(run).source()
    fig.suptitle(f"First-layer kernels of {source}, step {step}\n{name}: {w.shape[0]} kernels "
                 f"{w.shape[2]}\u00d7{w.shape[3]}{how}", color=theme.color("ink"))
    return fig


__all__ = ["channel_layers", "feature_maps", "first_conv_weight", "first_layer_kernels"]
