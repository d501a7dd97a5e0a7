"""The convolution and pooling views: every number they show, checked against torch once (for all painters)."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from vizdl import ops
from vizdl.ops import NOTES_CASES, ConvCase
from vizdl.styles.theme import fmt, fmt_all
from vizdl.views.conv import conv_view
from vizdl.views.pooling import pool_view, squeeze_view

TORCH_PAD = {"zeros": "constant", "reflect": "reflect", "replicate": "replicate", "circular": "circular"}


def _torch_padded(x, padding, mode):
    return F.pad(torch.tensor(x)[None, None], [padding] * 4, mode=TORCH_PAD[mode])[0, 0].numpy()


def _torch_conv(case: ConvCase, mode=None):
    """``nn.Conv2d`` with ``padding_mode``: the layer a lecture would use."""
    conv = torch.nn.Conv2d(1, 1, case.kernel, stride=case.stride, padding=case.padding, dilation=case.dilation,
                           padding_mode=mode or case.mode, dtype=torch.float64)
    with torch.no_grad():
        conv.weight.copy_(torch.tensor(case.kernel_values())[None, None])
        conv.bias.fill_(case.bias)
        return conv(torch.tensor(case.input_values())[None, None])[0, 0].numpy()


def _number(text: str) -> float:
    return float(text.strip("()").replace("\u2212", "-"))


CASES = [*NOTES_CASES,
         ConvCase(input=7, kernel=3, stride=2, padding=1, mode="reflect"),
         ConvCase(input=8, kernel=5, stride=3, padding=2, mode="replicate"),
         ConvCase(input=8, kernel=3, stride=1, padding=1, dilation=2, bias=1.5, mode="circular"),
         ConvCase(input=7, kernel=3, stride=3, padding=0, seed=4)]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_conv_view_numbers_equal_torch(case):
    view = conv_view(case)
    expected = _torch_conv(case)
    assert view.output.shape == expected.shape
    assert view.output.texts.tolist() == fmt_all(expected).tolist()
    assert view.input.texts.tolist() == fmt_all(_torch_padded(case.input_values(), case.padding, case.mode)).tolist()
    assert view.kernel.texts.tolist() == fmt_all(case.kernel_values()).tolist()
    assert (view.input.roles == "padding").sum() == (case.input + 2 * case.padding) ** 2 - case.input ** 2
    padded = _torch_padded(case.input_values(), case.padding, case.mode)
    for window in view.windows:
        i, j = window.index
        assert window.value == fmt(expected[i, j]) and window.result == f"= {fmt(expected[i, j])}"
        terms = " ".join(window.lines).replace("(bias)", "").replace("+ ", " ").split()
        products = [t for t in terms if "·" in t]
        assert len(products) == case.kernel ** 2
        # the written factors are the kernel's weights and the padded values the window reads
        weights = [_number(t.split("·")[0]) for t in products]
        values = [_number(t.split("·")[1]) for t in products]
        assert weights == case.kernel_values().ravel().tolist()
        assert values == [padded[r, c] for r, c in window.cells]
        assert sum(w * v for w, v in zip(weights, values)) + case.bias == pytest.approx(expected[i, j])


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_size_formula_shows_torch_output_size_and_the_floor(case):
    view = conv_view(case)
    (numbers,) = view.size_numbers
    side = _torch_conv(case).shape[0]
    assert numbers.parts[-1].text == str(side) and numbers.roles()[-1] == "output_stroke"
    exact = (case.input + 2 * case.padding - case.dilation * (case.kernel - 1) - 1) % case.stride == 0
    assert ("lfloor" in numbers.tex) == (not exact)
    assert f"frac{{{case.input} + 2 \\times {case.padding}" in numbers.tex
    # the dropped rows/columns are exactly those no window reads
    read = np.zeros(view.input.shape, bool)
    for window in view.windows:
        read[np.ix_(window.rows, window.cols)] = True
    last = max(max(w.rows) for w in view.windows)
    assert view.dropped[0] == tuple(range(last + 1, view.input.shape[0]))
    assert not read[list(view.dropped[0])].any()
    assert ("dropped" in view.story.steps[-1].reveal) == (not exact)


def test_the_notes_cases_are_one_definition_with_a_floor_case():
    sizes = [_torch_conv(c).shape[0] for c in NOTES_CASES]
    assert [c.name for c in NOTES_CASES] == ["k3p0s1", "k5p0s1", "k3p1s1", "k3p1s2", "k3p1s3"]
    assert sizes == [3, 1, 5, 3, 2]
    assert {c.input for c in NOTES_CASES} == {5}
    assert "⌊" in conv_view(NOTES_CASES[4]).story.steps[-1].caption


def test_story_steps_reveal_known_elements_and_say_the_numbers():
    view = conv_view(NOTES_CASES[3])
    assert [s.name for s in view.story] == ["setup", "window-0", "window-1", "sweep", "size"]
    revealed = {i for s in view.story for i in s.reveal}
    assert revealed <= view.element_ids()
    assert {f"output-{k}" for k in range(len(view.windows))} <= revealed
    assert view.windows[0].value in view.story.steps[1].caption
    assert "2 cells at a time" in view.story.steps[0].caption
    assert all(s.caption.endswith(".") for s in view.story)


@pytest.mark.parametrize("mode", ["zeros", "reflect", "replicate", "circular"])
def test_padding_modes_show_torch_padding_and_outputs(mode):
    case = ConvCase(input=5, kernel=3, padding=2, stride=1)
    view = conv_view(case, modes=True)
    modal = view.mode(mode)
    padded = _torch_padded(case.input_values(), 2, mode)
    assert modal.input.texts.tolist() == fmt_all(padded).tolist()
    assert modal.output.texts.tolist() == fmt_all(_torch_conv(case, mode)).tolist()
    for axis, target, source in modal.copies:   # each padded row/column is a copy of the one its arrow leaves
        np.testing.assert_array_equal(np.take(padded, target, axis=axis), np.take(padded, source, axis=axis))
    assert len(modal.copies) == (0 if mode == "zeros" else 8)
    changed = ~np.isclose(_torch_conv(case, mode), _torch_conv(case))
    assert set(modal.changed) == {tuple(map(int, c)) for c in np.argwhere(changed)}
    assert f"{mode}" in modal.title.text


def test_modes_story_and_errors():
    view = conv_view(NOTES_CASES[2], modes=True)
    names = [s.name for s in view.story]
    assert names[-7:] == ["mode-zeros", "mode-reflect", "mode-reflect-output", "mode-replicate",
                          "mode-replicate-output", "mode-circular", "mode-circular-output"]
    only = conv_view(NOTES_CASES[2], sweep=False, modes=True)
    assert [s.name for s in only.story][0] == "setup" and "window-0" not in [s.name for s in only.story]
    with pytest.raises(ValueError, match="modes.*padding"):
        conv_view(NOTES_CASES[0], modes=True)


def test_conv_view_of_your_own_arrays():
    x, w = np.arange(30.0).reshape(5, 6) / 7, np.array([[1.0, -0.5, 0.25], [0.0, 2.0, -1.0]])
    view = conv_view(ConvCase(stride=2, padding=1), x=x, kernel=w)
    expected = F.conv2d(torch.tensor(x)[None, None], torch.tensor(w)[None, None], stride=2, padding=1)[0, 0].numpy()
    assert view.output.texts.tolist() == fmt_all(expected).tolist()
    rows, columns = view.size_numbers
    assert rows.parts[-1].text == str(expected.shape[0]) and columns.parts[-1].text == str(expected.shape[1])
    assert "2×3" in view.title.text and "5×6" in view.title.text


# -- pooling --------------------------------------------------------------------------------------
def _notes():
    return torch.tensor(ops.NOTES_EXAMPLE)[None, None]


def test_max_pool_view_equals_torch_with_its_winners():
    view = pool_view("max")
    values, indices = F.max_pool2d(_notes(), 2, return_indices=True)
    assert view.output.texts.tolist() == fmt_all(values[0, 0].numpy()).tolist()
    assert view.input.texts.tolist() == fmt_all(ops.NOTES_EXAMPLE).tolist()
    for window in view.windows:
        i, j = window.index
        assert window.winner[0] * 8 + window.winner[1] == indices[0, 0, i, j].item()
        shown = [_number(t) for t in window.body[4:-1].split(", ")]
        assert shown == [ops.NOTES_EXAMPLE[r, c] for r, c in window.cells]
        assert window.value == fmt(values[0, 0, i, j].item())
    assert view.output.texts[0, 0] == "1"      # the notes' 1.0, written by fmt like every other number


def test_avg_pool_view_equals_torch_exactly():
    view = pool_view("avg")
    expected = F.avg_pool2d(_notes(), 2)[0, 0].numpy()
    assert view.output.texts.tolist() == fmt_all(expected, 3).tolist()
    assert view.windows[1].text == "y[0,1] = (0.3 + 0.8 + 0.3 + 0.5) / 4 = 0.475"
    assert all(w.winner is None for w in view.windows)


def test_pool_view_checkerboard_and_other_sizes():
    view = pool_view("max", np.arange(36.0).reshape(6, 6), kernel=3, stride=1)
    assert view.output.shape == (4, 4) and len(view.windows) == 16
    notes = pool_view("max")
    assert notes.input.roles[0, 0] == "cell" and notes.input.roles[0, 2] == "block_alt"
    with pytest.raises(ValueError, match="kind"):
        pool_view("median")


def test_squeeze_view_equals_pixel_unshuffle():
    view = squeeze_view()
    expected = F.pixel_unshuffle(_notes(), 2)[0].numpy()
    for k, grid in enumerate(view.channels):
        assert grid.texts.tolist() == fmt_all(expected[k]).tolist()
        assert set(grid.roles.ravel()) == {f"block {k}"}
        rows, cols = np.nonzero(view.input.roles == f"block {k}")
        assert [view.input.texts[r, c] for r, c in zip(rows, cols)] == grid.texts.ravel().tolist()
    assert [s.name for s in view.story] == ["setup", "channel-0", "channel-1", "channel-2", "channel-3", "summary"]
    with pytest.raises(ValueError, match="factor"):
        squeeze_view(factor=3)
