"""
Model 3 with and without BatchNorm and Dropout
==============================================

The notes' ablation: Model 3 without BatchNorm and Dropout, without Dropout, and complete.
"""
# vizdl-gallery: slow  (three trainings of Model 3)
import vizdl
from vizdl import figures
from vizdl.recipes import recipe_run

runs = [recipe_run(name) for name in ("digits-model3-plain", "digits-model3-no-dropout", "digits-model3")]
with vizdl.styles.use("slides"):
    ax = figures.compare_runs(runs)
ax.figure
