"""User features: one row per user with what tags and models read (orders, spend,
visits, favourite category ...)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from coursekit._arrays import distinct
from coursekit.errors import DataError
from coursekit.inputs import columns, unique_key
from coursekit.segments._shared import (
    _MAX_I8,
    _MIN_I8,
    _asof,
    _codes,
    _day_number,
    _day_numbers,
    _labels_column,
    _ns,
    _ts_ns,
)

__all__ = ["user_features"]


_USER_COLUMNS = ("channel", "city_tier", "age_band", "gender", "device")


_EVENT_COUNTS = {"view": "views", "search": "searches", "add_to_cart": "carts",
                 "share": "shares", "invite": "invites"}


def user_features(
    users: pd.DataFrame,
    orders: pd.DataFrame,
    events: pd.DataFrame,
    *,
    asof: object = None,
    customer: str = "user_id",
    at: str = "order_time",
    amount: str = "amount",
    discount: str | None = "discount",
    event_at: str = "event_time",
    event_type: str = "event_type",
    session: str = "session_id",
    signup_at: str | None = "signup_time",
    order_items: pd.DataFrame | None = None,
    products: pd.DataFrame | None = None,
    order_key: str = "order_id",
    product: str = "product_id",
    category: str = "category",
) -> pd.DataFrame:
    """A small per-user feature table to build tags from.

    Every user of ``users`` who signed up before ``asof`` gets one row, from
    the orders and events before ``asof``:

    - who (copied from ``users`` when present): ``channel``, ``city_tier``,
      ``age_band``, ``gender``, ``device``; ``tenure_days`` (calendar days
      since sign-up, when ``users`` has ``signup_at``);
    - buying: ``orders``, ``spend``, ``avg_order_value`` (NaN without
      orders), ``recency_days`` (calendar days since the last order, NaN
      without orders), ``coupon_orders`` and ``coupon_share`` (orders with a
      ``discount`` above 0, and their share of the orders; NaN when there is
      no discount column or no order);
    - using the app: ``sessions``, ``active_days`` (distinct days with an
      event), ``days_since_active``, ``weekend_share`` and
      ``late_night_share`` (shares of the sessions starting on Saturday or
      Sunday, and between 22:00 and 05:59; NaN without sessions), counts of
      ``views``, ``searches``, ``carts`` (add to cart), ``shares``,
      ``invites``;
    - ``favourite_category``: the category the user spent most on (ties: the
      first in the category order), when ``order_items`` and ``products``
      are given; else NaN.

    Parameters
    ----------
    users, orders, events
        The course tables (or tables with the same columns); every customer
        of ``orders`` and ``events`` must be in ``users``.
    asof
        The moment described; later rows are ignored. Default: midnight
        after the last day of orders or events.
    customer
        Name of the user-id column in all the tables (for the course data:
        ``"user_id"``).
    at, amount, discount
        Order time, amount and discount columns of ``orders``; ``discount=None``
        (or a table without that column) skips coupon use.
    event_at, event_type, session
        Event time, type and session-id columns of ``events``.
    signup_at
        Sign-up time column of ``users`` (None: no tenure, and every user is kept).
    order_items, products, order_key, product, category
        Optional order lines (``order_key``, ``product``, ``amount``) and
        catalogue (``product``, ``category``) for the favourite category.

    Returns
    -------
    pandas.DataFrame
        Index: user id (sorted), one row per user; the columns above.

    Raises
    ------
    DataError
        Bad input in any table (named with its column), orders or events of
        users missing from ``users``, ``asof`` not after the first row.

    Examples
    --------
    >>> import pandas as pd
    >>> users = pd.DataFrame({"user_id": [1, 2], "city_tier": ["1", "3"]})
    >>> orders = pd.DataFrame({"user_id": [1, 1], "order_time": pd.to_datetime(
    ...     ["2025-06-07 10:00", "2025-06-20 23:00"]), "amount": [80.0, 40.0],
    ...     "discount": [10.0, 0.0]})
    >>> events = pd.DataFrame({"user_id": [1, 1, 2], "session_id": [1, 2, 3],
    ...     "event_time": pd.to_datetime(["2025-06-07 09:55", "2025-06-20 22:50",
    ...                                   "2025-06-21 12:00"]),
    ...     "event_type": ["view", "view", "search"]})
    >>> f = user_features(users, orders, events)
    >>> f[["orders", "spend", "recency_days", "coupon_share"]]  # doctest: +NORMALIZE_WHITESPACE
             orders  spend  recency_days  coupon_share
    user_id
    1             2  120.0           2.0           0.5
    2             0    0.0           NaN           NaN
    >>> f[["sessions", "weekend_share", "late_night_share"]]  # doctest: +NORMALIZE_WHITESPACE
             sessions  weekend_share  late_night_share
    user_id
    1               2            0.5               0.5
    2               1            1.0               0.0
    """
    u = columns(users, "users", ids=[customer],
                times=[signup_at] if signup_at is not None and signup_at in users.columns
                else [])
    use_discount = discount is not None and isinstance(orders, pd.DataFrame) and (
        discount in orders.columns)
    o = columns(orders, "orders", ids=[customer], times=[at],
                amounts=[amount, discount] if use_discount else [amount], allow_empty=True)
    if order_key is not None and order_key in orders.columns:
        unique_key(orders, "orders", order_key)  # a repeated order would count twice
    e = columns(events, "events", ids=[customer, session], times=[event_at], allow_empty=True)
    kinds = _labels_column(events, "events", event_type)
    if not u[customer].is_unique:
        dup = u[customer].duplicated()
        raise DataError("users appear more than once", table="users", column=customer,
                        rows=users.loc[dup.to_numpy(), [customer]].head(5),
                        fix="keep one row per user")
    if len(o) + len(e) == 0:
        raise DataError("no orders and no events", table="orders",
                        fix="pass the orders and events of these users")
    latest = max(x for x in (o[at].max(), e[event_at].max()) if x is not pd.NaT)
    earliest = min(x for x in (o[at].min(), e[event_at].min()) if x is not pd.NaT)
    when = _asof(asof, latest, earliest, "orders")
    when_ns = _ts_ns(when)
    day_asof = _day_number(when)

    ids = pd.Index(u[customer].to_numpy())
    order = None
    if not ids.is_monotonic_increasing:
        try:
            order = np.argsort(ids.to_numpy(), kind="stable")
        except TypeError:  # ids of mixed types: keep the table's order
            order = None
        if order is not None:
            ids = ids[order]
    has_signup = signup_at is not None and signup_at in u.columns
    signup_ok = np.ones(len(ids), dtype=bool)
    if has_signup:
        signup = _ns(u[signup_at])
        signup = signup[order] if order is not None else signup
        signup_ok = signup < when_ns

    def locate(values: np.ndarray, table: str) -> np.ndarray:
        pos = ids.get_indexer(values)
        if (pos < 0).any():
            missing = pd.Index(values[pos < 0]).unique()
            raise DataError(
                f"{len(missing):,} user(s) of {table} are not in users",
                table=table,
                column=customer,
                rows=pd.DataFrame({customer: missing[:5]}),
                fix=f"users must list every user of {table} (check the id column's type)",
            )
        return pos

    n = len(ids)
    o_time = _ns(o[at])
    om = o_time < when_ns
    o_pos = locate(o[customer].to_numpy(), "orders")
    o_sel = o_pos[om]
    n_orders = np.bincount(o_sel, minlength=n).astype(np.int64)
    spend = np.bincount(o_sel, weights=o[amount].to_numpy()[om], minlength=n)
    last = np.full(n, _MIN_I8, dtype=np.int64)
    np.maximum.at(last, o_sel, o_time[om])
    bought = n_orders > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        aov = np.where(bought, spend / np.maximum(n_orders, 1), np.nan)
    recency = np.where(bought, day_asof - _day_numbers(last.view("datetime64[ns]")), np.nan)
    if use_discount:
        with_coupon = (o[discount].to_numpy() > 0)[om]
        coupon_orders = np.bincount(o_sel[with_coupon], minlength=n).astype(np.float64)
        coupon_share = np.where(bought, coupon_orders / np.maximum(n_orders, 1), np.nan)
    else:
        coupon_orders = np.full(n, np.nan)
        coupon_share = np.full(n, np.nan)

    e_time = _ns(e[event_at])
    em = e_time < when_ns
    e_pos = locate(e[customer].to_numpy(), "events")[em]
    e_time = e_time[em]
    s_code, _ = _codes(e[session].to_numpy()[em])
    n_sess = int(s_code.max()) + 1 if len(s_code) else 0
    s_start = np.full(n_sess, _MAX_I8, dtype=np.int64)
    np.minimum.at(s_start, s_code, e_time)
    s_user = np.zeros(n_sess, dtype=np.int64)
    s_user[s_code] = e_pos
    sessions = np.bincount(s_user, minlength=n).astype(np.int64)
    start = s_start.view("datetime64[ns]")
    s_day = _day_numbers(start)
    weekday = (s_day + 3) % 7  # 1970-01-01 was a Thursday; 0 = Monday
    hour = (s_start // (3600 * 10**9)) % 24
    weekend = np.bincount(s_user, weights=(weekday >= 5).astype(np.float64), minlength=n)
    night = np.bincount(s_user, weights=((hour >= 22) | (hour < 6)).astype(np.float64),
                        minlength=n)
    with np.errstate(divide="ignore", invalid="ignore"):
        weekend_share = np.where(sessions > 0, weekend / np.maximum(sessions, 1), np.nan)
        night_share = np.where(sessions > 0, night / np.maximum(sessions, 1), np.nan)
    e_day = _day_numbers(e_time.view("datetime64[ns]"))
    if len(e_day):
        lo_day = int(e_day.min())
        width = int(e_day.max()) - lo_day + 1
        pairs = distinct(e_pos * width + (e_day - lo_day))
        active_days = np.bincount(pairs // width, minlength=n).astype(np.int64)
    else:
        active_days = np.zeros(n, dtype=np.int64)
    last_e = np.full(n, _MIN_I8, dtype=np.int64)
    np.maximum.at(last_e, e_pos, e_time)
    since_active = np.where(last_e > _MIN_I8,
                            day_asof - _day_numbers(np.maximum(last_e, 0).view("datetime64[ns]")),
                            np.nan)
    type_codes, type_labels = pd.factorize(kinds.to_numpy()[em])
    counts = {}
    for label, name in _EVENT_COUNTS.items():
        hit = np.flatnonzero(np.asarray(type_labels, dtype=object) == label)
        sel = type_codes == hit[0] if len(hit) else np.zeros(len(type_codes), dtype=bool)
        counts[name] = np.bincount(e_pos[sel], minlength=n).astype(np.int64)

    out = pd.DataFrame(index=ids.rename(customer))
    for c in _USER_COLUMNS:
        if c in users.columns:
            values = users[c].to_numpy() if order is None else users[c].to_numpy()[order]
            out[c] = pd.Series(values, index=out.index, dtype=users[c].dtype)
    if has_signup:
        out["tenure_days"] = day_asof - _day_numbers(signup.view("datetime64[ns]"))
    out["orders"] = n_orders
    out["spend"] = np.round(spend, 6)
    out["avg_order_value"] = aov
    out["recency_days"] = recency
    out["coupon_orders"] = coupon_orders
    out["coupon_share"] = coupon_share
    out["sessions"] = sessions
    out["active_days"] = active_days
    out["days_since_active"] = since_active
    out["weekend_share"] = weekend_share
    out["late_night_share"] = night_share
    for name, values in counts.items():
        out[name] = values
    out["favourite_category"] = _favourite(
        order_items, products, o, om, o_pos, n, order_id=order_key, product=product,
        category=category, amount=amount, orders_table=orders)
    return out[signup_ok]


def _favourite(
    order_items: pd.DataFrame | None,
    products: pd.DataFrame | None,
    o: pd.DataFrame,
    om: np.ndarray,
    o_pos: np.ndarray,
    n: int,
    *,
    order_id: str,
    product: str,
    category: str,
    amount: str,
    orders_table: pd.DataFrame,
) -> pd.Categorical | np.ndarray:
    if order_items is None or products is None:
        return np.full(n, np.nan, dtype=object)
    oid = columns(orders_table, "orders", ids=[order_id])[order_id]
    items = columns(order_items, "order_items", ids=[order_id, product], amounts=[amount])
    prod = columns(products, "products", ids=[product])
    cats = pd.Categorical(_labels_column(products, "products", category))
    if not prod[product].is_unique:
        raise DataError("products appear more than once", table="products", column=product,
                        fix="one row per product: products.drop_duplicates(subset=[product])")
    row_of_order = pd.Index(oid.to_numpy()[om])
    if not row_of_order.is_unique:
        raise DataError("orders appear more than once", table="orders", column=order_id,
                        fix="one row per order: find why they repeat (a join?)")
    user_of_order = o_pos[om]
    pos = row_of_order.get_indexer(items[order_id].to_numpy())
    p_pos = pd.Index(prod[product].to_numpy()).get_indexer(items[product].to_numpy())
    if (p_pos < 0).any():
        missing = items[product][p_pos < 0].unique()[:5]
        raise DataError("order lines with products missing from products", table="order_items",
                        column=product, rows=pd.DataFrame({product: missing}))
    keep = pos >= 0  # lines of orders before asof (and of known orders)
    k = len(cats.categories)
    user = user_of_order[pos[keep]]
    cat = cats.codes[p_pos[keep]].astype(np.int64)
    spend = np.bincount(user * k + cat, weights=items[amount].to_numpy()[keep],
                        minlength=n * k).reshape(n, k)
    best = spend.argmax(axis=1)
    codes = np.where(spend.max(axis=1) > 0, best, -1)
    return pd.Categorical.from_codes(codes, categories=cats.categories)
