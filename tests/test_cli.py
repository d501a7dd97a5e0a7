"""The ``vizdl`` command line and the zoo-to-run round trip."""
import numpy as np
import pytest
import torch

import vizdl
from vizdl.cli import main


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "digits"
    code = main(["train", "mlp", "digits", "--epochs", "1", "--every", "10", "--hidden", "16,8",
                 "--out", str(out), "--quiet"])
    assert code == 0
    return vizdl.Run.open(out)


def test_train_command_writes_a_zoo_run(digits_run):
    assert digits_run.model_name == "mlp" and digits_run.dataset_name == "digits"
    assert digits_run.steps[:3] == [0, 10, 20]
    assert digits_run.meta["model"]["summary"]["total_params"] == 64 * 16 + 16 + 16 * 8 + 8 + 8 * 10 + 10


def test_rebuilt_model_reproduces_recorded_activations(digits_run):
    step = digits_run.steps[2]
    model = digits_run.model(step)
    with torch.no_grad():
        logits = model(torch.from_numpy(digits_run.probe["inputs"]))
    last = digits_run.layers[-1]
    np.testing.assert_allclose(digits_run.activations(step)[last], logits.numpy(), rtol=1e-5, atol=1e-6)


def test_info_command(digits_run, capsys):
    assert main(["info", str(digits_run.path)]) == 0
    text = capsys.readouterr().out
    assert "model      mlp" in text and "weight/net.1.weight" in text and "test_acc" in text


def test_unknown_names_give_clear_errors(tmp_path, capsys):
    assert main(["train", "resnet", "digits", "--out", str(tmp_path / "x")]) == 2
    assert "mlp" in capsys.readouterr().err
    assert main(["train", "mlp", "imagenet", "--out", str(tmp_path / "x")]) == 2
    assert "digits" in capsys.readouterr().err
    assert main(["info", str(tmp_path / "missing")]) == 2
    assert "not a vizdl run" in capsys.readouterr().err
