"""BG/NBD and Gamma-Gamma (coursekit.clv): the published CDNOW results, forecasts,
recovery of known parameters, and a DataError for every bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from helpers import named
from scipy.special import hyp2f1

import coursekit
from coursekit import clv
from coursekit.errors import ArgumentError, CourseError, DataError
from coursekit.world import generate_world

CAL_END, OBS_END = "1997-10-01", "1998-07-01"  # exclusive: 39 weeks each
PUBLISHED_BGNBD = dict(r=0.243, alpha=4.414, a=0.793, b=2.426)
PUBLISHED_LL = -9582.4
PUBLISHED_GG = dict(p=6.25, q=3.74, v=15.44)


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    """The CDNOW sample's customer-base summary: 39 weeks of calibration, 39 of hold-out."""
    log = coursekit.load("cdnow_sample")
    return clv.summary(log, customer="customer_id", at="order_date", asof=CAL_END,
                       holdout_end=OBS_END, per="W")


@pytest.fixture(scope="module")
def bg(cdnow) -> clv.BetaGeo:
    return clv.BetaGeo().fit(cdnow)


@pytest.fixture(scope="module")
def gg(cdnow) -> clv.GammaGamma:
    return clv.GammaGamma().fit(cdnow)


def _compare(fitted, truth) -> tuple[dict, str]:
    rel = {k: fitted[k] / truth[k] - 1 for k in truth}
    table = "\n".join(
        f"  {k:>8}: fitted {fitted[k]:10.4f}  reference {truth[k]:10.4f}  ({rel[k]:+.1%})"
        for k in truth
    )
    return rel, table


# --------------------------------------------------------------------------- CDNOW


def test_cdnow_summary(cdnow):
    """2,357 customers, all with a first purchase in 1997 Q1; T in weeks = days / 7."""
    assert len(cdnow) == 2357
    # A customer who first bought on 1 January: T = 272 days to 30 September.
    assert cdnow["T"].max() == pytest.approx(272 / 7)
    last_day = pd.Timestamp("1997-09-30")  # the day before asof
    assert cdnow["T"].min() == pytest.approx((last_day - pd.Timestamp("1997-03-25")).days / 7)
    assert (cdnow["duration_holdout"] == 39).all()
    # Fractional weeks, not whole ones (DESIGN.md: whole weeks move r from 0.243).
    assert (cdnow["T"] % 1 != 0).any()
    assert int(cdnow["frequency"].sum()) == 2457
    assert int((cdnow["frequency"] > 0).sum()) == 946
    assert int(cdnow["frequency_holdout"].sum()) == 1882


def test_bgnbd_reproduces_the_published_cdnow_estimates(bg):
    """Fader, Hardie & Lee (2005a), CDNOW sample, 39-week calibration, weeks = days / 7,
    same-day purchases counted once: r = 0.243, alpha = 4.414, a = 0.793, b = 2.426,
    log-likelihood -9582.4."""
    rel, table = _compare(bg.params_, PUBLISHED_BGNBD)
    assert all(abs(v) < 0.01 for v in rel.values()), "BG/NBD on CDNOW:\n" + table
    assert bg.log_likelihood_ == pytest.approx(PUBLISHED_LL, abs=0.1)
    assert bg.n_customers_ == 2357


def test_gamma_gamma_reproduces_the_published_cdnow_estimates(gg):
    """Fader, Hardie & Lee (2005b) report p = 6.25, q = 3.74, v = 15.44 for the CDNOW sample.

    What reproduces them: the same 39-week calibration summary as the BG/NBD, the
    946 customers with at least one repeat purchase, and as monetary value the mean
    dollar value of the customer's repeat purchase *days* (purchases on one day summed,
    the first purchase day left out). Fitted: p = 6.2496, q = 3.7442, v = 15.4435.
    Two conventions that do not reproduce them: averaging individual repeat transactions
    (not merged by day; 177 customer-days have several) gives p = 6.20, q = 3.82,
    v = 15.59; including the first purchase day in the mean gives p = 14.3, q = 3.95,
    v = 7.29.
    """
    rel, table = _compare(gg.params_, PUBLISHED_GG)
    assert all(abs(v) < 0.01 for v in rel.values()), "Gamma-Gamma on CDNOW:\n" + table
    assert gg.n_customers_ == 946


