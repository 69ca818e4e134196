"""Checks for module 1, digital business models
(``solutions/01_business_models_exercises.ipynb``).

Expected values come from the data of the world in use through
:mod:`coursekit.bizmodel` and pandas: the company's tables for revenue
streams and unit economics, and the case tables (``businesses``,
``gift_vouchers``, ``group_buying``, ``cost_rates``) for the cases. Every
question asks about something lessons 1a and 1b do not print: another year,
another slice (a platform, a city tier, a buyer type, a city), another horizon
(six months, a season still running), another column (cash by value, not
vouchers by count), the businesses' plans. The plausible wrong answers are the
module's classic mistakes, computed from the same data: gross margin taken for
contribution, the price before coupons taken for revenue, breakage counted on
vouchers still valid, the average cost of a sign-up taken for the marginal
one, subsidies left out of the break-even, a payback over gross margin instead
of contribution, a wide range taken for a large effect ...

Examples
--------
>>> from coursekit.exercises import m01
>>> questions = m01.EXERCISES.bind({})
>>> len(questions), questions[0].evaluate().status
(10, 'not_attempted')
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

import coursekit
from coursekit import bizmodel
from coursekit.exercises.core import Exercise, ExerciseSet, Result, hide_count
from coursekit.world.cases import PROFIT_MODELS, STREAMS

#: The month of the revenue-share question (the Double 11 month), and the month it is
#: compared with.
SHARE_MONTH, SHARE_BASE_MONTH = "2025-11", "2024-11"
#: The plans of four businesses: column of ``businesses`` -> factor on its value (last
#: year's numbers; 0.0: the stream is given up).
PLANS = {
    "Bojie Live": {"slot_fees": 0.0},
    "Jiayuan Smart Home": {"services": 0.0},
    "Wanxiang": {"product_sales": 0.0, "slot_fees": 0.0},
    "Gongdu Society": {"member_rewards": 0.25},
}
#: The breakage question: buyer type, the season still running, the day of the estimate
#: (included) and the last complete season.
VOUCHER_BUYER, VOUCHER_SEASON, VOUCHER_ASOF, VOUCHER_LAST_SEASON = (
    "corporate", 2025, "2025-10-31", 2024)
#: The cash-balance question: season and buyer type.
FLOAT_SEASON, FLOAT_BUYER = 2025, "individual"
#: The order-economics question: year and platform.
ORDER_YEAR, ORDER_PLATFORM = 2025, "mini_program"
#: The store question: the city tier of the next stores (as in ``stores.city_tier``).
STORE_TIER = "2"
#: The channel question: the media channels (those a bigger budget buys more sign-ups
#: from), months after sign-up, and the channel whose number is asked.
MEDIA_CHANNELS = ("douyin_ads", "xiaohongshu", "search_ads")
HORIZON_MONTHS, CHANNEL = 6, "xiaohongshu"
#: The group-buying pilot's subsidy cut (the first week on the new terms).
CUT_WEEK = "2025-03-03"
#: The sensitivity question: each input's low and high end, as multiples of its base value.
SENS_RANGES = {
    "take_rate": (0.9, 1.1),
    "commission_rate": (0.9, 1.1),
    "subsidy_rate": (0.5, 2.0),
    "orders": (0.7, 1.3),
    "basket": (0.9, 1.1),
    "fulfilment": (0.8, 1.2),
}
#: Weeks in a year, for the sensitivity question's yearly margin.
WEEKS_PER_YEAR = 52


# --------------------------------------------------------------------------- shared helpers


def _orders(year: int | None = None) -> pd.DataFrame:
    orders = coursekit.load("orders")
    return orders if year is None else orders[orders["order_time"].dt.year == year]


def _order_tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return (coursekit.load("order_items"), coursekit.load("products"),
            coursekit.load("order_costs"))


def _text_keys(answer: object) -> object:
    """A Series answer as a dict with text keys; anything else unchanged."""
    if isinstance(answer, pd.Series):
        return {str(k): v for k, v in answer.items()}
    return answer


def _cut() -> pd.Timestamp:
    return pd.Timestamp(CUT_WEEK)


def _group_buying() -> pd.DataFrame:
    return coursekit.load("group_buying")


# --------------------------------------------------------------------------- lesson 1a


def _streams(per: str = "M", *, gross: bool = False) -> pd.DataFrame:
    """Revenue by stream per month (or ``per``), indexed by text labels ('2025-11')."""
    orders = coursekit.load("orders")
    if gross:  # the price before coupons counted as revenue
        orders = orders.assign(amount=orders["gross_amount"])
    out = bizmodel.revenue_streams(orders, coursekit.load("memberships"),
                                   coursekit.load("store_months"), per=per)
    return out.set_axis(out.index.astype(str))


class OnlineShare(Exercise):
    """Online orders' share of the Double 11 month's revenue, and its change on a year before."""

    qid = "q1"
    title = "Online orders' share in the Double 11 month"
    variables = ("online_share", "share_change")
    hints = (
        "Revenue has three streams: online orders (what customers paid, after coupons), "
        "store sales and membership fees. A share is one stream over the three together, "
        "in the calendar month; the change of a share is a difference, in points, against "
        "the same month a year earlier.",
        "`bizmodel.revenue_streams(orders, memberships, store_months, per='M')` has an "
        f"`online_orders_share` column: take the {SHARE_MONTH} row, and subtract the "
        f"{SHARE_BASE_MONTH} row from it.",
    )
    correct_message = ("the festival month's shift to online, measured in the company's "
                       "own revenue against the same festival a year earlier.")

    def _expected(self) -> dict[str, float]:
        share = _streams()["online_orders_share"]
        return {"online_share": float(share[SHARE_MONTH]),
                "share_change": float(share[SHARE_MONTH] - share[SHARE_BASE_MONTH])}

    def mistakes(self) -> list[tuple[object, str]]:
        s = _streams()
        share = s["online_orders_share"]
        gross = _streams(gross=True)["online_orders_share"]
        year = _streams("Y")["online_orders_share"]
        month, base = SHARE_MONTH, SHARE_BASE_MONTH
        before = str(pd.Period(month, "M") - 1)
        return self.distinct_mistakes([
            ({"online_share": float(gross[month])},
             "That counts online orders at their price before coupons (`gross_amount`); "
             "revenue is what customers paid, `amount`."),
            ({"online_share": float(year[month[:4]])},
             f"That is the share over the whole year {month[:4]}; the question asks for the "
             f"month {month}."),
            ({"online_share": float(s.loc[month, "online_orders"] / s.loc[month, "store_sales"])},
             "That divides online orders by store sales; a share divides by all revenue "
             "(the three streams together)."),
            ({"share_change": float(share[month] / share[base] - 1)},
             "That is the relative change of the share; the question asks for the "
             "difference of the two shares (percentage points, as a fraction)."),
            ({"share_change": float(s.loc[month, "online_orders"]
                                    / s.loc[base, "online_orders"] - 1)},
             "That is the growth of online revenue itself; the question asks how much its "
             "*share* of revenue changed."),
            ({"share_change": float(share[month] - share[before])},
             f"That compares with the month before ({before}); a festival month is compared "
             f"with the same month a year earlier ({base})."),
            ({"share_change": float(s.loc[month, "store_sales_share"]
                                    - s.loc[base, "store_sales_share"])},
             "That is the change of the store sales' share; the question asks for online "
             "orders."),
        ])


_BY_LARGEST = {"product_sales": "value_disruptive", "subscriptions": "value_disruptive",
               "slot_fees": "connecting_slot_fee", "tolls": "connecting_toll",
               "advertising": "connecting_advertising", "services": "enabling_platform"}


def _profit_model(row: pd.Series, *, in_order: bool = True) -> str:
    """The profit model of one business by ``PROFIT_MODEL_RULE`` (shares of the six streams)."""
    streams = row[list(STREAMS)].astype(float)
    revenue = float(streams.sum())
    shares = streams / revenue
    if in_order:
        if float(row["member_rewards"]) / revenue >= 0.30:
            return "token_community"
        if int((shares >= 0.10).sum()) >= 4:
            return "ecosystem_platform"
    return _BY_LARGEST[str(shares.idxmax())]


def _planned(*, skip: tuple[str, ...] = ()) -> pd.DataFrame:
    """The four businesses of PLANS with their plans applied (columns in ``skip`` left alone)."""
    table = coursekit.load("businesses").assign(name=lambda b: b["name"].astype(str))
    table = table.set_index("name").loc[list(PLANS)].copy()
    for name, plan in PLANS.items():
        for column, factor in plan.items():
            if column not in skip:
                table.loc[name, column] = table.loc[name, column] * factor
    return table


def _classify(table: pd.DataFrame, **options: Any) -> dict[str, str]:
    return {str(name): _profit_model(row, **options) for name, row in table.iterrows()}


class PlannedModels(Exercise):
    """The profit model of four businesses after their plans, by the stated rule."""

    qid = "q2"
    title = "Profit models after the plans"
    variables = ("models",)
    hints = (
        "Apply each plan to last year's numbers first (multiply the columns named by their "
        "factors), then the rule, in its order: token community, then ecosystem platform, "
        "and only then the largest stream. Shares are of the six streams' total *after* "
        "the plan; member rewards are not a stream.",
        "`b = coursekit.load('businesses').set_index('name')`; for each business and "
        "column of `m01.PLANS`, `b.loc[name, column] *= factor`. Then per business: `rev = "
        "b.loc[name, list(m01.STREAMS)].sum()`; token when `member_rewards / rev >= 0.3`; "
        "ecosystem when at least four of `b.loc[name, list(m01.STREAMS)] / rev` are "
        "`>= 0.1`; else the largest stream's model.",
    )
    correct_message = ("a plan that drops a stream can change what kind of business it is, "
                       "and with it whom the business must please to make money.")

    def _expected(self) -> dict[str, str]:
        return _classify(_planned())

    def mistakes(self) -> list[tuple[object, str]]:
        return self.distinct_mistakes([
            (_classify(_planned(skip=tuple({c for p in PLANS.values() for c in p}))),
             "Those are the models before the plans: apply each plan to the numbers first, "
             "then the rule."),
            (_classify(_planned(), in_order=False),
             "The rule goes in order: first token community, then ecosystem platform (at "
             "least four streams of 10% or more each), and only then the largest stream."),
            (_classify(_planned(skip=("member_rewards",))),
             "A plan can change `member_rewards` too: the token test compares the rewards "
             "*after* the plan with revenue."),
        ])

    def compare(self, **answers: Any) -> Result | None:
        models = _text_keys(answers["models"])
        if isinstance(models, Mapping):
            for name, value in models.items():
                if not isinstance(value, str) or value.strip().casefold() not in PROFIT_MODELS:
                    return self.incorrect(
                        f"`models[{name!r}]` is {value!r}, which is not a profit model name: "
                        "use the keys of m01.PROFIT_MODELS, such as 'connecting_toll'.")
        return super().compare(models=models)


def _vouchers() -> pd.DataFrame:
    return coursekit.load("gift_vouchers")


def _value_breakage(v: pd.DataFrame, *, column: str = "price_paid",
                    still_open_on: pd.Timestamp | None = None) -> float:
    """Share of ``column`` of the vouchers never redeemed (or not yet, on a day)."""
    if still_open_on is None:
        unused = v["redeemed_date"].isna()
    else:
        unused = v["redeemed_date"].isna() | (v["redeemed_date"] > still_open_on)
    return float(v.loc[unused, column].sum() / v[column].sum())


class ExpectedBreakage(Exercise):
    """Breakage by value of last season's corporate vouchers, applied to this season's cash."""

    qid = "q3"
    title = "Breakage to expect, mid-season"
    variables = ("breakage_rate", "expected_breakage")
    hints = (
        f"On {VOUCHER_ASOF} the {VOUCHER_SEASON} vouchers can still be redeemed: their "
        f"breakage is not known yet. Take the rate of the last complete season "
        f"({VOUCHER_LAST_SEASON}), by value: the cash (`price_paid`) of the {VOUCHER_BUYER} "
        "vouchers never redeemed over the cash of all of them. Apply it to the cash taken so "
        "far.",
        f"`last = vouchers[(vouchers.season == {VOUCHER_LAST_SEASON}) & (vouchers.buyer_type "
        f"== '{VOUCHER_BUYER}')]`; rate = `last.loc[last.redeemed_date.isna(), 'price_paid']"
        f".sum() / last.price_paid.sum()`; times the `price_paid` of the {VOUCHER_SEASON} "
        f"{VOUCHER_BUYER} vouchers with `sold_date <= '{VOUCHER_ASOF}'`.",
    )
    correct_message = ("the breakage this season's corporate batches can be expected to "
                       "bring, to set against their discounts: an estimate from last season, "
                       "checked when this season closes, and no reason to buy fewer crabs.")

    def _parts(self) -> dict[str, pd.DataFrame]:
        v = _vouchers()
        asof = pd.Timestamp(VOUCHER_ASOF)
        mine = v[v["buyer_type"] == VOUCHER_BUYER]
        now = mine[mine["season"] == VOUCHER_SEASON]
        return {"all": v, "last": mine[mine["season"] == VOUCHER_LAST_SEASON],
                "now": now, "sold": now[now["sold_date"] <= asof]}

    def _expected(self) -> dict[str, float]:
        p = self._parts()
        rate = _value_breakage(p["last"])
        return {"breakage_rate": rate,
                "expected_breakage": rate * float(p["sold"]["price_paid"].sum())}

    def mistakes(self) -> list[tuple[object, str]]:
        p = self._parts()
        asof = pd.Timestamp(VOUCHER_ASOF)
        sold = p["sold"]
        cash = float(sold["price_paid"].sum())
        rate = self._expected()["breakage_rate"]
        by_count = float(p["last"]["redeemed_date"].isna().mean())
        last_all = p["all"][p["all"]["season"] == VOUCHER_LAST_SEASON]
        open_rate = _value_breakage(sold, still_open_on=asof)
        final_rate = _value_breakage(p["now"])
        return self.distinct_mistakes([
            ({"breakage_rate": open_rate, "expected_breakage": open_rate * cash},
             f"That counts the vouchers not redeemed *yet* on {VOUCHER_ASOF}; they are still "
             "valid, and many will be redeemed before the year ends. Use the last complete "
             "season's rate."),
            ({"expected_breakage": open_rate * cash},
             f"That is the cash of the vouchers not redeemed yet on {VOUCHER_ASOF}; they are "
             "still valid. Apply the last complete season's rate to the cash taken."),
            ({"breakage_rate": final_rate, "expected_breakage": final_rate * cash},
             f"That uses how the {VOUCHER_SEASON} season ended, which is not known on "
             f"{VOUCHER_ASOF}; use the last complete season."),
            ({"breakage_rate": by_count, "expected_breakage": by_count * cash},
             "That is the share of vouchers never redeemed, by count; the question asks for "
             "a share of cash: weigh each voucher by what it brought (`price_paid`)."),
            ({"breakage_rate": _value_breakage(p["last"], column="face_value")},
             "That weighs vouchers by their face value; the cash is what the buyer paid "
             "(`price_paid`, after the corporate discount)."),
            ({"breakage_rate": _value_breakage(last_all)},
             f"That mixes corporate and individual buyers; the question keeps the "
             f"{VOUCHER_BUYER} vouchers."),
            ({"expected_breakage": rate * float(p["now"]["price_paid"].sum())},
             f"That applies the rate to the whole season's cash, some of it taken after "
             f"{VOUCHER_ASOF}; count the vouchers sold up to that day."),
        ])


def _cash_balance(v: pd.DataFrame, *, cost_at_sale: bool = False,
                  liability: bool = False) -> pd.Series:
    """Cumulative cash of the vouchers ``v``, by day: price in at the sale, costs out."""
    cost = v["crab_cost"] + v["delivery_cost"]
    out_value = v["price_paid"] if liability else cost
    out_day = v["sold_date"] if cost_at_sale else v["redeemed_date"]
    flows = pd.concat([pd.Series(v["price_paid"].to_numpy(), index=v["sold_date"].to_numpy()),
                       pd.Series(-out_value.to_numpy(), index=out_day.to_numpy())])
    flows = flows[flows.index.notna()]
    return flows.groupby(level=0).sum().sort_index().cumsum()


def _peak(balance: pd.Series) -> dict[str, object]:
    return {"peak_day": pd.Timestamp(balance.idxmax()), "peak_cash": float(balance.max())}


class PeakCash(Exercise):
    """Day and height of the peak cash balance of one season's vouchers of one buyer type."""

    qid = "q4"
    title = "Peak cash of a season"
    variables = ("peak_day", "peak_cash")
    hints = (
        "Cash comes in on the day a voucher is sold (`price_paid`) and goes out on the day "
        "it is redeemed (`crab_cost + delivery_cost`); a voucher never redeemed costs "
        "nothing. The balance is the running total of in minus out; find its highest day.",
        "Keep the season's vouchers of that buyer type; a Series of `price_paid` indexed by "
        "`sold_date` and one of minus the costs indexed by `redeemed_date` (drop the "
        "missing days); `pd.concat`, `.groupby(level=0).sum().sort_index().cumsum()`, then "
        "`.idxmax()` and `.max()`.",
    )
    correct_message = ("the most cash the business holds from customers before it has to "
                       "buy their crabs: money it can use, but owes in kind.")

    def _mine(self, *, every_buyer: bool = False) -> pd.DataFrame:
        v = _vouchers()
        v = v[v["season"] == FLOAT_SEASON]
        return v if every_buyer else v[v["buyer_type"] == FLOAT_BUYER]

    def _expected(self) -> dict[str, object]:
        return _peak(_cash_balance(self._mine()))

    def mistakes(self) -> list[tuple[object, str]]:
        mine = self._mine()
        sales = mine.groupby("sold_date")["price_paid"].sum()
        return self.distinct_mistakes([
            (_peak(_cash_balance(mine, cost_at_sale=True)),
             "The crabs are paid for when a voucher is redeemed, not when it is sold: that "
             "delay is where the cash comes from."),
            (_peak(_cash_balance(mine, liability=True)),
             "That is the float (vouchers paid for, not yet redeemed, at their price): what "
             "is owed. The cash balance takes off what the crabs and their delivery cost, on "
             "the day they go out."),
            (_peak(_cash_balance(self._mine(every_buyer=True))),
             f"That mixes both buyer types; the question keeps the {FLOAT_BUYER} vouchers."),
            ({"peak_day": pd.Timestamp(sales.idxmax()), "peak_cash": float(sales.max())},
             "That is the best day of sales; the balance is the running total of cash in "
             "minus cash out since the season opened."),
        ])


