"""The sliding-window 2-D convolution: the notes' five cases of kernel size, padding and stride.

Every number from :mod:`vizdl.ops`, through the same view as the figures and GIFs
(:func:`vizdl.views.conv.conv_view`). Each case plays as sections (one slide per beat):
the setup, one window with its sum of products (two for the first case and for a stride
above 1, where the second shows the step), the sweep, the output-size formula (with the
floor and the rows it drops when the stride does not divide). After the first
padded case, the padding modes: where each padded value comes from in reflect, replicate
and circular padding, and what it changes in the output.

Options (class attributes, ``vizdl render convolution --set cases="k=3 s=2 p=1 mode=reflect input=7"``
or ``VIZDL_OPTIONS="cases=k3p1s3"``):

- ``cases``: ``"notes"`` (the five), notes' names (``"k3p1s3"``) or ``key=value`` items
  (``k s p d mode input bias seed``), several separated by ``;``;
- ``padding_modes``: play the padding modes after the first padded case;
- ``modes_only``: play only the padding modes of the first padded case (the
  ``padding_modes`` scene).
"""
from __future__ import annotations

from manim import FadeOut

from vizdl.anim.convolution import ConvolutionDiagram
from vizdl.anim.scene import Beat, LectureScene, Play
from vizdl.ops.conv_cases import parse_cases
from vizdl.views.conv import conv_view


class Convolution(LectureScene):
    """Kernel sliding over the padded input, sums of products, the output size, the padding modes."""

    cases: str = "notes"
    padding_modes: bool = True
    modes_only: bool = False
    options = LectureScene.options + ("cases", "padding_modes", "modes_only")

    @classmethod
    def parse_option(cls, name: str, value):
        """``cases`` is checked by :func:`vizdl.ops.parse_cases` (a ``ValueError`` names the bad item)."""
        value = super().parse_option(name, value)
        if name == "cases":
            parse_cases(value)
        return value

    def views(self) -> list:
        """The views the scene plays, in order (the padding modes ride on the first padded case)."""
        cases = parse_cases(self.cases)
        padded = next((c for c in cases if c.padding), None)
        if self.modes_only:
            if padded is None:
                raise ValueError(f"{type(self).__name__}: modes_only needs a padded case; cases: {self.cases!r}")
            return [conv_view(padded, sweep=False, modes=True)]
        # two windows in detail where the second one shows something new (the first case, a stride > 1)
        return [conv_view(c, modes=self.padding_modes and c is padded, detailed=2 if k == 0 or c.stride > 1 else 1)
                for k, c in enumerate(cases)]

    def beats(self):
        for view in self.views():
            diagram = self.fit_padded(ConvolutionDiagram(view, self.theme))
            for step in view.story:
                plays = diagram.plays(step)
                if step.name == "setup":
                    leaving = self.content_mobjects()
                    if leaving:
                        plays[0] = Play([FadeOut(*leaving), *plays[0].animations], plays[0].run_time)
                    self.show_title(view.title.text)
                elif step.name.startswith("mode-") and not step.name.endswith("-output"):
                    self.show_title(view.mode(step.name[len("mode-"):]).title.text)
                yield Beat(step.caption, plays, name=f"{view.case.name}-{step.name}", numbers=step.numbers)


class PaddingModes(Convolution):
    """The padding modes on the notes' padded case: where each padded value comes from."""

    modes_only = True


__all__ = ["Convolution", "PaddingModes"]
