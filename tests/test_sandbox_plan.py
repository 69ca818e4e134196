"""Plans of the sandbox: reading from mappings and YAML, and refusing bad ones by name."""

from __future__ import annotations

import copy

import pytest

from coursekit.errors import DataError
from coursekit.sandbox import examples, read_plan

GOOD = {
    "team": "t", "horizon_weeks": 4, "frequency_cap": 2,
    "segments": [
        {"name": "a", "rules": {"crm_segment": ["lapsing"]},
         "actions": [{"week": 1, "medium": "sms", "purpose": "promotion", "offer": "20 off 99"}]},
        {"name": "b", "rules": {"days_since_last_order": {"min": 30}},
         "actions": [{"week": [1, 2], "medium": "wecom", "purpose": "service", "offer": None},
                     {"week": 2, "medium": "app_push", "purpose": "content",
                      "offer": {"coupon": 5, "threshold": 50}, "day": 3, "hour": 21}]},
    ],
}


def test_a_good_plan_reads_from_a_mapping_and_from_yaml(tmp_path):
    import yaml

    plan = read_plan(GOOD)
    assert [s.name for s in plan.segments] == ["a", "b"]
    act = plan.segments[1].actions[1]
    assert (act.coupon, act.threshold, act.day, act.hour) == (5.0, 50.0, 3, 21)
    assert plan.segments[1].actions[0].weeks == (1, 2)
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(GOOD, allow_unicode=True), encoding="utf-8")
    assert read_plan(path) == plan == read_plan(str(path)) == read_plan(path.read_text())


def test_the_example_plans_are_valid():
    assert len(examples()) >= 2
    for path in examples():
        assert read_plan(path).segments


def _bad(edit):
    spec = copy.deepcopy(GOOD)
    edit(spec)
    return spec


CASES = [
    (lambda s: s["segments"][1]["actions"][0].update(medium="email"),
     "segments[1].actions[0].medium", "sms"),
    (lambda s: s["segments"][0]["actions"][0].update(purpose="spam"),
     "segments[0].actions[0].purpose", "promotion"),
    (lambda s: s["segments"][0]["actions"][0].update(week=9),
     "segments[0].actions[0].week", "1 to 4"),
    (lambda s: s["segments"][0]["actions"][0].update(offer="99 off 20"),
     "segments[0].actions[0].offer", "20 off 99"),
    (lambda s: s["segments"][0]["actions"][0].update(offer="half price"),
     "segments[0].actions[0].offer", "none"),
    (lambda s: s["segments"][0]["actions"][0].update(hour=25),
     "segments[0].actions[0].hour", "0 to 23"),
    (lambda s: s["segments"][0]["rules"].update(crm_segment=["vip"]),
     "segments[0].rules.crm_segment", "lapsing"),
    (lambda s: s["segments"][0]["rules"].update(persona=["gift_giver"]),
     "segments[0].rules.persona", "crm_segment"),
    (lambda s: s["segments"][1]["rules"].update(days_since_last_order={"min": 90, "max": 30}),
     "segments[1].rules.days_since_last_order", "smaller"),
    (lambda s: s["segments"][0]["rules"].update(tags=["vip"]),
     "segments[0].rules.tags", "night_owl"),
    (lambda s: s.update(frequency_cap=0), "frequency_cap", "1 to 21"),
    (lambda s: s.update(horizon_weeks=60), "horizon_weeks", "1 to 52"),
    (lambda s: s.pop("team"), "team", "add team"),
    (lambda s: s.update(budget=5), "budget", "keys allowed"),
    (lambda s: s["segments"][0].update(actions=[]), "segments[0].actions", "1 to 5"),
    (lambda s: s["segments"][0]["actions"].append(dict(s["segments"][0]["actions"][0])),
     "segments[0].actions[1]", "one message per medium and day"),
    (lambda s: s["segments"][1].update(name="a"), "segments[1].name", "its own name"),
]


@pytest.mark.parametrize(("edit", "where", "allowed"), CASES,
                         ids=[c[1] + "-" + str(i) for i, c in enumerate(CASES)])
def test_a_bad_plan_is_refused_with_the_part_named(edit, where, allowed):
    with pytest.raises(DataError) as err:
        read_plan(_bad(edit))
    assert err.value.column == where
    assert str(err.value).startswith(f"plan.{where}: ")
    assert allowed in str(err.value)


def test_unreadable_sources_are_refused(tmp_path):
    with pytest.raises(DataError, match="cannot be read"):
        read_plan("team: [unclosed\nsegments: x")
    with pytest.raises(DataError, match="no plan file"):
        read_plan(tmp_path / "missing.yaml")
    with pytest.raises(DataError, match="expected a mapping"):
        read_plan("- just\n- a list\n")


def test_brief_gaps_list_what_the_brief_asks_and_the_plan_lacks():
    from coursekit.sandbox import brief_gaps, examples

    winback = next(p for p in examples() if p.stem == "team_winback")
    assert brief_gaps(winback) == []
    spec = {"team": "t", "horizon_weeks": 4, "frequency_cap": 2,
            "target_profile": "lapsing buyers", "wecom_persona": "  ",
            "segments": [{"name": "a", "rules": {"crm_segment": ["lapsing"]},
                          "kpis": {"extra_orders": "5%"},
                          "actions": [{"week": w, "medium": "sms", "purpose": "promotion",
                                       "offer": "none"} for w in (1, 2, 3)]},
                         {"name": "b", "rules": {"crm_segment": ["dormant"]},
                          "kpis": {"opened": "20%"},
                          "actions": [{"week": w, "medium": "sms", "purpose": "promotion",
                                       "offer": "none"} for w in (1, 2)]}]}
    assert brief_gaps(spec) == ["no wecom_persona (企微人设)",
                                "segment 'b': 2 actions, the brief asks for 3 to 5",
                                "segment 'b': no KPI for ordered or extra_orders"]
