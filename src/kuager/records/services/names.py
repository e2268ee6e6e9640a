"""Storing names with their script and search keys."""

from __future__ import annotations

from django.db import transaction

from kuager import names as kn
from kuager import progress
from kuager.records import models as m

#: The :class:`~kuager.records.models.Setting` that holds the fingerprint of the key rules
#: that made the stored keys.
KEY_RULES = "name_key_rules"


def _key_rows(name: m.MentionName) -> list[m.NameKey]:
    return [m.NameKey(name=name, key=k[:200]) for k in sorted(kn.keys(name.text))]


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
        m.NameKey.objects.bulk_create(_key_rows(name))


def stored_key_rules() -> str | None:
    """The fingerprint of the key rules that made the stored keys, or None if never recorded."""
    return m.Setting.objects.filter(name=KEY_RULES).values_list("value", flat=True).first()


def rekey_all(*, chunk: int = 2000) -> int:
    """Recompute the search and blocking keys of every stored name with the rules now in force.

    One transaction: on an error nothing changes. Moves the data version
    (:func:`kuager.records.services.derived.touch`) so cached pages see the new keys,
    and records the rules' fingerprint. Shows progress on a terminal.

    Args:
        chunk: names read and rewritten per batch.
    Returns:
        The number of names re-keyed.
    """
    from kuager.records.services import derived

    ids = list(m.MentionName.objects.order_by("id").values_list("id", flat=True))
    with transaction.atomic():
        for start in progress.track(range(0, len(ids), chunk), "Re-keying names"):
            batch = list(m.MentionName.objects.filter(id__in=ids[start:start + chunk]))
            m.NameKey.objects.filter(name__in=batch).delete()
            m.NameKey.objects.bulk_create([row for name in batch for row in _key_rows(name)], batch_size=5000)
        m.Setting.objects.update_or_create(name=KEY_RULES, defaults={"value": kn.rules_fingerprint()})
        derived.touch()
    return len(ids)


def ensure_current_keys() -> int:
    """Re-key every stored name when the key rules changed since the keys were made.

    Called by ``kuager init`` (:func:`kuager.records.services.setup.initialise`), which
    the README says to run after an upgrade: keys made by older rules would make search
    and the review queue miss spellings the new rules join. A database whose fingerprint
    was never recorded (made before it was kept) is re-keyed once.

    Returns:
        The number of names re-keyed (0 when the stored keys are current).
    """
    if stored_key_rules() == kn.rules_fingerprint():
        return 0
    return rekey_all()
