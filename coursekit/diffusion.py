r"""Adoption curves: how a new product spreads, and where it stands in its life cycle.

A product's first purchases (new adopters per period) trace an S-shaped
cumulative curve. Three models of it, fitted by nonlinear least squares:

- :class:`Bass` (Bass 1969): each period, a share :math:`p` of those who
  have not adopted yet adopt on their own (innovation) and a share
  :math:`q \cdot N(t)/m` adopt because others did (imitation), out of a
  market potential :math:`m`;
- :class:`Logistic`: the symmetric S-curve :math:`N(t) = m / (1 + e^{-r(t -
  t_0)})` (pure imitation, no start date);
- :class:`NortonBass` (Norton & Bass 1987): two generations of a product
  with shared :math:`p, q`, the second launched later and taking over the
  first one's users: the "second growth curve".

:func:`stage` and :func:`stages` read the product-life-cycle stage
(introduction, growth, maturity, decline) off a fitted curve, with Rogers'
adopter categories (:data:`ROGERS`) as the boundaries.

Time is counted in periods of the data (months for monthly data, so
:math:`p` and :math:`q` are per month), from the product's launch: the
first row of the data is the first period after launch, period :math:`k`
runs from :math:`t = k - 1` to :math:`t = k`. The estimators follow
scikit-learn: ``fit()`` returns the estimator, learned values end in ``_``.

Written out here rather than taken from a package: the curves are one line
each, and the lesson is in seeing them. ``scipy.optimize.least_squares``
does the fitting; the bootstrap's refits run all at once, as vectorised
Levenberg-Marquardt steps (a fit of 120 periods takes milliseconds, its
200 bootstrap replicates a few hundredths of a second).

References
----------
.. [1] Bass, F. M. (1969). A new product growth for model consumer durables.
   *Management Science* 15(5), 215-227.
.. [2] Srinivasan, V. and Mason, C. H. (1986). Nonlinear least squares
   estimation of new product diffusion models. *Marketing Science* 5(2),
   169-178.
.. [3] Norton, J. A. and Bass, F. M. (1987). A diffusion theory model of
   adoption and substitution for successive generations of high-technology
   products. *Management Science* 33(9), 1069-1086.
.. [4] Rogers, E. M. (1962). *Diffusion of Innovations*. Free Press.
.. [5] Mahajan, V., Muller, E. and Srivastava, R. K. (1990). Determination
   of adopter categories by using innovation diffusion models. *Journal of
   Marketing Research* 27(1), 37-50.
.. [6] Davidson, R. and Flachaire, E. (2008). The wild bootstrap, tamed at
   last. *Journal of Econometrics* 146(1), 162-169.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any, Self

import numpy as np
import pandas as pd

from coursekit.errors import ArgumentError, CourseError, DataError
from coursekit.inputs import columns

__all__ = [
    "Bass",
    "Logistic",
    "NortonBass",
    "Peak",
    "ROGERS",
    "STAGES",
    "bass_share",
    "logistic_share",
    "stage",
    "stages",
]

#: The life-cycle stages, in order (the order of the categorical ``stage`` column).
STAGES = ["introduction", "growth", "maturity", "decline"]

#: Rogers' (1962) adopter categories and their shares of the market potential.
ROGERS = {
    "innovators": 0.025,
    "early adopters": 0.135,
    "early majority": 0.34,
    "late majority": 0.34,
    "laggards": 0.16,
}
_EARLY = ROGERS["innovators"] + ROGERS["early adopters"]  # 16%: end of introduction
_LATE = 1 - ROGERS["laggards"]  # 84%: start of decline
_TAKEOFF = math.log(2 + math.sqrt(3))  # f' is largest where (q/p) e^{-(p+q)t} = 2 + sqrt(3)
_MIN_PERIODS = 4
_M_CEILING = 1e4  # market potential at most 10,000 x what has been observed
_SEEN = 0.05  # warn when the data hold less than this share of the fitted curve


# --------------------------------------------------------------------------- curves


def bass_share(t: object, p: float, q: float) -> np.ndarray:
    r"""Bass's cumulative adoption share :math:`F(t)` (share of the market potential).

    .. math::

        F(t) = \frac{1 - e^{-(p + q) t}}{1 + (q / p)\, e^{-(p + q) t}}, \quad t \ge 0

    (Bass 1969); 0 for :math:`t \le 0` (before launch).

    Parameters
    ----------
    t
        Time since launch, in periods (a number or an array).
    p, q
        Coefficients of innovation (> 0) and imitation (>= 0), per period.

    Returns
    -------
    numpy.ndarray
        :math:`F(t)`, shaped like ``t`` broadcast against ``p`` and ``q``.

    Examples
    --------
    >>> bass_share([0, 5, 10, 20], p=0.03, q=0.38).round(3)
    array([0.   , 0.331, 0.813, 0.996])
    """
    t = np.maximum(np.asarray(t, dtype="float64"), 0.0)
    p = np.asarray(p, dtype="float64")
    q = np.asarray(q, dtype="float64")
    e = np.exp(-(p + q) * t)
    return (1 - e) / (1 + (q / p) * e)


def logistic_share(t: object, r: float, t0: float) -> np.ndarray:
    r"""Logistic cumulative adoption share :math:`1 / (1 + e^{-r (t - t_0)})`.

    Parameters
    ----------
    t
        Time since launch, in periods (a number or an array).
    r, t0
        Growth rate per period (> 0) and the midpoint (half of the market has
        adopted at :math:`t_0`).

    Returns
    -------
    numpy.ndarray
        The share, shaped like ``t`` broadcast against ``r`` and ``t0``.

    Examples
    --------
    >>> logistic_share([0, 10, 20], r=0.5, t0=10).round(3)
    array([0.007, 0.5  , 0.993])
    """
    from scipy.special import expit  # here, not at the top: a lesson's first cell stays light

    t = np.asarray(t, dtype="float64")
    return expit(np.asarray(r, dtype="float64") * (t - np.asarray(t0, dtype="float64")))


def _bass_grid() -> tuple[np.ndarray, np.ndarray]:
    """Starting points (p, q): p from 1e-5 to 0.5, q 0 or from 0.001 to 3 per period."""
    p, q = np.meshgrid(np.geomspace(1e-5, 0.5, 12), np.r_[0.0, np.geomspace(1e-3, 3, 15)])
    return p.ravel(), q.ravel()


_BASS_BOUNDS = ([1e-6, 0.0], [1.0, 10.0])  # p, q: lower, upper


# --------------------------------------------------------------------------- periods


@dataclass(frozen=True)
class _Clock:
    """The fitted periods: labels of periods 1..k after launch, and back."""

    index: pd.Index
    freq: Any = None  # of a DatetimeIndex
    step: int = 1  # of an integer index

    def labels(self, k: int) -> pd.Index:
        ix = self.index
        if isinstance(ix, pd.PeriodIndex):
            out: pd.Index = pd.period_range(ix[0], periods=k, freq=ix.freq)
        elif isinstance(ix, pd.DatetimeIndex):
            out = pd.date_range(ix[0], periods=k, freq=self.freq)
        else:
            out = pd.Index(int(ix[0]) + self.step * np.arange(k, dtype="int64"))
        return out.rename(ix.name)

    def label(self, k: int) -> object:
        """The label of period ``k`` (1: the first), a plain ``int`` for whole numbers."""
        out = self.labels(k)[-1]
        return int(out) if isinstance(out, np.integer) else out

    def position(self, label: object, name: str = "when") -> int:
        """1 for the first period, n for the last fitted one, more for later ones."""
        ix = self.index
        pos: int | None = None
        try:
            if isinstance(ix, pd.PeriodIndex):
                pos = pd.Period(label, freq=ix.freq).ordinal - ix[0].ordinal + 1
            elif isinstance(ix, pd.DatetimeIndex):
                when = pd.Timestamp(label)
                days = pd.date_range(ix[0], when, freq=self.freq)
                pos = len(days) if len(days) and days[-1] == when else None
            elif isinstance(label, numbers.Integral) and not isinstance(label, bool):
                gap = int(label) - int(ix[0])
                pos = gap // self.step + 1 if gap % self.step == 0 else None
        except (TypeError, ValueError, OverflowError):
            pos = None
        if pos is None or pos < 1:
            raise ArgumentError(
                "not one of the model's periods (from the first fitted period on)",
                name=name,
                value=label,
                fix=f"give a period like the fitted index's, e.g. {ix[0]!r} or {ix[-1]!r}",
            )
        return int(pos)


def _rows(s: pd.Series, mask: np.ndarray) -> pd.DataFrame:
    """A few rows of ``s`` where ``mask`` holds, to show in an error."""
    return s.to_frame(_name(s)).loc[np.asarray(mask, dtype=bool)].head(5)


def _name(s: pd.Series) -> object:
    """The Series' name, or ``"values"`` when it has none."""
    return s.name if s.name is not None else "values"


