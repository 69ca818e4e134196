"""The chart-gallery helpers of lesson 6b: diverging bars, bad vs good panels,
highlighted lines and small multiples."""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib as mpl  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402

import coursekit  # noqa: E402
from coursekit import plots  # noqa: E402
from coursekit.errors import ArgumentError, DataError  # noqa: E402


@pytest.fixture(autouse=True)
def _fresh_style():
    with mpl.rc_context():
        plots.set_style()
        yield
    plt.close("all")


def _hex(patch) -> str:
    return mpl.colors.to_hex(patch.get_facecolor())


def _glyph_warnings(fig) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.canvas.draw()
    return [str(w.message) for w in caught if "Glyph" in str(w.message)
            or "missing from font" in str(w.message)]


# --- diverging_bar -------------------------------------------------------------------


def test_diverging_bar_sorts_colours_by_sign_and_writes_values():
    values = pd.Series({"抖音 douyin": -120.0, "自然 organic": 300.0, "门店 store": 40.0,
                        "推荐 referral": 0.0})
    ax = plots.diverging_bar(values, title="注册变化 sign-ups vs last year")
    assert isinstance(ax, Axes)
    # bottom up: most negative first
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "抖音 douyin", "推荐 referral", "门店 store", "自然 organic"]
    assert [p.get_width() for p in ax.patches] == [-120.0, 0.0, 40.0, 300.0]
    colours = [_hex(p) for p in ax.patches]
    assert colours[0] == plots.HIGHLIGHT  # negative
    assert colours[1:] == [plots.PALETTE[0]] * 3  # zero counts as positive
    assert colours[0] != colours[-1]
    assert [t.get_text() for t in ax.texts] == ["-120", "+0", "+40", "+300"]


def test_diverging_bar_keeps_order_takes_mappings_and_custom_colours():
    ax = plots.diverging_bar({"a": 0.05, "b": -0.02}, sort=False, fmt="{:+.1%}",
                             positive="#000000", negative="#ffffff")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b"]
    assert [t.get_text() for t in ax.texts] == ["+5.0%", "-2.0%"]
    assert [_hex(p) for p in ax.patches] == ["#000000", "#ffffff"]


def test_diverging_bar_draws_on_the_axes_given():
    fig, ax = plt.subplots()
    assert plots.diverging_bar(pd.Series({"x": 1.0}), ax=ax) is ax


@pytest.mark.parametrize("bad", [pd.Series([], dtype=float), pd.Series({"a": "up"}),
                                 pd.Series({"a": 1.0, "b": np.nan}), [1, -2],
                                 pd.Series({"a": True})])
def test_diverging_bar_rejects_bad_values(bad):
    with pytest.raises(DataError, match="values"):
        plots.diverging_bar(bad)


# --- bad_vs_good ---------------------------------------------------------------------


def test_bad_vs_good_gives_two_tagged_axes():
    fig, (bad, good) = plots.bad_vs_good(figsize=(8, 3), labels=("差 bad", "好 good"))
    assert isinstance(bad, Axes) and isinstance(good, Axes)
    assert bad.figure.get_suptitle() == "差 bad" and good.figure.get_suptitle() == "好 good"
    assert bad.figure.figure is fig and good.figure.figure is fig
    assert mpl.colors.to_hex(bad.get_facecolor()) != mpl.colors.to_hex(good.get_facecolor())
    assert tuple(fig.get_size_inches()) == (8.0, 3.0)


def test_bad_vs_good_panel_widths_follow_the_ratios():
    fig, (bad, good) = plots.bad_vs_good(width_ratios=(2, 1))
    fig.canvas.draw()
    assert bad.get_window_extent().width > 1.5 * good.get_window_extent().width


# --- highlight_lines -----------------------------------------------------------------


def _stores() -> pd.DataFrame:
    months = pd.date_range("2025-01-01", periods=4, freq="MS")
    return pd.DataFrame({"上海01": [1.0, 2.0, 3.0, 4.0], "北京07": [2.0, 2.0, 2.0, 2.0],
                         "成都11": [4.0, 3.0, 2.0, 1.0], "武汉21": [np.nan, 1.0, 1.5, 4.0]},
                        index=months)


def test_highlight_lines_greys_the_rest_and_labels_the_chosen():
    ax = plots.highlight_lines(_stores(), ["成都11", "上海01"], title="成都11 下滑")
    assert isinstance(ax, Axes)
    assert len(ax.lines) == 4
    grey = [mpl.colors.to_hex(line.get_color()) for line in ax.lines[:2]]
    assert grey == ["#c8c8c8", "#c8c8c8"]
    assert mpl.colors.to_hex(ax.lines[2].get_color()) == plots.HIGHLIGHT
    assert ax.lines[2].get_linewidth() > ax.lines[0].get_linewidth()
    assert sorted(t.get_text() for t in ax.texts) == ["上海01", "成都11"]


