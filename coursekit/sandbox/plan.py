"""A team's private-domain operations plan: its schema, reading and checking.

A plan is a plain mapping, written in YAML or in a notebook cell::

    team: Team Tea
    horizon_weeks: 8            # weeks after the data ends (1 to 52)
    frequency_cap: 2            # at most this many plan messages a customer a week
    target_profile: ...         # free text (also: description, wecom_persona)
    segments:
      - name: lapsing students
        rules:                  # all must hold; a list means any of its values
          crm_segment: [lapsing]
          days_since_last_order: {min: 31, max: 150}
        kpis: {...}             # free text per step of the conversion path
        actions:                # 1 to 5 actions
          - week: 1             # or a list of weeks: [1, 3, 5]
            medium: sms         # sms, app_push, wecom
            purpose: promotion  # promotion, reminder, content, service
            offer: 20 off 99    # or none, or {coupon: 20, threshold: 99}
            day: 2              # optional: day of the week 1-7 (default 1)
            hour: 21            # optional: send hour 0-23 (default: the medium's slot)

A customer belongs to the first segment whose rules they meet (the plan's
order is its priority). A plan that breaks a rule is refused with a
:class:`coursekit.errors.DataError` naming the part (``plan.segments[1].
actions[0].medium``), why, and what is allowed.

Examples
--------
>>> plan = read_plan('''
... team: demo
... horizon_weeks: 4
... frequency_cap: 1
... segments:
...   - name: win back
...     rules: {crm_segment: [lapsing]}
...     actions:
...       - {week: 1, medium: sms, purpose: promotion, offer: 20 off 99}
... ''')
>>> plan.team, plan.segments[0].actions[0].coupon, plan.segments[0].actions[0].hour
('demo', 20.0, 10)
>>> try:
...     read_plan({"team": "x", "horizon_weeks": 4, "frequency_cap": 1, "segments": [
...         {"name": "a", "actions": [{"week": 9, "medium": "sms", "purpose": "promotion"}]}]})
... except DataError as err:
...     print(err)
plan.segments[0].actions[0].week: week 9 is outside the plan's horizon of 4 weeks
How to fix: use whole weeks from 1 to 4 (or a list of them)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from coursekit.errors import DataError
from coursekit.sandbox.audience import NUMERIC_RULES, RULES
from coursekit.sandbox.response import MEDIA, PURPOSES

__all__ = ["Action", "Plan", "Segment", "brief_gaps", "read_plan", "MAX_WEEKS", "SEND_HOUR"]

#: The world's calendar runs a year past the data: a plan is at most 52 weeks.
MAX_WEEKS = 52
#: Default send hour of each medium (the world's daily send slots, messaging.SLOTS).
SEND_HOUR = {"sms": 10, "wecom": 18, "app_push": 20}
_TOP = {"team", "horizon_weeks", "frequency_cap", "segments"}
_TEXT = {"description", "target_profile", "wecom_persona", "notes"}
_SEGMENT = {"name", "rules", "actions", "kpis", "description"}
_ACTION = {"week", "medium", "purpose", "offer", "day", "hour", "note"}
_OFFER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*off\s*(\d+(?:\.\d+)?)\s*$")


@dataclass(frozen=True)
class Action:
    """One action of a segment: a message on ``medium`` in each of ``weeks``.

    ``coupon`` and ``threshold`` are 0 without a coupon.
    """

    weeks: tuple[int, ...]
    medium: str
    purpose: str
    coupon: float = 0.0
    threshold: float = 0.0
    day: int = 1
    hour: int = 10


@dataclass(frozen=True)
class Segment:
    """A named segment: its rules (feature -> allowed values or a range) and actions."""

    name: str
    rules: Mapping[str, object]
    actions: tuple[Action, ...]
    kpis: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Plan:
    """A checked plan (see the module's docstring for the fields)."""

    team: str
    horizon_weeks: int
    frequency_cap: int
    segments: tuple[Segment, ...]
    notes: Mapping[str, object] = field(default_factory=dict)


def _fail(where: str, why: str, fix: str) -> DataError:
    return DataError(why, table="plan", column=where, fix=fix)


def _int(value: object, where: str, lo: int, hi: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise _fail(where, f"{what} must be a whole number from {lo} to {hi}, got {value!r}",
                    f"give a whole number from {lo} to {hi}")
    return value


def _keys(spec: object, where: str, required: set[str], optional: set[str]) -> Mapping:
    if not isinstance(spec, Mapping):
        raise _fail(where, f"expected a mapping of {sorted(required)}, got "
                    f"{type(spec).__name__}", f"write it as keys and values: {sorted(required)}")
    missing = sorted(required - set(spec))
    if missing:
        raise _fail(f"{where}.{missing[0]}" if where != "plan" else missing[0],
                    f"{missing[0]} is missing", f"add {', '.join(missing)}")
    unknown = sorted(set(map(str, spec)) - required - optional)
    if unknown:
        at = f"{where}.{unknown[0]}" if where != "plan" else unknown[0]
        raise _fail(at, f"unknown key {unknown[0]!r}",
                    f"the keys allowed here are {sorted(required | optional)}")
    return spec


def _offer(value: object, where: str) -> tuple[float, float]:
    fix = "write none, '20 off 99' or {coupon: 20, threshold: 99} (coupon below threshold)"
    if value is None or (isinstance(value, str) and value.strip().lower() in ("none", "")):
        return 0.0, 0.0
    if isinstance(value, str):
        m = _OFFER.match(value.lower())
        if not m:
            raise _fail(where, f"cannot read the offer {value!r}", fix)
        coupon, threshold = float(m[1]), float(m[2])
    elif isinstance(value, Mapping) and set(value) == {"coupon", "threshold"}:
        coupon, threshold = value["coupon"], value["threshold"]
        if not all(isinstance(v, int | float) and not isinstance(v, bool)
                   for v in (coupon, threshold)):
            raise _fail(where, "coupon and threshold must be numbers (yuan)", fix)
        coupon, threshold = float(coupon), float(threshold)
    else:
        raise _fail(where, f"cannot read the offer {value!r}", fix)
    if not 0 < coupon < threshold:
        raise _fail(where, f"a coupon of {coupon:g} off {threshold:g} is not allowed", fix)
    return coupon, threshold


def _choice(value: object, where: str, allowed: list[str], what: str) -> str:
    if value not in allowed:
        raise _fail(where, f"unknown {what} {value!r}", f"use one of {allowed}")
    return value


def _action(spec: object, where: str, horizon: int) -> Action:
    spec = _keys(spec, where, {"week", "medium", "purpose"}, _ACTION - {"week", "medium",
                                                                        "purpose"})
    raw = spec["week"] if isinstance(spec["week"], list | tuple) else [spec["week"]]
    if not raw:
        raise _fail(f"{where}.week", "no week given", f"use whole weeks from 1 to {horizon}")
    weeks = []
    for w in raw:
        if isinstance(w, int) and not isinstance(w, bool) and w > horizon >= 1 and w <= MAX_WEEKS:
            raise _fail(f"{where}.week", f"week {w} is outside the plan's horizon of {horizon} "
                        "weeks", f"use whole weeks from 1 to {horizon} (or a list of them)")
        weeks.append(_int(w, f"{where}.week", 1, horizon, "week"))
    if len(set(weeks)) < len(weeks):
        raise _fail(f"{where}.week", f"a week is listed twice in {raw}", "list each week once")
    medium = _choice(spec["medium"], f"{where}.medium", MEDIA, "medium")
    purpose = _choice(spec["purpose"], f"{where}.purpose", PURPOSES, "purpose")
    coupon, threshold = _offer(spec.get("offer"), f"{where}.offer")
    day = _int(spec.get("day", 1), f"{where}.day", 1, 7, "day")
    hour = _int(spec.get("hour", SEND_HOUR[medium]), f"{where}.hour", 0, 23, "hour")
    return Action(tuple(sorted(weeks)), medium, purpose, coupon, threshold, day, hour)


def _rules(spec: object, where: str) -> dict[str, object]:
    if spec is None:
        return {}
    allowed = sorted([*RULES, *NUMERIC_RULES])
    if not isinstance(spec, Mapping):
        raise _fail(where, "rules must map a feature to its values", f"features: {allowed}")
    out: dict[str, object] = {}
    for name, value in spec.items():
        at = f"{where}.{name}"
        if name in NUMERIC_RULES:
            if not isinstance(value, Mapping) or not value or set(value) - {"min", "max"} or \
                    not all(isinstance(v, int | float) and not isinstance(v, bool)
                            for v in value.values()):
                raise _fail(at, f"{name} needs a range, got {value!r}",
                            "write {min: 30, max: 180} (either end may be left out)")
            if value.get("min", 0) > value.get("max", float("inf")):
                raise _fail(at, f"min {value['min']} is above max {value['max']}",
                            "put the smaller number in min")
            out[name] = dict(value)
        elif name in RULES:
            values = list(value) if isinstance(value, list | tuple) else [value]
            bad = [v for v in values if v not in RULES[name]]
            if bad or not values:
                raise _fail(at, f"unknown {name} {bad[0] if bad else value!r}",
                            f"use some of {RULES[name]}")
            out[name] = values
        else:
            raise _fail(at, f"no feature {name!r} to select on", f"features: {allowed}")
    return out


def _segment(spec: object, where: str, horizon: int) -> Segment:
    spec = _keys(spec, where, {"name", "actions"}, _SEGMENT - {"name", "actions"})
    name = spec["name"]
    if not isinstance(name, str) or not name.strip():
        raise _fail(f"{where}.name", "a segment needs a name", "give it a short name")
    if name.strip() == "all":
        raise _fail(f"{where}.name", "'all' names the total row of the results",
                    "give the segment another name")
    acts = spec["actions"]
    if not isinstance(acts, list | tuple) or not 1 <= len(acts) <= 5:
        raise _fail(f"{where}.actions", f"a segment has 1 to 5 actions, got "
                    f"{len(acts) if isinstance(acts, list | tuple) else acts!r}",
                    "list 1 to 5 actions (the capstone asks for 3 to 5)")
    actions = tuple(_action(a, f"{where}.actions[{i}]", horizon) for i, a in enumerate(acts))
    seen: dict[tuple[int, int, str], int] = {}
    for i, a in enumerate(actions):
        for w in a.weeks:
            key = (w, a.day, a.medium)
            if key in seen:
                raise _fail(f"{where}.actions[{i}]", f"actions {seen[key]} and {i} both send "
                            f"on {a.medium} on day {a.day} of week {w}",
                            "one message per medium and day: move one to another day")
            seen[key] = i
    kpis = spec.get("kpis") or {}
    if not isinstance(kpis, Mapping):
        raise _fail(f"{where}.kpis", "kpis must map a step to its KPI", "write step: KPI")
    return Segment(name.strip(), _rules(spec.get("rules"), f"{where}.rules"), actions,
                   dict(kpis))


def check_plan(spec: Mapping) -> Plan:
    """Check a plan given as a mapping and return it as a :class:`Plan`."""
    spec = _keys(spec, "plan", _TOP, _TEXT)
    team = spec["team"]
    if not isinstance(team, str) or not team.strip():
        raise _fail("team", f"the team needs a name, got {team!r}", "write team: <a name>")
    horizon = _int(spec["horizon_weeks"], "horizon_weeks", 1, MAX_WEEKS, "horizon_weeks")
    cap = _int(spec["frequency_cap"], "frequency_cap", 1, 21, "frequency_cap")
    segs = spec["segments"]
    if not isinstance(segs, list | tuple):
        raise _fail("segments", "segments must be a list", "list the segments, each with "
                    "name, rules and actions")
    segments = tuple(_segment(s, f"segments[{i}]", horizon) for i, s in enumerate(segs))
    names = [s.name for s in segments]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise _fail(f"segments[{names.index(twice[0], names.index(twice[0]) + 1)}].name",
                    f"two segments are called {twice[0]!r}", "give every segment its own name")
    notes = {k: spec[k] for k in _TEXT if k in spec}
    return Plan(team.strip(), horizon, cap, segments, notes)


def read_plan(source: Plan | Mapping | str | Path) -> Plan:
    """Read and check a plan from a mapping, a YAML file or YAML text.

    Parameters
    ----------
    source
        A :class:`Plan` (returned as it is), a mapping, a path to a ``.yaml``
        / ``.yml`` file, or the YAML text itself.

    Returns
    -------
    Plan

    Raises
    ------
    DataError
        Naming the part of the plan that is wrong, why, and what is allowed.
    """
    if isinstance(source, Plan):
        return source
    if isinstance(source, Mapping):
        return check_plan(source)
    if isinstance(source, Path) or (isinstance(source, str) and "\n" not in source
                                    and source.strip().lower().endswith((".yaml", ".yml"))):
        path = Path(source)
        if not path.is_file():
            raise DataError(f"no plan file {path.name}", table="plan",
                            fix="check the file name and folder")
        source = path.read_text(encoding="utf-8")
    if not isinstance(source, str):
        raise DataError(f"cannot read a plan from {type(source).__name__}", table="plan",
                        fix="pass a mapping, a YAML file or YAML text")
    import yaml

    try:
        spec = yaml.safe_load(source)
    except yaml.YAMLError as err:
        raise DataError(f"the YAML cannot be read ({str(err).splitlines()[0]})", table="plan",
                        fix="check the indentation and the colons near that line") from err
    return check_plan(spec)


#: The capstone brief's range of actions per segment (a sequence, not a single shot).
BRIEF_ACTIONS = (3, 5)
#: Steps of the conversion path a segment's KPIs should cover, at least one of them.
_OUTCOME_STEPS = ("ordered", "extra_orders")


def brief_gaps(plan: Plan | Mapping | str | Path) -> list[str]:
    """What a plan the sandbox accepts still lacks against the capstone's brief.

    The sandbox runs any plan with 1 to 5 actions per segment; the brief asks
    more of a team: a target-user profile, a WeCom persona, 3 to 5 actions
    per segment, and KPIs per segment that reach an outcome (``ordered`` or
    ``extra_orders``), not only reach. An empty list: the plan meets the brief.

    Examples
    --------
    >>> plan = {"team": "t", "horizon_weeks": 2, "frequency_cap": 1, "segments": [
    ...     {"name": "lapsing", "rules": {"crm_segment": ["lapsing"]}, "actions": [
    ...         {"week": 1, "medium": "sms", "purpose": "promotion", "offer": "20 off 99"}]}]}
    >>> for gap in brief_gaps(plan):
    ...     print(gap)
    no target_profile (目标用户画像)
    no wecom_persona (企微人设)
    segment 'lapsing': 1 action, the brief asks for 3 to 5
    segment 'lapsing': no KPI for ordered or extra_orders
    """
    checked = read_plan(plan)
    gaps = [f"no {key} ({label})" for key, label in (("target_profile", "目标用户画像"),
                                                     ("wecom_persona", "企微人设"))
            if not str(checked.notes.get(key, "") or "").strip()]
    if not checked.segments:
        gaps.append("no segments")
    lo, hi = BRIEF_ACTIONS
    for seg in checked.segments:
        n = len(seg.actions)
        if not lo <= n <= hi:
            gaps.append(f"segment {seg.name!r}: {n} action{'s' * (n != 1)}, the brief asks "
                        f"for {lo} to {hi}")
        if not any(step in seg.kpis for step in _OUTCOME_STEPS):
            gaps.append(f"segment {seg.name!r}: no KPI for ordered or extra_orders")
    return gaps
