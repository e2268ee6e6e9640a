"""Progress display for long work: a bar on a terminal, silence in scripts.

No Django import here, so the core packages can use it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

#: Set by the CLI's ``--quiet``; read by :func:`enabled`.
QUIET = False


def enabled() -> bool:
    """True when progress should be drawn: not ``--quiet`` and stderr is a terminal."""
    return not QUIET and sys.stderr.isatty()


def track(items: Iterable[T], description: str, total: int | None = None) -> Iterator[T]:
    """Yield ``items`` unchanged, drawing a progress bar on stderr when :func:`enabled`.

    Args:
        items: any iterable.
        description: a short label ("Importing rows").
        total: the number of items when ``items`` has no ``len``.
    """
    if not enabled():
        yield from items
        return
    from rich.progress import track as rich_track

    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    yield from rich_track(items, description=description, total=total, console=None, transient=True)


def say(message: str) -> None:
    """Print a status line on stderr when :func:`enabled` (a terminal, not ``--quiet``)."""
    if enabled():
        print(message, file=sys.stderr)
