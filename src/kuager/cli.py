"""The ``kuager`` command: a thin entry point over the services.

Each subcommand is a module in :mod:`kuager.commands` that defines

- ``NAME`` (str) and ``HELP`` (one line),
- ``add_arguments(parser: argparse.ArgumentParser) -> None``,
- ``run(args: argparse.Namespace) -> int`` (the exit code),
- optionally ``NEEDS_DJANGO = False``, marking commands that use only the core
  packages (names, linkage, estimation) and must work without a database,
- optionally ``SETS_UP_DATABASE = True`` for commands that create or migrate the
  database themselves (init, demo, serve); the others refuse to run on a
  database that is missing or not migrated, and say to run ``kuager init``.

Modules are found by name, so a new command is a new file and nothing else.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from kuager import progress


def _command_modules():
    import kuager.commands as pkg

    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        if not info.name.startswith("_"):
            yield importlib.import_module(f"kuager.commands.{info.name}")


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every subcommand registered.

    Django is configured first (no database connection is made), so a command's
    ``add_arguments`` may read choices from the apps.
    """
    from kuager import django_setup

    django_setup()
    parser = argparse.ArgumentParser(
        prog="kuager",
        description="Kuager: document detentions and enforced disappearances from testimonies.",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bars or status lines")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _command_modules():
        p = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        p.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS,
                       help="no progress bars or status lines")
        module.add_arguments(p)
        p.set_defaults(_module=module)
    return parser


def _check_database() -> None:
    """Refuse to run on a database that ``kuager init`` has not created or brought up to date."""
    from django.db.utils import OperationalError

    from kuager.errors import KuagerError
    from kuager.records.services.setup import pending_migrations

    try:
        pending = pending_migrations()
    except OperationalError as exc:
        raise KuagerError(f"cannot open the database ({exc}); run `kuager init` first") from None
    if pending:
        raise KuagerError(f"the database is not up to date ({len(pending)} migration(s) to apply, "
                          f"e.g. {pending[0]}); run `kuager init`")


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code (0 success, 1 failure, 2 usage error)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_module", None):
        parser.print_help()
        return 2
    progress.QUIET = bool(getattr(args, "quiet", False))
    module = args._module
    from kuager.errors import KuagerError

    try:
        if getattr(module, "NEEDS_DJANGO", True) and not getattr(module, "SETS_UP_DATABASE", False):
            _check_database()
        return int(module.run(args) or 0)
    except KuagerError as exc:
        print(f"kuager {module.NAME}: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
