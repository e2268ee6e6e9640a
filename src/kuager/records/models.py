"""The documentation model: testimony first, every fact sourced.

Follows the HURIDOCS Events Standard Formats (ESF, 2001) where they fit, and the
Xinjiang victim-database practice of one entry per victim built from numbered
testimonies:

- :class:`Source`: a document or collection (an article, a list, a register).
- :class:`Testimony`: one numbered statement, from one :class:`Testifier`,
  recorded from a source; it carries consent to publish.
- :class:`Mention`: one person as described in one testimony (ESF "victim" as
  reported); names in any script are :class:`MentionName` rows.
- :class:`Victim`: the resolved person, the set of mentions judged to be one
  person. Its profile is derived from the mentions (see
  :func:`kuager.records.selectors.victim_profile`), never typed in twice.
- :class:`Event`: a dated act or status (ESF "act"), sourced by its testimony,
  about a mention (or about unnamed persons when the testimony names nobody).
- :class:`Appeal`: ESF "intervention": an appeal to an authority and its answer.
- :class:`Document`: an attached or described file (ID copy, photo, letter).
- :class:`AggregateClaim`: a number someone claimed, kept apart from counts.
- :class:`Place` and :class:`Facility`: the gazetteer.
- :class:`ImportBatch`: one import run, for provenance.

Partial dates are stored as ``*_start``, ``*_end``, ``*_precision`` and
``*_text`` (see :mod:`kuager.dates`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from kuager.dates import PRECISIONS, PartialDate, note_of
from kuager.records.fields import BlindIndexField, EncryptedCharField, EncryptedTextField

PRECISION_CHOICES = [(p, p) for p in PRECISIONS]


class ConsentChoices(models.TextChoices):
    NONE = "none", "none: nothing may be published"
    ANONYMOUS = "anonymous", "anonymous: facts without the testifier's identity"
    FULL = "full", "full: may be published with names"


class ChannelChoices(models.TextChoices):
    INTERVIEW = "interview", "interview"
    PHONE_CALL = "phone_call", "phone call"
    VIDEO = "video", "video"
    WRITTEN_PETITION = "written_petition", "written petition"
    MEDIA_REPORT = "media_report", "media report"
    LEAKED_DOCUMENT = "leaked_document", "leaked document"
    OFFICIAL_RESPONSE = "official_response", "official response"
    OTHER = "other", "other"


class ScriptChoices(models.TextChoices):
    CYRILLIC = "Cyrillic", "Cyrillic"
    LATIN = "Latin", "Latin"
    HAN = "Han", "Chinese characters"
    ARABIC = "Arabic", "Arabic script"
    MIXED = "mixed", "mixed"
    UNKNOWN = "unknown", "unknown"


class SexChoices(models.TextChoices):
    FEMALE = "female", "female"
    MALE = "male", "male"
    UNKNOWN = "", "unknown"


class EventKind(models.TextChoices):
    """Acts and statuses (ESF "type of act", adapted to detentions in the XUAR)."""

    LOST_CONTACT = "lost_contact", "lost contact"
    SUMMONED = "summoned", "summoned"
    TRAVELLED_TO_CHINA = "travelled_to_china", "travelled to China"
    PASSPORT_CONFISCATED = "passport_confiscated", "passport confiscated"
    INTERROGATED = "interrogated", "interrogated"
    DETAINED = "detained", "detained"
    DETAINED_CAMP = "detained_camp", "detained in a camp"
    DETAINED_DETENTION_CENTRE = "detained_detention_centre", "held in a detention centre"
    DETAINED_PRISON = "detained_prison", "imprisoned"
    SENTENCED = "sentenced", "sentenced"
    TRANSFERRED = "transferred", "transferred"
    RELEASED = "released", "released"
    DIED = "died", "died"
    DISAPPEARED = "disappeared", "disappeared"
    HARASSED = "harassed", "harassed or threatened"
    OTHER = "other", "other"


#: Event kinds that count as the person being held (for "status" counts).
DETENTION_KINDS = {
    EventKind.DETAINED, EventKind.DETAINED_CAMP, EventKind.DETAINED_DETENTION_CENTRE,
    EventKind.DETAINED_PRISON, EventKind.SENTENCED, EventKind.TRANSFERRED,
}


class VerificationTier(models.TextChoices):
    """How well a victim's case is established (highest applicable tier)."""

    UNVERIFIED = "unverified", "unverified"
    SINGLE_TESTIMONY = "single_testimony", "one testimony"
    CORROBORATED = "corroborated", "corroborated by two or more independent testimonies"
    DOCUMENTED = "documented", "documented (identity or official document held)"


class TimeStamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


def _partial(obj, prefix: str) -> PartialDate:
    return PartialDate(getattr(obj, f"{prefix}_start"), getattr(obj, f"{prefix}_end"),
                       getattr(obj, f"{prefix}_precision"), getattr(obj, f"{prefix}_text"),
                       note_of(getattr(obj, f"{prefix}_text")))


def _set_partial(obj, prefix: str, value: PartialDate) -> None:
    setattr(obj, f"{prefix}_start", value.start)
    setattr(obj, f"{prefix}_end", value.end)
    setattr(obj, f"{prefix}_precision", value.precision)
    setattr(obj, f"{prefix}_text", value.text)


def partial_date_property(prefix: str) -> property:
    """A :class:`~kuager.dates.PartialDate` read from and written to the fields ``<prefix>_start``,
    ``<prefix>_end``, ``<prefix>_precision`` and ``<prefix>_text``."""
    return property(lambda self: _partial(self, prefix), lambda self, value: _set_partial(self, prefix, value),
                    doc=f"The partial date stored in the {prefix}_* fields.")


class ImportBatch(models.Model):
    """One run of ``kuager import``: what file, when, and what it changed."""

    file_name = models.CharField(max_length=500)
    sha256 = models.CharField(max_length=64, db_index=True)
    format = models.CharField(max_length=40)
    mapping = models.CharField(max_length=500, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    counts = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"{self.file_name} ({self.started_at:%Y-%m-%d %H:%M})"


class Source(TimeStamped):
    """A document or collection that testimonies or claims come from.

    ``key`` identifies it across imports (e.g. ``opendemocracy-2018``).
    """

    key = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=500)
    kind = models.CharField(max_length=40, default="article")  # article, list, register, ngo_file, dataset
    publisher = models.CharField(max_length=300, blank=True)
    author = models.CharField(max_length=300, blank=True)
    published_on = models.CharField(max_length=40, blank=True)
    url = models.CharField(max_length=1000, blank=True)
    license = models.CharField(max_length=300, blank=True)
    attribution = models.CharField(max_length=500, blank=True)
    text = EncryptedTextField(blank=True)  # a source's full text names testifiers: encrypted at rest
    sha256 = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return self.title


class Testifier(TimeStamped):
    """A person who gives testimony. Identity fields are confidential.

    ``name``, ``residence`` and ``contact`` are encrypted at rest (they cannot be
    filtered in SQL); ``name_index`` is a blind index of the name, and
    :meth:`with_name` finds testifiers by exact name through it.
    """

    name = EncryptedCharField(max_length=300, blank=True)
    name_index = BlindIndexField(source="name")
    anonymous = models.BooleanField(default=False)
    citizenship = models.CharField(max_length=200, blank=True)
    residence = EncryptedCharField(max_length=300, blank=True)
    contact = EncryptedTextField(blank=True)

    @classmethod
    def with_name(cls, name: str):
        """Testifiers whose name is ``name`` (after NFC and white-space normalisation), as a queryset."""
        return cls.objects.filter(name_index__in=cls._meta.get_field("name_index").lookup_values(name))

    def __str__(self) -> str:
        return "(anonymous testifier)" if self.anonymous or not self.name else self.name


