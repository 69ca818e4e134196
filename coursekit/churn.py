"""Churn early warning: features as of a cut-off, a classifier, KS / Gini, gains, win-back.

The workflow the course teaches, one function per step:

1. :func:`features` describes every customer **as of a cut-off day** using
   only rows dated strictly before it; :func:`labels` says who then bought
   nothing in the ``horizon_days`` from the cut-off on; :func:`training_frame`
   joins the two.
2. :func:`fit_churn_model` fits a scikit-learn pipeline (logistic regression
   on standardised features, or gradient boosting); :func:`churn_probability`
   scores customers; :func:`drivers` ranks what moves the score.
3. :func:`evaluate`, :func:`ks_statistic`, :func:`gini` and :func:`gains_table`
   say how well the score separates churners from the rest.
4. :func:`winback_list` picks whom to call and :func:`purchase_cycle` says
   when; :func:`repeat_probability` finds the loyalty threshold (the order
   after which another order becomes much more likely).

No leakage
----------
Everything a model learns from must have been known on the cut-off day. So
:func:`features` filters every table on ``time < cutoff`` before it computes
anything, and :func:`labels` looks only at orders in
``[cutoff, cutoff + horizon_days)``. Two details go further than the filter:

- a delivery is *late* when ``delivery_days > promised_days``; on the cut-off
  day that is known only once the promised date has passed, so an order
  counts in the delivery features only when ``order time + promised_days <=
  cutoff`` (a recent order is neither late nor on time yet);
- a ticket counts when it was opened before the cut-off; its satisfaction
  rating is taken as given on the spot (the data has no rating time);
- ``users.member_tier`` in the course data is computed at the **end** of the
  data: never pass it in ``user_columns``. The default columns (channel,
  device, city tier) are fixed at sign-up.

Rows dated at or after the cut-off change no value. A cut-off after the last
order is accepted (scoring "today"), up to the longest look-back window
after the end of the data; later than that, every recent-activity count would
be blind, and :func:`features` refuses it.

Examples
--------
>>> import pandas as pd
>>> orders = pd.DataFrame({
...     "user_id": [1, 1, 2, 2, 3],
...     "order_time": pd.to_datetime(["2025-01-05", "2025-03-01", "2025-02-10",
...                                   "2025-04-01", "2025-04-20"]),
...     "amount": [30.0, 40.0, 25.0, 20.0, 60.0]})
>>> frame = training_frame(orders, asof="2025-03-10", horizon_days=30,
...                        promised=None, delivered=None)
>>> frame[["frequency", "recency_days", "churned"]].to_numpy().tolist()
[[2.0, 9.0, 1.0], [1.0, 28.0, 0.0]]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from coursekit.errors import ArgumentError, DataError
from coursekit.inputs import columns, on_scale, timestamp, unique_key

if TYPE_CHECKING:  # pragma: no cover
    from sklearn.pipeline import Pipeline

__all__ = [
    "features",
    "labels",
    "training_frame",
    "fit_churn_model",
    "churn_probability",
    "drivers",
    "Evaluation",
    "evaluate",
    "ks_statistic",
    "gini",
    "gains_table",
    "winback_list",
    "purchase_cycle",
    "RepeatCurve",
    "repeat_probability",
]

_DAY = pd.Timedelta(days=1)
_MODELS = ("logistic", "gbm")
_USER_COLUMNS = ("channel", "device", "city_tier")


# --------------------------------------------------------------------------- helpers


def _days(delta: pd.Series | pd.Timedelta) -> pd.Series | float:
    """A timedelta (or a Series of them) in fractional days."""
    return delta / _DAY


def _positive_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ArgumentError(f"{name} must be a whole number of 1 or more, got {value!r}",
                            name=name)
    return int(value)


def _windows(windows: Sequence[int]) -> list[int]:
    if np.ndim(windows) == 0:  # one window (or a value checked just below)
        windows = [windows]
    out = [_positive_int(w, "window_days") for w in windows]
    if not out or len(set(out)) != len(out):
        raise ArgumentError(f"windows must be distinct positive days, got {list(windows)!r}",
                            name="window_days", fix="e.g. window_days=(30, 90)")
    return sorted(out)


def _count_in(times: pd.Series, keys: pd.Series, index: pd.Index, lo: pd.Timestamp,
              hi: pd.Timestamp) -> pd.Series:
    """Rows per customer with ``lo <= time < hi``, zero for customers without any."""
    inside = (times >= lo) & (times < hi)
    counts = keys[inside].value_counts()
    return counts.reindex(index, fill_value=0).astype("float64")


def _data_range(data: pd.DataFrame, at: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First order time and the end of the data (the day after the last order)."""
    return data[at].min(), data[at].max().normalize() + _DAY


def _check_cutoff(cut: pd.Timestamp, first: pd.Timestamp, end: pd.Timestamp) -> None:
    """A cut-off must leave some history before it and not lie after ``end``."""
    if cut <= first:
        raise ArgumentError(
            f"asof {cut:%Y-%m-%d} is not after the first order ({first:%Y-%m-%d}): "
            "nobody has a history yet",
            name="asof",
            fix="choose an asof inside the data",
        )
    if cut > end:
        raise ArgumentError(
            f"asof {cut:%Y-%m-%d} is too late for the data (latest accepted: "
            f"{end:%Y-%m-%d})",
            name="asof",
            fix="choose an asof inside the data",
        )


def _purchases(orders: pd.DataFrame, customer: str, at: str, merge_same_day: bool,
               asof: object) -> tuple[pd.DataFrame, pd.Timestamp]:
    """Orders sorted by customer and time (one per day if merged), and the end of the data."""
    data = columns(orders, "orders", ids=[customer], times=[at])
    first, end = _data_range(data, at)
    if asof is not None:
        end = timestamp(asof, "asof", table="orders")
        if end <= first:
            raise ArgumentError(
                f"asof {end:%Y-%m-%d} is not after the first order ({first:%Y-%m-%d})",
                name="asof", fix="choose a day inside the data",
            )
        data = data[data[at] < end]
    if merge_same_day:
        data = data.assign(**{at: data[at].dt.normalize()}).drop_duplicates([customer, at])
    data = data.sort_values([customer, at], kind="stable").reset_index(drop=True)
    return data, end


# --------------------------------------------------------------------------- features


