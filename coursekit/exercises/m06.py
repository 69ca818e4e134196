"""Checks for module 6, the data-analysis method
(``solutions/06_data_analysis_exercises.ipynb``).

Expected values come from the data of the world in use through
:mod:`coursekit.metrics`, :mod:`coursekit.diagnose`, :mod:`coursekit.basket`
and pandas; the incident questions take the incident's dimension and days from
the world's ``truth.json`` and compute what the question asks from the data, so
the check says whether the cause was found, not whether a method was followed.
Every question asks about something lessons 6a and 6b do not print: another
month, another window, another pair, another format of store. The plausible
wrong answers are the module's classic mistakes (the wrong denominator of a
growth rate, a one-factor-at-a-time decomposition that does not add up, the
channel where lost sign-ups were *recorded* instead of the one that lost them,
parcels counted for customers, a pie for a ranking, a cut axis, a channel picked
for its dear sign-ups rather than for what each yuan brings back ...),
computed from the same data.

Examples
--------
>>> from coursekit.exercises import m06
>>> questions = m06.EXERCISES.bind({})
>>> len(questions), questions[0].evaluate().status
(13, 'not_attempted')
"""

from __future__ import annotations

import numbers
import re
from typing import Any

import numpy as np
import pandas as pd

import coursekit
from coursekit import basket, diagnose, metrics
from coursekit.data import truth
from coursekit.exercises.core import (
    Exercise,
    ExerciseSet,
    Result,
    as_day,
    describe_type,
    diff_number,
    hide_count,
    same,
)

#: The month of the KPI questions and the two months of the GMV question.
MONTH = "2025-06"
GMV_BEFORE, GMV_AFTER = "2025-06", "2025-07"
#: The year of the chart questions (choice: 2024 revenue; repair: 2025 orders).
CHART_YEAR, REPAIR_YEAR = 2024, 2025
#: The chart names the choice question offers.
CHARTS = ("pie", "ordered bar", "stacked area", "scatter", "histogram", "line")
#: The sign-up year and the horizon (days after sign-up) of the budget decision.
COHORT_YEAR, HORIZON_DAYS = 2024, 90
#: The category pair and the order year of the basket question.
PAIR = ("dried_fruit", "nuts")
BASKET_YEAR = 2025
#: The store format of the car-park question.
STORE_FORMAT = "street_shop"
#: The month's targets of the gap question; CAC is better lower, the rest higher.
TARGETS = {"user_growth_rate": 0.08, "active_rate": 0.35, "stickiness": 0.10,
           "first_purchase_conversion": 0.40, "cac": 35.0}


def _incident(name: str) -> dict[str, Any]:
    for incident in truth()["incidents"]:
        if incident["name"] == name:
            return incident
    raise KeyError(f"the world has no incident named {name!r}")


def _days(incident: dict[str, Any]) -> tuple[pd.Timestamp, pd.Timestamp]:
    """An incident's first and last day (both included), as midnights."""
    start, end = as_day(incident["start"]), as_day(incident["end"])
    assert start is not None and end is not None
    return start, end


def _within(times: pd.Series, first: pd.Timestamp, last: pd.Timestamp) -> pd.Series:
    """True for the times on the days ``first`` to ``last``, both included."""
    return (times >= first) & (times < last + pd.Timedelta(days=1))


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

    def _expected(self) -> float:
        g = metrics.user_growth_rate(coursekit.load("users"))
        return float(_month(g)["growth_rate"])

    def mistakes(self) -> list[tuple[object, str]]:
        n = self._counts()
        month = pd.Period(MONTH, "M")
        total = n.cumsum()
        return self.distinct_mistakes([
            (float(n[month] / total[month]),
             "You divided by all users at the end of *this* month; the base is last month's."),
            (float(n[month] / n[month - 1] - 1),
             "That is the growth of *new* sign-ups; the question asks how much the whole user "
             "base grew."),
        ])


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

    def _expected(self) -> float:
        a = metrics.active_rate(coursekit.load("events"), coursekit.load("users"))
        return float(_month(a)["active_rate"])

    def mistakes(self) -> list[tuple[object, str]]:
        events, users, orders = (coursekit.load(t) for t in ("events", "users", "orders"))
        month = pd.Period(MONTH, "M")
        mau = events.loc[events["event_time"].dt.to_period("M") == month, "user_id"].nunique()
        buyers = orders.loc[orders["order_time"].dt.to_period("M") == month, "user_id"].nunique()
        signed = int((users["signup_time"].dt.to_period("M") <= month).sum())
        return self.distinct_mistakes([
            (buyers / signed, "That counts buyers; active users are users with any event."),
            (mau / len(users), "Divide by the users signed up by the end of the month, not "
                               "by every user in the table (some signed up later)."),
        ])


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

    def _expected(self) -> float:
        s = metrics.stickiness(coursekit.load("events"), per="M")
        return float(_month(s)["stickiness"])

    def mistakes(self) -> list[tuple[object, str]]:
        events = coursekit.load("events")
        month = pd.Period(MONTH, "M")
        inside = events[events["event_time"].dt.to_period("M") == month]
        dau = inside.groupby(inside["event_time"].dt.normalize())["user_id"].nunique()
        daily = metrics.stickiness(events)
        last = daily.loc[pd.Period(month.end_time.normalize(), "D")]
        return self.distinct_mistakes([
            (float(dau.mean() / inside["user_id"].nunique()),
             "That divides the mean DAU by the calendar month's MAU; the question uses, for "
             "each day, the 30 days ending that day, then the mean of the daily ratios."),
            (float(last["stickiness"]),
             "That is the ratio of one day (the month's last); take the mean over the month."),
        ])


