"""The house style renders Chinese labels; the plot helpers draw what they are given."""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib as mpl  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from coursekit import plots  # noqa: E402

TEXT = "青木 · 重要价值客户 · 会员 ARPU −5%"


@pytest.fixture(autouse=True)
def _fresh_style():
    with mpl.rc_context():
        plots.set_style()
        yield
    plt.close("all")


def test_the_font_ships_with_the_dependencies():
    assert plots.font_path() is not None and plots.font_path().is_file()
    assert mpl.rcParams["font.family"] == plots.FONT_FAMILY
    assert mpl.rcParams["axes.unicode_minus"] is False


def test_chinese_renders_without_missing_glyphs():
    assert plots.missing_glyphs(TEXT) == []


def test_the_check_fails_without_the_fallback_font():
    """Control: the same text in the Latin font alone is reported missing."""
    mpl.rcParams["font.family"] = ["DejaVu Sans"]
    missing = plots.missing_glyphs(TEXT)
    assert missing and all("missing from font" in m for m in missing)


def test_a_full_figure_with_chinese_everywhere_warns_nothing():
    s = pd.Series([3.0, 5.0, 4.0], index=pd.date_range("2025-06-17", periods=3))
    fig, (a, b) = plt.subplots(1, 2)
    plots.daily_line(s, marks={"618 大促": "2025-06-18"}, title="订单在 618 达到峰值",
                     ylabel="订单数", ax=a)
    plots.ranked_bar(pd.Series({"自然流量": 0.4, "抖音广告": 0.35, "门店": 0.25}), share=True,
                     highlight=["抖音广告"], title="用户从哪里来", ax=b)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.canvas.draw()
    glyphs = [str(w.message) for w in caught if "Glyph" in str(w.message)]
    assert glyphs == []


def test_daily_line_marks_only_days_in_the_series():
    s = pd.Series([1.0, 2.0], index=pd.date_range("2025-01-01", periods=2))
    ax = plots.daily_line(s, marks={"in": "2025-01-02", "out": "2025-03-08"}, rolling=None)
    assert [t.get_text() for t in ax.texts] == ["in"]
    assert len(ax.lines) == 1


def test_ranked_bar_orders_and_labels():
    ax = plots.ranked_bar(pd.Series({"a": 0.1, "b": 0.6, "c": 0.3}), share=True,
                          highlight=["c"])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "c", "b"]
    labels = [t.get_text() for t in ax.texts]
    assert labels == ["10%", "30%", "60%"]
    colours = [mpl.colors.to_hex(p.get_facecolor()) for p in ax.patches]
    assert colours[1] == plots.HIGHLIGHT and colours[0] == plots.PALETTE[0]
    ax = plots.ranked_bar(pd.Series({"a": 1.234, "b": 0.771}), fmt="{:.2f}")
    assert [t.get_text() for t in ax.texts] == ["0.77", "1.23"]


def test_bold_titles_log_no_font_weight_notice(caplog):
    fig, ax = plt.subplots()
    ax.set_title("订单 Orders", fontweight="bold")
    with caplog.at_level("INFO", logger="matplotlib.font_manager"):
        fig.canvas.draw()
    assert not [r for r in caplog.records if "Failed to find font weight" in r.getMessage()]


def test_heatmap_leaves_missing_cells_blank_and_labels_axes():
    t = pd.DataFrame([[1.0, 0.5, 0.25], [1.0, 0.6, float("nan")]],
                     index=pd.Index(["2025-01", "2025-02"], name="cohort"),
                     columns=pd.Index([0, 1, 2], name="months since first"))
    ax = plots.heatmap(t, title="留存 retention")
    assert [x.get_text() for x in ax.texts] == ["100%", "50%", "25%", "100%", "60%"]
    assert ax.get_xlabel() == "months since first" and ax.get_ylabel() == "cohort"
    assert len(plots.heatmap(t, fmt=None).texts) == 0


# --------------------------------------------------------------------------- business models


def _tornado_table() -> pd.DataFrame:
    from coursekit.bizmodel import sensitivity

    return sensitivity(lambda units, price, cost: units * (price - cost),
                       {"units": 1000, "price": 50, "cost": 30},
                       {"cost": (28, 33), "price": (45, 55), "units": (900, 1100)})


