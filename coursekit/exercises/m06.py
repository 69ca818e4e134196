"""Checks for module 6, the data-analysis method
(``solutions/06_data_analysis_exercises.ipynb``).

Expected values come from the data of the world in use through
:mod:`coursekit.metrics`, :mod:`coursekit.diagnose`, :mod:`coursekit.basket`
and pandas; the three incident questions compare the learner's findings with
the incidents planted in the world (``truth.json``), so the check says whether
the cause was found, not whether a method was followed. The plausible wrong
answers are the module's classic mistakes (the wrong denominator of a growth
rate, a one-factor-at-a-time decomposition that does not add up, the channel
where lost sign-ups were *recorded* instead of the one that lost them, a
festival rush taken for an incident, lines counted as baskets, zeros for
stores without a car park ...), computed from the same data.

Examples
--------
>>> from coursekit.exercises import m06
>>> questions = m06.EXERCISES.bind({})
>>> len(questions), questions[0].evaluate().status
(10, 'not_attempted')
"""

from __future__ import annotations

from typing import Any

import pandas as pd

import coursekit
from coursekit import basket, diagnose, metrics
from coursekit.data import truth
from coursekit.exercises.core import Exercise, ExerciseSet, Result

#: The month of the KPI questions and the two months of the GMV question.
MONTH = "2025-06"
GMV_BEFORE, GMV_AFTER = "2025-08", "2025-09"
#: The category pair of the basket question (``products.category``).
PAIR = ("oats", "dried_fruit")
#: The month's targets of the gap question; CAC is better lower, the rest higher.
TARGETS = {"user_growth_rate": 0.08, "active_rate": 0.35, "stickiness": 0.10,
           "first_purchase_conversion": 0.40, "cac": 35.0}
#: Days of slack allowed on an incident's first and last day.
SLACK_DAYS = 1


def _incident(name: str) -> dict[str, Any]:
    for incident in truth()["incidents"]:
        if incident["name"] == name:
            return incident
    raise KeyError(f"the world has no incident named {name!r}")


def _day(value: object) -> pd.Timestamp | None:
    """A date answer as a day (a string, a date, a Timestamp, a Period); None if unreadable."""
    if isinstance(value, pd.Period):
        value = value.start_time
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        return None
    if ts is pd.NaT or ts.tzinfo is not None:
        return None
    return ts.normalize()


# --------------------------------------------------------------------------- the KPI system


def _month(df: pd.DataFrame) -> pd.Series:
    return df.loc[pd.Period(MONTH, "M")]


class UserGrowthRate(Exercise):
    """New users this month / all users at the end of last month."""

    qid = "q1"
    title = "User growth rate"
    variables = ("growth_rate",)
    rtol = 1e-6
    hints = (
        "User growth rate = users who signed up this month / all users signed up by the end "
        "of last month.",
        "`metrics.user_growth_rate(users)` by month, or count sign-ups "
        "per month and divide by the running total up to the month before.",
    )
    correct_message = "the pace at which the user base grows, month on month."

    def _counts(self) -> pd.Series:
        users = coursekit.load("users")
        return users.groupby(users["signup_time"].dt.to_period("M")).size()

    def expected(self) -> float:
        g = metrics.user_growth_rate(coursekit.load("users"))
        return float(_month(g)["growth_rate"])

    def mistakes(self) -> list[tuple[object, str]]:
        n = self._counts()
        month = pd.Period(MONTH, "M")
        total = n.cumsum()
        return [
            (float(n[month] / total[month]),
             "You divided by all users at the end of *this* month; the base is last month's."),
            (float(n[month] / n[month - 1] - 1),
             "That is the growth of *new* sign-ups; the question asks how much the whole user "
             "base grew."),
        ]


