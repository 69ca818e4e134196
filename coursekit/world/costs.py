"""Generator step for World 2's cost of serving an order: the ``order_costs`` table.

Everything an online order costs beyond its products, so that a lesson can
compute the contribution margin of an order, a member and a channel:
courier, packaging, the payment processor's fee, priority shipping for Plus
members, and returns. It works on the published tables (orders, their items,
users, tickets, memberships), which already say all it needs.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from coursekit.world import params as P
from coursekit.world._util import rng_for
from coursekit.world.commerce import WAREHOUSES


def order_costs(seed: int, tables: dict[str, pd.DataFrame], w2: P.World2) -> pd.DataFrame:
    """One row per order: shipping, packaging, payment fee, member benefit, return.

    Parameters
    ----------
    seed
        World seed (returns draw from their own stream, ``"order_costs"``).
    tables
        The published ``orders``, ``order_items``, ``products``, ``users``,
        ``tickets`` and ``memberships``.
    w2
        World 2's parameters (the cost constants).
    """
    rng = rng_for(seed, "order_costs")
    orders, users = tables["orders"], tables["users"]
    # Each order's customer: their city tier sets the courier's price, their region
    # whether a warehouse of its own serves them (e.g. the west, from the central one).
    who = pd.Index(users["user_id"]).get_indexer(orders["user_id"])
    assert (who >= 0).all(), "every order has its customer in users"
    tier, region = users["city_tier"].array, users["region"].array
    shipping_of_tier = _per_code(tier, lambda c: w2.shipping_by_tier.get(c, np.nan))
    elsewhere_of_region = _per_code(region, lambda r: r not in WAREHOUSES)
    units = orders["items"].to_numpy()
    served_elsewhere = elsewhere_of_region[region.codes[who]]
    shipping = shipping_of_tier[tier.codes[who]] + w2.shipping_per_extra_unit * (units - 1)
    shipping *= np.where(served_elsewhere, w2.shipping_other_region, 1.0)
    del who, served_elsewhere

    # Gift boxes in each order (order items hold each product once per order).
    items, prods = tables["order_items"], tables["products"]
    gift = items["product_id"].isin(
        prods.loc[prods["category"] == "gift_box", "product_id"]).to_numpy()
    at = pd.Index(orders["order_id"]).get_indexer(items["order_id"].to_numpy()[gift])
    n_gifts = np.bincount(at, weights=items["quantity"].to_numpy()[gift], minlength=len(orders))
    packaging = w2.packaging_base + w2.packaging_per_unit * units + w2.packaging_gift_box * n_gifts
    del gift, at, n_gifts

    fee = orders["amount"].to_numpy() * w2.payment_fee_rate

    # Plus members at the time of the order get priority shipping.
    m = tables["memberships"]
    of_members = orders.loc[orders["user_id"].isin(m["user_id"]),
                            ["order_id", "user_id", "order_time"]]
    periods = m.merge(of_members, on="user_id")
    day = periods["order_time"].dt.normalize()
    inside = (day >= periods["start_date"]) & (day <= periods["end_date"])
    member = orders["order_id"].isin(periods.loc[inside, "order_id"]).to_numpy()
    benefit = np.where(member, w2.member_priority_shipping, 0.0)
    del of_members, periods, day, inside, member

    late = (orders["delivery_days"] > orders["promised_days"]).to_numpy()
    t = tables["tickets"]
    quality = orders["order_id"].isin(
        t.loc[t["reason"].isin(["product_quality", "wrong_item"]), "order_id"]).to_numpy()
    chance = 1 - ((1 - w2.return_base) * (1 - w2.return_if_late * late)
                  * (1 - w2.return_if_quality_ticket * quality))
    returned = rng.random(len(orders)) < chance
    return pd.DataFrame(dict(
        order_id=orders["order_id"].to_numpy(),
        shipping=np.round(shipping, 2),
        packaging=np.round(packaging, 2),
        payment_fee=np.round(fee, 2),
        member_benefit=benefit,
        returned=returned,
        refund=np.where(returned, orders["amount"].to_numpy(), 0.0),
    ))


def _per_code(labels: pd.Categorical, value: Callable[[str], object]) -> np.ndarray:
    """``value`` of each category of ``labels``, then of a missing label (``"nan"``, as
    ``astype(str)`` has it), so that indexing with the codes (-1 when missing) looks
    up every row's value."""
    return np.array([value(str(c)) for c in labels.categories] + [value("nan")])
