"""Every URL with every role: who gets the page, who gets 403, who is sent to log in."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

ALL = {"admin", "editor", "volunteer", "viewer"}
TEAM_READERS = {"admin", "editor", "viewer"}
EDITORS = {"admin", "editor"}
PUBLIC = "public"


def _document(sample):
    """A held image on the volunteer's (non-confidential) testimony."""
    import io

    from PIL import Image

    from kuager.records.services.evidence import add_evidence

    buf = io.BytesIO()
    Image.new("RGB", (4, 4), (10, 20, 30)).save(buf, format="PNG")
    buf.seek(0)
    return add_evidence(sample["volunteer_testimony"], buf, kind="photo", original_name="p.png")


def _cases(sample):
    """(url name, url, roles that get 200) — or PUBLIC for pages anyone gets; ("post", roles that get 405)
    for POST-only URLs."""
    pub = sample["public"].public_id
    conf = sample["confidential"].public_id
    own = sample["volunteer_testimony"].number
    return [
        ("home", "/", None),  # a redirect for everybody, checked below
        ("intake", "/intake/", {"admin", "editor", "volunteer"}),
        ("intake_lookup", "/intake/lookup/?q=Gulmira", ALL),
        ("testimony_list", "/testimonies/", ALL),
        ("testimony_detail", f"/testimonies/{own}/", ALL),
        ("name_search", "/names/?q=Gulmira", ALL),
        ("victim_list", "/victims/?q=Gulmira", TEAM_READERS),
        ("victim_detail", f"/victims/{pub}/", TEAM_READERS),
        ("victim_detail", f"/victims/{conf}/", EDITORS),  # viewers: 404, not even 403
        ("victim_publication", f"/victims/{pub}/publication/", "post"),
        ("victim_unmerge", f"/victims/{pub}/unmerge/", "post"),
        ("review_queue", "/review/", EDITORS),
        ("review_pair", f"/review/{pub}/{sample['latin'].public_id}/", EDITORS),
        ("dashboard", "/dashboard/", TEAM_READERS),
        ("facility_list", "/facilities/", TEAM_READERS),
        ("public_home", "/public/", PUBLIC),
        ("public_victims", "/public/victims/?q=Айгерім", PUBLIC),
        ("public_victim", f"/public/victims/{pub}/", PUBLIC),
        ("public_statistics", "/public/statistics/", PUBLIC),
        ("public_methodology", "/public/methodology/", PUBLIC),
        ("public_facilities", "/public/facilities/", PUBLIC),
        ("login", "/accounts/login/", PUBLIC),
        ("two_factor_setup", "/accounts/2fa/setup/", ALL),  # enrolment, or "it is on" for the enrolled
        ("two_factor_verify", "/accounts/2fa/", None),  # a redirect once the code is given (or to enrolment)
        ("victim_wgeid", f"/victims/{pub}/wgeid/?format=docx", EDITORS),
        ("testimony_documents", f"/testimonies/{own}/documents/", ("post", ALL - {"viewer"})),
        ("document_file", f"/documents/{_document(sample).pk}/file/", ALL),
        ("api_docs", "/api/docs/", PUBLIC),
        ("api_schema", "/api/schema/", PUBLIC),
        ("api_index", "/api/", PUBLIC),
        ("static", "/static/admin/css/base.css", PUBLIC),
        ("favicon", "/favicon.ico", PUBLIC),
    ]


def _api_cases(sample):
    """(url name, url, roles that get 200 to a GET, or "post" for write-only endpoints) of the JSON API."""
    pub = sample["public"].public_id
    conf = sample["confidential"].public_id
    own = sample["volunteer_testimony"].number
    return [
        ("api_victims", "/api/victims/?q=Gulmira", TEAM_READERS),
        ("api_victim", f"/api/victims/{pub}/", TEAM_READERS),
        ("api_victim", f"/api/victims/{conf}/", EDITORS),  # viewers: 404
        ("api_victim_publication", f"/api/victims/{pub}/publication/", "post"),
        ("api_testimonies", "/api/testimonies/", ALL),
        ("api_testimony", f"/api/testimonies/{own}/", ALL),
        ("api_names", "/api/names/?q=Gulmira", ALL),
        ("api_review_candidates", "/api/review/candidates/", EDITORS),
        ("api_review_decide", "/api/review/decisions/", "post"),
        ("api_dashboard", "/api/dashboard/", TEAM_READERS),
        ("api_testimony_documents", f"/api/testimonies/{own}/documents/", ("post", ALL - {"viewer"})),
        ("api_public_victims", "/api/public/victims/?q=Айгерім", PUBLIC),
        ("api_public_victim", f"/api/public/victims/{pub}/", PUBLIC),
    ]


