"""vizdl.models: the zoo's architectures, parameter counts from the notes, specs and summary()."""
import json

import pytest
import torch
from torch import nn

from vizdl import data, models

IMAGE_SHAPES = [(1, 8, 8), (1, 28, 28), (3, 32, 32)]
FLAT_MODELS = ["logreg", "mlp", "cifar_fc", "cifar_cnn", "cifar_wide", "vit"]
SEQUENCE_MODELS = ["rnn", "lstm", "gru", "tiny_transformer"]


def _build(name, shape, num_classes=3):
    kw = {"vocab_size": 7} if name in SEQUENCE_MODELS else {}
    return models.build(name, input_shape=shape, num_classes=num_classes, **kw)


def _batch(shape, tokens=False):
    torch.manual_seed(0)
    return torch.randint(0, 7, (4, *shape)) if tokens else torch.randn(4, *shape)


def _all_configs():
    yield from (("perceptron", (2,)), ("mlp", (2,)), ("logreg", (2,)))
    yield from ((name, shape) for name in FLAT_MODELS for shape in IMAGE_SHAPES)
    yield from ((name, (6,)) for name in SEQUENCE_MODELS)


ALL = list(_all_configs())


# -- parameter counts printed or stated in the notes ---------------------------------------
def _linear(n_in, n_out):
    return n_in * n_out + n_out


def _conv(c_in, c_out, k):
    return c_in * c_out * k * k + c_out


@pytest.mark.parametrize("name, kw, total, layer_params", [
    # Keras summaries printed in the notes: 784-128-64-10 and 784-300-100-10
    ("mlp", dict(input_shape=(1, 28, 28), num_classes=10, hidden=(128, 64)), 109_386, [100_480, 8_256, 650]),
    ("mlp", dict(input_shape=(1, 28, 28), num_classes=10, hidden=(300, 100)), 266_610, [235_500, 30_100, 1_010]),
    ("perceptron", dict(input_shape=(2,), num_classes=1), 3, [3]),
    # the three CIFAR-10 models: "3.4 million", "62 thousand", "5.8 million" parameters
    ("cifar_fc", {}, 3_426_250, [_linear(3072, 1024), _linear(1024, 256), _linear(256, 64), _linear(64, 10)]),
    ("cifar_cnn", {}, 62_006, [_conv(3, 6, 5), _conv(6, 16, 5), _linear(400, 120), _linear(120, 84), _linear(84, 10)]),
    ("cifar_wide", {}, 5_852_170, [_conv(3, 32, 3), 64, _conv(32, 64, 3), _conv(64, 128, 3), 256,
                                   _conv(128, 128, 3), _conv(128, 256, 3), 512, _conv(256, 256, 3),
                                   _linear(4096, 1024), _linear(1024, 512), _linear(512, 10)]),
])
def test_parameter_counts_match_the_notes(name, kw, total, layer_params):
    model = models.build(name, **kw)
    shape = model.vizdl_spec["config"]["input_shape"]
    table = models.summary(model, shape)
    assert table.total_params == total == sum(p.numel() for p in model.parameters())
    assert table.trainable_params == total and table.non_trainable_params == 0
    assert [r.params for r in table.rows if r.params] == layer_params
    assert f"Total params: {total:,}" in str(table)


def test_cifar_shapes_follow_the_notes():
    rows = {r.name: r.output_shape for r in models.summary(models.build("cifar_cnn"), (3, 32, 32)).rows}
    assert rows["features.0"] == (6, 28, 28) and rows["features.2"] == (6, 14, 14)
    assert rows["features.3"] == (16, 10, 10) and rows["features.5"] == (16, 5, 5)
    assert rows["flatten"] == (400,)
    rows = {r.name: r for r in models.summary(models.build("cifar_wide"), (3, 32, 32)).rows}
    assert rows["flatten"].output_shape == (4096,)
    assert [r.type for r in rows.values()].count("BatchNorm2d") == 3
    assert [r.type for r in rows.values()].count("Dropout") == 2
    plain = models.build("cifar_wide", batch_norm=False, dropout=0.0)
    assert not any(isinstance(m, (nn.BatchNorm2d, nn.Dropout)) for m in plain.modules())


