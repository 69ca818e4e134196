"""KPI formulas: one definition per metric, the formula in its docstring.

Every function takes plain tables whose column names default to the course
tables' own and returns a DataFrame: the metric and the numbers it is made
of (``revenue``, ``users``, ...) as columns, with one row per calendar period
for ``per="M"`` (``"D"``, ``"W"``, ``"Q"``, ``"Y"``; index ``period``, every
period from the first to the last of the data, empty ones included), or one
row labelled ``"all"`` for the whole span with ``per=None``
(``arpu(orders, users, per=None).loc["all", "arpu"]`` is the number).

Revenue per user
    :func:`arpu` (revenue / users), :func:`arppu` (revenue / paying users).
Orders
    :func:`average_order_value`, :func:`repurchase_rate`,
    :func:`average_purchase_count` (orders / buyers).
Acquisition and value
    :func:`cac` (spend / new users, by channel), :func:`ltv_simple` (the
    textbook ARPU x margin / churn), :func:`payback_periods` (from an LTV
    curve of :func:`coursekit.cohorts.ltv_curves`), :func:`roi` (LTV / CAC).
Users and engagement (module 6)
    :func:`user_growth_rate` (new users / users before), :func:`dau` (daily
    active users), :func:`mau` (distinct users in a trailing window of days,
    or in a calendar month), :func:`stickiness` (DAU / MAU),
    :func:`active_rate` (active users / signed-up users),
    :func:`first_purchase_conversion` (new users who become buyers).
    *Active* means at least one row in the activity table (e.g. ``events``)
    that day or period. MAU is counted in a trailing window whose length is
    always stated (``window=30`` days by default; some teams use 28, four
    whole weeks): on the first ``window - 1`` days of the data the window is
    not fully observed, and MAU is NaN there rather than an undercount.
The KPI system (指标体系)
    :func:`kpi_table`: every KPI above for every month (or week ...) side by
    side, from the four course tables, with targets beside the actuals when
    given; :data:`KPI_COLUMNS` says what each column is.

A denominator of zero is never turned into a number: a whole-table metric
with nobody to divide by raises :class:`~coursekit.errors.DataError`, and a
period with nobody to divide by shows NaN (0 / 0) or ``inf`` (money spent,
nobody acquired), with the counts beside it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from numbers import Real

import numpy as np
import pandas as pd

from coursekit._arrays import codes as _factorize
from coursekit._arrays import distinct, distinct_first
from coursekit._arrays import positions as _lookup
from coursekit._periods import PERIODS
from coursekit._periods import Axis as _Axis
from coursekit._periods import freq as _freq
from coursekit._periods import ordinals as _ordinals
from coursekit._periods import ratio as _ratio
from coursekit.cohorts import day_n_retention
from coursekit.errors import ArgumentError, DataError
from coursekit.inputs import choice as _check_flags
from coursekit.inputs import columns

__all__ = [
    "arpu",
    "arppu",
    "average_order_value",
    "repurchase_rate",
    "cac",
    "ltv_simple",
    "payback_periods",
    "roi",
    "dau",
    "mau",
    "stickiness",
    "user_growth_rate",
    "active_rate",
    "first_purchase_conversion",
    "average_purchase_count",
    "kpi_table",
    "KPI_COLUMNS",
]

_DENOMINATORS = ("signed_up", "active")


# --------------------------------------------------------------------------- helpers


WHOLE = "all"
"""Index label of the one row a metric returns with ``per=None`` (the whole span)."""


def _result(names: list[str], values: list[object], axis: _Axis | None) -> pd.DataFrame:
    """The metric's table: one row per period, or one row labelled ``"all"`` (``per=None``)."""
    if axis is None:
        return pd.DataFrame({n: [float(v)] for n, v in zip(names, values, strict=True)},
                            index=pd.Index([WHOLE], name="period"))
    return pd.DataFrame(dict(zip(names, values, strict=True)), index=axis.index)


def _nobody(what: str, table: str, fix: str) -> DataError:
    return DataError(f"no {what} to divide by", table=table, fix=fix)


def _orders(orders: pd.DataFrame, customer: str | None, at: str, amount: str | None,
            per: str | None) -> tuple[pd.DataFrame, str | None, np.ndarray | None]:
    cols = columns(orders, "orders", ids=[] if customer is None else [customer], times=[at],
                   amounts=[] if amount is None else [amount])
    if per is None:
        return cols, None, None
    freq = _freq(per, name="per")
    return cols, freq, _ordinals(cols[at], freq)


# --------------------------------------------------------------------------- revenue per user


def arpu(
    orders: pd.DataFrame,
    users: pd.DataFrame | int | None = None,
    *,
    per: str | None = "M",
    denominator: str = "signed_up",
    activity: pd.DataFrame | None = None,
    customer: str = "user_id",
    at: str = "order_time",
    amount: str = "amount",
    signup_at: str = "signup_time",
    event_at: str = "event_time",
) -> pd.DataFrame:
    """Average revenue per user (ARPU, 每用户平均收入) = revenue / users.

    .. math:: \\mathrm{ARPU}_p = \\frac{\\text{revenue in period } p}{U_p}

    Who counts in :math:`U_p` is the whole difference between ARPU and ARPPU
    (:func:`arppu`, revenue / *paying* users), so it is chosen explicitly:

    - ``denominator="signed_up"`` (default): every user signed up by the end
      of period :math:`p`, buyers or not (``users`` is the users table), or a
      fixed number of users (``users`` an integer). With ``per=None``: all the
      users of ``users``.
    - ``denominator="active"``: users active in period :math:`p`, that is
      with at least one row of ``activity`` (e.g. ``events``) or one order in
      it; a buyer is always active, so ARPU <= ARPPU. With ``per=None``:
      users active at any time in the two tables.

    Parameters
    ----------
    orders
        One row per order.
    users
        The users table (``customer`` and ``signup_at`` columns) or the
        number of users. Not used with ``denominator="active"``.
    per
        ``"D"``, ``"W"``, ``"M"``, ``"Q"``, ``"Y"``, or ``None`` for the whole table.
    denominator
        ``"signed_up"`` or ``"active"``, as above.
    activity
        With ``denominator="active"``: a table of activity, e.g. ``events``.
    customer, at, amount
        Column names of ``orders`` (``customer`` also names the id column of
        ``users`` and ``activity``).
    signup_at, event_at
        Time columns of ``users`` and ``activity``.

    Returns
    -------
    pandas.DataFrame
        ``revenue``, ``users`` and ``arpu``; by period when ``per`` is given
        (periods from the first to the last order).

    Raises
    ------
    DataError
        Bad columns; ``users`` missing, not positive, or not covering every
        customer of ``orders``; an order in a period before its customer
        signed up; ``denominator="active"`` without ``activity``; an unknown
        ``per`` or ``denominator``.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"user_id": [1, 1, 2],
    ...     "order_time": pd.to_datetime(["2025-01-05", "2025-02-01", "2025-02-10"]),
    ...     "amount": [30.0, 20.0, 50.0]})
    >>> users = pd.DataFrame({"user_id": [1, 2, 3, 4],
    ...     "signup_time": pd.to_datetime(["2025-01-01", "2025-01-20", "2025-02-01",
    ...                                    "2025-02-15"])})
    >>> arpu(orders, users)  # doctest: +NORMALIZE_WHITESPACE
             revenue  users  arpu
    period
    2025-01     30.0      2  15.0
    2025-02     70.0      4  17.5
    >>> arpu(orders, 10, per=None).loc["all", "arpu"]
    np.float64(10.0)
    """
    _check_flags("denominator", denominator, _DENOMINATORS)
    cols, freq, per_o = _orders(orders, customer, at, amount, per)
    revenue_all = cols[amount].to_numpy()
    if denominator == "active":
        if activity is None:
            raise ArgumentError(
                "denominator='active' needs a table of activity",
                name="activity",
                fix="pass activity=events (and event_at='event_time'), or use "
                "denominator='signed_up' with the users table",
            )
        act = columns(activity, "activity", ids=[customer], times=[event_at])
        ids = np.concatenate([cols[customer].to_numpy(), act[customer].to_numpy()])
        cust, uniques = _factorize(ids)
        if freq is None:
            n = len(uniques)
            return _result(["revenue", "users", "arpu"],
                           [revenue_all.sum(), n, revenue_all.sum() / n], None)
        ords = np.concatenate([per_o, _ordinals(act[event_at], freq)])
        axis = _Axis.spanning(freq, per_o)
        inside = (ords >= axis.lo) & (ords < axis.lo + axis.n)
        n_users = axis.distinct(cust[inside], len(uniques), ords[inside])
        revenue = axis.count(per_o, revenue_all)
        return _result(["revenue", "users", "arpu"], [revenue, n_users, _ratio(revenue, n_users)],
                       axis)

    if users is None:
        raise ArgumentError(
            "ARPU over signed-up users needs the users table or their number",
            name="users",
            fix="pass users=coursekit.load('users') (or a number of users), or "
            "denominator='active' with activity=events",
        )
    if isinstance(users, int | np.integer) and not isinstance(users, bool):
        if users <= 0:
            raise ArgumentError(
                f"users={users}: ARPU needs a positive number of users",
                name="users",
                fix="pass the number of users (or the users table)",
            )
        if freq is None:
            return _result(["revenue", "users", "arpu"],
                           [revenue_all.sum(), users, revenue_all.sum() / users], None)
        axis = _Axis.spanning(freq, per_o)
        revenue = axis.count(per_o, revenue_all)
        n_users = np.full(axis.n, int(users))
        return _result(["revenue", "users", "arpu"], [revenue, n_users, revenue / n_users], axis)
    if not isinstance(users, pd.DataFrame):
        raise ArgumentError(
            f"users must be the users table or a number, got {type(users).__name__}",
            name="users",
            fix="pass users=coursekit.load('users') or an integer",
        )
    u = columns(users, "users", ids=[customer], times=[signup_at])
    ids = pd.Index(u[customer].to_numpy())
    if not ids.is_unique:
        raise DataError(
            "duplicate user ids: a user would be counted twice",
            table="users",
            column=customer,
            rows=users.loc[np.asarray(ids.duplicated(keep=False)), [customer]].head(5),
            fix="keep one row per user",
        )
    pos = _lookup(ids, cols[customer].to_numpy(), table="orders", other="users",
                  customer=customer)
    if freq is None:
        n = len(ids)
        return _result(["revenue", "users", "arpu"],
                       [revenue_all.sum(), n, revenue_all.sum() / n], None)
    signup = _ordinals(u[signup_at], freq)
    early = per_o < signup[pos]
    if early.any():
        raise DataError(
            f"{int(early.sum()):,} order(s) in a period before their customer signed up: "
            "those customers are not yet in that period's denominator",
            table="orders",
            column=at,
            rows=orders.loc[early, [customer, at]].head(5),
            fix="check the sign-up times and the order times (same customer ids? same "
            "time zone?)",
        )
    axis = _Axis.spanning(freq, per_o)
    revenue = axis.count(per_o, revenue_all)
    before = np.clip(signup - axis.lo, -1, axis.n)  # -1: before the first period
    counts = np.bincount(before + 1, minlength=axis.n + 2)
    n_users = np.cumsum(counts)[1:-1]
    return _result(["revenue", "users", "arpu"], [revenue, n_users, _ratio(revenue, n_users)],
                   axis)


