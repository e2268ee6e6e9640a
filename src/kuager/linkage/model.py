"""The Fellegi-Sunter model on Splink: comparisons, blocking, training, scoring.

Fellegi & Sunter (1969), "A theory for record linkage", JASA 64: each compared
field falls into one of a few agreement levels (the gamma value); each level has
m = P(level | same person) and u = P(level | different people); the match weight
of a pair is the sum of log2(m/u) over fields plus the prior, and its match
probability follows. Splink (Linacre et al. 2022; docs at
moj-analytical-services.github.io/splink) does the SQL. Parameters are estimated
from the data, following the Splink docs' recipe: the prior from deterministic
rules, u by random sampling, m by expectation maximisation (EM) on two blocking
passes that each leave the other fields free.

Comparisons (levels from strongest; the null level counts nothing):

- ``name``: :func:`kuager.names.similarity` of the two mentions' spellings (the best
  over their spellings) >= 0.9, >= 0.75, >= 0.5, else; computed by a Python function
  registered in DuckDB (``kuager_name_similarity``) and only for pairs that share a
  given, father or full-name key (DuckDB evaluates the condition lazily), so random
  pairs never pay for it. On Spark the same function runs as a pandas UDF
  (:mod:`kuager.linkage.spark`), given NULL outside those pairs (Spark is not lazy there).
- ``father`` (and ``given`` on Spark with :data:`SPARK_NAMES` "parts"): same canonical key (with term-frequency adjustment, so
  a common name counts less), any shared key from :func:`kuager.names.keys`,
  Jaro-Winkler of canonical keys >= 0.92, >= 0.80, else; the father comparison also has
  a level for given and father's names crossed (order swapped, :func:`_crossed_level`)
  and, up to :data:`LARGE` records, one for a father's name that is a rare variant of the
  other's, one letter apart (a typing error, :func:`variant_keys`); the name comparison a
  level for one part a rare variant of the other's, the other part shared
  (:func:`_name_variant_level`), after ">= 0.9".
- ``birth``: same full date, birth-year ranges overlap, within 1 year, within 3, else.
- ``sex``: same, else.  ``place``: any shared place key (gazetteer division codes for
  Xinjiang, :mod:`kuager.gazetteer.places`; name keys elsewhere), same prefecture, else.
- ``chinese_id``: same valid number, else.  ``relatives``: any shared name key, else.
- extra fields (e.g. FEBRL's postcode): ``exact``, ``fuzzy`` (Jaro-Winkler 0.92 / 0.80)
  or ``code`` (Levenshtein 1 / 2).

Comparisons of a field that no record has are left out of the model.

No Django import here.
"""

from __future__ import annotations

import itertools
import json
import logging
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from kuager.errors import KuagerError

#: Name of the DuckDB function that returns kuager.names.similarity of two ``names`` values.
SIMILARITY_UDF = "kuager_name_similarity"

#: Kinds of extra fields and their comparison.
EXTRA_KINDS = ("exact", "fuzzy", "code")


def _null(col: str):
    import splink.comparison_level_library as cll

    return cll.NullLevel(col)


def _shared_key_level(col: str, engine: str, label: str):
    """The level "the two lists ``col`` share an element": the condition of Splink's
    ``ArrayIntersectLevel(col, min_intersection=1)`` (``array_length(list_intersect(...))
    >= 1``), written as ``list_has_any`` (``arrays_overlap`` on Spark), which gives the same
    levels at half the CPU (3 million pairs at 300,000 mentions: 0.73 s against 1.45 s)."""
    import splink.comparison_level_library as cll

    has = _overlap(engine)
    return cll.CustomLevel(f"{has}({col}_l, {col}_r)", label_for_charts=label)


#: The father comparison has a level for given and father's names crossed (one record's
#: given name is the other's father's name and the other way round: the order swapped
#: without a patronymic suffix, "Aynur Memeteli" / "Memeteli Aynur"), learned by EM like
#: the others, instead of counting such a pair as "father names differ" (-4.8 bits at
#: 100,000 synthetic mentions). Only with the similarity name comparison (up to
#: :data:`LARGE` records); with :func:`_key_name_comparison`, which already counts such a
#: pair as sharing a full-name key, crossed names count nothing in the father comparison
#: (a null level). False: neither. See :func:`_crossed_level`.
FATHER_CROSSED = True

#: Label of the crossed level (:data:`FATHER_CROSSED`).
CROSSED_LABEL = "given and father's names crossed (order swapped)"


def _crossed_level(engine: str):
    """The level "given and father's names crossed": a key of one record's given name is
    among the other's father's keys and the other way round, while the two fathers' names
    share no key (so a name such as Aman Amanov, father and given name alike, stays at
    "same father name"). Placed first after the null level (and the rare-variant level of
    :func:`_variant_level`, when there is one), so the other levels keep their
    numbers (``gamma_father`` 4 same, 3 shared key, 2 and 1 Jaro-Winkler, 0 differ) and
    this one is 5; :func:`contradiction_sql` counts siblings at 3 and 4 only. Made a null
    level (``-1``, counts nothing) beside the key name comparison above :data:`LARGE`
    (:func:`comparisons`).

    Why: at 100,000 synthetic mentions (seed 7) 8,398 pairs of one person scored below
    0.9, 4,434 of them crossed (the generator's ``swap_rate``; real lists write the
    surname-like father's name first too), and "father names differ" cost them 4.8 bits.
    """
    import splink.comparison_level_library as cll

    has = _overlap(engine)
    return cll.CustomLevel(f"{has}(given_keys_l, father_keys_r) AND {has}(father_keys_l, given_keys_r) "
                           f"AND NOT {has}(father_keys_l, father_keys_r)", label_for_charts=CROSSED_LABEL)


def _name_comparison(part: str, engine: str = "duckdb", crossed: str | None = None, variant: bool = False):
    """The comparison of one name part (``given`` or ``father``).

    ``crossed`` (father only): ``"level"`` adds the level of :func:`_crossed_level`, learned
    by EM (with the similarity name comparison); ``"unknown"`` makes crossed names count
    nothing here, a null level (with :func:`_key_name_comparison`, which counts the pair
    already); None: crossed names fall to "father names differ". ``variant``: a first level
    for one name a rare variant of the other (:func:`_variant_level`), when the features have
    the column."""
    import splink.comparison_level_library as cll
    from splink.comparison_library import CustomComparison

    keys, canon = f"{part}_keys", f"{part}_canon"
    extra = []
    if crossed == "level":
        extra = [_crossed_level(engine)]
    elif crossed == "unknown":
        extra = [_crossed_level(engine).configure(is_null_level=True)]
    if variant:
        extra = [_variant_level(part, engine), *extra]
    return CustomComparison(
        output_column_name=part,
        comparison_levels=[
            _null(keys),
            *extra,
            cll.ExactMatchLevel(canon).configure(tf_adjustment_column=canon, tf_adjustment_weight=1.0,
                                                 label_for_charts=f"same {part} name"),
            _shared_key_level(keys, engine, f"{part} names share a key"),
            cll.JaroWinklerLevel(canon, 0.92).configure(label_for_charts=f"{part} names close (JW >= 0.92)"),
            cll.JaroWinklerLevel(canon, 0.80).configure(label_for_charts=f"{part} names similar (JW >= 0.80)"),
            cll.ElseLevel().configure(label_for_charts=f"{part} names differ"),
        ],
        comparison_description=f"{part} name (kuager.names keys)",
    )


def _overlap(engine: str) -> str:
    """The SQL function "two arrays share an element" of ``engine``."""
    return "arrays_overlap" if engine == "spark" else "list_has_any"


#: Where the name comparison (with the similarity) has a level "the names' keys one letter
#: apart" (a shared :func:`typo_keys` key), learned by EM: ``"close"`` right after "names
#: close (>= 0.75)", ``"partly"`` right after "names partly alike (>= 0.5)", None: no level.
TYPO_LEVEL: str | None = "close"

#: Label of the typo level (:data:`TYPO_LEVEL`).
TYPO_LABEL = "name keys one letter apart"


def _similarity_comparison(engine: str = "duckdb", typo: bool = False, variants: tuple[str, ...] = ()):
    import splink.comparison_level_library as cll
    from splink.comparison_library import CustomComparison

    has = _overlap(engine)
    gate = (f"({has}(given_keys_l, given_keys_r) OR {has}(father_keys_l, father_keys_r) "
            f"OR {has}(name_keys_l, name_keys_r))")
    if engine == "spark":
        # Spark computes a Python function for every row, whatever the condition around
        # it: pass NULL for pairs outside the gate (the function answers NULL at once)
        sim = f"{SIMILARITY_UDF}(CASE WHEN {gate} THEN names_l END, CASE WHEN {gate} THEN names_r END)"
    else:
        sim = f"{gate} AND {SIMILARITY_UDF}(names_l, names_r)"
    levels = [cll.CustomLevel("names_l IS NULL OR names_r IS NULL").configure(is_null_level=True),
              # a common full name is weaker evidence: term frequency of the canonical full-name key
              cll.ExactMatchLevel("name_canon").configure(
                  tf_adjustment_column="name_canon", tf_adjustment_weight=1.0,
                  label_for_charts="same full-name key")]
    for cut, label in ((0.9, "names alike (similarity >= 0.9)"), (0.75, "names close (similarity >= 0.75)"),
                       (0.5, "names partly alike (similarity >= 0.5)")):
        levels.append(cll.CustomLevel(f"{sim} >= {cut}", label_for_charts=label))
        if cut == 0.9 and variants:
            levels.append(_name_variant_level(variants, engine))
        if typo and TYPO_LEVEL == {0.9: "alike", 0.75: "close", 0.5: "partly"}.get(cut):
            levels.append(cll.CustomLevel(f"(typo_rare_l OR typo_rare_r) AND {has}(typo_keys_l, typo_keys_r)",
                                          label_for_charts=TYPO_LABEL))
    levels.append(cll.ElseLevel().configure(label_for_charts="names unlike or share no key"))
    return CustomComparison(output_column_name="name", comparison_levels=levels,
                            comparison_description="kuager.names.similarity over the spellings")


#: Label of the name comparison's level for one name part a rare variant of the other's.
NAME_VARIANT_LABEL = "one name part a rare variant of the other's, the other part shared"


