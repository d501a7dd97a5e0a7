"""Sub-commands of the ``vizdl`` CLI: each module defines ``register(subparsers)``.

A module's ``register`` adds one parser and sets ``func`` (called with the parsed
arguments, returning an exit code) through ``parser.set_defaults(func=...)``.
Modules are discovered automatically (names starting with ``_`` hold shared helpers and
are skipped); heavy imports belong inside ``func``.
"""
