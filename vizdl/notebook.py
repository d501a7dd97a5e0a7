"""Notebook display without custom JavaScript: figures, GIFs, videos, runs, step sliders.

In a Jupyter kernel:

- vizdl's figures display as images (:func:`enable_figure_display` runs when
  :mod:`vizdl.figures` is imported inside a kernel; pyplot need not be imported);
- :func:`show` renders a scene and embeds the video (or GIF) in the notebook, base64,
  no widget: ``vizdl.show("backprop", pace="preview")``;
- :class:`Media` wraps a GIF/MP4/PNG/SVG file so that it displays inline
  (``vizdl.notebook.Media("conv.gif")``);
- a :class:`vizdl.Run` shows a summary table with a small loss curve (:func:`run_html`);
- :func:`step_slider` steps a run's picture through the recorded steps with an
  ipywidgets slider when ipywidgets is installed, or returns a static strip.
"""
from __future__ import annotations

import base64
import html
import io
import sys
import tempfile
from pathlib import Path

MIME = {".gif": "image/gif", ".png": "image/png", ".svg": "image/svg+xml", ".mp4": "video/mp4",
        ".webm": "video/webm"}


def in_kernel() -> bool:
    """True inside an IPython kernel (Jupyter, nbclient), False in scripts and terminals."""
    if sys.modules.get("IPython") is None:  # never imported (or unavailable): not a kernel
        return False
    from IPython import get_ipython

    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


def enable_figure_display(formats=("png",)) -> bool:
    """Make Matplotlib Figures display as images in this kernel (what ``%matplotlib inline`` does).

    Returns whether a kernel was found. Safe to call more than once.
    """
    if not in_kernel():
        return False
    from IPython import get_ipython
    from IPython.core.pylabtools import select_figure_formats

    select_figure_formats(get_ipython(), set(formats))
    return True


class Media:
    """A GIF, video or image file that displays inline in a notebook (embedded as base64).

    Parameters
    ----------
    path : path-like
        ``.gif``, ``.mp4``, ``.webm``, ``.png`` or ``.svg``.
    width : int, optional
        Display width in pixels.
    """

    def __init__(self, path, *, width: int | None = None):
        self.path = Path(path)
        suffix = self.path.suffix.lower()
        if suffix not in MIME:
            raise ValueError(f"path must end with one of {', '.join(MIME)}, got {self.path.name!r}")
        self.mimetype = MIME[suffix]
        self.width = width

    def __fspath__(self) -> str:
        return str(self.path)

    def __repr__(self) -> str:
        return f"Media({str(self.path)!r})"

    def data_uri(self) -> str:
        """``data:<mime>;base64,...`` of the file."""
        return f"data:{self.mimetype};base64,{base64.b64encode(self.path.read_bytes()).decode('ascii')}"

    def _repr_html_(self) -> str:
        width = f' width="{int(self.width)}"' if self.width else ""
        if self.mimetype.startswith("video/"):
            return f'<video controls loop{width} src="{self.data_uri()}"></video>'
        alt = html.escape(self.path.name, quote=True)
        return f'<img alt="{alt}"{width} src="{self.data_uri()}"/>'


def show(scene, *, quality: str = "l", fmt: str = "mp4", **options) -> Media:
    """Render ``scene`` (a packaged name or a class) and return it for inline display.

    ``options`` are scene options (``run=``, ``pace="preview"``, ...). Needs
    ``pip install vizdl[anim]``.
    """
    from vizdl.anim.render import render_scene

    folder = Path(tempfile.mkdtemp(prefix="vizdl-show-"))
    name = scene if isinstance(scene, str) else scene.__name__
    return Media(render_scene(scene, folder / f"{name}.{fmt}", options=options, quality=quality, fmt=fmt))


def figure_data_uri(figure, fmt: str = "png", dpi: int = 72) -> str:
    """A Matplotlib figure as a ``data:`` URI (for small inline pictures in HTML)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt, dpi=dpi)
    return f"data:{MIME['.' + fmt]};base64,{base64.b64encode(buffer.getvalue()).decode('ascii')}"


def run_html(run) -> str:
    """HTML summary of a run: model, data, steps, status, final metrics and a small loss curve."""
    meta = run.meta
    model = meta.get("model") or {}
    rows = [("path", str(run.path)), ("model", model.get("name") or model.get("class") or "?"),
            ("dataset", run.dataset_name or "?"), ("status", meta.get("status", "?")),
            ("snapshots", f"{len(run.steps)}" + (f" (steps {run.steps[0]}..{run.steps[-1]})" if run.steps else "")),
            ("layers recorded", ", ".join(run.layers[:8]) + (" ..." if len(run.layers) > 8 else ""))]
    final = meta.get("final") or {}
    rows += [(key, f"{value:.4g}" if isinstance(value, float) else str(value)) for key, value in final.items()]
    table = "".join(f"<tr><th style='text-align:left'>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>"
                    for k, v in rows)
    curve = _curve_img(run)
    return f"<div><table>{table}</table>{curve}</div>"


def _curve_img(run) -> str:
    try:
        steps, losses = run.metric("loss")
    except KeyError:
        return ""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(3.2, 1.6), layout="constrained")
    ax = figure.add_subplot()
    ax.plot(steps, losses, lw=1)
    ax.set_xlabel("step", fontsize=8)
    ax.set_ylabel("loss", fontsize=8)
    ax.tick_params(labelsize=7)
    return f'<img alt="loss curve" src="{figure_data_uri(figure)}"/>'


def step_slider(run, picture, *, steps=None, **kwargs):
    """Step ``picture(run, step, **kwargs)`` through the run's steps.

    With ipywidgets: an ``interact`` slider over the recorded steps (the widget is
    returned). Without it: one Figure with the picture at up to four steps side by side
    (pictures must accept ``ax=``).
    """
    steps = list(run.steps if steps is None else steps)
    if not steps:
        raise ValueError(f"run {run.path} has no recorded steps to step through")
    try:
        import ipywidgets
    except ImportError:
        return _static_strip(run, picture, steps, kwargs)
    return ipywidgets.interact(lambda step: _figure_of(picture(run, step, **kwargs)),
                               step=ipywidgets.SelectionSlider(options=steps, value=steps[-1], description="step"))


def _figure_of(drawn):
    return getattr(drawn, "figure", drawn)


def _static_strip(run, picture, steps, kwargs):
    from matplotlib.figure import Figure

    chosen = [steps[round(k * (len(steps) - 1) / 3)] for k in range(4)] if len(steps) > 4 else steps
    figure = Figure(layout="constrained")
    axes = figure.subplots(1, len(dict.fromkeys(chosen)), squeeze=False)[0]
    for ax, step in zip(axes, dict.fromkeys(chosen)):
        picture(run, step, ax=ax, **kwargs)
        ax.set_title(f"step {step}")
    return figure


__all__ = ["Media", "enable_figure_display", "figure_data_uri", "in_kernel", "run_html", "show", "step_slider"]
