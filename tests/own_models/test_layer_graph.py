"""Layer graph: recorded in execution order, and every picture names layers in that order."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from _models import (
    FunctionalActivation,
    FunctionalOnly,
    ResNetish,
    SharedReLU,
    image_batches,
    record_loop,
    vector_batches,
)

import vizdl
from vizdl import figures
from vizdl.ops.layers import mlp_chain

RESNET_ORDER = ["stem.0", "stem.1", "stem.2",
                "blocks.0.conv1", "blocks.0.bn1", "blocks.0.relu", "blocks.0.conv2", "blocks.0.bn2",
                "blocks.1.conv1", "blocks.1.bn1", "blocks.1.relu", "blocks.1.conv2", "blocks.1.bn2",
                "pool", "classifier"]
WITH_PARAMETERS = [n for n in RESNET_ORDER if "relu" not in n and n not in ("stem.2", "pool")]


@pytest.fixture(scope="module")
def resnet(tmp_path_factory):
    torch.manual_seed(0)
    model = ResNetish()
    batches = image_batches()
    rec = record_loop(model, tmp_path_factory.mktemp("resnet") / "run", batches, lr=0.05)
    return rec.run, batches


def _own_hooks(model, x):
    """Outputs of every leaf module, one list entry per call (the test's own hooks)."""
    outputs, handles = {}, []
    for name, module in model.named_modules():
        if name and not list(module.children()):
            handles.append(module.register_forward_hook(
                lambda m, i, o, n=name: outputs.setdefault(n, []).append(o.detach().clone())))
    with torch.no_grad():
        model(x)
    for handle in handles:
        handle.remove()
    return outputs


def test_graph_is_execution_order_not_names_or_registration(resnet):
    run, _ = resnet
    assert run.layer_order == RESNET_ORDER
    assert run.graph.source == "probe"
    calls = {m.name: m.calls for m in run.modules}
    assert calls["blocks.0.relu"] == 2 and calls["stem.0"] == 1 and calls[""] == 1
    assert [m for m, _ in run.parameter_groups()] == WITH_PARAMETERS
    assert list(run.activations(0))[:4] == ["stem.0", "stem.1", "stem.2", "blocks.0.conv1"]


def test_every_call_of_a_shared_module_is_recorded_and_equals_own_hooks(resnet):
    run, _ = resnet
    step = run.steps[2]
    model = run.model(step)
    expected = _own_hooks(model, torch.from_numpy(run.probe["inputs"]))
    acts = run.activations(step)
    assert "blocks.0.relu#1" in acts and "blocks.0.relu#2" not in acts
    for name, outputs in expected.items():
        for call, output in enumerate(outputs):
            key = name if call == 0 else f"{name}#{call}"
            np.testing.assert_allclose(acts[key], output.numpy(), rtol=1e-5, atol=1e-6)


def test_grads_equal_torch_and_gradient_flow_numbers_layers_in_execution_order(resnet):
    run, batches = resnet
    step = 1
    model = run.model(step).train()
    x, y = batches[step]
    F.cross_entropy(model(x), y).backward()
    recorded = run.grads(step)
    for name, param in model.named_parameters():
        np.testing.assert_allclose(recorded[name], param.grad.numpy(), rtol=1e-4, atol=1e-6)
    ax = figures.gradient_flow(run)
    labels = [line.get_label() for line in ax.lines]
    assert labels[:2] == ["layer 1 (stem.0)", "layer 2 (stem.1)"]
    assert labels[-1] == f"layer {len(WITH_PARAMETERS)} (classifier)"
    first = ax.lines[0]
    grads = dict(model.named_parameters())
    own = torch.cat([grads["stem.0.weight"].grad.ravel(), grads["stem.0.bias"].grad.ravel()]).norm()
    assert first.get_ydata()[list(first.get_xdata()).index(step)] == pytest.approx(float(own), rel=1e-4)


def test_pictures_start_with_the_real_first_layer(resnet):
    run, _ = resnet
    fig = figures.first_layer_kernels(run)
    assert fig._suptitle.get_text().splitlines()[-1].startswith("stem.0.weight: 4 kernels 3×3")
    hist = figures.weight_histograms(run)
    titles = [ax.get_title().split("\n")[0] for ax in hist.axes[:-1]]
    assert titles == WITH_PARAMETERS
    maps = figures.feature_maps(run, max_channels=2)
    layers = [sf._suptitle.get_text().split()[0] for sf in maps.subfigs[1:]]
    assert layers[:3] == ["stem.0", "stem.1", "stem.2"] and layers.index("blocks.0.relu") < layers.index("pool")


def test_shared_relu_mlp_with_own_names_draws_and_backprops_like_torch(tmp_path):
    torch.manual_seed(0)
    model = SharedReLU()
    run = record_loop(model, tmp_path / "run", vector_batches()).run
    assert mlp_chain(run) == [("inp", "relu"), ("hidden", "relu"), ("out", "identity")]
    step = run.steps[1]
    d = figures.network_diagram(run, step, sample=2).figure  # draws without refusing
    data = vizdl.ops.network_at_step(run, step, sample=2)
    assert [layer.name for layer in data.layers] == ["input", "inp", "hidden", "out"]
    net = run.model(step)
    x = torch.from_numpy(run.probe["inputs"][2:3])
    with torch.no_grad():  # the notes' x_L = softmax(z_L); z_L are the logits
        logits = net(x)[0].double()
    np.testing.assert_allclose(data.layers[-1].pre, logits.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(data.values[-1], torch.softmax(logits, 0).numpy(), rtol=1e-5, atol=1e-6)
    terms = vizdl.ops.backprop_at_step(run, step, sample=2)
    x = x.clone().requires_grad_(True)
    F.cross_entropy(net(x), torch.from_numpy(run.probe["labels"][2:3])).backward()
    np.testing.assert_allclose(terms.layers[0].grad_A, net.inp.weight.grad.numpy(), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(terms.layers[1].grad_b, net.hidden.bias.grad.numpy(), rtol=1e-5, atol=1e-7)
    assert d is not None


def test_functional_activation_needs_an_explicit_activation(tmp_path):
    torch.manual_seed(0)
    run = record_loop(FunctionalActivation(), tmp_path / "run", vector_batches()).run
    with pytest.raises(ValueError, match=r"no activation module runs after fc1.*activation='relu'"):
        figures.network_diagram(run)
    data = vizdl.ops.network_at_step(run, sample=0, activation="relu")
    net = run.model()
    with torch.no_grad():
        expected = net(torch.from_numpy(run.probe["inputs"][:1]))[0].double()
    np.testing.assert_allclose(data.layers[-1].pre, expected.numpy(), rtol=1e-5, atol=1e-6)  # z_L: the logits
    np.testing.assert_allclose(data.values[-1], torch.softmax(expected, 0).numpy(), rtol=1e-5, atol=1e-6)


def test_functional_only_model_warns_and_keeps_weights_grads_and_scalar_shapes(tmp_path):
    torch.manual_seed(0)
    with pytest.warns(RuntimeWarning, match="no submodules: its forward is functional"):
        rec = record_loop(FunctionalOnly(), tmp_path / "run", vector_batches(count=3))
    run = rec.run
    assert run.weights(0)["temperature"].shape == () and run.grads(0)["temperature"].shape == ()
    assert [m for m, _ in run.parameter_groups()] == [""]
    assert figures.gradient_flow(run).lines[0].get_label() == "layer 1 ((model))"
    with pytest.raises(ValueError, match=r"'\(model\)' \(FunctionalOnly\) is not part of a chain of nn.Linear"):
        figures.network_diagram(run)


def test_without_a_probe_the_order_comes_from_the_first_training_forward(tmp_path):
    torch.manual_seed(0)
    model = ResNetish()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    with vizdl.Recorder(model, tmp_path / "run", vizdl.RecordSpec(every=1)) as rec:
        for step, (x, y) in enumerate(image_batches(count=2)):
            F.cross_entropy(model(x), y).backward()
            rec.capture(step)
            opt.step()
            opt.zero_grad()
    run = rec.run
    assert run.graph.source == "forward" and run.layer_order == RESNET_ORDER
    assert vizdl.record.hook_count(model) == 0
