"""Mobject builders of the back-propagation scenes (no rendering) and last-frame regressions."""
import importlib.util
from pathlib import Path

import numpy as np
import pytest
import torch

pytest.importorskip("manim")

from vizdl.anim.graph import GRAD_COLOR, VALUE_COLOR, GraphDiagram, chain_rule_tex, local_derivative_tex  # noqa: E402
from vizdl.anim.grid import format_value  # noqa: E402
from vizdl.ops.graph import chain_rule_example  # noqa: E402
from vizdl.testing import assert_matches_control, render_last_frame  # noqa: E402

SCENES = Path(__file__).resolve().parent.parent / "scenes"


def _scene_class(file, name):
    spec = importlib.util.spec_from_file_location(f"scene_{file}", SCENES / f"{file}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, name)


def _torch_example():
    x, y, z = (torch.tensor(v, requires_grad=True) for v in (1.0, -3.0, 4.0))
    d = x + y
    d.retain_grad()
    f = d * z
    f.retain_grad()
    f.backward()
    return {"x": x, "y": y, "z": z, "d": d, "f": f}


def test_graph_labels_equal_autograd():
    diagram = GraphDiagram(chain_rule_example())
    tensors = _torch_example()
    assert set(diagram.nodes) == set(tensors)
    for name, t in tensors.items():
        assert diagram.value_labels[name].text == format_value(t.item()).replace(" ", "")
        assert diagram.grad_labels[name].text == format_value(t.grad.item())
        assert diagram.value_labels[name].color.to_hex().lower() == VALUE_COLOR.lower()
        assert diagram.grad_labels[name].color.to_hex().lower() == GRAD_COLOR.lower()
    assert len(diagram.edges) == 5  # four operand edges and the output arrow


def test_chain_rule_tex_numbers():
    graph = chain_rule_example()
    t = _torch_example()
    tex = chain_rule_tex(graph, "x")
    assert tex.tex_strings[-1] == format_value(t["x"].grad.item()).replace("\u2212", "-")
    assert tex.tex_strings[4] == r"4 \cdot 1"  # df/dd = z = 4, dd/dx = 1
    assert chain_rule_tex(graph, "z").tex_strings == [r"\frac{\partial f}{\partial z}", "=", "d", "=", "-2"]
    assert "z = 4" in local_derivative_tex(graph, "f").tex_strings[1]
    with pytest.raises(ValueError, match="input"):
        local_derivative_tex(graph, "x")


@pytest.mark.slow
def test_computational_graph_last_frame():
    scene = _scene_class("computational_graph", "ComputationalGraph")
    assert_matches_control("scene_computational_graph", render_last_frame(scene))