def _name_variant_level(parts: tuple[str, ...], engine: str):
    """The name comparison's level "one part (given or father's) a rare variant of the
    other's (:func:`variant_keys`), the other part sharing a key", for the parts in
    ``parts`` whose variant columns the features have (:func:`with_variant_keys`). Right
    after "names alike (>= 0.9)": a typing error inside a name part puts the similarity at
    "names close" (0.75-0.9) with siblings' and namesakes' names one letter apart."""
    import splink.comparison_level_library as cll

    has = _overlap(engine)
    other = {"given": "father", "father": "given"}
    conds = [f"({_variant_match_sql(part, has)} AND {has}({other[part]}_keys_l, {other[part]}_keys_r))"
             for part in parts]
    return cll.CustomLevel(" OR ".join(conds), label_for_charts=NAME_VARIANT_LABEL)


def _key_name_comparison(engine: str = "duckdb"):
    """The ``name`` comparison above :data:`LARGE` records: the levels of
    :func:`_similarity_comparison` from the name keys, in plain SQL.

    The Python similarity costs about 40 microseconds a pair and more to parse each
    spelling again, on one core; at a million mentions that is tens of millions of
    calls. Here: same full-name key (term-frequency adjusted) / a shared full-name key
    (``n:``/``f:``) / shared given *and* father's keys (e.g. swapped order) / one part
    shares a key and the other's canonical keys are close (Jaro-Winkler >= 0.8) / else.
    """
    import splink.comparison_level_library as cll
    from splink.comparison_library import CustomComparison

    has = _overlap(engine)
    given = f"{has}(given_keys_l, given_keys_r)"
    father = f"{has}(father_keys_l, father_keys_r)"
    jw = "jaro_winkler" if engine == "spark" else "jaro_winkler_similarity"  # Splink's jar on Spark
    close = (f"(({given} AND {jw}(father_canon_l, father_canon_r) >= 0.8) OR "
             f"({father} AND {jw}(given_canon_l, given_canon_r) >= 0.8))")
    levels = [cll.CustomLevel("names_l IS NULL OR names_r IS NULL").configure(is_null_level=True),
              cll.ExactMatchLevel("name_canon").configure(
                  tf_adjustment_column="name_canon", tf_adjustment_weight=1.0,
                  label_for_charts="same full-name key"),
              cll.CustomLevel(f"{has}(name_keys_l, name_keys_r)",
                              label_for_charts="names share a full-name key"),
              cll.CustomLevel(f"{given} AND {father}", label_for_charts="given and father's names share keys"),
              cll.CustomLevel(close, label_for_charts="one name part shares a key, the other is close"),
              cll.ElseLevel().configure(label_for_charts="names unlike or share no key")]
    return CustomComparison(output_column_name="name", comparison_levels=levels,
                            comparison_description="kuager.names keys (large inputs)")


def best_name_similarity(a: str, b: str) -> float:
    """Highest :func:`kuager.names.similarity` (0-1) over the pairs of the first three
    spellings of ``a`` and ``b``, two ``names`` values (spellings separated by ``|``); 0.0
    when either has none. The name comparison's rule on every engine
    (:func:`register_similarity`, :mod:`kuager.linkage.spark`) and of placing ambiguous
    records by name (``kuager.linkage.link``); each caller caches it for its own run."""
    from kuager import names

    sa = [x.strip() for x in a.split("|") if x.strip()][:3]
    sb = [x.strip() for x in b.split("|") if x.strip()][:3]
    return max((names.similarity(x, y) for x in sa for y in sb), default=0.0)


def register_similarity(con) -> None:
    """Register :data:`SIMILARITY_UDF` on a DuckDB connection.

    The function takes two ``names`` values (spellings separated by ``|``) and returns
    :func:`best_name_similarity`, cached per pair of values.
    """
    import pyarrow as pa

    best = lru_cache(maxsize=2_000_000)(best_name_similarity)

    def fn(a, b):
        return pa.array([best(x, y) if x and y else None for x, y in zip(a.to_pylist(), b.to_pylist())],
                        type=pa.float64())

    con.create_function(SIMILARITY_UDF, fn, ["VARCHAR", "VARCHAR"], "DOUBLE", type="arrow")


#: Birth years more than this many years apart (the gap between two records' birth-year
#: ranges) contradict: the birth comparison's lowest level, "birth years differ".
BIRTH_APART_YEARS = 3


def birth_gap_sql(a: str, b: str) -> str:
    """SQL of the gap in years between the birth-year ranges of the records aliased ``a``
    and ``b`` (columns ``by_lo``, ``by_hi``); NULL when either is unknown, <= 0 when the
    ranges overlap. As the birth comparison's ``gap`` (:func:`_birth_comparison`), for
    queries on the features table (blocking rules, candidate pairs, the cluster check)."""
    return f"greatest({a}.by_lo - {b}.by_hi, {b}.by_lo - {a}.by_hi)"


def _birth_comparison():
    import splink.comparison_level_library as cll
    from splink.comparison_library import CustomComparison

    gap = "greatest(by_lo_l - by_hi_r, by_lo_r - by_hi_l)"
    return CustomComparison(
        output_column_name="birth",
        comparison_levels=[
            cll.CustomLevel("by_lo_l IS NULL OR by_lo_r IS NULL", label_for_charts="birth unknown")
            .configure(is_null_level=True),
            cll.CustomLevel("birth_date_l = birth_date_r", label_for_charts="same birth date"),
            cll.CustomLevel(f"{gap} <= 0", label_for_charts="birth years agree"),
            cll.CustomLevel(f"{gap} <= 1", label_for_charts="birth years within 1"),
            cll.CustomLevel(f"{gap} <= 3", label_for_charts="birth years within 3"),
            cll.ElseLevel().configure(label_for_charts="birth years differ"),
        ],
        comparison_description="birth year range (birth_year, birth_date, age as of a date, ID)",
    )


def _simple(col: str, name: str, how: str, engine: str = "duckdb"):
    import splink.comparison_level_library as cll
    from splink.comparison_library import CustomComparison

    levels = [_null(col)]
    if how == "array":
        levels.append(_shared_key_level(col, engine, f"{name} share a key"))
    elif how == "exact":
        levels.append(cll.ExactMatchLevel(col).configure(label_for_charts=f"same {name}"))
    elif how == "fuzzy":
        levels += [cll.ExactMatchLevel(col).configure(label_for_charts=f"same {name}"),
                   cll.JaroWinklerLevel(col, 0.92), cll.JaroWinklerLevel(col, 0.80)]
    elif how == "code":
        levels += [cll.ExactMatchLevel(col).configure(label_for_charts=f"same {name}"),
                   cll.LevenshteinLevel(col, 1), cll.LevenshteinLevel(col, 2)]
    levels.append(cll.ElseLevel().configure(label_for_charts=f"{name} differ"))
    return CustomComparison(output_column_name=name, comparison_levels=levels, comparison_description=name)


#: Share of the records with a place that the gazetteer must place in a prefecture for
#: the place comparison to have its "same prefecture" level.
PREFECTURE_MIN_SHARE = 0.05


def _place_comparison(prefecture: bool, engine: str = "duckdb"):
    """Place of origin: a shared key (a gazetteer division code, or a name key of a place
    the gazetteer does not know) / the same prefecture (``place_pref``, when some record
    has one) / else."""
    import splink.comparison_level_library as cll
    from splink.comparison_library import CustomComparison

    levels = [_null("place_keys"),
              _shared_key_level("place_keys", engine, "place share a key")]
    if prefecture:
        levels.append(_shared_key_level("place_pref", engine, "places in the same prefecture"))
    levels.append(cll.ElseLevel().configure(label_for_charts="place differ"))
    return CustomComparison(output_column_name="place", comparison_levels=levels,
                            comparison_description="place of origin (kuager.gazetteer.places codes)")


#: The name comparison on Spark: "similarity" (the Python function as a pandas UDF, see
#: :mod:`kuager.linkage.spark`: the same model as on DuckDB), "keys" (:func:`_key_name_comparison`,
#: plain SQL) or "parts" (separate given and father comparisons, without the full name).
SPARK_NAMES = "similarity"


def comparisons(features: pd.DataFrame, extra_fields: dict[str, str] | None = None,
                engine: str = "duckdb") -> list:
    """The Splink comparisons for the columns that some record has.

    Args:
        features: output of :func:`kuager.linkage.features.prepare`.
        extra_fields: ``{column: kind}`` with kind in :data:`EXTRA_KINDS`.
    Returns:
        list of Splink comparison creators.
    Raises:
        KuagerError: an unknown extra field kind.
    """
    def present(col: str) -> bool:
        return col in features.columns and features[col].notna().any()

    out = []
    names = None   # the name comparison: "similarity", "keys" or None (Spark's "parts")
    if engine == "duckdb" or SPARK_NAMES != "parts":
        small = len(features) <= LARGE and (engine == "duckdb" or SPARK_NAMES == "similarity")
        typo = "typo_keys" in features.columns and features["typo_keys"].notna().any()
        variants = tuple(p for p in VARIANT_PARTS if p in NAME_VARIANT_PARTS and present(_variant_column(p)))
        out.append(_similarity_comparison(engine, typo, variants) if small else _key_name_comparison(engine))
        names = "similarity" if small else "keys"
    # On DuckDB the similarity already weighs the given name (aligned with the father's);
    # a separate given-name comparison would count that evidence twice (measured: B-cubed
    # F1 0.937 with it, 0.943 without, on 10,000 synthetic mentions).
    if present("given_keys") and engine == "spark" and SPARK_NAMES == "parts":
        out.append(_name_comparison("given", engine))
    if present("father_keys"):
        # the crossed level only beside the similarity: the key comparison above LARGE already
        # counts a crossed pair as sharing a full-name key (the order-free ``u:`` key), and
        # the crossed level on top of it cost precision (100,000 synthetic mentions on the
        # large-input path, seed 7: B-cubed F1 0.9293 without, 0.9222 with); there crossed
        # names count nothing in the father comparison instead of "differ" (0.9317)
        crossed = {"similarity": "level", "keys": "unknown"}.get(names) if FATHER_CROSSED else None
        variant = "father" in VARIANT_PARTS and present(_variant_column("father"))
        out.append(_name_comparison("father", engine, crossed=crossed, variant=variant))
    if present("by_lo"):
        out.append(_birth_comparison())
    if present("sex"):
        out.append(_simple("sex", "sex", "exact"))
    if present("place_keys"):
        # the prefecture level only where the gazetteer knows a fair share of the places (not
        # for FEBRL's Australian suburbs, of which a handful look like a county name)
        pref = present("place_pref") and (features["place_pref"].notna().sum()
                                          >= PREFECTURE_MIN_SHARE * features["place_keys"].notna().sum())
        out.append(_place_comparison(pref, engine))
    if present("cid"):
        out.append(_simple("cid", "chinese_id", "exact"))
    if present("relative_keys"):
        out.append(_simple("relative_keys", "relatives", "array", engine))
    for col, kind in (extra_fields or {}).items():
        if kind not in EXTRA_KINDS:
            raise KuagerError(f"extra field {col!r}: kind {kind!r} is not one of {', '.join(EXTRA_KINDS)}")
        if present("x_" + col):
            out.append(_simple("x_" + col, col, kind))
    return out


