"""The feature-maps topic: the view's maps equal torch's forward pass; figure and scene paint the view."""
import numpy as np
import pytest
import torch

import vizdl
from vizdl.figures.feature_maps import feature_maps, first_layer_kernels
from vizdl.styles.theme import LIGHT, fmt
from vizdl.testing import assert_matches_control, figure_to_array
from vizdl.views.feature_maps import feature_maps_view


@pytest.fixture(scope="session")
def cnn_run(tmp_path_factory):
    ds = vizdl.data.load("digits")
    model = vizdl.models.build("cifar_cnn", data=ds, seed=0)
    return vizdl.train(model, ds, epochs=1, batch_size=64, lr=0.05, seed=0, record=vizdl.RecordSpec(every=10),
                       out=tmp_path_factory.mktemp("runs") / "cnn", quiet=True)


@pytest.fixture(scope="session")
def mlp_run(tmp_path_factory):
    ds = vizdl.data.load("digits")
    model = vizdl.models.build("mlp", data=ds)
    return vizdl.train(model, ds, epochs=1, batch_size=256, lr=0.05, record=vizdl.RecordSpec(every=5),
                       out=tmp_path_factory.mktemp("runs") / "mlp", quiet=True)


def torch_forward(run, step, sample):
    """Every ``features.*`` output and the class probabilities of probe ``sample``, from torch."""
    model = run.model(step).eval()
    x = torch.tensor(run.probe["inputs"][sample:sample + 1]).float()
    outputs = {}
    with torch.no_grad():
        for name, module in model.features.named_children():
            x = module(x)
            outputs[f"features.{name}"] = x[0].double().numpy()
        probs = torch.softmax(model(torch.tensor(run.probe["inputs"][sample:sample + 1])).double(), -1)[0]
    return outputs, probs.numpy()


# -- the view ---------------------------------------------------------------------------------
@pytest.mark.parametrize("step, sample", [(None, 1), (10, 5)])
def test_view_maps_and_prediction_equal_torch(cnn_run, step, sample):
    step_ = cnn_run.steps[-1] if step is None else step
    view = feature_maps_view(cnn_run, step=step, sample=sample)
    outputs, probs = torch_forward(cnn_run, step_, sample)
    assert [layer.id for layer in view.layers] == [f"features.{i}" for i in range(6)]  # execution order
    for layer in view.layers:
        expected = outputs[layer.id]
        assert len(layer.channels) == expected.shape[0] == len(layer.channel_labels)
        for grid, values in zip(layer.channels, expected):
            np.testing.assert_allclose(grid.values, values, atol=1e-5)
            assert grid.scale is layer.scale  # one scale per layer
        assert layer.scale.vmin == pytest.approx(expected.min(), abs=1e-5)
        assert layer.scale.vmax == pytest.approx(expected.max(), abs=1e-5)
    label = int(cnn_run.probe["labels"][sample])
    assert view.prediction.text == (f"prediction: {int(probs.argmax())} (p = {fmt(probs.max())}), "
                                    f"true label {label}")
    np.testing.assert_array_equal(view.input.values, cnn_run.probe["inputs"][sample, 0])
    assert view.title.text == f"Feature maps of cifar_cnn trained on digits (1×8×8 images), step {step_}"


def test_layers_and_captions(cnn_run):
    view = feature_maps_view(cnn_run, max_channels=4)
    assert [layer.description.text for layer in view.layers[:3]] == ["Conv2d 1→6, 5×5, p2", "ReLU", "MaxPool2d 2×2"]
    assert view.layers[3].shape.text == "16×4×4 (first 4 shown)" and len(view.layers[3].channels) == 4
    assert [s.name for s in view.story] == ["input"] + [f"layer-features.{i}" for i in range(6)] + ["prediction"]
    captions = [s.caption for s in view.story]
    assert "6 kernels of 5×5 slide over the 1 input channel" in captions[1]
    assert "ReLU sets the negative values to 0" in captions[2]
    assert "pooling keeps the largest value of each window: the maps shrink to 4×4" in captions[3]
    assert captions[-1].startswith("Prediction: ")


