"""The ``vizdl`` command line: sub-commands live in :mod:`vizdl.commands`."""
from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

import vizdl.commands


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every sub-command found in :mod:`vizdl.commands`."""
    parser = argparse.ArgumentParser(prog="vizdl", description=__doc__)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(vizdl.commands.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):  # shared helpers, not sub-commands
            continue
        module = importlib.import_module(f"vizdl.commands.{info.name}")
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``vizdl`` console script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except (ValueError, FileNotFoundError, KeyError) as error:
        print(f"vizdl {args.command}: error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
