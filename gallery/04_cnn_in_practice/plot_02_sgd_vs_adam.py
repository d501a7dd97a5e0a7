"""
A better optimisation algorithm: SGD vs Adam
============================================

Model 1 trained with plain SGD and with Adam ("Using a better optimization algorithm?").
"""
# vizdl-gallery: slow  (two trainings of Model 1)
import vizdl
from vizdl import figures
from vizdl.recipes import recipe_run

with vizdl.styles.use("slides"):
    ax = figures.compare_runs([recipe_run("digits-model1-sgd"), recipe_run("digits-model1")])
ax.figure
