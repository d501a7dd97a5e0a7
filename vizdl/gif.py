"""Convolution and pooling animations without Manim: the figures' views, one frame per window.

The frames are the figure of the same view (:class:`vizdl.figures.conv.ConvFigure`,
:class:`vizdl.figures.pooling.PoolFigure`, :class:`~vizdl.figures.pooling.SqueezeFigure`)
drawn in the ``slides`` style at a low dpi: an intro frame (empty output), one frame per
window position, an outro frame (complete output), the first and last held longer.

Each frame draws the static picture once and blits what moves: the cells under the
kernel are repainted in the kernel's fill *beneath* their numbers (no translucent patch
over the digits). GIFs get an exact palette: every theme role colour is a palette entry
of its own and every pixel maps to its nearest entry, so padding, kernel, window and
output colours are exactly the figure's. GIFs are written by Pillow (a dependency of
Matplotlib), ``.mp4`` by PyAV (H.264; ``vizdl[anim]``).

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
#: Frames are the slides figure (12.8 x 7.2 inches) at this dpi: 768 x 432 pixels.
FRAME_DPI = 60
#: The smallest text a frame may hold, in pixels of font size (``font size * dpi / 72``).
MIN_TEXT_PIXELS = 12


def _check_path(path) -> Path:
    """``path`` when its suffix is a format written here (an MP4 also needs PyAV: checked before drawing)."""
    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise ValueError(f"out must end with {' or '.join(FORMATS)}, got {str(path)!r}")
    if path.suffix.lower() == ".mp4":
        _pyav()
    return path


def _pyav():
    from vizdl.extras import require

    return require("av", "anim", "MP4 output")


def _canvas(dpi=FRAME_DPI):
    """A pyplot-free Agg figure of the active style's size, with one Axes filling it."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(dpi=dpi, layout="none")
    FigureCanvasAgg(fig)
    return fig, fig.add_axes((0.01, 0.01, 0.98, 0.98))


def render_frames(drawing, *, quiet: bool = True, desc: str = "frames") -> list:
    """Frames of ``drawing``: intro (empty output), one per step, outro (complete output).

    ``drawing`` has ``ax``, ``step_count``, ``show_step(step)`` (``None``: empty,
    ``step_count``: complete), ``moving_artists()``, ``cursor_artists(step)`` (drawn over
    the background at that step) and ``cell_artists(step)`` (what the step writes). The
    static part is drawn once; finished cells are drawn into the background as they appear.
    """
    from tqdm import tqdm

    fig, count = drawing.ax.figure, drawing.step_count
    cells = [drawing.cell_artists(k) for k in range(count)]
    for artist in drawing.moving_artists() + [a for group in cells for a in group]:
        artist.set_animated(True)
    drawing.show_step(None)
    fig.canvas.draw()
    for group in cells:
        _draw(fig, group)
    background = fig.canvas.copy_from_bbox(fig.bbox)
    frames = [_overlay(fig, background, drawing.moving_artists())]
    for k in tqdm(range(count), desc=desc, disable=quiet, unit="frame"):
        drawing.show_step(k)
        frames.append(_overlay(fig, background, cells[k] + drawing.cursor_artists(k)))
        drawing.show_step(k + 1)
        fig.canvas.restore_region(background)
        _draw(fig, cells[k])
        background = fig.canvas.copy_from_bbox(fig.bbox)
    drawing.show_step(count)
    frames.append(_overlay(fig, background, drawing.moving_artists()))
    return frames


def _overlay(fig, background, artists) -> np.ndarray:
    fig.canvas.restore_region(background)
    _draw(fig, artists)
    return np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()


def _draw(fig, artists) -> None:
    for artist in artists:
        if artist.get_visible():
            fig.draw_artist(artist)


def smallest_text_pixels(drawing) -> float:
    """Font size in pixels of the smallest visible, non-empty text of ``drawing``'s figure."""
    fig = drawing.ax.figure
    sizes = [t.get_fontsize() for t in fig.findobj(lambda a: hasattr(a, "get_fontsize") and hasattr(a, "get_text"))
             if t.get_visible() and t.get_text().strip()]
    return min(sizes) * fig.dpi / 72


