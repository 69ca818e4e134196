"""The KPI table: one row per period with the course's KPIs, composed from the public metrics."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from numbers import Real

import numpy as np
import pandas as pd

from coursekit._arrays import positions as _lookup
from coursekit._periods import PERIODS
from coursekit._periods import Axis as _Axis
from coursekit._periods import ordinals as _ordinals
from coursekit._periods import ratio as _ratio
from coursekit.cohorts import day_n_retention
from coursekit.errors import ArgumentError, DataError
from coursekit.inputs import choice as _check_flags
from coursekit.inputs import columns
from coursekit.metrics._shared import (
    _BASES,
    _conversion,
    _Daily,
    _first_orders,
    _not_before_signup,
    _period_needed,
    _signed_up_by,
    _users_table,
    _whole_number,
    _window,
)
from coursekit.metrics.acquisition import cac

__all__ = ["KPI_COLUMNS", "kpi_table"]


#: What each column of :func:`kpi_table` is (English, 中文, formula).
KPI_COLUMNS: dict[str, str] = {
    "new_users": "new users (新增用户): sign-ups in the period",
    "users": "users (累计用户): signed up by the end of the period",
    "user_growth_rate": "user growth rate (用户增长率): new users / users at the end of the "
    "previous period",
    "mau": "monthly active users (月活, MAU): distinct users with an event in the period",
    "active_rate": "active rate (活跃率): MAU / users",
    "dau": "daily active users (日活, DAU): mean over the period's days of distinct users "
    "with an event that day",
    "stickiness": "stickiness (粘性, DAU/MAU): mean over the period's days of DAU / MAU in "
    "the trailing window ending that day",
    "first_purchase_conversion": "first-purchase conversion (首单转化率): share of the "
    "period's sign-ups whose first order came within `within` days of signing up",
    "buyers": "buyers (购买用户): distinct users with an order in the period",
    "orders": "orders (订单数)",
    "revenue": "revenue (收入, GMV after discounts)",
    "arpu": "ARPU (每用户平均收入): revenue / users signed up by the end of the period",
    "arppu": "ARPPU (每付费用户平均收入): revenue / buyers with a paid order; NOT ARPU",
    "average_purchase_count": "average purchase count (人均购买次数): orders / buyers",
    "spend": "acquisition spend (投放花费) of the channel_spend table",
    "paid_new_users": "new users from the channels of the spend table (付费渠道新增)",
    "cac": "CAC (获客成本): spend / paid_new_users",
    "day1_retention": "day-1 retention (次日留存) of the period's sign-ups",
    "day7_retention": "day-7 retention (7日留存) of the period's sign-ups",
}


def _retention_days(days: object) -> list[int]:
    values = list(days) if isinstance(days, Iterable) and not isinstance(days, str | bytes) \
        else [days]
    for n in values:
        _whole_number(n, "retention_days", minimum=1, fix="e.g. retention_days=(1, 7)")
    if len(set(values)) != len(values):
        raise ArgumentError(f"retention_days repeats a day: {values}",
                            name="retention_days", fix="e.g. retention_days=(1, 7)")
    return [int(n) for n in values]  # type: ignore[call-overload]


def _target_frame(targets: object, table: pd.DataFrame, freq: str) -> pd.DataFrame:
    """Targets as a frame on the table's periods (NaN: no target that period)."""
    fix = ("give {'mau': 5000, 'active_rate': 0.3} (one value for every period) or a "
           "DataFrame with one row per period ('2025-01', ...) and one column per KPI")
    if isinstance(targets, pd.Series):
        targets = targets.to_dict()
    if isinstance(targets, Mapping):
        bad = {k: v for k, v in targets.items()
               if isinstance(v, bool) or not isinstance(v, Real) or not np.isfinite(float(v))}
        if bad:
            raise DataError(f"targets must be finite numbers, got {bad}", table="targets",
                            column=[str(k) for k in bad], fix=fix)
        frame = pd.DataFrame({k: np.full(len(table), float(v)) for k, v in targets.items()},
                             index=table.index)
    elif isinstance(targets, pd.DataFrame):
        labels = targets.index
        try:
            if isinstance(labels, pd.PeriodIndex):
                periods = labels
            elif isinstance(labels, pd.DatetimeIndex):
                periods = labels.to_period(PERIODS[freq])
            else:
                periods = pd.PeriodIndex(labels.astype(str), freq=PERIODS[freq])
        except (TypeError, ValueError):
            raise DataError("cannot read the index of targets as periods", table="targets",
                            rows=targets.head(5), fix=fix) from None
        if periods.freq != table.index.freq or not periods.is_unique:
            raise DataError(
                f"the index of targets must hold each {PERIODS[freq]} period once, got "
                f"{periods.freqstr} periods" + ("" if periods.is_unique else ", repeated"),
                table="targets", rows=targets.head(5), fix=fix)
        outside = periods.difference(table.index)
        if len(outside):
            raise DataError(
                f"{len(outside)} target period(s) outside the data",
                table="targets",
                rows=pd.DataFrame({"period": outside[:5]}),
                fix="keep the periods of the KPI table (its index), or check the year",
            )
        for name in targets.columns:
            col = targets[name]
            if pd.api.types.is_bool_dtype(col.dtype) or not pd.api.types.is_numeric_dtype(
                    col.dtype) or np.isinf(col.to_numpy(dtype=np.float64, na_value=np.nan)).any():
                raise DataError("targets must be numbers (NaN: no target that period)",
                                table="targets", column=str(name), rows=targets[[name]].head(5),
                                fix=fix)
        frame = targets.set_axis(periods).reindex(table.index).astype(np.float64)
    else:
        raise DataError(f"targets must be a mapping or a DataFrame, got "
                        f"{type(targets).__name__}", table="targets", fix=fix)
    unknown = [str(k) for k in frame.columns if k not in table.columns]
    if unknown:
        raise DataError(f"targets for unknown KPI(s) {unknown}; the table has "
                        f"{list(table.columns)}", table="targets", column=unknown, fix=fix)
    out: dict[str, pd.Series] = {}
    for name in table.columns:
        out[name] = table[name]
        if name in frame.columns:
            out[f"{name}_target"] = frame[name]
    return pd.DataFrame(out, index=table.index)