# --------------------------------------------------------------------------- lesson 1b


def _order_economics(year: int | None = ORDER_YEAR, by: str | None = "platform") -> Any:
    items, products, costs = _order_tables()
    return bizmodel.order_economics(_orders(year), items, products, costs, by=by)


class OrderContribution(Exercise):
    """Contribution per order of one platform's orders in one year."""

    qid = "q5"
    title = "What one order leaves"
    variables = ("order_contribution",)
    hints = (
        "Contribution = what the customer paid - product cost - shipping - packaging - "
        "payment fee - member benefit - refund, averaged over the orders. Gross margin stops "
        "after the product cost.",
        f"Keep the orders placed in {ORDER_YEAR}; `bizmodel.order_economics(orders_year, "
        "items, products, costs, by='platform')` and the `contribution` of the platform "
        f"'{ORDER_PLATFORM}'.",
    )
    correct_message = ("what one order leaves to pay for acquisition, stores and the head "
                       "office: the number a coupon or a free-shipping offer comes out of.")

    def _expected(self) -> float:
        return float(_order_economics().contribution[ORDER_PLATFORM])

    def mistakes(self) -> list[tuple[object, str]]:
        ue = _order_economics()
        lines = ue.lines[ORDER_PLATFORM]
        return self.distinct_mistakes([
            (float(lines["gross_margin"]),
             "That is the gross margin (paid - product cost); contribution also takes off "
             "shipping, packaging, the payment fee, member benefits and refunds."),
            (float(_order_economics(year=None).contribution[ORDER_PLATFORM]),
             f"That is over the orders of every year; the question keeps {ORDER_YEAR}."),
            (float(_order_economics(by=None).contribution.iloc[0]),
             f"That is every platform's orders; the question keeps '{ORDER_PLATFORM}'."),
            (float(lines["contribution"] / lines["paid"]),
             "That is the contribution as a share of what was paid; the question asks for "
             "yuan per order."),
        ])


