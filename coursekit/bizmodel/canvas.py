"""The business model canvas (商业模式画布): nine blocks, two of them filled from the data."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from coursekit.bizmodel.orders import order_lines
from coursekit.bizmodel.revenue import revenue_streams
from coursekit.bizmodel.stores import store_lines
from coursekit.errors import ArgumentError
from coursekit.inputs import columns

__all__ = ["BLOCKS", "Canvas", "canvas_amounts"]

#: The nine blocks: field name -> (English title, Chinese title), in reading order.
BLOCKS = {
    "key_partners": ("Key partners", "重要合作"),
    "key_activities": ("Key activities", "关键业务"),
    "key_resources": ("Key resources", "核心资源"),
    "value_propositions": ("Value propositions", "价值主张"),
    "customer_relationships": ("Customer relationships", "客户关系"),
    "channels": ("Channels", "渠道通路"),
    "customer_segments": ("Customer segments", "客户细分"),
    "cost_structure": ("Cost structure", "成本结构"),
    "revenue_streams": ("Revenue streams", "收入来源"),
}

_REVENUE = {"online_orders": "线上订单 online orders", "store_sales": "门店销售 store sales",
            "membership_fees": "会员费 Plus membership"}
_COSTS = {"goods": "商品成本 product cost", "fulfilment": "履约 fulfilment",
          "payment_fees": "支付手续费 payment fees", "member_benefit": "会员权益 member benefit",
          "refunds": "退款 refunds", "coupons": "优惠券 coupons",
          "referral_rewards": "老带新奖励 referral rewards",
          "paid_acquisition": "付费获客 paid acquisition", "store_rent": "门店租金 store rent",
          "store_staff": "门店人工 store staff"}


def canvas_amounts(
    orders: pd.DataFrame,
    items: pd.DataFrame,
    products: pd.DataFrame,
    costs: pd.DataFrame,
    memberships: pd.DataFrame,
    store_months: pd.DataFrame,
    stores: pd.DataFrame,
    spend: pd.DataFrame,
    referrals: pd.DataFrame,
    cost_rates: Mapping[str, object] | pd.DataFrame,
    *,
    referral_channel: str | None = "referral",
) -> pd.DataFrame:
    """The yuan amounts of the canvas's revenue streams and cost structure, with shares.

    Revenue streams (:func:`coursekit.bizmodel.revenue_streams` over the
    whole span): online orders (paid, after coupons), store sales,
    membership fees. Cost structure:

    - ``goods``: the online orders' product cost plus the stores' cost of
      goods (sales x (1 - store gross margin));
    - ``fulfilment``: shipping and packaging of online orders;
    - ``payment_fees``, ``member_benefit``, ``refunds``: the other cost
      lines of :data:`coursekit.metrics.COST_LINES`;
    - ``coupons``: the discounts given (price - paid). Revenue is counted
      after them, so they are money given up rather than spent; they are
      listed because they are a lever the company pulls like a cost;
    - ``referral_rewards``: ``referrals.reward``;
    - ``paid_acquisition``: ``channel_spend.spend`` of every channel except
      ``referral_channel``, whose spend *is* the referral rewards (counting
      both would count that money twice; ``None`` keeps every channel);
    - ``store_rent`` and ``store_staff``: :func:`coursekit.bizmodel.store_lines`.

    Use the tables of one span: filter them to the same dates first.

    Parameters
    ----------
    orders, items, products, costs
        As :func:`coursekit.bizmodel.order_lines` (the course tables
        ``orders``, ``order_items``, ``products``, ``order_costs``).
    memberships, store_months, stores, spend, referrals
        The course tables of those names (``spend`` is ``channel_spend``).
    cost_rates
        The store cost parameters (see :func:`coursekit.bizmodel.store_lines`).
    referral_channel
        The channel of ``spend`` that the referral rewards already count.

    Returns
    -------
    pandas.DataFrame
        Indexed by (``block``, ``item``), block ``"revenue_streams"`` then
        ``"cost_structure"``, items largest first: ``label`` (Chinese and
        English), ``amount`` (yuan) and ``share`` (of the block's total).

    Raises
    ------
    DataError
        As the functions it calls; bad columns of ``spend`` or ``referrals``.

    Examples
    --------
    >>> import pandas as pd
    >>> orders = pd.DataFrame({"order_id": [1], "order_time": pd.to_datetime(["2025-01-03"]),
    ...                        "gross_amount": [110.0], "amount": [100.0]})
    >>> items = pd.DataFrame({"order_id": [1], "product_id": [7], "quantity": [2]})
    >>> products = pd.DataFrame({"product_id": [7], "unit_cost": [20.0]})
    >>> costs = pd.DataFrame({"order_id": [1], "shipping": [8.0], "packaging": [2.0],
    ...                       "payment_fee": [0.6], "member_benefit": [0.0], "refund": [0.0]})
    >>> memberships = pd.DataFrame({"start_date": pd.to_datetime(["2025-01-05"]),
    ...                             "price": [100.0]})
    >>> months = pd.DataFrame({"store_id": [1], "month": pd.to_datetime(["2025-01-01"]),
    ...                        "revenue": [800.0], "staff_hours": [10.0]})
    >>> stores = pd.DataFrame({"store_id": [1], "city_tier": ["1"], "area_sqm": [1],
    ...                        "format": ["mall_kiosk"]})
    >>> rates = {"rent_per_sqm_month": {"1": 100.0}, "pay_per_staff_hour": {"1": 20.0},
    ...          "store_gross_margin": 0.5, "fit_out": {"mall_kiosk": 1000.0}}
    >>> spend = pd.DataFrame({"channel": ["ads", "referral"], "spend": [50.0, 20.0]})
    >>> referrals = pd.DataFrame({"reward": [20.0]})
    >>> t = canvas_amounts(orders, items, products, costs, memberships, months, stores,
    ...                    spend, referrals, rates)
    >>> t.loc["revenue_streams", "amount"].to_dict()
    {'store_sales': 800.0, 'online_orders': 100.0, 'membership_fees': 100.0}
    >>> t.loc[("cost_structure", "goods"), "amount"]  # 2 x 20 online + 800 x 0.5 in stores
    np.float64(440.0)
    """
    streams = revenue_streams(orders, memberships, store_months)
    revenue = {k: float(streams.loc["all", k]) for k in _REVENUE}
    lines = order_lines(orders, items, products, costs)
    shops = store_lines(store_months, stores, cost_rates)
    s = columns(spend, "spend", ids=["channel"], amounts=["spend"], allow_empty=True)
    r = columns(referrals, "referrals", amounts=["reward"], allow_empty=True)
    paid = s["spend"] if referral_channel is None else s.loc[
        s["channel"].astype(str) != str(referral_channel), "spend"]
    cost = {
        "goods": float(lines["goods"].sum() + shops["goods"].sum()),
        "fulfilment": float(lines["shipping"].sum() + lines["packaging"].sum()),
        "payment_fees": float(lines["payment_fee"].sum()),
        "member_benefit": float(lines["member_benefit"].sum()),
        "refunds": float(lines["refund"].sum()),
        "coupons": float(lines["discount"].sum()),
        "referral_rewards": float(r["reward"].sum()),
        "paid_acquisition": float(paid.sum()),
        "store_rent": float(shops["rent"].sum()),
        "store_staff": float(shops["staff_pay"].sum()),
    }
    parts = []
    for block, amounts, labels in (("revenue_streams", revenue, _REVENUE),
                                   ("cost_structure", cost, _COSTS)):
        frame = pd.DataFrame({"label": [labels[k] for k in amounts],
                              "amount": list(amounts.values())},
                             index=pd.MultiIndex.from_product([[block], list(amounts)],
                                                              names=["block", "item"]))
        total = frame["amount"].sum()
        frame["share"] = frame["amount"] / total if total > 0 else float("nan")
        parts.append(frame.sort_values("amount", ascending=False, kind="stable"))
    return pd.concat(parts)


def _yuan(amount: float) -> str:
    """An amount in 万 (10,000 yuan), or in yuan when it is less than one 万.

    >>> _yuan(58_620_000.0), _yuan(123_456.0), _yuan(3_479.0)
    ('¥5,862万', '¥12万', '¥3,479')
    """
    return f"¥{amount / 1e4:,.0f}万" if abs(amount) >= 1e4 else f"¥{amount:,.0f}"


def _percent(share: float) -> str:
    """A share as a percentage, with a decimal below 10 % (0.4 % is not 0 %), "<0.1%" below."""
    if share >= 0.1:
        return f"{share:.0%}"
    return f"{share:.1%}" if share >= 0.001 else "<0.1%"


def _entries(value: object, name: str) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ArgumentError(f"{name} must be a list of short texts", name=name, value=value,
                            fix=f"e.g. {name}=['健康零食 healthy snacks'] (a list, even of one)")
    entries = tuple(value)
    bad = [v for v in entries if not isinstance(v, str)]
    if bad:
        raise ArgumentError(f"{name} holds entries that are not text", name=name,
                            value=bad[:3], fix="write each entry as a short text")
    return entries


@dataclass(frozen=True)
class Canvas:
    """The nine blocks of the business model canvas, each a list of short texts.

    Create one with the blocks you know (any left out are empty), or with
    :meth:`from_data`, which fills the revenue streams and the cost
    structure from the company's tables; fill the rest with
    ``dataclasses.replace(canvas, value_propositions=[...])`` or
    :meth:`with_blocks`. :func:`coursekit.plots.canvas` draws it.
    :data:`BLOCKS` gives each block's English and Chinese title.

    Attributes
    ----------
    key_partners, key_activities, key_resources, value_propositions
        The left and middle of the canvas (who helps, what the company does
        and needs, what it offers).
    customer_relationships, channels, customer_segments
        The right of the canvas (how it keeps, reaches and chooses its
        customers).
    cost_structure, revenue_streams
        The bottom: where the money goes and where it comes from.

    Raises
    ------
    ArgumentError
        A block that is not a list of texts (a bare text would be split into
        characters).

    Examples
    --------
    >>> c = Canvas(value_propositions=["健康零食 healthy snacks", "次日达 next-day delivery"])
    >>> c.value_propositions
    ('健康零食 healthy snacks', '次日达 next-day delivery')
    >>> c.with_blocks(channels=["小程序 mini-program"]).channels
    ('小程序 mini-program',)
    """

    key_partners: tuple[str, ...] = ()
    key_activities: tuple[str, ...] = ()
    key_resources: tuple[str, ...] = ()
    value_propositions: tuple[str, ...] = ()
    customer_relationships: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    customer_segments: tuple[str, ...] = ()
    cost_structure: tuple[str, ...] = ()
    revenue_streams: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in BLOCKS:
            object.__setattr__(self, name, _entries(getattr(self, name), name))

    def with_blocks(self, **blocks: Iterable[str]) -> Canvas:
        """A copy with the given blocks replaced (names as in :data:`BLOCKS`).

        Examples
        --------
        >>> Canvas().with_blocks(key_partners=["顺丰 courier"]).key_partners
        ('顺丰 courier',)
        """
        unknown = [b for b in blocks if b not in BLOCKS]
        if unknown:
            raise ArgumentError(f"unknown block(s) {unknown}", name=unknown[0],
                                allowed=f"one of {list(BLOCKS)}")
        return dataclasses.replace(self, **blocks)  # type: ignore[arg-type]

    @classmethod
    def from_data(
        cls,
        orders: pd.DataFrame,
        items: pd.DataFrame,
        products: pd.DataFrame,
        costs: pd.DataFrame,
        memberships: pd.DataFrame,
        store_months: pd.DataFrame,
        stores: pd.DataFrame,
        spend: pd.DataFrame,
        referrals: pd.DataFrame,
        cost_rates: Mapping[str, object] | pd.DataFrame,
        *,
        referral_channel: str | None = "referral",
        blocks: Mapping[str, Iterable[str]] | None = None,
    ) -> Canvas:
        """A canvas whose revenue streams and cost structure come from the tables.

        Each entry reads ``"<label> ¥<amount>万 (<share>)"`` (万: 10,000 yuan;
        under ¥1万 the amount in yuan),
        largest first, with the amounts and shares of :func:`canvas_amounts`
        (revenue shares of total revenue, cost shares of total cost).

        Parameters
        ----------
        orders, items, products, costs, memberships, store_months, stores, spend, referrals
            The course tables (``items`` is ``order_items``, ``costs``
            ``order_costs``, ``spend`` ``channel_spend``), with their own
            column names.
        cost_rates
            The store cost parameters (see :func:`coursekit.bizmodel.store_lines`).
        referral_channel
            As :func:`canvas_amounts`.
        blocks
            The other blocks, if already known (block name -> texts).

        Returns
        -------
        Canvas

        Examples
        --------
        >>> import coursekit
        >>> t = {n: coursekit.load(n) for n in ("orders", "order_items", "products",
        ...      "order_costs", "memberships", "store_months", "stores", "channel_spend",
        ...      "referrals")}
        >>> c = Canvas.from_data(*t.values(), coursekit.load("cost_rates"))
        >>> len(c.revenue_streams), len(c.cost_structure), c.key_partners
        (3, 10, ())
        >>> any(s.startswith("线上订单 online orders ¥") for s in c.revenue_streams)
        True
        """
        table = canvas_amounts(orders, items, products, costs, memberships, store_months,
                               stores, spend, referrals, cost_rates,
                               referral_channel=referral_channel)
        filled = {
            block: [f"{row.label} {_yuan(row.amount)} ({_percent(row.share)})"
                    for row in table.loc[block].itertuples()]
            for block in ("revenue_streams", "cost_structure")
        }
        other = dict(blocks or {})
        unknown = [b for b in other if b not in BLOCKS or b in filled]
        if unknown:
            raise ArgumentError(f"blocks names {unknown}, which are not blocks to fill",
                                name="blocks", allowed=f"{[b for b in BLOCKS if b not in filled]}")
        return cls(**other, **filled)  # type: ignore[arg-type]