def features(
    orders: pd.DataFrame,
    *,
    customer: str = "user_id",
    at: str = "order_time",
    amount: str = "amount",
    asof: object,
    tickets: pd.DataFrame | None = None,
    events: pd.DataFrame | None = None,
    users: pd.DataFrame | None = None,
    window_days: Sequence[int] = (30, 90),
    promised: str | None = "promised_days",
    delivered: str | None = "delivery_days",
    order_key: str | None = "order_id",
    ticket_at: str = "created_time",
    satisfaction: str | None = "satisfaction",
    low_rating: int = 2,
    event_at: str = "event_time",
    session: str = "session_id",
    user_columns: Sequence[str] = _USER_COLUMNS,
    active_days: int | None = None,
) -> pd.DataFrame:
    """One row of churn features per customer, from data strictly before ``asof``.

    Parameters
    ----------
    orders
        One row per order.
    customer, at, amount
        Column names of the customer id, the order time and the amount paid.
        ``tickets``, ``events`` and ``users`` use the same customer column name.
    asof
        The day the features describe. Only rows with a time strictly before
        it are read.
    tickets
        Customer-service tickets (optional): complaint features.
    events
        App / mini-program events with a session id (optional): visit features.
    users
        One row per user (optional): one-hot columns of ``user_columns``.
    window_days
        Look-back windows in days for the recent-activity counts.
    promised, delivered
        Columns of promised and actual delivery days. Pass ``None`` for both
        when the data has no delivery times (CDNOW).
    order_key
        Order id column in ``orders`` and ``tickets``, to tell whether the last
        order drew a complaint; ``None`` to skip that feature.
    ticket_at, satisfaction, low_rating
        Ticket creation time, the 1-5 rating (may be empty; ``None`` to skip),
        and the highest rating that counts as low.
    event_at, session
        Event time and session id columns of ``events``.
    user_columns
        Columns of ``users`` fixed at sign-up to one-hot encode.
    active_days
        Keep only customers whose last order is less than this many days
        before the cut-off (``None``: everyone who ever ordered). Long-gone
        customers are easy to call churned and inflate every score; a
        win-back model is more honest on customers still worth saving.

    Returns
    -------
    pandas.DataFrame
        Index: customer id. All columns are floats (days are fractional):

        - ``recency_days`` (cut-off minus last order), ``tenure_days``
          (cut-off minus first order), ``frequency`` (orders),
          ``monetary`` (total paid), ``avg_amount``;
        - ``orders_{w}d`` for each window ``w`` (orders in ``[asof - w,
          asof)``) and ``orders_prev_{w}d`` (the ``w`` days before that);
          falling activity shows as ``orders_{w}d < orders_prev_{w}d``;
        - with delivery columns: ``late_share`` = late / delivered orders,
          where *delivered* means the promised date has passed by the cut-off
          and *late* means ``delivered > promised`` (0 when none is due yet),
          and ``last_order_late`` (1 when the last order is known to be late);
        - with ``tickets``: ``complaints`` (tickets opened before the
          cut-off), ``low_satisfaction`` (of those, rated ``<= low_rating``)
          and ``last_order_complaint`` (the last order drew a ticket);
        - with ``events``: ``sessions_{w}d``, ``sessions_prev_{w}d`` and
          ``visit_recency_days`` (cut-off minus last session start; the order
          recency for a customer without sessions);
        - with ``users``: ``{column}={value}`` indicators.

    Raises
    ------
    DataError
        Bad input (see :func:`coursekit.inputs.columns`), a cut-off not after
        the first order or more than the longest window after the last order,
        customers missing from ``users``, or no customer left.

    Notes
    -----
    Lifetime shares and "last order" flags answer different questions. A
    cause that strikes right after an order (a late parcel, a complaint)
    shows in ``last_order_late`` and ``last_order_complaint``; a lifetime
    ``late_share`` also counts late parcels that long-standing customers
    shrugged off, so with the flags in the model its own sign can flip
    (survivors). Recency and fading visits, meanwhile, are symptoms of a
    customer already gone rather than causes: they predict best and explain
    least.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({
    ...     "user_id": [1, 1, 1, 2],
    ...     "order_time": pd.to_datetime(["2025-01-01", "2025-05-01", "2025-06-20",
    ...                                   "2025-06-25"]),
    ...     "amount": [10.0, 20.0, 30.0, 5.0],
    ...     "promised_days": [2, 2, 2, 3], "delivery_days": [4, 1, 1, 2]})
    >>> f = features(orders, asof="2025-07-01", order_key=None)
    >>> cols = ["frequency", "orders_30d", "orders_prev_90d", "late_share"]
    >>> f[cols].round(2).to_numpy().tolist()
    [[3.0, 1.0, 0.0, 0.33], [1.0, 1.0, 0.0, 0.0]]
    """
    wins = _windows(window_days)
    cut = timestamp(asof, "asof", table="orders")
    if isinstance(low_rating, bool) or low_rating not in (1, 2, 3, 4):
        raise ArgumentError("the highest rating that counts as low, on the 1-5 scale",
                            name="low_rating", value=low_rating, allowed="1, 2, 3 or 4")
    if (promised is None) != (delivered is None):
        raise ArgumentError("give both delivery columns or neither",
                            name=["promised", "delivered"])
    delivery = [promised, delivered] if promised is not None else []
    keys = [customer] + ([order_key] if tickets is not None and order_key else [])
    need = [*keys, at, amount, *delivery]
    if isinstance(orders, pd.DataFrame):
        missing = [c for c in need if c not in orders.columns]
        if missing and set(missing) <= set(delivery) | {order_key}:
            raise DataError(
                f"missing column(s) {missing}; the table has {list(orders.columns)}",
                table="orders", column=missing,
                fix="pass promised=None, delivered=None when there are no delivery times, "
                "or order_key=None to skip the last-order complaint",
            )
    data = columns(orders, "orders", ids=keys, times=[at], amounts=[amount], numbers=delivery)
    if order_key is not None and order_key in orders.columns:
        unique_key(orders, "orders", order_key)  # a repeated order would count twice
    first, end = _data_range(data, at)
    _check_cutoff(cut, first, end + wins[-1] * _DAY)
    data = data[data[at] < cut].sort_values([customer, at], kind="stable")

    who, times = data[customer], data[at]
    grouped = data.groupby(customer, sort=True)
    per = grouped[at].agg(["min", "max", "size"])
    index = per.index
    out = pd.DataFrame(index=index)
    out["recency_days"] = _days(cut - per["max"])
    out["tenure_days"] = _days(cut - per["min"])
    out["frequency"] = per["size"].astype("float64")
    out["monetary"] = grouped[amount].sum()
    out["avg_amount"] = out["monetary"] / out["frequency"]
    for w in wins:
        lo = cut - w * _DAY
        out[f"orders_{w}d"] = _count_in(times, who, index, lo, cut)
        out[f"orders_prev_{w}d"] = _count_in(times, who, index, lo - w * _DAY, lo)

    last = data.drop_duplicates(customer, keep="last").set_index(customer)
    if delivery:
        known = times + pd.to_timedelta(data[promised], unit="D") <= cut
        late = known & (data[delivered] > data[promised])
        done = known.groupby(who).sum()
        out["late_share"] = (late.groupby(who).sum() / done.where(done > 0)).fillna(0.0)
        out["last_order_late"] = late.groupby(who).last().astype("float64")

    if tickets is not None:
        tk_cols = [customer] + ([order_key] if order_key else [])
        tk = columns(tickets, "tickets", ids=tk_cols, times=[ticket_at], allow_empty=True)
        rating = None
        if satisfaction is not None:
            if satisfaction not in tickets.columns:
                raise DataError(
                    f"missing column(s) ['{satisfaction}']; the table has "
                    f"{list(tickets.columns)}",
                    table="tickets", column=satisfaction,
                    fix="pass satisfaction=None when tickets carry no rating",
                )
            rating = pd.to_numeric(tickets[satisfaction], errors="coerce")
            bad = rating.isna() & tickets[satisfaction].notna()
            if bad.any():
                raise DataError(
                    "ratings that are not numbers", table="tickets", column=satisfaction,
                    rows=tickets.loc[bad, [satisfaction]].head(5),
                    fix="ratings are 1-5 (leave a missing rating empty)",
                )
            tk["_rating"] = rating.astype("float64")
            on_scale(tickets, "tickets", satisfaction, tk["_rating"].to_numpy())
        tk = tk[tk[ticket_at] < cut]
        tw = tk[customer]
        out["complaints"] = tw.value_counts().reindex(index, fill_value=0).astype("float64")
        if rating is not None:
            low = tk["_rating"] <= low_rating
            out["low_satisfaction"] = (
                low.groupby(tw).sum().reindex(index, fill_value=0).astype("float64"))
        if order_key:
            hit = last[order_key].isin(tk[order_key])
            out["last_order_complaint"] = hit.reindex(index).astype("float64")

    if events is not None:
        ev = columns(events, "events", ids=[customer, session], times=[event_at],
                     allow_empty=True)
        ev = ev[ev[event_at] < cut]
        starts = ev.groupby([customer, session], sort=False)[event_at].min().reset_index()
        sw, st = starts[customer], starts[event_at]
        for w in wins:
            lo = cut - w * _DAY
            out[f"sessions_{w}d"] = _count_in(st, sw, index, lo, cut)
            out[f"sessions_prev_{w}d"] = _count_in(st, sw, index, lo - w * _DAY, lo)
        last_visit = st.groupby(sw).max().reindex(index)
        out["visit_recency_days"] = _days(cut - last_visit).fillna(out["recency_days"])

    if users is not None:
        cols = list(user_columns)
        us = columns(users, "users", ids=[customer, *cols])
        ids = pd.Index(us[customer])
        if not ids.is_unique:
            raise DataError(
                "duplicate customer ids: one row per user needed", table="users",
                column=customer, rows=us.loc[ids.duplicated(keep=False), [customer]].head(5),
                fix=f"keep one row per user, e.g. .drop_duplicates(subset=['{customer}'])",
            )
        absent = index.difference(ids)
        if len(absent):
            raise DataError(
                f"{len(absent):,} customer(s) of orders are not in users",
                table="users", column=customer, rows=pd.DataFrame({customer: absent[:5]}),
                fix="users must cover every customer who ordered before the cut-off",
            )
        dummies = pd.get_dummies(us.set_index(customer)[cols].astype("category"),
                                 prefix_sep="=", dtype="float64")
        out = out.join(dummies.reindex(index))

    if active_days is not None:
        out = out[out["recency_days"] < _positive_int(active_days, "active_days")]
        if out.empty:
            raise ArgumentError(f"no customer ordered in the {active_days} days before the cut-off",
                                name="active_days", fix="raise active_days")
    out.index.name = customer
    return out


