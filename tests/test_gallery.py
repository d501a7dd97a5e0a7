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