def test_holdout_forecast_against_actual_purchases(bg, cdnow):
    """Forecast of the 39-week hold-out (1997-10-01 to 1998-06-30) against what happened.

    Sum over customers of E[Y(39) | x, t_x, T]: 1,653.4 repeat purchases; actual: 1,882
    purchase days. The model forecasts about 12% too few on this hold-out (the CDNOW
    customers bought more than the model expects, in particular those with one to six
    calibration purchases), while the unconditional cumulative forecast at week 78
    (calibration plus hold-out, the paper's tracking plot) is within about 4% of the
    actual 4,339.
    """
    forecast = bg.conditional_expected_purchases(39, cdnow)
    predicted, actual = forecast.sum(), int(cdnow["frequency_holdout"].sum())
    T = cdnow["T"].to_numpy()
    cumulative_model = bg.expected_purchases(T + 39).sum()
    cumulative_actual = cdnow["frequency"].sum() + actual
    msg = (
        f"hold-out repeat purchases: forecast {predicted:.1f}, actual {actual} "
        f"({predicted / actual - 1:+.1%}); cumulative at week 78: model "
        f"{cumulative_model:.1f}, actual {cumulative_actual} "
        f"({cumulative_model / cumulative_actual - 1:+.1%})"
    )
    assert predicted == pytest.approx(1653.4, abs=0.5), msg
    assert abs(predicted / actual - 1) < 0.15, msg
    assert abs(cumulative_model / cumulative_actual - 1) < 0.05, msg
    # Customer by customer, the forecast ranks the hold-out purchases well.
    rho = pd.Series(forecast).corr(cdnow["frequency_holdout"], method="spearman")
    assert rho > 0.4, msg


def test_conditional_expectation_is_the_papers_equation_10(bg, cdnow):
    """The Euler-transformed hypergeometric term equals eq. 10 evaluated as printed."""
    r, alpha, a, b = bg.params_.values()
    x = cdnow["frequency"].to_numpy(dtype=float)
    tx, T = cdnow["recency"].to_numpy(), cdnow["T"].to_numpy()
    t = 39.0
    num = (a + b + x - 1) / (a - 1) * (
        1 - ((alpha + T) / (alpha + T + t)) ** (r + x)
        * hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + T + t))
    )
    den = 1 + (x > 0) * a / (b + np.maximum(x, 1) - 1) * ((alpha + T) / (alpha + tx)) ** (r + x)
    ours = bg.conditional_expected_purchases(t, cdnow).to_numpy()
    np.testing.assert_allclose(ours, num / den, rtol=1e-9)
    np.testing.assert_allclose(bg.probability_alive(cdnow).to_numpy(), 1 / den, rtol=1e-12)


def test_predictions_behave(bg, cdnow):
    # A customer who just made a first purchase is a new customer: eq. 10 reduces to eq. 9.
    new = pd.DataFrame({"frequency": [0], "recency": [0.0], "T": [0.0]})
    for t in (1.0, 13.0, 52.0, 520.0):
        assert bg.conditional_expected_purchases(t, new).iloc[0] == pytest.approx(
            bg.expected_purchases(t), rel=1e-12
        )
    assert bg.expected_purchases(0) == 0.0
    assert (bg.conditional_expected_purchases(0, cdnow) == 0).all()
    e13 = bg.conditional_expected_purchases(13, cdnow)
    e52 = bg.conditional_expected_purchases(52, cdnow)
    assert (e52 >= e13).all() and (e13 >= 0).all()
    alive = bg.probability_alive(cdnow)
    assert alive.between(0, 1).all()
    assert (alive[cdnow["frequency"] == 0] == 1).all()
    # The same history, but the last purchase long ago: less likely alive.
    recent = pd.DataFrame({"frequency": [5, 5], "recency": [38.0, 10.0], "T": [38.5, 38.5]})
    p = bg.probability_alive(recent)
    assert p.iloc[0] > 0.8 > 0.2 > p.iloc[1]


