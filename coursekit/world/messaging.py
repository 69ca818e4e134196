"""Generator step for the brand's routine outbound messages: app push, SMS, WeCom.

Who can be reached: app push needs the app and notifications allowed, SMS
needs marketing consent, WeCom needs the user to have added the brand's
adviser (most store sign-ups, some customers at their first order). For each
user and medium that reaches them the CRM sends a Poisson stream of messages
whose weekly rate is the rate of the user's CRM segment (welcome, prospect,
new, loyal, active, lapsing, dormant; computed each night from the orders so
far), times a per-user send intensity (some users are written to far more
than others), times a run-up before the festivals, split over the media by
weight; at most one message per user, medium and day, in a fixed daily slot
per medium. The purpose mix depends on the segment, with more promotions in
the festival run-up.

Fatigue: the chance that a message makes its reader unsubscribe from its
medium, or complain, is logistic in the number of messages the user received
in the trailing 7 days (``params.MESSAGE_FATIGUE``), and the chance of
opening falls with that number. After an unsubscribe the medium stays silent
for that user; :func:`deliver` finds which messages go out without a loop
over messages. Opens and clicks also depend on the medium, the purpose and
the user's engagement (browsing intensity, and whether they still buy).
Messages do not change purchasing in this world.

Users are processed in fixed blocks (:data:`BLOCK_USERS`), their messages
being independent of other users', then merged into send-time order.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from coursekit.world import marketing
from coursekit.world import params as P
from coursekit.world._util import (
    SECONDS_PER_DAY,
    group_positions,
    rng_for,
    seconds,
    sort_order,
)
from coursekit.world.calendar import Calendar
from coursekit.world.people import LABELS, code_of

MEDIA = list(P.MESSAGE_MEDIA)
PURPOSES = list(P.MESSAGE_PURPOSES)
# CRM segments of messaging: two before the first order, then the campaign segments.
SEGMENTS = ["welcome", "prospect", *marketing.SEGMENTS]
# Daily send slots of the media (start hour, spread in minutes), in time order;
# the slots do not overlap, so a user's messages of one day are in slot order.
SLOTS = [("sms", 10.0, 30), ("wecom", 18.5, 60), ("app_push", 20.0, 20)]
_RANK = np.array([[m for m, _, _ in SLOTS].index(m) for m in MEDIA], dtype=np.int64)
_MEDIUM_OF_RANK = np.array([MEDIA.index(m) for m, _, _ in SLOTS], dtype=np.int8)
_SLOT_START = np.array([round(h * 3600) for _, h, _ in SLOTS], dtype=np.int64)
_SLOT_SPREAD = np.array([d * 60 for _, _, d in SLOTS], dtype=np.int64)
# Days after the last order from which a customer is dormant (marketing.segment_codes).
_DORMANT_AFTER = 150.0
# Users are processed in blocks of this many (their messages are independent of
# each other): small blocks keep the temporaries small, so memory is reused.
BLOCK_USERS = 1 << 14
# Bits of the flags packed per message while blocks are merged.
_OPENED, _CLICKED, _UNSUBSCRIBED, _COMPLAINED = 1, 2, 4, 8


def send_multiplier(cal: Calendar) -> np.ndarray:
    """Daily multiplier of the CRM's send rate: 1, rising before festivals.

    Over the ``festival_lead_days`` plus the buying run-up of each festival in
    ``params.FESTIVALS``, the rate rises linearly to ``1 + festival_push x
    (peak - 1)`` on the festival day. Never below 1 (the day look-up in
    :func:`_block` relies on it).
    """
    mult = np.ones(cal.n_days)
    start = cal.days[0].date()
    push, lead = P.MESSAGING["festival_push"], int(P.MESSAGING["festival_lead_days"])
    for year in range(P.START.year, P.END.year + 1):
        for _, month, day, peak, runup in P.FESTIVALS:
            i = (dt.date(year, month, day) - start).days
            n = runup + lead
            top = 1.0 + push * (peak - 1.0)
            lo = max(0, i - n)
            ramp = np.linspace(1.0, top, n + 1)[n - (i - lo) :]
            mult[lo : i + 1] = np.maximum(mult[lo : i + 1], ramp)
    return mult


def logistic(x: np.ndarray | float) -> np.ndarray | float:
    """The logistic function ``1 / (1 + exp(-x))``."""
    return 1.0 / (1.0 + np.exp(-x))


def _reach(rng: np.random.Generator, u: dict, first_order: np.ndarray) -> np.ndarray:
    """Time from which each user can be messaged on each medium (``inf``: never).

    Returns an ``(n, len(MEDIA))`` array of times in days.
    """
    n = len(u["user_id"])
    reach = P.MESSAGE_REACH
    start = np.full((n, len(MEDIA)), np.inf)
    signup = u["signup_t"]
    p_push = np.array([reach["app_push"][d] for d in LABELS["device"]])[u["device"]]
    start[:, MEDIA.index("app_push")] = np.where(rng.random(n) < p_push, signup, np.inf)
    start[:, MEDIA.index("sms")] = np.where(rng.random(n) < reach["sms"], signup, np.inf)
    w = reach["wecom"]
    store = u["channel"] == code_of("channel", "offline_store")
    q = rng.random(n)
    buyer = np.isfinite(first_order)
    wecom = np.where(
        store & (q < w["store_signup"]),
        signup,
        np.where(
            ~store & buyer & (q < w["at_first_order"]),
            first_order,
            np.where(~store & (q < w["other"]), signup, np.inf),
        ),
    )
    start[:, MEDIA.index("wecom")] = wecom
    return start


def _segments_on(
    user: np.ndarray, day: np.ndarray, o_key: np.ndarray, o_t: np.ndarray, o_start: np.ndarray
) -> np.ndarray:
    """CRM segment codes (into :data:`SEGMENTS`) of users on the given days.

    The CRM works from the orders placed before the day (a nightly batch).
    ``o_key`` is ``user << 10 | order day`` of the orders, grouped by user in
    time order, ``o_t`` their times and ``o_start`` the position of each
    user's first order. Users with no order before the day are prospects.
    """
    pos = np.searchsorted(o_key, (user << 10) | day, side="left")
    first = o_start[user]
    since_last = day - o_t[pos - 1]
    since_first = day - o_t[first]
    pos -= first
    seg = marketing.segment_codes(pos, since_last, since_first)
    seg += 2
    return seg


def _fatigue_tables(window: int) -> tuple[np.ndarray, np.ndarray]:
    """Chances of unsubscribing and of complaining by medium, purpose and count.

    Returns two ``float32`` arrays of shape ``(len(MEDIA) * len(PURPOSES),
    counts)``: rows by medium then purpose, columns by the count x of messages
    in the trailing window, from 0 to ``len(MEDIA) * (window + 1)`` (a window
    of ``window`` days touches ``window + 1`` calendar days, with at most one
    message per medium and day).
    """
    fat = P.MESSAGE_FATIGUE
    x = np.arange(len(MEDIA) * (window + 1) + 1)
    out = []
    for event in ("unsubscribe", "complaint"):
        shift = np.array(
            [P.MESSAGE_MEDIA[m][event] + fat["purpose_shift"][p] for m in MEDIA for p in PURPOSES]
        )
        z = fat[event]["intercept"] + fat[event]["slope"] * x[None, :] + shift[:, None]
        out.append(logistic(z).astype(np.float32))
    return out[0], out[1]


def deliver(
    user: np.ndarray,
    stream: np.ndarray,
    win: np.ndarray,
    cell: np.ndarray,
    prob: np.ndarray,
    draw: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Which messages are delivered when an unsubscribe silences its stream.

    Sending the messages one by one in time order, message ``i`` of a stream
    that is still open is delivered and stops its stream when ``draw[i] <
    prob[cell[i] + x]``, ``x`` being the number of delivered messages of the
    same user in ``i``'s trailing window, ``i`` included. This computes the
    same outcome without a loop over messages: counts only fall as messages
    drop out, so only the messages that would stop their stream at the full
    count can stop it; each round decides those on the current counts and
    cuts every stream after its first stop, until nothing changes. The
    outcome of sending in order is the only set that this leaves unchanged
    (at the earliest difference from another such set, both would have made
    the same decisions on the same counts), and the rounds reach it: each
    round gets at least one more message of every user right.

    Parameters
    ----------
    user
        Recipient of each message (ascending; messages of a user in time order).
    stream
        The (user, medium) stream of each message.
    win
        Position of the first message of the same user inside each message's
        trailing window.
    cell, prob
        The chance of stopping at count ``x`` is ``prob[cell + x]``; it must
        not fall as ``x`` grows (fatigue), and ``prob`` must reach the largest
        count.
    draw
        A uniform draw per message.

    Returns
    -------
    kept, stops
        Mask of the delivered messages, and positions of the messages that
        stopped their stream (each the last delivered message of its stream).

    Examples
    --------
    One user, one stream, a window of two messages; the chance of stopping is
    0.5 at a count of 2. The second message stops the stream, so the third is
    never sent.

    >>> import numpy as np
    >>> zeros = np.zeros(3, dtype=np.int64)
    >>> kept, stops = deliver(
    ...     zeros, zeros, np.array([0, 0, 1]), zeros,
    ...     np.array([0.0, 0.0, 0.5, 0.5]), np.array([0.9, 0.3, 0.1]),
    ... )
    >>> kept.tolist(), stops.tolist()
    ([True, True, False], [1])
    """
    m = len(user)
    pos = np.arange(m)
    cand = np.flatnonzero(draw < prob[cell + pos - win + 1])
    win_c, draw_c, cell_c, stream_c = win[cand], draw[cand], cell[cand], stream[cand]
    n_streams = int(stream.max()) + 1 if m else 0
    user_end = np.searchsorted(user, user[cand] + 1, side="left")
    dropped = np.zeros(0, dtype=np.int64)
    gone = np.zeros(m, dtype=bool)
    # Each round gets at least one more message of every user right, so the
    # longest message list bounds the rounds (a handful are enough in practice).
    longest = int(np.bincount(user).max()) if m else 0
    for _ in range(longest + 2):  # each round is vectorised
        lost = np.searchsorted(dropped, cand, side="right")
        lost -= np.searchsorted(dropped, win_c, side="left")
        hit = ~gone[cand] & (draw_c < prob[cell_c + cand - win_c + 1 - lost])
        cut = np.full(n_streams, m)
        np.minimum.at(cut, stream_c[hit], cand[hit])
        cut_stream = np.flatnonzero(cut < m)
        cut_at = cut[cut_stream]
        # Drop the later messages of the cut streams (same user and medium).
        later_n = user_end[np.searchsorted(cand, cut_at)] - cut_at - 1
        later = np.repeat(cut_at + 1, later_n) + group_positions(later_n)
        new = np.sort(later[stream[later] == np.repeat(cut_stream, later_n)])
        if np.array_equal(new, dropped):
            return ~gone, cut_at
        gone[dropped] = False
        gone[new] = True
        dropped = new
    raise RuntimeError("message delivery did not reach its fixed point")  # pragma: no cover


