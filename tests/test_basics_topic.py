"""The first chapters' pictures (neuron, flattening, approximation, regression, batching, cross-entropy,
model comparison, per-layer PCA): every shown number recomputed by torch, painters show the views'
strings in the theme's colours, bad input gives the promised error."""
import numpy as np
import pytest
import torch
from matplotlib.colors import to_hex

from vizdl.ops import approximation, crossentropy, neuron, regression, representation
from vizdl.recipes import recipe_run
from vizdl.styles.theme import LIGHT, fmt


@pytest.fixture(scope="module")
def digits_mlp():
    return recipe_run("digits-mlp")


# --- neuron anatomy -------------------------------------------------------------------------------

def test_neuron_terms_equal_the_recorded_models_forward(digits_mlp):
    run = digits_mlp
    terms = neuron.neuron_terms(run, layer=2, sample=3)
    model = run.model(run.steps[-1]).eval()
    seen = {}
    handles = [model.get_submodule(name).register_forward_hook(
        lambda m, i, o, name=name: seen.__setitem__(name, o.detach())) for name in ("net.2", "net.3", "net.4")]
    with torch.no_grad():
        model(torch.as_tensor(run.probe["inputs"][3:4]).float())
    for handle in handles:
        handle.remove()
    assert not model.get_submodule("net.3")._forward_hooks  # hooks removed
    k = terms.index
    np.testing.assert_allclose(terms.inputs, seen["net.2"][0].numpy(), atol=1e-5)  # x_1: the previous layer
    assert terms.pre == pytest.approx(float(seen["net.3"][0, k]), abs=1e-5)
    assert terms.output == pytest.approx(float(seen["net.4"][0, k]), abs=1e-5)
    assert terms.output == pytest.approx(float(seen["net.4"][0].max()), abs=1e-5)  # default: most active neuron
    assert terms.output > 0


def test_neuron_view_and_figure_show_the_numbers(digits_mlp):
    from vizdl.figures.neuron import paint_neuron
    from vizdl.views.neuron import neuron_view

    terms = neuron.neuron_terms(digits_mlp, neuron=0, sample=0)
    view = neuron_view(terms, max_inputs=4)
    assert view.node("sum").label.text == fmt(terms.pre)
    assert view.node("out").label.text == fmt(terms.output)
    shown = terms.shown(4)
    assert len(shown) == 4 and view.hidden == terms.inputs.size - 4
    products = np.abs(terms.products)
    assert products[shown].min() >= np.delete(products, shown).max()  # the largest |A x| terms
    ax = paint_neuron(view)
    texts = {t.get_text() for t in ax.texts}
    assert {fmt(terms.weights[l]) for l in shown} <= texts
    assert {fmt(terms.inputs[l]) for l in shown} <= texts
    for l in shown:
        edge = next(p for p in ax.patches if p.get_gid() == f"edge-x{l}-sum")
        role = "positive" if terms.weights[l] > 0 else "negative"
        assert to_hex(edge.get_edgecolor()) == LIGHT.color(role)


def test_neuron_terms_reject_bad_input(digits_mlp):
    with pytest.raises(ValueError, match="neuron: 99"):
        neuron.neuron_terms(digits_mlp, neuron=99)
    with pytest.raises(ValueError, match="layer"):
        neuron.neuron_terms(digits_mlp, layer=7)
    with pytest.raises(ValueError, match="inputs and weights"):
        neuron.neuron_from_arrays([1.0], [1.0, 2.0], 0.0)


# --- flattening -----------------------------------------------------------------------------------

def test_flattening_is_nn_flatten(digits_mlp):
    from vizdl.figures.neuron import image_flattening

    image, _label = neuron.probe_image(digits_mlp, 2)
    flat = neuron.flatten_image(image)
    expected = torch.nn.Flatten()(torch.as_tensor(image)[None].double())[0].numpy()
    np.testing.assert_array_equal(flat.vector, expected)
    assert flat.vector[3 * 8 + 5] == flat.image[3, 5] and flat.row_of(29) == 3
    fig = image_flattening(digits_mlp, sample=2)
    _top, bottom = fig.axes
    texts = [t.get_text() for t in bottom.texts if t.get_gid() and t.get_gid().startswith("vector-text")]
    assert texts == [fmt(v, 1) for v in expected]
    formula = next(t for t in bottom.texts if t.get_gid() == "vector-formula").get_text()
    first = flat.first_nonzero
    assert formula.startswith(f"$x_0 = [{fmt(expected[0], 1, tex=True)}, {fmt(expected[1], 1, tex=True)},")
    assert fmt(expected[max(first, 2)], 1, tex=True) in formula and formula.endswith(f"^{{{expected.size}}}$")
    with pytest.raises(ValueError, match="image"):
        neuron.flatten_image(np.zeros((2, 3, 4)))


