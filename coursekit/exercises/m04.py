"""Checks for module 4, growth models and acquisition
(``solutions/04_growth_exercises.ipynb``).

Expected values come from the data of the world in use through
:mod:`coursekit.growth`, :mod:`coursekit.metrics` and pandas. Every question
asks about something lessons 4a, 4b and 4c do not print: the AARRR funnel by
city tier, payback on the gross margin, a larger media budget with a floor per
channel, K over the first week by the inviter's channel, the cycle time from the
first order (over the inviters seen for a year, as lesson 4b times it), a viral
year with another K and market, the poster against the link, the referral arm to
roll out at another value of a customer, content effects on store clicks,
creators' cost per first order, and the stores to copy on WeCom members added.
Where the simulated company knows the answer (``truth.json``), a correct answer
is shown beside it: the true response curves, the invitation model, the arms'
expected profits, the topics' reach, the true cost per sign-up of each creator
tier, the stores' true quality.

The plausible wrong answers are the module's classic mistakes, computed from the
same data: users who have not had the whole window counted as failures, all
revenue so far taken for a 12-month LTV, the margin of the lesson kept, a budget
spread in today's proportions or summed over two years, K pro-rated from 30 days
to 7, recent inviters timed before their slow friends came, the mean cycle for
the median, an infinite market, K counted in sign-ups where the money comes from
customers, a log-linear model on counts, the mean of per-deal ratios, a
per-month count that ranks the big stores ...

Examples
--------
>>> from coursekit.exercises import m04
>>> questions = m04.EXERCISES.bind({})
>>> len(questions), questions[0].evaluate().status
(11, 'not_attempted')
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

import coursekit
from coursekit import bizmodel, growth, metrics
from coursekit.exercises.core import (
    BesideTruth,
    Exercise,
    ExerciseSet,
    Result,
    hide_count,
    same,
    specific_first,
)

#: The grouping of the AARRR question (a column of ``users``).
TIER = "city_tier"
#: The media channels whose budget lesson 4a reallocates.
MEDIA = ("douyin_ads", "search_ads", "xiaohongshu")
#: The budget question: today's spend is the average day of this year (as in lesson 4a);
#: next year's media budget is BUDGET_RISE x today's total, and no channel drops below
#: FLOOR_SHARE x its spend today.
YEAR, BUDGET_RISE, FLOOR_SHARE = 2025, 1.5, 0.5
#: The short K-factor window (days after the inviter's sign-up).
WEEK = 7
#: The cycle time counts inviters who signed up at least this many days before the last
#: sign-up of the data, as lesson 4b does (recent inviters' slow friends have not come yet).
SEEN_DAYS = 365
#: The viral scenario: K per cycle, users at the start, people in the market, days run.
VIRAL_K, VIRAL_SEED, VIRAL_MARKET, VIRAL_DAYS = 1.6, 2_000, 200_000, 365
#: The referral test's arms compared for the share format (same reward, poster or link),
#: and its control arm.
POSTER, LINK, CONTROL = "poster_10", "cash_10", "control"
#: The worth of a new customer (yuan) in the roll-out question.
VALUE_PER_CUSTOMER = 40.0
#: The content question: the outcome and the reference topic.
CLICKS, REFERENCE_TOPIC = "clicks_to_store", "product"
#: The creator tier whose platforms are compared.
TAIL = "tail"
#: The store question: the metric, the top group's share, the share of the gap closed.
STORE_METRIC, TOP_SHARE, GAP_SHARE = "wecom_per_transaction", 0.2, 0.25
#: The stores' sales results, left out of what sets the top stores apart (they differ
#: because the stores sell differently, as lesson 4c says): lesson 4c's list and its metric.
SALES_RESULTS = ("revenue", "transactions", "ticket", "revenue_per_sqm",
                 "revenue_per_staff_hour", "conversion")


# --------------------------------------------------------------------------- shared helpers




def _by_label(answer: object) -> object:
    """A Series (or dict) with its labels as text and its values as floats, for
    comparison; anything else as it is."""
    if isinstance(answer, Mapping):
        answer = pd.Series(dict(answer))
    if not isinstance(answer, pd.Series):
        return answer
    out = answer.copy()
    out.index = pd.Index([str(i) for i in out.index])
    try:
        return out.astype(float)
    except (TypeError, ValueError):
        return out


def _text_set(answer: object) -> object:
    """A collection of names as a set of stripped strings; one name as a set of one."""
    if isinstance(answer, str):
        return {answer.strip()}
    if isinstance(answer, pd.Series | pd.Index | np.ndarray | list | tuple | set | frozenset):
        return {str(a).strip() for a in answer}
    return answer


def _id_set(answer: object) -> object:
    """A collection of store ids as a set of ints (one id as a set of one)."""
    if isinstance(answer, int | np.integer) and not isinstance(answer, bool):
        return {int(answer)}
    if isinstance(answer, pd.Series | pd.Index | np.ndarray | list | tuple | set | frozenset):
        try:
            return {int(a) for a in answer}
        except (TypeError, ValueError):
            return answer
    return answer


def _number(x: object) -> float:
    """A learner's number (possibly a one-item Series) as a float."""
    if isinstance(x, pd.Series | pd.Index | np.ndarray | list | tuple):
        x = list(np.ravel(x))[0]
    return float(x)  # type: ignore[arg-type]


def _spread(values: pd.Series) -> float:
    """How much the largest value exceeds the smallest, as a share of the smallest."""
    return float(values.max() / values.min() - 1)


def _growth_truth() -> dict[str, Any]:
    return coursekit.truth()["growth"]


_LOADED: dict[tuple[str, str, int], pd.DataFrame] = {}


def _load(name: str) -> pd.DataFrame:
    """A course table of the world in use, read once per world and state of its file
    (the questions share the frame and never change it)."""
    from coursekit.data import world_dir

    folder = world_dir()
    files = list(folder.glob(f"{name}.*"))
    stamp = files[0].stat().st_mtime_ns if files else 0
    key = (str(folder), name, stamp)
    if key not in _LOADED:
        if len(_LOADED) > 40:  # a handful of worlds at most in one session
            _LOADED.clear()
        _LOADED[key] = coursekit.load(name)
    return _LOADED[key]


# --------------------------------------------------------------------------- lesson 4a


def _funnel(by: str = "channel", **options: Any) -> pd.DataFrame:
    """The AARRR table of the course data, grouped ``by``."""
    return growth.aarrr(_load("users"), _load("orders"),
                        _load("events"), _load("channel_spend"),
                        by=by, **options)


def _first_order_days() -> pd.Series:
    """Days from each user's sign-up to their first order (NaN: none), by position."""
    users, orders = _load("users"), _load("orders")
    first = orders.groupby("user_id")["order_time"].min()
    return (users["user_id"].map(first) - users["signup_time"]).dt.total_seconds() / 86_400


