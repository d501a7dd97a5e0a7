"""GIF/MP4 animations without manim: frame count, content, formats, CLI and errors."""
import numpy as np
import pytest

from vizdl import ops
from vizdl.cli import main
from vizdl.gif import conv_frames, pool_frames, save_conv_animation, save_pool_animation


def test_one_frame_per_window_plus_intro_and_outro():
    frames = conv_frames(input_size=7, stride=2, padding=1, size=(4.8, 2.7), dpi=40)
    assert len(frames) == 4 * 4 + 2                    # ManimML would draw 5 x 5 windows
    assert frames[0].shape == (108, 192, 3) and frames[0].dtype == np.uint8
    assert not np.array_equal(frames[1], frames[2])    # the window moves
    assert len(pool_frames(kind="max", size=(4.8, 2.7), dpi=40)) == 16 + 2
    assert len(pool_frames(kind="squeeze", size=(4.8, 2.7), dpi=40)) == 16 + 2


def test_blitted_frames_equal_full_redraws():
    """The fast path (static background + blitted cursor) shows what a full redraw shows."""
    from vizdl.figures.conv import ConvDrawing
    from vizdl.gif import _canvas

    frames = conv_frames(input_size=5, stride=2, padding=1, mode="reflect", size=(4.8, 2.7), dpi=40)
    fig, ax = _canvas((4.8, 2.7), 40)
    drawing = ConvDrawing(ops.example_input(5), ops.example_kernel(3), stride=2, padding=1,
                          mode="reflect", ax=ax)
    for index, step in [(0, -1), (3, 2), (10, 9)]:
        drawing.show_step(step)
        fig.canvas.draw()
        full = np.asarray(fig.canvas.buffer_rgba())[..., :3]
        diff = np.abs(full.astype(int) - frames[index].astype(int))
        assert (diff.max(axis=-1) > 40).mean() < 0.01, index


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".gif", ".mp4"])
def test_save_conv_animation_writes_readable_files(tmp_path, suffix):
    import imageio.v3 as iio

    path = save_conv_animation(tmp_path / f"conv{suffix}", input_size=5, stride=2, padding=1,
                               mode="reflect", quiet=True)
    frames = iio.imread(path, index=None, **({"plugin": "pyav"} if suffix == ".mp4" else {}))
    assert frames.shape[0] == (11 if suffix == ".gif" else 9 + 2 * 3)
    assert path.stat().st_size < 400_000


@pytest.mark.slow
def test_cli_conv_and_pool(tmp_path, capsys):
    out = tmp_path / "c.gif"
    assert main(["conv", "--input", "5", "--kernel", "3", "--stride", "2", "--padding", "1",
                 "--mode", "reflect", "--out", str(out), "--quiet"]) == 0
    assert out.exists()
    for kind in ("max", "avg", "squeeze"):
        target = tmp_path / f"{kind}.png"
        assert main(["pool", "--kind", kind, "--out", str(target), "--quiet"]) == 0
        assert target.stat().st_size > 1000
    save_pool_animation(tmp_path / "p.gif", kind="avg", quiet=True)


@pytest.mark.parametrize("argv, words", [
    (["conv", "--stride", "0"], ["stride", "0"]),
    (["conv", "--padding", "5", "--input", "3", "--mode", "reflect"], ["padding", "reflect"]),
    (["conv", "--mode", "mirror"], ["mode", "mirror"]),
    (["conv", "--out", "x.avi"], ["out", ".gif", "x.avi"]),
    (["pool", "--kind", "median"], ["kind", "median"]),
    (["pool", "--kind", "squeeze", "--factor", "3"], ["factor", "3"]),
])
def test_cli_errors_name_the_parameter(tmp_path, capsys, argv, words):
    assert main(argv + (["--quiet"] if "--out" in argv else ["--out", str(tmp_path / "x.gif"),
                                                               "--quiet"])) == 2
    err = capsys.readouterr().err
    for word in words:
        assert word in err
    assert not (tmp_path / "x.gif").exists()
