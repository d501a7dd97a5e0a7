"""
Universal approximation, tried
==============================

``g(x) = C sigma(A x + b)`` fitted by torch to ``sin(3x) + 0.3x`` with 1, 2, 4 and 16 sigmoid
units; the legend gives the largest error ``sup |f - g|`` of each width.
"""
# vizdl-gallery: slow
import vizdl
from vizdl import figures

with vizdl.styles.use("slides"):
    ax = figures.universal_approximation()
ax.figure
