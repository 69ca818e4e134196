"""RFM, member tiers and tags: hand-computed examples, properties, course data, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from helpers import named

import coursekit
from coursekit.errors import CourseError, DataError
from coursekit.segments import (
    RFM_SEGMENTS,
    SEGMENTS,
    SEGMENTS_EN,
    TAG_KINDS,
    TIERS,
    Tag,
    TagEngine,
    assign_tiers,
    coverage,
    default_tags,
    profile,
    rfm,
    segment_summary,
    tgi,
    tier_points,
    tier_transitions,
    transition_matrix,
    user_features,
)

# The classic mapping, written out by hand (code = R F M, 1 = high, R high = recent).
CLASSIC = {
    "111": ("重要价值客户", "important value"),
    "101": ("重要发展客户", "important development"),
    "011": ("重要保持客户", "important retention"),
    "001": ("重要挽留客户", "important win-back"),
    "110": ("一般价值客户", "general value"),
    "100": ("一般发展客户", "general development"),
    "010": ("一般保持客户", "general retention"),
    "000": ("一般挽留客户", "general win-back"),
}


def col_names(err: CourseError) -> list[str]:
    c = named(err)
    return [] if c is None else [c] if isinstance(c, str) else list(c)


# --------------------------------------------------------------------------- course data


# --------------------------------------------------------------------------- RFM by hand


def eight_customers() -> pd.DataFrame:
    """One customer per code; asof 2025-07-01.

    R high: last order 2025-06-30 (recency 1), else 2025-03-23 (recency 100);
    F high: 5 orders, else 1; M high: 1000 in total, else 10.
    Means: recency (4 x 1 + 4 x 100) / 8 = 50.5, frequency 24 / 8 = 3, monetary 505.
    """
    rows = []
    for cid, code in enumerate(CLASSIC, start=1):
        r, f, m = (c == "1" for c in code)
        last = "2025-06-30" if r else "2025-03-23"
        n = 5 if f else 1
        total = 1000.0 if m else 10.0
        dates = [f"2025-01-0{k}" for k in range(1, n)] + [last]
        rows += [(cid, d, total / n) for d in dates]
    return pd.DataFrame(rows, columns=["user_id", "order_time", "amount"]).assign(
        order_time=lambda d: pd.to_datetime(d["order_time"]))


def test_rfm_all_eight_codes_by_hand():
    t = rfm(eight_customers(), asof="2025-07-01")
    cut = t[["recency_days", "frequency", "monetary"]].mean().to_dict()  # the thresholds
    assert cut == {"recency_days": 50.5, "frequency": 3.0, "monetary": 505.0}
    assert t["recency_days"].tolist() == [1, 1, 100, 100, 1, 1, 100, 100]
    assert t["frequency"].tolist() == [5, 1, 5, 1, 5, 1, 5, 1]
    assert t["monetary"].tolist() == [1000.0] * 4 + [10.0] * 4
    assert t["code"].astype(str).tolist() == list(CLASSIC)
    for code, row in zip(CLASSIC, t.itertuples(), strict=True):
        assert (row.segment, row.segment_en) == CLASSIC[code], code
        assert f"{row.r_score}{row.f_score}{row.m_score}" == code


def test_rfm_segments_table_and_categorical_order():
    assert list(RFM_SEGMENTS.index) == list(CLASSIC)
    for code, row in RFM_SEGMENTS.iterrows():
        assert (row["segment"], row["segment_en"]) == CLASSIC[code]
        assert [row[k] == "high" for k in "RFM"] == [c == "1" for c in code]
        assert len(row["action"]) > 20
    t = rfm(eight_customers())
    assert t["segment"].cat.ordered and list(t["segment"].cat.categories) == SEGMENTS
    assert list(t["segment_en"].cat.categories) == SEGMENTS_EN


def test_ties_equal_values_equal_scores_and_threshold_value_is_low():
    # c1, c2 identical; frequencies 2, 2, 1, 3 -> mean 2: a value equal to the mean is low
    o = pd.DataFrame({
        "user_id": [1, 1, 2, 2, 3, 4, 4, 4],
        "order_time": pd.to_datetime(["2025-05-01", "2025-06-01"] * 2
                                     + ["2025-06-10", "2025-03-01", "2025-04-01", "2025-06-01"]),
        "amount": [50.0, 50.0, 50.0, 50.0, 100.0, 100.0, 100.0, 100.0],
    })
    t = rfm(o, asof="2025-07-01")
    assert t["frequency"].mean() == 2.0  # the threshold
    assert t.loc[1].equals(t.loc[2])
    assert t["f_score"].tolist() == [0, 0, 0, 1]
    # monetary 100, 100, 100, 300 -> mean 150; recency 30, 30, 21, 30 -> mean 27.75
    assert t["m_score"].tolist() == [0, 0, 0, 1]
    assert t["r_score"].tolist() == [0, 0, 1, 0]
    # the same totals reached by adding in another order compare equal
    decimals = pd.DataFrame({"user_id": [1, 1, 1, 2, 2, 2],
                             "order_time": pd.to_datetime(["2025-06-01"] * 6),
                             "amount": [0.1, 0.2, 0.3, 0.3, 0.2, 0.1]})
    d = rfm(decimals)
    assert d.loc[1, "monetary"] == d.loc[2, "monetary"] == 0.6
    assert d.loc[1, "segment"] == d.loc[2, "segment"]


def test_mean_versus_median_threshold():
    # frequencies 1, 1, 1, 2, 5 (mean 2, median 1); amounts 10, 10, 20, 40, 420 (mean 100,
    # median 20); all last orders on 2025-06-01 except customer 5 (2025-01-01)
    o = pd.DataFrame({
        "user_id": [1, 2, 3, 4, 4] + [5] * 5,
        "order_time": pd.to_datetime(["2025-06-01"] * 5 + ["2025-01-01"] * 5),
        "amount": [10.0, 10.0, 20.0, 20.0, 20.0] + [84.0] * 5,
    })
    mean = rfm(o, asof="2025-07-01")
    median = rfm(o, asof="2025-07-01", threshold="median")
    rfm_cols = ["recency_days", "frequency", "monetary"]
    assert mean[rfm_cols].mean().to_dict() == {"recency_days": 60.2, "frequency": 2.0,
                                               "monetary": 100.0}
    assert median[rfm_cols].median().to_dict() == {"recency_days": 30.0, "frequency": 1.0,
                                                   "monetary": 20.0}
    assert mean["f_score"].tolist() == [0, 0, 0, 0, 1]
    assert median["f_score"].tolist() == [0, 0, 0, 1, 1]
    assert mean["m_score"].tolist() == [0, 0, 0, 0, 1]
    assert median["m_score"].tolist() == [0, 0, 0, 1, 1]
    # recency 30, 30, 30, 30, 181: below the mean 60.2 -> high; the median 30 -> nobody
    assert mean["r_score"].tolist() == [1, 1, 1, 1, 0]
    assert median["r_score"].tolist() == [0, 0, 0, 0, 0]
    assert mean["segment_en"].tolist()[-1] == "important retention"
    fixed = rfm(o, asof="2025-07-01",
                threshold={"recency_days": 31, "frequency": 1, "monetary": 30})
    assert fixed["code"].astype(str).tolist() == ["100", "100", "100", "111", "011"]


def test_quintiles_share_scores_on_ties():
    o = pd.DataFrame({
        "user_id": [1, 2, 3, 4, 4] + [5] * 5,
        "order_time": pd.to_datetime(["2025-06-01", "2025-06-01", "2025-05-01", "2025-06-20",
                                      "2025-06-21"] + ["2025-01-01"] * 5),
        "amount": [10.0, 10.0, 20.0, 20.0, 20.0] + [84.0] * 5,
    })
    t = rfm(o, asof="2025-07-01", quintiles=True)
    # frequency 1, 1, 1, 2, 5: strictly fewer 0, 0, 0, 3, 4 -> 1 + 5 * k // 5
    assert t["f_quintile"].tolist() == [1, 1, 1, 4, 5]
    # recency 30, 30, 61, 10, 181: customers strictly less recent 2, 2, 1, 4, 0
    assert t["r_quintile"].tolist() == [3, 3, 2, 5, 1]
    # monetary 10, 10, 20, 40, 420
    assert t["m_quintile"].tolist() == [1, 1, 3, 4, 5]


# --------------------------------------------------------------------------- RFM properties


def test_orders_after_asof_are_ignored(course):
    o = course["orders"]
    cut = pd.Timestamp("2025-07-01")
    full = rfm(o, asof=cut)
    before = rfm(o[o["order_time"] < cut], asof=cut)
    pd.testing.assert_frame_equal(full, before)
    assert full["recency_days"].min() >= 1
    late_only = set(o["user_id"]) - set(o.loc[o["order_time"] < cut, "user_id"])
    assert late_only and not late_only & set(full.index)


def test_rfm_properties_on_course_data(course):
    o = course["orders"]
    t = rfm(o)
    assert t.index.is_unique and t.index.is_monotonic_increasing
    assert len(t) == o["user_id"].nunique()
    assert t["segment"].notna().all() and t["segment_en"].notna().all()
    assert int(t["frequency"].sum()) == len(o)
    assert t["monetary"].sum() == pytest.approx(o["amount"].sum(), rel=1e-12)
    s = segment_summary(t)
    assert list(s.index) == SEGMENTS
    assert int(s["customers"].sum()) == len(t)
    assert s["customer_share"].sum() == pytest.approx(1.0)
    assert s["revenue_share"].sum() == pytest.approx(1.0)
    assert s.loc["重要价值客户", "revenue_share"] > s.loc["重要价值客户", "customer_share"]
    assert "revenue" not in segment_summary(t, revenue=False).columns
    shuffled = o.sample(frac=1.0, random_state=3)
    pd.testing.assert_frame_equal(rfm(shuffled), t)


def test_segment_summary_keeps_empty_segments():
    o = pd.DataFrame({"user_id": [1, 1, 2, 3],
                      "order_time": pd.to_datetime(["2025-06-01", "2025-06-20", "2025-06-25",
                                                    "2025-01-10"]),
                      "amount": [100.0, 200.0, 60.0, 40.0]})
    # asof 2025-06-26: recency 6, 1, 167 (mean 58); orders 2, 1, 1; money 300, 60, 40
    # -> codes 111, 100, 000
    s = segment_summary(rfm(o))
    assert s["customers"].tolist() == [1, 0, 0, 0, 0, 1, 0, 1]
    assert s["revenue_share"].tolist() == pytest.approx([0.75, 0, 0, 0, 0, 0.15, 0, 0.1])
    assert np.isnan(s.loc["重要保持客户", "monetary"])
    with pytest.raises(DataError) as err:
        segment_summary(rfm(o).drop(columns="monetary"))
    assert "monetary" in col_names(err.value)


def test_cdnow_works():
    cd = coursekit.load("cdnow")
    t = rfm(cd, customer="customer_id", at="order_date", quintiles=True)
    assert len(t) == cd["customer_id"].nunique() == 23_570
    assert t["recency_days"].min() == 1  # default asof: midnight after the last order day
    assert int(t["frequency"].sum()) == len(cd)
    assert t.loc[1, "recency_days"] == 546  # one purchase on 1997-01-01
    s = segment_summary(t)
    assert int(s["customers"].sum()) == len(t)
    assert s["revenue_share"].sum() == pytest.approx(1.0)
    # heavy tail: the important-value customers are a minority with most of the revenue
    top = s.loc["重要价值客户"]
    assert top["customer_share"] < 0.3 and top["revenue_share"] > 0.5


# --------------------------------------------------------------------------- bad input


def good_orders() -> pd.DataFrame:
    return pd.DataFrame({
        "user_id": [1, 2, 2],
        "order_time": pd.to_datetime(["2025-01-03", "2025-02-01", "2025-03-01"]),
        "amount": [30.0, 12.5, 20.0],
    })


def _set(col, values):
    def change(df):
        df = df.copy()
        df[col] = pd.Series(values, index=df.index, dtype=object)
        return df
    return change


BAD_ORDERS = {
    "missing column": (lambda d: d.drop(columns="amount"), "amount"),
    "text amounts": (_set("amount", ["30", "12,5", "20"]), "amount"),
    "infinite amounts": (lambda d: d.assign(amount=[30.0, np.inf, 1.0]), "amount"),
    "negative amounts": (lambda d: d.assign(amount=[30.0, -12.5, 20.0]), "amount"),
    "missing dates": (lambda d: d.assign(order_time=[d["order_time"][0], pd.NaT,
                                                     d["order_time"][2]]), "order_time"),
    "unparseable dates": (_set("order_time", ["2025-01-03", "yesterday", "2025-03-01"]),
                          "order_time"),
    "mixed time zones": (_set("order_time", [pd.Timestamp("2025-01-03", tz="UTC"),
                                             pd.Timestamp("2025-02-01", tz="Asia/Shanghai"),
                                             pd.Timestamp("2025-03-01", tz="UTC")]),
                         "order_time"),
    "missing customer ids": (lambda d: d.assign(user_id=[1.0, np.nan, 2.0]), "user_id"),
}


@pytest.mark.parametrize("case", list(BAD_ORDERS))
def test_bad_orders_name_the_column(case):
    change, column = BAD_ORDERS[case]
    bad = change(good_orders())
    calls = {
        "rfm": lambda: rfm(bad),
        "tier_points": lambda: tier_points(bad),
        "tier_transitions": lambda: tier_transitions(bad, None, ["2025-02-15", "2025-03-15"]),
        "user_features": lambda: user_features(
            pd.DataFrame({"user_id": [1, 2]}), bad,
            pd.DataFrame({"user_id": [1], "session_id": [1],
                          "event_time": pd.to_datetime(["2025-01-02"]),
                          "event_type": ["view"]})),
    }
    for name, call in calls.items():
        with pytest.raises(DataError) as err:
            call()
        assert column in col_names(err.value), (name, err.value)
        assert err.value.table == "orders", name
        if case == "negative amounts":
            assert "refund" in err.value.fix


def test_empty_input_and_asof_before_the_data():
    empty = good_orders().iloc[:0]
    for call in (lambda: rfm(empty), lambda: tier_points(empty)):
        with pytest.raises(CourseError, match="empty") as err:
            call()
        assert err.value.table == "orders"
    for call in (lambda: rfm(good_orders(), asof="2024-12-31"),
                 lambda: rfm(good_orders(), asof="2025-01-03"),
                 lambda: tier_points(good_orders(), asof="2024-06-01"),
                 lambda: tier_transitions(good_orders(), None, ["2024-12-01", "2025-02-01"])):
        with pytest.raises(CourseError) as err:
            call()
        assert col_names(err.value) == ["asof"]
    with pytest.raises(CourseError) as err:
        rfm(good_orders(), asof="end of June")
    assert col_names(err.value) == ["asof"]
    with pytest.raises(CourseError) as err:
        rfm(good_orders(), threshold="mode")
    assert col_names(err.value) == ["threshold"]


def test_bad_events_name_the_column():
    events = pd.DataFrame({"user_id": [1, 2], "session_id": [1, 2],
                           "event_time": pd.to_datetime(["2025-01-02", "2025-01-05"]),
                           "event_type": ["view", None]})
    with pytest.raises(CourseError) as err:
        tier_points(good_orders(), events)
    assert col_names(err.value) == ["event_type"] and err.value.table == "events"
    bad_time = events.assign(event_type="view", event_time=["2025-01-02", "soon"])
    with pytest.raises(CourseError) as err:
        tier_points(good_orders(), bad_time)
    assert col_names(err.value) == ["event_time"]
    with pytest.raises(CourseError) as err:
        tier_points(good_orders(), events.assign(event_type="view"), weights={"veiw": 1})
    assert col_names(err.value) == ["weights"]
    users = pd.DataFrame({"user_id": [1]})  # customer 2 is missing
    with pytest.raises(CourseError) as err:
        user_features(users, good_orders(), events.assign(event_type="view"))
    assert col_names(err.value) == ["user_id"]


# --------------------------------------------------------------------------- member tiers


def test_tier_points_by_hand():
    orders = pd.DataFrame({"user_id": [1, 1, 2, 3],
                           "order_time": pd.to_datetime(["2024-06-30 00:00", "2024-07-01 00:00",
                                                         "2025-06-30 23:00", "2025-07-01 00:00"]),
                           "amount": [1000.0, 500.0, 100.0, 70.0]})
    events = pd.DataFrame({"user_id": [2, 2, 2, 4, 4],
                           "event_time": pd.to_datetime(["2025-01-01"] * 4 + ["2023-01-01"]),
                           "event_type": ["view", "share", "order", "invite", "view"]})
    p = tier_points(orders, events, asof="2025-07-01")
    # window [2024-07-01, 2025-07-01): c1 keeps 500; c2 100 + 0.1 + 5 (order events earn
    # nothing); c3's order is at asof (ignored) but it is not a customer yet; c4: invite 10
    assert list(p.index) == [1, 2, 4]
    assert p["spend"].tolist() == [500.0, 100.0, 0.0]
    assert p["engagement_points"].tolist() == [0.0, 5.1, 10.0]
    assert p["points"].tolist() == [500.0, 105.1, 10.0]
    spend_only = tier_points(orders, events, asof="2025-07-01", weights={"amount": 2})
    assert spend_only["points"].tolist() == [1000.0, 200.0, 0.0]
    all_time = tier_points(orders, None, asof="2025-07-01", window_days=None)
    assert all_time["points"].tolist() == [1500.0, 100.0]


def test_assign_tiers_cutoffs_and_quantiles():
    pts = pd.Series([0.0, 149.9, 150.0, 600.0, 1499.9, 1500.0], name="points")
    assert assign_tiers(pts).tolist() == ["bronze", "bronze", "silver", "gold", "gold",
                                          "platinum"]
    custom = assign_tiers(pts, {"platinum": 1000, "gold": 500, "silver": 100})
    assert custom.tolist() == ["bronze", "silver", "silver", "gold", "platinum", "platinum"]
    assert list(custom.cat.categories) == TIERS and custom.cat.ordered
    # 100 customers with 0 points and 1..100: quantile bars never lift the zeros
    many = pd.Series(np.r_[np.zeros(100), np.arange(1.0, 101.0)])
    q = assign_tiers(many, quantiles={"platinum": 0.95, "gold": 0.8, "silver": 0.5})
    counts = q.value_counts().reindex(TIERS).tolist()
    assert counts == [100, 60, 30, 10]
    for bad in ({"platinum": 100, "gold": 500, "silver": 50}, {"gold": 5, "silver": 1}):
        with pytest.raises(CourseError) as err:
            assign_tiers(pts, bad)
        assert col_names(err.value) == ["cutoffs"]
    with pytest.raises(CourseError) as err:
        assign_tiers(pts.astype(str))
    assert col_names(err.value) == ["points"]


def test_spend_only_points_reproduce_the_company_tiers(course):
    pts = tier_points(course["orders"], None, asof="2026-01-01",
                      weights={"amount": 1})
    mine = assign_tiers(pts).astype(str)
    theirs = course["users"].set_index("user_id")["member_tier"].astype(str).reindex(mine.index)
    assert (mine == theirs).all()


def test_transition_matrix_by_hand():
    before = pd.Series(["bronze", "gold", "silver", "platinum"], index=[1, 2, 3, 4])
    after = pd.Series(["silver", "gold", "bronze"], index=[1, 2, 5])
    m = transition_matrix(before, after)
    assert list(m.index) == [*TIERS, "new"] and list(m.columns) == [*TIERS, "left"]
    assert m.loc["bronze", "silver"] == 1 and m.loc["gold", "gold"] == 1
    assert m.loc["silver", "left"] == 1 and m.loc["platinum", "left"] == 1
    assert m.loc["new", "bronze"] == 1 and int(m.to_numpy().sum()) == 5
    with pytest.raises(DataError):
        transition_matrix(pd.Series(["diamond"], index=[1]), after)


def test_tier_transitions_conserve_users(course):
    dates = pd.date_range("2025-01-01", "2026-01-01", freq="MS")
    flows = tier_transitions(course["orders"], course["events"], dates)
    tiers, counts, m, monthly = flows.tiers, flows.counts, flows.matrix, flows.monthly
    assert list(tiers.columns) == list(dates) and list(counts.index) == list(dates)
    assert len(tiers) == course["users"]["user_id"].nunique()  # every user has a signup event
    # the matrix moves every customer of the last date exactly once
    assert "left" not in m.columns
    assert int(m.to_numpy().sum()) == int(counts.iloc[-1].sum()) == len(tiers)
    assert m.loc[TIERS].sum(axis=1).tolist() == counts.iloc[0].tolist()
    assert m.sum(axis=0).tolist() == counts.iloc[-1].tolist()
    assert (monthly["customers"] == counts.iloc[1:].sum(axis=1)).all()
    parts = monthly[["new", "stayed", "upgraded", "downgraded"]].sum(axis=1)
    assert (parts == monthly["customers"]).all()
    assert (monthly["upgraded"] > 0).all() and (monthly["downgraded"] > 0).all()
    # the last column agrees with computing the points on that day directly
    direct = assign_tiers(tier_points(course["orders"], course["events"], asof=dates[-1]))
    assert (tiers[dates[-1]].astype(str) == direct.astype(str).reindex(tiers.index)).all()


# --------------------------------------------------------------------------- tags


def ten_users() -> pd.DataFrame:
    return pd.DataFrame(
        {"orders": [3, 2, 5, 0, 1, 4, 0, 0, 1, 0],
         "city_tier": ["1", "1", "1", "2", "1", "1", "3", "3", "2", "4+"]},
        index=pd.Index(range(101, 111), name="user_id"))


def test_tag_engine_coverage_profile_and_tgi_by_hand():
    engine = TagEngine([
        Tag("repeat_buyer", "behavioural", lambda f: f["orders"] >= 2, "two orders or more"),
        Tag("tier1_city", "descriptive", lambda f: f["city_tier"] == "1", "tier-1 city"),
        Tag("whale", "behavioural", lambda f: f["orders"] >= 10, "ten orders or more"),
    ])
    tags = engine.apply(ten_users())
    assert tags.dtypes.tolist() == [np.dtype(bool)] * 3
    # repeat buyers: 101, 102, 103, 106 (4 of 10); tier-1: 101, 102, 103, 105, 106 (5 of 10)
    cov = coverage(tags, catalog=engine.catalog())
    assert cov["users"].tolist() == [4, 5, 0]
    assert cov["coverage"].tolist() == [0.4, 0.5, 0.0]
    assert cov["kind"].tolist() == ["behavioural", "descriptive", "behavioural"]
    assert "kind" not in coverage(tags)  # kinds come from the catalog
    p = profile(tags, 101, catalog=engine.catalog())
    assert list(p.index) == ["tier1_city", "repeat_buyer"]  # descriptive before behavioural
    assert p["description"].tolist() == ["tier-1 city", "two orders or more"]
    assert profile(tags, 104).empty
    # target group: 101, 102, 104, 105 (4 users)
    target = pd.Series([True, True, False, True, True] + [False] * 5, index=tags.index)
    out = tgi(tags, target, catalog=engine.catalog())
    # repeat: 2 of 4 targets (101, 102) vs 4 of 10 -> 0.5 / 0.4 x 100 = 125
    # tier-1: 3 of 4 targets (101, 102, 105) vs 5 of 10 -> 0.75 / 0.5 x 100 = 150
    assert out["target_users"].tolist() == [2, 3, 0]
    assert out["all_users"].tolist() == [4, 5, 0]
    assert out["tgi"].iloc[:2].tolist() == pytest.approx([125.0, 150.0])
    assert np.isnan(out["tgi"].iloc[2])
    assert out["kind"].tolist() == ["behavioural", "descriptive", "behavioural"]
    same = tgi(tags, target.to_numpy(), catalog=engine.catalog())
    pd.testing.assert_frame_equal(same, out)


def test_tag_errors():
    with pytest.raises(DataError) as err:
        Tag("x", "demographic", lambda f: f["orders"] > 0)
    assert col_names(err.value) == ["kind"]
    with pytest.raises(DataError):
        TagEngine([Tag("a", "scenario", lambda f: f["orders"] > 0)] * 2)
    engine = TagEngine([Tag("spender", "behavioural", lambda f: f["spend"] > 100)])
    with pytest.raises(DataError) as err:
        engine.apply(ten_users())
    assert col_names(err.value) == ["spend"]
    engine = TagEngine([Tag("count", "behavioural", lambda f: f["orders"] * 2)])
    with pytest.raises(DataError) as err:
        engine.apply(ten_users())
    assert col_names(err.value) == ["count"]
    tags = TagEngine([Tag("r", "behavioural", lambda f: f["orders"] >= 2)]).apply(ten_users())
    with pytest.raises(DataError, match="empty"):
        tgi(tags, pd.Series(False, index=tags.index))
    with pytest.raises(DataError, match="not in the target"):
        tgi(tags, pd.Series(True, index=tags.index[:3]))
    with pytest.raises(DataError):
        profile(tags, 999)


def test_user_features_by_hand():
    users = pd.DataFrame({"user_id": [1, 2, 3], "device": ["ios", "android", "ios"],
                          "signup_time": pd.to_datetime(["2025-06-01", "2025-06-02",
                                                         "2025-07-15"])})
    orders = pd.DataFrame({"order_id": [10, 11, 12], "user_id": [1, 1, 2],
                           "order_time": pd.to_datetime(["2025-06-07 10:00", "2025-06-20 23:00",
                                                         "2025-06-10 12:00"]),
                           "amount": [80.0, 40.0, 30.0], "discount": [10.0, 0.0, 0.0]})
    # sessions: 1 Sat 09:55, 2 Fri 22:50, 3 Tue 02:00 (user 1); 4 Tue 12:00 (user 2)
    events = pd.DataFrame({
        "user_id": [1, 1, 1, 1, 2, 2],
        "session_id": [1, 1, 2, 3, 4, 4],
        "event_time": pd.to_datetime(["2025-06-07 09:55", "2025-06-07 10:00",
                                      "2025-06-20 22:50", "2025-06-24 02:00",
                                      "2025-06-10 12:00", "2025-06-10 12:01"]),
        "event_type": ["view", "add_to_cart", "share", "view", "search", "view"],
    })
    items = pd.DataFrame({"order_id": [10, 10, 11, 12], "product_id": [1, 2, 1, 2],
                          "amount": [30.0, 50.0, 40.0, 30.0]})
    products = pd.DataFrame({"product_id": [1, 2], "category": ["tea", "nuts"]})
    f = user_features(users, orders, events, asof="2025-07-01", order_items=items,
                      products=products)
    assert list(f.index) == [1, 2]  # user 3 signed up after asof
    assert f["orders"].tolist() == [2, 1]
    assert f["recency_days"].tolist() == [11.0, 21.0]
    assert f["tenure_days"].tolist() == [30, 29]
    assert f["coupon_share"].tolist() == [0.5, 0.0]
    assert f["sessions"].tolist() == [3, 1]
    assert f["weekend_share"].tolist() == [pytest.approx(1 / 3), 0.0]
    assert f["late_night_share"].tolist() == [pytest.approx(2 / 3), 0.0]
    assert f["active_days"].tolist() == [3, 1]
    assert f[["views", "searches", "carts", "shares"]].to_numpy().tolist() == [
        [2, 0, 1, 1], [1, 1, 0, 0]]
    # user 1: tea 30 + 40 = 70 > nuts 50
    assert f["favourite_category"].astype(str).tolist() == ["tea", "nuts"]
    assert f["device"].astype(str).tolist() == ["ios", "android"]


def test_default_tags_on_course_data(course):
    f = user_features(course["users"], course["orders"], course["events"],
                      order_items=course["order_items"], products=course["products"])
    assert len(f) == len(course["users"]) and f.index.is_unique
    tags = default_tags()
    assert len(tags) >= 12 and {t.kind for t in tags} == set(TAG_KINDS)
    engine = TagEngine(tags)
    tag_frame = engine.apply(f)
    cov = coverage(tag_frame, catalog=engine.catalog())
    assert cov["coverage"].between(0, 1).all()
    assert (cov.groupby("kind")["users"].max() > 0).all()
    assert (cov["users"] > 0).sum() >= 12
    # the repeat-buyer tag and RFM agree on who has two orders or more
    t = rfm(course["orders"])
    assert cov.loc["repeat_buyer", "users"] == int((t["frequency"] >= 2).sum())
    target = (t["segment"] == "重要价值客户").reindex(tag_frame.index, fill_value=False)
    out = tgi(tag_frame, target)
    assert out.loc["repeat_buyer", "tgi"] > 100 and out.loc["browser_not_buyer", "tgi"] == 0