def _kpis() -> pd.DataFrame:
    names = ("users", "orders", "events", "channel_spend")
    return metrics.kpi_table(*(coursekit.load(t) for t in names))


def _kpi_name(answer: object) -> str | None:
    """The key of m06.TARGETS an answer names (any case, '_' or a space), else None."""
    text = " ".join(str(answer).replace("_", " ").casefold().split())
    return {k.replace("_", " "): k for k in TARGETS}.get(text)


class MissedTargets(Exercise):
    """The KPIs that missed their target in the month (no tolerance band, paid CAC)."""

    qid = "q4"
    title = "Gap to target"
    variables = ("missed",)
    hints = (
        "Compute the month's KPIs, set each beside its target, and keep those on the wrong "
        "side, however small the gap. For CAC, a cost, the wrong side is *above* the target.",
        "`metrics.kpi_table(users, orders, events, channel_spend)`, the "
        "month's row, then `diagnose.gap_to_target(actual, targets, better={'cac': 'lower'})` "
        "and the metrics whose `met` is False.",
    )
    correct_message = "the gaps the monthly review explains before anything else."

    def _row(self) -> pd.Series:
        return _month(_kpis())[list(TARGETS)]

    def _missed(self, row: pd.Series, *, cac_lower: bool = True,
                tolerance: float = 0.0) -> set[str]:
        out = set()
        for name, target in TARGETS.items():
            lower = cac_lower and name == "cac"
            attainment = target / row[name] if lower else row[name] / target
            if attainment < 1 - tolerance:
                out.add(name)
        return out

    def _expected(self) -> set[str]:
        g = diagnose.gap_to_target(self._row(), pd.Series(TARGETS), better={"cac": "lower"})
        return {str(m) for m in g.index[~g["met"].astype(bool)]}

    def mistakes(self) -> list[tuple[object, str]]:
        row = self._row()
        users, spend = coursekit.load("users"), coursekit.load("channel_spend")
        month = pd.Period(MONTH, "M")
        blended = row.copy()
        blended["cac"] = (spend.loc[spend["date"].dt.to_period("M") == month, "spend"].sum()
                          / (users["signup_time"].dt.to_period("M") == month).sum())
        return self.distinct_mistakes([
            (self._missed(row, cac_lower=False),
             "A cost is better *lower*: CAC above its target is a miss (and the question's "
             "CAC is paid CAC, spend over the paid channels' sign-ups, not blended)."),
            (self._missed(blended),
             "That reads CAC as blended (spend over every sign-up, organic ones included); the "
             "question's CAC is paid: spend over the sign-ups of the paid channels."),
            (self._missed(row, tolerance=0.02),
             "A KPI short of its target by a little is still a miss here: the question has no "
             "tolerance band (the lesson's 'on target' band is not used)."),
            (set(TARGETS) - self._expected(),
             "Those are the KPIs that met their target; the question asks for the misses."),
        ])

    def compare(self, **answers: Any) -> Result | None:
        answer = answers["missed"]
        if isinstance(answer, pd.Index | pd.Series | np.ndarray | list | tuple | set | frozenset):
            names = {_kpi_name(a): a for a in answer}
            if None in names:
                return self.incorrect(f"`missed` holds {names[None]!r}, which is not a KPI name "
                                      "in m06.TARGETS: name each KPI by its key there.")
            answer = set(names)
        return hide_count(super().compare(missed=answer))


