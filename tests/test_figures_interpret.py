"""Channel-similarity and SHAP figures: what they show equals the arrays (and torch); controls."""
import numpy as np
import pytest
import torch
from matplotlib.colors import to_rgba
from torch import nn

from vizdl.explain import ShapResult, channel_search
from vizdl.figures import (
    channel_similarity_grid, channel_similarity_heatmap, shap_bar, shap_image_grid,
)
from vizdl.ops import channel_similarity_matrix
from vizdl.styles import NEGATIVE, POSITIVE
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
    axes = _images(fig)
    assert len(axes) == 2 * (2 + 2 * 3)
    row = axes[8:]  # channel 3
    np.testing.assert_allclose(row[1].get_images()[0].get_array(), search.query_maps[3])
    assert row[0].get_title() == "query: 0"
    for j in range(3):
        index, score = search.top_indices[j, 3], search.top_scores[j, 3]
        np.testing.assert_allclose(row[2 + 2 * j].get_images()[0].get_array(), search.images[index, 0])
        np.testing.assert_allclose(row[3 + 2 * j].get_images()[0].get_array(), search.maps[index, 3])
        assert row[2 + 2 * j].get_title() == f"{int(search.labels[index])}: s={score:.2f}"
    clims = {ax.get_images()[0].get_clim() for ax in row[1::2]}
    assert len(clims) == 1  # one colour scale per channel row


def test_channel_heatmap_shows_the_matrix(search):
    matrix = channel_similarity_matrix(search.maps)
    ax = channel_similarity_heatmap(matrix)
    image = ax.get_images()[0]
    np.testing.assert_allclose(image.get_array(), matrix)
    assert image.get_clim() == (-1, 1) and len(ax.texts) == matrix.size
    assert to_rgba(image.cmap(1.0)) == to_rgba(POSITIVE)


def test_shap_grid_titles_equal_torch_efficiency(result):
    model = _cnn()
    fig = shap_image_grid(result, labels=[2, 1])
    axes = np.array(_images(fig)).reshape(2, 4)
    with torch.no_grad():
        fx = model(torch.from_numpy(result.inputs)).double().numpy()
    for r in range(2):
        assert axes[r, 0].get_title() == f"true {[2, 1][r]}\npred {fx[r].argmax()}"
        for c in range(3):
            title = axes[r, c + 1].get_title().splitlines()[-1]
            assert float(title) == pytest.approx(fx[r, c] - result.expected_value[c], abs=0.006)
            shown = axes[r, c + 1].get_images()[0].get_array()
            limit = np.quantile(np.abs(result.values[r, 0]), 0.999)
            np.testing.assert_allclose(shown, result.values[r, 0, ..., c] / limit, atol=1e-9)


def test_shap_grid_colours(result):
    fig = shap_image_grid(result)
    image = _images(fig)[1].get_images()[0]
    assert to_rgba(image.cmap(1.0)) == to_rgba(POSITIVE)
    assert to_rgba(image.cmap(0.0)) == to_rgba(NEGATIVE)
    assert image.get_clim() == (-1, 1)


def test_shap_bar_shows_the_values():
    values = np.array([[[0.5, -0.1]], [[-0.3, 0.2]]]).transpose(1, 0, 2)  # (1, 2 features, 2 classes)
    result = ShapResult(values, np.array([0.1, -0.1]), np.array([[0.3, 0.0]]), np.zeros((1, 2)),
                        np.array([[1.0, 2.0]]), "deep")
    ax = shap_bar(result, feature_names=["a", "b"])  # predicted class 0
    widths = sorted(p.get_width() for p in ax.patches)
    np.testing.assert_allclose(widths, [-0.3, 0.5])
    colours = {round(p.get_width(), 3): to_rgba(p.get_facecolor()) for p in ax.patches}
    assert colours[0.5] == to_rgba(POSITIVE) and colours[-0.3] == to_rgba(NEGATIVE)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["b = 2.00", "a = 1.00"]
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
