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


# --- MLP back-propagation -------------------------------------------------------------------
import numpy as np  # noqa: E402
from torch import nn  # noqa: E402

from vizdl.ops.backprop import backprop_from_model, mlp_backprop, mlp_parameters  # noqa: E402


def _mlp(seed=0, act=nn.Tanh):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(2, 4), act(), nn.Linear(4, 4), act(), nn.Linear(4, 2)).double()


@pytest.mark.parametrize("act", [nn.Tanh, nn.ReLU, nn.Sigmoid])
def test_mlp_terms_match_torch(act):
    net = _mlp(act=act)
    x = torch.tensor([[0.7, -0.3]], dtype=torch.float64)
    loss = nn.functional.cross_entropy(net(x), torch.tensor([1]))
    loss.backward()
    step = backprop_from_model(net, x[0].numpy(), 1, lr=0.2)
    assert step.loss == pytest.approx(loss.item(), abs=1e-12)
    linears = [net[0], net[2], net[4]]
    for layer, lin in zip(step.layers, linears):
        np.testing.assert_allclose(layer.grad_A, lin.weight.grad.numpy(), atol=1e-12)
        np.testing.assert_allclose(layer.grad_b, lin.bias.grad.numpy(), atol=1e-12)
        np.testing.assert_allclose(layer.A_new, (lin.weight - 0.2 * lin.weight.grad).detach().numpy())
    # forward values equal the model's intermediate outputs; x_3 is the softmax of its logits z_3
    h1 = net[1](net[0](x))[0]
    h2 = net[3](net[2](net[1](net[0](x))))[0]
    np.testing.assert_allclose(step.values[1], h1.detach().numpy())
    np.testing.assert_allclose(step.values[2], h2.detach().numpy())
    np.testing.assert_allclose(step.logits, net(x)[0].detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(step.values[3], torch.softmax(net(x)[0], 0).detach().numpy(), atol=1e-12)


def test_last_layer_is_the_notes_softmax():
    """x_3 = softmax(z_3); l'(x_3) = -1/x_3[y] at y; sigma'_3 is the softmax's Jacobian (not 1)."""
    step = backprop_from_model(_mlp(1), [0.2, 0.9], 0, lr=0.1)
    last = step.layers[-1]
    z = torch.tensor(last.pre, requires_grad=True)
    p = torch.softmax(z, 0)
    p.retain_grad()
    loss = -torch.log(p[0])
    loss.backward()
    np.testing.assert_allclose(last.x_out, p.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(last.dl_dx, p.grad.numpy(), atol=1e-12)
    assert last.dl_dx[0] == pytest.approx(-1 / p[0].item()) and last.dl_dx[1] == 0
    jacobian = torch.autograd.functional.jacobian(lambda t: torch.softmax(t, 0), z.detach()).numpy()
    np.testing.assert_allclose(last.sigma_prime, jacobian, atol=1e-12)
    assert last.sigma_prime.shape == (2, 2) and not np.allclose(last.sigma_prime, 1.0)
    np.testing.assert_allclose(last.delta, z.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(last.delta, step.probabilities - np.eye(2)[0], atol=1e-12)  # x_3 - e_y
    np.testing.assert_allclose(last.delta, last.sigma_prime.T @ last.dl_dx, atol=1e-12)


def test_chain_rule_identities_of_the_notes():
    step = backprop_from_model(_mlp(1), [0.2, 0.9], 0, lr=0.1)
    for layer in step.layers[:-1]:
        # dl/dA_i = (dl/dx_i * sigma'_i(A_i x_{i-1} + b_i)) x_{i-1}^T
        np.testing.assert_allclose(layer.delta, layer.dl_dx * layer.sigma_prime, atol=1e-12)
    for layer in step.layers:
        np.testing.assert_allclose(layer.grad_A, np.outer(layer.delta, layer.x_in), atol=1e-12)
        np.testing.assert_allclose(layer.pre, layer.A @ layer.x_in + layer.b, atol=1e-12)
    for lower, upper in zip(step.layers[:-1], step.layers[1:]):
        # dl/dx_{i-1} = A_i^T (dl/dx_i * sigma'_i(...))
        np.testing.assert_allclose(lower.dl_dx, upper.A.T @ upper.delta, atol=1e-12)
    np.testing.assert_allclose(step.layers[0].sigma_prime, 1 - np.tanh(step.layers[0].pre) ** 2, atol=1e-12)


def test_optimizer_in_words():
    from vizdl.ops.backprop import optimizer_text

    assert optimizer_text({"optimizer": "sgd", "momentum": 0.9}) == "mini-batch SGD"
    assert optimizer_text({"optimizer": "momentum", "momentum": 0.5}) == "mini-batch SGD with momentum 0.5"
    assert optimizer_text({"optimizer": "adam"}) == "Adam"


def test_mlp_bad_input():
    weights, biases, acts = mlp_parameters(_mlp())
    with pytest.raises(ValueError, match="target"):
        mlp_backprop(weights, biases, [0.0, 0.0], 5, activations=acts)
    with pytest.raises(ValueError, match="do not take an input"):
        mlp_backprop(weights, biases, [0.0, 0.0, 1.0], 0, activations=acts)
    with pytest.raises(ValueError, match="activation 'swish2'"):
        mlp_backprop(weights, biases, [0.0, 0.0], 0, activations=["swish2", "tanh"])
    with pytest.raises(ValueError, match="not part of an MLP"):
        mlp_parameters(nn.Sequential(nn.Conv2d(1, 1, 3), nn.Flatten(), nn.Linear(1, 2)))
