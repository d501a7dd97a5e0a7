"""What the data-augmentation picture shows: one image and the variants the training loop makes of it.

One row per augmentation (and one with all of them chained, as ``train(augment=...)``
applies them); each draw is a grey :class:`~vizdl.views.Grid` with a caption saying what
the draw did (``mirrored``, ``shift (0, 1)``, ``noise σ 0.05``).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vizdl.styles.theme import fmt
from vizdl.views.base import Grid, Scale, Step, Story

KIND_NAMES = {"flip": "flip", "shift": "shift", "noise": "noise"}


@dataclass(frozen=True)
class AugmentationView:
    """Rows of augmented images.

    Attributes
    ----------
    title : str
    original : Grid
    rows : tuple of (str, tuple of (Grid, str))
        ``(kind, ((image, caption), ...))`` per row.
    scale : Scale
        Shared grey scale of every image: the original's range (noise beyond it is clipped).
    story : Story
    """

    title: str
    original: Grid
    rows: tuple
    scale: Scale
    story: Story


def draw_caption(augmented, k: int) -> str:
    """What draw ``k`` of an :class:`vizdl.ops.techniques.Augmented` did."""
    parts = []
    kinds = augmented.kind.split("+")
    if "flip" in kinds:
        parts.append("mirrored" if augmented.flipped[k] else "not mirrored")
    if "shift" in kinds:
        dy, dx = (int(v) for v in augmented.shifts[k])
        parts.append(f"shift ({fmt(dy)}, {fmt(dx)})")
    if "noise" in kinds:
        parts.append(f"noise \u03c3 {fmt(augmented.noise_std[k], 3)}")
    return "\n".join(parts)


def augmentation_view(image, augmented, *, source: str = "") -> AugmentationView:
    """The view of ``augmented`` (from :func:`vizdl.ops.techniques.augmentations`) of ``image`` (C, H, W)."""
    image = np.asarray(image, dtype=float)
    scale = Scale.spanning(image, "grey", "pixel")
    original = Grid.of(image[0], decimals=None, roles=None, scale=scale)
    rows = tuple((a.kind, tuple((Grid.of(img[0], decimals=None, roles=None, scale=scale), draw_caption(a, k))
                                for k, img in enumerate(a.images))) for a in augmented)
    steps = [Step("original", "A training image, as the data set stores it.", ("original",))]
    for a in augmented:
        name = " + ".join(KIND_NAMES.get(k, k) for k in a.kind.split("+"))
        steps.append(Step(f"row-{a.kind.replace('+', '-')}", f"{name.capitalize()}: {len(a.images)} draws of the "
                          "training loop's own augmentation function.", (f"row-{a.kind}",)))
    title = "Data augmentation as vizdl.train applies it" + (f": {source}" if source else "")
    return AugmentationView(title, original, rows, scale, Story(tuple(steps)))


__all__ = ["AugmentationView", "KIND_NAMES", "augmentation_view", "draw_caption"]