def test_heavy_buyers_do_not_overflow(bg):
    heavy = pd.DataFrame({
        "frequency": [400, 2000, 2000, 150],
        "recency": [500.0, 1000.0, 3.0, 0.5],
        "T": [520.0, 1000.0, 1000.0, 1000.0],
    })
    for t in (1.0, 52.0, 5200.0):
        e = bg.conditional_expected_purchases(t, heavy)
        assert np.isfinite(e).all() and (e >= 0).all(), e
    p = bg.probability_alive(heavy)
    assert np.isfinite(p).all() and p.iloc[1] > 0.99 and p.iloc[2] < 1e-6


def test_params_are_a_mapping_and_a_series(bg, gg):
    assert bg.params_["r"] == bg.params_.r
    assert list(bg.params_) == ["r", "alpha", "a", "b"]
    s = bg.params_.to_series()
    assert list(s.index) == ["r", "alpha", "a", "b"] and s.dtype == "float64"
    assert pd.Series(gg.params_).index.tolist() == ["p", "q", "v"]
    with pytest.raises(KeyError):
        bg.params_["gamma"]
    with pytest.raises(AttributeError):
        bg.params_.r = 1.0  # frozen
    assert repr(bg).startswith("BetaGeo(r=0.24")


def test_customer_lifetime_value(bg, gg, cdnow):
    clv12 = gg.customer_lifetime_value(bg, cdnow, per="W", months=12, discount_rate=0.01,
                                       margin=0.3)
    assert clv12.name == "clv" and clv12.index.equals(cdnow.index)
    # By hand for the first customers: monthly increments of eq. 10, discounted at month end.
    month = clv.DAYS_PER_MONTH / 7
    head = cdnow.head(5)
    cum = np.array([bg.conditional_expected_purchases(i * month, head).to_numpy()
                    for i in range(13)])
    by_hand = 0.3 * gg.conditional_expected_average_profit(head).to_numpy() * (
        np.diff(cum, axis=0) / 1.01 ** np.arange(1, 13)[:, None]
    ).sum(axis=0)
    np.testing.assert_allclose(clv12.head(5).to_numpy(), by_hand, rtol=1e-12)
    # Without discounting it is the expected purchases times the expected spend.
    flat = gg.customer_lifetime_value(bg, cdnow, per="W", months=12, discount_rate=0.0)
    np.testing.assert_allclose(
        flat.to_numpy(),
        (bg.conditional_expected_purchases(12 * month, cdnow)
         * gg.conditional_expected_average_profit(cdnow)).to_numpy(),
        rtol=1e-10,
    )
    assert (clv12 <= flat * 0.3 + 1e-12).all()
    # The unit is stated, never guessed: a month is 4.35 weeks or 30.4 days.
    with pytest.raises(TypeError, match="per"):
        gg.customer_lifetime_value(bg, cdnow)
    with pytest.raises(ArgumentError) as info:
        gg.customer_lifetime_value(bg, cdnow, per="M")
    assert info.value.name == "per"
    # weeks read as days: a "month" becomes 30 weeks and every CLV is inflated
    as_days = gg.customer_lifetime_value(bg, cdnow, per="D")
    assert (as_days > gg.customer_lifetime_value(bg, cdnow, per="W")).all()
    for bad in (dict(months=0), dict(months=1.5), dict(months="12"), dict(discount_rate=-1.0),
                dict(margin=-0.1), dict(discount_rate=float("nan"))):
        with pytest.raises(ArgumentError):
            gg.customer_lifetime_value(bg, cdnow, per="W", **bad)
    with pytest.raises(ArgumentError, match="fitted BetaGeo"):
        gg.customer_lifetime_value("bg", cdnow, per="W")