class ActiveRate(Exercise):
    """MAU / all users signed up by the end of the month."""

    qid = "q2"
    title = "Active rate"
    variables = ("active_rate",)
    rtol = 1e-6
    hints = (
        "Active rate = MAU (distinct users with any event in the month) / users signed up by "
        "the end of the month.",
        "`metrics.active_rate(events, users)`, or count distinct "
        "`user_id` in the month's events and divide by the users with `signup_time` before "
        "the month ends.",
    )
    correct_message = "the share of the user base still using the app in a month."

    def expected(self) -> float:
        a = metrics.active_rate(coursekit.load("events"), coursekit.load("users"))
        return float(_month(a)["active_rate"])

    def mistakes(self) -> list[tuple[object, str]]:
        events, users, orders = (coursekit.load(t) for t in ("events", "users", "orders"))
        month = pd.Period(MONTH, "M")
        mau = events.loc[events["event_time"].dt.to_period("M") == month, "user_id"].nunique()
        buyers = orders.loc[orders["order_time"].dt.to_period("M") == month, "user_id"].nunique()
        signed = int((users["signup_time"].dt.to_period("M") <= month).sum())
        return [
            (buyers / signed, "That counts buyers; active users are users with any event."),
            (mau / len(users), "Divide by the users signed up by the end of the month, not "
                               "by every user in the table (some signed up later)."),
        ]


class Stickiness(Exercise):
    """Mean over the month's days of DAU / trailing 30-day MAU."""

    qid = "q3"
    title = "Stickiness"
    variables = ("stickiness",)
    rtol = 1e-6
    hints = (
        "For each day: DAU (distinct users with an event that day) / MAU (distinct users with "
        "an event in the 30 days ending that day). Then the mean over the month's days.",
        "`metrics.stickiness(events, per='M')` averages the daily ratio "
        "over each month.",
    )
    correct_message = "roughly the share of a month's days a typical active user comes back."

    def _daily(self) -> pd.DataFrame:
        return metrics.stickiness(coursekit.load("events"))

    def expected(self) -> float:
        s = metrics.stickiness(coursekit.load("events"), per="M")
        return float(_month(s)["stickiness"])

    def mistakes(self) -> list[tuple[object, str]]:
        events = coursekit.load("events")
        month = pd.Period(MONTH, "M")
        inside = events[events["event_time"].dt.to_period("M") == month]
        dau = inside.groupby(inside["event_time"].dt.normalize())["user_id"].nunique()
        daily = self._daily()
        last = daily.loc[pd.Period(month.end_time.normalize(), "D")]
        return [
            (float(dau.mean() / inside["user_id"].nunique()),
             "That divides the mean DAU by the calendar month's MAU; the question uses, for "
             "each day, the 30 days ending that day, then the mean of the daily ratios."),
            (float(last["stickiness"]),
             "That is the ratio of one day (the month's last); take the mean over the month."),
        ]


def _kpis() -> pd.DataFrame:
    names = ("users", "orders", "events", "channel_spend")
    return metrics.kpi_table(*(coursekit.load(t) for t in names))


class MissedTargets(Exercise):
    """The KPIs that missed their target in the month."""

    qid = "q4"
    title = "Gap to target"
    variables = ("missed",)
    hints = (
        "Compute the month's KPIs, set each beside its target, and keep those on the wrong "
        "side. For CAC the wrong side is *above* the target.",
        "`metrics.kpi_table(users, orders, events, channel_spend)`, the "
        "month's row, then `diagnose.gap_to_target(actual, targets, better={'cac': 'lower'})` "
        "and the metrics whose `met` is False.",
    )
    correct_message = "the gaps the monthly review explains before anything else."

    def _gaps(self, better: object) -> pd.DataFrame:
        row = _month(_kpis())[list(TARGETS)]
        return diagnose.gap_to_target(row, pd.Series(TARGETS), better=better)

    def expected(self) -> set[str]:
        g = self._gaps({"cac": "lower"})
        return {str(m) for m in g.index[~g["met"].astype(bool)]}

    def mistakes(self) -> list[tuple[object, str]]:
        naive = self._gaps("higher")
        met = self._gaps({"cac": "lower"})
        return [
            ({str(m) for m in naive.index[~naive["met"].astype(bool)]},
             "A cost is better *lower*: CAC above its target is a miss."),
            ({str(m) for m in met.index[met["met"].astype(bool)]},
             "Those are the KPIs that met their target; the question asks for the misses."),
        ]

    def compare(self, **answers: Any) -> Result | None:
        answer = answers["missed"]
        if isinstance(answer, pd.Index | pd.Series | list | tuple | set):
            answer = {str(a) for a in answer}
        return super().compare(missed=answer)


