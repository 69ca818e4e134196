"""Lessons run unchanged on another world, through their ``parameters`` cell.

Every lesson and solution notebook opens with a cell tagged ``parameters``;
papermill injects other values after it. Here the welcome lesson runs on a
small world of another seed, and its computed figures follow that world.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pandas as pd
import papermill as pm
import pytest

REPO = Path(__file__).resolve().parents[1]
LESSONS = sorted((REPO / "notebooks").glob("*.ipynb"))
SOLUTIONS = sorted((REPO / "solutions").glob("*.ipynb"))


@pytest.mark.parametrize("path", LESSONS + SOLUTIONS, ids=lambda p: p.name)
def test_every_notebook_has_a_parameters_cell_before_its_code(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, f"{path.name} has no code"
    assert "parameters" in code[0].metadata.get("tags", []), (
        f"{path.name}: the first code cell must be tagged 'parameters'"
    )
    assert "world" in code[0].source



def _texts(nb) -> str:
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                parts.append(out["text"])
            elif "data" in out:
                parts.append(out["data"].get("text/plain", ""))
    return "\n".join(parts)


def test_welcome_lesson_runs_on_another_world(small_world, tmp_path):
    out = tmp_path / "00_welcome.ipynb"
    pm.execute_notebook(
        str(REPO / "notebooks" / "00_welcome.ipynb"),
        str(out),
        parameters={"world": str(small_world), "year": 2024},
        cwd=str(REPO / "notebooks"),
        kernel_name="python3",
        progress_bar=False,
    )
    nb = nbformat.read(out, as_version=4)
    text = _texts(nb)
    manifest = json.loads((small_world / "checksums.json").read_text(encoding="utf-8"))
    assert manifest["tables"]["users"]["rows"] == 3_000
    users = pd.read_parquet(small_world / "users.parquet")
    by_2024 = int((users["signup_time"].dt.year <= 2024).sum())
    assert 0 < by_2024 < 3_000
    assert re.search(rf"users signed up by the end of 2024\s+{by_2024:,}\n", text)
    assert "orders in 2024" in text and "orders in 2025" not in text


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.name)
def test_solutions_are_correct_on_another_world(path, small_world, tmp_path):
    """The checks compute their expected values from the world in use."""
    out = tmp_path / path.name
    pm.execute_notebook(str(path), str(out), parameters={"world": str(small_world)},
                        cwd=str(path.parent), kernel_name="python3", progress_bar=False)
    nb = nbformat.read(out, as_version=4)
    checks = [c for c in nb.cells if c.cell_type == "code" and ".check()" in c.source]
    text = _texts(nb)
    assert text.count("Correct:") == len(checks) and "Incorrect:" not in text, text
    n = len(checks)
    assert f"Progress: {n} of {n} correct, 0 incorrect, 0 not attempted." in text


# Every lesson on this world, its claims included: tests/test_lessons_on_another_world.py
