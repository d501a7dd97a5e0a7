"""``vizdl conv``: a convolution animation (.gif/.mp4) or still (.png/.svg/.pdf) without manim."""
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
    """Add the ``conv`` sub-command."""
    parser = subparsers.add_parser("conv", help="convolution animation (.gif/.mp4) or still (.png/.svg/.pdf)")
    parser.add_argument("--case", type=str.lower,
                        help="one of the notes' cases (k3p0s1, k5p0s1, k3p1s1, k3p1s2, k3p1s3) "
                             "instead of the sizes below")
    parser.add_argument("--input", type=int, default=5, help="input size (default 5)")
    parser.add_argument("--kernel", type=int, default=3, help="kernel size (default 3)")
    parser.add_argument("--stride", type=int, default=1)
    parser.add_argument("--padding", type=int, default=0)
    parser.add_argument("--dilation", type=int, default=1)
    parser.add_argument("--mode", type=str.lower, default="zeros", help="zeros, reflect, replicate or circular")
    parser.add_argument("--bias", type=float, default=0.0)
    parser.add_argument("--modes", action="store_true",
                        help="a still of the four padding modes side by side (where padded values come from)")
    add_output_arguments(parser, default_out="conv.gif", step_help="for a still: window position shown")
    parser.set_defaults(func=run)


def case_of(args):
    """The :class:`vizdl.ops.ConvCase` of the arguments (``--case`` or the sizes), checked."""
    from vizdl.ops import ConvCase, notes_case

    if args.case:
        try:
            return notes_case(args.case)
        except KeyError as error:
            raise ValueError(f"--case: {error.args[0]}") from None
    check_grid(args, "--input", args.input)
    check_grid(args, "--kernel", args.kernel)
    check_grid(args, "--padding", args.padding, minimum=0)
    check_grid(args, "--input + 2 * --padding", args.input + 2 * args.padding)
    return ConvCase(input=args.input, kernel=args.kernel, stride=args.stride, padding=args.padding,
                    dilation=args.dilation, mode=args.mode, bias=args.bias).validate()


def run(args) -> int:
    """Execute ``vizdl conv``."""
    out = check_output(args)
    case = case_of(args)
    if args.modes and not is_still(out):
        raise ValueError(f"--modes draws a still: give --out a .png, .svg or .pdf name, got {args.out!r}")
    if is_still(out):
        from vizdl import figures, styles

        with styles.use("slides"):
            if args.modes:
                fig = figures.padding_modes_diagram(case)
            else:
                fig = figures.conv_diagram(case=case, step=0 if args.step is None else args.step).figure
            save_still(fig, out, args)
    else:
        from vizdl.gif import save_conv_animation

        save_conv_animation(out, case=case, fps=args.fps, quiet=args.quiet,
                            max_frames=None if args.force else MAX_FRAMES, **dpi_option(args))
    if not args.quiet:
        print(f"wrote {args.out}")
    return 0
