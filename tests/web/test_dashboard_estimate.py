"""The dashboard and the public statistics show the estimate with its interval, method and assumptions,
or say why there is none (issue 8)."""

from __future__ import annotations

import pandas as pd
import pytest

from kuager.linkage import synth
from kuager.linkage.population import generate_lists
from kuager.paths import PACKAGE_DATA
from kuager.records.services.importing import import_file
from kuager.records.services.resolution import resolve

pytestmark = pytest.mark.django_db


def _dashboard_on_bundled_data(client, users, login_user) -> str:
    """The dashboard an editor sees after the bundled article's testimonies (one list) are imported and resolved."""
    import_file(PACKAGE_DATA / "opendemocracy-2018" / "testimonies.csv")
    resolve()
    login_user(client, users["editor"])
    return client.get("/dashboard/").content.decode()


def test_one_list_says_why_there_is_no_estimate(client, users, login_user):
    html = _dashboard_on_bundled_data(client, users, login_user)
    assert "How many were never reported?" in html
    assert "No estimate of the number never reported:" in html and "Documented: 3 people." in html


def test_several_lists_show_estimate_interval_method_and_assumptions(client, tmp_path):
    rows, truth, family = generate_lists(150, {"ngo": 0.4, "register": 0.5, "media": 0.35}, seed=5)
    path, _ = synth.write(tmp_path / "lists.csv", rows, truth, family)
    import_file(path)
    resolve(engine="rules")
    html = client.get("/public/statistics/").content.decode()
    assert "named on 3 lists" in html and "SYNTHETIC media" in html and "Estimated total, documented and not:" in html
    assert "95% interval" in html and "Method: loglinear" in html
    assert "The population is closed" in html  # the assumptions, in plain words, with the number


def test_the_refusal_is_worded_in_the_readers_language(client, users, login_user):
    html = _dashboard_on_bundled_data(client, users, login_user)
    assert "There is only 1 list of victims. At least 3 lists are needed. With two lists an estimate" in html
    assert "list(s)" not in html
    client.post("/i18n/setlang/", {"language": "ru", "next": "/dashboard/"})
    html = client.get("/dashboard/").content.decode()
    assert "Есть только 1 список жертв. Нужно хотя бы 3 списка. При двух списках" in html
    client.post("/i18n/setlang/", {"language": "kk", "next": "/dashboard/"})
    assert "Кемінде 3 тізім қажет." in client.get("/dashboard/").content.decode()


def test_the_core_says_one_list_in_plain_english():
    from kuager.estimation import CaptureHistories, EstimationRefused
    from kuager.estimation.histories import check_supportable

    h = CaptureHistories.from_frame(pd.DataFrame({"A": [1], "count": [4]}))
    with pytest.raises(EstimationRefused) as refused:
        check_supportable(h)
    assert str(refused.value).startswith("only one list: at least 3 lists are needed. With two lists an estimate")
    assert (refused.value.code, refused.value.params) == ("too_few_lists", {"lists": 1, "min_lists": 3})


@pytest.mark.parametrize("costly", [False, True])
def test_after_a_change_on_a_small_database_the_estimate_counts_what_the_card_counts(client, users, login_user,
                                                                                     tmp_path, monkeypatch, costly):
    """A cheap estimate is recomputed at once after a change: its documented count equals the count card's."""
    import re

    from kuager.web import cache as wcache

    # as at 100,000 victims: the last estimate is reused, and the page says from how many people; else any
    # computation counts as cheap (not the wall-clock 0.5 s: on a loaded machine a small one took longer)
    monkeypatch.setattr(wcache, "CHEAP", 0 if costly else float("inf"))

    header = ("testimony_no,recorded_on,channel,source,testifier_name,testifier_citizenship,testifier_residence,"
              "relation_to_victim,victim_name,victim_sex,victim_age,victim_age_as_of,victim_ethnicity,"
              "victim_citizenship,victim_born_in,last_contact,status,status_date,place_of_detention,"
              "detention_reason,passport_confiscated,appeals_made,appeal_response,documents,narrative,"
              "consent_to_publish\n")

    def write(name, rows):
        path = tmp_path / name
        path.write_text(header + "".join(
            f"{no},2020-01-02,phone call to NGO,Invented test list,Testifier {no},Kazakhstan,Almaty,sister,{victim},male,40,"
            f"2020-01,Kazakh,China,China,2019,detained,2019,,,,,,,Invented.,anonymous\n" for no, victim in rows),
            encoding="utf-8")
        return path

    def numbers():
        html = client.get("/dashboard/").content.decode()
        card = int(re.search(r'id="count-victims">(\d+)<', html).group(1))
        documented = int(re.search(r"Documented(?: when it was computed)?: (\d+) people", html).group(1))
        return card, documented, html

    login_user(client, users["editor"])
    import_file(write("a.csv", [("X-1", "Ardak Testov"), ("X-2", "Berik Primerov")]))
    resolve()
    card, documented, _ = numbers()
    assert card == documented == 2
    import_file(write("b.csv", [("X-3", "Qairat Vymyslov")]))
    resolve()
    card, documented, html = numbers()
    if costly:
        assert (card, documented) == (3, 2)
        # the stale count is said to be then's, beside the count now (the card's)
        assert "when 2 people were documented (3 now). The records have changed since" in html
        assert "Documented when it was computed: 2 people" in html and "Documented: 2" not in html
    else:
        assert card == documented == 3
        assert 'id="estimate-stale"' not in html