# --------------------------------------------------------------------------- summary


def _log(**change) -> pd.DataFrame:
    base = pd.DataFrame({
        "user_id": ["a", "a", "a", "a", "b", "c", "b"],
        "order_time": pd.to_datetime([
            "2025-01-01 09:00", "2025-01-01 21:00", "2025-01-05 10:00", "2025-01-12 08:00",
            "2025-01-10 12:00", "2025-02-03 09:00", "2025-02-02 23:59",
        ]),
        "amount": [10.0, 6.0, 20.0, 30.0, 7.0, 1.0, 8.0],
    })
    return base.assign(**change)


def test_summary_by_hand():
    s = clv.summary(_log(), asof="2025-02-01", holdout_end="2025-02-11")
    assert list(s.index) == ["a", "b"]  # c first bought after the calibration end
    assert s.index.name == "user_id"
    a, b = s.loc["a"], s.loc["b"]
    # a: purchase days 1 Jan (two orders, one purchase), 5 Jan, 12 Jan.
    assert (a["frequency"], a["recency"], a["T"]) == (2, 11.0, 30.0)
    assert a["monetary_value"] == 25.0  # (20 + 30) / 2: the first day is not a repeat
    assert (b["frequency"], b["recency"], b["T"], b["monetary_value"]) == (0, 0.0, 21.0, 0.0)
    assert (b["frequency_holdout"], a["frequency_holdout"]) == (1, 0)
    assert (s["duration_holdout"] == 10.0).all()
    assert s["frequency"].dtype == "int64" and s["frequency_holdout"].dtype == "int64"
    weeks = clv.summary(_log(), asof="2025-02-01", per="W")
    np.testing.assert_allclose(weeks[["recency", "T"]].to_numpy(),
                               s[["recency", "T"]].to_numpy() / 7)
    # Default calibration end: the last purchase day; purchases after it are ignored.
    default = clv.summary(_log(), amount=None)
    assert "monetary_value" not in default
    assert default.loc["c", "T"] == 0 and default.loc["b", "frequency"] == 1


def test_summary_matches_a_plain_pandas_groupby():
    """The vectorised summary against a straightforward groupby, on the course's orders."""
    orders = coursekit.load("orders")
    cal, obs = pd.Timestamp("2025-06-30"), pd.Timestamp("2025-12-31")  # last days included
    ours = clv.summary(orders, asof="2025-07-01", holdout_end="2026-01-01")
    days = (orders.assign(day=orders["order_time"].dt.floor("D"))
            .groupby(["user_id", "day"], as_index=False)["amount"].sum())
    c = days[days["day"] <= cal]
    g = c.groupby("user_id").agg(n=("day", "size"), first=("day", "min"), last=("day", "max"),
                                 total=("amount", "sum"), first_amount=("amount", "first"))
    ref = pd.DataFrame({
        "frequency": g["n"] - 1,
        "recency": (g["last"] - g["first"]).dt.days.astype(float),
        "T": (cal - g["first"]).dt.days.astype(float),
        "monetary_value": ((g["total"] - g["first_amount"]) / (g["n"] - 1)).fillna(0.0),
    })
    hold = days[(days["day"] > cal) & (days["day"] <= obs)].groupby("user_id").size()
    ref["frequency_holdout"] = hold.reindex(ref.index, fill_value=0)
    assert ours.index.equals(ref.index)
    pd.testing.assert_frame_equal(ours.drop(columns="duration_holdout"), ref,
                                  check_dtype=False, check_names=False, atol=1e-9)


