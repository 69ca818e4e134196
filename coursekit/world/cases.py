"""The data of module 1's cases, beside the company: four small standalone tables.

Module 1 (digital business models) reads the company's cost parameters, and
three business cases told with data:

``cost_rates``
    What the company's costs are per unit, one row per rate: store rent, pay
    and fit-out, the gross margin of store sales, and what an online order
    costs beyond its products (courier, packaging, payment fee, priority
    shipping of Plus members, returns), plus the cost of a sign-up by channel.
    The values are the generator's own (:class:`coursekit.world.params.World2`
    and ``CHANNELS``), so unit economics computed from this table agree with
    the other tables.
``gift_vouchers``
    A hairy-crab (大闸蟹) gift-voucher business: vouchers are sold from July,
    most of them in the weeks before the Mid-Autumn Festival, and redeemed for
    a box of crabs (delivered by cold chain) in the crab season, from
    20 September to the end of the year, or never (breakage, 沉淀). Cash comes
    in when a voucher is sold and goes out only when it is redeemed.
``group_buying``
    A community group-buying (社区团购) pilot, run as an enabling platform for
    its neighbourhood leaders (团长): one row per leader and week, from the
    week the leader joined. Heavy subsidies at launch, then a cut; leaders
    whose income falls too low quit.
``businesses``
    Twelve fictional digital businesses with last year's revenue by stream,
    for classifying profit models from the numbers. The rule, applied in this
    order to shares of revenue (the sum of the six streams ``slot_fees``,
    ``tolls``, ``advertising``, ``subscriptions``, ``product_sales``,
    ``services``): (1) a token community when ``member_rewards`` is at least
    30% of revenue; (2) an ecosystem platform when at least four streams each
    bring at least 10%; (3) otherwise the largest stream names it:
    ``product_sales`` or ``subscriptions`` value-disruptive, ``slot_fees``,
    ``tolls`` or ``advertising`` a connecting platform of that kind,
    ``services`` an enabling platform. Every seed's numbers satisfy it with a
    clear margin (:data:`PROFIT_MODEL_RULE`, and ``case_truth(seed)["businesses"]``
    holds each business's model).

Each table draws from its own random stream (:func:`coursekit.world._util.rng_for`
with the table's name), so the company's tables are untouched by them. Their
sizes do not depend on the world's number of users.

Examples
--------
>>> tables = case_tables(2024)
>>> sorted(tables)
['businesses', 'cost_rates', 'gift_vouchers', 'group_buying']
>>> truth = case_truth(2024)
>>> truth["businesses"]["classes"]["1"]
'value_disruptive'
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from coursekit.world import params as P
from coursekit.world._util import rng_for

__all__ = ["CASE_TABLES", "PROFIT_MODELS", "PROFIT_MODEL_RULE", "STREAMS", "case_tables",
           "case_truth"]

#: The names of the case tables, in the order of the data dictionary.
CASE_TABLES = ("cost_rates", "gift_vouchers", "group_buying", "businesses")

# ---------------------------------------------------------------- cost rates

# World 2's cost parameters: (field of World2, unit, description); a dict field gives
# one row per key.
_W2_RATES: list[tuple[str, str, str]] = [
    ("rent_per_sqm_month", "yuan per m² per month",
     "store rent per square metre and month, by city tier"),
    ("pay_per_staff_hour", "yuan per staff hour", "store staff pay per hour, by city tier"),
    ("store_gross_margin", "share", "gross margin of store sales (revenue minus cost of goods)"),
    ("fit_out", "yuan", "one-off cost of fitting out a new store, by format"),
    ("shipping_by_tier", "yuan per order",
     "courier cost of an online order of one unit, by the customer's city tier"),
    ("shipping_per_extra_unit", "yuan per unit", "courier cost of each unit after the first"),
    ("shipping_other_region", "times",
     "courier cost multiplier when no warehouse of the customer's region serves them (west)"),
    ("packaging_base", "yuan per order", "box and filling of an online order"),
    ("packaging_per_unit", "yuan per unit", "packaging of each unit in an order"),
    ("packaging_gift_box", "yuan per unit", "extra wrapping of each gift box"),
    ("payment_fee_rate", "share", "payment processor's fee on the amount paid"),
    ("member_priority_shipping", "yuan per order",
     "priority shipping given to a Plus member's order"),
    ("return_base", "share", "chance that an order is returned (full refund, not resold)"),
    ("return_if_late", "share", "extra chance of a return after a late delivery"),
    ("return_if_quality_ticket", "share",
     "extra chance of a return after a product-quality or wrong-item ticket"),
    ("elasticity", "exponent",
     "elasticity of sign-ups to a paid channel's daily spend; the marginal cost of a "
     "sign-up is the average cost divided by it"),
]


def _cost_rates(w2: P.World2) -> pd.DataFrame:
    """One row per rate, from ``w2`` and the channels' costs per sign-up."""
    rows: list[tuple[str, str, float, str, str]] = []
    for item, unit, text in _W2_RATES:
        value = getattr(w2, item)
        if isinstance(value, dict):
            rows += [(item, str(k), float(v), unit, text) for k, v in value.items()]
        else:
            rows.append((item, "all", float(value), unit, text))
    rows += [("acquisition_cost", ch, float(c["cac"]), "yuan per sign-up",
              "average cost of a sign-up from the channel on its usual day's spend "
              "(referral: the reward paid per sign-up)")
             for ch, c in P.CHANNELS.items()]
    item, key, value, unit, text = zip(*rows, strict=True)
    return pd.DataFrame(dict(
        item=pd.Categorical(item, categories=sorted(set(item))),
        key=pd.Categorical(key, categories=sorted(set(key))),
        value=np.array(value, dtype=float),
        unit=pd.Categorical(unit, categories=sorted(set(unit))),
        description=pd.array(text, dtype="string"),
    ))


