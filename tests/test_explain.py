"""SHAP attributions: the efficiency property recomputed with torch, shap's own loop, pitfalls."""
import numpy as np
import pytest
import torch
from torch import nn

import vizdl
from vizdl.explain import shap_values

pytest.importorskip("shap")


@pytest.fixture(scope="module")
def digits():
    return vizdl.data.load("digits")


def _efficiency_gap(model, background, inputs, result):
    """|sum(attributions) - (f(x) - E[f(background)])| recomputed with torch in float64."""
    with torch.no_grad():
        fx = model.double()(inputs.double()).numpy()
        base = model(background.double()).mean(0).numpy()
    model.float()
    totals = result.values.reshape(len(inputs), -1, result.values.shape[-1]).sum(axis=1)
    return np.abs(totals - (fx - base))


@pytest.mark.parametrize("name, kw", [("mlp", {}), ("cifar_cnn", {})])  # mlp: the notes' 128-64 hidden layers
def test_deep_efficiency_on_the_lecture_models(digits, name, kw):
    torch.manual_seed(0)
    model = vizdl.models.build(name, input_shape=(1, 8, 8), num_classes=10, **kw)
    background, inputs = digits.x_train[:40], digits.x_test[:6]
    result = shap_values(model, background, inputs)  # method="deep" by default
    assert result.method == "deep" and result.values.shape == (6, 1, 8, 8, 10)
    assert _efficiency_gap(model, background, inputs, result).max() < 1e-4
    assert result.max_gap < 1e-4
    with torch.no_grad():
        np.testing.assert_allclose(result.outputs, model(inputs).numpy(), atol=1e-5)
        np.testing.assert_allclose(result.expected_value, model(background).mean(0).numpy(), atol=1e-5)
    assert np.abs(result.values).max() > 1e-3  # not trivially zero


def test_batched_deep_equals_shaps_own_loop(digits):
    torch.manual_seed(1)
    model = vizdl.models.build("cifar_cnn", input_shape=(1, 8, 8), num_classes=10)
    background, inputs = digits.x_train[:20], digits.x_test[:3]
    fast = shap_values(model, background, inputs)
    slow = shap_values(model, background, inputs, batched=False)
    np.testing.assert_allclose(fast.values, slow.values, atol=1e-6)


def test_gradient_explainer_layout_and_approximate_efficiency(digits):
    torch.manual_seed(0)
    model = vizdl.models.build("mlp", input_shape=(1, 8, 8), num_classes=10, hidden=(16,))
    background, inputs = digits.x_train[:30], digits.x_test[:3]
    result = shap_values(model, background, inputs, method="gradient", nsamples=300)
    assert result.values.shape == (3, 1, 8, 8, 10)
    gap = _efficiency_gap(model, background, inputs, result)
    np.testing.assert_allclose(result.gap, gap, atol=1e-5)
    scale = np.abs(result.outputs - result.expected_value).mean()
    assert gap.mean() < 0.25 * scale  # sampled expected gradients: close, not exact


def test_inplace_relu_is_handled_and_the_callers_model_untouched():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(inplace=True), nn.Linear(8, 3)).train()
    background, inputs = torch.randn(10, 4), torch.randn(3, 4)
    result = shap_values(model, background, inputs)
    assert result.max_gap < 1e-4 and result.values.shape == (3, 4, 3)
    assert model[1].inplace and model.training
    assert not any(m._forward_hooks or m._backward_hooks for m in model.modules())


def test_reused_module_is_refused():
    class Reuse(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b, self.act, self.c = nn.Linear(4, 4), nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 2)

        def forward(self, x):
            return self.c(self.act(self.b(self.act(self.a(x)))))

    with pytest.raises(ValueError, match=r"one module instance per use.*\['act'\].*method='gradient'"):
        shap_values(Reuse(), torch.randn(5, 4), torch.randn(2, 4))


def test_unknown_module_is_refused_for_deep():
    model = nn.Sequential(nn.Linear(4, 4), nn.Hardswish(), nn.Linear(4, 2))
    with pytest.raises(ValueError, match=r"does not support the modules \['Hardswish'\].*method='gradient'"):
        shap_values(model, torch.randn(5, 4), torch.randn(2, 4))


def test_channel_last_images_are_refused_with_the_permutation(digits):
    model = vizdl.models.build("cifar_cnn", input_shape=(1, 8, 8), num_classes=10)
    x = digits.x_test[:4].permute(0, 2, 3, 1)  # (N, 8, 8, 1)
    with pytest.raises(ValueError, match=r"channel-last.*permute\(0, 3, 1, 2\)"):
        shap_values(model, x, x)


def test_functional_nonlinearity_warns_about_the_gap():
    class Functional(nn.Module):
        def __init__(self):
            super().__init__()
            torch.manual_seed(0)
            self.a, self.b = nn.Linear(4, 16), nn.Linear(16, 2)

        def forward(self, x):
            return self.b(torch.relu(self.a(x)))

    with pytest.warns(UserWarning, match="outside an nn.Module"):
        result = shap_values(Functional(), torch.randn(20, 4), torch.randn(4, 4) * 3)
    assert result.max_gap > 1e-3


def test_bad_arguments():
    model = nn.Sequential(nn.Linear(4, 2))
    with pytest.raises(ValueError, match=r"method must be one of \('deep', 'gradient'\)"):
        shap_values(model, torch.randn(3, 4), torch.randn(2, 4), method="kernel")
    with pytest.raises(ValueError, match=r"inputs must have the background's sample shape \(4,\)"):
        shap_values(model, torch.randn(3, 4), torch.randn(2, 5))
    with pytest.raises(ValueError, match="nn.Module or a vizdl Run"):
        shap_values("mlp", torch.randn(3, 4), torch.randn(2, 4))


def test_run_and_step(digits, tmp_path):
    model = vizdl.models.build("mlp", data=digits, hidden=(16,))
    run = vizdl.train(model, digits, epochs=1, batch_size=256, record=vizdl.RecordSpec(every=3),
                      out=tmp_path / "run", quiet=True)
    step = run.steps[1]
    result = shap_values(run, digits.x_train[:20], digits.x_test[:2], step=step)
    with torch.no_grad():
        np.testing.assert_allclose(result.outputs, run.model(step)(digits.x_test[:2]).numpy(), atol=1e-5)
    assert result.step == step and result.max_gap < 1e-4
