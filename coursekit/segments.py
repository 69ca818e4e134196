"""Segments: RFM, member tiers from points, and rule-based tags with TGI.

Three ways an operations team sorts its users into groups it can act on
(分层分群, the core of 精细化运营):

- **RFM** (:func:`rfm`, :func:`segment_summary`, :data:`RFM_SEGMENTS`): how
  recently, how often and how much each customer bought, each split high or
  low, giving the eight classic segments from 重要价值客户 to 一般挽留客户;
- **member tiers** (:func:`tier_points`, :func:`assign_tiers`,
  :func:`transition_matrix`, :func:`tier_transitions`): points from weighted
  purchases and engagement over a trailing window, cut into bronze / silver /
  gold / platinum, and the upgrades and downgrades from month to month;
- **tags** (:class:`Tag`, :class:`TagEngine`, :func:`coverage`,
  :func:`profile`, :func:`tgi`, :func:`user_features`,
  :func:`default_tags`): yes/no labels computed by rules from a per-user
  feature table, in four kinds (descriptive: who; scenario: when / where;
  attitudinal: why; behavioural: what / how), and the TGI that says which
  tags over-represent a target group.

Conventions shared by the functions here:

- ``asof`` is a moment: rows at or after it are ignored. The default is
  midnight after the last day of the data, so the whole last day counts.
- Day counts (``recency_days``, ``tenure_days``) are **calendar days**: the
  number of midnights between the day of the event and the day of ``asof``.
  With the default ``asof`` a customer who bought on the last day of the
  data has a recency of 1. (:func:`coursekit.lifecycle.stages` counts whole
  24-hour days instead; on data with times of day the two can differ by one.)
- Customer ids may be any hashable type; results are indexed by customer id
  in sorted order, so the order of the input rows never matters.
- Everything is vectorised: customers become integer codes and per-customer
  totals come from ``np.bincount`` and ``np.maximum.at``, with no pandas
  groupby over the order rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from coursekit._arrays import codes, distinct
from coursekit.errors import ArgumentError, DataError
from coursekit.inputs import columns, timestamp, unique_key
from coursekit.schema import MEMBER_TIER_CUTOFFS

__all__ = [
    "RFM_SEGMENTS",
    "SEGMENTS",
    "SEGMENTS_EN",
    "rfm",
    "tier_cutoffs",
    "segment_summary",
    "TIERS",
    "TIER_NAMES_ZH",
    "TIER_WEIGHTS",
    "TIER_CUTOFFS",
    "tier_points",
    "assign_tiers",
    "transition_matrix",
    "tier_transitions",
    "TierTransitions",
    "TAG_KINDS",
    "Tag",
    "TagEngine",
    "coverage",
    "profile",
    "tgi",
    "user_features",
    "default_tags",
]

_MIN_I8 = np.iinfo(np.int64).min
_MAX_I8 = np.iinfo(np.int64).max


# --------------------------------------------------------------------------- shared helpers


def _codes(values: np.ndarray) -> tuple[np.ndarray, pd.Index]:
    """Integer codes 0..n-1 of ``values`` and the id of each code, ids sorted."""
    return codes(values, sort=True)


def _slots(values: np.ndarray) -> tuple[np.ndarray, int, Callable[[np.ndarray], pd.Index]]:
    """A slot in ``[0, size)`` for every row, and a function giving the ids of slots.

    Compact integer ids use ``id - min(id)`` as the slot, with no hashing and
    no gather through a remapping table; some slots may then be unused (ids
    that do not occur), which callers drop after counting. Other ids are
    factorized (sorted when they can be).
    """
    values = np.asarray(values)
    if values.dtype.kind in "iu" and len(values):
        lo, hi = int(values.min()), int(values.max())
        span = hi - lo + 1
        if span <= 2 * len(values) + (1 << 16):
            base = values.dtype.type(lo)
            return ((values - base).astype(np.int64, copy=False), span,
                    lambda slots: pd.Index((slots + lo).astype(values.dtype)))
    try:
        codes, uniques = pd.factorize(values, sort=True)
    except TypeError:  # ids of mixed types cannot be sorted
        codes, uniques = pd.factorize(values)
    uniques = pd.Index(uniques)
    return codes.astype(np.int64, copy=False), len(uniques), lambda slots: uniques[slots]


def _day_numbers(times: np.ndarray) -> np.ndarray:
    """Calendar day of datetime64 values, as days since 1970-01-01."""
    return np.asarray(times).astype("datetime64[D]").astype(np.int64)


def _day_number(ts: pd.Timestamp) -> int:
    return int(np.datetime64(ts.normalize().date(), "D").astype(np.int64))


def _ns(times: pd.Series) -> np.ndarray:
    """Datetimes as int64 nanoseconds since 1970."""
    return times.to_numpy().astype("datetime64[ns]").view(np.int64)


def _ts_ns(ts: pd.Timestamp) -> int:
    return int(ts.to_datetime64().astype("datetime64[ns]").view(np.int64))


def _asof(asof: object, latest: pd.Timestamp, earliest: pd.Timestamp, table: str) -> pd.Timestamp:
    """The ``asof`` moment: given, or midnight after the latest day; never before the data."""
    if asof is None:
        return latest.normalize() + pd.Timedelta(days=1)
    when = timestamp(asof, "asof", table=table)
    if when <= earliest:
        raise ArgumentError(
            f"asof {when} is not after the first row of the data ({earliest}); nothing "
            "happened before it",
            name="asof",
            fix="choose a moment inside the data, or leave asof out to use all of it",
        )
    return when


def _labels_column(df: pd.DataFrame, table: str, name: str) -> pd.Series:
    """A column of labels (event types, categories): present, no missing values."""
    if name not in df.columns:
        raise DataError(
            f"missing column {name!r}; the table has {list(df.columns)}",
            table=table,
            column=name,
            fix="pass the name of your column as a keyword",
        )
    s = df[name]
    if s.isna().any():
        raise DataError(
            "missing labels",
            table=table,
            column=name,
            rows=df.loc[s.isna().to_numpy(), [name]].head(5),
            fix="drop or fill the rows without a label",
        )
    return s


def _flag(name: str, value: object, allowed: Iterable[object]) -> None:
    allowed = tuple(allowed)
    if not isinstance(value, str) or value not in allowed:
        raise ArgumentError(
            f"unknown {name} {value!r}",
            name=name,
            fix=f"use one of {list(allowed)}",
        )


# --------------------------------------------------------------------------- RFM

#: The eight RFM segments in their classic order (the order of the categorical).
SEGMENTS = [
    "重要价值客户",
    "重要发展客户",
    "重要保持客户",
    "重要挽留客户",
    "一般价值客户",
    "一般发展客户",
    "一般保持客户",
    "一般挽留客户",
]
#: The same segments in English, same order.
SEGMENTS_EN = [
    "important value",
    "important development",
    "important retention",
    "important win-back",
    "general value",
    "general development",
    "general retention",
    "general win-back",
]
# Code "RFM" of each segment, 1 = high: R high means a *recent* last order.
_SEGMENT_CODES = ["111", "101", "011", "001", "110", "100", "010", "000"]
# segment number of each code r * 4 + f * 2 + m
_SEGMENT_OF_CODE = np.empty(8, dtype=np.int8)
for _i, _c in enumerate(_SEGMENT_CODES):
    _SEGMENT_OF_CODE[int(_c, 2)] = _i
del _i, _c
_ACTIONS = [
    "Protect: priority service, early access to new products, member rights; "
    "no blanket discounts, they buy anyway",
    "Raise frequency: they spend a lot but rarely; membership, repurchase reminders "
    "timed to their cycle, cross-sell",
    "Re-engage before they go: personal contact (WeCom, the store), ask what changed, "
    "a tailored offer",
    "Win back: valuable but gone; a strong personal offer and a question about why "
    "they left; worth the cost",
    "Grow the basket: frequent but small orders; bundles, spend-over thresholds (满减), "
    "upgrades",
    "Nurture cheaply: one recent small order; onboarding and a second-order coupon",
    "Remind at low cost: frequent small buyers drifting away; automated messages",
    "Low-cost reactivation only, or let go; learn why they did not stay",
]

#: The eight segments: code ("RFM", 1 = high), Chinese and English names, the
#: level of each of R, F, M, and the recommended action. Indexed by code.
RFM_SEGMENTS = pd.DataFrame(
    {
        "segment": SEGMENTS,
        "segment_en": SEGMENTS_EN,
        "R": ["high" if c[0] == "1" else "low" for c in _SEGMENT_CODES],
        "F": ["high" if c[1] == "1" else "low" for c in _SEGMENT_CODES],
        "M": ["high" if c[2] == "1" else "low" for c in _SEGMENT_CODES],
        "action": _ACTIONS,
    },
    index=pd.Index(_SEGMENT_CODES, name="code"),
)

_RFM_COLUMNS = ("recency_days", "frequency", "monetary")
_THRESHOLDS = ("mean", "median")
_CODE_LABELS = [format(i, "03b") for i in range(8)]


def _thresholds(
    threshold: object, recency: np.ndarray, frequency: np.ndarray, monetary: np.ndarray
) -> dict[str, float]:
    values = {"recency_days": recency, "frequency": frequency, "monetary": monetary}
    if isinstance(threshold, Mapping):
        keys = set(threshold)
        if keys != set(_RFM_COLUMNS):
            raise ArgumentError(
                f"threshold needs exactly the keys {list(_RFM_COLUMNS)}, got {sorted(keys)}",
                name="threshold",
                fix="e.g. threshold={'recency_days': 90, 'frequency': 2, 'monetary': 500}",
            )
        out = {}
        for k in _RFM_COLUMNS:
            v = threshold[k]
            if isinstance(v, bool) or not isinstance(v, int | float | np.number) or not (
                np.isfinite(v)
            ):
                raise ArgumentError(
                    f"threshold[{k!r}] must be a finite number, got {v!r}",
                    name="threshold",
                )
            out[k] = float(v)
        return out
    _flag("threshold", threshold, _THRESHOLDS)
    if threshold == "median":
        return {k: float(np.median(v)) for k, v in values.items()}
    # whole numbers: an exact integer sum and one division, so that a mean that is a
    # whole number is exactly that number (a customer on it is then reliably low)
    return {k: int(v.sum()) / len(v) if v.dtype.kind in "iu" else float(np.mean(v))
            for k, v in values.items()}


def _quintiles(values: np.ndarray, *, higher_is_better: bool) -> np.ndarray:
    """Scores 1-5: 1 + floor(5 x share of customers strictly worse)."""
    n = len(values)
    ordered = np.sort(values)
    if higher_is_better:
        worse = np.searchsorted(ordered, values, side="left")
    else:
        worse = n - np.searchsorted(ordered, values, side="right")
    return (1 + (5 * worse) // n).astype(np.int64)


def rfm(
    orders: pd.DataFrame,
    *,
    customer: str = "user_id",
    at: str = "order_time",
    amount: str = "amount",
    asof: object = None,
    threshold: str | Mapping[str, float] = "mean",
    quintiles: bool = False,
) -> pd.DataFrame:
    """RFM table: recency, frequency, monetary, high/low scores and the eight segments.

    For every customer with at least one order before ``asof``:

    - ``recency_days`` (R): calendar days from the day of the last order to
      the day of ``asof`` (1 = bought on the day before ``asof``);
    - ``frequency`` (F): number of orders (rows; two orders on one day count
      as two);
    - ``monetary`` (M): total amount, rounded to 6 decimal places so that
      equal totals compare equal whatever order they were added up in.

    Each of R, F and M is split at a threshold into high (1) and low (0):

    - F high: ``frequency > threshold``; M high: ``monetary > threshold``;
    - R high: ``recency_days < threshold`` (high R means a *recent* buyer).

    A value equal to the threshold is low, so high always means "better than
    the typical customer", and customers with equal values always get equal
    scores and the same segment. The default threshold is the **mean of the
    values** over the customers (the classic eight-segment practice: compare
    each customer with the average one). Frequency and spend are heavy-tailed
    (many customers with one small order, a few with many), so the mean sits
    above the median and "high" picks out the minority that brings most of
    the revenue, which is what 重要 should mean. ``threshold="median"`` splits
    nearer to half and half and is not moved by a few extreme customers; when
    more than half the customers ordered once (CDNOW), the median frequency
    is 1 and F high means "ordered more than once". Splitting the 1-5
    quintile scores at their mean (another common recipe) makes the cut
    depend on how ties fall into quintiles rather than on the values, so it
    is not offered; the quintiles are there for finer grading. A mapping
    gives fixed business thresholds, e.g. ``{"recency_days": 90,
    "frequency": 2, "monetary": 500}`` (same comparisons). With the default
    the thresholds are the means of the result's ``recency_days``,
    ``frequency`` and ``monetary`` columns, so ``table[["recency_days",
    "frequency", "monetary"]].mean()`` shows them.

    The segment follows from the code "RFM" (1 = high):

    ====  ==============  =====================
    code  segment         segment_en
    ====  ==============  =====================
    111   重要价值客户    important value
    101   重要发展客户    important development
    011   重要保持客户    important retention
    001   重要挽留客户    important win-back
    110   一般价值客户    general value
    100   一般发展客户    general development
    010   一般保持客户    general retention
    000   一般挽留客户    general win-back
    ====  ==============  =====================

    M decides 重要 (important) against 一般 (general); R and F decide value
    (both high), development (recent, infrequent), retention (frequent, not
    recent) and win-back (neither). :data:`RFM_SEGMENTS` has the action for
    each.

    Parameters
    ----------
    orders
        One row per order (refunds netted: amounts are not negative).
    customer, at, amount
        Names of the customer-id, order-time and amount columns (for CDNOW:
        ``at="order_date"``).
    asof
        The moment the table describes; orders at or after it are ignored.
        Default: midnight after the day of the last order.
    threshold
        ``"mean"`` (default), ``"median"``, or a mapping with a fixed value
        for each of ``recency_days``, ``frequency`` and ``monetary``.
    quintiles
        Also return ``r_quintile``, ``f_quintile`` and ``m_quintile``, scores
        1 to 5 (5 = best: most recent, most orders, most spend), computed as
        1 + floor(5 x the share of customers strictly worse). Equal values
        share a score, so with many ties a score may be empty or hold more
        than a fifth of the customers (on CDNOW every one-order customer gets
        ``f_quintile`` 1).

    Returns
    -------
    pandas.DataFrame
        Index: customer id (sorted). Columns ``recency_days``, ``frequency``
        (int64), ``monetary`` (float64), ``r_score``, ``f_score``, ``m_score``
        (int64, 1 = high, 0 = low), ``code`` (e.g. ``"101"``), ``segment``
        (ordered categorical of the Chinese names, in :data:`SEGMENTS`
        order), ``segment_en`` (ordered categorical), then the quintiles when
        asked.

    Raises
    ------
    DataError
        Bad input (see :func:`coursekit.inputs.columns`: a missing column,
        text or infinite or negative amounts, missing or unparseable dates,
        time zones, missing ids, no rows), an unknown ``threshold``, or
        ``asof`` not after the first order.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({
    ...     "user_id": [1, 1, 1, 2, 3, 3, 4],
    ...     "order_time": pd.to_datetime(["2025-06-01", "2025-06-20", "2025-06-28", "2025-06-25",
    ...                                   "2025-01-10", "2025-02-01", "2025-03-01"]),
    ...     "amount": [100.0, 120, 80, 500, 30, 40, 20]})
    >>> table = rfm(orders)  # asof: 2025-06-29; means: R 68.25 days, F 1.75, M 222.5
    >>> table[["recency_days", "frequency", "monetary", "code"]]  # doctest: +NORMALIZE_WHITESPACE
                 recency_days  frequency  monetary code
    user_id
    1                       1          3     300.0  111
    2                       4          1     500.0  101
    3                     148          2      70.0  010
    4                     120          1      20.0  000
    >>> table["segment_en"].tolist()
    ['important value', 'important development', 'general retention', 'general win-back']
    >>> table["segment"].tolist()
    ['重要价值客户', '重要发展客户', '一般保持客户', '一般挽留客户']
    """
    data = columns(orders, "orders", ids=[customer], times=[at], amounts=[amount])
    times = data[at]
    first, last = times.min(), times.max()
    when = _asof(asof, last, first, "orders")
    ids_raw = data[customer].to_numpy()
    t = times.to_numpy()
    money = data[amount].to_numpy()
    if asof is not None and when <= last:
        keep = (times < when).to_numpy()
        ids_raw, t, money = ids_raw[keep], t[keep], money[keep]
    slot, size, ids_of = _slots(ids_raw)
    frequency = np.bincount(slot, minlength=size).astype(np.int64, copy=False)
    monetary = np.bincount(slot, weights=money, minlength=size)
    last_t = np.full(size, _MIN_I8, dtype=np.int64)
    np.maximum.at(last_t, slot, t.view(np.int64))
    used = np.flatnonzero(frequency)
    if len(used) < size:  # ids that do not occur (or no longer, after asof)
        frequency, monetary, last_t = frequency[used], monetary[used], last_t[used]
    ids = ids_of(used)
    recency = _day_number(when) - _day_numbers(last_t.view(t.dtype))
    monetary = np.round(monetary, 6)

    cut = _thresholds(threshold, recency, frequency, monetary)
    r = (recency < cut["recency_days"]).astype(np.int64)
    f = (frequency > cut["frequency"]).astype(np.int64)
    m = (monetary > cut["monetary"]).astype(np.int64)
    code = r * 4 + f * 2 + m
    seg = _SEGMENT_OF_CODE[code]
    out = pd.DataFrame(
        {
            "recency_days": recency,
            "frequency": frequency,
            "monetary": monetary,
            "r_score": r,
            "f_score": f,
            "m_score": m,
            "code": pd.Categorical.from_codes(code, categories=_CODE_LABELS),
            "segment": pd.Categorical.from_codes(seg, categories=SEGMENTS, ordered=True),
            "segment_en": pd.Categorical.from_codes(seg, categories=SEGMENTS_EN, ordered=True),
        },
        index=ids.rename(customer),
    )
    if quintiles:
        out["r_quintile"] = _quintiles(recency, higher_is_better=False)
        out["f_quintile"] = _quintiles(frequency, higher_is_better=True)
        out["m_quintile"] = _quintiles(monetary, higher_is_better=True)
    return out


def segment_summary(rfm_table: pd.DataFrame, revenue: bool = True) -> pd.DataFrame:
    """Size, share of customers, revenue share and mean R, F, M of each RFM segment.

    Parameters
    ----------
    rfm_table
        The result of :func:`rfm` (columns ``segment``, ``recency_days``,
        ``frequency``, ``monetary``).
    revenue
        Add ``revenue`` (the segment's total ``monetary``) and
        ``revenue_share`` (of all customers' revenue).

    Returns
    -------
    pandas.DataFrame
        One row per segment, all eight in :data:`SEGMENTS` order (empty ones
        with 0 customers and NaN means), index ``segment``; columns
        ``segment_en``, ``customers``, ``customer_share``, [``revenue``,
        ``revenue_share``], ``recency_days``, ``frequency``, ``monetary``
        (means over the segment's customers). Shares are fractions (0-1).

    Raises
    ------
    DataError
        A missing column, a segment that is not one of the eight, or an
        empty table.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({
    ...     "user_id": [1, 1, 2, 3],
    ...     "order_time": pd.to_datetime(["2025-06-01", "2025-06-20", "2025-06-25",
    ...                                   "2025-01-10"]),
    ...     "amount": [100.0, 200, 60, 40]})
    >>> s = segment_summary(rfm(orders))
    >>> s.loc["重要价值客户", ["customers", "customer_share", "revenue_share"]].tolist()
    [1.0, 0.3333333333333333, 0.75]
    >>> int(s["customers"].sum()), float(s["revenue_share"].sum())
    (3, 1.0)
    """
    checked = columns(rfm_table, "rfm_table", ids=["segment"],
                      numbers=list(_RFM_COLUMNS))
    seg = pd.Categorical(checked["segment"], categories=SEGMENTS, ordered=True)
    unknown = seg.isna()
    if unknown.any():
        raise DataError(
            "segments that are not among the eight RFM segments",
            table="rfm_table",
            column="segment",
            rows=rfm_table.loc[unknown, ["segment"]].head(5),
            fix="pass the table made by coursekit.segments.rfm()",
        )
    k = seg.codes.astype(np.int64)
    n = np.bincount(k, minlength=8)
    total = int(n.sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        means = {
            c: np.bincount(k, weights=checked[c].to_numpy(), minlength=8) / n
            for c in _RFM_COLUMNS
        }
    out = pd.DataFrame(
        {"segment_en": SEGMENTS_EN, "customers": n, "customer_share": n / total},
        index=pd.CategoricalIndex(SEGMENTS, categories=SEGMENTS, ordered=True, name="segment"),
    )
    if revenue:
        money = np.bincount(k, weights=checked["monetary"].to_numpy(), minlength=8)
        grand = money.sum()
        out["revenue"] = money
        out["revenue_share"] = money / grand if grand > 0 else np.nan
    for c in _RFM_COLUMNS:
        out[c] = means[c]
    return out


# --------------------------------------------------------------------------- member tiers

#: Member tiers from lowest to highest (the order of the categorical).
TIERS = ["bronze", "silver", "gold", "platinum"]
#: Chinese names of the tiers.
TIER_NAMES_ZH = {"bronze": "青铜", "silver": "白银", "gold": "黄金", "platinum": "铂金"}
#: Default points: 1 per yuan paid, plus a little for each engagement event.
#: ``order`` events earn nothing (the order's money already counts), nor does ``signup``.
TIER_WEIGHTS = {
    "amount": 1.0,
    "view": 0.1,
    "search": 0.2,
    "add_to_cart": 0.5,
    "share": 5.0,
    "invite": 10.0,
}
#: Default minimum points of each tier: the course company's own rule on the last
#: 12 months' spend (:data:`coursekit.schema.MEMBER_TIER_CUTOFFS`).
TIER_CUTOFFS = dict(MEMBER_TIER_CUTOFFS)


@dataclass(frozen=True)
class _Activity:
    """Orders and weighted events coded by customer, times in ns."""

    ids: pd.Index  # customer of each code (sorted)
    first: np.ndarray  # per code: first order or event (ns)
    o_cust: np.ndarray
    o_time: np.ndarray
    o_amount: np.ndarray
    e_cust: np.ndarray
    e_time: np.ndarray
    e_weight: np.ndarray
    w_amount: float


def _weights(weights: Mapping[str, float] | None, events_given: bool,
             event_types: pd.Index | None) -> dict[str, float]:
    if weights is None:
        return dict(TIER_WEIGHTS)
    if not isinstance(weights, Mapping):
        raise ArgumentError(
            f"weights must be a mapping, got {type(weights).__name__}",
            name="weights",
            fix="e.g. weights={'amount': 1, 'share': 5}",
        )
    out = {}
    for k, v in weights.items():
        if isinstance(v, bool) or not isinstance(v, int | float | np.number) or not np.isfinite(v):
            raise ArgumentError(f"weight of {k!r} must be a finite number, got {v!r}",
                                name="weights")
        out[str(k)] = float(v)
    others = [k for k in out if k != "amount"]
    if others and not events_given:
        raise ArgumentError(
            f"weights for event types {others} but no events table",
            name="weights",
            fix="pass the events table, or keep only the 'amount' weight",
        )
    if others and event_types is not None:
        unknown = [k for k in others if k not in set(event_types)]
        if unknown:
            raise ArgumentError(
                f"weights for event types {unknown} that the events table does not have "
                f"(it has {sorted(map(str, event_types))})",
                name="weights",
                fix="check the spelling of the event types",
            )
    return out


def _activity(
    orders: pd.DataFrame,
    events: pd.DataFrame | None,
    *,
    customer: str,
    at: str,
    amount: str,
    event_at: str,
    event_type: str,
    weights: Mapping[str, float] | None,
) -> _Activity:
    o = columns(orders, "orders", ids=[customer], times=[at], amounts=[amount])
    o_ids = o[customer].to_numpy()
    o_time = _ns(o[at])
    if events is not None:
        e = columns(events, "events", ids=[customer], times=[event_at])
        kinds = _labels_column(events, "events", event_type)
        codes, types = pd.factorize(kinds)
        w = _weights(weights, True, pd.Index(types))
        per_type = np.array([w.get(str(x), 0.0) for x in types], dtype=np.float64)
        e_ids = e[customer].to_numpy()
        e_time = _ns(e[event_at])
        e_weight = per_type[codes] if len(per_type) else np.zeros(len(codes))
    else:
        w = _weights(weights, False, None)
        e_ids = np.array([], dtype=o_ids.dtype)
        e_time = np.array([], dtype=np.int64)
        e_weight = np.array([], dtype=np.float64)
    try:
        all_ids = np.concatenate([o_ids, e_ids])
    except (TypeError, ValueError):
        all_ids = np.concatenate([o_ids.astype(object), e_ids.astype(object)])
    cust, ids = _codes(all_ids)
    n = len(ids)
    first = np.full(n, _MAX_I8, dtype=np.int64)
    np.minimum.at(first, cust, np.concatenate([o_time, e_time]))
    return _Activity(ids, first, cust[: len(o_ids)], o_time, o[amount].to_numpy(),
                     cust[len(o_ids):], e_time, e_weight, w.get("amount", 0.0))


def _points_at(a: _Activity, when_ns: int, window_days: int | None) -> tuple[np.ndarray, ...]:
    """Per customer code: spend, orders, purchase points, engagement points in the window."""
    n = len(a.ids)
    lo = _MIN_I8 if window_days is None else when_ns - int(window_days) * 86_400 * 10**9
    om = (a.o_time >= lo) & (a.o_time < when_ns)
    em = (a.e_time >= lo) & (a.e_time < when_ns)
    spend = np.bincount(a.o_cust[om], weights=a.o_amount[om], minlength=n)
    n_orders = np.bincount(a.o_cust[om], minlength=n).astype(np.int64)
    engagement = np.bincount(a.e_cust[em], weights=a.e_weight[em], minlength=n).astype(
        np.float64, copy=False)  # float even without events
    spend = spend.astype(np.float64, copy=False)
    return spend, n_orders, spend * a.w_amount, engagement


def _window(window_days: object) -> int | None:
    if window_days is None:
        return None
    if isinstance(window_days, bool) or not isinstance(window_days, int | np.integer) or (
        window_days < 1
    ):
        raise ArgumentError(
            f"window_days must be a positive whole number of days or None, got {window_days!r}",
            name="window_days",
            fix="e.g. window_days=365 (the last 12 months), or None for all history",
        )
    return int(window_days)


def tier_points(
    orders: pd.DataFrame,
    events: pd.DataFrame | None = None,
    *,
    customer: str = "user_id",
    at: str = "order_time",
    amount: str = "amount",
    event_at: str = "event_time",
    event_type: str = "event_type",
    weights: Mapping[str, float] | None = None,
    asof: object = None,
    window_days: int | None = 365,
) -> pd.DataFrame:
    """Member points of every customer: weighted spend plus weighted engagement.

    .. math:: \\text{points}_i = w_{\\text{amount}} \\sum_{\\text{orders}} \\text{amount}
              + \\sum_{t} w_t \\, n_{i,t}

    over the orders and events in the window ``[asof - window_days, asof)``,
    where :math:`n_{i,t}` is the number of events of type :math:`t` of
    customer :math:`i`. The default weights (:data:`TIER_WEIGHTS`) give 1
    point per yuan paid, 0.1 per view, 0.2 per search, 0.5 per add-to-cart,
    5 per share and 10 per invitation; ``order`` and ``signup`` events earn
    nothing (an order's money already counts). Money dominates by design:
    a customer cannot climb a tier by browsing alone, but sharing and
    inviting, which bring the brand new users, move a customer up at the
    margin. Passing ``weights`` replaces the defaults entirely, so
    ``weights={"amount": 1}`` is the pure 12-month-spend rule (with the
    default cutoffs it reproduces the course company's ``member_tier``).

    Parameters
    ----------
    orders
        One row per order.
    events
        Optional: one row per event, with the ``customer``, ``event_at`` and
        ``event_type`` columns. Without it, only purchases earn points.
    customer, at, amount
        Names of the customer-id, order-time and amount columns (also the
        customer column of ``events``).
    event_at, event_type
        Names of the event-time and event-type columns of ``events``.
    weights
        Points per unit of amount (key ``"amount"``) and per event of each
        type (keys: event types); types left out earn nothing.
    asof
        The moment the points are counted at; later rows are ignored.
        Default: midnight after the last day of orders or events.
    window_days
        Length of the trailing window in days (default 365: the last 12
        months); ``None`` counts all history.

    Returns
    -------
    pandas.DataFrame
        One row per customer with any order or event before ``asof`` (also
        before the window: they have 0 points in it), index: customer id
        (sorted). Columns ``spend`` and ``orders`` (in the window),
        ``purchase_points``, ``engagement_points`` and ``points`` (their
        sum).

    Raises
    ------
    DataError
        Bad input in either table, event types with missing labels, weights
        that are not finite numbers or name event types the table lacks, a
        bad ``window_days``, ``asof`` not after the first row.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"user_id": [1, 1, 2], "order_time": pd.to_datetime(
    ...     ["2024-03-01", "2025-03-01", "2025-06-01"]), "amount": [900.0, 300, 100]})
    >>> events = pd.DataFrame({"user_id": [2, 2, 3], "event_time": pd.to_datetime(
    ...     ["2025-05-01", "2025-05-02", "2025-05-03"]), "event_type": ["share", "view", "view"]})
    >>> p = tier_points(orders, events, asof="2025-07-01")
    >>> p[["spend", "engagement_points", "points"]]  # doctest: +NORMALIZE_WHITESPACE
                 spend  engagement_points  points
    user_id
    1            300.0                0.0   300.0
    2            100.0                5.1   105.1
    3              0.0                0.1     0.1
    """
    window = _window(window_days)
    a = _activity(orders, events, customer=customer, at=at, amount=amount, event_at=event_at,
                  event_type=event_type, weights=weights)
    latest = max(int(a.o_time.max()), int(a.e_time.max()) if len(a.e_time) else _MIN_I8)
    when = _asof(asof, pd.Timestamp(latest, unit="ns"), pd.Timestamp(int(a.first.min()),
                                                                     unit="ns"), "orders")
    when_ns = _ts_ns(when)
    present = a.first < when_ns
    spend, n_orders, bought, engaged = _points_at(a, when_ns, window)
    out = pd.DataFrame(
        {
            "spend": spend,
            "orders": n_orders,
            "purchase_points": bought,
            "engagement_points": engaged,
            "points": np.round(bought + engaged, 6),
        },
        index=a.ids.rename(customer),
    )[present]
    return out


def _tier_rule(
    points: np.ndarray, cutoffs: Mapping[str, float] | None, quantiles: Mapping[str, float] | None
) -> tuple[np.ndarray, dict[str, float], bool]:
    """Tier codes 0-3 of ``points``, the cutoffs used, and whether they are strict."""
    if cutoffs is not None and quantiles is not None:
        raise ArgumentError("give cutoffs or quantiles, not both",
                        name=["cutoffs", "quantiles"])
    name = "quantiles" if quantiles is not None else "cutoffs"
    rule = quantiles if quantiles is not None else (cutoffs or TIER_CUTOFFS)
    if not isinstance(rule, Mapping) or set(rule) != {"platinum", "gold", "silver"}:
        raise ArgumentError(
            f"{name} needs exactly the keys 'platinum', 'gold' and 'silver'",
            name=name,
            fix="e.g. cutoffs={'platinum': 1500, 'gold': 600, 'silver': 150}"
            if name == "cutoffs" else "e.g. quantiles={'platinum': 0.95, 'gold': 0.8, "
            "'silver': 0.5}",
        )
    vals = []
    for k in ("silver", "gold", "platinum"):
        v = rule[k]
        if isinstance(v, bool) or not isinstance(v, int | float | np.number) or not np.isfinite(v):
            raise ArgumentError(f"{name}[{k!r}] must be a finite number, got {v!r}", name=name)
        vals.append(float(v))
    if not vals[0] < vals[1] < vals[2]:
        raise ArgumentError(
            f"{name} must rise from silver to gold to platinum, got {dict(rule)}",
            name=name,
        )
    if quantiles is not None:
        if not (0 < vals[0] and vals[2] < 1):
            raise ArgumentError(f"quantiles must lie strictly between 0 and 1, got {dict(rule)}",
                                name="quantiles")
        cuts = np.quantile(points, vals) if len(points) else np.array([np.nan] * 3)
        code = (points[:, None] > cuts[None, :]).sum(axis=1)
        strict = True
    else:
        cuts = np.array(vals)
        code = (points[:, None] >= cuts[None, :]).sum(axis=1)
        strict = False
    used = {k: float(c) for k, c in zip(("silver", "gold", "platinum"), cuts, strict=True)}
    return code.astype(np.int8), used, strict


def assign_tiers(
    points: pd.DataFrame | pd.Series,
    cutoffs: Mapping[str, float] | None = None,
    *,
    quantiles: Mapping[str, float] | None = None,
    column: str = "points",
) -> pd.Series:
    """Member tier of every customer from their points.

    Two ways to set the bars:

    - ``cutoffs`` (default :data:`TIER_CUTOFFS`: platinum 1500, gold 600,
      silver 150): a customer reaches a tier when their points are **at
      least** its cutoff;
    - ``quantiles``, e.g. ``{"platinum": 0.95, "gold": 0.8, "silver": 0.5}``:
      the cutoff of a tier is that quantile of all customers' points, and a
      customer reaches it when their points are **strictly above** it, so
      that a block of equal points (typically the many customers with none)
      is never lifted into a tier together. Without ties this makes the top
      5 % platinum, the next 15 % gold and the next 30 % silver.

    Everyone else is bronze. :func:`tier_cutoffs` shows the cutoffs used.

    Parameters
    ----------
    points
        The result of :func:`tier_points` (or any table with a ``column`` of
        points), or a Series of points indexed by customer.
    cutoffs
        Minimum points of ``"platinum"``, ``"gold"`` and ``"silver"``,
        rising from silver to platinum.
    quantiles
        Quantile levels (between 0 and 1) of the same three tiers, instead of
        cutoffs.
    column
        Column of ``points`` holding the points, when it is a table.

    Returns
    -------
    pandas.Series
        ``tier``: ordered categorical (bronze < silver < gold < platinum),
        same index as ``points``.

    Raises
    ------
    DataError
        Missing, non-numeric or infinite points; both or malformed cutoffs and
        quantiles.

    Examples
    --------
    >>> import pandas as pd
    >>> pts = pd.Series([0.0, 150, 599.9, 600, 2000], index=[1, 2, 3, 4, 5], name="points")
    >>> assign_tiers(pts).tolist()
    ['bronze', 'silver', 'silver', 'gold', 'platinum']

    With quantiles the bars are 150, 599.9 and 600 (the 25th, 50th and 75th
    percentiles) and a customer must be strictly above a bar:

    >>> by_q = assign_tiers(pts, quantiles={"platinum": 0.75, "gold": 0.5, "silver": 0.25})
    >>> by_q.tolist()
    ['bronze', 'bronze', 'silver', 'gold', 'platinum']
    """
    if isinstance(points, pd.Series):
        frame = points.to_frame(name=column)
    else:
        frame = points
    checked = columns(frame, "points", numbers=[column], allow_empty=True)
    code, used, _ = _tier_rule(checked[column].to_numpy(), cutoffs, quantiles)
    return pd.Series(pd.Categorical.from_codes(code, categories=TIERS, ordered=True),
                     index=frame.index, name="tier")


def tier_cutoffs(
    points: pd.DataFrame | pd.Series,
    cutoffs: Mapping[str, float] | None = None,
    *,
    quantiles: Mapping[str, float] | None = None,
    column: str = "points",
) -> pd.Series:
    """The points a customer needs for each tier, as :func:`assign_tiers` applies them.

    Takes the same arguments as :func:`assign_tiers`. With fixed ``cutoffs``
    (or the default ones) it returns them; with ``quantiles`` it returns the
    quantiles of these points, the bars a customer must be strictly above.

    Returns
    -------
    pandas.Series
        ``cutoff`` by tier: ``silver``, ``gold``, ``platinum``.

    Examples
    --------
    >>> import pandas as pd
    >>> pts = pd.Series([0.0, 150, 599.9, 600, 2000], name="points")
    >>> tier_cutoffs(pts, quantiles={"platinum": 0.75, "gold": 0.5, "silver": 0.25}).to_dict()
    {'silver': 150.0, 'gold': 599.9, 'platinum': 600.0}
    """
    frame = points.to_frame(name=column) if isinstance(points, pd.Series) else points
    checked = columns(frame, "points", numbers=[column], allow_empty=True)
    _, used, _ = _tier_rule(checked[column].to_numpy(), cutoffs, quantiles)
    return pd.Series({t: float(used[t]) for t in TIERS[1:]}, name="cutoff")


def _tier_series(s: object, name: str) -> pd.Categorical:
    if not isinstance(s, pd.Series):
        raise DataError(f"expected a Series of tiers indexed by customer, got {type(s).__name__}",
                        table=name, fix="e.g. assign_tiers(tier_points(...))")
    values = s.astype(object)
    bad = (s.notna() & ~values.isin(TIERS)).to_numpy()
    if bad.any():
        raise DataError(
            f"values that are not tiers (expected {TIERS})",
            table=name,
            column=s.name if s.name is not None else "tier",
            rows=s[bad].head(5).to_frame(),
            fix="pass tiers as made by assign_tiers (bronze, silver, gold, platinum)",
        )
    if not s.index.is_unique:
        raise DataError("customers appear more than once", table=name,
                        rows=s[s.index.duplicated()].head(5).to_frame(),
                        fix="keep one tier per customer")
    return pd.Categorical(values.where(s.notna(), None), categories=TIERS, ordered=True)


def transition_matrix(before: pd.Series, after: pd.Series) -> pd.DataFrame:
    """Counts of customers by tier before (rows) and after (columns).

    Parameters
    ----------
    before, after
        Tiers (strings or the categorical of :func:`assign_tiers`) indexed by
        customer id; NaN (or absence) means "not a customer yet".

    Returns
    -------
    pandas.DataFrame
        Rows ``bronze, silver, gold, platinum, new`` (``new``: customers with
        a tier after but none before), named ``from``; columns ``bronze,
        silver, gold, platinum`` named ``to``, plus ``left`` only when some
        customers had a tier before and none after. Integer counts: the row
        sums are the tier sizes before (plus the new customers), the column
        sums the tier sizes after. Above the diagonal are upgrades, below it
        downgrades.

    Examples
    --------
    >>> import pandas as pd
    >>> before = pd.Series(["bronze", "gold", "silver"], index=[1, 2, 3])
    >>> after = pd.Series(["silver", "gold", "bronze", "bronze"], index=[1, 2, 3, 4])
    >>> transition_matrix(before, after)  # doctest: +NORMALIZE_WHITESPACE
    to        bronze  silver  gold  platinum
    from
    bronze         0       1     0         0
    silver         1       0     0         0
    gold           0       0     1         0
    platinum       0       0     0         0
    new            1       0     0         0
    """
    b_cat, a_cat = _tier_series(before, "before"), _tier_series(after, "after")
    index = before.index.union(after.index)
    b = pd.Series(b_cat.codes, index=before.index).reindex(index, fill_value=-1).to_numpy()
    a = pd.Series(a_cat.codes, index=after.index).reindex(index, fill_value=-1).to_numpy()
    return _matrix(b.astype(np.int64), a.astype(np.int64))


def _matrix(b: np.ndarray, a: np.ndarray) -> pd.DataFrame:
    """From codes (-1 = none) before and after: the counts table."""
    counted = (b >= 0) | (a >= 0)
    rows = np.where(b >= 0, b, 4)[counted]
    cols = np.where(a >= 0, a, 4)[counted]
    cells = np.bincount(rows * 5 + cols, minlength=25).reshape(5, 5)
    out = pd.DataFrame(cells, index=pd.Index([*TIERS, "new"], name="from"),
                       columns=pd.Index([*TIERS, "left"], name="to"))
    if out["left"].sum() == 0:
        out = out.drop(columns="left")
    return out.astype(np.int64)


@dataclass(frozen=True)
class TierTransitions:
    """Member tiers on a sequence of dates and the flows between them.

    Attributes
    ----------
    tiers
        Customers (rows, sorted ids) x dates (columns): each customer's tier
        on each date (ordered categorical), NaN before their first order or
        event.
    counts
        Dates (rows) x tiers (columns): number of customers in each tier.
    matrix
        From-tier x to-tier counts between the first and the last date (see
        :func:`transition_matrix`).
    monthly
        One row per date after the first, for the step from the previous
        date: ``customers`` (with a tier on that date), ``new`` (no tier on
        the previous date), ``stayed``, ``upgraded``, ``downgraded`` (among
        customers with a tier on both dates), ``upgrade_rate`` and
        ``downgrade_rate`` (of those customers).
    """

    tiers: pd.DataFrame
    counts: pd.DataFrame
    matrix: pd.DataFrame
    monthly: pd.DataFrame = field(repr=False)


def tier_transitions(
    orders: pd.DataFrame,
    events: pd.DataFrame | None,
    dates: Sequence[object] | pd.DatetimeIndex,
    *,
    customer: str = "user_id",
    at: str = "order_time",
    amount: str = "amount",
    event_at: str = "event_time",
    event_type: str = "event_type",
    weights: Mapping[str, float] | None = None,
    window_days: int | None = 365,
    cutoffs: Mapping[str, float] | None = None,
    quantiles: Mapping[str, float] | None = None,
) -> TierTransitions:
    """Member tiers on each of ``dates`` and the upgrades and downgrades between them.

    On each date the points are those of :func:`tier_points` with ``asof``
    = that date (so each date's points cover its own trailing window), and
    the tiers those of :func:`assign_tiers`. With monthly dates (e.g.
    ``pd.date_range("2025-01-01", "2026-01-01", freq="MS")``) this gives the
    month-to-month flows. A customer enters on the first date on or after
    their first order or event (as ``new``) and never leaves: one who stops
    buying drifts down to bronze as their purchases fall out of the window.
    With ``quantiles`` the cutoffs are recomputed on each date.

    Parameters
    ----------
    orders, events
        As in :func:`tier_points` (``events`` may be None).
    dates
        At least two moments, strictly increasing; the first must be after
        the first order or event.
    customer, at, amount, event_at, event_type, weights, window_days
        As in :func:`tier_points`.
    cutoffs, quantiles
        As in :func:`assign_tiers`.

    Returns
    -------
    TierTransitions
        ``tiers``, ``counts``, ``matrix`` (first to last date) and
        ``monthly`` (each step).

    Raises
    ------
    DataError
        As :func:`tier_points` and :func:`assign_tiers`; fewer than two
        dates, dates not increasing, or a first date not after the data starts.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"user_id": [1, 2, 2, 3], "order_time": pd.to_datetime(
    ...     ["2025-01-10", "2025-01-15", "2025-02-10", "2025-02-20"]),
    ...     "amount": [200.0, 100, 600, 50]})
    >>> flows = tier_transitions(orders, None, ["2025-02-01", "2025-03-01"], window_days=30)
    >>> flows.tiers.to_numpy().tolist()
    [['silver', 'bronze'], ['bronze', 'gold'], [nan, 'bronze']]
    >>> flows.monthly[["customers", "new", "upgraded", "downgraded"]].to_numpy().tolist()
    [[3, 1, 1, 1]]
    """
    window = _window(window_days)
    if isinstance(dates, str) or not isinstance(dates, Iterable):
        dates = [dates]
    stamps = [timestamp(d, "dates") for d in dates]
    if len(stamps) < 2:
        raise ArgumentError("need at least two dates", name="dates",
                        fix="e.g. dates=pd.date_range('2025-01-01', '2026-01-01', freq='MS')")
    if any(b <= a for a, b in zip(stamps, stamps[1:], strict=False)):
        raise ArgumentError(f"dates must be strictly increasing, got {[str(s) for s in stamps]}",
                            name="dates")
    a = _activity(orders, events, customer=customer, at=at, amount=amount, event_at=event_at,
                  event_type=event_type, weights=weights)
    _asof(stamps[0], pd.Timestamp(0), pd.Timestamp(int(a.first.min()), unit="ns"), "orders")
    last_ns = _ts_ns(stamps[-1])
    keep = a.first < last_ns
    codes = np.full((len(a.ids), len(stamps)), -1, dtype=np.int8)
    for j, when in enumerate(stamps):  # a handful of dates, each vectorised over customers
        when_ns = _ts_ns(when)
        present = a.first < when_ns
        _, _, bought, engaged = _points_at(a, when_ns, window)
        tier, _, _ = _tier_rule(np.round(bought + engaged, 6)[present], cutoffs, quantiles)
        codes[present, j] = tier
    codes = codes[keep]
    labels = pd.DatetimeIndex(stamps, name="date")
    tiers = pd.DataFrame(
        {d: pd.Categorical.from_codes(codes[:, j], categories=TIERS, ordered=True)
         for j, d in enumerate(labels)},
        index=a.ids[keep].rename(customer),
    )
    tiers.columns = labels
    counts = pd.DataFrame(
        [np.bincount(codes[:, j][codes[:, j] >= 0], minlength=4) for j in range(len(stamps))],
        index=labels, columns=pd.Index(TIERS, name="tier"),
    ).astype(np.int64)
    rows = []
    for j in range(1, len(stamps)):
        b, c = codes[:, j - 1].astype(np.int64), codes[:, j].astype(np.int64)
        both = (b >= 0) & (c >= 0)
        up = int((both & (c > b)).sum())
        down = int((both & (c < b)).sum())
        n_both = int(both.sum())
        rows.append({
            "customers": int((c >= 0).sum()),
            "new": int(((b < 0) & (c >= 0)).sum()),
            "stayed": n_both - up - down,
            "upgraded": up,
            "downgraded": down,
            "upgrade_rate": up / n_both if n_both else np.nan,
            "downgrade_rate": down / n_both if n_both else np.nan,
        })
    monthly = pd.DataFrame(rows, index=labels[1:])
    matrix = _matrix(codes[:, 0].astype(np.int64), codes[:, -1].astype(np.int64))
    return TierTransitions(tiers, counts, matrix, monthly)


# --------------------------------------------------------------------------- tags

#: The four kinds of tags: who, when / where, why, what / how.
TAG_KINDS = ("descriptive", "scenario", "attitudinal", "behavioural")


@dataclass(frozen=True)
class Tag:
    """One rule-based tag.

    Parameters
    ----------
    name
        Short unique name, e.g. ``"repeat_buyer"``.
    kind
        One of :data:`TAG_KINDS`: ``"descriptive"`` (who the user is:
        city, age, device), ``"scenario"`` (when and where they use the
        product: weekends, late at night, inside WeChat), ``"attitudinal"``
        (why they buy: price, quality, gifts, liking the brand) or
        ``"behavioural"`` (what they do and how: orders, spend, recency).
    rule
        A function of the per-user feature table (one row per user)
        returning a boolean Series on the same index (or a boolean array of
        the same length): True where the user has the tag.
    description
        What the tag means, for people (the Chinese name may go here).

    Examples
    --------
    >>> repeat = Tag("repeat_buyer", "behavioural", lambda f: f["orders"] >= 2,
    ...              "复购: two orders or more")
    >>> repeat.kind
    'behavioural'
    """

    name: str
    kind: str
    rule: Callable[[pd.DataFrame], pd.Series | np.ndarray]
    description: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise DataError(f"a tag needs a non-empty name, got {self.name!r}",
                            table="tags", column="name", fix="e.g. Tag('repeat_buyer', ...)")
        if self.kind not in TAG_KINDS:
            raise DataError(
                f"tag {self.name!r}: unknown kind {self.kind!r}",
                table="tags",
                column="kind",
                fix=f"use one of {list(TAG_KINDS)}",
            )
        if not callable(self.rule):
            raise DataError(f"tag {self.name!r}: rule must be a function of the features",
                            table="tags", column="rule",
                            fix="e.g. rule=lambda f: f['orders'] >= 2")


class TagEngine:
    """Applies a list of :class:`Tag` rules to a per-user feature table.

    Parameters
    ----------
    tags
        The tags; names must be unique.

    Examples
    --------
    >>> import pandas as pd
    >>> features = pd.DataFrame({"orders": [0, 1, 3], "city_tier": ["1", "3", "1"]},
    ...                         index=pd.Index([10, 11, 12], name="user_id"))
    >>> engine = TagEngine([
    ...     Tag("tier1_city", "descriptive", lambda f: f["city_tier"] == "1"),
    ...     Tag("repeat_buyer", "behavioural", lambda f: f["orders"] >= 2)])
    >>> engine.apply(features)  # doctest: +NORMALIZE_WHITESPACE
             tier1_city  repeat_buyer
    user_id
    10             True         False
    11            False         False
    12             True          True
    """

    def __init__(self, tags: Iterable[Tag]) -> None:
        tags = tuple(tags)
        if not tags:
            raise DataError("no tags given", table="tags", fix="e.g. TagEngine(default_tags())")
        for t in tags:
            if not isinstance(t, Tag):
                raise DataError(f"expected Tag objects, got {type(t).__name__}", table="tags",
                                fix="e.g. TagEngine([Tag('big', 'behavioural', rule)])")
        names = [t.name for t in tags]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise DataError(f"tag names must be unique; repeated: {dup}", table="tags",
                            column="name", fix="rename or drop the repeated tags")
        self.tags = tags

    def __repr__(self) -> str:
        return f"TagEngine({len(self.tags)} tags: {', '.join(t.name for t in self.tags)})"

    def catalog(self) -> pd.DataFrame:
        """The tags as a table: name (index), kind, description."""
        return pd.DataFrame(
            {"kind": [t.kind for t in self.tags],
             "description": [t.description for t in self.tags]},
            index=pd.Index([t.name for t in self.tags], name="tag"),
        )

    def apply(self, features: pd.DataFrame) -> pd.DataFrame:
        """Evaluate every tag on ``features``.

        Returns
        -------
        pandas.DataFrame
            Users (the index of ``features``) x tags, booleans. Each tag's
            kind and description are in :meth:`catalog` (pass it to
            :func:`coverage`, :func:`profile` and :func:`tgi`).

        Raises
        ------
        DataError
            ``features`` not a non-empty table with unique ids; a rule that
            needs a column the features lack (named), or returns something
            other than one boolean per user.
        """
        if not isinstance(features, pd.DataFrame):
            raise DataError(f"expected a DataFrame of features, got {type(features).__name__}",
                            table="features", fix="e.g. user_features(users, orders, events)")
        if len(features) == 0:
            raise DataError("the table is empty", table="features",
                            fix="check the filter that made the features")
        if not features.index.is_unique:
            raise DataError("users appear more than once", table="features",
                            rows=features[features.index.duplicated()].head(5),
                            fix="one row per user")
        out = {}
        for t in self.tags:
            try:
                value = t.rule(features)
            except KeyError as err:
                missing = err.args[0] if err.args else "?"
                raise DataError(
                    f"tag {t.name!r} needs column {missing!r}, which the features lack",
                    table="features",
                    column=str(missing),
                    fix="add the column to the features, or drop the tag",
                ) from None
            out[t.name] = self._boolean(t, value, features.index)
        return pd.DataFrame(out, index=features.index)

    @staticmethod
    def _boolean(tag: Tag, value: object, index: pd.Index) -> np.ndarray:
        if isinstance(value, pd.Series):
            if not value.index.equals(index):
                raise DataError(f"tag {tag.name!r}: the rule returned a Series on another index",
                                table="features", column=tag.name,
                                fix="return a Series computed from the features' own columns")
            if value.isna().any():
                raise DataError(
                    f"tag {tag.name!r}: the rule returned missing values",
                    table="features",
                    column=tag.name,
                    rows=value[value.isna()].head(5).to_frame(),
                    fix="decide what a missing feature means, e.g. (...).fillna(False)",
                )
            value = value.to_numpy()
        arr = np.asarray(value)
        if arr.shape != (len(index),) or arr.dtype != bool:
            raise DataError(
                f"tag {tag.name!r}: the rule must return one boolean per user, got "
                f"{arr.dtype} of shape {arr.shape}",
                table="features",
                column=tag.name,
                fix="compare columns, e.g. lambda f: f['orders'] >= 2",
            )
        return arr


def _tag_frame(tag_frame: object) -> pd.DataFrame:
    if not isinstance(tag_frame, pd.DataFrame):
        raise DataError(f"expected the table of TagEngine.apply, got {type(tag_frame).__name__}",
                        table="tag_frame", fix="pass engine.apply(features)")
    if tag_frame.shape[0] == 0 or tag_frame.shape[1] == 0:
        raise DataError("the tag table is empty", table="tag_frame",
                        fix="check the features the tags were applied to (and their filter)")
    bad = [c for c in tag_frame.columns if not pd.api.types.is_bool_dtype(tag_frame[c].dtype)]
    if bad:
        raise DataError("tag columns must be booleans", table="tag_frame", column=bad,
                        fix="use the table made by TagEngine.apply")
    unknown = [c for c in tag_frame.columns if tag_frame[c].hasnans]  # nullable booleans
    if unknown:
        raise DataError("missing values in tag columns: a user has a tag or not", table="tag_frame",
                        column=unknown, rows=tag_frame.loc[tag_frame[unknown].isna().any(axis=1),
                                                           unknown].head(5),
                        fix="fill them, e.g. tag_frame.fillna(False) when unknown means no")
    return tag_frame


def _catalog(catalog: object, tag_frame: pd.DataFrame) -> pd.DataFrame | None:
    """The tags' kind and description (``TagEngine.catalog()``), checked; None if not given."""
    if catalog is None:
        return None
    if not isinstance(catalog, pd.DataFrame) or not {"kind", "description"} <= set(
            catalog.columns):
        raise ArgumentError("catalog must be the table of TagEngine.catalog()",
                            name="catalog", fix="pass catalog=engine.catalog()")
    missing = [c for c in tag_frame.columns if c not in catalog.index]
    if missing:
        raise ArgumentError(f"tags missing from the catalog: {missing[:5]}", name="catalog",
                            fix="use the catalog of the engine that made the tag table")
    return catalog.loc[list(tag_frame.columns), ["kind", "description"]]


def _with_kind(out: pd.DataFrame, catalog: pd.DataFrame | None) -> pd.DataFrame:
    if catalog is None:
        return out
    return pd.concat([catalog[["kind"]].set_axis(out.index), out], axis=1)


def coverage(tag_frame: pd.DataFrame, *, catalog: pd.DataFrame | None = None) -> pd.DataFrame:
    """How many users carry each tag, and what share of all users that is.

    Parameters
    ----------
    tag_frame
        The result of :meth:`TagEngine.apply`.
    catalog
        :meth:`TagEngine.catalog`, to add each tag's ``kind``.

    Returns
    -------
    pandas.DataFrame
        One row per tag (index ``tag``): [``kind``,] ``users`` (with the tag)
        and ``coverage`` (users / all users, 0-1). The share of users with at
        least one tag is ``tag_frame.any(axis=1).mean()``.

    Examples
    --------
    >>> import pandas as pd
    >>> tags = pd.DataFrame({"a": [True, True, False, False], "b": [False, True, False, False]})
    >>> cov = coverage(tags)
    >>> cov[["users", "coverage"]].to_numpy().tolist()
    [[2.0, 0.5], [1.0, 0.25]]
    """
    tf = _tag_frame(tag_frame)
    values = tf.to_numpy(dtype=bool)
    users = values.sum(axis=0)
    out = pd.DataFrame({"users": users, "coverage": users / len(tf)},
                       index=pd.Index(tf.columns, name="tag"))
    return _with_kind(out, _catalog(catalog, tf))


def profile(tag_frame: pd.DataFrame, user_id: object, *,
            catalog: pd.DataFrame | None = None) -> pd.DataFrame:
    """One user's tags (用户画像), grouped by kind.

    Parameters
    ----------
    tag_frame
        The result of :meth:`TagEngine.apply`.
    user_id
        The user, a label of ``tag_frame``'s index.
    catalog
        :meth:`TagEngine.catalog`, for each tag's ``kind`` and ``description``.

    Returns
    -------
    pandas.DataFrame
        The tags the user has (index ``tag``), with ``kind`` and
        ``description`` when ``catalog`` is given, ordered by kind
        (:data:`TAG_KINDS` order) then as in the tag table; no rows when the
        user has no tag.

    Raises
    ------
    DataError
        The user is not in the table.

    Examples
    --------
    >>> import pandas as pd
    >>> engine = TagEngine([Tag("big", "behavioural", lambda f: f["spend"] > 100, "spends"),
    ...                     Tag("young", "descriptive", lambda f: f["age"] < 25, "under 25")])
    >>> tags = engine.apply(pd.DataFrame({"spend": [500, 20], "age": [22, 40]}, index=[7, 8]))
    >>> profile(tags, 7, catalog=engine.catalog())  # doctest: +NORMALIZE_WHITESPACE
                  kind description
    tag
    young  descriptive    under 25
    big    behavioural      spends
    """
    tf = _tag_frame(tag_frame)
    if user_id not in tf.index:
        raise DataError(f"user {user_id!r} is not in the tag table", table="tag_frame",
                        column=tf.index.name or "index",
                        fix="pass an id of the table's index")
    row = tf.loc[user_id]
    if isinstance(row, pd.DataFrame):
        raise DataError(f"user {user_id!r} appears more than once", table="tag_frame",
                        column=tf.index.name or "index",
                        fix="one row per user: build the features once per user")
    cat = _catalog(catalog, tf)
    has = [c for c in tf.columns if bool(row[c])]
    if cat is None:
        return pd.DataFrame(index=pd.Index(has, name="tag", dtype=object))
    kinds = [cat.loc[c, "kind"] for c in has]
    order = {k: i for i, k in enumerate(TAG_KINDS)}
    pos = sorted(range(len(has)), key=lambda i: (order.get(kinds[i], len(order)), i))
    return pd.DataFrame(
        {"kind": [kinds[i] for i in pos],
         "description": [cat.loc[has[i], "description"] for i in pos]},
        index=pd.Index([has[i] for i in pos], name="tag", dtype=object),
    )


def tgi(tag_frame: pd.DataFrame, target: pd.Series | np.ndarray, *,
        catalog: pd.DataFrame | None = None) -> pd.DataFrame:
    """TGI (target group index) of every tag for a target group against all users.

    .. math:: \\mathrm{TGI} = \\frac{\\text{share of the target group with the tag}}
              {\\text{share of all users with the tag}} \\times 100

    100 means the tag is as common in the target group as among all users;
    above 100 it is over-represented (a TGI of 150: half as common again),
    below 100 under-represented. A TGI resting on a handful of users is
    noise: read it with the counts beside it.

    Parameters
    ----------
    tag_frame
        The result of :meth:`TagEngine.apply` (all users).
    target
        Who is in the target group: a boolean Series indexed by user (every
        user of ``tag_frame`` must be in it) or a boolean array in the order
        of ``tag_frame``'s rows.
    catalog
        :meth:`TagEngine.catalog`, to add each tag's ``kind``.

    Returns
    -------
    pandas.DataFrame
        One row per tag (index ``tag``): [``kind``,] ``target_users`` (target
        users with the tag), ``target_share`` (of the target group),
        ``all_users``, ``all_share`` (of all users) and ``tgi`` (NaN when no
        user has the tag).

    Raises
    ------
    DataError
        A target that is not boolean, does not cover the users, or is empty.

    Examples
    --------
    Ten users, four in the target group; tag ``a`` is held by 3 of the 4
    targets and by 5 of the 10 users: TGI = (3/4) / (5/10) x 100 = 150.

    >>> import pandas as pd
    >>> tags = pd.DataFrame({"a": [True, True, True, False] + [True, True] + [False] * 4})
    >>> target = pd.Series([True] * 4 + [False] * 6)
    >>> out = tgi(tags, target)
    >>> out[["target_users", "target_share", "all_users", "all_share", "tgi"]].round(3)
    ... # doctest: +NORMALIZE_WHITESPACE
         target_users  target_share  all_users  all_share    tgi
    tag
    a               3          0.75          5        0.5  150.0
    """
    tf = _tag_frame(tag_frame)
    if isinstance(target, pd.Series):
        if not pd.api.types.is_bool_dtype(target.dtype) or target.isna().any():
            raise DataError("the target must be booleans without missing values",
                            table="target", column=target.name or "target",
                            fix="e.g. target = rfm_table['segment'] == '重要价值客户'")
        aligned = target.reindex(tf.index)
        if aligned.isna().any() or not target.index.is_unique:
            missing = tf.index[aligned.isna().to_numpy()]
            raise DataError(
                f"{len(missing):,} user(s) of the tag table are not in the target "
                "(or the target repeats users)",
                table="target",
                column=target.name or "target",
                rows=pd.DataFrame({"user": missing[:5]}),
                fix="build the target on the same users, e.g. "
                "target.reindex(tag_frame.index, fill_value=False)",
            )
        mask = aligned.to_numpy(dtype=bool)
    else:
        mask = np.asarray(target)
        if mask.dtype != bool or mask.shape != (len(tf),):
            raise DataError(
                f"the target must be {len(tf)} booleans, got {mask.dtype} of shape {mask.shape}",
                table="target", column="target",
                fix="pass a Series of True/False indexed like the tag table",
            )
    n_target = int(mask.sum())
    if n_target == 0:
        raise DataError("the target group is empty", table="target", column="target",
                        fix="check the condition that selects the target group")
    values = tf.to_numpy(dtype=bool)
    t_users = values[mask].sum(axis=0)
    a_users = values.sum(axis=0)
    t_share = t_users / n_target
    a_share = a_users / len(tf)
    with np.errstate(divide="ignore", invalid="ignore"):
        index = np.where(a_users > 0, t_share / a_share * 100, np.nan)
    out = pd.DataFrame(
        {"target_users": t_users, "target_share": t_share,
         "all_users": a_users, "all_share": a_share, "tgi": index},
        index=pd.Index(tf.columns, name="tag"),
    )
    return _with_kind(out, _catalog(catalog, tf))


# --------------------------------------------------------------------------- features

_USER_COLUMNS = ("channel", "city_tier", "age_band", "gender", "device")
_EVENT_COUNTS = {"view": "views", "search": "searches", "add_to_cart": "carts",
                 "share": "shares", "invite": "invites"}


def user_features(
    users: pd.DataFrame,
    orders: pd.DataFrame,
    events: pd.DataFrame,
    *,
    asof: object = None,
    customer: str = "user_id",
    at: str = "order_time",
    amount: str = "amount",
    discount: str | None = "discount",
    event_at: str = "event_time",
    event_type: str = "event_type",
    session: str = "session_id",
    signup_at: str | None = "signup_time",
    order_items: pd.DataFrame | None = None,
    products: pd.DataFrame | None = None,
    order_key: str = "order_id",
    product: str = "product_id",
    category: str = "category",
) -> pd.DataFrame:
    """A small per-user feature table to build tags from.

    Every user of ``users`` who signed up before ``asof`` gets one row, from
    the orders and events before ``asof``:

    - who (copied from ``users`` when present): ``channel``, ``city_tier``,
      ``age_band``, ``gender``, ``device``; ``tenure_days`` (calendar days
      since sign-up, when ``users`` has ``signup_at``);
    - buying: ``orders``, ``spend``, ``avg_order_value`` (NaN without
      orders), ``recency_days`` (calendar days since the last order, NaN
      without orders), ``coupon_orders`` and ``coupon_share`` (orders with a
      ``discount`` above 0, and their share of the orders; NaN when there is
      no discount column or no order);
    - using the app: ``sessions``, ``active_days`` (distinct days with an
      event), ``days_since_active``, ``weekend_share`` and
      ``late_night_share`` (shares of the sessions starting on Saturday or
      Sunday, and between 22:00 and 05:59; NaN without sessions), counts of
      ``views``, ``searches``, ``carts`` (add to cart), ``shares``,
      ``invites``;
    - ``favourite_category``: the category the user spent most on (ties: the
      first in the category order), when ``order_items`` and ``products``
      are given; else NaN.

    Parameters
    ----------
    users, orders, events
        The course tables (or tables with the same columns); every customer
        of ``orders`` and ``events`` must be in ``users``.
    asof
        The moment described; later rows are ignored. Default: midnight
        after the last day of orders or events.
    customer
        Name of the user-id column in all the tables (for the course data:
        ``"user_id"``).
    at, amount, discount
        Order time, amount and discount columns of ``orders``; ``discount=None``
        (or a table without that column) skips coupon use.
    event_at, event_type, session
        Event time, type and session-id columns of ``events``.
    signup_at
        Sign-up time column of ``users`` (None: no tenure, and every user is kept).
    order_items, products, order_key, product, category
        Optional order lines (``order_key``, ``product``, ``amount``) and
        catalogue (``product``, ``category``) for the favourite category.

    Returns
    -------
    pandas.DataFrame
        Index: user id (sorted), one row per user; the columns above.

    Raises
    ------
    DataError
        Bad input in any table (named with its column), orders or events of
        users missing from ``users``, ``asof`` not after the first row.

    Examples
    --------
    >>> import pandas as pd
    >>> users = pd.DataFrame({"user_id": [1, 2], "city_tier": ["1", "3"]})
    >>> orders = pd.DataFrame({"user_id": [1, 1], "order_time": pd.to_datetime(
    ...     ["2025-06-07 10:00", "2025-06-20 23:00"]), "amount": [80.0, 40.0],
    ...     "discount": [10.0, 0.0]})
    >>> events = pd.DataFrame({"user_id": [1, 1, 2], "session_id": [1, 2, 3],
    ...     "event_time": pd.to_datetime(["2025-06-07 09:55", "2025-06-20 22:50",
    ...                                   "2025-06-21 12:00"]),
    ...     "event_type": ["view", "view", "search"]})
    >>> f = user_features(users, orders, events)
    >>> f[["orders", "spend", "recency_days", "coupon_share"]]  # doctest: +NORMALIZE_WHITESPACE
             orders  spend  recency_days  coupon_share
    user_id
    1             2  120.0           2.0           0.5
    2             0    0.0           NaN           NaN
    >>> f[["sessions", "weekend_share", "late_night_share"]]  # doctest: +NORMALIZE_WHITESPACE
             sessions  weekend_share  late_night_share
    user_id
    1               2            0.5               0.5
    2               1            1.0               0.0
    """
    u = columns(users, "users", ids=[customer],
                times=[signup_at] if signup_at is not None and signup_at in users.columns
                else [])
    use_discount = discount is not None and isinstance(orders, pd.DataFrame) and (
        discount in orders.columns)
    o = columns(orders, "orders", ids=[customer], times=[at],
                amounts=[amount, discount] if use_discount else [amount], allow_empty=True)
    if order_key is not None and order_key in orders.columns:
        unique_key(orders, "orders", order_key)  # a repeated order would count twice
    e = columns(events, "events", ids=[customer, session], times=[event_at], allow_empty=True)
    kinds = _labels_column(events, "events", event_type)
    if not u[customer].is_unique:
        dup = u[customer].duplicated()
        raise DataError("users appear more than once", table="users", column=customer,
                        rows=users.loc[dup.to_numpy(), [customer]].head(5),
                        fix="keep one row per user")
    if len(o) + len(e) == 0:
        raise DataError("no orders and no events", table="orders",
                        fix="pass the orders and events of these users")
    latest = max(x for x in (o[at].max(), e[event_at].max()) if x is not pd.NaT)
    earliest = min(x for x in (o[at].min(), e[event_at].min()) if x is not pd.NaT)
    when = _asof(asof, latest, earliest, "orders")
    when_ns = _ts_ns(when)
    day_asof = _day_number(when)

    ids = pd.Index(u[customer].to_numpy())
    order = None
    if not ids.is_monotonic_increasing:
        try:
            order = np.argsort(ids.to_numpy(), kind="stable")
        except TypeError:  # ids of mixed types: keep the table's order
            order = None
        if order is not None:
            ids = ids[order]
    has_signup = signup_at is not None and signup_at in u.columns
    signup_ok = np.ones(len(ids), dtype=bool)
    if has_signup:
        signup = _ns(u[signup_at])
        signup = signup[order] if order is not None else signup
        signup_ok = signup < when_ns

    def locate(values: np.ndarray, table: str) -> np.ndarray:
        pos = ids.get_indexer(values)
        if (pos < 0).any():
            missing = pd.Index(values[pos < 0]).unique()
            raise DataError(
                f"{len(missing):,} user(s) of {table} are not in users",
                table=table,
                column=customer,
                rows=pd.DataFrame({customer: missing[:5]}),
                fix=f"users must list every user of {table} (check the id column's type)",
            )
        return pos

    n = len(ids)
    o_time = _ns(o[at])
    om = o_time < when_ns
    o_pos = locate(o[customer].to_numpy(), "orders")
    o_sel = o_pos[om]
    n_orders = np.bincount(o_sel, minlength=n).astype(np.int64)
    spend = np.bincount(o_sel, weights=o[amount].to_numpy()[om], minlength=n)
    last = np.full(n, _MIN_I8, dtype=np.int64)
    np.maximum.at(last, o_sel, o_time[om])
    bought = n_orders > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        aov = np.where(bought, spend / np.maximum(n_orders, 1), np.nan)
    recency = np.where(bought, day_asof - _day_numbers(last.view("datetime64[ns]")), np.nan)
    if use_discount:
        with_coupon = (o[discount].to_numpy() > 0)[om]
        coupon_orders = np.bincount(o_sel[with_coupon], minlength=n).astype(np.float64)
        coupon_share = np.where(bought, coupon_orders / np.maximum(n_orders, 1), np.nan)
    else:
        coupon_orders = np.full(n, np.nan)
        coupon_share = np.full(n, np.nan)

    e_time = _ns(e[event_at])
    em = e_time < when_ns
    e_pos = locate(e[customer].to_numpy(), "events")[em]
    e_time = e_time[em]
    s_code, _ = _codes(e[session].to_numpy()[em])
    n_sess = int(s_code.max()) + 1 if len(s_code) else 0
    s_start = np.full(n_sess, _MAX_I8, dtype=np.int64)
    np.minimum.at(s_start, s_code, e_time)
    s_user = np.zeros(n_sess, dtype=np.int64)
    s_user[s_code] = e_pos
    sessions = np.bincount(s_user, minlength=n).astype(np.int64)
    start = s_start.view("datetime64[ns]")
    s_day = _day_numbers(start)
    weekday = (s_day + 3) % 7  # 1970-01-01 was a Thursday; 0 = Monday
    hour = (s_start // (3600 * 10**9)) % 24
    weekend = np.bincount(s_user, weights=(weekday >= 5).astype(np.float64), minlength=n)
    night = np.bincount(s_user, weights=((hour >= 22) | (hour < 6)).astype(np.float64),
                        minlength=n)
    with np.errstate(divide="ignore", invalid="ignore"):
        weekend_share = np.where(sessions > 0, weekend / np.maximum(sessions, 1), np.nan)
        night_share = np.where(sessions > 0, night / np.maximum(sessions, 1), np.nan)
    e_day = _day_numbers(e_time.view("datetime64[ns]"))
    if len(e_day):
        lo_day = int(e_day.min())
        width = int(e_day.max()) - lo_day + 1
        pairs = distinct(e_pos * width + (e_day - lo_day))
        active_days = np.bincount(pairs // width, minlength=n).astype(np.int64)
    else:
        active_days = np.zeros(n, dtype=np.int64)
    last_e = np.full(n, _MIN_I8, dtype=np.int64)
    np.maximum.at(last_e, e_pos, e_time)
    since_active = np.where(last_e > _MIN_I8,
                            day_asof - _day_numbers(np.maximum(last_e, 0).view("datetime64[ns]")),
                            np.nan)
    type_codes, type_labels = pd.factorize(kinds.to_numpy()[em])
    counts = {}
    for label, name in _EVENT_COUNTS.items():
        hit = np.flatnonzero(np.asarray(type_labels, dtype=object) == label)
        sel = type_codes == hit[0] if len(hit) else np.zeros(len(type_codes), dtype=bool)
        counts[name] = np.bincount(e_pos[sel], minlength=n).astype(np.int64)

    out = pd.DataFrame(index=ids.rename(customer))
    for c in _USER_COLUMNS:
        if c in users.columns:
            values = users[c].to_numpy() if order is None else users[c].to_numpy()[order]
            out[c] = pd.Series(values, index=out.index, dtype=users[c].dtype)
    if has_signup:
        out["tenure_days"] = day_asof - _day_numbers(signup.view("datetime64[ns]"))
    out["orders"] = n_orders
    out["spend"] = np.round(spend, 6)
    out["avg_order_value"] = aov
    out["recency_days"] = recency
    out["coupon_orders"] = coupon_orders
    out["coupon_share"] = coupon_share
    out["sessions"] = sessions
    out["active_days"] = active_days
    out["days_since_active"] = since_active
    out["weekend_share"] = weekend_share
    out["late_night_share"] = night_share
    for name, values in counts.items():
        out[name] = values
    out["favourite_category"] = _favourite(
        order_items, products, o, om, o_pos, n, order_id=order_key, product=product,
        category=category, amount=amount, orders_table=orders)
    return out[signup_ok]


def _favourite(
    order_items: pd.DataFrame | None,
    products: pd.DataFrame | None,
    o: pd.DataFrame,
    om: np.ndarray,
    o_pos: np.ndarray,
    n: int,
    *,
    order_id: str,
    product: str,
    category: str,
    amount: str,
    orders_table: pd.DataFrame,
) -> pd.Categorical | np.ndarray:
    if order_items is None or products is None:
        return np.full(n, np.nan, dtype=object)
    oid = columns(orders_table, "orders", ids=[order_id])[order_id]
    items = columns(order_items, "order_items", ids=[order_id, product], amounts=[amount])
    prod = columns(products, "products", ids=[product])
    cats = pd.Categorical(_labels_column(products, "products", category))
    if not prod[product].is_unique:
        raise DataError("products appear more than once", table="products", column=product,
                        fix="one row per product: products.drop_duplicates(subset=[product])")
    row_of_order = pd.Index(oid.to_numpy()[om])
    if not row_of_order.is_unique:
        raise DataError("orders appear more than once", table="orders", column=order_id,
                        fix="one row per order: find why they repeat (a join?)")
    user_of_order = o_pos[om]
    pos = row_of_order.get_indexer(items[order_id].to_numpy())
    p_pos = pd.Index(prod[product].to_numpy()).get_indexer(items[product].to_numpy())
    if (p_pos < 0).any():
        missing = items[product][p_pos < 0].unique()[:5]
        raise DataError("order lines with products missing from products", table="order_items",
                        column=product, rows=pd.DataFrame({product: missing}))
    keep = pos >= 0  # lines of orders before asof (and of known orders)
    k = len(cats.categories)
    user = user_of_order[pos[keep]]
    cat = cats.codes[p_pos[keep]].astype(np.int64)
    spend = np.bincount(user * k + cat, weights=items[amount].to_numpy()[keep],
                        minlength=n * k).reshape(n, k)
    best = spend.argmax(axis=1)
    codes = np.where(spend.max(axis=1) > 0, best, -1)
    return pd.Categorical.from_codes(codes, categories=cats.categories)


def default_tags() -> list[Tag]:
    """Seventeen tags over the columns of :func:`user_features`, in the four kinds.

    Thresholds written as percentiles (top 10 % of spend, top quarter of
    order value) are taken among the buyers of the feature table given, so
    they adapt to the world and the date; the others are fixed. Shares of
    sessions need at least three sessions, so that one visit does not make
    a habit.

    Examples
    --------
    >>> tags = default_tags()
    >>> len(tags), sorted({t.kind for t in tags})
    (17, ['attitudinal', 'behavioural', 'descriptive', 'scenario'])
    """

    def eq(col: str, value: str) -> Callable[[pd.DataFrame], pd.Series]:
        return lambda f: (f[col].astype(object) == value).fillna(False).astype(bool)

    def top(col: str, q: float) -> Callable[[pd.DataFrame], pd.Series]:
        def rule(f: pd.DataFrame) -> pd.Series:
            buyers = f.loc[f["orders"] > 0, col]
            if buyers.empty:
                return pd.Series(False, index=f.index)
            return (f["orders"] > 0) & (f[col] >= buyers.quantile(q))
        return rule

    def habit(col: str, share: float) -> Callable[[pd.DataFrame], pd.Series]:
        return lambda f: (f["sessions"] >= 3) & (f[col].fillna(0) >= share)

    return [
        Tag("tier1_city", "descriptive", eq("city_tier", "1"), "一线城市: lives in a tier-1 city"),
        Tag("gen_z", "descriptive", eq("age_band", "18-24"), "Z世代: aged 18-24"),
        Tag("female", "descriptive", eq("gender", "female"), "女性: female"),
        Tag("referred", "descriptive", eq("channel", "referral"),
            "老带新: came through a friend's invitation"),
        Tag("weekend_shopper", "scenario", habit("weekend_share", 0.5),
            "周末用户: half or more of their sessions on Saturday or Sunday (3+ sessions)"),
        Tag("night_owl", "scenario", habit("late_night_share", 0.4),
            "夜猫子: 40% or more of their sessions start between 22:00 and 06:00 (3+ sessions)"),
        Tag("wechat_native", "scenario", eq("device", "mini_program"),
            "小程序用户: uses the shop inside WeChat"),
        Tag("deal_seeker", "attitudinal", lambda f: f["coupon_orders"].fillna(0) >= 1,
            "价格敏感: used a campaign coupon at least once"),
        Tag("premium_taste", "attitudinal", top("avg_order_value", 0.75),
            "品质型: average order value in the top quarter of buyers"),
        Tag("gifter", "attitudinal", eq("favourite_category", "gift_box"),
            "送礼型: spends most on gift boxes"),
        Tag("advocate", "attitudinal", lambda f: (f["shares"] + f["invites"]) >= 2,
            "品牌拥护者: shared or invited friends twice or more"),
        Tag("repeat_buyer", "behavioural", lambda f: f["orders"] >= 2,
            "复购用户: two orders or more"),
        Tag("big_spender", "behavioural", top("spend", 0.9),
            "高消费: total spend in the top 10% of buyers"),
        Tag("recent_buyer", "behavioural", lambda f: f["recency_days"].fillna(np.inf) <= 30,
            "近期购买: ordered in the last 30 days"),
        Tag("lapsing_buyer", "behavioural",
            lambda f: (f["orders"] > 0) & (f["recency_days"].fillna(0) > 90),
            "沉睡风险: bought before, but not in the last 90 days"),
        Tag("browser_not_buyer", "behavioural",
            lambda f: (f["sessions"] >= 3) & (f["orders"] == 0),
            "只逛不买: three sessions or more, never ordered"),
        Tag("cart_abandoner", "behavioural", lambda f: (f["carts"] >= 1) & (f["orders"] == 0),
            "加购未买: added to cart, never ordered"),
    ]
