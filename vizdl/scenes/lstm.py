"""The LSTM cell, then the gates of a trained LSTM on a real sequence, one time step per beat.

Beats: the cell (cell state along the top; forget, input and output gates), its equations,
then for each time step the table of every unit's numbers ``c_{t-1} | f | i | g | c_t | o |
h_t`` (what is forgotten, what is written, what is output; gates from 0 = closed to
1 = open), then the head's answer. The default run is the recipe ``sequences-lstm`` (8 units,
forget bias 1, remembering the first of 10 tokens). Options: ``run``, ``sample``, ``step``.
"""
from __future__ import annotations

from manim import FadeIn

from vizdl.anim.recurrent import GatedCellDiagram, table_change
from vizdl.anim.scene import Beat, LectureScene
from vizdl.scenes.rnn import scene_trace

RUN_TIMES = {"cell": 2.5, "equations": 2.5, "readout": 1.0}


class LSTM(LectureScene):
    """An LSTM cell and its gates, time step by time step, on a real sequence."""

    run: str = ""
    sample: int = 0
    step: int = -1
    recipe = "sequences-lstm"
    cell = "lstm"
    options = LectureScene.options + ("run", "sample", "step")

    def beats(self):
        from vizdl.views.gated import gated_view
        from vizdl.views.recurrent import describe_model, describe_task

        run, trace = scene_trace(self)
        if trace.cell != self.cell:
            raise ValueError(f"{type(self).__name__}: run {run.path} is a {trace.cell!r} run; this scene needs "
                             f"an {self.cell!r} run")
        view = gated_view(trace, classes=run.meta.get("dataset", {}).get("classes"))
        self.show_title(f"{describe_model(run.meta['model'])} on {describe_task(run.meta['dataset'])}: "
                        f"probe sequence {self.sample}, step by step")
        diagram = self.fit(GatedCellDiagram(view, self.theme))
        shown = None
        for step in view.story:
            if step.name.startswith("t-"):
                table = diagram.table(int(step.name[2:]))
                animations = [FadeIn(table)] if shown is None else table_change(shown, table)
                shown = table
            else:
                animations = diagram.elements.reveal(step.reveal)
                if step.name == "cell":
                    animations += diagram.elements.reveal(["bars"])
            yield Beat.of(step.caption, animations, run_time=RUN_TIMES.get(step.name, 1.0), name=step.name,
                          numbers=step.numbers)