# ---------------------------------------------------------------- gift vouchers

#: The crab seasons: sales open, redemptions open, sales close, vouchers expire.
_VOUCHER_SEASONS = {
    year: dict(sale_start=dt.date(year, 7, 1), redeem_start=dt.date(year, 9, 20),
               sale_end=dt.date(year, 11, 30), valid_until=dt.date(year, 12, 31))
    for year in (2024, 2025)
}
#: Buyers per season (a corporate buyer buys a batch of vouchers for staff and clients).
_VOUCHER_BUYERS = {2024: dict(corporate=45, individual=950),
                   2025: dict(corporate=55, individual=1150)}
_FACE_VALUES = (388.0, 588.0, 888.0, 1288.0)
_FACE_MIX = dict(corporate=(0.15, 0.35, 0.35, 0.15), individual=(0.40, 0.35, 0.18, 0.07))
#: Chance a voucher is never redeemed, by buyer type and face value.
_BREAKAGE = dict(corporate=(0.14, 0.19, 0.25, 0.32), individual=(0.05, 0.07, 0.10, 0.13))
#: Corporate discount by batch size: (smallest batch, discount).
_CORPORATE_DISCOUNT = ((1, 0.10), (20, 0.15), (50, 0.20))
#: Mean days from the first day a voucher can be redeemed to its redemption.
_REDEEM_LAG = dict(corporate=30.0, individual=14.0)
#: Cost of the box of crabs behind each face value at the season's average price.
_CRAB_COST = (165.0, 245.0, 360.0, 510.0)
#: Crab prices: this multiplier on the first day of redemptions, falling linearly to
#: ``_CRAB_PRICE_END`` on the last; lognormal noise per box.
_CRAB_PRICE_START, _CRAB_PRICE_END, _CRAB_NOISE = 1.10, 0.90, 0.05
_DELIVERY_COST, _DELIVERY_NOISE = 32.0, 0.20


def _sale_weights(year: int, buyer: str) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """Each sale day of the season and its weight: a peak before Mid-Autumn."""
    s = _VOUCHER_SEASONS[year]
    days = pd.date_range(s["sale_start"], s["sale_end"], freq="D")
    d = (days - pd.Timestamp(P.MID_AUTUMN[year])).days.to_numpy(dtype=float)
    if buyer == "corporate":  # gifts for the festival: bought one to three weeks before it
        w = np.where(d <= 0, 0.02 + np.exp(-0.5 * ((d + 12) / 9) ** 2), 0.02 * np.exp(-d / 15))
    else:  # the festival, then crabs for the family in the season
        oct20 = (pd.Timestamp(dt.date(year, 10, 20)) - pd.Timestamp(P.MID_AUTUMN[year])).days
        w = (np.where(d <= 0, 0.20 + np.exp(-0.5 * ((d + 7) / 10) ** 2), 0.20)
             + 0.45 * np.exp(-0.5 * ((d - oct20) / 15) ** 2))
    return days, w / w.sum()


