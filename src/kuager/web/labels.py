"""Translatable labels for the model's choice values (the model keeps English labels for data files)."""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

EVENT_KINDS = {
    "lost_contact": _("lost contact"),
    "summoned": _("summoned"),
    "travelled_to_china": _("travelled to China"),
    "passport_confiscated": _("passport confiscated"),
    "interrogated": _("interrogated"),
    "detained": _("detained"),
    "detained_camp": _("detained in a camp"),
    "detained_detention_centre": _("held in a detention centre"),
    "detained_prison": _("imprisoned"),
    "sentenced": _("sentenced"),
    "transferred": _("transferred"),
    "released": _("released"),
    "died": _("died"),
    "disappeared": _("disappeared"),
    "harassed": _("harassed or threatened"),
    "other": _("other"),
}

#: The model's English status labels (what victim_profile states) -> translatable text.
STATUS_BY_LABEL = {
    "lost contact": EVENT_KINDS["lost_contact"], "detained": EVENT_KINDS["detained"],
    "detained in a camp": EVENT_KINDS["detained_camp"],
    "held in a detention centre": EVENT_KINDS["detained_detention_centre"],
    "imprisoned": EVENT_KINDS["detained_prison"], "sentenced": EVENT_KINDS["sentenced"],
    "transferred": EVENT_KINDS["transferred"], "released": EVENT_KINDS["released"],
    "died": EVENT_KINDS["died"], "disappeared": EVENT_KINDS["disappeared"],
    "conflicting reports": _("conflicting reports"), "unknown": _("unknown"),
}

CONSENT = {
    "none": _("none: nothing may be published"),
    "anonymous": _("anonymous: facts without the testifier's identity"),
    "full": _("full: may be published with names"),
}

CHANNELS = {
    "interview": _("interview"), "phone_call": _("phone call"), "video": _("video"),
    "written_petition": _("written petition"), "media_report": _("media report"),
    "leaked_document": _("leaked document"), "official_response": _("official response"), "other": _("other"),
}

VERIFICATION = {
    "unverified": _("unverified"),
    "single_testimony": _("one testimony"),
    "corroborated": _("corroborated by two or more independent testimonies"),
    "documented": _("documented (identity or official document held)"),
}

SEX = {"female": _("female"), "male": _("male"), "": _("unknown")}

SCRIPTS = {
    "Cyrillic": _("Cyrillic"), "Latin": _("Latin"), "Han": _("Chinese characters"), "Arabic": _("Arabic script"),
    "mixed": _("mixed"), "unknown": _("unknown"),
}

PROFILE_FIELDS = {
    "sex": _("Sex"), "birth": _("Born"), "ethnicity": _("Ethnicity"), "citizenship": _("Citizenship"),
    "place_of_origin": _("Place of origin"), "father_name": _("Father's name"),
    "chinese_id": _("Chinese ID number"), "occupation": _("Occupation"), "status": _("Status"),
}

RESPONSE = {"unknown": _("unknown"), "none": _("no response"), "answered": _("answered")}

DECISIONS = {"same": pgettext_lazy("judgement", "same person"), "different": pgettext_lazy("judgement", "different people"),
             "unsure": pgettext_lazy("judgement", "unsure")}

ROLES = {"admin": _("admin"), "editor": _("editor"), "volunteer": _("volunteer"), "viewer": _("viewer")}


def label(table: dict, value: str) -> str:
    """The translated label of ``value`` in ``table``, or ``value`` itself when unknown."""
    return table.get(value, value)

DOCUMENT_KINDS = {
    "id_copy": _("copy of an identity card"),
    "passport_copy": _("copy of a passport"),
    "photo": _("photograph"),
    "letter": _("letter"),
    "other": _("other"),
}

# ----------------------------------------------------------------- the linkage model's comparisons (review queue)

#: Comparisons of :mod:`kuager.linkage.model` -> what they compare.
MODEL_COMPARISONS = {
    "name": _("Names"), "given": _("Given name"), "father": _("Father's name"), "birth": _("Born"),
    "sex": _("Sex"), "place": _("Place of origin"), "chinese_id": _("Chinese ID number"),
    "relatives": _("Relatives"),
}

AGREE, PARTLY, DIFFER, UNKNOWN = "agree", "partly", "differ", "unknown"

