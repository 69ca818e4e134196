"""Every lesson runs on a second, smaller world, and its claims hold there too.

A lesson's claim cells (docs/REVIEWING.md) assert each decision and each
stated direction or size. Run on the default world by the notebook tests,
they are run here on a 3,000-user world of another seed: a claim that holds
on one world only is one the lesson cannot make without saying so.
"""

from __future__ import annotations

from pathlib import Path

import papermill as pm
import pytest

REPO = Path(__file__).resolve().parents[1]
LESSONS = sorted((REPO / "notebooks").glob("*.ipynb"))



@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_lesson_and_its_claims_hold_on_another_world(path, small_world, tmp_path):
    try:
        pm.execute_notebook(str(path), str(tmp_path / path.name),
                            parameters={"world": str(small_world)}, cwd=str(path.parent),
                            kernel_name="python3", progress_bar=False)
    except pm.PapermillExecutionError as err:
        claim = err.evalue or err.ename
        pytest.fail(f"{path.name} on a 3,000-user world of seed 7, cell {err.exec_count}: "
                    f"{err.ename}: {claim}", pytrace=False)
