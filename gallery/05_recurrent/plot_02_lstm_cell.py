"""
The LSTM cell
=============

The forget, input and output gates and the cell state of an LSTM (8 units, forget bias
1) trained on the same memory task, with the gate activations of a real probe sequence
at time step 1: what is forgotten, what is written, what is output. ``t=`` picks another
time step, ``sample=`` another sequence.
"""
# vizdl-gallery: slow  (trains a small recurrent network on a CPU the first time, 5-25 s; cached after)
import vizdl
from vizdl import figures
from vizdl.recipes import recipe_run

with vizdl.styles.use("slides"):
    ax = figures.lstm_cell(recipe_run("sequences-lstm"), t=1)
ax.figure
