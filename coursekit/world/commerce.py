"""Generator steps for buying: products, orders (a BG/NBD-type process with
observable churn drivers), delivery, service tickets and order items."""

from __future__ import annotations

import numpy as np
import pandas as pd

from coursekit.world import params as P
from coursekit.world._util import rng_for, sorted_uniform_within, with_time_of_day
from coursekit.world.calendar import Calendar, festival_days

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


def orders(seed: int, u: dict, cal: Calendar, prm: P.Params) -> dict[str, np.ndarray]:
    """Orders of every customer.

    Customers who convert place a first order soon after sign-up; then, while
    alive, they buy at their own Poisson rate ``lambda`` (times the calendar's
    buying multiplier) and after each repeat order drop out with their own
    probability ``p``, raised when that order was late or drew a complaint
    (after the first order only the late/complaint part applies). Candidate
    repeat orders are drawn for the whole period and truncated at the first
    dropout, all vectorised.
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
    owner = np.repeat(idx, m)
    pos = sorted_uniform_within(rng, owner)
    w = np.repeat(w0, m) + pos * np.repeat(w1 - w0, m)
    rep_t = cal.unwarp(w, "buy")

    # All orders (first + repeats), grouped by user, in time order within user.
    user = np.concatenate([idx, owner])
    t = np.concatenate([first[idx], rep_t])
    # Time of day from the hourly profile; nothing before the sign-up itself.
    t = np.maximum(np.minimum(with_time_of_day(rng, t), end - 1e-6), signup[user])
    o = np.lexsort((t, user))
    user, t = user[o], t[o]
    is_first = np.r_[True, user[1:] != user[:-1]]

    # Delivery: warehouse by region, promised days by city tier, lateness by day.
    warehouse = pd.Series(u["region"][user]).map(WAREHOUSE_OF_REGION).to_numpy()
    promised = np.where(np.isin(u["city_tier"][user], ["1", "2"]), 2, 3)
    day = np.floor(t).astype(np.int64)
    late = rng.random(len(t)) < _late_probability(cal, prm)[day]
    days = promised - (rng.random(len(t)) < 0.35) + np.where(late, 1 + rng.poisson(1.2, len(t)), 0)
    inc = next(i for i in P.INCIDENTS if i["name"] == "warehouse_delay")
    lo = (pd.Timestamp(inc["start"]) - pd.Timestamp(P.START)).days
    hi = (pd.Timestamp(inc["end"]) - pd.Timestamp(P.START)).days
    hit = (warehouse == inc["value"]) & (day >= lo) & (day <= hi)
    days = days + np.where(hit, inc["extra_days"], 0)
    late = days > promised
    complaint = rng.random(len(t)) < prm.ticket_base + prm.ticket_if_late * late

    # Dropout after each order; keep orders with no dropout strictly before them.
    driver = 1 - (1 - prm.dropout_if_late * late) * (1 - prm.dropout_if_complaint * complaint)
    base = np.where(is_first, 0.0, u["_p"][user])
    p_die = 1 - (1 - base) * (1 - driver)
    die = rng.random(len(t)) < p_die
    counts = np.bincount(user, minlength=n)[np.unique(user)]
    dead_before = _exclusive_group_cumsum(die, counts) > 0
    keep = ~dead_before
    value = rng.gamma(prm.p, 1.0 / u["_nu"][user])
    alive_end = np.full(n, np.inf)
    died_at = keep & die
    alive_end[user[died_at]] = t[died_at]
    out = dict(
        user_idx=user,
        t=t,
        warehouse=warehouse,
        promised_days=promised,
        delivery_days=days,
        late=late,
        complaint=complaint,
        target_value=value,
        campaign=np.zeros(len(t), dtype=np.int64),
    )
    out = {k: v[keep] for k, v in out.items()}
    out["first_t"] = first_t
    out["alive_end"] = alive_end
    return out


def _exclusive_group_cumsum(flags: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Number of True flags strictly before each element within its group."""
    c = np.cumsum(flags.astype(np.int64))
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
    """
    rng = rng_for(seed, "items")
    n_o = len(o["t"])
    fav = u["_fav"][o["user_idx"]]
    fav = fav.copy()
    fav[:, 6] *= cal.gift[np.floor(o["t"]).astype(np.int64)]
    fav /= fav.sum(axis=1, keepdims=True)
    cum = np.cumsum(fav, axis=1)
    cats = np.empty((n_o, max_items), dtype=np.int64)
    draws = rng.random((n_o, max_items))
    partner = np.array([PARTNERS[c] for c in range(8)])
    follow = rng.random((n_o, max_items)) < 0.5
    for j in range(max_items):  # loop over basket slots (at most 10), not over orders
        own = (draws[:, j][:, None] > cum).sum(axis=1).clip(0, 7)
        cats[:, j] = own if j == 0 else np.where(follow[:, j], partner[cats[:, j - 1]], own)
    pop = prods["_pop"].to_numpy().reshape(8, 10)
    pop_cum = np.cumsum(pop / pop.sum(axis=1, keepdims=True), axis=1)
    within = (rng.random((n_o, max_items))[..., None] > pop_cum[cats]).sum(axis=2).clip(0, 9)
    pid = cats * 10 + within + 1
    qty = 1 + (rng.random((n_o, max_items)) < 0.15)
    price = prods["price"].to_numpy()[pid - 1]
    line = price * qty
    before = np.cumsum(line, axis=1) - line
    take = before < o["target_value"][:, None]
    take[:, 0] = True
    # A product appears once per order: drop repeated product ids within a basket.
    dup = np.zeros_like(take)
    for j in range(1, max_items):
        dup[:, j] = (pid[:, j][:, None] == pid[:, :j]).any(axis=1)
    take &= ~dup
    r, c = np.nonzero(take)
    return dict(order_pos=r, product_id=pid[r, c], quantity=qty[r, c], unit_price=price[r, c])
