"""The notes' recurrent block, rolled then unrolled, with a trained RNN's real hidden states.

Beats: the rolled block (one tanh cell and its loop), the same cell unrolled over the
tokens of one probe sequence, one beat per time step (``h_t`` appears, red > 0, blue < 0),
then the head's answer. The default run is the recipe ``sequences-rnn`` (an 8-unit tanh
RNN that learnt to remember the first of 10 tokens; trained once, cached). Options (class
attributes, or ``vizdl render rnn --run DIR --set sample=3``): ``run``, ``sample``, ``step``.
"""
from __future__ import annotations

from vizdl.anim.paint import formula
from vizdl.anim.recurrent import UnrolledDiagram
from vizdl.anim.scene import Beat, LectureScene

#: Seconds each kind of reveal animates at lecture pace.
RUN_TIMES = {"rolled": 2.0, "unrolled": 2.5, "readout": 1.5}


def scene_run(scene):
    """The scene's ``run`` option opened, or its recipe's cached run."""
    if scene.run:
        from vizdl.runs import Run

        return Run.open(scene.run)
    from vizdl.recipes import recipe_run

    return recipe_run(scene.recipe)


def scene_trace(scene):
    """``(run, trace)`` of the scene's options (``step < 0``: the last recorded step)."""
    from vizdl.ops.recurrent import recurrent_trace

    run = scene_run(scene)
    return run, recurrent_trace(run, None if scene.step < 0 else scene.step, sample=scene.sample)


class RNN(LectureScene):
    """The recurrent block rolled, then unrolled over a real sequence, its hidden states step by step."""

    run: str = ""
    sample: int = 0
    step: int = -1
    recipe = "sequences-rnn"
    options = LectureScene.options + ("run", "sample", "step")

    def beats(self):
        from vizdl.views.recurrent import unrolled_view

        run, trace = scene_trace(self)
        view = unrolled_view(trace, classes=run.meta.get("dataset", {}).get("classes"))
        self.show_title(formula(view.title, self.theme))
        diagram = self.fit(UnrolledDiagram(view, self.theme))
        for step in view.story:
            yield Beat.of(step.caption, diagram.elements.reveal(step.reveal), run_time=RUN_TIMES.get(step.name, 1.0),
                          name=step.name, numbers=step.numbers)
