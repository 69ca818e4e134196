"""RFM: recency, frequency and monetary value, the eight segments and their actions."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import numpy as np
import pandas as pd

from coursekit.errors import ArgumentError, DataError
from coursekit.inputs import columns, flag
from coursekit.segments._shared import _MIN_I8, _asof, _day_number, _day_numbers

__all__ = ["SEGMENTS", "SEGMENTS_EN", "RFM_SEGMENTS", "rfm", "segment_summary"]


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


def _flag(name: str, value: object, allowed: Iterable[object]) -> None:
    allowed = tuple(allowed)
    if not isinstance(value, str) or value not in allowed:
        raise ArgumentError(
            f"unknown {name} {value!r}",
            name=name,
            fix=f"use one of {list(allowed)}",
        )


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


_SEGMENT_CODES = ["111", "101", "011", "001", "110", "100", "010", "000"]


_SEGMENT_OF_CODE = np.empty(8, dtype=np.int8)
for _i, _c in enumerate(_SEGMENT_CODES):
    _SEGMENT_OF_CODE[int(_c, 2)] = _i
del _i, _c


_ACTIONS = [
    "Protect: priority service, early access to new products, member rights; "
    "no blanket discounts: most would pay for orders that come anyway (test first)",
    "Raise frequency: they spend a lot but rarely; membership, repurchase reminders "
    "timed to their cycle, cross-sell",
    "Re-engage before they go: personal contact (WeCom, the store), ask what changed; "
    "an offer only where a test shows it adds orders",
    "Win back by the usual-gap rule (lesson 5c); silent 180+ days: low-cost "
    "reactivation, a coupon only as a test arm",
    "Grow the basket: frequent but small orders; bundles, spend-over thresholds (满减), "
    "upgrades",
    "Nurture cheaply: one recent small order; onboarding, and a second-order coupon "
    "tested on a random half",
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
    if flag("quintiles", quintiles):
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
