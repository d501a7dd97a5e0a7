"""
Several input channels, several filters
=======================================

A convolution with C_in input channels: one kernel per input channel per filter, summed
with the bias into one output channel per filter.
"""
import vizdl
from vizdl import figures

with vizdl.styles.use("slides"):
    fig = figures.multichannel_conv_diagram()
fig
