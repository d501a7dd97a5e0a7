"""
Gradient flow: the gradient norm of every layer
===============================================

||dl/dW|| per layer (in the order the forward pass uses them) at every recorded step of the
digits MLP: the back-propagated signal layer by layer, then the weight histograms over training.
"""
import vizdl
from vizdl import figures
from vizdl.recipes import recipe_run

run = recipe_run("digits-mlp")
with vizdl.styles.use("slides"):
    ax = figures.gradient_flow(run)
ax.figure

# %%
# The weights of each layer as histograms at a few recorded steps.
with vizdl.styles.use("slides"):
    fig = figures.weight_histograms(run)
fig
