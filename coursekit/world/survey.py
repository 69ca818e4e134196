"""Generator step for the customer survey: what matters to respondents
(constant-sum importance points) and how they rate us and two competitors.

Three latent personas weigh the attributes differently; ``truth.json``
keeps their weights and each brand's true performance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from coursekit.world import params as P
from coursekit.world._util import choice, rng_for

ATTRIBUTES = ["taste", "health", "price", "packaging", "delivery_speed", "variety", "brand_trust"]
PERSONAS = {
    "health_seeker": (0.40, [20, 32, 8, 5, 10, 10, 15]),
    "value_hunter": (0.35, [20, 8, 35, 4, 13, 14, 6]),
    "gift_buyer": (0.25, [14, 8, 8, 30, 12, 8, 20]),
}
BRANDS = {
    "qingmu": [7.8, 8.2, 6.4, 7.0, 6.8, 7.2, 7.4],
    "songguo": [7.4, 6.5, 7.8, 6.6, 7.6, 8.0, 7.0],
    "guorenjia": [7.0, 7.0, 7.0, 8.3, 6.5, 6.4, 7.8],
}


def survey(seed: int, u: dict, n_resp: int = 600) -> pd.DataFrame:
    """One row per respondent and attribute."""
    rng = rng_for(seed, "survey")
    names = list(PERSONAS)
    persona = rng.choice(len(names), n_resp, p=[PERSONAS[p][0] for p in names])
    w = np.array([PERSONAS[p][1] for p in names], dtype=float)[persona]
    imp = rng.gamma(w * 0.8 + 0.5)
    points = np.round(100 * imp / imp.sum(axis=1, keepdims=True)).astype(np.int64)
    points[:, 0] += 100 - points.sum(axis=1)  # constant sum of 100 points
    is_user = rng.random(n_resp) < 0.7
    uid = np.where(is_user, rng.choice(u["user_id"], n_resp), 0)
    age = choice(rng, P.AGE_BANDS, n_resp)
    tier = choice(rng, P.CITY_TIERS, n_resp)
    k = len(ATTRIBUTES)
    ratings = {
        b: np.clip(np.round(np.array(v)[None, :] + rng.normal(0, 1.1, (n_resp, k))), 1, 10).astype(
            np.int64
        )
        for b, v in BRANDS.items()
    }
    return pd.DataFrame(
        dict(
            respondent_id=np.repeat(np.arange(1, n_resp + 1), k),
            user_id=np.repeat(uid, k),
            age_band=np.repeat(age, k),
            city_tier=np.repeat(tier, k),
            attribute=np.tile(ATTRIBUTES, n_resp),
            importance=points.ravel(),
            rating_qingmu=ratings["qingmu"].ravel(),
            rating_songguo=ratings["songguo"].ravel(),
            rating_guorenjia=ratings["guorenjia"].ravel(),
        )
    )
