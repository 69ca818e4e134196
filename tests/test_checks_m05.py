"""Module 5 checks, three ways: the answer passes, a stub is not attempted, plausible
wrong answers fail with the hint aimed at them. Right and wrong answers are computed
here in plain pandas where the question teaches the computation."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
from helpers import wrong
from sklearn.metrics import roc_auc_score, roc_curve

import coursekit
from coursekit import churn, experiments, funnels, segments
from coursekit.exercises import ____, m05, same

ASOF, CUTOFF = pd.Timestamp("2025-10-01"), pd.Timestamp("2025-07-01")
LESSON_DAY = pd.Timestamp("2026-01-01")


def _per_customer(orders, day):
    per = orders[orders["order_time"] < day].groupby("user_id").agg(
        last=("order_time", "max"), frequency=("order_id", "size"), monetary=("amount", "sum"))
    per["recency"] = (day - per["last"].dt.normalize()).dt.days
    return per


@pytest.fixture(scope="module")
def d():
    orders = coursekit.load("orders")
    campaigns = coursekit.load("campaigns")
    return dict(orders=orders, per=_per_customer(orders, ASOF), events=coursekit.load("events"),
                sent=coursekit.load("campaign_assignments"), campaigns=campaigns,
                ids=campaigns.set_index("name")["campaign_id"])


@pytest.fixture(scope="module")
def msg():
    """Messages with their trailing counts written out: a self-merge per user."""
    m = coursekit.load("messages")
    pairs = m[["message_id", "user_id", "sent_time"]].merge(
        m[["user_id", "sent_time"]], on="user_id", suffixes=("", "_other"))
    back = pairs["sent_time"] - pairs["sent_time_other"]
    pairs = pairs[(back >= pd.Timedelta(0)) & (back <= pd.Timedelta(days=14))]
    back = back.loc[pairs.index]

    def count(inside):
        return pairs[inside].groupby("message_id").size().reindex(
            m["message_id"], fill_value=0).to_numpy()

    other_day = pairs["sent_time_other"].dt.normalize()
    return dict(
        m=m, lost=(m["unsubscribed"] | m["complained"]).to_numpy(),
        in7=count(back < pd.Timedelta(days=7)),
        in14=count(back < pd.Timedelta(days=14)),
        # 14 calendar days: the message's day and the 13 days before it
        in14_calendar=count(other_day >= pairs["sent_time"].dt.normalize() - pd.Timedelta(days=13)),
    )



def test_every_question_is_not_attempted_as_handed_out():
    questions = m05.EXERCISES.bind({})
    assert len(questions) == 16
    for q in questions:
        assert q.evaluate().status == "not_attempted"
        assert q.evaluate(**{v: ____ for v in q.variables}).status == "not_attempted"


def test_no_hint_gives_the_answer_away():
    """Hints and messages name the mistake; no number in them is the number asked for."""
    for q in m05.EXERCISES.bind({}):
        expected = q._expected()
        values = expected.values() if isinstance(expected, dict) else [expected]
        answers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
        for text in [*q.hints, *(h for _, h in q.mistakes()), q.correct_message]:
            for token in re.findall(r"\d+(?:\.\d+)?", text.replace(",", "")):
                for v in answers:
                    assert not same(float(token), v), (q.qid, token, text)
                    assert not same(float(token) / 100, v), (q.qid, token, text)  # a percentage


def _count(per, r_high, stat="mean"):
    cut = per[["recency", "frequency", "monetary"]].agg(stat)
    f = per["frequency"] > cut["frequency"]
    m = per["monetary"] > cut["monetary"]
    return int((r_high(per["recency"], cut["recency"]) & f & m).sum())


def test_q1_important_value(d):
    q, per = m05.ImportantValue(), d["per"]
    assert q.evaluate(important_value=_count(per, lambda r, c: r < c)).is_correct
    wrong(q, "reversed", important_value=_count(per, lambda r, c: r > c))
    wrong(q, "median", important_value=_count(per, lambda r, c: r < c, "median"))
    lesson = _count(_per_customer(d["orders"], LESSON_DAY), lambda r, c: r < c)
    wrong(q, "lesson 5a's day", important_value=lesson)


def test_q2_value_share(d):
    q, per = m05.ValueRevenueShare(), d["per"]
    cut = per[["recency", "frequency", "monetary"]].mean()
    value = ((per["recency"] < cut["recency"]) & (per["frequency"] > cut["frequency"])
             & (per["monetary"] > cut["monetary"]))
    share = per.loc[value, "monetary"].sum() / per["monetary"].sum()
    assert q.evaluate(value_share=share).is_correct
    assert q.evaluate(value_share=round(share, 3)).is_correct  # read off a table
    wrong(q, "100 times too large", value_share=100 * share)
    wrong(q, "share of customers", value_share=value.mean())
    wrong(q, "share of orders",
          value_share=per.loc[value, "frequency"].sum() / per["frequency"].sum())


def test_q3_gold_or_above(d):
    q = m05.GoldOrAbove()
    tiers = segments.assign_tiers(segments.tier_points(d["orders"], d["events"], asof=ASOF))
    assert q.evaluate(gold_or_above=tiers.isin(["gold", "platinum"]).mean()).is_correct
    wrong(q, "platinum too", gold_or_above=(tiers == "gold").mean())
    wrong(q, "share", gold_or_above=int(tiers.isin(["gold", "platinum"]).sum()))


def test_q4_gifter_tgi(d):
    q = m05.GifterTgi()
    tags, target = q._data()
    inside, overall = tags.loc[target, "gifter"].mean(), tags["gifter"].mean()
    assert q.evaluate(gifter_tgi=inside / overall * 100).is_correct
    wrong(q, "by 100", gifter_tgi=inside / overall)
    wrong(q, "upside down", gifter_tgi=overall / inside * 100)


def test_q5_interest_stage(d):
    q = m05.InterestStage()
    ev = d["events"][d["events"]["event_time"] < ASOF]
    year = ev[ev["event_time"] >= ASOF - pd.Timedelta(days=365)]

    def interest_only(log):
        engaged = set(log.loc[log["event_type"].isin(["search", "add_to_cart", "share",
                                                       "invite"]), "user_id"])
        return engaged, engaged - set(log.loc[log["event_type"] == "order", "user_id"])

    engaged, right = interest_only(year)
    assert q.evaluate(interest_users=len(right)).is_correct
    wrong(q, "highest stage", interest_users=len(engaged))
    wrong(q, "all history", interest_users=len(interest_only(ev)[1]))


def _rates(rows):
    return rows.groupby("group", observed=True)["converted"].mean()


def test_q6_uplift_in_one_segment(d):
    q, sent = m05.CampaignUplift(), d["sent"]
    campaign = sent[sent["campaign_id"] == d["ids"]["summer_winback"]]
    rates = _rates(campaign[campaign["segment"] == "lapsing"])
    assert q.evaluate(uplift=rates["treatment"] - rates["control"]).is_correct
    wrong(q, "control's", uplift=rates["treatment"])
    wrong(q, "relative lift", uplift=rates["treatment"] / rates["control"] - 1)
    whole = _rates(campaign)
    wrong(q, "whole campaign", uplift=whole["treatment"] - whole["control"])


def _wald(rows):
    out = {}
    for seg, g in rows.groupby("segment", observed=True):
        t, c = g[g["group"] == "treatment"]["converted"], g[g["group"] == "control"]["converted"]
        diff = t.mean() - c.mean()
        se = (t.mean() * (1 - t.mean()) / len(t) + c.mean() * (1 - c.mean()) / len(c)) ** 0.5
        out[str(seg)] = (diff, diff - 1.959964 * se)
    return out


def test_q7_responding_segments(d):
    q, sent = m05.SignificantSegments(), d["sent"]
    rows = _wald(sent[sent["campaign_id"] == d["ids"]["autumn_member_day"]])
    right = {s for s, (_, low) in rows.items() if low > 0}
    assert q.evaluate(responding=sorted(right)).is_correct
    assert q.evaluate(responding=pd.Index(sorted(right))).is_correct
    wrong(q, "whole interval", responding={s for s, (est, _) in rows.items() if est > 0})
    wrong(q, "Not every segment", responding=set(rows))
    pooled = {s for s, (_, low) in _wald(sent).items() if low > 0}
    if pooled != right:
        wrong(q, "pools every campaign", responding=pooled)
    if right:                                   # the message does not count the segments
        r = q.evaluate(responding=set())
        assert r.status == "incorrect" and "misses some expected items" in r.message, r.text
        assert not re.search(r"misses \d", r.message), r.text


def test_q8_sample_size():
    q = m05.SampleSize()
    # Cohen's arcsine effect size for 12% vs 10%, two-sided 5%, 80% power: each arm's
    # transformed proportion has variance 1/n, so the difference has 2/n.
    h = 2 * math.asin(math.sqrt(0.12)) - 2 * math.asin(math.sqrt(0.10))
    n = math.ceil(2 * ((1.959964 + 0.841621) / h) ** 2)
    assert q.evaluate(per_group=n).is_correct
    wrong(q, "both groups", per_group=2 * n)
    # the textbook formula on the two rates (pooled variance under the null) is accepted ...
    p0, p1, za, zb = 0.10, 0.12, 1.959964, 0.841621
    textbook = ((za * math.sqrt(2 * 0.11 * 0.89) + zb * math.sqrt(p0 * (1 - p0) + p1 * (1 - p1)))
                / 0.02) ** 2
    assert q.evaluate(per_group=math.ceil(textbook)).is_correct
    # ... Fleiss's continuity correction is not
    fleiss = textbook / 4 * (1 + math.sqrt(1 + 4 / (textbook * 0.02))) ** 2
    wrong(q, "continuity correction", per_group=math.ceil(fleiss))
    assert abs(experiments.sample_size(0.10, 0.02) - n) <= 1


def test_q9_churn_rate(d):
    q = m05.ChurnRate()
    o = d["orders"]
    before = set(o.loc[o["order_time"] < CUTOFF, "user_id"])
    window = o["order_time"].between(CUTOFF, CUTOFF + pd.Timedelta(days=90), inclusive="left")
    back = set(o.loc[window, "user_id"])
    rate = len(before - back) / len(before)
    assert q.evaluate(churn_rate=rate).is_correct
    ever = set(o.loc[o["order_time"] >= CUTOFF, "user_id"])
    wrong(q, "no end", churn_rate=len(before - ever) / len(before))
    wrong(q, "ordered before", churn_rate=len(before - back) / 20_000)
    wrong(q, "came back", churn_rate=1 - rate)
    wrong(q, "100 times too large", churn_rate=100 * rate)


def test_q10_recency_ks(d):
    q = m05.RecencyKs()
    labels = churn.labels(d["orders"], asof=CUTOFF, horizon_days=90)
    o = d["orders"]
    last = o[o["order_time"] < CUTOFF].groupby("user_id")["order_time"].max()
    score = ((CUTOFF - last).dt.total_seconds() / 86_400).reindex(labels.index)
    fpr, tpr, _ = roc_curve(labels["churned"], score)
    assert q.evaluate(ks=(tpr - fpr).max()).is_correct
    whole_days = (CUTOFF - last.dt.normalize()).dt.days.reindex(labels.index)
    fpr, tpr, _ = roc_curve(labels["churned"], whole_days)
    assert q.evaluate(ks=(tpr - fpr).max()).is_correct  # calendar days: a valid reading
    auc = roc_auc_score(labels["churned"], score)
    wrong(q, "AUC", ks=auc)
    wrong(q, "Gini", ks=2 * auc - 1)


def _purchase_days(o):
    days = o.assign(day=o["order_time"].dt.normalize())[["user_id", "day"]].drop_duplicates()
    return days.sort_values(["user_id", "day"])


def test_q11_after_third_order_every_reading(d):
    q = m05.AfterThirdOrder()
    o = d["orders"]
    days = _purchase_days(o)
    days["k"] = days.groupby("user_id").cumcount() + 1
    third = days[days["k"] == 3].set_index("user_id")["day"]
    fourth = days[days["k"] == 4].set_index("user_id")["day"]
    last_day = o["order_time"].max().normalize()
    for end in (last_day + pd.Timedelta(days=1), last_day):  # asof-style end, or the last day
        fair = third[third + pd.Timedelta(days=180) <= end]
        gap = (fourth.reindex(fair.index) - fair).dt.days
        assert q.evaluate(p_after_3=(gap < 180).mean()).is_correct
        assert q.evaluate(p_after_3=(gap <= 180).mean()).is_correct
        wrong(q, "within 180 days", p_after_3=gap.notna().mean())


def test_q12_view_to_cart(d):
    q = m05.ViewToCart()
    steps = funnels.funnel(d["events"], ["view", "add_to_cart", "order"])
    assert q.evaluate(view_to_cart=steps.loc["add_to_cart", "step_conversion"]).is_correct
    wrong(q, "cart-to-order", view_to_cart=steps.loc["order", "step_conversion"])
    wrong(q, "view to order", view_to_cart=steps.loc["order", "overall_conversion"])


def _ratio(flag, counts, heavy=10):
    return flag[counts >= heavy].mean() / flag[counts == 1].mean()


def test_q13_fatigue_over_two_weeks(msg):
    q, lost = m05.FatigueRatio(), msg["lost"]
    assert q.evaluate(fatigue_ratio=_ratio(lost, msg["in14"])).is_correct
    assert q.evaluate(fatigue_ratio=_ratio(lost, msg["in14_calendar"])).is_correct
    wrong(q, "last 7 days", fatigue_ratio=_ratio(lost, msg["in7"]))
    wrong(q, "itself", fatigue_ratio=_ratio(lost, msg["in14"] - 1))
    unsub = msg["m"]["unsubscribed"].to_numpy()
    wrong(q, "or* complained", fatigue_ratio=_ratio(unsub, msg["in14"]))


def test_q14_margin_is_the_company_contribution_margin():
    """The question's margin is the one the data shows when 2025 is planned (2024's orders,
    revenue less goods, delivery, packaging, payment fees and refunds), to a planner's
    rounding."""
    orders = coursekit.load("orders").set_index("order_id")
    orders = orders[orders["order_time"] < pd.Timestamp(m05.PLAN_FROM)]
    items = coursekit.load("order_items").merge(coursekit.load("products"), on="product_id")
    goods = (items["quantity"] * items["unit_cost"]).groupby(items["order_id"]).sum()
    costs = coursekit.load("order_costs").set_index("order_id").reindex(orders.index)
    spent = costs[["shipping", "packaging", "payment_fee", "member_benefit", "refund"]].sum()
    revenue = orders["amount"].sum()
    rate = (revenue - goods.reindex(orders.index).sum() - spent.sum()) / revenue
    assert abs(m05.MARGIN - rate) < 0.05, rate


def test_q14_which_segment_to_contact(d):
    q, sent, campaigns = m05.TargetingRoi(), d["sent"], d["campaigns"]
    known = campaigns.loc[campaigns["start_date"] < pd.Timestamp("2025-01-01"), "campaign_id"]

    def per_user(rows):
        return rows.groupby(["segment", "group"], observed=True)["revenue"].mean().unstack()

    r = per_user(sent[sent["campaign_id"].isin(known)])
    extra = r["treatment"] - r["control"]
    profit = 0.4 * extra - 2.0
    best = str(profit.idxmax())
    assert q.evaluate(best_segment=best, best_profit=profit.max()).is_correct
    assert q.evaluate(best_segment=profit.nlargest(1), best_profit=profit.nlargest(1)).is_correct
    treated = 0.4 * r["treatment"] - 2.0
    assert str(treated.idxmax()) != best  # the tempting choice: who spends most anyway
    wrong(q, "anyway", best_segment=str(treated.idxmax()), best_profit=treated.max())
    wrong(q, "by the margin", best_segment=best, best_profit=extra[best] - 2.0)
    wrong(q, "cost of each contact", best_segment=best, best_profit=0.4 * extra[best])
    everything = 0.4 * (lambda t: t["treatment"] - t["control"])(per_user(sent)) - 2.0
    wrong(q, "every campaign", best_segment=str(everything.idxmax()),
          best_profit=everything.max())
    wrong(q, "is not the expected one", best_segment="loyal" if best != "loyal" else "new",
          best_profit=profit.max())


def test_q15_which_frequency_cap(msg):
    q, lost = m05.FrequencyCap(), msg["lost"]
    opened = msg["m"]["opened"].to_numpy()

    def values(counts, flag=lost, over_at=1):
        return pd.Series({c: 10 * (flag & (counts >= c + over_at)).sum()
                          - (opened & (counts >= c + over_at)).sum() for c in range(1, 11)})

    v = values(msg["in7"])
    assert q.evaluate(best_cap=int(v.idxmax()), cap_value=int(v.max())).is_correct
    assert q.evaluate(best_cap=float(v.idxmax()), cap_value=float(v.max())).is_correct
    # value.nlargest(1) names the cap by its label, and its value is the cap's value
    assert q.evaluate(best_cap=v.nlargest(1), cap_value=v.nlargest(1)).is_correct
    off = values(msg["in7"], over_at=0)
    wrong(q, "lets the c-th message through", best_cap=int(off.idxmax()), cap_value=int(off.max()))
    only = pd.Series({c: 10 * (lost & (msg["in7"] > c)).sum() for c in range(1, 11)})
    wrong(q, "opened", best_cap=int(only.idxmax()), cap_value=int(only.max()))
    unsub = values(msg["in7"], flag=msg["m"]["unsubscribed"].to_numpy())
    if (unsub.idxmax(), unsub.max()) != (off.idxmax(), off.max()):
        wrong(q, "or* complained", best_cap=int(unsub.idxmax()), cap_value=int(unsub.max()))
    wrong(q, "too", best_cap=int(v.idxmax()), cap_value=int(v.max()) + 50)


def test_q16_winback_day(d):
    q = m05.WinbackDay()

    def first_below(days, conditional=True):
        days = days.copy()
        days["gap"] = (days.groupby("user_id")["day"].shift(-1) - days["day"]).dt.days
        gap = days.loc[(days["day"] >= "2024-01-01") & (days["day"] < "2025-01-01"), "gap"]
        for day in range(1, 336):
            soon = ((gap > day) & (gap <= day + 30)).sum()
            waiting = len(gap) - (gap <= day).sum()  # a NaN gap (no next purchase) still waits
            if soon / (waiting if conditional else len(gap)) < 0.10:
                return day
        return None

    days = _purchase_days(d["orders"])
    right = first_below(days)
    assert q.evaluate(winback_day=right).is_correct
    assert q.evaluate(winback_day=np.int64(right)).is_correct
    wrong(q, "still waiting", winback_day=first_below(days, conditional=False))
    wrong(q, "too", winback_day=right + 30)
    wrong(q, "too", winback_day=right - 30)


def test_the_new_questions_ask_what_the_lessons_did_not_print():
    """The lessons describe 2026-01-01, pool the campaigns and use a 7-day window."""
    assert m05.ASOF != "2026-01-01"
    assert m05.FATIGUE_WINDOW != 7
    assert m05.CAMPAIGN != "double11_warmup" and m05.RESPOND_CAMPAIGN != "double11_warmup"