def _gift_vouchers(seed: int) -> pd.DataFrame:
    """One row per voucher sold, in order of sale."""
    rng = rng_for(seed, "gift_vouchers")
    parts = []
    for year, buyers in _VOUCHER_BUYERS.items():
        for buyer, n in buyers.items():
            days, w = _sale_weights(year, buyer)
            sold = days[rng.choice(len(days), n, p=w)]
            if buyer == "corporate":
                batch = np.clip(np.round(rng.lognormal(np.log(20), 0.8, n)), 5, 200)
            else:
                batch = 1 + rng.binomial(2, 0.12, n)
            batch = batch.astype(np.int64)
            face = rng.choice(len(_FACE_VALUES), n, p=_FACE_MIX[buyer])
            parts.append(pd.DataFrame(dict(season=year, buyer_type=buyer, sold_date=sold,
                                           batch=batch, face=face)))
    b = pd.concat(parts, ignore_index=True)
    b = b.sort_values(["sold_date", "buyer_type"], kind="stable").reset_index(drop=True)
    b["buyer_id"] = np.arange(1, len(b) + 1)
    v = b.loc[b.index.repeat(b["batch"])].reset_index(drop=True)
    n = len(v)
    corporate = (v["buyer_type"] == "corporate").to_numpy()
    face = v["face"].to_numpy()
    face_value = np.array(_FACE_VALUES)[face]
    lows, rates = zip(*_CORPORATE_DISCOUNT, strict=True)
    tier = np.searchsorted(lows, v["batch"].to_numpy(), side="right") - 1
    discount = np.where(corporate, np.array(rates)[tier], 0.0)
    price = np.round(face_value * (1 - discount), 2)

    # Breakage, then the redemption day: a truncated exponential lag from the first day
    # the voucher can be used to its expiry.
    p_break = np.where(corporate, np.array(_BREAKAGE["corporate"])[face],
                       np.array(_BREAKAGE["individual"])[face])
    redeemed = rng.random(n) >= p_break
    season = v["season"].to_numpy()
    opens = np.array([pd.Timestamp(_VOUCHER_SEASONS[y]["redeem_start"]) for y in season],
                     dtype="datetime64[s]")
    ends = np.array([pd.Timestamp(_VOUCHER_SEASONS[y]["valid_until"]) for y in season],
                    dtype="datetime64[s]")
    sold = v["sold_date"].to_numpy(dtype="datetime64[s]")
    first = np.maximum(sold + np.timedelta64(1, "D"), opens)
    span = (ends - first).astype("timedelta64[D]").astype(float)  # days, lag 0..span
    mean = np.where(corporate, _REDEEM_LAG["corporate"], _REDEEM_LAG["individual"])
    u = rng.random(n)
    lag = np.floor(-mean * np.log1p(-u * (1 - np.exp(-(span + 1) / mean))))
    lag = np.minimum(lag, span).astype(np.int64)
    when = first + lag.astype("timedelta64[D]")
    when = np.where(redeemed, when, np.datetime64("NaT"))

    # What a redemption costs: the box of crabs at the day's price, and the cold chain.
    through = ((when - opens).astype("timedelta64[D]").astype(float)
               / (ends - opens).astype("timedelta64[D]").astype(float))
    price_level = _CRAB_PRICE_START + (_CRAB_PRICE_END - _CRAB_PRICE_START) * through
    crab = np.array(_CRAB_COST)[face] * price_level * rng.lognormal(0.0, _CRAB_NOISE, n)
    delivery = _DELIVERY_COST * rng.lognormal(0.0, _DELIVERY_NOISE, n)
    return pd.DataFrame(dict(
        voucher_id=np.arange(1, n + 1, dtype=np.int64),
        buyer_id=v["buyer_id"].to_numpy(dtype=np.int64),
        buyer_type=pd.Categorical(v["buyer_type"], categories=["corporate", "individual"]),
        season=season.astype(np.int64),
        sold_date=sold,
        face_value=face_value,
        price_paid=price,
        valid_until=ends,
        redeemed_date=when.astype("datetime64[s]"),
        crab_cost=np.where(redeemed, np.round(crab, 2), 0.0),
        delivery_cost=np.where(redeemed, np.round(delivery, 2), 0.0),
    ))


