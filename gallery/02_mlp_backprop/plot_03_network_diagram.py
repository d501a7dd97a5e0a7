"""
A trained MLP on one input
==========================

The xor MLP of the ``xor-mlp`` recipe (trained once, seeded, cached): each neuron shows its
recorded activation on one probe point, each edge its weight (red > 0, blue < 0, width and
opacity by magnitude). Every number is a tensor of the run.
"""
import vizdl
from vizdl import figures
from vizdl.recipes import recipe_run

run = recipe_run("xor-mlp")
with vizdl.styles.use("slides"):
    ax = figures.network_diagram(run, run.steps[-1], sample=0)
ax.figure
