"""Helpers the metric families share: the result table, period codes of a table, argument checks."""

from __future__ import annotations

import numpy as np
import pandas as pd

from coursekit._arrays import distinct
from coursekit._periods import PERIODS
from coursekit._periods import Axis as _Axis
from coursekit._periods import freq as _freq
from coursekit._periods import ordinals as _ordinals
from coursekit._periods import ratio as _ratio
from coursekit.errors import ArgumentError, DataError
from coursekit.inputs import columns

WHOLE = "all"
"""Index label of the one row a metric returns with ``per=None`` (the whole span)."""


def _result(names: list[str], values: list[object], axis: _Axis | None) -> pd.DataFrame:
    """The metric's table: one row per period, or one row labelled ``"all"`` (``per=None``)."""
    if axis is None:
        return pd.DataFrame({n: [float(v)] for n, v in zip(names, values, strict=True)},
                            index=pd.Index([WHOLE], name="period"))
    return pd.DataFrame(dict(zip(names, values, strict=True)), index=axis.index)


def _nobody(what: str, table: str, fix: str) -> DataError:
    return DataError(f"no {what} to divide by", table=table, fix=fix)


_BASES = ("cohort", "period")


_NEVER = np.iinfo(np.int64).max


def _whole_number(value: object, name: str, *, minimum: int, fix: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < minimum:
        raise ArgumentError(
            f"{name} must be a whole number >= {minimum}, got {value!r}",
            name=name,
            fix=fix,
        )
    return int(value)


def _window(window: object) -> int:
    return _whole_number(window, "window_days", minimum=1,
                         fix="the length of the trailing window in days, e.g. window=30 "
                         "(or 28: four whole weeks)")


def _period_needed(per: object, what: str) -> str:
    if per is None:
        raise ArgumentError(
            f"{what} is a number per period: per=None has no meaning here",
            name="per",
            fix=f"use one of {list(PERIODS)}, e.g. per='M'",
        )
    return _freq(per, name="per")


def _users_table(users: object, customer: str, signup_at: str,
                 extra: list[str] | None = None) -> tuple[pd.DataFrame, pd.Index]:
    """The users table checked: one row per user, sign-up times parsed."""
    u = columns(users, "users", ids=[customer, *(extra or [])], times=[signup_at])
    ids = pd.Index(u[customer].to_numpy())
    if not ids.is_unique:
        raise DataError(
            "duplicate user ids: a user would be counted twice",
            table="users",
            column=customer,
            rows=users.loc[np.asarray(ids.duplicated(keep=False)), [customer]].head(5),  # type: ignore[union-attr]
            fix="keep one row per user",
        )
    return u, ids


def _signed_up_by(signup: np.ndarray, axis: _Axis) -> np.ndarray:
    """Users signed up by the end of each period of ``axis`` (earlier ones count in all)."""
    before = np.clip(signup - axis.lo, -1, axis.n)  # -1: before the first period
    return np.cumsum(np.bincount(before + 1, minlength=axis.n + 2))[1:-1]


def _not_before_signup(per_o: np.ndarray, signup_of_row: np.ndarray, frame: pd.DataFrame,
                       table: str, customer: str, at: str) -> None:
    early = per_o < signup_of_row
    if early.any():
        raise DataError(
            f"{int(early.sum()):,} row(s) in a period before their user signed up: those "
            "users are not yet among the signed-up users of that period",
            table=table,
            column=at,
            rows=frame.loc[early, [customer, at]].head(5),
            fix="check the sign-up times and the activity times (same user ids? same time "
            "zone?)",
        )


def _day_pairs(cust: np.ndarray, n_cust: int,
               days: np.ndarray) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Distinct (customer, day) pairs sorted by customer then day.

    Returns the customer code and the day (0 = first day of the data) of
    each pair, the first day's ordinal and the number of days covered.
    """
    lo, n_days = int(days.min()), int(days.max()) - int(days.min()) + 1
    off = days - lo
    if n_cust * n_days <= 1 << 27:  # a bitmap: flatnonzero returns the keys sorted
        mark = np.zeros(n_cust * n_days, dtype=bool)
        mark[cust * n_days + off] = True
        keys = np.flatnonzero(mark)
    else:
        keys = distinct(cust * n_days + off)
    pair_cust, pair_day = np.divmod(keys, n_days)
    return pair_cust, pair_day, lo, n_days


def _trailing(pair_cust: np.ndarray, pair_day: np.ndarray, n_days: int,
              window: int) -> np.ndarray:
    """Distinct customers active in the ``window`` days ending each day.

    A customer active on day d is counted on days d .. d + window - 1. Each
    customer's intervals are made disjoint by cutting every one at the
    customer's next active day; the counts then come from one difference
    array: +1 where an interval starts, -1 where it ends, cumulative sum.
    O(n) on pairs sorted by customer and day.
    """
    end = pair_day + window
    same = pair_cust[1:] == pair_cust[:-1]
    end[:-1] = np.where(same, np.minimum(end[:-1], pair_day[1:]), end[:-1])
    end = np.minimum(end, n_days)
    delta = (np.bincount(pair_day, minlength=n_days + 1)
             - np.bincount(end, minlength=n_days + 1))
    return np.cumsum(delta)[:n_days]


class _Daily:
    """DAU and trailing-window MAU of every day from the first to the last day of activity."""

    def __init__(self, cust: np.ndarray, n_cust: int, days: np.ndarray,
                 window: int | None) -> None:
        pair_cust, pair_day, self.lo, self.n = _day_pairs(cust, n_cust, days)
        self.dau = np.bincount(pair_day, minlength=self.n)
        self.window_days = self.mau = None
        if window is not None:
            self.window_days = np.minimum(np.arange(1, self.n + 1), window)
            self.mau = _trailing(pair_cust, pair_day, self.n, window).astype(np.float64)
            self.mau[self.window_days < window] = np.nan  # window not fully observed

    @property
    def axis(self) -> _Axis:
        return _Axis("D", self.lo, self.lo + self.n - 1)

    def ordinals(self, freq: str) -> np.ndarray:
        """The period of every day."""
        return _ordinals(np.arange(self.lo, self.lo + self.n).astype("datetime64[D]"), freq)

    def sticky(self) -> np.ndarray:
        return _ratio(self.dau, self.mau)  # NaN: window not observed, or nobody in it

    def by_period(self, axis: _Axis, ords: np.ndarray) -> dict[str, np.ndarray]:
        """Mean DAU over the days; mean trailing MAU and stickiness over the days with both."""
        out = {"days": axis.count(ords), "user_days": axis.count(ords, self.dau)}
        out["dau"] = _ratio(out["user_days"], out["days"])
        if self.mau is not None:
            ratio = self.sticky()
            ok = np.isfinite(ratio)
            n_ok = axis.count(ords[ok])
            out["sticky_days"] = n_ok
            out["sticky_dau"] = _ratio(axis.count(ords[ok], self.dau[ok]), n_ok)
            out["sticky_mau"] = _ratio(axis.count(ords[ok], self.mau[ok]), n_ok)
            out["stickiness"] = _ratio(axis.count(ords[ok], ratio[ok]), n_ok)
        return out


def _first_orders(signup_day: np.ndarray, pos: np.ndarray, order_day: np.ndarray,
                  orders: pd.DataFrame, customer: str, at: str) -> tuple[np.ndarray, int]:
    """First order day of every user (``_NEVER``: no order), and the last day seen."""
    early = order_day < signup_day[pos]
    if early.any():
        raise DataError(
            f"{int(early.sum()):,} order(s) on a day before their user signed up: a first "
            "purchase cannot come before the sign-up",
            table="orders",
            column=at,
            rows=orders.loc[early, [customer, at]].head(5),
            fix="check the sign-up times and the order times (same user ids? same time zone?)",
        )
    first = np.full(len(signup_day), _NEVER, dtype=np.int64)
    np.minimum.at(first, pos, order_day)
    return first, max(int(order_day.max()), int(signup_day.max()))


def _conversion(signup_day: np.ndarray, first: np.ndarray, end: int, within: int | None,
                basis: str, freq: str | None,
                axis: _Axis | None) -> tuple[list[str], list[object], _Axis | None]:
    """Counts and rate of first-purchase conversion (see first_purchase_conversion)."""
    if basis == "period":
        bought = first != _NEVER
        if freq is None:
            n_new, n_first = len(signup_day), int(bought.sum())
            return (["new_users", "first_buyers", "conversion"],
                    [n_new, n_first, n_first / n_new], None)
        sign_o = _ordinals(signup_day.astype("datetime64[D]"), freq)
        first_o = _ordinals(first[bought].astype("datetime64[D]"), freq)
        axis = axis or _Axis.spanning(freq, sign_o, *([first_o] if len(first_o) else []))
        new, firsts = axis.count(sign_o), axis.count(first_o)
        return (["new_users", "first_buyers", "conversion"], [new, firsts, _ratio(firsts, new)],
                axis)
    if within is None:
        eligible = np.ones(len(signup_day), dtype=bool)
        converted = first != _NEVER
    else:
        eligible = signup_day + within <= end
        converted = eligible & (first - signup_day <= within)
    names = ["new_users", "eligible", "converted", "conversion"]
    if freq is None:
        n_el = int(eligible.sum())
        if n_el == 0:
            raise _nobody("users whose conversion window is observed", "users",
                          f"no user signed up {within} days or more before the end of the data: "
                          "use a shorter within=, or within=None")
        n_conv = int(converted.sum())
        return names, [len(signup_day), n_el, n_conv, n_conv / n_el], None
    sign_o = _ordinals(signup_day.astype("datetime64[D]"), freq)
    axis = axis or _Axis.spanning(freq, sign_o)
    n_el, n_conv = axis.count(sign_o[eligible]), axis.count(sign_o[converted])
    return names, [axis.count(sign_o), n_el, n_conv, _ratio(n_conv, n_el)], axis
