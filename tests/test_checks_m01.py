"""Module 1 checks, three ways: the answer passes, a stub is not attempted, plausible
wrong answers fail with the hint aimed at them. Right answers are computed here in
plain pandas (merges, sums and means written out), not through the checks nor
through coursekit.bizmodel; the profit-model rule is written out here and checked
against the classes in truth.json. A last test runs every check on a second,
smaller world, where the expected values and the decisions come from its data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from helpers import every_check_holds, in_world, wrong

import coursekit
from coursekit.exercises import ____, m01

CUT = pd.Timestamp(m01.CUT_WEEK)


@pytest.fixture(scope="module")
def d():
    names = ("orders", "order_items", "products", "order_costs", "memberships",
             "store_months", "stores", "cost_rates", "users", "channel_spend",
             "businesses", "gift_vouchers", "group_buying")
    return {t: coursekit.load(t) for t in names}



def rates(d, item):
    r = d["cost_rates"].astype({"item": str, "key": str})
    return r[r["item"] == item].set_index("key")["value"]


def test_every_question_is_not_attempted_as_handed_out():
    for q in m01.EXERCISES.bind({}):
        assert q.evaluate().status == "not_attempted"
        assert q.evaluate(**{v: ____ for v in q.variables}).status == "not_attempted"


def test_the_constants_agree_with_the_data(d):
    assert m01.CUT_WEEK == coursekit.truth()["cases"]["group_buying"]["subsidy_cut_week"]
    gb = d["group_buying"]
    # the terms change in the cut week: the subsidy share of GMV drops there
    share = (gb.groupby("week")["subsidy"].sum() / gb.groupby("week")["gmv"].sum())
    assert share[share.index < CUT].min() > share[share.index >= CUT].max()
    assert set(m01.PLANS) <= set(d["businesses"]["name"].astype(str))
    assert set(m01.SENS_RANGES) == {"orders", "basket", "take_rate", "commission_rate",
                                    "subsidy_rate", "fulfilment"}


# --------------------------------------------------------------------------- lesson 1a


def test_q1_online_share(d):
    q = m01.OnlineShare()
    o, m, s = d["orders"], d["memberships"], d["store_months"]

    def by_month(amount="amount"):
        online = o.groupby(o["order_time"].dt.strftime("%Y-%m"))[amount].sum()
        stores = s.groupby(s["month"].dt.strftime("%Y-%m"))["revenue"].sum()
        fees = m.groupby(m["start_date"].dt.strftime("%Y-%m"))["price"].sum()
        total = online.add(stores, fill_value=0).add(fees, fill_value=0)
        return online, total, stores

    online, total, stores = by_month()
    share = online / total
    month, base = m01.SHARE_MONTH, m01.SHARE_BASE_MONTH
    change = share[month] - share[base]
    assert q.evaluate(online_share=share[month], share_change=change).is_correct
    assert q.evaluate(online_share=round(share[month], 4),
                      share_change=round(change, 4)).is_correct
    gross_online, gross_total, _ = by_month("gross_amount")
    wrong(q, "before coupons", online_share=(gross_online / gross_total)[month],
          share_change=change)
    year = total.index.str[:4] == month[:4]
    wrong(q, "whole year", online_share=online[year].sum() / total[year].sum(),
          share_change=change)
    wrong(q, "by store sales", online_share=online[month] / stores[month], share_change=change)
    wrong(q, "relative change", online_share=share[month],
          share_change=share[month] / share[base] - 1)
    wrong(q, "growth of online revenue", online_share=share[month],
          share_change=online[month] / online[base] - 1)
    wrong(q, "month before", online_share=share[month],
          share_change=share[month] - share.shift(1)[month])
    store_share = stores / total
    wrong(q, "store sales' share", online_share=share[month],
          share_change=store_share[month] - store_share[base])
    wrong(q, "100 times too large", online_share=100 * share[month], share_change=change)


BY_LARGEST = {"product_sales": "value_disruptive", "subscriptions": "value_disruptive",
              "slot_fees": "connecting_slot_fee", "tolls": "connecting_toll",
              "advertising": "connecting_advertising", "services": "enabling_platform"}


def rule(row):
    """The data dictionary's rule, written out."""
    streams = np.array([row[s] for s in m01.STREAMS], dtype=float)
    revenue = streams.sum()
    if row["member_rewards"] / revenue >= 0.3:
        return "token_community"
    if (streams / revenue >= 0.1).sum() >= 4:
        return "ecosystem_platform"
    return BY_LARGEST[m01.STREAMS[int(np.argmax(streams))]]


