"""The ``vizdl`` command line: sub-commands live in :mod:`vizdl.commands`.

Errors a user can fix (a bad option, a missing or hostile file, an unwritable ``--out``, a
diverged training...) end in one line naming the problem and exit status 2; ``--debug``
shows the traceback instead. Anything else is reported in one line with exit status 1 and
a hint to rerun with ``--debug`` (and to report it).
"""
from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

import vizdl.commands

EXIT_USER_ERROR = 2
EXIT_INTERNAL_ERROR = 1
EXIT_INTERRUPTED = 130

# exceptions that describe a problem with the user's input, files or options
USER_ERRORS = (ValueError, KeyError, OSError, FloatingPointError, ImportError)


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every sub-command found in :mod:`vizdl.commands`."""
    parser = argparse.ArgumentParser(prog="vizdl", description=__doc__.split("\n\n")[0])
    parser.add_argument("--debug", action="store_true", help="show the full traceback of an error")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(vizdl.commands.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):  # shared helpers, not sub-commands
            continue
        module = importlib.import_module(f"vizdl.commands.{info.name}")
        module.register(subparsers)
    for sub in subparsers.choices.values():   # --debug also after the sub-command
        sub.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                         help="show the full traceback of an error")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``vizdl`` console script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USER_ERROR
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print(f"vizdl {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as error:  # noqa: BLE001 - every error ends in one line unless --debug
        if args.debug:
            raise
        user = isinstance(error, USER_ERRORS) or _is_damaged_file(error)
        print(f"vizdl {args.command}: error: {describe_error(error, user)}", file=sys.stderr)
        return EXIT_USER_ERROR if user else EXIT_INTERNAL_ERROR


def _is_damaged_file(error: BaseException) -> bool:
    """A file safetensors could not read (a damaged or foreign snapshot) is the user's input."""
    return type(error).__name__ == "SafetensorError" and type(error).__module__.startswith("safetensors")


def describe_error(error: BaseException, user: bool = True) -> str:
    """One line (or the error's own lines) for ``error``, without a traceback."""
    text = error.args[0] if isinstance(error, KeyError) and error.args else str(error)
    if isinstance(error, OSError) and error.filename is not None and str(error.filename) not in text:
        text = f"{text}: {error.filename}"
    if not user:
        text = (f"{type(error).__name__}: {text} (this looks like a bug in vizdl; rerun with --debug "
                "for the traceback and report it)")
    return text or type(error).__name__


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
