"""Per-mention features for linkage, computed once in Python.

Splink compares records with SQL inside DuckDB (or Spark), where Python name
functions cannot run cheaply for every pair. So each mention is turned, once,
into plain columns that SQL can compare: the name keys of :func:`kuager.names.keys`
(equal for the usual variants of a name across scripts), the keys of the given
and the father's part (from :func:`kuager.names.parse`), one canonical key per
part for string distances and term frequencies, a birth-year range, the sex, the
keys of the place of origin (division codes from the gazetteer for places in
Xinjiang, with their prefectures) and a checked Chinese ID number.

Input: a DataFrame in the format of ``docs/formats/mentions.md`` (all columns
strings; ``record_id`` and ``names`` required). Output columns are listed in
:data:`FEATURE_COLUMNS`; list columns hold sorted lists of strings or None.

No Django import here.
"""

from __future__ import annotations

import gc
import re
import threading
from contextlib import contextmanager
from functools import lru_cache

import numpy as np
import pandas as pd

try:  # what DataFrame.to_dict applies to the values of object columns
    from pandas.core.dtypes.cast import maybe_box_native as _box
except ImportError:  # pragma: no cover - a later pandas without it
    def _box(v):
        return v.item() if hasattr(v, "item") and type(v).__module__ == "numpy" else v

from kuager import progress
from kuager.dates import birth_year_range, parse_partial_date
from kuager.errors import InputError
from kuager.linkage import chinese_id as cid_mod

FEATURE_COLUMNS = [
    "unique_id", "names", "name_keys", "given_keys", "father_keys", "name_canon", "given_canon", "father_canon",
    "by_lo", "by_hi", "birth_date", "sex", "place_keys", "place_canon", "place_pref", "cid", "relative_keys",
]
REQUIRED = ("record_id", "names")
_SEX = {"male": "m", "m": "m", "female": "f", "f": "f"}
_YEAR = re.compile(r"^\d{4}$")
# administrative words dropped from places before keying (county, district, township, village, city)
_PLACE_WORDS = re.compile(
    r"\b(county|district|prefecture|township|town|village|city|region|ауданы|аудан|ауылы|ауыл|облысы|"
    r"қаласы|район|село|nahiyisi|nahiye|yezisi|wilayiti|sheher|ناھىيىسى|يېزىسى|شەھىرى)\b|"
    r"[县市乡镇村区州]$", re.IGNORECASE)


@lru_cache(maxsize=500_000)
def _keys(text: str) -> frozenset[str]:
    from kuager.names.keys import key_set  # imported here: kuager.names loads only when keying

    return key_set(text) if text else frozenset()


@lru_cache(maxsize=500_000)
def _parts(spelling: str) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(full-name keys, given keys, father keys) of one spelling (:func:`_split_keys`)."""
    return _split_keys(_keys(spelling))


@lru_cache(maxsize=200_000)
def _split_keys(keys: frozenset[str]) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(full-name keys, given keys, father keys) of the keys of one spelling.

    Uses the documented key forms of :func:`kuager.names.keys`: ``n:GIVEN|FATHER``,
    ``f:GIVENFATHER`` (run together), ``u:`` (the two parts in either order, so a
    spelling with the father's name first shares it) and ``g:GIVEN``. Full-name keys
    are the ``n:``, ``f:`` and ``u:`` keys; the given part's keys are the ``g:`` values
    and the first half of each ``n:``; the father's part's keys the second half of
    each ``n:``. Cached on the key set, which spellings with the same forms share
    (:func:`kuager.names.keys.key_set`).
    """
    full, given, father = set(), set(), set()
    for k in keys:
        kind, _, value = k.partition(":")
        if kind == "g":
            given.add(value)
        elif kind == "n":
            full.add(k)
            g, _, f = value.partition("|")
            if g:
                given.add(g)
            if f:
                father.add(f)
        else:
            full.add(k)
    return frozenset(full), frozenset(given), frozenset(father)


@lru_cache(maxsize=200_000)
def _single(text: str) -> frozenset[str]:
    """Keys of one name part given alone (a father's name, a given name column)."""
    out = set()
    for k in _keys(text):
        kind, _, value = k.partition(":")
        if kind in ("g", "f"):
            out.add(value)
        elif kind == "n":
            out.update(v for v in value.split("|") if v)
    return frozenset(out)


