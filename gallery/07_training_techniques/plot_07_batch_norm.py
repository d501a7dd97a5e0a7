"""
Batch normalisation
===================

What each ReLU receives in a deep MLP with and without BatchNorm, and the training curves.
"""
# vizdl-gallery: slow  (two small trainings)
import vizdl
from vizdl import figures
from vizdl.recipes import recipe_run

with vizdl.styles.use("slides"):
    fig = figures.batch_norm([recipe_run("digits-bn"), recipe_run("digits-no-bn")])
fig
