"""What a CNN architecture diagram shows: one volume per block, in forward order, with its shape.

Built from :func:`vizdl.ops.architecture.architecture_blocks`. A (C, H, W) block is a box
whose height and depth grow with H and W and whose thickness grows with C (log scale, so
3 and 256 channels both read); a vector block is a thin bar whose height grows with its
length. Roles: ``panel`` (input), ``output`` (what a convolution writes, as in the
convolution pictures), ``winner_fill`` (what max-pooling keeps), ``dense`` (fully
connected), ``padding`` (flatten).

>>> from vizdl.ops.architecture import Block
>>> blocks = [Block("input", "", (1, 8, 8), (), 0), Block("conv", "c", (6, 8, 8), ("Conv2d", "ReLU"), 156)]
>>> view = architecture_view(blocks)
>>> [(v.shape_label.text, v.layer_label.text) for v in view.volumes]
[('1×8×8', 'input'), ('6×8×8', 'conv\\n+ ReLU')]
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from vizdl.styles.theme import fmt
from vizdl.views.base import Label, Step, Story

ROLES = {"input": "panel", "conv": "output", "pool": "winner_fill", "dense": "dense", "flatten": "padding"}
SHORT = {"Conv2d": "conv", "Conv1d": "conv", "Conv3d": "conv", "ConvTranspose2d": "transposed conv",
         "MaxPool2d": "max pool", "MaxPool1d": "max pool", "AvgPool2d": "avg pool", "AdaptiveAvgPool2d": "avg pool",
         "AdaptiveMaxPool2d": "max pool", "Linear": "linear", "Flatten": "flatten", "BatchNorm2d": "BN",
         "BatchNorm1d": "BN", "Dropout": "dropout", "Dropout2d": "dropout", "Softmax": "softmax"}
GAP = 0.55
#: Least distance between the left edges of two volumes (room for their labels).
MIN_PITCH = 1.85


@dataclass(frozen=True)
class Volume:
    """One block drawn as a box (``depth > 0``) or a bar.

    Attributes
    ----------
    id : str
    x : float
        Left edge of the front face, in layout units.
    width, height, depth : float
        Thickness (channels), height (H or vector length), oblique depth (W).
    role : str
    shape_label, layer_label : Label
        ``6×14×14`` and ``conv + ReLU``.
    params : int
    """

    id: str
    x: float
    width: float
    height: float
    depth: float
    role: str
    shape_label: Label
    layer_label: Label
    params: int


@dataclass(frozen=True)
class ArchitectureView:
    """The volumes, left to right, and the story (one step per kind of block)."""

    title: str
    volumes: tuple
    story: Story

    def volume(self, volume_id: str) -> Volume:
        """The volume ``volume_id``."""
        for v in self.volumes:
            if v.id == volume_id:
                return v
        raise KeyError(f"no volume {volume_id!r}; known: {', '.join(v.id for v in self.volumes)}")


def shape_text(shape) -> str:
    """``(6, 14, 14)`` -> ``6×14×14``."""
    return "\u00d7".join(str(int(s)) for s in shape)


def layer_text(layers, sep: str = " + ") -> str:
    """``("Conv2d", "BatchNorm2d", "ReLU")`` -> ``conv + BN + ReLU``; empty -> ``input``."""
    return sep.join(SHORT.get(t, t) for t in layers) or "input"


def params_text(count: int) -> str:
    """``62006 parameters``, ``1.92 million parameters``."""
    return f"{fmt(count / 1e6, 2)} million parameters" if count >= 1e6 else f"{fmt(count, 0)} parameters"


def architecture_view(blocks, *, title: str = "") -> ArchitectureView:
    """Volumes for ``blocks`` (:class:`vizdl.ops.architecture.Block`, input first)."""
    spatial = [max(b.shape[1:]) for b in blocks if len(b.shape) == 3] or [1]
    channels = [b.shape[0] for b in blocks if len(b.shape) == 3] or [1]
    lengths = [b.shape[0] for b in blocks if len(b.shape) == 1] or [1]
    x, volumes = 0.0, []
    for k, block in enumerate(blocks):
        width, height, depth = _size(block.shape, max(spatial), max(channels), max(lengths))
        volumes.append(Volume(f"block-{k}", x, width, height, depth, ROLES.get(block.kind, "dense"),
                              Label(shape_text(block.shape), size="small"),
                              Label(layer_text(block.layers, "\n+ "), "muted", size="small"), block.params))
        x += max(width + depth * 0.6 + GAP, MIN_PITCH)
    total = sum(b.params for b in blocks)
    steps = [Step("input", f"The input: {shape_text(blocks[0].shape)}.", ("block-0",), 1)]
    for k, block in enumerate(blocks[1:], start=1):
        steps.append(Step(f"block-{k}", f"{layer_text(block.layers).capitalize()}: "
                          f"{shape_text(blocks[k - 1].shape)} \u2192 {shape_text(block.shape)}"
                          f" ({fmt(block.params, 0)} parameters).", (f"block-{k}",), 3))
    title = title or f"Architecture in forward order ({params_text(total)})"
    return ArchitectureView(title, tuple(volumes), Story(tuple(steps)))


def _size(shape, spatial, channels, length) -> tuple:
    """Layout sizes: log scales so that the smallest and the largest blocks both read."""
    if len(shape) == 3:
        c, h, w = shape
        height = 0.8 + 2.4 * math.log2(1 + h) / math.log2(1 + spatial)
        depth = 0.4 + 1.2 * math.log2(1 + w) / math.log2(1 + spatial)
        width = 0.12 + 0.7 * math.log2(1 + c) / math.log2(1 + channels)
        return width, height, depth
    n = shape[0] if shape else 1
    return 0.18, 0.8 + 2.6 * math.log2(1 + n) / math.log2(1 + length), 0.0


__all__ = ["ArchitectureView", "ROLES", "SHORT", "Volume", "architecture_view", "layer_text", "params_text",
           "shape_text"]
