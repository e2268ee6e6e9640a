"""Middleware: two-factor authentication required for editors and admins; upload size limit.

:class:`TwoFactorMiddleware` (after Django's AuthenticationMiddleware): a
signed-in user whose session has not passed the second step is sent to

- the code page (``two_factor_verify``) when they have an authenticator, or
- the enrolment page (``two_factor_setup``) when their role requires one
  (editors and admins) and they have none;

and can reach nothing else but those pages, logging out and the language
switch. JSON API calls in such a session get 403 with a JSON message. Token
API calls are checked by :mod:`kuager.accounts.api_auth`.

:class:`UploadLimitMiddleware` refuses a request whose body is larger than
``KUAGER_MAX_UPLOAD_BYTES`` with 413 and a plain message, before anything is
read (see :mod:`kuager.accounts.uploads`).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _

#: The session key that holds the primary key of the user who passed the second step.
VERIFIED = "kuager_2fa_user"
EXEMPT = {"two_factor_verify", "two_factor_setup", "logout", "set_language"}


def verified(request) -> bool:
    """True when this session's user has passed the second step (or has no second factor to pass)."""
    return request.session.get(VERIFIED) == request.user.pk


def mark_verified(request) -> None:
    """Record in the session that its user passed the second step (a new session key: no fixation)."""
    request.session.cycle_key()
    request.session[VERIFIED] = request.user.pk


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not verified(request):
            target = self._target(request)
            if target:
                return self._send(request, target)
        return self.get_response(request)

    @staticmethod
    def _target(request) -> str | None:
        from kuager.accounts import services

        if request.path_info.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return None
        try:
            name = resolve(request.path_info).url_name
        except Resolver404:
            name = None
        if name in EXEMPT:
            return None
        if services.enrolled(request.user):
            return "two_factor_verify"
        if services.required_for(request.user):
            return "two_factor_setup"
        return None

    @staticmethod
    def _send(request, target: str):
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": _("Two-factor authentication is needed first.")}, status=403)
        url = reverse(target)
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(url)


class UploadLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from kuager.accounts.uploads import max_upload_bytes

        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = max_upload_bytes()
        if length > limit:
            msg = _("The upload is too large: at most %(mb)s MB.") % {"mb": limit // (1024 * 1024)}
            if request.path_info.startswith("/api/"):
                return JsonResponse({"detail": msg}, status=413)
            return HttpResponse(msg, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
