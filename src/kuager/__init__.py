"""Kuager: documenting detentions and enforced disappearances from testimonies.

The core packages (:mod:`kuager.names`, :mod:`kuager.linkage`,
:mod:`kuager.estimation`, :mod:`kuager.gazetteer`) do not import Django; the
documentation model lives in the Django app :mod:`kuager.records` and the web
in :mod:`kuager.web`.
"""

__version__ = "0.1.0"


def django_setup() -> None:
    """Configure Django with :mod:`kuager.settings` (idempotent), for scripts and the CLI."""
    import os

    import django
    from django.apps import apps

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kuager.settings")
    if not apps.ready:
        django.setup()
