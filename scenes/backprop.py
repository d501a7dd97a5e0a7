"""A real MLP learning: forward pass, loss, gradients flowing back, the update, then training.

By default a tiny 2-4-4-2 tanh MLP is trained on ``xor`` with a fixed seed (a few
seconds, cached under ``.vizdl-cache/``); point it at your own MLP run with::

    VIZDL_RUN=runs/x manim -ql scenes/backprop.py

Every number shown comes from the recorded run and torch autograd
(:func:`vizdl.ops.backprop_at_step`).
"""
from manim import Scene, config

from vizdl.anim.backprop import BackpropStory, play_beats
from vizdl.anim.runs import scene_run

config.background_color = "#ffffff"
config.disable_caching = True


class Backprop(Scene):
    """Forward values, loss, dl/dx_i and dl/dA_i layer by layer, the update, then the replay."""

    def construct(self):
        play_beats(self, BackpropStory(scene_run()).beats())
