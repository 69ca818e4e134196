"""Funnels from event logs: AIPL stages, their flows, paths of new and returning
customers, and ordered conversion funnels.

**AIPL** (Awareness, Interest, Purchase, Loyalty; 认知 / 兴趣 / 购买 / 忠诚), the
consumer-stage model Alibaba's Databank made standard in Chinese e-commerce,
puts every user in the *highest* stage their behaviour has reached
(Loyalty > Purchase > Interest > Awareness). The rules used here, for the
behaviour before ``asof`` (and within the last ``window_days`` when given):

=========  ===================================================================
stage      rule
=========  ===================================================================
loyalty    ``loyal_orders`` orders or more (default 2: a repeat purchase)
purchase   at least one order
interest   at least one engagement event: :data:`INTEREST_EVENTS` (search,
           add to cart, share, invite): the user did something beyond looking
awareness  any other event: sign-up, page or product views only
=========  ===================================================================

Orders are the ``order`` events of the log, or the rows of an ``orders``
table when one is given. Without ``window_days`` the stages are
*cumulative* (all history counts), so a user's stage can only rise with
time; with ``window_days=N`` only the last N days count, as in Databank's
look-back windows, so users also fall back (a buyer who has not returned
for N days is no longer a buyer) and leave the map altogether ("none").

The other functions:

- :func:`aipl_counts`: users per stage on several dates;
- :func:`aipl_flows`: from-stage x to-stage matrix between two dates;
- :func:`new_vs_returning_paths`: the typical step sequences of sessions by
  customers who have not ordered yet and by those who have;
- :func:`funnel`: an ordered funnel (view, then add to cart, then order),
  within a session or a time window, with step conversion.

Examples
--------
>>> import pandas as pd
>>> events = pd.DataFrame({
...     "user_id": [1, 2, 2, 3, 3, 4, 4],
...     "event_time": pd.to_datetime(["2025-01-01", "2025-01-02", "2025-01-03", "2025-01-02",
...                                   "2025-01-04", "2025-01-05", "2025-02-05"]),
...     "event_type": ["view", "view", "search", "view", "order", "order", "order"]})
>>> aipl(events, asof="2025-03-01")["stage"].tolist()
['awareness', 'interest', 'purchase', 'loyalty']
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
import pandas as pd

from coursekit._arrays import distinct_first
from coursekit.errors import ArgumentError, DataError
from coursekit.inputs import columns, timestamp

__all__ = [
    "STAGES",
    "STAGES_ZH",
    "INTEREST_EVENTS",
    "PathSummary",
    "aipl",
    "aipl_counts",
    "aipl_flows",
    "new_vs_returning_paths",
    "funnel",
]

#: AIPL stages, lowest first (the order of the categorical ``stage`` column).
STAGES = ["awareness", "interest", "purchase", "loyalty"]

#: The Chinese name of each stage.
STAGES_ZH = {"awareness": "认知", "interest": "兴趣", "purchase": "购买", "loyalty": "忠诚"}

#: Event types that show interest: an action beyond viewing.
INTEREST_EVENTS = ("search", "add_to_cart", "share", "invite")

_NONE = "none"
_AWARE, _INTEREST, _ORDER = 1, 2, 3


# --------------------------------------------------------------------------- AIPL


@dataclass(frozen=True)
class _Log:
    """Events (and orders) reduced to what AIPL needs, sorted by time."""

    user: np.ndarray  # codes into ids
    ns: np.ndarray  # int64 nanoseconds
    level: np.ndarray  # _AWARE, _INTEREST or _ORDER
    ids: pd.Index
    first: pd.Timestamp


def _ns(times: pd.Series) -> np.ndarray:
    return times.to_numpy(dtype="datetime64[ns]").view("int64")


def _log(
    events: pd.DataFrame,
    *,
    customer: str,
    at: str,
    event: str,
    orders: pd.DataFrame | None,
    order_at: str,
    interest_events: Sequence[str],
) -> _Log:
    data = columns(events, "events", ids=[customer, event], times=[at])
    kind = data[event].astype(str).to_numpy()
    level = np.full(len(data), _AWARE, dtype=np.int8)
    level[np.isin(kind, list(interest_events))] = _INTEREST
    who = [data[customer].to_numpy()]
    when = [_ns(data[at])]
    if orders is None:
        level[kind == "order"] = _ORDER
    else:
        o = columns(orders, "orders", ids=[customer], times=[order_at], allow_empty=True)
        who.append(o[customer].to_numpy())
        when.append(_ns(o[order_at]))
        level = np.concatenate([level, np.full(len(o), _ORDER, dtype=np.int8)])
    user, ids = pd.factorize(np.concatenate(who), sort=True)
    ns = np.concatenate(when)
    order = np.argsort(ns, kind="stable")
    return _Log(user=user[order], ns=ns[order], level=level[order],
                ids=pd.Index(ids, name=customer), first=pd.Timestamp(ns[order[0]]))


def _asof(log: _Log, asof: object, name: str = "asof") -> pd.Timestamp:
    if asof is None:
        return pd.Timestamp(log.ns[-1]).normalize() + pd.Timedelta(days=1)
    when = timestamp(asof, name, table="events")
    if when <= log.first:
        raise DataError(
            f"{name} {when:%Y-%m-%d} is not after the first event ({log.first:%Y-%m-%d})",
            table="events",
            column=name,
            fix="choose a day inside the data",
        )
    return when


def _stages(log: _Log, when: pd.Timestamp, window_days: float | None,
            loyal_orders: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Stage code per user (0 = none) and the counts it rests on."""
    hi = np.searchsorted(log.ns, when.as_unit("ns").value, side="left")
    lo = 0
    if window_days is not None:
        start = when - pd.Timedelta(days=window_days)
        lo = np.searchsorted(log.ns, start.as_unit("ns").value, side="left")
    user, level = log.user[lo:hi], log.level[lo:hi]
    n = len(log.ids)
    touches = np.bincount(user, minlength=n)
    engaged = np.bincount(user[level == _INTEREST], minlength=n)
    bought = np.bincount(user[level == _ORDER], minlength=n)
    stage = np.select([bought >= loyal_orders, bought > 0, engaged > 0, touches > 0],
                      [4, 3, 2, 1], default=0)
    return stage, touches, engaged, bought