def kpi_table(
    users: pd.DataFrame,
    orders: pd.DataFrame,
    events: pd.DataFrame,
    channel_spend: pd.DataFrame,
    *,
    per: str = "M",
    targets: Mapping[str, float] | pd.DataFrame | None = None,
    window_days: int = 30,
    conversion_days: int | None = 7,
    basis: str = "cohort",
    retention_days: Iterable[int] = (1, 7),
    customer: str = "user_id",
    signup_at: str = "signup_time",
    channel: str = "channel",
    order_at: str = "order_time",
    amount: str = "amount",
    event_at: str = "event_time",
    spend_at: str = "date",
    spend_amount: str = "spend",
) -> pd.DataFrame:
    """The KPI system (指标体系): every operating KPI of the course, one row per period.

    One call puts the KPIs of the whole funnel side by side, each computed
    with the one definition this module (or :mod:`coursekit.cohorts`) gives
    it, so that the monthly table and the single-KPI functions never
    disagree:

    ============================  ==================================================
    column                        definition (period :math:`p`)
    ============================  ==================================================
    ``new_users``                 sign-ups in :math:`p`
    ``users``                     users signed up by the end of :math:`p`
    ``user_growth_rate``          new_users / users at the end of :math:`p - 1`
                                  (:func:`user_growth_rate`)
    ``mau``                       distinct users with an event in :math:`p`
                                  (calendar period, :func:`mau`)
    ``active_rate``               mau / users (:func:`active_rate`)
    ``dau``                       mean daily active users over the days of :math:`p`
                                  (:func:`dau`)
    ``stickiness``                mean of daily DAU / trailing ``window_days``-day MAU
                                  (:func:`stickiness`)
    ``first_purchase_conversion`` sign-ups of :math:`p` who first bought within
                                  ``conversion_days`` days / those observed that long
                                  (:func:`first_purchase_conversion`, ``basis``)
    ``buyers``, ``orders``        distinct users with an order; orders
    ``revenue``                   sum of ``amount``
    ``arpu``                      revenue / users (:func:`arpu`, signed-up users)
    ``arppu``                     revenue / users with a paid order (:func:`arppu`):
                                  "revenue per buyer", which is **not** ARPU
    ``average_purchase_count``    orders / buyers (:func:`average_purchase_count`)
    ``spend_amount``, ``paid_new_users`` spend of ``channel_spend``; sign-ups through its
                                  channels (:func:`cac`)
    ``cac``                       spend / paid_new_users
    ``day1_retention`` ...        day-N retention of the sign-ups of :math:`p`, one
                                  column per ``retention_days``
                                  (:func:`coursekit.cohorts.day_n_retention`)
    ============================  ==================================================

    :data:`KPI_COLUMNS` holds these descriptions with the Chinese names.
    Periods run from the first to the last period of the three tables of
    users, orders and events; a KPI with nothing to divide by in a period is
    NaN there (``inf`` for money spent and nobody acquired), and periods
    outside the spend table have NaN spend and CAC. Retention and the
    cohort conversion count only users whose day N (or window) is observed,
    so the last periods rest on fewer users.

    Parameters
    ----------
    users
        One row per user: ``customer``, ``signup_at``, ``channel``.
    orders
        One row per order: ``customer``, ``order_at``, ``amount``.
    events
        One row per event: ``customer``, ``event_at`` (an event of any type
        makes the user active).
    channel_spend
        Acquisition spend: ``spend_at``, ``channel``, ``spend_amount``.
    per
        ``"D"``, ``"W"``, ``"M"`` (default), ``"Q"``, ``"Y"``.
    targets
        Optional targets: a mapping KPI column -> value (the same target for
        every period), or a DataFrame with one row per period (index: periods
        or labels such as ``"2025-01"``) and one column per KPI (NaN: no
        target that period). Each becomes a column ``<kpi>_target`` right
        after the KPI.
    window_days
        Trailing window of MAU for stickiness, in days.
    conversion_days
        Days after sign-up for the first purchase to count (default 7, the
        window of ``day7_retention``; ``None``: any time up to the end of the
        data, which makes recent months look worse). See
        :func:`first_purchase_conversion`.
    basis
        ``"cohort"`` (default) or ``"period"`` (then ``conversion_days`` must be
        ``None``), as in :func:`first_purchase_conversion`.
    retention_days
        The N of the day-N retention columns.
    customer, signup_at, channel
        User id column (in users, orders and events), sign-up time and
        channel columns of ``users``.
    order_at, amount
        Order time and amount columns.
    event_at
        Event time column.
    spend_at, spend_amount
        Date and spend columns of ``channel_spend`` (its channel column is
        ``channel`` too).

    Returns
    -------
    pandas.DataFrame
        Index ``period``; the columns above, with ``<kpi>_target`` columns
        when ``targets`` is given.

    Raises
    ------
    DataError
        Bad columns or no rows in any table; duplicate user ids; users of
        orders or events missing from ``users``; orders or events in a
        period before their user signed up; negative amounts or spend;
        ``window_days``, ``conversion_days``, ``retention_days``, ``basis`` or ``per`` not
        valid; targets for unknown KPIs, of periods outside the table, or not
        numbers.

    Examples
    --------
    >>> import pandas as pd
    >>> users = pd.DataFrame({"user_id": [1, 2, 3],
    ...     "signup_time": pd.to_datetime(["2025-01-02", "2025-01-03", "2025-02-01"]),
    ...     "channel": ["ads", "organic", "ads"]})
    >>> orders = pd.DataFrame({"user_id": [1, 1, 3],
    ...     "order_time": pd.to_datetime(["2025-01-02", "2025-02-03", "2025-02-01"]),
    ...     "amount": [40.0, 20.0, 30.0]})
    >>> events = pd.DataFrame({"user_id": [1, 2, 1, 3, 3],
    ...     "event_time": pd.to_datetime(["2025-01-02", "2025-01-03", "2025-02-03",
    ...                                   "2025-02-01", "2025-02-02"])})
    >>> spend = pd.DataFrame({"date": pd.to_datetime(["2025-01-01", "2025-02-01"]),
    ...     "channel": ["ads", "ads"], "spend": [50.0, 90.0]})
    >>> table = kpi_table(users, orders, events, spend, conversion_days=None, targets={"mau": 2})
    >>> table[["users", "mau", "mau_target", "active_rate"]]  # doctest: +NORMALIZE_WHITESPACE
             users  mau  mau_target  active_rate
    period
    2025-01      2    2         2.0     1.000000
    2025-02      3    2         2.0     0.666667
    >>> table[["arpu", "arppu", "cac", "day1_retention"]].round(2)
    ... # doctest: +NORMALIZE_WHITESPACE
              arpu  arppu   cac  day1_retention
    period
    2025-01  20.00   40.0  50.0             0.0
    2025-02  16.67   25.0  90.0             1.0
    """
    freq = _period_needed(per, "the KPI table")
    w = _window(window_days)
    _check_flags("basis", basis, _BASES)
    if conversion_days is not None:
        if basis == "period":
            raise ArgumentError("within= needs basis='cohort'", name="conversion_days",
                                fix="use basis='cohort' with within=, or within=None")
        conversion_days = _whole_number(conversion_days, "conversion_days", minimum=0,
                               fix="days after sign-up, e.g. within=7 (or None: any time)")
    ret_days = _retention_days(retention_days)

    u, ids = _users_table(users, customer, signup_at, [channel])
    n_users = len(ids)
    o = columns(orders, "orders", ids=[customer], times=[order_at], amounts=[amount])
    ev = columns(events, "events", ids=[customer], times=[event_at])
    pos_o = _lookup(ids, o[customer].to_numpy(), table="orders", other="users",
                    customer=customer)
    pos_e = _lookup(ids, ev[customer].to_numpy(), table="events", other="users",
                    customer=customer)
    signup_day = _ordinals(u[signup_at], "D")
    order_day = _ordinals(o[order_at], "D")
    event_day = _ordinals(ev[event_at], "D")
    sign_o = _ordinals(signup_day.astype("datetime64[D]"), freq)
    order_o = _ordinals(order_day.astype("datetime64[D]"), freq)
    event_o = _ordinals(event_day.astype("datetime64[D]"), freq)
    _not_before_signup(order_o, sign_o[pos_o], orders, "orders", customer, order_at)
    _not_before_signup(event_o, sign_o[pos_e], events, "events", customer, event_at)
    axis = _Axis.spanning(freq, sign_o, order_o, event_o)

    # users
    new = axis.count(sign_o)
    total = _signed_up_by(sign_o, axis)
    # engagement
    active = axis.distinct(pos_e, n_users, event_o)
    daily = _Daily(pos_e, n_users, event_day, w)
    engaged = daily.by_period(axis, daily.ordinals(freq))
    # conversion
    first, end = _first_orders(signup_day, pos_o, order_day, orders, customer, order_at)
    conversion = _conversion(signup_day, first, end, conversion_days, basis, freq, axis)[1][-1]
    # orders and revenue
    money = o[amount].to_numpy()
    paid = money > 0
    revenue = axis.count(order_o, money)
    n_orders = axis.count(order_o)
    buyers = axis.distinct(pos_o, n_users, order_o)
    paying = axis.distinct(pos_o[paid], n_users, order_o[paid])
    # acquisition cost: cac() by channel, summed over the channels of the spend table
    by_channel = cac(channel_spend, users, per=freq, channel=channel, at=spend_at,
                     amount=spend_amount, signup_at=signup_at)
    sums = by_channel[["spend", "new_users"]].groupby(level=0, sort=False).sum()
    sums = sums.reindex(axis.index)
    money_spent = sums["spend"].to_numpy(dtype=np.float64, na_value=np.nan)
    paid_new = sums["new_users"].to_numpy(dtype=np.float64, na_value=np.nan)

    data: dict[str, object] = {
        "new_users": new,
        "users": total,
        "user_growth_rate": _ratio(new, total - new),
        "mau": active,
        "active_rate": _ratio(active, total),
        "dau": engaged["dau"],
        "stickiness": engaged["stickiness"],
        "first_purchase_conversion": conversion,
        "buyers": buyers,
        "orders": n_orders.astype(np.int64),
        "revenue": revenue,
        "arpu": _ratio(revenue, total),
        "arppu": _ratio(revenue, paying),
        "average_purchase_count": _ratio(n_orders, buyers),
        "spend": money_spent,
        "paid_new_users": paid_new,
        "cac": _ratio(money_spent, paid_new),
    }
    # day-N retention of each period's sign-ups: cohorts.day_n_retention by sign-up period
    starts = pd.DataFrame({customer: u[customer].to_numpy(),
                           signup_at: u[signup_at].to_numpy(), "cohort": sign_o})
    kept = day_n_retention(events, customer=customer, at=event_at, start=starts,
                           start_at=signup_at, days=ret_days, by="cohort")
    rows = kept.index.get_level_values(0).to_numpy(dtype=np.int64) - axis.lo
    day_of = kept.index.get_level_values(1).to_numpy()
    rates = kept["rate"].to_numpy()
    for n in ret_days:
        col = np.full(axis.n, np.nan)
        hit = day_of == n
        col[rows[hit]] = rates[hit]
        data[f"day{n}_retention"] = col
    table = pd.DataFrame(data, index=axis.index)
    if targets is not None:
        table = _target_frame(targets, table, freq)
    return table
