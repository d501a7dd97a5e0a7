"""The notes' chain-rule example: f(x, y, z) = (x + y) * z, every number from autograd.

Beats: the expression as a graph, the forward pass column by column, the local
derivatives, the backward pass from the output, the chain rule. Options (class
attributes, or ``vizdl render computational_graph --set x=2``): ``x``, ``y``, ``z``.
"""
from __future__ import annotations

from vizdl.anim.graph import GraphDiagram
from vizdl.anim.paint import formula
from vizdl.anim.scene import Beat, LectureScene
from vizdl.ops.graph import chain_rule_example
from vizdl.views.graph import graph_view

#: Seconds each kind of reveal animates at lecture pace.
RUN_TIMES = {"expression": 2.0, "local-derivatives": 2.5, "chain-rule": 3.0}


class ComputationalGraph(LectureScene):
    """Forward values, local derivatives and the chain rule on a three-input graph."""

    x: float = 1.0
    y: float = -3.0
    z: float = 4.0
    options = LectureScene.options + ("x", "y", "z")

    def beats(self):
        view = graph_view(chain_rule_example(self.x, self.y, self.z))
        self.show_title(formula(view.title, self.theme))
        diagram = self.fit(GraphDiagram(view, self.theme))
        for step in view.story:
            yield Beat.of(step.caption, diagram.elements.reveal(step.reveal),
                          run_time=RUN_TIMES.get(step.name, 1.2), name=step.name, numbers=step.numbers)
