"""Convolution and pooling mobjects: structure and numbers (vs torch) without rendering.

Rendering tests (last frame vs control data) are marked slow.
"""
import importlib.util
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

pytest.importorskip("manim")

from vizdl import ops  # noqa: E402
from vizdl.anim.convolution import (NOTES_CASES, ConvCase, ConvolutionDiagram,  # noqa: E402
                                    cases_from_env, formula_tex)
from vizdl.anim.grid import (CELL_FILL, PADDING_FILL, NumberGrid, format_value,  # noqa: E402
                             label)
from vizdl.anim.pooling import CHANNEL_FILLS, PoolingDiagram, SqueezeDiagram  # noqa: E402

SCENES = Path(__file__).resolve().parent.parent / "scenes"


def _texts(grid: NumberGrid) -> np.ndarray:
    rows, cols = grid.shape
    return np.array([[getattr(grid.get_label(i, j), "text", None) for j in range(cols)]
                     for i in range(rows)], dtype=object)


def _formatted(values, decimals=2, min_decimals=0) -> np.ndarray:
    return np.vectorize(lambda v: format_value(v, decimals, min_decimals), otypes=[object])(values)


def _torch_conv(case: ConvCase) -> np.ndarray:
    x = torch.tensor(case.input_values())[None, None]
    w = torch.tensor(case.kernel_values())[None, None]
    if case.padding and case.mode != "zeros":
        torch_mode = {"replicate": "replicate", "reflect": "reflect", "circular": "circular"}[case.mode]
        x = F.pad(x, [case.padding] * 4, mode=torch_mode)
        padding = 0
    else:
        padding = case.padding
    out = F.conv2d(x, w, bias=torch.tensor([case.bias], dtype=x.dtype), stride=case.stride,
                   padding=padding, dilation=case.dilation)
    return out[0, 0].numpy()


def _consume(generator) -> int:
    """Run an animation generator without rendering; return the number of play calls."""
    return sum(1 for _ in generator)


# ---- NumberGrid -------------------------------------------------------------------------


def test_format_value():
    assert [format_value(v) for v in (3.0, -0.25, 0.123456, -0.0001, 10.0)] == \
        ["3", "\u22120.25", "0.12", "0", "10"]
    assert format_value(1.0, 2, 1) == "1.0"
    assert format_value(np.nan) == ""


def test_grid_cells_labels_and_padding_style():
    values = np.arange(12.0).reshape(3, 4)
    values[1, 2] = np.nan
    mask = np.zeros((3, 4), bool)
    mask[0] = True
    grid = NumberGrid(values, cell_size=0.5, padding_mask=mask)
    assert len(grid.cells) == 12
    assert len(grid.labels) == 11 and grid.get_label(1, 2) is None
    assert grid.get_label(2, 3).text == "11"
    assert grid.get_cell(0, 1).get_fill_color().to_hex().lower() == PADDING_FILL
    assert grid.get_cell(1, 1).get_fill_color().to_hex().lower() == CELL_FILL
    assert grid.get_label(0, 1)[0].get_fill_color() != grid.get_label(1, 1)[0].get_fill_color()
    assert np.isclose(grid.get_cell(0, 1).get_x() - grid.get_cell(0, 0).get_x(), 0.5)


def test_grid_set_value_replaces_label():
    grid = NumberGrid(np.full((2, 2), np.nan))
    grid.set_value(0, 1, 2.5)
    grid.set_value(0, 1, -3)
    assert len(grid.labels) == 1 and grid.get_label(0, 1).text == "\u22123"
    assert np.allclose(grid.get_label(0, 1).get_center(), grid.get_cell(0, 1).get_center())


def test_grid_rejects_bad_values():
    with pytest.raises(ValueError, match="2-D"):
        NumberGrid(np.zeros(3))
    with pytest.raises(ValueError, match="padding_mask"):
        NumberGrid(np.zeros((2, 2)), padding_mask=np.zeros((3, 3), bool))


def test_label_copies_are_independent():
    a, b = label("42"), label("42")
    a.shift([1, 0, 0])
    assert not np.allclose(a.get_center(), b.get_center())


# ---- ConvCase / formula -------------------------------------------------------------------


def test_parse_case():
    case = ConvCase.parse("k=3,s=2,p=1,mode=reflect,input=7")
    assert case == ConvCase(input=7, kernel=3, stride=2, padding=1, mode="reflect")
    assert case.name == "k3p1s2_reflect"
    assert case.title() == "Kernel size: 3, Padding: 1 (reflect), Stride: 2"