def test_layers_follow_the_recorded_order_never_names(cnn_run, monkeypatch):
    from vizdl.ops.feature_maps import channel_layers

    acts = cnn_run.activations()
    graph = cnn_run.meta["graph"]
    first = ["features.3", "features.0", "features.1"]                 # an execution order, not by name
    modules = sorted(graph["modules"], key=lambda m: first.index(m["name"]) if m["name"] in first else 3)
    sequence = first + [n for n in graph.get("sequence", []) if n not in first]
    meta = dict(cnn_run.meta, graph=dict(graph, modules=modules, sequence=sequence))
    monkeypatch.setattr(cnn_run, "meta", meta)
    monkeypatch.delitem(cnn_run.__dict__, "graph", raising=False)      # the graph is cached per run
    order = channel_layers(cnn_run, acts=acts)
    assert order[:3] == ["features.3", "features.0", "features.1"]


def test_bad_input_is_named(cnn_run, mlp_run):
    with pytest.raises(ValueError, match="flatten.*channel axis"):
        feature_maps(cnn_run, layer="flatten")
    with pytest.raises(KeyError, match="features.9"):
        feature_maps(cnn_run, layer="features.9")
    with pytest.raises(ValueError, match="step 7 was not recorded"):
        feature_maps(cnn_run, step=7)
    with pytest.raises(ValueError, match="sample must be"):
        feature_maps(cnn_run, index=64)
    with pytest.raises(ValueError, match="max_channels must be"):
        feature_maps(cnn_run, max_channels=0)
    with pytest.raises(ValueError, match="channels must be one of"):
        first_layer_kernels(cnn_run, channels="rgb")
    with pytest.raises(ValueError, match="'mlp'.*CNN"):
        feature_maps(mlp_run)
    with pytest.raises(ValueError, match="'mlp'.*CNN"):
        first_layer_kernels(mlp_run)


# -- the figure -------------------------------------------------------------------------------
def panels(fig, prefix):
    return [ax for ax in fig.axes if ax.get_label().startswith(prefix) and ax.images]


def test_figure_paints_the_view(cnn_run):
    view = feature_maps_view(cnn_run, layers=["features.0", "features.3"], sample=5, max_channels=8)
    fig = feature_maps(cnn_run, layer=["features.0", "features.3"], index=5, max_channels=8, ncols=4)
    for layer in view.layers:
        shown = panels(fig, layer.id + "[")
        assert [ax.get_label() for ax in shown] == [f"{layer.id}[{c}]" for c in range(len(layer.channels))]
        for ax, grid in zip(shown, layer.channels):
            np.testing.assert_array_equal(ax.images[0].get_array(), grid.values)
            assert ax.images[0].get_clim() == (layer.scale.vmin, layer.scale.vmax)
            assert ax.images[0].cmap.name == "viridis"
    titles = [sf._suptitle.get_text() for sf in fig.subfigs]
    assert titles[1] == "features.0 · Conv2d 1→6, 5×5, p2 · 6×8×8"
    assert titles[2] == "features.3 · Conv2d 6→16, 5×5, p2 · 16×4×4 (first 8 shown)"
    assert fig._suptitle.get_text() == view.title.text
    assert fig._supxlabel.get_text() == view.prediction.text
    assert fig._supxlabel.get_color() == LIGHT.color("focus")
    assert len([ax for ax in panels(fig, "features.3[")]) == 8  # wrapped into 2 rows of 4
    np.testing.assert_array_equal(panels(fig, "input")[0].images[0].get_array(), cnn_run.probe["inputs"][5, 0])


def test_figure_follows_the_style_sheet(cnn_run):
    with vizdl.styles.use("slides"):
        wide = feature_maps(cnn_run, layer="features.0").get_size_inches()[0]
    with vizdl.styles.use("paper"):
        narrow = feature_maps(cnn_run, layer="features.0").get_size_inches()[0]
    assert (wide, narrow) == (12.8, 6.4)


def test_kernels_are_the_recorded_first_conv_weights(cnn_run):
    for step in cnn_run.steps[:2]:
        fig = first_layer_kernels(cnn_run, step)
        w = cnn_run.weights(step)["features.0.weight"]
        shown = panels(fig, "features.0.weight[")
        assert len(shown) == w.shape[0] == 6
        limit = float(np.abs(w).max())
        for o, ax in enumerate(shown):
            np.testing.assert_array_equal(ax.images[0].get_array(), w[o, 0])
            assert ax.images[0].get_clim() == pytest.approx((-limit, limit))
            assert ax.images[0].cmap(1.0)[:3] == pytest.approx((0xd6 / 255, 0x27 / 255, 0x28 / 255))
        assert fig._suptitle.get_text().startswith("First-layer kernels of cifar_cnn trained on digits")


