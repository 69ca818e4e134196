"""The data of module 2, beside the company: four tables on user needs and life cycles.

Module 2 (mining user needs, the value proposition, the life cycle and the
second curve) reads:

``market_adoption``
    Monthly new adopters of five product categories around the company, from
    each one's launch (2016-01 at the earliest) to 2025-12: one category in
    each life-cycle stage, and one whose second generation, launched five
    years in, takes over from the first (the second curve, 第二曲线). Drawn
    from the discrete Bass model, and from the Norton-Bass model for the two
    generations, with negative-binomial noise.
``brand_survey``
    The survey's respondents (the same ``respondent_id`` as ``survey``) rate
    five brands on the survey's seven attributes and give each brand an overall
    score. The three brands of ``survey`` keep the ratings they have there;
    two more are added (a discount platform's own label and a premium import
    brand). The overall score is a weighted sum of the ratings with the
    weights of the respondent's persona, so importance can be derived by
    regression and set against the importance points people state. The
    planted gap: taste and brand trust weigh more, and health and price less,
    than people say (:data:`DRIVER_SHIFT`).
``survey_profiles``
    One row per respondent: usage scenarios, motivations, when they snack, how
    often they buy snacks and what they spend on them, and a Van Westendorp
    price block for a 500 g mixed-nut box, all drawn from the respondent's
    persona, so k-means on the standardised features finds the personas,
    though not perfectly. A few respondents (2.5%, drawn at random) answer the
    price block out of order, for the analyst to drop.
``competitors``
    A weighted competitiveness table: an analyst panel's mean score of seven
    brands (five direct competitors, two indirect) on seven criteria, with the
    default weights.

``market_adoption`` and ``competitors`` are the company's once (drawn from the
company seed, like :mod:`coursekit.world.cases`); ``brand_survey`` and
``survey_profiles`` follow the survey's respondents (drawn from the seed of the
customers, one row or five per respondent). Each table draws from its own
random stream (:func:`coursekit.world._util.rng_for` with the table's name), so
the other tables are untouched by them.

References: Bass, F. M. (1969), "A new product growth for model consumer
durables", Management Science 15(5); Norton, J. A. and Bass, F. M. (1987), "A
diffusion theory model of adoption and substitution for successive
generations of high-technology products", Management Science 33(9); Rogers,
E. M., Diffusion of Innovations (adopter categories at 2.5%, 16%, 50% and
84%); Van Westendorp, P. (1976), "NSS-Price Sensitivity Meter (PSM): a new approach
to study consumer perception of prices", Proceedings of the 29th ESOMAR Congress.

Examples
--------
>>> sorted(adoption_tables(2024))
['competitors', 'market_adoption']
>>> truth = adoption_truth(2024)
>>> truth["market_adoption"]["stages_end"]["freeze_dried_coffee"]
'growth'
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from coursekit.world import personas
from coursekit.world import survey as sv
from coursekit.world._util import rng_for

__all__ = ["BRANDS", "CLUSTER_FEATURES", "DRIVER_SHIFT", "NEEDS_TABLES", "STAGE_RULE",
           "adoption_tables", "adoption_truth", "bass_cdf", "needs_data",
           "respondent_tables", "respondent_truth"]

#: The names of module 2's tables, in the order of the data dictionary.
NEEDS_TABLES = ("market_adoption", "brand_survey", "survey_profiles", "competitors")

# ---------------------------------------------------------------- market adoption

_FIRST_MONTH = pd.Timestamp("2016-01-01")
_MONTHS = 120  # 2016-01 to 2025-12
#: Negative-binomial noise: the expected count times Gamma(shape, mean 1), then Poisson.
_ADOPTION_CV = 0.08

#: Each category: Chinese name, what it is, Bass p and q per year (the data is monthly:
#: p / 12 and q / 12 per month) and, per generation, its launch month and market
#: potential m. Two generations share p and q (Norton-Bass).
_CATEGORIES: dict[str, dict] = {
    "daily_nuts": dict(
        name_zh="每日坚果", text="daily nut packs: a mixed handful in a single-serve bag",
        p=0.012, q=0.42, generations=[("2016-01-01", 4_000_000)]),
    "meal_replacement_shake": dict(
        name_zh="代餐奶昔", text="meal-replacement shakes bought online",
        p=0.020, q=0.70, generations=[("2017-01-01", 1_500_000)]),
    "freeze_dried_coffee": dict(
        name_zh="冻干咖啡", text="freeze-dried instant coffee in capsule-like cups",
        p=0.006, q=0.60, generations=[("2020-01-01", 2_500_000)]),
    "personalised_snack_box": dict(
        name_zh="个性化零食盒", text="a monthly snack box chosen for each subscriber by a "
        "recommendation model from their tastes",
        p=0.010, q=0.60, generations=[("2022-07-01", 1_200_000)]),
    "nut_gift": dict(
        name_zh="坚果礼品", text="nut gifts: generation 1 a boxed gift bought and carried "
        "(礼盒); generation 2 a gift card sent in a chat, the recipient choosing the box "
        "and the address (电子礼品卡), which users of the boxed gift also move to",
        p=0.018, q=0.55, generations=[("2016-01-01", 1_800_000), ("2021-01-01", 1_200_000)]),
}

#: How the true life-cycle stage at the end of the data follows from the Bass curve.
STAGE_RULE = (
    "Rogers' split on the generation's own Bass curve F (share of its market potential "
    "adopted) at the data's last month: introduction while F < 16%; growth from 16% "
    "until the month of the curve's peak of expected new adopters (t* = ln(q/p) / (p + "
    "q) after launch); maturity from that peak while F < 84%; decline from F >= 84%."
)
_STAGES = ("introduction", "growth", "maturity", "decline")


def bass_cdf(t: np.ndarray, p: float, q: float) -> np.ndarray:
    """The Bass model's share adopted by time ``t`` (0 for ``t <= 0``).

    ``F(t) = (1 - exp(-(p + q) t)) / (1 + (q / p) exp(-(p + q) t))`` (Bass, 1969),
    with ``t``, ``p`` and ``q`` in the same unit of time.

    Examples
    --------
    >>> round(float(bass_cdf(np.array([10.0]), 0.03, 0.4)[0]), 4)
    0.8353
    >>> float(bass_cdf(np.array([-1.0]), 0.03, 0.4)[0])
    0.0
    """
    t = np.maximum(np.asarray(t, dtype=float), 0.0)
    e = np.exp(-(p + q) * t)
    return (1 - e) / (1 + (q / p) * e)


def _months() -> pd.DatetimeIndex:
    return pd.date_range(_FIRST_MONTH, periods=_MONTHS, freq="MS")


def _expected_adoption() -> list[dict]:
    """Each series (category and generation) from its launch: months, expected new
    adopters and upgraders (from the previous generation), and the Bass curves."""
    months = _months()
    i = np.arange(_MONTHS, dtype=float)
    out = []
    for name, c in _CATEGORIES.items():
        p, q = c["p"] / 12, c["q"] / 12
        launch = [months.get_loc(pd.Timestamp(d)) for d, _ in c["generations"]]
        m = [float(mm) for _, mm in c["generations"]]
        f1 = bass_cdf(i - launch[0] + 1, p, q)
        f1_prev = bass_cdf(i - launch[0], p, q)
        if len(m) == 1:
            new = m[0] * (f1 - f1_prev)
            out.append(dict(category=name, generation=1, start=launch[0], new=new,
                            upgraders=np.zeros(_MONTHS)))
            continue
        # Norton-Bass: users of generation 1 S1 = m1 F1 (1 - F2), of generation 2
        # S2 = F2 (m2 + m1 F1); their monthly changes split exactly into the
        # category's new adopters of each generation and generation 1's upgraders.
        f2 = bass_cdf(i - launch[1] + 1, p, q)
        f2_prev = bass_cdf(i - launch[1], p, q)
        d1, d2 = f1 - f1_prev, f2 - f2_prev
        out.append(dict(category=name, generation=1, start=launch[0],
                        new=m[0] * d1 * (1 - f2_prev), upgraders=np.zeros(_MONTHS)))
        out.append(dict(category=name, generation=2, start=launch[1],
                        new=m[1] * d2 + m[0] * f2_prev * d1, upgraders=m[0] * f1 * d2))
    return out


def _noisy(rng: np.random.Generator, expected: np.ndarray) -> np.ndarray:
    shape = 1 / _ADOPTION_CV ** 2
    return rng.poisson(expected * rng.gamma(shape, 1 / shape, len(expected))).astype(np.int64)


def _market_adoption(seed: int) -> pd.DataFrame:
    """One row per category, generation and month from the generation's launch."""
    rng = rng_for(seed, "market_adoption")
    months = _months().to_numpy(dtype="datetime64[s]")
    parts = []
    for s in _expected_adoption():
        keep = slice(s["start"], None)
        new, up = _noisy(rng, s["new"][keep]), _noisy(rng, s["upgraders"][keep])
        parts.append(pd.DataFrame(dict(category=s["category"], generation=s["generation"],
                                       month=months[keep], new_adopters=new, upgraders=up)))
    df = pd.concat(parts, ignore_index=True)
    return pd.DataFrame(dict(
        category=pd.Categorical(df["category"], categories=sorted(_CATEGORIES)),
        generation=df["generation"].to_numpy(dtype=np.int64),
        month=df["month"].to_numpy(dtype="datetime64[s]"),
        new_adopters=df["new_adopters"].to_numpy(dtype=np.int64),
        upgraders=df["upgraders"].to_numpy(dtype=np.int64),
    ))