def planned(d, skip=()):
    b = d["businesses"].assign(name=d["businesses"]["name"].astype(str)).set_index("name")
    rows = {}
    for name, plan in m01.PLANS.items():
        row = b.loc[name].copy()
        for column, factor in plan.items():
            if column not in skip:
                row[column] = row[column] * factor
        rows[name] = row
    return rows


def test_the_rule_written_out_gives_the_classes_of_truth(d):
    classes = coursekit.truth()["cases"]["businesses"]["classes"]
    for _, row in d["businesses"].iterrows():
        assert rule(row) == classes[str(row["business_id"])], row["name"]


def test_q2_profit_models_after_the_plans(d):
    q = m01.PlannedModels()
    models = {name: rule(row) for name, row in planned(d).items()}
    # the plans change the models of three businesses and keep Wanxiang's
    today = {name: rule(row) for name, row in planned(d, skip=("slot_fees", "services",
                                                                "product_sales",
                                                                "member_rewards")).items()}
    assert sum(models[n] != today[n] for n in models) == 3
    assert models["Wanxiang"] == today["Wanxiang"] == "ecosystem_platform"
    assert q.evaluate(models=models).is_correct
    assert q.evaluate(models=pd.Series(models)).is_correct  # e.g. from .apply(rule, axis=1)
    assert q.evaluate(models={k: v.upper() for k, v in models.items()}).is_correct
    wrong(q, "models before the plans", models=today)
    largest = {name: BY_LARGEST[max(m01.STREAMS, key=lambda s, r=row: r[s])]
               for name, row in planned(d).items()}
    wrong(q, "in order", models=largest)
    wrong(q, "*after* the plan", models={name: rule(row) for name, row
                                       in planned(d, skip=("member_rewards",)).items()})
    wrong(q, "not a profit model name", models={**models, "Wanxiang": "ecosystem"})
    wrong(q, "misses key(s)", models={k: v for k, v in models.items() if k != "Wanxiang"})


def test_q3_breakage_to_expect(d):
    q = m01.ExpectedBreakage()
    v = d["gift_vouchers"]
    corp = v[v["buyer_type"] == "corporate"]
    last = corp[corp["season"] == 2024]
    never = last["redeemed_date"].isna()
    rate = (last["price_paid"] * never).sum() / last["price_paid"].sum()
    asof = pd.Timestamp(m01.VOUCHER_ASOF)
    sold = corp[(corp["season"] == 2025) & (corp["sold_date"] < asof + pd.Timedelta(days=1))]
    cash = sold["price_paid"].sum()
    assert q.evaluate(breakage_rate=rate, expected_breakage=rate * cash).is_correct
    assert q.evaluate(breakage_rate=round(rate, 3),
                      expected_breakage=round(rate, 3) * cash).is_correct  # read off a table
    open_ = ~(sold["redeemed_date"] <= asof)  # never redeemed, or not yet
    outstanding = sold.loc[open_, "price_paid"].sum()
    assert outstanding > rate * cash  # the open vouchers are more than the breakage expected
    wrong(q, "still", breakage_rate=rate, expected_breakage=outstanding)
    wrong(q, "still valid", breakage_rate=outstanding / cash, expected_breakage=outstanding)
    wrong(q, "by count", breakage_rate=never.mean(), expected_breakage=never.mean() * cash)
    season = corp[corp["season"] == 2025]
    final = ((season["price_paid"] * season["redeemed_date"].isna()).sum()
             / season["price_paid"].sum())
    wrong(q, "not known on", breakage_rate=final, expected_breakage=final * cash)
    if season["price_paid"].sum() > cash:  # some corporate vouchers sold after the day
        wrong(q, "whole season", breakage_rate=rate,
              expected_breakage=rate * season["price_paid"].sum())
    every = v[v["season"] == 2024]
    mixed = (every["price_paid"] * every["redeemed_date"].isna()).sum() / every["price_paid"].sum()
    wrong(q, "mixes corporate and individual", breakage_rate=mixed,
          expected_breakage=rate * cash)
    wrong(q, "100 times too large", breakage_rate=100 * rate, expected_breakage=rate * cash)


