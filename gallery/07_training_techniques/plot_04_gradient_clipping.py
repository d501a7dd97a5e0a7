"""
Gradient clipping
=================

The total gradient norm of every step of a run trained with ``clip_grad_norm=1``, before
and after clipping.
"""
import vizdl
from vizdl import figures
from vizdl.recipes import recipe_run

with vizdl.styles.use("slides"):
    ax = figures.gradient_clipping(recipe_run("digits-clip"))
ax.figure