@pytest.mark.parametrize(
    ("kwargs", "column", "reason"),
    [
        (dict(asof="2025-01-01"), "asof", "no day before the first purchase"),
        (dict(asof="2025-02-01", holdout_end="2025-01-31"), "holdout_end", "before asof"),
        (dict(holdout_end="2025-03-01"), "asof", "without asof"),
        (dict(asof="end of January"), "asof", "cannot read"),
        (dict(per="M"), "per", "unknown time unit"),
        (dict(customer="customer_id"), ["customer_id"], "missing column"),
    ],
)
def test_summary_bad_arguments(kwargs, column, reason):
    with pytest.raises(CourseError) as info:
        clv.summary(_log(), **kwargs)
    assert named(info.value) == column and reason in info.value.reason
    assert info.value.fix


@pytest.mark.parametrize(
    ("change", "column", "reason"),
    [
        (dict(amount=[10.0, -6.0, 20.0, 30.0, 7.0, 1.0, 8.0]), "amount", "negative amounts"),
        (dict(order_time=["2025-01-01", "soon", "2025-01-05", "2025-01-12", "2025-01-10",
                          "2025-02-03", "2025-02-02"]), "order_time", "cannot be parsed"),
        (dict(user_id=["a", None, "a", "a", "b", "c", "b"]), "user_id", "missing ids"),
    ],
)
def test_summary_bad_transactions(change, column, reason):
    with pytest.raises(DataError) as info:
        clv.summary(_log(**change))
    assert info.value.table == "transactions" and info.value.column == column
    assert reason in info.value.reason


# --------------------------------------------------------------------------- bad summaries


def _summary(**change) -> pd.DataFrame:
    base = pd.DataFrame({
        "frequency": [2, 0, 1],
        "recency": [11.0, 0.0, 4.0],
        "T": [30.0, 21.0, 9.0],
        "monetary_value": [25.0, 0.0, 8.0],
    })
    return base.assign(**change)


BAD_SUMMARIES = [
    (dict(frequency=[2, -1, 1]), "frequency", "negative frequency"),
    (dict(frequency=[2.5, 0, 1]), "frequency", "whole number"),
    (dict(frequency=[2, np.nan, 1]), "frequency", "missing values"),
    (dict(recency=[11.0, 0.0, 10.0]), "recency", "larger than T"),
    (dict(recency=[11.0, 3.0, 4.0]), "recency", "frequency 0"),
    (dict(recency=[11.0, 0.0, -4.0]), "recency", "negative recency"),
    (dict(T=[30.0, np.nan, 9.0]), "T", "missing values"),
    (dict(T=[30.0, np.inf, 9.0]), "T", "infinite"),
    (dict(frequency=["2", "0", "1"]), "frequency", "expected numbers"),
]


@pytest.mark.parametrize(("change", "column", "reason"), BAD_SUMMARIES)
def test_bgnbd_refuses_bad_summaries(bg, change, column, reason):
    for call in (
        lambda s: clv.BetaGeo().fit(s),
        bg.probability_alive,
        lambda s: bg.conditional_expected_purchases(10, s),
    ):
        with pytest.raises(DataError) as info:
            call(_summary(**change))
        err = info.value
        assert (err.table, err.column) == ("summary", column), str(err)
        assert reason in err.reason and err.fix and err.rows is not None


def test_bgnbd_refuses_missing_columns_empty_tables_and_bad_arguments(bg):
    with pytest.raises(CourseError) as info:
        clv.BetaGeo().fit(_summary().drop(columns="T"))
    assert named(info.value) == ["T"]
    with pytest.raises(CourseError, match="empty"):
        clv.BetaGeo().fit(_summary().iloc[:0])
    with pytest.raises(CourseError, match="DataFrame"):
        clv.BetaGeo().fit([[1, 2, 3]])
    with pytest.raises(CourseError) as info:
        clv.BetaGeo().fit(_summary(), weights=[1, -1, 1])
    assert named(info.value) == "weights"
    for t in (-1, float("nan"), "a week"):
        with pytest.raises(CourseError) as info:
            bg.conditional_expected_purchases(t, _summary())
        assert named(info.value) == "t"
    with pytest.raises(CourseError):
        bg.expected_purchases([1.0, -2.0])


