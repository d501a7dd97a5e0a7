"""SHAP attributions (the notes' MNIST figure): which pixels push an image towards each class.

Red pushes the class's output up, blue pushes it down, white is 0, with one symmetric
colour scale per image row. The input is drawn faintly under each map. For 2-D or tabular
inputs, :func:`shap_bar` draws one bar per feature::

    result = vizdl.explain.shap_values(run, data.x_train[:100], data.x_test[:4])
    fig = shap_image_grid(result, labels=data.y_test[:4])
    ax = shap_bar(result, sample=0, feature_names=["x1", "x2"])
"""
from __future__ import annotations

import numpy as np

from vizdl.styles.colors import NEGATIVE, POSITIVE, diverging_cmap, symmetric_limit

PANEL = 1.2  # inches per image panel


def _as_image(values: np.ndarray) -> np.ndarray:
    """(C, H, W) -> (H, W) by summing channels; (H, W) stays."""
    return values.sum(axis=0) if values.ndim == 3 else values


def _check_samples(result, samples, limit: int = 8) -> list:
    count = len(result.values)
    chosen = list(range(min(count, limit))) if samples is None else [int(s) for s in np.atleast_1d(samples)]
    bad = [s for s in chosen if not 0 <= s < count]
    if bad or not chosen:
        raise ValueError(f"samples must be indices in [0, {count - 1}], got {bad or chosen}")
    return chosen


def _class_name(index: int, class_names) -> str:
    return str(class_names[index]) if class_names is not None else str(index)


def shap_image_grid(result, *, labels=None, class_names=None, samples=None, classes=None,
                    quantile: float = 0.999):
    """Per image: the input, then one attribution map per class (notes' MNIST SHAP figure).

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
        Colour limit per row: this quantile of |attribution| (shap's ``image_plot`` uses 99.9 %).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from vizdl.figures._run import new_figure

    if result.values.ndim not in (4, 5):
        raise ValueError(f"shap_image_grid needs image attributions (N, C, H, W, classes) or (N, H, W, "
                         f"classes), got shape {result.values.shape}; use shap_bar for tabular inputs")
    rows = _check_samples(result, samples)
    classes = list(range(result.values.shape[-1])) if classes is None else [int(c) for c in classes]
    fig = new_figure((max(7.5, PANEL * (len(classes) + 1) + 1.0), PANEL * 1.3 * len(rows) + 1.2))
    axes = fig.subplots(len(rows), len(classes) + 1, squeeze=False)
    image = None
    for r, sample in enumerate(rows):
        image = _draw_row(axes[r], result, sample, classes, labels, class_names, quantile)
    for c, cls in enumerate(classes):
        axes[0, c + 1].set_title(f"class {_class_name(cls, class_names)}\n" + axes[0, c + 1].get_title(),
                                 fontsize=12)
    fig.suptitle(f"SHAP attributions ({result.method} explainer)\nnumber = sum of the map = f(x) − E[f], "
                 "frame = predicted class", fontsize=14)
    bar = fig.colorbar(image, ax=axes, orientation="horizontal", shrink=0.5, aspect=40, ticks=[-1, 0, 1])
    bar.ax.set_xticklabels(["away from the class", "0", "towards the class"], fontsize=12)
    bar.set_label("SHAP value / limit of its row", fontsize=12)
    return fig


def _draw_row(axes, result, sample, classes, labels, class_names, quantile):
    shown = np.asarray(result.inputs[sample], dtype=float)
    grey = shown.mean(axis=0) if shown.ndim == 3 else shown
    maps = [_as_image(result.values[sample, ..., c]) for c in classes]
    limit = symmetric_limit(np.stack(maps), quantile)
    axes[0].imshow(grey, cmap="gray", interpolation="nearest")
    predicted = _class_name(int(result.predicted[sample]), class_names)
    truth = "" if labels is None else f"true {_class_name(int(np.asarray(labels)[sample]), class_names)}\n"
    axes[0].set_title(f"{truth}pred {predicted}", fontsize=12)
    image = None
    for ax, cls, values in zip(axes[1:], classes, maps):
        image = ax.imshow(values / limit, cmap=diverging_cmap(), vmin=-1, vmax=1, interpolation="nearest")
        if grey.max() > grey.min():  # the input's outline, so the map can be read against it
            ax.contour(grey, levels=[0.5 * (grey.min() + grey.max())], colors="#444444", linewidths=0.8)
        ax.set_title(f"{result.totals[sample, cls]:+.2f}", fontsize=11)
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
        ax.spines[:].set_visible(False)
    if int(result.predicted[sample]) in classes:  # frame the predicted class
        spines = axes[1 + classes.index(int(result.predicted[sample]))].spines
        spines[:].set_visible(True)
        spines[:].set(edgecolor="black", linewidth=2.5)
    return image


def shap_bar(result, *, sample: int = 0, class_index: int | None = None, feature_names=None,
             class_names=None, ax=None):
    """One bar per input feature: its attribution to one class for one sample (tabular / 2-D inputs).

    Red bars push the class output up, blue bars down; the title gives ``E[f]`` and ``f(x)``,
    which the bars bridge (efficiency). ``class_index`` defaults to the predicted class.

    Returns
    -------
    matplotlib.axes.Axes
    """
    sample = _check_samples(result, [sample])[0]
    values = result.values[sample].reshape(-1, result.values.shape[-1])
    cls = int(result.predicted[sample]) if class_index is None else int(class_index)
    if not 0 <= cls < values.shape[1]:
        raise ValueError(f"class_index must be in [0, {values.shape[1] - 1}], got {class_index!r}")
    names = [f"x{i + 1}" for i in range(len(values))] if feature_names is None else list(feature_names)
    if len(names) != len(values):
        raise ValueError(f"feature_names must have {len(values)} names, got {len(names)}")
    if ax is None:
        from vizdl.figures._run import new_figure

        ax = new_figure((7.2, max(3.2, 1.2 + 0.5 * min(len(values), 20)))).subplots()
    order = np.argsort(-np.abs(values[:, cls]))[:20][::-1]
    shown = values[order, cls]
    ax.barh(range(len(order)), shown, color=[POSITIVE if v > 0 else NEGATIVE for v in shown])
    inputs = np.asarray(result.inputs[sample], dtype=float).ravel()
    ax.set_yticks(range(len(order)), [f"{names[i]} = {inputs[i]:.2f}" for i in order])
    ax.axvline(0, color="black", linewidth=1)
    for y, v in enumerate(shown):
        ax.text(v, y, f" {v:+.3f} ", va="center", ha="left" if v >= 0 else "right", fontsize=14)
    ax.margins(x=0.3)
    ax.set_xlabel(f"SHAP value for class {_class_name(cls, class_names)}")
    ax.set_title(f"sample {sample}: E[f] = {result.expected_value[cls]:.3f}  →  "
                 f"f(x) = {result.outputs[sample, cls]:.3f}", fontsize=16)
    return ax
