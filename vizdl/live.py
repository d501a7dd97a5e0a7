"""A live view of a run while it trains, reading the run directory only.

:func:`watch` follows a run written by another process (``vizdl train``, a notebook, a
script with a :class:`vizdl.Recorder`): whenever new metrics or snapshots arrive it redraws
one dashboard — loss and accuracy, the gradient flow of the last snapshot and, for 2-D data,
the decision boundary — into a PNG and a static HTML page that reloads itself. It stops by
itself when the run is no longer ``running`` (complete, stopped early, diverged, failed...),
after a last redraw. ``vizdl watch RUN`` is the command line; in a notebook,
:class:`NotebookLive` updates one output cell in place.
"""
from __future__ import annotations

import html
import time
from dataclasses import dataclass
from pathlib import Path

from vizdl.outputs import save_figure, write_text

#: run.json statuses of a run that is still being written.
RUNNING = ("running",)
REFRESH_SECONDS = 2


@dataclass(frozen=True)
class Progress:
    """What the live view has seen of a run: counts that change when something new arrives."""

    metrics: int
    steps: int
    status: str


def progress(path) -> Progress | None:
    """The run's current progress, or ``None`` while ``run.json`` does not exist yet."""
    from vizdl.runs import Run

    try:
        run = Run.open(path)
    except FileNotFoundError:
        return None
    return Progress(len(run.metrics), len(run.steps), run.status)  # "killed" once the writer is gone


def dashboard(run):
    """The live dashboard of ``run`` as one Figure: curves, gradient flow, boundary (2-D data)."""
    from vizdl import figures
    from vizdl.figures._run import new_figure

    two_d = list((run.meta.get("dataset") or {}).get("input_shape") or []) == [2]
    has_grads = bool(run.steps) and any(k.startswith("grad/") for k in run.keys(run.steps[0]))
    panels = ["loss", "acc"] + (["gradients"] if has_grads else []) + (["boundary"] if two_d and run.steps else [])
    figure = new_figure()
    rows = 2 if len(panels) > 2 else 1
    axes = figure.subplots(rows, -(-len(panels) // rows), squeeze=False).ravel()
    for ax in axes[len(panels):]:
        ax.set_axis_off()
    for ax, panel in zip(axes, panels):
        if panel in ("loss", "acc"):
            _metric_or_note(figures, run, panel, ax)
        elif panel == "gradients":
            figures.gradient_flow(run, ax=ax)
        else:
            figures.decision_boundary(run, run.steps[-1], ax=ax, resolution=60)
    status = run.meta.get("status", "running")
    last = run.metrics[-1].get("step") if run.metrics else None
    figure.suptitle(f"{run.path.name}: {status}" + (f", step {last}" if last is not None else ""))
    return figure


def _metric_or_note(figures, run, metric, ax) -> None:
    try:
        figures.metric_curve(run, metric, ax=ax)
    except (KeyError, ValueError):
        ax.text(0.5, 0.5, f"no {metric} yet", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()


def write_page(png: Path, page: Path, title: str, done: bool) -> None:
    """A static HTML page showing ``png``; it reloads every few seconds until the run is done."""
    refresh = "" if done else f'<meta http-equiv="refresh" content="{REFRESH_SECONDS}">'
    body = (f"<!doctype html><html><head><meta charset='utf-8'>{refresh}<title>{html.escape(title)}</title>"
            f"</head><body><h3>{html.escape(title)}</h3>"
            f"<img style='max-width:100%' src='{html.escape(png.name, quote=True)}?t={time.time_ns()}'/>"
            "</body></html>")
    write_text(page, body)


def watch(path, *, out=None, interval: float = 1.0, timeout: float | None = None, dpi: int = 80,
          style: str = "slides", quiet: bool = False, on_redraw=None) -> int:
    """Follow the run at ``path`` until it is no longer running; returns the number of redraws.

    Parameters
    ----------
    path : path-like
        The run directory (it may not exist yet: the view waits for it).
    out : path-like, optional
        Folder of ``live.png`` and ``live.html`` (default: ``<run>-live`` beside the run, so the
        run directory holds only the run).
    interval : float
        Seconds between two looks at the run directory.
    timeout : float, optional
        Stop after this many seconds without any change (``None``: never).
    dpi : int
        Resolution of the PNG.
    style : str
        The vizdl style sheet of the dashboard (``"slides"``: 16:9, large fonts).
    quiet : bool
        Print nothing.
    on_redraw : callable, optional
        ``on_redraw(figure, progress)`` after each redraw (notebooks use it).
    """
    from vizdl import styles
    from vizdl.limits import check_dpi
    from vizdl.runs import Run
    from vizdl.training.options import check_number

    interval = check_number("interval", interval, 0, 3600, low_open=True)   # NaN, inf, 0: refused
    timeout = None if timeout is None else check_number("timeout", timeout, 0, low_open=True)
    check_dpi(dpi)
    path = Path(path)
    out = Path(out) if out is not None else path.with_name(path.name + "-live")
    out.mkdir(parents=True, exist_ok=True)
    png, page = out / "live.png", out / "live.html"
    seen, redraws, last_change = None, 0, time.monotonic()
    while True:
        current = progress(path)
        if current is not None and current != seen:
            seen, last_change = current, time.monotonic()
            with styles.use(style):
                figure = dashboard(Run.open(path))
                save_figure(figure, png, dpi=dpi)
            write_page(png, page, f"vizdl live: {path.name}", current.status not in RUNNING)
            redraws += 1
            if on_redraw is not None:
                on_redraw(figure, current)
            if not quiet:
                print(f"vizdl watch: {current.status}, {current.metrics} metric records, "
                      f"{current.steps} snapshots -> {page}", flush=True)
        if seen is not None and seen.status not in RUNNING:
            return redraws
        if timeout is not None and time.monotonic() - last_change > timeout:
            if not quiet:
                print(f"vizdl watch: nothing new for {timeout:g} s; stopping", flush=True)
            return redraws
        time.sleep(interval)


class NotebookLive:
    """Update one notebook output with the live dashboard (``vizdl.train(..., live=True)`` uses it).

    Call :meth:`update` whenever the run changed; the figure replaces the previous one in
    place (IPython's display handles, no widget).
    """

    def __init__(self, path):
        self.path = Path(path)
        self._handle = None

    def update(self) -> None:
        """Redraw the dashboard of the run as it is now."""
        from IPython.display import display

        from vizdl.runs import Run

        figure = dashboard(Run.open(self.path))
        if self._handle is None:
            self._handle = display(figure, display_id=True)
        else:
            self._handle.update(figure)


__all__ = ["NotebookLive", "Progress", "dashboard", "progress", "watch", "write_page"]
