"""Big tables written a row group at a time give the same bytes as written whole."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import coursekit.data.io as io
from coursekit.world import generate_world
from coursekit.world.blocks import BlockTable, write_blocks
from coursekit.world.generate import generate


def as_blocks(df: pd.DataFrame) -> BlockTable:
    return BlockTable(len(df), tuple(df.columns),
                      lambda start, stop: df.iloc[start:stop].reset_index(drop=True))


def same_bytes(df: pd.DataFrame, folder, name: str) -> bool:
    whole = io.write_table(df, folder / "whole", name, "parquet").read_bytes()
    blocks = write_blocks(as_blocks(df), folder / "blocks", name).read_bytes()
    return whole == blocks


@pytest.fixture
def folders(tmp_path, monkeypatch):
    # small row groups, so every table crosses many block boundaries
    monkeypatch.setattr(io, "ROW_GROUP_ROWS", 777)
    (tmp_path / "whole").mkdir()
    (tmp_path / "blocks").mkdir()
    return tmp_path


def test_every_course_table_in_blocks_gives_the_same_file(folders):
    tables, _ = generate_world(2_000, 3)
    for name, df in tables.items():
        assert same_bytes(df, folders, name), name
    import pyarrow.parquet as pq

    events = pq.ParquetFile(folders / "blocks" / "events.parquet")
    assert events.metadata.num_row_groups == -(-len(tables["events"]) // 777) > 10


@pytest.mark.parametrize("df", [
    pd.DataFrame({"a": pd.Series([], dtype="int64"), "b": pd.Series([], dtype="float64")}),
    pd.DataFrame({"a": pd.array([None] * 2_000, dtype="Int64")}),              # all missing
    pd.DataFrame({"a": np.arange(5_000, 0, -1)}),                              # descending
    pd.DataFrame({"a": np.arange(5_000) * 100_000}),                           # ascending, wide
    pd.DataFrame({"a": np.r_[np.arange(2_000) * 100_000, [0]]}),               # one step back
    pd.DataFrame({"t": pd.date_range("2025-01-01", periods=3_000, freq="min")}),
    pd.DataFrame({"c": pd.Categorical(list("xyz") * 1_000), "f": np.ones(3_000)}),
], ids=["empty", "missing", "descending", "ascending", "step-back", "times", "category"])
def test_edge_cases_give_the_same_file(df, folders):
    assert same_bytes(df, folders, "t")


def test_the_generator_blocks_are_the_whole_tables():
    whole, _, _ = generate(2_000, 5)
    lazy, _, _ = generate(2_000, 5, blocks=True)
    for name in ("events", "messages"):
        assert isinstance(lazy[name], BlockTable)
        pd.testing.assert_frame_equal(lazy[name].frame(), whole[name], check_exact=True)
        parts = pd.concat(list(lazy[name].blocks(999)), ignore_index=True)
        pd.testing.assert_frame_equal(parts, whole[name], check_exact=True)
