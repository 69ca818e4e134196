"""Generator step for the paid membership (Qingmu Plus, 青木会员 Plus).

Heavier buyers are likelier to join (selection, not cause: joining does not
change how a member buys, which ``truth.json`` says so that the module on
ARPU can show members' higher spend is mostly who they are).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from coursekit.world import params as P
from coursekit.world._util import group_positions, rng_for

PLANS = {"monthly": (15.0, 30), "annual": (128.0, 365)}


def memberships(seed: int, u: dict, o: dict, end_day: float, prm: P.Params) -> pd.DataFrame:
    """One row per paid period; renewals are further rows of the same user."""
    rng = rng_for(seed, "memberships")
    n = len(u["user_id"])
    cnt = np.bincount(o["user_idx"], minlength=n)
    p_join = np.clip(
        prm.member_join_base + prm.member_join_per_order * np.maximum(cnt - 1, 0), 0, 0.6
    )
    joins = np.flatnonzero((cnt >= 2) & (rng.random(n) < p_join))
    # Join at the customer's second order.
    first_pos = np.searchsorted(o["user_idx"], joins, side="left")
    start = o["t"][first_pos + 1]
    annual = rng.random(len(joins)) < 0.35
    renew = np.where(annual, prm.member_renew_annual, prm.member_renew_monthly)
    periods = rng.geometric(1 - renew)
    length = np.where(annual, 365, 30)
    who = np.repeat(joins, periods)
    k = group_positions(periods)
    s = np.repeat(start, periods) + k * np.repeat(length, periods)
    plan = np.where(np.repeat(annual, periods), "annual", "monthly")
    keep = s < end_day
    who, k, s, plan = who[keep], k[keep], s[keep], plan[keep]
    days = np.where(plan == "annual", 365, 30)
    base = pd.Timestamp(P.START)
    df = pd.DataFrame(
        dict(
            user_id=u["user_id"][who],
            plan=plan,
            start_date=(base + pd.to_timedelta(np.floor(s), unit="D")).normalize(),
            period=k + 1,
            price=np.where(plan == "annual", PLANS["annual"][0], PLANS["monthly"][0]),
        )
    )
    df["end_date"] = df["start_date"] + pd.to_timedelta(days - 1, unit="D")
    df = df.sort_values(["start_date", "user_id", "period"], kind="stable").reset_index(drop=True)
    df.insert(0, "membership_id", np.arange(1, len(df) + 1))
    return df[["membership_id", "user_id", "plan", "period", "start_date", "end_date", "price"]]
