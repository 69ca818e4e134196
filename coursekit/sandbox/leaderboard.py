"""The class's leaderboard: every team's plan over replicate seeds, beside three references.

- ``do nothing``: no message; scores exactly 0 (the baseline itself);
- ``message everyone``: every user, in week 1, one promotion with the
  world's usual coupon (20 off 99) on every medium that reaches them;
- ``oracle``: targets by the **true** expected profit of a message, which
  no team can see (each customer's CRM segment, persona coupon sensitivity,
  order value, whether they still buy and their chance to order anyway in
  the coupon's days): for each customer the best medium and offer (20 off
  99 or none) at an hour in their persona's order hours, in week 1 and again
  in week 3 when the worn-out second contact still pays, keeping the
  messages of highest expected profit net of the fatigue penalty (the
  values derived from the world: :func:`coursekit.sandbox.costs.fatigue_costs`).
  **The same budget** means the same number of messages: the oracle sends
  at most as many as the team plan that sends the most (its mean over the
  replicates; without team plans, as many as ``message everyone``).

Every plan runs on the same seeds, so two plans meet the same customers'
same luck on each seed, and their difference is taken seed by seed (a
**paired** comparison): the noise the two scores share cancels. How much
that is depends on the plans: each score is already net of the baseline
orders of its seed, so two plans that write to different customers share
little noise and pairing narrows their interval little; more seeds do. The
board's ``lead`` columns and :func:`compare` use it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from coursekit.errors import DataError
from coursekit.sandbox import response as R
from coursekit.sandbox.costs import penalties
from coursekit.sandbox.engine import COUPON_SENSITIVITY, HOUR_LIFT, SEGMENT_CODES, uplift_by_code
from coursekit.sandbox.plan import Action, Plan, read_plan
from coursekit.sandbox.simulate import members, run
from coursekit.sandbox.world import Prepared, prepare
from coursekit.world import personas

__all__ = ["compare", "leaderboard", "reference_plans"]

_USUAL = (20.0, 99.0)


def reference_plans(horizon_weeks: int = 4) -> dict[str, Plan]:
    """The plans ``do nothing`` and ``message everyone`` (the oracle is no plan: it needs
    the truth).

    Examples
    --------
    >>> refs = reference_plans()
    >>> list(refs), len(refs["message everyone"].segments[0].actions)
    (['do nothing', 'message everyone'], 3)
    """
    blast = [dict(week=1, medium=m, purpose="promotion", offer="20 off 99")
             for m in R.MEDIA]
    return {
        "do nothing": read_plan(dict(team="do nothing", horizon_weeks=horizon_weeks,
                                     frequency_cap=3, segments=[])),
        "message everyone": read_plan(dict(team="message everyone",
                                           horizon_weeks=horizon_weeks, frequency_cap=3,
                                           segments=[dict(name="everyone", actions=blast)])),
    }


def _oracle_groups(w: Prepared, budget: float) -> list[tuple[str, np.ndarray, tuple]]:
    """The oracle's segments: customers by (medium, offer, hour, contacts)."""
    from scipy.special import gammaincc  # the Gamma survival function, without scipy.stats

    prm = w.params
    n, p = w.n, prm["gamma_gamma_p"]
    seg = w.features["crm_segment"].map({s: i for i, s in enumerate(SEGMENT_CODES)}).to_numpy()
    uplift_of = uplift_by_code(prm)
    hour = np.array([personas.PERSONAS[q]["hours"]["start"] % 24
                     for q in personas.NAMES])[w.persona]
    lift = HOUR_LIFT[w.persona, hour]
    mean_value = p / w.spend_rate * w.value_factor
    window = prm["offer_days"]
    chance_anyway = np.where(w.status == 1, 1 - np.exp(-w.rate * window), 0.0)
    chance_anyway += np.where((w.status == 0) & (w.first_due < w.end + window), 1.0, 0.0)
    sub_value, complaint_cost = penalties(w)
    best = np.full((2, n), -np.inf)
    choice = np.zeros((2, n, 2), dtype=np.int64)
    offers = [(0.0, 0.0), _USUAL]
    for j, load in enumerate((w.load7, w.load28 / 4)):  # weeks 1 and 3
        for m, medium in enumerate(R.MEDIA):
            x = 1 + j + load
            p_open = R.open_probability(medium, "promotion", x, np.zeros(n, dtype=bool), prm)
            fatigue = (R.fatigue_probability("unsubscribe", medium, "promotion", x)
                       * sub_value[m]
                       + R.fatigue_probability("complaint", medium, "promotion", x)
                       * complaint_cost[m])
            for k, (coupon, threshold) in enumerate(offers):
                uplift = (uplift_of[seg] * COUPON_SENSITIVITY[w.persona]
                          * R.offer_effect(coupon, threshold, prm) * prm["wearout"] ** j * lift)
                p_extra = p_open * np.minimum(prm["max_response"], uplift / prm["reference_open"])
                fits = gammaincc(p, threshold * w.spend_rate / w.value_factor) if coupon else 0
                gain = (p_extra * mean_value * w.margin_rate
                        - coupon * (p_extra * fits + (1 - p_extra) * chance_anyway * fits)
                        - prm[f"message_cost_{medium}"] - fatigue)
                gain = np.where(w.reach[m], gain, -np.inf)
                better = gain > best[j]
                best[j] = np.where(better, gain, best[j])
                choice[j][better] = (m, k)
    # Keep the most profitable messages within the budget (a second contact only
    # after a first one, and only on the first's medium and offer).
    second = (best[1] > 0) & (best[0] > 0) & (choice[1] == choice[0]).all(axis=1)
    gains = np.concatenate([best[0], np.where(second, best[1], -np.inf)])
    order = np.argsort(-gains, kind="stable")[: int(budget)]
    order = order[gains[order] > 0]
    picked = np.zeros(2 * n, dtype=bool)
    picked[order] = True
    first, again = picked[:n], picked[n:] & picked[:n]
    groups = []
    for m, medium in enumerate(R.MEDIA):
        for k, (coupon, threshold) in enumerate(offers):
            for h in sorted(set(hour.tolist())):
                for contacts, weeks in ((1, (1,)), (2, (1, 3))):
                    mine = first & (choice[0][:, 0] == m) & (choice[0][:, 1] == k) & \
                        (hour == h) & (again if contacts == 2 else ~again)
                    if mine.any():
                        act = Action(weeks, medium, "promotion", coupon, threshold, 1, h)
                        groups.append((f"{medium} {coupon:g} off {threshold:g} at {h}h x"
                                       f"{contacts}", np.flatnonzero(mine), (act,)))
    return groups


