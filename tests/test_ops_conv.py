"""vizdl.ops convolution and padding arithmetic, checked against torch."""
import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from vizdl import ops

TORCH_MODES = {"reflect": "reflect", "replicate": "replicate", "circular": "circular"}


def _torch_conv(x, w, b, stride, padding, dilation, mode):
    """torch.nn.Conv2d's computation: F.pad by mode, then F.conv2d without padding."""
    x, w, b = (torch.as_tensor(a, dtype=torch.float64) for a in (x, w, b))
    if mode == "zeros":
        return F.conv2d(x[None], w, b, stride, padding, dilation)[0].numpy()
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    x = F.pad(x[None], (pw, pw, ph, ph), mode=TORCH_MODES[mode])
    return F.conv2d(x, w, b, stride, 0, dilation)[0].numpy()


GRID = list(itertools.product(
    [5, 7, (6, 8)],                        # input size
    [1, 3, (2, 3)],                        # kernel
    [1, 2, 3],                             # stride
    [0, 1, 2],                             # padding
    [1, 2],                                # dilation
    ["zeros", "reflect", "replicate", "circular"]))


@pytest.mark.parametrize("size, kernel, stride, padding, dilation, mode", GRID[::3])
def test_conv2d_matches_torch(size, kernel, stride, padding, dilation, mode):
    rng = np.random.default_rng(0)
    h, w = (size, size) if isinstance(size, int) else size
    kh, kw = (kernel, kernel) if isinstance(kernel, int) else kernel
    x = rng.normal(size=(2, h, w))
    weight = rng.normal(size=(3, 2, kh, kw))
    bias = rng.normal(size=3)
    expected = _torch_conv(x, weight, bias, stride, padding, dilation, mode)
    got = ops.conv2d(x, weight, bias, stride, padding, dilation, mode)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
    assert ops.conv_output_size((h, w), kernel, stride, padding, dilation) == expected.shape[1:]


@pytest.mark.parametrize("mode", ops.PADDING_MODES)
def test_conv_steps_sum_products_plus_bias(mode):
    rng = np.random.default_rng(1)
    x, weight, bias = rng.normal(size=(3, 6, 6)), rng.normal(size=(2, 3, 3, 3)), [0.5, -1.0]
    out = ops.conv2d(x, weight, bias, stride=2, padding=1, mode=mode)
    steps = ops.conv_steps(x, weight, bias, stride=2, padding=1, mode=mode)
    assert len(steps) == out.size
    for step in steps:
        i, j = step.window.index
        assert step.value == pytest.approx(out[step.out_channel, i, j], abs=1e-12)
        np.testing.assert_allclose(step.products, step.inputs * step.weights)
        assert step.channel_sums.shape == (3,)
    # each channel sum is the single-channel convolution of that channel (notes' formula)
    per_channel = [ops.conv2d(x[k], weight[0, k], 0, 2, 1, 1, mode) for k in range(3)]
    np.testing.assert_allclose(steps[0].channel_sums, [p[0, 0] for p in per_channel])


def test_single_channel_shapes():
    x = np.arange(25.0).reshape(5, 5)
    out = ops.conv2d(x, np.ones((3, 3)), stride=2, padding=1)
    expected = F.conv2d(torch.tensor(x)[None, None], torch.ones(1, 1, 3, 3, dtype=torch.float64),
                        stride=2, padding=1)[0, 0].numpy()
    np.testing.assert_array_equal(out, expected)
    rgb_to_one = ops.conv2d(np.ones((3, 4, 4)), np.ones((3, 2, 2)))
    assert rgb_to_one.shape == (3, 3) and np.all(rgb_to_one == 12)


def test_manimml_counter_example_has_four_positions_per_row():
    """Input 7, kernel 3, stride 2, padding 1: ManimML draws 5 positions per row, torch has 4."""
    windows = ops.conv_windows(7, 3, stride=2, padding=1)
    assert ops.conv_output_size(7, 3, stride=2, padding=1) == 4
    assert len(windows) == 16
    assert [w.top_left[1] for w in windows[:4]] == [0, 2, 4, 6]
    out = F.conv2d(torch.zeros(1, 1, 7, 7), torch.zeros(1, 1, 3, 3), stride=2, padding=1)
    assert out.shape[-1] == 4


def test_windows_read_padding_cells():
    windows = ops.conv_windows(5, 3, stride=2, padding=1)
    first = windows[0]
    assert first.cells()[0] == (0, 0) and first.input_cells()[0] == (-1, -1)
    assert len(first.padding_cells(5)) == 5          # top row + left column of the window
    assert windows[4].padding_cells(5) == []         # centre window is inside the input
    dilated = ops.conv_windows(7, 3, dilation=2)
    assert dilated[0].rows == (0, 2, 4) and len(dilated) == 9


