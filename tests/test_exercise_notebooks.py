"""The exercise notebooks: in sync with the solutions, and runnable as handed out.

An untouched exercise notebook must run from top to bottom without errors,
and every ``qN.check()`` in it must say "Not attempted".
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from coursekit.build.exercises import build_exercises

REPO = Path(__file__).resolve().parents[1]
EXERCISE_NOTEBOOKS = sorted((REPO / "exercises").glob("*.ipynb"))
OUTCOMES = ("Correct:", "Incorrect:", "Not attempted:")


def run_notebook(path: Path, *then: str) -> nbformat.NotebookNode:
    """Execute a notebook as a learner would (its own folder, python3 kernel),
    followed by the code cells ``then``."""
    with path.open(encoding="utf-8") as f:
        nb = nbformat.read(f, as_version=4)
    nb.cells.extend(new_code_cell(source) for source in then)
    client = NotebookClient(
        nb,
        timeout=120,
        kernel_name="python3",
        allow_errors=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    return nb


def output_texts(cell: nbformat.NotebookNode) -> list[str]:
    """The plain-text outputs of one executed code cell."""
    texts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            texts.append(out.text)
        elif "data" in out:
            texts.append(out.data.get("text/plain", ""))
    return texts


def check_outputs(nb: nbformat.NotebookNode) -> list[str]:
    """What each ``.check()`` cell showed, one string per cell."""
    return [
        "\n".join(output_texts(cell))
        for cell in nb.cells
        if cell.cell_type == "code" and ".check()" in cell.source
    ]


@pytest.fixture
def learner_env(monkeypatch):
    """Kernels import this working tree's coursekit, as a learner's clone would."""
    path = os.environ.get("PYTHONPATH")
    monkeypatch.setenv("PYTHONPATH", str(REPO) + (os.pathsep + path if path else ""))
    monkeypatch.delenv("COURSEKIT_ROOT", raising=False)
    return monkeypatch


def test_exercises_in_sync_with_solutions():
    assert build_exercises(REPO, check=True) == 0, "run `coursekit build exercises`"


@pytest.mark.parametrize("path", EXERCISE_NOTEBOOKS, ids=lambda p: p.name)
def test_exercise_notebook_runs_and_says_not_attempted(path, learner_env):
    nb = run_notebook(path)
    checks = check_outputs(nb)
    assert checks, f"{path.name} has no .check() cell"
    for shown in checks:
        assert "Not attempted:" in shown, shown
        assert "Correct:" not in shown, shown
    # the progress table near the end agrees: nothing correct, everything not attempted
    progress = [
        "\n".join(output_texts(c)) for c in nb.cells
        if c.cell_type == "code" and ".progress(globals())" in c.source
    ]
    n = len(checks)
    assert len(progress) == 1, f"{path.name} should end with one progress cell"
    assert progress[0].startswith(f"Progress: 0 of {n} correct, 0 incorrect, {n} not attempted.")


SETUP = '''\
from coursekit.exercises import Exercise, ExerciseSet


class Q1(Exercise):
    qid, title, variables = "q1", "ARPU", ("arpu",)
    hints = ("Revenue over all users, buyers or not.",)

    def _expected(self):
        return 80.0 / 5


(q1,) = ExerciseSet("01_demo", [Q1]).bind(globals())'''


def test_round_trip_in_a_kernel(tmp_path, learner_env):
    """The exercise copy says Not attempted, then Correct once answered; hint and
    solution show."""
    learner_env.setenv("COURSEKIT_ROOT", str(tmp_path))
    nb = new_notebook(
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}},
        cells=[
            new_markdown_cell("# Demo"),
            new_code_cell(SETUP, id="setup"),
            new_code_cell("# BEGIN SOLUTION q1\narpu = 80.0 / 5\n# END SOLUTION", id="answer"),
            new_code_cell("q1.check()", id="check"),
            new_code_cell("q1.hint()", id="hint"),
            new_code_cell("q1.solution()", id="solution"),
        ],
    )
    solution = tmp_path / "solutions" / "01_demo_exercises.ipynb"
    solution.parent.mkdir()
    nbformat.write(nb, str(solution))
    assert build_exercises(tmp_path, qids={"01_demo_exercises": {"q1"}}) == 0

    handed_out = run_notebook(tmp_path / "exercises" / solution.name,
                              "arpu = 80 / 4\nq1.check()", "arpu = 80 / 5\nq1.check()")
    stub, wrong, right = check_outputs(handed_out)
    assert stub.startswith("Not attempted: replace ____ in `arpu`")
    assert wrong == "Incorrect: `arpu` is too high."
    assert right == "Correct: `arpu` matches the data."
    assert handed_out.cells[2].source == "arpu = ____  # your code here"
    hint = handed_out.cells[4].outputs[0]
    assert hint.data["text/plain"] == "Hint 1 of 1: Revenue over all users, buyers or not."
    sol = handed_out.cells[5].outputs[0]
    assert sol.data["text/markdown"].endswith("```python\narpu = 80.0 / 5\n```")
