"""Checks and small readers shared by :mod:`coursekit.governance` (private to it)."""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from coursekit.errors import ArgumentError, DataError
from coursekit.inputs import frame as _frame
from coursekit.inputs import whole_number

#: Columns of the report every normaliser returns beside its values.
REPORT_COLUMNS = ["outcome", "count", "share", "examples"]


def series(values: object, name: str = "values") -> pd.Series:
    """A column given as a Series, an Index, a 1-D array or a list, as a Series.

    A Series keeps its index and name; anything else gets a RangeIndex.
    """
    if isinstance(values, pd.DataFrame):
        raise ArgumentError("expected one column, got a DataFrame", name=name,
                            fix="pass a single column, e.g. df['phone']")
    if isinstance(values, pd.Series):
        return values
    if isinstance(values, pd.Index):
        return pd.Series(values, name=values.name)
    if isinstance(values, np.ndarray):
        if values.ndim != 1:
            raise ArgumentError(f"expected a 1-D array, got {values.ndim} dimensions",
                                name=name, fix="pass a single column")
        return pd.Series(values)
    if isinstance(values, list | tuple):
        return pd.Series(list(values), dtype=object if len(values) else "string")
    raise ArgumentError(f"expected a column of values, got {type(values).__name__}", name=name,
                        fix="pass a Series, a list or a 1-D array")


def label(s: pd.Series, default: str = "values") -> str:
    """The name to show for a column in messages."""
    return str(s.name) if s.name is not None else default


def _cell_text(value: object) -> object:
    """One cell as text: text stays, whole numbers lose their ``.0``; ``None`` where
    missing; a marker object for anything else."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool | np.bool_):
        return _REFUSED
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        v = float(value)
        if math.isnan(v):
            return None
        return str(int(v)) if math.isfinite(v) and v == round(v) else repr(v)
    return _REFUSED


_REFUSED = object()


def as_text(s: pd.Series, what: str) -> pd.Series:
    """A column of text (whole numbers allowed: a phone read as a number) as the
    ``string`` dtype, missing values as ``<NA>``.

    Raises
    ------
    DataError
        Cells that are neither text nor numbers (booleans, dates, lists), with rows.
    """
    dtype = s.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        s = s.astype(object)
        dtype = s.dtype
    if pd.api.types.is_bool_dtype(dtype):
        raise DataError(f"expected {what}, found True/False values", column=label(s),
                        rows=s.head(5).to_frame(),
                        fix="pass the column of text, not a flag")
    if pd.api.types.is_string_dtype(dtype) and not pd.api.types.is_object_dtype(dtype):
        return s.astype("string")
    if pd.api.types.is_integer_dtype(dtype):
        return s.astype("Int64").astype("string")
    if pd.api.types.is_float_dtype(dtype):
        s, dtype = s.astype(object), np.dtype(object)
    if pd.api.types.is_object_dtype(dtype):
        if pd.api.types.infer_dtype(s, skipna=True) in ("string", "empty"):
            return s.astype("string")
        codes, uniq = pd.factorize(s.to_numpy(dtype=object), use_na_sentinel=True)
        text = np.array([_cell_text(v) for v in uniq], dtype=object)
        refused = np.array([t is _REFUSED for t in text], dtype=bool)
        if refused.any():
            bad = (codes >= 0) & refused[np.maximum(codes, 0)]
            kinds = sorted({type(v).__name__ for v in uniq[refused]})
            raise DataError(f"expected {what}, found {', '.join(kinds)} values",
                            column=label(s), rows=s[bad].head(5).to_frame(),
                            fix="convert the column to text first, or drop the rows shown")
        out = np.where(codes >= 0, text[np.maximum(codes, 0)], None) if len(uniq) else \
            np.full(len(s), None, dtype=object)
        return pd.Series(out, index=s.index, name=s.name, dtype="string")
    raise DataError(f"expected {what}, found {dtype} values", column=label(s),
                    rows=s.head(5).to_frame(), fix="pass a column of text")


def mask(values: pd.Series | np.ndarray) -> np.ndarray:
    """A boolean Series or array (``<NA>`` counted as False) as a numpy bool array."""
    if isinstance(values, pd.Series):
        return values.to_numpy(dtype=bool, na_value=False)
    return np.asarray(values, dtype=bool)


def examples(values: pd.Series, where: np.ndarray, *, most: int = 3,
             frequent: bool = False) -> list:
    """Up to ``most`` distinct offending values, in order of first appearance (or of
    frequency, most frequent first)."""
    picked = values[where]
    if frequent:
        return picked.value_counts(dropna=False).index[:most].tolist()
    return picked.drop_duplicates().head(most).tolist()


def outcome_report(outcomes: Mapping[str, np.ndarray], values: pd.Series, *,
                   frequent: Iterable[str] = ()) -> pd.DataFrame:
    """The report of a normaliser: one row per outcome, with count, share and examples
    of the input values (every outcome listed, even when it did not occur)."""
    n = len(values)
    frequent = set(frequent)
    rows = []
    for name, hit in outcomes.items():
        count = int(hit.sum())
        rows.append((name, count, count / n if n else math.nan,
                     examples(values, hit, frequent=name in frequent) if count else []))
    return pd.DataFrame(rows, columns=REPORT_COLUMNS)


def frame(df: object, table: str, *, allow_empty: bool = False) -> pd.DataFrame:
    """Check that ``df`` is a DataFrame (with rows, unless ``allow_empty``)."""
    return _frame(df, table, allow_empty=allow_empty,
                  fix="pass a table, e.g. pd.read_parquet('raw_orders.parquet')")


def column_names(value: object, name: str, *, allow_empty: bool = False) -> list[str]:
    """A column name or a list of them, checked as an argument."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, Sequence | pd.Index) and not isinstance(value, bytes):
        names = list(value)
        if all(isinstance(v, str) for v in names) and len(set(names)) == len(names) and (
                names or allow_empty):
            return names
    raise ArgumentError("must be a column name or a list of distinct column names",
                        name=name, value=value, fix=f"e.g. {name}='order_no' or "
                        f"{name}=['source', 'key']")


def present(df: pd.DataFrame, table: str, cols: Sequence[str], name: str) -> None:
    """Check that every column of ``cols`` (argument ``name``) is in ``df``."""
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise DataError(f"missing column(s) {missing} (argument {name}); the table has "
                        f"{list(df.columns)}", table=table, column=missing,
                        fix=f"pass the names of your columns: {name}=...")


def positive_int(value: object, name: str, *, low: int) -> int:
    return whole_number(value, name, low=low)
