"""Rebuilding any model: Run.open(path, model=...) with a class, a factory or an instance; rec.run
carries the live model; the shape check on the meta device comes before any allocation."""
import json

import numpy as np
import pytest
import torch
from _models import ResNetish, SharedReLU, image_batches, record_loop, vector_batches

import vizdl


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    torch.manual_seed(0)
    model = ResNetish()
    rec = record_loop(model, tmp_path_factory.mktemp("rebuild") / "run", image_batches(count=3))
    return rec, model


def _same_state(model, run, step):
    state = {**run.weights(step), **run.buffers(step)}
    for name, tensor in model.state_dict().items():
        np.testing.assert_array_equal(tensor.numpy(), state[name])


@pytest.mark.parametrize("template", ["class", "factory", "instance", "live"])
def test_every_template_rebuilds_the_recorded_step(recorded, template):
    rec, live = recorded
    run = {"class": lambda: vizdl.Run.open(rec.path, model=ResNetish),
           "factory": lambda: vizdl.Run.open(rec.path, model=lambda: ResNetish(channels=4)),
           "instance": lambda: vizdl.Run.open(rec.path, model=ResNetish()),
           "live": lambda: rec.run}[template]()
    model = run.model(1)
    assert not model.training and next(model.parameters()).device.type == "cpu"
    _same_state(model, run, 1)
    assert model is not live and live.stem[0].weight.data_ptr() != model.stem[0].weight.data_ptr()


def test_foreign_model_without_template_says_how(recorded):
    rec, _ = recorded
    with pytest.raises(ValueError, match=r"ResNetish, a model outside vizdl.models.*Run.open\(path, model=ResNetish\)"):
        vizdl.Run.open(rec.path).model(0)


def test_wrong_template_names_the_mismatch(recorded):
    rec, _ = recorded
    with pytest.raises(ValueError, match=r"classifier.weight recorded \(3, 4\), model has \(3, 8\);.*more shapes"):
        vizdl.Run.open(rec.path, model=lambda: ResNetish(channels=8)).model(0)
    with pytest.raises(ValueError, match="missing in the run: hidden.bias"):
        vizdl.Run.open(rec.path, model=SharedReLU).model(0)


def test_tampered_zoo_config_is_refused_before_allocating(tmp_path):
    data = vizdl.data.load("xor", n=32)
    model = vizdl.models.build("mlp", data=data, hidden=(4,))
    run = vizdl.train(model, data, epochs=1, record=vizdl.RecordSpec(every=1), out=tmp_path / "run", quiet=True)
    meta = json.loads((run.path / "run.json").read_text())
    meta["model"]["config"]["hidden"] = [200_000, 200_000]   # 160 GB of float32 if it were allocated
    (run.path / "run.json").write_text(json.dumps(meta))
    with pytest.raises(ValueError, match=r"net.1.weight recorded \(4, 2\), model has \(200000, 2\)"):
        vizdl.Run.open(run.path).model(0)


def test_deepcopy_and_save_work_while_recording(tmp_path):
    import copy
    import io

    torch.manual_seed(0)
    model = SharedReLU()
    with vizdl.Recorder(model, tmp_path / "run", vizdl.RecordSpec(every=1), probe=vector_batches(count=1)[0]):
        twin = copy.deepcopy(model)
        torch.save(model, io.BytesIO())
        torch.save(model.state_dict(), io.BytesIO())
    assert isinstance(twin, SharedReLU) and not [k for k in vars(model) if "vizdl" in k]
