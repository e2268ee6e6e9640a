"""Where Kuager keeps its files. No Django import here."""

from __future__ import annotations

import os
from pathlib import Path

#: The folder of data shipped inside the package (bundled cases, facilities, mappings).
PACKAGE_DATA = Path(__file__).resolve().parent / "data"


def kuager_home() -> Path:
    """Return the data directory: ``$KUAGER_HOME`` or ``./kuager-data``.

    Returns:
        An absolute path; it is not created here (``kuager init`` creates it).
    """
    return Path(os.environ.get("KUAGER_HOME") or "kuager-data").resolve()