def labels(
    orders: pd.DataFrame,
    *,
    customer: str = "user_id",
    at: str = "order_time",
    asof: object,
    horizon_days: int = 90,
    data_end: object = None,
) -> pd.DataFrame:
    """Who churned: no order in the ``horizon_days`` from the cut-off on.

    A customer who ordered before ``asof`` is *churned* when they placed no
    order in ``[asof, asof + horizon_days)``. Only orders in that interval
    matter (plus, for the population, who ordered before).

    Parameters
    ----------
    orders
        One row per order.
    customer, at
        Customer id and order time columns.
    asof
        First day of the outcome window.
    horizon_days
        Length of the outcome window in days.
    data_end
        End of the observed data (exclusive); default the day after the last
        order. The window must fit inside it.

    Returns
    -------
    pandas.DataFrame
        Index: every customer with an order before ``asof``; columns
        ``orders_in_horizon`` and ``churned`` (1 churned, 0 stayed; integers).

    Raises
    ------
    DataError
        Bad input, a cut-off not after the first order, or a window that runs
        past the end of the data (``asof + horizon_days > end``).

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"user_id": [1, 1, 2, 3],
    ...     "order_time": pd.to_datetime(["2025-01-01", "2025-02-15", "2025-01-20",
    ...                                   "2025-06-30"])})
    >>> labels(orders, asof="2025-02-01", horizon_days=30)["churned"].to_dict()
    {1: 0, 2: 1}
    """
    horizon = _positive_int(horizon_days, "horizon_days")
    cut = timestamp(asof, "asof", table="orders")
    data = columns(orders, "orders", ids=[customer], times=[at])
    first, last_day = _data_range(data, at)
    stop = last_day if data_end is None else timestamp(data_end, "data_end", table="orders")
    _check_cutoff(cut, first, stop)
    if cut + horizon * _DAY > stop:
        raise ArgumentError(
            f"the {horizon}-day window from {cut:%Y-%m-%d} runs past the end of the data "
            f"({stop:%Y-%m-%d})",
            name="horizon_days",
            fix=f"choose a cut-off on or before {stop - horizon * _DAY:%Y-%m-%d} or a shorter "
            "horizon",
        )
    who = pd.Index(np.sort(data.loc[data[at] < cut, customer].unique()), name=customer)
    after = _count_in(data[at], data[customer], who, cut, cut + horizon * _DAY).astype("int64")
    out = pd.DataFrame({"orders_in_horizon": after, "churned": (after == 0).astype("int64")},
                       index=who)
    return out


