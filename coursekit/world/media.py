"""Generator step for content accounts: posts and how they performed.

Reach and engagement are products of platform, format, topic and time-slot
effects with log-normal noise; ``truth.json`` holds the effects so a learner's
estimate from the posts can be compared with them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from coursekit.world import params as P
from coursekit.world._util import choice, rng_for

PLATFORMS = {"wechat_oa": 0.30, "xiaohongshu": 0.30, "douyin": 0.25, "video_account": 0.15}
REACH = {"wechat_oa": 3000.0, "xiaohongshu": 5000.0, "douyin": 12000.0, "video_account": 4000.0}
FORMATS = {"article": 0.30, "image_post": 0.30, "short_video": 0.30, "live": 0.10}
FORMAT_EFFECT = {"article": 0.8, "image_post": 1.0, "short_video": 1.6, "live": 2.2}
TOPICS = {
    "product": 0.25,
    "recipe": 0.20,
    "health_tips": 0.20,
    "promotion": 0.15,
    "brand_story": 0.10,
    "user_stories": 0.10,
}
TOPIC_EFFECT = {
    "product": 0.9,
    "recipe": 1.3,
    "health_tips": 1.2,
    "promotion": 1.0,
    "brand_story": 0.7,
    "user_stories": 1.1,
}
SLOTS = {"morning": (8, 0.25), "noon": (12, 0.25), "evening": (20, 0.35), "late_night": (23, 0.15)}
SLOT_EFFECT = {"morning": 0.9, "noon": 1.0, "evening": 1.35, "late_night": 0.8}


def content_posts(seed: int, n_days: int) -> pd.DataFrame:
    """About three posts a day across four accounts."""
    rng = rng_for(seed, "content_posts")
    n = int(n_days * 3)
    day = np.sort(rng.integers(0, n_days, n))
    platform = choice(rng, PLATFORMS, n)
    fmt = choice(rng, FORMATS, n)
    fmt[(platform == "wechat_oa") & (fmt == "short_video")] = "article"
    topic = choice(rng, TOPICS, n)
    slot = choice(rng, {k: v[1] for k, v in SLOTS.items()}, n)
    hour = np.array([SLOTS[s][0] for s in slot])
    mean = (
        np.array([REACH[p] for p in platform])
        * np.array([FORMAT_EFFECT[f] for f in fmt])
        * np.array([TOPIC_EFFECT[t] for t in topic])
        * np.array([SLOT_EFFECT[s] for s in slot])
        * np.linspace(0.8, 1.5, n)
    )  # the accounts grow
    impressions = np.round(mean * rng.lognormal(0, 0.5, n)).astype(np.int64)
    views = rng.binomial(impressions, 0.35)
    likes = rng.binomial(views, 0.04 * np.array([TOPIC_EFFECT[t] for t in topic]).clip(0, 1.5))
    comments = rng.binomial(views, 0.006)
    shares = rng.binomial(views, 0.008 * np.array([FORMAT_EFFECT[f] for f in fmt]) / 1.6)
    follows = rng.binomial(views, 0.004)
    clicks = rng.binomial(views, np.where(topic == "promotion", 0.05, 0.015))
    t = (
        pd.Timestamp(P.START)
        + pd.to_timedelta(day, unit="D")
        + pd.to_timedelta(hour * 60 + rng.integers(0, 30, n), unit="min")
    )
    return pd.DataFrame(
        dict(
            post_id=np.arange(1, n + 1),
            platform=platform,
            publish_time=t,
            format=fmt,
            topic=topic,
            slot=slot,
            impressions=impressions,
            views=views,
            likes=likes,
            comments=comments,
            shares=shares,
            follows=follows,
            clicks_to_store=clicks,
        )
    )