def _check_aipl_args(loyal_orders: object, window_days: object) -> None:
    if not isinstance(loyal_orders, Integral) or loyal_orders < 2:
        raise ArgumentError("loyal_orders must be a whole number of 2 or more",
                            name="loyal_orders", value=loyal_orders,
                            fix="loyalty means buying again: 2 (a repeat purchase) or more")
    if window_days is not None and (
        not isinstance(window_days, Real) or isinstance(window_days, bool)
        or not np.isfinite(window_days)
        or window_days <= 0
    ):
        raise ArgumentError(f"window_days must be a positive number of days or None, got "
                            f"{window_days!r}", name="window_days")


def aipl(
    events: pd.DataFrame,
    *,
    customer: str = "user_id",
    at: str = "event_time",
    event_type: str = "event_type",
    asof: object = None,
    orders: pd.DataFrame | None = None,
    loyal_orders: int = 2,
    window_days: float | None = None,
    order_at: str = "order_time",
    interest_events: Sequence[str] = INTEREST_EVENTS,
) -> pd.DataFrame:
    """Each user's AIPL stage on the day ``asof``: the highest stage reached.

    Parameters
    ----------
    events
        One row per event (``coursekit.load("events")``).
    customer, at, event_type
        Names of the user-id, event-time and event-type columns.
    asof
        The moment the stages describe; only behaviour strictly before it
        counts. Default: the day after the last event.
    orders
        Optional orders table (same ``customer`` column, times in
        ``order_at``). When given, its rows are the orders and ``order``
        events of the log count as awareness only; users who ordered without
        any logged event are included.
    loyal_orders
        Orders needed for loyalty (2: a repeat purchase).
    window_days
        Count only behaviour in the last ``window_days`` days before ``asof``
        (a look-back window); default: all history (cumulative stages).
    order_at
        Order-time column of ``orders``.
    interest_events
        Event types that count as interest (default :data:`INTEREST_EVENTS`).

    Returns
    -------
    pandas.DataFrame
        One row per user seen (in the window) before ``asof``, index: user id,
        with ``events`` (events and orders counted), ``engagements`` (interest
        events), ``orders`` and ``stage`` (ordered categorical, :data:`STAGES`).

    Raises
    ------
    DataError
        Bad input (see :func:`coursekit.inputs.columns`), ``asof`` not after
        the first event, ``loyal_orders`` below 2, or a window that is not a
        positive number of days.

    Notes
    -----
    The stage is :math:`\\max` over the user's behaviour of the stage each
    piece of behaviour proves, with loyalty proven by the
    ``loyal_orders``-th order. Cumulatively (``window_days=None``) the
    counts behind every rule only grow as ``asof`` moves on, so stages never
    go down: :func:`aipl_flows` then shows only upward moves.

    Examples
    --------
    >>> import pandas as pd
    >>> events = pd.DataFrame({
    ...     "user_id": [1, 1, 1],
    ...     "event_time": pd.to_datetime(["2025-01-01", "2025-01-10", "2025-03-01"]),
    ...     "event_type": ["view", "order", "order"]})
    >>> aipl(events, asof="2025-02-01").loc[1, "stage"]
    'purchase'
    >>> aipl(events, asof="2025-03-15").loc[1, "stage"]
    'loyalty'
    >>> recent = aipl(events, asof="2025-03-15", window_days=30)
    >>> int(recent.loc[1, "orders"]), recent.loc[1, "stage"]
    (1, 'purchase')
    """
    _check_aipl_args(loyal_orders, window_days)
    log = _log(events, customer=customer, at=at, event=event_type, orders=orders, order_at=order_at,
               interest_events=interest_events)
    when = _asof(log, asof)
    stage, touches, engaged, bought = _stages(log, when, window_days, loyal_orders)
    seen = stage > 0
    out = pd.DataFrame(
        {"events": touches[seen], "engagements": engaged[seen], "orders": bought[seen]},
        index=log.ids[seen],
    )
    out["stage"] = pd.Categorical.from_codes(stage[seen] - 1, categories=STAGES, ordered=True)
    return out


