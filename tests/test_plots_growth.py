"""The module 4 (growth) charts: response curves, marginal returns and the equal-marginal
rule, viral growth, and the forest of estimates. Coordinates are checked against values
worked out by hand from the curves and tables given."""

from __future__ import annotations

import math
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib as mpl  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402

from coursekit import growth, plots  # noqa: E402
from coursekit.errors import ArgumentError, DataError  # noqa: E402


@pytest.fixture(autouse=True)
def _fresh_style():
    with mpl.rc_context():
        plots.set_style()
        yield
    plt.close("all")


def _hex(colour) -> str:
    return mpl.colors.to_hex(colour)


def _glyph_warnings(fig) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.canvas.draw()
    return [str(w.message) for w in caught if "Glyph" in str(w.message)
            or "missing from font" in str(w.message)]


def _legend(ax) -> list[str]:
    return [t.get_text() for t in ax.get_legend().get_texts()]


# Two square-root curves: f_a = 2 sqrt(s), f_b = 4 sqrt(s); marginals 1/sqrt(s), 2/sqrt(s).
ROOTS = {"search": lambda s: 2 * np.sqrt(s), "douyin": lambda s: 4 * np.sqrt(s)}


@pytest.fixture(scope="module")
def exact_fit() -> growth.ResponseFit:
    """Twelve weeks at three spend levels with sign-ups of exactly 2 sqrt(s) a day."""
    days = pd.date_range("2025-01-06", periods=84, freq="D")
    daily = np.repeat([100.0, 400.0, 900.0], 28)
    spend = pd.DataFrame({"date": days, "channel": "ads", "spend": daily})
    n = (2 * np.sqrt(daily)).astype(int)
    users = pd.DataFrame({"channel": "ads", "signup_time": np.repeat(days, n)})
    return growth.fit_response(spend, users)


# --- response_curves -------------------------------------------------------------------


def test_response_curves_draw_each_channel_from_zero_to_upto():
    ax = plots.response_curves(ROOTS, upto=100, title="抖音 returns more per yuan")
    assert isinstance(ax, Axes)
    assert [line.get_label() for line in ax.lines] == ["search", "douyin"]
    search, douyin = ax.lines
    x = search.get_xdata()
    assert len(x) == 201 and x[0] == 0.0 and x[-1] == 100.0
    assert search.get_ydata()[-1] == pytest.approx(20.0)  # 2 sqrt(100)
    assert douyin.get_ydata()[-1] == pytest.approx(40.0)  # 4 sqrt(100)
    assert search.get_ydata()[50] == pytest.approx(2 * math.sqrt(25.0))  # x = 25
    assert _hex(search.get_color()) != _hex(douyin.get_color())
    assert ax.get_xlim() == (0.0, 100.0)
    assert ax.get_title(loc="left") == "抖音 returns more per yuan"


def test_response_curves_mark_current_filled_and_proposed_hollow_on_the_curves():
    ax = plots.response_curves(ROOTS, current={"search": 25.0, "douyin": 16.0},
                               proposed=pd.Series({"search": 4.0, "douyin": 36.0}))
    current, proposed = ax.collections
    assert (current.get_label(), proposed.get_label()) == ("current", "proposed")
    # on the curves: 2 sqrt(25) = 10, 4 sqrt(16) = 16; 2 sqrt(4) = 4, 4 sqrt(36) = 24
    np.testing.assert_allclose(current.get_offsets(), [[25, 10], [16, 16]])
    np.testing.assert_allclose(proposed.get_offsets(), [[4, 4], [36, 24]])
    colours = [_hex(line.get_color()) for line in ax.lines]
    assert [_hex(c) for c in current.get_facecolors()] == colours  # filled
    assert {_hex(c) for c in proposed.get_facecolors()} == {"#ffffff"}  # hollow
    assert [_hex(c) for c in proposed.get_edgecolors()] == colours
    assert _legend(ax) == ["search", "douyin", "current 当前", "proposed 建议"]
    assert ax.lines[0].get_xdata()[-1] == pytest.approx(1.5 * 36.0)  # default upto