@pytest.mark.parametrize("spec, match", [
    ("k=3,q=1", "key"), ("k=three", "number"), ("s=1.5", "integer"), ("k=3,s=0", "stride"),
    ("k=3,p=-1", "padding"), ("k=3,p=5,mode=reflect,input=5", "reflect"), ("k=9,input=5", "kernel"),
    ("k=3,p=1,mode=mirror", "mode"), ("k", "key=value"),
])
def test_parse_case_rejects(spec, match):
    with pytest.raises(ValueError, match=match):
        ConvCase.parse(spec)


def test_cases_from_env():
    assert cases_from_env({}) == NOTES_CASES
    assert cases_from_env({"VIZDL_CONV": "k=5,input=7"}) == (ConvCase(input=7, kernel=5),)
    names = [c.name for c in NOTES_CASES]
    assert names == ["k3p0s1", "k5p0s1", "k3p1s1", "k3p1s2", "k3p1s3"]


def test_formula_substitutes_numbers():
    general, exact = formula_tex(7, 3, stride=2, padding=1)
    assert "Padding" in general.get_tex_string()
    assert "7 + 2\\times 1 - 3" in exact.get_tex_string()
    assert exact.get_tex_string().endswith("= 4") and "lfloor" not in exact.get_tex_string()
    floored = formula_tex(5, 3, stride=3, padding=1)[1].get_tex_string()
    assert "lfloor" in floored and floored.endswith(f"= {ops.conv_output_size(5, 3, 3, 1)}")


# ---- ConvolutionDiagram --------------------------------------------------------------------


def test_window_positions_match_output_size():
    """Input 7, kernel 3, stride 2, padding 1: 4 windows per row (ManimML draws 5)."""
    diagram = ConvolutionDiagram.from_case(ConvCase(input=7, kernel=3, stride=2, padding=1))
    assert diagram.output_grid.shape == (4, 4) and diagram.step_count == 16
    xs = {round(diagram.window_at(k).get_x(), 6) for k in range(diagram.step_count)}
    ys = {round(diagram.window_at(k).get_y(), 6) for k in range(diagram.step_count)}
    assert len(xs) == 4 and len(ys) == 4
    grid = diagram.input_grid
    assert diagram.window_at(15).get_right()[0] <= grid.get_right()[0] + 1e-6
    step = np.diff(sorted(xs))
    assert np.allclose(step, 2 * grid.cell_size)


@pytest.mark.parametrize("case", [*NOTES_CASES,
                                  ConvCase(input=6, kernel=3, stride=2, padding=2, mode="replicate"),
                                  ConvCase(input=7, kernel=3, padding=1, dilation=2, bias=1.5),
                                  ConvCase(input=5, kernel=3, padding=1, mode="circular")])
def test_diagram_numbers_equal_torch(case):
    diagram = ConvolutionDiagram.from_case(case)
    expected = _torch_conv(case)
    assert np.allclose(diagram.output, expected)
    assert _consume(diagram.animate_steps()) > 0
    assert (_texts(diagram.output_grid) == _formatted(expected)).all()
    padded = F.pad(torch.tensor(case.input_values())[None, None], [case.padding] * 4,
                   mode={"zeros": "constant"}.get(case.mode, case.mode))[0, 0].numpy()
    assert (_texts(diagram.input_grid) == _formatted(padded)).all()
    mask = diagram.input_grid.padding_mask
    assert mask.sum() == padded.size - case.input ** 2
    fills = {diagram.input_grid.get_cell(i, j).get_fill_color().to_hex().lower()
             for i, j in zip(*np.nonzero(mask))}
    assert fills <= {PADDING_FILL}


def test_products_show_sum_of_products():
    case = ConvCase(input=7, kernel=3, stride=2, padding=1, bias=1)
    diagram = ConvolutionDiagram.from_case(case)
    expected = _torch_conv(case)
    for index in (0, 5):
        lines = diagram.products(index)
        terms = [part.text for line in lines[:-1] for part in line if part.text != "+"]
        assert len(terms) == 9
        total = sum(float(a.replace("\u2212", "-")) * float(b.strip("()").replace("\u2212", "-"))
                    for a, b in (t.split("·") for t in terms))
        i, j = diagram.steps[index].window.index
        assert np.isclose(total + 1, expected[i, j])
        assert lines[-1].text.endswith(f"= {format_value(expected[i, j])}")


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_change_mode_updates_padding_and_outputs(mode):
    diagram = ConvolutionDiagram.from_case(ConvCase(input=5, kernel=3, padding=1))
    _consume(diagram.animate_steps())
    assert diagram.change_mode(mode)
    expected = _torch_conv(ConvCase(input=5, kernel=3, padding=1, mode=mode))
    assert (_texts(diagram.output_grid) == _formatted(expected)).all()
    assert (_texts(diagram.input_grid) ==
            _formatted(ops.pad(ConvCase(input=5).input_values(), 1, mode))).all()


