"""Loading the course data, and validation with clear DataErrors."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

import coursekit
from coursekit.data import default_dir, verify
from coursekit.errors import DataError
from coursekit.inputs import columns
from coursekit.schema import TABLES, coerce, data_dictionary, validate


def test_default_data_is_intact():
    assert verify() == []


def test_catalog_lists_every_table_with_rows():
    cat = coursekit.datasets()
    assert set(cat["name"]) == set(TABLES)  # the course's data is World 2: every table
    assert (cat["rows"] > 0).all()
    rows = dict(zip(cat["name"], cat["rows"], strict=True))
    assert rows["users"] == len(coursekit.load("users"))


def test_types_are_ready_to_use():
    orders = coursekit.load("orders")
    assert pd.api.types.is_datetime64_any_dtype(orders["order_time"])
    assert isinstance(orders["platform"].dtype, pd.CategoricalDtype)
    assert orders["order_id"].dtype == np.int64
    assert str(orders["campaign_id"].dtype) == "Int64"


def test_cdnow_real_data():
    master, sample = coursekit.load("cdnow"), coursekit.load("cdnow_sample")
    assert (len(master), master["customer_id"].nunique()) == (69_659, 23_570)
    assert (len(sample), sample["customer_id"].nunique()) == (6_919, 2_357)
    assert master["order_date"].min() == pd.Timestamp("1997-01-01")
    assert master["order_date"].max() == pd.Timestamp("1998-06-30")


def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(DataError, match="valid names:.*orders"):
        coursekit.load("order")


@pytest.fixture
def world_copy(tmp_path):
    folder = tmp_path / "w"
    shutil.copytree(default_dir(), folder, ignore=shutil.ignore_patterns("cdnow"))
    return folder


def test_damaged_file_says_how_to_fix(world_copy):
    path = world_copy / "orders.parquet"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(DataError, match="orders.parquet does not match.*\n.*How to fix: restore"):
        coursekit.load("orders", world=world_copy)


def test_missing_file_and_missing_world(world_copy, tmp_path):
    (world_copy / "users.parquet").unlink()
    with pytest.raises(DataError, match="users.parquet is missing"):
        coursekit.load("users", world=world_copy)
    with pytest.raises(DataError, match="make data"):
        coursekit.load("users", world=tmp_path / "nowhere")
    with pytest.raises(DataError, match="no generated world"):
        coursekit.use_world(tmp_path / "nowhere")


ORDERS = pd.DataFrame(
    {
        "order_id": [1, 2, 3],
        "user_id": [10, 11, 10],
        "order_time": pd.to_datetime(["2025-01-01", "2025-01-02", "2025-01-05"]),
        "amount": [99.0, 15.5, 42.0],
    }
)
COLS = list(ORDERS.columns)


@pytest.mark.parametrize(
    ("change", "column", "message"),
    [
        (lambda d: d.drop(columns="amount"), "amount", "missing column"),
        (lambda d: d.assign(amount=["99", "x", "42"]), "amount", "expected numbers"),
        (lambda d: d.assign(amount=[99.0, np.inf, 1.0]), "amount", "infinite"),
        (lambda d: d.assign(amount=[99.0, -15.5, 1.0]), "amount", "net refunds"),
        (
            lambda d: d.assign(order_time=["2025-01-01", "soon", None]),
            "order_time",
            "expected dates",
        ),
        (
            lambda d: d.assign(order_time=d["order_time"].dt.tz_localize("UTC")),
            "order_time",
            "time-zone",
        ),
        (lambda d: d.assign(order_time=[pd.NaT, *d["order_time"][1:]]), "order_time", "missing"),
        (lambda d: d.assign(user_id=[10, None, 10]), "user_id", "missing values"),
        (lambda d: d.iloc[:0], None, "empty"),
        (lambda d: d.assign(order_id=[1, 1, 3]), "order_id", "duplicate"),
    ],
)
def test_validate_names_the_problem(change, column, message):
    bad = change(ORDERS.copy())
    with pytest.raises(DataError, match=message) as info:
        validate(
            bad,
            "orders",
            columns=[c for c in COLS if c in bad.columns or c == column],
            check_key=True,
        )
    if column is not None:
        assert column in str(info.value)
        assert str(info.value).startswith("orders.")


def test_validate_accepts_good_data():
    validate(ORDERS, "orders", columns=COLS, check_key=True)


def _other_backends():
    return ORDERS.assign(order_id=pd.array([1, 2, 3], dtype="Int64"),
                         user_id=pd.Series([10, 11, 10], dtype="int64[pyarrow]"),
                         order_time=ORDERS["order_time"].astype("timestamp[ms][pyarrow]"),
                         amount=pd.array([99.0, 15.5, 42.0], dtype="Float64"))


def test_validate_and_columns_apply_the_same_value_rules():
    """One layer: a bad value gets the same reason from the contract and at the door."""
    cases = {
        "negative amount": dict(amount=[99.0, -15.5, 1.0]),
        "infinite amount": dict(amount=[99.0, np.inf, 1.0]),
        "text amount": dict(amount=["99", "x", "42"]),
        "missing time": dict(order_time=[pd.NaT, *ORDERS["order_time"][1:]]),
        "zoned time": dict(order_time=ORDERS["order_time"].dt.tz_localize("UTC")),
        "zoned arrow time": dict(
            order_time=ORDERS["order_time"].astype("timestamp[s, tz=UTC][pyarrow]")),
    }
    differ = {}
    for label, change in cases.items():
        bad = ORDERS.assign(**change)
        with pytest.raises(DataError) as door:
            columns(bad, "orders", ids=["user_id"], times=["order_time"], amounts=["amount"])
        with pytest.raises(DataError) as contract:
            validate(bad, "orders", columns=COLS)
        if (door.value.reason, door.value.column) != (contract.value.reason,
                                                      contract.value.column):
            differ[label] = (door.value.reason, contract.value.reason)
    assert differ == {}
    # and both accept the dtypes of the other backends
    good = _other_backends()
    validate(good, "orders", columns=COLS, check_key=True)
    columns(good, "orders", ids=["user_id"], times=["order_time"], amounts=["amount"])
    with pytest.raises(DataError, match="duplicate keys"):
        validate(good.assign(order_id=pd.array([1, 1, 3], dtype="Int64")), "orders",
                 columns=COLS, check_key=True)


@pytest.mark.parametrize(
    ("table", "frame", "column", "reason"),
    [
        ("orders", ORDERS.assign(order_id=[1.0, 2.5, 3.0]), "order_id", "found fractions"),
        ("orders", ORDERS.assign(order_id=[1.0, 2.0, 3.0]), "order_id",
         "expected whole numbers (int64), found float64"),
        ("messages", pd.DataFrame({"opened": ["yes", "no", "yes"]}), "opened",
         "expected True/False"),
        ("products", pd.DataFrame({"category": pd.Series([1, "1", "tea"], dtype=object)}),
         "category", "mixing numbers and text"),
    ],
)
def test_validate_checks_what_only_the_contract_knows(table, frame, column, reason):
    with pytest.raises(DataError) as info:
        validate(frame, table, columns=[column])
    assert (info.value.table, info.value.column) == (table, column)
    assert reason in info.value.reason and info.value.fix


def test_coerce_never_guesses():
    raw = pd.DataFrame({"customer_id": [1, 2], "order_date": ["1997-01-01", "1997-01-02"],
                        "cds": [1, 2], "amount": [11.77, 5.0]})
    assert coerce(raw, "cdnow")["order_date"].tolist() == [pd.Timestamp("1997-01-01"),
                                                          pd.Timestamp("1997-01-02")]
    refused = {
        "found fractions": raw.assign(cds=[1.5, 2.0]),  # astype("int64") made it 1
        "missing values": raw.assign(customer_id=[1.0, np.nan]),
        "day/month first": raw.assign(order_date=["01/02/1997", "02/02/1997"]),
        "expected numbers": raw.assign(amount=["11.77", "5,00"]),
        "missing column": raw.drop(columns="cds"),
    }
    for reason, frame in refused.items():
        with pytest.raises(DataError, match=reason) as info:
            coerce(frame, "cdnow")
        assert info.value.table == "cdnow"
    messages = coursekit.load("messages").head(3).astype({"opened": object})
    messages.loc[0, "opened"] = None  # astype(bool) made it True
    with pytest.raises(DataError, match="missing values") as info:
        coerce(messages, "messages")
    assert info.value.column == "opened"


def test_data_dictionary_is_current():
    readme = (default_dir() / "README.md").read_text(encoding="utf-8")
    assert data_dictionary() in readme


def test_cdnow_comes_with_the_course_whatever_the_world(tmp_path):
    from coursekit.world import write_world

    write_world(tmp_path, users=500, seed=3, progress=False)
    sample = coursekit.load("cdnow_sample", world=str(tmp_path))
    assert sample["customer_id"].nunique() == 2357
    names = set(coursekit.datasets(world=str(tmp_path))["name"])
    assert {"cdnow", "cdnow_sample"} <= names
