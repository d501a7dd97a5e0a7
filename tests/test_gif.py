"""GIF/MP4 animations without manim: the figures' frames, exact role colours, readable text, formats, CLI."""
import numpy as np
import pytest
from matplotlib.colors import to_rgb

from vizdl import ops, styles
from vizdl.cli import main
from vizdl.gif import (
    FRAME_DPI,
    MIN_TEXT_PIXELS,
    _canvas,
    conv_frames,
    pool_frames,
    save_conv_animation,
    save_pool_animation,
    smallest_text_pixels,
)
from vizdl.ops import NOTES_CASES
from vizdl.styles.theme import LIGHT


def _rgb(role):
    return tuple(round(255 * c) for c in to_rgb(LIGHT.color(role)))


def _drawing(make, dpi=FRAME_DPI):
    with styles.use("slides"):
        _, ax = _canvas(dpi)
        return make(ax)


def _conv_drawing(case, dpi=FRAME_DPI):
    from vizdl.figures.conv import ConvFigure
    from vizdl.views.conv import conv_view

    return _drawing(lambda ax: ConvFigure(conv_view(case), ax), dpi)


def test_one_frame_per_window_plus_intro_and_outro():
    frames = conv_frames(case=ops.ConvCase(input=7, stride=2, padding=1), dpi=20)
    assert len(frames) == 4 * 4 + 2                    # ManimML would draw 5 x 5 windows
    assert frames[0].shape == (144, 256, 3) and frames[0].dtype == np.uint8
    assert not np.array_equal(frames[1], frames[2])    # the window moves
    assert len(pool_frames(kind="max", dpi=20)) == 16 + 2
    assert len(pool_frames(kind="squeeze", dpi=20)) == 16 + 2


def test_blitted_frames_equal_full_redraws():
    """The fast path (static background + what moves, blitted) shows what a full redraw shows."""
    case = ops.ConvCase(stride=2, padding=1, mode="reflect")
    frames = conv_frames(case=case, dpi=30)
    drawing = _conv_drawing(case, dpi=30)
    for index, step in [(0, None), (3, 2), (10, 9)]:
        drawing.show_step(step if step is not None else None)
        drawing.ax.figure.canvas.draw()
        full = np.asarray(drawing.ax.figure.canvas.buffer_rgba())[..., :3]
        diff = np.abs(full.astype(int) - frames[index].astype(int))
        assert (diff.max(axis=-1) > 40).mean() < 0.005, index


def _cell_box(drawing, grid, i, j, dpi):
    """Pixel rows/columns (top-left origin) strictly inside cell ``(i, j)`` of ``grid``."""
    height = drawing.ax.figure.get_size_inches()[1] * dpi
    x0, y0 = grid.corner(i, j)
    (px0, py0), (px1, py1) = drawing.ax.transData.transform([(x0, y0), (x0 + grid.cell, y0 + grid.cell)])
    return slice(int(height - py1) + 3, int(height - py0) - 3), slice(int(px0) + 3, int(px1) - 3)


def test_gif_keeps_every_role_colour_exact_and_the_digits_under_the_window(tmp_path):
    from PIL import Image

    case = NOTES_CASES[3]
    path = save_conv_animation(tmp_path / "conv.gif", case=case, quiet=True)
    gif = Image.open(path)
    drawing = _conv_drawing(case)
    view = drawing.view
    step = 4
    gif.seek(step + 1)                                    # frame 0 is the intro
    frame = np.asarray(gif.convert("RGB"))
    window = view.windows[step]
    for i, j in window.cells:                             # the kernel's fill, under ink-coloured digits
        rows, cols = _cell_box(drawing, drawing.input, i, j, FRAME_DPI)
        pixels = {tuple(p) for p in frame[rows, cols].reshape(-1, 3)}
        assert _rgb("kernel") in pixels and _rgb(view.input.inks[i, j]) in pixels
    padding = [(i, j) for i, j in zip(*np.nonzero(view.input.roles == "padding")) if (i, j) not in window.cells]
    rows, cols = _cell_box(drawing, drawing.input, *padding[0], FRAME_DPI)
    assert _rgb("padding") in {tuple(p) for p in frame[rows, cols].reshape(-1, 3)}
    written = view.windows[0].index
    rows, cols = _cell_box(drawing, drawing.output, *written, FRAME_DPI)
    assert _rgb("output") in {tuple(p) for p in frame[rows, cols].reshape(-1, 3)}
    colours = {tuple(p) for p in frame.reshape(-1, 3)}
    assert {_rgb(r) for r in ("window", "ink", "padding_ink", "cell", "output_stroke")} <= colours


def _figure(name, ax):
    from vizdl.figures.conv import ConvFigure
    from vizdl.figures.pooling import PoolFigure, SqueezeFigure
    from vizdl.views.conv import conv_view
    from vizdl.views.pooling import pool_view, squeeze_view

    if name in ("max", "avg"):
        return PoolFigure(pool_view(name), ax)
    if name == "squeeze":
        return SqueezeFigure(squeeze_view(), ax)
    return ConvFigure(conv_view(ops.notes_case(name)), ax)


@pytest.mark.parametrize("name", [c.name for c in NOTES_CASES] + ["max", "avg", "squeeze"])
def test_text_in_the_frames_stays_readable(name):
    drawing = _drawing(lambda ax: _figure(name, ax))
    for step in (0, drawing.step_count):
        drawing.show_step(step)
        assert smallest_text_pixels(drawing) >= MIN_TEXT_PIXELS