class Testimony(TimeStamped):
    """One numbered statement (ESF "source material" with its "source").

    ``number`` identifies a testimony across imports. ``collection`` names the
    list it belongs to for multiple systems estimation (by default the source key).
    """

    number = models.CharField(max_length=50, unique=True)
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.PROTECT, related_name="testimonies")
    attribution = models.CharField(max_length=500, blank=True)
    collection = models.CharField(max_length=100, blank=True, db_index=True)
    testifier = models.ForeignKey(Testifier, null=True, blank=True, on_delete=models.PROTECT, related_name="testimonies")
    recorded_on_start = models.DateField(null=True, blank=True)
    recorded_on_end = models.DateField(null=True, blank=True)
    recorded_on_precision = models.CharField(max_length=10, choices=PRECISION_CHOICES, default="unknown")
    recorded_on_text = models.CharField(max_length=100, blank=True)
    channel = models.CharField(max_length=30, choices=ChannelChoices.choices, default=ChannelChoices.OTHER)
    channel_text = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=20, blank=True)
    original_text = EncryptedTextField(blank=True)  # always encrypted, confidential or not
    notes = EncryptedTextField(blank=True)  # spreadsheet cells no target took: may name anyone
    consent = models.CharField(max_length=10, choices=ConsentChoices.choices, default=ConsentChoices.NONE)
    confidential = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    recorded_by_name = models.CharField(max_length=200, blank=True)
    import_batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.SET_NULL)
    row_fingerprint = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["number"]
        verbose_name_plural = "testimonies"

    recorded_on = partial_date_property("recorded_on")

    def __str__(self) -> str:
        return self.number


class Victim(TimeStamped):
    """The resolved person: the mentions judged to be one person.

    The profile (names, birth, ethnicity, status...) is derived from the
    mentions by :func:`kuager.records.selectors.victim_profile`.
    """

    public_id = models.CharField(max_length=20, unique=True)
    display_name = models.CharField(max_length=300, blank=True)
    verification = models.CharField(max_length=20, choices=VerificationTier.choices,
                                    default=VerificationTier.UNVERIFIED)
    verification_locked = models.BooleanField(default=False, help_text="set by an editor; resolve keeps it")
    confidential = models.BooleanField(default=False)
    published = models.BooleanField(default=True)
    #: An editor chose not to publish it (``set_publication(published=False)``: the publication
    #: form or the API); cleared when an editor publishes it. A victim not published and not
    #: withheld is waiting for an editor (e.g. a volunteer's new record).
    withheld = models.BooleanField(default=False, help_text="an editor chose not to publish it")
    #: Stored, derived (kuager.records.services.derived.refresh_visibility): the victim has a mention
    #: the team may see (not confidential, nor its testimony, nor the victim).
    visible_team = models.BooleanField(default=False, editable=False)
    #: Stored, derived: the victim has a mention the public may see (as visible_team, and the
    #: testimony's consent is not "none", and the victim is published).
    visible_public = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["public_id"]
        indexes = [models.Index(fields=["visible_team", "public_id"], name="victim_team_order"),
                   models.Index(fields=["visible_public", "public_id"], name="victim_public_order")]

    def __str__(self) -> str:
        return f"{self.public_id} {self.display_name}"


class Mention(TimeStamped):
    """One person as described in one testimony; what linkage joins.

    ``key`` is stable across re-imports of the same testimony (e.g. ``T-002/v1``).
    """

    key = models.CharField(max_length=120, unique=True)
    testimony = models.ForeignKey(Testimony, on_delete=models.CASCADE, related_name="mentions")
    victim = models.ForeignKey(Victim, null=True, blank=True, on_delete=models.SET_NULL, related_name="mentions")
    relation_of_testifier = models.CharField(max_length=100, blank=True)
    sex = models.CharField(max_length=10, choices=SexChoices.choices, blank=True)
    birth_date_text = models.CharField(max_length=40, blank=True)
    birth_year_min = models.IntegerField(null=True, blank=True)
    birth_year_max = models.IntegerField(null=True, blank=True)
    age = models.IntegerField(null=True, blank=True)
    age_as_of_text = models.CharField(max_length=40, blank=True)
    ethnicity = models.CharField(max_length=100, blank=True)
    citizenship = models.CharField(max_length=200, blank=True)
    place_of_origin = models.CharField(max_length=300, blank=True)
    place = models.ForeignKey("Place", null=True, blank=True, on_delete=models.SET_NULL)
    father_name = models.CharField(max_length=200, blank=True)
    chinese_id = models.CharField(max_length=18, blank=True, db_index=True)
    occupation = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    confidential = models.BooleanField(default=False)
    #: Stored, derived from this mention's events (kuager.records.services.derived.refresh_status):
    #: the kind of its current status event by kuager.records.selectors.status_order; "" when none.
    status_kind = models.CharField(max_length=40, blank=True, default="", db_index=True, editable=False)
    #: Stored, derived from this mention's events (same keeper): the years its dated events overlap,
    #: ascending, space-separated ("2017 2018 2019"); what the year filter reads.
    event_years = models.CharField(max_length=500, blank=True, default="", editable=False)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        first = self.names.first()
        return f"{self.key}: {first.text if first else '(no name)'}"


