"""Django's JSON serialisation with times kept to the microsecond (for backups).

Django's ``DjangoJSONEncoder`` cuts datetimes and times to milliseconds
(ECMA-262 style), so a backup made with plain ``dumpdata --format json`` restored
``12:00:01.000123`` as ``12:00:01``: a restore was not exact. This module is the
same format with full ISO 8601 precision; Django's own ``json`` deserializer reads
it (``parse_datetime`` takes microseconds), so older backups and these load alike.
Registered as the serialisation format ``kuager-json`` by
:mod:`kuager.records.services.backup`.
"""

from __future__ import annotations

import datetime

from django.core.serializers.json import Deserializer, DjangoJSONEncoder  # noqa: F401  (Deserializer: the format's reader)
from django.core.serializers.json import Serializer as JSONSerializer


class ExactEncoder(DjangoJSONEncoder):
    """``DjangoJSONEncoder`` keeping microseconds of datetimes and times (UTC written ``Z``)."""

    def default(self, o):
        if isinstance(o, datetime.datetime):
            text = o.isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text
        if isinstance(o, datetime.time):
            return o.isoformat()
        return super().default(o)


class Serializer(JSONSerializer):
    """Django's JSON serializer with :class:`ExactEncoder`."""

    def _init_options(self):
        super()._init_options()
        self.json_kwargs["cls"] = ExactEncoder