class OrdersPerVisitorContribution(Exercise):
    """LMDI contribution of orders per visitor to the change in GMV between two months."""

    qid = "q5"
    title = "What moved GMV?"
    variables = ("orders_per_visitor_effect",)
    rtol = 1e-6
    hints = (
        "GMV = visitors x orders per visitor x order value. The log-mean Divisia "
        "contribution of a factor is L(GMV1, GMV0) x ln(factor1 / factor0), with "
        "L(a, b) = (a - b) / (ln a - ln b); the three contributions add up to the change.",
        "`tree, table = diagnose.gmv_tree(events, orders)`, then `tree.explain(table, before=..., after=...)` and the "
        "`contribution` of that factor (in yuan).",
    )
    correct_message = "in yuan, and the three factors' effects add up to the change in GMV."

    def _table(self) -> pd.DataFrame:
        return diagnose.gmv_tree(coursekit.load("events"), coursekit.load("orders"))[1]

    def _expected(self) -> float:
        tree, table = diagnose.gmv_tree(coursekit.load("events"), coursekit.load("orders"))
        out = tree.explain(table, before=GMV_BEFORE, after=GMV_AFTER)
        return float(out.loc["orders_per_visitor", "contribution"])

    def mistakes(self) -> list[tuple[object, str]]:
        t = self._table()
        b, a = t.loc[pd.Period(GMV_BEFORE, "M")], t.loc[pd.Period(GMV_AFTER, "M")]
        lmdi = self._expected()
        return self.distinct_mistakes([
            (float((a["orders_per_visitor"] - b["orders_per_visitor"]) * b["visitors"] * b["aov"]),
             "That changes orders per visitor alone with the other factors held at the first "
             "month: the three such effects do not add up to the change. Use the log-mean "
             "weights."),
            (lmdi / float(a["gmv"] - b["gmv"]),
             "That is the share of the change; the question asks for yuan."),
            (float(a["orders_per_visitor"] - b["orders_per_visitor"]),
             "That is the change in orders per visitor itself; the question asks for its "
             "effect on GMV in yuan."),
            (-lmdi, "The sign is reversed: subtract the first month from the second "
                    "(after minus before)."),
        ])


# --------------------------------------------------------------------------- incidents


