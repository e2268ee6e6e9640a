"""Subcommands of the ``kuager`` CLI, one module each (see :mod:`kuager.cli`)."""