class TierFunnel(Exercise):
    """Activation and 12-month LTV by city tier, from the AARRR funnel."""

    qid = "q1"
    title = "The funnel by city tier"
    variables = ("tier_activation", "tier_ltv")
    hints = (
        "Lesson 4a's AARRR table grouped by the users' city tier instead of their channel. "
        "Activation is a first order within 30 days among the users who have had 30 days; "
        "LTV is revenue per signed-up user over their first 12 months, both as `aarrr` "
        "measures them.",
        "`funnel = growth.aarrr(users, orders, events, spend, by=m04.TIER)`; its "
        "`activation_rate` and `ltv` columns.",
    )
    ignore_order = True

    @functools.cached_property
    def _table(self) -> pd.DataFrame:
        return _funnel(TIER)

    def _expected(self) -> dict[str, object]:
        t = self._table
        return {"tier_activation": _by_label(t["activation_rate"]),
                "tier_ltv": _by_label(t["ltv"])}

    @property
    def correct_message(self) -> str:  # type: ignore[override]
        e = self._expected()
        start, spend = _spread(e["tier_activation"]), _spread(e["tier_ltv"])
        points = 100 * (e["tier_activation"].max() - e["tier_activation"].min())
        wider = "what their users spend" if spend > start else "how many of their users start"
        return (f"the best tier activates {start:.0%} more ({points:.1f} points) than the "
                f"worst, and its users "
                f"bring {spend:.0%} more in 12 months: the tiers differ more in {wider}, "
                "which is where a tier's acquisition plan should look.")

    def compare(self, **answers: Any) -> Result | None:
        return super().compare(**{v: _by_label(answers[v]) for v in self.variables})

    def mistakes(self) -> list[tuple[object, str]]:
        users, orders = _load("users"), _load("orders")
        tier = users[TIER].astype(str).to_numpy()
        days = _first_order_days()
        naive = _by_label((days <= 30).groupby(tier).mean())
        ever = _by_label(days.notna().groupby(tier).mean())
        revenue = orders.groupby("user_id")["amount"].sum()
        so_far = _by_label(users["user_id"].map(revenue).fillna(0.0).groupby(tier).mean())
        three = _by_label(self._table["revenue_per_user"])
        return self.distinct_mistakes(specific_first([
            ({"tier_activation": naive},
             "That counts every user, also those who signed up in the last 30 days and have "
             "not had the whole window: leave them out (aarrr does), or they count as "
             "failures."),
            ({"tier_activation": ever},
             "That counts a first order at any time; activation is a first order within 30 "
             "days of signing up."),
            ({"tier_ltv": so_far},
             "That is all the revenue each user brought so far, however long they have been "
             "around; LTV counts each user's first 12 months (the `ltv` column)."),
            ({"tier_ltv": three},
             "That is `revenue_per_user`, the first 3 months; LTV counts 12."),
        ]))


def _paid_channels() -> list[str]:
    spend = _load("channel_spend")
    return sorted(str(c) for c in spend["channel"].astype(str).unique())


def _margin_rates() -> tuple[float, float, float]:
    """The company's gross margin and contribution rates (ratio of sums over all orders),
    and the mean of the orders' own gross margin rates."""
    m = metrics.contribution_margin(_load("orders"), _load("order_items"),
                                    _load("products"), _load("order_costs"))
    paid = m["amount"].sum()
    per_order = (m["gross_margin"] / m["amount"]).where(m["amount"] > 0)
    return (float(m["gross_margin"].sum() / paid), float(m["contribution"].sum() / paid),
            float(per_order.mean()))


def _payback(margin: float | pd.Series) -> pd.Series:
    table = _funnel(margin=margin)
    return _by_label(table.loc[_paid_channels(), "payback_months"])


class GrossPayback(Exercise):
    """The payback months of the paid channels on the company's gross margin."""

    qid = "q2"
    title = "Payback on the gross margin"
    variables = ("gross_rate", "gross_payback")
    hints = (
        "The gross margin rate is the gross margin of all orders over what they paid "
        "(`metrics.contribution_margin`: sum the columns, then divide). Give it to `aarrr` as "
        "`margin=`; payback is its `payback_months`, for the channels with spend.",
        "`m = metrics.contribution_margin(orders, items, products, costs)`; `gross_rate = "
        "m['gross_margin'].sum() / m['amount'].sum()`; `growth.aarrr(users, orders, events, "
        "spend, margin=gross_rate)['payback_months']` on the channels of `spend`.",
    )
    ignore_order = True

    @functools.cached_property
    def _rates(self) -> tuple[float, float, float]:
        return _margin_rates()

    def _expected(self) -> dict[str, object]:
        rate = self._rates[0]
        return {"gross_rate": rate, "gross_payback": _payback(rate)}

    @functools.cached_property
    def _on_contribution(self) -> pd.Series:
        """Payback on each channel's contribution, as lesson 4a reads it."""
        ue = bizmodel.customer_economics(
            _load("orders"), _load("order_items"), _load("products"), _load("order_costs"),
            _load("users"), _load("channel_spend"))
        return _by_label(ue.payback_months.reindex(_paid_channels()))

    @property
    def correct_message(self) -> str:  # type: ignore[override]
        gross = self._expected()["gross_payback"]
        slow = str(gross.idxmax())
        after = self._on_contribution[slow]
        later = (f"{after:.0f} months" if math.isfinite(after)
                 else "longer than the data can show")
        return (f"on the gross margin {slow} pays back in {gross[slow]:.0f} months; on its "
                f"contribution (after serving the orders, lesson 4a) it takes {later}: say "
                "which margin a payback is on.")

    def compare(self, **answers: Any) -> Result | None:
        payback = _by_label(answers["gross_payback"])
        if isinstance(payback, pd.Series):  # organic and unknown rows (no spend) may stay in
            paid = set(_paid_channels())
            payback = payback[[i in paid or not pd.isna(v) for i, v in payback.items()]]
        return super().compare(gross_rate=answers["gross_rate"], gross_payback=payback)

    def mistakes(self) -> list[tuple[object, str]]:
        gross, contribution, mean_ratio = self._rates
        lesson = self._on_contribution
        return self.distinct_mistakes(specific_first([
            ({"gross_rate": contribution, "gross_payback": _payback(contribution)},
             "That is the contribution rate (after shipping, packaging, fees and refunds); "
             "the question asks for the gross margin (amount - goods)."),
            ({"gross_rate": contribution},
             "That is the contribution rate; the gross margin is amount - goods."),
            ({"gross_rate": mean_ratio, "gross_payback": _payback(mean_ratio)},
             "That averages each order's own rate, so a small order weighs as much as a big "
             "one; the company's rate is the sum of the gross margins over the sum paid."),
            ({"gross_rate": mean_ratio},
             "That averages each order's own rate; the company's rate is the sum of the gross "
             "margins over the sum paid."),
            ({"gross_payback": _payback(1.0)},
             "That is payback on revenue (margin 1): revenue pays for the goods first, so "
             "give `aarrr` the gross margin rate as `margin=`."),
            ({"gross_payback": lesson},
             "That is payback on each channel's contribution, as in lesson 4a; the question "
             "asks for it on the gross margin rate."),
        ]))