def _trailing(kept: np.ndarray, lo: np.ndarray) -> np.ndarray:
    """Kept messages in the trailing window of each message, itself included.

    Messages are grouped by user in time order; ``lo`` is the position of the
    first message of the same user inside the window.
    """
    ck = np.zeros(len(kept) + 1, dtype=np.int32)
    np.cumsum(kept, out=ck[1:])
    return ck[1:] - ck[lo]


def messages(seed: int, u: dict, o: dict, cal: Calendar) -> dict[str, np.ndarray]:
    """Every outbound message, in the order published (send time, then user).

    Parameters
    ----------
    seed
        World seed (the step draws from its own stream, ``"messages"``).
    u
        User arrays from :func:`coursekit.world.people.users`.
    o
        Final orders: ``user_idx`` and ``t`` grouped by user in time order, and
        the latent ``alive_end`` per user.
    cal
        The company's calendar.

    Returns
    -------
    dict
        Arrays ``user_idx``, ``sec`` (send time, seconds since START),
        ``medium`` and ``purpose`` (codes into :data:`MEDIA` and
        :data:`PURPOSES`), ``opened``, ``clicked``, ``unsubscribed`` and
        ``complained``; and per user ``reach_start`` (users x media: the day
        each medium can first reach them, inf for never) and ``intensity``
        (their send intensity).
    """
    rng = rng_for(seed, "messages")
    n = len(u["user_id"])

    # Each user's observed orders: where they start, the first and the last.
    o_user, o_t = o["user_idx"], o["t"]
    n_orders = np.bincount(o_user, minlength=n)
    o_start = np.cumsum(n_orders) - n_orders
    has = n_orders > 0
    first_order = np.where(has, o_t[np.minimum(o_start, len(o_t) - 1)], np.inf)
    last_order = np.where(has, o_t[np.maximum(o_start + n_orders - 1, 0)], -np.inf)

    # Per user: when each medium can reach them, and their send intensity.
    start = _reach(rng, u, first_order)
    sigma = P.MESSAGING["intensity_sigma"]
    intensity = rng.lognormal(-0.5 * sigma**2, sigma, n)
    mult = send_multiplier(cal)
    cum = np.concatenate([[0.0], np.cumsum(mult)])
    ctx = dict(
        n=n,
        end=float(cal.n_days),
        signup=u["signup_t"],
        engagement=(0.5 * np.log(u["_browse"])).astype(np.float32),
        alive_end=o["alive_end"],
        o_user=o_user,
        o_t=o_t,
        o_start=np.append(o_start, len(o_t)),
        first_order=first_order,
        last_order=last_order,
        start=start,
        intensity=intensity,
        mult=mult,
        cum=cum,
        day_at=np.minimum(
            np.searchsorted(cum, np.arange(int(cum[-1]) + 1), side="right") - 1, cal.n_days - 1
        ),
        grid=np.arange(cal.n_days + 1, dtype=float),
    )
    parts = [_block(rng, ctx, lo, min(lo + BLOCK_USERS, n)) for lo in range(0, n, BLOCK_USERS)]
    bucket = np.concatenate([p.pop("bucket") for p in parts])
    order = np.argsort(bucket, kind="stable")  # the blocks come in user order
    out = {
        k: np.concatenate([p.pop(k) for p in parts])[order] for k in ("user", "purpose", "flags")
    }
    del parts
    bucket = bucket[order]
    del order
    user, flags = out["user"], out["flags"]
    rank = bucket % len(SLOTS)
    sec = (bucket // len(SLOTS)).astype(np.int64) * SECONDS_PER_DAY + _SLOT_START[rank]
    sec += (_SLOT_SPREAD[rank] * user) // n
    return dict(
        user_idx=user,
        sec=sec,
        medium=_MEDIUM_OF_RANK[rank],
        purpose=out["purpose"],
        opened=(flags & _OPENED) > 0,
        clicked=(flags & _CLICKED) > 0,
        unsubscribed=(flags & _UNSUBSCRIBED) > 0,
        complained=(flags & _COMPLAINED) > 0,
        reach_start=start,
        intensity=intensity,
    )


def _block(rng: np.random.Generator, ctx: dict, lo: int, hi: int) -> dict[str, np.ndarray]:
    """The messages of users ``lo`` to ``hi - 1``, by send day, slot and user.

    Returns ``bucket`` (day x 3 + slot), ``user``, ``purpose`` and ``flags``
    (opened, clicked, unsubscribed and complained as bits).
    """
    n, end = ctx["n"], ctx["end"]
    ms, rates, fat = P.MESSAGING, P.MESSAGE_RATES, P.MESSAGE_FATIGUE
    n_slots = len(SLOTS)

    # Streams: one per user and medium that reaches the user (users local to the block).
    start = ctx["start"][lo:hi]
    reachable = np.isfinite(start)
    weight = np.array([P.MESSAGE_MEDIA[m]["weight"] for m in MEDIA])
    s_user, s_med = np.nonzero(reachable)
    s_start = start[s_user, s_med]
    s_rate = ctx["intensity"][lo:hi][s_user] * weight[s_med]
    s_rate /= (reachable @ weight)[s_user] * 7.0  # per day, before the segment's rate
    n_s = len(s_user)

    # Seven intervals per stream, in time order: welcome and prospect (no order
    # seen yet), new (the first 30 days after the first order), customer (the
    # segment follows the orders: drawn at the highest rate, then thinned), and
    # active, lapsing and dormant after the last order. The CRM sees the orders
    # placed before the day (a nightly batch), so the order-driven bounds fall
    # on whole days.
    g = s_user + lo
    signup, f, last = ctx["signup"][g], ctx["first_order"][g], ctx["last_order"][g]
    wel = signup + ms["welcome_days"]
    seen = np.floor(f) + 1.0  # first day the CRM knows the first order (inf: never)
    bounds = [np.floor(f + 30.0) + 1.0]
    bounds += [np.maximum(np.floor(last + d) + 1.0, seen) for d in (30.0, 60.0, _DORMANT_AFTER)]
    t0 = np.stack([signup, wel, seen, *bounds], axis=1)
    t1 = np.stack([np.minimum(wel, seen), seen, *bounds, np.full(n_s, end)], axis=1)
    np.maximum(t0, s_start[:, None], out=t0)
    np.minimum(t1, end, out=t1)
    del g, signup, f, last, wel, seen, bounds
    n_kinds = t0.shape[1]
    ok = (t1 > t0).ravel()
    t0, t1 = t0.ravel()[ok], t1.ravel()[ok]
    kind = np.tile(np.arange(n_kinds, dtype=np.int8), n_s)[ok]
    iv_stream = np.repeat(np.arange(n_s, dtype=np.int32), n_kinds)[ok]
    del ok
    top = max(rates[s] for s in ("loyal", "active", "lapsing", "dormant"))
    labels = ["welcome", "prospect", "new", "", "active", "lapsing", "dormant"]
    seg_rate = np.array([rates[s] if s else top for s in labels])
    seg_code = np.array([SEGMENTS.index(s) if s else -1 for s in labels], dtype=np.int8)

    # Poisson counts in send-multiplier time; the day of a point inverts the
    # cumulative rate (every day spans at least 1 of it, so a table of the day
    # at each whole number and one comparison find it).
    grid, cum = ctx["grid"], ctx["cum"]
    w0 = np.interp(t0, grid, cum)
    span = np.interp(t1, grid, cum) - w0
    k = rng.poisson(s_rate[iv_stream] * seg_rate[kind] * span)
    w = rng.random(int(k.sum()))
    w *= np.repeat(span, k)
    w += np.repeat(w0, k)
    day = ctx["day_at"][w.astype(np.int64)]
    day += w >= cum[day + 1]
    np.minimum(day, len(cum) - 2, out=day)
    del w, w0, span, t0, t1
    stream = np.repeat(iv_stream, k)
    seg = np.repeat(seg_code[kind], k)
    del iv_stream, kind, k

    # Thin the customer interval to the rate of the segment on each day.
    cust = np.flatnonzero(seg < 0)
    o_lo, o_hi = ctx["o_start"][lo], ctx["o_start"][hi]
    o_t = ctx["o_t"][o_lo:o_hi]
    o_key = (ctx["o_user"][o_lo:o_hi] - lo) << 10
    o_key |= o_t.astype(np.int64)
    code = _segments_on(s_user[stream[cust]], day[cust], o_key, o_t, ctx["o_start"][lo:hi] - o_lo)
    seg[cust] = code
    rate_of = (np.array([rates[s] for s in SEGMENTS]) / top).astype(np.float32)
    keep = np.ones(len(day), dtype=bool)
    keep[cust] = rng.random(len(cust), dtype=np.float32) < rate_of[code]
    del cust, code, o_key, o_t

    # By user in time order: (user, day, slot) is exact, as the slots do not
    # overlap. The cap keeps one message per user, medium and day.
    idx = np.flatnonzero(keep)
    stream, seg, day = stream[idx], seg[idx], day[idx]
    del idx, keep
    rank = _RANK[s_med[stream]]
    user = s_user[stream]
    u_bits = max(1, int(hi - lo - 1).bit_length())
    key = (user << 12) | (day << 2) | rank
    order = sort_order(key, u_bits + 12)
    key = key[order]
    first = np.ones(len(key), dtype=bool)
    first[1:] = key[1:] != key[:-1]
    order = order[first]
    del key, first
    # Send second: each medium has its daily slot, worked through in user order
    # (the same second for every candidate of a user, medium and day); nothing
    # goes out before the user can be reached.
    stream, seg, day, rank, user = (v[order] for v in (stream, seg, day, rank, user))
    sec = day * SECONDS_PER_DAY + _SLOT_START[rank]
    sec += (_SLOT_SPREAD[rank] * (user + lo)) // n
    ok = sec >= seconds(s_start)[stream]
    if not ok.all():
        stream, seg, day, rank, user, sec = (v[ok] for v in (stream, seg, day, rank, user, sec))
    del order, ok
    med = s_med[stream]
    m = len(sec)

    # Purpose by segment; promotion weighs more on days with a higher send rate.
    mix = np.array([P.MESSAGE_PURPOSE_MIX[s] for s in SEGMENTS])
    cmix = np.cumsum(mix, axis=1)
    extra = mix[seg, 0] * (ctx["mult"][day] - 1.0)
    q = rng.random(m)
    q *= cmix[seg, -1] + extra
    q -= extra  # promotion's extra weight sits below zero
    purpose = np.zeros(m, dtype=np.int8)
    for j in range(len(PURPOSES) - 1):  # loop over the purposes
        purpose += q >= cmix[seg, j]
    del q, extra, seg

    # Fatigue. The chances of unsubscribing and complaining depend on the
    # medium, the purpose and the count x (tables over the possible counts).
    # Counts only fall as messages drop out, so only the messages that would
    # unsubscribe at their full count need deciding, and the delivered set is
    # the fixed point of "decide on the current counts, cut every stream after
    # its first unsubscribe" (few messages drop: each round works on those).
    window = int(fat["window_days"])
    uns_p, cpl_p = _fatigue_tables(window)
    cell = med * len(PURPOSES) + purpose
    cell *= uns_p.shape[1]
    uns_p, cpl_p = uns_p.ravel(), cpl_p.ravel()
    ukey = (user << 26) + sec
    win = np.searchsorted(ukey, ukey - window * SECONDS_PER_DAY, side="right")
    del ukey
    draw = rng.random(m, dtype=np.float32)
    kept, stops = deliver(user, stream, win, cell, uns_p, draw)
    del draw
    flags = np.zeros(m, dtype=np.uint8)
    flags[stops] = _UNSUBSCRIBED
    x = _trailing(kept, win)
    del win, stops

    idx = np.flatnonzero(kept)
    user, med, purpose, day, rank, sec, x, flags, cell = (
        v[idx] for v in (user, med, purpose, day, rank, sec, x, flags, cell)
    )
    del idx, kept, stream
    m = len(sec)
    flags[rng.random(m, dtype=np.float32) < cpl_p[cell + x]] |= _COMPLAINED
    del cell

    # Opens and clicks: medium, purpose, engagement and fatigue. Engagement is
    # the user's browsing intensity and their (latent) state at sending.
    g = user + lo
    tday = sec / SECONDS_PER_DAY
    eng = ctx["engagement"][g] + np.where(
        tday < ctx["first_order"][g],
        np.float32(0.0),
        np.where(
            tday < ctx["alive_end"][g],
            np.float32(ms["engagement_alive"]),
            np.float32(ms["engagement_dropped"]),
        ),
    )
    del tday
    z = np.array([P.MESSAGE_MEDIA[v]["open"] for v in MEDIA], dtype=np.float32)[med]
    z += np.array([ms["open_purpose"][p] for p in PURPOSES], dtype=np.float32)[purpose]
    z += eng
    z += np.float32(fat["open_slope"]) * (x - 1)
    opened = rng.random(m, dtype=np.float32) < logistic(z)
    z = np.array([ms["click"][p] for p in PURPOSES], dtype=np.float32)[purpose]
    z += np.float32(0.5) * eng
    clicked = opened & (rng.random(m, dtype=np.float32) < logistic(z))
    flags |= opened * np.uint8(_OPENED)
    flags |= clicked * np.uint8(_CLICKED)
    del z, eng, opened, clicked

    # By send day, slot, then user: the published order within the block.
    bucket = day * n_slots + rank
    order = sort_order((bucket << u_bits) | user, u_bits + 12)
    return dict(
        bucket=bucket[order].astype(np.int16),
        user=(user[order] + lo).astype(np.int32),
        purpose=purpose[order],
        flags=flags[order],
    )
