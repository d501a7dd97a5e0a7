"""
Vanishing gradients through time
================================

``||dl/dh_t||`` against the time step ``t`` for the RNN, the LSTM and the GRU at their
initial weights, by autograd on the probe sequences: how much of the gradient at the
last step reaches the first tokens (log axis).
"""
# vizdl-gallery: slow  (trains a small recurrent network on a CPU the first time, 5-25 s; cached after)
import vizdl
from vizdl import figures
from vizdl.recipes import recipe_run

runs = [recipe_run(f"sequences-{cell}") for cell in ("rnn", "lstm", "gru")]
with vizdl.styles.use("slides"):
    ax = figures.gradient_through_time(runs)
ax.figure
