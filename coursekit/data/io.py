"""Reading and writing tables in the two formats of the course data."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from coursekit.errors import DataError

# Parquet layout: row groups of a million rows (readers such as DuckDB scan
# row groups in parallel), zstd pages, and per column the encoding that suits
# its values (see :func:`parquet_encodings`).
ROW_GROUP_ROWS = 1_000_000
SMALL_RANGE = 1 << 15


def parquet_encodings(df: pd.DataFrame) -> tuple[list[str], dict[str, str]]:
    """Choose the Parquet encoding of every column from its type and values.

    Categorical, text and small-range integer columns are dictionary encoded;
    integer and datetime columns in ascending order (keys, times of an event
    log) are delta encoded, which is smaller and faster to write than a
    dictionary of millions of distinct values; the rest are stored plain.
    The choice depends only on the data, so the same frame gives the same bytes.

    Returns
    -------
    dictionary, encodings
        Names of the dictionary-encoded columns, and the explicit encoding of
        the other columns that get one (``pyarrow`` ``column_encoding``).
    """
    dictionary: list[str] = []
    encodings: dict[str, str] = {}
    for name, s in df.items():
        dtype = s.dtype
        is_int = pd.api.types.is_integer_dtype(dtype) and not isinstance(dtype, pd.CategoricalDtype)
        if not (is_int or pd.api.types.is_datetime64_any_dtype(dtype)):
            if not (pd.api.types.is_float_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)):
                dictionary.append(name)
            continue
        values = s.dropna() if s.hasnans else s
        if len(values) == 0:
            continue
        if is_int and int(values.max()) - int(values.min()) < SMALL_RANGE:
            dictionary.append(name)
        elif values.is_monotonic_increasing:
            encodings[name] = "DELTA_BINARY_PACKED"
    return dictionary, encodings


def parquet_options(df: pd.DataFrame) -> dict[str, object]:
    """The ``pyarrow`` writer options of a table (compression and encodings), shared by
    :func:`write_table` and the generator's writer of big tables in row groups, so both
    give the same bytes."""
    dictionary, encodings = parquet_encodings(df)
    return dict(compression="zstd", use_dictionary=dictionary,
                column_encoding=encodings or None)


def write_table(df: pd.DataFrame, folder: Path, name: str, fmt: str) -> Path:
    """Write one table deterministically: the same frame gives the same bytes."""
    if fmt == "parquet":
        path = folder / f"{name}.parquet"
        df.to_parquet(path, index=False, row_group_size=ROW_GROUP_ROWS, **parquet_options(df))
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


def read_raw(path: Path, *, table: str | None = None) -> pd.DataFrame:
    """Read a table file as stored (typing happens in the loader, from the schema).

    Parameters
    ----------
    path
        A ``.parquet`` file, or a ``.csv`` file with a header line.
    table
        The table's name in messages (default: the file's name without suffix).

    Returns
    -------
    pandas.DataFrame
        The columns as stored.

    Raises
    ------
    DataError
        The file cannot be read (missing, truncated, not Parquet, a CSV with
        ragged lines or not UTF-8), instead of a pyarrow or pandas error.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "orders.parquet").write_bytes(b"PAR1 cut short")
    >>> try:
    ...     read_raw(folder / "orders.parquet")
    ... except DataError as err:
    ...     print(err.table, "|", err.reason.split(":")[0])
    orders | cannot read orders.parquet
    """
    import pyarrow

    try:
        if path.suffix == ".parquet":
            return pd.read_parquet(path)
        return pd.read_csv(path, encoding="utf-8", keep_default_na=True)
    except (OSError, ValueError, pyarrow.ArrowException, pd.errors.ParserError) as err:
        # ArrowInvalid, ParserError, EmptyDataError and UnicodeDecodeError are ValueErrors
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise DataError(
            f"cannot read {path.name}: {first}",
            table=table or path.stem,
            fix="the file is damaged or not a table: restore it, or write it again "
            "(coursekit data generate ...)",
        ) from err


def sha256(path: Path) -> str:
    """SHA-256 of a file, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
