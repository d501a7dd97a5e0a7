"""``vizdl gallery``: save every picture that fits the given runs, with an index page."""
from __future__ import annotations


def register(subparsers) -> None:
    """Add the ``gallery`` sub-command."""
    parser = subparsers.add_parser("gallery", help="save every fitting figure of runs to a folder")
    parser.add_argument("runs", nargs="*", help="run directories (default: train the demo runs)")
    parser.add_argument("--out", default="out/gallery", help="folder for the PNGs and index.html")
    parser.add_argument("--dpi", type=float, default=150, help="resolution of the PNGs (default 150, at most 600)")
    parser.add_argument("--style", default="slides", type=str.lower, choices=_styles(),
                        help="style sheet the figures are drawn in (default slides: projector-sized type)")
    parser.add_argument("--format", default="png", type=str.lower, metavar="png,svg,pdf",
                        help="file formats, comma-separated (default png)")
    parser.add_argument("--force", action="store_true", help="go past the dpi limit")
    parser.add_argument("--no-lecture", action="store_true", help="skip the run-independent pictures")
    parser.add_argument("--quiet", action="store_true")
    parser.set_defaults(func=run)


def _styles() -> list[str]:
    from vizdl.styles import sheets

    return sheets.available()


def run(args) -> int:
    """Execute ``vizdl gallery``."""
    from pathlib import Path

    from vizdl.demo import demo_runs
    from vizdl.gallery import build_gallery, check_formats
    from vizdl.limits import MAX_DPI, check_dpi

    max_dpi = None if args.force else MAX_DPI
    check_dpi(args.dpi, max_dpi, override="--force")   # before training the demo runs
    formats = check_formats(args.format)
    runs = args.runs or demo_runs(Path(args.out) / "runs", quiet=args.quiet)
    paths = build_gallery(runs, args.out, lecture=not args.no_lecture, dpi=args.dpi, quiet=args.quiet,
                          max_dpi=max_dpi, style=args.style, formats=formats)
    print(f"{len(paths)} figures in {args.out} (open {Path(args.out) / 'index.html'})")
    return 0
