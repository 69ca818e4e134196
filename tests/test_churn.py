"""Churn early warning: no leakage, hand-worked features and metrics, the course data, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from helpers import named
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits

import coursekit
from coursekit import churn
from coursekit.data import truth
from coursekit.errors import ArgumentError, CourseError

CUT = pd.Timestamp("2025-07-01")


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Small models gain nothing from threads, and OpenMP threads competing with other
    test workers for the same cores slow gradient boosting down tenfold."""
    with threadpool_limits(limits=1):
        yield


def when(values: list[str]) -> pd.DatetimeIndex:
    return pd.to_datetime(values, format="ISO8601")


# --------------------------------------------------------------------------- tiny data


def tiny_orders() -> pd.DataFrame:
    """c1: three orders, two delivered late (both known by the cut-off).
    c2: an order exactly 30 days before the cut-off, one on time, and one late order whose
    promised date (3 days) is still ahead on the cut-off day, so it is not known as late.
    c3: orders only after the cut-off."""
    return pd.DataFrame({
        "order_id": [1, 2, 3, 6, 4, 5, 7],
        "user_id": [1, 1, 1, 2, 2, 2, 3],
        "order_time": when(["2025-01-01", "2025-05-01", "2025-06-20", "2025-06-01",
                                      "2025-06-25", "2025-06-29 12:00", "2025-07-05"]),
        "amount": [10.0, 20.0, 30.0, 1.0, 5.0, 7.0, 99.0],
        "promised_days": [2, 2, 2, 3, 3, 3, 2],
        "delivery_days": [4, 1, 3, 3, 2, 5, 9],
    })


def tiny_tickets() -> pd.DataFrame:
    return pd.DataFrame({
        "ticket_id": [1, 2, 3],
        "order_id": [3, 5, 1],
        "user_id": [1, 2, 1],
        "created_time": when(["2025-06-24", "2025-07-03", "2025-01-06"]),
        "satisfaction": pd.array([1, 2, None], dtype="Int64"),
    })


def tiny_events() -> pd.DataFrame:
    return pd.DataFrame({
        "user_id": [1, 1, 1, 2, 2, 2],
        "session_id": [10, 10, 11, 12, 12, 13],
        "event_time": when(["2025-06-25 10:00", "2025-06-25 10:05", "2025-05-15",
                                      "2025-06-30 23:00", "2025-07-01 01:00", "2025-07-02"]),
    })


def tiny_users() -> pd.DataFrame:
    return pd.DataFrame({"user_id": [1, 2, 3], "channel": ["a", "b", "b"],
                         "device": ["ios", "ios", "android"], "city_tier": ["1", "2", "2"]})


def tiny_features(**kwargs) -> pd.DataFrame:
    return churn.features(tiny_orders(), asof=CUT, tickets=tiny_tickets(),
                          events=tiny_events(), users=tiny_users(), window_days=(30,), **kwargs)


def test_features_by_hand():
    f = tiny_features()
    assert f.index.tolist() == [1, 2] and f.index.name == "user_id"
    expected = {
        "recency_days": [11.0, 1.5],
        "tenure_days": [181.0, 30.0],
        "frequency": [3.0, 3.0],
        "monetary": [60.0, 13.0],
        "avg_amount": [20.0, 13 / 3],
        "orders_30d": [1.0, 3.0],          # [06-01, 07-01): 06-01 00:00 counts
        "orders_prev_30d": [0.0, 0.0],     # [05-02, 06-01): 05-01 does not
        "late_share": [2 / 3, 0.0],        # c2's late order is not due yet
        "last_order_late": [1.0, 0.0],
        "complaints": [2.0, 0.0],          # c2's ticket comes after the cut-off
        "low_satisfaction": [1.0, 0.0],
        "last_order_complaint": [1.0, 0.0],
        "sessions_30d": [1.0, 1.0],        # a session is dated by its first event
        "sessions_prev_30d": [1.0, 0.0],
        "visit_recency_days": [5 + 14 / 24, 1 / 24],
        "channel=a": [1.0, 0.0],
        "channel=b": [0.0, 1.0],
        "device=ios": [1.0, 1.0],
    }
    for col, values in expected.items():
        np.testing.assert_allclose(f[col].to_numpy(), values, err_msg=col)
    assert (f.dtypes == "float64").all()
    assert not f.isna().any().any()