def _voucher_truth(vouchers: pd.DataFrame) -> dict:
    face = pd.Index(_FACE_VALUES).get_indexer(vouchers["face_value"])
    corporate = (vouchers["buyer_type"] == "corporate").to_numpy()
    p = np.where(corporate, np.array(_BREAKAGE["corporate"])[face],
                 np.array(_BREAKAGE["individual"])[face])
    fv = [f"{f:.0f}" for f in _FACE_VALUES]
    return dict(
        seasons={str(y): {k: d.isoformat() for k, d in s.items()}
                 for y, s in _VOUCHER_SEASONS.items()},
        mid_autumn={str(y): P.MID_AUTUMN[y].isoformat() for y in _VOUCHER_SEASONS},
        buyers_per_season={str(y): b for y, b in _VOUCHER_BUYERS.items()},
        face_values=list(_FACE_VALUES),
        face_value_mix={b: dict(zip(fv, m, strict=True)) for b, m in _FACE_MIX.items()},
        breakage_probability={b: dict(zip(fv, m, strict=True)) for b, m in _BREAKAGE.items()},
        expected_breakage_by_buyer_type=dict(
            corporate=round(float(p[corporate].mean()), 4),
            individual=round(float(p[~corporate].mean()), 4)),
        corporate_discount=[dict(min_batch=lo, discount=d) for lo, d in _CORPORATE_DISCOUNT],
        individual_discount=0.0,
        batch_size=dict(corporate="lognormal around 20 vouchers (sigma 0.8), 5 to 200",
                        individual="1 + Binomial(2, 0.12)"),
        redemption_lag_mean_days=_REDEEM_LAG,
        redemption="from the day after the sale or the season's first redemption day, "
        "whichever is later, an exponential lag of the buyer type's mean, cut at the "
        "voucher's expiry; a corporate batch's vouchers are redeemed one by one",
        crab_cost_at_average_price=dict(zip(fv, _CRAB_COST, strict=True)),
        crab_price_level=dict(first_day=_CRAB_PRICE_START, last_day=_CRAB_PRICE_END,
                              noise_sigma=_CRAB_NOISE,
                              note="linear over the redemption window, lognormal noise"),
        delivery_cost=dict(mean_level=_DELIVERY_COST, noise_sigma=_DELIVERY_NOISE,
                           note="cold-chain courier, lognormal noise by destination"),
        cash="cash in = price_paid on sold_date; cash out = crab_cost + delivery_cost on "
        "redeemed_date; a voucher never redeemed costs nothing (breakage)",
    )


# ---------------------------------------------------------------- group buying

_GB_START = dt.date(2024, 7, 1)  # a Monday
_GB_WEEKS = 78
_GB_CUT = dt.date(2025, 3, 3)  # the Monday the subsidies are cut
_GB_LEADERS = dict(launch=230, after_cut=70)
_GB_CITIES = {"长沙": 0.45, "武汉": 0.35, "南昌": 0.20}
#: Fulfilment: a fixed cost per active leader and week (the van's stop at the pickup
#: point) and a cost per order (picking, packing, the trunk route), by city.
_GB_STOP_COST = 20.0
_GB_PER_ORDER = {"长沙": 2.4, "武汉": 2.7, "南昌": 3.2}
#: (launch, after the cut): consumer subsidy as a share of GMV, the leader's bonus per
#: order, the leader's commission on GMV, the platform's take rate on GMV.
_GB_PHASES = dict(subsidy_rate=(0.12, 0.02), leader_bonus=(1.5, 0.0),
                  commission_rate=(0.12, 0.10), take_rate=(0.20, 0.20))
#: Orders: a leader's reach K (orders a week when established, without subsidies),
#: lognormal; a ramp-up over the first weeks; subsidies raise orders by
#: exp(subsidy_elasticity * subsidy_rate); noise per week.
_GB_REACH_MEDIAN, _GB_REACH_SIGMA = 55.0, 0.5
_GB_RAMP_WEEKS = 3.0
_GB_SUBSIDY_ELASTICITY = 3.0
_GB_WEEK_NOISE = 0.10
_GB_BASKET, _GB_BASKET_NOISE = 45.0, 0.08
#: Spring Festival: orders fall in its week and the next.
_GB_HOLIDAY = 0.6
#: The quit rule: from the leader's 8th week on, when their income (commission plus
#: bonus) averaged over the last 4 weeks is below the threshold, they quit with the
#: first chance each week; otherwise with the second (moving away, other work).
_GB_TRIAL_WEEKS = 8
_GB_QUIT = dict(threshold=200.0, window_weeks=4, chance_below=0.30, chance_otherwise=0.004)


def _gb_weeks() -> pd.DatetimeIndex:
    return pd.date_range(_GB_START, periods=_GB_WEEKS, freq="7D")


