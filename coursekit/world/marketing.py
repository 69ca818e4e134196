"""Generator steps for marketing: randomised campaigns and daily channel spend."""

from __future__ import annotations

import numpy as np
import pandas as pd

from coursekit.world import params as P
from coursekit.world._util import rng_for
from coursekit.world.calendar import Calendar

# Segments as the CRM sees them on the day a campaign starts.
SEGMENTS = ["new", "loyal", "active", "lapsing", "dormant"]
# True uplift of the chance to order within the campaign window, by segment:
# loyal customers would have bought anyway; lapsing ones are worth a coupon.
UPLIFT = {"new": 0.06, "loyal": 0.0, "active": 0.035, "lapsing": 0.12, "dormant": 0.025}
OPEN_RATE = {"sms": 0.22, "app_push": 0.09, "wecom": 0.35}

CAMPAIGNS = [
    dict(campaign_id=1, name="spring_winback", start="2024-04-15", days=14, medium="sms",
         offer="20 off 99", coupon=20.0, threshold=99.0, scale=1.0, send_hour=11),
    dict(campaign_id=2, name="618_presale_push", start="2024-06-03", days=15, medium="app_push",
         offer="15 off 99", coupon=15.0, threshold=99.0, scale=0.8, send_hour=20),
    dict(campaign_id=3, name="autumn_member_day", start="2024-09-20", days=10, medium="wecom",
         offer="20 off 129", coupon=20.0, threshold=129.0, scale=1.0, send_hour=19),
    dict(campaign_id=4, name="midnight_sms_blast", start="2025-02-20", days=7, medium="sms",
         offer="10 off 199", coupon=10.0, threshold=199.0, scale=0.05, send_hour=2,
         open_rate=0.01),
    dict(campaign_id=5, name="summer_winback", start="2025-05-12", days=14, medium="sms",
         offer="20 off 99", coupon=20.0, threshold=99.0, scale=1.0, send_hour=11),
    dict(campaign_id=6, name="double11_warmup", start="2025-10-20", days=21, medium="app_push",
         offer="30 off 199", coupon=30.0, threshold=199.0, scale=1.0, send_hour=20),
]  # fmt: skip


def _day(date: str) -> float:
    return float((pd.Timestamp(date) - pd.Timestamp(P.START)).days)


def segment_at(t0: float, user: np.ndarray, t: np.ndarray, n: int) -> np.ndarray:
    """CRM segment of every user at time ``t0`` from their orders before it.

    Returns codes into :data:`SEGMENTS` (``int8``), -1 for users with no order yet.
    """
    before = t < t0
    ub, tb = user[before], t[before]
    cnt = np.bincount(ub, minlength=n)
    last = np.full(n, -np.inf)
    np.maximum.at(last, ub, tb)
    first = np.full(n, np.inf)
    np.minimum.at(first, ub, tb)
    return segment_codes(cnt, t0 - last, t0 - first)


def segment_codes(count: np.ndarray, since_last: np.ndarray, since_first: np.ndarray) -> np.ndarray:
    """CRM segment from a customer's orders so far (the rule of :func:`segment_at`).

    Parameters
    ----------
    count
        Number of orders so far.
    since_last, since_first
        Days since the last and since the first of those orders.

    Returns
    -------
    numpy.ndarray
        Codes into :data:`SEGMENTS` (``int8``), -1 where ``count`` is 0.
    """
    seg = np.full(len(count), -1, dtype=np.int8)
    has = count > 0
    seg[has & (since_last > 150)] = SEGMENTS.index("dormant")
    seg[has & (since_last <= 150)] = SEGMENTS.index("lapsing")
    seg[has & (since_last <= 60)] = SEGMENTS.index("active")
    seg[has & (since_last <= 30) & (count >= 3)] = SEGMENTS.index("loyal")
    seg[has & (since_first <= 30)] = SEGMENTS.index("new")
    return seg