class ConversionContribution(Exercise):
    """LMDI contribution of conversion to the change in GMV between two months."""

    qid = "q5"
    title = "What moved GMV?"
    variables = ("conversion_effect",)
    rtol = 1e-6
    hints = (
        "GMV = visitors x conversion (orders per visitor) x order value. The log-mean Divisia "
        "contribution of a factor is L(GMV1, GMV0) x ln(factor1 / factor0), with "
        "L(a, b) = (a - b) / (ln a - ln b); the three contributions add up to the change.",
        "`tree, table = diagnose.gmv_tree(events, orders)`, then "
        "`tree.explain(table, before=..., after=...)` and the `contribution` of `conversion` "
        "(in yuan).",
    )
    correct_message = "in yuan, and the three factors' effects add up to the change in GMV."

    def _table(self) -> pd.DataFrame:
        return diagnose.gmv_tree(coursekit.load("events"), coursekit.load("orders"))[1]

    def expected(self) -> float:
        tree, table = diagnose.gmv_tree(coursekit.load("events"), coursekit.load("orders"))
        out = tree.explain(table, before=GMV_BEFORE, after=GMV_AFTER)
        return float(out.loc["conversion", "contribution"])

    def mistakes(self) -> list[tuple[object, str]]:
        t = self._table()
        b, a = t.loc[pd.Period(GMV_BEFORE, "M")], t.loc[pd.Period(GMV_AFTER, "M")]
        lmdi = self.expected()
        return [
            (float((a["conversion"] - b["conversion"]) * b["visitors"] * b["aov"]),
             "That changes conversion alone with the other factors held at the first month: "
             "the three such effects do not add up to the change. Use the log-mean weights."),
            (lmdi / float(a["gmv"] - b["gmv"]),
             "That is the share of the change; the question asks for yuan."),
            (float(a["conversion"] - b["conversion"]),
             "That is the change in conversion itself; the question asks for its effect on GMV "
             "in yuan."),
        ]


# --------------------------------------------------------------------------- incidents


class _Incident(Exercise):
    """Where and when a planted incident happened, checked against the truth.

    Subclasses name the incident and the variables: the dimension value, the
    first day and the last day. Days may be off by ``SLACK_DAYS``.
    """

    incident: str = ""

    def expected(self) -> dict[str, object]:
        inc = _incident(self.incident)
        what, start, end = self.variables
        return {what: str(inc["value"]), start: pd.Timestamp(inc["start"]),
                end: pd.Timestamp(inc["end"])}

    def compare(self, **answers: Any) -> Result | None:
        what, start, end = self.variables
        exp = self.expected()
        days = {v: _day(answers[v]) for v in (start, end)}
        for v, day in days.items():
            if day is None:
                return self.incorrect(f"`{v}` should be a date such as '2025-01-31', got "
                                      f"{answers[v]!r}.")
        for wrong, hint in self.mistakes():
            if self._matches(answers, days, wrong):
                return self.incorrect(hint)
        if not isinstance(answers[what], str) or (
                answers[what].strip().casefold() != exp[what].casefold()):
            return self.incorrect(f"`{what}` is not where the incident happened: rank the "
                                  "values of the dimension by how far they moved.")
        for v in (start, end):
            off = abs((days[v] - exp[v]).days)
            if off > SLACK_DAYS:
                return self.incorrect(f"`{v}` is {off} days away from the incident's "
                                      f"{'first' if v == start else 'last'} day: look at the "
                                      "days just before and after the run of unusual days.")
        return None

    def _matches(self, answers: dict[str, Any], days: dict[str, pd.Timestamp],
                 wrong: dict[str, object]) -> bool:
        for k, v in wrong.items():
            if k in days:
                if abs((days[k] - pd.Timestamp(v)).days) > SLACK_DAYS:
                    return False
            elif not isinstance(answers[k], str) or answers[k].strip().casefold() != str(
                    v).casefold():
                return False
        return True


