"""vizdl.ops pooling arithmetic against torch and the lecture notes' 8x8 example."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from vizdl import ops
from vizdl.ops.pooling import NOTES_AVG_POOL_ROUNDED, NOTES_MAX_POOL


def test_notes_max_pooling_table():
    values, argmax = ops.max_pool(ops.NOTES_EXAMPLE, 2)
    np.testing.assert_array_equal(values, NOTES_MAX_POOL)
    rows, cols = np.unravel_index(argmax, (8, 8))
    np.testing.assert_array_equal(ops.NOTES_EXAMPLE[rows, cols], values)
    assert (rows[0, 0], cols[0, 0]) == (0, 1)   # the 1.0 of the first window


def test_notes_average_pooling_exact_values():
    averages = ops.avg_pool(ops.NOTES_EXAMPLE, 2)
    blocks = ops.NOTES_EXAMPLE.reshape(4, 2, 4, 2).mean(axis=(1, 3))
    np.testing.assert_allclose(averages, blocks, atol=1e-15)
    assert averages[0, 0] == pytest.approx(0.55) and averages[3, 2] == pytest.approx(0.175)
    # the notes round to one decimal, not always the same way: stay within 0.05 + float noise
    assert np.max(np.abs(averages - NOTES_AVG_POOL_ROUNDED)) <= 0.05 + 1e-9


@pytest.mark.parametrize("kernel, stride, padding", [
    (2, None, 0), (3, None, 0), (3, 2, 1), (2, 1, 0), ((2, 3), (1, 2), (1, 1)), (3, 3, 1),
])
def test_max_and_avg_pool_match_torch(kernel, stride, padding):
    x = np.random.default_rng(0).normal(size=(3, 7, 8))
    t = torch.tensor(x)[None]
    values, indices = F.max_pool2d(t, kernel, stride, padding, return_indices=True)
    got_values, got_indices = ops.max_pool(x, kernel, stride, padding)
    np.testing.assert_array_equal(got_values, values[0].numpy())
    np.testing.assert_array_equal(got_indices, indices[0].numpy())
    np.testing.assert_allclose(ops.avg_pool(x, kernel, stride, padding),
                               F.avg_pool2d(t, kernel, stride, padding)[0].numpy(), atol=1e-15)
    assert ops.pool_output_size((7, 8), kernel, stride, padding) == tuple(values.shape[-2:])


def test_max_pool_ties_go_to_the_first_cell_like_torch():
    x = np.array([[1.0, 1.0], [1.0, 0.0]])
    values, argmax = ops.max_pool(x, 2)
    _, indices = F.max_pool2d(torch.tensor(x)[None, None], 2, return_indices=True)
    assert argmax[0, 0] == indices.item() == 0


@pytest.mark.parametrize("factor, shape", [(2, (1, 8, 8)), (2, (3, 4, 6)), (3, (2, 6, 9))])
def test_squeeze_matches_pixel_unshuffle_and_inverts(factor, shape):
    x = np.random.default_rng(1).normal(size=shape)
    squeezed = ops.squeeze_pool(x, factor)
    np.testing.assert_array_equal(squeezed, F.pixel_unshuffle(torch.tensor(x), factor).numpy())
    np.testing.assert_array_equal(ops.unsqueeze_pool(squeezed, factor),
                                  F.pixel_shuffle(torch.tensor(squeezed), factor).numpy())
    np.testing.assert_array_equal(ops.unsqueeze_pool(squeezed, factor), x)


def test_squeeze_of_the_notes_example_gives_four_channels():
    squeezed = ops.squeeze_pool(ops.NOTES_EXAMPLE)
    assert squeezed.shape == (4, 4, 4)
    np.testing.assert_array_equal(squeezed[1], ops.NOTES_EXAMPLE[0::2, 1::2])
    assert squeezed.size == ops.NOTES_EXAMPLE.size   # nothing lost
    np.testing.assert_array_equal(ops.unsqueeze_pool(squeezed)[0], ops.NOTES_EXAMPLE)


def test_pool_output_size_defaults_stride_to_kernel():
    assert ops.pool_output_size(8, 2) == 4
    assert ops.pool_output_size(28, 2) == 14 and ops.pool_output_size(10, 2) == 5
    assert len(ops.pool_windows(8, 2)) == 16


@pytest.mark.parametrize("call, words", [
    (lambda: ops.squeeze_pool(np.ones((7, 8))), ["factor", "2", "(7, 8)", "divisor"]),
    (lambda: ops.squeeze_pool(np.ones((8, 8)), 0), ["factor", "0", ">= 1"]),
    (lambda: ops.squeeze_pool(np.ones((8, 8)), 1.5), ["factor", "1.5", "integer"]),
    (lambda: ops.unsqueeze_pool(np.ones((3, 2, 2))), ["factor**2", "3"]),
    (lambda: ops.max_pool(np.ones((4, 4)), 2, stride=0), ["stride", "0", ">= 1"]),
    (lambda: ops.max_pool(np.ones((4, 4)), 5), ["kernel", "padded input"]),
    (lambda: ops.avg_pool(np.ones((4, 4)), 2, padding=2), ["padding", "2", "half"]),
    (lambda: ops.avg_pool(np.ones((4, 4)), 2, padding=-1), ["padding", "-1", ">= 0"]),
])
def test_invalid_pooling_parameters(call, words):
    with pytest.raises(ValueError) as info:
        call()
    for word in words:
        assert word in str(info.value), (word, str(info.value))