def aipl_counts(
    events: pd.DataFrame,
    dates: object,
    **kwargs: object,
) -> pd.DataFrame:
    """Number of users in each AIPL stage on each of ``dates``.

    Parameters
    ----------
    events
        One row per event.
    dates
        One day or several, e.g. ``pd.date_range("2024-02-01", "2026-01-01", freq="MS")``.
    **kwargs
        Passed to :func:`aipl` (column names, ``orders``, ``loyal_orders``,
        ``window_days`` ...), except ``asof``.

    Returns
    -------
    pandas.DataFrame
        One row per date (index ``date``), one column per stage, and
        ``total``, the users seen.

    Examples
    --------
    >>> import pandas as pd
    >>> events = pd.DataFrame({
    ...     "user_id": [1, 2, 2, 2],
    ...     "event_time": pd.to_datetime(["2025-01-01", "2025-01-05", "2025-02-01",
    ...                                   "2025-03-01"]),
    ...     "event_type": ["view", "search", "order", "order"]})
    >>> aipl_counts(events, ["2025-01-10", "2025-04-01"]).to_numpy().tolist()
    [[1, 1, 0, 0, 2], [1, 0, 0, 1, 2]]
    """
    if "asof" in kwargs:
        raise ArgumentError("pass the days as dates=, not asof=", name="asof")
    days = [dates] if isinstance(dates, str | dt.date | pd.Timestamp) else list(dates)
    if not days:
        raise ArgumentError("no dates given", name="dates")
    log, opts = _prepared(events, kwargs)
    rows = {}
    for day in days:
        when = _asof(log, day, "dates")
        stage = _stages(log, when, opts["window_days"], opts["loyal_orders"])[0]
        rows[when] = np.bincount(stage, minlength=5)[1:]
    out = pd.DataFrame.from_dict(rows, orient="index", columns=STAGES).rename_axis("date")
    out["total"] = out.sum(axis=1)
    return out.astype("int64")


