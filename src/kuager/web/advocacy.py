"""Advocacy downloads for the web app: the WGEID submission draft behind the victim page's button.

Wire it in ``kuager/web/urls.py``::

    from kuager.web import advocacy
    path("victims/<str:public_id>/wgeid/", advocacy.wgeid_draft, name="victim_wgeid"),

and link it from the victim page (editors and admins only)::

    {% if perms.records.view_confidential %}
    <a href="{% url 'victim_wgeid' p.victim.public_id %}?format=pdf">WGEID submission (PDF)</a>
    <a href="{% url 'victim_wgeid' p.victim.public_id %}?format=docx">(DOCX)</a>
    {% endif %}
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET

#: Groups allowed to draft submissions (see kuager.records.services.roles).
EDITOR_GROUPS = ("editor", "admin")

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def editors_only(view):
    """Anonymous users go to the login page; signed-in users outside the editor or
    admin groups (and not superusers) get 403 Forbidden."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (user.is_superuser or user.groups.filter(name__in=EDITOR_GROUPS).exists()):
            raise PermissionDenied("only editors may draft WGEID submissions")
        return view(request, *args, **kwargs)

    return wrapped


@require_GET
@editors_only
def wgeid_draft(request, public_id: str) -> HttpResponse:
    """The WGEID individual case submission draft of a victim, as an attachment.

    Query parameters: ``format`` (``pdf``, the default, or ``docx``),
    ``submitter`` (a name), ``confidential`` (``1`` keeps the submitter's name
    out of the text).

    Returns:
        200 with the file (``Content-Disposition: attachment``); 404 for an
        unknown victim; 400 for an unknown format; 409 with the reason, as plain
        text, when the check refuses a draft (no family consent, release recorded,
        nothing may leave the system).
    """
    from kuager.audit.services import acting_as, actor_of
    from kuager.errors import KuagerError
    from kuager.records import models as m
    from kuager.records.services import wgeid

    fmt = request.GET.get("format", "pdf").lower()
    if fmt not in CONTENT_TYPES:
        return HttpResponse("format must be pdf or docx", status=400, content_type="text/plain; charset=utf-8")
    victim = m.Victim.objects.filter(public_id=public_id).first()
    if victim is None:
        raise Http404("no such victim")
    with acting_as(actor_of(request.user)):  # the export entry and the photos' custody are the editor's
        try:
            sub = wgeid.draft_submission(victim, submitter=request.GET.get("submitter") or None,
                                         confidential_submitter=request.GET.get("confidential") == "1")
        except KuagerError as exc:
            return HttpResponse(str(exc), status=409, content_type="text/plain; charset=utf-8")
        body = wgeid.render_pdf(sub) if fmt == "pdf" else wgeid.render_docx(sub)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="wgeid-{victim.public_id}.{fmt}"'
    return response