def _outage() -> list[tuple[pd.Timestamp, pd.Timestamp]] | None:
    """The days of the tracking outage (sign-ups recorded without a channel), which the
    response curves leave out, as lesson 4a does; None when there was none."""
    users = _load("users")
    lost = users.loc[users["channel"].astype(str) == "unknown", "signup_time"]
    return [(lost.min().normalize(), lost.max().normalize())] if len(lost) else None


def _response(form: str = "power") -> growth.ResponseFit:
    return growth.fit_response(_load("channel_spend"), _load("users"),
                               channels=list(MEDIA), form=form, exclude=_outage())


def _today() -> pd.Series:
    """Each media channel's average daily spend in :data:`YEAR`."""
    spend = _load("channel_spend")
    year = spend[spend["date"].dt.year == YEAR]
    return _by_label(year.groupby(year["channel"].astype(str))["spend"].mean()
                     .reindex(list(MEDIA)))


def _plan(curves: Mapping[str, Any], budget: float, floors: Mapping[str, float] | None
          ) -> pd.Series:
    return _by_label(growth.allocate_budget(curves, budget, min_spend=floors))


def _cut(plan: pd.Series, today: pd.Series) -> set[str]:
    return {c for c in MEDIA if plan[c] < today[c]}


def _true_signups(spend: pd.Series) -> float:
    """Sign-ups a day on the simulation's true curves (truth.json) at daily spends."""
    curves = coursekit.truth()["spend_response"]
    return float(sum(curves[c]["reference_signups_per_day"]
                     * (spend[c] / curves[c]["reference_spend_per_day"]) ** curves[c]["elasticity"]
                     for c in MEDIA))


class BiggerBudget(BesideTruth):
    """Decision: next year's larger media budget split by equal marginal returns, with a
    floor per channel; which channels give money up."""

    qid = "q3"
    title = "A bigger media budget, with floors (a decision)"
    variables = ("plan", "cut")
    hints = (
        "Lesson 4a's weekly power curves of the three media channels (`fit`) and "
        f"their average daily spend in {YEAR} (`today`). The budget is "
        f"{BUDGET_RISE} x today's total, a day; each channel keeps at least "
        f"{FLOOR_SHARE} x its spend today (`min_spend=` a dict by channel). Then compare each "
        "channel's planned spend with today's.",
        "`plan = growth.allocate_budget(fit.curves, "
        "m04.BUDGET_RISE * today.sum(), min_spend=(m04.FLOOR_SHARE * today).to_dict())`; "
        "`cut = set(plan.index[plan < today])`.",
    )
    ignore_order = True

    @functools.cached_property
    def _fit(self) -> growth.ResponseFit:
        return _response()

    @functools.cached_property
    def _today(self) -> pd.Series:
        return _today()

    def _expected(self) -> dict[str, object]:
        today = self._today
        plan = _plan(self._fit.curves, BUDGET_RISE * today.sum(), (FLOOR_SHARE * today).to_dict())
        return {"plan": plan, "cut": _cut(plan, today)}

    @property
    def correct_message(self) -> str:  # type: ignore[override]
        plan = self._expected()["plan"]
        seen = self._fit.points.groupby("channel")["spend"].max()
        reach = pd.Series({c: plan[c] / seen[c] for c in MEDIA})
        far = str(reach.idxmax())
        where = (f"{far} would spend {reach[far]:.1f} times its highest weekly spend in the "
                 "data, where the curve is extrapolated: move there in steps and measure."
                 if reach[far] > 1 else
                 "every channel stays within the weekly spends the data has seen.")
        return f"money goes where the next yuan brings the most sign-ups; {where}"

    def compare(self, **answers: Any) -> Result | None:
        return hide_count(super().compare(plan=_by_label(answers["plan"]),
                                          cut=_text_set(answers["cut"])))

    def mistakes(self) -> list[tuple[object, str]]:
        today, curves = self._today, self._fit.curves
        budget = BUDGET_RISE * today.sum()
        floors = (FLOOR_SHARE * today).to_dict()
        right = self._expected()["plan"]
        spend = _load("channel_spend")
        two_years = float(spend.loc[spend["channel"].astype(str).isin(MEDIA), "spend"].sum())
        try:
            exponential = _plan(_response("exponential").curves, budget, floors)
        except (ValueError, RuntimeError):  # a world where the other form does not fit
            exponential = None
        shares = {c for c in MEDIA if right[c] / budget < today[c] / today.sum()}
        dearest = {str(growth.marginal_returns(curves, today)["marginal_cost"].idxmax())}
        media = spend[spend["channel"].astype(str).isin(MEDIA)]
        every_day = _by_label(media.groupby(media["channel"].astype(str))["spend"].mean())
        fitted_days = _by_label(self._fit.params["spend_per_day"])
        whole = [({"plan": _plan(curves, BUDGET_RISE * w.sum(), (FLOOR_SHARE * w).to_dict())},
                  f"That starts from the average day of the whole data; today's spend is the "
                  f"average day of {YEAR} (`today`).") for w in (every_day, fitted_days)]
        return self.distinct_mistakes(specific_first([
            *whole,
            ({"plan": _plan(curves, today.sum(), floors)},
             f"That splits today's total; next year's budget is {BUDGET_RISE} x today's."),
            ({"plan": _plan(curves, budget, None)},
             f"That leaves out the floors: each channel keeps at least {FLOOR_SHARE} x its "
             "spend today (`min_spend=`)."),
            ({"plan": BUDGET_RISE * today},
             "That spends the larger budget in today's proportions; the plan equalises the "
             "channels' marginal returns (`allocate_budget`)."),
            ({"plan": exponential},
             "Those are exponential curves; use lesson 4a's power curves (the default form)."),
            ({"plan": _plan(curves, BUDGET_RISE * two_years, floors)},
             "The curves are in yuan a day: the budget is a daily one, not the spend of the "
             "whole data."),
            ({"cut": shares},
             "Those lose share of the budget, but the budget grows: compare yuan a day with "
             "today's yuan a day."),
            ({"cut": dearest},
             "That is the channel with the dearest next sign-up today; the question asks "
             "which channels the plan gives less than today."),
        ]))

    def beside_truth(self, answers: Mapping[str, Any]) -> str:
        plan = self._expected()["plan"]
        mine, same = _true_signups(plan), _true_signups(BUDGET_RISE * self._today)
        return (f"On the simulation's true curves the plan brings {mine:.1f} sign-ups a day, "
                f"against {same:.1f} for the same budget in today's proportions "
                f"({mine / same - 1:+.1%}).")


# --------------------------------------------------------------------------- lesson 4b


def _k(**options: Any) -> pd.DataFrame:
    return growth.k_factor(_load("referrals"), _load("users"), **options)


