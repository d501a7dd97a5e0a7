"""
Linear regression and its MSE surface
=====================================

Noisy points, the least-squares line, and the mean squared error over ``(w, b)`` with the path
of full-batch gradient descent (``torch.optim.SGD``) to its minimum.
"""
import vizdl
from vizdl import figures

with vizdl.styles.use("slides"):
    fig = figures.linear_regression()
fig
