"""Calendar periods as integers: the time-bucketing engine the analytics share.

Private: ``cohorts``, ``metrics``, ``reach``, ``reports`` and ``diagnose``
import it instead of each other's helpers. A period is a pandas Period
(``"D"`` days, ``"W"`` weeks Monday to Sunday, ``"M"`` months, ``"Q"``
quarters, ``"Y"`` years); here it is its integer ordinal, so that counting by
period is one ``np.bincount``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from coursekit.errors import ArgumentError

__all__ = ["PERIODS", "Axis", "freq", "labels", "ordinal", "ordinals", "ratio"]

#: Accepted ``period`` values and the pandas frequency of their labels.
PERIODS = {"D": "D", "W": "W-SUN", "M": "M", "Q": "Q-DEC", "Y": "Y-DEC"}


def freq(period: object, name: str = "per") -> str:
    """Validate ``period`` (the argument ``name``) and return its one-letter code."""
    key = period.upper() if isinstance(period, str) else None  # None: not a period name
    if key not in PERIODS:
        raise ArgumentError(
            f"unknown period {period!r}",
            name=name,
            fix=f"use one of {list(PERIODS)} (days, Monday-Sunday weeks, months, quarters, "
            "years)",
        )
    return key


def ordinals(times: pd.Series | np.ndarray, freq: str) -> np.ndarray:
    """Integer period codes of datetimes, equal to pandas ``Period.ordinal``.

    Works on whole days first (``datetime64[D]``), then maps each distinct day
    to its month through a small lookup table: much cheaper than converting
    every value to ``datetime64[M]`` or to Period objects.
    """
    values = np.asarray(times)
    if values.dtype.kind != "M":
        values = np.asarray(pd.to_datetime(values))
    days = values.astype("datetime64[D]").astype(np.int64)
    if freq == "D":
        return days
    if freq == "W":  # pandas W-SUN ordinal: week 1 is 1969-12-29 .. 1970-01-04
        return (days + 10) // 7
    if len(days) == 0:
        return days
    lo, hi = int(days.min()), int(days.max())
    if hi - lo < 1_000_000:
        lookup = np.arange(lo, hi + 1).astype("datetime64[D]").astype("datetime64[M]")
        months = lookup.astype(np.int64)[days - lo]
    else:
        months = values.astype("datetime64[M]").astype(np.int64)
    if freq == "M":
        return months
    return months // (3 if freq == "Q" else 12)


def ordinal(ts: pd.Timestamp, freq: str) -> int:
    return int(ordinals(np.array([ts.to_datetime64()]), freq)[0])


def labels(ordinals: np.ndarray, freq: str, name: str) -> pd.PeriodIndex:
    return pd.PeriodIndex.from_ordinals(np.asarray(ordinals, dtype=np.int64),
                                        freq=PERIODS[freq]).rename(name)


class Axis:
    """Calendar periods from ``lo`` to ``hi`` (ordinals), as positions 0..n-1."""

    def __init__(self, freq: str, lo: int, hi: int) -> None:
        self.freq, self.lo, self.n = freq, lo, hi - lo + 1

    @classmethod
    def spanning(cls, freq: str, *ordinals: np.ndarray) -> Axis:
        return cls(freq, min(int(o.min()) for o in ordinals),
                   max(int(o.max()) for o in ordinals))

    def count(self, ordinals: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(ordinals - self.lo, weights=weights, minlength=self.n)

    def distinct(self, cust: np.ndarray, n_cust: int, ordinals: np.ndarray) -> np.ndarray:
        """Distinct customers per period."""
        pos = ordinals - self.lo
        if n_cust * self.n <= 1 << 27:
            mark = np.zeros(n_cust * self.n, dtype=bool)
            mark[cust * self.n + pos] = True
            pairs = np.flatnonzero(mark)
        else:
            pairs = pd.unique(cust * self.n + pos)
        return np.bincount(pairs % self.n, minlength=self.n)

    @property
    def index(self) -> pd.PeriodIndex:
        return labels(np.arange(self.lo, self.lo + self.n), self.freq, "period")


def ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den with 0 / 0 = NaN and x / 0 = inf (x > 0), without warnings."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(num, dtype=np.float64) / np.asarray(den, dtype=np.float64)