#: Above this many records the blocking rules on one name part also need both the
#: birth year and the place (see :func:`blocking_rules`), and names are compared by
#: their keys in SQL (:func:`_key_name_comparison`): with the Python similarity a run on
#: 300,000 synthetic mentions was still scoring after 11 minutes.
LARGE = 200_000


#: Up to :data:`LARGE` records, a blocking rule on :func:`typo_keys` (a name part with one
#: letter of its key deleted, the other part as it is), for pairs whose birth years do not
#: contradict (at most 3 apart) and whose sex does not differ: a typing error inside a name
#: changes its key (Qbanishbol, Дхрханбол), and the other rules then find the pair only by a
#: birth year or place shared with one name part. False: no such rule (nor the column).
TYPO_BLOCKING = True

#: A name part's key is given its one-letter deletions from this length on (shorter keys'
#: deletions join too many names).
TYPO_MIN_KEY = 3


@lru_cache(maxsize=200_000)
def _part_deletions(key: str) -> tuple[str, ...]:
    """``key`` and, when it has at least :data:`TYPO_MIN_KEY` letters, each string made
    by deleting one of its letters (the deletion neighbourhood of SymSpell, Garbe 2012)."""
    if len(key) < TYPO_MIN_KEY:
        return (key,)
    return (key, *dict.fromkeys(key[:i] + key[i + 1:] for i in range(len(key))))


@lru_cache(maxsize=200_000)
def _typo_keys_of(key: str) -> tuple[str, ...]:
    out = []
    g, _, f = key[2:].partition("|")
    if g and f:
        out += [f"{d}|{f}#g" for d in _part_deletions(g)]
        out += [f"{g}|{d}#f" for d in _part_deletions(f)]
    return tuple(out)


def typo_keys(name_keys) -> list[str] | None:
    """The typo-tolerant blocking keys of one record: for each ``n:GIVEN|FATHER`` key of
    :mod:`kuager.names.keys`, the given part with one letter deleted (or none) and the
    father's part as it is (``...#g``), and the other way round (``...#f``).

    Two records share one when, for some pair of their ``n:`` keys, one part is equal and
    the other within one edit: a letter deleted, inserted or replaced, or two neighbours
    swapped (both deletions are then equal). Parts shorter than :data:`TYPO_MIN_KEY` are
    kept whole.

    Args:
        name_keys: the record's full-name keys (``features.prepare``'s ``name_keys``: a
            list of str, or None).
    Returns:
        a sorted list of str such as ``"SKL|SLK#g"``, or None when there is no ``n:`` key
        with both parts.
    """
    if name_keys is None:
        return None
    out: set[str] = set()
    for k in name_keys:
        if k.startswith("n:"):
            out.update(_typo_keys_of(k))
    return sorted(out) or None


#: A name part's key held by at most this many records counts as possibly mistyped
#: (:func:`with_typo_keys`): a typing error makes a key nobody else has, while siblings
#: and namesakes one letter apart (Aisulu / Aksulu) hold keys that other records hold too.
#: None: every record counts.
TYPO_RARE: int | None = 1


def with_typo_keys(features: pd.DataFrame, params: dict[str, Any] | None = None) -> pd.DataFrame:
    """``features`` with the columns ``typo_keys`` (:func:`typo_keys`) and ``typo_rare``
    (bool: one of the record's given or father's keys of an ``n:`` key is held by at most
    :data:`TYPO_RARE` records) where the model needs them; else ``features`` itself.

    A new model (``params`` None) needs them with :data:`TYPO_BLOCKING` at most
    :data:`LARGE` records; a saved model when its settings name ``typo_keys``. Above
    :data:`LARGE` the columns are empty (no keys, ``typo_rare`` false), so a saved
    model's typo level counts for nothing there (the candidate pairs are made without
    the typo rule, :func:`register_candidate_pairs`) and no lists are built for a
    million records.
    """
    if "name_keys" not in features.columns:
        return features
    if params is None:
        if not TYPO_BLOCKING or len(features) > LARGE:
            return features
    elif "typo_keys" not in json.dumps(params):
        return features
    if len(features) > LARGE:
        return features.assign(typo_keys=None, typo_rare=False)
    parts = []
    count: dict[str, int] = {}
    for v in features["name_keys"]:
        ps = set()
        if v is not None:
            for k in v:
                if k.startswith("n:"):
                    g, _, f = k[2:].partition("|")
                    ps.add("g" + g)
                    ps.add("f" + f)
        parts.append(ps)
        for p in ps:
            count[p] = count.get(p, 0) + 1
    rare = [TYPO_RARE is None or any(count[p] <= TYPO_RARE for p in ps) for ps in parts]
    return features.assign(typo_keys=[typo_keys(v) for v in features["name_keys"]], typo_rare=rare)


#: Parts of the name whose comparison has a level "one record's key a rare variant of the
#: other's" (:func:`variant_keys`, :func:`_variant_level`), up to :data:`LARGE` records: a
#: typing error in a name part makes a key one letter from the part's usual key and held by
#: far fewer records. At 100,000 synthetic mentions (seed 7) typing errors were 62 % of the
#: records left without a strong pair, and those in the father's part (1,011 of 1,432
#: mistyped spellings) fell to "father names close (JW >= 0.92)" (+1.3 bits) instead of
#: "same father name" (+7.8). Empty: no such level (nor the columns).
VARIANT_PARTS: tuple[str, ...] = ("father", "given")

#: A key is a rare variant of another one letter apart (:func:`variant_keys`) when the
#: other is held by at least this many times as many records.
VARIANT_RATIO = 10

#: Parts of :data:`VARIANT_PARTS` that count in the name comparison's variant level
#: (:func:`_name_variant_level`); the father's part also has its own level in the father
#: comparison (:func:`_variant_level`).
NAME_VARIANT_PARTS: tuple[str, ...] = ("given", "father")


def _neighbour_index(keys) -> dict[str, list[str]]:
    """Each one-letter deletion of each key in ``keys`` (and the key itself, see
    :func:`_part_deletions`) -> the keys that give it."""
    index: dict[str, list[str]] = {}
    for k in keys:
        for d in _part_deletions(k):
            index.setdefault(d, []).append(k)
    return index


def variant_keys(key_lists, ratio: int = VARIANT_RATIO, other_lists=None) -> list[list[str] | None]:
    """For each record, the keys its own keys are likely misspellings of.

    A key ``k`` is a rare variant of a key ``k2`` one letter apart (one deleted, inserted
    or replaced, or two neighbours swapped: the two share a one-letter deletion, as in
    SymSpell, Garbe 2012) when ``k2`` is held by at least ``ratio`` times as many records
    as ``k`` (counted once a record, ``k`` over ``key_lists`` and ``other_lists`` together,
    ``k2`` over ``key_lists``): a typing error makes a key that few records share next to
    one that many do (the spelling correction of Norvig's corrector: the most frequent
    word within one edit), while two real names one letter apart (Asylbek / Asylbol) are
    both common, and a given name written in the father's place (an order swapped) is
    common among the given names (``other_lists``). A record gets the keys that its keys
    are variants of only when *every* key of its own is such a variant: a record that
    also holds a usual key (a pinyin reading beside the decoded one, a ``father_name``
    column) is not mistyped. Keys shorter than :data:`TYPO_MIN_KEY` are compared whole.

    Args:
        key_lists: per record, a list of keys (str) or None (e.g. ``father_keys``).
        ratio: how many times more records the usual key must have.
        other_lists: per record, the keys of the other name part (``given_keys``) or None.
    Returns:
        per record, the sorted list of keys that its keys are rare variants of (none of
        the record's own keys), or None. Deterministic.
    """
    count: dict[str, int] = {}
    for v in key_lists:
        if v is not None:
            for k in set(v):
                count[k] = count.get(k, 0) + 1
    rarity = dict(count)
    for v in other_lists if other_lists is not None else ():
        if v is not None:
            for k in set(v):
                rarity[k] = rarity.get(k, 0) + 1
    index = _neighbour_index(count)
    fixes: dict[str, tuple[str, ...]] = {}
    for k in count:
        c = rarity[k]
        near = {k2 for d in _part_deletions(k) for k2 in index.get(d, ()) if k2 != k}
        fixes[k] = tuple(sorted(k2 for k2 in near if count[k2] >= ratio * c))
    out: list[list[str] | None] = []
    for v in key_lists:
        if v is None or not all(fixes[k] for k in v):
            out.append(None)
            continue
        own = set(v)
        got = {k2 for k in own for k2 in fixes[k] if k2 not in own}
        out.append(sorted(got) or None)
    return out


def _variant_column(part: str) -> str:
    return f"{part}_variants"


def _variant_match_sql(part: str, has: str) -> str:
    """SQL: one record's ``part`` keys are among the other's rare variants
    (:func:`variant_keys`), or both are variants of one key; ``has`` is the engine's list
    overlap function (:func:`_overlap`)."""
    k, v = f"{part}_keys", _variant_column(part)
    return f"({has}({v}_l, {k}_r) OR {has}({k}_l, {v}_r) OR {has}({v}_l, {v}_r))"