def arppu(
    orders: pd.DataFrame,
    *,
    per: str | None = "M",
    customer: str = "user_id",
    at: str = "order_time",
    amount: str = "amount",
) -> pd.DataFrame:
    """Average revenue per paying user (ARPPU, 每付费用户平均收入) = revenue / paying users.

    .. math:: \\mathrm{ARPPU}_p = \\frac{\\text{revenue in period } p}
                                       {\\#\\{\\text{customers with an order of positive
                                       amount in } p\\}}

    Compare :func:`arpu`, which divides the same revenue by *all* users: the
    classic mistake is to call revenue / buyers "ARPU".

    Parameters
    ----------
    orders
        One row per order.
    per
        ``"D"``, ``"W"``, ``"M"``, ``"Q"``, ``"Y"``, or ``None`` for the whole table.
    customer, at, amount
        Column names.

    Returns
    -------
    pandas.DataFrame
        ``revenue``, ``paying_users`` and ``arppu`` (NaN in a period without
        paying users).

    Raises
    ------
    DataError
        Bad columns; with ``per=None``, no order of positive amount.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"user_id": [1, 1, 2],
    ...     "order_time": pd.to_datetime(["2025-01-05", "2025-02-01", "2025-02-10"]),
    ...     "amount": [30.0, 20.0, 50.0]})
    >>> arppu(orders)  # doctest: +NORMALIZE_WHITESPACE
             revenue  paying_users  arppu
    period
    2025-01     30.0             1   30.0
    2025-02     70.0             2   35.0
    """
    cols, freq, per_o = _orders(orders, customer, at, amount, per)
    money = cols[amount].to_numpy()
    cust, uniques = _factorize(cols[customer].to_numpy())
    paid = money > 0
    if freq is None:
        payers = len(distinct(cust[paid]))
        if payers == 0:
            raise _nobody("paying users", "orders", "ARPPU needs at least one order with a "
                          "positive amount")
        return _result(["revenue", "paying_users", "arppu"],
                       [money.sum(), payers, money.sum() / payers], None)
    axis = _Axis.spanning(freq, per_o)
    revenue = axis.count(per_o, money)
    payers = axis.distinct(cust[paid], len(uniques), per_o[paid])
    return _result(["revenue", "paying_users", "arppu"], [revenue, payers, _ratio(revenue, payers)],
                   axis)


# --------------------------------------------------------------------------- orders


def average_order_value(
    orders: pd.DataFrame,
    *,
    per: str | None = "M",
    at: str = "order_time",
    amount: str = "amount",
) -> pd.DataFrame:
    """Average order value (AOV, 客单价) = revenue / number of orders.

    .. math:: \\mathrm{AOV}_p = \\frac{\\text{revenue in period } p}
                                     {\\text{orders in period } p}

    One row of ``orders`` is one order. (客单价 is sometimes defined per
    *customer* instead: that is :func:`arppu`.)

    Parameters
    ----------
    orders
        One row per order.
    per
        ``"D"``, ``"W"``, ``"M"``, ``"Q"``, ``"Y"``, or ``None`` for the whole table.
    at, amount
        Column names.

    Returns
    -------
    pandas.DataFrame
        ``revenue``, ``orders`` and ``aov`` (NaN in a period without orders).

    Raises
    ------
    DataError
        Bad columns, no orders.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"order_time": pd.to_datetime(["2025-01-05", "2025-01-20",
    ...     "2025-03-10"]), "amount": [30.0, 20.0, 50.0]})
    >>> average_order_value(orders)["aov"].tolist()
    [25.0, nan, 50.0]
    >>> average_order_value(orders, per=None).loc["all", "aov"]
    np.float64(33.333333333333336)
    """
    cols, freq, per_o = _orders(orders, None, at, amount, per)
    money = cols[amount].to_numpy()
    if freq is None:
        return _result(["revenue", "orders", "aov"], [money.sum(), len(money),
                                                      money.sum() / len(money)], None)
    axis = _Axis.spanning(freq, per_o)
    revenue = axis.count(per_o, money)
    n = axis.count(per_o)
    return _result(["revenue", "orders", "aov"], [revenue, n, _ratio(revenue, n)], axis)


