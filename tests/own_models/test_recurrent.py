"""Recurrent models: packed sequences and (h_n, c_n) under documented sub-keys; recurrent weights
in gradient flow and histograms."""
import numpy as np
import torch
import torch.nn.functional as F
from _models import GRUClassifier, PackedLSTM, record_loop, token_batches
from torch.nn.utils.rnn import pad_packed_sequence

import vizdl
from vizdl import figures

LSTM_PARAMETERS = ["lstm.weight_ih_l0", "lstm.weight_hh_l0", "lstm.bias_ih_l0", "lstm.bias_hh_l0"]


def test_packed_lstm_output_and_states_equal_own_hooks(tmp_path):
    torch.manual_seed(0)
    batches = token_batches(pad=True)
    run = record_loop(PackedLSTM(), tmp_path / "run", batches).run
    step = run.steps[3]
    acts = run.activations(step)
    assert [k for k in acts if k.startswith("lstm")] == ["lstm", "lstm:c_n", "lstm:h_n", "lstm:lengths"]
    model, seen = run.model(step), {}
    model.lstm.register_forward_hook(lambda m, i, o: seen.update(out=o[0], h=o[1][0], c=o[1][1]))
    with torch.no_grad():
        model(torch.from_numpy(run.probe["inputs"]))
    padded, lengths = pad_packed_sequence(seen["out"], batch_first=True)
    np.testing.assert_allclose(acts["lstm"], padded.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(acts["lstm:lengths"], lengths.numpy())
    np.testing.assert_allclose(acts["lstm:h_n"], seen["h"].numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(acts["lstm:c_n"], seen["c"].numpy(), rtol=1e-5, atol=1e-6)


def test_recurrent_weights_are_in_gradient_flow_and_histograms(tmp_path):
    torch.manual_seed(0)
    batches = token_batches(pad=True)
    run = record_loop(PackedLSTM(), tmp_path / "run", batches).run
    assert run.parameter_groups() == [("embed", ["embed.weight"]), ("lstm", LSTM_PARAMETERS),
                                      ("head", ["head.weight", "head.bias"])]
    model = run.model(2).train()
    F.cross_entropy(model(batches[2][0]), batches[2][1]).backward()
    for name, param in model.named_parameters():
        np.testing.assert_allclose(run.grads(2)[name], param.grad.numpy(), rtol=1e-4, atol=1e-6)
    flow = figures.gradient_flow(run)
    assert [line.get_label() for line in flow.lines] == ["layer 1 (embed)", "layer 2 (lstm)", "layer 3 (head)"]
    lstm_norm = np.sqrt(sum(float(np.sum(model.get_parameter(p).grad.numpy() ** 2)) for p in LSTM_PARAMETERS))
    np.testing.assert_allclose(flow.lines[1].get_ydata()[2], lstm_norm, rtol=1e-4)
    hist = figures.weight_histograms(run, kind="grad")
    assert hist.axes[1].get_title() == "lstm\nweight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0"


def test_gru_hidden_state_is_recorded(tmp_path):
    torch.manual_seed(0)
    run = record_loop(GRUClassifier(), tmp_path / "run", token_batches(count=2)).run
    acts = run.activations(1)
    model = run.model(1)
    with torch.no_grad():
        out, h = model.gru(model.embed(torch.from_numpy(run.probe["inputs"])))
    np.testing.assert_allclose(acts["gru"], out.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(acts["gru:h_n"], h.numpy(), rtol=1e-5, atol=1e-6)


def test_zoo_lstm_recurrent_weights_are_not_dropped(tmp_path):
    data = vizdl.data.load("sequences", task="majority")
    model = vizdl.models.build("lstm", data=data)
    run = vizdl.train(model, data, epochs=1, record=vizdl.RecordSpec(every=5), out=tmp_path / "run", quiet=True)
    names = [n for _, group in run.parameter_groups(run.grads(0)) for n in group]
    assert any("weight_hh" in n for n in names) and any("weight_ih" in n for n in names)
    labels = [line.get_label() for line in figures.gradient_flow(run).lines]
    assert labels[0].startswith("layer 1 (") and any("rnn" in label or "lstm" in label for label in labels)
