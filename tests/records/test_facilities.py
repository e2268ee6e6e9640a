"""Importing the BuzzFeed facilities dataset as published (CP437, tabs, CRLF, blank rows)."""

from __future__ import annotations

import shutil

import pytest

from kuager.errors import InputError
from kuager.gazetteer import read_buzzfeed_facilities
from kuager.paths import PACKAGE_DATA
from kuager.records import models as m
from kuager.records.services.importing import import_file

TSV = PACKAGE_DATA / "facilities" / "buzzfeed-xinjiang-camps-2021.tsv"


def test_reader_keeps_every_row_and_name():
    records = read_buzzfeed_facilities(TSV)
    assert len(records) == 551
    # SOURCE.md: 414 facilities and 137 sub-compounds (rows with an id_sub letter)
    assert sum(1 for r in records if r.sub_id) == 137
    assert sum(1 for r in records if not r.sub_id) == 414
    urumqi = [r for r in records if r.prefecture == "Ürümqi"]
    assert urumqi and all("\u00dc" in r.prefecture for r in urumqi)
    first = records[0]
    assert (first.source_id, first.sub_id, first.name, first.town, first.prefecture) == (
        "106", "B", "Shufu - I", "Shufu", "Kashgar")
    assert first.latitude == pytest.approx(39.3591944444444)
    assert first.raw["ETNAM "] == "P_QE04, C_QE05 "


def test_raw_bytes_of_urumqi_are_cp437():
    raw = TSV.read_bytes()
    assert b"\x9ar\x81mqi" in raw  # Ü = 0x9A, ü = 0x81 in CP437
    assert b"\r\n" in raw


def test_bad_coordinate_named(tmp_path):
    bad = tmp_path / "camps.tsv"
    text = TSV.read_bytes().decode("cp437").replace("39.3591944444444", "39.35.91", 1)
    bad.write_bytes(text.encode("cp437"))
    with pytest.raises(InputError, match=r"camps.tsv, row 5, column 'lat': '39.35.91' is not a number"):
        read_buzzfeed_facilities(bad)


@pytest.mark.django_db
@pytest.mark.storage
def test_import_and_reimport(tmp_path):
    report = import_file(TSV)
    assert report.format == "buzzfeed-facilities" and report.created == {"facility": 551}
    assert m.Facility.objects.count() == 551
    assert m.Facility.objects.filter(prefecture="Ürümqi").exists()
    src = m.Source.objects.get(key="buzzfeed-xinjiang-camps-2021")
    assert src.attribution == "BuzzFeed News, Xinjiang camps data (CC BY 4.0)"
    assert "CC BY 4.0" in src.license
    again = import_file(TSV)
    assert again.created == {} and again.unchanged == {"facility": 551}
    # a corrected row is updated and reported
    copy = tmp_path / "camps.tsv"
    shutil.copyfile(TSV, copy)
    copy.write_bytes(copy.read_bytes().replace(b"Shufu - I\t", b"Shufu - One\t", 1))
    changed = import_file(copy)
    assert changed.updated == {"facility": 1} and "name" in changed.changes[0]
    assert m.Facility.objects.get(source_id="106", sub_id="B").name == "Shufu - One"
