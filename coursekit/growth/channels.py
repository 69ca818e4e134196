"""AARRR by channel: the channel economics table of acquisition, from sign-up to payback."""

from __future__ import annotations

from numbers import Real

import numpy as np
import pandas as pd

from coursekit.errors import ArgumentError, DataError
from coursekit.growth._shared import days_between, end_of_data, lookup, whole
from coursekit.inputs import columns, unique_key

__all__ = ["AARRR_COLUMNS", "aarrr"]

#: The columns of :func:`aarrr`, stage by stage, with what each one is.
AARRR_COLUMNS = {
    "signups": "acquisition: users who signed up (before asof)",
    "spend": "acquisition: money spent on the channel over the spend table's days",
    "cac": "acquisition: spend / sign-ups over the spend table's days",
    "activation_base": "activation: users signed up at least activation_days before asof",
    "activation_rate": "activation: share of them with a first order within activation_days",
    "retention_base": "retention: buyers whose first order is retention_days or more before asof",
    "repeat_rate": "retention: share of them ordering again on days 1..retention_days after "
                   "their first order's day",
    "revenue_per_user": "revenue: revenue (x margin) per signed-up user in their first "
                        "revenue_months calendar months",
    "referral_base": "referral: users signed up window_days + accept_days or more before asof",
    "invites_per_user": "referral: invitations they sent in their first window_days days",
    "invite_acceptance": "referral: share of those invitations whose invitee signed up within "
                         "accept_days (needs referrals)",
    "k_factor": "referral: invites_per_user x invite_acceptance",
    "ltv": "revenue (x margin) per signed-up user in their first horizon_months months",
    "ltv_cac": "ltv / cac",
    "payback_months": "months after sign-up until cumulative revenue (x margin) per user "
                      "covers CAC (1 = the sign-up month); NaN: not yet",
}


