"""Unit economics (单位经济模型) by name: :func:`unit_economics` calls the function of
one unit, each in a module of its own:

- :func:`~coursekit.bizmodel.orders.order_economics`: one online order (price,
  discount, product cost, fulfilment, payment fee, member benefit, refund), the
  averages of :func:`coursekit.metrics.contribution_margin`;
- :func:`~coursekit.bizmodel.members.member_economics`: one member-year of the
  paid membership;
- :func:`~coursekit.bizmodel.stores.store_economics`: one store-month, and the
  months the fit-out takes to pay back;
- :func:`~coursekit.bizmodel.customers.customer_economics`: one acquired
  customer of a paid channel, over their first months, against the acquisition
  cost (CAC), with the payback.

Each returns a :class:`~coursekit.bizmodel.units.UnitEconomics`.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from coursekit.bizmodel.customers import customer_economics
from coursekit.bizmodel.members import member_economics
from coursekit.bizmodel.orders import order_economics
from coursekit.bizmodel.stores import store_economics
from coursekit.bizmodel.units import UnitEconomics
from coursekit.errors import ArgumentError
from coursekit.inputs import choice

__all__ = ["KINDS", "unit_economics"]

#: The units :func:`unit_economics` knows.
KINDS = ("order", "member", "store", "customer")


def unit_economics(
    kind: str,
    *,
    orders: pd.DataFrame | None = None,
    items: pd.DataFrame | None = None,
    products: pd.DataFrame | None = None,
    costs: pd.DataFrame | None = None,
    memberships: pd.DataFrame | None = None,
    users: pd.DataFrame | None = None,
    stores: pd.DataFrame | None = None,
    store_months: pd.DataFrame | None = None,
    spend: pd.DataFrame | None = None,
    cost_rates: Mapping[str, object] | pd.DataFrame | None = None,
    by: str | None = None,
) -> UnitEconomics:
    """Unit economics of one order, member, store or acquired customer, every line shown.

    Calls :func:`order_economics`, :func:`member_economics`,
    :func:`store_economics` or :func:`customer_economics` with the tables it
    needs and the course tables' column names (call those directly for other
    column names or options):

    ========== ==========================================================
    kind       tables
    ========== ==========================================================
    order      orders, items, products, costs
    member     memberships, orders, items, products, costs, users
    store      store_months, stores, cost_rates
    customer   orders, items, products, costs, users, spend
    ========== ==========================================================

    Parameters
    ----------
    kind
        ``"order"``, ``"member"``, ``"store"`` or ``"customer"``.
    orders, items, products, costs, memberships, users, stores, store_months, spend
        The course tables (``items`` is ``order_items``, ``costs``
        ``order_costs``, ``spend`` ``channel_spend``).
    cost_rates
        The store cost parameters (see :func:`store_lines`).
    by
        Split orders or stores by a column (``kind="order"`` or ``"store"``
        only; customers are always split by channel).

    Returns
    -------
    UnitEconomics

    Raises
    ------
    ArgumentError
        An unknown ``kind``, a table it needs missing, ``by`` for members or
        customers.

    Examples
    --------
    >>> import pandas as pd
    >>> months = pd.DataFrame({"store_id": [1], "revenue": [90000.0], "staff_hours": [600.0]})
    >>> stores = pd.DataFrame({"store_id": [1], "city_tier": ["2"], "area_sqm": [40],
    ...                        "format": ["mall_kiosk"]})
    >>> rates = {"rent_per_sqm_month": {"2": 250.0}, "pay_per_staff_hour": {"2": 25.0},
    ...          "store_gross_margin": 0.5, "fit_out": {"mall_kiosk": 150000.0}}
    >>> ue = unit_economics("store", store_months=months, stores=stores, cost_rates=rates)
    >>> float(ue.contribution["all"]), float(ue.payback_months["all"])
    (20000.0, 7.5)
    """
    choice("kind", kind, KINDS)
    given = {"orders": orders, "items": items, "products": products, "costs": costs,
             "memberships": memberships, "users": users, "stores": stores,
             "store_months": store_months, "spend": spend, "cost_rates": cost_rates}
    need = {"order": ["orders", "items", "products", "costs"],
            "member": ["memberships", "orders", "items", "products", "costs", "users"],
            "store": ["store_months", "stores", "cost_rates"],
            "customer": ["orders", "items", "products", "costs", "users", "spend"]}[kind]
    missing = [n for n in need if given[n] is None]
    if missing:
        raise ArgumentError(f"kind={kind!r} needs the table(s) {missing}", name=missing[0],
                            fix=f"pass {', '.join(f'{n}=...' for n in missing)}")
    if by is not None and kind in ("member", "customer"):
        raise ArgumentError(f"by is not used for kind={kind!r}", name="by", value=by,
                            allowed="None (customers are split by channel)")
    if kind == "order":
        return order_economics(orders, items, products, costs, by=by)  # type: ignore[arg-type]
    if kind == "member":
        return member_economics(memberships, orders, items, products, costs,  # type: ignore
                                users)
    if kind == "store":
        return store_economics(store_months, stores, cost_rates, by=by)  # type: ignore
    return customer_economics(orders, items, products, costs, users, spend)  # type: ignore
