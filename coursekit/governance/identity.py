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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from coursekit.errors import ArgumentError, DataError
from coursekit.governance._shared import (
    as_text,
    column_names,
    frame,
    mask,
    positive_int,
    present,
)
from coursekit.governance.cleaning import normalise_phone
from coursekit.inputs import columns, flag, unique_key

__all__ = ["MatchQuality", "Stitched", "identity_records", "match_quality", "rule_scores",
           "shared_identifiers", "stitch"]

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


# --------------------------------------------------------------------------- records

#: The key column of each of the course's raw identity exports.
_KEYS = {"raw_app_accounts": "account_id", "raw_miniprogram_users": "openid",
         "raw_pos_members": "member_no", "raw_wecom_contacts": "external_userid"}

_RECORD_COLUMNS = ["source", "key", "phone_as_written", "phone", "unionid", "remark_phone",
                   "phone_or_remark", "name", "store_id"]

# A mainland mobile inside free text, its digits possibly split by spaces or dashes and
# possibly behind +86 / 0086 / 86; not part of a longer run of digits.
_PHONE_IN_TEXT = r"(?<![0-9])(?:(?:\+|00)?86[\s\-]*)?1[3-9](?:[\s\-]*[0-9]){9}(?![0-9])"


def _in_table(err: DataError, table: str) -> DataError:
    """The same complaint, naming the table it came from."""
    return DataError(err.reason, table=table, column=err.column, rows=err.rows, fix=err.fix)


def _text_column(df: pd.DataFrame, column: str, table: str) -> pd.Series:
    """A column of ``df`` as ``string`` (NFKC, spaces collapsed, trimmed; blank missing), or
    all missing when ``df`` has no such column."""
    if column not in df.columns:
        return pd.Series(pd.NA, index=df.index, dtype="string")
    try:
        text = as_text(df[column].rename(column), column)
    except DataError as err:
        raise _in_table(err, table) from err
    text = text.str.normalize("NFKC").str.replace(r"\s+", " ", regex=True).str.strip()
    return text.mask(mask(text == ""))


def _as_written(df: pd.DataFrame, column: str, table: str) -> pd.Series:
    if column not in df.columns:
        return pd.Series(pd.NA, index=df.index, dtype="string")
    try:
        return as_text(df[column].rename(column), column)
    except DataError as err:
        raise _in_table(err, table) from err


def _remark_parts(remark: pd.Series) -> tuple[pd.Series, pd.Series]:
    """The phone found in each remark (11 digits) and the remark without it (the name)."""
    found = remark.str.extract(f"({_PHONE_IN_TEXT})", expand=False).astype("string")
    digits = found.str.replace(r"[\s\-]", "", regex=True)
    phone = digits.str.replace(r"^(?:\+|00)?86(?=1[3-9][0-9]{9}$)", "", regex=True)
    rest = remark.str.replace(_PHONE_IN_TEXT, " ", regex=True)
    rest = rest.str.replace(r"\s+", " ", regex=True).str.strip()
    return phone, rest.mask(mask(rest == ""))


def _export_records(df: pd.DataFrame, table: str, key: str, remark_phones: bool) -> pd.DataFrame:
    present(df, table, [key], f"keys[{table!r}]")
    columns(df, table, ids=[key], allow_empty=True)  # no missing keys, no lists
    written = _as_written(df, "phone", table)
    remark = _text_column(df, "remark", table)
    remark_phone, remark_name = _remark_parts(remark)
    if not remark_phones:
        remark_phone = pd.Series(pd.NA, index=df.index, dtype="string")
    name = _text_column(df, "name", table)
    phone = normalise_phone(written).values
    out = pd.DataFrame({
        "source": pd.Series(table, index=df.index, dtype="string"),
        "key": df[key],
        "phone_as_written": written,
        "phone": phone,
        "unionid": _text_column(df, "unionid", table),
        "remark_phone": remark_phone,
        "phone_or_remark": phone.fillna(remark_phone),
        "name": name.fillna(remark_name),
        "store_id": df["store_id"] if "store_id" in df.columns else pd.Series(
            pd.NA, index=df.index, dtype=object)})
    return out


def _excluded(records: pd.DataFrame, exclude: object) -> np.ndarray:
    """Rows of ``records`` named by ``exclude``."""
    if isinstance(exclude, pd.DataFrame):
        present(exclude, "exclude", ["source", "key"], "exclude")
        pairs = pd.MultiIndex.from_frame(exclude[["source", "key"]].astype(object))
        here = pd.MultiIndex.from_frame(records[["source", "key"]].astype(object))
        return here.isin(pairs)
    if isinstance(exclude, Mapping):
        hit = np.zeros(len(records), dtype=bool)
        for source, keys in exclude.items():
            listed = _key_list(keys, f"exclude[{source!r}]")
            hit |= mask(records["source"] == source) & mask(records["key"].isin(listed))
        return hit
    return mask(records["key"].isin(_key_list(exclude, "exclude")))


