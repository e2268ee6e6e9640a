"""Accuracy of a clustering against the truth: pairwise and B-cubed scores.

- Pairwise: a pair of records is predicted linked when both are in the same
  predicted cluster, truly linked when both are in the same true cluster;
  precision = TP / predicted pairs, recall = TP / true pairs (Christen, *Data
  Matching*, 2012, ch. 7).
- B-cubed (Bagga & Baldwin 1998, "Algorithms for scoring coreference chains"):
  for each record r with predicted cluster C(r) and true cluster T(r),
  P(r) = |C(r) ∩ T(r)| / |C(r)| and R(r) = |C(r) ∩ T(r)| / |T(r)|; precision and
  recall are the means over records, F1 their harmonic mean.

No Django import here.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Scores:
    """Precision, recall and F1, each in [0, 1]."""

    precision: float
    recall: float
    f1: float


def _f1(p: float, r: float) -> float:
    return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def _table(predicted: Mapping[Hashable, Hashable], truth: Mapping[Hashable, Hashable]) -> pd.DataFrame:
    if set(predicted) != set(truth):
        missing = set(truth) ^ set(predicted)
        raise ValueError(f"predicted and true clusterings cover different records, e.g. {next(iter(missing))!r}")
    ids = list(truth)
    return pd.DataFrame({"c": [predicted[i] for i in ids], "t": [truth[i] for i in ids]})


def pairwise(predicted: Mapping[Hashable, Hashable], truth: Mapping[Hashable, Hashable]) -> Scores:
    """Pairwise precision, recall and F1 of a clustering.

    Args:
        predicted: record id -> predicted cluster id.
        truth: record id -> true cluster id (same record ids as ``predicted``).
    Returns:
        :class:`Scores`; precision is 1.0 when no pair is predicted, recall 1.0 when
        there is no true pair.
    Raises:
        ValueError: when the two mappings cover different records.
    """
    df = _table(predicted, truth)

    def pairs(sizes: pd.Series) -> int:
        return int((sizes * (sizes - 1) // 2).sum())

    tp = pairs(df.groupby(["c", "t"]).size())
    n_pred = pairs(df.groupby("c").size())
    n_true = pairs(df.groupby("t").size())
    p = tp / n_pred if n_pred else 1.0
    r = tp / n_true if n_true else 1.0
    return Scores(p, r, _f1(p, r))


def bcubed(predicted: Mapping[Hashable, Hashable], truth: Mapping[Hashable, Hashable]) -> Scores:
    """B-cubed precision, recall and F1 (Bagga & Baldwin 1998).

    Args and errors as :func:`pairwise`.
    Returns:
        :class:`Scores` averaged over records (1.0 each for an empty input).
    """
    df = _table(predicted, truth)
    if df.empty:
        return Scores(1.0, 1.0, 1.0)
    cell = df.groupby(["c", "t"]).size().rename("n").reset_index()
    cell = cell.merge(df.groupby("c").size().rename("nc").reset_index(), on="c")
    cell = cell.merge(df.groupby("t").size().rename("nt").reset_index(), on="t")
    # each of the n records of a cell has P = n / nc and R = n / nt
    p = float((cell.n * cell.n / cell.nc).sum() / len(df))
    r = float((cell.n * cell.n / cell.nt).sum() / len(df))
    return Scores(p, r, _f1(p, r))
