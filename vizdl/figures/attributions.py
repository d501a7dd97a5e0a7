"""SHAP attributions (the notes' MNIST figure): which pixels push an image towards each class.

:func:`shap_image_grid` paints :func:`vizdl.views.attributions.shap_view`: per image the
input, then one map per class (red pushes the class's output up, blue down, white 0, one
diverging scale and colour bar), each class column headed by its ``E[f]`` and each panel
titled with ``f(x)`` and ``Σφ`` (so ``Σφ = f(x) − E[f]`` can be checked and the framed
predicted class is the one with the largest ``f(x)``). For 2-D or tabular inputs
:func:`shap_bar` draws one bar per feature::

    result = vizdl.explain.shap_values(run, data.x_train[:100], data.x_test[:4])
    fig = shap_image_grid(result, labels=data.y_test[:4])
    ax = shap_bar(result, sample=0, feature_names=["x1", "x2"])
"""
from __future__ import annotations

import math

import numpy as np

from vizdl.figures._run import new_axes
from vizdl.figures.matrix import draw_grid, panel_figure, scale_colorbar
from vizdl.figures.paint import FONT_SIZES, theme_for
from vizdl.styles.theme import fmt
from vizdl.views.attributions import check_samples, class_name, shap_view

#: Bars drawn at most by :func:`shap_bar` (the largest |attributions|).
MAX_BARS = 20


