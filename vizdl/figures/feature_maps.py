"""Feature maps and first-layer kernels of a recorded CNN run.

:func:`feature_maps` shows one probe image and, per recorded layer, its channels in a grid
(viridis, one colour scale and one colour bar per layer). :func:`first_layer_kernels`
shows the first convolution's kernels on the diverging map (red > 0, blue < 0, white = 0,
symmetric limits). Both read the run directory only (``run.activations``, ``run.probe``,
``run.weights``)::

    fig = feature_maps(run, layer=["features.0", "features.2"], index=0)
    fig = first_layer_kernels(run)
"""
from __future__ import annotations

import math

import numpy as np

from vizdl.figures._run import as_run, new_figure
from vizdl.ops import layers as run_layers
from vizdl.styles.colors import diverging_cmap, symmetric_limit

PANEL = 1.05          # inches per channel panel
KERNEL_CHANNELS = ("separate", "sum")


def channel_layers(run, step=None) -> list:
    """Recorded layers whose activations have a channel axis ``(N, C, H, W)``, in execution order."""
    run = as_run(run)
    return run_layers.channel_layers(run, step)


def _with_channels(run, acts: dict) -> list:
    return run_layers.channel_layers(run, acts=acts)


def _select_layers(run, acts: dict, layer) -> list:
    with_channels = _with_channels(run, acts)
    if layer is None:
        if not with_channels:
            raise ValueError(f"run {run.path} (model {_model_label(run)!r}) recorded no activations with a "
                             f"channel axis (N, C, H, W); feature maps need a CNN run "
                             f"(e.g. vizdl.models.build('cifar_cnn', ...)) recorded with activations")
        return with_channels
    names = [layer] if isinstance(layer, str) else list(layer)
    for name in names:
        if name not in acts:
            raise KeyError(f"layer {name!r} was not recorded; recorded layers: {sorted(acts)}")
        if np.ndim(acts[name]) != 4:
            raise ValueError(f"layer {name!r} has activations of shape {np.shape(acts[name])} without a "
                             f"channel axis; feature maps need (N, C, H, W); layers with channels: "
                             f"{with_channels}")
    return names


