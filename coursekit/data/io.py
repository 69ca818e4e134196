"""Reading and writing tables in the two formats of the course data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def write_table(df: pd.DataFrame, folder: Path, name: str, fmt: str) -> Path:
    """Write one table deterministically: the same frame gives the same bytes."""
    if fmt == "parquet":
        path = folder / f"{name}.parquet"
        df.to_parquet(path, index=False, compression="zstd", row_group_size=1_000_000)
    else:
        path = folder / f"{name}.csv"
        df.to_csv(
            path,
            index=False,
            lineterminator="\n",
            encoding="utf-8",
            date_format="%Y-%m-%d %H:%M:%S",
        )
    return path


def read_raw(path: Path) -> pd.DataFrame:
    """Read a table file as stored (typing happens in the loader, from the schema)."""
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    return pd.read_csv(path, encoding="utf-8", keep_default_na=True)
