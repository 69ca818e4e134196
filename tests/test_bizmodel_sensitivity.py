"""bizmodel.sensitivity: one input at a time, ranked by swing, checked against hand sums."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from coursekit.bizmodel import sensitivity
from coursekit.errors import ArgumentError


def profit(units, price, cost, fixed):
    return units * (price - cost) - fixed


BASE = {"units": 1000, "price": 50, "cost": 30, "fixed": 12000}


def test_the_profit_model_by_hand():
    t = sensitivity(profit, BASE, {"fixed": (10000, 14000), "price": (45, 55),
                                   "units": (800, 1200), "cost": (28, 33)})
    # base: 1000 x (50 - 30) - 12000 = 8000
    assert (t["base_value"] == 8000.0).all()
    assert t.index.tolist() == ["price", "units", "cost", "fixed"]  # by swing, largest first
    assert t.index.name == "input"
    assert t.loc["price", ["low", "high", "swing"]].tolist() == [3000.0, 13000.0, 10000.0]
    assert t.loc["units", ["low", "high", "swing"]].tolist() == [4000.0, 12000.0, 8000.0]
    # cost 28: 1000 x 22 - 12000 = 10000; cost 33: 1000 x 17 - 12000 = 5000
    assert t.loc["cost", ["low", "high", "swing"]].tolist() == [10000.0, 5000.0, 5000.0]
    assert t.loc["fixed", ["low", "high", "swing"]].tolist() == [10000.0, 6000.0, 4000.0]
    assert t.loc["cost", ["input_low", "input_base", "input_high"]].tolist() == [28, 30, 33]
    assert list(t.columns) == ["input_low", "input_base", "input_high", "low", "high",
                               "swing", "base_value"]


def test_ties_keep_the_order_of_ranges_and_fixed_inputs_stay_at_base():
    t = sensitivity(lambda a, b, c: a + b + c, {"a": 1.0, "b": 2.0, "c": 3.0},
                    {"b": (1.0, 3.0), "a": (0.0, 2.0)})
    assert t.index.tolist() == ["b", "a"]
    assert t["swing"].tolist() == [2.0, 2.0]
    assert t.loc["a", "low"] == 5.0  # a = 0, b and c at base


def test_a_non_linear_model_and_numpy_results():
    def revenue(price, elasticity):
        return np.float64(price * 1000 * (price / 50) ** -elasticity)

    t = sensitivity(revenue, {"price": 50.0, "elasticity": 1.5},
                    {"price": (40.0, 60.0), "elasticity": (1.0, 2.0)})
    assert t.loc["price", "low"] == pytest.approx(40 * 1000 * 0.8 ** -1.5)
    assert t.loc["elasticity", "high"] == pytest.approx(50_000.0)  # (50/50)^-2 = 1
    assert t["swing"].iloc[0] >= t["swing"].iloc[1]


@pytest.mark.parametrize(
    ("ranges", "base", "model", "name"),
    [
        ({"margin": (0, 1)}, BASE, profit, "ranges"),  # no base value
        ({"price": (45,)}, BASE, profit, "ranges"),
        ({"price": ("45", 55)}, BASE, profit, "ranges"),
        ({"price": (45, math.nan)}, BASE, profit, "ranges"),
        ({}, BASE, profit, "ranges"),
        ({"price": (45, 55)}, {**BASE, "price": "50"}, profit, "base"),
        ({"price": (45, 55)}, {**BASE, "price": True}, profit, "base"),
        ({"price": (45, 55)}, [("price", 50)], profit, "base"),
        ({"price": (45, 55)}, BASE, "profit", "model"),
        ({"price": (45, 55)}, BASE, lambda units, price: units * price, "base"),  # extra keys
        ({"price": (45, 55)}, BASE, lambda **k: pd.Series([1.0]), "base"),  # not one number
    ],
)
def test_bad_arguments_are_named(ranges, base, model, name):
    with pytest.raises(ArgumentError) as err:
        sensitivity(model, base, ranges)
    assert err.value.name == name


def test_a_model_that_fails_at_one_end_names_the_input():
    def margin(price, cost):
        return (price - cost) / price

    with pytest.raises(ArgumentError) as err:
        sensitivity(margin, {"price": 50.0, "cost": 30.0}, {"cost": (20, 40), "price": (0, 60)})
    assert err.value.name == "ranges['price']"
    assert "price=0" in str(err.value)
