"""Fixtures for the protection tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kuager.paths import PACKAGE_DATA


@pytest.fixture
def od_dir(tmp_path) -> Path:
    """A writable copy of the bundled openDemocracy 2018 folder (a public case)."""
    d = tmp_path / "od"
    shutil.copytree(PACKAGE_DATA / "opendemocracy-2018", d)
    return d
