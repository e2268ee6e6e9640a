"""The one redaction layer: what may leave the system, for whom.

Every output for people outside the team (the public report, public pages,
exports with public scope, API answers to lesser roles) asks this module what it
may show. Rules:

- A testimony with consent ``none``, or marked confidential, contributes nothing
  to public output: not its facts, not its text, not its testifier.
- A testimony with consent ``anonymous`` contributes its facts, never the
  testifier's identity (name, residence, contact) nor its original text.
- A testimony with consent ``full`` contributes its facts and its testifier's name
  and relation; contact details never leave the system.
- A victim marked confidential, or not published, or whose every testimony is
  withheld, is not shown at all; a confidential mention is left out.
- A testimony whose every mention is left out (for the reasons above) is
  withheld too, with its testifier.
"""

from __future__ import annotations

from dataclasses import dataclass

from kuager.records import models as m
from kuager.records.selectors import VictimProfile, victim_profile

PUBLIC, INTERNAL = "public", "internal"


@dataclass(frozen=True)
class Audience:
    """Who will see an output: ``public`` (anyone) or ``internal`` (the team)."""

    scope: str = PUBLIC

    @property
    def internal(self) -> bool:
        return self.scope == INTERNAL


def _mention_shown(mn: m.Mention) -> bool:
    v = mn.victim
    return not mn.confidential and (v is None or (not v.confidential and v.published))


def testimony_visible(t: m.Testimony, audience: Audience) -> bool:
    """True when the testimony's facts may be shown to ``audience``.

    Publicly: consent is not ``none``, the testimony is not confidential, and it
    names nobody or at least one person who may be shown (a testimony about
    withheld people only would otherwise still name its testifier).
    """
    if audience.internal:
        return True
    if t.consent == m.ConsentChoices.NONE or t.confidential:
        return False
    mentions = list(t.mentions.all())
    return not mentions or any(_mention_shown(mn) for mn in mentions)


def testifier_label(t: m.Testimony, audience: Audience) -> str:
    """The testifier as ``audience`` may see them: a name only under full consent."""
    tf = t.testifier
    if tf is None:
        return "(no testifier recorded)"
    if audience.internal or (t.consent == m.ConsentChoices.FULL and not tf.anonymous and tf.name):
        return str(tf)
    return "(anonymous testifier)"


def testimony_text(t: m.Testimony, audience: Audience) -> str:
    """The original text, shown publicly only under full consent."""
    if audience.internal or (t.consent == m.ConsentChoices.FULL and not t.confidential):
        return t.original_text
    return ""


def document_label(d: m.Document, audience: Audience) -> str:
    """How a document is named to ``audience``: its description, else its kind.

    The original file name only internally: file names often carry personal
    names ("passport_of_<relative>.jpg").
    """
    if d.description:
        return d.description
    if audience.internal and d.original_name:
        return d.original_name
    return d.kind.replace("_", " ")


def visible_mentions(victim: m.Victim, audience: Audience) -> list[m.Mention]:
    """The victim's mentions ``audience`` may see (none for a withheld victim)."""
    if not audience.internal and (victim.confidential or not victim.published):
        return []
    qs = victim.mentions.select_related("testimony", "testimony__testifier", "testimony__source") \
        .prefetch_related("names", "events", "documents", "appeals")
    return [mn for mn in qs if audience.internal or (not mn.confidential and testimony_visible(mn.testimony, audience))]


def visible_profile(victim: m.Victim, audience: Audience) -> VictimProfile | None:
    """The victim's profile from what ``audience`` may see, or None when nothing may be shown."""
    mentions = visible_mentions(victim, audience)
    if not mentions:
        return None
    return victim_profile(victim, mentions)


def visible_testimonies(audience: Audience):
    """Testimonies whose facts ``audience`` may see."""
    qs = m.Testimony.objects.select_related("testifier", "source").order_by("number")
    return [t for t in qs if testimony_visible(t, audience)]
