"""
The perceptron learning rule, and why it cannot learn xor
=========================================================

Rosenblatt's update w <- w + y x on misclassified points, one panel per update, then the
same rule on xor, where no line separates the classes.
"""
import vizdl
from vizdl import figures

with vizdl.styles.use("slides"):
    fig = figures.perceptron_updates()
fig

# %%
with vizdl.styles.use("slides"):
    fig = figures.perceptron_xor()
fig
