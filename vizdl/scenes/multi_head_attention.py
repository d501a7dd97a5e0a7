"""Multi-head attention with a trained transformer's real numbers: X W per head, the heads, Concat, W_O.

Beats: the layer's input X; head h's X W_Q + b = Q, then K and V; head h's attention
softmax(QKᵀ/√d_k)V = Z; every head's Z; their concatenation; Concat W_O + b_O, the
layer's output; the model's prediction. Options as :class:`vizdl.scenes.attention.Attention`
(``recipe``, ``run``, ``layer``, ``head``, ``sample``, ``step``; ``vizdl render
multi_head_attention --set head=1``).
"""
from __future__ import annotations

from vizdl.scenes.attention import Attention

#: Seconds each beat's animation runs at lecture pace.
RUN_TIMES = {"x": 1.2, "wq": 1.5, "wk": 1.2, "wv": 1.2, "head": 1.5, "heads": 1.5, "concat": 1.5, "output": 1.5,
             "prediction": 1.0}


class MultiHeadAttention(Attention):
    """The whole multi-head attention layer of a recorded run, head by head, then Concat and W_O."""

    run_times = RUN_TIMES

    def view(self):
        """The :func:`vizdl.views.multi_head.multi_head_view` this scene plays."""
        from vizdl.recipes import open_run
        from vizdl.views.multi_head import multi_head_view

        return multi_head_view(open_run(self.run, self.recipe), layer=self.layer or None, head=self.head,
                               sample=self.sample, step=self.step)
