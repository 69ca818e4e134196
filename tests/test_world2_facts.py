"""World 2: the company behaves like a real one. Each part's stylised fact, measured.

World 2 is the course's company (the default of the generator and the committed
data); these tests hold it to what it must show, each against World 1's figure
(``world=1``, the simpler company the course used before) on the same size and seed
where the contrast is the point.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from coursekit.world import generate_world

USERS, SEED = 20_000, 2024


@pytest.fixture(scope="module")
def w2():
    tables, truth = generate_world(USERS, SEED, world=2)
    return tables, truth


@pytest.fixture(scope="module")
def w1():
    tables, truth = generate_world(USERS, SEED, world=1)
    return tables, truth


def _orders_per_buyer(tables: dict) -> pd.Series:
    return tables["orders"].groupby("user_id").size()


def test_many_buy_once_and_staying_gets_likelier_with_each_order(w1, w2):
    """Item 1: repeat share of buyers 35-55% (World 1: over 75%); the chance of one
    more order rises over the first orders (the loyalty threshold)."""
    n1, n2 = _orders_per_buyer(w1[0]), _orders_per_buyer(w2[0])
    assert (n1 >= 2).mean() > 0.75
    repeat = (n2 >= 2).mean()
    assert 0.35 <= repeat <= 0.55, repeat
    step = [(n2 >= k + 1).sum() / (n2 >= k).sum() for k in (1, 2, 3, 4)]
    assert step[0] < step[1] < step[2] < step[3], step  # P(2|1) < P(3|2) < P(4|3) < P(5|4)
    assert step[2] - step[0] > 0.15
    assert w2[1]["early_dropout"]["early_dropout"] > 0


def test_coupons_are_used_on_orders_that_would_have_come_anyway(w2):
    """Item 2: every treated buyer's first qualifying order in the window uses the
    coupon; most of them came anyway, and the truth says what that cost."""
    tables, truth = w2
    orders, ca = tables["orders"], tables["campaign_assignments"]
    camp = tables["campaigns"].set_index("campaign_id")
    for cid, c in camp.iterrows():
        treated = ca.loc[(ca["campaign_id"] == cid) & (ca["group"] == "treatment")]
        sent = treated["sent_time"].iloc[0]
        end = c["end_date"] + pd.Timedelta(days=1)
        window = orders[orders["user_id"].isin(treated["user_id"])
                        & orders["order_time"].between(sent, end, inclusive="left")]
        qualifying = window[window["gross_amount"] >= c["threshold"]]
        used = orders[(orders["campaign_id"] == cid) & (orders["discount"] > 0)]
        # every treated customer with a qualifying order used the coupon, once
        assert set(qualifying["user_id"]) <= set(used["user_id"]), c["name"]
        assert used["user_id"].is_unique
        assert set(used["user_id"]) <= set(treated["user_id"])
    anyway = pd.DataFrame(truth["coupons"]).T.drop(index="rule", errors="ignore")
    anyway = anyway.drop(columns="rule", errors="ignore").apply(pd.to_numeric)
    share = anyway["on_orders_that_came_anyway"].sum() / anyway["redeemed"].sum()
    assert share > 0.4, share  # a large part of the coupon money goes to orders due anyway
    assert anyway["cost_on_orders_that_came_anyway"].sum() > 0


def test_paid_channels_show_diminishing_returns(w1, w2):
    """Item 3: sign-ups respond to spend with the truth's elasticity (World 1: exactly
    proportional, a log-log slope of 1); the busiest days cost most per sign-up."""
    tables, truth = w2
    users, spend = tables["users"], tables["channel_spend"]
    for channel in ("douyin_ads", "xiaohongshu", "search_ads"):
        weekly = spend[spend["channel"] == channel].set_index("date")["spend"].resample("W").sum()
        signups = (users.loc[users["channel"] == channel, "signup_time"].dt.normalize()
                   .value_counts().resample("W").sum().reindex(weekly.index, fill_value=0))
        ok = (signups > 0) & (weekly > 0)
        slope = np.polyfit(np.log(weekly[ok]), np.log(signups[ok]), 1)[0]
        beta = truth["spend_response"][channel]["elasticity"]
        assert abs(slope - beta) < 0.15, (channel, slope, beta)
        quiet, busy = weekly <= weekly.median(), weekly > weekly.median()
        assert weekly[busy].sum() / signups[busy].sum() > weekly[quiet].sum() / signups[quiet].sum()
    old = w1[0]["channel_spend"]
    assert "spend_response" not in w1[1] and len(old) == len(spend)


def test_invitations_follow_a_good_experience(w2):
    """Item 4: nobody invites before their first order has arrived on time; most
    invitations come within weeks of it (World 1: months after sign-up)."""
    tables, truth = w2
    orders, refs = tables["orders"], tables["referrals"]
    arrived = orders["order_time"] + pd.to_timedelta(orders["delivery_days"], unit="D")
    on_time = orders.assign(arrived=arrived)[orders["delivery_days"] <= orders["promised_days"]]
    good = on_time.groupby("user_id")["arrived"].min()
    lag = (refs["invite_time"] - refs["inviter_id"].map(good)).dt.total_seconds() / 86_400
    assert lag.notna().mean() > 0.99  # inviters are customers with a good experience
    # none before it, but for a handful whose first order the payment bug moved later
    assert (lag.dropna() < 0).mean() < 0.005
    fresh = truth["referrals"]["invite_lag_days"]
    assert fresh / 2 < lag.median() < 2 * fresh, lag.median()


def test_stores_scale_with_the_world_and_the_better_run_bring_more(w2):
    """Item 5: as many stores as the size calls for; better-run stores bring more app
    sign-ups and WeCom adds; the truth holds what a store costs, so its profit and
    payback can be computed."""
    tables, truth = w2
    st, sm, users = tables["stores"], tables["store_months"], tables["users"]
    assert len(st) == truth["stores"]["count"] == round(24 * USERS / 20_000)
    quality = pd.Series(truth["store_quality"]).rename(int).reindex(st["store_id"])
    months = sm.groupby("store_id").size().reindex(st["store_id"])
    signups = users["store_id"].value_counts().reindex(st["store_id"], fill_value=0) / months
    adds = sm.groupby("store_id")["wecom_members_added"].sum().reindex(st["store_id"]) / months
    assert np.corrcoef(quality, signups)[0, 1] > 0.6
    assert np.corrcoef(quality, np.log(adds))[0, 1] > 0.6
    # each month's WeCom adds include the store's app sign-ups of that month
    month = users["signup_time"].dt.to_period("M").dt.to_timestamp()
    app = users.assign(month=month).dropna(subset=["store_id"]).groupby(
        ["store_id", "month"]).size()
    joined = sm.set_index(["store_id", "month"])["wecom_members_added"].reindex(app.index)
    assert (joined >= app).all()
    eco = truth["stores"]["economics"]
    m = sm.merge(st, on="store_id")
    profit = (m["revenue"] * eco["gross_margin"]
              - m["area_sqm"] * m["city_tier"].astype(str).map(eco["rent_per_sqm_month"])
              - m["staff_hours"] * m["city_tier"].astype(str).map(eco["pay_per_staff_hour"]))
    monthly = profit.groupby(m["store_id"]).mean()
    payback = st.set_index("store_id")["format"].astype(str).map(eco["fit_out"]) / monthly
    assert monthly.notna().all() and 0.3 < (monthly > 0).mean() < 1.0  # some stores lose money
    assert payback[monthly > 0].between(1, 240).mean() > 0.8  # paybacks in months, not ages
    bigger, _ = generate_world(3 * USERS // 4, SEED, world=2)
    assert len(bigger["stores"]) == round(24 * 0.75)


def test_orders_carry_their_cost_of_service(w2):
    """Item 7: shipping, packaging, payment fee, member benefit and returns give each
    order a contribution margin below its gross margin, and the costs follow the rules
    in the truth (the far warehouse ships dearer, late orders come back more often)."""
    tables, truth = w2
    orders, costs = tables["orders"], tables["order_costs"]
    assert list(costs["order_id"]) == list(orders["order_id"])
    items = tables["order_items"].merge(tables["products"][["product_id", "unit_cost"]])
    product = (items["quantity"] * items["unit_cost"]).groupby(items["order_id"]).sum()
    amount = orders.set_index("order_id")["amount"]
    c = costs.set_index("order_id")
    service = c[["shipping", "packaging", "payment_fee", "member_benefit", "refund"]].sum(axis=1)
    gross, contribution = amount - product, amount - product - service
    assert 0.3 < contribution.sum() / amount.sum() < gross.sum() / amount.sum()
    rate = truth["order_costs"]["payment_fee_rate"]
    assert np.allclose(c["payment_fee"], (amount * rate).round(2))
    late = (orders["delivery_days"] > orders["promised_days"]).to_numpy()
    assert c["returned"].to_numpy()[late].mean() > 2 * c["returned"].to_numpy()[~late].mean()
    assert (c.loc[c["returned"], "refund"] == amount[c["returned"]]).all()
    west = tables["users"].set_index("user_id").loc[orders["user_id"], "region"].eq("west")
    one_unit = (orders["items"] == 1).to_numpy()
    tier2 = tables["users"].set_index("user_id").loc[orders["user_id"], "city_tier"].eq("2")
    far, near = (west & tier2).to_numpy() & one_unit, (~west & tier2).to_numpy() & one_unit
    assert c["shipping"].to_numpy()[far].mean() > c["shipping"].to_numpy()[near].mean()
    assert c["member_benefit"].gt(0).any()


def test_personas_give_behaviour_segments_and_tie_demographics_to_value(w1, w2):
    """Item 6: four latent personas drive taste, order value, hours and coupons, tied
    to demographics: k-means finds them back from behaviour, older customers spend
    more per order (World 1: no difference), the survey's users answer as their persona,
    and the persona stays latent (in the end state, not in users)."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score
    from sklearn.preprocessing import StandardScaler

    tables, truth = w2
    _, _, state = generate_world(USERS, SEED, world=2, with_state=True)
    persona = state.set_index("user_id")["persona"]
    assert "persona" not in tables["users"] and len(truth["personas"]["personas"]) == 4
    o, items = tables["orders"], tables["order_items"]
    cat = items.merge(tables["products"][["product_id", "category"]]).merge(
        o[["order_id", "user_id"]])
    share = cat.pivot_table(index="user_id", columns="category", values="amount",
                            aggfunc="sum", fill_value=0, observed=True)
    n = o.groupby("user_id").size()
    share = share[share.index.isin(n[n >= 2].index)]
    features = share.div(share.sum(axis=1), axis=0)
    features["log_aov"] = np.log(o.groupby("user_id")["amount"].mean().reindex(features.index))
    night = o["order_time"].dt.hour.isin([21, 22, 23, 0, 1])
    features["night"] = night.groupby(o["user_id"]).mean().reindex(features.index)
    found = KMeans(4, n_init=4, random_state=0).fit_predict(
        StandardScaler().fit_transform(features))
    assert adjusted_rand_score(persona.reindex(features.index), found) > 0.4

    def aov_by_age(t: dict) -> pd.Series:
        aov = t["orders"].groupby("user_id")["amount"].mean()
        age = t["users"].set_index("user_id")["age_band"].reindex(aov.index)
        return aov.groupby(age, observed=True).mean()

    old, new = aov_by_age(w1[0]), aov_by_age(tables)
    assert abs(old["41+"] / old["18-24"] - 1) < 0.05
    assert new["41+"] / new["18-24"] > 1.25
    sv = tables["survey"]
    users = tables["users"].set_index("user_id")
    answered = sv[sv["user_id"] > 0].drop_duplicates("respondent_id")
    assert (answered["age_band"].astype(str).to_numpy()
            == users.loc[answered["user_id"], "age_band"].astype(str).to_numpy()).all()
    price = sv[(sv["attribute"] == "price") & (sv["user_id"] > 0)]
    students = price["user_id"].map(persona) == "student_snacker"
    assert price.loc[students, "importance"].mean() > 1.5 * price.loc[~students,
                                                                     "importance"].mean()


