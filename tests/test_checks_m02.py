"""Module 2 checks, three ways: the answer passes, a stub is not attempted, plausible
wrong answers fail with the hint aimed at them. Right answers are computed here by
hand, not through the checks nor through coursekit.needs or coursekit.diffusion: the
Bass curve fitted with scipy's curve_fit, derived importance as a least-squares fit on
z-scores, the quadrants, TGI, k-means and the silhouette from scikit-learn directly,
Van Westendorp's curves counted and their crossings interpolated, the weighted table
and its random weightings drawn here. Where the simulated company knows the answer
(truth.json), the estimates are held to it. A last test runs every check on a second,
smaller world, where the expected values and the decisions come from its data."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from helpers import every_check_holds, in_world, right, wrong
from scipy.optimize import curve_fit
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score, silhouette_score
from threadpoolctl import threadpool_limits

import coursekit
from coursekit import diffusion
from coursekit.exercises import ____, m02

ATTRS = list(m02.ATTRIBUTES)


@pytest.fixture(scope="module")
def d():
    names = ("market_adoption", "survey", "brand_survey", "survey_profiles", "competitors")
    return {t: coursekit.load(t) for t in names}


@pytest.fixture(scope="module")
def truth():
    return coursekit.truth()["needs"]




def test_every_question_is_not_attempted_as_handed_out():
    for q in m02.EXERCISES.bind({}):
        assert q.evaluate().status == "not_attempted"
        assert q.evaluate(**{v: ____ for v in q.variables}).status == "not_attempted"


def test_the_constants_agree_with_the_data(d, truth):
    assert list(m02.CLUSTER_FEATURES) == truth["survey_profiles"]["cluster_features"]
    assert m02.QUALITY_WEIGHTS == truth["competitors"]["quality_weights"]
    assert math.isclose(sum(m02.QUALITY_WEIGHTS.values()), 1.0)
    assert set(m02.QUALITY_WEIGHTS) == set(d["competitors"]["criterion"].astype(str))
    bs = d["brand_survey"]
    assert ATTRS == [c for c in bs.columns if c not in ("respondent_id", "brand", "overall")]
    assert set(m02.ATTRIBUTES) == set(d["survey"]["attribute"].astype(str))
    assert list(m02.SCENES) == [c for c in d["survey_profiles"].columns
                                if c.startswith("scene_")]
    assert m02.CATEGORY in set(d["market_adoption"]["category"].astype(str))
    assert m02.SEGMENT_TIER in set(d["survey"]["city_tier"].astype(str))
    assert {m02.DRIVER_SCENE, m02.GIFT_SCENE} <= set(m02.SCENES)
    assert m02.RIVAL in set(bs["brand"].astype(str)) and m02.OURS in set(bs["brand"].astype(str))


# --------------------------------------------------------------------------- lesson 2a


def bass_share(t, p, q):
    e = np.exp(-(p + q) * np.asarray(t, dtype=float))
    return np.where(np.asarray(t) > 0, (1 - e) / (1 + q / p * e), 0.0)


def fit_bass(y):
    """Bass on new adopters per period by nonlinear least squares (scipy's curve_fit)."""
    t = np.arange(1, len(y) + 1, dtype=float)

    def new(t, p, q, m):
        return m * (bass_share(t, p, q) - bass_share(t - 1, p, q))

    (p, q, m), _ = curve_fit(new, t, y.to_numpy(dtype=float), p0=(0.001, 0.05, 3 * y.sum()),
                             bounds=([1e-6, 0.0, 0.0], [1.0, 10.0, 1e10]), method="trf",
                             x_scale="jac", xtol=1e-14, ftol=1e-14, gtol=1e-14, max_nfev=20000)
    return p, q, m


@pytest.fixture(scope="module")
def coffee(d):
    ma = d["market_adoption"]
    return ma[ma["category"].astype(str) == m02.CATEGORY].set_index("month")["new_adopters"]


def test_q1_coffee_curve_and_the_truth(coffee, truth):
    q = m02.CoffeeCurve()
    p_, q_, m_ = fit_bass(coffee)
    cat = truth["market_adoption"]["categories"][m02.CATEGORY]
    # the fit recovers the simulated market's parameters
    assert abs(p_ / cat["p_per_month"] - 1) < 0.2 and abs(q_ / cat["q_per_month"] - 1) < 0.05
    assert abs(m_ / cat["generations"]["1"]["m"] - 1) < 0.05
    message = right(q, coffee_p=p_, coffee_q=q_, coffee_m=m_)
    assert f"against {cat['p_per_month']:.3g}" in message and "2,500,000" in message
    assert "holds it" in message
    right(q, coffee_p=float(f"{p_:.3g}"), coffee_q=float(f"{q_:.3g}"), coffee_m=round(m_, -3))
    cumulative = diffusion.Bass(bootstrap=0).fit(coffee.cumsum()).params_  # as a learner would
    wrong(q, "running total", coffee_p=cumulative["p"], coffee_q=cumulative["q"],
          coffee_m=cumulative["m"])
    wrong(q, "running total", coffee_p=p_, coffee_q=q_, coffee_m=cumulative["m"])
    wrong(q, "not per year", coffee_p=12 * p_, coffee_q=12 * q_, coffee_m=m_)
    wrong(q, "not millions", coffee_p=p_, coffee_q=q_, coffee_m=m_ / 1e6)
    r = q.evaluate(coffee_p=p_, coffee_q=q_, coffee_m=1.2 * m_)
    assert r.status == "incorrect" and "`coffee_m` is too high" in r.message


def test_q2_coffee_stage_and_peak(coffee, truth):
    q = m02.CoffeeStage()
    p_, q_, m_ = fit_bass(coffee)
    t_peak = math.log(q_ / p_) / (p_ + q_)
    takeoff = t_peak - math.log(2 + math.sqrt(3)) / (p_ + q_)
    n = len(coffee)
    share = float(bass_share(n, p_, q_))
    stage = ("decline" if share >= 0.84 else "maturity" if n >= t_peak
             else "introduction" if share < 0.16 and n < takeoff else "growth")
    launch = coffee.index.min().to_period("M")
    peak = launch + (math.ceil(t_peak) - 1)  # month 1 runs from t = 0 to t = 1
    gen = truth["market_adoption"]["categories"][m02.CATEGORY]["generations"]["1"]
    assert stage == gen["stage_at_end"] == "growth"
    assert str(peak) == gen["peak_month_of_bass_curve"][:7]  # the fit finds the true peak
    message = right(q, coffee_stage=stage, coffee_peak=str(peak))
    assert f"peaks in {gen['peak_month_of_bass_curve'][:7]}" in message
    right(q, coffee_stage=stage.upper(), coffee_peak=peak)
    right(q, coffee_stage=stage, coffee_peak=peak.start_time + pd.Timedelta(days=14))
    right(q, coffee_stage=stage, coffee_peak=peak.start_time.date())
    wrong(q, "busiest month in the data", coffee_stage=stage, coffee_peak=coffee.idxmax())
    wrong(q, "One month off", coffee_stage=stage, coffee_peak=str(peak + 1))
    wrong(q, "One month off", coffee_stage=stage, coffee_peak=str(peak - 1))
    wrong(q, "comes after the data's last month", coffee_stage="maturity", coffee_peak=peak)
    wrong(q, "16%", coffee_stage="introduction", coffee_peak=peak)
    wrong(q, "84%", coffee_stage="decline", coffee_peak=peak)
    wrong(q, "not a stage", coffee_stage="rising", coffee_peak=peak)
    r = q.evaluate(coffee_stage=stage, coffee_peak=str(peak + 12))
    assert r.status == "incorrect" and "later day" in r.message


def derived_by_hand(rows, *, standardised=True):
    """Least squares of the overall score on the seven ratings, every variable z-scored."""
    x = rows[ATTRS].to_numpy(dtype=float)
    y = rows["overall"].to_numpy(dtype=float)
    if standardised:
        x = (x - x.mean(axis=0)) / x.std(axis=0)
        y = (y - y.mean()) / y.std()
    design = np.column_stack([np.ones(len(y)), x])
    coef = np.linalg.lstsq(design, y, rcond=None)[0][1:]
    return pd.Series(coef, index=ATTRS)


def ids(d, scene, value=True):
    sp = d["survey_profiles"]
    return sp.loc[sp[scene] == value, "respondent_id"]


def test_q3_fitness_drivers(d, truth):
    q = m02.FitnessDrivers()
    bs = d["brand_survey"]
    fit = bs["respondent_id"].isin(ids(d, m02.DRIVER_SCENE))
    rise = derived_by_hand(bs[fit]) - derived_by_hand(bs)
    attr = rise.idxmax()
    assert attr == "health"  # health_office, half of whom tick fitness, weighs health most
    assert truth["brand_survey"]["driver_rank"]["health_office"][1] == "health"
    right(q, rising_attribute=attr, rise=rise.max())
    right(q, rising_attribute=rise.nlargest(1), rise=round(rise.max(), 4))
    wrong(q, "matters most to this group", rising_attribute=derived_by_hand(bs[fit]).idxmax(),
          rise=rise.max())
    rest = derived_by_hand(bs[fit]) - derived_by_hand(bs[~fit])
    wrong(q, "do not tick the scene", rising_attribute=rest.idxmax(), rise=rest.max())
    sv = d["survey"].astype({"attribute": str})
    stated = (sv[sv["respondent_id"].isin(ids(d, m02.DRIVER_SCENE))].groupby("attribute")
              ["importance"].mean() - sv.groupby("attribute")["importance"].mean())
    wrong(q, "stated importance", rising_attribute=stated.idxmax(), rise=stated.max())
    raw = derived_by_hand(bs[fit], standardised=False) - derived_by_hand(bs, standardised=False)
    wrong(q, "derived_coefficient", rising_attribute=raw.idxmax(), rise=raw.max())
    r = q.evaluate(rising_attribute="health", rise=-rise.max())
    assert r.status == "incorrect" and "wrong sign" in r.message


def ipa_by_hand(survey, ours, cut="mean"):
    """Stated importance and our mean rating per attribute, quadrants cut at the means."""
    s = survey.astype({"attribute": str})
    imp = s.groupby("attribute")["importance"].mean()
    ratings = s.groupby("attribute")[[c for c in s.columns if c.startswith("rating_")]].mean()
    perf = ratings[f"rating_{ours}"]
    icut, pcut = (imp.mean(), perf.mean()) if cut == "mean" else (imp.median(), perf.median())
    high_i, high_p = imp >= icut, perf >= pcut
    quadrant = np.select([high_i & ~high_p, high_i & high_p, ~high_i & ~high_p],
                         ["concentrate here", "keep up the good work", "low priority"],
                         "possible overkill")
    best = ratings.drop(columns=f"rating_{ours}").max(axis=1)
    return pd.DataFrame({"importance": imp, "performance": perf, "quadrant": quadrant,
                         "gap": perf - best,
                         "gap_songguo": perf - ratings.get("rating_songguo", np.nan)})


def test_q4_rival_focus(d):
    q = m02.RivalFocus()
    rival = ipa_by_hand(d["survey"], m02.RIVAL)
    focus = set(rival.index[rival["quadrant"] == "concentrate here"])
    assert focus == {"health"}  # Qingmu's lead is where Songguo must concentrate
    right(q, songguo_focus=focus)
    right(q, songguo_focus=sorted(focus))
    right(q, songguo_focus=pd.Index(sorted(focus)))
    right(q, songguo_focus="health")
    ours = ipa_by_hand(d["survey"], m02.OURS)
    wrong(q, "Qingmu's", songguo_focus=set(ours.index[ours["quadrant"] == "concentrate here"]))
    wrong(q, "strengths", songguo_focus=set(
        rival.index[rival["quadrant"] == "keep up the good work"]))
    wrong(q, "matter little", songguo_focus=set(rival.index[rival["quadrant"] == "low priority"]))
    wrong(q, "trails the best competitor", songguo_focus=set(rival.index[rival["gap"] < 0]))
    r = q.evaluate(songguo_focus=set())
    assert r.status == "incorrect" and "misses some expected items" in r.message


def test_q5_gift_invest(d):
    q = m02.GiftInvest()
    sv = d["survey"]
    gift = ipa_by_hand(sv[sv["respondent_id"].isin(ids(d, m02.GIFT_SCENE))], m02.OURS)
    focus = gift[gift["quadrant"] == "concentrate here"]
    top = focus["importance"].idxmax()
    everyone = ipa_by_hand(sv, m02.OURS)
    all_focus = everyone[everyone["quadrant"] == "concentrate here"]
    all_top = all_focus["importance"].idxmax()
    assert (top, all_top) == ("packaging", "price")  # the gift edition invests elsewhere
    right(q, gift_invest=top, gift_gap=gift.loc[top, "gap"])
    right(q, gift_invest=top.upper(), gift_gap=round(gift.loc[top, "gap"], 3))
    wrong(q, "all respondents", gift_invest=all_top, gift_gap=everyone.loc[all_top, "gap"])
    widest = focus["gap"].idxmin()
    assert widest != top
    wrong(q, "widest gap", gift_invest=widest, gift_gap=focus.loc[widest, "gap"])
    wrong(q, "negative where Qingmu trails", gift_invest=top, gift_gap=-gift.loc[top, "gap"])
    wrong(q, "gap to songguo", gift_invest=top, gift_gap=gift.loc[top, "gap_songguo"])


# --------------------------------------------------------------------------- lesson 2b


def kmeans(x, k):
    """z-scores (population sd), then k-means as needs.Personas runs it."""
    z = ((x - x.mean()) / x.std(ddof=0)).to_numpy(dtype=float)
    with threadpool_limits(limits=1, user_api="openmp"):  # 600 rows: threads only wait
        labels = KMeans(n_clusters=k, n_init=10, random_state=0).fit(z).labels_
    return z, labels


def by_size(labels):
    """Persona numbers 1..k, largest first."""
    order = pd.Series(labels).value_counts().index
    return pd.Series(labels).map({c: i + 1 for i, c in enumerate(order)}).to_numpy()


def planted(truth):
    tr = truth["survey_profiles"]
    return np.array(tr["persona_names"], dtype=object)[[int(c) for c in tr["persona_codes"]]]


def test_q6_personas_without_the_scenes(d, truth):
    q = m02.ScenesInPersonas()
    sp = d["survey_profiles"]
    without = sp[[f for f in m02.CLUSTER_FEATURES if f not in m02.SCENES]].astype(float)
    every = sp[list(m02.CLUSTER_FEATURES)].astype(float)
    sil = {k: silhouette_score(*kmeans(without, k)) for k in range(2, 9)}
    k_best = max(sil, key=sil.get)
    full_sil = {k: silhouette_score(*kmeans(every, k)) for k in range(2, 9)}
    assert max(full_sil, key=full_sil.get) == 4 != k_best  # the scenes make the four show
    with_labels, without_labels = kmeans(every, 4)[1], kmeans(without, 4)[1]
    ari = adjusted_rand_score(with_labels, without_labels)
    message = right(q, k_without_scenes=k_best, ari_scenes=ari)
    truth_with = adjusted_rand_score(planted(truth), with_labels)
    truth_without = adjusted_rand_score(planted(truth), without_labels)
    assert truth_with > 0.7 > truth_without  # the planted personas need the scenes
    assert f"{truth_with:.2f} with the scenes and {truth_without:.2f} without" in message
    wrong(q, "from every feature", k_without_scenes=4, ari_scenes=ari)
    wrong(q, "planted personas", k_without_scenes=k_best, ari_scenes=truth_without)
    wrong(q, "silhouette's k", k_without_scenes=k_best,
          ari_scenes=adjusted_rand_score(with_labels, kmeans(without, k_best)[1]))


def test_q7_health_scene_tgi(d):
    q = m02.HealthSceneTgi()
    sp = d["survey_profiles"]
    scenes = sp[list(m02.SCENES)].astype(float)
    group = sp[m02.TGI_MOTIVE] >= m02.TGI_MIN
    tgi = scenes[group].mean() / scenes.mean() * 100
    top = tgi.idxmax()
    common = scenes[group].mean().idxmax()
    assert top == "scene_fitness" and common == "scene_office"  # the trap is real
    right(q, top_scene=top, top_tgi=tgi.max())
    right(q, top_scene=top.removeprefix("scene_"), top_tgi=round(tgi.max(), 1))
    right(q, top_scene=tgi.nlargest(1), top_tgi=tgi.nlargest(1))
    wrong(q, "most common in the group", top_scene=common,
          top_tgi=scenes[group].mean().max())
    wrong(q, "most common in the group", top_scene=common, top_tgi=tgi[common])
    wrong(q, "x 100", top_scene=top, top_tgi=tgi.max() / 100)
    outside = scenes[group].mean() / scenes[~group].mean() * 100
    wrong(q, "outside it", top_scene=outside.idxmax(), top_tgi=outside.max())
    strict = sp[m02.TGI_MOTIVE] > m02.TGI_MIN
    strict_tgi = scenes[strict].mean() / scenes.mean() * 100
    wrong(q, "*or more*", top_scene=strict_tgi.idxmax(), top_tgi=strict_tgi.max())


def test_q8_first_persona_in_the_smallest_cities(d, truth):
    q = m02.FirstPersona()
    sp = d["survey_profiles"]
    persona = by_size(kmeans(sp[list(m02.CLUSTER_FEATURES)].astype(float), 4)[1])
    tier = sp["respondent_id"].map(d["survey"].drop_duplicates("respondent_id")
                                   .set_index("respondent_id")["city_tier"].astype(str))

    def scored(mask, weights=(1, 0, 1), total_value=False):
        rows = sp[mask]
        size = rows.groupby(persona[mask]).size()
        value = 12 * rows.groupby(persona[mask])["monthly_snack_spend"].mean()
        if total_value:
            value = value * size
        s = (size - size.min()) / (size.max() - size.min())
        v = (value - value.min()) / (value.max() - value.min())
        w = np.array(weights) / sum(weights)
        total = w[0] * s + w[1] * 0.5 + w[2] * v
        return int(total.idxmax()), float(total.max())

    mine = (tier == m02.SEGMENT_TIER).to_numpy()
    first, total = scored(mine)
    everywhere = scored(np.ones(len(sp), dtype=bool))
    assert first != everywhere[0]  # the smallest cities want another persona first
    names = pd.Series(planted(truth))
    assert names[persona == first].value_counts().idxmax() == "family_stocker"
    message = right(q, first_persona=first, first_total=total)
    assert "planted family_stocker" in message
    right(q, first_persona=np.int64(first), first_total=round(total, 3))
    wrong(q, "over all respondents", first_persona=everywhere[0], first_total=everywhere[1])
    wrong(q, "over all respondents", first_persona=everywhere[0], first_total=total)
    wrong(q, "equal weights", first_persona=first,
          first_total=scored(mine, weights=(1, 1, 1))[1])
    wrong(q, "not the persona's total", first_persona=first,
          first_total=scored(mine, total_value=True)[1])
    tier_1 = scored((tier == "1").to_numpy())
    wrong(q, "city tier '1'", first_persona=tier_1[0], first_total=tier_1[1])


def van_westendorp(rows):
    """OPP, IPP and the original range (PMC, PME) by counting, crossings interpolated."""
    cols = ["price_too_cheap", "price_cheap", "price_expensive", "price_too_expensive"]
    a = rows[cols].to_numpy(dtype=float)
    a = a[(np.diff(a, axis=1) >= 0).all(axis=1)]
    grid = np.unique(a)
    tc, ch = [(a[:, i][:, None] >= grid).sum(axis=0) for i in (0, 1)]
    ex, te = [(a[:, i][:, None] <= grid).sum(axis=0) for i in (2, 3)]
    n = len(a)

    def cross(diff):
        i = int(np.flatnonzero(diff <= 0)[0])
        if diff[i] == 0:
            j = i
            while j + 1 < len(diff) and diff[j + 1] == 0:
                j += 1
            return (grid[i] + grid[j]) / 2
        return grid[i - 1] + diff[i - 1] * (grid[i] - grid[i - 1]) / (diff[i - 1] - diff[i])

    return {"pmc": cross(tc - (n - ch)), "opp": cross(tc - te), "ipp": cross(ch - ex),
            "pme": cross((n - ex) - te)}


def test_q9_gift_price(d, truth):
    q = m02.GiftPrice()
    sp = d["survey_profiles"]
    gift = van_westendorp(sp[sp[m02.GIFT_SCENE]])
    everyone = van_westendorp(sp)
    others = van_westendorp(sp[~sp[m02.GIFT_SCENE]])
    # gift givers, the planted persona most gift buyers belong to, name the highest prices
    normal = truth["survey_profiles"]["van_westendorp"]["normal_price"]
    assert max(normal, key=normal.get) == "gift_giver" and gift["opp"] > everyone["opp"]
    rng = (gift["pmc"], gift["pme"])
    message = right(q, gift_range=rng, gift_opp=gift["opp"])
    assert f"{gift['opp'] - everyone['opp']:+.0f} yuan" in message
    right(q, gift_range=list(reversed(rng)), gift_opp=round(gift["opp"], 1))
    right(q, gift_range=np.array(rng), gift_opp=gift["opp"])
    wrong(q, "everybody's answer", gift_range=(everyone["pmc"], everyone["pme"]),
          gift_opp=everyone["opp"])
    wrong(q, "everybody's OPP", gift_range=rng, gift_opp=everyone["opp"])
    wrong(q, "do *not* tick", gift_range=(others["pmc"], others["pme"]), gift_opp=others["opp"])
    wrong(q, "indifference price point", gift_range=rng, gift_opp=gift["ipp"])
    wrong(q, "from PMC to PME", gift_range=(gift["opp"], gift["ipp"]), gift_opp=gift["opp"])
    narrow = coursekit.needs.price_sensitivity(sp[sp[m02.GIFT_SCENE]],
                                               range_definition="narrower")
    wrong(q, "narrower definition", gift_range=narrow.acceptable_range, gift_opp=gift["opp"])


def test_q10_quality_weights(d, truth):
    q = m02.QualityWeights()
    c = d["competitors"].astype({"brand": str, "criterion": str})
    scores = c.pivot(index="brand", columns="criterion", values="score")
    w = pd.Series(m02.QUALITY_WEIGHTS)[scores.columns]
    totals = (scores * w).sum(axis=1).sort_values(ascending=False)
    leader, lead = totals.index[0], totals.iloc[0] - totals.iloc[1]
    assert leader == truth["competitors"]["ranking_of_table_with_quality_weights"][0]
    # Dirichlet weightings around the weights, +-20 % for a weight of average size
    k = len(w)
    rng = np.random.default_rng(0)
    drawn = rng.dirichlet(((k - 1) / 0.2**2 - 1) * w.to_numpy(), size=2000) @ scores.T.to_numpy()
    top = np.isclose(drawn, drawn.max(axis=1, keepdims=True), rtol=0, atol=1e-9)
    share = pd.Series((top / top.sum(axis=1, keepdims=True)).mean(axis=0), index=scores.index)
    message = right(q, quality_leader=leader, quality_lead=lead,
                    leader_share_first=share[leader])
    true = pd.DataFrame(truth["competitors"]["true_scores"]).T[scores.columns]
    true_totals = (true * w).sum(axis=1).sort_values(ascending=False)
    assert f"{true_totals.index[0]} would lead by " \
           f"{true_totals.iloc[0] - true_totals.iloc[1]:.2f}" in message
    default = c.drop_duplicates("criterion").set_index("criterion")["weight"][scores.columns]
    base = (scores * default).sum(axis=1).sort_values(ascending=False)
    assert base.index[0] != leader  # the weights decide who leads
    wrong(q, "default weights", quality_leader=base.index[0],
          quality_lead=base.iloc[0] - base.iloc[1], leader_share_first=share[leader])
    plain = scores.mean(axis=1).sort_values(ascending=False)
    wrong(q, "weighed the same", quality_leader=plain.index[0],
          quality_lead=plain.iloc[0] - plain.iloc[1], leader_share_first=share[leader])
    wrong(q, "over the last brand", quality_leader=leader,
          quality_lead=totals.iloc[0] - totals.iloc[-1], leader_share_first=share[leader])
    wrong(q, "runner-up's share", quality_leader=leader, quality_lead=lead,
          leader_share_first=share[totals.index[1]])


# --------------------------------------------------------------------------- another world



def test_every_check_holds_on_another_world(small_world):
    """On a 3,000-user world of seed 7 the reference answers are right (and shown beside
    that world's truth), the wrong ones get their hints, and each question keeps at least
    one plausible mistake."""
    default = m02.FitnessDrivers()._expected()
    with in_world(small_world):
        every_check_holds(m02.EXERCISES)
        # the expected values follow the data of the world in use
        assert m02.FitnessDrivers()._expected() != default
        message = m02.ScenesInPersonas().evaluate(**m02.ScenesInPersonas()._expected()).message
        assert "planted personas" in message
