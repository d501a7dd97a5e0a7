"""Channel similarity (notes' "Intuition behind channels"): NumPy/torch recomputation, errors, hooks."""
import numpy as np
import pytest
import torch
from torch import nn

from vizdl.explain import channel_search, feature_maps
from vizdl.ops.channels import (
    channel_activation,
    channel_similarity,
    channel_similarity_matrix,
    most_exciting,
    top_k,
    top_k_similar,
)


def _brute_force(query, maps, metric):
    out = np.zeros(maps.shape[:2])
    for n in range(maps.shape[0]):
        for c in range(maps.shape[1]):
            a, b = query[c].ravel().astype(float), maps[n, c].ravel().astype(float)
            if metric == "correlation":
                a, b = a - a.mean(), b - b.mean()
            na, nb = np.linalg.norm(a), np.linalg.norm(b)
            out[n, c] = 0.0 if na < 1e-9 or nb < 1e-9 else a @ b / (na * nb)
    return out


@pytest.fixture
def maps():
    rng = np.random.default_rng(0)
    maps = rng.normal(size=(7, 4, 5, 6)).astype(np.float32)
    maps[2, 1] = 0.0       # a dead channel on one image
    maps[3, 2] = 1.5       # a constant map (correlation undefined -> 0)
    return maps


@pytest.mark.parametrize("metric", ["cosine", "correlation"])
def test_similarity_matches_brute_force(maps, metric):
    query = maps[0] * 0.5 + np.random.default_rng(1).normal(size=maps.shape[1:]).astype(np.float32)
    got = channel_similarity(query, maps, metric)
    np.testing.assert_allclose(got, _brute_force(query, maps, metric), atol=1e-6)
    assert got.shape == (7, 4)


def test_similarity_matches_torch_cosine(maps):
    got = channel_similarity(maps[4], maps)
    expected = torch.nn.functional.cosine_similarity(
        torch.from_numpy(maps).double().flatten(2), torch.from_numpy(maps[4]).double().flatten(1)[None], dim=2)
    keep = np.ones_like(got, dtype=bool)
    keep[2, 1] = False  # torch clamps the norm instead of returning 0
    np.testing.assert_allclose(got[keep], expected.numpy()[keep], atol=1e-6)
    np.testing.assert_allclose(got[4], 1.0, atol=1e-6)
    assert got[2, 1] == 0.0


def test_top_k_and_exclude(maps):
    sims = channel_similarity(maps[0], maps)
    idx, val = top_k(sims, 3)
    for c in range(4):
        order = np.argsort(-sims[:, c], kind="stable")[:3]
        np.testing.assert_allclose(val[:, c], sims[order, c])
    assert (idx[0] == 0).all()  # the query is most similar to itself
    idx, _ = top_k_similar(maps[0], maps, k=3, exclude=0)
    assert (idx != 0).all() and idx.shape == (3, 4)
    with pytest.raises(ValueError, match=r"k must be an integer in \[1, 6\]"):
        top_k(sims, 7, exclude=0)


def test_most_exciting_and_activation(maps):
    act = channel_activation(maps)
    np.testing.assert_allclose(act, maps.astype(float).mean(axis=(2, 3)), atol=1e-12)
    idx, val = most_exciting(maps, k=2, reduce="max")
    np.testing.assert_allclose(val[0], maps.max(axis=(2, 3)).max(axis=0), rtol=1e-6)
    assert idx.shape == (2, 4)
    with pytest.raises(ValueError, match="reduce must be one of"):
        channel_activation(maps, reduce="median")


@pytest.mark.parametrize("metric", ["cosine", "correlation"])
def test_channel_matrix_matches_numpy(maps, metric):
    vectors = maps.swapaxes(0, 1).reshape(4, -1).astype(float)
    expected = np.corrcoef(vectors) if metric == "correlation" else (
        vectors @ vectors.T / np.outer(np.linalg.norm(vectors, axis=1), np.linalg.norm(vectors, axis=1)))
    np.testing.assert_allclose(channel_similarity_matrix(maps, metric), expected, atol=1e-9)


