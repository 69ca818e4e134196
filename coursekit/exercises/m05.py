"""Checks for module 5, fine-grained operations
(``solutions/05_fine_grained_ops_exercises.ipynb``).

Expected values come from the data of the world in use through
:mod:`coursekit.segments`, :mod:`coursekit.funnels`,
:mod:`coursekit.experiments`, :mod:`coursekit.reach` and :mod:`coursekit.churn`;
each plausible wrong answer is a classic mistake of the module (a reversed R
score, a median split where the mean was asked, TGI upside down, a cumulative
stage count, relative lift for absolute uplift, a point estimate read as
significant, AUC for KS, a window that is not closed yet, calendar weeks for a
trailing window, revenue of the treated without the control's, a cap that
counts only the losses it avoids, a chance not conditioned on the silence so
far ...), computed from the same data.

The questions ask about days, campaigns, segments and windows the lessons did
not print (the lessons describe 2026-01-01, pool the campaigns and use a
7-day window), so that the learner computes rather than copies.

Examples
--------
>>> from coursekit.exercises import m05
>>> questions = m05.EXERCISES.bind({})
>>> len(questions), questions[0].evaluate().status
(16, 'not_attempted')
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pandas as pd

import coursekit
from coursekit import churn, experiments, funnels, reach, segments
from coursekit.exercises.core import Exercise, ExerciseSet, Result, hide_count, same

#: The day the segment questions describe (lesson 5a describes 2026-01-01).
ASOF = "2025-10-01"
#: The churn questions' cut-off and label window.
CUTOFF = "2025-07-01"
HORIZON = 90
#: q6: one campaign, one CRM segment.
CAMPAIGN = "summer_winback"
SEGMENT = "lapsing"
#: q7: the campaign whose segments are judged one by one.
RESPOND_CAMPAIGN = "autumn_member_day"
TAG = "gifter"
#: q13: the trailing window (days) and the heavy-pressure band.
FATIGUE_WINDOW = 14
FATIGUE_HEAVY = 10
#: q14: the campaigns known when 2025 is planned, the margin kept and the cost of a contact.
PLAN_FROM = "2025-01-01"
#: The contribution margin kept on extra revenue: what is left after the goods, delivery,
#: packaging, payment fees and refunds (about 38% in 2024; tests/test_checks_m05.py holds
#: it to the data), rounded as a planner would.
MARGIN = 0.4
COST_PER_CONTACT = 2.0
#: q15: what a lost and an opened message are worth (yuan), and the caps compared.
LOST_COST = 10
OPEN_VALUE = 1
CAPS = tuple(range(1, 11))
CAP_WINDOW = 7
#: q16: the purchases followed, the look-ahead window, the level, the longest silence.
WINBACK_FROM, WINBACK_TO = "2024-01-01", "2025-01-01"
WINBACK_NEXT = 30
WINBACK_LEVEL = 0.10
WINBACK_MAX = 335


def _orders() -> pd.DataFrame:
    return coursekit.load("orders")


def _rfm(asof: str = ASOF, **options: Any) -> pd.DataFrame:
    return segments.rfm(_orders(), asof=asof, **options)


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
    """How many customers are important value (重要价值客户) on ASOF?"""

    qid = "q1"
    title = "Important value customers"
    variables = ("important_value",)
    hints = (
        "Important value = recent (R high), frequent (F high) and big-spending (M high). "
        "High means better than the mean; for recency, better means *fewer* days.",
        f"Orders before {ASOF} only. Per customer: calendar days from the last order's day to "
        f"{ASOF}, number of orders, total amount; compare each with its mean; count the "
        "customers high on all three.",
    )
    correct_message = "the customers to protect with service, not to chase with coupons."

    def _expected(self) -> int:
        return int((_rfm()["segment_en"] == "important value").sum())

    def mistakes(self) -> list[tuple[object, str]]:
        return self.distinct_mistakes([
            (int((_manual_rfm(reverse_r=True)["code"] == "111").sum()),
             "Your R score is reversed: a *small* recency (a recent order) is the high score."),
            (int((_rfm(threshold="median")["segment_en"] == "important value").sum()),
             "You split at the median; the question splits R, F and M at their means."),
            (int((_rfm("2026-01-01")["segment_en"] == "important value").sum()),
             f"That is the count on lesson 5a's day; the question describes {ASOF}: keep "
             "the orders before it and measure recency to it."),
        ])


class ValueRevenueShare(Exercise):
    """Share of revenue from the important value segment, as a fraction."""

    qid = "q2"
    title = "Revenue share of important value customers"
    variables = ("value_share",)
    hints = (
        "Sum the monetary value of the important value customers and divide by the monetary "
        f"value of all customers (orders before {ASOF}).",
        "`segments.segment_summary(rfm)` has a `revenue_share` column, or do it with "
        "a boolean mask on the RFM table.",
    )
    correct_message = "a minority of customers, a large share of the money."

    def _expected(self) -> float:
        rfm = _rfm()
        return float(rfm.loc[rfm["segment_en"] == "important value", "monetary"].sum()
                     / rfm["monetary"].sum())

    def mistakes(self) -> list[tuple[object, str]]:
        rfm = _rfm()
        value = rfm["segment_en"] == "important value"
        return self.distinct_mistakes([
            (float(value.mean()), "That is their share of customers; the question asks for "
                                  "their share of revenue."),
            (float(rfm.loc[value, "frequency"].sum() / rfm["frequency"].sum()),
             "That is their share of orders; the question asks for their share of revenue."),
        ])


class GoldOrAbove(Exercise):
    """Share of users in the gold or platinum tier, as a fraction."""

    qid = "q3"
    title = "Gold or above"
    variables = ("gold_or_above",)
    hints = (
        f"Points with `segments.tier_points(orders, events, asof='{ASOF}')`, "
        "tiers with `segments.assign_tiers(points)`.",
        "Count the users whose tier is gold or platinum and divide by all users in the table.",
    )
    correct_message = "the top of the ladder: the rights budget is built around them."

    def _tiers(self) -> pd.Series:
        points = segments.tier_points(_orders(), coursekit.load("events"), asof=ASOF)
        return segments.assign_tiers(points)

    def _expected(self) -> float:
        return float(self._tiers().isin(["gold", "platinum"]).mean())

    def mistakes(self) -> list[tuple[object, str]]:
        tiers = self._tiers()
        return self.distinct_mistakes([
            (float((tiers == "gold").mean()), "Gold *or above*: count platinum too."),
            (float(tiers.isin(["gold", "platinum"]).sum()),
             "That is a number of users; the question asks for a share (a fraction)."),
        ])


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
        f"of the tag table built as of {ASOF}.",
    )
    correct_message = "above 100 the tag is over-represented in the group, below 100 under-represented."

    def _data(self) -> tuple[pd.DataFrame, np.ndarray]:
        if not hasattr(self, "_cached"):
            tags, rfm = _tags(), _rfm()
            self._cached = tags, tags.index.isin(rfm.index[rfm["segment_en"] == "important value"])
        return self._cached

    def _expected(self) -> float:
        tags, target = self._data()
        return float(segments.tgi(tags, target).loc[TAG, "tgi"])

    def mistakes(self) -> list[tuple[object, str]]:
        tags, in_target = self._data()
        target, everyone = float(tags.loc[in_target, TAG].mean()), float(tags[TAG].mean())
        return self.distinct_mistakes([
            (target / everyone, "Multiply the ratio by 100: TGI 100 means 'as common as in "
                                "all users'."),
            (everyone / target * 100, "The ratio is upside down: the target group's share goes "
                                      "on top."),
            (target * 100, "Divide by the share among all users: TGI compares the two."),
        ])


class InterestStage(Exercise):
    """Users whose highest AIPL stage in the last 365 days is interest."""

    qid = "q5"
    title = "Users at the interest stage"
    variables = ("interest_users",)
    hints = (
        "Each user is placed at the *highest* stage reached in the look-back window: "
        "loyalty > purchase > interest > awareness.",
        f"`funnels.aipl(events, asof='{ASOF}', window_days=365)` then count `stage == "
        "'interest'`.",
    )
    correct_message = "engaged but not buying this year: the audience of a first-order offer."

    def _expected(self) -> int:
        stages = funnels.aipl(coursekit.load("events"), asof=ASOF, window_days=365)
        return int((stages["stage"] == "interest").sum())

    def mistakes(self) -> list[tuple[object, str]]:
        events = coursekit.load("events")
        end = pd.Timestamp(ASOF)
        events = events[(events["event_time"] >= end - pd.Timedelta(days=365))
                        & (events["event_time"] < end)]
        engaged = events["event_type"].isin(list(funnels.INTEREST_EVENTS))
        ever = funnels.aipl(coursekit.load("events"), asof=ASOF)
        return self.distinct_mistakes([
            (int(events.loc[engaged, "user_id"].nunique()),
             "You counted everyone who showed interest, buyers included; each user "
             "counts only at their highest stage."),
            (int((ever["stage"] == "interest").sum()),
             "You looked at all history; the stage describes the 365 days before the day "
             "only (window_days=365)."),
        ])


def _campaign_rows(name: str) -> pd.DataFrame:
    sent = coursekit.load("campaign_assignments")
    ids = coursekit.load("campaigns").set_index("name")["campaign_id"]
    return sent[sent["campaign_id"] == ids[name]]


class CampaignUplift(Exercise):
    """Absolute conversion uplift of one campaign in one CRM segment."""

    qid = "q6"
    title = f"Uplift of {CAMPAIGN} among {SEGMENT} customers"
    variables = ("uplift",)
    rtol = 1e-6
    hints = (
        "Uplift = conversion of the treatment group - conversion of the control group, both "
        "as fractions.",
        f"Keep the rows of `campaign_assignments` of {CAMPAIGN} *and* of the segment "
        f"'{SEGMENT}'; `groupby('group')['converted'].mean()`; subtract.",
    )
    correct_message = "what the campaign added in that segment: treatment minus control."

    def _mine(self) -> pd.DataFrame:
        rows = _campaign_rows(CAMPAIGN)
        return rows[rows["segment"] == SEGMENT]

    def _rates(self, rows: pd.DataFrame) -> pd.Series:
        return rows.groupby("group", observed=True)["converted"].mean()

    def _expected(self) -> float:
        return float(experiments.lift(self._mine()).uplift)

    def mistakes(self) -> list[tuple[object, str]]:
        rates, whole = self._rates(self._mine()), self._rates(_campaign_rows(CAMPAIGN))
        return self.distinct_mistakes([
            (float(rates["treatment"]), "That is the treatment's conversion; subtract the "
                                        "control's, which would have happened anyway."),
            (float(rates["treatment"] / rates["control"] - 1),
             "That is the relative lift; the question asks for the difference in conversion."),
            (float(whole["treatment"] - whole["control"]),
             f"That is the whole campaign; keep only the {SEGMENT} customers, in both groups."),
        ])


class SignificantSegments(Exercise):
    """Segments whose uplift in one campaign is clearly above zero."""

    qid = "q7"
    title = f"Which segments did {RESPOND_CAMPAIGN} move?"
    variables = ("responding",)
    hints = (
        "A segment clearly responds when the whole 95% confidence interval of its uplift is "
        "above zero (its lower end > 0).",
        f"Keep the rows of {RESPOND_CAMPAIGN}, then `experiments.uplift_by_segment(rows)`; "
        "keep the segments whose `uplift_low` is above 0; answer with their names (a list or set).",
    )
    correct_message = "the segments where this campaign added orders; the others buy anyway or not."

    def _table(self, rows: pd.DataFrame | None = None) -> pd.DataFrame:
        rows = _campaign_rows(RESPOND_CAMPAIGN) if rows is None else rows
        return experiments.uplift_by_segment(rows)

    def _expected(self) -> set[str]:
        t = self._table()
        return {str(s) for s in t.index[t["uplift_low"] > 0]}

    def mistakes(self) -> list[tuple[object, str]]:
        t = self._table()
        pooled = self._table(coursekit.load("campaign_assignments"))
        return self.distinct_mistakes([
            ({str(s) for s in t.index[t["uplift"] > 0]},
             "A positive estimate is not enough: keep the segments whose whole interval is "
             "above zero."),
            ({str(s) for s in t.index}, "Not every segment responds: look at the intervals."),
            ({str(s) for s in pooled.index[pooled["uplift_low"] > 0]},
             f"That pools every campaign; the question asks about {RESPOND_CAMPAIGN} alone."),
        ])

    def compare(self, **answers: Any) -> Result | None:
        answer = answers["responding"]
        if isinstance(answer, pd.Index | pd.Series | np.ndarray | list | tuple | set):
            answer = {str(a) for a in answer}
        return hide_count(super().compare(responding=answer))


class SampleSize(Exercise):
    """Users per group to detect a 2-point uplift on a 10% baseline."""

    qid = "q8"
    title = "How big must the test be?"
    variables = ("per_group",)
    rtol = 0.02
    hints = (
        "Baseline conversion 0.10, smallest uplift worth detecting 0.02 (to 0.12), "
        "two-sided 5% significance, 80% power; the normal approximation, no continuity "
        "correction.",
        "`experiments.sample_size(baseline, mde)` gives the users needed in *each* group.",
    )
    correct_message = "per group; the test needs twice that in all."

    def _expected(self) -> int:
        return experiments.sample_size(0.10, 0.02)

    def mistakes(self) -> list[tuple[object, str]]:
        n = experiments.sample_size(0.10, 0.02)
        return [(2 * n, "That is both groups together; the question asks per group."),
                (_continuity_corrected(0.10, 0.02),
                 "That adds a continuity correction (Fleiss); the question uses the normal "
                 "approximation without it.")]


def _continuity_corrected(baseline: float, mde: float) -> int:
    """Users per group by the pooled normal approximation with Fleiss's continuity correction."""
    from scipy.stats import norm

    p0, p1 = baseline, baseline + mde
    z_a, z_b = norm.ppf(0.975), norm.ppf(0.8)
    mean = (p0 + p1) / 2
    n = ((z_a * math.sqrt(2 * mean * (1 - mean)) + z_b * math.sqrt(p0 * (1 - p0) + p1 * (1 - p1)))
         / mde) ** 2
    return math.ceil(n / 4 * (1 + math.sqrt(1 + 4 / (n * mde))) ** 2)


