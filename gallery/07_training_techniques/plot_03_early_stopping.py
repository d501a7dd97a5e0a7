"""
Early stopping
==============

A run trained with ``early_stopping=5``: the best epoch, the five epochs of patience without
improvement, and the stop.
"""
# vizdl-gallery: slow  (a training of up to 80 epochs)
import vizdl
from vizdl import figures
from vizdl.recipes import recipe_run

with vizdl.styles.use("slides"):
    ax = figures.early_stopping(recipe_run("digits-early-stop"))
ax.figure
