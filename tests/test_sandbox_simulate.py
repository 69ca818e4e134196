"""The sandbox's forward simulation: same draws, exact zero, the world's mechanisms."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from coursekit.sandbox import KPI_STEPS, parameters, simulate
from coursekit.world import write_world


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sandbox_world")
    write_world(folder, users=2000, seed=3)
    return folder


def _plan(*segments, cap=3, weeks=4, team="t"):
    return {"team": team, "horizon_weeks": weeks, "frequency_cap": cap,
            "segments": list(segments)}


def _seg(name, rules, *actions):
    return {"name": name, "rules": rules, "actions": list(actions)}


def _act(week, medium="sms", purpose="promotion", offer="20 off 99", **more):
    return {"week": week, "medium": medium, "purpose": purpose, "offer": offer, **more}


WINBACK = _seg("lapsing", {"crm_segment": ["lapsing"]}, _act(1), _act(3, "app_push"))
DORMANT = _seg("dormant", {"crm_segment": ["dormant"]}, _act(1), _act(2, "wecom"))


def test_same_plan_and_seed_give_identical_results(world):
    a = simulate(_plan(WINBACK, DORMANT), seed=5, world=world)
    b = simulate(_plan(WINBACK, DORMANT), seed=5, world=world)
    pd.testing.assert_frame_equal(a.kpis, b.kpis)
    pd.testing.assert_frame_equal(a.summary, b.summary)
    assert a.profit == b.profit
    c = simulate(_plan(WINBACK, DORMANT), seed=6, world=world)
    assert not a.kpis.equals(c.kpis)


def test_doing_nothing_scores_exactly_zero(world):
    for plan in (_plan(), _plan(_seg("nobody", {"orders": {"min": 10_000}}, _act(1)))):
        result = simulate(plan, seed=1, world=world)
        assert result.profit == 0.0
        assert result.profit_after_fatigue == 0.0
        assert (result.messages, result.extra_orders, result.unsubscribes) == (0, 0, 0)
        assert np.isnan(result.roi)


def test_adding_a_segment_leaves_the_others_alone(world):
    alone = simulate(_plan(WINBACK), seed=2, world=world)
    both = simulate(_plan(WINBACK, DORMANT), seed=2, world=world)
    pd.testing.assert_frame_equal(alone.kpis.loc[["lapsing"]], both.kpis.loc[["lapsing"]])
    assert both.kpis.loc["dormant", "delivered"].sum() > 0


def test_the_kpi_path_narrows_step_by_step(world):
    result = simulate(_plan(WINBACK, DORMANT), seed=0, world=world)
    path = result.kpis[KPI_STEPS[1:]].to_numpy()
    assert (np.diff(path[:, :4], axis=1) <= 0).all()  # reachable >= delivered >= opened >= clicked
    assert (path[:, -1] <= path[:, 3]).all() and (path[:, -1] <= path[:, -2]).all()
    assert result.summary.index[-1] == "all"
    total = result.summary.loc["all"]
    assert total["profit"] == pytest.approx(total["margin"] - total["coupon_cost"]
                                            - total["message_cost"])
    assert result.profit_after_fatigue == pytest.approx(result.profit - result.fatigue_penalty)


def test_a_coupon_blast_to_loyal_customers_loses_money(world):
    blast = _seg("loyal", {"crm_segment": ["loyal"]}, _act(1, offer="30 off 99"),
                 _act(1, "wecom", offer="30 off 99"), _act(2, "app_push", offer="30 off 99"))
    results = [simulate(_plan(blast), seed=s, world=world) for s in range(3)]
    assert all(r.profit < 0 for r in results)
    assert sum(r.coupon_cost for r in results) > 0


def test_profit_falls_past_some_frequency_cap(world):
    slots = [_act([1, 2, 3, 4], m, day=d) for m, d in
             (("sms", 1), ("app_push", 2), ("wecom", 3), ("sms", 4), ("app_push", 5))]
    everyone = _seg("buyers", {"crm_segment": ["lapsing", "dormant", "active", "new"]}, *slots)
    profit = {cap: np.mean([simulate(_plan(everyone, cap=cap), seed=s, world=world)
                            .profit_after_fatigue for s in range(3)]) for cap in range(1, 6)}
    best = max(profit, key=profit.get)
    assert best < 5 and profit[5] < profit[best]


def test_wearout_and_fatigue_rise_with_frequency(world):
    once = simulate(_plan(_seg("everyone", {}, _act(1))), seed=0, world=world)
    often = simulate(_plan(_seg("everyone", {}, *[_act(1, m, day=d) for m, d in (
        ("sms", 1), ("app_push", 1), ("wecom", 1), ("sms", 2), ("sms", 3))]), cap=5),
        seed=0, world=world)
    assert often.unsubscribes / often.messages > once.unsubscribes / max(once.messages, 1)
    assert often.extra_orders / often.messages < once.extra_orders / once.messages


def test_the_parameters_are_stated_with_their_source(world):
    from coursekit.sandbox import PARAMETERS

    table = parameters(world=world)
    assert {"value", "source", "meaning"} <= set(table.columns)
    assert table["source"].str.startswith(("world:", "sandbox", "derived:")).all()
    assert table.loc["uplift_loyal", "value"] == 0.0
    for medium in ("sms", "app_push", "wecom"):
        for name in (f"subscriber_value_{medium}", f"complaint_cost_{medium}"):
            assert table.loc[name, "source"].startswith("derived:")
            assert name not in PARAMETERS  # no guessed constant left


def test_fatigue_values_are_what_the_worlds_campaigns_earn(world):
    """An unsubscribe costs the profit per reachable customer that the world's own
    campaigns on the medium earn in a year, over a customer's lifetime (the world's
    yearly retention of buyers, discounted at 10%); a complaint that plus its handling."""
    import coursekit
    from coursekit.sandbox import fatigue_costs
    from coursekit.sandbox.costs import SEEDS
    from coursekit.sandbox.response import MEDIA, PARAMETERS
    from coursekit.sandbox.world import prepare
    from coursekit.world import marketing
    from coursekit.world import params as P

    table = fatigue_costs(world=world)
    years = ((P.END - P.START).days + 1) / 365.25
    orders = coursekit.load("orders", world=world)
    year = orders["order_time"].dt.year  # the world's data: the calendar years 2024 and 2025
    before = set(orders.loc[year == 2024, "user_id"])
    kept = len(before & set(orders.loc[year == 2025, "user_id"])) / len(before)
    multiple = 1.1 / (1.1 - kept)
    assert 1.1 < multiple < 2  # a customer is worth more than a year, and not many
    assert table["lifetime_multiple"].to_numpy() == pytest.approx(multiple)
    buyers = {"crm_segment": list(marketing.SEGMENTS)}
    for medium in MEDIA:
        profit = 0.0
        for c in (c for c in marketing.CAMPAIGNS if c["medium"] == medium):
            plan = _plan(_seg("buyers", buyers, _act(1, medium, offer=c["offer"],
                                                     hour=c["send_hour"])), cap=1, weeks=1)
            profit += np.mean([simulate(plan, seed=s, world=world).profit for s in SEEDS])
        reachable = prepare(world).reach[MEDIA.index(medium)].sum()
        value = max(profit / reachable / years, 0.0) * multiple
        assert table.loc[medium, "subscriber_value"] == pytest.approx(value)
        handling = PARAMETERS["complaint_minutes"]["value"] / 60 * PARAMETERS["staff_pay"]["value"]
        assert table.loc[medium, "complaint_cost"] == pytest.approx(value + handling)
    assert (table["subscriber_value"] > 0).all()


def test_the_penalty_prices_every_unsubscribe_and_complaint(world):
    from coursekit.sandbox.plan import read_plan
    from coursekit.sandbox.simulate import members, run
    from coursekit.sandbox.world import prepare

    w = prepare(world)
    plan = read_plan(_plan(_seg("everyone", {}, _act([1, 2]), _act(1, "app_push", day=2),
                                _act(2, "wecom", day=3)), cap=3))
    ones, zeros = np.ones(3), np.zeros(3)
    groups = members(w, plan)
    by_unsub = run(w, 4, "t", plan.frequency_cap, groups, costs=(ones, zeros))
    by_complaint = run(w, 4, "t", plan.frequency_cap, groups, costs=(zeros, ones))
    assert by_unsub.fatigue_penalty == by_unsub.unsubscribes > 0
    assert by_complaint.fatigue_penalty == by_complaint.complaints > 0
    assert by_unsub.profit == by_complaint.profit  # the prices change no outcome


def test_the_fatigue_window_runs_across_weeks(world):
    """A push on Sunday counts in the 7-day load of Monday's SMS: fewer open it."""
    sms = _act(2, "sms", day=1)
    alone = simulate(_plan(_seg("everyone", {}, sms)), seed=3, world=world).kpis
    after = simulate(_plan(_seg("everyone", {}, _act(1, "app_push", day=7), sms)), seed=3,
                     world=world).kpis
    first, second = alone.iloc[0], after.iloc[1]
    assert second["delivered"] <= first["delivered"]
    assert second["opened"] < first["opened"]


