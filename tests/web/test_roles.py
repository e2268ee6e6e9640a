"""Roles: groups, permissions, the ``kuager user add`` command."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from kuager import cli
from kuager.errors import InputError
from kuager.records.services import roles


@pytest.mark.django_db
def test_ensure_roles_is_idempotent_and_sets_the_permissions():
    roles.ensure_roles()
    first = {g.name: sorted(g.permissions.values_list("codename", flat=True)) for g in Group.objects.all()}
    roles.ensure_roles()
    second = {g.name: sorted(g.permissions.values_list("codename", flat=True)) for g in Group.objects.all()}
    assert first == second
    assert set(first) == {"admin", "editor", "volunteer", "viewer"}
    assert "review_pairs" in first["editor"] and "view_confidential" in first["editor"]
    assert "review_pairs" not in first["viewer"] and "view_confidential" not in first["viewer"]
    assert first["volunteer"] == sorted(["add_testimony", "add_testifier", "add_mention", "add_event",
                                         "add_appeal", "search_names"])
    assert "view_victim" not in first["volunteer"]


@pytest.mark.django_db
def test_add_user_moves_a_user_between_roles():
    user, created = roles.add_user("aru", "volunteer", "first long passphrase 1")
    assert created and roles.role_of(user) == "volunteer" and not user.is_staff
    user, created = roles.add_user("aru", "editor", "second long passphrase 2")
    assert not created and roles.role_of(user) == "editor" and user.is_staff and not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == ["editor"]
    assert user.check_password("second long passphrase 2") and not user.check_password("first long passphrase 1")
    with pytest.raises(InputError):
        roles.add_user("aru", "chief", "third long passphrase 3")
    with pytest.raises(InputError, match="too short"):
        roles.add_user("aru", "editor", "short")
    with pytest.raises(InputError, match="too common"):
        roles.add_user("aru", "editor", "password1234")


@pytest.mark.django_db
def test_user_command_reads_the_password_file_and_never_prints_it(tmp_path, capsys):
    pw = tmp_path / "pw.txt"
    pw.write_text("s3cret-Almaty-2019\n", encoding="utf-8")
    assert cli.main(["user", "add", "dana", "--role", "viewer", "--password-file", str(pw)]) == 0
    out = capsys.readouterr()
    assert "s3cret" not in out.out + out.err
    assert "dana" in out.out
    user = get_user_model().objects.get(username="dana")
    assert user.check_password("s3cret-Almaty-2019")
    assert roles.role_of(user) == "viewer"


@pytest.mark.django_db
def test_user_command_rejects_an_unknown_role(tmp_path):
    with pytest.raises(SystemExit) as exc:
        cli.main(["user", "add", "dana", "--role", "chief", "--password-file", str(tmp_path / "x")])
    assert exc.value.code == 2