def training_frame(
    orders: pd.DataFrame,
    *,
    asof: object,
    horizon_days: int = 90,
    customer: str = "user_id",
    at: str = "order_time",
    **kwargs: object,
) -> pd.DataFrame:
    """:func:`features` as of ``asof`` with the :func:`labels` column ``churned``.

    Parameters
    ----------
    orders, asof, customer, at
        As in :func:`features`.
    horizon_days
        As in :func:`labels`.
    **kwargs
        Passed to :func:`features` (``tickets=``, ``events=``, ``users=`` ...).

    Returns
    -------
    pandas.DataFrame
        The features, then ``churned`` as a float (1.0 churned).

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"user_id": [1, 1, 2],
    ...     "order_time": pd.to_datetime(["2025-01-01", "2025-02-15", "2025-01-20"]),
    ...     "amount": [10.0, 12.0, 30.0]})
    >>> frame = training_frame(orders, asof="2025-02-01", horizon_days=15,
    ...                        promised=None, delivered=None)
    >>> frame["churned"].tolist()
    [0.0, 1.0]
    """
    x = features(orders, customer=customer, at=at, asof=asof, **kwargs)
    y = labels(orders, customer=customer, at=at, asof=asof, horizon_days=horizon_days)
    return x.join(y["churned"].astype("float64"))


# --------------------------------------------------------------------------- model


def _binary(values: object, name: str, table: str | None = None) -> np.ndarray:
    """0/1 labels as an int array; for anything else a DataError naming the column
    ``name`` of ``table``, or an ArgumentError naming the argument ``name`` (no table)."""

    def bad(message: str, fix: str | None = None) -> Exception:
        if table is None:
            return ArgumentError(message, name=name, fix=fix)
        return DataError(message, table=table, column=name, fix=fix)

    y = np.asarray(values)
    if y.ndim != 1:
        raise bad(f"expected one label per customer (1-d), got shape {y.shape}",
                  fix="pass one 0/1 label per customer, e.g. frame['churned']")
    if y.dtype == bool:
        return y.astype(np.int64)
    ok = y.dtype.kind in "iuf"
    if ok:
        yf = y.astype("float64")
        ok = bool(np.isin(yf, (0.0, 1.0)).all())
    if not ok:
        seen = pd.unique(pd.Series(y)).tolist()[:6]
        raise bad(
            f"labels must be 0 (stayed) or 1 (churned); found {seen}",
            fix="map the outcome to 0/1, e.g. (status == 'churned').astype(int); drop "
            "customers without an outcome",
        )
    return yf.astype(np.int64)


def _scored(y_true: object, score: object) -> tuple[np.ndarray, np.ndarray]:
    """Validated (labels, scores) for the evaluation functions."""
    y = _binary(y_true, "y_true")
    try:
        s = np.asarray(score, dtype="float64")
    except (TypeError, ValueError):
        raise ArgumentError("scores must be numbers", name="score",
                            fix="pass the predicted churn probabilities") from None
    if s.ndim != 1:
        raise ArgumentError(f"expected one score per customer (1-d), got shape {s.shape}",
                            name="score",
                            fix="for predict_proba output take the churn column: proba[:, 1]")
    if len(y) != len(s):
        raise ArgumentError(f"{len(y)} labels but {len(s)} scores",
                            name=["y_true", "score"], fix="pass one score per labelled customer")
    if len(y) == 0:
        raise ArgumentError("no customers to evaluate", name="y_true")
    if not np.isfinite(s).all():
        bad = np.flatnonzero(~np.isfinite(s))[:5]
        raise ArgumentError(
            f"missing or infinite scores at positions {bad.tolist()}",
                name="score", fix="score every customer (no NaN)",
        )
    if len(np.unique(y)) < 2:
        raise ArgumentError(
            f"only one class in the labels (all {int(y[0])}): KS, AUC and lift need both "
            "churners and stayers", name="y_true",
            fix="evaluate on a larger or different sample",
        )
    return y, s


def _xy(frame: object, target: str, names: Sequence[str] | None = None,
        need_target: bool = True) -> tuple[pd.DataFrame, np.ndarray | None]:
    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"expected a pandas DataFrame, got {type(frame).__name__}",
                        table="frame", fix="pass the output of training_frame()")
    if need_target and target not in frame.columns:
        raise DataError(f"no label column {target!r}; the table has {list(frame.columns)}",
                        table="frame", column=target,
                        fix="build it with training_frame(), or name the column: target=...")
    cols = list(names) if names is not None else [c for c in frame.columns if c != target]
    if not cols:
        raise DataError("no feature columns", table="frame", fix="pass features() output")
    x = columns(frame, "frame", numbers=cols)
    y = _binary(frame[target], target, "frame") if need_target else None
    return x, y


def fit_churn_model(
    frame: pd.DataFrame,
    *,
    model: str = "logistic",
    target: str = "churned",
    random_state: int = 0,
) -> Pipeline:
    """Fit a churn classifier on a :func:`training_frame`.

    Parameters
    ----------
    frame
        Features plus the 0/1 ``target`` column; every other column is a
        feature (numbers only, no missing values).
    model
        ``"logistic"``: :class:`~sklearn.preprocessing.StandardScaler` then
        :class:`~sklearn.linear_model.LogisticRegression` (L2, C=1), so the
        coefficients are effects of one standard deviation on the log-odds
        of churn. ``"gbm"``:
        :class:`~sklearn.ensemble.HistGradientBoostingClassifier` (trees need
        no scaling; captures thresholds and interactions).
    target
        The label column.
    random_state
        Seed for the estimators that use one.

    Returns
    -------
    sklearn.pipeline.Pipeline
        Fitted; its last step is named ``"model"``; ``feature_names_in_`` lists
        the features in order.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=200)
    >>> frame = pd.DataFrame({"x": x, "churned": (x + rng.normal(size=200) > 0) * 1.0})
    >>> fitted = fit_churn_model(frame)
    >>> bool(fitted.named_steps["model"].coef_[0, 0] > 0)
    True
    """
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    if model not in _MODELS:
        raise ArgumentError(f"unknown model {model!r}", name="model",
                            fix=f"use one of {list(_MODELS)}")
    x, y = _xy(frame, target)
    if len(np.unique(y)) < 2:
        raise DataError("only one class in the labels: nothing to learn", table="frame",
                        column=target, fix="choose another cut-off or a larger sample")
    if model == "logistic":
        steps = [("scale", StandardScaler()),
                 ("model", LogisticRegression(max_iter=2000, random_state=random_state))]
    else:
        steps = [("model", HistGradientBoostingClassifier(
            learning_rate=0.05, max_iter=200, max_leaf_nodes=15, min_samples_leaf=40,
            early_stopping=False, random_state=random_state))]
    return Pipeline(steps).fit(x, y)


