"""
Cross-entropy of a real prediction
==================================

``-log p`` of the probability given to the true class, and the softmax of a trained MLP on a
probe digit next to its one-hot target.
"""
# vizdl-gallery: slow
import vizdl
from vizdl import figures

with vizdl.styles.use("slides"):
    fig = figures.cross_entropy(sample=0)
fig
