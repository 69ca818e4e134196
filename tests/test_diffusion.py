"""Adoption curves: Bass, logistic and Norton-Bass recovered from curves made by hand,
interval coverage under Poisson noise, the life-cycle stage rule, and bad input.

The curves are built here from the papers' formulas, written out again (not with
coursekit's own functions), so a wrong formula in the library fails the tests.
"""

from __future__ import annotations

import contextlib
import math
import warnings

import numpy as np
import pandas as pd
import pytest

from coursekit import diffusion
from coursekit.errors import ArgumentError, CourseError, DataError


def bass_F(t, p, q):
    """Bass (1969): F(t) = (1 - exp(-(p+q)t)) / (1 + (q/p) exp(-(p+q)t)), 0 before launch."""
    t = np.maximum(np.asarray(t, dtype=float), 0)
    return (1 - np.exp(-(p + q) * t)) / (1 + q / p * np.exp(-(p + q) * t))


def bass_new(p, q, m, n):
    """Expected new adopters in periods 1..n: m (F(k) - F(k-1))."""
    k = np.arange(1, n + 1)
    return m * (bass_F(k, p, q) - bass_F(k - 1, p, q))


def logistic_N(t, r, t0, m):
    return m / (1 + np.exp(-r * (np.asarray(t, dtype=float) - t0)))


def periods_until(share, p, q):
    """The first whole period by whose end ``share`` of the market has adopted."""
    k = 1
    while bass_F(k, p, q) < share:
        k += 1
    return k