def test_tornado_puts_the_widest_swing_on_top_with_both_ends_labelled():
    t = _tornado_table()  # swings: price 10,000; cost 5,000; units 4,000
    ax = plots.tornado(t, title="价格影响最大 price matters most")
    labels = [x.get_text() for x in ax.get_yticklabels()]  # from the bottom up
    assert labels == ["units (900 – 1,100)", "cost (28 – 33)", "price (45 – 55)"]
    assert len(ax.patches) == 6  # a low-end and a high-end bar per input
    lows, highs = ax.patches[:3], ax.patches[3:]
    assert [p.get_x() for p in ax.patches] == [20000.0] * 6  # every bar starts at the base
    ends = sorted(round(p.get_x() + p.get_width()) for p in lows)
    assert ends == [15000, 18000, 22000]  # price 45, units 900, cost 28
    assert sorted(round(p.get_x() + p.get_width()) for p in highs) == [17000, 22000, 25000]
    assert [x.get_text() for x in ax.texts] == ["18,000", "22,000", "22,000", "17,000",
                                                "15,000", "25,000"]
    base = [line for line in ax.lines if line.get_xdata()[0] == 20000.0]
    assert base, "a line marks the base value"
    with warnings.catch_warnings(record=True) as caught:  # the legend is in Chinese too
        warnings.simplefilter("always")
        ax.figure.canvas.draw()
    assert [str(w.message) for w in caught if "Glyph" in str(w.message)] == []


def test_tornado_refuses_a_table_it_cannot_draw():
    from coursekit.errors import ArgumentError, DataError

    with pytest.raises(DataError):
        plots.tornado(pd.DataFrame({"low": [1.0], "high": [2.0]}))
    with pytest.raises(DataError):
        plots.tornado(pd.DataFrame({"low": [1.0], "high": [float("nan")], "base_value": 1.5}))
    with pytest.raises(ArgumentError) as err:
        plots.tornado(_tornado_table(), fmt="{:d} {:d}")
    assert err.value.name == "fmt"


def test_tornado_shortens_range_labels_and_leaves_an_end_at_the_base_unlabelled():
    t = pd.DataFrame({"low": [18000.0, 20000.0], "high": [22000.0, 21000.0],
                      "base_value": 20000.0, "input_low": [136.67213, 0.0123456],
                      "input_high": [167.04452, 125000.4]}, index=["price", "fee"])
    ax = plots.tornado(t)
    labels = [x.get_text() for x in ax.get_yticklabels()]
    assert labels == ["fee (0.0123 – 125,000)", "price (137 – 167)"]
    # fee's low end equals the base: three labels, none of them the base written again
    assert sorted(x.get_text() for x in ax.texts) == ["18,000", "21,000", "22,000"]


def test_waterfall_steps_down_the_lines_and_stands_subtotals_on_zero():
    lines = pd.DataFrame({"sign": [1, -1, 0, -1, -1, 0],
                          "all": [150.0, 77.0, 73.0, 10.0, 5.0, 58.0],
                          "app": [100.0, 50.0, 50.0, 5.0, 5.0, 40.0]},
                         index=["price", "goods", "gross_margin", "shipping", "refund",
                                "contribution"])
    ax = plots.waterfall(lines, title="一单 an order")
    starts = [round(b.get_y(), 1) for b in ax.patches]
    tops = [round(b.get_y() + b.get_height(), 1) for b in ax.patches]
    assert starts == [0.0, 73.0, 0.0, 63.0, 58.0, 0.0]
    assert tops == [150.0, 150.0, 73.0, 73.0, 63.0, 58.0]
    assert [x.get_text() for x in ax.get_xticklabels()] == list(lines.index)
    ax = plots.waterfall(lines, column="app")
    assert round(ax.patches[-1].get_height(), 1) == 40.0


def test_waterfall_takes_a_unit_economics_result_and_refuses_what_it_cannot_draw():
    from coursekit import bizmodel
    from coursekit.errors import DataError

    orders = pd.DataFrame({"order_id": [1], "gross_amount": [110.0], "amount": [100.0]})
    items = pd.DataFrame({"order_id": [1], "product_id": [7], "quantity": [2]})
    products = pd.DataFrame({"product_id": [7], "unit_cost": [20.0]})
    costs = pd.DataFrame({"order_id": [1], "shipping": [8.0], "packaging": [2.0],
                          "payment_fee": [0.6], "member_benefit": [0.0], "refund": [0.0]})
    ue = bizmodel.order_economics(orders, items, products, costs)
    ax = plots.waterfall(ue)
    assert round(ax.patches[-1].get_height(), 2) == round(float(ue.contribution["all"]), 2)
    with pytest.raises(DataError, match="'sign'"):
        plots.waterfall(ue.lines.drop(columns="sign"))
    with pytest.raises(DataError, match="'web'"):
        plots.waterfall(ue, column="web")
    with pytest.raises(DataError, match="other than -1, 0 and 1"):
        plots.waterfall(ue.lines.assign(sign=2))


