"""Validation at the door: every bad input gets a DataError naming table and column."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import numpy as np
import pandas as pd
import pytest

from coursekit.errors import ArgumentError, DataError
from coursekit.inputs import columns, timestamp

ROLES = dict(ids=["user_id"], times=["order_time"], amounts=["amount"])


def orders(**change):
    base = pd.DataFrame({
        "user_id": [1, 2, 3],
        "order_time": pd.to_datetime(["2025-01-03 10:00", "2025-02-01 00:00", "2025-02-03 00:00"]),
        "amount": [30.0, 12.5, 7.0],
    })
    return base.assign(**change)


def test_good_input_comes_back_typed():
    out = columns(orders(order_time=["2025-01-03", "2025/02/01", "2025-02-03 08:00"],
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
    assert info.value.column == ["amount"] and "customer='user_id'" in info.value.fix
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
