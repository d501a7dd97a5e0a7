"""Training-dynamics mobjects: a loss curve with a moving marker and a 2-D decision boundary.

:func:`decision_image` evaluates a 2-D MLP (weights as arrays) on a grid with torch and
returns an RGB array in the TF-playground style (class 0 blue, class 1 orange, white at
p = 0.5); :class:`DecisionPanel` shows it (as rectangles) with the probe points on top. :class:`LossCurve` draws ``(steps, losses)`` on plain axes with a marker that a
scene moves from snapshot to snapshot.
"""
from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, UP, Dot, Line, Rectangle, VGroup, VMobject

from vizdl.anim.grid import INK, label
from vizdl.styles.colors import class_color

CURVE_COLOR = "#444444"
MARKER_COLOR = "#d62728"


def _rgb(hex_color: str) -> np.ndarray:
    return np.array([int(hex_color[k:k + 2], 16) for k in (1, 3, 5)], dtype=float)


def mlp_probabilities(weights, biases, activations, points) -> np.ndarray:
    """Softmax outputs of the MLP ``(A_i, b_i)`` on ``points`` (N, k_0), computed with torch."""
    import torch

    from vizdl.ops.backprop import _activation_fn

    x = torch.as_tensor(np.asarray(points, dtype=np.float64))
    names = list(activations) + ["identity"]
    for (A, b), name in zip(zip(weights, biases), names):
        x = _activation_fn(name)(x @ torch.as_tensor(np.asarray(A, np.float64)).T
                                  + torch.as_tensor(np.asarray(b, np.float64)))
    return torch.softmax(x, dim=1).numpy()


def grid_points(bounds, resolution: int = 48) -> np.ndarray:
    """``resolution**2`` points covering ``bounds = (xmin, xmax, ymin, ymax)``, top row first."""
    xmin, xmax, ymin, ymax = bounds
    xs = np.linspace(xmin, xmax, resolution)
    ys = np.linspace(ymax, ymin, resolution)
    gx, gy = np.meshgrid(xs, ys)
    return np.stack([gx.ravel(), gy.ravel()], axis=1)


def decision_image(probabilities, resolution: int, levels: int = 8) -> np.ndarray:
    """RGB uint8 image ``(res, res, 3)``: blue for class 0, orange for class 1, white when unsure.

    For more than two classes each pixel takes its most likely class's colour, faded by
    its probability; the fading is quantised to ``levels`` steps (so that equal
    neighbouring pixels can be drawn as one rectangle).
    """
    p = np.asarray(probabilities, dtype=float)
    if p.ndim != 2 or p.shape[0] != resolution ** 2:
        raise ValueError(f"probabilities: expected shape ({resolution ** 2}, classes), got {p.shape}")
    winner = p.argmax(axis=1)
    strength = (p.max(axis=1) - 1.0 / p.shape[1]) / (1 - 1.0 / p.shape[1])
    strength = np.ceil(strength * levels) / levels
    colors = np.stack([_rgb(class_color(k)) for k in range(p.shape[1])])[winner]
    white = np.full(3, 255.0)
    alpha = 0.75 * strength[:, None]
    image = white * (1 - alpha) + colors * alpha
    return image.reshape(resolution, resolution, 3).round().astype(np.uint8)


def data_bounds(points, margin: float = 0.15) -> tuple:
    """Square ``(xmin, xmax, ymin, ymax)`` around ``points`` with a relative margin."""
    points = np.asarray(points, dtype=float)
    lo, hi = points.min(axis=0), points.max(axis=0)
    centre, half = (lo + hi) / 2, (hi - lo).max() / 2 * (1 + margin)
    return (centre[0] - half, centre[0] + half, centre[1] - half, centre[1] + half)


def pixel_rectangles(image, side: float) -> VGroup:
    """An RGB image as a square of ``side`` made of one rectangle per run of equal pixels in a row."""
    image = np.asarray(image)
    rows, cols = image.shape[:2]
    cell_w, cell_h = side / cols, side / rows
    rects = VGroup()
    for r in range(rows):
        start = 0
        for c in range(1, cols + 1):
            if c == cols or not np.array_equal(image[r, c], image[r, start]):
                color = "#%02x%02x%02x" % tuple(int(v) for v in image[r, start][:3])
                rect = Rectangle(width=(c - start) * cell_w + 0.02, height=cell_h + 0.02, stroke_width=0,
                                 fill_color=color, fill_opacity=1)
                rects.add(rect.move_to([(start + (c - start) / 2) * cell_w, -(r + 0.5) * cell_h, 0]))
                start = c
    return rects


