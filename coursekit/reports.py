"""Standard operating reports (运营报表): service, delivery, customers and activity.

Every operations team reads the same few tables each week or month, and
each answers one question:

- **service response** (客服响应): how fast do we answer customers, how many
  tickets do we resolve, how satisfied are they? (:func:`service_response`)
- **shipping speed** (物流时效): how long do parcels take, and how many
  arrive by the promised day? (:func:`shipping_speed`)
- **customer structure** (客户结构): of this period's buyers, how many are
  new and how many come back, and how much of the revenue do returning
  buyers bring? (:func:`customer_structure`)
- **customer activity** (用户活跃): how many users are active, how many
  sign up, what share of everyone who signed up is still around?
  (:func:`customer_activity`)

:func:`dashboard` computes the four tables over the same periods and
:func:`coursekit.plots.dashboard` puts them on one page. A report is a *trend*: a rate
means little alone and a lot next to last week's. So every table has one row
per calendar period (``per="W"`` Monday-Sunday weeks, ``"M"`` months, also
``"D"``, ``"Q"``, ``"Y"``; index ``period``, every period from the first to
the last, empty ones included), and every rate sits beside the counts it is
made of, so a rate jumping on three tickets is seen for what it is.

The range is whole periods: from the period containing ``start`` to the one
containing ``end`` (default: the first and the last of the data). The last
period is often cut short by the end of the data: compare its rates, not its
counts.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd

from coursekit._arrays import codes as _factorize
from coursekit._arrays import distinct
from coursekit._periods import PERIODS
from coursekit._periods import Axis as _Axis
from coursekit._periods import freq as _freq
from coursekit._periods import ordinal as _ordinal
from coursekit._periods import ordinals as _ordinals
from coursekit._periods import ratio as _ratio
from coursekit.errors import ArgumentError, DataError
from coursekit.inputs import columns, on_scale, timestamp

__all__ = [
    "service_response",
    "shipping_speed",
    "customer_structure",
    "customer_activity",
    "Dashboard",
    "dashboard",
]


# --------------------------------------------------------------------------- helpers


def _window(
    freq: str, ordinals: np.ndarray, start: object, end: object, table: str, column: str
) -> tuple[_Axis, np.ndarray]:
    """The periods from ``start`` to ``end`` (default: the data's) and which rows fall in them."""
    lo_ts = None if start is None else timestamp(start, "start")
    hi_ts = None if end is None else timestamp(end, "end")
    if lo_ts is not None and hi_ts is not None and lo_ts > hi_ts:
        raise ArgumentError(
            f"start ({lo_ts:%Y-%m-%d}) is after end ({hi_ts:%Y-%m-%d})",
            name=["start", "end"],
            fix="swap them, or leave one out to use the first or last date of the data",
        )
    lo = int(ordinals.min()) if lo_ts is None else _ordinal(lo_ts, freq)
    hi = int(ordinals.max()) if hi_ts is None else _ordinal(hi_ts, freq)
    inside = (ordinals >= lo) & (ordinals <= hi)
    if lo > hi or not inside.any():
        first, last = (_Axis(freq, int(ordinals.min()), int(ordinals.max())).index[i]
                       for i in (0, -1))
        raise DataError(
            f"no rows between start={start!r} and end={end!r}; the data runs from {first} "
            f"to {last}",
            table=table,
            column=column,
            fix="choose start and end inside the data",
        )
    return _Axis(freq, lo, hi), inside


def _not_negative(values: np.ndarray, df: pd.DataFrame, name: str, table: str,
                  unit: str) -> None:
    bad = values < 0
    if bad.any():
        raise DataError(
            f"negative {unit}",
            table=table,
            column=name,
            rows=df.loc[bad, list(dict.fromkeys([name, *df.columns[:3]]))].head(5),
            fix=f"a duration cannot be negative: check how {name} was computed (end - start, "
            "same time zone?) and fix or drop those rows",
        )


def _flags(df: pd.DataFrame, name: str, table: str) -> np.ndarray:
    """A yes/no column (bool, or 0/1) as a bool array."""
    if name not in df.columns:
        raise DataError(f"missing column(s) [{name!r}]; the table has {list(df.columns)}",
                        table=table, column=[name],
                        fix="pass the names of your columns as keywords")
    s = df[name]
    if not (pd.api.types.is_bool_dtype(s.dtype) or pd.api.types.is_numeric_dtype(s.dtype)):
        raise DataError(f"expected True/False values, found {s.dtype}", table=table,
                        column=name, rows=df[[name]].head(3),
                        fix="convert to booleans, e.g. col == 'yes'")
    values = s.to_numpy(dtype="float64", na_value=np.nan)
    bad = np.isnan(values) | ~np.isin(values, (0.0, 1.0))
    if bad.any():
        raise DataError("expected True/False (or 1/0) without missing values", table=table,
                        column=name, rows=df.loc[bad, [name]].head(5),
                        fix="fill the missing values (not resolved yet = False) or drop the rows")
    return values == 1.0


def _optional_numbers(df: pd.DataFrame, name: str, table: str) -> np.ndarray:
    """A numeric column where missing means "not given" (e.g. no rating)."""
    if name not in df.columns:
        raise DataError(f"missing column(s) [{name!r}]; the table has {list(df.columns)}",
                        table=table, column=[name],
                        fix="pass the names of your columns as keywords")
    s = df[name]
    if pd.api.types.is_bool_dtype(s.dtype) or not pd.api.types.is_numeric_dtype(s.dtype):
        raise DataError(f"expected numbers, found {s.dtype} values", table=table, column=name,
                        rows=df[[name]].head(3), fix="convert with pd.to_numeric(col)")
    values = s.to_numpy(dtype="float64", na_value=np.nan)
    if np.isinf(values).any():
        raise DataError("infinite values", table=table, column=name,
                        rows=df.loc[np.isinf(values), [name]].head(5), fix="replace or drop them")
    return values


def _group_quantile(group: np.ndarray, values: np.ndarray, n: int, q: float) -> np.ndarray:
    """The q-quantile of ``values`` in each group 0..n-1 (numpy's linear method; NaN if empty).

    With the group's values sorted, :math:`x_0 \\le \\dots \\le x_{m-1}` and
    :math:`h = (m - 1) q`: :math:`x_{\\lfloor h \\rfloor} + (h - \\lfloor h \\rfloor)
    (x_{\\lfloor h \\rfloor + 1} - x_{\\lfloor h \\rfloor})`.
    """
    order = np.lexsort((values, group))
    v = values[order]
    counts = np.bincount(group, minlength=n)
    starts = np.cumsum(counts) - counts
    out = np.full(n, np.nan)
    has = counts > 0
    h = (counts[has] - 1) * q
    below = np.floor(h).astype(np.int64)
    above = np.minimum(below + 1, counts[has] - 1)
    s = starts[has]
    out[has] = v[s + below] + (h - below) * (v[s + above] - v[s + below])
    return out


def _groups(df: pd.DataFrame, by: str, table: str) -> tuple[np.ndarray, pd.Index]:
    checked = columns(df, table, ids=[by])
    codes, labels = pd.factorize(checked[by], sort=True)
    return codes.astype(np.int64), pd.Index(labels, name=by)


def _unique_users(users: pd.DataFrame, customer: str, extra: list[str]) -> pd.Index:
    ids = pd.Index(users[customer].to_numpy())
    if not ids.is_unique:
        raise DataError(
            "duplicate user ids: a user would be counted twice",
            table="users",
            column=customer,
            rows=users.loc[np.asarray(ids.duplicated(keep=False)), [customer, *extra]].head(5),
            fix="keep one row per user",
        )
    return ids


def _positions(universe: pd.Index, codes: np.ndarray, uniques: pd.Index, table: str,
               customer: str) -> np.ndarray:
    """Row of ``users`` for each coded customer of ``table``; DataError for strangers."""
    where = universe.get_indexer(uniques)
    if (where < 0).any():
        missing = uniques[where < 0]
        raise DataError(
            f"{len(missing):,} customer(s) of {table} are not in users",
            table="users",
            column=customer,
            rows=pd.DataFrame({customer: missing[:5]}),
            fix=f"users must hold every customer of {table} (check the id column and its type)",
        )
    return where[codes]


def _check_target(target_minutes: object) -> float:
    ok = isinstance(target_minutes, numbers.Real) and not isinstance(target_minutes, bool)
    if not ok or not (0 < float(target_minutes) < np.inf):  # type: ignore[arg-type]
        raise ArgumentError(f"target_minutes={target_minutes!r} must be a positive number",
                            name="target_minutes",
                            fix="e.g. target_minutes=30 for 'answered within half an hour'")
    return float(target_minutes)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- service


def service_response(
    tickets: pd.DataFrame,
    *,
    per: str = "M",
    target_minutes: float = 30.0,
    start: object = None,
    end: object = None,
    at: str = "created_time",
    response: str = "first_response_minutes",
    resolved: str = "resolved",
    satisfaction: str = "satisfaction",
) -> pd.DataFrame:
    """Customer-service response by period: speed, resolution and satisfaction.

    For the tickets :math:`T_p` opened in period :math:`p`, with first-response
    times :math:`r_i` in minutes:

    .. math::

        \\text{within target}_p = \\frac{\\#\\{i \\in T_p : r_i \\le \\tau\\}}{|T_p|}, \\quad
        \\text{resolution rate}_p = \\frac{\\#\\{i \\in T_p : \\text{resolved}_i\\}}{|T_p|}

    the median and 90th percentile (p90) of :math:`r_i` (numpy's linear
    interpolation), and the mean satisfaction over the tickets that were
    rated. The median says how a typical customer is served, p90 how the
    slowest tenth are: a queue problem shows in p90 first.

    Parameters
    ----------
    tickets
        One row per ticket (e.g. ``tickets``).
    per
        ``"D"``, ``"W"``, ``"M"`` (default), ``"Q"`` or ``"Y"``.
    target_minutes
        The service target :math:`\\tau` (default 30 minutes).
    start, end
        First and last date of the report; whole periods from the one
        containing ``start`` to the one containing ``end`` (default: the data's).
    at, response, resolved, satisfaction
        Column names: opening time, minutes to the first response (no
        missing values), resolved (True/False), satisfaction score (missing =
        not rated).

    Returns
    -------
    pandas.DataFrame
        Index ``period``; columns ``tickets``, ``median_response_minutes``,
        ``p90_response_minutes``, ``within_target``, ``within_target_share``,
        ``resolved``, ``resolution_rate``, ``rated``, ``satisfaction_mean``
        (NaN in a period without tickets or ratings).

    Raises
    ------
    DataError
        Missing columns, missing or unparseable dates, no rows, missing or
        negative minutes, a ``resolved`` column that is not True/False, a
        non-positive target, an unknown ``per``, start after end or no
        tickets between them.

    Examples
    --------
    >>> import pandas as pd
    >>> tickets = pd.DataFrame({
    ...     "created_time": pd.to_datetime(["2025-01-03", "2025-01-20", "2025-01-28",
    ...                                     "2025-02-11"]),
    ...     "first_response_minutes": [10.0, 20.0, 50.0, 5.0],
    ...     "resolved": [True, True, False, True],
    ...     "satisfaction": pd.array([5, 3, pd.NA, 4], dtype="Int64")})
    >>> service_response(tickets).T  # doctest: +NORMALIZE_WHITESPACE
    period                     2025-01  2025-02
    tickets                   3.000000      1.0
    median_response_minutes  20.000000      5.0
    p90_response_minutes     44.000000      5.0
    within_target             2.000000      1.0
    within_target_share       0.666667      1.0
    resolved                  2.000000      1.0
    resolution_rate           0.666667      1.0
    rated                     2.000000      1.0
    satisfaction_mean         4.000000      4.0
    """
    freq = _freq(per, name="per")
    target = _check_target(target_minutes)
    cols = columns(tickets, "tickets", times=[at], numbers=[response])
    minutes = cols[response].to_numpy()
    _not_negative(minutes, tickets, response, "tickets", "minutes")
    done = _flags(tickets, resolved, "tickets")
    score = _optional_numbers(tickets, satisfaction, "tickets")
    on_scale(tickets, "tickets", satisfaction, score)
    axis, inside = _window(freq, _ordinals(cols[at], freq), start, end, "tickets", at)
    pos = _ordinals(cols[at], freq)[inside] - axis.lo
    minutes, done, score = minutes[inside], done[inside], score[inside]
    n = np.bincount(pos, minlength=axis.n)
    fast = np.bincount(pos, weights=minutes <= target, minlength=axis.n).astype(np.int64)
    solved = np.bincount(pos, weights=done, minlength=axis.n).astype(np.int64)
    rated = ~np.isnan(score)
    n_rated = np.bincount(pos[rated], minlength=axis.n)
    score_sum = np.bincount(pos[rated], weights=score[rated], minlength=axis.n)
    return pd.DataFrame({
        "tickets": n,
        "median_response_minutes": _group_quantile(pos, minutes, axis.n, 0.5),
        "p90_response_minutes": _group_quantile(pos, minutes, axis.n, 0.9),
        "within_target": fast,
        "within_target_share": _ratio(fast, n),
        "resolved": solved,
        "resolution_rate": _ratio(solved, n),
        "rated": n_rated,
        "satisfaction_mean": _ratio(score_sum, n_rated),
    }, index=axis.index)


# --------------------------------------------------------------------------- shipping


def shipping_speed(
    orders: pd.DataFrame,
    *,
    per: str = "M",
    by: str | None = None,
    start: object = None,
    end: object = None,
    at: str = "order_time",
    promised: str = "promised_days",
    delivered: str = "delivery_days",
) -> pd.DataFrame:
    """Delivery time and on-time share by period (and warehouse).

    For the orders :math:`O_p` placed in period :math:`p`, with delivery
    times :math:`d_i` and promised times :math:`\\pi_i` in days:

    .. math::

        \\bar d_p = \\frac{1}{|O_p|} \\sum_{i \\in O_p} d_i, \\quad
        \\text{on-time share}_p = \\frac{\\#\\{i \\in O_p : d_i \\le \\pi_i\\}}{|O_p|}

    The mean delivery time can hide a problem in one warehouse behind the
    others: split by warehouse (``by="warehouse"``) to see where it is.

    Parameters
    ----------
    orders
        One row per delivered order.
    per
        ``"D"``, ``"W"``, ``"M"`` (default), ``"Q"`` or ``"Y"``.
    by
        A column of ``orders`` to split by, e.g. ``"warehouse"``; None for
        all orders together.
    start, end
        First and last date of the report (whole periods; default: the data's).
    at, promised, delivered
        Column names: order time, promised and actual delivery days.

    Returns
    -------
    pandas.DataFrame
        Index ``period`` (with ``by``: ``period`` and the group, every group
        in every period); columns ``orders``, ``mean_delivery_days``,
        ``on_time``, ``on_time_share`` (NaN without orders).

    Raises
    ------
    DataError
        Missing columns, missing or unparseable dates, no rows, missing or
        negative days (an order not delivered yet has no delivery time: leave
        it out), missing groups, an unknown ``per``, start after end or no
        orders between them.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({
    ...     "order_time": pd.to_datetime(["2025-07-07", "2025-07-08", "2025-07-15",
    ...                                   "2025-07-16"]),
    ...     "warehouse": ["east", "north", "east", "north"],
    ...     "promised_days": [2, 2, 2, 3], "delivery_days": [2, 1, 5, 3]})
    >>> shipping_speed(orders, per="W")  # doctest: +NORMALIZE_WHITESPACE
                           orders  mean_delivery_days  on_time  on_time_share
    period
    2025-07-07/2025-07-13       2                 1.5        2            1.0
    2025-07-14/2025-07-20       2                 4.0        1            0.5
    >>> shipping_speed(orders, per="W", by="warehouse")["on_time_share"].unstack()
    ... # doctest: +NORMALIZE_WHITESPACE
    warehouse              east  north
    period
    2025-07-07/2025-07-13   1.0    1.0
    2025-07-14/2025-07-20   0.0    1.0
    """
    freq = _freq(per, name="per")
    cols = columns(orders, "orders", times=[at], numbers=[promised, delivered])
    days, promise = cols[delivered].to_numpy(), cols[promised].to_numpy()
    _not_negative(days, orders, delivered, "orders", "delivery days")
    _not_negative(promise, orders, promised, "orders", "promised days")
    if by is not None:
        group, labels = _groups(orders, by, "orders")
    else:
        group, labels = np.zeros(len(days), dtype=np.int64), None
    ords = _ordinals(cols[at], freq)
    axis, inside = _window(freq, ords, start, end, "orders", at)
    n_g = 1 if labels is None else len(labels)
    cell = (ords[inside] - axis.lo) * n_g + group[inside]
    days, promise = days[inside], promise[inside]
    size = axis.n * n_g
    n = np.bincount(cell, minlength=size)
    total = np.bincount(cell, weights=days, minlength=size)
    on_time = np.bincount(cell, weights=days <= promise, minlength=size).astype(np.int64)
    index = (axis.index if labels is None
             else pd.MultiIndex.from_product([axis.index, labels]))
    return pd.DataFrame({"orders": n, "mean_delivery_days": _ratio(total, n),
                         "on_time": on_time, "on_time_share": _ratio(on_time, n)}, index=index)


# --------------------------------------------------------------------------- customers


def customer_structure(
    users: pd.DataFrame,
    orders: pd.DataFrame,
    *,
    per: str = "M",
    by: str | None = None,
    start: object = None,
    end: object = None,
    customer: str = "user_id",
    at: str = "order_time",
    amount: str = "amount",
) -> pd.DataFrame:
    """New and returning buyers by period, and the revenue share of returning buyers.

    A buyer of period :math:`p` is **new** when their first order (in the
    whole ``orders`` table, also before ``start``) falls in :math:`p`, and
    **returning** when it falls before :math:`p`. Revenue follows the buyer:
    a new buyer's second order in their first period is still new-buyer
    revenue.

    .. math::

        \\text{returning revenue share}_p =
        \\frac{\\sum_{\\text{orders in } p \\text{ of returning buyers}} \\text{amount}}
             {\\sum_{\\text{orders in } p} \\text{amount}}

    A shop living on new buyers pays for every sale again; a rising share of
    returning buyers is what retention work buys. Buyers whose first order
    predates the data look new in the first periods: read the trend after the
    first few.

    Parameters
    ----------
    users
        One row per user (``customer``, and the ``by`` column if any).
    orders
        One row per order.
    per
        ``"D"``, ``"W"``, ``"M"`` (default), ``"Q"`` or ``"Y"``.
    by
        A column of ``users`` to split by, e.g. ``"member_tier"`` or
        ``"city_tier"``; None for everyone together.
    start, end
        First and last date of the report (whole periods; default: the data's).
    customer, at, amount
        Column names (``customer`` in both tables).

    Returns
    -------
    pandas.DataFrame
        Index ``period`` (with ``by``: ``period`` and the group); columns
        ``buyers``, ``new_buyers``, ``returning_buyers``,
        ``returning_buyer_share``, ``revenue``, ``returning_revenue``,
        ``returning_revenue_share`` (NaN without buyers or revenue).

    Raises
    ------
    DataError
        Missing columns, missing or unparseable dates, missing ids, no rows,
        negative amounts, duplicate user ids, customers of ``orders`` missing
        from ``users``, an unknown ``per``, start after end or no orders
        between them.

    Examples
    --------
    >>> import pandas as pd
    >>> users = pd.DataFrame({"user_id": [1, 2, 3], "member_tier": ["gold", "bronze",
    ...                                                              "bronze"]})
    >>> orders = pd.DataFrame({"user_id": [1, 2, 1, 2, 3],
    ...     "order_time": pd.to_datetime(["2025-01-05", "2025-01-09", "2025-02-02",
    ...                                   "2025-02-03", "2025-02-20"]),
    ...     "amount": [100.0, 20.0, 80.0, 30.0, 50.0]})
    >>> customer_structure(users, orders).T  # doctest: +NORMALIZE_WHITESPACE
    period                   2025-01     2025-02
    buyers                       2.0    3.000000
    new_buyers                   2.0    1.000000
    returning_buyers             0.0    2.000000
    returning_buyer_share        0.0    0.666667
    revenue                    120.0  160.000000
    returning_revenue            0.0  110.000000
    returning_revenue_share      0.0    0.687500
    """
    freq = _freq(per, name="per")
    columns(users, "users", ids=[customer])
    o = columns(orders, "orders", ids=[customer], times=[at], amounts=[amount])
    universe = _unique_users(users, customer, [])
    cust, uniques = _factorize(o[customer].to_numpy())
    row = _positions(universe, cust, uniques, "orders", customer)
    if by is not None:
        user_group, labels = _groups(users, by, "users")
        group = user_group[row]
    else:
        group, labels = np.zeros(len(cust), dtype=np.int64), None
    ords = _ordinals(o[at], freq)
    first = np.full(len(uniques), np.iinfo(np.int64).max)
    np.minimum.at(first, cust, ords)
    returning = first[cust] < ords
    axis, inside = _window(freq, ords, start, end, "orders", at)
    n_g = 1 if labels is None else len(labels)
    size = axis.n * n_g
    cell = (ords[inside] - axis.lo) * n_g + group[inside]
    money = o[amount].to_numpy()[inside]
    revenue = np.bincount(cell, weights=money, minlength=size)
    back = np.bincount(cell, weights=np.where(returning[inside], money, 0.0), minlength=size)
    # distinct (customer, cell): the customer's group never changes, so one key per buyer-period
    key = distinct(cust[inside] * size + cell)
    buyer, buyer_cell = key // size, key % size
    buyer_back = first[buyer] < buyer_cell // n_g + axis.lo
    buyers = np.bincount(buyer_cell, minlength=size)
    back_buyers = np.bincount(buyer_cell[buyer_back], minlength=size)
    index = (axis.index if labels is None
             else pd.MultiIndex.from_product([axis.index, labels]))
    return pd.DataFrame({
        "buyers": buyers,
        "new_buyers": buyers - back_buyers,
        "returning_buyers": back_buyers,
        "returning_buyer_share": _ratio(back_buyers, buyers),
        "revenue": revenue,
        "returning_revenue": back,
        "returning_revenue_share": _ratio(back, revenue),
    }, index=index)


def customer_activity(
    events: pd.DataFrame,
    users: pd.DataFrame,
    *,
    per: str = "M",
    start: object = None,
    end: object = None,
    customer: str = "user_id",
    at: str = "event_time",
    signup_at: str = "signup_time",
) -> pd.DataFrame:
    """Active users, sign-ups, mean DAU and the share of users active, by period.

    With :math:`A_p` the users with at least one event in period :math:`p`,
    :math:`R_p` the users signed up by the end of :math:`p`, and
    :math:`\\mathrm{DAU}_d` the users with an event on day :math:`d`:

    .. math::

        \\text{active share}_p = \\frac{|A_p|}{|R_p|}, \\quad
        \\overline{\\mathrm{DAU}}_p = \\frac{1}{D_p} \\sum_{d \\in p} \\mathrm{DAU}_d

    where :math:`D_p` counts the days of :math:`p` between the first and the
    last day of ``events`` (a period cut by the end of the data is averaged
    over its observed days only). Active users of a month are its MAU; the
    ratio of mean DAU to MAU is the stickiness of the month.

    Parameters
    ----------
    events
        One row per event (any activity: a visit, a view, an order).
    users
        One row per user, with the sign-up time.
    per
        ``"D"``, ``"W"``, ``"M"`` (default), ``"Q"`` or ``"Y"``.
    start, end
        First and last date of the report (whole periods; default: the
        events').
    customer, at, signup_at
        Column names: user id (both tables), event time, sign-up time.

    Returns
    -------
    pandas.DataFrame
        Index ``period``; columns ``active_users``, ``new_users`` (sign-ups
        in the period), ``registered_users`` (signed up by its end),
        ``active_share``, ``dau_mean``, ``days`` (the :math:`D_p` above).

    Raises
    ------
    DataError
        Missing columns, missing or unparseable dates, missing ids, no rows,
        duplicate user ids, users of ``events`` missing from ``users``, events
        in a period before their user signed up, an unknown ``per``, start
        after end or no events between them.

    Examples
    --------
    >>> import pandas as pd
    >>> users = pd.DataFrame({"user_id": [1, 2, 3],
    ...     "signup_time": pd.to_datetime(["2025-01-01", "2025-01-02", "2025-01-09"])})
    >>> events = pd.DataFrame({"user_id": [1, 1, 2, 1, 3, 3],
    ...     "event_time": pd.to_datetime(["2025-01-01 09:00", "2025-01-01 18:00",
    ...         "2025-01-02 10:00", "2025-01-03 10:00", "2025-01-09 10:00",
    ...         "2025-01-10 10:00"])})
    >>> out = customer_activity(events, users, per="W")
    >>> out.index = out.index.start_time.strftime("week of %m-%d")
    >>> out.T  # doctest: +NORMALIZE_WHITESPACE
    period            week of 12-30  week of 01-06
    active_users                2.0       1.000000
    new_users                   2.0       1.000000
    registered_users            2.0       3.000000
    active_share                1.0       0.333333
    dau_mean                    0.6       0.400000
    days                        5.0       5.000000

    The data starts on 1 January and ends on 10 January: each week has five
    observed days (DAU 1, 1, 1, 0, 0 and 0, 0, 0, 1, 1).
    """
    freq = _freq(per, name="per")
    u = columns(users, "users", ids=[customer], times=[signup_at])
    e = columns(events, "events", ids=[customer], times=[at])
    universe = _unique_users(users, customer, [signup_at])
    cust, uniques = _factorize(e[customer].to_numpy())
    row = _positions(universe, cust, uniques, "events", customer)
    ords = _ordinals(e[at], freq)
    signup = _ordinals(u[signup_at], freq)
    early = ords < signup[row]
    if early.any():
        raise DataError(
            f"{int(early.sum()):,} event(s) in a period before their user signed up",
            table="events",
            column=at,
            rows=events.loc[early, [customer, at]].head(5),
            fix="check the sign-up and event times (same ids? same time zone?), or pass the "
            "events of signed-up users only",
        )
    axis, inside = _window(freq, ords, start, end, "events", at)
    active = axis.distinct(row[inside], len(universe), ords[inside])
    # sign-ups per period; registered = everyone signed up by the end of the period
    before = np.clip(signup - axis.lo, -1, axis.n)  # -1: before the first period
    per_slot = np.bincount(before + 1, minlength=axis.n + 2)
    new_users = per_slot[1:-1]
    registered = np.cumsum(per_slot)[1:-1]
    # daily active users, summed over the days of each period
    days_all = _ordinals(e[at], "D")
    d_lo, d_hi = int(days_all.min()), int(days_all.max())
    days = days_all[inside]
    daily = _Axis("D", int(days.min()), int(days.max()))
    dau = daily.distinct(row[inside], len(universe), days)
    day_numbers = np.arange(daily.lo, daily.lo + daily.n)
    day_pos = _ordinals(day_numbers.astype("datetime64[D]"), freq) - axis.lo
    dau_sum = np.bincount(day_pos, weights=dau, minlength=axis.n)
    # observed days of each period: its days between the first and last day of the events
    first_day = np.arange(axis.lo, axis.lo + axis.n)
    n_days = _days_observed(first_day, freq, d_lo, d_hi)
    return pd.DataFrame({
        "active_users": active,
        "new_users": new_users,
        "registered_users": registered,
        "active_share": _ratio(active, registered),
        "dau_mean": _ratio(dau_sum, n_days),
        "days": n_days,
    }, index=axis.index)


def _days_observed(ordinals: np.ndarray, freq: str, d_lo: int, d_hi: int) -> np.ndarray:
    """Days of each period (by ordinal) between day numbers d_lo and d_hi, inclusive."""
    periods = pd.PeriodIndex.from_ordinals(ordinals, freq=PERIODS[freq])
    first = periods.start_time.to_numpy().astype("datetime64[D]").astype(np.int64)
    last = periods.end_time.to_numpy().astype("datetime64[D]").astype(np.int64)
    return np.maximum(np.minimum(last, d_hi) - np.maximum(first, d_lo) + 1, 0)



# --------------------------------------------------------------------------- dashboard


@dataclass(frozen=True, eq=False)
class Dashboard:
    """The four standard reports over the same periods (see :func:`dashboard`).

    Attributes
    ----------
    service
        :func:`service_response` by period.
    shipping
        :func:`shipping_speed` by period and warehouse.
    customers
        :func:`customer_structure` by period.
    activity
        :func:`customer_activity` by period.
    per
        The period code (``"W"``, ``"M"``, ...).
    target_minutes
        The response-time target of ``service``.
    """

    service: pd.DataFrame
    shipping: pd.DataFrame
    customers: pd.DataFrame
    activity: pd.DataFrame
    per: str
    target_minutes: float


def dashboard(
    tickets: pd.DataFrame,
    orders: pd.DataFrame,
    users: pd.DataFrame,
    events: pd.DataFrame,
    *,
    per: str = "W",
    start: object = None,
    end: object = None,
    customer: str = "user_id",
    warehouse: str = "warehouse",
    target_minutes: float = 30.0,
) -> Dashboard:
    """The four standard reports on one common range of periods, ready for one page.

    Runs :func:`service_response`, :func:`shipping_speed` (split by
    ``warehouse``), :func:`customer_structure` and :func:`customer_activity`
    with the same ``per``, ``start`` and ``end``. By default the range runs
    from the earliest to the latest date of the four tables, so the four
    tables have the same rows. Draw it with :func:`coursekit.plots.dashboard`.

    Parameters
    ----------
    tickets, orders, users, events
        The course tables (default column names as in the four functions;
        ``customer`` names the user id column of ``orders``, ``users`` and
        ``events``).
    per
        ``"W"`` (default) for a weekly page, ``"M"`` for a monthly one (also
        ``"D"``, ``"Q"``, ``"Y"``).
    start, end
        First and last date of the report (whole periods).
    customer
        User id column (``"user_id"`` in the course tables).
    warehouse
        Column of ``orders`` to split shipping by.
    target_minutes
        Service response target.

    Returns
    -------
    Dashboard

    Raises
    ------
    DataError
        Whatever the four functions raise; start after end; no data of some
        table between start and end.

    Examples
    --------
    >>> import coursekit as ck
    >>> report = dashboard(ck.load("tickets"), ck.load("orders"), ck.load("users"),
    ...                    ck.load("events"), per="M", start="2025-01-01", end="2025-06-30")
    >>> [len(t) for t in (report.service, report.customers, report.activity)]
    [6, 6, 6]
    >>> report.shipping.index.names
    FrozenList(['period', 'warehouse'])
    """
    freq = _freq(per, name="per")
    if start is None or end is None:
        spans = [columns(t, name, times=[col])[col]
                 for t, name, col in ((tickets, "tickets", "created_time"),
                                      (orders, "orders", "order_time"),
                                      (events, "events", "event_time"))]
        if start is None:
            start = min(s.min() for s in spans)
        if end is None:
            end = max(s.max() for s in spans)
    common = dict(per=freq, start=start, end=end)
    return Dashboard(
        service=service_response(tickets, target_minutes=target_minutes, **common),
        shipping=shipping_speed(orders, by=warehouse, **common),
        customers=customer_structure(users, orders, customer=customer, **common),
        activity=customer_activity(events, users, customer=customer, **common),
        per=freq,
        target_minutes=_check_target(target_minutes),
    )
