"""Generator steps for buying: products, orders (a BG/NBD-type process with
observable churn drivers), delivery, service tickets and order items."""

from __future__ import annotations

import numpy as np
import pandas as pd

from coursekit.world import params as P
from coursekit.world._util import (
    grouped_time_order,
    rng_for,
    sorted_uniform_within,
    with_time_of_day,
)
from coursekit.world.calendar import Calendar, festival_days
from coursekit.world.people import LABELS

CATEGORIES = [
    # (key, Chinese name, price range in yuan, margin)
    ("nuts", "坚果", (29, 89), 0.42),
    ("dried_fruit", "果干", (19, 59), 0.48),
    ("tea", "茶饮", (35, 128), 0.55),
    ("coffee", "咖啡", (39, 119), 0.50),
    ("pastry", "饼干糕点", (15, 49), 0.45),
    ("jerky", "肉脯", (25, 79), 0.38),
    ("gift_box", "礼盒", (99, 299), 0.52),
    ("oats", "代餐燕麦", (25, 69), 0.47),
]
# Categories bought together (basket analysis finds these).
PARTNERS = {0: 1, 1: 7, 2: 4, 3: 4, 4: 2, 5: 0, 6: 0, 7: 1}
WAREHOUSE_OF_REGION = {"east": "east", "south": "south", "north": "north", "central": "central",
                       "west": "central"}  # fmt: skip
WAREHOUSES = ["east", "south", "north", "central"]
# Lookups by the users' integer codes (positions in ``people.LABELS``).
WAREHOUSE_CODE_OF_REGION = np.array(
    [WAREHOUSES.index(WAREHOUSE_OF_REGION[r]) for r in LABELS["region"]], dtype=np.int8
)
PROMISED_DAYS_OF_TIER = np.array(
    [2 if t in ("1", "2") else 3 for t in LABELS["city_tier"]], dtype=np.int64
)


def products(seed: int) -> pd.DataFrame:
    """The catalogue: 10 products per category, prices, unit cost and popularity."""
    rng = rng_for(seed, "products")
    rows = []
    pid = 1
    for c, (key, zh, (lo, hi), margin) in enumerate(CATEGORIES):
        for j in range(10):
            price = float(np.round(rng.uniform(lo, hi)) - 0.1)
            cost = round(price * (1 - margin * rng.uniform(0.85, 1.15)), 2)
            rows.append(
                dict(
                    product_id=pid,
                    name=f"{zh}{j + 1:02d}",
                    category=key,
                    category_zh=zh,
                    price=price,
                    unit_cost=cost,
                    launch_date=P.START,
                    _cat=c,
                    _pop=1.0 / (j + 1) ** 0.9,
                )
            )
            pid += 1
    return pd.DataFrame(rows)


def _late_probability(cal: Calendar, prm: P.Params) -> np.ndarray:
    """Chance an order placed on each day arrives late: busier around the sales."""
    late = np.full(cal.n_days, prm.late_base)
    start = pd.Timestamp(P.START)
    for name in ("618", "double_11", "spring_festival"):
        for d in festival_days()[name]:
            i = (pd.Timestamp(d) - start).days
            late[max(0, i - 2) : i + 4] = prm.late_festival
    return late