class InviterK(BesideTruth):
    """K over the first week after sign-up, by the inviter's channel and for everyone."""

    qid = "q4"
    title = "K in the first week, by the inviter's channel"
    variables = ("k_week_by_channel", "k_week")
    hints = (
        "K = invitations per user x the share of them that bring a sign-up, counted over a "
        "window after the inviter's own sign-up, among the users who have had the whole "
        f"window. Here the window is {WEEK} days (`m04.WEEK`), not the lessons' 30: once "
        "with the inviters grouped by their channel, once for everyone.",
        "`growth.k_factor(referrals, users, window_days=m04.WEEK, by='channel')['k_factor']`"
        "; `growth.k_factor(referrals, users, window_days=m04.WEEK).loc['all', 'k_factor']`.",
    )
    ignore_order = True

    def _expected(self) -> dict[str, object]:
        return {"k_week_by_channel": _by_label(_k(window_days=WEEK, by="channel")["k_factor"]),
                "k_week": float(_k(window_days=WEEK).loc["all", "k_factor"])}

    @property
    def correct_message(self) -> str:  # type: ignore[override]
        e = self._expected()
        share = e["k_week"] / float(_k().loc["all", "k_factor"])
        later = ("most of a month's friends come after the first week: ask again once the "
                 "first order has arrived (q5)" if share < 0.5 else
                 "most of a month's friends come in the first week: ask early")
        return f"the first week brings {share:.0%} of the first month's K overall; {later}."

    def compare(self, **answers: Any) -> Result | None:
        return super().compare(k_week_by_channel=_by_label(answers["k_week_by_channel"]),
                               k_week=answers["k_week"])

    def mistakes(self) -> list[tuple[object, str]]:
        month, week = _k(by="channel"), _k(window_days=WEEK, by="channel")
        users, refs = _load("users"), _load("referrals")
        channel = users.set_index("user_id")["channel"].astype(str)
        accepted = refs.loc[refs["invitee_id"].notna(), "inviter_id"].map(channel)
        labels = week.index.astype(str)
        naive = _by_label(accepted.value_counts().reindex(labels, fill_value=0)
                          / channel.value_counts().reindex(labels))
        k30 = float(_k().loc["all", "k_factor"])
        thirty = (f"That is K over 30 days (the lessons' window); the question asks for "
                  f"{WEEK} days (`window_days`).")
        prorated = (f"That pro-rates the 30-day K; invitations are not spread evenly over the "
                    f"month: count the first {WEEK} days.")
        accept = (f"That shortens the time the invited friend has to sign up (`accept_days`); "
                  f"the {WEEK} days are the inviter's window after their sign-up "
                  "(`window_days`).")
        return self.distinct_mistakes(specific_first([
            ({"k_week_by_channel": _by_label(month["k_factor"])}, thirty),
            ({"k_week_by_channel": _by_label(month["k_factor"] * WEEK / 30)}, prorated),
            ({"k_week_by_channel": _by_label(
                _k(accept_days=WEEK, by="channel")["k_factor"])}, accept),
            ({"k_week_by_channel": _by_label(week["invites_per_user"])},
             "Those are invitations per user; K also multiplies by the share of invitations "
             "that bring a sign-up."),
            ({"k_week_by_channel": _by_label(week["acceptance"])},
             "Those are the share of invitations accepted; K multiplies it by the invitations "
             "each user sends."),
            ({"k_week_by_channel": naive},
             "That counts every accepted invitation ever over every user; K counts each "
             f"user's first {WEEK} days, among the users who have had them."),
            ({"k_week": k30}, thirty),
            ({"k_week": k30 * WEEK / 30}, prorated),
            ({"k_week": float(_k(accept_days=WEEK).loc["all", "k_factor"])}, accept),
        ]))

    def beside_truth(self, answers: Mapping[str, Any]) -> str:
        rate = coursekit.truth()["referrals"]["invite_conversion"]
        seen = float(_k(window_days=WEEK).loc["all", "acceptance"])
        return (f"The simulation converts an invitation into a sign-up with chance {rate:.2f}; "
                f"the acceptance of the first week's invitations is {seen:.3f}.")


def _seen_for(users: pd.DataFrame, end: pd.Timestamp) -> pd.Series:
    """The ids of the users who signed up at least :data:`SEEN_DAYS` days before ``end``."""
    return users.loc[users["signup_time"] <= end - pd.Timedelta(days=SEEN_DAYS), "user_id"]


def _cycle(start: str = "first_order", *, inviters: str = "seen",
           end: str = "last_signup") -> growth.CycleTime:
    """The viral cycle time from ``start``, over the inviters seen for a year
    (``inviters="seen"``, lesson 4b's way) or over every inviter (``"all"``). The end of
    the data is the last sign-up (``end="last_signup"``, as lesson 4b takes it) or the
    midnight after the last record of users, referrals and orders (``"midnight"``)."""
    users, refs, orders = _load("users"), _load("referrals"), _load("orders")
    if inviters == "seen":
        last = users["signup_time"].max()
        if end == "midnight":
            last = max(last, refs["invite_time"].max(),
                       orders["order_time"].max()).normalize() + pd.Timedelta(days=1)
        refs = refs[refs["inviter_id"].isin(_seen_for(users, last))]
    return growth.cycle_time(refs, users, start=start, orders=orders)


_RECENT = ("That times every inviter, and recent inviters' slow friends have not come yet: "
           f"time only inviters seen for a year ({SEEN_DAYS} days before the last sign-up), as "
           "lesson 4b does.")


