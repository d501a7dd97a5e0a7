"""The notes' chain-rule example: f(x, y, z) = (x + y) * z at x = 1, y = -3, z = 4.

Forward values, local derivatives, then the chain rule giving df/dx, df/dy, df/dz; every
number is computed by torch autograd (:func:`vizdl.ops.chain_rule_example`)::

    manim -ql scenes/computational_graph.py
"""
from manim import DOWN, LEFT, UP, Create, FadeIn, Scene, SurroundingRectangle, VGroup, Write, config

from vizdl.anim.graph import (GRAD_COLOR, GraphDiagram, backward_steps, chain_rule_tex, forward_steps,
                              legend, local_derivative_tex, title_tex)
from vizdl.ops.graph import chain_rule_example

config.background_color = "#ffffff"
config.disable_caching = True


class ComputationalGraph(Scene):
    """Forward pass, local derivatives and the chain rule on a three-input graph."""

    def construct(self):
        graph = chain_rule_example()
        title = title_tex(graph).to_edge(UP, buff=0.3)
        diagram = GraphDiagram(graph, dx=3.2, dy=1.6, center=UP * 0.6 + LEFT * 0.6)
        key = legend(graph.output).next_to(title, DOWN, buff=0.15)
        locals_ = VGroup(*(local_derivative_tex(graph, n.name, font_size=36) for n in graph.nodes
                           if not n.is_input)).arrange(DOWN, aligned_edge=LEFT, buff=0.3)
        locals_.to_corner(DOWN + LEFT, buff=0.4)
        chains = VGroup(*(chain_rule_tex(graph, n.name, font_size=36) for n in graph.inputs))
        chains.arrange(DOWN, aligned_edge=LEFT, buff=0.22).to_corner(DOWN + [1, 0, 0], buff=0.5)
        self.play(Write(title), run_time=1.0)
        self.play(Create(diagram), FadeIn(key), run_time=1.2)
        for labels in forward_steps(diagram):
            self.play(FadeIn(*labels), run_time=0.6)
        self.play(Write(locals_), run_time=1.5)
        for labels in backward_steps(diagram):
            self.play(FadeIn(*labels), run_time=0.6)
        self.play(Write(chains), run_time=2.0)
        self.play(Create(SurroundingRectangle(chains, color=GRAD_COLOR, buff=0.15)), run_time=0.6)
        self.wait(1.5)
