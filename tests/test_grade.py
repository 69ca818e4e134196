"""Grading a class: ``coursekit grade`` runs submissions and tabulates the checks."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from coursekit import cli
from coursekit.exercises import m00
from coursekit.exercises.core import find_course_root
from coursekit.grade import (
    Graded,
    _Checks,
    exercise_sets,
    find_submissions,
    grade,
    grade_notebook,
    summary_by_question,
    tabulate,
)

ROOT = find_course_root()
EXERCISE = "00_welcome_exercises.ipynb"


def _write(path: Path, cells: list[str]) -> Path:
    nb = new_notebook(cells=[new_code_cell(src) for src in cells])
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


def _edit(source: Path, target: Path, replace: dict[str, str], extra: list[str]) -> Path:
    """A learner's copy of the exercise notebook: some answers filled in, cells added."""
    nb = nbformat.read(str(source), as_version=4)
    for cell in nb.cells:
        for old, new in replace.items():
            if old in cell.source:
                cell.source = cell.source.replace(old, new)
    nb.cells += [new_code_cell(src) for src in extra]
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(target))
    return target


def test_every_exercise_set_is_found() -> None:
    sets = exercise_sets()
    assert {"00_welcome_exercises", "05_fine_grained_ops_exercises"} <= set(sets)
    assert all(len(s) >= 3 for s in sets.values())


def test_questions_without_an_answer_are_not_attempted_and_say_why() -> None:
    checks = _Checks(m00.EXERCISES, None)
    rows = checks.judge({}, [], stopped=False)  # the learner's bind cell never ran
    assert [r["question"] for r in rows] == ["q1", "q2", "q3"]
    assert {r["status"] for r in rows} == {"not_attempted"} and "not bound" in rows[1]["message"]
    stopped = checks.judge({}, [], stopped=True)
    assert "stopped before" in stopped[0]["message"]


def test_answers_are_judged_here_from_data() -> None:
    from coursekit.grade.answers import to_data

    checks = _Checks(m00.EXERCISES, None)
    right = m00.EXERCISES.exercises[2]()._expected()
    rows = checks.judge({"q3": {"buyer_share": to_data(right)},
                         "q1": {"signups": {"kind": "unsupported", "description": "a function"}}},
                        ["q3"], stopped=False)
    status = {r["question"]: (r["status"], r["checked"]) for r in rows}
    assert status["q3"] == ("correct", True)
    assert status["q1"] == ("incorrect", False) and "cannot read back" in rows[0]["message"]
    assert status["q2"][0] == "not_attempted"  # captured without its variables: not defined
    forged = checks.judge({"q3": {"buyer_share": {"kind": "pickle", "data": "..."}}}, [], False)
    assert forged[2]["status"] == "incorrect"  # data the grader cannot read is never run


