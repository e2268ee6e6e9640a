"""Views: thin. Reads through kuager.web.selectors (and the redaction layer), writes through services.

Who may open what is declared with :func:`kuager.web.access.require`; the
permission test in tests/web walks every URL with every role.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kuager.errors import InputError, KuagerError
from kuager.records import models as m
from kuager.records import selectors as rsel
from kuager.records.services import intake as intake_service
from kuager.records.services import review as review_service
from kuager.web import access, forms
from kuager.web import cache as wcache
from kuager.web import selectors as wsel

PAGE_SIZE = 50


def _script(request: HttpRequest) -> str:
    return request.session.get("name_script", "")


def _page(request: HttpRequest, items):
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


#: the site's icon: a "K" in the accent colour (SVG; every current browser takes it at /favicon.ico)
FAVICON = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" '
           'fill="#8a3b12"/><path d="M4 3h2v4l4-4h2.5l-4.5 4.5 4.8 5.5h-2.6l-3.6-4.2-.6.6V13H4z" fill="#fff"/></svg>')


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """``/favicon.ico``: the site's icon (SVG), cached for a day; anyone."""
    response = HttpResponse(FAVICON, content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=86400"
    return response


def home(request: HttpRequest) -> HttpResponse:
    """Start page: the public site for visitors; intake for volunteers; the dashboard for the team."""
    user = request.user
    if not user.is_authenticated:
        return redirect("public_home")
    if user.has_perm("records.view_victim"):
        return redirect("dashboard")
    if user.has_perm("records.add_testimony"):
        return redirect("intake")
    return redirect("public_home")


@require_POST
def set_script(request: HttpRequest) -> HttpResponse:
    """Remember the script in which names are shown first (in the session)."""
    form = forms.PreferencesForm(request.POST)
    if form.is_valid():
        request.session["name_script"] = form.cleaned_data["script"]
    nxt = request.POST.get("next") or "/"
    return redirect(nxt if nxt.startswith("/") and not nxt.startswith("//") else "/")


# ------------------------------------------------------------------ intake

@access.require("records.add_testimony")
@require_http_methods(["GET", "POST"])
def intake(request: HttpRequest) -> HttpResponse:
    """The testimony intake form."""
    if request.method == "POST":
        page = forms.IntakeForms(request.POST, request.FILES)
        if page.is_valid():
            try:
                t = intake_service.record_testimony(page.to_input(), user=request.user)
            except KuagerError as exc:
                messages.error(request, _("Nothing was saved: %(error)s") % {"error": exc})
            else:
                messages.success(request, _("Testimony %(number)s saved.") % {"number": t.number})
                return redirect("testimony_detail", number=t.number)
        else:
            messages.error(request, _("Nothing was saved yet: please correct the fields marked below."))
    else:
        page = forms.IntakeForms()
    blank = forms.IntakeForms()
    template_victim = (forms.VictimForm(prefix="v__V__"),
                       [forms.EventForm(prefix="v__V__-e__E__")])
    return render(request, "web/intake.html", {
        "page": page, "template_victim": template_victim,
        "template_event": forms.EventForm(prefix="v__V__-e__E__"),
        "template_appeal": forms.AppealForm(prefix="a__A__"), "blank": blank,
        "facility_options": wsel.facility_options()})


@access.require_any("records.add_testimony", "records.search_names")
@require_GET
def intake_lookup(request: HttpRequest) -> JsonResponse:
    """Possible duplicates of a name being typed: ``{"query", "matches": [...]}``, no confidential facts."""
    from django.utils.translation import ngettext

    q = request.GET.get("q", "")[:200]
    matches = [{**mt, "testimonies_text": ngettext("%(n)d testimony", "%(n)d testimonies", mt["testimonies"])
                % {"n": mt["testimonies"]}} for mt in wsel.lookup(q, access.TEAM, script=_script(request))]
    return JsonResponse({"query": q, "matches": matches})


@access.require_any("records.add_testimony", "records.view_testimony")
def testimony_list(request: HttpRequest) -> HttpResponse:
    """Testimonies the user may see (volunteers: the ones they recorded)."""
    qs = access.testimonies_for(request.user)
    page = _page(request, qs)
    own_only = not request.user.has_perm("records.view_testimony")
    return render(request, "web/testimony_list.html", {"page": page, "own_only": own_only})


@access.require_any("records.add_testimony", "records.view_testimony")
def testimony_detail(request: HttpRequest, number: str) -> HttpResponse:
    """One testimony with its victims, events and appeals."""
    t = get_object_or_404(access.testimonies_for(request.user), number=number)
    audience = access.audience_of(request.user)
    mentions = list(t.mentions.prefetch_related("names", "events", "events__facility").select_related("victim"))
    if audience != access.INTERNAL and t.recorded_by_id != request.user.id:
        mentions = [mn for mn in mentions if not mn.confidential]
    documents = list(access.documents_for(request.user).filter(testimony=t).order_by("key"))
    upload = None
    if access.may_add_documents(request.user, t):
        upload = forms.DocumentForm(prefix="doc", mentions=_mentions_in_order(t))
    show_contact = audience == access.INTERNAL or t.recorded_by_id == request.user.id
    if show_contact or t.confidential:  # the testifier's identity and contact are on the page (issue 6)
        from kuager.audit.services import actor_of, record

        record("view_confidential", t, new={"page": "testimony", "confidential": t.confidential,
                                            "consent": t.consent}, actor=actor_of(request.user))
    return render(request, "web/testimony_detail.html", {
        "t": t, "mentions": mentions, "appeals": t.appeals.all(), "documents": documents, "upload_form": upload,
        "unnamed_events": t.events.filter(mention__isnull=True),
        "show_contact": show_contact,
        "can_view_victims": request.user.has_perm("records.view_victim")})


def _mentions_in_order(t: m.Testimony) -> list[m.Mention]:
    """A testimony's mentions in victim order (m1, m2, ... m10), with their names."""
    def number(mn):
        tail = mn.key.rsplit("/m", 1)[-1]
        return int(tail) if tail.isdigit() else 0
    return sorted(t.mentions.prefetch_related("names"), key=number)


@access.require_any("records.add_testimony", "records.view_confidential")
@require_POST
def testimony_documents(request: HttpRequest, number: str) -> HttpResponse:
    """Add a file to a testimony (editors; volunteers to the testimonies they recorded)."""
    t = get_object_or_404(access.testimonies_for(request.user), number=number)
    if not access.may_add_documents(request.user, t):
        raise PermissionDenied
    mentions = _mentions_in_order(t)
    form = forms.DocumentForm(request.POST, request.FILES, prefix="doc", mentions=mentions)
    if form.is_valid() and form.filled:
        try:
            docs = intake_service.add_documents(t, [form.to_input()], user=request.user, mentions=mentions)
        except KuagerError as exc:
            messages.error(request, _("The file was not kept: %(error)s") % {"error": exc})
        else:
            messages.success(request, _("File kept (SHA-256 %(sha)s).") % {"sha": docs[0].sha256})
    else:
        messages.error(request, _("Choose a file to add."))
    return redirect("testimony_detail", number=number)


@access.require_any("records.add_testimony", "records.view_testimony")
@require_GET
def document_file(request: HttpRequest, pk: int) -> HttpResponse:
    """A held file: the derived copy (no EXIF/GPS); editors may ask for the original with ``?original=1``.

    Each opening is a custody entry (``kuager.records.services.evidence.open_evidence``).
    A file without a derived copy (a PDF, an undecodable image) is served to editors only.
    """
    from django.http import FileResponse

    from kuager.records.services import evidence

    doc = get_object_or_404(access.documents_for(request.user), pk=pk)
    editor = request.user.has_perm("records.view_confidential")
    original = request.GET.get("original") == "1" or not doc.derived_sha256
    if original and not editor:
        raise Http404
    f = evidence.open_evidence(doc, original=original, actor=f"web:{request.user.get_username()}",
                               purpose="web: original" if original else "web: shown copy")
    if original:
        media = doc.media_type
    else:  # the derived copy is PNG or JPEG (kuager.records.services.evidence)
        media = "image/png" if f.read(8) == b"\x89PNG\r\n\x1a\n" else "image/jpeg"
        f.seek(0)
    response = FileResponse(f, content_type=media or "application/octet-stream")
    if original:
        response["Content-Disposition"] = f'attachment; filename="{doc.sha256[:16]}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@access.require("records.search_names")
def name_search(request: HttpRequest) -> HttpResponse:
    """Is this person already known? Names and public ids only, no confidential details."""
    q = request.GET.get("q", "").strip()[:200]
    matches = wsel.lookup(q, access.TEAM, limit=50, script=_script(request)) if q else []
    return render(request, "web/name_search.html", {"q": q, "matches": matches})


# ------------------------------------------------------------------ victims

@access.require("records.view_victim")
def victim_list(request: HttpRequest) -> HttpResponse:
    """Victims: list, search by any spelling or Chinese ID, filters; paginated."""
    audience = access.audience_of(request.user)
    return _victim_list(request, audience, "web/victim_list.html")


def _victim_list(request, audience: str, template: str) -> HttpResponse:
    form = forms.SearchForm(request.GET or None, choices=wsel.filter_choices(audience))
    q = request.GET.get("q", "").strip()[:200]
    filters = form.filters() if request.GET else {}
    # ?published=no (the team): only victims not published yet, e.g. a volunteer's, waiting for an editor
    unpublished = audience != access.PUBLIC and request.GET.get("published") == "no"
    if request.GET and any(k in form.errors for k in wsel.FILTERS):
        # a filter that cannot be read (?facility=Ghulja: not a number) matches nobody; the form shows why,
        # rather than the whole list under the error as if the filter had been applied
        page = _page(request, [])
        return render(request, template, {"form": form, "page": page, "rows": [], "q": q,
                                          "unpublished": unpublished, "facility_options": wsel.facility_options()})
    if q:
        found = wsel.search(q, audience, filters)
        page = _page(request, [v for v in found if not v.published] if unpublished else found)
        victims = page.object_list
    else:
        ids = wsel.victim_ids(audience, filters)
        if unpublished:
            held = set(m.Victim.objects.filter(published=False).values_list("id", flat=True))
            ids = [i for i in ids if i in held]
        page = _page(request, ids)
        victims = wsel.victims_in_order(page.object_list)
    rows = wsel.victim_rows(victims, audience, _script(request))
    return render(request, template, {"form": form, "page": page, "rows": rows, "q": q, "unpublished": unpublished,
                                      "facility_options": wsel.facility_options()})


def _profile_context(request, victim: m.Victim, audience: str) -> dict:
    p = access.profile_for(victim, audience)
    if p is None:
        raise Http404
    script = _script(request)
    names = sorted(p.names, key=lambda n: n[1] != script) if script else p.names
    timeline = [{"entry": e, "testifier": access.testifier_label(e.testimony, audience)} for e in p.timeline]
    relatives = [{"who": access.testifier_label(t, audience), "relation": rel, "testimony": t}
                 for tf, rel, t in p.relatives]
    return {"p": p, "v": victim, "names": names, "timeline": timeline, "relatives": relatives,
            "status": rsel.current_status(p), "name": rsel.profile_headline(p, script) or victim.public_id}


@access.require("records.view_victim")
def victim_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    """A victim: names in every script, sourced fields with conflicts, timeline, relatives, documents, appeals."""
    victim = get_object_or_404(m.Victim, public_id=public_id)
    audience = access.audience_of(request.user)
    ctx = _profile_context(request, victim, audience)
    if audience == access.INTERNAL and (victim.confidential or not victim.published or any(
            mn.confidential or mn.testimony.confidential or mn.testimony.consent == m.ConsentChoices.NONE
            for mn in victim.mentions.select_related("testimony"))):  # material the public may not see is on the page (issue 6)
        from kuager.audit.services import actor_of, record

        record("view_confidential", victim, new={"page": "victim", "confidential": victim.confidential,
                                                 "published": victim.published}, actor=actor_of(request.user))
    ctx["files"] = {d.pk for d in access.documents_for(request.user).filter(pk__in=[d.pk for d in ctx["p"].documents])
                    if d.derived_sha256 or request.user.has_perm("records.view_confidential")}
    if request.user.has_perm("records.review_pairs"):
        ctx["unmerge_form"] = forms.UnmergeForm(victim=victim)
        ctx["judgements"] = list(m.Judgement.objects.filter(
            mention_a__victim=victim).select_related("mention_a", "mention_b", "decided_by")) + list(
            m.Judgement.objects.filter(mention_b__victim=victim).exclude(mention_a__victim=victim)
            .select_related("mention_a", "mention_b", "decided_by"))
    if request.user.has_perm("records.publish_victim"):
        ctx["publication_form"] = forms.PublicationForm(initial={"published": victim.published,
                                                                 "confidential": victim.confidential})
    return render(request, "web/victim_detail.html", ctx)


@access.require("records.publish_victim")
@require_POST
def victim_publication(request: HttpRequest, public_id: str) -> HttpResponse:
    """Publish or withhold a victim (editors)."""
    victim = get_object_or_404(m.Victim, public_id=public_id)
    form = forms.PublicationForm(request.POST)
    if form.is_valid():
        review_service.set_publication(victim, published=form.cleaned_data["published"],
                                       confidential=form.cleaned_data["confidential"])
        messages.success(request, _("Publication settings saved."))
    return redirect("victim_detail", public_id=public_id)


@access.require("records.review_pairs")
@require_POST
def victim_unmerge(request: HttpRequest, public_id: str) -> HttpResponse:
    """Split chosen mentions off a victim (editors): "different" judgements, then a new victim for one side."""
    victim = get_object_or_404(m.Victim, public_id=public_id)
    form = forms.UnmergeForm(request.POST, victim=victim)
    if form.is_valid():
        try:
            result = review_service.unmerge(victim, form.cleaned_data["mentions"], user=request.user,
                                            note=form.cleaned_data["note"])
        except InputError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Split: the mentions now belong to %(ids)s.")
                             % {"ids": ", ".join(result.victims)})
            return redirect("victim_detail", public_id=result.victims[0] if public_id not in result.victims
                            else public_id)
    else:
        messages.error(request, _("Choose the mentions to split off."))
    return redirect("victim_detail", public_id=public_id)


