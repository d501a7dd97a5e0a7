"""What the SHAP picture shows: per image, the input and one attribution map per class, with the sums.

Every class panel writes its class, ``E[f]`` (the mean output for that class on the
background set), ``f(x)`` (the model's output for that class) and ``Σφ`` (the sum of the
map), so the reader can check efficiency — ``Σφ = f(x) − E[f]`` — and see
why the predicted class (largest ``f(x)``, framed) need not have the largest ``Σφ``.
Attributions are red towards the class and blue away from it on one diverging scale
for the whole picture (its colour bar). Numbers are :func:`vizdl.styles.theme.fmt`'s.

>>> from vizdl.explain import ShapResult
>>> values = np.zeros((1, 1, 2, 2, 2)); values[0, 0, 0, 0] = [0.5, -0.25]
>>> result = ShapResult(values, np.array([0.1, 0.2]), np.array([[0.6, -0.05]]), np.zeros((1, 2)),
...                     np.zeros((1, 1, 2, 2)), "deep")
>>> view = shap_view(result)
>>> [line.text for line in view.rows[0].panels[1].lines]
['class 1', 'E[f] = 0.2', 'f(x) = −0.05', 'Σφ = −0.25']
>>> [p.predicted for p in view.rows[0].panels]
[True, False]
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vizdl.styles.colors import symmetric_limit
from vizdl.styles.theme import fmt
from vizdl.views.base import Label, Scale
from vizdl.views.matrices import scaled_grid

SIGMA = "\u03a3\u03c6"


@dataclass(frozen=True)
class ShapPanel:
    """One class's attribution map for one image: ``lines`` are the class, ``E[f]``, ``f(x)`` and ``Σφ``."""

    cls: int
    grid: object
    lines: tuple
    predicted: bool


@dataclass(frozen=True)
class ShapRow:
    """One explained image: its input (grey), a title (true and predicted class), its class panels."""

    sample: int
    input: object
    title: Label
    panels: tuple


@dataclass(frozen=True)
class ShapView:
    """The whole SHAP grid.

    Attributes
    ----------
    title : Label
        What was explained, by which explainer.
    subtitle : Label
        How to read the numbers (``Σφ = f(x) − E[f]``, the frame, the colours).
    columns : tuple of Label
        The class names, in the panels' order.
    rows : tuple of ShapRow
    scale : Scale
        The diverging scale of every map (``SHAP value``).
    """

    title: Label
    subtitle: Label
    columns: tuple
    rows: tuple
    scale: Scale


def shap_view(result, *, labels=None, class_names=None, samples=None, classes=None, quantile: float = 0.999,
              decimals: int = 2, limit: int = 8) -> ShapView:
    """The view of image attributions ``result`` (a :class:`vizdl.explain.ShapResult`).

    Parameters
    ----------
    labels : array (N,), optional
        True classes, written with the predicted class above each input.
    class_names : sequence of str, optional
    samples, classes : sequence of int, optional
        Rows and class columns (the first ``limit`` samples, all classes by default).
    quantile : float
        The scale's limit: this quantile of |attribution| over the maps shown (shap's
        ``image_plot`` uses 99.9 %).
    """
    if result.values.ndim not in (4, 5):
        raise ValueError(f"shap_image_grid needs image attributions (N, C, H, W, classes) or (N, H, W, "
                         f"classes), got shape {result.values.shape}; use shap_bar for tabular inputs")
    rows = check_samples(result, samples, limit)
    classes = list(range(result.values.shape[-1])) if classes is None else [int(c) for c in classes]
    maps = {(s, c): _as_image(result.values[s, ..., c]) for s in rows for c in classes}
    limit = symmetric_limit(np.stack(list(maps.values())), quantile)
    scale = Scale("diverging", -limit, limit, "SHAP value")
    columns = tuple(Label(class_name(c, class_names), size="small") for c in classes)
    shown = tuple(_row(result, s, classes, maps, scale, labels, class_names, decimals) for s in rows)
    source = f" of {result.source}" if getattr(result, "source", None) else ""
    step = f", step {result.step}" if result.step is not None else ""
    title = Label(f"SHAP attributions{source}{step} ({result.method} explainer)", size="title")
    subtitle = Label(f"{SIGMA} = sum of the map = f(x) \u2212 E[f]   (E[f]: mean output on the background)\n"
                     "frame: predicted class (largest f(x));  red pushes towards the class, blue away", "muted",
                     size="small")
    return ShapView(title, subtitle, columns, shown, scale)


def _row(result, sample, classes, maps, scale, labels, class_names, decimals) -> ShapRow:
    image = np.asarray(result.inputs[sample], dtype=float)
    grey = image.mean(axis=0) if image.ndim == 3 else image
    predicted = int(result.predicted[sample])
    truth = "" if labels is None else f"true {class_name(np.asarray(labels)[sample], class_names)}\n"
    panels = tuple(ShapPanel(c, scaled_grid(maps[sample, c], scale),
                             (Label(f"class {class_name(c, class_names)}", "muted", size="small"),
                              Label(f"E[f] = {fmt(result.expected_value[c], decimals)}", size="small"),
                              Label(f"f(x) = {fmt(result.outputs[sample, c], decimals)}", size="small"),
                              Label(f"{SIGMA} = {fmt(result.totals[sample, c], decimals)}", size="small")),
                             c == predicted) for c in classes)
    return ShapRow(sample, scaled_grid(grey, Scale.spanning(grey, "grey", label="input")),
                   Label(f"{truth}pred {class_name(predicted, class_names)}", size="small"), panels)


def _as_image(values: np.ndarray) -> np.ndarray:
    """(C, H, W) -> (H, W) by summing channels; (H, W) stays."""
    return values.sum(axis=0) if values.ndim == 3 else values


def check_samples(result, samples, limit: int = 8) -> list:
    """Sample indices to show (the first ``limit`` by default), checked against the result."""
    count = len(result.values)
    chosen = list(range(min(count, limit))) if samples is None else [int(s) for s in np.atleast_1d(samples)]
    bad = [s for s in chosen if not 0 <= s < count]
    if bad or not chosen:
        raise ValueError(f"samples must be indices in [0, {count - 1}], got {bad or chosen}")
    return chosen


def class_name(index, class_names=None) -> str:
    """``class_names[index]``, or the index as text."""
    index = int(index)
    return str(class_names[index]) if class_names is not None else str(index)


__all__ = ["SIGMA", "ShapPanel", "ShapRow", "ShapView", "check_samples", "class_name", "shap_view"]
