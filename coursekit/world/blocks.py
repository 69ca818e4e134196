"""Big tables kept compact and built a block of rows at a time.

At a million users the event log has over twenty million rows: as a DataFrame
of ``int64`` columns it alone takes over a gigabyte, more than every other
table together. The generator keeps such a table as the compact arrays it is
made from (codes, ``int32`` seconds, per-session values) with a function that
builds any block of rows as exactly the DataFrame the whole table has there.
:func:`write_blocks` writes it one Parquet row group at a time, with the same
bytes as writing the whole frame with :func:`coursekit.data.io.write_table`;
:meth:`BlockTable.frame` builds the whole frame for the tables kept in memory
(:func:`coursekit.world.generate_world`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class BlockTable:
    """A table of ``n_rows`` rows that ``build(start, stop)`` makes a block at a time.

    ``build`` returns rows ``start`` to ``stop - 1`` (numbered from 0) with the
    columns, dtypes and categories of the whole table, whatever the block.
    """

    n_rows: int
    columns: tuple[str, ...]
    build: Callable[[int, int], pd.DataFrame]

    def __len__(self) -> int:
        return self.n_rows

    @property
    def size(self) -> int:
        """Rows times columns, as :attr:`pandas.DataFrame.size`."""
        return self.n_rows * len(self.columns)

    def frame(self) -> pd.DataFrame:
        """The whole table as one DataFrame."""
        return self.build(0, self.n_rows)

    def blocks(self, rows: int) -> Iterator[pd.DataFrame]:
        """The table in blocks of ``rows`` rows (one empty block for an empty table)."""
        for start in range(0, max(self.n_rows, 1), rows):
            yield self.build(start, min(start + rows, self.n_rows))


def block_sessions(bounds: np.ndarray, start: int, stop: int) -> np.ndarray:
    """Session of each row ``start`` to ``stop - 1`` of a log laid out session by session.

    Session ``k`` holds rows ``bounds[k]`` to ``bounds[k + 1] - 1`` (``bounds`` is
    the cumulative row count, starting at 0).
    """
    first = int(np.searchsorted(bounds, start, side="right")) - 1
    last = int(np.searchsorted(bounds, stop, side="left"))
    rows = np.minimum(bounds[first + 1 : last + 1], stop) - np.maximum(bounds[first:last], start)
    return np.repeat(np.arange(first, last, dtype=np.int64), rows)


def _encoding_stand_in(table: BlockTable) -> pd.DataFrame:
    """A two-row frame that :func:`coursekit.data.io.parquet_encodings` reads as the table.

    That choice looks at each column's dtype and, for integer and datetime
    columns, at the smallest and largest value present and whether the values
    present ascend. Each column of the stand-in has the column's dtype and, for
    those columns, the rows holding its smallest and largest value, in that order
    when the whole column ascends and in the other order when it does not (both
    missing when no value is present). One pass over the blocks.
    """
    from coursekit.data.io import ROW_GROUP_ROWS

    low: dict[str, pd.Series] = {}
    high: dict[str, pd.Series] = {}
    last: dict[str, object] = {}
    ascending: dict[str, bool] = {}
    first = table.build(0, min(1, table.n_rows))
    for block in table.blocks(ROW_GROUP_ROWS):
        for name, s in block.items():
            if not _int_or_time(s.dtype):
                continue
            values = s.dropna() if s.hasnans else s
            if len(values) == 0:
                continue
            arr = values.to_numpy()
            lo, hi = values.iloc[[int(arr.argmin())]], values.iloc[[int(arr.argmax())]]
            if name not in low or lo.iloc[0] < low[name].iloc[0]:
                low[name] = lo
            if name not in high or hi.iloc[0] > high[name].iloc[0]:
                high[name] = hi
            ascending[name] = (ascending.get(name, True) and values.is_monotonic_increasing
                               and (name not in last or arr[0] >= last[name]))
            last[name] = arr[-1]
    if len(first) == 0:  # an empty table: the dtypes are all there is
        return first
    cols = {}
    for name, s in first.items():
        if name in low:
            pair = [low[name], high[name]] if ascending[name] else [high[name], low[name]]
            cols[name] = pd.concat(pair, ignore_index=True)
        elif _int_or_time(s.dtype):  # no value present: both missing
            cols[name] = s.iloc[:0].reindex(range(2))
        else:
            cols[name] = pd.concat([s, s], ignore_index=True)
    return pd.DataFrame(cols)


def _int_or_time(dtype: object) -> bool:
    """Integer (not categorical) or datetime: the dtypes whose values choose the encoding."""
    return not isinstance(dtype, pd.CategoricalDtype) and (
        pd.api.types.is_integer_dtype(dtype) or pd.api.types.is_datetime64_any_dtype(dtype))


def write_blocks(table: BlockTable, folder: Path, name: str) -> Path:
    """Write a :class:`BlockTable` to Parquet as :func:`coursekit.data.io.write_table`
    writes its frame, one row group (``ROW_GROUP_ROWS`` rows) at a time.

    ``write_table``'s options (:func:`coursekit.data.io.parquet_options`, the encodings
    found in a first pass over the blocks, :func:`_encoding_stand_in`): the file has
    the same bytes as writing the
    whole frame, and no more than a block is ever built. The blocks must have the
    table's contract dtypes already (coercing them block by block could differ).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from coursekit.data.io import ROW_GROUP_ROWS, parquet_options

    options = parquet_options(_encoding_stand_in(table))
    path = folder / f"{name}.parquet"
    writer = None
    try:
        for block in table.blocks(ROW_GROUP_ROWS):
            arrow = pa.Table.from_pandas(block, preserve_index=False)
            del block
            if writer is None:
                writer = pq.ParquetWriter(path, arrow.schema, **options)
            writer.write_table(arrow, row_group_size=ROW_GROUP_ROWS)
    finally:
        if writer is not None:
            writer.close()
    return path
