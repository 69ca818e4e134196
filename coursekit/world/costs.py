"""Generator step for World 2's cost of serving an order: the ``order_costs`` table.

Everything an online order costs beyond its products, so that a lesson can
compute the contribution margin of an order, a member and a channel:
courier, packaging, the payment processor's fee, priority shipping for Plus
members, and returns. It works on the published tables (orders, their items,
users, tickets, memberships), which already say all it needs.
"""

from __future__ import annotations

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
    orders, users = tables["orders"], tables["users"].set_index("user_id")
    who = users.loc[orders["user_id"]]
    tier = who["city_tier"].astype(str).to_numpy()
    region = who["region"].astype(str).to_numpy()
    units = orders["items"].to_numpy()
    served_elsewhere = ~np.isin(region, WAREHOUSES)  # e.g. the west, from the central one
    shipping = (pd.Series(tier).map(w2.shipping_by_tier).to_numpy()
                + w2.shipping_per_extra_unit * (units - 1))
    shipping *= np.where(served_elsewhere, w2.shipping_other_region, 1.0)

    items = tables["order_items"].merge(tables["products"][["product_id", "category"]])
    gifts = items.loc[items["category"] == "gift_box"].groupby("order_id")["quantity"].sum()
    n_gifts = orders["order_id"].map(gifts).fillna(0).to_numpy()
    packaging = w2.packaging_base + w2.packaging_per_unit * units + w2.packaging_gift_box * n_gifts

    fee = orders["amount"].to_numpy() * w2.payment_fee_rate

    # Plus members at the time of the order get priority shipping.
    m = tables["memberships"]
    periods = m.merge(orders[["order_id", "user_id", "order_time"]], on="user_id")
    day = periods["order_time"].dt.normalize()
    inside = (day >= periods["start_date"]) & (day <= periods["end_date"])
    member_orders = set(periods.loc[inside, "order_id"])
    member = orders["order_id"].isin(member_orders).to_numpy()
    benefit = np.where(member, w2.member_priority_shipping, 0.0)

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