def _stage(share: float, month: int, peak: int) -> str:
    """The stage by :data:`STAGE_RULE`: ``month`` and ``peak`` count from launch."""
    if share >= 0.84:
        return "decline"
    if month >= peak:
        return "maturity"
    return "growth" if share >= 0.16 else "introduction"


def _month_label(start: int, k: int) -> str:
    return (_FIRST_MONTH + pd.DateOffset(months=start + k)).date().isoformat()


def _adoption_truth() -> dict:
    months = _months()
    series = {(s["category"], s["generation"]): s for s in _expected_adoption()}
    categories, stages = {}, {}
    for name, c in _CATEGORIES.items():
        p, q = c["p"] / 12, c["q"] / 12
        peak = int(np.ceil(np.log(q / p) / (p + q)))  # the month of launch is month 1
        gens = {}
        for g, (launch, m) in enumerate(c["generations"], start=1):
            start = months.get_loc(pd.Timestamp(launch))
            age = _MONTHS - start  # months since launch at the data's last month
            share = float(bass_cdf(np.array([age]), p, q)[0])
            s = series[name, g]
            stage = _stage(share, age, peak)
            gens[str(g)] = dict(
                launch=launch[:10], m=m, months_at_end=age,
                share_adopted_at_end=round(share, 4),
                peak_month_of_bass_curve=_month_label(start, peak - 1),
                expected_new_adopters=round(float(s["new"][start:].sum()), 1),
                expected_upgraders=round(float(s["upgraders"][start:].sum()), 1),
                stage_at_end=stage)
            stages[name if len(c["generations"]) == 1 else f"{name}:{g}"] = stage
        categories[name] = dict(name_zh=c["name_zh"], description=c["text"],
                                p_per_year=c["p"], q_per_year=c["q"], p_per_month=p,
                                q_per_month=q, generations=gens)
    categories["nut_gift"]["second_curve"] = _second_curve()
    return dict(
        period=dict(first=months[0].date().isoformat(), last=months[-1].date().isoformat(),
                    months=_MONTHS),
        bass="expected new adopters in the t-th month since launch (t = 1 in the launch "
        "month) = m (F(t) - F(t - 1)), F(t) = (1 - exp(-(p + q) t)) / (1 + (q / p) "
        "exp(-(p + q) t)), with p and q per month (the values per year / 12)",
        norton_bass="two generations with the same p and q, generation 2 launched tau "
        "months after generation 1: users of generation 1 S1(t) = m1 F1(t) (1 - F2(t - "
        "tau)), of generation 2 S2(t) = F2(t - tau) (m2 + m1 F1(t)); per month, "
        "generation 1's new_adopters = m1 dF1 (1 - F2(t - 1 - tau)), generation 2's "
        "new_adopters = m2 dF2 + m1 F2(t - 1 - tau) dF1 (newcomers to the category) and "
        "upgraders = m1 F1(t) dF2 (users of generation 1 moving to generation 2), so "
        "dS1 = new_adopters(1) - upgraders(2) and dS2 = new_adopters(2) + upgraders(2)",
        noise=f"each count ~ Poisson(expected x Gamma(shape {1 / _ADOPTION_CV ** 2:g}, mean "
        f"1)): negative binomial, {_ADOPTION_CV:.0%} coefficient of variation beyond "
        "Poisson's; no seasonality",
        stage_rule=STAGE_RULE,
        stages_end=stages,
        categories=categories,
    )


