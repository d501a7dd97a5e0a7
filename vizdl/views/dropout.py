"""What the dropout picture shows: the network thinned by one real training pass, and the full one.

Units are the first ``max_units`` of each layer of an MLP with Dropout (``mlp(dropout=p)``).
In the training panel a unit whose Dropout mask was 0 in that pass has the role
``"dropped"`` (with a cross) and loses its edges; in the evaluation panel every unit
works. Each hidden layer says how many of its units the pass dropped.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vizdl.styles.theme import fmt
from vizdl.views.base import Edge, Label, Node, Placed, Step, Story

COLUMN_GAP = 3.0
ROW_GAP = 0.55
RADIUS = 0.2


@dataclass(frozen=True)
class DropoutView:
    """Both panels of the dropout picture.

    Attributes
    ----------
    title : str
    panels : dict of str -> tuple
        ``"train"`` and ``"eval"``: ``(nodes, edges, labels, heading)`` of each panel.
    story : Story
    """

    title: str
    panels: dict
    story: Story

    def dropped(self, panel: str = "train") -> set:
        """Ids of the units drawn as dropped in ``panel``."""
        return {n.id for n in self.panels[panel][0] if n.role == "dropped"}


def dropout_view(passes, sizes, *, sample: int = 0, max_units: int = 10, source: str = "") -> DropoutView:
    """The view of the Dropout masks of one forward pass.

    Parameters
    ----------
    passes : list of vizdl.ops.dropout.DropoutPass
        One per hidden layer, in forward order.
    sizes : sequence of int
        Units of every layer: input, hidden..., output.
    sample : int
        Which sample of the batch (each sample gets its own mask).
    max_units : int
        Units drawn per layer (the first ones).
    """
    if len(passes) != len(sizes) - 2:
        raise ValueError(f"passes: one Dropout per hidden layer ({len(sizes) - 2}), got {len(passes)}")
    if not 0 <= sample < len(passes[0].kept):
        raise ValueError(f"sample must be in [0, {len(passes[0].kept)}), got {sample}")
    kept = [np.ones(min(sizes[0], max_units), bool)] + [np.asarray(p.kept[sample]).ravel()[:max_units]
                                                     for p in passes] + [np.ones(min(sizes[-1], max_units), bool)]
    panels = {"train": _panel(kept, sizes, passes, sample, "train"),
              "eval": _panel([np.ones_like(k) for k in kept], sizes, passes, sample, "eval")}
    p = passes[0].p
    dropped = sum(int((~np.asarray(q.kept[sample])).sum()) for q in passes)
    total = sum(np.asarray(q.kept[sample]).size for q in passes)
    story = Story((
        Step("train", f"Training: in this forward pass each hidden unit was dropped with probability "
             f"p = {fmt(p)}; {dropped} of {total} hidden units were off, the others scaled by "
             f"1/(1 − p) = {fmt(1 / (1 - p))}.", ("train",), 4),
        Step("eval", "Evaluation: every unit works and nothing is scaled; the network averages the thinned "
             "networks it was trained as.", ("eval",)),
    ))
    title = "Dropout in a real forward pass" + (f": {source}" if source else "")
    return DropoutView(title, panels, story)


def _panel(kept, sizes, passes, sample, kind):
    nodes, labels = [], []
    for layer, mask in enumerate(kept):
        top = (len(mask) - 1) / 2 * ROW_GAP
        for unit, on in enumerate(mask):
            mark = None if on else Label("\u00d7", "ink", size="small")
            nodes.append(Node(f"u-{layer}-{unit}", layer * COLUMN_GAP, top - unit * ROW_GAP, mark,
                              "panel" if on else "dropped", RADIUS))
        labels.append(Placed(f"size-{layer}", layer * COLUMN_GAP, -top - 0.75,
                             Label(_layer_text(layer, sizes, passes, sample, kind, len(mask)), "muted", size="small")))
    edges = tuple(Edge(f"u-{k}-{a}", f"u-{k + 1}-{b}", "muted", 0.5, 0.5, False)
                  for k in range(len(kept) - 1) for a in range(len(kept[k])) for b in range(len(kept[k + 1]))
                  if kept[k][a] and kept[k + 1][b])
    heading = (f"training (p = {fmt(passes[0].p)}): this pass" if kind == "train" else "evaluation: all units")
    return tuple(nodes), edges, tuple(labels), heading


def _layer_text(layer, sizes, passes, sample, kind, shown) -> str:
    name = "input" if layer == 0 else "output" if layer == len(sizes) - 1 else f"hidden {layer}"
    if kind == "train" and 0 < layer < len(sizes) - 1:
        mask = np.asarray(passes[layer - 1].kept[sample])
        return f"{name}\n{int((~mask).sum())} of {mask.size} off"
    return f"{name}\n{shown} of {sizes[layer]}" if sizes[layer] > shown else f"{name}\n{sizes[layer]}"


__all__ = ["DropoutView", "dropout_view"]
