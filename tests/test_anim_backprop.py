"""Mobject builders of the back-propagation scenes (no rendering) and last-frame regressions."""
import importlib.util
from pathlib import Path

import numpy as np
import pytest
import torch

pytest.importorskip("manim")

from vizdl.anim.grid import format_value  # noqa: E402
from vizdl.testing import assert_matches_control, render_last_frame  # noqa: E402

SCENES = Path(__file__).resolve().parent.parent / "scenes"


def _scene_class(file, name):
    spec = importlib.util.spec_from_file_location(f"scene_{file}", SCENES / f"{file}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, name)


# --- MLP back-propagation scene ---------------------------------------------------------------
import re  # noqa: E402

from vizdl.anim.backprop import BackpropStory, update_tex_string  # noqa: E402
from vizdl.anim.network import NetworkDiagram, edge_styles  # noqa: E402
from vizdl.anim.runs import default_run  # noqa: E402

NOTES_UPDATES = {  # ../shared/seeds/000: the three updates, verbatim
    3: r"A_3 \leftarrow A_3 - \lambda l'(x_3) \sigma'_3 (A_3 x_2 + b_3) x_2^T",
    2: r"A_2 \leftarrow A_2 - \lambda \left[l'(x_3) A_3^T \sigma'_3 (A_3 x_2 + b_3) \times "
       r"\sigma'_2 (A_2 x_1 + b_2) x_1^T \right]",
    1: r"A_1 \leftarrow A_1 - \lambda \left[l'(x_3) A_3^T \sigma'_3 (A_3 x_2 + b_3) A_2^T "
       r"\sigma'_2 (A_2 x_1 + b_2) \times \sigma'_1 (A_1 x_0 + b_1) x_0^T \right]",
}


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    return default_run(cache_dir=tmp_path_factory.mktemp("cache"), epochs=3, every=20)


@pytest.mark.parametrize("i", [1, 2, 3])
def test_update_formula_is_the_notes(i):
    squash = lambda s: re.sub(r"\s+", "", s)
    assert squash(update_tex_string(i, 3)) == squash(NOTES_UPDATES[i])


def test_edge_colours_follow_weight_signs():
    w = np.array([[1.0, -2.0, 0.0], [0.5, -0.1, 3.0]])
    style = edge_styles(w, [1.0, -0.5, 0.0])
    rgb = lambda h: np.array([int(h[k:k + 2], 16) for k in (1, 3, 5)])
    for (r, c), value in np.ndenumerate(w):
        red, _, blue = rgb(style["color"][r, c])
        assert (red > blue) if value > 0 else (blue > red) if value < 0 else min(red, blue) > 245
    np.testing.assert_allclose(style["opacity"][:, 0], 1.0)
    np.testing.assert_allclose(style["opacity"][:, 1], 0.5)
    diagram = NetworkDiagram((3, 2))
    diagram.apply_edge_style(1, w, [1.0, -0.5, 0.0])
    assert diagram.edges[1][0][1].get_stroke_color().to_hex().lower() == style["color"][0, 1]


def _torch_terms(run, step, sample):
    model = run.model(step).double()
    x = torch.tensor(run.probe["inputs"][sample:sample + 1], dtype=torch.float64)
    outs = []
    h = x
    for module in model.net:
        h = module(h)
        if h.requires_grad:
            h.retain_grad()
        outs.append(h)
    loss = torch.nn.functional.cross_entropy(h, torch.tensor([int(run.probe["labels"][sample])]))
    loss.backward()
    layers = [o for m, o in zip(model.net, outs) if isinstance(m, torch.nn.Tanh)] + [outs[-1]]
    return model, loss, layers


def test_story_numbers_equal_torch(tiny_run):
    story = BackpropStory(tiny_run, sample=1, replay=3)
    model, loss, layers = _torch_terms(tiny_run, story.step_index, 1)
    assert story.step.loss == pytest.approx(loss.item(), abs=1e-6)
    for i, tensor in enumerate(layers, start=1):
        shown = [t.text for t in story.labels.values[i]]
        assert shown == [format_value(v).replace(" ", "") for v in tensor[0].detach().numpy()]
        grads = [t.text for t in story.labels.grads[i]]
        assert grads == [format_value(v) for v in tensor.grad[0].numpy()]
    linears = [m for m in model.net if isinstance(m, torch.nn.Linear)]
    for layer, lin in zip(story.step.layers, linears):
        np.testing.assert_allclose(layer.grad_A, lin.weight.grad.numpy(), atol=1e-12)
        np.testing.assert_allclose(layer.A, lin.weight.detach().numpy())
    assert [s for s, *_ in story.snapshots][-1] == tiny_run.steps[-1]


@pytest.mark.slow
def test_backprop_last_frame(tiny_run, monkeypatch):
    monkeypatch.setenv("VIZDL_RUN", str(tiny_run.path))
    scene = _scene_class("backprop", "Backprop")
    assert_matches_control("scene_backprop", render_last_frame(scene))


def test_training_story_builds(tiny_run):
    from vizdl.anim.training import TrainingStory

    story = TrainingStory(tiny_run, snapshots=3)
    beats = list(story.beats())
    assert len(beats) == 2 + len(story.snapshots)
    assert story.step_label.text == f"step {tiny_run.steps[-1]}"


@pytest.mark.slow
def test_training_last_frame(tiny_run, monkeypatch):
    monkeypatch.setenv("VIZDL_RUN", str(tiny_run.path))
    scene = _scene_class("training", "Training")
    assert_matches_control("scene_training", render_last_frame(scene))