def test_features_without_optional_tables_or_delivery():
    orders = tiny_orders().drop(columns=["promised_days", "delivery_days", "order_id"])
    f = churn.features(orders, asof=CUT, promised=None, delivered=None)
    assert list(f.columns) == ["recency_days", "tenure_days", "frequency", "monetary",
                               "avg_amount", "orders_30d", "orders_prev_30d", "orders_90d",
                               "orders_prev_90d"]
    assert churn.features(tiny_orders(), asof=CUT, active_days=5).index.tolist() == [2]


def test_labels_boundaries_and_the_end_of_the_data():
    orders = pd.DataFrame({"user_id": [1, 1, 2, 2, 3, 4, 5],
                           "order_time": when([
                               "2025-01-01", "2025-07-01",          # at the cut-off: stays
                               "2025-01-01", "2025-07-31",          # at cut-off + 30: churned
                               "2025-06-30 23:59",                  # no later order: churned
                               "2025-07-10",                        # new after the cut-off
                               "2025-09-30"])})
    got = churn.labels(orders, asof=CUT, horizon_days=30)
    assert got["churned"].to_dict() == {1: 0, 2: 1, 3: 1}
    assert got["orders_in_horizon"].tolist() == [1, 0, 0]
    churn.labels(orders, asof=CUT, horizon_days=92)                      # ends 2025-10-01
    with pytest.raises(ArgumentError, match="runs past the end") as err:
        churn.labels(orders, asof=CUT, horizon_days=93)
    assert err.value.name == "horizon_days"
    with pytest.raises(ArgumentError, match="runs past"):
        churn.labels(orders, asof=CUT, horizon_days=30, data_end="2025-07-15")


def test_training_frame_joins_features_and_labels():
    frame = churn.training_frame(tiny_orders(), asof=CUT, horizon_days=5,
                                 tickets=tiny_tickets(), events=tiny_events())
    assert frame["churned"].tolist() == [1.0, 1.0]
    assert list(frame.columns[:-1]) == list(
        churn.features(tiny_orders(), asof=CUT, tickets=tiny_tickets(),
                       events=tiny_events()).columns)


# --------------------------------------------------------------------------- no leakage


def course_features(t: dict) -> pd.DataFrame:
    return churn.features(t["orders"], asof=CUT, tickets=t["tickets"],
                          events=t["events"], users=t["users"])


def test_rows_at_or_after_the_cutoff_do_not_change_features(course):
    before = course_features(course)
    rng = np.random.default_rng(5)
    o = course["orders"].copy()
    late = o["order_time"] >= CUT
    o.loc[late, "order_time"] += pd.to_timedelta(rng.integers(0, 40, late.sum()), unit="D")
    o.loc[late, "amount"] *= 3
    o.loc[late, "delivery_days"] += 4
    o = o.drop(o.index[late.to_numpy()][::3])
    tk = course["tickets"].copy()
    after = tk["created_time"] >= CUT
    tk.loc[after, "satisfaction"] = 1
    tk.loc[after, "created_time"] += pd.Timedelta(days=3)
    ev = course["events"]
    ev = ev[ev["event_time"] < CUT]                      # every later event gone
    changed = {"orders": o, "tickets": tk, "events": ev, "users": course["users"]}
    pd.testing.assert_frame_equal(course_features(changed), before)
    # Even with nothing at all after the cut-off.
    cut_all = {**changed, "orders": o[o["order_time"] < CUT], "tickets": tk[~after]}
    pd.testing.assert_frame_equal(course_features(cut_all), before)


def test_rows_before_the_cutoff_do_not_change_labels(course):
    before = churn.labels(course["orders"], asof=CUT)
    rng = np.random.default_rng(6)
    o = course["orders"].copy()
    early = (o["order_time"] < CUT).to_numpy()
    o.loc[early, "amount"] *= 2
    o.loc[early, "delivery_days"] += 7
    o.loc[early, "order_time"] -= pd.to_timedelta(rng.integers(0, 20, early.sum()), unit="D")
    # Drop every repeat order before the cut-off (each customer keeps one) and add copies.
    repeat = early & o["user_id"].duplicated().to_numpy()
    extra = o[early].sample(500, random_state=1)
    o = pd.concat([o[~repeat], extra], ignore_index=True)
    pd.testing.assert_frame_equal(churn.labels(o, asof=CUT), before)
    assert before["churned"].between(0, 1).all() and 0.3 < before["churned"].mean() < 0.95