def with_variant_keys(features: pd.DataFrame, params: dict[str, Any] | None = None) -> pd.DataFrame:
    """``features`` with a column ``<part>_variants`` (:func:`variant_keys` of
    ``<part>_keys``) for each part of :data:`VARIANT_PARTS` where the model needs it: a new
    model up to :data:`LARGE` records, a saved model when its settings name the column
    (above :data:`LARGE` the column is empty, so the level counts for nothing there)."""
    out = {}
    for part in VARIANT_PARTS:
        col, src = _variant_column(part), f"{part}_keys"
        if src not in features.columns:
            continue
        if params is None:
            if len(features) > LARGE:
                continue
        elif col not in json.dumps(params):
            continue
        other = "given_keys" if part == "father" else "father_keys"
        out[col] = None if len(features) > LARGE else variant_keys(
            features[src], other_lists=features[other] if other in features.columns else None)
    return features.assign(**out) if out else features


def _variant_level(part: str, engine: str):
    """The level "one record's ``part`` name a rare variant of the other's" (a key of one is
    among the other's :func:`variant_keys`, or both are variants of one key), for pairs whose
    keys of that part share none. Placed first after the null level, so that the other
    levels keep their numbers (:func:`contradiction_sql`)."""
    import splink.comparison_level_library as cll

    has = _overlap(engine)
    k = f"{part}_keys"
    return cll.CustomLevel(f"{_variant_match_sql(part, has)} AND NOT {has}({k}_l, {k}_r)",
                           label_for_charts=f"{part} name a rare variant of the other's (one letter apart)")


def blocking_rules(features: pd.DataFrame, extra_fields: dict[str, str] | None = None) -> list:
    """Rules that generate the candidate pairs (a pair is scored if any rule admits it).

    Name keys are lists, so the rules explode them (Splink ``arrays_to_explode``):
    shared given and father keys; shared full-name key (catches swapped order);
    shared given key and birth year; shared father key and birth year; shared given
    key and place; same Chinese ID; for extra fields, each ``exact``/``code`` field.
    Above :data:`LARGE` records the three rules on one name part become two: shared
    given (or father) key with the same birth year *and* place.
    """
    from splink import block_on

    rules = [
        block_on("given_keys", "father_keys", arrays_to_explode=["given_keys", "father_keys"]),
        block_on("name_keys", arrays_to_explode=["name_keys"]),
    ]
    place = features["place_keys"].notna().any()
    if len(features) <= LARGE:
        rules += [block_on("given_keys", "by_lo", arrays_to_explode=["given_keys"]),
                  block_on("father_keys", "by_lo", arrays_to_explode=["father_keys"])]
        if place:
            rules.append(block_on("given_keys", "place_canon", arrays_to_explode=["given_keys"]))
    else:
        # the blocks of one name part and a birth year (or place) grow with the data, and
        # their pairs with its square; at scale they also need the place (or birth year)
        rules += [block_on("given_keys", "by_lo", "place_canon", arrays_to_explode=["given_keys"]),
                  block_on("father_keys", "by_lo", "place_canon", arrays_to_explode=["father_keys"])]
    if features["cid"].notna().any():
        rules.append(block_on("cid"))
    if features["birth_date"].notna().any():
        # a full birth date is rare enough to block on alone; it finds one person's records
        # whose names were swapped or replaced (FEBRL3's missed pairs)
        rules.append(block_on("birth_date"))
    for col, kind in (extra_fields or {}).items():
        if kind in ("exact", "code"):
            rules.append(block_on("x_" + col))
    if len(features) <= LARGE and "typo_keys" in features.columns and features["typo_keys"].notna().any():
        # last, so that the other rules keep their numbers (Splink's match_key)
        from splink.blocking_rule_library import CustomRule

        rules.append(CustomRule(
            "l.typo_keys = r.typo_keys AND (l.typo_rare OR r.typo_rare) AND coalesce(l.sex = r.sex, true) "
            f"AND coalesce({birth_gap_sql('l', 'r')} <= {BIRTH_APART_YEARS}, true)",
            arrays_to_explode=["typo_keys"]))
    return rules


def _sql(con, sql: str) -> list:
    """Run ``sql`` on a DuckDB connection and fetch its rows (DuckDB refuses other work
    on a connection while a result is open)."""
    return con.execute(sql).fetchall()


#: Above :data:`LARGE` records, when True, the name-rule candidate pairs whose birth years (more
#: than 3 apart) or sex contradict, and that share no ID number, are not scored: they go to the
#: keep-apart step as they are (:func:`predict_in_chunks`). It saves about 40 % of the scoring CPU
#: at a million mentions (1.30 of the 3.01 million candidate pairs at 300,000). It was off for a
#: while because three runs at 300,000 with it gave slightly different clusters (B-cubed F1
#: 0.88677, 0.88670, 0.88675): the scored pairs reached clustering in another order each run
#: (ties among equal probabilities), which :func:`kuager.linkage._fetch_keyed` now fixes; runs
#: repeat exactly with it on or off.
SKIP_CONTRADICTING = True


def register_candidate_pairs(linker, features: pd.DataFrame, extra_fields: dict[str, str] | None = None) -> int:
    """Compute the candidate pairs of the large-input rules of :func:`blocking_rules`
    in plain SQL and register them for scoring (DuckDB, above :data:`LARGE` records).

    The same pairs as Splink's own blocking with those rules (checked: 2,472,757 pairs
    on 300,000 synthetic mentions either way), but the name keys are unnested once
    into small tables of (record, key) and each rule is one join. With Splink's
    ``arrays_to_explode`` a million-mention run spilled 33 GB to disk within minutes
    after training (blocking and scoring were not told apart); these joins made the
    24.9 million pairs of a million synthetic mentions in about a minute within a 5 GB
    DuckDB limit. When ``features`` has the integer keys :data:`RECORD_KEY` (as
    :func:`kuager.linkage.link` gives it above :data:`LARGE`), the pairs are pairs of those
    keys (``join_key_l`` < ``join_key_r`` as integers, which is the ids' order), else of
    ``unique_id`` texts. A pair keeps the number of the first rule that finds it (Splink's
    ``match_key``), and ``birth_apart`` / ``sex_apart``: true when only name rules find
    it, its birth years are more than 3 apart (or its sex differs) and it shares no ID
    number (see :func:`predict_in_chunks`; false without :data:`SKIP_CONTRADICTING`).
    Returns the number of pairs.
    """
    api = linker._db_api
    con = api._con
    cols = set(features.columns)
    # the records' integer keys (RECORD_KEY, ranks in the ids' order) where the features have
    # them: joins and the pairs' table on integers instead of id texts
    t = (f"(SELECT * REPLACE ({RECORD_KEY} AS unique_id) FROM {FEATURES_TABLE})" if RECORD_KEY in cols
         else FEATURES_TABLE)
    # the values that let a pair contradict (birth years more than 3 apart, another sex),
    # looked up once per distinct pair after the rules' rows are grouped (carried on every
    # key row and joined pair instead, they cost more than the rest of the step)
    contra = {}
    if "by_lo" in cols and "by_hi" in cols:
        contra["birth"] = f"coalesce({birth_gap_sql('a', 'b')} > {BIRTH_APART_YEARS}, false)"
    if "sex" in cols:
        contra["sex"] = "coalesce(a.sex <> b.sex, false)"
    skip = SKIP_CONTRADICTING and len(contra) == 2
    if skip and "cid" in cols:
        # the same ID number is strong evidence (model.strong_levels): such pairs are scored
        contra = {k: f"({v} AND NOT coalesce(a.cid = b.cid, false))" for k, v in contra.items()}
    _sql(con, f"CREATE OR REPLACE TEMP TABLE __kuager_name_keys AS "
              f"SELECT unique_id, unnest(name_keys) AS k FROM {t} WHERE name_keys IS NOT NULL")
    _sql(con, f"CREATE OR REPLACE TEMP TABLE __kuager_given_keys AS SELECT unique_id, unnest(given_keys) AS k, "
              f"by_lo, place_canon FROM {t} WHERE given_keys IS NOT NULL")
    _sql(con, f"CREATE OR REPLACE TEMP TABLE __kuager_father_keys AS SELECT unique_id, unnest(father_keys) AS k, "
              f"by_lo, place_canon FROM {t} WHERE father_keys IS NOT NULL")
    _sql(con, "CREATE OR REPLACE TEMP TABLE __kuager_given_father AS SELECT DISTINCT g.unique_id, g.k AS g, "
              "f.k AS f FROM __kuager_given_keys g JOIN __kuager_father_keys f USING (unique_id)")

    def join(table: str, on: list[str]) -> str:
        cond = " AND ".join(f"l.{c} = r.{c}" for c in on)
        return f"SELECT l.unique_id AS l, r.unique_id AS r FROM {table} l JOIN {table} r " \
               f"ON {cond} AND l.unique_id < r.unique_id"

    # the name rules first (numbers 0-3: a pair found by these alone may go unscored)
    rules = [join("__kuager_given_father", ["g", "f"]), join("__kuager_name_keys", ["k"]),
             join("__kuager_given_keys", ["k", "by_lo", "place_canon"]),
             join("__kuager_father_keys", ["k", "by_lo", "place_canon"])]
    named = len(rules)
    if features["cid"].notna().any():
        rules.append(join(t, ["cid"]))
    if features["birth_date"].notna().any():
        rules.append(join(t, ["birth_date"]))
    for col, kind in (extra_fields or {}).items():
        if kind in ("exact", "code"):
            rules.append(join(t, ["x_" + col]))
    union = " UNION ALL ".join(f"SELECT {i} AS rule, l, r FROM ({sql})" for i, sql in enumerate(rules))
    # each pair once, with the number of the first rule that finds it (Splink's match_key)
    # and whether a rule other than the name rules finds it
    found = f"SELECT min(rule) AS rule, bool_or(rule >= {named}) AS other, l, r FROM ({union}) GROUP BY l, r"
    if skip:
        # a pair found by the name rules only whose birth years (more than 3 apart) or sex
        # contradict (and that shares no ID number): birth_apart / sex_apart
        _sql(con, f"CREATE OR REPLACE TABLE __kuager_blocked_pairs AS SELECT CAST(f.rule AS VARCHAR) AS match_key, "
                  f"f.l AS join_key_l, f.r AS join_key_r, NOT f.other AND {contra['birth']} AS birth_apart, "
                  f"NOT f.other AND {contra['sex']} AS sex_apart FROM ({found}) f "
                  f"JOIN {t} a ON a.unique_id = f.l JOIN {t} b ON b.unique_id = f.r")
    else:
        _sql(con, f"CREATE OR REPLACE TABLE __kuager_blocked_pairs AS SELECT CAST(rule AS VARCHAR) AS match_key, "
                  f"l AS join_key_l, r AS join_key_r, false AS birth_apart, false AS sex_apart FROM ({found})")
    for name in ("name_keys", "given_keys", "father_keys", "given_father"):
        _sql(con, f"DROP TABLE __kuager_{name}")
    n = _sql(con, "SELECT count(*) FROM __kuager_blocked_pairs")[0][0]
    linker.table_management.register_blocked_pairs_for_predict(api.register("__kuager_blocked_pairs"))
    return int(n)