def orders(seed: int, u: dict, cal: Calendar, prm: P.Params,
           w2: P.World2 | None = None) -> dict[str, np.ndarray]:
    """Orders of every customer.

    Customers who convert place a first order soon after sign-up; then, while
    alive, they buy at their own Poisson rate ``lambda`` (times the calendar's
    buying multiplier) and after each repeat order drop out with their own
    probability ``p``, raised when that order was late or drew a complaint
    (after the first order only the late/complaint part applies); in World 2
    (``w2``) also by an early dropout that fades with each order
    (``early_dropout * early_fade ** (k - 1)`` after the k-th order). Candidate
    repeat orders are drawn for the whole period and truncated at the first
    dropout, all vectorised. Orders come back grouped by customer, in time
    order within each customer.
    """
    rng = rng_for(seed, "orders")
    n = len(u["user_id"])
    end = float(cal.n_days)
    signup = u["signup_t"]
    delay = np.where(
        rng.random(n) < prm.first_purchase_same_day,
        rng.uniform(0.0, 0.2, n),
        rng.exponential(prm.first_purchase_delay_mean, n),
    )
    first = signup + delay
    buyer = u["_converts"] & (first < end)
    first_t = np.where(buyer, first, np.inf)

    # Candidate repeat orders: Poisson count in warped time, sorted uniform positions.
    idx = np.flatnonzero(buyer)
    w0 = cal.warp(first[idx], "buy")
    w1 = cal.warp(np.full(len(idx), end - 1e-9), "buy")
    m = rng.poisson(u["_lambda"][idx] * (w1 - w0))
    pos = sorted_uniform_within(rng, m)
    pos *= np.repeat(w1 - w0, m)
    pos += np.repeat(w0, m)
    rep_t = cal.unwarp(pos, "buy")
    del pos

    # All orders laid out by position: each customer's first order, then the repeats.
    counts = m + 1
    starts = np.cumsum(counts) - counts
    user = np.repeat(idx, counts)
    is_first = np.zeros(len(user), dtype=bool)
    is_first[starts] = True
    t = np.empty(len(user))
    t[starts] = first[idx]
    t[~is_first] = rep_t
    del rep_t
    # Time of day from the hourly profile; nothing before the sign-up itself. Only
    # orders on the same day can swap, so the regrouping sort is nearly linear.
    if w2 is None:
        t = with_time_of_day(rng, t)
    else:  # World 2: each persona orders at its own hours
        from coursekit.world.personas import hour_profiles

        t = with_time_of_day(rng, t, hour_profiles(), u["_persona"][user])
    t = np.maximum(np.minimum(t, end - 1e-6), signup[user])
    t = t[grouped_time_order(user, t)]

    # Delivery: warehouse by region, promised days by city tier, lateness by day.
    warehouse = WAREHOUSE_CODE_OF_REGION[u["region"][user]]
    promised = PROMISED_DAYS_OF_TIER[u["city_tier"][user]]
    day = np.floor(t).astype(np.int64)
    late = rng.random(len(t)) < _late_probability(cal, prm)[day]
    days = promised - (rng.random(len(t)) < 0.35) + np.where(late, 1 + rng.poisson(1.2, len(t)), 0)
    inc = next(i for i in P.INCIDENTS if i["name"] == "warehouse_delay")
    lo = (pd.Timestamp(inc["start"]) - pd.Timestamp(P.START)).days
    hi = (pd.Timestamp(inc["end"]) - pd.Timestamp(P.START)).days
    hit = (warehouse == WAREHOUSES.index(inc["value"])) & (day >= lo) & (day <= hi)
    days = days + np.where(hit, inc["extra_days"], 0)
    late = days > promised
    complaint = rng.random(len(t)) < prm.ticket_base + prm.ticket_if_late * late

    # Dropout after each order; keep orders with no dropout strictly before them.
    driver = 1 - (1 - prm.dropout_if_late * late) * (1 - prm.dropout_if_complaint * complaint)
    base = np.where(is_first, 0.0, u["_p"][user])
    p_die = 1 - (1 - base) * (1 - driver)
    if w2 is not None:  # World 2: the early dropout that fades with each order
        k = np.arange(len(user)) - np.repeat(starts, counts)  # 0 for the first order
        p_die = 1 - (1 - p_die) * (1 - w2.early_dropout * w2.early_fade ** k)
    die = rng.random(len(t)) < p_die
    keep = _exclusive_group_cumsum(die, counts) == 0
    alive_end = np.full(n, np.inf)
    died_at = keep & die
    alive_end[user[died_at]] = t[died_at]
    user = user[keep]
    out = dict(
        user_idx=user,
        t=t[keep],
        warehouse=warehouse[keep],
        promised_days=promised[keep],
        delivery_days=days[keep],
        late=late[keep],
        complaint=complaint[keep],
        target_value=rng.gamma(prm.p, 1.0 / u["_nu"][user]),
        campaign=np.zeros(len(user), dtype=np.int64),
    )
    out["first_t"] = first_t
    out["alive_end"] = alive_end
    # converters whose first order falls after the data: when it is due (forward simulation)
    out["first_due"] = np.where(u["_converts"], first, np.inf)
    return out


