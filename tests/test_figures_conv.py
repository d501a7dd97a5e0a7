"""Convolution and pooling figures paint their views: the view's strings, the theme's role colours, style sizes."""
import os

import numpy as np
import pytest
from matplotlib.colors import to_hex

from vizdl import figures, ops, styles
from vizdl.figures.conv import ConvFigure
from vizdl.figures.pooling import PoolFigure, SqueezeFigure
from vizdl.ops import NOTES_CASES, ConvCase
from vizdl.styles.theme import LIGHT
from vizdl.testing import WRITE_ENV, assert_matches_control, figure_to_array
from vizdl.views.conv import conv_view
from vizdl.views.pooling import pool_view, squeeze_view


def _texts(ax, gid):
    return [t for t in ax.texts if t.get_gid() == gid]


def _colour(artist):
    return to_hex(artist.get_facecolor()).lower()


def _role(role):
    return LIGHT.color(role).lower()


@pytest.mark.parametrize("case", [*NOTES_CASES, ConvCase(input=8, kernel=3, stride=3, padding=2, dilation=2,
                                                          mode="replicate", bias=-0.5)], ids=lambda c: c.name)
def test_conv_figure_paints_the_view(case):
    view = conv_view(case)
    step = min(1, len(view.windows) - 1)
    drawing = ConvFigure(view)
    drawing.show_step(step)
    grid = drawing.input
    for i, j in np.ndindex(view.input.shape):     # every input string is the view's, in its role colours
        assert grid.texts[i][j].get_text() == view.input.texts[i, j]
        role = "kernel" if (i, j) in view.windows[step].cells else view.input.roles[i, j]
        assert _colour(grid.patches[i][j]) == _role(role)
        assert to_hex(grid.texts[i][j].get_color()) == _role(view.input.inks[i, j])
    for k, window in enumerate(view.windows):     # written cells in the output role, the others empty
        patch, text = drawing.output.patches[window.index[0]][window.index[1]], \
            drawing.output.texts[window.index[0]][window.index[1]]
        assert text.get_text() == (window.value if k <= step else "")
        assert _colour(patch) == _role("output" if k <= step else "empty")
    assert [t.get_text() for t in drawing.products if t.get_text()] == list(view.windows[step].block())
    assert drawing.window.get_visible() and to_hex(drawing.window.get_edgecolor()) == _role("window")
    assert _texts(drawing.ax, "title")[0].get_text().replace("\n", " ") == view.title.text
    formulas = {t.get_text() for t in drawing.ax.texts if t.get_gid() == "formula"}
    assert f"${view.size_formula.tex}$" in formulas
    dashed = [p for p in drawing.ax.patches if p.get_gid() == "dropped"]
    assert len(dashed) == bool(view.dropped[0]) + bool(view.dropped[1])


def test_conv_figure_steps_none_and_complete():
    drawing = ConvFigure(conv_view(NOTES_CASES[3]))
    drawing.show_step(None)
    assert not drawing.window.get_visible() and not any(t.get_text() for row in drawing.output.texts for t in row)
    drawing.show_step(drawing.step_count)
    assert all(t.get_text() for row in drawing.output.texts for t in row) and not drawing.window.get_visible()
    assert all(_colour(p) == _role(r) for row_p, row_r in zip(drawing.input.patches, drawing.view.input.roles)
               for p, r in zip(row_p, row_r))     # no cell keeps the kernel's fill


def test_conv_diagram_api_and_errors():
    ax = figures.conv_diagram(stride=2, padding=1, mode="reflect", step=4)
    assert len([p for p in ax.patches if p.get_gid() == "padding-cell"]) == 7 * 7 - 25
    assert [t.get_text() for t in _texts(ax, "output-value")][:5] == [
        w.value for w in conv_view(ConvCase(stride=2, padding=1, mode="reflect")).windows[:5]]
    with pytest.raises(ValueError, match="step"):
        figures.conv_diagram(step=99)
    with pytest.raises(ValueError, match="stride"):
        figures.conv_diagram(stride=0)
    with pytest.raises(ValueError, match="reflect"):
        figures.conv_diagram(input_size=3, padding=3, mode="reflect")


