"""Every tensor a module returns, under a documented sub-key (nothing dropped silently).

Key syntax (see CONTRIBUTING.md, "Snapshot keys"):

- ``<name>``: the module's main output -- the tensor it returns, or the *first* tensor of
  a tuple, list, dict or Hugging Face ``ModelOutput``;
- ``<name>:<path>``: every other tensor, ``<path>`` being the index or field name, dotted
  when nested (``:1``, ``:pooler_output``, ``:hidden_states.2``);
- recurrent layers name their states: ``nn.LSTM`` gives ``<name>`` (output),
  ``<name>:h_n`` and ``<name>:c_n``; ``nn.GRU`` / ``nn.RNN`` give ``<name>:h_n``;
  ``nn.MultiheadAttention`` gives ``<name>:weights`` when it returns weights;
- a ``PackedSequence`` is padded to ``(N, T, ...)`` (batch first, original order) with
  ``<name>:lengths``;
- a module called ``k`` times in one forward stores call ``j >= 1`` as ``<name>#j``
  (``<name>#1``, ``<name>#1:h_n``).

    >>> import torch
    >>> lstm = torch.nn.LSTM(3, 4, batch_first=True)
    >>> [k for k, _ in output_tensors(lstm, lstm(torch.zeros(2, 5, 3)))]
    ['', ':h_n', ':c_n']
"""
from __future__ import annotations

from collections.abc import Mapping

import torch
from torch import nn
from torch.nn.utils.rnn import PackedSequence, pad_packed_sequence

from vizdl.runs.keys import (
    CALL_SEPARATOR,
    PART_SEPARATOR,
    call_key,
    split_activation_key,
)

_STATE_NAMES = {nn.LSTM: ("h_n", "c_n"), nn.GRU: ("h_n",), nn.RNN: ("h_n",),
                nn.MultiheadAttention: ("weights",)}


def output_tensors(module: nn.Module, output) -> list[tuple[str, torch.Tensor]]:
    """``[(suffix, tensor)]`` of a module's output: ``""`` for the main one, ``":<path>"`` for the others."""
    if isinstance(output, tuple) and len(output) == 2 and isinstance(module, tuple(_STATE_NAMES)):
        main, states = output
        states = states if isinstance(states, tuple) else (states,)
        named = list(zip(_state_names(module), states))
        return _flatten(main, "") + [(f"{PART_SEPARATOR}{n}", t) for n, t in named if torch.is_tensor(t)]
    return _flatten(output, "")


def _state_names(module):
    for kind, names in _STATE_NAMES.items():
        if isinstance(module, kind):
            return names
    return ()


def _flatten(value, path: str) -> list[tuple[str, torch.Tensor]]:
    """Tensors inside ``value``; the first one keeps ``path``, the others get ``path.<index>``."""
    if torch.is_tensor(value):
        return [(path, value)]
    if isinstance(value, PackedSequence):
        padded, lengths = pad_packed_sequence(value, batch_first=True)
        return [(path, padded), (_join(path, "lengths"), lengths)]
    if isinstance(value, Mapping):
        items = [(str(k), v) for k, v in value.items()]
    elif isinstance(value, (tuple, list)):
        items = [(str(i), v) for i, v in enumerate(value)]
    else:
        return []
    found = []
    for key, item in items:
        for sub, tensor in _flatten(item, _join(path, key)):
            found.append((path if not found else sub, tensor))
    return found


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else f"{PART_SEPARATOR}{key}"


__all__ = ["CALL_SEPARATOR", "PART_SEPARATOR", "call_key", "output_tensors", "split_activation_key"]
