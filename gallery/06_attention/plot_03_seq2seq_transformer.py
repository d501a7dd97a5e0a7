"""
The encoder-decoder transformer
===============================

A small ``torch.nn.Transformer`` (d_model 32, 4 heads, 2 encoder + 2 decoder layers),
drawn from the modules themselves: the encoder's self-attention and feed-forward
sublayers, the decoder's masked self-attention, cross-attention and feed-forward, each
with its residual connection and layer norm, and the encoder output (the memory) feeding
the cross-attention of every decoder layer. The shapes come from one traced forward.
"""
import torch

import vizdl
from vizdl import figures

with vizdl.styles.use("slides"):
    ax = figures.transformer_diagram()
ax.figure

# %%
# The original paper's depth, pre-LN, from a hand-built encoder and decoder pair:
# 6 + 6 layers, 8 heads, GELU, ``norm_first=True``.
torch.manual_seed(0)
layer = {"d_model": 64, "nhead": 8, "dim_feedforward": 256, "activation": "gelu", "norm_first": True,
         "batch_first": True}
encoder = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(**layer), num_layers=6,
                                      enable_nested_tensor=False)
decoder = torch.nn.TransformerDecoder(torch.nn.TransformerDecoderLayer(**layer), num_layers=6)
with vizdl.styles.use("slides"):
    ax = figures.transformer_diagram((encoder, decoder))
ax.figure
