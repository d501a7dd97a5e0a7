"""
Model 1, 2 and 3 compared
=========================

The notes' three CIFAR-10 models (fully connected, LeNet-like CNN, wide CNN with
BatchNorm and Dropout) trained with Adam, here on the 8x8 digits. One colour per model,
training solid, validation dashed; the shaded gap is the overfitting.
"""
# vizdl-gallery: slow  (trains Model 3 three minutes on a CPU the first time; cached after)
import vizdl
from vizdl import figures
from vizdl.recipes import recipe_run

runs = [recipe_run(f"digits-model{k}") for k in (1, 2, 3)]
with vizdl.styles.use("slides"):
    fig = figures.compare_runs_panels(runs)
fig
