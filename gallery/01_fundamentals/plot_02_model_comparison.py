"""
Different models on the same points
===================================

Logistic regression and a 2-16-16-2 MLP trained by torch on moons, circles and xor: a linear
model draws one straight boundary, the MLP bends it.
"""
# vizdl-gallery: slow
import vizdl
from vizdl import figures

with vizdl.styles.use("slides"):
    fig = figures.model_comparison()
fig
