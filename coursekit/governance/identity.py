"""Identity: stitch the records of many touchpoints into people, and score the stitching.

A person leaves a record in each touchpoint: an app account, a mini-program
openid, a till-system membership, a WeCom contact. No touchpoint's key is
known to the others, but records share *identifiers*: the same phone, the
same WeChat ``unionid``. Identity stitching (身份打通, ID-Mapping, OneID) links
the records sharing an identifier value and merges them transitively: if the
app account and the member card share a phone, and the member card and a
WeCom contact share a unionid, all three are one person even though the app
account and the WeCom contact share nothing.

In graph terms, records are nodes, a shared identifier value is an edge, and
a person is a connected component (Christen 2012, ch. 6 on grouping matched
records; components found by ``scipy.sparse.csgraph.connected_components``).
Transitive merging is also how a wrong link spreads: one phone typed into
two people's records joins their whole components, which is why
:func:`stitch` reports each rule's merges and the largest person, and why
:func:`match_quality` scores the result against a known truth.

References
----------
.. [1] Christen, P. (2012). *Data Matching: Concepts and Techniques for Record
   Linkage, Entity Resolution, and Duplicate Detection*. Springer (ch. 6 and
   7: grouping and measuring the quality of matches).
.. [2] Menestrina, D., Whang, S. E. and Garcia-Molina, H. (2010). Evaluating
   entity resolution results. *Proceedings of the VLDB Endowment* 3(1),
   208-219 (pairwise precision and recall).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from coursekit.errors import DataError
from coursekit.governance._shared import as_text, column_names, frame, mask, present
from coursekit.inputs import columns, unique_key

__all__ = ["MatchQuality", "Stitched", "match_quality", "stitch"]

_RULES = ["rule", "records_with_value", "shared_values", "records_linked", "merges", "people",
          "largest"]


@dataclass(frozen=True)
class Stitched:
    """What :func:`stitch` returns.

    Attributes
    ----------
    people
        One row per record, on the records' index and in their order:
        the ``source`` and ``key`` columns and ``person_id`` (1, 2, ... in order
        of each person's first record).
    rules
        One row per rule, in the order applied: ``rule`` (the identifier
        column), ``records_with_value`` (records holding a value),
        ``shared_values`` (values held by two records or more),
        ``records_linked`` (records sharing their value with another record),
        ``merges`` (how many people fewer after adding this rule to the ones
        before: what the rule added), ``people`` (people after it) and
        ``largest`` (records of the largest person after it; a sudden jump
        points at a shared or placeholder value).
    """

    people: pd.DataFrame
    rules: pd.DataFrame


def _identifier(records: pd.DataFrame, name: str) -> np.ndarray:
    """The codes of an identifier column's values (-1 where missing): text after NFKC,
    trimmed; blank text is missing."""
    text = as_text(records[name].rename(name), "identifiers")
    text = text.str.normalize("NFKC").str.strip()
    text = text.mask(mask(text == ""))
    codes, _ = pd.factorize(text.astype(object).to_numpy(), use_na_sentinel=True)
    return codes


def _links(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Edges joining each record to the first record holding the same value (a star per
    value: the same components as linking every pair, with one edge per record)."""
    has = np.flatnonzero(codes >= 0)
    if len(has) == 0:
        return has, has
    firsts = pd.Series(codes[has]).drop_duplicates()  # each value's first record
    first = np.empty(codes.max() + 1, dtype=np.int64)
    first[firsts.to_numpy()] = has[firsts.index.to_numpy()]
    lead = first[codes[has]]
    other = lead != has
    return has[other], lead[other]


def stitch(records: pd.DataFrame, rules: str | Sequence[str], *, source: str = "source",
           key: str = "key") -> Stitched:
    """Assign a ``person_id`` to every record by exact matching on identifiers.

    Two records are linked when they hold the same value of one of the
    ``rules`` columns; people are the connected components of the links, so
    merging is transitive across rules and sources. Values are compared after
    NFKC and trimming (blank text is missing, and missing values link
    nothing); apart from that they must match exactly, so normalise them first
    (:func:`coursekit.governance.normalise_phone` for phones: ``"+86 138 1234
    5678"`` and ``"13812345678"`` are different text).

    Rules are applied in the order given, and the summary says what each one
    added: ``rules=["phone", "unionid"]`` first links by phone, then adds the
    unionid links. The final people do not depend on the order (components of
    all the links); the ``merges`` column does.

    Parameters
    ----------
    records
        One row per record, in long form: the touchpoint (``source``), the
        record's key in it (``key``) and the identifier columns, e.g. stacked
        from each raw table with ``pd.concat``. ``(source, key)`` must identify
        rows.
    rules
        Identifier column(s) to match on, in the order to apply them.
    source, key
        The columns naming the touchpoint and the record's key in it.

    Returns
    -------
    Stitched
        ``people`` (``source``, ``key``, ``person_id``) and ``rules`` (what each
        rule added).

    Raises
    ------
    DataError
        Missing columns, missing or repeated ``(source, key)``, identifiers that
        are neither text nor numbers.
    ArgumentError
        ``rules`` is not a list of distinct column names.

    Examples
    --------
    Three touchpoints, four records: the app account and the member card share a
    phone, the member card and the WeCom contact a unionid.

    >>> import pandas as pd
    >>> records = pd.DataFrame({
    ...     "source": ["app", "pos", "wecom", "app"],
    ...     "key": ["A1", "M7", "W3", "A2"],
    ...     "phone": ["13812345678", "13812345678", None, "13900001111"],
    ...     "unionid": [None, "u-9", "u-9", None]})
    >>> out = stitch(records, ["phone", "unionid"])
    >>> out.people["person_id"].tolist()
    [1, 1, 1, 2]
    >>> out.rules[["rule", "merges", "people", "largest"]]
          rule  merges  people  largest
    0    phone       1       3        2
    1  unionid       1       2        3
    """
    table = "records"
    frame(records, table)
    rule_names = column_names(rules, "rules")
    id_cols = column_names([source, key], "source and key")
    present(records, table, id_cols, "source/key")
    present(records, table, rule_names, "rules")
    columns(records, table, ids=id_cols)
    unique_key(records, table, id_cols)
    n = len(records)
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    summary = []
    before = n
    labels = np.arange(n)
    for name in rule_names:
        codes = _identifier(records, name)
        a, b = _links(codes)
        rows.append(a)
        cols.append(b)
        held = codes[codes >= 0]
        per_value = np.bincount(held) if len(held) else np.zeros(0, np.int64)
        linked = int((per_value[held] >= 2).sum()) if len(held) else 0
        edges_a, edges_b = np.concatenate(rows), np.concatenate(cols)
        graph = coo_matrix((np.ones(len(edges_a), dtype=np.int8), (edges_a, edges_b)),
                           shape=(n, n)).tocsr()
        people, labels = connected_components(graph, directed=False)
        largest = int(np.bincount(labels).max())
        summary.append((name, int(len(held)), int((per_value >= 2).sum()), linked,
                        before - people, int(people), largest))
        before = people
    person = pd.factorize(labels)[0] + 1
    out = records[id_cols].copy()
    out["person_id"] = person.astype(np.int64)
    report = pd.DataFrame(summary, columns=_RULES)
    return Stitched(out, report)


@dataclass(frozen=True)
class MatchQuality:
    """How well an assignment of records to people matches the truth, by pairs.

    Attributes
    ----------
    precision
        ``pairs_correct / pairs_merged``: of the record pairs put in the same
        person, the share that truly are the same person (NaN when no pair was
        merged).
    recall
        ``pairs_correct / pairs_true``: of the pairs that truly are the same
        person, the share put together (NaN when every true person has one
        record).
    f1
        Their harmonic mean, ``2 P R / (P + R)``.
    pairs_merged, pairs_true, pairs_correct
        Record pairs in the same assigned person, in the same true person, in both.
    people_found, people_true
        Distinct assigned people and true people among the records scored.
    records
        Records scored.
    records_unknown
        Records left out because their true person is missing.
    """

    precision: float
    recall: float
    f1: float
    pairs_merged: int
    pairs_true: int
    pairs_correct: int
    people_found: int
    people_true: int
    records: int
    records_unknown: int


def _pairs(sizes: np.ndarray) -> int:
    """Pairs within groups: the sum of C(n, 2) over the group sizes n."""
    sizes = sizes.astype(np.int64)
    return int((sizes * (sizes - 1) // 2).sum())


def match_quality(assigned: pd.DataFrame, truth: pd.DataFrame, *, source: str = "source",
                  key: str = "key", person: str = "person_id",
                  customer: str = "user_id") -> MatchQuality:
    """Pairwise precision, recall and F1 of "same person" decisions against the truth.

    Every pair of records is a decision: put together (same assigned person)
    or not. Against the truth (same true person or not):

    - **pairwise precision** = true same-person pairs among the pairs merged =
      ``pairs_correct / pairs_merged``: low when the rules over-merge (a shared
      phone joins two people);
    - **pairwise recall** = merged pairs among the true same-person pairs =
      ``pairs_correct / pairs_true``: low when they under-merge (a typo in a
      phone, a touchpoint without a shared identifier);
    - **F1** = ``2 P R / (P + R)``.

    Pairs are counted without listing them (Menestrina et al. 2010): with
    :math:`n_{ij}` the records of assigned person *i* and true person *j*,
    :math:`a_i` and :math:`b_j` the row and column totals of that contingency
    table, ``pairs_correct`` = :math:`\\sum_{ij} \\binom{n_{ij}}{2}`,
    ``pairs_merged`` = :math:`\\sum_i \\binom{a_i}{2}`, ``pairs_true`` =
    :math:`\\sum_j \\binom{b_j}{2}`. The numbers of people found and true are
    reported beside: a rule can find the right number of people with the
    wrong records in them.

    Parameters
    ----------
    assigned
        One row per record scored: ``source``, ``key`` and ``person``, e.g.
        ``stitch(...).people``.
    truth
        The true person of each record: ``source``, ``key`` and ``customer``
        (the course's ``user_id``); may hold more records than ``assigned``
        (those are ignored), and may list a record more than once with the
        same person (the copies of a raw row). Records whose true person is
        missing are left out and counted in ``records_unknown``.
    source, key
        The columns naming a record, the same in both tables.
    person
        The assigned person's column in ``assigned``.
    customer
        The true person's column in ``truth``.

    Returns
    -------
    MatchQuality

    Raises
    ------
    DataError
        Missing columns, repeated records in ``assigned`` (or in ``truth`` with
        different people), a record of ``assigned`` not in ``truth``, or no
        record with a known true person.

    Examples
    --------
    Five records of two people; the assignment splits person 10 and merges
    one record of person 20 into it:

    >>> import pandas as pd
    >>> truth = pd.DataFrame({"source": "app", "key": list("abcde"),
    ...                       "user_id": [10, 10, 10, 20, 20]})
    >>> assigned = truth[["source", "key"]].assign(person_id=[1, 1, 2, 2, 3])
    >>> q = match_quality(assigned, truth)
    >>> q.pairs_merged, q.pairs_true, q.pairs_correct
    (2, 4, 1)
    >>> q.precision, q.recall, round(q.f1, 4)
    (0.5, 0.25, 0.3333)
    >>> q.people_found, q.people_true
    (3, 2)
    """
    ids = column_names([source, key], "source and key")
    frame(assigned, "assigned")
    frame(truth, "truth")
    present(assigned, "assigned", [*ids, person], "source/key/person")
    present(truth, "truth", [*ids, customer], "source/key/customer")
    columns(assigned, "assigned", ids=[*ids, person])
    columns(truth, "truth", ids=ids)
    unique_key(assigned, "assigned", ids)
    truth = truth[[*ids, customer]].drop_duplicates()  # a record listed twice, one person
    unique_key(truth, "truth", ids)  # the same record with two people: refused
    try:
        joined = assigned[[*ids, person]].merge(
            truth[[*ids, customer]].rename(columns={customer: "__true"}), on=ids, how="left",
            indicator=True)
    except (TypeError, ValueError) as err:  # keys of different types (text and numbers)
        raise DataError(
            "the record keys of assigned and truth cannot be matched: " + str(err).split(".")[0],
            table="truth", column=ids, rows=truth[ids].head(3),
            fix="give the keys one type in both tables, e.g. df['key'] = df['key'].astype(str)",
        ) from err
    absent = mask(joined["_merge"] == "left_only")
    if absent.any():
        raise DataError(
            f"{int(absent.sum()):,} record(s) of assigned are not in truth",
            table="truth", column=ids, rows=joined.loc[absent, ids].head(5),
            fix="check that source and key are written the same way in both tables "
            "(text '12' and the number 12 differ)")
    unknown = mask(joined["__true"].isna())
    scored = joined.loc[~unknown]
    if scored.empty:
        raise DataError("no record has a known true person", table="truth", column=customer,
                        fix="pass the truth of these records")
    found = pd.factorize(scored[person])[0]
    true = pd.factorize(scored["__true"])[0]
    n_found, n_true = int(found.max()) + 1, int(true.max()) + 1
    cell = np.bincount(pd.factorize(found.astype(np.int64) * n_true + true)[0])
    correct = _pairs(cell)
    merged = _pairs(np.bincount(found))
    together = _pairs(np.bincount(true))
    precision = correct / merged if merged else math.nan
    recall = correct / together if together else math.nan
    if math.isnan(precision) or math.isnan(recall):
        f1 = math.nan
    else:
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return MatchQuality(precision, recall, f1, merged, together, correct, n_found, n_true,
                        int(len(scored)), int(unknown.sum()))
