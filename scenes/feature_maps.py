"""An image from the data going through the first layers of a recorded CNN.

Trains a small CNN on the 8x8 digits the first time (cached in ``.vizdl-cache/``), or
uses your run::

    manim -ql scenes/feature_maps.py
    VIZDL_RUN=runs/my_cnn manim -ql scenes/feature_maps.py
"""
from manim import Scene, config

from vizdl.anim.feature_maps import digits_run, from_run
from vizdl.anim.grid import label

config.background_color = "#ffffff"
config.disable_caching = True


class FeatureMaps(Scene):
    """Input, then each layer's feature maps appearing channel by channel (one scale per layer)."""

    run_path = None  # None: $VIZDL_RUN or the cached digits run

    def construct(self):
        from vizdl import Run

        run = Run.open(self.run_path) if self.run_path else digits_run()
        model = run.model_name or (run.meta.get("model") or {}).get("class") or "a CNN"
        title = label(f"Feature maps of {model} (step {run.steps[-1]})", 30)
        self.add(title.to_edge([0, 1, 0], buff=0.3))
        diagram = from_run(run)
        for anims in diagram.animate_steps():
            self.play(*anims)
        self.wait(1.0)