def test_rgb_kernels_separate_and_summed(cnn_run, monkeypatch):
    w = np.random.default_rng(0).normal(size=(2, 3, 5, 5)).astype(np.float32)
    original = cnn_run.weights
    monkeypatch.setattr(cnn_run, "weights", lambda step=None: {**original(step), "features.0.weight": w})
    fig = first_layer_kernels(cnn_run)
    shown = panels(fig, "features.0.weight[")
    assert [ax.get_label() for ax in shown[:4]] == [f"features.0.weight[{o}, {i}]" for o, i in
                                                     [(0, 0), (0, 1), (0, 2), (1, 0)]]
    np.testing.assert_array_equal(shown[4].images[0].get_array(), w[1, 1])
    summed = panels(first_layer_kernels(cnn_run, channels="sum"), "features.0.weight[")
    assert len(summed) == 2
    np.testing.assert_array_equal(summed[1].images[0].get_array(), w[1].sum(axis=0))


@pytest.mark.slow
def test_feature_maps_picture_matches_control(cnn_run):
    fig = feature_maps(cnn_run, 0, layer=["features.0", "features.2"])  # step 0: seeded init weights
    assert_matches_control("fig_feature_maps", figure_to_array(fig, dpi=30))


# -- the scene --------------------------------------------------------------------------------
manim = pytest.importorskip("manim")


def test_scene_maps_carry_the_view_colours(cnn_run):
    from vizdl.anim.feature_maps import LEVELS, FeatureMapsDiagram, color_levels, level_colors

    view = feature_maps_view(cnn_run, sample=1)
    diagram = FeatureMapsDiagram(view)
    assert list(diagram.columns) == [layer.id for layer in view.layers]
    for layer in view.layers:
        column = diagram.columns[layer.id]
        assert len(column.channels) == len(layer.channels) == len(column.indices)
        assert [i.text for i in column.indices] == [label.text for label in layer.channel_labels]
        for drawn, grid in zip(column.channels, layer.channels):
            np.testing.assert_array_equal(drawn.values, grid.values)
            np.testing.assert_array_equal(drawn.levels, color_levels(grid.values, layer.scale))
            colours = {p.get_fill_color().to_hex().lower() for p in drawn[0]}
            assert colours == {level_colors(layer.scale)[k].lower() for k in np.unique(drawn.levels)}
        assert column.header[0].text == layer.title.text
        assert [t.text for t in column.bar.ticks] == list(layer.scale.ticks()[1])
    assert diagram.prediction.text == view.prediction.text
    assert len(diagram.arrows) == len(view.layers)
    scale = view.layers[0].scale
    centre = scale.vmin + (LEVELS - 0.5) / LEVELS * (scale.vmax - scale.vmin)
    assert level_colors(scale)[LEVELS - 1] == LIGHT.scale_color(scale, centre)


def test_any_number_of_layers_fits_the_area(cnn_run):
    from vizdl.anim.feature_maps import FeatureMapsDiagram

    area = (13.6, 5.9, np.array([0.0, -0.1, 0.0]))
    for layers in (["features.0"], None):
        diagram = FeatureMapsDiagram(feature_maps_view(cnn_run, layers=layers), area=area)
        assert diagram.width <= 13.6 + 1e-6 and diagram.height <= 5.9 + 1e-6


def test_scene_beats_are_the_view_steps(cnn_run):
    from vizdl.scenes.feature_maps import FeatureMaps

    scene = FeatureMaps.configure(run=str(cnn_run.path), layers="features.0;features.3", sample="2")()
    scene.setup()
    beats = list(scene.beats())
    view = feature_maps_view(cnn_run, layers=["features.0", "features.3"], sample=2)
    assert [b.name for b in beats] == [s.name for s in view.story]
    assert [b.caption for b in beats] == [s.caption for s in view.story]
    assert scene.title_mobject.text == view.title.text


@pytest.mark.slow
def test_scene_last_frame_matches_control(cnn_run):
    from vizdl.scenes.feature_maps import FeatureMaps
    from vizdl.testing import render_last_frame

    assert_matches_control("scene_feature_maps", render_last_frame(FeatureMaps.configure(run=str(cnn_run.path))))


@pytest.mark.slow
def test_another_input_changes_the_last_frame(cnn_run):
    import os

    from vizdl.scenes.feature_maps import FeatureMaps
    from vizdl.testing import WRITE_ENV, render_last_frame

    if os.environ.get(WRITE_ENV) == "1":
        pytest.skip("writing control data: nothing to compare")
    with pytest.raises(AssertionError, match="differs from control"):
        assert_matches_control("scene_feature_maps",
                               render_last_frame(FeatureMaps.configure(run=str(cnn_run.path), sample=1)))
