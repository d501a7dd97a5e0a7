"""
A recurrent block, rolled and unrolled
======================================

A tanh RNN with 8 units trained to remember the first of 10 tokens. Left, the block
with its loop; right, the same block copied once per time step, the tokens of a real
probe sequence below and the recorded hidden state ``h_t`` above each step (red > 0,
blue < 0). The head reads ``h_T`` only.
"""
# vizdl-gallery: slow  (trains a small recurrent network on a CPU the first time, 5-25 s; cached after)
import vizdl
from vizdl import figures
from vizdl.recipes import recipe_run

with vizdl.styles.use("slides"):
    ax = figures.rnn_unrolled(recipe_run("sequences-rnn"))
ax.figure
