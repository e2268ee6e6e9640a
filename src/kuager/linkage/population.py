"""Synthetic lists drawn from a known population, for testing multiple systems estimation end to end.

Each of ``population`` invented people appears on each list independently with
that list's capture probability (the model under which log-linear independence
estimates are unbiased; Bishop, Fienberg & Holland 1975, ch. 6). People on no list
are never written: the truth file says how many there were in all.
Labelled synthetic like everything :mod:`kuager.linkage.synth` makes.
"""

from __future__ import annotations

from kuager.linkage.synth import Generator, Knobs


def generate_lists(population: int, capture: dict[str, float], knobs: Knobs | None = None, seed: int = 0
                   ) -> tuple[list[dict[str, str]], dict[str, str], dict[str, str]]:
    """Draw the lists' mentions of a population of known size.

    Args:
        population: the number of people in all (documented or not), >= 1.
        capture: list name -> probability in (0, 1] that a person is on that list.
        knobs: spelling and field knobs (:class:`~kuager.linkage.synth.Knobs`);
            ``mentions_per_victim`` is not used (each list names a person at most once).
        seed: random seed.

    Returns:
        ``(rows, truth, family)`` as :func:`kuager.linkage.synth.generate` returns them:
        rows in the mentions format, ``truth`` record_id -> true person, ``family``
        record_id -> family id or "".

    Raises:
        ValueError: a population below 1, no lists, or a probability outside (0, 1].
    """
    if population < 1:
        raise ValueError("population must be at least 1")
    if not capture or any(not 0 < p <= 1 for p in capture.values()):
        raise ValueError("give at least one list, each with a capture probability in (0, 1]")
    gen = Generator(knobs, seed)
    rows, truth, family = [], {}, {}
    people = gen.victims()
    for _ in range(population):
        v = next(people)
        for source, p in capture.items():
            if gen.rng.random() < p:
                row = gen._mention(v)
                row["source"] = source
                rid = f"S{len(rows) + 1:07d}"
                row["record_id"] = rid
                rows.append(row)
                truth[rid], family[rid] = v.victim_id, v.family
    gen.rng.shuffle(rows)
    return rows, truth, family