def aarrr(
    users: pd.DataFrame,
    orders: pd.DataFrame,
    events: pd.DataFrame,
    spend: pd.DataFrame,
    *,
    referrals: pd.DataFrame | None = None,
    by: str = "channel",
    activation_days: int = 30,
    retention_days: int = 90,
    window_days: int = 30,
    accept_days: int = 14,
    revenue_months: int = 3,
    horizon_months: int = 12,
    margin: float | pd.Series = 1.0,
    asof: object = None,
    customer: str = "user_id",
    signup_at: str = "signup_time",
    order_at: str = "order_time",
    amount: str = "amount",
    event_at: str = "event_time",
    event_type: str = "event_type",
    channel: str = "channel",
    spend_at: str = "date",
    spend_amount: str = "spend",
    invite_at: str = "invite_time",
    inviter: str = "inviter_id",
    invitee: str = "invitee_id",
) -> pd.DataFrame:
    """The AARRR funnel by channel (海盗模型): one row of channel economics per channel.

    The five stages of McClure's AARRR ("Startup metrics for pirates",
    2007), each measured per signed-up user of the group and over a stated
    window, with only the users who have had the whole window in the
    denominator (a user who signed up last week has not "failed to
    activate within 30 days"; they have not had 30 days):

    Acquisition
        ``signups``; ``spend`` and ``cac`` = spend / sign-ups over the days
        of the spend table (:func:`coursekit.metrics.cac`). Only channels
        of the spend table have a CAC; organic users cost nothing to buy and
        get NaN, not 0.
    Activation
        ``activation_rate``: the share of users with a first order within
        ``activation_days`` days of signing up, among the users who signed
        up at least ``activation_days`` before ``asof``.
    Retention
        ``repeat_rate``: the share of buyers who order again on calendar
        days 1 to ``retention_days`` after the day of their first order
        (:func:`coursekit.cohorts.day_n_retention`, ``basis="within"``),
        among the buyers whose day ``retention_days`` lies inside the data.
    Revenue
        ``revenue_per_user``: revenue per **signed-up** user (buyers or not)
        in their first ``revenue_months`` calendar months (the sign-up month
        is month 1), from the cohort curves of
        :func:`coursekit.cohorts.ltv_curves` (``start=users``,
        ``pooled=True``: each month averaged over the cohorts observed that
        long), times ``margin``.
    Referral
        ``invites_per_user``: the ``invite`` events sent in the first
        ``window_days`` days after sign-up, per user who signed up at least
        ``window_days + accept_days`` before ``asof``; with ``referrals``,
        ``invite_acceptance`` (the share of those users' invitations in the
        window whose invitee signed up within ``accept_days``,
        :func:`coursekit.growth.k_factor`) and ``k_factor`` =
        invites_per_user x invite_acceptance. Invitations are counted from
        the event log (where the app records each one sent), their fate from
        the referrals table (the only place it is recorded).

    Then the value of a user against their cost: ``ltv`` (the same curve at
    ``horizon_months``), ``ltv_cac`` = ltv / cac and ``payback_months``
    (:func:`coursekit.metrics.payback_periods` on the curve: the month
    since sign-up in which cumulative revenue x margin per user reaches
    CAC; 1 = the sign-up month; NaN when not reached within the months
    observed).

    Revenue is the amount paid. For profit, give ``margin``: a fraction, or
    one per channel, such as the contribution share of each channel's
    customers from :func:`coursekit.bizmodel.customer_economics`
    (``ue.lines.loc["contribution"] / ue.lines.loc["paid"]``); that function
    also gives the contribution line by line.

    Parameters
    ----------
    users
        One row per user: ``customer``, ``signup_at`` and ``by``.
    orders
        One row per order: ``customer``, ``order_at``, ``amount``; every
        customer must be in ``users``.
    events
        The event log: ``customer``, ``event_at``, ``event_type`` (the
        ``invite`` events count as invitations).
    spend
        Daily spend per channel: ``spend_at``, ``channel``, ``spend_amount``.
    referrals
        Optional invitations table (``inviter``, ``invite_at``, ``invitee``)
        for the acceptance and K.
    by
        Column of ``users`` to group by (default ``"channel"``). Spend, CAC,
        LTV/CAC and payback need ``by`` to be the ``channel`` column; with
        another column they are NaN.
    activation_days, retention_days, window_days, accept_days
        The windows of activation, retention and referral (days; whole
        numbers >= 1, ``accept_days`` >= 0).
    revenue_months, horizon_months
        Months of revenue per user for the revenue stage and for LTV
        (whole numbers >= 1; the sign-up month counts as month 1).
    margin
        Share of revenue kept, in (0, 1] (1: revenue itself), or a Series
        with one value per group.
    asof
        End of the data, exclusive (default: midnight after the last
        sign-up, order or event).
    customer, signup_at, order_at, amount, event_at, event_type
        Column names of ``users``, ``orders`` and ``events``.
    channel, spend_at, spend_amount
        Column names of ``spend`` (``channel`` also in ``users``).
    invite_at, inviter, invitee
        Column names of ``referrals``.

    Returns
    -------
    pandas.DataFrame
        One row per group (index named ``by``), the columns of
        :data:`AARRR_COLUMNS` in stage order. A rate whose denominator is
        empty (a group too recent for the window) is NaN, and so is an LTV
        not observed for ``horizon_months`` yet.

    Raises
    ------
    DataError
        Bad or missing columns (as :func:`coursekit.inputs.columns`), a
        user listed twice, orders or events of users not in ``users``, a
        spend channel without sign-ups, no user old enough for a window.
    ArgumentError
        A window that is not a whole number in range, ``by`` not a column
        of ``users``, a margin outside (0, 1] or missing for a group, a
        horizon longer than the data.

    Examples
    --------
    Four ``ads`` users and two ``organic`` ones; ads cost 100 a day for
    two days:

    >>> import pandas as pd
    >>> users = pd.DataFrame({"user_id": [1, 2, 3, 4, 5, 6],
    ...     "signup_time": pd.to_datetime(["2025-01-01", "2025-01-01", "2025-01-02",
    ...                                    "2025-01-02", "2025-01-01", "2025-01-02"]),
    ...     "channel": ["ads"] * 4 + ["organic"] * 2})
    >>> orders = pd.DataFrame({"user_id": [1, 1, 2, 5],
    ...     "order_time": pd.to_datetime(["2025-01-03", "2025-02-10", "2025-03-20",
    ...                                   "2025-01-05"]),
    ...     "amount": [80.0, 60.0, 50.0, 40.0]})
    >>> events = pd.DataFrame({"user_id": [1, 1, 5], "event_type": "invite",
    ...     "event_time": pd.to_datetime(["2025-01-04", "2025-01-09", "2025-01-06"])})
    >>> spend = pd.DataFrame({"date": pd.to_datetime(["2025-01-01", "2025-01-02"]),
    ...                       "channel": "ads", "spend": [100.0, 100.0]})
    >>> table = aarrr(users, orders, events, spend, horizon_months=3, asof="2025-07-01")
    >>> cols = ["signups", "cac", "activation_rate", "repeat_rate", "invites_per_user",
    ...         "ltv", "ltv_cac", "payback_months"]
    >>> table.loc["ads", cols].tolist()  # 200 / 4; user 1 of 4 buys in 30 days; ...
    [4.0, 50.0, 0.25, 0.5, 0.5, 47.5, 0.95, nan]
    >>> table.loc["organic", cols].tolist()  # no spend: no CAC
    [2.0, nan, 0.5, 0.0, 0.5, 20.0, nan, nan]
    """
    windows = _windows(activation_days, retention_days, window_days, accept_days,
                       revenue_months, horizon_months)
    by = _group_column(by, users)
    u = columns(users, "users", ids=[customer, by], times=[signup_at])
    unique_key(u, "users", customer)
    o = columns(orders, "orders", ids=[customer], times=[order_at], amounts=[amount],
                allow_empty=True)
    e = columns(events, "events", ids=[customer, event_type], times=[event_at],
                allow_empty=True)
    end = end_of_data(asof, u[signup_at], o[order_at], e[event_at])
    everyone = u
    u = u.loc[u[signup_at] < end]
    if len(u) == 0:
        raise DataError(f"nobody signed up before asof ({end:%Y-%m-%d})", table="users",
                        column=signup_at, fix="check asof")
    o = o.loc[o[order_at] < end]
    e = e.loc[e[event_at] < end]
    universe = pd.Index(u[customer].to_numpy())
    group = pd.Categorical(u[by].astype(object).to_numpy())
    groups = pd.Index(group.categories, name=by)
    g = group.codes.astype(np.int64)
    table = pd.DataFrame(index=groups)
    table["signups"] = np.bincount(g, minlength=len(groups))
    acquisition = _acquisition(spend, u, groups, by, channel, spend_at, spend_amount,
                               signup_at)
    table["spend"], table["cac"] = acquisition["spend"], acquisition["cac"]
    pos = lookup(universe, o[customer].to_numpy(), table="orders", other="users",
                 customer=customer)
    signed = u[signup_at].to_numpy(dtype="datetime64[ns]")
    _activation(table, o[order_at].to_numpy(), pos, signed, g, end, windows["activation"])
    _retention(table, o, u, pos, by, customer, order_at, end, windows["retention"])
    curve = _value_curve(o, u, by, customer, order_at, amount, signup_at, end, groups,
                         _margins(margin, groups))
    _referral(table, e, referrals, everyone, universe, signed, g, end, windows, by, customer,
              event_at, event_type, signup_at, invite_at, inviter, invitee)
    _value(table, curve, windows)
    return table[list(AARRR_COLUMNS)]


