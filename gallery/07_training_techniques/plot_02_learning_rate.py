"""
Learning rate and its schedules
===============================

The loss with a too high, a good and a too low learning rate; then the schedules of
``vizdl.train`` (step, exponential, cosine, warm-up, plateau) for a 20-epoch run.
"""
# vizdl-gallery: slow  (four small trainings)
import vizdl
from vizdl import figures
from vizdl.recipes import recipe_run

runs = [recipe_run(f"digits-lr-{k}") for k in ("high", "good", "low")]
with vizdl.styles.use("slides"):
    ax = figures.compare_runs(runs)
ax.figure

# %%
# The plateau curve is the run's own logged learning rate: it halves when the validation
# loss stops improving.
with vizdl.styles.use("slides"):
    ax = figures.lr_schedules(recipe_run("digits-plateau"))
ax.figure