def test_an_extra_order_moves_the_crm_segment(world):
    from coursekit.sandbox.engine import Extras, crm_segment
    from coursekit.sandbox.world import baseline, prepare
    from coursekit.world import marketing

    w = prepare(world)
    base = baseline(w, 0)
    code = {s: i for i, s in enumerate([*marketing.SEGMENTS, "none"])}
    t = w.end + 0.5
    lapsing = np.flatnonzero((crm_segment(w, base, np.arange(w.n), t) == code["lapsing"])
                             & (w.obs_count < 2))[:5]
    never = np.flatnonzero(crm_segment(w, base, np.arange(w.n), t) == code["none"])[:5]
    who = np.concatenate([lapsing, never])
    extras = Extras(w.n)
    extras.add(who, np.full(len(who), t))
    assert (crm_segment(w, base, who, t, extras.until(t)) != code["active"]).all()
    after = crm_segment(w, base, who, t + 1, extras.until(t + 1))
    assert (after[: len(lapsing)] == code["active"]).all()  # won back: active again
    assert (after[len(lapsing):] == code["new"]).all()  # a first order: new


def test_routine_messages_carry_the_worlds_load_and_tire_too(world):
    from coursekit.sandbox.engine import crm_segment
    from coursekit.sandbox.routine import shares, weekly_mean
    from coursekit.sandbox.world import baseline, prepare

    w = prepare(world)
    seg = crm_segment(w, baseline(w, 0), np.arange(w.n), w.end)
    mean = weekly_mean(seg, w.intensity, shares(w.reach, w.ever_reach), 1.0).sum()
    assert 0.7 < mean / (w.load28.sum() / 4) < 1.3  # the world's rate, as the data saw it
    heavy = _plan(_seg("everyone", {}, *[_act([1, 2, 3], m, day=d) for m, d in (
        ("sms", 1), ("app_push", 2), ("wecom", 3), ("sms", 4))]), cap=4)
    result = simulate(heavy, seed=0, world=world).summary.loc["all"]
    assert 0 < result["routine_unsubscribes"] <= result["unsubscribes"]
    assert 0 <= result["routine_complaints"] <= result["complaints"]


def test_rules_select_on_tags_rfm_and_tiers(world):
    from coursekit.sandbox.world import prepare

    feats = prepare(world).features
    plan = _plan(_seg("owls", {"tags": ["night_owl"], "member_tier": ["bronze", "silver"]},
                      _act(1)),
                 _seg("rfm", {"rfm_segment": ["important win-back", "重要价值客户"]}, _act(1)))
    kpis = simulate(plan, world=world).kpis
    owls = feats["tag_night_owl"] & feats["member_tier"].isin(["bronze", "silver"])
    assert kpis.loc["owls", "audience"].iloc[0] == owls.sum() > 0
    rfm = feats["rfm_segment"].isin(["重要挽留客户", "重要价值客户"]) & ~owls
    assert kpis.loc["rfm", "audience"].iloc[0] == rfm.sum() > 0


def test_a_bad_seed_is_refused(world):
    from coursekit.errors import ArgumentError

    with pytest.raises(ArgumentError, match="seed"):
        simulate(_plan(), seed=-1, world=world)