def churn_probability(model: Pipeline, frame: pd.DataFrame) -> pd.Series:
    """Predicted churn probability of every row of ``frame`` (same index).

    ``frame`` needs the model's feature columns; other columns (the label)
    are ignored.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"x": [0.0, 1, 2, 3], "churned": [0.0, 0, 1, 1]})
    >>> p = churn_probability(fit_churn_model(frame), frame)
    >>> bool(p.is_monotonic_increasing)
    True
    """
    names = list(getattr(model, "feature_names_in_", []))
    if not names:
        raise ArgumentError("the model was not fitted on a DataFrame with named features",
                            name="model", fix="use fit_churn_model()")
    x, _ = _xy(frame, "", names, need_target=False)
    return pd.Series(model.predict_proba(x)[:, 1], index=frame.index, name="churn_probability")


def drivers(
    model: Pipeline,
    feature_names: Sequence[str] | None = None,
    *,
    frame: pd.DataFrame | None = None,
    target: str = "churned",
    method: str = "auto",
    n_repeats: int = 5,
    random_state: int = 0,
) -> pd.DataFrame:
    """What moves the churn score, strongest first.

    Two measures, chosen by ``method``:

    ``"coef"`` (logistic models; the default for them)
        The coefficient of each *standardised* feature: the change in the
        log-odds of churn for one standard deviation more of the feature.
        ``importance`` is its absolute value and ``direction`` its sign.
    ``"permutation"`` (any model; the default for trees; needs ``frame``)
        Permutation importance (Breiman 2001; :func:`sklearn.inspection.
        permutation_importance`): how much the AUC on ``frame`` falls when a
        feature's values are shuffled, averaged over ``n_repeats`` seeded
        shuffles. Importance has no sign, so ``direction`` is the sign of the
        Spearman correlation between the feature and the predicted
        probability on ``frame`` (+1: more of it, more churn).

    Correlated features share credit: read related features together
    (``late_share`` with ``last_order_late``).

    Parameters
    ----------
    model
        A fitted pipeline from :func:`fit_churn_model`.
    feature_names
        Feature names in model order; default ``model.feature_names_in_``.
    frame
        Labelled data for permutation importance (use held-out rows).
    target
        Label column of ``frame``.
    method
        ``"auto"``, ``"coef"`` or ``"permutation"``.
    n_repeats, random_state
        Shuffles per feature and their seed.

    Returns
    -------
    pandas.DataFrame
        Index: feature; columns ``rank``, ``importance``, ``direction`` (+1
        raises churn, -1 lowers it, 0 none), and ``coefficient`` or
        ``importance_std``; sorted by importance, strongest first.

    References
    ----------
    L. Breiman, "Random forests", Machine Learning 45 (2001) 5-32.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> frame = pd.DataFrame({"a": rng.normal(size=300), "b": rng.normal(size=300)})
    >>> frame["churned"] = (2 * frame["a"] - frame["b"] + rng.normal(size=300) > 0) * 1.0
    >>> d = drivers(fit_churn_model(frame))
    >>> d.index.tolist(), d["direction"].tolist()
    (['a', 'b'], [1, -1])
    """
    from scipy.stats import spearmanr
    from sklearn.inspection import permutation_importance

    names = list(feature_names) if feature_names is not None else list(
        getattr(model, "feature_names_in_", []))
    final = model.steps[-1][1] if hasattr(model, "steps") else model
    if method not in ("auto", "coef", "permutation"):
        raise ArgumentError(f"unknown method {method!r}", name="method",
                            fix="use 'auto', 'coef' or 'permutation'")
    if method == "auto":
        method = "coef" if hasattr(final, "coef_") else "permutation"
    if method == "coef":
        if not hasattr(final, "coef_"):
            raise ArgumentError("this model has no coefficients",
                                name="method", fix="use method='permutation' with frame=...")
        coef = np.asarray(final.coef_, dtype="float64").ravel()
        if len(names) != len(coef):
            raise ArgumentError(f"{len(names)} feature names for {len(coef)} coefficients",
                                name="feature_names")
        steps = dict(model.steps) if hasattr(model, "steps") else {}
        if not any(type(s).__name__ == "StandardScaler" for s in steps.values()):
            if frame is None:
                raise ArgumentError(
                    "coefficients of unscaled features are not comparable", name="frame",
                    fix="pass frame= to rescale them by each feature's standard deviation",
                )
            x, _ = _xy(frame, target, names, need_target=False)
            coef = coef * x.std(ddof=0).to_numpy()
        out = pd.DataFrame({"importance": np.abs(coef), "direction": np.sign(coef),
                            "coefficient": coef}, index=pd.Index(names, name="feature"))
    else:
        if frame is None:
            raise ArgumentError("permutation importance needs labelled data",
                                name="frame", fix="pass frame=held_out_rows")
        x, y = _xy(frame, target, names or None)
        names = list(x.columns)
        got = permutation_importance(model, x, y, scoring="roc_auc",
                                     n_repeats=_positive_int(n_repeats, "n_repeats"),
                                     random_state=random_state)
        p = model.predict_proba(x)[:, 1]
        sign = []
        for c in names:
            v = x[c].to_numpy()
            rho = 0.0 if np.ptp(v) == 0 else spearmanr(v, p).statistic
            sign.append(0.0 if not np.isfinite(rho) else np.sign(rho))
        out = pd.DataFrame({"importance": got.importances_mean, "direction": sign,
                            "importance_std": got.importances_std},
                           index=pd.Index(names, name="feature"))
    out["direction"] = out["direction"].astype("int64")
    out = out.sort_values("importance", ascending=False, kind="stable")
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out


# --------------------------------------------------------------------------- evaluation


