"""
Data augmentation
=================

A training image and what ``vizdl.train(augment=...)`` makes of it: each draw comes from
the training loop's own augmentation function and says what it did.
"""
import vizdl
from vizdl import figures

with vizdl.styles.use("slides"):
    fig = figures.augmentation_grid(vizdl.data.load("digits"), draws=4)
fig
