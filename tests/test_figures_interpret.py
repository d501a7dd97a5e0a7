"""Channel-similarity and SHAP figures: what they show equals the arrays (and torch); controls."""
import numpy as np
import pytest
import torch
from matplotlib.colors import to_rgba
from torch import nn

from vizdl.explain import ShapResult, channel_search
from vizdl.figures import (
    channel_similarity_grid,
    channel_similarity_heatmap,
    shap_bar,
    shap_image_grid,
)
from vizdl.ops import channel_similarity_matrix
from vizdl.styles import NEGATIVE, POSITIVE
from vizdl.styles.theme import MINUS, fmt
from vizdl.testing import assert_matches_control, figure_to_array


def _cnn():
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(4 * 4 * 4, 3))


@pytest.fixture(scope="module")
def search():
    torch.manual_seed(1)
    images = torch.rand(30, 1, 8, 8)
    labels = torch.arange(30) % 3
    return channel_search(_cnn(), "1", images[0], images, k=3, labels=labels, query_label=0, exclude=0)


@pytest.fixture(scope="module")
def result():
    """Attributions of a tiny CNN from shap's DeepExplainer, checked against torch below."""
    pytest.importorskip("shap")
    from vizdl.explain import shap_values

    torch.manual_seed(2)
    return shap_values(_cnn(), torch.rand(20, 1, 8, 8), torch.rand(2, 1, 8, 8))


def _images(fig):
    return [ax for ax in fig.axes if ax.get_images()]


def test_channel_grid_shows_the_search(search):
    fig = channel_similarity_grid(search, channels=[1, 3])
    rows = [[ax for ax in sub.axes if ax.get_images()] for sub in fig.subfigs]
    assert [len(r) for r in rows] == [2 * (1 + 3)] * 2
    row = {ax.get_label(): ax for ax in rows[1]}  # channel 3
    np.testing.assert_allclose(row["map 0"].get_images()[0].get_array(), search.query_maps[3])
    assert row["image 0"].get_title() == "query: 0"
    for j in range(3):
        index, score = search.top_indices[j, 3], search.top_scores[j, 3]
        np.testing.assert_allclose(row[f"image {j + 1}"].get_images()[0].get_array(), search.images[index, 0])
        np.testing.assert_allclose(row[f"map {j + 1}"].get_images()[0].get_array(), search.maps[index, 3])
        assert row[f"image {j + 1}"].get_title() == f"{int(search.labels[index])}: s = {fmt(score)}"
        assert float(fmt(score).replace(MINUS, "-")) == pytest.approx(search.similarities[index, 3], abs=0.006)
    clims = {row[f"map {j}"].get_images()[0].get_clim() for j in range(4)}
    assert len(clims) == 1  # one colour scale per channel row


def test_channel_heatmap_shows_the_matrix(search):
    matrix = channel_similarity_matrix(search.maps)
    ax = channel_similarity_heatmap(matrix)
    image = ax.get_images()[0]
    np.testing.assert_allclose(image.get_array(), matrix)
    assert image.get_clim() == (-1, 1) and [t.get_text() for t in ax.texts] == [fmt(v) for v in matrix.ravel()]
    assert to_rgba(image.cmap(1.0)) == to_rgba(POSITIVE)


def test_shap_view_numbers_equal_torch(result):
    from vizdl.views.attributions import shap_view

    model = _cnn()
    with torch.no_grad():
        fx = model(torch.from_numpy(result.inputs)).double().numpy()
    view = shap_view(result, labels=[2, 1])
    for r, row in enumerate(view.rows):
        assert row.title.text == f"true {[2, 1][r]}\npred {fx[r].argmax()}"
        assert [p.predicted for p in row.panels] == [c == fx[r].argmax() for c in range(3)]
        for c, panel in enumerate(row.panels):
            assert [line.text for line in panel.lines] == [
                f"class {c}", f"E[f] = {fmt(result.expected_value[c])}", f"f(x) = {fmt(fx[r, c])}",
                f"\u03a3\u03c6 = {fmt(result.totals[r, c])}"]
            # efficiency: the written sum is f(x) - E[f] (DeepExplainer, to rounding)
            assert result.totals[r, c] == pytest.approx(fx[r, c] - result.expected_value[c], abs=1e-4)
            np.testing.assert_allclose(panel.grid.values, result.values[r, 0, ..., c])
            assert panel.grid.scale is view.scale


def test_shap_grid_paints_the_view(result):
    from vizdl.views.attributions import shap_view

    view = shap_view(result, labels=[2, 1])
    fig = shap_image_grid(result, labels=[2, 1])
    axes = {ax.get_label(): ax for ax in fig.axes if ax.get_images()}
    for row in view.rows:
        assert axes[f"input {row.sample}"].get_title() == row.title.text
        for panel in row.panels:
            ax = axes[f"shap {row.sample} {panel.cls}"]
            assert ax.get_title() == "\n".join(line.text for line in panel.lines)
            image = ax.get_images()[0]
            np.testing.assert_allclose(image.get_array(), panel.grid.values)
            assert image.get_clim() == (view.scale.vmin, view.scale.vmax)
            assert to_rgba(image.cmap(1.0)) == to_rgba(POSITIVE) and to_rgba(image.cmap(0.0)) == to_rgba(NEGATIVE)
            assert ax.spines["top"].get_visible() == panel.predicted
    limit = np.quantile(np.abs(result.values[:2, 0]), 0.999)
    assert view.scale.vmax == pytest.approx(limit)


def test_shap_bar_shows_the_values():
    values = np.array([[[0.5, -0.1]], [[-0.3, 0.2]]]).transpose(1, 0, 2)  # (1, 2 features, 2 classes)
    result = ShapResult(values, np.array([0.1, -0.1]), np.array([[0.3, 0.0]]), np.zeros((1, 2)),
                        np.array([[1.0, 2.0]]), "deep")
    ax = shap_bar(result, feature_names=["a", "b"])  # predicted class 0
    widths = sorted(p.get_width() for p in ax.patches)
    np.testing.assert_allclose(widths, [-0.3, 0.5])
    colours = {round(p.get_width(), 3): to_rgba(p.get_facecolor()) for p in ax.patches}
    assert colours[0.5] == to_rgba(POSITIVE) and colours[-0.3] == to_rgba(NEGATIVE)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["b = 2", "a = 1"]
    assert [t.get_text() for t in ax.texts] == [" \u22120.3 ", " 0.5 "]
    with pytest.raises(ValueError, match=r"class_index must be in \[0, 1\]"):
        shap_bar(result, class_index=5)
    with pytest.raises(ValueError, match="shap_image_grid needs image attributions"):
        shap_image_grid(result)


def test_channel_grid_errors(search):
    with pytest.raises(ValueError, match="were not searched"):
        channel_similarity_grid(search, channels=[7])
    with pytest.raises(ValueError, match="matrix must be square"):
        channel_similarity_heatmap(np.zeros((2, 3)))


@pytest.mark.slow
def test_controls(search, result):
    assert_matches_control("channel_similarity_grid", figure_to_array(channel_similarity_grid(search)))
    assert_matches_control("shap_image_grid", figure_to_array(shap_image_grid(result, labels=[2, 1])))