def _prepared(events: pd.DataFrame, kwargs: dict) -> tuple[_Log, dict]:
    allowed = {"customer", "at", "event_type", "orders", "loyal_orders", "window_days", "order_at",
               "interest_events"}
    unknown = sorted(set(kwargs) - allowed)
    if unknown:
        raise ArgumentError(f"unknown keyword(s) {unknown}; allowed: {sorted(allowed)}",
                            name=unknown)
    opts = dict(customer="user_id", at="event_time", event_type="event_type", orders=None,
                loyal_orders=2, window_days=None, order_at="order_time",
                interest_events=INTEREST_EVENTS)
    opts.update(kwargs)
    _check_aipl_args(opts["loyal_orders"], opts["window_days"])
    log = _log(events, customer=opts["customer"], at=opts["at"], event=opts["event_type"],
               orders=opts["orders"], order_at=opts["order_at"],
               interest_events=opts["interest_events"])
    return log, opts


def aipl_flows(
    events: pd.DataFrame,
    date_a: object,
    date_b: object,
    **kwargs: object,
) -> pd.DataFrame:
    """How many users moved from each AIPL stage on ``date_a`` to each on ``date_b``.

    Parameters
    ----------
    events
        One row per event.
    date_a, date_b
        The two days, ``date_a`` first.
    **kwargs
        Passed to :func:`aipl` (column names, ``orders``, ``loyal_orders``,
        ``window_days`` ...).

    Returns
    -------
    pandas.DataFrame
        Rows: stage on ``date_a`` (index ``from``), columns: stage on
        ``date_b`` (``to``), both ``none`` then :data:`STAGES`; ``none`` holds
        users not seen (yet, or within the window). Every user seen on either
        date is counted once; users seen on neither are not in the table.

    Raises
    ------
    DataError
        As :func:`aipl`, or ``date_b`` not after ``date_a``.

    Notes
    -----
    The diagonal holds users who stayed put; above it, users who moved up
    (the campaign's job); below it, users who fell back, which happens only
    with ``window_days``.

    Examples
    --------
    >>> import pandas as pd
    >>> events = pd.DataFrame({
    ...     "user_id": [1, 2, 2, 3],
    ...     "event_time": pd.to_datetime(["2025-01-01", "2025-01-05", "2025-02-01",
    ...                                   "2025-02-10"]),
    ...     "event_type": ["view", "view", "order", "search"]})
    >>> flows = aipl_flows(events, "2025-01-10", "2025-03-01")
    >>> int(flows.loc["awareness", "purchase"]), int(flows.loc["none", "interest"])
    (1, 1)
    """
    log, opts = _prepared(events, kwargs)
    a, b = _asof(log, date_a, "date_a"), _asof(log, date_b, "date_b")
    if b <= a:
        raise ArgumentError(f"date_b ({b:%Y-%m-%d}) must come after date_a ({a:%Y-%m-%d})",
                            name="date_b")
    sa = _stages(log, a, opts["window_days"], opts["loyal_orders"])[0]
    sb = _stages(log, b, opts["window_days"], opts["loyal_orders"])[0]
    seen = (sa > 0) | (sb > 0)
    cells = np.bincount(sa[seen] * 5 + sb[seen], minlength=25).reshape(5, 5)
    labels = [_NONE, *STAGES]
    return pd.DataFrame(cells, index=pd.Index(labels, name="from"),
                        columns=pd.Index(labels, name="to")).astype("int64")


# --------------------------------------------------------------------------- paths


@dataclass(frozen=True)
class PathSummary:
    """The result of :func:`new_vs_returning_paths`.

    Attributes
    ----------
    summary
        One row per customer type (``new``, ``returning``): ``sessions``,
        ``customers``, ``events_per_session``, the share of sessions with
        each event type (``with_view``, ``with_search`` ...) and
        ``conversion`` (share of sessions with an order).
    paths
        The ``top`` most common paths of each type: ``customer_type``,
        ``path`` (steps joined by ``" > "``, repeats collapsed, ``" > ..."``
        when cut at ``max_steps``), ``sessions`` and ``share`` of that
        type's sessions.
    """

    summary: pd.DataFrame
    paths: pd.DataFrame