def _group_buying(seed: int) -> pd.DataFrame:
    """One row per leader and week, from the week the leader joined to the end."""
    rng = rng_for(seed, "group_buying")
    weeks = _gb_weeks()
    cut = int(weeks.get_loc(pd.Timestamp(_GB_CUT)))
    n_launch, n_after = _GB_LEADERS["launch"], _GB_LEADERS["after_cut"]
    # Recruitment: most leaders join early in the launch, a trickle after the cut.
    w = np.exp(-np.arange(cut) / 12.0)
    join = np.concatenate([rng.choice(cut, n_launch, p=w / w.sum()),
                           rng.integers(cut, _GB_WEEKS, n_after)])
    join.sort()
    n = len(join)
    cities = np.array(list(_GB_CITIES))
    city = rng.choice(len(cities), n, p=np.array(list(_GB_CITIES.values())))
    reach = _GB_REACH_MEDIAN * rng.lognormal(0.0, _GB_REACH_SIGMA, n)

    after = np.arange(_GB_WEEKS) >= cut
    phase = {k: np.where(after, v[1], v[0]) for k, v in _GB_PHASES.items()}
    season = np.ones(_GB_WEEKS)
    sf = int(np.searchsorted(weeks, pd.Timestamp(P.SPRING_FESTIVAL[2025]), side="right") - 1)
    season[sf:sf + 2] = _GB_HOLIDAY

    orders = np.zeros((_GB_WEEKS, n), dtype=np.int64)
    gmv = np.zeros((_GB_WEEKS, n))
    income = np.zeros((_GB_WEEKS, n))
    active = np.zeros((_GB_WEEKS, n), dtype=bool)
    quit_ = np.zeros(n, dtype=bool)
    q = _GB_QUIT
    for t in range(_GB_WEEKS):
        age = t - join
        on = (age >= 0) & ~quit_
        mu = (reach * (1 - np.exp(-(np.maximum(age, 0) + 1) / _GB_RAMP_WEEKS))
              * np.exp(_GB_SUBSIDY_ELASTICITY * phase["subsidy_rate"][t]) * season[t]
              * rng.lognormal(0.0, _GB_WEEK_NOISE, n))
        k = np.where(on, rng.poisson(mu), 0)
        basket = _GB_BASKET * rng.lognormal(0.0, _GB_BASKET_NOISE, n)
        orders[t], active[t] = k, on
        gmv[t] = np.round(k * basket, 2)
        income[t] = gmv[t] * phase["commission_rate"][t] + k * phase["leader_bonus"][t]
        lo = max(0, t - q["window_weeks"] + 1)
        recent = income[lo:t + 1].mean(axis=0)
        chance = np.where(recent < q["threshold"], q["chance_below"], q["chance_otherwise"])
        draw = rng.random(n)
        quit_ |= on & (age >= _GB_TRIAL_WEEKS - 1) & (draw < chance)

    t_idx, who = np.nonzero(np.arange(_GB_WEEKS)[:, None] >= join[None, :])
    by_leader = np.lexsort((t_idx, who))
    t_idx, who = t_idx[by_leader], who[by_leader]
    k = orders[t_idx, who]
    on = active[t_idx, who]
    g = gmv[t_idx, who]
    per_order = np.array([_GB_PER_ORDER[c] for c in cities])[city[who]]
    fulfil = np.where(on, _GB_STOP_COST + per_order * k, 0.0)
    return pd.DataFrame(dict(
        leader_id=(who + 1).astype(np.int64),
        week=weeks.to_numpy(dtype="datetime64[s]")[t_idx],
        city=pd.Categorical.from_codes(city[who], categories=cities)
        .reorder_categories(sorted(cities)),
        active=on,
        orders=k,
        gmv=g,
        commission_rate=phase["commission_rate"][t_idx],
        take_rate=phase["take_rate"][t_idx],
        subsidy=np.round(g * phase["subsidy_rate"][t_idx], 2),
        leader_bonus=np.round(k * phase["leader_bonus"][t_idx], 2),
        fulfilment_cost=np.round(fulfil, 2),
    ))


def _break_even_take_rate(rows: pd.DataFrame, *, subsidies: bool = False) -> float:
    """The take rate at which the platform's contribution over ``rows`` is zero.

    ``(commission + fulfilment [+ subsidy + leader bonus]) / GMV`` summed over
    the rows of a ``group_buying`` table; with ``subsidies`` the subsidies and
    bonuses count as costs too.
    """
    cost = (rows["gmv"] * rows["commission_rate"]).sum() + rows["fulfilment_cost"].sum()
    if subsidies:
        cost += rows["subsidy"].sum() + rows["leader_bonus"].sum()
    return round(float(cost / rows["gmv"].sum()), 4)


