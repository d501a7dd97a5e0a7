"""Training dynamics: the network's weights, the 2-D decision boundary and the loss curve together.

By default the tiny xor MLP of ``scenes/backprop.py`` (cached under ``.vizdl-cache/``);
your own 2-D MLP run with::

    VIZDL_RUN=runs/x manim -ql scenes/training.py
"""
from manim import Scene, config

from vizdl.anim.backprop import play_beats
from vizdl.anim.runs import scene_run
from vizdl.anim.training import TrainingStory

config.background_color = "#ffffff"
config.disable_caching = True


class Training(Scene):
    """Edges recoloured by the recorded weights while the boundary and the loss evolve."""

    def construct(self):
        play_beats(self, TrainingStory(scene_run()).beats())