def new_vs_returning_paths(
    events: pd.DataFrame,
    *,
    customer: str = "user_id",
    at: str = "event_time",
    event_type: str = "event_type",
    session: str = "session_id",
    order_event: str = "order",
    max_steps: int = 5,
    top: int = 10,
) -> PathSummary:
    """Typical session paths of new customers versus returning customers.

    A session belongs to a *returning* customer when that customer placed an
    order (an ``order_event`` event) in a session that started strictly earlier; otherwise
    to a *new* customer (who has not bought yet), as operations teams split
    新客 and 老客. A session's path is its sequence of event types in time
    order_event, with consecutive repeats collapsed (``view > view > order`` reads
    ``view > order``) and cut after ``max_steps`` steps.

    Parameters
    ----------
    events
        One row per event, with a session id.
    customer, at, event_type, session
        Column names.
    order_event
        The event type that marks an order.
    max_steps
        Steps kept per path (1 to 12).
    top
        Paths listed per customer type.

    Returns
    -------
    PathSummary
        ``summary`` (one row per type) and ``paths`` (the most common paths).

    Raises
    ------
    DataError
        Bad input, ``max_steps`` or ``top`` out of range, or a session shared
        by two customers.

    Examples
    --------
    >>> import pandas as pd
    >>> events = pd.DataFrame({
    ...     "user_id": [1, 1, 1, 1, 1, 2],
    ...     "session_id": [10, 10, 10, 11, 11, 12],
    ...     "event_time": pd.to_datetime(["2025-01-01 10:00", "2025-01-01 10:01",
    ...                                   "2025-01-01 10:02", "2025-01-05 09:00",
    ...                                   "2025-01-05 09:01", "2025-01-02 08:00"]),
    ...     "event_type": ["view", "view", "order", "search", "view", "view"]})
    >>> res = new_vs_returning_paths(events)
    >>> res.summary["sessions"].tolist(), res.summary["conversion"].tolist()
    ([2, 1], [0.5, 0.0])
    >>> res.paths["path"].tolist()
    ['view', 'view > order', 'search > view']
    """
    if isinstance(max_steps, bool) or not isinstance(max_steps, Integral) or not (
            1 <= max_steps <= 12):
        raise ArgumentError(f"max_steps must be a whole number from 1 to 12, got {max_steps!r}",
                            name="max_steps")
    if isinstance(top, bool) or not isinstance(top, Integral) or top < 1:
        raise ArgumentError(f"top must be a positive whole number, got {top!r}", name="top")
    data = columns(events, "events", ids=[customer, session, event_type], times=[at])
    owners = data.groupby(session, sort=False)[customer].nunique()
    if (owners > 1).any():
        shared = owners.index[(owners > 1).to_numpy()]
        raise DataError(
            "sessions shared by several customers",
            table="events",
            column=session,
            rows=data[data[session].isin(shared[:3])].head(5),
            fix="a session id must belong to one customer; check the join that made the log",
        )
    kinds = data[event_type].astype(str)
    types = sorted(kinds.unique())
    code = pd.Categorical(kinds, categories=types).codes.astype("int64") + 1
    sess, sess_ids = pd.factorize(data[session].to_numpy())
    ns = _ns(data[at])
    order_rows = np.lexsort((np.arange(len(ns)), ns, sess))  # by session, time, row
    s, c = sess[order_rows], code[order_rows]
    # Sessions: owner, start, and whether they hold an order.
    n_sess = len(sess_ids)
    start = np.full(n_sess, np.iinfo(np.int64).max)
    np.minimum.at(start, sess, ns)
    owner = data[customer].to_numpy()[distinct_first(sess)[1]]
    has_order = np.bincount(sess[kinds.to_numpy() == order_event], minlength=n_sess) > 0
    bought_at = pd.Series(np.where(has_order, start, np.iinfo(np.int64).max))
    first_buy = bought_at.groupby(owner).transform("min").to_numpy()
    returning = start > first_buy  # a session starting after the first ordering session
    # Paths: collapse repeats, keep the first max_steps steps, encode as one integer.
    keep = np.ones(len(s), dtype=bool)
    keep[1:] = (s[1:] != s[:-1]) | (c[1:] != c[:-1])
    s, c = s[keep], c[keep]
    first_pos = np.searchsorted(s, s, side="left")
    pos = np.arange(len(s)) - first_pos
    base = len(types) + 1
    inside = pos < max_steps
    key = np.zeros(n_sess, dtype=np.int64)
    np.add.at(key, s[inside], c[inside] * base ** (max_steps - 1 - pos[inside]))
    longer = np.bincount(s, minlength=n_sess) > max_steps
    # Summary per customer type.
    label = np.where(returning, "returning", "new")
    present = np.zeros((n_sess, len(types)), dtype=bool)
    present[sess, code - 1] = True
    summary = pd.DataFrame({"customer_type": label, "events": np.bincount(sess, minlength=n_sess),
                            "owner": owner})
    for j, t in enumerate(types):
        summary[f"with_{t}"] = present[:, j]
    g = summary.groupby("customer_type", sort=True)
    table = pd.DataFrame({"sessions": g.size(), "customers": g["owner"].nunique(),
                          "events_per_session": g["events"].mean()})
    table = table.join(g[[f"with_{t}" for t in types]].mean())
    table["conversion"] = table[f"with_{order_event}"] if order_event in types else 0.0
    table.index.name = "customer_type"
    # The most common paths per type, decoded.
    counts = (pd.DataFrame({"customer_type": label, "key": key, "longer": longer})
              .value_counts(sort=False).rename("sessions").reset_index())
    counts = counts.sort_values(["customer_type", "sessions", "key"],
                                ascending=[True, False, True], kind="stable")
    counts = counts.groupby("customer_type", sort=False).head(top).reset_index(drop=True)
    counts["path"] = [_decode(k, base, max_steps, types) + (" > ..." if cut else "")
                      for k, cut in zip(counts["key"], counts["longer"], strict=True)]
    counts["share"] = counts["sessions"] / table["sessions"].reindex(
        counts["customer_type"]).to_numpy()
    paths = counts[["customer_type", "path", "sessions", "share"]]
    return PathSummary(summary=table, paths=paths)


