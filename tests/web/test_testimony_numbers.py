"""Testimony numbers with slashes ("2019/15", lists imported as "register/S0000001") work in pages and the API."""

import pytest

from kuager.records.services.importing import import_file

pytestmark = pytest.mark.django_db


def test_slashed_numbers_list_and_open(client, users, tmp_path, login_user):
    path = tmp_path / "lists.csv"
    path.write_text("record_id,source,names\nS0000001,register,Асылбек Талғатұлы\n", encoding="utf-8")
    import_file(path)
    login_user(client, users["editor"])
    listing = client.get("/testimonies/")
    assert listing.status_code == 200 and "/testimonies/register/S0000001/" in listing.content.decode()
    page = client.get("/testimonies/register/S0000001/")
    assert page.status_code == 200 and "Асылбек Талғатұлы" in page.content.decode()
    assert client.get("/testimonies/register/S0000001/documents/").status_code in (200, 302, 405)