def test_canvas_draws_nine_labelled_boxes_with_chinese_text():
    from coursekit.bizmodel import BLOCKS, Canvas

    c = Canvas(value_propositions=["健康零食 healthy snacks"],
               cost_structure=[f"成本 cost line {k}" for k in range(30)],
               revenue_streams=["门店销售 store sales ¥5,862万 (94%)"])
    ax = plots.canvas(c)
    boxes = {p.get_label(): p for p in ax.patches}
    assert sorted(boxes) == sorted(BLOCKS) and len(ax.patches) == 9
    left, right = boxes["key_partners"], boxes["customer_segments"]
    assert left.get_x() < boxes["value_propositions"].get_x() < right.get_x()
    assert boxes["cost_structure"].get_y() < left.get_y()  # the money blocks below
    text = "\n".join(t.get_text() for t in ax.texts)
    for english, chinese in BLOCKS.values():
        assert english in text and chinese in text
    assert "健康零食 healthy snacks" in text and "¥5,862万" in text
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ax.figure.canvas.draw()
    assert [str(w.message) for w in caught if "Glyph" in str(w.message)] == []


def test_canvas_refuses_something_else():
    from coursekit.errors import DataError

    with pytest.raises(DataError):
        plots.canvas({"value_propositions": ["x"]})


# --------------------------------------------------------------------------- the sandbox


def _board() -> pd.DataFrame:
    """A leaderboard as coursekit.sandbox.leaderboard returns it (best first)."""
    return pd.DataFrame(
        {"kind": ["reference", "team", "team", "reference"],
         "profit": [4700.0, 2900.0, 2900.0, 0.0],
         "profit_low": [4300.0, 2500.0, float("nan"), 0.0],
         "profit_high": [5100.0, 3300.0, float("nan"), 0.0],
         "profit_after_fatigue": [4600.0, 2800.0, -270.0, 0.0]},
        index=pd.Index(["oracle", "Team Winback", "Coupon Blast", "do nothing"], name="team"))


def test_leaderboard_chart_puts_the_best_on_top_with_the_moved_intervals():
    ax = plots.leaderboard_chart(_board(), title="排行榜 Leaderboard")
    labels = [t.get_text() for t in ax.get_yticklabels()]  # from the bottom up
    assert labels == ["Coupon Blast", "do nothing", "Team Winback", "oracle"]
    assert [p.get_width() for p in ax.patches] == [-270.0, 0.0, 2800.0, 4600.0]
    colours = [mpl.colors.to_hex(p.get_facecolor()) for p in ax.patches]
    assert colours == [plots.PALETTE[0], plots.PALETTE[7], plots.PALETTE[0], plots.PALETTE[7]]
    # whiskers: the profit's interval moved by the fatigue penalty; none without an interval
    (bars,) = [c for c in ax.containers if hasattr(c, "has_xerr")]
    ends = sorted((float(s[0][0]), float(s[1][0]), float(s[0][1]))
                  for s in bars.lines[2][0].get_segments())
    assert ends == [(0.0, 0.0, 1.0), (2400.0, 3200.0, 2.0), (4200.0, 5000.0, 3.0)]
    assert [t.get_text() for t in ax.texts] == ["-270", "0", "2,800", "4,600"]
    assert ax.texts[-1].xy[0] == 5000.0  # the mean written beyond its whisker
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ax.figure.canvas.draw()
    assert [str(w.message) for w in caught if "Glyph" in str(w.message)] == []


def test_leaderboard_chart_prefers_an_interval_of_its_own_and_refuses_a_bad_table():
    from coursekit.errors import DataError

    own = _board().assign(profit_after_fatigue_low=[4500.0, 2700.0, -300.0, 0.0],
                          profit_after_fatigue_high=[4700.0, 2900.0, -240.0, 0.0])
    ax = plots.leaderboard_chart(own)  # the moved interval would start at 4,200
    (bars,) = [c for c in ax.containers if hasattr(c, "has_xerr")]
    assert sorted(float(s[0][0]) for s in bars.lines[2][0].get_segments()) == \
        [-300.0, 0.0, 2700.0, 4500.0]
    with pytest.raises(DataError, match="profit_after_fatigue"):
        plots.leaderboard_chart(_board().drop(columns="profit_after_fatigue"))
    with pytest.raises(DataError, match="without a mean"):
        plots.leaderboard_chart(_board().assign(profit_after_fatigue=float("nan")))
    with pytest.raises(DataError, match="does not hold its mean"):
        plots.leaderboard_chart(own.assign(profit_after_fatigue_low=5000.0))
