"""Manim painter of a :class:`vizdl.views.network.NetworkStory` (back-propagation, training replay).

:class:`StoryPicture` lays the story out in a scene's content area — the network on the
left, beside it the decision regions (2-D data), the loss curve and the edges' legend
with its colour bar, the formula lines across the bottom — and turns each step of the
story into one :class:`vizdl.anim.scene.Play`: the difference between the state before
and after the step (edges restyled, numbers faded in or out, formulas swapped, the
regions replaced, the loss marker moved). The scene only yields one beat per step.
"""
from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, VGroup

from vizdl.anim.glyphs import text_label, wrapped_label
from vizdl.anim.network import (
    EXAMPLE_WIDTH,
    HEADER_BAND,
    NetworkDiagram,
    Restyle,
    Z,
    fade_in,
    fade_out,
    text,
)
from vizdl.anim.paint import formula, scale_bar
from vizdl.anim.scene import Play, fit_into
from vizdl.anim.training import DecisionPanel, LossCurve
from vizdl.styles.theme import LIGHT
from vizdl.views.base import Label, Placed
from vizdl.views.network import NetworkState

FORMULA_SIZE = 30
LEGEND_SIZE = 22
#: Height of the formula band (two lines) and width of the side column, in scene units.
FORMULA_BAND = 1.3
SIDE_WIDTH = 3.7
GAP = 0.3