class RepairedCac(Exercise):
    """The channel that lost its sign-ups, and its March 2025 CAC repaired."""

    qid = "q6"
    title = "Sign-ups recorded as 'unknown'"
    variables = ("lost_channel", "repaired_cac")
    hints = (
        "'unknown' is not a channel: the days it has sign-ups are the outage. The channel "
        "that lost them is the paid one whose daily sign-ups drop on those days while its "
        "spend goes on.",
        "`diagnose.drill_down(known, by='channel', at='signup_time', before=..., after=...)` "
        "on the sign-ups with a known channel, the outage days against the week before. "
        "Then that channel's March spend / (its March sign-ups + the 'unknown' ones).",
    )
    correct_message = ("the tracking link of that channel broke; its CAC is repaired before "
                       "any budget decision covering those days.")

    def _march(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        start, _ = _days(_incident("tracking_outage"))
        month = pd.Period(start, "M")
        users, spend = coursekit.load("users"), coursekit.load("channel_spend")
        return (users[users["signup_time"].dt.to_period("M") == month],
                spend[spend["date"].dt.to_period("M") == month])

    def _expected(self) -> dict[str, object]:
        channel = str(_incident("tracking_outage")["value"])
        users, spend = self._march()
        signups = int((users["channel"] == channel).sum() + (users["channel"] == "unknown").sum())
        return {"lost_channel": channel,
                "repaired_cac": float(spend.loc[spend["channel"] == channel, "spend"].sum()
                                      / signups)}

    def mistakes(self) -> list[tuple[object, str]]:
        channel = self._expected()["lost_channel"]
        users, spend = self._march()
        paid = users["channel"].isin(spend["channel"].unique())
        own = spend.loc[spend["channel"] == channel, "spend"].sum()
        return self.distinct_mistakes([
            ({"lost_channel": "unknown"},
             "'unknown' is where the missing sign-ups were recorded; which channel lost them?"),
            ({"repaired_cac": float(own / (users["channel"] == channel).sum())},
             "That is the CAC as recorded: the sign-ups recorded as 'unknown' were that "
             "channel's, so count them with its own."),
            ({"repaired_cac": float(spend["spend"].sum() / paid.sum())},
             "That is the paid CAC of all channels together; the question asks for the one "
             "channel whose sign-ups were lost."),
        ])


class ApologyList(Exercise):
    """The slow warehouse, and how many customers get the apology."""

    qid = "q7"
    title = "Late parcels: who gets the apology?"
    variables = ("slow_warehouse", "apology_customers")
    hints = (
        "Mean delivery days by order day and warehouse: one warehouse is slow for about a "
        "week while the others are not. Then its late parcels ordered on those days, by "
        "customer.",
        "`diagnose.anomalies(orders, at='order_time', value='delivery_days', how='mean', "
        "by='warehouse', direction='up')` and `diagnose.episodes(...)`; a week when *every* "
        "warehouse is slow is a festival rush, not an incident. Count distinct `user_id`.",
    )
    correct_message = ("the apology and the coupon go to exactly those customers: late "
                       "parcels bring complaints and churn (lesson 5c).")

    def _orders(self) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
        orders = coursekit.load("orders")
        start, end = _days(_incident("warehouse_delay"))
        late = orders["delivery_days"] > orders["promised_days"]
        return orders, late, _within(orders["order_time"], start, end)

    def _expected(self) -> dict[str, object]:
        house = str(_incident("warehouse_delay")["value"])
        orders, late, inside = self._orders()
        mine = orders[late & inside & (orders["warehouse"] == house)]
        return {"slow_warehouse": house, "apology_customers": int(mine["user_id"].nunique())}

    def mistakes(self) -> list[tuple[object, str]]:
        house = self._expected()["slow_warehouse"]
        orders, late, inside = self._orders()
        here = orders["warehouse"] == house
        year = orders["order_time"].dt.year == _days(_incident("warehouse_delay"))[0].year
        return self.distinct_mistakes([
            ({"apology_customers": int((late & inside & here).sum())},
             "That counts parcels; a customer with two late parcels gets one apology: count "
             "customers."),
            ({"apology_customers": int(orders.loc[late & inside, "user_id"].nunique())},
             "That counts late parcels from every warehouse on those days; the apology is for "
             "the slow warehouse's customers."),
            ({"apology_customers": int(orders.loc[inside & here, "user_id"].nunique())},
             "Count only the parcels that arrived late (`delivery_days` above "
             "`promised_days`)."),
            ({"apology_customers": int(orders.loc[late & here & year, "user_id"].nunique())},
             "That counts the warehouse's late parcels of the whole year; the apology is for "
             "the run of days of the incident."),
        ])


def _cart_to_order(events: pd.DataFrame) -> float:
    carts = int((events["event_type"] == "add_to_cart").sum())
    return int((events["event_type"] == "order").sum()) / carts


class PaymentBug(Exercise):
    """The device on which checkout failed, and its cart-to-order rate during the bug."""

    qid = "q8"
    title = "Checkout failures"
    variables = ("broken_device", "bug_rate")
    hints = (
        "On one device few carts became orders for a few days, while its visitors kept adding "
        "to cart. A day of one device may hold too few carts to judge alone: judge runs of days. "
        "Find the device and the run of days first.",
        "As lesson 6a, section 4: mark the `add_to_cart` and `order` events 1/0 in two columns "
        "and let `diagnose.rate_drops(steps, at='event_time', successes=..., trials=..., "
        "after='2025-09', by='platform')` judge every run of September days against each "
        "device's usual rate. Its top row gives the device and the days; the rate is that "
        "platform's `order` events / its `add_to_cart` events on those days.",
    )
    correct_message = ("a broken checkout on one platform: the first thing to check when "
                       "orders fall while traffic holds.")

    def _events(self) -> tuple[pd.DataFrame, pd.Timestamp, pd.Timestamp]:
        start, end = _days(_incident("payment_bug"))
        return coursekit.load("events"), start, end

    def _expected(self) -> dict[str, object]:
        device = str(_incident("payment_bug")["value"])
        events, start, end = self._events()
        mine = events[(events["platform"] == device) & _within(events["event_time"], start, end)]
        return {"broken_device": device, "bug_rate": _cart_to_order(mine)}

    def mistakes(self) -> list[tuple[object, str]]:
        device = self._expected()["broken_device"]
        events, start, end = self._events()
        on = events["platform"] == device
        inside = _within(events["event_time"], start, end)
        monday = start - pd.Timedelta(days=start.weekday())
        week = _within(events["event_time"], monday, monday + pd.Timedelta(days=6))
        before = _within(events["event_time"], start - pd.Timedelta(days=28),
                         start - pd.Timedelta(days=1))
        rate = self._expected()["bug_rate"]
        return self.distinct_mistakes([
            ({"broken_device": "mini_program"},
             "The mini-program kept selling; look at the app's two platforms."),
            ({"bug_rate": _cart_to_order(events[on & week])},
             "That is the rate of the calendar week; count only the days of the bug, the "
             "first and the last included."),
            ({"bug_rate": _cart_to_order(events[inside])},
             "That is the rate of every platform together; keep the broken device's events."),
            ({"bug_rate": _cart_to_order(events[on & before])},
             "That is the device's normal rate, before the bug; the question asks for the "
             "rate during it."),
            ({"bug_rate": 1 / rate if rate else None},  # no such mistake when nothing sold
             "That is add-to-cart events per order; the rate is orders / add-to-cart events."),
        ])


# --------------------------------------------------------------------------- charts


def _category_items() -> pd.DataFrame:
    items = coursekit.load("order_items").merge(
        coursekit.load("products")[["product_id", "category"]], on="product_id")
    orders = coursekit.load("orders")[["order_id", "order_time"]]
    return items.merge(orders, on="order_id")


def _closest_gap(shares: pd.Series) -> float:
    """The smallest difference between neighbours in the ranking of ``shares``."""
    return float(shares.sort_values().diff().dropna().min())


def _chart_name(answer: object) -> str | None:
    """A chart's name in the words of m06.CHARTS: plurals, 'chart'/'plot' and 'column'
    (for a bar) read as the name they mean; None when the answer is not text."""
    if not isinstance(answer, str):
        return None
    words = answer.replace("_", " ").replace("-", " ").casefold().split()
    words = [w[:-1] if w.endswith("s") and not w.endswith("ss") and len(w) > 3 else w
             for w in words]
    words = ["bar" if w == "column" else w for w in words]
    while len(words) > 1 and words[-1] in ("chart", "plot", "graph"):
        words = words[:-1]
    name = " ".join(words)
    synonyms = {"bar": "ordered bar", "sorted bar": "ordered bar", "ranked bar": "ordered bar",
                "horizontal bar": "ordered bar", "barh": "ordered bar", "area": "stacked area",
                "bar ordered": "ordered bar", "sorted horizontal bar": "ordered bar",
                "pie": "pie", "line": "line"}
    return synonyms.get(name, name)


class ChooseChart(Exercise):
    """The chart for a ranking of categories, and the property of the data behind it."""

    qid = "q9"
    title = "Choose the chart"
    variables = ("chart", "closest_gap")
    hints = (
        "The question is a ranking: which category is bigger than which. Which of the charts "
        "lets the eye compare lengths rather than angles or areas? Then measure how close "
        "the closest two categories are.",
        "Revenue by category from `order_items` (its `amount`) joined to `products` and to "
        "the orders placed in the year; shares = revenue / total; sort them and take the "
        "smallest difference between neighbours (`.sort_values().diff().min()`).",
    )
    correct_message = ("two slices that close look the same in a pie; sorted bars of one "
                       "length scale show the order at a glance.")

    def _shares(self, *, year: int | None = CHART_YEAR, counts: bool = False) -> pd.Series:
        items = _category_items()
        if year is not None:
            items = items[items["order_time"].dt.year == year]
        if counts:
            s = items.drop_duplicates(["order_id", "category"])["category"].value_counts()
        else:
            s = items.groupby("category", observed=True)["amount"].sum()
        return s / s.sum()

    def _expected(self) -> dict[str, object]:
        return {"chart": "ordered bar", "closest_gap": _closest_gap(self._shares())}

    def mistakes(self) -> list[tuple[object, str]]:
        shares = self._shares().sort_values()
        return self.distinct_mistakes([
            ({"chart": "pie"},
             "A pie makes the eye compare angles, which it does badly, and two slices whose "
             "shares are close look the same: the question asks which is bigger."),
            ({"chart": "stacked area"},
             "A stacked area shows a total and its mix over time; the question ranks the "
             "categories of one year."),
            ({"chart": "histogram"},
             "A histogram shows how one number is spread; here each category has one number "
             "to rank."),
            ({"closest_gap": _closest_gap(self._shares(year=None))},
             f"Count only the orders placed in {CHART_YEAR}."),
            ({"closest_gap": _closest_gap(self._shares(counts=True))},
             "Those are shares of orders holding each category (a count chart); the question "
             "ranks shares of revenue."),
            ({"closest_gap": float(shares.diff().max())},
             "That is the largest difference between neighbours; the closest two are what a "
             "pie could not tell apart."),
            ({"closest_gap": -float(shares.diff().min())}, _NEGATIVE_GAP),
            ({"closest_gap": -float(shares.diff().max())}, _NEGATIVE_GAP),
        ])

    def compare(self, **answers: Any) -> Result | None:
        name = _chart_name(answers["chart"])
        if name is not None and name not in CHARTS:
            return self.incorrect(f"`chart` should be one of {', '.join(map(repr, CHARTS))}.")
        result = super().compare(**{**answers, "chart": answers["chart"] if name is None
                                    else name})
        gap = answers["closest_gap"]
        if (result is not None and result.message.startswith("`closest_gap`")
                and isinstance(gap, numbers.Real) and not isinstance(gap, bool) and gap < 0):
            return self.incorrect(_NEGATIVE_GAP)
        return result


_NEGATIVE_GAP = ("`closest_gap` is negative: a gap between two shares is a size; take the "
                 "absolute difference, or sort ascending.")


# the repair: messages are the hints of the mistakes built below
_TWO_AXES = ("The figure still has a second y-axis: two scales on one chart let any line "
             "seem to follow any bar. Keep one axis, for the number the title is about.")
_NO_BARS = "Draw the numbers as bars (`ax.bar` or `ax.barh`), one per warehouse."
_LABELS = ("Each bar needs its warehouse's name as its tick label, and each name must stay "
           "with its own value.")
_SORTED_VALUES_ONLY = ("The values are sorted but the names stayed in the old order: sort the "
                       "Series (its index moves with it) before drawing.")
_VALUES = (f"The bars do not show {REPAIR_YEAR}'s average order value by warehouse: keep the "
           "data of the bad chart, change only how it is drawn.")
_CUT = ("The value axis does not start at 0: a bar's length must be proportional to its "
        "value. Remove the limits that cut the axis.")
_UNSORTED = "The bars are not sorted: for a ranking, sort them by value."
_RAINBOW = ("Every bar has a colour of its own, which means nothing here: draw them in one "
            "colour (a second one only for a bar the title talks about).")


def _figure(answer: object) -> Any:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    if isinstance(answer, Axes):
        return answer.figure
    if isinstance(answer, Figure):
        return answer
    fig = getattr(answer, "figure", None)  # e.g. a seaborn grid
    return fig if isinstance(fig, Figure) else None


def _bars(ax: Any) -> tuple[str, list[tuple[float, str | None, float, float, tuple]]]:
    """The bars of ``ax`` in drawing order: (position, label, value, base, colour)."""
    from matplotlib.container import BarContainer

    containers = [c for c in ax.containers if isinstance(c, BarContainer)]
    orientation = containers[0].orientation if containers else "vertical"
    vertical = orientation == "vertical"
    ticks = ax.get_xticks() if vertical else ax.get_yticks()
    names = [t.get_text() for t in (ax.get_xticklabels() if vertical else ax.get_yticklabels())]
    out = []
    for c in containers:
        for p in c.patches:
            pos = p.get_x() + p.get_width() / 2 if vertical else p.get_y() + p.get_height() / 2
            value, base = (p.get_height(), p.get_y()) if vertical else (p.get_width(), p.get_x())
            label = None
            if len(ticks):
                i = int(np.argmin(np.abs(np.asarray(ticks, dtype=float) - pos)))
                if abs(ticks[i] - pos) < 0.5 and i < len(names) and names[i]:
                    label = names[i]
            colour = tuple(np.round(p.get_facecolor(), 3))
            out.append((pos, label, float(value), float(base), colour))
    return orientation, sorted(out)


def _aov(*, year: int | None = REPAIR_YEAR) -> pd.Series:
    orders = coursekit.load("orders")
    if year is not None:
        orders = orders[orders["order_time"].dt.year == year]
    aov = orders.groupby("warehouse", observed=True)["amount"].mean()
    return aov.set_axis(aov.index.astype(str))


def _draw(values: pd.Series, *, twin: bool = False, cut: bool = False,
          rainbow: bool = False, labels: list[str] | None = None) -> Any:
    """A bar figure of ``values`` with the faults asked for (the checks' own drawings)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 3.5))
    ax = fig.subplots()
    colours = [f"C{i}" for i in range(len(values))] if rainbow else "C0"
    ax.bar(list(labels or values.index), values.to_numpy(), color=colours)
    if cut:
        ax.set_ylim(values.min() * 0.99, values.max() * 1.01)
    if twin:
        ax.twinx().plot(list(values.index), np.arange(len(values)), color="grey")
    ax.set_title("Average order value by warehouse")
    return fig


class RepairChart(Exercise):
    """The bad chart of 2025 order value by warehouse, repaired; checked on the figure."""

    qid = "q10"
    title = "Repair the chart"
    variables = ("fixed",)
    hints = (
        "Lesson 6b's 'bad and good versions': look at the axes (how many, where the value "
        "axis starts), the order of the bars and what the colours mean.",
        "Start from the same `aov` Series; `aov.sort_values()`, one `fig, ax = "
        "plt.subplots()`, `ax.barh(...)` or `ax.bar(...)` in one colour, no `set_ylim`, no "
        "`twinx`; store the figure in `fixed`.",
    )
    correct_message = ("one axis from zero, sorted bars, one colour: the reader sees the "
                       "ranking, and how small the differences are.")

    def _expected(self) -> Any:
        return _draw(_aov().sort_values())

    def mistakes(self) -> list[tuple[object, str]]:
        aov = _aov()
        ranked = aov.sort_values()
        return [
            (_draw(aov, twin=True, cut=True, rainbow=True), _TWO_AXES),
            (_draw(aov, cut=True, rainbow=True), _CUT),
            (_draw(aov, rainbow=True), _UNSORTED),
            (_draw(ranked, labels=list(aov.index)), _SORTED_VALUES_ONLY),
            (_draw(ranked, rainbow=True), _RAINBOW),
            (_draw(_aov(year=None).sort_values()), _VALUES),
        ]

    def compare(self, **answers: Any) -> Result | None:
        fig = _figure(answers["fixed"])
        if fig is None:
            return self.incorrect("`fixed` should be a matplotlib Figure (the `fig` of `fig, "
                                  f"ax = plt.subplots()`), but it is "
                                  f"{describe_type(answers['fixed'])}.")
        axes = [ax for ax in fig.axes if ax.get_visible()]
        if len(axes) != 1:
            return self.incorrect(_TWO_AXES if len(axes) > 1 else _NO_BARS)
        ax = axes[0]
        orientation, bars = _bars(ax)
        want = _aov()
        if not bars:
            return self.incorrect(_NO_BARS)
        if len(bars) != len(want):
            return self.incorrect(f"{_NO_BARS} There are {len(bars)} bars.")
        labels = [b[1] for b in bars]
        values = [b[2] for b in bars]
        if any(lab is None for lab in labels) or set(labels) != set(want.index):
            return self.incorrect(_LABELS)
        wrong = [lab for lab, v in zip(labels, values, strict=True)
                 if diff_number(v, float(want[lab])) is not None]
        if wrong:
            if all(any(diff_number(v, float(w)) is None for w in want) for v in values):
                return self.incorrect(_SORTED_VALUES_ONLY)
            return self.incorrect(_VALUES)
        limits = ax.get_ylim() if orientation == "vertical" else ax.get_xlim()
        if min(limits) > 1e-9 or any(abs(b[3]) > 1e-9 for b in bars):
            return self.incorrect(_CUT)
        steps = np.diff(values)
        if not ((steps >= 0).all() or (steps <= 0).all()):
            return self.incorrect(_UNSORTED)
        if len({b[4] for b in bars}) > 2:
            return self.incorrect(_RAINBOW)
        return None


# --------------------------------------------------------------------------- decision and cases


def _channel_money() -> pd.DataFrame:
    """Per paid channel: the cohort's sign-ups, spend, revenue and margin in the horizon."""
    users, orders = coursekit.load("users"), coursekit.load("orders")
    spend = coursekit.load("channel_spend")
    items = coursekit.load("order_items").merge(
        coursekit.load("products")[["product_id", "unit_cost"]], on="product_id")
    cost = (items["quantity"] * items["unit_cost"]).groupby(items["order_id"]).sum()
    cohort = users[users["signup_time"].dt.year == COHORT_YEAR]
    o = orders.merge(cohort[["user_id", "channel", "signup_time"]], on="user_id")
    o = o[o["order_time"] - o["signup_time"] < pd.Timedelta(days=HORIZON_DAYS)]
    o = o.assign(margin=o["amount"] - o["order_id"].map(cost).fillna(0))
    year = spend[spend["date"].dt.year == COHORT_YEAR]
    money = pd.DataFrame({
        "spend": year.groupby("channel", observed=True)["spend"].sum(),
        "signups": cohort.groupby("channel", observed=True).size(),
        "revenue": o.groupby("channel", observed=True)["amount"].sum(),
        "margin": o.groupby("channel", observed=True)["margin"].sum(),
    }).dropna(subset=["spend"]).fillna(0)
    money = money[money["spend"] > 0]
    return money.set_axis(money.index.astype(str))


class BudgetDecision(Exercise):
    """Which paid channel is tested first for less budget, by margin per yuan, and that number."""

    qid = "q11"
    title = "Which channel is tested first?"
    variables = ("test_channel", "margin_per_yuan")
    hints = (
        "The channel tested first is the one whose customers bring back the least "
        "*margin* for each yuan spent on it: not the dearest sign-up, not the smallest total.",
        "Margin of an order = `amount` - sum of `quantity * unit_cost` of its items. For "
        f"each paid channel: the margin of its {COHORT_YEAR} sign-ups' orders in their first "
        f"{HORIZON_DAYS} days / its {COHORT_YEAR} spend; take the lowest.",
    )
    correct_message = ("no channel is cut on this table alone: that one is the first to "
                       "*test*. Lower its spend by a step in cities or weeks chosen at random "
                       "and measure the margin lost per yuan saved; cut only if it is below one "
                       "yuan. Money moved to the top channel holds only while its marginal "
                       "cost holds.")

    def _expected(self) -> dict[str, object]:
        money = _channel_money()
        per_yuan = money["margin"] / money["spend"]
        return {"test_channel": str(per_yuan.idxmin()),
                "margin_per_yuan": float(per_yuan.min())}

    def mistakes(self) -> list[tuple[object, str]]:
        money = _channel_money()
        cut = self._expected()["test_channel"]
        per_yuan = money["margin"] / money["spend"]
        return self.distinct_mistakes([
            ({"test_channel": str((money["spend"] / money["signups"]).idxmax())},
             "That channel has the dearest sign-ups, but a dear sign-up can bring back more: "
             "compare the margin each yuan of spend brings back."),
            ({"test_channel": str(money["margin"].idxmin())},
             "That channel brings the least margin in total, partly because it is small; the "
             "budget question is what each yuan spent on it brings back."),
            ({"test_channel": str(per_yuan.idxmax())},
             "That channel returns the *most* margin per yuan; the first to test for less "
             "spend is the one at the bottom."),
            ({"margin_per_yuan": float(money.loc[cut, "revenue"] / money.loc[cut, "spend"])},
             "That is revenue per yuan; margin takes the cost of the goods (quantity x "
             "unit_cost) off what the customer paid."),
            ({"margin_per_yuan": float(money.loc[cut, "margin"] / money.loc[cut, "signups"])},
             "That is margin per sign-up; divide the channel's margin by its spend."),
        ])


class BasketLift(Exercise):
    """Basket lift of a category pair over the orders of one year."""

    qid = "q12"
    title = "Bought together?"
    variables = ("pair_lift",)
    rtol = 1e-6
    hints = (
        "Lift = P(both in an order) / (P(first in an order) x P(second in an order)), each "
        "counted over the year's orders, a category once per order however many of its items.",
        "Merge `products` (category) and `orders` (order_time) into `order_items`, keep the "
        f"orders placed in {BASKET_YEAR}, `basket.pairs(items, product='category')` and read "
        "the row of the pair.",
    )
    correct_message = ("above 1 the two meet more often than chance, below 1 less often; "
                       "near 1 there is no reason to shelve or bundle them together.")

    def _items(self, year: int | None = BASKET_YEAR) -> pd.DataFrame:
        items = _category_items()
        return items if year is None else items[items["order_time"].dt.year == year]

    def _pairs(self, year: int | None = BASKET_YEAR) -> pd.DataFrame:
        return basket.pairs(self._items(year), product="category").set_index(
            ["antecedent", "consequent"])

    def _expected(self) -> float:
        return float(self._pairs().loc[PAIR, "lift"])

    def mistakes(self) -> list[tuple[object, str]]:
        p = self._pairs().loc[PAIR]
        items = self._items()
        n = items["order_id"].nunique()
        # every line counted: a category's share of orders inflated by orders with two of it
        lines_a, lines_b = ((items["category"] == c).sum() / n for c in PAIR)
        return self.distinct_mistakes([
            (float(self._pairs(None).loc[PAIR, "lift"]),
             f"That is over every order; the question counts the orders placed in "
             f"{BASKET_YEAR}."),
            (float(p["confidence"]), "That is the confidence P(second | first); lift divides "
                                     "it by how common the second is."),
            (float(p["support"]), "That is the support, the share of orders with both."),
            (float(p["support"]) / (lines_a * lines_b),
             "Count each category once per order, however many of its items the order holds."),
        ])


def _car_park_months() -> pd.DataFrame:
    months = coursekit.load("store_months")
    return months.merge(coursekit.load("stores")[["store_id", "format", "has_car_park"]],
                        on="store_id")


class CarParkCorrelation(Exercise):
    """Correlation of car-park traffic with revenue, street shops with a car park."""

    qid = "q13"
    title = "Sales and the car park"
    variables = ("car_park_corr",)
    rtol = 1e-6
    hints = (
        "Pearson correlation between `car_park_traffic` and `revenue` over store-months, for "
        f"the stores of format '{STORE_FORMAT}' that have a car park.",
        "Merge `stores[['store_id', 'format', 'has_car_park']]` into `store_months`, keep "
        "the format and `has_car_park`, then `.corr()` of the two columns.",
    )
    correct_message = "a link, not a lever: lesson 6b shows how the season moves both."

    def _expected(self) -> float:
        m = _car_park_months()
        m = m[(m["format"] == STORE_FORMAT) & m["has_car_park"]]
        return float(m["car_park_traffic"].corr(m["revenue"]))

    def mistakes(self) -> list[tuple[object, str]]:
        m = _car_park_months()
        shops = m[m["format"] == STORE_FORMAT]
        with_park = shops[shops["has_car_park"]]
        every = m[m["has_car_park"]]
        return self.distinct_mistakes([
            (float(shops["car_park_traffic"].corr(shops["revenue"])),
             "Stores without a car park show 0 traffic; keep only the stores that have one, "
             "or the zeros measure 'has a car park', not traffic."),
            (float(every["car_park_traffic"].corr(every["revenue"])),
             f"That is over every format; the question keeps the '{STORE_FORMAT}' stores."),
            (float(with_park["car_park_traffic"].corr(with_park["revenue"], method="spearman")),
             "That is Spearman's rank correlation; the question asks for Pearson's."),
            (float(with_park["footfall"].corr(with_park["revenue"])),
             "That is footfall (people in the store), not car-park traffic."),
        ])


EXERCISES = ExerciseSet(
    "06_data_analysis_exercises",
    [UserGrowthRate, ActiveRate, Stickiness, MissedTargets, OrdersPerVisitorContribution,
     RepairedCac, ApologyList, PaymentBug, ChooseChart, RepairChart, BudgetDecision,
     BasketLift, CarParkCorrelation],
)

__all__ = ["BASKET_YEAR", "CHARTS", "CHART_YEAR", "COHORT_YEAR", "EXERCISES", "GMV_AFTER",
           "GMV_BEFORE", "HORIZON_DAYS", "MONTH", "PAIR", "REPAIR_YEAR", "STORE_FORMAT",
           "TARGETS"]