# -- every model on every input shape ------------------------------------------------------
@pytest.mark.parametrize("name, shape", ALL)
def test_forward_shape(name, shape):
    model = _build(name, shape).eval()
    with torch.no_grad():
        out = model(_batch(shape, tokens=name in SEQUENCE_MODELS))
    assert out.shape == (4, 3) and torch.isfinite(out).all()


@pytest.mark.parametrize("name, shape", ALL)
def test_rebuild_from_spec_gives_the_same_architecture(name, shape):
    torch.manual_seed(1)
    model = _build(name, shape)
    spec = json.loads(json.dumps(model.vizdl_spec))
    assert spec["name"] == name and spec["config"]["input_shape"] == list(shape)
    torch.manual_seed(1)
    again = models.build(spec["name"], **spec["config"])
    assert again.vizdl_spec == spec
    state, other = model.state_dict(), again.state_dict()
    assert list(state) == list(other)
    for key in state:
        assert torch.equal(state[key], other[key]), key  # same seed, same architecture: same init


@pytest.mark.parametrize("name, shape", ALL)
def test_no_inplace_activation_and_no_shared_module(name, shape):
    model = _build(name, shape)
    all_modules = list(model.named_modules(remove_duplicate=False))
    assert len(all_modules) == len({id(m) for _, m in all_modules})
    assert not any(getattr(m, "inplace", False) for _, m in all_modules)


@pytest.mark.parametrize("name, shape", ALL)
def test_summary_rows_add_up_and_hooks_are_removed(name, shape):
    model = _build(name, shape)
    model.train()
    table = models.summary(model, shape)
    assert sum(r.params for r in table.rows) == table.total_params == sum(p.numel() for p in model.parameters())
    assert model.training
    assert not any(m._forward_hooks or m._forward_pre_hooks for m in model.modules())
    assert json.loads(json.dumps(table.to_dict()))["total_params"] == table.total_params


# -- readable names --------------------------------------------------------------------------
def test_layer_names_are_readable():
    assert [n for n, _ in models.build("mlp", hidden=(4, 4), input_shape=(2,), num_classes=2).named_modules()] == \
        ["", "net", "net.0", "net.1", "net.2", "net.3", "net.4", "net.5"]
    names = dict(models.build("cifar_cnn").named_modules())
    assert isinstance(names["features.0"], nn.Conv2d) and isinstance(names["classifier.2"], nn.Linear)
    names = dict(_build("gru", (5,)).named_modules())
    assert isinstance(names["rnn"], nn.GRU) and isinstance(names["states"], nn.Identity)


@pytest.mark.parametrize("activation, cls", [("relu", nn.ReLU), ("tanh", nn.Tanh), ("sigmoid", nn.Sigmoid),
                                             ("leaky_relu", nn.LeakyReLU), ("elu", nn.ELU), ("gelu", nn.GELU)])
def test_mlp_activation(activation, cls):
    model = models.build("mlp", input_shape=(2,), num_classes=2, hidden=(4, 4), activation=activation)
    assert [type(m) for m in model.net] == [nn.Flatten, nn.Linear, cls, nn.Linear, cls, nn.Linear]


def test_recurrent_head_reads_the_last_hidden_state():
    model = _build("lstm", (5,)).eval()
    tokens = _batch((5,), tokens=True)
    with torch.no_grad():
        _, (h, _) = model.rnn(model.embed(tokens))
        torch.testing.assert_close(model(tokens), model.head(h[-1]))