def _key_list(keys: object, name: str) -> list:
    if isinstance(keys, str | bytes) or not isinstance(keys, Iterable):
        raise ArgumentError("expected a list of keys", name=name, value=keys,
                            fix="e.g. exclude=['A10000438'], {'raw_app_accounts': [...]}, or a "
                            "frame with source and key")
    return list(keys)


def identity_records(exports: Mapping[str, pd.DataFrame], *,
                     keys: Mapping[str, str] | None = None,
                     exclude: Iterable[str] | Mapping[str, Iterable[str]] | pd.DataFrame = (),
                     remark_phones: bool = True) -> pd.DataFrame:
    """Stack identity exports into one table of records, ready for :func:`stitch`.

    Each export (an app's accounts, a mini-program's users, a till system's
    members, WeCom contacts) becomes one row per record with the identifiers
    the rules of :func:`stitch` match on, read from the export's own columns
    when it has them (``phone``, ``unionid``, ``remark``, ``name``,
    ``store_id``):

    - ``source`` (the export's name) and ``key`` (its key, as written);
    - ``phone_as_written`` and ``phone``, the same through
      :func:`~coursekit.governance.normalise_phone` (missing when invalid);
    - ``unionid`` (NFKC, trimmed; blank is missing);
    - ``remark_phone``: an 11-digit mainland mobile number an adviser typed
      into a ``remark`` (digits possibly split by spaces or dashes, possibly
      behind +86), read after NFKC, with the spaces and dashes removed; only
      with ``remark_phones``;
    - ``phone_or_remark``: ``phone``, else ``remark_phone``;
    - ``name``: the ``name`` column (a member card's holder), else the
      ``remark`` without its phone (an adviser's note: a name, 张女士, a store
      and a name), NFKC, spaces collapsed and trimmed; else missing;
    - ``store_id`` where the export has one.

    A key repeated in its export (a WeCom contact added by two advisers has a
    row per adviser) gives one record, each column taking its first
    non-missing value over the rows (so the second adviser's remark phone is
    kept when the first wrote none).

    Parameters
    ----------
    exports
        ``{source name: table}``. The course's four identity exports are
        known by name (``raw_app_accounts``, ``raw_miniprogram_users``,
        ``raw_pos_members``, ``raw_wecom_contacts``); any other needs its key
        in ``keys``.
    keys
        ``{source name: key column}``, adding to or overriding the defaults
        (``account_id``, ``openid``, ``member_no``, ``external_userid``).
    exclude
        Records to leave out (staff test accounts, say): a list of keys (left
        out whatever their source), ``{source: [keys]}`` (the form of
        ``coursekit.truth()["raw"]["staff_test_keys"]``) or a frame with
        ``source`` and ``key`` columns.
    remark_phones
        Read phones out of remarks; with False ``remark_phone`` is missing
        everywhere and ``phone_or_remark`` is ``phone``.

    Returns
    -------
    pandas.DataFrame
        One row per ``(source, key)``, exports in the order given and records
        in their order of first appearance, on a new RangeIndex, with the
        columns listed above (every column present; missing where an export
        lacks it).

    Raises
    ------
    ArgumentError
        ``exports`` not a mapping of names to tables, an export without a
        known key, ``keys`` naming an export not given, a bad ``exclude``.
    DataError
        A key column missing from its export or with missing values, a phone
        or remark column holding neither text nor numbers.

    Examples
    --------
    >>> import pandas as pd
    >>> app = pd.DataFrame({"account_id": ["A1", "A2"], "phone": ["13812345678", "1390000"]})
    >>> wecom = pd.DataFrame({"external_userid": ["W1", "W1", "W2"],
    ...                       "unionid": ["u-1", "u-1", None],
    ...                       "remark": ["张女士", "张三 138 1234 5678", " 李四 "]})
    >>> rec = identity_records({"raw_app_accounts": app, "raw_wecom_contacts": wecom})
    >>> rec[["key", "phone", "unionid", "remark_phone", "phone_or_remark", "name"]]
      key        phone unionid remark_phone phone_or_remark  name
    0  A1  13812345678    <NA>         <NA>     13812345678  <NA>
    1  A2         <NA>    <NA>         <NA>            <NA>  <NA>
    2  W1         <NA>     u-1  13812345678     13812345678   张女士
    3  W2         <NA>    <NA>         <NA>            <NA>    李四
    >>> len(identity_records({"raw_app_accounts": app}, exclude=["A2"]))
    1
    """
    if not isinstance(exports, Mapping) or not exports or not all(
            isinstance(k, str) and k for k in exports):
        raise ArgumentError("exports must map source names to tables", name="exports",
                            value=type(exports).__name__,
                            fix="e.g. {'raw_app_accounts': coursekit.load('raw_app_accounts')}")
    given = dict(keys) if keys is not None else {}
    if keys is not None and not (isinstance(keys, Mapping) and all(
            isinstance(k, str) and isinstance(v, str) and v for k, v in keys.items())):
        raise ArgumentError("keys must map source names to key columns", name="keys",
                            value=keys, fix="e.g. keys={'crm_export': 'customer_no'}")
    unknown = sorted(set(given) - set(exports))
    if unknown:
        raise ArgumentError(f"keys names exports that are not given: {unknown}", name="keys",
                            allowed=", ".join(map(repr, exports)))
    flag("remark_phones", remark_phones)
    key_of = {**_KEYS, **given}
    parts = []
    for source, df in exports.items():
        if source not in key_of:
            raise ArgumentError(f"no key column known for export {source!r}", name="keys",
                                fix=f"say which column identifies its rows: "
                                f"keys={{{source!r}: '...'}}")
        frame(df, source, allow_empty=True)
        parts.append(_export_records(df, source, key_of[source], remark_phones))
    out = pd.concat(parts, ignore_index=True)
    try:
        repeated = out.duplicated(["source", "key"]).to_numpy()
    except TypeError as err:
        raise DataError("keys that cannot be compared (lists, dicts)", table="exports",
                        column="key", rows=out.head(5),
                        fix="give every key column plain text or numbers") from err
    if repeated.any():  # a key of two rows: first non-missing value of each column
        out = out.groupby(["source", "key"], sort=False, as_index=False, dropna=False).first()
    out = out.loc[~_excluded(out, exclude), _RECORD_COLUMNS].reset_index(drop=True)
    if out["store_id"].dtype == object:  # numbers beside missing: a nullable dtype
        out["store_id"] = out["store_id"].convert_dtypes()
    return out


