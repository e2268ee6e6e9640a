"""The JSON API (Django REST framework): the pages' reads and writes, with the same role rules.

Authentication: a token (``Authorization: Token <key>``, from ``kuager user
token USERNAME``; stored hashed, expiring, revocable, failures throttled:
:mod:`kuager.accounts.api_auth`) or the browser session (after the second
factor for editors and admins). Requests are rate-limited per user (DRF
throttling, ``KUAGER_API_RATE``). Answers that show a confidential record are
audited as ``view_confidential``, as the pages are. Every endpoint needs a signed-in user
with the permission the matching page needs (see docs/web.md):

- volunteers record testimonies (through
  :func:`kuager.records.services.intake.record_testimony`), read the ones they
  recorded, and look names up;
- viewers read what is not confidential;
- editors and admins read everything and write (publication, review decisions).

Reads go through the same selectors as the pages (:mod:`kuager.web.selectors`,
:func:`kuager.web.access.profile_for`, which uses the redaction layer
:mod:`kuager.records.redaction`), so an answer never holds more than the page
would show the same user. Views are thin: serializers check input and shape
output, services write.
"""

from __future__ import annotations

import re

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.decorators import api_view, parser_classes, permission_classes
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from kuager.errors import InputError, KuagerError
from kuager.records import models as m
from kuager.records import selectors as rsel
from kuager.records.services import intake as intake_service
from kuager.records.services import review as review_service
from kuager.web import access
from kuager.web import selectors as wsel

PAGE_SIZE = 50


# ----------------------------------------------------------------- permissions

def needs(*perms: str, any_of: bool = False) -> type[permissions.BasePermission]:
    """A DRF permission class: signed in, and holding all of ``perms`` (or one of them with ``any_of``)."""

    class Needs(permissions.BasePermission):
        message = "you do not have the permission this endpoint needs"

        def has_permission(self, request, view) -> bool:
            user = request.user
            if not (user and user.is_authenticated):
                return False
            return any(user.has_perm(p) for p in perms) if any_of else user.has_perms(perms)

    Needs.__name__ = "Needs_" + "_".join(p.split(".")[-1] for p in perms)
    return Needs


def _page_of(request: Request, items) -> tuple[Paginator, object]:
    paginator = Paginator(items, PAGE_SIZE)
    return paginator, paginator.get_page(request.query_params.get("page"))


def _paged(paginator, page, results: list) -> dict:
    return {"count": paginator.count, "page": page.number, "pages": paginator.num_pages, "results": results}


# ----------------------------------------------------------------- serializers (output)

class VictimRowSerializer(serializers.Serializer):
    public_id = serializers.CharField(source="victim.public_id")
    name = serializers.CharField()
    other_names = serializers.ListField(child=serializers.CharField())
    birth = serializers.CharField()
    testimonies = serializers.IntegerField()


class SourcedSerializer(serializers.Serializer):
    value = serializers.CharField()
    testimonies = serializers.ListField(child=serializers.CharField())


#: an event's facility (from a published dataset: no personal data), or null
_FACILITY_REF = inline_serializer("FacilityRef", {"id": serializers.IntegerField(), "name": serializers.CharField()},
                                  allow_null=True)


def _facility(event: m.Event) -> dict | None:
    """``{"id", "name"}`` of the event's facility, or None."""
    f = event.facility
    return {"id": f.id, "name": f.name} if f else None


class VictimSerializer(serializers.Serializer):
    """A victim's profile as the audience may see it (every value with the testimonies stating it)."""

    public_id = serializers.CharField()
    verification = serializers.CharField()
    status = serializers.CharField()
    names = serializers.ListField(child=inline_serializer("Name", {
        "text": serializers.CharField(), "script": serializers.CharField(),
        "testimonies": serializers.ListField(child=serializers.CharField())}))
    fields = serializers.DictField(child=SourcedSerializer(many=True))
    statuses = SourcedSerializer(many=True)
    timeline = serializers.ListField(child=inline_serializer("TimelineEntry", {
        "kind": serializers.CharField(), "date": serializers.CharField(), "place": serializers.CharField(),
        "facility": _FACILITY_REF, "testimony": serializers.CharField()}))
    testimonies = serializers.ListField(child=serializers.CharField())
    relatives = serializers.ListField(child=inline_serializer("Relative", {
        "testifier": serializers.CharField(), "relation": serializers.CharField(),
        "testimony": serializers.CharField()}))
    documents = serializers.ListField(child=inline_serializer("DocumentRef", {
        "key": serializers.CharField(), "kind": serializers.CharField(),
        "description": serializers.CharField(), "held": serializers.BooleanField()}))
    appeals = serializers.ListField(child=inline_serializer("AppealRef", {
        "authority": serializers.CharField(), "date": serializers.CharField(),
        "response_status": serializers.CharField()}))


