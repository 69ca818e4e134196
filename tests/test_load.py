"""coursekit.load checks what it reads: checksums (again when a file changes), the
manifest, the file's content and the table's contract; every problem is a DataError."""

from __future__ import annotations

import json
import os
import shutil

import numpy as np
import pandas as pd
import pytest

import coursekit
import coursekit.data as data
import coursekit.data.io
from coursekit.data import default_dir, verify
from coursekit.errors import DataError

TABLES = ["users", "orders", "products", "order_items"]


@pytest.fixture
def world(tmp_path):
    """A small world: four tables of the default data, its truth.json, and a manifest
    listing just those (the real datasets/ folder is never touched)."""
    folder = tmp_path / "w"
    folder.mkdir()
    man = json.loads((default_dir() / "checksums.json").read_text(encoding="utf-8"))
    man["tables"] = {n: man["tables"][n] for n in TABLES}
    for entry in [*man["tables"].values(), man["truth"]]:
        shutil.copyfile(default_dir() / entry["file"], folder / entry["file"])
    _write_manifest(folder, man)
    return folder


def _manifest(folder):
    return json.loads((folder / "checksums.json").read_text(encoding="utf-8"))


def _write_manifest(folder, man):
    (folder / "checksums.json").write_text(json.dumps(man, indent=2), encoding="utf-8")


def _rewrite(folder, name, *, df=None, data=None, suffix=".parquet"):
    """Replace a table's file and update the manifest to match it: a world whose
    checksums are right but whose content is not."""
    path = folder / f"{name}{suffix}"
    if df is not None:
        if suffix == ".parquet":
            df.to_parquet(path, index=False)
        else:
            df.to_csv(path, index=False, encoding="utf-8")
    else:
        path.write_bytes(data)
    man = _manifest(folder)
    old = folder / man["tables"][name]["file"]
    if old != path:
        old.unlink()
    man["tables"][name].update(file=path.name, sha256=coursekit.data.io.sha256(path))
    if df is not None:
        man["tables"][name]["rows"] = len(df)
    _write_manifest(folder, man)


def _raw(name):
    return pd.read_parquet(default_dir() / f"{name}.parquet")


def _bump_mtime(path):
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))


# ------------------------------------------------------------ checksums


def test_file_changed_after_first_load_is_caught(world):
    assert len(coursekit.load("orders", world=world)) > 0
    path = world / "orders.parquet"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size: only the modification time tells
    path.write_bytes(bytes(data))
    _bump_mtime(path)
    with pytest.raises(DataError, match="orders.parquet does not match its checksum") as info:
        coursekit.load("orders", world=world)
    assert "coursekit data generate --users 20000 --seed 2024" in info.value.fix


def test_file_replaced_after_first_load_is_caught(world):
    coursekit.load("products", world=world)
    _raw("products").head(10).to_parquet(world / "products.parquet", index=False)
    with pytest.raises(DataError, match="products.parquet does not match its checksum"):
        coursekit.load("products", world=world)
    # another table of the same world is refused too: the world is damaged
    with pytest.raises(DataError, match="products.parquet does not match"):
        coursekit.load("users", world=world)


def test_unchanged_files_are_hashed_once(world, monkeypatch):
    calls = []
    real = coursekit.data.io.sha256
    monkeypatch.setattr(coursekit.data.io, "sha256", lambda p: calls.append(p.name) or real(p))
    coursekit.load("orders", world=world)
    assert sorted(calls) == sorted(
        [*(f"{n}.parquet" for n in TABLES), "truth.json"]
    )
    calls.clear()
    coursekit.load("orders", world=world)
    coursekit.load("users", world=world)
    assert calls == []
    _bump_mtime(world / "users.parquet")  # touched, same bytes: hashed again, and fine
    coursekit.load("orders", world=world)
    assert calls == ["users.parquet"]


def test_verify_hashes_again_and_reports_a_damaged_manifest(world, monkeypatch):
    coursekit.load("orders", world=world)
    calls = []
    real = coursekit.data.io.sha256
    monkeypatch.setattr(coursekit.data.io, "sha256", lambda p: calls.append(p.name) or real(p))
    assert verify(world) == []
    assert len(calls) == len(TABLES) + 1
    (world / "checksums.json").write_text("{not json", encoding="utf-8")
    problems = verify(world)
    assert len(problems) == 1 and "checksums.json" in problems[0] and "damaged" in problems[0]


def test_contract_is_checked_once_per_state_of_the_file(world, monkeypatch):
    calls = []
    real = data.validate
    monkeypatch.setattr(data, "validate", lambda *a, **k: calls.append(a[1]) or real(*a, **k))
    coursekit.load("orders", world=world)
    coursekit.load("orders", world=world)
    assert calls == ["orders"]
    _bump_mtime(world / "orders.parquet")
    coursekit.load("orders", world=world)
    assert calls == ["orders", "orders"]


# ------------------------------------------------------------ manifest


def _not_json(folder):
    (folder / "checksums.json").write_text('{"tables": {', encoding="utf-8")


def _no_tables(folder):
    _write_manifest(folder, {"format": "parquet", "seed": 2024})


def _entry_without_checksum(folder):
    man = _manifest(folder)
    del man["tables"]["users"]["sha256"]
    _write_manifest(folder, man)


def _no_entry_for_the_table(folder):
    man = _manifest(folder)
    del man["tables"]["orders"]
    _write_manifest(folder, man)


