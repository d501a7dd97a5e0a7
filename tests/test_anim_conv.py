"""Convolution and pooling scenes paint their views: the view's strings, the theme's role colours, beats = steps.

Nothing is rendered except in the tests marked slow (last frames vs control data).
"""
import importlib.util
import os
from pathlib import Path

import numpy as np
import pytest
import torch

pytest.importorskip("manim")

from manim import VGroup

from vizdl import ops
from vizdl.anim.convolution import ConvolutionDiagram, copy_arrow
from vizdl.anim.grid import NumberGrid, label
from vizdl.anim.pooling import PoolingDiagram, SqueezeDiagram
from vizdl.ops import NOTES_CASES, ConvCase
from vizdl.styles.theme import LIGHT
from vizdl.views import Grid
from vizdl.views.conv import conv_view
from vizdl.views.pooling import pool_view, squeeze_view

SCENES = Path(__file__).resolve().parent.parent / "scenes"


def _fill(mobject) -> str:
    return mobject.get_fill_color().to_hex().lower()


def _role(role: str) -> str:
    return LIGHT.color(role).lower()


def _consume(generator) -> int:
    """Run an animation generator without rendering; return the number of play calls."""
    return sum(1 for _ in generator)


def _play_story(diagram, view) -> list:
    """Build the plays of every step (nothing rendered); returns them per step."""
    return [diagram.plays(step) for step in view.story]


def _scene(cls):
    scene = cls()
    scene.setup()
    return scene


# ---- NumberGrid ---------------------------------------------------------------------------------


def test_number_grid_paints_a_view_grid():
    grid = Grid.of([[1.0, -0.004], [np.nan, 2.5]], roles=[["cell", "padding"], ["empty", "kernel"]],
                   inks=[["ink", "padding_ink"], ["ink", "ink"]])
    mobject = NumberGrid(grid, cell_size=0.5)
    assert [_fill(mobject.get_cell(i, j)) for i, j in np.ndindex(2, 2)] == \
        [_role(r) for r in ("cell", "padding", "empty", "kernel")]
    assert mobject.get_label(0, 1).text == "\u22120.004" and mobject.get_label(1, 0) is None
    assert _fill(mobject.get_label(0, 1)) == _role("padding_ink")
    assert np.isclose(mobject.get_cell(0, 1).get_x() - mobject.get_cell(0, 0).get_x(), 0.5)
    empty = NumberGrid(grid, texts=False, roles="empty")
    assert len(empty.labels) == 0 and {_fill(c) for c in empty.cells} == {_role("empty")}
    overlay = empty.overlay(1, 1)
    assert _fill(overlay[0]) == _role("kernel") and overlay[1].text == "2.5" and overlay.text == "2.5"
    assert _fill(empty.overlay(0, 0, "output", "7")[0]) == _role("output")
    mobject.scale(2)
    assert np.isclose(mobject.make_label(0, 0).height, 2 * NumberGrid(grid, cell_size=0.5).make_label(0, 0).height)


def test_label_copies_are_independent():
    a, b = label("42"), label("42")
    a.shift([1, 0, 0])
    assert not np.allclose(a.get_center(), b.get_center())


