"""The generator's tables with the dtypes of their contracts (:mod:`coursekit.schema`)."""

from __future__ import annotations

import pandas as pd

__all__ = ["has_contract_dtypes", "typed"]


def typed(df: pd.DataFrame, name: str) -> pd.DataFrame:
    """The table with the dtypes of its contract (:func:`coursekit.schema.coerce`).

    The generator already builds most tables with those dtypes; they are
    passed through unchanged (coercing would only copy them), which is checked
    by coercing an empty slice and comparing the dtypes.
    """
    from coursekit.schema import coerce

    return df if has_contract_dtypes(df, name) else coerce(df, name)


def has_contract_dtypes(df: pd.DataFrame, name: str) -> bool:
    """Whether the table has exactly the columns and dtypes of its contract."""
    from coursekit.schema import coerce

    empty = coerce(df.iloc[:0], name)
    return list(df.columns) == list(empty.columns) and all(
        df[c].dtype == empty[c].dtype for c in empty.columns
    )
