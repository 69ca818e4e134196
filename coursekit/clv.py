"""Probabilistic customer lifetime value: BG/NBD for purchases, Gamma-Gamma for spend.

Three pieces, in the order an analysis uses them:

1. :func:`summary` turns a transaction log into the customer-base summary
   these models read: one row per customer with ``frequency`` (repeat
   purchases), ``recency`` (time from the first to the last purchase), ``T``
   (time from the first purchase to the end of the calibration period) and
   ``monetary_value`` (mean value of the repeat purchases), optionally with a
   hold-out period to check forecasts against.
2. :class:`BetaGeo` (BG/NBD, Fader, Hardie & Lee 2005a) fits how often
   customers buy and how soon they quietly leave, then forecasts each
   customer's purchases and the probability they are still "alive".
3. :class:`GammaGamma` (Fader, Hardie & Lee 2005b) fits how much customers
   spend per purchase and combines both models into a discounted customer
   lifetime value.

The estimators follow scikit-learn: ``fit()`` returns the estimator, learned
values end in ``_`` (``BetaGeo().fit(s).params_``).

Why the likelihoods are written out here: they are a dozen lines each and
teach better in the open than behind a library call, and the ``lifetimes``
package that used to do this work is unmaintained. It is not a dependency and
none of its code is used; the formulas come from the papers cited below, and
the test suite checks them against the papers' published CDNOW estimates.

Times are counted in whole days: every purchase is dated by its day, several
purchases on one day count as one, and the summary expresses durations in
days (``unit="D"``) or weeks (``unit="W"``: days / 7, fractional; rounding
to whole weeks changes the estimates noticeably).

References
----------
.. [1] Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005a). "Counting your
   customers" the easy way: an alternative to the Pareto/NBD model.
   *Marketing Science* 24(2), 275-284.
.. [2] Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005b). RFM and CLV:
   using iso-value curves for customer base analysis. *Journal of Marketing
   Research* 42(4), 415-430.
.. [3] Fader, P. S. and Hardie, B. G. S. (2013). The Gamma-Gamma model of
   monetary value. Note, brucehardie.com.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

# scipy.special is imported inside the functions that use it: 0.3 s less in the
# first cell of every lesson that imports this module
from coursekit.errors import ArgumentError, CourseError, DataError
from coursekit.inputs import columns, timestamp

if TYPE_CHECKING:
    from scipy import optimize

__all__ = [
    "summary",
    "BetaGeo",
    "BetaGeoParams",
    "GammaGamma",
    "GammaGammaParams",
    "DAYS_PER_MONTH",
]

#: Length of the month used by :meth:`GammaGamma.customer_lifetime_value`: 365.25 / 12 days.
DAYS_PER_MONTH = 365.25 / 12
_UNIT_DAYS = {"D": 1.0, "W": 7.0}
_BOUND = 25.0  # log-parameters stay within exp(+-25): ~1e-11 .. 7e10


# --------------------------------------------------------------------------- summary


def _unit_days(unit: object, name: str = "per") -> float:
    if not isinstance(unit, str) or unit not in _UNIT_DAYS:
        raise ArgumentError(
            f"unknown time unit {unit!r}",
            name=name,
            fix="use 'D' (days) or 'W' (weeks = days / 7)",
        )
    return _UNIT_DAYS[unit]  # type: ignore[index]


def _day(ts: pd.Timestamp) -> int:
    """Days since 1970-01-01 of the day holding ``ts``."""
    return int(np.datetime64(ts.to_datetime64(), "D").astype(np.int64))


def _last_day(moment: pd.Timestamp) -> int:
    """The last whole day before an exclusive end: the day holding the instant before it."""
    return _day(moment - pd.Timedelta(1, "ns"))


def _date(day: int) -> str:
    return str(np.datetime64(int(day), "D"))


def summary(
    transactions: pd.DataFrame,
    *,
    customer: str = "user_id",
    at: str = "order_time",
    amount: str | None = "amount",
    asof: object = None,
    holdout_end: object = None,
    per: str = "D",
) -> pd.DataFrame:
    """Customer-base summary (frequency, recency, T, monetary value) of a transaction log.

    Purchases are counted by day: all purchases of a customer on one day are
    one purchase, worth their total. For a customer whose first purchase day
    is :math:`d_0`, with calibration days :math:`d_0 < d_1 < \\dots < d_x \\le
    c` (:math:`c` = the last day before ``asof``, the calibration period's last day):

    - ``frequency`` :math:`x` = number of repeat purchase days (distinct
      purchase days minus 1);
    - ``recency`` :math:`t_x = d_x - d_0` (0 when :math:`x = 0`);
    - ``T`` :math:`= c - d_0`;
    - ``monetary_value`` = mean value of the :math:`x` repeat purchase days
      (the first day excluded), 0 when :math:`x = 0`;

    durations in ``per``: days, or weeks = days / 7 (fractional, not rounded).
    Customers whose first purchase is after ``asof`` are left out.

    Parameters
    ----------
    transactions
        One row per purchase (or order).
    customer, at, amount
        Column names: customer id, purchase time (dates or datetimes; only the
        day counts), purchase value (``amount=None``: no ``monetary_value``).
    asof
        End of the calibration period, exclusive like every ``asof`` of the
        course: ``asof="1997-10-01"`` calibrates on purchases up to 30
        September. Whole days count, so a time of day rounds up to the next
        midnight. Default: the day after the last purchase day in the data.
    holdout_end
        End of a hold-out period that starts at ``asof``, exclusive too
        (needs ``asof``). Adds ``frequency_holdout`` (purchase days
        in the hold-out period) and ``duration_holdout`` (its length in
        ``per``). Purchases on or after it are ignored.
    per
        ``"D"`` (days) or ``"W"`` (weeks).

    Returns
    -------
    pandas.DataFrame
        Indexed by customer id (sorted), columns ``frequency`` (int),
        ``recency``, ``T``, ``monetary_value``, and with ``holdout_end``
        ``frequency_holdout`` (int), ``duration_holdout``.

    Raises
    ------
    DataError
        Missing, unparseable or negative values in the named columns (see
        :func:`coursekit.inputs.columns`).
    ArgumentError
        An unknown ``per``, a date that cannot be read, ``asof`` not after the
        first purchase, ``holdout_end`` not after ``asof`` or without it.

    Examples
    --------
    Customer 1 buys twice on 1 January (one purchase day worth 15), then on
    8 and 15 January; customer 3's first purchase is after the calibration
    end, so they are left out:

    >>> import pandas as pd
    >>> log = pd.DataFrame({
    ...     "user_id": [1, 1, 1, 1, 2, 3],
    ...     "order_time": ["2025-01-01 09:00", "2025-01-01 20:00", "2025-01-08",
    ...                    "2025-01-15", "2025-01-10", "2025-02-20"],
    ...     "amount": [10.0, 5.0, 20.0, 40.0, 8.0, 3.0]})
    >>> s = summary(log, asof="2025-02-01", holdout_end="2025-03-02", per="W")
    >>> rfm = s[["frequency", "recency", "T", "monetary_value"]]
    >>> rfm.round(3)  # doctest: +NORMALIZE_WHITESPACE
                 frequency  recency      T  monetary_value
    user_id
    1                    2      2.0  4.286            30.0
    2                    0      0.0  3.000             0.0
    >>> holdout = s[["frequency_holdout", "duration_holdout"]]
    >>> holdout.round(3)  # doctest: +NORMALIZE_WHITESPACE
                 frequency_holdout  duration_holdout
    user_id
    1                            0             4.143
    2                            0             4.143
    """
    scale = _unit_days(per)
    amounts = [amount] if amount is not None else []
    df = columns(transactions, "transactions", ids=[customer], times=[at], amounts=amounts)
    day = df[at].to_numpy().astype("datetime64[D]").astype(np.int64)
    first_day, last_day = int(day.min()), int(day.max())
    if asof is None:
        if holdout_end is not None:
            raise ArgumentError(
                "holdout_end given without asof",
                name="asof",
                fix="give the end of the calibration period too",
            )
        cal = last_day
    else:
        cal = _last_day(timestamp(asof, "asof"))
    if cal < first_day:
        raise ArgumentError(
            f"asof leaves no day before the first purchase ({_date(first_day)})",
            name="asof", value=asof,
            fix="choose a calibration end inside the data's period",
        )
    end = cal
    if holdout_end is not None:
        end = _last_day(timestamp(holdout_end, "holdout_end"))
        if end < cal:
            raise ArgumentError(
                "holdout_end is before asof",
                name="holdout_end", value=holdout_end,
                fix="the hold-out period follows the calibration period: swap the dates?",
            )

    keep = day <= end
    day = day[keep]
    codes, ids = pd.factorize(df[customer].to_numpy()[keep], sort=True)
    value = df[amount].to_numpy()[keep] if amount is not None else np.zeros(len(day))
    # One row per (customer, day): sort a packed key, sum the values of equal keys.
    span = end - first_day + 1
    key = codes.astype(np.int64) * span + (day - first_day)
    order = np.argsort(key)
    key = key[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    dkey = key[starts]
    dcust = dkey // span
    dday = dkey % span + first_day
    dvalue = np.add.reduceat(value[order], starts) if len(starts) else np.zeros(0)
    del key, order

    n = len(ids)
    cstart = np.flatnonzero(np.r_[True, dcust[1:] != dcust[:-1]])  # every customer has a row
    in_cal = dday <= cal
    repeat = in_cal.copy()
    repeat[cstart] = False  # the first day is not a repeat purchase
    n_cal = np.bincount(dcust, weights=in_cal, minlength=n).astype(np.int64)
    active = n_cal > 0  # first purchase on or before the calibration end
    first = dday[cstart]
    last = dday[cstart + np.maximum(n_cal, 1) - 1]  # calibration days come first
    freq = np.maximum(n_cal - 1, 0)
    repeat_value = np.bincount(dcust, weights=dvalue * repeat, minlength=n)
    out = {
        "frequency": freq,
        "recency": (last - first) / scale,
        "T": (cal - first) / scale,
    }
    if amount is not None:
        out["monetary_value"] = np.divide(
            repeat_value, freq, out=np.zeros(n), where=freq > 0
        )
    if holdout_end is not None:
        out["frequency_holdout"] = np.bincount(dcust, weights=~in_cal, minlength=n).astype(
            np.int64
        )
        out["duration_holdout"] = np.full(n, (end - cal) / scale)
    index = pd.Index(ids[active], name=customer)
    return pd.DataFrame({k: v[active] for k, v in out.items()}, index=index)


# --------------------------------------------------------------------------- parameters


class _Params(Mapping[str, float]):
    """Read-only mapping over a frozen dataclass's fields: ``params["r"]``, ``pd.Series(p)``."""

    def __getitem__(self, key: str) -> float:
        if key in self.__dataclass_fields__:  # type: ignore[attr-defined]
            return getattr(self, key)
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return (f.name for f in fields(self))  # type: ignore[arg-type]

    def __len__(self) -> int:
        return len(fields(self))  # type: ignore[arg-type]

    def to_series(self) -> pd.Series:
        """The parameters as a pandas Series (name -> value)."""
        return pd.Series(dict(self), name="estimate", dtype="float64")


@dataclass(frozen=True)
class BetaGeoParams(_Params):
    """BG/NBD parameters: purchase rate ~ Gamma(shape ``r``, rate ``alpha``),
    dropout probability ~ Beta(``a``, ``b``). ``alpha`` is in the summary's time unit."""

    r: float
    alpha: float
    a: float
    b: float


@dataclass(frozen=True)
class GammaGammaParams(_Params):
    """Gamma-Gamma parameters: a purchase's value ~ Gamma(shape ``p``, rate ``nu``),
    ``nu`` ~ Gamma(shape ``q``, rate ``v``) across customers (``v`` is called gamma
    in Fader & Hardie's note and in ``truth.json``)."""

    p: float
    q: float
    v: float


# --------------------------------------------------------------------------- validation


def _offending(df: pd.DataFrame, mask: np.ndarray, cols: list[str]) -> pd.DataFrame:
    return df.loc[np.asarray(mask, dtype=bool), cols].head(5)


def _check_frequency(df: pd.DataFrame, x: np.ndarray, table: str) -> None:
    if (x < 0).any():
        raise DataError(
            "negative frequency",
            table=table,
            column="frequency",
            rows=_offending(df, x < 0, ["frequency"]),
            fix="frequency counts repeat purchases: 0 or more; build it with clv.summary()",
        )
    frac = x != np.floor(x)
    if frac.any():
        raise DataError(
            "frequency must be a whole number of repeat purchases",
            table=table,
            column="frequency",
            rows=_offending(df, frac, ["frequency"]),
            fix="count purchase days, not amounts or averages; build it with clv.summary()",
        )


def _bgnbd_input(s: object, table: str = "summary") -> tuple[np.ndarray, ...]:
    """frequency, recency, T of a summary, checked against the BG/NBD's assumptions."""
    df = columns(s, table, numbers=["frequency", "recency", "T"])
    x, tx, T = (df[c].to_numpy() for c in ("frequency", "recency", "T"))
    _check_frequency(df, x, table)
    cols = ["frequency", "recency", "T"]
    for name, v in (("recency", tx), ("T", T)):
        if (v < 0).any():
            raise DataError(
                f"negative {name}",
                table=table,
                column=name,
                rows=_offending(df, v < 0, cols),
                fix="times are measured from the first purchase: check the dates",
            )
    if (tx > T).any():
        raise DataError(
            "recency larger than T (last purchase after the end of the calibration period)",
            table=table,
            column="recency",
            rows=_offending(df, tx > T, cols),
            fix="measure T to the calibration end and drop purchases after it "
            "(clv.summary(..., asof=...))",
        )
    bad = (x == 0) & (tx > 0)
    if bad.any():
        raise DataError(
            "recency > 0 with frequency 0: without a repeat purchase the recency is 0",
            table=table,
            column="recency",
            rows=_offending(df, bad, cols),
            fix="recency is the time from the first to the last purchase; "
            "build the summary with clv.summary()",
        )
    return x, tx, T


def _scalar_time(t: object, name: str = "t") -> float:
    try:  # not True, not "12": a number
        value = math.nan if isinstance(t, bool | np.bool_ | str) else float(t)  # type: ignore
    except (TypeError, ValueError):
        value = float("nan")
    if not math.isfinite(value) or value < 0:
        raise ArgumentError(
            f"{name} must be a finite number >= 0, got {t!r}",
            name=name,
            fix="give the length of the forecast period in the summary's time unit",
        )
    return value


def _not_fitted(model: object) -> CourseError:
    name = type(model).__name__
    return CourseError(f"this {name} is not fitted yet: call {name}().fit(summary) first")


def _minimise(fun: Any, theta0: np.ndarray, what: str) -> optimize.OptimizeResult:
    """L-BFGS-B on log-parameters with the analytic gradient; a BFGS polish when it
    stops with a gradient that is not yet small (it rarely does: about 15 iterations
    usually bring the gradient of the mean log-likelihood below 1e-8)."""
    from scipy import optimize  # here, not at the top: 0.5 s less in a lesson's first cell

    bounds = [(-_BOUND, _BOUND)] * len(theta0)
    first = optimize.minimize(
        fun, theta0, jac=True, method="L-BFGS-B", bounds=bounds,
        options=dict(maxiter=2000, ftol=1e-13, gtol=1e-9),
    )
    res = first
    inside = np.all(np.abs(first.x) < _BOUND - 1e-6)
    if inside and not (first.jac is not None and np.max(np.abs(first.jac)) < 1e-7):
        polish = optimize.minimize(
            fun, first.x, jac=True, method="BFGS", options=dict(gtol=1e-8, maxiter=200)
        )
        if np.isfinite(polish.fun) and polish.fun <= first.fun:
            res = polish
    gnorm = float(np.max(np.abs(res.jac))) if res.jac is not None else np.inf
    if not np.isfinite(res.fun) or gnorm > 1e-5 or np.any(np.abs(res.x) >= _BOUND - 1e-6):
        warnings.warn(
            f"{what} fit may not have converged ({res.message}; largest gradient "
            f"{gnorm:.2g}; parameters {np.exp(res.x)}); the data may not support this model",
            RuntimeWarning,
            stacklevel=3,
        )
    return res


# --------------------------------------------------------------------------- BG/NBD


class BetaGeo:
    r"""The BG/NBD model of repeat purchasing (Fader, Hardie & Lee 2005a).

    While alive, a customer buys at rate :math:`\lambda` (a Poisson process);
    after each repeat purchase they drop out for good with probability
    :math:`p`. Across customers :math:`\lambda \sim \mathrm{Gamma}(r, \alpha)`
    (shape, rate) and :math:`p \sim \mathrm{Beta}(a, b)`. Integrating both out,
    a customer with summary :math:`(x, t_x, T)` contributes

    .. math::

        L(r, \alpha, a, b \mid x, t_x, T) =
        \frac{\Gamma(r + x)\,\alpha^r}{\Gamma(r)}
        \left[ \frac{B(a, b + x)}{B(a, b)} \frac{1}{(\alpha + T)^{r + x}}
        + \delta_{x > 0} \frac{B(a + 1, b + x - 1)}{B(a, b)}
          \frac{1}{(\alpha + t_x)^{r + x}} \right]

    (the first term: still alive at :math:`T`; the second: dropped out after
    the last purchase). :meth:`fit` maximises :math:`\sum_i \log L_i` over
    :math:`\log r, \log \alpha, \log a, \log b` with L-BFGS-B and the analytic
    gradient, written in log space (``gammaln``, ``betaln``, ``logaddexp``) so
    that customers with many purchases do not overflow.

    Attributes
    ----------
    params_ : BetaGeoParams
        ``r``, ``alpha``, ``a``, ``b``; ``params_["r"]``,
        ``params_.to_series()``. ``alpha`` is in the summary's time unit.
    log_likelihood_ : float
        Maximised log-likelihood (sum over customers).
    n_customers_ : int
        Customers (total weight) used in the fit.
    optimizer_result_ : scipy.optimize.OptimizeResult
        The optimiser's result, on the log-parameters and the mean log-likelihood.

    References
    ----------
    Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). "Counting your
    customers" the easy way: an alternative to the Pareto/NBD model.
    *Marketing Science* 24(2), 275-284. On the CDNOW sample (39 weeks) the
    paper reports r = 0.243, alpha = 4.414, a = 0.793, b = 2.426 and a
    log-likelihood of -9582.4, which the tests reproduce.

    Examples
    --------
    >>> import coursekit
    >>> from coursekit import clv
    >>> cd = coursekit.load("cdnow_sample")
    >>> s = clv.summary(cd, customer="customer_id", at="order_date", asof="1997-10-01",
    ...                 per="W")
    >>> model = clv.BetaGeo().fit(s)
    >>> model.params_.to_series().round(3)
    r        0.243
    alpha    4.414
    a        0.793
    b        2.426
    Name: estimate, dtype: float64
    >>> round(model.log_likelihood_, 1)
    -9582.4
    >>> model.conditional_expected_purchases(39, s).head(3).round(3)
    customer_id
    1    1.226
    2    0.203
    3    0.195
    Name: expected_purchases, dtype: float64
    """

    def __init__(self) -> None:
        self.params_: BetaGeoParams | None = None

    def __repr__(self) -> str:
        if self.params_ is None:
            return "BetaGeo()"
        inner = ", ".join(f"{k}={v:.4g}" for k, v in self.params_.items())
        return f"BetaGeo({inner})"

    # -- fitting

    @staticmethod
    def _negll(theta: np.ndarray, d: dict[str, np.ndarray]) -> tuple[float, np.ndarray]:
        """Mean negative log-likelihood and its gradient in log-parameters."""
        from scipy.special import betaln, digamma, gammaln
        r, alpha, a, b = np.exp(theta)
        ux, ix, x, tx, T, w = d["ux"], d["ix"], d["x"], d["tx"], d["T"], d["w"]
        wsum, wx = d["wsum"], d["wx"]
        rep = ux > 0
        ux1 = np.where(rep, ux, 1.0)  # x - 1 only where x > 0
        # Terms that depend on x only, on the distinct values of x.
        lb = betaln(a, b)
        bl_alive = betaln(a, b + ux) - lb
        bl_drop = np.where(rep, betaln(a + 1, b + ux1 - 1) - lb, -np.inf)
        # Per customer: the two bracketed terms, in logs.
        rx = r + x
        log_aT = np.log(alpha + T)
        log_atx = np.log(alpha + tx)
        a_alive = bl_alive[ix] - rx * log_aT
        a_drop = bl_drop[ix] - rx * log_atx
        m = np.logaddexp(a_alive, a_drop)
        ll = (
            wx @ (gammaln(r + ux) - gammaln(r))
            + wsum * r * math.log(alpha)
            + w @ m
        )
        s_alive = np.exp(a_alive - m)
        s_drop = 1.0 - s_alive
        w_alive = np.bincount(ix, weights=w * s_alive, minlength=len(ux))
        w_drop = wx - w_alive
        psi_abx = digamma(a + b + ux)
        g_r = (
            wx @ digamma(r + ux)
            - wsum * (digamma(r) - math.log(alpha))
            - w @ (s_alive * log_aT + s_drop * log_atx)
        )
        g_alpha = wsum * r / alpha - w @ (rx * (s_alive / (alpha + T) + s_drop / (alpha + tx)))
        g_a = (
            w_alive @ (digamma(a) - psi_abx)
            + w_drop @ (digamma(a + 1) - psi_abx)
            - wsum * (digamma(a) - digamma(a + b))
        )
        g_b = (
            w_alive @ (digamma(b + ux) - psi_abx)
            + w_drop @ np.where(rep, digamma(b + ux1 - 1) - psi_abx, 0.0)
            - wsum * (digamma(b) - digamma(a + b))
        )
        grad = np.array([g_r * r, g_alpha * alpha, g_a * a, g_b * b])
        if not np.isfinite(ll):
            return np.inf, np.zeros(4)
        return -ll / wsum, -grad / wsum

    def fit(self, summary: pd.DataFrame, *, weights: object = None) -> BetaGeo:
        """Fit by maximum likelihood.

        Parameters
        ----------
        summary
            Columns ``frequency`` (whole repeat purchases), ``recency`` and
            ``T`` (as made by :func:`summary`); other columns are ignored.
        weights
            Optional number of customers each row stands for (a summary
            already grouped by identical rows). Identical rows are grouped
            internally anyway, so this is only needed for pre-grouped data.

        Returns
        -------
        BetaGeo
            ``self``, fitted.

        Raises
        ------
        DataError
            Missing columns, an empty table, missing or infinite values,
            negative or fractional frequency, negative recency or T, recency
            larger than T, recency > 0 with frequency 0, no customer with a
            repeat purchase.
        ArgumentError
            Bad weights.
        """
        x, tx, T = _bgnbd_input(summary)
        if weights is None:
            w = np.ones(len(x))
        else:
            try:
                w = np.asarray(weights, dtype="float64").ravel()
            except (TypeError, ValueError):
                w = np.array([np.nan])  # refused just below
            if w.shape != x.shape or not np.isfinite(w).all() or (w < 0).any() or w.sum() <= 0:
                raise ArgumentError(
                    "weights must be one finite number >= 0 per row, not all zero",
                    name="weights",
                    fix="pass the number of customers each row stands for",
                )
        if not ((x > 0) & (w > 0)).any():
            raise DataError(
                "no customer with a repeat purchase (frequency > 0): the BG/NBD learns how "
                "often customers buy again and when they drop out from repeat purchases, so "
                "its parameters would be meaningless and its predictions NaN",
                table="summary",
                column="frequency",
                fix="use a longer calibration period (a later asof), or more customers",
            )
        # Group identical rows (daily data repeats a lot): fewer logs per evaluation.
        grouped = (
            pd.DataFrame({"x": x, "tx": tx, "T": T, "w": w})
            .groupby(["x", "tx", "T"], sort=False)["w"]
            .sum()
        )
        grouped = grouped[grouped > 0]
        gx = grouped.index.get_level_values("x").to_numpy(dtype="float64")
        ux, ix = np.unique(gx, return_inverse=True)
        gw = grouped.to_numpy()
        d = dict(
            ux=ux,
            ix=ix,
            x=gx,
            tx=grouped.index.get_level_values("tx").to_numpy(dtype="float64"),
            T=grouped.index.get_level_values("T").to_numpy(dtype="float64"),
            w=gw,
            wx=np.bincount(ix, weights=gw, minlength=len(ux)),
            wsum=gw.sum(),
        )
        # Start: r = a = b = 1, alpha from the mean purchase rate.
        rate = max(float(w @ x), 1e-3 * d["wsum"]) / max(float(w @ T), 1e-9)
        theta0 = np.log([1.0, min(max(1.0 / rate, 1e-6), 1e6), 1.0, 1.0])
        res = _minimise(lambda th: self._negll(th, d), theta0, "BG/NBD")
        r, alpha, a, b = (float(v) for v in np.exp(res.x))
        self.params_ = BetaGeoParams(r=r, alpha=alpha, a=a, b=b)
        self.log_likelihood_ = float(-res.fun * d["wsum"])
        self.n_customers_ = float(d["wsum"]) if weights is not None else len(x)
        self.optimizer_result_ = res
        return self

    # -- predictions

    def _fitted(self) -> BetaGeoParams:
        if self.params_ is None:
            raise _not_fitted(self)
        return self.params_

    def _log_dropout_odds(self, x: np.ndarray, tx: np.ndarray, T: np.ndarray) -> np.ndarray:
        """log of  a / (b + x - 1) * ((alpha + T) / (alpha + t_x))^(r + x)  (-inf when x = 0)."""
        r, alpha, a, b = self._fitted().values()
        x1 = np.where(x > 0, x, 1.0)
        odds = (
            math.log(a)
            - np.log(b + x1 - 1)
            + (r + x) * (np.log(alpha + T) - np.log(alpha + tx))
        )
        return np.where(x > 0, odds, -np.inf)

    def probability_alive(self, summary: pd.DataFrame) -> pd.Series:
        r"""Probability that each customer is still alive at the end of calibration.

        .. math::

            P(\text{alive} \mid x, t_x, T) = \left[1 + \delta_{x > 0}
            \frac{a}{b + x - 1}
            \left(\frac{\alpha + T}{\alpha + t_x}\right)^{r + x}\right]^{-1}

        (Fader, Hardie & Lee 2005a; computed through the log-odds, so it does
        not overflow). A customer without a repeat purchase is alive with
        probability 1: in the BG/NBD, dropout happens only after a purchase.

        Parameters
        ----------
        summary
            ``frequency``, ``recency``, ``T`` of the calibration period.

        Returns
        -------
        pandas.Series
            ``probability_alive``, indexed like ``summary``.
        """
        from scipy.special import expit
        x, tx, T = _bgnbd_input(summary)
        p = expit(-self._log_dropout_odds(x, tx, T))
        return pd.Series(p, index=summary.index, name="probability_alive")

    def _bracket(self, t: float, x: np.ndarray | float, T: np.ndarray | float) -> np.ndarray:
        r"""(a + b + x - 1) / (a - 1) * [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(...)]

        computed with Euler's transformation
        :math:`{}_2F_1(A, B; C; z) = (1 - z)^{C - A - B}\, {}_2F_1(C - A, C - B; C; z)`,
        which turns :math:`(1 - z)^{r + x}\,{}_2F_1(r + x, b + x; a + b + x - 1; z)`
        into :math:`(1 - z)^{a - 1}\,{}_2F_1(a + b - 1 - r, a - 1; a + b + x - 1; z)`:
        the same number, but the first two arguments no longer grow with ``x``.
        """
        from scipy.special import hyp2f1
        r, alpha, a, b = self._fitted().values()
        x = np.asarray(x, dtype="float64")
        one_minus_z = (alpha + T) / (alpha + T + t)
        z = 1.0 - one_minus_z
        c = a + b + x - 1
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):  # checked below
            h = one_minus_z ** (a - 1) * hyp2f1(a + b - 1 - r, a - 1, c, z)
            out = np.where(t > 0, c / (a - 1) * (1.0 - h), 0.0)
        if not np.isfinite(out).all():  # not a NaN forecast
            raise DataError(
                f"the BG/NBD fitted on this summary cannot be evaluated (a={a:.3g}, "
                f"b={b:.3g}): with a and b this large the formula's terms overflow; the data "
                "did not pin down how dropout varies between customers",
                table="summary",
                fix="fit on more customers or a longer calibration period",
            )
        return out

    def expected_purchases(self, t: float | np.ndarray) -> float | np.ndarray:
        r"""Expected purchases in ``(0, t]`` of a customer who has just made a first purchase.

        .. math::

            E[X(t)] = \frac{a + b - 1}{a - 1}
            \left[1 - \left(\frac{\alpha}{\alpha + t}\right)^{r}
            {}_2F_1\!\left(r, b; a + b - 1; \frac{t}{\alpha + t}\right)\right]

        (eq. 9 of Fader, Hardie & Lee 2005a), with ``t`` in the summary's
        time unit. The paper's :math:`X(t)` counts the purchases of a
        customer observed from time 0, so these are repeat purchases when
        time 0 is the first purchase.

        Parameters
        ----------
        t
            A length of time, or an array of them, in the summary's time unit.

        Returns
        -------
        float or numpy.ndarray
            Expected purchases, shaped like ``t``.

        Examples
        --------
        >>> m = BetaGeo()
        >>> m.params_ = BetaGeoParams(r=0.243, alpha=4.414, a=0.793, b=2.426)
        >>> m.expected_purchases([13, 26, 52]).round(3)
        array([0.534, 0.903, 1.446])
        """
        ts = np.asarray(t, dtype="float64")
        if not np.isfinite(ts).all() or (ts < 0).any():
            raise ArgumentError(
                f"t must be finite numbers >= 0, got {t!r}",
                name="t",
                fix="give the length of the period in the summary's time unit",
            )
        out = self._bracket(ts, 0.0, 0.0)  # type: ignore[arg-type]
        return float(out) if out.ndim == 0 else out

    def conditional_expected_purchases(self, t: float, summary: pd.DataFrame) -> pd.Series:
        r"""Expected purchases of each customer in the next ``t`` time units.

        For a customer with calibration summary :math:`(x, t_x, T)`, eq. 10
        of Fader, Hardie & Lee (2005a):

        .. math::

            E[Y(t) \mid x, t_x, T] =
            \frac{\dfrac{a + b + x - 1}{a - 1}
            \left[1 - \left(\dfrac{\alpha + T}{\alpha + T + t}\right)^{r + x}
            {}_2F_1\!\left(r + x, b + x; a + b + x - 1;
            \dfrac{t}{\alpha + T + t}\right)\right]}
            {1 + \delta_{x > 0} \dfrac{a}{b + x - 1}
            \left(\dfrac{\alpha + T}{\alpha + t_x}\right)^{r + x}}

        The denominator's inverse is :meth:`probability_alive`; the
        hypergeometric term is evaluated after Euler's transformation (see the
        source) so that heavy buyers do not overflow.

        Parameters
        ----------
        t
            Length of the forecast period, in the summary's time unit.
        summary
            ``frequency``, ``recency``, ``T`` of the calibration period.

        Returns
        -------
        pandas.Series
            ``expected_purchases``, indexed like ``summary``.
        """
        from scipy.special import expit
        t = _scalar_time(t)
        x, tx, T = _bgnbd_input(summary)
        alive = expit(-self._log_dropout_odds(x, tx, T))
        out = self._bracket(t, x, T) * alive if t > 0 else np.zeros(len(x))
        return pd.Series(out, index=summary.index, name="expected_purchases")