def test_response_curves_mark_only_the_channels_given():
    ax = plots.response_curves(ROOTS, proposed={"douyin": 9.0})
    (proposed,) = ax.collections
    np.testing.assert_allclose(proposed.get_offsets(), [[9.0, 12.0]])
    assert ax.get_xlim()[1] == pytest.approx(13.5)


def test_response_curves_draw_a_fit_per_day_with_its_points(exact_fit):
    ax = plots.response_curves(exact_fit, points=exact_fit, current={"ads": 400.0})
    assert ax.get_xlabel() == "spend per day (yuan)"
    assert ax.get_ylabel() == "sign-ups per day"
    data, current = ax.collections
    assert data.get_label() == "points" and len(data.get_offsets()) == 12  # 12 weeks
    assert sorted(set(data.get_offsets()[:, 0].tolist())) == pytest.approx([100, 400, 900])
    np.testing.assert_allclose(current.get_offsets(), [[400.0, 40.0]], rtol=1e-3)
    assert ax.lines[0].get_xdata()[-1] == pytest.approx(1350.0)  # 1.5 x the largest point
    assert "data 数据" in _legend(ax)


def test_response_curves_default_range_from_the_fit_or_the_curve_itself(exact_fit):
    ax = plots.response_curves(exact_fit)  # no spend given: the fit's own data
    assert ax.get_xlim()[1] == pytest.approx(1350.0)
    curve = growth.ResponseCurve("exponential", a=10.0, b=200.0)
    ax = plots.response_curves({"feed": curve})  # 3 b: 95 % of the ceiling
    assert ax.get_xlim()[1] == pytest.approx(600.0)
    assert ax.lines[0].get_ydata()[-1] == pytest.approx(10 * (1 - math.exp(-3)))
    assert ax.get_ylabel() == "outcome per period"


def test_response_curves_take_points_of_ones_own_and_a_period():
    points = pd.DataFrame({"channel": ["search", "search", "other"], "spend": [10.0, 40.0, 5.0],
                           "outcome": [6.0, 13.0, 1.0]})
    ax = plots.response_curves(ROOTS, points=points, per="W")
    (data,) = ax.collections
    assert data.get_offsets().tolist() == [[10.0, 6.0], [40.0, 13.0]]  # "other" not drawn
    assert ax.get_xlim()[1] == pytest.approx(60.0)
    assert ax.get_xlabel() == "spend per week (yuan)"
    assert ax.get_ylabel() == "outcome per week"


def test_response_curves_read_a_function_of_one_number():
    ax = plots.response_curves({"one": lambda s: 3 * math.sqrt(s)}, upto=16)
    assert ax.lines[0].get_ydata()[-1] == pytest.approx(12.0)


def test_response_curves_draw_on_the_axes_given_with_chinese_text():
    fig, ax = plt.subplots()
    out = plots.response_curves({"抖音": ROOTS["douyin"]}, current={"抖音": 10.0}, ax=ax,
                                title="抖音边际收益递减")
    assert out is ax
    assert _glyph_warnings(fig) == []


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"curves": [lambda s: s]}, "curves"),
    ({"curves": {}}, "curves"),
    ({"curves": {"a": 3.0}}, "curves"),
    ({"curves": {"a": lambda s: s["x"]}, "upto": 10}, "curves"),
    ({"curves": {"a": np.log}, "upto": 10}, "curves"),  # -inf at 0
    ({"curves": ROOTS}, "upto"),  # nothing says how far to draw
    ({"curves": ROOTS, "upto": 0}, "upto"),
    ({"curves": ROOTS, "upto": -5.0}, "upto"),
    ({"curves": ROOTS, "upto": "100"}, "upto"),
    ({"curves": ROOTS, "upto": True}, "upto"),
    ({"curves": ROOTS, "upto": np.inf}, "upto"),
    ({"curves": ROOTS, "current": {"tiktok": 10.0}}, "current"),
    ({"curves": ROOTS, "current": {"search": -1.0}}, "current"),
    ({"curves": ROOTS, "current": {"search": np.nan}}, "current"),
    ({"curves": ROOTS, "current": {"search": "10"}}, "current"),
    ({"curves": ROOTS, "proposed": [10.0, 20.0]}, "proposed"),
    ({"curves": ROOTS, "proposed": pd.Series([1.0, 2.0], index=["search", "search"])},
     "proposed"),
    ({"curves": ROOTS, "upto": 10, "per": "fortnight"}, "per"),
])
def test_response_curves_refuse_bad_arguments(kwargs, name):
    with pytest.raises(ArgumentError) as err:
        plots.response_curves(**kwargs)
    assert err.value.name == name


