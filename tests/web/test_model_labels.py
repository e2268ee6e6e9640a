"""Every level of the bundled linkage model has a label on the review page, in each language."""

import pytest
from django.utils import translation

from kuager.linkage.saved import load_default_model
from kuager.web import labels


def _levels():
    out = []
    for comp in load_default_model()["params"]["comparisons"]:
        for lv in comp["comparison_levels"]:
            if not lv.get("is_null_level"):
                out.append(lv["label_for_charts"])
    return out


def test_every_level_of_the_bundled_model_has_a_label_and_a_state():
    levels = _levels()
    assert "given and father's names crossed (order swapped)" in levels
    for text in levels:
        assert text in labels.MODEL_LEVELS, text
        _, state = labels.model_level(text)
        assert state in (labels.AGREE, labels.PARTLY, labels.DIFFER), text


@pytest.mark.parametrize("lang", ["ru", "kk", "zh-hans"])
def test_the_levels_are_translated(lang):
    for text in _levels():
        shown, _ = labels.model_level(text)
        with translation.override("en"):
            english = str(shown)
        with translation.override(lang):
            assert str(shown) != english, (lang, text)
