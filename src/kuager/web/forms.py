"""Forms: thin; they check and convert input, the services write.

The intake page is one HTML form made of several Django forms with prefixes:
``t`` (testimony and testifier), ``v1``, ``v2``... (victims), ``v1-e1``...
(events of victim 1) and ``a1``... (appeals). Hidden counters say how many
blocks the page holds (the page's JavaScript adds blocks).
"""

from __future__ import annotations

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kuager import vocabulary
from kuager.dates import parse_partial_date
from kuager.errors import InputError
from kuager.records import models as m
from kuager.records.services import intake
from kuager.web import labels

MAX_VICTIMS, MAX_EVENTS, MAX_APPEALS = 20, 30, 20
#: File rows on the intake page.
INTAKE_DOCUMENTS = 3
#: Largest upload accepted through the pages (bytes).
MAX_UPLOAD = 50 * 1024 ** 2


def _date_field(label, help_text=""):
    return forms.CharField(label=label, required=False, max_length=100,
                           help_text=help_text or _("As said: 2018, May 2018, mid-2017, 2017 or 2018, unknown"))


def _clean_date(value: str) -> str:
    try:
        parse_partial_date(value)
    except InputError:
        raise forms.ValidationError(_("Not a date we can read. Write for example 2018, May 2018, 2018-05-12, "
                                      "mid-2017, 2017-2018 or unknown."))
    return value.strip()


class DateCleaning:
    date_fields: tuple[str, ...] = ()

    def clean(self):
        data = super().clean()
        for f in self.date_fields:
            if f in data and data[f]:
                try:
                    data[f] = _clean_date(data[f])
                except forms.ValidationError as exc:
                    self.add_error(f, exc)
        return data