def _second_curve() -> dict:
    """When the users of nut gifts' generation 1 peaked, against generation 2's launch."""
    c = _CATEGORIES["nut_gift"]
    p, q = c["p"] / 12, c["q"] / 12
    (l1, m1), (l2, _) = c["generations"]
    a, b = _months().get_loc(pd.Timestamp(l1)), _months().get_loc(pd.Timestamp(l2))
    i = np.arange(_MONTHS, dtype=float)
    f1, f2 = bass_cdf(i - a + 1, p, q), bass_cdf(i - b + 1, p, q)
    s1 = m1 * f1 * (1 - f2)
    top = int(np.argmax(s1))
    return dict(
        generation_2_launch_after_months=int(b - a),
        share_of_generation_1_adopted_at_generation_2_launch=round(float(f1[b - 1]), 4),
        generation_1_users_peak_month=_month_label(0, top),
        generation_1_users_at_peak=round(float(s1[top]), 1),
        generation_1_users_at_end=round(float(s1[-1]), 1),
        note="users S1 of generation 1 peak after generation 2's launch, then fall as they "
        "move to generation 2: generation 2 was launched before generation 1's own Bass "
        "curve peaked",
    )


# ---------------------------------------------------------------- brand survey

#: True performance of each brand on the survey's attributes (``survey.ATTRIBUTES``
#: order); the first three are the survey's own.
BRANDS: dict[str, list[float]] = {
    **sv.BRANDS,
    "youjia": [6.6, 6.2, 8.9, 5.6, 8.2, 7.4, 5.8],
    "maplecrest": [8.4, 8.0, 4.6, 8.6, 5.8, 6.0, 8.4],
}
_BRAND_TEXT = {
    "qingmu": "Qingmu (青木), the company",
    "songguo": "Songguo (松果铺)",
    "guorenjia": "Guorenjia (果仁家)",
    "youjia": "Youjia (优价), a discount platform's own label",
    "maplecrest": "Maplecrest (枫岭), a premium import brand",
}
_RATING_NOISE = 1.1  # as in the survey
#: What drives the overall score, against what people state: the persona's survey
#: weights times these, renormalised (``survey.ATTRIBUTES`` order).
DRIVER_SHIFT = dict(taste=1.6, health=0.7, price=0.8, packaging=1.0, delivery_speed=1.0,
                    variety=1.0, brand_trust=1.4)
_OVERALL_NOISE = 0.45


def _stated_weights() -> np.ndarray:
    """Each persona's stated importance (shares), rows in ``personas.NAMES`` order."""
    w = np.array([personas.PERSONAS[p]["survey"] for p in personas.NAMES], dtype=float)
    return w / w.sum(axis=1, keepdims=True)