def write_animation(path, frames, *, fps: float = 2.0, hold: int = 3, colors=()) -> Path:
    """Write ``frames`` (intro first, outro last) to ``path`` (.gif or .mp4).

    The first and last frames last ``hold`` frame durations. ``colors`` (hex) are kept
    exactly in a GIF's palette (the theme's role colours by default). ``fps`` must be in
    (0, 50] for a GIF (its delays are whole 1/100 s) and in (0, 240] for an MP4. The file
    is written under a unique temporary name in the same folder, then renamed.
    """
    path = _check_path(path)
    check_fps(fps, path.suffix)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        if path.suffix.lower() == ".gif":
            durations = [1000 * hold / fps] + [1000 / fps] * (len(frames) - 2) + [1000 * hold / fps]
            _write_gif(tmp, frames, durations, colors or _role_colors())
        else:
            held = [frames[0]] * hold + list(frames[1:-1]) + [frames[-1]] * hold
            _write_mp4(tmp, held, fps)
    return path


def _write_mp4(path, frames, fps: float) -> None:
    """H.264 (yuv420p) through PyAV; odd frame sides are padded by one edge pixel (yuv420p needs even)."""
    from fractions import Fraction

    av = _pyav()
    height, width = frames[0].shape[:2]
    pad = ((0, height % 2), (0, width % 2), (0, 0))
    with av.open(str(path), mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=Fraction(fps).limit_denominator(1000))
        stream.width, stream.height, stream.pix_fmt = width + width % 2, height + height % 2, "yuv420p"
        for frame in frames:
            image = av.VideoFrame.from_ndarray(np.ascontiguousarray(np.pad(frame, pad, mode="edge")), format="rgb24")
            container.mux(stream.encode(image))
        container.mux(stream.encode())


def _role_colors() -> tuple:
    from vizdl.styles.theme import LIGHT

    return tuple(LIGHT.roles.values())


