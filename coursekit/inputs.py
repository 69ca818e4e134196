"""Validation at the door of every analytics function, and the rules of a valid value.

The analytics functions take plain DataFrames whose column names the caller
may override (``customer="customer_id"`` for CDNOW), so they cannot check a fixed table
contract (that is :func:`coursekit.schema.validate`). :func:`columns` checks
the columns a function is about to use by their *role*, and returns them
typed and ready:

- ``ids``: keys such as a customer id; no missing values, and not a mix of
  numbers and text (``1`` and ``"1"`` would be two customers);
- ``times``: datetimes, returned as ``datetime64[ns]``; no missing values, no
  time zones (the course uses naive China time). Text is read only when it
  cannot be misread: year-first dates such as ``2025-03-02`` or
  ``2025-03-02 10:00:00`` (also ``2025/03/02``), written one way in the whole
  column. Day/month-first dates (``03/02/2025``: 3 February or 2 March?) and
  columns mixing formats are refused: parse them with
  ``pd.to_datetime(col, format=...)``;
- ``amounts``: money, returned as ``float64``; numbers (not booleans),
  finite, no missing values, not negative (a refund must be netted against
  its order first);
- ``numbers``: other numeric columns, returned as ``float64``; finite, no
  missing values, may be negative.

Every dtype pandas produces for valid data is accepted: numpy and nullable
(``Int64``, ``Float64``) numbers, pyarrow numbers and timestamps,
``datetime64`` of any unit, text as ``object``, ``str`` or ``string``, and
categoricals of ids or of dates. :func:`unique_key` checks that a key
identifies rows, :func:`on_scale` that ratings lie on their scale,
:func:`timestamp` reads a date argument, :func:`whole_number` a count argument,
:func:`frame` checks that a table is a DataFrame with rows.

The per-value rules live here once; :func:`coursekit.schema.validate` applies
the same rules to each column of a table contract.

Every problem raises :class:`~coursekit.errors.DataError` naming the table,
the column and a few offending rows, with what to do about it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from coursekit._values import context as _context
from coursekit._values import ids as _ids
from coursekit._values import numbers as _numbers
from coursekit._values import read_date as _read_date
from coursekit._values import rows as _rows
from coursekit._values import times as _times
from coursekit.errors import ArgumentError, DataError

__all__ = ["choice", "columns", "flag", "frame", "on_scale", "timestamp", "unique_key",
           "whole_number"]


def on_scale(df: pd.DataFrame, table: str, name: object, values: np.ndarray, *,
             low: float = 1, high: float = 5) -> None:
    """Check that ratings (NaN: not rated) lie on their scale, ``low`` to ``high``.

    A 9 on a 1-5 scale would otherwise be averaged with the other ratings
    without a word.

    Raises
    ------
    DataError
        Ratings below ``low`` or above ``high``, with the rows.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> t = pd.DataFrame({"satisfaction": [5, 9]})
    >>> try:
    ...     on_scale(t, "tickets", "satisfaction", t["satisfaction"].to_numpy(float))
    ... except DataError as err:
    ...     print(err.reason)
    ratings outside the 1-5 scale
    """
    off = ~np.isnan(values) & ((values < low) | (values > high))
    if off.any():
        raise DataError(
            f"ratings outside the {low:g}-{high:g} scale",
            table=table,
            column=name,
            rows=_rows(df, off, _context(df, name)),
            fix=f"fix the rows shown, or leave them empty (not rated); a rating on another "
            f"scale must be converted to {low:g}-{high:g} first",
        )


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
        times as ``datetime64[ns]``, amounts and numbers as ``float64``, ids
        as they were. The index is kept.

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
    >>> try:
    ...     columns(orders.assign(order_time=["03/02/2025", "04/02/2025"]), "orders",
    ...             times=["order_time"])
    ... except DataError as err:
    ...     print(err.fix)
    say which it is: pd.to_datetime(df['order_time'], format="%d/%m/%Y" (day first) or \
format="%m/%d/%Y" (month first))
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
            fix="pass the names of your columns as keywords, e.g. customer='customer_id'",
        )
    if len(df) == 0 and not allow_empty:
        raise DataError("the table is empty", table=table, fix="check the filter that made it")
    out: dict[str, pd.Series] = {}
    for name in ids:
        out[name] = _ids(df, name, table)
    for name in times:
        out[name] = _times(df, name, table)
    for name in amounts:
        out[name] = _numbers(df, name, table, money=True)
    for name in numbers:
        out[name] = _numbers(df, name, table)
    return pd.DataFrame(out, index=df.index)


def unique_key(df: pd.DataFrame, table: str, key: str | Sequence[str]) -> None:
    """Check that ``key`` identifies the rows of ``df``: no missing and no repeated values.

    The one place for the duplicate-key check (a user listed twice would be
    counted twice).

    Parameters
    ----------
    df
        The table.
    table
        Its name in messages (``"users"``).
    key
        The key column, or several columns that together identify a row
        (``["order_id", "product_id"]``).

    Raises
    ------
    DataError
        A key column is missing or has missing values, or key values repeat;
        the message names the key, counts the repeats and shows the repeated
        rows side by side.

    Examples
    --------
    >>> import pandas as pd
    >>> users = pd.DataFrame({"user_id": [1, 2, 2], "channel": ["ads", "organic", "ads"]})
    >>> unique_key(users.iloc[:2], "users", "user_id")
    >>> try:
    ...     unique_key(users, "users", "user_id")
    ... except DataError as err:
    ...     print(err.column, "|", err.reason)
    user_id | duplicate keys: 1 user_id value appears on more than one row (2 rows); each must \
