"""
Activation functions and their derivatives
==========================================

The activation functions of the notes with their derivatives, computed by torch autograd.
"""
import vizdl
from vizdl import figures

with vizdl.styles.use("slides"):
    fig = figures.activation_grid()
fig
