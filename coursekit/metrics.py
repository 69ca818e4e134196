"""KPI formulas: one definition per metric, the formula in its docstring.

Every function takes plain tables with overridable column names and
returns, with ``per=None``, a Series holding the metric and the numbers it is
made of (``revenue``, ``users``, ...), or with ``per="M"`` (``"D"``, ``"W"``,
``"Q"``, ``"Y"``) a DataFrame with one row per calendar period (index
``period``, every period from the first to the last of the data, empty ones
included) and the same columns. So ``arpu(...)["arpu"]`` is a number in the
first case and a Series by period in the second.

Revenue per user
    :func:`arpu` (revenue / users), :func:`arppu` (revenue / paying users).
Orders
    :func:`average_order_value`, :func:`repurchase_rate`.
Acquisition and value
    :func:`cac` (spend / new users, by channel), :func:`ltv_simple` (the
    textbook ARPU x margin / churn), :func:`payback_periods` (from an LTV
    curve of :func:`coursekit.cohorts.ltv_curves`).

Engagement metrics (DAU, MAU, stickiness) come with module 6.

A denominator of zero is never turned into a number: a whole-table metric
with nobody to divide by raises :class:`~coursekit.errors.DataError`, and a
period with nobody to divide by shows NaN (0 / 0) or ``inf`` (money spent,
nobody acquired), with the counts beside it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from coursekit.cohorts import _check_flags, _factorize, _freq, _labels, _lookup, _ordinals
from coursekit.errors import DataError
from coursekit.inputs import columns

__all__ = [
    "arpu",
    "arppu",
    "average_order_value",
    "repurchase_rate",
    "cac",
    "ltv_simple",
    "payback_periods",
]

_DENOMINATORS = ("signed_up", "active")


# --------------------------------------------------------------------------- helpers


class _Axis:
    """Calendar periods from ``lo`` to ``hi`` (ordinals), as positions 0..n-1."""

    def __init__(self, freq: str, lo: int, hi: int) -> None:
        self.freq, self.lo, self.n = freq, lo, hi - lo + 1

    @classmethod
    def spanning(cls, freq: str, *ordinals: np.ndarray) -> _Axis:
        return cls(freq, min(int(o.min()) for o in ordinals),
                   max(int(o.max()) for o in ordinals))

    def count(self, ordinals: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(ordinals - self.lo, weights=weights, minlength=self.n)

    def distinct(self, cust: np.ndarray, n_cust: int, ordinals: np.ndarray) -> np.ndarray:
        """Distinct customers per period."""
        pos = ordinals - self.lo
        if n_cust * self.n <= 1 << 27:
            mark = np.zeros(n_cust * self.n, dtype=bool)
            mark[cust * self.n + pos] = True
            pairs = np.flatnonzero(mark)
        else:
            pairs = pd.unique(cust * self.n + pos)
        return np.bincount(pairs % self.n, minlength=self.n)

    @property
    def index(self) -> pd.PeriodIndex:
        return _labels(np.arange(self.lo, self.lo + self.n), self.freq, "period")


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den with 0 / 0 = NaN and x / 0 = inf (x > 0), without warnings."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(num, dtype=np.float64) / np.asarray(den, dtype=np.float64)


def _result(names: list[str], values: list[object], axis: _Axis | None) -> pd.Series | pd.DataFrame:
    if axis is None:
        return pd.Series([float(v) for v in values], index=names, dtype=np.float64)
    return pd.DataFrame(dict(zip(names, values, strict=True)), index=axis.index)


def _nobody(what: str, table: str, fix: str) -> DataError:
    return DataError(f"no {what} to divide by", table=table, fix=fix)


def _orders(orders: pd.DataFrame, customer: str | None, at: str, amount: str | None,
            per: str | None) -> tuple[pd.DataFrame, str | None, np.ndarray | None]:
    cols = columns(orders, "orders", ids=[customer] if customer else [], times=[at],
                   amounts=[amount] if amount else [])
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
    customer: str = "customer_id",
    at: str = "order_time",
    amount: str = "amount",
    signup_at: str = "signup_time",
    activity_at: str = "event_time",
) -> pd.Series | pd.DataFrame:
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
    signup_at, activity_at
        Time columns of ``users`` and ``activity``.

    Returns
    -------
    pandas.Series or pandas.DataFrame
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
    >>> orders = pd.DataFrame({"customer_id": [1, 1, 2],
    ...     "order_time": pd.to_datetime(["2025-01-05", "2025-02-01", "2025-02-10"]),
    ...     "amount": [30.0, 20.0, 50.0]})
    >>> users = pd.DataFrame({"customer_id": [1, 2, 3, 4],
    ...     "signup_time": pd.to_datetime(["2025-01-01", "2025-01-20", "2025-02-01",
    ...                                    "2025-02-15"])})
    >>> arpu(orders, users)  # doctest: +NORMALIZE_WHITESPACE
             revenue  users  arpu
    period
    2025-01     30.0      2  15.0
    2025-02     70.0      4  17.5
    >>> arpu(orders, 10, per=None)["arpu"]
    np.float64(10.0)
    """
    _check_flags("denominator", denominator, _DENOMINATORS)
    cols, freq, per_o = _orders(orders, customer, at, amount, per)
    revenue_all = cols[amount].to_numpy()
    if denominator == "active":
        if activity is None:
            raise DataError(
                "denominator='active' needs a table of activity",
                table="arguments",
                column="activity",
                fix="pass activity=events (and activity_at='event_time'), or use "
                "denominator='signed_up' with the users table",
            )
        act = columns(activity, "activity", ids=[customer], times=[activity_at])
        ids = np.concatenate([cols[customer].to_numpy(), act[customer].to_numpy()])
        cust, uniques = _factorize(ids)
        if freq is None:
            n = len(uniques)
            return _result(["revenue", "users", "arpu"],
                           [revenue_all.sum(), n, revenue_all.sum() / n], None)
        ords = np.concatenate([per_o, _ordinals(act[activity_at], freq)])
        axis = _Axis.spanning(freq, per_o)
        inside = (ords >= axis.lo) & (ords < axis.lo + axis.n)
        n_users = axis.distinct(cust[inside], len(uniques), ords[inside])
        revenue = axis.count(per_o, revenue_all)
        return _result(["revenue", "users", "arpu"], [revenue, n_users, _ratio(revenue, n_users)],
                       axis)

    if users is None:
        raise DataError(
            "ARPU over signed-up users needs the users table or their number",
            table="arguments",
            column="users",
            fix="pass users=coursekit.load('users') (or a number of users), or "
            "denominator='active' with activity=events",
        )
    if isinstance(users, int | np.integer) and not isinstance(users, bool):
        if users <= 0:
            raise DataError(
                f"users={users}: ARPU needs a positive number of users",
                table="arguments",
                column="users",
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
        raise DataError(
            f"users must be the users table or a number, got {type(users).__name__}",
            table="arguments",
            column="users",
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
    customer: str = "customer_id",
    at: str = "order_time",
    amount: str = "amount",
) -> pd.Series | pd.DataFrame:
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
    pandas.Series or pandas.DataFrame
        ``revenue``, ``paying_users`` and ``arppu`` (NaN in a period without
        paying users).

    Raises
    ------
    DataError
        Bad columns; with ``per=None``, no order of positive amount.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"customer_id": [1, 1, 2],
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
        payers = len(np.unique(cust[paid]))
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
) -> pd.Series | pd.DataFrame:
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
    pandas.Series or pandas.DataFrame
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
    >>> average_order_value(orders, per=None)["aov"]
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
    customer: str = "customer_id",
    at: str = "order_time",
    by_day: bool = False,
) -> pd.Series | pd.DataFrame:
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
    pandas.Series or pandas.DataFrame
        ``buyers``, ``repeat_buyers`` and ``repurchase_rate`` (NaN in a period
        without buyers).

    Raises
    ------
    DataError
        Bad columns, no orders.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"customer_id": [1, 1, 2, 3, 3],
    ...     "order_time": pd.to_datetime(["2025-01-05 10:00", "2025-01-05 18:00",
    ...                                   "2025-01-09 09:00", "2025-01-10 09:00",
    ...                                   "2025-01-25 09:00"])})
    >>> repurchase_rate(orders, per=None)["repurchase_rate"]
    np.float64(0.6666666666666666)
    >>> repurchase_rate(orders, per=None, by_day=True)["repurchase_rate"]
    np.float64(0.3333333333333333)
    """
    cols, freq, per_o = _orders(orders, customer, at, None, per)
    cust, uniques = _factorize(cols[customer].to_numpy())
    n_cust = len(uniques)
    if by_day:  # one purchase per customer and day
        days = _ordinals(cols[at], "D")
        _, first = np.unique(cust * (int(days.max()) - int(days.min()) + 1)
                             + (days - days.min()), return_index=True)
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
    date: str = "date",
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
    weeks of spend by two years of sign-ups. A row with spend and no new users
    shows ``inf``; no spend and no users, NaN.

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
    channel, date, amount
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
        Bad columns, negative spend, a Series of counts with ``per``.

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
    s = columns(spend, "spend", ids=[channel], times=[date], amounts=[amount])
    cat = pd.Categorical(s[channel]).remove_unused_categories()
    channels = pd.Index(cat.categories, name=channel)
    ch_code = cat.codes.astype(np.int64)
    money = s[amount].to_numpy()
    days = _ordinals(s[date], "D")
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
        return pd.DataFrame({"spend": total, "new_users": n, "cac": _ratio(total, n)},
                            index=channels)
    freq = _freq(per, name="per")
    s_per = _ordinals(s[date], freq)
    axis = _Axis.spanning(freq, s_per)
    u_per = _ordinals(u[signup_at], freq)[inside]
    total = np.bincount((s_per - axis.lo) * n_ch + ch_code, weights=money,
                        minlength=axis.n * n_ch)
    n = np.bincount((u_per - axis.lo) * n_ch + u_ch[inside], minlength=axis.n * n_ch)
    index = pd.MultiIndex.from_product([axis.index, channels])
    return pd.DataFrame({"spend": total, "new_users": n, "cac": _ratio(total, n)}, index=index)


def _checked(x: object, name: str, lo: float, hi: float, *, lo_open: bool, what: str) -> None:
    try:
        values = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise DataError(f"expected numbers, got {x!r}", table="arguments", column=name,
                        fix=what) from None
    ok = np.isfinite(values) & (values > lo if lo_open else values >= lo) & (values <= hi)
    if not ok.all():
        bad = values.ravel()[~ok.ravel()][:5]
        raise DataError(f"{name} out of range: {bad.tolist()}", table="arguments",
                        column=name, fix=what)


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
        Columns not 0, 1, 2, ...; negative or missing CAC; a CAC Series not
        covering every row; margin out of (0, 1].

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
    values = frame.to_numpy(dtype=np.float64, na_value=np.nan)
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
        raise DataError("cac must be a number (or a Series, for several curves)",
                        table="arguments", column="cac", fix="e.g. cac=85.0")
    if np.isnan(costs).any() or (costs < 0).any():
        raise DataError(f"cac must be >= 0, got {costs[np.isnan(costs) | (costs < 0)][:5]}",
                        table="arguments", column="cac", fix="CAC is spend / new users, >= 0")
    covered = margin * np.nan_to_num(values, nan=-np.inf) >= costs[:, None]
    reached = covered.any(axis=1)
    out = np.where(reached, covered.argmax(axis=1) + 1.0, np.nan)
    if single:
        return float(out[0])
    return pd.Series(out, index=frame.index, name="payback_periods")
