"""Tests of coursekit.diagnose: metric trees, decomposition, drill-down, anomalies, targets."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from helpers import named

import coursekit as ck  # noqa: E402
from coursekit import plots  # noqa: E402
from coursekit.data import truth  # noqa: E402
from coursekit.diagnose import (  # noqa: E402
    MetricTree,
    anomalies,
    decompose,
    drill_down,
    episodes,
    gap_to_target,
    gmv_tree,
)
from coursekit.errors import ArgumentError, CourseError, DataError  # noqa: E402


def logmean(a: float, b: float) -> float:
    return a if a == b else (a - b) / (math.log(a) - math.log(b))


def ft(x: float) -> float:
    return math.sqrt(x) + math.sqrt(x + 1)


# --------------------------------------------------------------------------- course data


@pytest.fixture(scope="module")
def users():
    return ck.load("users")


@pytest.fixture(scope="module")
def orders():
    return ck.load("orders")


@pytest.fixture(scope="module")
def events():
    return ck.load("events")


@pytest.fixture(scope="module")
def incidents():
    return {i["name"]: i for i in truth()["incidents"]}


def near(day: object, expected: str) -> bool:
    return abs((pd.Timestamp(day) - pd.Timestamp(expected)).days) <= 1


# --------------------------------------------------------------------------- MetricTree


SPEC = {"gmv": ("*", ["visitors", "conversion", "aov"]),
        "visitors": ("+", ["app", "mini"])}


def test_tree_from_text_equals_tree_from_dict():
    text = MetricTree("gmv = visitors * conversion * aov\nvisitors = app + mini")
    spec = MetricTree(SPEC)
    assert text.nodes == spec.nodes == ("gmv", "visitors", "app", "mini", "conversion", "aov")
    assert text.leaves == ("app", "mini", "conversion", "aov")
    assert text.root == "gmv"
    assert text.kind("gmv") == "product" and text.kind("visitors") == "sum"
    assert text.kind("app") == "leaf" and text.children("app") == ()
    assert text.parent("app") == "visitors" and text.parent("gmv") is None
    assert repr(text) == "MetricTree(gmv = visitors * conversion * aov; visitors = app + mini)"
    assert MetricTree("\n".join(text.formulas)).nodes == text.nodes
    with pytest.raises(AttributeError):
        text.root = "visitors"  # type: ignore[misc]


def test_compute_fills_parents_from_leaves():
    tree = MetricTree(SPEC)
    leaves = pd.DataFrame({"app": [600, 700], "mini": [400, 300], "conversion": [0.05, 0.04],
                           "aov": [80.0, 100.0]}, index=["Feb", "Mar"])
    out = tree.compute(leaves)
    assert list(out.columns) == list(tree.nodes)
    assert out["visitors"].tolist() == [1000, 1000]
    # 1000 * 0.05 * 80 = 4000; 1000 * 0.04 * 100 = 4000
    assert out["gmv"].to_numpy() == pytest.approx([4000.0, 4000.0])
    assert list(out.index) == ["Feb", "Mar"]


def test_compute_keeps_a_consistent_parent_and_ignores_other_columns():
    tree = MetricTree("visitors = app + mini")
    out = tree.compute({"app": [1.0, 2.0], "mini": [3.0, 4.0], "visitors": [4.0, 6.0],
                        "note": ["a", "b"]})
    assert out["visitors"].tolist() == [4.0, 6.0]
    assert "note" not in out.columns


def test_compute_refuses_parts_that_do_not_make_the_whole():
    tree = MetricTree("gmv = visitors * conversion * aov")
    values = pd.DataFrame({"visitors": [1000, 1000, 1000], "conversion": [0.05, 0.05, 0.05],
                           "aov": [80.0, 80.0, 80.0], "gmv": [4000.0, 4100.0, 4000.0]},
                          index=pd.period_range("2025-01", periods=3, freq="M"))
    with pytest.raises(DataError) as err:
        tree.compute(values)
    assert err.value.column == "gmv"
    assert "2025-02" in err.value.reason and "2025-01" not in err.value.reason


def test_compute_needs_every_leaf():
    with pytest.raises(DataError) as err:
        MetricTree(SPEC).compute({"app": 1.0, "mini": 2.0, "aov": 3.0})
    assert err.value.column == ["conversion"]


def test_compute_refuses_missing_values():
    with pytest.raises(DataError, match="missing values"):
        MetricTree("v = a + b").compute({"a": [1.0, np.nan], "b": [1.0, 2.0]})


def test_compute_refuses_text():
    with pytest.raises(DataError, match="expected numbers"):
        MetricTree("v = a + b").compute(pd.DataFrame({"a": ["1", "x"], "b": [1.0, 2.0]}))


def test_compute_refuses_a_list():
    with pytest.raises(DataError, match="expected a table"):
        MetricTree("v = a + b").compute([1, 2])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("spec", "match"),
    [
        ({"v": ("/", ["a", "b"])}, "unknown operator"),
        ({"v": ("+", ["a"])}, "at least two"),
        ({"v": ("+", ["a", "a"])}, "appears twice"),
        ({"v": ("+", ["a", "b"]), "w": ("+", ["a", "c"])}, "child of both"),
        ({"a": ("+", ["b", "c"]), "b": ("+", ["a", "d"])}, "none"),
        ({"v": ("+", ["a", "b"]), "w": ("*", ["c", "d"])}, "one root"),
        ("v = a + b * c", "either a product"),
        ("v + a", "cannot read"),
        ({}, "at least one"),
    ],
)
def test_bad_tree_specs(spec, match):
    with pytest.raises(DataError, match=match):
        MetricTree(spec)


def test_explain_gives_lmdi_contributions_through_the_tree():
    tree = MetricTree(SPEC)
    table = tree.compute(pd.DataFrame({"app": [600, 660], "mini": [400, 540],
                                       "conversion": [0.05, 0.045], "aov": [80.0, 84.0]},
                                      index=["Feb", "Mar"]))
    out = tree.explain(table, before="Feb", after="Mar")
    y0, y1 = 1000 * 0.05 * 80, 1200 * 0.045 * 84  # 4000, 4536
    big_l = logmean(y1, y0)
    visitors = big_l * math.log(1200 / 1000)
    assert out.loc["gmv", "contribution"] == pytest.approx(y1 - y0)
    assert out.loc["visitors", "contribution"] == pytest.approx(visitors)
    assert out.loc["conversion", "contribution"] == pytest.approx(big_l * math.log(0.9))
    assert out.loc["aov", "contribution"] == pytest.approx(big_l * math.log(84 / 80))
    # visitors' contribution is split in proportion to each channel's change (60 and 140)
    assert out.loc["app", "contribution"] == pytest.approx(visitors * 60 / 200)
    assert out.loc["mini", "contribution"] == pytest.approx(visitors * 140 / 200)
    assert out.loc["visitors", "change"] == 200
    assert out.loc["gmv", "share"] == pytest.approx(1.0)
    assert out.loc["app", "parent"] == "visitors" and out.loc["app", "level"] == 2


def test_explain_adds_up_at_every_node():
    rng = np.random.default_rng(7)
    tree = MetricTree({"y": ("*", ["a", "b", "s"]), "s": ("+", ["c", "p"]),
                       "p": ("*", ["d", "e"])})
    for _ in range(50):
        leaves = pd.DataFrame(rng.uniform(0.1, 50, size=(2, 5)),
                              columns=["a", "b", "c", "d", "e"])
        out = tree.explain(tree.compute(leaves), before=0, after=1)
        for node in tree.nodes:
            kids = list(tree.children(node))
            if kids:
                assert out.loc[kids, "contribution"].sum() == pytest.approx(
                    out.loc[node, "contribution"], rel=1e-9, abs=1e-9)
        change = out.loc["y", "after"] - out.loc["y", "before"]
        assert out.loc[list(tree.leaves), "contribution"].sum() == pytest.approx(
            change, rel=1e-9, abs=1e-9)


def test_explain_refuses_zeros_under_a_product():
    tree = MetricTree("gmv = visitors * conversion")
    table = tree.compute({"visitors": [100.0, 120.0], "conversion": [0.0, 0.1]})
    with pytest.raises(DataError, match="LMDI needs positive values"):
        tree.explain(table, before=0, after=1)


def test_explain_refuses_an_unknown_period():
    tree = MetricTree("v = a + b")
    table = tree.compute(pd.DataFrame({"a": [1.0], "b": [2.0]}, index=["Feb"]))
    with pytest.raises(DataError) as err:
        tree.explain(table, before="Jan", after="Feb")
    assert err.value.column == "before"


def test_explain_refuses_an_inconsistent_table():
    tree = MetricTree("v = a + b")
    table = pd.DataFrame({"v": [3.0, 9.0], "a": [1.0, 2.0], "b": [2.0, 2.0]})
    with pytest.raises(DataError, match="not the sum"):
        tree.explain(table, before=0, after=1)


def test_draw_shows_name_value_and_change():
    tree = MetricTree(SPEC, labels={"gmv": "GMV 成交额", "conversion": "转化率"},
                      formats={"conversion": "{:.1%}"})
    table = tree.compute(pd.DataFrame({"app": [600, 660], "mini": [400, 540],
                                       "conversion": [0.05, 0.045], "aov": [80.0, 84.0]},
                                      index=["Feb", "Mar"]))
    ax = plots.metric_tree(tree, table, before="Feb", after="Mar")
    texts = [t.get_text() for t in ax.texts]
    assert "GMV 成交额\n4,536\n+13.4%" in texts
    assert "转化率\n4.5%\n-10.0%" in texts
    assert "app\n660\n+10.0%" in texts
    assert texts.count("×") == 2 and texts.count("+") == 1
    boxes = {t.get_text().split("\n")[0]: t.get_bbox_patch().get_edgecolor() for t in ax.texts
             if t.get_bbox_patch() is not None}
    assert boxes["GMV 成交额"] != boxes["转化率"]  # up and down differ
    plt.close(ax.figure)


def test_draw_without_values_shows_names():
    fig, ax = plt.subplots()
    out = plots.metric_tree(MetricTree(SPEC), ax=ax)
    assert out is ax
    assert {t.get_text() for t in ax.texts} >= set(MetricTree(SPEC).nodes)
    plt.close(fig)


def test_draw_refuses_a_table_of_another_tree():
    with pytest.raises(DataError, match="no column"):
        plots.metric_tree(MetricTree(SPEC), pd.DataFrame({"x": [1.0]}))


# --------------------------------------------------------------------------- gmv_tree


def small_events_orders():
    events = pd.DataFrame({
        "user_id": [1, 1, 2, 3, 3, 1, 4],
        "event_time": pd.to_datetime(["2025-01-02 10:00", "2025-01-02 09:00", "2025-01-05",
                                      "2025-01-09", "2025-01-20", "2025-02-01",
                                      "2025-02-03"], format="mixed"),
        "platform": ["ios", "android", "android", "ios", "ios", "ios", "android"],
    })
    orders = pd.DataFrame({"order_time": pd.to_datetime(["2025-01-05", "2025-01-09",
                                                         "2025-02-01"]),
                           "amount": [60.0, 30.0, 90.0]})
    return events, orders


def test_gmv_tree_by_month():
    events, orders = small_events_orders()
    tree, table = gmv_tree(events, orders, split="platform")
    assert tree.leaves == ("visitors_android", "visitors_ios", "orders_per_visitor", "aov")
    jan, feb = table.loc["2025-01"], table.loc["2025-02"]
    assert jan["visitors"] == 3 and feb["visitors"] == 2
    # user 1's first January event (09:00) was on android
    assert jan["visitors_android"] == 2 and jan["visitors_ios"] == 1
    assert jan["orders_per_visitor"] == pytest.approx(2 / 3) and jan["aov"] == pytest.approx(45.0)
    assert jan["gmv"] == 90.0 and feb["gmv"] == 90.0
    assert table.index.name == "period"


def test_gmv_tree_with_named_periods():
    events, orders = small_events_orders()
    _, table = gmv_tree(events, orders, per={"early": ("2025-01-01", "2025-01-05"),
                                             "late": ("2025-01-06", "2025-02-03")})
    assert list(table.index) == ["early", "late"]
    assert table.loc["early", "visitors"] == 2 and table.loc["late", "visitors"] == 3
    assert table.loc["early", "gmv"] == 60.0 and table.loc["late", "gmv"] == 120.0


def test_gmv_tree_refuses_a_period_without_orders():
    events, orders = small_events_orders()
    with pytest.raises(DataError, match="without visitors or without orders"):
        gmv_tree(events, orders, per="W")


def test_gmv_tree_refuses_a_missing_column():
    events, orders = small_events_orders()
    with pytest.raises(DataError) as err:
        gmv_tree(events, orders.rename(columns={"amount": "paid"}))
    assert err.value.column == ["amount"]


def test_gmv_tree_refuses_a_bad_per():
    events, orders = small_events_orders()
    with pytest.raises(ArgumentError):
        gmv_tree(events, orders, per="fortnight")


def test_gmv_tree_on_the_course_data(events, orders, incidents):
    tree, table = gmv_tree(events, orders, per="M", split="platform")
    month = orders["order_time"].dt.to_period("M")
    gmv = orders.groupby(month)["amount"].sum()
    assert np.allclose(table["gmv"].to_numpy(), gmv.reindex(table.index).to_numpy())
    visitors = events.groupby(events["event_time"].dt.to_period("M"))["user_id"].nunique()
    assert (table["visitors"].to_numpy() == visitors.reindex(table.index).to_numpy()).all()
    parts = table[["visitors_android", "visitors_ios", "visitors_mini_program"]].sum(axis=1)
    assert (parts == table["visitors"]).all()
    # the payment bug: against the week before, conversion takes GMV down
    bug = incidents["payment_bug"]
    tree, week = gmv_tree(events, orders, split="platform",
                          per={"before": ("2025-09-01", "2025-09-05"),
                               "bug": (bug["start"], bug["end"])})
    out = tree.explain(week, before="before", after="bug")
    leaves = out.loc[list(tree.leaves), "contribution"]
    assert leaves.idxmin() == "orders_per_visitor"
    assert leaves.sum() == pytest.approx(week.loc["bug", "gmv"] - week.loc["before", "gmv"])


# --------------------------------------------------------------------------- decompose


def test_lmdi_by_hand():
    before = {"visitors": 1000.0, "conversion": 0.05, "aov": 80.0}
    after = {"visitors": 1100.0, "conversion": 0.05, "aov": 76.0}
    out = decompose(before, after)
    big_l = (4180 - 4000) / math.log(4180 / 4000)
    assert out.loc["visitors", "contribution"] == pytest.approx(big_l * math.log(1.1))
    assert out.loc["conversion", "contribution"] == 0.0
    assert out.loc["aov", "contribution"] == pytest.approx(big_l * math.log(0.95))
    assert out.loc["aov", "change"] == pytest.approx(-4.0)
    assert out["share"].sum() == pytest.approx(1.0)
    assert abs(out["contribution"].sum() - 180.0) < 1e-9  # 4180 - 4000
    assert list(out.columns) == ["before", "after", "change", "contribution", "share"]
    assert out.index.name == "factor"


def test_lmdi_adds_up_exactly():
    rng = np.random.default_rng(1)
    for _ in range(200):
        k = int(rng.integers(2, 6))
        x0 = np.exp(rng.normal(0, 2, k))
        x1 = x0 * np.exp(rng.normal(0, 0.5, k))
        out = decompose(pd.Series(x0), pd.Series(x1))
        change = np.prod(x1) - np.prod(x0)
        assert abs(out["contribution"].sum() - change) <= 1e-9 * max(1.0, abs(np.prod(x0)))


def test_lmdi_with_equal_values():
    same = decompose({"a": 2.0, "b": 3.0}, {"a": 2.0, "b": 3.0})
    assert (same["contribution"] == 0).all()
    assert same["share"].isna().all()  # nothing to share
    # offsetting factors: the whole does not move, the parts do, and add up to zero
    out = decompose({"a": 2.0, "b": 3.0}, {"a": 4.0, "b": 1.5})
    assert out.loc["a", "contribution"] == pytest.approx(6 * math.log(2))
    assert out["contribution"].sum() == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("bad", [0.0, -2.0])
def test_lmdi_refuses_zero_and_negative(bad):
    with pytest.raises(DataError, match="LMDI needs positive values") as err:
        decompose({"a": 2.0, "b": 3.0}, {"a": bad, "b": 3.0})
    assert err.value.column == ["a"]


def test_decompose_refuses_different_factors():
    with pytest.raises(DataError, match="different factors"):
        decompose({"a": 1.0, "b": 2.0}, {"a": 1.0, "c": 2.0})


def test_decompose_refuses_missing_and_text_values():
    with pytest.raises(DataError, match="missing values"):
        decompose({"a": 1.0, "b": np.nan}, {"a": 1.0, "b": 2.0})
    with pytest.raises(DataError, match="not numbers"):
        decompose({"a": 1.0, "b": "two"}, {"a": 1.0, "b": 2.0})
    with pytest.raises(DataError, match="expected a Series"):
        decompose([1.0, 2.0], [1.0, 2.0])  # type: ignore[arg-type]


def test_decompose_refuses_an_unknown_kind():
    with pytest.raises(ArgumentError, match="unknown kind"):
        decompose({"a": 1.0}, {"a": 2.0}, kind="divisia")


def test_additive_decomposition():
    out = decompose({"app": 600.0, "mini": 400.0}, {"app": 500.0, "mini": 700.0},
                    kind="additive")
    assert out["contribution"].tolist() == [-100.0, 300.0]
    assert out["share"].tolist() == pytest.approx([-0.5, 1.5])


def test_mix_rate_by_hand():
    # app converts 10 % -> 12 %, mini 2 % -> 2 %; traffic moves towards mini
    b = pd.DataFrame({"orders": [50.0, 10.0], "visitors": [500.0, 500.0]},
                     index=pd.Index(["app", "mini"], name="platform"))
    a = pd.DataFrame({"orders": [48.0, 20.0], "visitors": [400.0, 1000.0]}, index=b.index)
    out = decompose(b, a, kind="mix", numerator="orders", denominator="visitors")
    w0, w1 = np.array([0.5, 0.5]), np.array([400 / 1400, 1000 / 1400])
    r0, r1 = np.array([0.10, 0.02]), np.array([0.12, 0.02])
    big0, big1 = 60 / 1000, 68 / 1400
    mix = (w1 - w0) * ((r0 + r1) / 2 - (big0 + big1) / 2)
    rate = (w0 + w1) / 2 * (r1 - r0)
    assert out["mix"].to_numpy() == pytest.approx(mix)
    assert out["rate"].to_numpy() == pytest.approx(rate)
    assert out["contribution"].sum() == pytest.approx(big1 - big0, abs=1e-15)
    assert out.index.name == "platform"
    assert out.loc["mini", "rate"] == 0.0 and out.loc["mini", "mix"] < 0


def test_mix_rate_adds_up_exactly_with_new_segments():
    rng = np.random.default_rng(3)
    for _ in range(100):
        k = 5
        den0, den1 = rng.integers(0, 50, k).astype(float), rng.integers(0, 50, k).astype(float)
        den0[0], den1[1] = 0.0, 0.0  # one segment only after, one only before
        den0[2] = den1[2] = 10.0
        num0, num1 = rng.uniform(0, 1, k) * den0, rng.uniform(0, 1, k) * den1
        b = pd.DataFrame({"n": num0, "d": den0})
        a = pd.DataFrame({"n": num1, "d": den1})
        out = decompose(b, a, kind="mix", numerator="n", denominator="d")
        change = num1.sum() / den1.sum() - num0.sum() / den0.sum()
        assert abs(out["contribution"].sum() - change) <= 1e-12
        assert out.loc[0, "rate"] == 0.0 and np.isnan(out.loc[0, "rate_before"])


def test_mix_needs_its_columns():
    b = pd.DataFrame({"n": [1.0], "d": [2.0]})
    with pytest.raises(CourseError, match="numerator and denominator"):
        decompose(b, b, kind="mix")
    with pytest.raises(CourseError) as err:
        decompose(b, b, kind="mix", numerator="orders", denominator="d")
    assert named(err.value) == ["orders"]


def test_mix_refuses_a_numerator_over_zero():
    b = pd.DataFrame({"n": [1.0, 2.0], "d": [0.0, 2.0]})
    with pytest.raises(DataError, match="zero denominator"):
        decompose(b, b, kind="mix", numerator="n", denominator="d")


def test_mix_refuses_negative_denominators():
    b = pd.DataFrame({"n": [1.0, 2.0], "d": [-1.0, 2.0]})
    with pytest.raises(DataError, match="negative"):
        decompose(b, b, kind="mix", numerator="n", denominator="d")


# --------------------------------------------------------------------------- drill_down


def small_orders():
    return pd.DataFrame({
        "order_time": pd.to_datetime(["2025-02-03", "2025-02-10", "2025-02-20", "2025-02-27",
                                      "2025-03-02", "2025-03-09", "2025-03-15",
                                      "2025-03-31 23:00"], format="mixed"),
        "channel": ["ads", "ads", "organic", "organic", "ads", "organic", "organic", "organic"],
        "device": ["ios", "android", "ios", "android", "ios", "ios", "android", "android"],
        "amount": [100.0, 100.0, 50.0, 30.0, 40.0, 50.0, 60.0, 10.0],
        "days": [2.0, 4.0, 2.0, 2.0, 3.0, 2.0, 2.0, 2.0],
    })


def test_drill_down_sums_over_several_dimensions():
    out = drill_down(small_orders(), value="amount", by=["channel", "device"],
                     at="order_time", before="2025-02", after="2025-03")
    # Feb: ads 200, organic 80 | ios 150, android 130 ; Mar: ads 40, organic 120 | ios 90,
    # android 70 (the order at 23:00 on the 31st is in March); total 280 -> 160
    expected = {("channel", "ads"): -160.0, ("channel", "organic"): 40.0,
                ("device", "ios"): -60.0, ("device", "android"): -60.0}
    got = {(d, v): c for d, v, c in out[["dimension", "value", "contribution"]].itertuples(
        index=False)}
    assert got == expected
    assert out.iloc[0]["value"] == "ads"
    assert (out["contribution"].abs().diff().dropna() <= 0).all()
    assert out.groupby("dimension")["share"].sum().to_numpy() == pytest.approx([1.0, 1.0])
    assert list(out.columns) == ["dimension", "value", "before", "after", "change",
                                 "contribution", "share"]


def test_drill_down_counts_rows_with_date_pairs():
    out = drill_down(small_orders(), by="channel", at="order_time",
                     before=("2025-02-01", "2025-02-28"), after=("2025-03-01", "2025-03-31"))
    assert out.set_index("value")["contribution"].to_dict() == {"ads": -1.0, "organic": 1.0}


def test_drill_down_leaves_out_values_absent_from_both_periods():
    table = small_orders()
    table.loc[0, "channel"] = "email"
    table.loc[0, "order_time"] = pd.Timestamp("2025-01-15")
    out = drill_down(table, by="channel", at="order_time", before="2025-02", after="2025-03")
    assert "email" not in set(out["value"])


def test_drill_down_mean_splits_mix_and_rate():
    out = drill_down(small_orders(), value="days", how="mean", by="channel",
                     at="order_time", before="2025-02", after="2025-03").set_index("value")
    # Feb: ads (2, 4) mean 3, weight 1/2; organic (2, 2) mean 2, weight 1/2; overall 2.5
    # Mar: ads (3) mean 3, weight 1/4; organic (2, 2, 2) mean 2, weight 3/4; overall 2.25
    big = (2.5 + 2.25) / 2
    assert out.loc["ads", "mix"] == pytest.approx((0.25 - 0.5) * (3 - big))
    assert out.loc["organic", "mix"] == pytest.approx((0.75 - 0.5) * (2 - big))
    assert out.loc["ads", "rate"] == 0.0 and out.loc["organic", "rate"] == 0.0
    assert out["contribution"].sum() == pytest.approx(2.25 - 2.5)
    assert out.loc["ads", "before"] == 3.0 and out.loc["ads", "weight_after"] == 0.25


def test_drill_down_ratio():
    table = pd.DataFrame({"at": pd.to_datetime(["2025-01-01", "2025-01-02", "2025-02-01",
                                                "2025-02-02"]),
                          "seg": ["a", "b", "a", "b"], "orders": [5.0, 2.0, 3.0, 2.0],
                          "carts": [10.0, 10.0, 10.0, 10.0]})
    out = drill_down(table, value=("orders", "carts"), how="ratio", by="seg", at="at",
                     before="2025-01", after="2025-02").set_index("value")
    assert out.loc["a", "rate"] == pytest.approx(0.5 * (0.3 - 0.5))
    assert out.loc["b", "contribution"] == 0.0
    assert out["contribution"].sum() == pytest.approx(5 / 20 - 7 / 20)


def test_drill_down_refuses_an_empty_period():
    with pytest.raises(DataError, match="no rows in the after period"):
        drill_down(small_orders(), by="channel", at="order_time", before="2025-02",
                   after="2025-05")


def test_drill_down_refuses_a_missing_dimension_value():
    table = small_orders()
    table.loc[2, "channel"] = None
    with pytest.raises(DataError, match="missing values in a dimension") as err:
        drill_down(table, by="channel", at="order_time", before="2025-02", after="2025-03")
    assert err.value.column == "channel"


def test_drill_down_refuses_a_missing_column():
    with pytest.raises(DataError) as err:
        drill_down(small_orders(), by="city", at="order_time", before="2025-02",
                   after="2025-03")
    assert err.value.column == ["city"]


@pytest.mark.parametrize("period", ["last month", ("2025-03-10", "2025-03-01"), 5])
def test_drill_down_refuses_unreadable_periods(period):
    with pytest.raises(ArgumentError):
        drill_down(small_orders(), by="channel", at="order_time", before=period,
                   after="2025-03")


def test_drill_down_refuses_a_value_that_does_not_fit_how():
    with pytest.raises(ArgumentError, match="needs value=\\(numerator, denominator\\)"):
        drill_down(small_orders(), value="amount", how="ratio", by="channel",
                   at="order_time", before="2025-02", after="2025-03")
    with pytest.raises(ArgumentError, match="needs the column"):
        drill_down(small_orders(), how="mean", by="channel", at="order_time",
                   before="2025-02", after="2025-03")
    with pytest.raises(ArgumentError, match="unknown how"):
        drill_down(small_orders(), how="median", by="channel", at="order_time",
                   before="2025-02", after="2025-03")


def test_drill_down_refuses_unparseable_dates():
    table = small_orders().astype({"order_time": str})
    table.loc[1, "order_time"] = "someday"
    with pytest.raises(DataError, match="cannot be parsed"):
        drill_down(table, by="channel", at="order_time", before="2025-02", after="2025-03")


def test_drill_down_on_the_course_data(users, orders, incidents):
    outage = incidents["tracking_outage"]
    out = drill_down(users, by=["channel", "city_tier", "device"], at="signup_time",
                     before=("2025-03-03", "2025-03-09"), after=(outage["start"], outage["end"]))
    assert (out.iloc[0]["dimension"], out.iloc[0]["value"]) == ("channel", "douyin_ads")
    assert out.iloc[0]["after"] == 0
    delay = incidents["warehouse_delay"]
    out = drill_down(orders, by=["warehouse", "device", "platform"], value="delivery_days",
                     how="mean", at="order_time", before=("2025-07-07", "2025-07-13"),
                     after=(delay["start"], delay["end"]))
    top = out.iloc[0]
    assert (top["dimension"], top["value"]) == ("warehouse", "east")
    assert top["change"] == pytest.approx(delay["extra_days"], abs=0.5)
    assert top["share"] > 0.8


# --------------------------------------------------------------------------- anomalies


def daily_rows(counts: np.ndarray, start: str = "2025-01-01", **columns) -> pd.DataFrame:
    days = pd.date_range(start, periods=len(counts))
    out = pd.DataFrame({"at": np.repeat(days, counts) + pd.Timedelta(hours=12)})
    for name, values in columns.items():
        out[name] = values
    return out


def test_count_score_on_the_freeman_tukey_scale():
    counts = np.full(41, 16)
    counts[40] = 4
    flags = anomalies(daily_rows(counts), at="at")
    assert len(flags) == 1
    row = flags.iloc[0]
    assert row["date"] == pd.Timestamp("2025-02-10")
    assert row["expected"] == 16 and row["actual"] == 4 and row["deviation"] == -12
    # a flat history has no spread: the Poisson scale (1) is used
    assert row["score"] == pytest.approx(ft(4) - ft(16))
    assert row["direction"] == "down" and row["episode"] == 1
    assert row["dimension"] == "(all)" and row["value"] == "(all)"


def test_mean_score_is_a_robust_z():
    n = 41
    values = np.where(np.arange(n) % 2 == 0, 10.0, 12.0)
    values[40] = 20.0
    table = pd.DataFrame({"at": pd.date_range("2025-01-01", periods=n),
                          "days": values})
    scored = anomalies(table, at="at", value="days", how="mean", flagged_only=False)
    # the first day scored has window // 2 = 14 days of history
    assert scored["date"].min() == pd.Timestamp("2025-01-15")
    last = scored.iloc[-1]
    # median of 28 alternating 10 / 12 is 11, the MAD 1
    assert last["expected"] == 11.0
    assert last["score"] == pytest.approx((20 - 11) / 1.4826)
    assert last["episode"] == 1
    assert scored["episode"].notna().sum() == 1


def test_episodes_extend_and_bridge_gaps():
    counts = np.full(60, 25)
    counts[[40, 41, 43]] = 5
    counts[44] = 17  # mildly low: extends the episode (score between extend and threshold)
    flags = anomalies(daily_rows(counts), at="at")
    runs = episodes(flags)
    assert len(runs) == 1
    run = runs.loc[1]
    assert run["start"] == pd.Timestamp("2025-02-10") and run["end"] == pd.Timestamp(
        "2025-02-14")
    assert run["flagged_days"] == 4 and run["days"] == 5
    assert run["deviation"] == -(20 * 3 + 8)
    apart = episodes(anomalies(daily_rows(counts), at="at", gap=0))
    assert len(apart) == 2
    strict = episodes(anomalies(daily_rows(counts), at="at", extend=3.0))
    assert strict["flagged_days"].sum() == 3


def test_direction_filters():
    counts = np.full(60, 25)
    counts[40] = 5
    counts[50] = 60
    both = episodes(anomalies(daily_rows(counts), at="at"))
    assert set(both["direction"]) == {"up", "down"}
    down = episodes(anomalies(daily_rows(counts), at="at", direction="down"))
    assert down["direction"].tolist() == ["down"]
    up = episodes(anomalies(daily_rows(counts), at="at", direction="up"))
    assert up["start"].tolist() == [pd.Timestamp("2025-02-20")]


def test_rest_baseline_ignores_swings_common_to_all_segments():
    a = np.full(60, 20)
    b = np.full(60, 20)
    a[40:43] = b[40:43] = 60  # a festival: everyone up
    a[50:53] = 5  # an incident: a down alone
    table = pd.concat([daily_rows(a, seg="a"), daily_rows(b, seg="b")], ignore_index=True)
    own = episodes(anomalies(table, at="at", by="seg"))
    assert (own["start"] == pd.Timestamp("2025-02-10")).sum() == 2  # the festival, twice
    rest = anomalies(table, at="at", by="seg", baseline="rest")
    assert not (rest["date"] < pd.Timestamp("2025-02-15")).any()
    hit = rest[(rest["value"] == "a")]
    assert hit["date"].tolist() == list(pd.date_range("2025-02-20", periods=3))
    assert (hit["direction"] == "down").all()
    assert hit["expected"].to_numpy() == pytest.approx([20.0] * 3)


def test_several_dimensions_at_once():
    n = 60
    seg = np.tile(["x", "y"], n * 10)
    dev = np.tile(["p", "p", "q", "q"], n * 5)
    table = pd.DataFrame({"at": np.repeat(pd.date_range("2025-01-01", periods=n), 20),
                          "seg": seg, "dev": dev})
    drop = (table["at"] >= "2025-02-15") & (table["at"] < "2025-02-18") & (table["dev"] == "q")
    table = table[~drop.to_numpy()]
    runs = episodes(anomalies(table, at="at", by=["seg", "dev"], direction="down"))
    assert (runs.iloc[0]["dimension"], runs.iloc[0]["value"]) == ("dev", "q")


def test_flags_accept_a_boolean_rate():
    n = 60
    table = pd.DataFrame({"at": np.repeat(pd.date_range("2025-01-01", periods=n), 10)})
    ordered = np.tile([True] * 7 + [False] * 3, n)
    ordered[(np.arange(n * 10) // 10 == 45) & (np.arange(n * 10) % 10 < 5)] = False
    table["ordered"] = ordered
    flags = anomalies(table, at="at", value="ordered", how="mean")
    assert flags["date"].tolist() == [pd.Timestamp("2025-02-15")]
    assert flags.iloc[0]["actual"] == pytest.approx(0.2)


def test_nothing_unusual_gives_empty_tables():
    flags = anomalies(daily_rows(np.full(40, 10)), at="at")
    assert flags.empty and list(flags.columns) == ["dimension", "value", "date", "actual",
                                                   "expected", "deviation", "score",
                                                   "direction", "episode"]
    assert episodes(flags).empty


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"how": "mean"}, "needs the column"),
        ({"baseline": "rest"}, "no dimension"),
        ({"window_days": 3}, "at least 7"),
        ({"window_days": 7.5}, "whole number"),
        ({"threshold": 2.0, "extend": 3.0}, "extend <= threshold"),
        ({"gap": -1}, "gap"),
        ({"direction": "sideways"}, "unknown direction"),
        ({"value": ["a", "b"]}, "one column"),
    ],
)
def test_anomalies_refuses_bad_arguments(kwargs, match):
    with pytest.raises(ArgumentError, match=match):
        anomalies(daily_rows(np.full(40, 10)), at="at", **kwargs)


def test_anomalies_refuses_a_dimension_with_too_many_values():
    days = pd.date_range("2025-01-01", periods=400)
    table = pd.DataFrame({"at": days[np.arange(6000) % 400], "user": np.arange(6000)})
    with pytest.raises(DataError, match="too many daily series") as err:
        anomalies(table, at="at", by="user")
    assert err.value.column == "user"


def test_anomalies_refuses_too_few_days():
    with pytest.raises(DataError, match="day\\(s\\) of data"):
        anomalies(daily_rows(np.full(10, 10)), at="at")


def test_anomalies_refuses_missing_times():
    table = daily_rows(np.full(40, 2))
    table.loc[3, "at"] = pd.NaT
    with pytest.raises(DataError, match="missing dates"):
        anomalies(table, at="at")


def test_anomalies_refuses_an_empty_table():
    with pytest.raises(DataError, match="empty"):
        anomalies(pd.DataFrame({"at": pd.to_datetime([])}), at="at")


def test_anomalies_refuses_negative_values_against_the_rest():
    table = daily_rows(np.full(40, 2), seg=["a", "b"] * 40, amount=[-1.0, 2.0] * 40)
    with pytest.raises(DataError, match="negative"):
        anomalies(table, at="at", by="seg", value="amount", baseline="rest")


def test_episodes_refuses_other_tables():
    with pytest.raises(DataError, match="anomalies"):
        episodes(pd.DataFrame({"date": []}))


def test_anomalies_find_the_tracking_outage(users, incidents):
    outage = incidents["tracking_outage"]
    down = episodes(anomalies(users, at="signup_time", by="channel", direction="down"))
    top = down.iloc[0]
    assert top["value"] == outage["value"] == "douyin_ads"
    assert near(top["start"], outage["start"]) and near(top["end"], outage["end"])
    # against the other channels, festivals cancel out and 'unknown' is the top spike
    both = episodes(anomalies(users, at="signup_time", by="channel", baseline="rest"))
    assert (both.iloc[0]["value"], both.iloc[0]["direction"]) == ("unknown", "up")
    assert near(both.iloc[0]["start"], outage["start"])
    assert near(both.iloc[0]["end"], outage["end"])
    assert (both.iloc[1]["value"], both.iloc[1]["direction"]) == ("douyin_ads", "down")


def test_anomalies_find_the_warehouse_delay(orders, incidents):
    delay = incidents["warehouse_delay"]
    runs = episodes(anomalies(orders, at="order_time", by="warehouse", value="delivery_days",
                              how="mean"))
    top = runs.iloc[0]
    assert (top["value"], top["direction"]) == (delay["value"], "up")
    assert near(top["start"], delay["start"]) and near(top["end"], delay["end"])
    assert top["deviation_per_day"] == pytest.approx(delay["extra_days"], abs=0.5)


def test_anomalies_find_the_payment_bug(orders, events, incidents):
    bug = incidents["payment_bug"]
    # orders by device, each device against the others (the festivals cancel out)
    runs = episodes(anomalies(orders, at="order_time", by="device", baseline="rest",
                              direction="down"))
    top = runs.iloc[0]
    assert top["value"] == bug["value"] == "android"
    assert near(top["start"], bug["start"]) and near(top["end"], bug["end"])
    # the checkout step itself: orders among add-to-cart and order events, by platform
    steps = events[events["event_type"].isin(["add_to_cart", "order"])]
    steps = steps.assign(ordered=steps["event_type"].eq("order"))
    runs = episodes(anomalies(steps, at="event_time", by="platform", value="ordered",
                              how="mean"))
    top = runs.iloc[0]
    assert (top["value"], top["direction"]) == ("android", "down")
    assert near(top["start"], bug["start"]) and near(top["end"], bug["end"])


# --------------------------------------------------------------------------- targets


def test_gap_to_target_by_hand():
    out = gap_to_target(pd.Series({"gmv": 1.08e6, "cac": 85.0, "delivery_days": 2.5}),
                        {"gmv": 1.2e6, "cac": 90.0, "delivery_days": 2.0},
                        better={"cac": "lower", "delivery_days": "lower"})
    assert out.loc["gmv", "gap"] == pytest.approx(-120000.0)
    assert out.loc["gmv", "gap_pct"] == pytest.approx(-0.1)
    assert out.loc["gmv", "attainment"] == pytest.approx(0.9)
    assert out["met"].tolist() == [False, True, False]
    # where lower is better attainment is target / actual: 100% or more means met
    assert out.loc["cac", "attainment"] == pytest.approx(90 / 85)
    assert out.loc["delivery_days", "attainment"] == pytest.approx(0.8)
    assert ((out["attainment"] >= 1) == out["met"]).all()
    assert out["better"].tolist() == ["higher", "lower", "lower"]
    assert list(out.index) == ["gmv", "cac", "delivery_days"]


def test_gap_to_target_with_a_zero_target():
    out = gap_to_target({"refunds": 3.0}, {"refunds": 0.0}, better="lower")
    assert np.isnan(out.loc["refunds", "gap_pct"]) and not out.loc["refunds", "met"]


def test_gap_to_target_refuses_misaligned_metrics():
    with pytest.raises(DataError, match="do not match") as err:
        gap_to_target({"gmv": 1.0, "aov": 2.0}, {"gmv": 1.0, "cac": 2.0})
    assert "aov" in err.value.reason and "cac" in err.value.reason


def test_gap_to_target_refuses_a_bad_direction():
    with pytest.raises(ArgumentError, match="unknown better"):
        gap_to_target({"gmv": 1.0}, {"gmv": 1.0}, better="more")
    with pytest.raises(ArgumentError, match="no target"):
        gap_to_target({"gmv": 1.0}, {"gmv": 1.0}, better={"cac": "lower"})


def test_gap_to_target_refuses_missing_values():
    with pytest.raises(DataError, match="missing values"):
        gap_to_target({"gmv": np.nan}, {"gmv": 1.0})