def _labels() -> pd.DataFrame:
    return churn.labels(_orders(), asof=CUTOFF, horizon_days=HORIZON)


def _recency() -> pd.Series:
    o = _orders()
    last = o[o["order_time"] < pd.Timestamp(CUTOFF)].groupby("user_id")["order_time"].max()
    return (pd.Timestamp(CUTOFF) - last).dt.total_seconds() / 86_400


class ChurnRate(Exercise):
    """Share of customers who placed no order in the 90 days after the cut-off."""

    qid = "q9"
    title = "Churn within 90 days"
    variables = ("churn_rate",)
    rtol = 1e-6
    hints = (
        f"The population: customers with an order before {CUTOFF}. Churned: no order from "
        f"{CUTOFF} (included) to {CUTOFF} + 90 days (excluded).",
        "Orders in [cutoff, cutoff + 90 days): customers in the population who are not among "
        "them, divided by the population.",
    )
    correct_message = "the label the model learns; it is only known 90 days later."

    def _expected(self) -> float:
        return float(_labels()["churned"].mean())

    def mistakes(self) -> list[tuple[object, str]]:
        o = _orders()
        cut = pd.Timestamp(CUTOFF)
        before = set(o.loc[o["order_time"] < cut, "user_id"])
        after_ever = set(o.loc[o["order_time"] >= cut, "user_id"])
        return self.distinct_mistakes([
            (1 - len(before & after_ever) / len(before),
             "Your window has no end: churned means no order in the 90 days after the cut-off."),
            (float(_labels()["churned"].sum()) / len(coursekit.load("users")),
             "Divide by the customers who had ordered before the cut-off, not all users."),
            (1 - float(_labels()["churned"].mean()),
             "That is the share who came back; the question asks for the share who did not."),
        ])