def test_response_curves_refuse_a_period_other_than_a_day_for_a_fit(exact_fit):
    with pytest.raises(ArgumentError, match="per day") as err:
        plots.response_curves(exact_fit, per="W")
    assert err.value.name == "per"
    assert plots.response_curves(exact_fit, per="D").get_xlabel() == "spend per day (yuan)"


@pytest.mark.parametrize(("points", "text"), [
    (pd.DataFrame({"channel": ["search"], "spend": [1.0]}), "columns"),
    (pd.DataFrame({"channel": ["x"], "spend": [1.0], "outcome": [2.0]}), "no point"),
    (pd.DataFrame({"channel": ["search"], "spend": ["a lot"], "outcome": [2.0]}),
     "not numbers"),
    ([1, 2], "columns"),
])
def test_response_curves_refuse_bad_points(points, text):
    with pytest.raises(DataError, match=text):
        plots.response_curves(ROOTS, points=points, upto=10)


# --- marginal_curves -------------------------------------------------------------------


def test_marginal_curves_draw_the_derivative_of_each_curve():
    ax = plots.marginal_curves(ROOTS, upto=100)
    search, douyin = ax.lines
    x = search.get_xdata()
    assert x[0] == 0.0 and x[-1] == 100.0
    # d/ds 2 sqrt(s) = 1 / sqrt(s); 4 sqrt(s): 2 / sqrt(s) (finite differences)
    assert search.get_ydata()[-1] == pytest.approx(0.1, rel=1e-5)
    assert douyin.get_ydata()[-1] == pytest.approx(0.2, rel=1e-5)
    assert search.get_ydata()[100] == pytest.approx(1 / math.sqrt(50.0), rel=1e-5)
    assert ax.get_ylabel() == "outcome per extra yuan (marginal return)"
    assert ax.get_legend() is not None


def test_marginal_curves_use_the_curves_own_marginal():
    curve = growth.ResponseCurve("power", a=2.0, b=0.5)
    ax = plots.marginal_curves({"ads": curve}, upto=100, per="D")
    y = ax.lines[0].get_ydata()
    assert np.isnan(y[0])  # the first yuan of a power curve returns without limit
    assert y[-1] == pytest.approx(0.1, rel=1e-12)  # a b s^(b-1) = 2 x 0.5 / 10
    assert ax.get_xlabel() == "spend per day (yuan)"


def test_marginal_curves_show_the_common_level_of_the_best_split():
    split = growth.allocate_budget(ROOTS, 100.0)  # 20 and 80
    ax = plots.marginal_curves(ROOTS, allocation=split)
    level = ax.lines[2]
    assert level.get_linestyle() == "--"
    lam = growth.marginal_returns(ROOTS, split)["marginal"]
    assert float(level.get_ydata()[0]) == pytest.approx(float(lam.mean()), rel=1e-4)
    assert float(level.get_ydata()[0]) == pytest.approx(1 / math.sqrt(20.0), rel=1e-4)
    points = ax.collections[0].get_offsets()
    assert points[:, 0].tolist() == pytest.approx([20.0, 80.0], rel=1e-6)
    assert points[:, 1].tolist() == pytest.approx([1 / math.sqrt(20), 2 / math.sqrt(80)],
                                                  rel=1e-4)
    label = next(t for t in _legend(ax) if t.startswith("equal marginal return"))
    assert f"marginal cost {math.sqrt(20):.3g} yuan a sign-up" in label  # 1 / lambda
    assert ax.get_xlim()[1] == pytest.approx(120.0)  # 1.5 x the largest spend
    bare = plots.marginal_curves(ROOTS, allocation=split, cost_of=None)
    assert not any("marginal cost" in t for t in _legend(bare))
    worded = plots.marginal_curves(ROOTS, allocation=split, cost_of="customer")
    assert any(t.endswith("yuan a customer)") for t in _legend(worded))
    assert ax.get_ylim()[1] == pytest.approx(4 * 1.05 / math.sqrt(20), rel=1e-4)  # cut top


