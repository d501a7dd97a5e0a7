"""Manim mobjects for a recorded CNN's feature maps: an input image and its channels per layer.

The numbers come from a run directory (``run.activations(step)`` on the probe batch);
each layer's channels share one colour scale (viridis), the input is grey.
:func:`digits_run` trains and caches a small CNN on the 8x8 digits when no run is given.
"""
from __future__ import annotations

import math
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
from manim import (DOWN, RIGHT, UP, Arrow, FadeIn, GrowArrow, Group, LaggedStart, Rectangle,
                   VGroup, VMobject)

from vizdl.anim.grid import INK, label

RUN_ENV = "VIZDL_RUN"
CACHE_DIR = Path(".vizdl-cache")
DEFAULT_LAYERS = None  # the first MAX_LAYERS recorded layers with channels, in execution order
MAX_LAYERS = 4
LEVELS = 32


def color_levels(values, vmin: float, vmax: float, levels: int = LEVELS) -> np.ndarray:
    """Index (0 .. levels-1) of each value's colour step between ``vmin`` and ``vmax``."""
    values = np.asarray(values, dtype=float)
    if values.ndim != 2:
        raise ValueError(f"values must be a 2-D map (H, W), got shape {values.shape}")
    span = vmax - vmin if vmax > vmin else 1.0
    return np.clip(((values - vmin) / span * levels).astype(int), 0, levels - 1)


def level_colors(cmap: str = "viridis", levels: int = LEVELS) -> list[str]:
    """Hex colour of each step: ``cmap`` at the step's centre."""
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    return [to_hex(colormaps[cmap]((k + 0.5) / levels)) for k in range(levels)]


def _squares(rows, cols, side: float) -> np.ndarray:
    """Bezier points of unit squares at ``(row, col)``: 4 straight cubic segments each."""
    x, y = cols * side, -rows * side
    corners = np.stack([np.stack([x, y], -1), np.stack([x + side, y], -1),
                        np.stack([x + side, y - side], -1), np.stack([x, y - side], -1)], 1)
    start, end = corners, np.roll(corners, -1, axis=1)  # (n, 4 edges, 2)
    t = np.array([0, 1 / 3, 2 / 3, 1])[:, None]
    points = start[:, :, None] + (end - start)[:, :, None] * t  # (n, 4, 4, 2)
    points = points.reshape(-1, 2)
    return np.column_stack([points, np.zeros(len(points))])


def map_image(values, vmin: float, vmax: float, height: float, cmap: str = "viridis",
              levels: int = LEVELS) -> VGroup:
    """One feature map as coloured pixels (one ``VMobject`` per colour step) and a border.

    The colour of a pixel is ``cmap`` at its step (``levels`` steps from ``vmin`` to
    ``vmax``). The group keeps the raw numbers in ``values`` and the step of every pixel
    in ``levels``. (Pixels are vector squares: ``ImageMobject`` does not render with the
    installed Pillow.)
    """
    steps = color_levels(values, vmin, vmax, levels)
    h, w = steps.shape
    side = height / h
    colors = level_colors(cmap, levels)
    pixels = VGroup()
    for level in np.unique(steps):
        rows, cols = np.nonzero(steps == level)
        patch = VMobject(fill_color=colors[level], fill_opacity=1.0, stroke_width=0)
        patch.points = _squares(rows, cols, side)
        pixels.add(patch)
    border = Rectangle(width=w * side, height=h * side, stroke_color=INK, stroke_width=1.2)
    border.move_to([w * side / 2, -h * side / 2, 0])
    group = VGroup(pixels, border)
    group.values, group.levels = np.asarray(values, dtype=float), steps
    return group


