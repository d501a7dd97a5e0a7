"""Attention models, recorded attention maps and attention figures, checked against torch."""
import json
import math

import numpy as np
import pytest
import torch

import vizdl
from vizdl.figures import attention as fa
from vizdl.models.transformer import AttentionMap, SelfAttention, tiny_transformer, vit
from vizdl.testing import assert_matches_control, figure_to_array


# -- helpers -------------------------------------------------------------------------------
def softmax_attention(x, weights, prefix, heads):
    """softmax(Q K^T / sqrt(d_k)) from the input ``x`` (N, T, d) and the projection weights."""
    def project(name):
        out = x @ weights[f"{prefix}.{name}.weight"].T + weights[f"{prefix}.{name}.bias"]
        n, t, d = out.shape
        return out.reshape(n, t, heads, d // heads).transpose(1, 2)   # (N, heads, T, d_k)
    q, k = project("q_proj"), project("k_proj")
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    return torch.softmax(scores, dim=-1)


def hooked_maps(model, x):
    """Attention maps captured by a plain forward hook on every AttentionMap."""
    maps, handles = {}, []
    for name, module in model.named_modules():
        if isinstance(module, AttentionMap):
            handles.append(module.register_forward_hook(
                lambda m, i, o, name=name: maps.__setitem__(name, o.detach())))
    try:
        model.eval()
        with torch.no_grad():
            model(x)
    finally:
        for handle in handles:
            handle.remove()
    return maps


# -- models --------------------------------------------------------------------------------
def test_module_names_are_readable():
    model = tiny_transformer(input_shape=(6,), num_classes=3, vocab_size=10)
    names = dict(model.named_modules())
    for name in ("blocks.0.attn", "blocks.0.attn.map", "blocks.1.attn.q_proj", "blocks.0.norm1", "head"):
        assert name in names
    assert isinstance(names["blocks.1.attn.map"], AttentionMap)


def test_no_module_instance_is_reused():
    model = vit(input_shape=(1, 8, 8), num_classes=10)
    modules = [m for _, m in model.named_modules(remove_duplicate=False)]
    assert len(modules) == len({id(m) for m in modules})


def test_spec_is_json_and_rebuilds_the_model():
    for model in (tiny_transformer(input_shape=(5,), num_classes=2, vocab_size=7, pool="cls"),
                  vit(input_shape=(1, 8, 8), num_classes=10, patch_size=4)):
        spec = json.loads(json.dumps(model.vizdl_spec))
        factory = {"tiny_transformer": tiny_transformer, "vit": vit}[spec["name"]]
        again = factory(**spec["config"])
        assert again.state_dict().keys() == model.state_dict().keys()


@pytest.mark.parametrize("pool", ["mean", "cls"])
def test_hooked_map_is_softmax_of_scaled_scores(pool):
    torch.manual_seed(0)
    model = tiny_transformer(input_shape=(6,), num_classes=3, vocab_size=10, heads=4, pool=pool)
    x = torch.randint(0, 10, (5, 6))
    inputs = {}
    handle = model.blocks[1].norm1.register_forward_hook(lambda m, i, o: inputs.__setitem__("x", o))
    maps = hooked_maps(model, x)
    handle.remove()
    tokens = 6 + (pool == "cls")
    assert maps["blocks.1.attn.map"].shape == (5, 4, tokens, tokens)
    expected = softmax_attention(inputs["x"], model.state_dict(), "blocks.1.attn", heads=4)
    torch.testing.assert_close(maps["blocks.1.attn.map"], expected, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(maps["blocks.1.attn.map"].sum(-1), torch.ones(5, 4, tokens))


def test_attention_output_is_weighted_sum_of_values():
    torch.manual_seed(1)
    attn = SelfAttention(8, heads=2).eval()
    x = torch.randn(3, 4, 8)
    probs = hooked_maps(attn, x)["map"]
    v = attn.split(attn.v_proj(x))
    y = (probs @ v).transpose(1, 2).reshape(3, 4, 8)
    torch.testing.assert_close(attn(x), attn.out_proj(y))
    reference = torch.nn.functional.scaled_dot_product_attention(
        attn.split(attn.q_proj(x)), attn.split(attn.k_proj(x)), v)
    torch.testing.assert_close(probs @ v, reference, rtol=1e-5, atol=1e-6)


def test_vit_accepts_flat_images_and_counts_patches():
    model = vit(input_shape=(1, 8, 8), num_classes=10, patch_size=2)
    images = torch.randn(2, 1, 8, 8)
    torch.testing.assert_close(model.eval()(images), model(images.reshape(2, 64)))
    assert hooked_maps(model, images)["blocks.0.attn.map"].shape == (2, 4, 17, 17)


@pytest.mark.parametrize("factory, kwargs, match", [
    (tiny_transformer, dict(input_shape=(6,), num_classes=2, vocab_size=5, d_model=30, heads=4), "divisible"),
    (tiny_transformer, dict(input_shape=(6, 2), num_classes=2, vocab_size=5), "input_shape"),
    (tiny_transformer, dict(input_shape=(6,), num_classes=2, vocab_size=5, pool="max"), "pool"),
    (tiny_transformer, dict(input_shape=(6,), num_classes=2, vocab_size=0), "vocab_size"),
    (vit, dict(input_shape=(1, 8, 8), num_classes=10, patch_size=3), "patch_size"),
    (vit, dict(input_shape=(8, 8), num_classes=10), "input_shape"),
])
def test_bad_configuration_is_refused(factory, kwargs, match):
    with pytest.raises(ValueError, match=match):
        factory(**kwargs)


# -- recorded runs ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sequence_run(tmp_path_factory):
    data = vizdl.data.load("sequences")
    seq_len = tuple(data.x_train.shape[1:])
    vocab = int(max(data.x_train.max(), data.x_val.max())) + 1
    model = tiny_transformer(input_shape=seq_len, num_classes=len(data.classes), vocab_size=vocab,
                             d_model=16, heads=2)
    return vizdl.train(model, data, epochs=2, lr=0.003, optimizer="adam", quiet=True,
                       record=vizdl.RecordSpec(every=40, activations=["blocks.*.norm1"], probe_size=16),
                       out=tmp_path_factory.mktemp("runs") / "seq")


@pytest.fixture(scope="module")
def vit_run(tmp_path_factory):
    data = vizdl.data.load("digits")
    model = vit(input_shape=(1, 8, 8), num_classes=10, d_model=16, heads=2)
    return vizdl.train(model, data, epochs=1, lr=0.003, optimizer="adam", quiet=True,
                       record=vizdl.RecordSpec(every=30, activations=["blocks.*.norm1"], probe_size=8),
                       out=tmp_path_factory.mktemp("runs") / "vit")


@pytest.mark.parametrize("which", ["sequence_run", "vit_run"])
def test_recorded_maps_equal_recomputed_softmax(which, request):
    run = request.getfixturevalue(which)
    heads = run.meta["model"]["config"]["heads"]
    assert run.attention_layers == ["blocks.0.attn", "blocks.1.attn"]
    for step in (run.steps[0], run.steps[-1]):
        weights = {k: torch.from_numpy(v) for k, v in run.weights(step).items()}
        acts, maps = run.activations(step), run.attention(step)
        for layer in run.attention_layers:
            recorded = torch.from_numpy(maps[layer])
            n, h, q, k = recorded.shape
            assert (h, q) == (heads, k)
            torch.testing.assert_close(recorded.sum(-1), torch.ones(n, h, q), atol=1e-5, rtol=0)
            x = torch.from_numpy(acts[layer.replace(".attn", ".norm1")])
            expected = softmax_attention(x, weights, layer, heads)
            torch.testing.assert_close(recorded, expected, rtol=1e-4, atol=1e-5)


def test_rebuilt_model_reproduces_recorded_maps(sequence_run):
    run = sequence_run
    model = run.model(run.steps[-1])
    maps = hooked_maps(model, torch.from_numpy(run.probe["inputs"]))
    recorded = run.attention(run.steps[-1])["blocks.0.attn"]
    np.testing.assert_allclose(maps["blocks.0.attn.map"].numpy(), recorded, rtol=1e-5, atol=1e-6)


# -- figures ---------------------------------------------------------------------------------
def toy_maps(layers=2, heads=2, tokens=5, batch=3, seed=0):
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(layers, batch, heads, tokens, tokens)) * 2
    probs = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    return {f"blocks.{i}.attn": probs[i] for i in range(layers)}


def test_rollout_matches_direct_product():
    maps = toy_maps(layers=3, batch=1)
    layers = [maps[k][0] for k in maps]
    expected = np.eye(5)
    for a in layers:
        mixed = 0.5 * a.mean(0) + 0.5 * np.eye(5)
        expected = (mixed / mixed.sum(-1, keepdims=True)) @ expected
    rollout = fa.attention_rollout(layers)
    np.testing.assert_allclose(rollout, expected)
    np.testing.assert_allclose(rollout.sum(-1), np.ones(5))
    np.testing.assert_allclose(fa.attention_rollout(layers[:1], residual=False), layers[0].mean(0))


def test_grid_has_one_panel_per_layer_and_head_with_true_values():
    maps = toy_maps()
    fig = fa.attention_grid(maps, tokens=list("abcde"), sample=1)
    panels = {ax.get_label(): ax for ax in fig.axes if ax.images}
    assert sorted(panels) == ["blocks.0.attn/0", "blocks.0.attn/1", "blocks.1.attn/0", "blocks.1.attn/1"]
    np.testing.assert_allclose(panels["blocks.1.attn/1"].images[0].get_array(), maps["blocks.1.attn"][1, 1])
    assert [t.get_text() for t in panels["blocks.0.attn/0"].get_yticklabels()] == list("abcde")
    assert {ax.images[0].get_clim() for ax in panels.values()} == {(0.0, 1.0)}  # one scale, a probability
    assert panels["blocks.0.attn/0"].images[0].cmap.name == "viridis"


def test_heatmap_annotations_show_the_probabilities():
    from vizdl.styles.theme import fmt

    attn = toy_maps(tokens=4)["blocks.0.attn"][0, 0]
    ax = fa.attention_heatmap(attn, tokens=["the", "cat", "sat", "."])
    assert [t.get_text() for t in ax.texts] == [fmt(v, below=0.01) for v in attn.ravel()]


def test_head_view_line_widths_follow_weights():
    from vizdl.styles.theme import LIGHT

    attn = toy_maps(heads=1, tokens=3)["blocks.0.attn"][0]
    ax = fa.head_view(attn, tokens=list("xyz"), threshold=0.0, max_width=10.0)
    lines = [line for line in ax.lines if len(line.get_xdata())]
    np.testing.assert_allclose([line.get_linewidth() for line in lines], 10.0 * attn[0].ravel())
    assert {line.get_color() for line in lines} == {LIGHT.color("head 0")}


def test_patch_attention_paints_the_weights_on_the_attention_scale():
    weights = np.arange(16.0)
    ax = fa.patch_attention(np.zeros((8, 8)), weights, patch_size=2, query_patch=5)
    image = ax.images[0]
    np.testing.assert_allclose(image.get_array()[::2, ::2], weights.reshape(4, 4))
    assert image.get_clim() == (0.0, 15.0) and image.cmap.name == "viridis"
    assert [p.get_gid() for p in ax.patches] == ["query-patch"]


@pytest.mark.parametrize("call, match", [
    (lambda: fa.attention_grid({}), "empty"),
    (lambda: fa.attention_grid(toy_maps(), heads=[5]), "heads"),
    (lambda: fa.attention_grid(toy_maps(), tokens=["a"]), "tokens"),
    (lambda: fa.attention_grid(toy_maps(), sample=9), "sample"),
    (lambda: fa.attention_heatmap(np.ones((2, 3))), "square"),
    (lambda: fa.patch_attention(np.zeros((8, 8)), np.ones(5), patch_size=2), "one value per patch"),
    (lambda: fa.image_attention(np.zeros((8, 8)), {"a": np.ones((1, 1, 17, 17))}, patch_size=2,
                                query=20), "query"),
])
def test_bad_figure_input_is_refused(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.slow
def test_grid_and_image_figures_match_control():
    maps = toy_maps(tokens=17, heads=2, batch=1)
    with vizdl.styles.use("slides"):
        fig = fa.attention_grid(maps, tokens=["CLS"] + [str(i) for i in range(16)])
        assert_matches_control("attention_grid", figure_to_array(fig))
        image = np.linspace(0, 1, 64).reshape(8, 8)
        fig = fa.image_attention(image, maps, patch_size=2, query=6)
        assert_matches_control("attention_image", figure_to_array(fig))


def test_fmt_writes_tiny_weights_as_a_bound_and_heads_have_their_own_colours():
    from vizdl.styles.theme import LIGHT, NEGATIVE, POSITIVE, fmt

    assert (fmt(2.2e-13, below=0.01), fmt(-3e-5, below=0.01), fmt(0.0, below=0.01)) == ("<0.01", ">\u22120.01", "0")
    assert fmt(0.25, below=0.01) == "0.25" and fmt(2e-13, tex=True, below=0.01) == "< 0.01"
    heads = {LIGHT.color(f"head {h}") for h in range(8)}
    assert len(heads) == 8 and not heads & {POSITIVE, NEGATIVE} and LIGHT.color("head 9") == LIGHT.color("head 1")
    assert LIGHT.color("on_dark") != LIGHT.color("on_light")
