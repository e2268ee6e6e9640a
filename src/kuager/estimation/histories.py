"""Capture histories: which lists named each person, counted by pattern.

A *capture history* is a 0/1 vector over the lists (1 = the person is on that
list). Multiple systems estimation works on the counts of people per observed
history; the all-zero history (named on no list) is the unknown to estimate.

No Django import here.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kuager.errors import InputError


def histpos(k: int) -> np.ndarray:
    """All ``2**k - 1`` non-empty capture histories on ``k`` lists, in Rcapture's order.

    Rcapture (``histpos.t``) lists histories from ``(1,...,1)`` down to
    ``(0,...,0,1)``: reading a row as a binary number with list 1 as the most
    significant digit, rows go from ``2**k - 1`` down to 1.

    Args:
        k: the number of lists (>= 1).

    Returns:
        int array of shape ``(2**k - 1, k)``.
    """
    codes = np.arange(2**k - 1, 0, -1)
    return ((codes[:, None] >> np.arange(k - 1, -1, -1)[None, :]) & 1).astype(int)


@dataclass(frozen=True)
class CaptureHistories:
    """Counts of people by capture history over ``k`` lists.

    Attributes:
        lists: list names, one per column (length ``k``).
        patterns: int array ``(m, k)`` of distinct non-empty 0/1 histories.
        counts: int array ``(m,)``, people with each history (>= 0).

    Build with :meth:`from_patterns`, :meth:`from_frame` or :func:`read_counts_csv`.
    """

    lists: tuple[str, ...]
    patterns: np.ndarray
    counts: np.ndarray

    # ----------------------------------------------------------------- builders
    @classmethod
    def from_patterns(cls, lists: Sequence[str], patterns: Iterable[Sequence[int]],
                      counts: Iterable[int]) -> "CaptureHistories":
        """Build from histories and their counts.

        Args:
            lists: list names (``k`` of them).
            patterns: ``m`` histories, each a sequence of ``k`` 0/1 values.
            counts: ``m`` non-negative integer counts.

        Raises:
            ValueError: wrong lengths, values other than 0/1, negative or
                non-integer counts, repeated histories, or a count on the
                all-zero history.
        """
        lists = tuple(str(x) for x in lists)
        pats = np.asarray([list(p) for p in patterns], dtype=float)
        cnts = np.asarray(list(counts), dtype=float)
        k = len(lists)
        if pats.size == 0:
            pats = pats.reshape(0, k)
        if pats.ndim != 2 or pats.shape[1] != k:
            raise ValueError(f"each history must have {k} values, one per list")
        if len(cnts) != len(pats):
            raise ValueError("one count per history is needed")
        if not np.isin(pats, (0, 1)).all():
            raise ValueError("histories must be 0/1")
        if (cnts < 0).any() or (cnts != np.round(cnts)).any():
            raise ValueError("counts must be non-negative integers")
        pats = pats.astype(int)
        cnts = cnts.astype(np.int64)
        zero = pats.sum(axis=1) == 0
        if (cnts[zero] > 0).any():
            raise ValueError("the all-zero history (named on no list) cannot be observed")
        pats, cnts = pats[~zero], cnts[~zero]
        if len({tuple(p) for p in pats}) != len(pats):
            raise ValueError("a history appears more than once")
        return cls(lists, pats, cnts)

    @classmethod
    def from_table(cls, lists: Sequence[str], counts: Sequence[int]) -> "CaptureHistories":
        """Build from counts of all ``2**k - 1`` histories in Rcapture's order (:func:`histpos`).

        Args:
            lists: list names (``k``).
            counts: ``2**k - 1`` counts, for ``(1,..,1)`` first and ``(0,..,0,1)`` last.
        """
        k = len(lists)
        if len(counts) != 2**k - 1:
            raise ValueError(f"{2**k - 1} counts are needed for {k} lists")
        return cls.from_patterns(lists, histpos(k), counts)

    @classmethod
    def from_frame(cls, frame, count_column: str = "count",
                   exclude: Sequence[str] = ()) -> "CaptureHistories":
        """Build from a pandas DataFrame: one 0/1 column per list and a count column.

        Rows with the same history are added up (a frame of one row per person,
        with ``count`` 1, is accepted).

        Args:
            frame: the DataFrame.
            count_column: the name of the count column.
            exclude: other columns that are not lists (e.g. a stratum column).

        Raises:
            ValueError: as :meth:`from_patterns`.
        """
        lists = [c for c in frame.columns if c != count_column and c not in exclude]
        if count_column not in frame.columns:
            raise ValueError(f"no {count_column!r} column")
        grouped = frame.groupby(lists, sort=False)[count_column].sum().reset_index()
        return cls.from_patterns(lists, grouped[lists].to_numpy(), grouped[count_column].to_numpy())

    # ------------------------------------------------------------------ figures
    @property
    def k(self) -> int:
        """The number of lists."""
        return len(self.lists)

    @property
    def n(self) -> int:
        """The number of distinct people named on at least one list."""
        return int(self.counts.sum())

    def table(self) -> np.ndarray:
        """Counts of all ``2**k - 1`` histories in Rcapture's order (zeros filled in).

        Returns:
            int array of shape ``(2**k - 1,)`` aligned with :func:`histpos`.
        """
        k = self.k
        full = np.zeros(2**k - 1, dtype=np.int64)
        weights = 2 ** np.arange(k - 1, -1, -1)
        codes = self.patterns @ weights
        full[(2**k - 1) - codes] += self.counts
        return full

    def list_sizes(self) -> np.ndarray:
        """People named on each list, shape ``(k,)``."""
        return (self.patterns * self.counts[:, None]).sum(axis=0)

    def overlap(self, i: int, j: int) -> int:
        """People named on both list ``i`` and list ``j`` (0-based)."""
        both = (self.patterns[:, i] == 1) & (self.patterns[:, j] == 1)
        return int(self.counts[both].sum())

    def only_on(self, i: int, j: int) -> int:
        """People on list ``i`` and not on list ``j`` (0-based)."""
        sel = (self.patterns[:, i] == 1) & (self.patterns[:, j] == 0)
        return int(self.counts[sel].sum())

    def individuals(self) -> np.ndarray:
        """One row per person: int array ``(n, k)`` (for samplers and simulations)."""
        return np.repeat(self.patterns, self.counts, axis=0)

    def __str__(self) -> str:  # pragma: no cover - display only
        return f"{self.n} people on {self.k} lists ({', '.join(self.lists)})"


def read_counts_csv(path: str | Path, strata: str | None = None):
    """Read capture-history counts from a CSV file.

    The file has a header; one 0/1 column per list; a ``count`` column (non-negative
    integers); one row per capture history; the all-zero history absent (absent
    histories count 0). With ``strata``, a column of that name gives each row's
    stratum and the other columns are lists.

    Args:
        path: the CSV file.
        strata: the name of a stratum column, or ``None``.

    Returns:
        :class:`CaptureHistories`, or with ``strata`` a ``dict`` from stratum value
        (str) to :class:`CaptureHistories` (all strata share the same lists).

    Raises:
        InputError: naming the file, the 1-based data row and the column, for a
            missing file or header, a missing ``count`` column, a value other than
            0/1 in a list column, a count that is not a non-negative integer, a
            repeated history, or a non-zero count on the all-zero history.
    """
    path = Path(path)
    name = str(path)
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.reader(fh))
    except FileNotFoundError:
        raise InputError("no such file", file=name) from None
    except UnicodeDecodeError:
        raise InputError("not a UTF-8 text file", file=name) from None
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise InputError("the file is empty; expected a header with list columns and 'count'", file=name)
    header = [h.strip() for h in rows[0]]
    if "count" not in header:
        raise InputError("no 'count' column in the header", file=name, field="count")
    if len(set(header)) != len(header):
        dup = next(h for h in header if header.count(h) > 1)
        raise InputError("column appears twice in the header", file=name, field=dup)
    if strata is not None and strata not in header:
        raise InputError(f"no stratum column {strata!r} in the header", file=name, field=strata)
    list_cols = [h for h in header if h not in ("count", strata)]
    if not list_cols:
        raise InputError("no list columns (one 0/1 column per list is expected)", file=name)
    seen: dict[tuple, int] = {}
    groups: dict[str, tuple[list, list]] = {}
    for rowno, row in enumerate(rows[1:], start=1):
        if len(row) != len(header):
            raise InputError(f"{len(row)} values, expected {len(header)}", file=name, row=rowno)
        rec = dict(zip(header, (c.strip() for c in row)))
        pattern = []
        for col in list_cols:
            v = rec[col]
            if v not in ("0", "1"):
                raise InputError(f"{v!r} is not 0 or 1", file=name, row=rowno, field=col)
            pattern.append(int(v))
        raw = rec["count"]
        try:
            value = float(raw)
        except ValueError:
            raise InputError(f"{raw!r} is not a number", file=name, row=rowno, field="count") from None
        if value < 0 or value != int(value):
            raise InputError(f"{raw!r} is not a non-negative integer", file=name, row=rowno, field="count")
        stratum = rec[strata] if strata is not None else ""
        key = (stratum, tuple(pattern))
        if key in seen:
            raise InputError(f"the same history already appears in row {seen[key]}", file=name, row=rowno)
        seen[key] = rowno
        if sum(pattern) == 0:
            if value > 0:
                raise InputError("the all-zero history (named on no list) cannot have a count",
                                 file=name, row=rowno, field="count")
            continue
        pats, cnts = groups.setdefault(stratum, ([], []))
        pats.append(pattern)
        cnts.append(int(value))
    out = {s: CaptureHistories.from_patterns(list_cols, p, c) for s, (p, c) in groups.items()}
    if strata is None:
        return out.get("", CaptureHistories.from_patterns(list_cols, [], []))
    return out


def all_pairs(k: int) -> list[tuple[int, int]]:
    """All pairs ``(i, j)``, ``i < j``, of 0-based list indices."""
    return list(itertools.combinations(range(k), 2))


def parse_pairs(text: str | None, k: int | None = None) -> list[tuple[int, int]]:
    """Parse ``"1:2,2:3"`` (1-based list pairs) into 0-based pairs ``[(0, 1), (1, 2)]``.

    Args:
        text: the option's value; empty or ``None`` gives ``[]``.
        k: the number of lists, to check the indices.

    Raises:
        InputError: (field ``--interactions``) for a malformed pair, a list number
            out of range, or a pair of a list with itself.
    """
    if not text:
        return []
    out = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        bits = part.split(":")
        try:
            i, j = (int(b) for b in bits)
        except ValueError:
            raise InputError(f"{part!r} is not a pair like 1:2", field="--interactions") from None
        if i == j:
            raise InputError(f"{part!r} pairs a list with itself", field="--interactions")
        if min(i, j) < 1 or (k is not None and max(i, j) > k):
            raise InputError(f"{part!r}: lists are numbered 1 to {k}", field="--interactions")
        pair = (min(i, j) - 1, max(i, j) - 1)
        if pair not in out:
            out.append(pair)
    return out


def check_supportable(h: CaptureHistories, min_lists: int = 3) -> list[str]:
    """Refuse data that no method here can support; return warnings for the rest.

    Refusals (:class:`~kuager.estimation.result.EstimationRefused`):
    fewer than ``min_lists`` lists; nobody documented; a list naming nobody; two
    lists naming exactly the same people (copies, not independent sources).

    Warnings: a list whose every member is also on another list (the other is
    nearly complete, or the first was compiled from it and the two are not
    independent by design); few people documented (< 30); a pair of lists with no
    one in common.

    Args:
        h: the capture histories.
        min_lists: the least number of lists accepted (3; 2 only for checks).

    Returns:
        a list of warnings in plain words.
    """
    from kuager.estimation.result import EstimationRefused

    n = h.n
    if h.k < min_lists:
        only = "no lists" if h.k == 0 else "only one list" if h.k == 1 else f"only {h.k} lists"
        raise EstimationRefused(
            f"{only}: at least {min_lists} lists are needed. With two lists an "
            "estimate would rest entirely on the untestable assumption that being named on one "
            "list has nothing to do with being named on the other.", n_observed=n,
            code="too_few_lists", params={"lists": h.k, "min_lists": min_lists})
    if n == 0:
        raise EstimationRefused("nobody is documented on these lists", n_observed=0, code="nobody")
    sizes = h.list_sizes()
    for j, size in enumerate(sizes):
        if size == 0:
            raise EstimationRefused(f"list {h.lists[j]!r} names nobody; drop it", n_observed=n)
    for i, j in all_pairs(h.k):
        if h.only_on(i, j) == 0 and h.only_on(j, i) == 0:
            raise EstimationRefused(
                f"lists {h.lists[i]!r} and {h.lists[j]!r} name exactly the same people: they are "
                "copies of one list, not independent sources. Merge them.", n_observed=n)
    warnings = []
    for i in range(h.k):
        for j in range(h.k):
            if i != j and h.only_on(i, j) == 0:
                warnings.append(
                    f"Every person on list {h.lists[i]!r} is also on list {h.lists[j]!r}. Either the "
                    f"second is nearly complete, or the first was compiled from it; then the two are "
                    "not independent by design: declare them dependent or merge them.")
    if n < 30:
        warnings.append(f"Only {n} people are documented: any estimate from so few is fragile.")
    for i, j in all_pairs(h.k):
        if h.overlap(i, j) == 0:
            warnings.append(f"Lists {h.lists[i]!r} and {h.lists[j]!r} have no one in common.")
    return warnings