class LayerColumn(Group):
    """The channels of one layer in a grid, one colour scale, with a caption.

    Parameters
    ----------
    maps : array_like, shape (C, H, W)
    title, subtitle : str
        E.g. ``"features.0"`` and ``"Conv2d 1→6, 5×5"``.
    width, height : float
        Box the channel grid must fit in.
    cmap : str

    Attributes
    ----------
    channels : VGroup of map groups (see :func:`map_image`)
    limits : (float, float)
        The shared colour limits (minimum and maximum of the layer).
    """

    def __init__(self, maps, *, title: str, subtitle: str = "", width: float = 2.2,
                 height: float = 4.2, cmap: str = "viridis", **kwargs):
        super().__init__(**kwargs)
        maps = np.asarray(maps, dtype=float)
        if maps.ndim != 3:
            raise ValueError(f"maps must have shape (C, H, W), got shape {maps.shape}")
        self.limits = (float(maps.min()), float(maps.max()))
        cols = 1 if len(maps) <= 3 else 2 if len(maps) <= 8 else 4
        rows = math.ceil(len(maps) / cols)
        gap = 0.08
        side = min((width - gap * (cols - 1)) / cols, (height - gap * (rows - 1)) / rows)
        side *= maps.shape[1] / max(maps.shape[1:])
        self.channels = VGroup(*(map_image(m, *self.limits, side, cmap) for m in maps))
        self.channels.arrange_in_grid(rows=rows, cols=cols, buff=gap)
        c, h, w = maps.shape
        self.caption = Group(label(title, 20), *([label(subtitle, 18)] if subtitle else []),
                             label(f"{c}×{h}×{w}", 18)).arrange(DOWN, buff=0.08)
        self.caption.next_to(self.channels, UP, buff=0.2)
        low, high = (_short(v) for v in self.limits)
        self.range_label = label(f"{low} … {high}", 16).next_to(self.channels, DOWN, buff=0.15)
        self.add(self.channels, self.caption, self.range_label)


def _short(value: float) -> str:
    return f"{value:.2g}".replace("-", "\u2212")


def describe(module) -> str:
    """Short description of a layer: ``Conv2d 1→6, 5×5``, ``MaxPool 2×2``, ``ReLU``..."""
    kind = type(module).__name__
    if kind == "Conv2d":
        k = module.kernel_size
        pad = f", p{module.padding[0]}" if any(module.padding) else ""
        return f"Conv2d {module.in_channels}→{module.out_channels}, {k[0]}×{k[1]}{pad}"
    if kind in ("MaxPool2d", "AvgPool2d"):
        k = module.kernel_size if isinstance(module.kernel_size, int) else module.kernel_size[0]
        return f"{kind[:-2]} {k}×{k}"
    return kind


class FeatureMapsDiagram(Group):
    """An input image and the feature maps of the given layers, left to right.

    Parameters
    ----------
    image : array_like, shape (C, H, W)
        The input (its first channel is drawn, grey).
    activations : dict of str to array_like (C, H, W)
        Feature maps of one sample per layer name.
    layers : sequence of str
        Layer names to draw, in order.
    descriptions : dict of str to str, optional
        Subtitle per layer (see :func:`describe`).
    caption : str
        Caption of the input (e.g. its class).
    """

    def __init__(self, image, activations: dict, layers, *, descriptions=None,
                 caption: str = "input", **kwargs):
        super().__init__(**kwargs)
        missing = [name for name in layers if name not in activations]
        if missing:
            raise ValueError(f"layers {missing} have no recorded activations; "
                             f"allowed: {sorted(activations)}")
        image = np.asarray(image, dtype=float)
        descriptions = descriptions or {}
        self.input = LayerColumn(image[:1], title=caption, width=1.9, height=1.9, cmap="gray")
        width = min(2.4, 10.6 / max(1, len(layers)) - 0.5)
        self.columns = Group(*(LayerColumn(activations[name], title=name, width=width,
                                           subtitle=descriptions.get(name, ""))
                               for name in layers))
        self.add(self.input, *self.columns)
        self.arrange(RIGHT, buff=0.7)
        self.scale(min(1.15, 13.4 / self.width))
        for column in self:
            column.shift((-0.4 - column.channels.get_y()) * UP)
        self.set_x(0)
        self.arrows = Group(*(Arrow(a.channels.get_right(), b.channels.get_left(), buff=0.08,
                                    color=INK, stroke_width=3, max_tip_length_to_length_ratio=0.3)
                              for a, b in zip([self.input, *self.columns], self.columns)))

    def animate_steps(self):
        """Yield the ``play`` lists: the input, then per layer an arrow and its channels one by one."""
        yield [FadeIn(self.input, run_time=0.6)]
        for arrow, column in zip(self.arrows, self.columns):
            yield [GrowArrow(arrow), FadeIn(column.caption), FadeIn(column.range_label)]
            yield [LaggedStart(*(FadeIn(m) for m in column.channels), lag_ratio=0.35,
                               run_time=min(2.0, 0.4 + 0.1 * len(column.channels)))]


