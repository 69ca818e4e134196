"""Run the generator steps in order and assemble the published tables."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

import numpy as np
import pandas as pd

from coursekit.schema import MEMBER_TIER_CUTOFFS
from coursekit.world import (
    activity,
    cases,
    commerce,
    costs,
    growth_cases,
    marketing,
    media,
    membership,
    messaging,
    needs_cases,
    offline,
    people,
    personas,
    raw_exports,
    survey,
)
from coursekit.world import params as P
from coursekit.world._util import (
    group_positions,
    grouped_time_order,
    rng_for,
    seconds,
    sort_order,
)
from coursekit.world.blocks import BlockTable, block_sessions
from coursekit.world.calendar import build_calendar, festival_days


def _ts(t: np.ndarray) -> np.ndarray:
    """Days since START (float) to datetime64[s], rounded to the second."""
    out = seconds(t)
    out += np.datetime64(P.START, "s").astype(np.int64)
    return out.view("datetime64[s]")


def _cat_codes(present: np.ndarray, labels: list[str]) -> tuple[np.ndarray, list[str]]:
    """How :func:`_cat` codes a column in which the label codes ``present`` occur.

    Returns the new code of every label code (-1 for the absent) and the
    categories: the labels that occur, sorted.
    """
    labels_arr = np.asarray(labels)
    present = present[np.argsort(labels_arr[present], kind="stable")]
    remap = np.full(len(labels_arr), -1, dtype=np.int8)
    remap[present] = np.arange(len(present))
    return remap, list(labels_arr[present])


def _cat(codes: np.ndarray, labels: list[str]) -> pd.Categorical:
    """Categorical of ``labels[codes]`` built from codes (no per-row strings).

    Categories are the labels that occur, sorted, as ``pd.Categorical`` of the
    labels themselves would give.
    """
    remap, categories = _cat_codes(_present(codes, len(labels)), labels)
    return pd.Categorical.from_codes(remap[codes], categories=categories)


def _present(codes: np.ndarray, n_labels: int) -> np.ndarray:
    """The label codes that occur in ``codes``, ascending."""
    return np.flatnonzero(np.bincount(codes, minlength=n_labels))


def _nullable(values: np.ndarray, present: np.ndarray) -> pd.arrays.IntegerArray:
    """Nullable Int64 array: ``values`` where ``present``, missing elsewhere."""
    out = np.asarray(values, dtype=np.int64)
    if out is values:
        out = out.copy()
    out[~present] = 0
    return pd.arrays.IntegerArray(out, ~present)


def _moved(values: np.ndarray, dest: np.ndarray) -> np.ndarray:
    """Rows of ``values`` placed at positions ``dest`` (a permutation)."""
    out = np.empty_like(values)
    out[dest] = values
    return out


def _incident(name: str) -> dict:
    return next(i for i in P.INCIDENTS if i["name"] == name)


def _day(date: str) -> float:
    return float((pd.Timestamp(date) - pd.Timestamp(P.START)).days)


def _code(attribute: str, label: str) -> int:
    return people.code_of(attribute, label)


def _setup(s: SimpleNamespace) -> None:
    """What every step reads: parameters, calendar, products, labels."""
    prm = P.Params()
    s.w2 = P.World2() if s.world == 2 else None
    cal = build_calendar()
    end = float(cal.n_days)
    prods = commerce.products(s.company_seed)  # one catalogue for every shard
    L = people.LABELS
    s.prm, s.cal, s.end, s.prods, s.L = prm, cal, end, prods, L


def _users(s: SimpleNamespace) -> None:
    cal = s.cal
    n_users = s.n_users
    prm = s.prm
    seed = s.seed
    u = people.users(n_users, seed, cal, prm)
    if s.w2 is not None:
        personas.apply(seed, u)  # World 2: who they are, under what they do
        # as many stores as the size calls for, the better-run bringing more users
        st, quality = offline.stores(seed, s.w2.n_stores(n_users), every_format=True)
        u["store_id"] = offline.store_signups(seed, u, st, quality, s.w2)
        s.st_quality = st, quality
    true_channel = u["channel"].copy()
    s.true_channel = true_channel
    s.u = u


def _orders(s: SimpleNamespace) -> None:
    cal = s.cal
    prm = s.prm
    seed = s.seed
    u = s.u
    o = commerce.orders(seed, u, cal, prm, s.w2)
    s.o = o


def _referrals(s: SimpleNamespace) -> None:
    o = s.o
    prm = s.prm
    seed = s.seed
    true_channel = s.true_channel
    u = s.u
    if s.w2 is None:
        ref = people.referrals(seed, u, o["first_t"], prm)
    else:  # World 2: a good experience is the first order delivered on time
        on_time = np.flatnonzero(~o["late"])
        good_t = np.full(len(u["user_id"]), np.inf)
        np.minimum.at(good_t, o["user_idx"][on_time],
                      o["t"][on_time] + o["delivery_days"][on_time])
        ref = people.referrals_after_good_experience(seed, u, good_t, prm, s.w2)
    organic = _code("channel", "organic")
    true_channel = np.where(u["channel"] == organic, organic, true_channel).astype(np.int8)
    s.ref = ref
    s.true_channel = true_channel


def _campaigns(s: SimpleNamespace) -> None:
    o = s.o
    prm = s.prm
    seed = s.seed
    u = s.u
    assign, extra = marketing.campaigns(seed, u, o, prm, s.w2)
    s.assign = assign
    s.extra = extra


def _payment_bug(s: SimpleNamespace) -> None:
    end = s.end
    extra = s.extra
    o = s.o
    prm = s.prm
    seed = s.seed
    u = s.u
    del s.o  # freed as the step goes

    # Campaign orders join the base orders (delivered like any other order).
    rng = rng_for(seed, "campaign_orders")
    n_x = len(extra["t"])
    prom = commerce.PROMISED_DAYS_OF_TIER[u["city_tier"][extra["user_idx"]]]
    xo = dict(
        user_idx=extra["user_idx"],
        t=extra["t"],
        warehouse=commerce.WAREHOUSE_CODE_OF_REGION[u["region"][extra["user_idx"]]],
        promised_days=prom,
        delivery_days=prom - (rng.random(n_x) < 0.35),
        late=np.zeros(n_x, bool),
        complaint=rng.random(n_x) < prm.ticket_base,
        target_value=rng.gamma(prm.p, 1.0 / u["_nu"][extra["user_idx"]]),
        campaign=extra["campaign"],
    )
    allo = {k: np.concatenate([o[k], xo[k]]) for k in xo}
    del xo

    # Payment bug: a share of android checkouts in the window fail (World 1 half, World 2
    # 9 in 10); most retry after the fix.
    inc = _incident("payment_bug")
    rng = rng_for(seed, "payment_bug")
    lo, hi = _day(inc["start"]), _day(inc["end"]) + 1
    dev = u["device"][allo["user_idx"]]
    hit = (dev == _code("device", "android")) & (allo["t"] >= lo) & (allo["t"] < hi)
    rate = inc["failure_rate"] if s.w2 is None else s.w2.payment_bug_failure_rate
    fail = hit & (rng.random(len(hit)) < rate)
    failed = dict(user_idx=allo["user_idx"][fail], t=allo["t"][fail])
    retry = rng.random(len(hit)) < 0.6
    allo["t"] = np.where(fail & retry, hi + rng.exponential(2.0, len(hit)), allo["t"])
    keep = ~(fail & ~retry) & (allo["t"] < end)
    allo = {k: v[keep] for k, v in allo.items()}
    # Back to customer order (the base orders already are; a stable sort of one key).
    srt = grouped_time_order(allo["user_idx"], allo["t"])
    allo = {k: v[srt] for k, v in allo.items()}
    allo["first_t"], allo["alive_end"] = o["first_t"], o["alive_end"]
    allo["first_due"] = o["first_due"]
    del o, dev, hit, fail, retry, keep, srt
    s.allo = allo
    s.failed = failed


def _order_items(s: SimpleNamespace) -> None:
    allo = s.allo
    cal = s.cal
    prods = s.prods
    seed = s.seed
    u = s.u

    it = commerce.items(seed, allo, u, prods, cal)
    n_o = len(allo["t"])
    gross = np.bincount(it["order_pos"], weights=it["unit_price"] * it["quantity"], minlength=n_o)
    n_items = np.bincount(it["order_pos"], weights=it["quantity"], minlength=n_o)
    if s.w2 is None:  # World 1: only the orders a campaign brought use its coupon
        n_c = max(c["campaign_id"] for c in marketing.CAMPAIGNS) + 1
        coupon_of, thr_of = np.zeros(n_c), np.zeros(n_c)
        for c in marketing.CAMPAIGNS:
            coupon_of[c["campaign_id"]], thr_of[c["campaign_id"]] = c["coupon"], c["threshold"]
        disc, thr = coupon_of[allo["campaign"]], thr_of[allo["campaign"]]
        s.disc = np.where(gross >= thr, disc, 0.0)
        s.gross, s.it, s.n_items, s.n_o = gross, it, n_items, n_o
        return
    # World 2: every treated customer's first order in the campaign window that meets
    # the threshold uses the coupon, whether the campaign brought that order or it
    # would have come anyway (the second kind is the coupon's hidden cost).
    redeemed = np.zeros(n_o, dtype=bool)
    disc = np.zeros(n_o)
    brought = allo["campaign"] > 0  # the extra orders the campaigns caused
    camp = allo["campaign"].copy()
    a = s.assign
    coupons = {}
    for c in marketing.CAMPAIGNS:  # a handful of campaigns
        cid = c["campaign_id"]
        rows = (a["campaign_id"] == cid) & a["treated"]
        if not rows.any():
            continue
        treated = np.zeros(len(u["user_id"]), dtype=bool)
        treated[a["user_idx"][rows]] = True
        sent, w_end = a["sent_t"][rows][0], _day(c["start"]) + c["days"]
        use = (treated[allo["user_idx"]] & (allo["t"] >= sent) & (allo["t"] < w_end)
               & (gross >= c["threshold"]) & ((camp == 0) | (camp == cid)) & ~redeemed)
        at = np.flatnonzero(use)
        first = at[np.r_[True, allo["user_idx"][at][1:] != allo["user_idx"][at][:-1]]] \
            if len(at) else at  # orders are grouped by customer in time order
        redeemed[first], camp[first], disc[first] = True, cid, c["coupon"]
        anyway = first[~brought[first]]
        coupons[c["name"]] = dict(redeemed=int(len(first)), on_orders_that_came_anyway=int(
            len(anyway)), cost_on_orders_that_came_anyway=round(float(disc[anyway].sum()), 2))
    allo["campaign"] = camp
    s.coupon_truth = coupons
    s.disc = disc
    s.gross = gross
    s.it = it
    s.n_items = n_items
    s.n_o = n_o


def _tickets(s: SimpleNamespace) -> None:
    L = s.L
    allo = s.allo
    cal = s.cal
    disc = s.disc
    end = s.end
    gross = s.gross
    it = s.it
    n_items = s.n_items
    n_o = s.n_o
    seed = s.seed
    u = s.u
    del s.disc  # freed as the step goes
    del s.gross  # freed as the step goes
    del s.it  # freed as the step goes
    del s.n_items  # freed as the step goes

    # Published order ids follow order time (to the second; ties by customer).
    order_sec = seconds(allo["t"])
    chron = sort_order(order_sec, 27)
    order_id = np.empty(n_o, dtype=np.int64)
    order_id[chron] = np.arange(1, n_o + 1)
    o_user = allo["user_idx"][chron]
    o_dev = u["device"][o_user]
    mini = _code("device", "mini_program")
    amount = np.round(gross - disc, 2)[chron]
    orders = pd.DataFrame(
        dict(
            order_id=np.arange(1, n_o + 1, dtype=np.int64),
            user_id=u["user_id"][o_user],
            order_time=_ts(allo["t"][chron]),
            platform=_cat((o_dev == mini).astype(np.int8), ["app", "mini_program"]),
            device=_cat(o_dev, L["device"]),
            warehouse=_cat(allo["warehouse"][chron], commerce.WAREHOUSES),
            items=n_items[chron].astype(np.int64),
            gross_amount=np.round(gross, 2)[chron],
            discount=disc[chron],
            amount=amount,
            campaign_id=_nullable(allo["campaign"][chron], allo["campaign"][chron] > 0),
            promised_days=allo["promised_days"][chron].astype(np.int64),
            delivery_days=allo["delivery_days"][chron].astype(np.int64),
        ),
        copy=False,
    )
    del o_dev, gross, disc, n_items
    # Order items in order-id order: each order's block moves to where its id puts it
    # (rows are already sorted by product within an order).
    per_order = np.bincount(it["order_pos"], minlength=n_o)
    new_start = np.empty(n_o, dtype=np.int64)
    new_start[chron] = np.cumsum(per_order[chron]) - per_order[chron]
    dest = new_start[it["order_pos"]] + group_positions(per_order)
    del new_start

    item_qty = _moved(it["quantity"], dest)
    item_price = _moved(it["unit_price"], dest)
    order_items = pd.DataFrame(
        dict(
            order_id=_moved(order_id[it["order_pos"]], dest),
            product_id=_moved(it["product_id"], dest),
            quantity=item_qty,
            unit_price=item_price,
            amount=np.round(item_qty * item_price, 2),
        ),
        copy=False,
    )
    first_item = it["first_item"]
    del it, dest, item_qty, item_price

    # Service tickets from complaints.
    rng = rng_for(seed, "tickets")
    c = np.flatnonzero(allo["complaint"])
    late = allo["delivery_days"][c] > allo["promised_days"][c]
    reason = np.where(
        late,
        "delivery_late",
        np.array(["product_quality", "wrong_item", "refund_request", "other"])[
            rng.choice(4, len(c), p=[0.4, 0.2, 0.25, 0.15])
        ],
    )
    created = allo["t"][c] + allo["delivery_days"][c] + rng.uniform(0, 1, len(c))
    tday = np.floor(np.minimum(created, end - 1)).astype(np.int64)
    busy = cal.buy[tday]
    resp = np.round(rng.lognormal(np.log(12) + 0.35 * np.log(busy), 0.8, len(c)), 1)
    resolved = rng.random(len(c)) < np.where(late, 0.8, 0.9)
    tickets = pd.DataFrame(
        dict(
            order_id=order_id[c],
            user_id=u["user_id"][allo["user_idx"][c]],
            created_time=_ts(created),
            reason=reason,
            contact=np.array(["in_app_chat", "phone", "wecom"])[
                rng.choice(3, len(c), p=[0.6, 0.15, 0.25])
            ],
            first_response_minutes=resp,
            resolved=resolved,
            satisfaction=pd.array(
                np.where(resolved, rng.integers(3, 6, len(c)), rng.integers(1, 3, len(c))),
                dtype="Int64",
            ),
        )
    )
    tickets = tickets[tickets["created_time"] < pd.Timestamp(P.END) + pd.Timedelta(days=1)]
    tickets = tickets.sort_values(["created_time", "order_id"], kind="stable").reset_index(
        drop=True
    )
    tickets.insert(0, "ticket_id", np.arange(1, len(tickets) + 1))
    s.amount = amount
    s.chron = chron
    s.first_item = first_item
    s.o_user = o_user
    s.order_id = order_id
    s.order_items = order_items
    s.order_sec = order_sec
    s.orders = orders
    s.tickets = tickets


def _sessions(s: SimpleNamespace) -> None:
    allo = s.allo
    cal = s.cal
    failed = s.failed
    prm = s.prm
    ref = s.ref
    seed = s.seed
    u = s.u

    sess = activity.sessions(seed, u, allo, ref, failed, cal, prm)
    s.sess = sess


def _events(s: SimpleNamespace) -> None:
    allo = s.allo
    first_item = s.first_item
    order_id = s.order_id
    prods = s.prods
    seed = s.seed
    sess = s.sess
    u = s.u
    del s.sess, s.first_item, s.order_id  # freed as the step goes
    ev = activity.events(seed, sess, u, allo, first_item, len(prods))
    s_user = sess["user_idx"]
    del sess, first_item
    s.events = _event_log(u, s_user, ev, order_id, s.L["device"])


#: Columns of the ``events`` table.
EVENT_COLUMNS = ("event_id", "user_id", "session_id", "event_time", "event_type", "platform",
                 "product_id", "order_id")


def _event_log(u: dict, s_user: np.ndarray, ev: dict[str, np.ndarray], order_id: np.ndarray,
               devices: list[str]) -> BlockTable:
    """The ``events`` table, kept compact: per session the user, per event the
    seconds, type and product codes, and the order events.

    ``ev`` is what :func:`coursekit.world.activity.events` returns, ``s_user``
    the user of each session.
    """
    bounds, sec, etype, pid = ev["bounds"], ev["sec"], ev["etype"], ev["product_id"]
    order_at = ev["order_at"]  # ascending
    ev_order = order_id[ev["order_pos"]]
    user_id, device = u["user_id"], u["device"]
    with_events = s_user[np.diff(bounds) > 0]
    remap, platforms = _cat_codes(_present(device[with_events], len(devices)), devices)
    del with_events
    start = np.datetime64(P.START, "s").astype(np.int64)

    def build(lo: int, hi: int) -> pd.DataFrame:
        session = block_sessions(bounds, lo, hi)
        who = s_user[session]
        product = pid[lo:hi]
        at = slice(*np.searchsorted(order_at, [lo, hi]))
        order = np.zeros(hi - lo, dtype=np.int64)
        order[order_at[at] - lo] = ev_order[at]
        no_order = np.ones(hi - lo, dtype=bool)
        no_order[order_at[at] - lo] = False
        t = sec[lo:hi].astype(np.int64)
        t += start
        return pd.DataFrame(
            dict(
                event_id=np.arange(lo + 1, hi + 1, dtype=np.int64),
                user_id=user_id[who],
                session_id=session + 1,
                event_time=t.view("datetime64[s]"),
                event_type=pd.Categorical.from_codes(etype[lo:hi], activity.EVENT_TYPES),
                platform=pd.Categorical.from_codes(remap[device[who]], categories=platforms),
                product_id=_nullable(product, product > 0),
                order_id=pd.arrays.IntegerArray(order, no_order),
            ),
            copy=False,
        )

    return BlockTable(len(sec), EVENT_COLUMNS, build)


def _channel_spend(s: SimpleNamespace) -> None:
    L = s.L
    cal = s.cal
    seed = s.seed
    u = s.u

    # Users as recorded: the tracking outage hides douyin sign-ups.
    inc = _incident("tracking_outage")
    day = np.floor(u["signup_t"])
    hidden = (
        (u["channel"] == _code("channel", inc["value"]))
        & (day >= _day(inc["start"]))
        & (day <= _day(inc["end"]))
    )
    rec_labels = L["channel"] + ["unknown"]
    rec_channel = np.where(hidden, len(L["channel"]), u["channel"]).astype(np.int8)
    if s.w2 is None:  # the true sign-ups of each day
        signups = np.zeros((len(L["channel"]), cal.n_days))
        np.add.at(signups, (u["channel"], day.astype(np.int64)), 1)
        spend, _ = marketing.channel_spend(seed, cal, signups)
    else:  # World 2: the sign-ups each day was meant to bring, through each curve
        weights = people.signup_weights(cal, s.prm)
        spend, s.spend_curves = marketing.channel_spend(
            seed, cal, weights * (s.n_users / weights.sum()), s.w2.elasticity)
    s.rec_channel = rec_channel
    s.rec_labels = rec_labels
    s.spend = spend


def _memberships(s: SimpleNamespace) -> None:
    allo = s.allo
    end = s.end
    prm = s.prm
    seed = s.seed
    u = s.u

    members = membership.memberships(seed, u, allo, end, prm)
    s.members = members


def _content_posts(s: SimpleNamespace) -> None:
    cal = s.cal
    posts = media.content_posts(s.company_seed, cal.n_days)
    s.posts = posts


def _stores(s: SimpleNamespace) -> None:
    seed = s.seed
    if s.w2 is None:
        st, quality = offline.stores(seed)
        sm = offline.store_months(seed, st, quality)
    else:
        st, quality = s.st_quality
        u = s.u
        at = u["store_id"] > 0
        month = pd.to_datetime(_ts(u["signup_t"][at])).to_period("M").to_timestamp()
        app = pd.Series(1, index=pd.MultiIndex.from_arrays([u["store_id"][at], month]))
        sm = offline.store_months(seed, st, quality, app.groupby(level=[0, 1]).sum())
    s.quality = quality
    s.sm = sm
    s.st = st


def _survey(s: SimpleNamespace) -> None:
    seed = s.seed
    u = s.u
    sv = survey.survey(seed, u, s.w2)
    s.sv = sv


def _messages(s: SimpleNamespace) -> None:
    allo = s.allo
    cal = s.cal
    seed = s.seed
    u = s.u
    msg = messaging.messages(seed, u, allo, cal)
    s.reach_start, s.intensity = msg.pop("reach_start"), msg.pop("intensity")
    s.msg_load = dict(user_idx=msg["user_idx"], sec=msg["sec"], medium=msg["medium"],
                      unsubscribed=msg["unsubscribed"])
    s.messages = _message_log(u["user_id"], msg)


#: Columns of the ``messages`` table.
MESSAGE_COLUMNS = ("message_id", "user_id", "sent_time", "medium", "purpose", "opened",
                   "clicked", "unsubscribed", "complained")


def _message_log(user_id: np.ndarray, msg: dict[str, np.ndarray]) -> BlockTable:
    """The ``messages`` table, kept as the arrays of
    :func:`coursekit.world.messaging.messages` (user positions, seconds, codes, flags)."""
    m_user, sec, medium, purpose = msg["user_idx"], msg["sec"], msg["medium"], msg["purpose"]
    flags = {k: msg[k] for k in ("opened", "clicked", "unsubscribed", "complained")}
    medium_code, media = _cat_codes(_present(medium, len(messaging.MEDIA)), messaging.MEDIA)
    purpose_code, purposes = _cat_codes(_present(purpose, len(messaging.PURPOSES)),
                                        messaging.PURPOSES)
    start = np.datetime64(P.START, "s").astype(np.int64)

    def build(lo: int, hi: int) -> pd.DataFrame:
        sent = sec[lo:hi] + start
        return pd.DataFrame(
            dict(
                message_id=np.arange(lo + 1, hi + 1, dtype=np.int64),
                user_id=user_id[m_user[lo:hi]],
                sent_time=sent.view("datetime64[s]"),
                medium=pd.Categorical.from_codes(medium_code[medium[lo:hi]], categories=media),
                purpose=pd.Categorical.from_codes(purpose_code[purpose[lo:hi]],
                                                  categories=purposes),
                **{k: v[lo:hi] for k, v in flags.items()},
            ),
            copy=False,
        )

    return BlockTable(len(sec), MESSAGE_COLUMNS, build)


def _state(s: SimpleNamespace) -> None:
    """The simulator's state when the data ends: what simulating forward starts from.

    One row per user, at the end of ``END`` (day ``n_days`` since START). Not a
    table of the course: it holds what the company cannot see (whether a
    customer is still alive, their latent rates) and is written beside the
    world only for forward simulation.
    """
    u, allo, end = s.u, s.allo, s.end
    n = len(u["user_id"])
    n_orders = np.bincount(allo["user_idx"], minlength=n)
    last = np.full(n, np.nan)
    last[allo["user_idx"]] = allo["t"]  # orders are grouped by user in time order
    first_t = allo["first_t"]
    # A customer whose only orders failed at checkout (the payment bug) has started
    # buying all the same: the purchase process runs on, with no order to show.
    bought = (n_orders > 0) | (np.isfinite(first_t) & (first_t < end))
    alive = bought & (allo["alive_end"] > end)
    status = np.where(bought, np.where(alive, 1, 2), np.where(u["_converts"], 0, 3))
    cols = dict(
        user_id=u["user_id"],
        status=pd.Categorical.from_codes(status.astype(np.int8),
                                         ["prospect", "alive", "dropped", "never"]),
        first_purchase_day=np.where(np.isfinite(first_t), first_t,
                                    np.where(np.isfinite(allo["first_due"]), allo["first_due"],
                                             np.nan)),
        dropout_day=np.where(bought & ~alive, allo["alive_end"], np.nan),
        orders=n_orders.astype(np.int64),
        last_order_day=last,
        purchase_rate=u["_lambda"],
        dropout_p=u["_p"],
        spend_rate=u["_nu"],
        browse=u["_browse"],
        share=u["_share"],
    )
    for c, (key, *_rest) in enumerate(commerce.CATEGORIES):
        cols[f"taste_{key}"] = u["_fav"][:, c]
    m = s.msg_load
    for k, medium in enumerate(messaging.MEDIA):
        mine = m["medium"] == k
        unsub = np.zeros(n, dtype=bool)
        unsub[m["user_idx"][mine & m["unsubscribed"]]] = True
        cols[f"reach_{medium}"] = (s.reach_start[:, k] <= end) & ~unsub
        cols[f"unsubscribed_{medium}"] = unsub
    cols["message_intensity"] = s.intensity
    if "_persona" in u:  # World 2
        cols["persona"] = pd.Categorical.from_codes(u["_persona"], personas.NAMES)
    end_sec = seconds(np.array([end]))[0]
    for days in (7, 28):
        recent = m["sec"] >= end_sec - days * 86_400
        cols[f"messages_last_{days}d"] = np.bincount(m["user_idx"][recent], minlength=n)
    del s.msg_load, s.reach_start, s.intensity
    # Latent values: float32 is plenty (each column converted as the frame is built).
    s.state = pd.DataFrame(
        {k: v.astype(np.float32) if v.dtype == np.float64 else v for k, v in cols.items()},
        copy=False,
    )
    del cols
    # The last step to read the orders' arrays and the latent values (the truth
    # reads the personas only): freed for the tables still to build.
    del s.allo
    for key in ("_fav", "_lambda", "_p", "_nu", "_browse", "_share", "_converts"):
        del u[key]


def _truth(s: SimpleNamespace) -> None:
    L = s.L
    amount = s.amount
    assign = s.assign
    chron = s.chron
    events = s.events
    members = s.members
    messages = s.messages
    n_users = s.n_users
    o_user = s.o_user
    order_items = s.order_items
    order_sec = s.order_sec
    orders = s.orders
    posts = s.posts
    prm = s.prm
    prods = s.prods
    quality = s.quality
    rec_channel = s.rec_channel
    rec_labels = s.rec_labels
    ref = s.ref
    seed = s.seed
    sm = s.sm
    spend = s.spend
    st = s.st
    sv = s.sv
    tickets = s.tickets
    true_channel = s.true_channel
    u = s.u

    # The company's member tier at the end of the data, from the last 12 months' spend.
    since = seconds(_day(str(P.END)) - 364.0)
    last_year = order_sec[chron] >= since
    s12 = np.bincount(o_user[last_year], weights=amount[last_year], minlength=n_users)
    cut = MEMBER_TIER_CUTOFFS
    tier = (s12 >= cut["silver"]).astype(np.int8) + (s12 >= cut["gold"]) + (
        s12 >= cut["platinum"])
    users = pd.DataFrame(
        dict(
            user_id=u["user_id"],
            signup_time=_ts(u["signup_t"]),
            channel=_cat(rec_channel, rec_labels),
            city_tier=_cat(u["city_tier"], L["city_tier"]),
            region=_cat(u["region"], L["region"]),
            age_band=_cat(u["age_band"], L["age_band"]),
            gender=_cat(u["gender"], L["gender"]),
            device=_cat(u["device"], L["device"]),
            store_id=_nullable(u["store_id"], u["store_id"] > 0),
            member_tier=_cat(tier, ["bronze", "silver", "gold", "platinum"]),
        ),
        copy=False,
    )

    ok = ref["inviter_idx"] >= 0
    inv = ref["invitee_idx"][ok]
    has = inv >= 0
    signup_time = _ts(u["signup_t"][np.maximum(inv, 0)])
    signup_time[~has] = np.datetime64("NaT")
    referrals = pd.DataFrame(
        dict(
            referral_id=np.arange(1, ok.sum() + 1),
            inviter_id=u["user_id"][ref["inviter_idx"][ok]],
            invite_time=_ts(ref["invite_t"][ok]),
            invitee_id=_nullable(u["user_id"][np.maximum(inv, 0)], has),
            signup_time=signup_time,
            reward=np.where(has, 20.0, 0.0),
        )
    )

    camp = pd.DataFrame(marketing.CAMPAIGNS)
    camp["start_date"] = pd.to_datetime(camp["start"])
    camp["end_date"] = camp["start_date"] + pd.to_timedelta(camp["days"] - 1, unit="D")
    campaigns = camp[
        [
            "campaign_id",
            "name",
            "medium",
            "offer",
            "coupon",
            "threshold",
            "start_date",
            "end_date",
            "send_hour",
        ]
    ].copy()
    treated = assign["treated"]
    opened = pd.array(np.where(treated, assign["opened"], False), dtype="boolean")
    opened[~treated] = pd.NA
    # Outcomes from the final orders: any order, and revenue, inside the window
    # [sent, end of the campaign's last day), one pass over the orders per campaign.
    converted = np.zeros(len(treated), dtype=bool)
    revenue = np.zeros(len(treated))
    for c in marketing.CAMPAIGNS:  # a handful of campaigns
        rows = np.flatnonzero(assign["campaign_id"] == c["campaign_id"])
        if len(rows) == 0:
            continue
        sent = seconds(assign["sent_t"][rows[0]])
        w_end = seconds(_day(c["start"]) + c["days"])
        inwin = (order_sec[chron] >= sent) & (order_sec[chron] < w_end)
        who = o_user[inwin]
        n_in = np.bincount(who, minlength=n_users)
        rev = np.bincount(who, weights=amount[inwin], minlength=n_users)
        converted[rows] = n_in[assign["user_idx"][rows]] > 0
        revenue[rows] = np.round(rev[assign["user_idx"][rows]], 2)
    ca = pd.DataFrame(
        dict(
            campaign_id=assign["campaign_id"].astype(np.int64),
            user_id=u["user_id"][assign["user_idx"]],
            group=_cat(treated.astype(np.int8), ["control", "treatment"]),
            segment=_cat(assign["segment"], marketing.SEGMENTS),
            sent_time=_ts(assign["sent_t"]),
            opened=opened,
            converted=converted,
            revenue=revenue,
        ),
        copy=False,
    )

    tables = dict(
        users=users,
        events=events,
        orders=orders,
        order_items=order_items,
        products=prods.drop(columns=["_cat", "_pop"]),
        channel_spend=spend,
        campaigns=campaigns,
        campaign_assignments=ca,
        referrals=referrals,
        tickets=tickets,
        memberships=members,
        content_posts=posts,
        stores=st,
        store_months=sm,
        survey=sv,
        messages=messages,
    )
    truth = _base_truth(prm, seed, n_users, u, true_channel, quality)
    if s.w2 is not None:
        tables["order_costs"] = costs.order_costs(seed, tables, s.w2)
        truth.update(_truth_world2(s))
        # The business cases of module 1: the company's cost rates and three other
        # businesses, the same whatever the customers (drawn from the company seed).
        tables.update(cases.case_tables(s.company_seed, s.w2))
        truth["cases"] = cases.case_truth(s.company_seed, s.w2)
        # Module 2's data: adoption curves and competitors (the company's), brand ratings
        # and profiles of the survey's respondents (drawn from the customers' seed).
        needs, truth["needs"] = needs_cases.needs_data(s.company_seed, seed, sv, s.u)
        tables.update(needs)
        # Raw exports of the touchpoints (data governance): the same people as the clean
        # tables, as messy as real pipelines, with the truth of who is who.
        raw, truth["raw"] = raw_exports.raw_data(seed, s.company_seed, tables, s.state)
        tables.update(raw)
        # Module 4's data (growth): a randomised referral-programme test on the customers
        # and the company's creator deals, standalone tables with their truth.
        growth, truth["growth"] = growth_cases.growth_data(seed, s.company_seed, tables,
                                                           s.state)
        tables.update(growth)
        # World 2's survey respondents answer as its four personas, not World 1's three.
        truth["survey"]["personas"] = {
            k: dict(share=v["share"], weights=dict(zip(survey.ATTRIBUTES, v["survey"],
                                                       strict=True)),
                    note="share among organic sign-ups; a respondent who is a user answers "
                    "as their persona, the others are drawn with these shares")
            for k, v in personas.PERSONAS.items()}
        # How customers answer messages after the data ends (the capstone's sandbox): the
        # numbers the world's history does not fix, stated as assumptions.
        truth["sandbox"] = dict(
            assumptions=dict(P.RESPONSE),
            note="the sandbox's response to a message also uses the world's own campaign "
            "uplift by segment, open rates, message fatigue, personas' coupon sensitivity "
            "and order hours (see those keys); coursekit.sandbox.parameters() lists every "
            "number with its source, and the values derived from the world's data")
    s.tables = tables
    s.truth = truth


def _truth_world2(s: SimpleNamespace) -> dict:
    """What World 2 adds to the truth."""
    w2 = s.w2
    coupons = dict(
        s.coupon_truth,
        rule="every treated customer's first order in the campaign window that meets the "
        "threshold uses the coupon, whether the campaign brought the order or it would "
        "have come anyway; orders.campaign_id marks the orders the campaign brought and "
        "the orders that used its coupon",
    )
    spend_response = dict(
        s.spend_curves,
        formula="expected sign-ups on a day = reference_signups_per_day * (spend / "
        "reference_spend_per_day) ** elasticity; the day's spend also has lognormal "
        "noise (sigma 0.15); marginal CAC = spend / (elasticity * sign-ups)",
    )
    referrals = dict(
        good_experience="the inviter's first order delivered on time (the day it arrives)",
        invite_lag_days=w2.invite_lag,
        fresh_share=w2.invite_fresh,
        invite_conversion=s.prm.invite_conversion,
        note="with chance fresh_share an invitation at time t comes from a customer "
        "weighted by share * exp(-(t - good experience) / invite_lag_days), otherwise "
        "from any customer after their good experience, weighted by share; the invitee "
        "signs up an exponential 1.5 days later on average",
    )
    early = dict(
        early_dropout=w2.early_dropout,
        early_fade=w2.early_fade,
        note="besides p after each repeat order, a customer drops out right after their "
        "k-th order (k = 1 for the first) with chance early_dropout * early_fade ** "
        "(k - 1), which the BG/NBD model does not have",
    )
    stores = dict(
        count=int(len(s.st)),
        model=dict(
            footfall_per_month=dict(mall_kiosk=5200, street_shop=3800, flagship=9000,
                                    note="times the month's season and lognormal noise "
                                    "(sigma 0.07); with a car park 0.55 of it plus 0.28 "
                                    "of the car-park traffic"),
            conversion="0.22 * exp(quality), lognormal noise (sigma 0.05), within 0.05-0.6",
            ticket="68 yuan (x 1.25 in a flagship) * exp(0.3 * quality), noise sigma 0.04",
            wecom_adds="Poisson(transactions * 0.05 * exp(1.5 * quality)) plus the store's "
            "app sign-ups of the month",
            app_signups=f"a store sign-up picks an open store with weight exp("
            f"{w2.store_signup_quality} * quality)",
            season=[1.35, 1.25, 0.9, 0.95, 1.0, 1.05, 0.95, 0.95, 1.15, 1.1, 1.05, 1.2],
        ),
        economics=dict(
            gross_margin=w2.store_gross_margin,
            rent_per_sqm_month=w2.rent_per_sqm_month,
            pay_per_staff_hour=w2.pay_per_staff_hour,
            fit_out=w2.fit_out,
            profit="revenue * gross_margin - area_sqm * rent_per_sqm_month[city_tier] - "
            "staff_hours * pay_per_staff_hour[city_tier], per month; payback = fit_out[format] "
            "/ monthly profit",
        ),
    )
    order_costs = dict(
        shipping_by_tier=w2.shipping_by_tier, shipping_per_extra_unit=w2.shipping_per_extra_unit,
        shipping_other_region=w2.shipping_other_region, packaging_base=w2.packaging_base,
        packaging_per_unit=w2.packaging_per_unit, packaging_gift_box=w2.packaging_gift_box,
        payment_fee_rate=w2.payment_fee_rate,
        member_priority_shipping=w2.member_priority_shipping,
        returns=dict(base=w2.return_base, if_late=w2.return_if_late,
                     if_quality_ticket=w2.return_if_quality_ticket,
                     note="chance = 1 - product of (1 - each that applies); full refund"),
        contribution="amount - product cost (order_items x products.unit_cost) - shipping - "
        "packaging - payment_fee - member_benefit - refund",
    )
    share = f"{w2.payment_bug_failure_rate:.0%}"
    incidents = [dict(i, failure_rate=w2.payment_bug_failure_rate,
                      effect=f"checkout failed for {share} of android app orders (add to cart "
                      "without order)")
                 if i["name"] == "payment_bug" else i for i in P.INCIDENTS]
    # The uplift a campaign gives a segment is UPLIFT x the persona's coupon sensitivity:
    # on average over the customers each segment held when the campaigns went out.
    a = s.assign
    mult = personas.coupon_sensitivity(s.u["_persona"][a["user_idx"]])
    by_segment = {seg: round(float(mult[a["segment"] == k].mean()), 4)
                  for k, seg in enumerate(marketing.SEGMENTS) if (a["segment"] == k).any()}
    uplift = dict(
        coupon_multiplier_by_segment=by_segment,
        expected_by_segment={seg: round(marketing.UPLIFT[seg] * m, 5)
                             for seg, m in by_segment.items()},
        note="campaign_uplift_by_segment x the mean persona coupon multiplier of the "
        "segment's customers (before each campaign's scale, and before capping at 1)",
    )
    return dict(world=2, world2=w2.to_dict(), incidents=incidents, campaign_uplift=uplift,
                coupons=coupons,
                spend_response=spend_response, referrals=referrals, early_dropout=early,
                stores=stores, order_costs=order_costs, personas=personas.truth(s.u))


#: The generator's steps in order: each reads and extends the shared state. The same
#: list drives the work and the progress bar (its names are what the bar shows).
STEPS: list[tuple[str, Callable[[SimpleNamespace], None]]] = [
    ("users", _users),
    ("orders", _orders),
    ("referrals", _referrals),
    ("campaigns", _campaigns),
    ("payment_bug", _payment_bug),
    ("order_items", _order_items),
    ("tickets", _tickets),
    ("sessions", _sessions),
    ("events", _events),
    ("channel_spend", _channel_spend),
    ("memberships", _memberships),
    ("content_posts", _content_posts),
    ("stores", _stores),
    ("survey", _survey),
    ("messages", _messages),
    ("state", _state),
    ("truth", _truth),
]


def generate(
    n_users: int, seed: int, tick: Callable[[str], None] | None = None, world: int = 2,
    blocks: bool = False, company_seed: int | None = None,
) -> tuple[dict[str, pd.DataFrame | BlockTable], dict, pd.DataFrame]:
    """Generate every table of the company; returns ``(tables, truth, state)``.

    Runs :data:`STEPS` in order, calling ``tick(name)`` after each; ``state``
    is the simulator's end state (see :func:`_state`). ``world=2`` adds World 2's
    behaviour (:class:`coursekit.world.params.World2`). With ``blocks`` the
    event and message logs stay :class:`~coursekit.world.blocks.BlockTable`
    (compact, built a block of rows at a time: for writing); otherwise every
    table is a DataFrame. ``company_seed`` (default ``seed``) seeds what the
    company has once whatever its customers (the product catalogue and the
    content posts): a shard of a big world (:mod:`coursekit.world.shards`) draws
    its customers from its own seed and shares these with the other shards.
    """
    s = SimpleNamespace(n_users=n_users, seed=seed, world=world,
                        company_seed=seed if company_seed is None else company_seed)
    _setup(s)
    for name, step in STEPS:
        step(s)
        if tick is not None:
            tick(name)
    tables = s.tables
    if not blocks:
        tables = {k: v.frame() if isinstance(v, BlockTable) else v for k, v in tables.items()}
    return tables, s.truth, s.state


def _base_truth(prm: P.Params, seed: int, n_users: int, u: dict, true_channel, quality) -> dict:
    """Everything the generator used, for comparing learners' estimates with the truth."""
    return dict(
        company=P.COMPANY,
        seed=seed,
        users=n_users,
        period=dict(start=str(P.START), end=str(P.END)),
        params=prm.to_dict(),
        bgnbd=dict(
            time_unit="days",
            r=prm.r,
            alpha=prm.alpha,
            a=prm.a,
            b=prm.b,
            note="lambda ~ Gamma(r, alpha) and p ~ Beta(a, b) for the organic channel; "
            "other channels scale lambda by 'rate' and b by 1/'dropout'",
        ),
        gamma_gamma=dict(
            p=prm.p,
            q=prm.q,
            gamma=prm.gamma,
            note="target order value; baskets round it up to whole items and "
            "channels scale gamma by 'spend'",
        ),
        channels=P.CHANNELS,
        churn_drivers=dict(
            late_delivery=prm.dropout_if_late,
            complaint=prm.dropout_if_complaint,
            note="extra chance to drop out right after an order that was late or "
            "drew a complaint; activity fades after dropout",
        ),
        campaign_uplift_by_segment=marketing.UPLIFT,
        campaigns={
            c["name"]: dict(
                scale=c["scale"],
                medium=c["medium"],
                open_rate=c.get("open_rate", marketing.OPEN_RATE[c["medium"]]),
            )
            for c in marketing.CAMPAIGNS
        },
        membership=dict(effect_on_purchasing=0.0, selection="join chance rises with orders"),
        incidents=P.INCIDENTS,
        festivals=P.FESTIVALS,
        festival_days={name: [d.isoformat() for d in days]
                       for name, days in festival_days().items()},
        content_effects=dict(
            format=media.FORMAT_EFFECT,
            topic=media.TOPIC_EFFECT,
            slot=media.SLOT_EFFECT,
            platform_reach=media.REACH,
        ),
        store_quality={int(i + 1): round(float(q), 4) for i, q in enumerate(quality)},
        survey=dict(
            personas={
                k: dict(share=v[0], weights=dict(zip(survey.ATTRIBUTES, v[1], strict=True)))
                for k, v in survey.PERSONAS.items()
            },
            brand_performance={
                b: dict(zip(survey.ATTRIBUTES, v, strict=True)) for b, v in survey.BRANDS.items()
            },
        ),
        message_fatigue=dict(
            P.MESSAGE_FATIGUE,
            medium_shift={
                m: dict(unsubscribe=v["unsubscribe"], complaint=v["complaint"])
                for m, v in P.MESSAGE_MEDIA.items()
            },
            formula="P(event | x) = 1 / (1 + exp(-(intercept + slope * x + medium_shift "
            "+ purpose_shift))), x = messages the user received (all media) in the "
            "window_days up to and including this one; an unsubscribe stops the medium "
            "for that user; the open log-odds change by open_slope * (x - 1)",
            curve_without_shifts={
                x: {
                    e: round(float(messaging.logistic(c["intercept"] + c["slope"] * x)), 5)
                    for e, c in (
                        ("unsubscribe", P.MESSAGE_FATIGUE["unsubscribe"]),
                        ("complaint", P.MESSAGE_FATIGUE["complaint"]),
                    )
                }
                for x in range(1, 15)
            },
        ),
        messaging=dict(
            media=P.MESSAGE_MEDIA,
            reach=P.MESSAGE_REACH,
            rates_per_week=P.MESSAGE_RATES,
            purpose_mix={
                k: dict(zip(P.MESSAGE_PURPOSES, v, strict=True))
                for k, v in P.MESSAGE_PURPOSE_MIX.items()
            },
            policy=P.MESSAGING,
            send_slots=[dict(medium=m, hour=h, minutes=d) for m, h, d in messaging.SLOTS],
            effect_on_purchasing=0.0,
            note="weekly rate over all media = rates_per_week[CRM segment on the send "
            "day, from the orders before it] x the user's intensity (lognormal, mean 1) "
            "x the festival run-up, split over the media that reach the user by weight; "
            "at most one message per user, medium and day",
        ),
        true_signups_by_channel={
            people.LABELS["channel"][k]: int(v)
            for k, v in enumerate(np.bincount(true_channel, minlength=len(P.CHANNELS)))
            if v > 0
        },
    )
