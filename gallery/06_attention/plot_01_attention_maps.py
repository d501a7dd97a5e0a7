"""
Attention maps of a trained transformer
=======================================

The tiny transformer of the ``sequences-transformer`` recipe (does the sequence contain a
given token?): for the first probe sequence, each layer's and each head's attention weights
softmax(QK^T / sqrt(d_k)), rows = queries, columns = keys, labelled by the tokens.
"""
import vizdl
from vizdl import figures
from vizdl.recipes import recipe_run

run = recipe_run("sequences-transformer")
tokens = [str(int(t)) for t in run.probe["inputs"][0]]
with vizdl.styles.use("slides"):
    fig = figures.attention_grid(run.attention(None), tokens=tokens)
fig
