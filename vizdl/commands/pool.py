"""``vizdl pool``: a max / average / squeeze pooling animation (GIF/MP4) or still (PNG)."""
from __future__ import annotations

from vizdl.commands._output import add_output_arguments


def register(subparsers) -> None:
    """Add the ``pool`` sub-command."""
    parser = subparsers.add_parser("pool", help="pooling animation (.gif/.mp4) or still (.png) "
                                                "on the notes' 8x8 example")
    parser.add_argument("--kind", default="max", help="max, avg or squeeze (default max)")
    parser.add_argument("--kernel", type=int, default=2, help="window size (default 2)")
    parser.add_argument("--stride", type=int, default=None, help="default: the kernel size")
    parser.add_argument("--factor", type=int, default=2, help="squeeze factor (default 2)")
    parser.add_argument("--input", type=int, default=None,
                        help="random input of this size instead of the notes' 8x8 matrix")
    parser.add_argument("--decimals", type=int, default=None, help="round output values")
    add_output_arguments(parser, default_out="pool.gif", step_help="for .png: window shown")
    parser.set_defaults(func=run)


def run(args) -> int:
    """Execute ``vizdl pool``."""
    import numpy as np

    from vizdl.ops._checks import as_size, check_choice

    check_choice(args.kind, "kind", ("max", "avg", "squeeze"))
    x = None
    if args.input is not None:
        as_size(args.input, "input")
        x = np.round(np.random.default_rng(0).uniform(size=(args.input, args.input)), 1)
    params = (dict(factor=args.factor) if args.kind == "squeeze" else
              dict(kernel=args.kernel, stride=args.stride, decimals=args.decimals))
    if args.out.lower().endswith(".png"):
        from vizdl import figures, styles

        with styles.use("slides"):
            ax = figures.pooling_diagram(x, kind=args.kind, step=args.step, **params)
            ax.figure.savefig(args.out, dpi=args.dpi)
    else:
        from vizdl.gif import save_pool_animation

        save_pool_animation(args.out, x, kind=args.kind, fps=args.fps, quiet=args.quiet,
                            dpi=args.dpi, **params)
    if not args.quiet:
        print(f"wrote {args.out}")
    return 0
