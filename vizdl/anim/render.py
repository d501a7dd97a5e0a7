"""Render a vizdl scene from Python: a video, a GIF, the last frame, or a manim-slides deck.

``vizdl render`` and ``vizdl slides`` are thin wrappers of :func:`render_scene` and
:func:`render_slides`. Rendering happens in a temporary media folder under manim's
``tempconfig`` (nothing global is left changed), with vizdl's ``manim.cfg`` defaults
(white background); the result is moved to ``out`` atomically.

>>> QUALITIES["l"], FORMATS
('low_quality', ('mp4', 'gif', 'png'))
"""
from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from vizdl.outputs import atomic_path

#: ``--quality`` letters (manim's ``-q`` flags) -> manim quality names.
QUALITIES = {"l": "low_quality", "m": "medium_quality", "h": "high_quality", "p": "production_quality",
             "k": "fourk_quality"}
FORMATS = ("mp4", "gif", "png")
CONFIG_FILE = Path(__file__).resolve().parent.parent / "scenes" / "manim.cfg"


def packaged_defaults() -> dict:
    """The ``[CLI]`` entries of vizdl's ``manim.cfg`` (white background...) and its video encoder options."""
    parser = configparser.ConfigParser()
    parser.read(CONFIG_FILE)
    values = dict(parser["CLI"]) if parser.has_section("CLI") else {}
    values = {k: (v.lower() == "true" if v.lower() in ("true", "false") else v) for k, v in values.items()}
    if parser.has_section("video_encoder.options"):
        values["video_encoder_options"] = dict(parser["video_encoder.options"])
    return values


def scene_for(name_or_class, options: dict | None = None) -> type:
    """The scene class (by packaged name or class), configured with ``options``."""
    from vizdl.scenes import scene_class

    cls = scene_class(name_or_class) if isinstance(name_or_class, str) else name_or_class
    return cls.configure(**options) if options else cls


def render_scene(scene, out, *, options: dict | None = None, quality: str = "l", fmt: str | None = None,
                 progress: bool = False, config: dict | None = None) -> Path:
    """Render ``scene`` (a packaged name or a Scene class) to ``out``.

    Parameters
    ----------
    scene : str or type
        ``"backprop"`` (see :data:`vizdl.scenes.SCENES`) or a scene class.
    out : path-like
        The file to write; its suffix gives the format unless ``fmt`` is given.
    options : dict, optional
        Scene options (``{"run": "runs/x", "pace": "preview"}``), see the scene's ``options``.
    quality : {"l", "m", "h", "p", "k"}
        manim's quality (480p15, 720p30, 1080p60, 1440p60, 2160p60).
    fmt : {"mp4", "gif", "png"}, optional
        ``png`` is the last frame only.
    progress : bool
        Show manim's progress bars and logs.
    config : dict, optional
        Extra manim config entries.

    Returns
    -------
    Path
        ``out``.
    """
    from manim import tempconfig

    out = Path(out)
    fmt = _format(out, fmt)
    if quality not in QUALITIES:
        raise ValueError(f"quality must be one of {', '.join(QUALITIES)}, got {quality!r}")
    cls = scene_for(scene, options)
    with tempfile.TemporaryDirectory(prefix="vizdl-render-") as media:
        settings = {**packaged_defaults(), "quality": QUALITIES[quality], "media_dir": media,
                    "format": "gif" if fmt == "gif" else "mp4", "save_last_frame": fmt == "png", "verbosity": "INFO" if progress else "ERROR",
                    "progress_bar": "display" if progress else "none", **(config or {})}
        with tempconfig(settings):
            instance = cls()
            instance.render()
            writer = instance.renderer.file_writer
            produced = Path(writer.image_file_path if fmt == "png" else writer.movie_file_path)
        with atomic_path(out) as tmp:
            shutil.copyfile(produced, tmp)
    return out


def render_slides(scene, out, *, options: dict | None = None, quality: str = "l", progress: bool = False) -> Path:
    """Render ``scene`` as a manim-slides presentation (one slide per beat) and convert it to ``out``.

    ``out`` ending in ``.html`` gives a reveal.js page (its videos in ``<out>_assets/``);
    ``.pptx`` a PowerPoint file (needs ``python-pptx``). Needs ``pip install vizdl[anim]``.
    """
    try:
        from manim_slides import Slide
    except ImportError as error:  # pragma: no cover - depends on the install
        raise ImportError("vizdl slides needs manim-slides: pip install 'vizdl[anim]'") from error
    from manim import tempconfig

    out = Path(out).resolve()
    if out.suffix.lower() not in (".html", ".pptx", ".pdf"):
        raise ValueError(f"out must end with .html, .pptx or .pdf, got {out.name!r}")
    cls = scene_for(scene, options)
    slides_cls = type(cls.__name__, (Slide, cls), {"__module__": cls.__module__, "__init__": _slide_init,
                                                   "render": _slide_render, "skip_reversing": True})
    with tempfile.TemporaryDirectory(prefix="vizdl-slides-") as work:
        work = Path(work)
        settings = {**packaged_defaults(), "quality": QUALITIES[quality], "media_dir": str(work / "media"),
                    "verbosity": "INFO" if progress else "ERROR", "progress_bar": "display" if progress else "none"}
        with tempconfig(settings):
            slides_cls(output_folder=work / "slides").render()
        out.parent.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "manim_slides", "convert", cls.__name__, str(out),
                   "--folder", str(work / "slides")]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"manim-slides convert failed: {result.stderr.strip()[-800:]}")
    return out


# manim-slides 5.7 sets two config entries manim 0.22 no longer accepts (``write_to_movie``,
# ``max_files_cached = inf``); these two replacements skip exactly those lines.
def _slide_init(self, *args, **kwargs):
    """``Slide.__init__`` without its ``config["write_to_movie"] = True``."""
    from manim_slides import Slide

    super(Slide, self).__init__(*args, **kwargs)


def _slide_render(self, *args, **kwargs):
    """``Slide.render`` with manim's own rendering (no cache limit change), then the slides saved."""
    from manim import Scene

    Scene.render(self, *args, **kwargs)
    self._save_slides(use_cache=False, flush_cache=False, skip_reversing=True)


def slide_count(folder, scene_name: str) -> int:
    """Number of slides manim-slides wrote for ``scene_name`` in ``folder`` (its JSON config)."""
    import json

    return len(json.loads((Path(folder) / f"{scene_name}.json").read_text())["slides"])


def _format(out: Path, fmt: str | None) -> str:
    fmt = (fmt or out.suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)} (from --format or the suffix of "
                         f"{out.name!r}), got {fmt!r}")
    return fmt


__all__ = ["FORMATS", "QUALITIES", "packaged_defaults", "render_scene", "render_slides", "scene_for", "slide_count"]
