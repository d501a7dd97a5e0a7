"""
SGD, mini-batch and full batch
==============================

The same linear regression, the same learning rate and the same number of epochs: one sample
per step (noisy, many steps), a mini-batch of 8, the full batch (one step per epoch).
"""
import vizdl
from vizdl import figures

with vizdl.styles.use("slides"):
    ax = figures.sgd_vs_batch()
ax.figure
