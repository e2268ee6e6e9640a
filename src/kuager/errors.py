"""Errors Kuager reports to users. No Django import here."""

from __future__ import annotations


class KuagerError(Exception):
    """An error with a message meant for the user (the CLI prints it, no traceback)."""


class InputError(KuagerError):
    """Bad input, located as precisely as known.

    Args:
        message: what was wrong and what was expected.
        file: the file's name or path, if any.
        row: the 1-based data row (header excluded) or line number, if any.
        field: the column or field name, if any.
    """

    def __init__(self, message: str, *, file: str | None = None, row: int | None = None,
                 field: str | None = None) -> None:
        self.message, self.file, self.row, self.field = message, file, row, field
        where = ", ".join(p for p in (
            file and f"file {file}", row is not None and f"row {row}", field and f"column {field!r}") if p)
        super().__init__(f"{where}: {message}" if where else message)
