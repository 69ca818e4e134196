"""Run the generator steps in order and assemble the published tables."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from coursekit.world import (
    activity,
    commerce,
    marketing,
    media,
    membership,
    offline,
    people,
    survey,
)
from coursekit.world import params as P
from coursekit.world._util import rng_for
from coursekit.world.calendar import build_calendar

STEPS = [
    "users",
    "orders",
    "referrals",
    "campaigns",
    "payment_bug",
    "order_items",
    "tickets",
    "sessions",
    "events",
    "channel_spend",
    "memberships",
    "content_posts",
    "stores",
    "survey",
    "truth",
]


def _ts(t: np.ndarray) -> np.ndarray:
    """Days since START (float) to datetime64[s], rounded to the second."""
    sec = np.round(np.asarray(t, dtype=float) * 86400).astype("timedelta64[s]")
    return np.datetime64(P.START, "s") + sec


def _cat(labels: np.ndarray, idx: np.ndarray | None = None) -> pd.Categorical:
    """Categorical of ``labels[idx]`` built from codes (no per-row strings)."""
    base = pd.Categorical(labels)
    codes = base.codes if idx is None else base.codes[idx]
    return pd.Categorical.from_codes(codes, base.categories)


def _nullable(values: np.ndarray, present: np.ndarray) -> pd.arrays.IntegerArray:
    """Nullable Int64 array: ``values`` where ``present``, missing elsewhere."""
    return pd.arrays.IntegerArray(np.where(present, values, 0).astype(np.int64), ~present)


def _incident(name: str) -> dict:
    return next(i for i in P.INCIDENTS if i["name"] == name)


def _day(date: str) -> float:
    return float((pd.Timestamp(date) - pd.Timestamp(P.START)).days)


def generate(
    n_users: int, seed: int, tick: Callable[[str], None] | None = None
) -> tuple[dict[str, pd.DataFrame], dict]:
    """Generate every table of the company; returns ``(tables, truth)``."""
    tick = tick or (lambda step: None)
    prm = P.Params()
    cal = build_calendar()
    end = float(cal.n_days)
    prods = commerce.products(seed)

    u = people.users(n_users, seed, cal, prm)
    true_channel = u["channel"].copy()
    tick("users")
    o = commerce.orders(seed, u, cal, prm)
    tick("orders")
    ref = people.referrals(seed, u, o["first_t"], prm)
    true_channel = np.where(u["channel"] == "organic", "organic", true_channel)
    tick("referrals")
    assign, extra = marketing.campaigns(seed, u, o, prm)
    tick("campaigns")

    # Campaign orders join the base orders (delivered like any other order).
    rng = rng_for(seed, "campaign_orders")
    n_x = len(extra["t"])
    wh = pd.Series(u["region"][extra["user_idx"]]).map(commerce.WAREHOUSE_OF_REGION).to_numpy()
    prom = np.where(np.isin(u["city_tier"][extra["user_idx"]], ["1", "2"]), 2, 3)
    xo = dict(
        user_idx=extra["user_idx"],
        t=extra["t"],
        warehouse=wh,
        promised_days=prom,
        delivery_days=prom - (rng.random(n_x) < 0.35),
        late=np.zeros(n_x, bool),
        complaint=rng.random(n_x) < prm.ticket_base,
        target_value=rng.gamma(prm.p, 1.0 / u["_nu"][extra["user_idx"]]),
        campaign=extra["campaign"],
    )
    allo = {k: np.concatenate([o[k], xo[k]]) for k in xo}

    # Payment bug: half of android checkouts in the window fail; most retry after the fix.
    inc = _incident("payment_bug")
    rng = rng_for(seed, "payment_bug")
    lo, hi = _day(inc["start"]), _day(inc["end"]) + 1
    dev = u["device"][allo["user_idx"]]
    hit = (dev == "android") & (allo["t"] >= lo) & (allo["t"] < hi)
    fail = hit & (rng.random(len(hit)) < inc["failure_rate"])
    failed = dict(user_idx=allo["user_idx"][fail], t=allo["t"][fail])
    retry = rng.random(len(hit)) < 0.6
    allo["t"] = np.where(fail & retry, hi + rng.exponential(2.0, len(hit)), allo["t"])
    keep = ~(fail & ~retry) & (allo["t"] < end)
    allo = {k: v[keep] for k, v in allo.items()}
    srt = np.lexsort((allo["t"], allo["user_idx"]))
    allo = {k: v[srt] for k, v in allo.items()}
    allo["first_t"], allo["alive_end"] = o["first_t"], o["alive_end"]
    tick("payment_bug")

    it = commerce.items(seed, allo, u, prods, cal)
    n_o = len(allo["t"])
    gross = np.bincount(it["order_pos"], weights=it["unit_price"] * it["quantity"], minlength=n_o)
    n_c = max(c["campaign_id"] for c in marketing.CAMPAIGNS) + 1
    coupon_of, thr_of = np.zeros(n_c), np.zeros(n_c)
    for c in marketing.CAMPAIGNS:
        coupon_of[c["campaign_id"]], thr_of[c["campaign_id"]] = c["coupon"], c["threshold"]
    disc, thr = coupon_of[allo["campaign"]], thr_of[allo["campaign"]]
    disc = np.where(gross >= thr, disc, 0.0)
    tick("order_items")

    # Published order ids follow order time.
    chron = np.argsort(allo["t"], kind="stable")
    order_id = np.empty(n_o, dtype=np.int64)
    order_id[chron] = np.arange(1, n_o + 1)
    platform = np.where(u["device"][allo["user_idx"]] == "mini_program", "mini_program", "app")
    orders = pd.DataFrame(
        dict(
            order_id=order_id,
            user_id=u["user_id"][allo["user_idx"]],
            order_time=_ts(allo["t"]),
            platform=_cat(platform),
            device=_cat(u["device"], allo["user_idx"]),
            warehouse=_cat(allo["warehouse"]),
            items=np.bincount(it["order_pos"], weights=it["quantity"], minlength=n_o).astype(
                np.int64
            ),
            gross_amount=np.round(gross, 2),
            discount=disc,
            amount=np.round(gross - disc, 2),
            campaign_id=_nullable(allo["campaign"], allo["campaign"] > 0),
            promised_days=allo["promised_days"],
            delivery_days=allo["delivery_days"],
        )
    )
    orders = orders.sort_values("order_id", kind="stable").reset_index(drop=True)
    order_items = pd.DataFrame(
        dict(
            order_id=order_id[it["order_pos"]],
            product_id=it["product_id"],
            quantity=it["quantity"],
            unit_price=it["unit_price"],
        )
    )
    order_items["amount"] = np.round(order_items["quantity"] * order_items["unit_price"], 2)
    order_items = order_items.sort_values(["order_id", "product_id"], kind="stable")
    order_items = order_items.reset_index(drop=True)

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
    tick("tickets")

    sess = activity.sessions(seed, u, allo, ref, failed, cal, prm)
    tick("sessions")
    first_item = np.full(n_o, 0, dtype=np.int64)
    first_pos = np.unique(it["order_pos"], return_index=True)[1]
    first_item[it["order_pos"][first_pos]] = it["product_id"][first_pos]
    ev = activity.events(seed, sess, u, allo, first_item, len(prods))
    events = pd.DataFrame(
        dict(
            event_id=np.arange(1, len(ev["t"]) + 1),
            user_id=u["user_id"][ev["user_idx"]],
            session_id=ev["session_idx"] + 1,
            event_time=_ts(ev["t"]),
            event_type=pd.Categorical.from_codes(ev["etype"], activity.EVENT_TYPES),
            platform=_cat(u["device"], ev["user_idx"]),
            product_id=_nullable(ev["product_id"], ev["product_id"] > 0),
            order_id=_nullable(order_id[np.maximum(ev["order_pos"], 0)], ev["order_pos"] >= 0),
        )
    )
    tick("events")

    # Users as recorded: the tracking outage hides douyin sign-ups.
    inc = _incident("tracking_outage")
    day = np.floor(u["signup_t"])
    hidden = (
        (u["channel"] == inc["value"]) & (day >= _day(inc["start"])) & (day <= _day(inc["end"]))
    )
    rec_channel = np.where(hidden, "unknown", u["channel"])
    spend = marketing.channel_spend(seed, u, u["channel"], cal)
    tick("channel_spend")

    members = membership.memberships(seed, u, allo, end, prm)
    tick("memberships")
    posts = media.content_posts(seed, cal.n_days)
    tick("content_posts")
    st, quality = offline.stores(seed)
    sm = offline.store_months(seed, st, quality)
    tick("stores")
    sv = survey.survey(seed, u)
    tick("survey")

    # The company's member tier at the end of the data, from the last 12 months' spend.
    last_year = orders["order_time"] >= pd.Timestamp(P.END) - pd.Timedelta(days=364)
    spend_12m = orders[last_year].groupby("user_id")["amount"].sum()
    s12 = spend_12m.reindex(u["user_id"], fill_value=0.0).to_numpy()
    tier = np.select(
        [s12 >= 1500, s12 >= 600, s12 >= 150], ["platinum", "gold", "silver"], "bronze"
    )
    users = pd.DataFrame(
        dict(
            user_id=u["user_id"],
            signup_time=_ts(u["signup_t"]),
            channel=_cat(rec_channel),
            city_tier=_cat(u["city_tier"]),
            region=_cat(u["region"]),
            age_band=_cat(u["age_band"]),
            gender=_cat(u["gender"]),
            device=_cat(u["device"]),
            store_id=_nullable(u["store_id"], u["store_id"] > 0),
            member_tier=_cat(tier),
        )
    )

    ok = ref["inviter_idx"] >= 0
    inv = ref["invitee_idx"][ok]
    referrals = pd.DataFrame(
        dict(
            referral_id=np.arange(1, ok.sum() + 1),
            inviter_id=u["user_id"][ref["inviter_idx"][ok]],
            invite_time=_ts(ref["invite_t"][ok]),
            invitee_id=pd.array(
                np.where(inv >= 0, u["user_id"][np.maximum(inv, 0)], 0), dtype="Int64"
            ),
        )
    )
    referrals["invitee_id"] = referrals["invitee_id"].where(referrals["invitee_id"] > 0)
    referrals["signup_time"] = referrals["invitee_id"].map(
        users.set_index("user_id")["signup_time"]
    )
    referrals["reward"] = np.where(referrals["invitee_id"].notna(), 20.0, 0.0)

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
    ca = pd.DataFrame(
        dict(
            campaign_id=assign["campaign_id"],
            user_id=u["user_id"][assign["user_idx"]],
            group=np.where(assign["treated"], "treatment", "control"),
            segment=assign["segment"].astype(str),
            sent_time=_ts(assign["sent_t"]),
        )
    )
    ca["opened"] = pd.array(np.where(assign["treated"], assign["opened"], False), dtype="boolean")
    ca.loc[~assign["treated"], "opened"] = pd.NA
    # Outcomes from the final orders: any order, and revenue, inside the window.
    win = camp.set_index("campaign_id")
    w_end = ca["campaign_id"].map(win["end_date"]) + pd.Timedelta(days=1)
    cand = orders[["user_id", "order_time", "amount"]].merge(
        ca[["campaign_id", "user_id", "sent_time"]].assign(w_end=w_end), on="user_id"
    )
    inwin = cand[(cand["order_time"] >= cand["sent_time"]) & (cand["order_time"] < cand["w_end"])]
    agg = inwin.groupby(["campaign_id", "user_id"])["amount"].agg(["size", "sum"])
    key = pd.MultiIndex.from_frame(ca[["campaign_id", "user_id"]])
    ca["converted"] = agg["size"].reindex(key).fillna(0).to_numpy() > 0
    ca["revenue"] = np.round(agg["sum"].reindex(key).fillna(0.0).to_numpy(), 2)
    ca = ca.sort_values(["campaign_id", "user_id"], kind="stable").reset_index(drop=True)

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
    )
    truth = _truth(prm, seed, n_users, u, true_channel, quality)
    tick("truth")
    return tables, truth


def _truth(prm: P.Params, seed: int, n_users: int, u: dict, true_channel, quality) -> dict:
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
        true_signups_by_channel={
            str(k): int(v)
            for k, v in zip(*np.unique(true_channel, return_counts=True), strict=True)
        },
    )