@pytest.mark.skipif(ROOT is None, reason="needs the course's exercises/ and solutions/")
def test_a_class_is_graded_from_a_folder(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    subs = tmp_path / "class"
    (subs / "ana").mkdir(parents=True)
    shutil.copy(ROOT / "solutions" / EXERCISE, subs / "ana" / EXERCISE)
    # bo: a wrong q1 checked, then changed back; q3's cell raises; q2 left as the stub
    _edit(ROOT / "exercises" / EXERCISE, subs / "bo" / EXERCISE,
          {"signups = ____": "signups = users['channel'].value_counts().head(2)",
           "buyer_share = ____": "buyer_share = no_such_name"},
          ["signups = ____"])
    (subs / "bo" / ".ipynb_checkpoints").mkdir()
    shutil.copy(ROOT / "solutions" / EXERCISE, subs / "bo" / ".ipynb_checkpoints" / EXERCISE)
    (subs / "cy.ipynb").write_text("{not a notebook", encoding="utf-8")
    out = tmp_path / "marks" / "grades.csv"

    code = cli.main([
        "grade", str(subs), "--out", str(out), "--jobs", "2", "--timeout", "120",
    ])

    assert code == 0
    grades = pd.read_csv(out, keep_default_na=False).set_index("submission")
    assert list(grades.index) == [f"ana/{EXERCISE}", f"bo/{EXERCISE}", "cy.ipynb"]
    ana, bo, cy = (grades.loc[i] for i in grades.index)
    assert (ana["q1"], ana["q2"], ana["q3"], ana["correct"]) == ("correct",) * 3 + (3,)
    assert ana["cell_errors"] == 0 and ana["problem"] == ""
    assert (bo["q1"], bo["q2"], bo["q3"]) == ("incorrect", "not_attempted", "not_attempted")
    assert bo["correct"] == 0 and bo["cell_errors"] == 1 and bo["questions"] == 3
    assert cy["problem"].startswith("not a readable notebook") and cy["questions"] == 0
    details = pd.read_csv(tmp_path / "marks" / "grades_details.csv")
    q1 = details[(details["submission"] == f"bo/{EXERCISE}") & (details["question"] == "q1")]
    assert q1["message"].iloc[0]  # the hint the learner saw is kept
    printed = capsys.readouterr().out
    assert "the class, question by question" in printed and "could not be graded" in printed


def test_a_slow_cell_is_interrupted_and_the_rest_still_runs(tmp_path: Path) -> None:
    nb = _write(tmp_path / "slow.ipynb", [
        "import time\ntime.sleep(600)",
        "from coursekit.exercises import m00\nq1, q2, q3 = m00.EXERCISES.bind(globals())",
    ])
    # the limit applies to every cell: leave the import of the second one room on a slow machine
    g = grade_notebook(nb, cell_timeout=10)
    assert g.timeouts == 1 and g.cell_errors == 1 and g.problem == ""
    assert [r["status"] for r in g.records] == ["not_attempted"] * 3
    assert g.seconds < 300  # interrupted: the cell alone would take 600 s


def test_the_budget_skips_the_remaining_cells(tmp_path: Path) -> None:
    nb = _write(tmp_path / "long.ipynb", ["import time\ntime.sleep(1.5)"] * 4)
    g = grade_notebook(nb, budget=2.5, cell_timeout=10)
    assert g.skipped >= 1 and g.cells == 4  # 4 x 1.5 s cannot fit in 2.5 s
    assert g.problem.startswith("no exercise set found")


def test_summary_by_question_counts_each_status() -> None:
    d = pd.DataFrame({"notebook": ["n"] * 4, "question": ["q2", "q1", "q2", "q1"],
                      "status": ["correct", "not_attempted", "incorrect", "correct"]})
    s = summary_by_question(d)
    assert list(s["question"]) == ["q2", "q1"]  # the notebook's order, not the alphabet's
    assert list(s["not_attempted"]) == [0, 1] and list(s["share_correct"]) == [0.5, 0.5]


def test_nothing_to_grade_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert cli.main(["grade", str(tmp_path)]) == 2
    assert "no notebooks found" in capsys.readouterr().err
    grades, details = grade([tmp_path])
    assert grades.empty and details.empty


def test_a_kernel_that_dies_gives_a_row_that_says_so(tmp_path: Path) -> None:
    nb = _write(tmp_path / "dies.ipynb", ["import os\nos._exit(1)", "x = 1"])
    g = grade_notebook(nb, cell_timeout=20)
    assert g.problem.startswith("the run stopped: DeadKernelError") and g.records == []
    assert "processes" in g.flags and not g.cheating


def test_submissions_are_named_from_the_folder_they_share(tmp_path: Path) -> None:
    for rel in ["ana/x.ipynb", "bo/x.ipynb", "bo/.ipynb_checkpoints/x.ipynb", "cy.ipynb"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("{}", encoding="utf-8")
    names = lambda *ps: [name for _, name in find_submissions(ps)]  # noqa: E731
    assert names(tmp_path) == ["ana/x.ipynb", "bo/x.ipynb", "cy.ipynb"]
    assert names(tmp_path / "ana", tmp_path / "bo") == ["ana/x.ipynb", "bo/x.ipynb"]
    assert names(tmp_path / "ana" / "x.ipynb") == ["x.ipynb"]
    assert grade_notebook(tmp_path / "ana" / "typo.ipynb").problem == "no such file"


def test_worker_processes_can_import_the_command_module() -> None:
    """Spawned workers import ``__main__`` as ``__mp_main__``: it must not run the CLI."""
    import runpy

    runpy.run_module("coursekit", run_name="__mp_main__")  # no SystemExit


def test_questions_of_several_notebooks_get_their_own_columns() -> None:
    def graded(notebook: str, statuses: list[str]) -> Graded:
        return Graded(Path("x.ipynb"), records=[
            {"notebook": notebook, "question": f"q{i}", "status": s, "message": "", "checked": True}
            for i, s in enumerate(statuses, 1)])

    grades, details = tabulate([
        ("ana/05.ipynb", graded("05_fine_grained_ops_exercises", ["correct", "incorrect"])),
        ("ana/06.ipynb", graded("06_data_analysis_exercises", ["not_attempted"])),
    ])
    assert [c for c in grades.columns if " q" in c] == ["05 q1", "05 q2", "06 q1"]
    assert grades.loc[0, "05 q2"] == "incorrect" and pd.isna(grades.loc[0, "06 q1"])
    assert list(grades["score"]) == [0.5, 0.0] and len(details) == 3
    one, _ = tabulate([("ana/05.ipynb", graded("05_fine_grained_ops_exercises", ["correct"]))])
    assert "q1" in one.columns  # one notebook: plain question ids
