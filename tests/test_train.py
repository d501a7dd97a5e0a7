"""vizdl.train: determinism, techniques, recorded gradients vs torch, clear errors."""
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from torch import nn

import vizdl
from vizdl.record import RecordSpec, hook_count


def _toy(n=300, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 2, generator=g)
    y = (x[:, 0] * x[:, 1] > 0).long()
    cut1, cut2 = int(n * 0.7), int(n * 0.85)
    return SimpleNamespace(name="toy", x_train=x[:cut1], y_train=y[:cut1], x_val=x[cut1:cut2],
                           y_val=y[cut1:cut2], x_test=x[cut2:], y_test=y[cut2:], classes=["a", "b"],
                           params={"n": n}, input_shape=(2,))


def _net(seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))


def _train(tmp_path, name="run", **kw):
    model = kw.pop("model", None) or _net()
    options = dict(epochs=3, batch_size=32, lr=0.3, record=RecordSpec(every=5), quiet=True)
    options.update(kw)
    return vizdl.train(model, _toy(), out=tmp_path / name, **options)


def test_same_seed_gives_bit_identical_snapshots(tmp_path):
    a = _train(tmp_path, "a", seed=3)
    b = _train(tmp_path, "b", seed=3)
    assert a.steps == b.steps
    for step in a.steps:
        assert a.keys(step) == b.keys(step)
        for key in a.keys(step):
            left, right = a.tensor(step, key), b.tensor(step, key)
            assert left.tobytes() == right.tobytes(), key
        assert a.step_metadata(step) == b.step_metadata(step)
    c = _train(tmp_path, "c", seed=4)
    assert not np.array_equal(a.weights(5)["0.weight"], c.weights(5)["0.weight"])


def test_full_batch_gradients_equal_torch(tmp_path):
    data = _toy()
    run = vizdl.train(_net(), data, epochs=4, batch_size=len(data.x_train), lr=0.5,
                      record=RecordSpec(every=1), out=tmp_path / "full", quiet=True)
    for step in (0, 3):
        fresh = _net()
        fresh.load_state_dict({k: torch.from_numpy(v) for k, v in run.weights(step).items()})
        nn.functional.cross_entropy(fresh(data.x_train), data.y_train).backward()
        for name, param in fresh.named_parameters():
            np.testing.assert_allclose(run.grads(step)[name], param.grad.numpy(), rtol=1e-4, atol=1e-6)


def test_final_snapshot_holds_trained_weights(tmp_path):
    model = _net()
    run = _train(tmp_path, model=model)
    last = run.steps[-1]
    assert last == run.meta["steps"]
    for name, param in model.named_parameters():
        np.testing.assert_array_equal(run.weights(last)[name], param.detach().numpy())
    assert run.grads(last) == {}
    assert hook_count(model) == 0


def test_metrics_and_meta(tmp_path):
    run = _train(tmp_path)
    assert run.meta["status"] == "complete"
    assert set(run.meta["final"]) == {"test_loss", "test_acc"}
    steps, val = run.metric("val_acc")
    assert len(steps) == 3 and np.all((0 <= val) & (val <= 1))
    assert run.metric("lr")[1][0] == pytest.approx(0.3)


def test_record_none_writes_no_snapshot(tmp_path):
    run = _train(tmp_path, record=None)
    assert run.steps == [] and len(run.metric("loss")[0]) == run.meta["steps"]


@pytest.mark.parametrize("kw", [
    dict(optimizer="adam", lr=0.01), dict(optimizer="momentum", schedule="cosine"),
    dict(schedule={"name": "step", "step_size": 5, "gamma": 0.5}),
    dict(clip_grad_norm=0.1), dict(weight_decay=1e-3, l1=1e-4), dict(init="xavier"), dict(init="he"),
    dict(schedule="warmup"),
])
def test_each_training_technique_changes_the_training(tmp_path, kw):
    """An option silently ignored would give the plain run's weights: each must change them."""
    plain = _train(tmp_path, "plain", model=_seeded_net(), seed=0)
    varied = _train(tmp_path, "varied", model=_seeded_net(), seed=0, **kw)
    assert varied.meta["status"] == "complete" and varied.steps == plain.steps
    last = plain.steps[-1]
    differences = [np.abs(varied.weights(last)[k] - plain.weights(last)[k]).max() for k in plain.weights(last)]
    assert max(differences) > 1e-6, f"{kw} trained exactly like the plain run"