def _store_economics(tier: str | None = STORE_TIER) -> Any:
    stores, months = coursekit.load("stores"), coursekit.load("store_months")
    if tier is not None:
        stores = stores[stores["city_tier"].astype(str) == tier]
        months = months[months["store_id"].isin(stores["store_id"])]
    return bizmodel.store_economics(months, stores, coursekit.load("cost_rates"), by="format")


def _labelled(s: pd.Series) -> pd.Series:
    return s.set_axis(s.index.astype(str))


class NextStoreFormat(Exercise):
    """Decision: the store format that pays its fit-out back fastest in one city tier."""

    qid = "q6"
    title = "Which store format next? (a decision)"
    variables = ("next_format", "payback_months")
    hints = (
        "A store pays back its fit-out (a one-off cost) out of its *contribution* each "
        "month: sales x gross margin - rent - staff pay. Payback months = fit-out / "
        "contribution per store-month; a format whose contribution is not positive never "
        "pays back.",
        f"Keep the stores with `city_tier == '{STORE_TIER}'` and their store-months; "
        "`bizmodel.store_economics(months, stores, cost_rates, by='format')` has "
        "`payback_months`; take the smallest.",
    )
    correct_message = ("the format to open in those cities; check the months against the "
                       "lease's length before signing.")

    def _expected(self) -> dict[str, object]:
        payback = _labelled(_store_economics().payback_months)
        return {"next_format": str(payback.idxmin()), "payback_months": float(payback.min())}

    def mistakes(self) -> list[tuple[object, str]]:
        ue = _store_economics()
        right = self._expected()["next_format"]
        lines = ue.lines.drop(columns="sign").set_axis(
            ue.lines.columns.drop("sign").astype(str), axis=1)
        upfront = _labelled(ue.upfront)
        every_tier = _labelled(_store_economics(tier=None).payback_months)
        return self.distinct_mistakes([
            ({"next_format": str(lines.loc["revenue"].idxmax())},
             "That format sells the most per month, but sales are not what pays back a "
             "fit-out: compare the months its contribution takes to cover it."),
            ({"payback_months": float(upfront[right] / lines.loc["gross_margin", right])},
             "That divides the fit-out by the gross margin; rent and staff pay come out "
             "first: divide by the contribution."),
            ({"payback_months": float(every_tier[right])},
             f"That is the format's payback over the stores of every city tier; the question "
             f"keeps tier {STORE_TIER}."),
            ({"payback_months": float(upfront[right] / lines.loc["revenue", right])},
             "That divides the fit-out by sales; a store pays it back out of its "
             "contribution, after the cost of goods, rent and staff pay."),
        ])


