"""Who a plan's segments are: each customer's features when the data ends, and the rules.

The features are what the company can see on 2025-12-31 (nothing latent):

- ``crm_segment``: the world's CRM segment (``coursekit.world.marketing``:
  new, loyal, active, lapsing, dormant; ``none`` before a first order), from
  the orders before the end of the data;
- ``rfm_segment`` / ``rfm_segment_en``: the eight RFM segments of
  :func:`coursekit.segments.rfm` (mean thresholds, as the lessons use;
  ``none`` without an order);
- ``member_tier``, ``channel``, ``city_tier``, ``age_band``, ``gender``,
  ``device``: from the ``users`` table;
- ``orders``, ``days_since_last_order`` (calendar days to 2026-01-01, as
  :func:`coursekit.segments.rfm` counts recency; NaN without an order);
- ``tags``: the seventeen tags of :func:`coursekit.segments.default_tags`
  (from :func:`coursekit.segments.user_features`), as ``tag_<name>`` columns
  when the tag table is given.

A segment's ``rules`` map a feature to the values it may take (a list: any
of them) or, for the numbers, to a range ``{min: .., max: ..}`` (both ends
included); all the rules of a segment must hold.

Examples
--------
>>> import pandas as pd
>>> feats = pd.DataFrame({"crm_segment": ["loyal", "lapsing", "none"],
...                       "days_since_last_order": [3.0, 90.0, float("nan")]})
>>> select(feats, {"crm_segment": ["lapsing", "dormant"]}).tolist()
[False, True, False]
>>> select(feats, {"days_since_last_order": {"min": 1, "max": 30}}).tolist()
[True, False, False]
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from coursekit.segments.rfm import SEGMENTS, SEGMENTS_EN
from coursekit.segments.tags import default_tags
from coursekit.world import marketing
from coursekit.world import params as P

__all__ = ["NUMERIC_RULES", "RULES", "features", "select"]

#: Features a rule can name, with the values allowed (categorical features).
RULES: dict[str, list[str]] = {
    "crm_segment": [*marketing.SEGMENTS, "none"],
    "rfm_segment": [*SEGMENTS, *SEGMENTS_EN, "none"],
    "member_tier": ["bronze", "silver", "gold", "platinum"],
    "channel": [*P.CHANNELS, "unknown"],
    "city_tier": list(P.CITY_TIERS),
    "age_band": list(P.AGE_BANDS),
    "gender": list(P.GENDERS),
    "device": list(P.DEVICES),
    "tags": [t.name for t in default_tags()],
}
#: Numeric features a rule can bound with ``{min: .., max: ..}``.
NUMERIC_RULES = ["orders", "days_since_last_order"]
_ASOF = pd.Timestamp(P.END) + pd.Timedelta(days=1)


def features(users: pd.DataFrame, orders: pd.DataFrame,
             tags: pd.DataFrame | None = None) -> pd.DataFrame:
    """Each user's features at the end of the data, in the order of ``users``.

    Parameters
    ----------
    users, orders
        The world's ``users`` and ``orders`` tables.
    tags
        Optional: a tag table (users x tags, booleans, indexed by ``user_id``),
        e.g. ``TagEngine(default_tags()).apply(user_features(...))``.

    Returns
    -------
    pandas.DataFrame
        One row per user (``user_id`` as a column): the features of :data:`RULES`
        and :data:`NUMERIC_RULES`, plus ``rfm_segment_en``.

    Examples
    --------
    >>> import pandas as pd
    >>> users = pd.DataFrame({"user_id": [1, 2], "member_tier": ["gold", "bronze"]})
    >>> orders = pd.DataFrame({"user_id": [1, 1, 1], "amount": [50.0, 60.0, 70.0],
    ...                        "order_time": pd.to_datetime(["2025-12-01", "2025-12-10",
    ...                                                      "2025-12-20"])})
    >>> features(users, orders)[["crm_segment", "orders", "days_since_last_order"]]
      crm_segment  orders  days_since_last_order
    0       loyal       3                   12.0
    1        none       0                    NaN
    """
    from coursekit.segments import rfm

    ids = users["user_id"].to_numpy()
    done = orders[orders["order_time"] < _ASOF]
    pos = pd.Index(ids).get_indexer(done["user_id"].to_numpy())
    if (pos < 0).any():
        from coursekit.errors import DataError

        raise DataError("orders of users missing from users", table="orders", column="user_id",
                        rows=done[pos < 0].head(5), fix="pass the users table of the same world")
    day = ((done["order_time"] - pd.Timestamp(P.START)) / pd.Timedelta(days=1)).to_numpy()
    n = len(ids)
    count = np.bincount(pos, minlength=n)
    last = np.full(n, -np.inf)
    np.maximum.at(last, pos, day)
    first = np.full(n, np.inf)
    np.minimum.at(first, pos, day)
    end = float((_ASOF - pd.Timestamp(P.START)).days)
    crm = marketing.segment_codes(count, end - last, end - first)
    names = np.array([*marketing.SEGMENTS, "none"])
    out = pd.DataFrame({"user_id": ids, "crm_segment": names[crm]})
    table = rfm(done, asof=_ASOF) if len(done) else None
    for col, src in (("rfm_segment", "segment"), ("rfm_segment_en", "segment_en")):
        out[col] = "none" if table is None else \
            table[src].astype(str).reindex(ids).fillna("none").to_numpy()
    for col in ("member_tier", "channel", "city_tier", "age_band", "gender", "device"):
        if col in users:
            out[col] = users[col].astype(str).to_numpy()
    out["orders"] = count
    last_day = np.floor(np.where(count > 0, last, np.nan))
    out["days_since_last_order"] = np.floor(end) - last_day
    if tags is not None:
        aligned = tags.reindex(ids).fillna(False).astype(bool)
        for name in aligned.columns:
            out[f"tag_{name}"] = aligned[name].to_numpy()
    return out


def select(feats: pd.DataFrame, rules: Mapping[str, object]) -> pd.Series:
    """Which rows of ``feats`` satisfy every rule (a boolean Series; no rules: everyone).

    RFM segments may be named in Chinese or English. A rule on a feature the
    table does not have selects nobody.
    """
    keep = np.ones(len(feats), dtype=bool)
    for name, allowed in rules.items():
        if name in NUMERIC_RULES:
            values = feats[name].to_numpy(dtype=float) if name in feats else np.full(len(feats),
                                                                                     np.nan)
            lo = allowed.get("min", -np.inf)
            hi = allowed.get("max", np.inf)
            keep &= (values >= lo) & (values <= hi)
        elif name == "rfm_segment":
            zh = feats["rfm_segment"].to_numpy() if name in feats else np.array([])
            en = feats["rfm_segment_en"].to_numpy() if "rfm_segment_en" in feats else zh
            keep &= np.isin(zh, list(allowed)) | np.isin(en, list(allowed))
        elif name == "tags":
            cols = [f"tag_{t}" for t in allowed if f"tag_{t}" in feats]
            keep &= feats[cols].to_numpy().any(axis=1) if cols else False
        elif name in feats:
            keep &= np.isin(feats[name].to_numpy(), list(allowed))
        else:
            keep[:] = False
    return pd.Series(keep, index=feats.index, name="selected")


def read_features(folder: Path) -> pd.DataFrame:
    """:func:`features` of the world in ``folder``, with the default tags."""
    from coursekit import load
    from coursekit.segments import TagEngine, user_features

    world = str(folder)
    users, orders = load("users", world=world), load("orders", world=world)
    table = user_features(users, orders, load("events", world=world),
                          order_items=load("order_items", world=world),
                          products=load("products", world=world))
    return features(users, orders, TagEngine(default_tags()).apply(table))