def _driver_weights() -> np.ndarray:
    """Each persona's true weights of the overall score (shares)."""
    w = _stated_weights() * np.array([DRIVER_SHIFT[a] for a in sv.ATTRIBUTES])
    return w / w.sum(axis=1, keepdims=True)


def _brand_survey(seed: int, survey: pd.DataFrame, persona: np.ndarray) -> pd.DataFrame:
    """One row per respondent and brand: seven ratings and the overall score."""
    rng = rng_for(seed, "brand_survey")
    n, k = len(persona), len(sv.ATTRIBUTES)
    wide = survey.sort_values(["respondent_id", "attribute"], kind="stable")
    order = wide["attribute"].astype(str).to_numpy().reshape(n, k)[0]
    cols = [list(order).index(a) for a in sv.ATTRIBUTES]
    ratings = {}
    for b, perf in BRANDS.items():
        if b in sv.BRANDS:  # the survey's own ratings
            ratings[b] = wide[f"rating_{b}"].to_numpy(dtype=np.int64).reshape(n, k)[:, cols]
        else:
            noise = rng.normal(0, _RATING_NOISE, (n, k))
            ratings[b] = np.clip(np.round(np.array(perf) + noise), 1, 10).astype(np.int64)
    w = _driver_weights()[persona]
    r = np.stack([ratings[b] for b in BRANDS], axis=1)  # respondent, brand, attribute
    latent = (r * w[:, None, :]).sum(axis=2) + rng.normal(0, _OVERALL_NOISE, (n, len(BRANDS)))
    overall = np.clip(np.round(latent), 1, 10).astype(np.int64)
    names = list(BRANDS)
    out = pd.DataFrame(dict(
        respondent_id=np.repeat(np.arange(1, n + 1, dtype=np.int64), len(names)),
        brand=pd.Categorical(np.tile(names, n), categories=sorted(names)),
    ))
    for j, a in enumerate(sv.ATTRIBUTES):
        out[a] = r[:, :, j].ravel()
    out["overall"] = overall.ravel()
    return out


def _brand_truth() -> dict:
    stated, driver = _stated_weights(), _driver_weights()
    rank = {p: [sv.ATTRIBUTES[j] for j in np.argsort(-driver[i], kind="stable")]
            for i, p in enumerate(personas.NAMES)}
    return dict(
        brands=_BRAND_TEXT,
        performance={b: dict(zip(sv.ATTRIBUTES, v, strict=True)) for b, v in BRANDS.items()},
        ratings="round(performance + Normal(0, 1.1)) within 1-10; the three brands of the "
        "survey keep the survey's ratings (the same respondent, brand and attribute)",
        stated_weights={p: dict(zip(sv.ATTRIBUTES, np.round(stated[i], 4).tolist(), strict=True))
                        for i, p in enumerate(personas.NAMES)},
        driver_shift=DRIVER_SHIFT,
        driver_weights={p: dict(zip(sv.ATTRIBUTES, np.round(driver[i], 4).tolist(), strict=True))
                        for i, p in enumerate(personas.NAMES)},
        driver_rank=rank,
        overall=f"round(sum over attributes of driver_weights[persona] x rating + Normal(0, "
        f"{_OVERALL_NOISE})) within 1-10: no intercept, no brand effect beyond the ratings",
        note="stated_weights are the persona's importance points / 100 (survey.importance "
        "is drawn around them); driver_weights = stated_weights x driver_shift, "
        "renormalised: taste and brand trust drive the overall score more than people "
        "say, health and price less. A regression of overall on the seven ratings "
        "(by persona, or over everyone) recovers driver_weights",
    )


# ---------------------------------------------------------------- survey profiles

_SCENES = ("office", "gift", "fitness", "family", "late_night")
_MOTIVES = ("health", "taste", "convenience", "price", "gift")
_SNACK_TIMES = ("morning", "afternoon", "evening", "late_night")
#: Per persona (``personas.NAMES`` order: gift giver, health-minded office worker,
#: student snacker, family stocker): the chance of each usage scenario, the mean of
#: each motivation (1-7), the chance of each main snacking time, snack purchases a
#: month (mean), monthly snack spend (median, yuan) and the price (yuan) the persona
#: finds normal for a 500 g mixed-nut box (the centre of its Van Westendorp answers).
_PROFILES = dict(
    scenes=[[0.30, 0.85, 0.15, 0.35, 0.15],
            [0.80, 0.20, 0.55, 0.20, 0.15],
            [0.30, 0.15, 0.20, 0.10, 0.75],
            [0.20, 0.30, 0.15, 0.85, 0.15]],
    motives=[[3.6, 4.6, 4.0, 3.0, 6.0],
             [6.0, 4.6, 5.2, 3.2, 3.0],
             [3.0, 6.0, 4.8, 5.9, 2.6],
             [4.8, 4.8, 3.8, 4.8, 3.4]],
    snack_time=[[0.10, 0.25, 0.55, 0.10],
                [0.40, 0.45, 0.10, 0.05],
                [0.05, 0.20, 0.25, 0.50],
                [0.20, 0.50, 0.25, 0.05]],
    purchases=[1.6, 4.2, 5.5, 3.0],
    spend=[320.0, 260.0, 140.0, 300.0],
    normal_price=[118.0, 98.0, 64.0, 84.0],
)
_MOTIVE_NOISE = 1.0  # per answer, before rounding to 1-7
_STYLE_NOISE = 0.4   # a respondent's tendency to agree, added to every motivation
_PURCHASE_SHAPE = 3.0  # negative binomial: Gamma(shape, mean) then Poisson
_SPEND_SIGMA = 0.45
_SPEND_PURCHASE_LINK = 0.35  # log spend rises with log(purchases + 1) around the median
_PRICE_SIGMA = 0.20  # lognormal spread of a respondent's normal price
#: Van Westendorp answers: the respondent's normal price times these, each with its own
#: lognormal noise (sigma 0.08), rounded to 5 yuan, kept 5 yuan apart.
_VW_MULTIPLIERS = dict(too_cheap=0.50, cheap=0.78, expensive=1.30, too_expensive=1.75)
_VW_NOISE = 0.08
_VW_INCONSISTENT = 0.025
#: The numeric features whose standardised values k-means groups into personas.
CLUSTER_FEATURES = (*[f"scene_{s}" for s in _SCENES], *[f"motive_{m}" for m in _MOTIVES],
                    "purchases_per_month", "monthly_snack_spend")


