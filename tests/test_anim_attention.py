"""The attention topic: numbers vs torch, one view, painted by the figure and the scene alike."""
import math

import numpy as np
import pytest
import torch

import vizdl
from vizdl.ops.attention import attention_numbers, layer_input
from vizdl.styles.theme import LIGHT, fmt
from vizdl.views.attention import MAX_COLUMNS, attention_view
from vizdl.views.matrices import ELLIPSIS


def _train(path, *, seq_len=4, d_model=8, heads=2, depth=1, epochs=1, activations=("blocks.*.norm1",)):
    data = vizdl.data.load("sequences", task="contains", seq_len=seq_len, seed=0)
    model = vizdl.models.build("tiny_transformer", data=data, d_model=d_model, heads=heads, depth=depth, seed=0)
    record = vizdl.RecordSpec(every=50, activations=list(activations), probe_size=8, grads=False)
    return vizdl.train(model, data, epochs=epochs, lr=0.003, optimizer="adam", seed=0, record=record, out=path,
                       quiet=True)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """A tiny transformer (4 tokens, 2 heads of width 4) trained briefly on 'contains'."""
    return _train(tmp_path_factory.mktemp("runs") / "attn")


@pytest.fixture(scope="module")
def wide_run(tmp_path_factory):
    """16 tokens, one head of width 64: the largest size the pictures promise to fit."""
    return _train(tmp_path_factory.mktemp("runs") / "wide", seq_len=16, d_model=64, heads=1, activations=())


def torch_head(run, step, sample, head, layer="blocks.0.attn"):
    """Q, K, V, scores, probabilities, output of ``head`` and class probabilities, recomputed with torch."""
    model = run.model(step).eval()
    attn = dict(model.named_modules())[layer]
    captured = {}
    handle = attn.register_forward_pre_hook(lambda m, args: captured.setdefault("x", args[0]))
    try:
        with torch.no_grad():
            logits = model(torch.from_numpy(run.probe["inputs"]))
            x = captured["x"][sample]
            q, k, v = (attn.split(p(x)[None])[0, head] for p in (attn.q_proj, attn.k_proj, attn.v_proj))
            probs = torch.softmax(q @ k.T / math.sqrt(q.shape[-1]), dim=-1)
    finally:
        handle.remove()
    return {"q": q, "k": k, "v": v, "scores": q @ k.T, "scaled": q @ k.T / math.sqrt(q.shape[-1]), "probs": probs,
            "out": probs @ v, "classes": torch.softmax(logits[sample].double(), -1)}


# -- numbers ---------------------------------------------------------------------------------
def test_numbers_equal_torch_recomputation(run):
    numbers = attention_numbers(run, head=1, sample=2)
    expected = torch_head(run, numbers.step, 2, 1)
    for name in ("q", "k", "v", "scores", "scaled", "probs", "out"):
        np.testing.assert_allclose(getattr(numbers, name), expected[name].double().numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(numbers.class_probs, expected["classes"].numpy(), rtol=1e-6, atol=1e-9)
    assert numbers.d_k == 4 and numbers.label == int(run.probe["labels"][2])
    recorded = run.attention(numbers.step)["blocks.0.attn"][2]
    np.testing.assert_allclose(numbers.probs, recorded[1], rtol=1e-4, atol=1e-6)


def test_layer_input_without_recorded_activation_uses_the_rebuilt_model(run, monkeypatch):
    step = run.steps[-1]
    recorded = layer_input(run, "blocks.0.attn", step)
    monkeypatch.setattr(run, "activations", lambda step=None: {})  # as if norm1 was not recorded
    np.testing.assert_allclose(layer_input(run, "blocks.0.attn", step), recorded, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kwargs, match", [
    (dict(layer="blocks.5.attn"), "layer"),
    (dict(head=2), "head=2 out of range"),
    (dict(sample=999), "sample=999 out of range"),
    (dict(tokens=["a"]), "tokens"),
    (dict(step=7), "step 7"),
    (dict(step=-99), "step=-99"),
])
def test_bad_choices_are_refused(run, kwargs, match):
    with pytest.raises(ValueError, match=match):
        attention_numbers(run, **kwargs)


