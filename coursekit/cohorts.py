"""Cohorts: retention tables, day-N retention and cohort LTV curves.

A *cohort* is the group of customers who started in the same calendar period.
By default a customer's start is their **first** activity in the table given
(first order, first event); pass ``start=`` (e.g. the ``users`` table with its
``signup_time``) to start everyone at sign-up instead. The classic mistake is
to put each *order* in the cohort of its own month: that is not a cohort
table, and its numbers are different.

Conventions shared by every function here:

- **Periods** are calendar periods (pandas Periods): ``"D"`` days, ``"W"``
  weeks Monday to Sunday, ``"M"`` months, ``"Q"`` quarters, ``"Y"`` years.
  Column ``k`` of a table is the k-th period after the cohort's own period
  (``0`` = the cohort period itself), counted in whole calendar periods: an
  order on 31 January and one on 1 February are one month apart.
- **The end of the data** is ``asof``, exclusive (default: just after the
  latest time in the table). The period holding the last instant before it
  counts as observed, even when the data stops part-way through it;
  activity at or after ``asof`` is ignored.
- **NaN means "not observed yet"**: a cell whose period lies after the end of
  the data is NaN, never 0. A cohort of March has no month-10 value in
  a table that ends in December. A 0 means observed, and nobody was active.
- **Cohort sizes** come from :func:`cohort_sizes`, called with the same
  arguments: a Series with the same row labels. They are kept out of the
  table so that it is all rates and can go straight into a heatmap,
  ``.mean()`` or a plot.

Everything is vectorised: customers and periods become integer codes, and
cells are counted with ``np.bincount`` on packed (row, period) keys.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from coursekit._arrays import codes as _factorize
from coursekit._arrays import positions as _lookup
from coursekit._periods import freq as _freq
from coursekit._periods import labels as _labels
from coursekit._periods import ordinal as _ordinal
from coursekit._periods import ordinals as _ordinals
from coursekit.errors import ArgumentError, DataError
from coursekit.inputs import choice as _check_flags
from coursekit.inputs import columns, timestamp
from coursekit.inputs import flag as _flag

__all__ = ["retention", "cohort_sizes", "day_n_retention", "ltv_curves"]

_KINDS = ("customers", "revenue", "revenue_share", "revenue_per_customer")
_WINDOWS = ("exact", "within")
_DENSE_LIMIT = 1 << 27  # cells of a (customer x period) bitmap: 128 MB at most
_BIG = np.iinfo(np.int64).max


# --------------------------------------------------------------------------- periods


# --------------------------------------------------------------------------- customers


def _keyed(
    obj: object, name: str, customer: str, col: str, *, times: bool
) -> tuple[pd.Index, pd.Series]:
    """A per-customer argument (``start``, ``by``) as (unique ids, values).

    Accepts a Series indexed by customer id, or a DataFrame with the
    ``customer`` column and the ``col`` column.
    """
    if isinstance(obj, pd.Series):
        frame = pd.DataFrame({customer: obj.index.to_numpy(), col: obj.reset_index(drop=True)})
    elif isinstance(obj, pd.DataFrame):
        frame = obj
    else:
        raise DataError(
            f"expected a Series indexed by customer id or a table, got {type(obj).__name__}",
            table=name,
            fix=f"e.g. {name}=users (with columns {customer!r} and {col!r}) or "
            f"users.set_index({customer!r})[{col!r}]",
        )
    if times:
        checked = columns(frame, name, ids=[customer], times=[col])
    else:
        checked = columns(frame, name, ids=[customer, col])
    ids = pd.Index(checked[customer].to_numpy())
    if not ids.is_unique:
        dup = ids.duplicated(keep=False)
        raise DataError(
            "duplicate customer ids: each customer needs exactly one value",
            table=name,
            column=customer,
            rows=frame.loc[np.asarray(dup), [customer, col]].head(5),
            fix="keep one row per customer, e.g. .drop_duplicates(subset=[customer])",
        )
    return ids, checked[col]


def _by_source(activity: pd.DataFrame, table: str, start: object, customer: str,
               by: object) -> tuple[pd.DataFrame, str]:
    """The table that holds the group column ``by``, one row per customer.

    ``by`` names a column of ``start`` (when it is a table, e.g. the users
    table) or else of the activity table, where it must hold one value per
    customer (a channel, a city tier: something fixed for the customer).
    """
    if not isinstance(by, str):
        raise ArgumentError(
            "by must be the name of a column",
            name="by",
            value=by,
            fix="e.g. by='channel' with start=users, or a column of the activity table",
        )
    if isinstance(start, pd.DataFrame) and by in start.columns:
        return start, "start"
    if by not in activity.columns:
        where = f"the {table} table" + (" or in start" if isinstance(start, pd.DataFrame) else "")
        raise DataError(
            f"no column {by!r} in {where}",
            table=table,
            column=by,
            fix="pass start=users to group by a users column, or add the column to the table",
        )
    pairs = activity[[customer, by]].drop_duplicates()
    if pairs[customer].duplicated().any():
        several = pairs[customer].duplicated(keep=False).to_numpy()
        raise DataError(
            "customers with more than one value: by needs one group per customer",
            table=table,
            column=by,
            rows=pairs.loc[several].sort_values(customer).head(6),
            fix="group by a column fixed for the customer (e.g. from the users table: "
            "start=users, by='channel')",
        )
    return pairs, table


@dataclass(frozen=True)
class _Prepared:
    """Activity coded as integers, ready for bincount."""

    cust: np.ndarray  # per activity row: customer code
    per: np.ndarray  # per activity row: period ordinal
    value: np.ndarray | None  # per activity row: value, if any
    first: np.ndarray  # per customer code: cohort period ordinal
    keep: np.ndarray | None  # per customer code: counted (None = all)
    group: np.ndarray  # per customer code: group code (0 when no ``by``)
    groups: pd.Index | None  # group labels, or None
    end: int  # ordinal of the last observed period
    freq: str


def _prepare(
    activity: pd.DataFrame,
    *,
    table: str,
    customer: str,
    at: str,
    value: str | None,
    freq: str,
    start: object,
    start_at: str,
    by: object,
    asof: object,
) -> _Prepared:
    cols = columns(activity, table, ids=[customer], times=[at],
                   amounts=[value] if value is not None else [])
    per = _ordinals(cols[at], freq)
    raw_ids = cols[customer].to_numpy()
    vals = cols[value].to_numpy() if value is not None else None
    if start is None:
        cust, ids = _factorize(raw_ids)
        first = np.full(len(ids), _BIG, dtype=np.int64)
        np.minimum.at(first, cust, per)
    else:
        ids, start_times = _keyed(start, "start", customer, start_at, times=True)
        cust = _lookup(ids, raw_ids, table=table, other="start", customer=customer)
        first = _ordinals(start_times, freq)
    if asof is None:
        end = int(per.max())
        drop = np.zeros(len(per), dtype=bool)
    else:
        moment = timestamp(asof, "asof")
        end = _ordinal(moment - pd.Timedelta(1, "ns"), freq)  # the period of the last instant
        if end < int(first.min()):
            raise ArgumentError(
                "asof is before the first period of the data",
                name="asof",
                value=asof,
                fix="give a date inside the data, or leave asof out to use all of it",
            )
        drop = np.array(cols[at] >= moment, dtype=bool)
    # rows at or after asof, or (with start=) before the customer's start, are ignored
    drop |= per > end
    if start is not None:
        drop |= per < first[cust]
    if drop.any():
        cust, per = cust[~drop], per[~drop]
        vals = vals[~drop] if vals is not None else None
    keep = (first <= end) if (first > end).any() else None

    group = np.zeros(len(ids), dtype=np.int64)
    groups = None
    if by is not None:
        name = by
        source, where = _by_source(activity, table, start, customer, by)
        by_ids, by_values = _keyed(source, where, customer, by, times=False)
        sel = np.arange(len(ids)) if keep is None else np.flatnonzero(keep)
        pos = _lookup(by_ids, ids[sel], table=table, other="by", customer=customer)
        cat = pd.Categorical(by_values.iloc[pos]).remove_unused_categories()
        group[sel] = cat.codes
        groups = pd.Index(cat.categories, name=name)
    return _Prepared(cust, per, vals, first, keep, group, groups, end, freq)


@dataclass(frozen=True)
class _Rows:
    """The rows (group x cohort) of an output table."""

    row: np.ndarray  # per customer code: row number (-1: not counted)
    size: np.ndarray  # customers per row
    cohort: np.ndarray  # cohort ordinal per row
    group: np.ndarray  # group code per row
    index: pd.Index
    n_cols: int


def _rows(p: _Prepared) -> _Rows:
    """Number the (group, cohort) pairs that have customers, in group then cohort order."""
    counted = np.ones(len(p.first), dtype=bool) if p.keep is None else p.keep
    lo = int(p.first[counted].min())
    n_coh = p.end - lo + 1
    key = np.where(counted, p.group * n_coh + (p.first - lo), 0)
    n_groups = 1 if p.groups is None else len(p.groups)
    size = np.bincount(key[counted], minlength=n_groups * n_coh)
    present = np.flatnonzero(size)
    remap = np.full(n_groups * n_coh, -1, dtype=np.int64)
    remap[present] = np.arange(len(present))
    row = np.where(counted, remap[key], -1)
    cohort = present % n_coh + lo
    group = present // n_coh
    labels = _labels(cohort, p.freq, "cohort")
    if p.groups is None:
        index: pd.Index = labels
    else:
        index = pd.MultiIndex.from_arrays([p.groups[group], labels])
    return _Rows(row, size[present], cohort, group, index, n_coh)


def _frame(cells: np.ndarray, rows: _Rows, p: _Prepared, since: str) -> pd.DataFrame:
    """Cells (rows x periods since) as a DataFrame, NaN after the end of the data."""
    observed = np.arange(rows.n_cols)[None, :] <= (p.end - rows.cohort)[:, None]
    cells = np.where(observed, cells, np.nan)
    return pd.DataFrame(cells, index=rows.index,
                        columns=pd.RangeIndex(rows.n_cols, name=since))


def _active_counts(p: _Prepared, rows: _Rows, age: np.ndarray) -> np.ndarray:
    """Distinct customers per (row, periods since): rows x n_cols integers."""
    n_cust, n_cols = len(p.first), rows.n_cols
    if n_cust * n_cols <= _DENSE_LIMIT:  # a bitmap of (customer, period) marks
        mark = np.zeros(n_cust * n_cols, dtype=bool)
        mark[p.cust * n_cols + age] = True
        pairs = np.flatnonzero(mark)
    else:  # long daily tables: distinct packed keys by hashing
        pairs = pd.unique(p.cust * n_cols + age)
    cust, k = np.divmod(pairs, n_cols)
    flat = rows.row[cust] * n_cols + k
    n = len(rows.size) * n_cols
    return np.bincount(flat, minlength=n).reshape(len(rows.size), n_cols)


# --------------------------------------------------------------------------- retention


def retention(
    activity: pd.DataFrame,
    *,
    customer: str = "user_id",
    at: str = "order_time",
    per: str = "M",
    kind: str | None = None,
    value: str | None = None,
    counts: bool = False,
    start: pd.DataFrame | pd.Series | None = None,
    start_at: str = "signup_time",
    by: str | None = None,
    asof: object = None,
) -> pd.DataFrame:
    """Cohort retention table: cohorts by row, periods since the cohort's period by column.

    For a customer :math:`i` with cohort period :math:`c_i` (the period of
    their first activity, or of their ``start``), and :math:`A_{i,p} = 1` when
    :math:`i` has at least one row in period :math:`p`:

    - ``kind="customers"``: cell :math:`(c, k) = \\frac{1}{n_c} \\sum_{i: c_i = c}
      A_{i, c+k}`, the share of the cohort's :math:`n_c` customers active in
      its k-th period (``counts=True``: the number of them);
    - ``kind="revenue"``: cell :math:`(c, k)` = the cohort's total ``value``
      in its k-th period; over the whole table the cells add up to the total
      of ``value`` (within the observed periods);
    - ``kind="revenue_share"``: the same divided by the cohort's period-0
      revenue (net revenue retention; above 1 when the cohort spends more than
      in its first period);
    - ``kind="revenue_per_customer"``: the same divided by the cohort size
      :math:`n_c` (every customer of the cohort, active or not).

    Without ``start``, period 0 of ``kind="customers"`` is 1 (100 %) by
    construction. With ``start`` (e.g. the users' ``signup_time``) cohorts
    are sign-up periods, customers of ``start`` with no activity count in the
    cohort size, and period 0 is the share active in their sign-up period.

    Parameters
    ----------
    activity
        One row per order, event or session: anything with a customer and a time.
    customer, at
        Names of the customer-id and time columns (for the course's events:
        ``at="event_time"``; the customer column is ``user_id`` by default).
    per
        ``"D"``, ``"W"`` (Monday to Sunday), ``"M"``, ``"Q"`` or ``"Y"``:
        calendar periods.
    kind
        ``"customers"`` (default without ``value``), ``"revenue"`` (default
        with ``value``), ``"revenue_share"`` or ``"revenue_per_customer"``.
    value
        Column of amounts (e.g. ``"amount"``), for the revenue kinds.
    counts
        With ``kind="customers"``: numbers of customers instead of shares.
    start
        Optional start of every customer: a Series (index: customer id,
        values: times) or a table with the ``customer`` and ``start_at``
        columns, e.g. the ``users`` table. Every customer of ``activity`` must
        be in it; activity before a customer's start period is ignored.
    start_at
        Column of ``start`` holding the start time, when ``start`` is a table.
    by
        Optional group column (e.g. ``"channel"``): a column of ``start`` when
        it is a table, else of ``activity`` (one value per customer). One
        block of cohorts per group, rows indexed by (group, cohort).
    asof
        End of the data, exclusive: activity at or after it is ignored, and
        the period holding the instant just before it is the last observed
        one (``asof="2026-01-01"`` ends the data with December 2025). Default:
        all of the data, up to the period of its latest time.

    Returns
    -------
    pandas.DataFrame
        Index ``cohort`` (a PeriodIndex; with ``by``: group, cohort), only
        cohorts with at least one customer; columns ``0, 1, ..., K`` named
        ``periods_since_first`` (``periods_since_start`` with ``start``),
        ``K`` = periods from the first cohort to the end of the data. NaN
        where the period is after the end of the data; floats throughout.
        The number of customers of each row is :func:`cohort_sizes`.

    Raises
    ------
    DataError
        Missing or bad columns (see :func:`coursekit.inputs.columns`), an
        unknown ``per`` or ``kind``, a revenue kind without ``value``,
        customers missing from ``start`` or ``by``, ``asof`` before the data.

    Examples
    --------
    Customer 1 buys in January, February and March, customer 2 only in
    January, customer 3 in February and March:

    >>> import pandas as pd
    >>> orders = pd.DataFrame({
    ...     "user_id": [1, 2, 1, 3, 3, 1],
    ...     "order_time": pd.to_datetime(["2025-01-05", "2025-01-20", "2025-02-10",
    ...                                   "2025-02-03", "2025-03-01", "2025-03-15"]),
    ...     "amount": [100.0, 80, 50, 60, 40, 30]})
    >>> retention(orders)  # doctest: +NORMALIZE_WHITESPACE
    periods_since_first    0    1    2
    cohort
    2025-01              1.0  0.5  0.5
    2025-02              1.0  1.0  NaN
    >>> retention(orders, value="amount")  # doctest: +NORMALIZE_WHITESPACE
    periods_since_first      0     1     2
    cohort
    2025-01              180.0  50.0  30.0
    2025-02               60.0  40.0   NaN
    """
    freq = _freq(per)
    if kind is None:
        kind = "customers" if value is None else "revenue"
    _check_flags("kind", kind, _KINDS)
    if kind != "customers" and value is None:
        raise ArgumentError(
            f"kind={kind!r} needs the column of amounts",
            name="value",
            fix="pass value='amount' (or the name of your amount column)",
        )
    if _flag("counts", counts) and kind != "customers":
        raise ArgumentError(
            f"counts=True is for kind='customers'; kind={kind!r} is money",
            name="counts",
            fix="drop counts=True, or use kind='revenue' for the totals",
        )
    p = _prepare(activity, table="activity", customer=customer, at=at,
                 value=value if kind != "customers" else None, freq=freq, start=start,
                 start_at=start_at, by=by, asof=asof)
    since = "periods_since_first" if start is None else "periods_since_start"
    rows = _rows(p)
    age = p.per - p.first[p.cust]
    n_cols = rows.n_cols
    if kind == "customers":
        cells = _active_counts(p, rows, age).astype(np.float64)
        if not counts:
            cells /= rows.size[:, None]
    else:
        flat = rows.row[p.cust] * n_cols + age
        cells = np.bincount(flat, weights=p.value, minlength=len(rows.size) * n_cols)
        cells = cells.reshape(len(rows.size), n_cols)
        if kind == "revenue_share":
            with np.errstate(divide="ignore", invalid="ignore"):
                cells = cells / cells[:, :1]
        elif kind == "revenue_per_customer":
            cells = cells / rows.size[:, None]
    return _frame(cells, rows, p, since)


# --------------------------------------------------------------------------- day N


def cohort_sizes(
    activity: pd.DataFrame,
    *,
    customer: str = "user_id",
    at: str = "order_time",
    per: str = "M",
    start: pd.DataFrame | pd.Series | None = None,
    start_at: str = "signup_time",
    by: str | None = None,
    asof: object = None,
) -> pd.Series:
    """Customers in each cohort: the row sizes of :func:`retention` and :func:`ltv_curves`.

    Takes the same arguments as :func:`retention` (those that shape the
    rows) and returns one number per row, with the same row labels, so that
    ``retention(orders)`` and ``cohort_sizes(orders)`` line up.

    Returns
    -------
    pandas.Series
        ``customers``, indexed like the table (``cohort``; with ``by``:
        group, cohort).

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({
    ...     "user_id": [1, 2, 1, 3, 3, 1],
    ...     "order_time": pd.to_datetime(["2025-01-05", "2025-01-20", "2025-02-10",
    ...                                   "2025-02-03", "2025-03-01", "2025-03-15"])})
    >>> cohort_sizes(orders).to_dict()
    {Period('2025-01', 'M'): 2, Period('2025-02', 'M'): 1}
    """
    p = _prepare(activity, table="activity", customer=customer, at=at, value=None,
                 freq=_freq(per), start=start, start_at=start_at, by=by, asof=asof)
    rows = _rows(p)
    return pd.Series(rows.size.astype(np.int64), index=rows.index, name="customers")


def day_n_retention(
    events: pd.DataFrame,
    *,
    customer: str = "user_id",
    at: str = "event_time",
    start: pd.DataFrame | pd.Series | None = None,
    start_at: str = "signup_time",
    days: Iterable[int] = (1, 7, 30),
    basis: str = "exact",
    by: str | None = None,
    asof: object = None,
) -> pd.DataFrame:
    """Day-N retention (次日留存, 7日留存, 30日留存): share of users back on day N.

    Days are calendar days. Day 0 is the day of the user's start: the day of
    their ``start`` time (e.g. sign-up) when ``start`` is given, else the day
    of their first row in ``events``. For each N in ``days``:

    - ``basis="exact"``: a user is retained when they have at least one
      event on calendar day N after their start day (day 0 + N);
    - ``basis="within"``: at least one event on days 1 to N (returned within N days).

    Denominator: only users whose day N is observed, that is day 0 + N is on
    or before the last day of the data (the day before ``asof``; by default
    the day of the latest event); users who started too recently are left out of that N's
    rate, not counted as lost. Users of ``start`` with no events count (as
    not retained). Events before a user's start day are ignored.

    .. math:: r_N = \\frac{\\#\\{i : d_i + N \\le D,\\ i \\text{ active on day } d_i + N\\}}
                          {\\#\\{i : d_i + N \\le D\\}}

    where :math:`d_i` is user :math:`i`'s start day and :math:`D` the last
    day of the data.

    Parameters
    ----------
    events
        One row per event (or order, or session).
    customer, at
        Names of the user-id and time columns.
    start
        Optional start per user: a Series (index: user id, values: times) or a
        table with the ``customer`` and ``start_at`` columns (e.g. ``users``).
        Every user of ``events`` must be in it.
    start_at
        Column of ``start`` with the start times, when ``start`` is a table.
    days
        The N to report, positive integers.
    basis
        ``"exact"`` or ``"within"``, as above.
    by
        Optional group column (e.g. ``"channel"``, see :func:`retention`): one
        rate per group and N.
    asof
        End of the data, exclusive (see :func:`retention`): the last observed
        day is the one before it.

    Returns
    -------
    pandas.DataFrame
        Index ``day`` (with ``by``: group, day); columns ``users`` (users whose
        day N is observed), ``retained`` and ``rate`` = retained / users (NaN
        when no user's day N is observed yet).

    Raises
    ------
    DataError
        Bad columns, ``days`` not positive integers, unknown ``basis``, users
        missing from ``start`` or ``by``.

    Examples
    --------
    Three users sign up on 1 March; the data ends on 8 March. User 1 comes
    back on 2 March, user 2 on 8 March, user 3 never; user 4 signs up on
    7 March and is back on 8 March:

    >>> import pandas as pd
    >>> users = pd.DataFrame({"user_id": [1, 2, 3, 4], "signup_time": pd.to_datetime(
    ...     ["2025-03-01 09:00", "2025-03-01 23:50", "2025-03-01 12:00", "2025-03-07 08:00"])})
    >>> events = pd.DataFrame({"user_id": [1, 1, 2, 2, 3, 4, 4], "event_time": pd.to_datetime(
    ...     ["2025-03-01 09:00", "2025-03-02 08:00", "2025-03-01 23:50", "2025-03-08 10:00",
    ...      "2025-03-01 12:00", "2025-03-07 10:00", "2025-03-08 09:00"])})
    >>> out = day_n_retention(events, start=users, days=[1, 7])
    >>> out  # doctest: +NORMALIZE_WHITESPACE
         users  retained      rate
    day
    1        4         2  0.500000
    7        3         1  0.333333
    >>> day_n_retention(events, start=users, days=[7],
    ...                 basis="within")["rate"].tolist()
    [0.6666666666666666]
    """
    _check_flags("basis", basis, _WINDOWS)
    days_list = list(days) if not isinstance(days, str | bytes) and isinstance(
        days, Iterable) else [days]
    if not days_list or not all(
        isinstance(n, int | np.integer) and not isinstance(n, bool) and n >= 1
        for n in days_list
    ):
        raise ArgumentError(
            f"days must be positive whole numbers of days, got {days!r}",
            name="days",
            fix="e.g. days=(1, 7, 30)",
        )
    p = _prepare(events, table="events", customer=customer, at=at, value=None, freq="D",
                 start=start, start_at=start_at, by=by, asof=asof)
    age = p.per - p.first[p.cust]
    n_cust = len(p.first)
    n_groups = 1 if p.groups is None else len(p.groups)
    counted = np.ones(n_cust, dtype=bool) if p.keep is None else p.keep
    users, retained = [], []
    for n in days_list:  # a handful of N, each vectorised over all users and rows
        eligible = counted & (p.first + int(n) <= p.end)
        hit = (age == n) if basis == "exact" else ((age >= 1) & (age <= n))
        active = np.zeros(n_cust, dtype=bool)
        active[p.cust[hit]] = True
        active &= eligible
        users.append(np.bincount(p.group[eligible], minlength=n_groups))
        retained.append(np.bincount(p.group[active], minlength=n_groups))
    u = np.stack(users, axis=1).ravel()  # group-major: (group, day)
    r = np.stack(retained, axis=1).ravel()
    day_index = pd.Index([int(n) for n in days_list], name="day")
    if p.groups is None:
        index: pd.Index = day_index
    else:
        index = pd.MultiIndex.from_product([p.groups, day_index])
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(u > 0, r / np.maximum(u, 1), np.nan)
    return pd.DataFrame({"users": u, "retained": r, "rate": rate}, index=index)


# --------------------------------------------------------------------------- LTV curves


def ltv_curves(
    orders: pd.DataFrame,
    *,
    customer: str = "user_id",
    at: str = "order_time",
    amount: str = "amount",
    per: str = "M",
    by: str | None = None,
    start: pd.DataFrame | pd.Series | None = None,
    start_at: str = "signup_time",
    pooled: bool = False,
    asof: object = None,
) -> pd.DataFrame:
    """Cohort LTV curves: cumulative revenue per customer by periods since the first purchase.

    For cohort :math:`c` with :math:`n_c` customers and revenue
    :math:`R_{c,j}` in its j-th period:

    .. math:: \\mathrm{LTV}_{c,k} = \\frac{1}{n_c} \\sum_{j=0}^{k} R_{c,j}

    the running total of :func:`retention` with ``kind="revenue_per_customer"``.
    NaN after the end of the data. The curve never falls (amounts are not
    negative).

    Which customers count in :math:`n_c` matters when the curve is compared
    with a cost per *user*: without ``start`` the cohort is the customers'
    first-purchase period and :math:`n_c` counts buyers only; with
    ``start=users`` the cohort is the sign-up period and :math:`n_c` counts
    every user who signed up, buyers or not, which is what CAC (spend per new
    user) is divided by.

    ``pooled=True`` merges the cohorts into one curve (per group): each
    period's revenue per customer is averaged over every cohort observed that
    long, then accumulated,

    .. math:: \\mathrm{LTV}_k = \\sum_{j=0}^{k}
              \\frac{\\sum_{c \\in O_j} R_{c,j}}{\\sum_{c \\in O_j} n_c}

    where :math:`O_j` are the cohorts observed for at least j periods. Each
    step uses all the customers who could have reached it, so later steps
    rest on fewer, older cohorts; unlike averaging the cohorts' cumulative
    values, the pooled curve never falls.

    Parameters
    ----------
    orders
        One row per order.
    customer, at, amount
        Names of the customer-id, order-time and amount columns.
    per
        ``"D"``, ``"W"``, ``"M"``, ``"Q"`` or ``"Y"``.
    by
        Optional group column (e.g. ``"channel"``, see :func:`retention`):
        rows indexed by (group, cohort), or by group when pooled.
    start, start_at
        Optional start per customer (e.g. ``start=users``, column
        ``signup_time``); see :func:`retention`.
    pooled
        One curve (per group) instead of one per cohort.
    asof
        End of the data; see :func:`retention`.

    Returns
    -------
    pandas.DataFrame
        Rows: cohorts (``cohort``; with ``by``: group, cohort), or with
        ``pooled=True`` one row per group (a single row ``"all"`` without
        ``by``). Columns ``0, 1, ..., K`` (periods since first purchase, or
        since start). Values in the unit of ``amount`` per customer.
        The customers of each row are :func:`cohort_sizes` (summed over the
        cohorts of a group when pooled).

    Raises
    ------
    DataError
        As :func:`retention`.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({
    ...     "user_id": [1, 2, 1, 3, 3, 1],
    ...     "order_time": pd.to_datetime(["2025-01-05", "2025-01-20", "2025-02-10",
    ...                                   "2025-02-03", "2025-03-01", "2025-03-15"]),
    ...     "amount": [100.0, 80, 50, 60, 40, 30]})
    >>> ltv_curves(orders)  # doctest: +NORMALIZE_WHITESPACE
    periods_since_first      0      1      2
    cohort
    2025-01               90.0  115.0  130.0
    2025-02               60.0  100.0    NaN
    >>> ltv_curves(orders, pooled=True)  # doctest: +NORMALIZE_WHITESPACE
    periods_since_first     0      1      2
    all                  80.0  110.0  125.0
    """
    freq = _freq(per)
    p = _prepare(orders, table="orders", customer=customer, at=at, value=amount, freq=freq,
                 start=start, start_at=start_at, by=by, asof=asof)
    pooled = _flag("pooled", pooled)
    since = "periods_since_first" if start is None else "periods_since_start"
    rows = _rows(p)
    n_rows, n_cols = len(rows.size), rows.n_cols
    age = p.per - p.first[p.cust]
    revenue = np.bincount(rows.row[p.cust] * n_cols + age, weights=p.value,
                          minlength=n_rows * n_cols).reshape(n_rows, n_cols)
    if not pooled:
        return _frame(np.cumsum(revenue, axis=1) / rows.size[:, None], rows, p, since)
    observed = np.arange(n_cols)[None, :] <= (p.end - rows.cohort)[:, None]
    present = np.unique(rows.group)
    g = np.searchsorted(present, rows.group)
    index = pd.Index(["all"]) if p.groups is None else p.groups[present]
    n_g = len(index)
    money = np.zeros((n_g, n_cols))
    people = np.zeros((n_g, n_cols))
    np.add.at(money, g, np.where(observed, revenue, 0.0))
    np.add.at(people, g, np.where(observed, rows.size[:, None], 0))
    step = np.where(people > 0, money / np.maximum(people, 1), np.nan)
    curve = np.cumsum(step, axis=1)  # NaN from the first unobserved step on
    return pd.DataFrame(curve, index=index, columns=pd.RangeIndex(n_cols, name=since))