def _group_truth(gb: pd.DataFrame) -> dict:
    after = gb["week"] >= pd.Timestamp(_GB_CUT)
    on = gb["active"]
    c_after = _GB_PHASES["commission_rate"][1]
    per_order = sum(_GB_PER_ORDER[c] * s for c, s in _GB_CITIES.items())
    reach_mean = _GB_REACH_MEDIAN * float(np.exp(_GB_REACH_SIGMA ** 2 / 2))
    return dict(
        weeks=dict(first=_GB_START.isoformat(), count=_GB_WEEKS,
                   last=_gb_weeks()[-1].date().isoformat()),
        subsidy_cut_week=_GB_CUT.isoformat(),
        phases={name: dict(zip(("launch", "after_cut"), v, strict=True))
                for name, v in _GB_PHASES.items()},
        leaders=dict(_GB_LEADERS, recruitment="launch: join week with weight exp(-week / 12); "
                     "after the cut: uniform over the remaining weeks"),
        city_share=_GB_CITIES,
        fulfilment=dict(per_active_leader_week=_GB_STOP_COST, per_order_by_city=_GB_PER_ORDER,
                        formula="fulfilment_cost = per_active_leader_week + per_order[city] "
                        "x orders, for an active leader's week"),
        orders=dict(reach_median=_GB_REACH_MEDIAN, reach_sigma=_GB_REACH_SIGMA,
                    ramp_weeks=_GB_RAMP_WEEKS, subsidy_elasticity=_GB_SUBSIDY_ELASTICITY,
                    week_noise_sigma=_GB_WEEK_NOISE, spring_festival_multiplier=_GB_HOLIDAY,
                    formula="Poisson(reach x (1 - exp(-(weeks since joining + 1) / ramp_weeks)) "
                    "x exp(subsidy_elasticity x subsidy_rate) x holiday x lognormal noise)"),
        basket=dict(mean_level=_GB_BASKET, noise_sigma=_GB_BASKET_NOISE),
        gmv="value of the orders at list price; neighbours paid gmv - subsidy; suppliers "
        "receive gmv x (1 - take_rate)",
        leader_income="gmv x commission_rate + leader_bonus",
        platform_contribution="gmv x take_rate - gmv x commission_rate - subsidy - "
        "leader_bonus - fulfilment_cost",
        quit_rule=dict(_GB_QUIT, trial_weeks=_GB_TRIAL_WEEKS,
                       rule="from the leader's 8th week on, when the leader's income over "
                       "the last window_weeks weeks averaged below threshold (yuan a week) "
                       "they quit with chance_below that week, otherwise with "
                       "chance_otherwise; a leader who quits stays inactive"),
        break_even_take_rate=dict(
            launch=_break_even_take_rate(gb[on & ~after]),
            after_cut=_break_even_take_rate(gb[on & after])),
        break_even_take_rate_with_subsidies=dict(
            launch=_break_even_take_rate(gb[on & ~after], subsidies=True),
            after_cut=_break_even_take_rate(gb[on & after], subsidies=True)),
        break_even_take_rate_expected=round(
            c_after + per_order / _GB_BASKET + _GB_STOP_COST / (reach_mean * _GB_BASKET), 4),
        break_even_note="break_even_take_rate = (sum of gmv x commission_rate + "
        "fulfilment_cost) / sum of gmv over the active leader-weeks of the phase (launch: "
        "before the cut; after_cut: from the cut on); _with_subsidies adds subsidy and "
        "leader_bonus to the costs; _expected is the commission after the cut + the mean "
        "cost per order / the basket + the stop cost / (mean reach x basket): an "
        "established leader without subsidies",
    )


# ---------------------------------------------------------------- businesses

#: The six revenue streams of the ``businesses`` table.
STREAMS = ("slot_fees", "tolls", "advertising", "subscriptions", "product_sales", "services")

#: How the profit model follows from the numbers (shares of total revenue, the sum
#: of the six streams).
PROFIT_MODEL_RULE = (
    "In this order: (1) token_community when member_rewards is at least 30% of revenue; "
    "(2) ecosystem_platform when at least four of the six streams each bring at least 10% "
    "of revenue; (3) otherwise the largest stream names the model: product_sales or "
    "subscriptions -> value_disruptive, slot_fees -> connecting_slot_fee, tolls -> "
    "connecting_toll, advertising -> connecting_advertising, services -> enabling_platform."
)

