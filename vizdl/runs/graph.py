"""A run's layer graph: its modules in execution order, and ordering of any recorded key by it.

``run.json`` holds ``"graph": {"source", "modules": [...]}`` written by the Recorder at
its first capture (see :mod:`vizdl.record.graph`). :class:`LayerGraph` reads it and is
the one place that decides what "first", "layer i" and "input -> output" mean: every
picture asks it (through ``run.layer_order``, ``run.parameter_groups()`` and
``run.in_execution_order(names)``) instead of sorting names.

Runs written before the graph existed fall back to the recorded layer and parameter
lists (registration order) -- never to alphabetical order.

    >>> graph = LayerGraph.from_meta({"graph": {"source": "probe", "modules": [
    ...     {"name": "", "type": "Net", "calls": 1, "leaf": False, "parameters": []},
    ...     {"name": "stem", "type": "Conv2d", "calls": 1, "leaf": True, "parameters": ["stem.weight"]},
    ...     {"name": "head", "type": "Linear", "calls": 1, "leaf": True,
    ...      "parameters": ["head.weight", "head.bias"]}]}})
    >>> graph.in_execution_order(["head.bias", "stem.weight", "head.weight"])
    ['stem.weight', 'head.weight', 'head.bias']
    >>> graph.layer_order
    ['stem', 'head']
"""
from __future__ import annotations

from dataclasses import dataclass

from vizdl.runs.keys import split_activation_key

ROOT_LABEL = "(model)"


@dataclass(frozen=True)
class ModuleInfo:
    """One module of a recorded model.

    Attributes
    ----------
    name : str
        Qualified name (``""`` for the model itself).
    type : str
        Class name, e.g. ``"Conv2d"``.
    calls : int or None
        Calls in one forward (``0``: never ran as a module; ``None``: unknown).
    leaf : bool
        Whether it has no children.
    parameters : tuple of str
        Names of the parameters it owns itself, as in ``state_dict``.
    """

    name: str
    type: str
    calls: int | None
    leaf: bool
    parameters: tuple = ()

    @property
    def label(self) -> str:
        """The name to print (``"(model)"`` for the root)."""
        return self.name or ROOT_LABEL