# --- universal approximation ----------------------------------------------------------------------

def test_approximation_fits_are_torchs_and_improve_with_width():
    approx = approximation.approximate("wave", (1, 8), steps=150, polish=100, points=80)
    x = np.linspace(-2, 2, 50)
    for fit in approx.fits:
        A, b, C = (torch.as_tensor(v) for v in (fit.A, fit.b, fit.C))
        expected = (torch.sigmoid(torch.as_tensor(x)[:, None] * A + b) @ C).numpy()
        np.testing.assert_allclose(fit.predict(x), expected, rtol=1e-12, atol=1e-12)
    errors = approx.sup_errors()
    assert errors[1] < 0.5 * errors[0]
    from vizdl.views.basics import approximation_view

    view = approximation_view(approx)
    assert view.element("fit-8").label.endswith(fmt(errors[1]))
    with pytest.raises(ValueError, match="widths"):
        approximation.approximate("wave", (0, 2))
    with pytest.raises(ValueError, match="target"):
        approximation.approximate("nope")


# --- linear regression and batching ---------------------------------------------------------------

def test_regression_loss_minimum_and_paths_are_torchs():
    data = regression.regression_data(30, seed=1)
    w, b = 0.7, -0.2
    expected = torch.nn.MSELoss()(w * torch.as_tensor(data.x) + b, torch.as_tensor(data.y))
    assert regression.mse(data, w, b) == pytest.approx(float(expected), rel=1e-12)
    w0, b0 = regression.least_squares(data)
    X = np.stack([data.x, np.ones_like(data.x)], 1)
    np.testing.assert_allclose((w0, b0), np.linalg.solve(X.T @ X, X.T @ data.y), rtol=1e-9)
    design = torch.stack([torch.as_tensor(data.x), torch.ones(len(data.x), dtype=torch.float64)], dim=1)
    expected_fit = torch.linalg.lstsq(design, torch.as_tensor(data.y)[:, None]).solution[:, 0]
    np.testing.assert_allclose((w0, b0), expected_fit.numpy(), rtol=1e-12)
    full = regression.descent_path(data, batch_size=30, lr=0.2, epochs=1, start=(0.0, 0.0))
    gw = float(np.mean(2 * (0.0 * data.x + 0.0 - data.y) * data.x))
    gb = float(np.mean(2 * (0.0 * data.x + 0.0 - data.y)))
    np.testing.assert_allclose(full.points[1], [-0.2 * gw, -0.2 * gb], rtol=1e-12)
    paths = regression.batch_paths(data, epochs=2)
    assert [p.updates for p in paths.values()] == [60, 10, 2]
    assert paths["sgd"].losses[-1] < paths["full-batch"].losses[-1]  # same epochs: more updates go further
    with pytest.raises(ValueError, match="batch_size"):
        regression.descent_path(data, batch_size=31, lr=0.1)


def test_batch_paths_painter_uses_run_colours_and_matches_control():
    from vizdl.figures.regression import sgd_vs_batch
    from vizdl.testing import assert_matches_control, figure_to_array

    ax = sgd_vs_batch(epochs=2)
    for k, name in enumerate(("sgd", "mini-batch", "full-batch")):
        line = next(l for l in ax.lines if l.get_gid() == f"path-{name}")
        assert to_hex(line.get_color()) == LIGHT.color(f"run {k}")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[0] == "SGD (1 sample): batch 1, 80 steps"
    assert_matches_control("basics_sgd_vs_batch", figure_to_array(ax.figure, dpi=30))


# --- cross-entropy --------------------------------------------------------------------------------

