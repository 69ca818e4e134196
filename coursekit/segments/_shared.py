"""Helpers the segment families share: id codes, day numbers, the as-of moment."""

from __future__ import annotations

import numpy as np
import pandas as pd

from coursekit._arrays import codes
from coursekit.errors import ArgumentError, DataError
from coursekit.inputs import timestamp

_MIN_I8 = np.iinfo(np.int64).min


_MAX_I8 = np.iinfo(np.int64).max


def _codes(values: np.ndarray) -> tuple[np.ndarray, pd.Index]:
    """Integer codes 0..n-1 of ``values`` and the id of each code, ids sorted."""
    return codes(values, sort=True)


def _day_numbers(times: np.ndarray) -> np.ndarray:
    """Calendar day of datetime64 values, as days since 1970-01-01."""
    return np.asarray(times).astype("datetime64[D]").astype(np.int64)


def _day_number(ts: pd.Timestamp) -> int:
    return int(np.datetime64(ts.normalize().date(), "D").astype(np.int64))


def _ns(times: pd.Series) -> np.ndarray:
    """Datetimes as int64 nanoseconds since 1970."""
    return times.to_numpy().astype("datetime64[ns]").view(np.int64)


def _ts_ns(ts: pd.Timestamp) -> int:
    return int(ts.to_datetime64().astype("datetime64[ns]").view(np.int64))


def _asof(asof: object, latest: pd.Timestamp, earliest: pd.Timestamp, table: str) -> pd.Timestamp:
    """The ``asof`` moment: given, or midnight after the latest day; never before the data."""
    if asof is None:
        return latest.normalize() + pd.Timedelta(days=1)
    when = timestamp(asof, "asof", table=table)
    if when <= earliest:
        raise ArgumentError(
            f"asof {when} is not after the first row of the data ({earliest}); nothing "
            "happened before it",
            name="asof",
            fix="choose a moment inside the data, or leave asof out to use all of it",
        )
    return when


def _labels_column(df: pd.DataFrame, table: str, name: str) -> pd.Series:
    """A column of labels (event types, categories): present, no missing values."""
    if name not in df.columns:
        raise DataError(
            f"missing column {name!r}; the table has {list(df.columns)}",
            table=table,
            column=name,
            fix="pass the name of your column as a keyword",
        )
    s = df[name]
    if s.isna().any():
        raise DataError(
            "missing labels",
            table=table,
            column=name,
            rows=df.loc[s.isna().to_numpy(), [name]].head(5),
            fix="drop or fill the rows without a label",
        )
    return s