def _daily_signups() -> pd.DataFrame:
    users = coursekit.load("users")
    return (users.groupby([users["signup_time"].dt.normalize(), "channel"], observed=False)
            .size().unstack(fill_value=0))


class TrackingOutage(_Incident):
    """The channel whose sign-ups went missing, and when."""

    qid = "q6"
    title = "Sign-ups recorded as 'unknown'"
    incident = "tracking_outage"
    variables = ("lost_channel", "outage_start", "outage_end")
    hints = (
        "Daily sign-ups by channel: find the days when the channel 'unknown' jumps, and the "
        "channel that drops on the same days while its spend goes on.",
        "`diagnose.anomalies(users, at='signup_time', by='channel')` (or a daily count by "
        "channel compared with the same weekday of earlier weeks); 'unknown' is where the "
        "sign-ups were *recorded*, the answer is the channel that lost them.",
    )
    correct_message = ("the tracking link of that channel broke; its sign-ups (and its CAC) "
                       "must be repaired before any channel decision covering those days.")

    def mistakes(self) -> list[tuple[object, str]]:
        inc = _incident(self.incident)
        daily = _daily_signups().sum(axis=1)
        peak = daily.idxmax()
        return [
            ({"lost_channel": "unknown"},
             "'unknown' is where the missing sign-ups were recorded; which channel lost them?"),
            ({"outage_start": peak, "outage_end": peak},
             "That is the busiest sign-up day, a peak in every channel; the incident shows "
             "as one channel's share moving."),
            ({"outage_start": pd.Timestamp(inc["start"]) - pd.Timedelta(days=7),
              "outage_end": pd.Timestamp(inc["end"]) - pd.Timedelta(days=7)},
             "A week too early: those are the normal days used as the baseline."),
        ]


class WarehouseDelay(_Incident):
    """The warehouse whose parcels were late, and when."""

    qid = "q7"
    title = "Late parcels"
    incident = "warehouse_delay"
    variables = ("slow_warehouse", "delay_start", "delay_end")
    hints = (
        "Mean delivery days by order day and warehouse: one warehouse is slow for about a "
        "week while the others are not.",
        "`diagnose.anomalies(orders, at='order_time', value='delivery_days', how='mean', "
        "by='warehouse')`; a week when *every* warehouse is slow is a festival rush, not "
        "an incident.",
    )
    correct_message = ("one warehouse, one week: the churn model of lesson 5c saw the "
                       "complaints that followed.")

    def mistakes(self) -> list[tuple[object, str]]:
        orders = coursekit.load("orders")
        inc = _incident(self.incident)
        late = orders["delivery_days"] > orders["promised_days"]
        day = orders["order_time"].dt.normalize()
        inside = (day >= inc["start"]) & (day <= inc["end"])
        weekly = late[~inside].groupby(orders.loc[~inside, "order_time"].dt.to_period("W")).mean()
        rush = weekly.idxmax()
        return [
            ({"delay_start": rush.start_time, "delay_end": rush.end_time.normalize()},
             "Every warehouse was slow that week: a festival rush, not one warehouse's "
             "incident. Compare warehouses with each other."),
        ]


class PaymentBug(_Incident):
    """The device on which checkout failed, and when."""

    qid = "q8"
    title = "Checkout failures"
    incident = "payment_bug"
    variables = ("broken_device", "bug_start", "bug_end")
    hints = (
        "Orders by day and device fall on one device for a few days, while its visitors keep "
        "adding to cart.",
        "`diagnose.anomalies(orders, at='order_time', by='device', direction='down')`, or the "
        "daily share of add-to-cart sessions that end in an order, by platform.",
    )
    correct_message = ("a broken checkout on one platform: the first thing to check when "
                       "orders fall while traffic holds.")

    def mistakes(self) -> list[tuple[object, str]]:
        orders = coursekit.load("orders")
        inc = _incident(self.incident)
        daily = orders.groupby(orders["order_time"].dt.normalize()).size()
        year = daily[str(pd.Timestamp(inc["start"]).year)]
        span = (pd.Timestamp(inc["end"]) - pd.Timestamp(inc["start"])).days
        window = year.rolling(span + 1).sum()
        window = window[(window.index < inc["start"]) | (window.index > pd.Timestamp(inc["end"])
                                                          + pd.Timedelta(days=span))]
        low_end = window.idxmin()
        return [
            ({"broken_device": "mini_program"},
             "The mini-program kept selling; look at the app's two platforms."),
            ({"bug_start": low_end - pd.Timedelta(days=span), "bug_end": low_end},
             "Orders on every device fell on those days (a holiday); the incident is one "
             "device falling while the others hold."),
        ]