def test_cross_entropy_of_a_real_prediction(digits_mlp):
    from vizdl.figures.classification import cross_entropy

    pred = crossentropy.prediction(digits_mlp, sample=5)
    model = digits_mlp.model(digits_mlp.steps[-1]).eval()
    x = torch.as_tensor(digits_mlp.probe["inputs"][5:6]).float()
    y = torch.as_tensor(digits_mlp.probe["labels"][5:6]).long()
    with torch.no_grad():
        expected = torch.nn.functional.cross_entropy(model(x), y)
        probs = torch.softmax(model(x), 1)[0]
    assert pred.loss == pytest.approx(float(expected), rel=1e-5)
    np.testing.assert_allclose(pred.probabilities, probs.numpy(), atol=1e-6)
    assert pred.one_hot.sum() == 1 and pred.one_hot[int(y)] == 1
    fig = cross_entropy(digits_mlp, sample=5)
    bars = fig.axes[1]
    texts = {t.get_text() for t in bars.texts}
    assert fmt(pred.probabilities[pred.label]) in texts or pred.probabilities[pred.label] < 0.005
    with pytest.raises(ValueError, match="sample"):
        crossentropy.prediction(digits_mlp, sample=10_000)


# --- model comparison and per-layer PCA (recipes: slow) -------------------------------------------

@pytest.mark.slow
def test_mlp_beats_logistic_regression_where_the_boundary_bends():
    from vizdl.figures.classification import accuracy, model_comparison

    for dataset in ("circles", "xor"):
        assert accuracy(recipe_run(f"{dataset}-mlp16")) > accuracy(recipe_run(f"{dataset}-logistic")) + 0.2
    fig = model_comparison(resolution=20)
    assert len(fig.axes) == 6
    assert fig.axes[0].get_title().startswith("moons: accuracy")


@pytest.mark.slow
def test_cnn_layer_pca_in_execution_order():
    from vizdl.figures.layer_pca import layer_pca

    run = recipe_run("digits-cnn-layers")
    layers = representation.default_layers(run)
    assert layers == ["input", "features.1", "features.2", "features.4", "features.5", "classifier.1",
                      "classifier.3", "classifier.4"]  # flatten repeats features.5: skipped
    projections = representation.layer_projections(run)
    acts = run.activations(run.steps[-1])["features.4"]
    X = torch.as_tensor(np.asarray(acts, dtype=np.float64).reshape(len(acts), -1))
    X = X - X.mean(0)
    _, s, v = torch.linalg.svd(X, full_matrices=False)
    reference = (X @ v[:2].T).numpy()
    got = projections[3].points
    np.testing.assert_allclose(np.abs(got), np.abs(reference), atol=1e-8)
    np.testing.assert_allclose(projections[3].explained, (s[:2] ** 2 / (s ** 2).sum()).numpy(), rtol=1e-10)
    fig = layer_pca(run)
    assert [ax.get_title().split("\n")[0] for ax in fig.axes[:len(layers)]] == [
        f"{p.position}. {p.name}" + (f" ({p.kind})" if p.kind else "") for p in projections]
    assert [p.kind for p in projections[1:3]] == ["ReLU", "MaxPool2d"]


# --- the neuron scene -----------------------------------------------------------------------------

def test_neuron_scene_mobjects_and_beats_follow_the_view(digits_mlp):
    pytest.importorskip("manim")
    from vizdl.anim.neuron import NeuronDiagram
    from vizdl.scenes.neuron_anatomy import NeuronAnatomy

    scene = NeuronAnatomy()
    scene.setup()
    view = scene.view()
    diagram = NeuronDiagram(view)
    for placed in view.placed:
        if not placed.label.tex:
            mobject = diagram.elements[placed.id]
            assert mobject.text == placed.label.text
    weight = next(p for p in view.placed if p.id.startswith("w"))
    glyphs = diagram.elements[weight.id].submobjects[-1]
    assert glyphs.get_fill_color().to_hex().lower() == LIGHT.color(weight.label.role).lower()
    assert diagram.elements["formula"].tex_strings == [p.text for p in view.formula.parts]
    beats = list(scene.beats())
    assert [b.name for b in beats] == [s.name for s in view.story]
    assert [b.caption for b in beats] == [s.caption for s in view.story]
    width, _, _ = scene.content_area()
    assert all(m.width <= width for m in scene.mobjects)


@pytest.mark.slow
def test_neuron_scene_last_frame():
    from vizdl.scenes.neuron_anatomy import NeuronAnatomy
    from vizdl.testing import assert_matches_control, render_last_frame

    assert_matches_control("scene_neuron_anatomy", render_last_frame(NeuronAnatomy))