def victim_data(victim: m.Victim, audience: str) -> dict | None:
    """The :class:`VictimSerializer` shape of ``victim`` for ``audience``, or None when nothing may be shown."""
    p = access.profile_for(victim, audience)
    if p is None:
        return None
    return {
        "public_id": victim.public_id,
        "verification": victim.verification,
        "status": rsel.current_status(p),
        "names": [{"text": t, "script": s, "testimonies": nums} for t, s, nums in p.names],
        "fields": {f.name: [{"value": s.value, "testimonies": s.testimonies} for s in f.values] for f in p.fields},
        "statuses": [{"value": s.value, "testimonies": s.testimonies} for s in p.status],
        "timeline": [{"kind": e.event.kind, "date": e.event.date_text, "place": e.event.place_text,
                      "facility": _facility(e.event), "testimony": e.testimony.number} for e in p.timeline],
        "testimonies": [t.number for t in p.testimonies],
        "relatives": [{"testifier": access.testifier_label(t, audience), "relation": rel, "testimony": t.number}
                      for _, rel, t in p.relatives],
        "documents": [{"key": d.key, "kind": d.kind, "description": d.description, "held": d.held}
                      for d in p.documents],
        "appeals": [{"authority": a.authority, "date": a.date_text, "response_status": a.response_status}
                    for a in p.appeals],
    }


class TestimonySummarySerializer(serializers.Serializer):
    number = serializers.CharField()
    recorded_on = serializers.CharField(source="recorded_on_text")
    channel = serializers.CharField()
    consent = serializers.CharField()
    recorded_by = serializers.CharField(source="recorded_by_name")


class TestimonySerializer(TestimonySummarySerializer):
    """A testimony as the user may see it (volunteers: their own, with the testifier's contact)."""

    language = serializers.CharField()
    confidential = serializers.BooleanField()
    testifier = serializers.CharField()
    testifier_contact = serializers.CharField(required=False)
    original_text = serializers.CharField()
    victims = serializers.ListField(child=inline_serializer("TestimonyVictim", {
        "mention": serializers.CharField(), "public_id": serializers.CharField(allow_null=True),
        "names": serializers.ListField(child=serializers.CharField()),
        "events": serializers.ListField(child=inline_serializer("TestimonyEvent", {
            "kind": serializers.CharField(), "date": serializers.CharField(),
            "place": serializers.CharField(), "facility": _FACILITY_REF}))}))


def testimony_data(t: m.Testimony, user) -> dict:
    """The :class:`TestimonySerializer` shape of ``t`` for ``user`` (who may open it: see access.testimonies_for)."""
    audience = access.audience_of(user)
    own = t.recorded_by_id == user.id
    mentions = t.mentions.prefetch_related("names", "events__facility").select_related("victim").order_by("key")
    if audience != access.INTERNAL and not own:
        mentions = [mn for mn in mentions if not mn.confidential]
    data = {
        "number": t.number, "recorded_on": t.recorded_on_text, "channel": t.channel, "consent": t.consent,
        "recorded_by": t.recorded_by_name, "language": t.language, "confidential": t.confidential,
        "testifier": access.testifier_label(t, access.INTERNAL if own else audience),
        "original_text": t.original_text,
        "victims": [{"mention": mn.key, "public_id": mn.victim.public_id if mn.victim else None,
                     "names": [n.text for n in mn.names.all()],
                     "events": [{"kind": e.kind, "date": e.date_text, "place": e.place_text,
                                 "facility": _facility(e)} for e in mn.events.all()]} for mn in mentions],
    }
    if audience == access.INTERNAL or own:
        data["testifier_contact"] = t.testifier.contact if t.testifier else ""
    return data


