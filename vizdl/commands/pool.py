"""``vizdl pool``: a max / average / squeeze pooling animation (.gif/.mp4) or still (.png/.svg/.pdf)."""
from __future__ import annotations

from vizdl.commands._output import (
    add_output_arguments,
    check_grid,
    check_output,
    dpi_option,
    is_still,
    save_still,
)
from vizdl.limits import MAX_FRAMES


def register(subparsers) -> None:
    """Add the ``pool`` sub-command."""
    parser = subparsers.add_parser("pool", help="pooling animation (.gif/.mp4) or still (.png/.svg/.pdf) "
                                                "on the notes' 8x8 example")
    parser.add_argument("--kind", type=str.lower, default="max", help="max, avg or squeeze (default max)")
    parser.add_argument("--kernel", type=int, default=2, help="window size (default 2)")
    parser.add_argument("--stride", type=int, default=None, help="default: the kernel size")
    parser.add_argument("--factor", type=int, default=2, help="squeeze factor (2: four channels)")
    parser.add_argument("--input", type=int, default=None,
                        help="random input of this size (one decimal) instead of the notes' 8x8 matrix")
    parser.add_argument("--decimals", type=int, default=None,
                        help="round the pooled values (default: exact, up to 3 decimals)")
    add_output_arguments(parser, default_out="pool.gif", step_help="for a still: window shown")
    parser.set_defaults(func=run)


def run(args) -> int:
    """Execute ``vizdl pool``."""
    import numpy as np

    from vizdl.ops._checks import check_choice

    out = check_output(args)
    check_choice(args.kind, "kind", ("max", "avg", "squeeze"))
    check_grid(args, "--kernel", args.kernel)
    x = None
    if args.input is not None:
        check_grid(args, "--input", args.input)
        x = np.round(np.random.default_rng(0).uniform(size=(args.input, args.input)), 1)
    params = (dict(factor=args.factor) if args.kind == "squeeze" else
              dict(kernel=args.kernel, stride=args.stride, decimals=args.decimals))
    if is_still(out):
        from vizdl import figures, styles

        with styles.use("slides"):
            ax = figures.pooling_diagram(x, kind=args.kind, step=args.step, **params)
            save_still(ax.figure, out, args)
    else:
        from vizdl.gif import save_pool_animation

        save_pool_animation(out, x, kind=args.kind, fps=args.fps, quiet=args.quiet,
                            max_frames=None if args.force else MAX_FRAMES, **params, **dpi_option(args))
    if not args.quiet:
        print(f"wrote {args.out}")
    return 0
