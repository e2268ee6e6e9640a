"""Old victim ids keep working: a merged-away id answers 301 to the victim now holding its mentions.

A merge removes a victim (its mentions move to another one) and
:class:`~kuager.records.models.VictimRedirect` remembers where they went. A
cited link (``/public/victims/V-00006/``, ``/api/victims/V-00010/``) would
otherwise answer 404; this middleware turns such a 404 into a redirect (HTTP
301; for the API also a JSON body naming the new id) when the reader may see
the victim it points to, and leaves the 404 otherwise.
"""

from __future__ import annotations

import json

from django.http import HttpResponsePermanentRedirect
from django.urls import reverse

#: url names of the victim pages and answers that follow merged-away ids, and whether they are public.
ROUTES = {"victim_detail": False, "public_victim": True, "api_victim": False, "api_public_victim": True}


def target_for(public_id: str, audience: str):
    """The victim a merged-away ``public_id`` now points to, if ``audience`` may see it; else None."""
    from kuager.records import models as m
    from kuager.web import access

    if m.Victim.objects.filter(public_id=public_id).exists():
        return None  # a live id: its own page decides
    r = m.VictimRedirect.objects.filter(public_id=public_id).exclude(victim=None).first()
    if r is None:
        return None
    return access.visible_victims_qs(audience).filter(pk=r.victim_id).first()


class MergedVictimRedirectMiddleware:
    """Answer 301 instead of 404 for a victim id a merge removed (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 404:
            return response
        match = getattr(request, "resolver_match", None)
        if match is None or match.url_name not in ROUTES or "public_id" not in match.kwargs:
            return response
        from kuager.web import access

        audience = access.PUBLIC if ROUTES[match.url_name] else access.audience_of(request.user)
        victim = target_for(match.kwargs["public_id"], audience)
        if victim is None:
            return response
        url = reverse(match.url_name, kwargs={"public_id": victim.public_id})
        if request.GET:
            url += "?" + request.GET.urlencode()
        out = HttpResponsePermanentRedirect(url)
        if match.url_name.startswith("api_"):
            out["Content-Type"] = "application/json"
            out.content = json.dumps({"detail": "merged", "public_id": victim.public_id,
                                      "merged_from": match.kwargs["public_id"], "url": url})
        return out