# --------------------------------------------------------------------------- KS, Gini, gains

Y = [1, 1, 0, 1, 0, 0]
S = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4]


def test_ks_and_gini_by_hand():
    # Ranked by score: 1 1 0 1 0 0. After each customer, (TPR, FPR): (1/3, 0), (2/3, 0),
    # (2/3, 1/3), (1, 1/3), (1, 2/3), (1, 1): KS = 2/3. Churner-above-stayer pairs: 3 + 3 + 2
    # of 9, AUC = 8/9, Gini = 7/9.
    assert churn.ks_statistic(Y, S) == pytest.approx(2 / 3)
    assert churn.gini(Y, S) == pytest.approx(7 / 9)
    e = churn.evaluate(Y, S)
    assert (e.auc, e.ks, e.gini, e.customers, e.churners) == pytest.approx(
        (8 / 9, 2 / 3, 7 / 9, 6, 3))
    assert churn.ks_statistic(Y, [-s for s in S]) == 0.0      # reversed: no threshold helps
    assert churn.gini([1, 0], [0.5, 0.5]) == 0.0                           # ties count half


def test_ks_and_gini_against_sklearn_and_a_direct_count():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 500)
    s = np.round(y * 0.3 + rng.random(500), 2)          # rounded: many ties
    assert churn.gini(y, s) == pytest.approx(2 * roc_auc_score(y, s) - 1)
    ks = max(((s >= t) & (y == 1)).sum() / y.sum() - ((s >= t) & (y == 0)).sum() / (y == 0).sum()
             for t in np.unique(s))
    assert churn.ks_statistic(y, s) == pytest.approx(ks)
    assert churn.ks_statistic(pd.Series(y.astype(bool)), pd.Series(s)) == pytest.approx(ks)


def test_gains_table_sums_and_lift():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 1003)
    s = rng.random(1003) + 0.5 * y
    g = churn.gains_table(y, s)
    assert g.index.tolist() == list(range(1, 11)) and g.index.name == "band"
    assert g["customers"].sum() == 1003 and g["churners"].sum() == y.sum()
    assert g["customers"].between(100, 101).all()
    assert g["cum_churners_share"].iloc[-1] == pytest.approx(1.0)
    assert g["cum_customers_share"].iloc[-1] == pytest.approx(1.0)
    assert (g["lift"] * g["customers"]).sum() / 1003 == pytest.approx(1.0)
    assert g["churn_rate"].iloc[0] > g["churn_rate"].iloc[-1]
    assert (g["min_score"].iloc[:-1].to_numpy() >= g["max_score"].iloc[1:].to_numpy()).all()
    assert g["cum_lift"].iloc[0] == pytest.approx(g["lift"].iloc[0])
    assert g["ks"].max() <= churn.ks_statistic(y, s) + 1e-12
    # Equal scores share a band, even when that makes bands uneven.
    tied = churn.gains_table([1, 0, 1, 0, 0, 1], [1, 1, 1, 0.5, 0.2, 0.1], bins=3)
    assert tied["customers"].tolist() == [3, 1, 2]


@pytest.mark.parametrize(
    ("y", "s", "column", "reason"),
    [
        ([1, 0, 1], [0.2, 0.4], ["y_true", "score"], "3 labels but 2 scores"),
        ([1, 0, 2], [0.2, 0.4, 0.1], "y_true", "labels must be 0"),
        (["yes", "no"], [0.2, 0.4], "y_true", "labels must be 0"),
        ([1, 0, np.nan], [0.2, 0.4, 0.1], "y_true", "labels must be 0"),
        ([1, 0, 1], [0.2, np.nan, 0.1], "score", "missing or infinite"),
        ([1, 0, 1], [0.2, np.inf, 0.1], "score", "missing or infinite"),
        ([1, 1, 1], [0.2, 0.4, 0.1], "y_true", "only one class"),
        ([], [], "y_true", "no customers"),
        ([1, 0], [[0.1, 0.9], [0.8, 0.2]], "score", "1-d"),
        ([1, 0], ["a", "b"], "score", "numbers"),
    ],
)
@pytest.mark.parametrize("metric", [churn.ks_statistic, churn.gini, churn.gains_table,
                                    churn.evaluate])
def test_metrics_refuse_bad_input(metric, y, s, column, reason):
    with pytest.raises(CourseError, match=reason) as err:
        metric(y, s)
    assert named(err.value) == column


