"""Reach, frequency and fatigue: hand-computed logs, the window's edges, bad input,
and the course's message log."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import coursekit
from coursekit import reach
from coursekit.errors import ArgumentError, CourseError, DataError


def log() -> pd.DataFrame:
    """Customer 1: three messages in five days then one two weeks later;
    customer 2: two messages the same minute; customer 3: one message."""
    return pd.DataFrame({
        "user_id": [1, 1, 1, 1, 2, 2, 3],
        "sent_time": pd.to_datetime([
            "2025-03-03 09:00", "2025-03-05 09:00", "2025-03-07 20:00", "2025-03-21 09:00",
            "2025-03-04 12:00", "2025-03-04 12:00", "2025-03-10 08:00"]),
        "unsubscribed": [False, False, True, False, False, False, False],
        "complained": [0, 0, 0, 0, 0, 1, 0],
        "opened": [True, True, False, True, False, False, True],
    })


def tags() -> pd.DataFrame:
    return pd.DataFrame({
        "lapsing_buyer": [True, True, False, True, False],
        "deal_seeker": [True, False, False, True, True],
        "gifter": [False, True, False, False, True],
        "premium_taste": [False, False, True, True, False],
    }, index=pd.Index([11, 12, 13, 14, 15], name="user_id"))


# --------------------------------------------------------------------------- messages_in_window


def test_messages_in_window_counts_the_trailing_week_itself_included():
    out = reach.messages_in_window(log())
    # c1: 3 Mar -> 1; 5 Mar -> 2; 7 Mar -> 3; 21 Mar -> 1 (14 days later);
    # c2: two messages at the same minute count each other; c3: 1
    assert out.tolist() == [1, 2, 3, 1, 2, 2, 1]
    assert out.name == "messages_in_window"


def test_window_is_open_at_its_start():
    base = pd.Timestamp("2025-05-01 09:00")
    df = pd.DataFrame({"user_id": [1, 1, 1],
                       "sent_time": [base, base + pd.Timedelta(days=7),
                                     base + pd.Timedelta(days=7) - pd.Timedelta(seconds=1)]})
    # exactly 7 days earlier has left the window; one second less has not
    assert reach.messages_in_window(df).tolist() == [1, 2, 2]
    assert reach.messages_in_window(df, window_days=8).tolist() == [1, 3, 2]


def test_messages_in_window_keeps_the_callers_index_and_order():
    df = log().sample(frac=1, random_state=3).set_axis(list("abcdefg"))
    out = reach.messages_in_window(df)
    assert list(out.index) == list("abcdefg")
    expected = reach.messages_in_window(log())
    pos = log().reset_index().merge(df.reset_index(), on=list(log().columns))
    assert (out.loc[pos["index_y"]].to_numpy() == expected.loc[pos["index_x"]].to_numpy()).all()


def test_messages_in_window_matches_a_plain_loop_on_random_logs():
    rng = np.random.default_rng(5)
    df = pd.DataFrame({
        "user_id": rng.integers(0, 30, 400),
        "sent_time": pd.Timestamp("2025-01-01")
        + pd.to_timedelta(rng.integers(0, 60 * 24, 400) * 60, unit="s") * 30,
    })
    out = reach.messages_in_window(df, window_days=3).to_numpy()
    t, c = df["sent_time"].to_numpy(), df["user_id"].to_numpy()
    slow = [int(((c == c[i]) & (t <= t[i]) & (t > t[i] - np.timedelta64(3, "D"))).sum())
            for i in range(len(df))]
    assert out.tolist() == slow


# --------------------------------------------------------------------------- fatigue_curve


def test_fatigue_curve_by_band_with_wilson_intervals():
    curve = reach.fatigue_curve(log(), outcomes=["unsubscribed", "complained", "opened"],
                                bands=(1, 2, 3))
    assert list(curve.index) == ["1", "2", "3+"]
    # bands: counts [1, 2, 3, 1, 2, 2, 1] -> "1": rows 0, 3, 6; "2": rows 1, 4, 5; "3+": row 2
    assert curve["messages"].tolist() == [3, 3, 1]
    assert curve["customers"].tolist() == [2, 2, 1]
    assert curve["unsubscribed_rate"].tolist() == [0, 0, 1]
    assert curve["complained_rate"].tolist() == pytest.approx([0, 1 / 3, 0])
    assert curve["opened_rate"].tolist() == pytest.approx([1, 1 / 3, 0])
    # Wilson for 1 of 3 at 95%: statsmodels' proportion_confint(method="wilson")
    from statsmodels.stats.proportion import proportion_confint
    lo, hi = proportion_confint(1, 3, alpha=0.05, method="wilson")
    assert curve.loc["2", "complained_low"] == pytest.approx(lo)
    assert curve.loc["2", "complained_high"] == pytest.approx(hi)
    assert (curve.filter(like="_low").to_numpy() >= 0).all()


def test_empty_band_shows_nan_not_zero():
    curve = reach.fatigue_curve(log(), outcomes=["opened"], bands=(1, 2, 3, 10))
    assert curve.loc["10+", "messages"] == 0
    assert np.isnan(curve.loc["10+", "opened_rate"])


def test_fatigue_curve_on_the_course_messages_rises_with_pressure():
    m = coursekit.load("messages")
    m = m.assign(lost=m["unsubscribed"] | m["complained"])
    curve = reach.fatigue_curve(m, outcomes=["lost", "opened"])
    assert list(curve.index) == ["1", "2-3", "4-6", "7+"]
    assert curve["messages"].sum() == len(m)
    assert (np.diff(curve["lost_rate"]) > 0).all()
    assert (np.diff(curve["opened_rate"]) < 0).all()
    # the intervals of the first and last band do not overlap
    assert curve["lost_high"].iloc[0] < curve["lost_low"].iloc[-1]


# --------------------------------------------------------------------------- frequency_cap


def test_frequency_cap_counts_messages_over_the_cap_and_their_outcomes():
    out = reach.frequency_cap(log(), 2, outcomes=["unsubscribed", "complained"])
    # only customer 1's 7 March message had 2 before it in the week
    assert out["removed"] == 1 and out["messages"] == 7
    assert out["removed_share"] == pytest.approx(1 / 7)
    assert out["customers_affected"] == 1
    assert out["unsubscribed_removed_share"] == 1.0
    assert out["complained_removed"] == 0
    none = reach.frequency_cap(log(), 5, outcomes=["complained"])
    assert none["removed"] == 0 and none["complained_removed_share"] == 0


def test_a_tighter_cap_never_removes_less():
    m = coursekit.load("messages")
    removed = [reach.frequency_cap(m, cap, outcomes=["complained"])["removed"]
               for cap in (1, 2, 3, 5, 8)]
    assert removed == sorted(removed, reverse=True)


# --------------------------------------------------------------------------- reach_frequency


def test_reach_frequency_weekly():
    out = reach.reach_frequency(log(), population=10)
    # weeks: 3-9 Mar: c1 x3, c2 x2; 10-16 Mar: c3; 17-23 Mar: c1
    assert out["messages"].tolist() == [5, 1, 1]
    assert out["reach"].tolist() == [2, 1, 1]
    assert out["frequency"].tolist() == pytest.approx([2.5, 1, 1])
    assert out["frequency_max"].tolist() == [3, 1, 1]
    assert out["reach_rate"].tolist() == pytest.approx([0.2, 0.1, 0.1])


def test_reach_frequency_keeps_empty_periods():
    df = log().iloc[[0, 3]]
    out = reach.reach_frequency(df)
    assert out["messages"].tolist() == [1, 0, 1]
    assert out["reach"].tolist() == [1, 0, 1]
    assert np.isnan(out["frequency"].iloc[1])


# --------------------------------------------------------------------------- audience


def test_audience_all_any_none():
    who = reach.audience(tags(), all_of=["lapsing_buyer"], any_of=["deal_seeker", "gifter"],
                         none_of=["premium_taste"])
    assert who.ids.tolist() == [11, 12]
    assert who.size == 2 and who.share == pytest.approx(0.4)
    assert who.rule == "lapsing_buyer and (deal_seeker or gifter) and not premium_taste"
    assert reach.audience(tags(), any_of="gifter").ids.tolist() == [12, 15]


def test_audience_with_an_rfm_segment_as_a_column():
    t = tags().assign(win_back=pd.Series([True, False, True, True, False], index=tags().index))
    assert reach.audience(t, all_of=["win_back"], none_of=["deal_seeker"]).ids.tolist() == [13]


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("func", [
    lambda df: reach.messages_in_window(df),
    lambda df: reach.fatigue_curve(df),
    lambda df: reach.frequency_cap(df, 3),
    lambda df: reach.reach_frequency(df),
])
def test_bad_tables(func):
    with pytest.raises(DataError, match="user_id"):
        func(log().drop(columns="user_id"))
    with pytest.raises(DataError, match="empty"):
        func(log().iloc[:0])
    bad = log().astype({"sent_time": object})
    bad.loc[2, "sent_time"] = "yesterday"
    with pytest.raises(DataError, match="sent_time"):
        func(bad)
    missing = log().astype({"user_id": "Int64"})
    missing.loc[1, "user_id"] = pd.NA
    with pytest.raises(DataError, match="missing ids"):
        func(missing)
    zoned = log().assign(sent_time=log()["sent_time"].dt.tz_localize("UTC"))
    with pytest.raises(DataError, match="time-zone"):
        func(zoned)


def test_bad_outcomes():
    with pytest.raises(CourseError, match="clicked"):
        reach.fatigue_curve(log(), outcomes=["clicked"])
    text = log().assign(opened=["yes", "no", "yes", "yes", "no", "no", "yes"])
    with pytest.raises(CourseError, match="yes/no"):
        reach.fatigue_curve(text, outcomes=["opened"])
    gap = log().astype({"opened": "boolean"})
    gap.loc[0, "opened"] = pd.NA
    with pytest.raises(CourseError, match="missing outcome"):
        reach.frequency_cap(gap, 2, outcomes=["opened"])
    with pytest.raises(CourseError, match="no outcome"):
        reach.fatigue_curve(log(), outcomes=[])


@pytest.mark.parametrize("kwargs, column", [
    ({"bands": (2, 4)}, "bands"),
    ({"bands": (1, 3, 3)}, "bands"),
    ({"bands": "1,2"}, "bands"),
    ({"window_days": 0}, "window_days"),
    ({"window_days": 2.5}, "window_days"),
    ({"confidence": 1.2}, "confidence"),
])
def test_bad_arguments(kwargs, column):
    with pytest.raises(ArgumentError) as err:
        reach.fatigue_curve(log(), outcomes=["opened"], **kwargs)
    assert err.value.name == column


def test_bad_cap_period_and_population():
    with pytest.raises(ArgumentError, match="cap"):
        reach.frequency_cap(log(), 0)
    with pytest.raises(ArgumentError, match="per"):
        reach.reach_frequency(log(), per="fortnight")
    with pytest.raises(ArgumentError, match="population"):
        reach.reach_frequency(log(), population=-3)


def test_bad_audience():
    with pytest.raises(CourseError, match="no condition"):
        reach.audience(tags())
    with pytest.raises(CourseError, match="night_owl"):
        reach.audience(tags(), all_of=["night_owl"])
    with pytest.raises(CourseError, match="yes/no"):
        reach.audience(tags().assign(score=[1, 2, 3, 4, 5]), all_of=["score"])
    with pytest.raises(CourseError, match="empty"):
        reach.audience(tags().iloc[:0], all_of=["gifter"])
