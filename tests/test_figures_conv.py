"""Convolution and pooling diagrams: structure (cells, texts = computed numbers, styles) and pictures."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from vizdl import figures, ops, styles
from vizdl.figures.conv import ConvDrawing, format_value, output_size_formula
from vizdl.figures.pooling import PoolDrawing
from vizdl.testing import assert_matches_control, figure_to_array


def _patches(ax, gid):
    return [p for p in ax.patches if p.get_gid() == gid]


def _texts(ax, gid):
    return [t for t in ax.texts if t.get_gid() == gid]


@pytest.mark.parametrize("size, kernel, stride, padding, mode", [
    (5, 3, 2, 1, "reflect"), (7, 3, 2, 1, "zeros"), (5, 5, 1, 0, "zeros"), (6, 3, 3, 1, "circular"),
])
def test_conv_diagram_cells_and_values(size, kernel, stride, padding, mode):
    x, w = ops.example_input(size), ops.example_kernel(kernel)
    n_out = ops.conv_output_size(size, kernel, stride, padding)
    ax = figures.conv_diagram(x, w, stride=stride, padding=padding, mode=mode, step=n_out ** 2)
    padded = size + 2 * padding
    assert len(_patches(ax, "input-cell")) == size * size
    assert len(_patches(ax, "padding-cell")) == padded ** 2 - size ** 2
    assert len(_patches(ax, "kernel-cell")) == kernel * kernel
    assert len(_patches(ax, "output-cell")) == n_out ** 2
    expected = F.conv2d(F.pad(torch.tensor(x)[None, None], (padding,) * 4,
                              mode="constant" if mode == "zeros" else mode),
                        torch.tensor(w)[None, None], stride=stride)[0, 0].numpy()
    shown = [t.get_text() for t in _texts(ax, "output-value")]
    assert shown == [format_value(v) for v in expected.ravel()]
    padded_values = ops.pad(x, padding, mode)
    mask = ops.padding_mask(size, padding)
    assert [t.get_text() for t in _texts(ax, "padding-value")] == \
        [format_value(v) for v in padded_values[mask]]


def test_padding_cells_are_styled_differently():
    ax = figures.conv_diagram(stride=2, padding=1, mode="replicate")
    inner, pad_cell = _patches(ax, "input-cell")[0], _patches(ax, "padding-cell")[0]
    assert inner.get_facecolor() != pad_cell.get_facecolor()
    assert pad_cell.get_hatch() and not inner.get_hatch()


def test_window_follows_the_steps_and_the_sum_is_right():
    x, w = ops.example_input(7), ops.example_kernel(3)
    drawing = ConvDrawing(x, w, stride=2, padding=1)
    assert len(drawing.steps) == 16                                # ManimML draws 25
    expected = ops.conv2d(x, w, stride=2, padding=1)
    for step in (0, 5, 15):
        drawing.show_step(step)
        i, j = divmod(step, 4)
        corners = sorted(p.get_xy() for p in drawing.window_patches)
        x0, y0 = drawing.input_origin
        assert corners[0][0] == x0 + 2 * j                         # leftmost column read
        assert drawing.sum_text.get_text().endswith(f"= {format_value(expected[i, j])}")
        filled = [t.get_text() for row in drawing.output_texts for t in row if t.get_text()]
        assert len(filled) == step + 1


def test_formula_substitutes_the_numbers():
    assert output_size_formula(7, 3, 2, 1).endswith("+ 1 = 4$")
    assert "\\lfloor" in output_size_formula(6, 3, 2, 0)          # (6 - 3)/2 is not an integer
    ax = figures.conv_diagram(input_size=5, kernel_size=3, stride=2, padding=1)
    formula = _texts(ax, "formula")[0].get_text()
    assert "{5 + 2\\cdot1 - 3}{2}" in formula and formula.endswith("= 3$")


def test_multichannel_diagram_sums_channels_plus_bias():
    rng = np.random.default_rng(0)
    x, w, b = rng.integers(0, 4, (3, 4, 4)).astype(float), rng.integers(-1, 2, (2, 3, 3, 3)), [1.0, -2.0]
    ax = figures.multichannel_conv_diagram(x, w, b, out_channel=1, step=3)
    expected = F.conv2d(torch.tensor(x)[None], torch.tensor(w, dtype=torch.float64),
                        torch.tensor(b, dtype=torch.float64))[0, 1].numpy()
    assert [t.get_text() for t in _texts(ax, "output-value")] == [format_value(v) for v in expected.ravel()]
    assert len(_patches(ax, "channel-cell")) == 3 * 4
    assert _texts(ax, "sum")[0].get_text().endswith(f"= {format_value(expected[1, 1])}")


def test_transpose_diagram_values_match_torch():
    x, w = ops.example_input(3, seed=3), ops.example_kernel(3)
    ax = figures.conv_transpose_diagram(x, w, stride=2, padding=1, output_padding=1)
    full = F.conv_transpose2d(torch.tensor(x)[None, None], torch.tensor(w)[None, None],
                              stride=2, output_padding=1)[0, 0].numpy()
    cropped = F.conv_transpose2d(torch.tensor(x)[None, None], torch.tensor(w)[None, None],
                                 stride=2, padding=1, output_padding=1)[0, 0].numpy()
    assert len(_patches(ax, "output-cell")) == cropped.size
    assert len(_patches(ax, "cropped-cell")) == full.size - cropped.size
    assert [t.get_text() for t in _texts(ax, "output-value")] == [format_value(v) for v in cropped.ravel()]


def test_max_pool_diagram_marks_winners_and_shows_the_notes_table():
    ax = figures.pool_diagram(kind="max")
    from vizdl.ops.pooling import NOTES_MAX_POOL
    assert [t.get_text() for t in _texts(ax, "output-value")] == \
        [format_value(v) for v in NOTES_MAX_POOL.ravel()]
    winners = [p for p in _patches(ax, "winner") if p.get_visible()]
    assert len(winners) == 16
    _, argmax = ops.max_pool(ops.NOTES_EXAMPLE, 2)
    r, c = divmod(int(argmax[0, 0]), 8)
    assert winners[0].get_x() == pytest.approx(c + 0.08)


def test_avg_pool_diagram_shows_exact_values():
    ax = figures.pool_diagram(kind="avg", step=2)
    shown = [t.get_text() for t in _texts(ax, "output-value")]
    assert shown[:4] == ["0.55", "0.475", "0.4", ""]               # exact, not the notes' 0.5
    assert _texts(ax, "sum")[0].get_text() == "out[0,2] = (0.1 + 0.8 + 0.4 + 0.3) / 4 = 0.4"
    rounded = figures.pool_diagram(kind="avg", decimals=1)
    assert [t.get_text() for t in _texts(rounded, "output-value")][0] == "0.5"  # float 0.55 is 0.5499..., as in the notes


def test_squeeze_diagram_keeps_every_value():
    ax = figures.squeeze_diagram()
    assert len(_patches(ax, "channel-cell")) == 64
    channels = ops.squeeze_pool(ops.NOTES_EXAMPLE)
    assert [t.get_text() for t in _texts(ax, "channel-value")] == \
        [format_value(v) for v in channels.ravel()]


def test_bad_parameters_raise_before_drawing():
    import matplotlib.pyplot as plt

    before = len(plt.get_fignums())
    with pytest.raises(ValueError, match="stride"):
        figures.conv_diagram(stride=0)
    with pytest.raises(ValueError, match="reflect"):
        figures.conv_diagram(input_size=3, padding=3, mode="reflect")
    with pytest.raises(ValueError, match="kind"):
        figures.pooling_diagram(kind="median")
    assert len(plt.get_fignums()) == before
    with pytest.raises(ValueError, match="step"):
        figures.conv_diagram(step=99)


@pytest.mark.slow
@pytest.mark.parametrize("name, draw", [
    ("conv_diagram_k3p1s2_reflect", lambda: figures.conv_diagram(
        stride=2, padding=1, mode="reflect", step=4).figure),
    ("conv_multichannel", lambda: figures.multichannel_conv_diagram(step=1).figure),
    ("pool_max_notes", lambda: figures.pool_diagram(kind="max", step=5).figure),
    ("pool_squeeze_notes", lambda: figures.squeeze_diagram().figure),
])
def test_graphical_control(name, draw):
    with styles.use("slides"):
        fig = draw()
        assert_matches_control(name, figure_to_array(fig))
