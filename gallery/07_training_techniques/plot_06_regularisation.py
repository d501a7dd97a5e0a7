"""
L1 and L2 regularisation
========================

The two penalties, and the weights of the same network trained without penalty, with L1
and with L2: L1 drives many weights to (almost) zero.
"""
# vizdl-gallery: slow  (three small trainings)
import vizdl
from vizdl import figures
from vizdl.recipes import recipe_run

runs = [recipe_run(f"digits-reg-{k}") for k in ("none", "l1", "l2")]
with vizdl.styles.use("slides"):
    fig = figures.regularization(runs)
fig