# -- the view ---------------------------------------------------------------------------------
def test_every_number_shown_equals_torch(run):
    view = attention_view(run, head=1, sample=2, query=3)
    expected = torch_head(run, run.steps[-1], 2, 1)
    for name in ("q", "k", "v", "scores", "scaled", "out"):
        values = expected[name].double().numpy()
        assert view.grids[name].texts.tolist() == [[fmt(x) for x in row] for row in values]
    probs = expected["probs"].double().numpy()
    assert view.grids["probs"].texts.tolist() == [[fmt(x, below=0.01) for x in row] for row in probs]
    assert view.grids["kt"].texts.tolist() == view.grids["k"].texts.T.tolist()
    classes = expected["classes"].numpy()
    predicted = int(classes.argmax())
    names = run.meta["dataset"]["classes"]
    assert view.context["prediction"].text.startswith(f"prediction: '{names[predicted]}' (p = {fmt(classes.max())})")
    assert f"sums to {fmt(probs[3].sum())}" in view.notes["focus-note"].text
    tokens = [str(int(t)) for t in run.probe["inputs"][2]]
    assert view.grids["probs"].row_labels == tuple(tokens) == view.grids["probs"].col_labels
    assert view.context["input"].text.endswith(" ".join(tokens))
    assert "label = 1 if token 0 occurs" in view.context["task"].text


def test_story_reveals_every_element_and_counts_its_numbers(run):
    view = attention_view(run)
    assert [s.name for s in view.story] == ["qkv", "scores", "scaled", "softmax", "output", "heads", "prediction"]
    assert {i for s in view.story for i in s.reveal} == view.element_ids()
    assert view.story.steps[0].numbers == 3 * 4 * 4
    assert view.story.visible("output") >= {"q", "k", "v", "out", "task", "model", "input"}
    assert "prediction" not in view.story.visible("heads")


def test_scales_and_roles(run):
    view = attention_view(run)
    q, probs = view.grids["q"], view.grids["probs"]
    assert q.scale.kind == "diverging" and q.scale is view.grids["out"].scale  # one scale for Q, K, V, output
    assert (probs.scale.kind, probs.scale.vmin, probs.scale.vmax) == ("sequential", 0.0, 1.0)
    assert view.scales("softmax") == [view.grids["scaled"].scale, probs.scale]
    dark = probs.scale.position(probs.values) < 0.55
    assert (probs.inks[dark] == "on_dark").all() and (probs.inks[~dark] == "on_light").all()


def test_wide_heads_show_a_subset_of_columns_with_an_ellipsis(wide_run):
    view = attention_view(wide_run)
    numbers = attention_numbers(wide_run)
    q = view.grids["q"]
    assert numbers.d_k == 64 and q.shape == (16, MAX_COLUMNS)
    assert q.col_labels == ("1", "2", "3", "4", ELLIPSIS, "64")
    np.testing.assert_array_equal(q.values[:, :4], numbers.q[:, :4])
    np.testing.assert_array_equal(q.values[:, -1], numbers.q[:, -1])
    assert np.isnan(q.values[:, 4]).all() and set(q.texts[:, 4]) == {ELLIPSIS}
    assert view.grids["kt"].row_labels == q.col_labels
    assert (view.grids["probs"].texts == "").all()  # 16 tokens: colours only, no numbers
    assert "columns 1–4 and 64 of d_k = 64" in view.notes["columns-note"].text


# -- painters ---------------------------------------------------------------------------------
def test_figure_paints_the_view(run):
    from vizdl.figures import attention_walkthrough

    view = attention_view(run)
    fig = attention_walkthrough(run, show="softmax")
    axes = {ax.get_label(): ax for ax in fig.axes}
    for key in ("scaled", "probs"):
        grid = view.grids[key]
        texts = {t.get_gid(): t for t in axes[key].texts if (t.get_gid() or "").startswith("cell:")}
        for (r, c), string in np.ndenumerate(grid.texts):
            text = texts[f"cell:{key}:{r}:{c}"]
            assert text.get_text() == string
            assert text.get_color() == LIGHT.color(grid.inks[r, c])
        image = axes[key].images[0]
        assert image.get_clim() == (grid.scale.vmin, grid.scale.vmax)
        np.testing.assert_array_equal(image.get_array(), grid.values)
    focus = [p for p in axes["probs"].patches if p.get_gid() == "focus"]
    assert len(focus) == 1 and focus[0].get_edgecolor()[:3] == pytest.approx((1.0, 127 / 255, 14 / 255))
    context = {t.get_gid(): t.get_text() for ax in fig.axes for t in ax.texts if (t.get_gid() or "").startswith("co")}
    assert context["context-task"] == view.context["task"].text and "context-prediction" not in context
    last = attention_walkthrough(run)
    assert any(t.get_gid() == "context-prediction" for ax in last.axes for t in ax.texts)