def exact_palette(frames, colors, size: int = 256) -> np.ndarray:
    """A ``(size, 3)`` uint8 palette: ``colors`` (hex) first, exactly, then the frames' other colours.

    The rest is Pillow's fast octree quantization of a few frames (the intro, the middle,
    the outro).
    """
    from matplotlib.colors import to_rgb
    from PIL import Image

    fixed = np.unique(np.round(np.array([to_rgb(c) for c in colors]) * 255).astype(np.uint8), axis=0)
    sample = np.concatenate([frames[0], frames[len(frames) // 2], frames[-1]], axis=0)
    free = size - len(fixed)
    quantized = Image.fromarray(sample).quantize(colors=free, method=Image.Quantize.FASTOCTREE)
    extra = np.array(quantized.getpalette()[: 3 * free], dtype=np.uint8).reshape(-1, 3)
    palette = np.concatenate([fixed, extra])
    return np.concatenate([palette, np.zeros((size - len(palette), 3), np.uint8)])


class NearestColor:
    """Maps RGB pixels to the index of the nearest palette colour (exact colours to themselves).

    A lookup table over all 2^24 colours is filled lazily, so each distinct colour of a
    whole animation is matched once.
    """

    def __init__(self, palette: np.ndarray):
        self.palette = palette.astype(np.int32)
        self.table = np.full(1 << 24, -1, dtype=np.int16)

    def __call__(self, frame: np.ndarray) -> np.ndarray:
        codes = (frame[..., 0].astype(np.int32) << 16) | (frame[..., 1].astype(np.int32) << 8) | frame[..., 2]
        index = self.table[codes]
        missing = index < 0
        if missing.any():
            new = np.unique(codes[missing])
            rgb = np.stack([(new >> 16) & 255, (new >> 8) & 255, new & 255], axis=1)
            distance = ((rgb[:, None, :] - self.palette[None, :, :]) ** 2).sum(axis=-1)
            self.table[new] = distance.argmin(axis=1)
            index = self.table[codes]
        return index.astype(np.uint8)


def _write_gif(path, frames, durations, colors) -> None:
    """GIF with one palette holding ``colors`` exactly; no dithering (flat colours, crisp digits)."""
    from PIL import Image

    palette = exact_palette(frames, colors)
    nearest = NearestColor(palette)
    images = []
    for frame in frames:
        image = Image.fromarray(nearest(frame), mode="P")
        image.putpalette(palette.ravel().tolist())
        images.append(image)
    images[0].save(path, format="GIF", save_all=True, append_images=images[1:],
                   duration=[int(d) for d in durations], loop=0, optimize=False)


def _frames_of(make_drawing, count: int, *, style: str, dpi: float, quiet: bool, desc: str,
               max_frames: int | None) -> list:
    """Frames of the drawing ``make_drawing(ax)`` after checking their count and memory (before drawing)."""
    from vizdl import styles

    check_dpi(dpi, None)
    with styles.use(style):
        fig, ax = _canvas(dpi)
        width, height = fig.get_size_inches() * dpi
        check_frames(count + 2, (round(height), round(width)), max_frames)
        drawing = make_drawing(ax)
        return render_frames(drawing, quiet=quiet, desc=desc)


def conv_frames(x=None, kernel=None, *, case=None, bias=0.0, stride=1, padding=0, dilation=1, mode="zeros",
                input_size=5, kernel_size=3, quiet=True, style="slides", dpi=FRAME_DPI,
                max_frames: int | None = MAX_FRAMES) -> list:
    """RGB frames of a convolution: intro, one per output cell, outro.

    Parameters are those of :func:`vizdl.figures.conv_diagram` (``case``: a
    :class:`vizdl.ops.ConvCase`, e.g. one of the notes' five); ``style`` and ``dpi``
    give the frame size (the slides style at 60 dpi: 768 x 432). More than ``max_frames``
    frames (or 2 GiB of them) are refused before drawing; ``max_frames=None`` lifts the bound.
    """
    from vizdl.figures.conv import ConvFigure, _view

    view = _view(x, kernel, case, bias=bias, stride=stride, padding=padding, dilation=dilation, mode=mode,
                 input_size=input_size, kernel_size=kernel_size)
    return _frames_of(lambda ax: ConvFigure(view, ax), len(view.windows), style=style, dpi=dpi, quiet=quiet,
                      desc="conv frames", max_frames=max_frames)


def pool_frames(x=None, *, kind="max", kernel=2, stride=None, factor=2, decimals=None, quiet=True,
                style="slides", dpi=FRAME_DPI, max_frames: int | None = MAX_FRAMES) -> list:
    """RGB frames of max / average pooling (one per window) or squeeze (one per 2x2 block).

    ``decimals`` rounds the pooled outputs (default: exact). More than ``max_frames``
    frames (or 2 GiB of them) are refused before drawing; ``max_frames=None`` lifts the bound.
    """
    from vizdl.figures.pooling import PoolFigure, SqueezeFigure
    from vizdl.ops._checks import check_choice
    from vizdl.views.pooling import POOL_KINDS, pool_view, squeeze_view

    check_choice(kind, "kind", POOL_KINDS)
    if kind == "squeeze":
        view = squeeze_view(x, factor=factor)
        return _frames_of(lambda ax: SqueezeFigure(view, ax), view.channels[0].values.size, style=style, dpi=dpi,
                          quiet=quiet, desc="squeeze frames", max_frames=max_frames)
    view = pool_view(kind, x, kernel=kernel, stride=stride, decimals=decimals)
    return _frames_of(lambda ax: PoolFigure(view, ax), len(view.windows), style=style, dpi=dpi, quiet=quiet,
                      desc=f"{kind} frames", max_frames=max_frames)


def save_conv_animation(path, x=None, kernel=None, *, fps: float = 2.0, quiet: bool = False, **params) -> Path:
    """Write a convolution animation to ``path`` (.gif or .mp4); ``params`` as in :func:`conv_frames`.

    >>> save_conv_animation("conv.gif", case=vizdl.ops.NOTES_CASES[4])  # doctest: +SKIP
    """
    path = _check_path(path)
    return write_animation(path, conv_frames(x, kernel, quiet=quiet, **params), fps=fps)


def save_pool_animation(path, x=None, *, kind="max", fps: float = 2.0, quiet: bool = False, **params) -> Path:
    """Write a pooling animation (``kind`` max, avg or squeeze) to ``path`` (.gif or .mp4)."""
    path = _check_path(path)
    return write_animation(path, pool_frames(x, kind=kind, quiet=quiet, **params), fps=fps)


__all__ = ["FORMATS", "FRAME_DPI", "MIN_TEXT_PIXELS", "NearestColor", "conv_frames", "exact_palette", "pool_frames",
           "render_frames", "save_conv_animation", "save_pool_animation", "smallest_text_pixels", "write_animation"]