# ------------------------------------------------------------------ review queue

@access.require("records.review_pairs")
def review_queue(request: HttpRequest) -> HttpResponse:
    """Candidate pairs, most probable first (the linkage model's probability), paginated."""
    from kuager.records.services.linkage_model import current_model

    page = _page(request, wsel.review_candidates())
    return render(request, "web/review_queue.html", {"page": page, "model": current_model().key})


@access.require("records.review_pairs")
@require_http_methods(["GET", "POST"])
def review_pair(request: HttpRequest, a: str, b: str) -> HttpResponse:
    """Two victims side by side; same / different / unsure with a note."""
    va = get_object_or_404(m.Victim, public_id=a)
    vb = get_object_or_404(m.Victim, public_id=b)
    if va.pk == vb.pk:
        raise Http404
    comparison = wsel.compare(va, vb)
    score = wsel.pair_score(va, vb)
    form = forms.DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = review_service.decide_pair(va, vb, form.cleaned_data["decision"], user=request.user,
                                            note=form.cleaned_data["note"], score=score.score)
        decision = form.cleaned_data["decision"]
        if decision == m.Judgement.SAME and len(result.victims) == 1:
            messages.success(request, _("Merged into %(id)s.") % {"id": result.victims[0]})
            return redirect("victim_detail", public_id=result.victims[0])
        if decision == m.Judgement.SAME:
            messages.warning(request, _("Recorded, but an earlier decision keeps them apart: %(ids)s.")
                             % {"ids": ", ".join(result.victims)})
        else:
            messages.success(request, _("Decision recorded."))
        return redirect("review_queue")
    return render(request, "web/review_pair.html", {"a": va, "b": vb, "c": comparison, "score": score,
                                                     "form": form})