# --------------------------------------------------------------------------- Gamma-Gamma


def _gg_input(s: object, table: str = "summary") -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    df = columns(s, table, amounts=["monetary_value"], numbers=["frequency"])
    x, m = df["frequency"].to_numpy(), df["monetary_value"].to_numpy()
    _check_frequency(df, x, table)
    zero = (x > 0) & (m <= 0)
    if zero.any():
        raise DataError(
            "monetary_value 0 for customers with repeat purchases; the Gamma-Gamma model "
            "needs positive spend",
            table=table,
            column="monetary_value",
            rows=_offending(df, zero, ["frequency", "monetary_value"]),
            fix="leave out free orders (amount 0) before building the summary, "
            "or drop these customers",
        )
    return df, x, m


class GammaGamma:
    r"""The Gamma-Gamma model of spend per purchase (Fader, Hardie & Lee 2005b).

    A customer's purchase values are i.i.d. :math:`\mathrm{Gamma}(p, \nu)`
    (shape, rate; mean :math:`p/\nu`), and :math:`\nu \sim \mathrm{Gamma}(q,
    v)` across customers. Spend is assumed independent of the purchase
    process (check that frequency and monetary value are barely correlated).
    The mean :math:`\bar z` of a customer's :math:`x` repeat purchases has
    density

    .. math::

        f(\bar z \mid p, q, v, x) =
        \frac{\Gamma(p x + q)}{\Gamma(p x)\,\Gamma(q)}
        \frac{v^{q}\, \bar z^{\,p x - 1}\, x^{p x}}{(v + x \bar z)^{p x + q}}

    (Fader & Hardie 2013), which :meth:`fit` maximises over
    :math:`\log p, \log q, \log v` for the customers with ``frequency > 0``.

    Attributes
    ----------
    params_ : GammaGammaParams
        ``p``, ``q``, ``v``; ``params_["p"]``, ``params_.to_series()``.
    log_likelihood_ : float
        Maximised log-likelihood (sum over repeat customers).
    n_customers_ : int
        Customers with a repeat purchase, those used in the fit.
    optimizer_result_ : scipy.optimize.OptimizeResult
        The optimiser's result, on the log-parameters and the mean log-likelihood.

    References
    ----------
    Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). RFM and CLV: using
    iso-value curves for customer base analysis. *Journal of Marketing
    Research* 42(4), 415-430. On the CDNOW sample's 39-week calibration
    period (mean value of the repeat purchases) they report p = 6.25,
    q = 3.74, v = 15.44, which the tests reproduce.

    Examples
    --------
    >>> import coursekit
    >>> from coursekit import clv
    >>> cd = coursekit.load("cdnow_sample")
    >>> s = clv.summary(cd, customer="customer_id", at="order_date", asof="1997-10-01",
    ...                 per="W")
    >>> spend = clv.GammaGamma().fit(s)
    >>> spend.params_.to_series().round(2)
    p     6.25
    q     3.74
    v    15.44
    Name: estimate, dtype: float64
    >>> spend.conditional_expected_average_profit(s).head(3).round(2)
    customer_id
    1    24.65
    2    18.91
    3    35.17
    Name: expected_average_profit, dtype: float64
    """

    def __init__(self) -> None:
        self.params_: GammaGammaParams | None = None

    def __repr__(self) -> str:
        if self.params_ is None:
            return "GammaGamma()"
        inner = ", ".join(f"{k}={v:.4g}" for k, v in self.params_.items())
        return f"GammaGamma({inner})"

    @staticmethod
    def _negll(theta: np.ndarray, x: np.ndarray, m: np.ndarray, const: float) -> tuple:
        from scipy.special import digamma, gammaln
        p, q, v = np.exp(theta)
        px = p * x
        log_xm = np.log(x * m)
        log_vxm = np.log(v + x * m)
        ll = (
            np.sum(gammaln(px + q) - gammaln(px) + px * log_xm - (px + q) * log_vxm)
            - len(x) * (gammaln(q) - q * math.log(v))
            - const
        )
        psi_pxq = digamma(px + q)
        g_p = np.sum(x * (psi_pxq - digamma(px) + log_xm - log_vxm))
        g_q = np.sum(psi_pxq - log_vxm) - len(x) * (digamma(q) - math.log(v))
        g_v = len(x) * q / v - np.sum((px + q) / (v + x * m))
        if not np.isfinite(ll):
            return np.inf, np.zeros(3)
        n = len(x)
        return -ll / n, -np.array([g_p * p, g_q * q, g_v * v]) / n

    def fit(self, summary: pd.DataFrame) -> GammaGamma:
        """Fit by maximum likelihood on the customers with ``frequency > 0``.

        Parameters
        ----------
        summary
            Columns ``frequency`` and ``monetary_value`` (mean value of the
            repeat purchases, as made by :func:`summary`).

        Returns
        -------
        GammaGamma
            ``self``, fitted.

        Raises
        ------
        DataError
            Missing columns, missing or infinite values, negative or
            fractional frequency, negative monetary value, zero monetary value
            with repeat purchases, no customer with a repeat purchase.
        """
        df, x, m = _gg_input(summary)
        rep = x > 0
        if not rep.any():
            raise DataError(
                "no customer with a repeat purchase (frequency > 0)",
                table="summary",
                column="frequency",
                fix="use a longer calibration period; the model learns from repeat purchases",
            )
        x, m = x[rep], m[rep]
        const = float(np.sum(np.log(m)))  # the density's -log(z) terms: constant in the fit
        mean = float(m.mean())
        theta0 = np.log([1.0, 2.0, mean])  # p / (v / (q - 1)) = mean spend
        res = _minimise(lambda th: self._negll(th, x, m, const), theta0, "Gamma-Gamma")
        p, q, v = (float(u) for u in np.exp(res.x))
        self.params_ = GammaGammaParams(p=p, q=q, v=v)
        self.log_likelihood_ = float(-res.fun * len(x))
        self.n_customers_ = len(x)
        self.optimizer_result_ = res
        return self

    def _fitted(self) -> GammaGammaParams:
        if self.params_ is None:
            raise _not_fitted(self)
        return self.params_

    def conditional_expected_average_profit(self, summary: pd.DataFrame) -> pd.Series:
        r"""Expected value of a customer's future purchases, given their past ones.

        .. math::

            E[Z \mid p, q, v, \bar z, x] = \frac{p\,(v + x \bar z)}{p x + q - 1}
            = \frac{q - 1}{p x + q - 1} \frac{p v}{q - 1}
            + \frac{p x}{p x + q - 1} \bar z

        a weighted average of the population mean :math:`p v / (q - 1)` and
        the customer's own mean :math:`\bar z`, which weighs more the more
        repeat purchases there are. Customers without a repeat purchase get
        the population mean. Needs :math:`q > 1` (otherwise the mean spend is
        infinite).

        Parameters
        ----------
        summary
            ``frequency`` and ``monetary_value``.

        Returns
        -------
        pandas.Series
            ``expected_average_profit``, indexed like ``summary``.
        """
        p, q, v = self._fitted().values()
        if q <= 1:
            raise DataError(
                f"q = {q:.3g} <= 1: the fitted spend distribution has no finite mean",
                table="model",
                column="q",
                fix="check the monetary values for extreme outliers",
            )
        _, x, m = _gg_input(summary)
        out = p * (v + x * m) / (p * x + q - 1)
        return pd.Series(out, index=summary.index, name="expected_average_profit")

    def customer_lifetime_value(
        self,
        bgnbd: BetaGeo,
        summary: pd.DataFrame,
        *,
        per: str,
        months: int = 12,
        discount_rate: float = 0.01,
        margin: float = 1.0,
    ) -> pd.Series:
        r"""Discounted value of each customer's purchases over the next ``months`` months.

        The convention: a month is :data:`DAYS_PER_MONTH` = 365.25 / 12 days
        (4.348 weeks); the purchases expected in month :math:`i` are
        :math:`E[Y(i\,\mu)] - E[Y((i - 1)\,\mu)]` from the BG/NBD
        (:meth:`BetaGeo.conditional_expected_purchases`, :math:`\mu` = a
        month in the summary's unit), each worth the Gamma-Gamma expected
        value times ``margin``, and the month's cash is discounted as if paid
        at the month's end:

        .. math::

            \mathrm{CLV} = \sum_{i=1}^{\text{months}} \text{margin}\;
            E[Z \mid \bar z, x]\;
            \frac{E[Y(i\mu) \mid x, t_x, T] - E[Y((i-1)\mu) \mid x, t_x, T]}
            {(1 + \text{discount\_rate})^{i}}

        Parameters
        ----------
        bgnbd
            A fitted :class:`BetaGeo`, fitted on a summary in the same unit.
        summary
            ``frequency``, ``recency``, ``T``, ``monetary_value``.
        months
            Horizon in months (a whole number >= 1).
        discount_rate
            Discount rate per month (0.01 a month is about 12.7 % a year).
        margin
            Share of the spend that is profit (1.0: CLV in revenue).
        per
            The time unit of the summary's ``recency`` and ``T``: ``"D"`` or
            ``"W"``, as given to :func:`summary`. Required: a month is 30.4
            days or 4.35 weeks, and a wrong unit would scale every CLV.

        Returns
        -------
        pandas.Series
            ``clv``, indexed like ``summary``, in the currency of ``monetary_value``.

        Examples
        --------
        >>> import coursekit
        >>> from coursekit import clv
        >>> s = clv.summary(coursekit.load("cdnow_sample"), customer="customer_id",
        ...                 at="order_date", asof="1997-10-01", per="W")
        >>> bg, gg = clv.BetaGeo().fit(s), clv.GammaGamma().fit(s)
        >>> gg.customer_lifetime_value(bg, s, months=12, per="W").head(3).round(2)
        customer_id
        1    36.30
        2     4.64
        3     8.35
        Name: clv, dtype: float64
        """
        if not isinstance(bgnbd, BetaGeo):
            raise ArgumentError(
                f"expected a fitted BetaGeo, got {type(bgnbd).__name__}",
                name="bgnbd",
                fix="pass clv.BetaGeo().fit(summary)",
            )
        bgnbd._fitted()
        days = _unit_days(per, "per")
        if (
            not isinstance(months, numbers.Real)
            or isinstance(months, bool)
            or not float(months).is_integer()
            or months < 1
        ):
            raise ArgumentError(
                f"months must be a whole number >= 1, got {months!r}",
                name="months",
                fix="e.g. months=12 for a year",
            )
        for name, value, ok in (
            ("discount_rate", discount_rate, lambda u: u > -1),
            ("margin", margin, lambda u: u >= 0),
        ):
            if not (isinstance(value, numbers.Real) and math.isfinite(value) and ok(value)):
                raise ArgumentError(
                    f"{name} = {value!r} is out of range",
                    name=name,
                    fix="discount_rate is per month (e.g. 0.01); margin a share (e.g. 0.3)",
                )
        spend = self.conditional_expected_average_profit(summary).to_numpy()
        month = DAYS_PER_MONTH / days
        value = np.zeros(len(summary))
        previous = np.zeros(len(summary))
        for i in range(1, int(months) + 1):  # one vectorised step per month
            cum = bgnbd.conditional_expected_purchases(i * month, summary).to_numpy()
            value += (cum - previous) / (1 + discount_rate) ** i
            previous = cum
        return pd.Series(margin * spend * value, index=summary.index, name="clv")
