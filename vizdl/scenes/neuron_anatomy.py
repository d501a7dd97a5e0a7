"""One neuron of a trained MLP on one digit, term by term (notes 000/001, "Neurons").

Beats: the inputs (what the previous layer gives for this digit), the weights, the weighted
sum with the bias, the activation and the formula with the recorded numbers. Options (class
attributes, or ``vizdl render neuron_anatomy --set sample=3``): ``run`` (a recipe name or a run
directory, ``digits-mlp`` by default), ``layer`` (position of the Linear layer, 2 by default),
``neuron`` (``-1``: the layer's most active neuron on this input), ``sample``, ``max_inputs``.
"""
from __future__ import annotations

from pathlib import Path

from vizdl.anim.neuron import NeuronDiagram
from vizdl.anim.paint import text
from vizdl.anim.scene import Beat, LectureScene
from vizdl.ops.neuron import neuron_terms
from vizdl.views.base import Label
from vizdl.views.neuron import neuron_view

#: Seconds each reveal animates at lecture pace.
RUN_TIMES = {"inputs": 1.5, "weights": 2.0, "sum": 1.5, "activation": 2.0}


def open_run(run: str):
    """A recipe's run by name, or a run directory."""
    from vizdl.recipes import RECIPES, recipe_run
    from vizdl.runs import Run

    return recipe_run(run) if run in RECIPES else Run.open(Path(run))


class NeuronAnatomy(LectureScene):
    """Inputs, weights, weighted sum and activation of one neuron, with a trained run's numbers."""

    run: str = "digits-mlp"
    layer: int = 2
    neuron: int = -1
    sample: int = 0
    max_inputs: int = 5
    options = LectureScene.options + ("run", "layer", "neuron", "sample", "max_inputs")

    def view(self):
        """The scene's :class:`vizdl.views.neuron.NeuronView`."""
        terms = neuron_terms(open_run(self.run), layer=self.layer, neuron=None if self.neuron < 0 else self.neuron,
                             sample=self.sample)
        return neuron_view(terms, max_inputs=self.max_inputs)

    def beats(self):
        view = self.view()
        self.show_title(text(Label(view.title, size="title"), self.theme))
        diagram = self.fit(NeuronDiagram(view, self.theme))
        for step in view.story:
            yield Beat.of(step.caption, diagram.elements.reveal(step.reveal),
                          run_time=RUN_TIMES.get(step.name, 1.2), name=step.name, numbers=step.numbers)
