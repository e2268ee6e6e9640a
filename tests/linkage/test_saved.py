"""The bundled default linkage model and scoring chosen pairs with a saved model.

People here are invented. Chinese ID numbers are made valid by the GB 11643-1999 check
digit computed in this file (weights 2^(17-i) mod 11, table "10X98765432"), not by the code
under test.
"""

from __future__ import annotations

import json
from importlib import resources

import pandas as pd
import pytest

from kuager.linkage import saved


def _cid(first17: str) -> str:
    weights = [pow(2, 17 - i, 11) for i in range(17)]
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights)) % 11]


def test_check_digit_helper_is_right():
    # the worked example of GB 11643-1999 (also on Wikipedia): 11010519491231002X
    assert _cid("11010519491231002") == "11010519491231002X"


@pytest.fixture(scope="module")
def default():
    return saved.load_default_model()


def _frame(rows):
    cols = ["record_id", "names", "sex", "birth_year", "hometown", "chinese_id"]
    return pd.DataFrame([dict(zip(cols, r)) for r in rows], columns=cols)


def test_bundled_model_says_what_it_was_trained_on(default):
    about = default["about"]
    assert about["trained_on"] == "synthetic"
    assert (about["mentions"], about["seed"]) == (saved.DEFAULT_MENTIONS, saved.DEFAULT_SEED)
    names = [c["output_column_name"] for c in default["params"]["comparisons"]]
    assert {"name", "birth", "sex", "chinese_id"} <= set(names)
    text = json.dumps(default["params"])
    assert "tf_adjustment_column" not in text  # no term frequencies: see without_term_frequencies


def test_duplicates_score_high_and_namesakes_with_other_birth_and_id_low(default):
    gulmira_1961 = _cid("65402119610315002")
    gulmira_1990 = _cid("65402119900715004")
    df = _frame([
        ("a1", "Гүлмира Әділқызы", "female", "1980", "Құлжа", ""),
        ("a2", "Гүлмира Әділқызы", "female", "1980", "Құлжа", ""),     # the same statement typed twice
        ("b1", "Gulmira Adilkyzy", "female", "1980", "", ""),          # Latin spelling, same year
        ("c1", "Гүлмира Әділқызы", "female", "1961", "", gulmira_1961),
        ("c2", "Гүлмира Әділқызы", "female", "1990", "", gulmira_1990),  # a namesake born 29 years later
    ])
    out = saved.score_pairs(df, [("a2", "a1"), ("a1", "b1"), ("c1", "c2"), ("a1", "a1"), ("a1", "zz")],
                            default["params"])
    p = {(r.unique_id_l, r.unique_id_r): r.match_probability for r in out.itertuples()}
    assert set(p) == {("a1", "a2"), ("a1", "b1"), ("c1", "c2")}  # self and unknown records skipped
    assert p[("a1", "a2")] > 0.9
    assert p[("a1", "b1")] > 0.9
    assert p[("c1", "c2")] < 0.5
    row = out.set_index(["unique_id_l", "unique_id_r"]).loc[("c1", "c2")]
    assert row["gamma_birth"] == 0 and row["gamma_chinese_id"] == 0  # both the lowest ("differ") level


def test_given_and_father_swapped_without_suffix_count_as_crossed_not_as_fathers_differing(default):
    """"Aynur Memeteli" and "Memeteli Aynur": one record's given name is the other's
    father's name and the other way round (no patronymic suffix tells the order). The
    father comparison has a level of its own for that (5), above "same father name" (4)
    and below the rare-variant level (6, first after the null level);
    a son named after his grandfather is crossed too, but born 34 years later and male."""
    df = _frame([
        ("x1", "Aynur Memeteli", "female", "1941", "Buriltogai", ""),
        ("x2", "Memeteli Aynur", "female", "1941", "Buriltogai", ""),   # the same woman, order swapped
        ("x3", "Aman Amanov", "male", "1970", "", ""),
        ("x4", "Aman Amanov", "male", "1970", "", ""),                  # given name = father's name: not crossed
        ("x5", "Aynur Qasym", "female", "1941", "Buriltogai", ""),      # another father
        ("x6", "Memeteli Aynur", "male", "1975", "", ""),               # her son, named after his grandfather
    ])
    out = saved.score_pairs(df, [("x1", "x2"), ("x3", "x4"), ("x1", "x5"), ("x1", "x6")], default["params"])
    row = out.set_index(["unique_id_l", "unique_id_r"])
    labels = {c["output_column_name"]: c for c in default["params"]["comparisons"]}
    assert "rare variant" in labels["father"]["comparison_levels"][1]["label_for_charts"]
    assert "crossed" in labels["father"]["comparison_levels"][2]["label_for_charts"]
    gamma = {pair: row.loc[pair, "gamma_father"] for pair in [("x1", "x2"), ("x3", "x4"), ("x1", "x5"), ("x1", "x6")]}
    assert gamma == {("x1", "x2"): 5, ("x3", "x4"): 4, ("x1", "x5"): 0, ("x1", "x6"): 5}
    assert row.loc[("x1", "x2"), "match_probability"] > 0.9
    assert row.loc[("x1", "x5"), "match_probability"] < 0.01
    assert row.loc[("x1", "x6"), "match_probability"] < 0.01
    assert row.loc[("x1", "x6"), "gamma_birth"] == 0 and row.loc[("x1", "x6"), "gamma_sex"] == 0


def test_a_saved_model_runs_on_records_lacking_fields(default):
    """A small database may hold no birth, sex, place or ID at all: those comparisons are unknown."""
    df = pd.DataFrame({"record_id": ["x", "y"], "names": ["Бақыт Серікұлы", "Bakhyt Serikuly"]})
    out = saved.score_pairs(df, [("x", "y")], default["params"])
    assert len(out) == 1
    assert out.loc[0, "gamma_birth"] == -1 and out.loc[0, "gamma_chinese_id"] == -1 and out.loc[0, "gamma_sex"] == -1
    assert out.loc[0, "gamma_name"] >= 3  # one name in two scripts: the top levels
    assert 0 < out.loc[0, "match_probability"] <= 1


def test_no_pairs_gives_an_empty_frame(default):
    df = pd.DataFrame({"record_id": ["x"], "names": ["Бақыт Серікұлы"]})
    out = saved.score_pairs(df, [], default["params"])
    assert out.empty and "match_probability" in out.columns


def test_bundled_file_is_the_one_the_command_makes():
    """The shipped file equals kuager linkage-model's output, made again now (so it is reproducible;
    remake it after changing the linkage model)."""
    shipped = resources.files("kuager").joinpath(*saved.DEFAULT_MODEL).read_text(encoding="utf-8")
    assert shipped == saved.dumps(saved.build_default_model())