class StoryPicture:
    """Every mobject of a network story, laid out in ``area``, and the play of each step.

    Parameters
    ----------
    view : vizdl.views.network.NetworkStory
    theme : Theme
    area : (width, height, centre)
        The scene's content area (:meth:`vizdl.anim.scene.LectureScene.content_area`).
    """

    def __init__(self, view, theme=LIGHT, area=(13.6, 5.9, (0.0, 0.0, 0.0))):
        self.view, self.theme = view, theme
        width, height, centre = area
        self.diagram = NetworkDiagram(view.layout, theme, value_sets=view.value_sets, grad_sets=view.grad_sets)
        self.edge_labels = self._edge_labels()
        self.focus = {f"{k}-{mode}": m for k, modes in self.edge_labels.items() for mode, m in modes.items()
                      if mode != "weights"}
        self.example = (self.diagram._static(view.example) if view.example is not None else None)
        self.formulas = {k: formula(f, theme, font_size=FORMULA_SIZE).set_z_index(Z["formula"])
                         for k, f in view.formulas.items()}
        band = FORMULA_BAND if view.formulas else 0.0
        left, top = centre[0] - width / 2, centre[1] + height / 2
        self.panel = DecisionPanel(view.frame, theme, side=2.6) if view.frame is not None else None
        self.curve = LossCurve(view.curve, theme, width=2.9, height=1.1) if view.curve is not None else None
        self.legends = {k: self._legend(k) for k in view.legends}
        legend_slot = VGroup(*self.legends.values())
        for legend in self.legends.values():
            legend.move_to(legend_slot, aligned_edge=UP + LEFT)
        parts = [m for m in (self.panel, self.curve) if m is not None] + ([legend_slot] if self.legends else [])
        self.side = VGroup(*parts)
        side_w = 0.0
        if parts:
            self.side.arrange(DOWN, buff=0.3, aligned_edge=LEFT)
            fit_into(self.side, SIDE_WIDTH, height - 0.15)
            side_w = self.side.width + GAP
            self.side.next_to([centre[0] + width / 2, top, 0], DOWN + LEFT, buff=0)
        self._fit_diagram(width - side_w, height - band, left, top)
        self.formula_width = width - side_w
        self.formula_center = np.array([left + self.formula_width / 2, centre[1] - height / 2 + band / 2 + 0.1, 0.0])
        self.region_images: dict = {}
        self.state = None

    # -- layout ----------------------------------------------------------------------------
    def _fit_diagram(self, width, height, left, top) -> None:
        """Fit the network into ``width`` x ``height`` below ``top``, texts at screen sizes.

        Texts keep their screen size while the network scales, so a second pass shrinks the
        network by what the texts (class names...) stick out.
        """
        d = self.diagram
        extra = [self.example] if self.example else []
        holder = VGroup(d.body, *extra)
        before = d.node_group.width or 1.0
        target = width
        for _ in range(3):
            fit_into(holder, target, height - HEADER_BAND)
            holder.next_to([left, top - HEADER_BAND, 0], DOWN + RIGHT, buff=0)
            self.unit = d.node_group.width / before
            d.resize_texts(self.unit, extra=extra)
            d.place_headers(extra=list(self.focus.values()))
            whole = VGroup(holder, *(m for m in d.statics.values()), *self.focus.values())
            overflow = whole.get_right()[0] - (left + width)
            if overflow <= 0.01 and whole.get_left()[0] >= left - 0.01:
                break
            target = holder.width * width / whole.width
        whole.shift(RIGHT * (left - whole.get_left()[0]))
        for layer in range(1, self.view.layout.depth + 1):  # strokes do not scale with the group
            for line, (_, w, _) in zip(d.layer_lines(layer), d.strokes(layer, unit=self.unit)):
                line.set_stroke(width=w)

    def _edge_labels(self) -> dict:
        """Per layer, the label over its edges in each mode: ``A_i`` (weights), highlighted, ``∂l/∂A_i``."""
        out = {}
        for placed in self.view.layout.labels:
            if not placed.id.startswith("weights-"):
                continue
            layer = int(placed.id.split("-")[1])
            gradient = next((s.label() for s in self.view.edge_styles.values()
                             if s.layer == layer and s.meaning == "gradients"), None)
            modes = {"weights": self.diagram.statics[placed.id],
                     "focus": self.diagram._static(Placed(placed.id, placed.x, placed.y,
                                                          Label(placed.label.text, "focus", size=placed.label.size)))}
            if gradient is not None:
                modes["gradients"] = self.diagram._static(Placed(placed.id, placed.x, placed.y, gradient))
            out[layer] = modes
        return out

    def _edge_label_mode(self, state, layer: int) -> str:
        key = state.edges.get(layer)
        if key is not None and self.view.edge_styles[key].meaning == "gradients":
            return "gradients"
        return "focus" if state.weights_role == "focus" else "weights"

    def _legend(self, key) -> VGroup:
        lines = VGroup(*(text(label, self.theme, font_size=LEGEND_SIZE) for label in self.view.legends[key]))
        lines.arrange(DOWN, aligned_edge=LEFT, buff=0.1)
        group = VGroup(lines)
        for scale in self.view.scales.get(key, ()):
            bar = scale_bar(scale, self.theme, width=2.8, font_size=LEGEND_SIZE - 2)
            group.add(bar.next_to(group, DOWN, buff=0.2, aligned_edge=LEFT))
        group.key = key
        return group.set_z_index(Z["formula"])

    # -- mobjects of a state ---------------------------------------------------------------
    def _formula_lines(self, keys) -> VGroup:
        lines = VGroup(*(self.formulas[k] for k in keys))
        if keys:
            lines.arrange(DOWN, buff=0.18)
            fit_into(lines, self.formula_width, FORMULA_BAND)
            lines.move_to(self.formula_center)
        return lines

    def _regions(self, key):
        if key not in self.region_images:
            self.region_images[key] = self.panel.regions(self.view.regions[key])
        return self.region_images[key]

    def start(self) -> list:
        """Mobjects shown before the first step: the grey network and the side column's frames."""
        d = self.diagram
        shown = [d.edge_group, d.node_group, *d.statics.values()] + ([d.image] if d.image is not None else [])
        if self.panel is not None:
            shown.append(self.panel)
        if self.curve is not None:
            shown.append(self.curve)
        return shown

    def play(self, k: int, run_time: float = 1.5) -> Play:
        """The play that takes the picture from the state before step ``k`` to the state after it."""
        old = self.state if self.state is not None else NetworkState(legend="")
        new = self.view.states[k]
        animations, add, remove = [], [], []
        if self.state is None:
            animations += [fade_in(m) for m in self.start()]
            if self.panel is not None:
                self.panel.ring.set_z_index(Z["static"])
        self._edges(old, new, animations)
        self._numbers(old, new, animations)
        self._labels(old, new, animations)
        self._side(old, new, animations, add, remove)
        self.state = new
        return Play(animations, run_time, add, remove)

    def _edges(self, old, new, animations) -> None:
        d, lines, strokes = self.diagram, [], []
        changed_example = old.example != new.example
        for layer in range(1, self.view.layout.depth + 1):
            key = new.edges.get(layer)
            example_here = any(e is not None and edge_layer_of(e) == layer for e in (old.example, new.example))
            if key == old.edges.get(layer) and not (changed_example and example_here):
                continue
            style = self.view.edge_styles[key] if key is not None else None
            targets = d.strokes(layer, style, unit=self.unit)
            if new.example is not None and edge_layer_of(new.example) == layer:
                index = [f"edge-{e.source}-{e.target}" for e in self.view.layout.layer_edges(layer)].index(new.example)
                color, width, _ = targets[index]
                targets[index] = (color, width * EXAMPLE_WIDTH, 1.0)
            lines += d.layer_lines(layer)
            strokes += targets
        if lines:
            animations.append(Restyle(lines, strokes=strokes))

    def _numbers(self, old, new, animations) -> None:
        d = self.diagram
        circles, fills = [], []
        for layer in range(len(self.view.layout.columns)):
            before, after = old.values.get(layer), new.values.get(layer)
            if before != after:
                for circle, color in d.fill_colors(layer, after):
                    circles.append(circle)
                    fills.append(color)
                if before is not None:
                    animations.append(fade_out(d.values[before]))
                if after is not None:
                    animations.append(fade_in(d.values[after]))
            g_before, g_after = old.grads.get(layer), new.grads.get(layer)
            if g_before != g_after:
                if g_before is not None:
                    animations.append(fade_out(d.grads[g_before]))
                if g_after is not None:
                    animations.append(fade_in(d.grads[g_after]))
        if circles:
            animations.append(Restyle(circles, fills=fills))
        if old.ring != new.ring:
            if old.ring is not None:
                animations.append(fade_out(d.rings[old.ring]))
            if new.ring is not None:
                animations.append(fade_in(d.rings[new.ring]))

    def _labels(self, old, new, animations) -> None:
        if self.state is not None:
            for layer, modes in self.edge_labels.items():
                before, after = self._edge_label_mode(old, layer), self._edge_label_mode(new, layer)
                if before != after:
                    animations += [fade_out(modes[before]), fade_in(modes[after])]
        if self.example is not None and (old.example is None) != (new.example is None):
            animations.append(fade_in(self.example) if new.example is not None else fade_out(self.example))
        if old.formulas != new.formulas:
            if old.formulas:
                animations.append(fade_out(*(self.formulas[k] for k in old.formulas)))
            if new.formulas:
                animations.append(fade_in(self._formula_lines(new.formulas)))
        if old.legend != new.legend:
            if old.legend in self.legends:
                animations.append(fade_out(self.legends[old.legend]))
            if new.legend in self.legends:
                animations.append(fade_in(self.legends[new.legend]))

    def _side(self, old, new, animations, add, remove) -> None:
        if self.panel is not None and old.regions != new.regions:
            if old.regions is not None:
                remove.append(self._regions(old.regions))
            if new.regions is not None:
                add.append(self._regions(new.regions))
        if self.curve is not None and new.marker is not None and old.marker != new.marker:
            animations.append(self.curve.marker.animate.move_to(self.curve.point(new.marker)).build())