def _check_int(value, name: str, low: int, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low or \
            (high is not None and value > high):
        allowed = f"an integer in [{low}, {high}]" if high is not None else f"an integer >= {low}"
        raise ValueError(f"{name} must be {allowed}, got {value!r}")
    return int(value)


def _grid(count: int, ncols: int | None) -> tuple:
    ncols = min(count, 8) if ncols is None else _check_int(ncols, "ncols", 1)
    return -(-count // ncols), ncols


def _image_axes(subfig, nrows: int, ncols: int, count: int) -> list:
    axes = subfig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
        ax.spines[:].set_visible(True)    # a frame around each map, whatever the style sheet
    for ax in axes[count:]:
        ax.set_visible(False)
    return list(axes[:count])


def _input_image(image: np.ndarray) -> tuple:
    """``(array to show, cmap)``: grey for one channel, RGB (min-max scaled) for three."""
    if image.shape[0] == 1:
        return image[0], "gray"
    if image.shape[0] == 3:
        low, high = float(image.min()), float(image.max())
        return np.moveaxis((image - low) / (high - low if high > low else 1.0), 0, -1), None
    return image[0], "gray"


def module_types(run) -> dict:
    """``{module name: type name}`` from the run's layer graph (or its model summary for older runs)."""
    rows = (run.meta.get("model") or {}).get("summary") or {}
    kinds = {row["name"]: row.get("type", "") for row in rows.get("rows", [])} if isinstance(rows, dict) else {}
    return {**kinds, **{m.name: m.type for m in run.modules if m.type}}


def _draw_input(subfig, run, index: int, ncols: int) -> None:
    inputs, labels = run.probe["inputs"], run.probe.get("labels")
    image = np.asarray(inputs[index])
    shown, cmap = _input_image(image)
    ax = _image_axes(subfig, 1, ncols, 1)[0]
    im = ax.imshow(shown, cmap=cmap, interpolation="nearest")
    ax.set_label("input")
    if cmap is not None:
        subfig.colorbar(im, ax=ax, shrink=0.9)
    label = "" if labels is None else f", label {int(np.asarray(labels)[index])}"
    subfig.suptitle(f"input (probe {index}{label}, {image.shape[0]}×{image.shape[1]}×{image.shape[2]})",
                    fontsize="large")


def _draw_layer(subfig, name: str, kind: str, maps: np.ndarray, shown: int, ncols, cmap: str) -> None:
    vmin, vmax = float(maps.min()), float(maps.max())
    if vmax <= vmin:
        vmax = vmin + 1.0
    nrows, cols = _grid(shown, ncols)
    axes = _image_axes(subfig, nrows, cols, shown)
    for c, ax in enumerate(axes):
        im = ax.imshow(maps[c], cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
        ax.set_label(f"{name}[{c}]")
        ax.set_title(f"ch {c}", fontsize="small", pad=2)
    subfig.colorbar(im, ax=axes, shrink=0.9, aspect=12 * nrows)
    more = f", first {shown} of {len(maps)} channels" if shown < len(maps) else f", {len(maps)} channels"
    kind = f" {kind}" if kind else ""
    subfig.suptitle(f"{name}{kind}  ({maps.shape[1]}×{maps.shape[2]}{more})", fontsize="large")


def feature_maps(run, step=None, *, layer=None, index: int = 0, max_channels: int = 16,
                 ncols: int | None = None, cmap: str = "viridis"):
    """The probe image ``index`` and its feature maps in each recorded layer with channels.

    Parameters
    ----------
    run : Run or path
        A run of a CNN recorded with activations (e.g. ``cifar_cnn``).
    step : int, optional
        Recorded step (the last one by default).
    layer : str or list of str, optional
        Module names (``run.layers``); all recorded layers with ``(N, C, H, W)``
        activations by default, in model order.
    index : int
        Which probe sample (``run.probe["inputs"][index]``).
    max_channels : int
        Show the first ``max_channels`` channels of each layer.
    ncols : int, optional
        Channel panels per row (default ``min(channels, 8)``).
    cmap : str
        Colour map of the feature maps (the input is grey, or RGB for 3 channels).

    Returns
    -------
    Figure
        One row group per layer, titled with the layer name. The channels of a layer share
        one colour scale (the min and max over *all* its channels for this sample, shown
        or not) and one colour bar. Each channel Axes is labelled ``"<layer>[<c>]"``.

    Raises
    ------
    ValueError
        For a step that was not recorded, a layer without a channel axis, a run without
        such layers (not a CNN), or ``index`` / ``max_channels`` out of range.
    KeyError
        For a layer name that was not recorded.
    """
    run = as_run(run)
    step = run.require_step(step)
    acts = run.activations(step)
    names = _select_layers(run, acts, layer)
    index = _check_int(index, "index", 0, len(run.probe["inputs"]) - 1)
    max_channels = _check_int(max_channels, "max_channels", 1)
    shown = [min(acts[n].shape[1], max_channels) for n in names]
    rows = [_grid(s, ncols)[0] for s in shown]
    heights = [1.6] + [PANEL * r + 0.55 for r in rows]
    cols = _grid(max(shown), ncols)[1]
    fig = new_figure((max(PANEL * cols + 1.4, 5.0), sum(heights)))
    subfigs = fig.subfigures(len(heights), 1, height_ratios=heights)
    _draw_input(subfigs[0], run, index, cols)
    kinds = module_types(run)
    for subfig, name, count in zip(subfigs[1:], names, shown):
        _draw_layer(subfig, name, kinds.get(name, ""), np.asarray(acts[name][index]), count, ncols, cmap)
    fig.suptitle(f"Feature maps of {_model_label(run)} at step {step}", fontsize="x-large")
    return fig


def _model_label(run) -> str:
    model = run.meta.get("model") or {}
    return str(model.get("name") or model.get("class") or "the model")


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
        nrows, cols = _grid(len(panels), ncols)
    limit = symmetric_limit(np.stack([p[0] for p in panels])) if limit is None else float(limit)
    fig = new_figure((max(PANEL * cols + 1.4, 4.5), PANEL * nrows + 0.9))
    axes = _image_axes(fig, nrows, cols, len(panels))
    for ax, (data, label, title) in zip(axes, panels):
        im = ax.imshow(data, cmap=diverging_cmap(), vmin=-limit, vmax=limit, interpolation="nearest")
        ax.set_label(label)
        ax.set_title(title, fontsize="small", pad=2)
    fig.colorbar(im, ax=axes, shrink=0.9, label="weight")
    how = "" if w.shape[1] == 1 else ("  (rows: output, columns: input channel)" if channels == "separate"
                                      else "  (summed over input channels)")
    fig.suptitle(f"{name}: {w.shape[0]} kernels {w.shape[2]}×{w.shape[3]}, step {step}{how}", fontsize="large")
    return fig


__all__ = ["channel_layers", "feature_maps", "first_conv_weight", "first_layer_kernels"]
