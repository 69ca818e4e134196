"""Generator step for offline stores: the operating units and their months.

Each store has a latent operating quality (manager skill); benchmark stores
add more WeCom members and convert more of their footfall. Car-park traffic
drives footfall where a store has a car park, so sales track it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from coursekit.world import params as P
from coursekit.world._util import rng_for
from coursekit.world.people import N_STORES

CITIES = [("上海", "1", "east"), ("杭州", "2", "east"), ("南京", "2", "east"),
          ("苏州", "2", "east"), ("广州", "1", "south"), ("深圳", "1", "south"),
          ("北京", "1", "north"), ("天津", "2", "north"), ("武汉", "2", "central"),
          ("长沙", "2", "central"), ("成都", "2", "west"), ("宁波", "3", "east")]  # fmt: skip
FORMATS = {"mall_kiosk": 0.4, "street_shop": 0.4, "flagship": 0.2}


def stores(seed: int, n_stores: int = N_STORES,
           every_format: bool = False) -> tuple[pd.DataFrame, np.ndarray]:
    """The stores and their latent quality (not published; kept for truth.json).

    With ``every_format`` (World 2) the formats come in their shares, each at least
    once, so that a small world still has a flagship to compare.
    """
    rng = rng_for(seed, "stores")
    city = [CITIES[i % len(CITIES)] for i in range(n_stores)]
    if every_format:
        counts = np.maximum(1, np.round(np.array(list(FORMATS.values())) * n_stores))
        counts[0] += n_stores - counts.sum()  # the kiosks take up the rounding
        fmt = rng.permutation(np.repeat(list(FORMATS), counts.astype(int)))
    else:
        fmt = np.array(list(FORMATS))[rng.choice(3, n_stores, p=list(FORMATS.values()))]
    quality = rng.normal(0.0, 0.25, n_stores)
    open_month = rng.integers(-36, 10, n_stores)
    df = pd.DataFrame(
        dict(
            store_id=np.arange(1, n_stores + 1),
            name=[f"青木·{c[0]}{i + 1:02d}" for i, c in enumerate(city)],
            city=[c[0] for c in city],
            city_tier=[c[1] for c in city],
            region=[c[2] for c in city],
            format=fmt,
            open_date=[
                (pd.Timestamp(P.START) + pd.DateOffset(months=int(m))).normalize()
                for m in open_month
            ],
            area_sqm=np.round(
                np.where(fmt == "flagship", 160, np.where(fmt == "street_shop", 80, 35))
                * rng.uniform(0.8, 1.25, n_stores)
            ).astype(np.int64),
            staff=np.where(fmt == "flagship", 8, np.where(fmt == "street_shop", 4, 2))
            + rng.integers(0, 2, n_stores),
            has_car_park=(fmt != "mall_kiosk") & (rng.random(n_stores) < 0.6)
            | (fmt == "mall_kiosk"),
            manager_tenure_years=np.round(
                np.clip(2.5 + 4 * quality + rng.normal(0, 1.2, n_stores), 0.3, 12), 1
            ),
        )
    )
    return df, quality


def store_signups(seed: int, u: dict, st: pd.DataFrame, quality: np.ndarray,
                  w2: P.World2) -> np.ndarray:
    """World 2: the store each store sign-up came through (0 for other users).

    A sign-up at time t picks among the stores open by then, with weight
    ``exp(store_signup_quality * quality)``; the weights do not depend on t, so
    one ``searchsorted`` on cumulative weights over the stores sorted by opening
    date draws them all.
    """
    rng = rng_for(seed, "store_signups")
    opened = ((st["open_date"] - pd.Timestamp(P.START)).dt.days).to_numpy(dtype=float)
    by_open = np.argsort(opened, kind="stable")
    cum = np.cumsum(np.exp(w2.store_signup_quality * quality[by_open]))
    who = np.flatnonzero(u["store_id"] > 0)
    k = np.maximum(np.searchsorted(opened[by_open], u["signup_t"][who], side="right"), 1)
    pick = np.searchsorted(cum, rng.random(len(who)) * cum[k - 1], side="right")
    out = np.zeros(len(u["user_id"]), dtype=np.int64)
    out[who] = by_open[np.minimum(pick, k - 1)] + 1
    return out


def store_months(seed: int, st: pd.DataFrame, quality: np.ndarray,
                 app_signups: pd.Series | None = None) -> pd.DataFrame:
    """Monthly performance of each open store.

    With ``app_signups`` (World 2: app sign-ups per store and month), each
    month's WeCom adds also count the store's app sign-ups, who add the store's
    adviser when they sign up there.
    """
    rng = rng_for(seed, "store_months")
    months = pd.date_range(P.START, P.END, freq="MS")
    season = np.array([1.35, 1.25, 0.9, 0.95, 1.0, 1.05, 0.95, 0.95, 1.15, 1.1, 1.05, 1.2])
    rows = []
    base = {"mall_kiosk": 5200, "street_shop": 3800, "flagship": 9000}
    for s in st.itertuples(index=False):
        q = quality[s.store_id - 1]
        m = months[months >= s.open_date]
        k = len(m)
        sea = season[m.month - 1]
        car = (
            np.round(rng.normal(11000, 1500) * sea * rng.lognormal(0, 0.08, k)).astype(np.int64)
            if s.has_car_park
            else np.zeros(k, dtype=np.int64)
        )
        foot = base[s.format] * sea * rng.lognormal(0, 0.07, k)
        if s.has_car_park:
            foot = foot * 0.55 + 0.28 * car
        foot = np.round(foot).astype(np.int64)
        conv = np.clip(0.22 * np.exp(q) * rng.lognormal(0, 0.05, k), 0.05, 0.6)
        tx = rng.binomial(foot, conv)
        ticket = (
            68
            * (1.25 if s.format == "flagship" else 1.0)
            * np.exp(0.3 * q)
            * rng.lognormal(0, 0.04, k)
        )
        members = rng.poisson(np.maximum(tx * 0.05 * np.exp(1.5 * q), 0.1))
        if app_signups is not None:
            members = members + app_signups.reindex(
                pd.MultiIndex.from_arrays([np.full(k, s.store_id), m]), fill_value=0
            ).to_numpy()
        rows.append(
            pd.DataFrame(
                dict(
                    store_id=s.store_id,
                    month=m,
                    footfall=foot,
                    car_park_traffic=car,
                    transactions=tx,
                    revenue=np.round(tx * ticket, 2),
                    wecom_members_added=members,
                    staff_hours=np.round(s.staff * 208 * rng.uniform(0.9, 1.05, k)),
                )
            )
        )
    return pd.concat(rows, ignore_index=True)