def _survey_profiles(seed: int, persona: np.ndarray) -> pd.DataFrame:
    """One row per respondent: scenarios, motivations, timing, frequency, spend, prices."""
    rng = rng_for(seed, "survey_profiles")
    n = len(persona)
    spec = {k: np.array(v, dtype=float) for k, v in _PROFILES.items()}
    scenes = rng.random((n, len(_SCENES))) < spec["scenes"][persona]
    style = rng.normal(0, _STYLE_NOISE, n)
    motives = spec["motives"][persona] + style[:, None] + rng.normal(
        0, _MOTIVE_NOISE, (n, len(_MOTIVES)))
    motives = np.clip(np.round(motives), 1, 7).astype(np.int64)
    cum = np.cumsum(spec["snack_time"][persona], axis=1)
    when = (rng.random(n)[:, None] > cum / cum[:, -1:]).sum(axis=1)
    mean = spec["purchases"][persona]
    purchases = rng.poisson(rng.gamma(_PURCHASE_SHAPE, mean / _PURCHASE_SHAPE)).astype(np.int64)
    log_spend = (np.log(spec["spend"][persona]) + _SPEND_PURCHASE_LINK
                 * (np.log1p(purchases) - np.log1p(mean)) + rng.normal(0, _SPEND_SIGMA, n))
    spend = np.round(np.exp(log_spend), -1)
    prices = _price_block(rng, spec["normal_price"][persona])
    out = pd.DataFrame(dict(respondent_id=np.arange(1, n + 1, dtype=np.int64)))
    for j, s in enumerate(_SCENES):
        out[f"scene_{s}"] = scenes[:, j]
    for j, m in enumerate(_MOTIVES):
        out[f"motive_{m}"] = motives[:, j]
    out["snack_time"] = pd.Categorical(np.array(_SNACK_TIMES)[when],
                                       categories=sorted(_SNACK_TIMES))
    out["purchases_per_month"] = purchases
    out["monthly_snack_spend"] = spend
    for j, k in enumerate(_VW_MULTIPLIERS):
        out[f"price_{k}"] = prices[:, j]
    return out


def _price_block(rng: np.random.Generator, normal: np.ndarray) -> np.ndarray:
    """Four prices per respondent, ordered, except a planted few with two swapped."""
    n = len(normal)
    own = normal * rng.lognormal(0.0, _PRICE_SIGMA, n)
    mult = np.array(list(_VW_MULTIPLIERS.values()))
    raw = own[:, None] * mult[None, :] * rng.lognormal(0.0, _VW_NOISE, (n, len(mult)))
    prices = np.maximum(np.round(np.sort(raw, axis=1) / 5) * 5, 5.0)
    for j in range(1, prices.shape[1]):  # answers at least 5 yuan apart
        prices[:, j] = np.maximum(prices[:, j], prices[:, j - 1] + 5)
    rows = np.sort(rng.choice(n, int(round(_VW_INCONSISTENT * n)), replace=False))
    j = rng.integers(0, prices.shape[1] - 1, len(rows))  # swap answers j and j + 1
    prices[rows, j], prices[rows, j + 1] = prices[rows, j + 1], prices[rows, j].copy()
    return prices


def _consistent(profiles: pd.DataFrame) -> pd.Series:
    p = profiles[[f"price_{k}" for k in _VW_MULTIPLIERS]].to_numpy()
    return pd.Series((np.diff(p, axis=1) > 0).all(axis=1), index=profiles.index)


