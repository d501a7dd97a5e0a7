"""The gallery applies every fitting figure to a run and indexes the files."""
import pytest

import vizdl
from vizdl.gallery import LECTURE_ENTRIES, RUN_ENTRIES, build_gallery


@pytest.mark.slow
def test_gallery_of_a_2d_mlp_run(tmp_path):
    data = vizdl.data.load("xor", n=200)
    model = vizdl.models.build("mlp", data=data, hidden=(4,), activation="tanh")
    run = vizdl.train(model, data, epochs=3, lr=0.5, record=vizdl.RecordSpec(every=5),
                      out=tmp_path / "xor", quiet=True)
    paths = build_gallery([run], tmp_path / "gallery", lecture=False, dpi=30, quiet=True)
    names = {p.name for p in paths}
    expected = {"xor-curves.png", "xor-network.png", "xor-boundary.png", "xor-gradient_flow.png"}
    assert expected <= names
    assert not any("attention" in n or "feature_maps" in n for n in names)  # do not fit an MLP
    index = (tmp_path / "gallery" / "index.html").read_text()
    assert all(p.name in index for p in paths)


def test_entries_have_unique_names():
    names = [e.name for e in RUN_ENTRIES + LECTURE_ENTRIES]
    assert len(names) == len(set(names))


@pytest.mark.slow
def test_gallery_of_a_cnn_run_has_feature_maps_shap_and_channels(tmp_path):
    data = vizdl.data.load("digits")
    model = vizdl.models.build("cifar_cnn", data=data)
    run = vizdl.train(model, data, epochs=1, lr=0.003, optimizer="adam", record=vizdl.RecordSpec(every=20),
                      out=tmp_path / "cnn", quiet=True)
    paths = build_gallery([run], tmp_path / "gallery", lecture=False, dpi=30, quiet=True)
    names = {p.name for p in paths}
    assert {"cnn-feature_maps.png", "cnn-kernels.png", "cnn-shap.png", "cnn-channels.png"} <= names
    assert "cnn-network.png" not in names and "cnn-boundary.png" not in names


def test_a_transformer_run_gets_attention_not_feature_maps(tmp_path):
    """Its attention probabilities (N, heads, T, T) are 4-D like feature maps, but they are not feature maps."""
    from vizdl.gallery import _has_channels

    data = vizdl.data.load("sequences", task="contains", seq_len=6, n=256)
    model = vizdl.models.build("tiny_transformer", data=data)
    run = vizdl.train(model, data, epochs=1, record=vizdl.RecordSpec(every=10), out=tmp_path / "tf", quiet=True)
    assert any(len(a.shape) == 4 for a in run.activations(run.steps[-1]).values())  # the attention dropout
    assert not _has_channels(run)
    entries = {e.name for e in RUN_ENTRIES if e.fits(run)}
    assert "attention" in entries and not {"feature_maps", "channels"} & entries


def _one_lecture_entry(monkeypatch):
    import vizdl.gallery as gallery

    monkeypatch.setattr(gallery, "LECTURE_ENTRIES", gallery.LECTURE_ENTRIES[:1])   # activations: fast
    return gallery.LECTURE_ENTRIES[0].name


def test_gallery_writes_each_requested_format(tmp_path, monkeypatch):
    name = _one_lecture_entry(monkeypatch)
    paths = build_gallery([], tmp_path, formats="PNG, svg,.pdf", dpi=30, quiet=True)
    assert sorted(p.name for p in paths) == sorted(f"lecture-{name}.{s}" for s in ("png", "svg", "pdf"))
    magic = {".png": b"\x89PNG", ".svg": b"<?xml", ".pdf": b"%PDF"}
    for path in paths:
        assert path.read_bytes().startswith(magic[path.suffix])
    index = (tmp_path / "index.html").read_text()
    assert f"src='lecture-{name}.png'" in index and f"href='lecture-{name}.pdf'" in index


def test_gallery_draws_in_the_chosen_style(tmp_path, monkeypatch):
    import numpy as np
    from PIL import Image

    _one_lecture_entry(monkeypatch)
    images = {}
    for style in ("slides", "paper"):
        (path,) = build_gallery([], tmp_path / style, style=style, dpi=20, quiet=True)
        images[style] = np.asarray(Image.open(path).convert("L"))
    same_size = images["slides"].shape == images["paper"].shape
    assert not same_size or not np.array_equal(images["slides"], images["paper"])


@pytest.mark.parametrize("kwargs, message", [
    ({"formats": "tiff"}, "each must be one of png, svg, pdf"),
    ({"formats": []}, "each must be one of"),
    ({"style": "fancy"}, "unknown style 'fancy'"),
])
def test_gallery_refuses_unknown_formats_and_styles(tmp_path, kwargs, message):
    with pytest.raises(ValueError, match=message):
        build_gallery([], tmp_path, quiet=True, **kwargs)
    assert not (tmp_path / "index.html").exists()
