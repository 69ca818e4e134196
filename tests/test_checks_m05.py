"""Module 5 checks, three ways: the answer passes, a stub is not attempted, plausible
wrong answers fail with the hint aimed at them. Right and wrong answers are computed
here in plain pandas where the question teaches the computation."""

from __future__ import annotations

import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score, roc_curve

import coursekit
from coursekit import churn, experiments, funnels, segments
from coursekit.exercises import ____, m05

ASOF, CUTOFF = pd.Timestamp("2026-01-01"), pd.Timestamp("2025-07-01")


@pytest.fixture(scope="module")
def d():
    orders = coursekit.load("orders")
    per = orders[orders["order_time"] < ASOF].groupby("user_id").agg(
        last=("order_time", "max"), frequency=("order_id", "size"), monetary=("amount", "sum"))
    per["recency"] = (ASOF - per["last"].dt.normalize()).dt.days
    return dict(orders=orders, per=per, events=coursekit.load("events"),
                sent=coursekit.load("campaign_assignments"))


def wrong(question, hint_words, **answer):
    r = question.evaluate(**answer)
    assert r.status == "incorrect", r.text
    assert hint_words in r.message, r.message


def test_every_question_is_not_attempted_as_handed_out():
    for q in m05.EXERCISES.bind({}):
        assert q.evaluate().status == "not_attempted"
        assert q.evaluate(**{v: ____ for v in q.variables}).status == "not_attempted"


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


def test_q2_value_share(d):
    q, per = m05.ValueRevenueShare(), d["per"]
    cut = per[["recency", "frequency", "monetary"]].mean()
    value = ((per["recency"] < cut["recency"]) & (per["frequency"] > cut["frequency"])
             & (per["monetary"] > cut["monetary"]))
    assert q.evaluate(value_share=per.loc[value, "monetary"].sum() / per["monetary"].sum()
                      ).is_correct
    wrong(q, "share of customers", value_share=value.mean())
    wrong(q, "share of orders",
          value_share=per.loc[value, "frequency"].sum() / per["frequency"].sum())


def test_q3_gold_or_above(d):
    q = m05.GoldOrAbove()
    tiers = segments.assign_tiers(segments.tier_points(d["orders"], d["events"],
                                                       asof=ASOF))
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
    engaged = set(ev.loc[ev["event_type"].isin(["search", "add_to_cart", "share", "invite"]),
                         "user_id"])
    buyers = set(d["orders"].loc[d["orders"]["order_time"] < ASOF, "user_id"])
    assert q.evaluate(interest_users=len(engaged - buyers)).is_correct
    wrong(q, "highest stage", interest_users=len(engaged))


def test_q6_campaign_uplift(d):
    q = m05.CampaignUplift()
    ids = coursekit.load("campaigns").set_index("name")["campaign_id"]
    one = d["sent"][d["sent"]["campaign_id"] == ids["autumn_member_day"]]
    rates = one.groupby("group", observed=True)["converted"].mean()
    assert q.evaluate(uplift=rates["treatment"] - rates["control"]).is_correct
    wrong(q, "control's", uplift=rates["treatment"])
    wrong(q, "relative lift", uplift=rates["treatment"] / rates["control"] - 1)


def test_q7_responding_segments(d):
    q = m05.SignificantSegments()
    sent = d["sent"]
    rows = {}
    for seg, g in sent.groupby("segment", observed=True):
        t, c = g[g["group"] == "treatment"]["converted"], g[g["group"] == "control"]["converted"]
        diff = t.mean() - c.mean()
        se = (t.mean() * (1 - t.mean()) / len(t) + c.mean() * (1 - c.mean()) / len(c)) ** 0.5
        rows[seg] = (diff, diff - 1.959964 * se)
    right = {s for s, (_, low) in rows.items() if low > 0}
    assert q.evaluate(responding=sorted(right)).is_correct
    assert q.evaluate(responding=pd.Index(sorted(right))).is_correct
    wrong(q, "whole interval", responding={s for s, (est, _) in rows.items() if est > 0})
    wrong(q, "Not every segment", responding=set(rows))


