"""
What each layer makes of the digits
===================================

The recorded activations of the digits MLP on its probe batch, projected on their first two
principal components layer by layer (in execution order), coloured by class: the classes
separate as the layers go deeper.
"""
import vizdl
from vizdl import figures
from vizdl.recipes import recipe_run

run = recipe_run("digits-mlp")
with vizdl.styles.use("slides"):
    fig = figures.layer_representations(run)
fig
