"""An input going through a recorded CNN: the feature maps of each layer, then the prediction.

Beats: the input; one beat per layer (in the order forward runs them), saying what the
layer did; the model's prediction. Each layer's channels share one colour scale, shown
as a colour bar under them. Options (class attributes, ``vizdl render feature_maps --set
sample=3`` or ``VIZDL_OPTIONS="sample=3,layers=features.0;features.3"``):

- ``recipe``: the training recipe of the default run (``digits-cnn``: the notes' cifar_cnn
  on the 8x8 digits); ``run``: a run directory to show instead (``--run``, ``VIZDL_RUN``);
- ``layers``: layer names separated by ``;`` (default: every recorded layer with channels,
  up to ``max_layers``); ``sample`` (probe sample); ``step`` (-1: the last);
  ``max_channels`` (channels shown per layer).
"""
from __future__ import annotations

from vizdl.anim.feature_maps import FeatureMapsDiagram
from vizdl.anim.paint import text
from vizdl.anim.scene import Beat, LectureScene
from vizdl.views.feature_maps import feature_maps_view

#: Seconds each beat's animation runs at lecture pace.
RUN_TIMES = {"input": 1.0, "prediction": 1.0}
LAYER_RUN_TIME = 1.5


class FeatureMaps(LectureScene):
    """A probe image through a CNN's layers: channels per layer on one scale each, then the prediction."""

    recipe: str = "digits-cnn"
    run: str = ""
    layers: str = ""
    sample: int = 0
    step: int = -1
    max_channels: int = 16
    max_layers: int = 6
    options = LectureScene.options + ("recipe", "run", "layers", "sample", "step", "max_channels", "max_layers")

    def view(self):
        """The :class:`vizdl.views.feature_maps.FeatureMapsView` this scene plays."""
        from vizdl.recipes import open_run

        layers = [name.strip() for name in self.layers.split(";") if name.strip()] or None
        return feature_maps_view(open_run(self.run, self.recipe), layers=layers, sample=self.sample, step=self.step,
                                 max_channels=self.max_channels, max_layers=self.max_layers)

    def beats(self):
        view = self.view()
        self.show_title(text(view.title, self.theme))
        diagram = FeatureMapsDiagram(view, self.theme, area=self.content_area())
        for step in view.story:
            yield Beat.of(step.caption, diagram.reveal(step), run_time=RUN_TIMES.get(step.name, LAYER_RUN_TIME),
                          name=step.name, numbers=step.numbers)
