"""
Loss, accuracy and learning rate
================================

The metrics logged at every step of the digits MLP (``digits-mlp`` recipe: 64-32-16-10),
raw and with a centred moving average, validation once per epoch.
"""
import vizdl
from vizdl import figures
from vizdl.recipes import recipe_run

run = recipe_run("digits-mlp")
with vizdl.styles.use("slides"):
    fig = figures.training_curves(run)
fig
