"""Generator step for behaviour in the app: sessions and their events.

Sessions come from a few superposed Poisson processes per user: a novelty
burst right after sign-up, a steady rate while the customer is alive, a
fading tail after dropout (activity falls before the orders stop being
expected), plus one session per order, per failed checkout and per
invitation sent.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from coursekit.world import params as P
from coursekit.world._util import rng_for, sorted_uniform_within, with_time_of_day
from coursekit.world.calendar import Calendar

EVENT_TYPES = ["signup", "search", "view", "add_to_cart", "order", "share", "invite"]


def _bursts(rng, owner, start, scale, mean_count):
    """Sessions after ``start`` with exponentially decaying rate (count ~ Poisson)."""
    k = rng.poisson(mean_count)
    who = np.repeat(owner, k)
    t = np.repeat(start, k) + rng.exponential(np.repeat(scale, k))
    return who, t


def sessions(
    seed: int, u: dict, o: dict, invites: dict, failed: dict, cal: Calendar, prm: P.Params
) -> pd.DataFrame:
    """All sessions with their parts; the events are expanded from them by :func:`events`."""
    rng = rng_for(seed, "sessions")
    n = len(u["user_id"])
    end = float(cal.n_days)
    ids = np.arange(n)
    signup = u["signup_t"]
    browse = u["_browse"]
    parts = []

    def add(who, t, kind, order_pos=None):
        keep = t < end
        parts.append(
            dict(
                user_idx=who[keep],
                t=t[keep],
                kind=np.full(keep.sum(), kind),
                order_pos=(np.full(keep.sum(), -1) if order_pos is None else order_pos[keep]),
            )
        )

    add(ids, signup, 0)  # the sign-up session
    who, t = _bursts(
        rng, ids, signup + 0.02, np.full(n, prm.novelty_days), prm.novelty_sessions * browse
    )
    add(who, t, 1)
    # While alive: buyers from their first order to dropout (or the end of data).
    buyer = np.isfinite(o["first_t"])
    b = np.flatnonzero(buyer)
    t0 = o["first_t"][b]
    t1 = np.minimum(o["alive_end"][b], end - 1e-9)
    rate = prm.sessions_per_order * u["_lambda"][b] * browse[b]
    w0, w1 = cal.warp(t0, "visit"), cal.warp(t1, "visit")
    k = rng.poisson(rate * np.maximum(w1 - w0, 0.0))
    owner = np.repeat(b, k)
    pos = sorted_uniform_within(rng, owner)
    tt = cal.unwarp(np.repeat(w0, k) + pos * np.repeat(w1 - w0, k), "visit")
    add(owner, with_time_of_day(rng, tt), 1)
    # After dropout: a fading tail of visits.
    d = b[np.isfinite(o["alive_end"][b])]
    who, t = _bursts(
        rng,
        d,
        o["alive_end"][d] + 0.5,
        np.full(len(d), prm.fade_days),
        prm.sessions_per_order * u["_lambda"][d] * browse[d] * prm.fade_days,
    )
    add(who, with_time_of_day(rng, t), 1)
    # Customers who never buy: occasional visits for a while.
    nb = np.flatnonzero(~buyer)
    stay = rng.exponential(60.0, len(nb))
    k = rng.poisson(prm.nonbuyer_rate * browse[nb] * stay)
    owner = np.repeat(nb, k)
    t = np.repeat(signup[nb], k) + rng.random(len(owner)) * np.repeat(stay, k)
    add(owner, with_time_of_day(rng, t), 1)
    # One session per order (starting a few minutes before it), failed checkout, invitation.
    n_o = len(o["t"])
    add(o["user_idx"], o["t"] - rng.uniform(2, 15, n_o) / 1440, 2, np.arange(n_o))
    add(failed["user_idx"], failed["t"], 3)
    ok = invites["inviter_idx"] >= 0
    add(invites["inviter_idx"][ok], invites["invite_t"][ok], 4)

    s = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    s["t"] = np.maximum(s["t"], signup[s["user_idx"]])  # nothing before sign-up
    order = np.lexsort((s["kind"], s["t"]))
    s = {key: v[order] for key, v in s.items()}
    return pd.DataFrame(s)


def events(
    seed: int, sess: pd.DataFrame, u: dict, o: dict, item_first: np.ndarray, n_products: int
) -> dict[str, np.ndarray]:
    """Expand sessions into events, in this order within a session:
    [signup] [search] views [add_to_cart] [order] [share] [invite]."""
    rng = rng_for(seed, "events")
    m = len(sess)
    kind = sess["kind"].to_numpy()
    user = sess["user_idx"].to_numpy()
    share_p = np.minimum(0.25, 0.02 * u["_share"][user])
    n_signup = (kind == 0).astype(np.int64)
    n_search = ((kind <= 2) & (rng.random(m) < np.where(kind == 2, 0.4, 0.3))).astype(np.int64)
    n_view = np.select(
        [kind == 0, kind == 1, kind == 2, kind == 3],
        [
            rng.poisson(1.0, m),
            1 + rng.poisson(1.2, m),
            1 + rng.poisson(1.5, m),
            1 + rng.poisson(1.0, m),
        ],
        0,
    )
    n_cart = ((kind == 2) | (kind == 3) | ((kind == 1) & (rng.random(m) < 0.12))).astype(np.int64)
    n_order = (kind == 2).astype(np.int64)
    n_share = ((kind == 1) & (rng.random(m) < share_p)).astype(np.int64)
    n_invite = (kind == 4).astype(np.int64)
    parts = np.stack([n_signup, n_search, n_view, n_cart, n_order, n_share, n_invite], axis=1)
    count = parts.sum(axis=1)
    # Row-major layout of ``parts`` is the event order: one repeat gives every type.
    etype = np.repeat(np.tile(np.arange(len(EVENT_TYPES), dtype=np.int8), m), parts.ravel())
    sid = np.repeat(np.arange(m, dtype=np.int64), count)
    n_ev = len(sid)
    starts = np.cumsum(count) - count
    gap = rng.exponential(45.0, n_ev) / 86400
    gap[starts[count > 0]] = 0.0
    csum = np.cumsum(gap)
    t = np.repeat(sess["t"].to_numpy() - csum[starts.clip(max=n_ev - 1)], count) + csum
    # Products: a session browses one category drawn from the user's tastes (one
    # searchsorted on the users' cumulative tastes laid end to end); the cart and
    # order steps of an order session point at the order's first item.
    ev_user = user[sid]
    cum = np.cumsum(u["_fav"], axis=1)
    cum[:, -1] = 1.0
    flat = (cum + np.arange(len(cum))[:, None]).ravel()
    hit = np.searchsorted(flat, user + rng.random(m), side="right")
    cat = (hit - user * cum.shape[1]).clip(0, 7)
    pid = cat[sid] * 10 + np.minimum(rng.geometric(0.3, n_ev) - 1, 9) + 1
    order_pos = np.repeat(sess["order_pos"].to_numpy(), count)
    is_cart_of_order = (etype == 3) & (order_pos >= 0)
    pid[is_cart_of_order] = item_first[order_pos[is_cart_of_order]]
    pid[(etype != 2) & (etype != 3)] = 0
    oid = np.where(etype == 4, order_pos, -1)
    assert pid.max() <= n_products
    return dict(
        session_idx=sid, user_idx=ev_user, t=t, etype=etype, product_id=pid, order_pos=oid
    )
