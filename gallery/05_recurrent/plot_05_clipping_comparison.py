"""
Exploding gradients and clipping
================================

The same RNN trained with SGD + momentum at a large learning rate (0.2), once as is and
once with the gradient norm clipped at 1: the gradient norm of every step (left, log
axis) and the training loss (right).
"""
# vizdl-gallery: slow  (trains a small recurrent network on a CPU the first time, 5-25 s; cached after)
import vizdl
from vizdl import figures
from vizdl.recipes import recipe_run

runs = {"no clipping": recipe_run("sequences-rnn-unclipped"), "clipped at 1": recipe_run("sequences-rnn-clipped")}
with vizdl.styles.use("slides"):
    fig = figures.clipping_comparison(runs)
fig
