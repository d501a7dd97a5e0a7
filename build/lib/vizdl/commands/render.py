"""``vizdl render SCENE``: a packaged scene as a video, a GIF or its last frame."""
from __future__ import annotations

from vizdl.commands._scene_args import add_scene_arguments, scene_listing, scene_options


def register(subparsers) -> None:
    """Add the ``render`` sub-command."""
    parser = subparsers.add_parser("render", help="render a scene to .mp4, .gif or .png (last frame)")
    add_scene_arguments(parser)
    parser.add_argument("--format", choices=("mp4", "gif", "png"), type=str.lower,
                        help="output format (default: from --out's suffix, else mp4)")
    parser.add_argument("--out", help="output file (default <scene>.<format>)")
    parser.set_defaults(func=run)


def run(args) -> int:
    """Execute ``vizdl render``."""
    if args.list or not args.scene:
        print(scene_listing())
        return 0 if args.list else 2
    from vizdl.anim.render import render_scene

    fmt = args.format or (args.out.rsplit(".", 1)[-1].lower() if args.out and "." in args.out else "mp4")
    out = args.out or f"{args.scene}.{fmt}"
    path = render_scene(args.scene, out, options=scene_options(args), quality=args.quality, fmt=fmt,
                        progress=args.progress)
    print(f"wrote {path}")
    return 0
