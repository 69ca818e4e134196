"""Operating-unit benchmarking and the lift to the benchmark (coursekit.growth.units)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import coursekit
from coursekit.errors import ArgumentError, DataError
from coursekit.growth import Lift, UnitBenchmark, lift_to_benchmark, unit_benchmark


@pytest.fixture
def five():
    """Five stores, two months each; conversion 0.40, 0.30, 0.25, 0.20, 0.15."""
    months = pd.DataFrame({
        "store_id": np.repeat([1, 2, 3, 4, 5], 2),
        "month": pd.to_datetime(["2025-01-01", "2025-02-01"] * 5),
        "footfall": [1000, 1000, 2000, 2000, 1000, 1000, 4000, 4000, 1000, 1000],
        "transactions": [380, 420, 560, 640, 240, 260, 800, 800, 140, 160],
        "revenue": [100.0] * 10})
    stores = pd.DataFrame({"store_id": [5, 4, 3, 2, 1], "staff": [2, 2, 3, 4, 5],
                           "format": ["kiosk", "kiosk", "kiosk", "shop", "shop"],
                           "area_sqm": [20, 20, 30, 50, 50]})
    return months, stores


def test_benchmark_by_hand(five):
    months, stores = five
    bench = unit_benchmark(months, stores, top=0.4)
    assert isinstance(bench, UnitBenchmark) and bench.metric == "conversion"
    units = bench.units
    assert units.index.tolist() == [1, 2, 3, 4, 5]
    assert units["value"].tolist() == pytest.approx([0.40, 0.30, 0.25, 0.20, 0.15])
    assert units["top"].tolist() == [True, True, False, False, False]
    assert units["rank"].tolist() == [1, 2, 3, 4, 5]
    assert bench.benchmark == pytest.approx(0.30)
    assert units["volume"].tolist() == pytest.approx([1000, 2000, 1000, 4000, 1000])
    assert units["outcome"].tolist() == pytest.approx([400, 600, 250, 800, 150])
    assert units.loc[1, "ticket"] == pytest.approx(200 / 800)  # another metric, for context
    spread = bench.spread["value"]
    assert spread["median"] == pytest.approx(0.25)
    assert spread["top_mean"] == pytest.approx(0.35)
    assert spread["rest_mean"] == pytest.approx(0.20)
    assert spread["top_vs_rest"] == pytest.approx(1.75)
    diff = bench.differences
    assert diff.loc["staff", ["top", "rest", "difference"]].tolist() == pytest.approx(
        [4.5, 7 / 3, 4.5 - 7 / 3])
    assert diff.loc["staff", "std_difference"] == pytest.approx(
        (4.5 - 7 / 3) / np.std([5, 4, 3, 2, 2], ddof=1))
    assert diff.loc["format=shop", ["top", "rest"]].tolist() == [1.0, 0.0]


def test_ratio_of_sums_not_mean_of_ratios():
    months = pd.DataFrame({"store_id": [1, 1, 2, 2, 3, 3],
                           "month": pd.to_datetime(["2025-01-01", "2025-02-01"] * 3),
                           "footfall": [100, 900, 500, 500, 400, 600],
                           "transactions": [50, 90, 100, 100, 40, 60]})
    stores = pd.DataFrame({"store_id": [1, 2, 3]})
    units = unit_benchmark(months, stores).units
    assert units.loc[1, "value"] == pytest.approx(140 / 1000)  # not (0.5 + 0.1) / 2


def test_per_month_and_area_metrics(five):
    months, stores = five
    revenue = unit_benchmark(months, stores, metric="transactions").units
    assert revenue.loc[4, "value"] == 800 and revenue.loc[4, "volume"] == 1.0
    per_sqm = unit_benchmark(months, stores, metric="revenue_per_sqm").units
    assert per_sqm.loc[1, "value"] == pytest.approx(100 / 50)
    assert unit_benchmark(months, stores, metric="revenue").units["value"].nunique() == 1


def test_conversion_ranks_the_worlds_stores_by_their_quality(tables):
    """The world makes a store's conversion 0.22 exp(quality); the ranking on conversion
    should follow the hidden quality, and the managers of the top stores, whose tenure the
    world ties to quality, should have served longer."""
    quality = pd.Series(coursekit.truth()["store_quality"])
    quality.index = quality.index.astype(int)
    bench = unit_benchmark(tables["store_months"], tables["stores"])
    rho = bench.units["value"].corr(quality.reindex(bench.units.index), method="spearman")
    assert rho > 0.95
    assert bench.units["top"].sum() == 5  # 20 % of 24, rounded up
    assert bench.differences.loc["manager_tenure_years", "difference"] > 1
    assert bench.spread.loc["top_vs_rest", "value"] > 1.3


def test_lift_by_hand(five):
    months, stores = five
    lift = lift_to_benchmark(unit_benchmark(months, stores, top=0.4), share=0.5)
    assert isinstance(lift, Lift)
    # gaps 0.05, 0.10, 0.15 on footfall 1000, 4000, 1000; half closed
    assert lift.units["gain"].tolist() == pytest.approx([0, 0, 25, 200, 75])
    assert lift.gain == pytest.approx(300)
    assert lift.current == pytest.approx(400 + 600 + 250 + 800 + 150)
    assert lift.lift == pytest.approx(300 / 2200)
    full = lift_to_benchmark(unit_benchmark(months, stores, top=0.4), share=1.0)
    assert full.units["new_value"].min() == pytest.approx(0.30)
    table = unit_benchmark(months, stores, top=0.4).units
    assert lift_to_benchmark(table).gain == pytest.approx(300)


def test_bad_input_is_refused(five):
    months, stores = five
    with pytest.raises(ArgumentError):
        unit_benchmark(months, stores, metric="happiness")
    for top in (0, 1, 1.5, "20%"):
        with pytest.raises(ArgumentError):
            unit_benchmark(months, stores, top=top)
    with pytest.raises(DataError, match="duplicate"):
        unit_benchmark(pd.concat([months, months.head(1)]), stores)
    with pytest.raises(DataError, match="not in stores"):
        unit_benchmark(months, stores[stores["store_id"] != 3])
    with pytest.raises(DataError, match="adds up to 0"):
        unit_benchmark(months.assign(footfall=np.where(months["store_id"] == 2, 0,
                                                       months["footfall"])), stores)
    with pytest.raises(DataError, match="at least 3"):
        unit_benchmark(months[months["store_id"] <= 2], stores)
    with pytest.raises(DataError, match="missing column"):
        unit_benchmark(months.drop(columns="footfall"), stores)
    bench = unit_benchmark(months, stores)
    for share in (0, 1.5, None):
        with pytest.raises(ArgumentError):
            lift_to_benchmark(bench, share=share)
    with pytest.raises(DataError):
        lift_to_benchmark(bench.units.drop(columns="top"))
    with pytest.raises(DataError, match="no unit is marked top"):
        lift_to_benchmark(bench.units.assign(top=False))
