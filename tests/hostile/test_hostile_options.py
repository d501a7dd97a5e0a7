"""Options of ``vizdl.train``, size limits of the pictures, and the user's model and global state.

Every bad option gives a ValueError naming it, before the model or the disk is touched;
every size limit says how to go past it; the user's module flags, BatchNorm statistics,
hooks and torch's global RNG are left exactly as found.
"""
import numpy as np
import pytest
import torch
from conftest import check, params, run_here
from hostile_cases import LIMIT_CASES, OPTION_CASES, STATE_CASES, copy_run

from vizdl import figures, limits
from vizdl.gif import conv_frames


@pytest.mark.parametrize("case", params(OPTION_CASES))
def test_bad_option_is_refused_naming_it(case, tmp_path):
    check(case, run_here(case, tmp_path))


@pytest.mark.parametrize("case", params(c for c in LIMIT_CASES if not c.isolated))
def test_bad_size_is_refused_naming_it(case, tmp_path):
    check(case, run_here(case, tmp_path))


@pytest.mark.parametrize("case", params(c for c in LIMIT_CASES if c.isolated))
def test_huge_size_is_refused_before_any_work(case, isolated):
    check(case, isolated(case))


@pytest.mark.parametrize("case", params(STATE_CASES))
def test_user_model_and_global_state_are_left_as_found(case, tmp_path):
    check(case, run_here(case, tmp_path))


def test_limit_messages_say_how_to_go_past_them(tmp_path):
    run = copy_run(tmp_path, "xor")
    with pytest.raises(ValueError, match=r"resolution=1001 .*limit of 1000.*max_resolution=None"):
        figures.decision_boundary(run, resolution=1001)
    ax = figures.decision_boundary(run, resolution=1001, max_resolution=None)
    assert ax.get_images()[0].get_array().shape[:2] == (1001, 1001)
    with pytest.raises(ValueError, match=r"443 frames.*limit of 400.*max_frames=None"):
        conv_frames(input_size=23)                     # 21 x 21 windows, an intro and an outro
    with pytest.raises(ValueError, match=r"18 frames.*limit of 10"):
        conv_frames(input_size=6, dpi=20, max_frames=10)
    assert len(conv_frames(input_size=6, dpi=20, max_frames=None)) == 18


def test_animation_memory_is_bounded_whatever_the_frame_count():
    with pytest.raises(ValueError, match=r"GiB.*lower the dpi"):
        conv_frames(input_size=5, dpi=2000)            # 11 frames of 19200x10800 pixels


def test_chunked_boundary_grid_equals_one_forward_pass():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3))
    from vizdl.figures.boundary import CHUNK, boundary_grid

    resolution = int(np.ceil(np.sqrt(CHUNK))) + 3          # more points than one chunk
    xx, yy, probs = boundary_grid(model, ((-2, 2), (-1, 1)), resolution)
    with torch.no_grad():
        expected = torch.softmax(model(torch.tensor(np.stack([xx.ravel(), yy.ravel()], 1), dtype=torch.float32)), 1)
    np.testing.assert_allclose(probs.reshape(-1, 3), expected.numpy(), rtol=1e-6, atol=1e-7)


def test_same_seed_still_gives_identical_weights_after_forking_the_rng(tmp_path):
    from hostile_cases import tiny_data, tiny_model

    import vizdl

    runs = []
    for name in ("a", "b"):
        torch.rand(3)   # the caller's generator is somewhere else each time
        runs.append(vizdl.train(tiny_model(), tiny_data(), epochs=2, lr=0.3, seed=7, quiet=True,
                                record=vizdl.RecordSpec(every=3), out=tmp_path / name))
    a, b = runs
    assert a.steps == b.steps
    for key in a.keys(a.steps[-1]):
        assert a.tensor(a.steps[-1], key).tobytes() == b.tensor(b.steps[-1], key).tobytes()


def test_check_helpers_name_value_and_range():
    from vizdl.training.options import check_integer, check_number

    with pytest.raises(ValueError, match=r"momentum must be a finite number in \[0, 1\), got 1.0"):
        check_number("momentum", 1.0, 0, 1, high_open=True)
    with pytest.raises(ValueError, match=r"epochs must be an integer >= 1, got True"):
        check_integer("epochs", True)
    assert limits.check_size("x", 3, None, override="max_x=") == 3