# --------------------------------------------------------------------------- the course data


@pytest.fixture(scope="module")
def course_model(course):
    frame = churn.training_frame(course["orders"], asof=CUT,
                                 horizon_days=90, tickets=course["tickets"],
                                 events=course["events"], users=course["users"])
    train, test = train_test_split(frame, test_size=0.3, random_state=0,
                                   stratify=frame["churned"])
    model = churn.fit_churn_model(train, model="logistic")
    return frame, train, test, model


def test_model_separates_churners_on_held_out_customers(course_model):
    frame, train, test, model = course_model
    p = churn.churn_probability(model, test)
    e = churn.evaluate(test["churned"], p)
    msg = f"held-out AUC {e.auc:.3f}, KS {e.ks:.3f}, Gini {e.gini:.3f} on {e.customers} customers"
    assert e.auc > 0.75, msg
    assert e.ks > 0.35, msg
    g = churn.gains_table(test["churned"], p)
    # Most customers churn in the course company (one-time buyers), so a band's lift is at
    # most 1 / base rate: the top band comes close to that ceiling.
    ceiling = 1 / test["churned"].mean()
    assert g["lift"].iloc[0] > 0.95 * ceiling, (g, ceiling)
    assert g["churn_rate"].iloc[0] > 2 * g["churn_rate"].iloc[-1], g
    assert p.index.equals(test.index)


def test_drivers_match_the_truth(course_model):
    frame, train, test, model = course_model
    causes = truth()["churn_drivers"]
    assert causes["late_delivery"] > 0 and causes["complaint"] > 0   # both raise dropout
    # Standardised coefficients: the early dropout after a first order makes the days
    # since the last visit dominate any permutation ranking, so the truth's two causes
    # are looked for among the largest coefficients, with the sign that raises churn.
    d = churn.drivers(model)
    ranking = "\n".join(
        f"{int(r['rank']):>2} {f:<22} {r['coefficient']:+.4f}" for f, r in d.head(15).iterrows())
    for feature in ("last_order_late", "last_order_complaint"):
        row = d.loc[feature]
        assert row["rank"] <= 10 and row["direction"] == 1, (
            f"{feature} should be a top driver raising churn; ranking:\n{ranking}")
    perm = churn.drivers(model, frame=test, method="permutation", n_repeats=5, random_state=0)
    assert perm.loc["last_order_late", "direction"] == 1, perm.head(15)
    # The churn rate itself is higher after a late or complained-about last order.
    for feature in ("last_order_late", "last_order_complaint"):
        rate = frame.groupby(feature)["churned"].mean()
        assert rate[1.0] > rate[0.0] + 0.05, rate


def test_gbm_and_winback_list_with_timing(course, course_model):
    frame, train, test, _ = course_model
    gbm = churn.fit_churn_model(train, model="gbm", random_state=0)
    auc = churn.evaluate(test["churned"], churn.churn_probability(gbm, test)).auc
    assert auc > 0.75, f"gbm held-out AUC {auc:.3f}"
    cycle = churn.purchase_cycle(course["orders"], asof=CUT)
    listed = churn.winback_list(gbm, test, top=50, cycle=cycle, max_recency_days=120,
                                asof=CUT)
    assert len(listed) == 50 and listed["rank"].tolist() == list(range(1, 51))
    assert listed["value_at_risk"].is_monotonic_decreasing
    assert (listed["recency_days"] < 120).all()
    assert (listed["send_on"] >= CUT).all()
    overdue = listed["overdue_days"] >= 0
    assert (listed.loc[overdue, "send_on"] == CUT).all()


def test_winback_timing_by_hand():
    frame = pd.DataFrame({"recency_days": [10.0, 40, 5], "frequency": [1.0, 3, 12],
                          "monetary": [100.0, 300, 50], "churned": [0.0, 1, 1]},
                         index=pd.Index([1, 2, 3], name="user_id"))
    model = churn.fit_churn_model(frame)
    cycle = pd.DataFrame({"p80": [30.0, 25.0, 20.0, 8.0]},
                         index=pd.Index(["all", "1", "2", "3+"], name="after_order"))
    got = churn.winback_list(model, frame, top=None, cycle=cycle, asof=CUT)
    assert got.loc[[1, 2, 3], "send_after_days"].tolist() == [25.0, 8.0, 8.0]
    assert got.loc[[1, 2, 3], "overdue_days"].tolist() == [-15.0, 32.0, -3.0]
    assert got.loc[1, "send_on"] == CUT + pd.Timedelta(days=15)
    assert got.loc[2, "send_on"] == CUT
    assert got["value_at_risk"].to_numpy() == pytest.approx(
        (got["churn_probability"] * got["value"]).to_numpy())


