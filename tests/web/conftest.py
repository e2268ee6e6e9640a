"""Fixtures for the web tests: one user per role and a few invented victims.

All people here are invented.
"""

from __future__ import annotations

import pytest

from kuager.records import models as m
from kuager.records.services import intake
from kuager.records.services.roles import ROLES, add_user

PASSWORD = "correct horse battery staple 7"


@pytest.fixture
def users(db, enrol):
    """``{role: user}`` for the four roles, plus ``"volunteer2"`` (a second volunteer).

    The admin and the editor have two-factor authentication set up (their roles require it); log them in
    with the ``login`` fixture (password, then a TOTP code) or ``login_user`` (``force_login``, then the code).
    """
    out = {role: add_user(f"{role}1", role, PASSWORD)[0] for role in ROLES}
    out["volunteer2"] = add_user("volunteer2", "volunteer", PASSWORD)[0]
    for role in ("admin", "editor"):
        enrol(out[role])
    return out


def record(names, *, consent="full", confidential=False, victim_confidential=False, user=None, events=(),
           chinese_id="", ethnicity="Kazakh", birth="1980", testifier="Invented Testifier"):
    """Record an invented testimony with one victim; returns the testimony."""
    data = intake.TestimonyInput(
        victims=[intake.VictimInput(names=list(names), sex="female", birth_date_text=birth, ethnicity=ethnicity,
                                    citizenship="Kazakhstan", chinese_id=chinese_id,
                                    confidential=victim_confidential,
                                    events=[intake.EventInput(kind=k, date_text=d) for k, d in events])],
        testifier_name=testifier, consent=consent, confidential=confidential, recorded_on_text="2019-03-01")
    return intake.record_testimony(data, user=user)


@pytest.fixture
def password():
    """The password of every test user."""
    return PASSWORD


@pytest.fixture(name="record")
def record_fixture():
    """The :func:`record` helper (invented testimony with one victim)."""
    return record


@pytest.fixture
def sample(db, users):
    """Four invented victims: public (full consent), no consent, confidential testimony, a Latin twin.

    Returns ``{"public": Victim, "no_consent": Victim, "confidential": Victim, "latin": Victim,
    "volunteer_testimony": Testimony}``.
    """
    t1 = record(["Айгерім Серікқызы"], consent="full", user=users["volunteer"],
                events=[("detained_camp", "May 2018")])
    t2 = record(["Нұрлан Бекұлы"], consent="none", user=users["volunteer2"])
    t3 = record(["Жанар Болатқызы"], consent="full", confidential=True)
    t4 = record(["Gulmira Adilkyzy"], consent="full", events=[("lost_contact", "2017")])
    v = lambda t: t.mentions.get().victim  # noqa: E731
    from kuager.records.services.review import set_publication

    for t in (t1, t2):  # recorded by volunteers: unpublished until an editor publishes them
        set_publication(v(t), published=True)
    return {"public": v(t1), "no_consent": v(t2), "confidential": v(t3), "latin": v(t4),
            "volunteer_testimony": t1}


@pytest.fixture(autouse=True)
def _empty_page_cache():
    """Each test starts with an empty page cache (kuager.web.cache) and no review-queue name-key blocks
    kept in the process, as database ids repeat across tests."""
    from django.core.cache import cache

    from kuager.web.selectors import forget_name_key_blocks

    cache.clear()
    forget_name_key_blocks()
    yield
    cache.clear()
    forget_name_key_blocks()
