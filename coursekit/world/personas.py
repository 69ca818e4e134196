"""World 2's latent personas: who the customers are, under what they do.

Four personas (the kinds of customer a snack brand's own research would name)
drive category taste, order value, coupon sensitivity, the time of day of
orders and the channel people come through, and are tied to demographics: a
persona is drawn for each sign-up from their channel, then age, gender, city
tier and device from the persona. Behaviour therefore has segments for
clustering to find, and demographics say something about value. The survey's
respondents come from the same personas. Each user's persona stays latent: it
is in the simulator's end state (``state.parquet``), not in ``users``.
"""

from __future__ import annotations

import numpy as np

from coursekit.world import params as P
from coursekit.world._util import hour_profile, rng_for
from coursekit.world.people import AGE_SHIFT, LABELS

#: For each persona: its share among organic sign-ups, how much likelier each channel
#: brings it, multipliers of the age, city-tier and device shares, the share of women,
#: taste (Dirichlet concentrations over the categories, in ``commerce.CATEGORIES``
#: order: nuts, dried fruit, tea, coffee, pastry, jerky, gift box, oats), order value
#: (a multiplier), coupon sensitivity (a multiplier of a campaign's uplift), the hours
#: its orders lean to, and what matters to it in the survey (``survey.ATTRIBUTES``
#: order: taste, health, price, packaging, delivery speed, variety, brand trust).
PERSONAS: dict[str, dict] = {
    "gift_giver": dict(
        share=0.18,
        channel=dict(douyin_ads=0.8, xiaohongshu=1.7, search_ads=1.1, referral=1.2,
                     offline_store=1.1),
        age={"18-24": 0.4, "25-30": 0.8, "31-35": 1.3, "36-40": 1.5, "41+": 1.6},
        tier={"1": 1.4, "2": 1.1, "3": 0.8, "4+": 0.5},
        device=dict(ios=1.4, android=0.9, mini_program=0.7),
        female=0.68,
        taste=[0.3, 0.3, 3.0, 0.3, 0.3, 0.2, 6.0, 0.2],
        value=1.45, coupon=0.6, hours=dict(start=18, end=23, lift=1.8),
        survey=[14, 8, 8, 30, 12, 8, 20],
    ),
    "health_office": dict(
        share=0.30,
        channel=dict(douyin_ads=0.8, xiaohongshu=1.4, search_ads=1.3, referral=1.0,
                     offline_store=0.9),
        age={"18-24": 0.5, "25-30": 1.5, "31-35": 1.4, "36-40": 0.8, "41+": 0.5},
        tier={"1": 1.5, "2": 1.2, "3": 0.6, "4+": 0.4},
        device=dict(ios=1.3, android=1.0, mini_program=0.8),
        female=0.66,
        taste=[1.5, 0.3, 0.6, 4.5, 0.3, 0.2, 0.2, 4.5],
        value=1.05, coupon=0.7, hours=dict(start=8, end=14, lift=1.8),
        survey=[18, 34, 8, 5, 12, 8, 15],
    ),
    "student_snacker": dict(
        share=0.27,
        channel=dict(douyin_ads=1.8, xiaohongshu=1.0, search_ads=0.7, referral=1.3,
                     offline_store=0.7),
        age={"18-24": 3.0, "25-30": 1.0, "31-35": 0.3, "36-40": 0.15, "41+": 0.1},
        tier={"1": 0.8, "2": 1.0, "3": 1.3, "4+": 1.5},
        device=dict(ios=0.7, android=1.1, mini_program=1.5),
        female=0.58,
        taste=[0.3, 1.5, 0.2, 0.3, 4.5, 4.5, 0.1, 0.2],
        value=0.7, coupon=1.9, hours=dict(start=21, end=26, lift=2.2),
        survey=[24, 6, 36, 4, 10, 16, 4],
    ),
    "family_stocker": dict(
        share=0.25,
        channel=dict(douyin_ads=1.0, xiaohongshu=0.7, search_ads=1.0, referral=1.1,
                     offline_store=1.6),
        age={"18-24": 0.2, "25-30": 0.7, "31-35": 1.3, "36-40": 1.7, "41+": 1.8},
        tier={"1": 0.8, "2": 1.1, "3": 1.2, "4+": 1.1},
        device=dict(ios=0.9, android=1.2, mini_program=1.0),
        female=0.62,
        taste=[4.5, 3.0, 0.3, 0.2, 1.5, 0.6, 0.3, 1.5],
        value=1.2, coupon=1.1, hours=dict(start=9, end=17, lift=1.4),
        survey=[22, 18, 22, 6, 12, 14, 6],
    ),
}
NAMES = list(PERSONAS)