def repurchase_rate(
    orders: pd.DataFrame,
    *,
    per: str | None = "M",
    customer: str = "user_id",
    at: str = "order_time",
    by_day: bool = False,
) -> pd.DataFrame:
    """Repurchase rate (复购率): share of a period's buyers who bought at least twice in it.

    .. math:: \\text{repurchase rate}_p = \\frac{\\#\\{\\text{customers with} \\ge 2
              \\text{ purchases in } p\\}}{\\#\\{\\text{customers with} \\ge 1
              \\text{ purchase in } p\\}}

    With ``per=None`` the period is the whole table: the share of customers
    who ever bought twice. A purchase is an order; with ``by_day=True`` all of
    a customer's orders on one calendar day are one purchase (several orders
    in one basket session are not a repeat). Whether buyers of one period
    come back in the *next* (回购率) is a retention question:
    :func:`coursekit.cohorts.retention`.

    Parameters
    ----------
    orders
        One row per order.
    per
        ``"D"``, ``"W"``, ``"M"``, ``"Q"``, ``"Y"``, or ``None`` for the whole table.
    customer, at
        Column names.
    by_day
        Count purchase days instead of orders.

    Returns
    -------
    pandas.DataFrame
        ``buyers``, ``repeat_buyers`` and ``repurchase_rate`` (NaN in a period
        without buyers).

    Raises
    ------
    DataError
        Bad columns, no orders.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"user_id": [1, 1, 2, 3, 3],
    ...     "order_time": pd.to_datetime(["2025-01-05 10:00", "2025-01-05 18:00",
    ...                                   "2025-01-09 09:00", "2025-01-10 09:00",
    ...                                   "2025-01-25 09:00"])})
    >>> repurchase_rate(orders, per=None).loc["all", "repurchase_rate"]
    np.float64(0.6666666666666666)
    >>> repurchase_rate(orders, per=None, by_day=True).loc["all", "repurchase_rate"]
    np.float64(0.3333333333333333)
    """
    cols, freq, per_o = _orders(orders, customer, at, None, per)
    cust, uniques = _factorize(cols[customer].to_numpy())
    n_cust = len(uniques)
    if by_day:  # one purchase per customer and day
        days = _ordinals(cols[at], "D")
        _, first = distinct_first(cust * (int(days.max()) - int(days.min()) + 1)
                                  + (days - days.min()))
        cust = cust[first]
        per_o = per_o[first] if per_o is not None else None
    if freq is None:
        purchases = np.bincount(cust, minlength=n_cust)
        buyers, repeat = n_cust, int((purchases >= 2).sum())
        return _result(["buyers", "repeat_buyers", "repurchase_rate"],
                       [buyers, repeat, repeat / buyers], None)
    axis = _Axis.spanning(freq, per_o)
    keys, purchases = np.unique(cust * axis.n + (per_o - axis.lo), return_counts=True)
    pos = keys % axis.n
    buyers = np.bincount(pos, minlength=axis.n)
    repeat = np.bincount(pos[purchases >= 2], minlength=axis.n)
    return _result(["buyers", "repeat_buyers", "repurchase_rate"],
                   [buyers, repeat, _ratio(repeat, buyers)], axis)


# --------------------------------------------------------------------------- acquisition, value


def cac(
    spend: pd.DataFrame,
    new_users: pd.DataFrame | pd.Series,
    *,
    per: str | None = None,
    channel: str = "channel",
    at: str = "date",
    amount: str = "spend",
    signup_at: str = "signup_time",
) -> pd.DataFrame:
    """Customer acquisition cost (CAC, 获客成本) by channel = spend / new users.

    .. math:: \\mathrm{CAC}_{ch,p} = \\frac{\\text{spend on channel } ch \\text{ in } p}
                                          {\\text{users who signed up through } ch
                                          \\text{ in } p}

    Only the channels of ``spend`` get a row: channels nobody pays for
    (organic, 'unknown') have no acquisition cost to report. New users are
    counted over the days the spend table covers (its first to its last
    day), so a spend table shorter than the users table does not divide a few
    weeks of spend by two years of sign-ups. A channel without new users has
    no CAC: with ``per=None`` that is an error naming the channel; by period,
    a period with spend and no new users shows ``inf``, no spend and no
    users NaN.

    The new users here are sign-ups, not buyers: compare CAC with value per
    *signed-up* user (``ltv_curves(orders, start=users)``), not per buyer.

    Parameters
    ----------
    spend
        One row per day (or any date) and channel, e.g. ``channel_spend``.
    new_users
        The users table (``channel`` and ``signup_at`` columns), or, with
        ``per=None``, a Series of new users per channel.
    per
        ``None`` (default: the whole spend period), or ``"D"``, ``"W"``,
        ``"M"``, ``"Q"``, ``"Y"``.
    channel, at, amount
        Column names of ``spend`` (``channel`` also in ``new_users``).
    signup_at
        Sign-up time column of ``new_users``.

    Returns
    -------
    pandas.DataFrame
        Index ``channel`` (with ``per``: period, channel; every period of the
        spend table for every channel); columns ``spend``, ``new_users``, ``cac``.

    Raises
    ------
    DataError
        Bad columns, negative spend, a Series of counts with ``per``; with
        ``per=None``, a channel without new users.

    Examples
    --------
    >>> import pandas as pd
    >>> spend = pd.DataFrame({"date": pd.to_datetime(["2025-01-01", "2025-01-02"] * 2),
    ...     "channel": ["ads", "ads", "creators", "creators"], "spend": [100.0, 50, 0, 90]})
    >>> users = pd.DataFrame({"channel": ["ads", "ads", "ads", "creators", "organic"],
    ...     "signup_time": pd.to_datetime(["2025-01-01", "2025-01-02", "2025-01-05",
    ...                                    "2025-01-02", "2025-01-01"])})
    >>> cac(spend, users)  # doctest: +NORMALIZE_WHITESPACE
              spend  new_users   cac
    channel
    ads       150.0          2  75.0
    creators   90.0          1  90.0
    """
    s = columns(spend, "spend", ids=[channel], times=[at], amounts=[amount])
    cat = pd.Categorical(s[channel]).remove_unused_categories()
    channels = pd.Index(cat.categories, name=channel)
    ch_code = cat.codes.astype(np.int64)
    money = s[amount].to_numpy()
    days = _ordinals(s[at], "D")
    first_day, last_day = int(days.min()), int(days.max())

    if isinstance(new_users, pd.Series):
        if per is not None:
            raise DataError(
                "new users given as counts per channel cannot be split by period",
                table="new_users",
                fix="pass the users table (with its sign-up times) to use per=",
            )
        counts = columns(new_users.rename("new_users").rename_axis(channel).reset_index(),
                         "new_users", ids=[channel], amounts=["new_users"])
        n = pd.Series(counts["new_users"].to_numpy(),
                      index=counts[channel].astype(object).to_numpy())
        n = n.groupby(level=0).sum().reindex(channels.astype(object), fill_value=0)
        total = np.bincount(ch_code, weights=money, minlength=len(channels))
        _acquired(channels, total, n.to_numpy(), "among the counts")
        return pd.DataFrame({"spend": total, "new_users": n.to_numpy().astype(np.int64),
                             "cac": _ratio(total, n.to_numpy())}, index=channels)
    if not isinstance(new_users, pd.DataFrame):
        raise DataError(
            f"new_users must be the users table or a Series of counts, got "
            f"{type(new_users).__name__}",
            table="new_users",
            fix="pass new_users=coursekit.load('users')",
        )
    u = columns(new_users, "new_users", ids=[channel], times=[signup_at], allow_empty=True)
    u_days = _ordinals(u[signup_at], "D")
    u_ch = channels.get_indexer(pd.Index(u[channel].astype(object).to_numpy()))
    inside = (u_ch >= 0) & (u_days >= first_day) & (u_days <= last_day)
    n_ch = len(channels)
    if per is None:
        total = np.bincount(ch_code, weights=money, minlength=n_ch)
        n = np.bincount(u_ch[inside], minlength=n_ch)
        _acquired(channels, total, n, "signed up in the days of the spend table")
        return pd.DataFrame({"spend": total, "new_users": n, "cac": _ratio(total, n)},
                            index=channels)
    freq = _freq(per, name="per")
    s_per = _ordinals(s[at], freq)
    axis = _Axis.spanning(freq, s_per)
    u_per = _ordinals(u[signup_at], freq)[inside]
    total = np.bincount((s_per - axis.lo) * n_ch + ch_code, weights=money,
                        minlength=axis.n * n_ch)
    n = np.bincount((u_per - axis.lo) * n_ch + u_ch[inside], minlength=axis.n * n_ch)
    index = pd.MultiIndex.from_product([axis.index, channels])
    return pd.DataFrame({"spend": total, "new_users": n, "cac": _ratio(total, n)}, index=index)


def _acquired(channels: pd.Index, spent: np.ndarray, n: np.ndarray, where: str) -> None:
    """Every channel of the spend table needs new users: spend / 0 users is no CAC."""
    none = np.asarray(n) == 0
    if none.any():
        names = channels[none].tolist()
        raise DataError(
            f"no new users {where} for channel(s) {names[:5]}: their CAC (spend / new users) "
            "has nothing to divide by",
            table="new_users",
            column=channels.name,
            rows=pd.DataFrame({"spend": spent[none], "new_users": 0},
                              index=channels[none]).head(5),
            fix="check that both tables spell the channels the same way; leave a channel "
            "that brought nobody out of the spend table (its spend bought no user), or use "
            "per= for CAC by period",
        )


def _checked(x: object, name: str, lo: float, hi: float, *, lo_open: bool, what: str) -> None:
    if np.asarray(x).dtype == bool:
        raise ArgumentError(f"expected numbers, got booleans {x!r}", name=name, fix=what)
    try:
        values = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise ArgumentError(f"expected numbers, got {x!r}", name=name,
                        fix=what) from None
    ok = np.isfinite(values) & (values > lo if lo_open else values >= lo) & (values <= hi)
    if not ok.all():
        bad = values.ravel()[~ok.ravel()][:5]
        raise ArgumentError(f"{name} out of range: {bad.tolist()}",
                        name=name, fix=what)