# -- datasets fill the shapes ------------------------------------------------------------------
def test_build_from_a_dataset():
    digits = data.load("digits")
    model = models.build("cifar_cnn", data=digits)
    assert model.vizdl_spec["config"]["input_shape"] == [1, 8, 8]
    assert model(digits.x_train[:3]).shape == (3, 10)
    seq = data.load("sequences", vocab_size=6, seq_len=5, n=100)
    for name in SEQUENCE_MODELS:
        model = models.build(name, data=seq)
        assert model.vizdl_spec["config"]["vocab_size"] == 6
        assert model(seq.x_train[:3]).shape == (3, seq.num_classes)
    model = models.build("mlp", data=data.load("moons"), hidden=(4, 4))
    assert models.summary(model, (2,)).total_params == 2 * 4 + 4 + 4 * 4 + 4 + 4 * 2 + 2
    with pytest.raises(ValueError, match="disagrees"):
        models.build("mlp", data=digits, input_shape=(1, 28, 28))


# -- bad input ----------------------------------------------------------------------------------
def test_bad_names_and_options_are_refused():
    with pytest.raises(KeyError, match="mlp.*cifar_cnn.*lstm.*tiny_transformer.*vit"):
        models.build("resnet50")
    assert models.available() == ["perceptron", "logreg", "mlp", "cifar_fc", "cifar_cnn", "cifar_wide",
                                  "rnn", "lstm", "gru", "tiny_transformer", "vit"]
    with pytest.raises(ValueError, match="unknown option.*depth.*allowed.*hidden"):
        models.build("mlp", depth=3)
    with pytest.raises(ValueError, match="needs vocab_size"):
        models.build("lstm", input_shape=(5,), num_classes=2)
    with pytest.raises(ValueError, match="activation must be one of"):
        models.build("mlp", activation="swish")
    with pytest.raises(ValueError, match="hidden must be"):
        models.build("mlp", hidden=(10, 0))
    with pytest.raises(ValueError, match="at least 8x8"):
        models.build("cifar_wide", input_shape=(1, 4, 4))
    with pytest.raises(ValueError, match="use logreg"):
        models.build("perceptron", input_shape=(1, 8, 8))
    with pytest.raises(ValueError, match="padding"):
        models.build("cifar_cnn", input_shape=(1, 8, 8), padding=0)


def test_summary_names_both_shapes_on_mismatch():
    model = models.build("cifar_cnn")
    with pytest.raises(ValueError, match=r"\(3, 32, 32\).*\(1, 28, 28\)"):
        models.summary(model, (1, 28, 28))
    model.vizdl_spec = None  # a foreign model: the forward pass itself fails
    with pytest.raises(ValueError, match=r"input_shape=\(1, 28, 28\)"):
        models.summary(model, (1, 28, 28))
    assert not any(m._forward_hooks for m in model.modules())


def test_summary_table_text():
    text = str(models.summary(models.build("mlp"), (1, 28, 28)))
    lines = text.splitlines()
    assert lines[0] == 'Model: "mlp"'
    assert any(line.split() == ["net.1", "(Linear)", "(None,", "128)", "100,480"] for line in lines)
    assert lines[-3:] == ["Total params: 109,386", "Trainable params: 109,386", "Non-trainable params: 0"]


def test_frozen_parameters_are_non_trainable():
    model = models.build("mlp", input_shape=(2,), num_classes=2, hidden=(3,))
    model.net[1].requires_grad_(False)
    table = models.summary(model, (2,))
    assert (table.total_params, table.trainable_params, table.non_trainable_params) == (17, 8, 9)


def test_attention_map_is_reexported():
    from vizdl.models.transformer import AttentionMap

    assert models.AttentionMap is AttentionMap
    table = models.summary(_build("tiny_transformer", (6,)), (6,))
    assert table.rows[0].name == "pos" and table.rows[0].output_shape is None
    maps = [r for r in table.rows if r.type == "AttentionMap"]
    assert [r.output_shape for r in maps] == [(2, 6, 6), (2, 6, 6)]