def test_marginal_curves_keep_the_level_with_a_channel_left_at_zero():
    flat = lambda s: 0.5 * (1 - np.exp(-s / 10))  # noqa: E731  first yuan returns 0.05
    curves = {"search": ROOTS["search"], "flat": flat}
    split = growth.allocate_budget(curves, 100.0)
    assert split.round(6).tolist() == [100.0, 0.0]
    ax = plots.marginal_curves(curves, allocation=split)
    level = ax.lines[2]
    assert level.get_linestyle() == "--"
    assert float(level.get_ydata()[0]) == pytest.approx(0.1, rel=1e-4)  # 1 / sqrt(100)
    corner = ax.collections[0].get_offsets()[1]
    assert corner.tolist() == pytest.approx([0.0, 0.05], rel=1e-4)


def test_marginal_curves_show_each_level_of_a_split_that_breaks_the_rule():
    ax = plots.marginal_curves(ROOTS, allocation={"search": 50.0, "douyin": 50.0})
    dotted = ax.lines[2:]
    assert [line.get_linestyle() for line in dotted] == [":", ":"]
    assert [float(line.get_ydata()[0]) for line in dotted] == pytest.approx(
        [1 / math.sqrt(50), 2 / math.sqrt(50)], rel=1e-4)
    assert not any(t.startswith("equal marginal") for t in _legend(ax))


def test_marginal_curves_no_level_when_an_idle_channel_returns_more():
    steep = lambda s: 5 * (1 - np.exp(-s / 10))  # noqa: E731  first yuan returns 0.5
    curves = {"search": ROOTS["search"], "steep": steep}
    ax = plots.marginal_curves(curves, allocation={"search": 100.0, "steep": 0.0})
    assert "--" not in [line.get_linestyle() for line in ax.lines]


def test_marginal_curves_on_the_course_spend():
    import coursekit

    fit = growth.fit_response(coursekit.load("channel_spend"), coursekit.load("users"),
                              channels=["douyin_ads", "search_ads", "xiaohongshu"])
    budget = float(fit.params["spend_per_day"].sum())
    split = growth.allocate_budget(fit, budget)
    ax = plots.marginal_curves(fit, allocation=split, title="每个渠道的边际收益相等")
    lam = growth.marginal_returns(fit, split)["marginal"]
    assert lam.max() - lam.min() < 1e-6 * lam.mean()
    (level,) = [line for line in ax.lines if line.get_linestyle() == "--"]
    assert float(level.get_ydata()[0]) == pytest.approx(float(lam.mean()), rel=1e-6)
    assert ax.get_ylabel() == "sign-ups per extra yuan (marginal return)"
    assert _glyph_warnings(ax.figure) == []


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"curves": "search"}, "curves"),
    ({"curves": ROOTS, "allocation": {"tiktok": 1.0}}, "allocation"),
    ({"curves": ROOTS, "allocation": {"search": -1.0}}, "allocation"),
    ({"curves": ROOTS, "allocation": 100.0}, "allocation"),
    ({"curves": ROOTS}, "upto"),
    ({"curves": ROOTS, "upto": -1}, "upto"),
    ({"curves": ROOTS, "upto": 10, "cost_of": ""}, "cost_of"),
    ({"curves": ROOTS, "upto": 10, "cost_of": 3}, "cost_of"),
])
def test_marginal_curves_refuse_bad_arguments(kwargs, name):
    with pytest.raises(ArgumentError) as err:
        plots.marginal_curves(**kwargs)
    assert err.value.name == name


