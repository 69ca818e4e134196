"""Helpers the diagnosis tools share: reading periods and dates, preparing tables."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from coursekit.errors import ArgumentError, DataError
from coursekit.inputs import columns, timestamp


def _logmean(a: np.ndarray | float, b: np.ndarray | float) -> np.ndarray:
    """Logarithmic mean L(a, b) = (a - b) / (ln a - ln b), L(a, a) = a; a, b > 0."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        # log1p keeps the digits when a and b are close
        out = (a - b) / np.log1p((a - b) / b)
    return np.where(a == b, a, out)


def _as_series(obj: object, name: str) -> pd.Series:
    """A Mapping or Series of numbers, checked: finite, no missing values."""
    if isinstance(obj, pd.Series):
        s = obj
    elif isinstance(obj, Mapping):
        s = pd.Series(dict(obj), dtype=object)
    else:
        raise DataError(
            f"expected a Series or a dict of numbers, got {type(obj).__name__}",
            table=name,
            fix="pass e.g. {'visitors': 1200, 'conversion': 0.05} or a row of a table "
            "(table.loc['2025-03'])",
        )
    if len(s) == 0:
        raise DataError("no values", table=name, fix="pass at least one factor")
    if not s.index.is_unique:
        raise DataError("the same name appears twice", table=name,
                        rows=s[s.index.duplicated(keep=False)].to_frame("value"),
                        fix="give each factor once")
    frame = pd.DataFrame({"value": s.to_numpy()}, index=s.index)
    if frame["value"].dtype == object:
        converted = pd.to_numeric(frame["value"], errors="coerce")
        bad = (converted.isna() & frame["value"].notna()) | frame["value"].map(
            lambda v: isinstance(v, bool | np.bool_))  # True is no number of visitors
        if bad.any():
            raise DataError("values that are not numbers", table=name,
                            rows=frame[bad.to_numpy()], fix="pass numbers")
        frame["value"] = converted
    checked = columns(frame, name, numbers=["value"])
    return pd.Series(checked["value"].to_numpy(), index=s.index, dtype=np.float64)


def _dims(by: str | Sequence[str] | None, *, required: bool) -> list[str]:
    if by is None:
        if required:
            raise ArgumentError("no dimension given", name="by",
                                fix="pass by='channel' or by=['channel', 'device']")
        return []
    dims = [by] if isinstance(by, str) else list(by)
    if not dims or not all(isinstance(d, str) for d in dims):
        raise ArgumentError(f"by must be a column name or a list of them, got {by!r}",
                            name="by", fix="e.g. by=['channel', 'device']")
    if len(set(dims)) < len(dims):
        raise ArgumentError(f"a dimension appears twice in {dims}",
                            name="by", fix="name each dimension once")
    return dims


def _codes(df: pd.DataFrame, col: str, table: str) -> tuple[np.ndarray, pd.Index]:
    """Codes 0..k-1 for the values of a dimension column (observed values only)."""
    s = df[col]
    if s.isna().any():
        raise DataError(
            "missing values in a dimension",
            table=table,
            column=col,
            rows=df.loc[s.isna().to_numpy(), [col]].head(5),
            fix=f"fill them with a label first, e.g. table[{col!r}].fillna('unknown') "
            "(for a categorical column add the category first)",
        )
    try:
        codes, uniques = pd.factorize(s, sort=True)
    except TypeError:  # values of mixed types cannot be sorted
        codes, uniques = pd.factorize(s)
    return codes.astype(np.int64), pd.Index(np.asarray(uniques, dtype=object))


