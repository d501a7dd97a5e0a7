"""Recorder: recorded tensors equal torch recomputation, and no hook is ever left behind."""
import numpy as np
import pytest
import torch
from torch import nn

import vizdl
from vizdl.record import Recorder, RecordSpec, hook_count


def _mlp(seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 3))


def _batches(count=12, size=8, seed=1):
    g = torch.Generator().manual_seed(seed)
    return [(torch.randn(size, 4, generator=g), torch.randint(0, 3, (size,), generator=g))
            for _ in range(count)]


def _record_custom_loop(tmp_path, spec, model=None):
    model = model or _mlp()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    probe = _batches(1, 16, seed=7)[0]
    batches = _batches()
    with Recorder(model, tmp_path / "run", spec, probe=probe) as rec:
        for step, (x, y) in enumerate(batches):
            loss = nn.functional.cross_entropy(model(x), y)
            opt.zero_grad()
            loss.backward()
            rec.capture(step)
            opt.step()
            rec.log(step, loss=loss.item())
    return model, batches, probe, rec.run


def test_grads_and_weights_equal_torch_recomputation(tmp_path):
    _, batches, _, run = _record_custom_loop(tmp_path, RecordSpec(every=5))
    assert run.steps == [0, 5, 10]
    for step in run.steps:
        fresh = _mlp()
        fresh.load_state_dict({k: torch.from_numpy(v) for k, v in run.weights(step).items()})
        x, y = batches[step]
        nn.functional.cross_entropy(fresh(x), y).backward()
        recorded = run.grads(step)
        for name, param in fresh.named_parameters():
            np.testing.assert_allclose(recorded[name], param.grad.numpy(), rtol=1e-6, atol=1e-7)


def test_activations_equal_forward_on_probe(tmp_path):
    _, _, probe, run = _record_custom_loop(tmp_path, RecordSpec(every=5))
    fresh = _mlp()
    fresh.load_state_dict({k: torch.from_numpy(v) for k, v in run.weights(10).items()})
    acts = run.activations(10)
    with torch.no_grad():
        hidden = fresh[0](probe[0])
        np.testing.assert_allclose(acts["0"], hidden.numpy(), rtol=1e-6)
        np.testing.assert_allclose(acts["1"], torch.tanh(hidden).numpy(), rtol=1e-6)
        np.testing.assert_allclose(acts["2"], fresh(probe[0]).numpy(), rtol=1e-6)
    np.testing.assert_array_equal(run.probe["inputs"], probe[0].numpy())


def test_weights_are_taken_before_the_update(tmp_path):
    model, batches, _, run = _record_custom_loop(tmp_path, RecordSpec(every=1))
    w0, w1 = run.weights(0)["0.weight"], run.weights(1)["0.weight"]
    np.testing.assert_allclose(w1, w0 - 0.1 * run.grads(0)["0.weight"], rtol=1e-5, atol=1e-7)


def test_no_hook_left_after_success(tmp_path):
    model, *_ = _record_custom_loop(tmp_path, RecordSpec(every=2))
    assert hook_count(model) == 0
    assert not [k for k in vars(model) if "vizdl" in k]  # the Recorder stores nothing on the model


class _Exploding(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer = nn.Linear(4, 3)
        self.explode = False

    def forward(self, x):
        if self.explode:
            raise RuntimeError("boom")
        return self.layer(x)


def test_no_hook_left_when_forward_raises(tmp_path):
    model = _Exploding()
    probe = _batches(1)[0]
    with pytest.raises(RuntimeError, match="boom"):
        with Recorder(model, tmp_path / "run", RecordSpec(every=1), probe=probe) as rec:
            model.explode = True
            rec.capture(0)
    assert hook_count(model) == 0
    assert not [k for k in vars(model) if "vizdl" in k]
    assert vizdl.Run.open(tmp_path / "run").meta["status"] == "failed"


def test_nested_recording_is_refused(tmp_path):
    model = _mlp()
    with Recorder(model, tmp_path / "a"):
        with pytest.raises(RuntimeError, match="nested"):
            with Recorder(model, tmp_path / "b"):
                pass
    with Recorder(model, tmp_path / "c"):  # the model is free again after the block
        pass


def test_layer_globs_and_unknown_layer(tmp_path):
    model = _mlp()
    rec = Recorder(model, tmp_path / "run", RecordSpec(activations=["0", "2*"]), probe=_batches(1)[0])
    assert rec.layers == ["0", "2"]
    with pytest.raises(ValueError, match="valid layer names: 0, 1, 2"):
        Recorder(model, tmp_path / "run", RecordSpec(activations=["fc9"]), probe=_batches(1)[0])


def test_float16_storage(tmp_path):
    *_, run = _record_custom_loop(tmp_path, RecordSpec(every=5, dtype="float16"))
    assert run.weights(0)["0.weight"].dtype == np.float16
    assert run.model_name is None


def test_size_budget_stops_recording_but_not_training(tmp_path):
    with pytest.warns(RuntimeWarning, match="budget"):
        _, _, _, run = _record_custom_loop(tmp_path, RecordSpec(every=1, max_bytes=6000))
    assert 0 < len(run.steps) < 12
    assert len(run.metrics) == 12
    assert run.meta["budget_reached"] is True


def test_log_spaced_schedule():
    spec = RecordSpec(every=None, log_steps=6)
    spec.plan(1000)
    due = [s for s in range(1000) if spec.due(s)]
    assert due[0] == 0 and due[-1] == 999
    assert np.all(np.diff(due) >= np.diff(due)[0])  # gaps grow


def test_bad_spec_values():
    with pytest.raises(ValueError, match="every"):
        RecordSpec(every=0)
    with pytest.raises(ValueError, match="dtype"):
        RecordSpec(dtype="int8")
