"""
One neuron, term by term
========================

Neuron of the second layer of the ``digits-mlp`` recipe (64-32-16-10, ReLU) on one probe digit:
its inputs, its weights (red positive, blue negative), the weighted sum with the bias and the
activation, with the recorded numbers.
"""
# vizdl-gallery: slow
import vizdl
from vizdl import figures
from vizdl.recipes import recipe_run

with vizdl.styles.use("slides"):
    ax = figures.neuron_anatomy(recipe_run("digits-mlp"), sample=0)
ax.figure
