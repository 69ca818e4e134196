"""The capstone's strategy sandbox: run a team's operations plan forward and score it.

A team writes a private-domain plan (segments by rules over what the course
can compute, 1-5 actions each: week, medium, purpose, offer); the sandbox
runs it against the simulated company over the weeks after the data ends
(2026) and reports the conversion path and the incremental profit, ROI and
fatigue, against the orders that would have come anyway on the same draws.

- :func:`read_plan`: read and check a plan (mapping, YAML text or file);
  :func:`brief_gaps`: what it still lacks against the capstone's brief;
- :func:`simulate`: one plan, one seed -> :class:`SimulationResult`;
- :func:`leaderboard`: several plans over replicate seeds, with the
  reference rows ``do nothing``, ``message everyone`` and ``oracle``, and
  each row's paired lead over the next; :func:`compare`: two plans seed by
  seed;
- :func:`industries`: the industry presets (education, health food, local
  services) a plan can be scored in (``industry=`` of the functions above);
- :func:`parameters`: every number the response uses, with its source;
- :func:`fatigue_costs`: what an unsubscribe and a complaint cost on each
  medium, derived from the world (the fatigue penalty).

The example plans are in ``coursekit/sandbox/examples/`` (:func:`examples`).

Examples
--------
>>> from coursekit import sandbox
>>> sorted(p.stem for p in sandbox.examples())
['blast_loyal', 'message_everyone_sms', 'team_winback']
"""

from __future__ import annotations

from pathlib import Path

from coursekit.sandbox.costs import fatigue_costs
from coursekit.sandbox.leaderboard import compare, leaderboard, reference_plans
from coursekit.sandbox.plan import Plan, brief_gaps, read_plan
from coursekit.sandbox.presets import INDUSTRIES, industries
from coursekit.sandbox.response import PARAMETERS, parameters
from coursekit.sandbox.simulate import KPI_STEPS, SimulationResult, simulate

__all__ = ["INDUSTRIES", "KPI_STEPS", "PARAMETERS", "Plan", "SimulationResult", "brief_gaps",
           "compare", "examples", "fatigue_costs", "industries", "leaderboard", "parameters",
           "read_plan", "reference_plans", "simulate"]


def examples() -> list[Path]:
    """The example plans shipped with coursekit (YAML files), sorted by name."""
    return sorted((Path(__file__).parent / "examples").glob("*.yaml"))