def _elasticity() -> pd.Series:
    rates = coursekit.load("cost_rates").astype({"item": str, "key": str})
    rates = rates[rates["item"] == "elasticity"]
    return rates.set_index("key")["value"]


def _customers(horizon: int = HORIZON_MONTHS) -> Any:
    items, products, costs = _order_tables()
    return bizmodel.customer_economics(
        _orders(), items, products, costs, coursekit.load("users"),
        coursekit.load("channel_spend"), horizon_months=horizon)


def _next_signup(ue: Any, *, line: str = "contribution", marginal: str = "divide",
                 channels: tuple[str, ...] | None = MEDIA_CHANNELS) -> pd.Series:
    """Per media channel (``None``: every paid channel): ``line`` per customer over the
    horizon minus the cost of a sign-up (CAC divided by the channel's elasticity; or, for the
    mistakes, the average CAC or CAC multiplied by it)."""
    value = _labelled(ue.lines.loc[line].drop("sign").astype(float))
    cac = _labelled(ue.upfront)
    if channels is not None:
        value, cac = value.reindex(channels), cac.reindex(channels)
    e = _elasticity().reindex(cac.index)
    cost = {"divide": cac / e, "average": cac, "multiply": cac * e}[marginal]
    return value - cost


class NextYuanByChannel(Exercise):
    """Decision: the media channels whose *marginal* sign-up pays back within six months."""

    qid = "q7"
    title = "Where does the next yuan go? (a decision)"
    variables = ("grow", "next_signup_net")
    hints = (
        "Spending more on a media channel buys its *next* sign-ups, which cost more than "
        "the average: marginal cost = CAC / elasticity (`cost_rates`, item 'elasticity'). A "
        f"channel earns more budget when a customer's contribution over the first "
        f"{HORIZON_MONTHS} months covers that marginal cost.",
        f"`ue = bizmodel.customer_economics(orders, items, products, costs, users, spend, "
        f"horizon_months={HORIZON_MONTHS})`: `ue.contribution` per channel, `ue.upfront` the "
        "CAC. Divide the CAC by the channel's elasticity, subtract it from the contribution; "
        "`grow` = the channels of `m01.MEDIA_CHANNELS` where that is >= 0, "
        f"`next_signup_net` its value for '{CHANNEL}'.",
    )
    correct_message = ("more budget goes where the next customer pays for itself within the "
                       "horizon; elsewhere the average CAC hides a loss on the next sign-up.")

    def _expected(self) -> dict[str, object]:
        net = _next_signup(_customers())
        return {"grow": {str(c) for c in net.index[net >= 0]},
                "next_signup_net": float(net[CHANNEL])}

    def mistakes(self) -> list[tuple[object, str]]:
        ue = _customers()
        average = _next_signup(ue, marginal="average")
        backwards = _next_signup(ue, marginal="multiply")
        every = _next_signup(ue, channels=None)
        return self.distinct_mistakes([
            ({"grow": {str(c) for c in average.index[average >= 0]},
              "next_signup_net": float(average[CHANNEL])},
             "That compares with the average CAC; the budget question is about the *next* "
             "sign-up, which costs CAC / elasticity."),
            ({"next_signup_net": float(average[CHANNEL])},
             "That takes off the average CAC; the next sign-up costs CAC / elasticity."),
            ({"grow": {str(c) for c in backwards.index[backwards >= 0]},
              "next_signup_net": float(backwards[CHANNEL])},
             "The marginal sign-up costs *more* than the average one: divide the CAC by the "
             "elasticity, do not multiply."),
            ({"next_signup_net": float(_next_signup(_customers(12))[CHANNEL])},
             f"That uses 12 months of orders; the question's horizon is {HORIZON_MONTHS} "
             "months."),
            ({"next_signup_net": float(_next_signup(ue, line="gross_margin")[CHANNEL])},
             "That uses the gross margin; a customer's contribution also pays shipping, "
             "packaging, payment fees, member benefits and refunds."),
            ({"next_signup_net": float(_next_signup(ue, line="paid")[CHANNEL])},
             "That uses what the customer paid; only the contribution (after product cost "
             "and fulfilment) pays for the sign-up."),
            ({"grow": {str(c) for c in average.index[average >= 0]}},
             "Some of those channels cover only their average CAC; the next sign-up costs "
             "CAC / elasticity, more than the average."),
            ({"grow": {str(c) for c in every.index[every >= 0]}},
             "Keep the media channels (`m01.MEDIA_CHANNELS`): a bigger budget does not buy "
             "more referral or store sign-ups."),
        ])

    def compare(self, **answers: Any) -> Result | None:
        return hide_count(super().compare(**answers))