class MentionName(models.Model):
    """One spelling of a mentioned person's full name, with its script."""

    mention = models.ForeignKey(Mention, on_delete=models.CASCADE, related_name="names")
    text = models.CharField(max_length=300)
    script = models.CharField(max_length=10, choices=ScriptChoices.choices, default=ScriptChoices.UNKNOWN)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["mention", "position"]

    def __str__(self) -> str:
        return self.text


class NameKey(models.Model):
    """A search and blocking key of a name (from :func:`kuager.names.keys`)."""

    name = models.ForeignKey(MentionName, on_delete=models.CASCADE, related_name="keys")
    key = models.CharField(max_length=200, db_index=True)


class Event(TimeStamped):
    """A dated act or status (ESF "act"), sourced by its testimony.

    ``mention`` is the person it happened to as the testimony describes them;
    it is empty when the testimony names nobody (``subject`` then says who).
    """

    key = models.CharField(max_length=160, unique=True)
    testimony = models.ForeignKey(Testimony, on_delete=models.CASCADE, related_name="events")
    mention = models.ForeignKey(Mention, null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    subject = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=40, choices=EventKind.choices)
    kind_text = models.CharField(max_length=300, blank=True)
    date_start = models.DateField(null=True, blank=True)
    date_end = models.DateField(null=True, blank=True)
    date_precision = models.CharField(max_length=10, choices=PRECISION_CHOICES, default="unknown")
    date_text = models.CharField(max_length=100, blank=True)
    place_text = models.CharField(max_length=300, blank=True)
    place = models.ForeignKey("Place", null=True, blank=True, on_delete=models.SET_NULL)
    facility = models.ForeignKey("Facility", null=True, blank=True, on_delete=models.SET_NULL)
    reason_given = models.CharField(max_length=500, blank=True)
    reason_suspected = models.CharField(max_length=500, blank=True)
    sentence_term = models.CharField(max_length=100, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["date_start", "key"]

    date = partial_date_property("date")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.date})"


class Appeal(TimeStamped):
    """ESF "intervention": an appeal to an authority on behalf of victims, and its answer.

    ``response_status``: ``unknown`` (nothing recorded), ``none`` (the appellant
    says no answer came), ``answered``.
    """

    key = models.CharField(max_length=160, unique=True)
    testimony = models.ForeignKey(Testimony, null=True, blank=True, on_delete=models.CASCADE, related_name="appeals")
    mentions = models.ManyToManyField(Mention, blank=True, related_name="appeals")
    authority = models.CharField(max_length=300)
    sender = EncryptedCharField(max_length=300, blank=True)  # the testifier's name: encrypted at rest
    description = models.TextField(blank=True)
    date_start = models.DateField(null=True, blank=True)
    date_end = models.DateField(null=True, blank=True)
    date_precision = models.CharField(max_length=10, choices=PRECISION_CHOICES, default="unknown")
    date_text = models.CharField(max_length=100, blank=True)
    response_status = models.CharField(max_length=10, default="unknown",
                                       choices=[("unknown", "unknown"), ("none", "no response"), ("answered", "answered")])
    response_text = models.TextField(blank=True)
    response_date_start = models.DateField(null=True, blank=True)
    response_date_end = models.DateField(null=True, blank=True)
    response_date_precision = models.CharField(max_length=10, choices=PRECISION_CHOICES, default="unknown")
    response_date_text = models.CharField(max_length=100, blank=True)

    date = partial_date_property("date")

    response_date = partial_date_property("response_date")

    def __str__(self) -> str:
        return f"appeal to {self.authority}"


