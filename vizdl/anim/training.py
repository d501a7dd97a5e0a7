"""Manim painters of the training-dynamics views: decision regions with the data, and the loss curve.

:class:`DecisionPanel` paints a :class:`vizdl.views.boundary.BoundaryFrame` (square, the
points in their class colours, the followed point ringed, the class legend) and makes one
image per :class:`~vizdl.views.boundary.Regions` — the class colours tinted towards white
by :meth:`vizdl.styles.theme.Theme.class_tints`, exactly as the figure does. Images are
rectangles (one per run of equal cells in a row): manim 0.22's ``ImageMobject`` fails with
Pillow >= 11. :class:`LossCurve` paints a :class:`vizdl.views.training.CurveView` (raw
values faint, the centred mean on top) with a marker a scene moves from step to step.
"""
from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Circle, Dot, Line, Rectangle, VGroup, VMobject

from vizdl.anim.network import Z, text
from vizdl.styles.theme import LIGHT


def pixel_rectangles(rgb, side: float) -> VGroup:
    """An ``(R, C, 3)`` image in ``[0, 1]`` as a square of ``side``, centred at the origin.

    One VMobject per colour, made of one rectangle per run of equal pixels in a row (a
    handful of mobjects instead of one per pixel: frames render fast).
    """
    image = np.round(np.asarray(rgb, dtype=float) * 255).astype(int)
    rows, cols = image.shape[:2]
    cell_w, cell_h = side / cols, side / rows
    runs: dict = {}
    for r in range(rows):
        start = 0
        for c in range(1, cols + 1):
            if c == cols or not np.array_equal(image[r, c], image[r, start]):
                color = "#" + "".join(f"{int(v):02x}" for v in image[r, start][:3])
                runs.setdefault(color, []).append((start, c, r))
                start = c
    group = VGroup()
    for color, cells in runs.items():
        shape = VMobject(fill_color=color, fill_opacity=1, stroke_width=0)
        for start, end, r in cells:
            x0, x1 = start * cell_w - side / 2, end * cell_w - side / 2 + 0.005
            y1, y0 = side / 2 - r * cell_h + 0.005, side / 2 - (r + 1) * cell_h
            shape.start_new_path(np.array([x0, y0, 0.0]))
            shape.add_points_as_corners([np.array(p) for p in ([x1, y0, 0], [x1, y1, 0], [x0, y1, 0], [x0, y0, 0])])
        group.add(shape)
    group.colors = list(runs)
    return group


class DecisionPanel(VGroup):
    """The frame of a decision-boundary picture; :meth:`regions` makes the tinted regions.

    Parameters
    ----------
    frame : vizdl.views.boundary.BoundaryFrame
    theme : Theme
    side : float
        Side of the square in scene units.
    max_points : int
        Draw at most this many points (the first ones, and the followed one).
    """

    def __init__(self, frame, theme=LIGHT, *, side: float = 3.0, max_points: int = 80, **kwargs):
        super().__init__(**kwargs)
        self.frame, self.theme, self.side = frame, theme, side
        self.border = Rectangle(width=side, height=side, stroke_color=theme.color("ink"), stroke_width=2)
        keep = [k for k in range(len(frame.points)) if k < max_points or k == frame.marked]
        self.dots = VGroup(*(Dot(self.to_panel(frame.points[k]), radius=0.055, fill_color=theme.color(frame.roles[k]),
                                 stroke_color=theme.color("background"), stroke_width=1.5) for k in keep))
        self.dots.roles = [frame.roles[k] for k in keep]
        self.ring = VGroup()
        if frame.marked is not None:
            self.ring = Circle(0.14, color=theme.color("ink"), stroke_width=4).move_to(self.to_panel(frame.points[frame.marked]))
        self.legend = VGroup(*(text(label, theme, font_size=20) for label in frame.legend)).arrange(
            RIGHT, buff=0.3).next_to(self.border, DOWN, buff=0.12)
        if self.legend.width > side * 1.15:
            self.legend.arrange(DOWN, aligned_edge=LEFT, buff=0.06).next_to(self.border, DOWN, buff=0.12)
        self.add(self.border, self.dots, self.ring, self.legend)
        self.set_z_index(Z["static"])  # a panel never animates: drawn once per play, not per frame

    def to_panel(self, point) -> np.ndarray:
        """Position of a data point relative to the panel's centre (before the panel moves)."""
        xmin, xmax, ymin, ymax = self.frame.bounds
        u = (point[0] - xmin) / (xmax - xmin) - 0.5
        v = (point[1] - ymin) / (ymax - ymin) - 0.5
        return np.array([u * self.side, v * self.side, 0.0])

    def regions(self, regions) -> VGroup:
        """The tinted regions, placed on the panel (not added): the same colours as the figure's."""
        rgb = self.theme.class_tints(regions.winner, regions.confidence)
        image = pixel_rectangles(rgb, self.border.width).move_to(self.border)
        return image.set_z_index(Z["regions"])


class LossCurve(VGroup):
    """A :class:`vizdl.views.training.CurveView` on plain axes, with a marker.

    Parameters
    ----------
    curve : CurveView
    theme : Theme
    width, height : float
        Size of the plotting area.
    """

    def __init__(self, curve, theme=LIGHT, *, width: float = 3.0, height: float = 1.4, **kwargs):
        super().__init__(**kwargs)
        self.curve, self.width_, self.height_ = curve, width, height
        self.low = float(min(np.nanmin(curve.raw), 0.0))
        self.top = float(np.nanmax(curve.raw)) * 1.05 or 1.0
        ink = theme.color("ink")
        self.x_axis = Line([0, 0, 0], [width, 0, 0], color=ink, stroke_width=2)
        self.y_axis = Line([0, 0, 0], [0, height, 0], color=ink, stroke_width=2)
        self.raw = self._line(curve.raw, theme.color("train"), 1.5, 0.3)
        self.smooth = self._line(curve.smooth, theme.color("train"), 3.5, 1.0)
        self.y_label = text(curve.label, theme, font_size=20).next_to(self.y_axis, UP, buff=0.08, aligned_edge=LEFT)
        self.x_label = text(curve.axis, theme, font_size=20).next_to(self.x_axis, DOWN, buff=0.08)
        self.marker = Dot(self.point(curve.steps[0]), radius=0.09, color=ink)
        self.add(self.x_axis, self.y_axis, self.raw, self.smooth, self.x_label, self.y_label, self.marker)
        self.set_z_index(Z["static"])
        self.marker.set_z_index(Z["caption"])

    def _line(self, values, color, width, opacity) -> VMobject:
        line = VMobject(stroke_color=color, stroke_width=width, stroke_opacity=opacity)
        line.set_points_as_corners([self._position(s, v) for s, v in zip(self.curve.steps, values)])
        return line

    def _position(self, step, value) -> np.ndarray:
        steps = self.curve.steps
        u = (step - steps[0]) / max(steps[-1] - steps[0], 1e-12)
        v = (value - self.low) / max(self.top - self.low, 1e-12)
        width, height = self.x_axis.get_length(), self.y_axis.get_length()  # after any scaling
        return self.x_axis.get_start() + np.array([u * width, v * height, 0.0])

    def point(self, step) -> np.ndarray:
        """Where the marker goes for ``step``: the centred mean at the nearest logged step."""
        return self._position(step, self.curve.at(step))


__all__ = ["DecisionPanel", "LossCurve", "pixel_rectangles"]