def _vw_points(profiles: pd.DataFrame) -> dict[str, float]:
    """The four Van Westendorp price points of the consistent answers, to the yuan.

    Curves at each whole yuan x: too cheap = share with ``price_too_cheap >= x``,
    cheap = share with ``price_cheap >= x``, expensive = share with
    ``price_expensive <= x``, too expensive = share with ``price_too_expensive
    <= x``. Each point is the first whole yuan where the falling curve is at or
    below the rising one: marginal cheapness (too cheap, expensive), optimal
    price (too cheap, too expensive), indifference (cheap, expensive) and
    marginal expensiveness (cheap, too expensive): the narrower definition many
    later texts use. Van Westendorp's original (1976) crosses too cheap with
    not cheap (1 - cheap) for marginal cheapness and not expensive (1 -
    expensive) with too expensive for marginal expensiveness: those two points
    are also returned, as ``marginal_cheapness_original`` and
    ``marginal_expensiveness_original``.
    """
    ok = profiles[_consistent(profiles)]
    x = np.arange(1, int(ok["price_too_expensive"].max()) + 2)

    def falling(c: str) -> np.ndarray:
        v = np.sort(ok[c].to_numpy())
        return 1 - np.searchsorted(v, x, side="left") / len(v)

    def rising(c: str) -> np.ndarray:
        v = np.sort(ok[c].to_numpy())
        return np.searchsorted(v, x, side="right") / len(v)

    def cross(a: np.ndarray, b: np.ndarray) -> float:
        return float(x[np.argmax(a <= b)])

    tc, ch = falling("price_too_cheap"), falling("price_cheap")
    ex, te = rising("price_expensive"), rising("price_too_expensive")
    return dict(marginal_cheapness=cross(tc, ex), optimal_price=cross(tc, te),
                indifference=cross(ch, ex), marginal_expensiveness=cross(ch, te),
                marginal_cheapness_original=cross(tc, 1 - ch),
                marginal_expensiveness_original=cross(1 - ex, te))


def _profile_truth(profiles: pd.DataFrame, persona: np.ndarray) -> dict:
    names = personas.NAMES
    counts = np.bincount(persona, minlength=len(names))
    ok = _consistent(profiles)
    spec = _PROFILES

    def by_persona(values, labels) -> dict:
        return {p: dict(zip(labels, v, strict=True)) for p, v in zip(names, values, strict=True)}

    return dict(
        persona_names=list(names),
        persona_codes="".join(str(int(k)) for k in persona),
        persona_codes_note="one digit per respondent in order of respondent_id: the "
        "position of their persona in persona_names (the persona survey and brand_survey "
        "answer as)",
        persona_counts={p: int(c) for p, c in zip(names, counts, strict=True)},
        persona_shares_planted={p: personas.PERSONAS[p]["share"] for p in names},
        persona_shares_note="a respondent who is a user has the user's persona (the shares "
        "among sign-ups, which the channels shift); the others are drawn with the planted "
        "shares",
        scenes=by_persona(spec["scenes"], _SCENES),
        motives=by_persona(spec["motives"], _MOTIVES),
        motive_answer=f"round(mean + style + Normal(0, {_MOTIVE_NOISE})) within 1-7, style ~ "
        f"Normal(0, {_STYLE_NOISE}) per respondent (shared by the five motivations)",
        snack_time=by_persona(spec["snack_time"], _SNACK_TIMES),
        purchases_per_month=dict(zip(names, spec["purchases"], strict=True)),
        purchases_note=f"Poisson(Gamma(shape {_PURCHASE_SHAPE:g}, mean)): negative binomial",
        monthly_snack_spend_median=dict(zip(names, spec["spend"], strict=True)),
        spend_note=f"exp(log(median) + {_SPEND_PURCHASE_LINK} x (log(1 + purchases) - log(1 "
        f"+ mean purchases)) + Normal(0, {_SPEND_SIGMA})), rounded to 10 yuan",
        van_westendorp=dict(
            product="a standard 500 g mixed-nut box",
            normal_price=dict(zip(names, spec["normal_price"], strict=True)),
            normal_price_sigma=_PRICE_SIGMA,
            multipliers=_VW_MULTIPLIERS,
            answer_sigma=_VW_NOISE,
            answers="normal price x lognormal(0, normal_price_sigma) per respondent, x "
            "multiplier x lognormal(0, answer_sigma) per answer, sorted, rounded to 5 yuan "
            "(at least 5), each at least 5 yuan above the one before",
            inconsistent_share_planted=_VW_INCONSISTENT,
            inconsistent_rule="that share of the respondents (rounded), drawn at random, "
            "have two neighbouring answers swapped, so too_cheap < cheap < expensive < "
            "too_expensive fails: drop those rows",
            inconsistent_respondents=profiles.loc[~ok, "respondent_id"].astype(int).tolist(),
            points_of_consistent_answers=_vw_points(profiles),
            points_rule="curves at each whole yuan x: too cheap = share with too_cheap >= x, "
            "cheap = share with cheap >= x, expensive = share with expensive <= x, too "
            "expensive = share with too_expensive <= x; each point is the first whole yuan "
            "where the falling curve is at or below the rising one: marginal cheapness "
            "(too cheap, expensive), optimal price (too cheap, too expensive), indifference "
            "(cheap, expensive), marginal expensiveness (cheap, too expensive); the "
            "acceptable range runs from marginal cheapness to marginal expensiveness (the "
            "narrower definition many later texts use); the *_original points are van "
            "Westendorp's own: too cheap crossing not cheap (1 - cheap), not expensive (1 - "
            "expensive) crossing too expensive (coursekit.needs.price_sensitivity's default)",
        ),
        cluster_features=list(CLUSTER_FEATURES),
        cluster_note="k-means (k = 4) on the standardised cluster_features (the scenarios "
        "as 0/1) finds the personas with an adjusted Rand index of about 0.75-0.85; the "
        "motivations, purchases and spend alone give about 0.5-0.65",
    )