@lru_cache(maxsize=100_000)
def _place(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """(place keys, prefecture codes) of a place of origin.

    A place the gazetteer knows (:func:`kuager.gazetteer.places.place_codes`, Xinjiang's
    counties and prefectures in any script: 伊宁县 and Құлжа ауданы give ``654021``)
    is keyed by its division codes, several when the spelling is shared; any other
    place by the name keys of its text without administrative words.
    """
    from kuager.gazetteer.places import place_codes, prefectures

    codes = place_codes(text)
    if codes:
        return frozenset(codes), frozenset(prefectures(codes))
    cleaned = _PLACE_WORDS.sub(" ", text.strip()).strip(" ,.;")
    return (_single(cleaned) if cleaned else frozenset()), frozenset()


#: A mention without a place of origin takes the county of its valid Chinese ID's address
#: code (:func:`_id_place`), as it takes the birth date and sex from the ID.
ID_PLACE = True


@lru_cache(maxsize=10_000)
def _id_place(region: str) -> tuple[frozenset[str], frozenset[str]]:
    """(place keys, prefecture codes) of an ID's 6-digit address code, when the gazetteer
    holds it at county level; else nothing.

    GB 11643-1999: the first six digits of a resident identity number are the GB/T 2260
    code of the county (city, district) where the holder was first registered, in practice
    for people born in Xinjiang the county of their household registration (hukou) at
    birth, which is what testimonies give as the place of origin. A code outside the bundled
    table (another province, an old or prefecture-level code) gives nothing, so the place
    comparison stays unknown rather than differ.
    """
    from kuager.gazetteer.places import places, prefectures

    table = places()
    if region not in table or table[region].level != "county":
        return frozenset(), frozenset()
    return frozenset((region,)), frozenset(prefectures((region,)))


#: At or above this many mentions, :func:`prepare` computes the features in worker
#: processes, in chunks of rows (:func:`_rows_pooled`).
POOL_MIN = 50_000
#: Worker processes for :func:`prepare` (the machines this is written for have 2 cores).
POOL_WORKERS = 2
#: Rows per task of a worker (fewer when there are fewer rows: at least 4 tasks a worker).
ROWS_PER_TASK = 20_000


@contextmanager
def _gc_paused():
    """Pause Python's cyclic garbage collector for a loop that allocates many small objects.

    The row loop of :func:`prepare` (:func:`_rows`) creates millions of tuples, sets
    and strings but no reference cycles, while the name caches and the input stay
    alive: every full collection walks all of them again (about half of the keying
    time at 100,000 mentions before this was paused: docs/linkage.md, "Scale").
    Reference counting still frees everything as usual; only cycles wait until the
    collector is enabled again on leaving (it is left off if it was off).
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _canon(keys: set[str]) -> str | None:
    """One representative key: the shortest, then alphabetically first (deterministic)."""
    return min(keys, key=lambda k: (len(k), k)) if keys else None


def _first_shortest(listed: list[str] | None) -> str | None:
    """:func:`_canon` of keys already sorted (:func:`_listed`): the first of the shortest."""
    return min(listed, key=len) if listed else None


def _listed(keys: set[str] | frozenset[str]) -> list[str] | None:
    return sorted(keys) if keys else None


def _text(v) -> str:
    """A value as stripped text; "" for None and NaN."""
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return ""
    return str(v).strip()


#: the input columns :func:`prepare` reads (besides ``extra_fields``)
_USED = ("record_id", "names", "given_name", "surname", "father_name", "sex", "chinese_id", "hometown",
         "relatives", "birth_year", "birth_date", "age", "age_as_of")


def _text_column(df: pd.DataFrame, col: str) -> list[str]:
    """:func:`_text` of every value of column ``col`` ("" throughout when it is missing).

    The values are those of ``df.to_dict("records")`` (the last of repeated column names;
    values of object and extension columns boxed the way pandas does it there: numpy
    scalars to Python ones, ``pd.NA`` to None), read a column at a time instead of a
    dictionary per row."""
    pos = [k for k, c in enumerate(df.columns) if c == col]
    if not pos:
        return [""] * len(df)
    series = df.iloc[:, pos[-1]]
    if series.dtype == object or isinstance(series.dtype, pd.api.extensions.ExtensionDtype):
        return [v.strip() if type(v) is str else _text(_box(v)) for v in series]
    return [_text(v) for v in series]


def prepare(df: pd.DataFrame, *, file: str | None = None, extra_fields: dict[str, str] | None = None,
            workers: int | None = None) -> pd.DataFrame:
    """Compute the linkage features of every mention.

    Args:
        df: mentions, one row each, columns of ``docs/formats/mentions.md``; values
            are read as text (numbers are accepted). An optional ``relatives`` column
            (names separated by ``|``) and optional ``given_name`` / ``surname``
            columns (parts already separated, e.g. from a database) are used too.
        file: the file name, for error messages.
        extra_fields: other columns to carry for comparison (``{column: kind}``,
            see :mod:`kuager.linkage.model`); they are copied as stripped lower-case
            text into ``x_<column>``.
        workers: processes that compute the features (default :data:`POOL_WORKERS`);
            used only from :data:`POOL_MIN` mentions on, below that everything runs
            here. The result, and the error raised for bad input, are the same either way.

    Returns:
        DataFrame with :data:`FEATURE_COLUMNS` (+ ``x_*``), one row per input row in
        the same order; ``unique_id`` is the record_id.

    Raises:
        InputError: a required column is missing, a record_id is empty or repeated,
            ``names`` is empty, or sex, birth_year, birth_date, age or age_as_of is
            malformed (the error names file, 1-based data row and column).
    """
    for col in REQUIRED:
        if col not in df.columns:
            raise InputError(f"required column {col!r} is missing", file=file, field=col)
    for col in extra_fields or {}:
        if col not in df.columns:
            raise InputError(f"column {col!r} named in extra_fields is missing", file=file, field=col)
    has_rel = "relatives" in df.columns
    nrows = len(df)
    # the stripped text of each column used, read once ("" for a missing value or column)
    col = {c: _text_column(df, c) for c in _USED}
    if workers is None:
        workers = POOL_WORKERS
    out = _rows_pooled(col, has_rel, nrows, workers, file) if workers > 1 and nrows >= POOL_MIN else None
    if out is None:
        out = _rows(col, has_rel, 0, nrows, file)
    if nrows:
        # the text and list columns (all but the birth years) as object arrays made here: from
        # lists, pandas would look into every value to infer a type (object all the same; about a
        # second at a million mentions). Not with no rows: pandas makes empty columns float64.
        out = {c: v if c in ("by_lo", "by_hi") else np.fromiter(v, dtype=object, count=len(v))
               for c, v in out.items()}
    result = pd.DataFrame(out)
    for col in ("by_lo", "by_hi"):
        result[col] = result[col].astype("Int64")
    for col in extra_fields or {}:
        vals = df[col].astype("string").str.strip().str.lower()
        result["x_" + col] = [v if isinstance(v, str) and v else None for v in vals]
    return result


def _rows(col: dict[str, list[str]], has_rel: bool, lo: int, hi: int, file: str | None, track: bool = True
          ) -> dict[str, list]:
    """The feature columns (:data:`FEATURE_COLUMNS`) of rows ``lo`` to ``hi - 1``.

    Args:
        col: the stripped text of every used input column (:func:`_text_column`).
        has_rel: whether the input has a ``relatives`` column.
        lo, hi: the rows (0-based, ``hi`` excluded).
        file: the file name for errors.
        track: report progress.
    Returns:
        ``{column: list of values}``, one value per row.
    Raises:
        InputError: as :func:`prepare` (a record_id repeated within these rows only).
    """
    out: dict[str, list] = {c: [] for c in FEATURE_COLUMNS}
    seen: set[str] = set()
    parts, single, place_of = _parts, _single, _place
    c_rid, c_names, c_given, c_surname, c_father = (col[c] for c in ("record_id", "names", "given_name", "surname",
                                                                      "father_name"))
    c_sex, c_cid, c_home, c_rel = (col[c] for c in ("sex", "chinese_id", "hometown", "relatives"))
    c_by, c_bd, c_age, c_asof = (col[c] for c in ("birth_year", "birth_date", "age", "age_as_of"))
    no_place = (frozenset(), frozenset())
    rows = range(lo, hi)
    with _gc_paused():  # rows allocate many small objects and no cycles
        for i in (progress.track(rows, "Preparing mentions") if track else rows):
            n = i + 1
            rid = c_rid[i]
            if not rid:
                raise InputError("record_id is empty", file=file, row=n, field="record_id")
            if rid in seen:
                raise InputError(f"record_id {rid!r} is repeated", file=file, row=n, field="record_id")
            seen.add(rid)
            spellings = [s.strip() for s in c_names[i].split("|") if s.strip()]
            if not spellings:
                raise InputError("names is empty; give at least one spelling", file=file, row=n, field="names")
            full: set[str] = set()
            given: set[str] = set()
            father: set[str] = set()
            for s in spellings:
                f, g, fa = parts(s)
                full |= f
                given |= g
                father |= fa
            if c_given[i]:
                given |= single(c_given[i])
            if c_surname[i]:
                father |= single(c_surname[i])
            if c_father[i]:
                father |= single(c_father[i])

            lo, hi, date_full = _birth(c_by[i], c_bd[i], c_age[i], c_asof[i], file, n)
            sex = c_sex[i].lower()
            if sex and sex not in _SEX:
                raise InputError(f"sex {sex!r} is not one of male, female, m, f", file=file, row=n, field="sex")
            sex = _SEX.get(sex)
            cid = None
            parsed = cid_mod.parse(c_cid[i]) if c_cid[i] else None
            if parsed is not None and parsed.valid:
                cid = parsed.number
                # the ID carries birth date and sex; use them where the mention says nothing
                if lo is None:
                    lo = hi = parsed.birth_date.year
                if date_full is None:
                    date_full = parsed.birth_date.isoformat()
                sex = sex or parsed.sex[0]
            place, pref = place_of(c_home[i]) if c_home[i] else no_place
            if not place and cid is not None and ID_PLACE:
                place, pref = _id_place(cid[:6])
            rel: set[str] = set()
            if has_rel:
                for r in c_rel[i].split("|"):
                    rel |= parts(r.strip())[0] if r.strip() else frozenset()

            out["unique_id"].append(rid)
            out["names"].append(" | ".join(spellings))
            full_l, given_l, father_l = _listed(full), _listed(given), _listed(father)
            out["name_keys"].append(full_l)
            out["given_keys"].append(given_l)
            out["father_keys"].append(father_l)
            out["name_canon"].append(_first_shortest([k for k in full_l if k.startswith("n:")] or full_l)
                                     if full_l else None)
            out["given_canon"].append(_first_shortest(given_l))
            out["father_canon"].append(_first_shortest(father_l))
            out["by_lo"].append(lo)
            out["by_hi"].append(hi)
            out["birth_date"].append(date_full)
            out["sex"].append(sex)
            place_l = _listed(place)
            out["place_keys"].append(place_l)
            out["place_canon"].append(_first_shortest(place_l))
            out["place_pref"].append(_listed(pref))
            out["cid"].append(cid)
            out["relative_keys"].append(_listed(rel))
    return out


#: the input of the worker processes of :func:`_rows_pooled` (inherited by fork), set
#: under :data:`_POOL_LOCK` (one pooled run at a time in a process)
_SHARED: tuple | None = None
_POOL_LOCK = threading.Lock()


def _rows_chunk(bounds: tuple[int, int]) -> dict[str, list] | None:
    """:func:`_rows` of one chunk in a worker process; None when the chunk holds bad input
    (the caller then finds the error again, with its file and row)."""
    col, has_rel = _SHARED
    # a worker only computes features and ends with the pool: no collector in it at all
    # (re-enabling it after each chunk made it walk all the chunk's objects once more)
    gc.disable()
    try:
        return _rows(col, has_rel, bounds[0], bounds[1], None, track=False)
    except InputError:
        return None
    finally:
        # the caches of whole spellings rarely help across chunks; those of parts and places do
        _parts.cache_clear()
        _keys.cache_clear()


def _rows_pooled(col: dict[str, list[str]], has_rel: bool, nrows: int, workers: int, file: str | None
                 ) -> dict[str, list] | None:
    """:func:`_rows` of all rows, in chunks, in ``workers`` forked processes (fork, not spawn:
    spawn re-runs the caller's main script, which breaks scripts without a ``__main__``
    guard; the workers only compute features and touch no lock of the caller).

    Returns the columns as :func:`_rows` does, or None when the record_ids are empty or
    repeated somewhere (the caller then runs :func:`_rows` here, which reports the first
    error in row order). An error inside a chunk is raised as :func:`_rows` raises it:
    chunks come back in order, so the first bad chunk holds the first bad row.
    """
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    global _SHARED
    rids = col["record_id"]
    if "" in rids or len(set(rids)) != nrows:
        return None
    size = max(1, min(ROWS_PER_TASK, -(-nrows // (workers * 4))))
    bounds = [(i, min(i + size, nrows)) for i in range(0, nrows, size)]
    out: dict[str, list] = {c: [] for c in FEATURE_COLUMNS}
    _POOL_LOCK.acquire()
    _SHARED = (col, has_rel)
    gc.freeze()  # the workers share the caller's objects; collections would copy their pages
    try:
        with ProcessPoolExecutor(workers, mp_context=mp.get_context("fork")) as ex:
            for b, res in zip(bounds, progress.track(ex.map(_rows_chunk, bounds), "Preparing mentions",
                                                     total=len(bounds))):
                if res is None:
                    ex.shutdown(wait=False, cancel_futures=True)
                    _rows(col, has_rel, b[0], b[1], file, track=False)  # raises the chunk's first error
                    raise AssertionError("a worker found bad input that the caller did not")  # pragma: no cover
                for c in FEATURE_COLUMNS:
                    out[c].extend(res[c])
    finally:
        _SHARED = None
        gc.unfreeze()
        _POOL_LOCK.release()
    return out


def _birth(by: str, bd: str, age: str, as_of: str, file: str | None, n: int
           ) -> tuple[int | None, int | None, str | None]:
    """Birth-year range (lo, hi) and full date (``YYYY-MM-DD``) from the stripped texts of
    ``birth_year``, ``birth_date``, ``age`` and ``age_as_of`` of data row ``n``.

    Several statements are combined by taking the union of their ranges. The same four
    texts give the same answer (:func:`_birth_of`, cached: birth statements repeat).

    Raises:
        InputError: a malformed value, located at ``file``, row ``n`` and its column.
    """
    if not (by or bd or age):
        return None, None, None
    try:
        return _birth_of(by, bd, age, as_of)
    except InputError:
        return _birth_of.__wrapped__(by, bd, age, as_of, file, n)


@lru_cache(maxsize=100_000)
def _birth_of(by: str, bd: str, age: str, as_of: str, file: str | None = None, n: int | None = None
              ) -> tuple[int | None, int | None, str | None]:
    """:func:`_birth` without the cache (``file``, ``n``: where an error is located)."""
    ranges: list[tuple[int, int]] = []
    full = None
    if by:
        if by.endswith(".0"):  # a number read by pandas
            by = by[:-2]
        if not _YEAR.match(by):
            raise InputError(f"birth_year {by!r} is not four digits", file=file, row=n, field="birth_year")
        ranges.append((int(by), int(by)))
    if bd:
        if not re.match(r"^\d{4}(-\d{1,2}(-\d{1,2})?)?$", bd):
            raise InputError(f"birth_date {bd!r} is not YYYY, YYYY-MM or YYYY-MM-DD", file=file, row=n,
                             field="birth_date")
        d = parse_partial_date(bd, file=file, row=n, field="birth_date")
        ranges.append((d.start.year, d.end.year))
        if d.precision == "day":
            full = d.start.isoformat()
    if age:
        if age.endswith(".0"):
            age = age[:-2]
        if not age.isdigit() or int(age) > 130:
            raise InputError(f"age {age!r} is not a whole number of years", file=file, row=n, field="age")
        if not as_of:
            raise InputError("age is given without age_as_of (the date it was true)", file=file, row=n,
                             field="age_as_of")
        d = parse_partial_date(as_of, file=file, row=n, field="age_as_of")
        if d.start is None:
            raise InputError(f"age_as_of {as_of!r} is not a date", file=file, row=n, field="age_as_of")
        ranges.append(birth_year_range(int(age), d))
    if not ranges:
        return None, None, full
    return min(r[0] for r in ranges), max(r[1] for r in ranges), full