class DecisionPanel(VGroup):
    """A decision-boundary image with the probe points, updated with :meth:`set_weights`.

    Parameters
    ----------
    points, labels : array_like
        Probe inputs ``(N, 2)`` and classes.
    side : float
        Side of the square panel in scene units.
    resolution : int
        Pixels per side of the heat map.
    max_points : int
        Draw at most this many points (the first ones).
    """

    def __init__(self, points, labels, *, side: float = 3.0, resolution: int = 28,
                 max_points: int = 80, **kwargs):
        super().__init__(**kwargs)
        points = np.asarray(points, dtype=float)
        if points.ndim != 2 or points.shape[1] != 2:
            raise ValueError(f"points: a decision boundary needs 2-D inputs, got shape {points.shape}")
        self.side, self.resolution = side, resolution
        self.bounds = data_bounds(points)
        self.grid = grid_points(self.bounds, resolution)
        self.frame = Rectangle(width=side, height=side, stroke_color=INK, stroke_width=2)
        self.image = self._image(np.full((resolution, resolution, 3), 255, np.uint8))
        self.dots = VGroup(*(Dot(self.to_scene(p), radius=0.05, fill_color=class_color(int(c)),
                                 stroke_color=INK, stroke_width=1)
                             for p, c in zip(points[:max_points], np.asarray(labels)[:max_points])))
        self.add(self.frame, self.dots)

    def to_scene(self, point) -> np.ndarray:
        """Scene position of a data point (relative to the panel's centre)."""
        xmin, xmax, ymin, ymax = self.bounds
        u = (point[0] - xmin) / (xmax - xmin) - 0.5
        v = (point[1] - ymin) / (ymax - ymin) - 0.5
        return self.frame.get_center() + np.array([u * self.side, v * self.side, 0.0])

    def _image(self, array) -> VGroup:
        return pixel_rectangles(array, self.side).move_to(self.frame).set_z_index(-1)

    def image_for(self, weights, biases, activations) -> VGroup:
        """A new heat map for the given weights, placed on the panel (not added).

        Drawn as rectangles (runs of equal pixels), not an ``ImageMobject``: manim 0.22's
        image rendering fails with Pillow >= 11.
        """
        probs = mlp_probabilities(weights, biases, activations, self.grid)
        return self._image(decision_image(probs, self.resolution))


class InputPanel(VGroup):
    """The input of a model that is not 2-D -- a digit, a 28x28 image -- in grey, with a caption.

    It stands where a 2-D run shows its :class:`DecisionPanel` (there is no plane to
    colour); :meth:`image_for` returns an empty group, so stories treat both alike.

    Parameters
    ----------
    x : array_like
        One input: ``(C, H, W)``, ``(H, W)``, or a vector (drawn square when its length is
        a square number, e.g. 64 or 784, else as one row).
    caption : str
        Written above the image.
    side : float
        Side of the square panel in scene units.
    """

    def __init__(self, x, caption: str, *, side: float = 3.0, **kwargs):
        super().__init__(**kwargs)
        self.side = side
        self.frame = Rectangle(width=side, height=side, stroke_color=INK, stroke_width=2)
        self.image = pixel_rectangles(input_picture(x), side).move_to(self.frame).set_z_index(-1)
        self.caption = label(caption, 24, INK).next_to(self.frame, UP, buff=0.12)
        self.add(self.image, self.frame, self.caption)

    def image_for(self, weights, biases, activations) -> VGroup:
        """Nothing to redraw: the input does not change with the weights."""
        return VGroup()


def input_picture(x) -> np.ndarray:
    """RGB uint8 picture of one input: grey (min-max scaled) for one channel, colour for three."""
    x = np.asarray(x, dtype=float)
    if x.ndim == 3 and x.shape[0] in (1, 3):
        x = x[0] if x.shape[0] == 1 else np.moveaxis(x, 0, -1)
    elif x.ndim == 1:
        side = int(round(np.sqrt(x.size)))
        x = x.reshape(side, side) if side * side == x.size else x[None]
    low, high = float(x.min()), float(x.max())
    scaled = (x - low) / (high - low if high > low else 1.0)
    grey = scaled if scaled.ndim == 3 else np.repeat(scaled[..., None], 3, axis=-1)
    return np.round(255 * grey).astype(np.uint8)