#: The agreement levels' labels (``kuager.linkage.model.level_labels``, English) -> (text, state).
#: State: ``agree``, ``partly`` (close but not the same), ``differ`` or ``unknown`` (one side or both
#: unknown).
MODEL_LEVELS = {
    "unknown": (_("unknown"), UNKNOWN),
    "same full-name key": (_("the same name (same key in every script)"), AGREE),
    "names alike (similarity >= 0.9)": (_("names alike"), AGREE),
    "names close (similarity >= 0.75)": (_("names close"), PARTLY),
    "name keys one letter apart": (_("names one letter apart (a typing error?)"), PARTLY),
    "one name part a rare variant of the other's, the other part shared": (
        _("one part of the name the same, the other one letter apart (a typing error?)"), PARTLY),
    "names partly alike (similarity >= 0.5)": (_("names partly alike"), PARTLY),
    "names unlike or share no key": (_("names unlike"), DIFFER),
    "names share a full-name key": (_("names share a key"), AGREE),
    "given and father's names share keys": (_("given and father's names share keys"), AGREE),
    "one name part shares a key, the other is close": (_("one part of the name alike, the other close"), PARTLY),
    "given and father's names crossed (order swapped)": (
        _("given and father's names the same, in the other order"), AGREE),
    "same father name": (_("the same father's name"), AGREE),
    "father names share a key": (_("father's names alike"), AGREE),
    "father name a rare variant of the other's (one letter apart)": (
        _("father's names one letter apart (a typing error?)"), PARTLY),
    "given name a rare variant of the other's (one letter apart)": (
        _("given names one letter apart (a typing error?)"), PARTLY),
    "father names close (JW >= 0.92)": (_("father's names close"), PARTLY),
    "father names similar (JW >= 0.80)": (_("father's names somewhat alike"), PARTLY),
    "father names differ": (_("father's names differ"), DIFFER),
    "same given name": (_("the same given name"), AGREE),
    "given names share a key": (_("given names alike"), AGREE),
    "given names close (JW >= 0.92)": (_("given names close"), PARTLY),
    "given names similar (JW >= 0.80)": (_("given names somewhat alike"), PARTLY),
    "given names differ": (_("given names differ"), DIFFER),
    "same birth date": (_("the same date of birth"), AGREE),
    "birth years agree": (_("the same year of birth"), AGREE),
    "birth years within 1": (_("years of birth 1 year apart"), PARTLY),
    "birth years within 3": (_("years of birth 2-3 years apart"), PARTLY),
    "birth years differ": (_("years of birth more than 3 years apart"), DIFFER),
    "same sex": (_("the same sex"), AGREE),
    "sex differ": (_("different sex"), DIFFER),
    "place share a key": (_("the same place"), AGREE),
    "places in the same prefecture": (_("places in the same prefecture"), PARTLY),
    "place differ": (_("different places"), DIFFER),
    "same chinese_id": (_("the same ID number"), AGREE),
    "chinese_id differ": (_("different ID numbers"), DIFFER),
    "relatives share a key": (_("a relative's name in common"), AGREE),
    "relatives differ": (_("no relative's name in common"), DIFFER),
}


def model_level(text: str) -> tuple[str, str]:
    """``(translated text, state)`` of a level label; unknown labels are shown as they are
    (Splink's SQL labels of an unknown level, from before they were named, count as unknown)."""
    if text in MODEL_LEVELS:
        return MODEL_LEVELS[text]
    if "is null" in text.lower():
        return MODEL_LEVELS["unknown"]
    return text, ""


def model_source(key: str) -> str:
    """What a model key (``ModelInfo.key``) means, in the reader's language."""
    from django.utils import formats

    from kuager.records.services.linkage_model import DEFAULT, GIVEN, RECORDS, describe_key

    source, when = describe_key(key)
    if source == DEFAULT:
        return str(_("model trained on synthetic data (default)"))
    if source == RECORDS and when is not None:
        return str(_("model trained on your records on %(date)s")) % {
            "date": formats.date_format(when, "DATE_FORMAT")}
    if source == RECORDS:
        return str(_("model trained on your records"))
    if source == GIVEN:
        return str(_("model given to kuager resolve"))
    return str(_("linkage model"))


#: Unicode first-strong isolate and pop directional isolate (Unicode bidi algorithm, UAX #9, 2.4):
#: a number or date between them keeps its own order inside right-to-left text.
FSI, PDI = "\u2068", "\u2069"


def _iso(value) -> str:
    return f"{FSI}{value}{PDI}"


def birth_words(value) -> str:
    """A birth in the reader's language, bidi-safe: "1994 or 1995 (aged 23 in 2018-05)" in English,
    "1994 или 1995 (23 года в 2018-05)" in Russian...

    Args:
        value: a :class:`kuager.records.selectors.BirthText` (other strings are returned as they are).
    Returns:
        Plain text (escape it as any text); each number and date is isolated (:data:`FSI`/:data:`PDI`)
        and so is the whole, so a right-to-left page (Uyghur) keeps the order of its parts.
    """
    from kuager.records.selectors import BirthText

    if not isinstance(value, BirthText):
        return value
    a, b = _iso(value.year_min), _iso(value.year_max)
    if value.year_min == value.year_max:
        years = a
    elif value.year_max == value.year_min + 1:
        years = gettext("%(first)s or %(second)s") % {"first": a, "second": b}
    else:
        years = gettext("%(first)s–%(last)s") % {"first": a, "last": b}
    if value.age is None:
        text = years
    elif value.as_of:
        text = gettext("%(years)s (aged %(age)s in %(date)s)") % {
            "years": years, "age": _iso(value.age), "date": _iso(value.as_of)}
    else:
        text = gettext("%(years)s (aged %(age)s)") % {"years": years, "age": _iso(value.age)}
    return _iso(text)