# --- viral_growth ----------------------------------------------------------------------


def test_viral_growth_draws_users_by_day_labels_ends_and_the_market():
    runs = {"K = 0.5": growth.simulate_viral(1000, 0.5, 20, market_size=50_000, periods=30),
            "K = 1.5": growth.simulate_viral(1000, 1.5, 20, market_size=50_000, periods=30)}
    ax = plots.viral_growth(runs, market_size=50_000, title="K 大于 1 才会裂变")
    low, high, market = ax.lines
    assert low.get_xdata().tolist() == [20.0 * c for c in range(31)]
    assert low.get_ydata()[:3].tolist() == pytest.approx(
        [1000.0, 1000 + 500 * (1 - 1000 / 50_000),
         1000 + 490 + 0.5 * 490 * (1 - 1490 / 50_000)])
    assert high.get_ydata()[-1] == pytest.approx(runs["K = 1.5"]["users"].iloc[-1])
    assert market.get_linestyle() == "--"
    assert list(market.get_ydata()) == [50_000.0, 50_000.0]
    labels = {t.get_text(): t.get_position() for t in ax.texts}
    assert labels["K = 0.5"][0] == 600.0 and labels["K = 1.5"][0] == 600.0
    assert labels["K = 1.5"][1] == pytest.approx(high.get_ydata()[-1])
    assert "market 市场规模 50,000" in labels
    assert ax.get_xlabel() == "day"
    assert ax.get_xlim()[0] == 0.0
    assert _glyph_warnings(ax.figure) == []


def test_viral_growth_reads_tables_of_ones_own():
    runs = {"a": pd.DataFrame({"day": [0, 7, 14], "users": [10, 30, 60]}),
            "b": pd.DataFrame({"day": [0, 7], "users": [10, 20]})}
    ax = plots.viral_growth(runs)
    assert len(ax.lines) == 2  # no market line
    assert ax.lines[0].get_xydata().tolist() == [[0, 10], [7, 30], [14, 60]]
    ends = {t.get_text(): t.get_position() for t in ax.texts}
    assert ends == {"b": (7, 20), "a": (14, 60)}


def test_viral_growth_counts_cycles_without_a_day_column():
    runs = {"seed": pd.DataFrame({"users": [5.0, 8.0, 9.0]}, index=[0, 1, 2])}
    ax = plots.viral_growth(runs)
    assert ax.lines[0].get_xdata().tolist() == [0, 1, 2]
    assert ax.get_xlabel() == "viral cycle"


def test_viral_growth_pushes_labels_of_runs_ending_together_apart():
    same = pd.DataFrame({"day": [0, 10], "users": [0.0, 100.0]})
    ax = plots.viral_growth({"x": same, "y": same.copy()})
    heights = sorted(t.get_position()[1] for t in ax.texts)
    assert heights[0] == 100.0 and heights[1] >= 105.0  # 5 % of the range 0..100 at least
    _no_overlap(ax, ["x", "y"])


def _no_overlap(ax, labels):
    """The end labels drawn on the figure do not overlap each other."""
    ax.figure.canvas.draw()
    boxes = [t.get_window_extent() for t in ax.texts if t.get_text() in labels]
    assert len(boxes) == len(labels)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not a.overlaps(b)


def test_end_labels_clear_each_other_when_a_market_line_stretches_the_axis():
    same = pd.DataFrame({"day": [0, 10], "users": [0.0, 100.0]})
    ax = plots.viral_growth({"x": same, "y": same.copy()}, market_size=100_000)
    _no_overlap(ax, ["x", "y"])


