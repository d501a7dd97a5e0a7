"""Views of the notes' first chapters drawn as charts (:class:`vizdl.views.plot.Plot`).

Universal approximation (fits of ``C sigma(A x + b)`` as ``k`` grows), linear regression and
its MSE surface, SGD / mini-batch / full-batch paths, the cross-entropy ``-log p`` and one
prediction's softmax against its one-hot target, and the PCA of each layer. Every number is
written by :func:`vizdl.styles.theme.fmt`; elements carry roles (class colours for classes,
run colours for compared runs), never colours.

This module imports NumPy only.

>>> from vizdl.ops.crossentropy import prediction_from_logits
>>> view = softmax_view(prediction_from_logits([2.0, 0.0], 0))
>>> view.element("softmax").texts
('0.88', '0.12')
"""
from __future__ import annotations

import numpy as np

from vizdl.styles.theme import fmt
from vizdl.views.base import Label, Step, Story
from vizdl.views.plot import Bars, Contour, Mark, Plot, Series

MINUS = "\u2212"
#: Softmax probabilities below this are drawn but not written (they would only be noise on the page).
SHOWN_PROBABILITY = 0.005


def approximation_view(approx) -> Plot:
    """``f`` and the fitted ``g`` of each width, each with its ``sup |f - g|`` in the legend.

    Parameters
    ----------
    approx : vizdl.ops.approximation.Approximation
    """
    grid = approx.grid(400)
    elements = [Series.of("target", grid, approx.target(grid), role="ink", width=2.2, label=f"f(x) = ${approx.tex}$")]
    steps = [Step("target", f"The function to approximate: f(x) = {_plain(approx.tex)} on "
                  f"[{fmt(approx.interval[0])}, {fmt(approx.interval[1])}].", ("target",))]
    for k, (fit, error) in enumerate(zip(approx.fits, approx.sup_errors())):
        dash = ("dashed", "dashdot", "dotted", "solid")[k % 4]
        label = f"k = {fit.k}: sup|f \u2212 g| = {fmt(error)}"
        elements.append(Series.of(f"fit-{fit.k}", grid, fit.predict(grid), role=f"run {k}", dash=dash, label=label))
        steps.append(Step(f"fit-{fit.k}", f"{fit.k} sigmoid unit{'s' if fit.k > 1 else ''}: g(x) = C \u03c3(Ax + b) "
                          f"misses f by at most {fmt(error)}.", (f"fit-{fit.k}",), 2))
    sigma = {"sigmoid": "\u03c3 = sigmoid", "tanh": "\u03c3 = tanh", "relu": "\u03c3 = ReLU"}[approx.fits[0].activation]
    title = f"Universal approximation: g(x) = C \u03c3(Ax + b), {sigma}"
    return Plot(title, "x", "y", tuple(elements), Story(tuple(steps)))


def _plain(tex: str) -> str:
    return f"${tex}$"


def regression_view(data, fit, path=None) -> Plot:
    """The points, the least-squares line and (optionally) the line gradient descent found.

    Parameters
    ----------
    data : vizdl.ops.regression.RegressionData
    fit : (float, float)
        ``(w, b)`` of :func:`vizdl.ops.regression.least_squares`.
    path : vizdl.ops.regression.DescentPath, optional
    """
    xs = np.array([data.x.min(), data.x.max()])
    w, b = fit
    elements = [Series.of("points", data.x, data.y, role="class 0", dash="none", marker="o", width=0.8,
                          label=f"{len(data.x)} points"),
                Series.of("fit", xs, w * xs + b, role="ink", width=1.6,
                          label=f"least squares: {fmt(w)} x {_signed(b)}")]
    steps = [Step("points", f"{len(data.x)} noisy points around y = {fmt(data.true[0])} x {_signed(data.true[1])}.",
                  ("points",)),
             Step("fit", f"The line of least mean squared error: w = {fmt(w)}, b = {fmt(b)}.", ("fit",), 2)]
    if path is not None:
        gw, gb = path.points[-1]
        elements.append(Series.of("descent", xs, gw * xs + gb, role="gradient", dash="dashed",
                                  label=f"descent, {path.updates} steps: {fmt(gw)} x {_signed(gb)}"))
        steps.append(Step("descent", f"Gradient descent ends at w = {fmt(gw)}, b = {fmt(gb)}.", ("descent",), 2))
    return Plot("Linear regression y = w x + b", "x", "y", tuple(elements), Story(tuple(steps)))


def _signed(value: float) -> str:
    return f"+ {fmt(value)}" if value >= 0 else f"{MINUS} {fmt(-value)}"


def mse_surface_view(surface, fit, path) -> Plot:
    """Level lines of ``L(w, b)``, the minimum and the path of full-batch gradient descent to it."""
    W, B, L = surface
    w, b = fit
    elements = (Contour("surface", W, B, L, _levels(L)),
                Series.of("descent", path.points[:, 0], path.points[:, 1], role="gradient", marker="o", width=0.7,
                          label=f"gradient descent, \u03bb = {fmt(path.lr)}, {path.updates} steps"),
                Mark("start", *path.points[0], role="ink", marker="o", label=Label("start")),
                Mark("minimum", w, b, role="focus", label=Label(f"minimum ({fmt(w)}, {fmt(b)})")))
    steps = (Step("surface", "The loss L(w, b) = mean of (w x + b \u2212 y)\u00b2 over the parameter plane.",
                  ("surface",)),
             Step("minimum", f"Its minimum: w = {fmt(w)}, b = {fmt(b)}.", ("minimum",), 2),
             Step("descent", f"Gradient descent from ({fmt(path.points[0][0])}, {fmt(path.points[0][1])}) walks "
                  f"down to ({fmt(path.points[-1][0])}, {fmt(path.points[-1][1])}).", ("start", "descent"), 4))
    title = f"MSE over (w, b); gradient descent, \u03bb = {fmt(path.lr)}"
    return Plot(title, "w", "b", elements, Story(steps))


