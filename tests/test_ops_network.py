"""vizdl.ops.network: values equal torch's forward, subsets, edge colours and opacities."""
import numpy as np
import pytest
import torch

from vizdl.models import build
from vizdl.ops.network import (
    MIN_OPACITY,
    activation_function,
    forward_values,
    mlp_layers,
    network_diagram_data,
    select_neurons,
)


def _state(model):
    return {k: v.detach().numpy() for k, v in model.state_dict().items()}


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "leaky_relu", "elu", "gelu"])
def test_values_equal_torch_forward(activation):
    torch.manual_seed(0)
    model = build("mlp", input_shape=(5,), num_classes=3, hidden=(4, 6), activation=activation).double()
    x = torch.randn(5, dtype=torch.float64)
    data = network_diagram_data(_state(model), x.numpy(), activation=activation)
    expected = [x]
    for module in model.net[1:]:
        expected.append(module(expected[-1]))
    linear_outputs = [expected[i] for i in (1, 3, 5)]
    values = [expected[0], expected[2], expected[4], torch.softmax(expected[5], 0)]  # x_3 = softmax(z_3)
    for got, want in zip(data.values, values):
        np.testing.assert_allclose(got, want.detach().numpy(), rtol=1e-12, atol=1e-12)
    for layer, want in zip(data.layers[1:], linear_outputs):
        np.testing.assert_allclose(layer.pre, want.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(data.probabilities, torch.softmax(model(x[None])[0], 0).detach().numpy())
    np.testing.assert_allclose(data.logits, model(x[None])[0].detach().numpy(), rtol=1e-12)
    weights = [data_w for data_w in (_state(model)[f"net.{k}.weight"] for k in (1, 3, 5))]
    biases = [_state(model)[f"net.{k}.bias"] for k in (1, 3, 5)]
    for got, want in zip(forward_values(weights, biases, [activation] * 2, x.numpy()), values):
        np.testing.assert_allclose(got, want.detach().numpy(), rtol=1e-12, atol=1e-12)


def test_activation_functions_match_torch():
    z = torch.linspace(-4, 4, 41, dtype=torch.float64)
    torch_fns = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid,
                 "leaky_relu": torch.nn.functional.leaky_relu, "elu": torch.nn.functional.elu,
                 "gelu": torch.nn.functional.gelu, "silu": torch.nn.functional.silu,
                 "softplus": torch.nn.functional.softplus, "identity": lambda t: t}
    for name, fn in torch_fns.items():
        np.testing.assert_allclose(activation_function(name)(z.numpy()), fn(z).numpy(), atol=1e-12)


def test_large_network_keeps_a_readable_subset():
    model = build("mlp", input_shape=(1, 28, 28), num_classes=10, hidden=(128, 64))
    x = torch.rand(1, 28, 28)
    data = network_diagram_data(_state(model), x.numpy(), max_neurons=8)
    assert data.sizes == (784, 128, 64, 10)
    assert [len(layer.slots) for layer in data.layers] == [8, 8, 8, 10]  # the ellipsis takes a row
    assert [len(layer.shown) for layer in data.layers] == [7, 7, 7, 10]
    assert data.edge_count == 7 * 7 + 7 * 7 + 7 * 10
    assert [layer.hidden for layer in data.layers] == [777, 121, 57, 0]
    assert data.layers[-1].ellipsis_at is None
    assert all(layer.slots.count(None) == 1 for layer in data.layers[:-1])
    # "top" keeps the largest |x_1|
    x1 = data.layers[1].values
    assert set(data.layers[1].shown) == set(np.argsort(-np.abs(x1))[:7])
    # a class that must stay (the true one) is kept among the top outputs
    small = network_diagram_data(_state(model), x.numpy(), max_outputs=4, include={-1: [int(np.argmin(
        data.probabilities))]})
    assert int(np.argmin(data.probabilities)) in small.layers[-1].shown and len(small.layers[-1].slots) == 4


def test_edges_follow_weights_and_previous_values():
    torch.manual_seed(1)
    model = build("mlp", input_shape=(3,), num_classes=2, hidden=(4,), activation="tanh")
    state = _state(model)
    x = np.array([1.0, -0.2, 0.0])
    data = network_diagram_data(state, x, activation="tanh")
    first = data.edges[0]
    A = state["net.1.weight"]
    np.testing.assert_array_equal(first.weight, A[first.dst, first.src])
    assert not hasattr(first, "color")  # colours belong to the theme (views give roles)
    np.testing.assert_allclose(first.opacity, np.maximum(np.abs(x[first.src]) / 1.0, MIN_OPACITY))
    second = data.edges[1]
    x1 = data.values[1]
    np.testing.assert_allclose(second.opacity, np.maximum(np.abs(x1[second.src]) / np.abs(x1).max(), MIN_OPACITY))
    assert np.all((first.strength >= 0) & (first.strength <= 1)) and first.strength.max() == 1


def test_select_neurons_modes():
    v = np.array([0.1, -5, 0.2, 3, 0, 0, 0, 0, 0, 4])
    np.testing.assert_array_equal(select_neurons(v, 3, "top"), [1, 3, 9])
    np.testing.assert_array_equal(select_neurons(v, 3, "even"), [0, 4, 9])
    np.testing.assert_array_equal(select_neurons(v, 3, "first"), [0, 1, 2])
    np.testing.assert_array_equal(select_neurons(v[:3], 3), [0, 1, 2])


def test_explicit_neurons_and_bad_input():
    model = build("mlp", input_shape=(6,), num_classes=2, hidden=(10,))
    state = _state(model)
    data = network_diagram_data(state, np.ones(6), max_neurons=4, neurons={1: [0, 9]})
    np.testing.assert_array_equal(data.layers[1].shown, [0, 9])
    assert data.layers[1].slots == [0, None, 9]
    assert [len(layer.slots) for layer in network_diagram_data(state, np.ones(6), max_neurons=4).layers] == [4, 4, 2]
    with pytest.raises(ValueError, match="select"):
        network_diagram_data(state, np.ones(6), select="random")
    with pytest.raises(ValueError, match="x: 5 values"):
        network_diagram_data(state, np.ones(5))
    with pytest.raises(ValueError, match="activation"):
        network_diagram_data(state, np.ones(6), activation="swishy")
    with pytest.raises(ValueError, match="not an MLP|2-D Linear"):
        mlp_layers({"conv.weight": np.zeros((4, 1, 3, 3))})