@dataclass(frozen=True)
class Evaluation:
    """How well a score separates churners from the rest.

    Attributes
    ----------
    auc
        Area under the ROC curve: the chance a random churner scores above a
        random stayer (ties count half).
    ks
        Kolmogorov-Smirnov statistic, max over thresholds of TPR - FPR.
    gini
        2 AUC - 1.
    customers, churners
        Counts behind them.
    """

    auc: float
    ks: float
    gini: float
    customers: int
    churners: int


def ks_statistic(y_true: object, score: object) -> float:
    """KS = max over thresholds of (TPR - FPR), from :func:`sklearn.metrics.roc_curve`.

    .. math:: KS = \\max_t \\left(TPR(t) - FPR(t)\\right)

    the largest gap between the share of churners and the share of stayers
    scoring at or above a threshold ``t``: 0 for a useless score, 1 for a
    perfect one. Credit-risk teams read KS above about 0.3 as useful.

    Parameters
    ----------
    y_true
        1 for churned, 0 for stayed.
    score
        Higher means more likely to churn.

    Examples
    --------
    >>> round(ks_statistic([1, 1, 0, 1, 0, 0], [0.9, 0.8, 0.7, 0.6, 0.5, 0.4]), 4)
    0.6667
    """
    from sklearn.metrics import roc_curve

    y, s = _scored(y_true, score)
    fpr, tpr, _ = roc_curve(y, s)
    return float(np.max(tpr - fpr))


def gini(y_true: object, score: object) -> float:
    """Gini = 2 AUC - 1 (the accuracy ratio of credit scoring).

    .. math:: Gini = 2\\,AUC - 1

    0 for a random score, 1 for a perfect one. Not the Gini coefficient of
    inequality, though both are areas between a curve and a diagonal.

    Examples
    --------
    >>> round(gini([1, 1, 0, 1, 0, 0], [0.9, 0.8, 0.7, 0.6, 0.5, 0.4]), 4)
    0.7778
    """
    from sklearn.metrics import roc_auc_score

    y, s = _scored(y_true, score)
    return float(2 * roc_auc_score(y, s) - 1)


def evaluate(y_true: object, score: object) -> Evaluation:
    """AUC, KS and Gini of a churn score in one call.

    Examples
    --------
    >>> e = evaluate([1, 1, 0, 1, 0, 0], [0.9, 0.8, 0.7, 0.6, 0.5, 0.4])
    >>> round(e.auc, 4), round(e.ks, 4), round(e.gini, 4), e.churners
    (0.8889, 0.6667, 0.7778, 3)
    """
    from sklearn.metrics import roc_auc_score

    y, s = _scored(y_true, score)
    auc = float(roc_auc_score(y, s))
    return Evaluation(auc=auc, ks=ks_statistic(y, s), gini=2 * auc - 1,
                      customers=len(y), churners=int(y.sum()))


def gains_table(y_true: object, score: object, bins: int = 10) -> pd.DataFrame:
    """Gains and lift by score band (deciles by default), highest scores first.

    Customers are ranked by score, highest first, and cut into ``bins``
    bands of (nearly) equal size; customers with equal scores always share
    a band, so bands can be uneven when scores tie.

    Parameters
    ----------
    y_true
        1 for churned, 0 for stayed.
    score
        Higher means more likely to churn.
    bins
        Number of bands.

    Returns
    -------
    pandas.DataFrame
        Index ``band`` (1 = highest scores). Columns: ``customers``,
        ``churners``, ``churn_rate``, ``min_score``, ``max_score``,
        ``cum_customers_share`` (share of all customers in bands 1..b),
        ``cum_churners_share`` (share of all churners captured: the gains
        curve), ``lift`` = churn_rate / overall churn rate, ``cum_lift`` =
        cum_churners_share / cum_customers_share, and ``ks`` = cumulative
        churner share minus cumulative stayer share (its maximum is the KS
        at band boundaries).

    Examples
    --------
    >>> g = gains_table([1, 1, 0, 1, 0, 0, 0, 0, 1, 0], [.9, .8, .7, .6, .5, .4, .3, .2, .1, 0],
    ...                 bins=5)
    >>> g["churners"].tolist(), g["lift"].tolist()
    ([2, 1, 0, 0, 1], [2.5, 1.25, 0.0, 0.0, 1.25])
    """
    y, s = _scored(y_true, score)
    n_bins = _positive_int(bins, "bins")
    n = len(y)
    rank = pd.Series(s).rank(method="min", ascending=False).to_numpy()
    band = np.floor((rank - 1) * n_bins / n).astype(np.int64) + 1
    g = pd.DataFrame({"band": band, "y": y, "s": s}).groupby("band")
    out = pd.DataFrame({
        "customers": g.size(),
        "churners": g["y"].sum().astype("int64"),
    })
    out["churn_rate"] = out["churners"] / out["customers"]
    out["min_score"] = g["s"].min()
    out["max_score"] = g["s"].max()
    total, churners = n, int(y.sum())
    out["cum_customers_share"] = out["customers"].cumsum() / total
    out["cum_churners_share"] = out["churners"].cumsum() / churners
    out["lift"] = out["churn_rate"] / (churners / total)
    out["cum_lift"] = out["cum_churners_share"] / out["cum_customers_share"]
    stayers = out["customers"] - out["churners"]
    out["ks"] = out["cum_churners_share"] - stayers.cumsum() / (total - churners)
    return out


# --------------------------------------------------------------------------- actions