def _decode(key: int, base: int, steps: int, types: list[str]) -> str:
    parts = []
    for p in range(steps):
        digit = (int(key) // base ** (steps - 1 - p)) % base
        if digit:
            parts.append(types[digit - 1])
    return " > ".join(parts)


# --------------------------------------------------------------------------- funnel


def _window_ns(window_days: object) -> int | None:
    """None (no limit) or the window's length in nanoseconds."""
    if window_days is None:
        return None
    ok = isinstance(window_days, Real) and not isinstance(window_days, bool)
    if not ok or not np.isfinite(window_days) or window_days <= 0:
        raise ArgumentError(
            "the window must be a positive number of days, or None for no limit",
            name="window_days",
            value=window_days,
            fix="e.g. window_days=7, or window_days=1/24 for one hour",
        )
    return int(round(float(window_days) * 86_400 * 1e9))


def funnel(
    events: pd.DataFrame,
    steps: Sequence[str] = ("view", "add_to_cart", "order"),
    *,
    customer: str = "user_id",
    at: str = "event_time",
    event_type: str = "event_type",
    session: str | None = "session_id",
    window_days: float | None = None,
) -> pd.DataFrame:
    """An ordered funnel: users who did the steps in order, and step conversion.

    A user reaches step *k* when they did step 1, then step 2 (at the same
    time or later), ..., then step *k*: all in one session (when ``session``
    names the session column, the default), within ``window_days`` of the
    step-1 event (when given), both, or at any time (``session=None`` and
    no window). Other events in between do not matter.

    Parameters
    ----------
    events
        One row per event.
    steps
        The event types of the funnel, in order (at least one, no repeats).
    customer, at, event_type
        Column names.
    session
        Session-id column: the steps must happen in one session. ``None``
        lets a chain span sessions.
    window_days
        Longest time from step 1 to the last step, in days (fractions allowed:
        ``1/24`` is an hour). ``None``: no limit.

    Returns
    -------
    pandas.DataFrame
        One row per step (index ``step``): ``users`` reaching it,
        ``step_conversion`` (users / users of the previous step; 1 for the
        first) and ``overall_conversion`` (users / users of the first step).

    Raises
    ------
    DataError
        Bad input, an empty or repeated step list, a step that never occurs
        in the data (often a typo).
    ArgumentError
        An empty or repeated step list, ``window_days`` not a positive number.

    Notes
    -----
    Computed level by level without a loop over users: the step-*k* events
    are matched to the chains that reached step *k-1* earlier in the same
    session (or for the same user), keeping for each the latest possible
    start, with :func:`pandas.merge_asof`; a chain survives when it fits in
    the window. This is the rule of ClickHouse's ``windowFunnel`` and the
    "this order" funnels of product-analytics tools.

    Examples
    --------
    >>> import pandas as pd
    >>> events = pd.DataFrame({
    ...     "user_id": [1, 1, 1, 2, 2, 3],
    ...     "session_id": [1, 1, 1, 2, 3, 4],
    ...     "event_time": pd.to_datetime(["2025-01-01 10:00", "2025-01-01 10:05",
    ...                                   "2025-01-01 10:09", "2025-01-01 11:00",
    ...                                   "2025-01-02 09:00", "2025-01-02 09:00"]),
    ...     "event_type": ["view", "add_to_cart", "order", "view", "add_to_cart", "view"]})
    >>> funnel(events)["users"].tolist()
    [3, 1, 1]
    >>> funnel(events, session=None)["users"].tolist()
    [3, 2, 1]
    >>> funnel(events, session=None, window_days=1/24)["users"].tolist()  # within an hour
    [3, 1, 1]
    """
    if isinstance(steps, str):
        steps = [steps]
    steps = list(steps)
    if not steps or len(set(steps)) != len(steps):
        raise ArgumentError("steps must name at least one event type, without repeats",
                            name="steps", value=steps)
    limit = _window_ns(window_days)
    ids = [customer, event_type] + ([session] if session is not None else [])
    data = columns(events, "events", ids=ids, times=[at])
    kinds = data[event_type].astype(str).to_numpy()
    absent = [s for s in steps if not (kinds == s).any()]
    if absent:
        raise DataError(
            f"step(s) {absent} never occur; the event types are {sorted(set(kinds))[:12]}",
            table="events",
            column=event_type,
            fix="check the spelling of the steps",
        )
    if session is not None:
        key = data.groupby([customer, session], sort=False).ngroup().to_numpy()
    else:
        key = pd.factorize(data[customer].to_numpy())[0]
    who = pd.factorize(data[customer].to_numpy())[0]
    ns = _ns(data[at])
    users = []
    chains = None
    for step in steps:  # a handful of steps; each is vectorised
        rows = np.flatnonzero(kinds == step)
        cur = pd.DataFrame({"t": ns[rows], "key": key[rows], "who": who[rows]}).sort_values("t")
        if chains is None:
            cur["start"] = cur["t"]
        else:
            cur = pd.merge_asof(cur, chains, left_on="t", right_on="end", by="key",
                                direction="backward", allow_exact_matches=True)
            ok = cur["best"].notna()
            if limit is not None:
                ok &= (cur["t"] - cur["best"]) <= limit
            cur = cur[ok].assign(start=lambda d: d["best"].astype("int64"))
        users.append(int(cur["who"].nunique()))
        chains = cur[["t", "key", "start"]].rename(columns={"t": "end"})
        chains["best"] = chains.groupby("key", sort=False)["start"].cummax()
        chains = chains[["end", "key", "best"]]
    out = pd.DataFrame({"users": users}, index=pd.Index(steps, name="step"))
    prev = out["users"].shift(1).fillna(out["users"].iloc[0]).to_numpy(dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        out["step_conversion"] = np.where(prev > 0, out["users"] / prev, np.nan)
        first = float(out["users"].iloc[0])
        out["overall_conversion"] = out["users"] / first if first else np.nan
    return out