# ------------------------------------------------------------------ dashboard and facilities

@access.require("records.view_victim")
def dashboard(request: HttpRequest) -> HttpResponse:
    """Live counts and charts; aggregate claims beside documented counts."""
    audience = access.audience_of(request.user)
    return render(request, "web/dashboard.html", _stats_context(audience))


def _stats_context(audience: str) -> dict:
    counts = wsel.dashboard_counts(audience)

    def bars(rows):
        top = max((n for _, n in rows), default=0) or 1
        return [{"value": v, "n": n, "width": round(100 * n / top)} for v, n in rows]

    return {"counts": counts, "status_bars": bars(counts["by_status"]),
            "ethnicity_bars": bars(counts["by_ethnicity"]), "citizenship_bars": bars(counts["by_citizenship"]),
            "year_bars": bars(counts["by_year"]), "verification_bars": bars(counts["by_verification"]),
            "claims": m.AggregateClaim.objects.select_related("source").order_by("number"),
            "facility_count": m.Facility.objects.count(),
            "datasets": m.Source.objects.filter(facilities__isnull=False).distinct(),
            "mse": _recent_estimate()}


#: Seconds the dashboards reuse a multiple systems estimate after the data changed.
ESTIMATE_MAX_AGE = 600


def _recent_estimate() -> dict:
    """:func:`_estimate` for the current data; after a change, an estimate that took long to compute (a second or
    more at 100,000 victims) is reused for at most :data:`ESTIMATE_MAX_AGE` seconds, marked ``stale``; a cheap one
    (small databases) is recomputed at once. ``computed_at`` is an aware datetime for the page."""
    import datetime as dt

    e = wcache.recent_entry("estimate", [], _estimate, ESTIMATE_MAX_AGE)
    return {**e["value"], "computed_at": dt.datetime.fromtimestamp(e["computed_at"], dt.timezone.utc),
            "stale": e["stale"], "max_minutes": ESTIMATE_MAX_AGE // 60}


def _estimate() -> dict:
    """The multiple systems estimate as plain values for the pages (see reporting.database_estimate)."""
    from kuager.records.services.reporting import database_estimate

    result = database_estimate()
    e = result.get("estimate")
    return {"n_observed": result["n_observed"], "refused": result.get("refused", ""),
            "refused_code": result.get("refused_code", ""), "refused_params": result.get("refused_params", {}),
            "estimate": e.to_dict() if e is not None else None}


@access.require("records.view_victim")
def facility_list(request: HttpRequest) -> HttpResponse:
    """Facilities with their locations (coordinates and an offline sketch, no map tiles)."""
    return _facility_list(request, "web/facility_list.html")


def _facility_list(request, template):
    qs = m.Facility.objects.select_related("dataset").order_by("prefecture", "name", "id")
    place = request.GET.get("place", "").strip()
    if place:
        same = wsel.place_spellings(place)  # Ghulja also finds 伊宁县, Ili every county of the prefecture
        qs = qs.filter(Q(prefecture__icontains=place) | Q(town__icontains=place)
                       | Q(prefecture__in=same["prefecture"]) | Q(town__in=same["town"]))
    page = _page(request, qs)
    points = [(f.longitude, f.latitude) for f in m.Facility.objects.exclude(latitude=None).exclude(longitude=None)
              .only("latitude", "longitude")]
    sketch = _sketch(points)
    return render(request, template, {"page": page, "place": place, "sketch": sketch,
                                      "datasets": m.Source.objects.filter(facilities__isnull=False).distinct()})


def _sketch(points, width=600, height=360) -> dict:
    """Facility locations projected into an SVG box (equirectangular; Xinjiang's bounds)."""
    lon0, lon1, lat0, lat1 = 73.0, 97.0, 34.0, 50.0
    dots = [(round((lo - lon0) / (lon1 - lon0) * width, 1), round((lat1 - la) / (lat1 - lat0) * height, 1))
            for lo, la in points if lon0 <= lo <= lon1 and lat0 <= la <= lat1]
    return {"width": width, "height": height, "dots": dots}


# ------------------------------------------------------------------ public site

def public_home(request: HttpRequest) -> HttpResponse:
    """The public site's front page."""
    counts = wsel.dashboard_counts(access.PUBLIC)
    return render(request, "web/public/home.html", {"counts": counts})


def public_victims(request: HttpRequest) -> HttpResponse:
    """Published victims, search by any spelling; only what consent allows."""
    return _victim_list(request, access.PUBLIC, "web/public/victims.html")


def public_victim(request: HttpRequest, public_id: str) -> HttpResponse:
    """A published victim, through the redaction layer (404 when nothing may be shown)."""
    victim = get_object_or_404(m.Victim, public_id=public_id)
    return render(request, "web/public/victim.html", _profile_context(request, victim, access.PUBLIC))


def public_statistics(request: HttpRequest) -> HttpResponse:
    """Counts of published victims beside the aggregate claims."""
    return render(request, "web/public/statistics.html", _stats_context(access.PUBLIC))


def public_methodology(request: HttpRequest) -> HttpResponse:
    """How the data is collected and published; the data licence and credits."""
    return render(request, "web/public/methodology.html", {
        "sources": m.Source.objects.order_by("key"),
        "datasets": m.Source.objects.filter(facilities__isnull=False).distinct()})


def public_facilities(request: HttpRequest) -> HttpResponse:
    """Facilities with their locations, with the dataset's credit."""
    return _facility_list(request, "web/public/facilities.html")