def from_run(run, *, layers=DEFAULT_LAYERS, sample: int = 0, step: int | None = None
             ) -> FeatureMapsDiagram:
    """A :class:`FeatureMapsDiagram` of probe sample ``sample`` at ``step`` (last by default).

    ``layers`` defaults to the first :data:`MAX_LAYERS` recorded layers whose outputs
    have channels ``(N, C, H, W)``, in the order forward runs them.
    """
    from vizdl.ops.layers import channel_layers

    if step is None:
        step = run.steps[-1]
    else:
        run.require_step(step)
    acts = run.activations(step)
    with_channels = channel_layers(run, acts=acts)
    layers = with_channels[:MAX_LAYERS] if layers is None else [name for name in layers if name in acts]
    if not layers:
        raise ValueError(f"run {run.path}: no recorded layer with channels (N, C, H, W) to show; recorded "
                         f"layers with channels: {with_channels}")
    inputs, labels = run.probe["inputs"], run.probe["labels"]
    if not 0 <= sample < len(inputs):
        raise ValueError(f"sample must be in [0, {len(inputs)}), got {sample!r}")
    descriptions = _descriptions(run, step, layers)
    return FeatureMapsDiagram(inputs[sample], {n: acts[n][sample] for n in layers}, layers,
                              descriptions=descriptions, caption=f"input (label {labels[sample]})")


def _descriptions(run, step, layers) -> dict:
    if not run.can_rebuild:
        return {}
    try:
        modules = dict(run.model(step).named_modules())
    except (ValueError, KeyError):
        return {}
    return {name: describe(modules[name]) for name in layers if name in modules}


def digits_run(cache_dir=None, *, epochs: int = 5, seed: int = 0):
    """The run of ``$VIZDL_RUN``, or a small CNN trained on the 8x8 digits and cached.

    The cache (``.vizdl-cache/feature_maps_digits``) is written to a temporary folder and
    renamed when complete, so an interrupted training leaves no half run behind.
    """
    import vizdl

    if os.environ.get(RUN_ENV):
        return vizdl.Run.open(os.environ[RUN_ENV])
    path = Path(cache_dir or CACHE_DIR) / "feature_maps_digits"
    if (path / "run.json").exists():
        return vizdl.Run.open(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="feature_maps_", dir=path.parent))
    try:
        data = vizdl.data.load("digits")
        model = vizdl.models.build("cifar_cnn", data=data, seed=seed)
        spec = vizdl.RecordSpec(every=None, per_epoch=True, grads=False, probe_size=8,
                                activations=["features.*"])
        vizdl.train(model, data, epochs=epochs, lr=0.01, optimizer="adam", batch_size=64,
                    seed=seed, record=spec, out=tmp / "run", quiet=True)
        (tmp / "run").rename(path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return vizdl.Run.open(path)


__all__ = ["FeatureMapsDiagram", "LayerColumn", "map_image", "color_levels", "level_colors", "describe", "from_run",
           "digits_run", "DEFAULT_LAYERS", "MAX_LAYERS", "RUN_ENV"]