def _inferred_freq(ix: pd.DatetimeIndex) -> Any:
    """The frequency pandas infers from the dates, as an offset (None when there is none).

    pandas 3 warns that ``infer_freq`` will return an offset rather than a string; asking for
    the offset ourselves gives the same answer on either side of that change.
    """
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        found = pd.infer_freq(ix)
    return None if found is None else pd.tseries.frequencies.to_offset(found)


def _clock(s: pd.Series, table: str) -> _Clock:
    """Check that the index holds consecutive periods in order, and read its frequency."""
    ix = s.index
    dup = ix.duplicated(keep=False)
    if dup.any():
        raise DataError("repeated periods: each period must appear once", table=table,
                        column="index", rows=_rows(s, dup),
                        fix="add up the rows of each period: s.groupby(level=0).sum()")
    if not ix.is_monotonic_increasing:
        try:
            back = np.r_[False, np.asarray(ix[1:] < ix[:-1], dtype=bool)]
        except TypeError:  # labels that do not compare (text and numbers mixed)
            back = np.ones(len(ix), dtype=bool)
        raise DataError("periods out of order: the curve is read in time order", table=table,
                        column="index", rows=_rows(s, back), fix="sort them: s.sort_index()")
    freq, step = None, 1
    if isinstance(ix, pd.PeriodIndex):
        gaps = np.diff(ix.asi8) != 1
        fill = (f"s.reindex(pd.period_range(s.index[0], s.index[-1], freq='{ix.freqstr}'), "
                "fill_value=0)")
    elif isinstance(ix, pd.DatetimeIndex):
        freq = ix.freq or _inferred_freq(ix)
        gaps = np.zeros(len(ix) - 1, dtype=bool)
        if freq is None:  # show where a period is missing: a step half as long again as usual
            steps = np.diff(ix.asi8)
            gaps = steps > 1.5 * np.median(steps)
            gaps = gaps if gaps.any() else np.ones_like(gaps)
        fill = "s.asfreq('MS', fill_value=0), with the data's frequency ('D', 'W-SUN', 'MS' ...)"
    elif pd.api.types.is_integer_dtype(ix.dtype) and not pd.api.types.is_bool_dtype(ix.dtype):
        diffs = np.diff(ix.to_numpy(dtype="int64"))
        step = int(diffs.min())
        gaps = diffs != step
        fill = f"s.reindex(range(s.index[0], s.index[-1] + 1, {step}), fill_value=0)"
    else:
        raise DataError(
            f"the index must hold the periods (periods, dates or whole numbers), "
            f"found {ix.dtype}",
            table=table, column="index", rows=s.head(3).to_frame(),
            fix="index the values by period, e.g. s.index = pd.period_range('2024-01', "
            "periods=len(s), freq='M')",
        )
    if gaps.any():
        where = np.r_[False, gaps] | np.r_[gaps, False]
        raise DataError(
            "missing periods (or dates not evenly spaced): the periods must follow one "
            "another at one frequency",
            table=table, column="index", rows=_rows(s, where),
            fix=f"put the missing periods in, with 0 if nothing happened in them: s = {fill}",
        )
    return _Clock(ix, freq, step)


def _counts(values: object, table: str, *, least: int = _MIN_PERIODS) -> np.ndarray:
    """The values of a Series of counts per period: numbers, finite, >= 0, enough of them."""
    if not isinstance(values, pd.Series):
        raise DataError(
            f"expected a pandas Series (one value per period), got {type(values).__name__}",
            table=table,
            fix="pass one column indexed by period, e.g. df.set_index('month')['new_users']",
        )
    name = _name(values)
    y = columns(values.to_frame(name), table, numbers=[name])[name].to_numpy()
    if (y < 0).any():
        raise DataError("negative values: adopters are counted, never below 0", table=table,
                        column=name, rows=_rows(values, y < 0),
                        fix="fix the rows shown (a net change is not a count of adopters)")
    if len(y) < least:
        raise DataError(
            f"too few periods: {len(y)}, at least {least} are needed to fit three "
            "parameters and see the error left over",
            table=table, column=name, fix="use a longer series (or a finer period: weeks)")
    if not (y > 0).any():
        raise DataError("no adopters at all: every period is 0", table=table, column=name,
                        fix="check the filter that made the series")
    return y


def _count(value: object, name: str, *, least: int) -> int:
    if (not isinstance(value, numbers.Integral) or isinstance(value, bool)
            or int(value) < least):
        raise ArgumentError(f"must be a whole number >= {least}", name=name, value=value)
    return int(value)


