"""A real MLP learning: forward pass, loss, gradients flowing back, the update, then training.

By default a tiny 2-4-4-2 tanh MLP is trained on ``xor`` with a fixed seed (a few
seconds, cached under ``.vizdl-cache/``); point it at your own MLP run with::

    VIZDL_RUN=runs/x manim -ql scenes/backprop.py

Every number shown comes from the recorded run and torch autograd
(:func:`vizdl.ops.backprop_at_step`).
"""
from manim import Scene, config

from vizdl.anim.backprop import BackpropStory
from vizdl.anim.runs import scene_run

config.background_color = "#ffffff"
config.disable_caching = True


class Backprop(Scene):
    """Forward values, loss, dl/dx_i and dl/dA_i layer by layer, the update, then the replay."""

    def construct(self):
        story = BackpropStory(scene_run())
        for beat in story.beats():
            self.remove(*beat.remove)
            self.add(*beat.add)
            if beat.animations:
                self.play(*beat.animations, run_time=beat.run_time)
            else:
                self.wait(beat.run_time)
