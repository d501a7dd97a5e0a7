"""Max pooling, average pooling and invertible pooling (squeeze) on the notes' 8x8 example.

Render (one section per kind), or only some kinds::

    manim -ql scenes/pooling.py
    VIZDL_POOL=max manim -ql scenes/pooling.py
"""
from manim import Scene, config

from vizdl.anim.grid import label
from vizdl.anim.pooling import PoolingDiagram, SqueezeDiagram, kinds_from_env, pool_title

config.background_color = "#ffffff"
config.disable_caching = True


class Pooling(Scene):
    """The window sweeps the 8x8 matrix; max marks the winning cells; squeeze makes 4 channels."""

    kinds = None  # None: $VIZDL_POOL or max, avg and squeeze

    def construct(self):
        kinds = self.kinds or kinds_from_env()
        for n, kind in enumerate(kinds):
            self.next_section(kind)
            title = label(pool_title(kind), 32).to_edge([0, 1, 0], buff=0.3)
            diagram = SqueezeDiagram() if kind == "squeeze" else PoolingDiagram(kind=kind)
            self.add(title, diagram)
            self.wait(0.4)
            for anims in diagram.animate_steps():
                if kind != "squeeze":
                    self.add(diagram.window, diagram.marker)  # on top: only they are redrawn
                self.play(*anims)
            self.wait(1.0)
            if n < len(kinds) - 1:
                self.clear()
