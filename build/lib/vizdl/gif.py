"""Convolution and pooling animations without manim: matplotlib frames written by imageio.

One frame per window position plus an intro frame (empty output) and an outro frame
(complete output), each held longer. ``.gif`` goes through Pillow, ``.mp4`` through PyAV
(H.264). The diagram's artists are drawn once; each frame only moves the window.

The frame count is checked before anything is drawn (at most :data:`vizdl.limits.MAX_FRAMES`
frames and 2 GiB of RGB frames; ``max_frames=None`` lifts both), and the file is written
under a temporary name and renamed, so an interrupted write keeps the previous file.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from vizdl.limits import MAX_FRAMES, check_dpi, check_fps, check_frames
from vizdl.outputs import atomic_path

FORMATS = (".gif", ".mp4")
FRAME_SIZE = (9.6, 5.4)   # inches; 16:9
FRAME_DPI = 80            # 768 x 432 pixels


def _check_path(path) -> Path:
    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise ValueError(f"out must end with {' or '.join(FORMATS)}, got {str(path)!r}")
    return path


def _canvas(size=FRAME_SIZE, dpi=FRAME_DPI):
    """A pyplot-free Agg figure with one full-size axes (no layout engine, fast redraws)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, dpi=dpi, facecolor="white")
    FigureCanvasAgg(fig)
    return fig, fig.add_axes((0.02, 0.02, 0.96, 0.96))


def render_frames(drawing, count: int, *, quiet: bool = True, desc: str = "frames") -> list:
    """Frames of ``drawing``: intro (empty output), one per step, outro (complete output).

    ``drawing`` has ``ax``, ``show_step(step)``, ``moving_artists()``, ``cursor_artists(step)``
    (drawn over the background at that step) and ``cell_artists(step)`` (what it writes). The static part is drawn once; each frame
    blits the cursor over a background into which finished cells are drawn as they appear.
    """
    from tqdm import tqdm

    fig = drawing.ax.figure
    cells = [drawing.cell_artists(k) for k in range(count)]
    cursors = [drawing.cursor_artists(k) for k in range(count)]
    for artist in drawing.moving_artists() + [a for group in cells for a in group]:
        artist.set_animated(True)
    drawing.show_step(-1)                     # empty output, no window
    fig.canvas.draw()
    for group in cells:
        _draw(fig, group)
    background = fig.canvas.copy_from_bbox(fig.bbox)
    frames = [_buffer(fig)]
    for k in tqdm(range(count), desc=desc, disable=quiet, unit="frame"):
        drawing.show_step(k)
        fig.canvas.restore_region(background)
        _draw(fig, cells[k] + cursors[k])
        frames.append(_buffer(fig))
        drawing.show_step(k + 1)
        fig.canvas.restore_region(background)
        _draw(fig, cells[k])
        background = fig.canvas.copy_from_bbox(fig.bbox)
    frames.append(_buffer(fig))
    return frames


def _draw(fig, artists) -> None:
    for artist in artists:
        if artist.get_visible():
            fig.draw_artist(artist)


def _buffer(fig) -> np.ndarray:
    return np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()


def write_animation(path, frames, *, fps: float = 2.0, hold: int = 3) -> Path:
    """Write ``frames`` (intro first, outro last) to ``path`` (.gif or .mp4).

    The first and last frames last ``hold`` frame durations. ``fps`` must be in (0, 50]
    for a GIF (its delays are whole 1/100 s) and in (0, 240] for an MP4. The file is
    written under a unique temporary name in the same folder, then renamed.
    """
    import imageio.v3 as iio

    path = _check_path(path)
    check_fps(fps, path.suffix)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        if path.suffix.lower() == ".gif":
            durations = [1000 * hold / fps] + [1000 / fps] * (len(frames) - 2) + [1000 * hold / fps]
            _write_gif(tmp, frames, durations)
        else:
            held = [frames[0]] * hold + list(frames[1:-1]) + [frames[-1]] * hold
            iio.imwrite(tmp, np.stack(held), plugin="pyav", codec="libx264", fps=fps,
                        out_pixel_format="yuv420p")
    return path


def _check_frames(count: int, size, dpi, max_frames) -> None:
    """Check the frame count and the frames' memory (intro and outro included) before drawing."""
    check_dpi(dpi, None)
    check_frames(count + 2, (round(size[1] * dpi), round(size[0] * dpi)), max_frames)