@pytest.mark.parametrize(
    ("change", "column", "reason"),
    [
        (dict(monetary_value=[25.0, 0.0, 0.0]), "monetary_value", "positive spend"),
        (dict(monetary_value=[25.0, 0.0, -8.0]), "monetary_value", "negative amounts"),
        (dict(monetary_value=[25.0, np.nan, 8.0]), "monetary_value", "missing values"),
        (dict(frequency=[2, -1, 1]), "frequency", "negative frequency"),
        (dict(frequency=[2, 0.5, 1]), "frequency", "whole number"),
        (dict(frequency=[0, 0, 0]), "frequency", "no customer with a repeat purchase"),
    ],
)
def test_gamma_gamma_refuses_bad_summaries(change, column, reason):
    with pytest.raises(DataError) as info:
        clv.GammaGamma().fit(_summary(**change))
    err = info.value
    assert (err.table, err.column) == ("summary", column), str(err)
    assert reason in err.reason and err.fix


def test_unfitted_models_say_so():
    with pytest.raises(CourseError, match=r"BetaGeo\(\)\.fit"):
        clv.BetaGeo().probability_alive(_summary())
    with pytest.raises(CourseError, match=r"GammaGamma\(\)\.fit"):
        clv.GammaGamma().conditional_expected_average_profit(_summary())
    assert repr(clv.BetaGeo()) == "BetaGeo()"


# --------------------------------------------------------------------------- recovery


def simulate_bgnbd(n, r, alpha, a, b, T, rng) -> pd.DataFrame:
    """frequency, recency, T of ``n`` customers drawn from the BG/NBD process.

    While alive, purchases form a Poisson process; dropout after the k-th repeat
    purchase with K ~ Geometric(p). Given N(T) = n purchases of the always-alive
    process, x = min(n, K) and t_x is the x-th of n uniform times: T * Beta(x, n - x + 1).
    """
    lam = rng.gamma(r, 1 / alpha, n)
    p = rng.beta(a, b, n)
    N = rng.poisson(lam * T)
    x = np.minimum(N, rng.geometric(p))
    tx = np.where(x > 0, T * rng.beta(np.maximum(x, 1), N - x + 1), 0.0)
    return pd.DataFrame({"frequency": x, "recency": tx, "T": T})


def test_recovers_parameters_of_simulated_bgnbd_and_gamma_gamma():
    """Fit on data drawn from the models themselves, with the company's truth parameters."""
    rng = np.random.default_rng(2026)
    truth = coursekit.data.truth()
    bt = {k: truth["bgnbd"][k] for k in ("r", "alpha", "a", "b")}
    s = simulate_bgnbd(30_000, **bt, T=rng.uniform(30, 730, 30_000), rng=rng)
    rel, table = _compare(clv.BetaGeo().fit(s).params_, bt)
    assert all(abs(v) < 0.10 for v in rel.values()), "BG/NBD on simulated data:\n" + table

    gt = dict(p=truth["gamma_gamma"]["p"], q=truth["gamma_gamma"]["q"],
              v=truth["gamma_gamma"]["gamma"])
    x = rng.integers(1, 15, 20_000)
    nu = rng.gamma(gt["q"], 1 / gt["v"], len(x))
    mean_value = rng.gamma(gt["p"] * x, 1 / (nu * x))  # mean of x Gamma(p, nu) values
    spend = pd.DataFrame({"frequency": x, "monetary_value": mean_value})
    rel, table = _compare(clv.GammaGamma().fit(spend).params_, gt)
    assert all(abs(v) < 0.10 for v in rel.values()), "Gamma-Gamma on simulated data:\n" + table


