"""Roles: Django groups with their permissions, and users in them.

Four roles (see docs/web.md):

- ``admin``: users, settings, everything (staff and superuser).
- ``editor``: verify, edit, merge and unmerge, decide review-queue pairs, publish;
  sees confidential material.
- ``volunteer``: records testimonies, sees the testimonies they recorded, and
  searches names without confidential details.
- ``viewer``: reads everything that is not confidential.

Besides Django's model permissions (``records.view_victim``...), three
permissions are defined here on the :class:`~kuager.records.models.Victim`
content type (created on demand, so no migration is needed):

- ``records.view_confidential``: see confidential victims, mentions, testimonies
  and testifiers' contact details;
- ``records.review_pairs``: decide review-queue pairs, merge and unmerge;
- ``records.publish_victim``: publish or withhold a victim, mark it confidential.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from kuager.errors import InputError

ADMIN, EDITOR, VOLUNTEER, VIEWER = "admin", "editor", "volunteer", "viewer"
ROLES = (ADMIN, EDITOR, VOLUNTEER, VIEWER)

#: Permissions defined by Kuager itself, on the Victim content type: codename -> name.
CUSTOM_PERMISSIONS = {
    "view_confidential": "Can see confidential material",
    "review_pairs": "Can decide review-queue pairs, merge and unmerge",
    "publish_victim": "Can publish or withhold a victim",
    "search_names": "Can search names to see whether a person is already known",
}

_READ_MODELS = ("victim", "mention", "mentionname", "testimony", "testifier", "event", "appeal", "document",
                "source", "aggregateclaim", "place", "facility", "judgement", "importbatch")

#: Role -> permission strings ("app_label.codename"). The admin role gets every permission.
ROLE_PERMISSIONS: dict[str, set[str]] = {
    VIEWER: {f"records.view_{mdl}" for mdl in _READ_MODELS} | {"records.search_names"},
    VOLUNTEER: {"records.add_testimony", "records.add_testifier", "records.add_mention", "records.add_event",
                "records.add_appeal", "records.search_names"},
}
ROLE_PERMISSIONS[EDITOR] = ROLE_PERMISSIONS[VIEWER] | ROLE_PERMISSIONS[VOLUNTEER] | {
    "records.view_confidential", "records.review_pairs", "records.publish_victim", "records.add_judgement",
} | {f"records.change_{mdl}" for mdl in ("victim", "mention", "mentionname", "testimony", "testifier", "event",
                                         "appeal", "document", "place", "facility")}


def _custom_permissions() -> dict[str, Permission]:
    from kuager.records.models import Victim

    ct = ContentType.objects.get_for_model(Victim)
    out = {}
    for codename, name in CUSTOM_PERMISSIONS.items():
        perm, _ = Permission.objects.get_or_create(content_type=ct, codename=codename, defaults={"name": name})
        out[codename] = perm
    return out


def _permission(spec: str) -> Permission:
    app_label, codename = spec.split(".", 1)
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


@transaction.atomic
def ensure_roles() -> dict[str, Group]:
    """Create or update the four role groups so they hold exactly their permissions.

    Idempotent: running it again changes nothing; a group's permissions edited
    by hand are reset to the defined set. Needs the migrations applied (model
    permissions exist after ``migrate``).

    Returns:
        ``{role: Group}`` for :data:`ROLES`.
    """
    _custom_permissions()
    groups = {}
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        if role == ADMIN:
            perms = list(Permission.objects.all())
        else:
            perms = [_permission(p) for p in sorted(ROLE_PERMISSIONS[role])]
        group.permissions.set(perms)
        groups[role] = group
    return groups


@transaction.atomic
def add_user(username: str, role: str, password: str, *, email: str = ""):
    """Create a user in one role, or move an existing user into ``role`` and set the password.

    Args:
        username: the login name (Django's rules: letters, digits and @.+-_).
        role: one of :data:`ROLES`.
        password: the password (hashed with Argon2; never stored or printed in clear).
        email: optional e-mail address.

    Returns:
        ``(user, created)``: the user and True when it was new.

    Raises:
        InputError: unknown role, empty username, or a password that fails the
            password validators of the settings (at least 12 characters, not common,
            not all digits, not like the username).
    """
    if role not in ROLES:
        raise InputError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}", field="--role")
    if not username.strip():
        raise InputError("empty username", field="USERNAME")
    if not password:
        raise InputError("empty password", field="password")
    User = get_user_model()
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    try:  # the rules of AUTH_PASSWORD_VALIDATORS (length, common passwords, likeness to the name)
        validate_password(password, user=User.objects.filter(username=username).first()
                          or User(username=username, email=email))
    except ValidationError as exc:
        raise InputError("; ".join(exc.messages), field="password") from None
    groups = ensure_roles()
    user, created = User.objects.get_or_create(username=username, defaults={"email": email})
    user.set_password(password)
    user.is_staff = role in (ADMIN, EDITOR)
    user.is_superuser = role == ADMIN
    if email:
        user.email = email
    user.save()
    user.groups.remove(*[groups[r] for r in ROLES if r != role])
    user.groups.add(groups[role])
    return user, created


def role_of(user) -> str | None:
    """The user's role: the highest of their groups (admin > editor > viewer > volunteer), or None.

    Superusers are ``admin``; anonymous users have no role.
    """
    if not getattr(user, "is_authenticated", False):
        return None
    if user.is_superuser:
        return ADMIN
    names = set(user.groups.values_list("name", flat=True))
    for role in (ADMIN, EDITOR, VIEWER, VOLUNTEER):
        if role in names:
            return role
    return None


def api_token(username: str, *, reset: bool = False, days: int | None = None) -> str:
    """A new API token for a user (``Authorization: Token <key>``); see :func:`kuager.accounts.services.issue_token`.

    Only the token's SHA-256 is stored, so a token is shown once: each call
    issues a new one (several may be live), valid for ``days`` (default 90).

    Args:
        username: an existing user.
        reset: revoke the user's other tokens first (they stop working at once).
        days: validity in days (1 to 3650).

    Returns:
        The token's key (40 hexadecimal characters).

    Raises:
        InputError: no such user, the user is inactive, or ``days`` out of range.
    """
    from kuager.accounts.services import TOKEN_DAYS, issue_token

    return issue_token(username, days=days or TOKEN_DAYS, revoke_others=reset)