def purchase_cycle(
    orders: pd.DataFrame,
    *,
    customer: str = "user_id",
    at: str = "order_time",
    quantiles: Sequence[float] = (0.5, 0.8, 0.9),
    max_k: int = 10,
    merge_same_day: bool = True,
    asof: object = None,
) -> pd.DataFrame:
    """Days between consecutive orders: overall and by number of orders so far.

    The gap after the k-th order is the time from a customer's k-th order to
    their (k+1)-th. Its percentiles say when a customer is *late*: once the
    80th percentile of the gap has passed without an order, four in five
    comparable repeat orders would already have come, which is a good time
    for a reminder or a win-back offer.

    Only completed gaps are seen, so the percentiles understate long gaps
    (a customer still "between orders" contributes nothing): read them as
    the rhythm of customers who do come back.

    Parameters
    ----------
    orders
        One row per order.
    customer, at
        Customer id and order time columns.
    quantiles
        Percentiles to report, as fractions.
    max_k
        Gaps after the ``max_k``-th order and later are pooled in the last row.
    merge_same_day
        Count orders on the same calendar day as one purchase (the convention
        of the repeat-buying literature; gaps are then whole days >= 1).
    asof
        Ignore orders at or after this day (default: use all).

    Returns
    -------
    pandas.DataFrame
        Index ``after_order``: ``"all"``, ``"1"``, ..., ``"{max_k}+"``; columns
        ``gaps`` (how many), ``mean_days`` and ``p50``, ``p80`` ... (days).

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"user_id": [1, 1, 1, 2, 2],
    ...     "order_time": pd.to_datetime(["2025-01-01", "2025-01-11", "2025-01-31",
    ...                                   "2025-01-01", "2025-01-21"])})
    >>> cyc = purchase_cycle(orders, quantiles=(0.5,), max_k=2)
    >>> cyc["p50"].to_dict()
    {'all': 20.0, '1': 15.0, '2+': 20.0}
    """
    qs = list(quantiles)
    if not qs or not all(isinstance(q, (float, int)) and 0 < q < 1 for q in qs):
        raise ArgumentError(f"quantiles must be fractions between 0 and 1, got {qs}",
                            name="quantiles", fix="e.g. (0.5, 0.8, 0.9)")
    top = _positive_int(max_k, "max_k")
    data, _ = _purchases(orders, customer, at, merge_same_day, asof)
    same = data[customer].eq(data[customer].shift(-1)).to_numpy(dtype=bool, na_value=False)
    gap = _days(data[at].shift(-1) - data[at]).to_numpy()[same]
    k = (data.groupby(customer, sort=False).cumcount() + 1).to_numpy()[same]
    if len(gap) == 0:
        raise DataError("no customer has two orders, so there are no gaps to learn from",
                        table="orders", column=customer,
                        fix="use a longer stretch of orders (or all customers, not a sample)")
    label = np.where(k >= top, f"{top}+", k.astype(str))
    names = [f"p{round(q * 100):g}" for q in qs]
    frame = pd.DataFrame({"k": label, "gap": gap})
    order = ["all", *[str(i) for i in range(1, top)], f"{top}+"]

    def summary(g: pd.Series) -> pd.Series:
        return pd.Series([len(g), g.mean(), *np.quantile(g, qs)], index=["gaps", "mean_days",
                                                                          *names])

    rows = {"all": summary(frame["gap"])}
    for key, g in frame.groupby("k")["gap"]:
        rows[key] = summary(g)
    out = pd.DataFrame(rows).T.reindex([o for o in order if o in rows])
    out["gaps"] = out["gaps"].astype("int64")
    out.index.name = "after_order"
    return out


def winback_list(
    model: Pipeline,
    frame: pd.DataFrame,
    *,
    top: int | None = 100,
    rank_by: str = "value_at_risk",
    value: str | pd.Series = "monetary",
    max_recency_days: float | None = None,
    cycle: pd.DataFrame | None = None,
    send_after: str = "p80",
    asof: object = None,
) -> pd.DataFrame:
    """Whom to win back first, and (with ``cycle``) when to send.

    Every customer of ``frame`` is scored with ``model``; ``value_at_risk`` =
    churn probability x value, where value defaults to the customer's spend
    so far (pass ``value=`` a Series, e.g. predicted CLV from
    :mod:`coursekit.clv`, for a forward-looking value).

    Parameters
    ----------
    model
        Fitted by :func:`fit_churn_model`.
    frame
        :func:`features` (or :func:`training_frame`) as of the day of the
        campaign; needs ``recency_days`` and ``frequency`` (and ``monetary``
        by default).
    top
        How many customers to return (``None``: all).
    rank_by
        Sort key: ``"value_at_risk"`` or ``"churn_probability"``.
    value
        Column of ``frame`` or a Series indexed by customer.
    max_recency_days
        Leave out customers whose last order is this many days old or more
        (long gone: a reactivation campaign, not a win-back).
    cycle
        :func:`purchase_cycle` output: adds ``send_after_days`` (the
        ``send_after`` percentile of the gap after the customer's number of
        orders so far), ``overdue_days`` (recency minus it) and ``send_on``
        (last order plus it, or the cut-off when that date has passed).
    send_after
        Column of ``cycle`` to use.
    asof
        The day the features describe (the ``asof`` they were built with);
        needed with ``cycle`` to date the messages.

    Returns
    -------
    pandas.DataFrame
        Index: customer; ``rank``, ``churn_probability``, ``recency_days``,
        ``frequency``, ``value``, ``value_at_risk`` (and the timing columns).

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"recency_days": [5.0, 40, 80], "frequency": [3.0, 2, 1],
    ...                       "monetary": [300.0, 100, 50], "churned": [0.0, 1, 1]},
    ...                      index=pd.Index([7, 8, 9], name="user_id"))
    >>> model = fit_churn_model(frame)
    >>> winback_list(model, frame, top=2, rank_by="churn_probability").index.tolist()
    [9, 8]
    """
    if rank_by not in ("value_at_risk", "churn_probability"):
        raise ArgumentError("unknown sort key", name="rank_by", value=rank_by,
                            fix="use 'value_at_risk' or 'churn_probability'")
    p = churn_probability(model, frame)
    base = columns(frame, "frame", numbers=["recency_days", "frequency"])
    if not frame.index.is_unique:  # a customer listed twice would be contacted twice
        raise DataError("customers appear more than once in the index", table="frame",
                        column=frame.index.name,
                        rows=frame.loc[frame.index.duplicated(keep=False)].head(6),
                        fix="one row per customer: build the frame with features() once")
    if max_recency_days is not None and (isinstance(max_recency_days, bool) or not isinstance(
            max_recency_days, int | float | np.number) or not max_recency_days > 0):
        raise ArgumentError("max_recency_days must be a number of days above 0, or None",
                            name="max_recency_days", value=max_recency_days,
                            fix="e.g. max_recency_days=365, or None to keep everyone")
    if isinstance(value, str):
        worth = columns(frame, "frame", amounts=[value])[value]
    else:
        worth = pd.Series(value).reindex(frame.index)
        if worth.isna().any():
            raise DataError("value is missing for some customers", table="value",
                            rows=frame.index[worth.isna().to_numpy()][:5].tolist(),
                            fix="give a value for every customer of frame")
    out = pd.DataFrame({"churn_probability": p, "recency_days": base["recency_days"],
                        "frequency": base["frequency"], "value": worth.astype("float64")})
    out["value_at_risk"] = out["churn_probability"] * out["value"]
    if max_recency_days is not None:
        out = out[out["recency_days"] < max_recency_days]
    if cycle is not None:
        if send_after not in getattr(cycle, "columns", []):
            raise DataError(f"no column {send_after!r} in cycle", table="cycle",
                            column=send_after, fix="pass purchase_cycle() output")
        if asof is None:
            raise ArgumentError("dating the messages needs the day the features describe",
                                name="asof", fix="pass the asof the features were built with")
        when = timestamp(asof, "asof")
        rows = [r for r in cycle.index if r != "all"]
        plus = [r for r in rows if r.endswith("+")]
        cap = int(plus[0][:-1]) if plus else len(rows)
        k = np.minimum(out["frequency"].to_numpy().astype(np.int64), cap)
        keys = np.where(k >= cap, f"{cap}+", k.astype(str))
        wait = cycle[send_after].reindex(keys).to_numpy()
        wait = np.where(np.isnan(wait), cycle.loc["all", send_after], wait)
        out["send_after_days"] = wait
        out["overdue_days"] = out["recency_days"] - wait
        last = when - pd.to_timedelta(out["recency_days"], unit="D")
        send = (last + pd.to_timedelta(wait, unit="D")).dt.ceil("D")
        out["send_on"] = send.where(send > when, when)
    out = out.sort_values(rank_by, ascending=False, kind="stable")
    if top is not None:
        out = out.head(_positive_int(top, "top"))
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out