def test_highlight_lines_pushes_labels_of_lines_ending_together_apart():
    ax = plots.highlight_lines(_stores(), ["上海01", "武汉21"])  # both end at 4.0
    heights = sorted(t.get_position()[1] for t in ax.texts)
    # the y range is 1..4, so labels are at least 5% of 3 apart, and a label's height
    assert heights[0] == 4.0 and heights[1] >= 4.15
    ax.figure.canvas.draw()
    low, high = sorted((t.get_window_extent() for t in ax.texts), key=lambda b: b.y0)
    assert low.y1 <= high.y0 + 0.5  # drawn clear of each other


def test_highlight_lines_without_labels():
    ax = plots.highlight_lines(_stores(), ["北京07"], label_ends=False)
    assert len(ax.texts) == 0


def test_highlight_lines_rejects_an_unknown_label_and_a_non_frame():
    with pytest.raises(DataError, match="not columns"):
        plots.highlight_lines(_stores(), ["深圳99"])
    with pytest.raises(DataError, match="DataFrame"):
        plots.highlight_lines(_stores()["上海01"], ["上海01"])
    with pytest.raises(DataError, match="not numbers"):
        plots.highlight_lines(_stores().assign(city="上海"), ["上海01"])
    with pytest.raises(DataError, match="empty"):
        plots.highlight_lines(pd.DataFrame(), [])


# --- small_multiples -----------------------------------------------------------------


def test_small_multiples_one_panel_per_series_on_one_scale():
    frame = _stores()
    axes = plots.small_multiples(frame, ncols=3, title="各门店 stores")
    assert len(axes) == 4 and all(isinstance(a, Axes) for a in axes)
    fig = axes[0].figure
    assert len(fig.axes) == 4  # 2 x 3 grid, two cells removed
    assert [a.get_title(loc="left") for a in axes] == list(frame.columns)
    assert all(len(a.lines) == 4 for a in axes)  # own line + 3 grey context lines
    assert len({a.get_ylim() for a in axes}) == 1
    own = axes[1].lines[-1]
    assert mpl.colors.to_hex(own.get_color()) == plots.PALETTE[0]
    assert list(own.get_ydata()) == [2.0, 2.0, 2.0, 2.0]


def test_small_multiples_without_context_or_shared_scale():
    axes = plots.small_multiples(_stores(), ncols=4, context=False, sharey=False)
    assert all(len(a.lines) == 1 for a in axes)
    assert len(axes[0].figure.axes) == 4


@pytest.mark.parametrize("ncols", [0, -1, 2.5, True])
def test_small_multiples_rejects_bad_ncols(ncols):
    with pytest.raises(ArgumentError, match="ncols"):
        plots.small_multiples(_stores(), ncols=ncols)


# --- fonts and the course data ---------------------------------------------------------


def test_chinese_labels_render_in_every_gallery_helper():
    fig, (bad, good) = plots.bad_vs_good()
    plots.diverging_bar(pd.Series({"小红书": 0.9, "搜索广告": -0.9}), fmt="{:+.1f} 个百分点",
                        title="小红书份额上升", ax=bad)
    plots.highlight_lines(_stores(), ["成都11"], title="门店月销售额", ylabel="千元", ax=good)
    assert _glyph_warnings(fig) == []
    axes = plots.small_multiples(_stores(), title="各门店月销售额（千元）")
    assert _glyph_warnings(axes[0].figure) == []


def test_channel_share_change_on_the_course_data():
    """Lesson 6b: each channel's share of sign-ups, last year minus the year before."""
    users = coursekit.load("users")
    year = users["signup_time"].dt.year
    last = int(year.max())
    share = pd.crosstab(users["channel"], year, normalize="columns")
    change = (share[last] - share[last - 1]) * 100
    assert abs(change.sum()) < 1e-9  # shares move, they do not grow
    ax = plots.diverging_bar(change, fmt="{:+.1f} pp")
    widths = np.array([p.get_width() for p in ax.patches])
    assert np.allclose(widths, np.sort(change.to_numpy()))
    colours = {_hex(p) for p, w in zip(ax.patches, widths, strict=True) if w < 0}
    assert (change < 0).any() and (change > 0).any() and colours == {plots.HIGHLIGHT}
