"""The syntax of activation and attention keys: calls (``name#j``) and parts (``name:part``).

A module called ``k`` times in one forward stores call ``j >= 1`` as ``<name>#j``; the
tensors of a tuple/dict output other than the main one are ``<name>:<part>`` (e.g.
``lstm:h_n``, ``bert:pooler_output``, ``enc#1:1``). See :mod:`vizdl.record.outputs`.

    >>> split_activation_key("enc.lstm#1:h_n")
    ('enc.lstm', 1, 'h_n')
    >>> call_key("enc.act", 2)
    'enc.act#2'
"""
from __future__ import annotations

CALL_SEPARATOR = "#"
PART_SEPARATOR = ":"


def call_key(name: str, call: int) -> str:
    """Key of call number ``call`` (0-based) of module ``name``: ``name``, ``name#1``, ..."""
    return name if call == 0 else f"{name}{CALL_SEPARATOR}{call}"


def split_activation_key(key: str) -> tuple[str, int, str]:
    """``"<name>#<call>:<part>"`` -> ``(name, call, part)`` (call 0 and part ``""`` when absent)."""
    head, _, part = key.partition(PART_SEPARATOR)
    name, _, call = head.partition(CALL_SEPARATOR)
    return name, int(call) if call.isdigit() else 0, part


__all__ = ["CALL_SEPARATOR", "PART_SEPARATOR", "call_key", "split_activation_key"]
