"""Last-frame controls of the back-propagation and training scenes (the xor run of test_mlp_topic).

The views and painters are tested in ``tests/test_mlp_topic.py``; here the rendered last
frames are compared with ``tests/control_data/scene_{backprop,training}.npz`` (written with
``pytest --write-control`` after looking at them), and one changed input must fail the comparison.
"""
import os
import shutil

import pytest

import vizdl

pytest.importorskip("manim")


@pytest.fixture(scope="module")
def xor_run(tmp_path_factory):
    data = vizdl.data.load("xor")
    model = vizdl.models.build("mlp", data=data, hidden=(4, 4), activation="tanh", seed=0)
    return vizdl.train(model, data, epochs=3, batch_size=16, lr=0.2, seed=0, record=vizdl.RecordSpec(every=20),
                       out=tmp_path_factory.mktemp("xor") / "run", quiet=True)


def _last_frame(scene_name, run_path):
    from vizdl.scenes import scene_class
    from vizdl.testing import render_last_frame

    return render_last_frame(scene_class(scene_name).configure(run=str(run_path)))


@pytest.mark.slow
def test_backprop_last_frame(xor_run):
    from vizdl.testing import assert_matches_control

    assert_matches_control("scene_backprop", _last_frame("backprop", xor_run.path))


@pytest.mark.slow
def test_training_last_frame(xor_run):
    from vizdl.testing import assert_matches_control

    assert_matches_control("scene_training", _last_frame("training", xor_run.path))


@pytest.mark.slow
def test_one_changed_input_changes_the_last_frame(xor_run, tmp_path):
    from safetensors.numpy import load_file, save_file

    from vizdl.testing import WRITE_ENV, assert_matches_control

    if os.environ.get(WRITE_ENV) == "1":
        pytest.skip("writing control data: nothing to compare")
    changed = tmp_path / "run"
    shutil.copytree(xor_run.path, changed)
    probe = load_file(str(changed / "probe.safetensors"))
    probe["inputs"][0, 0] += 0.05  # the followed sample's x_0^0: one number of the picture
    save_file(probe, str(changed / "probe.safetensors"))
    with pytest.raises(AssertionError, match="differs from control"):
        assert_matches_control("scene_training", _last_frame("training", changed))
