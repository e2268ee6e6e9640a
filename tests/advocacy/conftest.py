"""Fixtures for the advocacy tests: the bundled real cases, and invented victims.

People in invented records are invented; only the public cases of the bundled
openDemocracy article are real.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from kuager.dates import parse_partial_date
from kuager.paths import PACKAGE_DATA
from kuager.records import models as m


@pytest.fixture
def od_victims():
    """The bundled spreadsheet imported and resolved: display name -> Victim."""
    from kuager.records.services.importing import import_file
    from kuager.records.services.resolution import resolve

    import_file(PACKAGE_DATA / "opendemocracy-2018" / "testimonies.csv")
    resolve()
    return {v.display_name: v for v in m.Victim.objects.all()}


@pytest.fixture
def make_victim():
    """Make an invented victim with one testimony: ``make_victim(number, names, consent=..., ...)``."""
    from kuager.records.services.names import set_mention_names

    counter = {"n": 9000}

    def make(number, names, *, consent="full", relation="sister", testifier="Invented Testifier",
             contact="", anonymous=False, events=(), citizenship="", victim=None):
        tf = m.Testifier.objects.create(name=testifier, anonymous=anonymous, contact=contact)
        t = m.Testimony.objects.create(number=number, testifier=tf, consent=consent, attribution="invented test")
        t.recorded_on = parse_partial_date("2019-01")
        t.save()
        if victim is None:
            counter["n"] += 1
            victim = m.Victim.objects.create(public_id=f"V-{counter['n']:05d}", display_name=names[0])
        mn = m.Mention.objects.create(key=f"{number}/m1", testimony=t, victim=victim, relation_of_testifier=relation,
                                      citizenship=citizenship)
        set_mention_names(mn, list(names))
        for i, (kind, when, place) in enumerate(events, start=1):
            ev = m.Event(key=f"{number}/m1/e{i}", testimony=t, mention=mn, kind=kind, place_text=place)
            ev.date = parse_partial_date(when)
            ev.save()
        return victim

    return make


def pdf_text(data: bytes, tmp_path) -> str:
    """The text of a PDF, read back with pdftotext (poppler-utils)."""
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed; scripts/install-system-deps.sh installs it")
    path = tmp_path / "read.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout
