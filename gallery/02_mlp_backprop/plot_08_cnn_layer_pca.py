"""
What each layer of a CNN makes of the digits
============================================

PCA of the recorded activations of the ``digits-cnn-layers`` recipe (the notes' CNN on the 8x8
digits), layer after layer in execution order: the classes separate as the data go deeper.
"""
# vizdl-gallery: slow
import vizdl
from vizdl import figures
from vizdl.recipes import recipe_run

with vizdl.styles.use("slides"):
    fig = figures.layer_pca(recipe_run("digits-cnn-layers"))
fig
