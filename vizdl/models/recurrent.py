"""Sequence classifiers: Embedding -> RNN / LSTM / GRU -> Linear on the last hidden state.

Layer names: ``embed`` (token vectors ``(B, T, embed_dim)``), ``rnn`` (the recurrent layer,
whose output is a tuple), ``states`` (an ``nn.Identity`` that exposes every hidden state
``(B, T, hidden)`` to hooks and recorders) and ``head`` (Linear on ``states[:, -1]``).
"""
from __future__ import annotations

import torch
from torch import nn

from vizdl.models import _checks

CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


class RecurrentClassifier(nn.Module):
    """Embedding, a recurrent layer (batch first), and a Linear head on the last hidden state."""

    def __init__(self, cell: str, vocab_size: int, embed_dim: int, hidden: int, num_layers: int,
                 num_classes: int):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_dim)
        self.rnn = CELLS[cell](embed_dim, hidden, num_layers=num_layers, batch_first=True)
        self.states = nn.Identity()
        self.head = nn.Linear(hidden, num_classes)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        out, _ = self.rnn(self.embed(tokens.long()))  # (B, T, hidden): top layer, every step
        states = self.states(out)                     # (B, T, hidden)
        return self.head(states[:, -1])               # (B, num_classes) logits


def _build(cell: str, input_shape, num_classes, vocab_size, embed_dim, hidden, num_layers):
    _checks.shape(input_shape, 1, "(seq_len,)")
    _checks.positive_int(num_classes=num_classes, vocab_size=vocab_size, embed_dim=embed_dim,
                         hidden=hidden, num_layers=num_layers)
    return RecurrentClassifier(cell, vocab_size, embed_dim, hidden, num_layers, num_classes)


def rnn(*, input_shape, num_classes: int, vocab_size: int, embed_dim: int = 16, hidden: int = 32,
        num_layers: int = 1) -> RecurrentClassifier:
    """Vanilla (Elman, tanh) RNN classifier of token sequences ``(B, seq_len)``.

    Parameters
    ----------
    input_shape : (seq_len,)
    num_classes, vocab_size : int
        Outputs; number of distinct token ids.
    embed_dim, hidden, num_layers : int
        Width of the token vectors, of the hidden state, and number of stacked layers.
    """
    return _build("rnn", input_shape, num_classes, vocab_size, embed_dim, hidden, num_layers)


def lstm(*, input_shape, num_classes: int, vocab_size: int, embed_dim: int = 16, hidden: int = 32,
         num_layers: int = 1, forget_bias: float | None = None) -> RecurrentClassifier:
    """LSTM classifier of token sequences (other parameters as in :func:`rnn`).

    Parameters
    ----------
    forget_bias : float, optional
        Start every layer's forget-gate bias at this value (``b_if = forget_bias``,
        ``b_hf = 0``). ``1.0`` is Keras' default ("unit forget bias", Jozefowicz et al.
        2015): the forget gate starts about 0.73 open, so the cell state and its gradient
        survive more time steps at the start of training. ``None`` keeps torch's
        initialisation.
    """
    model = _build("lstm", input_shape, num_classes, vocab_size, embed_dim, hidden, num_layers)
    if forget_bias is not None:
        _set_forget_bias(model.rnn, float(forget_bias))
    return model


def _set_forget_bias(layer: nn.LSTM, value: float) -> None:
    """torch orders an LSTM's gates (input, forget, cell, output): the forget rows are ``[H:2H]``."""
    hidden = layer.hidden_size
    with torch.no_grad():
        for k in range(layer.num_layers):
            getattr(layer, f"bias_ih_l{k}")[hidden:2 * hidden] = value
            getattr(layer, f"bias_hh_l{k}")[hidden:2 * hidden] = 0.0


def gru(*, input_shape, num_classes: int, vocab_size: int, embed_dim: int = 16, hidden: int = 32,
        num_layers: int = 1) -> RecurrentClassifier:
    """GRU classifier of token sequences (parameters as in :func:`rnn`)."""
    return _build("gru", input_shape, num_classes, vocab_size, embed_dim, hidden, num_layers)
