"""Attention from standard modules: nn.MultiheadAttention (also in TransformerEncoder/Decoder),
Hugging Face eager attention; maps equal a softmax recomputed here; clear warnings otherwise."""
import math
import warnings

import numpy as np
import pytest
import torch
from _models import (
    AveragedAttention,
    FusedAttention,
    TokenTransformer,
    record_loop,
    token_batches,
)
from torch import nn

from vizdl import Recorder, RecordSpec
from vizdl.record import hook_count


def _softmax_heads(h, w_q, b_q, w_k, b_k, heads, scale=None):
    """softmax(q k^T / sqrt(d_head)) per head, ``h`` of shape (N, T, d) -- the test's own recomputation."""
    q, k = h @ w_q.T + b_q, h @ w_k.T + b_k
    n, t, d = q.shape
    q = q.reshape(n, t, heads, d // heads).transpose(0, 2, 1, 3)
    k = k.reshape(n, t, heads, d // heads).transpose(0, 2, 1, 3)
    scores = q @ k.transpose(0, 1, 3, 2) * (scale if scale is not None else 1 / math.sqrt(d // heads))
    scores = np.exp(scores - scores.max(-1, keepdims=True))
    return scores / scores.sum(-1, keepdims=True)


def _mha_maps(weights, layer, h, heads):
    w, b = weights[f"{layer}.in_proj_weight"].astype(np.float64), weights[f"{layer}.in_proj_bias"]
    d = w.shape[1]
    return _softmax_heads(h, w[:d], b[:d], w[d:2 * d], b[d:2 * d], heads)


def test_transformer_encoder_maps_equal_softmax_recomputation(tmp_path):
    torch.manual_seed(0)
    model = TokenTransformer()
    rec = record_loop(model, tmp_path / "run", token_batches(), spec=RecordSpec(every=2))
    run = rec.run
    assert run.attention_layers == ["encoder.layers.0.self_attn", "encoder.layers.1.self_attn"]
    step = run.steps[-1]
    maps, weights, acts = run.attention(step), run.weights(step), run.activations(step)
    assert list(maps) == run.attention_layers and maps["encoder.layers.0.self_attn"].shape == (8, 2, 5, 5)
    x = run.probe["inputs"]
    h0 = weights["embed.weight"][x].astype(np.float64) + weights["pos"]
    np.testing.assert_allclose(maps["encoder.layers.0.self_attn"], _mha_maps(weights, "encoder.layers.0.self_attn",
                                                                            h0, 2), rtol=1e-4, atol=1e-6)
    h1 = acts["encoder.layers.0.norm2"].astype(np.float64)  # the second layer's input (post-norm)
    np.testing.assert_allclose(maps["encoder.layers.1.self_attn"], _mha_maps(weights, "encoder.layers.1.self_attn",
                                                                            h1, 2), rtol=1e-4, atol=1e-6)
    assert hook_count(model) == 0 and torch.backends.mha.get_fastpath_enabled()


def test_transformer_decoder_self_and_cross_attention(tmp_path):
    torch.manual_seed(0)

    class Decoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(10, 8)
            layer = nn.TransformerDecoderLayer(8, 2, dim_feedforward=16, dropout=0.0, batch_first=True)
            self.decoder = nn.TransformerDecoder(layer, 1)
            self.head = nn.Linear(8, 3)

        def forward(self, x):
            h = self.embed(x)
            return self.head(self.decoder(h, h).mean(1))

    run = record_loop(Decoder(), tmp_path / "run", token_batches(count=2), spec=RecordSpec(every=1)).run
    maps = run.attention(0)
    assert list(maps) == ["decoder.layers.0.self_attn", "decoder.layers.0.multihead_attn"]
    for value in maps.values():
        assert value.shape == (8, 2, 5, 5)
        np.testing.assert_allclose(value.sum(-1), 1.0, rtol=1e-5)


def test_multihead_attention_returns_what_its_caller_asked_for(tmp_path):
    torch.manual_seed(0)
    model = AveragedAttention()
    x = torch.randn(4, 5, 8)
    with torch.no_grad():
        before = model.eval()(x)
    with Recorder(model, tmp_path / "run", RecordSpec(every=1, grads=False), probe=(x, torch.zeros(4))) as rec:
        rec.capture(0)
    per_head = rec.run.attention(0)["attn"]
    assert per_head.shape == (4, 2, 5, 5)
    assert model.seen.shape == (4, 5, 5)  # averaged, as the model asked, during the probe forward
    np.testing.assert_allclose(model.seen.numpy(), per_head.mean(1), rtol=1e-5, atol=1e-7)
    with torch.no_grad():
        torch.testing.assert_close(model(x), before)
    assert hook_count(model) == 0


def test_fused_attention_warns_once_with_what_to_do(tmp_path):
    torch.manual_seed(0)
    batches = [(torch.randn(4, 5, 8), torch.randint(0, 3, (4,))) for _ in range(3)]
    with pytest.warns(RuntimeWarning, match="scaled_dot_product_attention.*vizdl.AttentionMap") as caught:
        record_loop(FusedAttention(), tmp_path / "run", batches)
    assert sum("scaled_dot_product" in str(w.message) for w in caught) == 1


def test_models_without_attention_do_not_warn(tmp_path):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 5), nn.ReLU(), nn.Linear(5, 3))
    batches = [(torch.randn(4, 4), torch.randint(0, 3, (4,))) for _ in range(2)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        record_loop(model, tmp_path / "run", batches)


# -- Hugging Face (optional: built from configs, nothing downloaded) -----------------------------
def _hf():
    return pytest.importorskip("transformers")


@pytest.mark.hf
def test_hf_bert_eager_attention_equals_softmax_recomputation(tmp_path):
    transformers = _hf()
    torch.manual_seed(0)
    config = transformers.BertConfig(vocab_size=20, hidden_size=8, num_hidden_layers=2, num_attention_heads=2,
                                     intermediate_size=16, max_position_embeddings=8, num_labels=3,
                                     attn_implementation="eager")
    model = transformers.BertForSequenceClassification(config)
    x, y = torch.randint(1, 20, (4, 6)), torch.randint(0, 3, (4,))
    with Recorder(model, tmp_path / "run", RecordSpec(every=1, grads=False), probe=(x, y)) as rec:
        rec.capture(0)
    run = rec.run
    layer = "bert.encoder.layer.0.attention.self"
    assert run.attention_layers == [layer, "bert.encoder.layer.1.attention.self"]
    maps, weights, acts = run.attention(0), run.weights(0), run.activations(0)
    h = acts["bert.embeddings.dropout"].astype(np.float64)  # the first attention's input
    expected = _softmax_heads(h, weights[f"{layer}.query.weight"], weights[f"{layer}.query.bias"],
                              weights[f"{layer}.key.weight"], weights[f"{layer}.key.bias"], 2)
    np.testing.assert_allclose(maps[layer], expected, rtol=1e-4, atol=1e-6)


@pytest.mark.hf
def test_hf_vit_eager_attention_equals_softmax_recomputation(tmp_path):
    transformers = _hf()
    torch.manual_seed(0)
    config = transformers.ViTConfig(image_size=8, patch_size=4, num_channels=1, hidden_size=8, num_hidden_layers=1,
                                    num_attention_heads=2, intermediate_size=16, num_labels=3,
                                    attn_implementation="eager")
    model = transformers.ViTForImageClassification(config)
    x, y = torch.randn(3, 1, 8, 8), torch.randint(0, 3, (3,))
    with Recorder(model, tmp_path / "run", RecordSpec(every=1, grads=False), probe=(x, y)) as rec:
        rec.capture(0)
    run = rec.run
    layer = "vit.layers.0.attention"
    maps, weights, acts = run.attention(0), run.weights(0), run.activations(0)
    assert list(maps) == [layer] and maps[layer].shape == (3, 2, 5, 5)  # 4 patches + CLS
    h = acts["vit.layers.0.layernorm_before"].astype(np.float64)
    expected = _softmax_heads(h, weights[f"{layer}.q_proj.weight"], weights[f"{layer}.q_proj.bias"],
                              weights[f"{layer}.k_proj.weight"], weights[f"{layer}.k_proj.bias"], 2)
    np.testing.assert_allclose(maps[layer], expected, rtol=1e-4, atol=1e-6)


@pytest.mark.hf
def test_hf_sdpa_attention_warns_how_to_switch_to_eager(tmp_path):
    transformers = _hf()
    config = transformers.BertConfig(vocab_size=20, hidden_size=8, num_hidden_layers=1, num_attention_heads=2,
                                     intermediate_size=16, max_position_embeddings=8, num_labels=3,
                                     attn_implementation="sdpa")
    model = transformers.BertForSequenceClassification(config)
    x, y = torch.randint(1, 20, (4, 6)), torch.randint(0, 3, (4,))
    with pytest.warns(RuntimeWarning, match=r"'sdpa' attention implementation.*set_attn_implementation\('eager'\)"):
        with Recorder(model, tmp_path / "run", RecordSpec(every=1, grads=False), probe=(x, y)) as rec:
            rec.capture(0)
    assert rec.run.attention(0) == {} and rec.run.attention_layers == []  # run.json does not claim maps
    model.set_attn_implementation("eager")
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with Recorder(model, tmp_path / "eager", RecordSpec(every=1, grads=False), probe=(x, y)) as rec:
            rec.capture(0)
    assert list(rec.run.attention(0)) == ["bert.encoder.layer.0.attention.self"]


def test_attention_scene_numbers_for_torch_multihead_attention(tmp_path):
    from vizdl.ops.attention import attention_numbers

    torch.manual_seed(0)
    run = record_loop(TokenTransformer(), tmp_path / "run", token_batches(count=3), spec=RecordSpec(every=1)).run
    for layer in run.attention_layers:          # post-norm layers: the input is not norm1's output
        numbers = attention_numbers(run, layer=layer, head=1, sample=2, step=1)
        np.testing.assert_allclose(numbers.probs, numbers.heads[1], rtol=1e-4, atol=1e-6)


def test_multi_head_numbers_for_torch_multihead_attention(tmp_path):
    from vizdl.ops.attention import multi_head_numbers
    from vizdl.record.models import visible_forward

    torch.manual_seed(0)
    run = record_loop(TokenTransformer(), tmp_path / "run", token_batches(count=3), spec=RecordSpec(every=1)).run
    model, seen = run.model(1), {}
    layer = run.attention_layers[1]
    module = dict(model.named_modules())[layer]
    def keep(_module, args, kwargs):
        seen.setdefault("x", args[0] if args else kwargs["query"])

    handles = [module.register_forward_pre_hook(keep, with_kwargs=True),
               module.register_forward_hook(lambda m, a, o: seen.update(y=seen.get("y", o[0])))]
    with torch.no_grad(), visible_forward():
        model(torch.from_numpy(run.probe["inputs"]))
    for handle in handles:
        handle.remove()
    x = seen["x"][2:3]
    with torch.no_grad():
        y, maps = module(x, x, x, need_weights=True, average_attn_weights=False)
    numbers = multi_head_numbers(run, layer=layer, sample=2, step=1)
    np.testing.assert_allclose(numbers.out, seen["y"][2].double().numpy(), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(numbers.out, y[0].double().numpy(), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(numbers.probs, maps[0].double().numpy(), rtol=1e-4, atol=1e-6)
    assert (numbers.heads, numbers.d_k) == (2, 4)
