"""``vizdl watch RUN``: a live view of a run while another process trains it."""
from __future__ import annotations


def register(subparsers) -> None:
    """Add the ``watch`` sub-command."""
    parser = subparsers.add_parser("watch", help="redraw a run's curves, gradients and boundary as it trains")
    parser.add_argument("run", help="the run directory (may not exist yet)")
    parser.add_argument("--out", help="folder of live.png and live.html (default <run>-live)")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between looks (default 1)")
    parser.add_argument("--timeout", type=float, default=None,
                        help="stop after this many seconds without change (default: wait for the run to end)")
    parser.add_argument("--quiet", action="store_true")
    parser.set_defaults(func=run)


def run(args) -> int:
    """Execute ``vizdl watch``."""
    from vizdl.live import watch

    redraws = watch(args.run, out=args.out, interval=args.interval, timeout=args.timeout, quiet=args.quiet)
    return 0 if redraws else 1
