"""Who may see what in the web application.

Three audiences:

- ``public``: anyone, through :mod:`kuager.records.redaction` (consent and
  confidentiality honoured; this module never widens what it allows);
- ``team``: viewers and volunteers: everything that is not confidential
  (confidential victims, mentions and testimonies are left out, as are
  testifiers' contact details);
- ``internal``: editors and admins (``records.view_confidential``): everything.

Views call :func:`audience_of` and pass the result to the selectors in
:mod:`kuager.web.selectors`; the SQL filters here mirror the rules of the
redaction layer so that lists, counts and search never count or match what the
audience may not see.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q

from kuager.records import models as m
from kuager.records import redaction
from kuager.records.selectors import VictimProfile, victim_profile

PUBLIC, TEAM, INTERNAL = "public", "team", "internal"


def audience_of(user) -> str:
    """The audience a user belongs to: ``internal``, ``team`` or ``public`` (anonymous or no role)."""
    if not getattr(user, "is_authenticated", False):
        return PUBLIC
    if user.has_perm("records.view_confidential"):
        return INTERNAL
    if user.has_perm("records.view_victim") or user.has_perm("records.search_names"):
        return TEAM
    return PUBLIC


def require(*perms: str):
    """View decorator: anonymous users go to the login page; users lacking any of ``perms`` get 403."""
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_perms(perms):
                raise PermissionDenied
            return view(request, *args, **kwargs)
        wrapped.required_permissions = perms
        return wrapped
    return decorator


def require_any(*perms: str):
    """Like :func:`require`, but one of ``perms`` is enough."""
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not any(request.user.has_perm(p) for p in perms):
                raise PermissionDenied
            return view(request, *args, **kwargs)
        wrapped.required_any_permission = perms
        return wrapped
    return decorator


def mention_filter(audience: str, victim: bool = True) -> Q:
    """A filter on :class:`~kuager.records.models.Mention` keeping what ``audience`` may see.

    ``victim=False`` leaves out the victim's own conditions (not confidential; published), for
    queries whose victims are already narrowed to those ``audience`` may see.
    """
    if audience == INTERNAL:
        return Q()
    q = Q(confidential=False, testimony__confidential=False)
    if victim:
        q &= Q(victim__confidential=False)
    if audience == PUBLIC:
        q &= ~Q(testimony__consent=m.ConsentChoices.NONE)
        if victim:
            q &= Q(victim__published=True)
    return q


def visible_mentions_qs(audience: str):
    """Mentions (with a victim) that ``audience`` may see, as a queryset."""
    return m.Mention.objects.filter(victim__isnull=False).filter(mention_filter(audience))


def visible_victims_qs(audience: str):
    """Victims with at least one mention ``audience`` may see, as a queryset ordered by public id.

    Read from the flags stored on the victim (``visible_team``, ``visible_public``,
    kept by :mod:`kuager.records.services.derived` with the rules of :func:`mention_filter`).
    """
    if audience == INTERNAL:
        return m.Victim.objects.all()
    return m.Victim.objects.filter(**{"visible_public" if audience == PUBLIC else "visible_team": True})


def allowed_mentions(victim: m.Victim, audience: str) -> list[m.Mention]:
    """The victim's mentions ``audience`` may see (prefetched with names, events, documents, appeals)."""
    if audience == PUBLIC:
        return redaction.visible_mentions(victim, redaction.Audience(redaction.PUBLIC))
    mentions = redaction.visible_mentions(victim, redaction.Audience(redaction.INTERNAL))
    if audience == INTERNAL:
        return mentions
    if victim.confidential:
        return []
    return [mn for mn in mentions if not mn.confidential and not mn.testimony.confidential]


def profile_for(victim: m.Victim, audience: str) -> VictimProfile | None:
    """The victim's profile as ``audience`` may see it, or None when nothing may be shown.

    The public profile is exactly :func:`kuager.records.redaction.visible_profile`.
    """
    if audience == PUBLIC:
        return redaction.visible_profile(victim, redaction.Audience(redaction.PUBLIC))
    mentions = allowed_mentions(victim, audience)
    return victim_profile(victim, mentions) if mentions else None


def testifier_label(t: m.Testimony, audience: str) -> str:
    """The testifier as ``audience`` may see them (the public: only under full consent)."""
    scope = redaction.PUBLIC if audience == PUBLIC else redaction.INTERNAL
    return redaction.testifier_label(t, redaction.Audience(scope))


def testimonies_for(user):
    """Testimonies a user may open: volunteers their own; viewers the non-confidential; editors all."""
    qs = m.Testimony.objects.select_related("testifier", "source").order_by("-created_at", "-number")
    if user.has_perm("records.view_confidential"):
        return qs
    if user.has_perm("records.view_testimony"):
        return qs.filter(confidential=False)
    if user.has_perm("records.add_testimony"):
        return qs.filter(recorded_by=user)
    return qs.none()


def documents_for(user):
    """Held documents whose shown copy a user may open, as a queryset.

    Editors and admins: all. Viewers: those of non-confidential testimonies whose
    person (if any) is neither a confidential mention nor a confidential victim.
    Volunteers: those of the testimonies they recorded. Nobody else: none (the
    public pages never serve files).
    """
    qs = m.Document.objects.exclude(sha256="").select_related("testimony", "mention", "mention__victim")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if user.has_perm("records.view_confidential"):
        return qs
    allowed = Q(pk__in=[])
    if user.has_perm("records.view_testimony"):
        allowed |= Q(testimony__confidential=False) & (
            Q(mention__isnull=True) | Q(mention__confidential=False, mention__victim__confidential=False)
            | Q(mention__confidential=False, mention__victim__isnull=True))
    if user.has_perm("records.add_testimony"):
        allowed |= Q(testimony__recorded_by=user)
    return qs.filter(allowed)


def may_add_documents(user, testimony: m.Testimony) -> bool:
    """Editors and admins may add files to any testimony; volunteers to those they recorded."""
    if user.has_perm("records.view_confidential"):
        return True
    return user.has_perm("records.add_testimony") and testimony.recorded_by_id == user.id
