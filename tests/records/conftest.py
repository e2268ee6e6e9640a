"""Fixtures for the records tests: copies of the bundled files in a temporary folder."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from kuager.paths import PACKAGE_DATA

OD = PACKAGE_DATA / "opendemocracy-2018"


@pytest.fixture
def od_dir(tmp_path) -> Path:
    """A writable copy of the openDemocracy 2018 folder (spreadsheet, claims, article)."""
    d = tmp_path / "od"
    shutil.copytree(OD, d)
    return d