class RecencyKs(Exercise):
    """KS of recency as a churn score."""

    qid = "q10"
    title = "KS of recency"
    variables = ("ks",)
    rtol = 1e-6
    hints = (
        "Use each customer's days since the last order before the cut-off as the score and "
        "the 90-day label of q9 as the truth.",
        "KS = the largest value of TPR - FPR over all thresholds: "
        "`sklearn.metrics.roc_curve(y, score)` gives both; or `churn.ks_statistic`.",
    )
    correct_message = "recency alone separates churners well: the first symptom to watch."

    def _data(self) -> tuple[pd.Series, pd.Series]:
        y = _labels()["churned"]
        return y, _recency().reindex(y.index)

    def _expected(self) -> float:
        y, score = self._data()
        return churn.ks_statistic(y, score)

    def compare(self, **answers: Any) -> Result | None:
        # whole calendar days as the score are a valid reading: KS hardly moves, but may
        # at the third significant figure
        y, _ = self._data()
        o = _orders()
        last = o[o["order_time"] < pd.Timestamp(CUTOFF)].groupby("user_id")["order_time"].max()
        days = (pd.Timestamp(CUTOFF) - last.dt.normalize()).dt.days.reindex(y.index)
        if same(answers["ks"], churn.ks_statistic(y, days), **self.options):
            return None
        return super().compare(**answers)

    def mistakes(self) -> list[tuple[object, str]]:
        from sklearn.metrics import roc_auc_score

        y, score = self._data()
        auc = float(roc_auc_score(y, score))
        return self.distinct_mistakes([
            (auc, "That is the AUC; KS is the largest gap between TPR and FPR."),
            (2 * auc - 1, "That is the Gini coefficient; KS is max(TPR - FPR)."),
        ])