def settings(features: pd.DataFrame, extra_fields: dict[str, str] | None = None, engine: str = "duckdb"):
    """A Splink ``SettingsCreator`` for deduplicating ``features`` on ``engine``."""
    from splink import SettingsCreator

    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=comparisons(features, extra_fields, engine),
        blocking_rules_to_generate_predictions=blocking_rules(features, extra_fields),
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=True,
        additional_columns_to_retain=[],
    )


#: DuckDB's memory limit when none is given: this share of the machine's memory. DuckDB
#: spills what does not fit (sorts, joins, aggregates) to :func:`tempfile.gettempdir`.
MEMORY_SHARE = 0.25


#: Most DuckDB may spill to its temp directory before it stops with an error.
TEMP_LIMIT = "20GB"


def _limit_memory(con, memory_limit: str | None) -> None:
    """Set DuckDB's ``memory_limit`` (e.g. ``"8GB"``; default :data:`MEMORY_SHARE` of
    the machine's memory), a temp directory to spill to (at most :data:`TEMP_LIMIT`),
    and no insertion order
    (which lets DuckDB stream large results instead of buffering them)."""
    import os
    import tempfile

    if memory_limit is None:
        try:
            total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
            memory_limit = f"{max(1, int(total * MEMORY_SHARE / 2**20))}MB"
        except (ValueError, OSError, AttributeError):
            memory_limit = None
    if memory_limit:
        con.execute(f"SET memory_limit='{memory_limit}'")
    tmp = os.path.join(tempfile.gettempdir(), f"kuager-duckdb-{os.getpid()}")
    con.execute(f"SET temp_directory='{tmp}'")
    # an error rather than a full disk (a blocking rule gone wrong spilled 33 GB in 4 minutes)
    con.execute(f"SET max_temp_directory_size='{TEMP_LIMIT}'")
    con.execute("SET preserve_insertion_order=false")


def db_api(engine: str = "duckdb", threads: int | None = None, memory_limit: str | None = None):
    """The Splink database API for ``engine``.

    Args:
        engine: ``"duckdb"`` (default, in memory) or ``"spark"`` (a local Spark session;
            needs ``pip install 'kuager[spark]'`` and Java).
        threads: DuckDB threads (default: DuckDB's choice, the number of cores).
        memory_limit: DuckDB's memory limit, e.g. ``"8GB"`` (default: :data:`MEMORY_SHARE`
            of the machine's memory); beyond it DuckDB spills to a temp directory.
    Raises:
        KuagerError: unknown engine, or Spark requested without pyspark.
    """
    if engine == "duckdb":
        import duckdb
        from splink import DuckDBAPI

        con = duckdb.connect(":memory:")
        if threads:
            con.execute(f"SET threads={int(threads)}")
        _limit_memory(con, memory_limit)
        register_similarity(con)
        return DuckDBAPI(con)
    if engine == "spark":
        from kuager.linkage import spark as sp

        session = sp.session()  # raises KuagerError without pyspark or Java
        from splink import SparkAPI

        return SparkAPI(spark_session=session)
    raise KuagerError(f"unknown engine {engine!r}; use duckdb or spark")


def _quiet_splink() -> None:
    for name in ("splink", "py4j"):
        logging.getLogger(name).setLevel(logging.ERROR)


def build_linker(features: pd.DataFrame, params: dict[str, Any] | None, engine: str = "duckdb",
                 extra_fields: dict[str, str] | None = None, threads: int | None = None,
                 memory_limit: str | None = None):
    """Register ``features`` with the engine and make a Splink ``Linker``.

    Args:
        params: a model saved by :func:`train` (Splink settings JSON); None for a new
            untrained model.
    """
    from splink import Linker

    _quiet_splink()
    api = db_api(engine, threads, memory_limit) if engine == "duckdb" else db_api(engine, threads)
    features = with_variant_keys(with_typo_keys(features, params), params)
    frame = features
    if engine == "spark":
        from kuager.linkage import spark as sp

        frame = sp.to_spark(api.spark, features)
    if engine == "duckdb":
        table = api.register(_duckdb_table(api._con, features), dataset_display_name="mentions")
    else:
        # one Spark session serves every run of the process, and its temporary views
        # outlive each run's Splink API: each run registers its own view
        table = api.register(frame, dataset_display_name="mentions", table_name=f"mentions_{next(_SPARK_RUNS)}")
    model = params if params is not None else settings(features, extra_fields, engine)
    return Linker(table, model, log_level=None)


#: Numbers the Spark runs of this process (:func:`build_linker`): each registers its
#: features as the view ``mentions_<n>``, since the session's views outlive a run and
#: registering a name twice fails. The views stay until :func:`kuager.linkage.spark.stop`.
_SPARK_RUNS = itertools.count(1)

#: Name of the DuckDB table holding the features (:func:`build_linker`).
FEATURES_TABLE = "kuager_mentions"
#: Column of the features (and of :data:`FEATURES_TABLE`) that :func:`kuager.linkage.link`
#: adds above :data:`LARGE` records: each record's integer key, its rank (0-based) in the
#: code-point order of the ids, so that integer order is the ids' order (DuckDB compares
#: texts by code point, as Python does). Candidate pairs (:func:`register_candidate_pairs`)
#: and scored pairs (:func:`predict_in_chunks`) then hold these keys instead of the id texts:
#: integer joins, and tens of millions of pairs fetched as integer arrays (at 300,000
#: mentions the candidate pairs took 2.1 CPU s against 2.8 with texts). Training still uses
#: ``unique_id`` (Splink's sampling hashes it), so the model is the same either way.
RECORD_KEY = "rid"


def has_record_keys(con) -> bool:
    """Whether :data:`FEATURES_TABLE` on the DuckDB connection ``con`` has the integer keys
    :data:`RECORD_KEY` (then the candidate and scored pairs hold keys, not id texts)."""
    return bool(_sql(con, f"SELECT count(*) FROM information_schema.columns WHERE table_name = "
                          f"'{FEATURES_TABLE}' AND column_name = '{RECORD_KEY}'")[0][0])


def record_keys(ids) -> np.ndarray:
    """:data:`RECORD_KEY` of each id in ``ids`` (texts, in any order): its 0-based rank in
    code-point order, as an int64 array of ``len(ids)``. Ids are unique
    (:func:`kuager.linkage.features.prepare` checks it)."""
    import numpy as np

    arr = pd.Index(ids, dtype=object)
    n = len(arr)
    if arr.is_monotonic_increasing:
        return np.arange(n, dtype=np.int64)
    rank = np.empty(n, dtype=np.int64)
    rank[np.argsort(arr.to_numpy(), kind="stable")] = np.arange(n, dtype=np.int64)
    return rank


_LIST_COLUMNS = ("name_keys", "given_keys", "father_keys", "place_keys", "place_pref", "relative_keys", "typo_keys",
                 "father_variants", "given_variants")


def _duckdb_table(con, features: pd.DataFrame) -> str:
    """Copy ``features`` into a DuckDB table (:data:`FEATURES_TABLE`); return its name.

    A table, not a view of the DataFrame: a view converts the Python lists of every row
    again at each scan (training and scoring scan it several times), and a table lets
    DuckDB spill. Lists are ``VARCHAR[]``, other text ``VARCHAR``, years ``BIGINT``,
    whether or not a column holds any value.
    """
    import pyarrow as pa

    fields = []
    for col in features.columns:
        if col in _LIST_COLUMNS:
            fields.append(pa.field(col, pa.list_(pa.string())))
        elif str(features[col].dtype) in ("Int64", "int64"):
            fields.append(pa.field(col, pa.int64()))
        elif str(features[col].dtype) == "bool":
            fields.append(pa.field(col, pa.bool_()))
        else:
            fields.append(pa.field(col, pa.string()))
    arrow = pa.Table.from_pandas(features, schema=pa.schema(fields), preserve_index=False)
    con.register("__kuager_features_arrow", arrow)
    con.execute(f"CREATE OR REPLACE TABLE {FEATURES_TABLE} AS SELECT * FROM __kuager_features_arrow")
    con.unregister("__kuager_features_arrow")
    return FEATURES_TABLE


#: Whether an EM pass leaves out every comparison its blocking fixes (:func:`_em_rule`).
EM_LEAVE_OUT_FIXED = True

#: Columns an EM blocking column fixes besides itself, by comparison: a pass blocked on
#: the canonical given and father's names fixes the name comparison too (its columns are
#: the spellings and keys, which Splink does not see in the rule), the place key fixes
#: the place, and the ID fixes the birth date and sex (features take them from it).
_EM_ALSO_FIXES = {"given_canon": ("name_canon",), "father_canon": ("name_canon",),
                  "place_canon": ("place_keys",), "cid": ("by_lo", "sex")}


def _em_rule(cols: tuple[str, ...], engine: str = "duckdb") -> str:
    """The SQL blocking rule of an EM pass on ``cols`` that also names the columns those
    fix (:data:`_EM_ALSO_FIXES`), so that Splink leaves their comparisons out of the pass
    (it leaves out a comparison whose columns the rule names). Otherwise a pass blocked on
    the canonical names learned the name comparison on pairs that all share the names,
    and one on the ID learned that the birth date always agrees (m 0.40 against 0.14).

    Args:
        cols: column names of the features (plain identifiers).
        engine: ``"duckdb"`` or ``"spark"``: the identifier quotes of its SQL (Spark SQL
            reads ``"x"`` as a text, so ``l."sex" = r."sex"`` held for every pair there and
            the pass learned m from random pairs: a namesake of the other sex born 20
            years apart scored 0.999998 on Spark).
    Returns:
        the rule as SQL text in ``engine``'s dialect.
    """
    q = "`" if engine == "spark" else '"'
    parts = [f'l.{q}{c}{q} = r.{q}{c}{q}' for c in cols]
    extra = []
    for c in cols:
        for x in _EM_ALSO_FIXES.get(c, ()):
            if x not in cols and x not in extra:
                extra.append(x)
    parts += [f'(l.{q}{x}{q} IS NULL OR l.{q}{x}{q} IS NOT NULL)' for x in extra]
    return " AND ".join(parts)


