"""Inputs users have: vizdl.train on arrays, TensorDataset, DataLoader, HF-style outputs; dtypes kept;
warnings instead of silence; channel_search and SHAP on users' models."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from _models import (
    FunctionalOnly,
    ResNetish,
    TokenTransformer,
    image_batches,
    record_loop,
    vector_batches,
)
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import vizdl
from vizdl import Recorder, RecordSpec


def _xy(count=40, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(count, 4, generator=g), torch.randint(0, 3, (count,), generator=g)


def _mlp():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 6), nn.ReLU(), nn.Linear(6, 3))


def _train(data, out, **kw):
    return vizdl.train(_mlp(), data, epochs=2, batch_size=8, lr=0.1, record=RecordSpec(every=3), out=out,
                       quiet=True, **kw)


def test_arrays_and_tensor_dataset_give_the_same_run(tmp_path):
    x, y = _xy()
    val = _xy(12, seed=1)
    from_numpy = _train((x.numpy().astype(np.float64), y.numpy()), tmp_path / "a", val=val)
    from_dataset = _train(TensorDataset(x, y), tmp_path / "b", val=TensorDataset(*val))
    assert from_numpy.steps == from_dataset.steps == [0, 3, 6, 9, 10]
    for step in from_numpy.steps:
        for key, value in from_numpy.weights(step).items():
            np.testing.assert_array_equal(value, from_dataset.weights(step)[key])
    assert from_numpy.weights(0)["0.weight"].dtype == np.float32  # float64 arrays cast to the model's dtype
    np.testing.assert_array_equal(from_numpy.probe["inputs"], val[0].numpy())
    assert "val_loss" in from_numpy.metrics[-1] or any("val_loss" in m for m in from_numpy.metrics)


def test_dataloader_is_iterated_as_given(tmp_path):
    x, y = _xy()
    loader = DataLoader(TensorDataset(x, y), batch_size=10, shuffle=False)
    run = _train(loader, tmp_path / "run")
    assert run.meta["steps"] == 2 * len(loader)
    model = _mlp()
    model.load_state_dict({k: torch.from_numpy(v) for k, v in run.weights(0).items()})
    F.cross_entropy(model(x[:10]), y[:10]).backward()
    np.testing.assert_allclose(run.grads(0)["0.weight"], model[0].weight.grad.numpy(), rtol=1e-5, atol=1e-7)
    np.testing.assert_array_equal(run.probe["inputs"], x[:64].numpy())  # no val: probe from training data
    with pytest.raises(ValueError, match="early_stopping and schedule='plateau' need validation data"):
        _train(loader, tmp_path / "es", early_stopping=2)


def test_models_returning_hf_style_outputs_train(tmp_path):
    class Output:
        def __init__(self, logits):
            self.logits = logits

    class Wrapped(nn.Module):
        def __init__(self):
            super().__init__()
            self.net = _mlp()

        def forward(self, x):
            return Output(self.net(x))

    run = vizdl.train(Wrapped(), _xy(), epochs=1, batch_size=8, record=RecordSpec(every=2), out=tmp_path / "run",
                      quiet=True)
    assert run.steps[:2] == [0, 2] and np.isfinite(run.metric("loss")[1]).all()
    with pytest.raises(ValueError, match="data must be a vizdl Dataset or its name, an \\(x, y\\) pair"):
        vizdl.train(_mlp(), {"x": 1}, out=tmp_path / "bad", quiet=True)


@pytest.mark.hf
def test_vizdl_train_on_a_tiny_hf_bert_records_attention(tmp_path):
    transformers = pytest.importorskip("transformers")
    config = transformers.BertConfig(vocab_size=20, hidden_size=8, num_hidden_layers=1, num_attention_heads=2,
                                     intermediate_size=16, max_position_embeddings=8, num_labels=3,
                                     attn_implementation="eager")
    torch.manual_seed(0)
    model = transformers.BertForSequenceClassification(config)
    g = torch.Generator().manual_seed(0)
    x, y = torch.randint(1, 20, (32, 6), generator=g), torch.randint(0, 3, (32,), generator=g)
    run = vizdl.train(model, (x, y), val=(x[:8], y[:8]), epochs=1, batch_size=8, optimizer="adam", lr=1e-3,
                      record=RecordSpec(every=2), out=tmp_path / "run", quiet=True)
    assert run.probe["inputs"].dtype == np.int64
    assert list(run.attention(0)) == ["bert.encoder.layer.0.attention.self"]
    assert run.model(0).config.num_labels == 3


def test_float64_kept_bfloat16_converted_with_a_note(tmp_path):
    torch.manual_seed(0)
    model = _mlp().double()
    batches = vector_batches(count=2, dtype=torch.float64)
    run = record_loop(model, tmp_path / "f64", batches).run
    assert run.weights(0)["0.weight"].dtype == np.float64 and run.activations(0)["0"].dtype == np.float64
    assert "converted" not in run.meta["record"]
    model = _mlp().to(torch.bfloat16)
    batches = vector_batches(count=2, dtype=torch.bfloat16)
    with Recorder(model, tmp_path / "bf16", RecordSpec(every=1), probe=batches[0]) as rec:
        F.cross_entropy(model(batches[0][0]).float(), batches[0][1]).backward()
        rec.capture(0)
    run = rec.run
    assert run.meta["record"]["converted"] == {"bfloat16": "float32"}
    assert run.probe["inputs"].dtype == np.float32 and run.weights(0)["0.weight"].dtype == np.float32
    np.testing.assert_array_equal(run.weights(0)["0.weight"], model[0].weight.detach().float().numpy())
    np.testing.assert_array_equal(run.grads(0)["0.weight"], model[0].weight.grad.float().numpy())
    assert run.model(0)[0].weight.dtype == torch.bfloat16  # rebuilt like the live model
    half = record_loop(_mlp(), tmp_path / "f16", vector_batches(count=1), spec=RecordSpec(dtype="float16")).run
    assert half.weights(0)["0.weight"].dtype == np.float16


def test_capture_in_the_wrong_place_warns(tmp_path):
    model, (x, y) = _mlp(), vector_batches(count=1)[0]
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.warns(RuntimeWarning, match="found no gradients.*after loss.backward"):
        with Recorder(model, tmp_path / "run", RecordSpec(every=1), probe=(x, y)) as rec:
            F.cross_entropy(model(x), y).backward()
            opt.step()
            opt.zero_grad()
            rec.capture(0)                       # too late: zero_grad() already cleared them
    with pytest.warns(RuntimeWarning, match="recorded nothing"):
        with Recorder(nn.Identity(), tmp_path / "empty", RecordSpec(every=1)) as rec:
            rec.capture(0)


def test_channel_search_on_a_module_called_twice_returns_one_row_per_image(tmp_path):
    from vizdl.explain import channel_search

    torch.manual_seed(0)
    run = record_loop(ResNetish(), tmp_path / "run", image_batches(count=2)).run
    images = run.probe["inputs"]
    first = channel_search(run, "blocks.0.relu", images[0], images, k=2)
    second = channel_search(run, "blocks.0.relu#1", images[0], images, k=2)
    assert first.maps.shape[0] == second.maps.shape[0] == len(images)
    acts = run.activations(run.steps[-1])
    np.testing.assert_allclose(first.maps, acts["blocks.0.relu"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(second.maps, acts["blocks.0.relu#1"], rtol=1e-5, atol=1e-6)


def test_shap_keeps_token_ids_integer_and_says_what_to_do():
    pytest.importorskip("shap")
    ids = torch.randint(1, 10, (6, 5))
    with pytest.raises(ValueError, match=r"inputs are integers \(dtype torch.int64.*nn.Embedding"):
        vizdl.shap_values(TokenTransformer(), ids, ids[:2])


def test_shap_on_a_users_model_through_its_run(tmp_path):
    pytest.importorskip("shap")
    torch.manual_seed(0)
    run = record_loop(FunctionalOnly(), tmp_path / "run", vector_batches(count=2))
    result = vizdl.shap_values(run.run, run.run.probe["inputs"], run.run.probe["inputs"][:2], method="gradient",
                               nsamples=20)
    assert result.values.shape == (2, 4, 3)