def ltv_simple(arpu: object, margin: object, churn_rate: object) -> object:
    """Textbook customer lifetime value = ARPU x margin / churn rate.

    .. math:: \\mathrm{LTV} = \\frac{\\mathrm{ARPU} \\times m}{c}

    It is the sum :math:`\\sum_{t \\ge 1} \\mathrm{ARPU}\\, m\\, (1 - c)^{t-1}`
    of a customer's margin over a lifetime that ends with probability
    :math:`c` each period (expected lifetime :math:`1 / c` periods), under
    these assumptions, all strong:

    - ARPU, margin and churn are constant over the customer's life (no
      ramp-up, no decay of spend with age);
    - churn is the same for every customer and every period (a geometric
      lifetime; real cohorts lose many customers early and few later);
    - ARPU and churn are measured on the **same period** (monthly ARPU with
      monthly churn);
    - no discounting of future money.

    Cohort curves (:func:`coursekit.cohorts.ltv_curves`) and BG/NBD
    (:mod:`coursekit.clv`) drop these assumptions.

    Parameters
    ----------
    arpu
        Revenue per customer per period, >= 0 (a number, array or Series).
    margin
        Gross margin as a fraction in [0, 1] (0.35 for 35 %).
    churn_rate
        Share of customers lost per period, in (0, 1].

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        Margin per customer over their expected lifetime, in the unit of
        ``arpu`` (same shape as the inputs, broadcast).

    Raises
    ------
    DataError
        A value missing, infinite or out of its range (e.g. churn 0, which
        would make customers immortal, or a margin given in percent).

    Examples
    --------
    >>> ltv_simple(40.0, 0.3, 0.1)
    120.0
    """
    _checked(arpu, "arpu", 0.0, np.inf, lo_open=False,
             what="ARPU is revenue per customer per period, a number >= 0")
    _checked(margin, "margin", 0.0, 1.0, lo_open=False,
             what="give the margin as a fraction: 0.35 for 35 %")
    _checked(churn_rate, "churn_rate", 0.0, 1.0, lo_open=True,
             what="churn is the share lost per period, in (0, 1]: 0.05 for 5 % a month")
    out = arpu * margin / churn_rate  # type: ignore[operator]
    return float(out) if np.ndim(out) == 0 else out


def payback_periods(
    curve: pd.DataFrame | pd.Series,
    cac: float | pd.Series,
    *,
    margin: float = 1.0,
) -> float | pd.Series:
    """CAC payback: periods until cumulative margin per customer covers the acquisition cost.

    With the LTV curve :math:`L_k` (cumulative revenue per customer through
    period k, k = 0, 1, ...; e.g. :func:`coursekit.cohorts.ltv_curves`) and
    gross margin :math:`m`:

    .. math:: \\text{payback} = 1 + \\min\\{k : m\\,L_k \\ge \\mathrm{CAC}\\}

    a number of periods, counting the period of the first purchase (or of
    the sign-up, for curves made with ``start=``) as period 1: 1 means the
    first period's margin already pays the cost back, 3 means it takes until
    the end of period k = 2. NaN when the margin has not covered CAC within
    the observed periods (NaN cells of the curve are not observed yet): not
    paid back *yet*, which is not "never".

    CAC is spend per signed-up user (:func:`cac`): pair it with a curve per
    signed-up user, ``ltv_curves(orders, start=users)``, not with one per buyer.

    Parameters
    ----------
    curve
        One curve (a Series indexed 0, 1, ...) or several (a DataFrame, one
        curve per row, columns 0, 1, ...).
    cac
        Cost per customer: a number, or a Series with one value per row of
        ``curve`` (e.g. by channel). ``inf`` (spend without users) is never
        paid back.
    margin
        Gross margin as a fraction in (0, 1] (1: revenue itself).

    Returns
    -------
    float or pandas.Series
        The number of periods (a Series named ``payback_periods``, one per
        row, for a DataFrame).

    Raises
    ------
    DataError
        Columns not 0, 1, 2, ...; a gap in a curve (NaN before a value),
        infinite or negative values; a CAC Series not covering every row.
    ArgumentError
        A CAC that is not a number, negative or missing; margin out of (0, 1].

    Examples
    --------
    >>> import pandas as pd
    >>> curve = pd.Series([30.0, 55.0, 70.0, 80.0])
    >>> payback_periods(curve, 60.0)
    3.0
    >>> payback_periods(curve, 60.0, margin=0.5)
    nan
    """
    _checked(margin, "margin", 0.0, 1.0, lo_open=True,
             what="give the margin as a fraction: 0.35 for 35 %")
    single = isinstance(curve, pd.Series)
    if single:
        frame = curve.to_frame().T
    elif isinstance(curve, pd.DataFrame):
        frame = curve
    else:
        raise DataError(f"expected an LTV curve (Series or DataFrame), got "
                        f"{type(curve).__name__}", table="curve",
                        fix="pass the result of coursekit.cohorts.ltv_curves")
    labels = list(frame.columns)
    if not labels or labels != list(range(len(labels))):
        raise DataError(
            "the curve's labels must be the periods 0, 1, 2, ...",
            table="curve",
            column=[str(c) for c in labels[:5]],
            fix="pass a curve of coursekit.cohorts.ltv_curves (one period per column)",
        )
    try:
        values = frame.to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError):
        raise DataError("expected numbers: cumulative value per customer by period",
                        table="curve", rows=frame.head(5),
                        fix="pass a curve of coursekit.cohorts.ltv_curves") from None
    _curve_values(frame, values)
    if np.ndim(cac) == 0 and (isinstance(cac, bool | np.bool_) or not isinstance(cac, Real)):
        raise ArgumentError("cac must be a number", name="cac", value=cac, fix="e.g. cac=85.0")
    if single:
        costs = np.array([float(cac)]) if np.ndim(cac) == 0 else None
    elif isinstance(cac, pd.Series):
        aligned = cac.reindex(frame.index)
        if aligned.isna().any():
            raise DataError(
                "cac has no value for some rows of the curve",
                table="cac",
                rows=pd.DataFrame({"row": frame.index[aligned.isna().to_numpy()][:5]}),
                fix="give one CAC per row (same index as the curve), or one number",
            )
        costs = aligned.to_numpy(dtype=np.float64)
    else:
        costs = np.full(len(frame), float(cac)) if np.ndim(cac) == 0 else None  # type: ignore
    if costs is None:
        raise ArgumentError("cac must be a number (or a Series, for several curves)",
                            name="cac", fix="e.g. cac=85.0")
    if np.isnan(costs).any() or (costs < 0).any():
        raise ArgumentError(f"cac must be >= 0, got {costs[np.isnan(costs) | (costs < 0)][:5]}",
                            name="cac", fix="CAC is spend / new users, >= 0")
    covered = margin * np.nan_to_num(values, nan=-np.inf) >= costs[:, None]
    reached = covered.any(axis=1)
    out = np.where(reached, covered.argmax(axis=1) + 1.0, np.nan)
    if single:
        return float(out[0])
    return pd.Series(out, index=frame.index, name="payback_periods")


def _curve_values(frame: pd.DataFrame, values: np.ndarray) -> None:
    """An LTV curve is NaN only after its last observed period, and finite and >= 0."""
    seen = ~np.isnan(values)
    last = np.where(seen.any(axis=1), values.shape[1] - 1 - np.argmax(seen[:, ::-1], axis=1), -1)
    gap = ~seen & (np.arange(values.shape[1]) < last[:, None])
    if gap.any():
        raise DataError(
            "gaps in the curve: a period without a value (NaN) before a period with one; "
            "NaN means 'not observed yet', which cannot come before an observed period",
            table="curve",
            column=[c for c, g in zip(frame.columns, gap.any(axis=0), strict=True) if g],
            rows=frame.loc[gap.any(axis=1)].head(5),
            fix="find where the gap comes from (a cohort table built by hand?); a cumulative "
            "curve carries its value over a period without revenue: curve.ffill(axis=1) "
            "fills the gap that way",
        )
    bad = np.isinf(values) | (values < 0)
    if bad.any():
        raise DataError(
            "infinite or negative values: a curve holds cumulative value per customer, "
            "finite and >= 0",
            table="curve",
            column=[c for c, b in zip(frame.columns, bad.any(axis=0), strict=True) if b],
            rows=frame.loc[bad.any(axis=1)].head(5),
            fix="pass a curve of coursekit.cohorts.ltv_curves",
        )