def _windows(activation_days: object, retention_days: object, window_days: object,
             accept_days: object, revenue_months: object, horizon_months: object) -> dict:
    return {
        "activation": whole(activation_days, "activation_days", example="e.g. 30"),
        "retention": whole(retention_days, "retention_days", example="e.g. 90"),
        "window": whole(window_days, "window_days", example="e.g. 30"),
        "accept": whole(accept_days, "accept_days", low=0, example="e.g. 14"),
        "revenue": whole(revenue_months, "revenue_months", example="e.g. 3"),
        "horizon": whole(horizon_months, "horizon_months", example="e.g. 12"),
    }


def _group_column(by: object, users: object) -> str:
    if not isinstance(by, str) or not isinstance(users, pd.DataFrame) or by not in users:
        have = list(users.columns) if isinstance(users, pd.DataFrame) else []
        raise ArgumentError("by must be the name of a column of users", name="by", value=by,
                            allowed=f"one of {have}")
    return by


def _margins(margin: object, groups: pd.Index) -> np.ndarray:
    what = "the share of revenue kept, in (0, 1]: 0.35 for 35 %"
    if isinstance(margin, pd.Series):
        missing = groups.difference(margin.index)
        if len(missing):
            raise ArgumentError(f"margin has no value for {list(missing)[:5]}",
                                name="margin", fix="give one margin per group, or one number")
        values = margin.reindex(groups)
    elif isinstance(margin, Real) and not isinstance(margin, bool | np.bool_):
        values = pd.Series(float(margin), index=groups)
    else:
        raise ArgumentError("margin must be a number or a Series by group", name="margin",
                            value=margin, fix=what)
    try:
        v = values.to_numpy(dtype=np.float64)
    except (TypeError, ValueError):
        raise ArgumentError("margin must hold numbers", name="margin", fix=what) from None
    if not (np.isfinite(v) & (v > 0) & (v <= 1)).all():
        raise ArgumentError(f"margin out of range: {v[~((v > 0) & (v <= 1))][:5].tolist()}",
                            name="margin", fix=what)
    return v