# --------------------------------------------------------------------------- cycles, loyalty


def test_purchase_cycle_by_hand():
    orders = pd.DataFrame({"user_id": [1, 1, 1, 1, 2, 2],
                           "order_time": when([
                               "2025-01-01 09:00", "2025-01-01 18:00",   # one purchase day
                               "2025-01-11", "2025-01-31", "2025-01-01", "2025-01-21"])})
    cyc = churn.purchase_cycle(orders, quantiles=(0.5, 0.8), max_k=3)
    assert cyc.index.tolist() == ["all", "1", "2"]
    assert cyc["gaps"].tolist() == [3, 2, 1]
    assert cyc.loc["1", "p50"] == 15.0 and cyc.loc["all", "mean_days"] == pytest.approx(50 / 3)
    assert cyc.loc["1", "p80"] == pytest.approx(18.0)
    kept = churn.purchase_cycle(orders, quantiles=(0.5,), merge_same_day=False)
    assert kept["gaps"].tolist()[0] == 4 and kept.loc["1", "gaps"] == 2


def test_repeat_probability_by_hand():
    # End of the data (exclusive) 2025-07-01, window 60 days: a k-th order counts when it is
    # on or before 2025-05-02.
    orders = pd.DataFrame({"user_id": [1, 1, 1, 2, 2, 3, 4, 4, 5, 5, 5],
                           "order_time": when([
                               "2025-01-01", "2025-01-20", "2025-02-01",   # c1: 3 orders
                               "2025-01-05", "2025-06-01",                # c2: 2nd after 147 d
                               "2025-03-01",                              # c3: one order
                               "2025-04-30", "2025-05-10",                # c4: 2nd too late
                               "2025-02-01 08:00", "2025-02-01 20:00",    # c5: same day
                               "2025-02-02"])})
    curve = churn.repeat_probability(orders, max_k=3, window_days=60, min_customers=1,
                                     asof="2025-07-01")
    t = curve.table
    assert t.index.tolist() == [1, 2, 3]
    # k = 1: c1..c5 (c4's first order is 04-30, fair); within 60 days: c1, c4, c5; ever: + c2.
    assert t.loc[1, ["customers", "repeat_within", "repeat_ever"]].tolist() == [5, 3, 4]
    # k = 2: c1 (01-20, next 02-01) and c5 (02-02, none); c4's 2nd (05-10) is too late.
    assert t.loc[2, ["customers", "repeat_within", "repeat_ever"]].tolist() == [2, 1, 1]
    assert t.loc[3, "customers"] == 1 and t.loc[3, "p_within"] == 0.0
    assert t.loc[2, "jump_within"] == pytest.approx(0.5 - 0.6)
    assert curve.jump_at is None                      # the chance only falls here
    assert curve.basis == "within" and curve.window_days == 60
    rises = churn.repeat_probability(orders, max_k=3, window_days=60, min_customers=1,
                                     asof="2025-07-01", basis="ever")
    assert rises.table["jump_ever"].tolist()[1:] == pytest.approx([0.5 - 0.8, 0.0 - 0.5])
    assert rises.jump_at is None
    assert churn.repeat_probability(orders, max_k=3, window_days=60, min_customers=3,
                                    asof="2025-07-01").jump_at is None
    unmerged = churn.repeat_probability(orders, max_k=3, window_days=60, merge_same_day=False,
                                        asof="2025-07-01").table
    assert unmerged.loc[3, "customers"] == 2          # c5's second row now counts as an order