def _read_frames(path):
    """Every frame of a GIF (Pillow) or an MP4 (PyAV) as RGB arrays."""
    if path.suffix == ".gif":
        from PIL import Image, ImageSequence

        return [np.asarray(f.convert("RGB")) for f in ImageSequence.Iterator(Image.open(path))]
    import av

    with av.open(str(path)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


@pytest.mark.parametrize("suffix", [".gif", ".mp4"])
def test_save_conv_animation_writes_readable_files(tmp_path, suffix):
    if suffix == ".mp4":
        pytest.importorskip("av")
    path = save_conv_animation(tmp_path / f"conv{suffix}", input_size=5, stride=2, padding=1, mode="reflect",
                               quiet=True, dpi=20)
    frames = _read_frames(path)
    assert len(frames) == (11 if suffix == ".gif" else 9 + 2 * 3)     # an MP4 holds intro/outro 3 frames
    assert frames[0].shape == (144, 256, 3)
    assert path.stat().st_size < 400_000
    assert not list(tmp_path.glob(".*.tmp*"))                        # written atomically


def test_mp4_frames_of_odd_size_are_padded_to_even(tmp_path):
    pytest.importorskip("av")
    from vizdl.gif import write_animation

    frames = [np.full((51, 77, 3), value, np.uint8) for value in (0, 120, 255)]
    read = _read_frames(write_animation(tmp_path / "odd.mp4", frames, fps=5))
    assert len(read) == 3 + 1 + 3 and read[0].shape == (52, 78, 3)
    assert abs(int(read[3].mean()) - 120) <= 3


def test_mp4_without_pyav_names_the_extra(tmp_path, monkeypatch):
    import sys

    from vizdl.gif import write_animation

    monkeypatch.setitem(sys.modules, "av", None)
    frames = [np.zeros((8, 8, 3), np.uint8)] * 3
    with pytest.raises(ImportError, match=r"pip install 'vizdl\[anim\]'"):
        write_animation(tmp_path / "x.mp4", frames)
    assert not list(tmp_path.iterdir())


@pytest.mark.slow
def test_cli_conv_and_pool(tmp_path):
    out = tmp_path / "c.gif"
    assert main(["conv", "--case", "k3p1s3", "--out", str(out), "--quiet"]) == 0
    assert out.exists()
    for kind in ("max", "avg", "squeeze"):
        target = tmp_path / f"{kind}.png"
        assert main(["pool", "--kind", kind, "--out", str(target), "--quiet"]) == 0
        assert target.stat().st_size > 1000
    assert main(["conv", "--case", "k3p1s1", "--modes", "--out", str(tmp_path / "m.png"), "--quiet"]) == 0
    save_pool_animation(tmp_path / "p.gif", kind="avg", quiet=True)


STILL_HEADS = {".png": b"\x89PNG", ".svg": b"<?xml", ".pdf": b"%PDF"}


@pytest.mark.parametrize("suffix", list(STILL_HEADS))
@pytest.mark.parametrize("argv", [["conv", "--case", "K3P1S3", "--mode", "Reflect"], ["conv", "--modes", "--padding", "1"],
                                  ["pool", "--kind", "Max"], ["pool", "--kind", "AVG", "--decimals", "1"],
                                  ["pool", "--kind", "Squeeze"]])
def test_cli_writes_stills_by_suffix_with_case_insensitive_choices(tmp_path, argv, suffix):
    out = tmp_path / f"still{suffix.upper() if suffix == '.pdf' else suffix}"
    assert main(argv + ["--out", str(out), "--quiet", "--dpi", "30"]) == 0
    assert out.read_bytes()[:5].startswith(STILL_HEADS[suffix])
    if suffix == ".svg":                          # vector: the numbers are text paths, not one image
        assert b"<image" not in out.read_bytes()


def test_cli_still_shows_the_figure_of_the_view(tmp_path):
    """The SVG still is the figure painter's: it holds the view's title (as glyph ids are paths, check the gid)."""
    out = tmp_path / "p.svg"
    assert main(["pool", "--kind", "max", "--step", "5", "--out", str(out), "--quiet"]) == 0
    text = out.read_text()
    assert 'id="title' in text and 'id="window' in text


@pytest.mark.parametrize("command", ["conv", "pool"])
@pytest.mark.parametrize("name", ["x.avi", "x.jpeg", "x"])
def test_cli_bad_suffix_is_one_line_naming_the_allowed(tmp_path, capsys, command, name):
    assert main([command, "--out", str(tmp_path / name), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    for suffix in (".gif", ".mp4", ".png", ".svg", ".pdf", name):
        assert suffix in err
    assert not list(tmp_path.iterdir())


def test_cli_modes_needs_a_still(tmp_path, capsys):
    assert main(["conv", "--modes", "--out", str(tmp_path / "m.gif"), "--quiet"]) == 2
    assert "--modes" in capsys.readouterr().err and not (tmp_path / "m.gif").exists()


@pytest.mark.parametrize("argv, words", [
    (["conv", "--stride", "0"], ["stride", "0"]),
    (["conv", "--padding", "5", "--input", "3", "--mode", "reflect"], ["padding", "reflect"]),
    (["conv", "--mode", "mirror"], ["mode", "mirror"]),
    (["conv", "--out", "x.avi"], ["out", ".gif", "x.avi"]),
    (["conv", "--case", "k9"], ["k9", "k3p0s1"]),
    (["pool", "--kind", "median"], ["kind", "median"]),
    (["pool", "--kind", "squeeze", "--factor", "3"], ["factor", "3"]),
    (["pool", "--kind", "avg", "--decimals", "-1"], ["decimals", "-1"]),
])
def test_cli_errors_name_the_parameter(tmp_path, capsys, argv, words):
    assert main(argv + (["--quiet"] if "--out" in argv else ["--out", str(tmp_path / "x.gif"),
                                                               "--quiet"])) == 2
    err = capsys.readouterr().err
    for word in words:
        assert word in err
    assert not (tmp_path / "x.gif").exists()