@pytest.mark.parametrize("mode", ops.PADDING_MODES)
@pytest.mark.parametrize("padding", [0, 1, 2, (1, 3)])
def test_pad_matches_torch(mode, padding):
    x = np.random.default_rng(2).normal(size=(2, 4, 5))
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    if mode == "zeros":
        expected = F.pad(torch.tensor(x), (pw, pw, ph, ph)).numpy()
    else:
        expected = F.pad(torch.tensor(x)[None], (pw, pw, ph, ph), mode=TORCH_MODES[mode])[0].numpy()
    np.testing.assert_array_equal(ops.pad(x, padding, mode), expected)
    np.testing.assert_array_equal(ops.pad(x[0], padding, mode), expected[0])


@pytest.mark.parametrize("mode", ops.PADDING_MODES)
def test_padding_source_and_mask(mode):
    x = np.arange(5.0)[None, :] * np.ones((5, 1))
    padded = ops.pad(x, 2, mode)
    source = ops.padding_source(5, 2, mode)
    expected = np.where(source < 0, 0.0, source.astype(float))
    np.testing.assert_array_equal(padded[3], expected)
    mask = ops.padding_mask(5, 2)
    assert mask.sum() == 9 * 9 - 25 and not mask[2:7, 2:7].any()


@pytest.mark.parametrize("size, kernel, stride, padding, output_padding, dilation", [
    (3, 3, 1, 0, 0, 1), (3, 3, 2, 1, 1, 1), (4, (2, 3), 2, 0, 0, 1), ((3, 5), 3, 3, 1, 2, 1),
    (4, 3, 2, 1, 0, 2), (2, 4, 2, 1, 0, 1), (5, 1, 2, 0, 1, 1),
])
def test_conv_transpose2d_matches_torch(size, kernel, stride, padding, output_padding, dilation):
    rng = np.random.default_rng(3)
    h, w = (size, size) if isinstance(size, int) else size
    kh, kw = (kernel, kernel) if isinstance(kernel, int) else kernel
    x, weight, bias = rng.normal(size=(2, h, w)), rng.normal(size=(2, 3, kh, kw)), rng.normal(size=3)
    expected = F.conv_transpose2d(torch.tensor(x)[None], torch.tensor(weight), torch.tensor(bias),
                                  stride, padding, output_padding, 1, dilation)[0].numpy()
    got = ops.conv_transpose2d(x, weight, bias, stride, padding, output_padding, dilation)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
    assert ops.conv_transpose_output_size((h, w), kernel, stride, padding, output_padding,
                                          dilation) == expected.shape[1:]
    single = ops.conv_transpose2d(x[0], weight[0, 0], 0, stride, padding, output_padding, dilation)
    assert single.shape == expected.shape[1:]


def test_output_sizes_of_the_notes_cases():
    # notes: k3 p0 s1, k5 p0 s1, k3 p1 s1, k3 p1 s2, k3 p1 s3 on a 5x5 input
    cases = [(3, 0, 1, 3), (5, 0, 1, 1), (3, 1, 1, 5), (3, 1, 2, 3), (3, 1, 3, 2)]
    for kernel, padding, stride, expected in cases:
        assert ops.conv_output_size(5, kernel, stride, padding) == expected
    assert isinstance(ops.conv_output_size(5, 3), int)
    assert ops.conv_output_size((5, 6), 3) == (3, 4)


@pytest.mark.parametrize("call, words", [
    (lambda: ops.conv_output_size(5, 3, stride=0), ["stride", "0", ">= 1"]),
    (lambda: ops.conv_output_size(5, 3, dilation=0), ["dilation", "0", ">= 1"]),
    (lambda: ops.conv_output_size(5, 3, padding=-1), ["padding", "-1", ">= 0"]),
    (lambda: ops.conv_output_size(5, 3, stride=1.5), ["stride", "1.5", "integer"]),
    (lambda: ops.conv_output_size(5, 2.0), ["kernel", "2.0", "integer"]),
    (lambda: ops.conv_output_size(5, True), ["kernel", "True", "integer"]),
    (lambda: ops.conv_output_size(3, 5), ["kernel", "(5, 5)", "padded input", "allowed"]),
    (lambda: ops.conv_output_size(3, 3, dilation=2), ["kernel", "(5, 5)", "padded input"]),
    (lambda: ops.conv2d(np.ones((4, 4)), np.ones((5, 5))), ["kernel", "padded input"]),
    (lambda: ops.pad(np.ones((3, 3)), 3, "reflect"), ["padding", "3", "reflect", "< input size 3"]),
    (lambda: ops.pad(np.ones((3, 3)), 4, "circular"), ["padding", "4", "circular", "<= input"]),
    (lambda: ops.pad(np.ones((3, 3)), 1, "mirror"), ["mode", "'mirror'", "'reflect'"]),
    (lambda: ops.conv2d(np.ones((3, 3)), np.ones((3, 3)), padding=3, mode="reflect"),
     ["padding", "reflect"]),
    (lambda: ops.conv2d(np.ones((2, 4, 4)), np.ones((3, 3))), ["kernel", "C_in = 2", "(3, 3)"]),
    (lambda: ops.conv2d(np.ones(4), np.ones((3, 3))), ["x", "(H, W)", "(4,)"]),
    (lambda: ops.conv2d(np.ones((4, 4)), np.ones((3, 3)), bias=[1, 2]), ["bias", "(2,)"]),
    (lambda: ops.conv_transpose_output_size(3, 3, stride=2, output_padding=2),
     ["output_padding", "2", "smaller"]),
    (lambda: ops.conv_transpose_output_size(2, 1, padding=2), ["padding", "2"]),
])
def test_invalid_parameters_raise_value_error_naming_them(call, words):
    with pytest.raises(ValueError) as info:
        call()
    for word in words:
        assert word in str(info.value), (word, str(info.value))


