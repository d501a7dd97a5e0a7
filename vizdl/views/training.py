"""What the training-dynamics pictures show: the loss curve, and a network replayed over recorded steps.

:func:`curve_view` is a run's logged loss with its *centred* mean (a trailing mean lags a
falling curve); :func:`training_view` replays a run's snapshots on one network layout with
**fixed** colour scales (so growing weights show as stronger colours, the scale drawn as a
colour bar), the decision regions for 2-D inputs (the input image and a neuron subset for
image data) and a marker moving along the loss curve. Both are painted by figures and
scenes alike.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vizdl.ops.curves import centred_mean, smoothing_window, spread
from vizdl.styles.theme import fmt
from vizdl.views.base import Label, Step, Story
from vizdl.views.network import (
    NetworkState,
    NetworkStory,
    class_names_of,
    edge_style,
    fill_scale,
    image_shape_of,
    model_title,
    network_layout,
    neuron_values,
    weight_legend,
)

SNAPSHOTS = 8


@dataclass(frozen=True)
class CurveView:
    """A logged metric over steps, raw and smoothed by a centred mean.

    Attributes
    ----------
    steps, raw, smooth : ndarray
    window : int
        Points in the centred mean (1: not smoothed).
    label : Label
        The y axis (``"loss (centred mean of 29 steps)"``).
    axis : Label
        The x axis (``"step"``).
    """

    steps: np.ndarray
    raw: np.ndarray
    smooth: np.ndarray
    window: int
    label: Label
    axis: Label

    def at(self, step) -> float:
        """The smoothed value at the logged step nearest to ``step``."""
        return float(self.smooth[int(np.abs(self.steps - step).argmin())])


def curve_view(steps, values, *, name: str = "loss", window: int | None = None) -> CurveView:
    """A :class:`CurveView` of ``(steps, values)``; ``window`` defaults to about 4% of the points."""
    steps, values = np.asarray(steps, dtype=float), np.asarray(values, dtype=float)
    if steps.size < 2 or steps.shape != values.shape:
        raise ValueError(f"steps/values: need two equal-length series of >= 2 points, got {steps.shape} and "
                         f"{values.shape}")
    window = smoothing_window(steps.size) if window is None else int(window)
    text = name if window == 1 else f"{name} (centred mean of {window})"
    return CurveView(steps, values, centred_mean(values, window), window, Label(text, size="small"),
                     Label("step", size="small"))


def run_curve(run, metric: str = "loss") -> CurveView | None:
    """The run's logged ``metric`` as a curve (``None`` when fewer than two values were logged)."""
    try:
        steps, values = run.metric(metric)
    except KeyError:
        return None
    return curve_view(steps, values, name=metric) if len(steps) >= 2 else None


def run_title(run) -> str:
    """What a run shows, for titles: ``"2-4-4-2 tanh MLP on xor"`` (an MLP) or ``"cifar_cnn on digits"``."""
    model = run.meta.get("model") or {}
    config, dataset = model.get("config") or {}, run.dataset_name
    shape = (run.meta.get("dataset") or {}).get("input_shape") or list(np.shape(run.probe["inputs"])[1:])
    if model.get("name") in ("mlp", "logreg", "perceptron") and "num_classes" in config:
        sizes = [int(np.prod(shape))] + list(config.get("hidden") or []) + [config["num_classes"]]
        return model_title(sizes, config.get("activation", "relu") if len(sizes) > 2 else "", dataset)
    name = model.get("name") or "model"
    return f"{name} on {dataset}" if dataset else name


def epoch_at(run, step: int) -> int | None:
    """The epoch of the logged line nearest to ``step`` (``None`` when nothing was logged)."""
    lines = [m for m in run.metrics if "epoch" in m and "step" in m]
    if not lines:
        return None
    return int(min(lines, key=lambda m: abs(m["step"] - step))["epoch"])


def drawn_values(layout, layer: int, matrix) -> np.ndarray:
    """The entries of ``matrix`` (``A_i``-shaped) that the layout draws as edges."""
    matrix = np.asarray(matrix, dtype=np.float64)
    edges = layout.layer_edges(layer)
    return np.array([matrix[int(e.target.split(".")[1]), int(e.source.split(".")[1])] for e in edges])


def drawn_scale(layout, matrices_per_layer, label: str):
    """One diverging scale over the drawn entries of every ``(layer, matrix)`` pair."""
    from vizdl.views.base import Scale

    values = [drawn_values(layout, i, m) for i, m in matrices_per_layer]
    return Scale.symmetric(np.concatenate([v.ravel() for v in values] or [np.zeros(1)]), label)


def replay_styles(layout, snapshots, x0, scale, fills, *, frame=None) -> tuple:
    """Edge styles, value sets and regions (keys ``s<step>-<i>`` / ``s<step>``) of recorded snapshots.

    ``snapshots`` is ``[(step, weights, biases, activations)]``; ``x0`` the followed input.
    """
    from vizdl.ops.network import forward_values
    from vizdl.views.boundary import mlp_regions

    edges, values, regions = {}, {}, {}
    for step, weights, biases, acts in snapshots:
        xs = forward_values(weights, biases, acts, x0)
        for i, A in enumerate(weights, start=1):
            edges[f"s{step}-{i}"] = edge_style(layout, i, A, xs[i - 1], scale=scale)
        for i, x in enumerate(xs):
            values[f"s{step}-{i}"] = neuron_values(layout, i, x, scale=fills[i])
        if frame is not None:
            regions[f"s{step}"] = mlp_regions(frame, weights, biases, acts)
    return edges, values, regions


