"""
A convolution, one output cell at a time
========================================

The kernel on the padded input (stride 2, padding 1, reflect mode), the window of one
output cell, its sum of products and the output size d_out = floor((d_in + 2p - k) / s) + 1.
Every number is computed by ``torch.nn.functional.conv2d``.
"""
import vizdl
from vizdl import figures

with vizdl.styles.use("slides"):
    ax = figures.conv_diagram(stride=2, padding=1, mode="reflect", step=4)
ax.figure