#: The profit models, in English and Chinese.
PROFIT_MODELS = {
    "value_disruptive": "value-disruptive (价值颠覆型)",
    "connecting_slot_fee": "connecting platform: slot fees (连接型平台·坑位费)",
    "connecting_toll": "connecting platform: tolls (连接型平台·过路费)",
    "connecting_advertising": "connecting platform: advertising (连接型平台·广告)",
    "enabling_platform": "enabling platform (赋能型平台)",
    "ecosystem_platform": "ecosystem platform (生态型平台)",
    "token_community": "token community (通证社区)",
}

# name, name_zh, description, class, revenue (million yuan), users (million),
# partners, GMV (million yuan; 0: none), member rewards (share of revenue),
# stream shares (slot_fees, tolls, advertising, subscriptions, product_sales, services).
_BUSINESSES = [
    ("Qingxiang Eyewear", "轻享眼镜", "prescription glasses made in its own workshop and "
     "sold online at a fraction of an optician's price", "value_disruptive",
     420.0, 3.2, 0, 0.0, 0.00, (0, 0, 0, 0.02, 0.93, 0.05)),
    ("Xuetu Learning", "学途", "an app teaching exam English with recorded lessons and "
     "AI practice, for a monthly fee", "value_disruptive",
     260.0, 6.5, 0, 0.0, 0.01, (0, 0, 0.05, 0.85, 0.10, 0)),
    ("Bojie Live", "播街直播", "livestream selling: hosts present brands' products to "
     "their viewers", "connecting_slot_fee",
     310.0, 18.0, 1800, 2400.0, 0.00, (0.62, 0.30, 0.05, 0, 0, 0.03)),
    ("Qiaoshou Market", "巧手集", "a marketplace for handmade goods from small workshops",
     "connecting_toll",
     95.0, 4.1, 26000, 1150.0, 0.03, (0, 0.76, 0.14, 0.04, 0, 0.06)),
    ("Xianche", "闲车", "people rent out their cars to travellers by the day",
     "connecting_toll",
     180.0, 2.6, 41000, 1300.0, 0.00, (0, 0.82, 0.06, 0, 0, 0.12)),
    ("Shiguang Recipes", "食光菜谱", "a free recipe app with cooking videos",
     "connecting_advertising",
     140.0, 32.0, 0, 0.0, 0.00, (0, 0, 0.76, 0.16, 0.08, 0)),
    ("Kanjian News", "看见资讯", "a free news and short-video feed",
     "connecting_advertising",
     880.0, 95.0, 0, 0.0, 0.00, (0, 0, 0.88, 0.07, 0, 0.05)),
    ("Dianbang", "店帮", "tills, stock software, supplies and loans for small shops",
     "enabling_platform",
     230.0, 0.4, 120000, 5200.0, 0.00, (0, 0.12, 0.08, 0, 0, 0.80)),
    ("Yunzhi", "云织", "design tools, order management and financing for small garment "
     "factories", "enabling_platform",
     150.0, 0.05, 9000, 3100.0, 0.00, (0, 0.16, 0, 0, 0.08, 0.76)),
    ("Wanxiang", "万象", "a super app: payments, shopping, short video, cloud storage and "
     "mini-programs", "ecosystem_platform",
     5600.0, 210.0, 850000, 98000.0, 0.05, (0.05, 0.27, 0.22, 0.18, 0.08, 0.20)),
    ("Jiayuan Smart Home", "家园智家", "smart home devices, an app store for them and a "
     "home-service network", "ecosystem_platform",
     1900.0, 24.0, 3500, 2100.0, 0.00, (0.05, 0.18, 0.07, 0.20, 0.32, 0.18)),
    ("Gongdu Society", "共读社", "a reading community whose members earn tokens for "
     "reviews and curation, sharing in the society's income", "token_community",
     36.0, 0.6, 0, 0.0, 0.50, (0, 0, 0, 0.45, 0.35, 0.20)),
]
_STREAM_NOISE, _REVENUE_NOISE = 0.08, 0.15