@dataclass(frozen=True)
class RepeatCurve:
    """Probability of another order after the k-th, and where it jumps.

    Attributes
    ----------
    table
        One row per k (see :func:`repeat_probability`).
    jump_at
        The k whose probability rises most over k - 1's (on ``basis``),
        among rows with at least ``min_customers`` customers; ``None`` when
        it never rises.
    basis
        ``"within"`` or ``"ever"``: which probability ``jump_at`` reads.
    window_days
        The window of the ``within`` probability and of eligibility.
    """

    table: pd.DataFrame
    jump_at: int | None
    basis: str
    window_days: int


def repeat_probability(
    orders: pd.DataFrame,
    *,
    customer: str = "user_id",
    at: str = "order_time",
    max_k: int = 10,
    window_days: int = 180,
    basis: str = "within",
    min_customers: int = 30,
    merge_same_day: bool = True,
    asof: object = None,
) -> RepeatCurve:
    """The loyalty threshold: chance of a (k+1)-th order after the k-th.

    For each k = 1..max_k, the customers who placed a k-th order at least
    ``window_days`` days before the end of the data (so each had a fair chance to
    come back) are counted, and

    .. math::

        P_{within}(k) = \\frac{\\#\\{\\text{(k+1)-th order within window of the k-th}\\}}
                              {\\#\\{\\text{eligible customers with a k-th order}\\}}

        P_{ever}(k) = \\frac{\\#\\{\\text{(k+1)-th order by the end of the data}\\}}
                            {\\#\\{\\text{same customers}\\}}

    ``within`` gives every customer the same time to return and compares k
    fairly; ``ever`` uses all the follow-up there is, so customers whose
    k-th order was early had longer (it is higher, and biased towards small k,
    reached earlier). The jump at k is ``P(k) - P(k-1)``; where it is largest
    is the threshold after which a customer behaves like a regular.

    Parameters
    ----------
    orders
        One row per order.
    customer, at
        Customer id and order time columns.
    max_k
        Largest k in the table.
    window_days
        Days: the ``within`` window and the minimum follow-up.
    basis
        ``"within"`` or ``"ever"``: which probability ``jump_at`` is read from.
    min_customers
        Rows with fewer eligible customers are too noisy to name the jump.
    merge_same_day
        Count orders on the same calendar day as one purchase.
    asof
        End of the data (exclusive); default the day after the last order.

    Returns
    -------
    RepeatCurve
        ``table`` (index ``k``; columns ``customers`` (eligible),
        ``repeat_within``, ``p_within``, ``repeat_ever``, ``p_ever``,
        ``jump_within``, ``jump_ever``), ``jump_at``, ``basis``, ``window_days``.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"user_id": [1, 1, 1, 2, 2, 3],
    ...     "order_time": pd.to_datetime(["2025-01-01", "2025-01-10", "2025-02-01",
    ...                                   "2025-01-05", "2025-03-20", "2025-01-07"])})
    >>> curve = repeat_probability(orders, max_k=2, window_days=30, min_customers=1,
    ...                            asof="2025-06-01")
    >>> curve.table[["customers", "p_within", "p_ever"]].round(3).to_numpy().tolist()
    [[3.0, 0.333, 0.667], [2.0, 0.5, 0.5]]
    >>> curve.jump_at
    2
    """
    top = _positive_int(max_k, "max_k")
    days = _positive_int(window_days, "window_days")
    if basis not in ("within", "ever"):
        raise ArgumentError(f"unknown basis {basis!r}", name="basis",
                            fix="use 'within' or 'ever'")
    data, end = _purchases(orders, customer, at, merge_same_day, asof)
    k = (data.groupby(customer, sort=False).cumcount() + 1).to_numpy()
    nxt = data[at].shift(-1).where(data[customer].eq(data[customer].shift(-1)))
    gap = _days(nxt - data[at]).to_numpy()
    fair = (data[at] + days * _DAY <= end).to_numpy() & (k <= top)
    has_next = ~np.isnan(gap)
    frame = pd.DataFrame({"k": k[fair], "within": (has_next & (gap < days))[fair],
                          "ever": has_next[fair]})
    g = frame.groupby("k")
    out = pd.DataFrame({"customers": g.size(), "repeat_within": g["within"].sum(),
                        "repeat_ever": g["ever"].sum()}).reindex(range(1, top + 1),
                                                                  fill_value=0)
    out = out.astype("int64")
    out.index.name = "k"
    n = out["customers"].where(out["customers"] > 0)
    out["p_within"] = out["repeat_within"] / n
    out["p_ever"] = out["repeat_ever"] / n
    out = out[["customers", "repeat_within", "p_within", "repeat_ever", "p_ever"]]
    out["jump_within"] = out["p_within"].diff()
    out["jump_ever"] = out["p_ever"].diff()
    if out["customers"].iloc[0] == 0:
        raise DataError(
            f"no first order is {days} days before the end of the data",
            table="orders", column=at, fix="use a shorter window or more data",
        )
    enough = out["customers"] >= min_customers
    jump = out[f"jump_{basis}"].where(enough & enough.shift(1, fill_value=False))
    jump_at = int(jump.idxmax()) if (jump > 0).any() else None
    return RepeatCurve(table=out, jump_at=jump_at, basis=basis, window_days=days)