# ----------------------------------------------------------------- serializers (input)

#: names people send for a field that has another one here
_DID_YOU_MEAN = {"facility": "facility_id", "date": "date_text", "place": "place_text", "birth": "birth_date_text",
                 "testifier": "testifier_name", "recorded_on": "recorded_on_text"}


class StrictSerializer(serializers.Serializer):
    """An input serializer that refuses fields it does not know (HTTP 400 naming them) instead of dropping them.

    Raises:
        rest_framework.exceptions.ValidationError: ``{"<unknown field>": ["unknown field; did you mean
            facility_id? ..."]}`` (in a nested list, under the list's field and the item's position).
    """

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                known = ", ".join(sorted(self.fields))
                raise serializers.ValidationError({
                    k: [f"unknown field{'; did you mean ' + _DID_YOU_MEAN[k] + '?' if k in _DID_YOU_MEAN else ''}"
                        f" (the fields here: {known})"] for k in unknown})
        return super().to_internal_value(data)

class EventInputSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=m.EventKind.values)
    date_text = serializers.CharField(required=False, allow_blank=True, default="")
    place_text = serializers.CharField(required=False, allow_blank=True, default="")
    facility_id = serializers.IntegerField(required=False, allow_null=True, default=None)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class VictimInputSerializer(StrictSerializer):
    names = serializers.ListField(child=serializers.CharField(max_length=300), min_length=1)
    relation_of_testifier = serializers.CharField(required=False, allow_blank=True, default="")
    sex = serializers.ChoiceField(choices=["", "female", "male"], required=False, default="")
    birth_date_text = serializers.CharField(required=False, allow_blank=True, default="")
    age = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=0, max_value=130)
    ethnicity = serializers.CharField(required=False, allow_blank=True, default="")
    citizenship = serializers.CharField(required=False, allow_blank=True, default="")
    place_of_origin = serializers.CharField(required=False, allow_blank=True, default="")
    father_name = serializers.CharField(required=False, allow_blank=True, default="")
    chinese_id = serializers.CharField(required=False, allow_blank=True, default="")
    occupation = serializers.CharField(required=False, allow_blank=True, default="")
    description = serializers.CharField(required=False, allow_blank=True, default="")
    confidential = serializers.BooleanField(required=False, default=False)
    events = EventInputSerializer(many=True, required=False, default=list)


class AppealInputSerializer(StrictSerializer):
    authority = serializers.CharField(max_length=300)
    date_text = serializers.CharField(required=False, allow_blank=True, default="")
    description = serializers.CharField(required=False, allow_blank=True, default="")
    response_status = serializers.ChoiceField(choices=["unknown", "none", "answered"], required=False,
                                              default="unknown")
    response_text = serializers.CharField(required=False, allow_blank=True, default="")
    response_date_text = serializers.CharField(required=False, allow_blank=True, default="")
    victims = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list,
        help_text="the victims the appeal was about, numbered as in the testimony's victims list: 1 for the "
                  "first, 2 for the second... (as a document upload's victim); empty for every victim")


class TestimonyInputSerializer(StrictSerializer):
    """What the intake form holds (see :class:`kuager.records.services.intake.TestimonyInput`)."""

    victims = VictimInputSerializer(many=True)
    testifier_name = serializers.CharField(required=False, allow_blank=True, default="")
    testifier_anonymous = serializers.BooleanField(required=False, default=False)
    testifier_citizenship = serializers.CharField(required=False, allow_blank=True, default="")
    testifier_residence = serializers.CharField(required=False, allow_blank=True, default="")
    testifier_contact = serializers.CharField(required=False, allow_blank=True, default="")
    recorded_on_text = serializers.CharField(required=False, allow_blank=True, default="")
    channel = serializers.ChoiceField(choices=m.ChannelChoices.values, required=False,
                                      default=m.ChannelChoices.INTERVIEW)
    language = serializers.CharField(required=False, allow_blank=True, default="")
    original_text = serializers.CharField(required=False, allow_blank=True, default="")
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    consent = serializers.ChoiceField(choices=m.ConsentChoices.values, required=False,
                                      default=m.ConsentChoices.NONE)
    confidential = serializers.BooleanField(required=False, default=False)
    appeals = AppealInputSerializer(many=True, required=False, default=list)

    def to_input(self) -> intake_service.TestimonyInput:
        """The service's input (after ``is_valid()``)."""
        d = dict(self.validated_data)
        victims = [intake_service.VictimInput(**{**v, "events": [intake_service.EventInput(**e)
                                                                for e in v.get("events", [])]})
                   for v in d.pop("victims")]
        # the API numbers victims from 1 (as a document upload's ``victim``); the service from 0
        appeals = [intake_service.AppealInput(**{**a, "victims": [i - 1 for i in a.get("victims", [])]})
                   for a in d.pop("appeals", [])]
        return intake_service.TestimonyInput(victims=victims, appeals=appeals, **d)