def _weights(table: dict[str, float], spec: dict[str, float]) -> np.ndarray:
    """Base shares times the persona's multipliers (1 where none), in ``table``'s order."""
    return np.array([table[k] * spec.get(k, 1.0) for k in table])


def _draw_rows(rng: np.random.Generator, probs: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """One category per row, row i drawn from ``probs[rows[i]]`` (rows of probabilities)."""
    cum = np.cumsum(probs, axis=1)
    cum /= cum[:, -1:]
    return (rng.random(len(rows))[:, None] > cum[rows]).sum(axis=1)


def hour_profiles() -> np.ndarray:
    """Each persona's share of orders by hour: the course's profile, lifted in its hours."""
    base = hour_profile()
    out = np.empty((len(NAMES), 24))
    for i, name in enumerate(NAMES):
        h = PERSONAS[name]["hours"]
        lift = np.ones(24)
        lift[[x % 24 for x in range(h["start"], h["end"])]] = h["lift"]
        out[i] = base * lift / (base * lift).sum()
    return out


def apply(seed: int, u: dict) -> None:
    """Draw each user's persona and let it set their demographics and traits (in place).

    Overwrites ``age_band``, ``gender``, ``city_tier`` and ``device`` (drawn from the
    persona), ``_converts`` (from the channel and the new age and gender, as
    :func:`coursekit.world.people.users` does), ``_fav`` (taste) and ``_nu``
    (order value), and adds ``_persona``.
    """
    rng = rng_for(seed, "personas")
    channels = LABELS["channel"]
    n = len(u["user_id"])
    by_channel = np.array([[PERSONAS[p]["share"] * PERSONAS[p]["channel"].get(c, 1.0)
                            for p in NAMES] for c in channels])
    persona = _draw_rows(rng, by_channel, u["channel"])
    for key, table in (("age_band", P.AGE_BANDS), ("city_tier", P.CITY_TIERS),
                       ("device", P.DEVICES)):
        spec = "age" if key == "age_band" else "tier" if key == "city_tier" else "device"
        probs = np.array([_weights(table, PERSONAS[p][spec]) for p in NAMES])
        u[key] = _draw_rows(rng, probs, persona).astype(u[key].dtype)
    female = np.array([PERSONAS[p]["female"] for p in NAMES])[persona]
    u["gender"] = np.where(rng.random(n) < female, LABELS["gender"].index("female"),
                           LABELS["gender"].index("male")).astype(u["gender"].dtype)
    # conversion to a first order, from the channel and the new age and gender
    convert = np.array([P.CHANNELS[c]["convert"] for c in channels])[u["channel"]]
    age_shift = np.array([AGE_SHIFT[a] for a in LABELS["age_band"]])[u["age_band"]]
    logit = (np.log(convert / (1 - convert)) + age_shift
             + 0.15 * (u["gender"] == LABELS["gender"].index("female")))
    u["_converts"] = rng.random(n) < 1 / (1 + np.exp(-logit))
    taste = np.array([PERSONAS[p]["taste"] for p in NAMES])[persona]
    g = rng.gamma(taste)
    u["_fav"] = g / g.sum(axis=1, keepdims=True)
    u["_nu"] = u["_nu"] / np.array([PERSONAS[p]["value"] for p in NAMES])[persona]
    u["_persona"] = persona.astype(np.int8)


def coupon_sensitivity(persona: np.ndarray) -> np.ndarray:
    """Multiplier of a campaign's uplift for each user's persona."""
    return np.array([PERSONAS[p]["coupon"] for p in NAMES])[persona]


def truth(u: dict) -> dict:
    """The personas for truth.json: their parameters and how many users each has."""
    counts = np.bincount(u["_persona"], minlength=len(NAMES))
    return dict(
        personas={p: dict(PERSONAS[p], users=int(counts[i])) for i, p in enumerate(NAMES)},
        note="each user's persona is in state.parquet (column persona); drawn from the "
        "channel (share x channel multiplier), then age, city tier and device (the base "
        "shares x the persona's multipliers) and gender; taste ~ Dirichlet(taste), order "
        "value x value, campaign uplift x coupon, order hours lifted by hours.lift "
        "between hours.start and hours.end (26 means 2 at night)",
    )