# --------------------------------------------------------------------------- fitting


def _lsq(mean: Callable[[np.ndarray], np.ndarray], y: np.ndarray, x0: np.ndarray,
         bounds: tuple[np.ndarray, np.ndarray], tol: float, max_nfev: int) -> Any:
    from scipy.optimize import least_squares  # here: a lesson's first cell stays light

    return least_squares(lambda th: mean(th) - y, x0, bounds=bounds, method="trf",
                         x_scale="jac", xtol=tol, ftol=tol, gtol=tol, max_nfev=max_nfev)


@dataclass(frozen=True)
class Peak:
    """When new adopters peak (from the fitted curve).

    Attributes
    ----------
    t : float
        Time of the peak in periods since launch (0: the peak is at launch).
    when : object
        The period holding it (a label of the fitted index, or a later one).
    adopters : float
        Expected new adopters in that period.
    share : float
        Share of the market potential that has adopted by the peak.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from coursekit import diffusion
    >>> share = diffusion.bass_share(np.arange(21), p=0.01, q=0.5)
    >>> peak = diffusion.Bass(bootstrap=0).fit(pd.Series(100 * np.diff(share))).peak_
    >>> round(peak.t, 2), peak.when, round(peak.share, 2)
    (7.67, 7, 0.49)
    """

    t: float
    when: object
    adopters: float
    share: float


