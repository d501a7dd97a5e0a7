"""Back-propagation through a real MLP: forward, loss, gradients flowing back, the update, the replay.

One recorded step of a run is explained on one probe input in the notes' notation
(:func:`vizdl.views.backprop.backprop_view`, every number from torch autograd), then the
run's recorded mini-batch steps are replayed. Options (class attributes, or
``vizdl render backprop --run DIR --set sample=3``): ``run`` (a run directory; default the
``recipe``'s cached run), ``recipe``, ``step`` (-1: the first recorded step), ``sample``,
``replay`` (recorded steps replayed), ``max_neurons`` (rows per hidden layer and input, an
ellipsis standing for the others; 0: :data:`AUTO_NEURONS` -- all 8 of the notes' 2-8-8-2, 6 rows
for image inputs so the neurons stay large enough to read), ``max_outputs`` (output rows,
the true class always among them; 0: the same automatic rows).
"""
from __future__ import annotations

from vizdl.anim.network import Z
from vizdl.anim.network_story import ComposedText, StoryPicture, diagram_aspect
from vizdl.anim.scene import Beat, LectureScene
from vizdl.recipes import open_run
from vizdl.views.backprop import backprop_view
from vizdl.views.boundary import is_2d

#: ``max_neurons=0``: rows per layer for 2-D point inputs and for images (wide layers).
AUTO_NEURONS = {"points": 8, "image": 6}

#: Seconds each kind of step animates at lecture pace.
RUN_TIMES = {"network": 1.5, "forward": 1.5, "loss": 1.2, "backward": 1.5, "gradient": 2.0, "update": 2.0,
             "after": 1.5, "mini-batch": 1.5, "replay": 1.0}


class Backprop(ComposedText, LectureScene):
    """Forward values, loss, dl/dx_i and dl/dA_i layer by layer, the update, then the recorded steps."""

    run: str = ""
    recipe: str = "xor-mlp"
    step: int = -1
    sample: int = 0
    replay: int = 6
    max_neurons: int = 0
    max_outputs: int = 0
    options = LectureScene.options + ("run", "recipe", "step", "sample", "replay", "max_neurons", "max_outputs")

    def beats(self):
        run = open_run(self.run, self.recipe)
        rows = AUTO_NEURONS["points" if is_2d(run) else "image"]
        view = backprop_view(run, step=None if self.step < 0 else self.step, sample=self.sample,
                             replay=self.replay, max_neurons=self.max_neurons or rows,
                             max_outputs=self.max_outputs or rows,
                             aspect=diagram_aspect(self.content_area(), formulas=True))
        self.show_title(view.title.text).set_z_index(Z["static"])  # never animates: not redrawn per frame
        picture = StoryPicture(view, self.theme, self.content_area())
        self.view, self.picture = view, picture
        for k, step in enumerate(view.story):
            kind = step.name.split("-")[0] if not step.name.startswith("mini-batch") else "mini-batch"
            play = picture.play(k, RUN_TIMES.get(kind, 1.5))
            yield Beat(step.caption, [play], name=step.name, numbers=step.numbers)