def _named_urls():
    names = set()

    def walk(patterns, ns=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace in ("admin",) or str(p.pattern).startswith("i18n"):
                    continue
                walk(p.url_patterns)
            elif isinstance(p, URLPattern) and p.name:
                names.add(p.name)
    walk(get_resolver().url_patterns)
    return names


@pytest.mark.django_db
def test_every_url_is_covered(sample):
    covered = {name for name, _, _ in _cases(sample) + _api_cases(sample)} | {"logout", "set_script",
                                                                                     "api_not_found"}
    assert _named_urls() <= covered, f"URLs without a permission case: {_named_urls() - covered}"


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(ALL) + [None])
def test_every_role_gets_exactly_its_pages(role, sample, password, login):
    client = Client()
    if role:
        assert login(client, f"{role}1", password)
    for name, url, allowed in _cases(sample):
        if allowed == "post" or isinstance(allowed, tuple):
            r = client.get(url)
            may = allowed[1] if isinstance(allowed, tuple) else EDITORS
            expected = {302} if role is None else {405} if role in may else {403}
            assert r.status_code in expected, (role, url, r.status_code)
            continue
        r = client.get(url)
        if allowed is None:
            assert r.status_code == 302, (role, url)
        elif allowed == PUBLIC:
            assert r.status_code == 200, (role, url, r.status_code)
        elif role is None:
            assert r.status_code == 302 and r["Location"].startswith("/accounts/login/"), (url, r.status_code)
        elif role in allowed:
            # the sample's testifier is not named as family, so the WGEID check refuses the draft (409)
            assert r.status_code == (409 if name == "victim_wgeid" else 200), (role, url, r.status_code)
        elif name == "victim_detail" and role == "viewer":
            assert r.status_code == 404, (role, url, r.status_code)
        else:
            assert r.status_code == 403, (role, url, r.status_code)


@pytest.mark.django_db
def test_volunteer_sees_only_their_own_testimonies(sample, password, users, login):
    client = Client()
    assert login(client, "volunteer1", password)
    others = sample["no_consent"].mentions.get().testimony.number  # recorded by volunteer2
    assert client.get(f"/testimonies/{others}/").status_code == 404
    listing = client.get("/testimonies/").content.decode()
    assert sample["volunteer_testimony"].number in listing and others not in listing


@pytest.mark.django_db
def test_posts_are_refused_to_those_without_the_permission(sample, password, login):
    pub = sample["public"].public_id
    for role in ("viewer", "volunteer"):
        client = Client()
        assert login(client, f"{role}1", password)
        assert client.post(f"/victims/{pub}/publication/", {"published": ""}).status_code == 403
        assert client.post(f"/victims/{pub}/unmerge/", {"mentions": ["x"]}).status_code == 403
        assert client.post(f"/review/{pub}/{sample['latin'].public_id}/", {"decision": "same"}).status_code == 403
    sample["public"].refresh_from_db()
    assert sample["public"].published


@pytest.mark.django_db
def test_django_admin_is_for_staff_roles(sample, password, login):
    for role, status in (("admin", 200), ("editor", 200), ("viewer", 302), ("volunteer", 302)):
        client = Client()
        assert login(client, f"{role}1", password)
        assert client.get("/admin/").status_code == status, role


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(ALL) + [None])
def test_every_role_gets_exactly_its_api_answers(role, sample):
    from rest_framework.test import APIClient

    from kuager.records.services.roles import api_token

    client = APIClient()
    if role:
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(f'{role}1')}")
    for name, url, allowed in _api_cases(sample):
        r = client.get(url)
        if allowed == PUBLIC:
            assert r.status_code == 200, (role, url, r.status_code)
        elif role is None:
            assert r.status_code == 401, (url, r.status_code)
        elif isinstance(allowed, tuple):
            assert r.status_code == (405 if role in allowed[1] else 403), (role, url, r.status_code)
        elif allowed == "post":
            assert r.status_code == (405 if role in EDITORS else 403), (role, url, r.status_code)
        elif role in allowed:
            assert r.status_code == 200, (role, url, r.status_code)
        elif name == "api_victim" and role == "viewer":
            assert r.status_code == 404, (role, url, r.status_code)
        else:
            assert r.status_code == 403, (role, url, r.status_code)
