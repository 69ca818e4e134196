"""Member tiers from points: points in a trailing window, tiers by cutoffs, and the
upgrades and downgrades from one date to the next."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from coursekit.errors import ArgumentError, DataError
from coursekit.inputs import columns, timestamp
from coursekit.schema import MEMBER_TIER_CUTOFFS
from coursekit.segments._shared import _MAX_I8, _MIN_I8, _asof, _codes, _labels_column, _ns, _ts_ns

__all__ = [
    "TIERS",
    "TIER_NAMES_ZH",
    "TIER_WEIGHTS",
    "TIER_CUTOFFS",
    "tier_points",
    "assign_tiers",
    "tier_cutoffs",
    "transition_matrix",
    "TierTransitions",
    "tier_transitions",
]


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
        if v < 0:
            raise ArgumentError(f"weight of {k!r} is negative ({v!r}): points would fall as "
                                "customers do more", name="weights",
                                fix="give weights of 0 or more")
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
