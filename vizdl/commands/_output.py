"""Options shared by the commands that write an animation or a still (``conv``, ``pool``).

The suffix of ``--out`` chooses the writer: ``.gif``/``.mp4`` an animation (:mod:`vizdl.gif`),
``.png``/``.svg``/``.pdf`` a still of the same figure (the figure painter; vector for
``.svg``/``.pdf``).
"""
from __future__ import annotations

from pathlib import Path

from vizdl.limits import MAX_DPI, MAX_GRID, check_dpi, check_fps, check_size

ANIMATIONS = (".gif", ".mp4")
STILLS = (".png", ".svg", ".pdf")
SUFFIXES = ANIMATIONS + STILLS


def add_output_arguments(parser, *, default_out: str, step_help: str) -> None:
    """Add ``--step``, ``--fps``, ``--dpi``, ``--out``, ``--force`` and ``--quiet`` to ``parser``."""
    parser.add_argument("--step", type=int, default=None, help=step_help)
    parser.add_argument("--fps", type=float, default=2.0, help="frames per second (GIF: at most 50)")
    parser.add_argument("--dpi", type=float, default=None,
                        help="resolution of the 12.8x7.2-inch slides figure: default 60 for .gif/.mp4 "
                             f"(768x432 frames), the style's 150 for .png; at most {MAX_DPI}")
    parser.add_argument("--out", default=default_out,
                        help=f"{', '.join(ANIMATIONS)} (animation) or {', '.join(STILLS)} (still); "
                             f"default {default_out}")
    parser.add_argument("--force", action="store_true",
                        help=f"go past vizdl's size limits (input of {MAX_GRID} cells, 400 frames, {MAX_DPI} dpi)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def check_output(args) -> Path:
    """``--out`` as a path after checking it, ``--dpi`` and ``--fps``; its folder is created."""
    out = Path(args.out)
    if out.suffix.lower() not in SUFFIXES:
        raise ValueError(f"--out must end with {', '.join(ANIMATIONS)} (animation) or {', '.join(STILLS)} "
                         f"(still), got {args.out!r}")
    if out.is_dir():
        raise ValueError(f"--out {args.out!r} is a folder; give a file name ending with {', '.join(SUFFIXES)}")
    if args.dpi is not None:
        check_dpi(args.dpi, None if args.force else MAX_DPI, override="--force")
    if not is_still(out):
        check_fps(args.fps, out.suffix)
    out.parent.mkdir(parents=True, exist_ok=True)
    return out


def is_still(out: Path) -> bool:
    """Whether ``out`` names a still (``.png``, ``.svg``, ``.pdf``) rather than an animation."""
    return Path(out).suffix.lower() in STILLS


def dpi_option(args) -> dict:
    """``{"dpi": args.dpi}`` when ``--dpi`` was given, else nothing (each writer's default)."""
    return {} if args.dpi is None else {"dpi": args.dpi}


def check_grid(args, name: str, value: int, minimum: int = 1) -> int:
    """A size drawn cell by cell (``--input``, ``--kernel``): at most 32 unless ``--force``."""
    return check_size(name, value, None if args.force else MAX_GRID, minimum=minimum, override="--force")


def save_still(figure, out: Path, args) -> None:
    """Save ``figure`` to ``out`` atomically, in the format of its suffix, at ``--dpi`` if given."""
    from vizdl.outputs import save_figure

    save_figure(figure, out, **dpi_option(args))
