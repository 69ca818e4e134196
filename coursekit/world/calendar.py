"""The company's calendar: day-by-day multipliers of buying and browsing.

Weekly rhythm, festival peaks and lunar holidays make one daily multiplier;
the generator turns it into non-homogeneous Poisson processes by warping
time with its cumulative sum (a point uniform in cumulative intensity maps
back to calendar time), which keeps every step vectorised.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from coursekit.world import params as P


@dataclass(frozen=True)
class Calendar:
    """Daily multipliers over the simulated period.

    Attributes
    ----------
    days
        The calendar days, ``START`` to ``END`` inclusive.
    buy
        Multiplier of the purchase rate on each day (mean 1).
    visit
        Multiplier of the browsing rate on each day (mean 1, milder peaks).
    gift
        Extra weight of gift boxes in baskets on each day (1 = none).
    """

    days: pd.DatetimeIndex
    buy: np.ndarray
    visit: np.ndarray
    gift: np.ndarray

    @property
    def n_days(self) -> int:
        return len(self.days)

    def cumulative(self, which: str = "buy") -> np.ndarray:
        """Cumulative intensity at day boundaries: length ``n_days + 1``, starts at 0."""
        rate = self.buy if which == "buy" else self.visit
        return np.concatenate([[0.0], np.cumsum(rate)])

    def warp(self, t: np.ndarray, which: str = "buy") -> np.ndarray:
        """Calendar time (days since START, float) to cumulative intensity."""
        grid = np.arange(self.n_days + 1, dtype=float)
        return np.interp(t, grid, self.cumulative(which))

    def unwarp(self, s: np.ndarray, which: str = "buy") -> np.ndarray:
        """Cumulative intensity back to calendar time (inverse of :meth:`warp`)."""
        grid = np.arange(self.n_days + 1, dtype=float)
        return np.interp(s, self.cumulative(which), grid)


def festival_days(end: dt.date = P.END) -> dict[str, list[dt.date]]:
    """Peak days of every festival from ``START`` to ``end``'s year, by festival name."""
    out: dict[str, list[dt.date]] = {}
    for year in range(P.START.year, end.year + 1):
        for name, month, day, _, _ in P.FESTIVALS:
            out.setdefault(name, []).append(dt.date(year, month, day))
        out.setdefault("spring_festival", []).append(P.SPRING_FESTIVAL[year])
        out.setdefault("mid_autumn", []).append(P.MID_AUTUMN[year])
    return out


def build_calendar(end: dt.date = P.END) -> Calendar:
    """Build the daily multipliers from ``START`` to ``end`` (deterministic).

    The multipliers are scaled to a mean of 1 over the data's period (``START``
    to ``END``), whatever ``end`` is: a calendar that goes on to ``P.SIM_END``
    agrees day for day with the data's own, and continues it.
    """
    if not P.END <= end <= P.SIM_END:
        raise ValueError(f"end must be between {P.END} and {P.SIM_END}, got {end}")
    days = pd.date_range(P.START, end, freq="D")
    n = len(days)
    buy = np.asarray(P.WEEKDAY, dtype=float)[days.day_of_week]
    gift = np.ones(n)
    index = {d.date(): i for i, d in enumerate(days)}
    for year in range(P.START.year, end.year + 1):
        for _, month, day, peak, runup in P.FESTIVALS:
            i = index[dt.date(year, month, day)]
            lo = max(0, i - runup)
            ramp = np.linspace(1.0 + 0.25 * (peak - 1), 1.0 + 0.6 * (peak - 1), i - lo)
            buy[lo:i] *= ramp
            buy[i] *= peak
            buy[i + 1 : i + 3] *= 0.85  # the hangover after a sale
        for holiday, before, after in (
            (P.SPRING_FESTIVAL[year], 21, 7),
            (P.MID_AUTUMN[year], 14, 2),
        ):
            i = index[holiday]
            gift[max(0, i - before) : i] *= 6.0
            buy[max(0, i - before) : i] *= 1.25
            buy[i : i + after] *= 0.6 if after > 3 else 0.9  # logistics pause
    data = len(pd.date_range(P.START, P.END, freq="D"))  # the scale is the data period's
    buy /= buy[:data].mean()
    visit = 1.0 + 0.4 * (buy - 1.0)
    visit /= visit[:data].mean()
    return Calendar(days=days, buy=buy, visit=visit, gift=gift)
