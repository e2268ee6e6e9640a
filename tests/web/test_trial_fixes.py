"""Defects a new-user trial found (issue #5): each test failed before its fix.

All facilities and people here are invented.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from kuager.records import models as m


def _client(role, password):
    c = Client()
    assert c.login(username=f"{role}1", password=password)
    return c


def _camp(**kw):
    ds, _ = m.Source.objects.get_or_create(key="test-camps", defaults={"title": "Invented facilities dataset",
                                                                         "kind": "dataset"})
    return m.Facility.objects.create(dataset=ds, **kw)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["public", "viewer"])
def test_facility_sketch_keeps_decimal_points_in_russian(who, users, password):
    # lon 85.1565, lat 45.6987 in the box lon 73-97 (600 px), lat 34-50 (360 px):
    # x = (85.1565 - 73) / 24 * 600 = 303.9125 -> 303.9; y = (50 - 45.6987) / 16 * 360 = 96.779 -> 96.8
    _camp(source_id="F-9", name="Invented camp", latitude=45.6987, longitude=85.1565)
    c = Client() if who == "public" else _client("viewer", password)
    url = "/public/facilities/" if who == "public" else "/facilities/"
    html = c.get(url, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert 'lang="ru"' in html
    assert '<circle cx="303.9" cy="96.8"' in html
    assert "45.6987, 85.1565" in html
    assert not re.search(r'(cx|cy|width|height)="\d+,\d', html)
