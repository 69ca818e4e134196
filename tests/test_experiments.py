"""A/B tests: hand-worked 2x2 tables checked against statsmodels and scipy,
properties of the intervals, targeting, sample size, bad input, and the
campaigns of the course data against the truth."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from helpers import named
from scipy import stats
from statsmodels.stats import proportion as smp
from statsmodels.stats.power import NormalIndPower

from coursekit import experiments as ex
from coursekit.data import truth
from coursekit.errors import ArgumentError, CourseError, DataError


def table(xt: int, nt: int, xc: int, nc: int, **extra: object) -> pd.DataFrame:
    """A test with ``xt`` of ``nt`` treated and ``xc`` of ``nc`` controls converting."""
    return pd.DataFrame({
        "group": ["treatment"] * nt + ["control"] * nc,
        "converted": [True] * xt + [False] * (nt - xt) + [True] * xc + [False] * (nc - xc),
        **extra,
    })


# --------------------------------------------------------------------------- the 2x2


def test_hand_worked_two_by_two():
    # 30 / 200 against 20 / 200: se = sqrt(.15 .85 / 200 + .10 .90 / 200) = 0.0329773
    res = ex.lift(table(30, 200, 20, 200))
    assert (res.n_treatment, res.n_control) == (200, 200)
    assert (res.conversions_treatment, res.conversions_control) == (30, 20)
    assert res.conversion_treatment == 0.15 and res.conversion_control == 0.10
    assert res.uplift == pytest.approx(0.05)
    assert res.relative_lift == pytest.approx(0.5)
    assert res.uplift_low == pytest.approx(0.05 - 1.959964 * 0.0329773, abs=1e-6)
    assert res.uplift_high == pytest.approx(0.05 + 1.959964 * 0.0329773, abs=1e-6)
    assert res.p_value == pytest.approx(2 * stats.norm.sf(0.05 / 0.0329773), abs=1e-6)
    assert res.p_value == pytest.approx(0.12947, abs=1e-5)
    assert (res.method, res.confidence) == ("wald", 0.95)


@pytest.mark.parametrize("method", ["wald", "agresti-caffo"])
@pytest.mark.parametrize(("xt", "nt", "xc", "nc"),
                         [(30, 200, 20, 200), (7, 40, 2, 55), (120, 1000, 150, 980)])
@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_interval_and_p_value_match_statsmodels(method, xt, nt, xc, nc, confidence):
    res = ex.lift(table(xt, nt, xc, nc), method=method, confidence=confidence)
    lo, hi = smp.confint_proportions_2indep(xt, nt, xc, nc, method=method, alpha=1 - confidence)
    test = smp.test_proportions_2indep(xt, nt, xc, nc, method=method)
    assert (res.uplift_low, res.uplift_high) == pytest.approx((lo, hi), abs=1e-12)
    assert res.p_value == pytest.approx(test.pvalue, abs=1e-12)
    assert res.uplift == pytest.approx(xt / nt - xc / nc)


def test_the_classic_pooled_z_test_gives_nearly_the_same_p_value():
    res = ex.lift(table(30, 200, 20, 200))
    _, pooled = smp.proportions_ztest([30, 20], [200, 200])
    assert abs(res.p_value - pooled) < 0.01


def test_revenue_uplift_matches_welch_in_scipy():
    rng = np.random.default_rng(3)
    nt, nc = 300, 280
    rev = np.where(rng.random(nt + nc) < 0.2, rng.gamma(2.0, 40.0, nt + nc), 0.0).round(2)
    ab = table(40, nt, 30, nc, revenue=rev)
    res = ex.lift(ab, value="revenue", confidence=0.9)
    t, c = rev[:nt], rev[nt:]
    welch = stats.ttest_ind(t, c, equal_var=False)
    ci = welch.confidence_interval(confidence_level=0.9)
    assert res.value_per_user_treatment == pytest.approx(t.mean())
    assert res.value_per_user_control == pytest.approx(c.mean())
    assert res.value_uplift == pytest.approx(t.mean() - c.mean())
    assert (res.value_uplift_low, res.value_uplift_high) == pytest.approx(
        (ci.low, ci.high), abs=1e-9)
    assert res.value_p_value == pytest.approx(welch.pvalue, abs=1e-12)
    assert ex.lift(ab).value_uplift is None


def test_a_signed_value_such_as_a_margin_is_accepted():
    """A margin per user may be negative (a refund, a delivery dearer than the
    margin); shifting every value by a constant moves neither the difference nor
    its interval."""
    rng = np.random.default_rng(4)
    margin = rng.normal(5.0, 20.0, 400).round(2)
    ab = table(40, 200, 30, 200, margin=margin)
    signed = ex.lift(ab, value="margin")
    shifted = ex.lift(ab.assign(margin=margin - margin.min()), value="margin")
    assert (margin < 0).any()
    assert signed.value_uplift == pytest.approx(shifted.value_uplift)
    assert (signed.value_uplift_low, signed.value_uplift_high) == pytest.approx(
        (shifted.value_uplift_low, shifted.value_uplift_high))


def test_result_as_a_frame_has_the_segment_table_columns():
    ab = table(5, 20, 3, 20, revenue=[1.0] * 40)
    one = ex.lift(ab, value="revenue").to_frame()
    by = ex.uplift_by_segment(ab.assign(segment="all"), value="revenue")
    assert list(one.columns) == list(by.columns)
    assert np.allclose(one.to_numpy(dtype=float), by.to_numpy(dtype=float), equal_nan=True)


# --------------------------------------------------------------------------- properties


def test_outcome_as_bool_int_or_float_gives_the_same_answer():
    ab = table(12, 50, 9, 60)
    base = ex.lift(ab)
    assert ex.lift(ab.assign(converted=ab["converted"].astype(int))) == base
    assert ex.lift(ab.assign(converted=ab["converted"].astype(float))) == base
    assert ex.lift(ab.assign(converted=ab["converted"].astype("boolean"))) == base


def test_swapping_the_arms_mirrors_the_result():
    ab = table(12, 50, 9, 60)
    a = ex.lift(ab)
    b = ex.lift(ab, treatment="control", control="treatment")
    assert b.uplift == pytest.approx(-a.uplift)
    assert (b.uplift_low, b.uplift_high) == pytest.approx((-a.uplift_high, -a.uplift_low))
    assert b.p_value == pytest.approx(a.p_value)


def test_intervals_contain_the_estimate_widen_with_confidence_and_agree_with_p():
    rng = np.random.default_rng(7)
    for _ in range(40):
        nt, nc = rng.integers(20, 400, 2)
        xt, xc = rng.integers(1, nt), rng.integers(1, nc)
        ab = table(int(xt), int(nt), int(xc), int(nc))
        r90, r95 = ex.lift(ab, confidence=0.90), ex.lift(ab)
        assert r95.uplift_low <= r95.uplift <= r95.uplift_high
        assert r95.uplift_low < r90.uplift_low and r90.uplift_high < r95.uplift_high
        excludes = r95.uplift_low > 0 or r95.uplift_high < 0
        assert excludes == (r95.p_value < 0.05)


def test_segments_add_up_and_match_lift_on_each_subset():
    rng = np.random.default_rng(1)
    n = 3000
    ab = pd.DataFrame({
        "segment": pd.Categorical(rng.choice(["new", "loyal", "lapsing"], n),
                                  categories=["new", "loyal", "lapsing", "dormant"]),
        "group": rng.choice(["treatment", "control"], n),
        "converted": rng.random(n) < 0.2,
        "revenue": rng.gamma(1.0, 30.0, n),
    })
    by = ex.uplift_by_segment(ab, value="revenue")
    assert list(by.index) == ["new", "loyal", "lapsing"]  # category order, unused left out
    assert by["n_treatment"].sum() + by["n_control"].sum() == n
    for seg, row in by.iterrows():
        one = ex.lift(ab[ab["segment"] == seg], value="revenue")
        assert row["uplift"] == pytest.approx(one.uplift)
        assert row["uplift_low"] == pytest.approx(one.uplift_low)
        assert row["value_uplift_high"] == pytest.approx(one.value_uplift_high)
    two = ex.uplift_by_segment(ab.assign(wave=rng.integers(1, 3, n)), segment=["wave", "segment"])
    assert two.index.names == ["wave", "segment"] and len(two) == 6


def test_no_conversions_in_either_group_gives_nan_wald_but_agresti_caffo_works():
    ab = table(0, 30, 0, 30)
    wald = ex.lift(ab)
    assert wald.uplift == 0 and np.isnan(wald.uplift_low) and np.isnan(wald.p_value)
    assert np.isnan(wald.relative_lift)
    ac = ex.lift(ab, method="agresti-caffo")
    assert ac.uplift_low < 0 < ac.uplift_high and ac.p_value == pytest.approx(1.0)


# --------------------------------------------------------------------------- sample size


@pytest.mark.parametrize(("baseline", "mde", "ratio"),
                         [(0.10, 0.02, 1.0), (0.05, 0.01, 1.0), (0.30, -0.05, 1.0),
                          (0.10, 0.02, 0.25)])
def test_sample_size_matches_the_formula_and_statsmodels(baseline, mde, ratio):
    n = ex.sample_size(baseline, mde, ratio=ratio)
    h = abs(2 * np.arcsin(np.sqrt(baseline + mde)) - 2 * np.arcsin(np.sqrt(baseline)))
    by_hand = ((stats.norm.ppf(0.975) + stats.norm.ppf(0.8)) / h) ** 2 * (1 + 1 / ratio)
    assert n == int(np.ceil(by_hand))
    sm = NormalIndPower().solve_power(effect_size=abs(smp.proportion_effectsize(baseline + mde,
                                                                            baseline)),
                                      alpha=0.05, power=0.8, ratio=ratio)
    assert n == int(np.ceil(sm))


def test_sample_size_grows_with_power_and_shrinking_effects():
    assert ex.sample_size(0.1, 0.02) == 3835
    assert ex.sample_size(0.1, 0.01) > 3.5 * ex.sample_size(0.1, 0.02)
    assert ex.sample_size(0.1, 0.02, power=0.9) > ex.sample_size(0.1, 0.02)
    assert ex.sample_size(0.1, 0.02, alpha=0.01) > ex.sample_size(0.1, 0.02)


# --------------------------------------------------------------------------- targeting


def segments_table() -> pd.DataFrame:
    return pd.DataFrame(
        {"n_treatment": [500, 300, 200], "n_control": [500, 300, 200],
         "uplift": [0.10, 0.02, 0.0], "uplift_low": [0.06, -0.01, -0.04],
         "uplift_high": [0.14, 0.05, 0.04],
         "value_uplift": [12.0, 1.0, -3.0], "value_uplift_low": [6.0, -2.0, -9.0],
         "value_uplift_high": [18.0, 4.0, 3.0]},
        index=pd.Index(["lapsing", "active", "loyal"], name="segment"))


def test_targeting_by_value_per_conversion():
    # lapsing: .10 x 100 x .4 - 1 = 3; active: .02 x 100 x .4 - 1 = -0.2; loyal: -1
    plan = ex.targeting(segments_table(), cost_per_contact=1.0, margin=0.4,
                        value_per_conversion=100.0)
    assert plan.table["profit_per_contact"].tolist() == pytest.approx([3.0, -0.2, -1.0])
    assert plan.table["profit_low"].tolist() == pytest.approx([1.4, -1.4, -2.6])
    assert plan.segments == ("lapsing",)
    assert (plan.contacts, plan.cost, plan.profit) == (1000, 1000.0, pytest.approx(3000.0))
    assert plan.roi == pytest.approx(3.0)
    assert plan.profit_all == pytest.approx(3000 - 0.2 * 600 - 1.0 * 400)


def test_targeting_by_measured_revenue_and_free_contacts():
    plan = ex.targeting(segments_table(), cost_per_contact=0.5, margin=0.5)
    # 12 x .5 - .5 = 5.5; 1 x .5 - .5 = 0 (not worth it); -3 x .5 - .5 = -2
    assert plan.table["profit_per_contact"].tolist() == pytest.approx([5.5, 0.0, -2.0])
    assert plan.segments == ("lapsing",)
    free = ex.targeting(segments_table(), cost_per_contact=0.0, margin=0.5)
    assert free.segments == ("lapsing", "active") and free.roi == np.inf


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("call", "column"),
    [
        (lambda d: ex.lift(d.drop(columns="group")), ["group"]),
        (lambda d: ex.lift(d.drop(columns="converted")), ["converted"]),
        (lambda d: ex.lift(d, value="revenue"), ["revenue"]),
        (lambda d: ex.uplift_by_segment(d), ["segment"]),
        (lambda d: ex.lift(d.iloc[:0]), None),
        (lambda d: ex.lift(d[d["group"] == "treatment"]), "group"),   # only one group
        (lambda d: ex.lift(d, control="holdout"), "group"),           # that group is missing
        (lambda d: ex.lift(d.assign(group=d["group"].replace("control", "ctrl"))), "group"),
        (lambda d: ex.lift(d.assign(group=d["group"].where(d.index > 0))), "group"),
        (lambda d: ex.lift(d.assign(converted=np.arange(len(d)) % 3)), "converted"),
        (lambda d: ex.lift(d.assign(converted="yes")), "converted"),
        (lambda d: ex.lift(d.assign(converted=d["converted"].astype(float).where(d.index > 0))),
         "converted"),
        (lambda d: ex.lift(d.assign(revenue=np.where(d.index > 0, 1.0, np.nan)),
                           value="revenue"), "revenue"),
        (lambda d: ex.lift(d.assign(revenue="12 yuan"), value="revenue"), "revenue"),
        (lambda d: ex.lift(d.assign(revenue=np.inf), value="revenue"), "revenue"),
        (lambda d: ex.uplift_by_segment(d.assign(segment=["a"] * (len(d) - 1) + ["b"])),
         ["segment"]),                                                 # 'b' has one group only
        (lambda d: ex.uplift_by_segment(d.assign(segment=d.index.where(d.index > 0, None))),
         "segment"),
        (lambda d: ex.lift(d, confidence=95), "confidence"),
        (lambda d: ex.lift(d, method="exact"), "method"),
        (lambda d: ex.lift(list(d["group"])), None),
    ],
)
def test_bad_assignments_name_the_column(call, column):
    with pytest.raises(CourseError) as info:
        call(table(3, 10, 2, 10))
    assert named(info.value) == column


@pytest.mark.parametrize(
    ("kwargs", "column"),
    [
        (dict(baseline=0.0, mde=0.01), "baseline"),
        (dict(baseline=0.1, mde=0.0), "mde"),
        (dict(baseline=0.95, mde=0.1), "mde"),
        (dict(baseline=0.1, mde=0.01, alpha=1.5), "alpha"),
        (dict(baseline=0.1, mde=0.01, power=1.0), "power"),
        (dict(baseline=0.1, mde=0.01, ratio=0), "ratio"),
    ],
)
def test_bad_sample_size_arguments(kwargs, column):
    with pytest.raises(ArgumentError) as info:
        ex.sample_size(**kwargs)
    assert info.value.name == column


@pytest.mark.parametrize(
    ("call", "column"),
    [
        (lambda t: ex.targeting(t, cost_per_contact=-1, margin=0.4), "cost_per_contact"),
        (lambda t: ex.targeting(t, cost_per_contact=1, margin=40), "margin"),
        (lambda t: ex.targeting(t, cost_per_contact=1, margin=0.4, value_per_conversion=0),
         "value_per_conversion"),
        (lambda t: ex.targeting(t.drop(columns="value_uplift"), cost_per_contact=1, margin=0.4),
         "value_uplift"),
        (lambda t: ex.targeting(t.drop(columns="n_control"), cost_per_contact=1, margin=0.4),
         ["n_control"]),
        (lambda t: ex.compare_with_truth(t, {"lapsing": 0.1}), ["conversion_control"]),
        (lambda t: ex.compare_with_truth(t.assign(conversion_control=0.1), {"lapsing": 0.1}),
         "segment"),
        (lambda t: ex.compare_with_truth(t.assign(conversion_control=0.1), truth(),
                                         campaign="black_friday"), "campaigns"),
    ],
)
def test_bad_targeting_and_truth_arguments(call, column):
    with pytest.raises(CourseError) as info:
        call(segments_table())
    assert named(info.value) == column


def test_messages_say_what_to_do():
    with pytest.raises(DataError, match="only one group present") as info:
        ex.lift(table(3, 10, 0, 0))
    assert "treatment" in str(info.value) and info.value.fix
    with pytest.raises(DataError, match="binary"):
        ex.lift(table(3, 10, 2, 10).assign(converted=2))


# --------------------------------------------------------------------------- course data


@pytest.fixture(scope="module")
def course(tables):
    names = tables["campaigns"].set_index("name")["campaign_id"]
    return tables["campaign_assignments"], names, truth()


def test_course_campaigns_recover_the_true_uplift_by_segment(course):
    ca, names, tr = course
    full = [names[n] for n, c in tr["campaigns"].items() if c["scale"] == 1.0]
    assert len(full) == 4
    by = ex.uplift_by_segment(ca[ca["campaign_id"].isin(full)], value="revenue")
    cmp = ex.compare_with_truth(by, tr)
    assert set(cmp.index) == set(tr["campaign_uplift"]["expected_by_segment"])
    assert cmp["truth"].to_dict() == tr["campaign_uplift"]["expected_by_segment"]
    # lapsing clearly positive and the largest; loyal near zero and the smallest
    assert cmp.loc["lapsing", "low"] > 0.05
    assert cmp["estimate"].idxmax() == "lapsing" == cmp["truth"].idxmax()
    assert cmp.loc["loyal", "low"] < 0 < cmp.loc["loyal", "high"]
    assert cmp["estimate"].idxmin() == "loyal" == cmp["truth"].idxmin()
    # every segment's expected uplift lies inside its 95% interval on the default data
    assert cmp["inside"].all()
    # coupons to loyal customers lose money; the win-back segment pays
    plan = ex.targeting(by, cost_per_contact=0.5, margin=0.4)
    assert "lapsing" in plan.segments and "loyal" not in plan.segments
    assert plan.profit > plan.profit_all


def test_course_midnight_blast_shows_no_effect_and_scales_its_truth(course):
    ca, names, tr = course
    blast = ca[ca["campaign_id"] == names["midnight_sms_blast"]]
    res = ex.lift(blast)
    assert res.uplift_low < 0 < res.uplift_high
    cmp = ex.compare_with_truth(ex.uplift_by_segment(blast), tr, campaign="midnight_sms_blast")
    lapsing = tr["campaign_uplift"]["expected_by_segment"]["lapsing"]
    assert cmp.loc["lapsing", "truth"] == pytest.approx(lapsing * 0.05)


def test_sample_size_mean_matches_the_normal_formula_by_hand():
    from scipy.stats import norm

    from coursekit.experiments import sample_size_mean

    z = norm.ppf(0.975) + norm.ppf(0.8)
    assert sample_size_mean(20.0, 5.0) == math.ceil(2 * (z * 20.0 / 5.0) ** 2)
    assert sample_size_mean(20.0, -5.0) == sample_size_mean(20.0, 5.0)
    # a 20% hold-out (ratio 0.25): the treatment group needs (1 + 4) / 2 = 2.5 times as many
    assert sample_size_mean(20.0, 5.0, ratio=0.25) == math.ceil(5 * (z * 20.0 / 5.0) ** 2)
    z90 = norm.ppf(0.975) + norm.ppf(0.9)
    assert sample_size_mean(10.0, 1.0, power=0.9) == math.ceil(2 * (z90 * 10.0) ** 2)
    # the same number as statsmodels' power solver for a standardised effect
    n = NormalIndPower().solve_power(effect_size=0.3, alpha=0.05, power=0.8, ratio=0.5)
    assert sample_size_mean(1.0, 0.3, ratio=0.5) == math.ceil(n - 1e-9)


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"sd": 0.0, "mde": 1.0}, "sd"), ({"sd": True, "mde": 1.0}, "sd"),
    ({"sd": 1.0, "mde": 0.0}, "mde"), ({"sd": 1.0, "mde": float("inf")}, "mde"),
    ({"sd": 1.0, "mde": 1.0, "alpha": 1.5}, "alpha"),
    ({"sd": 1.0, "mde": 1.0, "ratio": 0}, "ratio"),
])
def test_sample_size_mean_rejects_bad_arguments(kwargs, name):
    from coursekit.experiments import sample_size_mean

    with pytest.raises(ArgumentError) as err:
        sample_size_mean(**kwargs)
    assert err.value.name == name
