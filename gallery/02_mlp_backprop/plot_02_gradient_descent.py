"""
Gradient descent in one and two dimensions
==========================================

Steps of plain gradient descent on a one-dimensional loss, then on a two-dimensional one.
"""
import vizdl
from vizdl import figures

with vizdl.styles.use("slides"):
    ax = figures.descent_1d()
ax.figure

# %%
with vizdl.styles.use("slides"):
    ax = figures.descent_2d()
ax.figure
