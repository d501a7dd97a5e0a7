"""Self-attention with a trained transformer's real numbers: the notes' formula step by step.

Beats: Q, K and V of one head; QKᵀ; the scaling by √d_k; the row-wise softmax; the
weighted sum of V; every head of the layer; the model's prediction. The task, the model
and the input tokens stay on screen. Options (class attributes, ``vizdl render attention
--set head=1`` or ``VIZDL_OPTIONS="head=1,sample=3"``):

- ``recipe``: the training recipe of the default run (``sequences-attention``: 4 tokens,
  d_k = 4; ``sequences-transformer``: the demo's 8 tokens, d_k = 16);
- ``run``: a run directory to show instead (``--run``, ``VIZDL_RUN``);
- ``layer`` (default the first attention layer), ``head``, ``sample`` (probe sample),
  ``step`` (recorded step, -1 the last), ``query`` (the row boxed in the softmax beat).
"""
from __future__ import annotations

from vizdl.anim.attention import AttentionWalkthrough
from vizdl.anim.paint import formula
from vizdl.anim.scene import Beat, LectureScene
from vizdl.views.attention import attention_view

#: Seconds each beat's animation runs at lecture pace.
RUN_TIMES = {"qkv": 1.5, "scores": 1.5, "scaled": 1.2, "softmax": 1.5, "output": 1.5, "heads": 1.5,
             "prediction": 1.0}


#: Room (manim units) kept between the content and the caption band.
CAPTION_GAP = 0.2


class Attention(LectureScene):
    """softmax(QKᵀ/√d_k)·V step by step on a recorded run, then every head and the prediction."""

    recipe: str = "sequences-attention"
    run: str = ""
    layer: str = ""
    head: int = 0
    sample: int = 0
    step: int = -1
    query: int = 0
    options = LectureScene.options + ("recipe", "run", "layer", "head", "sample", "step", "query")
    run_times = RUN_TIMES

    def view(self):
        """The :class:`vizdl.views.attention.AttentionView` this scene plays."""
        from vizdl.recipes import open_run

        return attention_view(open_run(self.run, self.recipe), layer=self.layer or None, head=self.head,
                              sample=self.sample, step=self.step, query=self.query)

    def area_below(self, title) -> tuple:
        """The content area, shortened when the title (a formula with a fraction) reaches below its band.

        It stops :data:`CAPTION_GAP` above the caption band: the heads' labels sit at the
        very bottom of the last stage, right above a two-line caption.
        """
        width, height, centre = self.content_area()
        top, bottom = centre[1] + height / 2, centre[1] - height / 2 + CAPTION_GAP
        top = min(top, title.get_bottom()[1] - 0.15)
        return width, top - bottom, centre * 0 + [centre[0], (top + bottom) / 2, 0.0]

    def beats(self):
        view = self.view()
        title = self.show_title(formula(view.title, self.theme))
        walkthrough = AttentionWalkthrough(view, self.theme, area=self.area_below(title))
        for step in view.story:
            yield Beat.of(step.caption, walkthrough.beat(step), run_time=self.run_times.get(step.name, 1.5),
                          name=step.name, numbers=step.numbers)