class LayerGraph:
    """Modules in the order forward first used them; ``source`` says how it was learnt.

    ``source`` is ``"probe"`` or ``"forward"`` (observed), ``"registration"`` (no
    forward was observed) or ``"legacy"`` (a run from before the graph was recorded).
    """

    def __init__(self, modules: list[ModuleInfo], source: str, sequence=()):
        self.modules = list(modules)
        self.source = source
        self.sequence = list(sequence)
        self._index = {m.name: k for k, m in enumerate(self.modules)}
        self._owner = {p: m.name for m in self.modules for p in m.parameters}
        self._param_index = {p: k for m in self.modules for k, p in enumerate(m.parameters)}
        self._call_position, self._anchor = _positions(self.modules, self.sequence)

    @classmethod
    def from_meta(cls, meta: dict) -> "LayerGraph":
        """The graph of a ``run.json`` (or the legacy fallback)."""
        graph = meta.get("graph")
        if isinstance(graph, dict) and isinstance(graph.get("modules"), list):
            modules = [ModuleInfo(str(m.get("name", "")), str(m.get("type", "")), m.get("calls"),
                                  bool(m.get("leaf", True)), tuple(m.get("parameters") or ()))
                       for m in graph["modules"] if isinstance(m, dict)]
            sequence = [str(n) for n in graph.get("sequence") or []]
            return cls(modules, str(graph.get("source", "probe")), sequence)
        return cls(_legacy_modules(meta), "legacy")

    # -- questions pictures ask -------------------------------------------------------
    @property
    def call_sequence(self) -> list[str]:
        """Layers in call order, repeats included (a shared ``ReLU`` after each layer using it).

        Falls back to :attr:`layer_order` for runs recorded without a sequence.
        """
        return list(self.sequence) or self.layer_order

    @property
    def layer_order(self) -> list[str]:
        """Names of the layers in execution order: leaf modules that ran, and modules owning parameters."""
        return [m.name for m in self.modules
                if m.parameters or (m.leaf and m.name and m.calls != 0)]

    def module(self, name: str) -> ModuleInfo | None:
        """The :class:`ModuleInfo` called ``name`` (``None`` if unknown)."""
        k = self._index.get(name)
        return None if k is None else self.modules[k]

    def type_of(self, name: str) -> str:
        """Class name of module ``name`` (``""`` if unknown)."""
        info = self.module(name)
        return info.type if info else ""

    def owner(self, parameter: str) -> str:
        """The module owning ``parameter`` (``"net.1.weight"`` -> ``"net.1"``)."""
        return self._owner.get(parameter, parameter.rpartition(".")[0])

    def parameter_groups(self, names=None) -> list[tuple[str, list[str]]]:
        """``[(module, [parameter, ...])]`` in execution order.

        ``names`` restricts the parameters (e.g. those with a recorded gradient); a name
        the graph does not know is grouped under its prefix, after the known ones.
        """
        names = list(self._owner) if names is None else list(names)
        groups: dict[str, list[str]] = {}
        for name in self.in_execution_order(names):
            groups.setdefault(self.owner(name), []).append(name)
        return list(groups.items())

    def in_execution_order(self, names) -> list[str]:
        """``names`` (modules, parameters, activation or attention keys) sorted by execution order.

        Call ``j`` of a module (``name#j``) sits where it ran in the call sequence (a shared
        ReLU's second call after the layer before it); parts (``name:h_n``) follow their
        main output; unknown names keep their relative order at the end.
        """
        indexed = sorted(enumerate(names), key=lambda item: self._sort_key(item[1], item[0]))
        return [name for _, name in indexed]

    def _sort_key(self, name: str, fallback: int) -> tuple:
        end = (len(self.sequence) + len(self._index), len(self._index))
        if name in self._owner:
            module = self._owner[name]
            return (self._anchor.get(module, end[0]), self._index.get(module, end[1]), 0, 0,
                    self._param_index[name])
        module, call, part = split_activation_key(name)
        if module in self._index:
            position = self._call_position.get((module, call), self._anchor[module])
            return (position, self._index[module], call, 1 if part else 0, fallback)
        return (*end, 0, 0, fallback)


def _positions(modules: list[ModuleInfo], sequence: list[str]) -> tuple[dict, dict]:
    """``(call position, anchor)``: where call ``j`` of a layer ran, and where each module starts.

    A module's anchor is the first position of a call inside it (containers start at their
    first layer); a module that never ran takes the anchor of the module before it.
    Without a sequence, anchors are the graph's indices.
    """
    if not sequence:
        return {}, {m.name: k for k, m in enumerate(modules)}
    calls: dict[tuple, int] = {}
    counts: dict[str, int] = {}
    first: dict[str, int] = {}
    for position, name in enumerate(sequence):
        calls[(name, counts.get(name, 0))] = position
        counts[name] = counts.get(name, 0) + 1
        parts = name.split(".")
        for depth in range(len(parts) + 1):
            first.setdefault(".".join(parts[:depth]), position)
    anchor, previous = {}, -1
    for m in modules:
        previous = anchor[m.name] = first.get(m.name, previous)
    return calls, anchor


def _legacy_modules(meta: dict) -> list[ModuleInfo]:
    """Modules of a run without a graph: recorded layers, then parameter owners, as recorded."""
    owners: dict[str, list[str]] = {}
    for parameter in meta.get("parameters") or []:
        owners.setdefault(parameter.rpartition(".")[0], []).append(parameter)
    names = list(dict.fromkeys([*(meta.get("layers") or []), *owners]))
    return [ModuleInfo(n, "", None, True, tuple(owners.get(n, ()))) for n in names]


__all__ = ["LayerGraph", "ModuleInfo", "ROOT_LABEL"]