def _purchase_days(orders: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per customer and purchase day, in order, with the purchase's number k."""
    o = _orders() if orders is None else orders
    days = o.assign(day=o["order_time"].dt.normalize())[["user_id", "day"]].drop_duplicates()
    days = days.sort_values(["user_id", "day"], kind="stable").reset_index(drop=True)
    days["k"] = days.groupby("user_id").cumcount() + 1
    return days


def _after_third(*, end: pd.Timestamp, strict: bool, window: int = 180,
                 ever: bool = False) -> float:
    days = _purchase_days()
    third = days[days["k"] == 3].set_index("user_id")["day"]
    fourth = days[days["k"] == 4].set_index("user_id")["day"]
    fair = third[third + pd.Timedelta(days=window) <= end]
    gap = (fourth.reindex(fair.index) - fair).dt.days
    if ever:
        return float(gap.notna().mean())
    return float((gap < window).mean() if strict else (gap <= window).mean())


class AfterThirdOrder(Exercise):
    """Chance of another purchase within 180 days after the third."""

    qid = "q11"
    title = "After the third order"
    variables = ("p_after_3",)
    rtol = 1e-6
    hints = (
        "Orders on one calendar day count as one purchase. Take customers with at least 3 "
        "purchase days whose 3rd day + 180 days is on or before the end of the data.",
        "Among them, the share whose 4th purchase day came less than 180 days after the 3rd; "
        "or `churn.repeat_probability(orders, window_days=180)`.",
    )
    correct_message = "each purchase made, the next is more likely: but mind who is left."

    def _expected(self) -> float:
        curve = churn.repeat_probability(_orders(), window_days=180)
        return float(curve.table.loc[3, "p_within"])

    def _readings(self) -> list[float]:
        """The other readings of 'the end of the data' and 'within 180 days'."""
        o = _orders()
        last_day = o["order_time"].max().normalize()
        return [_after_third(end=end, strict=strict)
                for end in (last_day + pd.Timedelta(days=1), last_day)
                for strict in (True, False)]

    def compare(self, **answers: Any) -> Result | None:
        if any(same(answers["p_after_3"], r, **self.options) for r in self._readings()):
            return None  # the day after the last order or the last order's day; < or <= 180
        return super().compare(**answers)

    def mistakes(self) -> list[tuple[object, str]]:
        curve = churn.repeat_probability(_orders(), window_days=180)
        last_day = _orders()["order_time"].max().normalize()
        return self.distinct_mistakes([
            (float(curve.table.loc[3, "p_ever"]),
             "Count a 4th purchase only if it came within 180 days of the 3rd."),
            (_after_third(end=last_day, strict=True, ever=True),
             "Count a 4th purchase only if it came within 180 days of the 3rd."),
            (float(curve.table.loc[2, "p_within"]),
             "That is the chance after the 2nd purchase; the question asks after the 3rd."),
        ], accepted=self._readings())


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

    def _expected(self) -> float:
        return float(self._funnel().loc["add_to_cart", "step_conversion"])

    def mistakes(self) -> list[tuple[object, str]]:
        f = self._funnel()
        return self.distinct_mistakes([
            (float(f.loc["order", "step_conversion"]), "That is the cart-to-order step."),
            (float(f.loc["order", "overall_conversion"]),
             "That is view to order; the question asks for view to cart."),
        ])


def _lost_messages() -> pd.DataFrame:
    m = coursekit.load("messages")
    return m.assign(lost=m["unsubscribed"] | m["complained"])


def _window_counts(messages: pd.DataFrame, days: int, *, reading: str = "elapsed") -> np.ndarray:
    """Per message, the messages its user received in the window up to it, itself included.

    ``reading``: ``"elapsed"`` counts times in (t - days, t] (as
    :func:`coursekit.reach.messages_in_window`), ``"closed"`` in [t - days, t],
    ``"calendar"`` from midnight of the day ``days - 1`` calendar days before
    the message's day up to t.
    """
    user = pd.factorize(messages["user_id"])[0].astype(np.int64) * 10**10
    sec = messages["sent_time"].to_numpy().astype("datetime64[s]").astype(np.int64)
    key = user + sec
    ordered = np.sort(key, kind="stable")
    hi = np.searchsorted(ordered, key, side="right")
    if reading == "calendar":
        lo = np.searchsorted(ordered, user + (sec // 86_400 - (days - 1)) * 86_400, side="left")
    else:
        lo = np.searchsorted(ordered, key - days * 86_400,
                             side="left" if reading == "closed" else "right")
    return hi - lo


def _fatigue(lost: pd.Series, counts: np.ndarray, heavy: int = FATIGUE_HEAVY) -> float:
    flag = lost.to_numpy(dtype=bool)
    return float(flag[counts >= heavy].mean() / flag[counts == 1].mean())


class FatigueRatio(Exercise):
    """How much likelier a message is to be lost under two weeks of heavy pressure."""

    qid = "q13"
    title = "Message fatigue over two weeks"
    variables = ("fatigue_ratio",)
    rtol = 1e-6
    hints = (
        f"For every message, count the messages the same user received in the "
        f"{FATIGUE_WINDOW} days up to and including it (all media). Compare the share of "
        f"messages lost (unsubscribed or complained) at {FATIGUE_HEAVY} or more with the share "
        "at exactly 1.",
        "`reach.fatigue_curve(messages.assign(lost=...), outcomes=['lost'], "
        f"bands=(1, 2, {FATIGUE_HEAVY}), window_days={FATIGUE_WINDOW})`, then divide the "
        "`lost_rate` of the last band by that of band '1'.",
    )
    correct_message = "two busy weeks cost customers too: a cap has to hold over longer spans."

    def _expected(self) -> float:
        curve = reach.fatigue_curve(_lost_messages(), outcomes=["lost"],
                                    bands=(1, 2, FATIGUE_HEAVY), window_days=FATIGUE_WINDOW)
        return float(curve["lost_rate"].iloc[-1] / curve["lost_rate"].iloc[0])

    def _readings(self) -> list[float]:
        """The window read as 14 calendar days, or closed at its start."""
        m = _lost_messages()
        return [_fatigue(m["lost"], _window_counts(m, FATIGUE_WINDOW, reading=r))
                for r in ("calendar", "closed")]

    def compare(self, **answers: Any) -> Result | None:
        if any(same(answers["fatigue_ratio"], r, **self.options) for r in self._readings()):
            return None  # calendar days, or a message exactly 14 days earlier counted
        return super().compare(**answers)

    def mistakes(self) -> list[tuple[object, str]]:
        m = _lost_messages()
        trailing = _window_counts(m, FATIGUE_WINDOW)
        week = _window_counts(m, 7)
        return self.distinct_mistakes([
            (_fatigue(m["lost"], week),
             f"That counts the messages of the last 7 days, the lesson's window; this question "
             f"counts {FATIGUE_WINDOW} days."),
            (_fatigue(m["lost"], trailing - 1),
             f"Count the message itself too: 'only one' means the message was the first in "
             f"{FATIGUE_WINDOW} days."),
            (_fatigue(m["unsubscribed"], trailing),
             "A message is lost when the user unsubscribed *or* complained."),
        ], accepted=self._readings())


def _plan_rows(*, all_campaigns: bool = False) -> pd.DataFrame:
    """The campaign rows known when 2025 is planned: campaigns started before PLAN_FROM."""
    sent = coursekit.load("campaign_assignments")
    if all_campaigns:
        return sent
    campaigns = coursekit.load("campaigns")
    known = campaigns.loc[campaigns["start_date"] < pd.Timestamp(PLAN_FROM), "campaign_id"]
    return sent[sent["campaign_id"].isin(known)]


class TargetingRoi(Exercise):
    """Decision: which CRM segment earns most per contact, and how much."""

    qid = "q14"
    title = "Which segment is worth contacting?"
    variables = ("best_segment", "best_profit")
    hints = (
        "Per segment, the message earns only what the treatment group spent *more* than the "
        "control group: revenue per user in treatment minus revenue per user in control. "
        f"Keep the margin on it ({MARGIN}) and pay the contact ({COST_PER_CONTACT:g} yuan).",
        f"Campaigns that started before {PLAN_FROM}: `experiments.uplift_by_segment(rows, "
        "value='revenue')` has `value_uplift`; profit per contact = margin x value_uplift - "
        "cost; the segment with the largest.",
    )
    correct_message = ("the segment to contact first; before betting the budget on it, check "
                       "that the low end of its uplift's interval still pays.")

    def _table(self, *, all_campaigns: bool = False) -> pd.DataFrame:
        rows = _plan_rows(all_campaigns=all_campaigns)
        table = experiments.uplift_by_segment(rows, value="revenue")
        table.index = table.index.astype(str)
        return table

    def _expected(self) -> dict[str, Any]:
        plan = experiments.targeting(self._table(), cost_per_contact=COST_PER_CONTACT,
                                     margin=MARGIN)
        profit = plan.table["profit_per_contact"]
        return {"best_segment": str(profit.idxmax()), "best_profit": float(profit.max())}

    def mistakes(self) -> list[tuple[object, str]]:
        t = self._table()
        best = self._expected()["best_segment"]
        treated = MARGIN * t["value_per_user_treatment"] - COST_PER_CONTACT
        by_conversion = MARGIN * t["uplift"] - COST_PER_CONTACT
        pooled = MARGIN * self._table(all_campaigns=True)["value_uplift"] - COST_PER_CONTACT
        return self.distinct_mistakes([
            ({"best_segment": str(treated.idxmax()), "best_profit": float(treated.max())},
             "You counted everything the treated customers spent; part of it they would have "
             "spent anyway. Subtract the control group's revenue per user."),
            ({"best_segment": str(by_conversion.idxmax()),
              "best_profit": float(by_conversion.max())},
             "That uses the uplift in conversion, a fraction; the profit comes from the uplift "
             "in revenue per user (yuan)."),
            ({"best_profit": float(t.loc[best, "value_uplift"] - COST_PER_CONTACT)},
             "Only the margin on the extra revenue is kept: multiply it by the margin before "
             "subtracting the cost."),
            ({"best_profit": float(MARGIN * t.loc[best, "value_uplift"])},
             "Subtract the cost of each contact from the margin it earns."),
            ({"best_segment": str(pooled.idxmax()), "best_profit": float(pooled.max())},
             f"That uses every campaign; when 2025 is planned only the campaigns that started "
             f"before {PLAN_FROM} are known."),
        ])


def _cap_values(counts: np.ndarray, lost: np.ndarray, opened: np.ndarray,
                *, over_at: int = 1) -> pd.Series:
    """Value of each cap: LOST_COST x losses removed - OPEN_VALUE x opens removed."""
    out = {}
    for cap in CAPS:
        over = counts >= cap + over_at
        out[cap] = int(LOST_COST * (lost & over).sum() - OPEN_VALUE * (opened & over).sum())
    return pd.Series(out)


def _cap_answer(values: pd.Series) -> dict[str, Any]:
    return {"best_cap": int(values.idxmax()), "cap_value": int(values.max())}


class FrequencyCap(Exercise):
    """Decision: the weekly frequency cap worth most, and what it is worth."""

    qid = "q15"
    title = "Which frequency cap?"
    variables = ("best_cap", "cap_value")
    hints = (
        f"A cap of c removes every message that finds c messages already sent to its user in "
        f"the {CAP_WINDOW} days before it: its count in the window, itself included, is above "
        "c. Value it: what the removed losses would have cost, less what the removed opens "
        "were worth.",
        "`counts = reach.messages_in_window(messages)`; for each c, `over = counts > c`; "
        f"value = {LOST_COST} x (lost & over).sum() - {OPEN_VALUE} x (opened & over).sum(); "
        "keep the c with the largest value.",
    )
    correct_message = ("the cap the data backs, at this price of a lost customer; change the "
                       "prices and the cap moves.")

    def _data(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.DataFrame]:
        m = _lost_messages()
        return (reach.messages_in_window(m, window_days=CAP_WINDOW).to_numpy(),
                m["lost"].to_numpy(dtype=bool), m["opened"].to_numpy(dtype=bool), m)

    def _expected(self) -> dict[str, Any]:
        counts, lost, opened, _ = self._data()
        return _cap_answer(_cap_values(counts, lost, opened))

    def _readings(self) -> list[dict[str, Any]]:
        """The week read as 7 calendar days, or closed at its start."""
        _, lost, opened, m = self._data()
        return [_cap_answer(_cap_values(_window_counts(m, CAP_WINDOW, reading=r), lost, opened))
                for r in ("calendar", "closed")]

    def compare(self, **answers: Any) -> Result | None:
        cap = answers["best_cap"]
        if isinstance(cap, pd.Series) and len(cap) == 1:
            answers = {**answers, "best_cap": cap.index[0]}  # value.nlargest(1): its label
        for reading in self._readings():
            if all(same(answers[k], v, **self.options) for k, v in reading.items()):
                return None  # calendar days, or a message exactly 7 days earlier counted
        return super().compare(**answers)

    def mistakes(self) -> list[tuple[object, str]]:
        counts, lost, opened, m = self._data()
        week = m["sent_time"].dt.to_period("W")
        rank = m.sort_values("sent_time", kind="stable").groupby(
            [m["user_id"], week]).cumcount().reindex(m.index).to_numpy() + 1
        unsub = m["unsubscribed"].to_numpy(dtype=bool)
        losses_only = pd.Series({c: int(LOST_COST * (lost & (counts > c)).sum()) for c in CAPS})
        return self.distinct_mistakes([
            (_cap_answer(_cap_values(counts, lost, opened, over_at=0)),
             "A cap of c still lets the c-th message through: remove only the messages whose "
             "count in the window, itself included, is above c."),
            (_cap_answer(losses_only),
             "A cap also removes messages that were opened: subtract what those opens were "
             "worth, not only add the losses avoided."),
            (_cap_answer(_cap_values(rank, lost, opened)),
             "That counts messages per calendar week; the cap holds for any 7 days in a row: "
             "count, for each message, the messages in the 7 days up to it."),
            (_cap_answer(_cap_values(counts, unsub, opened)),
             "A message is lost when the user unsubscribed *or* complained."),
        ], accepted=self._readings())


def _gaps(*, merge_same_day: bool = True, everything: bool = False) -> np.ndarray:
    """Days from each purchase (in the followed period) to the customer's next; NaN: none."""
    o = _orders()
    if merge_same_day:
        p = _purchase_days(o)[["user_id", "day"]]
    else:
        p = o.assign(day=o["order_time"].dt.normalize())[["user_id", "day"]].sort_values(
            ["user_id", "day"], kind="stable").reset_index(drop=True)
    nxt = p.groupby("user_id")["day"].shift(-1)
    gap = (nxt - p["day"]).dt.days.to_numpy(dtype=float)
    if everything:
        return gap
    keep = ((p["day"] >= pd.Timestamp(WINBACK_FROM)) & (p["day"] < pd.Timestamp(WINBACK_TO)))
    return gap[keep.to_numpy()]


def _first_below(gap: np.ndarray, *, conditional: bool = True,
                 completed_only: bool = False) -> int | None:
    """The smallest silence d (days) whose chance of a purchase soon falls below the level."""
    if completed_only:
        gap = gap[~np.isnan(gap)]
    for d in range(1, WINBACK_MAX + 1):
        waiting = ~(gap <= d)  # no next purchase within d days (NaN: never)
        soon = (gap > d) & (gap <= d + WINBACK_NEXT)
        chance = soon.sum() / (waiting.sum() if conditional else len(gap))
        if chance < WINBACK_LEVEL:
            return d
    return None


class WinbackDay(Exercise):
    """Days of silence after which a customer's next purchase has become unlikely."""

    qid = "q16"
    title = "When is a return on one's own unlikely?"
    variables = ("winback_day",)
    hints = (
        "For a silence of d days, the population is the purchases not followed by another "
        "within d days (never followed counts too); the chance is the share of them whose "
        f"next purchase came on one of the days d + 1 to d + {WINBACK_NEXT}.",
        f"Purchase days of {WINBACK_FROM[:4]}, each with the days to the customer's next "
        "purchase day (NaN when none): for d = 1, 2, ...: `waiting = ~(gap <= d)`, "
        f"`soon = (gap > d) & (gap <= d + {WINBACK_NEXT})`, chance = soon.sum() / "
        f"waiting.sum(); the first d with a chance below {WINBACK_LEVEL}.",
    )
    correct_message = ("from that day on, a win-back offer rarely discounts an order that was "
                       "coming anyway.")

    def _expected(self) -> int:
        day = _first_below(_gaps())
        if day is None:
            raise ValueError(f"the chance never falls below {WINBACK_LEVEL} in "
                             f"{WINBACK_MAX} days on this world")
        return day

    def mistakes(self) -> list[tuple[object, str]]:
        gap = _gaps()
        return self.distinct_mistakes([
            (_first_below(gap, conditional=False),
             "Divide by the purchases still waiting after d days, not by all purchases: the "
             "chance is for a customer who has already been silent that long."),
            (_first_below(gap, completed_only=True),
             "Keep the purchases never followed by another: those customers did not come back, "
             "and they belong among the ones waiting."),
            (_first_below(_gaps(everything=True)),
             f"Use the purchases of {WINBACK_FROM[:4]} only: a recent purchase has had no time "
             "for a next one, and would count as 'never' by mistake."),
            (_first_below(_gaps(merge_same_day=False)),
             "Orders on the same day count as one purchase: a second order that day is not a "
             "return."),
        ])


EXERCISES = ExerciseSet(
    "05_fine_grained_ops_exercises",
    [ImportantValue, ValueRevenueShare, GoldOrAbove, GifterTgi, InterestStage, CampaignUplift,
     SignificantSegments, SampleSize, ChurnRate, RecencyKs, AfterThirdOrder, ViewToCart,
     FatigueRatio, TargetingRoi, FrequencyCap, WinbackDay],
)

__all__ = ["EXERCISES", "ASOF", "CUTOFF", "HORIZON", "CAMPAIGN", "SEGMENT", "RESPOND_CAMPAIGN",
           "TAG",
           "FATIGUE_WINDOW", "FATIGUE_HEAVY", "PLAN_FROM", "MARGIN", "COST_PER_CONTACT",
           "LOST_COST", "OPEN_VALUE", "CAPS", "CAP_WINDOW", "WINBACK_FROM", "WINBACK_TO",
           "WINBACK_NEXT", "WINBACK_LEVEL", "WINBACK_MAX"]