def probe_panel(run, sample: int, side: float):
    """:class:`DecisionPanel` for a 2-D run, else :class:`InputPanel` of probe input ``sample``."""
    inputs, labels = run.probe["inputs"], run.probe["labels"]
    if np.asarray(inputs).ndim == 2 and np.asarray(inputs).shape[1] == 2:
        return DecisionPanel(inputs, labels, side=side)
    return InputPanel(inputs[sample], f"input x_0 (label {int(labels[sample])})", side=side)


def moving_average(values, window: int) -> np.ndarray:
    """Trailing mean over ``window`` values (shorter at the start); ``window=1`` returns a copy."""
    values = np.asarray(values, dtype=float)
    if window < 1:
        raise ValueError(f"window: must be >= 1, got {window}")
    cumulative = np.cumsum(np.insert(values, 0, 0.0))
    idx = np.arange(1, len(values) + 1)
    lo = np.maximum(idx - window, 0)
    return (cumulative[idx] - cumulative[lo]) / (idx - lo)


class LossCurve(VGroup):
    """Loss against step on plain axes, with a marker.

    Parameters
    ----------
    steps, losses : array_like
        The curve (e.g. ``run.metric("loss")``).
    width, height : float
        Size of the plotting area.
    smooth : int
        Window of a trailing moving average (1: raw values); say so in ``name``.
    name : str
        Y-axis label.
    """

    def __init__(self, steps, losses, *, width: float = 3.6, height: float = 2.2, smooth: int = 1,
                 name: str = "loss", **kwargs):
        super().__init__(**kwargs)
        self.steps, self.losses = np.asarray(steps, float), moving_average(losses, smooth)
        if self.steps.size < 2 or self.steps.shape != self.losses.shape:
            raise ValueError(f"steps/losses: need two equal-length series of >= 2 points, "
                             f"got {self.steps.shape} and {self.losses.shape}")
        self.width_, self.height_ = width, height
        self.top = float(np.nanmax(self.losses)) * 1.05
        self.x_axis = Line([0, 0, 0], [width, 0, 0], color=INK, stroke_width=2)
        self.y_axis = Line([0, 0, 0], [0, height, 0], color=INK, stroke_width=2)
        self.curve = VMobject(stroke_color=CURVE_COLOR, stroke_width=3)
        self.curve.set_points_as_corners([self.point(s, l) for s, l in zip(self.steps, self.losses)])
        self.y_label = label(name, 22, INK).next_to(self.y_axis, LEFT, buff=0.1)
        self.x_label = label("step", 22, INK).next_to(self.x_axis, DOWN, buff=0.1)
        self.marker = Dot(self.point(self.steps[0], self.losses[0]), radius=0.08, color=MARKER_COLOR)
        self.add(self.x_axis, self.y_axis, self.curve, self.x_label, self.y_label, self.marker)

    def point(self, step, loss) -> np.ndarray:
        """Scene position of ``(step, loss)`` relative to the axes' origin."""
        u = (step - self.steps[0]) / (self.steps[-1] - self.steps[0])
        origin = self.x_axis.get_start()
        return origin + np.array([u * self.width_, loss / self.top * self.height_, 0.0])

    def loss_at(self, step) -> float:
        """The logged loss nearest to ``step``."""
        return float(self.losses[np.abs(self.steps - step).argmin()])

    def marker_at(self, step) -> np.ndarray:
        """Where the marker goes for ``step``."""
        return self.point(step, self.loss_at(step))


__all__ = ["DecisionPanel", "InputPanel", "LossCurve", "TrainingStory", "input_picture", "output_labels", "probe_panel", "subset_notes", "data_bounds", "decision_image", "grid_points", "moving_average", "pixel_rectangles",
           "mlp_probabilities"]


def output_labels(diagram, classes, panel) -> list:
    """Class index next to each drawn output neuron (only beside an :class:`InputPanel`: image inputs)."""
    from manim import RIGHT

    if not isinstance(panel, InputPanel):
        return []
    return [label(str(int(c)), 20, INK).next_to(neuron, RIGHT, buff=0.1)
            for c, neuron in zip(classes, diagram.neurons[-1])]


def subset_notes(headers, shown, sizes) -> list:
    """``"6 of 64"`` above the header of each layer drawn in part (the strongest neurons on this input)."""
    return [label(f"{n} of {k}", 18, INK).next_to(header, UP, buff=0.08)
            for header, n, k in zip(headers, shown, sizes) if n < k]


