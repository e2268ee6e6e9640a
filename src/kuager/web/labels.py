"""Translatable labels for the model's choice values (the model keeps English labels for data files)."""

from __future__ import annotations

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