def roi(ltv: object, cac: object) -> object:
    """Return on acquisition spend as the LTV : CAC ratio = LTV / CAC.

    .. math:: \\mathrm{ROI} = \\frac{\\mathrm{LTV}}{\\mathrm{CAC}}

    What one acquired customer brings back (LTV, e.g. margin per signed-up
    user from :func:`coursekit.cohorts.ltv_curves` or :func:`ltv_simple`) for
    every yuan it cost to acquire them (CAC, :func:`cac`). Above 1 the
    customer pays for their acquisition; a common rule of thumb asks for about
    3. A finance ROI, (LTV - CAC) / CAC, is this ratio minus 1. Compare like
    with like: LTV per *signed-up* user with CAC per signed-up user, both in
    margin (not revenue) when the decision is about profit.

    Parameters
    ----------
    ltv
        Value per customer, >= 0 (a number, array or Series).
    cac
        Acquisition cost per customer, > 0 and finite (same shape, or a
        number). A Series must have the same labels as ``ltv``'s Series.

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        ``ltv / cac``, elementwise.

    Raises
    ------
    DataError
        A value missing or infinite, a negative LTV, a CAC of 0 or below (a
        channel with no spend has no CAC: leave it out), or two Series with
        different labels.

    Examples
    --------
    >>> roi(240.0, 80.0)
    3.0
    >>> import pandas as pd
    >>> roi(pd.Series({"ads": 120.0, "search": 90.0}),
    ...     pd.Series({"search": 30.0, "ads": 60.0})).tolist()
    [2.0, 3.0]
    """
    _checked(ltv, "ltv", 0.0, np.inf, lo_open=False,
             what="LTV is value per customer, a finite number >= 0")
    _checked(cac, "cac", 0.0, np.inf, lo_open=True,
             what="CAC is spend / new users, a finite number > 0: a channel without spend or "
             "without new users has no CAC to compare, so leave it out")
    if isinstance(ltv, pd.Series) and isinstance(cac, pd.Series):
        if not (ltv.index.is_unique and cac.index.is_unique) or set(ltv.index) != set(cac.index):
            only = ltv.index.symmetric_difference(cac.index)
            raise ArgumentError(
                "ltv and cac have different labels: some rows would get NaN",
                name="cac",
                rows=pd.DataFrame({"label": only[:5]}) if len(only) else None,
                fix="give one value per label in both (e.g. the same channels), once each",
            )
        cac = cac.reindex(ltv.index)
    try:
        out = ltv / cac  # type: ignore[operator]
    except ValueError:  # shapes that do not broadcast
        raise ArgumentError(
            f"ltv and cac do not match: shapes {np.shape(ltv)} and {np.shape(cac)}",
            name="cac",
            fix="give one CAC per LTV (same length, or one number for all)",
        ) from None
    return float(out) if np.ndim(out) == 0 else out


# --------------------------------------------------------------------------- users, engagement

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
    "first_purchase_conversion": "first-purchase conversion (首购转化率): share of the "
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

_BASES = ("cohort", "period")
_NEVER = np.iinfo(np.int64).max