@contextlib.contextmanager
def quiet():
    """Recovery must converge without a warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        yield


def close(got: dict, want: dict, rel: float = 0.01) -> None:
    for k, v in want.items():
        assert got[k] == pytest.approx(v, rel=rel), (k, got, want)


# --------------------------------------------------------------------------- curves


def test_bass_share_matches_hand_values():
    # p = q = 0.5: F(1) = (1 - e^-1) / (1 + e^-1) = tanh(1/2)
    assert diffusion.bass_share(1, 0.5, 0.5) == pytest.approx(math.tanh(0.5), rel=1e-12)
    # q = 0: pure innovation, F = 1 - e^{-pt}
    assert diffusion.bass_share(3, 0.1, 0.0) == pytest.approx(1 - math.exp(-0.3), rel=1e-12)
    # before launch nothing has happened
    assert diffusion.bass_share(-2, 0.03, 0.38) == 0
    assert diffusion.logistic_share(7, 0.4, 7) == pytest.approx(0.5)


# --------------------------------------------------------------------------- Bass


def monthly(values, start="2024-01"):
    return pd.Series(values, index=pd.period_range(start, periods=len(values), freq="M"))


@pytest.mark.parametrize(
    ("p", "q", "m", "n", "index"),
    [
        (0.03, 0.38, 10_000, 30, "period"),
        (0.01, 0.5, 2e6, 30, "int"),
        (0.002, 0.08, 5e5, 120, "dates"),      # slow monthly diffusion, 10 years
        (0.1, 0.05, 1_000, 40, "int"),         # innovation outweighs imitation
        (0.03, 0.38, 10_000, 5, "period"),     # early: a third adopted
        (0.002, 0.08, 5e5, 36, "period"),      # early: 30% adopted
    ],
)
def test_bass_recovers_noise_free_curves_within_1_percent(p, q, m, n, index):
    y = bass_new(p, q, m, n)
    if index == "period":
        s = monthly(y)
    elif index == "dates":
        s = pd.Series(y, index=pd.date_range("2015-01-01", periods=n, freq="MS"))
    else:
        s = pd.Series(y, index=np.arange(1, n + 1))
    with quiet():
        model = diffusion.Bass(bootstrap=0).fit(s)
    close(model.params_, {"p": p, "q": q, "m": m})
    assert list(model.params_) == ["p", "q", "m"]
    assert model.n_periods_ == n and model.index_.equals(s.index)
    assert model.rmse_ < 1e-6 * y.max()
    assert model.sse_ == pytest.approx(model.rmse_**2 * n)


def test_early_curve_really_is_early():
    # the early cases above stop when a third / 30% of the market has adopted
    assert 0.3 <= bass_F(periods_until(0.3, 0.002, 0.08), 0.002, 0.08) < 0.33
    assert periods_until(0.3, 0.002, 0.08) == 36
    assert bass_F(5, 0.03, 0.38) == pytest.approx(0.331, abs=1e-3)


def coverage(p, q, m, n, seeds=20, bootstrap=200):
    """How often the 95% bootstrap interval holds the truth, per parameter, and the
    median width of the interval of m relative to m."""
    mu = bass_new(p, q, m, n)
    hits = np.zeros(3, dtype=int)
    widths = []
    for seed in range(seeds):
        y = monthly(np.random.default_rng(1000 + seed).poisson(mu).astype(float))
        iv = diffusion.Bass(bootstrap=bootstrap, seed=seed).fit(y).intervals_
        truth = np.array([p, q, m])
        hits += (iv["low"].to_numpy() <= truth) & (truth <= iv["high"].to_numpy())
        widths.append((iv.loc["m", "high"] - iv.loc["m", "low"]) / m)
    return dict(zip("pqm", hits.tolist(), strict=True)), float(np.median(widths))


def test_bootstrap_intervals_cover_the_truth_under_poisson_noise():
    # Seen when written (20 fits of 200 replicates each, about 3 s): the whole curve
    # (30 periods) held the truth 20/20, 20/20, 17/20 times for p, q, m (m's interval
    # about 4% of m wide); its first 36 months only (30% adopted) 15/20, 18/20, 16/20
    # (m's interval about 13% of m wide). Over 200 such curves the rates were about
    # 93% (whole) and 90% (early), so 15 of 20 is the floor of a working interval.
    full, full_width = coverage(0.03, 0.38, 10_000, 30)
    early, early_width = coverage(0.002, 0.08, 5e5, 36)
    for name, hits in (("whole curve", full), ("early curve", early)):
        assert min(hits.values()) >= 15, f"{name}: truth inside the 95% interval {hits} of 20"
    assert early_width > 2 * full_width, (early_width, full_width)


def test_early_interval_is_wider_than_the_whole_curves():
    p, q, m = 0.002, 0.08, 5e5
    y = monthly(np.random.default_rng(7).poisson(bass_new(p, q, m, 120)).astype(float))
    whole = diffusion.Bass(bootstrap=100, seed=1).fit(y).intervals_
    early = diffusion.Bass(bootstrap=100, seed=1).fit(y.iloc[:36]).intervals_
    span = (early["high"] - early["low"]) / (whole["high"] - whole["low"])
    assert span["m"] > 5 and span["p"] > 2 and span["q"] > 2, span


def test_asymptotic_intervals_when_bootstrap_is_off():
    p, q, m = 0.03, 0.38, 10_000
    y = monthly(np.random.default_rng(3).poisson(bass_new(p, q, m, 30)).astype(float))
    model = diffusion.Bass(bootstrap=0).fit(y)
    iv = model.intervals_
    assert model.interval_method_ == "asymptotic" and model.bootstrap_.empty
    assert list(iv.columns) == ["estimate", "low", "high"]
    assert list(iv.index) == ["p", "q", "m"]
    # symmetric around the estimate, and holds the truth here
    np.testing.assert_allclose(iv["high"] - iv["estimate"], iv["estimate"] - iv["low"])
    assert ((iv["low"] <= [p, q, m]) & ([p, q, m] <= iv["high"])).all()
    assert (iv["estimate"] == pd.Series(model.params_)).all()
    narrow = diffusion.Bass(bootstrap=0, level=0.5).fit(y).intervals_
    assert ((narrow["high"] - narrow["low"]) < (iv["high"] - iv["low"])).all()


def test_bootstrap_is_deterministic_with_a_seed():
    y = monthly(np.random.default_rng(5).poisson(bass_new(0.03, 0.38, 10_000, 24)))
    a = diffusion.Bass(bootstrap=50, seed=11).fit(y)
    b = diffusion.Bass(bootstrap=50, seed=11).fit(y)
    c = diffusion.Bass(bootstrap=50, seed=12).fit(y)
    assert a.interval_method_ == "bootstrap" and a.bootstrap_.shape == (50, 3)
    pd.testing.assert_frame_equal(a.intervals_, b.intervals_)
    pd.testing.assert_frame_equal(a.bootstrap_, b.bootstrap_)
    assert not a.bootstrap_.equals(c.bootstrap_)
    assert a.params_ == c.params_  # the estimate itself has no randomness


def test_noise_free_bootstrap_has_nothing_to_resample():
    model = diffusion.Bass(bootstrap=20).fit(monthly(bass_new(0.03, 0.38, 10_000, 24)))
    iv = model.intervals_
    np.testing.assert_allclose(iv["low"], iv["estimate"], rtol=1e-6)
    np.testing.assert_allclose(iv["high"], iv["estimate"], rtol=1e-6)


def test_vectorised_bootstrap_refits_find_the_least_squares_minimum():
    from scipy.optimize import least_squares

    p, q, m, n = 0.03, 0.38, 10_000, 20
    mu = bass_new(p, q, m, n)
    rng = np.random.default_rng(2)
    model = diffusion.Bass(bootstrap=0).fit(pd.Series(rng.poisson(mu).astype(float)))
    rows = rng.poisson(mu, size=(6, n)) / m  # sizes in units of m, as the fit uses them
    start = np.array([p, q, 1.0])
    bounds = (np.array([1e-6, 0, 0]), np.array([1, 10, 100]))
    got, settled = model._refit_many(rows, start, bounds)
    assert settled.all()
    k = np.arange(1, n + 1)
    for row, est in zip(rows, got, strict=True):
        def resid(th, row=row):
            return th[2] * (bass_F(k, th[0], th[1]) - bass_F(k - 1, th[0], th[1])) - row
        want = least_squares(resid, start, bounds=bounds, xtol=1e-14, ftol=1e-14).x
        np.testing.assert_allclose(est, want, rtol=1e-5)


def test_warns_when_the_data_hold_only_the_start_of_the_curve():
    # 12 flat months: any large enough market fits them (p and q tiny, m huge)
    with pytest.warns(RuntimeWarning, match="cover only"):
        diffusion.Bass(bootstrap=0).fit(monthly([10.0] * 12))


def test_predict_and_cumulative_continue_the_index():
    p, q, m = 0.03, 0.38, 10_000
    model = diffusion.Bass(bootstrap=0).fit(monthly(bass_new(p, q, m, 24)))
    fitted = model.predict()
    assert fitted.name == "new_adopters" and len(fitted) == 24
    ahead = model.predict(30)
    assert ahead.index[-1] == pd.Period("2026-06", "M")
    np.testing.assert_allclose(ahead.to_numpy(), bass_new(p, q, m, 30), rtol=1e-6)
    total = model.cumulative(30)
    assert total.name == "cumulative_adopters" and total.index.equals(ahead.index)
    np.testing.assert_allclose(total.to_numpy(), m * bass_F(np.arange(1, 31), p, q),
                               rtol=1e-6)
    np.testing.assert_allclose(total.to_numpy(), ahead.cumsum().to_numpy(), rtol=1e-9)


@pytest.mark.parametrize(
    ("index", "last"),
    [
        (pd.date_range("2024-01-01", periods=12, freq="MS"), pd.Timestamp("2025-03-01")),
        (pd.date_range("2024-01-07", periods=12, freq="W-SUN"), pd.Timestamp("2024-04-14")),
        (pd.RangeIndex(12), 14),
        (pd.Index(np.arange(2010, 2034, 2)), 2038),  # every other year
    ],
)
def test_future_periods_follow_the_data_frequency(index, last):
    model = diffusion.Bass(bootstrap=0).fit(pd.Series(bass_new(0.03, 0.38, 1_000, 12),
                                                      index=index))
    assert model.predict(15).index[-1] == last


def test_peak_of_new_adopters():
    p, q, m = 0.03, 0.38, 10_000
    model = diffusion.Bass(bootstrap=0).fit(monthly(bass_new(p, q, m, 24)))
    t_star = math.log(q / p) / (p + q)  # 6.19: in the 7th month
    assert model.peak_.t == pytest.approx(t_star, rel=1e-6)
    assert model.peak_.when == pd.Period("2024-07", "M")
    assert model.peak_.share == pytest.approx(0.5 - p / (2 * q), rel=1e-6)
    assert model.peak_.adopters == pytest.approx(bass_new(p, q, m, 7)[-1], rel=1e-6)
    # innovation stronger than imitation: the peak is at launch
    early = diffusion.Bass(bootstrap=0).fit(monthly(bass_new(0.1, 0.05, 1_000, 30)))
    assert early.peak_.t == 0 and early.peak_.when == pd.Period("2024-01", "M")


# --------------------------------------------------------------------------- logistic


@pytest.mark.parametrize(
    ("r", "t0", "m", "n"),
    [(0.4, 12, 5_000, 30), (0.1, 60, 1e6, 120), (0.5, -2, 300, 20), (0.2, 30, 1e4, 25)],
)
def test_logistic_recovers_noise_free_curves_within_1_percent(r, t0, m, n):
    total = logistic_N(np.arange(1, n + 1), r, t0, m)
    s = pd.Series(np.diff(total, prepend=0.0), index=np.arange(1, n + 1))
    with quiet():
        model = diffusion.Logistic(bootstrap=0).fit(s)
    close(model.params_, {"r": r, "t0": t0, "m": m})
    assert model.peak_.t == pytest.approx(max(t0, 0), abs=1e-6)
    np.testing.assert_allclose(model.cumulative().to_numpy(), total, rtol=1e-6)


def test_logistic_with_noise_lands_near_the_truth():
    r, t0, m = 0.3, 20, 20_000
    total = logistic_N(np.arange(1, 41), r, t0, m)
    y = np.random.default_rng(0).poisson(np.diff(total, prepend=0.0)).astype(float)
    model = diffusion.Logistic(bootstrap=100, seed=0).fit(monthly(y))
    close(model.params_, {"r": r, "t0": t0, "m": m}, rel=0.05)
    iv = model.intervals_
    assert ((iv["low"] <= [r, t0, m]) & ([r, t0, m] <= iv["high"])).all()


# --------------------------------------------------------------------------- stages


def bass_model(p, q, n, m=1_000, index=None):
    s = pd.Series(bass_new(p, q, m, n), index=np.arange(1, n + 1) if index is None else index)
    return diffusion.Bass(bootstrap=0).fit(s)


def test_stage_rule_on_a_bass_curve():
    p, q = 0.03, 0.38
    takeoff = (math.log(q / p) - math.log(2 + math.sqrt(3))) / (p + q)  # 2.98
    peak = math.log(q / p) / (p + q)  # 6.19
    assert 2 < takeoff < 3 and 6 < peak < 7
    assert bass_F(2, p, q) < 0.16 and bass_F(10, p, q) < 0.84 <= bass_F(11, p, q)
    want = ["introduction"] * 2 + ["growth"] * 4 + ["maturity"] * 4 + ["decline"] * 20
    model = bass_model(p, q, 30)
    got = [diffusion.stage(model, when=k) for k in range(1, 31)]
    assert got == want
    table = diffusion.stages(model)
    assert table["stage"].astype(str).tolist() == want
    assert list(table["stage"].cat.categories) == diffusion.STAGES
    assert table["stage"].cat.ordered
    assert list(table.columns) == ["t", "new_adopters", "cumulative", "share", "stage"]
    np.testing.assert_allclose(table["share"], bass_F(np.arange(1, 31), p, q), rtol=1e-6)


def test_introduction_ends_at_16_percent_on_a_logistic_curve():
    # logistic take-off (t0 - ln(2 + sqrt 3) / r = 8.7) comes after 16% (t = 7.85),
    # so the 16% rule ends introduction; 84% is reached at t = 16.15
    r, t0 = 0.4, 12
    total = logistic_N(np.arange(1, 31), r, t0, 5_000)
    model = diffusion.Logistic(bootstrap=0).fit(pd.Series(np.diff(total, prepend=0.0),
                                                          index=np.arange(1, 31)))
    got = [diffusion.stage(model, when=k) for k in (7, 8, 11, 12, 16, 17)]
    assert got == ["introduction", "growth", "growth", "maturity", "maturity", "decline"]


def test_no_introduction_when_innovation_outweighs_imitation():
    p, q = 0.1, 0.05  # new adopters fall from launch on
    model = bass_model(p, q, 40)
    last_mature = max(k for k in range(1, 41) if bass_F(k, p, q) < 0.84)
    assert diffusion.stage(model, when=1) == "maturity"
    assert diffusion.stage(model, when=last_mature) == "maturity"
    assert diffusion.stage(model, when=last_mature + 1) == "decline"


def test_stage_at_default_and_in_the_future():
    index = pd.period_range("2024-01", periods=5, freq="M")
    model = bass_model(0.03, 0.38, 5, index=index)  # fitted on 5 months: growth
    assert model.stage_ == "growth" == diffusion.stage(model)
    assert diffusion.stage(model, when="2024-02") == "introduction"
    assert diffusion.stage(model, when=pd.Period("2024-09", "M")) == "maturity"
    assert diffusion.stage(model, when="2025-06") == "decline"  # ahead of the data
    assert len(diffusion.stages(model, horizon=18)) == 18


def test_rogers_shares():
    assert sum(diffusion.ROGERS.values()) == pytest.approx(1)
    assert list(diffusion.ROGERS.values()) == [0.025, 0.135, 0.34, 0.34, 0.16]


# --------------------------------------------------------------------------- Norton-Bass


def generations(p, q, m1, m2, launch, n):
    """Norton & Bass (1987): users of each generation at the end of periods 1..n, the
    second launched in period ``launch`` (tau2 = launch - 1)."""
    t = np.arange(1, n + 1)
    f1, f2 = bass_F(t, p, q), bass_F(t - (launch - 1), p, q)
    return m1 * f1 * (1 - f2), f2 * (m2 + m1 * f1)


@pytest.mark.parametrize(
    ("p", "q", "m1", "m2", "launch", "n"),
    [
        (0.02, 0.3, 5_000, 8_000, 15, 40),
        (0.01, 0.2, 1e5, 2e5, 30, 60),
        (0.03, 0.5, 1_000, 500, 10, 30),     # the second generation's own market is smaller
        (0.005, 0.1, 2e6, 3e6, 40, 100),
    ],
)
def test_norton_bass_recovers_noise_free_generations(p, q, m1, m2, launch, n):
    one, two = generations(p, q, m1, m2, launch, n)
    index = pd.period_range("2015-01", periods=n, freq="M")
    with quiet():
        model = diffusion.NortonBass(bootstrap=0).fit(pd.Series(one, index),
                                                      pd.Series(two, index))
    close(model.params_, {"p": p, "q": q, "m1": m1, "m2": m2})
    assert model.launch_ == index[launch - 1]
    out = model.predict()
    assert list(out.columns) == ["first", "second"]
    np.testing.assert_allclose(out["first"], one, rtol=1e-6, atol=1e-6 * m1)
    np.testing.assert_allclose(out["second"], two, rtol=1e-6, atol=1e-6 * m1)


def test_norton_bass_launch_from_a_shorter_second_series_or_given():
    one, two = generations(0.02, 0.3, 5_000, 8_000, 15, 40)
    first = pd.Series(one)  # periods 0..39, launch in the 15th: label 14
    tail = diffusion.NortonBass(bootstrap=0).fit(first, pd.Series(two).iloc[14:])
    given = diffusion.NortonBass(bootstrap=0).fit(first, pd.Series(two), launch=14)
    assert tail.launch_ == given.launch_ == 14
    close(tail.params_, given.params_, rel=1e-6)


def test_norton_bass_decomposition_adds_up():
    p, q, m1, m2 = 0.02, 0.3, 5_000, 8_000
    one, two = generations(p, q, m1, m2, 15, 40)
    model = diffusion.NortonBass(bootstrap=0).fit(pd.Series(one), pd.Series(two))
    parts = model.decompose(50)
    t = np.arange(1, 51)
    np.testing.assert_allclose(parts["first_without_second"], m1 * bass_F(t, p, q), rtol=1e-6)
    np.testing.assert_allclose(parts["first"], parts["first_without_second"]
                               - parts["cannibalised"], rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(parts["second"], parts["second_own"] + parts["cannibalised"],
                               rtol=1e-9)
    assert (parts["second"].iloc[:14] == 0).all()


def test_norton_bass_with_noise():
    p, q, m1, m2 = 0.01, 0.2, 1e5, 2e5
    one, two = generations(p, q, m1, m2, 30, 60)
    rng = np.random.default_rng(0)
    model = diffusion.NortonBass(bootstrap=100, seed=0).fit(
        pd.Series(rng.poisson(one).astype(float)), pd.Series(rng.poisson(two).astype(float)))
    close(model.params_, {"p": p, "q": q, "m1": m1, "m2": m2}, rel=0.02)
    iv = model.intervals_
    assert list(iv.index) == ["p", "q", "m1", "m2"]
    assert ((iv["low"] <= [p, q, m1, m2]) & ([p, q, m1, m2] <= iv["high"])).all()


# --------------------------------------------------------------------------- misuse


@pytest.mark.parametrize("cls", [diffusion.Bass, diffusion.Logistic, diffusion.NortonBass])
def test_predict_before_fit_says_fit_first(cls):
    with pytest.raises(CourseError, match=r"not fitted yet.*fit"):
        cls().predict()


def test_stage_needs_a_fitted_single_curve():
    with pytest.raises(CourseError, match="not fitted"):
        diffusion.stage(diffusion.Bass())
    with pytest.raises(ArgumentError) as err:
        diffusion.stages("Bass")
    assert err.value.name == "model"


GOOD = bass_new(0.03, 0.38, 1_000, 8)


def months(values):
    return monthly(list(values))


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (pd.Series([], dtype=float), "empty"),
        (months([5, -1, 8, 9]), "negative"),
        (months([5, np.nan, 8, 9]), "missing"),
        (months([5, np.inf, 8, 9]), "infinite"),
        (months(["5", "x", "8", "9"]), "expected numbers"),
        (months([True, False, True, True]), "expected numbers"),
        (months([5, 7, 8]), "too few periods"),
        (months([0, 0, 0, 0]), "no adopters"),
        (pd.DataFrame({"n": GOOD}), "expected a pandas Series"),
        (GOOD.tolist(), "expected a pandas Series"),
        (pd.Series(GOOD, index=pd.period_range("2024-01", periods=8, freq="M")[::-1]),
         "out of order"),
        (pd.Series(GOOD, index=[1, 2, 3, 3, 4, 5, 6, 7]), "repeated periods"),
        (pd.Series(GOOD, index=pd.PeriodIndex(["2024-01", "2024-02", "2024-03", "2024-05",
                                               "2024-06", "2024-07", "2024-08", "2024-09"],
                                              freq="M")), "missing periods"),
        (pd.Series(GOOD, index=pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01",
                                               "2024-05-01", "2024-06-01", "2024-07-01",
                                               "2024-08-01", "2024-09-01"])),
         "missing periods"),
        (pd.Series(GOOD, index=[1, 2, 3, 5, 6, 7, 8, 9]), "missing periods"),
        (pd.Series(GOOD, index=np.arange(8) + 0.5), "the index must hold the periods"),
        (pd.Series(GOOD, index=list("abcdefgh")), "the index must hold the periods"),
    ],
)
def test_bad_input_raises_data_error_naming_the_problem(data, says):
    for cls in (diffusion.Bass, diffusion.Logistic):
        with pytest.raises(DataError) as err:
            cls(bootstrap=0).fit(data, table="sign_ups")
        assert err.value.table == "sign_ups"
        assert says in str(err.value)
        assert err.value.fix


def test_bad_rows_are_shown():
    with pytest.raises(DataError) as err:
        diffusion.Bass().fit(months([5, 6, -3, 9, 10]).rename("new_users"))
    assert err.value.column == "new_users"
    assert err.value.rows.index.tolist() == [pd.Period("2024-03", "M")]
    assert err.value.table == "new_adopters"  # the default name


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"bootstrap": 5}, "bootstrap"),
        ({"bootstrap": -1}, "bootstrap"),
        ({"bootstrap": 1.5}, "bootstrap"),
        ({"seed": -1}, "seed"),
        ({"seed": "0"}, "seed"),
        ({"level": 1.5}, "level"),
        ({"level": 0}, "level"),
    ],
)
def test_bad_arguments(kwargs, name):
    with pytest.raises(ArgumentError) as err:
        diffusion.Bass(**kwargs)
    assert err.value.name == name


def test_bad_horizon_and_period():
    model = diffusion.Bass(bootstrap=0).fit(months(GOOD))
    for horizon in (0, 2.5, "12", True):
        with pytest.raises(ArgumentError) as err:
            model.predict(horizon)
        assert err.value.name == "horizon"
    for when in ("2023-12", "soon", 3.5):
        with pytest.raises(ArgumentError) as err:
            diffusion.stage(model, when=when)
        assert err.value.name == "when"


def test_norton_bass_bad_input():
    one, two = generations(0.02, 0.3, 5_000, 8_000, 15, 40)
    first, second = pd.Series(one), pd.Series(two)
    with pytest.raises(DataError, match="the periods of second_generation"):
        diffusion.NortonBass().fit(first, second.iloc[10:30])
    with pytest.raises(DataError, match="above 0 before its launch"):
        diffusion.NortonBass().fit(first, second, launch=20)
    late = pd.Series(np.where(np.arange(40) >= 37, two, 0.0))  # launched in the 38th
    with pytest.raises(DataError, match="too few periods of the second generation: 3"):
        diffusion.NortonBass().fit(first, late)
    with pytest.raises(DataError, match="negative"):
        diffusion.NortonBass().fit(first, -second)
    with pytest.raises(DataError, match="no adopters"):
        diffusion.NortonBass().fit(first, second * 0)
    with pytest.raises(ArgumentError) as err:
        diffusion.NortonBass().fit(first, second, launch=99)
    assert err.value.name == "launch"


def test_norton_bass_intervals_hold_the_truth_when_levels_carry_their_errors():
    """Users of a generation are last period's plus the period's change, so errors add up
    (a random walk); the bootstrap on the changes keeps its intervals honest (the
    period-by-period wild bootstrap held the truth 1-3 times in 20 on these curves)."""
    t = np.arange(1, 121)
    p, q, m1, m2 = 0.0015, 0.05, 1.8e6, 1.2e6
    f1, f2 = diffusion.bass_share(t, p, q), diffusion.bass_share(t - 60, p, q)
    s1, s2 = m1 * f1 * (1 - f2), f2 * (m2 + m1 * f1)
    truth = dict(p=p, q=q, m1=m1, m2=m2)
    held = dict.fromkeys(truth, 0)
    for seed in range(20):
        g = np.random.default_rng(seed)
        first = pd.Series(np.maximum(s1 + np.cumsum(g.normal(0, 3000, 120)), 0), index=t)
        second = pd.Series(np.where(t >= 61, np.maximum(s2 + np.cumsum(g.normal(0, 3000, 120)),
                                                        0), 0.0), index=t)
        iv = diffusion.NortonBass(seed=0).fit(first, second, launch=61).intervals_
        for k, v in truth.items():
            held[k] += bool(iv.loc[k, "low"] <= v <= iv.loc[k, "high"])
    assert all(n >= 15 for n in held.values()), held