@pytest.mark.parametrize(("runs", "kwargs", "error", "name"), [
    (pd.DataFrame({"users": [1.0]}), {}, ArgumentError, "runs"),
    ({}, {}, ArgumentError, "runs"),
    ([pd.DataFrame({"users": [1.0]})], {}, ArgumentError, "runs"),
    ({"a": pd.DataFrame({"users": [1.0]})}, {"market_size": 0}, ArgumentError, "market_size"),
    ({"a": pd.DataFrame({"users": [1.0]})}, {"market_size": "big"}, ArgumentError,
     "market_size"),
    ({"a": pd.DataFrame({"users": [1.0]})}, {"market_size": np.inf}, ArgumentError,
     "market_size"),
])
def test_viral_growth_refuses_bad_arguments(runs, kwargs, error, name):
    with pytest.raises(error) as err:
        plots.viral_growth(runs, **kwargs)
    assert err.value.name == name


@pytest.mark.parametrize(("run", "text"), [
    (pd.DataFrame({"total": [1.0]}), "users column"),
    ([1.0, 2.0], "users column"),
    (pd.DataFrame({"users": ["many"]}), "not numbers"),
    (pd.DataFrame({"users": []}, dtype=float), "empty"),
    (pd.DataFrame({"users": [1.0, 2.0]}, index=["first", "second"]), "cycle number"),
])
def test_viral_growth_refuses_bad_runs(run, text):
    with pytest.raises(DataError, match=text):
        plots.viral_growth({"a": run})


# --- forest ----------------------------------------------------------------------------


def _effects() -> pd.DataFrame:
    return pd.DataFrame({"effect": [1.0, 1.6, 0.9, 0.6],
                         "effect_low": [np.nan, 1.3, 0.7, 0.5],
                         "effect_high": [np.nan, 2.0, 1.2, 0.8],
                         "name": ["图文 image", "短视频 video", "直播 live", "文章 article"]},
                        index=["image", "video", "live", "article"])


def test_forest_keeps_table_order_top_to_bottom_with_intervals_and_reference():
    ax = plots.forest(_effects(), estimate="effect", low="effect_low", high="effect_high",
                      reference=1, title="短视频 reaches 1.6 times more")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["article", "live", "video",
                                                            "image"]  # from the bottom up
    bars, dots = ax.collections
    assert dots.get_offsets().tolist() == [[1.0, 3.0], [1.6, 2.0], [0.9, 1.0], [0.6, 0.0]]
    segments = [seg.tolist() for seg in bars.get_segments()]  # the first row has none
    assert segments == [[[1.3, 2.0], [2.0, 2.0]], [[0.7, 1.0], [1.2, 1.0]],
                        [[0.5, 0.0], [0.8, 0.0]]]
    (reference,) = ax.lines
    assert list(reference.get_xdata()) == [1.0, 1.0]
    colours = [_hex(c) for c in dots.get_facecolors()]
    grey = "#8c8c8c"
    # the reference row and "live" (0.7-1.2) cross 1; video and article are clear of it
    assert colours == [grey, plots.PALETTE[0], grey, plots.PALETTE[0]]
    assert ax.get_xlabel() == "effect"
    assert _glyph_warnings(ax.figure) == []


def test_forest_labels_from_a_column_and_without_a_reference():
    ax = plots.forest(_effects().iloc[1:], estimate="effect", low="effect_low",
                      high="effect_high", label="name")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["文章 article", "直播 live",
                                                            "短视频 video"]
    assert len(ax.lines) == 0
    assert {_hex(c) for c in ax.collections[1].get_facecolors()} == {plots.PALETTE[0]}


def test_forest_of_content_effects_joins_the_index_levels():
    posts = pd.DataFrame({"format": ["image", "video"] * 4,
                          "slot": ["noon"] * 4 + ["evening"] * 4})
    posts["impressions"] = (1000 * posts["format"].map({"image": 1, "video": 2})
                            * posts["slot"].map({"noon": 1, "evening": 1.5}))
    posts.loc[0, "impressions"] *= 1.1  # some noise, so the intervals have width
    effects = growth.content_effects(posts, factors=["format", "slot"], trend=False,
                                     reference={"format": "image", "slot": "noon"})
    ax = plots.forest(effects, estimate="effect", low="effect_low", high="effect_high",
                      reference=1.0)
    assert [t.get_text() for t in ax.get_yticklabels()][::-1] == [
        "format · image", "format · video", "slot · evening", "slot · noon"]
    assert ax.collections[1].get_offsets()[:, 0].tolist() == pytest.approx(
        effects["effect"].tolist())
    assert len(ax.collections[0].get_segments()) == 2  # the two references have none