def test_q4_peak_cash(d):
    q = m01.PeakCash()
    v = d["gift_vouchers"]
    mine = v[(v["season"] == m01.FLOAT_SEASON) & (v["buyer_type"] == m01.FLOAT_BUYER)]
    days = pd.date_range(f"{m01.FLOAT_SEASON}-07-01", f"{m01.FLOAT_SEASON}-12-31", freq="D")
    cash_in = mine.groupby(mine["sold_date"].dt.normalize())["price_paid"].sum()
    done = mine.dropna(subset=["redeemed_date"])
    cash_out = (done["crab_cost"] + done["delivery_cost"]).groupby(
        done["redeemed_date"].dt.normalize()).sum()
    balance = (cash_in.reindex(days, fill_value=0) - cash_out.reindex(days, fill_value=0)).cumsum()
    day, cash = balance.idxmax(), balance.max()
    assert q.evaluate(peak_day=day, peak_cash=cash).is_correct
    assert q.evaluate(peak_day=str(day.date()), peak_cash=round(cash)).is_correct
    assert q.evaluate(peak_day=day.date(), peak_cash=cash).is_correct
    # costs booked at the sale
    sold_cost = (mine["crab_cost"] + mine["delivery_cost"]).groupby(
        mine["sold_date"].dt.normalize()).sum()
    at_sale = (cash_in.reindex(days, fill_value=0) - sold_cost.reindex(days, fill_value=0)).cumsum()
    wrong(q, "not when it is sold", peak_day=at_sale.idxmax(), peak_cash=at_sale.max())
    owed_out = done.groupby(done["redeemed_date"].dt.normalize())["price_paid"].sum()
    owed = (cash_in.reindex(days, fill_value=0) - owed_out.reindex(days, fill_value=0)).cumsum()
    wrong(q, "the float", peak_day=owed.idxmax(), peak_cash=owed.max())
    wrong(q, "best day of sales", peak_day=cash_in.idxmax(), peak_cash=cash_in.max())
    wrong(q, "later day", peak_day=day + pd.Timedelta(days=40), peak_cash=cash)


# --------------------------------------------------------------------------- lesson 1b


def order_lines(d):
    o = d["orders"]
    lines = d["order_items"].merge(d["products"][["product_id", "unit_cost"]])
    goods = (lines["quantity"] * lines["unit_cost"]).groupby(lines["order_id"]).sum()
    c = d["order_costs"].set_index("order_id")
    costs = c[["shipping", "packaging", "payment_fee", "member_benefit", "refund"]].sum(axis=1)
    out = o[["order_id", "user_id", "order_time", "platform", "amount"]].copy()
    out["goods"] = out["order_id"].map(goods).fillna(0)
    out["contribution"] = out["amount"] - out["goods"] - out["order_id"].map(costs)
    return out


def test_q5_order_contribution(d):
    q = m01.OrderContribution()
    lines = order_lines(d)
    year = lines[lines["order_time"].dt.year == m01.ORDER_YEAR]
    mini = year[year["platform"] == m01.ORDER_PLATFORM]
    right = mini["contribution"].mean()
    assert q.evaluate(order_contribution=right).is_correct
    assert q.evaluate(order_contribution=round(right, 1)).is_correct
    wrong(q, "gross margin", order_contribution=(mini["amount"] - mini["goods"]).mean())
    every_year = lines[lines["platform"] == m01.ORDER_PLATFORM]["contribution"].mean()
    wrong(q, "every year", order_contribution=every_year)
    wrong(q, "every platform", order_contribution=year["contribution"].mean())
    wrong(q, "share of what was paid",
          order_contribution=mini["contribution"].mean() / mini["amount"].mean())


