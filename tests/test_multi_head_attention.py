"""Multi-head attention (notes Part II §3): X W per head, heads, Concat and W_O against torch; view and painters."""
import numpy as np
import pytest
import torch

import vizdl
from vizdl.ops.attention import multi_head_numbers
from vizdl.styles.theme import fmt
from vizdl.views.matrices import ELLIPSIS
from vizdl.views.multi_head import STAGES, concat_columns, multi_head_view


def _train(path, *, seq_len=4, d_model=8, heads=2):
    data = vizdl.data.load("sequences", task="contains", seq_len=seq_len, seed=0)
    model = vizdl.models.build("tiny_transformer", data=data, d_model=d_model, heads=heads, depth=1, seed=0)
    record = vizdl.RecordSpec(every=50, activations=["blocks.*.norm1"], probe_size=8, grads=False)
    return vizdl.train(model, data, epochs=1, lr=0.003, optimizer="adam", seed=0, record=record, out=path,
                       quiet=True)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return _train(tmp_path_factory.mktemp("runs") / "mh")


@pytest.fixture(scope="module")
def wide_run(tmp_path_factory):
    """16 tokens, 4 heads of width 16 (d_model 64)."""
    return _train(tmp_path_factory.mktemp("runs") / "mh-wide", seq_len=16, d_model=64, heads=4)


def torch_layer(run, step, sample, layer="blocks.0.attn"):
    """The attention module's input, per-head softmax and output, by torch on the rebuilt model."""
    model = run.model(step)
    module = dict(model.named_modules())[layer]
    seen = {}
    handles = [module.register_forward_pre_hook(lambda m, a: seen.setdefault("x", a[0])),
               module.register_forward_hook(lambda m, a, o: seen.setdefault("y", o))]
    with torch.no_grad():
        model(torch.from_numpy(run.probe["inputs"]))
    for h in handles:
        h.remove()
    x = seen["x"][sample].double()
    heads = module.heads if hasattr(module, "heads") else 2
    with torch.no_grad():
        q, k, v = (getattr(module, f"{n}_proj")(seen["x"][sample]).double().view(len(x), heads, -1).transpose(0, 1)
                   for n in "qkv")
    probs = torch.softmax(q @ k.transpose(1, 2) / q.shape[-1] ** 0.5, dim=-1)
    return x.numpy(), q.numpy(), probs.numpy(), (probs @ v).numpy(), seen["y"][sample].double().numpy()


@pytest.mark.parametrize("sample", [0, 5])
def test_numbers_equal_torch(run, sample):
    step = run.steps[-1]
    n = multi_head_numbers(run, sample=sample)
    x, q, probs, z, out = torch_layer(run, step, sample)
    np.testing.assert_allclose(n.x, x, atol=1e-6)
    np.testing.assert_allclose(n.q, q, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(n.probs, probs, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(n.probs, n.recorded, rtol=1e-4, atol=1e-6)   # the maps recorded in training
    np.testing.assert_allclose(n.z, z, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(n.concat, np.concatenate(list(z), axis=1), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(n.out, out, rtol=1e-5, atol=1e-6)             # the layer's own output
    assert (n.heads, n.d_k, n.d_model) == (2, 4, 8)


def test_view_writes_torch_numbers(run):
    step = run.steps[-1]
    view = multi_head_view(run, head=1, sample=5)
    x, q, probs, z, out = torch_layer(run, step, 5)
    assert view.grids["q"].texts.tolist() == [[fmt(v) for v in row] for row in q[1]]
    assert view.grids["probs"].texts[0, 0] == fmt(probs[1, 0, 0], below=0.01)
    assert view.grids["z-0"].texts.tolist() == [[fmt(v) for v in row] for row in z[0]]
    shown = [c for c in range(8) if c < 4] + [7]                              # 1-4, ⋯, 8 of d_model = 8
    assert [view.grids["out"].texts[0, i] for i in (0, 1, 2, 3, 5)] == [fmt(out[0, c]) for c in shown]
    assert view.grids["out"].texts[0, 4] == ELLIPSIS
    w_o = run.model(step).blocks[0].attn.out_proj.weight.detach().double().numpy().T
    assert view.grids["wo"].texts[0, 0] == fmt(w_o[0, 0]) and view.grids["wo"].row_labels[4] == ELLIPSIS
    assert [s.name for s in view.story] == ["x", "wq", "wk", "wv", "head", "heads", "concat", "output", "prediction"]
    assert all(step.caption for step in view.story)
    assert set(view.stages) >= set(STAGES) and view.stages["heads"] == ("z-0", "z-1")


def test_wide_layers_show_subsets(wide_run):
    view = multi_head_view(wide_run, head=3, sample=2)
    assert view.grids["x"].shape == (16, 6) and view.grids["wq"].shape == (6, 6)
    assert view.grids["concat"].col_labels == ("1", "2", ELLIPSIS, "16", "17", "18", ELLIPSIS, "32", ELLIPSIS,
                                               "49", "50", ELLIPSIS, "64")
    assert concat_columns(4, 16) == [0, 1, None, 15, 16, 17, None, 31, None, 48, 49, None, 63]
    assert view.grids["concat"].shape[1] == 13 and "head 1" in view.notes["concat-note"].text
    assert view.grids["x"].texts[0, 0] == ""                                 # 16 tokens: colours only


def test_bad_input_is_named(run):
    with pytest.raises(ValueError, match=r"head=2 out of range: blocks.0.attn has 2 heads"):
        multi_head_view(run, head=2)
    with pytest.raises(ValueError, match="layer='nope'"):
        multi_head_numbers(run, layer="nope")
    with pytest.raises(ValueError, match="sample=99"):
        multi_head_numbers(run, sample=99)


def test_figure_paints_the_view(run):
    from vizdl.figures.attention import multi_head_attention

    view = multi_head_view(run)
    fig = multi_head_attention(run, show="output")
    labelled = {ax.get_label(): ax for ax in fig.axes}
    assert {"concat", "wo", "out"} <= set(labelled)
    texts = {t.get_gid(): t.get_text() for t in labelled["out"].texts if t.get_gid()}
    assert texts["cell:out:0:0"] == view.grids["out"].texts[0, 0]
    concat = multi_head_attention(run, show="concat")
    assert any(t.get_text() == view.notes["concat-note"].text for t in concat.texts + [
        t for sf in concat.subfigs for t in sf.texts])


def test_scene_is_registered_with_the_attention_options():
    pytest.importorskip("manim")
    from vizdl.scenes import scene_class

    scene = scene_class("multi-head-attention")
    assert scene.__name__ == "MultiHeadAttention" and {"head", "layer", "sample", "step"} <= set(scene.options)
