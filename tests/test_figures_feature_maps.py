"""Feature maps and first-layer kernels of a real recorded CNN run: panels show the recorded numbers."""
import numpy as np
import pytest

import vizdl
from vizdl.figures.feature_maps import feature_maps, first_layer_kernels
from vizdl.testing import assert_matches_control, figure_to_array


@pytest.fixture(scope="session")
def cnn_run(tmp_path_factory):
    import torch

    assert "cifar_cnn" in vizdl.models.available()
    torch.manual_seed(0)                                  # build() initialises with torch's RNG
    ds = vizdl.data.load("digits")
    model = vizdl.models.build("cifar_cnn", data=ds)
    return vizdl.train(model, ds, epochs=1, batch_size=64, lr=0.05, record=vizdl.RecordSpec(every=10),
                       out=tmp_path_factory.mktemp("runs") / "cnn", quiet=True)


@pytest.fixture(scope="session")
def mlp_run(tmp_path_factory):
    ds = vizdl.data.load("digits")
    model = vizdl.models.build("mlp", data=ds)
    return vizdl.train(model, ds, epochs=1, batch_size=256, lr=0.05, record=vizdl.RecordSpec(every=5),
                       out=tmp_path_factory.mktemp("runs") / "mlp", quiet=True)


def panels(fig, prefix):
    return [ax for ax in fig.axes if ax.get_label().startswith(prefix) and ax.images]


def test_channels_and_input_in_model_order(cnn_run):
    fig = feature_maps(cnn_run, max_channels=8)
    acts = cnn_run.activations()
    expected = [n for n in cnn_run.layers if acts[n].ndim == 4]
    assert expected == [f"features.{i}" for i in range(6)]
    titles = [sf._suptitle.get_text() for sf in fig.subfigs]
    assert titles[0].startswith("input") and "features.0 Conv2d" in titles[1]
    assert [t.split()[0] for t in titles[1:]] == expected
    for name in expected:
        assert len(panels(fig, name + "[")) == min(acts[name].shape[1], 8)
    image = panels(fig, "input")[0].images[0].get_array()
    np.testing.assert_array_equal(image, cnn_run.probe["inputs"][0, 0])


@pytest.mark.parametrize("step, index", [(None, 0), (10, 5)])
def test_panels_are_the_recorded_activations_with_one_scale_per_layer(cnn_run, step, index):
    layers = ["features.0", "features.3"]
    fig = feature_maps(cnn_run, step, layer=layers, index=index)
    acts = cnn_run.activations(step)
    for sub, name in zip(fig.subfigs[1:], layers):
        maps = acts[name][index]
        shown = panels(fig, name + "[")
        assert len(shown) == maps.shape[0]                    # 6 and 16 <= max_channels
        for c, ax in enumerate(shown):
            assert ax.get_label() == f"{name}[{c}]"
            np.testing.assert_array_equal(ax.images[0].get_array(), maps[c])
            assert ax.images[0].get_clim() == (float(maps.min()), float(maps.max()))
        assert len({ax.images[0].get_clim() for ax in shown}) == 1
        colorbars = [ax for ax in sub.axes if not ax.images and ax.get_label() == "<colorbar>"]
        assert len(colorbars) == 1


def test_max_channels_limits_panels_not_the_colour_scale(cnn_run):
    fig = feature_maps(cnn_run, layer="features.3", max_channels=4)
    maps = cnn_run.activations()["features.3"][0]
    shown = panels(fig, "features.3[")
    assert len(shown) == 4
    assert shown[0].images[0].get_clim() == (float(maps.min()), float(maps.max()))
    assert "first 4 of 16" in fig.subfigs[1]._suptitle.get_text()


def test_kernels_are_the_recorded_first_conv_weights(cnn_run):
    for step in cnn_run.steps:
        fig = first_layer_kernels(cnn_run, step)
        w = cnn_run.weights(step)["features.0.weight"]
        shown = panels(fig, "features.0.weight[")
        assert len(shown) == w.shape[0] == 6
        limit = float(np.abs(w).max())
        for o, ax in enumerate(shown):
            np.testing.assert_array_equal(ax.images[0].get_array(), w[o, 0])
            assert ax.images[0].get_clim() == (-limit, limit)
            assert ax.images[0].cmap(1.0)[:3] == pytest.approx((0xd6 / 255, 0x27 / 255, 0x28 / 255))


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


def test_bad_input_is_named(cnn_run, mlp_run):
    with pytest.raises(ValueError, match="flatten.*channel axis"):
        feature_maps(cnn_run, layer="flatten")
    with pytest.raises(KeyError, match="features.9"):
        feature_maps(cnn_run, layer="features.9")
    with pytest.raises(ValueError, match="step 7 was not recorded"):
        feature_maps(cnn_run, step=7)
    with pytest.raises(ValueError, match="index must be"):
        feature_maps(cnn_run, index=64)
    with pytest.raises(ValueError, match="max_channels must be"):
        feature_maps(cnn_run, max_channels=0)
    with pytest.raises(ValueError, match="channels must be one of"):
        first_layer_kernels(cnn_run, channels="rgb")
    with pytest.raises(ValueError, match="'mlp'.*CNN"):
        feature_maps(mlp_run)
    with pytest.raises(ValueError, match="'mlp'.*CNN"):
        first_layer_kernels(mlp_run)


@pytest.mark.slow
def test_feature_maps_picture_matches_control(cnn_run):
    fig = feature_maps(cnn_run, 0, layer=["features.0", "features.2"])  # step 0: seeded init weights
    assert_matches_control("fig_feature_maps", figure_to_array(fig, dpi=30))