def edge_layer_of(edge: str) -> int:
    """The layer of an edge id ``"edge-n1.2-n2.0"``."""
    return int(edge.rsplit("-n", 1)[1].split(".")[0])


class ComposedText:
    """A :class:`vizdl.anim.scene.LectureScene` mixin: captions and the title composed from cached glyphs.

    The same layout as the base scene's (sizes, wrapping into two lines, margins), without a
    Pango call per caption: captions are most of a lecture-paced scene's text.
    """

    def caption_for(self, caption: str):
        from vizdl.anim.scene import CAPTION_SIZE, MARGIN

        width = self.camera.frame_width - 2 * MARGIN
        return wrapped_label(caption, width, font_size=CAPTION_SIZE, color=self.theme.color("ink")).to_edge(
            DOWN, buff=MARGIN)

    def show_title(self, title, **kwargs):
        from vizdl.anim.scene import TITLE_SIZE

        if isinstance(title, str):  # composed glyphs start at x = 0: centre them as Text would be
            title = text_label(title, kwargs.pop("font_size", TITLE_SIZE), self.theme.color("ink")).set_x(0)
        return super().show_title(title, **kwargs)


def diagram_aspect(area, *, formulas: bool = True) -> float:
    """Width / height of the network's part of ``area`` (for the views' ``aspect``)."""
    from vizdl.anim.network import HEADER_BAND

    width, height, _ = area
    labels = 1.2  # class names beside the outputs, "#j" beside the inputs
    return (width - SIDE_WIDTH - GAP - labels) / (height - (FORMULA_BAND if formulas else 0.0) - HEADER_BAND)


__all__ = ["ComposedText", "FORMULA_BAND", "SIDE_WIDTH", "StoryPicture", "diagram_aspect", "edge_layer_of"]
