"""Graphical regression helpers: low-resolution images compared with stored control data.

Control files live in ``tests/control_data/<name>.npz``. They are written only on
explicit request (``pytest --write-control`` or ``VIZDL_WRITE_CONTROL=1``); a missing
control file fails the test (STYLE.md lesson 9).
"""
from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np

CONTROL_DIR = Path(__file__).resolve().parent.parent / "tests" / "control_data"
WRITE_ENV = "VIZDL_WRITE_CONTROL"
LOW_RES = {"pixel_width": 320, "pixel_height": 180, "frame_rate": 10}


def figure_to_array(fig, dpi: int = 40) -> np.ndarray:
    """Rasterise a Matplotlib figure to an ``(H, W, 3)`` uint8 array at low resolution."""
    import matplotlib.image as mpimg

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    buffer.seek(0)
    image = mpimg.imread(buffer)[..., :3]
    return (image * 255).round().astype(np.uint8)


def render_last_frame(scene_class, **config) -> np.ndarray:
    """Render ``scene_class`` at low resolution, skipping animations, and return its last frame.

    Extra keyword arguments override manim config entries (e.g. ``pixel_width``).
    """
    import tempfile

    from manim import tempconfig

    with tempfile.TemporaryDirectory() as media_dir:
        options = {
            **LOW_RES,
            "media_dir": media_dir,
            "write_to_movie": False,
            "save_last_frame": False,
            "skip_animations": True,
            "disable_caching": True,
            "verbosity": "ERROR",
            "progress_bar": "none",
            **config,
        }
        with tempconfig(options):
            # manim 0.22 reads skip_animations from the Scene, not from the config
            scene = scene_class(skip_animations=options["skip_animations"])
            scene.render()
            return np.asarray(scene.renderer.get_frame())[..., :3].copy()


#: manim's ``frames_comparison`` tolerances: a value may differ by 1 level; at most 1e-5 of
#: the values may differ more. One changed digit in a cell of a 320x180 frame fails.
ABSOLUTE_TOLERANCE = 1.01
MISMATCH_RATIO = 1e-5


def assert_matches_control(name: str, image: np.ndarray, *, atol: float = ABSOLUTE_TOLERANCE,
                           max_mismatch: float = MISMATCH_RATIO, control_dir: Path | None = None) -> None:
    """Compare ``image`` with the control data ``name``; write it instead when asked to.

    The tolerances are manim's own (:data:`ABSOLUTE_TOLERANCE`, :data:`MISMATCH_RATIO`):
    strict enough that one changed input cell, kernel weight or pooled value fails.
    """
    control_dir = Path(control_dir or CONTROL_DIR)
    path = control_dir / f"{name}.npz"
    image = np.asarray(image, dtype=np.uint8)
    if os.environ.get(WRITE_ENV) == "1":
        control_dir.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(path, image=image)
        return
    if not path.exists():
        raise AssertionError(
            f"no control data {path}; render it on request with `pytest --write-control` "
            f"(or {WRITE_ENV}=1) and look at the image before committing it")
    expected = np.load(path)["image"]
    if expected.shape != image.shape:
        raise AssertionError(f"{name}: image shape {image.shape} != control {expected.shape}")
    mismatch = float((np.abs(expected.astype(int) - image.astype(int)) > atol).mean())
    if mismatch > max_mismatch:
        raise AssertionError(f"{name}: differs from control data ({mismatch:.2e} of the pixel values differ, "
                             f"more than {max_mismatch:.0e}); if the change is intended, look at the new image "
                             "and rewrite the control data with `pytest --write-control`")