def _plans(plans: Iterable | str | Path) -> list[Plan]:
    if isinstance(plans, str | Path) and Path(plans).is_dir():
        plans = sorted(Path(plans).glob("*.y*ml"))
    elif isinstance(plans, str | Path | Mapping | Plan):  # one plan
        plans = [plans]
    out = [read_plan(p) for p in plans]
    teams = [p.team for p in out]
    twice = sorted({t for t in teams if teams.count(t) > 1})
    clash = twice or [t for t in teams if t in ("do nothing", "message everyone", "oracle")]
    if clash:
        raise DataError(f"two plans are called {clash[0]!r} (or a reference row is)",
                        table="plan", column="team",
                        fix="give every team its own name, not a reference row's")
    return out


def _checked_seeds(seed: object, replicates: object) -> list[int]:
    from coursekit.errors import ArgumentError

    if isinstance(replicates, bool) or not isinstance(replicates, int) or replicates < 1:
        raise ArgumentError("replicates must be a whole number of at least 1",
                            name="replicates", value=replicates, allowed="1, 2, ...")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ArgumentError("seed must be a whole number of 0 or more", name="seed",
                            value=seed, allowed="0, 1, 2, ...")
    return [int(seed) + r for r in range(replicates)]


def _half(values: np.ndarray) -> float:
    """Half the width of the 95% interval of the mean of ``values``: Student's t quantile
    (97.5%, ``len - 1`` degrees of freedom) times the standard error; NaN for one value."""
    from scipy.special import stdtrit  # Student's t quantiles, without scipy.stats

    values = np.asarray(values, dtype=float)
    if len(values) < 2:
        return np.nan
    return float(stdtrit(len(values) - 1, 0.975) * values.std(ddof=1) / np.sqrt(len(values)))


