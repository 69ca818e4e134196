"""Validation at the door of every analytics function.

The analytics functions take plain DataFrames whose column names the caller
may override (``customer="user_id"``), so they cannot check a fixed table
contract (that is :func:`coursekit.schema.validate`). :func:`columns` checks
the columns a function is about to use by their *role*, and returns them
typed and ready:

- ``ids``: keys such as a customer id; no missing values;
- ``times``: datetimes; strings are parsed (all of them must parse), no
  missing values, no time zones (the course uses naive China time; a column
  mixing time zones is refused);
- ``amounts``: money; numbers, finite, no missing values, not negative (a
  refund must be netted against its order first);
- ``numbers``: other numeric columns; finite, no missing values, may be
  negative.

Every problem raises :class:`~coursekit.errors.DataError` naming the table,
the column and a few offending rows, with what to do about it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from coursekit.errors import ArgumentError, DataError

__all__ = ["columns", "timestamp"]


def _rows(df: pd.DataFrame, mask: np.ndarray | pd.Series, cols: Sequence[str]) -> pd.DataFrame:
    return df.loc[np.asarray(mask, dtype=bool), list(dict.fromkeys(cols))].head(5)


def _times(df: pd.DataFrame, name: str, table: str) -> pd.Series:
    s = df[name]
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        raise DataError(
            f"time-zone-aware times ({s.dtype.tz}); the course uses naive China time",
            table=table,
            column=name,
            rows=df[[name]].head(3),
            fix="convert with .dt.tz_convert('Asia/Shanghai').dt.tz_localize(None)",
        )
    if s.isna().any():
        raise DataError(
            "missing dates",
            table=table,
            column=name,
            rows=_rows(df, s.isna(), [name, *df.columns[:4]]),
            fix="drop the rows without a date, or fill them from the source",
        )
    if pd.api.types.is_datetime64_dtype(s.dtype):
        return s
    if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
        values = s.dropna()
        zones = {
            str(v.tzinfo)
            for v in values.head(100_000)
            if isinstance(v, dt.datetime) and v.tzinfo is not None
        }
        if zones:
            aware = np.array([isinstance(v, dt.datetime) and v.tzinfo is not None for v in s])
            raise DataError(
                "times with time zones"
                + (f" (mixed: {', '.join(sorted(zones))})" if len(zones) > 1 else ""),
                table=table,
                column=name,
                rows=_rows(df, aware, [name]),
                fix="convert every time to China time without a zone: "
                "pd.to_datetime(col, utc=True).dt.tz_convert('Asia/Shanghai').dt.tz_localize(None)",
            )
        try:
            parsed = pd.to_datetime(s, errors="coerce", format="mixed")
        except (TypeError, ValueError):
            parsed = pd.Series(pd.NaT, index=s.index)
        if isinstance(parsed.dtype, pd.DatetimeTZDtype):
            raise DataError(
                "times with time-zone offsets; the course uses naive China time",
                table=table,
                column=name,
                rows=df[[name]].head(3),
                fix="convert with pd.to_datetime(col, utc=True).dt.tz_convert('Asia/Shanghai')"
                ".dt.tz_localize(None)",
            )
        bad = parsed.isna()
        if bad.any():
            raise DataError(
                "dates that cannot be parsed",
                table=table,
                column=name,
                rows=_rows(df, bad, [name]),
                fix="parse with pd.to_datetime(col, format=...) after fixing the values shown",
            )
        return parsed.astype("datetime64[ns]")
    raise DataError(
        f"expected dates, found {s.dtype} values",
        table=table,
        column=name,
        rows=df[[name]].head(3),
        fix="parse with pd.to_datetime(col, format=...)",
    )


def _numbers(df: pd.DataFrame, name: str, table: str, *, money: bool) -> pd.Series:
    s = df[name]
    if pd.api.types.is_bool_dtype(s.dtype) or not pd.api.types.is_numeric_dtype(s.dtype):
        converted = pd.to_numeric(s, errors="coerce")
        bad = converted.isna() & s.notna()
        raise DataError(
            f"expected numbers, found {s.dtype} values",
            table=table,
            column=name,
            rows=_rows(df, bad if bad.any() else s.notna(), [name]),
            fix="convert with pd.to_numeric(col) after cleaning the text (currency signs, "
            "thousands separators)",
        )
    values = s.to_numpy(dtype="float64", na_value=np.nan)
    if np.isnan(values).any():
        raise DataError(
            "missing values",
            table=table,
            column=name,
            rows=_rows(df, np.isnan(values), [name, *df.columns[:4]]),
            fix="drop or fill the rows, or fix the source",
        )
    if np.isinf(values).any():
        raise DataError(
            "infinite values",
            table=table,
            column=name,
            rows=_rows(df, np.isinf(values), [name]),
            fix="replace or drop them (often a division by zero upstream)",
        )
    if money and (values < 0).any():
        raise DataError(
            "negative amounts",
            table=table,
            column=name,
            rows=_rows(df, values < 0, [name, *df.columns[:4]]),
            fix="net refunds against their orders first (one row per order, amount after "
            "refunds) and drop orders refunded in full",
        )
    return pd.Series(values, index=s.index, name=name)


def columns(
    df: object,
    table: str,
    *,
    ids: Sequence[str] = (),
    times: Sequence[str] = (),
    amounts: Sequence[str] = (),
    numbers: Sequence[str] = (),
    allow_empty: bool = False,
) -> pd.DataFrame:
    """Check the columns a function uses and return them typed.

    Parameters
    ----------
    df
        The caller's table.
    table
        Its name in messages (``"orders"``, ``"summary"``).
    ids, times, amounts, numbers
        Column names by role (see the module docstring).
    allow_empty
        Accept a table without rows.

    Returns
    -------
    pandas.DataFrame
        Only the named columns, in the order ids, times, amounts, numbers:
        times as ``datetime64``, amounts and numbers as ``float64``, ids as
        they were. The index is kept.

    Raises
    ------
    DataError
        Not a DataFrame, a missing column, no rows, or a column that breaks
        its role's rules.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"user_id": [1, 2], "order_time": ["2025-01-03", "2025-02-01"],
    ...                        "amount": [30, 12.5]})
    >>> out = columns(orders, "orders", ids=["user_id"], times=["order_time"],
    ...               amounts=["amount"])
    >>> out.dtypes.astype(str).tolist()
    ['int64', 'datetime64[ns]', 'float64']
    >>> try:
    ...     columns(orders.assign(amount=[30, -5]), "orders", amounts=["amount"])
    ... except DataError as err:
    ...     print(err.column, "|", err.reason)
    amount | negative amounts
    """
    if not isinstance(df, pd.DataFrame):
        raise DataError(
            f"expected a pandas DataFrame, got {type(df).__name__}",
            table=table,
            fix="pass a table, e.g. coursekit.load('orders')",
        )
    wanted = [*ids, *times, *amounts, *numbers]
    missing = [c for c in wanted if c not in df.columns]
    if missing:
        raise DataError(
            f"missing column(s) {missing}; the table has {list(df.columns)}",
            table=table,
            column=missing,
            fix="pass the names of your columns as keywords, e.g. customer='user_id'",
        )
    if len(df) == 0 and not allow_empty:
        raise DataError("the table is empty", table=table, fix="check the filter that made it")
    out: dict[str, pd.Series] = {}
    for name in ids:
        s = df[name]
        if s.isna().any():
            raise DataError(
                "missing ids",
                table=table,
                column=name,
                rows=_rows(df, s.isna(), [name, *df.columns[:4]]),
                fix="drop the rows without an id (guest orders), or fill them from the source",
            )
        out[name] = s
    for name in times:
        out[name] = _times(df, name, table)
    for name in amounts:
        out[name] = _numbers(df, name, table, money=True)
    for name in numbers:
        out[name] = _numbers(df, name, table, money=False)
    return pd.DataFrame(out, index=df.index)


def timestamp(value: object, name: str, *, table: str | None = None) -> pd.Timestamp:
    """Parse a date argument (``asof``, ``calibration_end`` ...) into a naive Timestamp.

    Examples
    --------
    >>> timestamp("2025-06-30", "asof")
    Timestamp('2025-06-30 00:00:00')
    >>> try:
    ...     timestamp("end of June", "asof")
    ... except ArgumentError as err:
    ...     print(err.name)
    asof
    """
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        ts = None
    if ts is None or ts is pd.NaT:
        raise ArgumentError(
            f"cannot read {value!r} as a date",
            name=name,
            fix="give a date such as '2025-06-30' or a pandas Timestamp",
        )
    if ts.tzinfo is not None:
        raise ArgumentError(
            f"{value!r} has a time zone; the course uses naive China time",
            name=name,
            fix="drop the zone: pd.Timestamp(value).tz_convert('Asia/Shanghai').tz_localize(None)",
        )
    return ts
