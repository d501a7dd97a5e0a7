"""The sliding-window 2-D convolution: the notes' five cases of kernel size, padding and stride.

Render all cases (one section each)::

    manim -ql scenes/convolution.py

or one case::

    VIZDL_CONV="k=3,s=2,p=1,mode=reflect,input=7" manim -ql scenes/convolution.py
"""
from manim import FadeIn, FadeOut, Scene, Write, config

from vizdl.anim.convolution import ConvolutionDiagram, cases_from_env, formula_tex, with_mode
from vizdl.anim.grid import label
from vizdl.ops import PADDING_MODES

config.background_color = "#ffffff"
config.disable_caching = True


class Convolution(Scene):
    """Kernel sliding over the padded input, outputs with their sums of products, size formula."""

    cases = None  # None: the notes' five cases, or $VIZDL_CONV

    def construct(self):
        cases = self.cases or cases_from_env()
        show_modes = len(cases) > 1
        for n, case in enumerate(cases):
            self.next_section(case.name)
            self.play_case(case, modes=show_modes and case.padding == 1 and case.stride == 1)
            if n < len(cases) - 1:
                self.clear()

    def play_case(self, case, modes=False):
        title = label(case.title(), 30).to_edge([0, 1, 0], buff=0.3)
        diagram = ConvolutionDiagram.from_case(case)
        formula = formula_tex(case.input, case.kernel, case.stride, case.padding, case.dilation)
        formula.to_edge([0, -1, 0], buff=0.35)
        self.add(title, diagram, formula[0])
        self.wait(0.3)
        for anims in diagram.animate_steps():
            self.add(diagram.window, diagram.marker)  # on top: only they are redrawn per frame
            self.play(*anims)
        self.play(Write(formula[1]), run_time=0.8)
        if modes:
            self.play_modes(case, diagram, title)
        self.wait(0.6)

    def play_modes(self, case, diagram, title):
        self.play(FadeOut(diagram.window, diagram.marker), run_time=0.3)
        for mode in PADDING_MODES[1:]:
            new_title = label(with_mode(case, mode).title(), 30).move_to(title)
            self.play(*diagram.change_mode(mode), FadeOut(title), FadeIn(new_title), run_time=0.7)
            title = new_title
            self.wait(0.5)
