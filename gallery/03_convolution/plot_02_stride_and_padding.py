"""
Stride and padding, step by step
================================

Successive windows of one convolution side by side: where the kernel lands, what it adds up,
and where the result goes in the output.
"""
import vizdl
from vizdl import figures

with vizdl.styles.use("slides"):
    fig = figures.conv_steps_panel(stride=2, padding=1)
fig