def _entry_for_a_missing_file(folder):
    (folder / "products.parquet").unlink()


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (_not_json, "checksums.json of .* is damaged \\(not valid JSON"),
        (_no_tables, "checksums.json of .* is damaged: it has no 'tables' section"),
        (_entry_without_checksum, "the entry of users has no file name or no sha256"),
        (_no_entry_for_the_table, "checksums.json of .* has no entry for table 'orders'"),
        (_entry_for_a_missing_file, "products.parquet is missing from"),
    ],
)
def test_damaged_manifest_says_what_to_do(world, damage, message):
    damage(world)
    with pytest.raises(DataError, match=message) as info:
        coursekit.load("orders", world=world)
    assert info.value.table == "datasets"
    assert "restore the files" in info.value.fix and "coursekit data generate" in info.value.fix


# ------------------------------------------------------------ unreadable content


def test_truncated_parquet_is_a_data_error(world):
    whole = (world / "orders.parquet").read_bytes()
    _rewrite(world, "orders", data=whole[: len(whole) // 2])
    with pytest.raises(DataError, match="cannot read orders.parquet") as info:
        coursekit.load("orders", world=world)
    assert info.value.table == "orders" and info.value.fix
    assert "Traceback" not in str(info.value)


def test_csv_with_wrong_columns_is_a_data_error(world):
    _rewrite(world, "orders", df=_raw("orders").rename(columns={"amount": "paid"}), suffix=".csv")
    with pytest.raises(DataError, match="missing column") as info:
        coursekit.load("orders", world=world)
    assert info.value.table == "orders" and info.value.column == ["amount"]
    assert "breaks the contract of orders" in info.value.reason


def test_ragged_csv_is_a_data_error(world):
    _rewrite(world, "products", data=b"product_id,name\n1,nuts\n2,tea,extra,fields\n",
             suffix=".csv")
    with pytest.raises(DataError, match="cannot read products.csv") as info:
        coursekit.load("products", world=world)
    assert info.value.table == "products"


def test_csv_world_reads_iso_times_and_refuses_day_month_ones(world):
    orders = _raw("orders")
    _rewrite(world, "orders", df=orders, suffix=".csv")
    from_csv, from_parquet = coursekit.load("orders", world=world), coursekit.load("orders")
    assert from_csv.dtypes.astype(str).equals(from_parquet.dtypes.astype(str))
    assert from_csv["order_time"].equals(from_parquet["order_time"])
    assert from_csv["campaign_id"].equals(from_parquet["campaign_id"])
    # the same table exported by a tool that writes day/month first
    local = orders.assign(order_time=orders["order_time"].dt.strftime("%d/%m/%Y %H:%M"))
    _rewrite(world, "orders", df=local, suffix=".csv")
    with pytest.raises(DataError, match="day/month first") as info:
        coursekit.load("orders", world=world)
    assert (info.value.table, info.value.column) == ("orders", "order_time")
    assert "orders.csv breaks the contract" in info.value.reason


def test_row_count_must_match_the_manifest(world):
    man = _manifest(world)
    man["tables"]["products"]["rows"] += 1
    _write_manifest(world, man)
    with pytest.raises(DataError, match="products.parquet has 80 rows where checksums.json says 8"):
        coursekit.load("products", world=world)


# ------------------------------------------------------------ contract


def _duplicate_key(df):
    df.loc[1, "order_id"] = df.loc[0, "order_id"]
    return df


def _null_id(df):
    df["user_id"] = df["user_id"].astype("Int64")
    df.loc[5, "user_id"] = pd.NA
    return df


def _negative_amount(df):
    df.loc[3, "amount"] = -5.0
    return df


def _fraction_in_whole_numbers(df):
    df["items"] = df["items"].astype("float64")
    df.loc[2, "items"] = 1.5
    return df


def _null_time(df):
    df.loc[4, "order_time"] = pd.NaT
    return df


def _infinite(df):
    df.loc[6, "discount"] = np.inf
    return df


@pytest.mark.parametrize(
    ("change", "column", "reason"),
    [
        (_duplicate_key, "order_id", "duplicate keys"),
        (_null_id, "user_id", "missing values"),
        (_negative_amount, "amount", "negative amounts"),
        (_fraction_in_whole_numbers, "items", "whole numbers"),
        (_null_time, "order_time", "missing dates"),
        (_infinite, "discount", "infinite values"),
    ],
)
def test_table_breaking_its_contract_is_refused(world, change, column, reason):
    _rewrite(world, "orders", df=change(_raw("orders")))
    with pytest.raises(DataError) as info:
        coursekit.load("orders", world=world)
    err = info.value
    assert err.table == "orders" and err.column == column
    assert err.reason.startswith("orders.parquet breaks the contract of orders: ")
    assert reason in err.reason
    assert err.rows is not None and len(err.rows) > 0
    assert "coursekit data generate" in err.fix


def test_missing_value_in_a_bool_column_is_not_made_true(world):
    man = _manifest(world)
    man["tables"]["messages"] = json.loads(
        (default_dir() / "checksums.json").read_text(encoding="utf-8"))["tables"]["messages"]
    _write_manifest(world, man)
    messages = _raw("messages").astype({"opened": "boolean"})
    messages.loc[0, "opened"] = pd.NA
    _rewrite(world, "messages", df=messages)
    with pytest.raises(DataError, match="missing values") as info:
        coursekit.load("messages", world=world)
    assert info.value.column == "opened"