def test_dilated_window_marks_taps():
    diagram = ConvolutionDiagram.from_case(ConvCase(input=7, kernel=3, dilation=2))
    window = diagram.window_at(0)
    assert len(window) == 2 and len(window[1]) == 9
    assert np.isclose(window[0].width, 5 * diagram.input_grid.cell_size)


# ---- pooling --------------------------------------------------------------------------------


def _notes_tensor():
    return torch.tensor(ops.NOTES_EXAMPLE)[None, None]


def test_max_pooling_values_and_winners_equal_torch():
    diagram = PoolingDiagram(kind="max")
    values, indices = F.max_pool2d(_notes_tensor(), 2, return_indices=True)
    assert _consume(diagram.animate_steps()) > 0
    assert (_texts(diagram.output_grid) == _formatted(values[0, 0].numpy(), 4, 1)).all()
    assert np.allclose(diagram.output, [[1.0, 0.8, 0.8, 0.9], [0.8, 0.9, 0.9, 0.9],
                                        [0.9, 0.9, 0.8, 0.9], [0.9, 0.7, 0.6, 0.9]])
    assert len(diagram.winners) == 16
    for k in range(16):
        i, j = diagram.windows[k].index
        row, col = diagram.winner(k)
        assert row * 8 + col == indices[0, 0, i, j].item()
        assert np.allclose(diagram.winners[k].get_center(),
                           diagram.input_grid.get_cell(row, col).get_center())


def test_average_pooling_values_equal_torch():
    diagram = PoolingDiagram(kind="avg")
    expected = F.avg_pool2d(_notes_tensor(), 2)[0, 0].numpy()
    _consume(diagram.animate_steps())
    assert (_texts(diagram.output_grid) == _formatted(expected, 4, 1)).all()
    text = diagram.average_text(0)
    assert text[0].text == "(0.2 + 1.0 + 0.7 + 0.3) / 4" and text[1].text == "= 0.55"
    assert len(diagram.winners) == 0


def test_pooling_window_count_and_bad_kind():
    diagram = PoolingDiagram(np.arange(36.0).reshape(6, 6), kind="max", kernel=3, stride=1)
    assert diagram.step_count == 16 and diagram.output_grid.shape == (4, 4)
    with pytest.raises(ValueError, match="kind"):
        PoolingDiagram(kind="median")


def test_squeeze_channels_equal_pixel_unshuffle():
    diagram = SqueezeDiagram()
    expected = F.pixel_unshuffle(_notes_tensor(), 2)[0].numpy()
    assert len(diagram.channel_grids) == 4
    for c, grid in enumerate(diagram.channel_grids):
        assert grid.shape == (4, 4)
        assert (_texts(grid) == _formatted(expected[c], 2, 1)).all()
        sources = [part.text for part in diagram.sources(c)]
        assert sources == list(_texts(grid).ravel())
        assert grid.get_cell(0, 0).get_fill_color().to_hex().lower() == CHANNEL_FILLS[c]
    assert _consume(diagram.animate_steps()) == 5
    with pytest.raises(ValueError, match="factor"):
        SqueezeDiagram(np.zeros((6, 6)), factor=4)


# ---- rendering (slow) --------------------------------------------------------------------------


def _scene_module(name):
    spec = importlib.util.spec_from_file_location(f"_scene_{name}", SCENES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_convolution_scene_last_frame():
    from vizdl.testing import assert_matches_control, render_last_frame

    scene = _scene_module("convolution").Convolution

    class OneCase(scene):
        cases = (ConvCase(input=7, kernel=3, stride=2, padding=1, mode="reflect"),)

    assert_matches_control("scene_convolution_k3p1s2_reflect", render_last_frame(OneCase))


@pytest.mark.slow
def test_pooling_scene_last_frame():
    from vizdl.testing import assert_matches_control, render_last_frame

    scene = _scene_module("pooling").Pooling

    class MaxOnly(scene):
        kinds = ("max",)

    assert_matches_control("scene_pooling_max", render_last_frame(MaxOnly))


def test_pool_kinds_from_env():
    from vizdl.anim.pooling import kinds_from_env

    assert kinds_from_env({}) == ("max", "avg", "squeeze")
    assert kinds_from_env({"VIZDL_POOL": "max, squeeze"}) == ("max", "squeeze")
    with pytest.raises(ValueError, match="kind"):
        kinds_from_env({"VIZDL_POOL": "min"})