def _after_cut() -> pd.DataFrame:
    gb = _group_buying()
    return gb[gb["week"] >= _cut()]


def _sens_base() -> dict[str, float]:
    after = _after_cut()
    weeks = after["week"].nunique()
    orders, gmv = float(after["orders"].sum()), float(after["gmv"].sum())
    return {
        "orders": orders / weeks * WEEKS_PER_YEAR,
        "basket": gmv / orders,
        "take_rate": float((after["gmv"] * after["take_rate"]).sum() / gmv),
        "commission_rate": float((after["gmv"] * after["commission_rate"]).sum() / gmv),
        "subsidy_rate": float(after["subsidy"].sum() / gmv),
        "fulfilment": float(after["fulfilment_cost"].sum() / orders),
    }


def _yearly_margin(*, orders: float, basket: float, take_rate: float, commission_rate: float,
                  subsidy_rate: float, fulfilment: float) -> float:
    """The group-buying platform's margin in a year (the model of the sensitivity question).

    orders x (basket x (take rate - commission rate - subsidy rate) - fulfilment per order)

    Examples
    --------
    >>> _yearly_margin(orders=1000, basket=50.0, take_rate=0.2, commission_rate=0.1,
    ...               subsidy_rate=0.02, fulfilment=3.0)
    1000.0
    """
    return orders * (basket * (take_rate - commission_rate - subsidy_rate) - fulfilment)