def store_table(d, tier=None):
    s = d["stores"].astype({"city_tier": str, "format": str})
    m = d["store_months"].merge(s[["store_id", "city_tier", "area_sqm", "format"]])
    if tier is not None:
        m = m[m["city_tier"] == tier]
    rent, pay = rates(d, "rent_per_sqm_month"), rates(d, "pay_per_staff_hour")
    margin = rates(d, "store_gross_margin")["all"]
    m = m.assign(gross=m["revenue"] * margin,
                 contribution=m["revenue"] * margin - m["area_sqm"] * m["city_tier"].map(rent)
                 - m["staff_hours"] * m["city_tier"].map(pay))
    per = m.groupby("format")[["revenue", "gross", "contribution"]].mean()
    per["fit_out"] = rates(d, "fit_out").reindex(per.index)
    return per


def test_q6_next_store_format(d):
    q = m01.NextStoreFormat()
    per = store_table(d, m01.STORE_TIER)
    payback = (per["fit_out"] / per["contribution"]).where(per["contribution"] > 0, np.inf)
    best = payback.idxmin()
    assert q.evaluate(next_format=best, payback_months=payback[best]).is_correct
    assert q.evaluate(next_format=payback.nsmallest(1),
                      payback_months=float(f"{payback[best]:.3g}")).is_correct
    assert per["revenue"].idxmax() != best  # the biggest seller is not the fastest payback
    wrong(q, "sells the most", next_format=per["revenue"].idxmax(),
          payback_months=payback[best])
    wrong(q, "gross margin", next_format=best,
          payback_months=per.loc[best, "fit_out"] / per.loc[best, "gross"])
    wrong(q, "every city tier", next_format=best,
          payback_months=(store_table(d)["fit_out"] / store_table(d)["contribution"])[best])
    wrong(q, "by sales", next_format=best,
          payback_months=per.loc[best, "fit_out"] / per.loc[best, "revenue"])


def customer_value(d, months, column="contribution"):
    """Per paid channel: `column` per signed-up user over the first `months` calendar months
    (the sign-up month is the first), each month pooled over the cohorts observed that long."""
    lines = order_lines(d)
    users = d["users"].astype({"channel": str})
    users = users.assign(cohort=users["signup_time"].dt.to_period("M"))
    last = max(lines["order_time"].max(), users["signup_time"].max()).to_period("M")
    o = lines.merge(users[["user_id", "channel", "cohort"]])
    o["k"] = (o["order_time"].dt.to_period("M") - o["cohort"]).map(lambda x: x.n)
    o["paid"] = o["amount"]
    out = {}
    paid = set(d["channel_spend"]["channel"].astype(str))
    for channel, mine in users[users["channel"].isin(paid)].groupby("channel"):
        size = mine.groupby("cohort").size()
        total = 0.0
        for k in range(months):
            seen = size[size.index + k <= last]
            inside = o[(o["channel"] == channel) & (o["k"] == k) & o["cohort"].isin(seen.index)]
            total += inside[column].sum() / seen.sum()
        out[channel] = total
    return pd.Series(out)