def batch_paths_view(surface, paths: dict, fit) -> Plot:
    """SGD, mini-batch and full-batch paths on the level lines of the MSE.

    Parameters
    ----------
    surface : (W, B, L)
    paths : dict of str -> DescentPath
        Keys of :data:`vizdl.ops.regression.BATCHINGS`.
    fit : (float, float)
    """
    from vizdl.ops.regression import BATCHINGS

    W, B, L = surface
    elements = [Contour("surface", W, B, L, _levels(L)), Mark("minimum", *fit, role="focus")]
    steps = [Step("surface", "Level lines of the MSE over (w, b); the star is its minimum.", ("surface", "minimum"))]
    for k, (name, path) in enumerate(paths.items()):
        title = BATCHINGS.get(name, name)
        elements.append(Series.of(f"path-{name}", path.points[:, 0], path.points[:, 1], role=f"run {k}",
                                  marker="o" if path.updates <= 40 else "", width=0.6 if path.updates > 40 else 0.8,
                                  label=f"{title}: batch {path.batch_size}, {path.updates} steps"))
        steps.append(Step(f"path-{name}", f"{title}: {path.updates} updates of batches of {path.batch_size} in "
                          f"{path.epochs} epochs end at L = {fmt(path.losses[-1], 3)}.", (f"path-{name}",), 3))
    first = next(iter(paths.values()))
    start = Mark("start", *first.points[0], role="ink", marker="o", label=Label("start"))
    elements.insert(2, start)
    steps[0] = Step("surface", steps[0].caption, ("surface", "minimum", "start"))
    title = f"SGD vs mini-batch vs full batch on linear regression (\u03bb = {fmt(first.lr)}, {first.epochs} epochs)"
    return Plot(title, "w", "b", tuple(elements), Story(tuple(steps)), equal=True)


def _levels(Z, count: int = 14) -> np.ndarray:
    low, high = float(np.min(Z)), float(np.max(Z))
    return low + (high - low) * np.linspace(0.0, 1.0, count + 1)[1:] ** 2


def neg_log_view(curve, prediction) -> Plot:
    """``-log p`` and where one prediction sits on it (its probability of the true class)."""
    p, loss = curve
    py = float(prediction.probabilities[prediction.label])
    elements = (Series.of("curve", p, loss, role="ink", width=1.6, label="\u2212log p"),
                Mark("prediction", py, prediction.loss, role="focus",
                     label=Label(f"loss = {fmt(prediction.loss, 3)}")))
    steps = (Step("curve", "The loss of a prediction is \u2212log of the probability given to the true class: "
                  "0 when p = 1, without bound as p goes to 0.", ("curve",)),
             Step("prediction", f"This digit: p = {fmt(py, 3)} for class {prediction.label}, so the loss is "
                  f"{fmt(prediction.loss, 3)}.", ("prediction",), 2))
    return Plot("Cross-entropy: \u2212log p(true class)", "p(true class)", "loss",
                elements, Story(steps))


def softmax_view(prediction, class_names=None) -> Plot:
    """The softmax probabilities next to the one-hot target, one pair of bars per class."""
    classes = len(prediction.probabilities)
    names = tuple(class_names or (str(c) for c in range(classes)))
    elements = (Bars("one-hot", names, prediction.one_hot, tuple(fmt(v) if v else "" for v in prediction.one_hot),
                     role="muted", offset=-0.2, height=0.4, label="target (one-hot)"),
                Bars("softmax", names, prediction.probabilities,
                     tuple(fmt(v) if v >= SHOWN_PROBABILITY else "" for v in prediction.probabilities),
                     role="class 0", offset=0.2, height=0.4, label="softmax of the logits"))
    steps = (Step("one-hot", f"The target: 1 for class {names[prediction.label]}, 0 elsewhere.", ("one-hot",)),
             Step("softmax", f"The model's softmax puts {fmt(prediction.probabilities[prediction.label], 3)} on it; "
                  f"cross-entropy = \u2212log {fmt(prediction.probabilities[prediction.label], 3)} = "
                  f"{fmt(prediction.loss, 3)}.", ("softmax",), 2))
    return Plot("Softmax vs one-hot target", "probability", "class", elements, Story(steps))


def projection_view(projection, labels, *, class_names=None) -> Plot:
    """One layer's PCA: a scatter per class."""
    labels = np.asarray(labels).astype(int)
    elements = []
    for c in np.unique(labels):
        name = class_names[c] if class_names else str(c)
        elements.append(Series.of(f"class-{c}", *projection.points[labels == c].T, role=f"class {c}", dash="none",
                                  marker="o", width=0.6, label=name))
    shape = "\u00d7".join(str(s) for s in projection.shape)
    kind = f" ({projection.kind})" if projection.kind else ""
    title = f"{projection.position}. {projection.name}{kind}\n{shape}"
    explained = fmt(100 * float(np.sum(projection.explained)), 0)
    steps = (Step(projection.name, f"Layer {projection.name}: the first two principal components keep "
                  f"{explained}% of the variance.", tuple(e.id for e in elements), 1),)
    return Plot(title, "", "", tuple(elements), Story(steps), note=f"{explained}% of variance", note_loc="top")


__all__ = ["approximation_view", "batch_paths_view", "mse_surface_view", "neg_log_view", "projection_view",
           "regression_view", "softmax_view"]
