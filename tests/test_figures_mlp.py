"""MLP and training-dynamics figures: structure and numbers checked against torch / NumPy."""
import numpy as np
import pytest
import torch
from matplotlib.colors import to_hex

import vizdl
from vizdl import figures
from vizdl.figures.activations import NAMES, activation_curve
from vizdl.figures.boundary import XOR_POINTS, perceptron_learning
from vizdl.figures.representations import pca_2d
from vizdl.testing import assert_matches_control, figure_to_array


@pytest.fixture(scope="session")
def run(tmp_path_factory):
    ds = vizdl.data.load("circles")
    model = vizdl.models.build("mlp", data=ds, hidden=(4, 4), activation="tanh")
    return vizdl.train(model, ds, epochs=6, batch_size=32, lr=0.3, record=vizdl.RecordSpec(every=10),
                       out=tmp_path_factory.mktemp("mlp") / "run", quiet=True)


def _texts(ax, prefix):
    return {t.get_gid(): t.get_text() for t in ax.texts if (t.get_gid() or "").startswith(prefix)}


# -- activations ----------------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_activation_derivatives_equal_finite_differences(name):
    x = np.linspace(-3, 3, 61) + 0.013  # avoid the kinks at 0
    _, y, dy = activation_curve(name, x)
    h = 1e-6
    _, y_plus, _ = activation_curve(name, x + h)
    _, y_minus, _ = activation_curve(name, x - h)
    np.testing.assert_allclose(dy, (y_plus - y_minus) / (2 * h), atol=1e-6)


def test_activation_values_match_torch():
    x = torch.linspace(-3, 3, 13, dtype=torch.float64)
    np.testing.assert_allclose(activation_curve("swish", x.numpy())[1], torch.nn.functional.silu(x).numpy())
    np.testing.assert_allclose(activation_curve("elu", x.numpy())[2], torch.where(x < 0, torch.exp(x), 1.0).numpy())
    np.testing.assert_allclose(activation_curve("sigmoid", x.numpy())[2],
                               (torch.sigmoid(x) * (1 - torch.sigmoid(x))).numpy())
    soft = torch.softmax(torch.stack([x, torch.ones_like(x), -torch.ones_like(x)], 1), 1)[:, 0]
    np.testing.assert_allclose(activation_curve("softmax", x.numpy())[2], (soft * (1 - soft)).numpy())


def test_activation_grid_structure():

    from vizdl.styles.theme import LIGHT

    with vizdl.styles.use("slides"):
        fig = figures.activation_grid()
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 10 and len({round(ax.get_position().y0, 3) for ax in visible}) == 3  # rows of 4
    with vizdl.styles.use("paper"):
        narrow = [ax for ax in figures.activation_grid().axes if ax.get_visible()]
    assert len({round(ax.get_position().x0, 3) for ax in narrow}) == 2  # a paper column: rows of 2
    assert all([line.get_gid() for line in ax.lines][-2:] == ["function", "derivative"] for ax in visible)
    assert {to_hex(ax.lines[-1].get_color()) for ax in visible} == {LIGHT.color("gradient")}  # sigma' is a derivative


def test_activation_formulas_are_readable_in_slides():
    from matplotlib import rcParams

    from vizdl.figures.paint import _renderer

    with vizdl.styles.use("slides"):
        fig = figures.activation_grid()
        body = rcParams["font.size"]
        renderer = _renderer(fig)
    titles = [ax.title for ax in fig.axes if ax.get_visible()]
    assert min(t.get_fontsize() for t in titles) >= body  # the formulas are at least body size (18 pt)
    boxes = [t.get_window_extent(renderer) for t in titles]
    assert not any(a.overlaps(b) for k, a in enumerate(boxes) for b in boxes[k + 1:])
    with pytest.raises(ValueError, match="name must be one of"):
        figures.activation_plot("mish")