def _tornado(base: dict[str, float] | None = None) -> pd.DataFrame:
    base = _sens_base() if base is None else base
    ranges = {k: (lo * base[k], hi * base[k]) for k, (lo, hi) in SENS_RANGES.items()}
    return bizmodel.sensitivity(_yearly_margin, base, ranges)


class TornadoDecision(Exercise):
    """Decision: the input that moves the platform's yearly margin most, and by how much."""

    qid = "q8"
    title = "What moves the platform's margin? (a decision)"
    variables = ("top_input", "top_swing")
    hints = (
        "Vary one input at a time between its low and high end, the others at their base "
        "values; the swing is |margin at the high end - margin at the low end|. The input "
        "with the widest *range* is not necessarily the one with the largest *swing*.",
        "Base values from the weeks since the cut: orders per week x 52, GMV / orders, "
        "subsidy / GMV, fulfilment cost / orders, and the two rates. `ranges = {k: (lo * "
        "base[k], hi * base[k]) for k, (lo, hi) in m01.SENS_RANGES.items()}`; "
        "`bizmodel.sensitivity(yearly_margin, base, ranges)`: its first row.",
    )
    correct_message = ("the lever to guard first in the talks with suppliers: the tornado "
                       "ranks the inputs by what their plausible range does to the margin, not "
                       "by how wide the range is.")

    def _expected(self) -> dict[str, object]:
        t = _tornado()
        return {"top_input": str(t.index[0]), "top_swing": float(t["swing"].iloc[0])}

    def mistakes(self) -> list[tuple[object, str]]:
        t = _tornado()
        top = t.iloc[0]
        widest = max(SENS_RANGES, key=lambda k: SENS_RANGES[k][1] / SENS_RANGES[k][0])
        base = _sens_base()
        after = _after_cut()
        weekly = _tornado({**base, "orders": base["orders"] / WEEKS_PER_YEAR})
        span = _tornado({**base, "orders": float(after["orders"].sum())})
        return self.distinct_mistakes([
            ({"top_input": widest},
             "That input has the widest range in percent, but the question is how far each "
             "range moves the *margin*: compare the swings."),
            ({"top_input": "orders"},
             "Orders move the margin only by the margin of each order, which is thin here: "
             "compare the swings, not the size of the ranges."),
            ({"top_swing": float(abs(top["high"] - top["base_value"]))},
             "That is the move from the base to one end; the swing runs from the low end to "
             "the high end."),
            ({"top_swing": float(weekly["swing"].iloc[0])},
             f"That is the swing of a week; the question asks for a year: orders per week x "
             f"{WEEKS_PER_YEAR}."),
            ({"top_swing": float(span["swing"].iloc[0])},
             f"That counts the {after['week'].nunique()} weeks since the cut; the question "
             f"asks for a year of {WEEKS_PER_YEAR} weeks."),
            ({"top_swing": float(top["swing"] / abs(top["base_value"]))},
             "That is the swing as a share of the base margin; the question asks for yuan."),
        ])


