"""Spend-response curves per channel, marginal returns, and the budget split with the most
sign-ups.

Three steps, in the order a budget review takes them:

1. :func:`fit_response` fits how a channel's sign-ups answer its spend,
   from the daily spend table and the users' sign-ups, as a saturating
   curve (:class:`ResponseCurve`): each extra yuan brings fewer sign-ups
   than the one before (diminishing returns);
2. :func:`marginal_returns` reads the curves at a spend: sign-ups per
   extra yuan (the marginal return) and its inverse, the **marginal CAC**,
   which is what the next yuan costs per sign-up; the average CAC (spend /
   sign-ups) hides it;
3. :func:`allocate_budget` splits a total budget across channels so that
   the total outcome is as large as it can be: every channel that gets
   money ends with the same marginal return, and a channel whose first
   yuan returns less than that gets nothing (a corner solution).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from coursekit._periods import freq as _freq
from coursekit._periods import labels as _labels
from coursekit._periods import ordinals as _ordinals
from coursekit.errors import ArgumentError, DataError
from coursekit.growth._shared import number
from coursekit.inputs import choice, columns, timestamp, unique_key

__all__ = ["FORMS", "ResponseCurve", "ResponseFit", "fit_response", "marginal_returns",
           "allocate_budget"]

#: The curve forms :func:`fit_response` fits.
FORMS = ("power", "exponential")


@dataclass(frozen=True)
class ResponseCurve:
    """A channel's spend-response curve: expected sign-ups per day at a daily spend ``s``.

    ``form="power"``: :math:`f(s) = a\\,s^b`, marginal :math:`f'(s) = a\\,b\\,s^{b-1}`;
    ``b`` is the **elasticity** (1 % more spend brings b % more sign-ups),
    returns diminish when :math:`0 < b < 1`, and the first yuan's marginal
    return is infinite, so the curve never ends in a corner at 0.

    ``form="exponential"``: :math:`f(s) = a\\,(1 - e^{-s/b})`, marginal
    :math:`f'(s) = (a / b)\\,e^{-s/b}`; ``a`` is the ceiling (the sign-ups a
    day the channel can bring at any spend), ``b`` the spend at which it
    reaches 63 % of it. The first yuan returns :math:`a / b`, a finite
    number: a channel whose :math:`a / b` is below the others' marginal
    return gets no money.

    Calling the curve gives :math:`f(s)` (a number for a number, an array
    for an array); :meth:`marginal` gives :math:`f'(s)`.

    Examples
    --------
    >>> curve = ResponseCurve("power", a=0.5, b=0.5)
    >>> curve(400.0), curve.marginal(400.0)  # 0.5 * 20; 0.5 * 0.5 / 20
    (10.0, 0.0125)
    >>> float(ResponseCurve("exponential", a=10.0, b=100.0).marginal(0.0))
    0.1
    """

    form: str
    a: float
    b: float

    def __post_init__(self) -> None:
        choice("form", self.form, FORMS)
        number(self.a, "a", example="a > 0")
        number(self.b, "b", example="b > 0")

    def __call__(self, spend: object) -> float | np.ndarray:
        s = np.asarray(spend, dtype=np.float64)
        if self.form == "power":
            out = self.a * s**self.b
        else:
            out = self.a * -np.expm1(-s / self.b)
        return float(out) if out.ndim == 0 else out

    def marginal(self, spend: object) -> float | np.ndarray:
        """Sign-ups per extra yuan at daily spend ``spend``: :math:`f'(s)`."""
        s = np.asarray(spend, dtype=np.float64)
        with np.errstate(divide="ignore"):
            if self.form == "power":
                out = self.a * self.b * s ** (self.b - 1.0)
            else:
                out = self.a / self.b * np.exp(-s / self.b)
        return float(out) if out.ndim == 0 else out


@dataclass(frozen=True)
class ResponseFit:
    """The result of :func:`fit_response`.

    Attributes
    ----------
    params
        One row per channel (index ``channel``): ``form``; ``a``, ``b`` and
        their intervals ``a_low``, ``a_high``, ``b_low``, ``b_high`` (see
        :class:`ResponseCurve` for what they mean in each form);
        ``elasticity`` at the channel's mean daily spend (:math:`s f'(s) /
        f(s)`: ``b`` itself for a power curve); ``periods`` and ``days``
        used; ``spend_per_day`` and ``signups_per_day`` (means over those
        days); ``average_cac`` (spend / sign-ups) and ``marginal_cac``
        (:math:`1 / f'(s)` at the mean daily spend: what one more sign-up
        costs there).
    curves
        One :class:`ResponseCurve` per channel, sign-ups per day as a
        function of daily spend.
    points
        The data the curves were fitted to: one row per channel and period,
        ``channel``, ``period``, ``days``, ``spend`` and ``signups`` (both
        per day), and ``fitted`` (the curve at that spend).
    """

    params: pd.DataFrame
    curves: dict[str, ResponseCurve]
    points: pd.DataFrame


def fit_response(
    spend: pd.DataFrame,
    users: pd.DataFrame,
    *,
    channels: Sequence[str] | None = None,
    form: str = "power",
    per: str = "W",
    exclude: Sequence[tuple[object, object]] | None = None,
    level: float = 0.95,
    channel: str = "channel",
    at: str = "date",
    amount: str = "spend",
    signup_at: str = "signup_time",
) -> ResponseFit:
    """Fit a saturating spend-response curve per channel from daily spend and sign-ups.

    The sign-ups of a channel on a day are the users whose recorded
    ``channel`` is that channel and who signed up that day. Days are summed
    into periods (``per``); in period :math:`p` with :math:`d_p` days of
    spend, mean daily spend :math:`s_p` and :math:`N_p` sign-ups:

    - ``form="power"`` (the default): :math:`E[N_p] = d_p\\,a\\,s_p^b`, a
      Poisson regression with a log link, ``log(d_p)`` as offset and
      ``log(s_p)`` as the one covariate (statsmodels ``GLM``). The Poisson
      likelihood keeps days or weeks without a sign-up, which a log-log
      OLS of sign-ups on spend would have to drop, and estimates the mean
      rather than the mean of the logarithm. Intervals are Wald intervals
      with the variance scaled by the Pearson dispersion (quasi-Poisson),
      so extra-Poisson noise widens them.
    - ``form="exponential"``: :math:`N_p / d_p = a\\,(1 - e^{-s_p / b})`,
      by non-linear least squares weighted by the days of each period
      (``scipy.optimize.curve_fit``), with Wald intervals from its
      covariance.

    Why weeks by default: the money a channel spends on a day moves for
    reasons that bring no sign-ups (a bid that happened to clear, a daily
    cap), and in a regression on daily values that noise in the covariate
    pulls the slope towards 0 (regression dilution, or attenuation: the
    slope shrinks by the share of the spend's variance that is signal;
    Fuller 1987, *Measurement Error Models*, ch. 1). Summed over a week the
    day-to-day noise largely cancels, while the weeks still differ by season
    and growth, which is what identifies the curve. ``per="D"`` fits the
    days themselves.

    Parameters
    ----------
    spend
        The spend table: one row per day and channel (``at``, ``channel``,
        ``amount``), e.g. ``channel_spend``.
    users
        One row per user with ``channel`` and ``signup_at``.
    channels
        The channels to fit (default: every channel of ``spend``).
    form
        ``"power"`` or ``"exponential"``.
    per
        ``"D"``, ``"W"`` (Monday to Sunday) or ``"M"``: the periods the days
        are summed into.
    exclude
        Date ranges to leave out, as ``(first, last)`` pairs, both days
        included: days whose sign-ups were not recorded (a tracking outage),
        or a test that moved spend by hand.
    level
        Confidence level of the intervals, in (0, 1).
    channel, at, amount
        Column names of ``spend`` (``channel`` also of ``users``).
    signup_at
        Sign-up time column of ``users``.

    Returns
    -------
    ResponseFit
        ``params`` (one row per channel), ``curves`` (a
        :class:`ResponseCurve` per channel: sign-ups per day at a daily
        spend) and ``points`` (the periods fitted).

    Raises
    ------
    DataError
        Bad columns, a day and channel listed twice, a channel to fit that
        the spend table does not have, fewer than 3 periods, spend that
        does not vary, or (power) a period without spend.
    ArgumentError
        Unknown ``form`` or ``per``, ``level`` outside (0, 1), a bad
        ``exclude``.

    Examples
    --------
    Twelve weeks of spend at three levels, and sign-ups that
    follow :math:`2 s^{0.5}` a day exactly:

    >>> import numpy as np, pandas as pd
    >>> days = pd.date_range("2025-01-06", periods=84, freq="D")
    >>> daily = np.repeat([100.0, 400.0, 900.0], 28)
    >>> spend = pd.DataFrame({"date": days, "channel": "ads", "spend": daily})
    >>> n = (2 * np.sqrt(daily)).astype(int)  # 20, 40, 60 sign-ups a day
    >>> users = pd.DataFrame({"channel": "ads", "signup_time": np.repeat(days, n)})
    >>> fit = fit_response(spend, users)
    >>> fit.params.loc["ads", ["a", "b"]].round(2).tolist()
    [2.0, 0.5]
    >>> round(fit.curves["ads"](1600.0), 1)  # sign-ups a day at 1,600 a day
    80.0
    """
    form_ = _checked_form(form)
    step = _freq(per)
    if step not in ("D", "W", "M"):
        raise ArgumentError("per must be 'D', 'W' or 'M'", name="per", value=per,
                            fix="weeks ('W') average out the day-to-day noise of spend")
    level = number(level, "level", low=0.0, high=1.0, high_open=True, example="level=0.95")
    s = columns(spend, "spend", ids=[channel], times=[at], amounts=[amount])
    unique_key(s.assign(**{at: s[at].dt.normalize()}), "spend", [at, channel])
    u = columns(users, "users", ids=[channel], times=[signup_at])
    names = _channels(channels, s[channel])
    s_day = _ordinals(s[at], "D")
    keep = ~_excluded(s_day, exclude)
    u_day = _ordinals(u[signup_at], "D")
    u_ch = u[channel].astype(object).to_numpy()
    s_ch = s[channel].astype(object).to_numpy()
    money = s[amount].to_numpy()
    rows, curves, points = [], {}, []
    for name in names:  # a handful of channels, each fitted on its own periods
        mine = keep & (s_ch == name)
        periods = _periods(s_day[mine], money[mine], u_day[u_ch == name], step)
        _fittable(periods, name, form_, step)
        curve, table = _fit(periods, form_, level)
        curves[name] = curve
        rows.append(_summary(name, curve, table, periods))
        points.append(periods.assign(channel=name,
                                     period=_labels(periods.index.to_numpy(), step, "period"),
                                     fitted=curve(periods["spend"].to_numpy())))
    params = pd.DataFrame(rows).set_index("channel")
    cols = ["channel", "period", "days", "spend", "signups", "fitted"]
    return ResponseFit(params=params, curves=curves,
                       points=pd.concat(points, ignore_index=True)[cols])


def _checked_form(form: object) -> str:
    choice("form", form, FORMS)
    return str(form)


def _channels(channels: object, present: pd.Series) -> list[str]:
    have = sorted(pd.unique(present.astype(object).to_numpy()).tolist(), key=str)
    if channels is None:
        return have
    wanted = [channels] if isinstance(channels, str) else list(channels)  # type: ignore
    missing = [c for c in wanted if c not in have]
    if not wanted or missing:
        raise DataError(f"channel(s) {missing or wanted} have no spend; the spend table has "
                        f"{have}", table="spend", column="channel",
                        fix="name channels of the spend table (a channel without spend, "
                        "such as organic, has no response curve)")
    return wanted


def _excluded(days: np.ndarray, exclude: object) -> np.ndarray:
    """True for the days inside one of the ``(first, last)`` ranges of ``exclude``."""
    out = np.zeros(len(days), dtype=bool)
    if exclude is None:
        return out
    if isinstance(exclude, str) or not isinstance(exclude, Sequence):
        raise ArgumentError("exclude must be a list of (first, last) date pairs",
                            name="exclude", value=exclude,
                            fix="e.g. exclude=[('2025-03-10', '2025-03-16')]")
    for pair in exclude:
        if isinstance(pair, str) or not isinstance(pair, Sequence) or len(pair) != 2:
            raise ArgumentError("each entry of exclude must be a (first, last) pair of dates",
                                name="exclude", value=pair,
                                fix="e.g. exclude=[('2025-03-10', '2025-03-16')]")
        first, last = (_ordinals(np.array([timestamp(d, "exclude").to_datetime64()]), "D")[0]
                       for d in pair)
        if last < first:
            raise ArgumentError("a range of exclude ends before it starts", name="exclude",
                                value=pair, fix="write (first, last)")
        out |= (days >= first) & (days <= last)
    return out


def _periods(days: np.ndarray, money: np.ndarray, signup_days: np.ndarray,
             step: str) -> pd.DataFrame:
    """Days of spend summed into periods: days, spend per day, sign-ups per day, sign-ups."""
    if len(days) == 0:
        return pd.DataFrame({"days": [], "spend": [], "signups": [], "count": []})
    lo, hi = int(days.min()), int(days.max())
    on = signup_days[(signup_days >= lo) & (signup_days <= hi)] - lo
    per_day = np.bincount(on, minlength=hi - lo + 1)[days - lo]  # sign-ups on each spend day
    day_stamps = (days.astype("datetime64[D]"))
    p = _ordinals(day_stamps, step)
    frame = pd.DataFrame({"p": p, "days": 1, "money": money, "count": per_day})
    g = frame.groupby("p", sort=True)[["days", "money", "count"]].sum()
    out = pd.DataFrame({"days": g["days"].to_numpy(), "spend": g["money"] / g["days"],
                        "signups": g["count"] / g["days"], "count": g["count"].to_numpy()},
                       index=g.index)
    out.index.name = None
    return out


def _fittable(periods: pd.DataFrame, name: str, form: str, step: str) -> None:
    if len(periods) < 3:
        raise DataError(f"channel {name!r} has {len(periods)} period(s) of spend; a curve "
                        "needs at least 3", table="spend", column="channel",
                        fix="use shorter periods (per='D') or more data")
    spend = periods["spend"].to_numpy()
    if form == "power" and (spend <= 0).any():
        raise DataError(f"channel {name!r} has periods without spend: a power curve "
                        "brings 0 sign-ups at 0 spend, and log(0) has no value",
                        table="spend", column="spend",
                        rows=periods.loc[spend <= 0].head(5),
                        fix="leave those days out (exclude=...), or fit form='exponential'")
    if np.ptp(spend) <= 1e-9 * max(float(spend.max()), 1.0):
        raise DataError(f"the spend of channel {name!r} does not vary: the data cannot show "
                        "how sign-ups answer spend", table="spend", column="spend",
                        fix="a curve needs periods with different spend (a test that moves it)")


def _fit(periods: pd.DataFrame, form: str, level: float) -> tuple[ResponseCurve, np.ndarray]:
    """The curve and its (2 x 3) table of estimate, low, high for a and b."""
    from scipy import stats

    z = float(stats.norm.ppf(0.5 + level / 2))
    days = periods["days"].to_numpy(dtype=np.float64)
    spend = periods["spend"].to_numpy()
    if form == "power":
        from statsmodels.genmod import families
        from statsmodels.genmod.generalized_linear_model import GLM
        from statsmodels.tools.sm_exceptions import PerfectSeparationWarning

        x = np.column_stack([np.ones(len(spend)), np.log(spend)])
        model = GLM(periods["count"].to_numpy(dtype=np.float64), x, family=families.Poisson(),
                    offset=np.log(days))
        with warnings.catch_warnings():  # an exact fit is no separation problem for counts
            warnings.simplefilter("ignore", PerfectSeparationWarning)
            res = model.fit(scale="X2")
        est, se = np.asarray(res.params), np.asarray(res.bse)
        log_a = np.array([est[0], est[0] - z * se[0], est[0] + z * se[0]])
        table = np.vstack([np.exp(log_a), [est[1], est[1] - z * se[1], est[1] + z * se[1]]])
        return ResponseCurve("power", float(table[0, 0]), float(table[1, 0])), table
    return _fit_exponential(spend, periods["signups"].to_numpy(), days, z)


def _fit_exponential(spend: np.ndarray, rate: np.ndarray, days: np.ndarray,
                     z: float) -> tuple[ResponseCurve, np.ndarray]:
    from scipy.optimize import curve_fit

    def f(s: np.ndarray, a: float, b: float) -> np.ndarray:
        return a * -np.expm1(-s / b)

    start = (2.0 * max(float(rate.max()), 1e-9), float(np.median(spend)))
    try:
        est, cov = curve_fit(f, spend, rate, p0=start, sigma=1.0 / np.sqrt(days),
                             bounds=([1e-12, 1e-12], [np.inf, np.inf]), maxfev=20_000)
    except RuntimeError as err:
        raise DataError("the exponential curve did not converge on this channel's data",
                        table="spend", column="spend",
                        fix="fit form='power', or check the channel's spend and sign-ups") \
            from err
    se = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    table = np.column_stack([est, est - z * se, est + z * se])
    return ResponseCurve("exponential", float(est[0]), float(est[1])), table


def _summary(name: str, curve: ResponseCurve, table: np.ndarray,
             periods: pd.DataFrame) -> dict:
    days = periods["days"].to_numpy()
    mean_spend = float((periods["spend"] * days).sum() / days.sum())
    mean_signups = float(periods["count"].sum() / days.sum())
    at_mean = float(curve(mean_spend))
    slope = float(curve.marginal(mean_spend))
    return {
        "channel": name, "form": curve.form,
        "a": table[0, 0], "a_low": table[0, 1], "a_high": table[0, 2],
        "b": table[1, 0], "b_low": table[1, 1], "b_high": table[1, 2],
        "elasticity": mean_spend * slope / at_mean if at_mean > 0 else np.nan,
        "periods": len(periods), "days": int(days.sum()),
        "spend_per_day": mean_spend, "signups_per_day": mean_signups,
        "average_cac": mean_spend / mean_signups if mean_signups > 0 else np.inf,
        "marginal_cac": 1.0 / slope if slope > 0 else np.inf,
    }


# --------------------------------------------------------------------------- reading curves


def _curves(curves: object) -> tuple[list[str], list[Callable]]:
    if isinstance(curves, ResponseFit):
        curves = curves.curves
    if not isinstance(curves, Mapping) or not curves:
        raise ArgumentError("curves must map each channel to a function of spend",
                            name="curves", value=curves,
                            fix="e.g. fit_response(spend, users).curves, or "
                            "{'ads': lambda s: 2 * s ** 0.5, ...}")
    bad = [k for k, f in curves.items() if not callable(f)]
    if bad:
        raise ArgumentError(f"curves of {bad[:5]} are not functions", name="curves",
                            fix="give a function of spend per channel")
    return list(curves), list(curves.values())


def _value(f: Callable, s: float, name: str) -> float:
    try:
        out = float(f(s))
    except (TypeError, ValueError, ArithmeticError) as err:
        raise ArgumentError(f"the curve of {name!r} fails at spend {s:g}: {err}",
                            name="curves", fix="a curve maps a spend >= 0 to a number") from None
    if not np.isfinite(out):
        raise ArgumentError(f"the curve of {name!r} gives {out} at spend {s:g}", name="curves",
                            fix="a curve maps a spend >= 0 to a finite number")
    return out


def _slope(f: Callable, s: float, name: str) -> float:
    """f'(s): the curve's own ``marginal`` when it has one, else a finite difference."""
    own = getattr(f, "marginal", None)
    if callable(own):
        return float(own(s))
    h = 1e-5 * max(abs(s), 1.0)
    if s < h:  # forward difference at the lower end
        return (_value(f, s + h, name) - _value(f, s, name)) / h
    return (_value(f, s + h, name) - _value(f, s - h, name)) / (2.0 * h)


def _spend_map(spend: object, names: list[str], what: str) -> np.ndarray:
    if isinstance(spend, Mapping | pd.Series):
        given = pd.Series(spend, dtype=object) if isinstance(spend, Mapping) else spend
        missing = [n for n in names if n not in given.index]
        extra = [n for n in given.index if n not in names]
        if missing or extra:
            raise ArgumentError(f"{what} must name the channels of curves: missing {missing}, "
                                f"unknown {extra}", name=what,
                                fix=f"give one value per channel of curves: {names}")
        values = [given[n] for n in names]
    else:
        raise ArgumentError(f"{what} must be a Series or dict of spend by channel",
                            name=what, value=spend, fix=f"e.g. {{{names[0]!r}: 300.0, ...}}")
    out = np.array([number(v, what, low=0.0, low_open=False, example="a spend >= 0")
                    for v in values])
    return out


def marginal_returns(curves: Mapping[str, Callable] | ResponseFit,
                     spend: Mapping[str, float] | pd.Series) -> pd.DataFrame:
    """Outcome, marginal return and marginal cost of each channel at a given spend.

    For a curve :math:`f` at spend :math:`s`: the outcome :math:`f(s)`, the
    marginal return :math:`f'(s)` (outcome per extra yuan; the curve's own
    derivative when it has a ``marginal`` method, as :class:`ResponseCurve`
    does, else a central finite difference), the marginal cost :math:`1 /
    f'(s)` (for sign-ups: the marginal CAC, what one more sign-up costs) and
    the average cost :math:`s / f(s)` (the average CAC). With diminishing
    returns the marginal cost is above the average: a channel can look cheap
    on average while its next yuan is the most expensive.

    Parameters
    ----------
    curves
        A function of spend per channel (a dict), or a :class:`ResponseFit`.
    spend
        Spend per channel (a dict or a Series with the channels of ``curves``).

    Returns
    -------
    pandas.DataFrame
        Index ``channel``: ``spend``, ``outcome``, ``marginal``,
        ``marginal_cost``, ``average_cost``.

    Raises
    ------
    ArgumentError
        Curves that are not functions or fail, spend not given for every
        channel, negative spend.

    Examples
    --------
    >>> out = marginal_returns({"ads": lambda s: 2 * s ** 0.5}, {"ads": 100.0})
    >>> out.round(3).loc["ads"].tolist()  # 20 sign-ups; 0.1 per yuan; 10 and 5 yuan each
    [100.0, 20.0, 0.1, 10.0, 5.0]
    """
    names, fns = _curves(curves)
    s = _spend_map(spend, names, "spend")
    outcome = np.array([_value(f, x, n) for f, x, n in zip(fns, s, names, strict=True)])
    slope = np.array([_slope(f, x, n) for f, x, n in zip(fns, s, names, strict=True)])
    with np.errstate(divide="ignore", invalid="ignore"):
        out = pd.DataFrame({"spend": s, "outcome": outcome, "marginal": slope,
                            "marginal_cost": np.where(slope > 0, 1.0 / slope, np.inf),
                            "average_cost": np.where(outcome > 0, s / outcome, np.nan)},
                           index=pd.Index(names, name="channel"))
    return out


# --------------------------------------------------------------------------- allocation


def _shape(fns: list[Callable], names: list[str], lo: np.ndarray, budget: float) -> None:
    """Each curve rises (never falls) and has diminishing returns over [lo, budget]."""
    for f, name, low in zip(fns, names, lo, strict=True):
        grid = low + (budget - low) * np.linspace(0.0, 1.0, 9)
        values = np.array([_value(f, x, name) for x in grid])
        tol = 1e-9 * max(1.0, float(np.abs(values).max()))
        if (np.diff(values) < -tol).any():
            raise ArgumentError(f"the curve of {name!r} falls as spend rises", name="curves",
                                fix="a response curve must not fall with more spend")
        slopes = np.array([_slope(f, x, name) for x in grid[1:]])
        if (np.diff(slopes) > 1e-6 * max(1.0, float(np.abs(slopes).max()))).any():
            raise ArgumentError(
                f"the curve of {name!r} has rising marginal returns (it is convex)",
                name="curves",
                fix="equal marginal returns give the best split only with diminishing "
                "returns (a concave curve, e.g. a power law with exponent <= 1); check the fit")


def _floors(min_spend: object, names: list[str], budget: float) -> np.ndarray:
    if min_spend is None:
        return np.zeros(len(names))
    if isinstance(min_spend, Mapping | pd.Series):
        given = dict(min_spend.items())
        extra = [k for k in given if k not in names]
        if extra:
            raise ArgumentError(f"min_spend names channel(s) {extra} that have no curve",
                                name="min_spend", fix=f"the channels are {names}")
        lo = np.array([number(given.get(n, 0.0), "min_spend", low=0.0, low_open=False)
                       for n in names])
    else:
        one = number(min_spend, "min_spend", low=0.0, low_open=False,
                     example="a number, or a dict of spend by channel")
        lo = np.full(len(names), one)
    if lo.sum() > budget * (1 + 1e-12):
        raise ArgumentError(f"the minimum spends add up to {lo.sum():,.2f}, more than the "
                            f"budget {budget:,.2f}", name="min_spend",
                            fix="lower the minimums or raise the budget")
    return lo


def _spend_at(f: Callable, name: str, lam: float, lo: float, hi: float, tiny: float, *,
              generous: bool) -> float:
    """The spend of one channel at marginal return ``lam``: where its marginal return
    falls to ``lam`` within [lo, hi]. A flat stretch at exactly ``lam`` is spent in full
    when ``generous``, not at all otherwise."""
    from scipy.optimize import brentq

    start = lo if np.isfinite(_slope(f, lo, name)) else lo + tiny
    first, last = _slope(f, start, name), _slope(f, hi, name)
    if generous and last >= lam:
        return hi
    if first <= lam:
        return lo
    if last >= lam:
        return hi
    return float(brentq(lambda s: _slope(f, s, name) - lam, start, hi, xtol=tiny,
                        rtol=1e-12, maxiter=200))


def allocate_budget(curves: Mapping[str, Callable] | ResponseFit, budget: float, *,
                    min_spend: float | Mapping[str, float] | None = None) -> pd.Series:
    """Split a budget across channels so that the total outcome is as large as possible.

    With increasing, concave curves :math:`f_i` the best split of a budget
    :math:`B` solves :math:`\\max \\sum_i f_i(s_i)` subject to
    :math:`\\sum_i s_i = B`, :math:`s_i \\ge m_i` (the minimum spends). Its
    Karush-Kuhn-Tucker conditions (Boyd & Vandenberghe 2004, *Convex
    Optimization*, §5.5.3) say: there is one marginal return
    :math:`\\lambda` such that every channel above its minimum has
    :math:`f_i'(s_i) = \\lambda`, and a channel left at its minimum has
    :math:`f_i'(m_i) \\le \\lambda` (its first yuan returns less than the
    others' last: a corner solution). Moving a yuan from a channel with a
    lower marginal return to one with a higher one would add to the total,
    so at the optimum no such move is left.

    Method (written out because the condition *is* the lesson): for a
    trial :math:`\\lambda`, each channel's spend is where its marginal
    return falls to :math:`\\lambda` (``scipy.optimize.brentq`` on
    :math:`f_i'(s) - \\lambda`; its minimum when :math:`f_i'(m_i) \\le
    \\lambda`, the whole budget when :math:`f_i'` stays above). The total
    falls as :math:`\\lambda` rises, so bisection on :math:`\\lambda`
    finds the one at which the channels spend exactly :math:`B`. A channel
    with a straight-line curve (constant marginal return) takes whatever
    is left at that :math:`\\lambda`.

    Parameters
    ----------
    curves
        A function of spend per channel (a dict), increasing and concave on
        ``[0, budget]``, or a :class:`ResponseFit` (its curves). A curve with a
        ``marginal`` method (as :class:`ResponseCurve`) is differentiated by
        it; any other by finite differences.
    budget
        The total to spend, > 0 (in the unit of the curves' spend: for
        :func:`fit_response` curves, yuan per day).
    min_spend
        A floor per channel: one number for all, or a dict of some channels'
        floors (the others 0).

    Returns
    -------
    pandas.Series
        Spend per channel (index ``channel``, name ``spend``), adding up
        to ``budget``.

    Raises
    ------
    ArgumentError
        Curves that are not functions, fall, or have rising marginal
        returns (convex: the equal-marginal rule would find the worst split,
        not the best); a budget that is not a positive number; minimums
        above the budget.

    Examples
    --------
    Two curves :math:`2\\sqrt{s}` and :math:`4\\sqrt{s}`: marginals
    :math:`1/\\sqrt{s_1} = 2/\\sqrt{s_2}` give :math:`s_2 = 4 s_1`:

    >>> split = allocate_budget({"a": lambda s: 2 * s ** 0.5, "b": lambda s: 4 * s ** 0.5},
    ...                         100.0)
    >>> split.round(6).tolist()
    [20.0, 80.0]

    A channel whose first yuan returns less than the others' last gets nothing:

    >>> import numpy as np
    >>> flat = lambda s: 0.5 * (1 - np.exp(-s / 10))  # first yuan returns 0.05
    >>> allocate_budget({"a": lambda s: 2 * s ** 0.5, "flat": flat}, 100.0).round(6).tolist()
    [100.0, 0.0]
    """
    names, fns = _curves(curves)
    budget = number(budget, "budget", example="the total to spend, e.g. budget=1000.0")
    lo = _floors(min_spend, names, budget)
    _shape(fns, names, lo, budget)
    free = budget - lo.sum()
    index = pd.Index(names, name="channel")
    if free <= 1e-12 * budget:
        return pd.Series(lo, index=index, name="spend")
    hi = lo + free
    tiny = 1e-12 * budget

    def spends(lam: float, generous: bool = False) -> np.ndarray:
        return np.array([_spend_at(f, n, lam, a, b, tiny, generous=generous)
                         for f, n, a, b in zip(fns, names, lo, hi, strict=True)])

    firsts = [_slope(f, a, n) for f, n, a in zip(fns, names, lo, strict=True)]
    top = max(s if np.isfinite(s) else _slope(f, a + tiny, n)
              for s, f, n, a in zip(firsts, fns, names, lo, strict=True))
    bottom = min(_slope(f, b, n) for f, n, b in zip(fns, names, hi, strict=True))
    up, down = top, min(bottom, top)  # spends(up) <= budget <= spends(down, generous=True)
    while up - down > 1e-9 * abs(up):
        mid = np.sqrt(up * down) if down > 0 else (up + down) / 2.0
        if spends(mid).sum() > budget:
            down = mid
        else:
            up = mid
    low_side, high_side = spends(up), spends(down, generous=True)
    room = high_side - low_side
    gap = budget - low_side.sum()
    out = low_side + (gap * room / room.sum() if room.sum() > 0 else 0.0)
    return pd.Series(out, index=index, name="spend")