def _write_gif(path, frames, durations) -> None:
    """GIF with one shared palette (fast, no dithering: flat colours and crisp digits)."""
    from PIL import Image

    images = [Image.fromarray(frame) for frame in frames]
    sample = Image.fromarray(np.concatenate([frames[len(frames) // 2], frames[-1]], axis=0))
    palette = sample.quantize(colors=32, method=Image.Quantize.FASTOCTREE)
    paletted = [im.quantize(palette=palette, dither=Image.Dither.NONE) for im in images]
    paletted[0].save(path, format="GIF", save_all=True, append_images=paletted[1:],
                     duration=[int(d) for d in durations], loop=0, optimize=False)


def conv_frames(x=None, kernel=None, *, bias=0.0, stride=1, padding=0, dilation=1, mode="zeros",
                input_size=5, kernel_size=3, quiet=True, size=FRAME_SIZE, dpi=FRAME_DPI,
                max_frames: int | None = MAX_FRAMES) -> list:
    """RGB frames of a convolution: intro, one per output cell, outro (parameters of ``conv_diagram``).

    More than ``max_frames`` frames (or 2 GiB of them) are refused before drawing;
    ``max_frames=None`` lifts the bound.
    """
    from vizdl import ops
    from vizdl.figures.conv import ConvDrawing, _defaults

    x, kernel = _defaults(x, kernel, input_size, kernel_size)
    steps = ops.conv_steps(x, kernel, bias, stride, padding, dilation, mode)   # validate before drawing
    _check_frames(len(steps), size, dpi, max_frames)
    fig, ax = _canvas(size, dpi)
    drawing = ConvDrawing(x, kernel, bias=bias, stride=stride, padding=padding,
                          dilation=dilation, mode=mode, ax=ax)
    return render_frames(drawing, len(drawing.steps), quiet=quiet, desc="conv frames")


def pool_frames(x=None, *, kind="max", kernel=2, stride=None, factor=2, decimals=None,
                quiet=True, size=FRAME_SIZE, dpi=FRAME_DPI, max_frames: int | None = MAX_FRAMES) -> list:
    """RGB frames of max / average pooling or squeeze (default: the notes' 8x8 example).

    More than ``max_frames`` frames (or 2 GiB of them) are refused before drawing;
    ``max_frames=None`` lifts the bound.
    """
    from vizdl import ops
    from vizdl.figures.pooling import POOL_KINDS, PoolDrawing, SqueezeDrawing
    from vizdl.ops._checks import as_image, check_choice

    check_choice(kind, "kind", POOL_KINDS)
    shape = ops.NOTES_EXAMPLE.shape if x is None else as_image(x, "x").shape
    if len(shape) == 2:   # (C, H, W) is refused by the drawing
        out = (ops.squeeze_pool(np.zeros(shape), factor).shape[1:] if kind == "squeeze"
               else ops.pool_output_size(shape, kernel, stride))
        _check_frames(out[0] * out[1], size, dpi, max_frames)
    fig, ax = _canvas(size, dpi)
    if kind == "squeeze":
        drawing = SqueezeDrawing(x, factor=factor, ax=ax)
        count = len(drawing)
    else:
        drawing = PoolDrawing(x, kind=kind, kernel=kernel, stride=stride, ax=ax, decimals=decimals)
        count = len(drawing.windows)
    return render_frames(drawing, count, quiet=quiet, desc=f"{kind} frames")


def save_conv_animation(path, x=None, kernel=None, *, fps: float = 2.0, quiet: bool = False,
                        **params) -> Path:
    """Write a convolution animation to ``path`` (.gif or .mp4); ``params`` as in :func:`conv_frames`.

    >>> save_conv_animation("conv.gif", input_size=5, stride=2, padding=1, mode="reflect")  # doctest: +SKIP
    """
    path = _check_path(path)
    return write_animation(path, conv_frames(x, kernel, quiet=quiet, **params), fps=fps)


def save_pool_animation(path, x=None, *, kind="max", fps: float = 2.0, quiet: bool = False,
                        **params) -> Path:
    """Write a pooling animation (``kind`` max, avg or squeeze) to ``path`` (.gif or .mp4)."""
    path = _check_path(path)
    return write_animation(path, pool_frames(x, kind=kind, quiet=quiet, **params), fps=fps)