# ---------------------------------------------------------------- competitors

_CRITERIA = dict(product_quality=0.25, price_value=0.20, brand_awareness=0.15,
                 channel_coverage=0.15, delivery_service=0.10, product_innovation=0.10,
                 digital_operations=0.05)
#: Each brand: direct or indirect competitor, what it is, true score per criterion
#: (``_CRITERIA`` order, 1-10).
_COMPETITORS: dict[str, tuple[str, str, list[float]]] = {
    "qingmu": ("direct", "the company", [8.4, 6.6, 7.0, 6.5, 7.0, 8.0, 7.8]),
    "songguo": ("direct", "Songguo (松果铺)", [7.4, 7.6, 7.8, 7.9, 7.8, 6.4, 7.2]),
    "guorenjia": ("direct", "Guorenjia (果仁家)", [7.2, 6.8, 7.2, 7.0, 6.6, 6.2, 6.4]),
    "youjia": ("direct", "Youjia (优价), a discount platform's own label",
               [6.0, 9.0, 6.5, 8.5, 8.4, 5.2, 8.0]),
    "maplecrest": ("direct", "Maplecrest (枫岭), a premium import brand",
                   [8.8, 4.5, 5.5, 4.2, 5.6, 6.8, 5.0]),
    "xianguo": ("indirect", "Xianguo (鲜果到家), fresh fruit delivered: another healthy snack",
                [7.6, 6.5, 6.2, 6.0, 8.6, 5.6, 7.4]),
    "chayin": ("indirect", "Chayin (茶饮), a tea-drink chain: the same afternoon treat",
               [6.5, 5.8, 8.2, 8.0, 7.2, 8.4, 8.2]),
}
_PANEL, _PANEL_NOISE = 5, 0.8
#: Other weights for the sensitivity check: quality and innovation count for more.
_QUALITY_WEIGHTS = dict(product_quality=0.35, price_value=0.15, brand_awareness=0.10,
                        channel_coverage=0.10, delivery_service=0.10, product_innovation=0.15,
                        digital_operations=0.05)


def _competitors(seed: int) -> pd.DataFrame:
    """One row per brand and criterion: the panel's mean score and the default weight."""
    rng = rng_for(seed, "competitors")
    brands, criteria = list(_COMPETITORS), list(_CRITERIA)
    true = np.array([v[2] for v in _COMPETITORS.values()])
    panel = np.clip(np.round(true[:, :, None] + rng.normal(
        0, _PANEL_NOISE, (*true.shape, _PANEL))), 1, 10)
    kinds = [_COMPETITORS[b][0] for b in brands]
    return pd.DataFrame(dict(
        brand=pd.Categorical(np.repeat(brands, len(criteria)), categories=sorted(brands)),
        brand_type=pd.Categorical(np.repeat(kinds, len(criteria)),
                                  categories=["direct", "indirect"]),
        criterion=pd.Categorical(np.tile(criteria, len(brands)), categories=sorted(criteria)),
        weight=np.tile(list(_CRITERIA.values()), len(brands)),
        score=np.round(panel.mean(axis=2), 1).ravel(),
    ))


def _ranking(table: pd.DataFrame, weights: pd.Series) -> pd.Series:
    """Weighted totals of the brands, best first."""
    w = table["criterion"].astype(str).map(weights).to_numpy()
    total = (w * table["score"]).groupby(table["brand"].astype(str)).sum().round(3)
    return total.sort_values(ascending=False, kind="stable")


def _competitor_truth(table: pd.DataFrame) -> dict:
    total = _ranking(table, pd.Series(_CRITERIA))
    other = _ranking(table, pd.Series(_QUALITY_WEIGHTS))
    true = {b: round(float(np.dot(v[2], list(_CRITERIA.values()))), 3)
            for b, v in _COMPETITORS.items()}
    return dict(
        brands={b: dict(type=v[0], description=v[1]) for b, v in _COMPETITORS.items()},
        default_weights=_CRITERIA,
        true_scores={b: dict(zip(_CRITERIA, v[2], strict=True)) for b, v in _COMPETITORS.items()},
        panel=f"{_PANEL} analysts each score round(true + Normal(0, {_PANEL_NOISE})) within "
        "1-10; score is their mean to one decimal",
        weighted_total_true=true,
        weighted_total_of_table={b: float(v) for b, v in total.items()},
        ranking_of_table=list(total.index),
        quality_weights=_QUALITY_WEIGHTS,
        weighted_total_of_table_with_quality_weights={b: float(v) for b, v in other.items()},
        ranking_of_table_with_quality_weights=list(other.index),
        note="weighted total = sum of weight x score over the criteria, from the table's "
        "scores; with quality_weights (product quality and innovation count for more) for "
        "the sensitivity check",
    )


# ---------------------------------------------------------------- public


def adoption_tables(seed: int) -> dict[str, pd.DataFrame]:
    """The company-once tables of module 2: ``market_adoption`` and ``competitors``.

    Parameters
    ----------
    seed
        The company seed; each table draws from its own stream (the table's name).

    Returns
    -------
    dict of DataFrame
        The two tables by name, with the dtypes of their contracts in
        :mod:`coursekit.schema`.

    Examples
    --------
    >>> t = adoption_tables(7)
    >>> t["market_adoption"].groupby(["category", "generation"], observed=True).size()["nut_gift"]
    generation
    1    120
    2     60
    dtype: int64
    >>> len(t["competitors"])
    49
    """
    return dict(market_adoption=_market_adoption(seed), competitors=_competitors(seed))