def _break_even_by_city(rows: pd.DataFrame) -> pd.DataFrame:
    out = bizmodel.platform_economics(rows, by="city")
    return out.set_axis(out.index.astype(str))


class CityTakeRate(Exercise):
    """Decision: the lowest single take rate that keeps every city whole after the cut."""

    qid = "q9"
    title = "One take rate for every city (a decision)"
    variables = ("binding_city", "min_take_rate")
    hints = (
        "The break-even take rate of a city is the take at which its platform margin is "
        "zero: (commission + subsidies + leader bonuses + fulfilment) / GMV. One rate for "
        "all cities keeps each whole only if it covers the city that needs the most.",
        f"Rows with `week >= '{CUT_WEEK}'`; `bizmodel.platform_economics(after, "
        "by='city')` has `break_even_take_rate` (subsidies included); take the largest "
        "and its city.",
    )
    correct_message = ("below that rate one city loses money on every yuan its leaders "
                       "sell; above it, the platform can still lose suppliers to a rival.")

    def _expected(self) -> dict[str, object]:
        rate = _break_even_by_city(_after_cut())["break_even_take_rate"]
        return {"binding_city": str(rate.idxmax()), "min_take_rate": float(rate.max())}

    def mistakes(self) -> list[tuple[object, str]]:
        after = _after_cut()
        by_city = _break_even_by_city(after)
        gb = _group_buying()
        launch = _break_even_by_city(gb[gb["week"] < _cut()])["break_even_take_rate"]
        before = by_city["break_even_take_rate_before_subsidies"]
        rate = by_city["break_even_take_rate"]
        return self.distinct_mistakes([
            ({"min_take_rate": float(before.max())},
             "That leaves out the subsidies: after the cut they are small, but the platform "
             "still pays them, so a take that ignores them loses money."),
            ({"min_take_rate": bizmodel.break_even_take_rate(after)},
             "That is the break-even of all cities pooled; one rate must keep *each* city "
             "whole, so it must cover the city that needs the most."),
            ({"binding_city": str(rate.idxmin()), "min_take_rate": float(rate.min())},
             "That city needs the *least*; at its rate the other cities lose money."),
            ({"binding_city": str(launch.idxmax()), "min_take_rate": float(launch.max())},
             f"That uses the launch weeks; the question is about the terms since "
             f"{CUT_WEEK}."),
            ({"min_take_rate": float(by_city["platform_margin_rate"].max())},
             "That is a platform margin (as a share of GMV), not the take rate at which the "
             "margin is zero."),
        ])