def test_q7_next_yuan_by_channel(d):
    q = m01.NextYuanByChannel()
    spend, users = d["channel_spend"].astype({"channel": str}), d["users"].astype({"channel": str})
    first, stop = spend["date"].min(), spend["date"].max() + pd.Timedelta(days=1)
    signed = users[(users["signup_time"] >= first) & (users["signup_time"] < stop)]
    cac = spend.groupby("channel")["spend"].sum() / signed["channel"].value_counts()
    cac = cac.dropna().reindex(list(m01.MEDIA_CHANNELS))
    assert (rates(d, "elasticity").reindex(cac.index) < 1).all()  # diminishing returns
    assert (rates(d, "elasticity").drop(cac.index) == 1).all()    # referral, store: none
    value = customer_value(d, m01.HORIZON_MONTHS).reindex(cac.index)
    elasticity = rates(d, "elasticity").reindex(cac.index)
    net = value - cac / elasticity
    grow = set(net.index[net >= 0])
    assert q.evaluate(grow=grow, next_signup_net=net[m01.CHANNEL]).is_correct
    assert q.evaluate(grow=sorted(grow), next_signup_net=round(net[m01.CHANNEL], 1)).is_correct
    average = value - cac
    assert set(average.index[average >= 0]) != grow  # the average hides a channel
    wrong(q, "average CAC", grow=set(average.index[average >= 0]),
          next_signup_net=average[m01.CHANNEL])
    wrong(q, "average CAC", grow=grow, next_signup_net=average[m01.CHANNEL])
    wrong(q, "cover only their average CAC", grow=set(average.index[average >= 0]),
          next_signup_net=net[m01.CHANNEL])
    twelve = customer_value(d, 12).reindex(cac.index) - cac / elasticity
    wrong(q, "12 months", grow=grow, next_signup_net=twelve[m01.CHANNEL])
    paid = customer_value(d, m01.HORIZON_MONTHS, "paid").reindex(cac.index) - cac / elasticity
    wrong(q, "what the customer paid", grow=grow, next_signup_net=paid[m01.CHANNEL])
    every = customer_value(d, m01.HORIZON_MONTHS) - (spend.groupby("channel")["spend"].sum()
                                                     / signed["channel"].value_counts()
                                                     / rates(d, "elasticity"))
    wrong(q, "media channels", grow=set(every.index[every >= 0]),
          next_signup_net=net[m01.CHANNEL])
    r = q.evaluate(grow=set(), next_signup_net=net[m01.CHANNEL])  # no count of the channels
    assert r.status == "incorrect" and "misses some expected items" in r.message, r.text


def sensitivity_by_hand(d, weeks_per_year=m01.WEEKS_PER_YEAR, year_orders=None):
    gb = d["group_buying"]
    after = gb[gb["week"] >= CUT]
    n, gmv = after["orders"].sum(), after["gmv"].sum()
    base = {"orders": n / after["week"].nunique() * weeks_per_year if year_orders is None
            else year_orders,
            "basket": gmv / n, "take_rate": 0.2 if after["take_rate"].nunique() != 1
            else after["take_rate"].iloc[0],
            "commission_rate": after["commission_rate"].iloc[0],
            "subsidy_rate": after["subsidy"].sum() / gmv,
            "fulfilment": after["fulfilment_cost"].sum() / n}

    def margin(x):
        return x["orders"] * (x["basket"] * (x["take_rate"] - x["commission_rate"]
                                             - x["subsidy_rate"]) - x["fulfilment"])

    swings = {}
    for k, (lo, hi) in m01.SENS_RANGES.items():
        at_lo, at_hi = margin({**base, k: lo * base[k]}), margin({**base, k: hi * base[k]})
        swings[k] = (abs(at_hi - at_lo), at_hi, margin(base))
    return swings, after


def test_q8_what_moves_the_margin(d):
    q = m01.TornadoDecision()
    swings, after = sensitivity_by_hand(d)
    assert after["take_rate"].nunique() == 1 and after["commission_rate"].nunique() == 1
    top = max(swings, key=lambda k: swings[k][0])
    swing, high, base = swings[top]
    assert q.evaluate(top_input=top, top_swing=swing).is_correct
    assert q.evaluate(top_input=top, top_swing=round(swing, -3)).is_correct  # thousands of yuan
    assert top != "orders"  # the widest symmetric range is not the largest swing
    wrong(q, "widest range in percent", top_input="subsidy_rate", top_swing=swing)
    wrong(q, "thin", top_input="orders", top_swing=swing)
    wrong(q, "from the base to one end", top_input=top, top_swing=abs(high - base))
    weekly, _ = sensitivity_by_hand(d, weeks_per_year=1)
    wrong(q, "swing of a week", top_input=top, top_swing=weekly[top][0])
    span, _ = sensitivity_by_hand(d, year_orders=after["orders"].sum())
    wrong(q, "weeks since the cut", top_input=top, top_swing=span[top][0])
    wrong(q, "share of the base margin", top_input=top, top_swing=swing / base)


