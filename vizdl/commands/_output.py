"""Options shared by the commands that write an animation or a still (``conv``, ``pool``)."""
from __future__ import annotations


def add_output_arguments(parser, *, default_out: str, step_help: str) -> None:
    """Add ``--step``, ``--fps``, ``--dpi``, ``--out`` and ``--quiet`` to ``parser``."""
    parser.add_argument("--step", type=int, default=None, help=step_help)
    parser.add_argument("--fps", type=float, default=2.0)
    parser.add_argument("--dpi", type=int, default=80, help="frame resolution (80: 768x432)")
    parser.add_argument("--out", default=default_out, help=f".gif, .mp4 or .png (default {default_out})")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