class Document(TimeStamped):
    """A file attached to a testimony (ID copy, photo, letter), or one described but not held.

    ``sha256`` is the hash of the original bytes at intake; empty when no file is held.
    Held files are kept by :mod:`kuager.records.services.evidence`; ``derived_sha256``
    is the copy with EXIF/GPS removed that pages show. Every access and derivation
    is a :class:`CustodyEntry`.
    """

    key = models.CharField(max_length=160, unique=True)
    testimony = models.ForeignKey(Testimony, on_delete=models.CASCADE, related_name="documents")
    mention = models.ForeignKey(Mention, null=True, blank=True, on_delete=models.SET_NULL, related_name="documents")
    kind = models.CharField(max_length=30, default="other")  # id_copy, passport_copy, photo, letter, other
    description = models.CharField(max_length=500, blank=True)
    original_name = EncryptedCharField(max_length=300, blank=True)  # file names often carry personal names
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    size = models.BigIntegerField(null=True, blank=True)
    media_type = models.CharField(max_length=100, blank=True)
    derived_sha256 = models.CharField(max_length=64, blank=True)  # the shown copy (metadata removed), if any
    file_key = EncryptedTextField(null=True, blank=True, editable=False)  # the held files' own AES key (base64)

    @property
    def held(self) -> bool:
        return bool(self.sha256)

    def __str__(self) -> str:
        return self.description or self.original_name


class CustodyEntry(models.Model):
    """One link in a held file's chain of custody (Berkeley Protocol, ch. VI): what was done, by whom, when.

    ``sha256`` is the hash of the bytes concerned (the original at intake,
    access and verify; the derived copy at derive), as computed at that moment.
    Entries are never edited; a document with custody entries cannot be deleted.
    """

    INTAKE, DERIVE, ACCESS, VERIFY, EXPORT = "intake", "derive", "access", "verify", "export"
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="custody")
    action = models.CharField(max_length=10, choices=[(a, a) for a in (INTAKE, DERIVE, ACCESS, VERIFY, EXPORT)])
    actor = models.CharField(max_length=200)
    at = models.DateTimeField(auto_now_add=True)
    sha256 = models.CharField(max_length=64, blank=True)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["document", "at", "id"]
        verbose_name_plural = "custody entries"

    def __str__(self) -> str:
        return f"{self.document_id} {self.action} {self.at:%Y-%m-%d %H:%M:%S} {self.actor}"


class AggregateClaim(TimeStamped):
    """A number someone claimed ("160 convicted"), kept apart from documented counts."""

    number = models.CharField(max_length=50, unique=True)
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.PROTECT, related_name="claims")
    claimed_by = models.CharField(max_length=300)
    reported_in = models.CharField(max_length=300, blank=True)
    date_start = models.DateField(null=True, blank=True)
    date_end = models.DateField(null=True, blank=True)
    date_precision = models.CharField(max_length=10, choices=PRECISION_CHOICES, default="unknown")
    date_text = models.CharField(max_length=100, blank=True)
    scope = models.CharField(max_length=300)
    measure = models.CharField(max_length=300)
    value = models.BigIntegerField(null=True, blank=True)
    value_max = models.BigIntegerField(null=True, blank=True)
    unit = models.CharField(max_length=50, blank=True)
    note = models.TextField(blank=True)
    row_fingerprint = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["number"]

    date = partial_date_property("date")

    @property
    def value_text(self) -> str:
        """The claim as words: "47", "up to 500", "3,000–5,000"."""
        if self.value is not None and self.value_max is not None:
            return f"{self.value:,}–{self.value_max:,}"
        if self.value_max is not None:
            return f"up to {self.value_max:,}"
        return f"{self.value:,}" if self.value is not None else "?"

    def __str__(self) -> str:
        return f"{self.number}: {self.value_text} {self.measure}"


class Place(models.Model):
    """A place in the gazetteer (prefecture, county, town, village), with names in several scripts."""

    name = models.CharField(max_length=300)
    name_zh = models.CharField(max_length=300, blank=True)
    name_ug = models.CharField(max_length=300, blank=True)
    name_kk = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=40, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)

    class Meta:
        unique_together = [("name", "kind", "parent")]

    def __str__(self) -> str:
        return self.name


