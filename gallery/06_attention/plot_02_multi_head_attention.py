"""
Multi-head attention, head by head
==================================

The tiny transformer of the ``sequences-attention`` recipe (4 tokens, 2 heads of width 4):
head 0's queries Q = X W_Q + b_Q from the layer's input, then the heads' outputs side by
side and the output projection, Concat W_O + b_O = MultiHead(X), with the run's numbers
(recomputed from the recorded weights; the tests check them against the layer's output).
"""
import vizdl
from vizdl import figures
from vizdl.recipes import recipe_run

run = recipe_run("sequences-attention")
with vizdl.styles.use("slides"):
    fig = figures.multi_head_attention(run, sample=3, show="wq")
fig

# %%
# The heads concatenated and projected by W_O: the layer's output.
with vizdl.styles.use("slides"):
    fig = figures.multi_head_attention(run, sample=3, show="output")
fig
