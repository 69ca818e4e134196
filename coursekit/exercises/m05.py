"""Checks for module 5, fine-grained operations
(``solutions/05_fine_grained_ops_exercises.ipynb``).

Expected values come from the data of the world in use through
:mod:`coursekit.segments`, :mod:`coursekit.funnels`,
:mod:`coursekit.experiments` and :mod:`coursekit.churn`; each plausible wrong
answer is a classic mistake of the module (a reversed R score, a median split
where the mean was asked, TGI upside down, a cumulative stage count, relative
lift for absolute uplift, a point estimate read as significant, AUC for KS,
a window that is not closed yet, calendar weeks for a
trailing window ...), computed from the same data.

Examples
--------
>>> from coursekit.exercises import m05
>>> questions = m05.EXERCISES.bind({})
>>> len(questions), questions[0].evaluate().status
(13, 'not_attempted')
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

import coursekit
from coursekit import churn, experiments, funnels, reach, segments
from coursekit.exercises.core import Exercise, ExerciseSet, Result

#: The day the segment questions describe, and the churn questions' cut-off.
ASOF = "2026-01-01"
CUTOFF = "2025-07-01"
HORIZON = 90
CAMPAIGN = "autumn_member_day"
TAG = "gifter"


def _orders() -> pd.DataFrame:
    return coursekit.load("orders")


def _rfm(**options: Any) -> pd.DataFrame:
    return segments.rfm(_orders(), asof=ASOF, **options)


def _manual_rfm(*, threshold: str = "mean", reverse_r: bool = False) -> pd.DataFrame:
    """R, F, M and their high/low flags written out in pandas, for the wrong answers."""
    o = _orders()
    o = o[o["order_time"] < pd.Timestamp(ASOF)]
    per = o.groupby("user_id").agg(last=("order_time", "max"), frequency=("order_id", "size"),
                                   monetary=("amount", "sum"))
    per["recency"] = (pd.Timestamp(ASOF) - per["last"].dt.normalize()).dt.days
    cut = per[["recency", "frequency", "monetary"]].agg(threshold)
    r_high = per["recency"] > cut["recency"] if reverse_r else per["recency"] < cut["recency"]
    per["code"] = (r_high.astype(int).astype(str) + (per["frequency"] > cut["frequency"])
                   .astype(int).astype(str) + (per["monetary"] > cut["monetary"])
                   .astype(int).astype(str))
    return per


class ImportantValue(Exercise):
    """How many customers are important value (重要价值客户)?"""

    qid = "q1"
    title = "Important value customers"
    variables = ("important_value",)
    hints = (
        "Important value = recent (R high), frequent (F high) and big-spending (M high). "
        "High means better than the mean; for recency, better means *fewer* days.",
        "Per customer: days from the last order to 2026-01-01, number of orders, total "
        "amount; compare each with its mean; count the customers high on all three.",
    )
    correct_message = "the customers to protect with service, not to chase with coupons."

    def expected(self) -> int:
        return int((_rfm()["segment_en"] == "important value").sum())

    def mistakes(self) -> list[tuple[object, str]]:
        return [
            (int((_manual_rfm(reverse_r=True)["code"] == "111").sum()),
             "Your R score is reversed: a *small* recency (a recent order) is the high score."),
            (int((_rfm(threshold="median")["segment_en"] == "important value").sum()),
             "You split at the median; the question splits R, F and M at their means."),
        ]


class ValueRevenueShare(Exercise):
    """Share of revenue from the important value segment."""

    qid = "q2"
    title = "Revenue share of important value customers"
    variables = ("value_share",)
    hints = (
        "Sum the monetary value of the important value customers and divide by the monetary "
        "value of all customers (orders before 2026-01-01).",
        "`segments.segment_summary(rfm)` has a `revenue_share` column, or do it with "
        "a boolean mask on the RFM table.",
    )
    correct_message = "a minority of customers, a large share of the money."

    def expected(self) -> float:
        rfm = _rfm()
        return float(rfm.loc[rfm["segment_en"] == "important value", "monetary"].sum()
                     / rfm["monetary"].sum())

    def mistakes(self) -> list[tuple[object, str]]:
        rfm = _rfm()
        value = rfm["segment_en"] == "important value"
        return [
            (float(value.mean()), "That is their share of customers; the question asks for "
                                  "their share of revenue."),
            (float(rfm.loc[value, "frequency"].sum() / rfm["frequency"].sum()),
             "That is their share of orders; the question asks for their share of revenue."),
        ]


class GoldOrAbove(Exercise):
    """Share of users in the gold or platinum tier."""

    qid = "q3"
    title = "Gold or above"
    variables = ("gold_or_above",)
    hints = (
        "Points with `segments.tier_points(orders, events, asof=...)`, "
        "tiers with `segments.assign_tiers(points)`.",
        "Count the users whose tier is gold or platinum and divide by all users in the table.",
    )
    correct_message = "the top of the ladder: the rights budget is built around them."

    def _tiers(self) -> pd.Series:
        points = segments.tier_points(_orders(), coursekit.load("events"), asof=ASOF)
        return segments.assign_tiers(points)

    def expected(self) -> float:
        return float(self._tiers().isin(["gold", "platinum"]).mean())

    def mistakes(self) -> list[tuple[object, str]]:
        tiers = self._tiers()
        return [
            (float((tiers == "gold").mean()), "Gold *or above*: count platinum too."),
            (float(tiers.isin(["gold", "platinum"]).sum()),
             "That is a number of users; the question asks for a share."),
        ]


def _tags() -> pd.DataFrame:
    users, orders, events = coursekit.load("users"), _orders(), coursekit.load("events")
    features = segments.user_features(users, orders, events, asof=ASOF,
                                      order_items=coursekit.load("order_items"),
                                      products=coursekit.load("products"))
    return segments.TagEngine(segments.default_tags()).apply(features)


class GifterTgi(Exercise):
    """TGI of the 'gifter' tag for the important value segment."""

    qid = "q4"
    title = "TGI of gift buyers among important value customers"
    variables = ("gifter_tgi",)
    rtol = 1e-6
    hints = (
        "TGI = (share of the target group with the tag) / (share of all users with the tag) "
        "x 100.",
        "The target group is the important value customers of q1; 'all users' are all rows "
        "of the tag table.",
    )
    correct_message = "above 100 the tag is over-represented in the group, below 100 under-represented."

    def _data(self) -> tuple[pd.DataFrame, np.ndarray]:
        if not hasattr(self, "_cached"):
            tags, rfm = _tags(), _rfm()
            self._cached = tags, tags.index.isin(rfm.index[rfm["segment_en"] == "important value"])
        return self._cached

    def expected(self) -> float:
        tags, target = self._data()
        return float(segments.tgi(tags, target).loc[TAG, "tgi"])

    def mistakes(self) -> list[tuple[object, str]]:
        tags, in_target = self._data()
        target, everyone = float(tags.loc[in_target, TAG].mean()), float(tags[TAG].mean())
        return [
            (target / everyone, "Multiply the ratio by 100: TGI 100 means 'as common as in "
                                "all users'."),
            (everyone / target * 100, "The ratio is upside down: the target group's share goes "
                                      "on top."),
            (target * 100, "Divide by the share among all users: TGI compares the two."),
        ]


class InterestStage(Exercise):
    """Users whose highest AIPL stage is interest."""

    qid = "q5"
    title = "Users at the interest stage"
    variables = ("interest_users",)
    hints = (
        "Each user is placed at the *highest* stage reached: loyalty > purchase > interest > "
        "awareness.",
        "`funnels.aipl(events, asof=...)` then count `stage == "
        "'interest'`.",
    )
    correct_message = "engaged but not buying: the audience of a first-order offer."

    def expected(self) -> int:
        stages = funnels.aipl(coursekit.load("events"), asof=ASOF)
        return int((stages["stage"] == "interest").sum())

    def mistakes(self) -> list[tuple[object, str]]:
        events = coursekit.load("events")
        events = events[events["event_time"] < pd.Timestamp(ASOF)]
        engaged = events["event_type"].isin(list(funnels.INTEREST_EVENTS))
        return [
            (int(events.loc[engaged, "user_id"].nunique()),
             "You counted everyone who ever showed interest, buyers included; each user "
             "counts only at their highest stage."),
        ]


class CampaignUplift(Exercise):
    """Absolute conversion uplift of one campaign."""

    qid = "q6"
    title = "Uplift of autumn_member_day"
    variables = ("uplift",)
    rtol = 1e-6
    hints = (
        "Uplift = conversion of the treatment group - conversion of the control group.",
        "Keep the campaign's rows of `campaign_assignments`; `groupby('group')['converted']"
        ".mean()`; subtract.",
    )
    correct_message = "what the campaign added: the treatment's conversion minus the control's."

    def _rates(self) -> pd.Series:
        sent = coursekit.load("campaign_assignments")
        ids = coursekit.load("campaigns").set_index("name")["campaign_id"]
        mine = sent[sent["campaign_id"] == ids[CAMPAIGN]]
        return mine.groupby("group", observed=True)["converted"].mean()

    def expected(self) -> float:
        sent = coursekit.load("campaign_assignments")
        ids = coursekit.load("campaigns").set_index("name")["campaign_id"]
        return float(experiments.lift(sent[sent["campaign_id"] == ids[CAMPAIGN]]).uplift)

    def mistakes(self) -> list[tuple[object, str]]:
        rates = self._rates()
        return [
            (float(rates["treatment"]), "That is the treatment's conversion; subtract the "
                                        "control's, which would have happened anyway."),
            (float(rates["treatment"] / rates["control"] - 1),
             "That is the relative lift; the question asks for the difference in conversion."),
        ]


class SignificantSegments(Exercise):
    """Segments whose uplift is clearly above zero."""

    qid = "q7"
    title = "Which segments respond?"
    variables = ("responding",)
    hints = (
        "A segment clearly responds when the whole 95% confidence interval of its uplift is "
        "above zero.",
        "`experiments.uplift_by_segment(campaign_assignments)`; keep the segments whose "
        "`uplift_low` is above 0; answer with their names (a list or set).",
    )
    correct_message = "the segments where a campaign adds orders; the others buy anyway or not."

    def _table(self) -> pd.DataFrame:
        return experiments.uplift_by_segment(coursekit.load("campaign_assignments"))

    def expected(self) -> set[str]:
        t = self._table()
        return {str(s) for s in t.index[t["uplift_low"] > 0]}

    def mistakes(self) -> list[tuple[object, str]]:
        t = self._table()
        return [
            ({str(s) for s in t.index[t["uplift"] > 0]},
             "A positive estimate is not enough: keep the segments whose whole interval is "
             "above zero."),
            ({str(s) for s in t.index}, "Not every segment responds: look at the intervals."),
        ]

    def compare(self, **answers: Any) -> Result | None:
        answer = answers["responding"]
        if isinstance(answer, pd.Index | pd.Series | np.ndarray | list | tuple | set):
            answer = {str(a) for a in answer}
        return super().compare(responding=answer)


class SampleSize(Exercise):
    """Users per group to detect a 2-point uplift on a 10% baseline."""

    qid = "q8"
    title = "How big must the test be?"
    variables = ("per_group",)
    rtol = 0.02
    hints = (
        "Baseline conversion 10%, smallest uplift worth detecting 2 points (to 12%), "
        "two-sided 5% significance, 80% power.",
        "`experiments.sample_size(0.10, 0.02)` gives the users needed in *each* group.",
    )
    correct_message = "per group; the test needs twice that in all."

    def expected(self) -> int:
        return experiments.sample_size(0.10, 0.02)

    def mistakes(self) -> list[tuple[object, str]]:
        n = experiments.sample_size(0.10, 0.02)
        return [(2 * n, "That is both groups together; the question asks per group.")]


def _labels() -> pd.DataFrame:
    return churn.labels(_orders(), asof=CUTOFF, horizon_days=HORIZON)


def _recency() -> pd.Series:
    o = _orders()
    last = o[o["order_time"] < pd.Timestamp(CUTOFF)].groupby("user_id")["order_time"].max()
    return (pd.Timestamp(CUTOFF) - last).dt.total_seconds() / 86_400


class ChurnRate(Exercise):
    """Share of customers who placed no order in the 90 days after the cut-off."""

    qid = "q9"
    title = "The churn label"
    variables = ("churn_rate",)
    rtol = 1e-6
    hints = (
        "The population: customers with an order before 2025-07-01. Churned: no order from "
        "2025-07-01 to 2025-09-28 (90 days).",
        "Orders in [cutoff, cutoff + 90 days): customers in the population who are not among "
        "them, divided by the population.",
    )
    correct_message = "the label the model learns; it is only known 90 days later."

    def expected(self) -> float:
        return float(_labels()["churned"].mean())

    def mistakes(self) -> list[tuple[object, str]]:
        o = _orders()
        cut = pd.Timestamp(CUTOFF)
        before = set(o.loc[o["order_time"] < cut, "user_id"])
        after_ever = set(o.loc[o["order_time"] >= cut, "user_id"])
        return [
            (1 - len(before & after_ever) / len(before),
             "Your window has no end: churned means no order in the 90 days after the cut-off."),
            (float(_labels()["churned"].sum()) / len(coursekit.load("users")),
             "Divide by the customers who had ordered before the cut-off, not all users."),
        ]


class RecencyKs(Exercise):
    """KS of recency as a churn score."""

    qid = "q10"
    title = "KS of recency"
    variables = ("ks",)
    rtol = 1e-6
    hints = (
        "Use each customer's days since the last order before the cut-off as the score and "
        "the churn label of q9 as the truth.",
        "KS = the largest value of TPR - FPR over all thresholds: "
        "`sklearn.metrics.roc_curve(y, score)` gives both; or `churn.ks_statistic`.",
    )
    correct_message = "recency alone separates churners well: the first symptom to watch."

    def _data(self) -> tuple[pd.Series, pd.Series]:
        y = _labels()["churned"]
        return y, _recency().reindex(y.index)

    def expected(self) -> float:
        y, score = self._data()
        return churn.ks_statistic(y, score)

    def mistakes(self) -> list[tuple[object, str]]:
        from sklearn.metrics import roc_auc_score

        y, score = self._data()
        auc = float(roc_auc_score(y, score))
        return [
            (auc, "That is the AUC; KS is the largest gap between TPR and FPR."),
            (2 * auc - 1, "That is the Gini coefficient; KS is max(TPR - FPR)."),
        ]


class AfterThirdOrder(Exercise):
    """Chance of another order within 180 days after the third."""

    qid = "q11"
    title = "After the third order"
    variables = ("p_after_3",)
    rtol = 1e-6
    hints = (
        "Orders on one day count as one purchase. Take customers with at least 3 purchase "
        "days whose 3rd is at least 180 days before the end of the data.",
        "Among them, the share whose 4th purchase day came within 180 days of the 3rd; or "
        "`churn.repeat_probability(orders, window_days=180)`.",
    )
    correct_message = "each order placed makes the next more likely."

    def expected(self) -> float:
        curve = churn.repeat_probability(_orders(), window_days=180)
        return float(curve.table.loc[3, "p_within"])

    def mistakes(self) -> list[tuple[object, str]]:
        curve = churn.repeat_probability(_orders(), window_days=180)
        return [
            (float(curve.table.loc[3, "p_ever"]),
             "Count a 4th order only if it came within 180 days of the 3rd."),
            (float(curve.table.loc[2, "p_within"]),
             "That is the chance after the 2nd order; the question asks after the 3rd."),
        ]


class ViewToCart(Exercise):
    """Share of viewing users who add to cart in the same session."""

    qid = "q12"
    title = "From view to cart"
    variables = ("view_to_cart",)
    rtol = 1e-6
    hints = (
        "An ordered funnel within a session: users who viewed, and of them users who added "
        "to cart after a view in the same session.",
        "`funnels.funnel(events, ['view', 'add_to_cart', 'order'])` and "
        "read the step conversion of add_to_cart.",
    )
    correct_message = "the first step of the shop's funnel, where browsing turns into intent."

    def _funnel(self) -> pd.DataFrame:
        return funnels.funnel(coursekit.load("events"), ["view", "add_to_cart", "order"])

    def expected(self) -> float:
        return float(self._funnel().loc["add_to_cart", "step_conversion"])

    def mistakes(self) -> list[tuple[object, str]]:
        f = self._funnel()
        return [
            (float(f.loc["order", "step_conversion"]), "That is the cart-to-order step."),
            (float(f.loc["order", "overall_conversion"]),
             "That is view to order; the question asks for view to cart."),
        ]


def _lost_messages() -> pd.DataFrame:
    m = coursekit.load("messages")
    return m.assign(lost=m["unsubscribed"] | m["complained"])


class FatigueRatio(Exercise):
    """How much likelier a message is to be lost under heavy pressure."""

    qid = "q13"
    title = "Message fatigue"
    variables = ("fatigue_ratio",)
    rtol = 1e-6
    hints = (
        "For every message, count the messages the same user received in the 7 days up to "
        "and including it (all media). Compare the share of messages lost (unsubscribed or "
        "complained) at 7 or more with the share at exactly 1.",
        "`reach.fatigue_curve(messages.assign(lost=...), outcomes=['lost'], bands=(1, 2, 7))`, "
        "then the `lost_rate` of band '7+' divided by that of band '1'.",
    )
    correct_message = "the case for a weekly frequency cap across all media."

    def _ratio(self, messages: pd.DataFrame, outcome: str, counts: pd.Series) -> float:
        lost = messages[outcome]
        return float(lost[counts >= 7].mean() / lost[counts == 1].mean())

    def expected(self) -> float:
        curve = reach.fatigue_curve(_lost_messages(), outcomes=["lost"], bands=(1, 2, 7))
        return float(curve.loc["7+", "lost_rate"] / curve.loc["1", "lost_rate"])

    def mistakes(self) -> list[tuple[object, str]]:
        m = _lost_messages()
        trailing = reach.messages_in_window(m)
        week = m["sent_time"].dt.to_period("W")
        calendar = m.groupby([m["user_id"], week])["message_id"].transform("size")
        return [
            (self._ratio(m, "lost", calendar),
             "That counts messages per calendar week; count the 7 days up to each message "
             "(a trailing window), as the customer feels it."),
            (self._ratio(m, "lost", trailing - 1),
             "Count the message itself too: 'only one' means the message was the first in "
             "7 days."),
            (self._ratio(m, "unsubscribed", trailing),
             "A message is lost when the user unsubscribed *or* complained."),
        ]


EXERCISES = ExerciseSet(
    "05_fine_grained_ops_exercises",
    [ImportantValue, ValueRevenueShare, GoldOrAbove, GifterTgi, InterestStage, CampaignUplift,
     SignificantSegments, SampleSize, ChurnRate, RecencyKs, AfterThirdOrder, ViewToCart,
     FatigueRatio],
)

__all__ = ["EXERCISES", "ASOF", "CUTOFF", "HORIZON", "CAMPAIGN", "TAG"]