class _Fit:
    """Nonlinear least squares with two shape parameters (a, b) and linear sizes.

    A subclass gives ``_names`` (shape names, then size names), ``_basis(a, b)``
    (the columns the sizes multiply, shape ``(G, n_obs, n_sizes)`` for a grid of
    G shapes), ``_grid()`` and ``_shape_bounds()``.
    """

    _names: tuple[str, ...] = ()

    def __init__(self, *, bootstrap: int = 200, seed: int = 0, level: float = 0.95) -> None:
        self.bootstrap = _count(bootstrap, "bootstrap", least=0)
        if 0 < self.bootstrap < 20:
            raise ArgumentError("too few replicates for a percentile interval",
                                name="bootstrap", value=bootstrap,
                                fix="use 0 (asymptotic intervals) or 20 or more, e.g. 200")
        self.seed = _count(seed, "seed", least=0)
        if not (isinstance(level, numbers.Real) and 0 < float(level) < 1):
            raise ArgumentError("must be a probability between 0 and 1", name="level",
                                value=level, fix="e.g. level=0.95 for 95% intervals")
        self.level = float(level)
        self.params_: dict[str, float] | None = None

    def __repr__(self) -> str:
        if self.params_ is None:
            return f"{type(self).__name__}(bootstrap={self.bootstrap}, seed={self.seed})"
        inner = ", ".join(f"{k}={v:.4g}" for k, v in self.params_.items())
        return f"{type(self).__name__}({inner})"

    # -- to be given by each model
    def _basis(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def _grid(self) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover
        raise NotImplementedError

    def _shape_bounds(self) -> tuple[list[float], list[float]]:  # pragma: no cover
        raise NotImplementedError

    # -- the fit
    def _mean(self, theta: np.ndarray) -> np.ndarray:
        return self._basis(theta[0:1, None], theta[1:2, None])[0] @ theta[2:]

    def _start(self, y: np.ndarray, upper: np.ndarray) -> np.ndarray:
        """Best point of the shape grid, the sizes solved by linear least squares."""
        a, b = self._grid()
        x = self._basis(a[:, None], b[:, None])  # (G, n, L)
        xtx = np.einsum("gnl,gnk->glk", x, x) + 1e-12 * np.eye(x.shape[2])
        size = np.linalg.solve(xtx, np.einsum("gnl,n->gl", x, y)[..., None])[..., 0]
        size = np.clip(size, 1e-6, upper[2:])
        sse = ((np.einsum("gnl,gl->gn", x, size) - y) ** 2).sum(axis=1)
        g = int(np.argmin(sse))
        return np.r_[a[g], b[g], size[g]]

    def _solve(self, y: np.ndarray, scale: float) -> None:
        """Fit on ``y / scale`` (sizes in units of ``scale``) and set the attributes."""
        ys = y / scale
        lo, hi = self._shape_bounds()
        n_size = len(self._names) - 2
        lower = np.r_[lo, np.zeros(n_size)]
        upper = np.r_[hi, np.full(n_size, _M_CEILING * max(1.0, ys.sum()))]
        start = np.clip(self._start(ys, upper), lower, upper)
        res = _lsq(self._mean, ys, start, (lower, upper), 1e-12, 5000)
        theta = res.x
        if not res.success or np.isclose(theta[2:], upper[2:], rtol=1e-3).any():
            warnings.warn(
                f"{type(self).__name__} fit may not have settled ({res.message.rstrip('.')}; "
                f"estimates {self._natural(theta, scale)}): the data may show too little of "
                "the curve (only its start?) to pin it down",
                RuntimeWarning, stacklevel=3)
        fitted = self._mean(theta)
        sse = float(((ys - fitted) ** 2).sum()) * scale**2
        self.params_ = self._natural(theta, scale)
        self.sse_ = sse
        self.rmse_ = math.sqrt(sse / len(y))
        self._intervals(ys, theta, fitted, res.jac, (lower, upper), scale)
        self.intervals_["low"] = np.maximum(self.intervals_["low"], lower)  # p, q, m >= 0

    def _natural(self, theta: np.ndarray, scale: float) -> dict[str, float]:
        values = np.r_[theta[:2], theta[2:] * scale]
        return {k: float(v) for k, v in zip(self._names, values, strict=True)}

    def _intervals(self, ys: np.ndarray, theta: np.ndarray, fitted: np.ndarray,
                   jac: np.ndarray, bounds: tuple[np.ndarray, np.ndarray],
                   scale: float) -> None:
        est = pd.Series(self.params_, dtype="float64")
        alpha = 1 - self.level
        if self.bootstrap:
            draws = self._wild(ys, theta, fitted, jac, bounds) * np.r_[1, 1, np.full(
                len(theta) - 2, scale)]
            self.bootstrap_ = pd.DataFrame(draws, columns=list(self._names))
            low = np.nanquantile(draws, alpha / 2, axis=0)
            high = np.nanquantile(draws, 1 - alpha / 2, axis=0)
            self.interval_method_ = "bootstrap"
        else:
            n, k = jac.shape
            s2 = float(((ys - fitted) ** 2).sum()) / max(n - k, 1)
            cov = s2 * np.linalg.pinv(jac.T @ jac)
            se = np.sqrt(np.clip(np.diag(cov), 0, None)) * np.r_[1, 1, np.full(k - 2, scale)]
            z = NormalDist().inv_cdf(1 - alpha / 2)
            low, high = est.to_numpy() - z * se, est.to_numpy() + z * se
            self.bootstrap_ = pd.DataFrame(columns=list(self._names), dtype="float64")
            self.interval_method_ = "asymptotic"
        self.intervals_ = pd.DataFrame({"estimate": est.to_numpy(), "low": low, "high": high},
                                       index=pd.Index(self._names, name="parameter"))

    def _wild(self, ys: np.ndarray, theta: np.ndarray, fitted: np.ndarray, jac: np.ndarray,
              bounds: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        """Wild bootstrap: refit on fitted + the perturbed residuals (:meth:`_perturbed`)."""
        rng = np.random.default_rng(self.seed)
        draws, settled = self._refit_many(fitted + self._perturbed(ys, fitted, jac, rng), theta,
                                          bounds)
        failed = int((~settled).sum())
        if failed > self.bootstrap // 10:
            warnings.warn(f"{failed} of {self.bootstrap} bootstrap refits did not converge; "
                          "the data may show too little of the curve to pin it down",
                          RuntimeWarning, stacklevel=5)
        return draws

    def _perturbed(self, ys: np.ndarray, fitted: np.ndarray, jac: np.ndarray,
                   rng: np.random.Generator) -> np.ndarray:
        """The bootstrap's residuals, one row per replicate: each residual times a random
        sign (Rademacher), after undoing the fit's pull on it (HC3 leverage)."""
        q, _ = np.linalg.qr(jac)
        leverage = np.clip((q**2).sum(axis=1), 0, 0.99)
        resid = (ys - fitted) / (1 - leverage)
        signs = rng.integers(0, 2, size=(self.bootstrap, len(ys))) * 2 - 1
        return resid * signs

    def _many(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Means (B, n) of B parameter vectors and their Jacobians (B, n, k): central
        differences in the two shapes, the basis itself for the linear sizes."""
        basis = self._basis(theta[:, :1], theta[:, 1:2])
        mean = np.einsum("bnl,bl->bn", basis, theta[:, 2:])
        jac = np.empty((*mean.shape, theta.shape[1]))
        jac[..., 2:] = basis
        for j in (0, 1):
            h = 1e-6 * np.maximum(np.abs(theta[:, j]), 1e-4)
            up, down = theta.copy(), theta.copy()
            up[:, j] += h
            down[:, j] -= h
            diff = self._basis(up[:, :1], up[:, 1:2]) - self._basis(down[:, :1], down[:, 1:2])
            jac[..., j] = np.einsum("bnl,bl->bn", diff, theta[:, 2:]) / (2 * h[:, None])
        return mean, jac

    def _refit_many(self, ys: np.ndarray, theta: np.ndarray,
                    bounds: tuple[np.ndarray, np.ndarray],
                    iterations: int = 300) -> tuple[np.ndarray, np.ndarray]:
        """Refit every row of ``ys`` at once from ``theta``: Levenberg-Marquardt steps
        (Marquardt's scaling), kept inside the bounds. Vectorised over the rows, which
        makes 200 bootstrap refits about as fast as one fit with ``least_squares``.

        Returns the estimates (one row per row of ``ys``) and which of them settled."""
        lower, upper = bounds
        th = np.tile(theta, (len(ys), 1))
        mean, jac = self._many(th)
        sse = ((mean - ys) ** 2).sum(axis=1)
        damping = np.full(len(ys), 1e-3)
        done = np.zeros(len(ys), dtype=bool)
        eye = np.eye(len(theta))
        for _ in range(iterations):
            a = np.einsum("bnk,bnj->bkj", jac, jac)
            g = np.einsum("bnk,bn->bk", jac, mean - ys)
            scale = np.maximum(np.diagonal(a, axis1=1, axis2=2), 1e-300)
            lhs = a + damping[:, None, None] * scale[:, :, None] * eye
            step = np.linalg.solve(lhs, -g[..., None])[..., 0]
            trial = np.clip(th + step, lower, upper)
            t_mean, t_jac = self._many(trial)
            t_sse = ((t_mean - ys) ** 2).sum(axis=1)
            better = (t_sse <= sse) & ~done
            gain = sse - t_sse
            th[better], mean[better], jac[better] = trial[better], t_mean[better], t_jac[better]
            done |= better & (gain <= 1e-10 * t_sse + 1e-300)
            done |= ~better & (damping > 1e12)  # no step helps: at a minimum (or a bound)
            sse = np.where(better, t_sse, sse)
            damping = np.where(better, damping / 3, damping * 4)
            if done.all():
                break
        return th, done

    def _fitted(self) -> dict[str, float]:
        if self.params_ is None:
            name = type(self).__name__
            raise CourseError(f"this {name} is not fitted yet: call {name}().fit(...) first, "
                              "then predict")
        return self.params_

    def _horizon(self, horizon: object) -> int:
        self._fitted()
        if horizon is None:
            return self.n_periods_
        return _count(horizon, "horizon", least=1)


# --------------------------------------------------------------------------- one curve


class _Curve(_Fit):
    """A single S-curve fitted on new adopters per period."""

    def _share(self, t: np.ndarray, a: object, b: object) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def _times(self, a: float, b: float) -> tuple[float, float]:  # pragma: no cover
        """Time of the peak of new adopters and of their fastest rise (take-off)."""
        raise NotImplementedError

    def _basis(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        share = self._share(np.arange(self.n_periods_ + 1.0), a, b)
        share[..., 0] = 0.0  # the first period holds everyone who adopted by its end
        return np.diff(share, axis=-1)[..., None]

    def fit(self, new_adopters: pd.Series, *, table: str = "new_adopters") -> Self:
        """Fit the curve by nonlinear least squares on new adopters per period.

        Parameters
        ----------
        new_adopters
            New adopters (first purchases, sign-ups) per period, indexed by
            consecutive periods in order (a ``PeriodIndex``, dates at one
            frequency, or whole numbers), from the launch on: the first row
            is the first period after launch.
        table
            The data's name in error messages.

        Returns
        -------
        self
            Fitted.

        Raises
        ------
        DataError
            Not a Series; empty; fewer than 4 periods; values missing,
            infinite, negative, not numbers, or all 0; periods repeated, out
            of order, or with gaps.

        Warns
        -----
        RuntimeWarning
            The data hold less than 5% of the fitted curve (its start only:
            ``m`` could be almost anything), or the fit or more than a tenth
            of the bootstrap refits did not settle.
        """
        y = _counts(new_adopters, table)
        clock = _clock(new_adopters, table)
        self.n_periods_ = len(y)
        self.index_ = new_adopters.index
        self._clock = clock
        self._solve(y, float(y.sum()))
        a, b = list(self.params_.values())[:2]
        seen = float(self._share(np.array(float(len(y))), a, b))
        if seen < _SEEN:
            warnings.warn(
                f"the data cover only {seen:.1%} of the fitted curve: its market potential "
                f"(m = {self.params_['m']:,.0f}) and shape are barely pinned down; wait for "
                "more periods before relying on them", RuntimeWarning, stacklevel=2)
        self.peak_ = self._peak(a, b)
        self.stage_ = stage(self)
        return self

    def _curve(self, horizon: int) -> tuple[np.ndarray, np.ndarray]:
        """Expected new adopters and cumulative adopters in periods 1..horizon."""
        a, b, m = self._fitted().values()
        share = self._share(np.arange(1.0, horizon + 1), a, b) * m
        return np.diff(share, prepend=0.0), share

    def predict(self, horizon: int | None = None) -> pd.Series:
        """Expected new adopters in periods 1..``horizon`` after launch.

        Parameters
        ----------
        horizon
            Number of periods from launch (default: the fitted periods);
            beyond the fitted ones the index continues at the data's
            frequency, so ``predict(n + 12)`` forecasts 12 more periods.

        Returns
        -------
        pandas.Series
            ``new_adopters``, indexed by period.

        Raises
        ------
        CourseError
            The model is not fitted yet.
        ArgumentError
            ``horizon`` is not a whole number >= 1.

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> from coursekit import diffusion
        >>> weeks = pd.date_range("2025-01-05", periods=10, freq="W-SUN")
        >>> share = diffusion.bass_share(np.arange(11), p=0.02, q=0.4)
        >>> model = diffusion.Bass(bootstrap=0).fit(pd.Series(500 * np.diff(share), weeks))
        >>> model.predict(12).tail(3).round(1)
        2025-03-09    43.4
        2025-03-16    34.7
        2025-03-23    26.2
        Freq: W-SUN, Name: new_adopters, dtype: float64
        """
        k = self._horizon(horizon)
        return pd.Series(self._curve(k)[0], index=self._clock.labels(k), name="new_adopters")

    def cumulative(self, horizon: int | None = None) -> pd.Series:
        """Expected cumulative adopters by the end of periods 1..``horizon``.

        Parameters
        ----------
        horizon
            As in :meth:`predict`.

        Returns
        -------
        pandas.Series
            ``cumulative_adopters``, indexed by period (the running sum of
            :meth:`predict`; it tends to the market potential ``m``).

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> from coursekit import diffusion
        >>> share = diffusion.bass_share(np.arange(11), p=0.02, q=0.4)
        >>> model = diffusion.Bass(bootstrap=0).fit(pd.Series(500 * np.diff(share)))
        >>> model.cumulative(20).iloc[[9, 19]].round(1)
        9     378.9
        19    497.6
        Name: cumulative_adopters, dtype: float64
        """
        k = self._horizon(horizon)
        return pd.Series(self._curve(k)[1], index=self._clock.labels(k),
                         name="cumulative_adopters")

    def _peak(self, a: float, b: float) -> Peak:
        t_peak = max(self._times(a, b)[0], 0.0)
        k = max(math.ceil(t_peak), 1)
        new, _ = self._curve(k)
        share = float(self._share(np.array(t_peak), a, b)) if t_peak > 0 else 0.0
        return Peak(t=t_peak, when=self._clock.label(k), adopters=float(new[-1]),
                    share=share)


class Bass(_Curve):
    r"""The Bass (1969) diffusion model, fitted on new adopters per period.

    Cumulative adopters :math:`N(t) = m F(t)` with

    .. math::

        F(t) = \frac{1 - e^{-(p + q) t}}{1 + (q / p)\, e^{-(p + q) t}}

    (:func:`bass_share`): :math:`p` the coefficient of innovation,
    :math:`q` of imitation, :math:`m` the market potential. Expected new
    adopters in period :math:`k` (from :math:`t = k - 1` to :math:`k`) are
    :math:`m\,[F(k) - F(k - 1)]`, and :meth:`fit` minimises the squared
    differences between these and the data (nonlinear least squares on
    interval data, as Srinivasan & Mason 1986 recommend over Bass's original
    regression). The start comes from a grid of :math:`(p, q)` with
    :math:`m` solved exactly for each; ``scipy.optimize.least_squares``
    (trust region, bounds :math:`10^{-6} \le p \le 1`, :math:`0 \le q \le
    10`, :math:`0 \le m \le` 10,000 x the adopters observed) finishes.

    New adopters peak at :math:`t^* = \ln(q/p) / (p + q)` (at launch when
    :math:`q \le p`), when :math:`F = 1/2 - p/(2q)` have adopted.

    Parameters
    ----------
    bootstrap
        Replicates of the wild bootstrap behind ``intervals_`` (0: asymptotic
        intervals instead; otherwise at least 20).
    seed
        Seed of the random signs of the bootstrap (same seed, same intervals).
    level
        Coverage of the intervals.

    Attributes
    ----------
    params_ : dict
        ``{"p": ..., "q": ..., "m": ...}``; ``p`` and ``q`` per period of the data.
    intervals_ : pandas.DataFrame
        Indexed by ``p``, ``q``, ``m``: ``estimate``, ``low``, ``high``. With
        ``bootstrap > 0``: percentile intervals of a wild bootstrap. The curve
        is refitted ``bootstrap`` times on the fitted values plus the
        residuals with random signs, each residual divided by :math:`1 - h`
        for its leverage :math:`h` (Davidson & Flachaire 2008); the refits
        start from the estimate and run together as vectorised
        Levenberg-Marquardt steps. Each period keeps its own error size,
        which grows with the number of adopters, so nothing is assumed of
        the noise beyond independent periods. On simulated Poisson counts
        the 95% intervals held the truth in about 93% of 200 curves seen
        whole and 90% of curves seen up to 30% adoption. With
        ``bootstrap=0``: estimate +- z x standard error from the asymptotic
        covariance of nonlinear least squares, :math:`s^2 (J^T J)^{-1}`,
        which assumes the same error variance in every period and is
        symmetric, while early in a curve's life ``m`` has far more room
        upwards than downwards.
    interval_method_ : str
        ``"bootstrap"`` or ``"asymptotic"``.
    bootstrap_ : pandas.DataFrame
        The bootstrap estimates, one row per replicate (empty with ``bootstrap=0``).
    sse_, rmse_ : float
        Sum of squared residuals, and root mean squared residual (adopters per period).
    n_periods_ : int
        Periods fitted.
    index_ : pandas.Index
        Their labels.
    peak_ : Peak
        When new adopters peak, in which period, how many.
    stage_ : str
        Life-cycle stage in the last fitted period (see :func:`stage`).

    Examples
    --------
    A curve with p = 0.03, q = 0.38 and m = 10,000, observed for 24 months:

    >>> import numpy as np, pandas as pd
    >>> from coursekit import diffusion
    >>> months = pd.period_range("2024-01", periods=24, freq="M")
    >>> share = diffusion.bass_share(np.arange(25), p=0.03, q=0.38)
    >>> adopters = pd.Series(10_000 * np.diff(share), index=months)
    >>> model = diffusion.Bass(bootstrap=0).fit(adopters)
    >>> {k: round(v, 3) for k, v in model.params_.items()}
    {'p': 0.03, 'q': 0.38, 'm': 10000.0}
    >>> model.peak_.when, round(model.peak_.t, 2), round(model.peak_.adopters)
    (Period('2024-07', 'M'), 6.19, 1098)
    >>> model.predict(27).tail(3).round(1)
    2026-01    2.4
    2026-02    1.6
    2026-03    1.1
    Freq: M, Name: new_adopters, dtype: float64
    >>> model.stage_
    'decline'

    With Poisson noise, the market potential read from the first 6 months
    (44% adopted) is far less certain than from all 24:

    >>> rng = np.random.default_rng(1)
    >>> noisy = pd.Series(rng.poisson(adopters.to_numpy()), index=months)
    >>> early = diffusion.Bass(bootstrap=200, seed=0).fit(noisy.iloc[:6])
    >>> whole = diffusion.Bass(bootstrap=200, seed=0).fit(noisy)
    >>> pd.DataFrame({"6 months": early.intervals_.loc["m"],
    ...               "24 months": whole.intervals_.loc["m"]}).round(0)
              6 months  24 months
    estimate    9006.0     9986.0
    low         7750.0     9807.0
    high       11414.0    10152.0
    """

    _names = ("p", "q", "m")

    def _share(self, t: np.ndarray, a: object, b: object) -> np.ndarray:
        return bass_share(t, a, b)

    def _grid(self) -> tuple[np.ndarray, np.ndarray]:
        return _bass_grid()

    def _shape_bounds(self) -> tuple[list[float], list[float]]:
        return _BASS_BOUNDS

    def _times(self, a: float, b: float) -> tuple[float, float]:
        if b <= a:
            return 0.0, 0.0
        return math.log(b / a) / (a + b), (math.log(b / a) - _TAKEOFF) / (a + b)


class Logistic(_Curve):
    r"""The logistic adoption curve, fitted on new adopters per period.

    Cumulative adopters :math:`N(t) = m / (1 + e^{-r (t - t_0)})`
    (:func:`logistic_share`): growth rate :math:`r` per period, midpoint
    :math:`t_0` (half the market potential :math:`m` has adopted), peak of
    new adopters at :math:`t_0`. It is Bass's curve without innovators
    (:math:`p \to 0`): the curve has no start, so the first period holds
    everyone who had adopted by its end, :math:`N(1)`, and period :math:`k >
    1` holds :math:`N(k) - N(k - 1)`. Fitted as :class:`Bass` is (a grid of
    :math:`(r, t_0)`, then ``least_squares``; bounds :math:`10^{-6} \le r
    \le 20`, :math:`-5n \le t_0 \le 50n` for :math:`n` periods); intervals
    as in :class:`Bass`.

    Parameters
    ----------
    bootstrap, seed, level
        As in :class:`Bass`.

    Attributes
    ----------
    params_ : dict
        ``{"r": ..., "t0": ..., "m": ...}``.
    intervals_, interval_method_, bootstrap_, sse_, rmse_, n_periods_, index_, peak_, stage_
        As in :class:`Bass`.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from coursekit import diffusion
    >>> n = np.arange(1, 31)
    >>> total = 5_000 * diffusion.logistic_share(n, r=0.4, t0=12)
    >>> adopters = pd.Series(np.diff(total, prepend=0), index=n)
    >>> model = diffusion.Logistic(bootstrap=0).fit(adopters)
    >>> {k: round(v, 3) for k, v in model.params_.items()}
    {'r': 0.4, 't0': 12.0, 'm': 5000.0}
    >>> diffusion.stage(model, when=5), diffusion.stage(model, when=10)
    ('introduction', 'growth')
    """

    _names = ("r", "t0", "m")

    def _share(self, t: np.ndarray, a: object, b: object) -> np.ndarray:
        return logistic_share(t, a, b)

    def _grid(self) -> tuple[np.ndarray, np.ndarray]:
        n = self.n_periods_
        r, t0 = np.meshgrid(np.geomspace(1e-3, 5, 18), np.linspace(-n / 2, 3 * n, 29))
        return r.ravel(), t0.ravel()

    def _shape_bounds(self) -> tuple[list[float], list[float]]:
        n = self.n_periods_
        return [1e-6, -5.0 * n], [20.0, 50.0 * n]

    def _times(self, a: float, b: float) -> tuple[float, float]:
        return b, b - _TAKEOFF / a


# --------------------------------------------------------------------------- stages


def _stage_of(model: _Curve, t: np.ndarray) -> np.ndarray:
    a, b, _ = model._fitted().values()
    t_peak, t_takeoff = model._times(a, b)
    share = model._share(t, a, b)
    return np.select(
        [share >= _LATE, t >= t_peak, (share < _EARLY) & (t < t_takeoff)],
        ["decline", "maturity", "introduction"],
        default="growth",
    )


def _curve_model(model: object) -> _Curve:
    if not isinstance(model, _Curve):
        raise ArgumentError(f"expected a fitted Bass or Logistic, got {type(model).__name__}",
                            name="model", fix="pass diffusion.Bass().fit(new_adopters)")
    model._fitted()
    return model


def stage(model: Bass | Logistic, when: object = None) -> str:
    r"""The life-cycle stage of a product in one period, read off its fitted curve.

    At the end of the period (:math:`t` = periods since launch), with
    :math:`F = N(t) / m` the share of the market potential that has adopted,
    the first rule that holds gives the stage:

    ============  ===========================================================
    stage         rule
    ============  ===========================================================
    decline       :math:`F \ge 84\%`: only the laggards are left
    maturity      new adopters are past their peak (:math:`t \ge t^*`)
    introduction  :math:`F < 16\%` and before take-off (:math:`t < t_1`)
    growth        the rest: new adopters still rising, take-off passed or
                  more than the innovators and early adopters in
    ============  ===========================================================

    The shares are Rogers' (1962) adopter categories (:data:`ROGERS`):
    innovators 2.5% and early adopters 13.5% (16% in all) adopt during
    introduction, the early majority (34%) during growth, the late majority
    (34%) during maturity, the laggards (16%) during decline. Take-off
    :math:`t_1` is where new adopters rise fastest (the largest slope of the
    curve of new adopters), :math:`t_1 = t^* - \ln(2 + \sqrt 3) / (p + q)`
    for Bass and :math:`t_0 - \ln(2 + \sqrt 3) / r` for the logistic
    (Mahajan, Muller & Srivastava 1990). On a logistic curve take-off comes
    when 21% have adopted, on a Bass curve earlier the stronger innovation is
    (15% for p = 0.03, q = 0.38), so introduction ends at whichever of
    take-off and 16% comes first. When imitation does not outweigh innovation (:math:`q \le p`),
    new adopters are highest at launch: there is no introduction or growth.
    New adopters here are first purchases: a product's repeat sales can
    keep growing in "maturity".

    Parameters
    ----------
    model
        A fitted :class:`Bass` or :class:`Logistic`.
    when
        The period: a label of the fitted index or a later one (``"2025-06"``
        for monthly periods). Default: the last fitted period.

    Returns
    -------
    str
        One of :data:`STAGES`.

    Raises
    ------
    ArgumentError
        ``model`` is not a Bass or Logistic, or ``when`` is not a period of it.
    CourseError
        The model is not fitted.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from coursekit import diffusion
    >>> share = diffusion.bass_share(np.arange(31), p=0.03, q=0.38)
    >>> model = diffusion.Bass(bootstrap=0).fit(pd.Series(1_000 * np.diff(share),
    ...                                                   index=np.arange(1, 31)))
    >>> [diffusion.stage(model, when=k) for k in (2, 4, 8, 16)]
    ['introduction', 'growth', 'maturity', 'decline']
    """
    fitted = _curve_model(model)
    k = fitted.n_periods_ if when is None else fitted._clock.position(when)
    return str(_stage_of(fitted, np.array([float(k)]))[0])


def stages(model: Bass | Logistic, horizon: int | None = None) -> pd.DataFrame:
    """The fitted curve period by period, with the life-cycle stage of each.

    Parameters
    ----------
    model
        A fitted :class:`Bass` or :class:`Logistic`.
    horizon
        Periods from launch (default: the fitted ones).

    Returns
    -------
    pandas.DataFrame
        One row per period: ``t`` (periods since launch at the period's
        end), ``new_adopters`` and ``cumulative`` (expected), ``share``
        (cumulative / m) and ``stage`` (categorical, in :data:`STAGES`
        order; the rule of :func:`stage`).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from coursekit import diffusion
    >>> share = diffusion.bass_share(np.arange(31), p=0.03, q=0.38)
    >>> model = diffusion.Bass(bootstrap=0).fit(pd.Series(1_000 * np.diff(share),
    ...                                                   index=np.arange(1, 31)))
    >>> table = diffusion.stages(model)
    >>> span = table.groupby("stage", observed=False)["t"].agg(["min", "max"])
    >>> span  # doctest: +NORMALIZE_WHITESPACE
                  min  max
    stage
    introduction    1    2
    growth          3    6
    maturity        7   10
    decline        11   30
    """
    fitted = _curve_model(model)
    k = fitted._horizon(horizon)
    new, total = fitted._curve(k)
    t = np.arange(1, k + 1)
    return pd.DataFrame(
        {
            "t": t,
            "new_adopters": new,
            "cumulative": total,
            "share": total / fitted.params_["m"],
            "stage": pd.Categorical(_stage_of(fitted, t.astype(float)), categories=STAGES,
                                    ordered=True),
        },
        index=fitted._clock.labels(k),
    )


# --------------------------------------------------------------------------- generations


class NortonBass(_Fit):
    r"""Two generations of a product (Norton & Bass 1987): the second growth curve.

    The second generation, launched at :math:`\tau_2`, wins new customers of
    its own and takes over the first generation's users. With one Bass
    curve :math:`F` (:func:`bass_share`, shared :math:`p, q`) for both
    generations, the first generation's users at time :math:`t` are

    .. math::

        S_1(t) = m_1 F(t)\, [1 - F(t - \tau_2)]

    and the second's

    .. math::

        S_2(t) = F(t - \tau_2)\, [m_2 + m_1 F(t)]

    (:math:`F = 0` before launch). As in Norton & Bass, who fitted yearly
    shipments, :math:`S_i` are *levels*: users of each generation, or sales
    per period when each user buys at a steady rate (:math:`m_i` is then a
    potential in sales per period). They are not cumulative: a period's
    first generation value falls once users move to the second, which the
    differences of :math:`S_1` would turn into negative sales. Period
    :math:`k` is modelled by :math:`S_i(k)` (its end), the second
    generation's launch period :math:`L` by :math:`\tau_2 = L - 1`.

    :math:`m_1 F(t) F(t - \tau_2)` is the cannibalised part: first
    generation users who moved to the second (:meth:`decompose`).

    Fitted by nonlinear least squares on both series at once (a grid of
    :math:`(p, q)` with :math:`m_1, m_2` solved exactly, then
    ``least_squares``; bounds as in :class:`Bass`). Levels carry their
    errors from one period to the next (a period's users are last period's
    plus the period's change), so the residuals of a level fit are strongly
    autocorrelated and the period-by-period wild bootstrap of :class:`Bass`
    would give far too narrow intervals. The bootstrap here is wild on the
    *changes* instead: each series' residuals are differenced, each period's
    change gets a random sign, and the signed changes are added back up
    into levels around the fit. The asymptotic intervals (``bootstrap=0``)
    assume independent errors and are too narrow for such data: use them
    only for a quick look.

    Parameters
    ----------
    bootstrap, seed, level
        As in :class:`Bass`.

    Attributes
    ----------
    params_ : dict
        ``{"p": ..., "q": ..., "m1": ..., "m2": ...}``.
    launch_ : object
        The second generation's launch period (a label of the index).
    intervals_, interval_method_, bootstrap_, sse_, rmse_, n_periods_, index_
        As in :class:`Bass` (residuals of both series together).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from coursekit import diffusion
    >>> t = np.arange(1, 41)
    >>> f1 = diffusion.bass_share(t, 0.02, 0.3)
    >>> f2 = diffusion.bass_share(t - 14, 0.02, 0.3)  # launched in period 15
    >>> quarters = pd.period_range("2016Q1", periods=40, freq="Q")
    >>> first = pd.Series(5_000 * f1 * (1 - f2), index=quarters)
    >>> second = pd.Series(f2 * (8_000 + 5_000 * f1), index=quarters)
    >>> model = diffusion.NortonBass(bootstrap=0).fit(first, second)
    >>> model.launch_
    Period('2019Q3', 'Q-DEC')
    >>> {k: round(v, 3) for k, v in model.params_.items()}
    {'p': 0.02, 'q': 0.3, 'm1': 5000.0, 'm2': 8000.0}
    >>> model.decompose().loc["2022Q4"].round(0)
    first                     773.0
    second                  10977.0
    first_without_second     4990.0
    cannibalised             4216.0
    second_own               6760.0
    Name: 2022Q4, dtype: float64
    """

    _names = ("p", "q", "m1", "m2")

    def _gen_shares(self, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        t = np.arange(1.0, self.n_periods_ + 1)
        return bass_share(t, a, b), bass_share(t - self._tau, a, b)

    def _basis(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        f1, f2 = self._gen_shares(a, b)
        one = np.concatenate([f1 * (1 - f2), f1 * f2], axis=-1)
        two = np.concatenate([np.zeros_like(f2), f2], axis=-1)
        return np.stack([one, two], axis=-1)

    def _grid(self) -> tuple[np.ndarray, np.ndarray]:
        return _bass_grid()

    def _shape_bounds(self) -> tuple[list[float], list[float]]:
        return _BASS_BOUNDS

    def fit(self, first: pd.Series, second: pd.Series, *, launch: object = None,
            tables: tuple[str, str] = ("first_generation", "second_generation")) -> NortonBass:
        """Fit on the two generations' users (or sales) per period.

        Parameters
        ----------
        first
            The first generation per period, indexed by consecutive periods
            from its launch on (as for :meth:`Bass.fit`).
        second
            The second generation per period: on the same index (0 before its
            launch), or on the tail of it that starts at its launch.
        launch
            The period the second generation was launched (a label of the
            index). Default: the first label of ``second`` when it starts
            later than ``first``, otherwise its first period above 0.
        tables
            The two series' names in error messages.

        Returns
        -------
        NortonBass
            ``self``, fitted.

        Raises
        ------
        DataError
            Bad values or periods in either series (see :meth:`Bass.fit`);
            ``second``'s periods not those of ``first`` (or a tail of them);
            values of ``second`` above 0 before ``launch``; fewer than 4
            periods from the launch on.
        ArgumentError
            ``launch`` is not a period of the index.
        """
        y1 = _counts(first, tables[0])
        clock = _clock(first, tables[0])
        _counts(second, tables[1], least=1)
        n = len(y1)
        offset = n - len(second)
        if offset < 0 or not second.index.equals(first.index[offset:]):
            raise DataError(
                f"the periods of {tables[1]} must be those of {tables[0]} "
                f"({first.index[0]} to {first.index[-1]}), or the last ones of them",
                table=tables[1], column="index", rows=second.head(3).to_frame(),
                fix="index both by the same periods, the second generation with 0 before "
                "its launch: second.reindex(first.index, fill_value=0)")
        y2 = np.r_[np.zeros(offset), second.to_numpy(dtype="float64")]
        if launch is not None:
            start = clock.position(launch, "launch")
        elif offset > 0:
            start = offset + 1
        else:
            start = int(np.argmax(y2 > 0)) + 1
        if start > n:
            raise ArgumentError("after the last period of the data", name="launch",
                                value=launch, fix="give the second generation's first period")
        early = (y2 > 0) & (np.arange(1, n + 1) < start)
        if early.any():
            raise DataError(
                f"{tables[1]} above 0 before its launch ({clock.label(start)})",
                table=tables[1], rows=_rows(pd.Series(y2, first.index, name=second.name), early),
                fix="check the launch period, or set the earlier periods to 0")
        if n - start + 1 < _MIN_PERIODS:
            raise DataError(
                f"too few periods of the second generation: {n - start + 1} from its launch, "
                f"at least {_MIN_PERIODS} are needed", table=tables[1],
                fix="use a longer series")
        self.n_periods_ = n
        self.index_ = first.index
        self._clock = clock
        self._tau = float(start - 1)
        self.launch_ = clock.label(start)
        y = np.r_[y1, y2]
        self._solve(y, float(max(y1.max(), y2.max())))
        return self

    def _perturbed(self, ys: np.ndarray, fitted: np.ndarray, jac: np.ndarray,
                   rng: np.random.Generator) -> np.ndarray:
        """Wild bootstrap on the changes of each series' residuals (see the class): each
        period's change gets a random sign, and the signed changes add back up to levels."""
        n = self.n_periods_
        changes = np.diff((ys - fitted).reshape(2, n), axis=1, prepend=0.0)
        signs = rng.integers(0, 2, size=(self.bootstrap, 2, n)) * 2 - 1
        return np.cumsum(changes[None] * signs, axis=2).reshape(self.bootstrap, 2 * n)

    def _parts(self, horizon: object) -> tuple[int, dict[str, np.ndarray]]:
        k = self._horizon(horizon)
        p, q, m1, m2 = self._fitted().values()
        t = np.arange(1.0, k + 1)
        f1, f2 = bass_share(t, p, q), bass_share(t - self._tau, p, q)
        return k, {"first": m1 * f1 * (1 - f2), "second": f2 * (m2 + m1 * f1),
                   "first_without_second": m1 * f1, "cannibalised": m1 * f1 * f2,
                   "second_own": m2 * f2}

    def predict(self, horizon: int | None = None) -> pd.DataFrame:
        """Expected users (or sales) of each generation in periods 1..``horizon``.

        Parameters
        ----------
        horizon
            Periods from the first generation's launch (default: the fitted
            ones); later periods continue the index.

        Returns
        -------
        pandas.DataFrame
            Columns ``first`` and ``second``, indexed by period.

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> from coursekit import diffusion
        >>> t = np.arange(1, 21)
        >>> f1, f2 = diffusion.bass_share(t, 0.05, 0.5), diffusion.bass_share(t - 8, 0.05, 0.5)
        >>> model = diffusion.NortonBass(bootstrap=0).fit(pd.Series(100 * f1 * (1 - f2), t),
        ...                                               pd.Series(f2 * (150 + 100 * f1), t))
        >>> model.predict(24).tail(2).round(1)
            first  second
        23    0.3   249.3
        24    0.2   249.6
        """
        k, parts = self._parts(horizon)
        return pd.DataFrame({c: parts[c] for c in ("first", "second")},
                            index=self._clock.labels(k))

    def decompose(self, horizon: int | None = None) -> pd.DataFrame:
        """Where each generation's users come from, period by period.

        Parameters
        ----------
        horizon
            As in :meth:`predict`.

        Returns
        -------
        pandas.DataFrame
            ``first`` and ``second`` (as :meth:`predict`),
            ``first_without_second`` (:math:`m_1 F(t)`: the first generation
            had there been no second), ``cannibalised`` (:math:`m_1 F(t)
            F(t - \\tau_2)`: its users who moved to the second; ``first`` =
            ``first_without_second`` - ``cannibalised``) and ``second_own``
            (:math:`m_2 F(t - \\tau_2)`: the second generation's own new
            market; ``second`` = ``second_own`` + ``cannibalised``).
        """
        k, parts = self._parts(horizon)
        return pd.DataFrame(parts, index=self._clock.labels(k))