def _exclusive_group_cumsum(flags: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Number of True flags strictly before each element within its group."""
    c = np.cumsum(flags, dtype=np.int64)
    starts = np.cumsum(counts) - counts
    before_group = np.where(starts > 0, c[np.maximum(starts - 1, 0)], 0)
    return c - flags - np.repeat(before_group, counts)


def items(
    seed: int, o: dict, u: dict, prods: pd.DataFrame, cal: Calendar, max_items: int = 10
) -> dict[str, np.ndarray]:
    """Basket contents: items are added until the order reaches its target value.

    The first item comes from the customer's favourite categories (gift boxes
    weigh more before the lunar festivals); each next item comes from the
    partner category of the previous one half of the time, which plants the
    co-purchase pairs that basket analysis finds.

    Returns the item rows grouped by order position, by product id within an
    order, and ``first_item``: the product added first to each order.
    """
    rng = rng_for(seed, "items")
    n_o = len(o["t"])
    target = o["target_value"]
    fav = u["_fav"][o["user_idx"]]
    fav[:, 6] *= cal.gift[np.floor(o["t"]).astype(np.int64)]
    cum = np.cumsum(fav, axis=1)
    cum /= cum[:, -1:]
    del fav
    n_cat = cum.shape[1]
    partner = np.array([PARTNERS[c] for c in range(n_cat)], dtype=np.int8)
    # Product within the category by popularity: one search in the categories'
    # cumulative popularity laid end to end (category c occupies (c, c + 1]).
    pop = prods["_pop"].to_numpy().reshape(n_cat, 10)
    pop_cum = np.cumsum(pop / pop.sum(axis=1, keepdims=True), axis=1)
    pop_cum[:, -1] = 1.0
    flat = (pop_cum + np.arange(n_cat)[:, None]).ravel()
    prices = prods["price"].to_numpy()

    # Fill baskets slot by slot; a slot is drawn only for orders still below their
    # target value, so the work follows the number of items, not orders x slots.
    pid = np.zeros((n_o, max_items), dtype=np.int16)
    qty = np.zeros((n_o, max_items), dtype=np.int8)
    take = np.zeros((n_o, max_items), dtype=bool)
    value = np.zeros(n_o)  # value of the slots drawn so far
    last_cat = np.zeros(n_o, dtype=np.int8)
    active = np.arange(n_o)
    for j in range(max_items):  # loop over basket slots (at most 10), not over orders
        if j > 0:
            active = active[value[active] < target[active]]
        k = len(active)
        if k == 0:
            break
        own = (rng.random(k)[:, None] > cum[active]).sum(axis=1).clip(0, n_cat - 1)
        if j == 0:
            cat = own.astype(np.int8)
        else:
            follow = rng.random(k) < 0.5
            cat = np.where(follow, partner[last_cat[active]], own).astype(np.int8)
        last_cat[active] = cat
        within = np.searchsorted(flat, cat + rng.random(k), side="left") - cat * 10
        p = (cat * 10 + within.clip(0, 9) + 1).astype(np.int16)
        q = (1 + (rng.random(k) < 0.15)).astype(np.int8)
        pid[active, j], qty[active, j], take[active, j] = p, q, True
        value[active] += prices[p - 1] * q
    del cum, value, last_cat, active
    # A product appears once per order: drop repeated product ids within a basket.
    for j in range(1, max_items):
        rows = np.flatnonzero(take[:, j])
        take[rows, j] = ~(pid[rows, j][:, None] == pid[rows, :j]).any(axis=1)
    first_item = pid[:, 0].astype(np.int64)
    # Sort each basket by product id (a row-wise sort of small keys; empty slots last).
    empty = np.iinfo(np.int16).max
    key = np.where(take, pid * 2 + (qty - 1), empty).astype(np.int16)
    del pid, qty
    key.sort(axis=1)
    r, c = np.nonzero(key != empty)
    key = key[r, c]
    product_id = (key >> 1).astype(np.int64)
    return dict(
        order_pos=r,
        product_id=product_id,
        quantity=(key & 1).astype(np.int64) + 1,
        unit_price=prices[product_id - 1],
        first_item=first_item,
    )