class FirstOrderCycle(BesideTruth):
    """The median viral cycle time counted from the inviter's first order, over the
    inviters seen for a year (lesson 4b's censoring-safe median)."""

    qid = "q5"
    title = "The viral cycle from the first order"
    variables = ("cycle_first_order",)
    hints = (
        "The cycle runs from the inviter's start to the sign-up of the friend they brought; "
        "here the start is the inviter's first order, not their sign-up. Time only the "
        f"inviters who signed up at least {SEEN_DAYS} days before the last sign-up, as lesson "
        "4b does, and quote the median (days): a few users invite months after joining and "
        "pull the mean up.",
        "`old = users.loc[users.signup_time <= users.signup_time.max() - "
        "pd.Timedelta(days=m04.SEEN_DAYS), 'user_id']`; `growth.cycle_time(referrals["
        "referrals.inviter_id.isin(old)], users, start='first_order', orders=orders).median`.",
    )

    def _expected(self) -> float:
        return _cycle().median

    @functools.cached_property
    def _accepted(self) -> list[float]:
        """The same median with the data's end taken at the midnight after its last
        record: another fair reading of "the end of the data"."""
        return [_cycle(end="midnight").median]

    @property
    def correct_message(self) -> str:  # type: ignore[override]
        signup = _cycle("signup").median
        return (f"{signup - self._expected():.1f} days shorter than lesson 4b's "
                f"{signup:.1f} days from the sign-up, over the same inviters: the loop turns "
                "after the first order, so a programme should ask for the invitation then.")

    def compare(self, **answers: Any) -> Result | None:
        answer = answers["cycle_first_order"]
        if any(same(answer, a, **self.options) for a in self._accepted):
            return None
        return super().compare(**answers)

    def mistakes(self) -> list[tuple[object, str]]:
        refs, orders, users = _load("referrals"), _load("orders"), _load("users")
        first = orders.groupby("user_id")["order_time"].min()
        accepted = refs.loc[refs["invitee_id"].notna()]
        seen = accepted[accepted["inviter_id"].isin(
            _seen_for(users, users["signup_time"].max()))]
        to_invite = (seen["invite_time"] - seen["inviter_id"].map(first))
        signup = ("That starts the clock at the inviter's sign-up (lesson 4b); start it at "
                  "their first order (`start='first_order'`).")
        return self.distinct_mistakes([
            (_cycle(inviters="all").median, _RECENT),
            (_cycle("signup").median, signup),
            (_cycle("signup", inviters="all").median, signup),
            (_cycle().mean,
             "That is the mean, pulled up by users who invite months later; quote the median."),
            (float(to_invite.dt.total_seconds().median() / 86_400),
             "That stops at the invitation; the cycle ends when the invited friend signs up."),
        ], accepted=self._accepted)

    def beside_truth(self, answers: Mapping[str, Any]) -> str:
        r = coursekit.truth()["referrals"]
        return (f"In the simulation {r['fresh_share']:.0%} of invitations come soon after "
                f"{r['good_experience']}, fading with a mean lag of {r['invite_lag_days']:.0f} "
                "days; the rest come at any time after it.")


#: Added to q6's incorrect messages while q5 is not right: q6 builds on q5's median.
_FIX_Q5 = "If q5 is not Correct yet, fix it first: this answer uses its median."