#: Pairs of records sharing a valid Chinese ID needed for the second EM pass to be
#: blocked on the ID (see :func:`train`).
ID_EM_MIN_PAIRS = 500


def id_pairs(features: pd.DataFrame) -> int:
    """Number of pairs of records in ``features`` that share a (checked) Chinese ID (``cid``)."""
    if "cid" not in features.columns:
        return 0
    counts = features["cid"].dropna().value_counts()
    return int((counts * (counts - 1) // 2).sum())


def train(linker, features: pd.DataFrame, *, seed: int = 42, max_pairs: float = 2e6) -> dict[str, Any]:
    """Estimate the model's parameters from the data, in place; return them.

    Steps (Splink docs, "Estimating model parameters"): the prior probability that
    two records match from deterministic rules (same given and father key with
    the same birth year, or same Chinese ID) with an assumed recall of 0.6; u by
    random sampling of ``max_pairs`` pairs; m by EM blocked on the canonical names
    and place (to learn birth, sex, ID...; on names alone when no place is known)
    and on birth year and sex (to learn the names and place; birth year alone when
    no sex is known), or instead, when at least :data:`ID_EM_MIN_PAIRS` pairs share a
    valid Chinese ID, on the ID (birth and sex left out of that pass: the ID holds
    them); then :func:`cap_disagreement` and :func:`floor_m`. When the rules find no
    pair (a few distinct people; one record) EM starts from Splink's default prior.

    Returns:
        the trained model as a JSON-serialisable dict (Splink settings).
    """
    from splink import block_on

    t = linker.training
    det = ["l.given_canon = r.given_canon AND l.father_canon = r.father_canon AND l.by_lo = r.by_lo"]
    if features["cid"].notna().any():
        det.append(block_on("cid"))
    settings_obj = linker._settings_obj
    default_prior = settings_obj._probability_two_random_records_match
    try:
        t.estimate_probability_two_random_records_match(det, recall=0.6)
    except (ValueError, ZeroDivisionError):
        pass  # keep Splink's default prior when the rules find (almost) nothing
    if not 0 < settings_obj._probability_two_random_records_match < 1:
        # no pair found by the rules (a few distinct people): a prior of 0 has no match
        # weight (log2 0) and scoring failed with "math domain error"; Splink's default instead
        settings_obj._probability_two_random_records_match = default_prior
    # Splink samples u in chunks, one query each, until every level has 100 pairs; a Spark
    # query costs about a second whatever its size, so on Spark one chunk (the whole sample)
    spark = linker._db_api.sql_dialect.sql_dialect_str == "spark"
    t.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=seed, num_chunks=1 if spark else 10)
    # EM, two passes, each the first rule of its group that finds usable pairs: names and
    # place fixed (learns birth, sex, ID with fewer namesakes mistaken for matches than on
    # names alone), then birth year and sex fixed (learns the names and the place)
    def has(*cols: str) -> bool:
        return all(c in features.columns and features[c].notna().any() for c in cols)

    groups = [[("given_canon", "father_canon", "place_canon"), ("given_canon", "father_canon")],
              [("by_lo", "sex"), ("by_lo",)]]
    if id_pairs(features) >= ID_EM_MIN_PAIRS:
        # pairs sharing a valid ID number are nearly all one person: they teach the names
        # and the place without the namesakes that share a birth year and sex (at 100,000
        # synthetic mentions, blocked on birth year and sex, EM learned that 19 % of one
        # person's pairs give places in different counties; the truth is none)
        groups[1].insert(0, ("cid",))
    for group in groups:
        for cols in group:
            if not has(*cols):
                continue
            kept = list(settings_obj.comparisons)
            rule = _em_rule(cols, "spark" if spark else "duckdb") if EM_LEAVE_OUT_FIXED else block_on(*cols)
            try:
                t.estimate_parameters_using_expectation_maximisation(
                    rule, estimate_without_term_frequencies=True, max_pairs=max_pairs)
                break
            except Exception:  # noqa: BLE001 - a pass with no usable pairs; try the next
                # Splink leaves the comparisons of a failed pass's rule out of the model
                # (found on FEBRL, which has no sex: the birth comparison was lost); put them back
                settings_obj.comparisons = kept
                continue
    cap_disagreement(linker)
    floor_m(linker)
    return linker.misc.save_model_to_json()


#: Smallest m probability of any level after training (:func:`floor_m`).
M_FLOOR = 0.001


def floor_m(linker, floor: float = M_FLOOR) -> None:
    """Give every level at least ``floor`` as m probability, in place.

    A level at which EM saw no pair of one person (on pairs sharing an ID number, one
    person's places never differed on the synthetic sets) gets no m (Splink then uses
    1e-6, and a model reloaded from JSON another value): such a level would veto a
    match almost alone. Raised to ``floor``; the other levels are scaled so that the m
    probabilities of the comparison still sum to 1.
    """
    for comp in linker._settings_obj.comparisons:
        levels = [lv for lv in comp.comparison_levels if not lv.is_null_level]
        raised = []
        for lv in levels:
            m = lv._m_probability
            if not isinstance(m, (int, float)) or m < floor:
                raised.append(lv)
        if not raised or len(raised) == len(levels):
            continue
        rest = [lv for lv in levels if all(lv is not r for r in raised)]
        total = sum(float(lv._m_probability) for lv in rest)
        for lv in raised:
            lv.m_probability = floor
        if total > 0:
            for lv in rest:
                lv.m_probability = float(lv._m_probability) * (1 - floor * len(raised)) / total


@contextmanager
def _levels_only(linker):
    """Within: Splink's scoring SQL selects the ``gamma_*`` levels but not the compared
    values (Splink's own training-mode selection; see :func:`predict`)."""
    from splink.internals.comparison import Comparison

    original = Comparison._columns_to_select_for_predict

    def levels_only(self, retain_matching_columns, retain_intermediate_calculation_columns, training_mode):
        return original(self, retain_matching_columns, retain_intermediate_calculation_columns, True)

    settings_obj = linker._settings_obj
    kept = settings_obj._retain_matching_columns
    settings_obj._retain_matching_columns = False
    Comparison._columns_to_select_for_predict = levels_only
    try:
        yield
    finally:
        Comparison._columns_to_select_for_predict = original
        settings_obj._retain_matching_columns = kept


def predict(linker, **kwargs):
    """Score the candidate pairs like ``linker.inference.predict(**kwargs)``, keeping the
    ``gamma_*`` columns but not the compared values.

    Splink keeps the agreement levels only together with every compared column of both
    records (``retain_matching_columns``): lists of keys and spellings on each of tens of
    millions of pairs at a million mentions. Here Splink's own training-mode selection
    (levels without values) is used for scoring; callers fetch the values of the few
    pairs they show (``kuager.linkage._with_values``). Returns Splink's ``SplinkDataFrame``.
    """
    with _levels_only(linker):
        return linker.inference.predict(**kwargs)


CHUNK_PAIRS = 2_000_000
"""Candidate pairs scored in one step above :data:`LARGE` records (:func:`predict_in_chunks`):
the 30.7 million pairs of a million synthetic mentions, scored in one step, went past
16 GB resident even under DuckDB's memory limit."""


def _scoring_sql(linker, pairs: str, features: str) -> str:
    """The SELECT that scores the id pairs in table or view ``pairs`` (columns
    ``match_key``, ``join_key_l``, ``join_key_r``) against ``features`` (the features with
    Splink's term-frequency columns, ``__splink__df_concat_with_tf``): Splink's own SQL for
    comparison vectors and match weights, with levels but no compared values (as
    :func:`predict`). The same columns and values as :func:`predict`."""
    from splink.internals.comparison_vector_values import compute_comparison_vector_values_from_id_pairs_sqls
    from splink.internals.pipeline import CTEPipeline
    from splink.internals.predict import predict_from_comparison_vectors_sqls_using_settings

    api = linker._db_api
    settings_obj = linker._settings_obj
    info = settings_obj.column_info_settings
    with _levels_only(linker):
        pipeline = CTEPipeline([api.table_to_splink_dataframe("__splink__blocked_id_pairs", pairs),
                                api.table_to_splink_dataframe("__splink__df_concat_with_tf", features)])
        pipeline.enqueue_list_of_sqls(compute_comparison_vector_values_from_id_pairs_sqls(
            settings_obj._columns_to_select_for_blocking,
            settings_obj._columns_to_select_for_comparison_vector_values,
            input_tablename_l="__splink__df_concat_with_tf", input_tablename_r="__splink__df_concat_with_tf",
            source_dataset_input_column=info.source_dataset_input_column,
            unique_id_input_column=info.unique_id_input_column,
            link_type=settings_obj._link_type, sql_dialect_str="duckdb"))
        pipeline.enqueue_list_of_sqls(predict_from_comparison_vectors_sqls_using_settings(settings_obj, None, None))
        return pipeline.generate_cte_pipeline_sql()


#: Whether :func:`predict_in_chunks` scores against key lists of hashes (:func:`hash_key_lists`)
#: and texts read only in null checks as '' (:func:`null_checked_texts`).
HASH_KEY_LISTS = True


def _list_of_hashes(col: str) -> str:
    """DuckDB SQL: the list ``col`` with each element replaced by its ``hash`` (UBIGINT);
    NULL stays NULL. (DuckDB 1.3 introduced ``lambda x: ...``; 2.0 refuses the older
    ``x -> ...`` by default.)"""
    import duckdb

    major, minor = (int(x) for x in duckdb.__version__.split(".")[:2])
    fn = "lambda x: hash(x)" if (major, minor) >= (1, 3) else "x -> hash(x)"
    return f"list_transform({col}, {fn})"


def _features_columns(con) -> dict[str, str]:
    """``{column: DuckDB type}`` of :data:`FEATURES_TABLE`."""
    return {r[0]: r[1] for r in _sql(con, f"SELECT column_name, data_type FROM information_schema.columns "
                                          f"WHERE table_name = '{FEATURES_TABLE}'")}


def _read_only_by(scoring_sql: str, overlaps: bool) -> set[str]:
    """The columns ``c`` whose values ``c_l`` / ``c_r`` the scoring SQL (:func:`_scoring_sql`)
    reads only in ``IS [NOT] NULL`` checks (and, with ``overlaps``, in ``list_has_any``),
    besides the join's column list that names them."""
    import re

    named = set(re.findall(r"\b(\w+)_[lr]\b", scoring_sql))
    # what remains of the SQL once the join's column list, the overlaps and the null checks go
    rest = re.sub(r'"?[lr]"?\."?\w+"?\s+AS\s+"?\w+"?', " ", scoring_sql)
    if overlaps:
        rest = re.sub(r'list_has_any\(\s*"?\w+"?\s*,\s*"?\w+"?\s*\)', " ", rest)
    rest = re.sub(r'"?\w+"?\s+IS\s+(NOT\s+)?NULL', " ", rest)
    return {c for c in named if not re.search(rf"\b{c}_[lr]\b", rest)}


def null_checked_texts(con, scoring_sql: str) -> list[str]:
    """The text columns of :data:`FEATURES_TABLE` that the scoring SQL reads only in null
    checks (above :data:`LARGE`, ``names``: the key name comparison asks only whether a
    record has names), which :func:`predict_in_chunks` replaces by ``''`` where they are
    not NULL: the same levels, less to carry through the joins (at 300,000 synthetic
    mentions, one chunk of 854,066 pairs on hashed key lists: 2.79 against 2.66 CPU s, the
    mean of six runs each, alternating).

    Args:
        con: the DuckDB connection holding :data:`FEATURES_TABLE`.
        scoring_sql: the scoring SQL (:func:`_scoring_sql`).
    Returns:
        the column names (empty when :data:`HASH_KEY_LISTS` is off).
    """
    if not HASH_KEY_LISTS:
        return []
    present = _features_columns(con)
    only = _read_only_by(scoring_sql, overlaps=False)
    return [c for c, kind in present.items() if kind == "VARCHAR" and c in only and c != "unique_id"]


def hash_key_lists(con, scoring_sql: str) -> list[str]:
    """The list columns of :data:`FEATURES_TABLE` that scoring may compare as lists of
    64-bit hashes of their keys instead of the keys (:func:`predict_in_chunks`).

    A column qualifies when ``scoring_sql`` (the scoring SELECT against
    :data:`FEATURES_TABLE`, :func:`_scoring_sql`) uses its values ``<col>_l`` / ``<col>_r``
    only in ``list_has_any`` (do two lists share an element) and ``IS [NOT] NULL``, which a
    one-to-one map of the keys leaves unchanged, and only when DuckDB's ``hash`` *is*
    one-to-one on the keys of all the qualifying columns together (``given_keys`` and
    ``father_keys`` are compared with each other): the number of distinct keys equals the
    number of distinct hashes, counted on the data (else none qualifies, and scoring uses
    the keys). So the levels, weights and probabilities are exactly those of the key lists.
    Measured at 300,000 synthetic mentions, one chunk of 854,066 pairs: 4.4 CPU s with the
    keys, 3.5 with their hashes (three runs each, alternating; docs/linkage.md).

    Args:
        con: the DuckDB connection holding :data:`FEATURES_TABLE`.
        scoring_sql: the scoring SQL.
    Returns:
        the column names (empty when :data:`HASH_KEY_LISTS` is off or none qualifies).
    """
    if not HASH_KEY_LISTS:
        return []
    present = _features_columns(con)
    cols = [c for c in _LIST_COLUMNS if c in present and c in _read_only_by(scoring_sql, overlaps=True)]
    if not cols:
        return []
    union = " UNION ALL ".join(f"SELECT unnest({c}) AS k FROM {FEATURES_TABLE}" for c in cols)
    keys, hashes = _sql(con, f"SELECT count(DISTINCT k), count(DISTINCT hash(k)) FROM ({union})")[0]
    return cols if keys == hashes else []


def predict_in_chunks(linker, chunks: int, floor: float, keep_contradicting: bool,
                      out: str = "__kuager_scored"):
    """Score the registered candidate pairs (``__kuager_blocked_pairs``, made by
    :func:`register_candidate_pairs`) in ``chunks`` parts, keeping only the pairs needed
    later, so that no step holds every scored pair.

    The pairs are split by ``hash(join_key_l) % chunks``; each part is scored by Splink's
    SQL (:func:`_scoring_sql`: levels, no compared values) against one table of the
    features with their term frequencies, made once (Splink's own ``predict`` on
    registered pairs copies the features of every record in the part twice, per part:
    most of the 501 s that 16 parts took at a million mentions); in that table the key lists
    read only as sets are lists of their keys' hashes (:func:`hash_key_lists`, when no two keys
    share one) and texts read only in null checks are ``''`` (:func:`null_checked_texts`): the
    same levels and weights, less to join (about 6 % of the step's CPU at a million mentions).
    Kept, in the DuckDB table
    ``out``: pairs with ``match_probability >= floor`` and, if ``keep_contradicting``,
    pairs that :func:`contradiction_sql` finds contradicting (the keep-apart step's
    candidates); the other pairs are dropped. Each kept pair has the same columns and
    values as in one-step scoring (:func:`predict`), except that ``unique_id_l`` and
    ``unique_id_r`` hold the records' integer keys (:data:`RECORD_KEY`) when the features
    table has them (:func:`has_record_keys`). With ``keep_contradicting``, the
    pairs that :func:`register_candidate_pairs` marks as contradicting (found by name
    rules only, birth years more than 3 apart or another sex, no shared ID:
    :data:`SKIP_CONTRADICTING`) are not scored when the model sees those contradictions and
    has no strong level that could spare them (:func:`strong_levels`; the same ID or birth
    date are found by their own rules): they are added with ``match_probability`` and
    ``match_weight`` NULL, ``gamma_birth`` / ``gamma_sex`` 0 where they contradict and -1
    (unknown) elsewhere, so the keep-apart step takes them as it took them scored (below
    ``apart_below``: at 300,000 synthetic mentions, 1.30 million of the 3.01 million
    candidate pairs, scoring CPU 9.2 s to 5.8 s, B-cubed F1 0.8866 to 0.8868).

    Args:
        linker: a DuckDB linker after :func:`register_candidate_pairs`.
        chunks: number of parts (>= 1).
        floor: lowest match probability kept (0-1).
        keep_contradicting: also keep contradicting pairs below ``floor``.
        out: name of the table made (replaced if it exists).
    Returns:
        Splink's ``SplinkDataFrame`` of ``out``.
    Raises:
        ValueError: ``chunks`` < 1.
    """
    from splink.internals.pipeline import CTEPipeline
    from splink.internals.vertically_concatenate import enqueue_df_concat_with_tf

    if chunks < 1:
        raise ValueError(f"chunks must be at least 1, not {chunks}")
    api = linker._db_api
    con = api._con
    part = "__kuager_pairs_part"
    _sql(con, f"CREATE OR REPLACE VIEW {part} AS SELECT * FROM __kuager_blocked_pairs WHERE false")
    pipeline = CTEPipeline()
    enqueue_df_concat_with_tf(linker, pipeline)
    replace = []
    if has_record_keys(con):
        # pairs of integer keys (register_candidate_pairs): the records' key is their unique_id here
        replace.append(f"{RECORD_KEY} AS unique_id")
    # key lists compared only as sets, as lists of their keys' 64-bit hashes when no two keys
    # of the data share a hash (hash_key_lists): the same levels, cheaper joins and overlaps
    # and texts read only in null checks as '' (null_checked_texts)
    sql = _scoring_sql(linker, part, FEATURES_TABLE)
    replace += [f"{_list_of_hashes(c)} AS {c}" for c in hash_key_lists(con, sql)]
    replace += [f"CASE WHEN {c} IS NULL THEN NULL ELSE '' END AS {c}" for c in null_checked_texts(con, sql)]
    if replace:
        pipeline.enqueue_sql(f"SELECT * REPLACE ({', '.join(replace)}) FROM __splink__df_concat_with_tf",
                             "__kuager_with_tf_keyed")
    with_tf = api.sql_pipeline_to_splink_dataframe(pipeline)
    learned = learned_contradiction_levels(linker.misc.save_model_to_json()) if keep_contradicting else {}
    select = _scoring_sql(linker, part, with_tf.physical_name)
    keep = f"match_probability >= {float(floor)}"
    if keep_contradicting:
        gammas = [f"gamma_{c.output_column_name}" for c in linker._settings_obj.comparisons]
        contradiction = contradiction_sql(gammas, learned)
        if contradiction is not None:
            keep = f"({keep}) OR ({contradiction})"
    gammas = {f"gamma_{c.output_column_name}" for c in linker._settings_obj.comparisons}
    params = linker.misc.save_model_to_json()
    # contradicting pairs (register_candidate_pairs) go unscored to the keep-apart step when
    # the model sees their contradiction (birth, sex) and nothing could spare them from it
    # (model.strong_levels: the same ID or the same full birth date, whose rules find the
    # pair and so have it scored; any other strong level, and all are scored)
    labels = level_labels(params).get("birth", {})
    spared = {("gamma_birth", v) for v, label in labels.items() if label == "same birth date"}
    unscored = (keep_contradicting and {"gamma_birth", "gamma_sex"} <= gammas
                and all(g == "gamma_chinese_id" or (g, v) in spared for g, v in strong_levels(params)))
    scored_only = " AND NOT (birth_apart OR sex_apart)" if unscored else ""
    for i in range(chunks):
        _sql(con, f"CREATE OR REPLACE VIEW {part} AS SELECT match_key, join_key_l, join_key_r "
                  f"FROM __kuager_blocked_pairs WHERE hash(join_key_l) % {int(chunks)} = {i}{scored_only}")
        verb = f"CREATE OR REPLACE TABLE {out} AS" if i == 0 else f"INSERT INTO {out}"
        _sql(con, f"{verb} SELECT * FROM ({select}) WHERE {keep}")
    _sql(con, f"DROP VIEW {part}")
    if unscored:
        # no probability (never fetched as pairs; link's keep-apart step takes them as
        # below any apart_below), unknown levels but the birth years and sex
        columns = [r[0] for r in _sql(con, f"DESCRIBE {out}")]
        exprs = []
        for c in columns:
            if c == "unique_id_l":
                exprs.append("join_key_l")
            elif c == "unique_id_r":
                exprs.append("join_key_r")
            elif c == "match_key":
                exprs.append("match_key")
            elif c in ("gamma_birth", "gamma_sex"):
                exprs.append(f"CASE WHEN {c[6:]}_apart THEN 0 ELSE -1 END")
            elif c.startswith("gamma_"):
                exprs.append("-1")
            else:
                exprs.append("NULL")
        _sql(con, f"INSERT INTO {out} ({', '.join(columns)}) SELECT {', '.join(exprs)} "
                  f"FROM __kuager_blocked_pairs WHERE birth_apart OR sex_apart")
    with_tf.drop_table_from_database_and_remove_from_cache()
    return api.register(out)


#: Largest m probability (share of pairs of one person) of the "differ" level of these
#: comparisons. One person's records rarely put the birth years more than 3 years apart,
#: give another sex or another checksum-valid ID; but EM, blocked on names, takes
#: namesakes for matches and learns m values of 0.05-0.15 there when namesakes are
#: common (100,000 synthetic mentions), which makes a plain contradiction weak evidence.
DISAGREEMENT_M_CAP = {"birth": 0.01, "sex": 0.01, "chinese_id": 0.01}


def cap_disagreement(linker, caps: dict[str, float] | None = None) -> None:
    """Cap the m probability of the last ("differ") level of the comparisons in ``caps``.

    The m probabilities of the other levels are scaled so that they still sum to 1.
    Changes the linker's model in place.
    """
    caps = DISAGREEMENT_M_CAP if caps is None else caps
    for comp in linker._settings_obj.comparisons:
        cap = caps.get(comp.output_column_name)
        levels = [lv for lv in comp.comparison_levels if not lv.is_null_level]
        if cap is None or len(levels) < 2:
            continue
        last, rest = levels[-1], levels[:-1]
        m = last.m_probability
        if not isinstance(m, float) or m <= cap:
            continue
        total = sum(lv.m_probability for lv in rest if isinstance(lv.m_probability, float))
        last.m_probability = cap
        if total > 0:
            for lv in rest:
                if isinstance(lv.m_probability, float):
                    lv.m_probability = lv.m_probability * (1 - cap) / total


#: A comparison outside the fixed ones of :func:`contradiction_sql` whose lowest ("differ")
#: level has a Bayes factor m/u at most this (the model finds one person's records
#: disagree there at most 1/64 as often as two random records) counts as a contradiction
#: too. Birth, sex and ID, with m capped at 0.01, are at about 1/90 or less.
CONTRADICTION_BF = 1 / 64
#: Comparisons that may become contradictions by :data:`CONTRADICTION_BF`.
CONTRADICTION_CANDIDATES = ("place",)


def learned_contradictions(params: dict[str, Any] | None, max_bf: float = CONTRADICTION_BF) -> list[str]:
    """Names of the comparisons in :data:`CONTRADICTION_CANDIDATES` whose lowest level's
    m/u is at most ``max_bf`` in the saved model ``params`` (e.g. ``["place"]`` when one
    person's places of origin almost never differ: at 100,000 synthetic mentions the
    model learns m 0.001 against u 0.66).
    """
    out = []
    for comp in (params or {}).get("comparisons", []):
        name = comp["output_column_name"]
        if name not in CONTRADICTION_CANDIDATES:
            continue
        levels = [lv for lv in comp["comparison_levels"] if not lv.get("is_null_level")]
        if len(levels) < 2:
            continue
        m, u = levels[-1].get("m_probability"), levels[-1].get("u_probability")
        if isinstance(m, (int, float)) and isinstance(u, (int, float)) and u > 0 and m / u <= max_bf:
            out.append(name)
    return out


#: The levels above a learned contradiction's lowest one whose m/u is at most
#: :data:`CONTRADICTION_BF` count too (:func:`learned_contradiction_levels`): "places in the
#: same prefecture" (other counties) where one person's places never differ. False: the lowest only.
CONTRADICTION_LEVELS_ABOVE = True


def learned_contradiction_levels(params: dict[str, Any] | None, max_bf: float = CONTRADICTION_BF) -> dict[str, int]:
    """``{comparison: highest gamma value that contradicts}`` for the comparisons of
    :func:`learned_contradictions`: the lowest level (gamma 0) and, with
    :data:`CONTRADICTION_LEVELS_ABOVE`, each level above it in turn while its m/u is at most
    ``max_bf`` (never the top level).

    At 100,000 synthetic mentions (seed 7) the place's "places in the same prefecture"
    (other counties of one prefecture) has m 0.001 against u 0.29 (m/u 1/288), as "place
    differ" 1/656: one person's mentions name one county, and of the pairs inside the
    clusters of main (3b67253) whose places lie in two counties of one prefecture, 1,518
    were two people and none one person. Where people's places do differ inside a
    prefecture (a city and its county, a move), EM learns a higher m and the level does not
    count. Example: levels (top first) m/u 17, 1/288, 1/656 -> ``{"place": 1}``.
    """
    out: dict[str, int] = {}
    names = learned_contradictions(params, max_bf)
    for comp in (params or {}).get("comparisons", []):
        name = comp["output_column_name"]
        if name not in names:
            continue
        levels = [lv for lv in comp["comparison_levels"] if not lv.get("is_null_level")]
        top = 0
        if CONTRADICTION_LEVELS_ABOVE:
            # levels[-1] is gamma 0; levels[0], the top, never counts
            for lv in reversed(levels[1:-1]):
                m, u = lv.get("m_probability"), lv.get("u_probability")
                if not (isinstance(m, (int, float)) and isinstance(u, (int, float)) and u > 0 and m / u <= max_bf):
                    break
                top += 1
        out[name] = top
    return out


def contradiction_sql(columns, learned: list[str] | tuple | dict[str, int] = ()) -> str | None:
    """SQL condition on a scored pair: its two records contradict each other.

    A candidate pair below ``link(apart_below=...)`` that meets it is kept apart in
    clustering (:func:`kuager.linkage.cluster.cluster`), so that a chain of strong pairs
    through a mention that says little cannot join two people. Contradictions:

    - birth years more than 3 apart, another sex, another valid Chinese ID (the lowest
      level of ``birth``, ``sex``, ``chinese_id``);
    - siblings: the same father's name (``father``: same canonical key or a shared key)
      but given names at most partly alike (``name`` at its two lowest levels).

    - the lowest level of each comparison named in ``learned`` (see
      :func:`learned_contradictions`: the place, where the model finds that one person's
      places almost never differ), or the levels up to the one ``learned`` maps it to
      (:func:`learned_contradiction_levels`: "places in the same prefecture" too).

    Args:
        columns: the columns of the scored pairs (only ``gamma_*`` ones that exist are used).
        learned: more comparisons whose lowest level contradicts (names), or a mapping
            ``{name: highest contradicting gamma}`` (:func:`learned_contradiction_levels`).
    Returns:
        the condition, or None when no contradiction can be seen in these columns.

    "Names unlike" (``name`` at its lowest level) was tried as a contradiction too: no
    gain on the synthetic sets once siblings count (seed 7, 100,000: B-cubed F1 0.891
    either way), and it split FEBRL duplicates whose given name and surname were
    swapped (FEBRL3 pairwise F1 0.9995 with it, 0.9999 without).
    """
    columns = set(columns)
    fixed = ("gamma_birth", "gamma_sex", "gamma_chinese_id")
    tops = dict(learned) if isinstance(learned, dict) else dict.fromkeys(learned, 0)
    parts = [f"{g} = 0" for g in fixed if g in columns]
    for c, top in tops.items():
        g = f"gamma_{c}"
        if g in columns and g not in fixed:
            # gamma -1 (unknown) never contradicts
            parts.append(f"{g} = 0" if top <= 0 else f"{g} between 0 and {int(top)}")
    if "gamma_name" in columns and "gamma_father" in columns:
        # 3 and 4: shared key, same name (5, when the model has it, is "crossed": not siblings)
        parts.append("(gamma_name <= 1 and gamma_father in (3, 4))")
    return " or ".join(parts) if parts else None


#: A level whose u probability (share of random pairs at it) is at most this is strong
#: evidence on its own: the same ID or social security number, the same street address.
STRONG_U = 0.001
#: Comparisons of names: not "strong" in :func:`strong_levels` (namesakes share them).
NAME_COMPARISONS = ("name", "given", "father", "relatives")


def strong_levels(params: dict[str, Any], u_max: float = STRONG_U) -> list[tuple[str, int]]:
    """``(gamma column, value)`` of the levels outside names whose u is at most ``u_max``.

    Used by :func:`kuager.linkage.link` to spare such pairs from being kept apart for a
    contradiction: FEBRL's duplicates with one corrupted birth date but the same social
    security number were split from their cluster (measured: FEBRL3 pairwise recall 0.994
    with, 0.9998 without keeping contradicting pairs apart). Gamma values are numbered as
    in :func:`level_labels` (the top level highest).
    """
    out = []
    for comp in params.get("comparisons", []):
        name = comp["output_column_name"]
        if name in NAME_COMPARISONS:
            continue
        levels = [lv for lv in comp["comparison_levels"] if not lv.get("is_null_level")]
        for i, lv in enumerate(levels[:-1]):  # the last level is "else"
            u = lv.get("u_probability")
            if isinstance(u, (int, float)) and u <= u_max:
                out.append((f"gamma_{name}", len(levels) - 1 - i))
    return out


def level_labels(params: dict[str, Any]) -> dict[str, dict[int, str]]:
    """``{comparison: {gamma value: label}}`` from a saved model, for showing a pair.

    Labels are the levels' ``label_for_charts`` (English, e.g. "birth years within 1"); the
    unknown level (gamma -1, a value missing on either side) is ``"unknown"``.
    """
    out: dict[str, dict[int, str]] = {}
    for comp in params.get("comparisons", []):
        levels = [lv for lv in comp["comparison_levels"]]
        labels: dict[int, str] = {}
        value = len([lv for lv in levels if not lv.get("is_null_level")]) - 1
        for lv in levels:
            if lv.get("is_null_level"):
                labels[-1] = "unknown"  # Splink's own label for it is its SQL condition
            else:
                labels[value] = lv.get("label_for_charts", lv.get("sql_condition", ""))
                value -= 1
        out[comp["output_column_name"]] = labels
    return out
