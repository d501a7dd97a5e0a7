"""
The chain rule on a computational graph
=======================================

The notes' example ``f(x, y, z) = (x + y) * z`` at ``x = 1, y = -3, z = 4``: every
value (green) and every gradient ``df/dnode`` (orange) is computed by torch autograd.
"""
# %%
# The whole story: forward values, local derivatives, gradients, chain rule.
import vizdl
from vizdl import figures

with vizdl.styles.use("slides"):
    ax = figures.computational_graph()
ax.figure

# %%
# Any step of the story: here the forward pass only, with its caption.
from vizdl.ops.graph import chain_rule_example

with vizdl.styles.use("slides"):
    ax = figures.computational_graph(chain_rule_example(x=2.0, y=0.5, z=-1.0), step="forward-2", caption=True)
ax.figure