def test_q9_one_take_rate_for_every_city(d):
    q = m01.CityTakeRate()
    gb = d["group_buying"].astype({"city": str})

    def break_even(rows, subsidies=True):
        cost = rows["gmv"] * rows["commission_rate"] + rows["fulfilment_cost"]
        if subsidies:
            cost = cost + rows["subsidy"] + rows["leader_bonus"]
        return cost.groupby(rows["city"]).sum() / rows.groupby("city")["gmv"].sum()

    after = gb[gb["week"] >= CUT]
    rate = break_even(after)
    city = rate.idxmax()
    assert q.evaluate(binding_city=city, min_take_rate=rate.max()).is_correct
    assert q.evaluate(binding_city=rate.nlargest(1), min_take_rate=round(rate.max(), 4)).is_correct
    wrong(q, "leaves out the subsidies", binding_city=city,
          min_take_rate=break_even(after, subsidies=False).max())
    pooled = ((after["gmv"] * after["commission_rate"] + after["fulfilment_cost"]
               + after["subsidy"] + after["leader_bonus"]).sum() / after["gmv"].sum())
    wrong(q, "pooled", binding_city=city, min_take_rate=pooled)
    wrong(q, "*least*", binding_city=rate.idxmin(), min_take_rate=rate.min())
    launch = break_even(gb[gb["week"] < CUT])
    wrong(q, "launch weeks", binding_city=launch.idxmax(), min_take_rate=launch.max())
    r = q.evaluate(binding_city="Nanchang", min_take_rate=rate.max())
    assert r.status == "incorrect" and "binding_city" in r.message


def test_q10_leaders_quitting(d):
    q = m01.LeaderQuits()
    gb = d["group_buying"]
    # per leader, the last week active and whether a later week shows them gone
    last_active = gb[gb["active"]].groupby("leader_id")["week"].max()
    gone = gb[~gb["active"]].groupby("leader_id")["week"].min()
    assert (gone.reindex(last_active.index).dropna()
            == last_active.reindex(gone.index) + pd.Timedelta(weeks=1)).all()
    end = gb["week"].max()
    quit_at = last_active[last_active.index.isin(gone.index) & (last_active < end)]
    seen = gb[gb["active"] & (gb["week"] < end)]
    rates_ = {}
    for name, before in (("quit_before", True), ("quit_after", False)):
        quits = (quit_at < CUT).sum() if before else (quit_at >= CUT).sum()
        weeks = (seen["week"] < CUT).sum() if before else (seen["week"] >= CUT).sum()
        rates_[name] = quits / weeks
    assert rates_["quit_after"] > rates_["quit_before"]
    assert q.evaluate(**rates_).is_correct
    every = gb[gb["week"] < end]
    early = every["week"] < CUT
    wrong(q, "every inactive week",
          quit_before=(~every["active"] & early).sum() / early.sum(),
          quit_after=(~every["active"] & ~early).sum() / (~early).sum())
    leaders = [seen.loc[seen["week"] < CUT, "leader_id"].nunique(),
               seen.loc[seen["week"] >= CUT, "leader_id"].nunique()]
    wrong(q, "divides by leaders", quit_before=(quit_at < CUT).sum() / leaders[0],
          quit_after=(quit_at >= CUT).sum() / leaders[1])
    all_weeks = gb[gb["active"]]
    wrong(q, "last week", quit_before=rates_["quit_before"],
          quit_after=(quit_at >= CUT).sum() / (all_weeks["week"] >= CUT).sum())


# --------------------------------------------------------------------------- another world



def test_every_check_holds_on_another_world(small_world):
    """On a 3,000-user world of seed 7 the reference answers are right, the wrong ones
    get their hints, and each question keeps at least one plausible mistake."""
    default = m01.OnlineShare()._expected()
    with in_world(small_world):
        every_check_holds(m01.EXERCISES)
        # the expected values follow the data of the world in use
        assert m01.OnlineShare()._expected() != default