def _viral(cycle: float, *, market: float = VIRAL_MARKET, days: float = VIRAL_DAYS
           ) -> pd.DataFrame:
    return growth.simulate_viral(VIRAL_SEED, VIRAL_K, cycle, market_size=market,
                                 periods=int(days // cycle))


def _peak_and_share(run: pd.DataFrame) -> dict[str, float]:
    return {"peak_day": float(run.loc[run["new_users"].idxmax(), "day"]),
            "year_share": float(run["market_share"].iloc[-1])}


class ViralYear(Exercise):
    """A year of viral growth with K above 1 in a finite market."""

    qid = "q6"
    title = "A viral year with K above 1"
    variables = ("peak_day", "year_share")
    hints = (
        "One cycle is q5's median cycle time (from the first order, inviters seen for a "
        "year). Simulate the expected "
        "path from the seed users with `m04.VIRAL_K` in a market of `m04.VIRAL_MARKET` "
        "people, for as many whole cycles as fit in a year. The peak is the day of the cycle "
        "with the most new users; the share is users / market at the end.",
        "`run = growth.simulate_viral(m04.VIRAL_SEED, m04.VIRAL_K, cycle, "
        "market_size=m04.VIRAL_MARKET, periods=int(365 // cycle))`; `run.loc[run.new_users."
        "idxmax(), 'day']` and `run.market_share.iloc[-1]`.",
    )
    correct_message = ("above K = 1 growth feeds itself until the shrinking pool of "
                       "non-users brakes it: a market's size matters as much as K.")

    def _expected(self) -> dict[str, float]:
        return _peak_and_share(_viral(_cycle().median))

    @functools.cached_property
    def _accepted(self) -> dict[str, float]:
        """The path on q5's other accepted median (the data's end at midnight)."""
        return _peak_and_share(_viral(_cycle(end="midnight").median))

    def compare(self, **answers: Any) -> Result | None:
        if all(same(answers[v], self._accepted[v], **self.options) for v in self.variables):
            return None
        return super().compare(**answers)

    def incorrect(self, message: str) -> Result:
        """An "incorrect" result, with a word on q5 while the learner's q5 is not right."""
        if FirstOrderCycle(self.namespace).evaluate().is_correct:
            return super().incorrect(message)
        return super().incorrect(f"{message} {_FIX_Q5}")

    def mistakes(self) -> list[tuple[object, str]]:
        cycle = _cycle().median
        right = self._expected()
        run = _viral(cycle)
        endless = _viral(cycle, market=math.inf)
        return self.distinct_mistakes(specific_first([
            (_peak_and_share(_viral(_cycle(inviters="all").median)),
             "That cycle times every inviter, and recent inviters' slow friends have not "
             "come yet; use q5's median, over the inviters seen for a year."),
            (_peak_and_share(_viral(_cycle("signup").median)),
             "That cycle starts at the sign-up; use q5's cycle from the first order."),
            (_peak_and_share(_viral(_cycle().mean)),
             "That cycle is the mean; a cycle is the median time (q5)."),
            ({"peak_day": float(endless.loc[endless["new_users"].idxmax(), "day"])},
             "That market has no end, so new users never peak; give `market_size=`."),
            ({"peak_day": float(run["new_users"].idxmax())},
             "That is the cycle's number; the day is the `day` column (cycle x its days)."),
            ({"year_share": _peak_and_share(_viral(cycle, days=4 * VIRAL_DAYS))["year_share"]},
             "That runs past the year; simulate the whole cycles that fit in 365 days."),
            ({"year_share": right["year_share"] * VIRAL_MARKET},
             "That counts users; the share is users / the market's size."),
        ]), accepted=[self._accepted])


def _experiment() -> pd.DataFrame:
    return _load("referral_experiment")


def _arm_means() -> pd.DataFrame:
    test = _experiment()
    return test.groupby(test["arm"].astype(str))[["invitations", "signups",
                                                   "first_orders"]].mean()


class PosterVsLink(BesideTruth):
    """The poster against the link at the same reward: K and customers."""

    qid = "q7"
    title = "A poster or a link?"
    variables = ("poster_k_ratio", "poster_customer_ratio")
    hints = (
        f"Compare two arms of `referral_experiment` that differ only in the share format: "
        f"`{POSTER}` (a poster) and `{LINK}` (a link), both 10 yuan per friend's first order. "
        "K is sign-ups per participant; customers are first orders per participant. Give "
        "each as the poster's over the link's.",
        "`means = test.groupby('arm', observed=True)[['signups', 'first_orders']].mean()`; "
        "`means.loc[m04.POSTER] / means.loc[m04.LINK]`.",
    )

    def _ratios(self, a: str, b: str) -> dict[str, float] | None:
        """Arm ``a``'s sign-ups and first orders per participant over arm ``b``'s (None
        when ``b`` has none of either)."""
        m = _arm_means()
        if (m.loc[b, ["signups", "first_orders"]] <= 0).any():
            return None
        return {"poster_k_ratio": float(m.loc[a, "signups"] / m.loc[b, "signups"]),
                "poster_customer_ratio": float(m.loc[a, "first_orders"] / m.loc[b, "first_orders"])}

    def _expected(self) -> dict[str, float]:
        ratios = self._ratios(POSTER, LINK)
        if ratios is None:
            raise ValueError(f"arm {LINK!r} of referral_experiment brought no customer")
        return ratios

    @property
    def correct_message(self) -> str:  # type: ignore[override]
        e = self._expected()
        return (f"the poster changes K by {e['poster_k_ratio'] - 1:+.0%} and customers by "
                f"{e['poster_customer_ratio'] - 1:+.0%}: the reward is paid per customer, so "
                "customers, not K, decide the format.")

    def mistakes(self) -> list[tuple[object, str]]:
        m = _arm_means()
        conversion = m["signups"] / m["invitations"]
        right = self._expected()
        return self.distinct_mistakes(specific_first([
            (self._ratios(POSTER, CONTROL),
             "That compares the poster with the control, which has no reward; compare it with "
             f"`{LINK}`, the same reward shared as a link."),
            ({"poster_k_ratio": float(conversion[POSTER] / conversion[LINK])},
             "That is sign-ups per invitation; K is sign-ups per participant (invitations x "
             "conversion)."),
            ({"poster_k_ratio": 1 / right["poster_k_ratio"],
              "poster_customer_ratio": 1 / right["poster_customer_ratio"]},
             "Those are the link's over the poster's; give the poster's over the link's."),
            ({"poster_k_ratio": float(m.loc[POSTER, "invitations"] / m.loc[LINK, "invitations"])},
             "That compares invitations sent; K counts the sign-ups they bring."),
            ({"poster_k_ratio": right["poster_k_ratio"] - 1,
              "poster_customer_ratio": right["poster_customer_ratio"] - 1},
             "Those are the changes (ratio - 1); give the ratios themselves."),
        ]))

    def beside_truth(self, answers: Mapping[str, Any]) -> str:
        arms = _growth_truth()["referral_experiment"]["by_arm"]
        k = arms[POSTER]["k_factor"] / arms[LINK]["k_factor"]
        c = arms[POSTER]["first_orders"] / arms[LINK]["first_orders"]
        return (f"The simulation's expected ratios are {k:.2f} for K and {c:.2f} for "
                "customers.")


def _arms(value: float) -> pd.DataFrame:
    table = growth.referral_arms(_experiment(), value_per_customer=value)
    table.index = table.index.astype(str)
    return table


def _value_hint(value: float) -> str:
    return (f"That values a customer at {value:.0f} yuan; the question says "
            f"{VALUE_PER_CUSTOMER:.0f} (`m04.VALUE_PER_CUSTOMER`).")


def _added() -> pd.DataFrame:
    """Sign-ups, first orders and reward cost per participant of each programme arm, above
    the control's."""
    test = _experiment()
    means = test.groupby(test["arm"].astype(str))[["signups", "first_orders",
                                                    "reward_cost"]].mean()
    return (means - means.loc[CONTROL]).drop(index=CONTROL)


def _best(table: pd.DataFrame, column: str = "incremental_profit", *,
          lowest: bool = False) -> str:
    values = table.drop(index=CONTROL)[column]
    return str(values.idxmin() if lowest else values.idxmax())


class RollOut(BesideTruth):
    """Decision: the referral arm to roll out when a customer is worth 40 yuan."""

    qid = "q8"
    title = "Which programme at 40 yuan a customer? (a decision)"
    variables = ("roll_out", "roll_out_profit")
    hints = (
        "The arm to roll out adds the most profit per participant over the control: value x "
        "the first orders it adds - the rewards it adds, with a customer worth "
        f"{VALUE_PER_CUSTOMER:.0f} yuan (`m04.VALUE_PER_CUSTOMER`). Before you decide, make it "
        "the baseline, as lesson 4b does, and read the other arms' intervals against it.",
        "`arms = growth.referral_arms(test, value_per_customer=m04.VALUE_PER_CUSTOMER)`; "
        "without the control row, the arm with the largest `incremental_profit`, and that "
        "profit.",
    )

    @functools.cached_property
    def _table(self) -> pd.DataFrame:
        return _arms(VALUE_PER_CUSTOMER)

    def _expected(self) -> dict[str, object]:
        best = _best(self._table)
        return {"roll_out": best, "roll_out_profit": float(self._table.loc[best,
                                                                           "incremental_profit"])}

    @property
    def correct_message(self) -> str:  # type: ignore[override]
        best = _best(self._table)
        versus = growth.referral_arms(_experiment(), control=best,
                                      value_per_customer=VALUE_PER_CUSTOMER)
        versus.index = versus.index.astype(str)
        others = versus.drop(index=best)
        close = [str(a) for a in others.index[others["incremental_profit_high"] >= 0]]
        if not close:
            return (f"with {best} as the baseline, every other arm's interval lies below 0: "
                    "roll it out.")
        names = close[0] if len(close) == 1 else f"{', '.join(close[:-1])} and {close[-1]}"
        reach = "reaches" if len(close) == 1 else "all reach"
        return (f"with {best} as the baseline, the intervals of {names} {reach} 0: the data "
                "puts it first but cannot tell it from them, so roll it out as the best "
                "estimate and keep testing the close ones.")

    def compare(self, **answers: Any) -> Result | None:
        result = super().compare(**answers)
        if result is None or result.message in {hint for _, hint in self.mistakes()}:
            return result
        value = self._implied_value(answers)
        return result if value is None else self.incorrect(_value_hint(value))

    def _implied_value(self, answers: Mapping[str, Any]) -> float | None:
        """The worth of a customer at which the answer would be right (its arm first, with
        that profit), when it is another worth than the question's; else None."""
        arm = answers["roll_out"]
        try:
            profit = _number(answers["roll_out_profit"])
        except (TypeError, ValueError, IndexError):
            return None
        extra = _added()
        names = {str(a).casefold(): a for a in extra.index}
        if not isinstance(arm, str) or arm.strip().casefold() not in names:
            return None
        arm = names[arm.strip().casefold()]
        customers = extra.loc[arm, "first_orders"]
        if customers <= 0:
            return None
        value = (profit + extra.loc[arm, "reward_cost"]) / customers
        if not math.isfinite(value) or value <= 0 or abs(value - VALUE_PER_CUSTOMER) < 0.5:
            return None
        first = (value * extra["first_orders"] - extra["reward_cost"]).idxmax()
        return float(value) if first == arm else None

    def mistakes(self) -> list[tuple[object, str]]:
        t = self._table
        at_80 = _arms(80.0)
        best_80 = _best(at_80)
        extra = _added()
        per_signup = VALUE_PER_CUSTOMER * extra["signups"] - extra["reward_cost"]
        best = _best(t)

        def at(arm: str) -> dict[str, object]:  # an arm with its own profit at this value
            return {"roll_out": arm, "roll_out_profit": float(t.loc[arm, "incremental_profit"])}
        return self.distinct_mistakes(specific_first([
            ({"roll_out": best_80, "roll_out_profit": float(at_80.loc[best_80,
                                                                      "incremental_profit"])},
             _value_hint(80.0)),
            ({"roll_out": best, "roll_out_profit": float(t.loc[best, "profit"])},
             "That is the arm's profit per participant; the decision weighs what it adds over "
             "the control (`incremental_profit`), since the control's sharing brings some "
             "customers for free."),
            ({"roll_out": str(per_signup.idxmax()), "roll_out_profit": float(per_signup.max())},
             "That values every sign-up; only the friends who order are customers (first "
             "orders)."),
            (at(_best(t, "k_signups")),
             "That arm has the highest K, but K counts sign-ups: the money is in the customers "
             "and the rewards paid for them."),
            (at(_best(t, "k_first_orders")),
             "That arm brings the most customers, but its rewards cost more than they add at "
             "this value of a customer."),
            (at(_best(t, "cost_per_incremental_customer", lowest=True)),
             "That arm's added customers are the cheapest, but it adds fewer of them: compare "
             "the profit each arm adds."),
        ]))

    def beside_truth(self, answers: Mapping[str, Any]) -> str:
        arms = _growth_truth()["referral_experiment"]["by_arm"]
        profit = {a: VALUE_PER_CUSTOMER * b["incremental_first_orders"] - b["reward_cost"]
                  for a, b in arms.items() if a != CONTROL}
        best = max(profit, key=profit.get)
        return (f"On the simulation's expected values the best arm at "
                f"{VALUE_PER_CUSTOMER:.0f} yuan is {best}, adding {profit[best]:.2f} yuan per "
                "participant.")


# --------------------------------------------------------------------------- lesson 4c


def _topic_effects(outcome: str = CLICKS, model: str = "poisson",
                   posts: pd.DataFrame | None = None) -> pd.Series:
    posts = _load("content_posts") if posts is None else posts
    table = growth.content_effects(posts, outcome=outcome, model=model,
                                   reference={"topic": REFERENCE_TOPIC})
    return _by_label(table.xs("topic", level="factor")["effect"])


def _top(effects: pd.Series) -> dict[str, object]:
    return {"click_topic": str(effects.idxmax()), "click_effect": float(effects.max())}


class ClickTopic(BesideTruth):
    """Decision: the topic that brings the most clicks to the store, other things equal."""

    qid = "q9"
    title = "Which topic sends people to the store? (a decision)"
    variables = ("click_topic", "click_effect")
    hints = (
        "Lesson 4c's regression of a post's outcome on its format, slot, topic and platform, "
        f"with `{CLICKS}` as the outcome. Clicks are counts that can be 0: a Poisson model. "
        f"Read each topic's effect against `{REFERENCE_TOPIC}` posts.",
        "`growth.content_effects(posts, outcome='clicks_to_store', model='poisson', "
        "reference={'topic': m04.REFERENCE_TOPIC}).loc['topic', 'effect']`: its largest "
        "value and its label.",
    )
    correct_message = ("the topic a post should carry when the goal is store visits rather "
                       "than reach: the outcome chosen decides the content plan.")

    def _expected(self) -> dict[str, object]:
        return _top(_topic_effects())

    def mistakes(self) -> list[tuple[object, str]]:
        posts = _load("content_posts")
        mean = posts.groupby(posts["topic"].astype(str))[CLICKS].mean()
        naive = _by_label(mean / mean[REFERENCE_TOPIC])
        try:
            log_ols = _top(_topic_effects(model="log_ols"))
        except ValueError:  # some post had no click: log_ols refuses, as it should
            log_ols = None
        return self.distinct_mistakes(specific_first([
            (_top(_topic_effects("impressions", "log_ols")),
             "That is the effect on impressions (lesson 4c's outcome); the store needs clicks "
             f"(`outcome='{CLICKS}'`)."),
            (_top(naive),
             "Those are raw mean clicks by topic; the regression holds format, slot and "
             "platform equal (`content_effects`)."),
            (log_ols,
             "That is the log-linear model; clicks are counts that can be 0: "
             "`model='poisson'`."),
        ]))

    def beside_truth(self, answers: Mapping[str, Any]) -> str:
        topic = str(answers["click_topic"]).strip()
        reach = coursekit.truth()["content_effects"]["topic"]
        ratio = reach[topic] / reach[REFERENCE_TOPIC]
        return (f"On reach alone the simulation makes a {topic} post {ratio:.2f} times a "
                f"{REFERENCE_TOPIC} post; the rest of your effect is how often its viewers "
                "click through to the store.")


def _cost_per(deals: pd.DataFrame, by: str, outcome: str = "first_orders") -> pd.Series:
    sums = deals.groupby(deals[by].astype(str))[["fee", outcome]].sum()
    return _by_label(sums["fee"] / sums[outcome])


class CreatorCost(BesideTruth):
    """Creators' cost per first order by tier, and the cheapest platform of the tail."""

    qid = "q10"
    title = "What a customer from a creator costs"
    variables = ("cost_per_first_order", "tail_platform")
    hints = (
        "Cost per first order of a tier = all its fees / all the first orders its deals "
        "brought (`creator_deals`; the table's counts are the attributed ones). Then the same "
        f"by platform within the `{TAIL}` tier only: the cheapest one.",
        "`sums = deals.groupby('tier', observed=True)[['fee', 'first_orders']].sum()`; "
        "`sums.fee / sums.first_orders`; the same on `deals[deals.tier == m04.TAIL]` by "
        "`platform`, then `idxmin()`.",
    )
    ignore_order = True

    def _expected(self) -> dict[str, object]:
        deals = _load("creator_deals")
        tail = deals[deals["tier"].astype(str) == TAIL]
        return {"cost_per_first_order": _cost_per(deals, "tier"),
                "tail_platform": str(_cost_per(tail, "platform").idxmin())}

    @property
    def correct_message(self) -> str:  # type: ignore[override]
        cost = self._expected()["cost_per_first_order"]
        return (f"the dearest tier's customer costs {cost.max() / cost.min():.1f} times the "
                "cheapest's: the mix leans to the cheap tier while its reach lasts.")

    def compare(self, **answers: Any) -> Result | None:
        return super().compare(cost_per_first_order=_by_label(answers["cost_per_first_order"]),
                               tail_platform=answers["tail_platform"])

    def mistakes(self) -> list[tuple[object, str]]:
        deals = _load("creator_deals")
        tier = deals["tier"].astype(str)
        per_deal = (deals["fee"] / deals["first_orders"]).where(deals["first_orders"] > 0)
        tail = deals[tier == TAIL]
        right = self._expected()["tail_platform"]
        dearest = str(_cost_per(tail, "platform").idxmax())
        return self.distinct_mistakes(specific_first([
            ({"cost_per_first_order": _cost_per(deals, "tier", "signups")},
             "That is the cost per sign-up (lesson 4c's); the question asks per first order, "
             "the customers."),
            ({"cost_per_first_order": _by_label(per_deal.groupby(tier).mean())},
             "That averages each deal's own cost (and leaves out deals that brought none); a "
             "tier's cost is all its fees over all its first orders."),
            ({"cost_per_first_order": _by_label(per_deal.groupby(tier).median())},
             "That is the median deal's cost; a tier's cost is all its fees over all its "
             "first orders."),
            ({"tail_platform": str(_cost_per(deals, "platform").idxmin())},
             f"That platform is cheapest over all tiers, whose mix differs by platform; "
             f"compare the platforms within the `{TAIL}` tier."),
            ({"tail_platform": str(_cost_per(tail, "platform", "signups").idxmin())},
             "That platform is cheapest per sign-up; the question asks per first order."),
            ({"tail_platform": dearest if dearest != right else None},
             "That is the dearest platform (idxmax); the cheapest has the lowest cost."),
        ]))

    def beside_truth(self, answers: Mapping[str, Any]) -> str:
        c = _growth_truth()["creator_deals"]
        true = c["cost_per_signup"]["by_tier"]
        share = c["attribution"]["realised_share"]
        ranked = sorted(true, key=true.get)
        mine = list(_by_label(answers["cost_per_first_order"]).sort_values().index)
        same = "the same order as yours" if mine == ranked else "another order than yours"
        order = ", ".join(f"{t} {true[t]:.0f}" for t in ranked)
        return (f"The simulation's true cost per sign-up by tier (per sign-up, not per first "
                f"order; all sign-ups, not only the attributed {share:.0%}) is {order} yuan, "
                f"{same}: attribution lowers every tier's count alike, which moves the levels, "
                "not the ranking.")


def _benchmark(metric: str = STORE_METRIC) -> growth.UnitBenchmark:
    return growth.unit_benchmark(_load("store_months"), _load("stores"),
                                 metric=metric, top=TOP_SHARE)


def _top_ids(bench: growth.UnitBenchmark) -> set[int]:
    return {int(i) for i in bench.units.index[bench.units["top"]]}


class StoresToCopy(BesideTruth):
    """Decision: the stores whose WeCom practice to copy, and what a quarter of the gap
    is worth."""

    qid = "q11"
    title = "Whose WeCom practice to copy? (a decision)"
    variables = ("copy_stores", "wecom_gain")
    hints = (
        "Benchmark the stores on WeCom members added per transaction (`m04.STORE_METRIC`, a "
        f"ratio of sums over each store's months), top {TOP_SHARE:.0%} as the top group. The "
        f"gain: every other store closes {GAP_SHARE:.0%} of its gap to the benchmark, counted "
        "in members added a month (the gap x the store's transactions).",
        "`bench = growth.unit_benchmark(store_months, stores, metric=m04.STORE_METRIC, "
        "top=m04.TOP_SHARE)`; `set(bench.units.index[bench.units.top])`; "
        "`growth.lift_to_benchmark(bench, share=m04.GAP_SHARE).gain`.",
    )

    @functools.cached_property
    def _bench(self) -> growth.UnitBenchmark:
        return _benchmark()

    def _expected(self) -> dict[str, object]:
        return {"copy_stores": _top_ids(self._bench),
                "wecom_gain": float(growth.lift_to_benchmark(self._bench, share=GAP_SHARE).gain)}

    @property
    def correct_message(self) -> str:  # type: ignore[override]
        lift = growth.lift_to_benchmark(self._bench, share=GAP_SHARE)
        practices = self._bench.differences.drop(index=list(SALES_RESULTS), errors="ignore")
        return (f"closing {GAP_SHARE:.0%} of the gap adds {lift.lift:.0%} to the members "
                "added a month; of the practices (sales results such as conversion left out, "
                "as in lesson 4c), what sets the top stores apart most is "
                f"`{practices.index[0]}`, a lead to test in a few stores, not a proven cause.")

    def compare(self, **answers: Any) -> Result | None:
        return hide_count(super().compare(copy_stores=_id_set(answers["copy_stores"]),
                                          wecom_gain=answers["wecom_gain"]))

    def mistakes(self) -> list[tuple[object, str]]:
        bench = self._bench
        months = _load("store_months")
        rate = (months["wecom_members_added"] / months["transactions"]).groupby(
            months["store_id"]).mean().sort_values(ascending=False, kind="stable")
        n_top = len(self._expected()["copy_stores"])
        return self.distinct_mistakes(specific_first([
            ({"copy_stores": _top_ids(_benchmark("wecom_members_added"))},
             "Those add the most members a month, which grows with a store's size; rank "
             "members added per transaction."),
            ({"copy_stores": _top_ids(_benchmark("revenue"))},
             "Those sell the most (big formats); rank members added per transaction."),
            ({"copy_stores": {int(i) for i in rate.index[:n_top]}},
             "That ranks the mean of the monthly ratios; a store's ratio is all its members "
             "added over all its transactions."),
            ({"wecom_gain": float(growth.lift_to_benchmark(bench, share=0.5).gain)},
             f"That closes half the gap (lesson 4c's); the question closes "
             f"{GAP_SHARE:.0%}."),
            ({"wecom_gain": float(growth.lift_to_benchmark(bench, share=1.0).gain)},
             f"That closes the whole gap; the question closes {GAP_SHARE:.0%}."),
            ({"wecom_gain": float(growth.lift_to_benchmark(bench, share=GAP_SHARE).units[
                "gain"].div(bench.units["volume"]).sum())},
             "That adds up gaps in the ratio; the gain counts members: each store's gap x its "
             "transactions a month."),
        ]))

    def beside_truth(self, answers: Mapping[str, Any]) -> str:
        quality = pd.Series(coursekit.truth()["store_quality"], dtype=float)
        rank = quality.rank(ascending=False).astype(int)
        ranks = sorted(int(rank[str(i)]) for i in self._expected()["copy_stores"])
        return (f"In the simulation these stores' true quality ranks are "
                f"{', '.join(map(str, ranks))} of {len(quality)}.")


EXERCISES = ExerciseSet(
    "04_growth_exercises",
    [TierFunnel, GrossPayback, BiggerBudget, InviterK, FirstOrderCycle, ViralYear,
     PosterVsLink, RollOut, ClickTopic, CreatorCost, StoresToCopy],
)

__all__ = ["BUDGET_RISE", "CLICKS", "CONTROL", "EXERCISES", "FLOOR_SHARE", "GAP_SHARE", "LINK",
           "MEDIA", "POSTER", "REFERENCE_TOPIC", "SALES_RESULTS", "SEEN_DAYS", "STORE_METRIC",
           "TAIL", "TIER", "TOP_SHARE", "VALUE_PER_CUSTOMER", "VIRAL_DAYS", "VIRAL_K",
           "VIRAL_MARKET", "VIRAL_SEED", "WEEK", "YEAR"]
