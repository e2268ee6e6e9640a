"""Template filters for the web pages."""

from __future__ import annotations

from django import template

from kuager.web import labels

register = template.Library()

_TABLES = {"event": labels.EVENT_KINDS, "status": labels.STATUS_BY_LABEL, "consent": labels.CONSENT,
           "channel": labels.CHANNELS, "verification": labels.VERIFICATION, "sex": labels.SEX,
           "script": labels.SCRIPTS, "field": labels.PROFILE_FIELDS, "response": labels.RESPONSE,
           "decision": labels.DECISIONS, "role": labels.ROLES, "document": labels.DOCUMENT_KINDS}


@register.filter
def label(value, table: str):
    """``{{ value|label:"event" }}``: the translated label of a stored value."""
    return labels.label(_TABLES[table], value if value is not None else "")


@register.filter
def percent(value) -> str:
    """A probability in [0, 1] as a whole percentage ("87%")."""
    try:
        return f"{round(float(value) * 100)}%"
    except (TypeError, ValueError):
        return ""


@register.simple_tag(takes_context=True)
def query_with(context, **kwargs) -> str:
    """The current query string with some parameters replaced (for pagination links)."""
    params = context["request"].GET.copy()
    for k, v in kwargs.items():
        params[k] = v
    return params.urlencode()
