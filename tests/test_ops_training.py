"""Training-dynamics arithmetic: centred smoothing, spreading steps, decision regions (checked against torch)."""
import numpy as np
import pytest
import torch

from vizdl.ops.boundary import data_bounds, decision_regions, grid_points, mlp_probabilities, model_probabilities
from vizdl.ops.curves import centred_mean, histogram_matrix, smoothing_window, spread


def test_centred_mean_is_centred_and_does_not_lag():
    rng = np.random.default_rng(0)
    values = rng.normal(size=40)
    smooth = centred_mean(values, 5)
    for k in range(2, 38):  # away from the ends: the plain mean of the 5 values around k
        assert smooth[k] == pytest.approx(values[k - 2:k + 3].mean())
    assert smooth[0] == values[0] and smooth[1] == pytest.approx(values[:3].mean())  # shrinks symmetrically
    line = 3.0 - 0.1 * np.arange(30)  # a falling loss: a trailing mean would sit above it
    np.testing.assert_allclose(centred_mean(line, 9), line, atol=1e-12)
    np.testing.assert_array_equal(centred_mean(values, 1), values)
    with pytest.raises(ValueError, match="window"):
        centred_mean(values, 0)


def test_smoothing_window_spread_and_histograms():
    assert smoothing_window(10) == 1 and smoothing_window(720) == 29 and smoothing_window(720) % 2 == 1
    assert spread(range(10), 4) == [0, 3, 6, 9] and spread([1, 2], 5) == [1, 2]
    with pytest.raises(ValueError, match="count"):
        spread([1, 2], 0)
    counts, edges = histogram_matrix([np.array([-1.0, 0.1, 0.9]), np.array([0.5])], bins=4)
    assert counts.tolist() == [[1, 0, 1, 1], [0, 0, 0, 1]] and edges[0] == -1.0 and edges[-1] == 1.0


def test_regions_follow_the_model():
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(2, 5), torch.nn.Tanh(), torch.nn.Linear(5, 3)).double()
    points = grid_points(data_bounds([[0.0, 0.0], [1.0, 2.0]]), 6)
    assert points.shape == (36, 2) and points[0, 1] > points[-1, 1]  # top row first
    expected = torch.softmax(net(torch.tensor(points)), 1).detach().numpy()
    weights = [net[0].weight.detach().numpy(), net[2].weight.detach().numpy()]
    biases = [net[0].bias.detach().numpy(), net[2].bias.detach().numpy()]
    np.testing.assert_allclose(mlp_probabilities(weights, biases, ["tanh"], points), expected, atol=1e-12)
    np.testing.assert_allclose(model_probabilities(net.float(), points), expected, atol=1e-6)
    assert net[0].training  # the model's own mode is restored
    winner, confidence = decision_regions(expected)
    np.testing.assert_array_equal(winner, expected.argmax(1))
    np.testing.assert_allclose(confidence, (expected.max(1) - 1 / 3) / (2 / 3))
    _, quantised = decision_regions(expected, levels=4)
    assert set(np.round(quantised * 4, 9)) <= {0.0, 1.0, 2.0, 3.0, 4.0} and np.all(quantised >= confidence - 1e-9)
    with pytest.raises(ValueError, match="2-D inputs"):
        data_bounds(np.zeros((3, 3)))