@pytest.mark.parametrize("size, kernel, stride, padding, dilation", [
    (5, 3, 3, 1, 1), (5, 3, 2, 1, 1), (8, 3, 3, 1, 1), (7, 5, 2, 2, 1), (8, 3, 3, 2, 2), (5, 5, 1, 0, 1),
])
def test_output_size_terms_match_torch_and_say_what_the_floor_drops(size, kernel, stride, padding, dilation):
    terms = ops.output_size_terms(size, kernel, stride, padding, dilation)
    out = F.conv2d(torch.zeros(1, 1, size, size), torch.zeros(1, 1, kernel, kernel), stride=stride,
                   padding=padding, dilation=dilation)
    assert terms.value == out.shape[-1] == ops.conv_output_size(size, kernel, stride, padding, dilation)
    assert terms.exact == (terms.unread == 0)
    last_read = max(max(w.rows) for w in ops.conv_windows(size, kernel, stride, padding, dilation))
    assert size + 2 * padding - 1 - last_read == terms.unread


@pytest.mark.parametrize("mode", ops.PADDING_MODES)
@pytest.mark.parametrize("padding", [1, 2, (1, 3)])
def test_padding_sources_and_copies_agree_with_torch(mode, padding):
    h, w = 4, 5
    index = np.arange(1.0, h * w + 1).reshape(h, w)
    ph, pw = (padding, padding) if isinstance(padding, int) else padding
    t = torch.tensor(index)[None, None]
    padded = (F.pad(t, (pw, pw, ph, ph)) if mode == "zeros" else
              F.pad(t, (pw, pw, ph, ph), mode=TORCH_MODES[mode]))[0, 0].numpy()
    sources = ops.padding_sources((h, w), padding, mode)
    expected = np.where((sources >= 0).all(-1), index[sources[..., 0], sources[..., 1]], 0.0)
    np.testing.assert_array_equal(padded, expected)
    copies = ops.padding_copies((h, w), padding, mode)
    assert len(copies) == (0 if mode == "zeros" else 2 * ph + 2 * pw)
    for axis, target, source in copies:
        np.testing.assert_array_equal(np.take(padded, target, axis=axis), np.take(padded, source, axis=axis))
        assert ph <= source < ph + h if axis == 0 else pw <= source < pw + w


def test_conv_cases_parse_and_name():
    case = ops.ConvCase.parse("k=3,s=2 p=1 mode=reflect input=7")
    assert case == ops.ConvCase(input=7, kernel=3, stride=2, padding=1, mode="reflect")
    assert case.name == "k3p1s2_reflect_in7" and case.output_size == 4
    assert ops.parse_cases("notes") == ops.NOTES_CASES
    assert [c.name for c in ops.parse_cases("k3p1s3; k=5 input=7")] == ["k3p1s3", "k5p0s1_in7"]
    assert ops.NOTES_MODES_CASE.name == "k3p1s1"


@pytest.mark.parametrize("spec, words", [
    ("k=3,q=1", ["'q=1'", "key"]), ("k=three", ["kernel", "number", "'three'"]), ("s=1.5", ["stride", "integer"]),
    ("k=3,s=0", ["stride", "0"]), ("k=3,p=-1", ["padding", "-1"]), ("k=3,p=5,mode=reflect,input=5", ["reflect"]),
    ("k=9,input=5", ["kernel", "padded input"]), ("k=3,p=1,mode=mirror", ["mode", "'mirror'"]),
    ("k", ["'k'", "key=value"]),
])
def test_conv_case_parse_errors_name_the_item(spec, words):
    with pytest.raises(ValueError) as info:
        ops.ConvCase.parse(spec)
    for word in words:
        assert word in str(info.value), (word, str(info.value))


def test_parse_cases_errors():
    with pytest.raises(ValueError, match="at least one case"):
        ops.parse_cases(" ; ")
    with pytest.raises(KeyError, match="k3p0s1, k5p0s1"):
        ops.parse_cases("k9p9s9")
