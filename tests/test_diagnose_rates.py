"""diagnose.rate_drops: runs of days whose rate fell beyond chance."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from helpers import named

import coursekit
from coursekit.data import truth
from coursekit.diagnose import rate_drops
from coursekit.errors import ArgumentError, CourseError, DataError


def carts(seed: int = 0, *, rate: float = 0.7, per_day: int = 5,
          broken: tuple[str, str] | None = None, device: str = "android") -> pd.DataFrame:
    """Carts of two devices over Aug-Sep 2025, each ordered with chance ``rate``
    (``0.1 * rate`` on ``device`` in the ``broken`` days)."""
    rng = np.random.default_rng(seed)
    days = pd.date_range("2025-08-01", "2025-09-30")
    t = np.repeat(days, 2 * per_day)
    dev = np.tile(np.repeat(["android", "ios"], per_day), len(days))
    p = np.full(len(t), rate)
    if broken is not None:
        p[(dev == device) & (t >= pd.Timestamp(broken[0])) & (t <= pd.Timestamp(broken[1]))] *= 0.1
    return pd.DataFrame({"time": t, "device": dev, "cart": 1,
                         "order": (rng.random(len(t)) < p).astype(int)})


def test_finds_the_planted_run_and_only_it():
    found = rate_drops(carts(1, broken=("2025-09-10", "2025-09-13")), at="time",
                       successes="order", trials="cart", after="2025-09", by="device")
    top = found.iloc[0]
    assert top["value"] == "android" and top["beyond_chance"]
    assert (top["start"], top["end"]) == (pd.Timestamp("2025-09-10"), pd.Timestamp("2025-09-13"))
    assert top["trials"] == 20 and top["rate"] < 0.3
    assert not found.iloc[1]["beyond_chance"]  # ios was never broken
    n_days = 30
    assert (found["runs"] == 2 * n_days * (n_days + 1) // 2).all()
    assert found["cutoff"].iloc[0] == pytest.approx(0.05 / found["runs"].iloc[0])
    assert found["chance"].is_monotonic_increasing


def test_ordinary_data_rarely_raises_an_alarm():
    """With Bonferroni over every run, an alarm on data without an incident is rare:
    of 40 scans at most a few (the bound says 2 expected, at most)."""
    alarms = sum(
        rate_drops(carts(seed), at="time", successes="order", trials="cart",
                   after="2025-09", by="device")["beyond_chance"].any()
        for seed in range(40))
    assert alarms <= 4, alarms


def test_the_usual_rate_from_a_before_period():
    data = carts(4, broken=("2025-09-10", "2025-09-12"))
    everything = rate_drops(data, at="time", successes="order", trials="cart",
                            after="2025-09", by="device")
    august = rate_drops(data, at="time", successes="order", trials="cart",
                        after="2025-09", before="2025-08", by="device")
    pd.testing.assert_frame_equal(everything, august)  # the rows before are August's
    late = rate_drops(data, at="time", successes="order", trials="cart",
                      after="2025-09", before=("2025-08-20", "2025-08-31"), by="device")
    one = data[data["time"].between("2025-08-20", "2025-08-31") & (data["device"] == "ios")]
    assert late.set_index("value").loc["ios", "usual"] == pytest.approx(one["order"].mean())


def test_a_single_segment_and_a_date_pair():
    data = carts(3, per_day=10, broken=("2025-09-20", "2025-09-21")).query("device == 'android'")
    found = rate_drops(data, at="time", successes="order", trials="cart",
                       after=("2025-09-15", "2025-09-30"))
    assert found["value"].tolist() == ["(all)"] and found["beyond_chance"].all()
    assert found.loc[0, "start"] <= pd.Timestamp("2025-09-20")  # the run holds the two days
    assert found.loc[0, "end"] >= pd.Timestamp("2025-09-21")
    assert found.loc[0, "end"] - found.loc[0, "start"] < pd.Timedelta(days=7)


def test_the_course_payment_bug_is_found_on_its_days():
    events = coursekit.load("events")
    steps = events[events["event_type"].isin(["add_to_cart", "order"])]
    steps = steps.assign(carts=steps["event_type"].eq("add_to_cart"),
                         orders=steps["event_type"].eq("order"))
    found = rate_drops(steps, at="event_time", successes="orders", trials="carts",
                       after="2025-09", by="platform")
    bug = next(i for i in truth()["incidents"] if i["name"] == "payment_bug")
    top = found.iloc[0]
    assert top["value"] == bug["value"] and top["beyond_chance"]
    assert (str(top["start"].date()), str(top["end"].date())) == (bug["start"], bug["end"])
    assert found["beyond_chance"].sum() == 1
    # the rate found is the truth's: 1 - failure rate of the usual rate, within chance
    assert top["rate"] == pytest.approx(top["usual"] * (1 - bug["failure_rate"]), abs=0.05)


@pytest.mark.parametrize(
    ("change", "kwargs", "error", "name"),
    [
        (None, dict(by=["device"]), ArgumentError, "by"),
        (None, dict(alpha=0), ArgumentError, "alpha"),
        (None, dict(alpha=True), ArgumentError, "alpha"),
        (None, dict(after="soon"), ArgumentError, "after"),
        (None, dict(after="September"), ArgumentError, "after"),  # which year?
        (None, dict(before="09"), ArgumentError, "before"),
        (None, dict(before=("2025-09-01", "2025-08-01")), ArgumentError, "before"),
        (None, dict(after="2026-01"), DataError, "time"),
        (None, dict(after="2025-08"), DataError, "device"),  # no history before August
        (None, dict(before="2024-01"), DataError, "device"),  # nothing in the before period
        (lambda d: d.assign(order=d["order"] * 2), {}, DataError, ["order", "cart"]),
        (lambda d: d.assign(cart=-d["cart"]), {}, DataError, ["order", "cart"]),
        (lambda d: d.assign(device=d["device"].where(d.index > 3)), {}, DataError, "device"),
        (lambda d: d.assign(order="yes"), {}, DataError, "order"),
        (lambda d: d.drop(columns="cart"), {}, DataError, ["cart"]),
    ],
)
def test_bad_input_is_named(change, kwargs, error, name):
    data = carts(3)
    if change is not None:
        data = change(data)
    args = dict(at="time", successes="order", trials="cart", after="2025-09", by="device")
    with pytest.raises(error) as err:
        rate_drops(data, **(args | kwargs))
    assert isinstance(err.value, CourseError)
    assert named(err.value) == name