def _prepare(table: object, name: str, *, at: str, values: Sequence[str],
             dims: Sequence[str], money: bool = False) -> pd.DataFrame:
    """Validate the time column, the value columns (bools become 0/1) and the dimensions."""
    if isinstance(table, pd.DataFrame):
        boolean = [v for v in values if v in table.columns
                   and pd.api.types.is_bool_dtype(table[v].dtype)]
        if boolean:
            table = table.assign(**{v: table[v].astype(np.float64) for v in boolean})
    checked = columns(table, name, ids=[], times=[at],
                      amounts=list(values) if money else [],
                      numbers=[] if money else list(values))
    missing = [d for d in dims if d not in table.columns]  # type: ignore[union-attr]
    if missing:
        raise DataError(
            f"missing column(s) {missing}; the table has {list(table.columns)}",  # type: ignore
            table=name,
            column=missing,
            fix="pass the names of your dimension columns in by=",
        )
    for d in dims:
        if d in checked.columns:
            raise ArgumentError(f"{d!r} is both a dimension and the time or value column",
                                name=d, fix="use another column in by=")
        checked[d] = table[d]  # type: ignore[index]
    return checked


_DAY_FIRST = re.compile(r"\s*\d{1,2}([-/. ])\d{1,2}\1\d{2,4}\b.*")  # 03/02/2025


def _window(spec: object, name: str) -> tuple[pd.Timestamp, pd.Timestamp, str]:
    """A period argument as (start, end exclusive, label).

    ``pd.Period`` or a string read as one (``"2025-03"``, ``"2025Q1"``), or a
    pair ``(start, end)`` of dates, both days included.
    """
    if isinstance(spec, str):
        if _DAY_FIRST.fullmatch(spec):  # pd.Period would read 03/02/2025 as 2 March
            timestamp(spec, name)  # raises: is it day first or month first?
        try:
            if not re.search(r"\d{4}", spec):  # pd.Period reads "September" as the year 1
                raise ValueError(spec)
            spec = pd.Period(spec)
        except (TypeError, ValueError):
            raise ArgumentError(
                f"cannot read {spec!r} as a period",
                name=name,
                fix="give a pandas Period ('2025-03'), or a pair of dates "
                "('2025-03-10', '2025-03-16'), both days included",
            ) from None
    if isinstance(spec, pd.Period):
        return spec.start_time, (spec + 1).start_time, str(spec)
    if isinstance(spec, tuple | list) and len(spec) == 2:
        start = timestamp(spec[0], name)
        end = timestamp(spec[1], name)
        if end < start:
            raise ArgumentError(f"the period ends ({end}) before it starts ({start})", name=name,
                                fix="give (start, end) with start <= end")
        stop = end + pd.Timedelta(days=1) if end == end.normalize() else end + pd.Timedelta(1)
        label = f"{start.date()}..{end.date()}" if end == end.normalize() else f"{start}..{end}"
        return start, stop, label
    raise ArgumentError(
        f"cannot read {spec!r} as a period",
        name=name,
        fix="give a pandas Period ('2025-03'), or a pair of dates ('2025-03-10', "
        "'2025-03-16'), both days included",
    )


def _mix_rate(num0: np.ndarray, den0: np.ndarray, num1: np.ndarray,
              den1: np.ndarray) -> dict[str, np.ndarray]:
    """Kitagawa's symmetric split of R = sum_s w_s r_s (w = den share, r = num / den)."""
    w0, w1 = den0 / den0.sum(), den1 / den1.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        r0, r1 = num0 / den0, num1 / den1
    # a segment absent in one period keeps its rate: all of its change is mix
    r0_used = np.where(den0 > 0, r0, np.where(den1 > 0, r1, 0.0))
    r1_used = np.where(den1 > 0, r1, r0_used)
    big0, big1 = num0.sum() / den0.sum(), num1.sum() / den1.sum()
    mix = (w1 - w0) * ((r0_used + r1_used) / 2 - (big0 + big1) / 2)
    rate = (w0 + w1) / 2 * (r1_used - r0_used)
    return {"w0": w0, "w1": w1, "r0": np.where(den0 > 0, r0, np.nan),
            "r1": np.where(den1 > 0, r1, np.nan), "mix": mix, "rate": rate,
            "total0": np.float64(big0), "total1": np.float64(big1)}


def _share(contribution: np.ndarray, total: float) -> np.ndarray:
    if total == 0:
        return np.full(len(contribution), np.nan)
    return contribution / total