def _whole_number(value: object, name: str, *, minimum: int, fix: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ArgumentError(
            f"{name} must be a whole number >= {minimum}, got {value!r}",
            name=name,
            fix=fix,
        )
    return int(value)


def _window(window: object) -> int:
    return _whole_number(window, "window_days", minimum=1,
                         fix="the length of the trailing window in days, e.g. window=30 "
                         "(or 28: four whole weeks)")


def _period_needed(per: object, what: str) -> str:
    if per is None:
        raise ArgumentError(
            f"{what} is a number per period: per=None has no meaning here",
            name="per",
            fix=f"use one of {list(PERIODS)}, e.g. per='M'",
        )
    return _freq(per, name="per")


def _users_table(users: object, customer: str, signup_at: str,
                 extra: list[str] | None = None) -> tuple[pd.DataFrame, pd.Index]:
    """The users table checked: one row per user, sign-up times parsed."""
    u = columns(users, "users", ids=[customer, *(extra or [])], times=[signup_at])
    ids = pd.Index(u[customer].to_numpy())
    if not ids.is_unique:
        raise DataError(
            "duplicate user ids: a user would be counted twice",
            table="users",
            column=customer,
            rows=users.loc[np.asarray(ids.duplicated(keep=False)), [customer]].head(5),  # type: ignore[union-attr]
            fix="keep one row per user",
        )
    return u, ids


def _signed_up_by(signup: np.ndarray, axis: _Axis) -> np.ndarray:
    """Users signed up by the end of each period of ``axis`` (earlier ones count in all)."""
    before = np.clip(signup - axis.lo, -1, axis.n)  # -1: before the first period
    return np.cumsum(np.bincount(before + 1, minlength=axis.n + 2))[1:-1]


def _not_before_signup(per_o: np.ndarray, signup_of_row: np.ndarray, frame: pd.DataFrame,
                       table: str, customer: str, at: str) -> None:
    early = per_o < signup_of_row
    if early.any():
        raise DataError(
            f"{int(early.sum()):,} row(s) in a period before their user signed up: those "
            "users are not yet among the signed-up users of that period",
            table=table,
            column=at,
            rows=frame.loc[early, [customer, at]].head(5),
            fix="check the sign-up times and the activity times (same user ids? same time "
            "zone?)",
        )


def _day_pairs(cust: np.ndarray, n_cust: int,
               days: np.ndarray) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Distinct (customer, day) pairs sorted by customer then day.

    Returns the customer code and the day (0 = first day of the data) of
    each pair, the first day's ordinal and the number of days covered.
    """
    lo, n_days = int(days.min()), int(days.max()) - int(days.min()) + 1
    off = days - lo
    if n_cust * n_days <= 1 << 27:  # a bitmap: flatnonzero returns the keys sorted
        mark = np.zeros(n_cust * n_days, dtype=bool)
        mark[cust * n_days + off] = True
        keys = np.flatnonzero(mark)
    else:
        keys = distinct(cust * n_days + off)
    pair_cust, pair_day = np.divmod(keys, n_days)
    return pair_cust, pair_day, lo, n_days


def _trailing(pair_cust: np.ndarray, pair_day: np.ndarray, n_days: int,
              window: int) -> np.ndarray:
    """Distinct customers active in the ``window`` days ending each day.

    A customer active on day d is counted on days d .. d + window - 1. Each
    customer's intervals are made disjoint by cutting every one at the
    customer's next active day; the counts then come from one difference
    array: +1 where an interval starts, -1 where it ends, cumulative sum.
    O(n) on pairs sorted by customer and day.
    """
    end = pair_day + window
    same = pair_cust[1:] == pair_cust[:-1]
    end[:-1] = np.where(same, np.minimum(end[:-1], pair_day[1:]), end[:-1])
    end = np.minimum(end, n_days)
    delta = (np.bincount(pair_day, minlength=n_days + 1)
             - np.bincount(end, minlength=n_days + 1))
    return np.cumsum(delta)[:n_days]


class _Daily:
    """DAU and trailing-window MAU of every day from the first to the last day of activity."""

    def __init__(self, cust: np.ndarray, n_cust: int, days: np.ndarray,
                 window: int | None) -> None:
        pair_cust, pair_day, self.lo, self.n = _day_pairs(cust, n_cust, days)
        self.dau = np.bincount(pair_day, minlength=self.n)
        self.window_days = self.mau = None
        if window is not None:
            self.window_days = np.minimum(np.arange(1, self.n + 1), window)
            self.mau = _trailing(pair_cust, pair_day, self.n, window).astype(np.float64)
            self.mau[self.window_days < window] = np.nan  # window not fully observed

    @property
    def axis(self) -> _Axis:
        return _Axis("D", self.lo, self.lo + self.n - 1)

    def ordinals(self, freq: str) -> np.ndarray:
        """The period of every day."""
        return _ordinals(np.arange(self.lo, self.lo + self.n).astype("datetime64[D]"), freq)

    def sticky(self) -> np.ndarray:
        return _ratio(self.dau, self.mau)  # NaN: window not observed, or nobody in it

    def by_period(self, axis: _Axis, ords: np.ndarray) -> dict[str, np.ndarray]:
        """Mean DAU over the days; mean trailing MAU and stickiness over the days with both."""
        out = {"days": axis.count(ords), "user_days": axis.count(ords, self.dau)}
        out["dau"] = _ratio(out["user_days"], out["days"])
        if self.mau is not None:
            ratio = self.sticky()
            ok = np.isfinite(ratio)
            n_ok = axis.count(ords[ok])
            out["sticky_days"] = n_ok
            out["sticky_dau"] = _ratio(axis.count(ords[ok], self.dau[ok]), n_ok)
            out["sticky_mau"] = _ratio(axis.count(ords[ok], self.mau[ok]), n_ok)
            out["stickiness"] = _ratio(axis.count(ords[ok], ratio[ok]), n_ok)
        return out


def _activity(activity: object, customer: str, at: str) -> tuple[np.ndarray, int, np.ndarray,
                                                                  pd.DataFrame]:
    cols = columns(activity, "activity", ids=[customer], times=[at])
    cust, uniques = _factorize(cols[customer].to_numpy())
    return cust, len(uniques), _ordinals(cols[at], "D"), cols


def dau(
    activity: pd.DataFrame,
    *,
    per: str | None = "D",
    customer: str = "user_id",
    at: str = "event_time",
) -> pd.DataFrame:
    """Daily active users (DAU, 日活): distinct users active each day.

    .. math:: \\mathrm{DAU}_d = \\#\\{i : i \\text{ has a row of activity on day } d\\}

    With ``per="D"`` (default) one row per day, from the first to the last day
    of the data (days without activity included, DAU 0). With a longer
    period, the mean DAU over the period's days that the data covers:

    .. math:: \\overline{\\mathrm{DAU}}_p = \\frac{1}{|D_p|} \\sum_{d \\in D_p} \\mathrm{DAU}_d

    ``user_days`` is the sum, ``days`` is :math:`|D_p|`. A user active on two
    days of a month counts twice in ``user_days`` and once in the month's
    :func:`mau`.

    Parameters
    ----------
    activity
        One row per event (or session, or order), e.g. ``events``.
    per
        ``"D"``, ``"W"``, ``"M"``, ``"Q"``, ``"Y"``, or ``None`` for the whole table.
    customer, at
        Names of the user-id and time columns.

    Returns
    -------
    pandas.DataFrame
        ``days``, ``user_days`` and ``dau``; by period unless ``per=None``.

    Raises
    ------
    DataError
        Bad columns (missing, missing or unparseable times), no rows, an
        unknown ``per``.

    Examples
    --------
    >>> import pandas as pd
    >>> events = pd.DataFrame({"user_id": [1, 1, 2, 1],
    ...     "event_time": pd.to_datetime(["2025-03-01 09:00", "2025-03-01 20:00",
    ...                                   "2025-03-01 10:00", "2025-03-03 08:00"])})
    >>> dau(events)["dau"].tolist()
    [2, 0, 1]
    >>> dau(events, per=None).loc["all", "dau"]
    np.float64(1.0)
    """
    freq = None if per is None else _freq(per, name="per")
    cust, n_cust, days, _ = _activity(activity, customer, at)
    daily = _Daily(cust, n_cust, days, None)
    names = ["days", "user_days", "dau"]
    if freq is None:
        total = int(daily.dau.sum())
        return _result(names, [daily.n, total, total / daily.n], None)
    if freq == "D":
        return _result(names, [np.ones(daily.n, dtype=np.int64), daily.dau, daily.dau],
                       daily.axis)
    ords = daily.ordinals(freq)
    axis = _Axis.spanning(freq, ords)
    parts = daily.by_period(axis, ords)
    return _result(names, [parts["days"].astype(np.int64), parts["user_days"].astype(np.int64),
                           parts["dau"]], axis)


def mau(
    activity: pd.DataFrame,
    *,
    window_days: int = 30,
    per: str = "D",
    customer: str = "user_id",
    at: str = "event_time",
) -> pd.DataFrame:
    """Monthly active users (MAU, 月活): distinct users active in a trailing window of days.

    .. math:: \\mathrm{MAU}_d = \\#\\{i : i \\text{ active on some day of }
              [d - w + 1,\\ d]\\}

    with :math:`w` = ``window_days`` days (30 by default; 28 is the other common
    choice: four whole weeks, so every window holds each weekday the same
    number of times). One row per day, from the first to the last day of the
    data. On the first :math:`w - 1` days the window reaches back before the
    data: MAU is NaN there (not observed), never an undercount;
    ``window_days`` says how many days of the window the data covers.

    With ``per="W"``, ``"M"``, ``"Q"`` or ``"Y"``: distinct users active in
    each *calendar* period instead (the calendar-month MAU of a monthly
    report; ``window_days`` is then not used), with ``days``, the number of days
    of the period the data covers (a first or last period only partly
    covered counts fewer users).

    Computed without a loop over days: each user's active days become
    intervals [d, d + w - 1], cut where the user's next active day starts so
    that no day counts a user twice, and a difference array adds them up.

    Parameters
    ----------
    activity
        One row per event (or session, or order), e.g. ``events``.
    window_days
        Length of the trailing window in days, a whole number >= 1.
    per
        ``"D"`` (trailing window, default), or ``"W"``, ``"M"``, ``"Q"``,
        ``"Y"`` (calendar periods).
    customer, at
        Names of the user-id and time columns.

    Returns
    -------
    pandas.DataFrame
        Index ``period``. ``per="D"``: ``window_days`` and ``mau`` (float,
        NaN while the window is not fully observed); else ``days`` and ``mau``.

    Raises
    ------
    DataError
        Bad columns, no rows, ``window_days`` not a whole number >= 1, ``per``
        unknown or ``None``.

    Examples
    --------
    User 1 is active on 1 March only, user 2 on 3 March; a 3-day window:

    >>> import pandas as pd
    >>> events = pd.DataFrame({"user_id": [1, 2, 2],
    ...     "event_time": pd.to_datetime(["2025-03-01", "2025-03-03", "2025-03-05"])})
    >>> mau(events, window_days=3)  # doctest: +NORMALIZE_WHITESPACE
                window_days  mau
    period
    2025-03-01            1  NaN
    2025-03-02            2  NaN
    2025-03-03            3  2.0
    2025-03-04            3  1.0
    2025-03-05            3  1.0
    >>> mau(events, per="M")["mau"].tolist()
    [2]
    """
    w = _window(window_days)
    freq = _period_needed(per, "MAU")
    cust, n_cust, days, _ = _activity(activity, customer, at)
    if freq == "D":
        daily = _Daily(cust, n_cust, days, w)
        return _result(["window_days", "mau"], [daily.window_days, daily.mau], daily.axis)
    day_axis = _Axis("D", int(days.min()), int(days.max()))
    covered = _ordinals(np.arange(day_axis.lo, day_axis.lo + day_axis.n).astype("datetime64[D]"),
                        freq)
    axis = _Axis.spanning(freq, covered)
    ords = _ordinals(days.astype("datetime64[D]"), freq)
    return _result(["days", "mau"], [axis.count(covered), axis.distinct(cust, n_cust, ords)],
                   axis)


def stickiness(
    activity: pd.DataFrame,
    *,
    window_days: int = 30,
    per: str | None = "D",
    customer: str = "user_id",
    at: str = "event_time",
) -> pd.DataFrame:
    """Stickiness (用户粘性) = DAU / MAU: how many days of a month the typical user comes.

    Each day, DAU over the trailing-window MAU ending that day (:func:`mau`,
    ``window_days`` days, 30 by default):

    .. math:: s_d = \\frac{\\mathrm{DAU}_d}{\\mathrm{MAU}_d}

    and for a longer period the mean of the daily ratios over its days
    :math:`D_p` that have one (the window fully observed, somebody in it):

    .. math:: s_p = \\frac{1}{|D_p|} \\sum_{d \\in D_p} s_d

    0.2 reads "the average monthly user is active on about 6 days of 30";
    1 would be every user every day. (Dividing the month's mean DAU by its
    calendar-month MAU gives a close but not identical number: mean of
    ratios versus ratio of means, calendar month versus trailing window.)

    Parameters
    ----------
    activity
        One row per event (or session), e.g. ``events``.
    window_days
        Trailing window of MAU in days, a whole number >= 1.
    per
        ``"D"`` (default), ``"W"``, ``"M"``, ``"Q"``, ``"Y"``, or ``None``
        for the whole table.
    customer, at
        Names of the user-id and time columns.

    Returns
    -------
    pandas.DataFrame
        ``per="D"``: ``dau``, ``mau`` and ``stickiness`` per day (NaN while
        the window is not fully observed). Otherwise ``days`` (days with a
        ratio), ``dau`` and ``mau`` (their means over those days) and
        ``stickiness`` (NaN in a period without such days).

    Raises
    ------
    DataError
        Bad columns, no rows, ``window_days`` not a whole number >= 1, an unknown
        ``per``; with ``per=None``, data shorter than the window.

    Examples
    --------
    Two users over four days, a 2-day window: user 1 comes every day, user 2
    on the first two days only.

    >>> import pandas as pd
    >>> events = pd.DataFrame({"user_id": [1, 1, 1, 1, 2, 2],
    ...     "event_time": pd.to_datetime(["2025-03-01", "2025-03-02", "2025-03-03",
    ...                                   "2025-03-04", "2025-03-01", "2025-03-02"])})
    >>> stickiness(events, window_days=2)["stickiness"].tolist()
    [nan, 1.0, 0.5, 1.0]
    >>> stickiness(events, window_days=2, per=None).loc["all", "stickiness"]
    np.float64(0.8333333333333334)
    """
    w = _window(window_days)
    freq = None if per is None else _freq(per, name="per")
    cust, n_cust, days, _ = _activity(activity, customer, at)
    daily = _Daily(cust, n_cust, days, w)
    if freq == "D":
        return _result(["dau", "mau", "stickiness"], [daily.dau, daily.mau, daily.sticky()],
                       daily.axis)
    names = ["days", "dau", "mau", "stickiness"]
    if freq is None:
        ratio = daily.sticky()
        ok = np.isfinite(ratio)
        if not ok.any():
            raise DataError(
                f"no day with a full {w}-day window of activity to divide by: the data covers "
                f"{daily.n} day(s)",
                table="activity",
                column=at,
                fix="use more days of activity, or a shorter window",
            )
        return _result(names, [int(ok.sum()), daily.dau[ok].mean(), daily.mau[ok].mean(),
                               ratio[ok].mean()], None)
    ords = daily.ordinals(freq)
    axis = _Axis.spanning(freq, ords)
    parts = daily.by_period(axis, ords)
    return _result(names, [parts["sticky_days"].astype(np.int64), parts["sticky_dau"],
                           parts["sticky_mau"], parts["stickiness"]], axis)


def user_growth_rate(
    users: pd.DataFrame,
    *,
    per: str = "M",
    customer: str = "user_id",
    signup_at: str = "signup_time",
) -> pd.DataFrame:
    """User growth rate (用户增长率) = new users / users at the end of the previous period.

    .. math:: g_p = \\frac{N_p}{U_{p-1}}, \\qquad U_p = \\sum_{q \\le p} N_q

    where :math:`N_p` is the number of sign-ups in period :math:`p`. The first
    period of the users table has nobody before it: its rate is ``inf`` (or
    NaN with no sign-ups either), as everywhere in this module.

    Parameters
    ----------
    users
        One row per user, with ``customer`` and ``signup_at``.
    per
        ``"D"``, ``"W"``, ``"M"``, ``"Q"``, ``"Y"``.
    customer, signup_at
        Names of the user-id and sign-up time columns.

    Returns
    -------
    pandas.DataFrame
        Index ``period`` (first to last sign-up); ``new_users``,
        ``previous_users`` (:math:`U_{p-1}`) and ``growth_rate``.

    Raises
    ------
    DataError
        Bad columns, no rows, duplicate user ids, ``per`` unknown or ``None``.

    Examples
    --------
    >>> import pandas as pd
    >>> users = pd.DataFrame({"user_id": [1, 2, 3, 4, 5, 6],
    ...     "signup_time": pd.to_datetime(["2025-01-03", "2025-01-20", "2025-02-01",
    ...                                    "2025-03-09", "2025-03-10", "2025-03-30"])})
    >>> user_growth_rate(users)  # doctest: +NORMALIZE_WHITESPACE
             new_users  previous_users  growth_rate
    period
    2025-01          2               0          inf
    2025-02          1               2          0.5
    2025-03          3               3          1.0
    """
    freq = _period_needed(per, "the user growth rate")
    u, _ = _users_table(users, customer, signup_at)
    signup = _ordinals(u[signup_at], freq)
    axis = _Axis.spanning(freq, signup)
    new = axis.count(signup)
    previous = np.cumsum(new) - new
    return _result(["new_users", "previous_users", "growth_rate"],
                   [new, previous, _ratio(new, previous)], axis)


def active_rate(
    activity: pd.DataFrame,
    users: pd.DataFrame,
    *,
    per: str | None = "M",
    customer: str = "user_id",
    at: str = "event_time",
    signup_at: str = "signup_time",
) -> pd.DataFrame:
    """Active rate (活跃率) = active users / users signed up by the end of the period.

    .. math:: a_p = \\frac{\\#\\{i \\text{ active in } p\\}}{U_p}

    The numerator is the calendar-period MAU of :func:`mau` (``per="M"``);
    :math:`U_p` counts every user of ``users`` signed up by the end of
    :math:`p`. The rest, :math:`1 - a_p`, are users the business has but did
    not see that month: the pool for reactivation. With ``per=None``:
    users ever active / all users.

    Parameters
    ----------
    activity
        One row per event, e.g. ``events``; every user must be in ``users``.
    users
        One row per user, with ``customer`` and ``signup_at``.
    per
        ``"D"``, ``"W"``, ``"M"``, ``"Q"``, ``"Y"``, or ``None`` for the whole table.
    customer, at
        Names of the user-id column (in both tables) and of the activity time.
    signup_at
        Sign-up time column of ``users``.

    Returns
    -------
    pandas.DataFrame
        ``active_users``, ``users`` and ``active_rate``; by period (first to
        last period of activity) unless ``per=None``.

    Raises
    ------
    DataError
        Bad columns, no rows, duplicate user ids, active users missing from
        ``users``, activity in a period before the user signed up, an
        unknown ``per``.

    Examples
    --------
    >>> import pandas as pd
    >>> users = pd.DataFrame({"user_id": [1, 2, 3, 4],
    ...     "signup_time": pd.to_datetime(["2025-01-05", "2025-01-10", "2025-01-30",
    ...                                    "2025-02-14"])})
    >>> events = pd.DataFrame({"user_id": [1, 2, 2, 4],
    ...     "event_time": pd.to_datetime(["2025-01-05", "2025-01-11", "2025-02-02",
    ...                                   "2025-02-14"])})
    >>> active_rate(events, users)  # doctest: +NORMALIZE_WHITESPACE
             active_users  users  active_rate
    period
    2025-01             2      3     0.666667
    2025-02             2      4     0.500000
    """
    freq = None if per is None else _freq(per, name="per")
    act = columns(activity, "activity", ids=[customer], times=[at])
    u, ids = _users_table(users, customer, signup_at)
    pos = _lookup(ids, act[customer].to_numpy(), table="activity", other="users",
                  customer=customer)
    names = ["active_users", "users", "active_rate"]
    if freq is None:
        n_active = int(np.bincount(pos, minlength=len(ids)).astype(bool).sum())
        return _result(names, [n_active, len(ids), n_active / len(ids)], None)
    per_o = _ordinals(act[at], freq)
    signup = _ordinals(u[signup_at], freq)
    _not_before_signup(per_o, signup[pos], activity, "activity", customer, at)
    axis = _Axis.spanning(freq, per_o)
    active = axis.distinct(pos, len(ids), per_o)
    n_users = _signed_up_by(signup, axis)
    return _result(names, [active, n_users, _ratio(active, n_users)], axis)


def _first_orders(signup_day: np.ndarray, pos: np.ndarray, order_day: np.ndarray,
                  orders: pd.DataFrame, customer: str, at: str) -> tuple[np.ndarray, int]:
    """First order day of every user (``_NEVER``: no order), and the last day seen."""
    early = order_day < signup_day[pos]
    if early.any():
        raise DataError(
            f"{int(early.sum()):,} order(s) on a day before their user signed up: a first "
            "purchase cannot come before the sign-up",
            table="orders",
            column=at,
            rows=orders.loc[early, [customer, at]].head(5),
            fix="check the sign-up times and the order times (same user ids? same time zone?)",
        )
    first = np.full(len(signup_day), _NEVER, dtype=np.int64)
    np.minimum.at(first, pos, order_day)
    return first, max(int(order_day.max()), int(signup_day.max()))


def _conversion(signup_day: np.ndarray, first: np.ndarray, end: int, within: int | None,
                basis: str, freq: str | None,
                axis: _Axis | None) -> tuple[list[str], list[object], _Axis | None]:
    """Counts and rate of first-purchase conversion (see first_purchase_conversion)."""
    if basis == "period":
        bought = first != _NEVER
        if freq is None:
            n_new, n_first = len(signup_day), int(bought.sum())
            return (["new_users", "first_buyers", "conversion"],
                    [n_new, n_first, n_first / n_new], None)
        sign_o = _ordinals(signup_day.astype("datetime64[D]"), freq)
        first_o = _ordinals(first[bought].astype("datetime64[D]"), freq)
        axis = axis or _Axis.spanning(freq, sign_o, *([first_o] if len(first_o) else []))
        new, firsts = axis.count(sign_o), axis.count(first_o)
        return (["new_users", "first_buyers", "conversion"], [new, firsts, _ratio(firsts, new)],
                axis)
    if within is None:
        eligible = np.ones(len(signup_day), dtype=bool)
        converted = first != _NEVER
    else:
        eligible = signup_day + within <= end
        converted = eligible & (first - signup_day <= within)
    names = ["new_users", "eligible", "converted", "conversion"]
    if freq is None:
        n_el = int(eligible.sum())
        if n_el == 0:
            raise _nobody("users whose conversion window is observed", "users",
                          f"no user signed up {within} days or more before the end of the data: "
                          "use a shorter within=, or within=None")
        n_conv = int(converted.sum())
        return names, [len(signup_day), n_el, n_conv, n_conv / n_el], None
    sign_o = _ordinals(signup_day.astype("datetime64[D]"), freq)
    axis = axis or _Axis.spanning(freq, sign_o)
    n_el, n_conv = axis.count(sign_o[eligible]), axis.count(sign_o[converted])
    return names, [axis.count(sign_o), n_el, n_conv, _ratio(n_conv, n_el)], axis


def first_purchase_conversion(
    users: pd.DataFrame,
    orders: pd.DataFrame,
    *,
    per: str | None = "M",
    window_days: int | None = None,
    basis: str = "cohort",
    customer: str = "user_id",
    signup_at: str = "signup_time",
    at: str = "order_time",
) -> pd.DataFrame:
    """First-purchase conversion (首购转化率): the share of new users who become buyers.

    Two definitions are in use, and they answer different questions:

    - ``basis="cohort"`` (default): of the users who signed up in period
      :math:`p`, the share whose first order came within ``window_days`` calendar
      days of the sign-up day (day 0 = the sign-up day itself), or at any
      time up to the end of the data with ``window_days=None``:

      .. math:: c_p = \\frac{\\#\\{i \\in S_p : f_i - s_i \\le w\\}}
                            {\\#\\{i \\in S_p : s_i + w \\le D\\}}

      with :math:`S_p` the sign-ups of :math:`p`, :math:`s_i` and
      :math:`f_i` the sign-up and first-order days and :math:`D` the last day
      of the data (of orders and sign-ups). Only users whose window is
      observed are in the denominator (``eligible``), as in
      :func:`coursekit.cohorts.day_n_retention`. It follows one group of
      people, so it lies in [0, 1] and cohorts can be compared fairly when
      ``window_days`` is given; with ``window_days=None`` recent cohorts have had less
      time to buy and look worse.
    - ``basis="period"``: first-time buyers of period :math:`p` (users whose
      first order falls in :math:`p`, whenever they signed up) divided by
      the sign-ups of :math:`p`. This is the monthly-report version: both
      counts are this month's, nothing waits to be observed, but the
      numerator and denominator are different people (last month's sign-ups
      buying now), so it can exceed 1 after a quiet sign-up month.

    Parameters
    ----------
    users
        One row per user, with ``customer`` and ``signup_at``.
    orders
        One row per order; every customer must be in ``users``.
    per
        ``"D"``, ``"W"``, ``"M"``, ``"Q"``, ``"Y"``, or ``None`` for all users.
    window_days
        Days after sign-up for the first order to count (``basis="cohort"``
        only), a whole number >= 0, or ``None`` for any time.
    basis
        ``"cohort"`` or ``"period"``, as above.
    customer, signup_at, at
        Names of the user-id column (both tables), the sign-up time and the
        order time.

    Returns
    -------
    pandas.DataFrame
        ``"cohort"``: ``new_users``, ``eligible``, ``converted``,
        ``conversion`` (index ``period``: the sign-up period).
        ``"period"``: ``new_users``, ``first_buyers``, ``conversion``.

    Raises
    ------
    DataError
        Bad columns, no rows, duplicate user ids, customers missing from
        ``users``, an order before its user's sign-up day, ``window_days``
        negative or given with ``basis="period"``, an unknown ``basis`` or
        ``per``; with ``per=None``, no user whose window is observed.

    Examples
    --------
    Three January sign-ups (one buys 2 days later, one 40 days later, one
    never) and one February sign-up who buys the same day:

    >>> import pandas as pd
    >>> users = pd.DataFrame({"user_id": [1, 2, 3, 4],
    ...     "signup_time": pd.to_datetime(["2025-01-02", "2025-01-10", "2025-01-20",
    ...                                    "2025-02-05"])})
    >>> orders = pd.DataFrame({"user_id": [1, 2, 4, 1],
    ...     "order_time": pd.to_datetime(["2025-01-04", "2025-02-19", "2025-02-05",
    ...                                   "2025-03-31"])})
    >>> first_purchase_conversion(users, orders)["conversion"].tolist()
    [0.6666666666666666, 1.0]
    >>> first_purchase_conversion(users, orders, window_days=7)["conversion"].tolist()
    [0.3333333333333333, 1.0]
    >>> first_purchase_conversion(users, orders, basis="period")["first_buyers"].tolist()
    [1, 2]
    """
    _check_flags("basis", basis, _BASES)
    freq = None if per is None else _freq(per, name="per")
    if window_days is not None:
        if basis == "period":
            raise ArgumentError(
                "within= needs basis='cohort': the period version counts first orders by "
                "calendar period, not by days since sign-up",
                name="window_days",
                fix="use basis='cohort' with within=, or leave within out",
            )
        window_days = _whole_number(window_days, "window_days", minimum=0,
                               fix="days after sign-up, e.g. within=7 (0: the sign-up day)")
    u, ids = _users_table(users, customer, signup_at)
    cols = columns(orders, "orders", ids=[customer], times=[at])
    pos = _lookup(ids, cols[customer].to_numpy(), table="orders", other="users",
                  customer=customer)
    signup_day = _ordinals(u[signup_at], "D")
    first, end = _first_orders(signup_day, pos, _ordinals(cols[at], "D"), orders, customer, at)
    names, values, axis = _conversion(signup_day, first, end, window_days, basis, freq, None)
    return _result(names, values, axis)


def average_purchase_count(
    orders: pd.DataFrame,
    *,
    per: str | None = "M",
    customer: str = "user_id",
    at: str = "order_time",
) -> pd.DataFrame:
    """Average purchase count (人均购买次数) = orders / buyers.

    .. math:: \\bar n_p = \\frac{\\text{orders in } p}
                              {\\#\\{\\text{customers with an order in } p\\}}

    Revenue per buyer (:func:`arppu`) is this number times the average order
    value (:func:`average_order_value`): ARPPU = purchases per buyer x AOV,
    the usual split of a revenue change into "buy more often" and "spend
    more per order". At least 1 in every period with orders.

    Parameters
    ----------
    orders
        One row per order.
    per
        ``"D"``, ``"W"``, ``"M"``, ``"Q"``, ``"Y"``, or ``None`` for the whole table.
    customer, at
        Column names.

    Returns
    -------
    pandas.DataFrame
        ``orders``, ``buyers`` and ``average_purchase_count`` (NaN in a
        period without orders).

    Raises
    ------
    DataError
        Bad columns, no orders, an unknown ``per``.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"user_id": [1, 1, 2, 1],
    ...     "order_time": pd.to_datetime(["2025-01-05", "2025-01-20", "2025-01-21",
    ...                                   "2025-03-02"])})
    >>> average_purchase_count(orders)["average_purchase_count"].tolist()
    [1.5, nan, 1.0]
    """
    cols, freq, per_o = _orders(orders, customer, at, None, per)
    cust, uniques = _factorize(cols[customer].to_numpy())
    names = ["orders", "buyers", "average_purchase_count"]
    if freq is None:
        return _result(names, [len(cust), len(uniques), len(cust) / len(uniques)], None)
    axis = _Axis.spanning(freq, per_o)
    n_orders = axis.count(per_o)
    buyers = axis.distinct(cust, len(uniques), per_o)
    return _result(names, [n_orders, buyers, _ratio(n_orders, buyers)], axis)


# --------------------------------------------------------------------------- the KPI system


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