# -- network diagram ------------------------------------------------------------------------
def test_network_diagram_large_subset_and_errors(run):
    model = vizdl.models.build("mlp", input_shape=(1, 28, 28), num_classes=10, hidden=(128, 64))
    state = {k: v.numpy() for k, v in model.state_dict().items()}
    ax = figures.network_diagram(state, x=np.random.default_rng(0).random(784))
    assert sum(len(c.get_segments()) for c in ax.collections if (c.get_gid() or "").startswith("edges-")) == \
        7 * 7 + 7 * 7 + 7 * 10
    assert len(_texts(ax, "ellipsis-")) == 3 and _texts(ax, "hidden-")["hidden-0"] == "+777"
    with pytest.raises(ValueError, match="nearest recorded steps"):
        figures.network_diagram(run, run.steps[1] + 1)


def test_network_diagram_of_image_data_shows_the_image(tmp_path):
    data = vizdl.data.load("digits")
    model = vizdl.models.build("mlp", data=data, hidden=(16,), seed=0)
    run = vizdl.train(model, data, epochs=1, record=vizdl.RecordSpec(every=50, probe_size=4), out=tmp_path / "r",
                      quiet=True)
    ax = figures.network_diagram(run, sample=1)
    (image,) = [im for im in ax.images if im.get_gid() == "input-image"]
    np.testing.assert_allclose(image.get_array(), run.probe["inputs"][1, 0])
    pixels = [p.get_gid() for p in ax.patches if (p.get_gid() or "").startswith("pixel-")]
    assert len(pixels) == 7 and "64-16-10 ReLU MLP on digits" in ax.get_title()


def test_mlp_only_pictures_refuse_other_models(run, tmp_path):
    import json
    import shutil

    other = tmp_path / "cnn"
    shutil.copytree(run.path, other)
    meta = json.loads((other / "run.json").read_text())
    meta["model"]["name"] = None  # the name no longer matters: the layer graph decides
    meta["graph"]["modules"].insert(1, {"name": "stem", "type": "Conv2d", "calls": 1, "leaf": True,
                                        "parameters": []})
    meta["graph"]["sequence"].insert(0, "stem")
    (other / "run.json").write_text(json.dumps(meta))
    with pytest.raises(ValueError, match=r"'stem' \(Conv2d\) is not part of a chain of nn.Linear"):
        figures.network_diagram(other)


# -- boundary -------------------------------------------------------------------------------
def test_decision_boundary_grid_wraps_and_titles(run):
    with vizdl.styles.use("slides"):
        fig = figures.decision_boundary_grid(run, run.steps[:6], resolution=10)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == [f"step {s}" for s in run.steps[:6]]
    assert len({round(ax.get_position().y0, 3) for ax in visible}) == 2  # 6 panels: two rows of at most 4
    assert "MLP on circles" in fig.get_suptitle()
    with pytest.raises(ValueError, match="resolution"):
        figures.decision_boundary(run, resolution=5000)


def test_perceptron_converges_on_separable_and_not_on_xor():
    from vizdl.figures.boundary import separable_points

    X, y = separable_points()
    history, mistakes = perceptron_learning(X, y, epochs=50, w0=(-1.0, 0.5, 0.5))
    assert mistakes[-1] == 0
    w = history[-1]
    assert np.all(y * (X @ w[:2] + w[2]) > 0)
    _, xor_mistakes = perceptron_learning(*XOR_POINTS, epochs=10)
    assert min(xor_mistakes) > 0
    fig = figures.perceptron_updates()
    assert all(len(ax.get_lines()) >= 1 for ax in fig.axes if ax.get_visible())
    figures.perceptron_xor()