class TrainingStory:
    """Weights, decision boundary and loss curve of an MLP run, played over its snapshots.

    Any chain of ``nn.Linear`` + activations works. On 2-D inputs the decision boundary
    evolves next to the network; on other inputs (digits, 28x28 images) the input image
    stands there instead, and wide layers show their strongest neurons on this input
    (``"6 of 64"`` above the column).

    Parameters
    ----------
    run : vizdl.Run
        An MLP run.
    snapshots : int
        How many recorded steps to show (evenly spread, first and last included).
    sample : int
        Probe input whose neuron values set the edges' opacity.
    """

    def __init__(self, run, *, snapshots: int = 12, sample: int = 0):
        from manim import RIGHT, UL, UR

        from vizdl.anim.network import NetworkDiagram
        from vizdl.anim.runs import mlp_snapshots, spread

        from vizdl.ops.backprop import mlp_backprop, shown_neurons

        self.run, self.sample = run, sample
        self.snapshots = mlp_snapshots(run, spread(run.steps, snapshots))
        _, weights, biases, acts = self.snapshots[-1]
        sizes = [weights[0].shape[1]] + [w.shape[0] for w in weights]
        probe = run.probe
        self.x0 = np.asarray(probe["inputs"][sample], dtype=float).ravel()
        self.target = int(probe["labels"][sample])
        self.shown = shown_neurons(mlp_backprop(weights, biases, self.x0, self.target, activations=acts))
        shown = [len(k) for k in self.shown]
        gap = min(1.15, (4.6 if shown != sizes else 5.6) / max(shown))
        self.diagram = NetworkDiagram(shown, layer_gap=2.1, neuron_gap=gap, radius=min(0.3, 0.4 * gap),
                                      center=[-3.4, -0.3 if shown != sizes else -0.1, 0])
        self.panel = probe_panel(run, sample, 3.5).to_corner(UR, buff=0.3)
        steps, losses = run.metric("loss")
        window = max(1, len(steps) // 25)
        self.curve = LossCurve(steps, losses, width=3.3, height=1.6, smooth=window,
                               name="loss" if window == 1 else f"loss\n(mean of {window})")
        self.curve.next_to(self.panel, DOWN, buff=0.5).align_to(self.panel, RIGHT)
        arch = "-".join(str(s) for s in sizes)
        self.title = label(f"Training a {arch} MLP on {run.dataset_name or 'data'}", 30, INK).to_corner(UL, buff=0.3)
        self.step_label = None
        self.image = None
        from vizdl.anim.backprop import layer_names

        self.headers = VGroup(*(t.next_to(col, UP, buff=0.2) for t, col in
                                zip(layer_names(len(sizes) - 1), self.diagram.neurons)))
        self.headers.add(*subset_notes(self.headers, shown, sizes),
                         *output_labels(self.diagram, self.shown[-1], self.panel))

    def beats(self):
        """:class:`vizdl.anim.backprop.Beat` s: one per snapshot, then a pause."""
        from vizdl.anim.backprop import Beat

        yield Beat([], 0.3, add=(self.title, self.diagram, self.headers, self.panel, self.curve))
        for k, (step, weights, biases, acts) in enumerate(self.snapshots):
            old = self._old()
            yield Beat(self._animations(step, weights, biases, acts), 0.3 if k == 0 else 0.55,
                       add=self._swap(step, weights, biases, acts), remove=old)
        yield Beat([], 1.2)

    def _old(self) -> tuple:
        return tuple(m for m in (self.image, self.step_label) if m is not None)

    def _swap(self, step, weights, biases, acts) -> tuple:
        from manim import DOWN as _DOWN

        self.image = self.panel.image_for(weights, biases, acts)
        self.step_label = label(f"step {step}", 28, INK).next_to(self.title, _DOWN, buff=0.15,
                                                                 aligned_edge=[-1, 0, 0])
        return self.image, self.step_label

    def _animations(self, step, weights, biases, acts) -> list:
        from vizdl.ops.backprop import mlp_backprop, subset_step

        forward = subset_step(mlp_backprop(weights, biases, self.x0, self.target, activations=acts), self.shown)
        d = self.diagram
        anims = [a for layer in forward.layers for a in d.style_edges(layer.index, layer.A, layer.x_in)]
        anims += [a for i, v in enumerate(forward.values)
                  for a in d.fill_neurons(i, v, limit=2 * float(np.max(np.abs(v))) or 1.0)]
        anims.append(self.curve.marker.animate.move_to(self.curve.marker_at(step)))
        return anims
