"""Arguments shared by the commands that render a packaged scene (``render``, ``slides``)."""
from __future__ import annotations


def add_scene_arguments(parser) -> None:
    """Add ``SCENE``, ``--run``, ``--set``, ``--pace``, ``--quality`` and ``--progress`` to ``parser``."""
    parser.add_argument("scene", help="a packaged scene (see `vizdl render --list`)", nargs="?")
    parser.add_argument("--list", action="store_true", help="list the scenes and their options")
    parser.add_argument("--run", help="a run directory to show instead of the scene's default run")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="a scene option, e.g. --set layer=blocks.1.attn (repeatable)")
    parser.add_argument("--pace", choices=("lecture", "preview"), type=str.lower,
                        help="lecture (default): each beat held long enough to read it; preview: quick")
    parser.add_argument("--quality", "-q", default="l", choices=tuple("lmhpk"), type=str.lower,
                        help="l 480p15 (default), m 720p30, h 1080p60, p 1440p60, k 2160p60")
    parser.add_argument("--progress", action="store_true", help="show manim's logs and progress bars")


def scene_options(args) -> dict:
    """The options of ``--run``, ``--pace`` and every ``--set KEY=VALUE``."""
    options = {}
    for item in args.set:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ValueError(f"--set {item!r}: expected KEY=VALUE")
        options[key.strip()] = value.strip()
    if args.run:
        options["run"] = args.run
    if args.pace:
        options["pace"] = args.pace
    return options


def scene_listing() -> str:
    """One line per packaged scene: its name, summary and options."""
    from vizdl.scenes import SCENES, scene_class

    lines = []
    for name in sorted(SCENES):
        cls = scene_class(name)
        summary = (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else ""
        lines.append(f"{name:22s} {summary}\n{'':22s} options: {', '.join(cls.options)}")
    return "\n".join(lines)