def _quit_rates(*, every_inactive_week: bool = False, per_leader: bool = False,
                first_inactive: bool = False, last_week: bool = False) -> dict[str, float]:
    """Quits / active leader-weeks before and from the cut (the data's last week left out,
    its quits unseen); the options are the mistakes."""
    gb = _group_buying().sort_values(["leader_id", "week"], kind="stable")
    same_leader = gb["leader_id"].shift(-1) == gb["leader_id"]
    quits = gb["active"] & same_leader & ~gb["active"].shift(-1, fill_value=True).astype(bool)
    if first_inactive:  # the quit counted in the first week the leader is gone
        quits = ~gb["active"] & (gb["leader_id"].shift(1) == gb["leader_id"]) & gb[
            "active"].shift(1, fill_value=False).astype(bool)
    seen = gb["week"] < gb["week"].max()
    if last_week:
        seen = pd.Series(True, index=gb.index)
    after = gb["week"] >= _cut()
    out = {}
    for name, phase in (("quit_before", ~after), ("quit_after", after)):
        if every_inactive_week:
            out[name] = float((~gb["active"] & phase & seen).sum() / (phase & seen).sum())
            continue
        active = gb["active"] & phase & seen
        base = gb.loc[active, "leader_id"].nunique() if per_leader else int(active.sum())
        out[name] = float((quits & phase & seen).sum() / base)
    return out


class LeaderQuits(Exercise):
    """Weekly quit rate of group-buying leaders before and after the subsidy cut."""

    qid = "q10"
    title = "Leaders quitting"
    variables = ("quit_before", "quit_after")
    hints = (
        "A leader quits in the last week they are active (the next week they are not). A "
        "period's weekly quit rate = those quits / its active leader-weeks (one leader active "
        "for ten weeks counts ten). The data's last week has no next week to show a quit: "
        "leave it out.",
        "`gb = gb.sort_values(['leader_id', 'week'])`; `quits = gb.active & ~gb.groupby("
        "'leader_id').active.shift(-1, fill_value=True)`; keep the weeks before the last; "
        f"per period (before and from '{CUT_WEEK}'): `quits.sum() / gb.active.sum()`.",
    )
    correct_message = ("set side by side, the two rates show what the subsidy cut costs in "
                       "leaders, and so in recruiting.")

    def _expected(self) -> dict[str, float]:
        return _quit_rates()

    def mistakes(self) -> list[tuple[object, str]]:
        return self.distinct_mistakes([
            (_quit_rates(every_inactive_week=True),
             "That counts every inactive week as a quit; a leader quits once, in the last "
             "week they are active."),
            (_quit_rates(per_leader=True),
             "That divides by leaders; the periods have different lengths, so divide by "
             "active leader-weeks for a weekly rate."),
            (_quit_rates(first_inactive=True),
             "That counts a quit in the first week the leader is gone; the question counts "
             "it in the last week they are active, the week they decide."),
            (_quit_rates(last_week=True),
             "That keeps the data's last week, whose leaders cannot be seen quitting (there "
             "is no next week): leave it out of the count and of the leader-weeks."),
        ])


EXERCISES = ExerciseSet(
    "01_business_models_exercises",
    [OnlineShare, PlannedModels, ExpectedBreakage, PeakCash, OrderContribution,
     NextStoreFormat, NextYuanByChannel, TornadoDecision, CityTakeRate, LeaderQuits],
)

__all__ = ["CHANNEL", "CUT_WEEK", "EXERCISES", "FLOAT_BUYER", "FLOAT_SEASON",
           "HORIZON_MONTHS", "MEDIA_CHANNELS", "ORDER_PLATFORM", "ORDER_YEAR", "PLANS",
           "PROFIT_MODELS", "SENS_RANGES", "SHARE_BASE_MONTH", "SHARE_MONTH", "STORE_TIER",
           "STREAMS", "VOUCHER_ASOF", "VOUCHER_BUYER", "VOUCHER_LAST_SEASON", "VOUCHER_SEASON",
           "WEEKS_PER_YEAR"]