class PublicationSerializer(StrictSerializer):
    published = serializers.BooleanField(required=False, allow_null=True, default=None)
    confidential = serializers.BooleanField(required=False, allow_null=True, default=None)


class DecisionSerializer(StrictSerializer):
    a = serializers.CharField(help_text="public id of one victim")
    b = serializers.CharField(help_text="public id of the other")
    decision = serializers.ChoiceField(choices=list(review_service.DECISIONS))
    note = serializers.CharField(required=False, allow_blank=True, default="")


def _audit_view(request: Request, obj, new: dict) -> None:
    """Record a ``view_confidential`` audit entry for ``obj`` (the pages do the same; see docs/protection.md)."""
    from kuager.audit.services import record

    record("view_confidential", obj, new=new, actor=f"api:{request.user.get_username()}")


def _error(exc: InputError) -> Response:
    return Response({"detail": str(exc), "field": getattr(exc, "field", None)}, status=status.HTTP_400_BAD_REQUEST)


# ----------------------------------------------------------------- victims

_FILTER_DOCS = {
    "status": (str, "the current status (an event kind, e.g. detained_camp)"),
    "ethnicity": (str, "as recorded, e.g. Kazakh"),
    "citizenship": (str, "as recorded, e.g. Kazakhstan"),
    "place": (str, "a prefecture, county or town in any script (Ghulja, Құлжа, 伊宁市...)"),
    "facility": (int, "a facility number (the id in /facilities/); anything else: 400"),
    "year": (int, "a year an event overlaps (1900-2100); anything else: 400"),
}
_FILTER_PARAMS = [OpenApiParameter(k, _FILTER_DOCS[k][0], required=False, description=_FILTER_DOCS[k][1])
                  for k in wsel.FILTERS]
_PAGED_ROWS = inline_serializer("VictimPage", {
    "count": serializers.IntegerField(), "page": serializers.IntegerField(), "pages": serializers.IntegerField(),
    "results": VictimRowSerializer(many=True)})


def _filters(request: Request) -> dict[str, str]:
    """The list filters of a request's query (:data:`kuager.web.selectors.FILTERS`).

    Raises:
        rest_framework.exceptions.ValidationError: (HTTP 400, ``{"facility": ["..."]}``) when ``facility``
            is not a facility number (a positive whole number) or ``year`` not a year (1900-2100): a filter
            that cannot be applied is refused rather than ignored.
    """
    filters = {k: request.query_params.get(k, "").strip() for k in wsel.FILTERS}
    errors = {}
    if filters["facility"] and not (filters["facility"].isdigit() and int(filters["facility"]) >= 1):
        errors["facility"] = [f"facility must be a facility number (a whole number, e.g. 12), not "
                              f"{filters['facility'][:50]!r}; /api/victims/?place= takes a town or prefecture"]
    if filters["year"] and not (filters["year"].isdigit() and 1900 <= int(filters["year"]) <= 2100):
        errors["year"] = [f"year must be a year between 1900 and 2100, not {filters['year'][:50]!r}"]
    if errors:
        raise serializers.ValidationError(errors)
    return filters


@extend_schema(operation_id="victims_list", responses=_PAGED_ROWS,
               parameters=[OpenApiParameter("q", str, required=False, description="a name in any script or a "
                                            "Chinese ID number"), OpenApiParameter("page", int, required=False),
                           *_FILTER_PARAMS])