def test_forest_draws_rows_without_an_interval_as_dots():
    table = pd.DataFrame({"ratio": [1.0, 2.0], "lo": [np.nan, np.nan], "hi": [np.nan, np.nan]})
    ax = plots.forest(table, estimate="ratio", low="lo", high="hi", reference=1.0)
    bars, dots = ax.collections
    assert len(bars.get_segments()) == 0
    assert dots.get_offsets().tolist() == [[1.0, 1.0], [2.0, 0.0]]
    assert {_hex(c) for c in dots.get_facecolors()} == {"#8c8c8c"}  # nothing is clear of 1


@pytest.mark.parametrize(("table", "kwargs", "text"), [
    ([1, 2], {}, "DataFrame"),
    (_effects().drop(columns="effect_high"), {}, "missing column"),
    (_effects(), {"label": "title"}, "missing column"),
    (_effects().assign(effect=["a", "b", "c", "d"]), {}, "not numbers"),
    (_effects().assign(effect=[np.nan, 1.6, 0.9, 0.6]), {}, "finite effect"),
    (_effects().assign(effect_high=[np.nan, np.nan, 1.2, 0.8]), {}, "one end missing"),
    (_effects().assign(effect_high=[np.nan, np.inf, 1.2, 0.8]), {}, "infinite"),
    (_effects().rename(columns={"effect_low": "effect_high", "effect_high": "effect_low"}),
     {}, "do not hold"),
    (_effects().iloc[:0], {}, "empty"),
])
def test_forest_refuses_a_table_it_cannot_draw(table, kwargs, text):
    with pytest.raises(DataError, match=text):
        plots.forest(table, estimate="effect", low="effect_low", high="effect_high", **kwargs)


@pytest.mark.parametrize("reference", ["1", np.nan, True])
def test_forest_refuses_a_bad_reference(reference):
    with pytest.raises(ArgumentError) as err:
        plots.forest(_effects(), estimate="effect", low="effect_low", high="effect_high",
                     reference=reference)
    assert err.value.name == "reference"


def test_response_curves_dash_each_curve_beyond_the_spends_seen():
    seen = pd.DataFrame({"channel": ["search", "search", "douyin", "douyin", "douyin"],
                         "spend": [10.0, 30.0, 20.0, 60.0, 500.0],
                         "outcome": [6.0, 11.0, 18.0, 31.0, 89.0]})
    ax = plots.response_curves(ROOTS, points=seen, upto=100.0, dashed_beyond=True)
    solid = {line.get_label(): line for line in ax.lines[:2]}
    assert float(solid["search"].get_xdata().max()) <= 30.0
    assert float(solid["douyin"].get_xdata().max()) == 100.0  # seen up to 500: solid to the edge
    dashed = ax.lines[2:]
    assert [line.get_linestyle() for line in dashed] == ["--", "--"]
    assert float(dashed[0].get_xdata().min()) >= 30.0
    assert float(dashed[0].get_xdata().max()) == 100.0
    assert len(dashed[1].get_xdata()) == 0  # nothing of douyin lies beyond its spends seen
    assert any(t.startswith("beyond the spends seen") for t in _legend(ax))
    drawn = ax.collections[0].get_offsets()
    assert drawn[:, 0].max() <= 100.0  # the point at 500 is past the edge: not drawn
    assert ax.get_ylim()[1] < 89.0  # and it does not stretch the axis
    with pytest.raises(ArgumentError) as err:
        plots.response_curves(ROOTS, upto=100.0, dashed_beyond=True)
    assert err.value.name == "dashed_beyond"
