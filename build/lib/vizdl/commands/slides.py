"""``vizdl slides SCENE``: a manim-slides presentation with one slide per beat."""
from __future__ import annotations

from vizdl.commands._scene_args import add_scene_arguments, scene_listing, scene_options


def register(subparsers) -> None:
    """Add the ``slides`` sub-command."""
    parser = subparsers.add_parser("slides", help="a presentation (.html; .pptx with python-pptx), one slide per beat")
    add_scene_arguments(parser)
    parser.add_argument("--out", help="output file (default <scene>.html)")
    parser.set_defaults(func=run)


def run(args) -> int:
    """Execute ``vizdl slides``."""
    if args.list or not args.scene:
        print(scene_listing())
        return 0 if args.list else 2
    from vizdl.anim.render import render_slides

    out = args.out or f"{args.scene}.html"
    path = render_slides(args.scene, out, options=scene_options(args), quality=args.quality, progress=args.progress)
    print(f"wrote {path} (open it in a browser; arrow keys step through the beats, S shows the notes)")
    return 0
