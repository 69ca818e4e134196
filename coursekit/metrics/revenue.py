"""Revenue per user and per order: ARPU, ARPPU, AOV, repurchase rate, purchases per buyer."""

from __future__ import annotations

import numpy as np
import pandas as pd

from coursekit._arrays import codes as _factorize
from coursekit._arrays import distinct, distinct_first
from coursekit._arrays import positions as _lookup
from coursekit._periods import Axis as _Axis
from coursekit._periods import freq as _freq
from coursekit._periods import ordinals as _ordinals
from coursekit._periods import ratio as _ratio
from coursekit.errors import ArgumentError, DataError
from coursekit.inputs import choice as _check_flags
from coursekit.inputs import columns, flag
from coursekit.metrics._shared import _nobody, _result

__all__ = ["arpu", "arppu", "average_order_value", "repurchase_rate", "average_purchase_count"]


_DENOMINATORS = ("signed_up", "active")


def _orders(orders: pd.DataFrame, customer: str | None, at: str, amount: str | None,
            per: str | None) -> tuple[pd.DataFrame, str | None, np.ndarray | None]:
    cols = columns(orders, "orders", ids=[] if customer is None else [customer], times=[at],
                   amounts=[] if amount is None else [amount])
    if per is None:
        return cols, None, None
    freq = _freq(per, name="per")
    return cols, freq, _ordinals(cols[at], freq)


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
    if flag("by_day", by_day):  # one purchase per customer and day
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
