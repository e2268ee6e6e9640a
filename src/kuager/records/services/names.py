"""Storing names with their script and search keys."""

from __future__ import annotations

from kuager import names as kn
from kuager.records import models as m


def set_mention_names(mention: m.Mention, texts: list[str]) -> None:
    """Replace a mention's names by ``texts`` (in order), with script and keys.

    Unchanged names are kept as they are (their keys are not recomputed).

    Args:
        mention: a saved mention.
        texts: full-name spellings in any script, e.g. ``["Гөзалнұр Жеңісқызы", "Gozalnur Zheniskazy"]``.
    """
    current = list(mention.names.all())
    if [n.text for n in current] == texts:
        return
    mention.names.all().delete()
    for i, text in enumerate(texts):
        name = m.MentionName.objects.create(mention=mention, text=text, script=kn.detect_script(text), position=i)
        m.NameKey.objects.bulk_create([m.NameKey(name=name, key=k[:200]) for k in sorted(kn.keys(text))])
