"""Checks the growth modules share: numbers given as arguments, the end of the data,
and users looked up by id."""

from __future__ import annotations

from numbers import Real

import numpy as np
import pandas as pd

from coursekit._arrays import positions
from coursekit.errors import ArgumentError
from coursekit.inputs import timestamp, whole_number

_DAY = np.timedelta64(1, "D")


def whole(value: object, name: str, *, low: int = 1, example: str = "") -> int:
    """A whole number >= ``low`` (not a bool), or ArgumentError."""
    return whole_number(value, name, low=low, fix=example or None)


def number(value: object, name: str, *, low: float = 0.0, high: float = np.inf,
           low_open: bool = True, high_open: bool = False, example: str = "") -> float:
    """A finite real number in the stated range (not a bool), or ArgumentError."""
    ok = isinstance(value, Real) and not isinstance(value, bool | np.bool_)
    if ok:
        x = float(value)  # type: ignore[arg-type]
        ok = bool(np.isfinite(x) or (high == np.inf and x == np.inf and not high_open))
        ok = ok and (x > low if low_open else x >= low) and (x < high if high_open else x <= high)
    if not ok:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        raise ArgumentError(f"{name} must be a number in {left}{low:g}, {high:g}{right}",
                            name=name, value=value, fix=example or None)
    return float(value)  # type: ignore[arg-type]


def end_of_data(asof: object, *times: pd.Series) -> pd.Timestamp:
    """``asof`` read as a date, or by default midnight after the last day of ``times``."""
    if asof is not None:
        return timestamp(asof, "asof")
    latest = max(t.max() for t in times if len(t))
    return pd.Timestamp(latest).normalize() + pd.Timedelta(days=1)


def days_between(later: np.ndarray, earlier: np.ndarray) -> np.ndarray:
    """``later - earlier`` in (fractional) days, from datetime64 arrays."""
    return (np.asarray(later, dtype="datetime64[ns]")
            - np.asarray(earlier, dtype="datetime64[ns]")) / _DAY


def lookup(universe: pd.Index, ids: object, *, table: str, other: str,
           customer: str) -> np.ndarray:
    """Positions of ``ids`` in ``universe`` (DataError naming the ids that are missing)."""
    return positions(universe, pd.Index(np.asarray(ids)), table=table, other=other,
                     customer=customer)