def _organic_fit(orders: pd.DataFrame, users: pd.DataFrame, truth: dict):
    """BG/NBD fitted on the organic customers' own orders (campaign orders left out),
    with a table of fitted against true values and the fitted summary."""
    organic = users.loc[users["channel"] == "organic", "user_id"]
    base = orders[orders["user_id"].isin(organic) & orders["campaign_id"].isna()]
    s = clv.summary(base, per="D")
    bt = {k: truth["bgnbd"][k] for k in ("r", "alpha", "a", "b")}
    assert truth["bgnbd"]["time_unit"] == "days"
    fit = clv.BetaGeo().fit(s).params_
    rel, table = _compare(fit, bt)
    derived = {
        "rate": (fit["r"] / fit["alpha"], bt["r"] / bt["alpha"]),
        "dropout": (fit["a"] / (fit["a"] + fit["b"]), bt["a"] / (bt["a"] + bt["b"])),
    }
    table += "".join(f"\n  {k:>8}: fitted {f:10.4f}  truth {t:10.4f}  ({f / t - 1:+.1%})"
                     for k, (f, t) in derived.items())
    return s, rel, derived, f"BG/NBD on {len(s):,} organic customers:\n{table}"


def test_recovery_where_the_world_is_bgnbd_like():
    """BG/NBD on World 1's organic customers (time in days) against its truth.

    World 1 (``world=1``, the company the course used before) buys by a BG/NBD-type
    process with a few extras: dropout after late deliveries and complaints (after the
    first order too, which the BG/NBD does not allow) and festival peaks. On it r and
    alpha come within about 20%, the mean purchase rate r/alpha and the mean dropout
    probability a/(a+b) within about 11% and 3%, while a and b on their own come out
    about 55-60% high (pure BG/NBD data of the same size recovers them within about 15%:
    the shift comes from the extra dropout, not from sampling). Hence the loose bounds
    on a and b.
    """
    tables, truth = generate_world(20_000, 2024, world=1)
    s, rel, derived, msg = _organic_fit(tables["orders"], tables["users"], truth)
    assert abs(rel["r"]) < 0.30 and abs(rel["alpha"]) < 0.30, msg
    assert all(abs(f / t - 1) < 0.20 for f, t in derived.values()), msg
    assert all(0.5 < 1 + rel[k] < 2.0 for k in ("a", "b")), msg


def test_the_course_company_breaks_the_model_as_lesson_3b_says():
    """On the course company (World 2) many customers stop right after their first
    orders (an early dropout that fades with each order, truth ``world2``), which the
    BG/NBD, one dropout chance after each repeat order, cannot express: it explains the
    many one-time buyers by slow buyers and a high dropout instead. Lesson 3b teaches
    this; the fit must show it (rate well below the truth's, dropout well above).

    The truth's ``gamma_gamma`` block describes each order's *target* value, which the
    basket then rounds up to whole items (orders.amount averages well above the target
    mean p * gamma / (q - 1)), so the Gamma-Gamma fit cannot recover it from the
    amounts; the test checks the fit's own consistency instead (its population mean
    spend against the observed mean) and prints the truth beside it.
    """
    orders, users = coursekit.load("orders"), coursekit.load("users")
    truth = coursekit.data.truth()
    s, rel, derived, msg = _organic_fit(orders, users, truth)
    assert derived["rate"][0] < 0.75 * derived["rate"][1], msg
    assert derived["dropout"][0] > 1.2 * derived["dropout"][1], msg

    gg = clv.GammaGamma().fit(s)
    p, q, v = gg.params_.values()
    observed = s.loc[s["frequency"] > 0, "monetary_value"].mean()
    gt = truth["gamma_gamma"]
    msg = (f"Gamma-Gamma: fitted p={p:.3g}, q={q:.3g}, v={v:.4g} (population mean spend "
           f"{p * v / (q - 1):.1f}, observed mean {observed:.1f}); truth for the target value "
           f"p={gt['p']}, q={gt['q']}, gamma={gt['gamma']} (mean "
           f"{gt['p'] * gt['gamma'] / (gt['q'] - 1):.1f})")
    assert abs(p * v / (q - 1) / observed - 1) < 0.10, msg