def test_maps_figure_and_heatmap_paint_views(run):
    from vizdl.figures import attention_grid, attention_heatmap

    fig = attention_grid(run, annotate=True)
    maps = run.attention(run.steps[-1])["blocks.0.attn"][0]
    panel = [ax for ax in fig.axes if ax.get_label() == "blocks.0.attn/1"][0]
    np.testing.assert_array_equal(panel.images[0].get_array(), maps[1])
    cells = [t.get_text() for t in panel.texts if (t.get_gid() or "").startswith("cell:")]
    assert cells == [fmt(v, below=0.01) for v in maps[1].ravel()]
    assert "tiny_transformer trained on sequences" in fig._suptitle.get_text()
    ax = attention_heatmap(maps[0], tokens=["a", "b", "c", "d"])
    assert [t.get_text() for t in ax.texts] == [fmt(v, below=0.01) for v in maps[0].ravel()]
    assert ax.images[0].get_clim() == (0.0, 1.0)


manim = pytest.importorskip("manim")


def test_scene_matrices_carry_the_view_strings_and_colours(run):
    from vizdl.anim.attention import AttentionWalkthrough

    view = attention_view(run)
    walk = AttentionWalkthrough(view)
    parts = walk.layout("softmax")
    for key in ("scaled", "probs"):
        grid, matrix = view.grids[key], parts[key]
        assert matrix.texts() == list(grid.texts.ravel())
        colours = [c.get_fill_color().to_hex().lower() for c in matrix.cells]
        assert colours == [c.lower() for c in LIGHT.scale_colors(grid.scale, grid.values.ravel())]
        inks = [e.get_fill_color().to_hex().lower() for e in matrix.entries if len(e.points)]
        assert inks == [LIGHT.color(i).lower() for i, t in zip(grid.inks.ravel(), grid.texts.ravel()) if t]
    assert walk.context["task"].text == view.context["task"].text
    assert parts["focus"].get_stroke_color().to_hex().lower() == LIGHT.color("focus")


@pytest.mark.parametrize("which", ["run", "wide_run"])
def test_every_stage_fits_the_frame(which, request):
    from vizdl.anim.attention import AttentionWalkthrough

    view = attention_view(request.getfixturevalue(which))
    area = (13.6, 4.6, np.array([0.0, -0.3, 0.0]))
    walk = AttentionWalkthrough(view, area=area)
    top = min(m.get_bottom()[1] for m in walk.context.values())
    for stage in view.stages:
        group = manim.VGroup(*walk.layout(stage).values())
        assert group.width <= 13.6 + 1e-6 and group.get_top()[1] <= top + 1e-6
        assert group.get_bottom()[1] >= -0.3 - 2.3 - 1e-6
    for label in walk.context.values():
        assert label.get_left()[0] >= -6.8 - 1e-6 and label.get_right()[0] <= 6.8 + 1e-6


def test_scene_beats_are_the_view_steps(run):
    from vizdl.scenes.attention import Attention

    scene = Attention.configure(run=str(run.path), head=1)()
    scene.setup()
    beats = list(scene.beats())
    view = attention_view(run, head=1)
    assert [b.name for b in beats] == [s.name for s in view.story]
    assert [b.caption for b in beats] == [s.caption for s in view.story]
    assert Attention.parse_option("head", "1") == 1


def test_scene_options_come_from_the_one_adapter(run, monkeypatch):
    from vizdl.anim.scene import options_from_environment
    from vizdl.scenes.attention import Attention

    options = options_from_environment(Attention, {"VIZDL_RUN": str(run.path),
                                                   "VIZDL_OPTIONS": "head=1,sample=2,layer=blocks.0.attn"})
    assert options == {"run": str(run.path), "head": 1, "sample": 2, "layer": "blocks.0.attn"}
    with pytest.raises(ValueError, match="no option"):
        options_from_environment(Attention, {"VIZDL_OPTIONS": "colour=red"})


@pytest.mark.slow
def test_scene_last_frame_matches_control(run):
    from vizdl.scenes.attention import Attention
    from vizdl.testing import assert_matches_control, render_last_frame

    assert_matches_control("scene_attention", render_last_frame(Attention.configure(run=str(run.path))))


@pytest.mark.slow
def test_another_input_changes_the_last_frame(run):
    import os

    from vizdl.scenes.attention import Attention
    from vizdl.testing import WRITE_ENV, assert_matches_control, render_last_frame

    if os.environ.get(WRITE_ENV) == "1":
        pytest.skip("writing control data: nothing to compare")
    with pytest.raises(AssertionError, match="differs from control"):
        assert_matches_control("scene_attention", render_last_frame(Attention.configure(run=str(run.path),
                                                                                         sample=1)))
