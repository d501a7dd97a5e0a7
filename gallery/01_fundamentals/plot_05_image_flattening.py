"""
An image becomes the vector x_0
===============================

A probe digit of the ``digits-mlp`` recipe as a grid of numbers, and the vector ``x_0`` of its
rows laid end to end (what ``nn.Flatten`` gives the first layer).
"""
# vizdl-gallery: slow
import vizdl
from vizdl import figures
from vizdl.recipes import recipe_run

with vizdl.styles.use("slides"):
    fig = figures.image_flattening(recipe_run("digits-mlp"), sample=0)
fig