def adoption_truth(seed: int) -> dict:
    """What produced :func:`adoption_tables`: Bass parameters, stages, panel scores.

    Parameters
    ----------
    seed
        The company seed, as for :func:`adoption_tables`.

    Returns
    -------
    dict
        JSON-serialisable: ``market_adoption`` (the models, each category's p, q
        and per generation its launch, m, share adopted and stage at the end, and
        ``stages_end``) and ``competitors`` (true scores, default weights, the
        weighted totals and ranking of the table).

    Examples
    --------
    >>> tr = adoption_truth(2024)["market_adoption"]
    >>> tr["stages_end"]["nut_gift:1"], tr["stages_end"]["nut_gift:2"]
    ('decline', 'growth')
    >>> tr["categories"]["daily_nuts"]["generations"]["1"]["m"]
    4000000
    """
    return dict(market_adoption=_adoption_truth(),
                competitors=_competitor_truth(_competitors(seed)))


def respondent_tables(seed: int, survey: pd.DataFrame,
                      persona: np.ndarray) -> dict[str, pd.DataFrame]:
    """The tables of module 2 that follow the survey: ``brand_survey``, ``survey_profiles``.

    Parameters
    ----------
    seed
        The seed of the customers (the survey's own); each table draws from its
        own stream (the table's name).
    survey
        The ``survey`` table (its ratings of the three brands are kept).
    persona
        Each respondent's persona (positions in
        :data:`coursekit.world.personas.NAMES`, in order of ``respondent_id``),
        as :func:`coursekit.world.survey.respondent_personas` gives.

    Returns
    -------
    dict of DataFrame
        The two tables by name, with the dtypes of their contracts.

    Examples
    --------
    >>> persona = np.arange(8) % 4
    >>> fake = pd.DataFrame({"respondent_id": np.repeat(np.arange(1, 9), 7),
    ...                      "attribute": np.tile(sv.ATTRIBUTES, 8),
    ...                      **{f"rating_{b}": 7 for b in sv.BRANDS}})
    >>> t = respondent_tables(3, fake, persona)
    >>> t["brand_survey"].shape, t["survey_profiles"].shape
    ((40, 10), (8, 18))
    """
    persona = np.asarray(persona, dtype=np.int64)
    return dict(brand_survey=_brand_survey(seed, survey, persona),
                survey_profiles=_survey_profiles(seed, persona))


def respondent_truth(seed: int, persona: np.ndarray) -> dict:
    """What produced :func:`respondent_tables`: weights, performances, personas, prices.

    Parameters
    ----------
    seed
        The seed of the customers, as for :func:`respondent_tables`.
    persona
        Each respondent's persona, as for :func:`respondent_tables`.

    Returns
    -------
    dict
        JSON-serialisable: ``brand_survey`` (brand performances, stated and
        driver weights by persona) and ``survey_profiles`` (each respondent's
        persona as a string of digits, the persona parameters, the Van
        Westendorp model, its inconsistent respondents and price points).

    Examples
    --------
    >>> tr = respondent_truth(3, np.arange(8) % 4)
    >>> tr["survey_profiles"]["persona_codes"]
    '01230123'
    >>> tr["brand_survey"]["driver_rank"]["student_snacker"][:2]
    ['taste', 'price']
    """
    persona = np.asarray(persona, dtype=np.int64)
    return dict(brand_survey=_brand_truth(),
                survey_profiles=_profile_truth(_survey_profiles(seed, persona), persona))


def needs_data(company_seed: int, seed: int, survey: pd.DataFrame,
               u: dict) -> tuple[dict[str, pd.DataFrame], dict]:
    """Module 2's four tables and their truth, as the generator adds them to a world.

    Parameters
    ----------
    company_seed
        The company seed (:func:`adoption_tables`).
    seed
        The seed of the customers, the survey's own (:func:`respondent_tables`).
    survey
        The world's ``survey`` table.
    u
        The generator's users (their personas give the respondents' personas,
        :func:`coursekit.world.survey.respondent_personas`).

    Returns
    -------
    tuple of (dict of DataFrame, dict)
        The tables by name (:data:`NEEDS_TABLES`) and the truth by table.

    Examples
    --------
    >>> from coursekit.world.generate import generate
    >>> tables, truth, _ = generate(600, 5)  # calls needs_data
    >>> sorted(truth["needs"]) == sorted(NEEDS_TABLES)
    True
    >>> respondents = tables["survey"]["respondent_id"].nunique()
    >>> len(tables["brand_survey"]) == 5 * respondents == 5 * len(tables["survey_profiles"])
    True
    """
    persona = sv.respondent_personas(seed, u, int(survey["respondent_id"].nunique()))
    tables = {**adoption_tables(company_seed), **respondent_tables(seed, survey, persona)}
    truth = {**adoption_truth(company_seed), **respondent_truth(seed, persona)}
    return {name: tables[name] for name in NEEDS_TABLES}, {n: truth[n] for n in NEEDS_TABLES}