def campaigns(seed: int, u: dict, o: dict, prm: P.Params,
              w2: P.World2 | None = None) -> tuple[dict, dict]:
    """Assign every eligible customer to treatment or control (a fair coin) and add
    the incremental orders the campaign causes, segment by segment.

    Returns the assignment arrays (``segment`` as codes into :data:`SEGMENTS`),
    grouped by campaign and ascending user within a campaign, and the extra orders.
    """
    rng = rng_for(seed, "campaigns")
    n = len(u["user_id"])
    user, t = o["user_idx"], o["t"]
    uplift_of = np.array([UPLIFT[s] for s in SEGMENTS])
    assign = {k: [] for k in ("campaign_id", "user_idx", "treated", "segment", "sent_t", "opened")}
    extra = {k: [] for k in ("user_idx", "t", "campaign")}
    for c in CAMPAIGNS:  # a handful of campaigns
        t0 = _day(c["start"]) + c["send_hour"] / 24
        seg = segment_at(t0, user, t, n)
        elig = np.flatnonzero(seg >= 0)
        treated = rng.random(len(elig)) < 0.5
        s = seg[elig]
        opened = treated & (rng.random(len(elig)) < c.get("open_rate", OPEN_RATE[c["medium"]]))
        uplift = uplift_of[s] * c["scale"]
        if w2 is not None:  # World 2: some personas answer coupons far more than others
            from coursekit.world.personas import coupon_sensitivity

            uplift = np.clip(uplift * coupon_sensitivity(u["_persona"][elig]), 0, 1)
        respond = treated & (rng.random(len(elig)) < uplift)
        who = elig[respond]
        when = t0 + rng.exponential(c["days"] / 4, len(who)).clip(0, c["days"] - 0.01)
        for key, val in (
            ("campaign_id", np.full(len(elig), c["campaign_id"])),
            ("user_idx", elig),
            ("treated", treated),
            ("segment", s),
            ("sent_t", np.full(len(elig), t0)),
            ("opened", opened),
        ):
            assign[key].append(val)
        extra["user_idx"].append(who)
        extra["t"].append(when)
        extra["campaign"].append(np.full(len(who), c["campaign_id"]))
        user = np.concatenate([user, who])
        t = np.concatenate([t, when])
    assign = {k: np.concatenate(v) for k, v in assign.items()}
    extra = {k: np.concatenate(v) for k, v in extra.items()}
    return assign, extra


def channel_spend(seed: int, cal: Calendar, signups: np.ndarray,
                  elasticity: dict[str, float] | None = None) -> tuple[pd.DataFrame, dict]:
    """Daily spend per paid channel, with day-to-day noise; impressions and clicks
    from fixed CPM and CTR.

    Without ``elasticity`` (World 1), ``signups`` are the true sign-ups per channel
    (rows in ``list(params.CHANNELS)`` order) and day, and a day costs them times
    the channel's cost per sign-up. With it (World 2), ``signups`` are the
    expected sign-ups, and a day costs what the channel's response curve asks
    for that many: ``cac * n_ref * (n / n_ref) ** (1 / elasticity)``, ``n_ref``
    its average day, so busy days cost more per sign-up (diminishing returns).
    Either way the money follows the true sign-ups' channel, so during the
    tracking outage it keeps flowing while recorded sign-ups vanish.

    Returns the table and, in World 2, each paid channel's curve (for the truth).
    """
    rng = rng_for(seed, "channel_spend")
    rows, curves = [], {}
    cpm = {"douyin_ads": 38.0, "xiaohongshu": 55.0, "search_ads": 30.0}
    ctr = {"douyin_ads": 0.011, "xiaohongshu": 0.018, "search_ads": 0.032}
    for code, (name, spec) in enumerate(P.CHANNELS.items()):
        if spec["cac"] <= 0:
            continue
        if elasticity is None:
            need = signups[code] * spec["cac"]
        else:
            beta, ref_n = elasticity[name], float(signups[code].mean())
            ref_spend = spec["cac"] * ref_n
            curves[name] = dict(reference_spend_per_day=round(ref_spend, 2),
                                reference_signups_per_day=round(ref_n, 4), elasticity=beta,
                                marginal_cac_at_reference=round(spec["cac"] / beta, 2))
            need = ref_spend * (signups[code] / ref_n) ** (1.0 / beta)
        spend = need * rng.lognormal(0.0, 0.15, cal.n_days)
        if name in cpm:
            impressions = np.round(spend / cpm[name] * 1000).astype(np.int64)
            clicks = rng.binomial(impressions, ctr[name])
        else:
            impressions = np.zeros(cal.n_days, dtype=np.int64)
            clicks = np.zeros(cal.n_days, dtype=np.int64)
        rows.append(
            pd.DataFrame(
                dict(
                    date=cal.days,
                    channel=name,
                    spend=np.round(spend, 2),
                    impressions=impressions,
                    clicks=clicks,
                )
            )
        )
    out = pd.concat(rows, ignore_index=True)
    return out.sort_values(["date", "channel"], kind="stable").reset_index(drop=True), curves