def _businesses(seed: int) -> pd.DataFrame:
    """The twelve businesses, their shares and sizes with a little noise."""
    rng = rng_for(seed, "businesses")
    n = len(_BUSINESSES)
    name, name_zh, text, _, revenue, users, partners, gmv, rewards, shares = map(
        list, zip(*_BUSINESSES, strict=True))
    shares = np.array(shares, dtype=float) * rng.lognormal(0.0, _STREAM_NOISE, (n, 6))
    shares /= shares.sum(axis=1, keepdims=True)
    total = np.array(revenue) * rng.lognormal(0.0, _REVENUE_NOISE, n)
    streams = np.round(shares * total[:, None], 1)
    users_m = np.round(np.array(users) * rng.lognormal(0.0, 0.10, n), 2)
    gmv_m = np.array(gmv) * rng.lognormal(0.0, 0.10, n)
    reward = np.array(rewards) * rng.lognormal(0.0, 0.10, n) * streams.sum(axis=1)
    out = pd.DataFrame(dict(
        business_id=np.arange(1, n + 1, dtype=np.int64),
        name=pd.array(name, dtype="string"),
        name_zh=pd.array(name_zh, dtype="string"),
        description=pd.array(text, dtype="string"),
        users=users_m,
        partners=np.array(partners, dtype=np.int64),
        gmv=np.where(np.array(gmv) > 0, np.round(gmv_m, 0), np.nan),
    ))
    for j, s in enumerate(STREAMS):
        out[s] = streams[:, j]
    out["member_rewards"] = np.round(reward, 1)
    return out


def _business_truth() -> dict:
    return dict(
        rule=PROFIT_MODEL_RULE,
        streams=list(STREAMS),
        models=PROFIT_MODELS,
        classes={str(i + 1): b[3] for i, b in enumerate(_BUSINESSES)},
        noise=dict(stream_sigma=_STREAM_NOISE, revenue_sigma=_REVENUE_NOISE,
                   note="each stream's share x lognormal noise, renormalised; the total "
                   "revenue x lognormal noise; the classes hold whatever the seed"),
    )


# ---------------------------------------------------------------- public


def case_tables(seed: int, w2: P.World2 | None = None) -> dict[str, pd.DataFrame]:
    """Module 1's case tables: ``cost_rates``, ``gift_vouchers``, ``group_buying``,
    ``businesses``.

    Parameters
    ----------
    seed
        World seed; each table draws from its own stream (the table's name).
    w2
        World 2's parameters, for ``cost_rates`` (default: ``World2()``, the
        generator's own). The other tables do not depend on it.

    Returns
    -------
    dict of DataFrame
        The four tables by name, with the dtypes of their contracts in
        :mod:`coursekit.schema`.

    Examples
    --------
    >>> t = case_tables(7)
    >>> rates = t["cost_rates"].astype({"item": str, "key": str}).set_index(["item", "key"])
    >>> float(rates.loc[("payment_fee_rate", "all"), "value"])
    0.006
    >>> int(t["group_buying"]["leader_id"].nunique())
    300
    """
    w2 = P.World2() if w2 is None else w2
    return dict(
        cost_rates=_cost_rates(w2),
        gift_vouchers=_gift_vouchers(seed),
        group_buying=_group_buying(seed),
        businesses=_businesses(seed),
    )


def case_truth(seed: int, w2: P.World2 | None = None) -> dict:
    """What produced the case tables, for lessons to check estimates against.

    Parameters
    ----------
    seed
        World seed, as for :func:`case_tables`.
    w2
        World 2's parameters (default: ``World2()``).

    Returns
    -------
    dict
        JSON-serialisable, by table: ``cost_rates`` (the parameters the rows
        come from), ``gift_vouchers`` (seasons, discounts, breakage chances,
        redemption lags, costs), ``group_buying`` (subsidy schedule, cost
        structure, the quit rule and the break-even take rates of the seed's
        table) and ``businesses`` (the rule and each business's profit model).

    Examples
    --------
    >>> tr = case_truth(2024)
    >>> tr["group_buying"]["subsidy_cut_week"]
    '2025-03-03'
    >>> tr["gift_vouchers"]["breakage_probability"]["corporate"]["1288"]
    0.32
    """
    w2 = P.World2() if w2 is None else w2
    d = w2.to_dict()
    return dict(
        cost_rates=dict(
            source="coursekit.world.params.World2 (store and order costs) and "
            "params.CHANNELS (cost per sign-up)",
            world2={item: d[item] for item, _, _ in _W2_RATES},
            acquisition_cost={ch: c["cac"] for ch, c in P.CHANNELS.items()},
        ),
        gift_vouchers=_voucher_truth(_gift_vouchers(seed)),
        group_buying=_group_truth(_group_buying(seed)),
        businesses=_business_truth(),
    )
