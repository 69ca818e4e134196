"""Validation at the door: every bad input gets a DataError naming table and column."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import numpy as np
import pandas as pd
import pytest

from coursekit.errors import ArgumentError, DataError
from coursekit.inputs import columns, timestamp, unique_key

ROLES = dict(ids=["user_id"], times=["order_time"], amounts=["amount"])


def orders(**change):
    base = pd.DataFrame({
        "user_id": [1, 2, 3],
        "order_time": pd.to_datetime(["2025-01-03 10:00", "2025-02-01 00:00", "2025-02-03 00:00"]),
        "amount": [30.0, 12.5, 7.0],
    })
    return base.assign(**change)


def test_good_input_comes_back_typed():
    out = columns(orders(order_time=["2025-01-03", "2025-02-01", "2025-02-03 08:00"],
                         amount=[30, 12, 7]), "orders", **ROLES)
    assert out["order_time"].dtype == "datetime64[ns]"
    assert out["amount"].dtype == "float64"
    assert list(out.columns) == ["user_id", "order_time", "amount"]


@pytest.mark.parametrize(
    ("change", "column", "reason"),
    [
        (dict(amount=["30", "12,5", "7"]), "amount", "expected numbers"),
        (dict(amount=[30.0, np.inf, 7.0]), "amount", "infinite"),
        (dict(amount=[30.0, -12.5, 7.0]), "amount", "negative"),
        (dict(amount=[30.0, np.nan, 7.0]), "amount", "missing values"),
        (dict(amount=[True, False, True]), "amount", "expected numbers"),
        (dict(order_time=[pd.NaT, pd.Timestamp("2025-01-01"), pd.NaT]), "order_time",
         "missing dates"),
        (dict(order_time=["2025-01-03", "yesterday", "2025-02-03"]), "order_time",
         "cannot be parsed"),
        (dict(order_time=[1, 2, 3]), "order_time", "expected dates"),
        (dict(user_id=[1, None, 3]), "user_id", "missing ids"),
    ],
)
def test_each_bad_column_is_named(change, column, reason):
    with pytest.raises(DataError) as info:
        columns(orders(**change), "orders", **ROLES)
    err = info.value
    assert err.table == "orders" and err.column == column
    assert reason in err.reason
    assert err.fix
    assert err.rows is not None or reason in ("expected dates",)


def test_time_zones_are_refused_with_a_fix():
    shanghai = zoneinfo.ZoneInfo("Asia/Shanghai")
    aware = orders(order_time=pd.to_datetime(["2025-01-03", "2025-02-01", "2025-02-03"])
                   .tz_localize(shanghai))
    with pytest.raises(DataError, match="time-zone") as info:
        columns(aware, "orders", **ROLES)
    assert "tz_localize(None)" in info.value.fix
    mixed = orders(order_time=[dt.datetime(2025, 1, 3, tzinfo=dt.UTC),
                               dt.datetime(2025, 2, 1, tzinfo=shanghai),
                               dt.datetime(2025, 2, 3)])
    with pytest.raises(DataError, match="mixed") as info:
        columns(mixed, "orders", **ROLES)
    assert info.value.column == "order_time"
    offsets = orders(order_time=["2025-01-03T10:00+08:00", "2025-02-01T10:00+08:00",
                                 "2025-02-03T10:00+08:00"])
    with pytest.raises(DataError, match="time-zone"):
        columns(offsets, "orders", **ROLES)


def test_missing_column_empty_table_and_not_a_frame():
    with pytest.raises(DataError, match="missing column") as info:
        columns(orders().drop(columns="amount"), "orders", **ROLES)
    assert info.value.column == ["amount"] and "customer='customer_id'" in info.value.fix
    with pytest.raises(DataError, match="empty"):
        columns(orders().iloc[:0], "orders", **ROLES)
    assert len(columns(orders().iloc[:0], "orders", ids=["user_id"], allow_empty=True)) == 0
    with pytest.raises(DataError, match="DataFrame"):
        columns([1, 2], "orders", **ROLES)


def test_negative_numbers_allowed_where_not_money():
    out = columns(orders(amount=[-1.0, 0.0, 2.0]), "changes", numbers=["amount"])
    assert out["amount"].min() == -1.0


def test_timestamp_argument():
    assert timestamp(pd.Timestamp("2025-01-01"), "asof") == pd.Timestamp("2025-01-01")
    for bad in ("soon", None, "2025-01-01T00:00+08:00"):
        with pytest.raises(ArgumentError) as info:
            timestamp(bad, "asof")
        assert info.value.name == "asof"


# ------------------------------------------------------------ dates written as text


@pytest.mark.parametrize(
    "values",
    [
        ["03/02/2025", "04/02/2025", "05/02/2025"],
        ["3.2.2025", "4.2.2025", "5.2.2025"],
        ["03-02-2025 10:00", "04-02-2025 11:30", "05-02-2025 12:00"],
        ["13/02/2025", "14/02/2025", "15/02/2025"],  # day > 12 is still a guess per row
    ],
)
def test_day_month_dates_are_refused_with_the_format_to_use(values):
    with pytest.raises(DataError) as info:
        columns(orders(order_time=values), "orders", **ROLES)
    err = info.value
    assert (err.table, err.column) == ("orders", "order_time")
    assert "day/month first" in err.reason
    assert "pd.to_datetime(" in err.fix and "format=" in err.fix
    assert values[0] in err.rows["order_time"].tolist()


def test_day_month_fix_names_the_separator_and_the_clock():
    with pytest.raises(DataError) as info:
        columns(orders(order_time=["03.02.2025 10:00:00"] * 3), "orders", **ROLES)
    assert '"%d.%m.%Y %H:%M:%S" (day first)' in info.value.fix
    assert '"%m.%d.%Y %H:%M:%S" (month first)' in info.value.fix


def test_the_bad_dates_of_an_iso_column_are_shown():
    # format="mixed" read '03/02/2025' as 2 March here and '2025-02-03' as 3 February
    with pytest.raises(DataError) as info:
        columns(orders(order_time=["2025-02-03", "03/02/2025", "2025-02-05"]), "orders", **ROLES)
    assert "day/month first" in info.value.reason
    assert info.value.rows["order_time"].tolist() == ["03/02/2025"]
    with pytest.raises(DataError, match="cannot be parsed") as info:
        columns(orders(order_time=["2025-02-28", "2025-02-30", "2025-13-01"]), "orders", **ROLES)
    assert info.value.rows["order_time"].tolist() == ["2025-02-30", "2025-13-01"]


def test_mixed_formats_are_refused_naming_example_rows():
    with pytest.raises(DataError) as info:
        columns(orders(order_time=["2025-02-03", "2025/02/04", "2025-02-05"]), "orders", **ROLES)
    err = info.value
    assert "more than one format" in err.reason and "YYYY/MM/DD" in err.reason
    assert set(err.rows["order_time"]) == {"2025-02-03", "2025/02/04", "2025-02-05"}
    assert "format=" in err.fix


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["2025-03-02", "2025-03-02 10:00:00", "2025-03-04T08:30"],
         ["2025-03-02", "2025-03-02 10:00", "2025-03-04 08:30"]),
        (["2025/03/02", "2025/3/4", "2025/03/05 10:00"],
         ["2025-03-02", "2025-03-04", "2025-03-05 10:00"]),
        (["2025-03-02 10:00:00.250", "2025-3-2", "2025-03"],
         ["2025-03-02 10:00:00.25", "2025-03-02", "2025-03-01"]),
        (["20250302", "20250303", "20250304"], ["2025-03-02", "2025-03-03", "2025-03-04"]),
    ],
)
def test_year_first_dates_are_read_exactly_day_first_ones_refused(values, expected):
    out = columns(orders(order_time=values), "orders", **ROLES)["order_time"]
    assert out.dtype == "datetime64[ns]"
    assert out.tolist() == [pd.Timestamp(v) for v in expected]
    day_first = [pd.Timestamp(v).strftime("%d/%m/%Y %H:%M") for v in expected]
    with pytest.raises(DataError, match="day/month first"):
        columns(orders(order_time=day_first), "orders", **ROLES)


def test_timestamp_refuses_ambiguous_dates():
    with pytest.raises(ArgumentError) as info:
        timestamp("03/02/2025", "asof")
    err = info.value
    assert err.name == "asof" and err.value == "03/02/2025"
    assert "'2025-02-03' (3 February)" in err.fix and "'2025-03-02' (2 March)" in err.fix
    with pytest.raises(ArgumentError, match="day/month first"):
        timestamp("13.02.2025", "end")
    assert timestamp("2025/02/03", "asof") == pd.Timestamp("2025-02-03")
    assert timestamp("2025-02", "asof") == pd.Timestamp("2025-02-01")


# ------------------------------------------------------------ ids


def test_ids_mixing_numbers_and_text_are_refused():
    with pytest.raises(DataError) as info:
        columns(orders(user_id=[1, "1", 2]), "orders", **ROLES)
    err = info.value
    assert (err.table, err.column) == ("orders", "user_id")
    assert "mixing numbers and text" in err.reason and "1 and '1'" in err.reason
    assert err.rows["(type)"].tolist() == ["int", "str", "int"]
    assert ".astype(str)" in err.fix and ".astype(int)" in err.fix
    categorical = orders(user_id=pd.Categorical([1, "1", 2]))
    with pytest.raises(DataError, match="mixing numbers and text"):
        columns(categorical, "orders", **ROLES)
    # ids of one type pass unchanged, whatever their dtype
    for ids in ([1, 2, 1.0], ["a", "b", "1"], pd.array([1, 2, 3], dtype="Int64"),
                pd.array(["a", "b", "1"], dtype="string[pyarrow]"),
                pd.array(["a", "b", "1"], dtype="string[python]"), pd.Categorical(["a", "b", "a"])):
        out = columns(orders(user_id=ids), "orders", **ROLES)
        assert out["user_id"].equals(orders(user_id=ids)["user_id"])




# ------------------------------------------------------------ accepted dtypes

DAYS = pd.Series(pd.to_datetime(["2025-01-03 10:00", "2025-02-01 00:00", "2025-02-03 00:00"]))
TEXT = DAYS.dt.strftime("%Y-%m-%d %H:%M:%S")
TIMES = {
    "datetime64[s]": DAYS.astype("datetime64[s]"),
    "datetime64[ms]": DAYS.astype("datetime64[ms]"),
    "datetime64[us]": DAYS.astype("datetime64[us]"),
    "datetime64[ns]": DAYS.astype("datetime64[ns]"),
    "timestamp[ns][pyarrow]": DAYS.astype("timestamp[ns][pyarrow]"),
    "timestamp[us][pyarrow]": DAYS.astype("timestamp[us][pyarrow]"),
    "timestamp[s][pyarrow]": DAYS.astype("timestamp[s][pyarrow]"),
    "category of dates": DAYS.astype("category"),
    "category of text": TEXT.astype("category"),
    "string[pyarrow]": TEXT.astype("string[pyarrow]"),
    "string[python]": TEXT.astype("string[python]"),
    "object text": TEXT.astype(object),
    "object datetimes": pd.Series([d.to_pydatetime() for d in DAYS], dtype=object),
}


def _failures(cases, column, expected, **roles):
    """The cases that do not come back as ``expected`` (name: what happened)."""
    bad = {}
    for name, values in cases.items():
        try:
            out = columns(orders(**{column: values}), "orders", **roles)[column]
        except DataError as err:
            bad[name] = err.reason
            continue
        if out.dtype != expected.dtype or out.tolist() != expected.tolist():
            bad[name] = f"came back as {out.dtype}: {out.tolist()}"
    return bad


def test_every_time_dtype_comes_back_as_datetime64_ns():
    assert _failures(TIMES, "order_time", DAYS.astype("datetime64[ns]"), **ROLES) == {}
    aware = DAYS.astype("timestamp[us, tz=Asia/Shanghai][pyarrow]")
    with pytest.raises(DataError, match="time-zone") as info:
        columns(orders(order_time=aware), "orders", **ROLES)
    assert "tz_localize(None)" in info.value.fix
    missing = pd.Series(["2025-01-03", None, "2025-02-03"], dtype="string[pyarrow]")
    with pytest.raises(DataError, match="missing dates"):
        columns(orders(order_time=missing), "orders", **ROLES)


NUMBERS = {
    "Int64": pd.array([30, 12, 7], dtype="Int64"),
    "Float64": pd.array([30.0, 12.0, 7.0], dtype="Float64"),
    "int64[pyarrow]": pd.Series([30, 12, 7], dtype="int64[pyarrow]"),
    "double[pyarrow]": pd.Series([30.0, 12.0, 7.0], dtype="double[pyarrow]"),
    "int32": np.array([30, 12, 7], dtype="int32"),
    "float32": np.array([30, 12, 7], dtype="float32"),
    "uint16": np.array([30, 12, 7], dtype="uint16"),
    "object numbers": pd.Series([30, 12.0, 7], dtype=object),
}


@pytest.mark.parametrize("role", ["amounts", "numbers"])
def test_every_number_dtype_comes_back_as_float64(role):
    roles = dict(ids=["user_id"], times=["order_time"], **{role: ["amount"]})
    expected = pd.Series([30.0, 12.0, 7.0])
    assert _failures(NUMBERS, "amount", expected, **roles) == {}
    refused = {
        "missing values": [pd.array([30, None, 7], dtype="Int64"),
                           pd.array([30.0, None, 7.0], dtype="Float64")],
        "expected numbers": [pd.array([True, False, True], dtype="boolean"),
                             pd.Series([True, False, True], dtype="bool[pyarrow]"),
                             np.array([True, False, True]), pd.Categorical([30, 12, 7]),
                             pd.Series([30, "12", 7], dtype=object)],
    }
    for reason, cases in refused.items():
        for values in cases:
            with pytest.raises(DataError) as info:
                columns(orders(amount=values), "orders", **roles)
            assert reason in info.value.reason and info.value.fix


# ------------------------------------------------------------ unique_key

USERS = pd.DataFrame({"user_id": [1, 2, 3, 2, 4], "channel": ["ads", "organic", "ads", "ads", "x"]})


def test_unique_key_passes_a_key_and_names_repeats():
    assert unique_key(USERS.drop_duplicates("user_id"), "users", "user_id") is None
    with pytest.raises(DataError) as info:
        unique_key(USERS, "users", "user_id")
    err = info.value
    assert (err.table, err.column) == ("users", "user_id")
    assert err.reason.startswith("duplicate keys: 1 user_id value appears on more than one row")
    assert "(2 rows)" in err.reason
    assert err.rows["user_id"].tolist() == [2, 2]  # the repeated rows, side by side
    assert err.rows["channel"].tolist() == ["organic", "ads"]
    assert "drop_duplicates(subset=['user_id'])" in err.fix


def test_unique_key_of_several_columns_and_exact_copies():
    items = pd.DataFrame({"order_id": [1, 1, 2, 2], "product_id": [5, 6, 5, 5],
                          "quantity": [1, 1, 2, 2]})
    unique_key(items.iloc[:3], "order_items", ["order_id", "product_id"])
    with pytest.raises(DataError) as info:
        unique_key(items, "order_items", ["order_id", "product_id"])
    err = info.value
    assert err.column == ["order_id", "product_id"]
    assert "(order_id, product_id)" in err.reason
    assert len(err.rows) == 2 and "df.drop_duplicates()" in err.fix  # exact copies


def test_unique_key_refuses_missing_keys_and_columns():
    with pytest.raises(DataError, match="missing key values"):
        unique_key(USERS.assign(user_id=[1, None, 3, 5, 4]), "users", "user_id")
    with pytest.raises(DataError, match="missing key column") as info:
        unique_key(USERS, "users", "customer_id")
    assert info.value.column == ["customer_id"]
    # a large increasing key takes the fast path, and a repeat at the end is still found
    big = pd.DataFrame({"event_id": np.arange(1, 200_001)})
    unique_key(big, "events", "event_id")
    big.loc[199_999, "event_id"] = 5
    with pytest.raises(DataError, match="1 event_id value appears"):
        unique_key(big, "events", "event_id")