def test_q8_sample_size():
    q = m05.SampleSize()
    # Cohen's arcsine effect size for 12% vs 10%, two-sided 5%, 80% power: each arm's
    # transformed proportion has variance 1/n, so the difference has 2/n.
    import math

    h = 2 * math.asin(math.sqrt(0.12)) - 2 * math.asin(math.sqrt(0.10))
    n = math.ceil(2 * ((1.959964 + 0.841621) / h) ** 2)
    assert q.evaluate(per_group=n).is_correct
    wrong(q, "both groups", per_group=2 * n)
    assert abs(experiments.sample_size(0.10, 0.02) - n) <= 1


def test_q9_churn_rate(d):
    q = m05.ChurnRate()
    o = d["orders"]
    before = set(o.loc[o["order_time"] < CUTOFF, "user_id"])
    window = o["order_time"].between(CUTOFF, CUTOFF + pd.Timedelta(days=90), inclusive="left")
    back = set(o.loc[window, "user_id"])
    assert q.evaluate(churn_rate=len(before - back) / len(before)).is_correct
    ever = set(o.loc[o["order_time"] >= CUTOFF, "user_id"])
    wrong(q, "no end", churn_rate=len(before - ever) / len(before))
    wrong(q, "ordered before", churn_rate=len(before - back) / 20_000)


def test_q10_recency_ks(d):
    q = m05.RecencyKs()
    labels = churn.labels(d["orders"], asof=CUTOFF, horizon_days=90)
    o = d["orders"]
    last = o[o["order_time"] < CUTOFF].groupby("user_id")["order_time"].max()
    score = ((CUTOFF - last).dt.total_seconds() / 86_400).reindex(labels.index)
    fpr, tpr, _ = roc_curve(labels["churned"], score)
    assert q.evaluate(ks=(tpr - fpr).max()).is_correct
    auc = roc_auc_score(labels["churned"], score)
    wrong(q, "AUC", ks=auc)
    wrong(q, "Gini", ks=2 * auc - 1)


def test_q11_after_third_order(d):
    q = m05.AfterThirdOrder()
    o = d["orders"]
    days = o.assign(day=o["order_time"].dt.normalize())[["user_id", "day"]].drop_duplicates()
    days = days.sort_values(["user_id", "day"])
    days["k"] = days.groupby("user_id").cumcount() + 1
    third = days[days["k"] == 3].set_index("user_id")["day"]
    fourth = days[days["k"] == 4].set_index("user_id")["day"]
    end = o["order_time"].max().normalize() + pd.Timedelta(days=1)
    fair = third[third + pd.Timedelta(days=180) <= end]
    gap = (fourth.reindex(fair.index) - fair).dt.days
    assert q.evaluate(p_after_3=(gap <= 180).mean()).is_correct
    wrong(q, "within 180 days", p_after_3=gap.notna().mean())


def test_q12_view_to_cart(d):
    q = m05.ViewToCart()
    steps = funnels.funnel(d["events"], ["view", "add_to_cart", "order"])
    assert q.evaluate(view_to_cart=steps.loc["add_to_cart", "step_conversion"]).is_correct
    wrong(q, "cart-to-order", view_to_cart=steps.loc["order", "step_conversion"])
    wrong(q, "view to order", view_to_cart=steps.loc["order", "overall_conversion"])


def test_q13_fatigue_ratio():
    q = m05.FatigueRatio()
    m = coursekit.load("messages")
    lost = m["unsubscribed"] | m["complained"]
    # the trailing 7-day count written out: a self-merge per user, 7 days back, itself included
    pairs = m[["message_id", "user_id", "sent_time"]].merge(
        m[["user_id", "sent_time"]], on="user_id", suffixes=("", "_other"))
    inside = (pairs["sent_time_other"] <= pairs["sent_time"]) & (
        pairs["sent_time_other"] > pairs["sent_time"] - pd.Timedelta(days=7))
    counts = pairs[inside].groupby("message_id").size().reindex(m["message_id"]).to_numpy()
    ratio = lost[counts >= 7].mean() / lost[counts == 1].mean()
    assert q.evaluate(fatigue_ratio=ratio).is_correct
    week = m.groupby([m["user_id"], m["sent_time"].dt.to_period("W")])["message_id"].transform(
        "size").to_numpy()
    wrong(q, "calendar week", fatigue_ratio=lost[week >= 7].mean() / lost[week == 1].mean())
    wrong(q, "itself", fatigue_ratio=lost[counts >= 8].mean() / lost[counts == 2].mean())
    unsub = m["unsubscribed"]
    wrong(q, "or* complained",
          fatigue_ratio=unsub[counts >= 7].mean() / unsub[counts == 1].mean())
