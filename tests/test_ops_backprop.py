"""Chain-rule numbers (expression graph, MLP back-propagation) against torch autograd."""
import pytest
import torch

from vizdl.ops.graph import ExpressionGraph, chain_rule_example, expression_graph


def test_notes_example_matches_autograd():
    g = chain_rule_example()
    x, y, z = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (1.0, -3.0, 4.0))
    d = x + y
    d.retain_grad()
    f = d * z
    f.backward()
    assert g.node("f").value == f.item() == -8.0
    assert g.node("d").value == d.item()
    assert (g.node("x").grad, g.node("y").grad, g.node("z").grad) == (x.grad.item(), y.grad.item(), z.grad.item())
    assert g.node("d").grad == d.grad.item()
    assert g.edge("x", "d").local == 1.0 and g.edge("d", "f").local == z.item()
    assert g.edge("z", "f").local == d.item()
    assert g.edge("x", "d").grad == g.edge("x", "d").upstream * g.edge("x", "d").local
    assert g.levels() == {"x": 0, "y": 0, "z": 0, "d": 1, "f": 2}
    assert isinstance(g, ExpressionGraph) and g.output == "f"


def test_general_expression_and_shared_operand():
    g = expression_graph((("a", "*", ("x", "x")), ("b", "tanh", ("a",)), ("out", "+", ("b", "x"))),
                         {"x": 0.5})
    x = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    out = torch.tanh(x * x) + x
    out.backward()
    assert g.node("out").value == pytest.approx(out.item())
    assert g.node("x").grad == pytest.approx(x.grad.item())
    assert g.edge("x", "a").local == pytest.approx(2 * 0.5)


@pytest.mark.parametrize("spec, message", [
    ((("d", "pow", ("x", "y")),), "unknown"),
    ((("d", "+", ("x",)),), "needs 2"),
    ((("d", "+", ("x", "w")),), "undefined"),
    ((), "empty"),
])
def test_bad_spec(spec, message):
    with pytest.raises(ValueError, match=message):
        expression_graph(spec, {"x": 1.0, "y": 2.0})


def test_unknown_node():
    with pytest.raises(KeyError, match="known nodes"):
        chain_rule_example().node("q")