appear once, or its rows are counted twice
    """
    if not isinstance(df, pd.DataFrame):
        raise DataError(f"expected a pandas DataFrame, got {type(df).__name__}", table=table,
                        fix="pass a table, e.g. coursekit.load('users')")
    cols = [key] if isinstance(key, str) else list(key)
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise DataError(
            f"missing key column(s) {missing}; the table has {list(df.columns)}",
            table=table,
            column=missing,
            fix="pass the names of your columns as keywords, e.g. customer='customer_id'",
        )
    label = cols[0] if len(cols) == 1 else "(" + ", ".join(map(str, cols)) + ")"
    column: object = cols[0] if len(cols) == 1 else cols
    absent = df[cols].isna().any(axis=1)
    if absent.any():
        raise DataError(
            "missing key values: a row without its key cannot be told apart",
            table=table,
            column=column,
            rows=_rows(df, absent, [*cols, *df.columns[:4]]),
            fix="drop the rows without a key, or fill it from the source",
        )
    if len(cols) == 1:
        s = df[cols[0]]
        values = s.to_numpy()
        if values.dtype.kind in "iuf" and len(values) > 1 and (values[1:] > values[:-1]).all():
            return  # strictly increasing: unique, without hashing
        if s.is_unique:
            return
        dup = s.duplicated(keep=False).to_numpy()
    else:
        dup = df.duplicated(cols, keep=False).to_numpy()
        if not dup.any():
            return
    repeated = df.loc[dup]
    keys = len(repeated.drop_duplicates(cols))
    try:
        shown = repeated.sort_values(cols, kind="stable")
    except TypeError:  # keys of mixed types do not sort
        shown = repeated
    others = [c for c in df.columns if c not in cols][:4]
    copies = bool(repeated.duplicated(keep=False).all())
    raise DataError(
        f"duplicate keys: {keys:,} {label} value{'s' if keys > 1 else ''} "
        f"appear{'' if keys > 1 else 's'} on more than one row ({int(dup.sum()):,} rows); "
        "each must appear once, or its rows are counted twice",
        table=table,
        column=column,
        rows=shown[[*cols, *others]].head(6),
        fix="the repeated rows are exact copies: drop them with df.drop_duplicates()"
        if copies
        else "keep one row per key: find why they repeat (a join that multiplied rows?), then "
        f"e.g. df.drop_duplicates(subset={cols!r}) or df.groupby({cols!r}).agg(...)",
    )


def timestamp(value: object, name: str, *, table: str | None = None) -> pd.Timestamp:
    """Parse a date argument (``asof``, ``holdout_end`` ...) into a naive Timestamp.

    Text is read as in :func:`columns`: written year first (``"2025-06-30"``,
    ``"2025-06-30 12:00"``, ``"2025/06/30"``); day/month-first dates such as
    ``"03/02/2025"`` are refused, since they could mean either day.

    Parameters
    ----------
    value
        A date: text, a ``datetime``, a pandas ``Timestamp`` or ``numpy.datetime64``.
    name
        The argument's name, for the message.
    table
        The table it applies to (unused in messages; kept for callers).

    Returns
    -------
    pandas.Timestamp
        Without a time zone.

    Raises
    ------
    ArgumentError
        The value is not a date, is ambiguous, or has a time zone.

    Examples
    --------
    >>> timestamp("2025-06-30", "asof")
    Timestamp('2025-06-30 00:00:00')
    >>> try:
    ...     timestamp("end of June", "asof")
    ... except ArgumentError as err:
    ...     print(err.name)
    asof
    >>> try:
    ...     timestamp("03/02/2025", "asof")
    ... except ArgumentError as err:
    ...     print(err.fix)
    write it year first: '2025-02-03' (3 February) or '2025-03-02' (2 March)
    """
    ts = None
    if isinstance(value, str):
        kind, parts = _read_date(value)
        if kind == "ambiguous":
            raise ArgumentError(
                "a date written day/month first is read as different days in different "
                "countries",
                name=name,
                value=value,
                fix=_readings(value),
            )
        if parts is not None:
            try:
                ts = pd.Timestamp(*parts[:6]) + pd.Timedelta(parts[6], unit="ns")
            except (OverflowError, ValueError):
                ts = pd.NaT
    if ts is None and not isinstance(value, int | float | np.number):  # 20250630 is no date
        try:
            ts = pd.Timestamp(value)
        except (TypeError, ValueError, OverflowError):
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


def _readings(text: str) -> str:
    """The two dates a day/month-first text could be, written year first."""
    m = re.match(r"\s*(\d{1,2})\D(\d{1,2})\D(\d{2,4})", text)
    options = []
    if m:
        a, b, y = int(m[1]), int(m[2]), int(m[3])
        y += 2000 if y < 100 else 0
        for day, month in ((a, b), (b, a)):
            try:
                d = dt.date(y, month, day)
            except ValueError:
                continue
            options.append(f"'{d:%Y-%m-%d}' ({d.day} {d:%B})")
    if not options:
        return "write it year first, e.g. '2025-06-30'"
    return "write it year first: " + " or ".join(dict.fromkeys(options))


def choice(name: str, value: object, allowed: Iterable[object]) -> None:
    """Check that the argument ``name`` is one of ``allowed``; ArgumentError if not.

    Examples
    --------
    >>> choice("per", "M", ["D", "W", "M"])
    >>> try:
    ...     choice("how", "median", ["sum", "mean"])
    ... except ArgumentError as err:
    ...     print(err)
    argument how: unknown how 'median'
    How to fix: use one of ['sum', 'mean']
    """
    allowed = tuple(allowed)
    if value not in allowed:
        raise ArgumentError(
            f"unknown {name} {value!r}",
            name=name,
            fix=f"use one of {list(allowed)}",
        )


def flag(name: str, value: object) -> bool:
    """Check that the argument ``name`` is ``True`` or ``False``; ArgumentError if not.

    A truthy text such as ``"no"`` would otherwise switch the option on.

    Examples
    --------
    >>> flag("pooled", True)
    True
    >>> try:
    ...     flag("pooled", "no")
    ... except ArgumentError as err:
    ...     print(err.name)
    pooled
    """
    if not isinstance(value, bool | np.bool_):
        raise ArgumentError("must be True or False", name=name, value=value,
                            allowed="True or False")
    return bool(value)


def whole_number(value: object, name: str, *, low: int = 0, fix: str | None = None) -> int:
    """A whole-number argument of at least ``low`` (not a bool), as ``int``, or ArgumentError.

    Examples
    --------
    >>> whole_number(3, "k", low=2)
    3
    >>> try:
    ...     whole_number(True, "k", low=2)
    ... except ArgumentError as err:
    ...     print(err.reason)
    must be a whole number of at least 2
    """
    import numbers

    if not isinstance(value, numbers.Integral) or isinstance(value, bool | np.bool_) \
            or int(value) < low:
        raise ArgumentError(f"must be a whole number of at least {low}", name=name, value=value,
                            allowed=f"an int >= {low}", fix=fix)
    return int(value)


def frame(df: object, table: str, *, allow_empty: bool = False,
          fix: str = "pass a table, e.g. coursekit.load('orders')") -> pd.DataFrame:
    """Check that ``df`` is a DataFrame (with rows, unless ``allow_empty``); return it.

    Examples
    --------
    >>> try:
    ...     frame([1, 2], "orders")
    ... except DataError as err:
    ...     print(err.reason)
    expected a pandas DataFrame, got list
    """
    if not isinstance(df, pd.DataFrame):
        raise DataError(f"expected a pandas DataFrame, got {type(df).__name__}", table=table,
                        fix=fix)
    if len(df) == 0 and not allow_empty:
        raise DataError("the table is empty", table=table, fix="check the filter that made it")
    return df
