"""
Dropout
=======

The units Dropout switched off in one real training-mode forward pass, next to the full
network at evaluation; then the curves with and without Dropout.
"""
# vizdl-gallery: slow  (two small trainings)
import vizdl
from vizdl import figures
from vizdl.recipes import recipe_run

with vizdl.styles.use("slides"):
    fig = figures.dropout_network(recipe_run("digits-dropout"))
fig

# %%
with vizdl.styles.use("slides"):
    ax = figures.compare_runs([recipe_run("digits-dropout"), recipe_run("digits-no-dropout")])
ax.figure
