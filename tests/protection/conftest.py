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


@pytest.fixture
def gps_jpeg():
    """A function writing an invented JPEG with GPS EXIF to a path; returns its bytes."""
    from PIL import ExifTags, Image

    def _gps_jpeg(path, orientation=1):
        """An invented photo carrying a camera make and GPS position (43°15'30"N 76°55'12"E) in its EXIF."""
        img = Image.new("RGB", (64, 48), (200, 30, 30))
        for x in range(32):
            for y in range(48):
                img.putpixel((x, y), (20, 40, 220))
        exif = Image.Exif()
        exif[ExifTags.Base.Make] = "InventedCam"
        exif[ExifTags.Base.Orientation] = orientation
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
        gps.update({ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (43.0, 15.0, 30.0),
                    ExifTags.GPS.GPSLongitudeRef: "E", ExifTags.GPS.GPSLongitude: (76.0, 55.0, 12.0)})
        img.save(path, "JPEG", exif=exif, quality=95)
        return path.read_bytes()

    return _gps_jpeg