@api_view(["GET"])
@permission_classes([needs("records.view_victim")])
def victims(request: Request) -> Response:
    """Victims the user may see: search by any spelling or Chinese ID number, filters, 50 a page."""
    audience = access.audience_of(request.user)
    q = request.query_params.get("q", "").strip()[:200]
    filters = _filters(request)
    if q:
        paginator, page = _page_of(request, wsel.search(q, audience, filters))
        found = page.object_list
    else:
        paginator, page = _page_of(request, wsel.victim_ids(audience, filters))
        found = wsel.victims_in_order(page.object_list)
    rows = wsel.victim_rows(found, audience)
    return Response(_paged(paginator, page, VictimRowSerializer(rows, many=True).data))


@extend_schema(operation_id="victims_retrieve", responses=VictimSerializer)
@api_view(["GET"])
@permission_classes([needs("records.view_victim")])
def victim(request: Request, public_id: str) -> Response:
    """One victim's profile: names in every script, sourced fields, timeline (404 when the user may see nothing)."""
    v = get_object_or_404(m.Victim, public_id=public_id)
    audience = access.audience_of(request.user)
    data = victim_data(v, audience)
    if data is None:
        raise Http404
    if audience == access.INTERNAL and (v.confidential or not v.published or any(
            mn.confidential or mn.testimony.confidential or mn.testimony.consent == m.ConsentChoices.NONE
            for mn in v.mentions.select_related("testimony"))):  # as the victim page: audited (issue 6)
        _audit_view(request, v, {"api": "victim", "confidential": v.confidential, "published": v.published})
    return Response(data)


@extend_schema(operation_id="victims_publication", request=PublicationSerializer, responses=PublicationSerializer)
@api_view(["POST"])
@permission_classes([needs("records.publish_victim")])
def victim_publication(request: Request, public_id: str) -> Response:
    """Publish or withhold a victim, or mark it confidential (editors)."""
    v = get_object_or_404(m.Victim, public_id=public_id)
    s = PublicationSerializer(data=request.data)
    s.is_valid(raise_exception=True)
    v = review_service.set_publication(v, **s.validated_data)
    return Response({"published": v.published, "confidential": v.confidential})


# ----------------------------------------------------------------- testimonies

_PAGED_TESTIMONIES = inline_serializer("TestimonyPage", {
    "count": serializers.IntegerField(), "page": serializers.IntegerField(), "pages": serializers.IntegerField(),
    "results": TestimonySummarySerializer(many=True)})


@extend_schema(methods=["GET"], operation_id="testimonies_list", responses=_PAGED_TESTIMONIES,
               parameters=[OpenApiParameter("page", int, required=False)],
               description="The testimonies the user may open (volunteers: the ones they recorded), 50 a page.")
@extend_schema(methods=["POST"], operation_id="testimonies_create", request=TestimonyInputSerializer,
               responses={201: TestimonySerializer},
               description="Record a testimony with its testifier, victims, events and appeals through the "
                           "intake service (volunteer, editor, admin). Answers 201 with the new number and each "
                           "victim's public id; files follow with POST /api/testimonies/{number}/documents/.")
@api_view(["GET", "POST"])
@permission_classes([needs("records.add_testimony", "records.view_testimony", any_of=True)])
def testimonies(request: Request) -> Response:
    """GET: the testimonies the user may open (volunteers: their own). POST: record one (intake service)."""
    if request.method == "POST":
        if not request.user.has_perm("records.add_testimony"):
            return Response({"detail": "you may not record testimonies"}, status=status.HTTP_403_FORBIDDEN)
        s = TestimonyInputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        try:
            t = intake_service.record_testimony(s.to_input(), user=request.user)
        except InputError as exc:
            return _error(exc)
        return Response(testimony_data(t, request.user), status=status.HTTP_201_CREATED)
    paginator, page = _page_of(request, access.testimonies_for(request.user))
    return Response(_paged(paginator, page, TestimonySummarySerializer(page.object_list, many=True).data))