# --------------------------------------------------------------------------- shared values


def _name_key(names: pd.Series) -> pd.Series:
    """Names compared without case and white space (``"王 然"`` is ``"王然"``)."""
    text = names.str.normalize("NFKC").str.lower().str.replace(r"\s+", "", regex=True)
    return text.mask(mask(text == ""))


def shared_identifiers(records: pd.DataFrame, identifier: str = "phone", *, name: str = "name",
                       store: str | None = "store_id", min_names: int = 2) -> pd.DataFrame:
    """Identifier values held under several names: a store's phone, a relative's phone.

    A phone is a person's, so the records holding it should carry one name.
    A value held by records under two names or more is the tell-tale of an
    identifier that is not one person's: the store's own number typed by the
    till staff for customers who would not give theirs (many cards, many
    names, one store), or a relative's phone on a member card (two names).
    Exact matching on such a value merges different people (low pairwise
    precision in :func:`match_quality`); leaving these values out of the
    rules is the usual remedy, at a small cost in recall.

    Names are compared after NFKC, without case and white space (``"王 然"``
    and ``"王然"`` are one name); records without a name count among the
    value's records, not its names. Values are compared as :func:`stitch`
    compares them (NFKC, trimmed).

    Parameters
    ----------
    records
        One row per record, e.g. from :func:`identity_records`.
    identifier
        The identifier column to check (``phone``, ``phone_or_remark``).
    name
        The column of the holder's name.
    store
        The column of the store (or other place) where the record was made, or None.
    min_names
        The least number of distinct names that makes a value shared (at least 2).

    Returns
    -------
    pandas.DataFrame
        One row per shared value: the value (column named as ``identifier``),
        ``records`` holding it, distinct ``names`` among them and, with a
        ``store``, distinct ``stores`` and the most common one, ``top_store``
        (ties to the smallest). Sorted by ``records``, then ``names``, both
        descending, then by value; on a new RangeIndex. Empty (same columns)
        when no value is shared.

    Raises
    ------
    DataError
        A missing column, identifiers or names that are neither text nor numbers.
    ArgumentError
        Bad column names or ``min_names``.

    Examples
    --------
    >>> import pandas as pd
    >>> cards = pd.DataFrame({
    ...     "phone": ["02150001111"] * 3 + ["13812345678", "13812345678", "13900001111"],
    ...     "name": ["王芳", "李 伟", "张敏", "刘洋", "刘洋", "陈静"],
    ...     "store_id": [7, 7, 7, 2, 3, 2]})
    >>> shared_identifiers(cards)
             phone  records  names  stores  top_store
    0  02150001111        3      3       1          7
    """
    table = "records"
    frame(records, table, allow_empty=True)
    ident = column_names(identifier, "identifier")[0]
    name_col = column_names(name, "name")[0]
    group_cols = [] if store is None else column_names(store, "store")
    present(records, table, [ident, name_col, *group_cols], "identifier/name/store")
    min_names = positive_int(min_names, "min_names", low=2)
    try:
        value = as_text(records[ident].rename(ident), "identifiers")
        who = as_text(records[name_col].rename(name_col), "names")
    except DataError as err:
        raise _in_table(err, table) from err
    value = value.str.normalize("NFKC").str.strip()
    value = value.mask(mask(value == ""))
    has = mask(value.notna())
    data = pd.DataFrame({"value": value[has].astype(object), "name": _name_key(who)[has]})
    if group_cols:
        data["group"] = records.loc[has, group_cols[0]]
    by_value = data.groupby("value", sort=True)
    out = pd.DataFrame({"records": by_value.size(), "names": by_value["name"].nunique()})
    if group_cols:
        out["stores"] = by_value["group"].nunique()
        counts = data.dropna(subset=["group"]).groupby(["value", "group"], sort=True).size()
        counts = counts.rename("n").reset_index().sort_values(
            ["value", "n"], ascending=[True, False], kind="stable")
        out["top_store"] = counts.drop_duplicates("value").set_index("value")["group"]
    out = out[out["names"] >= min_names].astype({"records": "int64", "names": "int64"})
    if group_cols:
        out = out.astype({"stores": "int64"})
    out = out.rename_axis(ident).reset_index()
    out = out.sort_values(["records", "names", ident], ascending=[False, False, True],
                          kind="stable")
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------- rule ladder

