"""``vizdl conv``: a convolution animation (GIF/MP4) or still (PNG) without manim."""
from __future__ import annotations

from vizdl.commands._output import (
    add_output_arguments,
    check_grid,
    check_output,
    save_still,
)
from vizdl.limits import MAX_FRAMES


def register(subparsers) -> None:
    """Add the ``conv`` sub-command."""
    parser = subparsers.add_parser("conv", help="convolution animation (.gif/.mp4) or still (.png)")
    parser.add_argument("--input", type=int, default=5, help="input size (default 5)")
    parser.add_argument("--kernel", type=int, default=3, help="kernel size (default 3)")
    parser.add_argument("--stride", type=int, default=1)
    parser.add_argument("--padding", type=int, default=0)
    parser.add_argument("--dilation", type=int, default=1)
    parser.add_argument("--mode", default="zeros", help="zeros, reflect, replicate or circular")
    parser.add_argument("--bias", type=float, default=0.0)
    add_output_arguments(parser, default_out="conv.gif", step_help="for .png: output cell shown")
    parser.set_defaults(func=run)


def run(args) -> int:
    """Execute ``vizdl conv``."""
    out = check_output(args)
    check_grid(args, "--input", args.input)
    check_grid(args, "--kernel", args.kernel)
    check_grid(args, "--padding", args.padding, minimum=0)
    check_grid(args, "--input + 2 * --padding", args.input + 2 * args.padding)
    params = dict(input_size=args.input, kernel_size=args.kernel, stride=args.stride,
                  padding=args.padding, dilation=args.dilation, mode=args.mode, bias=args.bias)
    if out.suffix.lower() == ".png":
        from vizdl import figures, styles

        with styles.use("slides"):
            ax = figures.conv_diagram(step=0 if args.step is None else args.step, **params)
            save_still(ax.figure, out, args.dpi)
    else:
        from vizdl.gif import save_conv_animation

        save_conv_animation(out, fps=args.fps, quiet=args.quiet, dpi=args.dpi,
                            max_frames=None if args.force else MAX_FRAMES, **params)
    if not args.quiet:
        print(f"wrote {args.out}")
    return 0