def snapshot_state(step: int, depth: int, *, regions: bool, **changes) -> NetworkState:
    """The state showing recorded ``step``: its weights, the followed input's values, regions, marker."""
    return NetworkState(edges={i: f"s{step}-{i}" for i in range(1, depth + 1)},
                        values={i: f"s{step}-{i}" for i in range(depth + 1)}, regions=f"s{step}" if regions else None,
                        marker=step, **changes)


def training_view(run, *, snapshots: int = SNAPSHOTS, sample: int = 0, max_neurons: int = 8,
                  max_outputs: int = 10, aspect: float | None = None) -> NetworkStory:
    """Replay ``snapshots`` recorded steps of an MLP run (first and last included) on fixed colour scales.

    Parameters
    ----------
    run : vizdl.Run
        A run of an MLP (any input: 2-D points get the decision regions, images their picture).
    snapshots : int
        How many recorded steps to show, evenly spread.
    sample : int
        The probe input whose values fill the neurons and set the edges' opacity.
    max_neurons : int
        Most neurons drawn per hidden layer (an ellipsis stands for the others).
    max_outputs : int
        Most output neurons drawn (the followed sample's class always is).
    aspect : float, optional
        Width / height of the area the network will fill (see :func:`~vizdl.views.network.network_layout`).
    """
    from vizdl.ops.backprop import optimizer_text, run_mlp_parameters
    from vizdl.ops.network import network_at_step
    from vizdl.views.boundary import is_2d, run_frame

    steps = spread(run.steps, snapshots)
    if not 0 <= sample < len(run.probe["inputs"]):
        raise ValueError(f"sample: {sample} is not a probe index in [0, {len(run.probe['inputs'])})")
    target = int(run.probe["labels"][sample])
    data = network_at_step(run, steps[-1], sample=sample, max_neurons=max_neurons, max_outputs=max_outputs,
                           include={-1: [target]})
    layout = network_layout(data, image_shape=image_shape_of(run), target=target, aspect=aspect, radius=0.42,
                            class_names=class_names_of(run, data.sizes[-1]))
    params = [(s, *run_mlp_parameters(run, s)) for s in steps]
    x0 = np.asarray(run.probe["inputs"][sample], dtype=np.float64).ravel()
    scale = drawn_scale(layout, [(i, A) for _, weights, _, _ in params for i, A in enumerate(weights, 1)],
                        "weight Aᵢ (fixed scale)")
    frame = run_frame(run, sample=sample) if is_2d(run) else None
    from vizdl.ops.network import forward_values

    forwards = [forward_values(w, b, a, x0) for _, w, b, a in params]
    fills = [fill_scale([f[i] for f in forwards]) for i in range(len(forwards[0]))]
    edges, values, regions = replay_styles(layout, params, x0, scale, fills, frame=frame)
    hidden = data.layers[1].activation if len(data.layers) > 2 else ""
    title = f"Training a {model_title(data.sizes, hidden, run.dataset_name)}"
    curve = run_curve(run)
    growth = [float(np.max(np.abs(np.concatenate([e.values for k, e in edges.items() if k.startswith(f"s{s}-")]))))
              for s in steps]
    story = _training_story(run, steps, curve, growth, sample, target, optimizer_text(run.meta.get("hparams", {})),
                            layout)
    states = tuple(snapshot_state(s, layout.depth, regions=frame is not None) for s in steps) + (
        snapshot_state(steps[-1], layout.depth, regions=frame is not None),)
    return NetworkStory(Label(title, size="title"), layout, edges, values, {}, {}, {"weights": weight_legend()},
                        {"weights": (scale,)}, frame, regions, curve, None, states, story,
                        {"steps": steps, "parameters": params, "largest_weight": growth})


def _training_story(run, steps, curve, growth, sample, target, optimizer, layout) -> Story:
    hp = run.meta.get("hparams", {})
    batch = hp.get("batch_size")
    setup = (f"Training with {optimizer} (batch {batch}, λ = {fmt(hp.get('lr', 0), 4)}). Edges show the weights on "
             f"one fixed colour scale, so growing weights get stronger colours; neurons show probe sample {sample} "
             f"(class {target}).")
    out = [Step(f"step-{steps[0]}", setup, (f"s{steps[0]}",), 0)]
    for s, largest in zip(steps[1:], growth[1:]):
        loss = f", loss {fmt(curve.at(s), 3)}" if curve is not None else ""
        epoch = epoch_at(run, s)
        when = f"Step {s}" + (f" (epoch {epoch})" if epoch is not None else "")
        out.append(Step(f"step-{s}", f"{when}{loss}; largest drawn weight |A| = {fmt(largest)}.", (f"s{s}",), 2))
    first, last = growth[0], growth[-1]
    change = "grew" if last > first else "shrank"
    end = f"In {steps[-1] - steps[0]} steps the largest drawn weight {change} from {fmt(first)} to {fmt(last)}"
    if curve is not None:
        end += f" and the loss went from {fmt(curve.at(steps[0]), 3)} to {fmt(curve.at(steps[-1]), 3)}"
    return Story(tuple(out) + (Step("summary", end + ".", (), 4),))


__all__ = ["CurveView", "SNAPSHOTS", "curve_view", "drawn_scale", "drawn_values", "epoch_at", "replay_styles",
           "run_curve", "run_title", "snapshot_state", "training_view"]