#: What :func:`compare` sets side by side, from each run's result.
COMPARED = ["profit", "profit_after_fatigue", "fatigue_penalty", "coupon_cost", "message_cost",
            "messages", "extra_orders", "unsubscribes", "complaints"]


def compare(plan_a: object, plan_b: object, *, seed: int = 0, replicates: int = 12,
            world: str | Path | None = None, industry: object = None) -> pd.DataFrame:
    """Two plans on the same seeds, compared seed by seed (paired).

    Parameters
    ----------
    plan_a, plan_b
        The plans (mappings, YAML files or text, :class:`Plan`); their team
        names must differ.
    seed, replicates
        The seeds ``seed``, ``seed + 1``, ... (``replicates`` of them).
    world
        The world's folder (``None``: the default world).
    industry
        An industry preset (:mod:`coursekit.sandbox.presets`); ``None``: the
        course company.

    Returns
    -------
    pandas.DataFrame
        Indexed by measure (:data:`COMPARED`): the two teams' means over the
        seeds (a column named after each team), ``difference`` (first minus
        second: the mean of the seed-by-seed differences) and ``low`` /
        ``high``, its 95% interval (Student's t over the seeds' differences).

    Examples
    --------
    >>> import tempfile
    >>> from coursekit.world import write_world
    >>> tmp = tempfile.mkdtemp()
    >>> _ = write_world(tmp, users=600, seed=3)
    >>> a = {"team": "sms", "horizon_weeks": 2, "frequency_cap": 1, "segments": [
    ...     {"name": "lapsing", "rules": {"crm_segment": ["lapsing"]}, "actions": [
    ...         {"week": 1, "medium": "sms", "purpose": "promotion", "offer": "20 off 99"}]}]}
    >>> table = compare(a, {**a, "team": "idle", "segments": []}, replicates=3, world=tmp)
    >>> table.columns.tolist()
    ['sms', 'idle', 'difference', 'low', 'high']
    >>> bool(table.loc["profit", "difference"] == table.loc["profit", "sms"])
    True
    """
    seeds = _checked_seeds(seed, replicates)
    a, b = read_plan(plan_a), read_plan(plan_b)
    if a.team == b.team:
        raise DataError(f"both plans are called {a.team!r}", table="plan", column="team",
                        fix="give the two plans different team names")
    w = prepare(world, industry)
    scores = {}
    for plan in (a, b):
        groups = members(w, plan)
        results = [run(w, s, plan.team, plan.frequency_cap, groups) for s in seeds]
        scores[plan.team] = np.array([[getattr(r, c) for c in COMPARED] for r in results],
                                     dtype=float)
    diff = scores[a.team] - scores[b.team]
    half = np.array([_half(diff[:, j]) for j in range(len(COMPARED))])
    out = pd.DataFrame({a.team: scores[a.team].mean(axis=0), b.team: scores[b.team].mean(axis=0),
                        "difference": diff.mean(axis=0)}, index=pd.Index(COMPARED, name="measure"))
    out["low"], out["high"] = out["difference"] - half, out["difference"] + half
    return out