class TestimonyForm(DateCleaning, forms.Form):
    """The testimony and its testifier."""

    date_fields = ("recorded_on_text",)
    testifier_name = forms.CharField(label=_("Testifier's name"), required=False, max_length=300)
    testifier_anonymous = forms.BooleanField(label=_("The testifier asks not to be named"), required=False)
    testifier_citizenship = forms.CharField(label=_("Testifier's citizenship"), required=False, max_length=200)
    testifier_residence = forms.CharField(label=_("Testifier's residence"), required=False, max_length=300)
    testifier_contact = forms.CharField(label=_("Contact (confidential)"), required=False,
                                        widget=forms.Textarea(attrs={"rows": 2}))
    recorded_on_text = _date_field(_("Date of the statement"))
    channel = forms.ChoiceField(label=_("How it was given"), initial=m.ChannelChoices.INTERVIEW,
                                choices=[(k, v) for k, v in labels.CHANNELS.items()])
    language = forms.CharField(label=_("Language of the statement"), required=False, max_length=20)
    consent = forms.ChoiceField(label=_("Consent to publish"), initial=m.ConsentChoices.NONE,
                                choices=[(k, v) for k, v in labels.CONSENT.items()])
    confidential = forms.BooleanField(label=_("Confidential: for editors only"), required=False)
    original_text = forms.CharField(label=_("The statement in the testifier's words"), required=False,
                                    widget=forms.Textarea(attrs={"rows": 5}))
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class VictimForm(DateCleaning, forms.Form):
    """One victim: names (one spelling per line, any script) and what is known."""

    date_fields = ("birth_date_text",)
    names = forms.CharField(label=_("Names"), widget=forms.Textarea(attrs={"rows": 3, "class": "names",
                                                                           "dir": "auto"}),
                            help_text=_("One spelling per line, in any script: Cyrillic, Latin, Arabic script, "
                                        "Chinese characters."))
    relation_of_testifier = forms.CharField(label=_("Relation to the testifier"), required=False, max_length=100)
    sex = forms.ChoiceField(label=_("Sex"), required=False,
                            choices=[("", _("unknown")), ("female", _("female")), ("male", _("male"))])
    birth_date_text = _date_field(_("Born"))
    age = forms.IntegerField(label=_("Age at the statement"), required=False, min_value=0, max_value=130)
    ethnicity = forms.CharField(label=_("Ethnicity"), required=False, max_length=100)
    citizenship = forms.CharField(label=_("Citizenship"), required=False, max_length=200)
    place_of_origin = forms.CharField(label=_("Place of origin"), required=False, max_length=300)
    father_name = forms.CharField(label=_("Father's name"), required=False, max_length=200)
    chinese_id = forms.CharField(label=_("Chinese ID number"), required=False, max_length=30)
    occupation = forms.CharField(label=_("Occupation"), required=False, max_length=200)
    description = forms.CharField(label=_("What else the testifier says about them"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    confidential = forms.BooleanField(label=_("Confidential: for editors only"), required=False)

    def clean_names(self) -> list[str]:
        lines = [" ".join(x.split()) for x in self.cleaned_data["names"].splitlines()]
        lines = [x for x in lines if x]
        if not lines:
            raise forms.ValidationError(_("Give at least one name."))
        from django.core.validators import MaxLengthValidator

        limit = m.MentionName._meta.get_field("text").max_length
        for x in lines:  # PostgreSQL refuses a longer name (found by tests/protection/test_hostile_formats.py)
            MaxLengthValidator(limit)(x)
        return list(dict.fromkeys(lines))

    def clean_chinese_id(self) -> str:
        try:
            return intake.check_chinese_id(self.cleaned_data["chinese_id"])
        except InputError:
            raise forms.ValidationError(_("Not a valid Chinese ID number: 17 digits and a check digit or X "
                                          "that matches them."))


class EventForm(DateCleaning, forms.Form):
    """One event; a row with no kind is ignored."""

    date_fields = ("date_text",)
    kind = forms.ChoiceField(label=_("What happened"), required=False,
                             choices=[("", "—")] + [(k, v) for k, v in labels.EVENT_KINDS.items()])
    date_text = _date_field(_("When"))
    place_text = forms.CharField(label=_("Where"), required=False, max_length=300)
    facility = forms.ModelChoiceField(label=_("Facility"), required=False, queryset=m.Facility.objects.none(),
                                      error_messages={"invalid_choice": _("Pick a facility from the list (its "
                                                                          "number), or leave it empty and "
                                                                          "write the place under Where.")})
    description = forms.CharField(label=_("Details"), required=False, max_length=2000)

    def __init__(self, *args, facilities=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["facility"].queryset = facilities if facilities is not None else m.Facility.objects.none()
        # the number, chosen from a list the browser filters as one types a name or a town in any script
        self.fields["facility"].widget = forms.TextInput(attrs={
            "list": "facility-options", "autocomplete": "off",
            "placeholder": _("town or name, then pick")})

    @property
    def filled(self) -> bool:
        return bool(self.is_bound and self.data.get(self.add_prefix("kind")))


class AppealForm(DateCleaning, forms.Form):
    """One appeal; a row with no authority is ignored."""

    date_fields = ("date_text", "response_date_text")
    authority = forms.CharField(label=_("Appeal to"), required=False, max_length=300)
    date_text = _date_field(_("When"))
    description = forms.CharField(label=_("What was asked"), required=False, max_length=2000)
    response_status = forms.ChoiceField(label=_("Answer"), choices=[(k, v) for k, v in labels.RESPONSE.items()],
                                        initial="unknown")
    response_text = forms.CharField(label=_("The answer"), required=False, max_length=2000)
    response_date_text = _date_field(_("Answered on"))


class DocumentForm(forms.Form):
    """One file brought with a testimony: what it is and whom it concerns; a row with no file is ignored."""

    file = forms.FileField(label=_("File"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=[(k, labels.DOCUMENT_KINDS.get(k, k))
                                                       for k in intake.DOCUMENT_KINDS], initial="other")
    description = forms.CharField(label=_("What it is"), required=False, max_length=500)
    victim = forms.IntegerField(label=_("Victim number (empty: the whole testimony)"), required=False, min_value=1,
                                max_value=MAX_VICTIMS)

    def __init__(self, *args, mentions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if mentions is not None:
            self.fields["victim"] = forms.ChoiceField(
                label=_("Whom it concerns"), required=False,
                choices=[("", _("the whole testimony"))] + [
                    (str(i), f"{mn.key}: {' · '.join(n.text for n in mn.names.all())}")
                    for i, mn in enumerate(mentions, start=1)])

    def clean_file(self):
        f = self.cleaned_data.get("file")
        if f and f.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is larger than %(n)s MiB.") % {"n": MAX_UPLOAD // 1024 ** 2})
        return f

    @property
    def filled(self) -> bool:
        return bool(self.is_bound and self.files.get(self.add_prefix("file")))

    def to_input(self) -> intake.DocumentInput:
        """The service's input (after ``is_valid()``)."""
        d = self.cleaned_data
        victim = int(d["victim"]) - 1 if d.get("victim") not in (None, "") else None
        return intake.DocumentInput(file=d["file"], name=d["file"].name, kind=d["kind"],
                                    description=d["description"], victim=victim)


class IntakeForms:
    """All the forms of one intake page, built from the counters in the posted data."""

    def __init__(self, data=None, files=None):
        self.data = data
        self.testimony = TestimonyForm(data, prefix="t")
        nv = _count(data, "victim_count", 1, MAX_VICTIMS)
        facilities = m.Facility.objects.all()
        self.victims = []
        for i in range(1, nv + 1):
            ne = _count(data, f"v{i}-event_count", 2, MAX_EVENTS)
            events = [EventForm(data, prefix=f"v{i}-e{j}", facilities=facilities) for j in range(1, ne + 1)]
            self.victims.append((VictimForm(data, prefix=f"v{i}"), events))
        na = _count(data, "appeal_count", 1, MAX_APPEALS)
        self.appeals = [AppealForm(data, prefix=f"a{k}") for k in range(1, na + 1)]
        self.documents = [DocumentForm(data, files, prefix=f"d{k}") for k in range(1, INTAKE_DOCUMENTS + 1)]

    def is_valid(self) -> bool:
        ok = self.testimony.is_valid()
        for vf, events in self.victims:
            ok = vf.is_valid() and ok
            for ef in events:
                if ef.filled:
                    ok = ef.is_valid() and ok
        for af in self.appeals:
            if af.is_bound and af.data.get(af.add_prefix("authority"), "").strip():
                ok = af.is_valid() and ok
        for df in self.documents:
            if df.filled:
                ok = df.is_valid() and ok
                if ok and df.cleaned_data.get("victim") and df.cleaned_data["victim"] > len(self.victims):
                    df.add_error("victim", _("There is no victim with that number."))
                    ok = False
        return ok

    def to_input(self) -> intake.TestimonyInput:
        """The service's input (after :meth:`is_valid` returned True)."""
        t = self.testimony.cleaned_data
        victims = []
        for vf, events in self.victims:
            v = vf.cleaned_data
            evs = [intake.EventInput(kind=e.cleaned_data["kind"], date_text=e.cleaned_data["date_text"],
                                     place_text=e.cleaned_data["place_text"],
                                     facility_id=e.cleaned_data["facility"].id if e.cleaned_data["facility"] else None,
                                     description=e.cleaned_data["description"])
                   for e in events if e.filled]
            victims.append(intake.VictimInput(
                names=v["names"], relation_of_testifier=v["relation_of_testifier"], sex=v["sex"],
                birth_date_text=v["birth_date_text"], age=v["age"], ethnicity=v["ethnicity"],
                citizenship=v["citizenship"], place_of_origin=v["place_of_origin"], father_name=v["father_name"],
                chinese_id=v["chinese_id"], occupation=v["occupation"], description=v["description"],
                confidential=v["confidential"], events=evs))
        appeals = [intake.AppealInput(
            authority=a.cleaned_data["authority"], date_text=a.cleaned_data["date_text"],
            description=a.cleaned_data["description"], response_status=a.cleaned_data["response_status"],
            response_text=a.cleaned_data["response_text"], response_date_text=a.cleaned_data["response_date_text"])
            for a in self.appeals if getattr(a, "cleaned_data", None) and a.cleaned_data.get("authority")]
        documents = [df.to_input() for df in self.documents if df.filled]
        return intake.TestimonyInput(
            victims=victims, appeals=appeals, documents=documents, testifier_name=t["testifier_name"],
            testifier_anonymous=t["testifier_anonymous"], testifier_citizenship=t["testifier_citizenship"],
            testifier_residence=t["testifier_residence"], testifier_contact=t["testifier_contact"],
            recorded_on_text=t["recorded_on_text"], channel=t["channel"], language=t["language"],
            original_text=t["original_text"], notes=t["notes"], consent=t["consent"],
            confidential=t["confidential"])


def _count(data, name: str, default: int, most: int) -> int:
    if data is None:
        return default
    try:
        return max(1, min(most, int(data.get(name, default))))
    except (TypeError, ValueError):
        return default


class VocabularyChoiceField(forms.ChoiceField):
    """A filter menu of ethnicities or citizenships that also accepts any other form of an offered
    value (``?ethnicity=қазақ`` when the menu offers "Kazakh"), so older links keep working."""

    def __init__(self, *args, kind: str, **kwargs):
        self.kind = kind
        super().__init__(*args, **kwargs)

    def valid_value(self, value) -> bool:
        return super().valid_value(value) or super().valid_value(vocabulary.label(self.kind, str(value)))


class SearchForm(forms.Form):
    """Victim search: a name in any script or a Chinese ID number, and filters."""

    q = forms.CharField(label=_("Name or Chinese ID number"), required=False, max_length=200)
    status = forms.ChoiceField(label=_("Status"), required=False)
    ethnicity = VocabularyChoiceField(label=_("Ethnicity"), required=False, kind="ethnicity")
    citizenship = VocabularyChoiceField(label=_("Citizenship"), required=False, kind="citizenship")
    place = forms.CharField(label=_("Prefecture or county"), required=False, max_length=200)
    facility = forms.IntegerField(label=_("Facility number"), required=False, min_value=1)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1900, max_value=2100)

    def __init__(self, *args, choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = choices or {}
        self.fields["status"].choices = [("", _("any"))] + [(k, labels.EVENT_KINDS.get(k, k))
                                                            for k in choices.get("status", [])]
        lang = get_language() or "en"  # each value once, named in the reader's language (kuager.vocabulary)
        for kind in ("ethnicity", "citizenship"):
            self.fields[kind].choices = [("", _("any"))] + [(x, vocabulary.label(kind, x, lang))
                                                            for x in choices.get(kind, [])]
        self.fields["facility"].widget = forms.TextInput(attrs={  # the picker of the intake form
            "list": "facility-options", "autocomplete": "off",
            "placeholder": _("town or name, then pick")})

    def filters(self) -> dict[str, str]:
        d = self.cleaned_data if self.is_valid() else {}
        return {k: str(d.get(k) or "") for k in ("status", "ethnicity", "citizenship", "place", "facility", "year")}


class DecisionForm(forms.Form):
    """An editor's decision on a candidate pair."""

    decision = forms.ChoiceField(label=_("Decision"), choices=[(k, v) for k, v in labels.DECISIONS.items()],
                                 widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class UnmergeForm(forms.Form):
    """Choose mentions to split off a victim."""

    mentions = forms.MultipleChoiceField(label=_("Mentions to split off"), widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, victim=None, **kwargs):
        super().__init__(*args, **kwargs)
        mentions = victim.mentions.order_by("key").prefetch_related("names") if victim else []
        self.fields["mentions"].choices = [
            (mn.key, f"{mn.key}: {' · '.join(n.text for n in mn.names.all())}") for mn in mentions]


class PublicationForm(forms.Form):
    """Publish or withhold a victim; mark it confidential."""

    published = forms.BooleanField(label=_("Published on the public site"), required=False)
    confidential = forms.BooleanField(label=_("Confidential"), required=False)


class PreferencesForm(forms.Form):
    """The script in which names are shown first."""

    script = forms.ChoiceField(label=_("Show names first in"), required=False,
                               choices=[("", _("most used Latin spelling")), ("Latin", _("Latin")), ("Cyrillic", _("Cyrillic")),
                                        ("Arabic", _("Arabic script")), ("Han", _("Chinese characters"))])
