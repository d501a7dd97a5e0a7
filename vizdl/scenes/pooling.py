"""Max pooling, average pooling and invertible pooling (squeeze) on the notes' 8x8 matrix.

Every number from :mod:`vizdl.ops`, through the same views as the figures and GIFs
(:mod:`vizdl.views.pooling`). Each kind plays as sections (one slide per beat): the
setup, two windows with their formula (max pooling outlines the winning cell), the
sweep, the summary; the squeeze sends each position of the 2x2 blocks to its channel.

Options (class attributes, ``vizdl render pooling --set kinds=max`` or
``VIZDL_OPTIONS="kinds=max avg"``): ``kinds`` (any of ``max``, ``avg``, ``squeeze``,
separated by spaces, ``+`` or commas), ``kernel`` and ``stride`` (0: the kernel) of max and
average pooling.
"""
from __future__ import annotations

import re

from manim import FadeOut

from vizdl.anim.pooling import PoolingDiagram, SqueezeDiagram
from vizdl.anim.scene import Beat, LectureScene, Play
from vizdl.views.pooling import POOL_KINDS, pool_view, squeeze_view


def parse_kinds(spec: str) -> tuple:
    """``"max avg"``, ``"max+squeeze"`` or ``"max,avg"`` -> ``("max", "avg")``; ``ValueError`` names a bad kind."""
    kinds = tuple(k for k in re.split(r"[\s,+;]+", str(spec).strip().lower()) if k)
    bad = [k for k in kinds if k not in POOL_KINDS]
    if bad or not kinds:
        raise ValueError(f"kinds must be some of {', '.join(POOL_KINDS)} (separated by spaces, '+' or commas), "
                         f"got {spec!r}")
    return kinds


class Pooling(LectureScene):
    """The window sweeps the notes' 8x8 matrix; max keeps the winners, average the means; squeeze makes 4 channels."""

    kinds: str = "max avg squeeze"
    kernel: int = 2
    stride: int = 0
    options = LectureScene.options + ("kinds", "kernel", "stride")

    @classmethod
    def parse_option(cls, name: str, value):
        """``kinds`` is checked by :func:`parse_kinds`."""
        value = super().parse_option(name, value)
        if name == "kinds":
            parse_kinds(value)
        return value

    def views(self) -> list:
        """The views played, in the order of ``kinds``."""
        return [squeeze_view() if kind == "squeeze" else pool_view(kind, kernel=self.kernel, stride=self.stride or None)
                for kind in parse_kinds(self.kinds)]

    def beats(self):
        for view in self.views():
            kind = getattr(view, "kind", "squeeze")
            painter = SqueezeDiagram if kind == "squeeze" else PoolingDiagram
            diagram = self.fit_padded(painter(view, self.theme))
            for step in view.story:
                plays = diagram.plays(step)
                if step.name == "setup":
                    leaving = self.content_mobjects()
                    if leaving:
                        plays[0] = Play([FadeOut(*leaving), *plays[0].animations], plays[0].run_time)
                    self.show_title(view.title.text)
                yield Beat(step.caption, plays, name=f"{kind}-{step.name}", numbers=step.numbers)


__all__ = ["Pooling", "parse_kinds"]