def leaderboard(plans: Iterable | str | Path, *, seed: int = 0, replicates: int = 20,
                world: str | Path | None = None, industry: object = None,
                progress: bool = False) -> pd.DataFrame:
    """Score every plan over ``replicates`` seeds, beside the reference rows.

    Parameters
    ----------
    plans
        Plans (mappings, YAML files or text, :class:`Plan`), or a folder of
        ``.yaml`` files.
    seed
        The first seed; the replicates use ``seed``, ``seed + 1``, ...
    replicates
        How many seeds (every plan runs on the same ones).
    world
        The world's folder (``None``: the default world).
    industry
        An industry preset (:mod:`coursekit.sandbox.presets`) every plan is
        scored in; ``None``: the course company.
    progress
        Show a progress bar (tqdm) over the runs: every plan and reference
        row on every replicate.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``team`` (the teams and ``do nothing``, ``message
        everyone``, ``oracle``), sorted by ``profit_after_fatigue``: ``kind``
        (team or reference), ``profit`` (the mean incremental profit),
        ``profit_low`` and ``profit_high`` (a 95% interval of that mean: mean
        +- t standard errors over the replicates, t the 97.5% quantile of Student's
        t with replicates - 1 degrees of freedom), ``roi``, ``messages``,
        ``extra_orders``, ``unsubscribes``, ``complaints`` and
        ``profit_after_fatigue`` (means), with ``profit_after_fatigue_low`` and
        ``profit_after_fatigue_high``, its 95% interval made the same way;
        ``lead``, the row's lead in profit after fatigue over the row below it
        (mean of the seed-by-seed differences), with ``lead_low`` and
        ``lead_high``, its paired 95% interval (a lead whose interval holds 0
        is not a win; the last row's lead is NaN).

    Examples
    --------
    >>> import tempfile
    >>> from coursekit.world import write_world
    >>> tmp = tempfile.mkdtemp()
    >>> _ = write_world(tmp, users=600, seed=3)
    >>> board = leaderboard([], replicates=2, world=tmp)
    >>> sorted(board.index), float(board.loc["do nothing", "profit"])
    (['do nothing', 'message everyone', 'oracle'], 0.0)
    """
    seeds = _checked_seeds(seed, replicates)
    teams = _plans(plans)
    w = prepare(world, industry)
    horizon = max([p.horizon_weeks for p in teams], default=4)
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=(len(teams) + 3) * replicates, desc="leaderboard", unit="run")

    def scored(team: str, cap: int, groups: list) -> list:
        if bar is not None:
            bar.set_postfix_str(team)
        out = []
        for s in seeds:
            out.append(run(w, s, team, cap, groups))
            if bar is not None:
                bar.update(1)
        return out

    runs: dict[str, list] = {}
    kinds: dict[str, str] = {}
    try:
        for i, plan in enumerate([*teams, *reference_plans(horizon).values()]):
            kinds[plan.team] = "team" if i < len(teams) else "reference"
            runs[plan.team] = scored(plan.team, plan.frequency_cap, members(w, plan))
        volume = [np.mean([r.messages for r in runs[p.team]]) for p in teams]
        budget = max(volume) if volume else np.mean([r.messages
                                                     for r in runs["message everyone"]])
        runs["oracle"] = scored("oracle", 3, _oracle_groups(w, budget))
    finally:
        if bar is not None:
            bar.close()
    kinds["oracle"] = "reference"
    rows = []
    for team, results in runs.items():
        profit = np.array([r.profit for r in results])
        after = np.array([r.profit_after_fatigue for r in results])
        rows.append(dict(team=team, kind=kinds[team], profit=profit.mean(),
                         profit_low=profit.mean() - _half(profit),
                         profit_high=profit.mean() + _half(profit),
                         roi=np.nanmean([r.roi for r in results]) if any(
                             np.isfinite(r.roi) for r in results) else np.nan,
                         messages=np.mean([r.messages for r in results]),
                         extra_orders=np.mean([r.extra_orders for r in results]),
                         unsubscribes=np.mean([r.unsubscribes for r in results]),
                         complaints=np.mean([r.complaints for r in results]),
                         profit_after_fatigue=after.mean(),
                         profit_after_fatigue_low=after.mean() - _half(after),
                         profit_after_fatigue_high=after.mean() + _half(after)))
    out = pd.DataFrame(rows).set_index("team")
    out = out.sort_values("profit_after_fatigue", ascending=False, kind="stable")
    after = {team: np.array([r.profit_after_fatigue for r in runs[team]]) for team in out.index}
    gaps = [after[a] - after[b] for a, b in zip(out.index[:-1], out.index[1:], strict=True)]
    out["lead"] = [g.mean() for g in gaps] + [np.nan]
    halves = np.array([_half(g) for g in gaps] + [np.nan])
    out["lead_low"], out["lead_high"] = out["lead"] - halves, out["lead"] + halves
    return out