def test_a_small_world_still_has_every_store_format():
    small, truth = generate_world(3_000, 7, world=2)
    assert len(small["stores"]) == 12
    assert set(small["stores"]["format"]) == {"mall_kiosk", "street_shop", "flagship"}


def test_the_payment_bug_stays_findable_on_a_small_world_and_the_truth_has_each_segments_uplift():
    """On 3,000 users android sells a few orders a day: World 2's bug breaks 9 in 10 of its
    checkouts (World 1: half), so the episode's days stand out; and the truth gives the
    uplift each segment gets once personas' coupon sensitivity is counted."""
    small, truth = generate_world(3_000, 7, world=2)
    bug = next(i for i in truth["incidents"] if i["name"] == "payment_bug")
    assert bug["failure_rate"] == 0.9
    ev = small["events"]
    android = ev[ev["platform"] == "android"]
    day = android["event_time"].dt.normalize()
    inside = day.between(pd.Timestamp(bug["start"]), pd.Timestamp(bug["end"]))
    before = day.between(pd.Timestamp(bug["start"]) - pd.Timedelta(days=28),
                         pd.Timestamp(bug["start"]) - pd.Timedelta(days=1))

    def rate(mask: pd.Series) -> float:
        kinds = android.loc[mask, "event_type"].value_counts()
        return kinds.get("order", 0) / kinds["add_to_cart"]

    assert rate(inside) < 0.3 * rate(before)
    uplift = truth["campaign_uplift"]
    assert set(uplift["expected_by_segment"]) <= set(truth["campaign_uplift_by_segment"])
    assert all(m > 1 for m in uplift["coupon_multiplier_by_segment"].values())