@pytest.mark.parametrize("style, size", [("slides", (12.8, 7.2)), ("paper", (6.4, 4.0))])
def test_figures_follow_the_style_sheet(style, size):
    from matplotlib import rcParams

    with styles.use(style):
        ax = figures.conv_diagram(case=NOTES_CASES[4], step=0)
        body = rcParams["font.size"]
        fig = ax.figure
        assert tuple(fig.get_size_inches()) == size
        names = [t for t in ax.texts if (t.get_gid() or "").startswith("name-")]
        assert {t.get_fontsize() for t in names} == {body}
        assert _texts(ax, "title")[0].get_fontsize() == pytest.approx(1.2 * body)
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(fig).draw()
        renderer = fig.canvas.get_renderer()
        frame = ax.get_window_extent(renderer)
        for text in ax.texts:                          # nothing leaves the Axes
            box = text.get_window_extent(renderer)
            if text.get_text():
                assert frame.x0 - 1 <= box.x0 and box.x1 <= frame.x1 + 1, text.get_text()


def test_padding_modes_figure_draws_one_arrow_per_copied_row_and_column():
    fig = figures.padding_modes_diagram()
    view = conv_view(ops.NOTES_MODES_CASE, modes=True)
    panels = [ax for ax in fig.axes if any(t.get_gid() == "mode-name" for t in ax.texts)]
    assert [next(t.get_text() for t in ax.texts if t.get_gid() == "mode-name") for ax in panels] == \
        ["zeros", "reflect", "replicate", "circular"]
    for ax, mode in zip(panels, view.modes):
        arrows = [p for p in ax.patches if p.get_gid() == "copy"]
        assert len(arrows) == len(mode.copies)
        assert {to_hex(a.get_edgecolor()) for a in arrows} <= {_role("source")}
        assert [t.get_text() for t in ax.texts if t.get_gid() == "mode-value"] == mode.input.texts.ravel().tolist()


def test_pool_figure_paints_the_view():
    view = pool_view("max")
    drawing = PoolFigure(view)
    drawing.show_step(5)
    for k, window in enumerate(view.windows):
        i, j = window.index
        assert drawing.output.texts[i][j].get_text() == (window.value if k <= 5 else "")
        r, c = window.winner
        assert drawing.winners[k].get_visible() == (k <= 5)
        if k <= 5:
            assert _colour(drawing.input.patches[r][c]) == _role("winner_fill")
            assert to_hex(drawing.winners[k].get_edgecolor()) == _role("winner")
    assert drawing.formula.get_text() == view.windows[5].text
    assert _colour(drawing.input.patches[0][2]) == _role("block_alt")
    avg = figures.pool_diagram(kind="avg")
    assert [t.get_text() for t in _texts(avg, "output-value")] == pool_view("avg").output.texts.ravel().tolist()


def test_squeeze_figure_paints_the_view():
    view = squeeze_view()
    drawing = SqueezeFigure(view)
    drawing.show_step(None)
    assert not any(t.get_text() for grid in drawing.channels for row in grid.texts for t in row)
    drawing.show_step(drawing.step_count)
    for grid, channel, k in zip(drawing.channels, view.channels, range(4)):
        assert [t.get_text() for row in grid.texts for t in row] == channel.texts.ravel().tolist()
        assert _colour(grid.patches[0][0]) == _role(f"block {k}")
    assert drawing.summary.get_visible()


def test_bad_parameters_raise_before_drawing():
    with pytest.raises(ValueError, match="kind"):
        figures.pooling_diagram(kind="median")
    with pytest.raises(ValueError, match="step"):
        figures.pool_diagram(step=16)
    with pytest.raises(ValueError, match="factor"):
        figures.squeeze_diagram(factor=3)


CONTROLS = {
    "conv_diagram_k3p1s3": lambda: figures.conv_diagram(case=NOTES_CASES[4], step=1).figure,
    "conv_padding_modes": lambda: figures.padding_modes_diagram(),
    "pool_max_notes": lambda: figures.pool_diagram(kind="max", step=5).figure,
    "pool_squeeze_notes": lambda: figures.squeeze_diagram(step=5).figure,
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CONTROLS))
def test_graphical_control(name):
    with styles.use("slides"):
        assert_matches_control(name, figure_to_array(CONTROLS[name]()))


@pytest.mark.slow
def test_one_changed_input_value_changes_the_figure():
    if os.environ.get(WRITE_ENV) == "1":
        pytest.skip("writing control data: nothing to compare")
    x = NOTES_CASES[4].input_values()
    x[2, 2] += 1                                    # one input cell
    with styles.use("slides"), pytest.raises(AssertionError, match="differs from control"):
        fig = figures.conv_diagram(x, case=None, input_size=5, stride=3, padding=1, step=1).figure
        assert_matches_control("conv_diagram_k3p1s3", figure_to_array(fig))