def _acquisition(spend: pd.DataFrame, u: pd.DataFrame, groups: pd.Index, by: str,
                 channel: str, spend_at: str, spend_amount: str,
                 signup_at: str) -> pd.DataFrame:
    from coursekit.metrics import cac

    out = pd.DataFrame({"spend": np.nan, "cac": np.nan}, index=groups)
    if by != channel:  # checked all the same: a broken table is no reason to go quiet
        columns(spend, "spend", ids=[channel], times=[spend_at], amounts=[spend_amount])
        return out
    paid = cac(spend, u, per=None, channel=channel, at=spend_at, amount=spend_amount,
               signup_at=signup_at)
    paid.index = paid.index.astype(object)
    out.loc[paid.index.intersection(groups), ["spend", "cac"]] = paid[["spend", "cac"]]
    return out


def _activation(table: pd.DataFrame, times: np.ndarray, pos: np.ndarray, signed: np.ndarray,
                g: np.ndarray, end: pd.Timestamp, days: int) -> None:
    first = np.full(len(signed), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, pos, times.astype("datetime64[ns]").astype(np.int64))
    bought = first < np.iinfo(np.int64).max
    lag = np.where(bought, (first - signed.astype(np.int64)) / 86_400e9, np.inf)
    base = days_between(np.full(len(signed), end.to_datetime64()), signed) >= days
    hit = base & (lag <= days)
    n = len(table)
    table["activation_base"] = np.bincount(g[base], minlength=n)
    with np.errstate(divide="ignore", invalid="ignore"):
        table["activation_rate"] = np.bincount(g[hit], minlength=n) / table["activation_base"]


def _retention(table: pd.DataFrame, o: pd.DataFrame, u: pd.DataFrame, pos: np.ndarray,
               by: str, customer: str, order_at: str, end: pd.Timestamp, days: int) -> None:
    from coursekit.cohorts import day_n_retention

    table["retention_base"] = 0
    table["repeat_rate"] = np.nan
    if len(o) == 0:
        return
    frame = pd.DataFrame({customer: o[customer].to_numpy(), order_at: o[order_at].to_numpy(),
                          by: u[by].astype(object).to_numpy()[pos]})
    out = day_n_retention(frame, customer=customer, at=order_at, days=[days],
                          basis="within", by=by, asof=end)
    out = out.xs(days, level="day")
    out.index = out.index.astype(object)
    have = out.index.intersection(table.index)
    table.loc[have, "retention_base"] = out.loc[have, "users"].to_numpy()
    table.loc[have, "repeat_rate"] = out.loc[have, "rate"].to_numpy()


