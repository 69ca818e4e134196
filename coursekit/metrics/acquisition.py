"""Acquisition and value: CAC by channel, the textbook LTV, payback periods, ROI = LTV / CAC."""

from __future__ import annotations

from numbers import Real

import numpy as np
import pandas as pd

from coursekit._periods import Axis as _Axis
from coursekit._periods import freq as _freq
from coursekit._periods import ordinals as _ordinals
from coursekit._periods import ratio as _ratio
from coursekit.errors import ArgumentError, DataError
from coursekit.inputs import columns

__all__ = ["cac", "ltv_simple", "payback_periods", "roi"]


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