@extend_schema(operation_id="testimonies_retrieve", responses=TestimonySerializer)
@api_view(["GET"])
@permission_classes([needs("records.add_testimony", "records.view_testimony", any_of=True)])
def testimony(request: Request, number: str) -> Response:
    """One testimony the user may open, with its victims and events."""
    t = get_object_or_404(access.testimonies_for(request.user), number=number)
    data = testimony_data(t, request.user)
    if "testifier_contact" in data or t.confidential:  # the testifier's identity is in the answer (issue 6)
        _audit_view(request, t, {"api": "testimony", "confidential": t.confidential, "consent": t.consent})
    return Response(data)


# ----------------------------------------------------------------- names, review, dashboard

@extend_schema(operation_id="names_lookup", parameters=[OpenApiParameter("q", str, required=True)],
               responses=inline_serializer("NameMatches", {
                   "query": serializers.CharField(),
                   "matches": serializers.ListField(child=inline_serializer("NameMatch", {
                       "public_id": serializers.CharField(), "name": serializers.CharField(),
                       "other_names": serializers.ListField(child=serializers.CharField()),
                       "birth": serializers.CharField(), "testimonies": serializers.IntegerField()}))}))
@api_view(["GET"])
@permission_classes([needs("records.search_names")])
def names(request: Request) -> Response:
    """Is this person already known? Names and public ids only, nothing confidential."""
    q = request.query_params.get("q", "").strip()[:200]
    return Response({"query": q, "matches": wsel.lookup(q, access.TEAM, limit=50) if q else []})


@extend_schema(operation_id="review_candidates", responses=inline_serializer("Candidates", {
    "results": serializers.ListField(child=inline_serializer("Candidate", {
        "a": serializers.CharField(), "b": serializers.CharField(),
        "score": serializers.FloatField(help_text="the linkage model's match probability (0-1)"),
        "keys": serializers.ListField(child=serializers.CharField(),
                                      help_text='"linkage model" (scored by the last resolve run) or the shared name keys'),
        "model": serializers.CharField(help_text='the model that scored it: "default:..." (trained on synthetic '
                                                 'data), "records:<UTC time>:..." (trained on the records) or "given:..."'),
        "levels": serializers.DictField(child=serializers.CharField(),
                                        help_text="comparison -> agreement level (what agrees and what differs)"),
        "scored_now": serializers.BooleanField(help_text="scored from the records as they are now, not by the "
                                                         "last resolve run")}))}))
@api_view(["GET"])
@permission_classes([needs("records.review_pairs")])
def review_candidates(request: Request) -> Response:
    """Pairs of victims that may be one person, most probable first (the linkage model's probability; editors)."""
    return Response({"results": [{"a": c.a.public_id, "b": c.b.public_id, "score": round(c.score, 4),
                                  "keys": c.keys, "model": c.model, "levels": c.levels, "scored_now": c.scored_now}
                                 for c in wsel.review_candidates()]})


@extend_schema(operation_id="review_decide", request=DecisionSerializer, responses=inline_serializer(
    "DecisionResult", {"victims": serializers.ListField(child=serializers.CharField()),
                       "withdrawn": serializers.IntegerField()}))
@api_view(["POST"])
@permission_classes([needs("records.review_pairs")])
def review_decide(request: Request) -> Response:
    """Decide a pair: same (merge), different or unsure, with a note (editors)."""
    s = DecisionSerializer(data=request.data)
    s.is_valid(raise_exception=True)
    d = s.validated_data
    a = get_object_or_404(m.Victim, public_id=d["a"])
    b = get_object_or_404(m.Victim, public_id=d["b"])
    if a.pk == b.pk:
        return Response({"detail": "a and b are the same victim"}, status=status.HTTP_400_BAD_REQUEST)
    try:
        result = review_service.decide_pair(a, b, d["decision"], user=request.user, note=d["note"],
                                            score=wsel.pair_score(a, b).score)
    except InputError as exc:
        return _error(exc)
    return Response({"victims": result.victims, "withdrawn": result.withdrawn})