# --------------------------------------------------------------------------- cases


def _category_items() -> pd.DataFrame:
    items = coursekit.load("order_items")
    return items.merge(coursekit.load("products")[["product_id", "category"]], on="product_id")


class BasketLift(Exercise):
    """Lift of a category pair over orders."""

    qid = "q9"
    title = "Bought together"
    variables = ("pair_lift",)
    rtol = 1e-6
    hints = (
        "Lift = P(both in an order) / (P(first in an order) x P(second in an order)), each "
        "counted over orders, a category once per order however many of its items.",
        "Merge `products` into `order_items` for the category; `basket.pairs(items, "
        "item='category')` and read the row of the pair.",
    )
    correct_message = "above 1 the two meet more often than chance: shelve and pick them together."

    def _pairs(self) -> pd.DataFrame:
        return basket.pairs(_category_items(), product="category").set_index(
            ["antecedent", "consequent"])

    def expected(self) -> float:
        return float(self._pairs().loc[PAIR, "lift"])

    def mistakes(self) -> list[tuple[object, str]]:
        p = self._pairs().loc[PAIR]
        items = _category_items()
        n = items["order_id"].nunique()
        # every line counted: a category's share of orders inflated by orders with two of it
        lines_a, lines_b = ((items["category"] == c).sum() / n for c in PAIR)
        both = float(p["support"])
        return [
            (float(p["confidence"]), "That is the confidence P(second | first); lift divides "
                                     "it by how common the second is."),
            (float(p["support"]), "That is the support, the share of orders with both."),
            (both / (lines_a * lines_b),
             "Count each category once per order, however many of its items the order holds."),
        ]


def _car_park_months() -> pd.DataFrame:
    months = coursekit.load("store_months")
    return months.merge(coursekit.load("stores")[["store_id", "has_car_park"]], on="store_id")


class CarParkCorrelation(Exercise):
    """Correlation of car-park traffic with store revenue."""

    qid = "q10"
    title = "Sales and the car park"
    variables = ("car_park_corr",)
    rtol = 1e-6
    hints = (
        "Pearson correlation between `car_park_traffic` and `revenue` over store-months, "
        "for the stores that have a car park.",
        "Merge `stores[['store_id', 'has_car_park']]` into `store_months`, keep "
        "`has_car_park`, then `.corr()` of the two columns.",
    )
    correct_message = "a modest link: the car park helps, but explains little of a month's sales."

    def expected(self) -> float:
        m = _car_park_months()
        m = m[m["has_car_park"]]
        return float(m["car_park_traffic"].corr(m["revenue"]))

    def mistakes(self) -> list[tuple[object, str]]:
        m = _car_park_months()
        with_park = m[m["has_car_park"]]
        return [
            (float(m["car_park_traffic"].corr(m["revenue"])),
             "Stores without a car park show 0 traffic; keep only the stores that have one, "
             "or the zeros measure 'has a car park', not traffic."),
            (float(with_park["car_park_traffic"].corr(with_park["revenue"], method="spearman")),
             "That is Spearman's rank correlation; the question asks for Pearson's."),
            (float(with_park["footfall"].corr(with_park["revenue"])),
             "That is footfall (people in the store), not car-park traffic."),
        ]


EXERCISES = ExerciseSet(
    "06_data_analysis_exercises",
    [UserGrowthRate, ActiveRate, Stickiness, MissedTargets, ConversionContribution,
     TrackingOutage, WarehouseDelay, PaymentBug, BasketLift, CarParkCorrelation],
)

__all__ = ["EXERCISES", "MONTH", "GMV_BEFORE", "GMV_AFTER", "PAIR", "SLACK_DAYS", "TARGETS"]
