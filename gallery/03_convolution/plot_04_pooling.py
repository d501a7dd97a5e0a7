"""
Max pooling, average pooling and squeeze
========================================

The notes' 8x8 example: max pooling keeps the winner of each 2x2 window, average pooling
their mean, and squeeze moves each window into channels (nothing is lost).
"""
import vizdl
from vizdl import figures

with vizdl.styles.use("slides"):
    ax = figures.pool_diagram(kind="max", step=5)
ax.figure

# %%
with vizdl.styles.use("slides"):
    ax = figures.pool_diagram(kind="avg", step=5)
ax.figure

# %%
with vizdl.styles.use("slides"):
    ax = figures.squeeze_diagram()
ax.figure