@extend_schema(operation_id="dashboard", responses=inline_serializer("Dashboard", {
    "victims": serializers.IntegerField(), "testimonies": serializers.IntegerField(),
    "events": serializers.IntegerField(),
    **{k: serializers.ListField(child=serializers.ListField()) for k in (
        "by_status", "by_ethnicity", "by_citizenship", "by_year", "by_verification")}}))
@api_view(["GET"])
@permission_classes([needs("records.view_victim")])
def dashboard(request: Request) -> Response:
    """Counts of the victims the user may see (the dashboard's numbers)."""
    counts = wsel.dashboard_counts(access.audience_of(request.user))
    return Response({k: ([list(r) for r in v] if isinstance(v, list) else v) for k, v in counts.items()})


# ----------------------------------------------------------------- documents (uploads)

class DocumentUploadSerializer(serializers.Serializer):
    """A file for a testimony (multipart/form-data)."""

    file = serializers.FileField()
    kind = serializers.ChoiceField(choices=list(intake_service.DOCUMENT_KINDS), required=False, default="other")
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
    victim = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1,
                                      help_text="the person the file is about: 1 for the testimony's first "
                                                "victim, 2 for the second...; empty for the testimony as a whole")


class DocumentSerializer(serializers.Serializer):
    key = serializers.CharField()
    kind = serializers.CharField()
    description = serializers.CharField()
    sha256 = serializers.CharField(help_text="SHA-256 of the original as received")
    size = serializers.IntegerField()
    derived = serializers.BooleanField(help_text="an image copy without EXIF/GPS was made (pages show it)")
    mention = serializers.CharField(allow_null=True)


@extend_schema(operation_id="testimonies_documents_create", request={"multipart/form-data": DocumentUploadSerializer},
               responses={201: DocumentSerializer})
@api_view(["POST"])
@parser_classes([MultiPartParser])
@permission_classes([needs("records.add_testimony", "records.view_confidential", any_of=True)])
def testimony_documents(request: Request, number: str) -> Response:
    """Add a file to a testimony: editors to any, volunteers to those they recorded (as the page).

    Through the evidence service (:func:`kuager.records.services.intake.add_documents`): the original
    is kept by its SHA-256 as received, an image gets a derived copy without EXIF/GPS, and both are
    custody entries with the uploader as actor.
    """
    t = get_object_or_404(access.testimonies_for(request.user), number=number)
    if not access.may_add_documents(request.user, t):
        return Response({"detail": "you may not add files to this testimony"}, status=status.HTTP_403_FORBIDDEN)
    s = DocumentUploadSerializer(data=request.data)
    s.is_valid(raise_exception=True)
    d = s.validated_data
    doc_input = intake_service.DocumentInput(file=d["file"], name=d["file"].name, kind=d["kind"],
                                             description=d["description"],
                                             victim=d["victim"] - 1 if d["victim"] else None)
    try:
        doc = intake_service.add_documents(t, [doc_input], user=request.user)[0]
    except InputError as exc:
        return _error(exc)
    except KuagerError as exc:
        return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
    return Response({"key": doc.key, "kind": doc.kind, "description": doc.description, "sha256": doc.sha256,
                     "size": doc.size, "derived": bool(doc.derived_sha256),
                     "mention": doc.mention.key if doc.mention_id else None}, status=status.HTTP_201_CREATED)


# ----------------------------------------------------------------- public (no sign-in)

def public_victim_data(victim: m.Victim) -> dict | None:
    """:func:`victim_data` for the public (the redaction layer: consent and publication honoured),
    without document keys (a document is named by its description or kind, as on the public page)."""
    data = victim_data(victim, access.PUBLIC)
    if data is not None:
        data["documents"] = [{"key": "", "kind": d["kind"], "description": d["description"] or d["kind"],
                              "held": d["held"]} for d in data["documents"]]
    return data


@extend_schema(operation_id="public_victims_list", responses=_PAGED_ROWS, auth=[],
               parameters=[OpenApiParameter("q", str, required=False, description="a name in any script"),
                           OpenApiParameter("page", int, required=False), *_FILTER_PARAMS])
