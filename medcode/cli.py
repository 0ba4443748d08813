"""The `medcode` console script: parses arguments and hands over to each app's commands."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from importlib import import_module

# Each module has register(subparsers) adding its verbs; handlers get the parsed namespace.
COMMAND_MODULES = (
    "medcode.ops.commands",
    "medcode.codes.commands",
    "medcode.claims.commands",
    "medcode.search.commands",
    "medcode.jobs.commands",
    "medcode.assistant.commands",
    "medcode.consult.commands",
    "medcode.mcp.commands",
)


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medcode.settings")
    import django

    django.setup()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="medcode", description="medcode: medical coding reference and assistant"
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        import_module(name).register(subparsers)
    manage = subparsers.add_parser("manage", help="run a Django management command")
    manage.add_argument("args", nargs=argparse.REMAINDER)
    manage.set_defaults(handler=_manage)
    return parser


def _manage(args: argparse.Namespace) -> int:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["medcode manage", *args.args])
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    setup_django()
    code: int = args.handler(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
