"""The attention scene's numbers and mobjects, checked against torch on a recorded run."""
import math

import numpy as np
import pytest
import torch

import vizdl
from vizdl.anim import attention as aa
from vizdl.models.transformer import tiny_transformer

pytest.importorskip("manim")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """A tiny transformer (4 tokens, 2 heads of width 4) trained briefly on the toy sequences."""
    path = tmp_path_factory.mktemp("runs") / "attn"
    return aa.train_scene_run(path, task="contains", seq_len=4, d_model=8, heads=2, depth=1, epochs=1,
                              seed=0)


@pytest.fixture(scope="module")
def numbers(run):
    return aa.attention_numbers(run, head=1, sample=2)


def rebuild(run, step):
    """The model of ``step``, rebuilt from its spec and the recorded weights."""
    model = tiny_transformer(**run.meta["model"]["config"])
    model.load_state_dict({k: torch.from_numpy(v) for k, v in run.weights(step).items()})
    return model.eval()


def torch_head(run, step, sample, head):
    """Q, K, V, probabilities and output of ``head`` recomputed with torch from the rebuilt model."""
    model = rebuild(run, step)
    attn = model.blocks[0].attn
    captured = {}
    handle = attn.register_forward_pre_hook(lambda m, args: captured.setdefault("x", args[0]))
    with torch.no_grad():
        model(torch.from_numpy(run.probe["inputs"]))
        x = captured["x"][sample]
        q, k, v = (attn.split(p(x)[None])[0, head] for p in (attn.q_proj, attn.k_proj, attn.v_proj))
        probs = torch.softmax(q @ k.T / math.sqrt(q.shape[-1]), dim=-1)
    handle.remove()
    return {"q": q, "k": k, "v": v, "scores": q @ k.T, "probs": probs, "out": probs @ v}


def test_numbers_equal_torch_recomputation(run, numbers):
    expected = torch_head(run, numbers.step, sample=2, head=1)
    for name, value in expected.items():
        np.testing.assert_allclose(getattr(numbers, name), value.double().numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(numbers.scaled, numbers.scores / 2.0)
    assert numbers.d_k == 4


def test_probabilities_equal_recorded_attention(run, numbers):
    recorded = run.attention(numbers.step)["blocks.0.attn"][2]
    np.testing.assert_allclose(numbers.probs, recorded[1], rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(numbers.heads, recorded)
    np.testing.assert_allclose(numbers.probs.sum(1), np.ones(4))


def test_layer_input_without_recorded_activation_uses_the_rebuilt_model(run, numbers, monkeypatch):
    models = pytest.importorskip("vizdl.models")
    if not hasattr(models, "build"):
        pytest.skip("vizdl.models.build is not available yet")
    recorded = aa.layer_input(run, "blocks.0.attn", numbers.step)
    monkeypatch.setattr(run, "activations", lambda step: {})  # as if norm1 was not recorded
    computed = aa.layer_input(run, "blocks.0.attn", numbers.step)
    np.testing.assert_allclose(computed, recorded, rtol=1e-5, atol=1e-6)


def test_tokens_are_the_probe_ids(run, numbers):
    assert numbers.tokens == [str(int(t)) for t in run.probe["inputs"][2]]


def shown(matrix):
    return [e.original_text for e in matrix.entries] if hasattr(matrix.entries[0], "original_text") \
        else [e.text for e in matrix.entries]


def test_walkthrough_shows_the_numbers_with_two_decimals(numbers):
    walk = aa.AttentionWalkthrough(numbers)
    for matrix, values in ((walk.q, numbers.q), (walk.k, numbers.k), (walk.v, numbers.v),
                           (walk.kt, numbers.k.T), (walk.scores, numbers.scores),
                           (walk.scaled, numbers.scaled), (walk.probs, numbers.probs),
                           (walk.out, numbers.out)):
        assert len(matrix.cells) == values.size == 16
        assert shown(matrix) == [aa.format_number(v) for v in values.ravel()]
        np.testing.assert_array_equal(matrix.values, values)
    assert [len(h.cells) for h in walk.heads] == [16, 16]
    assert shown(walk.heads[1]) == [aa.format_number(v) for v in numbers.heads[1].ravel()]


def test_cell_colours_follow_the_conventions():
    signed = aa.cell_colors([[-2.0, 0.0, 1.0]])
    assert signed == [vizdl.styles.weight_color(v, 2.0) for v in (-2.0, 0.0, 1.0)]
    assert signed[0] == vizdl.styles.NEGATIVE
    probs = aa.cell_colors([[0.0, 1.0]], kind="prob")
    assert probs == ["#ffffff", vizdl.styles.POSITIVE]
    with pytest.raises(ValueError, match="kind"):
        aa.cell_colors([[1.0]], kind="heat")


def test_format_number():
    assert aa.format_number(-0.004) == "0.00"
    assert aa.format_number(-1.236) == "\u22121.24"
    assert aa.format_number(0.5) == "0.50"


def test_animations_play_in_order(numbers):
    steps = list(aa.AttentionWalkthrough(numbers).animations())
    assert len(steps) == 11
    assert all(pause >= 0 for _, pause in steps)


@pytest.mark.parametrize("kwargs, match", [
    (dict(layer="blocks.5.attn"), "layer"),
    (dict(head=2), "head"),
    (dict(sample=999), "sample"),
    (dict(tokens=["a"]), "tokens"),
])
def test_bad_choices_are_refused(run, kwargs, match):
    with pytest.raises(ValueError, match=match):
        aa.attention_numbers(run, **kwargs)


def test_env_options(run, monkeypatch):
    monkeypatch.setenv("VIZDL_RUN", str(run.path))
    numbers = aa.numbers_from_env({"VIZDL_ATTN": "head=1,sample=2"})
    assert (numbers.head, numbers.layer) == (1, "blocks.0.attn")
    with pytest.raises(ValueError, match="unknown option"):
        aa.numbers_from_env({"VIZDL_ATTN": "colour=red"})


@pytest.mark.slow
def test_scene_last_frame_matches_control(run, monkeypatch):
    import importlib.util
    from pathlib import Path

    from vizdl.testing import assert_matches_control, render_last_frame

    monkeypatch.setenv("VIZDL_RUN", str(run.path))
    path = Path(__file__).resolve().parent.parent / "scenes" / "attention.py"
    spec = importlib.util.spec_from_file_location("scene_attention", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert_matches_control("scene_attention", render_last_frame(module.Attention))