@api_view(["GET"])
@permission_classes([permissions.AllowAny])
def public_victims(request: Request) -> Response:
    """Published victims, as the public site lists them (anyone; only what consent allows), 50 a page."""
    q = request.query_params.get("q", "").strip()[:200]
    filters = _filters(request)
    if q:
        paginator, page = _page_of(request, wsel.search(q, access.PUBLIC, filters))
        found = page.object_list
    else:
        paginator, page = _page_of(request, wsel.victim_ids(access.PUBLIC, filters))
        found = wsel.victims_in_order(page.object_list)
    rows = wsel.victim_rows(found, access.PUBLIC)
    return Response(_paged(paginator, page, VictimRowSerializer(rows, many=True).data))


@extend_schema(operation_id="public_victims_retrieve", responses=VictimSerializer, auth=[])
@api_view(["GET"])
@permission_classes([permissions.AllowAny])
def public_victim(request: Request, public_id: str) -> Response:
    """A published victim's profile through the redaction layer (404 when nothing may be shown)."""
    v = get_object_or_404(m.Victim, public_id=public_id)
    data = public_victim_data(v)
    if data is None:
        raise Http404
    return Response(data)


# ----------------------------------------------------------------- documentation page (offline)

_SPHINX_ROLE = re.compile(r":(?:func|mod|class|meth|attr|data|exc|obj):`~?([^`]+)`")


def plain_text(text: str) -> str:
    """``text`` without Sphinx markup (``:func:`kuager.x.f``` -> ``kuager.x.f``, double backquotes dropped),
    for readers of the API's description and of /api/docs/."""
    return _SPHINX_ROLE.sub(r"\1", text or "").replace("``", "")


def clean_schema_texts(result, generator, request, public):
    """drf-spectacular post-processing hook (``SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]``): every
    ``description`` and ``summary`` of the schema in plain text (:func:`plain_text`). Returns the schema."""
    def walk(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if k in ("description", "summary") and isinstance(v, str):
                    node[k] = plain_text(v)
                else:
                    walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(result)
    return result


def api_docs(request):
    """A plain HTML page listing the endpoints from the OpenAPI schema (no CDN, no JavaScript)."""
    from django.shortcuts import render
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    endpoints = []
    for path, ops in sorted(schema.get("paths", {}).items()):
        for method, op in ops.items():
            if method in ("get", "post", "put", "patch", "delete"):
                endpoints.append({"method": method.upper(), "path": path, "id": op.get("operationId", ""),
                                  "description": plain_text(op.get("description") or "").strip(),
                                  "params": [p["name"] for p in op.get("parameters", []) if p.get("in") == "query"]})
    return render(request, "web/api_docs.html", {"endpoints": endpoints, "info": schema.get("info", {})})


# ----------------------------------------------------------------- index and unknown paths (JSON, not the HTML 404)

#: what ``/api/`` lists: name -> path (``{...}`` a value to fill in)
API_ENDPOINTS = {
    "victims": "/api/victims/", "victim": "/api/victims/{public_id}/",
    "victim_publication": "/api/victims/{public_id}/publication/",
    "testimonies": "/api/testimonies/", "testimony": "/api/testimonies/{number}/",
    "testimony_documents": "/api/testimonies/{number}/documents/",
    "names": "/api/names/", "review_candidates": "/api/review/candidates/",
    "review_decisions": "/api/review/decisions/", "dashboard": "/api/dashboard/",
    "public_victims": "/api/public/victims/", "public_victim": "/api/public/victims/{public_id}/",
}


def api_index(request):
    """``/api/``: a small JSON index: the schema, the documentation page and the endpoints (anyone; no data)."""
    from django.http import JsonResponse

    base = request.build_absolute_uri("/").rstrip("/")  # the {placeholders} stay readable (not %7B...%7D)
    return JsonResponse({
        "name": "Kuager API",
        "schema": base + "/api/schema/",
        "docs": base + "/api/docs/",
        "authentication": "Authorization: Token KEY (kuager user token NAME); /api/public/ needs none",
        "endpoints": {k: base + v for k, v in API_ENDPOINTS.items()},
    })


def api_not_found(request, rest: str = ""):
    """Any other path under ``/api/``: 404 as JSON (an API client gets no HTML page)."""
    from django.http import JsonResponse

    return JsonResponse({"detail": "no such API endpoint", "index": request.build_absolute_uri("/api/")},
                        status=404)
