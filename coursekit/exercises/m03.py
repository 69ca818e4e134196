"""Checks for module 3, ARPU and lifetime value
(``solutions/03_arpu_lifetime_value_exercises.ipynb``).

Expected values come from the data of the world in use through
:mod:`coursekit.metrics`, :mod:`coursekit.cohorts`, :mod:`coursekit.clv` and
:mod:`coursekit.lifecycle`; the plausible wrong answers are the classic
mistakes of the module (dividing by the wrong users, a cohort counted by order
month, day-N "within" instead of "on", LTV without the margin, BG/NBD time in
days ...), each computed from the same data.

Examples
--------
>>> from coursekit.exercises import m03
>>> questions = m03.EXERCISES.bind({})
>>> len(questions), questions[0].evaluate().status
(10, 'not_attempted')
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

import coursekit
from coursekit import clv, cohorts, lifecycle, metrics
from coursekit.exercises.core import Exercise, ExerciseSet, Result, same

YEAR = 2025
COHORT = "2025-01"
#: The assumptions the questions give (not data: the learner is told them).
MARGIN = 0.5
CHURN = 0.10
STAGES_ON = "2026-01-01"
CDNOW_ASOF = "1997-10-01"  # calibration on the purchases up to 30 September 1997


def _users() -> pd.DataFrame:
    return coursekit.load("users")


def _orders(year: int | None = None) -> pd.DataFrame:
    orders = coursekit.load("orders")
    return orders if year is None else orders[orders["order_time"].dt.year == year]


def _by_label(answer: object, name: str) -> object:
    """A per-channel Series in one shape: plain text labels, a fixed name, and no
    entries for channels without a value (NaN), so any reasonable pandas route to
    the answer compares equal. Anything else is returned unchanged."""
    if not isinstance(answer, pd.Series):
        return answer
    out = answer.dropna().rename(name)
    out.index = out.index.astype(str)
    return out


def _revenue_by_channel(year: int) -> pd.Series:
    users = _users()
    return _orders(year).merge(users[["user_id", "channel"]], on="user_id").groupby(
        "channel", observed=True)["amount"].sum()


class Arpu(Exercise):
    """ARPU of 2025: revenue over all users."""

    qid = "q1"
    title = "ARPU in 2025"
    variables = ("arpu_2025",)
    hints = (
        "ARPU divides revenue by *all* users, buyers or not.",
        "Sum `amount` over the orders of 2025, then divide by the number of rows of `users` "
        "(everyone signed up by the end of 2025).",
    )
    correct_message = "revenue per user, the figure to set against the cost of a user."

    def _expected(self) -> float:
        return float(metrics.arpu(_orders(YEAR), _users(), per=None).loc["all", "arpu"])

    def mistakes(self) -> list[tuple[object, str]]:
        o = _orders(YEAR)
        return [
            (o["amount"].sum() / o["user_id"].nunique(),
             "You divided by the users who bought: that is ARPPU. ARPU counts every user."),
            (o["amount"].mean(), "That is the average order value; divide by users, not orders."),
            (_orders()["amount"].sum() / len(_users()),
             "Your revenue covers both years; keep the orders of 2025."),
        ]


class Arppu(Exercise):
    """ARPPU of 2025: revenue over paying users."""

    qid = "q2"
    title = "ARPPU in 2025"
    variables = ("arppu_2025",)
    hints = (
        "ARPPU divides revenue by the users who paid at least once in the period.",
        "Count distinct `user_id` among the 2025 orders and divide 2025 revenue by it.",
    )
    correct_message = "what a buyer spends in a year; pricing and baskets move it."

    def _expected(self) -> float:
        return float(metrics.arppu(_orders(YEAR), per=None).loc["all", "arppu"])

    def mistakes(self) -> list[tuple[object, str]]:
        o = _orders(YEAR)
        return [
            (o["amount"].sum() / len(_users()),
             "You divided by all users: that is ARPU. ARPPU counts only the users who paid."),
            (o["amount"].sum() / len(o),
             "You divided by orders; a buyer with five orders is one paying user."),
        ]


class ArpuByChannel(Exercise):
    """ARPU of 2025 per acquisition channel."""

    qid = "q3"
    title = "ARPU by acquisition channel"
    variables = ("arpu_by_channel",)
    ignore_order = True
    hints = (
        "For each channel: the 2025 revenue of its users divided by the number of its users.",
        "Attach each order's channel with `merge` on `user_id`, sum `amount` by channel, then "
        "divide by `users['channel'].value_counts()`.",
    )
    correct_message = "the channels differ by a multiple: lesson 3b sets this against CAC."

    def _expected(self) -> pd.Series:
        revenue = _revenue_by_channel(YEAR)
        return _by_label(revenue / _users()["channel"].value_counts(), "arpu")

    def mistakes(self) -> list[tuple[object, str]]:
        users = _users()
        o = _orders(YEAR).merge(users[["user_id", "channel"]], on="user_id")
        revenue = _revenue_by_channel(YEAR)
        buyers = o.groupby("channel", observed=True)["user_id"].nunique()
        return [
            (_by_label(revenue / buyers, "arpu"),
             "You divided by each channel's buyers (ARPPU); divide by all its users."),
            (_by_label(o.groupby("channel", observed=True)["amount"].mean(), "arpu"),
             "That is the average order value per channel; divide revenue by users."),
            (_by_label(revenue / revenue.sum(), "arpu"),
             "These are shares of revenue; the question asks yuan per user."),
        ]

    def compare(self, **answers: Any) -> Result | None:
        return super().compare(arpu_by_channel=_by_label(answers["arpu_by_channel"], "arpu"))


def _first_month_cohort() -> tuple[pd.DataFrame, pd.Series]:
    orders = _orders()
    month = orders["order_time"].dt.to_period("M")
    first = month.groupby(orders["user_id"]).transform("min")
    return orders.assign(month=month, first=first), month


class CohortMonthOne(Exercise):
    """Month-1 retention of the January 2025 cohort."""

    qid = "q4"
    title = "Month-1 retention of the January 2025 cohort"
    variables = ("jan_month1",)
    rtol = 1e-6
    hints = (
        "The January 2025 cohort is the customers whose *first* order ever was in January 2025.",
        "Find each customer's first order month; keep those whose first month is 2025-01; the "
        "answer is the share of them with an order in 2025-02.",
    )
    correct_message = "the share of new customers who come back the month after their first."

    def _expected(self) -> float:
        table = cohorts.retention(_orders(), per="M")
        return float(table.loc[pd.Period(COHORT, "M"), 1])

    def mistakes(self) -> list[tuple[object, str]]:
        o, month = _first_month_cohort()
        jan, feb = pd.Period(COHORT, "M"), pd.Period(COHORT, "M") + 1
        cohort = set(o.loc[o["first"] == jan, "user_id"])
        in_jan = set(o.loc[month == jan, "user_id"])
        in_feb = set(o.loc[month == feb, "user_id"])
        return [
            (len(in_jan & in_feb) / len(in_jan),
             "You took everyone who ordered in January, old customers too. The cohort is the "
             "customers whose first order was in January."),
            (float(len(cohort & in_feb)),
             "That is the number of returning customers; the question asks for their share."),
        ]


class DaySeven(Exercise):
    """Day-7 retention of new users, from events."""

    qid = "q5"
    title = "Day-7 retention"
    variables = ("day7",)
    rtol = 1e-6
    hints = (
        "A user is retained on day 7 when they have an event exactly 7 calendar days after "
        "their sign-up day.",
        "Count only users whose day 7 falls on or before the last day of the events: the "
        "others could not have come back yet.",
    )
    correct_message = "a small share of new users is still around after a week."

    def _expected(self) -> float:
        events, users = coursekit.load("events"), _users()
        table = cohorts.day_n_retention(events, start=users, days=(7,))
        return float(table.loc[7, "rate"])

    def mistakes(self) -> list[tuple[object, str]]:
        events, users = coursekit.load("events"), _users()
        within = cohorts.day_n_retention(events, start=users, days=(7,),
                                         basis="within")
        exact = cohorts.day_n_retention(events, start=users, days=(7,))
        return [
            (float(within.loc[7, "rate"]),
             "You counted users back on any day from 1 to 7; day-7 retention asks for day 7 "
             "itself."),
            (float(exact.loc[7, "retained"] / len(users)),
             "Your denominator includes users who signed up less than 7 days before the data "
             "ends; they could not have come back yet."),
        ]


class CacByChannel(Exercise):
    """Acquisition cost per new user, by paid channel."""

    qid = "q6"
    title = "CAC by channel"
    variables = ("cac_by_channel",)
    ignore_order = True
    hints = (
        "CAC = what a channel cost / the users it brought. Only channels in `channel_spend` "
        "have a cost.",
        "Sum `spend` by channel, count users by channel, divide, and keep the channels that "
        "have spend.",
    )
    correct_message = "the price of a user, channel by channel."

    def _expected(self) -> pd.Series:
        return _by_label(metrics.cac(coursekit.load("channel_spend"), _users())["cac"], "cac")

    def mistakes(self) -> list[tuple[object, str]]:
        spend = coursekit.load("channel_spend").groupby("channel", observed=True)
        users, orders = _users(), _orders()
        cost = spend["spend"].sum()
        buyers = users[users["user_id"].isin(orders["user_id"])]["channel"].value_counts()
        return [
            (_by_label(cost / buyers, "cac"),
             "You divided by the users who bought; CAC here is per new user, buyer or not."),
            (_by_label(cost / spend["clicks"].sum(), "cac"),
             "That is the cost per click; divide by the users the channel brought."),
        ]

    def compare(self, **answers: Any) -> Result | None:
        return super().compare(cac_by_channel=_by_label(answers["cac_by_channel"], "cac"))


class SimpleLtv(Exercise):
    """Textbook LTV from the 2025 monthly ARPPU, a margin and a churn rate."""

    qid = "q7"
    title = "LTV by the formula"
    variables = ("ltv",)
    hints = (
        "LTV = monthly revenue per active customer x margin / monthly churn rate.",
        "Monthly revenue per active customer: the mean over the months of 2025 of each "
        "month's revenue / that month's buyers. Then multiply by MARGIN and divide by CHURN.",
    )
    correct_message = "an upper bound: customers are not active every month until they leave."

    def _monthly(self) -> float:
        return float(metrics.arppu(_orders(YEAR))["arppu"].mean())

    def _expected(self) -> float:
        return float(metrics.ltv_simple(self._monthly(), MARGIN, CHURN))

    def mistakes(self) -> list[tuple[object, str]]:
        m = self._monthly()
        yearly = float(metrics.arppu(_orders(YEAR), per=None).loc["all", "arppu"])
        return [
            (m / CHURN, "LTV counts profit: multiply the revenue by the margin."),
            (m * MARGIN / (1 - CHURN), "Divide by the churn rate (10%), not by retention (90%)."),
            (m * MARGIN * CHURN, "Divide by the churn rate: a customer stays 1 / churn months "
                                 "on average."),
            (yearly * MARGIN / CHURN, "Your ARPPU is per year; the churn rate is per month, so "
                                      "take the monthly ARPPU."),
            (yearly / 12 * MARGIN / CHURN,
             "Monthly ARPPU divides each month's revenue by that month's buyers, not by the "
             "year's buyers: a buyer of one month is not a buyer of every month."),
        ]


def _channel_curves(start: bool = True) -> pd.DataFrame:
    users = _users()
    if start:
        return cohorts.ltv_curves(_orders(), start=users, by="channel", pooled=True)
    orders = _orders().merge(users[["user_id", "channel"]], on="user_id")
    return cohorts.ltv_curves(orders, by="channel", pooled=True)


def _payback(months: int = 6, *, margin: float = MARGIN, start: bool = True) -> pd.Series:
    """Gross profit per signed-up user of each paid channel after ``months`` months / CAC."""
    cac = metrics.cac(coursekit.load("channel_spend"), _users())["cac"]
    curves = _channel_curves(start=start)
    ratio = curves.loc[cac.index, months] * margin / cac
    ratio.index = ratio.index.astype(str)
    return ratio


def _payback_cumulative(months: int = 6) -> pd.Series:
    """The other reading of "pooled over cohorts": each sign-up cohort observed for
    ``months`` months contributes its cumulative revenue to month ``months``, and the
    sum is divided by those cohorts' users (``ltv_curves(pooled=True)`` instead
    averages each month over the cohorts observed that long, then accumulates)."""
    users = _users()
    cac = metrics.cac(coursekit.load("channel_spend"), users)["cac"]
    per = cohorts.ltv_curves(_orders(), start=users, by="channel")[months].dropna()
    n = cohorts.cohort_sizes(_orders(), start=users, by="channel").reindex(per.index)
    ltv = (per * n).groupby(level="channel", observed=True).sum() / n.groupby(
        level="channel", observed=True).sum()
    ratio = ltv.reindex(cac.index) * MARGIN / cac
    ratio.index = ratio.index.astype(str)
    return ratio


class WeakestChannel(Exercise):
    """Decision: the paid channel whose users pay back least of their cost in six months."""

    qid = "q8"
    title = "Which channel pays back least?"
    variables = ("weakest", "weakest_ratio")
    hints = (
        "For every paid channel: gross profit per signed-up user after 6 months (the "
        "month-6 point of the channel's cohort LTV curve from sign-up, times MARGIN), "
        "divided by the channel's CAC.",
        "`cohorts.ltv_curves(orders, start=users, by='channel', pooled=True)` gives the "
        "curves (column 6 is six months after the sign-up month); `metrics.cac(spend, "
        "users)['cac']` the CACs. Keep the paid channels, divide, and take the smallest.",
    )
    correct_message = ("the first channel to review: its users return the least of their "
                       "cost. Whether to cut it depends on what the next yuan buys there "
                       "(lesson 3b): compare the cost of the last users, not the average.")

    def _expected(self) -> dict[str, object]:
        ratio = _payback()
        return {"weakest": str(ratio.idxmin()), "weakest_ratio": float(ratio.min())}

    def _accepted(self) -> dict[str, object]:
        """The cumulative reading of "pooled over cohorts" (see :func:`_payback_cumulative`)."""
        ratio = _payback_cumulative()
        return {"weakest": str(ratio.idxmin()), "weakest_ratio": float(ratio.min())}

    def compare(self, **answers: Any) -> Result | None:
        other = self._accepted()
        if all(same(answers[k], v, **self.options) for k, v in other.items()):
            return None  # cumulative revenue of the cohorts observed six months: also right
        return super().compare(**answers)

    def mistakes(self) -> list[tuple[object, str]]:
        right = self._expected()["weakest"]
        ratio = _payback()
        cac = metrics.cac(coursekit.load("channel_spend"), _users())["cac"]
        found: list[tuple[object, str]] = [
            ({"weakest_ratio": float(_payback(margin=1.0)[right])},
             "That ratio is revenue over CAC; LTV counts gross profit, so multiply by MARGIN."),
            ({"weakest_ratio": float(_payback(start=False)[right])},
             "Your curve is per buyer; CAC is per signed-up user, so the LTV must be too "
             "(start=users)."),
            ({"weakest_ratio": float(_payback(5)[right])},
             "Month 0 is the sign-up month, so six months later is column 6."),
            ({"weakest": str(ratio.idxmax())},
             "That channel pays back the most; the question asks for the least."),
        ]
        dearest = str(cac.idxmax())
        if dearest != right:
            found.append(({"weakest": dearest},
                          "That channel has the highest CAC, but its users may be worth more: "
                          "compare profit per user with the cost, channel by channel."))
        return found


def _cdnow_fit(**summary_options: Any) -> pd.Series:
    cdnow = coursekit.load("cdnow_sample")
    options = {"asof": CDNOW_ASOF, "per": "W", **summary_options}
    s = clv.summary(cdnow, customer="customer_id", at="order_date", amount=None, **options)
    return clv.BetaGeo().fit(s).params_.to_series()


def _as_params(answer: object) -> pd.Series | None:
    if isinstance(answer, clv.BetaGeo):  # the fitted model itself: read its parameters
        answer = getattr(answer, "params_", None)
    if hasattr(answer, "to_series"):
        answer = answer.to_series()
    if isinstance(answer, Mapping | pd.Series):
        try:
            s = pd.Series(dict(answer), dtype=float)
        except (TypeError, ValueError):
            return None
        return s
    return None


class CdnowBgnbd(Exercise):
    """BG/NBD on the CDNOW sample: reproduce the published parameters."""

    qid = "q9"
    title = "BG/NBD on the real CDNOW data"
    variables = ("params",)
    rtol = 0.01
    hints = (
        "Build the summary with `clv.summary` on the CDNOW sample (columns `customer_id` and "
        "`order_date`), calibration up to 30 September 1997 (`asof=\"1997-10-01\"`), time "
        "in weeks; then `clv.BetaGeo().fit(summary)`.",
        "`params = clv.BetaGeo().fit(cd).params_` (a dict-like with r, alpha, a and b).",
    )
    correct_message = "the published r, alpha, a and b: the model is ready for the company."

    def _expected(self) -> pd.Series:
        return _cdnow_fit()

    def mistakes(self) -> list[tuple[object, str]]:
        return [
            (_cdnow_fit(per="D"), "Time is in weeks in the paper; with days alpha comes out "
                                   "seven times bigger."),
            (_cdnow_fit(asof="1998-07-01"),
             "Calibrate on the first 39 weeks only (up to 30 September 1997); the rest is "
             "the hold-out."),
            (_cdnow_fit(asof="1997-09-30"),
             "`asof` is excluded: pass the day after the last calibration day, so that the "
             "purchases of 30 September count."),
        ]

    def compare(self, **answers: Any) -> Result | None:
        params = _as_params(answers["params"])
        if params is None:
            return self.incorrect("`params` should be the fitted parameters: a dict or Series "
                                  "with r, alpha, a and b (e.g. `model.params_`), or the "
                                  "fitted model.")
        missing = [k for k in ("r", "alpha", "a", "b") if k not in params.index]
        if missing:
            return self.incorrect(f"`params` has no {', '.join(missing)}.")
        return super().compare(params=params[["r", "alpha", "a", "b"]])


class DormantCount(Exercise):
    """Number of dormant customers at the start of 2026."""

    qid = "q10"
    title = "Dormant customers"
    variables = ("dormant",)
    hints = (
        "Use `lifecycle.stages(orders, asof='2026-01-01')` with the "
        "default thresholds.",
        "Count the rows whose `stage` is 'dormant' (no order for 90 full days, but fewer "
        "than 180).",
    )
    correct_message = "the win-back list of the week: they still remember the brand."

    def _stages(self, **options: Any) -> pd.Series:
        return lifecycle.stages(_orders(), asof=STAGES_ON, **options)["stage"]

    def _expected(self) -> int:
        return int((self._stages() == "dormant").sum())

    def _last_orders(self) -> pd.Series:
        orders = _orders()
        return orders[orders["order_time"] < pd.Timestamp(STAGES_ON)].groupby(
            "user_id")["order_time"].max()

    def mistakes(self) -> list[tuple[object, str]]:
        stage = self._stages()
        last = self._last_orders()
        full = (pd.Timestamp(STAGES_ON) - last).dt.days
        calendar = (pd.Timestamp(STAGES_ON) - last.dt.normalize()).dt.days
        return self.distinct_mistakes([
            (int(stage.isin(["dormant", "churned"]).sum()),
             "You counted churned customers too; dormant stops at 180 days without an order."),
            (int((stage == "churned").sum()), "That is the number of churned customers."),
            # calendar days from the order's date, 90 to 179 (on the course data the same
            # count as full days up to 180 included): both miss the question's rule
            (int(calendar.between(90, 179).sum()),
             "Count full days elapsed from the order's time to that midnight (an order placed "
             "at 15:00 is nine hours old at the next midnight, not a day), and stop before "
             "180 days: at 180 a customer is churned."),
            (int(full.between(90, 180).sum()),
             "Dormant stops before 180 full days: at 180 a customer is churned."),
        ])


EXERCISES = ExerciseSet(
    "03_arpu_lifetime_value_exercises",
    [Arpu, Arppu, ArpuByChannel, CohortMonthOne, DaySeven, CacByChannel, SimpleLtv,
     WeakestChannel, CdnowBgnbd, DormantCount],
)

__all__ = ["EXERCISES", "MARGIN", "CHURN"]