def test_repeat_probability_on_real_and_simulated_data(course):
    cdnow = churn.repeat_probability(coursekit.load("cdnow"), customer="customer_id",
                                     at="order_date")
    p = cdnow.table["p_within"]
    assert p.iloc[:6].is_monotonic_increasing, cdnow.table      # CDNOW: loyalty builds
    assert cdnow.jump_at == 2, cdnow.table
    assert (cdnow.table["p_ever"] >= p).all()
    qingmu = churn.repeat_probability(course["orders"])
    assert qingmu.table["customers"].is_monotonic_decreasing
    assert qingmu.jump_at is not None and 2 <= qingmu.jump_at <= 5, qingmu.table


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("change", "kwargs", "column", "reason"),
    [
        (lambda o: o.drop(columns="amount"), {}, ["amount"], "missing column"),
        (lambda o: o.drop(columns="promised_days"), {}, ["promised_days"], "missing column"),
        (lambda o: o.assign(order_time=o["order_time"].where(o.index != 2)), {},
         "order_time", "missing dates"),
        (lambda o: o.assign(order_time=["2025-01-01"] * 6 + ["soon"]), {}, "order_time",
         "cannot be parsed"),
        (lambda o: o.assign(amount=o["amount"] * np.where(o.index == 1, -1, 1)), {}, "amount",
         "negative amounts"),
        (lambda o: o.assign(user_id=o["user_id"].where(o.index != 0)), {},
         "user_id", "missing ids"),
        (lambda o: o.iloc[:0], {}, None, "empty"),
        (lambda o: o, {"asof": "2024-12-01"}, "asof", "not after the first order"),
        (lambda o: o, {"asof": "2025-10-15"}, "asof", "too late"),
        (lambda o: o, {"asof": "next week"}, "asof", "cannot read"),
        (lambda o: o, {"window_days": (30, 30)}, "window_days", "distinct"),
        (lambda o: o, {"promised": None}, ["promised", "delivered"], "both"),
        (lambda o: o, {"users": tiny_users().iloc[1:]}, "user_id", "not in users"),
        (lambda o: o, {"users": pd.concat([tiny_users()] * 2)}, "user_id", "duplicate"),
        (lambda o: o, {"active_days": 1}, "active_days", "no customer"),
    ],
)
def test_features_refuse_bad_input(change, kwargs, column, reason):
    args = {"asof": CUT, **kwargs}
    with pytest.raises(CourseError, match=reason) as err:
        churn.features(change(tiny_orders()), **args)
    assert named(err.value) == column


def test_other_functions_refuse_bad_input():
    frame = churn.training_frame(tiny_orders(), asof=CUT, horizon_days=5)
    with pytest.raises(CourseError, match="unknown model") as err:
        churn.fit_churn_model(frame, model="forest")
    assert named(err.value) == "model"
    with pytest.raises(CourseError, match="no label column") as err:
        churn.fit_churn_model(frame.drop(columns="churned"))
    assert named(err.value) == "churned"
    with pytest.raises(CourseError, match="0 \\(stayed\\) or 1") as err:
        churn.fit_churn_model(frame.assign(churned=[1.0, np.nan]))
    with pytest.raises(CourseError, match="one class"):
        churn.fit_churn_model(frame)                       # both churned
    with pytest.raises(CourseError, match="missing values") as err:
        churn.fit_churn_model(frame.assign(recency_days=[np.nan, 1.0]))
    assert named(err.value) == "recency_days"
    with pytest.raises(CourseError, match="tickets carry no rating"):
        churn.features(tiny_orders(), asof=CUT, tickets=tiny_tickets().drop(
            columns="satisfaction"))
    with pytest.raises(CourseError, match="order_key=None") as err:
        churn.features(tiny_orders().drop(columns="order_id"), asof=CUT,
                       tickets=tiny_tickets())
    assert named(err.value) == ["order_id"]
    with pytest.raises(CourseError, match="horizon_days"):
        churn.labels(tiny_orders(), asof=CUT, horizon_days=0)
    with pytest.raises(CourseError, match="not after the first order"):
        churn.labels(tiny_orders(), asof="2024-01-01")
    with pytest.raises(CourseError, match="two orders"):
        churn.purchase_cycle(tiny_orders().iloc[[0, 3]])
    with pytest.raises(CourseError, match="quantiles"):
        churn.purchase_cycle(tiny_orders(), quantiles=(0.5, 80))
    with pytest.raises(CourseError, match="basis"):
        churn.repeat_probability(tiny_orders(), basis="sometimes")
    with pytest.raises(CourseError, match="no first order") as err:
        churn.repeat_probability(tiny_orders(), window_days=400)
    assert named(err.value) == "order_time"
    with pytest.raises(CourseError, match="asof"):
        churn.repeat_probability(tiny_orders(), asof="2020-01-01")