def _value_curve(o: pd.DataFrame, u: pd.DataFrame, by: str, customer: str, order_at: str,
                 amount: str, signup_at: str, end: pd.Timestamp, groups: pd.Index,
                 margin: np.ndarray) -> pd.DataFrame:
    """Cumulative revenue x margin per signed-up user by month since sign-up, per group."""
    from coursekit.cohorts import ltv_curves

    start = pd.DataFrame({customer: u[customer].to_numpy(), signup_at: u[signup_at].to_numpy(),
                          by: u[by].astype(object).to_numpy()})
    if len(o) == 0:
        return pd.DataFrame(0.0, index=groups, columns=pd.RangeIndex(1))
    curve = ltv_curves(o[[customer, order_at, amount]], customer=customer, at=order_at,
                       amount=amount, per="M", by=by, start=start, start_at=signup_at,
                       pooled=True, asof=end)
    curve.index = curve.index.astype(object)
    return curve.reindex(groups).mul(margin, axis=0)


def _referral(table: pd.DataFrame, e: pd.DataFrame, referrals: pd.DataFrame | None,
              everyone: pd.DataFrame, universe: pd.Index, signed: np.ndarray, g: np.ndarray,
              end: pd.Timestamp, windows: dict, by: str, customer: str, event_at: str,
              event_type: str, signup_at: str, invite_at: str, inviter: str,
              invitee: str) -> None:
    window, accept = windows["window"], windows["accept"]
    base = days_between(np.full(len(signed), end.to_datetime64()), signed) >= window + accept
    sent = e.loc[e[event_type].astype(object).to_numpy() == "invite"]
    who = lookup(universe, sent[customer].to_numpy(), table="events", other="users",
                 customer=customer)
    lag = days_between(sent[event_at].to_numpy(), signed[who])
    counted = base[who] & (lag >= 0) & (lag < window)
    n = len(table)
    table["referral_base"] = np.bincount(g[base], minlength=n)
    with np.errstate(divide="ignore", invalid="ignore"):
        table["invites_per_user"] = (np.bincount(g[who[counted]], minlength=n)
                                     / table["referral_base"])
    table["invite_acceptance"] = np.nan
    if referrals is not None:  # k_factor reads every user (invitees may join after asof)
        from coursekit.growth.referrals import k_factor

        users = pd.DataFrame({customer: everyone[customer].to_numpy(),
                              signup_at: everyone[signup_at].to_numpy(),
                              by: everyone[by].astype(object).to_numpy()})
        k = k_factor(referrals, users, window_days=window, accept_days=accept, by=by,
                     asof=end, customer=customer, at=invite_at, signup_at=signup_at,
                     inviter=inviter, invitee=invitee)
        k.index = k.index.astype(object)
        table["invite_acceptance"] = k["acceptance"].reindex(table.index)
    table["k_factor"] = table["invites_per_user"] * table["invite_acceptance"]


def _value(table: pd.DataFrame, curve: pd.DataFrame, windows: dict) -> None:
    from coursekit.metrics import payback_periods

    months = curve.shape[1]
    for name, key in (("revenue_per_user", "revenue"), ("ltv", "horizon")):
        k = windows[key] - 1
        if k >= months:
            raise ArgumentError(f"the data covers {months} month(s) after sign-up, fewer "
                                f"than {windows[key]}", name=f"{key}_months",
                                value=windows[key], allowed=f"at most {months}")
        table[name] = curve.iloc[:, k].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        table["ltv_cac"] = table["ltv"] / table["cac"]
    table["payback_months"] = np.nan
    paid = table.index[table["cac"].notna().to_numpy() & curve.notna().any(axis=1).to_numpy()]
    if len(paid):
        table.loc[paid, "payback_months"] = payback_periods(
            curve.loc[paid], table.loc[paid, "cac"]).to_numpy()
