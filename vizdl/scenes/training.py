"""Training dynamics: a network's recorded weights replayed beside the decision regions and the loss.

Edges keep one colour scale for the whole replay (shown as a colour bar), so growing
weights show as stronger colours; 2-D data get the decision regions, image data the input
image and a readable neuron subset. Options (class attributes, or ``vizdl render training
--run DIR --set snapshots=12``): ``run``, ``recipe``, ``snapshots``, ``sample``, ``max_neurons``, ``max_outputs``.
"""
from __future__ import annotations

from vizdl.anim.network import Z
from vizdl.anim.network_story import ComposedText, StoryPicture, diagram_aspect
from vizdl.anim.scene import Beat, LectureScene
from vizdl.recipes import open_run
from vizdl.views.training import training_view


class Training(ComposedText, LectureScene):
    """Edges recoloured by the recorded weights on a fixed scale while the boundary and the loss evolve."""

    run: str = ""
    recipe: str = "xor-mlp"
    snapshots: int = 8
    sample: int = 0
    max_neurons: int = 8
    max_outputs: int = 8
    options = LectureScene.options + ("run", "recipe", "snapshots", "sample", "max_neurons", "max_outputs")

    def beats(self):
        run = open_run(self.run, self.recipe)
        view = training_view(run, snapshots=self.snapshots, sample=self.sample, max_neurons=self.max_neurons,
                             max_outputs=self.max_outputs,
                             aspect=diagram_aspect(self.content_area(), formulas=False))
        self.show_title(view.title.text).set_z_index(Z["static"])  # never animates: not redrawn per frame
        picture = StoryPicture(view, self.theme, self.content_area())
        self.view, self.picture = view, picture
        for k, step in enumerate(view.story):
            yield Beat(step.caption, [picture.play(k, 1.5 if k == 0 else 1.0)], name=step.name,
                       numbers=step.numbers)
