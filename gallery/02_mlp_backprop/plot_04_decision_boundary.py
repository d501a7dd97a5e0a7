"""
The decision boundary while the MLP trains
==========================================

The same xor MLP at several recorded steps: the model is rebuilt with each step's
weights and evaluated on a grid; the probe points keep their class colours.
"""
import vizdl
from vizdl import figures
from vizdl.recipes import recipe_run

run = recipe_run("xor-mlp")
with vizdl.styles.use("slides"):
    fig = figures.decision_boundary_grid(run)
fig
