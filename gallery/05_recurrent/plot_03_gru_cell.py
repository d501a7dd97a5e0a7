"""
The GRU cell
============

The update gate ``z`` and the reset gate ``r`` of a GRU (8 units) trained on the same
memory task, with their values for a real probe sequence at time step 2.
"""
# vizdl-gallery: slow  (trains a small recurrent network on a CPU the first time, 5-25 s; cached after)
import vizdl
from vizdl import figures
from vizdl.recipes import recipe_run

with vizdl.styles.use("slides"):
    ax = figures.gru_cell(recipe_run("sequences-gru"), t=2)
ax.figure
