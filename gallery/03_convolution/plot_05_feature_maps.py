"""
Feature maps of a trained CNN
=============================

The notes' CNN trained on the 8x8 digits (``digits-cnn`` recipe): one probe digit and the
recorded output of each convolution layer, channel by channel (one colour scale per layer),
then the first layer's kernels.
"""
import vizdl
from vizdl import figures
from vizdl.recipes import recipe_run

run = recipe_run("digits-cnn")
with vizdl.styles.use("slides"):
    fig = figures.feature_maps(run)
fig

# %%
with vizdl.styles.use("slides"):
    fig = figures.first_layer_kernels(run)
fig
