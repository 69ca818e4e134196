"""Users and engagement: DAU, MAU, stickiness, user growth, active rate,
first-purchase conversion."""

from __future__ import annotations

import numpy as np
import pandas as pd

from coursekit._arrays import codes as _factorize
from coursekit._arrays import positions as _lookup
from coursekit._periods import Axis as _Axis
from coursekit._periods import freq as _freq
from coursekit._periods import ordinals as _ordinals
from coursekit._periods import ratio as _ratio
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
    _result,
    _signed_up_by,
    _users_table,
    _whole_number,
    _window,
)

__all__ = ["dau", "mau", "stickiness", "user_growth_rate", "active_rate",
           "first_purchase_conversion"]


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
    """First-purchase conversion (首单转化率): the share of new users who become buyers.

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
