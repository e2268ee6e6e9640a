"""Template filters for the web pages."""

from __future__ import annotations

from django import template

from kuager import vocabulary
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
def birth(value):
    """``{{ value|birth }}``: a birth in the reader's language, bidi-isolated (:func:`labels.birth_words`)."""
    return labels.birth_words(value)


@register.filter
def vocab(value, kind: str):
    """``{{ value|vocab:"ethnicity" }}``: an ethnicity or citizenship in the reader's language when
    :mod:`kuager.vocabulary` knows it ("Kazakh" -> "қазақ" on a Kazakh page), else as given."""
    from django.utils.translation import get_language

    return vocabulary.label(kind, value or "", get_language() or "en")


@register.filter
def percent(value) -> str:
    """A probability in [0, 1] as a whole percentage ("87%"); "<1%" and ">99%" rather than a
    rounded 0% or 100% that the model did not say."""
    try:
        p = float(value)
    except (TypeError, ValueError):
        return ""
    whole = round(p * 100)
    if whole == 0 and p > 0:
        return "<1%"
    if whole == 100 and p < 1:
        return ">99%"
    return f"{whole}%"


@register.filter
def model_levels(levels) -> list[dict]:
    """``{% for r in c.levels|model_levels %}``: the model's comparisons of a pair, in the model's
    order, as ``{"comparison", "text", "state"}`` (translated; state agree / partly / differ / unknown)."""
    out = []
    for comp, text in (levels or {}).items():
        shown, state = labels.model_level(str(text))
        out.append({"comparison": labels.MODEL_COMPARISONS.get(comp, comp), "text": shown, "state": state})
    return out


@register.filter
def model_source(key) -> str:
    """``{{ c.model|model_source }}``: which model gave a probability (synthetic default, or trained on
    the records on a date), translated."""
    return labels.model_source(str(key or ""))


@register.simple_tag(takes_context=True)
def query_with(context, **kwargs) -> str:
    """The current query string with some parameters replaced (for pagination links); a value of None removes one."""
    params = context["request"].GET.copy()
    for k, v in kwargs.items():
        if v is None:
            params.pop(k, None)
        else:
            params[k] = v
    return params.urlencode()


@register.filter
def refusal(mse) -> str:
    """``{{ mse|refusal }}``: why there is no estimate, in the reader's language when the reason is known
    (``refused_code``, see :class:`kuager.estimation.result.EstimationRefused`), else as the core said it."""
    from django.utils.translation import gettext, ngettext

    code, params = mse.get("refused_code", ""), mse.get("refused_params") or {}
    if code == "too_few_lists":
        lists, least = int(params.get("lists", 0)), int(params.get("min_lists", 3))
        if lists == 0:
            have = gettext("There are no lists of victims yet.")
        else:
            have = ngettext("There is only %(n)d list of victims.", "There are only %(n)d lists of victims.",
                            lists) % {"n": lists}
        need = ngettext("At least %(n)d list is needed.", "At least %(n)d lists are needed.", least) % {"n": least}
        why = gettext("With two lists an estimate would rest entirely on the untestable assumption that being "
                      "named on one list has nothing to do with being named on the other.")
        return f"{have} {need} {why}"
    if code == "nobody":
        return gettext("Nobody is documented on these lists.")
    return mse.get("refused", "")