# -- curves, gradients, representations -----------------------------------------------------
def test_curves_draw_the_recorded_metrics(run):
    ax = figures.metric_curve(run, "loss", smoothing=1)
    (raw,) = [line for line in ax.lines if line.get_gid() == "train-raw"]
    steps, values = run.metric("loss")
    np.testing.assert_array_equal(raw.get_xdata(), steps)
    np.testing.assert_array_equal(raw.get_ydata(), values)
    (val,) = [line for line in ax.lines if line.get_gid() == "val"]
    np.testing.assert_array_equal(val.get_ydata(), run.metric("val_loss")[1])
    fig = figures.training_curves(run)
    assert len(fig.axes) == 3
    arrays = figures.metric_curve({"loss": np.array([3.0, 2.0, 1.0, 4.0])}, smoothing=3)
    np.testing.assert_allclose(arrays.lines[1].get_ydata(), [3.0, 2.0, 7 / 3, 4.0])  # centred: no lag
    assert arrays.lines[1].get_label() == "train (centred mean of 3)"
    assert "MLP on circles" in fig.get_suptitle()


def test_gradient_flow_norms_equal_recorded_grads(run):
    ax = figures.gradient_flow(run)
    assert ax.get_yscale() == "log"
    lines = {line.get_gid(): line for line in ax.lines}
    assert list(lines) == ["norm-net.1", "norm-net.3", "norm-net.5"]  # execution order, one per module
    assert [line.get_label() for line in ax.lines][0] == "layer 1 (net.1)"
    for module in ("net.1", "net.3", "net.5"):
        line = lines[f"norm-{module}"]
        for step, norm in zip(line.get_xdata(), line.get_ydata()):
            grads = run.grads(int(step))  # all of the module's parameters: weight and bias
            both = np.concatenate([grads[f"{module}.weight"].ravel(), grads[f"{module}.bias"].ravel()])
            assert norm == pytest.approx(np.linalg.norm(both))
    fig = figures.weight_histograms(run, kind="grad")
    assert len(fig.axes) == 3 + 1  # three layers and a colour bar
    assert "MLP on circles" in fig.get_suptitle()
    with pytest.raises(ValueError, match="kind"):
        figures.weight_histograms(run, kind="bias")


def test_layer_representations_pca(run):
    fig = figures.layer_representations(run)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[0] == "layer 0: input (2)" and len(titles) == 4 and "step" in fig.get_suptitle()
    acts = run.activations(run.steps[-1])["net.2"]
    proj = pca_2d(acts)
    centered = acts - acts.mean(0)
    _, _, vt = np.linalg.svd(centered, full_matrices=False)
    np.testing.assert_allclose(np.abs(proj), np.abs(centered @ vt[:2].T), atol=1e-5)


def test_descent_paths_follow_the_update_rule():
    path = figures.descent_path(lambda t: (t ** 2).sum(), [2.0], lr=0.1, steps=5)
    np.testing.assert_allclose(path[:, 0], 2.0 * 0.8 ** np.arange(6))
    ax = figures.descent_2d(lrs=(0.1,), steps=3)
    (line,) = [line for line in ax.lines if line.get_gid() == "path-0"]
    expected = figures.descent_path(figures.descent.loss_2d, (-2.5, 1.0), lr=0.1, steps=3)
    np.testing.assert_allclose(line.get_xdata(), expected[:, 0])
    with pytest.raises(ValueError, match="lr"):
        figures.descent_path(lambda t: (t ** 2).sum(), [1.0], lr=0.0)


# -- graphical control tests ----------------------------------------------------------------
@pytest.mark.slow
def test_control_activation_grid():
    assert_matches_control("fig_activations", figure_to_array(figures.activation_grid(), dpi=20))


@pytest.mark.slow
def test_control_network_diagram():
    torch.manual_seed(0)
    model = vizdl.models.build("mlp", input_shape=(3,), num_classes=2, hidden=(4,), activation="tanh")
    state = {k: v.numpy() for k, v in model.state_dict().items()}
    ax = figures.network_diagram(state, x=[0.5, -1.0, 0.25], activation="tanh")
    assert_matches_control("fig_network_diagram", figure_to_array(ax.figure, dpi=30))