def test_plateau_schedule_lowers_the_lr_when_validation_stops_improving(tmp_path):
    run = _train(tmp_path, schedule={"name": "plateau", "patience": 0, "factor": 0.1}, lr=3.0, epochs=6)
    _, lrs = run.metric("lr")
    assert lrs[0] == pytest.approx(3.0) and lrs[-1] < 3.0


def _seeded_net():
    import torch

    torch.manual_seed(0)
    return _net()


def test_step_schedule_changes_lr(tmp_path):
    run = _train(tmp_path, schedule={"name": "step", "step_size": 5, "gamma": 0.5})
    lrs = run.metric("lr")[1]
    assert lrs[0] == pytest.approx(0.3) and lrs[5] == pytest.approx(0.15)


def test_clipping_bounds_the_recorded_gradient(tmp_path):
    run = _train(tmp_path, clip_grad_norm=0.05)
    total = np.sqrt(sum((g.astype(np.float64) ** 2).sum() for g in run.grads(5).values()))
    assert total <= 0.05 + 1e-6


def test_early_stopping_stops(tmp_path):
    run = _train(tmp_path, epochs=50, lr=1e-6, early_stopping={"patience": 2, "min_delta": 1.0})
    assert run.meta["status"] == "stopped_early"
    assert len(run.metric("val_loss")[0]) == 3  # best at epoch 0, then 2 bad epochs


class _GoesNaN(nn.Module):
    """A classifier whose output turns NaN at its 8th training forward pass."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(2, 2)
        self.calls = 0

    def forward(self, x):
        self.calls += self.training
        out = self.linear(x)
        return out * float("nan") if self.calls >= 8 else out


def test_nan_loss_stops_with_readable_run(tmp_path):
    with pytest.raises(vizdl.TrainingDiverged, match="loss became nan at step 7") as info:
        _train(tmp_path, model=_GoesNaN(), epochs=5, record=RecordSpec(every=1))
    run = vizdl.Run.open(info.value.run_path)
    assert run.meta["status"] == "diverged" and run.steps


def test_shape_mismatch_names_both_shapes(tmp_path):
    model = nn.Sequential(nn.Linear(5, 2))
    with pytest.raises(ValueError, match=r"\(2,\)"):
        _train(tmp_path, model=model)


@pytest.mark.parametrize("kw, message", [
    (dict(optimizer="lbfgs"), "valid: sgd"), (dict(schedule="zigzag"), "valid: step"),
    (dict(init="orthogonal"), "valid: xavier"), (dict(epochs=0), "epochs"), (dict(lr=-1), "lr"),
    (dict(device="cuda:7" if not torch.cuda.is_available() else "nope"), "CUDA|device"),
])
def test_bad_options(tmp_path, kw, message):
    with pytest.raises((ValueError, RuntimeError), match=message):
        _train(tmp_path, **kw)


def test_augmentation_needs_images(tmp_path):
    with pytest.raises(ValueError, match="image batches"):
        _train(tmp_path, augment=["flip"])


def test_zoo_models_are_reproducible_whatever_the_global_rng(tmp_path):
    data = vizdl.data.load("xor", n=120)
    runs = []
    for name in ("a", "b"):
        torch.rand(7)  # disturb torch's global generator between the two builds
        model = vizdl.models.build("mlp", data=data, hidden=(4,), activation="tanh")
        runs.append(vizdl.train(model, data, epochs=2, lr=0.3, seed=5, record=RecordSpec(every=3),
                                out=tmp_path / name, quiet=True))
    a, b = runs
    for step in a.steps:
        for key in a.keys(step):
            assert a.tensor(step, key).tobytes() == b.tensor(step, key).tobytes()