_SCORES = ["rule", "people", "precision", "recall", "f1", "pairs_merged", "pairs_correct"]


def rule_scores(records: pd.DataFrame, rules: str | Sequence[str], truth: pd.DataFrame, *,
                source: str = "source", key: str = "key",
                customer: str = "user_id") -> pd.DataFrame:
    """Score a ladder of rules: stitch with the first rule, the first two, ... and
    score each against the truth.

    Each step adds one rule to the ones before (``rules[:1]``, ``rules[:2]``,
    ...) and reports what :func:`stitch` then makes of the records, scored by
    :func:`match_quality`: the people found and the pairwise precision,
    recall and F1. Read down the table: a rule that lifts recall and lowers
    precision joins true pairs and false ones (a shared phone), one that
    leaves both alone adds nothing.

    Parameters
    ----------
    records
        One row per record: ``source``, ``key`` and the rules' identifier
        columns (e.g. from :func:`identity_records`).
    rules
        The identifier columns, in the order to add them.
    truth
        The true person of each record: ``source``, ``key`` and ``customer``
        (e.g. the course's ``raw_links`` with ``table`` renamed ``source``);
        see :func:`match_quality`.
    source, key
        The columns naming a record, the same in both tables.
    customer
        The true person's column in ``truth``.

    Returns
    -------
    pandas.DataFrame
        One row per step: ``rule`` (the rule added), ``people`` (people found
        among the records scored), ``precision``, ``recall``, ``f1``,
        ``pairs_merged`` and ``pairs_correct``.

    Raises
    ------
    DataError, ArgumentError
        As :func:`stitch` and :func:`match_quality`.

    Examples
    --------
    >>> import pandas as pd
    >>> records = pd.DataFrame({
    ...     "source": ["app", "pos", "wecom", "pos"], "key": ["A1", "M1", "W1", "M2"],
    ...     "phone": ["13812345678", "13812345678", None, "13812345678"],
    ...     "unionid": [None, "u1", "u1", None]})
    >>> truth = records[["source", "key"]].assign(user_id=[1, 1, 1, 2])
    >>> rule_scores(records, ["phone", "unionid"], truth).round(3)
          rule  people  precision  recall     f1  pairs_merged  pairs_correct
    0    phone       2      0.333   0.333  0.333             3              1
    1  unionid       1      0.500   1.000  0.667             6              3

    The phone joins M2, another person, to A1 and M1: one right pair (A1, M1) of
    three merged; the unionid adds W1, two more right pairs.
    """
    names = column_names(rules, "rules")
    rows = []
    for i, rule in enumerate(names, start=1):
        people = stitch(records, names[:i], source=source, key=key).people
        q = match_quality(people, truth, source=source, key=key, customer=customer)
        rows.append((rule, q.people_found, q.precision, q.recall, q.f1, q.pairs_merged,
                     q.pairs_correct))
    out = pd.DataFrame(rows, columns=_SCORES)
    return out.astype({"people": "int64", "pairs_merged": "int64", "pairs_correct": "int64"})
