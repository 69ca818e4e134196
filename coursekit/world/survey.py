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


def survey(seed: int, u: dict, w2: P.World2 | None = None, n_resp: int = 600) -> pd.DataFrame:
    """One row per respondent and attribute.

    In World 2 (``w2``) the respondents come from the same personas as the users:
    a respondent who is a user answers as their persona, age band and city tier
    say; the others are drawn like new sign-ups.
    """
    if w2 is not None:
        return _survey_world2(seed, u, n_resp)
    rng = rng_for(seed, "survey")
    names = list(PERSONAS)
    persona = rng.choice(len(names), n_resp, p=[PERSONAS[p][0] for p in names])
    points = _points(rng, np.array([PERSONAS[p][1] for p in names], dtype=float)[persona])
    is_user = rng.random(n_resp) < 0.7
    uid = np.where(is_user, rng.choice(u["user_id"], n_resp), 0)
    age = choice(rng, P.AGE_BANDS, n_resp)
    tier = choice(rng, P.CITY_TIERS, n_resp)
    return _table(rng, uid, age, tier, points)


def _points(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """Constant-sum importance points (100 per respondent) around each one's weights."""
    imp = rng.gamma(weights * 0.8 + 0.5)
    points = np.round(100 * imp / imp.sum(axis=1, keepdims=True)).astype(np.int64)
    points[:, 0] += 100 - points.sum(axis=1)  # constant sum of 100 points
    return points


def _table(rng: np.random.Generator, uid: np.ndarray, age: np.ndarray, tier: np.ndarray,
           points: np.ndarray) -> pd.DataFrame:
    """The survey table: the points, and each brand's ratings drawn around its truth."""
    n_resp, k = len(uid), len(ATTRIBUTES)
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


def respondent_personas(seed: int, u: dict, n_resp: int = 600) -> np.ndarray:
    """World 2: the persona each respondent of :func:`survey` answers as.

    The same draws as the survey's own (a fresh stream of the same seed), so
    the survey is unchanged by asking.

    Parameters
    ----------
    seed
        The seed the survey was drawn with.
    u
        The generator's users (``user_id``, ``_persona``, ``age_band``, ``city_tier``).
    n_resp
        Respondents, as for :func:`survey`.

    Returns
    -------
    numpy.ndarray
        Positions in :data:`coursekit.world.personas.NAMES`, one per respondent
        in order of ``respondent_id``.

    Examples
    --------
    >>> zeros = np.zeros(3, dtype=np.int8)
    >>> u = dict(user_id=np.arange(1, 4), _persona=np.array([0, 1, 2], dtype=np.int8),
    ...          age_band=zeros, city_tier=zeros)
    >>> persona = respondent_personas(1, u, n_resp=5)
    >>> persona.shape, bool(persona.max() < 4)
    ((5,), True)
    """
    return _respondents_world2(rng_for(seed, "survey"), u, n_resp)[1]


def _respondents_world2(rng: np.random.Generator, u: dict, n_resp: int) -> tuple[np.ndarray, ...]:
    """Who the respondents are: user id (0: not a user), persona, age band, city tier."""
    from coursekit.world import personas
    from coursekit.world.people import LABELS

    names = personas.NAMES
    is_user = rng.random(n_resp) < 0.7
    pick = rng.integers(0, len(u["user_id"]), n_resp)
    uid = np.where(is_user, u["user_id"][pick], 0)
    shares = np.array([personas.PERSONAS[p]["share"] for p in names])
    persona = np.where(is_user, u["_persona"][pick], rng.choice(len(names), n_resp, p=shares))
    age = np.where(is_user, np.array(LABELS["age_band"])[u["age_band"][pick]],
                   choice(rng, P.AGE_BANDS, n_resp))
    tier = np.where(is_user, np.array(LABELS["city_tier"])[u["city_tier"][pick]],
                    choice(rng, P.CITY_TIERS, n_resp))
    return uid, persona, age, tier


def _survey_world2(seed: int, u: dict, n_resp: int) -> pd.DataFrame:
    from coursekit.world import personas

    rng = rng_for(seed, "survey")
    uid, persona, age, tier = _respondents_world2(rng, u, n_resp)
    w = np.array([personas.PERSONAS[p]["survey"] for p in personas.NAMES], dtype=float)[persona]
    return _table(rng, uid, age, tier, _points(rng, w))