class Facility(models.Model):
    """A camp, detention centre or prison from a published dataset.

    ``dataset`` is the :class:`Source` it came from (its attribution must be shown
    wherever the facility is); ``raw`` keeps every column as published.
    """

    dataset = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="facilities")
    source_id = models.CharField(max_length=50)
    sub_id = models.CharField(max_length=50, blank=True)
    name = models.CharField(max_length=300)
    town = models.CharField(max_length=200, blank=True)
    prefecture = models.CharField(max_length=200, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    facility_type = models.CharField(max_length=200, blank=True)
    corroboration = models.CharField(max_length=200, blank=True)
    raw = models.JSONField(default=dict)

    class Meta:
        ordering = ["dataset", "source_id", "sub_id"]
        unique_together = [("dataset", "source_id", "sub_id")]
        verbose_name_plural = "facilities"

    def __str__(self) -> str:
        return self.name


class Judgement(models.Model):
    """A decision about whether two mentions are the same person (appended, never edited).

    People's decisions (``source="human"``) always override the model on later
    runs of ``kuager resolve``. A judgement is withdrawn by setting
    ``withdrawn_at``, never deleted, so the history of decisions is kept.
    Modelled on nomenklatura's judgements (positive, negative, unsure).
    """

    SAME, DIFFERENT, UNSURE = "same", "different", "unsure"
    mention_a = models.ForeignKey(Mention, on_delete=models.CASCADE, related_name="+")
    mention_b = models.ForeignKey(Mention, on_delete=models.CASCADE, related_name="+")
    decision = models.CharField(max_length=10, choices=[(SAME, SAME), (DIFFERENT, DIFFERENT), (UNSURE, UNSURE)])
    source = models.CharField(max_length=10, default="human")  # human | model
    score = models.FloatField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    decided_at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["decided_at", "id"]

    def __str__(self) -> str:
        return f"{self.mention_a_id} {self.decision} {self.mention_b_id}"


class IdSequence(models.Model):
    """A counter that only goes up, so a public id (V-00002) is never given to another person.

    Published links to a victim must not come to point at someone else after a
    merge removes a victim and a later unmerge makes a new one.
    """

    name = models.CharField(max_length=40, unique=True)
    last = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}: {self.last}"


class VictimRedirect(models.Model):
    """A public id a merge removed, and the victim that now holds its mentions.

    Cited links (``/public/victims/V-00006/``) keep working: the pages answer 301
    to ``victim`` (when the reader may see it). ``mentions`` are the ids of the
    mentions the removed victim held, so an unmerge can point the old id at
    whichever victim holds most of them afterwards.
    """

    public_id = models.CharField(max_length=20, unique=True)
    victim = models.ForeignKey(Victim, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    mentions = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.public_id} -> {self.victim_id}"


class ReviewCandidate(models.Model):
    """A pair of mentions the linkage model was unsure about, waiting for a person to decide.

    Replaced on every run of ``kuager resolve``; people's answers are
    :class:`Judgement` rows, which outlive the candidates.

    ``levels`` maps each comparison to the label of its agreement level (what
    agrees and what differs), e.g. ``{"birth_year": "within 1 year"}``.
    """

    mention_a = models.ForeignKey(Mention, on_delete=models.CASCADE, related_name="+")
    mention_b = models.ForeignKey(Mention, on_delete=models.CASCADE, related_name="+")
    probability = models.FloatField()
    levels = models.JSONField(default=dict)
    #: the model that scored it (``kuager.records.services.linkage_model.ModelInfo.key``:
    #: ``default:...``, ``records:<time>:...`` or ``given:...``; "" before this was kept)
    model = models.CharField(max_length=80, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-probability", "id"]

    def __str__(self) -> str:
        return f"{self.mention_a_id} ? {self.mention_b_id} ({self.probability:.2f})"


class DataVersion(models.Model):
    """One row: a counter moved after every committed change to the records the pages count.

    Every process (web workers, the CLI) moves it after a transaction that
    changed victims, mentions, names, testimonies, events or judgements
    commits, and the web pages' cache keys include it
    (:mod:`kuager.web.cache`), so a change made by any process is seen by all.
    """

    n = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.n)


class Setting(models.Model):
    """A named value the instance keeps about itself, e.g. ``name_key_rules``.

    ``name_key_rules`` holds :func:`kuager.names.rules_fingerprint` of the rules that
    made the stored :class:`NameKey` rows (see
    :func:`kuager.records.services.names.ensure_current_keys`).
    """

    name = models.CharField(max_length=60, unique=True)
    value = models.TextField(blank=True, default="")

    def __str__(self) -> str:
        return f"{self.name}={self.value}"
