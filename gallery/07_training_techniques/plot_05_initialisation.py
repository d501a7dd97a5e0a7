"""
Weight initialisation
=====================

The same six-hidden-layer ReLU network initialised too small, too large, with Xavier and
with He: what each layer outputs and the gradients of its weights at step 0, and the loss.
"""
# vizdl-gallery: slow  (four small trainings)
import vizdl
from vizdl import figures
from vizdl.recipes import recipe_run

runs = [recipe_run(f"digits-init-{k}") for k in ("small", "large", "xavier", "he")]
labels = ["too small", "too large", "Xavier", "He"]
with vizdl.styles.use("slides"):
    fig = figures.weight_init(runs, labels=labels)
fig

# %%
with vizdl.styles.use("slides"):
    ax = figures.compare_runs(runs, labels=labels)
ax.figure
