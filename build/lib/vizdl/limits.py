"""Upper bounds on the sizes that cost memory or time, and the checks that enforce them.

A typo should not cost a lecturer two minutes and gigabytes: ``vizdl conv --input 60``
once rendered 3,364 frames of 3,600 numbered cells (2.7 GB), ``--dpi 5000`` a 4 GB frame,
``decision_boundary(resolution=20000)`` 400 million forward passes. Each bound below is
far above what a lecture uses, and each error says how to go past it deliberately: the
function's ``max_...=`` argument (``None`` lifts the bound) or the command line's ``--force``.
"""
from __future__ import annotations

import math
import numbers

MAX_GRID = 32                    # cells per side of an input drawn with its numbers (conv, pool)
MAX_FRAMES = 400                 # frames of one animation (a 22x22 input at stride 1)
MAX_ANIMATION_BYTES = 2 * 2**30  # all frames of one animation held as RGB before encoding
MAX_DPI = 600                    # dots per inch of a saved figure (a 16:9 slide: 5760x3240 pixels)
MAX_RESOLUTION = 1000            # points per side of a decision-boundary grid (a million points)
MAX_GIF_FPS = 50                 # GIF delays are whole 1/100 s; browsers slow delays under 2/100 s
MAX_FPS = 240


def _how(override: str) -> str:
    if override.startswith("--"):
        return f"add {override} to go past it deliberately"
    return f"pass {override}None to go past it deliberately (command line: --force)"


def check_size(name: str, value, maximum: int | None, *, minimum: int = 1, override: str) -> int:
    """``value`` when it is an integer (not a bool) in ``[minimum, maximum]``.

    ``maximum=None`` lifts the upper bound; ``override`` names the argument that does it
    (e.g. ``"max_resolution="``), for the message.

    >>> check_size("resolution", 20000, 1000, override="max_resolution=")
    Traceback (most recent call last):
    ...
    ValueError: resolution=20000 is above vizdl's limit of 1000; pass max_resolution=None to go past it deliberately (command line: --force)
    """
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name}={value} is above vizdl's limit of {maximum}; {_how(override)}")
    return int(value)


def check_dpi(dpi, maximum: int | None = MAX_DPI, *, override: str = "max_dpi=") -> float:
    """``dpi`` when it is a finite number in ``[1, maximum]``."""
    if not isinstance(dpi, numbers.Real) or isinstance(dpi, bool) or not math.isfinite(dpi) or dpi < 1:
        raise ValueError(f"dpi must be a finite number >= 1, got {dpi!r}")
    if maximum is not None and dpi > maximum:
        raise ValueError(f"dpi={dpi} is above vizdl's limit of {maximum} (a 16:9 slide at {maximum} dpi "
                         f"is already {round(9.6 * maximum)}x{round(5.4 * maximum)} pixels); {_how(override)}")
    return float(dpi)


def check_fps(fps, suffix: str) -> float:
    """``fps`` when it is a finite number > 0, at most 50 for a GIF and 240 for a video."""
    if not isinstance(fps, numbers.Real) or isinstance(fps, bool) or not math.isfinite(fps) or fps <= 0:
        raise ValueError(f"fps must be a finite number > 0, got {fps!r}")
    gif = suffix.lower() == ".gif"
    if fps > (MAX_GIF_FPS if gif else MAX_FPS):
        why = (f"GIF frame delays are whole hundredths of a second and browsers slow delays under 2/100 s "
               f"to 1/10 s; write an .mp4 (up to {MAX_FPS} fps) for a faster animation") if gif \
            else "no lecture video needs more"
        raise ValueError(f"fps={fps} is above {MAX_GIF_FPS if gif else MAX_FPS} for a {suffix} file: {why}")
    return float(fps)


def check_frames(count: int, frame_shape: tuple[int, int], maximum: int | None = MAX_FRAMES) -> None:
    """Refuse an animation of more than ``maximum`` frames, or whose RGB frames exceed 2 GiB.

    ``frame_shape`` is ``(height, width)`` in pixels; ``maximum=None`` lifts both bounds.
    """
    if maximum is None:
        return
    if count > maximum:
        raise ValueError(f"the animation would have {count} frames, above vizdl's limit of {maximum} "
                         f"(use a smaller input or a larger stride); {_how('max_frames=')}")
    size = count * frame_shape[0] * frame_shape[1] * 3
    if size > MAX_ANIMATION_BYTES:
        raise ValueError(f"{count} frames of {frame_shape[1]}x{frame_shape[0]} pixels need "
                         f"{size / 2**30:.1f} GiB, above vizdl's limit of {MAX_ANIMATION_BYTES / 2**30:.0f} GiB "
                         f"(lower the dpi); {_how('max_frames=')}")