def shap_image_grid(result, *, labels=None, class_names=None, samples=None, classes=None, quantile: float = 0.999,
                    ncols: int | None = None):
    """Per image: the input, then one attribution map per class titled with ``E[f]``, ``f(x)`` and ``Σφ``.

    Parameters
    ----------
    result : vizdl.explain.ShapResult
        Attributions of image inputs, ``values`` of shape ``(N, C, H, W, classes)``.
    labels : array (N,), optional
        True classes, shown with the predicted class above each input.
    class_names : sequence of str, optional
    samples, classes : sequence of int, optional
        Rows and class columns to draw (the first 8 samples, all classes by default).
    quantile : float
        Colour limit: this quantile of |attribution| over the maps shown (shap's ``image_plot``
        uses 99.9 %).
    ncols : int, optional
        Class panels per line (default: as many as the style's width holds; an image's
        classes wrap onto several lines, evenly).

    Returns
    -------
    matplotlib.figure.Figure
        Panel Axes are labelled ``"input <sample>"`` and ``"shap <sample> <class>"``; the
        predicted class's panel has a frame (its spines, ``gid="predicted"``).
    """
    view = shap_view(result, labels=labels, class_names=class_names, samples=samples, classes=classes,
                     quantile=quantile)
    count = len(view.columns)
    lines = math.ceil(count / (ncols or _panels_per_line() - 1))
    per_line = math.ceil(count / lines)
    fig = panel_figure(len(view.rows) * lines, per_line + 1, aspect=1.75, extra_height=2.0, min_panel=1.6)
    axes = fig.subplots(len(view.rows) * lines, per_line + 1, squeeze=False)
    theme = theme_for(axes[0, 0])
    for r, row in enumerate(view.rows):
        block = axes[r * lines:(r + 1) * lines]
        draw_grid(block[0, 0], row.input, theme, labels=False)
        block[0, 0].set_label(f"input {row.sample}")
        block[0, 0].set_title(row.title.text, fontsize=FONT_SIZES[row.title.size], color=theme.color("ink"))
        for ax in block[1:, 0]:
            ax.set_visible(False)
        for c, panel in enumerate(row.panels):
            _panel(block[c // per_line, 1 + c % per_line], row, panel, theme)
        for ax in block.ravel()[1:]:
            if not ax.get_label().startswith("shap"):
                ax.set_visible(False)
    fig.suptitle(view.title.text, color=theme.color("ink"))
    fig.supxlabel(view.subtitle.text, color=theme.color(view.subtitle.role), fontsize=FONT_SIZES["small"])
    shown = [ax for ax in axes.ravel() if ax.get_label().startswith("shap")]
    scale_colorbar(fig, view.scale, theme, ax=shown, orientation="horizontal", shrink=0.5, aspect=40)
    return fig


def _panels_per_line() -> int:
    """How many panels titled ``f(x) = −18.71`` fit side by side in the style's figure width."""
    from matplotlib import rcParams
    from matplotlib.font_manager import FontProperties

    points = FontProperties(size=rcParams["font.size"]).get_size_in_points() * 0.83  # "small"
    return max(3, int(rcParams["figure.figsize"][0] * 72 / (13 * 0.62 * points)))


def _panel(ax, row, panel, theme) -> None:
    grey = row.input.values
    draw_grid(ax, panel.grid, theme, labels=False, gid=f"shap-{row.sample}-{panel.cls}")
    ax.set_label(f"shap {row.sample} {panel.cls}")
    if grey.max() > grey.min():  # the input's outline, so the map can be read against it
        ax.contour(grey, levels=[0.5 * (grey.min() + grey.max())], colors=theme.color("muted"), linewidths=0.8)
    ax.set_title("\n".join(line.text for line in panel.lines), fontsize=FONT_SIZES["small"],
                 color=theme.color("ink"))
    _frame(ax, panel.predicted, theme)


def _frame(ax, predicted: bool, theme) -> None:
    for spine in ax.spines.values():
        spine.set_visible(predicted)
        if predicted:
            spine.set(edgecolor=theme.color("ink"), linewidth=2.5, gid="predicted")


def shap_bar(result, *, sample: int = 0, class_index: int | None = None, feature_names=None, class_names=None,
             ax=None, decimals: int = 2):
    """One bar per input feature: its attribution to one class for one sample (tabular / 2-D inputs).

    Red bars push the class output up, blue bars down; the title gives ``E[f]`` and ``f(x)``,
    which the bars bridge (efficiency). ``class_index`` defaults to the predicted class.

    Returns
    -------
    matplotlib.axes.Axes
    """
    sample = check_samples(result, [sample])[0]
    values = result.values[sample].reshape(-1, result.values.shape[-1])
    cls = int(result.predicted[sample]) if class_index is None else int(class_index)
    if not 0 <= cls < values.shape[1]:
        raise ValueError(f"class_index must be in [0, {values.shape[1] - 1}], got {class_index!r}")
    names = [f"x{i + 1}" for i in range(len(values))] if feature_names is None else list(feature_names)
    if len(names) != len(values):
        raise ValueError(f"feature_names must have {len(values)} names, got {len(names)}")
    ax = new_axes(ax)
    theme = theme_for(ax)
    order = np.argsort(-np.abs(values[:, cls]))[:MAX_BARS][::-1]
    shown = values[order, cls]
    ax.barh(range(len(order)), shown, color=[theme.color("positive" if v > 0 else "negative") for v in shown])
    inputs = np.asarray(result.inputs[sample], dtype=float).ravel()
    ax.set_yticks(range(len(order)), [f"{names[i]} = {fmt(inputs[i], decimals)}" for i in order])
    ax.axvline(0, color=theme.color("ink"), linewidth=1)
    for y, v in enumerate(shown):
        ax.text(v, y, f" {fmt(v, decimals + 1)} ", va="center", ha="left" if v >= 0 else "right",
                color=theme.color("ink"), fontsize=FONT_SIZES["small"])
    ax.margins(x=0.3)
    ax.set_xlabel(f"SHAP value for class {class_name(cls, class_names)}")
    source = f"{result.source}\n" if getattr(result, "source", None) else ""
    ax.set_title(f"{source}sample {sample}: E[f] = {fmt(result.expected_value[cls], decimals + 1)}  \u2192  "
                 f"f(x) = {fmt(result.outputs[sample, cls], decimals + 1)}")
    return ax


__all__ = ["shap_bar", "shap_image_grid"]