def test_tiny_and_constant_maps():
    rng = np.random.default_rng(3)
    maps = rng.normal(size=(5, 2, 4, 4)) * 1e-20           # tiny but not zero: still compared
    np.testing.assert_allclose(channel_similarity(maps[0], maps), _brute_force(maps[0] * 1e20, maps * 1e20,
                                                                                 "cosine"), atol=1e-9)
    constant = np.full((5, 2, 4, 4), 0.1)
    constant[:, 1] += rng.normal(size=(5, 4, 4))
    got = channel_similarity(constant[0], constant, "correlation")
    assert (got[:, 0] == 0).all() and np.allclose(got[0, 1], 1)
    matrix = channel_similarity_matrix(constant, "correlation")
    assert (matrix[0] == 0).all() and matrix[1, 1] == pytest.approx(1)


def test_chunking_does_not_change_the_result(maps, monkeypatch):
    import vizdl.ops.channels as module

    whole = channel_similarity(maps[1], maps), channel_similarity_matrix(maps, "correlation")
    monkeypatch.setattr(module, "_CHUNK_ELEMENTS", 100)  # one image per chunk
    np.testing.assert_allclose(channel_similarity(maps[1], maps), whole[0], atol=1e-12)
    np.testing.assert_allclose(channel_similarity_matrix(maps, "correlation"), whole[1], atol=1e-9)


def test_errors_say_what_was_expected(maps):
    with pytest.raises(ValueError, match=r"query must have the shape of one image's maps.*\(4, 5, 6\)"):
        channel_similarity(maps[0, :3], maps)
    with pytest.raises(ValueError, match=r"maps must have shape \(N, C, H, W\)"):
        channel_similarity(maps[0, 0, 0], maps[:, 0, 0])
    with pytest.raises(ValueError, match="metric must be one of"):
        channel_similarity(maps[0], maps, metric="euclid")


def _cnn():
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 5, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(5 * 4 * 4, 3))


def test_feature_maps_match_torch_and_remove_hooks():
    model, x = _cnn().train(), torch.randn(11, 1, 8, 8)
    maps = feature_maps(model, "1", x, batch_size=4)
    np.testing.assert_allclose(maps, torch.relu(model[0](x)).detach().numpy(), atol=1e-6)
    assert model.training and not model[1]._forward_hooks


def test_feature_maps_removes_hook_when_forward_raises():
    model = _cnn()
    with pytest.raises(RuntimeError):
        feature_maps(model, "1", torch.randn(2, 3, 8, 8))  # wrong channel count
    assert not model[1]._forward_hooks


def test_channel_search_end_to_end():
    model, images = _cnn(), torch.randn(20, 1, 8, 8)
    search = channel_search(model, "1", images[3], images, channels=[0, 4], k=4, exclude=3)
    maps = torch.relu(model[0](images)).detach().numpy()
    np.testing.assert_allclose(search.query_maps, maps[3], atol=1e-6)
    expected = _brute_force(maps[3], maps, "cosine")[:, [0, 4]]
    expected[3] = -np.inf
    for j in range(2):
        order = np.argsort(-expected[:, j], kind="stable")[:4]
        np.testing.assert_array_equal(search.top_indices[:, j], order)
        np.testing.assert_allclose(search.top_scores[:, j], expected[order, j], atol=1e-6)


def test_channel_search_errors():
    model, images = _cnn(), torch.randn(6, 1, 8, 8)
    with pytest.raises(ValueError, match=r"without a channel axis: expected \(N, C, H, W\)"):
        channel_search(model, "4", images[0], images)
    with pytest.raises(ValueError, match=r"channels must be integers in \[0, 4\].*5 channels"):
        channel_search(model, "1", images[0], images, channels=[5])
    with pytest.raises(ValueError, match=r"query must have the shape of one dataset image.*\(1, 8, 8\)"):
        channel_search(model, "1", images[0, 0], images)
    with pytest.raises(KeyError, match="available"):
        channel_search(model, "features.9", images[0], images)


def test_channel_search_on_a_run(tmp_path):
    import vizdl

    ds = vizdl.data.load("digits")
    model = vizdl.models.build("cifar_cnn", data=ds)
    run = vizdl.train(model, ds, epochs=1, batch_size=256, record=vizdl.RecordSpec(every=2, activations=False),
                      out=tmp_path / "run", quiet=True)
    step = run.steps[0]
    search = channel_search(run, "features.1", ds.x_test[0], ds.x_test[:50], step=step, k=3)
    direct = feature_maps(run.model(step), "features.1", ds.x_test[:50])
    np.testing.assert_allclose(search.maps, direct)
    assert search.step == step and search.top_indices.shape == (3, 6)