@pytest.mark.parametrize("pixel_width", [320, 854, 3840])
def test_texts_stay_on_one_line_at_any_quality(pixel_width, tmp_path):
    """Pango wraps a Text wider than the render's pixels; a title must not break at -ql or in a test frame."""
    from manim import config, tempconfig

    from vizdl.anim.glyphs import text_label
    from vizdl.anim.grid import one_line_text
    from vizdl.anim.typeset import typeset

    title = "Feature maps of cifar_cnn trained on digits (1×8×8 images), step 20"
    with tempconfig({"pixel_width": pixel_width, "pixel_height": pixel_width * 9 // 16, "media_dir": str(tmp_path)}):
        one_line = one_line_text("Feature")
        for mobject in (one_line_text(title, font_size=36), label(title + f" {pixel_width}", 36),
                        text_label(title + f" at {pixel_width}", 36), typeset(title, 36)):
            assert mobject.height < 2 * one_line.height * 36 / 48
        assert config.pixel_width == pixel_width  # the canvas is given back


# ---- convolution -------------------------------------------------------------------------------------

CASES = [*NOTES_CASES, ConvCase(input=7, kernel=3, stride=2, padding=1, mode="reflect"),
         ConvCase(input=8, kernel=5, stride=3, padding=2, dilation=1, mode="circular", bias=1.5),
         ConvCase(input=8, kernel=3, stride=2, padding=2, dilation=2, mode="replicate")]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_convolution_diagram_shows_the_view(case):
    view = conv_view(case)
    diagram = ConvolutionDiagram(view)
    for i, j in np.ndindex(view.input.shape):
        assert diagram.input.get_label(i, j).text == view.input.texts[i, j]
        assert _fill(diagram.input.get_cell(i, j)) == _role(view.input.roles[i, j])
    assert [diagram.kernel.get_label(i, j).text for i, j in np.ndindex(view.kernel.shape)] == \
        view.kernel.texts.ravel().tolist()
    assert {_fill(c) for c in diagram.output.cells} == {_role("empty")} and len(diagram.output.labels) == 0
    for k, block in diagram.products.items():
        assert [line.text for line in block] == list(view.windows[k].block())
        assert block[-1][1].text == view.windows[k].result
    assert diagram.formula.tex_strings == [p.text for p in view.size_formula.parts]
    assert diagram.numbers[0].submobjects[-1].get_color().to_hex().lower() == _role("output_stroke")
    _play_story(diagram, view)
    assert diagram.written() == {w.index: w.value for w in view.windows}
    assert {_fill(o[0]) for o in diagram.outputs.values()} == {_role("output")}


def test_window_group_fills_the_cells_the_kernel_reads():
    """Input 7, kernel 3, stride 2, padding 1: 4 windows per row (ManimML draws 5)."""
    view = conv_view(ConvCase(input=7, kernel=3, stride=2, padding=1))
    diagram = ConvolutionDiagram(view)
    assert diagram.output.shape == (4, 4) and len(view.windows) == 16
    xs = sorted({round(diagram.window_at(k).get_x(), 6) for k in range(16)})
    assert len(xs) == 4 and np.allclose(np.diff(xs), 2 * diagram.input.get_cell(0, 0).width)
    group = diagram.window_group(5)
    cells = view.windows[5].cells
    assert len(group) == len(cells) + 1 and {_fill(o[0]) for o in group[:-1]} == {_role("kernel")}
    for overlay, (i, j) in zip(group[:-1], cells):
        assert overlay.text == view.input.texts[i, j]
        assert np.allclose(overlay.get_center(), diagram.input.get_cell(i, j).get_center())
    assert group[-1].get_stroke_color().to_hex().lower() == _role("window")


def test_padding_modes_copy_rows_then_columns_and_recompute_the_output():
    view = conv_view(ops.NOTES_MODES_CASE, modes=True)
    diagram = ConvolutionDiagram(view)
    plays = dict(zip((s.name for s in view.story), _play_story(diagram, view)))
    circular = view.mode("circular")
    assert diagram.shown_input() == {(i, j): circular.input.texts[i, j] for i, j in np.ndindex(view.input.shape)}
    assert diagram.written() == {(i, j): circular.output.texts[i, j] for i, j in np.ndindex(view.output.shape)}
    arrows = [a for p in plays["mode-reflect"] for a in p.animations if type(a).__name__ == "Create"]
    assert len(arrows) == len(view.mode("reflect").copies) == 4
    assert {a.mobject.get_color().to_hex().lower() for a in arrows} == {_role("source")}
    assert len(plays["mode-reflect"]) == 2            # rows first, then columns (corners included)


@pytest.mark.parametrize("case", [ConvCase(input=n, kernel=k, padding=p, stride=s, dilation=d)
                                  for n, k, p, s, d in [(7, 3, 0, 1, 1), (8, 5, 2, 3, 1), (8, 3, 2, 1, 2),
                                                        (7, 5, 1, 2, 1), (8, 3, 1, 3, 1), (5, 3, 1, 1, 1)]],
                         ids=lambda c: c.name)
def test_convolution_layout_fits_the_content_area_at_any_size(case):
    from vizdl.scenes.convolution import Convolution

    scene = _scene(Convolution)
    diagram = scene.fit(ConvolutionDiagram(conv_view(case, modes=bool(case.padding))))
    width, height, centre = scene.content_area()
    assert diagram.width <= width + 1e-6 and diagram.height <= height + 1e-6
    assert np.allclose(diagram.get_center(), centre)
    columns = [diagram.input, VGroup(diagram.kernel, *diagram.products.values()), diagram.output]
    for left, right in zip(columns, columns[1:]):
        assert left.get_right()[0] < right.get_left()[0]           # side by side, no overlap
    names = list(diagram.names.values())
    for left, right in zip(names, names[1:]):
        assert left.get_right()[0] < right.get_left()[0]
    lowest = min(m.get_bottom()[1] for m in columns)
    assert diagram.formula.get_top()[1] < lowest
    for k in range(len(diagram.view.windows)):                      # every window stays on the input
        assert diagram.window_at(k).get_right()[0] <= diagram.input.get_right()[0] + 1e-6
    for mode in diagram.view.modes:                                 # the copy arrows stay in the frame
        for axis, target, source in mode.copies:
            arrow = copy_arrow(diagram.input, axis, target, source)
            assert abs(arrow.get_x()) + arrow.width / 2 <= scene.camera.frame_width / 2
            assert abs(arrow.get_y()) + arrow.height / 2 <= scene.camera.frame_height / 2


# ---- pooling --------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["max", "avg"])
def test_pooling_diagram_shows_the_view(kind):
    view = pool_view(kind)
    diagram = PoolingDiagram(view)
    assert [diagram.input.get_label(i, j).text for i, j in np.ndindex(8, 8)] == view.input.texts.ravel().tolist()
    assert _fill(diagram.input.get_cell(0, 2)) == _role("block_alt")
    assert {k: f.text for k, f in diagram.formulas.items()} == {0: view.windows[0].text, 1: view.windows[1].text}
    _play_story(diagram, view)
    assert {index: o.text for index, o in diagram.outputs.items()} == {w.index: w.value for w in view.windows}
    if kind == "max":
        assert set(diagram.winners) == {w.winner for w in view.windows}
        overlay, mark = diagram.winners[view.windows[0].winner]
        assert _fill(overlay[0]) == _role("winner_fill") and overlay.text == view.windows[0].value
        assert mark[0].get_stroke_color().to_hex().lower() == _role("winner")
    else:
        assert not diagram.winners


def test_squeeze_diagram_sends_each_block_position_to_its_channel():
    view = squeeze_view()
    diagram = SqueezeDiagram(view)
    _play_story(diagram, view)
    for k, channel in enumerate(view.channels):
        shown = [diagram.written[(k, i, j)].text for i, j in np.ndindex(channel.shape)]
        assert shown == channel.texts.ravel().tolist()
        assert [diagram.input.get_label(r, c).text for r, c in diagram.sources(k)] == shown
        assert _fill(diagram.channels[k].get_cell(0, 0)) == _role(f"block {k}")


# ---- scenes: options, beats -------------------------------------------------------------------------


def test_convolution_scene_beats_are_the_view_steps():
    from vizdl.scenes.convolution import Convolution, PaddingModes

    scene = _scene(Convolution.configure(cases="k3p0s1; k=3 p=1 input=5", pace="preview"))
    beats = list(scene.beats())                     # the padding modes ride on the first padded case
    first, second = conv_view(NOTES_CASES[0]), conv_view(NOTES_CASES[2], modes=True, detailed=1)
    steps = [(f"k3p0s1-{s.name}", s.caption) for s in first.story] + \
        [(f"k3p1s1-{s.name}", s.caption) for s in second.story]
    assert [(b.name, b.caption) for b in beats] == steps
    modes = list(_scene(PaddingModes).beats())
    assert [b.name for b in modes][0] == "k3p1s1-setup" and "k3p1s1-window-0" not in [b.name for b in modes]
    assert [b.name for b in modes][-1] == "k3p1s1-mode-circular-output"


def test_scene_options_replace_the_old_environment_variables():
    from vizdl.anim.scene import options_from_environment
    from vizdl.scenes.convolution import Convolution
    from vizdl.scenes.pooling import Pooling, parse_kinds

    env = {"VIZDL_OPTIONS": "cases=k=3 s=2 p=1 mode=reflect input=7, padding_modes=false"}
    assert options_from_environment(Convolution, env) == {"cases": "k=3 s=2 p=1 mode=reflect input=7",
                                                          "padding_modes": False}
    with pytest.raises(ValueError, match="'q=1'"):
        Convolution.configure(cases="k=3 q=1")
    assert options_from_environment(Pooling, {"VIZDL_OPTIONS": "kinds=max+squeeze"}) == {"kinds": "max+squeeze"}
    assert parse_kinds("max avg") == ("max", "avg")
    with pytest.raises(ValueError, match="kinds.*'median'"):
        Pooling.configure(kinds="median")
    with pytest.raises(ValueError, match="modes_only needs a padded case"):
        _scene(Convolution.configure(cases="k3p0s1", modes_only="true")).views()


def test_pooling_scene_beats_are_the_view_steps():
    from vizdl.scenes.pooling import Pooling

    beats = list(_scene(Pooling.configure(kinds="avg squeeze")).beats())
    expected = [f"avg-{s.name}" for s in pool_view("avg").story] + [f"squeeze-{s.name}" for s in squeeze_view().story]
    assert [b.name for b in beats] == expected
    assert beats[1].caption == pool_view("avg").story.steps[1].caption


# ---- rendering (slow) ------------------------------------------------------------------------------


def _scene_module(name):
    spec = importlib.util.spec_from_file_location(f"_scene_{name}", SCENES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _changed_input(cls, **views):
    """``cls`` showing the same story on an input with one value changed."""
    return type(cls.__name__, (cls,), {"views": lambda self: [v() for v in views.values()]})


@pytest.mark.slow
def test_convolution_scene_last_frame():
    from vizdl.testing import assert_matches_control, render_last_frame

    scene = _scene_module("convolution").Convolution.configure(cases="k3p1s3", padding_modes=False, pace="preview")
    assert_matches_control("scene_convolution_k3p1s3", render_last_frame(scene))


@pytest.mark.slow
def test_padding_modes_scene_last_frame():
    from vizdl.testing import assert_matches_control, render_last_frame

    scene = _scene_module("padding_modes").PaddingModes.configure(pace="preview")
    assert_matches_control("scene_padding_modes", render_last_frame(scene))


@pytest.mark.slow
def test_pooling_scene_last_frame():
    from vizdl.testing import assert_matches_control, render_last_frame

    scene = _scene_module("pooling").Pooling.configure(kinds="max", pace="preview")
    assert_matches_control("scene_pooling_max", render_last_frame(scene))


@pytest.mark.slow
def test_one_changed_value_changes_the_last_frames():
    from vizdl.scenes.convolution import Convolution
    from vizdl.scenes.pooling import Pooling
    from vizdl.testing import WRITE_ENV, assert_matches_control, render_last_frame

    if os.environ.get(WRITE_ENV) == "1":
        pytest.skip("writing control data: nothing to compare")
    x = NOTES_CASES[4].input_values()
    x[3, 3] += 1                                        # one input cell
    conv = _changed_input(Convolution.configure(pace="preview"), v=lambda: conv_view(NOTES_CASES[4], x=x))
    with pytest.raises(AssertionError, match="differs from control"):
        assert_matches_control("scene_convolution_k3p1s3", render_last_frame(conv))
    notes = ops.NOTES_EXAMPLE.copy()
    notes[0, 1] = 0.95                                  # the first window's maximum: one pooled value
    pool = _changed_input(Pooling.configure(pace="preview"), v=lambda: pool_view("max", notes))
    with pytest.raises(AssertionError, match="differs from control"):
        assert_matches_control("scene_pooling_max", render_last_frame(pool))


def test_torch_agrees_with_the_scene_numbers_once():
    """The view tests check every number against torch; the scene shows the view's strings (above)."""
    case = NOTES_CASES[3]
    conv = torch.nn.Conv2d(1, 1, 3, stride=2, padding=1, bias=False, dtype=torch.float64)
    with torch.no_grad():
        conv.weight.copy_(torch.tensor(case.kernel_values())[None, None])
        expected = conv(torch.tensor(case.input_values())[None, None])[0, 0].numpy()
    view = conv_view(case)
    diagram = ConvolutionDiagram(view)
    _play_story(diagram, view)
    shown = diagram.written()
    assert all(float(shown[i, j].replace("\u2212", "-")) == pytest.approx(expected[i, j])
               for i, j in np.ndindex(expected.shape))


